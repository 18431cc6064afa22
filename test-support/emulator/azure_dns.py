"""Private DNS (Microsoft.Network/privateDnsZones 2024-06-01), as
https://learn.microsoft.com/rest/api/dns/privatednszones and
https://learn.microsoft.com/azure/dns/private-dns-privatednszone document it:

- a zone's name is a DNS name of two labels or more (400 `InvalidResourceName`); its location
  is `global`; creating it also creates its SOA record set (`SOA/@`), which cannot be deleted;
  it cannot be deleted while virtual networks are linked to it (400
  `CannotDeleteZoneWithVirtualNetworkLinks`, the emulator's code), and takes its record sets
  with it. Its operations' URLs are `privateDnsOperationStatuses` and `privateDnsOperationResults`;
- a virtual network link (`virtualNetworkLinks/{name}`, location `global`) names an existing
  virtual network (400 `InvalidResourceReference`), at most one link per network and zone (400
  `VirtualNetworkAlreadyLinked`, the emulator's code); its state is `Completed` once it has
  succeeded;
- A record sets (`A/{name}`, `@` for the apex) are written at once (200/201, no operation):
  `aRecords[].ipv4Address` are IPv4 addresses and no other type's records are given (400
  `BadRequest`); they show `fqdn` (with the final dot) and `isAutoRegistered`;
- `GET .../privateDnsZones/{zone}/ALL` lists the record sets of every type.
"""

import ipaddress
import re

from . import azure_network
from .azure_model import Kind, bad_request, child_id, id_key, reference, register

ZONE = "Microsoft.Network/privateDnsZones"
GLOBAL = frozenset({"global"})
LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
ZONE_NAME = re.compile(rf"{LABEL}(\.{LABEL})+\.?")
RECORD_NAME = re.compile(rf"@|(\*\.)?{LABEL}(\.{LABEL})*|\*")
RECORD_MEMBERS = ("aRecords", "aaaaRecords", "cnameRecord", "mxRecords", "ptrRecords", "soaRecord", "srvRecords",
                  "txtRecords")
SOA = {"host": "azureprivatedns.net", "email": "azureprivatedns-host.microsoft.com", "serialNumber": 1,
       "refreshTime": 3600, "retryTime": 300, "expireTime": 2419200, "minimumTtl": 10}


def check_zone_name(name):
    if not ZONE_NAME.fullmatch(name) or len(name) > 253:
        raise bad_request("InvalidResourceName", f"The zone name '{name}' is not a valid DNS name of two labels or "
                          "more.")


def check_record_name(name):
    if not RECORD_NAME.fullmatch(name):
        raise bad_request("InvalidResourceName", f"The record set name '{name}' is not a valid relative DNS name.")


# Zones.

def zone_applied(model, zone, body):
    soa_id = child_id(zone.id, "SOA", "@")
    if model.get(soa_id) is None:
        model.keep(SOA_RECORD, soa_id, zone.scope, {"properties": {"ttl": 3600, "soaRecord": dict(SOA)}}, zone)
    zone.hidden.setdefault("internalId", model.guid())


def records_of(model, zone):
    return [r for r in model.children(zone) if r.kind in (A_RECORD, SOA_RECORD)]


def render_zone(model, zone, body):
    links = model.children(zone, LINK)
    registering = [link for link in links if link.body["properties"].get("registrationEnabled")]
    body["properties"].update(
        maxNumberOfRecordSets=25000, numberOfRecordSets=len(records_of(model, zone)),
        maxNumberOfVirtualNetworkLinks=1000, numberOfVirtualNetworkLinks=len(links),
        maxNumberOfVirtualNetworkLinksWithRegistration=100,
        numberOfVirtualNetworkLinksWithRegistration=len(registering), internalId=zone.hidden["internalId"])


def zone_users(model, zone):
    return [("CannotDeleteZoneWithVirtualNetworkLinks", f"The private DNS zone {zone.name} cannot be deleted: the "
             f"virtual network link {link.id} links it.") for link in model.children(zone, LINK)][:1]


PRIVATE_ZONE = register(Kind(ZONE, "privateDnsZones", "privatedns", "PrivateZone", locations=GLOBAL,
                             check_name=check_zone_name, creating_state="Creating", applied=zone_applied,
                             render=render_zone, users=zone_users))


# Virtual network links.

def prepare_link(model, link, body, old):
    props = azure_network.properties(body)
    network = model.require(reference(body, "properties", "virtualNetwork"), link.id, azure_network.VIRTUAL_NETWORK)
    for other in model.children(link.parent, LINK):
        if other is not link and id_key(reference(other.body, "properties", "virtualNetwork")) == id_key(network.id):
            raise bad_request("VirtualNetworkAlreadyLinked", f"Virtual network {network.id} is already linked to the "
                              f"zone {link.parent.name} by {other.id}.")
    props["virtualNetwork"] = {"id": network.id}
    props.setdefault("registrationEnabled", False)
    props.setdefault("resolutionPolicy", "Default")
    return body


def render_link(model, link, body):
    body["properties"]["virtualNetworkLinkState"] = "Completed" if link.state == "Succeeded" else "InProgress"


def link_references(link):
    return [(link.id, link.body["properties"]["virtualNetwork"]["id"])]


LINK = register(Kind(ZONE + "/virtualNetworkLinks", "virtualNetworkLinks", "privatedns", "VirtualNetworkLink",
                     parent=ZONE, locations=GLOBAL, creating_state="Creating", prepare=prepare_link,
                     render=render_link, references=link_references))


# Record sets.

def prepare_a(model, record, body, old):
    props = azure_network.properties(body)
    others = [m for m in RECORD_MEMBERS if m != "aRecords" and m in props]
    if others:
        raise bad_request("BadRequest", f"An A record set cannot have {others[0]}.")
    for item in props.get("aRecords", []):
        try:
            ipaddress.IPv4Address(item.get("ipv4Address"))
        except (TypeError, ValueError):
            raise bad_request("BadRequest", f"{item.get('ipv4Address')} is not an IPv4 address.")
    props.setdefault("ttl", 3600)
    props.setdefault("aRecords", [])
    return body


def prepare_soa(model, record, body, old):
    if record.name != "@" or not body.get("properties", {}).get("soaRecord"):
        raise bad_request("BadRequest", "The SOA record set is '@', with a soaRecord.")
    return body


def render_record(model, record, body):
    zone = record.parent.name
    props = body.setdefault("properties", {})
    props["fqdn"] = f"{zone}." if record.name == "@" else f"{record.name}.{zone}."
    props["isAutoRegistered"] = False


def soa_users(model, record):
    return [("BadRequest", "The SOA record set of a zone cannot be deleted.")]


def refuse_all(model, record, body, old):
    raise bad_request("BadRequest", "ALL names every type of record set: write a record set of one type.")


RECORD = dict(parent=ZONE, tracked=False, lro=False, async_delete=False, shows_state=False,
              check_name=check_record_name, render=render_record)
A_RECORD = register(Kind(ZONE + "/A", "A", "privatedns", "RecordSet", prepare=prepare_a, **RECORD))
SOA_RECORD = register(Kind(ZONE + "/SOA", "SOA", "privatedns", "RecordSet", prepare=prepare_soa, users=soa_users,
                           **RECORD))
ALL_RECORDS = register(Kind(ZONE + "/ALL", "ALL", "privatedns", "RecordSet", prepare=refuse_all,
                            listed=records_of, **RECORD))
