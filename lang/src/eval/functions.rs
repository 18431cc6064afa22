//! The built-in functions. The table is the single source of the book's functions reference.

use super::value::{Key, format_number};
use super::{Eval, Evaluator, Scope, Value};
use crate::cidr::{Cidr, CidrError};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::host::Host;
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{Expr, Ident};
use indexmap::IndexMap;

/// Why a function call failed: the argument at fault (if one) and a label.
struct FnError {
    code: Code,
    arg: Option<usize>,
    label: String,
}

type FnResult = Result<Value, FnError>;

/// A built-in function.
pub struct Function {
    /// Its name.
    pub name: &'static str,
    /// How it is called, e.g. `cidrsubnet(prefix, newbits, netnum)`.
    pub signature: &'static str,
    /// What it does.
    pub doc: &'static str,
    /// An example call and its result, `call => result`.
    pub example: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    run: fn(&dyn Host, &[Value]) -> FnResult,
}

macro_rules! function {
    ($name:literal, $signature:literal, $min:expr, $max:expr, $run:expr, $doc:literal, $example:literal) => {
        Function {
            name: $name,
            signature: $signature,
            doc: $doc,
            example: $example,
            min_args: $min,
            max_args: $max,
            run: $run,
        }
    };
}

/// Every built-in function, alphabetically.
pub static FUNCTIONS: &[Function] = &[
    function!(
        "abs",
        "abs(number)",
        1,
        Some(1),
        |_, a| Ok(Value::Number(number(a, 0)?.abs())),
        "The absolute value.",
        "abs(-3) => 3"
    ),
    function!(
        "cidrhost",
        "cidrhost(prefix, hostnum)",
        2,
        Some(2),
        cidrhost,
        "The address number `hostnum` of a range; negative numbers count from the end.",
        "cidrhost(\"10.0.1.0/24\", 5) => \"10.0.1.5\""
    ),
    function!(
        "cidrnetmask",
        "cidrnetmask(prefix)",
        1,
        Some(1),
        cidrnetmask,
        "The dotted netmask of an IPv4 range.",
        "cidrnetmask(\"10.0.0.0/12\") => \"255.240.0.0\""
    ),
    function!(
        "cidrsubnet",
        "cidrsubnet(prefix, newbits, netnum)",
        3,
        Some(3),
        cidrsubnet,
        "The subnet number `netnum` of a range, `newbits` longer than it.",
        "cidrsubnet(\"10.1.0.0/16\", 8, 2) => \"10.1.2.0/24\""
    ),
    function!(
        "cidrsubnets",
        "cidrsubnets(prefix, newbits...)",
        2,
        None,
        cidrsubnets,
        "Consecutive subnets of a range, one per `newbits`, each aligned to its size.",
        "cidrsubnets(\"10.0.0.0/16\", 8, 8, 4) => [\"10.0.0.0/24\", \"10.0.1.0/24\", \"10.0.16.0/20\"]"
    ),
    function!(
        "coalesce",
        "coalesce(values...)",
        1,
        None,
        |_, a| Ok(a.iter().find(|v| !matches!(v, Value::Null)).cloned().unwrap_or(Value::Null)),
        "The first argument that is not null.",
        "coalesce(null, \"x\") => \"x\""
    ),
    function!(
        "concat",
        "concat(lists...)",
        1,
        None,
        concat,
        "The lists joined into one.",
        "concat([1], [2, 3]) => [1, 2, 3]"
    ),
    function!(
        "contains",
        "contains(list, value)",
        2,
        Some(2),
        |_, a| Ok(Value::Bool(list(a, 0)?.contains(&a[1]))),
        "Whether the list holds the value.",
        "contains([\"a\"], \"a\") => true"
    ),
    function!(
        "distinct",
        "distinct(list)",
        1,
        Some(1),
        distinct,
        "The list without repeated elements, first occurrences kept.",
        "distinct([1, 2, 1]) => [1, 2]"
    ),
    function!(
        "env",
        "env(name, default?)",
        1,
        Some(2),
        env,
        "An environment variable of the process running Isopod; the default, if given, when it is not set.",
        "env(\"TEAM\", \"net\") => \"net\""
    ),
    function!(
        "file",
        "file(path)",
        1,
        Some(1),
        file,
        "The text of a file, relative to the configuration's folder.",
        "file(\"banner.txt\") => \"...\""
    ),
    function!(
        "flatten",
        "flatten(list)",
        1,
        Some(1),
        flatten,
        "A list of lists made into one list (one level).",
        "flatten([[1], [2, 3]]) => [1, 2, 3]"
    ),
    function!(
        "format",
        "format(spec, values...)",
        1,
        None,
        format,
        "A string built from a spec with `%s` (string), `%d` (integer), `%v` (any), `%q` (quoted) and `%%`.",
        "format(\"%s-%d\", \"vpc\", 3) => \"vpc-3\""
    ),
    function!(
        "join",
        "join(separator, list)",
        2,
        Some(2),
        join,
        "The strings of the list joined with the separator.",
        "join(\",\", [\"a\", \"b\"]) => \"a,b\""
    ),
    function!(
        "keys",
        "keys(object)",
        1,
        Some(1),
        |_, a| Ok(Value::list(object(a, 0)?.keys().map(|k| Value::String(k.clone())).collect())),
        "The keys of an object, in order.",
        "keys({ a = 1, b = 2 }) => [\"a\", \"b\"]"
    ),
    function!(
        "length",
        "length(value)",
        1,
        Some(1),
        length,
        "The number of elements of a list or object, or characters of a string.",
        "length([1, 2]) => 2"
    ),
    function!(
        "lookup",
        "lookup(object, key, default?)",
        2,
        Some(3),
        lookup,
        "The object's value for the key; the default when it has none (an error without one).",
        "lookup({ a = 1 }, \"b\", 0) => 0"
    ),
    function!(
        "lower",
        "lower(string)",
        1,
        Some(1),
        |_, a| Ok(Value::string(string(a, 0)?.to_lowercase())),
        "The string in lower case.",
        "lower(\"EU\") => \"eu\""
    ),
    function!(
        "max",
        "max(numbers...)",
        1,
        None,
        |_, a| extremum(a, f64::max),
        "The largest number.",
        "max(1, 5, 3) => 5"
    ),
    function!(
        "merge",
        "merge(objects...)",
        1,
        None,
        merge,
        "The objects merged; later keys win.",
        "merge({ a = 1 }, { a = 2, b = 3 }) => { a = 2, b = 3 }"
    ),
    function!(
        "min",
        "min(numbers...)",
        1,
        None,
        |_, a| extremum(a, f64::min),
        "The smallest number.",
        "min(1, 5, 3) => 1"
    ),
    function!(
        "range",
        "range(start?, end, step?)",
        1,
        Some(3),
        range,
        "Numbers from `start` (default 0) up to but not including `end`, by `step` (default 1).",
        "range(3) => [0, 1, 2]"
    ),
    function!(
        "replace",
        "replace(string, search, replacement)",
        3,
        Some(3),
        |_, a| Ok(Value::string(string(a, 0)?.replace(string(a, 1)?, string(a, 2)?))),
        "The string with every occurrence of `search` replaced.",
        "replace(\"a-b\", \"-\", \"_\") => \"a_b\""
    ),
    function!(
        "secret",
        "secret(name)",
        1,
        Some(1),
        secret,
        "A reference to the named secret of Isopod's secret store; the language never sees its value. It can only be passed to attributes that take secrets, such as a tunnel's `psk`. Whether the secret exists is checked when a plan is made, not by `validate`.",
        "secret(\"dc1-psk\") => (sensitive)"
    ),
    function!(
        "split",
        "split(separator, string)",
        2,
        Some(2),
        |_, a| Ok(Value::list(string(a, 1)?.split(string(a, 0)?).map(Value::string).collect())),
        "The string cut at each separator.",
        "split(\",\", \"a,b\") => [\"a\", \"b\"]"
    ),
    function!(
        "tonumber",
        "tonumber(value)",
        1,
        Some(1),
        tonumber,
        "A number from a number or a numeric string.",
        "tonumber(\"42\") => 42"
    ),
    function!(
        "tostring",
        "tostring(value)",
        1,
        Some(1),
        tostring,
        "A string from a string, number or bool.",
        "tostring(42) => \"42\""
    ),
    function!(
        "trimspace",
        "trimspace(string)",
        1,
        Some(1),
        |_, a| Ok(Value::string(string(a, 0)?.trim())),
        "The string without leading and trailing white space.",
        "trimspace(\" a \") => \"a\""
    ),
    function!(
        "upper",
        "upper(string)",
        1,
        Some(1),
        |_, a| Ok(Value::string(string(a, 0)?.to_uppercase())),
        "The string in upper case.",
        "upper(\"eu\") => \"EU\""
    ),
    function!(
        "values",
        "values(object)",
        1,
        Some(1),
        |_, a| Ok(Value::list(object(a, 0)?.values().cloned().collect())),
        "The values of an object, in key order.",
        "values({ a = 1, b = 2 }) => [1, 2]"
    ),
];

