//! Allocation of what must be unique: tunnel inside ranges (/30s in 169.254.0.0/16) and private
//! BGP ASNs.
//!
//! Allocation is deterministic and stable: what is already live keeps its value (the caller
//! reads it from the discovered resources), and each new request takes the lowest free value of
//! its pool, requests taken in the order of their keys. Adding a tunnel therefore never moves an
//! existing one.

use crate::Cidr;
use isopod_catalog::{ObservedResource, ResourceKind, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::rc::Rc;

/// The key of slot `slot` of `tunnel` in the allocation of inside ranges.
pub(crate) fn slot_key(tunnel: &str, slot: impl std::fmt::Display) -> String {
    format!("{tunnel}/{slot}")
}

/// The allocation key of a host's ASN.
pub(crate) fn host_key(host: &str) -> String {
    format!("host.{host}")
}

/// The allocation key of a network's gateway ASN, e.g. `aws_vpn_gateway.app`.
pub fn gateway_key(kind: ResourceKind, network: &str) -> String {
    format!("{kind}.{network}")
}

/// The values in use by the stack's live resources: what allocation must keep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Live {
    /// Gateway ASNs by [`gateway_key`].
    pub asns: BTreeMap<String, u32>,
    /// Tunnel inside ranges by slot key (`TUNNEL/SLOT`).
    pub inside: BTreeMap<String, Cidr>,
    /// The range of each Azure network's live `GatewaySubnet`, by network: kept, so that a subnet
    /// declared later does not move the subnet a gateway sits in.
    pub gateway_subnets: BTreeMap<String, Cidr>,
    /// Every live AWS VPC, whoever owns it, by its id: what a network with `existing` uses.
    pub aws_vpcs: BTreeMap<String, LiveVpc>,
    /// Every live Azure resource group, whoever owns it, as (cloud block, name): what a `cloud`
    /// block that names its `resource_group` uses.
    pub azure_groups: BTreeSet<(String, String)>,
    /// Every live GCP network, whoever owns it, by (cloud block, name): what a GCP network with
    /// `existing` uses.
    pub gcp_networks: BTreeMap<(String, String), LiveGcpNetwork>,
    /// Every live Azure virtual network, whoever owns it, by (cloud block, its ARM id in lower
    /// case): what an Azure network with `existing` uses.
    pub azure_networks: BTreeMap<(String, String), LiveAzureNetwork>,
}

/// A live Azure virtual network, as a network that describes an existing one needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveAzureNetwork {
    /// Its ARM id as ARM spells it, once the network itself was seen.
    pub id: Option<String>,
    /// Its location.
    pub location: String,
    /// Its subnets' ARM ids, by range.
    pub subnets: BTreeMap<String, String>,
    /// Its `GatewaySubnet`'s ARM id.
    pub gateway_subnet: Option<String>,
}

/// A live GCP network, as a network that describes an existing one needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveGcpNetwork {
    /// Whether the network itself was seen (its subnetworks can be listed before it).
    pub found: bool,
    /// Its subnetworks' names, by (region, range).
    pub subnetworks: BTreeMap<(String, String), String>,
}

/// A live AWS VPC, as a network that describes an existing one needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveVpc {
    /// Where it is.
    pub scope: Option<isopod_catalog::Scope>,
    /// Its main route table.
    pub main_route_table_id: Option<String>,
    /// Its subnets' ids, by range.
    pub subnets: BTreeMap<String, String>,
}

