//! The plan: the changes of a diff in the order they can be applied, with the dependency graph
//! (petgraph) that orders them.

use crate::diff::{Action, Change};
use crate::lower::Desired;
use isopod_catalog::{ResourceId, ResourceKind};
use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An ordered change set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The stack the plan is for.
    pub stack: String,
    /// Every change, no-ops included, in an order that respects dependencies: creations and
    /// updates after what they depend on, deletions before what they depended on.
    pub changes: Vec<Change>,
}

/// A dependency cycle between desired resources: the full path, first resource repeated last.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("dependency cycle: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> "))]
pub struct Cycle(pub Vec<ResourceId>);

impl Plan {
    /// Orders `changes` by the dependencies of the desired resources.
    pub fn new(desired: &Desired, changes: Vec<Change>) -> Result<Plan, Cycle> {
        let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(changes.len(), changes.len());
        let nodes: Vec<NodeIndex> = (0..changes.len()).map(|idx| graph.add_node(idx)).collect();
        // Deletions have no edges (nothing desired depends on them), and a duplicate's deletion
        // shares its id with the kept copy's change.
        let index: HashMap<&ResourceId, usize> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.action != Action::Delete)
            .map(|(idx, c)| (&c.id, idx))
            .collect();
        for (idx, change) in changes.iter().enumerate() {
            if change.action == Action::Delete {
                continue;
            }
            let Some(resource) = desired.resources.get(&change.id) else { continue };
            for dependency in resource.dependencies() {
                if let Some(&dep) = index.get(dependency) {
                    graph.add_edge(nodes[dep], nodes[idx], ());
                }
            }
        }
        let order = toposort(&graph, None).map_err(|cycle| Cycle(cycle_path(&graph, cycle.node_id(), &changes)))?;
        // Each change's level: one more than the deepest of its dependencies. Sorting by level,
        // then by id, keeps dependencies first and lists siblings in a readable order.
        let mut level = vec![0usize; changes.len()];
        for node in &order {
            let deepest =
                graph.neighbors_directed(*node, petgraph::Direction::Incoming).map(|dep| level[graph[dep]] + 1).max();
            level[graph[*node]] = deepest.unwrap_or(0);
        }
        let mut indices: Vec<usize> = (0..changes.len()).collect();
        indices.sort_by(|&a, &b| (level[a], &changes[a].id).cmp(&(level[b], &changes[b].id)));
        let mut ordered: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
        let (deletes, others): (Vec<usize>, Vec<usize>) =
            indices.into_iter().partition(|&idx| ordered[idx].as_ref().is_some_and(|c| c.action == Action::Delete));
        let mut deletes = deletes;
        // Deleted resources are no longer described by the configuration: children go first.
        deletes.sort_by_key(|&idx| std::cmp::Reverse(kind_depth(ordered[idx].as_ref().expect("taken once").id.kind)));
        let changes = deletes
            .into_iter()
            .chain(others)
            .map(|idx| ordered[idx].take().expect("each change is taken once"))
            .collect();
        Ok(Plan { stack: desired.stack.clone(), changes })
    }

    /// True when the plan deletes resources and keeps or creates none: what an empty folder or
    /// a wrong path would do, and what applying must refuse without an explicit flag.
    pub fn deletes_everything(&self) -> bool {
        self.changes.iter().any(|change| change.action == Action::Delete)
            && self.changes.iter().all(|change| change.action == Action::Delete)
    }

    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|change| change.action == Action::NoOp)
    }

    /// How many changes of each action the plan holds.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                Action::NoOp => {}
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::DeleteThenCreate => summary.replace += 1,
                Action::Delete => summary.delete += 1,
            }
        }
        summary
    }
}

/// Counts of a plan's changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Resources to create.
    pub create: usize,
    /// Resources to change in place.
    pub update: usize,
    /// Resources to replace.
    pub replace: usize,
    /// Resources to delete.
    pub delete: usize,
}

/// How deep a kind sits under the resources it is created in (0 for roots).
fn kind_depth(kind: ResourceKind) -> u8 {
    match kind {
        ResourceKind::AzureResourceGroup => 0,
        ResourceKind::AwsVpc | ResourceKind::GcpNetwork => 0,
        ResourceKind::AzureVirtualNetwork => 1,
        ResourceKind::AwsSubnet | ResourceKind::GcpSubnetwork => 1,
        ResourceKind::AzureSubnet => 2,
        ResourceKind::AzurePublicIp | ResourceKind::AzureLocalNetworkGateway => 1,
        ResourceKind::AzureVirtualNetworkGateway => 3,
        ResourceKind::AzureVpnConnection => 4,
        ResourceKind::AwsVpnGateway | ResourceKind::GcpHaVpnGateway | ResourceKind::GcpRouter => 1,
        ResourceKind::AwsCustomerGateway | ResourceKind::GcpExternalVpnGateway => 0,
        ResourceKind::AwsTransitGateway => 0,
        ResourceKind::AwsTransitGatewayVpcAttachment => 2,
        ResourceKind::AwsRoute53Zone | ResourceKind::AzurePrivateDnsZone | ResourceKind::GcpDnsManagedZone => 1,
        ResourceKind::AwsRoute53Record
        | ResourceKind::AzurePrivateDnsZoneLink
        | ResourceKind::AzurePrivateDnsARecord
        | ResourceKind::GcpDnsRecordSet => 2,
        ResourceKind::AwsVpnGatewayRoutePropagation => 2,
        ResourceKind::AwsVpnConnection => 2,
        ResourceKind::GcpVpnTunnel => 2,
        ResourceKind::GcpRouterPeer => 3,
        ResourceKind::AwsVpcPeeringConnection
        | ResourceKind::AzureVirtualNetworkPeering
        | ResourceKind::GcpNetworkPeering => 2,
        ResourceKind::AwsVpcPeeringConnectionAccepter => 3,
        ResourceKind::AwsRoute => 4,
        ResourceKind::AwsVpnConnectionRoute => 3,
        ResourceKind::HostIpsecTunnel => 0,
        ResourceKind::AwsSecurityGroup => 1,
        ResourceKind::AwsVpcEndpoint | ResourceKind::GcpAddress => 2,
        ResourceKind::AzurePrivateEndpoint | ResourceKind::GcpForwardingRule => 3,
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