/// Evaluates a call to a built-in function.
pub(super) fn call(ev: &mut Evaluator<'_>, name: &Ident, args: &[Expr], scope: &Scope, span: Span) -> Eval {
    let Some(function) = FUNCTIONS.iter().find(|f| f.name == name.text) else {
        let help = did_you_mean(&name.text, FUNCTIONS.iter().map(|f| f.name));
        let label = format!("`{}` is not a built-in function", name.text);
        return Err(ev.report(Diagnostic::error(Code::UnknownFunction, name.span, label).with_optional_help(help)));
    };
    let too_many = function.max_args.is_some_and(|max| args.len() > max);
    if args.len() < function.min_args || too_many {
        let label = format!("`{}` takes {}, got {}", function.name, arity(function), args.len());
        return Err(ev.report(
            Diagnostic::error(Code::WrongArgumentCount, span, label)
                .with_help(format!("call it as `{}`", function.signature)),
        ));
    }
    let values = args.iter().map(|arg| ev.eval(arg, scope)).collect::<Eval<Vec<_>>>()?;
    if function.name != "secret"
        && let Some(idx) = values.iter().position(|v| matches!(v, Value::Secret(_)))
    {
        let label = format!("`{}` cannot read a secret", function.name);
        return Err(ev.report(Diagnostic::error(Code::SecretMisuse, args[idx].span, label)));
    }
    (function.run)(ev.host, &values).map_err(|err| {
        let at = err.arg.and_then(|idx| args.get(idx)).map_or(span, |arg| arg.span);
        ev.report(Diagnostic::error(err.code, at, err.label))
    })
}

