//! The heap of `plan_scale`'s no-op plans, counted: the same meshes, discovered and planned
//! once each, with the binary's allocator (mimalloc) wrapped by a counting one
//! (`peakmem-alloc`). The heap's peak during discovery and the no-op plan above what was in use
//! when discovery began (the simulator's state, once the first plan and the simulated apply are
//! dropped) is what `isopod plan` itself holds: the live resources, what the configuration
//! wants, and the plan. The whole run's peak resident memory is printed too.
//!
//! The times it prints are those of a counted plan, slower than the binary's where the plan
//! works on every core: `plan_scale` gives the binary's.
//!
//! Run: `cargo bench -p isopod-simulator --bench plan_heap`; `PLAN_SCALE_SIZES` as for
//! `plan_scale`.

mod mesh_plan;

use peakmem_alloc::PeakMemAlloc;

/// The heap counted around the allocator the `isopod` binary uses: the peak of the bytes in use
/// since the last reset.
#[global_allocator]
static HEAP: PeakMemAlloc<mimalloc::MiMalloc> = PeakMemAlloc::new(mimalloc::MiMalloc);

fn main() {
    let figures = mesh_plan::sizes(Some(&HEAP));
    let heap = |f: &mesh_plan::Figures| f.plan_heap_mib.expect("the heap is counted");
    println!("growth (the plan's own heap against resources; the times counted, not the binary's):");
    for (networks, f) in &figures {
        println!(
            "  {networks} networks, {} resources: plan heap {:.0} MiB (discover {:.0} ms, no-op plan {:.0} ms)",
            f.resources,
            heap(f),
            f.discover_ms,
            f.plan_ms
        );
    }
    let resources: Vec<f64> = figures.iter().map(|(_, f)| f.resources as f64).collect();
    let heaps: Vec<f64> = figures.iter().map(|(_, f)| heap(f)).collect();
    let (_, largest) = figures.last().expect("sizes");
    // The last lines, for scripts.
    println!("plan heap: {:.0} MiB", heap(largest));
    println!("heap growth exponent: {:.2}", mesh_plan::exponent(&resources, &heaps));
}
