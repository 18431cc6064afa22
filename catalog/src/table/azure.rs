//! Azure's kinds: Microsoft.Resources, Microsoft.Network and Microsoft.Network/privateDnsZones.

use crate::catalogue::AttrType::{Address, Bool, Cidr, Fields, Integer, List, Secret, String, Tags};
use crate::catalogue::{AttrSpec, KindSpec, attr, hourly, id_anywhere, id_of, monthly, name_of, output, ref_to};
use crate::kind::{Cloud, ResourceKind as K};

const NAME: AttrSpec = attr("name", String, "The resource's name, unique in its resource group.").replaces().unique();
/// The resource group, by name. Deleting a group deletes what is in it, so it holds nothing but
/// its virtual networks (which the simulator, like the executor, deletes first).
const GROUP: AttrSpec =
    attr("resource_group", ref_to(K::AzureResourceGroup, "name"), "The resource group it is in.").replaces();
const LOCATION: AttrSpec = attr("location", String, "The Azure region.").replaces();

pub(crate) const RESOURCE_GROUP: KindSpec = KindSpec {
    kind: K::AzureResourceGroup,
    name: "azure_resource_group",
    cloud: Cloud::Azure,
    api: "`Microsoft.Resources/resourceGroups`",
    doc: "An Azure resource group, holding the stack's resources in one subscription.",
    provisioning_seconds: 0,
    attrs: &[
        attr("name", String, "The group's name, unique in the subscription.").replaces().unique(),
        LOCATION,
        attr("tags", Tags, "The tags."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VIRTUAL_NETWORK: KindSpec = KindSpec {
    kind: K::AzureVirtualNetwork,
    name: "azure_virtual_network",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/virtualNetworks`",
    doc: "An Azure virtual network; its address space changes in place.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        attr("resource_group", name_of(K::AzureResourceGroup), "The resource group it is in.").replaces(),
        LOCATION,
        attr("address_space", List(&Cidr), "Its address prefixes."),
        attr("tags", Tags, "The tags."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const SUBNET: KindSpec = KindSpec {
    kind: K::AzureSubnet,
    name: "azure_subnet",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/virtualNetworks/subnets`",
    doc: "A subnet of an Azure virtual network (`GatewaySubnet` for a VPN gateway); ARM gives subnets no \
          tags, so a subnet is owned through its virtual network and known by its name.",
    provisioning_seconds: 0,
    attrs: &[
        attr("name", String, "The subnet's name, unique in its virtual network.").replaces().unique().natural_key(),
        attr("virtual_network", name_of(K::AzureVirtualNetwork), "The virtual network.").replaces().natural_key(),
        attr("resource_group", ref_to(K::AzureResourceGroup, "name"), "The virtual network's group.").natural_key(),
        attr("address_prefix", Cidr, "The range, inside the virtual network's.").unique(),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const PUBLIC_IP: KindSpec = KindSpec {
    kind: K::AzurePublicIp,
    name: "azure_public_ip",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/publicIPAddresses`",
    doc: "A static Standard public IP address of Azure, zone-redundant where the region has zones.",
    provisioning_seconds: 60,
    attrs: &[
        NAME,
        GROUP,
        LOCATION,
        attr("sku", String, "`Standard`.").replaces(),
        attr("allocation", String, "`Static`."),
        attr("zones", List(&String), "The zones it spans.").replaces().unordered(),
    ],
    outputs: &[output("ip_address", Address, "The address.")],
    billing: &[hourly("azure.public_ip")],
};

const IP_CONFIGURATION: &[AttrSpec] = &[
    attr("name", String, "The configuration's name."),
    attr("public_ip_address_id", id_of(K::AzurePublicIp), "Its public address."),
    attr("subnet_id", id_of(K::AzureSubnet), "The `GatewaySubnet`."),
];

pub(crate) const VIRTUAL_NETWORK_GATEWAY: KindSpec = KindSpec {
    kind: K::AzureVirtualNetworkGateway,
    name: "azure_virtual_network_gateway",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/virtualNetworkGateways`",
    doc: "An Azure virtual network gateway (VPN, route-based, active-active with BGP).",
    provisioning_seconds: 45 * 60,
    attrs: &[
        NAME,
        GROUP,
        LOCATION,
        attr("type", String, "`Vpn`.").replaces(),
        attr("vpn_type", String, "`RouteBased`.").replaces(),
        attr("sku", String, "The SKU (`VpnGw2AZ`); upgrades change in place."),
        attr("generation", String, "`Generation2`.").replaces(),
        attr("active_active", Bool, "Two instances, each with its public address.").replaces(),
        attr("enable_bgp", Bool, "BGP on."),
        attr("bgp_asn", Integer, "The gateway's ASN."),
        attr("ip_configurations", List(&Fields(IP_CONFIGURATION)), "One per instance."),
        attr("custom_bgp_addresses", List(&List(&Address)), "Each instance's custom (APIPA) BGP addresses."),
    ],
    outputs: &[],
    billing: &[hourly("azure.vpn_gateway.{sku}")],
};

pub(crate) const LOCAL_NETWORK_GATEWAY: KindSpec = KindSpec {
    kind: K::AzureLocalNetworkGateway,
    name: "azure_local_network_gateway",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/localNetworkGateways`",
    doc: "An Azure local network gateway: a peer's public address and BGP settings.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        GROUP,
        LOCATION,
        attr("gateway_address", Address, "The peer's public address."),
        attr("bgp_asn", Integer, "The peer's ASN (BGP)."),
        attr("bgp_peering_address", Address, "The peer's BGP address (BGP)."),
        attr("address_space", List(&Cidr), "The peer's ranges (static routing)."),
    ],
    outputs: &[],
    billing: &[],
};

const IPSEC_POLICY: &[AttrSpec] = &[
    attr("ike_encryption", String, "IKE SA cipher."),
    attr("ike_integrity", String, "IKE SA integrity."),
    attr("dh_group", String, "IKE SA DH group."),
    attr("ipsec_encryption", String, "Child SA cipher."),
    attr("ipsec_integrity", String, "Child SA integrity."),
    attr("pfs_group", String, "Child SA PFS group."),
    attr("sa_lifetime_seconds", Integer, "Child SA lifetime."),
];

const CUSTOM_BGP_ADDRESS: &[AttrSpec] = &[
    attr("ip_configuration", Integer, "The gateway instance (its IP configuration's index)."),
    attr("address", Address, "The instance's custom BGP address for this connection."),
];

pub(crate) const VPN_CONNECTION: KindSpec = KindSpec {
    kind: K::AzureVpnConnection,
    name: "azure_vpn_connection",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/connections` of type `IPsec`",
    doc: "An Azure site-to-site connection between a gateway and a local network gateway.",
    provisioning_seconds: 2 * 60,
    attrs: &[
        NAME,
        GROUP,
        LOCATION,
        attr("type", String, "`IPsec`.").replaces(),
        attr("connection_protocol", String, "`IKEv2` or `IKEv1`."),
        attr("virtual_network_gateway", name_of(K::AzureVirtualNetworkGateway), "Azure's gateway.").replaces(),
        attr("local_network_gateway", name_of(K::AzureLocalNetworkGateway), "The peer.").replaces(),
        attr("shared_key", Secret, "The pre-shared key."),
        attr("enable_bgp", Bool, "BGP over the connection."),
        attr("ipsec_policy", Fields(IPSEC_POLICY), "The custom IPsec/IKE policy."),
        attr("dpd_timeout_seconds", Integer, "Dead peer detection's timeout."),
        attr("custom_bgp_addresses", List(&Fields(CUSTOM_BGP_ADDRESS)), "Azure's APIPA address per instance."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VIRTUAL_NETWORK_PEERING: KindSpec = KindSpec {
    kind: K::AzureVirtualNetworkPeering,
    name: "azure_virtual_network_peering",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/virtualNetworks/virtualNetworkPeerings`",
    doc: "One direction of an Azure (global) virtual network peering; untaggable, owned through its \
          virtual network and known by its name.",
    provisioning_seconds: 30,
    attrs: &[
        attr("name", String, "The peering's name, unique in its virtual network.").replaces().unique().natural_key(),
        GROUP.natural_key(),
        attr("virtual_network", ref_to(K::AzureVirtualNetwork, "name"), "The local virtual network.")
            .replaces()
            .natural_key(),
        attr("remote_virtual_network_id", id_anywhere(K::AzureVirtualNetwork), "The remote one.").replaces(),
        attr("allow_virtual_network_access", Bool, "Traffic between the two."),
        attr("allow_forwarded_traffic", Bool, "Traffic forwarded from elsewhere."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const PRIVATE_ENDPOINT: KindSpec = KindSpec {
    kind: K::AzurePrivateEndpoint,
    name: "azure_private_endpoint",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/privateEndpoints`",
    doc: "An Azure private endpoint to a private link service.",
    provisioning_seconds: 60,
    attrs: &[
        NAME,
        GROUP,
        LOCATION,
        attr("subnet_id", id_anywhere(K::AzureSubnet).holding(), "The subnet it takes an address in.").replaces(),
        attr("service", String, "The private link service (or resource) it connects to.").replaces(),
        attr("private_dns", Bool, "Whether the service's name resolves to it."),
    ],
    outputs: &[output("ip_address", Address, "Its private address.")],
    billing: &[hourly("azure.private_endpoint")],
};

pub(crate) const PRIVATE_DNS_ZONE: KindSpec = KindSpec {
    kind: K::AzurePrivateDnsZone,
    name: "azure_private_dns_zone",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/privateDnsZones`",
    doc: "An Azure private DNS zone.",
    provisioning_seconds: 0,
    attrs: &[NAME, GROUP],
    outputs: &[],
    billing: &[monthly("azure.dns_zone")],
};

pub(crate) const PRIVATE_DNS_ZONE_LINK: KindSpec = KindSpec {
    kind: K::AzurePrivateDnsZoneLink,
    name: "azure_private_dns_zone_virtual_network_link",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/privateDnsZones/virtualNetworkLinks`",
    doc: "The link that makes an Azure private DNS zone resolve in a virtual network.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        GROUP,
        attr("private_dns_zone_name", name_of(K::AzurePrivateDnsZone), "The zone.").replaces(),
        attr("virtual_network_id", ref_to(K::AzureVirtualNetwork, "id"), "The virtual network.").replaces(),
        attr("registration_enabled", Bool, "Automatic registration of the network's VMs."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const PRIVATE_DNS_A_RECORD: KindSpec = KindSpec {
    kind: K::AzurePrivateDnsARecord,
    name: "azure_private_dns_a_record",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/privateDnsZones/A`",
    doc: "An A record set in an Azure private DNS zone.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        GROUP,
        attr("zone_name", name_of(K::AzurePrivateDnsZone), "The zone.").replaces(),
        attr("ttl", Integer, "Its time to live, in seconds."),
        attr("records", List(&Address), "Its addresses.").unordered(),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const FLOW_LOG: KindSpec = KindSpec {
    kind: K::AzureFlowLog,
    name: "azure_flow_log",
    cloud: Cloud::Azure,
    api: "`Microsoft.Network/networkWatchers/flowLogs`",
    doc: "A virtual network flow log: every flow of a virtual network, written by the region's Network Watcher \
          to a storage account as JSON (version 2). It lives under that watcher, in the watcher's group, whatever \
          their names (Azure's own are `NetworkWatcher_REGION` in `NetworkWatcherRG`): the provider finds the \
          subscription's watcher of the region.",
    provisioning_seconds: 0,
    attrs: &[
        attr("name", String, "The flow log's name, unique under its Network Watcher.").replaces().unique(),
        LOCATION,
        attr("target_resource_id", ref_to(K::AzureVirtualNetwork, "id"), "The virtual network logged.").replaces(),
        attr("storage_id", String, "The storage account's id, in the same region; changes in place."),
        attr("tags", Tags, "The tags."),
    ],
    outputs: &[],
    billing: &[],
};
