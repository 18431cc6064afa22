//! Resources: their identity, where they live, the desired form and the observed one.
//!
//! A resource is identified by its [`ResourceId`]: its kind and its address, which is derived from
//! the logical object it realises (`aws_vpc.app`, `aws_subnet.app.a`). Ownership tags carry the
//! stack and the address, so that a discovered resource is matched to the desired one without any
//! state file.

use crate::attrs::Attrs;
use crate::kind::{Cloud, ResourceKind};
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A resource's identity: its kind and its address (`app`, `app.a`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceId {
    /// The kind.
    pub kind: ResourceKind,
    /// The address within the kind, derived from the logical object.
    pub address: String,
}

impl ResourceId {
    /// An id of `kind` at `address`.
    pub fn new(kind: ResourceKind, address: impl Into<String>) -> Self {
        ResourceId { kind, address: address.into() }
    }

    /// The id that [`Display`](fmt::Display) wrote, `KIND.ADDRESS` (`aws_vpc.app`), as ownership
    /// tags and markers carry it.
    pub fn parse(text: &str) -> Option<ResourceId> {
        let (kind, address) = text.split_once('.')?;
        Some(ResourceId::new(ResourceKind::named(kind)?, address))
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.address)
    }
}

/// Where a resource lives: the configuration's cloud (`aws.prod`) and the region.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Scope {
    /// The cloud block's id, `KIND.NAME`.
    pub cloud: String,
    /// The region (`global` for global resources such as GCP networks).
    pub region: String,
}

impl Scope {
    /// The cloud of the block the scope names: `aws.prod` is in AWS, `host.dc` on a host.
    pub fn cloud_kind(&self) -> Option<Cloud> {
        match self.cloud.split('.').next()? {
            "aws" => Some(Cloud::Aws),
            "azure" => Some(Cloud::Azure),
            "gcp" => Some(Cloud::Gcp),
            "host" => Some(Cloud::Host),
            _ => None,
        }
    }
}

/// A resource as the configuration wants it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// Its identity.
    pub id: ResourceId,
    /// Where it lives.
    pub scope: Scope,
    /// Its attributes; outputs of other resources make it depend on them. Shared (not copied)
    /// with the plan's changes.
    pub attrs: Arc<Attrs>,
    /// Resources that must exist first although no attribute uses their outputs (e.g. the Azure
    /// resource group a virtual network is created in, referred to by its known name).
    pub depends_on: Vec<ResourceId>,
    /// The logical object it realises, e.g. `network.app`, for grouping plans.
    pub object: String,
}

impl Resource {
    /// The resources this one needs first: those whose outputs its attributes use, and its
    /// explicit dependencies.
    pub fn dependencies(&self) -> Vec<&ResourceId> {
        let mut out: Vec<&ResourceId> = Vec::new();
        self.for_each_dependency(|id| out.push(id));
        out.sort();
        out.dedup();
        out
    }

    /// Calls `found` with each resource this one needs first, as [`dependencies`](Self::dependencies)
    /// lists them but unsorted and with repeats, without collecting them.
    pub fn for_each_dependency<'a>(&'a self, mut found: impl FnMut(&'a ResourceId)) {
        self.depends_on.iter().for_each(&mut found);
        fn walk<'a>(value: &'a Value, found: &mut impl FnMut(&'a ResourceId)) {
            match value {
                Value::Output(output) => found(&output.resource),
                Value::List(items) => items.iter().for_each(|item| walk(item, found)),
                Value::Map(entries) => entries.values().for_each(|item| walk(item, found)),
                Value::String(_) | Value::Integer(_) | Value::Bool(_) | Value::Sensitive(_) => {}
            }
        }
        self.attrs.values().for_each(|value| walk(value, &mut found));
    }
}

/// Who owns a discovered resource, read from its tags or labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// The stack's name.
    pub stack: String,
    /// The resource's id within the stack.
    pub id: ResourceId,
}

/// A resource as a provider found it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedResource {
    /// The cloud's own identifier (e.g. `vpc-0abc…`).
    pub provider_id: String,
    /// The kind.
    pub kind: ResourceKind,
    /// Where it lives.
    pub scope: Scope,
    /// Its attributes as the cloud reports them, in the planner's vocabulary.
    pub attrs: Attrs,
    /// Its owner, when it carries Isopod's ownership tags.
    pub owner: Option<Ownership>,
}

impl ObservedResource {
    /// The address `stack` gave it, when `stack` owns it.
    pub fn owned_by(&self, stack: &str) -> Option<&ResourceId> {
        self.owner.as_ref().filter(|owner| owner.stack == stack).map(|owner| &owner.id)
    }
}
