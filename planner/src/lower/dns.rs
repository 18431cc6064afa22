//! The private DNS half of a relay: the service's name, resolving in each consumer network to the
//! endpoint's private addresses, through a private zone in the consumer's own cloud.
//!
//! - AWS: a Route 53 private hosted zone for the name, associated with the consumer's VPC (a
//!   hosted zone is global; its association names the VPC's region), and an A record.
//! - Azure: a private DNS zone for the name in the consumer's resource group, a virtual network
//!   link to the consumer's virtual network, and an A record set at the zone's apex (`@`).
//! - GCP: a Cloud DNS private managed zone visible to the consumer's network, and an A record set.
//!
//! The zone holds the service's whole name, so it answers for that name only and every other name
//! keeps resolving as before. The record's addresses are the endpoint's, known after apply.

use super::network::{aws_named, tags};
use super::{Desired, output};
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, Endpoint, Network, Relay};

/// The time to live of a relay's records, in seconds: short, since an endpoint's addresses change
/// only when it is replaced.
const TTL: i64 = 60;

/// Why a relay's private DNS cannot be planned for an endpoint with no name to publish.
pub(crate) const NO_NAME: &str =
    "its endpoint has no `dns_name` to publish (set one, or `private_dns = false`); its connectivity is planned";

/// The zone and records that publish `name` (the endpoint's service name) to `consumer`, with
/// `addresses` (the endpoint's, a list value) as the record's values.
pub(super) fn publish(
    topology: &Topology,
    relay: &Relay,
    consumer: &Network,
    name: &str,
    addresses: Value,
    desired: &mut Desired,
) {
    let address = format!("{}.{}", relay.name, consumer.name);
    let stack = desired.stack.clone();
    let mut out = Out { desired, scope: super::scope(consumer), object: format!("relay.{}", relay.name) };
    match consumer.kind {
        CloudKind::Aws => {
            let vpc_id = super::aws_vpc_output(out.desired, &consumer.name, "id");
            let tags = aws_named(&tags(topology, consumer), &stack, &[&relay.name, &consumer.name]);
            let zone = ResourceId::new(ResourceKind::AwsRoute53Zone, &address);
            let comment = format!("Isopod relay {} for {}", relay.name, consumer.name);
            out.add(
                zone.clone(),
                vec![
                    ("name", Value::string(name)),
                    ("vpc_id", vpc_id),
                    ("vpc_region", Value::string(&consumer.region.value)),
                    ("comment", Value::string(comment)),
                    ("tags", tags),
                ],
                Vec::new(),
            );
            let record = record_attrs(("zone_id", output(&zone, "id")), name, addresses);
            out.add(ResourceId::new(ResourceKind::AwsRoute53Record, &address), record, Vec::new());
        }
        CloudKind::Azure => {
            // Names are unique in a resource group: one zone per relay and Azure cloud block
            // (whose resource group holds its networks), linked to each consumer there.
            let (group, vnet_id, after_vnet) = super::azure_vnet(topology, out.desired, consumer);
            let zone_address = format!("{}.{}", relay.name, consumer.cloud.trim_start_matches("azure."));
            let zone = ResourceId::new(ResourceKind::AzurePrivateDnsZone, &zone_address);
            // Private DNS zones, their records and links are global, whichever consumer comes first.
            out.scope = Scope { cloud: consumer.cloud.clone(), region: "global".into() };
            if !out.desired.resources.contains_key(&zone) {
                out.add(
                    zone.clone(),
                    vec![("name", Value::string(name)), ("resource_group", group.clone())],
                    vec![super::network::azure_group(&consumer.cloud)],
                );
                out.add(
                    ResourceId::new(ResourceKind::AzurePrivateDnsARecord, &zone_address),
                    vec![
                        ("name", Value::string("@")),
                        ("resource_group", group.clone()),
                        ("zone_name", Value::string(name)),
                        ("ttl", Value::Integer(TTL)),
                        ("records", addresses),
                    ],
                    vec![zone.clone()],
                );
            }
            let link_name = resource_name(naming::AZURE, &stack, &[&relay.name, &consumer.name]);
            out.add(
                ResourceId::new(ResourceKind::AzurePrivateDnsZoneLink, &address),
                vec![
                    ("name", Value::string(link_name)),
                    ("resource_group", group),
                    ("private_dns_zone_name", Value::string(name)),
                    ("virtual_network_id", vnet_id),
                    ("registration_enabled", Value::Bool(false)),
                ],
                [zone].into_iter().chain(after_vnet).collect(),
            );
        }
        CloudKind::Gcp => {
            // Cloud DNS zones are global, like GCP networks.
            out.scope = Scope { cloud: consumer.cloud.clone(), region: "global".into() };
            let zone_name = resource_name(naming::GCP, &stack, &[&relay.name, &consumer.name]);
            let (network_name, after_network) = super::gcp_network(out.desired, &consumer.name);
            let zone = ResourceId::new(ResourceKind::GcpDnsManagedZone, &address);
            out.add(
                zone.clone(),
                vec![
                    ("name", Value::string(&zone_name)),
                    ("dns_name", Value::string(format!("{name}."))),
                    ("visibility", Value::string("private")),
                    ("networks", Value::List(vec![Value::string(network_name)])),
                    ("description", Value::string(format!("Isopod relay {} for {}", relay.name, consumer.name))),
                    ("labels", super::network::gcp_labels(topology, consumer)),
                ],
                after_network,
            );
            let record = record_attrs(("managed_zone", Value::string(&zone_name)), &format!("{name}."), addresses);
            out.add(ResourceId::new(ResourceKind::GcpDnsRecordSet, &address), record, vec![zone]);
        }
    }
}

/// Where the resources of one relay's DNS in one consumer go.
struct Out<'d> {
    desired: &'d mut Desired,
    scope: Scope,
    object: String,
}

impl Out<'_> {
    fn add(&mut self, id: ResourceId, pairs: Vec<(&'static str, Value)>, depends_on: Vec<ResourceId>) {
        let attrs =
            pairs.into_iter().map(|(name, value)| (name.into(), value)).collect::<isopod_catalog::Attrs>().into();
        let (scope, object) = (self.scope.clone(), self.object.clone());
        self.desired.add(Resource { id, scope, attrs, depends_on, object });
    }
}

/// An A record of `name` in `zone` (the attribute naming it, and its value).
fn record_attrs(zone: (&'static str, Value), name: &str, addresses: Value) -> Vec<(&'static str, Value)> {
    vec![
        zone,
        ("name", Value::string(name)),
        ("type", Value::string("A")),
        ("ttl", Value::Integer(TTL)),
        ("records", addresses),
    ]
}

/// The endpoint's private addresses, as the value of a record: its outputs, known after apply.
pub(super) fn endpoint_addresses(endpoint: &Endpoint, network: &Network) -> Value {
    match network.kind {
        CloudKind::Aws => output(&ResourceId::new(ResourceKind::AwsVpcEndpoint, &endpoint.name), "ip_addresses"),
        CloudKind::Azure => Value::List(vec![output(
            &ResourceId::new(ResourceKind::AzurePrivateEndpoint, &endpoint.name),
            "ip_address",
        )]),
        CloudKind::Gcp => {
            Value::List(vec![output(&ResourceId::new(ResourceKind::GcpAddress, &endpoint.name), "address")])
        }
    }
}
