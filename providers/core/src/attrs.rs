//! Reading the catalogue's attribute values into what a cloud's requests take, and back: the
//! helpers every provider shares.

use crate::{Created, ErrorKind, ProviderError};
use isopod_catalog::{Attrs, Name, ObservedResource, Ownership, ResourceId, ResourceKind, Scope, Value};
use std::collections::BTreeMap;

/// A string attribute.
pub fn text<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a str> {
    match attrs.get(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// A string attribute, owned, as the SDK's `set_*` builders take it.
pub fn owned_text(attrs: &Attrs, name: &str) -> Option<String> {
    text(attrs, name).map(str::to_string)
}

/// A whole-number attribute.
pub fn integer(attrs: &Attrs, name: &str) -> Option<i64> {
    match attrs.get(name) {
        Some(Value::Integer(n)) => Some(*n),
        _ => None,
    }
}

/// A whole-number attribute that fits a 32-bit field.
pub fn integer32(attrs: &Attrs, name: &str) -> Option<i32> {
    integer(attrs, name).and_then(|n| i32::try_from(n).ok())
}

/// A boolean attribute.
pub fn flag(attrs: &Attrs, name: &str) -> Option<bool> {
    match attrs.get(name) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// The strings of a list attribute (empty when it is absent).
pub fn strings(attrs: &Attrs, name: &str) -> Vec<String> {
    match attrs.get(name) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The whole numbers of a list attribute, as 32-bit fields (empty when it is absent).
pub fn integers32(attrs: &Attrs, name: &str) -> Vec<i32> {
    match attrs.get(name) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::Integer(n) => i32::try_from(*n).ok(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The string entries of a map attribute (tags).
pub fn text_map(attrs: &Attrs, name: &str) -> BTreeMap<String, String> {
    match attrs.get(name) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(key, value)| match value {
                Value::String(value) => Some((key.clone(), value.clone())),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// A list of strings as a value.
pub fn string_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::List(items.into_iter().map(Value::string).collect())
}

/// Builds the attributes of a discovered resource, leaving out what the cloud did not say.
#[derive(Default)]
pub struct Found(pub Attrs);

impl Found {
    /// Sets `name` to a string, if there is one.
    pub fn text(&mut self, name: impl Into<Name>, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.0.insert(name.into(), Value::string(value));
        }
        self
    }

    /// Sets `name` to a whole number, if there is one.
    pub fn integer(&mut self, name: impl Into<Name>, value: Option<impl Into<i64>>) -> &mut Self {
        if let Some(value) = value {
            self.0.insert(name.into(), Value::Integer(value.into()));
        }
        self
    }

    /// Sets `name` to any value.
    pub fn value(&mut self, name: impl Into<Name>, value: Value) -> &mut Self {
        self.0.insert(name.into(), value);
        self
    }
}

/// A resource its cloud cannot tag, owned by `stack` through its parent: reported under its natural
/// address (which is also its cloud id here), see [`ResourceKind::natural_key`].
pub fn untagged(kind: ResourceKind, scope: &Scope, stack: Option<&str>, attrs: Attrs) -> Option<ObservedResource> {
    let address = kind.natural_address(&attrs)?;
    let owner = stack.map(|stack| Ownership { stack: stack.to_string(), id: ResourceId::new(kind, address.clone()) });
    Some(ObservedResource { provider_id: address, kind, scope: scope.clone(), attrs, owner })
}

/// The first part of a natural address and the rest, `rtb-0abc:10.1.0.0/16`.
pub fn natural_parts(provider_id: &str) -> Result<(&str, &str), ProviderError> {
    provider_id
        .split_once(':')
        .ok_or_else(|| ProviderError::new(ErrorKind::Invalid, format!("`{provider_id}` is not a natural address")))
}

/// What creating an untaggable resource returns: its natural address as its id.
pub fn natural_created(kind: ResourceKind, attrs: &Attrs) -> Result<Created, ProviderError> {
    let address = kind.natural_address(attrs).ok_or_else(|| {
        let key = kind.natural_key().collect::<Vec<_>>().join(", ");
        ProviderError::new(ErrorKind::Invalid, format!("{kind} needs {key}"))
    })?;
    Ok(Created { provider_id: address, outputs: Attrs::new() })
}
