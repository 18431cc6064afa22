//! ARM's vocabulary: resource ids, the JSON bodies Isopod builds and reads, and ownership tags.
//!
//! Bodies are built as JSON and turned into the SDK's models by [`model`], which refuses a body
//! that the model would not carry whole (a misspelt member would otherwise vanish on the
//! wire); answers are the SDK's models turned back into JSON, read by path.

use isopod_catalog::{Attrs, Ownership, ResourceId, Value};
use isopod_provider::{ErrorKind, ProviderError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;

/// The tag naming the stack that owns a resource.
pub const STACK_TAG: &str = "isopod:stack";
/// The tag naming the resource's kind and address in its stack, `KIND.ADDRESS`.
pub const RESOURCE_TAG: &str = "isopod:resource";
/// Private DNS record sets take metadata, not tags, whose names are letters, digits and `_`.
const STACK_METADATA: &str = "isopod_stack";
const RESOURCE_METADATA: &str = "isopod_resource";

/// Where a resource is: its group and its names from the outermost (`vnet`, `subnet`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct At {
    pub(crate) group: String,
    pub(crate) names: Vec<String>,
}

impl At {
    /// The `n`th name (0: the resource's own, or its parent's for a child).
    pub(crate) fn name(&self, n: usize) -> &str {
        self.names.get(n).map(String::as_str).unwrap_or_default()
    }

    /// Where an ARM id points: its resource group and the names after the provider's namespace
    /// (`.../virtualNetworks/v/subnets/s` gives `[v, s]`; `.../privateDnsZones/z/A/@` gives
    /// `[z, @]`); a resource group's id gives its name and no names.
    pub(crate) fn parse(id: &str) -> Result<At, ProviderError> {
        let invalid = || ProviderError::new(ErrorKind::Invalid, format!("`{id}` is not an Azure resource id"));
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        let group_at = parts.iter().position(|p| p.eq_ignore_ascii_case("resourceGroups")).ok_or_else(invalid)?;
        let group = parts.get(group_at + 1).ok_or_else(invalid)?.to_string();
        let names = match parts.iter().position(|p| p.eq_ignore_ascii_case("providers")) {
            // providers/NAMESPACE/TYPE/NAME[/TYPE/NAME]
            Some(at) => parts[at + 2..].iter().skip(1).step_by(2).map(|s| s.to_string()).collect(),
            None => Vec::new(),
        };
        Ok(At { group, names })
    }
}

/// The id of a resource group.
pub(crate) fn group_id(subscription: &str, group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}")
}

/// The id of `TYPE/NAME` (`virtualNetworks/x`) of `Microsoft.Network` in a group.
pub(crate) fn network_id(subscription: &str, group: &str, path: &str) -> String {
    format!("{}/providers/Microsoft.Network/{path}", group_id(subscription, group))
}

/// `body` as the SDK's model `T`, refused unless the model carries every value of it.
pub(crate) fn model<T: DeserializeOwned + Serialize>(what: &str, body: Json) -> Result<T, ProviderError> {
    let invalid = |why: String| ProviderError::new(ErrorKind::Invalid, format!("{what}: {why}"));
    let typed: T =
        serde_json::from_value(body.clone()).map_err(|err| invalid(format!("the SDK's model refuses it: {err}")))?;
    let back = serde_json::to_value(&typed).map_err(|err| invalid(err.to_string()))?;
    if let Some(path) = dropped(&body, &back, String::new()) {
        return Err(invalid(format!("the SDK's model has no `{path}`")));
    }
    Ok(typed)
}

