//! The functions that look outside the configuration, through the [`Host`], and `secret`.

use super::{FnError, FnResult, invalid, string};
use crate::codes::Code;
use crate::eval::Value;
use crate::host::Host;

pub(super) fn env(host: &dyn Host, args: &[Value]) -> FnResult {
    let name = string(args, 0)?;
    match (host.env(name), args.get(1)) {
        (Some(value), _) => Ok(Value::string(value)),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(FnError {
            code: Code::EnvNotSet,
            arg: Some(0),
            label: format!("`{name}` is not set; pass a default as the second argument"),
        }),
    }
}

pub(super) fn file(host: &dyn Host, args: &[Value]) -> FnResult {
    let path = string(args, 0)?;
    host.read_file(path).map(Value::string).map_err(|reason| FnError {
        code: Code::FileUnreadable,
        arg: Some(0),
        label: format!("cannot read `{path}`: {reason}"),
    })
}

/// The characters allowed in secret names.
fn is_valid_secret_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

pub(super) fn secret(_: &dyn Host, args: &[Value]) -> FnResult {
    let name = string(args, 0)?;
    if !is_valid_secret_name(name) {
        return Err(invalid(0, "secret names use letters, digits, `-`, `_`, `.` and `/`"));
    }
    Ok(Value::Secret(name.into()))
}
