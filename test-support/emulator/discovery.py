"""Requests checked against a Google API discovery document, as Google's API front end does.

A discovery document (https://developers.google.com/discovery/v1/reference/apis) lists every
method of an API: its HTTP method, its path template under the document's `servicePath`, its
parameters (with `location` path or query, `type`, `format`, `pattern`, `enum`, `repeated`) and
the schema of its request body. `Discovery` uses one to:

- match a request (HTTP method + path) to a method: `{name}` is one path segment, `{+name}` any
  number of them; path parameters must fully match their `pattern`;
- check the query: every parameter must be the method's, the document's global ones (`alt`,
  `fields`, ...) or a `$`-prefixed system parameter (`$alt`, `$apiVersion`, see
  https://cloud.google.com/apis/docs/system-parameters), and its value must have the right type;
- check the JSON body recursively against the method's request schema: no unknown field, the
  right JSON types (proto3 JSON: 64-bit integers as decimal strings or numbers, 32-bit ones as
  numbers or decimal strings), enum values among the schema's;
- drop the output-only fields a client may send back (`id`, `selfLink`, ...), which Google
  ignores.

The errors are Google's (400 `INVALID_ARGUMENT` with its wording where known, 404 for an unknown
method). Nothing here is specific to one API, so it is tested alone.
"""

import dataclasses
import functools
import json
import os
import re
import urllib.parse

from .server import google_error

# System parameters a client may send with a `$` prefix (the Rust SDK sends `$alt` and
# `$apiVersion`); those that are also global parameters of the document are checked as those.
SYSTEM_PARAMETERS = {"$alt", "$apiVersion", "$.xgafv", "$callback", "$ct", "$fields", "$key", "$prettyPrint",
                     "$quotaUser"}
JSON_ALTS = {"json", "json;enum-encoding=int"}
# Global parameters that change what the response is: not modelled, so refused rather than ignored.
UNSUPPORTED = {"fields": "partial responses", "callback": "JSONP", "$ct": "content type overrides"}

RANGES = {"int32": (-2**31, 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-2**63, 2**63 - 1),
          "uint64": (0, 2**64 - 1)}
PROTO_TYPES = {"int32": "TYPE_INT32", "uint32": "TYPE_UINT32", "int64": "TYPE_INT64", "uint64": "TYPE_UINT64"}


@dataclasses.dataclass
class Call:
    """A request matched to a method of the document."""

    method: dict  # the discovery method (`id`, `httpMethod`, `parameters`, `request`, ...)
    params: dict  # path parameters, decoded
    query: dict  # query parameters by name (system ones without their `$`), typed
    body: object  # the JSON body, checked, or None

    @property
    def id(self):
        return self.method["id"]


def invalid_argument(message, field=None):
    """Google's front-end error for a malformed request."""
    details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field or "", "description": message}]}]
    return google_error(400, message, "invalid", "INVALID_ARGUMENT", details)


def package_document(name):
    """The path of a discovery document shipped by google-api-python-client (`compute.v1`)."""
    import googleapiclient

    root = os.path.dirname(googleapiclient.__file__)
    return os.path.join(root, "discovery_cache", "documents", f"{name}.json")


def is_output_only(schema):
    description = schema.get("description", "")
    return schema.get("readOnly") or description.startswith(("[Output Only]", "Output only.", "Output Only."))


@dataclasses.dataclass
class Route:
    http_method: str
    regex: re.Pattern
    names: list  # path parameter names, in order
    reserved: list  # the `{+name}` ones
    literal: int  # characters outside parameters: the more, the more specific
    method: dict


def route_of(prefix, method):
    """The regular expression of a method's path template."""
    template = prefix + method["path"]
    regex, names, reserved, literal, position = "", [], [], 0, 0
    for match in re.finditer(r"\{(\+?)([^}]+)\}", template):
        text = template[position:match.start()]
        regex += re.escape(text)
        literal += len(text)
        regex += "(.+)" if match.group(1) else "([^/]+)"
        names.append(match.group(2))
        if match.group(1):
            reserved.append(match.group(2))
        position = match.end()
    regex += re.escape(template[position:])
    literal += len(template) - position
    return Route(method["httpMethod"], re.compile(regex), names, reserved, literal, method)


def methods_of(resources):
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from methods_of(resource.get("resources", {}))


