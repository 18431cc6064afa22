//! VPCs (with their DNS attributes and main route table), subnets, and what the main route
//! table of a stack's VPC holds for it: static routes and VPN gateway route propagation.

use super::attrs::{Found, flag, natural_created, natural_parts, owned_text, untagged};
use super::errors::classify;
use super::{Region, tags};
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, ResourceType, RouteOrigin, RouteTable, Vpc, VpcAttributeName};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind, Value};
use isopod_provider::{Created, ProviderError};
use std::collections::HashMap;

/// The main route table of each of `vpcs`, every page (filters take up to 200 values).
async fn main_route_tables(client: &Client, vpcs: &[&str]) -> Result<HashMap<String, RouteTable>, ProviderError> {
    let mut tables = HashMap::new();
    for chunk in vpcs.chunks(200) {
        let vpc_ids = Filter::builder().name("vpc-id").set_values(Some(chunk.iter().map(|v| v.to_string()).collect()));
        tables.extend(main_route_tables_where(client, Some(vpc_ids.build())).await?);
    }
    Ok(tables)
}

/// The main route table of every VPC of the region (or those `filter` keeps), by VPC.
async fn main_route_tables_where(
    client: &Client,
    filter: Option<Filter>,
) -> Result<HashMap<String, RouteTable>, ProviderError> {
    let request =
        client.describe_route_tables().filters(Filter::builder().name("association.main").values("true").build());
    let request = match filter {
        Some(filter) => request.filters(filter),
        None => request,
    };
    let tables = every_page!(request, route_tables);
    Ok(tables.into_iter().filter_map(|table| Some((table.vpc_id()?.to_string(), table))).collect())
}

/// A VPC's DNS support and DNS hostnames. EC2 reads these one attribute of one VPC per call.
async fn dns_attributes(client: Client, vpc: String) -> Result<(String, bool, bool), ProviderError> {
    let read = |name: VpcAttributeName| client.describe_vpc_attribute().vpc_id(&vpc).attribute(name).send();
    let support = read(VpcAttributeName::EnableDnsSupport).await.map_err(classify)?;
    let hostnames = read(VpcAttributeName::EnableDnsHostnames).await.map_err(classify)?;
    let support = support.enable_dns_support().and_then(|v| v.value()).unwrap_or(false);
    let hostnames = hostnames.enable_dns_hostnames().and_then(|v| v.value()).unwrap_or(false);
    Ok((vpc, support, hostnames))
}

/// Every VPC of the region, whoever owns it (a network may describe an existing one), with its
/// main route table and, for the stack-owned ones, its DNS attributes.
pub(super) async fn discover_vpcs(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let client = &region.client;
    let vpcs: Vec<Vpc> = every_page!(client.describe_vpcs(), vpcs);
    let tables = main_route_tables_where(client, None).await?;
    // EC2 has no bulk read of VPC attributes: two calls per owned VPC, all at once.
    let mut reads = tokio::task::JoinSet::new();
    for vpc in vpcs.iter().filter(|vpc| tags::stack(vpc.tags()).is_some()) {
        reads.spawn(dns_attributes(client.clone(), vpc.vpc_id().unwrap_or_default().to_string()));
    }
    let mut dns = HashMap::new();
    for read in reads.join_all().await {
        let (vpc, support, hostnames) = read?;
        dns.insert(vpc, (support, hostnames));
    }
    Ok(vpcs
        .iter()
        .map(|vpc| {
            let id = vpc.vpc_id().unwrap_or_default();
            let mut found = Found::default();
            found.text("cidr_block", vpc.cidr_block());
            found.text("main_route_table_id", tables.get(id).and_then(|t| t.route_table_id()));
            if let Some((support, hostnames)) = dns.get(id) {
                found.value("enable_dns_support", Value::Bool(*support));
                found.value("enable_dns_hostnames", Value::Bool(*hostnames));
            }
            region.observed(ResourceKind::AwsVpc, vpc.vpc_id(), vpc.tags(), found)
        })
        .collect())
}

/// Sets the VPC's DNS attributes that `attrs` name (one attribute per call, as EC2 takes them).
async fn set_dns_attributes(client: &Client, vpc: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let value = |enabled: bool| AttributeBooleanValue::builder().value(enabled).build();
    if let Some(support) = flag(attrs, "enable_dns_support") {
        let request = client.modify_vpc_attribute().vpc_id(vpc).enable_dns_support(value(support));
        request.send().await.map_err(classify)?;
    }
    if let Some(hostnames) = flag(attrs, "enable_dns_hostnames") {
        let request = client.modify_vpc_attribute().vpc_id(vpc).enable_dns_hostnames(value(hostnames));
        request.send().await.map_err(classify)?;
    }
    Ok(())
}

