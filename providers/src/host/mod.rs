//! Linux hosts as tunnel ends: their strongSwan configuration ([`swanctl`]). The provider that
//! writes and loads it on a host is issue 7's next step.

pub mod swanctl;

#[cfg(test)]
mod tests;
