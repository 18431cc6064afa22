"""What every Azure Resource Manager resource of the emulator shares: ids, errors, the store,
long-running operations and the rules of creating, updating and deleting, as ARM documents them
(https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations,
https://github.com/Azure/azure-resource-manager-rpc: "Asynchronous operations", "Resource API
reference", "Common API details"):

- ids are `/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{type}/
  {name}]`; every segment is case-insensitive (stored under the lowercased id, answered in the
  spelling of the request that created the resource);
- PUT is create-or-update: the whole desired state, which replaces the stored one (what a PUT
  leaves out is reset; a virtual network PUT without a subnet deletes it). A resource is visible
  at once, in `provisioningState` `Updating` (its kind may say `Creating`), and the PUT answers
  201 (created) or 200 (updated) with it, an `Azure-AsyncOperation` header (an absolute URL of
  this server) and `retry-after-ms` / `Retry-After`. GET of that URL answers `{"status":
  "InProgress"}` until the kind's delay has passed, then `Succeeded` (the resource too), or
  `Failed` with the `error` (the resource's state becomes `Failed`);
- DELETE answers 202 with `Location` (and `Azure-AsyncOperation`): polling `Location` answers 202
  until done, then 204 (200 for a resource group). The resource is `Deleting` meanwhile, then
  gone with its children. DELETE of what does not exist answers 204;
- a *serialised* kind (virtual network gateways and their connections) takes one operation at a
  time: another PUT or DELETE of it, or of a resource its kind says it conflicts with, while one
  is in progress answers 409 `AnotherOperationInProgress`;
- a resource group must exist (404 `ResourceGroupNotFound`) and not be `Deleting` (409
  `ResourceGroupBeingDeleted`); deleting one deletes everything in it.

Operations complete lazily, when a request arrives after their time (no background thread).
Errors have ARM's shape: `{"error": {"code", "message", "target"?, "details"?: [...]}}`.
"""

import copy
import dataclasses
import datetime
import heapq
import ipaddress
import math
import random
import re
import time
import uuid

from .server import ApiError

RESOURCE_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?")
GROUP_NAME = re.compile(r"[-\w._()]{0,89}[-\w_()]", re.UNICODE)

# The public regions ARM knows (`az account list-locations`), as ARM normalises them.
LOCATIONS = frozenset("""
    australiacentral australiacentral2 australiaeast australiasoutheast austriaeast belgiumcentral brazilsouth
    brazilsoutheast canadacentral canadaeast centralindia centralus chilecentral eastasia eastus eastus2
    francecentral francesouth germanynorth germanywestcentral indonesiacentral israelcentral italynorth
    japaneast japanwest jioindiacentral jioindiawest koreacentral koreasouth malaysiawest mexicocentral
    newzealandnorth northcentralus northeurope norwayeast norwaywest polandcentral qatarcentral
    southafricanorth southafricawest southcentralus southeastasia southindia spaincentral swedencentral
    switzerlandnorth switzerlandwest uaecentral uaenorth uksouth ukwest westcentralus westeurope westindia
    westus westus2 westus3
""".split())


# Errors, in ARM's shape.

def arm_error(status, code, message, target=None, details=None, headers=None):
    error = {"code": code, "message": message}
    if target:
        error["target"] = target
    if details:
        error["details"] = details
    return ApiError(status, {"error": error}, headers)


def bad_request(code, message, target=None):
    return arm_error(400, code, message, target)


def retry_headers(milliseconds):
    """What an ARM reply that asks to be retried or polled says of when."""
    return {"Retry-After": str(max(1, math.ceil(milliseconds / 1000))), "retry-after-ms": str(int(milliseconds))}


