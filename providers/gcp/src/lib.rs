//! The GCP provider: Compute Engine and Cloud DNS through Google's official Rust SDK
//! (`google-cloud-compute-v1`, `google-cloud-dns-v1`), one provider per `cloud "gcp"` block (one
//! project), Application Default Credentials (optionally impersonating a service account), and an
//! `endpoint` override for emulators.
//!
//! Every insert, patch and delete returns an operation that [`operation::wait`] polls until it is
//! done, checking its error; so a create returns once the resource exists, with its outputs
//! (the HA VPN gateway's interface addresses, an internal address). Ownership is a marker in each
//! resource's `description` ([`ownership`]). Discovery lists each kind once per page across all
//! regions (`aggregatedList`), see [`GcpProvider::discover_scopes`](Provider::discover_scopes).
//!
//! One module per family of kinds: [`network`] (networks, subnetworks, peerings), [`flow_logs`]
//! (a subnetwork's `logConfig`), [`vpn`] (HA
//! VPN gateways, external VPN gateways, Cloud Routers and their BGP peers, VPN tunnels),
//! [`endpoint`] (Private Service Connect: an internal address and its forwarding rule) and
//! [`dns`] (Cloud DNS private zones and record sets).

mod clients;
mod dns;
mod endpoint;
mod errors;
mod flow_logs;
mod labels;
mod network;
mod operation;
pub mod ownership;
mod project;
mod vpn;

use clients::Clients;
use isopod_catalog::{Cloud, ObservedResource, Ownership, Resource, ResourceKind, Scope};
use isopod_provider::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning, TunnelState};
pub use operation::Polling;
use project::Project;
use tokio::sync::OnceCell;

/// How to reach one GCP project.
#[derive(Clone, Debug, Default)]
pub struct GcpSettings {
    /// The project id.
    pub project: String,
    /// The APIs' URL instead of Google's own (an emulator): without Application Default
    /// Credentials on the machine, calls then carry no credentials.
    pub endpoint: Option<String>,
    /// A service account to act as, with the credentials found.
    pub impersonate_service_account: Option<String>,
    /// How long-running operations are polled.
    pub polling: Polling,
}

/// The provider of one GCP project.
pub struct GcpProvider {
    settings: GcpSettings,
    /// The clients, made (and the project checked) on first use.
    clients: OnceCell<Clients>,
    /// One lock per Cloud Router: its interfaces and BGP peers change by read, modify, patch.
    routers: vpn::RouterLocks,
}

impl GcpProvider {
    /// A provider reaching GCP as `settings` say.
    pub fn new(settings: GcpSettings) -> GcpProvider {
        GcpProvider { settings, clients: OnceCell::new(), routers: Default::default() }
    }

    /// The project, its clients made and the project found readable on first use.
    async fn project<'a>(&'a self, scope: &'a Scope) -> Result<Project<'a>, ProviderError> {
        let clients = self
            .clients
            .get_or_try_init(|| async {
                let clients = Clients::new(&self.settings).await?;
                clients.check_project(&self.settings.project).await?;
                Ok::<_, ProviderError>(clients)
            })
            .await?;
        Ok(Project {
            clients,
            id: &self.settings.project,
            cloud: &scope.cloud,
            polling: &self.settings.polling,
            routers: &self.routers,
        })
    }

    async fn discover_all(
        &self,
        scopes: &[Scope],
        kinds: &[ResourceKind],
    ) -> Result<Vec<ObservedResource>, ProviderError> {
        let Some(first) = scopes.first() else { return Ok(Vec::new()) };
        let project = self.project(first).await?;
        let regions: Vec<&str> = scopes.iter().map(|s| s.region.as_str()).filter(|r| *r != GLOBAL).collect();
        let global = scopes.iter().any(|s| s.region == GLOBAL);
        let mut found = Vec::new();
        let mut listed = Listed::default();
        for &kind in kinds {
            let in_scope = if is_global(kind) { global } else { !regions.is_empty() };
            if !in_scope {
                continue;
            }
            let listed = match kind {
                ResourceKind::GcpNetwork => network::discover_networks(&project, listed.networks(&project).await?),
                ResourceKind::GcpNetworkPeering => {
                    network::discover_peerings(&project, listed.networks(&project).await?)
                }
                ResourceKind::GcpSubnetwork => {
                    network::discover_subnetworks(&project, listed.subnetworks(&project).await?)
                }
                ResourceKind::GcpSubnetworkFlowLogs => {
                    flow_logs::discover(&project, listed.subnetworks(&project).await?)
                }
                ResourceKind::GcpHaVpnGateway => vpn::discover_gateways(&project).await?,
                ResourceKind::GcpExternalVpnGateway => vpn::discover_external_gateways(&project).await?,
                ResourceKind::GcpRouter => vpn::discover_routers(&project, listed.routers(&project).await?),
                ResourceKind::GcpRouterPeer => vpn::discover_router_peers(&project, listed.routers(&project).await?),
                ResourceKind::GcpVpnTunnel => vpn::discover_tunnels(&project).await?,
                ResourceKind::GcpAddress => endpoint::discover_addresses(&project).await?,
                ResourceKind::GcpForwardingRule => endpoint::discover_forwarding_rules(&project).await?,
                ResourceKind::GcpDnsManagedZone => dns::discover_zones(&project, listed.zones(&project).await?),
                ResourceKind::GcpDnsRecordSet => dns::discover_records(&project, listed.zones(&project).await?).await?,
                other => return Err(not_gcp(other)),
            };
            found
                .extend(listed.into_iter().filter(|r| r.scope.region == GLOBAL || regions.contains(&&*r.scope.region)));
        }
        Ok(found)
    }

