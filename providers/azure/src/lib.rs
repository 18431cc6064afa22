//! The Azure provider: Microsoft.Network, resource groups and private DNS through the Azure
//! management crates the design names (`azure_mgmt_network`, `azure_mgmt_resources`,
//! `azure_mgmt_privatedns` 0.21, frozen at API versions 2024-03-01, 2021-04-01 and 2024-06-01),
//! one provider per `cloud "azure"` block (one subscription), azure_identity's credential chain,
//! and an `endpoint` override for emulators.
//!
//! Every write is an ARM PUT, which creates or replaces: a create is conditional on nothing of
//! its name existing (`If-None-Match: *`), an update on the resource being as it was read
//! (`If-Match`), so that Isopod never writes over a resource that is not its own
//! ([`clients`]). Ownership is in each resource's tags, written in the PUT itself; subnets and
//! peerings, which take none, are owned through their virtual network, and private DNS record
//! sets through their metadata ([`arm`]). Long-running operations are polled with bounds
//! ([`operation`]) where the executor does not wait itself (gateways and connections, which it
//! follows with [`provisioning`](Provider::provisioning)). Discovery lists the cloud block's
//! resource groups once, then each kind once per group and page.
//!
//! One module per family of kinds: [`network`] (groups, virtual networks, subnets, peerings),
//! [`vpn`] (public addresses, gateways, local network gateways, connections), [`endpoint`]
//! (private endpoints), [`dns`] (private DNS zones, links, A records) and [`flow_log`] (virtual
//! network flow logs, under each region's Network Watcher); [`wire`] is the one table of which
//! SDK client serves which kind.

mod arm;
mod clients;
mod dns;
mod endpoint;
mod errors;
mod flow_log;
mod network;
mod operation;
mod subscription;
mod vpn;
mod wire;

pub use arm::{RESOURCE_TAG, STACK_TAG};
use clients::Clients;
pub use clients::TEST_TOKEN;
use isopod_catalog::{Cloud, ObservedResource, Ownership, Resource, ResourceKind as K, Scope};
use isopod_provider::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning, TunnelState};
pub use operation::Polling;
use serde_json::Value as Json;
use std::collections::BTreeMap;

use subscription::{GLOBAL, Sub};
use tokio::sync::OnceCell;

/// How to reach one Azure subscription.
#[derive(Clone, Debug, Default)]
pub struct AzureSettings {
    /// The subscription id (a GUID).
    pub subscription: String,
    /// The tenant of a service principal given by `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`,
    /// instead of `AZURE_TENANT_ID`.
    pub tenant: Option<String>,
    /// The resource group the cloud block names, which must exist; `None` when Isopod makes
    /// its own.
    pub resource_group: Option<String>,
    /// ARM's URL instead of Azure's own (an emulator): without credentials on the machine,
    /// calls then carry a fixed test token.
    pub endpoint: Option<String>,
    /// How long-running operations are polled.
    pub polling: Polling,
}

/// The provider of one Azure subscription, as one cloud block uses it.
pub struct AzureProvider {
    settings: AzureSettings,
    /// The clients, made on first use.
    clients: OnceCell<Clients>,
}

impl AzureProvider {
    /// A provider reaching Azure as `settings` say.
    pub fn new(settings: AzureSettings) -> AzureProvider {
        AzureProvider { settings, clients: OnceCell::new() }
    }

    async fn sub<'a>(&'a self, scope: &'a Scope) -> Result<Sub<'a>, ProviderError> {
        let clients = self.clients.get_or_try_init(|| async { Clients::new(&self.settings) }).await?;
        Ok(Sub { clients, id: &self.settings.subscription, cloud: &scope.cloud, polling: &self.settings.polling })
    }

