//! The no-op plan of a full mesh against the simulator, shared by the plan benches:
//! `plan_scale` times it with the allocator the `isopod` binary uses, `plan_heap` counts its heap
//! around that allocator. (Counting takes two atomic operations on one shared counter per
//! allocation, which the passes on every core contend for: the times of a counted plan are not
//! the binary's.)

use isopod_catalog::{ObservedResource, OutputRef, Ownership, ResourceId, ResourceKind, Scope};
use isopod_lang::{Inputs, MemoryHost, SourceMap};
use isopod_planner::{Live, Plan, diff, lower};
use isopod_provider::Provider;
use isopod_simulator::PAGE_SIZE;
use isopod_simulator::Simulator;
use peakmem_alloc::PeakMemAllocTrait;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// How many times discovery and the no-op plan run on the largest mesh (their best times count),
/// unless `PLAN_SCALE_ROUNDS` says; a smaller mesh runs as many times more as it is smaller.
const ROUNDS: usize = 3;

/// The sizes of the growth table; the last is the mesh of the figures above it. `PLAN_SCALE_SIZES`
/// (comma-separated) replaces them.
const SIZES: [usize; 4] = [25, 50, 100, 200];

/// What one size's run measured.
pub struct Figures {
    /// The desired resources.
    pub resources: usize,
    /// Discovery's best time.
    pub discover_ms: f64,
    /// The no-op plan's: the sum of its steps' best times.
    pub plan_ms: f64,
    /// The plan's own heap at its peak, when counted.
    pub plan_heap_mib: Option<f64>,
}

const MIB: f64 = 1024.0 * 1024.0;

/// Peak resident memory of this process, from /proc (Linux).
fn peak_resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The sizes (`PLAN_SCALE_SIZES`, else [`SIZES`]) and the largest mesh's rounds
/// (`PLAN_SCALE_ROUNDS`, else [`ROUNDS`], or one when the heap is counted: its peak is that of
/// any round), each size run (a smaller mesh as many times more as it is smaller) and its
/// figures, the largest's steps printed; the heap counted with `heap`.
pub fn sizes(heap: Option<&dyn PeakMemAllocTrait>) -> Vec<(usize, Figures)> {
    let sizes: Vec<usize> = match std::env::var("PLAN_SCALE_SIZES") {
        Ok(text) => text.split(',').map(|size| size.trim().parse().expect("PLAN_SCALE_SIZES: numbers")).collect(),
        Err(_) => SIZES.to_vec(),
    };
    let rounds = match std::env::var("PLAN_SCALE_ROUNDS") {
        Ok(text) => text.parse().expect("PLAN_SCALE_ROUNDS: a number"),
        Err(_) if heap.is_some() => 1,
        Err(_) => ROUNDS,
    };
    let largest = *sizes.last().expect("at least one size");
    sizes
        .iter()
        .map(|&networks| {
            let smaller = (largest / networks.max(1)).pow(2);
            (networks, run(networks, rounds * smaller.max(1), networks == largest, heap))
        })
        .collect()
}

/// The slope of the least-squares line through `(log x, log y)`: `y` grows as `x` to that power.
pub fn exponent(x: &[f64], y: &[f64]) -> f64 {
    let points: Vec<(f64, f64)> = x.iter().zip(y).map(|(x, y)| (x.ln(), y.max(f64::MIN_POSITIVE).ln())).collect();
    let n = points.len() as f64;
    let (mean_x, mean_y) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let covariance: f64 = points.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    covariance / variance
}

/// A full mesh of `networks` planned, applied to a simulator, discovered and planned again;
/// prints the steps' figures when `verbose`; counts the plan's heap with `heap`, if given.
fn run(networks: usize, rounds: usize, verbose: bool, heap: Option<&dyn PeakMemAllocTrait>) -> Figures {
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
    if let Some(heap) = heap {
        heap.reset_peak_memory();
    }

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
    let plan_heap = heap.map(|heap| heap.get_peak_memory() as f64 / MIB);
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
    if let Some(plan_heap) = figures.plan_heap_mib {
        println!(
            "the plan's own heap at its peak (above the simulator's state, in use when discovery began): {plan_heap:.0} MiB"
        );
    }
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
