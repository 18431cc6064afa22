//! Interface endpoints to an endpoint service, and the security group that admits the ranges
//! allowed to reach them.

use super::attrs::{Found, flag, owned_text, string_list, strings};
use super::errors::{classify, refused};
use super::transit::set_difference;
use super::{Region, gone, tags};
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, ResourceType, SecurityGroup, VpcEndpoint, VpcEndpointType};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind, Value};
use isopod_provider::{Created, ProviderError, Provisioning};
use std::collections::HashMap;

/// The stack-owned security groups (or the one `id`), every page.
async fn security_groups(region: &Region, id: Option<&str>) -> Result<Vec<SecurityGroup>, ProviderError> {
    let request = match id {
        Some(id) => region.client.describe_security_groups().group_ids(id),
        None => region.client.describe_security_groups().filters(tags::owned_filter()),
    };
    let found = every_page!(request, security_groups);
    Ok(found)
}

/// The ranges a group admits for all traffic, the rule Isopod writes.
fn admitted(group: &SecurityGroup) -> Vec<String> {
    group
        .ip_permissions()
        .iter()
        .filter(|rule| rule.ip_protocol() == Some("-1"))
        .flat_map(|rule| rule.ip_ranges().iter().filter_map(|range| range.cidr_ip()).map(str::to_string))
        .collect()
}

/// A rule admitting all traffic from `ranges`.
fn all_traffic_from(ranges: Vec<String>) -> IpPermission {
    let ranges = ranges.into_iter().map(|cidr| IpRange::builder().cidr_ip(cidr).build()).collect();
    IpPermission::builder().ip_protocol("-1").set_ip_ranges(Some(ranges)).build()
}

pub(super) async fn discover_security_groups(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(security_groups(region, None)
        .await?
        .iter()
        .map(|group| {
            let mut found = Found::default();
            found.text("vpc_id", group.vpc_id());
            found.text("name", group.group_name());
            found.text("description", group.description());
            found.value("ingress_cidr_blocks", string_list(admitted(group).iter().map(String::as_str)));
            region.observed(ResourceKind::AwsSecurityGroup, group.group_id(), group.tags(), found)
        })
        .collect())
}

