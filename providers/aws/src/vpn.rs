//! Site-to-site VPN: customer gateways, VPN gateways (attached to their VPC), VPN connections
//! with each tunnel's options, and the static routes of a connection.

use super::attrs::{
    Found, integer, integer32, integers32, natural_created, natural_parts, owned_text, strings, text, untagged,
};
use super::errors::classify;
use super::{Region, gone, tags};
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    AttachmentStatus, GatewayType, IkeVersionsRequestListValue, ModifyVpnTunnelOptionsSpecification,
    Phase1DhGroupNumbersRequestListValue, Phase1EncryptionAlgorithmsRequestListValue,
    Phase1IntegrityAlgorithmsRequestListValue, Phase2DhGroupNumbersRequestListValue,
    Phase2EncryptionAlgorithmsRequestListValue, Phase2IntegrityAlgorithmsRequestListValue, ResourceType, TunnelOption,
    VpnConnection, VpnConnectionOptionsSpecification, VpnGateway, VpnState, VpnTunnelOptionsSpecification,
};
use isopod_catalog::{Attrs, ObservedResource, Ownership, ResourceKind, Value};
use isopod_provider::{Created, ErrorKind, ProviderError, Provisioning, TunnelState};
use std::time::Duration;

pub(super) async fn discover_customer_gateways(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    // One call: DescribeCustomerGateways does not paginate.
    let listed = region.client.describe_customer_gateways().send().await.map_err(classify)?;
    // Deleted gateways stay listed for a while: they are gone.
    Ok(listed
        .customer_gateways()
        .iter()
        .filter(|gateway| gateway.state() != Some("deleted"))
        .map(|gateway| {
            let mut found = Found::default();
            let asn = gateway.bgp_asn_extended().or(gateway.bgp_asn()).and_then(|asn| asn.parse::<i64>().ok());
            found.integer("bgp_asn", asn);
            found.text("ip_address", gateway.ip_address());
            found.text("type", gateway.r#type());
            region.observed(ResourceKind::AwsCustomerGateway, gateway.customer_gateway_id(), gateway.tags(), found)
        })
        .collect())
}

pub(super) async fn create_customer_gateway(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let Some(asn) = integer(attrs, "bgp_asn") else {
        return Err(ProviderError::new(ErrorKind::Invalid, "a customer gateway needs its bgp_asn"));
    };
    // `BgpAsn` takes ASNs up to 2,147,483,647; `BgpAsnExtended` the 4-byte rest.
    let request = region.client.create_customer_gateway().r#type(GatewayType::Ipsec1);
    let request = match i32::try_from(asn) {
        Ok(asn) => request.bgp_asn(asn),
        Err(_) => request.bgp_asn_extended(asn),
    };
    let created = request
        .set_ip_address(owned_text(attrs, "ip_address"))
        .tag_specifications(tags::specification(ResourceType::CustomerGateway, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.customer_gateway().and_then(|g| g.customer_gateway_id()).unwrap_or_default();
    Ok(Created { provider_id: id.to_string(), outputs: isopod_catalog::Attrs::new() })
}

/// The VPC a VPN gateway is attached (or attaching) to.
fn attached_vpc(gateway: &VpnGateway) -> Option<&str> {
    gateway
        .vpc_attachments()
        .iter()
        .find(|a| matches!(a.state(), Some(AttachmentStatus::Attached | AttachmentStatus::Attaching)))
        .and_then(|a| a.vpc_id())
}

/// The VPN gateways of the region, whoever owns them (or the one `id`), that are not deleted:
/// one call, as DescribeVpnGateways does not paginate.
pub(super) async fn vpn_gateways(client: &Client, id: Option<&str>) -> Result<Vec<VpnGateway>, ProviderError> {
    let request = match id {
        Some(id) => client.describe_vpn_gateways().vpn_gateway_ids(id),
        None => client.describe_vpn_gateways(),
    };
    let listed = request.send().await.map_err(classify)?;
    Ok(listed.vpn_gateways().iter().filter(|g| g.state() != Some(&VpnState::Deleted)).cloned().collect())
}

pub(super) async fn discover_vpn_gateways(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(vpn_gateways(&region.client, None)
        .await?
        .iter()
        .map(|gateway| {
            let mut found = Found::default();
            found.text("vpc_id", attached_vpc(gateway));
            found.integer("amazon_side_asn", gateway.amazon_side_asn());
            region.observed(ResourceKind::AwsVpnGateway, gateway.vpn_gateway_id(), gateway.tags(), found)
        })
        .collect())
}

pub(super) async fn create_vpn_gateway(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let client = &region.client;
    let created = client
        .create_vpn_gateway()
        .r#type(GatewayType::Ipsec1)
        .set_amazon_side_asn(integer(attrs, "amazon_side_asn"))
        .tag_specifications(tags::specification(ResourceType::VpnGateway, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let id = created.vpn_gateway().and_then(|g| g.vpn_gateway_id()).unwrap_or_default().to_string();
    // The gateway serves its VPC once attached; attaching is asynchronous (`provisioning`
    // reports it pending until then).
    if let Some(vpc) = text(attrs, "vpc_id")
        && let Err(err) = client.attach_vpn_gateway().vpn_gateway_id(&id).vpc_id(vpc).send().await
    {
        // A gateway that cannot serve its VPC (gone, say) is not left behind, so that the
        // create fails whole. Should this cleanup fail too, the gateway carries its ownership and
        // the next plan finds it.
        let _ = client.delete_vpn_gateway().vpn_gateway_id(&id).send().await;
        return Err(classify(err));
    }
    Ok(Created { provider_id: id, outputs: isopod_catalog::Attrs::new() })
}

pub(super) async fn vpn_gateway_provisioning(
    region: &Region,
    provider_id: &str,
) -> Result<Provisioning, ProviderError> {
    let gateways = vpn_gateways(&region.client, Some(provider_id)).await?;
    let Some(gateway) = gateways.first() else { return Err(gone(provider_id)) };
    let attaching = gateway.vpc_attachments().iter().any(|a| a.state() == Some(&AttachmentStatus::Attaching));
    let ready = gateway.state() == Some(&VpnState::Available) && !attaching;
    Ok(if ready { Provisioning::Ready } else { Provisioning::Pending })
}

/// Detaches the gateway from its VPC (EC2 refuses to delete an attached gateway), then deletes it.
pub(super) async fn delete_vpn_gateway(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let client = &region.client;
    for gateway in vpn_gateways(client, Some(provider_id)).await? {
        if let Some(vpc) = attached_vpc(&gateway) {
            client.detach_vpn_gateway().vpn_gateway_id(provider_id).vpc_id(vpc).send().await.map_err(classify)?;
        }
    }
    client.delete_vpn_gateway().vpn_gateway_id(provider_id).send().await.map(drop).map_err(classify)
}

/// AWS's outside address of each of a VPN connection's two tunnels, as the outputs
/// `tunnel1_address` and `tunnel2_address`.
fn connection_outputs(connection: &VpnConnection) -> Attrs {
    outside_addresses(connection)
        .into_iter()
        .enumerate()
        .map(|(n, address)| (format!("tunnel{}_address", n + 1).into(), Value::string(address)))
        .collect()
}

/// The outside address of each tunnel: from the tunnel options, else the telemetry, else (as
/// moto serves them) the customer gateway configuration.
fn outside_addresses(connection: &VpnConnection) -> Vec<&str> {
    let tunnels = tunnel_options(connection);
    let addresses: Vec<&str> = if tunnels.iter().any(|t| t.outside_ip_address().is_some()) {
        tunnels.iter().filter_map(|t| t.outside_ip_address()).collect()
    } else if !connection.vgw_telemetry().is_empty() {
        connection.vgw_telemetry().iter().filter_map(|t| t.outside_ip_address()).collect()
    } else {
        connection.customer_gateway_configuration().map(gateway_addresses_in_configuration).unwrap_or_default()
    };
    addresses.into_iter().take(2).collect()
}

fn tunnel_options(connection: &VpnConnection) -> &[TunnelOption] {
    connection.options().map(|o| o.tunnel_options()).unwrap_or_default()
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

/// Fills a tunnel options builder (for creation or modification: EC2 has two shapes of the
/// same fields) with tunnel `$n`'s options from `$attrs`; the key is not among them.
macro_rules! tunnel_options_builder {
    ($builder:expr, $attrs:expr, $n:expr) => {{
        let name = |field: &str| format!("tunnel{}_{field}", $n);
        let listed = |field: &str| Some(strings($attrs, &name(field))).filter(|items| !items.is_empty());
        let numbers = |field: &str| Some(integers32($attrs, &name(field))).filter(|items| !items.is_empty());
        $builder
            .set_tunnel_inside_cidr(owned_text($attrs, &name("inside_cidr")))
            .set_dpd_timeout_seconds(integer32($attrs, &name("dpd_timeout_seconds")))
            .set_phase1_lifetime_seconds(integer32($attrs, &name("phase1_lifetime_seconds")))
            .set_phase2_lifetime_seconds(integer32($attrs, &name("phase2_lifetime_seconds")))
            .set_ike_versions(listed("ike_versions").map(|items| {
                items.into_iter().map(|v| IkeVersionsRequestListValue::builder().value(v).build()).collect()
            }))
            .set_phase1_encryption_algorithms(listed("phase1_encryption_algorithms").map(|items| {
                items
                    .into_iter()
                    .map(|v| Phase1EncryptionAlgorithmsRequestListValue::builder().value(v).build())
                    .collect()
            }))
            .set_phase2_encryption_algorithms(listed("phase2_encryption_algorithms").map(|items| {
                items
                    .into_iter()
                    .map(|v| Phase2EncryptionAlgorithmsRequestListValue::builder().value(v).build())
                    .collect()
            }))
            .set_phase1_integrity_algorithms(listed("phase1_integrity_algorithms").map(|items| {
                items
                    .into_iter()
                    .map(|v| Phase1IntegrityAlgorithmsRequestListValue::builder().value(v).build())
                    .collect()
            }))
            .set_phase2_integrity_algorithms(listed("phase2_integrity_algorithms").map(|items| {
                items
                    .into_iter()
                    .map(|v| Phase2IntegrityAlgorithmsRequestListValue::builder().value(v).build())
                    .collect()
            }))
            .set_phase1_dh_group_numbers(numbers("phase1_dh_group_numbers").map(|items| {
                items.into_iter().map(|v| Phase1DhGroupNumbersRequestListValue::builder().value(v).build()).collect()
            }))
            .set_phase2_dh_group_numbers(numbers("phase2_dh_group_numbers").map(|items| {
                items.into_iter().map(|v| Phase2DhGroupNumbersRequestListValue::builder().value(v).build()).collect()
            }))
    }};
}

/// Tunnel `n`'s options as EC2 reports them, under the planner's names. Every AWS tunnel has a
/// key (AWS makes one when none is given): its presence is reported, never its value.
fn tunnel_attrs(n: usize, tunnel: &TunnelOption, found: &mut Found) {
    let name = |field: &str| format!("tunnel{n}_{field}");
    found.text(name("inside_cidr"), tunnel.tunnel_inside_cidr());
    found.integer(name("dpd_timeout_seconds"), tunnel.dpd_timeout_seconds());
    found.integer(name("phase1_lifetime_seconds"), tunnel.phase1_lifetime_seconds());
    found.integer(name("phase2_lifetime_seconds"), tunnel.phase2_lifetime_seconds());
    let mut list = |field: &str, items: Vec<Value>| {
        if !items.is_empty() {
            found.value(name(field), Value::List(items));
        }
    };
    let texts = |items: Vec<Option<&str>>| items.into_iter().flatten().map(Value::string).collect();
    let numbers = |items: Vec<Option<i32>>| items.into_iter().flatten().map(|n| Value::Integer(n.into())).collect();
    list("ike_versions", texts(tunnel.ike_versions().iter().map(|v| v.value()).collect()));
    list(
        "phase1_encryption_algorithms",
        texts(tunnel.phase1_encryption_algorithms().iter().map(|v| v.value()).collect()),
    );
    list(
        "phase2_encryption_algorithms",
        texts(tunnel.phase2_encryption_algorithms().iter().map(|v| v.value()).collect()),
    );
    list(
        "phase1_integrity_algorithms",
        texts(tunnel.phase1_integrity_algorithms().iter().map(|v| v.value()).collect()),
    );
    list(
        "phase2_integrity_algorithms",
        texts(tunnel.phase2_integrity_algorithms().iter().map(|v| v.value()).collect()),
    );
    list("phase1_dh_group_numbers", numbers(tunnel.phase1_dh_group_numbers().iter().map(|v| v.value()).collect()));
    list("phase2_dh_group_numbers", numbers(tunnel.phase2_dh_group_numbers().iter().map(|v| v.value()).collect()));
    found.value(name("preshared_key"), Value::Sensitive(format!("aws:tunnel{n}")));
}

/// The VPN connections of the region, whoever owns them (or the one `id`), that are not
/// deleted: one call, as DescribeVpnConnections does not paginate.
async fn connections(client: &Client, id: Option<&str>) -> Result<Vec<VpnConnection>, ProviderError> {
    let request = match id {
        Some(id) => client.describe_vpn_connections().vpn_connection_ids(id),
        None => client.describe_vpn_connections(),
    };
    let listed = request.send().await.map_err(classify)?;
    Ok(listed.vpn_connections().iter().filter(|c| c.state() != Some(&VpnState::Deleted)).cloned().collect())
}

fn connection_attrs(connection: &VpnConnection) -> Found {
    let mut found = Found(connection_outputs(connection));
    found.text("customer_gateway_id", connection.customer_gateway_id());
    found.text("vpn_gateway_id", connection.vpn_gateway_id());
    found.text("transit_gateway_id", connection.transit_gateway_id());
    found.text("type", connection.r#type().map(|t| t.as_str()));
    let static_only = connection.options().and_then(|o| o.static_routes_only()).unwrap_or(false);
    found.value("static_routes_only", Value::Bool(static_only));
    for (n, tunnel) in tunnel_options(connection).iter().take(2).enumerate() {
        tunnel_attrs(n + 1, tunnel, &mut found);
    }
    found
}

pub(super) async fn discover_connections(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    Ok(connections(&region.client, None)
        .await?
        .iter()
        .map(|connection| {
            let found = connection_attrs(connection);
            region.observed(ResourceKind::AwsVpnConnection, connection.vpn_connection_id(), connection.tags(), found)
        })
        .collect())
}

pub(super) async fn create_connection(
    region: &Region,
    owner: &Ownership,
    attrs: &Attrs,
) -> Result<Created, ProviderError> {
    let tunnels = (1..=2).map(|n| {
        tunnel_options_builder!(VpnTunnelOptionsSpecification::builder(), attrs, n)
            .set_pre_shared_key(owned_text(attrs, &format!("tunnel{n}_preshared_key")))
            .build()
    });
    let options = VpnConnectionOptionsSpecification::builder()
        .static_routes_only(attrs.get("static_routes_only") == Some(&Value::Bool(true)))
        .set_tunnel_options(Some(tunnels.collect()))
        .build();
    let created = region
        .client
        .create_vpn_connection()
        .r#type("ipsec.1")
        .set_customer_gateway_id(owned_text(attrs, "customer_gateway_id"))
        .set_vpn_gateway_id(owned_text(attrs, "vpn_gateway_id"))
        .set_transit_gateway_id(owned_text(attrs, "transit_gateway_id"))
        .options(options)
        .tag_specifications(tags::specification(ResourceType::VpnConnection, owner, attrs))
        .send()
        .await
        .map_err(classify)?;
    let connection = created.vpn_connection();
    let outputs = connection.map(connection_outputs).unwrap_or_default();
    let id = connection.and_then(|c| c.vpn_connection_id()).unwrap_or_default().to_string();
    Ok(Created { provider_id: id, outputs })
}

/// Whether tunnel `n`'s live options differ from those `attrs` want (lists in any order).
fn tunnel_differs(n: usize, live: &Found, attrs: &Attrs) -> bool {
    let prefix = format!("tunnel{n}_");
    let sorted = |value: Option<&Value>| match value {
        Some(Value::List(items)) => {
            let mut items: Vec<String> = items.iter().map(ToString::to_string).collect();
            items.sort();
            Some(items)
        }
        other => other.map(|value| vec![value.to_string()]),
    };
    attrs
        .iter()
        .filter(|(name, _)| name.starts_with(&prefix) && !name.ends_with("_preshared_key"))
        .any(|(name, wanted)| sorted(live.0.get(name)) != sorted(Some(wanted)))
}

/// Changes the connection's tags and, tunnel by tunnel, the options that differ and a rotated
/// key (ModifyVpnTunnelOptions replaces the tunnel's endpoint: a tunnel whose options and key
/// match is left alone). EC2 takes one modification at a time: the connection is awaited
/// between the two.
pub(super) async fn update_connection(region: &Region, provider_id: &str, attrs: &Attrs) -> Result<(), ProviderError> {
    let client = &region.client;
    tags::update(client, provider_id, attrs).await?;
    let live = connections(client, Some(provider_id)).await?;
    let Some(connection) = live.first() else { return Err(gone(provider_id)) };
    let found = connection_attrs(connection);
    let addresses: Vec<String> = outside_addresses(connection).into_iter().map(str::to_string).collect();
    for (n, address) in addresses.iter().enumerate().map(|(i, a)| (i + 1, a)) {
        // A rotated key: compared in memory with the live one where EC2 returns it, never kept.
        let key = text(attrs, &format!("tunnel{n}_preshared_key"));
        let live_key = tunnel_options(connection).get(n - 1).and_then(|t| t.pre_shared_key());
        let new_key = key.filter(|key| live_key.is_some_and(|live| live != *key));
        if !tunnel_differs(n, &found, attrs) && new_key.is_none() {
            continue;
        }
        until_available(client, provider_id).await?;
        let options = tunnel_options_builder!(ModifyVpnTunnelOptionsSpecification::builder(), attrs, n)
            .set_pre_shared_key(new_key.map(str::to_string))
            .build();
        client
            .modify_vpn_tunnel_options()
            .vpn_connection_id(provider_id)
            .vpn_tunnel_outside_ip_address(address)
            .tunnel_options(options)
            .send()
            .await
            .map_err(classify)?;
    }
    Ok(())
}

/// Waits (up to ten minutes) until the connection is no longer being modified.
async fn until_available(client: &Client, provider_id: &str) -> Result<(), ProviderError> {
    for _ in 0..120 {
        let live = connections(client, Some(provider_id)).await?;
        match live.first().and_then(|c| c.state()) {
            Some(VpnState::Available) => return Ok(()),
            None => return Err(gone(provider_id)),
            Some(_) => tokio::time::sleep(Duration::from_secs(5)).await,
        }
    }
    Err(ProviderError::new(ErrorKind::Conflict, format!("{provider_id} stayed busy for ten minutes")))
}

pub(super) async fn connection_provisioning(region: &Region, provider_id: &str) -> Result<Provisioning, ProviderError> {
    let live = connections(&region.client, Some(provider_id)).await?;
    match live.first().and_then(|c| c.state()) {
        Some(VpnState::Available) => Ok(Provisioning::Ready),
        Some(VpnState::Pending | VpnState::Deleting) => Ok(Provisioning::Pending),
        Some(other) => Ok(Provisioning::Failed(format!("the VPN connection is {}", other.as_str()))),
        None => Err(gone(provider_id)),
    }
}

/// The static routes of the stack-owned VPN connections.
pub(super) async fn discover_connection_routes(region: &Region) -> Result<Vec<ObservedResource>, ProviderError> {
    let mut found = Vec::new();
    for connection in connections(&region.client, None).await? {
        let stack = tags::stack(connection.tags());
        for route in connection.routes() {
            if matches!(route.state(), Some(VpnState::Deleted | VpnState::Deleting)) {
                continue;
            }
            let mut attrs = Found::default();
            attrs.text("vpn_connection_id", connection.vpn_connection_id());
            attrs.text("destination_cidr_block", route.destination_cidr_block());
            found.extend(untagged(ResourceKind::AwsVpnConnectionRoute, &region.scope, stack, attrs.0));
        }
    }
    Ok(found)
}

pub(super) async fn create_connection_route(region: &Region, attrs: &Attrs) -> Result<Created, ProviderError> {
    region
        .client
        .create_vpn_connection_route()
        .set_vpn_connection_id(owned_text(attrs, "vpn_connection_id"))
        .set_destination_cidr_block(owned_text(attrs, "destination_cidr_block"))
        .send()
        .await
        .map_err(classify)?;
    natural_created(ResourceKind::AwsVpnConnectionRoute, attrs)
}

pub(super) async fn delete_connection_route(region: &Region, provider_id: &str) -> Result<(), ProviderError> {
    let (connection, destination) = natural_parts(provider_id)?;
    let request =
        region.client.delete_vpn_connection_route().vpn_connection_id(connection).destination_cidr_block(destination);
    request.send().await.map(drop).map_err(classify)
}

/// Each tunnel of the stack-owned VPN connections, as AWS's telemetry reports it.
pub(super) async fn tunnel_states(region: &Region) -> Result<Vec<TunnelState>, ProviderError> {
    let mut states = Vec::new();
    for connection in connections(&region.client, None).await? {
        if tags::stack(connection.tags()).is_none() {
            continue;
        }
        let id = connection.vpn_connection_id().unwrap_or_default();
        let owner = tags::read(connection.tags(), tags::RESOURCE_TAG).0;
        for telemetry in connection.vgw_telemetry() {
            let status = telemetry.status().map(|s| s.as_str()).unwrap_or("UNKNOWN");
            let message = telemetry.status_message().filter(|m| !m.is_empty()).unwrap_or("");
            states.push(TunnelState {
                scope: region.scope.clone(),
                tunnel: format!("{id} {}", telemetry.outside_ip_address().unwrap_or_default()),
                up: status == "UP",
                detail: if message.is_empty() { status.to_string() } else { format!("{status}: {message}") },
                owner: owner.clone(),
            });
        }
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_addresses_are_read_from_the_gateway_configuration_and_nothing_else() {
        let xml = "<vpn_connection><ipsec_tunnel><customer_gateway><tunnel_outside_address><ip_address>198.51.100.7</ip_address></tunnel_outside_address></customer_gateway><vpn_gateway><tunnel_outside_address><ip_address>52.1.1.1</ip_address></tunnel_outside_address></vpn_gateway><ike><pre_shared_key>secret-one</pre_shared_key></ike></ipsec_tunnel><ipsec_tunnel><vpn_gateway><tunnel_outside_address><ip_address> 52.2.2.2 </ip_address></tunnel_outside_address></vpn_gateway></ipsec_tunnel></vpn_connection>";
        assert_eq!(gateway_addresses_in_configuration(xml), ["52.1.1.1", "52.2.2.2"]);
    }
}
