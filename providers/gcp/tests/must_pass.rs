//! The GCP provider keeps the provider contract for every GCP kind: the must-pass suite
//! (`isopod-conformance`) against the GCP emulator on 127.0.0.1 (every request checked against
//! Google's discovery documents), over configurations that together lower to every GCP kind
//! (what is at the other end, a host or an AWS network, is the simulator's: the GCP provider is
//! what is under test), changed in place and by replacement; then the same calls against an
//! emulator that throttles every call.

use isopod_catalog::{Cloud, ResourceKind};
use isopod_conformance::{Case, Gaps, Providers, must_pass, throttled_must_pass};
use isopod_gcp::{GcpProvider, GcpSettings, Polling};
use isopod_provider::Provider;
use isopod_simulator::Simulator;
use isopod_test_support::GcpEmulator;
use std::sync::Arc;
use std::time::Duration;

const PROJECT: &str = "isopod-conformance";

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// A provider of the emulator's project, polling operations quickly.
fn provider(url: &str) -> GcpProvider {
    let polling =
        Polling { first: Duration::from_millis(20), longest: Duration::from_millis(200), ..Polling::default() };
    GcpProvider::new(GcpSettings {
        project: PROJECT.into(),
        endpoint: Some(url.to_string()),
        polling,
        ..GcpSettings::default()
    })
}

/// The stack and its cloud blocks (two regions of one project, reaching `url`; and an AWS
/// account, the simulator's).
fn clouds(stack: &str, url: &str) -> String {
    format!(
        "stack \"{stack}\" {{}}\n\ncloud \"gcp\" \"central\" {{\n  project  = \"{PROJECT}\"\n  region   = \"us-central1\"\n  endpoint = \"{url}\"\n}}\n\ncloud \"gcp\" \"west\" {{\n  project  = \"{PROJECT}\"\n  region   = \"us-west1\"\n  endpoint = \"{url}\"\n}}\n\ncloud \"aws\" \"east\" {{\n  region = \"us-east-1\"\n}}\n"
    )
}

/// Two networks in two regions joined by a tunnel: a VPC network peering, both ways.
const PEERED: &str = r#"
network "app" {
  cloud = cloud.gcp.central
  cidr  = "10.60.0.0/16"
}

network "data" {
  cloud = cloud.gcp.west
  cidr  = "10.61.0.0/16"
}

tunnel "app-data" {
  between = [network.app, network.data]
}
"#;

/// A Private Service Connect endpoint in a subnetwork whose flows are logged; and an AWS
/// endpoint relayed into the GCP network (HA VPN to AWS's four tunnel addresses, and a Cloud DNS
/// private zone with the service's name). A GCP endpoint is not relayed to another GCP network:
/// it is not reachable across peering.
const RELAYED: &str = r#"
network "app" {
  cloud = cloud.gcp.central
  cidr  = "10.70.0.0/16"

  subnet "a" {
    cidr = "10.70.1.0/24"
  }

  flow_logs {
    interval = 60
    sampling = 0.25
  }
}

endpoint "warehouse" {
  network = network.app
  service = "projects/partner-prod/regions/us-central1/serviceAttachments/warehouse"
  subnets = ["a"]
}

network "shop" {
  cloud = cloud.aws.east
  cidr  = "10.72.0.0/16"

  subnet "a" {
    cidr = "10.72.1.0/24"
    zone = "us-east-1a"
  }
}

endpoint "payments" {
  network  = network.shop
  service  = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  dns_name = "payments.partner.example.com"
}

relay "payments-gcp" {
  endpoint = endpoint.payments
  to       = [network.app]
}
"#;

/// HA VPN with BGP to a host: gateway, Cloud Router, external gateway, tunnels, BGP peers.
const TO_HOST: &str = r#"
network "app" {
  cloud = cloud.gcp.central
  cidr  = "10.80.0.0/16"
}

host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
}

tunnel "app-dc" {
  between = [network.app, host.dc]
}
"#;

