//! One project as each kind's module uses it: its clients, the paths of its resources (the
//! provider's ids are the resources' relative paths, `projects/P/regions/R/vpnTunnels/N`), and
//! the steps every create, change and delete shares: waiting for the operation, adopting what a
//! lost answer left behind.

use crate::clients::Clients;
use crate::errors::classify;
use crate::operation::{Polling, last_segment, wait};
use crate::ownership;
use crate::vpn::RouterLocks;
use google_cloud_compute_v1::model::Operation;
use isopod_catalog::{ObservedResource, Ownership, ResourceKind, Scope};
use isopod_provider::{Created, ErrorKind, ProviderError};
use std::future::Future;

/// The project of one cloud block.
pub(crate) struct Project<'a> {
    pub(crate) clients: &'a Clients,
    /// The project id.
    pub(crate) id: &'a str,
    /// The cloud block's id, as scopes name it.
    pub(crate) cloud: &'a str,
    pub(crate) polling: &'a Polling,
    pub(crate) routers: &'a RouterLocks,
}

impl Project<'_> {
    /// The relative path of a global resource: `projects/P/global/COLLECTION/NAME`.
    pub(crate) fn global_path(&self, collection: &str, name: &str) -> String {
        format!("projects/{}/global/{collection}/{name}", self.id)
    }

    /// The relative path of a regional resource: `projects/P/regions/R/COLLECTION/NAME`.
    pub(crate) fn regional_path(&self, region: &str, collection: &str, name: &str) -> String {
        format!("projects/{}/regions/{region}/{collection}/{name}", self.id)
    }

    /// The scope a resource found in `region` (a name or a URL) is in.
    pub(crate) fn scope(&self, region: &str) -> Scope {
        Scope { cloud: self.cloud.to_string(), region: last_segment(region).unwrap_or(region).to_string() }
    }

    /// Waits for `operation`, which does `what`.
    pub(crate) async fn wait(&self, what: &str, operation: Operation) -> Result<(), ProviderError> {
        wait(self.clients, self.id, what, operation, self.polling).await
    }

    /// Waits for the operation a call answered (`sent`), which does `what`.
    pub(crate) async fn done(
        &self,
        what: &str,
        sent: Result<Operation, google_cloud_gax::error::Error>,
    ) -> Result<(), ProviderError> {
        self.wait(what, sent.map_err(classify)?).await
    }

    /// The end of an insert of `path` for `owner`: the operation waited for; or, when the name
    /// is taken (`409 alreadyExists`: an earlier answer was lost, or a run stopped), the
    /// resource adopted if its marker (read by `description`) says it is `owner`'s, and a
    /// conflict if it is anyone else's.
    pub(crate) async fn inserted<F>(
        &self,
        path: &str,
        owner: &Ownership,
        sent: Result<Operation, google_cloud_gax::error::Error>,
        description: impl FnOnce() -> F,
    ) -> Result<(), ProviderError>
    where
        F: Future<Output = Result<Option<String>, google_cloud_gax::error::Error>>,
    {
        let err = match sent.map_err(classify) {
            Ok(operation) => return self.wait(&format!("creating {path}"), operation).await,
            Err(err) if err.kind == ErrorKind::Conflict => err,
            Err(err) => return Err(err),
        };
        match description().await.map_err(classify) {
            Ok(found) => match ownership::read(found.as_deref()).0 {
                Some(found) if &found.owner == owner && found.cloud == self.cloud => Ok(()),
                _ => Err(ProviderError::new(
                    ErrorKind::Conflict,
                    format!("{path} exists and is not Isopod's {}: {}", owner.id, err.message),
                )),
            },
            // Taken but not visible: it is still being created.
            Err(gone) if gone.kind == ErrorKind::NotFound => Err(ProviderError::new(
                ErrorKind::Transient,
                format!("{path} is still being created by an earlier call"),
            )),
            Err(other) => Err(other),
        }
    }

    /// The description to write on what `owner` creates through this cloud block.
    pub(crate) fn description(&self, owner: &Ownership, own: Option<&str>) -> String {
        ownership::description(owner, self.cloud, own)
    }

    /// The owner a found resource's description names: `None` when the marker is another cloud
    /// block's (a project's global resources are seen by all its blocks; each reports its own),
    /// `Some(None)` for what no one owns.
    pub(crate) fn owner(&self, description: Option<&str>) -> Option<Option<Ownership>> {
        match ownership::read(description).0 {
            Some(marker) if marker.cloud != self.cloud => None,
            marker => Some(marker.map(|marker| marker.owner)),
        }
    }

    /// A resource found, owned as its description's marker says; `None` when that is another
    /// cloud block's.
    pub(crate) fn observed(
        &self,
        kind: ResourceKind,
        path: String,
        scope: Scope,
        description: Option<&str>,
        attrs: isopod_catalog::Attrs,
    ) -> Option<ObservedResource> {
        let owner = self.owner(description)?;
        Some(ObservedResource { provider_id: path, kind, scope, attrs, owner })
    }
}

/// What a create returns: the resource's path and no outputs.
pub(crate) fn created(path: String) -> Created {
    Created { provider_id: path, outputs: isopod_catalog::Attrs::new() }
}

/// A relative path's parts after `projects/P/`: `(region or "global", collection, name)`.
pub(crate) fn parts(path: &str) -> Result<(&str, &str, &str), ProviderError> {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["projects", _, "global", collection, name] => Ok(("global", collection, name)),
        ["projects", _, "regions", region, collection, name] => Ok((region, collection, name)),
        _ => Err(ProviderError::new(ErrorKind::Invalid, format!("`{path}` is not a GCP resource path"))),
    }
}

/// `url` (`https://www.googleapis.com/compute/v1/projects/...`) as a relative path
/// (`projects/...`), as the catalogue's values hold references.
pub(crate) fn relative(url: &str) -> String {
    match url.find("projects/") {
        Some(start) => url[start..].to_string(),
        None => url.to_string(),
    }
}

/// Every item of every page a list call returns: `every_page!(request, items)` sends `request`
/// with each page token in turn (`maxResults` 500, the most Compute Engine gives) and collects
/// each page's `items`.
macro_rules! every_page {
    ($request:expr, |$page:ident| $items:expr) => {{
        let mut found = Vec::new();
        let mut token = String::new();
        loop {
            let $page = $request
                .clone()
                .set_max_results(500u16)
                .set_page_token(token.clone())
                .send()
                .await
                .map_err($crate::errors::classify)?;
            token = $page.next_page_token.clone().unwrap_or_default();
            found.extend($items);
            if token.is_empty() {
                break;
            }
        }
        found
    }};
}
pub(crate) use every_page;
