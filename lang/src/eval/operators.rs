//! Unary and binary operators.

use super::{Eval, Evaluator, Scope, Value};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, Expr, UnaryOp};

pub(super) fn unary(ev: &mut Evaluator<'_>, op: UnaryOp, value: Value, span: Span) -> Eval {
    match (op, &value) {
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOp::Neg, Value::Number(n)) => Ok(Value::Number(-n)),
        (_, Value::Secret(_)) => Err(secret_misuse(ev, span)),
        (UnaryOp::Not, other) => Err(ev.report(Diagnostic::error(
            Code::TypeMismatch,
            span,
            format!("`!` needs a bool, found a {}", other.type_name()),
        ))),
        (UnaryOp::Neg, other) => Err(ev.report(Diagnostic::error(
            Code::TypeMismatch,
            span,
            format!("`-` needs a number, found a {}", other.type_name()),
        ))),
    }
}

fn secret_misuse(ev: &mut Evaluator<'_>, span: Span) -> super::Reported {
    ev.report(
        Diagnostic::error(Code::SecretMisuse, span, "secrets cannot be computed with")
            .with_help("pass the secret to an attribute that takes one, such as a tunnel's `psk`"),
    )
}

pub(super) fn binary(ev: &mut Evaluator<'_>, op: BinaryOp, lhs: &Expr, rhs: &Expr, scope: &Scope) -> Eval {
    let left = ev.eval(lhs, scope)?;
    // `&&` and `||` short-circuit, so that `x != null && x.y` works.
    match (op, &left) {
        (BinaryOp::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
        (BinaryOp::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
        _ => {}
    }
    let right = ev.eval(rhs, scope)?;
    let span = lhs.span.to(rhs.span);
    if matches!(left, Value::Secret(_)) || matches!(right, Value::Secret(_)) {
        return Err(secret_misuse(ev, span));
    }
    let result = match (op, &left, &right) {
        (BinaryOp::Eq, _, _) => Value::Bool(left == right),
        (BinaryOp::NotEq, _, _) => Value::Bool(left != right),
        (BinaryOp::And | BinaryOp::Or, Value::Bool(_), Value::Bool(b)) => Value::Bool(*b),
        (_, Value::Number(a), Value::Number(b)) => match op {
            BinaryOp::Add => Value::Number(a + b),
            BinaryOp::Sub => Value::Number(a - b),
            BinaryOp::Mul => Value::Number(a * b),
            BinaryOp::Div | BinaryOp::Rem if *b == 0.0 => {
                return Err(ev.report(Diagnostic::error(Code::DivisionByZero, rhs.span, "this is zero")));
            }
            BinaryOp::Div => Value::Number(a / b),
            BinaryOp::Rem => Value::Number(a % b),
            BinaryOp::Lt => Value::Bool(a < b),
            BinaryOp::LtEq => Value::Bool(a <= b),
            BinaryOp::Gt => Value::Bool(a > b),
            BinaryOp::GtEq => Value::Bool(a >= b),
            _ => return Err(mismatch(ev, op, &left, &right, span)),
        },
        _ => return Err(mismatch(ev, op, &left, &right, span)),
    };
    Ok(result)
}

fn mismatch(ev: &mut Evaluator<'_>, op: BinaryOp, left: &Value, right: &Value, span: Span) -> super::Reported {
    let wants = match op {
        BinaryOp::And | BinaryOp::Or => "two bools",
        _ => "two numbers",
    };
    let label = format!("`{}` needs {wants}, found a {} and a {}", op.symbol(), left.type_name(), right.type_name());
    let diagnostic = Diagnostic::error(Code::TypeMismatch, span, label);
    let diagnostic = if op == BinaryOp::Add && (matches!(left, Value::String(_)) || matches!(right, Value::String(_))) {
        diagnostic.with_help("join strings with interpolation: `\"${a}${b}\"`")
    } else {
        diagnostic
    };
    ev.report(diagnostic)
}
