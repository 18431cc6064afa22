//! The clouds' rules the simulator enforces, as the real APIs would.

use super::SimResource;
use super::index::Live;
use isopod_catalog::{Ref, Resource, ResourceKind, Value};
use isopod_provider::{ErrorKind, ProviderError};

fn text<'a>(attrs: &'a isopod_catalog::Attrs, name: &str) -> Option<&'a str> {
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
    let pending = named
        .iter()
        .flat_map(|named| live.by_id(named).into_iter().chain(live.with_name(named)))
        .filter(same_cloud)
        .find(|r| r.pending());
    if let Some(pending) = pending {
        return Err(ProviderError::new(
            ErrorKind::Conflict,
            format!("{} {} is still being provisioned", pending.kind, pending.provider_id),
        ));
    }
    let find = |kind: ResourceKind, pred: &dyn Fn(&SimResource) -> bool| {
        live.of_kind(kind).filter(same_cloud).find(|r| pred(r))
    };
    let by_id = |kind: ResourceKind, id: Option<&str>| {
        id.and_then(|id| live.by_id(id)).filter(|r| r.kind == kind && r.scope.cloud == resource.scope.cloud)
    };
    let missing = |what: &str| ProviderError::new(ErrorKind::NotFound, format!("{what} does not exist"));
    // Whatever the resource refers to, by id, name or output, exists: in the same cloud
    // account, or anywhere for what the catalogue lets reach across accounts (peerings).
    for (attr, target, value) in resource.id.kind.spec().references_in(attrs) {
        if !candidates(live, target, value).any(|r| target.anywhere || same_cloud(&r)) {
            return Err(missing(&format!("{} {value:?} (its `{}`)", target.kind, attr.name)));
        }
    }
    // The rules beyond references.
    match resource.id.kind {
        ResourceKind::AwsSubnet => {
            let vpc = by_id(ResourceKind::AwsVpc, text(attrs, "vpc_id")).ok_or_else(|| missing("the VPC"))?;
            let cidr = |text: Option<&str>| text.and_then(|t| t.parse::<ipnet::IpNet>().ok());
            let inside = match (cidr(text(&vpc.attrs, "cidr_block")), cidr(text(attrs, "cidr_block"))) {
                (Some(outer), Some(inner)) => outer.contains(&inner),
                _ => false,
            };
            if !inside {
                return Err(invalid(format!("the subnet's range is not inside VPC {}", vpc.provider_id)));
            }
        }
        ResourceKind::AwsVpnGateway => {
            let vpc_id = text(attrs, "vpc_id");
            if find(ResourceKind::AwsVpnGateway, &|r| text(&r.attrs, "vpc_id") == vpc_id).is_some() {
                return Err(ProviderError::new(ErrorKind::Conflict, "the VPC already has a VPN gateway attached"));
            }
        }
        ResourceKind::AwsVpnConnection => {
            let vgw = text(attrs, "vpn_gateway_id");
            if vgw.is_some() == text(attrs, "transit_gateway_id").is_some() {
                return Err(invalid("a VPN connection takes one of vpn_gateway_id and transit_gateway_id".into()));
            }
            let on_gateway = |r: &&SimResource| vgw.is_some() && text(&r.attrs, "vpn_gateway_id") == vgw;
            if live.of_kind(ResourceKind::AwsVpnConnection).filter(on_gateway).count() >= 10 {
                return Err(ProviderError::new(ErrorKind::Invalid, "a VPN gateway takes at most 10 VPN connections"));
            }
        }
        ResourceKind::AzureVirtualNetworkGateway => {
            let Some(Value::List(configurations)) = attrs.get("ip_configurations") else {
                return Err(invalid("a gateway needs its IP configurations".into()));
            };
            for configuration in configurations {
                let Value::Map(configuration) = configuration else { continue };
                let in_gateway_subnet = match configuration.get("subnet_id") {
                    Some(Value::String(id)) => {
                        live.by_id(id).is_some_and(|r| text(&r.attrs, "name") == Some("GatewaySubnet"))
                    }
                    _ => false,
                };
                if !in_gateway_subnet {
                    return Err(invalid("a virtual network gateway must sit in the subnet named GatewaySubnet".into()));
                }
            }
            if attrs.get("active_active") == Some(&Value::Bool(true)) && configurations.len() != 2 {
                return Err(invalid("an active-active gateway takes two IP configurations".into()));
            }
        }
        ResourceKind::AwsRoute => {
            let table = text(attrs, "route_table_id");
            let vpc = find(ResourceKind::AwsVpc, &|r| text(&r.attrs, "main_route_table_id") == table)
                .ok_or_else(|| missing("the route table"))?;
            match (text(attrs, "vpc_peering_connection_id"), text(attrs, "transit_gateway_id")) {
                (Some(_), None) => {}
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
            let (tgw, vpc_id) = (text(attrs, "transit_gateway_id"), text(attrs, "vpc_id"));
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
        ResourceKind::AwsVpcEndpoint => {
            // Every listed security group and subnet is in the endpoint's VPC.
            let vpc_id = text(attrs, "vpc_id");
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
        ResourceKind::GcpDnsManagedZone if !matches!(attrs.get("networks"), Some(Value::List(networks)) if !networks.is_empty()) =>
        {
            return Err(invalid("a private zone needs the networks that see it".into()));
        }
        _ => {}
    }
    // Names are unique within their parent: a subnet or peering in its virtual network, a BGP
    // peer in its router, other Azure resources in their resource group, GCP's in the project.
    let parent = match resource.id.kind {
        ResourceKind::AzureSubnet | ResourceKind::AzureVirtualNetworkPeering => Some("virtual_network"),
        ResourceKind::GcpRouterPeer => Some("router"),
        kind if kind.cloud() == isopod_catalog::Cloud::Azure => Some("resource_group"),
        _ => None,
    };
    let same_parent = |r: &SimResource| parent.is_none_or(|p| text(&r.attrs, p) == text(attrs, p));
    let unique_name = resource.id.kind.cloud() != isopod_catalog::Cloud::Aws && text(attrs, "name").is_some();
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

/// The live resources `reference` may name by `value` (by cloud id, name or output), through
/// the index where it can.
fn candidates<'a>(live: Live<'a>, reference: Ref, value: &'a str) -> Box<dyn Iterator<Item = &'a SimResource> + 'a> {
    match reference.by {
        "id" => Box::new(live.by_id(value).into_iter().filter(move |r| r.kind == reference.kind)),
        "name" => Box::new(live.named(reference.kind, value)),
        output => Box::new(live.of_kind(reference.kind).filter(move |r| text(&r.attrs, output) == Some(value))),
    }
}

/// Whether `reference` by `value` names `target`.
fn names(target: &SimResource, reference: Ref, value: &str) -> bool {
    reference.kind == target.kind
        && match reference.by {
            "id" => target.provider_id == value,
            by => text(&target.attrs, by) == Some(value),
        }
}

/// The checks of a delete call: nothing that holds the resource may still exist.
pub(super) fn check_delete(live: Live<'_>, provider_id: &str) -> Result<(), ProviderError> {
    let Some(target) = live.by_id(provider_id) else {
        return Ok(()); // deleting what is gone succeeds
    };
    // What refers to it and, as the catalogue says, holds it: looked for among the kinds that
    // can hold it only.
    let holds = |r: &&SimResource| {
        r.scope.cloud == target.scope.cloud
            && r.kind
                .spec()
                .references_in(&r.attrs)
                .into_iter()
                .any(|(_, reference, value)| reference.holds && names(target, reference, value))
    };
    let holders = ResourceKind::all().filter(|kind| {
        kind.spec().refs().iter().any(|(_, reference)| reference.holds && reference.kind == target.kind)
    });
    match holders.flat_map(|kind| live.of_kind(kind)).find(holds) {
        Some(child) => {
            Err(ProviderError::new(ErrorKind::Conflict, format!("{provider_id} still holds {}", child.provider_id)))
        }
        None => Ok(()),
    }
}
