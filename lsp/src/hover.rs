//! Hover: what a block type or attribute means (from the schema), what a function does, and
//! what a reference names (its declaration as written).

use crate::analysis::Analysis;
use crate::index::Declaration;
use isopod_lang::schema::{self, BlockSchema};
use isopod_lang::syntax::ast::{Block, Body, Item};
use isopod_lang::{FUNCTIONS, FileId, Span};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

/// The most lines of a declaration a hover shows.
const DECLARATION_LINES: usize = 12;

/// The hover at a byte offset of a file.
pub fn hover(analysis: &Analysis, file: FileId, offset: usize) -> Option<Hover> {
    let (markdown, span) = reference(analysis, file, offset)
        .or_else(|| function(analysis, file, offset))
        .or_else(|| schema_item(&analysis.files[file.index()].body, None, offset))?;
    let range = analysis.positions(file).range(span.start as usize, span.end as usize);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(range),
    })
}

fn contains(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// A reference, or a declaration's name: the declaration as written.
fn reference(analysis: &Analysis, file: FileId, offset: usize) -> Option<(String, Span)> {
    let key = analysis.index().key_at(file, offset)?;
    let at = analysis.index().references.iter().find(|r| r.span.file == file && contains(r.span, offset));
    let span = at.map_or_else(|| analysis.index().declaration(key).map(|d| d.name_span), |r| Some(r.span))?;
    let Some(declaration) = analysis.index().declaration(key) else {
        return Some((format!("`{}` is not declared", key.written()), span));
    };
    Some((describe(analysis, declaration), span))
}

fn describe(analysis: &Analysis, declaration: &Declaration) -> String {
    let text = analysis.shown(declaration.span);
    let mut lines: Vec<&str> = text.lines().collect();
    let cut = lines.len() > DECLARATION_LINES;
    lines.truncate(DECLARATION_LINES);
    let mut shown = lines.join("\n");
    if cut {
        shown.push_str("\n  ...");
    }
    if declaration.kind == "locals" {
        shown = format!("local.{shown}");
    }
    let (line, _) = analysis.sources.line_col(declaration.span);
    let path = &analysis.paths[declaration.span.file.index()];
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let written = declaration.key.written();
    let value = match analysis.values.get(&written) {
        Some(value) => format!("\n\nIts value:\n\n```hcl\n{}\n```", shortened(value)),
        None => String::new(),
    };
    format!("```hcl\n{shown}\n```\n\n`{written}`, declared in {file}:{line}{value}")
}

/// The most characters of a value a hover shows.
const VALUE_CHARACTERS: usize = 300;

fn shortened(value: &str) -> String {
    match value.char_indices().nth(VALUE_CHARACTERS) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

/// A function's name in a call: its signature, what it does and an example.
fn function(analysis: &Analysis, file: FileId, offset: usize) -> Option<(String, Span)> {
    let call = analysis.index().calls.iter().find(|call| call.span.file == file && contains(call.span, offset))?;
    let Some(function) = FUNCTIONS.iter().find(|f| f.name == call.name) else {
        return Some((format!("`{}` is not a built-in function", call.name), call.span));
    };
    let (example, result) = function.example.split_once(" => ").unwrap_or((function.example, ""));
    let markdown =
        format!("```text\n{}\n```\n\n{}\n\n```hcl\n{example}   # {result}\n```", function.signature, function.doc);
    Some((markdown, call.span))
}

/// A block type or an attribute name, explained by its schema.
fn schema_item(body: &Body, parent: Option<&'static BlockSchema>, offset: usize) -> Option<(String, Span)> {
    for item in &body.items {
        if !contains(item.span(), offset) {
            continue;
        }
        match item {
            Item::Attribute(attr) if contains(attr.name.span, offset) => {
                let attr_schema = parent?.attribute(&attr.name.text)?;
                let required = if attr_schema.required { "required" } else { "optional" };
                let default = attr_schema.default.map(|d| format!(", default `{d}`")).unwrap_or_default();
                let markdown = format!(
                    "`{}`: {} ({required}{default})\n\n{}",
                    attr_schema.name,
                    attr_schema.ty.describe(),
                    attr_schema.doc
                );
                return Some((markdown, attr.name.span));
            }
            Item::Attribute(_) => return None,
            Item::Block(block) => {
                let block_schema = block_schema(block, parent)?;
                if contains(block.kind.span, offset) {
                    return Some((format!("**{}**\n\n{}", block.kind.text, block_schema.doc), block.kind.span));
                }
                return schema_item(&block.body, Some(block_schema), offset);
            }
        }
    }
    None
}

/// The schema of a block: a top-level one by its type (and cloud kind), a nested one by its
/// parent's.
pub fn block_schema(block: &Block, parent: Option<&'static BlockSchema>) -> Option<&'static BlockSchema> {
    match parent {
        None => schema::top_level(&block.kind.text, block.labels.first().map(|l| l.text.as_str())),
        Some(parent) => parent.block(&block.kind.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::Encoding;
    use crate::workspace::Workspace;

    #[test]
    fn a_hover_never_shows_a_key_written_in_plain_text() {
        let dir = tempfile::tempdir().unwrap();
        let text = "stack \"s\" {}\ncloud \"aws\" \"p\" {\n  region = \"us-east-1\"\n}\nnetwork \"a\" {\n  cloud = cloud.aws.p\n  cidr  = \"10.0.0.0/16\"\n}\nnetwork \"b\" {\n  cloud = cloud.aws.p\n  cidr  = \"10.1.0.0/16\"\n}\ntunnel \"t\" {\n  between = [network.a, network.b]\n  psk     = \"correct-horse-battery\"\n}\nlocals {\n  t = tunnel.t.name\n}\n";
        std::fs::write(dir.path().join("main.iso"), text).unwrap();
        let folder = Workspace::default().folder(dir.path());
        let analysis =
            Analysis::new(folder, None, &Default::default(), &isopod_lang::MemoryHost::default(), Encoding::Utf8);
        let offset = text.find("tunnel.t").unwrap() + 8;
        let hover = hover(&analysis, FileId::default(), offset).expect("a hover on the reference");
        let HoverContents::Markup(shown) = hover.contents else { panic!("markdown") };
        assert!(shown.value.contains("tunnel \"t\" {") && shown.value.contains("psk"), "{}", shown.value);
        assert!(!shown.value.contains("correct-horse-battery"), "{}", shown.value);
    }
}