    async fn create_resource(&self, resource: &Resource, owner: &Ownership) -> Result<Created, ProviderError> {
        let project = self.project(&resource.scope).await?;
        let attrs = &resource.attrs;
        match resource.id.kind {
            ResourceKind::GcpNetwork => network::create_network(&project, owner, attrs).await,
            ResourceKind::GcpSubnetwork => network::create_subnetwork(&project, owner, attrs).await,
            ResourceKind::GcpNetworkPeering => network::create_peering(&project, attrs).await,
            ResourceKind::GcpSubnetworkFlowLogs => flow_logs::create(&project, attrs).await,
            ResourceKind::GcpHaVpnGateway => vpn::create_gateway(&project, owner, attrs).await,
            ResourceKind::GcpExternalVpnGateway => vpn::create_external_gateway(&project, owner, attrs).await,
            ResourceKind::GcpRouter => vpn::create_router(&project, owner, attrs).await,
            ResourceKind::GcpRouterPeer => vpn::create_router_peer(&project, attrs).await,
            ResourceKind::GcpVpnTunnel => vpn::create_tunnel(&project, owner, attrs).await,
            ResourceKind::GcpAddress => endpoint::create_address(&project, owner, attrs).await,
            ResourceKind::GcpForwardingRule => endpoint::create_forwarding_rule(&project, owner, attrs).await,
            ResourceKind::GcpDnsManagedZone => dns::create_zone(&project, owner, attrs).await,
            ResourceKind::GcpDnsRecordSet => dns::create_record(&project, attrs).await,
            other => Err(not_gcp(other)),
        }
    }

    async fn update_resource(&self, provider_id: &str, resource: &Resource) -> Result<(), ProviderError> {
        let project = self.project(&resource.scope).await?;
        let attrs = &resource.attrs;
        match resource.id.kind {
            ResourceKind::GcpNetwork => network::update_network(&project, provider_id, attrs).await,
            ResourceKind::GcpRouter => vpn::update_router(&project, provider_id, attrs).await,
            ResourceKind::GcpRouterPeer => vpn::update_router_peer(&project, provider_id, attrs).await,
            ResourceKind::GcpNetworkPeering => network::update_peering(&project, provider_id, attrs).await,
            ResourceKind::GcpSubnetworkFlowLogs => flow_logs::update(&project, provider_id, attrs).await,
            ResourceKind::GcpDnsManagedZone => dns::update_zone(&project, provider_id, attrs).await,
            ResourceKind::GcpDnsRecordSet => dns::update_record(&project, provider_id, attrs).await,
            // What else changes in place is labels.
            kind => labels::update(&project, kind, provider_id, attrs).await,
        }
    }

