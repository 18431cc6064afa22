//! Ownership on AWS: tags written in the create call itself (`TagSpecifications`), read back by
//! discovery, and the resource's own tags kept as the configuration says.

use super::attrs::text_map;
use super::errors::classify;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use isopod_catalog::{Attrs, Ownership, ResourceId, Value};
use isopod_provider::ProviderError;
use std::collections::BTreeMap;

/// The tag naming the stack that owns a resource.
pub const STACK_TAG: &str = "isopod:stack";
/// The tag naming the resource's kind and address in its stack, `KIND.ADDRESS`.
pub const RESOURCE_TAG: &str = "isopod:resource";
/// The tag by which the accepting side of a VPC peering connection (the same EC2 object as the
/// requesting side, in the peer's region) is owned: `aws_vpc_peering_connection_accepter.ADDRESS`.
pub const ACCEPTER_TAG: &str = "isopod:accepter";

/// The ownership tags of `owner`, under `resource_key`, with the resource's own tags.
pub(super) fn ownership_tags(owner: &Ownership, resource_key: &str, attrs: &Attrs) -> Vec<Tag> {
    let mut tags = vec![
        Tag::builder().key(STACK_TAG).value(&owner.stack).build(),
        Tag::builder().key(resource_key).value(owner.id.to_string()).build(),
    ];
    tags.extend(text_map(attrs, "tags").into_iter().map(|(key, value)| Tag::builder().key(key).value(value).build()));
    tags
}

/// The ownership tags of `owner` with the resource's own tags, for a create call.
pub(super) fn specification(resource_type: ResourceType, owner: &Ownership, attrs: &Attrs) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource_type)
        .set_tags(Some(ownership_tags(owner, RESOURCE_TAG, attrs)))
        .build()
}

/// The owner that `tags` name under `resource_key`, and the resource's own tags (without
/// Isopod's).
pub(super) fn read(tags: &[Tag], resource_key: &str) -> (Option<Ownership>, Value) {
    let tag = |key: &str| tags.iter().find(|t| t.key() == Some(key)).and_then(|t| t.value());
    let owner = match (tag(STACK_TAG), tag(resource_key).and_then(ResourceId::parse)) {
        (Some(stack), Some(id)) => Some(Ownership { stack: stack.to_string(), id }),
        _ => None,
    };
    let own = tags
        .iter()
        .filter(|t| t.key().is_some_and(|key| !key.starts_with("isopod:")))
        .filter_map(|t| Some((t.key()?.to_string(), Value::string(t.value().unwrap_or_default()))))
        .collect();
    (owner, Value::Map(own))
}

/// The stack that `tags` name, if any.
pub(super) fn stack(tags: &[Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key() == Some(STACK_TAG)).and_then(|t| t.value())
}

/// The filter that keeps what some stack owns.
pub(super) fn owned_filter() -> Filter {
    Filter::builder().name("tag-key").values(STACK_TAG).build()
}

/// Makes the resource's own tags those `attrs` want; Isopod's ownership tags stay.
pub(super) async fn update(client: &Client, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let wanted: BTreeMap<String, String> = text_map(attrs, "tags");
    let live = client
        .describe_tags()
        .filters(Filter::builder().name("resource-id").values(provider_id).build())
        .send()
        .await
        .map_err(classify)?;
    let stale: Vec<Tag> = live
        .tags()
        .iter()
        .filter_map(|tag| tag.key())
        .filter(|key| !key.starts_with("isopod:") && !wanted.contains_key(*key))
        .map(|key| Tag::builder().key(key).build())
        .collect();
    if !stale.is_empty() {
        client.delete_tags().resources(provider_id).set_tags(Some(stale)).send().await.map_err(classify)?;
    }
    if !wanted.is_empty() {
        let tags = wanted.iter().map(|(key, value)| Tag::builder().key(key).value(value).build()).collect();
        client.create_tags().resources(provider_id).set_tags(Some(tags)).send().await.map_err(classify)?;
    }
    Ok(())
}
