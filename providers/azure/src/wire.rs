//! Each kind's calls through its SDK client: one table of which client, which model and which
//! names, so that the families of kinds (`group`, `network`, `vpn`, `endpoint`, `dns`) speak
//! only JSON bodies and [`At`]. Lists follow `nextLink` (azure_core's `Pageable`).

use crate::arm::{At, json, model};
use crate::clients::Clients;
use crate::errors::classify;
use azure_mgmt_network::package_2024_03::models as net;
use azure_mgmt_privatedns::package_2024_06::models as dns;
use azure_mgmt_resources::package_resources_2021_04::models as rg;
use futures::StreamExt;
use isopod_catalog::ResourceKind as K;
use isopod_provider::{ErrorKind, ProviderError};
use serde_json::Value as Json;

/// The api-version of Microsoft.Network the SDK calls.
const NETWORK_API: &str = "2024-03-01";

/// A PUT's answer: where its operation can be followed, and the resource.
pub(crate) struct Put {
    pub(crate) operation: Option<String>,
    pub(crate) body: Json,
}

/// A DELETE's answer: its status and where its operation can be followed.
pub(crate) struct Deleted {
    pub(crate) status: u16,
    pub(crate) operation: Option<String>,
}

/// What a call is, for messages: `creating virtualNetworks/app in isopod-prod`.
pub(crate) fn what(verb: &str, kind: K, at: &At) -> String {
    match kind {
        K::AzureResourceGroup => format!("{verb} resource group {}", at.group),
        _ => format!("{verb} {} {} in resource group {}", segment(kind), at.names.join("/"), at.group),
    }
}

/// The ARM type segment of a kind.
fn segment(kind: K) -> &'static str {
    match kind {
        K::AzureResourceGroup => "resourceGroups",
        K::AzureVirtualNetwork => "virtualNetworks",
        K::AzureSubnet => "virtualNetworks/subnets",
        K::AzureVirtualNetworkPeering => "virtualNetworks/virtualNetworkPeerings",
        K::AzurePublicIp => "publicIPAddresses",
        K::AzureVirtualNetworkGateway => "virtualNetworkGateways",
        K::AzureLocalNetworkGateway => "localNetworkGateways",
        K::AzureVpnConnection => "connections",
        K::AzurePrivateEndpoint => "privateEndpoints",
        K::AzurePrivateDnsZone => "privateDnsZones",
        K::AzurePrivateDnsZoneLink => "privateDnsZones/virtualNetworkLinks",
        K::AzurePrivateDnsARecord => "privateDnsZones/A",
        K::AzureFlowLog => "networkWatchers/flowLogs",
        _ => "(not Azure)",
    }
}

fn not_azure(kind: K) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, format!("{kind} is not an Azure resource"))
}

