//! Private Service Connect endpoints: an internal address reserved in a subnetwork, and the
//! forwarding rule that connects it to the service attachment (no load balancing scheme).

use crate::labels;
use crate::operation::last_segment;
use crate::project::{Project, created, every_page, parts, relative};
use google_cloud_compute_v1::model::{Address, ForwardingRule};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind, Value};
use isopod_provider::attrs::{Found, text};
use isopod_provider::{Created, ProviderError};

pub(crate) async fn create_address(
    p: &Project<'_>,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    let body = Address::new()
        .set_name(name)
        .set_address_type(text(attrs, "address_type").unwrap_or("INTERNAL"))
        .set_subnetwork(p.regional_path(region, "subnetworks", text(attrs, "subnetwork").unwrap_or_default()))
        .set_description(p.description(owner, None))
        .set_labels(labels::created(owner, attrs));
    let path = p.regional_path(region, "addresses", name);
    let sent = p.clients.addresses.insert().set_project(p.id).set_region(region).set_body(body).send().await;
    let get = || async { get_address(p, region, name).await.map(|a| a.description) };
    p.inserted(&path, owner, sent, get).await?;
    // The address GCP chose is known once it is reserved.
    let address = get_address(p, region, name).await.map_err(crate::errors::classify)?;
    let mut made = created(path);
    made.outputs.extend(address.address.map(|address| ("address".into(), Value::string(address))));
    Ok(made)
}

async fn get_address(p: &Project<'_>, region: &str, name: &str) -> Result<Address, google_cloud_gax::error::Error> {
    p.clients.addresses.get().set_project(p.id).set_region(region).set_address(name).send().await
}

pub(crate) async fn delete_address(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let request = p.clients.addresses.delete().set_project(p.id).set_region(region).set_address(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

pub(crate) async fn discover_addresses(p: &Project<'_>) -> Result<Vec<ObservedResource>, ProviderError> {
    let request = p.clients.addresses.aggregated_list().set_project(p.id);
    let addresses: Vec<Address> =
        every_page!(request, |page| page.items.into_values().flat_map(|scoped| scoped.addresses));
    let found = addresses.into_iter().filter_map(|address| {
        let name = address.name.clone().unwrap_or_default();
        let region = address.region.as_deref().and_then(last_segment).unwrap_or_default().to_string();
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("region", Some(&region))
            .text("subnetwork", address.subnetwork.as_deref().and_then(last_segment))
            .text("address_type", address.address_type.as_ref().and_then(|t| t.name()))
            .text("address", address.address.as_deref())
            .value("labels", labels::found(&address.labels));
        let path = p.regional_path(&region, "addresses", &name);
        p.observed(ResourceKind::GcpAddress, path, p.scope(&region), address.description.as_deref(), attrs.0)
    });
    Ok(found.collect())
}

pub(crate) async fn create_forwarding_rule(
    p: &Project<'_>,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    // Private Service Connect takes no load balancing scheme: it is left out, not sent empty.
    let body = ForwardingRule::new()
        .set_name(name)
        .set_network(p.global_path("networks", text(attrs, "network").unwrap_or_default()))
        .set_ip_address(text(attrs, "ip_address").unwrap_or_default())
        .set_target(text(attrs, "target").unwrap_or_default())
        .set_description(p.description(owner, None))
        .set_labels(labels::created(owner, attrs));
    let path = p.regional_path(region, "forwardingRules", name);
    let sent = p.clients.forwarding_rules.insert().set_project(p.id).set_region(region).set_body(body).send().await;
    let get = || async {
        let request = p.clients.forwarding_rules.get().set_project(p.id).set_region(region).set_forwarding_rule(name);
        request.send().await.map(|rule| rule.description)
    };
    p.inserted(&path, owner, sent, get).await?;
    Ok(created(path))
}

pub(crate) async fn delete_forwarding_rule(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let request = p.clients.forwarding_rules.delete().set_project(p.id).set_region(region).set_forwarding_rule(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

pub(crate) async fn discover_forwarding_rules(p: &Project<'_>) -> Result<Vec<ObservedResource>, ProviderError> {
    let request = p.clients.forwarding_rules.aggregated_list().set_project(p.id);
    let rules: Vec<ForwardingRule> =
        every_page!(request, |page| page.items.into_values().flat_map(|scoped| scoped.forwarding_rules));
    let found = rules.into_iter().filter_map(|rule| {
        let name = rule.name.clone().unwrap_or_default();
        let region = rule.region.as_deref().and_then(last_segment).unwrap_or_default().to_string();
        let scheme = rule.load_balancing_scheme.as_ref().and_then(|s| s.name()).unwrap_or_default();
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("region", Some(&region))
            .text("network", rule.network.as_deref().and_then(last_segment))
            .text("ip_address", rule.ip_address.as_deref())
            .value("target", Value::string(relative(rule.target.as_deref().unwrap_or_default())))
            .value("load_balancing_scheme", Value::string(scheme))
            .value("labels", labels::found(&rule.labels));
        let path = p.regional_path(&region, "forwardingRules", &name);
        p.observed(ResourceKind::GcpForwardingRule, path, p.scope(&region), rule.description.as_deref(), attrs.0)
    });
    Ok(found.collect())
}
