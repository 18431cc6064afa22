//! The AWS provider: EC2 through the official SDK (`aws-sdk-ec2`), one client per region, the
//! standard credential chain, and an `endpoint` override for emulators and private endpoints.
//!
//! Ownership is two tags written in the create call itself (`TagSpecifications`):
//! `isopod:stack` and `isopod:resource` (`KIND.ADDRESS`); discovery lists, a page at a time,
//! only what carries `isopod:stack`. Every EC2 error is classified for the executor.
//!
//! Kinds so far: VPCs, subnets, customer gateways, VPN gateways (created, then attached to their
//! VPC; detached before deletion) and VPN connections (gateways, static routing, each tunnel's
//! inside range and key; not yet the IKE options); an update changes a resource's own tags.
//! The other kinds the planner lowers answer `Invalid`, naming the kind, until they are written
//! (issue 5).

mod errors;

use crate::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning};
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    AttachmentStatus, Filter, GatewayType, ResourceType, Tag, TagSpecification, VpnConnectionOptionsSpecification,
    VpnGateway, VpnState, VpnTunnelOptionsSpecification,
};
use errors::classify;
use isopod_planner::resource::{
    Attrs, Cloud, ObservedResource, Ownership, Resource, ResourceId, ResourceKind, Scope, Value,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// The tag naming the stack that owns a resource.
pub const STACK_TAG: &str = "isopod:stack";
/// The tag naming the resource's kind and address in its stack, `KIND.ADDRESS`.
pub const RESOURCE_TAG: &str = "isopod:resource";

/// How to reach AWS.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    /// The API's URL instead of AWS's own (an emulator, a private endpoint).
    pub endpoint: Option<String>,
    /// The named profile of the shared configuration files.
    pub profile: Option<String>,
    /// A fixed access key id and secret instead of the credential chain (for emulators).
    pub static_credentials: Option<(String, String)>,
}

/// The provider of one AWS account.
pub struct AwsProvider {
    settings: AwsSettings,
    clients: Mutex<HashMap<String, Client>>,
}

impl AwsProvider {
    /// A provider reaching AWS as `settings` say.
    pub fn new(settings: AwsSettings) -> AwsProvider {
        AwsProvider { settings, clients: Mutex::new(HashMap::new()) }
    }

    /// The client of `region`, made on first use from the standard credential chain.
    async fn client(&self, region: &str) -> Client {
        if let Some(client) = self.clients.lock().expect("not poisoned").get(region) {
            return client.clone();
        }
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
        let client = Client::new(&loader.load().await);
        self.clients.lock().expect("not poisoned").insert(region.to_string(), client.clone());
        client
    }
}

/// The ownership tags of `owner`, with the resource's own tags.
fn tag_specification(resource_type: ResourceType, owner: &Ownership, attrs: &Attrs) -> TagSpecification {
    let mut tags = vec![
        Tag::builder().key(STACK_TAG).value(&owner.stack).build(),
        Tag::builder().key(RESOURCE_TAG).value(owner.id.to_string()).build(),
    ];
    if let Some(Value::Map(own)) = attrs.get("tags") {
        for (key, value) in own {
            if let Value::String(value) = value {
                tags.push(Tag::builder().key(key).value(value).build());
            }
        }
    }
    TagSpecification::builder().resource_type(resource_type).set_tags(Some(tags)).build()
}

/// The owner a resource's tags name, and its own tags (without Isopod's).
fn read_tags(tags: &[Tag]) -> (Option<Ownership>, Value) {
    let tag = |key: &str| tags.iter().find(|t| t.key() == Some(key)).and_then(|t| t.value());
    let owner = match (tag(STACK_TAG), tag(RESOURCE_TAG).and_then(parse_resource_tag)) {
        (Some(stack), Some(id)) => Some(Ownership { stack: stack.to_string(), id }),
        _ => None,
    };
    let own = tags
        .iter()
        .filter(|t| t.key().is_some_and(|key| !key.starts_with("isopod:")))
        .filter_map(|t| Some((t.key()?.to_string(), Value::string(t.value().unwrap_or_default()))))
        .collect();
    (owner, Value::Map(own))
}

