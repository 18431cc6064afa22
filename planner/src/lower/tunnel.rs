//! Tunnels between an AWS network and a GCP network: the highly available layout both clouds
//! document (GCP "HA VPN to AWS", 99.99% SLA), with BGP.
//!
//! - GCP: the network's HA VPN gateway (two interfaces) and Cloud Router, shared by its tunnels;
//!   per tunnel an external VPN gateway with the four AWS outside addresses
//!   (`FOUR_IPS_REDUNDANCY`), four VPN tunnels (HA interface 0 to AWS tunnels 0 and 1, interface
//!   1 to 2 and 3) and four BGP peers on the router.
//! - AWS: the VPC's virtual private gateway (one per VPC) with route propagation into the main
//!   route table, shared by its tunnels; per tunnel two customer gateways (one per GCP interface
//!   address) and two VPN connections, each with two tunnels.
//!
//! AWS's outside addresses exist only once its VPN connections do, and GCP's interface
//! addresses once its gateway does: both sides refer to the other's outputs, which the plan
//! shows as `(known after apply)` and the executor passes on.

use super::{Desired, attrs, output};
use crate::allocate::{Allocations, gateway_key};
use crate::naming::{self, resource_name};
use crate::resource::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{Ike, Network, Tunnel};

/// The AWS tunnel inside /30 slots of one tunnel: AWS connection `slot / 2`, its tunnel
/// `slot % 2 + 1`; GCP tunnel `slot` uses HA interface `slot / 2` and peer interface `slot`.
pub(crate) const SLOTS: usize = 4;

/// The key of slot `slot` of `tunnel` in the allocation of inside ranges.
pub(crate) fn slot_key(tunnel: &str, slot: usize) -> String {
    format!("{tunnel}/{slot}")
}

