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

fn plan(topology: &Topology, observed: &[ObservedResource]) -> Result<Plan, crate::PlanError> {
    crate::plan(topology, observed).map(|(plan, _)| plan)
}

/// What a provider would observe after applying every change of `plan` (ids and outputs made
/// up, outputs stored as attributes as providers report them).
pub(crate) fn applied(plan: &Plan, before: &[ObservedResource]) -> Vec<ObservedResource> {
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
                let mut attrs: isopod_catalog::Attrs =
                    change.after.iter().map(|(name, value)| (*name, resolve(value, &ids))).collect();
                // The outputs the clouds report for a kind, whoever reads them.
                for output in change.id.kind.spec().outputs {
                    attrs.insert(output.name.into(), Value::string(format!("{}-of-{}", output.name, change.id)));
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
        attrs: Default::default(),
        owner: None,
    });
    live.push(ObservedResource {
        provider_id: "vpc-other-stack".into(),
        kind: ResourceKind::AwsVpc,
        scope,
        attrs: Default::default(),
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

/// The diff may list its changes in any order (it compares a plan that creates and replaces
/// nothing on several threads, in the desired resources' order): the plan's order is its own.
#[test]
fn a_plans_order_does_not_depend_on_the_order_the_diff_lists_changes_in() {
    let before = topology(THREE_CLOUDS);
    let live = applied(&plan(&before, &[]).unwrap(), &[]);
    let updated = THREE_CLOUDS.replace("tags = { team = \"net\" }", "tags = { team = \"netops\" }");
    let shrunk = THREE_CLOUDS.replace("cidr = \"10.10.1.0/24\"", "cidr = \"10.10.2.0/24\"");
    for (text, observed) in [(THREE_CLOUDS.to_string(), Vec::new()), (updated, live.clone()), (shrunk, live)] {
        let topology = topology(&text);
        let (planned, desired) = crate::plan(&topology, &observed).unwrap();
        let mut reversed = crate::diff(&desired, &observed).into_vec();
        reversed.reverse();
        let again = Plan::new(&desired, reversed, &observed).unwrap();
        assert_eq!(render::json(&again, &[]), render::json(&planned, &[]));
        assert!(planned.changes.iter().any(|c| c.action != Action::NoOp), "each case changes something");
    }
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
    // ARM gives subnets no tags: a live one is known by its natural key.
    assert_eq!(
        deleted,
        ["azure_subnet.workloads:demo-hub:isopod-demo-corp", "azure_virtual_network.hub", "azure_resource_group.corp"]
    );
    insta::assert_snapshot!(render::text(&plan));
}

#[test]
fn live_untaggable_resources_are_adopted_under_their_planned_address() {
    let topology = topology(THREE_CLOUDS);
    let (planned, desired) = crate::plan(&topology, &[]).unwrap();
    let live = applied(&planned, &[]);
    let subnet = ResourceId::new(ResourceKind::AzureSubnet, "hub.workloads");
    assert!(live.iter().all(|r| r.owned_by("demo") != Some(&subnet)), "reported under its natural key");
    let adopted = crate::adopted(&desired, &live);
    assert_eq!(adopted.len(), live.len());
    let found = adopted.iter().find(|r| r.owned_by("demo") == Some(&subnet)).expect("adopted");
    assert_eq!(found.kind, ResourceKind::AzureSubnet);
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

mod comments;
mod endpoints;
mod flow_logs;
mod keys;
mod layouts;
mod lowering;
mod ordering;
mod ownership;
mod plans;

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
                attrs: Default::default(),
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
