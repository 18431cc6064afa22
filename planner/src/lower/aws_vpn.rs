//! AWS's side of site-to-site VPN: the VPC's virtual private gateway (one per VPC, shared by its
//! tunnels) with route propagation into the main route table, and per tunnel two customer
//! gateways and two VPN connections of two tunnels each (inside range slots 0 to 3: connection
//! `slot / 2`, its tunnel `slot % 2 + 1`).

use super::network::aws_named;
use super::{Desired, attrs, output};
use crate::allocate::{Allocations, gateway_key};
use crate::resource::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{Ike, Network, Tunnel};
use std::collections::BTreeMap;

/// A VPC's VPN gateway, as the tunnels of the VPC use it.
pub(super) struct AwsGateway {
    pub vgw: ResourceId,
    pub asn: u32,
    pub scope: Scope,
    /// The network's tags, which the gateway, customer gateways and connections carry besides
    /// their own `Name`.
    pub tags: BTreeMap<String, String>,
}

/// The VPN gateway of `aws`, created with its route propagation on first use.
pub(super) fn gateway(topology: &Topology, aws: &Network, alloc: &Allocations, desired: &mut Desired) -> AwsGateway {
    let scope = super::scope(aws);
    let tags = super::network::tags(topology, aws);
    let asn = alloc.asn(&gateway_key(ResourceKind::AwsVpnGateway, &aws.name));
    let vgw = ResourceId::new(ResourceKind::AwsVpnGateway, &aws.name);
    if !desired.resources.contains_key(&vgw) {
        let vpc = ResourceId::new(ResourceKind::AwsVpc, &aws.name);
        let object = format!("network.{}", aws.name);
        desired.add(Resource {
            id: vgw.clone(),
            scope: scope.clone(),
            attrs: attrs([
                ("vpc_id", output(&vpc, "id")),
                ("amazon_side_asn", Value::Integer(asn.into())),
                ("tags", aws_named(&tags, &desired.stack, &[&aws.name])),
            ]),
            depends_on: Vec::new(),
            object: object.clone(),
        });
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::AwsVpnGatewayRoutePropagation, &aws.name),
            scope: scope.clone(),
            attrs: attrs([
                ("vpn_gateway_id", output(&vgw, "id")),
                ("route_table_id", output(&vpc, "main_route_table_id")),
            ]),
            depends_on: Vec::new(),
            object,
        });
    }
    AwsGateway { vgw, asn, scope, tags }
}

/// The two customer gateways and two VPN connections of `tunnel`, toward the peer's two public
/// addresses; returns the connections, whose outputs `tunnel1_address` and `tunnel2_address`
/// are AWS's outside addresses.
pub(super) fn connections(
    gateway: &AwsGateway,
    tunnel: &Tunnel,
    object: &str,
    peer_addresses: [Value; 2],
    peer_asn: u32,
    inside: impl Fn(usize) -> String,
    desired: &mut Desired,
) -> [ResourceId; 2] {
    let [first, second] = peer_addresses;
    [(0, first), (1, second)].map(|(n, address)| {
        let peer = Peer { address, asn: peer_asn, static_routes: None };
        connection(gateway, tunnel, object, n, peer, &inside, desired)
    })
}

/// The peer of one VPN connection.
pub(super) struct Peer {
    /// Its public address.
    pub address: Value,
    /// Its BGP ASN (AWS requires one even for static routing).
    pub asn: u32,
    /// For static routing, the peer's ranges; `None` for BGP.
    pub static_routes: Option<Vec<String>>,
}

