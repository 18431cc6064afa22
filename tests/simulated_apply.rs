//! The planner and the simulator agree: applying a plan's changes in its order, the simulator
//! (which enforces the clouds' rules) accepts every call, and planning again finds no changes.
//! This drives the calls one by one; over all the configurations, it is also the simulator's
//! must-pass suite for every kind of the catalogue: created with ownership, discovered back in
//! the catalogue's vocabulary with its attributes (the no-op plan), tags changed in place,
//! deleted (holders first) idempotently.

use isopod_catalog::{Cloud, ObservedResource, OutputRef, Ownership, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_planner::{Action, Plan};
use isopod_provider::Provider;
use isopod_simulator::Simulator;
use std::collections::{BTreeMap, BTreeSet};

/// Private endpoints in each cloud, and a relay with private DNS into Azure, GCP and AWS.
const ENDPOINTS: &str = r#"
stack "ends" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "aws" "west" {
  region = "us-west-2"
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
network "west" {
  cloud = cloud.aws.west
  cidr  = "10.40.0.0/16"
}
endpoint "s3" {
  network = network.app
  service = "com.amazonaws.us-east-1.s3"
}
endpoint "db" {
  network = network.hub
  service = "db.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice"
}
endpoint "bq" {
  network = network.analytics
  service = "projects/p/regions/us-central1/serviceAttachments/bq"
}
relay "s3-far" {
  endpoint = endpoint.s3
  to       = [network.analytics, network.hub, network.west]
}
"#;

/// Same-cloud tunnels (peering) in all three clouds, across regions.
const PEERINGS: &str = r#"
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
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "e" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "w" {
  cloud = cloud.aws.west
  cidr  = "10.2.0.0/16"
}
network "z1" {
  cloud = cloud.azure.eu
  cidr  = "10.3.0.0/16"
}
network "z2" {
  cloud = cloud.azure.eu
  cidr  = "10.4.0.0/16"
}
network "g1" {
  cloud = cloud.gcp.data
  cidr  = "10.5.0.0/16"
}
network "g2" {
  cloud = cloud.gcp.data
  cidr  = "10.6.0.0/16"
}
mesh "all" {
  members = [network.e, network.w, network.z1, network.z2, network.g1, network.g2]
}
"#;

/// A VPC on a transit gateway, with a tunnel to each kind of peer.
const TRANSIT: &str = r#"
stack "transit" {}
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
  cloud           = cloud.aws.prod
  cidr            = "10.1.0.0/16"
  transit_gateway = true
  subnet "a" {
    cidr = "10.1.1.0/24"
    zone = "us-east-1a"
  }
  subnet "a2" {
    cidr = "10.1.2.0/24"
    zone = "us-east-1a"
  }
  subnet "b" {
    cidr = "10.1.3.0/24"
    zone = "us-east-1b"
  }
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.2.0.0/16"
}
network "data" {
  cloud = cloud.gcp.data
  cidr  = "10.3.0.0/16"
}
host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24", "192.168.1.0/24"]
}
mesh "all" {
  members = [network.app, network.hub, network.data, host.dc]
}
"#;

/// The layouts without `ha`, and static routing between AWS and Azure.
const SINGLE_AND_STATIC: &str = r#"
stack "single" {}
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
  cidr  = "10.1.0.0/16"
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.2.0.0/16"
}
network "data" {
  cloud = cloud.gcp.data
  cidr  = "10.3.0.0/16"
}
host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
}
tunnel "app-data" {
  between = [network.app, network.data]
  ha      = false
}
tunnel "app-hub" {
  between = [network.app, network.hub]
  routing = "static"
  ha      = false
}
tunnel "hub-data" {
  between = [network.hub, network.data]
  ha      = false
}
tunnel "data-dc" {
  between = [network.data, host.dc]
  ha      = false
}
tunnel "hub-dc" {
  between = [network.hub, host.dc]
}
"#;

async fn discover(simulator: &Simulator, plan_scopes: &BTreeSet<Scope>) -> Vec<ObservedResource> {
    let mut found = Vec::new();
    for scope in plan_scopes {
        let cloud = match scope.cloud.split('.').next() {
            Some("aws") => Cloud::Aws,
            Some("azure") => Cloud::Azure,
            Some("host") => Cloud::Host,
            _ => Cloud::Gcp,
        };
        let kinds: Vec<ResourceKind> = ResourceKind::all().filter(|k| k.cloud() == cloud).collect();
        found.extend(simulator.provider(cloud).discover(scope, &kinds).await.unwrap());
    }
    found
}

/// Creates every resource of `plan` in order, resolving outputs from what was created before.
async fn apply_creations(simulator: &Simulator, plan: &Plan, desired: &isopod_planner::Desired) {
    let mut created: BTreeMap<ResourceId, (String, BTreeMap<String, Value>)> = BTreeMap::new();
    for change in &plan.changes {
        assert_eq!(change.action, Action::Create, "a first plan only creates");
        let mut resource = desired.resources[&change.id].clone();
        for value in std::sync::Arc::make_mut(&mut resource.attrs).values_mut() {
            value.resolve_outputs(&|output| created_output(&created, output));
        }
        let owner = Ownership { stack: plan.stack.clone(), id: change.id.clone() };
        let provider = simulator.provider(change.id.kind.cloud());
        let result = provider.create(&resource, &owner).await.unwrap_or_else(|err| panic!("{}: {err}", change.id));
        created.insert(change.id.clone(), (result.provider_id, result.outputs));
    }
}

