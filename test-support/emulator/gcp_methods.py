"""The Compute Engine methods that work the same way for every collection of the model
(get, list, aggregatedList, delete, setLabels) and the global and regional operations' own
(get, wait, list, delete), as https://cloud.google.com/compute/docs/reference/rest/v1 documents
them: lists answer `{kind: compute#<kind>List, id, selfLink, items?, nextPageToken?}` and
aggregated lists map scopes to scoped lists; `operations.wait` waits up to 2 minutes.
"""

import copy

from . import gcp_lists
from .gcp_model import KINDS, REGIONS, ROOT, Ref, not_found, scope_path


def get(collection):
    def handle(model, call):
        return model.render(model.target(call, collection))
    return handle


def delete(collection):
    def handle(model, call):
        return model.delete(call, model.target(call, collection))
    return handle


def set_labels_of(collection):
    def handle(model, call):
        ref = Ref(call.params["project"], call.params.get("region"), collection, call.params["resource"])
        return model.set_labels(call, model.visible(ref))
    return handle


def list_reply(model, call, kind, collection, bodies):
    """A list method's reply: one page of the `bodies` that pass the filter (`items` is absent
    when the page is empty, as GCP writes it)."""
    project, region = call.params["project"], call.params.get("region")
    selected = gcp_lists.select(bodies, call.query)
    items, token = gcp_lists.page(selected, call.query, model.settings["max_results_cap"])
    where = f"{scope_path(project, region)}/{collection}"
    reply = {"kind": kind + "List", "id": where, "selfLink": ROOT + where}
    if items:
        reply["items"] = items
    if token:
        reply["nextPageToken"] = token
    return reply


def list_of(collection):
    def handle(model, call):
        resources = model.of(collection, call.params["project"], call.params.get("region"))
        return list_reply(model, call, KINDS[collection].kind, collection, [model.render(r) for r in resources])
    return handle


def aggregated_list_of(collection):
    """aggregatedList: `items` maps every scope (`regions/R`, and `global` with
    includeAllScopes) to `{<collection>: [...]}` or to a NO_RESULTS_ON_PAGE warning; a page holds
    at most maxResults resources in all."""
    def handle(model, call):
        project, kind = call.params["project"], KINDS[collection]
        scopes = (["global"] if call.query.get("includeAllScopes") else []) + [f"regions/{r}" for r in sorted(REGIONS)]
        order = {scope: index for index, scope in enumerate(scopes)}
        rendered = [model.render(r) for r in model.of(collection, project)]
        chosen = sorted(gcp_lists.select(rendered, call.query), key=lambda r: order[scope_of(r)])
        page, token = gcp_lists.page(chosen, call.query, model.settings["max_results_cap"])
        items = {}
        for scope in scopes:
            in_scope = [r for r in page if scope_of(r) == scope]
            items[scope] = {collection: in_scope} if in_scope else {"warning": {
                "code": "NO_RESULTS_ON_PAGE", "message": f"No results for the scope '{scope}'.",
                "data": [{"key": "scope", "value": scope}]}}
        where = f"projects/{project}/aggregated/{collection}"
        body = {"kind": kind.kind + "AggregatedList", "id": where, "selfLink": ROOT + where, "items": items}
        if token:
            body["nextPageToken"] = token
        return body
    return handle


def scope_of(rendered):
    region = rendered.get("region")
    return "regions/" + region.rsplit("/", 1)[1] if region else "global"


def standard_handlers(collection, methods):
    """The handlers of `methods` (get, list, aggregatedList, delete, setLabels) of a collection."""
    makers = {"get": get, "list": list_of, "aggregatedList": aggregated_list_of, "delete": delete,
              "setLabels": set_labels_of}
    return {f"compute.{collection}.{method}": makers[method](collection) for method in methods}


# Operations.

def operation_of(model, call):
    key = (call.params["project"], call.params.get("region"), call.params["operation"])
    operation = model.operations.get(key)
    if operation is None:
        raise not_found(f"{scope_path(key[0], key[1])}/operations/{key[2]}")
    return operation


def get_operation(model, call):
    return copy.deepcopy(operation_of(model, call).body)


def wait_operation(model, call):
    operation = operation_of(model, call)
    model.wait(operation)
    return copy.deepcopy(operation.body)


def delete_operation(model, call):
    operation = operation_of(model, call)
    del model.operations[(operation.project, operation.region, operation.body["name"])]
    return {}


def list_operations(model, call):
    project, region = call.params["project"], call.params.get("region")
    bodies = [copy.deepcopy(o.body) for (p, r, _), o in model.operations.items() if p == project and r == region]
    return list_reply(model, call, "compute#operation", "operations", bodies)


OPERATION_HANDLERS = {
    f"compute.{collection}.{method}": handler
    for collection in ("globalOperations", "regionOperations")
    for method, handler in (("get", get_operation), ("wait", wait_operation), ("delete", delete_operation),
                            ("list", list_operations))
}
