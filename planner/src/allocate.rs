//! Allocation of what must be unique: tunnel inside ranges (/30s in 169.254.0.0/16) and private
//! BGP ASNs.
//!
//! Allocation is deterministic and stable: what is already live keeps its value (the caller
//! reads it from the discovered resources), and each new request takes the lowest free value of
//! its pool, requests taken in the order of their keys. Adding a tunnel therefore never moves an
//! existing one.

use crate::Cidr;
use crate::resource::{ObservedResource, ResourceKind, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

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
}

impl Live {
    /// Reads the allocations of `stack` from the resources it owns.
    pub fn from_observed(stack: &str, observed: &[ObservedResource]) -> Live {
        let mut live = Live::default();
        for resource in observed {
            let Some(owner) = resource.owner.as_ref().filter(|owner| owner.stack == stack) else { continue };
            let integer = |name: &str| match resource.attrs.get(name) {
                Some(Value::Integer(n)) => u32::try_from(*n).ok(),
                _ => None,
            };
            match owner.id.kind {
                ResourceKind::AwsVpnGateway => {
                    if let Some(asn) = integer("amazon_side_asn") {
                        live.asns.insert(gateway_key(owner.id.kind, &owner.id.address), asn);
                    }
                }
                ResourceKind::GcpRouter => {
                    if let Some(asn) = integer("asn") {
                        live.asns.insert(gateway_key(owner.id.kind, &owner.id.address), asn);
                    }
                }
                ResourceKind::AzureVirtualNetworkGateway => {
                    if let Some(asn) = integer("bgp_asn") {
                        live.asns.insert(gateway_key(owner.id.kind, &owner.id.address), asn);
                    }
                }
                ResourceKind::GcpRouterPeer => {
                    // Address `TUNNEL.SLOT`; the peer's range holds GCP's address in the /30.
                    let Some((tunnel, slot)) = owner.id.address.rsplit_once('.') else { continue };
                    let Some(Value::String(range)) = resource.attrs.get("ip_range") else { continue };
                    let Some((address, _)) = range.split_once('/') else { continue };
                    if let (Ok(address), Ok(slot)) = (address.parse(), slot.parse::<usize>())
                        && let Some(cidr) = Cidr::new(address, 30)
                    {
                        live.inside.insert(format!("{tunnel}/{slot}"), cidr);
                    }
                }
                ResourceKind::HostIpsecTunnel => {
                    // Address `HOST.TUNNEL.SLOT`.
                    let mut parts = owner.id.address.splitn(2, '.');
                    let (Some(host), Some(rest)) = (parts.next(), parts.next()) else { continue };
                    if let Some(asn) = integer("asn") {
                        live.asns.insert(format!("host.{host}"), asn);
                    }
                    let Some((tunnel, slot)) = rest.rsplit_once('.') else { continue };
                    let Some(Value::String(range)) = resource.attrs.get("inside_address") else { continue };
                    let Some((address, _)) = range.split_once('/') else { continue };
                    if let (Ok(address), Ok(slot)) = (address.parse(), slot.parse::<usize>())
                        && let Some(cidr) = Cidr::new(address, 30)
                    {
                        live.inside.entry(format!("{tunnel}/{slot}")).or_insert(cidr);
                    }
                }
                ResourceKind::AwsVpnConnection => {
                    // Address `TUNNEL.N`: connection N holds slots 2N and 2N + 1.
                    let Some((tunnel, n)) = owner.id.address.rsplit_once('.') else { continue };
                    let Ok(n) = n.parse::<usize>() else { continue };
                    for index in 0..2 {
                        let Some(Value::String(text)) = resource.attrs.get(&format!("tunnel{}_inside_cidr", index + 1))
                        else {
                            continue;
                        };
                        if let Ok(cidr) = Cidr::parse(text) {
                            live.inside.insert(format!("{tunnel}/{}", n * 2 + index), cidr);
                        }
                    }
                }
                _ => {}
            }
        }
        live
    }
}

/// Everything allocated for one plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Allocations {
    /// Gateway ASNs by [`gateway_key`].
    pub asns: BTreeMap<String, u32>,
    /// Inside ranges by slot key.
    pub inside: BTreeMap<String, Cidr>,
}

