//! Lowering: each logical object of the topology becomes the cloud resources that realise it.
//!
//! Pure: no I/O, no clock, no randomness. One module per family of objects. What must be unique
//! (ASNs, inside ranges) is allocated first, keeping the values live resources already use.

mod aws_vpn;
mod azure_vpn;
mod gcp_vpn;
mod network;
mod peering;
mod tunnel;

use crate::allocate::{self, AllocError, Allocations, InsidePool, Live, gateway_key};
use crate::resource::{OutputRef, Resource, ResourceId, ResourceKind, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, End, Network, Routing, Tunnel};
use std::collections::{BTreeMap, BTreeSet};

/// The resources a topology wants, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desired {
    /// The stack that owns them.
    pub stack: String,
    /// The resources, in a stable order.
    pub resources: BTreeMap<ResourceId, Resource>,
    /// Logical objects this version cannot lower yet (e.g. `tunnel.a-b`), with the reason.
    pub unplanned: Vec<(String, &'static str)>,
}

impl Desired {
    fn add(&mut self, resource: Resource) {
        self.resources.insert(resource.id.clone(), resource);
    }
}

/// The resources that realise `topology`, given the allocations live resources hold.
pub fn lower(topology: &Topology, live: &Live) -> Result<Desired, AllocError> {
    let mut desired = Desired { stack: topology.stack.name.value.clone(), ..Desired::default() };
    for network in &topology.networks {
        network::lower(topology, network, &mut desired);
    }
    let mut supported = Vec::new();
    for tunnel in &topology.tunnels {
        let object = match &tunnel.mesh {
            Some(mesh) => format!("mesh.{mesh} ({})", tunnel.name),
            None => format!("tunnel.{}", tunnel.name),
        };
        match supported_layout(topology, tunnel) {
            Ok(layout) => supported.push((tunnel, layout, object)),
            Err(reason) => desired.unplanned.push((object, reason)),
        }
    }
    for host in &topology.hosts {
        desired.unplanned.push((format!("host.{}", host.name), "hosts are not planned yet"));
    }
    for endpoint in &topology.endpoints {
        desired.unplanned.push((format!("endpoint.{}", endpoint.name), "endpoints are not planned yet"));
    }
    for relay in &topology.relays {
        desired.unplanned.push((format!("relay.{}", relay.name), "relays are not planned yet"));
    }
    let layouts: Vec<(&Tunnel, Layout<'_>)> = supported.iter().map(|(tunnel, layout, _)| (*tunnel, *layout)).collect();
    let allocations = allocate_for(topology, &layouts, live)?;
    for (tunnel, layout, object) in supported {
        match layout {
            Layout::AwsGcp { aws, gcp } => tunnel::aws_gcp(topology, tunnel, aws, gcp, &allocations, &mut desired),
            Layout::AwsAzure { aws, azure } => {
                if let Err(reason) = tunnel::aws_azure(topology, tunnel, aws, azure, &allocations, &mut desired) {
                    desired.unplanned.push((object, reason));
                }
            }
            Layout::AzureGcp { azure, gcp } => {
                if let Err(reason) = tunnel::azure_gcp(topology, tunnel, azure, gcp, &allocations, &mut desired) {
                    desired.unplanned.push((object, reason));
                }
            }
            Layout::Peering { a, b } => {
                let object = match &tunnel.mesh {
                    Some(mesh) => format!("mesh.{mesh}"),
                    None => format!("tunnel.{}", tunnel.name),
                };
                peering::lower(topology, tunnel, a, b, &object, &mut desired);
            }
        }
    }
    Ok(desired)
}

/// The layouts this version can lower.
#[derive(Clone, Copy)]
enum Layout<'t> {
    AwsGcp {
        aws: &'t Network,
        gcp: &'t Network,
    },
    AwsAzure {
        aws: &'t Network,
        azure: &'t Network,
    },
    AzureGcp {
        azure: &'t Network,
        gcp: &'t Network,
    },
    /// Two networks of one cloud: its native peering.
    Peering {
        a: &'t Network,
        b: &'t Network,
    },
}

