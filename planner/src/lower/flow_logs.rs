//! Flow logs: on AWS a VPC flow log delivered to the S3 bucket the configuration names, in the
//! custom format `isopod flows` and `isopod cost` read (every field they use); GCP's and Azure's
//! are not planned yet.

use super::{Desired, attrs};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudKind, FlowLogs, Network};

/// The fields of the flow logs Isopod sets up on AWS, in the syntax of `CreateFlowLogs`'s
/// `LogFormat`: the default format's, then what tells where a flow went and how it left
/// (`flow-direction`, `traffic-path`), a middlebox's (`pkt-srcaddr`, `pkt-dstaddr`, `instance-id`)
/// and the AWS services at the other end.
pub const AWS_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${region} ${az-id} ${flow-direction} ${traffic-path} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service}";

/// Why GCP's flow logs are not planned.
const GCP_NOT_YET: &str = "GCP flow logs (the subnetworks' logConfig) are not planned yet: enable them with `gcloud compute networks subnets update --enable-flow-logs`";

/// Why Azure's flow logs are not planned.
const AZURE_NOT_YET: &str =
    "Azure virtual network flow logs (a Network Watcher flow log to a storage account) are not planned yet";

/// The flow log of `network`, if it asks for one.
pub(super) fn lower(topology: &Topology, network: &Network, desired: &mut Desired) {
    let Some(logs) = &network.flow_logs else { return };
    let label = format!("network.{}.flow_logs", network.name);
    match network.kind {
        CloudKind::Aws => aws(topology, network, logs, desired),
        CloudKind::Gcp => desired.unplanned.push((label, GCP_NOT_YET)),
        CloudKind::Azure => desired.unplanned.push((label, AZURE_NOT_YET)),
    }
}

fn aws(topology: &Topology, network: &Network, logs: &FlowLogs, desired: &mut Desired) {
    let Some(destination) = &logs.destination else { return };
    let tags = super::network::tags(topology, network);
    let flow_attrs = attrs([
        ("resource_id", super::aws_vpc_output(desired, &network.name, "id")),
        ("traffic_type", Value::string("ALL")),
        ("log_destination_type", Value::string("s3")),
        ("log_destination", Value::string(&destination.value)),
        ("log_format", Value::string(AWS_LOG_FORMAT)),
        ("max_aggregation_interval", Value::Integer(logs.interval_seconds(CloudKind::Aws))),
        ("tags", super::network::aws_named(&tags, &desired.stack, &[&network.name, "flows"])),
    ]);
    desired.add(Resource {
        id: ResourceId::new(ResourceKind::AwsFlowLog, &network.name),
        scope: super::scope(network),
        attrs: flow_attrs.into(),
        depends_on: Vec::new(),
        object: format!("network.{}", network.name),
    });
}