class Discovery:
    """One discovery document: matches and checks requests."""

    def __init__(self, document):
        self.document = document
        self.schemas = document["schemas"]
        self.globals = document.get("parameters", {})
        prefix = "/" + document["servicePath"]
        self.methods = {method["id"]: method for method in methods_of(document["resources"])}
        self.routes = sorted((route_of(prefix, method) for method in self.methods.values()),
                             key=lambda route: -route.literal)

    @classmethod
    @functools.cache
    def load(cls, name):
        """The document `name` (`compute.v1`, `dns.v1`) of google-api-python-client, read once
        (a Discovery never changes)."""
        with open(package_document(name)) as file:
            return cls(json.load(file))

    def call(self, http_method, path, query, body):
        """Matches and checks a request; returns its `Call` or raises `ApiError`."""
        method, params = self.match(http_method, path)
        return Call(method, params, self.check_query(method, query), self.check_body(method, body))

    def match(self, http_method, path):
        """The method a request names and its path parameters. A `{+name}` parameter that does
        not match its pattern means the route does not apply; a `{name}` one is a bad value."""
        matches = []
        for route in self.routes:  # the most specific first
            found = route.regex.fullmatch(path)
            if found:
                params = dict(zip(route.names, (urllib.parse.unquote(v) for v in found.groups())))
                if not self.path_failure(route.method, {n: params[n] for n in route.reserved}):
                    matches.append((route, params))
        same_verb = [(route, params) for route, params in matches if route.http_method == http_method]
        if not same_verb:
            message = (f"Method not found: {http_method} {path}" if matches
                       else f"The requested URL {path} was not found.")
            raise google_error(404, message, "notFound", "NOT_FOUND")
        failures = []
        for route, params in same_verb:
            failure = self.path_failure(route.method, params)
            if failure is None:
                return route.method, params
            failures.append(failure)
        raise failures[0]

    def path_failure(self, method, params):
        """The error of the first path parameter that does not match its pattern, or None."""
        for name, value in params.items():
            pattern = method["parameters"].get(name, {}).get("pattern")
            if pattern and not re.fullmatch(pattern, value):
                message = (f"Invalid value '{value}'. Values must match the following regular expression: "
                           f"'{pattern.removeprefix('^').removesuffix('$')}'")
                return google_error(400, message, "invalidParameter")
        return None

    def check_query(self, method, pairs):
        """The typed query parameters (repeated ones as lists), or raises for an unknown name or a
        malformed value."""
        grouped = {}
        for name, value in pairs:
            grouped.setdefault(name, []).append(value)
        query = {}
        for name, values in grouped.items():
            spec, key = self.query_spec(method, name)
            if spec is None:
                raise invalid_argument(f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                                       f"parameter. Field '{name}' could not be found in request message.", name)
            if name in UNSUPPORTED or key in UNSUPPORTED:
                feature = UNSUPPORTED.get(name) or UNSUPPORTED[key]
                raise google_error(501, f"The emulator does not implement {feature} ('{name}').", "notImplemented",
                                   "UNIMPLEMENTED")
            if not spec.get("repeated") and len(values) > 1:
                raise invalid_argument(f"Invalid value at '{snake(key)}': multiple values {values}.", key)
            typed = [self.query_value(spec, key, value) for value in values]
            query[key] = typed if spec.get("repeated") else typed[0]
        return query

    def query_spec(self, method, name):
        """(parameter description, canonical name) of a query parameter, or (None, name)."""
        spec = method.get("parameters", {}).get(name)
        if spec is not None:
            return (spec, name) if spec.get("location") == "query" else (None, name)
        bare = name.removeprefix("$")
        if name in self.globals or (name in SYSTEM_PARAMETERS and bare in self.globals):
            return self.globals[bare], bare
        if name in SYSTEM_PARAMETERS:
            return {"type": "string"}, bare
        return None, name

    def query_value(self, spec, name, value):
        if name == "alt":
            if value not in JSON_ALTS and value not in spec.get("enum", []):
                raise invalid_argument(f"Invalid value at 'alt' (TYPE_ENUM), \"{value}\"", name)
            if value not in JSON_ALTS:
                raise google_error(501, f"The emulator only answers JSON (alt={value}).", "notImplemented",
                                   "UNIMPLEMENTED")
            return value
        try:
            return scalar(spec, value, from_query=True)
        except ValueError as error:
            raise invalid_argument(f"Invalid value at '{snake(name)}' ({error}), \"{value}\"", name)

    def check_body(self, method, body):
        """The body, checked against the method's request schema (None when it has none)."""
        reference = method.get("request", {}).get("$ref")
        if reference is None:
            if body not in (None, {}):
                first = next(iter(body)) if isinstance(body, dict) and body else body
                raise invalid_argument(f'Invalid JSON payload received. Unknown name "{first}": Cannot find field.')
            return None
        body = {} if body is None else body
        if not isinstance(body, dict):
            raise invalid_argument(f"Invalid JSON payload received. Expected an object, got {json.dumps(body)}.")
        return self.check_value({"$ref": reference}, body, "")

    def check_value(self, schema, value, path):
        """`value` as `schema` reads it (32-bit integers as numbers, 64-bit ones as decimal
        strings, as proto3 JSON writes them), or raises for the first part that `schema` does not
        allow. null is allowed anywhere: proto3 JSON reads it as the default value."""
        if value is None:
            return None
        schema = self.resolve(schema)
        kind = schema.get("type")
        if kind == "any":
            return value
        if kind == "object":
            return self.check_object(schema, value, path)
        if kind == "array":
            if not isinstance(value, list):
                raise self.type_error(schema, value, path)
            return [self.check_value(schema.get("items", {}), item, f"{path}[{i}]") for i, item in enumerate(value)]
        try:
            typed = scalar(schema, value)
        except ValueError as error:
            raise invalid_argument(f"Invalid value at '{path}' ({error}), {json.dumps(value)}", path)
        return str(typed) if schema.get("format") in ("int64", "uint64") else typed

    def check_object(self, schema, value, path):
        if not isinstance(value, dict):
            raise self.type_error(schema, value, path)
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        result = {}
        for name, item in value.items():
            where = f"{path}.{name}" if path else name
            if properties is not None and name in properties:
                result[name] = self.check_value(properties[name], item, where)
            elif extra is not None:
                result[name] = self.check_value(extra, item, where)
            elif properties is not None:
                at = f" at '{path}'" if path else ""
                raise invalid_argument(f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.',
                                       where)
            else:
                result[name] = item
        return result

    def type_error(self, schema, value, path):
        expected = "a list" if schema.get("type") == "array" else f"a {schema.get('id', 'message')} object"
        return invalid_argument(f"Invalid value at '{path}' (expected {expected}), {json.dumps(value)}", path)

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        return schema

    def without_output_only(self, schema_name, value):
        """A copy of `value` (of schema `schema_name`) without its output-only fields."""
        return self.strip({"$ref": schema_name}, value)

    def strip(self, schema, value):
        schema = self.resolve(schema)
        if isinstance(value, list):
            return [self.strip(schema.get("items", {}), item) for item in value]
        if not isinstance(value, dict) or schema.get("type") != "object":
            return value
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        result = {}
        for name, item in value.items():
            if name in properties:
                if not is_output_only(properties[name]):
                    result[name] = self.strip(properties[name], item)
            else:
                result[name] = self.strip(extra, item) if extra else item
        return result


