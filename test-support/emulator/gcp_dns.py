"""Cloud DNS v1 managed zones, record sets and changes
(https://cloud.google.com/dns/docs/reference/rest/v1), beside the Compute Engine model whose
networks private zones are visible to.

Cloud DNS answers synchronously: create returns the zone, patch and update a `dns#operation`
that is already `done`, delete `{}`. The rules modelled:

- a zone's `name` is RFC 1035, unique in the project (409 otherwise); `dnsName` is a domain
  ending with a dot; `visibility` is `public` (the default) or `private`, and a private zone's
  `privateVisibilityConfig.networks[].networkUrl` must name networks that exist in the emulator
  (a public zone takes none); `name`, `dnsName` and `visibility` never change; forwarding,
  peering, reverse-lookup, Service Directory zones and DNSSEC are not modelled (501);
- a zone is created with its SOA and NS record sets at the apex (change "0"), which cannot be
  deleted; deleting a zone that holds other record sets answers 400 `containerNotEmpty`;
- a record set's `name` ends with a dot and lies in the zone, `type` is a DNS type, `rrdatas`
  are not empty (A: IPv4 addresses, AAAA: IPv6, CNAME: one name ending with a dot, alone at its
  name and never at the apex); (name, type) is unique (409); routing policies are not modelled;
- `changes.create` applies its deletions (which must match the record sets exactly, else 412
  `conditionNotMet`) and additions (409 when one exists) atomically.
"""

import copy
import dataclasses
import hashlib
import ipaddress
import re

from . import gcp_lists
from . import gcp_model as m
from .server import ApiError, google_error

ZONE_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_NAME = re.compile(r"(?:(?:\*|[A-Za-z0-9_](?:[-A-Za-z0-9_]{0,61}[A-Za-z0-9])?)\.)*"
                      r"(?:[A-Za-z0-9_](?:[-A-Za-z0-9_]{0,61}[A-Za-z0-9])?\.)")
TYPES = {"A", "AAAA", "ALIAS", "CAA", "CNAME", "DNSKEY", "DS", "HTTPS", "IPSECKEY", "MX", "NAPTR", "NS", "PTR", "SOA",
         "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT"}
UNMODELLED = {"forwardingConfig": "forwarding zones", "peeringConfig": "peering zones",
              "reverseLookupConfig": "reverse lookup zones", "serviceDirectoryConfig": "Service Directory zones"}
APEX_TTL = 21600


@dataclasses.dataclass
class Zone:
    body: dict
    rrsets: dict  # (name, type) -> record set
    changes: list

    @property
    def apex(self):
        return self.body["dnsName"]


def invalid(entity, value):
    return google_error(400, f"Invalid value for '{entity}': '{value}'", "invalid")


def zone_not_found(name):
    return google_error(404, f"The 'parameters.managedZone' resource named '{name}' does not exist.", "notFound")


def zone_of(model, call):
    zone = model.zones.get((call.params["project"], call.params["managedZone"]))
    if zone is None:
        raise zone_not_found(call.params["managedZone"])
    return zone


def name_servers(project, name, visibility):
    if visibility == "private":
        return ["ns-gcp-private.googledomains.com."]
    letter = "abcde"[hashlib.sha256(f"{project}/{name}".encode()).digest()[0] % 5]
    return [f"ns-cloud-{letter}{n}.googledomains.com." for n in range(1, 5)]


def check_zone(model, body, old=None):
    """A zone body, checked, with Cloud DNS's defaults and `kind`s."""
    body = dict(body)
    for field, what in UNMODELLED.items():
        if body.get(field):
            raise google_error(501, f"The emulator does not model {what}.", "notImplemented")
    if (body.get("dnssecConfig") or {}).get("state", "off") != "off":
        raise google_error(501, "The emulator does not model DNSSEC.", "notImplemented")
    if not isinstance(body.get("name"), str) or not ZONE_NAME.fullmatch(body["name"]):
        raise invalid("entity.managedZone.name", body.get("name", ""))
    dns_name = body.get("dnsName")
    if not isinstance(dns_name, str) or not dns_name.endswith(".") or not DNS_NAME.fullmatch(dns_name):
        raise invalid("entity.managedZone.dnsName", dns_name or "")
    body["visibility"] = body.get("visibility") or "public"
    if old is not None:
        for field in ("name", "dnsName", "visibility"):
            if body[field] != old[field]:
                raise invalid(f"entity.managedZone.{field}", body[field])
    config = body.get("privateVisibilityConfig")
    if body["visibility"] == "public" and config and (config.get("networks") or config.get("gkeClusters")):
        raise invalid("entity.managedZone.privateVisibilityConfig", "a public zone is visible to every network")
    if config is not None:
        body["privateVisibilityConfig"] = check_visibility(model, config)
    m.check_labels(body.get("labels"))
    body.setdefault("description", "")
    body["kind"] = "dns#managedZone"
    body.setdefault("cloudLoggingConfig", {})["kind"] = "dns#managedZoneCloudLoggingConfig"
    return body