/// `aws_vpc.app` as a resource id.
fn parse_resource_tag(text: &str) -> Option<ResourceId> {
    let (kind, address) = text.split_once('.')?;
    let kind = ResourceKind::ALL.iter().copied().find(|k| k.name() == kind)?;
    Some(ResourceId::new(kind, address))
}

/// AWS's outside address of each of a VPN connection's two tunnels, as the outputs
/// `tunnel1_address` and `tunnel2_address`.
fn vpn_connection_outputs(connection: &aws_sdk_ec2::types::VpnConnection) -> BTreeMap<String, Value> {
    let tunnels = connection.options().map(|o| o.tunnel_options()).unwrap_or_default();
    let from_options = tunnels.iter().map(|t| t.outside_ip_address());
    let from_telemetry = connection.vgw_telemetry().iter().map(|t| t.outside_ip_address());
    let addresses: Vec<&str> = if tunnels.iter().any(|t| t.outside_ip_address().is_some()) {
        from_options.flatten().collect()
    } else if !connection.vgw_telemetry().is_empty() {
        from_telemetry.flatten().collect()
    } else {
        connection.customer_gateway_configuration().map(gateway_addresses_in_configuration).unwrap_or_default()
    };
    addresses
        .into_iter()
        .take(2)
        .enumerate()
        .map(|(n, address)| (format!("tunnel{}_address", n + 1), Value::string(address)))
        .collect()
}

/// AWS's outside addresses in a connection's customer gateway configuration (EC2's XML: each
/// `<ipsec_tunnel>` has a `<vpn_gateway>` with its `<tunnel_outside_address>`). Only addresses
/// are read from it: it also holds the keys.
fn gateway_addresses_in_configuration(xml: &str) -> Vec<&str> {
    let between = |text: &'_ str, open: &str, close: &str| -> Option<(usize, usize)> {
        let start = text.find(open)? + open.len();
        Some((start, start + text[start..].find(close)?))
    };
    let mut addresses = Vec::new();
    for tunnel in xml.split("<ipsec_tunnel>").skip(1) {
        let Some((start, end)) = between(tunnel, "<vpn_gateway>", "</vpn_gateway>") else { continue };
        let gateway = &tunnel[start..end];
        let Some((start, end)) = between(gateway, "<tunnel_outside_address>", "</tunnel_outside_address>") else {
            continue;
        };
        let outside = &gateway[start..end];
        if let Some((start, end)) = between(outside, "<ip_address>", "</ip_address>") {
            addresses.push(outside[start..end].trim());
        }
    }
    addresses
}

/// The VPC a VPN gateway is attached (or attaching) to.
fn attached_vpc(gateway: &VpnGateway) -> Option<&str> {
    gateway
        .vpc_attachments()
        .iter()
        .find(|a| matches!(a.state(), Some(AttachmentStatus::Attached | AttachmentStatus::Attaching)))
        .and_then(|a| a.vpc_id())
}

