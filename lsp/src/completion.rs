//! Completion: block types and attributes where an item starts, declared names after a
//! reference's dot (`network.`), functions and reference roots where a value goes.
//!
//! The context is read from the text up to the cursor rather than from the syntax tree, which
//! loses the block being typed until it parses again.

use crate::index::Index;
use isopod_lang::FUNCTIONS;
use isopod_lang::schema::{self, BlockSchema};
use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

/// The roots a value can start with.
const ROOTS: &[&str] =
    &["var", "local", "cloud", "network", "host", "tunnel", "mesh", "endpoint", "relay", "self", "each"];

/// The completions at byte `offset` of `text`, with the configuration's declarations.
pub fn complete(text: &str, offset: usize, index: &Index) -> Vec<CompletionItem> {
    let offset = floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |nl| nl + 1);
    let before = &text[line_start..offset];
    let word_start =
        before.rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))).map_or(0, |idx| idx + 1);
    let word = &before[word_start..];
    if let Some((path, _)) = word.rsplit_once('.') {
        return after_dot(path, index);
    }
    if before[..word_start].trim().is_empty() {
        return match enclosing(text, line_start) {
            Some(Frame::Block(schema)) => body_items(schema),
            Some(Frame::Value) => Vec::new(),
            None => top_level_items(),
        };
    }
    value_items()
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    (0..=offset.min(text.len())).rev().find(|&idx| text.is_char_boundary(idx)).unwrap_or(0)
}

/// What a `{` opened.
#[derive(Clone, Copy)]
enum Frame {
    /// A block of this schema (`None` when the block is unknown).
    Block(Option<&'static BlockSchema>),
    /// An object or `for` expression.
    Value,
}

/// The innermost `{ ... }` open at `offset`, by scanning the text before it (strings and
/// comments skipped).
fn enclosing(text: &str, offset: usize) -> Option<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    let bytes = text.as_bytes();
    let mut idx = 0;
    let mut header_start = 0;
    while idx < offset {
        match bytes[idx] {
            b'"' => idx = skip_string(bytes, idx),
            b'#' => idx = skip_to_newline(bytes, idx),
            b'/' if bytes.get(idx + 1) == Some(&b'/') => idx = skip_to_newline(bytes, idx),
            b'/' if bytes.get(idx + 1) == Some(&b'*') => {
                idx = text[idx + 2..].find("*/").map_or(bytes.len(), |end| idx + 2 + end + 2)
            }
            b'{' => {
                let parent = frames.last().copied();
                frames.push(frame(&text[header_start..idx], parent));
                header_start = idx + 1;
                idx += 1;
            }
            b'}' => {
                frames.pop();
                header_start = idx + 1;
                idx += 1;
            }
            b'\n' | b'[' | b'(' | b',' => {
                header_start = idx + 1;
                idx += 1;
            }
            _ => idx += 1,
        }
    }
    frames.last().copied()
}

fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut idx = start + 1;
    while idx < bytes.len() && !matches!(bytes[idx], b'"' | b'\n') {
        idx += if bytes[idx] == b'\\' { 2 } else { 1 };
    }
    idx + 1
}

fn skip_to_newline(bytes: &[u8], start: usize) -> usize {
    bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |nl| start + nl)
}

/// What the text between the previous line or bracket and a `{` opens: a block when it is a
/// block header (`network "app"`), else a value.
fn frame(header: &str, parent: Option<Frame>) -> Frame {
    let header = header.trim();
    if header.contains('=') || header.contains(':') || header.is_empty() {
        return Frame::Value;
    }
    let mut words = header.split_whitespace().map(|word| word.trim_matches('"'));
    let kind = words.next().unwrap_or_default();
    match parent {
        None => Frame::Block(schema::top_level(kind, words.next())),
        Some(Frame::Block(Some(parent))) => Frame::Block(parent.block(kind)),
        Some(_) => Frame::Value,
    }
}

fn markdown(text: &str) -> Option<Documentation> {
    Some(Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: text.to_string() }))
}

fn top_level_items() -> Vec<CompletionItem> {
    schema::top_level_kinds()
        .into_iter()
        .map(|kind| {
            let doc = schema::TOP_LEVEL.iter().find(|s| s.kind == kind).map_or("", |s| s.doc);
            CompletionItem {
                label: kind.to_string(),
                kind: Some(CompletionItemKind::KEYWORD),
                documentation: markdown(doc),
                ..CompletionItem::default()
            }
        })
        .collect()
}

fn body_items(schema: Option<&'static BlockSchema>) -> Vec<CompletionItem> {
    let Some(schema) = schema else { return Vec::new() };
    let attributes = schema.attributes.iter().map(|attr| CompletionItem {
        label: attr.name.to_string(),
        kind: Some(CompletionItemKind::PROPERTY),
        detail: Some(attr.ty.describe()),
        documentation: markdown(attr.doc),
        insert_text: Some(format!("{} = ", attr.name)),
        ..CompletionItem::default()
    });
    let blocks = schema.blocks.iter().map(|block| CompletionItem {
        label: block.kind.to_string(),
        kind: Some(CompletionItemKind::STRUCT),
        documentation: markdown(block.doc),
        ..CompletionItem::default()
    });
    attributes.chain(blocks).collect()
}

