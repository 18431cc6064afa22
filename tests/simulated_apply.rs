//! The planner and the simulator agree: applying a plan's changes in its order, the simulator
//! (which enforces the clouds' rules) accepts every call, and planning again finds no changes.
//! The executor (with parallelism, retries and a journal) comes later; this drives the calls one
//! by one.

use isopod_lang::{Inputs, MemoryHost, SourceMap, Topology};
use isopod_planner::resource::{Cloud, ObservedResource, Ownership, ResourceId, ResourceKind, Scope, Value};
use isopod_planner::{Action, Plan};
use isopod_provider::{Provider, Simulator};
use std::collections::{BTreeMap, BTreeSet};

fn topology(path: &str) -> Topology {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sources = SourceMap::new();
    sources.add(path, text);
    isopod_lang::load(&sources, &Inputs::default(), &MemoryHost::default()).topology.expect("the example is valid")
}

async fn discover(simulator: &Simulator, plan_scopes: &BTreeSet<Scope>) -> Vec<ObservedResource> {
    let mut found = Vec::new();
    for scope in plan_scopes {
        let cloud = match scope.cloud.split('.').next() {
            Some("aws") => Cloud::Aws,
            Some("azure") => Cloud::Azure,
            _ => Cloud::Gcp,
        };
        let kinds: Vec<ResourceKind> = ResourceKind::ALL.iter().copied().filter(|k| k.cloud() == cloud).collect();
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
        for value in resource.attrs.values_mut() {
            resolve(value, &created);
        }
        let owner = Ownership { stack: plan.stack.clone(), id: change.id.clone() };
        let provider = simulator.provider(change.id.kind.cloud());
        let result = provider.create(&resource, &owner).await.unwrap_or_else(|err| panic!("{}: {err}", change.id));
        created.insert(change.id.clone(), (result.provider_id, result.outputs));
    }
}

fn resolve(value: &mut Value, created: &BTreeMap<ResourceId, (String, BTreeMap<String, Value>)>) {
    match value {
        Value::Output(output) => {
            let (id, outputs) = &created[&output.resource];
            *value = if output.output == "id" { Value::string(id) } else { outputs[&output.output].clone() };
        }
        Value::List(items) => items.iter_mut().for_each(|item| resolve(item, created)),
        Value::Map(entries) => entries.values_mut().for_each(|item| resolve(item, created)),
        _ => {}
    }
}

#[test]
fn examples_apply_cleanly_and_then_plan_no_changes() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    for example in
        ["examples/two-cloud-tunnel/main.iso", "examples/three-cloud-mesh/main.iso", "examples/endpoint-relay/main.iso"]
    {
        let topology = topology(example);
        let simulator = Simulator::in_memory();
        let (plan, desired) = isopod_planner::plan(&topology, &[]).unwrap();
        let scopes: BTreeSet<Scope> = plan.changes.iter().map(|c| c.scope.clone()).collect();
        runtime.block_on(apply_creations(&simulator, &plan, &desired));
        let observed = runtime.block_on(discover(&simulator, &scopes));
        assert_eq!(observed.len(), plan.changes.len(), "{example}");
        let (again, _) = isopod_planner::plan(&topology, &observed).unwrap();
        assert!(again.is_empty(), "{example}:\n{}", isopod_planner::render::text(&again));
    }
}
