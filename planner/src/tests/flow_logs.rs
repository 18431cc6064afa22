//! Flow logs: an AWS VPC's to its S3 bucket in the format `isopod cost` reads, the other clouds'
//! said not to be planned.

use crate::lower::flow_logs::AWS_LOG_FORMAT;
use crate::{Live, ResourceId, ResourceKind, Value, lower};
use isopod_test_support::topology;

const CONFIGURATION: &str = r#"
stack "logs" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.10.0.0/16"
  flow_logs {
    destination = "arn:aws:s3:::acme-flow-logs/app"
    interval    = 60
  }
}
network "quiet" {
  cloud = cloud.aws.east
  cidr  = "10.11.0.0/16"
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.20.0.0/16"
  flow_logs {
    sampling = 0.25
  }
}
"#;

#[test]
fn an_aws_network_logs_its_flows_to_its_bucket_and_gcps_are_not_planned_yet() {
    let desired = lower(&topology(CONFIGURATION), &Live::default()).unwrap();
    let log = &desired.resources[&ResourceId::new(ResourceKind::AwsFlowLog, "app")];
    assert_eq!(log.attrs["log_destination"], Value::string("arn:aws:s3:::acme-flow-logs/app"));
    assert_eq!(log.attrs["log_format"], Value::string(AWS_LOG_FORMAT));
    assert_eq!(log.attrs["max_aggregation_interval"], Value::Integer(60));
    assert_eq!(log.object, "network.app");
    assert!(log.dependencies().iter().any(|id| id.kind == ResourceKind::AwsVpc), "after its VPC");
    let logs = desired.resources.keys().filter(|id| id.kind == ResourceKind::AwsFlowLog).count();
    assert_eq!(logs, 1, "a network without flow_logs has none");
    let unplanned: Vec<&str> = desired.unplanned.iter().map(|(what, _)| what.as_str()).collect();
    assert_eq!(unplanned, ["network.analytics.flow_logs"]);
}
