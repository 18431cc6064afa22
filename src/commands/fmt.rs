//! `isopod fmt`: rewrite files in the canonical layout, or with `--check` list those that differ.

use super::Status;
use crate::cli::FmtArgs;
use crate::{config, diagnostics, output};
use isopod_lang::SourceMap;
use std::path::PathBuf;

/// Runs `isopod fmt`.
pub fn run(args: FmtArgs) -> anyhow::Result<Status> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut status = Status::Success;
    for path in &args.paths {
        if path.is_dir() {
            match config::iso_files(path, args.recursive) {
                Ok(found) => files.extend(found),
                Err(err) => {
                    eprintln!("error: {err:#}");
                    status = Status::Failure;
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            eprintln!("error: {} does not exist", path.display());
            status = Status::Failure;
        }
    }
    for file in files {
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("error: cannot read {}: {err}", file.display());
                status = Status::Failure;
                continue;
            }
        };
        let mut sources = SourceMap::new();
        let id = sources.add_bytes(file.display().to_string(), &bytes);
        if let Some(problem) = isopod_lang::invalid_utf8(sources.get(id)) {
            // Formatting would write U+FFFD over the bytes it cannot read: leave the file alone.
            eprint!("{}", diagnostics::render_all(&[problem], &sources, diagnostics::stderr_colored()));
            status = Status::Failure;
            continue;
        }
        let text = &sources.get(id).text;
        match isopod_lang::fmt::format(text) {
            Ok(formatted) if formatted == *text => {}
            Ok(_) if args.check => {
                output::line(&file.display().to_string())?;
                status = Status::Failure;
            }
            Ok(formatted) => match config::write_atomically(&file, &formatted) {
                Ok(()) => output::line(&file.display().to_string())?,
                Err(err) => {
                    eprintln!("error: {err:#}");
                    status = Status::Failure;
                }
            },
            Err(errors) => {
                eprint!("{}", diagnostics::render_all(&errors, &sources, diagnostics::stderr_colored()));
                status = Status::Failure;
            }
        }
    }
    Ok(status)
}
