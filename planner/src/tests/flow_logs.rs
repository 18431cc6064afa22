//! Flow logs: an AWS VPC's to its S3 bucket in the format `isopod cost` reads; a GCP network's
//! as each of its subnetworks' `logConfig`; an Azure network's under its region's Network
//! Watcher.

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
  subnet "a" {
    cidr = "10.20.1.0/24"
  }
  subnet "b" {
    cidr = "10.20.2.0/24"
  }
  flow_logs {
    sampling = 0.1
    interval = 60
  }
}
network "whole" {
  cloud = cloud.gcp.data
  cidr  = "10.21.0.0/16"
  flow_logs {}
}
network "theirs" {
  cloud    = cloud.gcp.data
  cidr     = "10.22.0.0/16"
  existing = "shared-vpc"
  flow_logs {}
}
"#;

#[test]
fn an_aws_network_logs_its_flows_to_its_bucket() {
    let desired = lower(&topology(CONFIGURATION), &Live::default()).unwrap();
    let log = &desired.resources[&ResourceId::new(ResourceKind::AwsFlowLog, "app")];
    assert_eq!(log.attrs["log_destination"], Value::string("arn:aws:s3:::acme-flow-logs/app"));
    assert_eq!(log.attrs["log_format"], Value::string(AWS_LOG_FORMAT));
    assert_eq!(log.attrs["max_aggregation_interval"], Value::Integer(60));
    assert_eq!(log.object, "network.app");
    assert!(log.dependencies().iter().any(|id| id.kind == ResourceKind::AwsVpc), "after its VPC");
    let logs = desired.resources.keys().filter(|id| id.kind == ResourceKind::AwsFlowLog).count();
    assert_eq!(logs, 1, "a network without flow_logs has none");
}

#[test]
fn a_gcp_network_logs_the_flows_of_each_of_its_subnetworks_and_an_existing_ones_are_not_planned() {
    let desired = lower(&topology(CONFIGURATION), &Live::default()).unwrap();
    let logs: Vec<&str> = desired
        .resources
        .keys()
        .filter(|id| id.kind == ResourceKind::GcpSubnetworkFlowLogs)
        .map(|id| id.address.as_str())
        .collect();
    assert_eq!(logs, ["analytics.a", "analytics.b", "whole"], "one per subnetwork, none on the existing network");
    let a = &desired.resources[&ResourceId::new(ResourceKind::GcpSubnetworkFlowLogs, "analytics.a")];
    let subnetwork = &desired.resources[&ResourceId::new(ResourceKind::GcpSubnetwork, "analytics.a")];
    assert_eq!(a.attrs["subnetwork"], subnetwork.attrs["name"]);
    assert_eq!(a.attrs["region"], Value::string("us-central1"));
    assert_eq!(a.attrs["aggregation_interval"], Value::string("INTERVAL_1_MIN"));
    assert_eq!(a.attrs["flow_sampling"], Value::string("0.1"), "as GCP reads back its 32-bit float");
    assert_eq!(a.attrs["metadata"], Value::string("INCLUDE_ALL_METADATA"), "what tells the networks apart");
    assert_eq!(a.depends_on, std::slice::from_ref(&subnetwork.id));
    let whole = &desired.resources[&ResourceId::new(ResourceKind::GcpSubnetworkFlowLogs, "whole")];
    assert_eq!(
        (&whole.attrs["aggregation_interval"], &whole.attrs["flow_sampling"]),
        (&Value::string("INTERVAL_5_SEC"), &Value::string("0.5")),
        "GCP's defaults"
    );
    let unplanned: Vec<&str> = desired.unplanned.iter().map(|(what, _)| what.as_str()).collect();
    assert_eq!(unplanned, ["network.theirs.flow_logs"]);
}

#[test]
fn an_azure_network_logs_its_flows_to_its_storage_account_and_an_existing_one_too() {
    const STORAGE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/acmeflows";
    const THEIRS: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/shared/providers/Microsoft.Network/virtualNetworks/shared";
    let configuration = format!(
        r#"
stack "logs" {{}}
cloud "azure" "corp" {{
  subscription = "00000000-0000-0000-0000-000000000001"
  region       = "westeurope"
}}
network "hub" {{
  cloud = cloud.azure.corp
  cidr  = "10.30.0.0/16"
  flow_logs {{
    destination = "{STORAGE}"
  }}
}}
network "shared" {{
  cloud    = cloud.azure.corp
  cidr     = "10.31.0.0/16"
  existing = "{THEIRS}"
  flow_logs {{
    destination = "{STORAGE}"
  }}
}}
"#
    );
    let desired = lower(&topology(&configuration), &Live::default()).unwrap();
    let hub = &desired.resources[&ResourceId::new(ResourceKind::AzureFlowLog, "hub")];
    let vnet = ResourceId::new(ResourceKind::AzureVirtualNetwork, "hub");
    assert_eq!(hub.attrs["target_resource_id"], crate::lower::output(&vnet, "id"));
    assert_eq!(hub.attrs["storage_id"], Value::string(STORAGE));
    assert_eq!(hub.attrs["location"], Value::string("westeurope"));
    assert_eq!(hub.attrs["name"], Value::string("logs-hub-flows"));
    assert_eq!(hub.depends_on, [vnet], "after its virtual network, deleted before it");
    let shared = &desired.resources[&ResourceId::new(ResourceKind::AzureFlowLog, "shared")];
    assert_eq!(shared.attrs["target_resource_id"], Value::string(THEIRS), "an existing network is logged by its id");
    assert!(shared.depends_on.is_empty(), "{:?}", shared.depends_on);
    assert!(desired.unplanned.is_empty(), "{:?}", desired.unplanned);
}