fn arity(function: &Function) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    match function.max_args {
        Some(max) if max == function.min_args => format!("{max} {}", plural(max)),
        Some(max) => format!("{} to {max} arguments", function.min_args),
        None => format!("at least {} {}", function.min_args, plural(function.min_args)),
    }
}

fn type_error(idx: usize, wanted: &str, found: &Value) -> FnError {
    FnError {
        code: Code::TypeMismatch,
        arg: Some(idx),
        label: format!("expected {wanted}, found a {}", found.type_name()),
    }
}

fn invalid(idx: usize, label: impl Into<String>) -> FnError {
    FnError { code: Code::InvalidArgument, arg: Some(idx), label: label.into() }
}

fn string(args: &[Value], idx: usize) -> Result<&str, FnError> {
    args[idx].as_str().ok_or_else(|| type_error(idx, "a string", &args[idx]))
}

fn number(args: &[Value], idx: usize) -> Result<f64, FnError> {
    args[idx].as_number().ok_or_else(|| type_error(idx, "a number", &args[idx]))
}

fn integer(args: &[Value], idx: usize) -> Result<i128, FnError> {
    number(args, idx)?;
    args[idx].as_integer().ok_or_else(|| invalid(idx, "expected a whole number"))
}

fn list(args: &[Value], idx: usize) -> Result<&[Value], FnError> {
    match &args[idx] {
        Value::List(items) => Ok(items),
        other => Err(type_error(idx, "a list", other)),
    }
}

fn object(args: &[Value], idx: usize) -> Result<&IndexMap<Key, Value>, FnError> {
    match &args[idx] {
        Value::Object(entries) => Ok(entries),
        other => Err(type_error(idx, "an object", other)),
    }
}

