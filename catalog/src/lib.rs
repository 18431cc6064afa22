//! Isopod's resource catalogue: every kind of cloud resource the planner lowers to and the
//! providers serve, described once, and the vocabulary they share (resources, attribute
//! values, ownership).
//!
//! Each kind has one [`KindSpec`] in [`CATALOGUE`] (as `lang/src/schema.rs` has one entry per
//! block): its name, cloud and API object, provisioning time, attributes with their types and
//! flags (forces replacement, secret, unordered, unique, natural key, filled by the cloud) and
//! outputs. Diff, deletion order, the simulator's outputs and reference checks, and the book's
//! resource reference are derived from it.
//!
//! **Architecture invariant:** this crate depends on nothing of Isopod's: the planner and every
//! provider build on it, and no provider needs the language or the planner.

mod attrs;
pub mod catalogue;
pub mod check;
mod kind;
mod name;
mod resource;
mod table;
mod value;

pub use attrs::Attrs;
pub use catalogue::{AttrSpec, AttrType, BilledCount, Billing, KindSpec, OutputSpec, Period, Ref};
pub use kind::{Cloud, ResourceKind, TUNNEL_STATE_KINDS};
pub use name::Name;
pub use resource::{ObservedResource, Ownership, Resource, ResourceId, Scope};
pub use table::CATALOGUE;
pub use value::{OutputRef, Value};
