//! VPC flow logs delivered to S3, in the custom format the configuration's lowering names.

use super::attrs::{Found, integer32, owned_text};
use super::errors::{classify, refused};
use super::{Region, tags};
use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, ResourceType, TrafficType};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind};
use isopod_provider::{Created, ProviderError};

pub(super) async fn discover(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let request = region.client.describe_flow_logs().filter(tags::owned_filter());
    let found = every_page!(request, flow_logs);
    Ok(found
        .iter()
        .map(|log| {
            let mut found = Found::default();
            found.text("resource_id", log.resource_id());
            found.text("traffic_type", log.traffic_type().map(TrafficType::as_str));
            found.text("log_destination_type", log.log_destination_type().map(LogDestinationType::as_str));
            found.text("log_destination", log.log_destination());
            found.text("log_format", log.log_format());
            found.integer("max_aggregation_interval", log.max_aggregation_interval());
            region.observed(ResourceKind::AwsFlowLog, log.flow_log_id(), log.tags(), found)
        })
        .collect())
}

pub(super) async fn create(region: &Region, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let created = region
        .client
        .create_flow_logs()
        .resource_type(FlowLogsResourceType::Vpc)
        .set_resource_ids(owned_text(attrs, "resource_id").map(|id| vec![id]))
        .set_traffic_type(owned_text(attrs, "traffic_type").map(|t| TrafficType::from(t.as_str())))
        .set_log_destination_type(
            owned_text(attrs, "log_destination_type").map(|t| LogDestinationType::from(t.as_str())),
        )
        .set_log_destination(owned_text(attrs, "log_destination"))
        .set_log_format(owned_text(attrs, "log_format"))
        .set_max_aggregation_interval(integer32(attrs, "max_aggregation_interval"))
        .tag_specifications(tags::specification(ResourceType::VpcFlowLog, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    refused(created.unsuccessful())?;
    match created.flow_log_ids().first() {
        Some(id) => Ok(Created { provider_id: id.clone(), outputs: isopod_catalog::Attrs::new() }),
        None => Err(ProviderError::new(isopod_provider::ErrorKind::Invalid, "CreateFlowLogs returned no flow log")),
    }
}

pub(super) async fn delete(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let deleted = region.client.delete_flow_logs().flow_log_ids(provider_id).send().await.map_err(classify)?;
    refused(deleted.unsuccessful())
}
