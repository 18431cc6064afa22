"""What every Compute Engine resource of the emulator shares: names, links, references,
long-running operations, labels, lists, and the rules of creating and deleting.

It follows Compute Engine's documentation (https://cloud.google.com/compute/docs/reference/rest/v1,
"Handling API responses": https://cloud.google.com/compute/docs/api/how-tos/api-requests-responses)
and, where that is silent, the real traffic recorded in GoogleCloudPlatform/k8s-config-connector
(`mockgcp/**/_http.log`):

- every insert, patch, update, delete, setLabels and peering change answers an Operation
  (`compute#operation`) that is RUNNING until its delay has passed, then DONE; the state
  changes lazily, when a request arrives after that time (no background thread);
- an inserted resource is invisible (404) until its operation is DONE; another insert of the same
  name answers 409 `alreadyExists` at once; a reference to it answers 400 `resourceNotReady`;
- a deleted resource stays visible until its operation is DONE; deleting one that something
  references answers 400 `resourceInUseByAnotherResource`, or, when the referrer's own deletion
  has not finished yet, an operation that fails with RESOURCE_IN_USE_BY_ANOTHER_RESOURCE (as the
  recorded traffic shows GCP doing);
- a resource with an operation in progress refuses another change with 400 `resourceNotReady`;
- `requestId` makes a retried request answer the operation of the first one;
- references may be full URLs (www.googleapis.com or compute.googleapis.com) or partial ones
  (`projects/P/global/networks/N`, `global/networks/N`, `regions/R/...`); responses carry full
  `https://www.googleapis.com/compute/v1/` URLs.
"""

import base64
import copy
import dataclasses
import datetime
import hashlib
import heapq
import json
import random
import re
import time

from .server import google_error

ROOT = "https://www.googleapis.com/compute/v1/"
ROOTS = (ROOT, "https://compute.googleapis.com/compute/v1/")
USER = "isopod-emulator@example.com"
NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
NAME_MESSAGE = "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'"
LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")

# The regions the emulator knows, with the range of an auto mode network's subnetwork in each
# (https://cloud.google.com/vpc/docs/subnets#ip-ranges, as the recorded traffic shows them).
REGIONS = {
    "africa-south1": "10.218.0.0/20", "asia-east1": "10.140.0.0/20", "asia-east2": "10.170.0.0/20",
    "asia-northeast1": "10.146.0.0/20", "asia-northeast2": "10.174.0.0/20", "asia-northeast3": "10.178.0.0/20",
    "asia-south1": "10.160.0.0/20", "asia-south2": "10.190.0.0/20", "asia-southeast1": "10.148.0.0/20",
    "asia-southeast2": "10.184.0.0/20", "asia-southeast3": "10.228.0.0/20",
    "australia-southeast1": "10.152.0.0/20", "australia-southeast2": "10.192.0.0/20",
    "europe-central2": "10.186.0.0/20", "europe-north1": "10.166.0.0/20", "europe-north2": "10.226.0.0/20",
    "europe-southwest1": "10.204.0.0/20", "europe-west1": "10.132.0.0/20", "europe-west10": "10.214.0.0/20",
    "europe-west12": "10.210.0.0/20", "europe-west2": "10.154.0.0/20", "europe-west3": "10.156.0.0/20",
    "europe-west4": "10.164.0.0/20", "europe-west6": "10.172.0.0/20", "europe-west8": "10.198.0.0/20",
    "europe-west9": "10.200.0.0/20", "me-central1": "10.212.0.0/20", "me-west1": "10.208.0.0/20",
    "northamerica-northeast1": "10.162.0.0/20", "northamerica-northeast2": "10.188.0.0/20",
    "northamerica-south1": "10.224.0.0/20", "southamerica-east1": "10.158.0.0/20",
    "southamerica-west1": "10.194.0.0/20", "us-central1": "10.128.0.0/20", "us-east1": "10.142.0.0/20",
    "us-east4": "10.150.0.0/20", "us-east5": "10.202.0.0/20", "us-south1": "10.206.0.0/20",
    "us-west1": "10.138.0.0/20", "us-west2": "10.168.0.0/20", "us-west3": "10.180.0.0/20",
    "us-west4": "10.182.0.0/20",
}


# Errors, in Compute Engine's words.

def not_found(path):
    return google_error(404, f"The resource '{path}' was not found", "notFound")


def invalid(message):
    return google_error(400, message, "invalid")


def invalid_field(field, value, why):
    return invalid(f"Invalid value for field '{field}': '{value}'. {why}")


def required(field):
    return google_error(400, f"Required field '{field}' not specified", "required")


def not_ready(path):
    return google_error(400, f"The resource '{path}' is not ready", "resourceNotReady")


def in_use_message(noun, path, user_path):
    return f"The {noun} resource '{path}' is already being used by '{user_path}'"


