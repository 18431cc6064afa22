//! Azure's side of site-to-site VPN: a `GatewaySubnet` in the virtual network, two static
//! Standard public addresses and an active-active, route-based virtual network gateway with BGP
//! (`VpnGw2AZ`, generation 2), shared by the network's tunnels; per tunnel, one local network
//! gateway and one connection per peer tunnel, each with the custom BGP (APIPA) address of the
//! gateway instance it lands on.
//!
//! Source: Microsoft's "VPN Gateway: connect to AWS with BGP" (vpn-gateway-howto-aws-bgp):
//! active-active is required for custom APIPA BGP addresses.

use super::additions::Additions;
use super::{Desired, attrs, output};
use crate::Cidr;
use crate::allocate::{Allocations, gateway_key};
use crate::naming::{self, resource_name};
use isopod_catalog::{Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{CloudAccount, Ike, Network, Tunnel};
use std::net::IpAddr;

/// A virtual network's gateway, as its tunnels use it.
pub(super) struct AzureGateway {
    pub gateway: ResourceId,
    pub name: String,
    pub public_ips: [ResourceId; 2],
    pub asn: u32,
    pub scope: Scope,
    pub group: String,
}

/// Why a tunnel to an Azure network without room for its gateway cannot be planned.
pub(super) const NO_GATEWAY_SUBNET: &str = "the Azure network has no free /27 for its GatewaySubnet";

/// Why a tunnel to an existing Azure network without a `GatewaySubnet` cannot be planned.
pub(super) const EXISTING_WITHOUT_GATEWAY_SUBNET: &str = "the existing Azure virtual network has no GatewaySubnet \
     (Isopod never changes a network it does not own: add a subnet named GatewaySubnet, /27 or larger)";

/// The live `GatewaySubnet`'s range, while it still fits: inside the network's range and clear of
/// the declared subnets (a declared `GatewaySubnet` always wins).
fn live_gateway_subnet(azure: &Network, alloc: &Allocations) -> Option<Cidr> {
    let live = *alloc.gateway_subnets.get(&azure.name)?;
    let declared = azure.subnets.iter().any(|s| s.name == "GatewaySubnet");
    let clear = azure.subnets.iter().all(|s| !s.cidr.value.overlaps(live));
    (!declared && clear && azure.cidr.value.contains(live)).then_some(live)
}

/// The `/27` for the `GatewaySubnet`: the declared one, or the highest free `/27` of the
/// network's range; `None` when the range has no room.
pub(super) fn gateway_subnet(azure: &Network) -> Option<Cidr> {
    if let Some(declared) = azure.subnets.iter().find(|s| s.name == "GatewaySubnet") {
        return Some(declared.cidr.value);
    }
    let range = azure.cidr.value;
    let newbits = 27u8.checked_sub(range.prefix())?;
    (0..1u128 << newbits)
        .rev()
        .filter_map(|n| range.subnet(newbits, n).ok())
        .find(|candidate| azure.subnets.iter().all(|s| !s.cidr.value.overlaps(*candidate)))
}

/// The gateway of `azure`, with its subnet and addresses, added to `desired` (once per
/// lowering: see `tunnel::Shared`); an error when the network has no room for a `GatewaySubnet`.
pub(super) fn gateway(
    topology: &Topology,
    azure: &Network,
    alloc: &Allocations,
    desired: &mut Desired,
) -> Result<AzureGateway, &'static str> {
    let stack = desired.stack.clone();
    let scope = super::scope(azure);
    let cloud = topology.cloud(&azure.cloud).expect("networks refer to declared clouds");
    let cloud_name = azure.cloud.trim_start_matches("azure.");
    let group = match &cloud.account {
        CloudAccount::Azure { resource_group: Some(name), .. } => name.clone(),
        _ => resource_name(naming::AZURE, "isopod", &[&stack, cloud_name]),
    };
    let asn = alloc.asn(&gateway_key(ResourceKind::AzureVirtualNetworkGateway, &azure.name));
    let gateway = ResourceId::new(ResourceKind::AzureVirtualNetworkGateway, &azure.name);
    let name = resource_name(naming::AZURE, &stack, &[&azure.name, "vpn"]);
    let public_ips = [0, 1].map(|n| ResourceId::new(ResourceKind::AzurePublicIp, format!("{}.vpn{n}", azure.name)));
    let object = format!("network.{}", azure.name);
    let subnet_id = match desired.existing.get(&azure.name) {
        Some(existing) => {
            let id = Value::string(existing.subnets.get("GatewaySubnet").ok_or(EXISTING_WITHOUT_GATEWAY_SUBNET)?);
            super::network::azure_block_group(topology, azure, desired);
            id
        }
        None => {
            let range = live_gateway_subnet(azure, alloc).or_else(|| gateway_subnet(azure)).ok_or(NO_GATEWAY_SUBNET)?;
            gateway_subnet_resource(azure, range, &group, &object, desired);
            super::azure_subnet_id(desired, &azure.name, "GatewaySubnet")
        }
    };
    let mut ip_configurations = Vec::new();
    let zones = isopod_lang::catalog::zones(isopod_lang::topology::CloudKind::Azure, &azure.region.value);
    for (n, public_ip) in public_ips.iter().enumerate() {
        desired.add(Resource {
            id: public_ip.clone(),
            scope: scope.clone(),
            attrs: attrs([
                ("allocation", Value::string("Static")),
                ("location", Value::string(&azure.region.value)),
                ("name", Value::string(resource_name(naming::AZURE, &stack, &[&azure.name, &format!("vpn{n}")]))),
                ("resource_group", Value::string(&group)),
                ("sku", Value::string("Standard")),
                // Zone-redundant where the region has zones; a region without them takes none.
                ("zones", Value::List(zones.iter().map(Value::string).collect())),
            ])
            .into(),
            depends_on: vec![super::network::azure_group(&azure.cloud)],
            object: object.clone(),
        });
        ip_configurations.push(Value::Map(
            [
                ("name".into(), Value::string(format!("ipconfig{n}"))),
                ("public_ip_address_id".into(), output(public_ip, "id")),
                ("subnet_id".into(), subnet_id.clone()),
            ]
            .into(),
        ));
    }
    desired.add(Resource {
        id: gateway.clone(),
        scope: scope.clone(),
        attrs: attrs([
            ("active_active", Value::Bool(true)),
            ("bgp_asn", Value::Integer(asn.into())),
            ("custom_bgp_addresses", Value::List(vec![Value::List(Vec::new()), Value::List(Vec::new())])),
            ("enable_bgp", Value::Bool(true)),
            ("generation", Value::string("Generation2")),
            ("ip_configurations", Value::List(ip_configurations)),
            ("location", Value::string(&azure.region.value)),
            ("name", Value::string(&name)),
            ("resource_group", Value::string(&group)),
            ("sku", Value::string("VpnGw2AZ")),
            ("type", Value::string("Vpn")),
            ("vpn_type", Value::string("RouteBased")),
        ])
        .into(),
        depends_on: Vec::new(),
        object,
    });
    Ok(AzureGateway { gateway, name, public_ips, asn, scope, group })
}

