//! The layout of each kind of tunnel in each pair of clouds (HA VPN, APIPA, peering, transit
//! gateways, hosts), and the quotas and regional facts that shape it.

use super::*;

#[test]
fn aws_gcp_tunnel_uses_the_documented_ha_layout() {
    let plan = plan(&topology(AWS_GCP), &[]).unwrap();
    let count = |kind: ResourceKind| plan.changes.iter().filter(|c| c.id.kind == kind).count();
    assert_eq!(count(ResourceKind::AwsVpnGateway), 1);
    assert_eq!(count(ResourceKind::AwsCustomerGateway), 2);
    assert_eq!(count(ResourceKind::AwsVpnConnection), 2);
    assert_eq!(count(ResourceKind::GcpHaVpnGateway), 1);
    assert_eq!(count(ResourceKind::GcpRouter), 1);
    assert_eq!(count(ResourceKind::GcpExternalVpnGateway), 1);
    assert_eq!(count(ResourceKind::GcpVpnTunnel), 4);
    assert_eq!(count(ResourceKind::GcpRouterPeer), 4);
    let text = render::text(&plan);
    assert!(!text.contains("tunnel/app-analytics/0\""), "secret names render as (sensitive)");
    insta::assert_snapshot!(text);
}

#[test]
fn aws_gcp_tunnel_plans_no_changes_after_apply() {
    let topology = topology(AWS_GCP);
    let live = applied(&plan(&topology, &[]).unwrap(), &[]);
    let again = plan(&topology, &live).unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn aws_azure_tunnel_uses_apipa_and_active_active() {
    let text = AWS_GCP
        .replace("cloud \"gcp\" \"data\" {\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}", "cloud \"azure\" \"corp\" {\n  subscription = \"00000000-0000-0000-0000-000000000000\"\n  region       = \"westeurope\"\n}")
        .replace("cloud = cloud.gcp.data", "cloud = cloud.azure.corp");
    let topology = topology(&text);
    let plan = plan(&topology, &[]).unwrap();
    let count = |kind: ResourceKind| plan.changes.iter().filter(|c| c.id.kind == kind).count();
    assert_eq!(count(ResourceKind::AzurePublicIp), 2);
    assert_eq!(count(ResourceKind::AzureVirtualNetworkGateway), 1);
    assert_eq!(count(ResourceKind::AzureLocalNetworkGateway), 4);
    assert_eq!(count(ResourceKind::AzureVpnConnection), 4);
    assert_eq!(count(ResourceKind::AwsVpnConnection), 2);
    let gateway = plan.changes.iter().find(|c| c.id.kind == ResourceKind::AzureVirtualNetworkGateway).unwrap();
    assert_eq!(gateway.after["active_active"], Value::Bool(true));
    let connection = plan.changes.iter().find(|c| c.id.kind == ResourceKind::AwsVpnConnection).unwrap();
    let Value::String(inside) = &connection.after["tunnel1_inside_cidr"] else { panic!() };
    assert!(
        inside.starts_with("169.254.21.") || inside.starts_with("169.254.22."),
        "{inside} is in Azure's APIPA range"
    );
    let subnet = plan.changes.iter().find(|c| c.id.address == "analytics.GatewaySubnet").unwrap();
    assert_eq!(subnet.after["address_prefix"], Value::string("10.20.255.224/27"), "the highest free /27");
    insta::assert_snapshot!(render::text(&plan));
    let live = applied(&plan, &[]);
    let again = crate::plan(&topology, &live).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn azure_gcp_tunnel_uses_two_tunnels_and_plans_nothing_after_apply() {
    let text = THREE_CLOUDS.replace(
        "\nnetwork \"analytics\"",
        "\ntunnel \"hub-analytics\" {\n  between = [network.hub, network.analytics]\n}\nnetwork \"analytics\"",
    );
    let topology = topology(&text);
    let plan = plan(&topology, &[]).unwrap();
    let count = |kind: ResourceKind| plan.changes.iter().filter(|c| c.id.kind == kind).count();
    assert_eq!(count(ResourceKind::GcpVpnTunnel), 2);
    assert_eq!(count(ResourceKind::GcpRouterPeer), 2);
    assert_eq!(count(ResourceKind::AzureVpnConnection), 2);
    let external = plan.changes.iter().find(|c| c.id.kind == ResourceKind::GcpExternalVpnGateway).unwrap();
    assert_eq!(external.after["redundancy_type"], Value::string("TWO_IPS_REDUNDANCY"));
    let live = applied(&plan, &[]);
    let again = crate::plan(&topology, &live).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));
}

