//! The topology map: the network as an engineer draws it, not as the resources that realise it.
//! Networks grouped by cloud block and region, hosts as sites, and the links between them
//! (tunnels, native peerings, relays), each with a status: planned or left out, applied or not,
//! up or down as the ends report it. `isopod graph` draws it ([`svg`], [`dot`]), and the watcher's
//! web view shows the same drawing with live states.
//!
//! The map is built from the checked topology and what it lowers to (which tunnels are
//! peerings, which are left out, and which resources carry each link); live facts are laid on it
//! afterwards ([`TopologyMap::mark_live`], [`TopologyMap::mark_states`]), so building it stays
//! pure.

mod dot;
mod svg;

pub use dot::dot;
pub use svg::{escape, svg};

use crate::lower::Desired;
use isopod_catalog::{Cloud, ObservedResource, ResourceId, TUNNEL_STATE_KINDS};
use isopod_lang::topology::{CloudKind, End, Routing, Topology, Tunnel};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The map of one configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopologyMap {
    /// The stack's name.
    pub stack: String,
    /// The cloud blocks with networks, AWS first, then Azure, then GCP, each by name.
    pub clouds: Vec<CloudArea>,
    /// The hosts (sites outside the clouds), by name.
    pub hosts: Vec<Site>,
    /// The links between networks and hosts.
    pub links: Vec<Link>,
}

/// One cloud block's networks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CloudArea {
    /// The block's id, e.g. `aws.prod`.
    pub id: String,
    /// Its cloud.
    pub kind: CloudKind,
    /// Its regions with networks, by name.
    pub regions: Vec<RegionArea>,
}

/// The networks of one region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionArea {
    /// The region's name.
    pub region: String,
    /// Its networks, in the configuration's order.
    pub networks: Vec<NetworkNode>,
}

/// A network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkNode {
    /// Its name in the configuration.
    pub name: String,
    /// Its address range.
    pub cidr: String,
    /// Whether it is an existing network the configuration uses.
    pub existing: bool,
    /// Its endpoints to services.
    pub endpoints: Vec<EndpointNode>,
}

/// An endpoint to a service, in its network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointNode {
    /// Its name in the configuration.
    pub name: String,
    /// The service it reaches.
    pub service: String,
}

/// A host: a site outside the clouds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Its name in the configuration.
    pub name: String,
    /// Its public address.
    pub address: String,
    /// The ranges behind it.
    pub cidrs: Vec<String>,
}

/// One end of a link: `network.NAME` or `host.NAME`.
pub type LinkEnd = End;

/// A link between two ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The object as plans name it: `tunnel.NAME`, `mesh.MESH (NAME)`, `relay.NAME (A~B)`.
    pub name: String,
    /// What kind of link it is.
    pub kind: LinkKind,
    /// Its two ends (a relay: from the endpoint's network to the consumer).
    pub ends: [LinkEnd; 2],
    /// Its status.
    pub status: LinkStatus,
    /// What its status rests on: the reason it is left out, or each carrier's report.
    pub detail: Vec<String>,
    /// Its own resources (not the gateways it shares with other links): all live, it is live.
    pub resources: Vec<ResourceId>,
}

impl Link {
    /// The resources that report its state: VPN connections, VPN tunnels, a host's connections
    /// (none for a peering).
    pub fn carriers(&self) -> impl Iterator<Item = &ResourceId> {
        self.resources.iter().filter(|id| TUNNEL_STATE_KINDS.contains(&id.kind))
    }
}

/// What kind of link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LinkKind {
    /// An IPsec tunnel.
    Tunnel {
        /// BGP or static routes.
        routing: Routing,
        /// Two tunnels per connection.
        ha: bool,
    },
    /// A native peering between two networks of one cloud.
    Peering,
    /// A relay: an endpoint reached from another network.
    Relay,
}

/// A link's status, from what is known about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// This version does not plan it (the reason is in its detail).
    NotPlanned,
    /// Planned; whether it is live is not known (the map was drawn offline).
    Planned,
    /// Planned, and not (or not all) live yet.
    Pending,
    /// Live; its ends do not report a state (a peering, or not asked).
    Live,
    /// Every carrier reports it up.
    Up,
    /// Some carriers report it up, others down.
    Degraded,
    /// Every carrier reports it down.
    Down,
}

impl LinkStatus {
    /// The word shown for it.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::NotPlanned => "not planned",
            LinkStatus::Planned => "planned",
            LinkStatus::Pending => "not applied",
            LinkStatus::Live => "live",
            LinkStatus::Up => "up",
            LinkStatus::Degraded => "degraded",
            LinkStatus::Down => "down",
        }
    }

    /// Its name in JSON and in the drawing's `data-status` attributes.
    pub fn key(self) -> &'static str {
        match self {
            LinkStatus::NotPlanned => "not_planned",
            LinkStatus::Planned => "planned",
            LinkStatus::Pending => "pending",
            LinkStatus::Live => "live",
            LinkStatus::Up => "up",
            LinkStatus::Degraded => "degraded",
            LinkStatus::Down => "down",
        }
    }

    /// The colour it is drawn in (red for down, green for up, orange for degraded).
    pub fn colour(self) -> &'static str {
        svg::colour(self)
    }
}

