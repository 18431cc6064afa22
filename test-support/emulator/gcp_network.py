"""VPC networks, their peerings, subnetworks, internal addresses and Private Service Connect
forwarding rules, as Compute Engine v1 documents them:

- networks (https://cloud.google.com/compute/docs/reference/rest/v1/networks, and
  https://cloud.google.com/vpc/docs/vpc): `autoCreateSubnetworks` must be set (false: custom
  mode; true: auto mode, one subnetwork per region in the documented ranges, deleted with the
  network; unset or `IPv4Range`: a legacy network, which the emulator does not model);
  `routingConfig.routingMode` REGIONAL (the default) or GLOBAL; `mtu` 1300 to 8896; patch
  changes only routingConfig, mtu and the IPv6 and firewall-order settings;
- peerings (https://cloud.google.com/vpc/docs/vpc-peering): addPeering (`networkPeering`, or the
  older top-level `name`/`peerNetwork`/`autoCreateRoutes`), updatePeering (only the custom
  route exchange), removePeering (`name`); a peering is ACTIVE when the peer network has the
  matching peering back, else INACTIVE; its activation fails (in the operation) when the two
  networks' subnetwork ranges overlap;
- subnetworks (https://cloud.google.com/vpc/docs/subnets): `ipCidrRange` an IPv4 CIDR between
  /8 and /29 without host bits, outside the ranges GCP forbids, overlapping no range of the same
  network nor of an actively peered one; `gatewayAddress` its first host; patch needs the
  current `fingerprint` (412 otherwise) and changes only the documented fields; flow logs
  (`logConfig`, SubnetworkLogConfig): the interval, sampling, metadata and filter only when
  `enable` is true, `flowSampling` in [0, 1], `metadataFields` only with CUSTOM_METADATA, the
  documented defaults filled in (5 s, 0.5, EXCLUDE_ALL_METADATA), a patch merged into what the
  subnetwork has, the older `enableFlowLogs` kept in step (refused when it says otherwise: the
  emulator's rule); turned off, only `enable: false` stays (the emulator's choice: the
  reference does not say what GET shows of a disabled configuration);
- addresses (https://cloud.google.com/compute/docs/reference/rest/v1/addresses): INTERNAL needs
  a `subnetwork` and gets the next free host of its range (or must be a free usable host of it);
  EXTERNAL gets a public address; `status` is RESERVED, or IN_USE with `users` once a
  forwarding rule uses it;
- forwarding rules: only Private Service Connect endpoints
  (https://cloud.google.com/vpc/docs/configure-private-service-connect-services): `target` a
  service attachment in the same region (not modelled as a resource: any well-formed URL is
  accepted), `network`, `IPAddress` an INTERNAL address of that network in the same region,
  no `loadBalancingScheme`; they get `pscConnectionStatus` ACCEPTED and a `pscConnectionId`.
  Load-balancing forwarding rules answer 501.
"""

import ipaddress

from . import gcp_model as m
from .gcp_methods import standard_handlers
from .server import google_error

