//! Suggestions: changes to the configuration that would lower the bill, each with its monthly
//! saving net of the fixed costs it adds, how sure it is, and the change to make. A suggestion
//! never saves more than the traffic it touches costs today.

use crate::estimate::PricedPath;
use crate::fixed::HOURS_PER_MONTH;
use crate::paths::PathKind;
use crate::places::Place;
use crate::prices::{PriceBook, Where};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, Network};
use serde::Serialize;
use std::collections::BTreeMap;

/// Savings below this many dollars a month are not worth a change.
const WORTH_IT: f64 = 1.0;

/// How sure a suggestion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// It depends on things Isopod cannot see (redundancy needs, a provider's offer).
    Low,
    /// It holds if a service is offered where it would move.
    Medium,
    /// The same traffic, a cheaper path, nothing else changes.
    High,
}

impl Confidence {
    /// `low`, `medium`, `high`.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A change that would save money.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    /// What to do.
    pub title: String,
    /// The monthly saving, net of `new_fixed_monthly_usd` and the new path's traffic cost.
    pub saving_monthly_usd: f64,
    /// What the traffic it touches costs today.
    pub touches_monthly_usd: f64,
    /// The fixed costs the change adds.
    pub new_fixed_monthly_usd: f64,
    /// How sure it is.
    pub confidence: Confidence,
    /// The change to the `.iso` files.
    pub change: String,
    /// Why, and when it is not right.
    pub why: String,
}

/// The suggestions for `paths`, best saving first.
pub fn suggest(paths: &[PricedPath], topology: &Topology, book: &PriceBook) -> Vec<Suggestion> {
    let mut out = Vec::new();
    out.extend(endpoints_instead_of_nat(paths, topology, book));
    out.extend(same_zone(paths));
    out.extend(relays_moved(paths, topology, book));
    out.extend(interconnects(paths, topology, book));
    out.retain(|suggestion| suggestion.saving_monthly_usd >= WORTH_IT);
    out.sort_by(|a, b| b.saving_monthly_usd.total_cmp(&a.saving_monthly_usd).then_with(|| a.title.cmp(&b.title)));
    out
}

/// The price of one unit of `meter` for `network`'s region.
fn unit_price(book: &PriceBook, meter: &str, network: &Network) -> Option<f64> {
    Some(book.rate(meter, Where { cloud: network.kind, from: &network.region.value, to: None })?.unit_price())
}

/// The cost of `gb` a month of `meter` in `network`'s region, tiers applied.
fn traffic_cost(book: &PriceBook, meter: &str, network: &Network, gb: f64) -> Option<f64> {
    Some(book.rate(meter, Where { cloud: network.kind, from: &network.region.value, to: None })?.cost(gb))
}

/// What a new interface endpoint in `network` would cost a month: its hours, one per zone its
/// subnets are in, and the processing of `gb`.
fn new_interface_endpoint(book: &PriceBook, network: &Network, gb: f64) -> Option<(f64, f64)> {
    let mut zones: Vec<Option<&str>> =
        network.subnets.iter().map(|s| s.zone.as_ref().map(|z| z.value.as_str())).collect();
    zones.sort_unstable();
    zones.dedup();
    let zones = zones.len().max(1) as f64;
    let hours = unit_price(book, "aws.interface_endpoint", network)? * zones * HOURS_PER_MONTH;
    Some((hours, traffic_cost(book, "aws.interface_endpoint_processing", network, gb)?))
}

