//! The values that expressions evaluate to.

use indexmap::IndexMap;
use std::fmt;
use std::rc::Rc;

/// A key of a `for_each` instance or of an object.
pub type Key = Rc<str>;

/// An evaluated value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`: the same as not setting an attribute.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Numbers are 64-bit floats; integers are exact up to 2^53.
    Number(f64),
    /// A string.
    String(Rc<str>),
    /// A list (also what `[a, b]` and `for` produce).
    List(Rc<[Value]>),
    /// An object or map, in the order its keys were written.
    Object(Rc<IndexMap<Key, Value>>),
    /// A declared object of the configuration, such as `network.app`.
    Block(BlockRef),
    /// A named secret from `secret("NAME")`: its value is never known to the language.
    Secret(Rc<str>),
}

/// Identifies one instance of a declared block, or one nested block of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlockRef {
    /// The declaration, an index into the evaluator's table.
    pub decl: u32,
    /// The `for_each` key of the instance.
    pub key: Option<Key>,
    /// A nested block (index among the declaration's body items) and its own `for_each` key.
    pub nested: Option<(u32, Option<Key>)>,
}

impl Value {
    /// A string value.
    pub fn string(text: impl Into<Rc<str>>) -> Value {
        Value::String(text.into())
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items.into())
    }

    /// An object value.
    pub fn object(entries: IndexMap<Key, Value>) -> Value {
        Value::Object(Rc::new(entries))
    }

    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Block(_) => "reference",
            Value::Secret(_) => "secret",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The value as an integer, if it is a number without fraction.
    pub fn as_integer(&self) -> Option<i128> {
        let n = self.as_number()?;
        (n.fract() == 0.0 && n.abs() < 2f64.powi(100)).then_some(n as i128)
    }
}

/// Formats a number as the language writes it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 { format!("{}", n as i64) } else { format!("{n}") }
}

/// Renders values for messages and for string conversion.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (idx, item) in items.iter().enumerate() {
                    if idx > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(entries) => {
                f.write_str("{")?;
                for (idx, (key, value)) in entries.iter().enumerate() {
                    if idx > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key:?} = {value}")?;
                }
                f.write_str("}")
            }
            Value::Block(_) => f.write_str("(reference)"),
            Value::Secret(_) => f.write_str("(sensitive)"),
        }
    }
}