/// The host moved to another address: the external gateway replaced, and the tunnels to it
/// (GCP's tunnels cannot change) with their BGP peers.
fn to_host_changed() -> String {
    TO_HOST.replace("198.51.100.7", "198.51.100.8")
}

/// The endpoint's subnetwork moved: the subnetwork, the address and the rule replaced.
fn relayed_changed() -> String {
    RELAYED.replace("10.70.1.0/24", "10.70.2.0/24")
}

#[test]
fn the_gcp_provider_keeps_the_contract_for_every_gcp_kind() {
    let emulator = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.1"]);
    let url = emulator.url.as_str();
    let case = |name: &str, stack: &str, body: &str, changed: Option<String>| Case {
        name: name.to_string(),
        text: format!("{}{body}", clouds(stack, url)),
        changed: changed.map(|changed| format!("{}{changed}", clouds(stack, url))),
    };
    let cases = [
        case("two networks peered", "peered", PEERED, None),
        case("endpoints, one relayed into GCP with a private zone", "relayed", RELAYED, Some(relayed_changed())),
        case("HA VPN with BGP to a host", "hosts", TO_HOST, Some(to_host_changed())),
    ];
    let gcp: Arc<dyn Provider> = Arc::new(provider(url));
    let hosts = Simulator::in_memory();
    let providers: Providers = &|cloud: Cloud| match cloud {
        Cloud::Gcp => gcp.clone(),
        Cloud::Host | Cloud::Aws => Arc::new(hosts.provider(cloud)),
        other => panic!("no {other:?} in these cases"),
    };
    let report = run(must_pass(providers, &cases, &Gaps::default()));
    let gcp_kinds = || ResourceKind::all().filter(|kind| kind.cloud() == Cloud::Gcp);
    let missed: Vec<ResourceKind> = gcp_kinds().filter(|kind| !report.kinds.contains(kind)).collect();
    assert!(missed.is_empty(), "GCP kinds no case exercises: {missed:?}");
    assert!(report.replaced.contains(&ResourceKind::GcpSubnetwork), "{:?}", report.replaced);
    assert!(report.replaced.contains(&ResourceKind::GcpVpnTunnel), "{:?}", report.replaced);

    let throttling = GcpEmulator::start(&[PROJECT], &["--throttle-rate", "1.0"]);
    let throttled_gcp: Arc<dyn Provider> = Arc::new(provider(&throttling.url));
    let throttled_hosts =
        Simulator::in_memory().with_knobs(isopod_simulator::Knobs { throttle_rate: 1.0, ..Default::default() });
    let throttled: Providers = &|cloud: Cloud| match cloud {
        Cloud::Gcp => throttled_gcp.clone(),
        _ => Arc::new(throttled_hosts.provider(cloud)),
    };
    run(throttled_must_pass(throttled, &report));
}

/// The planner always asks for `GLOBAL` routing; a network of the stack found `REGIONAL` (made
/// by an older version, or changed by hand) is patched in place, not replaced.
#[test]
fn a_networks_routing_mode_changes_in_place() {
    use isopod_catalog::{Ownership, Resource, ResourceId, Scope, Value};
    let emulator = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05"]);
    let gcp = provider(&emulator.url);
    let id = ResourceId::new(ResourceKind::GcpNetwork, "app");
    let scope = Scope { cloud: "gcp.central".into(), region: "global".into() };
    let network = |mode: &str| Resource {
        id: id.clone(),
        scope: scope.clone(),
        attrs: Arc::new(
            [("name".into(), Value::string("routing-app")), ("routing_mode".into(), Value::string(mode))].into(),
        ),
        depends_on: Vec::new(),
        object: "network.app".into(),
    };
    let owner = Ownership { stack: "routing".into(), id: id.clone() };
    let mode = || {
        let found = run(gcp.discover(&scope, &[ResourceKind::GcpNetwork])).unwrap();
        let ours = found.into_iter().find(|r| r.owned_by("routing") == Some(&id)).expect("found, owned");
        ours.attrs["routing_mode"].clone()
    };
    let created = run(gcp.create(&network("REGIONAL"), &owner)).unwrap();
    assert_eq!(mode(), Value::string("REGIONAL"));
    run(gcp.update(&created.provider_id, &network("GLOBAL"))).unwrap();
    assert_eq!(mode(), Value::string("GLOBAL"), "patched, and still the stack's");
    let patches = emulator.requests().iter().filter(|line| line.contains("\"PATCH\"")).count();
    assert_eq!(patches, 1, "one networks.patch");
}