/// Adds a custom BGP (APIPA) address to gateway instance `instance`, once.
pub(super) fn add_custom_bgp_address(desired: &mut Desired, gateway: &ResourceId, instance: usize, address: IpAddr) {
    let resource = desired.resources.get_mut(gateway).expect("the gateway was lowered first");
    let address = Value::string(address.to_string());
    if let Some(Value::List(instances)) = std::sync::Arc::make_mut(&mut resource.attrs).get_mut("custom_bgp_addresses")
        && let Some(Value::List(addresses)) = instances.get_mut(instance)
        && !addresses.contains(&address)
    {
        addresses.push(address);
    }
}

/// One peer tunnel of a connection to Azure.
pub(super) struct PeerTunnel {
    /// The peer's public (outside) address.
    pub address: Value,
    /// The BGP session over the tunnel; `None` for static routing.
    pub bgp: Option<Bgp>,
    /// The gateway instance the tunnel lands on (0 or 1).
    pub instance: usize,
}

/// A BGP session over one tunnel to Azure.
pub(super) struct Bgp {
    /// The peer's BGP address (inside the tunnel).
    pub address: IpAddr,
    /// Azure's BGP address on this tunnel (APIPA when the peer is AWS).
    pub azure_address: IpAddr,
    /// The peer's ASN.
    pub asn: u32,
}

/// A local network gateway and a connection per peer tunnel of `tunnel`; for static routing,
/// the local network gateways hold `peer_ranges`, the peer's address space.
pub(super) fn connections(
    gateway: &AzureGateway,
    tunnel: &Tunnel,
    object: &str,
    peer_ranges: &[String],
    policy: &Value,
    peers: &[PeerTunnel],
    out: &mut Additions<'_>,
) {
    for (slot, peer) in peers.iter().enumerate() {
        let bgp = peer.bgp.as_ref().map(|bgp| PeerBgp {
            address: bgp.address,
            asn: bgp.asn,
            azure_addresses: custom_addresses(peers, slot, bgp.azure_address),
        });
        let peer = Peer { slot, address: peer.address.clone(), bgp, ranges: peer_ranges };
        connection(gateway, tunnel, object, policy, peer, out);
    }
}

