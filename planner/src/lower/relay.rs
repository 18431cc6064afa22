//! Relays: an endpoint that works only in its own network, made reachable from other networks
//! (other regions, other clouds) by connecting each of them to the endpoint's network with the
//! tunnel layout of the pair, unless the configuration already connects them.
//!
//! The private DNS half of a relay (the service's name resolving to the endpoint in the
//! consumers) is not planned yet: `plan` says so for every relay that asks for it.

use super::Desired;
use isopod_lang::Spanned;
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, End, Tunnel};
use std::collections::BTreeMap;

/// Why a GCP endpoint is not relayed to another GCP network: Private Service Connect endpoints
/// are not reachable across VPC Network Peering, the only layout planned between two GCP networks
/// (Google: "Private Service Connect connections are not transitive from peered VPCs").
const GCP_PSC_OVER_PEERING: &str = "a GCP Private Service Connect endpoint is not reachable over VPC peering, and HA VPN between two GCP networks is not planned yet";

/// Whether the networks `a` and `b` are both in GCP.
fn both_gcp(topology: &Topology, a: &str, b: &str) -> bool {
    let is_gcp = |name: &str| topology.network(name).is_some_and(|n| n.kind == CloudKind::Gcp);
    is_gcp(a) && is_gcp(b)
}

/// Why a relay adds nothing for a consumer the configuration connects with a tunnel that is
/// itself left out: a second connection beside it would collide once the tunnel is planned.
const RELIES_ON_UNPLANNED: &str = "the tunnel the configuration has between the two networks is not planned";

/// The tunnels the relays need and the configuration lacks, each with its relay's name;
/// `planned` tells whether a written tunnel is planned.
pub(super) fn tunnels(
    topology: &Topology,
    planned: impl Fn(&Tunnel) -> bool,
    desired: &mut Desired,
) -> Vec<(Tunnel, String)> {
    // Pairs of networks the configuration connects, both ways, with whether one of the
    // connecting tunnels is planned.
    let mut connected: BTreeMap<(&str, &str), bool> = BTreeMap::new();
    for tunnel in &topology.tunnels {
        if let (End::Network(a), End::Network(b)) = (&tunnel.ends[0].value, &tunnel.ends[1].value) {
            for pair in [(a.as_str(), b.as_str()), (b.as_str(), a.as_str())] {
                *connected.entry(pair).or_default() |= planned(tunnel);
            }
        }
    }
    let mut out: Vec<(Tunnel, String)> = Vec::new();
    for relay in &topology.relays {
        let Some(endpoint) = topology.endpoints.iter().find(|e| e.name == relay.endpoint.value) else { continue };
        if relay.private_dns {
            desired.unplanned.push((
                format!("relay.{}.private_dns", relay.name),
                "a relay's private DNS is not planned yet; its connectivity is",
            ));
        }
        let source = &endpoint.network;
        for consumer in &relay.to {
            let name = format!("{}/{}~{}", relay.name, source.value, consumer.value);
            let pair = (source.value.as_str(), consumer.value.as_str());
            let refusal = if both_gcp(topology, pair.0, pair.1) {
                Some(GCP_PSC_OVER_PEERING)
            } else if connected.get(&pair) == Some(&false) {
                Some(RELIES_ON_UNPLANNED)
            } else {
                None
            };
            if let Some(reason) = refusal {
                desired.unplanned.push((format!("relay.{} ({name})", relay.name), reason));
                continue;
            }
            let already = connected.contains_key(&pair)
                || out.iter().any(|(t, _)| {
                    let ends = (t.ends[0].value.name(), t.ends[1].value.name());
                    ends == pair || (ends.1, ends.0) == pair
                });
            if already {
                continue;
            }
            out.push((
                Tunnel {
                    name,
                    ends: [
                        Spanned::new(End::Network(source.value.clone()), source.span),
                        Spanned::new(End::Network(consumer.value.clone()), consumer.span),
                    ],
                    routing: isopod_lang::topology::Routing::Bgp,
                    ha: true,
                    psk: None,
                    ike: isopod_lang::topology::Ike::default(),
                    mesh: None,
                    span: relay.span,
                },
                relay.name.clone(),
            ));
        }
    }
    out
}
