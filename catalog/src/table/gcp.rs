//! GCP's kinds: Compute Engine (networks, HA VPN, Cloud Router, Private Service Connect) and
//! Cloud DNS.

use crate::catalogue::AttrType::{Address, Bool, Cidr, Integer, List, Secret, String, Tags};
use crate::catalogue::{AttrSpec, KindSpec, attr, hourly, monthly, name_of, output, output_of, ref_to};
use crate::kind::{Cloud, ResourceKind as K};

const NAME: AttrSpec = attr("name", String, "The resource's name, unique in the project.").replaces().unique();
const REGION: AttrSpec = attr("region", String, "The GCP region.").replaces();
const NETWORK: AttrSpec = attr("network", name_of(K::GcpNetwork), "The VPC network.").replaces();
const LABELS: AttrSpec = attr(
    "labels",
    Tags,
    "The labels: the stack's, cloud's and network's tags as GCP takes them; changed in place \
     (Compute's `setLabels`, Cloud DNS's `managedZones.update`). The ownership label is written apart.",
);

pub(crate) const NETWORK_KIND: KindSpec = KindSpec {
    kind: K::GcpNetwork,
    name: "gcp_network",
    cloud: Cloud::Gcp,
    api: "Compute `networks` (custom subnet mode)",
    doc: "A GCP VPC network (global, custom subnet mode).",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        attr("routing_mode", String, "`GLOBAL` or `REGIONAL` dynamic routing; changes in place (`networks.patch`)."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const SUBNETWORK: KindSpec = KindSpec {
    kind: K::GcpSubnetwork,
    name: "gcp_subnetwork",
    cloud: Cloud::Gcp,
    api: "Compute `subnetworks`",
    doc: "A GCP subnetwork (regional). GCP can only expand its range: any change replaces it.",
    provisioning_seconds: 0,
    attrs: &[NAME, NETWORK, REGION, attr("ip_cidr_range", Cidr, "The primary range.").replaces().unique()],
    outputs: &[],
    billing: &[],
};

pub(crate) const HA_VPN_GATEWAY: KindSpec = KindSpec {
    kind: K::GcpHaVpnGateway,
    name: "gcp_ha_vpn_gateway",
    cloud: Cloud::Gcp,
    api: "Compute `vpnGateways` (HA VPN)",
    doc: "A GCP HA VPN gateway: two interfaces with public addresses.",
    provisioning_seconds: 60,
    attrs: &[NAME, NETWORK, REGION, LABELS],
    outputs: &[
        output("interface0_ip", Address, "The first interface's public address."),
        output("interface1_ip", Address, "The second interface's public address."),
    ],
    billing: &[],
};

pub(crate) const ROUTER: KindSpec = KindSpec {
    kind: K::GcpRouter,
    name: "gcp_router",
    cloud: Cloud::Gcp,
    api: "Compute `routers` (Cloud Router)",
    doc: "A GCP Cloud Router: the BGP speaker of a network in a region.",
    provisioning_seconds: 0,
    attrs: &[NAME, NETWORK, REGION, attr("asn", Integer, "Its ASN; changes in place (`routers.patch`).")],
    outputs: &[],
    billing: &[],
};

pub(crate) const EXTERNAL_VPN_GATEWAY: KindSpec = KindSpec {
    kind: K::GcpExternalVpnGateway,
    name: "gcp_external_vpn_gateway",
    cloud: Cloud::Gcp,
    api: "Compute `externalVpnGateways`",
    doc: "A GCP external VPN gateway: the peer's public addresses.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        attr("redundancy_type", String, "How many peer interfaces (`TWO_IPS_REDUNDANCY`...).").replaces(),
        attr("interfaces", List(&Address), "The peer's addresses, one interface each, in order.").replaces(),
        LABELS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VPN_TUNNEL: KindSpec = KindSpec {
    kind: K::GcpVpnTunnel,
    name: "gcp_vpn_tunnel",
    cloud: Cloud::Gcp,
    api: "Compute `vpnTunnels`",
    doc: "A GCP VPN tunnel between an HA gateway interface and a peer interface. Tunnels are \
          immutable in GCP's API: every change recreates them.",
    provisioning_seconds: 60,
    attrs: &[
        NAME,
        REGION,
        attr("vpn_gateway", name_of(K::GcpHaVpnGateway), "The HA VPN gateway.").replaces(),
        attr("vpn_gateway_interface", Integer, "Its interface (0 or 1).").replaces(),
        attr("peer_external_gateway", name_of(K::GcpExternalVpnGateway), "The peer.").replaces(),
        attr("peer_external_gateway_interface", Integer, "The peer's interface.").replaces(),
        attr("shared_secret", Secret, "The pre-shared key.").replaces(),
        attr("router", ref_to(K::GcpRouter, "name"), "The Cloud Router of its BGP session.").replaces(),
        attr("ike_version", Integer, "1 or 2.").replaces(),
        LABELS,
    ],
    outputs: &[],
    billing: &[hourly("gcp.vpn_tunnel")],
};

pub(crate) const ROUTER_PEER: KindSpec = KindSpec {
    kind: K::GcpRouterPeer,
    name: "gcp_router_peer",
    cloud: Cloud::Gcp,
    api: "Compute `routers` `interfaces` and `bgpPeers` (`routers.patch`)",
    doc: "A Cloud Router interface on a tunnel and its BGP peer: an entry of each of the router's arrays, \
          owned through its router.",
    provisioning_seconds: 0,
    attrs: &[
        attr("router", name_of(K::GcpRouter), "The Cloud Router.").replaces().natural_key(),
        attr("name", String, "The peer's name (and its interface's), unique in its router.")
            .replaces()
            .unique()
            .natural_key(),
        REGION,
        attr("tunnel", name_of(K::GcpVpnTunnel), "The tunnel its interface is on.").replaces(),
        attr("ip_range", Cidr, "The interface's inside address (a /30 of 169.254.0.0/16).").replaces(),
        attr("peer_ip_address", Address, "The peer's inside address."),
        attr("peer_asn", Integer, "The peer's ASN."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const NETWORK_PEERING: KindSpec = KindSpec {
    kind: K::GcpNetworkPeering,
    name: "gcp_network_peering",
    cloud: Cloud::Gcp,
    api: "Compute `networks.addPeering`",
    doc: "One direction of a GCP VPC network peering: an entry of its network's `peerings`, owned through \
          its network.",
    provisioning_seconds: 0,
    attrs: &[
        attr("network", ref_to(K::GcpNetwork, "name"), "The local network.").replaces().natural_key(),
        attr("name", String, "The peering's name, unique in its network.").replaces().unique().natural_key(),
        attr("peer_network", String, "The peer network's URL.").replaces(),
        attr("export_custom_routes", Bool, "Whether custom routes are exported."),
        attr("import_custom_routes", Bool, "Whether the peer's custom routes are imported."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const ADDRESS: KindSpec = KindSpec {
    kind: K::GcpAddress,
    name: "gcp_address",
    cloud: Cloud::Gcp,
    api: "Compute `addresses` (`INTERNAL`)",
    doc: "A GCP internal address reserved for a Private Service Connect endpoint.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        REGION,
        attr("subnetwork", ref_to(K::GcpSubnetwork, "name"), "The subnetwork it is taken from.").replaces(),
        attr("address_type", String, "`INTERNAL`.").replaces(),
        LABELS,
    ],
    outputs: &[output("address", Address, "The address reserved.")],
    billing: &[],
};

pub(crate) const FORWARDING_RULE: KindSpec = KindSpec {
    kind: K::GcpForwardingRule,
    name: "gcp_forwarding_rule",
    cloud: Cloud::Gcp,
    api: "Compute `forwardingRules` (Private Service Connect)",
    doc: "A GCP forwarding rule: the Private Service Connect endpoint itself.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        REGION,
        attr("network", ref_to(K::GcpNetwork, "name"), "The network.").replaces(),
        attr(
            "ip_address",
            output_of(K::GcpAddress, "address"),
            "The reserved address (GCP answers the address itself).",
        )
        .replaces(),
        attr("target", String, "The service attachment.").replaces(),
        attr("load_balancing_scheme", String, "Empty, as Private Service Connect requires.").replaces(),
        LABELS,
    ],
    outputs: &[],
    billing: &[hourly("gcp.psc_endpoint")],
};

pub(crate) const DNS_MANAGED_ZONE: KindSpec = KindSpec {
    kind: K::GcpDnsManagedZone,
    name: "gcp_dns_managed_zone",
    cloud: Cloud::Gcp,
    api: "Cloud DNS `managedZones` (private)",
    doc: "A Cloud DNS private managed zone, visible to networks.",
    provisioning_seconds: 0,
    attrs: &[
        NAME,
        attr("dns_name", String, "The zone's domain, with its final dot.").replaces(),
        attr("visibility", String, "`private`.").replaces(),
        attr("networks", List(&ref_to(K::GcpNetwork, "name")), "The networks that see it.").unordered(),
        attr("description", String, "The zone's description (and Isopod's ownership marker)."),
        LABELS,
    ],
    outputs: &[],
    billing: &[monthly("gcp.dns_zone")],
};

pub(crate) const DNS_RECORD_SET: KindSpec = KindSpec {
    kind: K::GcpDnsRecordSet,
    name: "gcp_dns_record_set",
    cloud: Cloud::Gcp,
    api: "Cloud DNS `resourceRecordSets`",
    doc: "A record set in a Cloud DNS managed zone, owned through its zone.",
    provisioning_seconds: 0,
    attrs: &[
        attr("managed_zone", name_of(K::GcpDnsManagedZone), "The zone.").replaces().natural_key(),
        attr("name", String, "The record's name, with its final dot.").replaces().natural_key(),
        attr("type", String, "The record's type (`A`).").replaces().natural_key(),
        attr("ttl", Integer, "Its time to live, in seconds."),
        attr("records", List(&Address), "Its values.").unordered(),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const SUBNETWORK_FLOW_LOGS: KindSpec = KindSpec {
    kind: K::GcpSubnetworkFlowLogs,
    name: "gcp_subnetwork_flow_logs",
    cloud: Cloud::Gcp,
    api: "Compute `subnetworks.patch` (`logConfig`)",
    doc: "The VPC flow logs of a GCP subnetwork: its `logConfig`, turned on and changed by a patch of the \
          subnetwork and turned off when deleted; owned through its subnetwork. GCP delivers them to Cloud Logging.",
    provisioning_seconds: 0,
    attrs: &[
        attr("subnetwork", ref_to(K::GcpSubnetwork, "name"), "The subnetwork logged.").replaces().natural_key(),
        attr("region", String, "Its region.").replaces().natural_key(),
        attr(
            "aggregation_interval",
            String,
            "How long each record aggregates: `INTERVAL_5_SEC` to `INTERVAL_15_MIN`; changes in place.",
        ),
        attr(
            "flow_sampling",
            String,
            "The share of flows logged, a decimal from 0 to 1 as GCP's `flowSampling` keeps it; changes in place.",
        ),
        attr(
            "metadata",
            String,
            "`INCLUDE_ALL_METADATA`: the networks, instances and places `isopod cost` attributes flows by; \
             changes in place.",
        ),
    ],
    outputs: &[],
    billing: &[],
};
