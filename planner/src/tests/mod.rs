use crate::{Action, Live, Plan, lower, render};
use isopod_catalog::{ObservedResource, Ownership, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_test_support::topology;
use std::collections::{BTreeMap, BTreeSet};

const THREE_CLOUDS: &str = r#"
stack "demo" {
  tags = { team = "net" }
}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "azure" "corp" {
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.prod
  cidr  = "10.10.0.0/16"
  subnet "a" {
    cidr = "10.10.1.0/24"
    zone = "us-east-1a"
  }
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.20.0.0/16"
  subnet "workloads" {
    cidr = "10.20.1.0/24"
  }
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.30.0.0/16"
}
"#;

fn plan(topology: &Topology, observed: &[ObservedResource]) -> Result<Plan, crate::PlanError> {
    crate::plan(topology, observed).map(|(plan, _)| plan)
}

/// What a provider would observe after applying every change of `plan` (ids and outputs made
/// up, outputs stored as attributes as providers report them).
fn applied(plan: &Plan, before: &[ObservedResource]) -> Vec<ObservedResource> {
    let mut live: Vec<ObservedResource> = before.to_vec();
    let mut ids: BTreeMap<ResourceId, String> = BTreeMap::new();
    for resource in before {
        if let Some(owner) = &resource.owner {
            ids.insert(owner.id.clone(), resource.provider_id.clone());
        }
    }
    for (n, change) in plan.changes.iter().enumerate() {
        // Untaggable kinds are found under their natural address: matched by cloud id.
        let owned_by = |r: &ObservedResource| {
            r.owner.as_ref().is_some_and(|o| o.id == change.id)
                || change.provider_id.as_ref().is_some_and(|id| *id == r.provider_id)
        };
        match change.action {
            Action::NoOp => {}
            Action::Delete => live.retain(|r| !owned_by(r)),
            _ => {
                live.retain(|r| !owned_by(r));
                let provider_id = format!("{}-{n}", change.id.kind);
                ids.insert(change.id.clone(), provider_id.clone());
                fn resolve(value: &Value, ids: &BTreeMap<ResourceId, String>) -> Value {
                    match value {
                        Value::Output(output) if output.output == "id" => Value::string(&ids[&output.resource]),
                        Value::Output(output) => Value::string(format!("{}-of-{}", output.output, output.resource)),
                        Value::List(items) => Value::List(items.iter().map(|item| resolve(item, ids)).collect()),
                        Value::Map(entries) => {
                            Value::Map(entries.iter().map(|(k, v)| (k.clone(), resolve(v, ids))).collect())
                        }
                        other => other.clone(),
                    }
                }
                let mut attrs: BTreeMap<String, Value> =
                    change.after.iter().map(|(name, value)| (name.clone(), resolve(value, &ids))).collect();
                // The outputs the clouds report for a kind, whoever reads them.
                for output in change.id.kind.spec().outputs {
                    attrs.insert(output.name.to_string(), Value::string(format!("{}-of-{}", output.name, change.id)));
                }
                // What the cloud cannot tag is reported by its natural key, as providers do.
                let id = match change.id.kind.natural_address(&attrs) {
                    Some(address) => ResourceId::new(change.id.kind, address),
                    None => change.id.clone(),
                };
                live.push(ObservedResource {
                    provider_id,
                    kind: change.id.kind,
                    scope: change.scope.clone(),
                    attrs,
                    owner: Some(Ownership { stack: plan.stack.clone(), id }),
                });
            }
        }
    }
    live
}

#[test]
fn first_plan_creates_every_resource_in_dependency_order() {
    let plan = plan(&topology(THREE_CLOUDS), &[]).unwrap();
    insta::assert_snapshot!(render::text(&plan));
    let position = |kind: ResourceKind, address: &str| {
        plan.changes.iter().position(|c| c.id == ResourceId::new(kind, address)).unwrap()
    };
    assert!(position(ResourceKind::AwsVpc, "app") < position(ResourceKind::AwsSubnet, "app.a"));
    assert!(position(ResourceKind::AzureResourceGroup, "corp") < position(ResourceKind::AzureVirtualNetwork, "hub"));
    assert!(position(ResourceKind::AzureVirtualNetwork, "hub") < position(ResourceKind::AzureSubnet, "hub.workloads"));
    assert!(position(ResourceKind::GcpNetwork, "analytics") < position(ResourceKind::GcpSubnetwork, "analytics"));
}

#[test]
fn planning_after_apply_yields_no_changes() {
    let topology = topology(THREE_CLOUDS);
    let first = plan(&topology, &[]).unwrap();
    let live = applied(&first, &[]);
    let second = plan(&topology, &live).unwrap();
    assert!(second.is_empty(), "{}", render::text(&second));
    assert_eq!(render::text(&second), "No changes: the live resources of stack `demo` match the configuration.\n");
}

#[test]
fn unowned_and_foreign_resources_are_never_touched() {
    let topology = topology(THREE_CLOUDS);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
    live.push(ObservedResource {
        provider_id: "vpc-someone-elses".into(),
        kind: ResourceKind::AwsVpc,
        scope: scope.clone(),
        attrs: BTreeMap::new(),
        owner: None,
    });
    live.push(ObservedResource {
        provider_id: "vpc-other-stack".into(),
        kind: ResourceKind::AwsVpc,
        scope,
        attrs: BTreeMap::new(),
        owner: Some(Ownership { stack: "other".into(), id: ResourceId::new(ResourceKind::AwsVpc, "app") }),
    });
    let plan = plan(&topology, &live).unwrap();
    assert!(plan.is_empty(), "{}", render::text(&plan));
    assert!(
        plan.changes
            .iter()
            .all(|c| c.provider_id.as_deref().is_none_or(|id| !id.contains("someone") && !id.contains("other")))
    );
}

#[test]
fn changed_ranges_replace_and_changed_tags_update() {
    let before = topology(THREE_CLOUDS);
    let live = applied(&plan(&before, &[]).unwrap(), &[]);
    let after = THREE_CLOUDS
        .replace("cidr = \"10.10.1.0/24\"", "cidr = \"10.10.2.0/24\"")
        .replace("tags = { team = \"net\" }", "tags = { team = \"netops\" }");
    let plan = plan(&topology(&after), &live).unwrap();
    let action =
        |kind, address: &str| plan.changes.iter().find(|c| c.id == ResourceId::new(kind, address)).unwrap().action;
    assert_eq!(action(ResourceKind::AwsSubnet, "app.a"), Action::DeleteThenCreate);
    assert_eq!(action(ResourceKind::AwsVpc, "app"), Action::Update);
    assert_eq!(action(ResourceKind::GcpNetwork, "analytics"), Action::NoOp, "GCP networks carry no labels");
    insta::assert_snapshot!(render::text(&plan));
}

#[test]
fn removed_objects_are_deleted_children_first_and_called_out() {
    let before = topology(THREE_CLOUDS);
    let live = applied(&plan(&before, &[]).unwrap(), &[]);
    let start = THREE_CLOUDS.find("network \"hub\"").unwrap();
    let end = THREE_CLOUDS.find("network \"analytics\"").unwrap();
    let after = format!("{}{}", &THREE_CLOUDS[..start], &THREE_CLOUDS[end..]);
    let plan = plan(&topology(&after), &live).unwrap();
    let deleted: Vec<String> =
        plan.changes.iter().filter(|c| c.action == Action::Delete).map(|c| c.id.to_string()).collect();
    assert_eq!(deleted, ["azure_subnet.hub.workloads", "azure_virtual_network.hub", "azure_resource_group.corp"]);
    insta::assert_snapshot!(render::text(&plan));
}

#[test]
fn lowering_is_stable_when_the_topology_grows() {
    let small = lower(&topology(THREE_CLOUDS), &Live::default()).unwrap();
    let grown = lower(
        &topology(&format!(
            "{THREE_CLOUDS}\nnetwork \"extra\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.40.0.0/16\"\n}}\n"
        )),
        &Live::default(),
    )
    .unwrap();
    for (id, resource) in &small.resources {
        assert_eq!(grown.resources.get(id), Some(resource), "{id} changed when a network was added");
    }
}

const AWS_GCP: &str = r#"
stack "demo" {}
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
tunnel "app-analytics" {
  between = [network.app, network.analytics]
}
"#;

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
fn adding_a_tunnel_never_moves_existing_allocations() {
    let topology_one = topology(AWS_GCP);
    let live = applied(&plan(&topology_one, &[]).unwrap(), &[]);
    // A second GCP network and a tunnel whose name sorts before the first one.
    let grown = format!(
        "{AWS_GCP}\nnetwork \"bi\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.30.0.0/16\"\n}}\ntunnel \"aa-first\" {{\n  between = [network.app, network.bi]\n}}\n"
    );
    let plan = plan(&topology(&grown), &live).unwrap();
    for change in plan
        .changes
        .iter()
        .filter(|c| c.id.address.starts_with("app-analytics") || c.id.address == "app" || c.id.address == "analytics")
    {
        assert_eq!(change.action, Action::NoOp, "{} changed: {:?}", change.id, change.attrs);
    }
    assert!(plan.changes.iter().any(|c| c.id.address.starts_with("aa-first") && c.action == Action::Create));
}

#[test]
fn unsupported_layouts_are_reported_not_dropped_silently() {
    let text = format!(
        "{THREE_CLOUDS}\nhost \"dc\" {{\n  address = \"198.51.100.7\"\n  cidrs   = [\"192.168.0.0/24\"]\n}}\ntunnel \"x\" {{\n  between = [network.hub, host.dc]\n}}\ntunnel \"y\" {{\n  between = [network.app, network.hub]\n  ike {{\n    integrity = [\"sha512\"]\n  }}\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    assert_eq!(desired.unplanned, [("tunnel.y".to_string(), "its IKE integrity lists nothing Azure supports")]);
    // Nothing was allocated or lowered for it; the Azure-host tunnel beside it is planned.
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("y.")));
    assert!(desired.resources.keys().any(|id| id.address.starts_with("x.")));
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
fn aws_vpc_with_tunnels(app_settings: &str, tunnels: usize) -> String {
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

mod ordering;

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A configuration of `aws` AWS networks, `gcp` GCP networks and tunnels between the pairs
    /// listed (AWS index, GCP index).
    fn configuration(aws: usize, gcp: usize, tunnels: &BTreeSet<(usize, usize)>) -> String {
        let mut text = String::from(
            "stack \"p\" {}\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\ncloud \"gcp\" \"data\" {\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}\n",
        );
        for n in 0..aws {
            text.push_str(&format!("network \"a{n}\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.{n}.0.0/16\"\n}}\n"));
        }
        for n in 0..gcp {
            text.push_str(&format!(
                "network \"g{n}\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.{}.0.0/16\"\n}}\n",
                100 + n
            ));
        }
        for (a, g) in tunnels {
            text.push_str(&format!("tunnel \"t{a}-{g}\" {{\n  between = [network.a{a}, network.g{g}]\n}}\n"));
        }
        text
    }

    fn pairs() -> impl Strategy<Value = (BTreeSet<(usize, usize)>, (usize, usize))> {
        // At most 3 GCP networks, so an AWS network never exceeds its 10 VPN connections.
        (prop::collection::btree_set((0..3usize, 0..3usize), 1..7), (0..3usize, 0..3usize))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn adding_or_removing_a_tunnel_leaves_the_others_alone((tunnels, toggled) in pairs()) {
            let before = topology(&configuration(3, 3, &tunnels));
            let mut live = applied(&plan(&before, &[]).unwrap(), &[]);
            // Someone else's resources in the same account are never in a change.
            live.push(ObservedResource {
                provider_id: "vpc-foreign".into(),
                kind: ResourceKind::AwsVpc,
                scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
                attrs: BTreeMap::new(),
                owner: None,
            });
            let mut after_tunnels = tunnels.clone();
            if !after_tunnels.remove(&toggled) {
                after_tunnels.insert(toggled);
            }
            let after = topology(&configuration(3, 3, &after_tunnels));
            let plan = plan(&after, &live).unwrap();
            let toggled_name = format!("t{}-{}", toggled.0, toggled.1);
            for change in &plan.changes {
                prop_assert!(change.provider_id.as_deref() != Some("vpc-foreign"));
                // What is found by its natural key (a router's BGP peer) is deleted under it,
                // which holds the toggled tunnel's cloud name.
                let natural = change.id.kind.natural_key().next().is_some();
                let of_toggled = change.id.address.starts_with(&format!("{toggled_name}."))
                    || change.id.address == toggled_name
                    || (natural && change.id.address.contains(&format!("-{toggled_name}-")));
                if !of_toggled && change.action != Action::NoOp {
                    // Only the gateways a first tunnel needs (or a last one leaves) may appear.
                    let shared = matches!(
                        change.id.kind,
                        ResourceKind::AwsVpnGateway | ResourceKind::AwsVpnGatewayRoutePropagation | ResourceKind::GcpHaVpnGateway | ResourceKind::GcpRouter
                    );
                    prop_assert!(shared, "{} changed ({:?}) when {toggled_name} was toggled", change.id, change.action);
                }
            }
            let live = applied(&plan, &live);
            let again = super::plan(&after, &live).unwrap();
            prop_assert!(again.is_empty(), "{}", render::text(&again));
        }
    }
}

#[test]
fn untaggable_resources_are_matched_by_their_natural_key() {
    let text = r#"
stack "routes" {}
cloud "aws" "east" {
  region = "us-east-1"
}
network "a" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "b" {
  cloud = cloud.aws.east
  cidr  = "10.2.0.0/16"
}
"#;
    let with_tunnel = format!("{text}tunnel \"t\" {{\n  between = [network.a, network.b]\n}}\n");
    let first = plan(&topology(&with_tunnel), &[]).unwrap();
    let live = applied(&first, &[]);
    let routes: Vec<&ObservedResource> = live.iter().filter(|r| r.kind == ResourceKind::AwsRoute).collect();
    assert_eq!(routes.len(), 2);
    let address = &routes[0].owner.as_ref().unwrap().id.address;
    assert!(address.starts_with("main_route_table_id-of-aws_vpc.") && address.contains(":10."), "{address}");
    let again = plan(&topology(&with_tunnel), &live).unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
    // Without the tunnel, the routes are deleted under the address they were found by.
    let without = plan(&topology(text), &live).unwrap();
    let deleted: Vec<&crate::Change> =
        without.changes.iter().filter(|c| c.id.kind == ResourceKind::AwsRoute && c.action == Action::Delete).collect();
    assert_eq!(deleted.len(), 2, "{}", render::text(&without));
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
fn endpoints_are_private_endpoints_of_each_cloud() {
    let text = format!(
        "{THREE_CLOUDS}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\nendpoint \"db\" {{\n  network = network.hub\n  service = \"db.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice\"\n}}\nendpoint \"bq\" {{\n  network = network.analytics\n  service = \"projects/p/regions/us-central1/serviceAttachments/bq\"\n}}\nrelay \"s3-far\" {{\n  endpoint    = endpoint.s3\n  to          = [network.analytics, network.hub]\n  private_dns = false\n}}\nrelay \"s3-hub\" {{\n  endpoint    = endpoint.s3\n  to          = [network.hub]\n  private_dns = false\n}}\n"
    );
    let topology = topology(&text);
    let plan = plan(&topology, &[]).unwrap();
    let find = |id: &str| plan.changes.iter().find(|c| c.id.to_string() == id).unwrap_or_else(|| panic!("{id}"));
    let s3 = find("aws_vpc_endpoint.s3");
    assert_eq!(s3.after["vpc_endpoint_type"], Value::string("Interface"));
    assert!(matches!(&s3.after["subnet_ids"], Value::List(ids) if ids.len() == 1), "all the network's subnets");
    // Its own security group admits its network and every relay consumer, each once (the VPC's
    // default group would admit only its own members).
    let group = find("aws_security_group.s3");
    let ranges = ["10.10.0.0/16", "10.30.0.0/16", "10.20.0.0/16"];
    assert_eq!(group.after["ingress_cidr_blocks"], Value::List(ranges.map(Value::string).to_vec()));
    assert!(matches!(&s3.after["security_group_ids"], Value::List(ids) if ids.len() == 1));
    // Both carry the stack's tags besides their Name.
    for resource in [s3, group] {
        let tags = [("Name", "demo-s3"), ("team", "net")].map(|(k, v)| (k.to_string(), Value::string(v)));
        assert_eq!(resource.after["tags"], Value::Map(tags.into()));
    }
    find("azure_private_endpoint.db");
    assert_eq!(
        find("gcp_forwarding_rule.bq").after["target"],
        Value::string("projects/p/regions/us-central1/serviceAttachments/bq")
    );
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
fn relays_publish_the_service_name_in_each_consumer_cloud() {
    // An S3 endpoint in AWS, relayed to a GCP network, two Azure networks of one cloud block and
    // an AWS network in another region.
    let text = format!(
        "{THREE_CLOUDS}\ncloud \"aws\" \"west\" {{\n  region = \"us-west-2\"\n}}\nnetwork \"west\" {{\n  cloud = cloud.aws.west\n  cidr  = \"10.40.0.0/16\"\n}}\nnetwork \"spoke\" {{\n  cloud = cloud.azure.corp\n  cidr  = \"10.50.0.0/16\"\n}}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\nrelay \"s3-far\" {{\n  endpoint = endpoint.s3\n  to       = [network.analytics, network.hub, network.spoke, network.west]\n}}\n"
    );
    let topology = topology(&text);
    let (plan, desired) = crate::plan(&topology, &[]).unwrap();
    assert_eq!(desired.unplanned, []);
    let get = |kind: ResourceKind, address: &str| &desired.resources[&ResourceId::new(kind, address)];
    let addresses = Value::Output(isopod_catalog::OutputRef {
        resource: ResourceId::new(ResourceKind::AwsVpcEndpoint, "s3"),
        output: "ip_addresses".into(),
    });
    // AWS, in another region: a private hosted zone associated with the VPC, and an A record.
    let zone = get(ResourceKind::AwsRoute53Zone, "s3-far.west");
    assert_eq!(zone.attrs["name"], Value::string("s3.us-east-1.amazonaws.com"));
    assert_eq!(zone.attrs["vpc_region"], Value::string("us-west-2"));
    assert_eq!(zone.scope.region, "us-west-2");
    let record = get(ResourceKind::AwsRoute53Record, "s3-far.west");
    assert_eq!(record.attrs["records"], addresses);
    assert_eq!(record.attrs["type"], Value::string("A"));
    // Azure: one zone in the cloud block's resource group, linked to both networks.
    assert_eq!(get(ResourceKind::AzurePrivateDnsZone, "s3-far.corp").attrs["name"], zone.attrs["name"]);
    assert_eq!(get(ResourceKind::AzurePrivateDnsARecord, "s3-far.corp").attrs["records"], addresses);
    for consumer in ["hub", "spoke"] {
        let link = get(ResourceKind::AzurePrivateDnsZoneLink, &format!("s3-far.{consumer}"));
        assert_eq!(link.attrs["registration_enabled"], Value::Bool(false));
    }
    // GCP: a private managed zone visible to the network, with the name's trailing dot.
    let gcp = get(ResourceKind::GcpDnsManagedZone, "s3-far.analytics");
    assert_eq!(gcp.attrs["dns_name"], Value::string("s3.us-east-1.amazonaws.com."));
    assert_eq!(gcp.attrs["visibility"], Value::string("private"));
    assert_eq!(gcp.scope.region, "global");
    let is_dns = |kind: ResourceKind| kind.name().contains("dns") || kind.name().contains("route53");
    let dns_changes = plan.changes.iter().filter(|c| c.object == "relay.s3-far" && is_dns(c.id.kind));
    assert_eq!(dns_changes.count(), 8, "AWS zone and record, Azure zone, record and two links, GCP zone and record");
    let again = crate::plan(&topology, &applied(&plan, &[])).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));

    // A consumer the plan cannot connect gets no DNS; `private_dns = false` publishes nothing.
    let off = text.replace("  to       = [", "  private_dns = false\n  to       = [");
    let (_, desired) = crate::plan(&crate::tests::topology(&off), &[]).unwrap();
    assert!(!desired.resources.keys().any(|id| is_dns(id.kind)));
}

#[test]
fn relays_connect_the_consumers_the_configuration_does_not() {
    let text = format!(
        "{AWS_GCP}\nnetwork \"west\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.30.0.0/16\"\n}}\nnetwork \"lake\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.40.0.0/16\"\n}}\nendpoint \"svc\" {{\n  network = network.analytics\n  service = \"projects/p/regions/us-central1/serviceAttachments/svc\"\n}}\nrelay \"r\" {{\n  endpoint    = endpoint.svc\n  to          = [network.app, network.west, network.lake]\n  private_dns = false\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    // analytics-lake would be a GCP peering, across which a Private Service Connect endpoint is
    // not reachable: left out, and said so.
    let reason = "a GCP Private Service Connect endpoint is not reachable over VPC peering, and HA VPN between two GCP networks is not planned yet";
    let peering_refused = ("relay.r (r/analytics~lake)".to_string(), reason);
    assert_eq!(desired.unplanned, std::slice::from_ref(&peering_refused));
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("r/analytics~lake")));
    // analytics-app is already connected: the relay reuses that tunnel.
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("r/analytics~app")));
    // analytics-west gets the AWS-GCP layout, as the relay's.
    let external = &desired.resources[&ResourceId::new(ResourceKind::GcpExternalVpnGateway, "r/analytics~west")];
    assert_eq!(external.object, "relay.r");
    let with_dns = text.replace("  private_dns = false\n", "");
    let desired = lower(&topology(&with_dns), &Live::default()).unwrap();
    // A GCP service attachment has no name Isopod can tell: the relay's DNS waits for `dns_name`.
    let dns = ("relay.r.private_dns".to_string(), crate::lower::dns::NO_NAME);
    assert_eq!(desired.unplanned, [peering_refused, dns]);
}

