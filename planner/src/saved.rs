//! Saved plans (`isopod plan --out FILE`): the plan with fingerprints of the desired resources
//! and of the live resources it was made from, so that applying it later can refuse a plan that
//! the configuration or the clouds have moved away from.

use crate::lower::Desired;
use crate::plan::Plan;
use isopod_catalog::ObservedResource;
use serde::{Deserialize, Serialize};

/// The format version written into saved plans.
pub const FORMAT: u32 = 1;

/// A plan as saved to a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    /// The file format's version.
    pub format: u32,
    /// Fingerprint of the desired resources.
    pub desired: String,
    /// Fingerprint of the live resources the stack owned.
    pub observed: String,
    /// The configuration the plan was made from (a folder or a file), as given to `plan`, so
    /// that `isopod apply FILE` finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
    /// The plan.
    pub plan: Plan,
}

/// Why a saved plan no longer applies.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Stale {
    /// The file was written by another version of Isopod.
    #[error("the plan was saved in format {0}; this version reads format {FORMAT}")]
    Format(u32),
    /// The configuration now wants other resources.
    #[error("the configuration changed since the plan was made")]
    Configuration,
    /// The live resources changed since the plan was made.
    #[error("the live resources changed since the plan was made")]
    Live,
    /// The same configuration and live resources plan differently now (another version of
    /// Isopod made the plan).
    #[error("it was made by another version of Isopod, which plans differently")]
    Planner,
}

impl SavedPlan {
    /// Saves `plan`, made from `desired` against `observed`.
    pub fn new(plan: Plan, desired: &Desired, observed: &[ObservedResource]) -> Self {
        SavedPlan {
            format: FORMAT,
            desired: desired_fingerprint(desired),
            observed: observed_fingerprint(&plan.stack, observed),
            configuration: None,
            plan,
        }
    }

    /// The same, recording where its configuration is.
    pub fn made_from(mut self, configuration: impl Into<String>) -> Self {
        self.configuration = Some(configuration.into());
        self
    }

    /// Checks that the plan still describes the way from `observed` to `desired`.
    pub fn check(&self, desired: &Desired, observed: &[ObservedResource]) -> Result<(), Stale> {
        if self.format != FORMAT {
            return Err(Stale::Format(self.format));
        }
        if self.desired != desired_fingerprint(desired) {
            return Err(Stale::Configuration);
        }
        if self.observed != observed_fingerprint(&self.plan.stack, observed) {
            return Err(Stale::Live);
        }
        Ok(())
    }
}

fn desired_fingerprint(desired: &Desired) -> String {
    let resources: Vec<_> = desired.resources.values().collect();
    fingerprint(&serde_json::to_vec(&(&desired.stack, resources)).expect("resources serialize"))
}

/// The stack's own resources only: what others do in the account does not make a plan stale.
fn observed_fingerprint(stack: &str, observed: &[ObservedResource]) -> String {
    let mut owned: Vec<&ObservedResource> = observed.iter().filter(|r| r.owned_by(stack).is_some()).collect();
    owned.sort_by(|a, b| a.provider_id.cmp(&b.provider_id));
    fingerprint(&serde_json::to_vec(&owned).expect("resources serialize"))
}

fn fingerprint(bytes: &[u8]) -> String {
    format!("{:016x}", crate::naming::fnv1a(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::{Ownership, ResourceId, ResourceKind, Scope};

    fn observed(stack: &str, id: &str) -> ObservedResource {
        ObservedResource {
            provider_id: id.into(),
            kind: ResourceKind::AwsVpc,
            scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
            attrs: Default::default(),
            owner: Some(Ownership { stack: stack.into(), id: ResourceId::new(ResourceKind::AwsVpc, id) }),
        }
    }

    #[test]
    fn stale_plans_are_refused_with_the_reason() {
        let desired = Desired { stack: "s".into(), ..Desired::default() };
        let live = vec![observed("s", "vpc-1")];
        let plan = Plan { stack: "s".into(), changes: Vec::new() };
        let saved = SavedPlan::new(plan, &desired, &live);
        let text = serde_json::to_string(&saved).unwrap();
        let saved: SavedPlan = serde_json::from_str(&text).unwrap();
        assert_eq!(saved.check(&desired, &live), Ok(()));
        let mut others = live.clone();
        others.push(observed("someone-else", "vpc-2"));
        assert_eq!(saved.check(&desired, &others), Ok(()), "other stacks' resources do not matter");
        assert_eq!(saved.check(&desired, &[]), Err(Stale::Live));
        let grown = Desired { stack: "other".into(), ..Desired::default() };
        assert_eq!(saved.check(&grown, &live), Err(Stale::Configuration));
    }
}
