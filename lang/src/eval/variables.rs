//! Variables: type constraints, and input values checked against them.

use super::{Eval, Evaluator, Scope, Value};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::host::Inputs;
use crate::span::FileId;
use crate::syntax::ast::{Expr, ExprKind, Item};

/// A variable's type constraint.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Map(Box<Type>),
}

impl Type {
    /// How the type is written.
    fn describe(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(inner) => format!("list({})", inner.describe()),
            Type::Map(inner) => format!("map({})", inner.describe()),
        }
    }

    /// Whether `value` has this type.
    fn accepts(&self, value: &Value) -> bool {
        match (self, value) {
            (Type::Any, _) | (_, Value::Null) => true,
            (Type::String, Value::String(_) | Value::Secret(_)) => true,
            (Type::Number, Value::Number(_)) => true,
            (Type::Bool, Value::Bool(_)) => true,
            (Type::List(inner), Value::List(items)) => items.iter().all(|item| inner.accepts(item)),
            (Type::Map(inner), Value::Object(entries)) => entries.values().all(|item| inner.accepts(item)),
            _ => false,
        }
    }
}

/// Reads a type expression such as `list(string)`.
pub(crate) fn parse_type(expr: &Expr) -> Option<Type> {
    match &expr.kind {
        ExprKind::Variable(name) => match name.text.as_str() {
            "any" => Some(Type::Any),
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            _ => None,
        },
        ExprKind::Call(name, args) if args.len() == 1 => {
            let inner = Box::new(parse_type(&args[0])?);
            match name.text.as_str() {
                "list" | "set" => Some(Type::List(inner)),
                "map" => Some(Type::Map(inner)),
                _ => None,
            }
        }
        ExprKind::Paren(inner) => parse_type(inner),
        _ => None,
    }
}

/// The value of variable `idx`: the input if given, else the default; checked against `type`.
pub(super) fn value(ev: &mut Evaluator<'_>, idx: u32, inputs: &Inputs) -> Eval {
    let decl = ev.decls.get(idx);
    let block = decl.block;
    let name_span = decl.name_span();
    let ty = match block.body.attribute("type") {
        None => Type::Any,
        Some(attr) => match parse_type(&attr.value) {
            Some(ty) => ty,
            None => {
                return Err(ev.report(
                    Diagnostic::error(Code::InvalidTypeConstraint, attr.value.span, "not a type")
                        .with_help("types are `string`, `number`, `bool`, `any`, `list(T)`, `set(T)` and `map(T)`"),
                ));
            }
        },
    };
    if let Some(raw) = inputs.vars.get(&decl.name) {
        let value = match ty {
            Type::String => Some(Value::string(raw.as_str())),
            // Without a type, a value that is not a literal is taken as a string.
            Type::Any => Some(literal_value(raw).unwrap_or_else(|| Value::string(raw.as_str()))),
            _ => literal_value(raw),
        };
        return match value.filter(|value| ty.accepts(value)) {
            Some(value) => Ok(value),
            None => {
                let label = format!("the value given for `{}` does not have the type `{}`", decl.name, ty.describe());
                let help = "values of types other than `string` are written as .iso literals, e.g. `[\"a\", \"b\"]`";
                Err(ev.report(Diagnostic::error(Code::InvalidVariableValue, name_span, label).with_help(help)))
            }
        };
    }
    let Some(default) = block.body.attribute("default") else {
        let label = format!("no value given for `{}`", decl.name);
        let help = format!("pass `--var {0}=VALUE`, set `ISOPOD_VAR_{0}`, or add a `default`", decl.name);
        return Err(ev.report(Diagnostic::error(Code::MissingVariableValue, name_span, label).with_help(help)));
    };
    let value = ev.eval(&default.value, &Scope::default())?;
    if !ty.accepts(&value) {
        let label = format!("the default is a {}, not a value of type `{}`", value.type_name(), ty.describe());
        return Err(ev.report(Diagnostic::error(Code::InvalidVariableValue, default.value.span, label)));
    }
    Ok(value)
}

/// Reads a value written as an `.iso` literal (no references, no calls).
pub(crate) fn literal_value(raw: &str) -> Option<Value> {
    let text = format!("v = {raw}\n");
    let parse = crate::syntax::parse(FileId(u32::MAX), &text);
    if !parse.diagnostics.is_empty() {
        return None;
    }
    let [Item::Attribute(attr)] = parse.file.body.items.as_slice() else { return None };
    literal(&attr.value)
}

fn literal(expr: &Expr) -> Option<Value> {
    Some(match &expr.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Number(n) => Value::Number(*n),
        ExprKind::Unary(crate::syntax::ast::UnaryOp::Neg, inner) => Value::Number(-literal(inner)?.as_number()?),
        ExprKind::Template(parts) => match parts.as_slice() {
            [] => Value::string(""),
            [crate::syntax::ast::TemplatePart::Literal(text)] => Value::string(text.as_str()),
            _ => return None,
        },
        ExprKind::List(items) => Value::list(items.iter().map(literal).collect::<Option<_>>()?),
        ExprKind::Object(items) => Value::object(
            items
                .iter()
                .map(|item| {
                    let key = match &item.key {
                        crate::syntax::ast::ObjectKey::Ident(ident) => ident.text.as_str().into(),
                        crate::syntax::ast::ObjectKey::Expr(key) => literal(key)?.as_str()?.into(),
                    };
                    Some((key, literal(&item.value)?))
                })
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}
