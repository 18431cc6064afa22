"""VPN: virtual network gateways, local network gateways and connections (Microsoft.Network
2024-03-01), as https://learn.microsoft.com/azure/vpn-gateway/ ("VPN Gateway settings",
"About BGP", "Configure custom IPsec/IKE policy", "Active-active gateways") and
https://learn.microsoft.com/rest/api/network-gateway document them:

- a virtual network gateway's `ipConfigurations` each name the `GatewaySubnet` of one virtual
  network (400 `InvalidGatewaySubnet`, the emulator's code), of /27 or larger, as Microsoft
  recommends and Isopod needs (400 `GatewaySubnetTooSmall`, the emulator's code), and a public
  IP address that exists, has succeeded (400 `ReferencedResourceNotProvisioned`) and no other
  gateway uses (400 `PublicIPAddressInUse`); an active-active gateway has two, another one (400
  `InvalidActiveActiveIpConfigurations`); a network has at most one gateway of a type (400
  `VirtualNetworkGatewayExists`). BGP: the ASN is not one Azure reserves (400 `InvalidBgpAsn`),
  `bgpPeeringAddresses[].ipconfigurationId` names one of its IP configurations and each
  `customBgpIpAddresses` is in 169.254.21.0-169.254.22.255 (400 `InvalidCustomBgpIpAddress`).
  Once it has succeeded it shows its private addresses (from the GatewaySubnet), its
  `bgpPeeringAddress`, and per instance `defaultBgpIpAddresses` and `tunnelIpAddresses`;
- a local network gateway has a `gatewayIpAddress` or an `fqdn` (400
  `LocalNetworkGatewayAddressMissing`, the emulator's code);
- a connection (`IPsec` to a local network gateway, or `Vnet2Vnet`; other types answer 501)
  needs both of its gateways `Succeeded` (400 `ReferencedResourceNotProvisioned`); `enableBgp`
  needs BGP on both sides; its `gatewayCustomBgpIpAddresses` give one of the gateway's custom
  addresses for each of its IP configurations (400 `InvalidGatewayCustomBgpIpAddress`); it has
  at most one IPsec policy. Its `sharedKey` (generated when none is given) is never shown but by
  `GET .../connections/{name}/sharedkey`. With no data plane, a connection that has succeeded
  shows `connectionStatus` `Connected`, and its BGP peer is `Connected` in the gateway's
  `getBgpPeerStatus` (a long-running POST);
- a gateway and its connections take one operation at a time between them, so two connections
  of one gateway are not created or changed at once either (409 `AnotherOperationInProgress`); a gateway or a local network gateway with connections cannot be
  deleted (400 `InUseVirtualNetworkGatewayCannotBeDeleted`, `InUseLocalNetworkGatewayCannot
  BeDeleted`, the emulator's codes).
"""

import ipaddress

from . import azure_network
from .azure_model import Kind, arm_error, bad_request, child_id, id_key, reference, register
from .server import Reply

RESERVED_ASNS = {8074, 8075, 12076, 23456, 65515, 65517, 65518, 65519, 65520}
APIPA = (ipaddress.ip_network("169.254.21.0/24"), ipaddress.ip_network("169.254.22.0/24"))
DEFAULT_ASN = 65515


def not_provisioned(resource, user_id, operation):
    return bad_request("ReferencedResourceNotProvisioned", f"Cannot proceed with operation because resource "
                       f"{resource.id} used by resource {user_id} is not in Succeeded state. Resource is in "
                       f"{resource.state} state and the last operation that updated/is updating the resource is "
                       f"{operation}.")


def address(value, target):
    try:
        return ipaddress.ip_address(value)
    except (TypeError, ValueError):
        raise bad_request("InvalidIPAddress", f"{value} is not a valid IP address (in {target}).", target)


# Virtual network gateways.

