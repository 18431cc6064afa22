//! The Azure provider keeps the provider contract for every Azure kind: the must-pass suite
//! (`isopod-conformance`) against the Azure emulator on 127.0.0.1 (every request body checked
//! against the models of Microsoft's Python SDK), over configurations that together lower to
//! every Azure kind (what is at the other end, a host or an AWS network, is the simulator's: the
//! Azure provider is what is under test), changed in place and by replacement; then the same
//! calls against an emulator that throttles every call.

use isopod_azure::{AzureProvider, AzureSettings, Polling};
use isopod_catalog::{Cloud, ResourceKind};
use isopod_conformance::{Case, Gaps, Providers, must_pass, throttled_must_pass};
use isopod_provider::Provider;
use isopod_simulator::Simulator;
use isopod_test_support::AzureEmulator;
use std::sync::Arc;
use std::time::Duration;

const SUBSCRIPTION: &str = "6f1c2a4e-0d3b-4c8a-9e2f-5a7b8c9d0e1f";

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

/// A provider of the emulator's subscription, polling operations quickly.
fn provider(url: &str) -> AzureProvider {
    let polling =
        Polling { first: Duration::from_millis(20), longest: Duration::from_millis(200), ..Polling::default() };
    AzureProvider::new(AzureSettings {
        subscription: SUBSCRIPTION.into(),
        endpoint: Some(url.to_string()),
        polling,
        ..AzureSettings::default()
    })
}

/// The stack and its cloud blocks (two regions of one subscription, reaching `url`; and an
/// AWS account, the simulator's).
fn clouds(stack: &str, url: &str) -> String {
    format!(
        "stack \"{stack}\" {{}}\n\ncloud \"azure\" \"europe\" {{\n  subscription = \"{SUBSCRIPTION}\"\n  region       = \"westeurope\"\n  endpoint     = \"{url}\"\n}}\n\ncloud \"azure\" \"us\" {{\n  subscription = \"{SUBSCRIPTION}\"\n  region       = \"eastus\"\n  endpoint     = \"{url}\"\n}}\n\ncloud \"aws\" \"east\" {{\n  region = \"us-east-1\"\n}}\n"
    )
}

/// Two virtual networks in two regions (two cloud blocks, two resource groups) joined by a
/// tunnel: a global peering, both ways; the flows of one logged by its region's Network Watcher.
const PEERED: &str = r#"
network "app" {
  cloud = cloud.azure.europe
  cidr  = "10.40.0.0/16"
  tags  = { team = "app" }
}

network "data" {
  cloud = cloud.azure.europe
  cidr  = "10.41.0.0/16"
  region = "northeurope"

  flow_logs {
    destination = "/subscriptions/6f1c2a4e-0d3b-4c8a-9e2f-5a7b8c9d0e1f/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/acmeflows"
  }
}

tunnel "app-data" {
  between = [network.app, network.data]
}
"#;

/// A private endpoint in a subnet; and an AWS endpoint relayed into the Azure network (the
/// active-active gateway with BGP to AWS's four tunnels, and a private DNS zone with the
/// service's name, linked to the network).
const RELAYED: &str = r#"
network "app" {
  cloud = cloud.azure.us
  cidr  = "10.50.0.0/16"

  subnet "a" {
    cidr = "10.50.1.0/24"
  }
}

endpoint "warehouse" {
  network = network.app
  service = "/subscriptions/0b0c6f1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e/resourceGroups/partner/providers/Microsoft.Network/privateLinkServices/warehouse"
  subnets = ["a"]
}

network "shop" {
  cloud = cloud.aws.east
  cidr  = "10.52.0.0/16"

  subnet "a" {
    cidr = "10.52.1.0/24"
    zone = "us-east-1a"
  }
}

endpoint "payments" {
  network  = network.shop
  service  = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  dns_name = "payments.partner.example.com"
}

relay "payments-azure" {
  endpoint = endpoint.payments
  to       = [network.app]
}
"#;

