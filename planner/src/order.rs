//! A plan's changes as the provider calls that carry them out, and the order they need: the one
//! ordering of Isopod. The executor runs the calls along [`Operations::graph`]; the plan lists
//! its changes in [`Operations::sequence`], a topological order of the same graph, so what
//! `plan` shows and what `apply` does cannot disagree.
//!
//! A creation, an update and a deletion are one call each; a replacement is two, the deletion
//! of the old resource and the creation of the new, in that order. Creations and updates come
//! after the creations and updates of what they depend on (they use its outputs). Deletions,
//! replacements' included, come after the deletions of every live resource that refers to
//! them, by cloud id or by name: what is inside a resource goes before it. A creation comes
//! after the deletion of a resource of its kind that holds the name or range it takes.

use crate::diff::{Action, Change};
use crate::lower::Desired;
use crate::plan::Cycle;
use isopod_catalog::{ObservedResource, Resource, ResourceId, ResourceKind, Scope, Value};
use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use std::time::Duration;

/// What one call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// Create the resource.
    Create,
    /// Change it in place.
    Update,
    /// Delete it.
    Delete,
}

/// One provider call of the plan.
#[derive(Clone, Debug)]
pub struct Operation {
    /// What it does.
    pub call: Call,
    /// The resource.
    pub id: ResourceId,
    /// Where it lives.
    pub scope: Scope,
    /// The live resource's cloud id, for updates and deletions.
    pub provider_id: Option<String>,
    /// The desired resource, for creations and updates.
    pub resource: Option<Arc<Resource>>,
    /// Whether it is half of a replacement.
    pub replacement: bool,
    /// The change it carries out, by its position in the change list.
    pub change: usize,
}

/// The best times of a plan's calls, from [`Operations::critical_path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The longest chain of calls.
    pub critical_path: Duration,
    /// Every call one after the other.
    pub serial: Duration,
}

/// The calls of a plan with the order they need: an edge goes from a call to one that must
/// wait for it.
pub struct Operations {
    /// The calls and their order.
    pub graph: DiGraph<Operation, ()>,
}

