//! Checking: from syntax trees to a typed [`Topology`](crate::Topology), with every problem
//! reported as a diagnostic before any cloud is contacted.
//!
//! The stages: [`structure`] checks blocks and attributes against the schema and declares names;
//! evaluation computes values on demand; [`lower`] reads them into typed objects; [`semantics`]
//! checks what the objects mean together.

pub(crate) mod lower;
pub(crate) mod read;
pub(crate) mod semantics;
pub(crate) mod structure;
