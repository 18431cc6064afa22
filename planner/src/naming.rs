//! Names of cloud resources: deterministic, within each cloud's length and character rules, and
//! stable when the topology grows (a name depends only on the stack and its own object); and
//! tags as the clouds that restrict them (GCP labels) take them.

use std::collections::BTreeMap;

/// The rules of one cloud's resource names.
#[derive(Clone, Copy, Debug)]
pub struct NameRules {
    /// The longest name allowed.
    pub max_len: usize,
    /// Whether upper-case letters are allowed (names are lower-cased otherwise).
    pub upper_case: bool,
}

/// GCP resource names: `[a-z]([-a-z0-9]{0,61}[a-z0-9])?`.
pub const GCP: NameRules = NameRules { max_len: 63, upper_case: false };
/// Azure network resource names: letters, digits, `-`, at most 64 for virtual networks.
pub const AZURE: NameRules = NameRules { max_len: 64, upper_case: true };
/// AWS `Name` tags (up to 256 characters); kept short to stay readable in the console.
pub const AWS: NameRules = NameRules { max_len: 128, upper_case: true };

/// The name of a resource of `stack` for the object whose parts are `parts`: the parts joined
/// with `-`, every other character replaced by `-`, starting with a letter, and cut to the
/// cloud's length with a stable hash of the full name appended when too long.
pub fn resource_name(rules: NameRules, stack: &str, parts: &[&str]) -> String {
    let full = std::iter::once(stack).chain(parts.iter().copied()).collect::<Vec<_>>().join("-");
    let mut name = String::with_capacity(full.len());
    for c in full.chars() {
        let c = if rules.upper_case { c } else { c.to_ascii_lowercase() };
        let keep = c.is_ascii_alphanumeric() && (rules.upper_case || !c.is_ascii_uppercase());
        let c = if keep { c } else { '-' };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    let mut name = name.trim_matches('-').to_string();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "i-");
    }
    if name.len() > rules.max_len {
        let suffix = format!("-{:08x}", fnv1a(full.as_bytes()) as u32);
        name.truncate(rules.max_len - suffix.len());
        let trimmed = name.trim_end_matches('-').len();
        name.truncate(trimmed);
        name.push_str(&suffix);
    }
    name
}

/// The label GCP resources carry their stack in, written by the provider: never a user's label.
const GCP_STACK_LABEL: &str = "isopod-stack";

/// `tags` as GCP labels (keys `[a-z][a-z0-9_-]{0,62}`, values `[a-z0-9_-]{0,63}`): lower-cased,
/// every other character `_`, a key not starting with a letter prefixed with `t_`, both cut to
/// 63 characters; at most 63 of them, in key order (GCP takes 64, and one is Isopod's).
pub fn gcp_labels(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let clean = |text: &str| -> String {
        let lower = text.chars().map(|c| c.to_ascii_lowercase());
        lower.map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
    };
    let cut = |mut text: String| {
        text.truncate(63);
        text
    };
    let mut labels = BTreeMap::new();
    for (key, value) in tags {
        let mut key = clean(key);
        if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
            key.insert_str(0, "t_");
        }
        let key = cut(key);
        if key != GCP_STACK_LABEL && labels.len() < 63 {
            labels.insert(key, cut(clean(value)));
        }
    }
    labels
}

/// FNV-1a, 64 bits: a hash whose value never changes between versions or platforms.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_valid_gcp_labels() {
        let tags = BTreeMap::from([
            ("CostCenter".to_string(), "CC 1234/Payments".to_string()),
            ("2fa".into(), "".to_string()),
            ("isopod-stack".to_string(), "someone else's".to_string()),
            ("team".into(), "x".repeat(70)),
        ]);
        let labels = gcp_labels(&tags);
        assert_eq!(labels["costcenter"], "cc_1234_payments");
        assert_eq!(labels["t_2fa"], "");
        assert!(!labels.contains_key("isopod-stack"), "the stack's label is Isopod's own");
        assert_eq!(labels["team"].len(), 63);
        let many: BTreeMap<String, String> = (0..70).map(|n| (format!("k{n:02}"), String::new())).collect();
        assert_eq!(gcp_labels(&many).len(), 63);
    }

    #[test]
    fn names_follow_each_clouds_rules() {
        assert_eq!(resource_name(GCP, "Acme", &["app[eu]", "a"]), "acme-app-eu-a");
        assert_eq!(resource_name(AZURE, "Acme", &["app[eu]"]), "Acme-app-eu");
        assert_eq!(resource_name(GCP, "1st", &["x"]), "i-1st-x");
        let long = resource_name(GCP, "stack", &[&"n".repeat(100)]);
        assert_eq!(long.len(), 63);
        assert!(long.ends_with(&format!("-{:08x}", fnv1a(format!("stack-{}", "n".repeat(100)).as_bytes()) as u32)));
        assert_ne!(long, resource_name(GCP, "stack", &[&"n".repeat(101)]), "cut names stay distinct");
    }
}

/// Two desired resources that the cloud would give the same name where names must be unique
/// (Azure: in a resource group, or a virtual network for subnets and peerings; GCP: in a project,
/// per region for regional kinds, or a router for BGP peers). Different objects can map to one
/// name, since every character but letters and digits becomes `-`: `a_b` and `a-b`, or network
/// `a` with subnet `b-c` and network `a-b` with subnet `c`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{first} and {second} would both be named `{name}`; rename one of their objects")]
pub struct NameCollision {
    /// The resource that has the name first, in id order.
    pub first: isopod_catalog::ResourceId,
    /// The other.
    pub second: isopod_catalog::ResourceId,
    /// The name.
    pub name: String,
}

/// Every pair of desired resources whose names would collide in their cloud.
pub fn collisions(desired: &crate::lower::Desired) -> Vec<NameCollision> {
    use isopod_catalog::{Cloud, Value};
    let text = |attrs: &isopod_catalog::Attrs, name: &str| match attrs.get(name) {
        Some(Value::String(text)) => text.clone(),
        _ => String::new(),
    };
    let mut seen: std::collections::BTreeMap<
        (String, String, isopod_catalog::ResourceKind, String, String),
        &isopod_catalog::ResourceId,
    > = std::collections::BTreeMap::new();
    let mut found = Vec::new();
    for resource in desired.resources.values() {
        let cloud = resource.id.kind.cloud();
        if !matches!(cloud, Cloud::Azure | Cloud::Gcp) || !resource.attrs.contains_key("name") {
            continue;
        }
        let name = text(&resource.attrs, "name");
        let parent = ["virtual_network", "router", "resource_group"]
            .iter()
            .map(|attr| text(&resource.attrs, attr))
            .collect::<Vec<_>>()
            .join("/");
        let key = (resource.scope.cloud.clone(), resource.scope.region.clone(), resource.id.kind, parent, name.clone());
        match seen.get(&key) {
            Some(first) => found.push(NameCollision { first: (*first).clone(), second: resource.id.clone(), name }),
            None => {
                seen.insert(key, &resource.id);
            }
        }
    }
    found
}
