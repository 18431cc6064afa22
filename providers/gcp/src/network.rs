//! Networks (custom subnet mode), subnetworks, and VPC network peering (one entry of a network's
//! `peerings`, owned through its network, found by its natural key `NETWORK:NAME`).

use crate::errors::classify;
use crate::operation::last_segment;
use crate::project::{Project, created, every_page, parts, relative};
use google_cloud_compute_v1::model::{
    Network, NetworkPeering, NetworkRoutingConfig, NetworksAddPeeringRequest, NetworksRemovePeeringRequest,
    NetworksUpdatePeeringRequest, Subnetwork,
};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind, Value};
use isopod_provider::attrs::{Found, flag, natural_created, natural_parts, owned_text, text, untagged};
use isopod_provider::{Created, ProviderError};

pub(crate) async fn create_network(
    p: &Project<'_>,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let routing = NetworkRoutingConfig::new().set_routing_mode(text(attrs, "routing_mode").unwrap_or("GLOBAL"));
    let body = Network::new()
        .set_name(name)
        .set_auto_create_subnetworks(false)
        .set_routing_config(routing)
        .set_description(p.description(owner, None));
    let path = p.global_path("networks", name);
    let sent = p.clients.networks.insert().set_project(p.id).set_body(body).send().await;
    let get =
        || async { p.clients.networks.get().set_project(p.id).set_network(name).send().await.map(|n| n.description) };
    p.inserted(&path, owner, sent, get).await?;
    Ok(created(path))
}

/// Changes the network's dynamic routing mode (`networks.patch` keeps what the body leaves out).
pub(crate) async fn update_network(p: &Project<'_>, path: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let (_, _, name) = parts(path)?;
    let routing = NetworkRoutingConfig::new().set_routing_mode(text(attrs, "routing_mode").unwrap_or("GLOBAL"));
    let request = p.clients.networks.patch().set_project(p.id).set_network(name);
    let sent = request.set_body(Network::new().set_routing_config(routing)).send().await;
    p.done(&format!("changing {path}"), sent).await
}

pub(crate) async fn delete_network(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (_, _, name) = parts(path)?;
    let sent = p.clients.networks.delete().set_project(p.id).set_network(name).send().await;
    p.done(&format!("deleting {path}"), sent).await
}

/// Every network of the project.
pub(crate) async fn networks(p: &Project<'_>) -> Result<Vec<Network>, ProviderError> {
    let request = p.clients.networks.list().set_project(p.id);
    Ok(every_page!(request, |page| page.items))
}

/// The networks among `networks` (the project's, listed once per discovery).
pub(crate) fn discover_networks(p: &Project<'_>, networks: &[Network]) -> Vec<ObservedResource> {
    let found = networks.iter().filter_map(|network| {
        let name = network.name.clone().unwrap_or_default();
        let mut attrs = Found::default();
        attrs.text("name", Some(&name));
        let mode = network.routing_config.as_ref().and_then(|c| c.routing_mode.as_ref()).and_then(|m| m.name());
        attrs.text("routing_mode", mode);
        let path = p.global_path("networks", &name);
        p.observed(ResourceKind::GcpNetwork, path, p.scope("global"), network.description.as_deref(), attrs.0)
    });
    found.collect()
}

/// The peerings of `networks` (the project's, listed once per discovery).
pub(crate) fn discover_peerings(p: &Project<'_>, networks: &[Network]) -> Vec<ObservedResource> {
    let mut found = Vec::new();
    for network in networks {
        let network_name = network.name.clone().unwrap_or_default();
        let Some(owner) = p.owner(network.description.as_deref()) else { continue };
        for peering in &network.peerings {
            let mut attrs = Found::default();
            attrs
                .text("name", peering.name.as_deref())
                .text("network", Some(&network_name))
                .value("peer_network", Value::string(relative(peering.network.as_deref().unwrap_or_default())));
            attrs.value("export_custom_routes", Value::Bool(peering.export_custom_routes.unwrap_or(false)));
            attrs.value("import_custom_routes", Value::Bool(peering.import_custom_routes.unwrap_or(false)));
            let stack = owner.as_ref().map(|owner| owner.stack.as_str());
            found.extend(untagged(ResourceKind::GcpNetworkPeering, &p.scope("global"), stack, attrs.0));
        }
    }
    found
}

