//! Tunnels between two networks of the same cloud: the clouds' own peering, which carries the
//! traffic privately on their backbones, encrypted between regions, with no gateway to run or
//! pay for and no bandwidth ceiling per tunnel.
//!
//! - AWS: a VPC peering connection (any region or account) requested from the first network,
//!   accepted in the second's region, and a route to the other's range in each main route table.
//! - Azure: global virtual network peering, one peering per direction.
//! - GCP: VPC network peering, one peering per direction, exchanging custom routes.

use super::additions::Additions;
use super::{attrs, output};
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudAccount, CloudKind, Network, Tunnel};

/// Why a tunnel between Azure networks, one of them existing, cannot be planned.
pub(super) const EXISTING_AZURE_PEERING: &str = "peering an existing Azure virtual network would change it (a \
     peering is part of its network): peer it yourself, or connect it through a VPN gateway to another cloud";

pub(super) fn lower(
    topology: &Topology,
    tunnel: &Tunnel,
    a: &Network,
    b: &Network,
    object: &str,
    out: &mut Additions<'_>,
) -> Result<(), &'static str> {
    match a.kind {
        CloudKind::Aws => aws(topology, tunnel, a, b, object, out),
        CloudKind::Azure
            if out.lowered().existing.contains_key(&a.name) || out.lowered().existing.contains_key(&b.name) =>
        {
            return Err(EXISTING_AZURE_PEERING);
        }
        CloudKind::Azure => azure(tunnel, a, b, object, out),
        CloudKind::Gcp => gcp(topology, tunnel, a, b, object, out),
    }
    Ok(())
}

fn aws(topology: &Topology, tunnel: &Tunnel, a: &Network, b: &Network, object: &str, out: &mut Additions<'_>) {
    let peering = ResourceId::new(ResourceKind::AwsVpcPeeringConnection, &tunnel.name);
    let accepter = ResourceId::new(ResourceKind::AwsVpcPeeringConnectionAccepter, &tunnel.name);
    let stack = out.lowered().stack.clone();
    let tags = |network: &Network| {
        super::network::aws_named(&super::network::tags(topology, network), &stack, &[&tunnel.name])
    };
    let mut peering_attrs = attrs([
        ("peer_region", Value::string(&b.region.value)),
        ("peer_vpc_id", super::aws_vpc_output(out.lowered(), &b.name, "id")),
        ("tags", tags(a)),
        ("vpc_id", super::aws_vpc_output(out.lowered(), &a.name, "id")),
    ]);
    if let Some(CloudAccount::Aws { account: Some(account), .. }) = topology.cloud(&b.cloud).map(|c| &c.account) {
        peering_attrs.insert("peer_owner_id".into(), Value::string(account));
    }
    out.add(Resource {
        id: peering.clone(),
        scope: super::scope(a),
        attrs: peering_attrs.into(),
        depends_on: Vec::new(),
        object: object.into(),
    });
    out.add(Resource {
        id: accepter.clone(),
        scope: super::scope(b),
        attrs: attrs([("tags", tags(b)), ("vpc_peering_connection_id", output(&peering, "id"))]).into(),
        depends_on: Vec::new(),
        object: object.into(),
    });
    for (side, from, to) in [("0", a, b), ("1", b, a)] {
        out.add(Resource {
            id: ResourceId::new(ResourceKind::AwsRoute, format!("{}.{side}", tunnel.name)),
            scope: super::scope(from),
            attrs: attrs([
                ("destination_cidr_block", Value::string(to.cidr.value.to_string())),
                ("route_table_id", super::aws_vpc_output(out.lowered(), &from.name, "main_route_table_id")),
                ("vpc_peering_connection_id", output(&peering, "id")),
            ])
            .into(),
            depends_on: vec![accepter.clone()],
            object: object.into(),
        });
    }
}

fn azure(tunnel: &Tunnel, a: &Network, b: &Network, object: &str, out: &mut Additions<'_>) {
    let stack = out.lowered().stack.clone();
    for (side, from, to) in [("0", a, b), ("1", b, a)] {
        let from_vnet = ResourceId::new(ResourceKind::AzureVirtualNetwork, &from.name);
        let to_vnet = ResourceId::new(ResourceKind::AzureVirtualNetwork, &to.name);
        let group = out.lowered().resources.get(&from_vnet).and_then(|r| r.attrs.get("resource_group")).cloned();
        out.add(Resource {
            id: ResourceId::new(ResourceKind::AzureVirtualNetworkPeering, format!("{}.{side}", tunnel.name)),
            scope: super::scope(from),
            attrs: attrs([
                ("allow_forwarded_traffic", Value::Bool(true)),
                ("allow_virtual_network_access", Value::Bool(true)),
                ("name", Value::string(resource_name(naming::AZURE, &stack, &[&tunnel.name, side]))),
                ("remote_virtual_network_id", output(&to_vnet, "id")),
                ("resource_group", group.unwrap_or_else(|| Value::string(""))),
                ("virtual_network", Value::string(resource_name(naming::AZURE, &stack, &[&from.name]))),
            ])
            .into(),
            depends_on: vec![from_vnet],
            object: object.into(),
        });
    }
}

fn gcp(topology: &Topology, tunnel: &Tunnel, a: &Network, b: &Network, object: &str, out: &mut Additions<'_>) {
    let stack = out.lowered().stack.clone();
    let project = |network: &Network| match topology.cloud(&network.cloud).map(|c| &c.account) {
        Some(CloudAccount::Gcp { project, .. }) => project.clone(),
        _ => String::new(),
    };
    for (side, from, to) in [("0", a, b), ("1", b, a)] {
        let (from_name, after_from) = super::gcp_network(out.lowered(), &from.name);
        let (to_name, after_to) = super::gcp_network(out.lowered(), &to.name);
        out.add(Resource {
            id: ResourceId::new(ResourceKind::GcpNetworkPeering, format!("{}.{side}", tunnel.name)),
            scope: Scope { cloud: from.cloud.clone(), region: "global".into() },
            attrs: attrs([
                ("export_custom_routes", Value::Bool(true)),
                ("import_custom_routes", Value::Bool(true)),
                ("name", Value::string(resource_name(naming::GCP, &stack, &[&tunnel.name, side]))),
                ("network", Value::string(from_name)),
                ("peer_network", Value::string(format!("projects/{}/global/networks/{to_name}", project(to)))),
            ])
            .into(),
            depends_on: [after_from, after_to].concat(),
            object: object.into(),
        });
    }
}
