//! A no-op plan of a 200-network full mesh (19,900 tunnels) against the simulator: the
//! planner's speed at scale. Prints wall times, resource and call counts, and peak memory; its
//! heap is counted by `plan_heap`, the same run with a counting allocator.
//!
//! The mesh spans AWS (three regions) and GCP (two regions): AWS-GCP tunnels with the HA layout
//! (each AWS network on a transit gateway, since its tunnels need far more than a virtual private
//! gateway's 10 VPN connections) and peerings within each cloud. Azure cannot join a mesh this
//! size: each Azure gateway takes 30 tunnels and has 128 APIPA /30s for its BGP sessions. The
//! mesh is beyond AWS's default quota of 50 VPN connections per region (adjustable), which the
//! planner does not check: it measures the planner at scale.
//!
//! The allocator is the binary's (mimalloc, `src/main.rs`), as it is, so that the plan's passes
//! on every core run as they do in `isopod plan`: a counting allocator updates one shared
//! counter on every allocation, which those passes contend for.
//!
//! Discovery and the no-op plan run three times on the largest mesh, one after the other; each
//! step's best time is given (this machine's timings vary by up to 2x between runs).
//!
//! The same mesh at 25, 50 and 100 networks gives the growth: the no-op plan's time against the
//! resource count, with the fitted exponent (1 is linear). A smaller mesh runs more times, as
//! many more as it is smaller (the mesh grows as the square of its networks), so that each
//! size's best comes from about the same time spent: the smallest plans take milliseconds, and
//! the best of three of those is mostly this machine's noise, which flattens the fit.
//!
//! Run: `cargo bench -p isopod-simulator --bench plan_scale --bench plan_heap` (both, the heap
//! first: this bench's figures end the output). To measure one change against another, `PLAN_SCALE_SIZES=200 PLAN_SCALE_ROUNDS=12`
//! runs only the largest mesh, more times (the growth exponent then needs at least two sizes).

mod mesh_plan;

/// The allocator the `isopod` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let figures = mesh_plan::sizes(None);
    println!("growth (no-op plan against resources):");
    for (networks, f) in &figures {
        println!(
            "  {networks} networks, {} resources: discover {:.0} ms, no-op plan {:.0} ms",
            f.resources, f.discover_ms, f.plan_ms
        );
    }
    let resources: Vec<f64> = figures.iter().map(|(_, f)| f.resources as f64).collect();
    let growth = |of: fn(&mesh_plan::Figures) -> f64| {
        mesh_plan::exponent(&resources, &figures.iter().map(|(_, f)| of(f)).collect::<Vec<_>>())
    };
    // Discovery's own growth, beside the plan's: what the machine's caches do to any pass over
    // this many resources.
    println!("discovery growth exponent: {:.2}", growth(|f| f.discover_ms));
    let (_, largest) = figures.last().expect("sizes");
    // The last lines, for scripts.
    println!("no-op plan / discovery: {:.2}x", largest.plan_ms / largest.discover_ms);
    println!("growth exponent: {:.2}", growth(|f| f.plan_ms));
}
