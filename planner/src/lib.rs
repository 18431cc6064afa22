//! The Isopod planner.
//!
//! It will lower a checked [`isopod_lang::Topology`] into the cloud resources that realise it,
//! build their dependency graph, diff it against the live state that providers discover, and
//! order the changes into a change set for the executor. This crate is a skeleton until the
//! planner issue lands; it exists so that the workspace has its final shape and dependency
//! direction (`planner -> lang`).

pub use isopod_lang::Topology;
