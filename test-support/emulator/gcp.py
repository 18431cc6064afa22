"""The GCP emulator: Compute Engine v1 and Cloud DNS v1, checked against Google's discovery
documents (`compute.v1.json`, `dns.v1.json`, shipped by google-api-python-client).

Each request goes through, in order:

1. `discovery.Discovery.call`: the method must exist (404), its path parameters match their
   patterns, its query parameters and JSON body fit the document (400); output-only fields of
   the body (`id`, `selfLink`, `status`, ...) are dropped, as Google ignores them, and so are
   null fields except in a PATCH (where JSON merge patch reads null as "remove");
2. the project must be one of `--project` (when any is given; 404 `notFound` otherwise, as for
   a project that does not exist) and the region one the emulator knows (400);
3. a repeated `requestId` answers the operation of its first request;
4. the handler of the method (`gcp_network`, `gcp_vpn`, `gcp_dns`, and `gcp_methods` for operations),
   or 501 for a method of the documents the emulator does not model: never a silent success.
"""

import hashlib
import uuid

from . import gcp_dns, gcp_methods, gcp_model, gcp_network, gcp_vpn
from .discovery import Discovery, invalid_argument, without_nulls
from .server import Knob, Reply, google_error

STARTED = gcp_model.stamp()


def get_project(model, call):
    """projects.get: every project the emulator serves exists, with a stable number."""
    project = call.params["project"]
    number = int(hashlib.sha256(project.encode()).hexdigest()[:10], 16)
    return {"kind": "compute#project", "id": str(number), "name": project, "creationTimestamp": STARTED,
            "selfLink": f"{gcp_model.ROOT}projects/{project}", "defaultNetworkTier": "PREMIUM",
            "defaultServiceAccount": f"{number}-compute@developer.gserviceaccount.com",
            "xpnProjectStatus": "UNSPECIFIED_XPN_PROJECT_STATUS",
            "commonInstanceMetadata": {"kind": "compute#metadata", "fingerprint": gcp_model.fingerprint({})}}


HANDLERS = {"compute.projects.get": get_project, **gcp_methods.OPERATION_HANDLERS, **gcp_network.HANDLERS,
            **gcp_vpn.HANDLERS, **gcp_dns.HANDLERS}


class GcpService:
    """Emulates Google Cloud's Compute Engine v1 and Cloud DNS v1 REST APIs (networking)."""

    name = "gcp"
    knobs = [
        Knob("project", str, None, "a project that exists (repeatable; none given: every project exists)",
             repeated=True),
        Knob("provisioning-delay", float, 0.5, "seconds an operation stays RUNNING before DONE"),
        Knob("vpn-delay", float, None, "seconds the operations of HA VPN gateways and VPN tunnels stay RUNNING "
             "(none: the provisioning delay)"),
        Knob("quota-vpn-tunnels", int, 100, "VPN tunnels per project and region (QUOTA_EXCEEDED beyond)"),
        Knob("max-results-cap", int, 500, "most items a list page holds, whatever maxResults says"),
    ]

    def __init__(self, settings, lock, clock=None):
        settings = dict(settings)
        if settings["vpn_delay"] is None:
            settings["vpn_delay"] = settings["provisioning_delay"]
        self.apis = {"/compute/v1/": Discovery.load("compute.v1"), "/dns/v1/": Discovery.load("dns.v1")}
        self.model = gcp_model.Model(settings, lock, **({"clock": clock} if clock else {}))

    def handle(self, request):
        api = next((api for prefix, api in self.apis.items() if request.path.startswith(prefix)), None)
        if api is None:
            raise google_error(404, f"The requested URL {request.path} was not found.", "notFound", "NOT_FOUND")
        call = api.call(request.method, request.path, request.query, request.body)
        if call.body is not None:
            call.body = api.without_output_only(call.method["request"]["$ref"], call.body)
            if call.method["httpMethod"] != "PATCH":
                call.body = without_nulls(call.body)
        self.model.advance()
        self.check_scope(call)
        handler = HANDLERS.get(call.id)
        if handler is None:
            raise google_error(501, f"The emulator does not implement {call.id}.", "notImplemented", "UNIMPLEMENTED")
        repeated = self.repeated_request(call)
        return Reply(200, repeated if repeated is not None else handler(self.model, call))

    def check_scope(self, call):
        project, region = call.params.get("project"), call.params.get("region")
        if project and self.model.projects and project not in self.model.projects:
            if call.id.startswith("dns."):
                raise google_error(404, f"The 'parameters.project' resource named '{project}' does not exist.",
                                   "notFound")
            raise gcp_model.not_found(f"projects/{project}")
        if region and region not in gcp_model.REGIONS:
            raise gcp_model.invalid_field("region", region, "Unknown region.")

    def repeated_request(self, call):
        """The operation of an earlier request with the same requestId, or None."""
        request_id = call.query.get("requestId")
        if request_id is None:
            return None
        try:
            valid = uuid.UUID(request_id).int != 0
        except ValueError:
            valid = False
        if not valid:
            raise gcp_model.invalid_field("requestId", request_id, "The request ID must be a valid UUID other than "
                                          "the zero UUID.")
        operation = self.model.request_ids.get((call.params["project"], request_id))
        return None if operation is None else dict(operation.body)

    def fault(self, kind):
        if kind == "throttled":
            return google_error(429, "Rate Limit Exceeded", "rateLimitExceeded", "RESOURCE_EXHAUSTED",
                                domain="usageLimits")
        return google_error(503, "The service is currently unavailable.", "backendError", "UNAVAILABLE")

    def malformed_body(self, message):
        return invalid_argument(f"Invalid JSON payload received. {message}")

    def internal_error(self):
        return google_error(500, "Internal error of the emulator (its log has the details).", "backendError",
                            "INTERNAL")
