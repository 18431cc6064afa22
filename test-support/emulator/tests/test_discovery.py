"""The discovery checks alone, on a small document written for the test and on Compute
Engine's own."""

import unittest

from emulator.discovery import Discovery
from emulator.server import ApiError

DOCUMENT = {
    "servicePath": "things/v1/",
    "parameters": {"alt": {"type": "string", "location": "query", "enum": ["json", "media", "proto"]},
                   "prettyPrint": {"type": "boolean", "location": "query"},
                   "fields": {"type": "string", "location": "query"}},
    "resources": {"things": {
        "methods": {
            "get": {"id": "things.things.get", "httpMethod": "GET", "path": "projects/{project}/things/{thing}",
                    "parameters": {"project": {"location": "path", "pattern": "[a-z]+", "type": "string"},
                                   "thing": {"location": "path", "pattern": "[a-z]+", "type": "string"}}},
            "insert": {"id": "things.things.insert", "httpMethod": "POST", "path": "projects/{project}/things",
                       "parameters": {"project": {"location": "path", "type": "string"},
                                      "count": {"location": "query", "type": "integer", "format": "uint32",
                                                "maximum": "10"},
                                      "dryRun": {"location": "query", "type": "boolean"},
                                      "mode": {"location": "query", "type": "string", "enum": ["A", "B"]},
                                      "tags": {"location": "query", "type": "string", "repeated": True}},
                       "request": {"$ref": "Thing"}},
            "wait": {"id": "things.things.wait", "httpMethod": "POST", "path": "projects/{project}/things/{thing}/wait",
                     "parameters": {}},
        },
        "resources": {"parts": {"methods": {
            "get": {"id": "things.parts.get", "httpMethod": "GET", "path": "{+name}",
                    "parameters": {"name": {"location": "path", "pattern": "^projects/[^/]+/parts/[^/]+$",
                                            "type": "string"}}}}}},
    }},
    "schemas": {
        "Thing": {"id": "Thing", "type": "object", "properties": {
            "name": {"type": "string"},
            "id": {"type": "string", "format": "uint64", "description": "[Output Only] The id."},
            "size": {"type": "string", "format": "int64"},
            "port": {"type": "integer", "format": "int32"},
            "ratio": {"type": "number", "format": "double"},
            "enabled": {"type": "boolean"},
            "color": {"type": "string", "enum": ["RED", "BLUE"]},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "parts": {"type": "array", "items": {"$ref": "Part"}},
            "extra": {"type": "any"},
        }},
        "Part": {"id": "Part", "type": "object", "properties": {
            "name": {"type": "string"}, "weight": {"type": "integer", "format": "uint32"},
            "serial": {"type": "string", "readOnly": True}}},
    },
}