impl Live {
    /// Reads the allocations of `stack` from the resources it owns.
    pub fn from_observed(stack: &str, observed: &[ObservedResource]) -> Live {
        let mut live = Live::default();
        for resource in observed {
            let text = |name: &str| match resource.attrs.get(name) {
                Some(Value::String(text)) => Some(text.clone()),
                _ => None,
            };
            match resource.kind {
                ResourceKind::AwsVpc => {
                    let vpc = live.aws_vpcs.entry(resource.provider_id.clone()).or_default();
                    vpc.scope = Some(resource.scope.clone());
                    vpc.main_route_table_id = text("main_route_table_id");
                }
                ResourceKind::AwsSubnet => {
                    if let (Some(vpc), Some(cidr)) = (text("vpc_id"), text("cidr_block")) {
                        live.aws_vpcs.entry(vpc).or_default().subnets.insert(cidr, resource.provider_id.clone());
                    }
                }
                ResourceKind::GcpNetwork => {
                    if let Some(name) = text("name") {
                        live.gcp_networks.entry((resource.scope.cloud.clone(), name)).or_default().found = true;
                    }
                }
                ResourceKind::GcpSubnetwork => {
                    if let (Some(network), Some(region), Some(range), Some(name)) =
                        (text("network"), text("region"), text("ip_cidr_range"), text("name"))
                    {
                        let live_network =
                            live.gcp_networks.entry((resource.scope.cloud.clone(), network)).or_default();
                        live_network.subnetworks.insert((region, range), name);
                    }
                }
                ResourceKind::AzureVirtualNetwork => {
                    let key = (resource.scope.cloud.clone(), resource.provider_id.to_ascii_lowercase());
                    let network = live.azure_networks.entry(key).or_default();
                    network.id = Some(resource.provider_id.clone());
                    network.location = resource.scope.region.clone();
                }
                ResourceKind::AzureSubnet => {
                    if let Some((vnet, _)) = resource.provider_id.rsplit_once("/subnets/") {
                        let key = (resource.scope.cloud.clone(), vnet.to_ascii_lowercase());
                        let network = live.azure_networks.entry(key).or_default();
                        if text("name").as_deref() == Some("GatewaySubnet") {
                            network.gateway_subnet = Some(resource.provider_id.clone());
                        }
                        if let Some(prefix) = text("address_prefix") {
                            network.subnets.insert(prefix, resource.provider_id.clone());
                        }
                    }
                }
                ResourceKind::AzureResourceGroup => {
                    if let Some(name) = text("name") {
                        live.azure_groups.insert((resource.scope.cloud.clone(), name));
                    }
                }
                _ => {}
            }
        }
        // The tunnels whose Azure side has more than one connection (to AWS or GCP).
        let mut azure_connections: BTreeMap<&str, usize> = BTreeMap::new();
        for resource in observed {
            if let Some(id) = resource.owned_by(stack).filter(|id| id.kind == ResourceKind::AzureVpnConnection)
                && let Some((tunnel, _)) = id.address.rsplit_once('.')
            {
                *azure_connections.entry(tunnel).or_default() += 1;
            }
        }
        // Each owned Azure virtual network's address, by its name: what a subnet reported under
        // its natural key (`NAME:VIRTUAL_NETWORK:GROUP`) is filed under.
        let azure_networks: BTreeMap<&str, &str> = observed
            .iter()
            .filter_map(|resource| {
                let id = resource.owned_by(stack).filter(|id| id.kind == ResourceKind::AzureVirtualNetwork)?;
                match resource.attrs.get("name") {
                    Some(Value::String(name)) => Some((name.as_str(), id.address.as_str())),
                    _ => None,
                }
            })
            .collect();
        let azure_tunnels_with_several_connections: BTreeSet<&str> =
            azure_connections.into_iter().filter(|(_, n)| *n > 1).map(|(tunnel, _)| tunnel).collect();
        // What each owned resource tells of the allocations, read on every core and kept in
        // the order of `observed`, as one pass would have kept them.
        let runs = crate::parallel::in_runs(observed, |run| {
            let mut reads = Vec::new();
            for resource in run {
                read_allocations(resource, stack, &azure_networks, &azure_tunnels_with_several_connections, &mut reads);
            }
            reads
        });
        for read in runs.into_iter().flatten() {
            read.keep(&mut live);
        }
        live
    }
}

/// What one owned live resource tells of the allocations, as [`Live::from_observed`] keeps it.
enum LiveAllocation {
    /// An ASN, by its key.
    Asn(String, u32),
    /// An inside range, by its slot key, over what was read before.
    Inside(String, Cidr),
    /// An inside range, by its slot key, unless one is known already (a host's reading, which
    /// the clouds' override).
    InsideUnlessKnown(String, Cidr),
    /// An Azure network's `GatewaySubnet` range.
    GatewaySubnet(String, Cidr),
}

