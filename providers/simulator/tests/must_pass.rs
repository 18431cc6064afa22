//! The simulator keeps the provider contract for every kind of the catalogue: the must-pass
//! suite (`isopod-conformance`) over the examples and configurations that, together, lower to
//! every kind (private endpoints and relays in each cloud, peerings in each cloud, a transit
//! gateway, the layouts without `ha`, static routing, hosts), two of them changed in place and by
//! replacement; then the same calls against a simulator that throttles every call.

use isopod_catalog::{Cloud, ResourceKind};
use isopod_conformance::{Case, Gaps, Providers, must_pass, throttled_must_pass};
use isopod_provider::Provider;
use isopod_simulator::{Knobs, Simulator, ready};
use std::sync::Arc;

/// Private endpoints in each cloud, and a relay with private DNS into Azure, GCP and AWS.
const ENDPOINTS: &str = r#"
stack "ends" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "aws" "west" {
  region = "us-west-2"
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
  cloud = cloud.aws.prod
  cidr  = "10.10.0.0/16"
  subnet "a" {
    cidr = "10.10.1.0/24"
    zone = "us-east-1a"
  }
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.20.0.0/16"
  subnet "workloads" {
    cidr = "10.20.1.0/24"
  }
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.30.0.0/16"
}
network "west" {
  cloud = cloud.aws.west
  cidr  = "10.40.0.0/16"
}
endpoint "s3" {
  network = network.app
  service = "com.amazonaws.us-east-1.s3"
}
endpoint "db" {
  network = network.hub
  service = "db.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice"
}
endpoint "bq" {
  network = network.analytics
  service = "projects/p/regions/us-central1/serviceAttachments/bq"
}
relay "s3-far" {
  endpoint = endpoint.s3
  to       = [network.analytics, network.hub, network.west]
}
"#;

/// Same-cloud tunnels (peering) in all three clouds, across regions; a network of each cloud
/// logs its flows.
const PEERINGS: &str = r#"
stack "peer" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "aws" "west" {
  region = "us-west-2"
}
cloud "azure" "eu" {
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "e" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"

  flow_logs {
    destination = "arn:aws:s3:::peer-flow-logs"
  }
}
network "w" {
  cloud = cloud.aws.west
  cidr  = "10.2.0.0/16"
}
network "z1" {
  cloud = cloud.azure.eu
  cidr  = "10.3.0.0/16"

  flow_logs {
    destination = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/peerflows"
  }
}
network "z2" {
  cloud = cloud.azure.eu
  cidr  = "10.4.0.0/16"
}
network "g1" {
  cloud = cloud.gcp.data
  cidr  = "10.5.0.0/16"

  flow_logs {}
}
network "g2" {
  cloud = cloud.gcp.data
  cidr  = "10.6.0.0/16"
}
mesh "all" {
  members = [network.e, network.w, network.z1, network.z2, network.g1, network.g2]
}
"#;

/// A VPC on a transit gateway, with a tunnel to each kind of peer.
const TRANSIT: &str = r#"
stack "transit" {}
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
  cidr            = "10.1.0.0/16"
  transit_gateway = true
  subnet "a" {
    cidr = "10.1.1.0/24"
    zone = "us-east-1a"
  }
  subnet "a2" {
    cidr = "10.1.2.0/24"
    zone = "us-east-1a"
  }
  subnet "b" {
    cidr = "10.1.3.0/24"
    zone = "us-east-1b"
  }
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.2.0.0/16"
}
network "data" {
  cloud = cloud.gcp.data
  cidr  = "10.3.0.0/16"
}
host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24", "192.168.1.0/24"]
}
mesh "all" {
  members = [network.app, network.hub, network.data, host.dc]
}
"#;

/// The layouts without `ha`, and static routing between AWS and Azure.
const SINGLE_AND_STATIC: &str = r#"
stack "single" {}
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
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.2.0.0/16"
}
network "data" {
  cloud = cloud.gcp.data
  cidr  = "10.3.0.0/16"
}
host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
}
tunnel "app-data" {
  between = [network.app, network.data]
  ha      = false
}
tunnel "app-hub" {
  between = [network.app, network.hub]
  routing = "static"
  ha      = false
}
tunnel "hub-data" {
  between = [network.hub, network.data]
  ha      = false
}
tunnel "data-dc" {
  between = [network.data, host.dc]
  ha      = false
}
tunnel "hub-dc" {
  between = [network.hub, host.dc]
}
"#;

fn example(name: &str) -> Case {
    let path = format!("{}/../../examples/{name}/main.iso", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    Case { name: format!("examples/{name}"), text, changed: None }
}

fn case(name: &str, text: &str, changed: Option<String>) -> Case {
    Case { name: name.to_string(), text: text.to_string(), changed }
}

/// The tunnels' IKE lifetimes changed (VPN connections and Azure connections change in place,
/// GCP tunnels are replaced) and a host's ranges grown (routes added).
fn single_and_static_changed() -> String {
    let ike = "  ike {\n    lifetime = 14400\n  }\n}";
    SINGLE_AND_STATIC
        .replace("  ha      = false\n}", &format!("  ha      = false\n{ike}"))
        .replace(r#"cidrs   = ["192.168.0.0/24"]"#, r#"cidrs   = ["192.168.0.0/24", "192.168.9.0/24"]"#)
}

/// A subnet of the transit gateway's VPC moved to another range: replaced, and the attachment
/// changed to the new subnet.
fn transit_changed() -> String {
    TRANSIT.replace("10.1.3.0/24", "10.1.4.0/24")
}

#[test]
fn the_simulator_keeps_the_contract_for_every_kind() {
    let cases = [
        example("two-cloud-tunnel"),
        example("three-cloud-mesh"),
        example("endpoint-relay"),
        case("peerings in every cloud", PEERINGS, None),
        case("endpoints in every cloud, relayed with private DNS", ENDPOINTS, None),
        case("a VPC on a transit gateway", TRANSIT, Some(transit_changed())),
        case("layouts without ha, and static", SINGLE_AND_STATIC, Some(single_and_static_changed())),
    ];
    let simulator = Simulator::in_memory();
    let providers: Providers = &|cloud: Cloud| Arc::new(simulator.provider(cloud)) as Arc<dyn Provider>;
    let report = ready(must_pass(providers, &cases, &Gaps::default()));
    let missed: Vec<ResourceKind> = ResourceKind::all().filter(|kind| !report.kinds.contains(kind)).collect();
    assert!(missed.is_empty(), "kinds no case exercises: {missed:?}");
    assert!(!report.replaced.is_empty() && !report.held.is_empty() && !report.orphans_refused.is_empty());
    let tagged: Vec<ResourceKind> = ResourceKind::all().filter(|kind| kind.attr("tags").is_some()).collect();
    let untouched: Vec<&ResourceKind> = tagged.iter().filter(|kind| !report.updated.contains(kind)).collect();
    assert!(untouched.is_empty(), "tagged kinds never updated: {untouched:?}");

    let knobs = Knobs { throttle_rate: 1.0, ..Knobs::default() };
    let throttling = Simulator::in_memory().with_knobs(knobs);
    let throttled: Providers = &|cloud: Cloud| Arc::new(throttling.provider(cloud)) as Arc<dyn Provider>;
    ready(throttled_must_pass(throttled, &report));
}
