//! Parsing again after an edit: only the top-level items the edit touched are parsed; the others
//! are kept, their spans moved by the edit's change of length. The result is the parse of the
//! whole new text (a property test compares them). When the previous parse had errors, or the
//! edited region does not parse on its own, the whole text is parsed.

use super::Parse;
use super::ast::*;
use crate::span::{FileId, Span};

/// An edit of a text: the bytes `start..old_end` of the text before became `start..new_end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Where the edit starts (the same in both texts).
    pub start: usize,
    /// Where it ended in the text before.
    pub old_end: usize,
    /// Where it ends in the text after.
    pub new_end: usize,
}

impl Edit {
    /// `next`, an edit of the text that `self` produced, folded into `self`: one edit from the
    /// text before `self` to the text after `next`.
    pub fn then(self, next: Edit) -> Edit {
        let grown = |edit: Edit| edit.new_end as i64 - edit.old_end as i64;
        let start = self.start.min(next.start);
        let new_end = (self.new_end.max(next.old_end) as i64 + grown(next)) as usize;
        let old_end = (new_end as i64 - grown(self) - grown(next)) as usize;
        Edit { start, old_end, new_end }
    }
}

/// The parse of `text`, the text of `previous` after `edit`.
pub fn reparse(file: FileId, previous: Parse, text: &str, edit: Edit) -> Parse {
    let whole = |previous: Parse| {
        crate::drop_in_background(previous);
        super::parse(file, text)
    };
    if !previous.diagnostics.is_empty() || previous.file.id != file {
        return whole(previous);
    }
    let delta = edit.new_end as i64 - edit.old_end as i64;
    // Touched: from the first item ending at or after the edit's start to the last starting at
    // or before its end (typing just after a closing brace changes that item's end).
    let old_items = &previous.file.body.items;
    let first = old_items.partition_point(|item| (item.span().end as usize) < edit.start);
    let after = old_items.partition_point(|item| (item.span().start as usize) <= edit.old_end).max(first);
    let region_start = if first == 0 { 0 } else { old_items[first - 1].span().end as usize };
    let region_end = match old_items.get(after) {
        Some(next) => (next.span().start as i64 + delta) as usize,
        None => text.len(),
    };
    if region_end < region_start || region_end > text.len() || !text.is_char_boundary(region_start) {
        return whole(previous);
    }
    let region = super::parser::parse_region(file, text, region_start, region_end);
    if !region.diagnostics.is_empty() {
        return whole(previous);
    }
    let File { body, comments, .. } = previous.file;
    let mut items = body.items;
    let mut later = items.split_off(after);
    items.truncate(first);
    for item in &mut later {
        shift_item(item, delta);
    }
    items.extend(region.file.body.items);
    items.append(&mut later);
    let region_old_end = (region_end as i64 - delta) as usize;
    let mut kept_comments: Vec<Comment> = Vec::with_capacity(comments.len());
    kept_comments.extend(comments.iter().filter(|c| (c.span.end as usize) <= region_start).cloned());
    kept_comments.extend(region.file.comments);
    kept_comments.extend(comments.into_iter().filter(|c| (c.span.start as usize) >= region_old_end).map(|mut c| {
        shift(&mut c.span, delta);
        c
    }));
    Parse { file: File { id: file, body: Body { items }, comments: kept_comments }, diagnostics: Vec::new() }
}

fn shift(span: &mut Span, delta: i64) {
    span.start = (span.start as i64 + delta) as u32;
    span.end = (span.end as i64 + delta) as u32;
}

fn shift_item(item: &mut Item, delta: i64) {
    match item {
        Item::Attribute(attr) => {
            shift(&mut attr.span, delta);
            shift(&mut attr.name.span, delta);
            shift_expr(&mut attr.value, delta);
        }
        Item::Block(block) => {
            shift(&mut block.span, delta);
            shift(&mut block.kind.span, delta);
            block.labels.iter_mut().for_each(|label| shift(&mut label.span, delta));
            block.body.items.iter_mut().for_each(|item| shift_item(item, delta));
        }
    }
}

