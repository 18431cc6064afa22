//! Attribute values: what resources hold, outputs of other resources included.

use crate::attrs::Attrs;
use crate::name::Name;
use crate::resource::ResourceId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An attribute value of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// A string.
    String(String),
    /// A whole number.
    Integer(i64),
    /// A bool.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A map with sorted keys.
    Map(BTreeMap<String, Value>),
    /// An output of another resource, known only once that one exists (e.g. a VPC's id). Boxed:
    /// a value is as large as its largest kind, and outputs are the rarest.
    Output(Box<OutputRef>),
    /// A secret, by its name in Isopod's secret store; its value is never in a plan.
    Sensitive(String),
}

impl Value {
    /// Adds every string in this value, in its lists and maps too, to `out`: what it may name of
    /// other resources (ids, names).
    pub fn collect_strings<'a>(&'a self, out: &mut std::collections::BTreeSet<&'a str>) {
        match self {
            Value::String(text) => {
                out.insert(text);
            }
            Value::List(items) => items.iter().for_each(|item| item.collect_strings(out)),
            Value::Map(entries) => entries.values().for_each(|item| item.collect_strings(out)),
            _ => {}
        }
    }

    /// A string value.
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// Fills in, however deep, every output reference with what `output` gives for it and
    /// every secret with the value `secret` gives for its name: what the executor sends a
    /// provider once the resources it names exist. The first that cannot be filled is the
    /// error, e.g. ``aws_vpc.app has no output `id` ``.
    pub fn fill(
        &mut self,
        output: &impl Fn(&OutputRef) -> Option<Value>,
        secret: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), String> {
        match self {
            Value::Output(wanted) => {
                let found =
                    output(wanted).ok_or_else(|| format!("{} has no output `{}`", wanted.resource, wanted.output))?;
                *self = found;
            }
            Value::Sensitive(name) => {
                let found = secret(name).ok_or_else(|| format!("secret `{name}` is not set"))?;
                *self = Value::String(found);
            }
            Value::List(items) => items.iter_mut().try_for_each(|item| item.fill(output, secret))?,
            Value::Map(entries) => entries.values_mut().try_for_each(|item| item.fill(output, secret))?,
            Value::String(_) | Value::Integer(_) | Value::Bool(_) => {}
        }
        Ok(())
    }
}

/// A reference to an output of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OutputRef {
    /// The resource.
    pub resource: ResourceId,
    /// The output's name, e.g. `id`.
    pub output: Name,
}

impl OutputRef {
    /// This output of a live resource with cloud id `provider_id` and `outputs`: the id itself
    /// for `id`, the named output otherwise.
    pub fn value_in(&self, provider_id: &str, outputs: &Attrs) -> Option<Value> {
        match self.output.as_str() {
            "id" => Some(Value::string(provider_id)),
            name => outputs.get(name).cloned(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(text) => write!(f, "{text:?}"),
            Value::Integer(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(", "))
            }
            Value::Map(entries) if entries.is_empty() => f.write_str("{}"),
            Value::Map(entries) => {
                let entries: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                write!(f, "{{ {} }}", entries.join(", "))
            }
            Value::Output(_) => f.write_str("(known after apply)"),
            Value::Sensitive(_) => f.write_str("(sensitive)"),
        }
    }
}
