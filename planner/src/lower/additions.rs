//! What the tunnels of one run of a lowering add, kept apart from the resources lowered before
//! them (the networks and their gateways), which they only read, and joined to those in the
//! tunnels' order: lowering the tunnels in runs on every core gives what one run gives.
//!
//! Joining replays the runs' additions one after the other, as one run would have made them: a
//! resource added again replaces the earlier one; one added [once](Additions::add_once) is kept
//! out when an earlier one has its id; the custom BGP addresses tunnels give an Azure gateway
//! are added to it in the tunnels' order.

use super::{Desired, azure_vpn};
use isopod_catalog::{Resource, ResourceId};
use std::net::IpAddr;

/// The resources one run of tunnels adds, and what they change of those lowered before them.
pub(super) struct Additions<'d> {
    lowered: &'d Desired,
    added: Joinable,
}

/// One addition, as [`Additions::join`] replays it.
enum Addition {
    /// A resource, with its key in the tree (made on the run's thread), replacing one added
    /// before with its id.
    Resource(ResourceId, Resource),
    /// A resource, with its key, unless one was added before with its id.
    Once(ResourceId, Resource),
    /// A custom BGP address for an instance of an Azure gateway lowered before the tunnels.
    BgpAddress { gateway: ResourceId, instance: usize, address: IpAddr },
}

impl<'d> Additions<'d> {
    /// Nothing added yet to `lowered`.
    pub fn new(lowered: &'d Desired) -> Additions<'d> {
        Additions { lowered, added: Joinable(Vec::new()) }
    }

    /// The resources lowered before the tunnels, and the stack's facts (its name, its existing
    /// networks, its AWS networks on a transit gateway).
    pub fn lowered(&self) -> &'d Desired {
        self.lowered
    }

    /// Adds `resource`, replacing one added before with its id.
    pub fn add(&mut self, resource: Resource) {
        super::debug_check(&resource);
        self.added.0.push(Addition::Resource(resource.id.clone(), resource));
    }

    /// Adds `resource` unless one with its id was added before (by this tunnel or another).
    pub fn add_once(&mut self, resource: Resource) {
        super::debug_check(&resource);
        if !self.lowered.resources.contains_key(&resource.id) {
            self.added.0.push(Addition::Once(resource.id.clone(), resource));
        }
    }

    /// Gives instance `instance` of Azure gateway `gateway` (lowered before the tunnels) the
    /// custom BGP address `address`, once.
    pub fn add_custom_bgp_address(&mut self, gateway: &ResourceId, instance: usize, address: IpAddr) {
        self.added.0.push(Addition::BgpAddress { gateway: gateway.clone(), instance, address });
    }

    /// What the run added, free of what it was read against, to be joined.
    pub fn finish(self) -> Joinable {
        self.added
    }

    /// Adds what the runs, in order, added to `desired`, the resources lowered before them.
    pub fn join(runs: Vec<Joinable>, desired: &mut Desired) {
        for addition in runs.into_iter().flat_map(|run| run.0) {
            match addition {
                Addition::Resource(id, resource) => {
                    desired.resources.insert(id, resource);
                }
                Addition::Once(id, resource) => {
                    desired.resources.entry(id).or_insert(resource);
                }
                Addition::BgpAddress { gateway, instance, address } => {
                    azure_vpn::add_custom_bgp_address(desired, &gateway, instance, address);
                }
            }
        }
    }
}

/// What one run of tunnels added, in order: [`Additions::finish`], for [`Additions::join`].
pub(super) struct Joinable(Vec<Addition>);
