//! The configuration a host gets for a tunnel to each cloud, checked against what the cloud side
//! was given: the plan is applied to the simulator (which makes up addresses as the clouds do),
//! and the host's connections are rendered from its resolved resources.

use super::swanctl::{Connection, connection_name, render};
use isopod_catalog::{Attrs, OutputRef, Ownership, Resource, ResourceId, ResourceKind, Value};
use isopod_provider::{Created, Provider};
use isopod_simulator::{Simulator, ready};
use std::collections::BTreeMap;

/// `peer` (a network block or a second host) tunnelled to host `dc` with `routing`.
fn topology(peer: &str, routing: &str) -> isopod_lang::Topology {
    let text = format!(
        r#"stack "edge" {{}}
cloud "aws" "prod" {{
  region = "us-east-1"
}}
cloud "gcp" "data" {{
  project = "acme-data"
  region  = "us-central1"
}}
cloud "azure" "corp" {{
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}}
network "aws" {{
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
}}
network "gcp" {{
  cloud = cloud.gcp.data
  cidr  = "10.2.0.0/16"
}}
network "azure" {{
  cloud = cloud.azure.corp
  cidr  = "10.3.0.0/16"
}}
host "dc" {{
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
  connection = "local"
}}
host "branch" {{
  address = "203.0.113.9"
  cidrs   = ["192.168.1.0/24"]
  connection = "local"
}}
tunnel "t" {{
  between = [{peer}, host.dc]
  routing = "{routing}"
  ha      = false
}}
"#
    );
    isopod_test_support::topology(&text)
}

/// The plan of `topology` created in a simulator, in plan order, with outputs passed on: every
/// resource with its attributes resolved.
fn applied(topology: &isopod_lang::Topology) -> BTreeMap<ResourceId, Attrs> {
    let (plan, _) = isopod_planner::plan(topology, &[]).unwrap();
    let simulator = Simulator::in_memory();
    let mut created: BTreeMap<ResourceId, Created> = BTreeMap::new();
    let mut resolved = BTreeMap::new();
    for change in &plan.changes {
        let mut attrs: Attrs = (*change.after).clone();
        let output = |wanted: &OutputRef| {
            created.get(&wanted.resource).and_then(|live| wanted.value_in(&live.provider_id, &live.outputs))
        };
        for (_, value) in attrs.iter_mut() {
            value.fill(&output, &|name| Some(format!("key-of-{name}"))).unwrap();
        }
        let resource = Resource {
            id: change.id.clone(),
            scope: change.scope.clone(),
            attrs: attrs.clone().into(),
            depends_on: Vec::new(),
            object: change.object.clone(),
        };
        let owner = Ownership { stack: plan.stack.clone(), id: change.id.clone() };
        let made = ready(simulator.provider(change.id.kind.cloud()).create(&resource, &owner)).unwrap();
        // Shown with the attributes: the outputs the host's side was given.
        attrs.extend(made.outputs.clone());
        created.insert(change.id.clone(), made);
        resolved.insert(change.id.clone(), attrs);
    }
    resolved
}

/// The host's configuration, and the cloud side's parameters it must agree with.
fn host_view(peer: &str, routing: &str) -> String {
    let resources = applied(&topology(peer, routing));
    let host: Vec<(&ResourceId, &Attrs)> = resources
        .iter()
        .filter(|(id, _)| id.kind == ResourceKind::HostIpsecTunnel && id.address.starts_with("dc."))
        .collect();
    let keys: Vec<String> = host
        .iter()
        .map(|(_, attrs)| match &attrs["psk"] {
            Value::String(key) => key.clone(),
            _ => String::new(),
        })
        .collect();
    let connections: Vec<Connection<'_>> = host
        .iter()
        .zip(&keys)
        .map(|((id, attrs), psk)| Connection { name: connection_name(&id.address), attrs, psk })
        .collect();
    // Every connection reaches an address the other side was given.
    for (id, attrs) in &host {
        let remote = &attrs["remote_address"];
        let given = resources.iter().filter(|(other, _)| !other.address.starts_with("dc.")).any(|(_, other)| {
            other.values().any(|value| value == remote || matches!(value, Value::List(items) if items.contains(remote)))
        });
        assert!(given, "{id}: {remote} is no address of the other side");
    }
    let mut out = String::from("# The other side, as the plan and the simulated clouds gave it:\n");
    let shown = [
        "address",
        "local_address",
        "remote_address",
        "local_ts",
        "remote_ts",
        "interface0_ip",
        "interface1_ip",
        "tunnel1_address",
        "tunnel2_address",
        "tunnel1_inside_cidr",
        "tunnel2_inside_cidr",
        "bgp_asn",
        "amazon_side_asn",
        "ip_range",
        "peer_ip_address",
        "peer_asn",
        "asn",
        "ike_version",
        "ip_address",
        "gateway_address",
        "bgp_settings",
    ];
    for (id, attrs) in resources.iter().filter(|(id, _)| !id.address.starts_with("dc.")) {
        let values: Vec<String> =
            shown.iter().filter_map(|name| Some(format!("{name} = {}", attrs.get(*name)?))).collect();
        if !values.is_empty() {
            out.push_str(&format!("# {id}: {}\n", values.join(", ")));
        }
    }
    out.push('\n');
    out.push_str(&render(&connections));
    out
}

#[test]
fn a_host_tunnel_to_aws_matches_the_vpn_connection() {
    insta::assert_snapshot!("aws_static", host_view("network.aws", "static"));
    insta::assert_snapshot!("aws_bgp", host_view("network.aws", "bgp"));
}

#[test]
fn a_host_tunnel_to_gcp_matches_the_router_peer() {
    insta::assert_snapshot!("gcp_bgp", host_view("network.gcp", "bgp"));
}

#[test]
fn a_host_tunnel_to_azure_matches_the_gateway() {
    insta::assert_snapshot!("azure_bgp", host_view("network.azure", "bgp"));
    insta::assert_snapshot!("azure_static", host_view("network.azure", "static"));
}

#[test]
fn a_host_to_host_tunnel_mirrors_the_other_end() {
    insta::assert_snapshot!("host_static", host_view("host.branch", "static"));
}

#[test]
fn keys_are_quoted_and_names_are_section_names() {
    let attrs: Attrs =
        [("local_address".into(), Value::string("198.51.100.7")), ("remote_address".into(), Value::string("52.1.2.3"))]
            .into();
    let text = render(&[Connection { name: connection_name("dc.t/0"), attrs: &attrs, psk: "a\"b\\c" }]);
    assert!(text.contains("  isopod-dc-t-0 {"), "{text}");
    assert!(text.contains("secret = \"a\\\"b\\\\c\""), "{text}");
}
