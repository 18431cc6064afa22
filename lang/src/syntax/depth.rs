//! Guards against syntax trees too deep for the recursive passes that follow parsing (trimming,
//! evaluation, formatting, even dropping): measured and torn down without recursion.

use super::ast::*;
use crate::span::Span;

/// The children of an expression.
fn children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) => Vec::new(),
        ExprKind::Template(parts) => parts
            .iter()
            .filter_map(|part| match part {
                TemplatePart::Interpolation(inner) => Some(inner),
                TemplatePart::Literal(_) => None,
            })
            .collect(),
        ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().collect(),
        ExprKind::Object(items) => items
            .iter()
            .flat_map(|item| {
                let key = match &item.key {
                    ObjectKey::Expr(key) => Some(key),
                    ObjectKey::Ident(_) => None,
                };
                key.into_iter().chain(std::iter::once(&item.value))
            })
            .collect(),
        ExprKind::GetAttr(base, _) | ExprKind::Unary(_, base) | ExprKind::Paren(base) => vec![base],
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => vec![a, b],
        ExprKind::Conditional(a, b, c) => vec![a, b, c],
        ExprKind::For(for_expr) => {
            let mut out = vec![&for_expr.collection, &for_expr.value];
            out.extend(&for_expr.key);
            out.extend(&for_expr.condition);
            out
        }
    }
}

/// The expressions directly in an item (attribute values, recursively through nested blocks).
fn expressions(item: &Item) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut items = vec![item];
    while let Some(item) = items.pop() {
        match item {
            Item::Attribute(attr) => out.push(&attr.value),
            Item::Block(block) => items.extend(&block.body.items),
        }
    }
    out
}

/// The span of the first expression of `item` whose tree is deeper than `limit`, if any.
pub(super) fn deepest_expression(item: &Item, limit: usize) -> Option<Span> {
    for root in expressions(item) {
        let mut stack = vec![(root, 1)];
        while let Some((expr, depth)) = stack.pop() {
            if depth > limit {
                return Some(root.span);
            }
            stack.extend(children(expr).into_iter().map(|child| (child, depth + 1)));
        }
    }
    None
}

/// Drops an item without recursion, however deep its expressions are.
pub(super) fn dismantle(item: Item) {
    let mut exprs: Vec<Expr> = Vec::new();
    let mut items = vec![item];
    while let Some(item) = items.pop() {
        match item {
            Item::Attribute(attr) => exprs.push(attr.value),
            Item::Block(block) => items.extend(block.body.items),
        }
    }
    while let Some(expr) = exprs.pop() {
        match expr.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Variable(_) => {}
            ExprKind::Template(parts) => exprs.extend(parts.into_iter().filter_map(|part| match part {
                TemplatePart::Interpolation(inner) => Some(inner),
                TemplatePart::Literal(_) => None,
            })),
            ExprKind::List(items) | ExprKind::Call(_, items) => exprs.extend(items),
            ExprKind::Object(items) => {
                for item in items {
                    if let ObjectKey::Expr(key) = item.key {
                        exprs.push(key);
                    }
                    exprs.push(item.value);
                }
            }
            ExprKind::GetAttr(base, _) | ExprKind::Unary(_, base) | ExprKind::Paren(base) => exprs.push(*base),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => exprs.extend([*a, *b]),
            ExprKind::Conditional(a, b, c) => exprs.extend([*a, *b, *c]),
            ExprKind::For(for_expr) => {
                let ForExpr { collection, key, value, condition, .. } = *for_expr;
                exprs.extend([collection, value]);
                exprs.extend(key);
                exprs.extend(condition);
            }
        }
    }
}
