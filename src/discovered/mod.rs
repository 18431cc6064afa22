//! What `isopod discover` writes: the networks found in one cloud block's region as `network`
//! blocks with `existing` (used, never changed), and the other objects found as comments. One
//! module per cloud, for what each calls a network.

mod aws;
mod azure;
mod gcp;

pub use aws::render as aws;
pub use azure::render as azure;
pub use gcp::render as gcp;

use isopod_catalog::{ObservedResource, ResourceKind, Value};
use isopod_planner::Cidr;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The text of one discovered file, and what it holds.
pub struct Discovered {
    /// The `.iso` text, in the canonical layout.
    pub text: String,
    /// How many networks it describes.
    pub networks: usize,
    /// How many other objects it lists as comments.
    pub commented: usize,
}

pub(super) fn text<'a>(resource: &'a ObservedResource, name: &str) -> Option<&'a str> {
    match resource.attrs.get(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

pub(super) fn name_tag(resource: &ObservedResource) -> Option<&str> {
    match resource.attrs.get("tags") {
        Some(Value::Map(tags)) => match tags.get("Name") {
            Some(Value::String(name)) => Some(name),
            _ => None,
        },
        _ => None,
    }
}

/// `text` as a name the language takes: lower-case letters, digits and dashes, starting with a
/// letter; `None` when nothing is left.
pub(super) fn identifier(text: &str) -> Option<String> {
    let mut name = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_string();
    name.chars().next().filter(char::is_ascii_alphabetic).map(|_| name)
}

/// `wanted`, or `wanted-2`, `wanted-3`... whichever is not taken yet; then taken.
pub(super) fn unique(wanted: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = wanted.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The file's opening comment, for cloud block `cloud` in `region`.
fn header(out: &mut String, cloud: &str, region: &str) {
    let _ = writeln!(out, "# Discovered by `isopod discover` in {cloud} ({region}).");
    let _ = writeln!(out, "# Isopod uses these networks as they are: it never changes or deletes them.");
}

/// One comment line per object of `found` that no one in the stack owns and that `what` names
/// (`VPN gateway`), with what `text` of its attributes says (`in`, `to`, `at`).
fn others(found: &[ObservedResource], what: impl Fn(ResourceKind) -> Option<&'static str>) -> Vec<String> {
    found
        .iter()
        .filter(|r| r.owner.is_none())
        .filter_map(|r| {
            let what = what(r.kind)?;
            let mut line = format!("# - {what} {}", r.provider_id);
            if let Some(name) = name_tag(r) {
                let _ = write!(line, " ({name})");
            }
            let described = [
                ("vpc_id", "in"),
                ("network", "in"),
                ("vpn_gateway", "on"),
                ("service_name", "to"),
                ("target", "to"),
                ("ip_address", "at"),
            ];
            for (attr, label) in described {
                if let Some(value) = text(r, attr) {
                    let _ = write!(line, ", {label} {value}");
                }
            }
            Some(line)
        })
        .collect()
}

/// Ends the file with the other objects found, as comments.
fn finish(mut out: String, networks: usize, others: Vec<String>) -> Discovered {
    if !others.is_empty() {
        let _ = writeln!(out, "\n# Also found, and left to whoever manages them:");
        for line in &others {
            let _ = writeln!(out, "{line}");
        }
    }
    Discovered { text: out, networks, commented: others.len() }
}

/// The smallest IPv4 range that holds every one of `ranges`; `None` when there are none.
pub(super) fn covering(ranges: impl Iterator<Item = Cidr>) -> Option<Cidr> {
    let (first, last) = ranges.fold(None, |span: Option<(u128, u128)>, range| match span {
        None => Some((range.first(), range.last())),
        Some((first, last)) => Some((first.min(range.first()), last.max(range.last()))),
    })?;
    // The bits the first and last addresses share, from the top of the 32.
    let prefix = (first as u32 ^ last as u32).leading_zeros() as u8;
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    Cidr::new(std::net::IpAddr::V4((first as u32 & mask).into()), prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_covering_range_is_the_smallest_that_holds_every_one() {
        let cidr = |text: &str| Cidr::parse(text).unwrap();
        let cover = |ranges: &[&str]| covering(ranges.iter().map(|r| cidr(r))).map(|c| c.to_string());
        assert_eq!(cover(&["10.0.0.0/24"]).as_deref(), Some("10.0.0.0/24"));
        assert_eq!(cover(&["10.0.0.0/24", "10.0.1.0/24"]).as_deref(), Some("10.0.0.0/23"));
        assert_eq!(cover(&["10.0.3.0/24", "10.0.4.0/24"]).as_deref(), Some("10.0.0.0/21"));
        assert_eq!(cover(&["10.0.0.0/8", "172.16.0.0/12"]).as_deref(), Some("0.0.0.0/0"));
        assert_eq!(cover(&[]), None);
    }
}
