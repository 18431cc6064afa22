//! Relays: an endpoint that works only in its own network, made reachable from other networks
//! (other regions, other clouds) by connecting each of them to the endpoint's network with the
//! tunnel layout of the pair, unless the configuration already connects them.
//!
//! The private DNS half of a relay (the service's name resolving to the endpoint in the
//! consumers) is [`private_dns`], once the tunnels are lowered.

use super::Desired;
use isopod_lang::Spanned;
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, End, Tunnel};
use std::collections::{BTreeMap, BTreeSet};

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
    if topology.relays.is_empty() {
        // Nothing to relay: a large mesh need not index its tunnels.
        return Vec::new();
    }
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

/// The private DNS of every relay that asks for it ([`dns`](super::dns)), in each consumer that
/// the plan connects to the endpoint's network (`connected` holds both orders of each pair). An
/// endpoint that is not planned is already reported; one without a name to publish is reported
/// here, as `relay.NAME.private_dns`.
pub(super) fn private_dns(topology: &Topology, connected: &BTreeSet<(String, String)>, desired: &mut Desired) {
    for relay in topology.relays.iter().filter(|relay| relay.private_dns) {
        let Some(endpoint) = topology.endpoints.iter().find(|e| e.name == relay.endpoint.value) else { continue };
        let Some(network) = topology.network(&endpoint.network.value) else { continue };
        let endpoint_label = format!("endpoint.{}", endpoint.name);
        if desired.unplanned.iter().any(|(label, _)| *label == endpoint_label) {
            continue;
        }
        let Some(name) = endpoint.service_dns_name() else {
            desired.unplanned.push((format!("relay.{}.private_dns", relay.name), super::dns::NO_NAME));
            continue;
        };
        for consumer in relay.to.iter().filter_map(|c| topology.network(&c.value)) {
            // A GCP endpoint is not reachable from another GCP network (the relay to it is
            // already reported): no name to publish there either.
            if both_gcp(topology, &network.name, &consumer.name) {
                continue;
            }
            if connected.contains(&(network.name.clone(), consumer.name.clone())) {
                let addresses = super::dns::endpoint_addresses(endpoint, network);
                super::dns::publish(topology, relay, consumer, &name, addresses, desired);
            }
        }
    }
}