class DiscoveryTest(unittest.TestCase):
    def setUp(self):
        self.api = Discovery(DOCUMENT)

    def error(self, *request):
        with self.assertRaises(ApiError) as caught:
            self.api.call(*request)
        return caught.exception.status, caught.exception.body["error"]["message"]

    def test_matches_a_method_by_its_path(self):
        call = self.api.call("GET", "/things/v1/projects/p/things/t", [], None)
        self.assertEqual((call.id, call.params), ("things.things.get", {"project": "p", "thing": "t"}))

    def test_prefers_the_literal_path_and_expands_reserved_parameters(self):
        call = self.api.call("POST", "/things/v1/projects/p/things/t/wait", [], None)
        self.assertEqual(call.id, "things.things.wait")
        call = self.api.call("GET", "/things/v1/projects/p/parts/x", [], None)
        self.assertEqual((call.id, call.params), ("things.parts.get", {"name": "projects/p/parts/x"}))

    def test_decodes_path_parameters(self):
        call = self.api.call("GET", "/things/v1/projects/p/things/%74", [], None)
        self.assertEqual(call.params["thing"], "t")

    def test_refuses_an_unknown_path_or_verb(self):
        self.assertEqual(self.error("GET", "/things/v1/projects/p/widgets", [], None)[0], 404)
        status, message = self.error("DELETE", "/things/v1/projects/p/things/t", [], None)
        self.assertEqual((status, message), (404, "Method not found: DELETE /things/v1/projects/p/things/t"))

    def test_path_parameters_must_match_their_pattern_in_full(self):
        status, message = self.error("GET", "/things/v1/projects/p1/things/t", [], None)
        self.assertEqual(status, 400)
        self.assertIn("Values must match the following regular expression: '[a-z]+'", message)

    def test_types_the_query(self):
        query = [("count", "3"), ("dryRun", "True"), ("mode", "B"), ("tags", "x"), ("tags", "y"), ("$alt", "json")]
        call = self.api.call("POST", "/things/v1/projects/p/things", query, {})
        self.assertEqual(call.query, {"count": 3, "dryRun": True, "mode": "B", "tags": ["x", "y"], "alt": "json"})

    def test_accepts_the_system_parameters_a_client_library_sends(self):
        query = [("$alt", "json;enum-encoding=int"), ("$apiVersion", "2026-09-01"), ("$prettyPrint", "false")]
        call = self.api.call("GET", "/things/v1/projects/p/things/t", query, None)
        self.assertEqual(call.query, {"alt": "json;enum-encoding=int", "apiVersion": "2026-09-01",
                                      "prettyPrint": False})

    def test_refuses_unknown_or_malformed_query_parameters(self):
        status, message = self.error("GET", "/things/v1/projects/p/things/t", [("count", "3")], None)
        self.assertEqual(status, 400)
        self.assertIn('Unknown name "count": Cannot bind query parameter', message)
        for name, value in (("count", "x"), ("count", "11"), ("count", "-1"), ("dryRun", "yes"), ("mode", "C")):
            self.assertEqual(self.error("POST", "/things/v1/projects/p/things", [(name, value)], {})[0], 400, name)
        self.assertEqual(self.error("POST", "/things/v1/projects/p/things", [("mode", "A"), ("mode", "B")], {})[0],
                         400)
        self.assertEqual(self.error("GET", "/things/v1/projects/p/things/t", [("alt", "xml")], None)[0], 400)

    def test_refuses_what_it_cannot_honour_rather_than_ignoring_it(self):
        self.assertEqual(self.error("GET", "/things/v1/projects/p/things/t", [("alt", "proto")], None)[0], 501)
        self.assertEqual(self.error("GET", "/things/v1/projects/p/things/t", [("fields", "name")], None)[0], 501)

    def test_checks_the_body_recursively(self):
        body = {"name": "t", "size": "123", "port": 80, "ratio": 0.5, "enabled": True, "color": "RED",
                "labels": {"a": "b"}, "parts": [{"name": "p", "weight": 3}], "extra": {"any": ["thing"]}}
        self.assertEqual(self.api.call("POST", "/things/v1/projects/p/things", [], body).body, body)

    def test_reads_integers_as_proto3_json_does(self):
        for body in ({"size": 123}, {"size": "-5"}, {"port": "80"}, {"port": 80.0}, {"size": None}):
            self.api.call("POST", "/things/v1/projects/p/things", [], body)
        for body in ({"size": "12a"}, {"size": True}, {"port": 2**31}, {"port": 1.5}, {"parts": [{"weight": -1}]},
                     {"id": "-1"}):
            self.assertEqual(self.error("POST", "/things/v1/projects/p/things", [], body)[0], 400, body)

    def test_returns_integers_as_proto3_json_writes_them(self):
        body = self.api.call("POST", "/things/v1/projects/p/things", [], {"port": "80", "size": 5, "parts": [
            {"weight": "3"}]}).body
        self.assertEqual(body, {"port": 80, "size": "5", "parts": [{"weight": 3}]})

    def test_names_the_unknown_field_and_where_it_is(self):
        self.assertEqual(self.error("POST", "/things/v1/projects/p/things", [], {"nmae": "t"})[1],
                         'Invalid JSON payload received. Unknown name "nmae": Cannot find field.')
        self.assertEqual(self.error("POST", "/things/v1/projects/p/things", [], {"parts": [{}, {"wieght": 1}]})[1],
                         'Invalid JSON payload received. Unknown name "wieght" at \'parts[1]\': Cannot find field.')

    def test_refuses_wrong_types_and_enum_values(self):
        for body in ({"name": 5}, {"enabled": "true"}, {"color": "GREEN"}, {"labels": {"a": 1}}, {"parts": {}},
                     {"parts": ["p"]}, {"ratio": "half"}, []):
            self.assertEqual(self.error("POST", "/things/v1/projects/p/things", [], body)[0], 400, body)
        message = self.error("POST", "/things/v1/projects/p/things", [], {"color": "GREEN"})[1]
        self.assertEqual(message, "Invalid value at 'color' (TYPE_ENUM), \"GREEN\"")

    def test_a_method_without_a_request_takes_no_body(self):
        self.api.call("POST", "/things/v1/projects/p/things/t/wait", [], {})
        self.assertEqual(self.error("POST", "/things/v1/projects/p/things/t/wait", [], {"x": 1})[0], 400)

    def test_drops_output_only_fields(self):
        body = {"name": "t", "id": "5", "parts": [{"name": "p", "serial": "s"}]}
        self.assertEqual(self.api.without_output_only("Thing", body), {"name": "t", "parts": [{"name": "p"}]})


class ComputeDocumentTest(unittest.TestCase):
    """The same checks on Compute Engine's document, which the emulator serves."""

    @classmethod
    def setUpClass(cls):
        cls.api = Discovery.load("compute.v1")

    def test_every_method_has_a_route(self):
        self.assertGreater(len(self.api.routes), 500)
        call = self.api.call("GET", "/compute/v1/projects/p/regions/us-central1/routers/r/getRouterStatus", [], None)
        self.assertEqual(call.id, "compute.routers.getRouterStatus")

    def test_checks_a_tunnel_body(self):
        body = {"name": "t", "vpnGateway": "g", "vpnGatewayInterface": 0, "sharedSecret": "s", "ikeVersion": 2}
        self.api.call("POST", "/compute/v1/projects/p/regions/r/vpnTunnels", [("$alt", "json")], body)
        body["sharedSecrets"] = "s"
        with self.assertRaises(ApiError):
            self.api.call("POST", "/compute/v1/projects/p/regions/r/vpnTunnels", [], body)

    def test_drops_output_only_fields_of_a_network(self):
        body = {"name": "n", "id": "1", "selfLink": "x", "peerings": [{}], "routingConfig": {"routingMode": "GLOBAL"}}
        self.assertEqual(self.api.without_output_only("Network", body),
                         {"name": "n", "routingConfig": {"routingMode": "GLOBAL"}})


if __name__ == "__main__":
    unittest.main()
