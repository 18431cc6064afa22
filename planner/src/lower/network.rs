//! Networks and subnets: an AWS VPC and its subnets; an Azure virtual network and its subnets in
//! the stack's resource group; a GCP VPC network in custom mode and its regional subnetworks.

use super::{Desired, ExistingNetwork, attrs, output};
use crate::allocate::Live;
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudAccount, CloudKind, Network};
use std::collections::BTreeMap;

pub(super) fn lower(topology: &Topology, network: &Network, live: &Live, desired: &mut Desired) {
    let scope = super::scope(network);
    let object = format!("network.{}", network.name);
    let tags = tags(topology, network);
    match network.kind {
        CloudKind::Aws if network.existing.is_some() => existing_vpc(network, live, desired),
        CloudKind::Aws => aws(network, scope, object, tags, desired),
        CloudKind::Azure if network.existing.is_some() => existing_azure(topology, network, live, desired),
        CloudKind::Azure => azure(topology, network, scope, object, tags, desired),
        CloudKind::Gcp if network.existing.is_some() => existing_gcp(network, live, desired),
        CloudKind::Gcp => gcp(network, scope, object, desired),
    }
}

/// The stack's, the cloud's and the network's tags, later ones winning.
pub(super) fn tags(topology: &Topology, network: &Network) -> BTreeMap<String, String> {
    let cloud_tags = topology.cloud(&network.cloud).map(|cloud| cloud.tags.clone()).unwrap_or_default();
    let mut tags = topology.stack.tags.clone();
    tags.extend(cloud_tags);
    tags.extend(network.tags.clone());
    tags
}

/// `tags` with the `Name` tag the AWS console lists, for the resource of `stack` whose object
/// parts are `parts`.
pub(super) fn aws_named(tags: &BTreeMap<String, String>, stack: &str, parts: &[&str]) -> Value {
    let mut named = tag_map(tags);
    named.insert("Name".into(), Value::String(resource_name(naming::AWS, stack, parts)));
    Value::Map(named)
}

/// The tags of `network` (see [`tags`]) as the labels of a GCP resource for it.
pub(super) fn gcp_labels(topology: &Topology, network: &Network) -> Value {
    tag_value(&naming::gcp_labels(&tags(topology, network)))
}

pub(super) fn tag_value(tags: &BTreeMap<String, String>) -> Value {
    Value::Map(tag_map(tags))
}

fn tag_map(tags: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    tags.iter().map(|(k, v)| (k.clone(), Value::string(v))).collect()
}

/// A network that describes an existing VPC: no resource, its ids for what connects to it.
fn existing_vpc(network: &Network, live: &Live, desired: &mut Desired) {
    let Some(id) = &network.existing else { return };
    let vpc = live.aws_vpcs.get(&id.value).cloned().unwrap_or_default();
    let subnets = network
        .subnets
        .iter()
        .filter_map(|subnet| Some((subnet.name.clone(), vpc.subnets.get(&subnet.cidr.value.to_string())?.clone())))
        .collect();
    let existing = ExistingNetwork {
        id: id.value.clone(),
        main_route_table_id: vpc.main_route_table_id.unwrap_or_default(),
        subnets,
        ..Default::default()
    };
    desired.existing.insert(network.name.clone(), existing);
}

/// A network that describes an existing GCP network: no resource, its name and its subnetworks'
/// (matched by range in the network's region) for what is built on it.
fn existing_gcp(network: &Network, live: &Live, desired: &mut Desired) {
    let Some(id) = &network.existing else { return };
    let found = live.gcp_networks.get(&(network.cloud.clone(), id.value.clone())).cloned().unwrap_or_default();
    let region = &network.region.value;
    let mut subnets: BTreeMap<String, String> = network
        .subnets
        .iter()
        .filter_map(|subnet| {
            let name = found.subnetworks.get(&(region.clone(), subnet.cidr.value.to_string()))?;
            Some((subnet.name.clone(), name.clone()))
        })
        .collect();
    if network.subnets.is_empty() {
        subnets.extend(super::first_gcp_subnetwork(network, &found).map(|name| (network.name.clone(), name.clone())));
    }
    let existing = ExistingNetwork { id: id.value.clone(), subnets, ..Default::default() };
    desired.existing.insert(network.name.clone(), existing);
}

