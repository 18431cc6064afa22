//! Conversions between types.

use super::{FnResult, invalid, type_error};
use crate::eval::Value;
use crate::eval::value::format_number;
use crate::host::Host;

pub(super) fn tonumber(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(text) => {
            text.trim().parse().map(Value::Number).map_err(|_| invalid(0, format!("`{text}` is not a number")))
        }
        other => Err(type_error(0, "a number or a string", other)),
    }
}

pub(super) fn tostring(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::String(text) => Ok(Value::String(text.clone())),
        Value::Number(n) => Ok(Value::string(format_number(*n))),
        Value::Bool(b) => Ok(Value::string(if *b { "true" } else { "false" })),
        other => Err(type_error(0, "a string, number or bool", other)),
    }
}

pub(super) fn tobool(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(text) if &**text == "true" => Ok(Value::Bool(true)),
        Value::String(text) if &**text == "false" => Ok(Value::Bool(false)),
        Value::String(text) => Err(invalid(0, format!("`{text}` is not `true` or `false`"))),
        other => Err(type_error(0, "a bool or a string", other)),
    }
}

pub(super) fn tolist(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::List(_) | Value::Null => Ok(args[0].clone()),
        other => Err(type_error(0, "a list or set", other)),
    }
}

pub(super) fn tomap(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::Object(_) | Value::Null => Ok(args[0].clone()),
        other => Err(type_error(0, "an object or map", other)),
    }
}
