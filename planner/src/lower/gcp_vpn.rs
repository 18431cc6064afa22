//! GCP's side of site-to-site VPN: the network's HA VPN gateway (two interfaces) and Cloud
//! Router in the network's region, shared by its tunnels; per tunnel an external VPN gateway
//! with the peer's addresses, and one VPN tunnel and one BGP peer per peer address.

use super::additions::Additions;
use super::{Desired, attrs};
use crate::allocate::{Allocations, gateway_key};
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{Network, Tunnel};
use std::net::IpAddr;

/// A network's HA VPN gateway and router, as its tunnels use them.
pub(super) struct GcpGateway {
    pub ha: ResourceId,
    pub ha_name: String,
    pub router: ResourceId,
    pub router_name: String,
    pub asn: u32,
    pub scope: Scope,
    /// The network's tags as GCP labels, which the gateway, external gateways and tunnels carry.
    pub labels: Value,
}

/// The HA VPN gateway and Cloud Router of `gcp`, added to `desired` (once per lowering: see
/// `tunnel::Shared`).
pub(super) fn gateway(topology: &Topology, gcp: &Network, alloc: &Allocations, desired: &mut Desired) -> GcpGateway {
    let stack = desired.stack.clone();
    let labels = super::network::gcp_labels(topology, gcp);
    let scope = super::scope(gcp);
    let asn = alloc.asn(&gateway_key(ResourceKind::GcpRouter, &gcp.name));
    let ha = ResourceId::new(ResourceKind::GcpHaVpnGateway, &gcp.name);
    let ha_name = resource_name(naming::GCP, &stack, &[&gcp.name, "ha-vpn"]);
    let router = ResourceId::new(ResourceKind::GcpRouter, &gcp.name);
    let router_name = resource_name(naming::GCP, &stack, &[&gcp.name, "router"]);
    let (network_name, after_network) = super::gcp_network(desired, &gcp.name);
    for (id, name, extra) in
        [(&ha, &ha_name, ("labels", labels.clone())), (&router, &router_name, ("asn", Value::Integer(asn.into())))]
    {
        let mut resource_attrs = attrs([
            ("name", Value::string(name)),
            ("network", Value::string(&network_name)),
            ("region", Value::string(&gcp.region.value)),
        ]);
        resource_attrs.insert(extra.0.into(), extra.1);
        desired.add(Resource {
            id: id.clone(),
            scope: scope.clone(),
            attrs: resource_attrs.into(),
            depends_on: after_network.clone(),
            object: format!("network.{}", gcp.name),
        });
    }
    GcpGateway { ha, ha_name, router, router_name, asn, scope, labels }
}

/// One tunnel from the HA gateway to a peer address.
pub(super) struct PeerTunnel {
    /// The HA gateway interface (0 or 1).
    pub ha_interface: i64,
    /// The interface of the external gateway (the peer address) it ends on.
    pub peer_interface: i64,
    /// GCP's BGP address inside the tunnel.
    pub gcp_address: IpAddr,
    /// The peer's BGP address inside the tunnel.
    pub peer_address: IpAddr,
}

/// The external gateway of `tunnel` with the peer's `addresses` (one interface each, in order),
/// and a VPN tunnel and BGP peer per entry of `tunnels`.
pub(super) fn tunnels(
    gateway: &GcpGateway,
    tunnel: &Tunnel,
    object: &str,
    addresses: Vec<Value>,
    peer_asn: u32,
    tunnels: &[PeerTunnel],
    out: &mut Additions<'_>,
) {
    let stack = out.lowered().stack.clone();
    let redundancy = match addresses.len() {
        1 => "SINGLE_IP_INTERNALLY_REDUNDANT",
        2 => "TWO_IPS_REDUNDANCY",
        _ => "FOUR_IPS_REDUNDANCY",
    };
    let external = ResourceId::new(ResourceKind::GcpExternalVpnGateway, &tunnel.name);
    let external_name = resource_name(naming::GCP, &stack, &[&tunnel.name]);
    out.add(Resource {
        id: external.clone(),
        scope: Scope { cloud: gateway.scope.cloud.clone(), region: "global".into() },
        attrs: attrs([
            ("interfaces", Value::List(addresses)),
            ("labels", gateway.labels.clone()),
            ("name", Value::string(&external_name)),
            ("redundancy_type", Value::string(redundancy)),
        ])
        .into(),
        depends_on: Vec::new(),
        object: object.to_string(),
    });
    for (slot, peer) in tunnels.iter().enumerate() {
        let tunnel_name = resource_name(naming::GCP, &stack, &[&tunnel.name, &slot.to_string()]);
        let vpn_tunnel = ResourceId::new(ResourceKind::GcpVpnTunnel, format!("{}.{slot}", tunnel.name));
        out.add(Resource {
            id: vpn_tunnel.clone(),
            scope: gateway.scope.clone(),
            attrs: attrs([
                ("ike_version", Value::Integer(tunnel.ike.version.into())),
                ("labels", gateway.labels.clone()),
                ("name", Value::string(&tunnel_name)),
                ("peer_external_gateway", Value::string(&external_name)),
                ("peer_external_gateway_interface", Value::Integer(peer.peer_interface)),
                ("region", Value::string(&gateway.scope.region)),
                ("router", Value::string(&gateway.router_name)),
                ("shared_secret", Value::Sensitive(super::tunnel::psk_name(tunnel, slot))),
                ("vpn_gateway", Value::string(&gateway.ha_name)),
                ("vpn_gateway_interface", Value::Integer(peer.ha_interface)),
            ])
            .into(),
            depends_on: vec![gateway.ha.clone(), gateway.router.clone(), external.clone()],
            object: object.to_string(),
        });
        out.add(Resource {
            id: ResourceId::new(ResourceKind::GcpRouterPeer, format!("{}.{slot}", tunnel.name)),
            scope: gateway.scope.clone(),
            attrs: attrs([
                ("ip_range", Value::string(format!("{}/30", peer.gcp_address))),
                ("name", Value::string(&tunnel_name)),
                ("peer_asn", Value::Integer(peer_asn.into())),
                ("peer_ip_address", Value::string(peer.peer_address.to_string())),
                ("region", Value::string(&gateway.scope.region)),
                ("router", Value::string(&gateway.router_name)),
                ("tunnel", Value::string(&tunnel_name)),
            ])
            .into(),
            depends_on: vec![vpn_tunnel],
            object: object.to_string(),
        });
    }
}
