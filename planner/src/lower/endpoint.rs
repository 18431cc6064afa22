//! Private endpoints to third-party services, in the network's own subnets:
//! - AWS: an interface VPC endpoint (PrivateLink) in the chosen subnets (all by default), with
//!   private DNS when asked, and its own security group admitting the network's range and those
//!   of the networks its relays extend it to (the VPC's default group admits only its members).
//! - Azure: a private endpoint in the first chosen subnet, connected to the private link service
//!   by resource id or alias.
//! - GCP: a Private Service Connect endpoint: an internal address in the first chosen
//!   subnetwork and a forwarding rule to the service attachment.

use super::{Desired, attrs, output};
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, Endpoint, Network};

pub(super) fn lower(
    topology: &Topology,
    endpoint: &Endpoint,
    network: &Network,
    desired: &mut Desired,
) -> Result<(), &'static str> {
    let object = format!("endpoint.{}", endpoint.name);
    let scope = super::scope(network);
    let chosen: Vec<&str> = if endpoint.subnets.is_empty() {
        super::network::default_subnets(network)
    } else {
        endpoint.subnets.iter().map(|s| s.value.as_str()).collect()
    };
    let stack = desired.stack.clone();
    match network.kind {
        CloudKind::Aws => {
            if chosen.is_empty() {
                return Err("an AWS interface endpoint needs a subnet, and the network has none");
            }
            let subnets = chosen.iter().map(|subnet| super::aws_subnet_id(desired, &network.name, subnet)).collect();
            let name = resource_name(naming::AWS, &stack, &[&endpoint.name]);
            let tags = super::network::aws_named(&super::network::tags(topology, network), &stack, &[&endpoint.name]);
            let vpc_id = super::aws_vpc_output(desired, &network.name, "id");
            let group = ResourceId::new(ResourceKind::AwsSecurityGroup, &endpoint.name);
            desired.add(Resource {
                id: group.clone(),
                scope: scope.clone(),
                attrs: attrs([
                    ("description", Value::string(format!("Isopod endpoint {}", endpoint.name))),
                    ("ingress_cidr_blocks", Value::List(admitted_ranges(topology, endpoint, network))),
                    ("name", Value::string(&name)),
                    ("tags", tags.clone()),
                    ("vpc_id", vpc_id.clone()),
                ])
                .into(),
                depends_on: Vec::new(),
                object: object.clone(),
            });
            desired.add(Resource {
                id: ResourceId::new(ResourceKind::AwsVpcEndpoint, &endpoint.name),
                scope,
                attrs: attrs([
                    ("private_dns_enabled", Value::Bool(endpoint.private_dns)),
                    ("security_group_ids", Value::List(vec![output(&group, "id")])),
                    ("service_name", Value::string(&endpoint.service.value)),
                    ("subnet_ids", Value::List(subnets)),
                    ("tags", tags),
                    ("vpc_endpoint_type", Value::string("Interface")),
                    ("vpc_id", vpc_id.clone()),
                ])
                .into(),
                depends_on: Vec::new(),
                object,
            });
        }
        CloudKind::Azure => {
            let subnet = chosen.first().ok_or("an Azure private endpoint needs a subnet, and the network has none")?;
            let (group, _, after) = super::azure_vnet(topology, desired, network);
            // The subnet's output carries the dependency on a virtual network the stack creates.
            let after = if desired.existing.contains_key(&network.name) { after } else { Vec::new() };
            desired.add(Resource {
                id: ResourceId::new(ResourceKind::AzurePrivateEndpoint, &endpoint.name),
                scope: scope.clone(),
                attrs: attrs([
                    ("location", Value::string(&network.region.value)),
                    ("name", Value::string(resource_name(naming::AZURE, &stack, &[&endpoint.name]))),
                    ("private_dns", Value::Bool(endpoint.private_dns)),
                    ("resource_group", group),
                    ("service", Value::string(&endpoint.service.value)),
                    ("subnet_id", super::azure_subnet_id(desired, &network.name, subnet)),
                ])
                .into(),
                depends_on: after,
                object,
            });
        }
        CloudKind::Gcp => {
            let (subnetwork_name, after_subnetwork) =
                super::gcp_subnetwork(desired, &network.name, chosen.first().copied());
            let (network_name, _) = super::gcp_network(desired, &network.name);
            let address = ResourceId::new(ResourceKind::GcpAddress, &endpoint.name);
            let name = resource_name(naming::GCP, &stack, &[&endpoint.name]);
            desired.add(Resource {
                id: address.clone(),
                scope: scope.clone(),
                attrs: attrs([
                    ("address_type", Value::string("INTERNAL")),
                    ("labels", super::network::gcp_labels(topology, network)),
                    ("name", Value::string(&name)),
                    ("region", Value::string(&network.region.value)),
                    ("subnetwork", subnetwork_name),
                ])
                .into(),
                depends_on: after_subnetwork,
                object: object.clone(),
            });
            desired.add(Resource {
                id: ResourceId::new(ResourceKind::GcpForwardingRule, &endpoint.name),
                scope,
                attrs: attrs([
                    ("ip_address", output(&address, "address")),
                    ("labels", super::network::gcp_labels(topology, network)),
                    // Private Service Connect endpoints take no load balancing scheme.
                    ("load_balancing_scheme", Value::string("")),
                    ("name", Value::string(&name)),
                    ("network", Value::string(network_name)),
                    ("region", Value::string(&network.region.value)),
                    ("target", Value::string(&endpoint.service.value)),
                ])
                .into(),
                depends_on: Vec::new(),
                object,
            });
        }
    }
    Ok(())
}

/// The ranges an AWS endpoint's security group admits (all protocols, since the service's ports
/// are the provider's business): its network's, then each relay consumer's, in the order the
/// configuration names them, each once.
fn admitted_ranges(topology: &Topology, endpoint: &Endpoint, network: &Network) -> Vec<Value> {
    let consumers = topology
        .relays
        .iter()
        .filter(|relay| relay.endpoint.value == endpoint.name)
        .flat_map(|relay| &relay.to)
        .filter_map(|consumer| topology.network(&consumer.value));
    let mut ranges: Vec<String> = Vec::new();
    for cidr in std::iter::once(network).chain(consumers).map(|n| n.cidr.value.to_string()) {
        if !ranges.contains(&cidr) {
            ranges.push(cidr);
        }
    }
    ranges.into_iter().map(Value::string).collect()
}