def check_visibility(model, config):
    if config.get("gkeClusters"):
        raise google_error(501, "The emulator does not model GKE clusters.", "notImplemented")
    networks = []
    for index, network in enumerate(config.get("networks") or []):
        entity = f"entity.managedZone.privateVisibilityConfig.networks[{index}].networkUrl"
        url = network.get("networkUrl")
        try:
            ref = m.parse_ref(url, entity, None, None, ["networks"])
        except ApiError:
            raise invalid(entity, url or "")
        if ref.project is None:
            raise invalid(entity, url)
        found = model.resource(ref)
        if found is None or found.state != "ready":
            raise invalid(entity, url)
        networks.append({**network, "kind": "dns#managedZonePrivateVisibilityConfigNetwork", "networkUrl": ref.url})
    return {**config, "kind": "dns#managedZonePrivateVisibilityConfig", "networks": networks}


def record_set(body):
    return {**body, "kind": "dns#resourceRecordSet"}


def create_zone(model, call):
    project = call.params["project"]
    body = check_zone(model, call.body)
    if (project, body["name"]) in model.zones:
        raise google_error(409, f"The resource 'entity.managedZone' named '{body['name']}' already exists",
                           "alreadyExists")
    servers = name_servers(project, body["name"], body["visibility"])
    body.update(id=model.new_id(), creationTime=m.stamp(), nameServers=servers)
    apex = body["dnsName"]
    soa = record_set({"name": apex, "type": "SOA", "ttl": APEX_TTL,
                      "rrdatas": [f"{servers[0]} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"]})
    ns = record_set({"name": apex, "type": "NS", "ttl": APEX_TTL, "rrdatas": servers})
    zone = Zone(body, {(apex, "SOA"): soa, (apex, "NS"): ns}, [])
    zone.changes.append(change_body(zone, [ns, soa], []))
    model.zones[(project, body["name"])] = zone
    return copy.deepcopy(body)


def get_zone(model, call):
    return copy.deepcopy(zone_of(model, call).body)


def list_zones(model, call):
    zones = [z.body for (project, _), z in sorted(model.zones.items()) if project == call.params["project"]]
    if call.query.get("dnsName"):
        zones = [z for z in zones if z["dnsName"] == call.query["dnsName"]]
    items, token = gcp_lists.page(zones, call.query, model.settings["max_results_cap"], maximum=None)
    body = {"kind": "dns#managedZonesListResponse", "managedZones": copy.deepcopy(items)}
    if token:
        body["nextPageToken"] = token
    return body


def change_zone(model, call, new_body):
    zone = zone_of(model, call)
    kept = {k: zone.body[k] for k in ("id", "creationTime", "nameServers")}
    new_body = {**check_zone(model, new_body, zone.body), **kept}
    operation = {"kind": "dns#operation", "id": str(model.next("dns-operation")), "startTime": m.stamp(),
                 "status": "done", "type": "UPDATE", "user": m.USER,
                 "zoneContext": {"oldValue": copy.deepcopy(zone.body), "newValue": copy.deepcopy(new_body)}}
    zone.body = new_body
    return operation


def patch_zone(model, call):
    return change_zone(model, call, m.merge_patch(zone_of(model, call).body, call.body))


def update_zone(model, call):
    return change_zone(model, call, call.body)


