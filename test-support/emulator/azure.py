"""The Azure emulator: Azure Resource Manager for the networking Isopod uses, every request body
checked against the models of Microsoft's Python SDK packages (`arm_schema`).

The APIs, each at the one api-version the Rust crates Isopod uses call (`azure_mgmt_network`,
`azure_mgmt_resources`, `azure_mgmt_privatedns` 0.21, their default features), and the SDK
package whose models check it:

| API | api-version | models |
| --- | --- | --- |
| Microsoft.Resources (resource groups) | 2021-04-01 | azure-mgmt-resource 23.4.0, `resources.v2021_04_01` |
| Microsoft.Network | 2024-03-01 | azure-mgmt-network 27.0.0 (its one api-version) |
| Microsoft.Network/privateDnsZones | 2024-06-01 | azure-mgmt-privatedns 1.2.0 (its one api-version) |

Each request goes through, in order:

1. `Authorization: Bearer <any token>`, else 401 `AuthenticationFailed`;
2. operations complete whose time has come (`azure_model`);
3. `api-version` is required (400 `MissingApiVersionParameter`); the status and result URLs of
   operations are answered here (`azure_model.Model.operation_reply`);
4. the subscription must be a GUID (400 `InvalidSubscriptionId`) and one of `--subscription`
   when any is given (404 `SubscriptionNotFound`);
5. the path names a resource group (`azure_groups`) or a resource type of `KINDS`
   (`azure_network`, `azure_vpn`, `azure_dns`, `azure_watcher`; else 404 `InvalidResourceType`), whose API's
   api-version the request must use (400 `InvalidApiVersionParameter` or
   `NoRegisteredProviderFound`); its resource group must exist (404 `ResourceGroupNotFound`);
6. GET of one resource, GET of a list (one page of `--page-size`, or `$top`, with `nextLink`),
   PUT (body checked against the kind's model: 400 `InvalidRequestFormat`, or
   `InvalidRequestContent` for resource groups; `location` required of tracked kinds), PATCH of
   tags (`TagsObject`, synchronous), DELETE, or an action of `ACTIONS` (a connection's
   `sharedkey`, a gateway's `getBgpPeerStatus`); anything else answers 501 `NotImplemented`: never a silent success. PUT and
   PATCH honour `If-None-Match: *` and `If-Match` (412 `PreconditionFailed`).

Path segments are case-insensitive, as ARM's are; unknown query parameters are ignored, as ARM
ignores them.
"""

import re

import azure.mgmt.network.models as network_models
import azure.mgmt.privatedns.models as privatedns_models
import azure.mgmt.resource.resources.v2021_04_01.models as resource_models

from . import azure_dns, azure_groups, azure_network, azure_vpn, azure_watcher  # noqa: F401 (each registers its kinds)
from .arm_schema import Schema
from .azure_model import KINDS, Api, Model, Scope, arm_error, check_location, retry_headers
from .server import Knob, Reply

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ACTIONS = {**azure_vpn.ACTIONS}  # (lowercased type, method) -> handler(model, resource, request, api)
PATCH_MODELS = {"network": "TagsObject"}  # what a PATCH of a resource's tags is checked against


def network_rp_error(path, message):
    """A body the Network RP cannot read, as it answers it."""
    return arm_error(400, "InvalidRequestFormat", "Cannot parse the request.",
                     details=[{"code": "InvalidJson", "message": message, "target": path or None}])


def arm_front_error(path, message):
    """A body ARM's front end cannot read (resource groups)."""
    return arm_error(400, "InvalidRequestContent", f"The request content was invalid and could not be deserialized: "
                     f"'{message}'.", target=path or None)


def network_paths(resource, operation_id):
    base = f"/subscriptions/{resource.scope.subscription}/providers/Microsoft.Network/locations/{resource.location}"
    return f"{base}/operations/{operation_id}", f"{base}/operationResults/{operation_id}"