def prepare_gateway(model, gateway, body, old):
    props = azure_network.properties(body)
    if props.get("gatewayType") != "Vpn":
        raise arm_error(501, "NotImplemented", "The emulator models only gateways of type Vpn.")
    props.setdefault("vpnType", "RouteBased")
    props.setdefault("activeActive", False)
    props.setdefault("enableBgp", False)
    if not props.get("sku"):
        raise bad_request("InvalidRequestFormat", f"Virtual network gateway {gateway.id} needs a sku.")
    configurations = props.get("ipConfigurations") or []
    wanted = 2 if props["activeActive"] else 1
    if len(configurations) != wanted:
        raise bad_request("InvalidActiveActiveIpConfigurations", f"Virtual network gateway {gateway.id} with "
                          f"activeActive {str(props['activeActive']).lower()} must have {wanted} IP configurations, "
                          f"not {len(configurations)}.")
    subnets = set()
    for configuration in configurations:
        check_configuration(model, gateway, configuration, subnets)
    if len(subnets) > 1:
        raise bad_request("InvalidGatewaySubnet", f"The IP configurations of {gateway.id} name different subnets.")
    subnet = model.get(subnets.pop())
    for other in model.referrers(subnet.id):
        if other[1] is not gateway and other[1].kind is VIRTUAL_NETWORK_GATEWAY:
            raise bad_request("VirtualNetworkGatewayExists", f"Virtual network {subnet.parent.id} already has the "
                              f"gateway {other[1].id}.")
    check_bgp(gateway, props, {c["id"].lower() for c in configurations})
    return body


def check_configuration(model, gateway, configuration, subnets):
    name = configuration.get("name")
    if not name:
        raise bad_request("InvalidRequestFormat", f"An IP configuration of {gateway.id} has no name.")
    configuration["id"] = child_id(gateway.id, "ipConfigurations", name)
    conf = configuration.setdefault("properties", {})
    conf.setdefault("privateIPAllocationMethod", "Dynamic")
    subnet = model.require(reference(configuration, "properties", "subnet"), configuration["id"], azure_network.SUBNET)
    if subnet.name.lower() != "gatewaysubnet":
        raise bad_request("InvalidGatewaySubnet", f"Subnet {subnet.id} referenced by {configuration['id']} must be "
                          "named GatewaySubnet.")
    ranges = azure_network.subnet_ranges(subnet.body, subnet.id)
    if ranges[0].prefixlen > 27:
        raise bad_request("GatewaySubnetTooSmall", f"The GatewaySubnet {subnet.id} has the prefix {ranges[0]}: a "
                          "gateway needs /27 or larger.")
    conf["subnet"] = {"id": subnet.id}
    subnets.add(subnet.id)
    public = model.require(reference(configuration, "properties", "publicIPAddress"), configuration["id"],
                           azure_network.PUBLIC_IP)
    if public.state != "Succeeded":
        raise not_provisioned(public, gateway.id, "PutPublicIpAddressOperation")
    for path, user in model.referrers(public.id):
        if user is not gateway:
            raise bad_request("PublicIPAddressInUse", f"Public IP address {public.id} is already used by {path}.")
    conf["publicIPAddress"] = {"id": public.id}


def check_bgp(gateway, props, configuration_ids):
    bgp = props.setdefault("bgpSettings", {})
    bgp.setdefault("asn", DEFAULT_ASN)
    bgp.setdefault("peerWeight", 0)
    if bgp["asn"] in RESERVED_ASNS - {DEFAULT_ASN}:
        raise bad_request("InvalidBgpAsn", f"The ASN {bgp['asn']} of {gateway.id} is reserved by Azure.")
    for peering in bgp.get("bgpPeeringAddresses") or []:
        if (peering.get("ipconfigurationId") or "").lower() not in configuration_ids:
            raise bad_request("InvalidCustomBgpIpAddress", f"bgpPeeringAddresses of {gateway.id} names "
                              f"{peering.get('ipconfigurationId')}, not one of its IP configurations.")
        for custom in peering.get("customBgpIpAddresses") or []:
            if not any(address(custom, gateway.id) in apipa for apipa in APIPA):
                raise bad_request("InvalidCustomBgpIpAddress", f"The custom BGP IP address {custom} of {gateway.id} "
                                  "is not in the APIPA range 169.254.21.0 to 169.254.22.255.")


