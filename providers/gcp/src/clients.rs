//! The SDK's clients of one project, made once from the provider's settings: the endpoint
//! (Google's own or an emulator's), and the credentials (Application Default Credentials,
//! optionally impersonating a service account; none at all against an emulator when no
//! credentials are found). The SDK's own retries are off: the executor retries what
//! [`classify`](crate::errors::classify) says is throttled or transient, so a call is never
//! retried twice over.

use crate::GcpSettings;
use crate::errors::classify;
use google_cloud_auth::credentials::{self, Credentials};
use google_cloud_compute_v1::client::{
    Addresses, ExternalVpnGateways, ForwardingRules, GlobalOperations, Networks, Projects, RegionOperations, Routers,
    Subnetworks, VpnGateways, VpnTunnels,
};
use google_cloud_dns_v1::client::{ManagedZones, ResourceRecordSets};
use google_cloud_gax::retry_policy::NeverRetry;
use isopod_provider::{ErrorKind, ProviderError};

/// Every client the provider calls.
pub(crate) struct Clients {
    pub(crate) networks: Networks,
    pub(crate) subnetworks: Subnetworks,
    pub(crate) vpn_gateways: VpnGateways,
    pub(crate) external_vpn_gateways: ExternalVpnGateways,
    pub(crate) routers: Routers,
    pub(crate) vpn_tunnels: VpnTunnels,
    pub(crate) addresses: Addresses,
    pub(crate) forwarding_rules: ForwardingRules,
    pub(crate) region_operations: RegionOperations,
    pub(crate) global_operations: GlobalOperations,
    pub(crate) projects: Projects,
    pub(crate) managed_zones: ManagedZones,
    pub(crate) record_sets: ResourceRecordSets,
}

/// Builds one client the way every client is built.
macro_rules! client {
    ($type:ty, $settings:expr, $credentials:expr) => {{
        let mut builder = <$type>::builder().with_credentials($credentials.clone()).with_retry_policy(NeverRetry);
        if let Some(endpoint) = &$settings.endpoint {
            builder = builder.with_endpoint(endpoint.trim_end_matches('/'));
        }
        builder.build().await.map_err(|err| {
            ProviderError::new(ErrorKind::Invalid, format!("cannot make the GCP {} client: {err}", stringify!($type)))
        })?
    }};
}

impl Clients {
    /// The clients `settings` describe.
    pub(crate) async fn new(settings: &GcpSettings) -> Result<Clients, ProviderError> {
        let credentials = credentials(settings)?;
        Ok(Clients {
            networks: client!(Networks, settings, credentials),
            subnetworks: client!(Subnetworks, settings, credentials),
            vpn_gateways: client!(VpnGateways, settings, credentials),
            external_vpn_gateways: client!(ExternalVpnGateways, settings, credentials),
            routers: client!(Routers, settings, credentials),
            vpn_tunnels: client!(VpnTunnels, settings, credentials),
            addresses: client!(Addresses, settings, credentials),
            forwarding_rules: client!(ForwardingRules, settings, credentials),
            region_operations: client!(RegionOperations, settings, credentials),
            global_operations: client!(GlobalOperations, settings, credentials),
            projects: client!(Projects, settings, credentials),
            managed_zones: client!(ManagedZones, settings, credentials),
            record_sets: client!(ResourceRecordSets, settings, credentials),
        })
    }

    /// Fails unless `project` exists and the credentials can read it (`projects.get`), so that a
    /// wrong project id stops the plan before any change.
    pub(crate) async fn check_project(&self, project: &str) -> Result<(), ProviderError> {
        match self.projects.get().set_project(project).send().await.map_err(classify) {
            Ok(_) => Ok(()),
            Err(err) if matches!(err.kind, ErrorKind::NotFound | ErrorKind::Permission) => Err(ProviderError::new(
                err.kind,
                format!(
                    "GCP project `{project}` does not exist or these credentials cannot read it ({}): check \
                     `project` in the cloud block and the credentials' roles",
                    err.message
                ),
            )),
            Err(err) => Err(err),
        }
    }
}

/// The credentials to call with: with an `endpoint` (an emulator) and no Application Default
/// Credentials on this machine, none (anonymous); otherwise ADC (`GOOGLE_APPLICATION_CREDENTIALS`,
/// gcloud's user credentials, then the metadata server), impersonating
/// `impersonate_service_account` when set.
fn credentials(settings: &GcpSettings) -> Result<Credentials, ProviderError> {
    if settings.endpoint.is_some() && !adc_configured() {
        return Ok(credentials::anonymous::Builder::new().build());
    }
    let found = credentials::Builder::default().build().map_err(|err| {
        ProviderError::new(ErrorKind::Permission, format!("cannot load Application Default Credentials: {err}"))
    })?;
    match &settings.impersonate_service_account {
        None => Ok(found),
        Some(account) => credentials::impersonated::Builder::from_source_credentials(found)
            .with_target_principal(account)
            .build()
            .map_err(|err| ProviderError::new(ErrorKind::Permission, format!("cannot impersonate {account}: {err}"))),
    }
}

/// Whether Application Default Credentials are configured as a file (the environment variable,
/// or gcloud's well-known file); the metadata server is not looked for.
fn adc_configured() -> bool {
    if std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").is_some() {
        return true;
    }
    std::env::var_os("HOME").is_some_and(|home| {
        std::path::Path::new(&home).join(".config/gcloud/application_default_credentials.json").exists()
    })
}
