//! Linux hosts as tunnel ends: their strongSwan configuration ([`swanctl`]), written and loaded
//! by the [`provider`] through a [`transport`]: locally, or over SSH.

pub mod provider;
pub mod swanctl;
pub mod transport;

#[cfg(test)]
mod tests;
