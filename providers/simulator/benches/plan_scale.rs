//! A no-op plan of a 200-network full mesh (19,900 tunnels) against the simulator: the
//! planner's scale. Prints wall times, resource and call counts, and peak memory.
//!
//! The mesh spans AWS (three regions) and GCP (two regions): AWS-GCP tunnels with the HA layout
//! (each AWS network on a transit gateway, since its tunnels need far more than a virtual private
//! gateway's 10 VPN connections) and peerings within each cloud. Azure cannot join a mesh this
//! size: each Azure gateway takes 30 tunnels and has 128 APIPA /30s for its BGP sessions. The
//! mesh is beyond AWS's default quota of 50 VPN connections per region (adjustable), which the
//! planner does not check: it measures the planner at scale.
//!
//! The allocator is the binary's (mimalloc), wrapped by a counting one (`peakmem-alloc`): the
//! heap's peak during discovery and the no-op plan above what was in use when discovery began
//! (the simulator's state, once the first plan and the simulated apply are dropped) is what
//! `isopod plan` itself holds: the live resources, what the configuration wants, and the plan.
//! The whole run's peak resident memory is printed too.
//!
//! Discovery and the no-op plan run three times on the largest mesh, one after the other; each
//! step's best time is given (this machine's timings vary by up to 2x between runs).
//!
//! The same mesh at 25, 50 and 100 networks gives the growth: the no-op plan's time and heap
//! against the resource count, with the fitted exponent (1 is linear). A smaller mesh runs more
//! times, as many more as it is smaller (the mesh grows as the square of its networks), so that
//! each size's best comes from about the same time spent: the smallest plans take milliseconds,
//! and the best of three of those is mostly this machine's noise, which flattens the fit.
//!
//! Run: `cargo bench -p isopod-simulator --bench plan_scale`. To measure one change against
//! another, `PLAN_SCALE_SIZES=200 PLAN_SCALE_ROUNDS=12` runs only the largest mesh, more times
//! (the growth exponent then needs at least two sizes).

use isopod_catalog::{ObservedResource, OutputRef, Ownership, ResourceId, ResourceKind, Scope};
use isopod_lang::{Inputs, MemoryHost, SourceMap};
use isopod_planner::{Live, Plan, diff, lower};
use isopod_provider::Provider;
use isopod_simulator::PAGE_SIZE;
use isopod_simulator::Simulator;
use mimalloc::MiMalloc;
use peakmem_alloc::{PeakMemAlloc, PeakMemAllocTrait as _};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// How many times discovery and the no-op plan run on the largest mesh (their best times count),
/// unless `PLAN_SCALE_ROUNDS` says; a smaller mesh runs as many times more as it is smaller.
const ROUNDS: usize = 3;

/// The sizes of the growth table; the last is the mesh of the figures above it. `PLAN_SCALE_SIZES`
/// (comma-separated) replaces them.
const SIZES: [usize; 4] = [25, 50, 100, 200];

/// What one size's run measured.
struct Figures {
    resources: usize,
    discover_ms: f64,
    plan_ms: f64,
    plan_heap_mib: f64,
}

/// The heap counted around the allocator the `isopod` binary uses (mimalloc, `src/main.rs`),
/// so that the bench plans as the binary does: the peak of the bytes in use since the last reset.
#[global_allocator]
static HEAP: PeakMemAlloc<MiMalloc> = PeakMemAlloc::new(MiMalloc);

const MIB: f64 = 1024.0 * 1024.0;

