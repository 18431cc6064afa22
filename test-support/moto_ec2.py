"""moto's EC2 server with the VPN paths moto leaves out filled in, for Isopod's tests.

moto 5.2.5 ignores a VPN connection's options (static routing, each tunnel's inside range,
key and IKE options) and answers HTTP 500 to CreateVpnConnectionRoute,
DeleteVpnConnectionRoute, EnableVgwRoutePropagation, DisableVgwRoutePropagation and
ModifyVpnTunnelOptions. This launcher keeps the options as EC2 does (each tunnel gets an outside
address of its own) and implements those five calls on moto's own objects, shaped like EC2's
documented responses. It also makes DescribeVpcPeeringConnections apply its tag filters (moto
ignores them) and show, in each region, the tags written in that region (as EC2 does for a
cross-region peering; moto shows the requester region's), and keeps the tags a transit gateway
VPC attachment is created with (moto drops them), and answers EC2's NotFound error to deleting a
transit gateway or attachment that is gone (moto answers HTTP 500). Everything else is moto's. The book's
testing page lists the gaps.

    python moto_ec2.py -H 127.0.0.1 -p PORT
"""

import hashlib
import sys

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import EC2ClientError, InvalidParameterValue, InvalidTransitGatewayID
from moto.ec2.responses.vpn_connections import VPNConnections
from moto.ec2.responses.route_tables import RouteTables
from moto.ec2.responses.vpc_peering_connections import VPCPeeringConnections
from moto.ec2.responses.transit_gateway_attachments import TransitGatewayAttachment
from moto.ec2.responses.transit_gateways import TransitGateways
from moto.ec2.models.vpn_connections import VPNConnection
from moto.server import main

# Tunnel option fields as CreateVpnConnection takes them and DescribeVpnConnections returns them.
SCALARS = [
    "TunnelInsideCidr",
    "PreSharedKey",
    "Phase1LifetimeSeconds",
    "Phase2LifetimeSeconds",
    "RekeyMarginTimeSeconds",
    "RekeyFuzzPercentage",
    "ReplayWindowSize",
    "DpdTimeoutSeconds",
    "DpdTimeoutAction",
    "StartupAction",
]
LISTS = [
    "Phase1EncryptionAlgorithms",
    "Phase2EncryptionAlgorithms",
    "Phase1IntegrityAlgorithms",
    "Phase2IntegrityAlgorithms",
    "Phase1DHGroupNumbers",
    "Phase2DHGroupNumbers",
    "IKEVersions",
]


