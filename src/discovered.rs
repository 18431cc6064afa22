//! What `isopod discover` writes: the networks found in one cloud block's region as `network`
//! blocks with `existing` (used, never changed), and the other objects found as comments.

use isopod_catalog::{ObservedResource, ResourceKind, Value};
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

fn text<'a>(resource: &'a ObservedResource, name: &str) -> Option<&'a str> {
    match resource.attrs.get(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

fn name_tag(resource: &ObservedResource) -> Option<&str> {
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
fn identifier(text: &str) -> Option<String> {
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
fn unique(wanted: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = wanted.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The file for cloud block `cloud` (`aws.east`) in `region`, from everything found there.
/// `taken` holds the network names the configuration uses (the new ones are added);
/// `described` the VPC ids its networks already describe, which are left out.
pub fn render(
    cloud: &str,
    region: &str,
    found: &[ObservedResource],
    taken: &mut BTreeSet<String>,
    described: &BTreeSet<String>,
) -> Discovered {
    let mut out = String::new();
    let _ = writeln!(out, "# Discovered by `isopod discover` in {cloud} ({region}).");
    let _ = writeln!(out, "# Isopod uses these networks as they are: it never changes or deletes them.");
    let unowned = |r: &&ObservedResource| r.owner.is_none();
    let mut vpcs: Vec<&ObservedResource> =
        found.iter().filter(|r| r.kind == ResourceKind::AwsVpc).filter(unowned).collect();
    vpcs.retain(|vpc| !described.contains(&vpc.provider_id));
    vpcs.sort_by(|a, b| a.provider_id.cmp(&b.provider_id));
    for vpc in &vpcs {
        let wanted = name_tag(vpc).and_then(identifier).or_else(|| identifier(&vpc.provider_id));
        let name = unique(wanted.unwrap_or_else(|| "network".into()), taken);
        let _ = writeln!(out);
        if let Some(tag) = name_tag(vpc) {
            let _ = writeln!(out, "# {} ({tag})", vpc.provider_id);
        }
        let _ = writeln!(out, "network \"{name}\" {{");
        let _ = writeln!(out, "  cloud    = cloud.{cloud}");
        let _ = writeln!(out, "  cidr     = \"{}\"", text(vpc, "cidr_block").unwrap_or_default());
        let _ = writeln!(out, "  existing = \"{}\"", vpc.provider_id);
        let mut subnets: Vec<&ObservedResource> = found
            .iter()
            .filter(|r| r.kind == ResourceKind::AwsSubnet && text(r, "vpc_id") == Some(vpc.provider_id.as_str()))
            .collect();
        subnets.sort_by_key(|subnet| (text(subnet, "availability_zone"), text(subnet, "cidr_block")));
        let mut subnet_names = BTreeSet::new();
        for subnet in subnets {
            let wanted = name_tag(subnet)
                .and_then(identifier)
                .or_else(|| text(subnet, "availability_zone").and_then(identifier))
                .unwrap_or_else(|| "subnet".into());
            let subnet_name = unique(wanted, &mut subnet_names);
            let _ = writeln!(out, "\n  subnet \"{subnet_name}\" {{");
            let _ = writeln!(out, "    cidr = \"{}\"", text(subnet, "cidr_block").unwrap_or_default());
            if let Some(zone) = text(subnet, "availability_zone") {
                let _ = writeln!(out, "    zone = \"{zone}\"");
            }
            let _ = writeln!(out, "  }}");
        }
        let _ = writeln!(out, "}}");
    }
    let others: Vec<String> = found
        .iter()
        .filter(unowned)
        .filter_map(|r| {
            let what = match r.kind {
                ResourceKind::AwsVpnGateway => "VPN gateway",
                ResourceKind::AwsCustomerGateway => "customer gateway",
                ResourceKind::AwsVpnConnection => "VPN connection",
                ResourceKind::AwsTransitGateway => "transit gateway",
                ResourceKind::AwsVpcEndpoint => "VPC endpoint",
                _ => return None,
            };
            let mut line = format!("# - {what} {}", r.provider_id);
            if let Some(name) = name_tag(r) {
                let _ = write!(line, " ({name})");
            }
            for (attr, label) in [("vpc_id", "in"), ("service_name", "to"), ("ip_address", "at")] {
                if let Some(value) = text(r, attr) {
                    let _ = write!(line, ", {label} {value}");
                }
            }
            Some(line)
        })
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out, "\n# Also found, and left to whoever manages them:");
        for line in &others {
            let _ = writeln!(out, "{line}");
        }
    }
    Discovered { text: out, networks: vpcs.len(), commented: others.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::Scope;

    fn found(kind: ResourceKind, id: &str, attrs: &[(&str, &str)], name: Option<&str>) -> ObservedResource {
        let mut map: std::collections::BTreeMap<String, Value> =
            attrs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect();
        let tags = name.map(|n| [("Name".to_string(), Value::string(n))].into()).unwrap_or_default();
        map.insert("tags".into(), Value::Map(tags));
        ObservedResource {
            provider_id: id.into(),
            kind,
            scope: Scope { cloud: "aws.east".into(), region: "us-east-1".into() },
            attrs: map,
            owner: None,
        }
    }

    #[test]
    fn networks_are_named_from_their_tags_and_never_clash() {
        let resources = [
            found(ResourceKind::AwsVpc, "vpc-1", &[("cidr_block", "172.16.0.0/16")], Some("Payments VPC")),
            found(ResourceKind::AwsVpc, "vpc-2", &[("cidr_block", "172.17.0.0/16")], Some("app")),
            found(ResourceKind::AwsVpc, "vpc-3", &[("cidr_block", "172.18.0.0/16")], None),
            found(
                ResourceKind::AwsSubnet,
                "subnet-1",
                &[("vpc_id", "vpc-1"), ("cidr_block", "172.16.1.0/24"), ("availability_zone", "us-east-1a")],
                None,
            ),
            found(ResourceKind::AwsVpnGateway, "vgw-1", &[("vpc_id", "vpc-1")], Some("legacy")),
        ];
        let mut taken = BTreeSet::from(["app".to_string()]);
        let file = render("aws.east", "us-east-1", &resources, &mut taken, &BTreeSet::from(["vpc-3".to_string()]));
        assert_eq!((file.networks, file.commented), (2, 1));
        assert!(file.text.contains("network \"payments-vpc\" {"), "{}", file.text);
        assert!(file.text.contains("network \"app-2\" {"), "the configuration's `app` stays: {}", file.text);
        assert!(!file.text.contains("vpc-3"), "already described: {}", file.text);
        assert!(file.text.contains("subnet \"us-east-1a\" {"), "{}", file.text);
        assert!(file.text.contains("# - VPN gateway vgw-1 (legacy), in vpc-1"), "{}", file.text);
        assert_eq!(isopod_lang::fmt::format(&file.text).as_deref(), Ok(file.text.as_str()), "canonical layout");
    }
}