    /// The resource groups of the cloud block `cloud`: the one it names, or those Isopod made
    /// for it (tagged `azure_resource_group.BLOCK` by any stack). One list call, which also
    /// finds a subscription that does not exist or cannot be read.
    async fn groups(&self, s: &Sub<'_>) -> Result<Vec<Json>, ProviderError> {
        let all = wire::groups(s.clients, s.id).await.map_err(|err| match err.kind {
            ErrorKind::NotFound | ErrorKind::Permission => ProviderError::new(
                err.kind,
                format!(
                    "Azure subscription `{}` does not exist or these credentials cannot read it ({}): check \
                     `subscription` in the cloud block and the identity's role assignments",
                    s.id, err.message
                ),
            ),
            _ => err,
        })?;
        let block = s.cloud.trim_start_matches("azure.");
        let made = format!("{}.{block}", K::AzureResourceGroup);
        let named = self.settings.resource_group.as_deref();
        let ours: Vec<Json> = all
            .into_iter()
            .filter(|group| {
                let name = group["name"].as_str().unwrap_or_default();
                named.is_some_and(|named| named.eq_ignore_ascii_case(name))
                    || group["tags"][RESOURCE_TAG].as_str() == Some(made.as_str())
            })
            .collect();
        if let Some(named) = named
            && !ours.iter().any(|g| g["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(named)))
        {
            let message = format!(
                "resource group `{named}` (the cloud block's `resource_group`) does not exist in subscription `{}`: \
                 create it, or leave `resource_group` out for Isopod to make its own",
                s.id
            );
            return Err(ProviderError::new(ErrorKind::NotFound, message));
        }
        Ok(ours)
    }

    async fn discover_all(&self, scopes: &[Scope], kinds: &[K]) -> Result<Vec<ObservedResource>, ProviderError> {
        let Some(first) = scopes.first() else { return Ok(Vec::new()) };
        let s = self.sub(first).await?;
        let regions: Vec<String> = scopes.iter().map(|scope| arm::location(&scope.region)).collect();
        let groups = self.groups(&s).await?;
        let mut found = Vec::new();
        // Virtual networks are listed once for the subscription: the block's own, and those
        // of other groups that a network with `existing` uses or `isopod discover` reports.
        if kinds.iter().any(|k| matches!(k, K::AzureVirtualNetwork | K::AzureSubnet | K::AzureVirtualNetworkPeering)) {
            for vnet in wire::all_virtual_networks(s.clients, s.id).await? {
                let group = arm::At::parse(vnet["id"].as_str().unwrap_or_default())?.group;
                found.extend(network::observe_network(&s, &group, &vnet, kinds));
            }
        }
        for group in &groups {
            let name = group["name"].as_str().unwrap_or_default();
            found.extend(self.discover_group(&s, group, name, kinds).await?);
        }
        if kinds.contains(&K::AzureFlowLog) {
            // Flow logs are found through the subscription's watchers: an identity allowed only
            // its resource groups may not list them, and then finds none (a flow log it plans
            // then fails to be made, saying why).
            let watchers = match flow_log::watchers(s.clients, s.id).await {
                Err(err) if err.kind == ErrorKind::Permission => Vec::new(),
                listed => listed?,
            };
            for (watcher, location) in watchers {
                if regions.contains(&location) {
                    for live in wire::list(s.clients, s.id, K::AzureFlowLog, &watcher.group, watcher.name(0)).await? {
                        found.push(s.observe(K::AzureFlowLog, &watcher.group, "", &live));
                    }
                }
            }
        }
        found.retain(|resource| regions.contains(&resource.scope.region));
        Ok(found)
    }

    /// Every resource of `kinds` in one group but its virtual networks: one list call per kind
    /// and page (each zone's links and records are listed per zone).
    async fn discover_group(
        &self,
        s: &Sub<'_>,
        group: &Json,
        name: &str,
        kinds: &[K],
    ) -> Result<Vec<ObservedResource>, ProviderError> {
        let mut found = Vec::new();
        if kinds.contains(&K::AzureResourceGroup) {
            found.push(network::observe_group(s, group));
        }
        let listed = [
            K::AzurePublicIp,
            K::AzureVirtualNetworkGateway,
            K::AzureLocalNetworkGateway,
            K::AzureVpnConnection,
            K::AzurePrivateEndpoint,
        ];
        for kind in listed.into_iter().filter(|kind| kinds.contains(kind)) {
            for live in wire::list(s.clients, s.id, kind, name, "").await? {
                found.push(s.observe(kind, name, "", &live));
            }
        }
        let zone_kinds = [K::AzurePrivateDnsZone, K::AzurePrivateDnsZoneLink, K::AzurePrivateDnsARecord];
        if zone_kinds.iter().any(|kind| kinds.contains(kind)) {
            for zone in wire::list(s.clients, s.id, K::AzurePrivateDnsZone, name, "").await? {
                let zone_name = zone["name"].as_str().unwrap_or_default();
                if kinds.contains(&K::AzurePrivateDnsZone) {
                    found.push(s.observe(K::AzurePrivateDnsZone, name, zone_name, &zone));
                }
                for kind in
                    [K::AzurePrivateDnsZoneLink, K::AzurePrivateDnsARecord].into_iter().filter(|k| kinds.contains(k))
                {
                    for live in wire::list(s.clients, s.id, kind, name, zone_name).await? {
                        found.push(s.observe(kind, name, zone_name, &live));
                    }
                }
            }
        }
        Ok(found)
    }

    /// Each owned connection's `connectionStatus` in `scope`'s groups, and for a BGP connection
    /// the state of its peer (the neighbour its local network gateway names) on its gateway:
    /// up when `Connected` and, with BGP, its peer `Connected` on at least one instance.
    async fn connection_states(&self, scope: &Scope) -> Result<Vec<TunnelState>, ProviderError> {
        let s = self.sub(scope).await?;
        let in_scope = |live: &Json| {
            arm::stack(&live["tags"]).is_some()
                && arm::location(live["location"].as_str().unwrap_or_default()) == arm::location(&scope.region)
        };
        let mut states = Vec::new();
        for group in self.groups(&s).await? {
            let name = group["name"].as_str().unwrap_or_default();
            let connections: Vec<Json> = wire::list(s.clients, s.id, K::AzureVpnConnection, name, "")
                .await?
                .into_iter()
                .filter(in_scope)
                .collect();
            if connections.is_empty() {
                continue;
            }
            // Each local network gateway's BGP neighbour, and each gateway's peers, by lower-cased id.
            let neighbours: BTreeMap<String, String> =
                wire::list(s.clients, s.id, K::AzureLocalNetworkGateway, name, "")
                    .await?
                    .iter()
                    .filter_map(|local| {
                        let address = local.pointer("/properties/bgpSettings/bgpPeeringAddress")?.as_str()?;
                        Some((local["id"].as_str()?.to_ascii_lowercase(), address.to_string()))
                    })
                    .collect();
            let mut peers: BTreeMap<String, Vec<Json>> = BTreeMap::new();
            for gateway in wire::list(s.clients, s.id, K::AzureVirtualNetworkGateway, name, "").await? {
                let (Some(id), Some(gateway_name)) = (gateway["id"].as_str(), gateway["name"].as_str()) else {
                    continue;
                };
                if in_scope(&gateway) && gateway["properties"]["enableBgp"] == true {
                    let found = wire::bgp_peers(s.clients, s.id, name, gateway_name, &self.settings.polling).await?;
                    peers.insert(id.to_ascii_lowercase(), found);
                }
            }
            for live in &connections {
                let props = &live["properties"];
                let status = props["connectionStatus"].as_str().unwrap_or("Unknown");
                let mut up = status == "Connected";
                let mut detail = status.to_string();
                let gateway = props.pointer("/virtualNetworkGateway1/id").and_then(Json::as_str).unwrap_or_default();
                let local = props.pointer("/localNetworkGateway2/id").and_then(Json::as_str).unwrap_or_default();
                let neighbour = neighbours.get(&local.to_ascii_lowercase());
                if let (true, Some(neighbour)) = (props["enableBgp"] == true, neighbour) {
                    let seen: Vec<&str> = peers
                        .get(&gateway.to_ascii_lowercase())
                        .into_iter()
                        .flatten()
                        .filter(|peer| peer["neighbor"].as_str() == Some(neighbour))
                        .filter_map(|peer| peer["state"].as_str())
                        .collect();
                    let state = if seen.is_empty() { "not seen".to_string() } else { seen.join(", ") };
                    up &= seen.contains(&"Connected");
                    detail = format!("{status}; BGP {neighbour} {state}");
                }
                states.push(TunnelState {
                    scope: scope.clone(),
                    tunnel: live["name"].as_str().unwrap_or_default().to_string(),
                    up,
                    detail,
                    owner: arm::read_tags(&live["tags"]).0,
                });
            }
        }
        Ok(states)
    }
}

fn not_azure(kind: K) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, format!("{kind} is not an Azure resource"))
}

