"""Virtual networks, subnets, peerings, public IP addresses and private endpoints
(Microsoft.Network 2024-03-01), as https://learn.microsoft.com/rest/api/virtualnetwork and
https://learn.microsoft.com/azure/virtual-network/ document them:

- a virtual network's subnets are child resources (`.../virtualNetworks/{vnet}/subnets/{name}`)
  and are also written inline in its body: a virtual network PUT replaces the set of its subnets
  (one it leaves out is deleted). A subnet's range is valid CIDR (400 `InvalidCIDRNotation`),
  inside the network's address space (400 `NetcfgSubnetRangeOutsideVnet`) and overlaps no
  sibling's (400 `NetcfgSubnetRangesOverlap`); a subnet that a gateway or an endpoint uses cannot
  be deleted, nor can its network (400 `InUseSubnetCannotBeDeleted`). A subnet shows what uses
  it (`ipConfigurations`, `privateEndpoints`);
- a peering (`.../virtualNetworks/{vnet}/virtualNetworkPeerings/{name}`) names an existing
  remote network (400 `InvalidResourceReference`) whose address space does not overlap (400
  `VnetAddressSpacesOverlap`); it is `Initiated` until the remote network peers back, then both
  are `Connected`; `Disconnected` once the remote network is gone. Peerings are written only as
  child resources: a network PUT that names other peerings than it has answers 501;
- a public IP address is given an address from `--public-ip-range` when its creation succeeds
  (a Static one; the creation fails with `PublicIPCountLimitReached` when the range is used up),
  and cannot be deleted while a gateway uses it (400 `PublicIPAddressCannotBeDeleted`); a
  Standard one is Static (400 `StandardSkuPublicIPAddressesMustBeStatic`, the emulator's code);
- a private endpoint takes the next free address of its subnet (Azure keeps the first four and
  the last), shown on a network interface (`networkInterfaces/{name}.nic.{guid}`, read-only:
  GET only) and in `customDnsConfigs`; its `privateLinkServiceConnections` are `Approved`, its
  `manualPrivateLinkServiceConnections` `Pending`; it needs one of them (400
  `PrivateEndpointWithoutConnection`, the emulator's code).
"""

import ipaddress

from .azure_model import Kind, arm_error, bad_request, child_id, id_name, network, reference, register
from .azure_watcher import enable_network_watcher

NETWORK = "Microsoft.Network/virtualNetworks"


def properties(body):
    return body.setdefault("properties", {})


def prefixes(value, target):
    """The networks of a list of CIDR prefixes (400 `InvalidCIDRNotation` for a bad one)."""
    return [network(p, target) for p in value or []]


def overlaps(a, b):
    return any(x.version == y.version and x.overlaps(y) for x in a for y in b)


# Virtual networks and subnets.

def subnet_ranges(body, target):
    props = body.get("properties", {})
    given = ([props["addressPrefix"]] if props.get("addressPrefix") else []) + list(props.get("addressPrefixes") or [])
    if not given:
        raise bad_request("NoAddressPrefixOrPoolProvided", f"Subnet {target} must have an addressPrefix or "
                          "addressPrefixes.", target)
    return prefixes(given, target)


def check_subnets(vnet_id, space, subnets):
    """Checks the subnets (bodies with `name`) of a network whose address space is `space`."""
    seen = {}
    for body in subnets:
        name = body.get("name")
        if not name:
            raise bad_request("InvalidRequestFormat", f"A subnet of {vnet_id} has no name.")
        if name.lower() in seen:
            raise bad_request("DuplicateResourceName", f"The subnet name {name} is used twice in {vnet_id}.")
        target = child_id(vnet_id, "subnets", name)
        ranges = subnet_ranges(body, target)
        for r in ranges:
            if not any(r.version == s.version and r.subnet_of(s) for s in space):
                raise bad_request("NetcfgSubnetRangeOutsideVnet", f"Subnet '{name}' is not valid because its IP "
                                  f"address range is outside the IP address range of virtual network "
                                  f"'{id_name(vnet_id)}'.", target)
        for other, other_ranges in seen.values():
            if overlaps(ranges, other_ranges):
                raise bad_request("NetcfgSubnetRangesOverlap", f"Subnet '{name}' is not valid in virtual network "
                                  f"'{id_name(vnet_id)}' because its IP address range overlaps with that of an "
                                  f"existing subnet '{other}'.", target)
        seen[name.lower()] = (name, ranges)


