//! Carries out a plan one call at a time, in a topological order of the planner's own call graph
//! ([`Operations`]), checking each call's promises as it goes: what the executor does, without
//! its parallelism, retries or journal, so that a broken promise fails at the call that broke
//! it.

use crate::Providers;
use isopod_catalog::{Attrs, ObservedResource, OutputRef, Ownership, Resource, ResourceId, ResourceKind};
use isopod_planner::order::{Call, Operations};
use isopod_planner::{Desired, Plan};
use isopod_provider::{ErrorKind, Provider, Provisioning};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

/// The value every secret of the suite's plans has: what discovery, errors and messages must
/// never show. (It meets every cloud's rules for pre-shared keys.)
pub const SECRET: &str = "Conformance.Secret_7f3a9c";

/// How often, and how many times, a resource being provisioned is looked at.
const POLL: Duration = Duration::from_millis(20);
const POLLS: usize = 500;

/// What carrying out a plan did.
#[derive(Default)]
pub(crate) struct Carried {
    /// Each resource created, as it was sent (outputs and secrets filled in), with its cloud id.
    pub(crate) created: Vec<(Resource, String)>,
    /// The kinds updated in place.
    pub(crate) updated: BTreeSet<ResourceKind>,
    /// The kinds replaced.
    pub(crate) replaced: BTreeSet<ResourceKind>,
}

impl Carried {
    /// Each resource created, by kind, in creation order (callers keep the first of each kind).
    pub(crate) fn samples(&self) -> impl Iterator<Item = (ResourceKind, (Resource, String))> + '_ {
        self.created.iter().map(|(resource, id)| (resource.id.kind, (resource.clone(), id.clone())))
    }
}

/// Carries out `plan` (made from `desired` against `observed`).
pub(crate) async fn carry(
    providers: Providers<'_>,
    plan: &Plan,
    desired: &Desired,
    observed: &[ObservedResource],
    name: &str,
) -> Carried {
    let operations = Operations::new(&plan.changes, desired, observed);
    let graph = &operations.graph;
    let order = petgraph::algo::toposort(graph, None).expect("the planner's call graph has no cycle");
    // What exists: the cloud id and the outputs of each resource, by id.
    let mut known: HashMap<ResourceId, (String, Attrs)> = observed
        .iter()
        .filter_map(|live| {
            live.owned_by(&plan.stack).map(|id| (id.clone(), (live.provider_id.clone(), live.attrs.clone())))
        })
        .collect();
    let mut carried = Carried::default();
    for node in order {
        let operation = &graph[node];
        let id = &operation.id;
        let provider = providers(id.kind.cloud());
        let at = |call: &str| format!("{name}: {call} {id}");
        match operation.call {
            Call::Create => {
                let desired = operation.resource.as_deref().expect("a creation has its resource");
                let resource = resolved(desired, &known);
                let owner = Ownership { stack: plan.stack.clone(), id: id.clone() };
                let made =
                    provider.create(&resource, &owner).await.unwrap_or_else(|err| panic!("{}: {err}", at("creating")));
                assert!(!made.provider_id.is_empty(), "{}: no cloud id", at("creating"));
                for output in id.kind.spec().outputs {
                    assert!(
                        made.outputs.contains_key(output.name),
                        "{}: no output `{}`: {:?}",
                        at("creating"),
                        output.name,
                        made.outputs
                    );
                }
                until_ready(provider.as_ref(), &resource, &made.provider_id, &at("provisioning")).await;
                if operation.replacement {
                    carried.replaced.insert(id.kind);
                }
                known.insert(id.clone(), (made.provider_id.clone(), made.outputs));
                carried.created.push((resource, made.provider_id));
            }
            Call::Update => {
                let desired = operation.resource.as_deref().expect("an update has its resource");
                let resource = resolved(desired, &known);
                let provider_id = operation.provider_id.as_deref().expect("an update has its live resource");
                provider.update(provider_id, &resource).await.unwrap_or_else(|err| panic!("{}: {err}", at("updating")));
                until_ready(provider.as_ref(), &resource, provider_id, &at("provisioning")).await;
                carried.updated.insert(id.kind);
            }
            Call::Delete => {
                let provider_id = operation.provider_id.as_deref().expect("a deletion has its live resource");
                let scope = &operation.scope;
                provider
                    .delete(provider_id, id.kind, scope)
                    .await
                    .unwrap_or_else(|err| panic!("{}: {err}", at("deleting")));
                provider
                    .delete(provider_id, id.kind, scope)
                    .await
                    .unwrap_or_else(|err| panic!("{} again: {err}", at("deleting")));
                until_gone(provider.as_ref(), id.kind, scope, provider_id, &at("deleting")).await;
                known.remove(id);
            }
        }
    }
    carried
}

/// `resource` with the outputs of what exists and the secrets filled in, as the executor sends it.
fn resolved(resource: &Resource, known: &HashMap<ResourceId, (String, Attrs)>) -> Resource {
    let mut resolved = resource.clone();
    let output = |wanted: &OutputRef| {
        known.get(&wanted.resource).and_then(|(provider_id, outputs)| wanted.value_in(provider_id, outputs))
    };
    for (_, value) in Arc::make_mut(&mut resolved.attrs).iter_mut() {
        value.fill(&output, &|_| Some(SECRET.to_string())).unwrap_or_else(|err| panic!("{}: {err}", resource.id));
    }
    resolved
}

/// Waits, boundedly, until the cloud has provisioned `resource` (kinds it provisions
/// asynchronously only, as the executor does).
async fn until_ready(provider: &dyn Provider, resource: &Resource, provider_id: &str, what: &str) {
    let kind = resource.id.kind;
    if kind.provisioning_seconds() == 0 {
        return;
    }
    for _ in 0..POLLS {
        match provider.provisioning(provider_id, kind, &resource.scope).await {
            Ok(Provisioning::Ready) => return,
            Ok(Provisioning::Pending) => tokio::time::sleep(POLL).await,
            Ok(Provisioning::Failed(reason)) => panic!("{what}: failed: {reason}"),
            Err(err) => panic!("{what}: {err}"),
        }
    }
    panic!("{what}: still pending after {POLLS} looks");
}

/// Waits, boundedly, until a deleted resource is not found (kinds the cloud deletes
/// asynchronously only, as the executor does).
async fn until_gone(
    provider: &dyn Provider,
    kind: ResourceKind,
    scope: &isopod_catalog::Scope,
    provider_id: &str,
    what: &str,
) {
    if kind.provisioning_seconds() == 0 {
        return;
    }
    for _ in 0..POLLS {
        match provider.provisioning(provider_id, kind, scope).await {
            Err(err) if err.kind == ErrorKind::NotFound => return,
            Err(err) => panic!("{what}: {err}"),
            Ok(Provisioning::Failed(reason)) => panic!("{what}: failed: {reason}"),
            Ok(_) => tokio::time::sleep(POLL).await,
        }
    }
    panic!("{what}: still there after {POLLS} looks");
}