def condition_not_met(message):
    return google_error(412, message, "conditionNotMet")


class OperationFailed(Exception):
    """Raised when an operation completes: the error its Operation reports."""

    def __init__(self, code, message, http_status=400, http_message="BAD REQUEST", details=None):
        super().__init__(message)
        self.error = {"code": code, "message": message}
        if details:
            self.error["errorDetails"] = details
        self.http_status, self.http_message = http_status, http_message


# Names and links.

def check_name(value, field="resource.name"):
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise invalid_field(field, value or "", NAME_MESSAGE)
    return value


def scope_path(project, region):
    return f"projects/{project}/regions/{region}" if region else f"projects/{project}/global"


def region_url(project, region):
    return f"{ROOT}projects/{project}/regions/{region}"


@dataclasses.dataclass(frozen=True)
class Ref:
    """A reference to a resource: what a URL or partial URL names."""

    project: str
    region: object  # None for a global resource
    collection: str
    name: str

    @property
    def path(self):
        return f"{scope_path(self.project, self.region)}/{self.collection}/{self.name}"

    @property
    def url(self):
        return ROOT + self.path


def parse_ref(value, field, project, region, collections, bare=False):
    """The resource `value` names, in one of `collections`. Partial URLs are read in the
    caller's project (and region); a bare name only where the documentation allows it."""
    if not isinstance(value, str) or not value:
        raise required(field)
    text = value
    for root in ROOTS:
        if text.startswith(root):
            text = text[len(root):]
            break
    parts = text.split("/")
    if parts[0] == "projects" and len(parts) > 2:
        project, parts = parts[1], parts[2:]
    if len(parts) == 3 and parts[0] == "global":
        ref = Ref(project, None, parts[1], parts[2])
    elif len(parts) == 4 and parts[0] == "regions":
        ref = Ref(project, parts[1], parts[2], parts[3])
    elif len(parts) == 1 and bare and text == value:
        ref = Ref(project, region if collections[0] in REGIONAL else None, collections[0], parts[0])
    else:
        raise invalid_field(field, value, "The URL is malformed.")
    if ref.collection not in collections or not NAME.fullmatch(ref.name):
        raise invalid_field(field, value, "The URL is malformed.")
    return ref


def fingerprint(value):
    """A fingerprint as Compute Engine writes them: the base64 of 8 bytes of a hash."""
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest[:8]).decode()


def check_labels(labels):
    for key, value in (labels or {}).items():
        if not LABEL_KEY.fullmatch(key):
            raise invalid_field(f"labels.{key}", key, "Label keys must start with a lowercase letter and contain "
                                "only lowercase letters, digits, underscores and dashes (at most 63).")
        if not LABEL_VALUE.fullmatch(value):
            raise invalid_field(f"labels.{key}", value, "Label values may contain only lowercase letters, digits, "
                                "underscores and dashes (at most 63).")
    return dict(labels or {})


def same_region(ref, region, field):
    if ref.region != region:
        raise invalid_field(field, ref.url, f"The resource must be in region '{region}'.")


def same_project(ref, project, field):
    if ref.project != project:
        raise invalid_field(field, ref.url, "Cross-project references for this resource are not allowed.")


# Kinds of resources.

@dataclasses.dataclass
class Kind:
    """A collection of Compute Engine resources and its rules."""

    collection: str  # networks
    kind: str  # compute#network
    noun: str  # network, as "The network resource ... is already being used by ..." says it
    regional: bool
    delay: str = "provisioning"  # or "vpn"
    references: object = lambda resource: []  # the URLs a resource references
    render: object = None  # render(model, resource, body): adds what is computed on read
    blockers: object = None  # blockers(model, resource): [(path, deleting?)] besides references
    fingerprinted: bool = False  # has a `fingerprint` field
    self_link_with_id: bool = False  # has a `selfLinkWithId` field
    operation_types: dict = dataclasses.field(default_factory=dict)  # as GCP names some: patch -> updateNetwork


KINDS = {}
REGIONAL = set()


def register(kind):
    KINDS[kind.collection] = kind
    if kind.regional:
        REGIONAL.add(kind.collection)
    return kind


@dataclasses.dataclass(eq=False)
class Resource:
    kind: Kind
    project: str
    region: object
    name: str
    body: dict
    state: str = "creating"  # creating, ready, deleting
    busy: object = None  # the Operation in progress
    owner: object = None  # the URL of the resource it is deleted with (auto mode subnetworks)
    hidden: dict = dataclasses.field(default_factory=dict)  # what the emulator keeps but never shows

    @property
    def ref(self):
        return Ref(self.project, self.region, self.kind.collection, self.name)

    @property
    def path(self):
        return self.ref.path

    @property
    def url(self):
        return self.ref.url