/// The first path of `sent` that `kept` lacks or holds otherwise.
fn dropped(sent: &Json, kept: &Json, path: String) -> Option<String> {
    match (sent, kept) {
        (Json::Object(sent), Json::Object(kept)) => sent.iter().find_map(|(key, value)| {
            let here = format!("{path}/{key}");
            match kept.get(key) {
                Some(other) => dropped(value, other, here),
                // What the model leaves out when unset: null, `[]`, `{}`.
                None if is_unset(value) => None,
                None => Some(here),
            }
        }),
        (Json::Array(sent), Json::Array(kept)) if sent.len() == kept.len() => {
            sent.iter().zip(kept).enumerate().find_map(|(n, (a, b))| dropped(a, b, format!("{path}/{n}")))
        }
        (sent, kept) if sent == kept => None,
        _ => Some(path),
    }
}

fn is_unset(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Array(items) => items.is_empty(),
        Json::Object(members) => members.values().all(is_unset),
        _ => false,
    }
}

/// An SDK model as JSON.
pub(crate) fn json<T: Serialize>(value: &T) -> Json {
    serde_json::to_value(value).unwrap_or_default()
}

/// `desired` merged over `live`: objects member by member, anything else replaced. What an
/// update PUTs: the live resource (its subnets, its peerings, what others set) with what the
/// configuration says.
pub(crate) fn merged(live: Json, desired: Json) -> Json {
    match (live, desired) {
        (Json::Object(mut live), Json::Object(desired)) => {
            for (key, value) in desired {
                let old = live.remove(&key).unwrap_or(Json::Null);
                live.insert(key, merged(old, value));
            }
            Json::Object(live)
        }
        (_, desired) => desired,
    }
}

/// The tags a resource of `owner` is created (and updated) with: Isopod's and the resource's
/// own (`tags`, for the kinds that take the user's).
pub(crate) fn tags(owner: &Ownership, attrs: &Attrs) -> Json {
    let mut tags: Map<String, Json> = text_map(attrs, "tags").into_iter().map(|(k, v)| (k, Json::String(v))).collect();
    tags.insert(STACK_TAG.into(), json!(owner.stack));
    tags.insert(RESOURCE_TAG.into(), json!(owner.id.to_string()));
    Json::Object(tags)
}

/// The metadata a record set of `owner` carries.
pub(crate) fn metadata(owner: &Ownership) -> Json {
    json!({ STACK_METADATA: owner.stack, RESOURCE_METADATA: owner.id.to_string() })
}

/// The owner a resource's tags name, and its own tags (without Isopod's).
pub(crate) fn read_tags(tags: &Json) -> (Option<Ownership>, BTreeMap<String, String>) {
    let owner = read_owner(tags, STACK_TAG, RESOURCE_TAG);
    let own = tags
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| !key.starts_with("isopod:"))
        .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string()))
        .collect();
    (owner, own)
}

/// The owner a record set's metadata names.
pub(crate) fn read_metadata(metadata: &Json) -> Option<Ownership> {
    read_owner(metadata, STACK_METADATA, RESOURCE_METADATA)
}

/// The stack a resource's tags name.
pub(crate) fn stack(tags: &Json) -> Option<&str> {
    tags.get(STACK_TAG).and_then(Json::as_str)
}

fn read_owner(map: &Json, stack_key: &str, resource_key: &str) -> Option<Ownership> {
    let stack = map.get(stack_key)?.as_str()?;
    let id = ResourceId::parse(map.get(resource_key)?.as_str()?)?;
    Some(Ownership { stack: stack.to_string(), id })
}

/// A text attribute.
pub(crate) fn text<'a>(attrs: &'a Attrs, name: &str) -> &'a str {
    match attrs.get(name) {
        Some(Value::String(text)) => text,
        _ => "",
    }
}

/// An attribute as JSON (strings, numbers, booleans, lists and maps as they are).
pub(crate) fn value(attrs: &Attrs, name: &str) -> Json {
    attrs.get(name).map(to_json).unwrap_or(Json::Null)
}

/// A value as JSON.
pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::String(text) => json!(text),
        Value::Integer(n) => json!(n),
        Value::Bool(b) => json!(b),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => Json::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        _ => Json::Null,
    }
}