def delete_zone(model, call):
    zone = zone_of(model, call)
    if any(key not in ((zone.apex, "SOA"), (zone.apex, "NS")) for key in zone.rrsets):
        raise google_error(400, f"The resource named '{call.params['managedZone']}' cannot be deleted because it is "
                           "not empty", "containerNotEmpty")
    del model.zones[(call.params["project"], call.params["managedZone"])]
    return {}


# Record sets.

def check_record_set(zone, body, entity):
    """A record set, checked against its zone."""
    body = record_set(body)
    name, kind = body.get("name"), body.get("type")
    if not isinstance(name, str) or not name.endswith(".") or not DNS_NAME.fullmatch(name):
        raise invalid(f"{entity}.name", name or "")
    if name.lower() != zone.apex.lower() and not name.lower().endswith("." + zone.apex.lower()):
        raise invalid(f"{entity}.name", name)
    if kind not in TYPES:
        raise invalid(f"{entity}.type", kind or "")
    if body.get("routingPolicy"):
        raise google_error(501, "The emulator does not model routing policies.", "notImplemented")
    if body.get("ttl") is not None and body["ttl"] < 0:
        raise invalid(f"{entity}.ttl", body["ttl"])
    rrdatas = body.get("rrdatas") or []
    if not rrdatas:
        raise invalid(f"{entity}.rrdatas", "[]")
    for index, rrdata in enumerate(rrdatas):
        if not valid_rrdata(kind, rrdata):
            raise invalid(f"{entity}.rrdatas[{index}]", rrdata)
    if kind == "CNAME" and (len(rrdatas) != 1 or name.lower() == zone.apex.lower()):
        raise invalid(f"{entity}.rrdatas" if len(rrdatas) != 1 else f"{entity}.name", name)
    return body


def valid_rrdata(kind, rrdata):
    try:
        if kind == "A":
            ipaddress.IPv4Address(rrdata)
        elif kind == "AAAA":
            ipaddress.IPv6Address(rrdata)
    except ValueError:
        return False
    if kind in ("CNAME", "NS", "PTR"):
        return rrdata.endswith(".") and DNS_NAME.fullmatch(rrdata) is not None
    return isinstance(rrdata, str) and bool(rrdata)


def key_of(rrset):
    return rrset["name"], rrset["type"]


def label(rrset):
    return f"{rrset['name']} ({rrset['type']})"


def apply(zone, additions, deletions, entity):
    """The zone's record sets after a change, or raises (nothing changes then)."""
    rrsets = dict(zone.rrsets)
    for index, deletion in enumerate(deletions):
        current = rrsets.get(key_of(deletion))
        if current is None or current.get("ttl") != deletion.get("ttl") or \
                sorted(current["rrdatas"]) != sorted(deletion["rrdatas"]):
            raise google_error(412, f"Precondition not met for '{entity}.deletions[{index}]'", "conditionNotMet")
        del rrsets[key_of(deletion)]
    for index, addition in enumerate(additions):
        if key_of(addition) in rrsets:
            raise google_error(409, f"The resource '{entity}.additions[{index}]' named '{label(addition)}' already "
                               "exists", "alreadyExists")
        rrsets[key_of(addition)] = addition
    check_cnames(rrsets, entity)
    apex = [(zone.apex, "SOA"), (zone.apex, "NS")]
    if any(key not in rrsets for key in apex):
        raise google_error(400, f"The resource '{entity}' would delete the zone's SOA or NS record set at its apex",
                           "invalid")
    return rrsets


def check_cnames(rrsets, entity):
    for name, kind in rrsets:
        if kind == "CNAME" and any(other == name and other_kind != "CNAME" for other, other_kind in rrsets):
            raise google_error(400, f"The resource '{entity}' named '{name} (CNAME)' conflicts with another record "
                               "set at that name: a CNAME must be alone", "cnameResourceRecordSetConflict")


def change_body(zone, additions, deletions):
    body = {"kind": "dns#change", "id": str(len(zone.changes)), "startTime": m.stamp(), "status": "done"}
    if additions:
        body["additions"] = copy.deepcopy(additions)
    if deletions:
        body["deletions"] = copy.deepcopy(deletions)
    return body


def commit(zone, additions, deletions, entity):
    zone.rrsets = apply(zone, additions, deletions, entity)
    change = change_body(zone, additions, deletions)
    zone.changes.append(change)
    return change


