//! The path the topology gives traffic between two places, and the meters it is billed by.
//!
//! Between two networks the path is the connection the configuration makes (a tunnel written or
//! of a mesh, which Isopod builds as peering inside one cloud and as VPN between clouds, or the
//! tunnel a relay adds); inside a network it is its zones; out of a network to the internet it
//! is the way the flow record names (a NAT gateway, an internet gateway, a gateway endpoint).

use crate::flows::{Egress, Service};
use crate::places::Place;
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, End, Network};
use serde::Serialize;
use std::collections::BTreeSet;

/// The kind of path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// Inside one zone of a network.
    SameZone,
    /// Between zones of a network.
    CrossZone,
    /// Inside a network whose subnets' zones the configuration does not say.
    SameNetwork,
    /// Over the cloud's peering between two networks.
    Peering,
    /// Through a VPN tunnel.
    Tunnel,
    /// To an endpoint's network over a relay's connection.
    Relay,
    /// Out through a NAT gateway.
    NatGateway,
    /// To a cloud service through a gateway endpoint.
    GatewayEndpoint,
    /// To a cloud service at its public addresses.
    CloudService,
    /// Out to the internet.
    Internet,
    /// In from the internet.
    Inbound,
    /// Outside the clouds' bills (between a host's own addresses, or from a host to the internet).
    NotBilled,
    /// Between places the configuration does not connect (routed by something Isopod does not
    /// manage).
    Unconnected,
}

/// A meter a path is billed by, where.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Charge {
    /// The price book's meter.
    pub meter: String,
    /// The cloud.
    pub cloud: CloudKind,
    /// The region billed.
    pub region: String,
    /// The other region, for meters priced by pairs.
    pub to_region: Option<String>,
}

/// The path of traffic between two places.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Path {
    /// Its kind.
    pub kind: PathKind,
    /// How it is written in tables: `tunnel core/app~dc, out by AWS's virtual private gateway`.
    pub via: String,
    /// The tunnel or relay it takes, as its configuration names it (`tunnel.app-dc`,
    /// `relay.db`).
    pub object: Option<String>,
    /// Whether it crosses regions.
    pub cross_region: bool,
    /// The meters it is billed by.
    pub charges: Vec<Charge>,
}

/// What paths are worked out from: the topology and the AWS networks whose VPN connections
/// attach to a transit gateway.
#[derive(Clone, Copy, Debug)]
pub struct Routes<'a> {
    /// The configuration.
    pub topology: &'a Topology,
    /// AWS networks on a transit gateway (the planner's `Desired::aws_transit`).
    pub aws_transit: &'a BTreeSet<String>,
}

/// What the flow records say of a path beyond its two ends.
#[derive(Clone, Copy, Debug)]
pub struct Hint<'a> {
    /// The way out the record names.
    pub egress: Egress,
    /// The cloud service at the end on the internet.
    pub service: Option<Service>,
    /// The place of the middlebox (NAT gateway) that passed the flow on.
    pub middlebox: Option<&'a Place>,
}

/// A connection between two ends, as the configuration makes it.
struct Connection {
    /// `tunnel.NAME` or `relay.NAME`.
    object: String,
    /// Whether it is a relay's (which adds the endpoint's processing).
    relay: bool,
}

