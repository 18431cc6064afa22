//! GCP: each network of the project nobody in the stack owns, as it is in the cloud block's
//! region: its subnetworks there, within the smallest range that holds them all.

use super::{Discovered, covering, identifier, text, unique};
use isopod_catalog::{ObservedResource, ResourceKind};
use isopod_planner::Cidr;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The file for GCP cloud block `cloud` (`gcp.data`) in `region`, from everything found in its
/// project (global) and region. `taken` holds the network names the configuration uses (the new
/// ones are added); `described` the GCP network names its networks in this project already
/// describe, which are left out. A network without a subnetwork in `region` is listed as a
/// comment: a `network` block is one region of it.
pub fn render(
    cloud: &str,
    region: &str,
    found: &[ObservedResource],
    taken: &mut BTreeSet<String>,
    described: &BTreeSet<String>,
) -> Discovered {
    let mut out = String::new();
    super::header(&mut out, cloud, region);
    let mut networks: Vec<&str> = found
        .iter()
        .filter(|r| r.kind == ResourceKind::GcpNetwork && r.owner.is_none())
        .filter_map(|r| text(r, "name"))
        .filter(|name| !described.contains(*name))
        .collect();
    networks.sort_unstable();
    let mut written = 0;
    let mut elsewhere = Vec::new();
    for network in networks {
        let mut subnetworks: Vec<(Cidr, &str)> = found
            .iter()
            .filter(|r| r.kind == ResourceKind::GcpSubnetwork && text(r, "network") == Some(network))
            .filter(|r| text(r, "region") == Some(region))
            .filter_map(|r| Some((Cidr::parse(text(r, "ip_cidr_range")?).ok()?, text(r, "name")?)))
            .filter(|(range, _)| range.is_ipv4())
            .collect();
        subnetworks.sort_by_key(|(range, _)| (range.first(), range.prefix()));
        let Some(cover) = covering(subnetworks.iter().map(|(range, _)| *range)) else {
            elsewhere.push(format!("# - network {network}: no subnetwork in {region}"));
            continue;
        };
        written += 1;
        let name = unique(identifier(network).unwrap_or_else(|| "network".into()), taken);
        let _ = writeln!(out, "\nnetwork \"{name}\" {{");
        let _ = writeln!(out, "  cloud    = cloud.{cloud}");
        let _ = writeln!(out, "  cidr     = \"{cover}\"");
        let _ = writeln!(out, "  existing = \"{network}\"");
        let mut subnet_names = BTreeSet::new();
        for (range, subnetwork) in subnetworks {
            let subnet_name = unique(identifier(subnetwork).unwrap_or_else(|| "subnet".into()), &mut subnet_names);
            let _ = writeln!(out, "\n  subnet \"{subnet_name}\" {{");
            let _ = writeln!(out, "    cidr = \"{range}\"");
            let _ = writeln!(out, "  }}");
        }
        let _ = writeln!(out, "}}");
    }
    let mut others = elsewhere;
    others.extend(super::others(found, |kind| match kind {
        ResourceKind::GcpHaVpnGateway => Some("HA VPN gateway"),
        ResourceKind::GcpExternalVpnGateway => Some("external VPN gateway"),
        ResourceKind::GcpRouter => Some("Cloud Router"),
        ResourceKind::GcpVpnTunnel => Some("VPN tunnel"),
        ResourceKind::GcpForwardingRule => Some("forwarding rule"),
        _ => None,
    }));
    super::finish(out, written, others)
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::{Scope, Value};

    fn found(kind: ResourceKind, region: &str, attrs: &[(&str, &str)]) -> ObservedResource {
        let name = attrs.iter().find(|(k, _)| *k == "name").map_or("", |(_, v)| *v);
        ObservedResource {
            provider_id: format!("projects/p/{region}/{name}"),
            kind,
            scope: Scope { cloud: "gcp.data".into(), region: region.into() },
            attrs: attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), Value::string(*v))).collect(),
            owner: None,
        }
    }

    fn subnetwork(name: &str, network: &str, region: &str, range: &str) -> ObservedResource {
        let attrs = [("name", name), ("network", network), ("region", region), ("ip_cidr_range", range)];
        found(ResourceKind::GcpSubnetwork, region, &attrs)
    }

    #[test]
    fn networks_are_written_as_their_region_within_the_range_that_holds_its_subnetworks() {
        let resources = [
            found(ResourceKind::GcpNetwork, "global", &[("name", "shared-vpc")]),
            found(ResourceKind::GcpNetwork, "global", &[("name", "lake")]),
            found(ResourceKind::GcpNetwork, "global", &[("name", "west-only")]),
            found(ResourceKind::GcpNetwork, "global", &[("name", "app")]),
            subnetwork("central-b", "shared-vpc", "us-central1", "10.128.4.0/24"),
            subnetwork("central-a", "shared-vpc", "us-central1", "10.128.0.0/22"),
            subnetwork("west", "shared-vpc", "us-west1", "10.138.0.0/20"),
            subnetwork("w", "west-only", "us-west1", "10.1.0.0/24"),
            subnetwork("a", "app", "us-central1", "10.2.0.0/24"),
            found(ResourceKind::GcpHaVpnGateway, "us-central1", &[("name", "gw"), ("network", "shared-vpc")]),
        ];
        let mut taken = BTreeSet::from(["shared-vpc".to_string()]);
        let file = render("gcp.data", "us-central1", &resources, &mut taken, &BTreeSet::from(["lake".into()]));
        assert_eq!((file.networks, file.commented), (2, 2), "{}", file.text);
        assert!(file.text.contains("network \"shared-vpc-2\" {"), "the configuration's name stays: {}", file.text);
        assert!(file.text.contains("  cidr     = \"10.128.0.0/21\"\n  existing = \"shared-vpc\""), "{}", file.text);
        assert!(file.text.contains("subnet \"central-a\" {\n    cidr = \"10.128.0.0/22\""), "{}", file.text);
        assert!(!file.text.contains("10.138.0.0/20"), "another region's subnetwork: {}", file.text);
        assert!(!file.text.contains("\"lake\""), "already described: {}", file.text);
        assert!(file.text.contains("# - network west-only: no subnetwork in us-central1"), "{}", file.text);
        assert!(file.text.contains("# - HA VPN gateway projects/p/us-central1/gw, in shared-vpc"), "{}", file.text);
        assert_eq!(isopod_lang::fmt::format(&file.text).as_deref(), Ok(file.text.as_str()), "canonical layout");
        let parsed = isopod_test_support::topology(&format!(
            "stack \"s\" {{}}\ncloud \"gcp\" \"data\" {{\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}}\n{}",
            file.text
        ));
        assert_eq!(parsed.networks.len(), 2, "the written file checks");
    }
}
