//! The language's diagnostics as the protocol's: the same codes and messages as `isopod
//! validate`, at the primary label's range, secondary labels as related information.

use crate::analysis::Analysis;
use isopod_lang::Severity;
use lsp_types::{Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every file of the configuration with its diagnostics (an empty list for a file without
/// any, so that the editor clears what it showed before).
pub fn by_file(analysis: &Analysis) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> =
        analysis.paths.iter().map(|path| (path.clone(), Vec::new())).collect();
    for diagnostic in &analysis.diagnostics {
        let span = diagnostic.span();
        let positions = analysis.positions(span.file);
        let primary = &diagnostic.labels[0];
        let mut message = format!("{}: {}", diagnostic.message(), primary.message);
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related: Vec<DiagnosticRelatedInformation> = diagnostic.labels[1..]
            .iter()
            .filter_map(|label| {
                let uri = Url::from_file_path(&analysis.paths[label.span.file.index()]).ok()?;
                let range =
                    analysis.positions(label.span.file).range(label.span.start as usize, label.span.end as usize);
                Some(DiagnosticRelatedInformation { location: Location { uri, range }, message: label.message.clone() })
            })
            .collect();
        let converted = Diagnostic {
            range: positions.range(span.start as usize, span.end as usize),
            severity: Some(match diagnostic.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
            source: Some("isopod".into()),
            message,
            related_information: Some(related).filter(|related| !related.is_empty()),
            ..Diagnostic::default()
        };
        out.entry(analysis.paths[span.file.index()].clone()).or_default().push(converted);
    }
    out
}