fn aws(network: &Network, scope: Scope, object: String, tags: BTreeMap<String, String>, desired: &mut Desired) {
    let vpc = ResourceId::new(ResourceKind::AwsVpc, &network.name);
    let stack = &desired.stack;
    // DNS resolution and hostnames on: Route 53 private hosted zones (a relay's private DNS) and
    // interface endpoints with private DNS need both, and hostnames are off by default.
    let vpc_attrs = attrs([
        ("cidr_block", Value::string(network.cidr.value.to_string())),
        ("enable_dns_hostnames", Value::Bool(true)),
        ("enable_dns_support", Value::Bool(true)),
        ("tags", aws_named(&tags, stack, &[&network.name])),
    ]);
    let subnets: Vec<Resource> = network
        .subnets
        .iter()
        .map(|subnet| {
            let mut subnet_tags = tags.clone();
            subnet_tags.extend(subnet.tags.clone());
            let mut subnet_attrs = attrs([
                ("cidr_block", Value::string(subnet.cidr.value.to_string())),
                ("tags", aws_named(&subnet_tags, stack, &[&network.name, &subnet.name])),
                ("vpc_id", output(&vpc, "id")),
            ]);
            if let Some(zone) = &subnet.zone {
                subnet_attrs.insert("availability_zone".into(), Value::string(&zone.value));
            }
            Resource {
                id: ResourceId::new(ResourceKind::AwsSubnet, format!("{}.{}", network.name, subnet.name)),
                scope: scope.clone(),
                attrs: subnet_attrs.into(),
                depends_on: Vec::new(),
                object: object.clone(),
            }
        })
        .collect();
    desired.add(Resource { id: vpc, scope, attrs: vpc_attrs.into(), depends_on: Vec::new(), object });
    subnets.into_iter().for_each(|subnet| desired.add(subnet));
}

fn azure(
    topology: &Topology,
    network: &Network,
    scope: Scope,
    object: String,
    tags: BTreeMap<String, String>,
    desired: &mut Desired,
) {
    let stack = desired.stack.clone();
    let (group_name, own_group) = azure_block_group(topology, network, desired);
    let vnet = ResourceId::new(ResourceKind::AzureVirtualNetwork, &network.name);
    let vnet_name = resource_name(naming::AZURE, &stack, &[&network.name]);
    let vnet_attrs = attrs([
        ("address_space", Value::List(vec![Value::string(network.cidr.value.to_string())])),
        ("location", Value::string(&network.region.value)),
        ("name", Value::string(&vnet_name)),
        ("resource_group", Value::string(&group_name)),
        ("tags", tag_value(&tags)),
    ]);
    for subnet in &network.subnets {
        let subnet_attrs = attrs([
            ("address_prefix", Value::string(subnet.cidr.value.to_string())),
            ("name", Value::string(resource_name(naming::AZURE, &subnet.name, &[]))),
            ("resource_group", Value::string(&group_name)),
            ("virtual_network", Value::string(&vnet_name)),
        ]);
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::AzureSubnet, format!("{}.{}", network.name, subnet.name)),
            scope: scope.clone(),
            attrs: subnet_attrs.into(),
            depends_on: vec![vnet.clone()],
            object: object.clone(),
        });
    }
    let depends_on = if own_group { vec![azure_group(&network.cloud)] } else { Vec::new() };
    desired.add(Resource { id: vnet, scope, attrs: vnet_attrs.into(), depends_on, object });
}

/// The resource group of `network`'s Azure cloud block: the one the block names (the user's,
/// `false`), or the one Isopod makes for the block (`true`).
fn azure_group_name(topology: &Topology, network: &Network, stack: &str) -> (String, bool) {
    let cloud = topology.cloud(&network.cloud).expect("networks refer to declared clouds");
    match &cloud.account {
        CloudAccount::Azure { resource_group: Some(name), .. } => (name.clone(), false),
        _ => (resource_name(naming::AZURE, "isopod", &[stack, network.cloud.trim_start_matches("azure.")]), true),
    }
}

/// The resource group of `network`'s Azure cloud block (see [`azure_group_name`]), the one
/// Isopod makes added to `desired` on first use: what the stack builds for the network goes in.
pub(super) fn azure_block_group(topology: &Topology, network: &Network, desired: &mut Desired) -> (String, bool) {
    let (group_name, own) = azure_group_name(topology, network, &desired.stack);
    let group = azure_group(&network.cloud);
    if own && !desired.resources.contains_key(&group) {
        let cloud = topology.cloud(&network.cloud).expect("networks refer to declared clouds");
        let group_scope = Scope { cloud: network.cloud.clone(), region: cloud.region.value.clone() };
        let group_attrs = attrs([
            ("location", Value::string(&cloud.region.value)),
            ("name", Value::string(&group_name)),
            ("tags", tag_value(&topology.stack.tags)),
        ]);
        let object = format!("cloud.{}", network.cloud);
        desired.add(Resource {
            id: group,
            scope: group_scope,
            attrs: group_attrs.into(),
            depends_on: Vec::new(),
            object,
        });
    }
    (group_name, own)
}