pub(super) async fn create_security_group(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let client = &region.client;
    let created = client
        .create_security_group()
        .set_group_name(owned_text(attrs, "name"))
        .set_description(owned_text(attrs, "description"))
        .set_vpc_id(owned_text(attrs, "vpc_id"))
        .tag_specifications(tags::specification(ResourceType::SecurityGroup, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.group_id().unwrap_or_default().to_string();
    let ranges = strings(attrs, "ingress_cidr_blocks");
    if !ranges.is_empty() {
        let request = client.authorize_security_group_ingress().group_id(&id).ip_permissions(all_traffic_from(ranges));
        request.send().await.map_err(classify)?;
    }
    Ok(Created { provider_id: id, outputs: isopod_catalog::Attrs::new() })
}

/// Admits exactly the ranges `attrs` name, and changes the group's tags.
pub(super) async fn update_security_group(
    region: &Region,
    provider_id: &str,
    attrs: &Attrs,
) -> Result<(), ProviderError> {
    let client = &region.client;
    let live = security_groups(region, Some(provider_id)).await?;
    let Some(group) = live.first() else { return Err(gone(provider_id)) };
    let (added, removed) = set_difference(&strings(attrs, "ingress_cidr_blocks"), &admitted(group));
    if !removed.is_empty() {
        let request =
            client.revoke_security_group_ingress().group_id(provider_id).ip_permissions(all_traffic_from(removed));
        request.send().await.map_err(classify)?;
    }
    if !added.is_empty() {
        let request =
            client.authorize_security_group_ingress().group_id(provider_id).ip_permissions(all_traffic_from(added));
        request.send().await.map_err(classify)?;
    }
    tags::update(client, provider_id, attrs).await
}

/// The endpoints of the region, whoever owns them (or the one `id`), every page, with the
/// private address of each of their network interfaces (one more call for all of them).
async fn endpoints(region: &Region, id: Option<&str>) -> Result<Vec<(VpcEndpoint, Vec<String>)>, ProviderError> {
    let request = match id {
        Some(id) => region.client.describe_vpc_endpoints().vpc_endpoint_ids(id),
        None => region.client.describe_vpc_endpoints(),
    };
    let found = every_page!(request, vpc_endpoints);
    let interfaces: Vec<&str> =
        found.iter().flat_map(|e| e.network_interface_ids().iter().map(String::as_str)).collect();
    let addresses = interface_addresses(region, &interfaces).await?;
    Ok(found
        .into_iter()
        .map(|endpoint| {
            let mut ips: Vec<String> =
                endpoint.network_interface_ids().iter().filter_map(|eni| addresses.get(eni).cloned()).collect();
            ips.sort();
            (endpoint, ips)
        })
        .collect())
}

/// The primary private address of each network interface (filters take up to 200 values).
async fn interface_addresses(region: &Region, interfaces: &[&str]) -> Result<HashMap<String, String>, ProviderError> {
    let mut addresses = HashMap::new();
    for chunk in interfaces.chunks(200) {
        let ids = chunk.iter().map(|id| id.to_string()).collect();
        let filter = Filter::builder().name("network-interface-id").set_values(Some(ids)).build();
        let request = region.client.describe_network_interfaces().filters(filter);
        for interface in every_page!(request, network_interfaces) {
            if let (Some(id), Some(address)) = (interface.network_interface_id(), interface.private_ip_address()) {
                addresses.insert(id.to_string(), address.to_string());
            }
        }
    }
    Ok(addresses)
}

/// An endpoint's state in lower case: EC2 documents `Available`, `PendingAcceptance`... and
/// answers `available`, `pendingAcceptance`, which the SDK's enum reads as unknown values.
fn state(endpoint: &VpcEndpoint) -> Option<String> {
    endpoint.state().map(|state| state.as_str().to_ascii_lowercase())
}

fn ended(endpoint: &VpcEndpoint) -> bool {
    matches!(state(endpoint).as_deref(), Some("deleted" | "deleting" | "failed" | "rejected" | "expired"))
}

pub(super) async fn discover_endpoints(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(endpoints(region, None)
        .await?
        .iter()
        .filter(|(endpoint, _)| !ended(endpoint))
        .map(|(endpoint, addresses)| {
            let mut found = Found::default();
            found.text("vpc_id", endpoint.vpc_id());
            found.text("service_name", endpoint.service_name());
            found.text("vpc_endpoint_type", endpoint.vpc_endpoint_type().map(|t| t.as_str()));
            found.value("subnet_ids", string_list(endpoint.subnet_ids().iter().map(String::as_str)));
            found.value("security_group_ids", string_list(endpoint.groups().iter().filter_map(|g| g.group_id())));
            found.value("private_dns_enabled", Value::Bool(endpoint.private_dns_enabled().unwrap_or(false)));
            found.value("ip_addresses", string_list(addresses.iter().map(String::as_str)));
            region.observed(ResourceKind::AwsVpcEndpoint, endpoint.vpc_endpoint_id(), endpoint.tags(), found)
        })
        .collect())
}

pub(super) async fn create_endpoint(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let created = region
        .client
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .set_vpc_id(owned_text(attrs, "vpc_id"))
        .set_service_name(owned_text(attrs, "service_name"))
        .set_subnet_ids(Some(strings(attrs, "subnet_ids")))
        .set_security_group_ids(Some(strings(attrs, "security_group_ids")))
        .set_private_dns_enabled(flag(attrs, "private_dns_enabled"))
        .tag_specifications(tags::specification(ResourceType::VpcEndpoint, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).unwrap_or_default().to_string();
    let interfaces: Vec<&str> = created
        .vpc_endpoint()
        .map(|e| e.network_interface_ids().iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut addresses: Vec<String> = interface_addresses(region, &interfaces).await?.into_values().collect();
    addresses.sort();
    let outputs = [("ip_addresses".into(), string_list(addresses.iter().map(String::as_str)))].into_iter().collect();
    Ok(Created { provider_id: id, outputs })
}

/// Moves the endpoint to the subnets and security groups `attrs` name, sets its private DNS,
/// and changes its tags.
pub(super) async fn update_endpoint(region: &Region, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let live = endpoints(region, Some(provider_id)).await?;
    let Some((endpoint, _)) = live.first() else { return Err(gone(provider_id)) };
    let (add_subnets, remove_subnets) = set_difference(&strings(attrs, "subnet_ids"), endpoint.subnet_ids());
    let groups: Vec<String> = endpoint.groups().iter().filter_map(|g| g.group_id()).map(str::to_string).collect();
    let (add_groups, remove_groups) = set_difference(&strings(attrs, "security_group_ids"), &groups);
    region
        .client
        .modify_vpc_endpoint()
        .vpc_endpoint_id(provider_id)
        .set_add_subnet_ids(Some(add_subnets).filter(|ids| !ids.is_empty()))
        .set_remove_subnet_ids(Some(remove_subnets).filter(|ids| !ids.is_empty()))
        .set_add_security_group_ids(Some(add_groups).filter(|ids| !ids.is_empty()))
        .set_remove_security_group_ids(Some(remove_groups).filter(|ids| !ids.is_empty()))
        .set_private_dns_enabled(flag(attrs, "private_dns_enabled"))
        .send()
        .await
        .map_err(classify)?;
    tags::update(&region.client, provider_id, attrs).await
}

pub(super) async fn endpoint_provisioning(region: &Region, provider_id: &str) -> Result<Provisioning, ProviderError> {
    let live = endpoints(region, Some(provider_id)).await?;
    Ok(match live.first().and_then(|(endpoint, _)| state(endpoint)).as_deref() {
        Some("available") => Provisioning::Ready,
        Some("deleted") | None => return Err(gone(provider_id)),
        Some(state @ ("failed" | "rejected" | "expired")) => Provisioning::Failed(format!("the endpoint is {state}")),
        // Pending, pending the service owner's acceptance, being deleted.
        Some(_) => Provisioning::Pending,
    })
}

/// Deletes the endpoint: EC2 answers for each endpoint of the call, not with an error.
pub(super) async fn delete_endpoint(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let deleted = region.client.delete_vpc_endpoints().vpc_endpoint_ids(provider_id).send().await.map_err(classify)?;
    refused(deleted.unsuccessful())
}
