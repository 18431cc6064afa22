//! Transit gateways and their VPC attachments.

use super::attrs::{Found, integer, owned_text, string_list, strings, text};
use super::errors::classify;
use super::{Region, gone, tags};
use aws_sdk_ec2::types::{
    DefaultRouteTableAssociationValue, DefaultRouteTablePropagationValue, DnsSupportValue, ModifyTransitGatewayOptions,
    ResourceType, TransitGateway, TransitGatewayAttachmentState, TransitGatewayRequestOptions, TransitGatewayState,
    TransitGatewayVpcAttachment, VpnEcmpSupportValue,
};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind};
use isopod_provider::{Created, ProviderError, Provisioning};

/// Fills a transit gateway's options builder (for creation or modification: EC2 has one shape
/// of each) with the options `$attrs` set, not the ASN.
macro_rules! gateway_options {
    ($builder:expr, $attrs:expr) => {
        $builder
            .set_vpn_ecmp_support(text($attrs, "vpn_ecmp_support").map(VpnEcmpSupportValue::from))
            .set_default_route_table_association(
                text($attrs, "default_route_table_association").map(DefaultRouteTableAssociationValue::from),
            )
            .set_default_route_table_propagation(
                text($attrs, "default_route_table_propagation").map(DefaultRouteTablePropagationValue::from),
            )
            .set_dns_support(text($attrs, "dns_support").map(DnsSupportValue::from))
    };
}

/// The transit gateways of the region, whoever owns them (or the one `id`), every page.
pub(super) async fn gateways(region: &Region, id: Option<&str>) -> Result<Vec<TransitGateway>, ProviderError> {
    let request = match id {
        Some(id) => region.client.describe_transit_gateways().transit_gateway_ids(id),
        None => region.client.describe_transit_gateways(),
    };
    let found = every_page!(request, transit_gateways);
    Ok(found)
}

pub(super) async fn discover_gateways(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(gateways(region, None)
        .await?
        .iter()
        .filter(|gateway| {
            !matches!(gateway.state(), Some(TransitGatewayState::Deleted | TransitGatewayState::Deleting))
        })
        .map(|gateway| {
            let mut found = Found::default();
            if let Some(options) = gateway.options() {
                found.integer("amazon_side_asn", options.amazon_side_asn());
                found.text("vpn_ecmp_support", options.vpn_ecmp_support().map(|v| v.as_str()));
                found.text(
                    "default_route_table_association",
                    options.default_route_table_association().map(|v| v.as_str()),
                );
                found.text(
                    "default_route_table_propagation",
                    options.default_route_table_propagation().map(|v| v.as_str()),
                );
                found.text("dns_support", options.dns_support().map(|v| v.as_str()));
            }
            region.observed(ResourceKind::AwsTransitGateway, gateway.transit_gateway_id(), gateway.tags(), found)
        })
        .collect())
}