fn cidr(args: &[Value], idx: usize) -> Result<Cidr, FnError> {
    Cidr::parse(string(args, idx)?).map_err(|err| match err {
        CidrError::Malformed => invalid(idx, "not a CIDR such as `10.0.0.0/16`"),
        CidrError::HostBitsSet(network) => invalid(idx, format!("host bits are set; the network is `{network}`")),
    })
}

fn cidrsubnet(_: &dyn Host, args: &[Value]) -> FnResult {
    let prefix = cidr(args, 0)?;
    let newbits = integer(args, 1)?;
    let netnum = integer(args, 2)?;
    if !(0..=128).contains(&newbits) {
        return Err(invalid(1, "`newbits` must be between 0 and 128"));
    }
    if netnum < 0 {
        return Err(invalid(2, "`netnum` must not be negative"));
    }
    let subnet = prefix.subnet(newbits as u8, netnum as u128).map_err(|label| invalid(1, label))?;
    Ok(Value::string(subnet.to_string()))
}

fn cidrsubnets(_: &dyn Host, args: &[Value]) -> FnResult {
    let prefix = cidr(args, 0)?;
    let bits = prefix.family_bits() as u128;
    let mut next = prefix.first();
    let mut subnets = Vec::new();
    for idx in 1..args.len() {
        let newbits = integer(args, idx)?;
        let length = prefix.prefix() as i128 + newbits;
        if newbits < 1 || length > bits as i128 {
            return Err(invalid(idx, format!("/{} plus {newbits} bits is not a valid prefix", prefix.prefix())));
        }
        let size = 1u128 << (bits - length as u128);
        let start = next.div_ceil(size) * size;
        if start + size - 1 > prefix.last() {
            return Err(invalid(idx, format!("no room left in {prefix}")));
        }
        let subnet =
            prefix.subnet(newbits as u8, (start - prefix.first()) / size).map_err(|label| invalid(idx, label))?;
        subnets.push(Value::string(subnet.to_string()));
        next = start + size;
    }
    Ok(Value::list(subnets))
}

fn cidrhost(_: &dyn Host, args: &[Value]) -> FnResult {
    let prefix = cidr(args, 0)?;
    let hostnum = integer(args, 1)?;
    let host = prefix.host(hostnum).map_err(|label| invalid(1, label))?;
    Ok(Value::string(host.to_string()))
}

fn cidrnetmask(_: &dyn Host, args: &[Value]) -> FnResult {
    let netmask = cidr(args, 0)?.netmask().ok_or_else(|| invalid(0, "only IPv4 ranges have a netmask"))?;
    Ok(Value::string(netmask.to_string()))
}

fn concat(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for idx in 0..args.len() {
        out.extend(list(args, idx)?.iter().cloned());
    }
    Ok(Value::list(out))
}

fn distinct(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out: Vec<Value> = Vec::new();
    for item in list(args, 0)? {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::list(out))
}

