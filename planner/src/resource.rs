//! Cloud resources: what the planner lowers a topology into, what providers discover, and the
//! vocabulary they share.
//!
//! A resource is identified by its [`ResourceId`]: its kind and its address, which is derived from
//! the logical object it realises (`aws_vpc.app`, `aws_subnet.app.a`). Ownership tags carry the
//! stack and the address, so that a discovered resource is matched to the desired one without any
//! state file.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A resource's attributes by name.
pub type Attrs = BTreeMap<String, Value>;

/// The kinds of cloud resources, one per API object family of each cloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// An AWS VPC.
    AwsVpc,
    /// A subnet of an AWS VPC.
    AwsSubnet,
    /// An AWS virtual private gateway, attached to its VPC (one per VPC).
    AwsVpnGateway,
    /// Propagation of the routes a VPN gateway learns into the VPC's main route table.
    AwsVpnGatewayRoutePropagation,
    /// An AWS customer gateway: the peer's public address and ASN.
    AwsCustomerGateway,
    /// An AWS site-to-site VPN connection: two tunnels with their options.
    AwsVpnConnection,
    /// An AWS VPC peering connection, requested from one VPC to another (any region, account).
    AwsVpcPeeringConnection,
    /// The accepter side of an AWS VPC peering connection, in the peer's region and account.
    AwsVpcPeeringConnectionAccepter,
    /// A route in an AWS route table.
    AwsRoute,
    /// An Azure resource group, holding the stack's resources in one subscription.
    AzureResourceGroup,
    /// An Azure virtual network.
    AzureVirtualNetwork,
    /// A subnet of an Azure virtual network.
    AzureSubnet,
    /// A static Standard public IP address of Azure.
    AzurePublicIp,
    /// An Azure virtual network gateway (VPN, route-based, active-active with BGP).
    AzureVirtualNetworkGateway,
    /// An Azure local network gateway: a peer's public address and BGP settings.
    AzureLocalNetworkGateway,
    /// An Azure site-to-site connection between a gateway and a local network gateway.
    AzureVpnConnection,
    /// One direction of an Azure (global) virtual network peering.
    AzureVirtualNetworkPeering,
    /// A GCP VPC network (global, custom subnet mode).
    GcpNetwork,
    /// A GCP subnetwork (regional).
    GcpSubnetwork,
    /// A GCP HA VPN gateway: two interfaces with public addresses.
    GcpHaVpnGateway,
    /// A GCP Cloud Router: the BGP speaker of a network in a region.
    GcpRouter,
    /// A GCP external VPN gateway: the peer's public addresses.
    GcpExternalVpnGateway,
    /// A GCP VPN tunnel between an HA gateway interface and a peer interface.
    GcpVpnTunnel,
    /// A Cloud Router interface on a tunnel and its BGP peer.
    GcpRouterPeer,
    /// One direction of a GCP VPC network peering.
    GcpNetworkPeering,
    /// A static route of an AWS VPN connection (static routing only).
    AwsVpnConnectionRoute,
    /// One IPsec tunnel of a Linux host: a strongSwan (swanctl) connection with its key,
    /// proposals, traffic selectors and, for BGP, its inside addresses.
    HostIpsecTunnel,
    /// The security group of an AWS interface endpoint, admitting the ranges that use it.
    AwsSecurityGroup,
    /// An AWS interface VPC endpoint (PrivateLink).
    AwsVpcEndpoint,
    /// An Azure private endpoint to a private link service.
    AzurePrivateEndpoint,
    /// A GCP internal address reserved for a Private Service Connect endpoint.
    GcpAddress,
    /// A GCP forwarding rule: the Private Service Connect endpoint itself.
    GcpForwardingRule,
    /// An AWS transit gateway: a regional router that VPN connections and VPCs attach to, for a
    /// VPC with more VPN connections than a virtual private gateway takes.
    AwsTransitGateway,
    /// The attachment of a VPC to a transit gateway, in one subnet per Availability Zone.
    AwsTransitGatewayVpcAttachment,
    /// A Route 53 private hosted zone, associated with a VPC.
    AwsRoute53Zone,
    /// A record in a Route 53 hosted zone.
    AwsRoute53Record,
    /// An Azure private DNS zone.
    AzurePrivateDnsZone,
    /// The link that makes an Azure private DNS zone resolve in a virtual network.
    AzurePrivateDnsZoneLink,
    /// An A record set in an Azure private DNS zone.
    AzurePrivateDnsARecord,
    /// A Cloud DNS private managed zone, visible to networks.
    GcpDnsManagedZone,
    /// A record set in a Cloud DNS managed zone.
    GcpDnsRecordSet,
}

