//! Azure: each virtual network of the subscription in the cloud block's region that nobody in
//! the stack owns, whichever resource group holds it, with its subnets (the `GatewaySubnet`
//! aside: a gateway Isopod plans finds it by its name).

use super::{Discovered, covering, identifier, text, unique};
use isopod_catalog::{ObservedResource, ResourceKind, Value};
use isopod_planner::Cidr;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The file for Azure cloud block `cloud` (`azure.corp`) in `region`, from everything found in
/// its subscription there. `taken` holds the network names the configuration uses (the new ones
/// are added); `described` the ARM ids (in lower case) its networks already describe, which are
/// left out.
pub fn render(
    cloud: &str,
    region: &str,
    found: &[ObservedResource],
    taken: &mut BTreeSet<String>,
    described: &BTreeSet<String>,
) -> Discovered {
    let mut out = String::new();
    super::header(&mut out, cloud, region);
    let mut networks: Vec<&ObservedResource> = found
        .iter()
        .filter(|r| r.kind == ResourceKind::AzureVirtualNetwork && r.owner.is_none())
        .filter(|r| !described.contains(&r.provider_id.to_ascii_lowercase()))
        .collect();
    networks.sort_by_key(|r| r.provider_id.to_ascii_lowercase());
    let mut written = 0;
    let mut others = Vec::new();
    for network in networks {
        let space: Vec<Cidr> = match network.attrs.get("address_space") {
            Some(Value::List(prefixes)) => prefixes
                .iter()
                .filter_map(|prefix| match prefix {
                    Value::String(prefix) => Cidr::parse(prefix).ok().filter(|range| range.is_ipv4()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let Some(cover) = covering(space.iter().copied()) else {
            others.push(format!("# - virtual network {}: no IPv4 address space", network.provider_id));
            continue;
        };
        written += 1;
        let vnet_name = text(network, "name").unwrap_or_default();
        let name = unique(identifier(vnet_name).unwrap_or_else(|| "network".into()), taken);
        let _ = writeln!(out);
        if space.len() > 1 {
            let prefixes: Vec<String> = space.iter().map(Cidr::to_string).collect();
            let _ = writeln!(out, "# Address space {}: `cidr` holds them all.", prefixes.join(", "));
        }
        let _ = writeln!(out, "network \"{name}\" {{");
        let _ = writeln!(out, "  cloud    = cloud.{cloud}");
        let _ = writeln!(out, "  cidr     = \"{cover}\"");
        let _ = writeln!(out, "  existing = \"{}\"", network.provider_id);
        let prefix = format!("{}/subnets/", network.provider_id.to_ascii_lowercase());
        let mut subnets: Vec<(Cidr, &str)> = found
            .iter()
            .filter(|r| r.kind == ResourceKind::AzureSubnet && r.provider_id.to_ascii_lowercase().starts_with(&prefix))
            .filter(|r| text(r, "name") != Some("GatewaySubnet"))
            .filter_map(|r| Some((Cidr::parse(text(r, "address_prefix")?).ok()?, text(r, "name")?)))
            .filter(|(range, _)| range.is_ipv4())
            .collect();
        subnets.sort_by_key(|(range, _)| (range.first(), range.prefix()));
        let mut subnet_names = BTreeSet::new();
        for (range, subnet) in subnets {
            let subnet_name = unique(identifier(subnet).unwrap_or_else(|| "subnet".into()), &mut subnet_names);
            let _ = writeln!(out, "\n  subnet \"{subnet_name}\" {{");
            let _ = writeln!(out, "    cidr = \"{range}\"");
            let _ = writeln!(out, "  }}");
        }
        let _ = writeln!(out, "}}");
    }
    others.extend(super::others(found, |kind| match kind {
        ResourceKind::AzureVirtualNetworkGateway => Some("virtual network gateway"),
        ResourceKind::AzureLocalNetworkGateway => Some("local network gateway"),
        ResourceKind::AzureVpnConnection => Some("connection"),
        ResourceKind::AzurePrivateEndpoint => Some("private endpoint"),
        _ => None,
    }));
    super::finish(out, written, others)
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::Scope;

    const GROUP: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net";

    fn found(kind: ResourceKind, id: &str, attrs: &[(&str, Value)]) -> ObservedResource {
        ObservedResource {
            provider_id: format!("{GROUP}/providers/Microsoft.Network/{id}"),
            kind,
            scope: Scope { cloud: "azure.corp".into(), region: "westeurope".into() },
            attrs: attrs.iter().cloned().map(|(k, v)| (isopod_catalog::Name::intern(k), v)).collect(),
            owner: None,
        }
    }

    fn vnet(name: &str, space: &[&str]) -> ObservedResource {
        let space = Value::List(space.iter().map(|prefix| Value::string(*prefix)).collect());
        found(
            ResourceKind::AzureVirtualNetwork,
            &format!("virtualNetworks/{name}"),
            &[("name", Value::string(name)), ("address_space", space)],
        )
    }

    fn subnet(vnet: &str, name: &str, range: &str) -> ObservedResource {
        found(
            ResourceKind::AzureSubnet,
            &format!("virtualNetworks/{vnet}/subnets/{name}"),
            &[("name", Value::string(name)), ("address_prefix", Value::string(range))],
        )
    }

    #[test]
    fn virtual_networks_are_written_with_their_subnets_within_their_address_space() {
        let resources = [
            vnet("Hub-VNet", &["10.70.0.0/16", "10.71.0.0/16"]),
            vnet("described", &["10.9.0.0/16"]),
            vnet("ipv6-only", &["fd00::/48"]),
            subnet("Hub-VNet", "workloads", "10.71.1.0/24"),
            subnet("Hub-VNet", "apps", "10.70.1.0/24"),
            subnet("Hub-VNet", "GatewaySubnet", "10.70.255.0/27"),
            found(
                ResourceKind::AzureVirtualNetworkGateway,
                "virtualNetworkGateways/hub-gw",
                &[("name", Value::string("hub-gw"))],
            ),
        ];
        let mut taken = BTreeSet::from(["hub-vnet".to_string()]);
        let described = BTreeSet::from([
            format!("{GROUP}/providers/microsoft.network/virtualnetworks/described").to_ascii_lowercase()
        ]);
        let file = render("azure.corp", "westeurope", &resources, &mut taken, &described);
        assert_eq!((file.networks, file.commented), (1, 2), "{}", file.text);
        assert!(file.text.contains("network \"hub-vnet-2\" {"), "the configuration's name stays: {}", file.text);
        assert!(file.text.contains("  cidr     = \"10.70.0.0/15\"\n"), "{}", file.text);
        assert!(file.text.contains("virtualNetworks/Hub-VNet\"\n"), "{}", file.text);
        let apps = file.text.find("subnet \"apps\"").expect("apps");
        let workloads = file.text.find("subnet \"workloads\"").expect("workloads");
        assert!(apps < workloads, "by address: {}", file.text);
        assert!(!file.text.contains("GatewaySubnet\" {"), "{}", file.text);
        assert!(!file.text.contains("described\""), "already described: {}", file.text);
        assert!(file.text.contains("ipv6-only: no IPv4 address space"), "{}", file.text);
        assert!(file.text.contains("# - virtual network gateway "), "{}", file.text);
        assert_eq!(isopod_lang::fmt::format(&file.text).as_deref(), Ok(file.text.as_str()), "canonical layout");
        let parsed = isopod_test_support::topology(&format!(
            "stack \"s\" {{}}\ncloud \"azure\" \"corp\" {{\n  subscription = \"00000000-0000-0000-0000-000000000000\"\n  region       = \"westeurope\"\n}}\n{}",
            file.text
        ));
        assert_eq!(parsed.networks.len(), 1, "the written file checks");
    }
}
