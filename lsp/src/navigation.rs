//! Go to definition, find references and document symbols.

use crate::analysis::Analysis;
use isopod_lang::syntax::ast::{Block, Item};
use isopod_lang::{FileId, Span};
use lsp_types::{DocumentSymbol, Location, SymbolKind, Url};

fn location(analysis: &Analysis, span: Span) -> Option<Location> {
    let uri = Url::from_file_path(&analysis.paths[span.file.index()]).ok()?;
    Some(Location { uri, range: analysis.positions(span.file).range(span.start as usize, span.end as usize) })
}

/// Where the object named at a byte offset (a reference, or a declaration's name) is declared.
pub fn definition(analysis: &Analysis, file: FileId, offset: usize) -> Option<Location> {
    let key = analysis.index().key_at(file, offset)?;
    location(analysis, analysis.index().declaration(key)?.name_span)
}

/// Every reference to the object named at a byte offset, across the configuration's files, and
/// its declaration when asked for.
pub fn references(analysis: &Analysis, file: FileId, offset: usize, with_declaration: bool) -> Vec<Location> {
    let Some(key) = analysis.index().key_at(file, offset) else { return Vec::new() };
    let declaration = analysis.index().declaration(key).filter(|_| with_declaration).map(|d| d.name_span);
    let uses = analysis.index().references_to(key).map(|r| r.span);
    declaration.into_iter().chain(uses).filter_map(|span| location(analysis, span)).collect()
}

/// The outline of a file: its blocks (with their nested blocks) and locals.
pub fn symbols(analysis: &Analysis, file: FileId) -> Vec<DocumentSymbol> {
    analysis.files[file.index()]
        .body
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Block(block) => Some(block_symbol(analysis, file, block)),
            Item::Attribute(_) => None,
        })
        .collect()
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set, though the protocol deprecated it
fn block_symbol(analysis: &Analysis, file: FileId, block: &Block) -> DocumentSymbol {
    let positions = analysis.positions(file);
    let range = |span: Span| positions.range(span.start as usize, span.end as usize);
    let mut children: Vec<DocumentSymbol> = Vec::new();
    for item in &block.body.items {
        match item {
            Item::Block(nested) => children.push(block_symbol(analysis, file, nested)),
            Item::Attribute(attr) if block.kind.text == "locals" => children.push(DocumentSymbol {
                name: attr.name.text.clone(),
                detail: Some("local".into()),
                kind: SymbolKind::VARIABLE,
                tags: None,
                deprecated: None,
                range: range(attr.span),
                selection_range: range(attr.name.span),
                children: None,
            }),
            Item::Attribute(_) => {}
        }
    }
    let labels: Vec<&str> = block.labels.iter().map(|label| label.text.as_str()).collect();
    let name = if labels.is_empty() { block.kind.text.clone() } else { labels.join(" ") };
    DocumentSymbol {
        name,
        detail: Some(block.kind.text.clone()),
        kind: symbol_kind(&block.kind.text),
        tags: None,
        deprecated: None,
        range: range(block.span),
        selection_range: range(block.labels.last().map_or(block.kind.span, |label| label.span)),
        children: Some(children).filter(|children| !children.is_empty()),
    }
}

fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "stack" => SymbolKind::PACKAGE,
        "cloud" => SymbolKind::MODULE,
        "network" | "subnet" => SymbolKind::NAMESPACE,
        "host" => SymbolKind::OBJECT,
        "tunnel" | "mesh" | "relay" => SymbolKind::INTERFACE,
        "endpoint" => SymbolKind::EVENT,
        "variable" => SymbolKind::VARIABLE,
        "locals" => SymbolKind::CONSTANT,
        _ => SymbolKind::STRUCT,
    }
}