fn endpoints_instead_of_nat(paths: &[PricedPath], topology: &Topology, book: &PriceBook) -> Vec<Suggestion> {
    // By network and service: what the traffic costs, what the NAT gateway's part of it is, and
    // its gigabytes. Crossing zones to reach the gateway stays: an endpoint is reached from
    // every zone too.
    let mut by_network: BTreeMap<(&str, &str), (f64, f64, f64)> = BTreeMap::new();
    for path in paths.iter().filter(|p| p.row.path.kind == PathKind::NatGateway) {
        let ends = match (&path.row.from, &path.row.to) {
            (Place::Service { service }, inside) | (inside, Place::Service { service }) => {
                inside.network().zip(Some(service))
            }
            _ => None,
        };
        let Some((network, service)) = ends else { continue };
        let gateway: f64 =
            path.charges.iter().filter(|c| c.charge.meter == "aws.nat_gateway_processing").map(|c| c.monthly_usd).sum();
        let entry = by_network.entry((network, service.as_str())).or_default();
        entry.0 += path.monthly_usd;
        entry.1 += gateway;
        entry.2 += path.monthly_gb;
    }
    let mut out = Vec::new();
    for ((network_name, service), (touched, gateway, gb)) in by_network {
        let Some(network) = topology.network(network_name) else { continue };
        let code = match service {
            "S3" => "s3",
            "DynamoDB" => "dynamodb",
            _ => continue,
        };
        let Some((fixed, processing)) = new_interface_endpoint(book, network, gb) else { continue };
        let region = &network.region.value;
        out.push(Suggestion {
            title: format!("Reach {service} from network.{network_name} through an endpoint, not the NAT gateway"),
            saving_monthly_usd: gateway - fixed - processing,
            touches_monthly_usd: touched,
            new_fixed_monthly_usd: fixed,
            confidence: Confidence::High,
            change: format!(
                "endpoint \"{network_name}-{code}\" {{\n  network = network.{network_name}\n  service = \"com.amazonaws.{region}.{code}\"\n}}"
            ),
            why: format!(
                "{gb:.0} GB a month to {service} pass the NAT gateway, which bills every gigabyte it processes; an interface endpoint bills less per gigabyte. A gateway endpoint for {service} (free, not built by Isopod yet) would save all of it."
            ),
        });
    }
    out
}

fn same_zone(paths: &[PricedPath]) -> Vec<Suggestion> {
    let mut pairs: BTreeMap<(String, String, String), (f64, String, String)> = BTreeMap::new();
    for path in paths.iter().filter(|p| p.row.path.kind == PathKind::CrossZone) {
        let (
            Place::Subnet { network, subnet: a, zone: Some(zone_a) },
            Place::Subnet { subnet: b, zone: Some(zone_b), .. },
        ) = (&path.row.from, &path.row.to)
        else {
            continue;
        };
        // Both directions of a pair count together, keyed by the subnets in order.
        let (first, second, first_zone, second_zone) =
            if a <= b { (a, b, zone_a, zone_b) } else { (b, a, zone_b, zone_a) };
        let entry = pairs.entry((network.clone(), first.clone(), second.clone())).or_insert((
            0.0,
            first_zone.clone(),
            second_zone.clone(),
        ));
        entry.0 += path.monthly_usd;
    }
    pairs
        .into_iter()
        .map(|((network, first, second), (touched, first_zone, second_zone))| Suggestion {
            title: format!("Put subnets {first} and {second} of network.{network} in one zone"),
            saving_monthly_usd: touched,
            touches_monthly_usd: touched,
            new_fixed_monthly_usd: 0.0,
            confidence: Confidence::Low,
            change: format!("subnet \"{second}\" {{ zone = \"{first_zone}\" }}   # in network.{network}, was {second_zone}"),
            why: format!(
                "traffic between {first} ({first_zone}) and {second} ({second_zone}) pays for crossing zones. Moving a subnet replaces it and what runs in it, and one zone is one failure domain: right only when the two need not survive a zone's loss apart."
            ),
        })
        .collect()
}