def create_record_set(model, call):
    zone = zone_of(model, call)
    rrset = check_record_set(zone, call.body, "entity.rrset")
    if key_of(rrset) in zone.rrsets:
        raise google_error(409, f"The resource 'entity.rrset' named '{label(rrset)}' already exists",
                           "alreadyExists")
    commit(zone, [rrset], [], "entity.rrset")
    return copy.deepcopy(rrset)


def path_record_set(model, call):
    zone = zone_of(model, call)
    rrset = zone.rrsets.get((call.params["name"], call.params["type"]))
    if rrset is None:
        raise google_error(404, f"The 'parameters.name' resource named '{call.params['name']}' does not exist.",
                           "notFound")
    return zone, rrset


def get_record_set(model, call):
    return copy.deepcopy(path_record_set(model, call)[1])


def patch_record_set(model, call):
    zone, current = path_record_set(model, call)
    new = check_record_set(zone, m.merge_patch(current, call.body), "entity.rrset")
    if key_of(new) != key_of(current):
        raise invalid("entity.rrset.name", label(new))
    commit(zone, [new], [current], "entity.rrset")
    return copy.deepcopy(new)


def delete_record_set(model, call):
    zone, current = path_record_set(model, call)
    if key_of(current) in ((zone.apex, "SOA"), (zone.apex, "NS")):
        raise google_error(400, f"The resource 'entity.rrset' named '{label(current)}' cannot be deleted: it is the "
                           "zone's apex SOA or NS record set", "invalid")
    commit(zone, [], [current], "entity.rrset")
    return {}


def list_record_sets(model, call):
    zone = zone_of(model, call)
    name, kind = call.query.get("name"), call.query.get("type")
    if kind and not name:
        raise google_error(400, "Invalid value for 'parameters.type': a type filter needs a name filter", "invalid")
    rrsets = [r for (rrset_name, rrset_type), r in sorted(zone.rrsets.items())
              if name in (None, rrset_name) and kind in (None, rrset_type)]
    items, token = gcp_lists.page(rrsets, call.query, model.settings["max_results_cap"], maximum=None)
    body = {"kind": "dns#resourceRecordSetsListResponse", "rrsets": copy.deepcopy(items)}
    if token:
        body["nextPageToken"] = token
    return body


# Changes.

def create_change(model, call):
    zone = zone_of(model, call)
    body = call.body or {}
    additions = [check_record_set(zone, r, f"entity.change.additions[{i}]")
                 for i, r in enumerate(body.get("additions") or [])]
    deletions = [record_set(r) for r in body.get("deletions") or []]
    if not additions and not deletions:
        raise google_error(400, "The 'entity.change' resource must have additions or deletions", "required")
    return commit(zone, additions, deletions, "entity.change")


def get_change(model, call):
    zone = zone_of(model, call)
    for change in zone.changes:
        if change["id"] == call.params["changeId"]:
            return copy.deepcopy(change)
    raise google_error(404, f"The 'parameters.changeId' resource named '{call.params['changeId']}' does not exist.",
                       "notFound")


def list_changes(model, call):
    zone = zone_of(model, call)
    changes = list(reversed(zone.changes)) if call.query.get("sortOrder") == "descending" else list(zone.changes)
    items, token = gcp_lists.page(changes, call.query, model.settings["max_results_cap"], maximum=None)
    body = {"kind": "dns#changesListResponse", "changes": copy.deepcopy(items)}
    if token:
        body["nextPageToken"] = token
    return body


HANDLERS = {
    "dns.managedZones.create": create_zone,
    "dns.managedZones.get": get_zone,
    "dns.managedZones.list": list_zones,
    "dns.managedZones.patch": patch_zone,
    "dns.managedZones.update": update_zone,
    "dns.managedZones.delete": delete_zone,
    "dns.resourceRecordSets.create": create_record_set,
    "dns.resourceRecordSets.get": get_record_set,
    "dns.resourceRecordSets.patch": patch_record_set,
    "dns.resourceRecordSets.delete": delete_record_set,
    "dns.resourceRecordSets.list": list_record_sets,
    "dns.changes.create": create_change,
    "dns.changes.get": get_change,
    "dns.changes.list": list_changes,
}
