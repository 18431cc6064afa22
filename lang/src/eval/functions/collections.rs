//! Functions on lists and objects.

use super::{FnError, FnResult, integer, invalid, list, number, object, string, type_error};
use crate::codes::Code;
use crate::eval::Value;
use crate::eval::value::Key;
use crate::host::Host;
use indexmap::IndexMap;

pub(super) fn concat(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for idx in 0..args.len() {
        out.extend(list(args, idx)?.iter().cloned());
    }
    Ok(Value::list(out))
}

pub(super) fn distinct(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out: Vec<Value> = Vec::new();
    for item in list(args, 0)? {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::list(out))
}

pub(super) fn flatten(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for item in list(args, 0)? {
        match item {
            Value::List(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::list(out))
}

pub(super) fn length(_: &dyn Host, args: &[Value]) -> FnResult {
    let n = match &args[0] {
        Value::List(items) => items.len(),
        Value::Object(entries) => entries.len(),
        Value::String(text) => text.chars().count(),
        other => return Err(type_error(0, "a list, object or string", other)),
    };
    Ok(Value::Number(n as f64))
}

pub(super) fn lookup(_: &dyn Host, args: &[Value]) -> FnResult {
    let entries = object(args, 0)?;
    let key = string(args, 1)?;
    match (entries.get(key), args.get(2)) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(FnError {
            code: Code::UnknownKey,
            arg: Some(1),
            label: format!("no key `{key}`; pass a default as the third argument"),
        }),
    }
}

pub(super) fn merge(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out = IndexMap::new();
    for idx in 0..args.len() {
        if matches!(args[idx], Value::Null) {
            continue;
        }
        for (key, value) in object(args, idx)? {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::object(out))
}

/// The most elements `range` may produce, so that a typo cannot exhaust memory.
const RANGE_LIMIT: f64 = 1_048_576.0;

pub(super) fn range(_: &dyn Host, args: &[Value]) -> FnResult {
    let (start, end) = match args.len() {
        1 => (0.0, number(args, 0)?),
        _ => (number(args, 0)?, number(args, 1)?),
    };
    let step = if args.len() == 3 {
        number(args, 2)?
    } else if end >= start {
        1.0
    } else {
        -1.0
    };
    if step == 0.0 {
        return Err(invalid(2, "the step must not be zero"));
    }
    if ((end - start) / step).ceil() > RANGE_LIMIT {
        return Err(invalid(args.len() - 1, "the range would have more than 1048576 elements"));
    }
    let mut out = Vec::new();
    let mut current = start;
    while (step > 0.0 && current < end) || (step < 0.0 && current > end) {
        out.push(Value::Number(current));
        current += step;
    }
    Ok(Value::list(out))
}

fn bools(args: &[Value], idx: usize) -> Result<Vec<bool>, FnError> {
    list(args, idx)?
        .iter()
        .map(|item| match item {
            Value::Bool(b) => Ok(*b),
            other => Err(type_error(idx, "a list of bools", other)),
        })
        .collect()
}

pub(super) fn alltrue(_: &dyn Host, args: &[Value]) -> FnResult {
    Ok(Value::Bool(bools(args, 0)?.into_iter().all(|b| b)))
}

pub(super) fn anytrue(_: &dyn Host, args: &[Value]) -> FnResult {
    Ok(Value::Bool(bools(args, 0)?.into_iter().any(|b| b)))
}

/// A whole number argument that must not be negative, as an index or a count.
fn count(args: &[Value], idx: usize) -> Result<usize, FnError> {
    let n = integer(args, idx)?;
    usize::try_from(n).map_err(|_| invalid(idx, "must not be negative"))
}

pub(super) fn chunklist(_: &dyn Host, args: &[Value]) -> FnResult {
    let items = list(args, 0)?;
    let size = count(args, 1)?;
    if size == 0 {
        return Err(invalid(1, "the size must be at least 1"));
    }
    Ok(Value::list(items.chunks(size).map(|chunk| Value::list(chunk.to_vec())).collect()))
}

pub(super) fn coalescelist(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut last = &[][..];
    for idx in 0..args.len() {
        last = list(args, idx)?;
        if !last.is_empty() {
            break;
        }
    }
    Ok(Value::list(last.to_vec()))
}

pub(super) fn compact(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for item in list(args, 0)? {
        match item {
            Value::Null => {}
            Value::String(text) if text.is_empty() => {}
            Value::String(_) => out.push(item.clone()),
            other => return Err(type_error(0, "a list of strings", other)),
        }
    }
    Ok(Value::list(out))
}

pub(super) fn element(_: &dyn Host, args: &[Value]) -> FnResult {
    let items = list(args, 0)?;
    let index = count(args, 1)?;
    if items.is_empty() {
        return Err(invalid(0, "the list is empty"));
    }
    Ok(items[index % items.len()].clone())
}

pub(super) fn index(_: &dyn Host, args: &[Value]) -> FnResult {
    let items = list(args, 0)?;
    match items.iter().position(|item| *item == args[1]) {
        Some(position) => Ok(Value::Number(position as f64)),
        None => Err(invalid(1, format!("the list does not hold {}", args[1]))),
    }
}

pub(super) fn one(_: &dyn Host, args: &[Value]) -> FnResult {
    match list(args, 0)? {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        more => Err(invalid(0, format!("expected at most one element, found {}", more.len()))),
    }
}

pub(super) fn slice(_: &dyn Host, args: &[Value]) -> FnResult {
    let items = list(args, 0)?;
    let (start, end) = (count(args, 1)?, count(args, 2)?);
    if end > items.len() {
        return Err(invalid(2, format!("the list has {} elements", items.len())));
    }
    if start > end {
        return Err(invalid(1, "`start` must not be after `end`"));
    }
    Ok(Value::list(items[start..end].to_vec()))
}

fn strings(args: &[Value], idx: usize) -> Result<Vec<&str>, FnError> {
    list(args, idx)?
        .iter()
        .map(|item| item.as_str().ok_or_else(|| type_error(idx, "a list of strings", item)))
        .collect()
}

pub(super) fn sort(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut items = strings(args, 0)?;
    items.sort_unstable();
    Ok(Value::list(items.into_iter().map(Value::string).collect()))
}

/// Each element once, in the order Terraform gives sets: strings lexically, numbers by value;
/// a set of mixed or structured values keeps the order of first occurrence.
fn set_of(items: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    if out.iter().all(|v| matches!(v, Value::String(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(|v| matches!(v, Value::Number(_))) {
        out.sort_by(|a, b| a.as_number().partial_cmp(&b.as_number()).unwrap_or(std::cmp::Ordering::Equal));
    }
    out
}

pub(super) fn toset(_: &dyn Host, args: &[Value]) -> FnResult {
    Ok(Value::list(set_of(list(args, 0)?.iter().cloned())))
}

pub(super) fn setunion(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut all = Vec::new();
    for idx in 0..args.len() {
        all.extend(list(args, idx)?.iter().cloned());
    }
    Ok(Value::list(set_of(all)))
}

pub(super) fn setintersection(_: &dyn Host, args: &[Value]) -> FnResult {
    let first = list(args, 0)?;
    let others = (1..args.len()).map(|idx| list(args, idx)).collect::<Result<Vec<_>, _>>()?;
    let common = first.iter().filter(|item| others.iter().all(|other| other.contains(item)));
    Ok(Value::list(set_of(common.cloned())))
}

pub(super) fn setsubtract(_: &dyn Host, args: &[Value]) -> FnResult {
    let (items, removed) = (list(args, 0)?, list(args, 1)?);
    Ok(Value::list(set_of(items.iter().filter(|item| !removed.contains(item)).cloned())))
}

pub(super) fn zipmap(_: &dyn Host, args: &[Value]) -> FnResult {
    let (keys, values) = (strings(args, 0)?, list(args, 1)?);
    if keys.len() != values.len() {
        return Err(invalid(1, format!("{} keys but {} values", keys.len(), values.len())));
    }
    Ok(Value::object(keys.into_iter().map(Key::from).zip(values.iter().cloned()).collect()))
}
