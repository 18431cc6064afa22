//! Tunnels, laid out the way both clouds of a pair document for high availability with BGP.
//!
//! - AWS-GCP (GCP "HA VPN to AWS", 99.99% SLA): GCP's HA VPN gateway (two interfaces) and Cloud
//!   Router per network, and per tunnel an external VPN gateway with AWS's four outside
//!   addresses (`FOUR_IPS_REDUNDANCY`), four tunnels (HA interface 0 to AWS tunnels 0 and 1,
//!   interface 1 to 2 and 3) and four BGP peers; AWS's VPN gateway per VPC, and per tunnel two
//!   customer gateways (one per GCP interface) and two VPN connections.
//!
//! - AWS-Azure: see [`aws_azure`].
//!
//! Each side refers to the other's outputs (AWS's outside addresses exist once its connections
//! do, GCP's interface addresses once its gateway does), which plans show as
//! `(known after apply)` and the executor passes on.

use super::{Desired, attrs, aws_vpn, azure_vpn, output};
use crate::allocate::{Allocations, gateway_key};
use crate::naming::{self, resource_name};
use crate::resource::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{Network, Tunnel};

/// Inside /30 slots of one tunnel: four, for the four tunnels of the HA layouts with AWS.
pub(crate) const SLOTS: usize = 4;

/// The key of slot `slot` of `tunnel` in the allocation of inside ranges.
pub(crate) fn slot_key(tunnel: &str, slot: usize) -> String {
    format!("{tunnel}/{slot}")
}

/// The secret-store name of the pre-shared key of one tunnel slot.
pub(super) fn psk_name(tunnel: &Tunnel, slot: usize) -> String {
    format!("tunnel/{}/{slot}", tunnel.name)
}

/// The logical object a tunnel's resources belong to: the tunnel, or the mesh it comes from.
fn object_of(tunnel: &Tunnel) -> String {
    match &tunnel.mesh {
        Some(mesh) => format!("mesh.{mesh}"),
        None => format!("tunnel.{}", tunnel.name),
    }
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
    let object = object_of(tunnel);
    let gcp_scope = Scope { cloud: gcp.cloud.clone(), region: gcp.region.value.clone() };
    let gcp_asn = alloc.asn(&gateway_key(ResourceKind::GcpRouter, &gcp.name));
    let inside = |slot: usize| alloc.inside(&slot_key(&tunnel.name, slot));

    // GCP's HA gateway and router, shared by the network's tunnels.
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

    let aws_gateway = aws_vpn::gateway(topology, aws, alloc, desired);
    let gcp_interfaces = [0, 1].map(|n| output(&ha, &format!("interface{n}_ip")));
    let connections = aws_vpn::connections(
        &aws_gateway,
        tunnel,
        &object,
        gcp_interfaces,
        gcp_asn,
        |slot| inside(slot).to_string(),
        desired,
    );

    // Per tunnel, GCP: the external gateway with AWS's four outside addresses, four tunnels, four peers.
    let external = ResourceId::new(ResourceKind::GcpExternalVpnGateway, &tunnel.name);
    let external_name = resource_name(naming::GCP, &stack, &[&tunnel.name]);
    let interfaces = (0..SLOTS).map(|slot| aws_vpn::outside_address(&connections, slot)).collect();
    desired.add(Resource {
        id: external.clone(),
        scope: Scope { cloud: gcp.cloud.clone(), region: "global".into() },
        attrs: attrs([
            ("name", Value::string(&external_name)),
            ("redundancy_type", Value::string("FOUR_IPS_REDUNDANCY")),
            ("interfaces", Value::List(interfaces)),
        ]),
        depends_on: Vec::new(),
        object: object.clone(),
    });
    for slot in 0..SLOTS {
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
        let aws_address = inside(slot).host(1).expect("a /30 has two hosts");
        let gcp_address = inside(slot).host(2).expect("a /30 has two hosts");
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
                ("peer_asn", Value::Integer(aws_gateway.asn.into())),
            ]),
            depends_on: vec![vpn_tunnel],
            object: object.clone(),
        });
    }
}

/// AWS-Azure (Microsoft's "connect to AWS with BGP", highly available): Azure's active-active
/// gateway with its two public addresses, four local network gateways and four connections with
/// custom APIPA BGP addresses; AWS's VPN gateway, two customer gateways (one per Azure instance)
/// and two VPN connections. Inside ranges come from Azure's APIPA range; AWS takes the first
/// address of each, Azure the second.
pub(super) fn aws_azure(
    topology: &Topology,
    tunnel: &Tunnel,
    aws: &Network,
    azure: &Network,
    alloc: &Allocations,
    desired: &mut Desired,
) -> Result<(), &'static str> {
    let object = object_of(tunnel);
    let inside = |slot: usize| alloc.inside(&slot_key(&tunnel.name, slot));
    let azure_gateway = azure_vpn::gateway(topology, azure, alloc, desired)
        .ok_or("the Azure network has no free /27 for its GatewaySubnet")?;
    let aws_gateway = aws_vpn::gateway(topology, aws, alloc, desired);
    let azure_addresses = azure_gateway.public_ips.clone().map(|ip| output(&ip, "ip_address"));
    let connections = aws_vpn::connections(
        &aws_gateway,
        tunnel,
        &object,
        azure_addresses,
        azure_gateway.asn,
        |slot| inside(slot).to_string(),
        desired,
    );
    let peers: Vec<azure_vpn::PeerTunnel> = (0..SLOTS)
        .map(|slot| azure_vpn::PeerTunnel {
            address: aws_vpn::outside_address(&connections, slot),
            bgp_address: inside(slot).host(1).expect("a /30 has two hosts"),
            azure_bgp_address: inside(slot).host(2).expect("a /30 has two hosts"),
            instance: slot / 2,
        })
        .collect();
    azure_vpn::connections(&azure_gateway, tunnel, &object, aws_gateway.asn, &peers, desired);
    Ok(())
}
