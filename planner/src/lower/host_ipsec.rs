//! A Linux host's side of its tunnels: one strongSwan connection per tunnel slot, with the
//! proposals the peer accepts, traffic selectors from the topology and, for BGP, the inside
//! addresses a routing daemon peers over. The host provider (issue "Linux hosts") renders these
//! into swanctl's configuration and loads it.

use super::additions::Additions;
use super::attrs;
use isopod_catalog::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::topology::{Host, Ike, Routing, Tunnel};
use std::net::IpAddr;

/// The scope of a host's resources: the host itself.
pub(super) fn scope(host: &Host) -> Scope {
    Scope { cloud: format!("host.{}", host.name), region: "local".into() }
}

/// One tunnel slot of a host.
pub(super) struct HostTunnel {
    /// The peer's public (outside) address.
    pub remote_address: Value,
    /// The peer's ranges.
    pub remote_ts: Vec<String>,
    /// For BGP: the host's and the peer's inside addresses (a /30) and the peer's ASN.
    pub bgp: Option<(IpAddr, IpAddr, u32)>,
    /// The slot whose pre-shared key the connection uses: its own, except where one cloud
    /// connection serves several host connections (Azure's, one per gateway instance).
    pub key_slot: usize,
}

/// The host's connections for `tunnel`, one per entry of `slots`.
pub(super) fn tunnels(
    host: &Host,
    host_asn: Option<u32>,
    tunnel: &Tunnel,
    object: &str,
    slots: Vec<HostTunnel>,
    out: &mut Additions<'_>,
) {
    for (slot, peer) in slots.into_iter().enumerate() {
        let mut tunnel_attrs = attrs([
            ("child_rekey_time", Value::Integer(tunnel.ike.child_lifetime.into())),
            ("dpd_delay", Value::Integer(tunnel.ike.dpd_timeout.into())),
            ("esp_proposals", Value::List(proposals(&tunnel.ike, false))),
            ("local_address", Value::string(host.address.value.to_string())),
            ("local_ts", Value::List(host.cidrs.iter().map(|c| Value::string(c.value.to_string())).collect())),
            ("proposals", Value::List(proposals(&tunnel.ike, true))),
            ("psk", Value::Sensitive(super::tunnel::psk_name(tunnel, peer.key_slot))),
            ("rekey_time", Value::Integer(tunnel.ike.lifetime.into())),
            ("remote_address", peer.remote_address),
            ("remote_ts", Value::List(peer.remote_ts.into_iter().map(Value::string).collect())),
            ("routing", Value::string(if tunnel.routing == Routing::Bgp { "bgp" } else { "static" })),
            ("version", Value::Integer(tunnel.ike.version.into())),
        ]);
        if host.strongswan.encap {
            tunnel_attrs.insert("encap".into(), Value::Bool(true));
        }
        // The host's ASN is recorded even for static routing: AWS's customer gateway carries it,
        // and reading it back keeps it stable.
        if let Some(asn) = host_asn {
            tunnel_attrs.insert("asn".into(), Value::Integer(asn.into()));
        }
        if let Some((local, remote, peer_asn)) = peer.bgp {
            tunnel_attrs.insert("inside_address".into(), Value::string(format!("{local}/30")));
            tunnel_attrs.insert("peer_inside_address".into(), Value::string(remote.to_string()));
            tunnel_attrs.insert("peer_asn".into(), Value::Integer(peer_asn.into()));
        }
        out.add(Resource {
            id: ResourceId::new(ResourceKind::HostIpsecTunnel, format!("{}.{}.{slot}", host.name, tunnel.name)),
            scope: scope(host),
            attrs: tunnel_attrs.into(),
            depends_on: Vec::new(),
            object: object.to_string(),
        });
    }
}

/// strongSwan proposals (`aes256gcm16-prfsha256-ecp384`, `aes256-sha256-modp2048`), every
/// combination of the tunnel's choices, preferred first; ESP proposals carry the PFS group.
fn proposals(ike: &Ike, ike_sa: bool) -> Vec<Value> {
    let group = |g: u32| match g {
        14 => "modp2048",
        15 => "modp3072",
        16 => "modp4096",
        19 => "ecp256",
        20 => "ecp384",
        21 => "ecp521",
        _ => "modp2048s256",
    };
    let mut out = Vec::new();
    for encryption in &ike.encryption {
        for integrity in &ike.integrity {
            for dh in &ike.dh_groups {
                let integrity_part = match (encryption.contains("gcm"), ike_sa) {
                    (true, true) => format!("prf{integrity}"),
                    (true, false) => String::new(),
                    (false, _) => integrity.clone(),
                };
                let parts: Vec<&str> = [encryption.as_str(), integrity_part.as_str(), group(*dh)]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect();
                let proposal = Value::string(parts.join("-"));
                if !out.contains(&proposal) {
                    out.push(proposal);
                }
            }
        }
    }
    out
}