# Ranges a subnetwork may not use (https://cloud.google.com/vpc/docs/subnets#unusable-ip-ranges).
FORBIDDEN = [ipaddress.IPv4Network(r) for r in
             ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32")]
NETWORK_PATCHABLE = {"routingConfig", "mtu", "enableUlaInternalIpv6", "internalIpv6Range",
                     "networkFirewallPolicyEnforcementOrder"}
SUBNETWORK_PATCHABLE = {"description", "privateIpGoogleAccess", "secondaryIpRanges", "logConfig", "enableFlowLogs",
                        "stackType", "ipv6AccessType", "privateIpv6GoogleAccess", "fingerprint"}
FORWARDING_RULE_PATCHABLE = {"networkTier", "allowGlobalAccess", "allowPscGlobalAccess", "fingerprint"}
INTERNAL_PURPOSES = {"GCE_ENDPOINT", "DNS_RESOLVER", "SHARED_LOADBALANCER_VIP"}


def cidr(value, field):
    """An IPv4 network, written without host bits."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise m.invalid_field(field, value, f"Invalid IPCidrRange: {value} is not a valid IPv4 CIDR range without "
                              "host bits.")


def is_ipv4(text):
    try:
        ipaddress.IPv4Address(text)
        return True
    except ValueError:
        return False


def network_ref(model, call, value, field="resource.network"):
    """A same-project network reference, resolved to a ready network."""
    ref = m.parse_ref(value, field, call.params["project"], None, ["networks"])
    m.same_project(ref, call.params["project"], field)
    return model.require(ref)


# Networks.

def render_network(model, network, body):
    subnetworks = sorted(s.url for s in model.of("subnetworks") if s.body["network"] == network.url)
    if subnetworks:
        body["subnetworks"] = subnetworks
    for peering in body.get("peerings", []):
        active = peer_of(model, network, peering) is not None
        peering["state"] = "ACTIVE" if active else "INACTIVE"
        peering["stateDetails"] = f"[{network.hidden['peered'][peering['name']]}]: " + (
            "Connected." if active else "Waiting for peer network to connect.")


def peer_of(model, network, peering):
    """The peer network when it has the matching peering back, else None."""
    peer = model.resource(m.parse_ref(peering["network"], "", None, None, ["networks"]))
    if peer is None or peer.state == "creating":
        return None
    back = [p for p in peer.body.get("peerings", []) if p["network"] == network.url]
    return peer if back else None


def active_peers(model, network):
    return [peer for p in network.body.get("peerings", []) if (peer := peer_of(model, network, p))]


def network_blockers(model, network):
    return [(f"{network.path}/peerings/{p['name']}", False) for p in network.body.get("peerings", [])]


def create_auto_subnetworks(model, network):
    """An auto mode network's subnetworks, one per region, deleted with it."""
    for region, range_ in m.REGIONS.items():
        ref = m.Ref(network.project, region, "subnetworks", network.name)
        body = subnetwork_body({"name": network.name}, network.url, ipaddress.IPv4Network(range_))
        model.add(m.KINDS["subnetworks"], ref, body, owner=network.url, state="ready")


def insert_network(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    if "IPv4Range" in body:
        raise m.invalid_field("resource.IPv4Range", body["IPv4Range"], "Legacy networks are not supported by the "
                              "emulator: set autoCreateSubnetworks.")
    if body.get("autoCreateSubnetworks") is None:
        raise m.invalid_field("resource.autoCreateSubnetworks", "", "Must be set: without it GCP creates a legacy "
                              "network, which the emulator does not model.")
    mtu = body.get("mtu")
    if mtu is not None and not 1300 <= mtu <= 8896:
        raise m.invalid_field("resource.mtu", mtu, "Must be between 1300 and 8896.")
    routing = {"routingMode": "REGIONAL", "bgpBestPathSelectionMode": "LEGACY", **(body.get("routingConfig") or {})}
    body.update(routingConfig=routing)
    body.setdefault("networkFirewallPolicyEnforcementOrder", "AFTER_CLASSIC_FIREWALL")

    if body["autoCreateSubnetworks"]:
        for subnetwork in model.of("subnetworks", call.params["project"], states=("creating", "ready", "deleting")):
            if subnetwork.name == body["name"]:
                raise google_error(409, f"The resource '{subnetwork.path}' already exists: an auto mode network "
                                   "names its subnetworks after itself", "alreadyExists")

    def ready(network):
        if network.body["autoCreateSubnetworks"]:
            create_auto_subnetworks(model, network)

    return model.create(call, "networks", body, complete=ready, hidden={"peered": {}})


def patch_network(model, call):
    network = model.target(call, "networks")
    m.check_mutable(network.body, call.body, NETWORK_PATCHABLE)
    return model.change(call, network, "patch", m.merge_patch(network.body, call.body))


def peering_request(call, network):
    """The NetworkPeering an addPeering body asks for, in either of its forms, checked."""
    body = call.body or {}
    if "networkPeering" in body:
        if body.get("name") or body.get("peerNetwork"):
            raise m.invalid("Invalid value for field 'networkPeering': set either networkPeering or the older "
                            "name and peerNetwork, not both.")
        peering = dict(body["networkPeering"])
        field = "networkPeering.network"
    else:
        if body.get("autoCreateRoutes") is not True:
            raise m.invalid_field("autoCreateRoutes", body.get("autoCreateRoutes", ""), "Must be true (or use "
                                  "networkPeering).")
        peering = {"name": body.get("name"), "network": body.get("peerNetwork")}
        field = "peerNetwork"
    m.check_name(peering.get("name"), "networkPeering.name")
    peer = m.parse_ref(peering.get("network"), field, network.project, None, ["networks"])
    if peer == network.ref:
        raise m.invalid_field(field, peering["network"], "A network cannot be peered with itself.")
    peering.update(network=peer.url, exchangeSubnetRoutes=True)
    peering.setdefault("exportCustomRoutes", False)
    peering.setdefault("importCustomRoutes", False)
    peering.setdefault("exportSubnetRoutesWithPublicIp", True)
    peering.setdefault("importSubnetRoutesWithPublicIp", False)
    peering.setdefault("stackType", "IPV4_ONLY")
    for other in network.body.get("peerings", []):
        if other["name"] == peering["name"]:
            raise m.invalid(f"There is already a peering named '{other['name']}' in network '{network.path}'.")
        if other["network"] == peer.url:
            raise m.invalid(f"Network '{network.path}' already has a peering ('{other['name']}') with "
                            f"'{peer.path}'.")
    return peering


def add_peering(model, call):
    network = model.idle(model.target(call, "networks"))
    peering = peering_request(call, network)
    body = m.merge_patch(network.body, {})
    body.setdefault("peerings", []).append(peering)

    def done():
        peer = model.resource(m.parse_ref(peering["network"], "", None, None, ["networks"]))
        if peer is not None and peer.state != "creating" and any(
                p["network"] == network.url for p in peer.body.get("peerings", [])):
            check_peering_overlap(model, network, peer)
        network.body = body
        network.hidden["peered"][peering["name"]] = m.stamp()

    return model.start(call, "addPeering", network, done)


def check_peering_overlap(model, network, peer):
    """Fails the activation of a peering whose networks' ranges overlap."""
    for local, local_path in ranges_of(model, network.url):
        for remote, _ in ranges_of(model, peer.url):
            if local.overlaps(remote):
                raise m.OperationFailed("INVALID_USAGE", f"An IP range in the peer network ({remote}) overlaps with "
                                        f"an IP range in the local network ({local}) allocated by resource "
                                        f"({local_path}).")


def named_peering(network, name, field):
    for index, peering in enumerate(network.body.get("peerings", [])):
        if peering["name"] == name:
            return index
    raise m.invalid_field(field, name or "", f"There is no peering named '{name}' in network '{network.path}'.")


def update_peering(model, call):
    network = model.idle(model.target(call, "networks"))
    change = dict((call.body or {}).get("networkPeering") or {})
    index = named_peering(network, change.get("name"), "networkPeering.name")
    body = m.merge_patch(network.body, {})
    current = body["peerings"][index]
    m.check_mutable(current, {k: v for k, v in change.items() if k != "name"},
                    {"exportCustomRoutes", "importCustomRoutes", "exportSubnetRoutesWithPublicIp",
                     "importSubnetRoutesWithPublicIp", "stackType", "updateStrategy"}, "networkPeering")
    current.update({k: v for k, v in change.items() if v is not None})
    return model.change(call, network, "updatePeering", body)


def remove_peering(model, call):
    network = model.idle(model.target(call, "networks"))
    index = named_peering(network, (call.body or {}).get("name"), "name")
    body = m.merge_patch(network.body, {})
    name = body["peerings"].pop(index)["name"]
    if not body["peerings"]:
        del body["peerings"]

    def done():
        network.body = body
        network.hidden["peered"].pop(name, None)

    return model.start(call, "removePeering", network, done)


# Subnetworks.

def ranges_of(model, network_url):
    """[(range, owner path)] of every subnetwork range (primary and secondary) of a network,
    including the subnetworks still being created."""
    found = []
    for subnetwork in model.of("subnetworks", states=("creating", "ready", "deleting")):
        if subnetwork.body["network"] == network_url:
            found.append((ipaddress.IPv4Network(subnetwork.body["ipCidrRange"]), subnetwork.path))
            for secondary in subnetwork.body.get("secondaryIpRanges", []):
                found.append((ipaddress.IPv4Network(secondary["ipCidrRange"]), subnetwork.path))
    return found


def check_range(model, network, range_, field, exclude=None):
    """A subnetwork range: /8 to /29, not forbidden, free in the network (but for the ranges of
    the subnetwork `exclude`, the one being patched) and in its active peers."""
    if not 8 <= range_.prefixlen <= 29:
        raise m.invalid_field(field, range_, "Invalid IPCidrRange: the prefix length must be between /8 and /29.")
    for forbidden in FORBIDDEN:
        if range_.overlaps(forbidden):
            raise m.invalid_field(field, range_, f"Invalid IPCidrRange: {range_} overlaps {forbidden}, which "
                                  "subnetworks may not use.")
    for other, path in ranges_of(model, network.url):
        if other.overlaps(range_) and path != exclude:
            parts = path.split("/")
            region, name = parts[3], parts[5]
            raise m.invalid_field(field, range_, f"Invalid IPCidrRange: {range_} conflicts with existing subnetwork "
                                  f"'{name}' in region '{region}'.")
    for peer in active_peers(model, network):
        for other, path in ranges_of(model, peer.url):
            if other.overlaps(range_):
                raise m.invalid_field(field, range_, f"Invalid IPCidrRange: {range_} conflicts with {other} of "
                                      f"'{path}' in the peered network '{peer.path}'.")


def subnetwork_body(body, network_url, range_):
    defaults = {"privateIpGoogleAccess": False, "privateIpv6GoogleAccess": "DISABLE_GOOGLE_ACCESS",
                "purpose": "PRIVATE", "stackType": "IPV4_ONLY"}
    return {**defaults, **body, "network": network_url, "ipCidrRange": str(range_),
            "gatewayAddress": str(range_[1]), "state": "READY"}


LOG_CONFIG_DEFAULTS = {"aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 0.5,
                       "metadata": "EXCLUDE_ALL_METADATA"}


def log_config(body, given=None):
    """The subnetwork `body` with its flow-log settings checked and completed, as the
    SubnetworkLogConfig reference describes them; `given` is what the request itself set of
    `logConfig` (a patch's, merged into the subnetwork's), by default all of it."""
    config = body.get("logConfig")
    legacy = body.get("enableFlowLogs")
    if config is None:
        if legacy is not None:
            body["logConfig"] = {"enable": legacy, **(LOG_CONFIG_DEFAULTS if legacy else {})}
        return body
    given = config if given is None else given
    enable = config.get("enable", legacy)
    if legacy is not None and enable != legacy:
        # The emulator's rule: the reference says nothing of the two disagreeing.
        raise m.invalid_field("resource.enableFlowLogs", legacy, "Must agree with logConfig.enable.")
    if not enable:
        for field in ("aggregationInterval", "flowSampling", "metadata", "metadataFields", "filterExpr"):
            if field in given:
                raise m.invalid_field(f"resource.logConfig.{field}", given[field], "Can only be specified if VPC "
                                      "flow logging for this subnetwork is enabled.")
        body["logConfig"] = {"enable": False}
        body["enableFlowLogs"] = False
        return body
    sampling = config.get("flowSampling", LOG_CONFIG_DEFAULTS["flowSampling"])
    if not 0 <= float(sampling) <= 1:
        raise m.invalid_field("resource.logConfig.flowSampling", sampling, "The value of the field must be in "
                              "[0, 1].")
    if config.get("metadataFields") and config.get("metadata") != "CUSTOM_METADATA":
        raise m.invalid_field("resource.logConfig.metadataFields", config["metadataFields"], "Can only be "
                              "specified if metadata was set to CUSTOM_METADATA.")
    body["logConfig"] = {**LOG_CONFIG_DEFAULTS, **config, "enable": True, "flowSampling": float(sampling)}
    body["enableFlowLogs"] = True
    return body


def check_region_field(call, body):
    """The body's `region`, when given, must name the path's region (any URL form)."""
    region = body.pop("region", None)
    if region and region.rstrip("/").rsplit("/", 1)[-1] != call.params["region"]:
        raise m.invalid_field("resource.region", region, f"Must be the region of the request, "
                              f"'{call.params['region']}'.")


def insert_subnetwork(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    check_region_field(call, body)
    network = network_ref(model, call, body.get("network"))
    if body.get("ipCidrRange") is None:
        raise m.required("resource.ipCidrRange")
    range_ = cidr(body["ipCidrRange"], "resource.ipCidrRange")
    check_range(model, network, range_, "resource.ipCidrRange")
    check_secondary_ranges(model, network, range_, body.get("secondaryIpRanges") or [])
    return model.create(call, "subnetworks", log_config(subnetwork_body(body, network.url, range_)))


def check_secondary_ranges(model, network, primary, secondaries, exclude=None):
    """Secondary ranges: named, each a valid free range overlapping neither the primary range
    nor each other."""
    taken = [primary]
    for index, secondary in enumerate(secondaries):
        field = f"resource.secondaryIpRanges[{index}]"
        m.check_name(secondary.get("rangeName"), f"{field}.rangeName")
        range_ = cidr(secondary.get("ipCidrRange"), f"{field}.ipCidrRange")
        check_range(model, network, range_, f"{field}.ipCidrRange", exclude)
        for other in taken:
            if other.overlaps(range_):
                raise m.invalid_field(f"{field}.ipCidrRange", range_, f"Invalid IPCidrRange: {range_} conflicts with "
                                      f"{other} of the same subnetwork.")
        taken.append(range_)


def patch_subnetwork(model, call):
    subnetwork = model.target(call, "subnetworks")
    if (call.body or {}).get("fingerprint") != subnetwork.body["fingerprint"]:
        raise m.condition_not_met("Supplied fingerprint does not match current fingerprint of the subnetwork: get "
                                  "it again and retry.")
    m.check_mutable(subnetwork.body, call.body, SUBNETWORK_PATCHABLE)
    patched = m.merge_patch(subnetwork.body, call.body)
    flow_fields = ("logConfig", "enableFlowLogs")
    if any(field in call.body for field in flow_fields):
        # The request's settings merged into the subnetwork's (a patch keeps what it leaves out),
        # checked for what the request itself sets.
        patched.pop("enableFlowLogs", None)
        if "enableFlowLogs" in call.body:
            patched["enableFlowLogs"] = call.body["enableFlowLogs"]
            if "logConfig" not in call.body and "logConfig" in patched:
                patched["logConfig"]["enable"] = call.body["enableFlowLogs"]
        patched = log_config(patched, given=call.body.get("logConfig") or {})
    network = model.resource(m.parse_ref(subnetwork.body["network"], "", None, None, ["networks"]))
    check_secondary_ranges(model, network, ipaddress.IPv4Network(patched["ipCidrRange"]),
                           patched.get("secondaryIpRanges") or [], exclude=subnetwork.path)
    return model.change(call, subnetwork, "patch", patched)


def delete_subnetwork(model, call):
    subnetwork = model.target(call, "subnetworks")
    if subnetwork.owner:
        raise m.invalid(f"The subnetwork resource '{subnetwork.path}' was created with the auto mode network "
                        f"'{m.Ref(subnetwork.project, None, 'networks', subnetwork.name).path}' and cannot be "
                        "deleted alone.")
    return model.delete(call, subnetwork)


# Addresses.

def render_address(model, address, body):
    users = sorted(r.url for r in model.of("forwardingRules", states=("creating", "ready", "deleting"))
                   if r.hidden.get("address") == address.url)
    body["status"] = "IN_USE" if users else "RESERVED"
    if users:
        body["users"] = users


def taken_addresses(model, subnetwork_url):
    return {a.body["address"]: a.path for a in model.of("addresses", states=("creating", "ready", "deleting"))
            if a.body.get("subnetwork") == subnetwork_url}


def internal_address(model, subnetwork, wanted):
    """The address an INTERNAL reservation gets: `wanted`, checked, or the next free host. GCP
    keeps the first two and the last two addresses of every range."""
    range_ = ipaddress.IPv4Network(subnetwork.body["ipCidrRange"])
    usable = range(int(range_.network_address) + 2, int(range_.broadcast_address) - 1)
    taken = taken_addresses(model, subnetwork.url)
    if wanted is None:
        for number in usable:
            if str(ipaddress.IPv4Address(number)) not in taken:
                return str(ipaddress.IPv4Address(number))
        raise m.invalid(f"The subnetwork '{subnetwork.path}' has no free address left.")
    try:
        number = int(ipaddress.IPv4Address(wanted))
    except ValueError:
        raise m.invalid_field("resource.address", wanted, "Must be an IPv4 address.")
    if number not in usable:
        raise m.invalid_field("resource.address", wanted, f"The address must be a usable address of the subnetwork "
                              f"range {range_} (GCP reserves its first two and last two addresses).")
    if wanted in taken:
        raise m.invalid_field("resource.address", wanted, f"IP address is already reserved by '{taken[wanted]}'.")
    return wanted


def insert_address(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    check_region_field(call, body)
    body.setdefault("addressType", "EXTERNAL")
    if body.get("ipVersion") == "IPV6":
        raise google_error(501, "The emulator does not model IPv6 addresses.", "notImplemented")
    if body.get("prefixLength"):
        raise m.invalid_field("resource.prefixLength", body["prefixLength"], "Only global VPC_PEERING addresses "
                              "have a prefix length.")
    if body["addressType"] == "INTERNAL":
        if not body.get("subnetwork"):
            raise m.required("resource.subnetwork")
        ref = m.parse_ref(body["subnetwork"], "resource.subnetwork", call.params["project"], call.params["region"],
                          ["subnetworks"])
        m.same_project(ref, call.params["project"], "resource.subnetwork")
        m.same_region(ref, call.params["region"], "resource.subnetwork")
        subnetwork = model.require(ref)
        body.setdefault("purpose", "GCE_ENDPOINT")
        if body["purpose"] not in INTERNAL_PURPOSES:
            raise m.invalid_field("resource.purpose", body["purpose"], "Regional internal addresses take the purpose "
                                  "GCE_ENDPOINT, DNS_RESOLVER or SHARED_LOADBALANCER_VIP.")
        body.update(subnetwork=ref.url, address=internal_address(model, subnetwork, body.get("address")))
    else:
        if body.get("subnetwork") or body.get("purpose"):
            field = "subnetwork" if body.get("subnetwork") else "purpose"
            raise m.invalid_field(f"resource.{field}", body[field], "Only INTERNAL addresses take this field.")
        if body.get("address"):
            raise m.invalid_field("resource.address", body["address"], "The emulator assigns external addresses "
                                  "(bring-your-own IP is not modelled).")
        count = model.next("external-address")
        body["address"] = f"34.118.{count // 254 % 256}.{count % 254 + 1}"
    body.setdefault("networkTier", "PREMIUM")
    body.setdefault("description", "")
    m.put_labels(body, m.check_labels(body.get("labels")))
    return model.create(call, "addresses", body)


# Private Service Connect forwarding rules.

def psc_address(model, call, value, network):
    """The address resource an endpoint's IPAddress names (a URL, a name or the IP itself)."""
    project, region = call.params["project"], call.params["region"]
    if value is None:
        raise m.required("resource.IPAddress")
    if is_ipv4(value):
        matches = [a for a in model.of("addresses", project, region) if a.body["address"] == value]
        if not matches:
            raise m.invalid_field("resource.IPAddress", value, "A Private Service Connect endpoint needs an address "
                                  "reserved in the region.")
        address = model.require(matches[0].ref)
    else:
        ref = m.parse_ref(value, "resource.IPAddress", project, region, ["addresses"], bare=True)
        m.same_region(ref, region, "resource.IPAddress")
        address = model.require(ref)
    subnetwork = address.body.get("subnetwork")
    if address.body["addressType"] != "INTERNAL" or model.resource(
            m.parse_ref(subnetwork, "", None, None, ["subnetworks"])).body["network"] != network.url:
        raise m.invalid_field("resource.IPAddress", value, f"The address must be an INTERNAL address of a subnetwork "
                              f"of '{network.path}'.")
    users = [r.path for r in model.of("forwardingRules", states=("creating", "ready", "deleting"))
             if r.hidden.get("address") == address.url]
    if users:
        raise m.invalid_field("resource.IPAddress", value, f"The address is already being used by '{users[0]}'.")
    return address


def insert_forwarding_rule(model, call):
    body = dict(call.body)
    m.check_name(body.get("name"))
    check_region_field(call, body)
    target = body.get("target") or ""
    if "/serviceAttachments/" not in target:
        raise google_error(501, "The emulator models only Private Service Connect forwarding rules whose target is "
                           "a service attachment.", "notImplemented")
    ref = m.parse_ref(target, "resource.target", call.params["project"], call.params["region"],
                      ["serviceAttachments"])
    m.same_region(ref, call.params["region"], "resource.target")
    if body.pop("loadBalancingScheme", ""):
        raise m.invalid_field("resource.loadBalancingScheme", call.body["loadBalancingScheme"], "A Private Service "
                              "Connect forwarding rule must not set a load balancing scheme.")
    for field in ("backendService", "ports", "portRange", "allPorts", "IPAddresses"):
        if body.get(field):
            raise m.invalid_field(f"resource.{field}", body[field], "A Private Service Connect forwarding rule to a "
                                  "service attachment does not take this field.")
    network = network_ref(model, call, body.get("network"))
    address = psc_address(model, call, body.get("IPAddress"), network)
    if body.get("subnetwork"):
        body["subnetwork"] = m.parse_ref(body["subnetwork"], "resource.subnetwork", call.params["project"],
                                         call.params["region"], ["subnetworks"]).url
    body.update(target=ref.url, network=network.url, IPAddress=address.body["address"], IPProtocol="TCP",
                pscConnectionStatus="ACCEPTED", pscConnectionId=str(model.rng.getrandbits(63)))
    body.setdefault("networkTier", "PREMIUM")
    m.put_labels(body, m.check_labels(body.get("labels")))

    return model.create(call, "forwardingRules", body, hidden={"address": address.url})


def patch_forwarding_rule(model, call):
    rule = model.target(call, "forwardingRules")
    wanted = (call.body or {}).get("fingerprint")
    if wanted is not None and wanted != rule.body["fingerprint"]:
        raise m.condition_not_met("Supplied fingerprint does not match current fingerprint of the forwarding rule.")
    m.check_mutable(rule.body, call.body, FORWARDING_RULE_PATCHABLE)
    return model.change(call, rule, "patch", m.merge_patch(rule.body, call.body))


m.register(m.Kind("networks", "compute#network", "network", regional=False, render=render_network,
                  blockers=network_blockers, self_link_with_id=True, operation_types={"patch": "updateNetwork"}))
m.register(m.Kind("subnetworks", "compute#subnetwork", "subnetwork", regional=True, fingerprinted=True,
                  references=lambda r: [r.body["network"]]))
m.register(m.Kind("addresses", "compute#address", "address", regional=True, render=render_address,
                  references=lambda r: [r.body.get("subnetwork")]))
m.register(m.Kind("forwardingRules", "compute#forwardingRule", "forwarding_rule", regional=True, fingerprinted=True,
                  self_link_with_id=True, references=lambda r: [r.body["network"], r.hidden.get("address")]))

HANDLERS = {
    "compute.networks.insert": insert_network,
    "compute.networks.patch": patch_network,
    "compute.networks.addPeering": add_peering,
    "compute.networks.updatePeering": update_peering,
    "compute.networks.removePeering": remove_peering,
    **standard_handlers("networks", ["get", "list", "delete"]),
    "compute.subnetworks.insert": insert_subnetwork,
    "compute.subnetworks.patch": patch_subnetwork,
    "compute.subnetworks.delete": delete_subnetwork,
    **standard_handlers("subnetworks", ["get", "list", "aggregatedList"]),
    "compute.addresses.insert": insert_address,
    **standard_handlers("addresses", ["get", "list", "aggregatedList", "delete", "setLabels"]),
    "compute.forwardingRules.insert": insert_forwarding_rule,
    "compute.forwardingRules.patch": patch_forwarding_rule,
    **standard_handlers("forwardingRules", ["get", "list", "aggregatedList", "delete", "setLabels"]),
}