impl Operations {
    /// The calls that carry out `changes` (made from `desired` against `observed`).
    pub fn new(changes: &[Change], desired: &Desired, observed: &[ObservedResource]) -> Operations {
        let mut graph: DiGraph<Operation, ()> = DiGraph::new();
        let mut builds: HashMap<&ResourceId, NodeIndex> = HashMap::default();
        let mut deletions: Vec<(NodeIndex, Option<&ObservedResource>)> = Vec::new();
        // The live resources are looked up only when something is deleted (a no-op plan of a large
        // estate indexes nothing).
        let deletes = changes.iter().any(|c| matches!(c.action, Action::Delete | Action::DeleteThenCreate));
        let by_provider_id: HashMap<&str, &ObservedResource> = match deletes {
            true => observed.iter().map(|resource| (resource.provider_id.as_str(), resource)).collect(),
            false => HashMap::default(),
        };
        let live = |provider_id: &Option<String>| provider_id.as_deref().and_then(|id| by_provider_id.get(id).copied());
        for (position, change) in changes.iter().enumerate().filter(|(_, c)| c.action != Action::NoOp) {
            let resource = desired.resources.get(&change.id).map(|r| Arc::new(r.clone()));
            let operation = |call: Call, replacement: bool| Operation {
                call,
                id: change.id.clone(),
                scope: change.scope.clone(),
                provider_id: change.provider_id.clone(),
                resource: if call == Call::Delete { None } else { resource.clone() },
                replacement,
                change: position,
            };
            match change.action {
                Action::NoOp => {}
                Action::Create => {
                    builds.insert(&change.id, graph.add_node(operation(Call::Create, false)));
                }
                Action::Update => {
                    builds.insert(&change.id, graph.add_node(operation(Call::Update, false)));
                }
                Action::Delete => {
                    let node = graph.add_node(operation(Call::Delete, false));
                    deletions.push((node, live(&change.provider_id)));
                }
                Action::DeleteThenCreate => {
                    let delete = graph.add_node(operation(Call::Delete, true));
                    let mut create = operation(Call::Create, true);
                    create.provider_id = None;
                    let create = graph.add_node(create);
                    graph.add_edge(delete, create, ());
                    deletions.push((delete, live(&change.provider_id)));
                    builds.insert(&change.id, create);
                }
            }
        }
        // Builds after the builds of what they depend on.
        for (id, &node) in &builds {
            let Some(resource) = desired.resources.get(*id) else { continue };
            for dependency in resource.dependencies() {
                if let Some(&before) = builds.get(dependency) {
                    graph.add_edge(before, node, ());
                }
            }
        }
        // Deletions after the deletions of what refers to them, as the catalogue types the
        // references: by cloud id (anywhere), by name or by output within the same cloud account
        // (names are only unique there). Looked up by index, so a large destroy stays linear. The
        // catalogue's references go from deeper kinds to shallower ones (its tests check that the
        // kinds' parents form no cycle), so these edges cannot close a circle.
        let mut index: HashMap<(ResourceKind, &str, &str, &str), Vec<NodeIndex>> = HashMap::default();
        for (node, live) in &deletions {
            let Some(live) = live else { continue };
            index.entry((live.kind, "id", "", &live.provider_id)).or_default().push(*node);
            let spec = live.kind.spec();
            let keys = std::iter::once("name").chain(spec.outputs.iter().map(|output| output.name));
            for key in keys {
                if let Some(Value::String(value)) = live.attrs.get(key) {
                    index.entry((live.kind, key, &live.scope.cloud, value)).or_default().push(*node);
                }
            }
        }
        for (holder, live) in &deletions {
            let Some(live) = live else { continue };
            for (_, reference, value) in live.kind.spec().references_in(&live.attrs) {
                let cloud = if reference.by == "id" { "" } else { live.scope.cloud.as_str() };
                for target in index.get(&(reference.kind, reference.by, cloud, value)).into_iter().flatten() {
                    if target != holder {
                        graph.update_edge(*holder, *target, ());
                    }
                }
            }
        }
        // Creations after the deletions that free what they take: a name, or a range, that a
        // resource of the same kind in the same cloud account holds until it is gone. (No
        // circle can form: nothing leads from a creation back to a deletion.)
        let mut held: HashMap<(ResourceKind, &str, &'static str, &str), Vec<NodeIndex>> = HashMap::default();
        for (node, live) in &deletions {
            let Some(live) = live else { continue };
            for attr in live.kind.unique_attrs() {
                if let Some(Value::String(value)) = live.attrs.get(attr) {
                    held.entry((live.kind, &live.scope.cloud, attr, value)).or_default().push(*node);
                }
            }
        }
        for &create_node in builds.values() {
            let create = &graph[create_node];
            let Some(resource) = create.resource.clone().filter(|_| create.call == Call::Create) else { continue };
            let (kind, cloud) = (create.id.kind, create.scope.cloud.clone());
            for attr in kind.unique_attrs() {
                let Some(Value::String(value)) = resource.attrs.get(attr) else { continue };
                for delete_node in held.get(&(kind, cloud.as_str(), attr, value.as_str())).into_iter().flatten() {
                    graph.update_edge(*delete_node, create_node, ());
                }
            }
        }
        Operations { graph }
    }

    /// How long the calls take at best when each takes `cost`: the longest chain of the graph
    /// (no schedule finishes sooner) and the sum of every call (one after the other).
    pub fn critical_path(&self, cost: impl Fn(&Operation) -> Duration) -> Bounds {
        let graph = &self.graph;
        let mut finish = vec![Duration::ZERO; graph.node_count()];
        let mut serial = Duration::ZERO;
        for node in toposort(graph, None).expect("the calls' graph has no cycle") {
            let own = cost(&graph[node]);
            serial += own;
            let start = graph.neighbors_directed(node, petgraph::Direction::Incoming).map(|p| finish[p.index()]).max();
            finish[node.index()] = start.unwrap_or_default() + own;
        }
        Bounds { critical_path: finish.into_iter().max().unwrap_or_default(), serial }
    }

    /// The order in which a plan lists `changes`, by their positions: each change at its first
    /// call in a topological order of [`graph`](Self::graph). Deletions come first (what holds
    /// another before it), then creations and updates by their depth in the desired dependency
    /// graph (no-ops included, so that each is listed at the depth of what it builds on);
    /// siblings by id. A replacement is listed where its old resource is deleted.
    ///
    /// `dependencies` are the changes' dependency edges when the diff found them
    /// ([`Changes`](crate::diff::Changes)); else they are found here.
    pub fn sequence(
        &self,
        changes: &[Change],
        desired: &Desired,
        dependencies: Option<&[(usize, usize)]>,
    ) -> Result<Vec<usize>, Cycle> {
        let build_level = build_levels(changes, desired, dependencies)?;
        let id_rank = id_ranks(changes);
        let graph = &self.graph;
        // The builds are acyclic (just checked) and circles among deletions were broken.
        let calls = toposort(graph, None).expect("the calls' graph has no cycle");
        let mut delete_level = vec![0usize; graph.node_count()];
        for &node in &calls {
            if graph[node].call == Call::Delete {
                let deepest = graph
                    .neighbors_directed(node, petgraph::Direction::Incoming)
                    .filter(|&before| graph[before].call == Call::Delete)
                    .map(|before| delete_level[before.index()] + 1)
                    .max();
                delete_level[node.index()] = deepest.unwrap_or(0);
            }
        }
        // (phase, level, id, position), the id by its rank: deletions in phase 0, the rest in
        // phase 1. Along every edge the key grows (a deletion's level grows along deletion
        // edges, a build's along dependencies, and deletions precede builds), so sorting by it
        // is a topological order.
        let key = |position: usize, call: Option<Call>| match call {
            Some(Call::Delete) => None,
            _ => Some((1u8, build_level[position], id_rank[position], position)),
        };
        let mut first: Vec<Option<(u8, usize, usize, usize)>> =
            (0..changes.len()).map(|position| key(position, None)).collect();
        for node in graph.node_indices() {
            let operation = &graph[node];
            let position = operation.change;
            let this = key(position, Some(operation.call)).unwrap_or((
                0,
                delete_level[node.index()],
                id_rank[position],
                position,
            ));
            first[position] = Some(first[position].map_or(this, |other| other.min(this)));
        }
        let mut order: Vec<usize> = (0..changes.len()).collect();
        // Keys are unique (the position is part of each), so an unstable sort gives the one order.
        order.sort_unstable_by_key(|&position| first[position]);
        Ok(order)
    }
}

/// Each change's rank among the changes' ids (equal ids, equal ranks), so that the plan's order
/// sorts numbers instead of comparing text: the positions themselves when the changes are in
/// the order of their ids already, as the diff of a plan that creates and replaces nothing
/// gives them.
fn id_ranks(changes: &[Change]) -> Vec<usize> {
    if changes.windows(2).all(|pair| pair[0].id < pair[1].id) {
        return (0..changes.len()).collect();
    }
    let mut by_id: Vec<usize> = (0..changes.len()).collect();
    by_id.sort_unstable_by(|&a, &b| changes[a].id.cmp(&changes[b].id));
    let mut rank = vec![0; changes.len()];
    for (n, pair) in by_id.windows(2).enumerate() {
        let same = changes[pair[0]].id == changes[pair[1]].id;
        rank[pair[1]] = if same { rank[pair[0]] } else { n + 1 };
    }
    rank
}

/// Each non-deleted change's depth in the desired dependency graph: one more than the deepest
/// of its dependencies among `changes`; a cycle is an error.
///
/// The desired resources are walked in their order, in runs on every core, and matched to
/// their changes through one hash index (no lookup by id in the B-tree per change), and the
/// depths come from a topological pass over flat vectors; the graph library is asked only to
/// name a cycle.
///
/// `dependencies`, when the diff found them, are those edges already (see
/// [`Changes`](crate::diff::Changes)), and nothing is walked.
fn build_levels(
    changes: &[Change],
    desired: &Desired,
    dependencies: Option<&[(usize, usize)]>,
) -> Result<Vec<usize>, Cycle> {
    let found;
    let edges = match dependencies {
        Some(edges) => edges,
        None => {
            found = dependency_edges(changes, desired);
            &found
        }
    };
    // Kahn's algorithm: each change's dependents, in one vector sliced by `starts`.
    let mut starts = vec![0usize; changes.len() + 1];
    let mut waiting = vec![0usize; changes.len()];
    for &(dep, idx) in edges {
        starts[dep + 1] += 1;
        waiting[idx] += 1;
    }
    for n in 0..changes.len() {
        starts[n + 1] += starts[n];
    }
    let mut dependents = vec![0usize; edges.len()];
    let mut filled = starts.clone();
    for &(dep, idx) in edges {
        dependents[filled[dep]] = idx;
        filled[dep] += 1;
    }
    let mut level = vec![0usize; changes.len()];
    let mut ready: Vec<usize> = (0..changes.len()).filter(|&n| waiting[n] == 0).collect();
    let mut done = 0;
    while let Some(node) = ready.pop() {
        done += 1;
        for &next in &dependents[starts[node]..starts[node + 1]] {
            level[next] = level[next].max(level[node] + 1);
            waiting[next] -= 1;
            if waiting[next] == 0 {
                ready.push(next);
            }
        }
    }
    if done < changes.len() {
        return Err(cycle(changes, desired, edges.len()));
    }
    Ok(level)
}

/// Each change's position by its id, deletions left out: they have no edges (nothing desired
/// depends on them), and a duplicate's deletion shares its id with the kept copy's change.
fn change_index(changes: &[Change]) -> HashMap<&ResourceId, usize> {
    let mut index: HashMap<&ResourceId, usize> = HashMap::with_capacity_and_hasher(changes.len(), Default::default());
    index.extend(changes.iter().enumerate().filter(|(_, c)| c.action != Action::Delete).map(|(idx, c)| (&c.id, idx)));
    index
}

/// (dependency, dependent) by the changes' positions: each desired resource's dependencies
/// among `changes`, found on every core.
pub(crate) fn dependency_edges(changes: &[Change], desired: &Desired) -> Vec<(usize, usize)> {
    let index = change_index(changes);
    let resources: Vec<&Resource> = desired.resources.values().collect();
    let edges_in = |run: &[&Resource]| {
        let mut edges: Vec<(usize, usize)> = Vec::with_capacity(run.len());
        for resource in run {
            let Some(&idx) = index.get(&resource.id) else { continue };
            resource.for_each_dependency(|dependency| {
                if let Some(&dep) = index.get(dependency) {
                    edges.push((dep, idx));
                }
            });
        }
        edges
    };
    crate::parallel::in_runs(&resources, edges_in).concat()
}

/// A cycle among the builds of `changes` (which have one): its resources, the first repeated
/// last. The graph is built change by change, each change's dependencies sorted, so that the
/// cycle named, where several meet, does not depend on how the levels were found.
fn cycle(changes: &[Change], desired: &Desired, edges: usize) -> Cycle {
    let index = change_index(changes);
    let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(changes.len(), edges);
    let nodes: Vec<NodeIndex> = (0..changes.len()).map(|idx| graph.add_node(idx)).collect();
    for (idx, change) in changes.iter().enumerate().filter(|(_, change)| change.action != Action::Delete) {
        let Some(resource) = desired.resources.get(&change.id) else { continue };
        for dependency in resource.dependencies() {
            if let Some(&dep) = index.get(dependency) {
                graph.add_edge(nodes[dep], nodes[idx], ());
            }
        }
    }
    match toposort(&graph, None) {
        Err(cycle) => Cycle(cycle_path(&graph, cycle.node_id(), changes)),
        Ok(_) => unreachable!("the edges have a cycle"),
    }
}

/// The cycle through `start`, as resource ids, the first repeated last.
fn cycle_path(graph: &DiGraph<usize, ()>, start: NodeIndex, changes: &[Change]) -> Vec<ResourceId> {
    // Depth-first search from `start` back to itself, without recursion.
    let mut stack = vec![(start, graph.neighbors(start).collect::<Vec<_>>())];
    let mut seen = vec![false; graph.node_count()];
    while let Some((_, next)) = stack.last_mut() {
        let Some(node) = next.pop() else {
            stack.pop();
            continue;
        };
        if node == start {
            let mut path: Vec<ResourceId> = stack.iter().map(|(n, _)| changes[graph[*n]].id.clone()).collect();
            path.push(changes[graph[start]].id.clone());
            return path;
        }
        if !std::mem::replace(&mut seen[node.index()], true) {
            stack.push((node, graph.neighbors(node).collect()));
        }
    }
    vec![changes[graph[start]].id.clone()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::Ownership;
    use petgraph::algo::has_path_connecting;

    #[test]
    fn a_creation_waits_for_the_deletion_that_frees_its_range() {
        // Subnet `old` goes and subnet `new` takes its range, in the same VPC.
        let text = "stack \"s\" {}\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\nnetwork \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.0.0.0/16\"\n  subnet \"new\" {\n    cidr = \"10.0.1.0/24\"\n  }\n}\n";
        let topology = isopod_test_support::topology(text);
        let vpc_live = ObservedResource {
            provider_id: "vpc-1".into(),
            kind: ResourceKind::AwsVpc,
            scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
            attrs: [("cidr_block".into(), Value::string("10.0.0.0/16"))].into(),
            owner: Some(Ownership { stack: "s".into(), id: ResourceId::new(ResourceKind::AwsVpc, "app") }),
        };
        let old_live = ObservedResource {
            provider_id: "subnet-1".into(),
            kind: ResourceKind::AwsSubnet,
            attrs: [("cidr_block".into(), Value::string("10.0.1.0/24"))].into(),
            owner: Some(Ownership { stack: "s".into(), id: ResourceId::new(ResourceKind::AwsSubnet, "app.old") }),
            ..vpc_live.clone()
        };
        let observed = vec![vpc_live, old_live];
        let (plan, desired) = crate::plan(&topology, &observed).unwrap();
        let operations = Operations::new(&plan.changes, &desired, &observed);
        let graph = &operations.graph;
        let node = |call: Call, address: &str| {
            graph.node_indices().find(|&n| graph[n].call == call && graph[n].id.address == address).unwrap()
        };
        let (delete, create) = (node(Call::Delete, "app.old"), node(Call::Create, "app.new"));
        assert!(has_path_connecting(graph, delete, create, None), "the new subnet waits for the old one to go");
    }

    #[test]
    fn resources_that_need_each_other_first_are_a_cycle_named_whole() {
        let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
        let vpc = |address: &str| ResourceId::new(ResourceKind::AwsVpc, address);
        let mut desired = Desired { stack: "s".into(), ..Desired::default() };
        for (address, needs) in [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")] {
            let resource = Resource {
                id: vpc(address),
                scope: scope.clone(),
                attrs: Default::default(),
                depends_on: vec![vpc(needs)],
                object: "network.x".into(),
            };
            desired.resources.insert(resource.id.clone(), resource);
        }
        let cycle = crate::Plan::new(&desired, crate::diff(&desired, &[]), &[]).unwrap_err();
        assert_eq!(cycle.0.len(), 4, "{cycle}");
        assert_eq!(cycle.0.first(), cycle.0.last(), "{cycle}");
        let mut named: Vec<&str> = cycle.0[1..].iter().map(|id| id.address.as_str()).collect();
        named.sort();
        assert_eq!(named, ["a", "b", "c"], "`d` only waits for the circle: {cycle}");
    }

    #[test]
    fn a_record_at_its_zone_apex_goes_before_the_zone() {
        // The record's name is the zone's DNS name: only the typed reference (`managed_zone`)
        // orders them, not the equal strings.
        let scope = Scope { cloud: "gcp.data".into(), region: "global".into() };
        let owned = |kind: ResourceKind, address: &str| {
            Some(Ownership { stack: "s".into(), id: ResourceId::new(kind, address) })
        };
        let zone = ObservedResource {
            provider_id: "zone-1".into(),
            kind: ResourceKind::GcpDnsManagedZone,
            scope: scope.clone(),
            attrs: [("name".into(), Value::string("bi")), ("dns_name".into(), Value::string("bi.example."))].into(),
            owner: owned(ResourceKind::GcpDnsManagedZone, "bi"),
        };
        let record = ObservedResource {
            provider_id: "record-1".into(),
            kind: ResourceKind::GcpDnsRecordSet,
            scope,
            attrs: [("managed_zone".into(), Value::string("bi")), ("name".into(), Value::string("bi.example."))].into(),
            owner: owned(ResourceKind::GcpDnsRecordSet, "bi.apex"),
        };
        let observed = vec![zone, record];
        let desired = Desired { stack: "s".into(), ..Desired::default() };
        let plan = crate::Plan::new(&desired, crate::diff(&desired, &observed), &observed).unwrap();
        let operations = Operations::new(&plan.changes, &desired, &observed);
        let graph = &operations.graph;
        let node = |address: &str| graph.node_indices().find(|&n| graph[n].id.address == address).unwrap();
        assert!(has_path_connecting(graph, node("bi.apex"), node("bi"), None), "the record goes first");
        assert!(!has_path_connecting(graph, node("bi"), node("bi.apex"), None), "and only that way");
        assert_eq!(plan.changes[0].id.address, "bi.apex");
    }
}