/// A VPC `app` (with `app_settings` in its block) and `tunnels` AWS-GCP tunnels from it.
pub(super) fn aws_vpc_with_tunnels(app_settings: &str, tunnels: usize) -> String {
    let mut text = format!(
        "stack \"q\" {{}}\ncloud \"aws\" \"prod\" {{\n  region = \"us-east-1\"\n}}\ncloud \"gcp\" \"data\" {{\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}}\nnetwork \"app\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.0.0.0/16\"\n{app_settings}\n  subnet \"a\" {{\n    cidr = \"10.0.1.0/24\"\n    zone = \"us-east-1a\"\n  }}\n}}\n",
    );
    for n in 1..=tunnels {
        text.push_str(&format!("network \"g{n}\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.{n}.0.0/16\"\n}}\ntunnel \"t{n}\" {{\n  between = [network.app, network.g{n}]\n}}\n"));
    }
    text
}

#[test]
fn quotas_are_caught_when_planning() {
    // Six AWS-GCP tunnels from a VPC that refuses a transit gateway: 12 VPN connections on a
    // virtual private gateway that takes 10.
    let err = plan(&topology(&aws_vpc_with_tunnels("  transit_gateway = false", 6)), &[]).unwrap_err();
    assert_eq!(err.to_string(), "aws_vpn_gateway.app would hold 12 VPN connections; the cloud allows 10");
    assert!(plan(&topology(&aws_vpc_with_tunnels("  transit_gateway = false", 5)), &[]).is_ok());
}

#[test]
fn a_vpc_beyond_the_vpn_gateway_quota_moves_to_a_transit_gateway() {
    let kinds = |text: &str| -> BTreeMap<ResourceKind, usize> {
        let (_, desired) = crate::plan(&topology(text), &[]).unwrap();
        let mut kinds = BTreeMap::new();
        for id in desired.resources.keys() {
            *kinds.entry(id.kind).or_default() += 1;
        }
        kinds
    };
    let five = kinds(&aws_vpc_with_tunnels("", 5));
    assert_eq!(five.get(&ResourceKind::AwsVpnGateway), Some(&1));
    assert_eq!(five.get(&ResourceKind::AwsTransitGateway), None);

    let text = aws_vpc_with_tunnels("", 6);
    let six = kinds(&text);
    assert_eq!(six.get(&ResourceKind::AwsVpnGateway), None);
    assert_eq!(six.get(&ResourceKind::AwsVpnGatewayRoutePropagation), None);
    assert_eq!(six[&ResourceKind::AwsTransitGateway], 1);
    assert_eq!(six[&ResourceKind::AwsTransitGatewayVpcAttachment], 1);
    assert_eq!(six[&ResourceKind::AwsVpnConnection], 12);
    assert_eq!(six[&ResourceKind::AwsRoute], 6, "one route per GCP network in the VPC's main route table");
    let (_, desired) = crate::plan(&topology(&text), &[]).unwrap();
    let connection = &desired.resources[&ResourceId::new(ResourceKind::AwsVpnConnection, "t1.0")];
    assert_eq!(connection.attrs["transit_gateway_id"].to_string(), "(known after apply)");
    assert!(!connection.attrs.contains_key("vpn_gateway_id"));
    let route = &desired.resources[&ResourceId::new(ResourceKind::AwsRoute, "app.transit.10.3.0.0/16")];
    assert_eq!(route.attrs["destination_cidr_block"], Value::string("10.3.0.0/16"));
    assert_eq!(route.depends_on, vec![ResourceId::new(ResourceKind::AwsTransitGatewayVpcAttachment, "app")]);
    let tgw = &desired.resources[&ResourceId::new(ResourceKind::AwsTransitGateway, "app")];
    assert_eq!(tgw.attrs["vpn_ecmp_support"], Value::string("enable"));
    assert_eq!(desired.aws_transit, BTreeSet::from(["app".to_string()]));
    let again = crate::plan(&topology(&text), &applied(&plan(&topology(&text), &[]).unwrap(), &[])).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));

    // Asked for, a transit gateway is used from the first tunnel.
    let chosen = kinds(&aws_vpc_with_tunnels("  transit_gateway = true", 1));
    assert_eq!(chosen[&ResourceKind::AwsTransitGateway], 1);
}

