//! A subnetwork's VPC flow logs: its `logConfig`, which is not a resource of its own. Creating or
//! changing them patches the subnetwork (`subnetworks.patch` with its current fingerprint, read
//! just before: GCP refuses a stale one with 412 `conditionNotMet`, a conflict the next plan reads
//! afresh); deleting them patches `enable: false`. They are found on the subnetworks listed for
//! discovery, owned through their subnetwork's marker, by the natural key `SUBNETWORK:REGION`.

use crate::errors::classify;
use crate::operation::last_segment;
use crate::project::Project;
use google_cloud_compute_v1::model::subnetwork_log_config::{AggregationInterval, Metadata};
use google_cloud_compute_v1::model::{Subnetwork, SubnetworkLogConfig};
use isopod_catalog::{Attrs, ObservedResource, ResourceKind};
use isopod_provider::attrs::{Found, natural_created, natural_parts, text, untagged};
use isopod_provider::{Created, ErrorKind, ProviderError};

/// Turns on the flow logs `attrs` describe.
pub(crate) async fn create(p: &Project<'_>, attrs: &Attrs) -> Result<Created, ProviderError> {
    let subnetwork = text(attrs, "subnetwork").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    patch(p, region, subnetwork, wanted(attrs)?).await?;
    natural_created(ResourceKind::GcpSubnetworkFlowLogs, attrs)
}

/// Sets the flow logs at `id` (`SUBNETWORK:REGION`) to what `attrs` describe.
pub(crate) async fn update(p: &Project<'_>, id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let (subnetwork, region) = natural_parts(id)?;
    patch(p, region, subnetwork, wanted(attrs)?).await
}

/// Turns off the flow logs at `id`; a subnetwork that is gone has none.
pub(crate) async fn delete(p: &Project<'_>, id: &str) -> Result<(), ProviderError> {
    let (subnetwork, region) = natural_parts(id)?;
    patch(p, region, subnetwork, SubnetworkLogConfig::new().set_enable(false)).await
}

/// The flow logs of `subnetworks` (the project's, listed once per discovery) that are on.
pub(crate) fn discover(p: &Project<'_>, subnetworks: &[Subnetwork]) -> Vec<ObservedResource> {
    let mut found = Vec::new();
    for subnetwork in subnetworks {
        let Some(config) = subnetwork.log_config.as_ref().filter(|config| config.enable == Some(true)) else {
            continue;
        };
        let Some(owner) = p.owner(subnetwork.description.as_deref()) else { continue };
        let region = last_segment(subnetwork.region.as_deref().unwrap_or_default()).unwrap_or_default();
        // What the answer leaves out is the documented default.
        let interval = config.aggregation_interval.as_ref().and_then(|i| i.name()).unwrap_or("INTERVAL_5_SEC");
        let sampling = config.flow_sampling.unwrap_or(0.5).to_string();
        let metadata = config.metadata.as_ref().and_then(|m| m.name()).unwrap_or("EXCLUDE_ALL_METADATA");
        let mut attrs = Found::default();
        attrs
            .text("subnetwork", subnetwork.name.as_deref())
            .text("region", Some(region))
            .text("aggregation_interval", Some(interval))
            .text("flow_sampling", Some(&sampling))
            .text("metadata", Some(metadata));
        let stack = owner.as_ref().map(|owner| owner.stack.as_str());
        found.extend(untagged(ResourceKind::GcpSubnetworkFlowLogs, &p.scope(region), stack, attrs.0));
    }
    found
}

/// The `logConfig` that turns on the flow logs `attrs` describe.
fn wanted(attrs: &Attrs) -> Result<SubnetworkLogConfig, ProviderError> {
    let sampling = text(attrs, "flow_sampling").unwrap_or("0.5");
    let sampling: f32 = sampling.parse().map_err(|_| {
        ProviderError::new(ErrorKind::Invalid, format!("flow_sampling `{sampling}` is not a number from 0 to 1"))
    })?;
    Ok(SubnetworkLogConfig::new()
        .set_enable(true)
        .set_aggregation_interval(AggregationInterval::from(text(attrs, "aggregation_interval").unwrap_or_default()))
        .set_flow_sampling(sampling)
        .set_metadata(Metadata::from(text(attrs, "metadata").unwrap_or_default())))
}

/// Patches the subnetwork's `logConfig`, with the fingerprint read just before.
async fn patch(p: &Project<'_>, region: &str, name: &str, config: SubnetworkLogConfig) -> Result<(), ProviderError> {
    let get = p.clients.subnetworks.get().set_project(p.id).set_region(region).set_subnetwork(name);
    let live = get.send().await.map_err(classify)?;
    let body = Subnetwork::new().set_or_clear_fingerprint(live.fingerprint).set_log_config(config);
    let request = p.clients.subnetworks.patch().set_project(p.id).set_region(region).set_subnetwork(name);
    p.done(&format!("setting the flow logs of subnetwork {name} in {region}"), request.set_body(body).send().await)
        .await
}
