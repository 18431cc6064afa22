//! HA VPN: the network's HA VPN gateway (two interfaces with public addresses) and Cloud Router
//! in a region; per peer an external VPN gateway (global) with the peer's addresses; per tunnel a
//! VPN tunnel and, on the router, an interface linked to it with a BGP peer. A router's
//! interfaces and BGP peers are one array each, which only a whole update changes: one
//! [`Isopod router peer`](ResourceKind::GcpRouterPeer) is one entry of each, changed by reading
//! the router, changing the entry and writing the router back, one change per router at a time.

use crate::labels;
use crate::operation::last_segment;
use crate::project::{Project, created, every_page, parts};
use google_cloud_compute_v1::model::{
    ExternalVpnGateway, ExternalVpnGatewayInterface, Router, RouterBgp, RouterBgpPeer, RouterInterface, VpnGateway,
    VpnTunnel,
};
use isopod_catalog::{Attrs, Name, ObservedResource, Ownership, ResourceKind, Scope, Value};
use isopod_provider::attrs::{Found, integer, integer32, natural_created, natural_parts, strings, text, untagged};
use isopod_provider::{Created, ErrorKind, ProviderError, Provisioning, TunnelState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One lock per Cloud Router (by region and name), held while its arrays are read and patched.
#[derive(Default)]
pub(crate) struct RouterLocks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl RouterLocks {
    fn of(&self, region: &str, router: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.0.lock().expect("not poisoned");
        locks.entry(format!("{region}/{router}")).or_default().clone()
    }
}

pub(crate) async fn create_gateway(
    p: &Project<'_>,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    let body = VpnGateway::new()
        .set_name(name)
        .set_network(p.global_path("networks", text(attrs, "network").unwrap_or_default()))
        .set_description(p.description(owner, None))
        .set_labels(labels::created(owner, attrs));
    let path = p.regional_path(region, "vpnGateways", name);
    let sent = p.clients.vpn_gateways.insert().set_project(p.id).set_region(region).set_body(body).send().await;
    let get = || async { get_gateway(p, region, name).await.map(|g| g.description) };
    p.inserted(&path, owner, sent, get).await?;
    // The interfaces' addresses are known once the gateway exists.
    let gateway = get_gateway(p, region, name).await.map_err(crate::errors::classify)?;
    let mut made = created(path);
    made.outputs = gateway_addresses(&gateway).into_iter().collect();
    Ok(made)
}

async fn get_gateway(p: &Project<'_>, region: &str, name: &str) -> Result<VpnGateway, google_cloud_gax::error::Error> {
    p.clients.vpn_gateways.get().set_project(p.id).set_region(region).set_vpn_gateway(name).send().await
}

/// `interface0_ip` and `interface1_ip` of an HA VPN gateway.
fn gateway_addresses(gateway: &VpnGateway) -> Vec<(Name, Value)> {
    let mut interfaces: Vec<_> = gateway.vpn_interfaces.iter().collect();
    interfaces.sort_by_key(|interface| interface.id);
    let addresses = interfaces.iter().filter_map(|interface| interface.ip_address.clone());
    addresses.enumerate().map(|(n, address)| (format!("interface{n}_ip").into(), Value::string(address))).collect()
}

pub(crate) async fn delete_gateway(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let request = p.clients.vpn_gateways.delete().set_project(p.id).set_region(region).set_vpn_gateway(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

pub(crate) async fn discover_gateways(p: &Project<'_>) -> Result<Vec<ObservedResource>, ProviderError> {
    let request = p.clients.vpn_gateways.aggregated_list().set_project(p.id);
    let gateways: Vec<VpnGateway> =
        every_page!(request, |page| page.items.into_values().flat_map(|scoped| scoped.vpn_gateways));
    let found = gateways.into_iter().filter_map(|gateway| {
        let (name, region) = name_and_region(gateway.name.as_deref(), gateway.region.as_deref());
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("network", gateway.network.as_deref().and_then(last_segment))
            .text("region", Some(&region))
            .value("labels", labels::found(&gateway.labels));
        for (output, value) in gateway_addresses(&gateway) {
            attrs.value(output, value);
        }
        let path = p.regional_path(&region, "vpnGateways", &name);
        p.observed(ResourceKind::GcpHaVpnGateway, path, p.scope(&region), gateway.description.as_deref(), attrs.0)
    });
    Ok(found.collect())
}

fn name_and_region(name: Option<&str>, region: Option<&str>) -> (String, String) {
    let region = region.and_then(last_segment).unwrap_or_default();
    (name.unwrap_or_default().to_string(), region.to_string())
}

pub(crate) async fn create_external_gateway(
    p: &Project<'_>,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let interfaces = strings(attrs, "interfaces").into_iter().enumerate().map(|(id, address)| {
        ExternalVpnGatewayInterface::new().set_id(u32::try_from(id).unwrap_or_default()).set_ip_address(address)
    });
    let body = ExternalVpnGateway::new()
        .set_name(name)
        .set_redundancy_type(text(attrs, "redundancy_type").unwrap_or_default())
        .set_interfaces(interfaces)
        .set_description(p.description(owner, None))
        .set_labels(labels::created(owner, attrs));
    let path = p.global_path("externalVpnGateways", name);
    let sent = p.clients.external_vpn_gateways.insert().set_project(p.id).set_body(body).send().await;
    let get = || async {
        let request = p.clients.external_vpn_gateways.get().set_project(p.id).set_external_vpn_gateway(name);
        request.send().await.map(|g| g.description)
    };
    p.inserted(&path, owner, sent, get).await?;
    Ok(created(path))
}

pub(crate) async fn delete_external_gateway(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (_, _, name) = parts(path)?;
    let request = p.clients.external_vpn_gateways.delete().set_project(p.id).set_external_vpn_gateway(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

pub(crate) async fn discover_external_gateways(p: &Project<'_>) -> Result<Vec<ObservedResource>, ProviderError> {
    let request = p.clients.external_vpn_gateways.list().set_project(p.id);
    let gateways: Vec<ExternalVpnGateway> = every_page!(request, |page| page.items);
    let found = gateways.into_iter().filter_map(|gateway| {
        let name = gateway.name.clone().unwrap_or_default();
        let mut interfaces: Vec<_> = gateway.interfaces.iter().collect();
        interfaces.sort_by_key(|interface| interface.id);
        let addresses = interfaces.iter().filter_map(|interface| interface.ip_address.as_deref());
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("redundancy_type", gateway.redundancy_type.as_ref().and_then(|r| r.name()))
            .value("interfaces", isopod_provider::attrs::string_list(addresses))
            .value("labels", labels::found(&gateway.labels));
        let path = p.global_path("externalVpnGateways", &name);
        let scope = p.scope("global");
        p.observed(ResourceKind::GcpExternalVpnGateway, path, scope, gateway.description.as_deref(), attrs.0)
    });
    Ok(found.collect())
}

pub(crate) async fn create_router(p: &Project<'_>, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    let body = Router::new()
        .set_name(name)
        .set_network(p.global_path("networks", text(attrs, "network").unwrap_or_default()))
        .set_bgp(bgp(attrs)?)
        .set_description(p.description(owner, None));
    let path = p.regional_path(region, "routers", name);
    let sent = p.clients.routers.insert().set_project(p.id).set_region(region).set_body(body).send().await;
    let get = || async { get_router(p, region, name).await.map(|r| r.description) };
    p.inserted(&path, owner, sent, get).await?;
    Ok(created(path))
}

fn bgp(attrs: &Attrs) -> Result<RouterBgp, ProviderError> {
    let asn = integer(attrs, "asn").and_then(|asn| u32::try_from(asn).ok());
    let asn = asn.ok_or_else(|| ProviderError::new(ErrorKind::Invalid, "a Cloud Router needs a 32-bit `asn`"))?;
    Ok(RouterBgp::new().set_asn(asn))
}

async fn get_router(p: &Project<'_>, region: &str, name: &str) -> Result<Router, google_cloud_gax::error::Error> {
    p.clients.routers.get().set_project(p.id).set_region(region).set_router(name).send().await
}

/// Changes the router's ASN (`routers.patch` keeps what the body leaves out).
pub(crate) async fn update_router(p: &Project<'_>, path: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let lock = p.routers.of(region, name);
    let _held = lock.lock().await;
    let body = Router::new().set_bgp(bgp(attrs)?);
    let request = p.clients.routers.patch().set_project(p.id).set_region(region).set_router(name).set_body(body);
    p.done(&format!("changing {path}"), request.send().await).await
}

pub(crate) async fn delete_router(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let request = p.clients.routers.delete().set_project(p.id).set_region(region).set_router(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

/// Every Cloud Router of the project, in every region.
pub(crate) async fn routers(p: &Project<'_>) -> Result<Vec<Router>, ProviderError> {
    let request = p.clients.routers.aggregated_list().set_project(p.id);
    Ok(every_page!(request, |page| page.items.into_values().flat_map(|scoped| scoped.routers)))
}

/// The routers among `routers` (the project's, listed once per discovery).
pub(crate) fn discover_routers(p: &Project<'_>, routers: &[Router]) -> Vec<ObservedResource> {
    let found = routers.iter().filter_map(|router| {
        let (name, region) = name_and_region(router.name.as_deref(), router.region.as_deref());
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("network", router.network.as_deref().and_then(last_segment))
            .text("region", Some(&region))
            .integer("asn", router.bgp.as_ref().and_then(|bgp| bgp.asn));
        let path = p.regional_path(&region, "routers", &name);
        p.observed(ResourceKind::GcpRouter, path, p.scope(&region), router.description.as_deref(), attrs.0)
    });
    found.collect()
}

/// Each BGP peer of each router, with its interface, owned through its router.
/// The BGP peers of `routers` (the project's, listed once per discovery).
pub(crate) fn discover_router_peers(p: &Project<'_>, routers: &[Router]) -> Vec<ObservedResource> {
    let mut found = Vec::new();
    for router in routers {
        let (router_name, region) = name_and_region(router.name.as_deref(), router.region.as_deref());
        let Some(owner) = p.owner(router.description.as_deref()) else { continue };
        let stack = owner.as_ref().map(|owner| owner.stack.as_str());
        for peer in &router.bgp_peers {
            let interface = router.interfaces.iter().find(|i| i.name.is_some() && i.name == peer.interface_name);
            let mut attrs = Found::default();
            attrs
                .text("name", peer.name.as_deref())
                .text("router", Some(&router_name))
                .text("region", Some(&region))
                .text("tunnel", interface.and_then(|i| i.linked_vpn_tunnel.as_deref()).and_then(last_segment))
                .text("ip_range", interface.and_then(|i| i.ip_range.as_deref()))
                .text("peer_ip_address", peer.peer_ip_address.as_deref())
                .integer("peer_asn", peer.peer_asn);
            found.extend(untagged(ResourceKind::GcpRouterPeer, &p.scope(&region), stack, attrs.0));
        }
    }
    found
}

pub(crate) async fn create_router_peer(p: &Project<'_>, attrs: &Attrs) -> Result<Created, ProviderError> {
    let router = text(attrs, "router").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    let name = text(attrs, "name").unwrap_or_default();
    change_router_peers(p, region, router, |interfaces, peers| {
        interfaces.retain(|i| i.name.as_deref() != Some(name));
        peers.retain(|peer| peer.name.as_deref() != Some(name));
        let tunnel = p.regional_path(region, "vpnTunnels", text(attrs, "tunnel").unwrap_or_default());
        let ip_range = text(attrs, "ip_range").unwrap_or_default();
        interfaces.push(RouterInterface::new().set_name(name).set_linked_vpn_tunnel(tunnel).set_ip_range(ip_range));
        peers.push(router_peer(attrs));
    })
    .await?;
    natural_created(ResourceKind::GcpRouterPeer, attrs)
}

/// The BGP peer `attrs` describe, on the interface of the same name.
fn router_peer(attrs: &Attrs) -> RouterBgpPeer {
    let name = text(attrs, "name").unwrap_or_default();
    let own_address = text(attrs, "ip_range").unwrap_or_default().split('/').next().unwrap_or_default();
    RouterBgpPeer::new()
        .set_name(name)
        .set_interface_name(name)
        .set_ip_address(own_address)
        .set_peer_ip_address(text(attrs, "peer_ip_address").unwrap_or_default())
        .set_peer_asn(integer(attrs, "peer_asn").and_then(|asn| u32::try_from(asn).ok()).unwrap_or_default())
}

/// Changes the peer's address or ASN in place.
pub(crate) async fn update_router_peer(p: &Project<'_>, id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let (router, name) = natural_parts(id)?;
    let region = text(attrs, "region").unwrap_or_default();
    change_router_peers(p, region, router, |_, peers| {
        for peer in peers.iter_mut().filter(|peer| peer.name.as_deref() == Some(name)) {
            *peer = router_peer(attrs);
        }
    })
    .await
}

pub(crate) async fn delete_router_peer(p: &Project<'_>, id: &str, scope: &Scope) -> Result<(), ProviderError> {
    let (router, name) = natural_parts(id)?;
    change_router_peers(p, &scope.region, router, |interfaces, peers| {
        interfaces.retain(|i| i.name.as_deref() != Some(name));
        peers.retain(|peer| peer.name.as_deref() != Some(name));
    })
    .await
}

/// Reads `router`, lets `change` change its interfaces and BGP peers, and writes the whole router
/// back (`routers.update`), holding the router's lock throughout. Not `routers.patch`: a patch
/// leaves out an array that became empty (the SDK does not send empty arrays), so the last peer
/// would never go.
async fn change_router_peers(
    p: &Project<'_>,
    region: &str,
    router: &str,
    change: impl FnOnce(&mut Vec<RouterInterface>, &mut Vec<RouterBgpPeer>),
) -> Result<(), ProviderError> {
    let lock = p.routers.of(region, router);
    let _held = lock.lock().await;
    let mut live = get_router(p, region, router).await.map_err(crate::errors::classify)?;
    change(&mut live.interfaces, &mut live.bgp_peers);
    let request = p.clients.routers.update().set_project(p.id).set_region(region).set_router(router).set_body(live);
    p.done(&format!("changing the BGP peers of {router}"), request.send().await).await
}

pub(crate) async fn create_tunnel(p: &Project<'_>, owner: &Ownership, attrs: &Attrs) -> Result<Created, ProviderError> {
    let name = text(attrs, "name").unwrap_or_default();
    let region = text(attrs, "region").unwrap_or_default();
    let body = VpnTunnel::new()
        .set_name(name)
        .set_vpn_gateway(p.regional_path(region, "vpnGateways", text(attrs, "vpn_gateway").unwrap_or_default()))
        .set_vpn_gateway_interface(integer32(attrs, "vpn_gateway_interface").unwrap_or_default())
        .set_peer_external_gateway(
            p.global_path("externalVpnGateways", text(attrs, "peer_external_gateway").unwrap_or_default()),
        )
        .set_peer_external_gateway_interface(integer32(attrs, "peer_external_gateway_interface").unwrap_or_default())
        .set_shared_secret(text(attrs, "shared_secret").unwrap_or_default())
        .set_router(p.regional_path(region, "routers", text(attrs, "router").unwrap_or_default()))
        .set_ike_version(integer32(attrs, "ike_version").unwrap_or(2))
        .set_description(p.description(owner, None))
        .set_labels(labels::created(owner, attrs));
    let path = p.regional_path(region, "vpnTunnels", name);
    let sent = p.clients.vpn_tunnels.insert().set_project(p.id).set_region(region).set_body(body).send().await;
    let get = || async { get_tunnel(p, region, name).await.map(|t| t.description) };
    p.inserted(&path, owner, sent, get).await?;
    Ok(created(path))
}

async fn get_tunnel(p: &Project<'_>, region: &str, name: &str) -> Result<VpnTunnel, google_cloud_gax::error::Error> {
    p.clients.vpn_tunnels.get().set_project(p.id).set_region(region).set_vpn_tunnel(name).send().await
}

pub(crate) async fn delete_tunnel(p: &Project<'_>, path: &str) -> Result<(), ProviderError> {
    let (region, _, name) = parts(path)?;
    let request = p.clients.vpn_tunnels.delete().set_project(p.id).set_region(region).set_vpn_tunnel(name);
    p.done(&format!("deleting {path}"), request.send().await).await
}

/// Every VPN tunnel of the project, in every region.
async fn tunnels(p: &Project<'_>) -> Result<Vec<VpnTunnel>, ProviderError> {
    let request = p.clients.vpn_tunnels.aggregated_list().set_project(p.id);
    Ok(every_page!(request, |page| page.items.into_values().flat_map(|scoped| scoped.vpn_tunnels)))
}

pub(crate) async fn discover_tunnels(p: &Project<'_>) -> Result<Vec<ObservedResource>, ProviderError> {
    let found = tunnels(p).await?.into_iter().filter_map(|tunnel| {
        let (name, region) = name_and_region(tunnel.name.as_deref(), tunnel.region.as_deref());
        let mut attrs = Found::default();
        attrs
            .text("name", Some(&name))
            .text("region", Some(&region))
            .text("vpn_gateway", tunnel.vpn_gateway.as_deref().and_then(last_segment))
            .integer("vpn_gateway_interface", tunnel.vpn_gateway_interface)
            .text("peer_external_gateway", tunnel.peer_external_gateway.as_deref().and_then(last_segment))
            .integer("peer_external_gateway_interface", tunnel.peer_external_gateway_interface)
            .text("router", tunnel.router.as_deref().and_then(last_segment))
            .integer("ike_version", tunnel.ike_version)
            // GCP never answers the secret itself (only its hash).
            .value("shared_secret", Value::Sensitive("(live)".into()))
            .value("labels", labels::found(&tunnel.labels));
        let path = p.regional_path(&region, "vpnTunnels", &name);
        p.observed(ResourceKind::GcpVpnTunnel, path, p.scope(&region), tunnel.description.as_deref(), attrs.0)
    });
    Ok(found.collect())
}

/// Whether a gateway or tunnel exists (every create waited for its operation, so it is ready).
pub(crate) async fn provisioning(
    p: &Project<'_>,
    kind: ResourceKind,
    path: &str,
) -> Result<Provisioning, ProviderError> {
    let (region, _, name) = parts(path)?;
    let found = match kind {
        ResourceKind::GcpHaVpnGateway => get_gateway(p, region, name).await.map(drop),
        ResourceKind::GcpVpnTunnel => get_tunnel(p, region, name).await.map(drop),
        // The other kinds are ready (and gone) when their operation is done.
        _ => Ok(()),
    };
    found.map(|()| Provisioning::Ready).map_err(crate::errors::classify)
}

/// The state of each Isopod tunnel in `region` and of each BGP session of its routers there.
pub(crate) async fn tunnel_states(p: &Project<'_>, region: &str) -> Result<Vec<TunnelState>, ProviderError> {
    // Tunnels and routers are regional: the global scope has none.
    if region == "global" {
        return Ok(Vec::new());
    }
    let scope = p.scope(region);
    let ours = |description: Option<&str>| matches!(p.owner(description), Some(Some(_)));
    let mut states = Vec::new();
    let request = p.clients.vpn_tunnels.list().set_project(p.id).set_region(region);
    let listed: Vec<VpnTunnel> = every_page!(request, |page| page.items);
    for tunnel in listed.into_iter().filter(|t| ours(t.description.as_deref())) {
        let status = tunnel.status.as_ref().and_then(|s| s.name()).unwrap_or("UNKNOWN").to_string();
        let detail = tunnel.detailed_status.unwrap_or_default();
        let owner = p.owner(tunnel.description.as_deref()).flatten();
        states.push(TunnelState {
            scope: scope.clone(),
            tunnel: tunnel.name.unwrap_or_default(),
            up: status == "ESTABLISHED",
            detail: if detail.is_empty() { status } else { format!("{status}: {detail}") },
            owner,
        });
    }
    let request = p.clients.routers.list().set_project(p.id).set_region(region);
    let routers: Vec<Router> = every_page!(request, |page| page.items);
    for router in routers.into_iter().filter(|r| ours(r.description.as_deref())) {
        let name = router.name.unwrap_or_default();
        let request = p.clients.routers.get_router_status().set_project(p.id).set_region(region).set_router(&name);
        let status = request.send().await.map_err(crate::errors::classify)?;
        for peer in status.result.map(|r| r.bgp_peer_status).unwrap_or_default() {
            let up = peer.status.as_ref().and_then(|s| s.name()) == Some("UP");
            let status = peer.status.as_ref().and_then(|s| s.name()).unwrap_or("UNKNOWN");
            let state = peer.state.unwrap_or_default();
            states.push(TunnelState {
                scope: scope.clone(),
                tunnel: format!("{name} BGP {}", peer.name.unwrap_or_default()),
                up,
                detail: format!("BGP {status} ({state})"),
                owner: None,
            });
        }
    }
    Ok(states)
}
