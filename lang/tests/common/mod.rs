//! Helpers shared by the integration tests: loading multi-file fixtures and rendering
//! diagnostics deterministically (no colour, 80 columns).

// Each test binary that includes this module uses a different subset of it.
#![allow(dead_code)]

use isopod_lang::{Checked, Diagnostic, Inputs, MemoryHost, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme};

/// Splits a fixture into files at lines `#- NAME`; text before the first marker (or all of it,
/// without markers) is the file `default_name`. Files are read as bytes, as the binary reads them,
/// so that a fixture may hold bytes that are not UTF-8.
pub fn sources(default_name: &str, bytes: &[u8]) -> SourceMap {
    let mut files: Vec<(String, Vec<u8>)> = vec![(default_name.to_string(), Vec::new())];
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match line.strip_prefix(b"#- ") {
            Some(name) => files.push((String::from_utf8_lossy(name).trim().to_string(), Vec::new())),
            None => files.last_mut().expect("one file at least").1.extend_from_slice(line),
        }
    }
    let only_comments =
        String::from_utf8_lossy(&files[0].1).lines().all(|line| line.starts_with('#') || line.trim().is_empty());
    if files.len() > 1 && only_comments {
        files.remove(0);
    }
    let mut sources = SourceMap::new();
    for (name, bytes) in files {
        sources.add_bytes(name, &bytes);
    }
    sources
}

/// Loads a configuration with no variables, no environment and no files.
pub fn load(sources: &SourceMap) -> Checked {
    isopod_lang::load(sources, &Inputs::default(), &MemoryHost::default())
}

/// One diagnostic as a person sees it, without colour, 80 columns wide.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(80);
    let mut out = String::new();
    handler.render_report(&mut out, &diagnostic.with_source(sources)).unwrap();
    out
}

/// Each diagnostic's code, primary position and label, one per line: what a snapshot asserts.
pub fn summary(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let span = diagnostic.span();
    let (line, col) = sources.line_col(span);
    let file = &sources.get(span.file).name;
    let snippet = sources.snippet(span);
    format!("{} at {file}:{line}:{col} {:?}: {}", diagnostic.code, snippet, diagnostic.labels[0].message)
}
