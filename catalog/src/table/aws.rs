//! AWS's kinds: EC2 (VPCs, VPN, transit gateways, peering, endpoints) and Route 53.

use crate::catalogue::AttrType::{Address, Bool, Cidr, Integer, List, Secret, String, Tags};
use crate::catalogue::{
    AttrSpec,
    BilledCount::{EachOf, IfSet},
    KindSpec, attr, hourly, id_anywhere, id_of, monthly, output, output_of, ref_to,
};
use crate::kind::{Cloud, ResourceKind as K};

const TAGS: AttrSpec = attr("tags", Tags, "The tags, `Name` included (ownership tags are written apart).");

pub(crate) const VPC: KindSpec = KindSpec {
    kind: K::AwsVpc,
    name: "aws_vpc",
    cloud: Cloud::Aws,
    api: "EC2 `Vpc` (`CreateVpc`, `ModifyVpcAttribute`)",
    doc: "An AWS VPC.",
    provisioning_seconds: 0,
    attrs: &[
        attr("cidr_block", Cidr, "The primary IPv4 range.").replaces(),
        attr("enable_dns_support", Bool, "Amazon-provided DNS resolution (private hosted zones need it)."),
        attr("enable_dns_hostnames", Bool, "DNS hostnames for instances (endpoints' private DNS needs it)."),
        TAGS,
    ],
    outputs: &[output("main_route_table_id", String, "The id of the VPC's main route table.")],
    billing: &[],
};

