//! AWS's side of site-to-site VPN: the VPC's gateway, shared by its tunnels, and per tunnel two
//! customer gateways and two VPN connections of two tunnels each (inside range slots 0 to 3:
//! connection `slot / 2`, its tunnel `slot % 2 + 1`).
//!
//! The gateway is a virtual private gateway with route propagation into the main route table,
//! or, for a VPC with more VPN connections than a virtual private gateway takes (or that asks
//! for one), a transit gateway: the VPC attaches to it in one subnet per Availability Zone, the
//! VPN connections attach to it, BGP-learned routes propagate into its default route table, and
//! the VPC's main route table sends each peer's ranges to it (a transit gateway does not
//! propagate into VPC route tables).

use super::additions::Additions;
use super::network::aws_named;
use super::{Desired, attrs, output};
use crate::allocate::{Allocations, gateway_key};
use isopod_catalog::{Attrs, Name, Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{Ike, Network, Tunnel};
use std::collections::BTreeMap;

/// A VPC's VPN gateway, as the tunnels of the VPC use it.
pub(super) struct AwsGateway {
    /// The virtual private gateway or transit gateway the VPN connections attach to.
    pub attachment: Attachment,
    /// The VPC's name.
    pub network: String,
    pub asn: u32,
    pub scope: Scope,
    /// The network's tags, which the gateway, customer gateways and connections carry besides
    /// their own `Name`.
    pub tags: BTreeMap<String, String>,
}

/// What a VPC's VPN connections attach to.
pub(super) enum Attachment {
    /// A virtual private gateway.
    VpnGateway(ResourceId),
    /// A transit gateway, with the VPC's attachment to it.
    TransitGateway { gateway: ResourceId, vpc_attachment: ResourceId },
}

/// The gateway of `aws`, its resources added to `desired` (once per lowering: see
/// `tunnel::Shared`): a transit gateway when `desired.aws_transit` names the network, else a
/// virtual private gateway.
pub(super) fn gateway(topology: &Topology, aws: &Network, alloc: &Allocations, desired: &mut Desired) -> AwsGateway {
    let scope = super::scope(aws);
    let tags = super::network::tags(topology, aws);
    // One ASN per VPC, whichever gateway carries it.
    let asn = alloc.asn(&gateway_key(ResourceKind::AwsVpnGateway, &aws.name));
    let attachment = if desired.aws_transit.contains(&aws.name) {
        transit_gateway(aws, asn, &scope, &tags, desired)
    } else {
        Attachment::VpnGateway(vpn_gateway(aws, asn, &scope, &tags, desired))
    };
    AwsGateway { attachment, network: aws.name.clone(), asn, scope, tags }
}

/// The virtual private gateway of `aws` and its route propagation.
fn vpn_gateway(
    aws: &Network,
    asn: u32,
    scope: &Scope,
    tags: &BTreeMap<String, String>,
    desired: &mut Desired,
) -> ResourceId {
    let vgw = ResourceId::new(ResourceKind::AwsVpnGateway, &aws.name);
    let vpc_id = super::aws_vpc_output(desired, &aws.name, "id");
    let main_table = super::aws_vpc_output(desired, &aws.name, "main_route_table_id");
    let object = format!("network.{}", aws.name);
    desired.add(Resource {
        id: vgw.clone(),
        scope: scope.clone(),
        attrs: attrs([
            ("amazon_side_asn", Value::Integer(asn.into())),
            ("tags", aws_named(tags, &desired.stack, &[&aws.name])),
            ("vpc_id", vpc_id),
        ])
        .into(),
        depends_on: Vec::new(),
        object: object.clone(),
    });
    desired.add(Resource {
        id: ResourceId::new(ResourceKind::AwsVpnGatewayRoutePropagation, &aws.name),
        scope: scope.clone(),
        attrs: attrs([("route_table_id", main_table), ("vpn_gateway_id", output(&vgw, "id"))]).into(),
        depends_on: Vec::new(),
        object,
    });
    vgw
}

/// The transit gateway of `aws` and the VPC's attachment to it, in the network's default subnets.
fn transit_gateway(
    aws: &Network,
    asn: u32,
    scope: &Scope,
    tags: &BTreeMap<String, String>,
    desired: &mut Desired,
) -> Attachment {
    let gateway = ResourceId::new(ResourceKind::AwsTransitGateway, &aws.name);
    let vpc_attachment = ResourceId::new(ResourceKind::AwsTransitGatewayVpcAttachment, &aws.name);
    let vpc_id = super::aws_vpc_output(desired, &aws.name, "id");
    let object = format!("network.{}", aws.name);
    let enable = || Value::string("enable");
    desired.add(Resource {
        id: gateway.clone(),
        scope: scope.clone(),
        attrs: attrs([
            ("amazon_side_asn", Value::Integer(asn.into())),
            ("default_route_table_association", enable()),
            ("default_route_table_propagation", enable()),
            ("dns_support", enable()),
            ("tags", aws_named(tags, &desired.stack, &[&aws.name])),
            ("vpn_ecmp_support", enable()),
        ])
        .into(),
        depends_on: Vec::new(),
        object: object.clone(),
    });
    let subnets = super::network::default_subnets(aws)
        .into_iter()
        .map(|subnet| super::aws_subnet_id(desired, &aws.name, subnet))
        .collect();
    desired.add(Resource {
        id: vpc_attachment.clone(),
        scope: scope.clone(),
        attrs: attrs([
            ("subnet_ids", Value::List(subnets)),
            ("tags", aws_named(tags, &desired.stack, &[&aws.name])),
            ("transit_gateway_id", output(&gateway, "id")),
            ("vpc_id", vpc_id),
        ])
        .into(),
        depends_on: Vec::new(),
        object,
    });
    Attachment::TransitGateway { gateway, vpc_attachment }
}

/// For a VPC on a transit gateway, the routes of its main route table that send `ranges` (a
/// peer's) to the transit gateway; nothing for a virtual private gateway, whose routes propagate.
pub(super) fn routes_to(gateway: &AwsGateway, ranges: &[String], object: &str, out: &mut Additions<'_>) {
    let Attachment::TransitGateway { gateway: transit, vpc_attachment } = &gateway.attachment else { return };
    let main_table = super::aws_vpc_output(out.lowered(), &gateway.network, "main_route_table_id");
    for range in ranges {
        let id = ResourceId::new(ResourceKind::AwsRoute, format!("{}.transit.{range}", gateway.network));
        // Once per range: another tunnel to the same network needs the same route.
        out.add_once(Resource {
            id,
            scope: gateway.scope.clone(),
            attrs: attrs([
                ("destination_cidr_block", Value::string(range)),
                ("route_table_id", main_table.clone()),
                ("transit_gateway_id", output(transit, "id")),
            ])
            .into(),
            // A route to a transit gateway needs the VPC attached to it.
            depends_on: vec![vpc_attachment.clone()],
            object: object.to_string(),
        });
    }
}

/// A customer gateway and a VPN connection of `tunnel` toward each of `peers` (connection `n`
/// toward peer `n`); returns the connections, whose outputs `tunnel1_address` and
/// `tunnel2_address` are AWS's outside addresses.
pub(super) fn connections(
    gateway: &AwsGateway,
    tunnel: &Tunnel,
    object: &str,
    peers: Vec<Peer>,
    inside: impl Fn(usize) -> String,
    out: &mut Additions<'_>,
) -> Vec<ResourceId> {
    peers.into_iter().enumerate().map(|(n, peer)| connection(gateway, tunnel, object, n, peer, &inside, out)).collect()
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
    out: &mut Additions<'_>,
) -> ResourceId {
    let connection = ResourceId::new(ResourceKind::AwsVpnConnection, format!("{}.{n}", tunnel.name));
    let cgw = ResourceId::new(ResourceKind::AwsCustomerGateway, format!("{}.{n}", tunnel.name));
    let tags = aws_named(&gateway.tags, &out.lowered().stack, &[&tunnel.name, &n.to_string()]);
    out.add(Resource {
        id: cgw.clone(),
        scope: gateway.scope.clone(),
        attrs: attrs([
            ("bgp_asn", Value::Integer(peer.asn.into())),
            ("ip_address", peer.address),
            ("tags", tags.clone()),
            ("type", Value::string("ipsec.1")),
        ])
        .into(),
        depends_on: Vec::new(),
        object: object.to_string(),
    });
    // In the order of their names, which then need no sorting: a transit gateway's id before
    // the tunnels' attributes, a virtual private gateway's after `type`.
    let (transit_gateway, vpn_gateway) = match &gateway.attachment {
        Attachment::VpnGateway(vgw) => (None, Some((Name::new("vpn_gateway_id"), output(vgw, "id")))),
        Attachment::TransitGateway { gateway, .. } => {
            (Some((Name::new("transit_gateway_id"), output(gateway, "id"))), None)
        }
    };
    let mut connection_attrs: Vec<(Name, Value)> = Vec::with_capacity(5 + 2 * TUNNEL_ATTRS.len());
    connection_attrs.extend([
        (Name::new("customer_gateway_id"), output(&cgw, "id")),
        (Name::new("static_routes_only"), Value::Bool(peer.static_routes.is_some())),
        (Name::new("tags"), tags),
    ]);
    connection_attrs.extend(transit_gateway);
    let options = tunnel_options(&tunnel.ike);
    for (tunnel_index, names) in tunnel_attr_names().iter().enumerate() {
        let slot = n * 2 + tunnel_index;
        let (shared_before, shared_after) = options.split_at(INSIDE_AT);
        let values = (shared_before.iter().cloned())
            .chain([Value::string(inside(slot))])
            .chain(shared_after.iter().cloned())
            .chain([Value::Sensitive(super::tunnel::psk_name(tunnel, slot))]);
        connection_attrs.extend(names.iter().copied().zip(values));
    }
    connection_attrs.push((Name::new("type"), Value::string("ipsec.1")));
    connection_attrs.extend(vpn_gateway);
    debug_assert!(connection_attrs.is_sorted_by(|a, b| a.0 < b.0), "in name order: {connection_attrs:?}");
    out.add(Resource {
        id: connection.clone(),
        scope: gateway.scope.clone(),
        attrs: connection_attrs.into_iter().collect::<Attrs>().into(),
        depends_on: Vec::new(),
        object: object.to_string(),
    });
    for range in peer.static_routes.into_iter().flatten() {
        out.add(Resource {
            id: ResourceId::new(ResourceKind::AwsVpnConnectionRoute, format!("{}.{n}.{range}", tunnel.name)),
            scope: gateway.scope.clone(),
            attrs: attrs([
                ("destination_cidr_block", Value::string(range)),
                ("vpn_connection_id", output(&connection, "id")),
            ])
            .into(),
            depends_on: Vec::new(),
            object: object.to_string(),
        });
    }
    connection
}

/// The output naming AWS's outside address of inside slot `slot`.
pub(super) fn outside_address(connections: &[ResourceId], slot: usize) -> Value {
    output(&connections[slot / 2], super::numbered(ResourceKind::AwsVpnConnection, "tunnel", slot % 2 + 1, "_address"))
}

/// The suffixes of a VPN connection's attributes for each of its tunnels (`tunnel1_inside_cidr`),
/// in name order: the options [`tunnel_options`] gives, with the tunnel's own inside range at
/// [`INSIDE_AT`] and its key last.
const TUNNEL_ATTRS: [&str; 12] = [
    "_dpd_timeout_seconds",
    "_ike_versions",
    "_inside_cidr",
    "_phase1_dh_group_numbers",
    "_phase1_encryption_algorithms",
    "_phase1_integrity_algorithms",
    "_phase1_lifetime_seconds",
    "_phase2_dh_group_numbers",
    "_phase2_encryption_algorithms",
    "_phase2_integrity_algorithms",
    "_phase2_lifetime_seconds",
    "_preshared_key",
];

/// Where the inside range is among [`TUNNEL_ATTRS`].
const INSIDE_AT: usize = 2;

/// The names of [`TUNNEL_ATTRS`] for tunnels 1 and 2, as the catalogue spells them: looked up
/// once for the process, not for every VPN connection of a large plan.
fn tunnel_attr_names() -> &'static [[Name; TUNNEL_ATTRS.len()]; 2] {
    static NAMES: std::sync::OnceLock<[[Name; TUNNEL_ATTRS.len()]; 2]> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        std::array::from_fn(|tunnel| {
            std::array::from_fn(|at| {
                super::numbered(ResourceKind::AwsVpnConnection, "tunnel", tunnel + 1, TUNNEL_ATTRS[at])
            })
        })
    })
}

/// AWS's per-tunnel options from the IKE settings, in AWS's own vocabulary, in the order of
/// [`TUNNEL_ATTRS`] without the inside range and the key.
fn tunnel_options(ike: &Ike) -> [Value; TUNNEL_ATTRS.len() - 2] {
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
        Value::Integer(ike.dpd_timeout.into()),
        Value::List(vec![Value::string(format!("ikev{}", ike.version))]),
        Value::List(groups.clone()),
        Value::List(encryption.clone()),
        Value::List(integrity.clone()),
        Value::Integer(ike.lifetime.into()),
        Value::List(groups),
        Value::List(encryption),
        Value::List(integrity),
        Value::Integer(ike.child_lifetime.into()),
    ]
}