def gateway_complete(model, gateway):
    for configuration in gateway.body["properties"]["ipConfigurations"]:
        if configuration["name"] in gateway.hidden.setdefault("private", {}):
            continue
        subnet = model.get(configuration["properties"]["subnet"]["id"])
        pool = azure_network.subnet_ranges(subnet.body, subnet.id)[0]
        found = model.allocate(subnet.id.lower(), pool, head=4, tail=1)
        if found is None:
            raise bad_request("SubnetIsFull", f"Subnet {subnet.name} with address prefix {pool} does not have "
                              "enough capacity for the gateway.")
        gateway.hidden["private"][configuration["name"]] = (subnet.id.lower(), found)


def render_gateway(model, gateway, body):
    props = body["properties"]
    private = gateway.hidden.get("private", {})
    given = {(p.get("ipconfigurationId") or "").lower(): p for p in props["bgpSettings"].get("bgpPeeringAddresses", [])}
    peerings = []
    for configuration in props["ipConfigurations"]:
        configuration["properties"]["provisioningState"] = gateway.state
        if configuration["name"] not in private:
            continue
        own = private[configuration["name"]][1]
        configuration["properties"]["privateIPAddress"] = own
        public = model.get(configuration["properties"]["publicIPAddress"]["id"])
        peerings.append({"ipconfigurationId": configuration["id"], "defaultBgpIpAddresses": [own],
                         "customBgpIpAddresses": given.get(configuration["id"].lower(), {}).get(
                             "customBgpIpAddresses", []),
                         "tunnelIpAddresses": [public.hidden["ipAddress"]] if public and public.hidden.get(
                             "ipAddress") else []})
    if peerings:
        props["bgpSettings"]["bgpPeeringAddresses"] = peerings
        props["bgpSettings"]["bgpPeeringAddress"] = ",".join(p["defaultBgpIpAddresses"][0] for p in peerings)


def gateway_references(gateway):
    found = []
    for configuration in gateway.body["properties"]["ipConfigurations"]:
        found.append((configuration["id"], configuration["properties"]["subnet"]["id"]))
        found.append((configuration["id"], configuration["properties"]["publicIPAddress"]["id"]))
    return found


def connections_of(model, gateway):
    return [user for _, user in model.referrers(gateway.id) if user.kind is CONNECTION]


def gateway_users(model, gateway):
    return [("InUseVirtualNetworkGatewayCannotBeDeleted", f"Virtual network gateway {gateway.id} cannot be deleted: "
             f"the connection {connection.id} uses it.") for connection in connections_of(model, gateway)][:1]


def gateway_deleted(model, gateway):
    for pool, found in gateway.hidden.get("private", {}).values():
        model.release(pool, found)


VIRTUAL_NETWORK_GATEWAY = register(Kind(
    "Microsoft.Network/virtualNetworkGateways", "virtualNetworkGateways", "network", "VirtualNetworkGateway",
    serialised=True, resource_guid=True, prepare=prepare_gateway, complete=gateway_complete, render=render_gateway,
    users=gateway_users, conflicts=connections_of, deleted=gateway_deleted, references=gateway_references))


# Local network gateways.

def prepare_local_gateway(model, local, body, old):
    props = azure_network.properties(body)
    if not props.get("gatewayIpAddress") and not props.get("fqdn"):
        raise bad_request("LocalNetworkGatewayAddressMissing", f"Local network gateway {local.id} needs a "
                          "gatewayIpAddress or an fqdn.")
    if props.get("gatewayIpAddress"):
        address(props["gatewayIpAddress"], local.id)
    space = props.setdefault("localNetworkAddressSpace", {"addressPrefixes": []})
    azure_network.prefixes(space.get("addressPrefixes"), local.id)
    bgp = props.get("bgpSettings")
    if bgp and bgp.get("bgpPeeringAddress"):
        address(bgp["bgpPeeringAddress"], local.id)
    return body


def local_gateway_users(model, local):
    return [("InUseLocalNetworkGatewayCannotBeDeleted", f"Local network gateway {local.id} cannot be deleted: the "
             f"connection {user.id} uses it.") for _, user in model.referrers(local.id)][:1]