pub(crate) const SUBNET: KindSpec = KindSpec {
    kind: K::AwsSubnet,
    name: "aws_subnet",
    cloud: Cloud::Aws,
    api: "EC2 `Subnet` (`CreateSubnet`)",
    doc: "A subnet of an AWS VPC.",
    provisioning_seconds: 0,
    attrs: &[
        attr("vpc_id", id_of(K::AwsVpc), "The VPC.").replaces(),
        attr("cidr_block", Cidr, "The range, inside the VPC's.").replaces().unique(),
        attr("availability_zone", String, "The Availability Zone; AWS picks one when left out.").replaces().computed(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VPN_GATEWAY: KindSpec = KindSpec {
    kind: K::AwsVpnGateway,
    name: "aws_vpn_gateway",
    cloud: Cloud::Aws,
    api: "EC2 `VpnGateway` (`CreateVpnGateway`, `AttachVpnGateway`)",
    doc: "An AWS virtual private gateway, attached to its VPC (one per VPC).",
    provisioning_seconds: 2 * 60,
    attrs: &[
        attr("vpc_id", id_of(K::AwsVpc), "The VPC it is attached to.").replaces(),
        attr("amazon_side_asn", Integer, "The ASN of AWS's side of BGP sessions.").replaces(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VPN_GATEWAY_ROUTE_PROPAGATION: KindSpec = KindSpec {
    kind: K::AwsVpnGatewayRoutePropagation,
    name: "aws_vpn_gateway_route_propagation",
    cloud: Cloud::Aws,
    api: "EC2 route propagation (`EnableVgwRoutePropagation`); cannot be tagged",
    doc: "Propagation of the routes a VPN gateway learns into the VPC's main route table.",
    provisioning_seconds: 0,
    attrs: &[
        // Not holding it: the gateway's deletion detaches it, which ends the propagation.
        attr("vpn_gateway_id", ref_to(K::AwsVpnGateway, "id"), "The VPN gateway whose routes propagate.").natural_key(),
        attr("route_table_id", output_of(K::AwsVpc, "main_route_table_id"), "The route table they go into.")
            .natural_key(),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const CUSTOMER_GATEWAY: KindSpec = KindSpec {
    kind: K::AwsCustomerGateway,
    name: "aws_customer_gateway",
    cloud: Cloud::Aws,
    api: "EC2 `CustomerGateway` (`CreateCustomerGateway`)",
    doc: "An AWS customer gateway: the peer's public address and ASN.",
    provisioning_seconds: 0,
    attrs: &[
        attr("bgp_asn", Integer, "The peer's ASN (2 or 4 bytes).").replaces(),
        attr("ip_address", Address, "The peer's public address.").replaces(),
        attr("type", String, "`ipsec.1`.").replaces(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

/// The options of one tunnel of a VPN connection, `tunnel1_` or `tunnel2_` before each name.
macro_rules! tunnel_options {
    ($prefix:literal) => {
        [
            attr(concat!($prefix, "inside_cidr"), Cidr, "The tunnel's inside /30 (169.254.0.0/16)."),
            attr(concat!($prefix, "preshared_key"), Secret, "The tunnel's pre-shared key."),
            attr(concat!($prefix, "ike_versions"), List(&String), "The IKE versions it permits.").unordered(),
            attr(concat!($prefix, "phase1_encryption_algorithms"), List(&String), "IKE SA ciphers.").unordered(),
            attr(concat!($prefix, "phase2_encryption_algorithms"), List(&String), "Child SA ciphers.").unordered(),
            attr(concat!($prefix, "phase1_integrity_algorithms"), List(&String), "IKE SA integrity.").unordered(),
            attr(concat!($prefix, "phase2_integrity_algorithms"), List(&String), "Child SA integrity.").unordered(),
            attr(concat!($prefix, "phase1_dh_group_numbers"), List(&Integer), "IKE SA DH groups.").unordered(),
            attr(concat!($prefix, "phase2_dh_group_numbers"), List(&Integer), "Child SA DH groups.").unordered(),
            attr(concat!($prefix, "phase1_lifetime_seconds"), Integer, "The IKE SA's lifetime."),
            attr(concat!($prefix, "phase2_lifetime_seconds"), Integer, "The child SA's lifetime."),
            attr(concat!($prefix, "dpd_timeout_seconds"), Integer, "Dead peer detection's timeout."),
        ]
    };
}

const TUNNEL1: [AttrSpec; 12] = tunnel_options!("tunnel1_");
const TUNNEL2: [AttrSpec; 12] = tunnel_options!("tunnel2_");

/// A VPN connection's own attributes, then each tunnel's options.
const VPN_CONNECTION_ATTRS: [AttrSpec; 30] = {
    let own = [
        attr("vpn_gateway_id", id_of(K::AwsVpnGateway), "The virtual private gateway, or none.").replaces(),
        attr("transit_gateway_id", id_of(K::AwsTransitGateway), "The transit gateway, or none.").replaces(),
        attr("customer_gateway_id", id_of(K::AwsCustomerGateway), "The peer.").replaces(),
        attr("type", String, "`ipsec.1`.").replaces(),
        attr("static_routes_only", Bool, "Static routing (no BGP).").replaces(),
        TAGS,
    ];
    let mut all = [TAGS; 30];
    let mut n = 0;
    while n < 6 {
        all[n] = own[n];
        n += 1;
    }
    while n < 18 {
        all[n] = TUNNEL1[n - 6];
        all[n + 12] = TUNNEL2[n - 6];
        n += 1;
    }
    all
};

pub(crate) const VPN_CONNECTION: KindSpec = KindSpec {
    kind: K::AwsVpnConnection,
    name: "aws_vpn_connection",
    cloud: Cloud::Aws,
    api: "EC2 `VpnConnection` (`CreateVpnConnection`, `ModifyVpnTunnelOptions`)",
    doc: "An AWS site-to-site VPN connection: two tunnels with their options, changed in place.",
    provisioning_seconds: 5 * 60,
    attrs: &VPN_CONNECTION_ATTRS,
    outputs: &[
        output("tunnel1_address", Address, "AWS's outside address of the first tunnel."),
        output("tunnel2_address", Address, "AWS's outside address of the second tunnel."),
    ],
    billing: &[
        hourly("aws.vpn_connection"),
        hourly("aws.transit_gateway_attachment").counted(IfSet("transit_gateway_id")),
    ],
};

pub(crate) const VPC_PEERING_CONNECTION: KindSpec = KindSpec {
    kind: K::AwsVpcPeeringConnection,
    name: "aws_vpc_peering_connection",
    cloud: Cloud::Aws,
    api: "EC2 `VpcPeeringConnection` (`CreateVpcPeeringConnection`)",
    doc: "An AWS VPC peering connection, requested from one VPC to another (any region, account).",
    provisioning_seconds: 30,
    attrs: &[
        attr("vpc_id", ref_to(K::AwsVpc, "id"), "The requester VPC.").replaces(),
        attr("peer_vpc_id", id_anywhere(K::AwsVpc), "The accepter VPC.").replaces(),
        attr("peer_region", String, "The accepter VPC's region.").replaces(),
        attr("peer_owner_id", String, "The accepter's account; the requester's when left out.").replaces().computed(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VPC_PEERING_CONNECTION_ACCEPTER: KindSpec = KindSpec {
    kind: K::AwsVpcPeeringConnectionAccepter,
    name: "aws_vpc_peering_connection_accepter",
    cloud: Cloud::Aws,
    api: "EC2 `AcceptVpcPeeringConnection`, in the accepter's region and account",
    doc: "The accepter side of an AWS VPC peering connection.",
    provisioning_seconds: 0,
    attrs: &[
        attr("vpc_peering_connection_id", id_anywhere(K::AwsVpcPeeringConnection), "The peering accepted.").replaces(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const ROUTE: KindSpec = KindSpec {
    kind: K::AwsRoute,
    name: "aws_route",
    cloud: Cloud::Aws,
    api: "EC2 route (`CreateRoute`, `ReplaceRoute`); cannot be tagged",
    doc: "A route in an AWS route table, owned through its target.",
    provisioning_seconds: 0,
    attrs: &[
        attr("route_table_id", output_of(K::AwsVpc, "main_route_table_id"), "The route table.").natural_key(),
        attr("destination_cidr_block", Cidr, "The destination.").natural_key().unique(),
        attr("vpc_peering_connection_id", id_anywhere(K::AwsVpcPeeringConnection), "The target, a peering."),
        attr("transit_gateway_id", ref_to(K::AwsTransitGateway, "id"), "The target, a transit gateway."),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VPN_CONNECTION_ROUTE: KindSpec = KindSpec {
    kind: K::AwsVpnConnectionRoute,
    name: "aws_vpn_connection_route",
    cloud: Cloud::Aws,
    api: "EC2 `CreateVpnConnectionRoute`; cannot be tagged",
    doc: "A static route of an AWS VPN connection (static routing only).",
    provisioning_seconds: 0,
    attrs: &[
        attr("vpn_connection_id", ref_to(K::AwsVpnConnection, "id"), "The VPN connection.").natural_key(),
        attr("destination_cidr_block", Cidr, "The peer's range.").natural_key().unique(),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const SECURITY_GROUP: KindSpec = KindSpec {
    kind: K::AwsSecurityGroup,
    name: "aws_security_group",
    cloud: Cloud::Aws,
    api: "EC2 `SecurityGroup` (`CreateSecurityGroup`, `AuthorizeSecurityGroupIngress`)",
    doc: "The security group of an AWS interface endpoint, admitting the ranges that use it.",
    provisioning_seconds: 0,
    attrs: &[
        attr("vpc_id", id_of(K::AwsVpc), "The VPC.").replaces(),
        attr("name", String, "The group's name, unique in its VPC.").replaces().unique(),
        attr("description", String, "The group's description.").replaces(),
        attr("ingress_cidr_blocks", List(&Cidr), "The ranges admitted (TCP 443 and the service's ports).").unordered(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const VPC_ENDPOINT: KindSpec = KindSpec {
    kind: K::AwsVpcEndpoint,
    name: "aws_vpc_endpoint",
    cloud: Cloud::Aws,
    api: "EC2 `VpcEndpoint` of type `Interface` (`CreateVpcEndpoint`, `ModifyVpcEndpoint`)",
    doc: "An AWS interface VPC endpoint (PrivateLink).",
    provisioning_seconds: 2 * 60,
    attrs: &[
        attr("vpc_id", id_of(K::AwsVpc), "The VPC.").replaces(),
        attr("service_name", String, "The endpoint service (`com.amazonaws.vpce...`).").replaces(),
        attr("vpc_endpoint_type", String, "`Interface`.").replaces(),
        attr("subnet_ids", List(&id_of(K::AwsSubnet)), "One subnet per zone it serves.").unordered(),
        attr("security_group_ids", List(&id_of(K::AwsSecurityGroup)), "Its security groups.").unordered(),
        attr("private_dns_enabled", Bool, "Whether the service's own name resolves to it in the VPC."),
        TAGS,
    ],
    outputs: &[output("ip_addresses", List(&Address), "Its private addresses, one per subnet.")],
    billing: &[hourly("aws.interface_endpoint").counted(EachOf("subnet_ids"))],
};

pub(crate) const TRANSIT_GATEWAY: KindSpec = KindSpec {
    kind: K::AwsTransitGateway,
    name: "aws_transit_gateway",
    cloud: Cloud::Aws,
    api: "EC2 `TransitGateway` (`CreateTransitGateway`, `ModifyTransitGateway`)",
    doc: "An AWS transit gateway: a regional router that VPN connections and VPCs attach to, for a \
          VPC with more VPN connections than a virtual private gateway takes.",
    provisioning_seconds: 3 * 60,
    attrs: &[
        // ModifyTransitGateway cannot change the ASN while dynamic VPN attachments exist.
        attr("amazon_side_asn", Integer, "The ASN of AWS's side of BGP sessions.").replaces(),
        attr("vpn_ecmp_support", String, "`enable`: equal-cost multipath over VPN tunnels."),
        attr("default_route_table_association", String, "`enable`: attachments join the default table."),
        attr("default_route_table_propagation", String, "`enable`: attachments propagate into it."),
        attr("dns_support", String, "`enable`: DNS resolution across attached VPCs."),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const TRANSIT_GATEWAY_VPC_ATTACHMENT: KindSpec = KindSpec {
    kind: K::AwsTransitGatewayVpcAttachment,
    name: "aws_transit_gateway_vpc_attachment",
    cloud: Cloud::Aws,
    api: "EC2 `TransitGatewayVpcAttachment` (`CreateTransitGatewayVpcAttachment`, `Modify...`)",
    doc: "The attachment of a VPC to a transit gateway, in one subnet per Availability Zone.",
    provisioning_seconds: 2 * 60,
    attrs: &[
        attr("transit_gateway_id", id_of(K::AwsTransitGateway), "The transit gateway.").replaces(),
        attr("vpc_id", id_of(K::AwsVpc), "The VPC.").replaces(),
        attr("subnet_ids", List(&id_of(K::AwsSubnet)), "One subnet per zone; changed in place.").unordered(),
        TAGS,
    ],
    outputs: &[],
    billing: &[hourly("aws.transit_gateway_attachment")],
};

pub(crate) const ROUTE53_ZONE: KindSpec = KindSpec {
    kind: K::AwsRoute53Zone,
    name: "aws_route53_zone",
    cloud: Cloud::Aws,
    api: "Route 53 private `HostedZone` (`CreateHostedZone` with a VPC)",
    doc: "A Route 53 private hosted zone, associated with a VPC.",
    provisioning_seconds: 60,
    attrs: &[
        attr("name", String, "The zone's domain.").replaces(),
        attr("vpc_id", ref_to(K::AwsVpc, "id"), "The VPC it resolves in.").replaces(),
        attr("vpc_region", String, "The VPC's region.").replaces(),
        attr("comment", String, "The zone's comment."),
        TAGS,
    ],
    outputs: &[],
    billing: &[monthly("aws.route53_zone")],
};

pub(crate) const ROUTE53_RECORD: KindSpec = KindSpec {
    kind: K::AwsRoute53Record,
    name: "aws_route53_record",
    cloud: Cloud::Aws,
    api: "Route 53 `ResourceRecordSet` (`ChangeResourceRecordSets`, `UPSERT`); cannot be tagged",
    doc: "A record in a Route 53 hosted zone, owned through its zone.",
    provisioning_seconds: 0,
    attrs: &[
        attr("zone_id", id_of(K::AwsRoute53Zone), "The hosted zone.").natural_key(),
        attr("name", String, "The record's name.").natural_key(),
        attr("type", String, "The record's type (`A`).").natural_key(),
        attr("ttl", Integer, "Its time to live, in seconds."),
        attr("records", List(&String), "Its values.").unordered(),
    ],
    outputs: &[],
    billing: &[],
};

pub(crate) const FLOW_LOG: KindSpec = KindSpec {
    kind: K::AwsFlowLog,
    name: "aws_flow_log",
    cloud: Cloud::Aws,
    api: "EC2 `FlowLog` (`CreateFlowLogs` to S3, `DeleteFlowLogs`); only its tags change in place",
    doc: "An AWS VPC flow log: every flow of the VPC's interfaces, delivered to an S3 bucket in the custom format `isopod flows` and `isopod cost` read.",
    provisioning_seconds: 0,
    attrs: &[
        attr("resource_id", ref_to(K::AwsVpc, "id"), "The VPC logged.").replaces(),
        attr("traffic_type", String, "`ALL`: accepted and rejected traffic.").replaces(),
        attr("log_destination_type", String, "`s3`.").replaces(),
        attr("log_destination", String, "The bucket's ARN, with an optional prefix.").replaces(),
        attr("log_format", String, "The record's fields, `${version} ${account-id} ...`.").replaces(),
        attr("max_aggregation_interval", Integer, "Seconds each record aggregates: 60 or 600.").replaces(),
        TAGS,
    ],
    outputs: &[],
    billing: &[],
};
