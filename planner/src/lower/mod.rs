//! Lowering: each logical object of the topology becomes the cloud resources that realise it.
//!
//! Pure: no I/O, no clock, no randomness. One module per family of objects.

mod network;

use crate::resource::{Resource, ResourceId};
use isopod_lang::Topology;
use std::collections::BTreeMap;

/// The resources a topology wants, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desired {
    /// The stack that owns them.
    pub stack: String,
    /// The resources, in a stable order.
    pub resources: BTreeMap<ResourceId, Resource>,
}

impl Desired {
    fn add(&mut self, resource: Resource) {
        self.resources.insert(resource.id.clone(), resource);
    }
}

/// The resources that realise `topology`.
pub fn lower(topology: &Topology) -> Desired {
    let mut desired = Desired { stack: topology.stack.name.value.clone(), resources: BTreeMap::new() };
    for network in &topology.networks {
        network::lower(topology, network, &mut desired);
    }
    desired
}