#[test]
fn a_transit_gateway_needs_a_subnet_and_takes_bgp_only_for_now() {
    let text = aws_vpc_with_tunnels("  transit_gateway = true", 1)
        .replace("  subnet \"a\" {\n    cidr = \"10.0.1.0/24\"\n    zone = \"us-east-1a\"\n  }\n", "");
    let (_, desired) = crate::plan(&topology(&text), &[]).unwrap();
    assert_eq!(desired.unplanned.len(), 1);
    assert!(desired.unplanned[0].1.contains("attachment needs a subnet"), "{:?}", desired.unplanned);
    let host = aws_vpc_with_tunnels("  transit_gateway = true", 0)
        + "host \"dc\" {\n  address = \"198.51.100.7\"\n  cidrs   = [\"192.168.0.0/24\"]\n}\ntunnel \"h\" {\n  between = [network.app, host.dc]\n  routing = \"static\"\n}\n";
    let (_, desired) = crate::plan(&topology(&host), &[]).unwrap();
    assert_eq!(
        desired.unplanned,
        vec![("tunnel.h".to_string(), "static routing over an AWS transit gateway is not planned yet")]
    );
}

#[test]
fn same_cloud_tunnels_use_native_peering() {
    let text = r#"
stack "peer" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "aws" "west" {
  region = "us-west-2"
}
cloud "azure" "eu" {
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}
cloud "azure" "us" {
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "eastus"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
cloud "gcp" "ml" {
  project = "acme-ml"
  region  = "europe-west4"
}
network "e" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "w" {
  cloud = cloud.aws.west
  cidr  = "10.2.0.0/16"
}
network "ze" {
  cloud = cloud.azure.eu
  cidr  = "10.3.0.0/16"
}
network "zu" {
  cloud = cloud.azure.us
  cidr  = "10.4.0.0/16"
}
network "gd" {
  cloud = cloud.gcp.data
  cidr  = "10.5.0.0/16"
}
network "gm" {
  cloud = cloud.gcp.ml
  cidr  = "10.6.0.0/16"
}
tunnel "aws" {
  between = [network.e, network.w]
}
tunnel "azure" {
  between = [network.ze, network.zu]
}
tunnel "gcp" {
  between = [network.gd, network.gm]
}
"#;
    let topology = topology(text);
    let plan = plan(&topology, &[]).unwrap();
    let count = |kind: ResourceKind| plan.changes.iter().filter(|c| c.id.kind == kind).count();
    assert_eq!(count(ResourceKind::AwsVpcPeeringConnection), 1);
    assert_eq!(count(ResourceKind::AwsVpcPeeringConnectionAccepter), 1);
    assert_eq!(count(ResourceKind::AwsRoute), 2);
    assert_eq!(count(ResourceKind::AzureVirtualNetworkPeering), 2);
    assert_eq!(count(ResourceKind::GcpNetworkPeering), 2);
    let accepter = plan.changes.iter().find(|c| c.id.kind == ResourceKind::AwsVpcPeeringConnectionAccepter).unwrap();
    assert_eq!(accepter.scope.region, "us-west-2", "accepted in the peer's region");
    let gcp = plan.changes.iter().find(|c| c.id.address == "gcp.0").unwrap();
    assert_eq!(gcp.after["peer_network"], Value::string("projects/acme-ml/global/networks/peer-gm"));
    let live = applied(&plan, &[]);
    let again = crate::plan(&topology, &live).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn named_keys_are_used_and_azure_takes_the_ike_choices_it_supports() {
    let text = THREE_CLOUDS.replace(
        "\nnetwork \"analytics\"",
        "\ntunnel \"t\" {\n  between = [network.app, network.hub]\n  psk     = secret(\"shared\")\n\n  ike {\n    integrity = [\"sha512\", \"sha256\"]\n    dh_groups = [21, 20]\n  }\n}\nnetwork \"analytics\"",
    );
    let plan = plan(&topology(&text), &[]).unwrap();
    let connection = plan.changes.iter().find(|c| c.id.kind == ResourceKind::AzureVpnConnection).unwrap();
    assert_eq!(connection.after["shared_key"], Value::Sensitive("shared".into()));
    let Value::Map(policy) = &connection.after["ipsec_policy"] else { panic!() };
    assert_eq!(policy["ike_integrity"], Value::string("SHA256"), "sha512 is skipped: Azure has none");
    assert_eq!(policy["dh_group"], Value::string("ECP384"), "group 21 is skipped: Azure has none");
    let only_unsupported = text.replace("dh_groups = [21, 20]", "dh_groups = [21]");
    let desired = lower(&topology(&only_unsupported), &Live::default()).unwrap();
    assert_eq!(desired.unplanned, [("tunnel.t".to_string(), "its Diffie-Hellman groups list none Azure supports")]);
}

#[test]
fn host_tunnels_configure_strongswan_against_each_cloud() {
    let text = r#"
stack "h" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.prod
  cidr  = "10.10.0.0/16"
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.20.0.0/16"
}
host "dc1" {
  address = "203.0.113.10"
  cidrs   = ["192.168.10.0/24"]
}
host "dc2" {
  address = "198.51.100.20"
  cidrs   = ["192.168.20.0/24"]
  asn     = 65020
}
tunnel "aws-dc1" {
  between = [network.app, host.dc1]
  routing = "static"
}
tunnel "gcp-dc1" {
  between = [network.analytics, host.dc1]
}
tunnel "dc1-dc2" {
  between = [host.dc1, host.dc2]
}
"#;
    let topology = topology(text);
    let plan = plan(&topology, &[]).unwrap();
    let find = |id: &str| plan.changes.iter().find(|c| c.id.to_string() == id).unwrap_or_else(|| panic!("{id}"));
    // AWS with static routes: one connection, its two tunnels both to the host, a route per host range.
    assert_eq!(find("aws_vpn_connection.aws-dc1.0").after["static_routes_only"], Value::Bool(true));
    find("aws_vpn_connection_route.aws-dc1.0.192.168.10.0/24");
    let aws_side = find("host_ipsec_tunnel.dc1.aws-dc1.1");
    assert_eq!(aws_side.after["routing"], Value::string("static"));
    assert!(!aws_side.after.contains_key("peer_asn"), "no BGP on a static tunnel");
    // GCP: an external gateway with the host's one address, a tunnel per HA interface.
    assert_eq!(
        find("gcp_external_vpn_gateway.gcp-dc1").after["redundancy_type"],
        Value::string("SINGLE_IP_INTERNALLY_REDUNDANT")
    );
    assert_eq!(find("gcp_vpn_tunnel.gcp-dc1.1").after["vpn_gateway_interface"], Value::Integer(1));
    assert_eq!(find("gcp_vpn_tunnel.gcp-dc1.1").after["peer_external_gateway_interface"], Value::Integer(0));
    // Host to host: a connection on each, with each other's addresses and ranges, BGP over a /30.
    let dc2 = find("host_ipsec_tunnel.dc2.dc1-dc2.0");
    assert_eq!(dc2.after["remote_address"], Value::string("203.0.113.10"));
    assert_eq!(dc2.after["remote_ts"], Value::List(vec![Value::string("192.168.10.0/24")]));
    assert_eq!(dc2.after["asn"], Value::Integer(65020), "the host's own ASN is kept");
    insta::assert_snapshot!(render::text(&Plan {
        stack: plan.stack.clone(),
        changes: plan.changes.iter().filter(|c| c.id.kind == ResourceKind::HostIpsecTunnel).cloned().collect(),
    }));
    let live = applied(&plan, &[]);
    let again = crate::plan(&topology, &live).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn a_statically_routed_host_keeps_its_asn() {
    let text = "stack \"s\" {}\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\nnetwork \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.10.0.0/16\"\n}\nhost \"dc\" {\n  address = \"203.0.113.10\"\n  cidrs   = [\"192.168.10.0/24\"]\n}\ntunnel \"t\" {\n  between = [network.app, host.dc]\n  routing = \"static\"\n}\n";
    let topology = topology(text);
    let live = applied(&plan(&topology, &[]).unwrap(), &[]);
    // The host's ASN is read back from its tunnels: planning again moves nothing.
    let again = plan(&topology, &live).unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn moving_a_vpc_to_a_transit_gateway_replaces_its_vpn_connections() {
    let five = topology(&aws_vpc_with_tunnels("", 5));
    let live = applied(&plan(&five, &[]).unwrap(), &[]);
    let six = topology(&aws_vpc_with_tunnels("", 6));
    let plan = plan(&six, &live).unwrap();
    let action = |kind: ResourceKind, address: &str| {
        plan.changes.iter().find(|c| c.id == ResourceId::new(kind, address)).map(|c| c.action)
    };
    assert_eq!(action(ResourceKind::AwsVpnGateway, "app"), Some(Action::Delete));
    assert_eq!(action(ResourceKind::AwsTransitGateway, "app"), Some(Action::Create));
    for n in 1..=5 {
        let connection =
            plan.changes.iter().find(|c| c.id == ResourceId::new(ResourceKind::AwsVpnConnection, format!("t{n}.0")));
        let connection = connection.unwrap();
        assert_eq!(connection.action, Action::DeleteThenCreate, "t{n}");
        let reason = connection.attrs.iter().find(|a| a.name == "transit_gateway_id").unwrap();
        assert!(reason.forces_replacement);
    }
}

#[test]
fn adjustable_regional_defaults_are_counted_per_region() {
    // 26 AWS-GCP tunnels from one VPC: 52 VPN connections and customer gateways in us-east-1.
    let (_, desired) = crate::plan(&topology(&aws_vpc_with_tunnels("", 26)), &[]).unwrap();
    let warnings: Vec<String> = crate::quota::check_defaults(&desired).iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "aws.prod us-east-1 would hold 52 customer gateways of this stack alone; the default quota is 50 per region (adjustable: request an increase before applying)",
            "aws.prod us-east-1 would hold 52 VPN connections of this stack alone; the default quota is 50 per region (adjustable: request an increase before applying)",
        ]
    );
    let (_, desired) = crate::plan(&topology(&aws_vpc_with_tunnels("", 25)), &[]).unwrap();
    assert_eq!(crate::quota::check_defaults(&desired), []);
}

#[test]
fn azure_public_addresses_are_zone_redundant_only_where_the_region_has_zones() {
    let zoned = crate::plan(
        &topology(&format!("{THREE_CLOUDS}\ntunnel \"t\" {{\n  between = [network.app, network.hub]\n}}\n")),
        &[],
    )
    .unwrap()
    .1;
    let ip = |desired: &crate::Desired| {
        desired.resources[&ResourceId::new(ResourceKind::AzurePublicIp, "hub.vpn0")].attrs["zones"].clone()
    };
    assert_eq!(ip(&zoned), Value::List(["1", "2", "3"].map(Value::string).to_vec()));
    let zoneless = THREE_CLOUDS.replace("region       = \"westeurope\"", "region       = \"westus\"");
    let zoneless = crate::plan(
        &topology(&format!("{zoneless}\ntunnel \"t\" {{\n  between = [network.app, network.hub]\n}}\n")),
        &[],
    )
    .unwrap()
    .1;
    assert_eq!(ip(&zoneless), Value::List(Vec::new()));
}

#[test]
fn a_live_gateway_subnet_stays_where_it_is() {
    // With a subnet at the top of its range, the hub's GatewaySubnet goes just below it.
    let with_top = THREE_CLOUDS.replace(
        "  subnet \"workloads\" {\n    cidr = \"10.20.1.0/24\"\n  }\n",
        "  subnet \"workloads\" {\n    cidr = \"10.20.1.0/24\"\n  }\n  subnet \"top\" {\n    cidr = \"10.20.255.0/24\"\n  }\n",
    ) + "tunnel \"t\" {\n  between = [network.app, network.hub]\n}\n";
    let topology_with_top = topology(&with_top);
    let live = applied(&plan(&topology_with_top, &[]).unwrap(), &[]);
    let gateway_subnet = |plan: &Plan| {
        plan.changes.iter().find(|c| c.id == ResourceId::new(ResourceKind::AzureSubnet, "hub.GatewaySubnet")).cloned()
    };
    // Without the top subnet, a fresh plan would take the top /27; the live one is kept.
    let without_top = with_top.replace("  subnet \"top\" {\n    cidr = \"10.20.255.0/24\"\n  }\n", "");
    let fresh = plan(&topology(&without_top), &[]).unwrap();
    assert_eq!(gateway_subnet(&fresh).unwrap().after["address_prefix"], Value::string("10.20.255.224/27"));
    let next = plan(&topology(&without_top), &live).unwrap();
    let kept = gateway_subnet(&next).unwrap();
    assert_eq!(kept.action, Action::NoOp, "{}", render::text(&next));
    assert_eq!(kept.after["address_prefix"], Value::string("10.20.254.224/27"));
}