/// Creates or replaces the resource at `at` with `body`.
pub(crate) async fn put(c: &Clients, sub: &str, kind: K, at: &At, body: Json) -> Result<Put, ProviderError> {
    let what = what("writing", kind, at);
    let (g, a, b) = (at.group.clone(), at.name(0).to_string(), at.name(1).to_string());
    let n = &c.network;
    let response = match kind {
        K::AzureResourceGroup => {
            let body = model::<rg::ResourceGroup>(&what, body)?;
            c.resources
                .resource_groups_client()
                .create_or_update(g, body, sub)
                .send()
                .await
                .map(|r| r.into_raw_response())
        }
        K::AzureVirtualNetwork => {
            let body = model::<net::VirtualNetwork>(&what, body)?;
            n.virtual_networks_client().create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureSubnet => {
            let body = model::<net::Subnet>(&what, body)?;
            n.subnets_client().create_or_update(g, a, b, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVirtualNetworkPeering => {
            let body = model::<net::VirtualNetworkPeering>(&what, body)?;
            let client = n.virtual_network_peerings_client();
            client.create_or_update(g, a, b, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePublicIp => {
            let body = model::<net::PublicIpAddress>(&what, body)?;
            n.public_ip_addresses_client().create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVirtualNetworkGateway => {
            let body = model::<net::VirtualNetworkGateway>(&what, body)?;
            let client = n.virtual_network_gateways_client();
            client.create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureLocalNetworkGateway => {
            let body = model::<net::LocalNetworkGateway>(&what, body)?;
            let client = n.local_network_gateways_client();
            client.create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVpnConnection => {
            let body = model::<net::VirtualNetworkGatewayConnection>(&what, body)?;
            let client = n.virtual_network_gateway_connections_client();
            client.create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateEndpoint => {
            let body = model::<net::PrivateEndpoint>(&what, body)?;
            n.private_endpoints_client().create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsZone => {
            let body = model::<dns::PrivateZone>(&what, body)?;
            c.dns.private_zones_client().create_or_update(g, a, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsZoneLink => {
            let body = model::<dns::VirtualNetworkLink>(&what, body)?;
            let client = c.dns.virtual_network_links_client();
            client.create_or_update(g, a, b, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureFlowLog => {
            let body = model::<net::FlowLog>(&what, body)?;
            n.flow_logs_client().create_or_update(g, a, b, body, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsARecord => {
            let body = model::<dns::RecordSet>(&what, body)?;
            c.dns
                .record_sets_client()
                .create_or_update(g, a, "A", b, body, sub)
                .send()
                .await
                .map(|r| r.into_raw_response())
        }
        other => return Err(not_azure(other)),
    }
    .map_err(|err| classify(&what, err))?;
    let operation = crate::operation::operation_url(response.headers());
    let bytes = response.into_body().collect().await.map_err(|err| classify(&what, err))?;
    let body = serde_json::from_slice(&bytes).unwrap_or(Json::Null);
    Ok(Put { operation, body })
}

/// The resource at `at`, as ARM answered it. The answer is read as JSON, not through the SDK's
/// model: ARM refers to a connection's gateways by id alone, which the SDK's model of a
/// connection (requiring their `properties`) cannot read.
pub(crate) async fn get(c: &Clients, sub: &str, kind: K, at: &At) -> Result<Json, ProviderError> {
    let what = what("reading", kind, at);
    let (g, a, b) = (at.group.clone(), at.name(0).to_string(), at.name(1).to_string());
    let n = &c.network;
    let response = match kind {
        K::AzureResourceGroup => {
            c.resources.resource_groups_client().get(g, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVirtualNetwork => {
            n.virtual_networks_client().get(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureSubnet => n.subnets_client().get(g, a, b, sub).send().await.map(|r| r.into_raw_response()),
        K::AzureVirtualNetworkPeering => {
            n.virtual_network_peerings_client().get(g, a, b, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePublicIp => n.public_ip_addresses_client().get(g, a, sub).send().await.map(|r| r.into_raw_response()),
        K::AzureVirtualNetworkGateway => {
            n.virtual_network_gateways_client().get(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureLocalNetworkGateway => {
            n.local_network_gateways_client().get(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVpnConnection => {
            n.virtual_network_gateway_connections_client().get(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateEndpoint => {
            n.private_endpoints_client().get(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsZone => {
            c.dns.private_zones_client().get(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsZoneLink => {
            c.dns.virtual_network_links_client().get(g, a, b, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsARecord => {
            c.dns.record_sets_client().get(g, a, "A", b, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureFlowLog => n.flow_logs_client().get(g, a, b, sub).send().await.map(|r| r.into_raw_response()),
        other => return Err(not_azure(other)),
    }
    .map_err(|err| classify(&what, err))?;
    let bytes = response.into_body().collect().await.map_err(|err| classify(&what, err))?;
    serde_json::from_slice(&bytes)
        .map_err(|err| ProviderError::new(ErrorKind::Invalid, format!("{what}: ARM's answer is not JSON: {err}")))
}

/// Deletes the resource at `at` (its operation not awaited).
pub(crate) async fn delete(c: &Clients, sub: &str, kind: K, at: &At) -> Result<Deleted, ProviderError> {
    let what = what("deleting", kind, at);
    let (g, a, b) = (at.group.clone(), at.name(0).to_string(), at.name(1).to_string());
    let n = &c.network;
    let response = match kind {
        K::AzureResourceGroup => {
            c.resources.resource_groups_client().delete(g, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVirtualNetwork => {
            n.virtual_networks_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureSubnet => n.subnets_client().delete(g, a, b, sub).send().await.map(|r| r.into_raw_response()),
        K::AzureVirtualNetworkPeering => {
            n.virtual_network_peerings_client().delete(g, a, b, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePublicIp => {
            n.public_ip_addresses_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVirtualNetworkGateway => {
            n.virtual_network_gateways_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureLocalNetworkGateway => {
            n.local_network_gateways_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureVpnConnection => {
            n.virtual_network_gateway_connections_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateEndpoint => {
            n.private_endpoints_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsZone => {
            c.dns.private_zones_client().delete(g, a, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsZoneLink => {
            c.dns.virtual_network_links_client().delete(g, a, b, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzurePrivateDnsARecord => {
            c.dns.record_sets_client().delete(g, a, "A", b, sub).send().await.map(|r| r.into_raw_response())
        }
        K::AzureFlowLog => n.flow_logs_client().delete(g, a, b, sub).send().await.map(|r| r.into_raw_response()),
        other => return Err(not_azure(other)),
    }
    .map_err(|err| classify(&what, err))?;
    let status = response.status() as u16;
    Ok(Deleted { status, operation: crate::operation::operation_url(response.headers()) })
}

/// Every item of every page of a list.
pub(crate) async fn all_items<T: serde::Serialize + Send>(
    what: &str,
    mut pages: azure_core::Pageable<T, azure_core::Error>,
) -> Result<Vec<Json>, ProviderError> {
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = json(&page.map_err(|err| classify(what, err))?);
        found.extend(page["value"].as_array().into_iter().flatten().cloned());
    }
    Ok(found)
}

/// The subscription's resource groups.
pub(crate) async fn groups(c: &Clients, sub: &str) -> Result<Vec<Json>, ProviderError> {
    all_items("listing resource groups", c.resources.resource_groups_client().list(sub).into_stream()).await
}

/// The subscription's Network Watchers (one a region at most; ARM answers them in one page).
pub(crate) async fn network_watchers(c: &Clients, sub: &str) -> Result<Vec<Json>, ProviderError> {
    let what = "listing the subscription's Network Watchers";
    let sent = c.network.network_watchers_client().list_all(sub).send().await.map_err(|err| classify(what, err))?;
    let listed = sent.into_body().await.map_err(|err| classify(what, err))?;
    Ok(json(&listed)["value"].as_array().cloned().unwrap_or_default())
}

/// Every virtual network of the subscription, whoever owns it, with its subnets and peerings.
pub(crate) async fn all_virtual_networks(c: &Clients, sub: &str) -> Result<Vec<Json>, ProviderError> {
    let pages = c.network.virtual_networks_client().list_all(sub).into_stream();
    all_items("listing the subscription's virtual networks", pages).await
}

/// The BGP peers of gateway `gateway` of `group`, as the gateway sees them (`getBgpPeerStatus`,
/// a long-running POST followed to its result).
pub(crate) async fn bgp_peers(
    c: &Clients,
    sub: &str,
    group: &str,
    gateway: &str,
    polling: &crate::Polling,
) -> Result<Vec<Json>, ProviderError> {
    let what = format!("reading the BGP peers of virtual network gateway {gateway} in resource group {group}");
    let client = c.network.virtual_network_gateways_client();
    let response = client.get_bgp_peer_status(group, gateway, sub).send().await.map_err(|err| classify(&what, err))?;
    let raw = response.as_raw_response();
    let body = match raw.headers().get_optional_string(&azure_core::headers::LOCATION) {
        Some(location) => crate::operation::result(c, polling, &what, &location).await?,
        None => json(&response.into_body().await.map_err(|err| classify(&what, err))?),
    };
    Ok(body["value"].as_array().cloned().unwrap_or_default())
}

/// The resources of `kind` in `group` (`parent`: the private DNS zone of links and records, the
/// Network Watcher of flow logs).
/// Virtual networks (with their subnets and peerings) are listed for the whole subscription:
/// [`all_virtual_networks`].
pub(crate) async fn list(
    c: &Clients,
    sub: &str,
    kind: K,
    group: &str,
    parent: &str,
) -> Result<Vec<Json>, ProviderError> {
    let what = format!("listing {} in resource group {group}", segment(kind));
    let n = &c.network;
    match kind {
        K::AzurePublicIp => all_items(&what, n.public_ip_addresses_client().list(group, sub).into_stream()).await,
        K::AzureVirtualNetworkGateway => {
            all_items(&what, n.virtual_network_gateways_client().list(group, sub).into_stream()).await
        }
        K::AzureLocalNetworkGateway => {
            all_items(&what, n.local_network_gateways_client().list(group, sub).into_stream()).await
        }
        // As for `get`, connections are read as JSON: the SDK's list of them would fail on
        // every page. The URL is the one the SDK's `connections.list` calls.
        K::AzureVpnConnection => {
            let url = format!(
                "{}subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network/connections?api-version={NETWORK_API}",
                c.endpoint()
            );
            c.list_url(&what, &url).await
        }
        K::AzurePrivateEndpoint => all_items(&what, n.private_endpoints_client().list(group, sub).into_stream()).await,
        K::AzurePrivateDnsZone => {
            all_items(&what, c.dns.private_zones_client().list_by_resource_group(group, sub).into_stream()).await
        }
        K::AzurePrivateDnsZoneLink => {
            all_items(&what, c.dns.virtual_network_links_client().list(group, parent, sub).into_stream()).await
        }
        K::AzurePrivateDnsARecord => {
            all_items(&what, c.dns.record_sets_client().list_by_type(group, parent, "A", sub).into_stream()).await
        }
        K::AzureFlowLog => all_items(&what, n.flow_logs_client().list(group, parent, sub).into_stream()).await,
        other => Err(not_azure(other)),
    }
}
