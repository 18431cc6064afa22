//! The clouds' rules the simulator enforces, as the real APIs would.

use super::SimResource;
use super::index::Live;
use crate::{ErrorKind, ProviderError};
use isopod_planner::Cidr;
use isopod_planner::resource::{Resource, ResourceKind, Value};

fn text<'a>(attrs: &'a std::collections::BTreeMap<String, Value>, name: &str) -> Option<&'a str> {
    match attrs.get(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

fn invalid(message: String) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, message)
}

/// The checks of a create call.
pub(super) fn check_create(live: Live<'_>, resource: &Resource) -> Result<(), ProviderError> {
    if resource.attrs.values().any(|value| matches!(value, Value::Output(_))) {
        return Err(invalid(format!("{} was sent with unresolved outputs", resource.id)));
    }
    let attrs = &resource.attrs;
    let same_cloud = |r: &&SimResource| r.scope.cloud == resource.scope.cloud;
    // The clouds refuse to build on what they are still provisioning (AWS IncorrectState, Azure
    // AnotherOperationInProgress): whatever the call names, by id or by name, must be ready.
    let mut named = std::collections::BTreeSet::new();
    for (_, value) in attrs.iter().filter(|(key, _)| key.as_str() != "name") {
        value.collect_strings(&mut named);
    }
    let pending = live.provisioning().filter(same_cloud).filter(|r| r.pending()).find(|r| {
        named.contains(r.provider_id.as_str()) || text(&r.attrs, "name").is_some_and(|name| named.contains(name))
    });
    if let Some(pending) = pending {
        return Err(ProviderError::new(
            ErrorKind::Conflict,
            format!("{} {} is still being provisioned", pending.kind, pending.provider_id),
        ));
    }
    let find = |kind: ResourceKind, pred: &dyn Fn(&SimResource) -> bool| {
        live.of_kind(kind).filter(same_cloud).find(|r| pred(r))
    };
    let named = |kind: ResourceKind, name: Option<&str>| name.and_then(|name| live.named(kind, name).find(same_cloud));
    let by_id = |kind: ResourceKind, id: Option<&str>| {
        id.and_then(|id| live.by_id(id)).filter(|r| r.kind == kind && r.scope.cloud == resource.scope.cloud)
    };
    let missing = |what: &str| ProviderError::new(ErrorKind::NotFound, format!("{what} does not exist"));
    // Peerings reach across regions and accounts: their peers are looked up everywhere.
    let anywhere = |kind: ResourceKind, id: Option<&str>| id.and_then(|id| live.by_id(id)).filter(|r| r.kind == kind);
    match resource.id.kind {
        ResourceKind::AwsSubnet => {
            let vpc_id = text(attrs, "vpc_id");
            let vpc = by_id(ResourceKind::AwsVpc, vpc_id)
                .ok_or_else(|| missing(&format!("VPC {}", vpc_id.unwrap_or("?"))))?;
            let cidr = |text: Option<&str>| text.and_then(|t| Cidr::parse(t).ok());
            let inside = match (cidr(text(&vpc.attrs, "cidr_block")), cidr(text(attrs, "cidr_block"))) {
                (Some(outer), Some(inner)) => outer.contains(inner),
                _ => false,
            };
            if !inside {
                return Err(invalid(format!("the subnet's range is not inside VPC {}", vpc.provider_id)));
            }
        }
        ResourceKind::AzureVirtualNetwork => {
            named(ResourceKind::AzureResourceGroup, text(attrs, "resource_group"))
                .ok_or_else(|| missing("the resource group"))?;
        }
        ResourceKind::AzureSubnet => {
            named(ResourceKind::AzureVirtualNetwork, text(attrs, "virtual_network"))
                .ok_or_else(|| missing("the virtual network"))?;
        }
        ResourceKind::GcpSubnetwork | ResourceKind::GcpHaVpnGateway | ResourceKind::GcpRouter => {
            named(ResourceKind::GcpNetwork, text(attrs, "network")).ok_or_else(|| missing("the network"))?;
        }
        ResourceKind::AwsVpnGateway => {
            let vpc_id = text(attrs, "vpc_id");
            by_id(ResourceKind::AwsVpc, vpc_id).ok_or_else(|| missing("the VPC"))?;
            if find(ResourceKind::AwsVpnGateway, &|r| text(&r.attrs, "vpc_id") == vpc_id).is_some() {
                return Err(ProviderError::new(ErrorKind::Conflict, "the VPC already has a VPN gateway attached"));
            }
        }
        ResourceKind::AwsVpnGatewayRoutePropagation => {
            let vgw = text(attrs, "vpn_gateway_id");
            by_id(ResourceKind::AwsVpnGateway, vgw).ok_or_else(|| missing("the VPN gateway"))?;
        }
        ResourceKind::AwsVpnConnection => {
            match (text(attrs, "vpn_gateway_id"), text(attrs, "transit_gateway_id")) {
                (Some(vgw), None) => by_id(ResourceKind::AwsVpnGateway, Some(vgw)).map(|_| ()),
                (None, Some(tgw)) => by_id(ResourceKind::AwsTransitGateway, Some(tgw)).map(|_| ()),
                _ => return Err(invalid("a VPN connection takes one of vpn_gateway_id and transit_gateway_id".into())),
            }
            .ok_or_else(|| missing("the VPN connection's gateway"))?;
            by_id(ResourceKind::AwsCustomerGateway, text(attrs, "customer_gateway_id"))
                .ok_or_else(|| missing("customer_gateway_id"))?;
            let vgw = text(attrs, "vpn_gateway_id");
            let connections = || {
                let on_gateway = |r: &&SimResource| vgw.is_some() && text(&r.attrs, "vpn_gateway_id") == vgw;
                live.of_kind(ResourceKind::AwsVpnConnection).filter(on_gateway).count()
            };
            if connections() >= 10 {
                return Err(ProviderError::new(ErrorKind::Invalid, "a VPN gateway takes at most 10 VPN connections"));
            }
        }
        ResourceKind::GcpVpnTunnel => {
            named(ResourceKind::GcpHaVpnGateway, text(attrs, "vpn_gateway"))
                .ok_or_else(|| missing("the HA VPN gateway"))?;
            named(ResourceKind::GcpRouter, text(attrs, "router")).ok_or_else(|| missing("the router"))?;
            named(ResourceKind::GcpExternalVpnGateway, text(attrs, "peer_external_gateway"))
                .ok_or_else(|| missing("the external gateway"))?;
        }
        ResourceKind::GcpRouterPeer => {
            named(ResourceKind::GcpRouter, text(attrs, "router")).ok_or_else(|| missing("the router"))?;
            named(ResourceKind::GcpVpnTunnel, text(attrs, "tunnel")).ok_or_else(|| missing("the tunnel"))?;
        }
        ResourceKind::AzurePublicIp | ResourceKind::AzureLocalNetworkGateway => {
            named(ResourceKind::AzureResourceGroup, text(attrs, "resource_group"))
                .ok_or_else(|| missing("the resource group"))?;
        }
        ResourceKind::AzureVirtualNetworkGateway => {
            let Some(Value::List(configurations)) = attrs.get("ip_configurations") else {
                return Err(invalid("a gateway needs its IP configurations".into()));
            };
            let by_id = |kind: ResourceKind, value: Option<&Value>| match value {
                Some(Value::String(id)) => find(kind, &|r| r.provider_id == *id).is_some(),
                _ => false,
            };
            for configuration in configurations {
                let Value::Map(configuration) = configuration else { continue };
                if !by_id(ResourceKind::AzurePublicIp, configuration.get("public_ip_address_id")) {
                    return Err(missing("the public IP address"));
                }
                let subnet = configuration.get("subnet_id");
                if !by_id(ResourceKind::AzureSubnet, subnet) {
                    return Err(missing("the gateway subnet"));
                }
                let is_gateway_subnet = match subnet {
                    Some(Value::String(id)) => {
                        live.by_id(id).is_some_and(|r| text(&r.attrs, "name") == Some("GatewaySubnet"))
                    }
                    _ => false,
                };
                if !is_gateway_subnet {
                    return Err(invalid("a virtual network gateway must sit in the subnet named GatewaySubnet".into()));
                }
            }
            if attrs.get("active_active") == Some(&Value::Bool(true)) && configurations.len() != 2 {
                return Err(invalid("an active-active gateway takes two IP configurations".into()));
            }
        }
        ResourceKind::AzureVpnConnection => {
            named(ResourceKind::AzureVirtualNetworkGateway, text(attrs, "virtual_network_gateway"))
                .ok_or_else(|| missing("the gateway"))?;
            named(ResourceKind::AzureLocalNetworkGateway, text(attrs, "local_network_gateway"))
                .ok_or_else(|| missing("the local network gateway"))?;
        }
        ResourceKind::AwsVpcPeeringConnection => {
            let vpc_id = text(attrs, "vpc_id");
            by_id(ResourceKind::AwsVpc, vpc_id).ok_or_else(|| missing("the VPC"))?;
            anywhere(ResourceKind::AwsVpc, text(attrs, "peer_vpc_id")).ok_or_else(|| missing("the peer VPC"))?;
        }
        ResourceKind::AwsVpcPeeringConnectionAccepter => {
            anywhere(ResourceKind::AwsVpcPeeringConnection, text(attrs, "vpc_peering_connection_id"))
                .ok_or_else(|| missing("the peering connection"))?;
        }
        ResourceKind::AwsRoute => {
            let table = text(attrs, "route_table_id");
            let vpc = find(ResourceKind::AwsVpc, &|r| text(&r.attrs, "main_route_table_id") == table)
                .ok_or_else(|| missing("the route table"))?;
            match (text(attrs, "vpc_peering_connection_id"), text(attrs, "transit_gateway_id")) {
                (Some(peering), None) => {
                    anywhere(ResourceKind::AwsVpcPeeringConnection, Some(peering))
                        .ok_or_else(|| missing("the peering connection"))?;
                }
                (None, Some(tgw)) => {
                    let attached = find(ResourceKind::AwsTransitGatewayVpcAttachment, &|r| {
                        text(&r.attrs, "transit_gateway_id") == Some(tgw)
                            && text(&r.attrs, "vpc_id") == Some(vpc.provider_id.as_str())
                    });
                    if attached.is_none() {
                        return Err(invalid(format!(
                            "VPC {} is not attached to transit gateway {tgw}",
                            vpc.provider_id
                        )));
                    }
                }
                _ => return Err(invalid("a route takes one target".into())),
            }
        }
        ResourceKind::AwsTransitGatewayVpcAttachment => {
            let tgw = text(attrs, "transit_gateway_id");
            by_id(ResourceKind::AwsTransitGateway, tgw).ok_or_else(|| missing("the transit gateway"))?;
            let vpc_id = text(attrs, "vpc_id");
            by_id(ResourceKind::AwsVpc, vpc_id).ok_or_else(|| missing("the VPC"))?;
            let Some(Value::List(subnets)) = attrs.get("subnet_ids") else {
                return Err(invalid("an attachment needs subnet_ids".into()));
            };
            if subnets.is_empty() {
                return Err(invalid("an attachment needs a subnet".into()));
            }
            let mut zones = Vec::new();
            for subnet in subnets {
                let Value::String(id) = subnet else { return Err(invalid("subnet ids are strings".into())) };
                let subnet =
                    by_id(ResourceKind::AwsSubnet, Some(id)).ok_or_else(|| missing(&format!("subnet {id}")))?;
                if text(&subnet.attrs, "vpc_id") != vpc_id {
                    return Err(invalid(format!("subnet {id} is not in the VPC")));
                }
                if let Some(zone) = text(&subnet.attrs, "availability_zone") {
                    if zones.contains(&zone) {
                        return Err(invalid(format!("two subnets in {zone}: an attachment takes one per zone")));
                    }
                    zones.push(zone);
                }
            }
            let twice =
                |r: &SimResource| text(&r.attrs, "transit_gateway_id") == tgw && text(&r.attrs, "vpc_id") == vpc_id;
            if find(ResourceKind::AwsTransitGatewayVpcAttachment, &twice).is_some() {
                return Err(ProviderError::new(
                    ErrorKind::Conflict,
                    "the VPC is already attached to the transit gateway",
                ));
            }
        }
        ResourceKind::AzureVirtualNetworkPeering => {
            named(ResourceKind::AzureVirtualNetwork, text(attrs, "virtual_network"))
                .ok_or_else(|| missing("the virtual network"))?;
            anywhere(ResourceKind::AzureVirtualNetwork, text(attrs, "remote_virtual_network_id"))
                .ok_or_else(|| missing("the remote virtual network"))?;
        }
        ResourceKind::GcpNetworkPeering => {
            named(ResourceKind::GcpNetwork, text(attrs, "network")).ok_or_else(|| missing("the network"))?;
        }
        ResourceKind::AwsVpnConnectionRoute => {
            anywhere(ResourceKind::AwsVpnConnection, text(attrs, "vpn_connection_id"))
                .ok_or_else(|| missing("the VPN connection"))?;
        }
        ResourceKind::HostIpsecTunnel => {}
        ResourceKind::AwsSecurityGroup => {
            by_id(ResourceKind::AwsVpc, text(attrs, "vpc_id")).ok_or_else(|| missing("the VPC"))?;
        }
        ResourceKind::AwsVpcEndpoint => {
            let vpc_id = text(attrs, "vpc_id");
            by_id(ResourceKind::AwsVpc, vpc_id).ok_or_else(|| missing("the VPC"))?;
            // Every listed security group and subnet exists, in the endpoint's VPC.
            for (list, kind) in
                [("security_group_ids", ResourceKind::AwsSecurityGroup), ("subnet_ids", ResourceKind::AwsSubnet)]
            {
                let Some(Value::List(ids)) = attrs.get(list) else { return Err(missing(&format!("a {kind}"))) };
                for id in ids {
                    let Value::String(id) = id else { return Err(invalid(format!("unresolved {list}"))) };
                    find(kind, &|r| r.provider_id == *id && text(&r.attrs, "vpc_id") == vpc_id)
                        .ok_or_else(|| missing(&format!("{kind} {id} in the endpoint's VPC")))?;
                }
            }
        }
        ResourceKind::AzurePrivateEndpoint => {
            anywhere(ResourceKind::AzureSubnet, text(attrs, "subnet_id")).ok_or_else(|| missing("the subnet"))?;
        }
        ResourceKind::GcpAddress => {
            named(ResourceKind::GcpSubnetwork, text(attrs, "subnetwork")).ok_or_else(|| missing("the subnetwork"))?;
        }
        ResourceKind::GcpForwardingRule => {
            anywhere(ResourceKind::GcpAddress, text(attrs, "ip_address")).ok_or_else(|| missing("the address"))?;
        }
        ResourceKind::AwsRoute53Zone => {
            by_id(ResourceKind::AwsVpc, text(attrs, "vpc_id")).ok_or_else(|| missing("the VPC"))?;
        }
        ResourceKind::AwsRoute53Record => {
            by_id(ResourceKind::AwsRoute53Zone, text(attrs, "zone_id")).ok_or_else(|| missing("the hosted zone"))?;
        }
        ResourceKind::AzurePrivateDnsZone => {
            named(ResourceKind::AzureResourceGroup, text(attrs, "resource_group"))
                .ok_or_else(|| missing("the resource group"))?;
        }
        ResourceKind::AzurePrivateDnsZoneLink => {
            named(ResourceKind::AzurePrivateDnsZone, text(attrs, "private_dns_zone_name"))
                .ok_or_else(|| missing("the private DNS zone"))?;
            by_id(ResourceKind::AzureVirtualNetwork, text(attrs, "virtual_network_id"))
                .ok_or_else(|| missing("the virtual network"))?;
        }
        ResourceKind::AzurePrivateDnsARecord => {
            named(ResourceKind::AzurePrivateDnsZone, text(attrs, "zone_name"))
                .ok_or_else(|| missing("the private DNS zone"))?;
        }
        ResourceKind::GcpDnsManagedZone => {
            let Some(Value::List(networks)) = attrs.get("networks") else {
                return Err(invalid("a private zone needs the networks that see it".into()));
            };
            for network in networks {
                let Value::String(network) = network else { return Err(invalid("network names are strings".into())) };
                named(ResourceKind::GcpNetwork, Some(network)).ok_or_else(|| missing(&format!("network {network}")))?;
            }
        }
        ResourceKind::GcpDnsRecordSet => {
            named(ResourceKind::GcpDnsManagedZone, text(attrs, "managed_zone"))
                .ok_or_else(|| missing("the managed zone"))?;
        }
        ResourceKind::AwsVpc
        | ResourceKind::AwsCustomerGateway
        | ResourceKind::AwsTransitGateway
        | ResourceKind::AzureResourceGroup
        | ResourceKind::GcpNetwork
        | ResourceKind::GcpExternalVpnGateway => {}
    }
    // Names are unique within their parent: a subnet or peering in its virtual network, a BGP
    // peer in its router, other Azure resources in their resource group, GCP's in the project.
    let parent = match resource.id.kind {
        ResourceKind::AzureSubnet | ResourceKind::AzureVirtualNetworkPeering => Some("virtual_network"),
        ResourceKind::GcpRouterPeer => Some("router"),
        kind if kind.cloud() == isopod_planner::resource::Cloud::Azure => Some("resource_group"),
        _ => None,
    };
    let same_parent = |r: &SimResource| parent.is_none_or(|p| text(&r.attrs, p) == text(attrs, p));
    let unique_name = resource.id.kind.cloud() != isopod_planner::resource::Cloud::Aws && text(attrs, "name").is_some();
    let taken = text(attrs, "name")
        .and_then(|name| live.named(resource.id.kind, name).filter(same_cloud).find(|r| same_parent(r)));
    if unique_name && taken.is_some() {
        return Err(ProviderError::new(
            ErrorKind::Conflict,
            format!("a {} named {:?} already exists", resource.id.kind, text(attrs, "name")),
        ));
    }
    Ok(())
}

