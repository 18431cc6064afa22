//! The AWS-GCP example (`examples/two-cloud-tunnel`) applied for real through both SDKs, to
//! moto's EC2 server and the GCP emulator (HA VPN gateways and tunnels provisioning for a scaled
//! 0.5 s, other operations 0.05 s), compared with the critical path of the same run: the longest
//! chain of the plan's call graph, each call costing what it took in this run (its request, the
//! operation it waits for, its provisioning looks). Wall over that bound is what the executor's
//! scheduling adds. Prints figures and ratios; run twice.
//!
//! Run: `cargo bench -p isopod-gcp --bench aws_gcp_apply`

use isopod_apply::{Context, Event, Operations, Settings, execute};
use isopod_aws::{AwsProvider, AwsSettings};
use isopod_catalog::{Cloud, ResourceId};
use isopod_gcp::{GcpProvider, GcpSettings, Polling};
use isopod_provider::Provider;
use isopod_test_support::{GcpEmulator, Moto, topology};
use petgraph::Direction;
use petgraph::algo::toposort;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn bench(run: usize) {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&["acme-data"], &["--provisioning-delay", "0.05", "--vpn-delay", "0.5"]);
    let text = include_str!("../../../examples/two-cloud-tunnel/main.iso");
    let (plan, desired) = isopod_planner::plan(&topology(text), &[]).expect("plans");
    let operations = Operations::new(&plan.changes, &desired, &[]);
    let graph = operations.graph.clone();
    let aws = AwsProvider::new(AwsSettings {
        endpoint: Some(moto.url.clone()),
        static_credentials: Some(("testing".into(), "testing".into())),
        ..AwsSettings::default()
    });
    let polling =
        Polling { first: Duration::from_millis(20), longest: Duration::from_millis(100), ..Polling::default() };
    let gcp_provider = GcpProvider::new(GcpSettings {
        project: "acme-data".into(),
        endpoint: Some(gcp.url.clone()),
        polling,
        ..GcpSettings::default()
    });
    let providers: BTreeMap<Cloud, Arc<dyn Provider>> =
        [(Cloud::Aws, Arc::new(aws) as Arc<dyn Provider>), (Cloud::Gcp, Arc::new(gcp_provider) as Arc<dyn Provider>)]
            .into();
    let took: Arc<Mutex<BTreeMap<ResourceId, f64>>> = Arc::default();
    let recorded = took.clone();
    let context = Context {
        stack: plan.stack.clone(),
        providers,
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
    let settings = Settings { parallelism: 16, first_poll: Duration::from_millis(20), ..Settings::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let summary = runtime.block_on(execute(operations, &context, &settings));
    let wall = started.elapsed().as_secs_f64();
    assert!(summary.succeeded(), "{summary:?}");
    // The critical path of the same graph, each call costing what it took.
    let took = took.lock().unwrap();
    let mut finish = vec![0.0_f64; graph.node_count()];
    let mut serial = 0.0;
    for node in toposort(&graph, None).expect("no circle") {
        let own = took[&graph[node].id];
        serial += own;
        let start = graph.neighbors_directed(node, Direction::Incoming).map(|p| finish[p.index()]).fold(0.0, f64::max);
        finish[node.index()] = start + own;
    }
    let critical = finish.iter().copied().fold(0.0, f64::max);
    let gcp_calls = gcp.requests().len();
    println!(
        "run {run}: {} changes: wall {wall:.2} s | critical path {critical:.2} s, wall / critical path {:.2} | \
         serial sum {serial:.2} s | {gcp_calls} GCP requests",
        graph.node_count(),
        wall / critical,
    );
}

fn main() {
    bench(1);
    bench(2);
}
