//! Private endpoints to a private link service (or resource): automatically approved
//! connections, and the endpoint's private address read from its DNS configuration or, when it
//! shows none, its network interface.
//!
//! `private_dns` is Isopod's choice, not an ARM property: it is kept in the tag
//! `isopod:private-dns` (the relay's private DNS zone is what makes the name resolve).

use crate::arm::{At, Found, text};
use isopod_catalog::{Attrs, Value};
use serde_json::{Value as Json, json};

/// The tag holding `private_dns`.
pub(crate) const PRIVATE_DNS_TAG: &str = "isopod:private-dns";

/// The body of a desired private endpoint (tags are the caller's).
pub(crate) fn body(at: &At, attrs: &Attrs) -> Json {
    json!({
        "location": text(attrs, "location"),
        "properties": {
            "subnet": { "id": text(attrs, "subnet_id") },
            "privateLinkServiceConnections": [{
                "name": at.name(0),
                "properties": { "privateLinkServiceId": text(attrs, "service") },
            }],
        }
    })
}

/// The tags particular to a private endpoint.
pub(crate) fn extra_tags(attrs: &Attrs) -> Vec<(&'static str, Json)> {
    let private_dns = matches!(attrs.get("private_dns"), Some(Value::Bool(true)));
    vec![(PRIVATE_DNS_TAG, json!(private_dns.to_string()))]
}

/// The attributes of a live private endpoint.
pub(crate) fn attrs(group: &str, live: &Json) -> Found {
    let props = &live["properties"];
    let service = ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"]
        .iter()
        .find_map(|member| props.pointer(&format!("/{member}/0/properties/privateLinkServiceId")))
        .and_then(Json::as_str);
    let mut found = Found::default();
    found
        .text("name", live["name"].as_str())
        .text("resource_group", Some(group))
        .text("location", live["location"].as_str())
        .text("subnet_id", props.pointer("/subnet/id").and_then(Json::as_str))
        .text("service", service)
        .boolean("private_dns", live["tags"][PRIVATE_DNS_TAG].as_str().map(|t| t == "true"));
    if let Some(address) = dns_address(live) {
        found.text("ip_address", Some(address));
    }
    found
}

/// The address the endpoint's DNS configuration shows, if any.
pub(crate) fn dns_address(live: &Json) -> Option<&str> {
    live.pointer("/properties/customDnsConfigs/0/ipAddresses/0").and_then(Json::as_str)
}

/// The endpoint's network interface, where its address is when its DNS configuration shows none.
pub(crate) fn interface(live: &Json) -> Option<&str> {
    live.pointer("/properties/networkInterfaces/0/id").and_then(Json::as_str)
}
