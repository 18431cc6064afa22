//! The examples applied for real through the clouds' SDKs, compared with the critical path of
//! the same run: the longest chain of the plan's call graph, each call costing what it took in
//! this run (its request, the operation it waits for, its provisioning looks). Wall over that
//! bound is what the executor's scheduling adds.
//!
//! - `two-cloud-tunnel`: AWS (moto's EC2 server) and GCP (the emulator: HA VPN gateways and
//!   tunnels provisioning for a scaled 0.5 s, other operations 0.05 s).
//! - `three-cloud-mesh` without its host: AWS, GCP as above, and Azure (the emulator: a VPN
//!   gateway provisioning for a scaled 2 s, its 45 minutes at 22.5 minutes a second; other
//!   operations 0.05 s).
//!
//! Prints figures and ratios; each configuration runs twice.
//!
//! Run: `cargo bench -p isopod-azure --bench cloud_apply`

use isopod_apply::{Context, Event, Operations, Settings, execute};
use isopod_aws::{AwsProvider, AwsSettings};
use isopod_azure::{AzureProvider, AzureSettings};
use isopod_catalog::{Cloud, ResourceId};
use isopod_gcp::{GcpProvider, GcpSettings};
use isopod_provider::Provider;
use isopod_test_support::{AzureEmulator, GcpEmulator, Moto, topology};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PROJECT: &str = "acme-data";
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// The clouds' servers of one run (stopped when dropped), and their providers.
struct Clouds {
    _moto: Moto,
    gcp: GcpEmulator,
    azure: Option<AzureEmulator>,
    providers: BTreeMap<Cloud, Arc<dyn Provider>>,
}

/// Polls every 20 ms at first, at most every 100 ms: the emulators' minutes are short.
fn quick() -> (Duration, Duration) {
    (Duration::from_millis(20), Duration::from_millis(100))
}

fn clouds(with_azure: bool) -> Clouds {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.5"]);
    let (first, longest) = quick();
    let aws = AwsProvider::new(AwsSettings {
        endpoint: Some(moto.url.clone()),
        static_credentials: Some(("testing".into(), "testing".into())),
        ..AwsSettings::default()
    });
    let gcp_provider = GcpProvider::new(GcpSettings {
        project: PROJECT.into(),
        endpoint: Some(gcp.url.clone()),
        polling: isopod_gcp::Polling { first, longest, ..isopod_gcp::Polling::default() },
        ..GcpSettings::default()
    });
    let mut providers: BTreeMap<Cloud, Arc<dyn Provider>> =
        [(Cloud::Aws, Arc::new(aws) as Arc<dyn Provider>), (Cloud::Gcp, Arc::new(gcp_provider) as Arc<dyn Provider>)]
            .into();
    let azure = with_azure.then(|| {
        let knobs = ["--provisioning-delay", "0.05", "--delay", "virtualNetworkGateways=2", "--retry-after-ms", "20"];
        let azure = AzureEmulator::start(&[SUBSCRIPTION], &knobs);
        let provider = AzureProvider::new(AzureSettings {
            subscription: SUBSCRIPTION.into(),
            endpoint: Some(azure.url.clone()),
            polling: isopod_azure::Polling { first, longest, ..isopod_azure::Polling::default() },
            ..AzureSettings::default()
        });
        providers.insert(Cloud::Azure, Arc::new(provider));
        azure
    });
    Clouds { _moto: moto, gcp, azure, providers }
}

fn bench(name: &str, text: &str, with_azure: bool, run: usize) {
    let clouds = clouds(with_azure);
    let (plan, desired) = isopod_planner::plan(&topology(text), &[]).expect("plans");
    let operations = Operations::new(&plan.changes, &desired, &[]);
    let calls = Operations { graph: operations.graph.clone() };
    let took: Arc<Mutex<BTreeMap<ResourceId, f64>>> = Arc::default();
    let recorded = took.clone();
    let context = Context {
        stack: plan.stack.clone(),
        providers: clouds.providers.clone(),
        observed: Arc::new(Vec::new()),
        secrets: Arc::new(|_: &str| Some("Bench0key0for0every0tunnel0000000".to_string())),
        in_flight: Arc::default(),
        journal: None,
        events: Arc::new(move |event| {
            if let Event::Finished { id, seconds, .. } = event {
                recorded.lock().unwrap().insert(id.clone(), *seconds);
            }
        }),
    };
    let settings = Settings { parallelism: 16, first_poll: quick().0, ..Settings::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let summary = runtime.block_on(execute(operations, &context, &settings));
    let wall = started.elapsed().as_secs_f64();
    assert!(summary.succeeded(), "{summary:?}");
    // The critical path of the same graph, each call costing what it took.
    let took = took.lock().unwrap();
    let bounds = calls.critical_path(|operation| Duration::from_secs_f64(took[&operation.id]));
    let (critical, serial) = (bounds.critical_path.as_secs_f64(), bounds.serial.as_secs_f64());
    let azure_calls = clouds.azure.as_ref().map_or(0, |azure| azure.requests().len());
    println!(
        "{name}, run {run}: {} changes: wall {wall:.2} s | critical path {critical:.2} s, wall / critical path {:.2} | \
         serial sum {serial:.2} s | {} GCP requests, {azure_calls} Azure requests",
        calls.graph.node_count(),
        wall / critical,
        clouds.gcp.requests().len(),
    );
}

fn main() {
    let two_cloud = include_str!("../../../examples/two-cloud-tunnel/main.iso");
    let three_cloud = isopod_test_support::examples::three_cloud_mesh();
    for run in 1..=2 {
        bench("two-cloud-tunnel (AWS, GCP)", two_cloud, false, run);
    }
    for run in 1..=2 {
        bench("three-cloud-mesh without its host (AWS, GCP, Azure)", &three_cloud, true, run);
    }
}