pub(super) async fn create_gateway(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let options = gateway_options!(TransitGatewayRequestOptions::builder(), attrs)
        .set_amazon_side_asn(integer(attrs, "amazon_side_asn"))
        .build();
    let created = region
        .client
        .create_transit_gateway()
        .description(format!("Isopod {}", owner.id))
        .options(options)
        .tag_specifications(tags::specification(ResourceType::TransitGateway, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.transit_gateway().and_then(|g| g.transit_gateway_id()).unwrap_or_default();
    Ok(Created { provider_id: id.to_string(), outputs: isopod_catalog::Attrs::new() })
}

/// Changes the gateway's options in place (not its ASN: that replaces it) and its tags.
pub(super) async fn update_gateway(region: &Region, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let options = gateway_options!(ModifyTransitGatewayOptions::builder(), attrs).build();
    let request = region.client.modify_transit_gateway().transit_gateway_id(provider_id).options(options);
    request.send().await.map_err(classify)?;
    tags::update(&region.client, provider_id, attrs).await
}

pub(super) async fn gateway_provisioning(region: &Region, provider_id: &str) -> Result<Provisioning, ProviderError> {
    let found = gateways(region, Some(provider_id)).await?;
    Ok(match found.first().and_then(|g| g.state()) {
        Some(TransitGatewayState::Available) => Provisioning::Ready,
        Some(TransitGatewayState::Deleted) | None => return Err(gone(provider_id)),
        Some(_) => Provisioning::Pending,
    })
}

/// The stack-owned VPC attachments (or the one `id`), every page.
async fn attachments(region: &Region, id: Option<&str>) -> Result<Vec<TransitGatewayVpcAttachment>, ProviderError> {
    let request = match id {
        Some(id) => region.client.describe_transit_gateway_vpc_attachments().transit_gateway_attachment_ids(id),
        None => region.client.describe_transit_gateway_vpc_attachments().filters(tags::owned_filter()),
    };
    let found = every_page!(request, transit_gateway_vpc_attachments);
    Ok(found)
}

/// Whether an attachment is gone or going, as far as planning is concerned.
fn ended(state: Option<&TransitGatewayAttachmentState>) -> bool {
    use TransitGatewayAttachmentState as S;
    matches!(state, Some(S::Deleted | S::Deleting | S::Failed | S::Rejected))
}

pub(super) async fn discover_attachments(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(attachments(region, None)
        .await?
        .iter()
        .filter(|attachment| !ended(attachment.state()))
        .map(|attachment| {
            let mut found = Found::default();
            found.text("transit_gateway_id", attachment.transit_gateway_id());
            found.text("vpc_id", attachment.vpc_id());
            found.value("subnet_ids", string_list(attachment.subnet_ids().iter().map(String::as_str)));
            let id = attachment.transit_gateway_attachment_id();
            region.observed(ResourceKind::AwsTransitGatewayVpcAttachment, id, attachment.tags(), found)
        })
        .collect())
}

pub(super) async fn create_attachment(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let created = region
        .client
        .create_transit_gateway_vpc_attachment()
        .set_transit_gateway_id(owned_text(attrs, "transit_gateway_id"))
        .set_vpc_id(owned_text(attrs, "vpc_id"))
        .set_subnet_ids(Some(strings(attrs, "subnet_ids")))
        .tag_specifications(tags::specification(ResourceType::TransitGatewayAttachment, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.transit_gateway_vpc_attachment().and_then(|a| a.transit_gateway_attachment_id());
    Ok(Created { provider_id: id.unwrap_or_default().to_string(), outputs: isopod_catalog::Attrs::new() })
}

/// Moves the attachment to the subnets `attrs` name, and changes its tags.
pub(super) async fn update_attachment(region: &Region, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let live = attachments(region, Some(provider_id)).await?;
    let Some(attachment) = live.first() else { return Err(gone(provider_id)) };
    let wanted = strings(attrs, "subnet_ids");
    let (added, removed) = set_difference(&wanted, attachment.subnet_ids());
    if !added.is_empty() || !removed.is_empty() {
        region
            .client
            .modify_transit_gateway_vpc_attachment()
            .transit_gateway_attachment_id(provider_id)
            .set_add_subnet_ids(Some(added))
            .set_remove_subnet_ids(Some(removed))
            .send()
            .await
            .map_err(classify)?;
    }
    tags::update(&region.client, provider_id, attrs).await
}

/// What `wanted` adds to `live`, and what it removes.
pub(super) fn set_difference(wanted: &[String], live: &[String]) -> (Vec<String>, Vec<String>) {
    let added = wanted.iter().filter(|id| !live.contains(id)).cloned().collect();
    let removed = live.iter().filter(|id| !wanted.contains(id)).cloned().collect();
    (added, removed)
}

pub(super) async fn attachment_provisioning(region: &Region, provider_id: &str) -> Result<Provisioning, ProviderError> {
    use TransitGatewayAttachmentState as S;
    let found = attachments(region, Some(provider_id)).await?;
    Ok(match found.first().and_then(|a| a.state()) {
        Some(S::Available) => Provisioning::Ready,
        Some(S::Deleted) | None => return Err(gone(provider_id)),
        Some(state @ (S::Failed | S::Rejected)) => {
            Provisioning::Failed(format!("the attachment is {}", state.as_str()))
        }
        Some(_) => Provisioning::Pending,
    })
}