def stamp():
    """The current time as ARM writes it (ISO 8601, UTC, with the fraction of a second)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def normal_location(value):
    return value.replace(" ", "").lower() if isinstance(value, str) else value


def check_location(value, resource_type, allowed=LOCATIONS):
    location = normal_location(value)
    if not location:
        raise bad_request("LocationRequired", "The location property is required for this definition.")
    if location not in allowed:
        raise bad_request("LocationNotAvailableForResourceType",
                          f"The provided location '{value}' is not available for resource type '{resource_type}'. "
                          f"List of available regions for the resource type is '{','.join(sorted(allowed))}'.")
    return location


def check_name(name):
    """A Network resource's name (1-80 word characters, `.`, `-`, `_`): 400 `InvalidResourceName`."""
    if not RESOURCE_NAME.fullmatch(name):
        raise bad_request("InvalidResourceName", f"Resource name {name} is invalid. The name can be up to 80 "
                          "characters long. It must begin with a word character, and it must end with a word "
                          "character or with '_'. The name may contain word characters or '.', '-', '_'.")


def network(value, target):
    """A CIDR prefix (`10.0.0.0/16`), or 400 `InvalidCIDRNotation`."""
    try:
        return ipaddress.ip_network(value, strict=True)
    except (TypeError, ValueError):
        raise bad_request("InvalidCIDRNotation", f"The address prefix {value} in resource {target} has an invalid "
                          "CIDR notation. For the given prefix length, the address prefix should be "
                          f"{strict_form(value)}.", target)


def strict_form(value):
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except (TypeError, ValueError):
        return "a CIDR prefix such as 10.0.0.0/16"


# Ids.

@dataclasses.dataclass(frozen=True)
class Scope:
    """Where a resource lives: its subscription and resource group, as the request spelled them."""

    subscription: str
    group: str

    @property
    def group_id(self):
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.group}"


def child_id(parent_id, segment, name):
    return f"{parent_id}/{segment}/{name}"


def id_key(resource_id):
    return resource_id.rstrip("/").lower()


def id_name(resource_id):
    return resource_id.rstrip("/").rsplit("/", 1)[1]


def reference(body, *path):
    """The `id` of a reference (`{"id": ...}`) at `path` in a body, or None."""
    for part in path:
        body = body.get(part) if isinstance(body, dict) else None
    return body.get("id") if isinstance(body, dict) else None


# Kinds and resources.

@dataclasses.dataclass
class Kind:
    """A type of resource and its rules; the functions take (model, resource, ...)."""

    type: str  # Microsoft.Network/virtualNetworks/subnets
    segment: str  # subnets: the path segment under the parent (or the provider)
    api: str  # the name of the `Api` that serves it
    model: str  # the SDK model of its PUT body: Subnet
    parent: str = None  # the type of its parent, for a child resource
    tracked: bool = True  # has a location (and tags)
    serialised: bool = False  # one operation at a time (409 AnotherOperationInProgress)
    lro: bool = True  # PUT is long-running (not for record sets and resource groups)
    async_delete: bool = True  # DELETE is long-running (not for record sets)
    shows_state: bool = True  # has `properties.provisioningState` (record sets have none)
    etag: bool = True  # has an `etag` (resource groups have none)
    locations: frozenset = LOCATIONS  # where a tracked resource may be (private DNS: `global`)
    check_name: object = check_name  # check_name(name): 400 for a name its type refuses
    creating_state: str = "Updating"  # the provisioningState a new resource shows until Succeeded
    prepare: object = None  # prepare(model, resource, body, old): checks a PUT, returns the body kept
    applied: object = None  # applied(model, resource, body): once a PUT's body is kept (children)
    complete: object = None  # complete(model, resource): when its PUT succeeds; raises ApiError to fail
    render: object = None  # render(model, resource, body): adds what is computed on read
    users: object = None  # users(model, resource): [(code, message)] that refuse its deletion
    conflicts: object = None  # conflicts(model, resource): [Resource] that must be idle too
    deleted: object = None  # deleted(model, resource): what else changes when it is gone
    references: object = None  # references(resource): [(path of the referrer, referenced id)]
    resource_guid: bool = False  # has `properties.resourceGuid`, kept across updates
    listed: object = None  # listed(model, parent): what a list of it holds, if not its own resources


KINDS = {}


def register(kind):
    KINDS[kind.type.lower()] = kind
    return kind


@dataclasses.dataclass(eq=False)
class Resource:
    kind: Kind
    id: str
    scope: Scope
    body: dict  # what GET shows, but for what `render` computes
    parent: object = None  # the parent Resource of a child
    state: str = "Succeeded"  # Creating, Updating, Succeeded, Failed, Deleting
    busy: object = None  # the Operation in progress
    hidden: dict = dataclasses.field(default_factory=dict)  # kept, never shown (a shared key)

    @property
    def name(self):
        return id_name(self.id)

    @property
    def location(self):
        return self.body.get("location") or (self.parent.location if self.parent else None)