impl Layout<'_> {
    /// The gateways whose ASNs the layout needs, as (kind, network).
    fn gateways(&self) -> Vec<(ResourceKind, &Network)> {
        let pairs = match self {
            Layout::Peering { .. } => return Vec::new(),
            Layout::AwsGcp { aws, gcp } => [(ResourceKind::AwsVpnGateway, aws), (ResourceKind::GcpRouter, gcp)],
            Layout::AwsAzure { aws, azure } => {
                [(ResourceKind::AwsVpnGateway, aws), (ResourceKind::AzureVirtualNetworkGateway, azure)]
            }
            Layout::AzureGcp { azure, gcp } => {
                [(ResourceKind::AzureVirtualNetworkGateway, azure), (ResourceKind::GcpRouter, gcp)]
            }
        };
        pairs.into_iter().map(|(kind, network)| (kind, *network)).collect()
    }

    /// How many inside /30s one tunnel of the layout needs.
    fn slots(&self) -> usize {
        match self {
            Layout::AwsGcp { .. } | Layout::AwsAzure { .. } => tunnel::SLOTS,
            Layout::AzureGcp { .. } => tunnel::AZURE_GCP_SLOTS,
            Layout::Peering { .. } => 0,
        }
    }

    /// Where the layout's inside ranges come from.
    fn pool(&self) -> InsidePool {
        match self {
            Layout::AwsGcp { .. } => InsidePool::LinkLocal,
            Layout::AwsAzure { .. } | Layout::AzureGcp { .. } => InsidePool::AzureApipa,
            Layout::Peering { .. } => InsidePool::LinkLocal,
        }
    }
}

/// The layout of a tunnel this version can lower, or why it cannot.
fn supported_layout<'t>(topology: &'t Topology, tunnel: &Tunnel) -> Result<Layout<'t>, &'static str> {
    let network = |end: &End| match end {
        End::Network(name) => topology.network(name).ok_or("its network is not lowered"),
        End::Host(_) => Err("tunnels to hosts are not planned yet"),
    };
    let (a, b) = (network(&tunnel.ends[0].value)?, network(&tunnel.ends[1].value)?);
    let layout = match (a.kind, b.kind) {
        (CloudKind::Aws, CloudKind::Gcp) => Layout::AwsGcp { aws: a, gcp: b },
        (CloudKind::Gcp, CloudKind::Aws) => Layout::AwsGcp { aws: b, gcp: a },
        (CloudKind::Aws, CloudKind::Azure) => Layout::AwsAzure { aws: a, azure: b },
        (CloudKind::Azure, CloudKind::Aws) => Layout::AwsAzure { aws: b, azure: a },
        (CloudKind::Azure, CloudKind::Gcp) => Layout::AzureGcp { azure: a, gcp: b },
        (CloudKind::Gcp, CloudKind::Azure) => Layout::AzureGcp { azure: b, gcp: a },
        _ => Layout::Peering { a, b },
    };
    if matches!(layout, Layout::Peering { .. }) {
        // Peering is highly available by design and has no routing protocol to choose.
        return Ok(layout);
    }
    if tunnel.routing != Routing::Bgp || !tunnel.ha {
        return Err("only the highly available BGP layout is planned yet");
    }
    Ok(layout)
}

/// Allocates the ASNs and inside ranges the supported tunnels need.
fn allocate_for(
    topology: &Topology,
    tunnels: &[(&Tunnel, Layout<'_>)],
    live: &Live,
) -> Result<Allocations, AllocError> {
    let mut allocations = Allocations::default();
    let mut asn_requests = BTreeSet::new();
    let mut inside_requests = BTreeMap::new();
    let fixed: BTreeSet<u32> = topology
        .networks
        .iter()
        .filter_map(|n| n.asn.map(|a| a.value))
        .chain(topology.hosts.iter().filter_map(|h| h.asn.map(|a| a.value)))
        .collect();
    for (tunnel, layout) in tunnels {
        for (kind, network) in layout.gateways() {
            let key = gateway_key(kind, &network.name);
            match network.asn {
                Some(asn) => {
                    allocations.asns.insert(key, asn.value);
                }
                None => {
                    asn_requests.insert(key);
                }
            }
        }
        for slot in 0..layout.slots() {
            inside_requests.insert(tunnel::slot_key(&tunnel.name, slot), layout.pool());
        }
    }
    allocations.asns.extend(allocate::asns(&asn_requests, &live.asns, &fixed)?);
    allocations.inside = allocate::inside_ranges(&inside_requests, &live.inside)?;
    Ok(allocations)
}

pub(crate) fn attrs<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs.into_iter().map(|(name, value)| (name.to_string(), value)).collect()
}

pub(crate) fn output(id: &ResourceId, name: &str) -> Value {
    Value::Output(OutputRef { resource: id.clone(), output: name.to_string() })
}
