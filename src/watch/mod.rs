//! What `isopod watch` is made of: the repository it follows ([`git`]), the webhook and status
//! server ([`server`]), and the figures it reports ([`metrics`]). The loop itself is the command,
//! in `commands/watch.rs`.

pub mod git;
pub mod metrics;
pub mod server;