impl LiveAllocation {
    /// Keeps what was read in `live`.
    fn keep(self, live: &mut Live) {
        match self {
            LiveAllocation::Asn(key, asn) => {
                live.asns.insert(key, asn);
            }
            LiveAllocation::Inside(key, cidr) => {
                live.inside.insert(key, cidr);
            }
            LiveAllocation::InsideUnlessKnown(key, cidr) => {
                live.inside.entry(key).or_insert(cidr);
            }
            LiveAllocation::GatewaySubnet(network, prefix) => {
                live.gateway_subnets.insert(network, prefix);
            }
        }
    }
}

/// What `resource` (if `stack` owns it) tells of the ASNs, inside ranges and gateway subnets,
/// added to `reads`: `azure_networks` are the owned Azure virtual networks' addresses by name,
/// `azure_tunnels_with_several_connections` the tunnels whose Azure side has more than one.
fn read_allocations(
    resource: &ObservedResource,
    stack: &str,
    azure_networks: &BTreeMap<&str, &str>,
    azure_tunnels_with_several_connections: &BTreeSet<&str>,
    reads: &mut Vec<LiveAllocation>,
) {
    let Some(id) = resource.owned_by(stack) else { return };
    let integer = |name: &str| match resource.attrs.get(name) {
        Some(Value::Integer(n)) => u32::try_from(*n).ok(),
        _ => None,
    };
    match id.kind {
        // A VPC's AWS-side ASN is kept under one key, whichever gateway carries it.
        ResourceKind::AwsVpnGateway | ResourceKind::AwsTransitGateway => {
            if let Some(asn) = integer("amazon_side_asn") {
                reads.push(LiveAllocation::Asn(gateway_key(ResourceKind::AwsVpnGateway, &id.address), asn));
            }
        }
        ResourceKind::GcpRouter => {
            if let Some(asn) = integer("asn") {
                reads.push(LiveAllocation::Asn(gateway_key(id.kind, &id.address), asn));
            }
        }
        ResourceKind::AzureVirtualNetworkGateway => {
            if let Some(asn) = integer("bgp_asn") {
                reads.push(LiveAllocation::Asn(gateway_key(id.kind, &id.address), asn));
            }
        }
        ResourceKind::GcpRouterPeer => {
            // Address `TUNNEL.SLOT`; the peer's range holds GCP's address in the /30.
            let Some((tunnel, slot)) = id.address.rsplit_once('.') else { return };
            let Some(Value::String(range)) = resource.attrs.get("ip_range") else { return };
            let Some((address, _)) = range.split_once('/') else { return };
            if let (Ok(address), Ok(slot)) = (address.parse(), slot.parse::<usize>())
                && let Some(cidr) = Cidr::new(address, 30)
            {
                reads.push(LiveAllocation::Inside(slot_key(tunnel, slot), cidr));
            }
        }
        ResourceKind::HostIpsecTunnel => {
            // Address `HOST.TUNNEL.SLOT`.
            let mut parts = id.address.splitn(2, '.');
            let (Some(host), Some(rest)) = (parts.next(), parts.next()) else { return };
            if let Some(asn) = integer("asn") {
                reads.push(LiveAllocation::Asn(host_key(host), asn));
            }
            let Some((tunnel, slot)) = rest.rsplit_once('.') else { return };
            let Some(Value::String(range)) = resource.attrs.get("inside_address") else { return };
            let Some((address, _)) = range.split_once('/') else { return };
            if let (Ok(address), Ok(slot)) = (address.parse(), slot.parse::<usize>())
                && let Some(cidr) = Cidr::new(address, 30)
            {
                reads.push(LiveAllocation::InsideUnlessKnown(slot_key(tunnel, slot), cidr));
            }
        }
        ResourceKind::AzureSubnet => {
            // Address `NETWORK.GatewaySubnet`, or the natural `GatewaySubnet:VNET:GROUP`.
            let natural = id.address.strip_prefix("GatewaySubnet:").and_then(|rest| {
                let (vnet, _group) = rest.split_once(':')?;
                azure_networks.get(vnet).copied()
            });
            let Some(network) = id.address.strip_suffix(".GatewaySubnet").or(natural) else { return };
            let Some(Value::String(prefix)) = resource.attrs.get("address_prefix") else { return };
            if let Ok(prefix) = Cidr::parse(prefix) {
                reads.push(LiveAllocation::GatewaySubnet(network.to_string(), prefix));
            }
        }
        ResourceKind::AzureVpnConnection => {
            // Address `TUNNEL.SLOT`. A connection's first custom BGP address is Azure's in
            // its slot's /30 (the others are those of the other instances' connections);
            // the one connection of a tunnel to a host serves every instance, each
            // address in the instance's slot. Authoritative over a host's reading.
            let Some((tunnel, slot)) = id.address.rsplit_once('.') else { return };
            let Ok(slot) = slot.parse::<usize>() else { return };
            let Some(Value::List(entries)) = resource.attrs.get("custom_bgp_addresses") else { return };
            let alone = !azure_tunnels_with_several_connections.contains(tunnel);
            let entries = if alone { &entries[..] } else { &entries[..entries.len().min(1)] };
            for entry in entries {
                let Value::Map(entry) = entry else { continue };
                let (Some(Value::Integer(instance)), Some(Value::String(address))) =
                    (entry.get("ip_configuration"), entry.get("address"))
                else {
                    continue;
                };
                let slot = if alone && entries.len() > 1 { *instance as usize } else { slot };
                if let Some(cidr) = address.parse().ok().and_then(|address| Cidr::new(address, 30)) {
                    reads.push(LiveAllocation::Inside(slot_key(tunnel, slot), cidr));
                }
            }
        }
        ResourceKind::AwsVpnConnection => {
            // Address `TUNNEL.N`: connection N holds slots 2N and 2N + 1.
            let Some((tunnel, n)) = id.address.rsplit_once('.') else { return };
            let Ok(n) = n.parse::<usize>() else { return };
            for index in 0..2 {
                let name = crate::lower::numbered(resource.kind, "tunnel", index + 1, "_inside_cidr");
                let Some(Value::String(text)) = resource.attrs.get(name.as_str()) else {
                    continue;
                };
                if let Ok(cidr) = Cidr::parse(text) {
                    reads.push(LiveAllocation::Inside(slot_key(tunnel, n * 2 + index), cidr));
                }
            }
        }
        _ => {}
    }
}