/// Which cloud a kind belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Amazon Web Services.
    Aws,
    /// Microsoft Azure.
    Azure,
    /// Google Cloud.
    Gcp,
    /// Linux hosts, configured with strongSwan.
    Host,
}

impl ResourceKind {
    /// Every kind.
    pub const ALL: &'static [ResourceKind] = &[
        ResourceKind::AwsVpc,
        ResourceKind::AwsSubnet,
        ResourceKind::AwsVpnGateway,
        ResourceKind::AwsVpnGatewayRoutePropagation,
        ResourceKind::AwsCustomerGateway,
        ResourceKind::AwsVpnConnection,
        ResourceKind::AwsVpcPeeringConnection,
        ResourceKind::AwsVpcPeeringConnectionAccepter,
        ResourceKind::AwsRoute,
        ResourceKind::AzureResourceGroup,
        ResourceKind::AzureVirtualNetwork,
        ResourceKind::AzureSubnet,
        ResourceKind::AzurePublicIp,
        ResourceKind::AzureVirtualNetworkGateway,
        ResourceKind::AzureLocalNetworkGateway,
        ResourceKind::AzureVpnConnection,
        ResourceKind::AzureVirtualNetworkPeering,
        ResourceKind::GcpNetwork,
        ResourceKind::GcpSubnetwork,
        ResourceKind::GcpHaVpnGateway,
        ResourceKind::GcpRouter,
        ResourceKind::GcpExternalVpnGateway,
        ResourceKind::GcpVpnTunnel,
        ResourceKind::GcpRouterPeer,
        ResourceKind::GcpNetworkPeering,
        ResourceKind::AwsVpnConnectionRoute,
        ResourceKind::HostIpsecTunnel,
        ResourceKind::AwsSecurityGroup,
        ResourceKind::AwsVpcEndpoint,
        ResourceKind::AzurePrivateEndpoint,
        ResourceKind::GcpAddress,
        ResourceKind::GcpForwardingRule,
        ResourceKind::AwsTransitGateway,
        ResourceKind::AwsTransitGatewayVpcAttachment,
        ResourceKind::AwsRoute53Zone,
        ResourceKind::AwsRoute53Record,
        ResourceKind::AzurePrivateDnsZone,
        ResourceKind::AzurePrivateDnsZoneLink,
        ResourceKind::AzurePrivateDnsARecord,
        ResourceKind::GcpDnsManagedZone,
        ResourceKind::GcpDnsRecordSet,
    ];

    /// The kind's name in addresses and plans, e.g. `aws_vpc`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::AwsVpc => "aws_vpc",
            ResourceKind::AwsSubnet => "aws_subnet",
            ResourceKind::AwsVpnGateway => "aws_vpn_gateway",
            ResourceKind::AwsVpnGatewayRoutePropagation => "aws_vpn_gateway_route_propagation",
            ResourceKind::AwsCustomerGateway => "aws_customer_gateway",
            ResourceKind::AwsVpnConnection => "aws_vpn_connection",
            ResourceKind::AwsVpcPeeringConnection => "aws_vpc_peering_connection",
            ResourceKind::AwsVpcPeeringConnectionAccepter => "aws_vpc_peering_connection_accepter",
            ResourceKind::AwsRoute => "aws_route",
            ResourceKind::AzureResourceGroup => "azure_resource_group",
            ResourceKind::AzureVirtualNetwork => "azure_virtual_network",
            ResourceKind::AzureSubnet => "azure_subnet",
            ResourceKind::AzurePublicIp => "azure_public_ip",
            ResourceKind::AzureVirtualNetworkGateway => "azure_virtual_network_gateway",
            ResourceKind::AzureLocalNetworkGateway => "azure_local_network_gateway",
            ResourceKind::AzureVpnConnection => "azure_vpn_connection",
            ResourceKind::AzureVirtualNetworkPeering => "azure_virtual_network_peering",
            ResourceKind::GcpNetwork => "gcp_network",
            ResourceKind::GcpSubnetwork => "gcp_subnetwork",
            ResourceKind::GcpHaVpnGateway => "gcp_ha_vpn_gateway",
            ResourceKind::GcpRouter => "gcp_router",
            ResourceKind::GcpExternalVpnGateway => "gcp_external_vpn_gateway",
            ResourceKind::GcpVpnTunnel => "gcp_vpn_tunnel",
            ResourceKind::GcpRouterPeer => "gcp_router_peer",
            ResourceKind::GcpNetworkPeering => "gcp_network_peering",
            ResourceKind::AwsVpnConnectionRoute => "aws_vpn_connection_route",
            ResourceKind::HostIpsecTunnel => "host_ipsec_tunnel",
            ResourceKind::AwsSecurityGroup => "aws_security_group",
            ResourceKind::AwsVpcEndpoint => "aws_vpc_endpoint",
            ResourceKind::AzurePrivateEndpoint => "azure_private_endpoint",
            ResourceKind::GcpAddress => "gcp_address",
            ResourceKind::GcpForwardingRule => "gcp_forwarding_rule",
            ResourceKind::AwsTransitGateway => "aws_transit_gateway",
            ResourceKind::AwsTransitGatewayVpcAttachment => "aws_transit_gateway_vpc_attachment",
            ResourceKind::AwsRoute53Zone => "aws_route53_zone",
            ResourceKind::AwsRoute53Record => "aws_route53_record",
            ResourceKind::AzurePrivateDnsZone => "azure_private_dns_zone",
            ResourceKind::AzurePrivateDnsZoneLink => "azure_private_dns_zone_virtual_network_link",
            ResourceKind::AzurePrivateDnsARecord => "azure_private_dns_a_record",
            ResourceKind::GcpDnsManagedZone => "gcp_dns_managed_zone",
            ResourceKind::GcpDnsRecordSet => "gcp_dns_record_set",
        }
    }

    /// The cloud of the kind.
    pub fn cloud(self) -> Cloud {
        match self {
            ResourceKind::AwsVpc
            | ResourceKind::AwsSubnet
            | ResourceKind::AwsVpnGateway
            | ResourceKind::AwsVpnGatewayRoutePropagation
            | ResourceKind::AwsCustomerGateway
            | ResourceKind::AwsVpnConnection
            | ResourceKind::AwsVpcPeeringConnection
            | ResourceKind::AwsVpcPeeringConnectionAccepter
            | ResourceKind::AwsRoute
            | ResourceKind::AwsVpnConnectionRoute
            | ResourceKind::AwsSecurityGroup
            | ResourceKind::AwsVpcEndpoint
            | ResourceKind::AwsTransitGateway
            | ResourceKind::AwsTransitGatewayVpcAttachment
            | ResourceKind::AwsRoute53Zone
            | ResourceKind::AwsRoute53Record => Cloud::Aws,
            ResourceKind::AzureResourceGroup
            | ResourceKind::AzureVirtualNetwork
            | ResourceKind::AzureSubnet
            | ResourceKind::AzurePublicIp
            | ResourceKind::AzureVirtualNetworkGateway
            | ResourceKind::AzureLocalNetworkGateway
            | ResourceKind::AzureVpnConnection
            | ResourceKind::AzureVirtualNetworkPeering
            | ResourceKind::AzurePrivateEndpoint
            | ResourceKind::AzurePrivateDnsZone
            | ResourceKind::AzurePrivateDnsZoneLink
            | ResourceKind::AzurePrivateDnsARecord => Cloud::Azure,
            ResourceKind::GcpNetwork
            | ResourceKind::GcpSubnetwork
            | ResourceKind::GcpHaVpnGateway
            | ResourceKind::GcpRouter
            | ResourceKind::GcpExternalVpnGateway
            | ResourceKind::GcpVpnTunnel
            | ResourceKind::GcpRouterPeer
            | ResourceKind::GcpNetworkPeering
            | ResourceKind::GcpAddress
            | ResourceKind::GcpForwardingRule
            | ResourceKind::GcpDnsManagedZone
            | ResourceKind::GcpDnsRecordSet => Cloud::Gcp,
            ResourceKind::HostIpsecTunnel => Cloud::Host,
        }
    }

    /// How long the cloud typically takes to provision a resource of this kind after its create
    /// call, in seconds; zero for what is ready when the call returns. The relative durations the clouds document:
    /// an Azure VPN gateway takes 45 minutes or more ("Create a VPN gateway"), an AWS VPN connection
    /// a few minutes (Site-to-Site VPN user guide), GCP's HA VPN gateway and tunnels about a minute.
    pub fn provisioning_seconds(self) -> u64 {
        match self {
            ResourceKind::AzureVirtualNetworkGateway => 45 * 60,
            ResourceKind::AwsVpnConnection => 5 * 60,
            ResourceKind::AwsTransitGateway => 3 * 60,
            ResourceKind::AwsTransitGatewayVpcAttachment
            | ResourceKind::AwsVpnGateway
            | ResourceKind::AwsVpcEndpoint
            | ResourceKind::AzureVpnConnection => 2 * 60,
            ResourceKind::GcpHaVpnGateway
            | ResourceKind::GcpVpnTunnel
            | ResourceKind::AzurePrivateEndpoint
            | ResourceKind::AzurePublicIp
            | ResourceKind::AwsRoute53Zone => 60,
            ResourceKind::AwsVpcPeeringConnection | ResourceKind::AzureVirtualNetworkPeering => 30,
            _ => 0,
        }
    }

    /// The list attributes whose order means nothing to the cloud (it may list them in any
    /// order): compared as sets.
    pub fn unordered_attrs(self) -> &'static [&'static str] {
        match self {
            ResourceKind::AwsTransitGatewayVpcAttachment => &["subnet_ids"],
            ResourceKind::AwsVpcEndpoint => &["subnet_ids", "security_group_ids", "ip_addresses"],
            ResourceKind::AwsSecurityGroup => &["ingress_cidr_blocks"],
            ResourceKind::AwsRoute53Record => &["records"],
            // The algorithms and groups a tunnel permits (AWS does not keep their order).
            ResourceKind::AwsVpnConnection => &[
                "tunnel1_ike_versions",
                "tunnel1_phase1_encryption_algorithms",
                "tunnel1_phase2_encryption_algorithms",
                "tunnel1_phase1_integrity_algorithms",
                "tunnel1_phase2_integrity_algorithms",
                "tunnel1_phase1_dh_group_numbers",
                "tunnel1_phase2_dh_group_numbers",
                "tunnel2_ike_versions",
                "tunnel2_phase1_encryption_algorithms",
                "tunnel2_phase2_encryption_algorithms",
                "tunnel2_phase1_integrity_algorithms",
                "tunnel2_phase2_integrity_algorithms",
                "tunnel2_phase1_dh_group_numbers",
                "tunnel2_phase2_dh_group_numbers",
            ],
            _ => &[],
        }
    }

    /// For the kinds a cloud cannot tag (routes, route propagations, VPN connection routes):
    /// the attributes that identify a live one. Such a resource is owned through its parent (the
    /// main route table of an owned VPC, an owned VPN connection) and matched to the desired one
    /// by these values, not by an address. Empty for every taggable kind.
    pub fn natural_key(self) -> &'static [&'static str] {
        match self {
            ResourceKind::AwsRoute => &["route_table_id", "destination_cidr_block"],
            ResourceKind::AwsVpnGatewayRoutePropagation => &["vpn_gateway_id", "route_table_id"],
            ResourceKind::AwsVpnConnectionRoute => &["vpn_connection_id", "destination_cidr_block"],
            ResourceKind::AwsRoute53Record => &["zone_id", "name", "type"],
            _ => &[],
        }
    }

    /// The address by which a provider reports an untaggable resource it found, made of its
    /// [natural key](Self::natural_key) (`rtb-0abc:10.1.0.0/16`); `None` for taggable kinds or
    /// when a key attribute is not a known string.
    pub fn natural_address(self, attrs: &Attrs) -> Option<String> {
        let key = self.natural_key();
        if key.is_empty() {
            return None;
        }
        let parts: Option<Vec<&str>> = key
            .iter()
            .map(|name| match attrs.get(*name) {
                Some(Value::String(text)) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        Some(parts?.join(":"))
    }

    /// The attributes that hold a secret (a pre-shared key): never compared by value, never
    /// shown, whatever a provider reads back.
    pub fn sensitive_attrs(self) -> &'static [&'static str] {
        match self {
            ResourceKind::AwsVpnConnection => &["tunnel1_preshared_key", "tunnel2_preshared_key"],
            ResourceKind::GcpVpnTunnel => &["shared_secret"],
            ResourceKind::AzureVpnConnection => &["shared_key"],
            ResourceKind::HostIpsecTunnel => &["psk"],
            _ => &[],
        }
    }

    /// The attributes that the cloud's API cannot change in place: a different value replaces
    /// the resource. Attributes not listed (tags, for example) are updated in place.
    pub fn replaced_on(self) -> &'static [&'static str] {
        match self {
            ResourceKind::AwsVpc => &["cidr_block"],
            ResourceKind::AwsSubnet => &["vpc_id", "cidr_block", "availability_zone"],
            ResourceKind::AwsVpnGateway => &["vpc_id", "amazon_side_asn"],
            ResourceKind::AwsVpnGatewayRoutePropagation => &["vpn_gateway_id", "route_table_id"],
            ResourceKind::AwsCustomerGateway => &["bgp_asn", "ip_address", "type"],
            // Tunnel options (inside ranges, keys, algorithms) change in place with
            // ModifyVpnTunnelOptions; the gateways cannot.
            ResourceKind::AwsVpnConnection => {
                &["vpn_gateway_id", "transit_gateway_id", "customer_gateway_id", "type", "static_routes_only"]
            }
            // ModifyTransitGateway cannot change the ASN while dynamic VPN attachments exist.
            ResourceKind::AwsTransitGateway => &["amazon_side_asn"],
            // The attachment's subnets change in place (ModifyTransitGatewayVpcAttachment).
            ResourceKind::AwsTransitGatewayVpcAttachment => &["transit_gateway_id", "vpc_id"],
            // Records' values and TTLs change in place (UPSERT, PATCH); a zone's name cannot.
            ResourceKind::AwsRoute53Zone => &["name", "vpc_id", "vpc_region"],
            ResourceKind::AwsRoute53Record => &["zone_id", "name", "type"],
            ResourceKind::AzurePrivateDnsZone => &["name", "resource_group"],
            ResourceKind::AzurePrivateDnsZoneLink => {
                &["name", "resource_group", "private_dns_zone_name", "virtual_network_id"]
            }
            ResourceKind::AzurePrivateDnsARecord => &["name", "resource_group", "zone_name"],
            ResourceKind::GcpDnsManagedZone => &["name", "dns_name", "visibility"],
            ResourceKind::GcpDnsRecordSet => &["managed_zone", "name", "type"],

            ResourceKind::AzureResourceGroup => &["name", "location"],
            // Azure can change a virtual network's address space in place.
            ResourceKind::AzureVirtualNetwork => &["name", "location", "resource_group"],
            ResourceKind::AzureSubnet => &["name", "virtual_network"],
            ResourceKind::AzurePublicIp => &["name", "resource_group", "location", "sku", "zones"],
            // SKU upgrades and BGP settings change in place; the active-active mode and the
            // gateway's placement do not.
            ResourceKind::AzureVirtualNetworkGateway => {
                &["name", "resource_group", "location", "type", "vpn_type", "generation", "active_active"]
            }
            ResourceKind::AzureLocalNetworkGateway => &["name", "resource_group", "location"],
            ResourceKind::AzureVirtualNetworkPeering => {
                &["name", "resource_group", "virtual_network", "remote_virtual_network_id"]
            }
            ResourceKind::AwsVpcPeeringConnection => &["vpc_id", "peer_vpc_id", "peer_region", "peer_owner_id"],
            ResourceKind::AwsVpcPeeringConnectionAccepter => &["vpc_peering_connection_id"],
            ResourceKind::AwsRoute => &["route_table_id", "destination_cidr_block"],
            ResourceKind::GcpNetworkPeering => &["name", "network", "peer_network"],
            ResourceKind::AwsVpnConnectionRoute => &["vpn_connection_id", "destination_cidr_block"],
            // A host's configuration is rewritten and reloaded in place.
            ResourceKind::HostIpsecTunnel => &[],
            // A security group's rules change in place; its name and description cannot.
            ResourceKind::AwsSecurityGroup => &["vpc_id", "name", "description"],
            // Subnets, security groups and private DNS of an interface endpoint change in place.
            ResourceKind::AwsVpcEndpoint => &["vpc_id", "service_name", "vpc_endpoint_type"],
            ResourceKind::AzurePrivateEndpoint => &["name", "resource_group", "location", "subnet_id", "service"],
            ResourceKind::GcpAddress => &["name", "region", "subnetwork", "address_type"],
            ResourceKind::GcpForwardingRule => &["name", "region", "network", "ip_address", "target"],
            ResourceKind::AzureVpnConnection => {
                &["name", "resource_group", "location", "virtual_network_gateway", "local_network_gateway", "type"]
            }
            ResourceKind::GcpNetwork => &["name", "routing_mode"],
            // GCP can only expand a subnetwork's range; any other change replaces it.
            ResourceKind::GcpSubnetwork => &["name", "network", "region", "ip_cidr_range"],
            ResourceKind::GcpHaVpnGateway => &["name", "network", "region"],
            // A router's ASN can change in place (routers.patch); its network cannot.
            ResourceKind::GcpRouter => &["name", "network", "region"],
            ResourceKind::GcpExternalVpnGateway => &["name", "redundancy_type", "interfaces"],
            // Tunnels are immutable in GCP's API: every change recreates them.
            ResourceKind::GcpVpnTunnel => &[
                "name",
                "region",
                "vpn_gateway",
                "vpn_gateway_interface",
                "peer_external_gateway",
                "peer_external_gateway_interface",
                "shared_secret",
                "router",
                "ike_version",
            ],
            ResourceKind::GcpRouterPeer => &["name", "router", "region", "tunnel", "ip_range"],
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A resource's identity: its kind and its address (`app`, `app.a`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceId {
    /// The kind.
    pub kind: ResourceKind,
    /// The address within the kind, derived from the logical object.
    pub address: String,
}

impl ResourceId {
    /// An id of `kind` at `address`.
    pub fn new(kind: ResourceKind, address: impl Into<String>) -> Self {
        ResourceId { kind, address: address.into() }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.address)
    }
}