impl TopologyMap {
    /// The map of `topology`, which lowered to `desired`.
    pub fn new(topology: &Topology, desired: &Desired) -> TopologyMap {
        let mut clouds: Vec<CloudArea> = Vec::new();
        for network in &topology.networks {
            let area = match clouds.iter_mut().position(|c| c.id == network.cloud) {
                Some(at) => &mut clouds[at],
                None => {
                    clouds.push(CloudArea { id: network.cloud.clone(), kind: network.kind, regions: Vec::new() });
                    clouds.last_mut().expect("just pushed")
                }
            };
            let region = match area.regions.iter_mut().position(|r| r.region == network.region.value) {
                Some(at) => &mut area.regions[at],
                None => {
                    area.regions.push(RegionArea { region: network.region.value.clone(), networks: Vec::new() });
                    area.regions.last_mut().expect("just pushed")
                }
            };
            let endpoints = topology
                .endpoints
                .iter()
                .filter(|e| e.network.value == network.name)
                .map(|e| EndpointNode { name: e.name.clone(), service: e.service.value.clone() })
                .collect();
            region.networks.push(NetworkNode {
                name: network.name.clone(),
                cidr: network.cidr.value.to_string(),
                existing: network.existing.is_some(),
                endpoints,
            });
        }
        clouds.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        for cloud in &mut clouds {
            cloud.regions.sort_by(|a, b| a.region.cmp(&b.region));
        }
        let hosts = topology
            .hosts
            .iter()
            .map(|h| Site {
                name: h.name.clone(),
                address: h.address.value.to_string(),
                cidrs: h.cidrs.iter().map(|c| c.value.to_string()).collect(),
            })
            .collect();
        let unplanned: BTreeMap<&str, &str> = desired.unplanned.iter().map(|(l, r)| (l.as_str(), *r)).collect();
        let mut links: Vec<Link> =
            topology.tunnels.iter().map(|t| tunnel_link(topology, desired, &unplanned, t)).collect();
        links.extend(relay_links(topology, desired, &unplanned, &links));
        TopologyMap { stack: topology.stack.name.value.clone(), clouds, hosts, links }
    }

    /// Lays `observed` (what discovery found, for the configuration that lowered to `desired`)
    /// on the map: a planned link whose resources are all live is [`LinkStatus::Live`], else
    /// [`LinkStatus::Pending`]. Untaggable resources count under the addresses the plan gives
    /// them, as the diff takes them.
    pub fn mark_live(&mut self, desired: &Desired, observed: &[ObservedResource]) {
        let adopted = crate::adopted(desired, observed);
        let live: BTreeSet<&ResourceId> = adopted.iter().filter_map(|r| r.owned_by(&self.stack)).collect();
        for link in self.links.iter_mut().filter(|l| l.status == LinkStatus::Planned) {
            let all_live = !link.resources.is_empty() && link.resources.iter().all(|id| live.contains(id));
            link.status = if all_live { LinkStatus::Live } else { LinkStatus::Pending };
        }
    }

    /// Lays the states the ends report on the map: `(carrier, up, what the end says)`, on the
    /// links that are live (or, when [`TopologyMap::mark_live`] was not called, planned). A link
    /// is up when every carrier reports up, down when none is up, and degraded otherwise (some
    /// down, or some live but silent).
    pub fn mark_states<'a>(&mut self, states: impl IntoIterator<Item = (&'a ResourceId, bool, &'a str)>) {
        let mut by_carrier: BTreeMap<&ResourceId, Vec<(bool, &str)>> = BTreeMap::new();
        for (id, up, detail) in states {
            by_carrier.entry(id).or_default().push((up, detail));
        }
        let markable = |l: &&mut Link| matches!(l.status, LinkStatus::Live | LinkStatus::Planned);
        for link in self.links.iter_mut().filter(markable) {
            let reports: Vec<(ResourceId, bool, &str)> = link
                .carriers()
                .flat_map(|id| {
                    by_carrier.get(id).into_iter().flatten().map(move |(up, detail)| (id.clone(), *up, *detail))
                })
                .collect();
            if reports.is_empty() {
                continue;
            }
            let silent: Vec<String> = link
                .carriers()
                .filter(|id| !by_carrier.contains_key(id))
                .map(|id| format!("{id}: no report"))
                .collect();
            let up = reports.iter().filter(|(_, up, _)| *up).count();
            link.status = match up {
                0 => LinkStatus::Down,
                n if n == reports.len() && silent.is_empty() => LinkStatus::Up,
                _ => LinkStatus::Degraded,
            };
            link.detail = reports
                .iter()
                .map(|(id, up, detail)| format!("{id}: {} ({detail})", if *up { "up" } else { "down" }))
                .collect();
            link.detail.extend(silent);
        }
    }

    /// The networks of the map, with where they are: `(cloud block, region, network)`.
    pub fn networks(&self) -> impl Iterator<Item = (&CloudArea, &RegionArea, &NetworkNode)> {
        self.clouds.iter().flat_map(|c| c.regions.iter().flat_map(move |r| r.networks.iter().map(move |n| (c, r, n))))
    }
}

