//! Linux hosts as tunnel ends: their strongSwan configuration ([`swanctl`]) and the provider
//! of a host Isopod runs on ([`local`]). Hosts reached over SSH are still to come.

pub mod local;
pub mod swanctl;

#[cfg(test)]
mod tests;
