//! Site-to-site VPN: Standard public addresses, the virtual network gateway (route-based,
//! active-active, BGP with custom APIPA addresses), local network gateways and IPsec
//! connections (a custom IPsec/IKE policy, the shared key, a custom BGP address per gateway IP
//! configuration).
//!
//! A connection's shared key is written in its PUT and never read back (ARM shows it only to
//! `GET .../sharedkey`): discovery reports it as a secret that is live.

use crate::arm::{At, Found, network_id, text, value};
use crate::subscription::Sub;
use isopod_catalog::{Attrs, Name, ResourceKind as K, Value};
use serde_json::{Value as Json, json};

/// ARM's default lifetime of a child SA in kilobytes, which a custom policy must state.
const SA_DATA_SIZE_KILOBYTES: i64 = 102_400_000;

/// The id of the gateway `name`'s IP configuration `configuration`.
fn configuration_id(s: &Sub<'_>, group: &str, gateway: &str, configuration: &str) -> String {
    network_id(s.id, group, &format!("virtualNetworkGateways/{gateway}/ipConfigurations/{configuration}"))
}

/// The names of a gateway's IP configurations, in order.
fn configuration_names(attrs: &Attrs) -> Vec<String> {
    match attrs.get("ip_configurations") {
        Some(Value::List(items)) => items
            .iter()
            .enumerate()
            .map(|(n, item)| match item {
                Value::Map(map) => match map.get("name") {
                    Some(Value::String(name)) => name.clone(),
                    _ => format!("ipconfig{n}"),
                },
                _ => format!("ipconfig{n}"),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The body of a desired resource of these kinds (tags are the caller's).
pub(crate) fn body(s: &Sub<'_>, kind: K, at: &At, attrs: &Attrs) -> Json {
    let location = text(attrs, "location");
    match kind {
        K::AzurePublicIp => json!({
            "location": location,
            "sku": { "name": text(attrs, "sku"), "tier": "Regional" },
            "zones": value(attrs, "zones"),
            "properties": { "publicIPAllocationMethod": text(attrs, "allocation"), "publicIPAddressVersion": "IPv4" },
        }),
        K::AzureVirtualNetworkGateway => gateway_body(s, at, attrs),
        K::AzureLocalNetworkGateway => {
            let mut props = json!({ "gatewayIpAddress": text(attrs, "gateway_address") });
            if let Some(Value::List(ranges)) = attrs.get("address_space") {
                let ranges: Vec<&str> = ranges
                    .iter()
                    .filter_map(|r| if let Value::String(r) = r { Some(r.as_str()) } else { None })
                    .collect();
                props["localNetworkAddressSpace"] = json!({ "addressPrefixes": ranges });
            }
            if attrs.contains_key("bgp_asn") {
                props["bgpSettings"] = json!({
                    "asn": value(attrs, "bgp_asn"),
                    "bgpPeeringAddress": text(attrs, "bgp_peering_address"),
                });
            }
            json!({ "location": location, "properties": props })
        }
        _ => connection_body(s, at, attrs),
    }
}

fn gateway_body(s: &Sub<'_>, at: &At, attrs: &Attrs) -> Json {
    let names = configuration_names(attrs);
    let configurations: Vec<Json> = match attrs.get("ip_configurations") {
        Some(Value::List(items)) => items
            .iter()
            .zip(&names)
            .map(|(item, name)| {
                let field = |key: &str| match item {
                    Value::Map(map) => match map.get(key) {
                        Some(Value::String(id)) => id.clone(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                json!({
                    "name": name,
                    "properties": {
                        "privateIPAllocationMethod": "Dynamic",
                        "subnet": { "id": field("subnet_id") },
                        "publicIPAddress": { "id": field("public_ip_address_id") },
                    }
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let custom: Vec<Json> = match attrs.get("custom_bgp_addresses") {
        Some(Value::List(instances)) => instances
            .iter()
            .zip(&names)
            .map(|(addresses, name)| {
                json!({
                    "ipconfigurationId": configuration_id(s, &at.group, at.name(0), name),
                    "customBgpIpAddresses": crate::arm::to_json(addresses),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let sku = text(attrs, "sku");
    json!({
        "location": text(attrs, "location"),
        "properties": {
            "gatewayType": text(attrs, "type"),
            "vpnType": text(attrs, "vpn_type"),
            "sku": { "name": sku, "tier": sku },
            "vpnGatewayGeneration": text(attrs, "generation"),
            "activeActive": value(attrs, "active_active"),
            "enableBgp": value(attrs, "enable_bgp"),
            "bgpSettings": { "asn": value(attrs, "bgp_asn"), "bgpPeeringAddresses": custom },
            "ipConfigurations": configurations,
        }
    })
}

fn connection_body(s: &Sub<'_>, at: &At, attrs: &Attrs) -> Json {
    let gateway = text(attrs, "virtual_network_gateway");
    let gateway_id = network_id(s.id, &at.group, &format!("virtualNetworkGateways/{gateway}"));
    let local_id =
        network_id(s.id, &at.group, &format!("localNetworkGateways/{}", text(attrs, "local_network_gateway")));
    let mut props = json!({
        "connectionType": text(attrs, "type"),
        "connectionProtocol": text(attrs, "connection_protocol"),
        // The SDK's models of the two gateways require `properties`; ARM reads only the ids.
        "virtualNetworkGateway1": { "id": gateway_id, "properties": {} },
        "localNetworkGateway2": { "id": local_id, "properties": {} },
        "sharedKey": text(attrs, "shared_key"),
        "enableBgp": value(attrs, "enable_bgp"),
        "dpdTimeoutSeconds": value(attrs, "dpd_timeout_seconds"),
    });
    if let Some(Value::Map(policy)) = attrs.get("ipsec_policy") {
        let field = |name: &str| policy.get(name).map(crate::arm::to_json).unwrap_or(Json::Null);
        props["ipsecPolicies"] = json!([{
            "saLifeTimeSeconds": field("sa_lifetime_seconds"),
            "saDataSizeKilobytes": SA_DATA_SIZE_KILOBYTES,
            "ipsecEncryption": field("ipsec_encryption"),
            "ipsecIntegrity": field("ipsec_integrity"),
            "ikeEncryption": field("ike_encryption"),
            "ikeIntegrity": field("ike_integrity"),
            "dhGroup": field("dh_group"),
            "pfsGroup": field("pfs_group"),
        }]);
    }
    if let Some(Value::List(custom)) = attrs.get("custom_bgp_addresses") {
        let entries: Vec<Json> = custom
            .iter()
            .filter_map(|entry| {
                let Value::Map(entry) = entry else { return None };
                let (Some(Value::Integer(n)), Some(Value::String(address))) =
                    (entry.get("ip_configuration"), entry.get("address"))
                else {
                    return None;
                };
                Some(json!({
                    "ipConfigurationId": configuration_id(s, &at.group, gateway, &format!("ipconfig{n}")),
                    "customBgpIpAddress": address,
                }))
            })
            .collect();
        props["gatewayCustomBgpIpAddresses"] = Json::Array(entries);
    }
    json!({ "location": text(attrs, "location"), "properties": props })
}

/// The attributes of a live resource of these kinds, in the catalogue's vocabulary.
pub(crate) fn attrs(kind: K, group: &str, live: &Json) -> Found {
    let props = &live["properties"];
    let mut found = Found::default();
    found
        .text("name", live["name"].as_str())
        .text("resource_group", Some(group))
        .text("location", live["location"].as_str());
    match kind {
        K::AzurePublicIp => {
            found
                .text("sku", live.pointer("/sku/name").and_then(Json::as_str))
                .text("allocation", props["publicIPAllocationMethod"].as_str())
                .texts("zones", Some(&live["zones"]))
                .text("ip_address", props["ipAddress"].as_str());
        }
        K::AzureVirtualNetworkGateway => {
            let configurations = props["ipConfigurations"].as_array().cloned().unwrap_or_default();
            let items = configurations.iter().map(|c| {
                Value::Map(
                    [
                        ("name".into(), Value::string(c["name"].as_str().unwrap_or_default())),
                        ("public_ip_address_id".into(), id_value(&c["properties"]["publicIPAddress"]["id"])),
                        ("subnet_id".into(), id_value(&c["properties"]["subnet"]["id"])),
                    ]
                    .into(),
                )
            });
            let peerings =
                props.pointer("/bgpSettings/bgpPeeringAddresses").and_then(Json::as_array).cloned().unwrap_or_default();
            let custom = configurations.iter().map(|c| {
                let id = c["id"].as_str().unwrap_or_default().to_lowercase();
                let addresses = peerings
                    .iter()
                    .find(|p| p["ipconfigurationId"].as_str().is_some_and(|other| other.to_lowercase() == id))
                    .and_then(|p| p["customBgpIpAddresses"].as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .map(Value::string)
                    .collect();
                Value::List(addresses)
            });
            found
                .text("type", props["gatewayType"].as_str())
                .text("vpn_type", props["vpnType"].as_str())
                .text("sku", props.pointer("/sku/name").and_then(Json::as_str))
                .text("generation", props["vpnGatewayGeneration"].as_str())
                .boolean("active_active", props["activeActive"].as_bool())
                .boolean("enable_bgp", props["enableBgp"].as_bool())
                .integer("bgp_asn", props.pointer("/bgpSettings/asn").and_then(Json::as_i64))
                .value("ip_configurations", Value::List(items.collect()))
                .value("custom_bgp_addresses", Value::List(custom.collect()));
        }
        K::AzureLocalNetworkGateway => {
            found.text("gateway_address", props["gatewayIpAddress"].as_str());
            let prefixes = props.pointer("/localNetworkAddressSpace/addressPrefixes").and_then(Json::as_array);
            if prefixes.is_some_and(|p| !p.is_empty()) {
                found.texts("address_space", prefixes.map(|_| &props["localNetworkAddressSpace"]["addressPrefixes"]));
            }
            if let Some(asn) = props.pointer("/bgpSettings/asn").and_then(Json::as_i64).filter(|asn| *asn != 0) {
                found.integer("bgp_asn", Some(asn)).text(
                    "bgp_peering_address",
                    props.pointer("/bgpSettings/bgpPeeringAddress").and_then(Json::as_str),
                );
            }
        }
        _ => connection_attrs(props, &mut found),
    }
    found
}

fn connection_attrs(props: &Json, found: &mut Found) {
    let name_of =
        |member: &str| props.pointer(&format!("/{member}/id")).and_then(Json::as_str).map(crate::arm::last_segment);
    found
        .text("type", props["connectionType"].as_str())
        .text("connection_protocol", props["connectionProtocol"].as_str())
        .text("virtual_network_gateway", name_of("virtualNetworkGateway1"))
        .text("local_network_gateway", name_of("localNetworkGateway2"))
        .value("shared_key", Value::Sensitive("(live)".into()))
        .boolean("enable_bgp", props["enableBgp"].as_bool())
        .integer("dpd_timeout_seconds", props["dpdTimeoutSeconds"].as_i64());
    if let Some(policy) = props.pointer("/ipsecPolicies/0") {
        let text = |key: &str| Value::string(policy[key].as_str().unwrap_or_default());
        found.value(
            "ipsec_policy",
            Value::Map(
                [
                    ("ike_encryption", text("ikeEncryption")),
                    ("ike_integrity", text("ikeIntegrity")),
                    ("dh_group", text("dhGroup")),
                    ("ipsec_encryption", text("ipsecEncryption")),
                    ("ipsec_integrity", text("ipsecIntegrity")),
                    ("pfs_group", text("pfsGroup")),
                    ("sa_lifetime_seconds", Value::Integer(policy["saLifeTimeSeconds"].as_i64().unwrap_or_default())),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            ),
        );
    }
    let custom = props["gatewayCustomBgpIpAddresses"].as_array().filter(|c| !c.is_empty());
    if let Some(custom) = custom {
        let entries = custom.iter().map(|entry| {
            let configuration = entry["ipConfigurationId"].as_str().map(crate::arm::last_segment).unwrap_or_default();
            let index = configuration.trim_start_matches("ipconfig").parse::<i64>().unwrap_or_default();
            Value::Map(
                [
                    ("ip_configuration".into(), Value::Integer(index)),
                    ("address".into(), Value::string(entry["customBgpIpAddress"].as_str().unwrap_or_default())),
                ]
                .into(),
            )
        });
        found.value("custom_bgp_addresses", Value::List(entries.collect()));
    }
}

fn id_value(id: &Json) -> Value {
    Value::string(id.as_str().unwrap_or_default())
}

/// The outputs of a live resource of these kinds: a public address's `ip_address`.
pub(crate) fn outputs(kind: K, live: &Json) -> Vec<(Name, Value)> {
    match (kind, live.pointer("/properties/ipAddress").and_then(Json::as_str)) {
        (K::AzurePublicIp, Some(address)) => vec![("ip_address".into(), Value::string(address))],
        _ => Vec::new(),
    }
}