fn value_items() -> Vec<CompletionItem> {
    let functions = FUNCTIONS.iter().map(|function| CompletionItem {
        label: function.name.to_string(),
        kind: Some(CompletionItemKind::FUNCTION),
        detail: Some(function.signature.to_string()),
        documentation: markdown(function.doc),
        insert_text: Some(format!("{}(", function.name)),
        ..CompletionItem::default()
    });
    let roots = ROOTS.iter().chain(&["true", "false", "null"]).map(|root| CompletionItem {
        label: root.to_string(),
        kind: Some(CompletionItemKind::KEYWORD),
        ..CompletionItem::default()
    });
    functions.chain(roots).collect()
}

/// After `path.`: the names declared in a namespace (`network.`, `cloud.aws.`), the cloud kinds
/// (`cloud.`), or what a declared object exposes (`network.app.`).
fn after_dot(path: &str, index: &Index) -> Vec<CompletionItem> {
    let names = |namespace: &str| -> Vec<CompletionItem> {
        index
            .in_namespace(namespace)
            .map(|declaration| CompletionItem {
                label: declaration.key.name.clone(),
                kind: Some(CompletionItemKind::REFERENCE),
                detail: Some(declaration.kind.clone()),
                ..CompletionItem::default()
            })
            .collect()
    };
    if path == "cloud" {
        return schema::CLOUD_KINDS
            .iter()
            .map(|(kind, _)| CompletionItem {
                label: kind.to_string(),
                kind: Some(CompletionItemKind::MODULE),
                ..CompletionItem::default()
            })
            .collect();
    }
    if ROOTS.contains(&path) || path.strip_prefix("cloud.").is_some_and(|kind| !kind.contains('.')) {
        return names(path);
    }
    let Some((namespace, name)) = path.rsplit_once('.') else { return Vec::new() };
    let Some(declaration) = index.declarations.iter().find(|d| d.key.namespace == namespace && d.key.name == name)
    else {
        return Vec::new();
    };
    let cloud_kind = namespace.strip_prefix("cloud.");
    let Some(schema) = schema::top_level(&declaration.kind, cloud_kind) else { return Vec::new() };
    let mut items = body_items(Some(schema));
    for item in &mut items {
        item.insert_text = None;
    }
    items.push(CompletionItem {
        label: "name".into(),
        kind: Some(CompletionItemKind::PROPERTY),
        detail: Some("string".into()),
        documentation: markdown("The block's name label."),
        ..CompletionItem::default()
    });
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_lang::FileId;

    fn labels(text: &str) -> Vec<String> {
        let offset = text.find('|').unwrap();
        let text = text.replace('|', "");
        let index = Index::new(&[isopod_lang::syntax::parse(FileId::default(), &text).file]);
        complete(&text, offset, &index).into_iter().map(|item| item.label).collect()
    }

    #[test]
    fn completes_by_context() {
        let top = labels("stack \"s\" {}\nnet|");
        assert!(top.contains(&"network".to_string()) && top.contains(&"tunnel".to_string()), "{top:?}");
        let network = labels("network \"a\" {\n  ci|\n}\n");
        assert!(network.contains(&"cidr".to_string()) && network.contains(&"subnet".to_string()), "{network:?}");
        let subnet = labels("network \"a\" {\n  subnet \"x\" {\n    |\n  }\n}\n");
        assert!(subnet.contains(&"zone".to_string()) && !subnet.contains(&"subnet".to_string()), "{subnet:?}");
        let azure = labels("cloud \"azure\" \"c\" {\n  # a { in a comment\n  |\n}\n");
        assert!(azure.contains(&"subscription".to_string()), "{azure:?}");
        assert!(labels("network \"a\" {\n  tags = {\n    |\n  }\n}\n").is_empty(), "object keys are free");
        let refs = labels("network \"a\" {}\nnetwork \"b\" {}\ntunnel \"t\" {\n  between = [network.|]\n}\n");
        assert_eq!(refs, ["a", "b"]);
        let clouds = labels("cloud \"aws\" \"prod\" {}\nnetwork \"a\" {\n  cloud = cloud.aws.|\n}\n");
        assert_eq!(clouds, ["prod"]);
        let attributes = labels("network \"a\" {}\nlocals {\n  x = network.a.|\n}\n");
        assert!(attributes.contains(&"cidr".to_string()) && attributes.contains(&"name".to_string()));
        let values = labels("network \"a\" {\n  cidr = cidrs|\n}\n");
        assert!(values.contains(&"cidrsubnet".to_string()) && values.contains(&"var".to_string()));
    }
}