fn relays_moved(paths: &[PricedPath], topology: &Topology, book: &PriceBook) -> Vec<Suggestion> {
    let mut by_consumer: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for path in paths.iter().filter(|p| p.row.path.kind == PathKind::Relay) {
        let Some(relay) = path.row.path.object.as_deref().and_then(|o| o.strip_prefix("relay.")) else { continue };
        let Some(relay) = topology.relays.iter().find(|r| r.name == relay) else { continue };
        let ends = [path.row.from.network(), path.row.to.network()];
        let Some(consumer) = relay.to.iter().find(|c| ends.contains(&Some(c.value.as_str()))) else { continue };
        let entry = by_consumer.entry((relay.name.clone(), consumer.value.clone())).or_default();
        entry.0 += path.monthly_usd;
        entry.1 += path.monthly_gb;
    }
    let mut out = Vec::new();
    for ((relay_name, consumer_name), (touched, gb)) in by_consumer {
        let relay = topology.relays.iter().find(|r| r.name == relay_name).expect("found above");
        let Some(endpoint) = topology.endpoints.iter().find(|e| e.name == relay.endpoint.value) else { continue };
        let Some(consumer) = topology.network(&consumer_name) else { continue };
        let Some(source) = topology.network(&endpoint.network.value) else { continue };
        let service = endpoint.service.value.as_str();
        // Only an AWS service named by region can be asked for in the consumer's region.
        let Some(rest) = service.strip_prefix("com.amazonaws.") else { continue };
        let Some((region, name)) = rest.split_once('.') else { continue };
        if consumer.kind != CloudKind::Aws || region == "vpce" || region == consumer.region.value {
            continue;
        }
        let Some((fixed, processing)) = new_interface_endpoint(book, consumer, gb) else { continue };
        let new_service = format!("com.amazonaws.{}.{name}", consumer.region.value);
        out.push(Suggestion {
            title: format!(
                "Give network.{consumer_name} its own endpoint to {name} in {}, instead of relay.{relay_name} from {}",
                consumer.region.value, source.region.value
            ),
            saving_monthly_usd: touched - fixed - processing,
            touches_monthly_usd: touched,
            new_fixed_monthly_usd: fixed,
            confidence: Confidence::Medium,
            change: format!(
                "endpoint \"{name}-{consumer_name}\" {{\n  network = network.{consumer_name}\n  service = \"{new_service}\"\n}}\n# and take network.{consumer_name} out of relay.{relay_name}'s `to`"
            ),
            why: format!(
                "{gb:.0} GB a month cross from {} to {} to reach the endpoint. Right when the service is offered in {} and its data may be served there.",
                consumer.region.value, source.region.value, consumer.region.value
            ),
        });
    }
    out
}

fn interconnects(paths: &[PricedPath], topology: &Topology, book: &PriceBook) -> Vec<Suggestion> {
    let mut by_network: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for path in paths.iter().filter(|p| p.row.path.kind == PathKind::Tunnel) {
        let Some(network) = path.row.from.network() else { continue };
        let internet = path.charges.iter().filter(|c| c.charge.meter.ends_with(".internet_out"));
        let entry = by_network.entry(network).or_default();
        entry.0 += internet.map(|charge| charge.monthly_usd).sum::<f64>();
        entry.1 += path.monthly_gb;
    }
    let mut out = Vec::new();
    for (network_name, (touched, gb)) in by_network {
        let Some(network) = topology.network(network_name) else { continue };
        let (name, port_meters, out_meter) = match network.kind {
            CloudKind::Aws => (
                "an AWS Direct Connect connection (1 Gbps)",
                &["aws.direct_connect_port"][..],
                "aws.direct_connect_out",
            ),
            CloudKind::Gcp => (
                "a Cloud Interconnect (10 Gbps) with a VLAN attachment",
                &["gcp.interconnect_port", "gcp.interconnect_attachment"][..],
                "gcp.interconnect_out",
            ),
            CloudKind::Azure => continue,
        };
        let ports: Option<f64> =
            port_meters.iter().map(|meter| Some(unit_price(book, meter, network)? * HOURS_PER_MONTH)).sum();
        let (Some(fixed), Some(transfer)) = (ports, traffic_cost(book, out_meter, network, gb)) else { continue };
        out.push(Suggestion {
            title: format!("Carry network.{network_name}'s VPN traffic over {name}"),
            saving_monthly_usd: touched - fixed - transfer,
            touches_monthly_usd: touched,
            new_fixed_monthly_usd: fixed,
            confidence: Confidence::Low,
            change: format!("# not built by Isopod: order {name} in {}, then keep the tunnels over it", network.region.value),
            why: format!(
                "{gb:.0} GB a month leave by VPN at internet rates; past the break-even volume a dedicated connection's lower rate pays for its ports. It needs a colocation or partner, and weeks to deliver."
            ),
        });
    }
    out
}