fn env(host: &dyn Host, args: &[Value]) -> FnResult {
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

fn file(host: &dyn Host, args: &[Value]) -> FnResult {
    let path = string(args, 0)?;
    host.read_file(path).map(Value::string).map_err(|reason| FnError {
        code: Code::FileUnreadable,
        arg: Some(0),
        label: format!("cannot read `{path}`: {reason}"),
    })
}

fn flatten(_: &dyn Host, args: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for item in list(args, 0)? {
        match item {
            Value::List(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::list(out))
}

fn format(_: &dyn Host, args: &[Value]) -> FnResult {
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

fn join(_: &dyn Host, args: &[Value]) -> FnResult {
    let separator = string(args, 0)?;
    let items = list(args, 1)?;
    let parts = items
        .iter()
        .map(|item| item.as_str().ok_or_else(|| type_error(1, "a list of strings", item)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::string(parts.join(separator)))
}

fn length(_: &dyn Host, args: &[Value]) -> FnResult {
    let n = match &args[0] {
        Value::List(items) => items.len(),
        Value::Object(entries) => entries.len(),
        Value::String(text) => text.chars().count(),
        other => return Err(type_error(0, "a list, object or string", other)),
    };
    Ok(Value::Number(n as f64))
}

fn lookup(_: &dyn Host, args: &[Value]) -> FnResult {
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

fn extremum(args: &[Value], pick: fn(f64, f64) -> f64) -> FnResult {
    let mut acc = number(args, 0)?;
    for idx in 1..args.len() {
        acc = pick(acc, number(args, idx)?);
    }
    Ok(Value::Number(acc))
}

fn merge(_: &dyn Host, args: &[Value]) -> FnResult {
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

fn range(_: &dyn Host, args: &[Value]) -> FnResult {
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

/// The characters allowed in secret names.
pub(crate) fn is_valid_secret_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

fn secret(_: &dyn Host, args: &[Value]) -> FnResult {
    let name = string(args, 0)?;
    if !is_valid_secret_name(name) {
        return Err(invalid(0, "secret names use letters, digits, `-`, `_`, `.` and `/`"));
    }
    Ok(Value::Secret(name.into()))
}

fn tonumber(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(text) => {
            text.trim().parse().map(Value::Number).map_err(|_| invalid(0, format!("`{text}` is not a number")))
        }
        other => Err(type_error(0, "a number or a string", other)),
    }
}

fn tostring(_: &dyn Host, args: &[Value]) -> FnResult {
    match &args[0] {
        Value::String(text) => Ok(Value::String(text.clone())),
        Value::Number(n) => Ok(Value::string(format_number(*n))),
        Value::Bool(b) => Ok(Value::string(if *b { "true" } else { "false" })),
        other => Err(type_error(0, "a string, number or bool", other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemoryHost;

    fn run(name: &str, args: Vec<Value>) -> Result<Value, String> {
        let function = FUNCTIONS.iter().find(|f| f.name == name).unwrap();
        let host = MemoryHost::default();
        (function.run)(&host, &args).map_err(|e| e.label)
    }

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn table_is_sorted_and_documented() {
        let names: Vec<_> = FUNCTIONS.iter().map(|f| f.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(FUNCTIONS.iter().all(|f| f.signature.starts_with(f.name) && f.example.contains(" => ")));
    }

    #[test]
    fn cidr_functions() {
        assert_eq!(run("cidrsubnet", vec![s("10.1.0.0/16"), n(8.0), n(2.0)]), Ok(s("10.1.2.0/24")));
        assert!(run("cidrsubnet", vec![s("10.1.0.0/16"), n(8.0), n(256.0)]).is_err());
        assert_eq!(run("cidrhost", vec![s("10.0.1.0/24"), n(5.0)]), Ok(s("10.0.1.5")));
        assert_eq!(run("cidrnetmask", vec![s("10.0.0.0/12")]), Ok(s("255.240.0.0")));
        let subnets = run("cidrsubnets", vec![s("10.0.0.0/16"), n(8.0), n(8.0), n(4.0)]).unwrap();
        assert_eq!(subnets, Value::list(vec![s("10.0.0.0/24"), s("10.0.1.0/24"), s("10.0.16.0/20")]));
    }

    #[test]
    fn string_and_collection_functions() {
        assert_eq!(run("format", vec![s("%s-%d %%"), s("vpc"), n(3.0)]), Ok(s("vpc-3 %")));
        assert!(run("format", vec![s("%s %s"), s("a")]).is_err());
        assert_eq!(run("join", vec![s(","), Value::list(vec![s("a"), s("b")])]), Ok(s("a,b")));
        assert_eq!(run("split", vec![s(","), s("a,b")]), Ok(Value::list(vec![s("a"), s("b")])));
        assert_eq!(run("range", vec![n(3.0)]), Ok(Value::list(vec![n(0.0), n(1.0), n(2.0)])));
        assert_eq!(run("range", vec![n(5.0), n(1.0), n(-2.0)]), Ok(Value::list(vec![n(5.0), n(3.0)])));
        assert!(run("range", vec![n(1e12)]).is_err());
        assert_eq!(run("length", vec![s("héllo")]), Ok(n(5.0)));
        assert_eq!(run("env", vec![s("UNSET_VARIABLE"), s("d")]), Ok(s("d")));
        assert!(run("env", vec![s("UNSET_VARIABLE")]).is_err());
        assert_eq!(run("tonumber", vec![s("42")]), Ok(n(42.0)));
        assert_eq!(
            run("distinct", vec![Value::list(vec![n(1.0), n(2.0), n(1.0)])]),
            Ok(Value::list(vec![n(1.0), n(2.0)]))
        );
    }
}
