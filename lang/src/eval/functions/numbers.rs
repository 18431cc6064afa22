//! Functions on numbers.

use super::{FnResult, integer, invalid, list, number, string, type_error};
use crate::eval::Value;
use crate::host::Host;

pub(super) fn extremum(args: &[Value], pick: fn(f64, f64) -> f64) -> FnResult {
    let mut acc = number(args, 0)?;
    for idx in 1..args.len() {
        acc = pick(acc, number(args, idx)?);
    }
    Ok(Value::Number(acc))
}

/// -1, 0 or 1 by the sign of `n` (0 for zero of either sign).
pub(super) fn signum(n: f64) -> f64 {
    if n == 0.0 { 0.0 } else { n.signum() }
}

pub(super) fn parseint(_: &dyn Host, args: &[Value]) -> FnResult {
    let text = string(args, 0)?;
    let base = integer(args, 1)?;
    let Some(base) = u32::try_from(base).ok().filter(|b| (2..=36).contains(b)) else {
        return Err(invalid(1, "the base must be from 2 to 36"));
    };
    let parsed =
        i64::from_str_radix(text, base).map_err(|_| invalid(0, format!("`{text}` is not a number in base {base}")))?;
    if parsed.unsigned_abs() > 1 << 53 {
        return Err(invalid(0, format!("`{text}` is too large to be exact")));
    }
    Ok(Value::Number(parsed as f64))
}

pub(super) fn sum(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut total = 0.0;
    for item in list(args, 0)? {
        total += item.as_number().ok_or_else(|| type_error(0, "a list of numbers", item))?;
    }
    Ok(Value::Number(total))
}