/// Customer gateway and VPN connection `n` of `tunnel` (inside slots `2n` and `2n + 1`), with the
/// static routes to the peer's ranges when it routes statically.
pub(super) fn connection(
    gateway: &AwsGateway,
    tunnel: &Tunnel,
    object: &str,
    n: usize,
    peer: Peer,
    inside: &impl Fn(usize) -> String,
    desired: &mut Desired,
) -> ResourceId {
    let connection = ResourceId::new(ResourceKind::AwsVpnConnection, format!("{}.{n}", tunnel.name));
    let cgw = ResourceId::new(ResourceKind::AwsCustomerGateway, format!("{}.{n}", tunnel.name));
    let tags = aws_named(&gateway.tags, &desired.stack, &[&tunnel.name, &n.to_string()]);
    desired.add(Resource {
        id: cgw.clone(),
        scope: gateway.scope.clone(),
        attrs: attrs([
            ("bgp_asn", Value::Integer(peer.asn.into())),
            ("ip_address", peer.address),
            ("type", Value::string("ipsec.1")),
            ("tags", tags.clone()),
        ]),
        depends_on: Vec::new(),
        object: object.to_string(),
    });
    let mut connection_attrs = attrs([
        ("vpn_gateway_id", output(&gateway.vgw, "id")),
        ("customer_gateway_id", output(&cgw, "id")),
        ("type", Value::string("ipsec.1")),
        ("static_routes_only", Value::Bool(peer.static_routes.is_some())),
        ("tags", tags),
    ]);
    for tunnel_index in 0..2 {
        let slot = n * 2 + tunnel_index;
        let prefix = format!("tunnel{}", tunnel_index + 1);
        connection_attrs.insert(format!("{prefix}_inside_cidr"), Value::string(inside(slot)));
        connection_attrs
            .insert(format!("{prefix}_preshared_key"), Value::Sensitive(super::tunnel::psk_name(tunnel, slot)));
        connection_attrs.extend(tunnel_options(&prefix, &tunnel.ike));
    }
    desired.add(Resource {
        id: connection.clone(),
        scope: gateway.scope.clone(),
        attrs: connection_attrs,
        depends_on: Vec::new(),
        object: object.to_string(),
    });
    for range in peer.static_routes.into_iter().flatten() {
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::AwsVpnConnectionRoute, format!("{}.{n}.{range}", tunnel.name)),
            scope: gateway.scope.clone(),
            attrs: attrs([
                ("vpn_connection_id", output(&connection, "id")),
                ("destination_cidr_block", Value::string(range)),
            ]),
            depends_on: Vec::new(),
            object: object.to_string(),
        });
    }
    connection
}

/// The output naming AWS's outside address of inside slot `slot`.
pub(super) fn outside_address(connections: &[ResourceId; 2], slot: usize) -> Value {
    output(&connections[slot / 2], &format!("tunnel{}_address", slot % 2 + 1))
}

/// AWS's per-tunnel options from the IKE settings, in AWS's own vocabulary.
fn tunnel_options(prefix: &str, ike: &Ike) -> Vec<(String, Value)> {
    let encryption: Vec<Value> = ike
        .encryption
        .iter()
        .map(|alg| {
            Value::string(match alg.as_str() {
                "aes128" => "AES128",
                "aes256" => "AES256",
                "aes128gcm16" => "AES128-GCM-16",
                _ => "AES256-GCM-16",
            })
        })
        .collect();
    let integrity: Vec<Value> = ike
        .integrity
        .iter()
        .map(|alg| {
            Value::string(match alg.as_str() {
                "sha384" => "SHA2-384",
                "sha512" => "SHA2-512",
                _ => "SHA2-256",
            })
        })
        .collect();
    let groups: Vec<Value> = ike.dh_groups.iter().map(|g| Value::Integer((*g).into())).collect();
    [
        ("ike_versions", Value::List(vec![Value::string(format!("ikev{}", ike.version))])),
        ("phase1_encryption_algorithms", Value::List(encryption.clone())),
        ("phase2_encryption_algorithms", Value::List(encryption)),
        ("phase1_integrity_algorithms", Value::List(integrity.clone())),
        ("phase2_integrity_algorithms", Value::List(integrity)),
        ("phase1_dh_group_numbers", Value::List(groups.clone())),
        ("phase2_dh_group_numbers", Value::List(groups)),
        ("phase1_lifetime_seconds", Value::Integer(ike.lifetime.into())),
        ("phase2_lifetime_seconds", Value::Integer(ike.child_lifetime.into())),
        ("dpd_timeout_seconds", Value::Integer(ike.dpd_timeout.into())),
    ]
    .into_iter()
    .map(|(name, value)| (format!("{prefix}_{name}"), value))
    .collect()
}