def privatedns_paths(resource, operation_id):
    base = f"{resource.scope.group_id}/providers/Microsoft.Network"
    return f"{base}/privateDnsOperationStatuses/{operation_id}", f"{base}/privateDnsOperationResults/{operation_id}"


def resources_paths(resource, operation_id):
    return None, f"/subscriptions/{resource.scope.subscription}/operationresults/{operation_id}"


APIS = {
    "resources": Api("resources", "2021-04-01", Schema(resource_models, arm_front_error), resources_paths),
    "network": Api("network", "2024-03-01", Schema(network_models, network_rp_error), network_paths),
    "privatedns": Api("privatedns", "2024-06-01", Schema(privatedns_models, network_rp_error), privatedns_paths),
}



def check_conditions(request, resource):
    """ARM's conditional writes (RFC 7232): `If-None-Match: *` only creates, `If-Match: *` only
    replaces, `If-Match: ETAG` only writes over that version; otherwise 412 `PreconditionFailed`."""
    none_match = request.headers.get("if-none-match")
    match = request.headers.get("if-match")
    current = resource.body.get("etag") if resource is not None else None
    refused = ((none_match == "*" and resource is not None)
               or (match == "*" and resource is None)
               or (match not in (None, "*") and match != current))
    if refused:
        raise arm_error(412, "PreconditionFailed",
                        "The condition specified using HTTP conditional header(s) is not met.")

