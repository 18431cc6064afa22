//! Private DNS: zones (location `global`), their virtual network links and A record sets.
//! Record sets take no tags: their owner is in their metadata.

use crate::arm::{At, Found, text, value};
use isopod_catalog::{Attrs, ResourceKind as K, Value};
use serde_json::{Value as Json, json};

/// Where a desired resource of these kinds goes.
pub(crate) fn at(kind: K, attrs: &Attrs) -> At {
    let group = text(attrs, "resource_group").to_string();
    let names = match kind {
        K::AzurePrivateDnsZoneLink => vec![text(attrs, "private_dns_zone_name"), text(attrs, "name")],
        K::AzurePrivateDnsARecord => vec![text(attrs, "zone_name"), text(attrs, "name")],
        _ => vec![text(attrs, "name")],
    };
    At { group, names: names.into_iter().map(String::from).collect() }
}

/// The body of a desired resource of these kinds (tags and metadata are the caller's).
pub(crate) fn body(kind: K, attrs: &Attrs) -> Json {
    match kind {
        K::AzurePrivateDnsZone => json!({ "location": "global" }),
        K::AzurePrivateDnsZoneLink => json!({
            "location": "global",
            "properties": {
                "virtualNetwork": { "id": text(attrs, "virtual_network_id") },
                "registrationEnabled": value(attrs, "registration_enabled"),
            }
        }),
        _ => {
            let records: Vec<Json> = match attrs.get("records") {
                Some(Value::List(items)) => items
                    .iter()
                    .filter_map(
                        |item| if let Value::String(a) = item { Some(json!({ "ipv4Address": a })) } else { None },
                    )
                    .collect(),
                _ => Vec::new(),
            };
            json!({ "properties": { "ttl": value(attrs, "ttl"), "aRecords": records } })
        }
    }
}

/// The attributes of a live resource of these kinds; `zone` is the zone of links and records.
pub(crate) fn attrs(kind: K, group: &str, zone: &str, live: &Json) -> Found {
    let props = &live["properties"];
    let mut found = Found::default();
    found.text("name", live["name"].as_str()).text("resource_group", Some(group));
    match kind {
        K::AzurePrivateDnsZone => {}
        K::AzurePrivateDnsZoneLink => {
            found
                .text("private_dns_zone_name", Some(zone))
                .text("virtual_network_id", props.pointer("/virtualNetwork/id").and_then(Json::as_str))
                .boolean("registration_enabled", props["registrationEnabled"].as_bool());
        }
        _ => {
            let records = props["aRecords"].as_array().into_iter().flatten();
            let records = records.filter_map(|r| r["ipv4Address"].as_str()).map(Value::string).collect();
            found
                .text("zone_name", Some(zone))
                .integer("ttl", props["ttl"].as_i64())
                .value("records", Value::List(records));
        }
    }
    found
}