/// Where a resource lives: the configuration's cloud (`aws.prod`) and the region.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Scope {
    /// The cloud block's id, `KIND.NAME`.
    pub cloud: String,
    /// The region (`global` for global resources such as GCP networks).
    pub region: String,
}

/// An attribute value of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// A string.
    String(String),
    /// A whole number.
    Integer(i64),
    /// A bool.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A map with sorted keys.
    Map(BTreeMap<String, Value>),
    /// An output of another resource, known only once that one exists (e.g. a VPC's id).
    Output(OutputRef),
    /// A secret, by its name in Isopod's secret store; its value is never in a plan.
    Sensitive(String),
}

impl Value {
    /// Adds every string in this value, in its lists and maps too, to `out`: what it may name of
    /// other resources (ids, names).
    pub fn collect_strings<'a>(&'a self, out: &mut std::collections::BTreeSet<&'a str>) {
        match self {
            Value::String(text) => {
                out.insert(text);
            }
            Value::List(items) => items.iter().for_each(|item| item.collect_strings(out)),
            Value::Map(entries) => entries.values().for_each(|item| item.collect_strings(out)),
            _ => {}
        }
    }

    /// A string value.
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// Replaces every output reference, however deep, with what `lookup` gives for it: what the
    /// executor does once the resources it names exist.
    pub fn resolve_outputs(&mut self, lookup: &impl Fn(&OutputRef) -> Value) {
        match self {
            Value::Output(output) => *self = lookup(output),
            Value::List(items) => items.iter_mut().for_each(|item| item.resolve_outputs(lookup)),
            Value::Map(entries) => entries.values_mut().for_each(|item| item.resolve_outputs(lookup)),
            Value::String(_) | Value::Integer(_) | Value::Bool(_) | Value::Sensitive(_) => {}
        }
    }
}

