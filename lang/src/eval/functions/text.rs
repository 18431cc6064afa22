//! Functions on strings.

use super::{FnResult, integer, invalid, list, string, type_error};
use crate::eval::Value;
use crate::eval::value::format_number;
use crate::host::Host;

pub(super) fn format(_: &dyn Host, args: &[Value]) -> FnResult {
    let spec = string(args, 0)?;
    let mut out = String::new();
    let mut next_arg = 1;
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or_else(|| invalid(0, "the spec ends with a lone `%`"))?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let value = args.get(next_arg).ok_or_else(|| invalid(0, format!("`%{verb}` has no value to format")))?;
        match (verb, value) {
            ('s', Value::String(text)) => out.push_str(text),
            ('s', Value::Number(n)) => out.push_str(&format_number(*n)),
            ('s', Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
            ('d', Value::Number(n)) if n.fract() == 0.0 => out.push_str(&format_number(*n)),
            ('q', Value::String(text)) => out.push_str(&format!("{text:?}")),
            ('v', value) => out.push_str(&match value {
                Value::String(text) => text.to_string(),
                other => other.to_string(),
            }),
            ('s' | 'd' | 'q', other) => return Err(type_error(next_arg, &format!("a value for `%{verb}`"), other)),
            _ => return Err(invalid(0, format!("`%{verb}` is not a format verb; use `%s`, `%d`, `%v`, `%q` or `%%`"))),
        }
        next_arg += 1;
    }
    if next_arg < args.len() {
        return Err(invalid(next_arg, "more values than the spec formats"));
    }
    Ok(Value::string(out))
}

pub(super) fn join(_: &dyn Host, args: &[Value]) -> FnResult {
    let separator = string(args, 0)?;
    let items = list(args, 1)?;
    let parts = items
        .iter()
        .map(|item| item.as_str().ok_or_else(|| type_error(1, "a list of strings", item)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::string(parts.join(separator)))
}

pub(super) fn substr(_: &dyn Host, args: &[Value]) -> FnResult {
    let chars: Vec<char> = string(args, 0)?.chars().collect();
    let offset = integer(args, 1)?;
    let length = integer(args, 2)?;
    let len = chars.len() as i128;
    let start = if offset < 0 { len + offset } else { offset };
    if !(0..=len).contains(&start) {
        return Err(invalid(1, format!("the offset is outside the string's {len} characters")));
    }
    let end = match length {
        -1 => len,
        n if n < 0 => return Err(invalid(2, "the length must not be negative (or -1 for the rest)")),
        n => (start + n).min(len),
    };
    Ok(Value::string(chars[start as usize..end as usize].iter().collect::<String>()))
}

/// The text with the first letter of each word (after white space) in upper case.
pub(super) fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for c in text.chars() {
        if at_word_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = c.is_whitespace();
    }
    out
}

pub(super) fn trim(_: &dyn Host, args: &[Value]) -> FnResult {
    let cut: Vec<char> = string(args, 1)?.chars().collect();
    Ok(Value::string(string(args, 0)?.trim_matches(|c| cut.contains(&c))))
}
