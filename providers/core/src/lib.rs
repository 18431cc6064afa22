//! The core of Isopod's providers: the one [`Provider`] trait through which the planner discovers
//! live resources and the executor changes them, its classified [`ProviderError`], [`retry`] of
//! throttled and transient calls, and [`routed::PerCloudBlock`] (one provider per `cloud` block).
//! The must-pass suite every provider's tests run is `isopod-conformance`, beside this crate.
//!
//! **Architecture invariant:** providers know nothing of the `.iso` language or the planner; they
//! speak the resource catalogue's vocabulary (`isopod-catalog`). Each provider is its own crate
//! (`isopod-simulator`, `isopod-aws`, `isopod-host`), so that what builds the planner or the
//! simulator compiles no cloud SDK. Only the binary chooses which provider serves which cloud.

pub mod attrs;
mod error;
pub mod retry;
pub mod routed;

pub use error::{ErrorKind, ProviderError};
use isopod_catalog::{Attrs, Cloud, ObservedResource, Ownership, Resource, ResourceKind, Scope};
use std::future::Future;
use std::pin::Pin;

/// A future a provider returns; boxed so that providers can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What creating a resource returns: the cloud's id for it and its outputs (addresses, ids of
/// sub-objects) that dependent resources use.
#[derive(Clone, Debug, PartialEq)]
pub struct Created {
    /// The cloud's identifier.
    pub provider_id: String,
    /// Named outputs besides the id.
    pub outputs: Attrs,
}

/// Where a created resource is in its cloud's asynchronous provisioning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provisioning {
    /// Still being created or changed: resources that depend on it must wait.
    Pending,
    /// Ready for use.
    Ready,
    /// The cloud gave up, with its reason.
    Failed(String),
}

/// One tunnel's state, as the end that runs it reports it (`isopod status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TunnelState {
    /// Where it runs.
    pub scope: Scope,
    /// The tunnel, as its end names it (a VPN connection's tunnel, a host's connection).
    pub tunnel: String,
    /// Up or not.
    pub up: bool,
    /// What the end says of it (`ESTABLISHED`, `DOWN: IPSEC IS DOWN`...).
    pub detail: String,
    /// The owner of the resource that carries it, as its ownership marks say (the stack, and
    /// the VPN connection, VPN tunnel or host connection within it): what ties it to a tunnel of
    /// a configuration. `None` for what is not one resource's (a Cloud Router's BGP session).
    pub owner: Option<Ownership>,
}

/// One cloud's API, as the planner and executor use it.
pub trait Provider: Send + Sync {
    /// The cloud served.
    fn cloud(&self) -> Cloud;

    /// The live resources of `kinds` in `scope`: with one bulk list call per kind (and page),
    /// never one call per resource. Resources of every owner are returned; the diff ignores
    /// those the stack does not own.
    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>>;

    /// The live resources of `kinds` in each of `scopes`, which are all of one cloud block: a
    /// cloud that lists every region in one call (GCP's `aggregatedList`) answers them all with
    /// one call per kind and page. By default, [`discover`](Self::discover) in each scope.
    fn discover_scopes<'a>(
        &'a self,
        scopes: &'a [Scope],
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(async move {
            let mut found = Vec::new();
            for scope in scopes {
                found.extend(self.discover(scope, kinds).await?);
            }
            Ok(found)
        })
    }

    /// Creates `resource` (its outputs already resolved), writing the ownership tags in the
    /// create call itself.
    fn create<'a>(
        &'a self,
        resource: &'a Resource,
        owner: &'a Ownership,
    ) -> BoxFuture<'a, Result<Created, ProviderError>>;

    /// Changes the attributes of a live resource in place.
    fn update<'a>(&'a self, provider_id: &'a str, resource: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>>;

    /// Where the resource `provider_id` is in its provisioning (one describe call).
    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>>;

    /// Deletes a live resource; deleting one that is already gone succeeds.
    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;

    /// The state of the stack's tunnels in `scope`, where the cloud reports it (none by default).
    /// With `probe`, an end that can start a tunnel that is down tries to, and reports why it
    /// failed (a refused key, no common proposal, no answer).
    fn tunnel_states<'a>(
        &'a self,
        _scope: &'a Scope,
        _probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}
