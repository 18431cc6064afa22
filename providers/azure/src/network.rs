//! Resource groups, virtual networks, their subnets and their peerings.
//!
//! ARM gives subnets and peerings no tags: they are owned through their virtual network (its
//! tags name the stack) and known by their natural key (name, virtual network, group), and they
//! come with their virtual network's list, so that discovering all three takes one list call
//! per group and page.

use crate::arm::{At, Found, read_tags, stack, text, value};
use crate::subscription::Sub;
use isopod_catalog::{Attrs, ObservedResource, ResourceKind as K, Value};
use isopod_provider::attrs::untagged;
use serde_json::{Value as Json, json};

/// Where a desired resource of these kinds goes.
pub(crate) fn at(kind: K, attrs: &Attrs) -> At {
    let group = text(attrs, "resource_group").to_string();
    let names = match kind {
        K::AzureResourceGroup => return At { group: text(attrs, "name").into(), names: Vec::new() },
        K::AzureSubnet | K::AzureVirtualNetworkPeering => vec![text(attrs, "virtual_network"), text(attrs, "name")],
        _ => vec![text(attrs, "name")],
    };
    At { group, names: names.into_iter().map(String::from).collect() }
}

/// The body of a desired resource (tags are the caller's).
pub(crate) fn body(kind: K, attrs: &Attrs) -> Json {
    match kind {
        K::AzureResourceGroup => json!({ "location": text(attrs, "location") }),
        K::AzureVirtualNetwork => json!({
            "location": text(attrs, "location"),
            "properties": { "addressSpace": { "addressPrefixes": value(attrs, "address_space") } },
        }),
        K::AzureSubnet => json!({ "properties": { "addressPrefix": text(attrs, "address_prefix") } }),
        _ => json!({
            "properties": {
                "remoteVirtualNetwork": { "id": text(attrs, "remote_virtual_network_id") },
                "allowVirtualNetworkAccess": value(attrs, "allow_virtual_network_access"),
                "allowForwardedTraffic": value(attrs, "allow_forwarded_traffic"),
            }
        }),
    }
}

/// A resource group as discovered.
pub(crate) fn observe_group(s: &Sub<'_>, group: &Json) -> ObservedResource {
    let (owner, tags) = read_tags(&group["tags"]);
    let mut found = Found::default();
    found
        .text("name", group["name"].as_str())
        .text("location", group["location"].as_str())
        .value("tags", Value::Map(tags.into_iter().map(|(k, v)| (k, Value::string(v))).collect()));
    s.observed(K::AzureResourceGroup, group, owner, found, s.scope_of(group))
}

/// A virtual network, its subnets and its peerings, as discovered.
pub(crate) fn observe_network(s: &Sub<'_>, group: &str, vnet: &Json, kinds: &[K]) -> Vec<ObservedResource> {
    let (owner, tags) = read_tags(&vnet["tags"]);
    let stack = stack(&vnet["tags"]);
    let scope = s.scope_of(vnet);
    let name = vnet["name"].as_str();
    let props = &vnet["properties"];
    let mut found = Vec::new();
    if kinds.contains(&K::AzureVirtualNetwork) {
        let mut attrs = Found::default();
        attrs
            .text("name", name)
            .text("resource_group", Some(group))
            .text("location", vnet["location"].as_str())
            .texts("address_space", props.pointer("/addressSpace/addressPrefixes"))
            .value("tags", Value::Map(tags.into_iter().map(|(k, v)| (k, Value::string(v))).collect()));
        found.push(s.observed(K::AzureVirtualNetwork, vnet, owner, attrs, scope.clone()));
    }
    let children = [(K::AzureSubnet, "subnets"), (K::AzureVirtualNetworkPeering, "virtualNetworkPeerings")];
    for (kind, member) in children.into_iter().filter(|(kind, _)| kinds.contains(kind)) {
        for child in props[member].as_array().into_iter().flatten() {
            let child_props = &child["properties"];
            let mut attrs = Found::default();
            attrs
                .text("name", child["name"].as_str())
                .text("virtual_network", name)
                .text("resource_group", Some(group));
            if kind == K::AzureSubnet {
                let prefix = child_props["addressPrefix"].as_str();
                let first = child_props.pointer("/addressPrefixes/0").and_then(Json::as_str);
                attrs.text("address_prefix", prefix.or(first));
            } else {
                attrs
                    .text(
                        "remote_virtual_network_id",
                        child_props.pointer("/remoteVirtualNetwork/id").and_then(Json::as_str),
                    )
                    .boolean("allow_virtual_network_access", child_props["allowVirtualNetworkAccess"].as_bool())
                    .boolean("allow_forwarded_traffic", child_props["allowForwardedTraffic"].as_bool());
            }
            if let Some(mut observed) = untagged(kind, &scope, stack, attrs.0) {
                // The natural key is the address; the ARM id is what others refer to.
                observed.provider_id = child["id"].as_str().unwrap_or_default().to_string();
                found.push(observed);
            }
        }
    }
    found
}
