//! Discovery against the Azure emulator: the ARM calls the provider makes to discover every
//! Azure kind of a 30-network configuration in 3 regions (one cloud block, so one resource
//! group), over the fewest calls possible: the subscription's resource groups listed once, then
//! each collection of the block's group listed once per page (virtual networks bring their
//! subnets and peerings; each private DNS zone's links and records are listed per zone). Run
//! with the emulator's default page size and with pages of 10, so that paging shows. Prints
//! figures and ratios.
//!
//! Run: `cargo bench -p isopod-azure --bench azure_discovery`

use isopod_azure::{AzureProvider, AzureSettings, Polling};
use isopod_catalog::{Cloud, Ownership, ResourceKind, Scope};
use isopod_provider::Provider;
use isopod_test_support::{AzureEmulator, topology};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const SUBSCRIPTION: &str = "6f1c2a4e-0d3b-4c8a-9e2f-5a7b8c9d0e1f";
const REGIONS: [&str; 3] = ["westeurope", "northeurope", "uksouth"];
const NETWORKS: usize = 30;

/// 30 virtual networks of two subnets each, spread over 3 regions of one cloud block (the bench
/// creates each resource on its own, so nothing refers to another's outputs: no peerings).
fn configuration(url: &str) -> String {
    let mut text = format!(
        "stack \"bench\" {{}}\ncloud \"azure\" \"corp\" {{\n  subscription = \"{SUBSCRIPTION}\"\n  region       = \"{}\"\n  endpoint     = \"{url}\"\n}}\n",
        REGIONS[0]
    );
    for n in 0..NETWORKS {
        let region = REGIONS[n % REGIONS.len()];
        text += &format!(
            "network \"n{n}\" {{\n  cloud  = cloud.azure.corp\n  region = \"{region}\"\n  cidr   = \"10.{n}.0.0/16\"\n  subnet \"a\" {{\n    cidr = \"10.{n}.1.0/24\"\n  }}\n  subnet \"b\" {{\n    cidr = \"10.{n}.2.0/24\"\n  }}\n}}\n"
        );
    }
    text
}

/// The collection of a resource group each kind is listed from (kinds that live inside
/// another's resource share it); `None` for the subscription's groups and per-zone lists.
fn collection(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::AzureVirtualNetwork | ResourceKind::AzureSubnet | ResourceKind::AzureVirtualNetworkPeering => {
            Some("virtualNetworks")
        }
        ResourceKind::AzurePublicIp => Some("publicIPAddresses"),
        ResourceKind::AzureVirtualNetworkGateway => Some("virtualNetworkGateways"),
        ResourceKind::AzureLocalNetworkGateway => Some("localNetworkGateways"),
        ResourceKind::AzureVpnConnection => Some("connections"),
        ResourceKind::AzurePrivateEndpoint => Some("privateEndpoints"),
        ResourceKind::AzurePrivateDnsZone => Some("privateDnsZones"),
        _ => None,
    }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn bench(page: Option<usize>) {
    let size = page.map(|page| page.to_string());
    let mut knobs = vec!["--provisioning-delay", "0"];
    if let Some(size) = &size {
        knobs.extend(["--page-size", size]);
    }
    let emulator = AzureEmulator::start(&[SUBSCRIPTION], &knobs);
    let polling = Polling { first: Duration::from_millis(5), longest: Duration::from_millis(20), ..Polling::default() };
    let provider = AzureProvider::new(AzureSettings {
        subscription: SUBSCRIPTION.into(),
        endpoint: Some(emulator.url.clone()),
        polling,
        ..AzureSettings::default()
    });
    let topology = topology(&configuration(&emulator.url));
    let (plan, desired) = isopod_planner::plan(&topology, &[]).expect("plans");
    for change in &plan.changes {
        let resource = &desired.resources[&change.id];
        let owner = Ownership { stack: "bench".into(), id: change.id.clone() };
        run(provider.create(resource, &owner)).unwrap_or_else(|err| panic!("{}: {err}", change.id));
    }
    let scopes: Vec<Scope> =
        REGIONS.iter().map(|region| Scope { cloud: "azure.corp".into(), region: region.to_string() }).collect();
    let kinds: Vec<ResourceKind> = ResourceKind::all().filter(|kind| kind.cloud() == Cloud::Azure).collect();
    let before = emulator.requests().len();
    let started = Instant::now();
    let found = run(provider.discover_scopes(&scopes, &kinds)).expect("discovers");
    let wall = started.elapsed();
    let calls = emulator.requests().len() - before;
    // The fewest calls: the subscription's groups (one page: the block's is the only one), then a
    // page per collection of the group, more when it holds more than a page. The configuration
    // has no private DNS zone, so nothing is listed per zone.
    let mut held: BTreeMap<&str, usize> = kinds.iter().filter_map(|kind| Some((collection(*kind)?, 0))).collect();
    for resource in desired.resources.values() {
        if matches!(resource.id.kind, ResourceKind::AzureSubnet | ResourceKind::AzureVirtualNetworkPeering) {
            continue;
        }
        if let Some(collection) = collection(resource.id.kind) {
            *held.entry(collection).or_default() += 1;
        }
    }
    let per_page = page.unwrap_or(100);
    let bound: usize = 1 + held.values().map(|n| n.div_ceil(per_page).max(1)).sum::<usize>();
    let owned = found.iter().filter(|resource| resource.owner.is_some()).count();
    assert_eq!(owned, desired.resources.len(), "discovery finds everything the bench made");
    println!(
        "{NETWORKS} networks, {} resources in {} regions, pages of {per_page}: {calls} discovery calls, fewest possible {bound}: \
         ratio {:.2}; {} resources found in {:.0} ms",
        desired.resources.len(),
        REGIONS.len(),
        calls as f64 / bound as f64,
        found.len(),
        wall.as_secs_f64() * 1000.0,
    );
}

fn main() {
    bench(None);
    bench(Some(10));
}
