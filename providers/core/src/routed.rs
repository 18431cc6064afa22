//! One cloud's provider made of one provider per `cloud` block (each AWS account, with its own
//! credentials and endpoint), chosen by the block a resource's scope names.

use crate::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning, TunnelState};
use isopod_catalog::{Cloud, ObservedResource, Ownership, Resource, ResourceKind, Scope};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The provider of each `cloud` block of one cloud, by the block's id (`aws.prod`).
pub struct PerCloudBlock {
    cloud: Cloud,
    blocks: BTreeMap<String, Arc<dyn Provider>>,
}

impl PerCloudBlock {
    /// Serves `cloud` with `blocks`, keyed by block id.
    pub fn new(cloud: Cloud, blocks: BTreeMap<String, Arc<dyn Provider>>) -> PerCloudBlock {
        PerCloudBlock { cloud, blocks }
    }

    fn block(&self, scope: &Scope) -> Result<&Arc<dyn Provider>, ProviderError> {
        self.blocks.get(&scope.cloud).ok_or_else(|| {
            ProviderError::new(ErrorKind::Invalid, format!("no `cloud` block `{}` to reach it through", scope.cloud))
        })
    }
}

fn refused<'a, T: Send + 'a>(err: ProviderError) -> BoxFuture<'a, Result<T, ProviderError>> {
    Box::pin(async move { Err(err) })
}

impl Provider for PerCloudBlock {
    fn cloud(&self) -> Cloud {
        self.cloud
    }

    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        match self.block(scope) {
            Ok(provider) => provider.discover(scope, kinds),
            Err(err) => refused(err),
        }
    }

    /// The scopes are one block's (the caller groups them so).
    fn discover_scopes<'a>(
        &'a self,
        scopes: &'a [Scope],
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        let Some(first) = scopes.first() else { return Box::pin(async { Ok(Vec::new()) }) };
        if let Some(other) = scopes.iter().find(|scope| scope.cloud != first.cloud) {
            let err = format!("scopes of two cloud blocks ({} and {}) in one discovery", first.cloud, other.cloud);
            return refused(ProviderError::new(ErrorKind::Invalid, err));
        }
        match self.block(first) {
            Ok(provider) => provider.discover_scopes(scopes, kinds),
            Err(err) => refused(err),
        }
    }

    fn create<'a>(
        &'a self,
        resource: &'a Resource,
        owner: &'a Ownership,
    ) -> BoxFuture<'a, Result<Created, ProviderError>> {
        match self.block(&resource.scope) {
            Ok(provider) => provider.create(resource, owner),
            Err(err) => refused(err),
        }
    }

    fn update<'a>(&'a self, provider_id: &'a str, resource: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>> {
        match self.block(&resource.scope) {
            Ok(provider) => provider.update(provider_id, resource),
            Err(err) => refused(err),
        }
    }

    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        match self.block(scope) {
            Ok(provider) => provider.provisioning(provider_id, kind, scope),
            Err(err) => refused(err),
        }
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        match self.block(scope) {
            Ok(provider) => provider.delete(provider_id, kind, scope),
            Err(err) => refused(err),
        }
    }

    fn tunnel_states<'a>(
        &'a self,
        scope: &'a Scope,
        probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        match self.block(scope) {
            Ok(provider) => provider.tunnel_states(scope, probe),
            Err(err) => refused(err),
        }
    }
}
