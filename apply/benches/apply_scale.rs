//! Apply against the simulator with latency on every call and provisioning times, compared with
//! two bounds measured from the same calls: the critical path of the call graph (the longest
//! chain of calls, each costing its latency and its resource's provisioning time) and the serial
//! sum (every call one after the other). Prints figures and ratios.
//!
//! Run: `cargo bench -p isopod-apply --bench apply_scale`

use isopod_apply::{Bounds, Call, Context, Operations, Settings, execute};
use isopod_catalog::{Cloud, ResourceKind};
use isopod_provider::Provider;
use isopod_simulator::Simulator;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The allocator the `isopod` binary uses (`src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Every call's latency.
const LATENCY: Duration = Duration::from_millis(20);
/// The real time of one simulated minute of provisioning: an Azure gateway (45 minutes) takes
/// 900 ms, an AWS VPN connection (5) 100 ms.
const MINUTE: Duration = Duration::from_millis(20);

use isopod_test_support::topology;

/// The provider calls a change needs at least, and how long it takes at best when a call takes
/// `latency`: its call, and after a create of a kind the clouds provision asynchronously, the
/// provisioning time and one look to see it done.
fn cost(kind: ResourceKind, create: bool, latency: Duration) -> (u32, Duration) {
    match kind.provisioning_seconds() {
        seconds if create && seconds > 0 => (2, latency * 2 + MINUTE * seconds as u32 / 60),
        _ => (1, latency),
    }
}

/// How long a call's latency lasts in fact: the mean time the runtime's timer takes to end
/// `parallelism` sleeps of [`LATENCY`] at once, over a few rounds. Its millisecond grain adds to
/// every sleep, which no executor can avoid, so the bounds are given at both latencies.
fn served_latency(runtime: &tokio::runtime::Runtime, parallelism: usize) -> Duration {
    const ROUNDS: u32 = 20;
    let mut total = Duration::ZERO;
    for _ in 0..ROUNDS {
        let sleeps: Vec<_> = (0..parallelism)
            .map(|_| {
                runtime.spawn(async {
                    let started = tokio::time::Instant::now();
                    tokio::time::sleep(LATENCY).await;
                    started.elapsed()
                })
            })
            .collect();
        for sleep in sleeps {
            total += runtime.block_on(sleep).expect("a sleep does not panic");
        }
    }
    total / (ROUNDS * parallelism as u32)
}

/// What bounds a run whose calls take `latency`.
struct Bound {
    /// The longest chain of calls, and every call one after the other.
    chains: Bounds,
    /// The fewest calls it must make, spread over the parallelism.
    throughput: Duration,
    /// The largest of the critical path, the throughput and the rate bound.
    total: Duration,
}

/// The bound of a run whose calls take `latency`: no run can beat the longest chain, nor the
/// calls it must make spread over `parallelism`, nor under a rate the busiest cloud's calls at
/// that rate (`rated`).
fn bound(operations: &Operations, parallelism: usize, rated: Duration, latency: Duration) -> Bound {
    let cost_of =
        |operation: &isopod_apply::Operation| cost(operation.id.kind, operation.call == Call::Create, latency);
    let chains = operations.critical_path(|operation| cost_of(operation).1);
    let fewest_calls: u32 = operations.graph.node_weights().map(|operation| cost_of(operation).0).sum();
    let throughput = latency * fewest_calls / parallelism as u32;
    Bound { chains, throughput, total: chains.critical_path.max(throughput).max(rated) }
}

/// The ratios of one run: its wall time over its bound at the nominal latency, and at the
/// latency the timer serves.
struct Ratios {
    nominal: f64,
    served: f64,
}

/// `rate`: the calls per second each cloud accepts (the simulator throttles beyond), and the
/// executor's own per-cloud limit just under it.
/// Applies `text` and prints its figures.
fn bench(name: &str, text: &str, parallelism: usize, rate: Option<u32>) -> Ratios {
    let topology = topology(text);
    let (plan, desired) = isopod_planner::plan(&topology, &[]).expect("plans");
    let operations = Operations::new(&plan.changes, &desired, &[]);
    let graph = &operations.graph;
    // The bounds, from the graph itself: the calls each cloud must make, for the rate bound.
    let mut per_cloud: BTreeMap<Cloud, u32> = BTreeMap::new();
    for operation in graph.node_weights() {
        let (calls, _) = cost(operation.id.kind, operation.call == Call::Create, LATENCY);
        *per_cloud.entry(operation.id.kind.cloud()).or_default() += calls;
    }
    let fewest_calls: u32 = per_cloud.values().sum();
    let client_rate = rate.map(|rate| rate * 9 / 10);
    let rated = client_rate.map_or(Duration::ZERO, |rate| {
        Duration::from_secs_f64(per_cloud.values().copied().max().unwrap_or(0) as f64 / rate as f64)
    });
    let nominal = bound(&operations, parallelism, rated, LATENCY);
    let Bounds { critical_path: critical, serial } = nominal.chains;
    let changes = graph.node_count();

    let mut knobs = format!("latency={}ms,minute={}ms", LATENCY.as_millis(), MINUTE.as_millis());
    if let Some(rate) = rate {
        knobs.push_str(&format!(",rate={rate}"));
    }
    let simulator = Simulator::in_memory().with_knobs(knobs.parse().expect("valid knobs"));
    let providers: BTreeMap<Cloud, Arc<dyn Provider>> = [Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Host]
        .into_iter()
        .map(|cloud| (cloud, Arc::new(simulator.provider(cloud)) as Arc<dyn Provider>))
        .collect();
    let context = Context {
        stack: plan.stack.clone(),
        providers,
        observed: Arc::new(Vec::new()),
        secrets: Arc::new(|_: &str| Some("Bench0key0for0every0tunnel0000000".to_string())),
        in_flight: Arc::default(),
        journal: None,
        events: Arc::new(|_| {}),
    };
    // Provisioning is looked at every 10 ms: the simulator's minutes are short.
    let settings =
        Settings { parallelism, rate_limit: client_rate, first_poll: Duration::from_millis(10), ..Settings::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let served = served_latency(&runtime, parallelism);
    let served_bound = bound(&operations, parallelism, rated, served).total;
    let started = Instant::now();
    let summary = runtime.block_on(execute(operations, &context, &settings));
    let wall = started.elapsed();
    assert!(summary.succeeded(), "{summary:?}");
    let calls_made: u64 = simulator.calls().values().sum();
    let limit =
        rate.map_or(String::new(), |rate| format!(", clouds accept {rate}/s, executor sends {}/s", rate * 9 / 10));
    println!(
        "{name}, {changes} calls, parallelism {parallelism}{limit}: wall {:.2} s | critical path {:.2} s, calls / parallelism {:.2} s: \
         bound {:.2} s, wall / bound {:.2} | at the {:.1} ms the timer serves: bound {:.2} s, wall / bound {:.2} | \
         serial {:.1} s, serial / wall {:.0}x | {calls_made} API calls, {fewest_calls} at least",
        wall.as_secs_f64(),
        critical.as_secs_f64(),
        nominal.throughput.as_secs_f64(),
        nominal.total.as_secs_f64(),
        wall.as_secs_f64() / nominal.total.as_secs_f64(),
        served.as_secs_f64() * 1e3,
        served_bound.as_secs_f64(),
        wall.as_secs_f64() / served_bound.as_secs_f64(),
        serial.as_secs_f64(),
        serial.as_secs_f64() / wall.as_secs_f64(),
    );
    if rate.is_none() && changes > 1000 {
        // Ordering a destroy of everything just applied: its deletions are ordered by index.
        let scopes: std::collections::BTreeSet<_> = plan.changes.iter().map(|c| c.scope.clone()).collect();
        let mut observed = Vec::new();
        for scope in &scopes {
            let cloud = plan.changes.iter().find(|c| &c.scope == scope).map(|c| c.id.kind.cloud()).unwrap();
            let kinds: Vec<ResourceKind> = ResourceKind::all().filter(|k| k.cloud() == cloud).collect();
            let provider = simulator.provider(cloud);
            observed.extend(runtime.block_on(provider.discover(scope, &kinds)).expect("discovery succeeds"));
        }
        let nothing = isopod_planner::Desired { stack: plan.stack.clone(), ..Default::default() };
        let started = Instant::now();
        let destroy =
            isopod_planner::Plan::new(&nothing, isopod_planner::diff(&nothing, &observed), &observed).unwrap();
        let deletions = Operations::new(&destroy.changes, &nothing, &observed);
        println!(
            "{name}: planning and ordering the destroy of {} resources ({} edges) took {:.0} ms",
            deletions.graph.node_count(),
            deletions.graph.edge_count(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    Ratios {
        nominal: wall.as_secs_f64() / nominal.total.as_secs_f64(),
        served: wall.as_secs_f64() / served_bound.as_secs_f64(),
    }
}

fn main() {
    let three_cloud = include_str!("../../examples/three-cloud-mesh/main.iso");
    let mesh = isopod_test_support::mesh::full_mesh("bench", 50);
    let ratios = [
        bench("three-cloud mesh example", three_cloud, 8, None),
        bench("three-cloud mesh example", three_cloud, 64, None),
        bench("50-network mesh", &mesh, 64, None),
        bench("50-network mesh", &mesh, 256, None),
        bench("50-network mesh", &mesh, 256, Some(2000)),
    ];
    let worst = |ratio: fn(&Ratios) -> f64| ratios.iter().map(ratio).fold(0.0, f64::max);
    println!("worst wall / bound at the nominal latency: {:.2}", worst(|r| r.nominal));
    // The last line, for scripts.
    println!("worst wall / bound: {:.2}", worst(|r| r.served));
}
