//! Virtual network flow logs: a child of the region's Network Watcher
//! (`networkWatchers/W/flowLogs/NAME`, in the watcher's resource group), naming the virtual
//! network it logs and the storage account it writes to, in JSON version 2 (the `flowTuples`
//! `isopod flows` reads). A subscription has one watcher per region, whatever its name and group
//! (Azure makes `NetworkWatcher_REGION` in `NetworkWatcherRG` with the region's first virtual
//! network, unless the subscription opted out; Terraform or a policy may have made another):
//! it is found by its location. Owned by its tags, like the tracked resources; found by listing
//! each watcher of the regions discovered.

use crate::arm::{At, Found, location, read_tags, text};
use crate::clients::Clients;
use crate::wire;
use isopod_catalog::{Attrs, Value};
use isopod_provider::{ErrorKind, ProviderError};
use serde_json::{Value as Json, json};

/// The subscription's Network Watchers, each with where it is.
pub(crate) async fn watchers(c: &Clients, sub: &str) -> Result<Vec<(At, String)>, ProviderError> {
    let mut found = Vec::new();
    for watcher in wire::network_watchers(c, sub).await? {
        let at = At::parse(watcher["id"].as_str().unwrap_or_default())?;
        found.push((at, location(watcher["location"].as_str().unwrap_or_default())));
    }
    Ok(found)
}

/// Where a desired flow log goes: under the Network Watcher of its location.
pub(crate) async fn at(c: &Clients, sub: &str, attrs: &Attrs) -> Result<At, ProviderError> {
    let wanted = location(text(attrs, "location"));
    let Some((watcher, _)) = watchers(c, sub).await?.into_iter().find(|(_, at)| *at == wanted) else {
        let message = format!(
            "subscription `{sub}` has no Network Watcher in {wanted}: Azure makes one with the region's first virtual \
             network unless the subscription opted out; make it with `az network watcher configure --resource-group \
             NetworkWatcherRG --locations {wanted} --enabled true`"
        );
        return Err(ProviderError::new(ErrorKind::NotFound, message));
    };
    let names = vec![watcher.name(0).to_string(), text(attrs, "name").to_string()];
    Ok(At { group: watcher.group, names })
}

/// The body of a desired flow log (tags are the caller's).
pub(crate) fn body(attrs: &Attrs) -> Json {
    json!({
        "location": text(attrs, "location"),
        "properties": {
            "targetResourceId": text(attrs, "target_resource_id"),
            "storageId": text(attrs, "storage_id"),
            "enabled": true,
            "format": { "type": "JSON", "version": 2 },
        }
    })
}

/// The attributes of a live flow log.
pub(crate) fn attrs(live: &Json) -> Found {
    let props = &live["properties"];
    let (_, tags) = read_tags(&live["tags"]);
    let mut found = Found::default();
    found
        .text("name", live["name"].as_str())
        .text("location", live["location"].as_str())
        .text("target_resource_id", props["targetResourceId"].as_str())
        .text("storage_id", props["storageId"].as_str())
        .value("tags", Value::Map(tags.into_iter().map(|(k, v)| (k, Value::string(v))).collect()));
    found
}
