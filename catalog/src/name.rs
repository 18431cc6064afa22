//! Attribute names: 16 bytes each, the text kept once for the process. A large estate's
//! resources hold millions of attributes, each named by one of a few hundred names; a `String`
//! per name would be an allocation per attribute.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// An attribute's name (`cidr_block`, `vpc_id`), compared and ordered as its text. Names the
/// code writes are static; others (read from a saved plan or a simulator's file, or numbered
/// from a cloud's answer, `tunnel2_address`) are interned for the life of the process, which
/// holds one copy of each.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(&'static str);

impl Name {
    /// The name `text`, written in the code.
    pub const fn new(text: &'static str) -> Name {
        Name(text)
    }

    /// The name `text`, from input: interned, so that it is kept once.
    pub fn intern(text: &str) -> Name {
        Name(ustr::ustr(text).as_str())
    }

    /// Its text.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl From<&'static str> for Name {
    fn from(text: &'static str) -> Name {
        Name(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::intern(&text)
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute name")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Name, E> {
                Ok(Name::intern(text))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_and_order_as_their_text_however_they_were_made() {
        let written = Name::new("cidr_block");
        let read = Name::intern(&String::from("cidr_block"));
        assert_eq!(written, read);
        assert!(Name::new("a") < Name::intern("b") && Name::intern("b") < Name::new("ba"));
        assert!(std::ptr::eq(Name::intern("vpc_id").as_str(), Name::intern("vpc_id").as_str()), "kept once");
        let json = serde_json::to_string(&written).unwrap();
        assert_eq!(json, "\"cidr_block\"");
        assert_eq!(serde_json::from_str::<Name>(&json).unwrap(), written);
        assert_eq!(format!("[{written:<12}]"), "[cidr_block  ]", "padded as text is");
    }
}