/// The link of one tunnel as written or from a mesh.
fn tunnel_link(topology: &Topology, desired: &Desired, unplanned: &BTreeMap<&str, &str>, tunnel: &Tunnel) -> Link {
    let (name, object) = match &tunnel.mesh {
        Some(mesh) => (format!("mesh.{mesh} ({})", tunnel.name), format!("mesh.{mesh}")),
        None => (format!("tunnel.{}", tunnel.name), format!("tunnel.{}", tunnel.name)),
    };
    let ends = [tunnel.ends[0].value.clone(), tunnel.ends[1].value.clone()];
    let kind = if same_cloud(topology, &ends) {
        LinkKind::Peering
    } else {
        LinkKind::Tunnel { routing: tunnel.routing, ha: tunnel.ha }
    };
    link(name, kind, ends, unplanned, parts(desired, &object, &tunnel.name))
}

/// A link named `name`, left out when `unplanned` gives it a reason.
fn link(
    name: String,
    kind: LinkKind,
    ends: [End; 2],
    unplanned: &BTreeMap<&str, &str>,
    resources: Vec<ResourceId>,
) -> Link {
    let (status, detail) = match unplanned.get(name.as_str()) {
        Some(reason) => (LinkStatus::NotPlanned, vec![(*reason).to_string()]),
        None => (LinkStatus::Planned, Vec::new()),
    };
    Link { name, kind, ends, status, detail, resources }
}

/// Whether both ends are networks of the same cloud (a native peering).
fn same_cloud(topology: &Topology, ends: &[End; 2]) -> bool {
    match ends {
        [End::Network(a), End::Network(b)] => {
            let kind = |name: &str| topology.network(name).map(|n| n.kind);
            kind(a).is_some() && kind(a) == kind(b)
        }
        _ => false,
    }
}

/// The resources of `desired` that are the tunnel named `tunnel`'s own: those of its object
/// (`tunnel.T`, `mesh.M`, `relay.R`) at `TUNNEL` or `TUNNEL.…` and, on a host, `HOST.TUNNEL.…`
/// (the gateways a network's tunnels share belong to the network's object, and another object
/// with the tunnel's name is another object's).
fn parts(desired: &Desired, object: &str, tunnel: &str) -> Vec<ResourceId> {
    let under =
        |address: &str| address.strip_prefix(tunnel).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
    desired
        .resources
        .values()
        .filter(|resource| resource.object == object)
        .map(|resource| &resource.id)
        .filter(|id| match id.kind.cloud() {
            Cloud::Host => id.address.split_once('.').is_some_and(|(_, rest)| under(rest)),
            _ => under(&id.address),
        })
        .cloned()
        .collect()
}

/// The relays' links: from the endpoint's network to each consumer, carried by the relay's own
/// tunnel, by the configuration's tunnel between the two networks, or by the tunnel an earlier
/// relay of the same two networks brought (whose resources then count as the relay's).
fn relay_links(
    topology: &Topology,
    desired: &Desired,
    unplanned: &BTreeMap<&str, &str>,
    tunnels: &[Link],
) -> Vec<Link> {
    let mut links = Vec::new();
    for relay in &topology.relays {
        let Some(endpoint) = topology.endpoints.iter().find(|e| e.name == relay.endpoint.value) else { continue };
        let source = &endpoint.network.value;
        for consumer in &relay.to {
            let pair = format!("{}/{source}~{}", relay.name, consumer.value);
            let ends = [End::Network(source.clone()), End::Network(consumer.value.clone())];
            let object = format!("relay.{}", relay.name);
            let mut resources = parts(desired, &object, &pair);
            if resources.is_empty() {
                // Over the configuration's tunnel between the two, or the tunnel an earlier relay
                // of the same pair brought (lowering makes one per pair).
                let between = |l: &&Link| {
                    (l.ends == ends || l.ends == [ends[1].clone(), ends[0].clone()]) && !l.resources.is_empty()
                };
                let carrier = tunnels.iter().find(between).or_else(|| links.iter().find(between));
                resources = carrier.map(|l| l.resources.clone()).unwrap_or_default();
            }
            links.push(link(format!("relay.{} ({pair})", relay.name), LinkKind::Relay, ends, unplanned, resources));
        }
    }
    links
}

#[cfg(test)]
mod tests;