/// Everything allocated for one plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Allocations {
    /// Gateway ASNs by [`gateway_key`].
    pub asns: BTreeMap<String, u32>,
    /// Inside ranges by slot key.
    pub inside: BTreeMap<String, Cidr>,
    /// The live `GatewaySubnet` range of each Azure network that has one.
    pub gateway_subnets: BTreeMap<String, Cidr>,
}

impl Allocations {
    /// The ASN allocated under `key`; every key lowering asks for was requested first.
    pub fn asn(&self, key: &str) -> u32 {
        self.asns[key]
    }

    /// The inside ranges allocated to `tunnel`'s slots, in slot order, from its first slot up to
    /// the first it does not have: the keys `TUNNEL/SLOT` of the tunnel are read in one walk from
    /// the first (no key formatted per slot), and put in the order of their slots' numbers.
    pub fn tunnel_inside(&self, tunnel: &str) -> Vec<Cidr> {
        let prefix = slot_key(tunnel, "");
        let mut slots: Vec<(usize, Cidr)> = self
            .inside
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .map_while(|(key, cidr)| Some((key.strip_prefix(&prefix)?, *cidr)))
            .filter_map(|(slot, cidr)| Some((slot.parse().ok()?, cidr)))
            .collect();
        slots.sort_unstable_by_key(|(slot, _)| *slot);
        slots.iter().enumerate().map_while(|(n, (slot, cidr))| (n == *slot).then_some(*cidr)).collect()
    }
}