fn shift_expr(expr: &mut Expr, delta: i64) {
    shift(&mut expr.span, delta);
    match &mut expr.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) => {}
        ExprKind::Variable(name) => shift(&mut name.span, delta),
        ExprKind::Template(parts) => {
            for part in parts {
                if let TemplatePart::Interpolation(inner) = part {
                    shift_expr(inner, delta);
                }
            }
        }
        ExprKind::List(items) => items.iter_mut().for_each(|item| shift_expr(item, delta)),
        ExprKind::Call(name, args) => {
            shift(&mut name.span, delta);
            args.iter_mut().for_each(|arg| shift_expr(arg, delta));
        }
        ExprKind::Object(items) => {
            for item in items {
                match &mut item.key {
                    ObjectKey::Ident(key) => shift(&mut key.span, delta),
                    ObjectKey::Expr(key) => shift_expr(key, delta),
                }
                shift_expr(&mut item.value, delta);
            }
        }
        ExprKind::GetAttr(base, name) => {
            shift_expr(base, delta);
            shift(&mut name.span, delta);
        }
        ExprKind::Unary(_, inner) | ExprKind::Paren(inner) => shift_expr(inner, delta),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            shift_expr(a, delta);
            shift_expr(b, delta);
        }
        ExprKind::Conditional(a, b, c) => {
            shift_expr(a, delta);
            shift_expr(b, delta);
            shift_expr(c, delta);
        }
        ExprKind::For(for_expr) => {
            let ForExpr { key_var, value_var, collection, key, value, condition } = &mut **for_expr;
            key_var.iter_mut().chain([value_var]).for_each(|var| shift(&mut var.span, delta));
            for inner in [Some(collection), key.as_mut(), Some(value), condition.as_mut()].into_iter().flatten() {
                shift_expr(inner, delta);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "stack \"s\" {}\n\n# the network\nnetwork \"a\" {\n  cidr = cidrsubnet(\"10.0.0.0/8\", 8, 1)\n  tags = { x = [for k in [1] : k] }\n}\n\nnetwork \"b\" {\n  cidr = \"10.2.0.0/16\" # b\n}\n";

    fn edited(text: &str, start: usize, end: usize, with: &str) -> (String, Edit) {
        let new = format!("{}{with}{}", &text[..start], &text[end..]);
        (new, Edit { start, old_end: end, new_end: start + with.len() })
    }

    #[track_caller]
    fn same_as_parsing_again(text: &str, start: usize, end: usize, with: &str) {
        let previous = super::super::parse(FileId::default(), text);
        let (new, edit) = edited(text, start, end, with);
        let reparsed = reparse(FileId::default(), previous, &new, edit);
        let whole = super::super::parse(FileId::default(), &new);
        assert_eq!(reparsed.file, whole.file, "{new}");
        assert_eq!(reparsed.diagnostics, whole.diagnostics, "{new}");
    }

    #[test]
    fn edits_anywhere_give_the_whole_parse() {
        let at = |needle: &str| TEXT.find(needle).unwrap();
        same_as_parsing_again(TEXT, at("the network"), at("the network"), "x");
        same_as_parsing_again(TEXT, at("10.2"), at("10.2") + 4, "10.30");
        same_as_parsing_again(TEXT, at("network \"b\""), at("network \"b\""), "locals {\n  y = 1\n}\n");
        same_as_parsing_again(TEXT, at("}\n\nnetwork \"b\"") + 1, at("}\n\nnetwork \"b\"") + 1, " ");
        same_as_parsing_again(TEXT, at("cidrsubnet"), at("cidrsubnet") + 10, "cidrsubnet(");
        same_as_parsing_again(TEXT, 0, 0, "/* unclosed");
        same_as_parsing_again(TEXT, TEXT.len(), TEXT.len(), "tunnel \"t\" {}\n");
        same_as_parsing_again(TEXT, at("# the"), TEXT.len(), "");
    }

    #[test]
    fn edits_fold_into_one() {
        let text = "abcdefgh";
        let (once, first) = edited(text, 2, 4, "XYZ"); // abXYZefgh
        let (twice, second) = edited(&once, 6, 8, ""); // abXYZegh... removes "fg"
        let folded = first.then(second);
        assert_eq!(
            format!("{}{}{}", &text[..folded.start], &twice[folded.start..folded.new_end], &text[folded.old_end..]),
            twice
        );
        let (before, third) = edited(&twice, 0, 1, "__"); // an edit before the first
        let folded = folded.then(third);
        assert_eq!(
            format!("{}{}{}", &text[..folded.start], &before[folded.start..folded.new_end], &text[folded.old_end..]),
            before
        );
    }
}
