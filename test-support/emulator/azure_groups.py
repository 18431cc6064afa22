"""Resource groups (Microsoft.Resources 2021-04-01, `/subscriptions/{sub}/resourcegroups/{rg}`),
as https://learn.microsoft.com/rest/api/resources/resource-groups documents them:

- PUT creates (201) or updates (200) at once: no operation; `location` is required and cannot
  change (409 `InvalidResourceGroupLocation`); the name is 1-90 letters, digits, `.`, `_`, `-`,
  `(`, `)`, not ending in `.` (400 `InvalidResourceGroupName`);
- HEAD answers 204 when the group exists, 404 when it does not; PATCH changes `tags` and
  `managedBy`;
- DELETE answers 202 with a `Location` (`/subscriptions/{sub}/operationresults/{id}`) that
  answers 202 until done, then 200; the group is `Deleting` meanwhile (nothing can be written
  in it), then it is gone with everything in it;
- GET of `/subscriptions/{sub}/resourcegroups` lists them, in pages;
- GET of `/subscriptions/{sub}/resourcegroups/{rg}/resources` ("Resources - List By Resource
  Group") lists the group's top-level resources of every type, in pages, each as a
  `GenericResourceExpanded` (`id`, `name`, `type`, `location`, `tags`; no `properties`): what a
  client checks before deleting a group, which deletes everything in it.

It also answers for the resources of every kind that is missing (`missing`).
"""

from .azure_model import GROUP_NAME, Kind, Resource, Scope, arm_error, check_location, id_key, register
from .server import Reply


def check_group_name(name):
    if not GROUP_NAME.fullmatch(name) or name.endswith("."):
        raise arm_error(400, "InvalidResourceGroupName", f"The resource group name '{name}' is invalid. It can "
                        "have up to 90 letters, digits, underscores, periods, hyphens and parentheses, and must not "
                        "end in a period.")


RESOURCE_GROUP = register(Kind("Microsoft.Resources/resourceGroups", "resourceGroups", "resources", "ResourceGroup",
                               lro=False, etag=False, check_name=check_group_name))


def missing(kind, resource_id, scope):
    """The 404 of a resource that does not exist: `ResourceNotFound` for a top-level one (ARM's
    words), `NotFound` for a child (the Network RP's)."""
    if kind.parent:
        return arm_error(404, "NotFound", f"Resource {resource_id} not found.")
    return arm_error(404, "ResourceNotFound", f"The Resource '{kind.type}/{resource_id.rsplit('/', 1)[1]}' under "
                     f"resource group '{scope.group}' was not found. For more details please go to "
                     "https://aka.ms/ARMResourceNotFoundFix")


def handle(service, request, subscription, name, query):
    model = service.model
    if name is None:
        if request.method != "GET":
            raise arm_error(405, "MethodNotAllowed", f"The method {request.method} is not allowed here.")
        groups = [g for g in model.groups.values() if g.scope.subscription.lower() == subscription.lower()]
        return service.list(request, groups, query)
    scope = Scope(subscription, name)
    group = model.groups.get(id_key(scope.group_id))
    if request.method == "HEAD":
        return Reply(204 if group else 404, None)
    if request.method == "PUT":
        return put(service, scope, group, request.body)
    if group is None and request.method in ("GET", "PATCH"):
        model.group(scope)  # 404 ResourceGroupNotFound
    if request.method == "GET":
        return Reply(200, model.render(group))
    if request.method == "PATCH":
        body = service.apis["resources"].schema.check("ResourceGroupPatchable", request.body or {})
        for member in ("tags", "managedBy"):
            if member in body:
                group.body[member] = body[member]
        return Reply(200, model.render(group))
    if request.method == "DELETE":
        return delete(service, group)
    raise arm_error(405, "MethodNotAllowed", f"The method {request.method} is not allowed here.")


def put(service, scope, group, body):
    model = service.model
    body = service.apis["resources"].schema.check("ResourceGroup", {} if body is None else body)
    check_group_name(scope.group)
    location = check_location(body["location"], RESOURCE_GROUP.type)
    created = group is None
    if not created:
        if group.state == "Deleting":
            model.group(scope, writing=True)  # 409 ResourceGroupBeingDeleted
        if group.body["location"] != location:
            raise arm_error(409, "InvalidResourceGroupLocation", f"Invalid resource group location '{location}'. "
                            f"The Resource group already exists in location '{group.body['location']}'.")
    else:
        group = Resource(RESOURCE_GROUP, scope.group_id, scope, {})
        model.groups[id_key(scope.group_id)] = group
    group.body = {"id": group.id, "name": scope.group, "type": RESOURCE_GROUP.type, "location": location,
                  "properties": {}, **{k: body[k] for k in ("tags", "managedBy") if k in body}}
    return Reply(201 if created else 200, model.render(group))


def delete(service, group):
    model = service.model
    if group is None:
        return Reply(204, None)
    if group.state == "Deleting":
        return Reply(202, None, {"Location": model.url(group.busy.result_path, group.busy)})
    group.state = "Deleting"

    def finish():
        for resource in [r for r in model.resources.values() if id_key(r.scope.group_id) == id_key(group.id)]:
            if id_key(resource.id) in model.resources:
                model.remove(resource)
        model.remove(group)

    return Reply(202, None, model.start(group, "delete", finish, service.apis["resources"]))


def resources(service, request, scope, query):
    """The group's top-level resources, as ARM's generic resource list shows them."""
    model = service.model
    model.group(scope)  # 404 ResourceGroupNotFound
    held = [r for r in model.resources.values()
            if r.kind.parent is None and id_key(r.scope.group_id) == id_key(scope.group_id)]

    def generic(resource):
        body = {"id": resource.id, "name": resource.name, "type": resource.kind.type}
        for member in ("location", "tags"):
            if member in resource.body:
                body[member] = resource.body[member]
        return body

    return service.list(request, held, query, render=generic)