/// Where an inside range may come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsidePool {
    /// Any /30 of 169.254.0.0/16 that no cloud reserves, outside the APIPA range.
    LinkLocal,
    /// Azure's APIPA range for custom BGP addresses, 169.254.21.0 to 169.254.22.255: required
    /// when an Azure gateway peers with AWS.
    AzureApipa,
}

/// The /30s AWS reserves for its own use (terraform-provider-aws validVPNConnectionTunnelInsideCIDR).
const AWS_RESERVED: &[&str] = &[
    "169.254.0.0/30",
    "169.254.1.0/30",
    "169.254.2.0/30",
    "169.254.3.0/30",
    "169.254.4.0/30",
    "169.254.5.0/30",
    "169.254.169.252/30",
];

/// Cloud metadata services sit at 169.254.169.254: keep the whole /24 clear.
const METADATA: &str = "169.254.169.0/24";

impl InsidePool {
    /// Every /30 of the pool, in allocation order.
    fn candidates(self) -> impl Iterator<Item = Cidr> {
        let apipa = (Ipv4Addr::new(169, 254, 21, 0), Ipv4Addr::new(169, 254, 22, 252));
        let (first, last) = match self {
            InsidePool::LinkLocal => (Ipv4Addr::new(169, 254, 0, 0), Ipv4Addr::new(169, 254, 255, 252)),
            InsidePool::AzureApipa => apipa,
        };
        let reserved: Vec<Cidr> = AWS_RESERVED
            .iter()
            .chain([METADATA].iter())
            .map(|r| Cidr::parse(r).expect("reserved ranges are valid"))
            .collect();
        let apipa_range = Cidr::parse("169.254.21.0/24").expect("valid").first()
            ..=Cidr::parse("169.254.22.0/24").expect("valid").last();
        (u32::from(first)..=u32::from(last)).step_by(4).filter_map(move |start| {
            let cidr = Cidr::new(Ipv4Addr::from(start).into(), 30).expect("a /30 of IPv4");
            let in_apipa = apipa_range.contains(&cidr.first());
            let outside_pool = self == InsidePool::LinkLocal && in_apipa;
            (!outside_pool && !reserved.iter().any(|r| r.overlaps(cidr))).then_some(cidr)
        })
    }
}

/// Why an allocation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocError {
    /// The pool has no free value left.
    #[error("no free {what} left for `{key}`")]
    Exhausted {
        /// What was asked for.
        what: &'static str,
        /// The request's key.
        key: String,
    },
}

/// One inside range to allocate: its pool, and the gateways it lands on. A range must be
/// unique among the tunnels of each of its gateways (AWS: per VPN gateway; Azure: per virtual
/// network gateway; GCP: per Cloud Router), and may be reused on other gateways.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsideRequest {
    /// Where the range comes from.
    pub pool: InsidePool,
    /// The gateways (allocation keys, e.g. `aws_vpn_gateway.app`) the tunnel lands on, one list
    /// for all of its slots.
    pub gateways: Rc<[String]>,
}