def in_use(model, subnet):
    """[(code, message)] refusing the deletion of a subnet something uses."""
    return [("InUseSubnetCannotBeDeleted", f"Subnet {subnet.name} is in use by {path} and cannot be deleted. In "
             "order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")
            for path, _ in model.referrers(subnet.id)][:1]


def prepare_network(model, vnet, body, old):
    props = properties(body)
    space = prefixes((props.get("addressSpace") or {}).get("addressPrefixes"), vnet.id)
    subnets = props.pop("subnets", None) or []
    check_subnets(vnet.id, space, subnets)
    kept = {s["name"].lower() for s in subnets}
    for subnet in model.children(vnet, SUBNET):
        if subnet.name.lower() not in kept:
            for code, message in in_use(model, subnet):
                raise bad_request(code, message)
    peerings = {p.get("name", "").lower() for p in props.pop("virtualNetworkPeerings", None) or []}
    if peerings and peerings != {p.name.lower() for p in model.children(vnet, PEERING)}:
        raise arm_error(501, "NotImplemented", "The emulator writes peerings only as child resources "
                        "(virtualNetworks/{vnet}/virtualNetworkPeerings/{name}).")
    props.setdefault("enableDdosProtection", False)
    return body


def network_applied(model, vnet, body):
    """A network PUT's subnets become its child resources; those it left out are deleted."""
    wanted = {s["name"].lower(): s for s in body.get("properties", {}).get("subnets") or []}
    for subnet in model.children(vnet, SUBNET):
        if subnet.name.lower() not in wanted:
            model.remove(subnet)
    for subnet_body in wanted.values():
        existing = model.get(child_id(vnet.id, "subnets", subnet_body["name"]))
        model.keep(SUBNET, existing.id if existing else child_id(vnet.id, "subnets", subnet_body["name"]),
                   vnet.scope, {"properties": subnet_body.get("properties", {})}, vnet, vnet.state)


def network_complete(model, vnet):
    for subnet in model.children(vnet, SUBNET):
        subnet.state = "Succeeded"
    enable_network_watcher(model, vnet)


def render_network(model, vnet, body):
    props = properties(body)
    props["subnets"] = [model.render(s) for s in model.children(vnet, SUBNET)]
    props["virtualNetworkPeerings"] = [model.render(p) for p in model.children(vnet, PEERING)]


def network_users(model, vnet):
    return [found for subnet in model.children(vnet, SUBNET) for found in in_use(model, subnet)][:1]


def prepare_subnet(model, subnet, body, old):
    vnet = subnet.parent
    space = prefixes(vnet.body["properties"].get("addressSpace", {}).get("addressPrefixes"), vnet.id)
    siblings = [{"name": s.name, "properties": s.body["properties"]} for s in model.children(vnet, SUBNET)
                if s is not subnet]
    check_subnets(vnet.id, space, siblings + [{"name": subnet.name, **body}])
    return body


def render_subnet(model, subnet, body):
    props = properties(body)
    users = model.referrers(subnet.id)
    configurations = [{"id": path} for path, user in users if user.kind is not PRIVATE_ENDPOINT]
    endpoints = [{"id": user.id} for _, user in users if user.kind is PRIVATE_ENDPOINT]
    if configurations:
        props["ipConfigurations"] = configurations
    if endpoints:
        props["privateEndpoints"] = endpoints


VIRTUAL_NETWORK = register(Kind(NETWORK, "virtualNetworks", "network", "VirtualNetwork", resource_guid=True,
                                prepare=prepare_network, applied=network_applied, complete=network_complete,
                                render=render_network, users=network_users))
SUBNET = register(Kind(NETWORK + "/subnets", "subnets", "network", "Subnet", parent=NETWORK, tracked=False,
                       prepare=prepare_subnet, render=render_subnet, users=in_use))


# Peerings.

def prepare_peering(model, peering, body, old):
    props = properties(body)
    remote_id = reference(body, "properties", "remoteVirtualNetwork")
    remote = model.require(remote_id, peering.id, VIRTUAL_NETWORK)
    local = peering.parent
    space = prefixes(local.body["properties"].get("addressSpace", {}).get("addressPrefixes"), local.id)
    remote_space = prefixes(remote.body["properties"].get("addressSpace", {}).get("addressPrefixes"), remote.id)
    if overlaps(space, remote_space):
        raise bad_request("VnetAddressSpacesOverlap", f"Cannot create or update peering {peering.id} because address "
                          f"space of the remote virtual network {remote.id} overlaps with address space of virtual "
                          f"network {local.id}.")
    for member, default in (("allowVirtualNetworkAccess", True), ("allowForwardedTraffic", False),
                            ("allowGatewayTransit", False), ("useRemoteGateways", False)):
        props.setdefault(member, default)
    props["remoteVirtualNetwork"] = {"id": remote.id}
    return body