@dataclasses.dataclass
class Api:
    """One REST API of ARM: its api-version, the schema its bodies are checked against, and
    where it puts its operations: `paths(resource, operation id)` -> (Azure-AsyncOperation path
    or None, Location path)."""

    name: str
    version: str
    schema: object
    paths: object


@dataclasses.dataclass(eq=False)
class Operation:
    id: str
    resource: Resource
    action: str  # put, delete
    done_at: float
    started: str
    finish: object  # finish(): applies the result; raises ApiError to fail
    version: str  # the api-version of its URLs
    status_path: str  # None when the API has no Azure-AsyncOperation (resource groups)
    result_path: str
    status: str = "InProgress"
    error: dict = None
    ended: str = None
    body: dict = None  # an action's result, answered by the result URL once done

    def __lt__(self, other):
        return self.done_at < other.done_at


class Model:
    """The state of ARM: resource groups, resources and operations, by lowercased id."""

    def __init__(self, settings, lock, clock=time.monotonic):
        self.settings = settings
        self.lock = lock
        self.clock = clock
        self.rng = random.Random(settings["seed"])
        self.groups = {}  # lowercased group id -> Resource (kind resourceGroups)
        self.resources = {}  # lowercased id -> Resource, in creation order
        self.operations = {}  # lowercased status or result path -> (Operation, "status" | "result")
        self.pending = []  # heap of Operations in progress
        self.base = "http://127.0.0.1"  # this server, as the request being answered reached it
        self.allocated = {}  # pool name -> set of addresses handed out

    # Identity.

    def guid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def etag(self):
        return f'W/"{self.guid()}"'

    # Clock and operations.

    def delay(self, kind):
        delays = dict(item.split("=", 1) for item in self.settings["delay"])
        by_type = {name.lower(): float(seconds) for name, seconds in delays.items()}
        seconds = by_type.get(kind.segment.lower(), self.settings["provisioning_delay"])
        return seconds * self.settings["time_scale"]

    def advance(self):
        """Completes every operation whose time has come, in order."""
        now = self.clock()
        while self.pending and self.pending[0].done_at <= now:
            self.end(heapq.heappop(self.pending))

    def end(self, operation):
        try:
            operation.finish()
            operation.status = "Succeeded"
        except ApiError as failure:
            operation.status = "Failed"
            operation.error = failure.body["error"]
        operation.ended = stamp()
        if operation.resource.busy is operation:
            operation.resource.busy = None

    def start(self, resource, action, finish, api):
        """Starts an operation of `api` that `finish()` ends after the kind's delay (at once
        without one); returns its headers (`Azure-AsyncOperation`, `Location`, retry)."""
        operation = self.operation(resource, action, finish, api, self.delay(resource.kind))
        resource.busy = operation
        self.launch(operation)
        headers = retry_headers(self.settings["retry_after_ms"])
        if operation.status_path:
            headers["Azure-AsyncOperation"] = self.url(operation.status_path, operation)
        if action == "delete":
            headers["Location"] = self.url(operation.result_path, operation)
        return headers

    def start_action(self, resource, action, body, api):
        """Starts the operation of an action on `resource` that answers `body` once done (a
        POST such as a gateway's `getBgpPeerStatus`: `202` and a `Location`); reading, it does
        not hold the resource. Returns its headers."""
        delay = self.settings["provisioning_delay"] * self.settings["time_scale"]
        operation = self.operation(resource, action, lambda: None, api, delay)
        operation.body = body
        self.launch(operation)
        headers = {"Location": self.url(operation.result_path, operation),
                   **retry_headers(self.settings["retry_after_ms"])}
        if operation.status_path:
            headers["Azure-AsyncOperation"] = self.url(operation.status_path, operation)
        return headers

    def operation(self, resource, action, finish, api, delay):
        """A new operation of `api` on `resource`, due in `delay` seconds."""
        operation_id = self.guid()
        status, result = api.paths(resource, operation_id)
        return Operation(operation_id, resource, action, self.clock() + delay, stamp(), finish, api.version,
                         status, result)

    def launch(self, operation):
        """Makes `operation`'s URLs answer, and ends it now if it is due."""
        for path, role in ((operation.status_path, "status"), (operation.result_path, "result")):
            if path:
                self.operations[path.lower()] = (operation, role)
        if operation.done_at <= self.clock():
            self.end(operation)
        else:
            heapq.heappush(self.pending, operation)

    def url(self, path, operation):
        return f"{self.base}{path}?api-version={operation.version}"

    def operation_reply(self, path):
        """(status, body, headers) of a GET of an operation's status or result URL, or None."""
        found = self.operations.get(path.rstrip("/").lower())
        if found is None:
            return None
        operation, role = found
        retry = retry_headers(self.settings["retry_after_ms"])
        if role == "status":
            body = {"id": path, "name": operation.id, "status": operation.status, "startTime": operation.started}
            if operation.ended:
                body["endTime"] = operation.ended
            if operation.error:
                body["error"] = operation.error
            return 200, body, retry if operation.status == "InProgress" else {}
        if operation.status == "InProgress":
            return 202, None, {"Location": self.url(operation.result_path, operation), **retry}
        if operation.status == "Failed":
            status = 409 if operation.error["code"] == "Conflict" else 400
            return status, {"error": operation.error}, {}
        if operation.body is not None:
            return 200, operation.body, {}
        if operation.action == "delete":
            return (200 if operation.resource.kind.type == "Microsoft.Resources/resourceGroups" else 204), None, {}
        return 200, self.render(operation.resource), {}

    # Finding resources.

    def get(self, resource_id):
        return self.resources.get(id_key(resource_id)) or self.groups.get(id_key(resource_id))

    def group(self, scope, writing=False):
        """The resource group of a scope: 404 `ResourceGroupNotFound`, or, to write in it, 409
        `ResourceGroupBeingDeleted` while it is being deleted."""
        group = self.groups.get(id_key(scope.group_id))
        if group is None:
            raise arm_error(404, "ResourceGroupNotFound", f"Resource group '{scope.group}' could not be found.")
        if writing and group.state == "Deleting":
            raise arm_error(409, "ResourceGroupBeingDeleted", f"The resource group '{scope.group}' is in "
                            "deprovisioning state and cannot perform this operation.")
        return group

    def of(self, kind, parent_id=None, scope=None, subscription=None):
        """The resources of a kind: under a parent, in a group, or in a subscription."""
        found = []
        for resource in self.resources.values():
            if resource.kind is not kind:
                continue
            if parent_id is not None and id_key(resource.parent.id) != id_key(parent_id):
                continue
            if scope is not None and id_key(resource.scope.group_id) != id_key(scope.group_id):
                continue
            if subscription is not None and resource.scope.subscription.lower() != subscription.lower():
                continue
            found.append(resource)
        return found

    def children(self, resource, kind=None):
        return [r for r in self.resources.values() if r.parent is resource and (kind is None or r.kind is kind)]

    def referrers(self, target_id):
        """[(path, Resource)] of what references `target_id`, as the kinds' `references` say
        (the path of a gateway's IP configuration, of an endpoint...)."""
        key = id_key(target_id)
        return [(path, r) for r in list(self.resources.values()) if r.kind.references
                for path, referenced in r.kind.references(r) if id_key(referenced) == key]

    def require(self, target_id, referrer_id, kind):
        """The resource of `kind` a body references: 400 `InvalidResourceReference` when there is
        none."""
        found = self.resources.get(id_key(target_id or ""))
        if found is None or found.kind is not kind:
            raise bad_request("InvalidResourceReference", f"Resource {target_id} referenced by resource {referrer_id} "
                              "was not found. Please make sure that the referenced resource exists, and that both "
                              "resources are in the same region.")
        return found

    def render(self, resource):
        body = copy.deepcopy(resource.body)
        if resource.kind.shows_state:
            body.setdefault("properties", {})["provisioningState"] = resource.state
        if resource.kind.render:
            resource.kind.render(self, resource, body)
        return body

    # Changing resources.

    def check_idle(self, resource):
        """409 `AnotherOperationInProgress` when a serialised resource, or one it conflicts with,
        has an operation in progress."""
        if resource is None or not resource.kind.serialised:
            return
        for other in [resource] + (resource.kind.conflicts(self, resource) if resource.kind.conflicts else []):
            if other.busy is not None:
                raise arm_error(409, "AnotherOperationInProgress", "Another operation on this or dependent resource "
                                "is in progress. To retrieve status of the operation use uri: "
                                f"{self.url(other.busy.status_path, other.busy)}.")

    def put(self, kind, resource_id, scope, body, parent=None):
        """Creates or replaces a resource; returns (Resource, created?). The kind's `prepare`
        checks the body against what exists, changing nothing; then it is kept, and the kind's
        `applied` sees it."""
        old = self.resources.get(id_key(resource_id))
        if old is not None and old.state == "Deleting":
            raise arm_error(409, "Conflict", f"Operation on resource {resource_id} is not allowed while it is being "
                            "deleted.")
        self.check_idle(old)
        candidate = old or Resource(kind, resource_id, scope, {}, parent)
        kept = kind.prepare(self, candidate, copy.deepcopy(body), old) if kind.prepare else body
        self.check_idle(dataclasses.replace(candidate, body=kept))  # what the new body conflicts with
        self.resources.setdefault(id_key(resource_id), candidate)
        resource = self.keep(kind, resource_id, scope, kept, parent,
                             kind.creating_state if old is None else "Updating")
        if kind.applied:
            kind.applied(self, resource, body)
        return resource, old is None

    def keep(self, kind, resource_id, scope, body, parent=None, state="Succeeded"):
        """Stores a resource's body (replacing the one it had) with the members ARM computes;
        no check. Returns the Resource."""
        key = id_key(resource_id)
        resource = self.resources.get(key)
        if resource is None:
            resource = self.resources[key] = Resource(kind, resource_id, scope, {}, parent)
        full = {"id": resource.id, "name": resource.name, "type": kind.type, **without_identity(body)}
        if kind.resource_guid:
            guid = resource.body.get("properties", {}).get("resourceGuid") or self.guid()
            full.setdefault("properties", {})["resourceGuid"] = guid
        if kind.etag:
            full["etag"] = self.etag()
        resource.body = full
        resource.state = state
        return resource

    def succeed(self, resource):
        """What ends a PUT's operation: the kind's `complete`, then `Succeeded` (or `Failed`)."""
        def finish():
            if resource.state == "Deleting" or id_key(resource.id) not in self.resources:
                return
            try:
                if resource.kind.complete:
                    resource.kind.complete(self, resource)
            except ApiError:
                resource.state = "Failed"
                raise
            resource.state = "Succeeded"
        return finish

    def delete(self, resource):
        """Marks a resource `Deleting` unless it is busy (`check_idle`) or its kind's `users`
        refuse; returns what removes it (with its children)."""
        self.check_idle(resource)
        for code, message in (resource.kind.users(self, resource) if resource.kind.users else []):
            raise bad_request(code, message)
        resource.state = "Deleting"

        def finish():
            self.remove(resource)
        return finish

    def remove(self, resource):
        for child in self.children(resource):
            self.remove(child)
        self.resources.pop(id_key(resource.id), None)
        self.groups.pop(id_key(resource.id), None)
        if resource.kind.deleted:
            resource.kind.deleted(self, resource)

    # Addresses.

    def allocate(self, pool_name, pool, head=0, tail=0):
        """The first free address of `pool` past its first `head` and before its last `tail`
        (Azure reserves 4 and 1 in a subnet), or None when it is exhausted."""
        taken = self.allocated.setdefault(pool_name, set())
        for index in range(head, pool.num_addresses - tail):
            address = str(pool[index])
            if address not in taken:
                taken.add(address)
                return address
        return None

    def release(self, pool_name, address):
        self.allocated.get(pool_name, set()).discard(address)


def without_identity(body):
    """A body without the members ARM computes (`id`, `name`, `type`, `etag`)."""
    return {k: v for k, v in body.items() if k not in ("id", "name", "type", "etag")}
