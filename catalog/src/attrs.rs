//! A resource's attributes: a map from [`Name`] to [`Value`] on a sorted vector (ICU4X's
//! `LiteMap`), as small as the attributes it holds. A B-tree's node holds room for eleven
//! entries whatever a resource has, which made most of a large plan's memory.

use crate::name::Name;
use crate::value::Value;
use litemap::LiteMap;
use serde::{Deserialize, Serialize};
use std::ops::{Deref, DerefMut, Index};

/// A resource's attributes by name, in the order of their names (as JSON and plans list them).
/// Read it as a map (`get`, `iter`, `keys`, `values` through [`LiteMap`]); index it by a
/// name's text (`attrs["cidr_block"]`, which panics when the attribute is absent).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Attrs(LiteMap<Name, Value>);

/// Always a map (`LiteMap` writes an empty one as a list in human-readable formats).
impl Serialize for Attrs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

impl Attrs {
    /// No attributes.
    pub const fn new() -> Attrs {
        Attrs(LiteMap::new_vec())
    }
}

impl Deref for Attrs {
    type Target = LiteMap<Name, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Attrs {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Index<&str> for Attrs {
    type Output = Value;
    fn index(&self, name: &str) -> &Value {
        self.0.get(name).unwrap_or_else(|| panic!("no attribute `{name}`"))
    }
}

impl FromIterator<(Name, Value)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (Name, Value)>>(pairs: I) -> Attrs {
        Attrs(pairs.into_iter().collect())
    }
}

impl<const N: usize> From<[(Name, Value); N]> for Attrs {
    fn from(pairs: [(Name, Value); N]) -> Attrs {
        pairs.into_iter().collect()
    }
}

impl Extend<(Name, Value)> for Attrs {
    fn extend<I: IntoIterator<Item = (Name, Value)>>(&mut self, pairs: I) {
        self.0.extend(pairs);
    }
}

impl IntoIterator for Attrs {
    type Item = (Name, Value);
    type IntoIter = std::vec::IntoIter<(Name, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_tuple_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = (&'a Name, &'a Value);
    type IntoIter = <&'a LiteMap<Name, Value> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&self.0).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_keep_their_names_order_and_the_last_value_given() {
        let attrs: Attrs =
            [("b".into(), Value::Integer(1)), ("a".into(), Value::Integer(2)), ("b".into(), Value::Integer(3))].into();
        assert_eq!(attrs.keys().map(|name| name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(attrs["b"], Value::Integer(3));
        let json = serde_json::to_string(&attrs).unwrap();
        assert_eq!(json, r#"{"a":{"integer":2},"b":{"integer":3}}"#, "a map, as a B-tree's was");
        assert_eq!(serde_json::from_str::<Attrs>(&json).unwrap(), attrs);
        assert_eq!(serde_json::to_string(&Attrs::new()).unwrap(), "{}", "even when empty");
    }
}