def as_list(value):
    """A query-protocol list parsed by moto: a list, or a dict keyed by position."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 0)]
    return list(value)


def outside_address(connection_id, n):
    """A stable public-looking address per connection and tunnel."""
    digest = hashlib.sha256(f"{connection_id}/{n}".encode()).digest()
    return f"52.{digest[0]}.{digest[1]}.{n}"


def apply_tunnel_options(tunnel, requested):
    for field in SCALARS:
        # The request spells the DPD fields DPD..., the response Dpd...
        sent = field.replace("Dpd", "DPD")
        value = requested.get(field, requested.get(sent))
        if value is not None:
            tunnel[field] = value
    for field in LISTS:
        items = as_list(requested.get(field))
        if items:
            # The request calls it IKEVersions, the response IkeVersions.
            returned = "IkeVersions" if field == "IKEVersions" else field
            tunnel[returned] = [{"Value": item["Value"] if isinstance(item, dict) else item} for item in items]


original_create = VPNConnections.create_vpn_connection


def create_vpn_connection(self):
    result = original_create(self)
    connection = result.result["VpnConnection"]
    requested = self._get_param("Options") or {}
    tunnels = []
    for n, options in enumerate((as_list(requested.get("TunnelOptions")) + [{}, {}])[:2], start=1):
        tunnel = {"OutsideIpAddress": outside_address(connection.id, n)}
        apply_tunnel_options(tunnel, options or {})
        tunnels.append(tunnel)
    static = str(requested.get("StaticRoutesOnly", "false")).lower() == "true"
    connection.options = {"StaticRoutesOnly": static, "TunnelOptions": tunnels}
    connection.routes = []
    return result


def connection_of(self):
    connection_id = self._get_param("VpnConnectionId")
    return self.ec2_backend.describe_vpn_connections(vpn_connection_ids=[connection_id])[0]


def modify_vpn_tunnel_options(self):
    connection = connection_of(self)
    address = self._get_param("VpnTunnelOutsideIpAddress")
    tunnels = (connection.options or {}).get("TunnelOptions", [])
    tunnel = next((t for t in tunnels if t.get("OutsideIpAddress") == address), None)
    if tunnel is None:
        raise InvalidParameterValue(f"no tunnel with the outside address {address}")
    apply_tunnel_options(tunnel, self._get_param("TunnelOptions") or {})
    return ActionResult({"VpnConnection": connection})


def create_vpn_connection_route(self):
    connection = connection_of(self)
    destination = self._get_param("DestinationCidrBlock")
    routes = [r for r in connection.routes if r["DestinationCidrBlock"] != destination]
    routes.append({"DestinationCidrBlock": destination, "Source": "Static", "State": "available"})
    connection.routes = routes
    return EmptyResult()


def delete_vpn_connection_route(self):
    connection = connection_of(self)
    destination = self._get_param("DestinationCidrBlock")
    connection.routes = [r for r in connection.routes if r["DestinationCidrBlock"] != destination]
    return EmptyResult()


def propagation(self, enable):
    table = self.ec2_backend.get_route_table(self._get_param("RouteTableId"))
    gateway = self._get_param("GatewayId")
    self.ec2_backend.get_vpn_gateway(gateway)
    current = [g for g in getattr(table, "propagating_vgws", []) if g["GatewayId"] != gateway]
    table.propagating_vgws = current + ([{"GatewayId": gateway}] if enable else [])
    return EmptyResult()


class RegionalPeering:
    """A peering connection as one region sees it: with the tags written in that region."""

    def __init__(self, connection, backend):
        self._connection = connection
        self._backend = backend

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def get_tags(self):
        return self._backend.describe_tags(filters={"resource-id": [self._connection.id]})

    @property
    def tags(self):
        return self.get_tags()

    @property
    def tag_set(self):
        return self.get_tags()

    @property
    def tag_list(self):
        return self.get_tags()


def describe_vpc_peering_connections(self):
    ids = self._get_param("VpcPeeringConnectionIds", [])
    found = self.ec2_backend.describe_vpc_peering_connections(vpc_peering_ids=ids)
    views = [RegionalPeering(connection, self.ec2_backend) for connection in found]
    for name, values in self._filters_from_querystring().items():
        if name == "tag-key":
            views = [v for v in views if any(t["key"] in values for t in v.get_tags())]
        elif name.startswith("tag:"):
            key = name[len("tag:"):]
            views = [v for v in views if any(t["key"] == key and t["value"] in values for t in v.get_tags())]
    return ActionResult({"VpcPeeringConnections": views})


def create_transit_gateway_vpc_attachment(self):
    """moto's, with the tags of the `transit-gateway-attachment` specification, which EC2 takes
    (moto reads those of a `transit-gateway-route-table` one, so an attachment keeps no tag)."""
    tags = self._parse_tag_specification().get("transit-gateway-attachment", {})
    attachment = self.ec2_backend.create_transit_gateway_vpc_attachment(
        transit_gateway_id=self._get_param("TransitGatewayId"),
        tags=tags,
        vpc_id=self._get_param("VpcId"),
        subnet_ids=self._get_param("SubnetIds", []),
        options=self._get_param("Options", {}),
    )
    return ActionResult({"TransitGatewayVpcAttachment": attachment})


class InvalidTransitGatewayAttachmentID(EC2ClientError):
    def __init__(self, attachment_id):
        super().__init__(
            "InvalidTransitGatewayAttachmentID.NotFound",
            f"Transit Gateway Attachment {attachment_id} was deleted or does not exist.",
        )


def refusing_unknown(delete, param, known, error):
    """moto's `delete`, answering EC2's `*.NotFound` error for an id it does not hold (moto
    answers HTTP 500, a KeyError, for one deleted already)."""

    def wrapped(self):
        wanted = self._get_param(param)
        if wanted not in known(self.ec2_backend):
            raise error(wanted)
        return delete(self)

    return wrapped


VPCPeeringConnections.describe_vpc_peering_connections = describe_vpc_peering_connections
TransitGatewayAttachment.delete_transit_gateway_vpc_attachment = refusing_unknown(
    TransitGatewayAttachment.delete_transit_gateway_vpc_attachment,
    "TransitGatewayAttachmentId",
    lambda backend: backend.transit_gateway_attachments,
    InvalidTransitGatewayAttachmentID,
)
TransitGateways.delete_transit_gateway = refusing_unknown(
    TransitGateways.delete_transit_gateway,
    "TransitGatewayId",
    lambda backend: backend.transit_gateways,
    InvalidTransitGatewayID,
)
TransitGatewayAttachment.create_transit_gateway_vpc_attachment = create_transit_gateway_vpc_attachment
VPNConnection.options = None
VPNConnection.routes = []
VPNConnections.create_vpn_connection = create_vpn_connection
VPNConnections.modify_vpn_tunnel_options = modify_vpn_tunnel_options
VPNConnections.create_vpn_connection_route = create_vpn_connection_route
VPNConnections.delete_vpn_connection_route = delete_vpn_connection_route
RouteTables.enable_vgw_route_propagation = lambda self: propagation(self, True)
RouteTables.disable_vgw_route_propagation = lambda self: propagation(self, False)

if __name__ == "__main__":
    main(sys.argv[1:])
