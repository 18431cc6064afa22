//! The order in which ready calls take their turn: each call's priority.
//!
//! Without a rate the calls share one limit (the calls in flight), so the longest chain of calls
//! still to come goes first (critical-path scheduling).
//!
//! Under a rate each cloud has its own pace, and the cloud with the most calls to make sets the
//! length of the run: it must never wait for work. Its own calls still go by the longest chain;
//! the other clouds' calls that lead to one of its calls go first, the nearest to it first, so
//! that one pipeline is carried through (an AWS customer gateway, then its VPN connection, then
//! the GCP tunnels on it) before the next is started, instead of every customer gateway before
//! any VPN connection while GCP waits.

use isopod_catalog::Cloud;
use isopod_planner::order::{Call, Operation};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

/// A priority is a chain's length in its low bits; above them, for the calls that feed the
/// busiest cloud, a mark and how near to it they are.
const CHAIN_BITS: u32 = 40;
const FEEDS: u64 = 1 << 62;
/// Distances beyond this many calls order as this one.
const FARTHEST: u64 = (1 << (62 - CHAIN_BITS)) - 1;

/// Each call's priority (higher first), by node index; `rated` when each cloud has its own pace.
pub(crate) fn priorities(graph: &DiGraph<Operation, ()>, rated: bool) -> Vec<u64> {
    // A graph with a circle (never planned; the executor reports what it leaves) gets none.
    let Ok(order) = petgraph::algo::toposort(graph, None) else { return vec![0; graph.node_count()] };
    let chain = chain_after(graph, &order);
    if !rated {
        return chain;
    }
    let Some(busiest) = busiest_cloud(graph) else { return chain };
    let feeds = calls_until(graph, &order, busiest);
    graph
        .node_indices()
        .map(|node| {
            let chain = chain[node.index()];
            match feeds[node.index()] {
                Some(calls) if calls > 0 => {
                    let nearness = FARTHEST - calls.min(FARTHEST);
                    FEEDS | nearness << CHAIN_BITS | chain.min((1 << CHAIN_BITS) - 1)
                }
                _ => chain,
            }
        })
        .collect()
}

/// For each call, how long the longest chain of calls from it to the end takes at the least, in
/// seconds: one for each call, and the documented provisioning time of what it creates. `order`
/// is a topological order of `graph`.
fn chain_after(graph: &DiGraph<Operation, ()>, order: &[NodeIndex]) -> Vec<u64> {
    let mut after = vec![0u64; graph.node_count()];
    for &node in order.iter().rev() {
        let operation = &graph[node];
        let own = 1 + if operation.call == Call::Delete { 0 } else { operation.id.kind.provisioning_seconds() };
        let next = graph.neighbors_directed(node, Direction::Outgoing).map(|n| after[n.index()]).max();
        after[node.index()] = own + next.unwrap_or(0);
    }
    after
}

/// The cloud with the most calls to make (a create the cloud provisions counts its look too).
fn busiest_cloud(graph: &DiGraph<Operation, ()>) -> Option<Cloud> {
    let mut calls: BTreeMap<Cloud, u64> = BTreeMap::new();
    for operation in graph.node_weights() {
        let looks = operation.call == Call::Create && operation.id.kind.provisioning_seconds() > 0;
        *calls.entry(operation.id.kind.cloud()).or_default() += 1 + u64::from(looks);
    }
    calls.into_iter().max_by_key(|&(_, calls)| calls).map(|(cloud, _)| cloud)
}

/// For each call, the fewest calls from it to a call of `cloud` that waits for it (0 for the
/// cloud's own calls), if any does. `order` is a topological order of `graph`.
fn calls_until(graph: &DiGraph<Operation, ()>, order: &[NodeIndex], cloud: Cloud) -> Vec<Option<u64>> {
    let mut until = vec![None; graph.node_count()];
    for &node in order.iter().rev() {
        until[node.index()] = if graph[node].id.kind.cloud() == cloud {
            Some(0)
        } else {
            let nearest =
                graph.neighbors_directed(node, Direction::Outgoing).filter_map(|n: NodeIndex| until[n.index()]).min();
            nearest.map(|calls| calls + 1)
        };
    }
    until
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::ResourceKind;
    use isopod_planner::order::Operations;

    /// The calls of an AWS and GCP mesh.
    fn mesh() -> DiGraph<Operation, ()> {
        let topology = isopod_test_support::topology(&isopod_test_support::mesh::full_mesh("test", 6));
        let (plan, desired) = isopod_planner::plan(&topology, &[]).expect("plans");
        Operations::new(&plan.changes, &desired, &[]).graph
    }

    fn toposort(graph: &DiGraph<Operation, ()>) -> Vec<NodeIndex> {
        petgraph::algo::toposort(graph, None).expect("a plan's calls have no circle")
    }

    /// The first call of `kind`, by node index.
    fn first(graph: &DiGraph<Operation, ()>, kind: ResourceKind) -> usize {
        graph.node_indices().find(|&node| graph[node].id.kind == kind).expect("the mesh has one").index()
    }

    #[test]
    fn without_a_rate_the_longest_chain_goes_first() {
        let graph = mesh();
        let priority = priorities(&graph, false);
        let (gateway, connection) =
            (first(&graph, ResourceKind::AwsCustomerGateway), first(&graph, ResourceKind::AwsVpnConnection));
        assert!(priority[gateway] > priority[connection], "a customer gateway comes before the connection on it");
        assert_eq!(priority, chain_after(&graph, &toposort(&graph)));
    }

    #[test]
    fn under_a_rate_what_feeds_the_busiest_cloud_goes_first_the_nearest_first() {
        let graph = mesh();
        assert_eq!(busiest_cloud(&graph), Some(Cloud::Gcp), "GCP makes the most calls in this mesh");
        let priority = priorities(&graph, true);
        let at = |kind| priority[first(&graph, kind)];
        // A VPN connection is one call from GCP's external gateway, a customer gateway two.
        assert!(at(ResourceKind::AwsVpnConnection) > at(ResourceKind::AwsCustomerGateway));
        // What GCP never waits for comes after what it does.
        assert!(at(ResourceKind::AwsCustomerGateway) > at(ResourceKind::AwsSubnet));
        // GCP's own calls keep the longest chain first.
        let chain = chain_after(&graph, &toposort(&graph));
        for node in graph.node_indices().filter(|&node| graph[node].id.kind.cloud() == Cloud::Gcp) {
            assert_eq!(priority[node.index()], chain[node.index()]);
        }
    }
}
