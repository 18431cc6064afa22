"""Network Watchers and their virtual network flow logs (Microsoft.Network 2024-03-01), as
https://learn.microsoft.com/azure/network-watcher/network-watcher-create,
https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview and
https://learn.microsoft.com/rest/api/network-watcher/flow-logs/create-or-update document them:

- Azure enables Network Watcher in a region when a virtual network is first created there: a
  watcher `NetworkWatcher_{region}` in the group `NetworkWatcherRG` (made if missing). One watcher
  per subscription and region (400 `NetworkWatcherCountLimitReached`, Azure's code);
- a flow log is a child of a watcher (`networkWatchers/{watcher}/flowLogs/{name}`), in the
  watcher's region (400 `FlowLogLocationMismatch`, the emulator's code); its `targetResourceId`
  is an existing virtual network in that region (400 `InvalidResourceReference`; the emulator
  models virtual network flow logs only, not NSG flow logs); a target has one flow log (400
  `FlowLogAlreadyExistsForTarget`, the emulator's code); `storageId` is a storage account's id
  (400 `InvalidStorageId`, the emulator's code: storage accounts are not modelled, so their
  existence and region are not checked); `format` is JSON, version 2 for virtual network flow
  logs (400 `InvalidFlowLogFormat`, the emulator's code); `enabled` defaults to true and
  `retentionPolicy` to 0 days, off; `targetResourceGuid` is the network's `resourceGuid`.
"""

import re

from .azure_groups import RESOURCE_GROUP
from .azure_model import KINDS, Kind, Resource, Scope, bad_request, id_key, normal_location, register

WATCHER_TYPE = "Microsoft.Network/networkWatchers"
WATCHER_GROUP = "NetworkWatcherRG"
STORAGE_ACCOUNT = re.compile(r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Storage/"
                             r"storageAccounts/[a-z0-9]{3,24}", re.IGNORECASE)


def prepare_watcher(model, watcher, body, old):
    if old is None:
        for other in model.of(NETWORK_WATCHER, subscription=watcher.scope.subscription):
            if normal_location(other.body.get("location")) == normal_location(body.get("location")):
                raise bad_request("NetworkWatcherCountLimitReached", "Cannot create more than 1 network watchers "
                                  f"for this subscription in this region: {other.id} exists.")
    return body


NETWORK_WATCHER = register(Kind(WATCHER_TYPE, "networkWatchers", "network", "NetworkWatcher",
                                prepare=prepare_watcher))


def enable_network_watcher(model, vnet):
    """What Azure does when a virtual network is created in a region without a watcher."""
    location = normal_location(vnet.body.get("location"))
    subscription = vnet.scope.subscription
    if any(normal_location(w.body.get("location")) == location
           for w in model.of(NETWORK_WATCHER, subscription=subscription)):
        return
    scope = Scope(subscription, WATCHER_GROUP)
    if id_key(scope.group_id) not in model.groups:
        group = Resource(RESOURCE_GROUP, scope.group_id, scope, {})
        group.body = {"id": group.id, "name": WATCHER_GROUP, "type": RESOURCE_GROUP.type, "location": location,
                      "properties": {}}
        model.groups[id_key(scope.group_id)] = group
    watcher_id = f"{scope.group_id}/providers/{WATCHER_TYPE}/NetworkWatcher_{location}"
    model.keep(NETWORK_WATCHER, watcher_id, scope, {"location": location, "properties": {}})


def prepare_flow_log(model, flow_log, body, old):
    props = body.setdefault("properties", {})
    location = normal_location(body.get("location"))
    watcher_location = normal_location(flow_log.parent.body.get("location"))
    if location != watcher_location:
        raise bad_request("FlowLogLocationMismatch", f"Flow log {flow_log.id} must be in the region of its network "
                          f"watcher, {watcher_location}, not {location}.")
    # Looked up by type: the virtual networks' module enables the watchers, so imports this one.
    target = model.require(props.get("targetResourceId"), flow_log.id, KINDS["microsoft.network/virtualnetworks"])
    if normal_location(target.body.get("location")) != location:
        raise bad_request("InvalidResourceReference", f"Resource {target.id} referenced by resource {flow_log.id} "
                          "is not in the flow log's region.")
    for other in model.of(FLOW_LOG):
        if id_key(other.id) != id_key(flow_log.id) and \
                id_key(other.body["properties"]["targetResourceId"]) == id_key(target.id):
            raise bad_request("FlowLogAlreadyExistsForTarget", f"Resource {target.id} already has flow log "
                              f"{other.id}.")
    if not STORAGE_ACCOUNT.fullmatch(props.get("storageId") or ""):
        raise bad_request("InvalidStorageId", f"Storage id '{props.get('storageId')}' of flow log {flow_log.id} is "
                          "not the id of a storage account.")
    form = props.setdefault("format", {"type": "JSON", "version": 2})
    if form.get("type", "JSON") != "JSON" or form.get("version", 1) != 2:
        raise bad_request("InvalidFlowLogFormat", f"Virtual network flow logs are JSON version 2, not {form}.")
    props["targetResourceId"] = target.id
    props["targetResourceGuid"] = target.body.get("properties", {}).get("resourceGuid")
    props.setdefault("enabled", True)
    props.setdefault("retentionPolicy", {"days": 0, "enabled": False})
    return body


FLOW_LOG = register(Kind(WATCHER_TYPE + "/flowLogs", "flowLogs", "network", "FlowLog", parent=WATCHER_TYPE,
                         prepare=prepare_flow_log))