/// Allocates one /30 per request key (the tunnel's name and slot, e.g. `app-analytics/0`);
/// `live` holds the ranges already in use, which are kept. Live ranges no request names (their
/// tunnels are about to be deleted) stay reserved on every gateway until they are gone.
pub fn inside_ranges(
    requests: &BTreeMap<String, InsideRequest>,
    live: &BTreeMap<String, Cidr>,
) -> Result<BTreeMap<String, Cidr>, AllocError> {
    // Both maps are sorted by key: walked side by side, each request finds its live range
    // without a lookup.
    let mut kept: Vec<(&String, &InsideRequest, Cidr)> = Vec::new();
    let mut fresh: Vec<(&String, &InsideRequest)> = Vec::new();
    let mut live_ranges = live.iter().peekable();
    for (key, request) in requests {
        while live_ranges.next_if(|(live_key, _)| *live_key < key).is_some() {}
        match live_ranges.next_if(|(live_key, _)| *live_key == key) {
            Some((_, cidr)) => kept.push((key, request, *cidr)),
            None => fresh.push((key, request)),
        }
    }
    let mut out: BTreeMap<String, Cidr> = kept.iter().map(|(key, _, cidr)| ((*key).clone(), *cidr)).collect();
    if fresh.is_empty() {
        // Every range is live already (a plan that changes no tunnel): nothing to search.
        return Ok(out);
    }
    let everywhere: BTreeSet<Cidr> =
        live.iter().filter(|(key, _)| !requests.contains_key(*key)).map(|(_, cidr)| *cidr).collect();
    let mut taken: BTreeMap<&str, BTreeSet<Cidr>> = BTreeMap::new();
    for (_, request, existing) in &kept {
        for gateway in request.gateways.iter() {
            taken.entry(gateway).or_default().insert(*existing);
        }
    }
    let mut candidates: BTreeMap<InsidePool, Vec<Cidr>> = BTreeMap::new();
    // Per pool and gateway, the index below which every candidate is taken on that gateway:
    // the search starts there, so a busy gateway does not rescan what it already holds.
    let mut cursors: BTreeMap<(InsidePool, &str), usize> = BTreeMap::new();
    for (key, request) in fresh {
        let pool = candidates.entry(request.pool).or_insert_with(|| request.pool.candidates().collect());
        let is_free = |cidr: &Cidr, taken: &BTreeMap<&str, BTreeSet<Cidr>>| {
            !everywhere.contains(cidr)
                && request.gateways.iter().all(|g| taken.get(g.as_str()).is_none_or(|t| !t.contains(cidr)))
        };
        let start =
            request.gateways.iter().map(|g| cursors.get(&(request.pool, g.as_str())).copied().unwrap_or(0)).max();
        let found = pool.iter().enumerate().skip(start.unwrap_or(0)).find(|(_, cidr)| is_free(cidr, &taken));
        let (_, &cidr) = found.ok_or_else(|| AllocError::Exhausted { what: "tunnel inside /30", key: key.clone() })?;
        for gateway in request.gateways.iter() {
            let held = taken.entry(gateway).or_default();
            held.insert(cidr);
            let cursor = cursors.entry((request.pool, gateway.as_str())).or_insert(0);
            while pool.get(*cursor).is_some_and(|c| held.contains(c) || everywhere.contains(c)) {
                *cursor += 1;
            }
        }
        out.insert(key.clone(), cidr);
    }
    Ok(out)
}

/// ASNs no gateway of Isopod's may use: Azure's own and those it refuses for peers.
const RESERVED_ASNS: &[u32] = &[65515, 65517, 65518, 65519, 65520];