#[test]
fn every_kind_applies_cleanly_plans_no_changes_updates_and_deletes() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let examples = [
        "examples/two-cloud-tunnel/main.iso",
        "examples/three-cloud-mesh/main.iso",
        "examples/endpoint-relay/main.iso",
    ];
    let configurations =
        examples.iter().map(|path| (path.to_string(), std::fs::read_to_string(path).unwrap())).chain([
            ("peerings and every cloud pair".to_string(), PEERINGS.to_string()),
            ("endpoints in every cloud, relayed with private DNS".to_string(), ENDPOINTS.to_string()),
            ("a VPC on a transit gateway".to_string(), TRANSIT.to_string()),
            ("layouts without ha, and static".to_string(), SINGLE_AND_STATIC.to_string()),
        ]);
    let mut exercised: BTreeSet<ResourceKind> = BTreeSet::new();
    for (example, text) in configurations {
        let topology = isopod_test_support::topology(&text);
        let simulator = Simulator::in_memory();
        let (plan, desired) = isopod_planner::plan(&topology, &[]).unwrap();
        let scopes: BTreeSet<Scope> = plan.changes.iter().map(|c| c.scope.clone()).collect();
        runtime.block_on(apply_creations(&simulator, &plan, &desired));
        let observed = runtime.block_on(discover(&simulator, &scopes));
        assert_eq!(observed.len(), plan.changes.len(), "{example}");
        let unknown: Vec<String> = observed.iter().flat_map(isopod_catalog::check::observed).collect();
        assert!(unknown.is_empty(), "{example}: {unknown:?}");
        let (again, _) = isopod_planner::plan(&topology, &observed).unwrap();
        assert!(again.is_empty(), "{example}:\n{}", isopod_planner::render::text(&again));
        runtime.block_on(retag_in_place(&simulator, &desired, &observed, &scopes));
        runtime.block_on(destroy_idempotently(&simulator, &topology, &scopes));
        exercised.extend(observed.iter().map(|resource| resource.kind));
    }
    let missed: Vec<ResourceKind> = ResourceKind::all().filter(|kind| !exercised.contains(kind)).collect();
    assert!(missed.is_empty(), "kinds no configuration exercises: {missed:?}");
}

/// Changes every tagged resource's tags in place: the update keeps its ownership and discovery
/// reads the new tags back.
async fn retag_in_place(
    simulator: &Simulator,
    desired: &isopod_planner::Desired,
    observed: &[ObservedResource],
    scopes: &BTreeSet<Scope>,
) {
    for live in observed.iter().filter(|live| live.kind.attr("tags").is_some()) {
        let owner = live.owner.clone().expect("created with its ownership");
        let mut resource = desired.resources[&owner.id].clone();
        let attrs = std::sync::Arc::make_mut(&mut resource.attrs);
        *attrs = live.attrs.clone().into_iter().filter(|(name, _)| live.kind.attr(name).is_some()).collect();
        attrs.insert("tags".into(), Value::Map([("conformance".to_string(), Value::string("retagged"))].into()));
        let provider = simulator.provider(live.kind.cloud());
        provider.update(&live.provider_id, &resource).await.unwrap_or_else(|err| panic!("{}: {err}", owner.id));
    }
    for live in discover(simulator, scopes).await.iter().filter(|live| live.kind.attr("tags").is_some()) {
        let tags = live.attrs.get("tags").and_then(|tags| match tags {
            Value::Map(tags) => tags.get("conformance"),
            _ => None,
        });
        assert_eq!(tags, Some(&Value::string("retagged")), "{} {}", live.kind, live.provider_id);
        assert!(live.owner.is_some(), "an update keeps the ownership of {}", live.provider_id);
    }
}

/// Deletes everything in the order `isopod destroy` plans (holders first), each deletion twice:
/// the second succeeds, and nothing of the stack is left.
async fn destroy_idempotently(simulator: &Simulator, topology: &Topology, scopes: &BTreeSet<Scope>) {
    let live = discover(simulator, scopes).await;
    let nothing = isopod_planner::Desired { stack: topology.stack.name.value.clone(), ..Default::default() };
    let destroy = Plan::new(&nothing, isopod_planner::diff(&nothing, &live), &live).unwrap();
    for change in &destroy.changes {
        let provider = simulator.provider(change.id.kind.cloud());
        let id = change.provider_id.as_deref().expect("a live resource");
        provider.delete(id, change.id.kind, &change.scope).await.unwrap_or_else(|err| panic!("{}: {err}", change.id));
        provider.delete(id, change.id.kind, &change.scope).await.expect("deleting what is gone succeeds");
    }
    let left = discover(simulator, scopes).await;
    assert!(left.is_empty(), "left after the destroy: {left:?}");
}

/// The value of an output of a resource created earlier in the run.
fn created_output(created: &BTreeMap<ResourceId, (String, BTreeMap<String, Value>)>, output: &OutputRef) -> Value {
    let (id, outputs) = &created[&output.resource];
    if output.output == "id" { Value::string(id) } else { outputs[&output.output].clone() }
}