#[test]
fn a_gcp_endpoint_relayed_to_a_peered_gcp_network_publishes_no_name_there() {
    // The written tunnel peers the two GCP networks; the endpoint is not reachable across it, so
    // the relay is refused and the consumer gets no zone with the service's name either.
    let text = format!(
        "{AWS_GCP}\nnetwork \"lake\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.40.0.0/16\"\n}}\ntunnel \"analytics-lake\" {{\n  between = [network.analytics, network.lake]\n}}\nendpoint \"svc\" {{\n  network  = network.analytics\n  service  = \"projects/p/regions/us-central1/serviceAttachments/svc\"\n  dns_name = \"svc.partner.example.com\"\n}}\nrelay \"r\" {{\n  endpoint = endpoint.svc\n  to       = [network.lake]\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    assert!(
        desired.unplanned.iter().any(|(label, _)| label == "relay.r (r/analytics~lake)"),
        "{:?}",
        desired.unplanned
    );
    let dns = desired
        .resources
        .keys()
        .filter(|id| matches!(id.kind, ResourceKind::GcpDnsManagedZone | ResourceKind::GcpDnsRecordSet));
    assert_eq!(dns.count(), 0, "no zone in a network that cannot reach the endpoint");
}

#[test]
fn a_relay_does_not_double_a_written_tunnel_that_is_not_planned() {
    // The written AWS-Azure tunnel asks for an integrity Azure lacks: it is left out, and so is
    // the relay's connection beside it, which would collide with it once it is planned.
    let text = format!(
        "{THREE_CLOUDS}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\nrelay \"r\" {{\n  endpoint = endpoint.s3\n  to       = [network.hub]\n}}\ntunnel \"x\" {{\n  between = [network.app, network.hub]\n  ike {{\n    integrity = [\"sha512\"]\n  }}\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    let relies = "the tunnel the configuration has between the two networks is not planned";
    assert!(desired.unplanned.contains(&("relay.r (r/app~hub)".to_string(), relies)), "{:?}", desired.unplanned);
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("r/app~hub")));
    // Nor does the unreachable consumer get the service's name.
    assert!(!desired.resources.keys().any(|id| id.kind == ResourceKind::AzurePrivateDnsZone));
}