/// Allocates a private 16-bit ASN (64512-65534) per request key, skipping the reserved ones and
/// those already in use (`live` and `fixed`, the ASNs the configuration sets).
pub fn asns(
    requests: &BTreeSet<String>,
    live: &BTreeMap<String, u32>,
    fixed: &BTreeSet<u32>,
) -> Result<BTreeMap<String, u32>, AllocError> {
    let mut taken: BTreeSet<u32> = live.values().copied().chain(fixed.iter().copied()).collect();
    let mut out = BTreeMap::new();
    for key in requests {
        if let Some(&existing) = live.get(key) {
            out.insert(key.clone(), existing);
            continue;
        }
        let free = (64512..=65534).find(|asn| !taken.contains(asn) && !RESERVED_ASNS.contains(asn));
        let asn = free.ok_or_else(|| AllocError::Exhausted { what: "private ASN", key: key.clone() })?;
        taken.insert(asn);
        out.insert(key.clone(), asn);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::{Name, Ownership, ResourceId, Scope};

    fn requests(keys: &[&str], pool: InsidePool) -> BTreeMap<String, InsideRequest> {
        keys.iter().map(|k| (k.to_string(), request(pool, &["gw"]))).collect()
    }

    fn request(pool: InsidePool, gateways: &[&str]) -> InsideRequest {
        InsideRequest { pool, gateways: gateways.iter().map(|g| g.to_string()).collect() }
    }

    /// A live resource of `kind` owned by stack `s` at `address`, with `attrs`.
    fn owned(kind: ResourceKind, address: &str, attrs: Vec<(&'static str, Value)>) -> ObservedResource {
        ObservedResource {
            provider_id: format!("{}-{address}", kind.name()),
            kind,
            scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
            attrs: attrs.into_iter().map(|(name, value)| (Name::new(name), value)).collect(),
            owner: Some(Ownership { stack: "s".into(), id: ResourceId::new(kind, address) }),
        }
    }

    #[test]
    fn a_connection_s_readable_ranges_are_read_when_another_of_its_own_is_not() {
        let map = |instance: i64, address: &str| {
            Value::Map(
                [
                    ("ip_configuration".to_string(), Value::Integer(instance)),
                    ("address".to_string(), Value::string(address)),
                ]
                .into(),
            )
        };
        let observed = [
            // Tunnel 1's range is gone; tunnel 2's is still read (slot 3 of connection 1).
            owned(
                ResourceKind::AwsVpnConnection,
                "t.1",
                vec![("tunnel2_inside_cidr", Value::string("169.254.10.4/30"))],
            ),
            // The first custom BGP address is unreadable; the second still gives instance 1's slot.
            owned(
                ResourceKind::AzureVpnConnection,
                "z.0",
                vec![("custom_bgp_addresses", Value::List(vec![Value::string("not a map"), map(1, "169.254.21.5")]))],
            ),
        ];
        let live = Live::from_observed("s", &observed);
        assert_eq!(live.inside.get(&slot_key("t", 3)).map(ToString::to_string).as_deref(), Some("169.254.10.4/30"));
        assert_eq!(live.inside.get(&slot_key("z", 1)).map(ToString::to_string).as_deref(), Some("169.254.21.4/30"));
        assert_eq!(live.inside.len(), 2, "{:?}", live.inside);
    }

    #[test]
    fn inside_ranges_skip_reserved_and_stay_in_their_pool() {
        let out = inside_ranges(&requests(&["a/0", "a/1"], InsidePool::LinkLocal), &BTreeMap::new()).unwrap();
        assert_eq!(out["a/0"].to_string(), "169.254.0.4/30", "169.254.0.0/30 is reserved by AWS");
        assert_eq!(out["a/1"].to_string(), "169.254.0.8/30");
        let many: BTreeMap<String, InsideRequest> =
            (0..300).map(|n| (format!("t/{n:03}"), request(InsidePool::LinkLocal, &["gw"]))).collect();
        let out = inside_ranges(&many, &BTreeMap::new()).unwrap();
        let reserved: Vec<Cidr> = AWS_RESERVED.iter().map(|r| Cidr::parse(r).unwrap()).collect();
        assert!(out.values().all(|c| !reserved.iter().any(|r| r.overlaps(*c))));
        let apipa = inside_ranges(&requests(&["z/0"], InsidePool::AzureApipa), &BTreeMap::new()).unwrap();
        assert_eq!(apipa["z/0"].to_string(), "169.254.21.0/30");
        let all = inside_ranges(
            &(0..128).map(|n| (format!("t/{n:03}"), request(InsidePool::AzureApipa, &["gw"]))).collect(),
            &BTreeMap::new(),
        )
        .unwrap();
        assert!(
            all.values().all(|c| c.to_string().starts_with("169.254.21.") || c.to_string().starts_with("169.254.22."))
        );
        let exhausted = inside_ranges(
            &(0..129).map(|n| (format!("t/{n:03}"), request(InsidePool::AzureApipa, &["gw"]))).collect(),
            &BTreeMap::new(),
        );
        assert!(matches!(exhausted, Err(AllocError::Exhausted { .. })));
    }

    #[test]
    fn link_local_never_meets_apipa_or_metadata() {
        let many: BTreeMap<String, InsideRequest> =
            (0..16000).map(|n| (format!("t/{n:05}"), request(InsidePool::LinkLocal, &["gw"]))).collect();
        // 65536 / 4 = 16384 /30s, less 6 AWS ones, the metadata /24 (64) and APIPA (128).
        let out = inside_ranges(&many, &BTreeMap::new()).unwrap();
        let apipa = Cidr::parse("169.254.21.0/24").unwrap();
        let metadata = Cidr::parse("169.254.169.0/24").unwrap();
        assert!(out.values().all(|c| !c.overlaps(apipa) && !c.overlaps(metadata)));
        let distinct: BTreeSet<&Cidr> = out.values().collect();
        assert_eq!(distinct.len(), out.len());
    }

    #[test]
    fn ranges_are_unique_per_gateway_and_reused_across_gateways() {
        let requests: BTreeMap<String, InsideRequest> = [
            ("a/0".to_string(), request(InsidePool::AzureApipa, &["aws.x", "azure.y"])),
            ("b/0".to_string(), request(InsidePool::AzureApipa, &["aws.x", "azure.z"])),
            ("c/0".to_string(), request(InsidePool::AzureApipa, &["aws.w", "azure.v"])),
        ]
        .into();
        let out = inside_ranges(&requests, &BTreeMap::new()).unwrap();
        assert_ne!(out["a/0"], out["b/0"], "both land on aws.x");
        assert_eq!(out["a/0"], out["c/0"], "no gateway in common: the range is reused");
        // A live range of a tunnel being deleted stays reserved everywhere.
        let live = BTreeMap::from([("gone/0".to_string(), out["a/0"])]);
        let only_c = BTreeMap::from([("c/0".to_string(), requests["c/0"].clone())]);
        assert_ne!(inside_ranges(&only_c, &live).unwrap()["c/0"], out["a/0"]);
    }

    #[test]
    fn live_allocations_are_kept_when_tunnels_are_added() {
        let first = inside_ranges(&requests(&["m/0", "m/1"], InsidePool::LinkLocal), &BTreeMap::new()).unwrap();
        // A tunnel whose name sorts first is added later: the live ones keep their ranges.
        let grown = inside_ranges(&requests(&["a/0", "m/0", "m/1"], InsidePool::LinkLocal), &first).unwrap();
        assert_eq!(grown["m/0"], first["m/0"]);
        assert_eq!(grown["m/1"], first["m/1"]);
        assert!(!first.values().any(|c| *c == grown["a/0"]));
    }

    #[test]
    fn a_tunnels_ranges_come_in_the_order_of_its_slots_up_to_the_first_it_lacks() {
        let cidr = |n: u32| Cidr::new(Ipv4Addr::from(0xa9fe_0000 + 4 * n).into(), 30).unwrap();
        // Slots 0 to 11 of `a` (their keys sort `a/0`, `a/1`, `a/10`, `a/11`, `a/2`...), beside
        // tunnels whose names start with `a` too; `b` lacks its slot 1.
        let mut inside: BTreeMap<String, Cidr> = (0..12).map(|slot| (slot_key("a", slot), cidr(slot))).collect();
        inside.extend([(slot_key("a-b", 0), cidr(50)), (slot_key("a0", 0), cidr(51))]);
        inside.extend([(slot_key("b", 0), cidr(60)), (slot_key("b", 2), cidr(62))]);
        let allocations = Allocations { inside, ..Allocations::default() };
        assert_eq!(allocations.tunnel_inside("a"), (0..12).map(cidr).collect::<Vec<_>>());
        assert_eq!(allocations.tunnel_inside("a-b"), [cidr(50)]);
        assert_eq!(allocations.tunnel_inside("b"), [cidr(60)], "up to the first slot it lacks");
        assert!(allocations.tunnel_inside("c").is_empty());
    }

    #[test]
    fn asns_are_private_distinct_and_stable() {
        let keys: BTreeSet<String> = ["gcp.net", "aws.app"].iter().map(|k| k.to_string()).collect();
        let fixed = BTreeSet::from([64512]);
        let out = asns(&keys, &BTreeMap::new(), &fixed).unwrap();
        assert_eq!(out["aws.app"], 64513);
        assert_eq!(out["gcp.net"], 64514);
        let live = BTreeMap::from([("gcp.net".to_string(), 65001)]);
        let out = asns(&keys, &live, &fixed).unwrap();
        assert_eq!(out["gcp.net"], 65001);
        assert!(asns(&keys, &BTreeMap::new(), &(64512..=65534).collect()).is_err());
    }
}
