//! Discovery against the GCP emulator: the API calls the provider makes to discover every GCP
//! kind of a 50-network configuration in 3 regions, over the fewest calls possible (each
//! collection listed once per page: `aggregatedList` for regional ones, across all regions;
//! record sets once per page of each of the stack's zones). Run with the emulator's default page
//! size and with pages of 20, so that paging shows. Prints figures and ratios.
//!
//! Run: `cargo bench -p isopod-gcp --bench gcp_discovery`

use isopod_catalog::{Cloud, Ownership, ResourceKind, Scope};
use isopod_gcp::{GcpProvider, GcpSettings, Polling};
use isopod_provider::Provider;
use isopod_test_support::{GcpEmulator, topology};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const PROJECT: &str = "isopod-bench";
const REGIONS: [&str; 3] = ["us-central1", "us-west1", "europe-west1"];
const NETWORKS: usize = 50;

/// 50 networks of two subnets each, spread over 3 regions of one project (one cloud block, as
/// GCP networks span regions).
fn configuration(url: &str) -> String {
    let mut text = format!(
        "stack \"bench\" {{}}\ncloud \"gcp\" \"data\" {{\n  project  = \"{PROJECT}\"\n  region   = \"{}\"\n  endpoint = \"{url}\"\n}}\n",
        REGIONS[0]
    );
    for n in 0..NETWORKS {
        let region = REGIONS[n % REGIONS.len()];
        text += &format!(
            "network \"n{n}\" {{\n  cloud  = cloud.gcp.data\n  region = \"{region}\"\n  cidr   = \"10.{n}.0.0/16\"\n  subnet \"a\" {{\n    cidr = \"10.{n}.1.0/24\"\n  }}\n  subnet \"b\" {{\n    cidr = \"10.{n}.2.0/24\"\n  }}\n}}\n"
        );
    }
    text
}

/// The collection each kind is listed from (kinds that live inside another's resource share it).
fn collection(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::GcpNetwork | ResourceKind::GcpNetworkPeering => "networks",
        ResourceKind::GcpSubnetwork => "subnetworks",
        ResourceKind::GcpHaVpnGateway => "vpnGateways",
        ResourceKind::GcpExternalVpnGateway => "externalVpnGateways",
        ResourceKind::GcpRouter | ResourceKind::GcpRouterPeer => "routers",
        ResourceKind::GcpVpnTunnel => "vpnTunnels",
        ResourceKind::GcpAddress => "addresses",
        ResourceKind::GcpForwardingRule => "forwardingRules",
        ResourceKind::GcpDnsManagedZone => "managedZones",
        ResourceKind::GcpDnsRecordSet => "rrsets",
        other => panic!("{other} is not a GCP kind"),
    }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn bench(page: Option<usize>) {
    let cap = page.map(|page| page.to_string());
    let knobs: Vec<&str> = match &cap {
        Some(cap) => vec!["--provisioning-delay", "0", "--max-results-cap", cap],
        None => vec!["--provisioning-delay", "0"],
    };
    let emulator = GcpEmulator::start(&[PROJECT], &knobs);
    let polling = Polling { first: Duration::from_millis(5), longest: Duration::from_millis(20), ..Polling::default() };
    let settings = GcpSettings {
        project: PROJECT.into(),
        endpoint: Some(emulator.url.clone()),
        polling,
        ..GcpSettings::default()
    };
    let provider = GcpProvider::new(settings);
    let topology = topology(&configuration(&emulator.url));
    let (plan, desired) = isopod_planner::plan(&topology, &[]).expect("plans");
    for change in &plan.changes {
        let resource = &desired.resources[&change.id];
        let owner = Ownership { stack: "bench".into(), id: change.id.clone() };
        run(provider.create(resource, &owner)).unwrap_or_else(|err| panic!("{}: {err}", change.id));
    }
    // The cloud block's scopes, as the binary discovers them: the project's global resources
    // and the regions the configuration uses.
    let mut scopes = vec![Scope { cloud: "gcp.data".into(), region: "global".into() }];
    scopes.extend(REGIONS.iter().map(|region| Scope { cloud: "gcp.data".into(), region: region.to_string() }));
    let kinds: Vec<ResourceKind> = ResourceKind::all().filter(|kind| kind.cloud() == Cloud::Gcp).collect();
    let before = emulator.requests().len();
    let started = Instant::now();
    let found = run(provider.discover_scopes(&scopes, &kinds)).expect("discovers");
    let wall = started.elapsed();
    let calls = emulator.requests().len() - before;
    // The fewest calls: a page per collection listed at all, more when it holds more than a page.
    let mut held: BTreeMap<&str, usize> = kinds.iter().map(|kind| (collection(*kind), 0)).collect();
    // Record sets are listed per zone of the stack: this configuration has none.
    held.remove("rrsets");
    for resource in desired.resources.values() {
        let kind = resource.id.kind;
        if !matches!(kind, ResourceKind::GcpNetworkPeering | ResourceKind::GcpRouterPeer) {
            *held.entry(collection(kind)).or_default() += 1;
        }
    }
    let per_page = page.unwrap_or(500);
    let bound: usize = held.values().map(|n| n.div_ceil(per_page).max(1)).sum();
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
    bench(Some(20));
}