pub(super) fn aws_gcp(
    topology: &Topology,
    tunnel: &Tunnel,
    aws: &Network,
    gcp: &Network,
    alloc: &Allocations,
    desired: &mut Desired,
) {
    let stack = desired.stack.clone();
    let object = match &tunnel.mesh {
        Some(mesh) => format!("mesh.{mesh}"),
        None => format!("tunnel.{}", tunnel.name),
    };
    let aws_scope = Scope { cloud: aws.cloud.clone(), region: aws.region.value.clone() };
    let gcp_scope = Scope { cloud: gcp.cloud.clone(), region: gcp.region.value.clone() };
    let gcp_global = Scope { cloud: gcp.cloud.clone(), region: "global".into() };
    let aws_asn = alloc.asn(&gateway_key(ResourceKind::AwsVpnGateway, &aws.name));
    let gcp_asn = alloc.asn(&gateway_key(ResourceKind::GcpRouter, &gcp.name));
    let tags = super::network::tag_value(&super::network::tags(topology, aws));

    // Shared per network: AWS's VPN gateway and its route propagation, GCP's HA gateway and router.
    let vgw = ResourceId::new(ResourceKind::AwsVpnGateway, &aws.name);
    if !desired.resources.contains_key(&vgw) {
        let vpc = ResourceId::new(ResourceKind::AwsVpc, &aws.name);
        desired.add(Resource {
            id: vgw.clone(),
            scope: aws_scope.clone(),
            attrs: attrs([
                ("vpc_id", output(&vpc, "id")),
                ("amazon_side_asn", Value::Integer(aws_asn.into())),
                ("tags", tags.clone()),
            ]),
            depends_on: Vec::new(),
            object: format!("network.{}", aws.name),
        });
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::AwsVpnGatewayRoutePropagation, &aws.name),
            scope: aws_scope.clone(),
            attrs: attrs([
                ("vpn_gateway_id", output(&vgw, "id")),
                ("route_table_id", output(&vpc, "main_route_table_id")),
            ]),
            depends_on: Vec::new(),
            object: format!("network.{}", aws.name),
        });
    }
    let gcp_network_name = resource_name(naming::GCP, &stack, &[&gcp.name]);
    let ha = ResourceId::new(ResourceKind::GcpHaVpnGateway, &gcp.name);
    let ha_name = resource_name(naming::GCP, &stack, &[&gcp.name, "ha-vpn"]);
    let router = ResourceId::new(ResourceKind::GcpRouter, &gcp.name);
    let router_name = resource_name(naming::GCP, &stack, &[&gcp.name, "router"]);
    if !desired.resources.contains_key(&ha) {
        let network = ResourceId::new(ResourceKind::GcpNetwork, &gcp.name);
        for (id, name, extra) in
            [(&ha, &ha_name, None), (&router, &router_name, Some(("asn", Value::Integer(gcp_asn.into()))))]
        {
            let mut resource_attrs = attrs([
                ("name", Value::string(name)),
                ("network", Value::string(&gcp_network_name)),
                ("region", Value::string(&gcp.region.value)),
            ]);
            resource_attrs.extend(extra.map(|(k, v)| (k.to_string(), v)));
            desired.add(Resource {
                id: id.clone(),
                scope: gcp_scope.clone(),
                attrs: resource_attrs,
                depends_on: vec![network.clone()],
                object: format!("network.{}", gcp.name),
            });
        }
    }

    // Per tunnel, AWS: two customer gateways and two VPN connections.
    let connections: Vec<ResourceId> =
        (0..2).map(|n| ResourceId::new(ResourceKind::AwsVpnConnection, format!("{}.{n}", tunnel.name))).collect();
    for (n, connection) in connections.iter().enumerate() {
        let cgw = ResourceId::new(ResourceKind::AwsCustomerGateway, format!("{}.{n}", tunnel.name));
        desired.add(Resource {
            id: cgw.clone(),
            scope: aws_scope.clone(),
            attrs: attrs([
                ("bgp_asn", Value::Integer(gcp_asn.into())),
                ("ip_address", output(&ha, &format!("interface{n}_ip"))),
                ("type", Value::string("ipsec.1")),
                ("tags", tags.clone()),
            ]),
            depends_on: Vec::new(),
            object: object.clone(),
        });
        let mut connection_attrs = attrs([
            ("vpn_gateway_id", output(&vgw, "id")),
            ("customer_gateway_id", output(&cgw, "id")),
            ("type", Value::string("ipsec.1")),
            ("static_routes_only", Value::Bool(false)),
            ("tags", tags.clone()),
        ]);
        for tunnel_index in 0..2 {
            let slot = n * 2 + tunnel_index;
            let prefix = format!("tunnel{}", tunnel_index + 1);
            connection_attrs.insert(
                format!("{prefix}_inside_cidr"),
                Value::string(alloc.inside(&slot_key(&tunnel.name, slot)).to_string()),
            );
            connection_attrs.insert(format!("{prefix}_preshared_key"), Value::Sensitive(psk_name(tunnel, slot)));
            connection_attrs.extend(aws_tunnel_options(&prefix, &tunnel.ike));
        }
        desired.add(Resource {
            id: connection.clone(),
            scope: aws_scope.clone(),
            attrs: connection_attrs,
            depends_on: Vec::new(),
            object: object.clone(),
        });
    }

    // Per tunnel, GCP: the external gateway with AWS's four outside addresses, four tunnels, four peers.
    let external = ResourceId::new(ResourceKind::GcpExternalVpnGateway, &tunnel.name);
    let external_name = resource_name(naming::GCP, &stack, &[&tunnel.name]);
    let interfaces =
        (0..SLOTS).map(|slot| output(&connections[slot / 2], &format!("tunnel{}_address", slot % 2 + 1))).collect();
    desired.add(Resource {
        id: external.clone(),
        scope: gcp_global,
        attrs: attrs([
            ("name", Value::string(&external_name)),
            ("redundancy_type", Value::string("FOUR_IPS_REDUNDANCY")),
            ("interfaces", Value::List(interfaces)),
        ]),
        depends_on: Vec::new(),
        object: object.clone(),
    });
    for slot in 0..SLOTS {
        let inside = alloc.inside(&slot_key(&tunnel.name, slot));
        let tunnel_name = resource_name(naming::GCP, &stack, &[&tunnel.name, &slot.to_string()]);
        let vpn_tunnel = ResourceId::new(ResourceKind::GcpVpnTunnel, format!("{}.{slot}", tunnel.name));
        desired.add(Resource {
            id: vpn_tunnel.clone(),
            scope: gcp_scope.clone(),
            attrs: attrs([
                ("name", Value::string(&tunnel_name)),
                ("region", Value::string(&gcp.region.value)),
                ("vpn_gateway", Value::string(&ha_name)),
                ("vpn_gateway_interface", Value::Integer((slot / 2) as i64)),
                ("peer_external_gateway", Value::string(&external_name)),
                ("peer_external_gateway_interface", Value::Integer(slot as i64)),
                ("shared_secret", Value::Sensitive(psk_name(tunnel, slot))),
                ("router", Value::string(&router_name)),
                ("ike_version", Value::Integer(tunnel.ike.version.into())),
            ]),
            depends_on: vec![ha.clone(), router.clone(), external.clone()],
            object: object.clone(),
        });
        // AWS takes the first address of each inside /30, the customer side (GCP) the second.
        let aws_address = inside.host(1).expect("a /30 has two hosts");
        let gcp_address = inside.host(2).expect("a /30 has two hosts");
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::GcpRouterPeer, format!("{}.{slot}", tunnel.name)),
            scope: gcp_scope.clone(),
            attrs: attrs([
                ("name", Value::string(&tunnel_name)),
                ("router", Value::string(&router_name)),
                ("region", Value::string(&gcp.region.value)),
                ("tunnel", Value::string(&tunnel_name)),
                ("ip_range", Value::string(format!("{gcp_address}/30"))),
                ("peer_ip_address", Value::string(aws_address.to_string())),
                ("peer_asn", Value::Integer(aws_asn.into())),
            ]),
            depends_on: vec![vpn_tunnel],
            object: object.clone(),
        });
    }
}

/// The secret-store name of the pre-shared key of one tunnel slot.
fn psk_name(tunnel: &Tunnel, slot: usize) -> String {
    format!("tunnel/{}/{slot}", tunnel.name)
}

/// AWS's per-tunnel options from the IKE settings, in AWS's own vocabulary.
fn aws_tunnel_options(prefix: &str, ike: &Ike) -> Vec<(String, Value)> {
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