fn peering(attrs: &Attrs) -> NetworkPeering {
    NetworkPeering::new()
        .set_name(text(attrs, "name").unwrap_or_default())
        .set_network(text(attrs, "peer_network").unwrap_or_default())
        .set_exchange_subnet_routes(true)
        .set_export_custom_routes(flag(attrs, "export_custom_routes").unwrap_or(false))
        .set_import_custom_routes(flag(attrs, "import_custom_routes").unwrap_or(false))
}

pub(crate) async fn create_peering(p: &Project<'_>, attrs: &Attrs) -> Result<Created, ProviderError> {
    let network = text(attrs, "network").unwrap_or_default();
    let body = NetworksAddPeeringRequest::new().set_network_peering(peering(attrs));
    let sent = p.clients.networks.add_peering().set_project(p.id).set_network(network).set_body(body).send().await;
    p.done(&format!("peering {network}"), sent).await?;
    natural_created(ResourceKind::GcpNetworkPeering, attrs)
}

pub(crate) async fn update_peering(p: &Project<'_>, id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let (network, _) = natural_parts(id)?;
    let body = NetworksUpdatePeeringRequest::new().set_network_peering(peering(attrs));
    let sent = p.clients.networks.update_peering().set_project(p.id).set_network(network).set_body(body).send().await;
    p.done(&format!("changing the peering {id}"), sent).await
}

/// Removes the peering if its network still has it (GCP answers a removal of a peering that is
/// not there as an invalid request, not as not found).
pub(crate) async fn delete_peering(p: &Project<'_>, id: &str) -> Result<(), ProviderError> {
    let (network, name) = natural_parts(id)?;
    let live = p.clients.networks.get().set_project(p.id).set_network(network).send().await.map_err(classify)?;
    if !live.peerings.iter().any(|peering| peering.name.as_deref() == Some(name)) {
        return Ok(());
    }
    let body = NetworksRemovePeeringRequest::new().set_name(name);
    let request = p.clients.networks.remove_peering().set_project(p.id).set_network(network).set_body(body);
    p.done(&format!("removing the peering {id}"), request.send().await).await
}

pub(crate) async fn create_subnetwork(
    p: &Project<'_>,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    let network = p.global_path("networks", text(attrs, "network").unwrap_or_default());
    let body = Subnetwork::new()
        .set_name(name)
        .set_network(network)
        .set_ip_cidr_range(owned_text(attrs, "ip_cidr_range").unwrap_or_default())
        .set_description(p.description(owner, None));
    let path = p.regional_path(region, "subnetworks", name);
    let request = p.clients.subnetworks.insert().set_project(p.id).set_region(region).set_body(body);
    let get = || async {
        let request = p.clients.subnetworks.get().set_project(p.id).set_region(region).set_subnetwork(name);
        request.send().await.map(|s| s.description)
    };
    p.inserted(&path, owner, request.send().await, get).await?;
    Ok(created(path))
}

pub(crate) async fn delete_subnetwork(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let request = p.clients.subnetworks.delete().set_project(p.id).set_region(region).set_subnetwork(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

/// Every subnetwork of the project, in every region.
pub(crate) async fn subnetworks(p: &Project<'_>) -> Result<Vec<Subnetwork>, ProviderError> {
    let request = p.clients.subnetworks.aggregated_list().set_project(p.id);
    Ok(every_page!(request, |page| page.items.into_values().flat_map(|scoped| scoped.subnetworks)))
}

/// The subnetworks among `subnetworks` (the project's, listed once per discovery).
pub(crate) fn discover_subnetworks(p: &Project<'_>, subnetworks: &[Subnetwork]) -> Vec<ObservedResource> {
    let found = subnetworks.iter().filter_map(|subnetwork| {
        let name = subnetwork.name.clone().unwrap_or_default();
        let region = last_segment(subnetwork.region.as_deref().unwrap_or_default()).unwrap_or_default().to_string();
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("network", subnetwork.network.as_deref().and_then(last_segment))
            .text("region", Some(&region))
            .text("ip_cidr_range", subnetwork.ip_cidr_range.as_deref());
        let path = p.regional_path(&region, "subnetworks", &name);
        p.observed(ResourceKind::GcpSubnetwork, path, p.scope(&region), subnetwork.description.as_deref(), attrs.0)
    });
    found.collect()
}