/// Peak resident memory of this process, from /proc (Linux).
fn peak_resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let sizes: Vec<usize> = match std::env::var("PLAN_SCALE_SIZES") {
        Ok(text) => text.split(',').map(|size| size.trim().parse().expect("PLAN_SCALE_SIZES: numbers")).collect(),
        Err(_) => SIZES.to_vec(),
    };
    let rounds = match std::env::var("PLAN_SCALE_ROUNDS") {
        Ok(text) => text.parse().expect("PLAN_SCALE_ROUNDS: a number"),
        Err(_) => ROUNDS,
    };
    let largest = *sizes.last().expect("at least one size");
    let figures: Vec<Figures> = sizes
        .iter()
        .map(|&networks| {
            let smaller = (largest / networks.max(1)).pow(2);
            run(networks, rounds * smaller.max(1), networks == largest)
        })
        .collect();
    println!("growth (no-op plan and the plan's own heap against resources):");
    for (networks, f) in sizes.iter().zip(&figures) {
        println!(
            "  {networks} networks, {} resources: discover {:.0} ms, no-op plan {:.0} ms, plan heap {:.0} MiB",
            f.resources, f.discover_ms, f.plan_ms, f.plan_heap_mib
        );
    }
    let resources: Vec<f64> = figures.iter().map(|f| f.resources as f64).collect();
    let time_exponent = exponent(&resources, &figures.iter().map(|f| f.plan_ms).collect::<Vec<_>>());
    let heap_exponent = exponent(&resources, &figures.iter().map(|f| f.plan_heap_mib).collect::<Vec<_>>());
    // Discovery's own growth, beside the plan's: what the machine's caches do to any pass over
    // this many resources.
    let discovery_exponent = exponent(&resources, &figures.iter().map(|f| f.discover_ms).collect::<Vec<_>>());
    println!("heap growth exponent: {heap_exponent:.2}");
    println!("discovery growth exponent: {discovery_exponent:.2}");
    let largest = figures.last().expect("sizes");
    // The last lines, for scripts.
    println!("no-op plan / discovery: {:.2}x", largest.plan_ms / largest.discover_ms);
    println!("plan heap: {:.0} MiB", largest.plan_heap_mib);
    println!("growth exponent: {time_exponent:.2}");
}

/// The slope of the least-squares line through `(log x, log y)`: `y` grows as `x` to that power.
fn exponent(x: &[f64], y: &[f64]) -> f64 {
    let points: Vec<(f64, f64)> = x.iter().zip(y).map(|(x, y)| (x.ln(), y.max(f64::MIN_POSITIVE).ln())).collect();
    let n = points.len() as f64;
    let (mean_x, mean_y) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let covariance: f64 = points.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    covariance / variance
}

