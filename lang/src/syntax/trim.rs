//! Span trimming. pest lets a rule that ends in an optional or repeated part swallow the
//! whitespace and comments it skipped while looking for that part; this pass cuts every span
//! back to the last real token, so that labels underline exactly what was written.

use super::ast::*;
use crate::span::Span;
use rustc_hash::FxHashMap;

pub(super) struct Trimmer<'a> {
    text: &'a [u8],
    /// Comment start by comment end.
    comments: FxHashMap<u32, u32>,
}

impl<'a> Trimmer<'a> {
    pub fn new(text: &'a str, comments: &[Comment]) -> Self {
        Trimmer { text: text.as_bytes(), comments: comments.iter().map(|c| (c.span.end, c.span.start)).collect() }
    }

    fn span(&self, span: &mut Span) {
        let mut end = span.end;
        loop {
            while end > span.start && self.text[end as usize - 1].is_ascii_whitespace() {
                end -= 1;
            }
            match self.comments.get(&end) {
                Some(&start) if start >= span.start && start < end => end = start,
                _ => break,
            }
        }
        span.end = end;
    }

    pub fn body(&self, body: &mut Body) {
        self.items(&mut body.items);
    }

    pub fn items(&self, items: &mut [Item]) {
        for item in items {
            match item {
                Item::Attribute(attr) => {
                    self.expr(&mut attr.value);
                    self.span(&mut attr.span);
                }
                Item::Block(block) => {
                    self.body(&mut block.body);
                    self.span(&mut block.span);
                }
            }
        }
    }

    fn expr(&self, expr: &mut Expr) {
        match &mut expr.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) => {}
            ExprKind::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Interpolation(inner) = part {
                        self.expr(inner);
                    }
                }
            }
            ExprKind::List(items) | ExprKind::Call(_, items) => items.iter_mut().for_each(|item| self.expr(item)),
            ExprKind::Object(items) => {
                for item in items {
                    if let ObjectKey::Expr(key) = &mut item.key {
                        self.expr(key);
                    }
                    self.expr(&mut item.value);
                }
            }
            ExprKind::GetAttr(base, _) | ExprKind::Unary(_, base) | ExprKind::Paren(base) => self.expr(base),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Conditional(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            ExprKind::For(for_expr) => {
                self.expr(&mut for_expr.collection);
                if let Some(key) = &mut for_expr.key {
                    self.expr(key);
                }
                self.expr(&mut for_expr.value);
                if let Some(condition) = &mut for_expr.condition {
                    self.expr(condition);
                }
            }
        }
        self.span(&mut expr.span);
    }
}