def without_nulls(value):
    """`value` without its null fields: what proto3 JSON reads as unset (PATCH bodies keep them,
    as JSON merge patch reads null as "remove")."""
    if isinstance(value, dict):
        return {name: without_nulls(item) for name, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value if item is not None]
    return value


def scalar(schema, value, from_query=False):
    """Checks a scalar against its schema (`type`, `format`, `enum`, `minimum`, `maximum`).

    Returns the typed value; raises ValueError naming the expected proto type. Query values are
    all strings; in a JSON body 64-bit integers are decimal strings or numbers, 32-bit ones
    numbers or decimal strings, as proto3 JSON allows."""
    kind, form = schema.get("type"), schema.get("format")
    if kind == "string" and form in ("int64", "uint64"):
        return integer(value, form)
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError("TYPE_ENUM" if "enum" in schema else "TYPE_STRING")
        if "enum" in schema and value not in schema["enum"] and value != "":  # "": unset, as proto3 reads it
            raise ValueError("TYPE_ENUM")
        return value
    if kind == "integer":
        number = integer(value, form or "int32")
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and number < int(low)) or (high is not None and number > int(high)):
            raise ValueError(f"{PROTO_TYPES.get(form, 'TYPE_INT32')} out of range")
        return number
    if kind == "boolean":
        if from_query and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if isinstance(value, bool):
            return value
        raise ValueError("TYPE_BOOL")
    if kind == "number":
        if isinstance(value, str) and (from_query or value in ("NaN", "Infinity", "-Infinity")):
            try:
                return float(value)
            except ValueError:
                raise ValueError("TYPE_DOUBLE")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise ValueError("TYPE_DOUBLE")
    return value


def integer(value, form):
    """An integer of `form` (int32, uint32, int64, uint64) from a number or a decimal string."""
    proto = PROTO_TYPES.get(form, "TYPE_INT64")
    if isinstance(value, bool):
        raise ValueError(proto)
    if isinstance(value, str):
        if not re.fullmatch(r"-?[0-9]+", value):
            raise ValueError(proto)
        number = int(value)
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raise ValueError(proto)
    low, high = RANGES.get(form, RANGES["int64"])
    if not low <= number <= high:
        raise ValueError(proto)
    return number


def snake(name):
    """A camelCase parameter name as Google's messages spell it (`maxResults` -> `max_results`)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