/// A full mesh of `networks` planned, applied to a simulator, discovered and planned again;
/// prints the steps' figures when `verbose`.
fn run(networks: usize, rounds: usize, verbose: bool) -> Figures {
    let text = isopod_test_support::mesh::full_mesh("scale", networks);
    let mut sources = SourceMap::new();
    sources.add("scale.iso", text.clone());
    let started = Instant::now();
    let checked = isopod_lang::load(&sources, &Inputs::default(), &MemoryHost::default());
    let topology = checked.topology.expect("the configuration is valid");
    let load_time = started.elapsed();

    let started = Instant::now();
    let desired = lower(&topology, &Live::default()).expect("allocation succeeds");
    let lower_time = started.elapsed();
    assert!(desired.unplanned.is_empty(), "{:?}", desired.unplanned.first());

    // The simulated accounts hold exactly what the plan creates: apply it, call by call.
    let first = Plan::new(&desired, diff(&desired, &[]), &[]).expect("no cycle");
    let simulator = Simulator::in_memory();
    let started = Instant::now();
    let mut created: BTreeMap<ResourceId, (String, isopod_catalog::Attrs)> = BTreeMap::new();
    for change in &first.changes {
        let mut resource = desired.resources[&change.id].clone();
        let output = |wanted: &OutputRef| {
            created.get(&wanted.resource).and_then(|(provider_id, outputs)| wanted.value_in(provider_id, outputs))
        };
        for (_, value) in std::sync::Arc::make_mut(&mut resource.attrs).iter_mut() {
            value.fill(&output, &|name| Some(format!("key-of-{name}"))).expect("the plan's order creates what it uses");
        }
        let owner = Ownership { stack: first.stack.clone(), id: change.id.clone() };
        let result = block_on(simulator.provider(change.id.kind.cloud()).create(&resource, &owner))
            .expect("the simulator accepts the plan");
        created.insert(change.id.clone(), (result.provider_id, result.outputs));
    }
    let apply_time = started.elapsed();
    let first_changes = first.changes.len();
    let scopes: BTreeSet<Scope> = first.changes.iter().map(|c| c.scope.clone()).collect();
    // What each scope holds of each kind: one list call per page of it at the least.
    let mut held: BTreeMap<(&Scope, ResourceKind), usize> = BTreeMap::new();
    for change in &first.changes {
        *held.entry((&change.scope, change.id.kind)).or_default() += 1;
    }
    let pages: BTreeMap<(Scope, ResourceKind), usize> =
        held.into_iter().map(|((scope, kind), n)| ((scope.clone(), kind), n.div_ceil(PAGE_SIZE))).collect();
    drop((first, created, desired));
    // What a plan holds from here on is measured on its own: the heap's peak above what the
    // simulator's state (the stand-in for the clouds) takes, in use from here.
    HEAP.reset_peak_memory();

    // Discovery (one bulk call per kind and scope) and the no-op plan, side by side, a few
    // times: each step's best time, so that the machine's noise weighs less on their ratio.
    let mut lower_bound = 0;
    let mut calls = 0;
    let mut best = [std::time::Duration::MAX; 5];
    let mut resources = 0;
    for round in 0..rounds {
        let calls_before = simulator.calls().get("discover").copied().unwrap_or(0);
        let started = Instant::now();
        let mut observed: Vec<ObservedResource> = Vec::new();
        for scope in &scopes {
            let cloud = scope.cloud_kind().expect("a scope of a cloud block");
            let kinds: Vec<ResourceKind> = ResourceKind::all().filter(|k| k.cloud() == cloud).collect();
            if round == 0 {
                let held = |kind: &ResourceKind| pages.get(&(scope.clone(), *kind)).copied().unwrap_or(1);
                lower_bound += kinds.iter().map(held).sum::<usize>();
            }
            observed.extend(block_on(simulator.provider(cloud).discover(scope, &kinds)).expect("discovery succeeds"));
        }
        let discover_time = started.elapsed();
        calls = simulator.calls().get("discover").copied().unwrap_or(0) - calls_before;

        // The no-op plan: lower with the live allocations, diff, order.
        let started = Instant::now();
        let live = Live::from_observed(&topology.stack.name.value, &observed);
        let live_time = started.elapsed();
        let desired = lower(&topology, &live).expect("allocation succeeds");
        let lowered_time = started.elapsed();
        let changes = diff(&desired, &observed);
        let diff_time = started.elapsed();
        let plan = Plan::new(&desired, changes, &observed).expect("no cycle");
        let plan_time = started.elapsed();
        assert!(plan.is_empty(), "the plan after apply has changes");
        resources = desired.resources.len();
        let steps =
            [discover_time, live_time, lowered_time - live_time, diff_time - lowered_time, plan_time - diff_time];
        for (best, step) in best.iter_mut().zip(steps) {
            *best = (*best).min(step);
        }
    }
    let [discover_time, live_time, lower_time_noop, diff_time, order_time] = best;
    let plan_time = live_time + lower_time_noop + diff_time + order_time;

    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let plan_heap = HEAP.get_peak_memory() as f64 / MIB;
    let figures =
        Figures { resources, discover_ms: ms(discover_time), plan_ms: ms(plan_time), plan_heap_mib: plan_heap };
    if !verbose {
        return figures;
    }
    println!("networks: {networks}, tunnels: {}, resources: {resources}", topology.tunnels.len());
    println!("load (parse + check): {:.0} ms", ms(load_time));
    println!("lower (first plan): {:.0} ms", ms(lower_time));
    println!("simulated apply ({first_changes} creates): {:.0} ms", ms(apply_time));
    println!(
        "discover: {:.0} ms, {calls} API calls, lower bound {lower_bound} (kinds x scopes x pages of {PAGE_SIZE}): {:.2}x",
        ms(discover_time),
        calls as f64 / lower_bound as f64
    );
    println!(
        "no-op plan: {:.0} ms (read allocations {:.0}, lower {:.0}, diff {:.0}, order {:.0}; each step's best of {rounds})",
        ms(plan_time),
        ms(live_time),
        ms(lower_time_noop),
        ms(diff_time),
        ms(order_time)
    );
    println!(
        "the plan's own heap at its peak (above the simulator's state, in use when discovery began): {:.0} MiB",
        figures.plan_heap_mib
    );
    if let Some(peak) = peak_resident_mib() {
        println!("peak resident memory of the whole run (VmHWM): {peak:.0} MiB");
    }
    figures
}

/// Drives a simulator future, which never waits.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("simulator futures are always ready"),
    }
}