def render_peering(model, peering, body):
    props = properties(body)
    remote = model.get(props["remoteVirtualNetwork"]["id"])
    back = remote is not None and any(reference(p.body, "properties", "remoteVirtualNetwork").lower()
                                      == peering.parent.id.lower() for p in model.children(remote, PEERING))
    props["peeringState"] = "Disconnected" if remote is None else "Connected" if back else "Initiated"
    props["peeringSyncLevel"] = "FullyInSync" if back else "RemoteNotInSync"
    if remote is not None:
        space = remote.body["properties"].get("addressSpace", {"addressPrefixes": []})
        props["remoteAddressSpace"] = props["remoteVirtualNetworkAddressSpace"] = space
    local = peering.parent.body["properties"].get("addressSpace", {"addressPrefixes": []})
    props["localAddressSpace"] = props["localVirtualNetworkAddressSpace"] = local


PEERING = register(Kind(NETWORK + "/virtualNetworkPeerings", "virtualNetworkPeerings", "network",
                        "VirtualNetworkPeering", parent=NETWORK, tracked=False, resource_guid=True,
                        prepare=prepare_peering, render=render_peering))


# Public IP addresses.

def prepare_public_ip(model, address, body, old):
    props = properties(body)
    sku = body.setdefault("sku", {"name": "Basic", "tier": "Regional"})
    sku.setdefault("tier", "Regional")
    props.setdefault("publicIPAllocationMethod", "Static" if sku.get("name") == "Standard" else "Dynamic")
    if sku.get("name") == "Standard" and props["publicIPAllocationMethod"] != "Static":
        raise bad_request("StandardSkuPublicIPAddressesMustBeStatic", f"Public IP address {address.id} of the "
                          "Standard SKU must have the allocation method Static.")
    props.setdefault("publicIPAddressVersion", "IPv4")
    props.setdefault("idleTimeoutInMinutes", 4)
    props.setdefault("ipTags", [])
    return body


def public_ip_complete(model, address):
    if address.hidden.get("ipAddress") or address.body["properties"]["publicIPAllocationMethod"] != "Static":
        return
    pool = ipaddress.ip_network(model.settings["public_ip_range"])
    found = model.allocate("public", pool, head=1 if pool.num_addresses > 2 else 0,
                           tail=1 if pool.num_addresses > 2 else 0)
    if found is None:
        raise arm_error(400, "PublicIPCountLimitReached", f"Cannot create more public IP addresses: the range "
                        f"{pool} of the emulator is used up.")
    address.hidden["ipAddress"] = found


def render_public_ip(model, address, body):
    if address.hidden.get("ipAddress"):
        properties(body)["ipAddress"] = address.hidden["ipAddress"]
    users = model.referrers(address.id)
    if users:
        properties(body)["ipConfiguration"] = {"id": users[0][0]}


def public_ip_users(model, address):
    return [("PublicIPAddressCannotBeDeleted", f"Public IP address {address.id} can not be deleted since it is still "
             f"allocated to resource {path}. In order to delete the public IP, disassociate/detach the Public IP "
             "address from the resource.") for path, _ in model.referrers(address.id)][:1]


def public_ip_deleted(model, address):
    if address.hidden.get("ipAddress"):
        model.release("public", address.hidden["ipAddress"])


PUBLIC_IP = register(Kind("Microsoft.Network/publicIPAddresses", "publicIPAddresses", "network", "PublicIPAddress",
                          resource_guid=True, prepare=prepare_public_ip, complete=public_ip_complete,
                          render=render_public_ip, users=public_ip_users, deleted=public_ip_deleted))


# Private endpoints and their network interfaces.