#[test]
fn an_aws_endpoint_without_subnets_takes_the_first_subnet_of_each_zone() {
    let text = "stack \"s\" {}\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\nnetwork \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.10.0.0/16\"\n  subnet \"a\" {\n    cidr = \"10.10.1.0/24\"\n    zone = \"us-east-1a\"\n  }\n  subnet \"a2\" {\n    cidr = \"10.10.2.0/24\"\n    zone = \"us-east-1a\"\n  }\n  subnet \"b\" {\n    cidr = \"10.10.3.0/24\"\n    zone = \"us-east-1b\"\n  }\n}\nendpoint \"s3\" {\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}\n";
    let desired = lower(&topology(text), &Live::default()).unwrap();
    let endpoint = &desired.resources[&ResourceId::new(ResourceKind::AwsVpcEndpoint, "s3")];
    let subnet =
        |name: &str| crate::lower::output(&ResourceId::new(ResourceKind::AwsSubnet, format!("app.{name}")), "id");
    assert_eq!(endpoint.attrs["subnet_ids"], Value::List(vec![subnet("a"), subnet("b")]));
}

/// One tunnel of every layout, with each `routing` and `ha` that can be planned: a snapshot of
/// its plan, the shape that matters for each, and no changes after it is applied.
#[test]
fn every_layout_variant_plans_and_converges() {
    const ENDS: &str = r#"
stack "v" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "azure" "corp" {
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "aws" {
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
}
network "aws2" {
  cloud = cloud.aws.prod
  cidr  = "10.2.0.0/16"
}
network "azure" {
  cloud = cloud.azure.corp
  cidr  = "10.3.0.0/16"
}
network "azure2" {
  cloud = cloud.azure.corp
  cidr  = "10.4.0.0/16"
}
network "gcp" {
  cloud = cloud.gcp.data
  cidr  = "10.5.0.0/16"
}
network "gcp2" {
  cloud = cloud.gcp.data
  cidr  = "10.6.0.0/16"
}
host "h" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
}
host "h2" {
  address = "203.0.113.9"
  cidrs   = ["192.168.1.0/24"]
}
"#;
    /// (name, ends, routing, ha, resources of the tunnel by kind)
    type Variant = (&'static str, &'static str, &'static str, bool, &'static [(ResourceKind, usize)]);
    let variants: &[Variant] = &[
        (
            "aws_gcp_ha",
            "network.aws, network.gcp",
            "bgp",
            true,
            &[(ResourceKind::AwsVpnConnection, 2), (ResourceKind::GcpVpnTunnel, 4)],
        ),
        (
            "aws_gcp_single",
            "network.aws, network.gcp",
            "bgp",
            false,
            &[(ResourceKind::AwsVpnConnection, 1), (ResourceKind::GcpVpnTunnel, 2)],
        ),
        (
            "aws_azure_ha",
            "network.aws, network.azure",
            "bgp",
            true,
            &[(ResourceKind::AwsVpnConnection, 2), (ResourceKind::AzureVpnConnection, 4)],
        ),
        (
            "aws_azure_single",
            "network.aws, network.azure",
            "bgp",
            false,
            &[(ResourceKind::AwsVpnConnection, 1), (ResourceKind::AzureVpnConnection, 2)],
        ),
        (
            "aws_azure_static",
            "network.aws, network.azure",
            "static",
            true,
            &[(ResourceKind::AwsVpnConnectionRoute, 2), (ResourceKind::AzureVpnConnection, 4)],
        ),
        (
            "aws_azure_static_single",
            "network.aws, network.azure",
            "static",
            false,
            &[(ResourceKind::AwsVpnConnectionRoute, 1), (ResourceKind::AzureVpnConnection, 2)],
        ),
        (
            "azure_gcp_ha",
            "network.azure, network.gcp",
            "bgp",
            true,
            &[(ResourceKind::AzureVpnConnection, 2), (ResourceKind::GcpVpnTunnel, 2)],
        ),
        (
            "azure_gcp_single",
            "network.azure, network.gcp",
            "bgp",
            false,
            &[(ResourceKind::AzureVpnConnection, 1), (ResourceKind::GcpVpnTunnel, 1)],
        ),
        (
            "aws_host_bgp",
            "network.aws, host.h",
            "bgp",
            true,
            &[(ResourceKind::AwsVpnConnection, 1), (ResourceKind::HostIpsecTunnel, 2)],
        ),
        (
            "aws_host_static",
            "network.aws, host.h",
            "static",
            true,
            &[(ResourceKind::AwsVpnConnectionRoute, 1), (ResourceKind::HostIpsecTunnel, 2)],
        ),
        (
            "gcp_host_ha",
            "network.gcp, host.h",
            "bgp",
            true,
            &[(ResourceKind::GcpVpnTunnel, 2), (ResourceKind::HostIpsecTunnel, 2)],
        ),
        (
            "azure_host_bgp",
            "network.azure, host.h",
            "bgp",
            true,
            &[(ResourceKind::AzureVpnConnection, 1), (ResourceKind::HostIpsecTunnel, 2)],
        ),
        (
            "azure_host_static_single",
            "network.azure, host.h",
            "static",
            false,
            &[(ResourceKind::AzureLocalNetworkGateway, 1), (ResourceKind::HostIpsecTunnel, 1)],
        ),
        (
            "gcp_host_single",
            "network.gcp, host.h",
            "bgp",
            false,
            &[(ResourceKind::GcpVpnTunnel, 1), (ResourceKind::HostIpsecTunnel, 1)],
        ),
        ("host_host_bgp", "host.h, host.h2", "bgp", true, &[(ResourceKind::HostIpsecTunnel, 2)]),
        ("host_host_static", "host.h, host.h2", "static", true, &[(ResourceKind::HostIpsecTunnel, 2)]),
        (
            "aws_peering",
            "network.aws, network.aws2",
            "bgp",
            true,
            &[(ResourceKind::AwsVpcPeeringConnection, 1), (ResourceKind::AwsRoute, 2)],
        ),
        (
            "azure_peering",
            "network.azure, network.azure2",
            "bgp",
            true,
            &[(ResourceKind::AzureVirtualNetworkPeering, 2)],
        ),
        ("gcp_peering", "network.gcp, network.gcp2", "bgp", true, &[(ResourceKind::GcpNetworkPeering, 2)]),
    ];
    for (name, ends, routing, ha, shape) in variants {
        let text =
            format!("{ENDS}tunnel \"t\" {{\n  between = [{ends}]\n  routing = \"{routing}\"\n  ha      = {ha}\n}}\n");
        let topology = topology(&text);
        let (plan, desired) = crate::plan(&topology, &[]).unwrap();
        assert_eq!(desired.unplanned, [], "{name}");
        let tunnel: Vec<&crate::Change> = plan.changes.iter().filter(|c| c.object == "tunnel.t").collect();
        for (kind, count) in *shape {
            assert_eq!(tunnel.iter().filter(|c| c.id.kind == *kind).count(), *count, "{name}: {kind}");
        }
        let only_tunnel = Plan { stack: plan.stack.clone(), changes: tunnel.into_iter().cloned().collect() };
        insta::assert_snapshot!(*name, render::text(&only_tunnel));
        let again = crate::plan(&topology, &applied(&plan, &[])).unwrap().0;
        assert!(again.is_empty(), "{name}:\n{}", render::text(&again));
    }
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
fn a_duplicate_of_an_owned_resource_is_deleted_and_the_other_kept() {
    let topology = topology(AWS_GCP);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    let vpc = live.iter().find(|r| r.kind == ResourceKind::AwsVpc).unwrap().clone();
    let copy = ObservedResource { provider_id: format!("{}-copy", vpc.provider_id), ..vpc.clone() };
    live.push(copy);
    let plan = plan(&topology, &live).unwrap();
    let changed: Vec<&crate::Change> = plan.changes.iter().filter(|c| c.action != Action::NoOp).collect();
    assert_eq!(changed.len(), 1, "{}", render::text(&plan));
    assert_eq!(changed[0].action, Action::Delete);
    assert_eq!(changed[0].provider_id.as_deref(), Some(format!("{}-copy", vpc.provider_id).as_str()));
    assert_eq!(changed[0].attrs[0].before, Some(Value::string(&vpc.provider_id)));
}

#[test]
fn names_the_clouds_would_refuse_as_duplicates_stop_the_plan() {
    // `a` with subnet `b-c` and `a-b` with subnet `c` are both `demo-a-b-c` on GCP.
    let text = "stack \"demo\" {}\ncloud \"gcp\" \"data\" {\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}\nnetwork \"a\" {\n  cloud = cloud.gcp.data\n  cidr  = \"10.1.0.0/16\"\n  subnet \"b-c\" {\n    cidr = \"10.1.1.0/24\"\n  }\n}\nnetwork \"a-b\" {\n  cloud = cloud.gcp.data\n  cidr  = \"10.2.0.0/16\"\n  subnet \"c\" {\n    cidr = \"10.2.1.0/24\"\n  }\n}\n";
    let err = plan(&topology(text), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "gcp_subnetwork.a-b.c and gcp_subnetwork.a.b-c would both be named `demo-a-b-c`; rename one of their objects"
    );
    // The same names in two regions are two different subnetworks.
    let apart = text.replace(
        "network \"a-b\" {\n  cloud = cloud.gcp.data",
        "network \"a-b\" {\n  cloud  = cloud.gcp.data\n  region = \"europe-west4\"",
    );
    assert!(plan(&topology(&apart), &[]).is_ok());
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
fn keys_read_back_from_a_cloud_are_never_shown_nor_compared_by_value() {
    let topology = topology(AWS_GCP);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    // A provider that reads keys back (AWS returns them to privileged callers) reports values.
    for resource in &mut live {
        for attr in resource.kind.spec().attrs.iter().filter(|attr| attr.sensitive()) {
            if resource.attrs.contains_key(attr.name) {
                resource.attrs.insert(attr.name.to_string(), Value::string("hunter2-live-key"));
            }
        }
    }
    let again = plan(&topology, &live).unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
    // Deleting everything shows every attribute but the keys.
    let empty = crate::tests::topology("stack \"demo\" {}\n");
    let deletes = plan(&empty, &live).unwrap();
    let text = render::text(&deletes);
    let json = serde_json::to_string(&deletes).unwrap();
    assert!(text.contains("shared_secret") && text.contains("(sensitive)"));
    assert!(!text.contains("hunter2") && !json.contains("hunter2"), "a live key leaked");
}

/// The plans of the examples (a mesh of three clouds and a host, endpoints with a relay and its
/// private DNS) and of a VPC on a transit gateway, in full.
#[test]
fn example_plans_are_snapshotted() {
    let examples = [
        ("two_cloud_tunnel", include_str!("../../../examples/two-cloud-tunnel/main.iso").to_string()),
        ("three_cloud_mesh", include_str!("../../../examples/three-cloud-mesh/main.iso").to_string()),
        ("endpoint_relay", include_str!("../../../examples/endpoint-relay/main.iso").to_string()),
        ("host_mesh", include_str!("../../../examples/host-mesh/main.iso").to_string()),
        ("gitops", include_str!("../../../examples/gitops/main.iso").to_string()),
        ("transit_gateway", aws_vpc_with_tunnels("  transit_gateway = true", 2)),
    ];
    for (name, text) in examples {
        let (plan, desired) = crate::plan(&topology(&text), &[]).unwrap();
        let unplanned: Vec<String> =
            desired.unplanned.iter().map(|(object, reason)| format!("# not planned: {object}: {reason}\n")).collect();
        insta::assert_snapshot!(format!("example_{name}"), format!("{}{}", unplanned.concat(), render::text(&plan)));
    }
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

#[test]
fn an_update_that_needs_a_replaced_resource_is_a_replacement() {
    let text = format!(
        "{THREE_CLOUDS}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\n"
    );
    let topology = topology(&text);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    // The live security group's description differs, which only a replacement can change.
    let group = live.iter_mut().find(|r| r.kind == ResourceKind::AwsSecurityGroup).unwrap();
    group.attrs.insert("description".into(), Value::string("made by hand"));
    let plan = plan(&topology, &live).unwrap();
    let change = |kind: ResourceKind| plan.changes.iter().find(|c| c.id == ResourceId::new(kind, "s3")).unwrap();
    assert_eq!(change(ResourceKind::AwsSecurityGroup).action, Action::DeleteThenCreate);
    // The endpoint would only have updated its group ids; it cannot keep the old group.
    let endpoint = change(ResourceKind::AwsVpcEndpoint);
    assert_eq!(endpoint.action, Action::DeleteThenCreate, "{}", render::text(&plan));
    assert!(endpoint.attrs.iter().any(|a| a.name == "(depends on)" && a.forces_replacement));
}

#[test]
fn existing_networks_are_used_by_their_live_ids_and_never_planned() {
    let text = r#"
stack "legacy" {}
cloud "aws" "east" {
  region = "us-east-1"
}
network "payments" {
  cloud    = cloud.aws.east
  cidr     = "172.16.0.0/16"
  existing = "vpc-1"

  subnet "a" {
    cidr = "172.16.1.0/24"
    zone = "us-east-1a"
  }
}
network "data" {
  cloud = cloud.aws.east
  cidr  = "10.31.0.0/16"
}
tunnel "t" {
  between = [network.payments, network.data]
}
endpoint "warehouse" {
  network = network.payments
  service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnets = ["a"]
}
"#;
    let scope = Scope { cloud: "aws.east".into(), region: "us-east-1".into() };
    let live = |kind, id: &str, attrs: &[(&str, &str)]| ObservedResource {
        provider_id: id.into(),
        kind,
        scope: scope.clone(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect(),
        owner: None,
    };
    let observed = [
        live(ResourceKind::AwsVpc, "vpc-1", &[("cidr_block", "172.16.0.0/16"), ("main_route_table_id", "rtb-1")]),
        live(ResourceKind::AwsSubnet, "subnet-1", &[("vpc_id", "vpc-1"), ("cidr_block", "172.16.1.0/24")]),
    ];
    let topology = topology(text);
    let plan = plan(&topology, &observed).unwrap();
    let change = |kind: ResourceKind, address: &str| {
        plan.changes
            .iter()
            .find(|c| c.id == ResourceId::new(kind, address))
            .unwrap_or_else(|| panic!("{kind}.{address}"))
    };
    assert!(plan.changes.iter().all(|c| c.object != "network.payments"), "{}", render::text(&plan));
    assert_eq!(change(ResourceKind::AwsVpcPeeringConnection, "t").after["vpc_id"], Value::string("vpc-1"));
    assert_eq!(change(ResourceKind::AwsRoute, "t.0").after["route_table_id"], Value::string("rtb-1"));
    let endpoint = change(ResourceKind::AwsVpcEndpoint, "warehouse");
    assert_eq!(endpoint.after["subnet_ids"], Value::List(vec![Value::string("subnet-1")]));
    assert_eq!(endpoint.after["vpc_id"], Value::string("vpc-1"));

    // Applied, nothing is left to change; without the live VPC, there is nothing to plan against.
    let applied = applied(&plan, &observed);
    assert!(self::plan(&topology, &applied).unwrap().is_empty());
    let err = self::plan(&topology, &observed[..0]).unwrap_err();
    assert_eq!(err.to_string(), "network `payments`: VPC vpc-1 is not in aws.east us-east-1");
    let err = self::plan(&topology, &observed[..1]).unwrap_err();
    assert!(err.to_string().contains("has no subnet 172.16.1.0/24 (subnet `a`)"), "{err}");
}

#[test]
fn existing_gcp_networks_are_used_by_name_and_never_planned() {
    let text = r#"
stack "legacy" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "shared" {
  cloud    = cloud.gcp.data
  cidr     = "10.128.0.0/16"
  existing = "shared-vpc"
}
network "lake" {
  cloud    = cloud.gcp.data
  cidr     = "10.60.0.0/16"
  existing = "lake"

  subnet "b" {
    cidr = "10.60.2.0/24"
  }
}
tunnel "t" {
  between = [network.app, network.shared]
}
tunnel "p" {
  between = [network.shared, network.lake]
}
endpoint "warehouse" {
  network = network.shared
  service = "projects/acme-dw/regions/us-central1/serviceAttachments/warehouse"
}
"#;
    let global = Scope { cloud: "gcp.data".into(), region: "global".into() };
    let central = Scope { cloud: "gcp.data".into(), region: "us-central1".into() };
    let live = |kind, id: &str, scope: &Scope, attrs: &[(&str, &str)]| ObservedResource {
        provider_id: id.into(),
        kind,
        scope: scope.clone(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect(),
        owner: None,
    };
    let subnetwork = |name: &str, network: &str, region: &str, range: &str| {
        let id = format!("projects/acme-data/regions/{region}/subnetworks/{name}");
        let attrs = [("name", name), ("network", network), ("region", region), ("ip_cidr_range", range)];
        live(ResourceKind::GcpSubnetwork, &id, &central, &attrs)
    };
    let observed = [
        live(
            ResourceKind::GcpNetwork,
            "projects/acme-data/global/networks/shared-vpc",
            &global,
            &[("name", "shared-vpc")],
        ),
        live(ResourceKind::GcpNetwork, "projects/acme-data/global/networks/lake", &global, &[("name", "lake")]),
        // Outside the network's range, in another region, then the first one within it.
        subnetwork("other", "shared-vpc", "us-central1", "192.168.0.0/24"),
        subnetwork("west", "shared-vpc", "us-west1", "10.128.9.0/24"),
        subnetwork("central-b", "shared-vpc", "us-central1", "10.128.4.0/24"),
        subnetwork("central-a", "shared-vpc", "us-central1", "10.128.0.0/20"),
        subnetwork("lake-b", "lake", "us-central1", "10.60.2.0/24"),
    ];
    let topology = topology(text);
    let plan = plan(&topology, &observed).unwrap();
    let change = |kind: ResourceKind, address: &str| {
        plan.changes
            .iter()
            .find(|c| c.id == ResourceId::new(kind, address))
            .unwrap_or_else(|| panic!("{kind}.{address}: {}", render::text(&plan)))
    };
    let planned_kinds = |kind: ResourceKind| plan.changes.iter().filter(|c| c.id.kind == kind).count();
    assert_eq!(planned_kinds(ResourceKind::GcpNetwork), 0, "{}", render::text(&plan));
    assert_eq!(planned_kinds(ResourceKind::GcpSubnetwork), 0, "{}", render::text(&plan));
    let network = Value::string("shared-vpc");
    assert_eq!(change(ResourceKind::GcpHaVpnGateway, "shared").after["network"], network);
    assert_eq!(change(ResourceKind::GcpRouter, "shared").after["network"], network);
    assert_eq!(change(ResourceKind::GcpForwardingRule, "warehouse").after["network"], network);
    assert_eq!(change(ResourceKind::GcpAddress, "warehouse").after["subnetwork"], Value::string("central-a"));
    let peering = change(ResourceKind::GcpNetworkPeering, "p.0");
    assert_eq!(peering.after["network"], network);
    assert_eq!(peering.after["peer_network"], Value::string("projects/acme-data/global/networks/lake"));
    assert_eq!(change(ResourceKind::GcpNetworkPeering, "p.1").after["network"], Value::string("lake"));

    // Applied, nothing is left to change.
    let applied = applied(&plan, &observed);
    assert!(self::plan(&topology, &applied).unwrap().is_empty());
    // Without the live networks (or a declared range, or any subnetwork for the endpoint), there
    // is nothing to plan against.
    let err = self::plan(&topology, &observed[2..]).unwrap_err().to_string();
    assert!(err.contains("network `shared`: project acme-data has no network `shared-vpc`"), "{err}");
    assert!(err.contains("network `lake`: project acme-data has no network `lake`"), "{err}");
    let err = self::plan(&topology, &observed[..6]).unwrap_err().to_string();
    assert_eq!(err, "network `lake`: network `lake` has no subnetwork 10.60.2.0/24 in us-central1 (subnet `b`)");
    let without_central = [&observed[..4], &observed[6..]].concat();
    let err = self::plan(&topology, &without_central).unwrap_err().to_string();
    assert!(err.contains("has no subnetwork in us-central1 within 10.128.0.0/16 for its endpoints"), "{err}");
}

#[test]
fn rotating_a_key_updates_what_can_change_it_and_replaces_what_cannot() {
    let topology = topology(
        r#"
stack "rot" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
}
network "data" {
  cloud = cloud.gcp.data
  cidr  = "10.2.0.0/16"
}
tunnel "t" {
  between = [network.app, network.data]
}
"#,
    );
    let first = plan(&topology, &[]).unwrap();
    let live = applied(&first, &[]);
    let gcp_tunnel = first.changes.iter().find(|c| c.id.kind == ResourceKind::GcpVpnTunnel).unwrap();
    let Some(Value::Sensitive(secret)) = gcp_tunnel.after.get("shared_secret") else {
        panic!("a GCP tunnel has a key")
    };
    let rotated = BTreeSet::from([secret.clone()]);
    let (again, _) = crate::plan_rotating(&topology, &live, &rotated).unwrap();
    let holders: Vec<&crate::Change> = again
        .changes
        .iter()
        .filter(|c| c.after.values().any(|v| matches!(v, Value::Sensitive(name) if *name == *secret)))
        .collect();
    assert!(holders.len() >= 2, "both ends hold the key");
    for change in &holders {
        let expected =
            if change.id.kind == ResourceKind::GcpVpnTunnel { Action::DeleteThenCreate } else { Action::Update };
        assert_eq!(change.action, expected, "{}", change.id);
    }
    let others = again.changes.iter().filter(|c| c.action != Action::NoOp).count();
    assert!(others >= holders.len(), "{}", render::text(&again));
    assert!(plan(&topology, &live).unwrap().is_empty(), "without --rotate, nothing changes");
}

#[test]
fn plans_render_as_pull_request_comments_split_under_the_limit() {
    let topology = topology(THREE_CLOUDS);
    let first = plan(&topology, &[]).unwrap();
    let heading = |title| render::Heading { key: "net/demo", title };
    let whole = render::markdown(&first, heading("Isopod plan for `demo` at abc1234"), "", render::COMMENT_LIMIT);
    assert_eq!(whole.len(), 1);
    insta::assert_snapshot!(whole[0]);

    // A small limit splits the same plan into several comments, each found by its marker and
    // under the limit, together holding every change.
    let mesh = plan(&self::topology(include_str!("../../../examples/three-cloud-mesh/main.iso")), &[]).unwrap();
    let parts = render::markdown(&mesh, heading("Isopod plan"), "", 10_000);
    assert!(parts.len() > 2, "{}", parts.len());
    for (n, part) in parts.iter().enumerate() {
        assert!(part.len() <= 10_000, "part {n}: {}", part.len());
        assert!(part.starts_with(&format!("{} part={}/{}", render::marker("net/demo"), n + 1, parts.len())));
    }
    let joined = parts.join("\n");
    for change in mesh.changes.iter().filter(|c| c.action != Action::NoOp) {
        assert!(joined.contains(&format!(" {} (", change.id)), "{} is in a part", change.id);
    }
    assert!(!joined.contains("Sw0rdfish"), "no key is ever in a plan");

    // Deletions are called out first.
    let live = applied(&first, &[]);
    let (emptied, _) = crate::plan(&self::topology("stack \"demo\" {}\n"), &live).unwrap();
    let comment = &render::markdown(&emptied, heading("Isopod plan"), "", render::COMMENT_LIMIT)[0];
    let warning = comment.find("[!WARNING]").expect("a warning");
    assert!(warning < comment.find("<details>").unwrap(), "{comment}");
}

#[test]
fn problems_render_as_comments_whose_text_cannot_escape_its_block() {
    let heading = render::Heading { key: "net", title: "Isopod plan" };
    // A report with a run of backticks (as a string in an .iso file may have) and long lines.
    let report = format!("error: bad\n  name = \"```\"\n{}\n", "x".repeat(5_000));
    let parts = render::markdown_problem(heading, "The configuration is invalid.", &report, 2_000);
    assert!(parts.len() > 2, "{}", parts.len());
    for part in &parts {
        assert!(part.len() <= 2_000, "{}", part.len());
        assert!(part.contains("````text\n"), "the fence is longer than the text's backticks: {part}");
    }
    assert!(parts[0].contains("> [!CAUTION]\n> The configuration is invalid."));
    let text: String = parts.iter().flat_map(|part| part.lines()).filter(|line| line.starts_with('x')).collect();
    assert_eq!(text.len(), 5_000, "every character of the report is in some part");
    // A key cannot end the hidden marker early.
    assert!(!render::marker("a--b").contains("--b"));
}