/// A network that describes an existing Azure virtual network: no resource, its id and its
/// subnets' (matched by range, and its `GatewaySubnet`) for what is built on it, which goes in
/// the cloud block's resource group (made when something is: see [`super::azure_vnet`]).
fn existing_azure(topology: &Topology, network: &Network, live: &Live, desired: &mut Desired) {
    let Some(id) = &network.existing else { return };
    let (resource_group, _) = azure_group_name(topology, network, &desired.stack);
    let key = (network.cloud.clone(), id.value.to_ascii_lowercase());
    let found = live.azure_networks.get(&key).cloned().unwrap_or_default();
    let mut subnets: BTreeMap<String, String> = network
        .subnets
        .iter()
        .filter_map(|subnet| Some((subnet.name.clone(), found.subnets.get(&subnet.cidr.value.to_string())?.clone())))
        .collect();
    subnets.extend(found.gateway_subnet.map(|gateway_subnet| ("GatewaySubnet".to_string(), gateway_subnet)));
    let existing = ExistingNetwork {
        id: found.id.unwrap_or_else(|| id.value.clone()),
        resource_group,
        subnets,
        ..Default::default()
    };
    desired.existing.insert(network.name.clone(), existing);
}

/// GCP networks and subnetworks take no labels: ownership is carried by the deterministic name
/// and the description the provider writes.
fn gcp(network: &Network, scope: Scope, object: String, desired: &mut Desired) {
    let stack = desired.stack.clone();
    let vpc = ResourceId::new(ResourceKind::GcpNetwork, &network.name);
    let vpc_name = resource_name(naming::GCP, &stack, &[&network.name]);
    let vpc_scope = Scope { cloud: scope.cloud.clone(), region: "global".into() };
    let vpc_attrs = attrs([("name", Value::string(&vpc_name)), ("routing_mode", Value::string("GLOBAL"))]);
    // A GCP network has no range of its own: a network without subnets gets one subnetwork
    // that spans its whole range in its region.
    let whole = [(network.name.as_str(), network.cidr.value.to_string())];
    let declared: Vec<(&str, String)> =
        network.subnets.iter().map(|s| (s.name.as_str(), s.cidr.value.to_string())).collect();
    let subnets: &[(&str, String)] = if declared.is_empty() { &whole } else { &declared };
    for (name, cidr) in subnets {
        let address = if declared.is_empty() { network.name.clone() } else { format!("{}.{name}", network.name) };
        let parts: &[&str] = if declared.is_empty() { &[&network.name] } else { &[&network.name, name] };
        let subnet_name = resource_name(naming::GCP, &stack, parts);
        let subnet_attrs = attrs([
            ("ip_cidr_range", Value::string(cidr)),
            ("name", Value::string(subnet_name)),
            ("network", Value::string(&vpc_name)),
            ("region", Value::string(&network.region.value)),
        ]);
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::GcpSubnetwork, address),
            scope: scope.clone(),
            attrs: subnet_attrs.into(),
            depends_on: vec![vpc.clone()],
            object: object.clone(),
        });
    }
    desired.add(Resource { id: vpc, scope: vpc_scope, attrs: vpc_attrs.into(), depends_on: Vec::new(), object });
}

/// The subnets an endpoint without `subnets` (or a transit gateway attachment) goes in, in
/// declaration order: never Azure's
/// `GatewaySubnet`, which holds only the VPN gateway; and for AWS, which takes at most one subnet
/// per Availability Zone, the first of each zone (a subnet without a zone counts as its own).
pub(super) fn default_subnets(network: &Network) -> Vec<&str> {
    let mut zones: Vec<&str> = Vec::new();
    let mut chosen = Vec::new();
    for subnet in network.subnets.iter().filter(|s| s.name != "GatewaySubnet") {
        if let Some(zone) = subnet.zone.as_ref().filter(|_| network.kind == CloudKind::Aws) {
            if zones.contains(&zone.value.as_str()) {
                continue;
            }
            zones.push(&zone.value);
        }
        chosen.push(subnet.name.as_str());
    }
    chosen
}

/// The resource group Isopod makes for the Azure cloud block `cloud` (`azure.corp`), by id: what
/// the block's resources come after (none is made when the block names a group of the user's).
pub(super) fn azure_group(cloud: &str) -> ResourceId {
    ResourceId::new(ResourceKind::AzureResourceGroup, cloud.trim_start_matches("azure."))
}