LOCAL_NETWORK_GATEWAY = register(Kind(
    "Microsoft.Network/localNetworkGateways", "localNetworkGateways", "network", "LocalNetworkGateway",
    resource_guid=True, prepare=prepare_local_gateway, users=local_gateway_users))


# Connections.

def prepare_connection(model, connection, body, old):
    props = azure_network.properties(body)
    kind = props["connectionType"]
    if kind not in ("IPsec", "Vnet2Vnet"):
        raise arm_error(501, "NotImplemented", "The emulator models only IPsec and Vnet2Vnet connections.")
    gateway = model.require(reference(body, "properties", "virtualNetworkGateway1"), connection.id,
                            VIRTUAL_NETWORK_GATEWAY)
    member, peer_kind = (("localNetworkGateway2", LOCAL_NETWORK_GATEWAY) if kind == "IPsec"
                         else ("virtualNetworkGateway2", VIRTUAL_NETWORK_GATEWAY))
    peer = model.require(reference(body, "properties", member), connection.id, peer_kind)
    if old is not None and (id_key(reference(old.body, "properties", "virtualNetworkGateway1")) != id_key(gateway.id)
                            or id_key(reference(old.body, "properties", member) or "") != id_key(peer.id)):
        raise bad_request("CannotChangeConnectionGateways", f"The gateways of connection {connection.id} cannot "
                          "change.")
    for side, operation in ((gateway, "PutVirtualNetworkGatewayOperation"),
                            (peer, f"Put{peer_kind.segment[0].upper()}{peer_kind.segment[1:-1]}Operation")):
        if side.state != "Succeeded" and (old is None or side.busy is None):
            raise not_provisioned(side, connection.id, operation)
    props["virtualNetworkGateway1"], props[member] = {"id": gateway.id}, {"id": peer.id}
    if props.get("enableBgp"):
        check_bgp_connection(connection, gateway, peer)
    check_custom_addresses(connection, gateway, props.get("gatewayCustomBgpIpAddresses") or [])
    if len(props.get("ipsecPolicies") or []) > 1:
        raise bad_request("InvalidIpsecPolicies", f"Connection {connection.id} can have one IPsec policy only.")
    shared_key = props.pop("sharedKey", None)
    connection.hidden["sharedKey"] = shared_key or connection.hidden.get("sharedKey") or model.guid().replace("-", "")
    for name, default in (("connectionProtocol", "IKEv2"), ("routingWeight", 0), ("dpdTimeoutSeconds", 45),
                          ("connectionMode", "Default"), ("enableBgp", False), ("usePolicyBasedTrafficSelectors",
                          False), ("useLocalAzureIpAddress", False), ("expressRouteGatewayBypass", False),
                          ("enablePrivateLinkFastPath", False), ("ipsecPolicies", []),
                          ("trafficSelectorPolicies", [])):
        props.setdefault(name, default)
    return body


def check_bgp_connection(connection, gateway, peer):
    if not gateway.body["properties"].get("enableBgp"):
        raise bad_request("BgpNotEnabledOnGateway", f"Connection {connection.id} enables BGP but its gateway "
                          f"{gateway.id} does not.")
    bgp = peer.body["properties"].get("bgpSettings") or {}
    if peer.kind is LOCAL_NETWORK_GATEWAY and not (bgp.get("asn") and bgp.get("bgpPeeringAddress")):
        raise bad_request("BgpNotEnabledOnGateway", f"Connection {connection.id} enables BGP but the local network "
                          f"gateway {peer.id} has no bgpSettings (asn and bgpPeeringAddress).")