/// Azure's custom BGP addresses of the connection to `peers[slot]`: ARM takes one per IP
/// configuration of an active-active gateway (Microsoft's AWS guide gives each connection a
/// primary and a secondary). The instance the peer's tunnel lands on comes first, with the
/// address of this tunnel; each other instance follows with the address of its tunnel of the
/// same rank (whose own connection it is), so that every address is one of its instance's.
fn custom_addresses(peers: &[PeerTunnel], slot: usize, own: IpAddr) -> Vec<(usize, IpAddr)> {
    let landing = peers[slot].instance;
    let on = |instance: usize| {
        peers.iter().filter(move |p| p.instance == instance).filter_map(|p| p.bgp.as_ref().map(|b| b.azure_address))
    };
    let rank = peers[..slot].iter().filter(|p| p.instance == landing).count();
    let mut instances: Vec<usize> = peers.iter().map(|p| p.instance).collect();
    instances.sort_unstable();
    instances.dedup();
    let mut addresses = vec![(landing, own)];
    for other in instances.into_iter().filter(|&instance| instance != landing) {
        let theirs: Vec<IpAddr> = on(other).collect();
        if let Some(address) = theirs.get(rank % theirs.len().max(1)) {
            addresses.push((other, *address));
        }
    }
    addresses
}

/// The BGP side of one connection: the peer's address and ASN, and Azure's address on each
/// gateway instance that peers over it.
pub(super) struct PeerBgp {
    /// The peer's BGP address.
    pub address: IpAddr,
    /// The peer's ASN.
    pub asn: u32,
    /// Azure's custom (APIPA) BGP address, by gateway instance (IP configuration).
    pub azure_addresses: Vec<(usize, IpAddr)>,
}

/// The peer of one connection.
pub(super) struct Peer<'a> {
    /// The slot whose key the connection takes, and which names it (`TUNNEL.SLOT`).
    pub slot: usize,
    /// The peer's public address.
    pub address: Value,
    /// BGP; `None` for static routing.
    pub bgp: Option<PeerBgp>,
    /// For static routing, the peer's ranges.
    pub ranges: &'a [String],
}

/// A local network gateway for `peer` and the connection to it. An active-active gateway opens
/// a tunnel to the peer from each instance; each instance that peers with BGP gets its custom
/// address (`custom_bgp_addresses`, one per IP configuration, as Azure's
/// `gatewayCustomBgpIpAddresses`).
pub(super) fn connection(
    gateway: &AzureGateway,
    tunnel: &Tunnel,
    object: &str,
    policy: &Value,
    peer: Peer<'_>,
    out: &mut Additions<'_>,
) {
    let stack = out.lowered().stack.clone();
    let slot = peer.slot;
    let local = ResourceId::new(ResourceKind::AzureLocalNetworkGateway, format!("{}.{slot}", tunnel.name));
    let local_name = resource_name(naming::AZURE, &stack, &[&tunnel.name, &slot.to_string()]);
    let mut local_attrs = attrs([
        ("gateway_address", peer.address),
        ("location", Value::string(&gateway.scope.region)),
        ("name", Value::string(&local_name)),
        ("resource_group", Value::string(&gateway.group)),
    ]);
    let mut connection_attrs = attrs([
        ("connection_protocol", Value::string(format!("IKEv{}", tunnel.ike.version))),
        ("dpd_timeout_seconds", Value::Integer(tunnel.ike.dpd_timeout.into())),
        ("enable_bgp", Value::Bool(peer.bgp.is_some())),
        ("ipsec_policy", policy.clone()),
        ("local_network_gateway", Value::string(&local_name)),
        ("location", Value::string(&gateway.scope.region)),
        ("name", Value::string(&local_name)),
        ("resource_group", Value::string(&gateway.group)),
        ("shared_key", Value::Sensitive(super::tunnel::psk_name(tunnel, slot))),
        ("type", Value::string("IPsec")),
        ("virtual_network_gateway", Value::string(&gateway.name)),
    ]);
    match peer.bgp {
        Some(bgp) => {
            local_attrs.insert("bgp_asn".into(), Value::Integer(bgp.asn.into()));
            local_attrs.insert("bgp_peering_address".into(), Value::string(bgp.address.to_string()));
            let mut custom = Vec::new();
            for (instance, address) in bgp.azure_addresses {
                out.add_custom_bgp_address(&gateway.gateway, instance, address);
                custom.push(Value::Map(
                    [
                        ("ip_configuration".into(), Value::Integer(instance as i64)),
                        ("address".into(), Value::string(address.to_string())),
                    ]
                    .into(),
                ));
            }
            connection_attrs.insert("custom_bgp_addresses".into(), Value::List(custom));
        }
        None => {
            let ranges = peer.ranges.iter().map(Value::string).collect();
            local_attrs.insert("address_space".into(), Value::List(ranges));
        }
    }
    out.add(Resource {
        id: local.clone(),
        scope: gateway.scope.clone(),
        attrs: local_attrs.into(),
        depends_on: vec![super::network::azure_group(&gateway.scope.cloud)],
        object: object.to_string(),
    });
    out.add(Resource {
        id: ResourceId::new(ResourceKind::AzureVpnConnection, format!("{}.{slot}", tunnel.name)),
        scope: gateway.scope.clone(),
        attrs: connection_attrs.into(),
        depends_on: vec![gateway.gateway.clone(), local],
        object: object.to_string(),
    });
}

