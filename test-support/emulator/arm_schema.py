"""Request bodies checked against Microsoft's published models: the msrest models of the official
Python SDK packages (`azure-mgmt-network`, `azure-mgmt-resource`, `azure-mgmt-privatedns`), which
are generated from the same OpenAPI (swagger) files that ARM's resource providers serve.

Each model class carries `_attribute_map` (attribute -> JSON key and type; a key such as
`properties.addressPrefix` is flattened from a nested `properties` object) and `_validation`
(`required`, `readonly`, `minimum`, `maximum`, `max_length`, `pattern`, `unique`: the rules
the three packages use); its docstring names the enum of an attribute
(`:vartype vpn_type: str or ~azure.mgmt.network.models.VpnType`). `Schema.check` walks a JSON
body against a model and refuses, with the JSON path of the first fault:

- a member the model does not have (`Could not find member 'x' on object of type 'Y'`);
- a value of the wrong JSON type (a string for a bool, a number for a string...);
- a required member that is missing or null;
- an enum value the model does not list (compared case-insensitively, as ARM does, and answered
  in the model's spelling);
- a value outside a constraint.

Read-only members (`provisioningState`, `etag`, `resourceGuid`...) may be sent, as a client that
PUTs back what it read does, and are dropped, as ARM ignores them; so are nulls (unset). The
error is raised by `reject(path, message)`, given by the caller, so that each API answers in its
own words (ARM's front end says `InvalidRequestContent`, the Network RP `InvalidRequestFormat`).
No model the emulator serves reaches a polymorphic one (`_subtype_map`), so discriminators are
not read.
"""

import datetime
import re

PRIMITIVES = {
    "str": ((str,), "System.String"),
    "int": ((int,), "System.Int32"),
    "long": ((int,), "System.Int64"),
    "float": ((int, float), "System.Double"),
    "bool": ((bool,), "System.Boolean"),
    "iso-8601": ((str,), "System.DateTime"),
    "duration": ((str,), "System.TimeSpan"),
}
VARTYPE = re.compile(r":vartype (\w+): (?:list\[)?str or ~[\w.]+\.(\w+)")


def json_type(value):
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


