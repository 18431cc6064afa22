//! Flow logs: on AWS a VPC flow log delivered to the S3 bucket the configuration names, in the
//! custom format `isopod flows` and `isopod cost` read (every field they use); on GCP each
//! subnetwork's `logConfig` with all metadata (what tells `isopod cost` the networks at either
//! end); on Azure a virtual network flow log of the region's Network Watcher, written to the
//! storage account named.

use super::{Desired, attrs};
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, FlowLogs, Network};

/// The fields of the flow logs Isopod sets up on AWS, in the syntax of `CreateFlowLogs`'s
/// `LogFormat`: the default format's, then what tells where a flow went and how it left
/// (`flow-direction`, `traffic-path`), a middlebox's (`pkt-srcaddr`, `pkt-dstaddr`, `instance-id`)
/// and the AWS services at the other end.
pub const AWS_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${region} ${az-id} ${flow-direction} ${traffic-path} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service}";

/// Why the flow logs of an existing GCP network are not planned.
const GCP_EXISTING: &str = "the flow logs of an existing GCP network are its subnetworks' logConfig, which Isopod does not change on subnetworks it does not own: enable them with `gcloud compute networks subnets update SUBNET --enable-flow-logs --logging-metadata=include-all`";

/// The flow log of `network`, if it asks for one.
pub(super) fn lower(topology: &Topology, network: &Network, desired: &mut Desired) {
    let Some(logs) = &network.flow_logs else { return };
    let label = format!("network.{}.flow_logs", network.name);
    match network.kind {
        CloudKind::Aws => aws(topology, network, logs, desired),
        CloudKind::Gcp if network.existing.is_some() => desired.unplanned.push((label, GCP_EXISTING)),
        CloudKind::Gcp => gcp(network, logs, desired),
        CloudKind::Azure => azure(topology, network, logs, desired),
    }
}

fn aws(topology: &Topology, network: &Network, logs: &FlowLogs, desired: &mut Desired) {
    let Some(destination) = &logs.destination else { return };
    let tags = super::network::tags(topology, network);
    let flow_attrs = attrs([
        ("log_destination", Value::string(&destination.value)),
        ("log_destination_type", Value::string("s3")),
        ("log_format", Value::string(AWS_LOG_FORMAT)),
        ("max_aggregation_interval", Value::Integer(logs.interval_seconds(CloudKind::Aws))),
        ("resource_id", super::aws_vpc_output(desired, &network.name, "id")),
        ("tags", super::network::aws_named(&tags, &desired.stack, &[&network.name, "flows"])),
        ("traffic_type", Value::string("ALL")),
    ]);
    desired.add(Resource {
        id: ResourceId::new(ResourceKind::AwsFlowLog, &network.name),
        scope: super::scope(network),
        attrs: flow_attrs.into(),
        depends_on: Vec::new(),
        object: format!("network.{}", network.name),
    });
}

/// GCP's name for an aggregation interval of `seconds` (one of the six the language admits).
fn gcp_interval(seconds: i64) -> &'static str {
    match seconds {
        30 => "INTERVAL_30_SEC",
        60 => "INTERVAL_1_MIN",
        300 => "INTERVAL_5_MIN",
        600 => "INTERVAL_10_MIN",
        900 => "INTERVAL_15_MIN",
        _ => "INTERVAL_5_SEC",
    }
}

/// The flow logs of each subnetwork of a GCP network (one per subnet, or the one spanning a
/// network without subnets), addressed as the subnetwork is.
fn gcp(network: &Network, logs: &FlowLogs, desired: &mut Desired) {
    let subnets: Vec<Option<&str>> = if network.subnets.is_empty() {
        vec![None]
    } else {
        network.subnets.iter().map(|subnet| Some(subnet.name.as_str())).collect()
    };
    // GCP keeps the rate as a 32-bit float: the attribute is written as GCP reads it back.
    let sampling = (logs.sampling_rate() as f32).to_string();
    for subnet in subnets {
        let (name, depends_on) = super::gcp_subnetwork(desired, &network.name, subnet);
        let Some(subnetwork) = depends_on.first() else { continue };
        let flow_attrs = attrs([
            ("aggregation_interval", Value::string(gcp_interval(logs.interval_seconds(CloudKind::Gcp)))),
            ("flow_sampling", Value::string(&sampling)),
            ("metadata", Value::string("INCLUDE_ALL_METADATA")),
            ("region", Value::string(&network.region.value)),
            ("subnetwork", name),
        ]);
        desired.add(Resource {
            id: ResourceId::new(ResourceKind::GcpSubnetworkFlowLogs, subnetwork.address.clone()),
            scope: super::scope(network),
            attrs: flow_attrs.into(),
            depends_on: depends_on.clone(),
            object: format!("network.{}", network.name),
        });
    }
}

/// The flow log of an Azure virtual network (the stack's or an existing one), under its region's
/// Network Watcher (which the provider finds).
fn azure(topology: &Topology, network: &Network, logs: &FlowLogs, desired: &mut Desired) {
    let Some(destination) = &logs.destination else { return };
    let (_, vnet_id, mut depends_on) = super::azure_vnet(topology, desired, network);
    // After the virtual network the stack makes; an existing one's group is not needed.
    depends_on.retain(|id| id.kind == ResourceKind::AzureVirtualNetwork);
    let name = resource_name(naming::AZURE, &desired.stack, &[&network.name, "flows"]);
    let tags = super::network::tags(topology, network);
    let flow_attrs = attrs([
        ("location", Value::string(&network.region.value)),
        ("name", Value::string(name)),
        ("storage_id", Value::string(&destination.value)),
        ("tags", super::network::tag_value(&tags)),
        ("target_resource_id", vnet_id),
    ]);
    desired.add(Resource {
        id: ResourceId::new(ResourceKind::AzureFlowLog, &network.name),
        scope: super::scope(network),
        attrs: flow_attrs.into(),
        depends_on,
        object: format!("network.{}", network.name),
    });
}
