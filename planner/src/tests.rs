use crate::resource::{ObservedResource, Ownership, ResourceId, ResourceKind, Scope, Value};
use crate::{Action, Plan, lower, plan, render};
use isopod_lang::{Inputs, MemoryHost, SourceMap, Topology};
use std::collections::BTreeMap;

fn topology(text: &str) -> Topology {
    let mut sources = SourceMap::new();
    sources.add("main.iso", text);
    let checked = isopod_lang::load(&sources, &Inputs::default(), &MemoryHost::default());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    checked.topology.unwrap()
}

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

/// What a provider would observe after applying every change of `plan` (ids made up).
fn applied(plan: &Plan, before: &[ObservedResource]) -> Vec<ObservedResource> {
    let mut live: Vec<ObservedResource> = before.to_vec();
    let mut ids: BTreeMap<ResourceId, String> = BTreeMap::new();
    for resource in before {
        if let Some(owner) = &resource.owner {
            ids.insert(owner.id.clone(), resource.provider_id.clone());
        }
    }
    for (n, change) in plan.changes.iter().enumerate() {
        let owned_by = |r: &ObservedResource| r.owner.as_ref().is_some_and(|o| o.id == change.id);
        match change.action {
            Action::NoOp => {}
            Action::Delete => live.retain(|r| !owned_by(r)),
            _ => {
                live.retain(|r| !owned_by(r));
                let provider_id = format!("{}-{n}", change.id.kind);
                ids.insert(change.id.clone(), provider_id.clone());
                let attrs = change
                    .after
                    .iter()
                    .map(|(name, value)| {
                        let value = match value {
                            Value::Output(output) => Value::string(&ids[&output.resource]),
                            other => other.clone(),
                        };
                        (name.clone(), value)
                    })
                    .collect();
                live.push(ObservedResource {
                    provider_id,
                    kind: change.id.kind,
                    scope: change.scope.clone(),
                    attrs,
                    owner: Some(Ownership { stack: plan.stack.clone(), id: change.id.clone() }),
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
    let small = lower(&topology(THREE_CLOUDS));
    let grown = lower(&topology(&format!(
        "{THREE_CLOUDS}\nnetwork \"extra\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.40.0.0/16\"\n}}\n"
    )));
    for (id, resource) in &small.resources {
        assert_eq!(grown.resources.get(id), Some(resource), "{id} changed when a network was added");
    }
}