@dataclasses.dataclass(eq=False)
class Operation:
    project: str
    region: object
    body: dict
    done_at: float
    complete: object  # complete(): applies the change, raises OperationFailed to fail
    resource: Resource

    def __lt__(self, other):
        return self.done_at < other.done_at


def stamp():
    """The current time as Compute Engine writes it (RFC 3339 with milliseconds)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


class Model:
    """The state of Compute Engine: resources and operations, by project."""

    def __init__(self, settings, lock, clock=time.monotonic):
        self.settings = settings
        self.lock = lock
        self.clock = clock
        self.rng = random.Random(settings["seed"])
        self.projects = set(settings["project"])
        self.resources = {}  # (collection, project, region, name) -> Resource
        self.operations = {}  # (project, region, name) -> Operation
        self.request_ids = {}  # (project, requestId) -> Operation
        self.pending = []  # heap of Operations not yet DONE
        self.counters = {}
        self.zones = {}  # Cloud DNS: (project, name) -> gcp_dns.Zone

    # Clock and operations.

    def delay(self, kind):
        return self.settings["vpn_delay"] if kind == "vpn" else self.settings["provisioning_delay"]

    def advance(self):
        """Completes every operation whose time has come, in order."""
        now = self.clock()
        while self.pending and self.pending[0].done_at <= now:
            self.finish(heapq.heappop(self.pending))

    def finish(self, operation):
        body = operation.body
        try:
            operation.complete()
        except OperationFailed as failure:
            body["error"] = {"errors": [failure.error]}
            body["httpErrorStatusCode"] = failure.http_status
            body["httpErrorMessage"] = failure.http_message
        body.update(status="DONE", progress=100, endTime=stamp())
        if operation.resource.busy is operation:
            operation.resource.busy = None

    def start(self, call, operation_type, resource, complete):
        """Starts an operation on `resource`, which `complete()` finishes once its kind's delay
        has passed (at once without a delay); returns the Operation's body."""
        project, region = call.params["project"], call.params.get("region")
        millis = int(time.time() * 1000)
        name = (f"operation-{millis}-{self.rng.getrandbits(52):013x}-{self.rng.getrandbits(32):08x}-"
                f"{self.rng.getrandbits(32):08x}")
        now = stamp()
        body = {"kind": "compute#operation", "id": self.new_id(), "name": name,
                "operationType": resource.kind.operation_types.get(operation_type, operation_type),
                "targetLink": resource.url, "targetId": resource.body["id"], "status": "RUNNING", "progress": 0,
                "user": USER, "insertTime": now, "startTime": now,
                "selfLink": f"{ROOT}{scope_path(project, region)}/operations/{name}"}
        if region:
            body["region"] = region_url(project, region)
        operation = Operation(project, region, body, self.clock() + self.delay(resource.kind.delay), complete,
                              resource)
        self.operations[(project, region, name)] = operation
        if call.query.get("requestId"):
            self.request_ids[(project, call.query["requestId"])] = operation
        resource.busy = operation
        if operation.done_at <= self.clock():
            self.finish(operation)
        else:
            heapq.heappush(self.pending, operation)
        return copy.deepcopy(body)

    def wait(self, operation, seconds=120):
        """Waits (without the lock) until the operation is DONE or `seconds` have passed."""
        deadline = time.monotonic() + seconds
        while operation.body["status"] != "DONE" and time.monotonic() < deadline:
            left = min(operation.done_at - self.clock(), deadline - time.monotonic())
            self.lock.wait(max(left, 0.01))
            self.advance()

    # Identity.

    def new_id(self):
        return str(self.rng.randrange(10**18, 2**63))

    def next(self, counter):
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    # Finding resources.

    def resource(self, ref):
        return self.resources.get((ref.collection, ref.project, ref.region, ref.name))

    def of(self, collection, project=None, region=None, states=("ready", "deleting")):
        """The resources of a collection (in a project, a region), in the given states."""
        return [r for r in self.resources.values()
                if r.kind.collection == collection and r.state in states
                and (project is None or r.project == project) and (region is None or r.region == region)]

    def visible(self, ref):
        """The resource a get names: 404 while it is being created or once it is gone."""
        resource = self.resource(ref)
        if resource is None or resource.state == "creating":
            raise not_found(ref.path)
        return resource

    def target(self, call, collection):
        """The resource named by the path of a call (`.../networks/{network}`)."""
        name = call.params[singular(collection)]
        return self.visible(Ref(call.params["project"], call.params.get("region"), collection, name))

    def require(self, ref):
        """A referenced resource, which must exist and be ready."""
        resource = self.resource(ref)
        if resource is None:
            raise not_found(ref.path)
        if resource.state != "ready":
            raise not_ready(ref.path)
        return resource

    def users(self, resource):
        """[(path, being deleted?)] of what references `resource` and blocks its deletion."""
        found = [(r.path, r.state == "deleting") for r in self.resources.values()
                 if r is not resource and r.owner != resource.url and resource.url in r.kind.references(r)]
        if resource.kind.blockers:
            found += resource.kind.blockers(self, resource)
        return found

    def render(self, resource):
        body = copy.deepcopy(resource.body)
        if resource.kind.render:
            resource.kind.render(self, resource, body)
        return body

    # Changing resources.

    def idle(self, resource):
        if resource.busy is not None or resource.state != "ready":
            raise not_ready(resource.path)
        return resource

    def create(self, call, collection, body, complete=None, failure=None, hidden=None):
        """Inserts a resource (visible once its operation is DONE); returns the Operation."""
        kind = KINDS[collection]
        project, region = call.params["project"], call.params.get("region")
        ref = Ref(project, region, collection, body["name"])
        if self.resource(ref) is not None:
            raise google_error(409, f"The resource '{ref.path}' already exists", "alreadyExists")
        resource = self.add(kind, ref, body, hidden=hidden)

        def done():
            if failure is not None:
                del self.resources[(collection, project, region, ref.name)]
                raise failure
            resource.state = "ready"
            if complete:
                complete(resource)

        return self.start(call, "insert", resource, done)

    def add(self, kind, ref, body, owner=None, state="creating", hidden=None):
        """Stores a new resource with the fields every one carries."""
        full = {"kind": kind.kind, "id": self.new_id(), "creationTimestamp": stamp(), **body, "selfLink": ref.url}
        if ref.region:
            full["region"] = region_url(ref.project, ref.region)
        if kind.self_link_with_id:
            full["selfLinkWithId"] = f"{ROOT}{scope_path(ref.project, ref.region)}/{kind.collection}/{full['id']}"
        if kind.fingerprinted:
            full["fingerprint"] = fingerprint(full)
        resource = Resource(kind, ref.project, ref.region, ref.name, full, state, owner=owner, hidden=hidden or {})
        self.resources[(kind.collection, ref.project, ref.region, ref.name)] = resource
        return resource

    def change(self, call, resource, operation_type, new_body):
        """Replaces a resource's body when the operation is DONE; returns the Operation."""
        self.idle(resource)

        def done():
            if resource.kind.fingerprinted:
                new_body["fingerprint"] = fingerprint({**new_body, "fingerprint": None})
            resource.body = new_body

        return self.start(call, operation_type, resource, done)

    def delete(self, call, resource):
        """Deletes a resource (gone once the operation is DONE); returns the Operation."""
        self.idle(resource)
        users = self.users(resource)
        live = [path for path, deleting in users if not deleting]
        if live:
            raise google_error(400, in_use_message(resource.kind.noun, resource.path, live[0]),
                               "resourceInUseByAnotherResource")
        failure = None
        if users:
            failure = OperationFailed("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
                                      in_use_message(resource.kind.noun, resource.path, users[0][0]))
        resource.state = "deleting"

        def done():
            if failure is not None:
                resource.state = "ready"
                raise failure
            self.remove(resource)

        return self.start(call, "delete", resource, done)

    def remove(self, resource):
        del self.resources[(resource.kind.collection, resource.project, resource.region, resource.name)]
        for owned in [r for r in self.resources.values() if r.owner == resource.url]:
            self.remove(owned)

    def set_labels(self, call, resource):
        """setLabels: the body's labelFingerprint must be the current one (else 412)."""
        self.idle(resource)
        body = call.body or {}
        if body.get("labelFingerprint") != resource.body.get("labelFingerprint"):
            raise condition_not_met("Labels fingerprint either invalid or resource labels have changed")
        labels = check_labels(body.get("labels"))

        def done():
            put_labels(resource.body, labels)

        return self.start(call, "setLabels", resource, done)


def put_labels(body, labels):
    """Sets a body's labels and their fingerprint (`labels` is omitted when empty, as GCP does)."""
    body.pop("labels", None)
    if labels:
        body["labels"] = labels
    body["labelFingerprint"] = fingerprint(labels or {})


def merge_patch(target, patch):
    """`target` patched by `patch` as JSON merge patch (RFC 7396) says: objects merge, arrays and
    scalars replace, null removes."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def check_mutable(old, patch, allowed, prefix="resource"):
    """Refuses a patch that changes a field outside `allowed`."""
    for name, value in patch.items():
        if name not in allowed and value is not None and old.get(name) != merge_patch(old.get(name), value):
            shown = value if isinstance(value, str) else json.dumps(value)
            raise invalid_field(f"{prefix}.{name}", shown, "This field cannot be modified.")


def singular(collection):
    """The path parameter of one resource of a collection (`networks` -> `network`)."""
    return {"addresses": "address"}.get(collection, collection[:-1])
