//! The AWS provider: EC2 through the official SDK (`aws-sdk-ec2`), one client per region, the
//! standard credential chain (environment, profiles, SSO, web identity, instance and container
//! roles), an optional role to assume, and an `endpoint` override for emulators and private
//! endpoints.
//!
//! Ownership is two tags written in the create call itself (`TagSpecifications`):
//! `isopod:stack` and `isopod:resource` (`KIND.ADDRESS`). Discovery lists, a page at a time,
//! the VPCs, subnets, gateways, VPN connections and endpoints of every owner (networks may
//! describe existing VPCs; `isopod discover` lists the rest), and only what carries
//! `isopod:stack` of the kinds no one else's configuration needs (security groups, peering,
//! attachments). What EC2 cannot tag (routes, route propagations, VPN connection routes) is owned
//! through its target or parent and found by its natural key. Every EC2 error is classified for
//! the executor.
//!
//! One module per family of kinds: [`network`] (VPCs, subnets, routes, route propagation),
//! [`vpn`] (customer and VPN gateways, VPN connections and their routes), [`transit`] (transit
//! gateways and their VPC attachments), [`peering`] (VPC peering, both sides), [`endpoint`]
//! (interface endpoints and their security groups), [`flow_log`] (VPC flow logs to S3) and
//! [`dns`] (Route 53 private zones and records, through `aws-sdk-route53`).

/// Every item of every page a paginated describe call returns: `every_page!(request, items)`
/// sends `request` through its paginator and collects the cloned `items()` of each page.
macro_rules! every_page {
    ($request:expr, $items:ident) => {{
        let mut found = Vec::new();
        let mut pages = $request.into_paginator().send();
        while let Some(page) = pages.next().await {
            found.extend(page.map_err(classify)?.$items().iter().cloned());
        }
        found
    }};
}

/// The attribute helpers every provider shares.
use isopod_provider::attrs;
mod dns;
mod endpoint;
mod errors;
mod flow_log;
mod network;
mod peering;
mod s3;
mod tags;
mod transit;
mod vpn;

use attrs::Found;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Tag;
use isopod_catalog::{Cloud, ObservedResource, Ownership, Resource, ResourceKind, Scope};
use isopod_provider::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning, TunnelState};
use std::collections::HashMap;
use std::sync::Mutex;
pub use tags::{ACCEPTER_TAG, RESOURCE_TAG, STACK_TAG};

/// How to reach one AWS account.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    /// The API's URL instead of AWS's own (an emulator, a private endpoint).
    pub endpoint: Option<String>,
    /// The named profile of the shared configuration files.
    pub profile: Option<String>,
    /// A role to assume with the credentials found.
    pub role_arn: Option<String>,
    /// The account the credentials must belong to: checked (GetCallerIdentity) before the
    /// first call, so that a wrong profile never plans against, or changes, another account.
    pub account: Option<String>,
    /// A fixed access key id and secret instead of the credential chain (for emulators).
    pub static_credentials: Option<(String, String)>,
}

/// The provider of one AWS account.
pub struct AwsProvider {
    settings: AwsSettings,
    clients: Mutex<HashMap<String, (Client, aws_sdk_route53::Client)>>,
    /// Whether the account has been checked (concurrent first calls may each check it).
    account_checked: std::sync::atomic::AtomicBool,
}

/// One region of the account, as each kind's module uses it.
pub(crate) struct Region {
    /// The region's EC2 client.
    pub(crate) client: Client,
    /// The account's Route 53 client (a global service, reached from this region's settings).
    pub(crate) dns: aws_sdk_route53::Client,
    /// The region, as the planner names it.
    pub(crate) scope: Scope,
}

impl Region {
    /// A resource found in this region, owned as its `isopod:resource` tag says.
    fn observed(&self, kind: ResourceKind, provider_id: Option<&str>, tags: &[Tag], found: Found) -> ObservedResource {
        self.observed_under(tags::RESOURCE_TAG, kind, provider_id, tags, found)
    }

    /// A resource found in this region, owned as its tag `resource_key` says.
    fn observed_under(
        &self,
        resource_key: &str,
        kind: ResourceKind,
        provider_id: Option<&str>,
        tags: &[Tag],
        mut found: Found,
    ) -> ObservedResource {
        let (owner, own) = tags::read(tags, resource_key);
        found.value("tags", own);
        ObservedResource {
            provider_id: provider_id.unwrap_or_default().to_string(),
            kind,
            scope: self.scope.clone(),
            attrs: found.0,
            owner,
        }
    }
}

