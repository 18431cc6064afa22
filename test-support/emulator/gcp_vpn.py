"""HA VPN gateways, external VPN gateways, Cloud Routers and VPN tunnels, as Compute Engine v1
and the Cloud VPN and Cloud Router guides document them
(https://cloud.google.com/network-connectivity/docs/vpn/how-to/creating-ha-vpn,
https://cloud.google.com/network-connectivity/docs/router/how-to/create-router-vpc-network):

- an HA VPN gateway (`vpnGateways`) belongs to a network and gets two interfaces, `id` 0 and 1,
  each with a public address of its own pool (35.242.x.y and 35.220.x.y); IPv6 and HA VPN over
  Cloud Interconnect are not modelled (501); getStatus groups its tunnels by peer gateway and
  says whether they cover both interfaces (CONNECTION_REDUNDANCY_MET);
- an external VPN gateway's `redundancyType` fixes its number of `interfaces` (1, 2 or 4, ids 0
  to n-1, each an IPv4 `ipAddress`);
- a Cloud Router belongs to a network; `bgp.asn` must be a private ASN (RFC 6996: 64512-65534 or
  4200000000-4294967294) and never changes; an interface's `linkedVpnTunnel` must be a tunnel of
  the same region that uses this router, linked from no other interface, and its `ipRange` a
  link-local (169.254.0.0/16) /30 written with the router's own address (`169.254.0.1/30`),
  overlapping no other interface; a BGP peer names one interface (at most one peer each), needs
  `peerAsn`, and its `peerIpAddress` is another usable address of that /30; patch is JSON merge
  patch (arrays such as `interfaces` and `bgpPeers` are replaced whole, absent fields kept),
  update replaces the whole router; getRouterStatus reports every BGP peer DOWN (no BGP runs);
- an HA VPN tunnel needs `vpnGateway` (same region) and `vpnGatewayInterface` 0 or 1, one peer:
  `peerExternalGateway` with a `peerExternalGatewayInterface` the gateway has, or
  `peerGcpGateway`; `sharedSecret` (never returned: `sharedSecretHash` is), `ikeVersion` 1 or 2
  (default 2), and a `router` of the same region and network as the gateway (HA VPN routes
  dynamically). Beyond `--quota-vpn-tunnels` per project and region the insert's operation fails
  with QUOTA_EXCEEDED. Since no IKE runs, a DONE tunnel to an external peer reports
  NO_INCOMING_PACKETS; one between two emulated HA VPN gateways is ESTABLISHED once the tunnel
  back exists with the same secret (AUTHORIZATION_ERROR with another). Classic VPN
  (`targetVpnGateway`) answers 501.
"""

import hashlib
import ipaddress

from . import gcp_model as m
from .gcp_methods import standard_handlers
from .gcp_network import check_region_field, network_ref
from .server import google_error

REDUNDANCY = {"SINGLE_IP_INTERNALLY_REDUNDANT": 1, "TWO_IPS_REDUNDANCY": 2, "FOUR_IPS_REDUNDANCY": 4}
LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")
UNUSABLE_PEERS = [ipaddress.IPv4Network(r) for r in ("0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4")]
BFD_DEFAULT = {"minReceiveInterval": 1000, "minTransmitInterval": 1000, "multiplier": 5,
               "sessionInitializationMode": "DISABLED"}


def not_modelled(what):
    return google_error(501, f"The emulator does not model {what}.", "notImplemented")


def regional_ref(model, call, value, field, collection):
    """A reference to a resource of the call's project and region, which must be ready."""
    project, region = call.params["project"], call.params["region"]
    ref = m.parse_ref(value, field, project, region, [collection])
    m.same_project(ref, project, field)
    m.same_region(ref, region, field)
    return model.require(ref)


def is_private_asn(asn):
    return 64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294


# HA VPN gateways.

