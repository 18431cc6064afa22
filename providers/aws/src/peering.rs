//! VPC peering: the requesting side (created in the requester's region, tagged there) and the
//! accepting side (the same EC2 object seen from the peer's region: accepted there and tagged
//! with `isopod:accepter`, since each region keeps its own tags of a cross-region peering).

use super::attrs::{Found, owned_text, text};
use super::errors::classify;
use super::{Region, gone, tags};
use aws_sdk_ec2::types::{
    Filter, ResourceType, Tag, VpcPeeringConnection, VpcPeeringConnectionStateReasonCode as Status,
};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind};
use isopod_provider::{Created, ErrorKind, ProviderError, Provisioning};

/// The peering connections carrying the tag `key` (or the one `id`), every page, without those
/// that ended.
pub(super) async fn connections(
    region: &Region,
    key: &str,
    id: Option<&str>,
) -> Result<Vec<VpcPeeringConnection>, ProviderError> {
    let request = match id {
        Some(id) => region.client.describe_vpc_peering_connections().vpc_peering_connection_ids(id),
        None => region
            .client
            .describe_vpc_peering_connections()
            .filters(Filter::builder().name("tag-key").values(key).build()),
    };
    let found = every_page!(request, vpc_peering_connections);
    Ok(found.into_iter().filter(|c| !ended(c)).collect())
}

fn status(connection: &VpcPeeringConnection) -> Option<&Status> {
    connection.status().and_then(|s| s.code())
}

/// Whether the connection is over (deleted, refused, failed or expired).
fn ended(connection: &VpcPeeringConnection) -> bool {
    matches!(
        status(connection),
        Some(Status::Deleted | Status::Deleting | Status::Rejected | Status::Failed | Status::Expired)
    )
}

/// The requesting sides made in this region.
pub(super) async fn discover_requesters(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let here = region.scope.region.as_str();
    Ok(connections(region, tags::RESOURCE_TAG, None)
        .await?
        .iter()
        // A cross-region peering is listed in both regions: the requester is the one here.
        .filter(|c| c.requester_vpc_info().and_then(|info| info.region()).is_none_or(|r| r == here))
        .map(|connection| {
            let requester = connection.requester_vpc_info();
            let accepter = connection.accepter_vpc_info();
            let mut found = Found::default();
            found.text("vpc_id", requester.and_then(|info| info.vpc_id()));
            found.text("peer_vpc_id", accepter.and_then(|info| info.vpc_id()));
            found.text("peer_region", accepter.and_then(|info| info.region()).or(Some(here)));
            found.text("peer_owner_id", accepter.and_then(|info| info.owner_id()));
            let id = connection.vpc_peering_connection_id();
            region.observed(ResourceKind::AwsVpcPeeringConnection, id, connection.tags(), found)
        })
        .collect())
}

pub(super) async fn create_requester(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let created = region
        .client
        .create_vpc_peering_connection()
        .set_vpc_id(owned_text(attrs, "vpc_id"))
        .set_peer_vpc_id(owned_text(attrs, "peer_vpc_id"))
        .set_peer_region(owned_text(attrs, "peer_region"))
        .set_peer_owner_id(owned_text(attrs, "peer_owner_id"))
        .tag_specifications(tags::specification(ResourceType::VpcPeeringConnection, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.vpc_peering_connection().and_then(|c| c.vpc_peering_connection_id()).unwrap_or_default();
    Ok(Created { provider_id: id.to_string(), outputs: isopod_catalog::Attrs::new() })
}

/// Ready once the peer can accept it (or has).
pub(super) async fn requester_provisioning(region: &Region, provider_id: &str) -> Result<Provisioning, ProviderError> {
    let found = connections(region, tags::RESOURCE_TAG, Some(provider_id)).await?;
    let Some(connection) = found.first() else { return Err(gone(provider_id)) };
    Ok(match status(connection) {
        Some(Status::PendingAcceptance | Status::Active) => Provisioning::Ready,
        _ => Provisioning::Pending,
    })
}

/// The accepting sides in this region.
pub(super) async fn discover_accepters(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let here = region.scope.region.as_str();
    Ok(connections(region, tags::ACCEPTER_TAG, None)
        .await?
        .iter()
        .filter(|c| c.accepter_vpc_info().and_then(|info| info.region()).is_none_or(|r| r == here))
        .map(|connection| {
            let id = connection.vpc_peering_connection_id();
            let mut found = Found::default();
            found.text("vpc_peering_connection_id", id);
            let kind = ResourceKind::AwsVpcPeeringConnectionAccepter;
            region.observed_under(tags::ACCEPTER_TAG, kind, id, connection.tags(), found)
        })
        .collect())
}

/// Accepts the connection (unless it already is) and tags this region's side as owned.
pub(super) async fn create_accepter(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let Some(id) = text(attrs, "vpc_peering_connection_id") else {
        return Err(ProviderError::new(ErrorKind::Invalid, "an accepter needs its vpc_peering_connection_id"));
    };
    let found = connections(region, tags::ACCEPTER_TAG, Some(id)).await?;
    let Some(connection) = found.first() else { return Err(gone(id)) };
    if status(connection) != Some(&Status::Active) {
        region.client.accept_vpc_peering_connection().vpc_peering_connection_id(id).send().await.map_err(classify)?;
    }
    let tags: Vec<Tag> = tags::ownership_tags(owner, tags::ACCEPTER_TAG, attrs);
    region.client.create_tags().resources(id).set_tags(Some(tags)).send().await.map_err(classify)?;
    Ok(Created { provider_id: id.to_string(), outputs: isopod_catalog::Attrs::new() })
}

/// Lets go of the accepting side: the connection itself goes with its requester.
pub(super) async fn delete_accepter(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let tag = Tag::builder().key(tags::ACCEPTER_TAG).build();
    let request = region.client.delete_tags().resources(provider_id).tags(tag);
    request.send().await.map(drop).map_err(classify)
}