/// A subnetwork's flow logs are its `logConfig`: turned on, changed and turned off by patches of
/// the subnetwork, found on it while they are on, owned through it.
#[test]
fn flow_logs_are_patched_onto_their_subnetwork_and_off_again() {
    use isopod_catalog::{Ownership, Resource, ResourceId, Scope, Value};
    let emulator = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05"]);
    let gcp = provider(&emulator.url);
    let scope = Scope { cloud: "gcp.central".into(), region: "us-central1".into() };
    let global = Scope { region: "global".into(), ..scope.clone() };
    let resource = |kind: ResourceKind, scope: &Scope, attrs: &[(&str, &str)]| Resource {
        id: ResourceId::new(kind, "app"),
        scope: scope.clone(),
        attrs: Arc::new(
            attrs.iter().map(|(name, value)| (isopod_catalog::Name::intern(name), Value::string(*value))).collect(),
        ),
        depends_on: Vec::new(),
        object: "network.app".into(),
    };
    let owner = |kind: ResourceKind| Ownership { stack: "logs".into(), id: ResourceId::new(kind, "app") };
    let network = resource(ResourceKind::GcpNetwork, &global, &[("name", "logs-app"), ("routing_mode", "GLOBAL")]);
    run(gcp.create(&network, &owner(ResourceKind::GcpNetwork))).unwrap();
    let subnetwork =
        [("name", "logs-app"), ("network", "logs-app"), ("region", "us-central1"), ("ip_cidr_range", "10.90.0.0/24")];
    run(gcp.create(&resource(ResourceKind::GcpSubnetwork, &scope, &subnetwork), &owner(ResourceKind::GcpSubnetwork)))
        .unwrap();
    let logs = |sampling: &str| {
        let attrs = [
            ("subnetwork", "logs-app"),
            ("region", "us-central1"),
            ("aggregation_interval", "INTERVAL_30_SEC"),
            ("flow_sampling", sampling),
            ("metadata", "INCLUDE_ALL_METADATA"),
        ];
        resource(ResourceKind::GcpSubnetworkFlowLogs, &scope, &attrs)
    };
    let found = || {
        let found = run(gcp.discover(&scope, &[ResourceKind::GcpSubnetworkFlowLogs])).unwrap();
        found.into_iter().find(|r| r.owner.as_ref().is_some_and(|o| o.stack == "logs"))
    };
    assert!(found().is_none(), "a new subnetwork logs nothing");
    let created = run(gcp.create(&logs("0.25"), &owner(ResourceKind::GcpSubnetworkFlowLogs))).unwrap();
    assert_eq!(created.provider_id, "logs-app:us-central1");
    let live = found().expect("on, and the stack's through its subnetwork");
    assert_eq!(live.provider_id, created.provider_id);
    assert_eq!(live.attrs, logs("0.25").attrs.as_ref().clone(), "read back as written");
    run(gcp.update(&created.provider_id, &logs("0.1"))).unwrap();
    assert_eq!(found().expect("still on").attrs["flow_sampling"], Value::string("0.1"));
    run(gcp.delete(&created.provider_id, ResourceKind::GcpSubnetworkFlowLogs, &scope)).unwrap();
    assert!(found().is_none(), "off");
    let patches = emulator.requests().iter().filter(|line| line.contains("\"PATCH\"")).count();
    assert_eq!(patches, 3, "on, changed, off: one subnetworks.patch each");
}