/// The active-active gateway with BGP to a host: one local network gateway and one connection.
const TO_HOST: &str = r#"
network "app" {
  cloud = cloud.azure.europe
  cidr  = "10.60.0.0/16"
}

host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
}

tunnel "app-dc" {
  between = [network.app, host.dc]
}
"#;

/// The host moved to another address and its IKE proposals changed: the local network gateway
/// and the connection change in place.
fn to_host_changed() -> String {
    TO_HOST.replace("198.51.100.7", "198.51.100.8").replace(
        "between = [network.app, host.dc]",
        "between = [network.app, host.dc]\n  ike {\n    encryption = [\"aes256gcm16\"]\n    integrity  = [\"sha384\"]\n    dh_groups  = [20]\n  }",
    )
}

/// The endpoint's subnet moved: the subnet and the endpoint replaced.
fn relayed_changed() -> String {
    RELAYED
        .replace("10.50.1.0/24", "10.50.2.0/24")
        .replace("subnet \"a\" {\n    cidr = \"10.50.2.0/24\"", "subnet \"b\" {\n    cidr = \"10.50.2.0/24\"")
        .replace("subnets = [\"a\"]", "subnets = [\"b\"]")
}

#[test]
fn the_azure_provider_keeps_the_contract_for_every_azure_kind() {
    let emulator = AzureEmulator::start(&[SUBSCRIPTION], &["--provisioning-delay", "0.05", "--retry-after-ms", "20"]);
    let url = emulator.url.as_str();
    let case = |name: &str, stack: &str, body: &str, changed: Option<String>| Case {
        name: name.to_string(),
        text: format!("{}{body}", clouds(stack, url)),
        changed: changed.map(|changed| format!("{}{changed}", clouds(stack, url))),
    };
    let cases = [
        case("two virtual networks peered", "peered", PEERED, Some(PEERED.replace("acmeflows", "acmeflows2"))),
        case("the gateway with BGP to a host", "hosts", TO_HOST, Some(to_host_changed())),
        case(
            "an endpoint, and one relayed into Azure with a private zone",
            "relayed",
            RELAYED,
            Some(relayed_changed()),
        ),
    ];
    let azure: Arc<dyn Provider> = Arc::new(provider(url));
    let others = Simulator::in_memory();
    let providers: Providers = &|cloud: Cloud| match cloud {
        Cloud::Azure => azure.clone(),
        Cloud::Host | Cloud::Aws => Arc::new(others.provider(cloud)),
        other => panic!("no {other:?} in these cases"),
    };
    let report = run(must_pass(providers, &cases, &Gaps::default()));
    let azure_kinds = || ResourceKind::all().filter(|kind| kind.cloud() == Cloud::Azure);
    let missed: Vec<ResourceKind> = azure_kinds().filter(|kind| !report.kinds.contains(kind)).collect();
    assert!(missed.is_empty(), "Azure kinds no case exercises: {missed:?}");
    assert!(report.updated.contains(&ResourceKind::AzureVpnConnection), "{:?}", report.updated);
    assert!(report.updated.contains(&ResourceKind::AzureFlowLog), "another storage account: {:?}", report.updated);
    assert!(report.replaced.contains(&ResourceKind::AzurePrivateEndpoint), "{:?}", report.replaced);

    let throttling = AzureEmulator::start(&[SUBSCRIPTION], &["--throttle-rate", "1.0"]);
    let throttled_azure: Arc<dyn Provider> = Arc::new(provider(&throttling.url));
    let throttled_others =
        Simulator::in_memory().with_knobs(isopod_simulator::Knobs { throttle_rate: 1.0, ..Default::default() });
    let throttled: Providers = &|cloud: Cloud| match cloud {
        Cloud::Azure => throttled_azure.clone(),
        _ => Arc::new(throttled_others.provider(cloud)),
    };
    run(throttled_must_pass(throttled, &report));
}