pub(super) async fn create_vpc(region: &Region, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let client = &region.client;
    let created = client
        .create_vpc()
        .set_cidr_block(owned_text(attrs, "cidr_block"))
        .tag_specifications(tags::specification(ResourceType::Vpc, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.vpc().and_then(|vpc| vpc.vpc_id()).unwrap_or_default().to_string();
    set_dns_attributes(client, &id, attrs).await?;
    let tables = main_route_tables(client, &[&id]).await?;
    let mut outputs = Attrs::new();
    if let Some(table) = tables.get(&id).and_then(|t| t.route_table_id()) {
        outputs.insert("main_route_table_id".into(), Value::string(table));
    }
    Ok(Created { provider_id: id, outputs })
}

pub(super) async fn update_vpc(region: &Region, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    set_dns_attributes(&region.client, provider_id, attrs).await?;
    tags::update(&region.client, provider_id, attrs).await
}

/// Every subnet of the region, whoever owns it.
pub(super) async fn discover_subnets(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let subnets = every_page!(region.client.describe_subnets(), subnets);
    Ok(subnets
        .iter()
        .map(|subnet| {
            let mut attrs = Found::default();
            attrs.text("vpc_id", subnet.vpc_id());
            attrs.text("cidr_block", subnet.cidr_block());
            attrs.text("availability_zone", subnet.availability_zone());
            region.observed(ResourceKind::AwsSubnet, subnet.subnet_id(), subnet.tags(), attrs)
        })
        .collect())
}

pub(super) async fn create_subnet(region: &Region, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let created = region
        .client
        .create_subnet()
        .set_vpc_id(owned_text(attrs, "vpc_id"))
        .set_cidr_block(owned_text(attrs, "cidr_block"))
        .set_availability_zone(owned_text(attrs, "availability_zone"))
        .tag_specifications(tags::specification(ResourceType::Subnet, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.subnet().and_then(|subnet| subnet.subnet_id()).unwrap_or_default();
    Ok(Created { provider_id: id.to_string(), outputs: isopod_catalog::Attrs::new() })
}

/// The routes Isopod makes in main route tables: static ones (not propagated, not the VPC's
/// local route) to a stack-owned transit gateway or peering connection, owned by its stack.
pub(super) async fn discover_routes(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let mut targets: HashMap<String, String> = HashMap::new();
    let owned =
        |id: Option<&str>, tags: &[aws_sdk_ec2::types::Tag]| Some((id?.to_string(), tags::stack(tags)?.to_string()));
    for gateway in super::transit::gateways(region, None).await? {
        targets.extend(owned(gateway.transit_gateway_id(), gateway.tags()));
    }
    // Either side of a peering: the requester's region tags one, the accepter's the other.
    for connection in super::peering::connections(region, tags::STACK_TAG, None).await? {
        targets.extend(owned(connection.vpc_peering_connection_id(), connection.tags()));
    }
    let mut found = Vec::new();
    for table in main_route_tables_where(&region.client, None).await?.values() {
        for route in table.routes().iter().filter(|route| route.origin() == Some(&RouteOrigin::CreateRoute)) {
            let target = route.transit_gateway_id().or(route.vpc_peering_connection_id());
            let Some(stack) = target.and_then(|target| targets.get(target)) else { continue };
            let mut attrs = Found::default();
            attrs.text("route_table_id", table.route_table_id());
            attrs.text("destination_cidr_block", route.destination_cidr_block());
            attrs.text("transit_gateway_id", route.transit_gateway_id());
            attrs.text("vpc_peering_connection_id", route.vpc_peering_connection_id());
            found.extend(untagged(ResourceKind::AwsRoute, &region.scope, Some(stack), attrs.0));
        }
    }
    Ok(found)
}

/// A CreateRoute or ReplaceRoute request (EC2 has one shape of each) for the route `$attrs`
/// describe: its table and destination, and its target.
macro_rules! route_request {
    ($request:expr, $attrs:expr) => {
        $request
            .set_route_table_id(owned_text($attrs, "route_table_id"))
            .set_destination_cidr_block(owned_text($attrs, "destination_cidr_block"))
            .set_transit_gateway_id(owned_text($attrs, "transit_gateway_id"))
            .set_vpc_peering_connection_id(owned_text($attrs, "vpc_peering_connection_id"))
    };
}

pub(super) async fn create_route(region: &Region, attrs: &Attrs) -> Result<Created, ProviderError> {
    route_request!(region.client.create_route(), attrs).send().await.map_err(classify)?;
    natural_created(ResourceKind::AwsRoute, attrs)
}

/// Points the route at the target `attrs` name (its table and destination are its identity).
pub(super) async fn update_route(region: &Region, attrs: &Attrs) -> Result<(), ProviderError> {
    route_request!(region.client.replace_route(), attrs).send().await.map(drop).map_err(classify)
}

pub(super) async fn delete_route(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let (table, destination) = natural_parts(provider_id)?;
    let request = region.client.delete_route().route_table_id(table).destination_cidr_block(destination);
    request.send().await.map(drop).map_err(classify)
}

/// The stack-owned VPN gateways whose routes propagate into a main route table, owned by the
/// gateway's stack.
pub(super) async fn discover_propagations(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let gateways: HashMap<String, String> = super::vpn::vpn_gateways(&region.client, None)
        .await?
        .iter()
        .filter_map(|g| Some((g.vpn_gateway_id()?.to_string(), tags::stack(g.tags())?.to_string())))
        .collect();
    let mut found = Vec::new();
    for table in main_route_tables_where(&region.client, None).await?.values() {
        for gateway in table.propagating_vgws() {
            let Some(stack) = gateway.gateway_id().and_then(|id| gateways.get(id)) else { continue };
            let mut attrs = Found::default();
            attrs.text("vpn_gateway_id", gateway.gateway_id());
            attrs.text("route_table_id", table.route_table_id());
            found.extend(untagged(ResourceKind::AwsVpnGatewayRoutePropagation, &region.scope, Some(stack), attrs.0));
        }
    }
    Ok(found)
}

pub(super) async fn create_propagation(region: &Region, attrs: &Attrs) -> Result<Created, ProviderError> {
    region
        .client
        .enable_vgw_route_propagation()
        .set_gateway_id(owned_text(attrs, "vpn_gateway_id"))
        .set_route_table_id(owned_text(attrs, "route_table_id"))
        .send()
        .await
        .map_err(classify)?;
    natural_created(ResourceKind::AwsVpnGatewayRoutePropagation, attrs)
}

pub(super) async fn delete_propagation(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let (gateway, table) = natural_parts(provider_id)?;
    let request = region.client.disable_vgw_route_propagation().gateway_id(gateway).route_table_id(table);
    request.send().await.map(drop).map_err(classify)
}
