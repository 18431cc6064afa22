//! Route 53 private hosted zones (associated with one VPC) and their A records: the private DNS
//! that makes a relayed endpoint's name resolve in each consumer's VPC.
//!
//! Route 53 is global: a zone is reported only in the scope that made it (the `isopod:cloud`
//! tag and the region of its VPC), so that two cloud blocks of one account never both claim it.
//! Records cannot be tagged: they are owned through their zone and found by zone, name and type.

use super::attrs::{Found, integer, owned_text, string_list, strings, text, text_map, untagged};
use super::errors::classify;
use super::{Region, tags};
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, HostedZoneConfig, ResourceRecord, ResourceRecordSet, RrType, Tag,
    TagResourceType, Vpc, VpcRegion,
};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind};
use isopod_provider::{Created, ErrorKind, ProviderError, Provisioning};
use std::collections::HashMap;

/// The tag naming the cloud block that made a zone.
const CLOUD_TAG: &str = "isopod:cloud";

fn invalid(err: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, err.to_string())
}

/// A zone id without Route 53's `/hostedzone/` prefix.
fn bare(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

/// A name without the final dot Route 53 adds.
fn undotted(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// A zone this scope made: its id, name, comment, VPC and tags.
struct Zone {
    id: String,
    name: String,
    comment: Option<String>,
    vpc: Option<(String, String)>,
    tags: Vec<aws_sdk_route53::types::Tag>,
}

/// The private zones of the account that carry `isopod:stack` and were made by this scope's
/// cloud block for a VPC in this region: one listing (every page), one tag call per ten zones,
/// one call per zone of the stack for its VPC.
async fn zones(region: &Region) -> Result<Vec<Zone>, ProviderError> {
    let dns = &region.dns;
    let mut private = Vec::new();
    let mut pages = dns.list_hosted_zones().into_paginator().send();
    while let Some(page) = pages.next().await {
        for zone in page.map_err(classify)?.hosted_zones() {
            if zone.config().is_some_and(|config| config.private_zone()) {
                private.push(zone.clone());
            }
        }
    }
    let mut tags_of: HashMap<String, Vec<aws_sdk_route53::types::Tag>> = HashMap::new();
    for chunk in private.chunks(10) {
        let ids = chunk.iter().map(|zone| bare(zone.id()).to_string()).collect();
        let listed = dns
            .list_tags_for_resources()
            .resource_type(TagResourceType::Hostedzone)
            .set_resource_ids(Some(ids))
            .send()
            .await
            .map_err(classify)?;
        for set in listed.resource_tag_sets() {
            tags_of.insert(set.resource_id().unwrap_or_default().to_string(), set.tags().to_vec());
        }
    }
    let mut found = Vec::new();
    for zone in private {
        let id = bare(zone.id()).to_string();
        let tags = tags_of.remove(&id).unwrap_or_default();
        let tag = |key: &str| tags.iter().find(|t| t.key() == Some(key)).and_then(|t| t.value()).map(str::to_string);
        if tag(tags::STACK_TAG).is_none() || tag(CLOUD_TAG).as_deref() != Some(region.scope.cloud.as_str()) {
            continue;
        }
        let described = dns.get_hosted_zone().id(&id).send().await.map_err(classify)?;
        let vpc = described.vpcs().first().map(|vpc| {
            (
                vpc.vpc_id().unwrap_or_default().to_string(),
                vpc.vpc_region().map(|r| r.as_str().to_string()).unwrap_or_default(),
            )
        });
        if vpc.as_ref().is_some_and(|(_, vpc_region)| *vpc_region != region.scope.region) {
            continue;
        }
        let comment = zone.config().and_then(|config| config.comment()).map(str::to_string);
        found.push(Zone { id, name: undotted(zone.name()).to_string(), comment, vpc, tags });
    }
    Ok(found)
}

/// Route 53 tags as EC2 tags, to read ownership the same way.
fn as_ec2_tags(tags: &[aws_sdk_route53::types::Tag]) -> Vec<aws_sdk_ec2::types::Tag> {
    tags.iter()
        .map(|t| {
            aws_sdk_ec2::types::Tag::builder()
                .set_key(t.key().map(str::to_string))
                .set_value(t.value().map(str::to_string))
                .build()
        })
        .collect()
}

pub(super) async fn discover_zones(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(zones(region)
        .await?
        .into_iter()
        .map(|zone| {
            let mut found = Found::default();
            found.text("name", Some(&zone.name));
            found.text("comment", zone.comment.as_deref());
            if let Some((vpc, vpc_region)) = &zone.vpc {
                found.text("vpc_id", Some(vpc));
                found.text("vpc_region", Some(vpc_region));
            }
            region.observed(ResourceKind::AwsRoute53Zone, Some(&zone.id), &as_ec2_tags(&zone.tags), found)
        })
        .collect())
}

pub(super) async fn create_zone(region: &Region, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let dns = &region.dns;
    let vpc = Vpc::builder()
        .set_vpc_id(owned_text(attrs, "vpc_id"))
        .set_vpc_region(text(attrs, "vpc_region").map(VpcRegion::from))
        .build();
    // The caller reference makes the call idempotent for its retries; a zone made again after a
    // deletion needs a new one.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let reference = format!("isopod/{}/{}/{nanos}", owner.stack, owner.id);
    let created = dns
        .create_hosted_zone()
        .set_name(owned_text(attrs, "name"))
        .caller_reference(reference)
        .hosted_zone_config(
            HostedZoneConfig::builder().set_comment(owned_text(attrs, "comment")).private_zone(true).build(),
        )
        .vpc(vpc)
        .send()
        .await
        .map_err(classify)?;
    let id = created.hosted_zone().map(|zone| bare(zone.id()).to_string()).unwrap_or_default();
    let mut zone_tags = vec![
        Tag::builder().key(tags::STACK_TAG).value(&owner.stack).build(),
        Tag::builder().key(tags::RESOURCE_TAG).value(owner.id.to_string()).build(),
        Tag::builder().key(CLOUD_TAG).value(&region.scope.cloud).build(),
    ];
    zone_tags
        .extend(text_map(attrs, "tags").into_iter().map(|(key, value)| Tag::builder().key(key).value(value).build()));
    dns.change_tags_for_resource()
        .resource_type(TagResourceType::Hostedzone)
        .resource_id(&id)
        .set_add_tags(Some(zone_tags))
        .send()
        .await
        .map_err(classify)?;
    Ok(Created { provider_id: id, outputs: isopod_catalog::Attrs::new() })
}

/// Changes the zone's comment and its own tags (Isopod's stay).
pub(super) async fn update_zone(region: &Region, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let dns = &region.dns;
    let request = dns.update_hosted_zone_comment().id(provider_id).set_comment(owned_text(attrs, "comment"));
    request.send().await.map_err(classify)?;
    let live = dns
        .list_tags_for_resource()
        .resource_type(TagResourceType::Hostedzone)
        .resource_id(provider_id)
        .send()
        .await
        .map_err(classify)?;
    let wanted = text_map(attrs, "tags");
    let stale: Vec<String> = live
        .resource_tag_set()
        .map(|set| set.tags())
        .unwrap_or_default()
        .iter()
        .filter_map(|tag| tag.key())
        .filter(|key| !key.starts_with("isopod:") && !wanted.contains_key(*key))
        .map(str::to_string)
        .collect();
    let added: Vec<Tag> = wanted.into_iter().map(|(key, value)| Tag::builder().key(key).value(value).build()).collect();
    dns.change_tags_for_resource()
        .resource_type(TagResourceType::Hostedzone)
        .resource_id(provider_id)
        .set_add_tags(Some(added).filter(|tags| !tags.is_empty()))
        .set_remove_tag_keys(Some(stale).filter(|keys| !keys.is_empty()))
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}

/// A zone is ready once made (its records change through their own calls); gone once deleted.
pub(super) async fn zone_provisioning(region: &Region, provider_id: &str) -> Result<Provisioning, ProviderError> {
    region.dns.get_hosted_zone().id(provider_id).send().await.map_err(classify)?;
    Ok(Provisioning::Ready)
}

pub(super) async fn delete_zone(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    region.dns.delete_hosted_zone().id(provider_id).send().await.map(drop).map_err(classify)
}

/// Every record set of a zone, every page.
async fn record_sets(region: &Region, zone: &str) -> Result<Vec<ResourceRecordSet>, ProviderError> {
    let mut sets = Vec::new();
    let mut next: Option<(String, RrType)> = None;
    loop {
        let mut request = region.dns.list_resource_record_sets().hosted_zone_id(zone);
        if let Some((name, kind)) = next.take() {
            request = request.start_record_name(name).start_record_type(kind);
        }
        let page = request.send().await.map_err(classify)?;
        sets.extend(page.resource_record_sets().iter().cloned());
        match (page.is_truncated(), page.next_record_name(), page.next_record_type()) {
            (true, Some(name), Some(kind)) => next = Some((name.to_string(), kind.clone())),
            _ => return Ok(sets),
        }
    }
}

/// The A records of the zones this scope made (Route 53's own SOA and NS records are not
/// Isopod's).
pub(super) async fn discover_records(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let mut found = Vec::new();
    for zone in zones(region).await? {
        let stack = zone.tags.iter().find(|t| t.key() == Some(tags::STACK_TAG)).and_then(|t| t.value());
        for set in record_sets(region, &zone.id).await? {
            if set.r#type() != &RrType::A {
                continue;
            }
            let mut attrs = Found::default();
            attrs.text("zone_id", Some(&zone.id));
            attrs.text("name", Some(undotted(set.name())));
            attrs.text("type", Some(set.r#type().as_str()));
            attrs.integer("ttl", set.ttl());
            attrs.value("records", string_list(set.resource_records().iter().map(|r| r.value())));
            found.extend(untagged(ResourceKind::AwsRoute53Record, &region.scope, stack, attrs.0));
        }
    }
    Ok(found)
}

/// The record set `attrs` describe.
fn record_set(attrs: &Attrs) -> Result<ResourceRecordSet, ProviderError> {
    let records: Result<Vec<ResourceRecord>, _> =
        strings(attrs, "records").into_iter().map(|value| ResourceRecord::builder().value(value).build()).collect();
    ResourceRecordSet::builder()
        .set_name(owned_text(attrs, "name"))
        .set_type(text(attrs, "type").map(RrType::from))
        .set_ttl(integer(attrs, "ttl"))
        .set_resource_records(Some(records.map_err(invalid)?))
        .build()
        .map_err(invalid)
}

/// Sends one change of one record set to its zone.
async fn change(
    region: &Region,
    zone: &str,
    action: ChangeAction,
    set: ResourceRecordSet,
) -> Result<(), ProviderError> {
    let change = Change::builder().action(action).resource_record_set(set).build().map_err(invalid)?;
    let batch = ChangeBatch::builder().changes(change).build().map_err(invalid)?;
    let request = region.dns.change_resource_record_sets().hosted_zone_id(zone).change_batch(batch);
    request.send().await.map(drop).map_err(classify)
}

/// Creates the record set, or makes the live one what `attrs` say.
pub(super) async fn upsert_record(region: &Region, attrs: &Attrs) -> Result<Created, ProviderError> {
    let zone = text(attrs, "zone_id").ok_or_else(|| invalid("a record needs its zone_id"))?;
    change(region, zone, ChangeAction::Upsert, record_set(attrs)?).await?;
    super::attrs::natural_created(ResourceKind::AwsRoute53Record, attrs)
}

/// Deletes the record set `zone:name:type`, as Route 53 takes it: with its live values.
pub(super) async fn delete_record(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let (zone, rest) = super::attrs::natural_parts(provider_id)?;
    let (name, kind) =
        rest.rsplit_once(':').ok_or_else(|| invalid(format!("`{provider_id}` is not zone:name:type")))?;
    let live = match record_sets(region, zone).await {
        Ok(sets) => sets,
        Err(err) if err.kind == ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    let Some(set) = live.into_iter().find(|set| undotted(set.name()) == name && set.r#type().as_str() == kind) else {
        return Ok(());
    };
    change(region, zone, ChangeAction::Delete, set).await
}
