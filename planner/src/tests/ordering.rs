//! One ordering: the plan lists its changes in an order of the executor's own call graph, for
//! every example and for random meshes that grow, shrink and change their ranges.

use super::{applied, topology};
use crate::order::{Call, Operations};
use crate::{Action, Plan};
use isopod_catalog::ObservedResource;
use petgraph::visit::EdgeRef as _;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};

/// Plans `text` against `observed` and checks that every call waits, in the plan's listing, for
/// the calls the executor makes it wait for; returns the plan.
fn plan_listed_in_call_order(text: &str, observed: &[ObservedResource]) -> Plan {
    let (plan, desired) = crate::plan(&topology(text), observed).unwrap();
    let operations = Operations::new(&plan.changes, &desired, observed);
    let graph = &operations.graph;
    assert!(graph.node_count() > 0 || plan.is_empty());
    for edge in graph.edge_references() {
        let (before, after) = (&graph[edge.source()], &graph[edge.target()]);
        // A change is listed at its first call: a replacement's creation comes after its
        // deletion, which is where the replacement is listed.
        let first_call_of_its_change = !(after.replacement && after.call == Call::Create);
        if before.change != after.change && first_call_of_its_change {
            assert!(
                before.change < after.change,
                "{:?} {} waits for {:?} {}, but the plan lists it first",
                after.call,
                after.id,
                before.call,
                before.id
            );
        }
    }
    plan
}

#[test]
fn every_example_is_listed_in_the_executors_order() {
    let examples = [
        include_str!("../../../examples/two-cloud-tunnel/main.iso"),
        include_str!("../../../examples/three-cloud-mesh/main.iso"),
        include_str!("../../../examples/endpoint-relay/main.iso"),
        include_str!("../../../examples/host-mesh/main.iso"),
        include_str!("../../../examples/gitops/main.iso"),
    ];
    for text in examples {
        let first = plan_listed_in_call_order(text, &[]);
        let live = applied(&first, &[]);
        assert!(plan_listed_in_call_order(text, &live).is_empty());
        // Destroyed, as `isopod destroy` plans it: every owned resource deleted, holders first.
        let nothing = crate::Desired { stack: first.stack.clone(), ..crate::Desired::default() };
        let destroy = Plan::new(&nothing, crate::diff(&nothing, &live), &live).unwrap();
        let operations = Operations::new(&destroy.changes, &nothing, &live);
        assert_eq!(operations.graph.node_count(), live.iter().filter(|r| r.owner.is_some()).count());
        for edge in operations.graph.edge_references() {
            assert!(operations.graph[edge.source()].change < operations.graph[edge.target()].change);
        }
    }
}

/// The full mesh of `n` networks, with the ranges of the networks in `moved` shifted (which
/// replaces them and everything inside).
fn mesh(n: usize, moved: &[usize]) -> String {
    let mut text = isopod_test_support::mesh::full_mesh("ordering", n);
    for &network in moved {
        text = text.replace(&format!("\"10.{network}."), &format!("\"10.{}.", 100 + network));
    }
    text
}

#[test]
fn random_meshes_that_change_are_listed_in_the_executors_order() {
    let mut rng = StdRng::seed_from_u64(13);
    for _ in 0..6 {
        let before = rng.random_range(3..9);
        let first = plan_listed_in_call_order(&mesh(before, &[]), &[]);
        let live = applied(&first, &[]);
        // Some networks go (deletions), some move (replacements), some come (creations).
        let after = rng.random_range(2..12);
        let moved: Vec<usize> = (0..after.min(before)).filter(|_| rng.random_bool(0.3)).collect();
        let plan = plan_listed_in_call_order(&mesh(after, &moved), &live);
        let actions = |action: Action| plan.changes.iter().filter(|c| c.action == action).count();
        if !moved.is_empty() {
            assert!(actions(Action::DeleteThenCreate) > 0, "moving a network replaces it");
        }
        if after < before {
            assert!(actions(Action::Delete) > 0, "dropping networks deletes them");
        }
    }
}

/// The dependencies the diff finds while comparing (when nothing is created or replaced) are
/// those the order would find on its own: for every example applied, then with its tags
/// changed (an update of each tagged resource), and for a mesh.
#[test]
fn the_dependencies_the_diff_finds_are_those_the_order_finds() {
    let mut texts: Vec<String> = [
        include_str!("../../../examples/two-cloud-tunnel/main.iso"),
        include_str!("../../../examples/three-cloud-mesh/main.iso"),
        include_str!("../../../examples/endpoint-relay/main.iso"),
        include_str!("../../../examples/host-mesh/main.iso"),
        include_str!("../../../examples/gitops/main.iso"),
    ]
    .map(str::to_string)
    .to_vec();
    texts.push(isopod_test_support::mesh::full_mesh("mesh", 12));
    let (mut edges, mut updates) = (0, 0);
    for text in &texts {
        let first = crate::plan(&topology(text), &[]).unwrap().0;
        let live = applied(&first, &[]);
        let retagged = text.replace("team = \"network\"", "team = \"netops\"");
        for text in [text, &retagged] {
            let topology = topology(text);
            let desired =
                crate::lower(&topology, &crate::Live::from_observed(&topology.stack.name.value, &live)).unwrap();
            let changes = crate::diff(&desired, &live);
            let found = changes.dependencies.clone().expect("nothing is created or replaced");
            let mut found: Vec<(usize, usize)> = found;
            let mut own = crate::order::dependency_edges(&changes.list, &desired);
            for edges in [&mut found, &mut own] {
                edges.sort_unstable();
                edges.dedup();
            }
            assert_eq!(found, own, "{}", topology.stack.name.value);
            edges += own.len();
            updates += changes.list.iter().filter(|change| change.action == Action::Update).count();
        }
    }
    assert!(edges > 1_000, "the examples and the mesh have dependencies: {edges}");
    assert!(updates > 10, "the retagged examples update their tagged resources: {updates}");
}
