//! Isopod's providers.
//!
//! It will hold the one `Provider` trait (discover, create, update, delete, with classified
//! errors) and its implementations: AWS through aws-sdk-ec2, Azure through azure_mgmt_network,
//! GCP through google-cloud-compute-v1, and the embedded simulator of all three. This crate is a
//! skeleton until the planner issue lands; it exists so that the workspace has its final shape
//! and dependency direction (`providers -> planner`).

pub use isopod_planner::Topology;