impl Routes<'_> {
    /// The path from `from` to `to` for traffic of which the records say `hint`.
    pub fn path(&self, from: &Place, to: &Place, hint: Hint<'_>) -> Path {
        let from_network = from.network().and_then(|name| self.topology.network(name));
        let to_network = to.network().and_then(|name| self.topology.network(name));
        match (from_network, to_network) {
            (Some(a), Some(b)) if a.name == b.name => inside(a, from, to),
            (Some(a), Some(b)) => self.between(a, b, from, to),
            (Some(a), None) => self.out_of(a, to, hint.egress, hint.service),
            (None, Some(b)) => self.into(from, to, b, hint),
            (None, None) => not_billed(from, to),
        }
    }

    fn between(&self, a: &Network, b: &Network, from: &Place, to: &Place) -> Path {
        let ends = (End::Network(a.name.clone()), End::Network(b.name.clone()));
        let Some(connection) = self.connection(&ends.0, &ends.1) else {
            return unconnected(from, to);
        };
        let cross_region = a.kind != b.kind || a.region.value != b.region.value;
        let mut path = if a.kind == b.kind {
            peering(a, b, from, to, &connection.object)
        } else {
            self.tunnel(a, &connection.object, &b.kind.as_str().to_uppercase(), cross_region)
        };
        if connection.relay {
            let endpoint_network = self.relay_endpoint_network(&connection.object);
            let at = if endpoint_network == Some(a.name.as_str()) { a } else { b };
            path.charges.push(charge(at, endpoint_processing(at.kind), None));
            // The connection is the relay's own, so the via already names it.
            path.kind = PathKind::Relay;
        }
        path
    }

    fn tunnel(&self, network: &Network, object: &str, peer: &str, cross_region: bool) -> Path {
        let (gateway, mut charges) = match network.kind {
            CloudKind::Aws if self.aws_transit.contains(&network.name) => {
                ("AWS's transit gateway", vec![charge(network, "aws.transit_gateway_processing", None)])
            }
            CloudKind::Aws => ("AWS's virtual private gateway", Vec::new()),
            CloudKind::Gcp => ("GCP's HA VPN gateway", Vec::new()),
            CloudKind::Azure => ("Azure's VPN gateway", Vec::new()),
        };
        charges.push(charge(network, internet_out(network.kind), None));
        Path {
            kind: PathKind::Tunnel,
            via: format!("{object} to {peer}, out by {gateway}"),
            object: Some(object.to_string()),
            cross_region,
            charges,
        }
    }

    fn out_of(&self, network: &Network, to: &Place, egress: Egress, service: Option<Service>) -> Path {
        if let Some(host) = to.host() {
            let end = End::Host(host.to_string());
            if let Some(connection) = self.connection(&End::Network(network.name.clone()), &end) {
                return self.tunnel(network, &connection.object, &format!("host.{host}"), true);
            }
        }
        if matches!(to, Place::Outside) {
            return unconnected(&Place::Network { network: network.name.clone() }, to);
        }
        let mut charges = Vec::new();
        let (kind, via) = match (network.kind, egress, service) {
            (CloudKind::Aws, Egress::GatewayEndpoint, _) => {
                (PathKind::GatewayEndpoint, "a gateway endpoint".to_string())
            }
            (CloudKind::Aws, Egress::Forwarded, service) => {
                charges.push(charge(network, "aws.nat_gateway_processing", None));
                if service.is_none() {
                    charges.push(charge(network, "aws.internet_out", None));
                }
                let to = service.map_or("the internet".to_string(), |s| s.name().to_string());
                (PathKind::NatGateway, format!("a NAT gateway to {to}"))
            }
            (CloudKind::Aws, _, Some(service)) => {
                (PathKind::CloudService, format!("{} at its public addresses, in the region", service.name()))
            }
            (kind, _, _) => {
                charges.push(charge(network, internet_out(kind), None));
                (PathKind::Internet, "the internet".to_string())
            }
        };
        Path { kind, via, object: None, cross_region: false, charges }
    }

    fn into(&self, from: &Place, to: &Place, network: &Network, hint: Hint<'_>) -> Path {
        if let Some(gateway) = hint.middlebox.filter(|_| network.kind == CloudKind::Aws) {
            let mut charges = vec![charge(network, "aws.nat_gateway_processing", None)];
            let zones = (gateway.zone(), to.zone());
            if let (Some(a), Some(b)) = zones
                && a != b
            {
                charges.extend(cross_zone(network, network));
            }
            let zone = gateway.zone().map_or(String::new(), |zone| format!(" in {zone}"));
            return Path {
                kind: PathKind::NatGateway,
                via: format!("in through a NAT gateway{zone}"),
                object: None,
                cross_region: false,
                charges,
            };
        }
        if let Some(host) = from.host() {
            let end = End::Host(host.to_string());
            if let Some(connection) = self.connection(&end, &End::Network(network.name.clone())) {
                return Path {
                    kind: PathKind::Tunnel,
                    via: format!("{} from host.{host}, into {}", connection.object, network.name),
                    object: Some(connection.object),
                    cross_region: true,
                    charges: Vec::new(),
                };
            }
        }
        match from {
            Place::Outside => unconnected(from, &Place::Network { network: network.name.clone() }),
            _ => Path {
                kind: PathKind::Inbound,
                via: "in from the internet".into(),
                object: None,
                cross_region: false,
                charges: Vec::new(),
            },
        }
    }

    /// The connection the configuration makes between two ends: a tunnel (written, or of a
    /// mesh) or, failing one, a relay's.
    fn connection(&self, a: &End, b: &End) -> Option<Connection> {
        let joins = |x: &End, y: &End| (x == a && y == b) || (x == b && y == a);
        if let Some(tunnel) = self.topology.tunnels.iter().find(|t| joins(&t.ends[0].value, &t.ends[1].value)) {
            return Some(Connection { object: format!("tunnel.{}", tunnel.name), relay: false });
        }
        self.topology.relays.iter().find_map(|relay| {
            let endpoint = self.topology.endpoints.iter().find(|e| e.name == relay.endpoint.value)?;
            let source = End::Network(endpoint.network.value.clone());
            relay
                .to
                .iter()
                .any(|consumer| joins(&source, &End::Network(consumer.value.clone())))
                .then(|| Connection { object: format!("relay.{}", relay.name), relay: true })
        })
    }

    fn relay_endpoint_network(&self, object: &str) -> Option<&str> {
        let name = object.strip_prefix("relay.")?;
        let relay = self.topology.relays.iter().find(|r| r.name == name)?;
        let endpoint = self.topology.endpoints.iter().find(|e| e.name == relay.endpoint.value)?;
        Some(&endpoint.network.value)
    }
}

