//! Virtual network flow logs: a child of the region's Network Watcher
//! (`networkWatchers/W/flowLogs/NAME`, in the watcher's resource group, `NetworkWatcherRG` where
//! Azure makes them), naming the virtual network it logs and the storage account it writes to,
//! in JSON version 2 (the `flowTuples` `isopod flows` reads). Owned by its tags, like the
//! tracked resources; found by listing each region's watcher.

use crate::arm::{At, Found, read_tags, text};
use isopod_catalog::{Attrs, Value};
use serde_json::{Value as Json, json};

/// The resource group where Azure makes each region's Network Watcher.
pub(crate) const WATCHER_GROUP: &str = "NetworkWatcherRG";

/// The name Azure gives a region's Network Watcher.
pub(crate) fn watcher_name(location: &str) -> String {
    format!("NetworkWatcher_{location}")
}

/// Where a desired flow log goes: under its watcher.
pub(crate) fn at(attrs: &Attrs) -> At {
    let names = [text(attrs, "network_watcher"), text(attrs, "name")];
    At { group: text(attrs, "resource_group").to_string(), names: names.map(String::from).to_vec() }
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

/// The attributes of a live flow log found in `group`.
pub(crate) fn attrs(group: &str, live: &Json) -> Found {
    let props = &live["properties"];
    let watcher = live["id"].as_str().and_then(|id| At::parse(id).ok()).map(|at| at.name(0).to_string());
    let (_, tags) = read_tags(&live["tags"]);
    let mut found = Found::default();
    found
        .text("name", live["name"].as_str())
        .text("resource_group", Some(group))
        .text("network_watcher", watcher.as_deref())
        .text("location", live["location"].as_str())
        .text("target_resource_id", props["targetResourceId"].as_str())
        .text("storage_id", props["storageId"].as_str())
        .value("tags", Value::Map(tags.into_iter().map(|(k, v)| (k, Value::string(v))).collect()));
    found
}