    async fn delete_resource(&self, provider_id: &str, kind: ResourceKind, scope: &Scope) -> Result<(), ProviderError> {
        let project = self.project(scope).await?;
        let result = match kind {
            ResourceKind::GcpNetwork => network::delete_network(&project, provider_id).await,
            ResourceKind::GcpSubnetwork => network::delete_subnetwork(&project, provider_id).await,
            ResourceKind::GcpNetworkPeering => network::delete_peering(&project, provider_id).await,
            ResourceKind::GcpSubnetworkFlowLogs => flow_logs::delete(&project, provider_id).await,
            ResourceKind::GcpHaVpnGateway => vpn::delete_gateway(&project, provider_id).await,
            ResourceKind::GcpExternalVpnGateway => vpn::delete_external_gateway(&project, provider_id).await,
            ResourceKind::GcpRouter => vpn::delete_router(&project, provider_id).await,
            ResourceKind::GcpRouterPeer => vpn::delete_router_peer(&project, provider_id, scope).await,
            ResourceKind::GcpVpnTunnel => vpn::delete_tunnel(&project, provider_id).await,
            ResourceKind::GcpAddress => endpoint::delete_address(&project, provider_id).await,
            ResourceKind::GcpForwardingRule => endpoint::delete_forwarding_rule(&project, provider_id).await,
            ResourceKind::GcpDnsManagedZone => dns::delete_zone(&project, provider_id).await,
            ResourceKind::GcpDnsRecordSet => dns::delete_record(&project, provider_id).await,
            other => Err(not_gcp(other)),
        };
        // Deleting what is already gone succeeds.
        match result {
            Err(err) if err.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// The collections that hold two kinds each (networks and their peerings, subnetworks and their
/// flow logs, routers and their BGP peers, zones and their record sets), listed once per
/// discovery, when the first is needed.
#[derive(Default)]
struct Listed {
    networks: Option<Vec<google_cloud_compute_v1::model::Network>>,
    subnetworks: Option<Vec<google_cloud_compute_v1::model::Subnetwork>>,
    routers: Option<Vec<google_cloud_compute_v1::model::Router>>,
    zones: Option<Vec<google_cloud_dns_v1::model::ManagedZone>>,
}

impl Listed {
    async fn networks(&mut self, p: &Project<'_>) -> Result<&[google_cloud_compute_v1::model::Network], ProviderError> {
        if self.networks.is_none() {
            self.networks = Some(network::networks(p).await?);
        }
        Ok(self.networks.as_deref().unwrap_or_default())
    }

    async fn subnetworks(
        &mut self,
        p: &Project<'_>,
    ) -> Result<&[google_cloud_compute_v1::model::Subnetwork], ProviderError> {
        if self.subnetworks.is_none() {
            self.subnetworks = Some(network::subnetworks(p).await?);
        }
        Ok(self.subnetworks.as_deref().unwrap_or_default())
    }

    async fn routers(&mut self, p: &Project<'_>) -> Result<&[google_cloud_compute_v1::model::Router], ProviderError> {
        if self.routers.is_none() {
            self.routers = Some(vpn::routers(p).await?);
        }
        Ok(self.routers.as_deref().unwrap_or_default())
    }

    async fn zones(&mut self, p: &Project<'_>) -> Result<&[google_cloud_dns_v1::model::ManagedZone], ProviderError> {
        if self.zones.is_none() {
            self.zones = Some(dns::zones(p).await?);
        }
        Ok(self.zones.as_deref().unwrap_or_default())
    }
}

/// The scope of GCP's global resources (networks, external VPN gateways, Cloud DNS zones).
const GLOBAL: &str = "global";

/// Whether a kind is global (one list call for the project) rather than regional.
fn is_global(kind: ResourceKind) -> bool {
    matches!(
        kind,
        ResourceKind::GcpNetwork
            | ResourceKind::GcpNetworkPeering
            | ResourceKind::GcpExternalVpnGateway
            | ResourceKind::GcpDnsManagedZone
            | ResourceKind::GcpDnsRecordSet
    )
}

fn not_gcp(kind: ResourceKind) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, format!("{kind} is not a GCP resource"))
}

impl Provider for GcpProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Gcp
    }

    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(self.discover_all(std::slice::from_ref(scope), kinds))
    }

    /// One list call per kind and page for all the scopes at once: `aggregatedList` answers
    /// every region in one call.
    fn discover_scopes<'a>(
        &'a self,
        scopes: &'a [Scope],
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(self.discover_all(scopes, kinds))
    }

    fn create<'a>(
        &'a self,
        resource: &'a Resource,
        owner: &'a Ownership,
    ) -> BoxFuture<'a, Result<Created, ProviderError>> {
        Box::pin(self.create_resource(resource, owner))
    }

    fn update<'a>(&'a self, provider_id: &'a str, resource: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.update_resource(provider_id, resource))
    }

    /// Every create waits for its operation, so what exists is ready: one get says whether it
    /// exists (`NotFound` once a delete is done).
    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(async move { vpn::provisioning(&self.project(scope).await?, kind, provider_id).await })
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.delete_resource(provider_id, kind, scope))
    }

    /// Each owned VPN tunnel's `status` and `detailedStatus`, and each BGP session of an owned
    /// Cloud Router (`routers.getRouterStatus`).
    fn tunnel_states<'a>(
        &'a self,
        scope: &'a Scope,
        _probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        Box::pin(async move { vpn::tunnel_states(&self.project(scope).await?, &scope.region).await })
    }
}
