//! Lowering the tunnels in runs on several threads gives what one run gives.

use crate::Live;
use isopod_catalog::{ResourceId, ResourceKind, Value};
use isopod_test_support::topology;

/// Tunnels that share what runs join: AWS networks on a transit gateway, one with tunnels to
/// two hosts of one range (whose route is made once, by the first), an Azure gateway that
/// several tunnels give custom BGP addresses.
const SHARED_BY_TUNNELS: &str = r#"
stack "runs" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "azure" "corp" {
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud           = cloud.aws.prod
  cidr            = "10.10.0.0/16"
  transit_gateway = true
  subnet "a" {
    cidr = "10.10.1.0/24"
    zone = "us-east-1a"
  }
}
network "web" {
  cloud           = cloud.aws.prod
  cidr            = "10.11.0.0/16"
  transit_gateway = true
  subnet "a" {
    cidr = "10.11.1.0/24"
    zone = "us-east-1a"
  }
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.20.0.0/16"
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.30.0.0/16"
}
host "dc" {
  address = "203.0.113.10"
  cidrs   = ["192.168.10.0/24"]
}
host "standby" {
  address = "203.0.113.11"
  cidrs   = ["192.168.10.0/24"]
}
tunnel "app-dc" {
  between = [network.app, host.dc]
}
tunnel "app-analytics" {
  between = [network.app, network.analytics]
}
tunnel "app-hub" {
  between = [network.app, network.hub]
}
tunnel "web-analytics" {
  between = [network.web, network.analytics]
}
tunnel "app-standby" {
  between = [network.app, host.standby]
}
tunnel "web-hub" {
  between = [network.web, network.hub]
}
tunnel "hub-analytics" {
  between = [network.hub, network.analytics]
}
tunnel "hub-dc" {
  between = [network.hub, host.dc]
}
tunnel "app-web" {
  between = [network.app, network.web]
}
"#;

#[test]
fn lowering_the_tunnels_in_runs_gives_what_one_run_gives() {
    let texts = [
        SHARED_BY_TUNNELS.to_string(),
        include_str!("../../../examples/two-cloud-tunnel/main.iso").to_string(),
        include_str!("../../../examples/three-cloud-mesh/main.iso").to_string(),
        include_str!("../../../examples/endpoint-relay/main.iso").to_string(),
        include_str!("../../../examples/host-mesh/main.iso").to_string(),
        include_str!("../../../examples/gitops/main.iso").to_string(),
        isopod_test_support::mesh::full_mesh("mesh", 12),
    ];
    for text in &texts {
        let topology = topology(text);
        let one = crate::lower::lower_in(&topology, &Live::default(), Some(1)).unwrap();
        assert!(one.unplanned.is_empty(), "{:?}", one.unplanned);
        for runs in [2, 3, topology.tunnels.len()] {
            let several = crate::lower::lower_in(&topology, &Live::default(), Some(runs)).unwrap();
            assert!(one == several, "{} in {runs} runs differs from one run", topology.stack.name.value);
        }
    }
}

#[test]
fn what_several_tunnels_add_to_is_joined_in_their_order() {
    let topology = topology(SHARED_BY_TUNNELS);
    for runs in [1, topology.tunnels.len()] {
        let desired = crate::lower::lower_in(&topology, &Live::default(), Some(runs)).unwrap();
        let route = ResourceId::new(ResourceKind::AwsRoute, "app.transit.192.168.10.0/24");
        assert_eq!(desired.resources[&route].object, "tunnel.app-dc", "{runs} runs");
        let gateway = ResourceId::new(ResourceKind::AzureVirtualNetworkGateway, "hub");
        let Some(Value::List(instances)) = desired.resources[&gateway].attrs.get("custom_bgp_addresses") else {
            panic!("the Azure gateway has custom BGP addresses");
        };
        // Each instance holds an address for each AWS connection (two for each of the two AWS
        // tunnels), for the GCP tunnel and for the host.
        assert!(instances.iter().all(|addresses| matches!(addresses, Value::List(a) if a.len() == 6)), "{instances:?}");
    }
}