/// A map attribute of texts (`tags`).
pub(crate) fn text_map(attrs: &Attrs, name: &str) -> BTreeMap<String, String> {
    match attrs.get(name) {
        Some(Value::Map(map)) => map
            .iter()
            .filter_map(|(k, v)| match v {
                Value::String(text) => Some((k.clone(), text.clone())),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// A location as ARM compares them: lower-case, without spaces (`West Europe` is `westeurope`).
pub(crate) fn location(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

/// The last segment of an id (its name).
pub(crate) fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or_default()
}

/// Attributes read from a JSON answer, in the catalogue's vocabulary.
#[derive(Default)]
pub(crate) struct Found(pub(crate) Attrs);

impl Found {
    /// A text, when the answer has it.
    pub(crate) fn text(&mut self, name: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.0.insert(name.into(), Value::string(value));
        }
        self
    }

    /// An integer, when the answer has it.
    pub(crate) fn integer(&mut self, name: &'static str, value: Option<i64>) -> &mut Self {
        if let Some(value) = value {
            self.0.insert(name.into(), Value::Integer(value));
        }
        self
    }

    /// A boolean, when the answer has it.
    pub(crate) fn boolean(&mut self, name: &'static str, value: Option<bool>) -> &mut Self {
        if let Some(value) = value {
            self.0.insert(name.into(), Value::Bool(value));
        }
        self
    }

    /// A list of texts.
    pub(crate) fn texts(&mut self, name: &'static str, values: Option<&Json>) -> &mut Self {
        let items = values.and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str);
        self.0.insert(name.into(), Value::List(items.map(Value::string).collect()));
        self
    }

    /// Any value.
    pub(crate) fn value(&mut self, name: &'static str, value: Value) -> &mut Self {
        self.0.insert(name.into(), value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::ResourceKind;

    #[test]
    fn ids_give_their_group_and_names() {
        let subnet =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/GatewaySubnet";
        assert_eq!(
            At::parse(subnet).unwrap(),
            At { group: "rg".into(), names: vec!["v".into(), "GatewaySubnet".into()] }
        );
        let record = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/a.example.com/A/@";
        assert_eq!(At::parse(record).unwrap().names, ["a.example.com", "@"]);
        assert_eq!(At::parse("/subscriptions/s/resourceGroups/rg").unwrap(), At { group: "rg".into(), names: vec![] });
        assert!(At::parse("/subscriptions/s").is_err());
    }

    #[test]
    fn a_body_the_model_would_not_carry_whole_is_refused() {
        use azure_mgmt_network::package_2024_03::models::VirtualNetwork;
        let good =
            json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
        assert!(model::<VirtualNetwork>("v", good).is_ok());
        let misspelt =
            json!({"location": "westeurope", "properties": {"adressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
        let err = model::<VirtualNetwork>("v", misspelt).unwrap_err();
        assert!(err.message.contains("/properties/adressSpace"), "{}", err.message);
    }

    #[test]
    fn an_update_keeps_what_the_configuration_does_not_say() {
        let live =
            json!({"properties": {"subnets": [{"name": "a"}], "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
        let desired = json!({"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/15"]}}});
        let body = merged(live, desired);
        assert_eq!(body["properties"]["subnets"][0]["name"], "a");
        assert_eq!(body["properties"]["addressSpace"]["addressPrefixes"][0], "10.0.0.0/15");
    }

    #[test]
    fn ownership_tags_are_read_back() {
        let owner = Ownership { stack: "prod".into(), id: ResourceId::new(ResourceKind::AzureVirtualNetwork, "app") };
        let attrs: Attrs =
            [("tags".into(), Value::Map([("team".into(), Value::string("net"))].into()))].into_iter().collect();
        let written = tags(&owner, &attrs);
        let (found, own) = read_tags(&written);
        assert_eq!(found, Some(owner.clone()));
        assert_eq!(own, BTreeMap::from([("team".into(), "net".to_string())]));
        assert_eq!(read_metadata(&metadata(&owner)), Some(owner));
        assert_eq!(read_tags(&json!({"isopod:stack": "prod"})).0, None);
    }
}