/// The checks of a delete call: nothing may still be created inside the resource.
/// Whether the list attribute `attr` of `r` holds `id`.
fn lists(r: &SimResource, attr: &str, id: &str) -> bool {
    matches!(r.attrs.get(attr), Some(Value::List(ids)) if ids.contains(&Value::string(id)))
}

pub(super) fn check_delete(live: Live<'_>, provider_id: &str) -> Result<(), ProviderError> {
    let Some(target) = live.by_id(provider_id) else {
        return Ok(()); // deleting what is gone succeeds
    };
    let name = text(&target.attrs, "name");
    let child_of = |r: &SimResource| match (target.kind, r.kind) {
        (
            ResourceKind::AwsVpc,
            ResourceKind::AwsSubnet
            | ResourceKind::AwsVpnGateway
            | ResourceKind::AwsSecurityGroup
            | ResourceKind::AwsTransitGatewayVpcAttachment,
        ) => text(&r.attrs, "vpc_id") == Some(provider_id),
        (ResourceKind::AwsSubnet, ResourceKind::AwsVpcEndpoint | ResourceKind::AwsTransitGatewayVpcAttachment) => {
            lists(r, "subnet_ids", provider_id)
        }
        (
            ResourceKind::AwsTransitGateway,
            ResourceKind::AwsVpnConnection | ResourceKind::AwsTransitGatewayVpcAttachment,
        ) => text(&r.attrs, "transit_gateway_id") == Some(provider_id),
        (ResourceKind::AwsSecurityGroup, ResourceKind::AwsVpcEndpoint) => lists(r, "security_group_ids", provider_id),
        (ResourceKind::AzureSubnet, ResourceKind::AzurePrivateEndpoint) => {
            text(&r.attrs, "subnet_id") == Some(provider_id)
        }
        (ResourceKind::AwsVpnGateway, ResourceKind::AwsVpnConnection | ResourceKind::AwsVpnGatewayRoutePropagation) => {
            text(&r.attrs, "vpn_gateway_id") == Some(provider_id)
        }
        (ResourceKind::AwsCustomerGateway, ResourceKind::AwsVpnConnection) => {
            text(&r.attrs, "customer_gateway_id") == Some(provider_id)
        }
        (ResourceKind::GcpNetwork, ResourceKind::GcpHaVpnGateway | ResourceKind::GcpRouter) => {
            text(&r.attrs, "network") == name
        }
        (ResourceKind::GcpHaVpnGateway, ResourceKind::GcpVpnTunnel) => text(&r.attrs, "vpn_gateway") == name,
        (ResourceKind::GcpExternalVpnGateway, ResourceKind::GcpVpnTunnel) => {
            text(&r.attrs, "peer_external_gateway") == name
        }
        (ResourceKind::GcpRouter, ResourceKind::GcpRouterPeer) => text(&r.attrs, "router") == name,
        (ResourceKind::GcpVpnTunnel, ResourceKind::GcpRouterPeer) => text(&r.attrs, "tunnel") == name,
        (ResourceKind::AzureResourceGroup, ResourceKind::AzureVirtualNetwork) => {
            text(&r.attrs, "resource_group") == name
        }
        (ResourceKind::AzureVirtualNetwork, ResourceKind::AzureSubnet) => text(&r.attrs, "virtual_network") == name,
        (ResourceKind::AzureVirtualNetworkGateway, ResourceKind::AzureVpnConnection) => {
            text(&r.attrs, "virtual_network_gateway") == name
        }
        (ResourceKind::AzureLocalNetworkGateway, ResourceKind::AzureVpnConnection) => {
            text(&r.attrs, "local_network_gateway") == name
        }
        (ResourceKind::GcpNetwork, ResourceKind::GcpSubnetwork) => text(&r.attrs, "network") == name,
        (ResourceKind::AwsRoute53Zone, ResourceKind::AwsRoute53Record) => {
            text(&r.attrs, "zone_id") == Some(provider_id)
        }
        (ResourceKind::AzurePrivateDnsZone, ResourceKind::AzurePrivateDnsZoneLink) => {
            text(&r.attrs, "private_dns_zone_name") == name
        }
        (ResourceKind::AzurePrivateDnsZone, ResourceKind::AzurePrivateDnsARecord) => {
            text(&r.attrs, "zone_name") == name
        }
        (ResourceKind::GcpDnsManagedZone, ResourceKind::GcpDnsRecordSet) => text(&r.attrs, "managed_zone") == name,
        _ => false,
    };
    match live.all().find(|r| r.scope.cloud == target.scope.cloud && child_of(r)) {
        Some(child) => {
            Err(ProviderError::new(ErrorKind::Conflict, format!("{provider_id} still holds {}", child.provider_id)))
        }
        None => Ok(()),
    }
}