class AzureService:
    """Emulates Azure Resource Manager's REST API for the networking Isopod uses.

    Resource groups, virtual networks, VPN gateways, private endpoints and private DNS zones."""

    name = "azure"
    knobs = [
        Knob("subscription", str, None, "a subscription that exists (repeatable; none given: every one exists)",
             repeated=True),
        Knob("provisioning-delay", float, 0.5, "seconds a long-running operation stays InProgress"),
        Knob("delay", str, None, "TYPE=SECONDS: the delay of one type's operations, by its path segment "
             "(virtualNetworkGateways=2700); repeatable", repeated=True),
        Knob("time-scale", float, 1.0, "factor of every delay (0.001: a 45-minute gateway in 2.7 s)"),
        Knob("retry-after-ms", int, 500, "what replies to poll or retry say (retry-after-ms, Retry-After)"),
        Knob("page-size", int, 100, "most items a list page holds (then nextLink)"),
        Knob("public-ip-range", str, "203.0.113.0/24", "the range public IP addresses are assigned from"),
    ]

    def __init__(self, settings, lock, clock=None):
        self.model = Model(settings, lock, **({"clock": clock} if clock else {}))
        self.settings = settings
        self.apis = APIS
        self.subscriptions = {s.lower() for s in settings["subscription"]}

    def handle(self, request):
        self.model.base = "http://" + request.headers.get("host", "127.0.0.1")
        self.authenticate(request)
        self.model.advance()
        query = {name.lower(): value for name, value in request.query}
        version = query.get("api-version")
        if not version:
            raise arm_error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is "
                            "required for all requests.")
        if request.method == "GET":
            found = self.model.operation_reply(request.path)
            if found is not None:
                return Reply(*found)
        segments = [s for s in request.path.split("/") if s]
        if len(segments) < 2 or segments[0].lower() != "subscriptions":
            raise not_implemented(request)
        subscription, rest = segments[1], segments[2:]
        self.check_subscription(subscription)
        lowered = [s.lower() for s in rest]
        if lowered[:1] == ["resourcegroups"] and len(rest) <= 2:
            self.check_version(self.apis["resources"], version, "resourceGroups")
            return azure_groups.handle(self, request, subscription, rest[1] if len(rest) == 2 else None, query)
        if lowered[:1] == ["resourcegroups"] and len(rest) == 3 and lowered[2] == "resources":
            self.check_version(self.apis["resources"], version, "resources")
            return azure_groups.resources(self, request, Scope(subscription, rest[1]), query)
        if lowered[:1] == ["resourcegroups"] and len(rest) >= 5 and lowered[2] == "providers":
            return self.provider(request, Scope(subscription, rest[1]), rest[3], rest[4:], version, query)
        if lowered[:1] == ["providers"] and len(rest) == 3 and request.method == "GET":
            kind = self.kind(rest[1], rest[2:], version)
            return self.list(request, self.model.of(kind, subscription=subscription), query)
        raise not_implemented(request)

    # The checks every request passes.

    def authenticate(self, request):
        authorization = request.headers.get("authorization", "")
        if not authorization:
            why = "The 'Authorization' header is missing."
        elif not re.fullmatch(r"Bearer \S+", authorization):
            why = "The 'Authorization' header is provided in an invalid format."
        else:
            return
        raise arm_error(401, "AuthenticationFailed", f"Authentication failed. {why}", headers={
            "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                'error="invalid_token", error_description="The authentication failed."'})

    def check_subscription(self, subscription):
        if not GUID.fullmatch(subscription):
            raise arm_error(400, "InvalidSubscriptionId", f"The provided subscription identifier '{subscription}' is "
                            "malformed or invalid.")
        if self.subscriptions and subscription.lower() not in self.subscriptions:
            raise arm_error(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")

    def check_version(self, api, version, resource_type):
        if version == api.version:
            return
        if api.name == "resources":
            raise arm_error(400, "InvalidApiVersionParameter", f"The api-version '{version}' is invalid. The "
                            f"supported versions are '{api.version}'.")
        raise arm_error(400, "NoRegisteredProviderFound", f"No registered resource provider found for location "
                        f"'global' and API version '{version}' for type '{resource_type}'. The supported "
                        f"api-versions are '{api.version}'.")

    def kind(self, namespace, types, version):
        """The kind of `{namespace}/{type}[/{type}]`, which must be served at `version`."""
        resource_type = "/".join([namespace] + types)
        kind = KINDS.get(resource_type.lower())
        if kind is None:
            raise arm_error(404, "InvalidResourceType", f"The resource type '{'/'.join(types)}' could not be found "
                            f"in the namespace '{namespace}' for api version '{version}'.")
        self.check_version(self.apis[kind.api], version, "/".join(types))
        return kind

    # Resources under a provider.

    def provider(self, request, scope, namespace, tail, version, query):
        """`.../providers/{namespace}/{type}[/{name}[/{type}[/{name}]]]`."""
        types, names = tail[0::2], tail[1::2]
        action = None
        if len(tail) == 3 and (f"{namespace}/{tail[0]}/{tail[2]}".lower(), request.method) in ACTIONS:
            action, types = ACTIONS[(f"{namespace}/{tail[0]}/{tail[2]}".lower(), request.method)], types[:1]
        kind = self.kind(namespace, types, version)
        self.model.group(scope)
        parent_id = f"{scope.group_id}/providers/{namespace}/{tail[0]}/{tail[1]}" if len(tail) > 2 else None
        parent = self.model.get(parent_id) if parent_id else None
        if parent_id and parent is None:
            raise azure_groups.missing(KINDS[f"{namespace}/{tail[0]}".lower()], parent_id, scope)
        if action:
            return action(self.model, parent, request, self.apis[kind.api])
        if len(names) < len(types):
            if request.method != "GET":
                raise not_implemented(request)
            if kind.listed:
                resources = kind.listed(self.model, parent)
            elif parent:
                resources = self.model.of(kind, parent_id=parent_id)
            else:
                resources = self.model.of(kind, scope=scope)
            return self.list(request, resources, query)
        resource_id = f"{scope.group_id}/providers/{namespace}/" + "/".join(tail)
        handler = {"GET": self.get, "PUT": self.put, "PATCH": self.patch, "DELETE": self.delete}.get(request.method)
        if handler is None:
            raise not_implemented(request)
        return handler(request, kind, resource_id, scope, parent)

    def get(self, request, kind, resource_id, scope, parent):
        resource = self.model.get(resource_id)
        if resource is None:
            raise azure_groups.missing(kind, resource_id, scope)
        return Reply(200, self.model.render(resource))

    def put(self, request, kind, resource_id, scope, parent):
        api = self.apis[kind.api]
        self.model.group(scope, writing=True)
        check_conditions(request, self.model.get(resource_id))
        body = api.schema.check(kind.model, {} if request.body is None else request.body)
        kind.check_name(resource_id.rsplit("/", 1)[1])
        if kind.tracked:
            body["location"] = check_location(body.get("location"), kind.type, kind.locations)
        resource, created = self.model.put(kind, resource_id, scope, body, parent)
        headers = {}
        if kind.lro:
            headers = self.model.start(resource, "put", self.model.succeed(resource), api)
        else:
            self.model.succeed(resource)()
        return Reply(201 if created else 200, self.model.render(resource), headers)

    def patch(self, request, kind, resource_id, scope, parent):
        resource = self.model.get(resource_id)
        if kind.api not in PATCH_MODELS or not kind.tracked:
            raise not_implemented(request)
        if resource is None:
            raise azure_groups.missing(kind, resource_id, scope)
        check_conditions(request, resource)
        body = self.apis[kind.api].schema.check(PATCH_MODELS[kind.api], request.body or {})
        self.model.check_idle(resource)
        resource.body.pop("tags", None)
        if body.get("tags"):
            resource.body["tags"] = body["tags"]
        resource.body["etag"] = self.model.etag()
        return Reply(200, self.model.render(resource))

    def delete(self, request, kind, resource_id, scope, parent):
        resource = self.model.get(resource_id)
        if resource is None:
            return Reply(204, None)
        if resource.state == "Deleting" and resource.busy is not None:  # a repeated DELETE: the same operation
            return Reply(202, None, {"Location": self.model.url(resource.busy.result_path, resource.busy),
                                     **retry_headers(self.settings["retry_after_ms"])})
        finish = self.model.delete(resource)
        if not kind.async_delete:
            finish()
            return Reply(200, None)
        return Reply(202, None, self.model.start(resource, "delete", finish, self.apis[kind.api]))

    def list(self, request, resources, query, render=None):
        """One page of `resources` (each as `render` gives it, by default as it is):
        `{"value": [...], "nextLink"?}`."""
        size = self.settings["page_size"]
        if query.get("$top", "").isdigit() and int(query["$top"]) > 0:
            size = min(size, int(query["$top"]))
        token = query.get("$skiptoken", "0")
        start = int(token) if token.isdigit() else 0
        page = resources[start:start + size]
        body = {"value": [(render or self.model.render)(r) for r in page]}
        if start + size < len(resources):
            kept = "&".join(f"{name}={value}" for name, value in request.query if name.lower() != "$skiptoken")
            body["nextLink"] = f"{self.model.base}{request.path}?{kept}&$skiptoken={start + size}"
        return Reply(200, body)

    # What the plumbing asks of a service.

    def fault(self, kind):
        retry = retry_headers(self.settings["retry_after_ms"])
        if kind == "throttled":
            return arm_error(429, "SubscriptionRequestsThrottled", "Number of requests for this subscription "
                             f"exceeded. Please try again after '{retry['Retry-After']}' seconds.", headers=retry)
        return arm_error(503, "ServiceUnavailable", "The service is currently unavailable. Please try again later.",
                         headers=retry)

    def malformed_body(self, message):
        return arm_front_error("", message)

    def internal_error(self):
        return arm_error(500, "InternalServerError", "Internal error of the emulator (its log has the details).")


def not_implemented(request):
    return arm_error(501, "NotImplemented", f"The emulator does not implement {request.method} {request.path}.")

