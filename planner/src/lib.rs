//! The Isopod planner: lowers a checked [`Topology`](isopod_lang::Topology) into the cloud
//! resources that realise it, diffs them against the live resources providers discover, and
//! orders the changes into a [`Plan`].
//!
//! **Architecture invariant:** everything here but the executor (not yet written) is pure: no
//! I/O, no clock, no randomness. Providers are the only parts that talk to clouds.
//!
//! So far the lowering covers networks and subnets of the three clouds; tunnels, meshes,
//! endpoints and relays are the next layouts to add.

pub mod allocate;
pub mod diff;
pub mod lower;
pub mod naming;
pub mod plan;
pub mod render;
pub mod resource;

pub use diff::{Action, Change, diff};
pub use isopod_lang::cidr::Cidr;
pub use lower::{Desired, lower};
pub use plan::{Cycle, Plan};
pub use resource::{ObservedResource, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};

/// Plans `topology` against what the providers observed.
pub fn plan(topology: &isopod_lang::Topology, observed: &[ObservedResource]) -> Result<Plan, Cycle> {
    let desired = lower(topology);
    let changes = diff(&desired, observed);
    Plan::new(&desired, changes)
}

#[cfg(test)]
mod tests;
