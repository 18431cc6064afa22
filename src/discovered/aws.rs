//! AWS: each VPC nobody in the stack owns, with its subnets.

use super::{Discovered, identifier, name_tag, text, unique};
use isopod_catalog::{ObservedResource, ResourceKind};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The file for AWS cloud block `cloud` (`aws.east`) in `region`, from everything found there.
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
    super::header(&mut out, cloud, region);
    let mut vpcs: Vec<&ObservedResource> =
        found.iter().filter(|r| r.kind == ResourceKind::AwsVpc && r.owner.is_none()).collect();
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
    let others = super::others(found, |kind| match kind {
        ResourceKind::AwsVpnGateway => Some("VPN gateway"),
        ResourceKind::AwsCustomerGateway => Some("customer gateway"),
        ResourceKind::AwsVpnConnection => Some("VPN connection"),
        ResourceKind::AwsTransitGateway => Some("transit gateway"),
        ResourceKind::AwsVpcEndpoint => Some("VPC endpoint"),
        _ => None,
    });
    super::finish(out, vpcs.len(), others)
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::Scope;
    use isopod_catalog::Value;

    fn found(kind: ResourceKind, id: &str, attrs: &[(&str, &str)], name: Option<&str>) -> ObservedResource {
        let mut map: isopod_catalog::Attrs =
            attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), Value::string(*v))).collect();
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