/// A reference to an output of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OutputRef {
    /// The resource.
    pub resource: ResourceId,
    /// The output's name, e.g. `id`.
    pub output: String,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(text) => write!(f, "{text:?}"),
            Value::Integer(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(", "))
            }
            Value::Map(entries) if entries.is_empty() => f.write_str("{}"),
            Value::Map(entries) => {
                let entries: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                write!(f, "{{ {} }}", entries.join(", "))
            }
            Value::Output(_) => f.write_str("(known after apply)"),
            Value::Sensitive(_) => f.write_str("(sensitive)"),
        }
    }
}

/// A resource as the configuration wants it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// Its identity.
    pub id: ResourceId,
    /// Where it lives.
    pub scope: Scope,
    /// Its attributes; outputs of other resources make it depend on them. Shared (not copied)
    /// with the plan's changes.
    pub attrs: Arc<Attrs>,
    /// Resources that must exist first although no attribute uses their outputs (e.g. the Azure
    /// resource group a virtual network is created in, referred to by its known name).
    pub depends_on: Vec<ResourceId>,
    /// The logical object it realises, e.g. `network.app`, for grouping plans.
    pub object: String,
}

impl Resource {
    /// The resources this one needs first: those whose outputs its attributes use, and its
    /// explicit dependencies.
    pub fn dependencies(&self) -> Vec<&ResourceId> {
        let mut out: Vec<&ResourceId> = self.depends_on.iter().collect();
        let mut stack: Vec<&Value> = self.attrs.values().collect();
        while let Some(value) = stack.pop() {
            match value {
                Value::Output(output) => out.push(&output.resource),
                Value::List(items) => stack.extend(items),
                Value::Map(entries) => stack.extend(entries.values()),
                Value::String(_) | Value::Integer(_) | Value::Bool(_) | Value::Sensitive(_) => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Who owns a discovered resource, read from its tags or labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// The stack's name.
    pub stack: String,
    /// The resource's id within the stack.
    pub id: ResourceId,
}

/// A resource as a provider found it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedResource {
    /// The cloud's own identifier (e.g. `vpc-0abc…`).
    pub provider_id: String,
    /// The kind.
    pub kind: ResourceKind,
    /// Where it lives.
    pub scope: Scope,
    /// Its attributes as the cloud reports them, in the planner's vocabulary.
    pub attrs: BTreeMap<String, Value>,
    /// Its owner, when it carries Isopod's ownership tags.
    pub owner: Option<Ownership>,
}

impl ObservedResource {
    /// The address `stack` gave it, when `stack` owns it.
    pub fn owned_by(&self, stack: &str) -> Option<&ResourceId> {
        self.owner.as_ref().filter(|owner| owner.stack == stack).map(|owner| &owner.id)
    }
}
