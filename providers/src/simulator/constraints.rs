//! The clouds' rules the simulator enforces, as the real APIs would.

use super::SimResource;
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
pub(super) fn check_create(live: &[SimResource], resource: &Resource) -> Result<(), ProviderError> {
    if resource.attrs.values().any(|value| matches!(value, Value::Output(_))) {
        return Err(invalid(format!("{} was sent with unresolved outputs", resource.id)));
    }
    let attrs = &resource.attrs;
    let same_cloud = |r: &&SimResource| r.scope.cloud == resource.scope.cloud;
    let find = |kind: ResourceKind, pred: &dyn Fn(&SimResource) -> bool| {
        live.iter().filter(same_cloud).find(|r| r.kind == kind && pred(r))
    };
    let named = |kind: ResourceKind, name: Option<&str>| find(kind, &|r| text(&r.attrs, "name") == name);
    let missing = |what: &str| ProviderError::new(ErrorKind::NotFound, format!("{what} does not exist"));
    match resource.id.kind {
        ResourceKind::AwsSubnet => {
            let vpc_id = text(attrs, "vpc_id");
            let vpc = find(ResourceKind::AwsVpc, &|r| Some(r.provider_id.as_str()) == vpc_id)
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
        ResourceKind::GcpSubnetwork => {
            named(ResourceKind::GcpNetwork, text(attrs, "network")).ok_or_else(|| missing("the network"))?;
        }
        ResourceKind::AwsVpc | ResourceKind::AzureResourceGroup | ResourceKind::GcpNetwork => {}
    }
    let unique_name = !matches!(resource.id.kind, ResourceKind::AwsVpc | ResourceKind::AwsSubnet);
    if unique_name && named(resource.id.kind, text(attrs, "name")).is_some() {
        return Err(ProviderError::new(
            ErrorKind::Conflict,
            format!("a {} named {:?} already exists", resource.id.kind, text(attrs, "name")),
        ));
    }
    Ok(())
}

/// The checks of a delete call: nothing may still be created inside the resource.
pub(super) fn check_delete(live: &[SimResource], provider_id: &str) -> Result<(), ProviderError> {
    let Some(target) = live.iter().find(|r| r.provider_id == provider_id) else {
        return Ok(()); // deleting what is gone succeeds
    };
    let name = text(&target.attrs, "name");
    let child_of = |r: &SimResource| match (target.kind, r.kind) {
        (ResourceKind::AwsVpc, ResourceKind::AwsSubnet) => text(&r.attrs, "vpc_id") == Some(provider_id),
        (ResourceKind::AzureResourceGroup, ResourceKind::AzureVirtualNetwork) => {
            text(&r.attrs, "resource_group") == name
        }
        (ResourceKind::AzureVirtualNetwork, ResourceKind::AzureSubnet) => text(&r.attrs, "virtual_network") == name,
        (ResourceKind::GcpNetwork, ResourceKind::GcpSubnetwork) => text(&r.attrs, "network") == name,
        _ => false,
    };
    match live.iter().find(|r| r.scope.cloud == target.scope.cloud && child_of(r)) {
        Some(child) => {
            Err(ProviderError::new(ErrorKind::Conflict, format!("{provider_id} still holds {}", child.provider_id)))
        }
        None => Ok(()),
    }
}