fn inside(network: &Network, from: &Place, to: &Place) -> Path {
    let (kind, via, charges) = match (from.zone(), to.zone()) {
        (Some(a), Some(b)) if a == b => (PathKind::SameZone, format!("inside {a}"), Vec::new()),
        (Some(a), Some(b)) => (PathKind::CrossZone, format!("{a} to {b}"), cross_zone(network, network)),
        _ => (PathKind::SameNetwork, "inside the network (zones not in the configuration)".into(), Vec::new()),
    };
    Path { kind, via, object: None, cross_region: false, charges }
}

fn peering(a: &Network, b: &Network, from: &Place, to: &Place, object: &str) -> Path {
    let same_region = a.region.value == b.region.value;
    let charges = match (a.kind, same_region) {
        (CloudKind::Aws | CloudKind::Gcp, true) => match (from.zone(), to.zone()) {
            (Some(x), Some(y)) if x != y => cross_zone(a, b),
            _ => Vec::new(),
        },
        (CloudKind::Aws | CloudKind::Gcp, false) => {
            let meter = if a.kind == CloudKind::Aws { "aws.inter_region" } else { "gcp.inter_region" };
            vec![charge(a, meter, Some(b))]
        }
        (CloudKind::Azure, true) => {
            vec![charge(a, "azure.vnet_peering_out", None), charge(b, "azure.vnet_peering_in", None)]
        }
        (CloudKind::Azure, false) => {
            vec![charge(a, "azure.global_peering_out", None), charge(b, "azure.global_peering_in", None)]
        }
    };
    let region = if same_region { String::new() } else { format!(", {} to {}", a.region.value, b.region.value) };
    Path {
        kind: PathKind::Peering,
        via: format!("{object} (peering{region})"),
        object: Some(object.to_string()),
        cross_region: !same_region,
        charges,
    }
}

/// Between zones: AWS bills both sides, GCP and Azure the sender.
fn cross_zone(a: &Network, b: &Network) -> Vec<Charge> {
    match a.kind {
        CloudKind::Aws => vec![charge(a, "aws.inter_zone", None), charge(b, "aws.inter_zone", None)],
        CloudKind::Gcp => vec![charge(a, "gcp.inter_zone", None)],
        CloudKind::Azure => vec![charge(a, "azure.inter_zone", None)],
    }
}

fn internet_out(kind: CloudKind) -> &'static str {
    match kind {
        CloudKind::Aws => "aws.internet_out",
        CloudKind::Gcp => "gcp.internet_out",
        CloudKind::Azure => "azure.internet_out",
    }
}

fn endpoint_processing(kind: CloudKind) -> &'static str {
    match kind {
        CloudKind::Aws => "aws.interface_endpoint_processing",
        CloudKind::Gcp => "gcp.psc_processing",
        CloudKind::Azure => "azure.private_link_processing",
    }
}

fn charge(network: &Network, meter: &str, to: Option<&Network>) -> Charge {
    Charge {
        meter: meter.to_string(),
        cloud: network.kind,
        region: network.region.value.clone(),
        to_region: to.map(|other| other.region.value.clone()),
    }
}

fn unconnected(from: &Place, to: &Place) -> Path {
    Path {
        kind: PathKind::Unconnected,
        via: format!("not connected by the configuration ({} to {})", from.label(), to.label()),
        object: None,
        cross_region: false,
        charges: Vec::new(),
    }
}

fn not_billed(from: &Place, to: &Place) -> Path {
    let kind = if matches!((from, to), (Place::Outside, _) | (_, Place::Outside)) && from.host().is_none() {
        PathKind::Unconnected
    } else {
        PathKind::NotBilled
    };
    Path { kind, via: "outside the clouds' bills".into(), object: None, cross_region: false, charges: Vec::new() }
}