def check_custom_addresses(connection, gateway, customs):
    """`gatewayCustomBgpIpAddresses`: none, or one per IP configuration of the gateway, each one of
    that configuration's custom BGP addresses."""
    if not customs:
        return
    configured = {(p.get("ipconfigurationId") or "").lower(): p.get("customBgpIpAddresses") or []
                  for p in gateway.body["properties"]["bgpSettings"].get("bgpPeeringAddresses") or []}
    named = [c["ipConfigurationId"].lower() for c in customs]
    wanted = sorted(c["id"].lower() for c in gateway.body["properties"]["ipConfigurations"])
    if sorted(named) != wanted:
        raise bad_request("InvalidGatewayCustomBgpIpAddress", f"gatewayCustomBgpIpAddresses of {connection.id} must "
                          f"name each IP configuration of {gateway.id} once.")
    for custom in customs:
        if custom["customBgpIpAddress"] not in configured.get(custom["ipConfigurationId"].lower(), []):
            raise bad_request("InvalidGatewayCustomBgpIpAddress", f"{custom['customBgpIpAddress']} is not a custom "
                              f"BGP IP address of {custom['ipConfigurationId']}.")


def render_connection(model, connection, body):
    props = body["properties"]
    props["connectionStatus"] = "Connected" if connection.state == "Succeeded" else "Unknown"
    props["ingressBytesTransferred"] = props["egressBytesTransferred"] = 0


def connection_references(connection):
    props = connection.body["properties"]
    return [(connection.id, props[m]["id"]) for m in ("virtualNetworkGateway1", "virtualNetworkGateway2",
                                                       "localNetworkGateway2") if props.get(m)]


def connection_gateways(model, connection):
    return [r for r in (model.get(ref) for _, ref in connection_references(connection))
            if r is not None and r.kind is VIRTUAL_NETWORK_GATEWAY]


def connection_conflicts(model, connection):
    """What a connection's operation waits for: its gateways, and their other connections (a
    gateway updates itself for each of its connections, one at a time)."""
    gateways = connection_gateways(model, connection)
    siblings = [other for gateway in gateways for other in connections_of(model, gateway) if other is not connection]
    return gateways + siblings


CONNECTION = register(Kind(
    "Microsoft.Network/connections", "connections", "network", "VirtualNetworkGatewayConnection", serialised=True,
    resource_guid=True, prepare=prepare_connection, render=render_connection, references=connection_references,
    conflicts=connection_conflicts))


def get_shared_key(model, connection, request, api):
    return Reply(200, {"value": connection.hidden["sharedKey"]})


def get_bgp_peer_status(model, gateway, request, api):
    """`POST .../virtualNetworkGateways/{name}/getBgpPeerStatus[?peer=ADDRESS]`: a long-running
    action (202, `Location`) whose result lists the gateway's BGP peers (`BgpPeerStatusListResult`):
    the peer of each of its BGP connections, from the connection's local network gateway, with
    the gateway's custom address it meets it from; with no data plane, `Connected` once the
    connection has succeeded, `Connecting` before."""
    if gateway.state != "Succeeded":
        raise bad_request("ReferencedResourceNotProvisioned", f"Virtual network gateway {gateway.id} is not "
                          "provisioned yet.")
    wanted = dict(request.query).get("peer")
    peers = []
    for connection in connections_of(model, gateway):
        props = connection.body["properties"]
        local = model.get(props.get("localNetworkGateway2", {}).get("id", ""))
        bgp = (local.body["properties"].get("bgpSettings") or {}) if local else {}
        if not props.get("enableBgp") or not bgp.get("bgpPeeringAddress"):
            continue
        customs = props.get("gatewayCustomBgpIpAddresses") or [{}]
        peers.append({
            "localAddress": customs[0].get("customBgpIpAddress", ""),
            "neighbor": bgp["bgpPeeringAddress"],
            "asn": bgp.get("asn", 0),
            "state": "Connected" if connection.state == "Succeeded" else "Connecting",
            "connectedDuration": "00:00:00" if connection.state != "Succeeded" else "00:05:00",
            "routesReceived": 0,
            "messagesSent": 0,
            "messagesReceived": 0,
        })
    if wanted:
        peers = [peer for peer in peers if peer["neighbor"] == wanted]
    return Reply(202, None, model.start_action(gateway, "getBgpPeerStatus", {"value": peers}, api))


ACTIONS = {
    ("microsoft.network/connections/sharedkey", "GET"): get_shared_key,
    ("microsoft.network/virtualnetworkgateways/getbgppeerstatus", "POST"): get_bgp_peer_status,
}
