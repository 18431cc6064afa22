//! The kinds of cloud resources and their clouds; what each kind is lives in the
//! [catalogue](crate::catalogue).

use crate::attrs::Attrs;
use crate::catalogue::{AttrSpec, AttrType, KindSpec};
use crate::name::Name;
use crate::table::CATALOGUE;
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kinds whose resources carry a tunnel and report its state (`isopod status`, the map's
/// colours): AWS VPN connections, GCP VPN tunnels, Azure connections, a host's connections.
pub const TUNNEL_STATE_KINDS: [ResourceKind; 4] = [
    ResourceKind::AwsVpnConnection,
    ResourceKind::GcpVpnTunnel,
    ResourceKind::AzureVpnConnection,
    ResourceKind::HostIpsecTunnel,
];

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
    /// A VPC flow log delivered to S3.
    AwsFlowLog,
    /// The flow logs of a GCP subnetwork: its `logConfig`, owned through it.
    GcpSubnetworkFlowLogs,
    /// A virtual network flow log of Azure's Network Watcher, written to a storage account.
    AzureFlowLog,
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
    /// Every kind, in the catalogue's order.
    pub fn all() -> impl Iterator<Item = ResourceKind> {
        CATALOGUE.iter().map(|spec| spec.kind)
    }

    /// The kind's catalogue entry.
    pub fn spec(self) -> &'static KindSpec {
        &CATALOGUE[self as usize]
    }

    /// The kind called `name` (`aws_vpc`).
    pub fn named(name: &str) -> Option<ResourceKind> {
        CATALOGUE.iter().find(|spec| spec.name == name).map(|spec| spec.kind)
    }

    /// The kind's name in addresses and plans, e.g. `aws_vpc`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The cloud of the kind.
    pub fn cloud(self) -> Cloud {
        self.spec().cloud
    }

    /// How long the cloud typically takes to provision a resource of this kind after its create
    /// call, in seconds; zero for what is ready when the call returns.
    pub fn provisioning_seconds(self) -> u64 {
        self.spec().provisioning_seconds
    }

    /// The attribute called `name`.
    pub fn attr(self, name: &str) -> Option<&'static AttrSpec> {
        self.spec().attr(name)
    }

    /// The attribute or output of this kind named `BEFORE` `N` `AFTER` (`tunnel1_inside_cidr`,
    /// `interface0_ip`), as the catalogue spells it: a static name, looked up from the name
    /// formatted on the stack (no allocation); `None` for a name the catalogue does not have, or
    /// longer than 64 bytes.
    pub fn numbered(self, before: &str, n: usize, after: &str) -> Option<Name> {
        use std::io::Write as _;
        // The name as `n` is written (digits, no leading zero), formatted on the stack.
        let mut buffer = [0u8; 64];
        let mut cursor = std::io::Cursor::new(&mut buffer[..]);
        write!(cursor, "{before}{n}{after}").ok()?;
        let written = usize::try_from(cursor.position()).ok()?;
        let name = std::str::from_utf8(&buffer[..written]).ok()?;
        let spec = self.spec();
        let attr = spec.attr(name).map(|attr| attr.name);
        attr.or_else(|| spec.outputs.iter().map(|output| output.name).find(|output| *output == name)).map(Name::new)
    }

    /// The attribute that holds the user's tags (AWS and Azure `tags`, GCP `labels`), on the
    /// kinds that take them.
    pub fn tags_attr(self) -> Option<&'static str> {
        self.spec().attrs.iter().find(|attr| matches!(attr.ty, AttrType::Tags)).map(|attr| attr.name)
    }

    /// Whether the list attribute `name` is unordered (compared as a set).
    pub fn is_unordered(self, name: &str) -> bool {
        self.attr(name).is_some_and(|attr| attr.unordered)
    }

    /// Whether attribute `name` holds a secret: never compared by value, never shown, whatever a
    /// provider reads back.
    pub fn is_sensitive(self, name: &str) -> bool {
        self.attr(name).is_some_and(AttrSpec::sensitive)
    }

    /// Whether a different value of attribute `name` replaces the resource.
    pub fn replaces_on(self, name: &str) -> bool {
        self.attr(name).is_some_and(|attr| attr.replaces)
    }

    /// The attributes whose values the cloud keeps unique among the kind's resources.
    pub fn unique_attrs(self) -> impl Iterator<Item = &'static str> {
        self.spec().attrs.iter().filter(|attr| attr.unique).map(|attr| attr.name)
    }

    /// For the kinds a cloud cannot tag (routes, route propagations, VPN connection routes,
    /// records): the attributes that identify a live one, in order. Such a resource is owned
    /// through its parent and matched to the desired one by these values, not by an address.
    /// Empty for every taggable kind.
    pub fn natural_key(self) -> impl Iterator<Item = &'static str> {
        self.spec().attrs.iter().filter(|attr| attr.natural_key).map(|attr| attr.name)
    }

    /// The address by which a provider reports an untaggable resource it found, made of its
    /// [natural key](Self::natural_key) (`rtb-0abc:10.1.0.0/16`); `None` for taggable kinds or
    /// when a key attribute is not a known string.
    pub fn natural_address(self, attrs: &Attrs) -> Option<String> {
        let mut key = self.natural_key().peekable();
        key.peek()?;
        let parts: Option<Vec<&str>> = key
            .map(|name| match attrs.get(name) {
                Some(Value::String(text)) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        Some(parts?.join(":"))
    }

    /// How deep the kind sits under the kinds it refers to: 0 for roots, otherwise one more than
    /// its deepest parent. What is deeper is created later and deleted earlier.
    pub fn depth(self) -> usize {
        self.spec().parents().into_iter().map(|parent| parent.depth() + 1).max().unwrap_or(0)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_names_are_the_catalogues_own() {
        let name = ResourceKind::AwsVpnConnection.numbered("tunnel", 2, "_phase1_lifetime_seconds").unwrap();
        assert_eq!(name, "tunnel2_phase1_lifetime_seconds");
        let spelled = ResourceKind::AwsVpnConnection.spec().attrs.iter().find(|attr| attr.name == name).unwrap();
        assert!(std::ptr::eq(name.as_str(), spelled.name), "the catalogue's text, not a copy");
        assert_eq!(ResourceKind::GcpHaVpnGateway.numbered("interface", 1, "_ip").unwrap(), "interface1_ip");
        assert_eq!(ResourceKind::AwsVpnConnection.numbered("tunnel", 3, "_address"), None);
        assert_eq!(
            ResourceKind::AwsVpnConnection.numbered("tunnel", 1, "_inside_cidr").unwrap(),
            "tunnel1_inside_cidr"
        );
    }
}