fn text<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a str> {
    match attrs.get(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

fn not_yet(kind: ResourceKind) -> ProviderError {
    ProviderError::new(ErrorKind::Invalid, format!("the AWS provider does not handle {kind} yet"))
}

fn owned_filter() -> Filter {
    Filter::builder().name("tag-key").values(STACK_TAG).build()
}

impl AwsProvider {
    async fn discover_kind(&self, scope: &Scope, kind: ResourceKind) -> Result<Vec<ObservedResource>, ProviderError> {
        let client = self.client(&scope.region).await;
        let mut found = Vec::new();
        let observed = |provider_id: &str, attrs: BTreeMap<String, Value>, owner| ObservedResource {
            provider_id: provider_id.to_string(),
            kind,
            scope: scope.clone(),
            attrs,
            owner,
        };
        match kind {
            ResourceKind::AwsVpc => {
                let mut pages = client.describe_vpcs().filters(owned_filter()).into_paginator().send();
                while let Some(page) = pages.next().await {
                    for vpc in page.map_err(classify)?.vpcs() {
                        let (owner, tags) = read_tags(vpc.tags());
                        let mut attrs = BTreeMap::new();
                        attrs.insert("cidr_block".to_string(), Value::string(vpc.cidr_block().unwrap_or_default()));
                        attrs.insert("tags".to_string(), tags);
                        found.push(observed(vpc.vpc_id().unwrap_or_default(), attrs, owner));
                    }
                }
            }
            ResourceKind::AwsSubnet => {
                let mut pages = client.describe_subnets().filters(owned_filter()).into_paginator().send();
                while let Some(page) = pages.next().await {
                    for subnet in page.map_err(classify)?.subnets() {
                        let (owner, tags) = read_tags(subnet.tags());
                        let mut attrs = BTreeMap::new();
                        attrs.insert("vpc_id".to_string(), Value::string(subnet.vpc_id().unwrap_or_default()));
                        attrs.insert("cidr_block".to_string(), Value::string(subnet.cidr_block().unwrap_or_default()));
                        if let Some(zone) = subnet.availability_zone() {
                            attrs.insert("availability_zone".to_string(), Value::string(zone));
                        }
                        attrs.insert("tags".to_string(), tags);
                        found.push(observed(subnet.subnet_id().unwrap_or_default(), attrs, owner));
                    }
                }
            }
            ResourceKind::AwsCustomerGateway => {
                // One call: DescribeCustomerGateways does not paginate.
                let listed =
                    client.describe_customer_gateways().filters(owned_filter()).send().await.map_err(classify)?;
                // Deleted gateways stay listed for a while: they are gone.
                for gateway in listed.customer_gateways().iter().filter(|g| g.state() != Some("deleted")) {
                    let (owner, tags) = read_tags(gateway.tags());
                    let mut attrs = BTreeMap::new();
                    let asn = gateway.bgp_asn_extended().or(gateway.bgp_asn()).and_then(|asn| asn.parse::<i64>().ok());
                    if let Some(asn) = asn {
                        attrs.insert("bgp_asn".to_string(), Value::Integer(asn));
                    }
                    attrs.insert("ip_address".to_string(), Value::string(gateway.ip_address().unwrap_or_default()));
                    attrs.insert("type".to_string(), Value::string(gateway.r#type().unwrap_or_default()));
                    attrs.insert("tags".to_string(), tags);
                    found.push(observed(gateway.customer_gateway_id().unwrap_or_default(), attrs, owner));
                }
            }
            ResourceKind::AwsVpnGateway => {
                for gateway in self.vpn_gateways(&client, None).await? {
                    let (owner, tags) = read_tags(gateway.tags());
                    let mut attrs = BTreeMap::new();
                    if let Some(vpc) = attached_vpc(&gateway) {
                        attrs.insert("vpc_id".to_string(), Value::string(vpc));
                    }
                    if let Some(asn) = gateway.amazon_side_asn() {
                        attrs.insert("amazon_side_asn".to_string(), Value::Integer(asn));
                    }
                    attrs.insert("tags".to_string(), tags);
                    found.push(observed(gateway.vpn_gateway_id().unwrap_or_default(), attrs, owner));
                }
            }
            ResourceKind::AwsVpnConnection => {
                // One call: DescribeVpnConnections does not paginate.
                let listed =
                    client.describe_vpn_connections().filters(owned_filter()).send().await.map_err(classify)?;
                for connection in listed.vpn_connections().iter().filter(|c| c.state() != Some(&VpnState::Deleted)) {
                    let (owner, tags) = read_tags(connection.tags());
                    let mut attrs = vpn_connection_outputs(connection);
                    let mut put = |name: &str, value: Option<&str>| {
                        if let Some(value) = value {
                            attrs.insert(name.to_string(), Value::string(value));
                        }
                    };
                    put("customer_gateway_id", connection.customer_gateway_id());
                    put("vpn_gateway_id", connection.vpn_gateway_id());
                    put("transit_gateway_id", connection.transit_gateway_id());
                    put("type", connection.r#type().map(|t| t.as_str()));
                    let options = connection.options();
                    let static_only = options.and_then(|o| o.static_routes_only()).unwrap_or(false);
                    attrs.insert("static_routes_only".to_string(), Value::Bool(static_only));
                    for (n, tunnel) in
                        options.map(|o| o.tunnel_options()).unwrap_or_default().iter().enumerate().take(2)
                    {
                        if let Some(cidr) = tunnel.tunnel_inside_cidr() {
                            attrs.insert(format!("tunnel{}_inside_cidr", n + 1), Value::string(cidr));
                        }
                    }
                    attrs.insert("tags".to_string(), tags);
                    found.push(observed(connection.vpn_connection_id().unwrap_or_default(), attrs, owner));
                }
            }
            other => return Err(not_yet(other)),
        }
        Ok(found)
    }

    /// The stack-owned VPN gateways (or the one `id`) that are not deleted: one call, as
    /// DescribeVpnGateways does not paginate.
    async fn vpn_gateways(&self, client: &Client, id: Option<&str>) -> Result<Vec<VpnGateway>, ProviderError> {
        let request = match id {
            Some(id) => client.describe_vpn_gateways().vpn_gateway_ids(id),
            None => client.describe_vpn_gateways().filters(owned_filter()),
        };
        let listed = request.send().await.map_err(classify)?;
        Ok(listed.vpn_gateways().iter().filter(|g| g.state() != Some(&VpnState::Deleted)).cloned().collect())
    }

    async fn create_resource(&self, resource: &Resource, owner: &Ownership) -> Result<Created, ProviderError> {
        let client = self.client(&resource.scope.region).await;
        let attrs = &resource.attrs;
        let provider_id = match resource.id.kind {
            ResourceKind::AwsVpc => {
                let created = client
                    .create_vpc()
                    .set_cidr_block(text(attrs, "cidr_block").map(str::to_string))
                    .tag_specifications(tag_specification(ResourceType::Vpc, owner, attrs))
                    .send()
                    .await
                    .map_err(classify)?;
                created.vpc().and_then(|vpc| vpc.vpc_id()).unwrap_or_default().to_string()
            }
            ResourceKind::AwsSubnet => {
                let created = client
                    .create_subnet()
                    .set_vpc_id(text(attrs, "vpc_id").map(str::to_string))
                    .set_cidr_block(text(attrs, "cidr_block").map(str::to_string))
                    .set_availability_zone(text(attrs, "availability_zone").map(str::to_string))
                    .tag_specifications(tag_specification(ResourceType::Subnet, owner, attrs))
                    .send()
                    .await
                    .map_err(classify)?;
                created.subnet().and_then(|subnet| subnet.subnet_id()).unwrap_or_default().to_string()
            }
            ResourceKind::AwsCustomerGateway => {
                let asn = match attrs.get("bgp_asn") {
                    Some(Value::Integer(asn)) => *asn,
                    _ => return Err(ProviderError::new(ErrorKind::Invalid, "a customer gateway needs its bgp_asn")),
                };
                // `BgpAsn` takes ASNs up to 2,147,483,647; `BgpAsnExtended` the 4-byte rest.
                let request = client.create_customer_gateway().r#type(GatewayType::Ipsec1);
                let request = match i32::try_from(asn) {
                    Ok(asn) => request.bgp_asn(asn),
                    Err(_) => request.bgp_asn_extended(asn),
                };
                let created = request
                    .set_ip_address(text(attrs, "ip_address").map(str::to_string))
                    .tag_specifications(tag_specification(ResourceType::CustomerGateway, owner, attrs))
                    .send()
                    .await
                    .map_err(classify)?;
                created.customer_gateway().and_then(|g| g.customer_gateway_id()).unwrap_or_default().to_string()
            }
            ResourceKind::AwsVpnGateway => {
                let asn = match attrs.get("amazon_side_asn") {
                    Some(Value::Integer(asn)) => Some(*asn),
                    _ => None,
                };
                let created = client
                    .create_vpn_gateway()
                    .r#type(GatewayType::Ipsec1)
                    .set_amazon_side_asn(asn)
                    .tag_specifications(tag_specification(ResourceType::VpnGateway, owner, attrs))
                    .send()
                    .await
                    .map_err(classify)?;
                let id = created.vpn_gateway().and_then(|g| g.vpn_gateway_id()).unwrap_or_default().to_string();
                // The gateway serves its VPC once attached; attaching is asynchronous
                // (`provisioning` reports it pending until then).
                if let Some(vpc) = text(attrs, "vpc_id") {
                    client.attach_vpn_gateway().vpn_gateway_id(&id).vpc_id(vpc).send().await.map_err(classify)?;
                }
                id
            }
            ResourceKind::AwsVpnConnection => {
                let tunnels = (1..=2).map(|n| {
                    VpnTunnelOptionsSpecification::builder()
                        .set_tunnel_inside_cidr(text(attrs, &format!("tunnel{n}_inside_cidr")).map(str::to_string))
                        .set_pre_shared_key(text(attrs, &format!("tunnel{n}_preshared_key")).map(str::to_string))
                        .build()
                });
                let options = VpnConnectionOptionsSpecification::builder()
                    .static_routes_only(attrs.get("static_routes_only") == Some(&Value::Bool(true)))
                    .set_tunnel_options(Some(tunnels.collect()))
                    .build();
                let created = client
                    .create_vpn_connection()
                    .r#type("ipsec.1")
                    .set_customer_gateway_id(text(attrs, "customer_gateway_id").map(str::to_string))
                    .set_vpn_gateway_id(text(attrs, "vpn_gateway_id").map(str::to_string))
                    .set_transit_gateway_id(text(attrs, "transit_gateway_id").map(str::to_string))
                    .options(options)
                    .tag_specifications(tag_specification(ResourceType::VpnConnection, owner, attrs))
                    .send()
                    .await
                    .map_err(classify)?;
                let connection = created.vpn_connection();
                let outputs = connection.map(vpn_connection_outputs).unwrap_or_default();
                let id = connection.and_then(|c| c.vpn_connection_id()).unwrap_or_default().to_string();
                return Ok(Created { provider_id: id, outputs });
            }
            other => return Err(not_yet(other)),
        };
        Ok(Created { provider_id, outputs: BTreeMap::new() })
    }

    async fn delete_resource(&self, provider_id: &str, kind: ResourceKind, scope: &Scope) -> Result<(), ProviderError> {
        let client = self.client(&scope.region).await;
        let result = match kind {
            ResourceKind::AwsVpc => client.delete_vpc().vpc_id(provider_id).send().await.map(|_| ()).map_err(classify),
            ResourceKind::AwsSubnet => {
                client.delete_subnet().subnet_id(provider_id).send().await.map(|_| ()).map_err(classify)
            }
            ResourceKind::AwsCustomerGateway => {
                let request = client.delete_customer_gateway().customer_gateway_id(provider_id);
                request.send().await.map(|_| ()).map_err(classify)
            }
            ResourceKind::AwsVpnConnection => {
                let request = client.delete_vpn_connection().vpn_connection_id(provider_id);
                request.send().await.map(|_| ()).map_err(classify)
            }
            ResourceKind::AwsVpnGateway => {
                // Detached from its VPC first: EC2 refuses to delete an attached gateway.
                let gateways = match self.vpn_gateways(&client, Some(provider_id)).await {
                    Ok(gateways) => gateways,
                    Err(err) if err.kind == ErrorKind::NotFound => return Ok(()),
                    Err(err) => return Err(err),
                };
                for gateway in gateways {
                    if let Some(vpc) = attached_vpc(&gateway) {
                        let detach = client.detach_vpn_gateway().vpn_gateway_id(provider_id).vpc_id(vpc);
                        detach.send().await.map_err(classify)?;
                    }
                }
                client.delete_vpn_gateway().vpn_gateway_id(provider_id).send().await.map(|_| ()).map_err(classify)
            }
            other => return Err(not_yet(other)),
        };
        // Deleting what is already gone succeeds.
        match result {
            Err(err) if err.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

impl AwsProvider {
    /// Makes the resource's own tags those `resource` wants (Isopod's ownership tags stay):
    /// what the kinds written so far can change in place.
    async fn update_tags(&self, provider_id: &str, resource: &Resource) -> Result<(), ProviderError> {
        let client = self.client(&resource.scope.region).await;
        let wanted: BTreeMap<String, String> = match resource.attrs.get("tags") {
            Some(Value::Map(tags)) => tags
                .iter()
                .filter_map(|(key, value)| match value {
                    Value::String(value) => Some((key.clone(), value.clone())),
                    _ => None,
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        let live = client
            .describe_tags()
            .filters(Filter::builder().name("resource-id").values(provider_id).build())
            .send()
            .await
            .map_err(classify)?;
        let stale: Vec<Tag> = live
            .tags()
            .iter()
            .filter_map(|tag| tag.key())
            .filter(|key| !key.starts_with("isopod:") && !wanted.contains_key(*key))
            .map(|key| Tag::builder().key(key).build())
            .collect();
        if !stale.is_empty() {
            client.delete_tags().resources(provider_id).set_tags(Some(stale)).send().await.map_err(classify)?;
        }
        if !wanted.is_empty() {
            let tags = wanted.iter().map(|(key, value)| Tag::builder().key(key).value(value).build()).collect();
            client.create_tags().resources(provider_id).set_tags(Some(tags)).send().await.map_err(classify)?;
        }
        Ok(())
    }
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
        Box::pin(self.update_tags(provider_id, resource))
    }

    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(async move {
            match kind {
                ResourceKind::AwsVpnGateway => {
                    let client = self.client(&scope.region).await;
                    let gateways = self.vpn_gateways(&client, Some(provider_id)).await?;
                    let Some(gateway) = gateways.first() else {
                        return Err(ProviderError::new(ErrorKind::NotFound, format!("{provider_id} does not exist")));
                    };
                    let attaching =
                        gateway.vpc_attachments().iter().any(|a| a.state() == Some(&AttachmentStatus::Attaching));
                    let ready = gateway.state() == Some(&VpnState::Available) && !attaching;
                    Ok(if ready { Provisioning::Ready } else { Provisioning::Pending })
                }
                ResourceKind::AwsVpnConnection => {
                    let client = self.client(&scope.region).await;
                    let listed = client
                        .describe_vpn_connections()
                        .vpn_connection_ids(provider_id)
                        .send()
                        .await
                        .map_err(classify)?;
                    let state = listed.vpn_connections().first().and_then(|c| c.state().cloned());
                    Ok(match state {
                        Some(VpnState::Available) => Provisioning::Ready,
                        Some(VpnState::Pending) => Provisioning::Pending,
                        other => Provisioning::Failed(format!("the VPN connection is {other:?}")),
                    })
                }
                // VPCs, subnets and customer gateways are available when their create returns.
                _ => Ok(Provisioning::Ready),
            }
        })
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.delete_resource(provider_id, kind, scope))
    }
}

#[cfg(test)]
mod tests;
