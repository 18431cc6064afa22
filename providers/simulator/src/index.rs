//! Lookups over the simulator's resources, so that a call's checks cost what the real API's
//! would (by id, by name, by kind) instead of a scan of everything: the simulated apply of a
//! large plan stays linear.

use super::SimResource;
use isopod_catalog::{ResourceKind, Value};
use std::collections::HashMap;

/// Positions of resources in the simulator's list, by what the checks look them up by.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    by_id: HashMap<String, usize>,
    by_kind: HashMap<ResourceKind, Vec<usize>>,
    /// By name, whatever their kind (a call may name a resource without saying its kind).
    by_name: HashMap<String, Vec<usize>>,
}

impl Index {
    /// The index of `resources`.
    pub(crate) fn build(resources: &[SimResource]) -> Index {
        let mut index = Index::default();
        for (position, resource) in resources.iter().enumerate() {
            index.add(position, resource);
        }
        index
    }

    /// Where the resource with the cloud id `id` is in the list.
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Records `resource`, at `position` in the list.
    pub(crate) fn add(&mut self, position: usize, resource: &SimResource) {
        self.by_id.insert(resource.provider_id.clone(), position);
        self.by_kind.entry(resource.kind).or_default().push(position);
        if let Some(Value::String(name)) = resource.attrs.get("name") {
            self.by_name.entry(name.clone()).or_default().push(position);
        }
    }
}

/// The live resources as the checks see them.
#[derive(Clone, Copy)]
pub(crate) struct Live<'a> {
    resources: &'a [SimResource],
    index: &'a Index,
}

impl<'a> Live<'a> {
    /// `resources`, looked up through `index`, which must be theirs.
    pub(crate) fn new(resources: &'a [SimResource], index: &'a Index) -> Self {
        Live { resources, index }
    }

    /// The resource with the cloud id `id`.
    pub(crate) fn by_id(self, id: &str) -> Option<&'a SimResource> {
        self.index.position(id).map(|position| &self.resources[position])
    }

    /// The resources of `kind`.
    pub(crate) fn of_kind(self, kind: ResourceKind) -> impl Iterator<Item = &'a SimResource> {
        self.positions(self.index.by_kind.get(&kind))
    }

    /// The resources of `kind` named `name`.
    pub(crate) fn named(self, kind: ResourceKind, name: &str) -> impl Iterator<Item = &'a SimResource> {
        self.with_name(name).filter(move |resource| resource.kind == kind)
    }

    /// The resources named `name`, of any kind.
    pub(crate) fn with_name(self, name: &str) -> impl Iterator<Item = &'a SimResource> {
        self.positions(self.index.by_name.get(name))
    }

    fn positions(self, positions: Option<&'a Vec<usize>>) -> impl Iterator<Item = &'a SimResource> {
        positions.into_iter().flatten().map(move |&position| &self.resources[position])
    }
}