/// Azure's single IPsec policy per connection: for each setting, the first of the tunnel's
/// choices that Azure supports (its IPsec/IKE policy options); an error naming the setting when
/// none is. Azure's IKE SA lifetime is fixed, so `lifetime` does not apply.
pub(super) fn ipsec_policy(ike: &Ike) -> Result<Value, &'static str> {
    let (encryption, gcm) = ike
        .encryption
        .iter()
        .find_map(|alg| match alg.as_str() {
            "aes128" => Some(("AES128", false)),
            "aes256" => Some(("AES256", false)),
            "aes128gcm16" => Some(("GCMAES128", true)),
            "aes256gcm16" => Some(("GCMAES256", true)),
            _ => None,
        })
        .ok_or("its IKE encryption lists nothing Azure supports")?;
    let ike_integrity = ike
        .integrity
        .iter()
        .find_map(|alg| match alg.as_str() {
            "sha256" => Some("SHA256"),
            "sha384" => Some("SHA384"),
            _ => None,
        })
        .ok_or("its IKE integrity lists nothing Azure supports")?;
    // Azure's IPsec integrity is GCM with GCM encryption, else SHA256 at best.
    let ipsec_integrity = if gcm {
        encryption
    } else {
        ike.integrity
            .iter()
            .any(|alg| alg == "sha256")
            .then_some("SHA256")
            .ok_or("Azure's IPsec integrity needs sha256")?
    };
    let (dh_group, pfs_group) = ike
        .dh_groups
        .iter()
        .find_map(|group| match group {
            14 => Some(("DHGroup14", "PFS2048")),
            19 => Some(("ECP256", "ECP256")),
            20 => Some(("ECP384", "ECP384")),
            24 => Some(("DHGroup24", "PFS24")),
            _ => None,
        })
        .ok_or("its Diffie-Hellman groups list none Azure supports")?;
    Ok(Value::Map(
        [
            ("ike_encryption", Value::string(encryption)),
            ("ike_integrity", Value::string(ike_integrity)),
            ("dh_group", Value::string(dh_group)),
            ("ipsec_encryption", Value::string(encryption)),
            ("ipsec_integrity", Value::string(ipsec_integrity)),
            ("pfs_group", Value::string(pfs_group)),
            ("sa_lifetime_seconds", Value::Integer(ike.child_lifetime.into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    ))
}

/// The `GatewaySubnet` (range `range`) of the virtual network the stack creates for `azure`.
fn gateway_subnet_resource(azure: &Network, range: Cidr, group: &str, object: &str, desired: &mut Desired) {
    let subnet = ResourceId::new(ResourceKind::AzureSubnet, format!("{}.GatewaySubnet", azure.name));
    if desired.resources.contains_key(&subnet) {
        return;
    }
    let vnet = ResourceId::new(ResourceKind::AzureVirtualNetwork, &azure.name);
    let vnet_name = resource_name(naming::AZURE, &desired.stack, &[&azure.name]);
    desired.add(Resource {
        id: subnet,
        scope: super::scope(azure),
        attrs: attrs([
            ("address_prefix", Value::string(range.to_string())),
            ("name", Value::string("GatewaySubnet")),
            ("resource_group", Value::string(group)),
            ("virtual_network", Value::string(&vnet_name)),
        ])
        .into(),
        depends_on: vec![vnet],
        object: object.to_string(),
    });
}
