//! The built-in functions. The table is the single source of the book's functions reference.

mod cidr;
mod collections;
mod convert;
mod foreign;

pub use foreign::{FOREIGN_FUNCTIONS, ForeignFunction};
mod numbers;
mod system;
mod text;

use super::value::Key;
use super::{Eval, Evaluator, Scope, Value};
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
        "alltrue",
        "alltrue(list)",
        1,
        Some(1),
        collections::alltrue,
        "Whether every element of a list of bools is true (true for an empty list).",
        "alltrue([true, 1 < 2]) => true"
    ),
    function!(
        "anytrue",
        "anytrue(list)",
        1,
        Some(1),
        collections::anytrue,
        "Whether any element of a list of bools is true (false for an empty list).",
        "anytrue([false, true]) => true"
    ),
    function!(
        "ceil",
        "ceil(number)",
        1,
        Some(1),
        |_, a| Ok(Value::Number(number(a, 0)?.ceil())),
        "The smallest whole number not less than the number.",
        "ceil(4.1) => 5"
    ),
    function!(
        "chunklist",
        "chunklist(list, size)",
        2,
        Some(2),
        collections::chunklist,
        "The list cut into lists of `size` elements (the last one may be shorter).",
        "chunklist([1, 2, 3], 2) => [[1, 2], [3]]"
    ),
    function!(
        "cidrhost",
        "cidrhost(prefix, hostnum)",
        2,
        Some(2),
        cidr::cidrhost,
        "The address number `hostnum` of a range; negative numbers count from the end.",
        "cidrhost(\"10.0.1.0/24\", 5) => \"10.0.1.5\""
    ),
    function!(
        "cidrnetmask",
        "cidrnetmask(prefix)",
        1,
        Some(1),
        cidr::cidrnetmask,
        "The dotted netmask of an IPv4 range.",
        "cidrnetmask(\"10.0.0.0/12\") => \"255.240.0.0\""
    ),
    function!(
        "cidrsubnet",
        "cidrsubnet(prefix, newbits, netnum)",
        3,
        Some(3),
        cidr::cidrsubnet,
        "The subnet number `netnum` of a range, `newbits` longer than it.",
        "cidrsubnet(\"10.1.0.0/16\", 8, 2) => \"10.1.2.0/24\""
    ),
    function!(
        "cidrsubnets",
        "cidrsubnets(prefix, newbits...)",
        2,
        None,
        cidr::cidrsubnets,
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
        "coalescelist",
        "coalescelist(lists...)",
        1,
        None,
        collections::coalescelist,
        "The first argument that is a list with elements; the last one when every list is empty.",
        "coalescelist([], [\"b\"]) => [\"b\"]"
    ),
    function!(
        "compact",
        "compact(list)",
        1,
        Some(1),
        collections::compact,
        "A list of strings without its empty strings and nulls.",
        "compact([\"a\", \"\", null]) => [\"a\"]"
    ),
    function!(
        "concat",
        "concat(lists...)",
        1,
        None,
        collections::concat,
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
        collections::distinct,
        "The list without repeated elements, first occurrences kept.",
        "distinct([1, 2, 1]) => [1, 2]"
    ),
    function!(
        "element",
        "element(list, index)",
        2,
        Some(2),
        collections::element,
        "The element at `index`, counting round from the start when the index passes the end.",
        "element([\"a\", \"b\"], 3) => \"b\""
    ),
    function!(
        "endswith",
        "endswith(string, suffix)",
        2,
        Some(2),
        |_, a| Ok(Value::Bool(string(a, 0)?.ends_with(string(a, 1)?))),
        "Whether the string ends with the suffix.",
        "endswith(\"eu-west-1\", \"-1\") => true"
    ),
    function!(
        "env",
        "env(name, default?)",
        1,
        Some(2),
        system::env,
        "An environment variable of the process running Isopod; the default, if given, when it is not set.",
        "env(\"TEAM\", \"net\") => \"net\""
    ),
    function!(
        "file",
        "file(path)",
        1,
        Some(1),
        system::file,
        "The text of a file, relative to the configuration's folder.",
        "file(\"banner.txt\") => \"...\""
    ),
    function!(
        "flatten",
        "flatten(list)",
        1,
        Some(1),
        collections::flatten,
        "A list of lists made into one list (one level).",
        "flatten([[1], [2, 3]]) => [1, 2, 3]"
    ),
    function!(
        "floor",
        "floor(number)",
        1,
        Some(1),
        |_, a| Ok(Value::Number(number(a, 0)?.floor())),
        "The largest whole number not greater than the number.",
        "floor(4.9) => 4"
    ),
    function!(
        "format",
        "format(spec, values...)",
        1,
        None,
        text::format,
        "A string built from a spec with `%s` (string), `%d` (integer), `%v` (any), `%q` (quoted) and `%%`.",
        "format(\"%s-%d\", \"vpc\", 3) => \"vpc-3\""
    ),
    function!(
        "index",
        "index(list, value)",
        2,
        Some(2),
        collections::index,
        "The position of the first element equal to the value (an error when there is none).",
        "index([\"a\", \"b\"], \"b\") => 1"
    ),
    function!(
        "join",
        "join(separator, list)",
        2,
        Some(2),
        text::join,
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
        collections::length,
        "The number of elements of a list or object, or characters of a string.",
        "length([1, 2]) => 2"
    ),
    function!(
        "lookup",
        "lookup(object, key, default?)",
        2,
        Some(3),
        collections::lookup,
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
        |_, a| numbers::extremum(a, f64::max),
        "The largest number.",
        "max(1, 5, 3) => 5"
    ),
    function!(
        "merge",
        "merge(objects...)",
        1,
        None,
        collections::merge,
        "The objects merged; later keys win.",
        "merge({ a = 1 }, { a = 2, b = 3 }) => { a = 2, b = 3 }"
    ),
    function!(
        "min",
        "min(numbers...)",
        1,
        None,
        |_, a| numbers::extremum(a, f64::min),
        "The smallest number.",
        "min(1, 5, 3) => 1"
    ),
    function!(
        "one",
        "one(list)",
        1,
        Some(1),
        collections::one,
        "The only element of a list of one, null for an empty list; an error for more.",
        "one([\"a\"]) => \"a\""
    ),
    function!(
        "parseint",
        "parseint(string, base)",
        2,
        Some(2),
        numbers::parseint,
        "The whole number a string writes in `base` (2 to 36).",
        "parseint(\"ff\", 16) => 255"
    ),
    function!(
        "pow",
        "pow(base, exponent)",
        2,
        Some(2),
        |_, a| Ok(Value::Number(number(a, 0)?.powf(number(a, 1)?))),
        "`base` to the power `exponent`.",
        "pow(2, 8) => 256"
    ),
    function!(
        "range",
        "range(start?, end, step?)",
        1,
        Some(3),
        collections::range,
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
        "reverse",
        "reverse(list)",
        1,
        Some(1),
        |_, a| Ok(Value::list(list(a, 0)?.iter().rev().cloned().collect())),
        "The list in reverse order.",
        "reverse([1, 2, 3]) => [3, 2, 1]"
    ),
    function!(
        "secret",
        "secret(name)",
        1,
        Some(1),
        system::secret,
        "A reference to the named secret of Isopod's secret store; the language never sees its value. It can only be passed to attributes that take secrets, such as a tunnel's `psk`. Whether the secret exists is checked when a plan is made, not by `validate`.",
        "secret(\"dc1-psk\") => (sensitive)"
    ),
    function!(
        "setintersection",
        "setintersection(lists...)",
        1,
        None,
        collections::setintersection,
        "The elements every list holds, as a set (see `toset`).",
        "setintersection([\"a\", \"b\"], [\"b\", \"c\"]) => [\"b\"]"
    ),
    function!(
        "setsubtract",
        "setsubtract(list, other)",
        2,
        Some(2),
        collections::setsubtract,
        "The elements of the first list that the other does not hold, as a set (see `toset`).",
        "setsubtract([\"a\", \"b\"], [\"b\"]) => [\"a\"]"
    ),
    function!(
        "setunion",
        "setunion(lists...)",
        1,
        None,
        collections::setunion,
        "The elements any list holds, as a set (see `toset`).",
        "setunion([\"b\"], [\"a\", \"b\"]) => [\"a\", \"b\"]"
    ),
    function!(
        "signum",
        "signum(number)",
        1,
        Some(1),
        |_, a| Ok(Value::Number(numbers::signum(number(a, 0)?))),
        "-1, 0 or 1: the sign of the number.",
        "signum(-7) => -1"
    ),
    function!(
        "slice",
        "slice(list, start, end)",
        3,
        Some(3),
        collections::slice,
        "The elements from `start` up to but not including `end`.",
        "slice([\"a\", \"b\", \"c\"], 1, 3) => [\"b\", \"c\"]"
    ),
    function!(
        "sort",
        "sort(list)",
        1,
        Some(1),
        collections::sort,
        "A list of strings in lexical order.",
        "sort([\"b\", \"a\"]) => [\"a\", \"b\"]"
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
        "startswith",
        "startswith(string, prefix)",
        2,
        Some(2),
        |_, a| Ok(Value::Bool(string(a, 0)?.starts_with(string(a, 1)?))),
        "Whether the string starts with the prefix.",
        "startswith(\"eu-west-1\", \"eu-\") => true"
    ),
    function!(
        "strcontains",
        "strcontains(string, substring)",
        2,
        Some(2),
        |_, a| Ok(Value::Bool(string(a, 0)?.contains(string(a, 1)?))),
        "Whether the string contains the substring.",
        "strcontains(\"eu-west-1\", \"west\") => true"
    ),
    function!(
        "strrev",
        "strrev(string)",
        1,
        Some(1),
        |_, a| Ok(Value::string(string(a, 0)?.chars().rev().collect::<String>())),
        "The string's characters in reverse order.",
        "strrev(\"abc\") => \"cba\""
    ),
    function!(
        "substr",
        "substr(string, offset, length)",
        3,
        Some(3),
        text::substr,
        "`length` characters from `offset`; a negative offset counts from the end, a length of -1 takes the rest.",
        "substr(\"eu-west-1\", 3, 4) => \"west\""
    ),
    function!(
        "sum",
        "sum(list)",
        1,
        Some(1),
        numbers::sum,
        "The sum of a list of numbers (0 for an empty list).",
        "sum([1, 2, 3]) => 6"
    ),
    function!(
        "title",
        "title(string)",
        1,
        Some(1),
        |_, a| Ok(Value::string(text::title(string(a, 0)?))),
        "The string with the first letter of each word in upper case.",
        "title(\"data platform\") => \"Data Platform\""
    ),
    function!(
        "tobool",
        "tobool(value)",
        1,
        Some(1),
        convert::tobool,
        "A bool from a bool or the strings `\"true\"` and `\"false\"`; null stays null.",
        "tobool(\"true\") => true"
    ),
    function!(
        "tolist",
        "tolist(value)",
        1,
        Some(1),
        convert::tolist,
        "The list itself: Isopod's sets (from `toset`) are lists already. Anything else is an error.",
        "tolist(toset([\"b\", \"a\"])) => [\"a\", \"b\"]"
    ),
    function!(
        "tomap",
        "tomap(value)",
        1,
        Some(1),
        convert::tomap,
        "The object itself: objects and maps are one type. Anything else is an error.",
        "tomap({ a = 1 }) => { a = 1 }"
    ),
    function!(
        "tonumber",
        "tonumber(value)",
        1,
        Some(1),
        convert::tonumber,
        "A number from a number or a numeric string.",
        "tonumber(\"42\") => 42"
    ),
    function!(
        "toset",
        "toset(list)",
        1,
        Some(1),
        collections::toset,
        "The list as a set: each element once, strings (or numbers) sorted, as Terraform orders sets. A set is a list, so `for_each` takes it.",
        "toset([\"b\", \"a\", \"b\"]) => [\"a\", \"b\"]"
    ),
    function!(
        "tostring",
        "tostring(value)",
        1,
        Some(1),
        convert::tostring,
        "A string from a string, number or bool.",
        "tostring(42) => \"42\""
    ),
    function!(
        "trim",
        "trim(string, characters)",
        2,
        Some(2),
        text::trim,
        "The string without any of `characters` at its start and end.",
        "trim(\"--a--\", \"-\") => \"a\""
    ),
    function!(
        "trimprefix",
        "trimprefix(string, prefix)",
        2,
        Some(2),
        |_, a| Ok(Value::string(string(a, 0)?.strip_prefix(string(a, 1)?).unwrap_or(string(a, 0)?))),
        "The string without the prefix, when it starts with it.",
        "trimprefix(\"vpc-app\", \"vpc-\") => \"app\""
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
        "trimsuffix",
        "trimsuffix(string, suffix)",
        2,
        Some(2),
        |_, a| Ok(Value::string(string(a, 0)?.strip_suffix(string(a, 1)?).unwrap_or(string(a, 0)?))),
        "The string without the suffix, when it ends with it.",
        "trimsuffix(\"app.iso\", \".iso\") => \"app\""
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
    function!(
        "zipmap",
        "zipmap(keys, values)",
        2,
        Some(2),
        collections::zipmap,
        "An object from a list of string keys and a list of values of the same length.",
        "zipmap([\"a\", \"b\"], [1, 2]) => { a = 1, b = 2 }"
    ),
];

/// Evaluates a call to a built-in function.
pub(super) fn call(ev: &mut Evaluator<'_>, name: &Ident, args: &[Expr], scope: &Scope, span: Span) -> Eval {
    let Some(function) = FUNCTIONS.iter().find(|f| f.name == name.text) else {
        let help = foreign::hint(&name.text).or_else(|| did_you_mean(&name.text, FUNCTIONS.iter().map(|f| f.name)));
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
    fn other_tools_functions_are_not_ours() {
        for foreign in FOREIGN_FUNCTIONS {
            assert!(FUNCTIONS.iter().all(|f| f.name != foreign.name), "`{}` is a function of ours", foreign.name);
        }
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