impl AwsProvider {
    /// A provider reaching AWS as `settings` say.
    pub fn new(settings: AwsSettings) -> AwsProvider {
        AwsProvider { settings, clients: Mutex::new(HashMap::new()), account_checked: Default::default() }
    }

    /// The SDK's configuration for `region`: the standard credential chain (or the block's
    /// profile, static credentials, role), once the credentials are known to be the expected
    /// account's.
    async fn sdk_config(&self, region: &str) -> Result<aws_config::SdkConfig, ProviderError> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()));
        if let Some(endpoint) = &self.settings.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some(profile) = &self.settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some((key, secret)) = &self.settings.static_credentials {
            let credentials = aws_sdk_ec2::config::Credentials::new(key, secret, None, None, "isopod-static");
            loader = loader.credentials_provider(credentials);
        }
        let mut config = loader.load().await;
        if let Some(role) = &self.settings.role_arn {
            let assumed = aws_config::sts::AssumeRoleProvider::builder(role)
                .session_name("isopod")
                .configure(&config)
                .build()
                .await;
            config = config
                .into_builder()
                .credentials_provider(aws_sdk_ec2::config::SharedCredentialsProvider::new(assumed))
                .build();
        }
        if let Some(expected) = &self.settings.account
            && !self.account_checked.load(std::sync::atomic::Ordering::SeqCst)
        {
            check_account(&config, expected).await?;
            self.account_checked.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(config)
    }

    /// The clients of `region`, made on first use.
    async fn clients(&self, region: &str) -> Result<(Client, aws_sdk_route53::Client), ProviderError> {
        if let Some(clients) = self.clients.lock().expect("not poisoned").get(region) {
            return Ok(clients.clone());
        }
        let config = self.sdk_config(region).await?;
        let clients = (Client::new(&config), aws_sdk_route53::Client::new(&config));
        self.clients.lock().expect("not poisoned").insert(region.to_string(), clients.clone());
        Ok(clients)
    }

    /// Copies every object of `bucket` under `prefix` (flow logs as S3 delivers them) into the
    /// folder `into`, keeping their keys as paths, streamed a chunk at a time; the files written.
    pub async fn download_objects(
        &self,
        region: &str,
        bucket: &str,
        prefix: &str,
        into: &std::path::Path,
    ) -> Result<Vec<std::path::PathBuf>, ProviderError> {
        let config = self.sdk_config(region).await?;
        // Emulators serve buckets by path, not by host name.
        let path_style = self.settings.endpoint.is_some();
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config).force_path_style(path_style).build(),
        );
        s3::download(&s3, bucket, prefix, into).await
    }

    async fn region(&self, scope: &Scope) -> Result<Region, ProviderError> {
        let (client, dns) = self.clients(&scope.region).await?;
        Ok(Region { client, dns, scope: scope.clone() })
    }

    async fn discover_kind(&self, scope: &Scope, kind: ResourceKind) -> Result<Vec<ObservedResource>, ProviderError> {
        let region = self.region(scope).await?;
        match kind {
            ResourceKind::AwsVpc => network::discover_vpcs(&region).await,
            ResourceKind::AwsSubnet => network::discover_subnets(&region).await,
            ResourceKind::AwsRoute => network::discover_routes(&region).await,
            ResourceKind::AwsVpnGatewayRoutePropagation => network::discover_propagations(&region).await,
            ResourceKind::AwsCustomerGateway => vpn::discover_customer_gateways(&region).await,
            ResourceKind::AwsVpnGateway => vpn::discover_vpn_gateways(&region).await,
            ResourceKind::AwsVpnConnection => vpn::discover_connections(&region).await,
            ResourceKind::AwsVpnConnectionRoute => vpn::discover_connection_routes(&region).await,
            ResourceKind::AwsTransitGateway => transit::discover_gateways(&region).await,
            ResourceKind::AwsTransitGatewayVpcAttachment => transit::discover_attachments(&region).await,
            ResourceKind::AwsVpcPeeringConnection => peering::discover_requesters(&region).await,
            ResourceKind::AwsVpcPeeringConnectionAccepter => peering::discover_accepters(&region).await,
            ResourceKind::AwsSecurityGroup => endpoint::discover_security_groups(&region).await,
            ResourceKind::AwsVpcEndpoint => endpoint::discover_endpoints(&region).await,
            ResourceKind::AwsRoute53Zone => dns::discover_zones(&region).await,
            ResourceKind::AwsRoute53Record => dns::discover_records(&region).await,
            ResourceKind::AwsFlowLog => flow_log::discover(&region).await,
            other => Err(not_aws(other)),
        }
    }

    async fn create_resource(&self, resource: &Resource, owner: &Ownership) -> Result<Created, ProviderError> {
        let region = self.region(&resource.scope).await?;
        let attrs = &resource.attrs;
        match resource.id.kind {
            ResourceKind::AwsVpc => network::create_vpc(&region, owner, attrs).await,
            ResourceKind::AwsSubnet => network::create_subnet(&region, owner, attrs).await,
            ResourceKind::AwsRoute => network::create_route(&region, attrs).await,
            ResourceKind::AwsVpnGatewayRoutePropagation => network::create_propagation(&region, attrs).await,
            ResourceKind::AwsCustomerGateway => vpn::create_customer_gateway(&region, owner, attrs).await,
            ResourceKind::AwsVpnGateway => vpn::create_vpn_gateway(&region, owner, attrs).await,
            ResourceKind::AwsVpnConnection => vpn::create_connection(&region, owner, attrs).await,
            ResourceKind::AwsVpnConnectionRoute => vpn::create_connection_route(&region, attrs).await,
            ResourceKind::AwsTransitGateway => transit::create_gateway(&region, owner, attrs).await,
            ResourceKind::AwsTransitGatewayVpcAttachment => transit::create_attachment(&region, owner, attrs).await,
            ResourceKind::AwsVpcPeeringConnection => peering::create_requester(&region, owner, attrs).await,
            ResourceKind::AwsVpcPeeringConnectionAccepter => peering::create_accepter(&region, owner, attrs).await,
            ResourceKind::AwsSecurityGroup => endpoint::create_security_group(&region, owner, attrs).await,
            ResourceKind::AwsVpcEndpoint => endpoint::create_endpoint(&region, owner, attrs).await,
            ResourceKind::AwsFlowLog => flow_log::create(&region, owner, attrs).await,
            ResourceKind::AwsRoute53Zone => dns::create_zone(&region, owner, attrs).await,
            ResourceKind::AwsRoute53Record => dns::upsert_record(&region, attrs).await,
            other => Err(not_aws(other)),
        }
    }

    async fn update_resource(&self, provider_id: &str, resource: &Resource) -> Result<(), ProviderError> {
        let region = self.region(&resource.scope).await?;
        let attrs = &resource.attrs;
        match resource.id.kind {
            ResourceKind::AwsVpc => network::update_vpc(&region, provider_id, attrs).await,
            ResourceKind::AwsRoute => network::update_route(&region, attrs).await,
            ResourceKind::AwsVpnConnection => vpn::update_connection(&region, provider_id, attrs).await,
            ResourceKind::AwsTransitGateway => transit::update_gateway(&region, provider_id, attrs).await,
            ResourceKind::AwsTransitGatewayVpcAttachment => {
                transit::update_attachment(&region, provider_id, attrs).await
            }
            ResourceKind::AwsSecurityGroup => endpoint::update_security_group(&region, provider_id, attrs).await,
            ResourceKind::AwsVpcEndpoint => endpoint::update_endpoint(&region, provider_id, attrs).await,
            ResourceKind::AwsRoute53Zone => dns::update_zone(&region, provider_id, attrs).await,
            ResourceKind::AwsRoute53Record => dns::upsert_record(&region, attrs).await.map(drop),
            kind if kind.natural_key().next().is_none() => tags::update(&region.client, provider_id, attrs).await,
            // What EC2 cannot tag and identifies by its key has nothing else to change.
            _ => Ok(()),
        }
    }

    async fn provisioning_of(
        &self,
        provider_id: &str,
        kind: ResourceKind,
        scope: &Scope,
    ) -> Result<Provisioning, ProviderError> {
        let region = self.region(scope).await?;
        match kind {
            ResourceKind::AwsVpnGateway => vpn::vpn_gateway_provisioning(&region, provider_id).await,
            ResourceKind::AwsVpnConnection => vpn::connection_provisioning(&region, provider_id).await,
            ResourceKind::AwsTransitGateway => transit::gateway_provisioning(&region, provider_id).await,
            ResourceKind::AwsTransitGatewayVpcAttachment => {
                transit::attachment_provisioning(&region, provider_id).await
            }
            ResourceKind::AwsVpcPeeringConnection => peering::requester_provisioning(&region, provider_id).await,
            ResourceKind::AwsVpcEndpoint => endpoint::endpoint_provisioning(&region, provider_id).await,
            ResourceKind::AwsRoute53Zone => dns::zone_provisioning(&region, provider_id).await,
            // The other kinds are ready (and gone) when their call returns.
            kind if kind.provisioning_seconds() == 0 => Ok(Provisioning::Ready),
            // A kind the executor waits for must say when it is gone, or it would wait in vain.
            kind => Err(ProviderError::new(ErrorKind::Invalid, format!("no provisioning check for {kind}"))),
        }
    }

    async fn delete_resource(&self, provider_id: &str, kind: ResourceKind, scope: &Scope) -> Result<(), ProviderError> {
        let region = self.region(scope).await?;
        let client = &region.client;
        let result = match kind {
            ResourceKind::AwsVpc => {
                client.delete_vpc().vpc_id(provider_id).send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsSubnet => {
                client.delete_subnet().subnet_id(provider_id).send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsRoute => network::delete_route(&region, provider_id).await,
            ResourceKind::AwsVpnGatewayRoutePropagation => network::delete_propagation(&region, provider_id).await,
            ResourceKind::AwsCustomerGateway => {
                let request = client.delete_customer_gateway().customer_gateway_id(provider_id);
                request.send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsVpnGateway => vpn::delete_vpn_gateway(&region, provider_id).await,
            ResourceKind::AwsVpnConnection => {
                let request = client.delete_vpn_connection().vpn_connection_id(provider_id);
                request.send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsVpnConnectionRoute => vpn::delete_connection_route(&region, provider_id).await,
            ResourceKind::AwsTransitGateway => {
                let request = client.delete_transit_gateway().transit_gateway_id(provider_id);
                request.send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsTransitGatewayVpcAttachment => {
                let request = client.delete_transit_gateway_vpc_attachment().transit_gateway_attachment_id(provider_id);
                request.send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsVpcPeeringConnection => {
                let request = client.delete_vpc_peering_connection().vpc_peering_connection_id(provider_id);
                request.send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsVpcPeeringConnectionAccepter => peering::delete_accepter(&region, provider_id).await,
            ResourceKind::AwsSecurityGroup => {
                client.delete_security_group().group_id(provider_id).send().await.map(drop).map_err(errors::classify)
            }
            ResourceKind::AwsVpcEndpoint => endpoint::delete_endpoint(&region, provider_id).await,
            ResourceKind::AwsRoute53Zone => dns::delete_zone(&region, provider_id).await,
            ResourceKind::AwsRoute53Record => dns::delete_record(&region, provider_id).await,
            ResourceKind::AwsFlowLog => flow_log::delete(&region, provider_id).await,
            other => Err(not_aws(other)),
        };
        // Deleting what is already gone succeeds.
        match result {
            Err(err) if err.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

fn not_aws(kind: ResourceKind) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, format!("{kind} is not an AWS resource"))
}

/// Fails unless the credentials of `config` belong to account `expected`.
async fn check_account(config: &aws_config::SdkConfig, expected: &str) -> Result<(), ProviderError> {
    let identity = aws_sdk_sts::Client::new(config).get_caller_identity().send().await.map_err(errors::classify)?;
    match identity.account() {
        Some(account) if account == expected => Ok(()),
        other => Err(ProviderError::new(
            ErrorKind::Permission,
            format!(
                "the credentials are for account {}, not {expected}: check the profile or role",
                other.unwrap_or("(unknown)")
            ),
        )),
    }
}

/// What a describe call of one resource says when the resource is not there.
fn gone(provider_id: &str) -> ProviderError {
    ProviderError::new(ErrorKind::NotFound, format!("{provider_id} does not exist"))
}

impl Provider for AwsProvider {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(async move {
            let mut found = Vec::new();
            for &kind in kinds {
                found.extend(self.discover_kind(scope, kind).await?);
            }
            Ok(found)
        })
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

    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(self.provisioning_of(provider_id, kind, scope))
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.delete_resource(provider_id, kind, scope))
    }

    /// AWS's tunnels answer the other end: there is nothing to probe from here.
    fn tunnel_states<'a>(
        &'a self,
        scope: &'a Scope,
        _probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        Box::pin(async move { vpn::tunnel_states(&self.region(scope).await?).await })
    }
}

#[cfg(test)]
mod replay;
#[cfg(test)]
mod tests;