def insert_vpn_gateway(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    check_region_field(call, body)
    network = network_ref(model, call, body.get("network"))
    if any(i.get("interconnectAttachment") for i in body.get("vpnInterfaces") or []):
        raise not_modelled("HA VPN over Cloud Interconnect")
    if body.setdefault("stackType", "IPV4_ONLY") != "IPV4_ONLY" or body.get("gatewayIpVersion", "IPV4") != "IPV4":
        raise not_modelled("IPv6 VPN gateways")
    number = model.next("vpn-gateway")
    high, low = number // 254 % 256, number % 254 + 1
    body.update(network=network.url, vpnInterfaces=[{"id": 0, "ipAddress": f"35.242.{high}.{low}"},
                                                    {"id": 1, "ipAddress": f"35.220.{high}.{low}"}])
    m.put_labels(body, m.check_labels(body.get("labels")))
    return model.create(call, "vpnGateways", body)


def vpn_gateway_status(model, call):
    gateway = model.target(call, "vpnGateways")
    connections = {}
    for tunnel in sorted(model.of("vpnTunnels", gateway.project, gateway.region), key=lambda t: t.name):
        if tunnel.body["vpnGateway"] != gateway.url:
            continue
        field = "peerExternalGateway" if "peerExternalGateway" in tunnel.body else "peerGcpGateway"
        connection = connections.setdefault(tunnel.body[field], {field: tunnel.body[field], "tunnels": []})
        connection["tunnels"].append({"localGatewayInterface": tunnel.body["vpnGatewayInterface"],
                                      "peerGatewayInterface": tunnel.body.get("peerExternalGatewayInterface",
                                                                              tunnel.body["vpnGatewayInterface"]),
                                      "tunnelUrl": tunnel.url})
    for connection in connections.values():
        covered = {t["localGatewayInterface"] for t in connection["tunnels"]} >= {0, 1}
        connection["state"] = {"state": "CONNECTION_REDUNDANCY_MET"} if covered else {
            "state": "CONNECTION_REDUNDANCY_NOT_MET", "unsatisfiedReason": "INCOMPLETE_TUNNELS_COVERAGE"}
    return {"result": {"vpnConnections": list(connections.values())}}


# External VPN gateways.

def insert_external_vpn_gateway(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    redundancy = body.get("redundancyType")
    if redundancy is None:
        raise m.required("resource.redundancyType")
    interfaces = body.get("interfaces") or []
    count = REDUNDANCY[redundancy]
    if len(interfaces) != count:
        raise m.invalid_field("resource.interfaces", len(interfaces), f"An external VPN gateway of redundancy type "
                              f"{redundancy} has {count} interface(s).")
    ids = sorted(i.get("id", 0) for i in interfaces)
    if ids != list(range(count)):
        raise m.invalid_field("resource.interfaces", ids, f"The interface ids must be 0 to {count - 1}, once each.")
    for index, interface in enumerate(interfaces):
        field = f"resource.interfaces[{index}].ipAddress"
        if interface.get("ipv6Address"):
            raise not_modelled("IPv6 external VPN gateways")
        try:
            address = ipaddress.IPv4Address(interface.get("ipAddress"))
        except ValueError:
            raise m.invalid_field(field, interface.get("ipAddress", ""), "Must be an IPv4 address.")
        if any(address in network for network in UNUSABLE_PEERS):
            raise m.invalid_field(field, address, "Must be a unicast address a peer can use.")
        interface.setdefault("id", 0)
    m.put_labels(body, m.check_labels(body.get("labels")))
    return model.create(call, "externalVpnGateways", body)


# Cloud Routers.

def check_bgp(bgp, old=None):
    """The router's `bgp`, checked, with GCP's defaults."""
    if bgp is None:
        return None
    asn = bgp.get("asn")
    if asn is None:
        raise m.required("resource.bgp.asn")
    if not is_private_asn(asn):
        raise m.invalid_field("resource.bgp.asn", asn, "The ASN must be a private ASN (RFC 6996): 64512-65534 or "
                              "4200000000-4294967294.")
    if old is not None and old.get("asn") is not None and old["asn"] != asn:
        raise m.invalid_field("resource.bgp.asn", asn, f"The router's ASN ({old['asn']}) cannot be changed.")
    bgp = {"advertiseMode": "DEFAULT", "keepaliveInterval": 20, **bgp}
    if not 20 <= bgp["keepaliveInterval"] <= 60:
        raise m.invalid_field("resource.bgp.keepaliveInterval", bgp["keepaliveInterval"], "Must be between 20 and 60.")
    check_advertisements(bgp, "resource.bgp")
    return bgp


def check_advertisements(settings, field):
    if settings.get("advertiseMode", "DEFAULT") == "DEFAULT":
        for name in ("advertisedGroups", "advertisedIpRanges"):
            if settings.get(name):
                raise m.invalid_field(f"{field}.{name}", settings[name], "Custom advertisements need advertiseMode "
                                      "CUSTOM.")


def check_interfaces(model, call, router_url, interfaces):
    """The router's interfaces, checked, with GCP's defaults: {name: interface}."""
    found, tunnels, ranges = {}, set(), []
    for index, interface in enumerate(interfaces):
        field = f"resource.interfaces[{index}]"
        name = m.check_name(interface.get("name"), f"{field}.name")
        if name in found:
            raise m.invalid_field(f"{field}.name", name, "Interface names must be unique in a router.")
        if interface.get("linkedInterconnectAttachment") or interface.get("subnetwork"):
            raise not_modelled("router interfaces for Cloud Interconnect or router appliances")
        interface = {"ipVersion": "IPV4", "managementType": "MANAGED_BY_USER", **interface}
        if interface.get("linkedVpnTunnel"):
            tunnel = regional_ref(model, call, interface["linkedVpnTunnel"], f"{field}.linkedVpnTunnel", "vpnTunnels")
            if tunnel.body.get("router") != router_url:
                raise m.invalid_field(f"{field}.linkedVpnTunnel", tunnel.url, f"The VPN tunnel uses router "
                                      f"'{tunnel.body.get('router')}', not this one.")
            if tunnel.url in tunnels:
                raise m.invalid_field(f"{field}.linkedVpnTunnel", tunnel.url, "The VPN tunnel is already linked to "
                                      "another interface of the router.")
            tunnels.add(tunnel.url)
            interface["linkedVpnTunnel"] = tunnel.url
        if interface.get("ipRange"):
            address = link_local_range(interface["ipRange"], f"{field}.ipRange")
            for other_name, other in ranges:
                if other.network.overlaps(address.network):
                    raise m.invalid_field(f"{field}.ipRange", interface["ipRange"], f"The range overlaps the range "
                                          f"{other} of interface '{other_name}'.")
            ranges.append((name, address))
        found[name] = interface
    return found


def link_local_range(value, field):
    """An interface's `ipRange`: the router's address in a link-local /30."""
    try:
        address = ipaddress.IPv4Interface(value)
    except ValueError:
        raise m.invalid_field(field, value, "Must be an IPv4 address with a prefix length, such as 169.254.0.1/30.")
    if "/" not in value or address.network.prefixlen != 30 or not address.network.subnet_of(LINK_LOCAL):
        raise m.invalid_field(field, value, "The range of a VPN tunnel's interface must be a /30 of the link-local "
                              "range 169.254.0.0/16.")
    if address.ip in (address.network.network_address, address.network.broadcast_address):
        raise m.invalid_field(field, value, "The address must be a usable host address of the range: it is the "
                              "router's own address (do not truncate it).")
    return address


def check_bgp_peers(peers, interfaces):
    """The router's BGP peers, checked against its interfaces, with GCP's defaults."""
    checked, names, used = [], set(), set()
    for index, peer in enumerate(peers):
        field = f"resource.bgpPeers[{index}]"
        name = m.check_name(peer.get("name"), f"{field}.name")
        if name in names:
            raise m.invalid_field(f"{field}.name", name, "BGP peer names must be unique in a router.")
        names.add(name)
        interface = interfaces.get(peer.get("interfaceName"))
        if interface is None:
            raise m.invalid_field(f"{field}.interfaceName", peer.get("interfaceName", ""), "The BGP peer must name "
                                  "an interface of the router.")
        if interface["name"] in used:
            raise m.invalid_field(f"{field}.interfaceName", interface["name"], "The interface already has a BGP peer.")
        used.add(interface["name"])
        if peer.get("peerAsn") is None:
            raise m.required(f"{field}.peerAsn")
        if not 1 <= peer["peerAsn"] <= 4294967294:
            raise m.invalid_field(f"{field}.peerAsn", peer["peerAsn"], "Must be between 1 and 4294967294.")
        if not interface.get("ipRange"):
            raise m.invalid_field(f"{field}.interfaceName", interface["name"], "The interface has no ipRange.")
        own = ipaddress.IPv4Interface(interface["ipRange"])
        peer = {"advertiseMode": "DEFAULT", "advertisedRoutePriority": 100, "enable": "TRUE", "enableIpv4": True,
                "enableIpv6": False, "managementType": "MANAGED_BY_USER", "bfd": dict(BFD_DEFAULT), **peer}
        if peer.get("ipAddress", str(own.ip)) != str(own.ip):
            raise m.invalid_field(f"{field}.ipAddress", peer["ipAddress"], f"Must be the interface's address {own.ip}.")
        peer["ipAddress"] = str(own.ip)
        check_peer_address(peer.get("peerIpAddress"), own, f"{field}.peerIpAddress")
        check_advertisements(peer, field)
        checked.append(peer)
    return checked


def check_peer_address(value, own, field):
    if value is None:
        raise m.required(field)
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise m.invalid_field(field, value, "Must be an IPv4 address.")
    usable = set(own.network.hosts())
    if address not in usable or address == own.ip:
        raise m.invalid_field(field, value, f"The peer's address must be the other usable address of the "
                              f"interface's range {own.network} (the router has {own.ip}).")


def router_body(model, call, body, url, old=None):
    """A router body, checked (bgp, interfaces, BGP peers), as it is stored."""
    body = dict(body)
    bgp = check_bgp(body.get("bgp"), (old or {}).get("bgp"))
    if bgp:
        body["bgp"] = bgp
    interfaces = check_interfaces(model, call, url, body.get("interfaces") or [])
    peers = check_bgp_peers(body.get("bgpPeers") or [], interfaces)
    for name, values in (("interfaces", list(interfaces.values())), ("bgpPeers", peers)):
        body.pop(name, None)
        if values:
            body[name] = values
    body.setdefault("encryptedInterconnectRouter", False)
    if body.get("nats") or body.get("nccGateway") or body.get("md5AuthenticationKeys"):
        raise not_modelled("Cloud NAT, NCC gateways and MD5 authentication on routers")
    return body


def insert_router(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    check_region_field(call, body)
    body["network"] = network_ref(model, call, body.get("network")).url
    url = m.Ref(call.params["project"], call.params["region"], "routers", body["name"]).url
    return model.create(call, "routers", router_body(model, call, body, url))


def check_same_router(router, body):
    if body.get("name", router.name) != router.name:
        raise m.invalid_field("resource.name", body["name"], "The name of a router cannot be changed.")
    if body.get("network") and m.parse_ref(body["network"], "resource.network", router.project, None,
                                           ["networks"]).url != router.body["network"]:
        raise m.invalid_field("resource.network", body["network"], "The network of a router cannot be changed.")


def patch_router(model, call):
    router = model.target(call, "routers")
    check_same_router(router, call.body)
    merged = m.merge_patch(router.body, call.body)
    merged["network"] = router.body["network"]
    return model.change(call, router, "patch", router_body(model, call, merged, router.url, router.body))


def update_router(model, call):
    router = model.target(call, "routers")
    body = dict(call.body)
    check_same_router(router, body)
    check_region_field(call, body)
    kept = {k: router.body[k] for k in ("kind", "id", "creationTimestamp", "selfLink", "region", "network")}
    return model.change(call, router, "update", router_body(model, call, {**body, **kept}, router.url, router.body))


def router_status(model, call):
    router = model.target(call, "routers")
    interfaces = {i["name"]: i for i in router.body.get("interfaces", [])}
    peers = []
    for peer in router.body.get("bgpPeers", []):
        status = {"name": peer["name"], "ipAddress": peer["ipAddress"], "peerIpAddress": peer["peerIpAddress"],
                  "status": "DOWN", "state": "Idle", "numLearnedRoutes": 0, "enableIpv4": True, "enableIpv6": False}
        tunnel = interfaces[peer["interfaceName"]].get("linkedVpnTunnel")
        if tunnel:
            status["linkedVpnTunnel"] = tunnel
        peers.append(status)
    result = {"network": router.body["network"]}
    if peers:
        result["bgpPeerStatus"] = peers
    return {"kind": "compute#routerStatusResponse", "result": result}


# VPN tunnels.

def secret_hash(secret):
    return hashlib.sha256(b"isopod-emulator:" + secret.encode()).hexdigest()[:32]


def insert_vpn_tunnel(model, call):
    body = dict(call.body)
    body.pop("sharedSecretHash", None)
    m.check_name(body.get("name"))
    check_region_field(call, body)
    project, region = call.params["project"], call.params["region"]
    if body.get("targetVpnGateway"):
        raise not_modelled("Classic VPN tunnels (targetVpnGateway)")
    if not body.get("vpnGateway"):
        raise m.required("resource.vpnGateway")
    gateway = regional_ref(model, call, body["vpnGateway"], "resource.vpnGateway", "vpnGateways")
    interface = body.get("vpnGatewayInterface")
    if interface not in (0, 1):
        raise m.invalid_field("resource.vpnGatewayInterface", "" if interface is None else interface,
                              "Possible values are 0 and 1.")
    body.update(vpnGateway=gateway.url, peerIp=peer_address(model, call, body, interface))
    secret = body.pop("sharedSecret", None)
    if not secret:
        raise m.required("resource.sharedSecret")
    body.setdefault("ikeVersion", 2)
    if body["ikeVersion"] not in (1, 2):
        raise m.invalid_field("resource.ikeVersion", body["ikeVersion"], "Acceptable IKE versions are 1 or 2.")
    if not body.get("router"):
        raise m.required("resource.router")
    router = regional_ref(model, call, body["router"], "resource.router", "routers")
    if router.body["network"] != gateway.body["network"]:
        raise m.invalid_field("resource.router", router.url, f"The router must be in the network of the VPN gateway, "
                              f"'{gateway.body['network']}'.")
    body["router"] = router.url
    for field in ("localTrafficSelector", "remoteTrafficSelector"):
        if body.get(field) not in (None, [], ["0.0.0.0/0"]):
            raise m.invalid_field(f"resource.{field}", body[field], "HA VPN tunnels do not take traffic selectors.")
    body["sharedSecretHash"] = secret_hash(secret)
    m.put_labels(body, m.check_labels(body.get("labels")))
    return model.create(call, "vpnTunnels", body, failure=quota_failure(model, project, region))


def peer_address(model, call, body, interface):
    """The tunnel's `peerIp`: the address of the peer gateway's interface it connects to."""
    external, gcp = body.get("peerExternalGateway"), body.get("peerGcpGateway")
    if bool(external) == bool(gcp):
        raise m.invalid("Invalid value for field 'resource': an HA VPN tunnel needs exactly one of "
                        "peerExternalGateway and peerGcpGateway.")
    if external:
        ref = m.parse_ref(external, "resource.peerExternalGateway", call.params["project"], None,
                          ["externalVpnGateways"])
        m.same_project(ref, call.params["project"], "resource.peerExternalGateway")
        peer = model.require(ref)
        body["peerExternalGateway"] = peer.url
        number = body.get("peerExternalGatewayInterface")
        addresses = {i["id"]: i["ipAddress"] for i in peer.body["interfaces"]}
        if number not in addresses:
            raise m.invalid_field("resource.peerExternalGatewayInterface", "" if number is None else number,
                                  f"The external VPN gateway has the interfaces {sorted(addresses)}.")
        address = addresses[number]
    else:
        peer = model.require(m.parse_ref(gcp, "resource.peerGcpGateway", call.params["project"],
                                         call.params["region"], ["vpnGateways"]))
        body["peerGcpGateway"] = peer.url
        address = peer.body["vpnInterfaces"][interface]["ipAddress"]
    if body.get("peerIp", address) != address:
        raise m.invalid_field("resource.peerIp", body["peerIp"], f"The peer gateway's interface has the address "
                              f"{address}.")
    return address


def quota_failure(model, project, region):
    """The QUOTA_EXCEEDED failure of one more tunnel in the region, or None."""
    limit = model.settings["quota_vpn_tunnels"]
    if len(model.of("vpnTunnels", project, region, states=("creating", "ready", "deleting"))) < limit:
        return None
    details = [{"quotaInfo": {"metricName": "compute.googleapis.com/vpn_tunnels",
                              "limitName": "VPN-TUNNELS-per-project-region", "dimensions": {"region": region},
                              "limit": limit}}]
    return m.OperationFailed("QUOTA_EXCEEDED", f"Quota 'VPN_TUNNELS' exceeded.  Limit: {float(limit)} in region "
                             f"{region}.", 403, "FORBIDDEN", details)


def render_tunnel(model, tunnel, body):
    status, detail = "NO_INCOMING_PACKETS", "No incoming packets from peer."
    if "peerGcpGateway" in body:
        back = [t for t in model.of("vpnTunnels") if t.body["vpnGateway"] == body["peerGcpGateway"]
                and t.body.get("peerGcpGateway") == body["vpnGateway"]
                and t.body["vpnGatewayInterface"] == body["vpnGatewayInterface"]]
        if back and back[0].body["sharedSecretHash"] == body["sharedSecretHash"]:
            status, detail = "ESTABLISHED", "Tunnel is up and running."
        elif back:
            status, detail = "AUTHORIZATION_ERROR", "Peer authentication failed."
    body.update(status=status, detailedStatus=detail)


m.register(m.Kind("vpnGateways", "compute#vpnGateway", "vpn_gateway", regional=True, delay="vpn",
                  references=lambda r: [r.body["network"]]))
m.register(m.Kind("externalVpnGateways", "compute#externalVpnGateway", "external_vpn_gateway", regional=False,
                  operation_types={"insert": "compute.externalVpnGateways.insert",
                                   "delete": "compute.externalVpnGateways.delete"}))
m.register(m.Kind("routers", "compute#router", "router", regional=True,
                  references=lambda r: [r.body["network"]] + [i["linkedVpnTunnel"] for i in
                                                              r.body.get("interfaces", [])
                                                              if i.get("linkedVpnTunnel")]))
m.register(m.Kind("vpnTunnels", "compute#vpnTunnel", "vpn_tunnel", regional=True, delay="vpn", render=render_tunnel,
                  references=lambda r: [r.body["vpnGateway"], r.body.get("peerExternalGateway"), r.body["router"]]))

HANDLERS = {
    "compute.vpnGateways.insert": insert_vpn_gateway,
    "compute.vpnGateways.getStatus": vpn_gateway_status,
    **standard_handlers("vpnGateways", ["get", "list", "aggregatedList", "delete", "setLabels"]),
    "compute.externalVpnGateways.insert": insert_external_vpn_gateway,
    **standard_handlers("externalVpnGateways", ["get", "list", "delete", "setLabels"]),
    "compute.routers.insert": insert_router,
    "compute.routers.patch": patch_router,
    "compute.routers.update": update_router,
    "compute.routers.getRouterStatus": router_status,
    **standard_handlers("routers", ["get", "list", "aggregatedList", "delete"]),
    "compute.vpnTunnels.insert": insert_vpn_tunnel,
    **standard_handlers("vpnTunnels", ["get", "list", "aggregatedList", "delete", "setLabels"]),
}