def split_key(key):
    """The JSON path of an `_attribute_map` key: `properties.addressPrefix` is two members, an
    escaped dot (`odata\\.type`) is part of a name."""
    return [part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", key)]


class Schema:
    """The models of one SDK module (such as `azure.mgmt.network.models`), for one api-version."""

    def __init__(self, models, reject):
        self.models = models
        self.reject = reject
        self.shapes = {}
        self.enums = {}

    def model(self, name):
        return getattr(self.models, name)

    def check(self, name, body, path=""):
        """`body` checked against the model `name`; returns it without its read-only members
        and nulls, with enum values in the model's spelling."""
        return self.check_model(self.model(name), body, path)

    def check_model(self, cls, value, path):
        if not isinstance(value, dict):
            raise self.reject(path, f"Unexpected {json_type(value)} where an object of type '{cls.__name__}' was "
                              f"expected. Path '{path}'.")
        shape = self.shape(cls)
        result = self.check_members(cls, shape, value, path)
        for attribute, rules in cls._validation.items():
            if rules.get("required") and not rules.get("readonly") and cls._attribute_map.get(attribute):
                where, found = result, True
                for part in split_key(cls._attribute_map[attribute]["key"]):
                    where = where.get(part) if isinstance(where, dict) else None
                    found = where is not None
                if not found:
                    key = cls._attribute_map[attribute]["key"]
                    raise self.reject(join(path, key), f"Required property '{split_key(key)[-1]}' not found in JSON. "
                                      f"Path '{join(path, key)}'.")
        return result

    def check_members(self, cls, shape, value, path):
        result = {}
        for key, member in value.items():
            here = join(path, key)
            if key not in shape:
                raise self.reject(here, f"Could not find member '{key}' on object of type '{cls.__name__}'. "
                                  f"Path '{here}'.")
            if member is None:
                continue
            target = shape[key]
            if isinstance(target, dict):  # a flattened object (`properties`)
                if not isinstance(member, dict):
                    raise self.reject(here, f"Unexpected {json_type(member)} where an object was expected. "
                                      f"Path '{here}'.")
                inner = self.check_members(cls, target, member, here)
                if inner:
                    result[key] = inner
                continue
            rules = cls._validation.get(target, {})
            if rules.get("readonly"):
                continue
            checked = self.check_value(cls._attribute_map[target]["type"], member, here, self.enum_of(cls, target))
            self.check_rules(rules, checked, here)
            result[key] = checked
        return result

    def check_value(self, kind, value, path, enum=None):
        if kind.startswith("[") and kind.endswith("]"):
            if not isinstance(value, list):
                raise self.wrong_type(value, "an array", path)
            return [self.check_value(kind[1:-1], item, f"{path}[{index}]", enum) for index, item in enumerate(value)]
        if kind.startswith("{") and kind.endswith("}"):
            if not isinstance(value, dict):
                raise self.wrong_type(value, "an object", path)
            return {key: self.check_value(kind[1:-1], item, join(path, key), enum) for key, item in value.items()}
        if kind == "object":
            return value
        if kind in PRIMITIVES:
            types, dotnet = PRIMITIVES[kind]
            if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                raise self.reject(path, f"Error converting value {shown(value)} to type '{dotnet}'. Path '{path}'.")
            if kind == "iso-8601":
                try:
                    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    raise self.reject(path, f"Could not convert string to DateTime: {value}. Path '{path}'.")
            if enum is not None:
                return self.enum_value(enum, value, path)
            return value
        if kind in ("bytearray", "base64"):
            if not isinstance(value, str):
                raise self.wrong_type(value, "a string", path)
            return value
        return self.check_model(self.model(kind), value, path)

    def wrong_type(self, value, expected, path):
        return self.reject(path, f"Unexpected {json_type(value)} where {expected} was expected. Path '{path}'.")

    def check_rules(self, rules, value, path):
        def fail(why):
            raise self.reject(path, f"The value {shown(value)} of '{path}' {why}.")

        if "minimum" in rules and isinstance(value, (int, float)) and value < rules["minimum"]:
            fail(f"is less than the minimum {rules['minimum']}")
        if "maximum" in rules and isinstance(value, (int, float)) and value > rules["maximum"]:
            fail(f"is more than the maximum {rules['maximum']}")
        if "max_length" in rules and isinstance(value, str) and len(value) > rules["max_length"]:
            fail(f"is longer than {rules['max_length']} characters")
        if "pattern" in rules and isinstance(value, str) and not re.search(rules["pattern"], value):
            fail(f"does not match the pattern '{rules['pattern']}'")
        if rules.get("unique") and isinstance(value, list) and len({shown(v) for v in value}) < len(value):
            fail("has duplicate items")

    def shape(self, cls):
        """The JSON members of a model: name -> attribute, or -> a nested shape (flattened)."""
        if cls not in self.shapes:
            shape = {}
            for attribute, spec in cls._attribute_map.items():
                *outer, last = split_key(spec["key"])
                where = shape
                for part in outer:
                    where = where.setdefault(part, {})
                where[last] = attribute
            self.shapes[cls] = shape
        return self.shapes[cls]

    def enum_of(self, cls, attribute):
        """The enum class the docstring names for an attribute, or None."""
        if (cls, attribute) not in self.enums:
            found = None
            for klass in cls.__mro__:
                text = " ".join((klass.__doc__ or "").split())
                match = next((m for m in VARTYPE.finditer(text) if m.group(1) == attribute), None)
                if match:
                    found = getattr(self.models, match.group(2), None)
                    break
            self.enums[(cls, attribute)] = found
        return self.enums[(cls, attribute)]

    def enum_value(self, enum, value, path):
        for member in enum:
            if member.value.lower() == value.lower():
                return member.value
        allowed = ", ".join(f"'{member.value}'" for member in enum)
        raise self.reject(path, f"Error converting value {shown(value)} to type '{enum.__name__}' (one of {allowed}). "
                          f"Path '{path}'.")


def join(path, key):
    return f"{path}.{key}" if path else key


def shown(value):
    return f'"{value}"' if isinstance(value, str) else repr(value).replace("True", "true").replace("False", "false")