impl Provider for AzureProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Azure
    }

    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [K],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(self.discover_all(std::slice::from_ref(scope), kinds))
    }

    /// The groups and each kind listed once for all the block's scopes, split by location.
    fn discover_scopes<'a>(
        &'a self,
        scopes: &'a [Scope],
        kinds: &'a [K],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(self.discover_all(scopes, kinds))
    }

    fn create<'a>(
        &'a self,
        resource: &'a Resource,
        owner: &'a Ownership,
    ) -> BoxFuture<'a, Result<Created, ProviderError>> {
        Box::pin(async move {
            let kind = resource.id.kind;
            if kind.cloud() != Cloud::Azure {
                return Err(not_azure(kind));
            }
            self.sub(&resource.scope).await?.create(kind, &resource.attrs, owner).await
        })
    }

    fn update<'a>(&'a self, provider_id: &'a str, resource: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let kind = resource.id.kind;
            if kind.cloud() != Cloud::Azure {
                return Err(not_azure(kind));
            }
            self.sub(&resource.scope).await?.update(kind, provider_id, &resource.attrs).await
        })
    }

    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: K,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(async move { self.sub(scope).await?.provisioning(kind, provider_id).await })
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: K,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            match self.sub(scope).await?.delete(kind, provider_id).await {
                Err(err) if err.kind == ErrorKind::NotFound => Ok(()),
                other => other,
            }
        })
    }

    /// Each owned connection's `connectionStatus` (`Connected`, `Connecting`, `NotConnected`).
    fn tunnel_states<'a>(
        &'a self,
        scope: &'a Scope,
        _probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        Box::pin(async move {
            if scope.region == GLOBAL {
                return Ok(Vec::new());
            }
            self.connection_states(scope).await
        })
    }
}
