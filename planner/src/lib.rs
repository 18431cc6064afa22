//! The Isopod planner: lowers a checked [`Topology`](isopod_lang::Topology) into the cloud
//! resources that realise it, diffs them against the live resources providers discover, and
//! orders the changes into a [`Plan`].
//!
//! **Architecture invariant:** everything here is pure (the executor is `isopod-apply`): no
//! I/O, no clock, no randomness of its own (pre-shared keys are drawn from a generator the caller
//! passes in). Providers are the only parts that talk to clouds.
//!
//! The lowering covers networks and subnets of the three clouds, tunnels between them (with and
//! without `ha`; static between AWS and Azure; AWS on a virtual private or transit gateway),
//! native peering within one cloud, tunnels to hosts from AWS and GCP, endpoints, and relays with
//! their private DNS; [`Desired::unplanned`] lists what a plan leaves out.

pub mod allocate;
pub mod diff;
pub mod lower;
pub mod map;
pub mod naming;
pub mod order;
mod parallel;
pub mod plan;
pub mod problem;
pub mod quota;
pub mod render;
pub mod saved;
pub mod secrets;

pub use allocate::{AllocError, Live, LiveVpc};
pub use diff::{Action, Change, adopted, diff};
pub use isopod_catalog::{ObservedResource, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
pub use isopod_lang::cidr::Cidr;
pub use lower::{Desired, lower};
pub use plan::{Cycle, Plan};

/// Why a plan could not be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The resources depend on each other in a circle.
    #[error(transparent)]
    Cycle(#[from] Cycle),
    /// A pool of unique values is exhausted.
    #[error(transparent)]
    Allocation(#[from] AllocError),
    /// The resources exceed the clouds' quotas; applying would fail part-way.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Quota(Vec<quota::QuotaExceeded>),
    /// Two resources would have the same name where the cloud requires unique names.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    NameCollision(Vec<naming::NameCollision>),
    /// Something the configuration names as existing (a VPC, a subnet, a resource group) that
    /// discovery did not find.
    #[error("{}", .0.iter().map(|problem| problem.message.as_str()).collect::<Vec<_>>().join("; "))]
    ExistingNotFound(Vec<problem::Problem>),
}

/// Plans `topology` against what the providers observed.
pub fn plan(topology: &isopod_lang::Topology, observed: &[ObservedResource]) -> Result<(Plan, Desired), PlanError> {
    plan_rotating(topology, observed, &std::collections::BTreeSet::new())
}

/// Plans `topology` against what the providers observed, giving the live resources that hold
/// the secrets `rotated` their new values.
pub fn plan_rotating(
    topology: &isopod_lang::Topology,
    observed: &[ObservedResource],
    rotated: &std::collections::BTreeSet<String>,
) -> Result<(Plan, Desired), PlanError> {
    plan_in_steps(topology, observed, rotated, &mut |_| {})
}

/// A step of planning, for showing progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Reading what is allocated from the live resources.
    Reading,
    /// Lowering the topology into the desired resources.
    Lowering,
    /// Comparing them with the live ones.
    Diffing,
    /// Ordering the changes.
    Ordering,
}

impl Step {
    /// What the step does, for a progress line.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Reading => "reading what is live",
            Step::Lowering => "lowering",
            Step::Diffing => "diffing",
            Step::Ordering => "ordering",
        }
    }
}

/// Like [`plan_rotating`], telling `on_step` as each step starts.
pub fn plan_in_steps(
    topology: &isopod_lang::Topology,
    observed: &[ObservedResource],
    rotated: &std::collections::BTreeSet<String>,
    on_step: &mut dyn FnMut(Step),
) -> Result<(Plan, Desired), PlanError> {
    on_step(Step::Reading);
    let live = Live::from_observed(&topology.stack.name.value, observed);
    let missing = lower::missing_existing(topology, &live);
    if !missing.is_empty() {
        return Err(PlanError::ExistingNotFound(missing));
    }
    on_step(Step::Lowering);
    let mut desired = lower(topology, &live)?;
    desired.rotated = rotated.clone();
    let exceeded = quota::check(&desired);
    if !exceeded.is_empty() {
        return Err(PlanError::Quota(exceeded));
    }
    let collisions = naming::collisions(&desired);
    if !collisions.is_empty() {
        return Err(PlanError::NameCollision(collisions));
    }
    on_step(Step::Diffing);
    let changes = diff(&desired, observed);
    on_step(Step::Ordering);
    let plan = Plan::new(&desired, changes, observed)?;
    Ok((plan, desired))
}

#[cfg(test)]
mod tests;