impl Allocations {
    /// The ASN allocated under `key`; every key lowering asks for was requested first.
    pub fn asn(&self, key: &str) -> u32 {
        self.asns[key]
    }

    /// The inside range allocated under `key`.
    pub fn inside(&self, key: &str) -> Cidr {
        self.inside[key]
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

/// Allocates one /30 per request key; `live` holds the ranges already in use, which are kept.
/// Keys are the tunnel's name and its slot, e.g. `app-analytics/0`.
pub fn inside_ranges(
    requests: &BTreeMap<String, InsidePool>,
    live: &BTreeMap<String, Cidr>,
) -> Result<BTreeMap<String, Cidr>, AllocError> {
    let taken: BTreeSet<Cidr> = live.values().copied().collect();
    // One cursor per pool: each new request takes the next candidate nobody holds.
    let mut cursors: BTreeMap<InsidePool, Box<dyn Iterator<Item = Cidr>>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (key, pool) in requests {
        if let Some(existing) = live.get(key) {
            out.insert(key.clone(), *existing);
            continue;
        }
        let cursor = cursors.entry(*pool).or_insert_with(|| Box::new(pool.candidates()));
        let free = cursor.find(|cidr| !taken.contains(cidr));
        let cidr = free.ok_or_else(|| AllocError::Exhausted { what: "tunnel inside /30", key: key.clone() })?;
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

    fn requests(keys: &[&str], pool: InsidePool) -> BTreeMap<String, InsidePool> {
        keys.iter().map(|k| (k.to_string(), pool)).collect()
    }

    #[test]
    fn inside_ranges_skip_reserved_and_stay_in_their_pool() {
        let out = inside_ranges(&requests(&["a/0", "a/1"], InsidePool::LinkLocal), &BTreeMap::new()).unwrap();
        assert_eq!(out["a/0"].to_string(), "169.254.0.4/30", "169.254.0.0/30 is reserved by AWS");
        assert_eq!(out["a/1"].to_string(), "169.254.0.8/30");
        let many: BTreeMap<String, InsidePool> =
            (0..300).map(|n| (format!("t/{n:03}"), InsidePool::LinkLocal)).collect();
        let out = inside_ranges(&many, &BTreeMap::new()).unwrap();
        let reserved: Vec<Cidr> = AWS_RESERVED.iter().map(|r| Cidr::parse(r).unwrap()).collect();
        assert!(out.values().all(|c| !reserved.iter().any(|r| r.overlaps(*c))));
        let apipa = inside_ranges(&requests(&["z/0"], InsidePool::AzureApipa), &BTreeMap::new()).unwrap();
        assert_eq!(apipa["z/0"].to_string(), "169.254.21.0/30");
        let all =
            inside_ranges(&(0..128).map(|n| (format!("t/{n:03}"), InsidePool::AzureApipa)).collect(), &BTreeMap::new())
                .unwrap();
        assert!(
            all.values().all(|c| c.to_string().starts_with("169.254.21.") || c.to_string().starts_with("169.254.22."))
        );
        let exhausted =
            inside_ranges(&(0..129).map(|n| (format!("t/{n:03}"), InsidePool::AzureApipa)).collect(), &BTreeMap::new());
        assert!(matches!(exhausted, Err(AllocError::Exhausted { .. })));
    }

    #[test]
    fn link_local_never_meets_apipa_or_metadata() {
        let many: BTreeMap<String, InsidePool> =
            (0..16000).map(|n| (format!("t/{n:05}"), InsidePool::LinkLocal)).collect();
        // 65536 / 4 = 16384 /30s, less 6 AWS ones, the metadata /24 (64) and APIPA (128).
        let out = inside_ranges(&many, &BTreeMap::new()).unwrap();
        let apipa = Cidr::parse("169.254.21.0/24").unwrap();
        let metadata = Cidr::parse("169.254.169.0/24").unwrap();
        assert!(out.values().all(|c| !c.overlaps(apipa) && !c.overlaps(metadata)));
        let distinct: BTreeSet<&Cidr> = out.values().collect();
        assert_eq!(distinct.len(), out.len());
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