def prepare_endpoint(model, endpoint, body, old):
    props = properties(body)
    subnet = model.require(reference(body, "properties", "subnet"), endpoint.id, SUBNET)
    props["subnet"] = {"id": subnet.id}
    if old is not None and reference(old.body, "properties", "subnet").lower() != subnet.id.lower():
        raise bad_request("CannotChangePrivateEndpointSubnet", f"The subnet of private endpoint {endpoint.id} cannot "
                          "change.")
    automatic = props.get("privateLinkServiceConnections") or []
    manual = props.get("manualPrivateLinkServiceConnections") or []
    if not automatic and not manual:
        raise bad_request("PrivateEndpointWithoutConnection", f"Private endpoint {endpoint.id} must have a "
                          "privateLinkServiceConnection or a manualPrivateLinkServiceConnection.")
    for member, connections, state in (
            ("privateLinkServiceConnections", automatic,
             {"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"}),
            ("manualPrivateLinkServiceConnections", manual,
             {"status": "Pending", "description": "Awaiting approval", "actionsRequired": "None"})):
        for connection in connections:
            if not connection.get("name") or not connection.get("properties", {}).get("privateLinkServiceId"):
                raise bad_request("InvalidRequestFormat", f"A connection of private endpoint {endpoint.id} needs a "
                                  "name and a privateLinkServiceId.")
            connection.update(id=child_id(endpoint.id, member, connection["name"]),
                              type=f"Microsoft.Network/privateEndpoints/{member}")
            connection["properties"].setdefault("privateLinkServiceConnectionState", state)
        props[member] = connections
    return body


def endpoint_complete(model, endpoint):
    if endpoint.hidden.get("ipAddress"):
        return
    subnet = model.get(endpoint.body["properties"]["subnet"]["id"])
    pool = subnet_ranges(subnet.body, subnet.id)[0]
    found = model.allocate(subnet.id.lower(), pool, head=4, tail=1)
    if found is None:
        raise bad_request("SubnetIsFull", f"Subnet {subnet.name} with address prefix {pool} does not have enough "
                          "capacity for 1 IP addresses.")
    nic_id = (f"{endpoint.scope.group_id}/providers/Microsoft.Network/networkInterfaces/"
              f"{endpoint.name}.nic.{model.guid()}")
    endpoint.hidden.update(ipAddress=found, pool=subnet.id.lower(), nic=nic_id)
    model.keep(NETWORK_INTERFACE, nic_id, endpoint.scope, {
        "location": endpoint.body["location"],
        "properties": {"ipConfigurations": [{
            "name": "privateEndpointIpConfig." + model.guid(),
            "properties": {"privateIPAddress": found, "privateIPAllocationMethod": "Dynamic",
                           "privateIPAddressVersion": "IPv4", "subnet": {"id": subnet.id}, "primary": True}}],
            "privateEndpoint": {"id": endpoint.id}, "nicType": "Standard"}})


def render_endpoint(model, endpoint, body):
    props = properties(body)
    for member in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
        for connection in props.get(member, []):
            connection["properties"]["provisioningState"] = endpoint.state
    if endpoint.hidden.get("nic"):
        props["networkInterfaces"] = [{"id": endpoint.hidden["nic"]}]
        service = next((c["properties"]["privateLinkServiceId"] for m in ("privateLinkServiceConnections",
                        "manualPrivateLinkServiceConnections") for c in props.get(m, [])), "")
        props["customDnsConfigs"] = [{"fqdn": id_name(service).lower(), "ipAddresses": [endpoint.hidden["ipAddress"]]}]


def endpoint_references(endpoint):
    return [(endpoint.id, endpoint.body["properties"]["subnet"]["id"])]


def endpoint_deleted(model, endpoint):
    if endpoint.hidden.get("ipAddress"):
        model.release(endpoint.hidden["pool"], endpoint.hidden["ipAddress"])
        model.remove(model.get(endpoint.hidden["nic"]))


def refuse_managed_nic(model, nic, body, old):
    raise bad_request("CannotModifyNicAttachedToPrivateEndpoint", "The emulator's network interfaces belong to "
                      "private endpoints: they are created and deleted with them.")


def nic_users(model, nic):
    return [("CannotDeleteNicAttachedToPrivateEndpoint", f"Network interface {nic.id} belongs to private endpoint "
             f"{nic.body['properties']['privateEndpoint']['id']}: delete the endpoint.")]


PRIVATE_ENDPOINT = register(Kind("Microsoft.Network/privateEndpoints", "privateEndpoints", "network",
                                 "PrivateEndpoint", prepare=prepare_endpoint, complete=endpoint_complete,
                                 render=render_endpoint, references=endpoint_references, deleted=endpoint_deleted))
NETWORK_INTERFACE = register(Kind("Microsoft.Network/networkInterfaces", "networkInterfaces", "network",
                                  "NetworkInterface", resource_guid=True, prepare=refuse_managed_nic,
                                  users=nic_users))
