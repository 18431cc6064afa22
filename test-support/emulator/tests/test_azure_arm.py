"""The Azure emulator's ARM semantics: authentication, api-version, validation against the SDK's
models, long-running operations, deletes, resource groups, lists and faults."""

import json
import os
import re
import subprocess
import unittest
import urllib.request

from .azure_support import GROUP, NET, SUB, SUBSCRIPTION, AzureTest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
VNET = f"{NET}/virtualNetworks/vnet"


class RequestTest(AzureTest):
    def test_a_request_without_a_bearer_token_is_refused(self):
        for token in ("", None):
            status, headers, reply = self.call("GET", GROUP, token=token)
            self.assertEqual((status, reply["error"]["code"]), (401, "AuthenticationFailed"))
            self.assertIn("Bearer", headers["WWW-Authenticate"])

    def test_api_version_is_required_and_must_be_the_one_served(self):
        self.fails("GET", VNET, None, 400, "MissingApiVersionParameter", version="")
        self.fails("GET", VNET, None, 400, "NoRegisteredProviderFound", version="2023-09-01")
        self.fails("GET", GROUP, None, 400, "InvalidApiVersionParameter", version="2024-03-01")

    def test_subscriptions_and_groups_must_exist(self):
        self.fails("GET", "/subscriptions/nope/resourceGroups/rg", None, 400, "InvalidSubscriptionId")
        other = "/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg"
        self.fails("GET", other, None, 404, "SubscriptionNotFound")
        self.fails("PUT", f"{SUB}/resourceGroups/missing/providers/Microsoft.Network/virtualNetworks/v",
                   {"location": "westeurope"}, 404, "ResourceGroupNotFound")
        self.fails("GET", f"{NET}/fooBars/x", None, 404, "InvalidResourceType")

    def test_path_segments_and_names_are_case_insensitive(self):
        self.vnet()
        lowered = VNET.lower().replace(SUBSCRIPTION.lower(), SUBSCRIPTION)
        self.assertEqual(self.ok("GET", lowered)["id"], VNET)


class ValidationTest(AzureTest):
    def body(self, **properties):
        return {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                                                         **properties}}

    def test_an_unknown_property_is_refused(self):
        error = self.fails("PUT", VNET, self.body(colour="blue"), 400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "properties.colour")
        self.assertIn("Could not find member 'colour'", error["details"][0]["message"])
        self.fails("PUT", VNET, {**self.body(), "colour": "blue"}, 400, "InvalidRequestFormat")
        self.fails("GET", VNET, None, 404, "ResourceNotFound")

    def test_a_value_of_the_wrong_type_is_refused(self):
        error = self.fails("PUT", VNET, self.body(enableDdosProtection="yes"), 400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "properties.enableDdosProtection")
        error = self.fails("PUT", VNET, self.body(subnets={"name": "a"}), 400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "properties.subnets")

    def test_a_missing_required_property_is_refused(self):
        self.vnet()
        self.public_ip("ip1")
        body = self.gateway_body(addresses=("ip1",))
        self.create(f"{NET}/virtualNetworkGateways/gw", body)
        self.local_gateway()
        connection = self.connection_body()
        del connection["properties"]["connectionType"]
        error = self.fails("PUT", f"{NET}/connections/c", connection, 400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "properties.connectionType")
        connection = self.connection_body()
        del connection["properties"]["ipsecPolicies"][0]["dhGroup"]
        error = self.fails("PUT", f"{NET}/connections/c", connection, 400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "properties.ipsecPolicies[0].dhGroup")
        error = self.fails("PUT", f"{SUB}/resourceGroups/other", {}, 400, "InvalidRequestContent")
        self.assertEqual(error["target"], "location")
        self.fails("PUT", VNET, {"properties": {}}, 400, "LocationRequired")

    def test_enum_values_are_checked_and_spelled_as_the_model_does(self):
        error = self.fails("PUT", f"{NET}/publicIPAddresses/ip", {"location": "westeurope", "sku": {"name": "Gold"}},
                           400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "sku.name")
        reply = self.ok("PUT", f"{NET}/publicIPAddresses/ip", {"location": "West Europe", "sku": {"name": "standard"},
                                                               "properties": {"publicIPAllocationMethod": "static"}})
        self.assertEqual((reply["sku"]["name"], reply["properties"]["publicIPAllocationMethod"], reply["location"]),
                         ("Standard", "Static", "westeurope"))

    def test_constraints_of_the_model_are_checked(self):
        body = self.gateway_body(addresses=("ip1",))
        body["properties"]["bgpSettings"]["asn"] = 2**32
        error = self.fails("PUT", f"{NET}/virtualNetworkGateways/gw", body, 400, "InvalidRequestFormat")
        self.assertEqual(error["details"][0]["target"], "properties.bgpSettings.asn")

    def test_read_only_properties_are_ignored(self):
        created = self.vnet()
        again = self.ok("PUT", VNET, {**created, "etag": 'W/"old"'}, status=200)
        self.assertEqual(again["properties"]["resourceGuid"], created["properties"]["resourceGuid"])
        self.assertNotEqual(again["etag"], 'W/"old"')

    def test_a_malformed_body_is_refused(self):
        request = urllib.request.Request(f"{self.base}{VNET}?api-version=2024-03-01", data=b"{", method="PUT",
                                         headers={"Authorization": "Bearer t"})
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request)
        self.assertEqual(json.loads(raised.exception.read())["error"]["code"], "InvalidRequestContent")


STANDARD_IP = {"location": "westeurope", "sku": {"name": "Standard"},
               "properties": {"publicIPAllocationMethod": "Static"}}


class OperationTest(AzureTest):
    def test_a_put_is_updating_until_its_async_operation_succeeds(self):
        status, headers, reply = self.call("PUT", f"{NET}/publicIPAddresses/ip", STANDARD_IP)
        self.assertEqual((status, reply["properties"]["provisioningState"]), (201, "Updating"))
        self.assertNotIn("ipAddress", reply["properties"])
        self.assertEqual(headers["retry-after-ms"], "500")
        url = headers["Azure-AsyncOperation"]
        operations = f"{self.base}{SUB}/providers/Microsoft.Network/locations/westeurope/operations/"
        self.assertTrue(url.startswith(operations), url)
        self.assertEqual(self.call("GET", url, absolute=True)[2]["status"], "InProgress")
        self.settle()
        self.assertEqual(self.call("GET", url, absolute=True)[2]["status"], "Succeeded")
        address = self.ok("GET", f"{NET}/publicIPAddresses/ip")
        self.assertEqual(address["properties"]["provisioningState"], "Succeeded")
        self.assertRegex(address["properties"]["ipAddress"], r"^203\.0\.113\.\d+$")
        status, _, again = self.call("PUT", f"{NET}/publicIPAddresses/ip", STANDARD_IP)
        self.assertEqual((status, again["properties"]["provisioningState"]), (200, "Updating"))

    def test_a_failed_operation_reports_its_error(self):
        self.emulator.settings["public_ip_range"] = "203.0.113.0/31"
        for name in ("a", "b", "c"):
            _, headers, _ = self.call("PUT", f"{NET}/publicIPAddresses/{name}", {
                "location": "westeurope", "sku": {"name": "Standard"}})
        self.settle()
        operation = self.call("GET", headers["Azure-AsyncOperation"], absolute=True)[2]
        self.assertEqual((operation["status"], operation["error"]["code"]), ("Failed", "PublicIPCountLimitReached"))
        self.assertEqual(self.ok("GET", f"{NET}/publicIPAddresses/c")["properties"]["provisioningState"], "Failed")

    def test_delete_answers_202_and_a_location_to_poll(self):
        self.vnet()
        status, headers, _ = self.call("DELETE", VNET)
        self.assertEqual(status, 202)
        location = headers["Location"]
        self.assertIn("/operationResults/", location)
        self.assertEqual(self.ok("GET", VNET)["properties"]["provisioningState"], "Deleting")
        self.assertEqual(self.call("GET", location, absolute=True)[0], 202)
        self.settle()
        self.assertEqual(self.call("GET", location, absolute=True)[0], 204)
        self.fails("GET", VNET, None, 404, "ResourceNotFound")
        self.assertEqual(self.call("DELETE", VNET)[0], 204)

    def test_deleting_a_group_deletes_what_is_in_it(self):
        self.vnet()
        status, headers, _ = self.call("DELETE", GROUP)
        self.assertEqual(status, 202)
        self.fails("PUT", f"{NET}/publicIPAddresses/ip", {"location": "westeurope"}, 409, "ResourceGroupBeingDeleted")
        self.assertEqual(self.call("GET", headers["Location"], absolute=True)[0], 202)
        self.settle()
        self.assertEqual(self.call("GET", headers["Location"], absolute=True)[0], 200)
        self.assertEqual(self.call("HEAD", GROUP)[0], 404)
        self.fails("GET", VNET, None, 404, "ResourceGroupNotFound")
        left = [r.kind.type for r in self.emulator.service.model.resources.values()]
        self.assertEqual(left, ["Microsoft.Network/networkWatchers"], "only what is in another group")

    def test_a_groups_resources_are_listed_generically_without_their_children(self):
        self.vnet()
        status, _, reply = self.call("GET", f"{GROUP}/resources", None, "2021-04-01")
        self.assertEqual(status, 200, reply)
        listed = reply["value"]
        self.assertEqual([(r["id"], r["type"], r["location"]) for r in listed],
                         [(VNET, "Microsoft.Network/virtualNetworks", "westeurope")])
        self.assertNotIn("properties", listed[0])
        self.fails("GET", f"{SUB}/resourceGroups/missing/resources", None, 404, "ResourceGroupNotFound",
                   version="2021-04-01")

    def test_a_group_keeps_its_location(self):
        self.assertEqual(self.call("HEAD", GROUP)[0], 204)
        self.fails("PUT", GROUP, {"location": "northeurope"}, 409, "InvalidResourceGroupLocation")
        self.assertEqual(self.ok("PUT", GROUP, {"location": "westeurope", "tags": {"a": "b"}}, status=200)["tags"],
                         {"a": "b"})

    def test_conditional_writes_create_only_or_replace_only_the_version_read(self):
        vnet = self.vnet()
        body = {"location": "westeurope", "properties": vnet["properties"]}
        status, _, reply = self.call("PUT", VNET, body, headers={"If-None-Match": "*"})
        self.assertEqual((status, reply["error"]["code"]), (412, "PreconditionFailed"), reply)
        status, _, reply = self.call("PUT", VNET, body, headers={"If-Match": 'W/"stale"'})
        self.assertEqual(status, 412, reply)
        self.assertEqual(self.ok("GET", VNET)["etag"], vnet["etag"], "a refused write changes nothing")
        status, _, reply = self.call("PUT", VNET, body, headers={"If-Match": vnet["etag"]})
        self.assertEqual(status, 200, reply)
        fresh = f"{NET}/virtualNetworks/fresh"
        status, _, reply = self.call("PUT", fresh, body, headers={"If-Match": "*"})
        self.assertEqual(status, 412, reply)
        status, _, reply = self.call("PUT", fresh, body, headers={"If-None-Match": "*"})
        self.assertEqual(status, 201, reply)

    def test_tags_change_by_patch(self):
        self.vnet()
        self.assertEqual(self.ok("PATCH", VNET, {"tags": {"team": "net"}})["tags"], {"team": "net"})
        self.fails("PATCH", VNET, {"tags": {"team": 1}}, 400, "InvalidRequestFormat")


class DelayTest(AzureTest):
    settings = {"provisioning_delay": 0.0, "delay": ["virtualNetworks=4"], "time_scale": 0.5}

    def test_a_kind_has_its_own_delay_scaled(self):
        self.ok("PUT", f"{NET}/publicIPAddresses/ip", STANDARD_IP)
        self.assertEqual(self.ok("GET", f"{NET}/publicIPAddresses/ip")["properties"]["provisioningState"], "Succeeded")
        self.ok("PUT", VNET, {"location": "westeurope",
                              "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})
        self.clock.advance(1.9)
        self.assertEqual(self.ok("GET", VNET)["properties"]["provisioningState"], "Updating")
        self.clock.advance(0.2)
        self.assertEqual(self.ok("GET", VNET)["properties"]["provisioningState"], "Succeeded")


class ListTest(AzureTest):
    settings = {"provisioning_delay": 0.0, "page_size": 2}

    def test_lists_are_paged_through_next_link(self):
        for index in range(5):
            self.vnet(f"v{index}", f"10.{index}.0.0/16", subnets=())
        names, url = [], f"{self.base}{NET}/virtualNetworks?api-version=2024-03-01"
        while url:
            status, _, page = self.call("GET", url, absolute=True)
            self.assertEqual(status, 200)
            self.assertLessEqual(len(page["value"]), 2)
            names += [v["name"] for v in page["value"]]
            url = page.get("nextLink")
        self.assertEqual(names, ["v0", "v1", "v2", "v3", "v4"])
        self.assertEqual(len(self.ok("GET", f"{SUB}/providers/Microsoft.Network/virtualNetworks")["value"]), 2)
        # The first virtual network of a region enabled its Network Watcher, in a group of its own.
        groups = [g["name"] for g in self.ok("GET", f"{SUB}/resourcegroups")["value"]]
        self.assertEqual(groups, ["rg", "NetworkWatcherRG"])


class FaultTest(AzureTest):
    settings = {"provisioning_delay": 0.0, "fault_rate": 1.0, "seed": 7}

    def setUp(self):
        self.settings = dict(self.settings, fault_rate=0.0)
        super().setUp()
        self.emulator.settings["fault_rate"] = 1.0

    def test_faults_answer_429_with_retry_after_or_503_and_change_nothing(self):
        seen = set()
        for _ in range(20):
            status, headers, reply = self.call("PUT", VNET, {"location": "westeurope"})
            seen.add((status, reply["error"]["code"]))
            self.assertIn("Retry-After", headers)
        self.assertEqual(seen, {(429, "SubscriptionRequestsThrottled"), (503, "ServiceUnavailable")})
        self.emulator.settings["fault_rate"] = 0.0
        self.fails("GET", VNET, None, 404, "ResourceNotFound")


class RequestLogTest(AzureTest):
    settings = {"provisioning_delay": 0.0}

    def test_the_shared_key_is_only_in_the_request_log(self):
        self.gateway()
        self.local_gateway()
        self.create(f"{NET}/connections/c", self.connection_body())
        replies = [self.ok("GET", f"{NET}/connections/c"), self.ok("GET", f"{NET}/connections")]
        self.assertFalse(any("correct-horse" in json.dumps(r) for r in replies))
        self.assertEqual(self.ok("GET", f"{NET}/connections/c/sharedkey"), {"value": "correct-horse"})
        put = [e for e in self.emulator.requests if e["method"] == "PUT" and e["path"].endswith("/connections/c")]
        self.assertEqual((put[0]["body"]["properties"]["sharedKey"], put[0]["status"], put[0]["fault"],
                          put[0]["query"]), ("correct-horse", 201, False, {"api-version": "2024-03-01"}))
        self.assertNotIn("correct-horse", self.log.getvalue())


class CommandLineTest(unittest.TestCase):
    def test_scripts_emulator_azure_serves_until_killed(self):
        command = [os.path.join(ROOT, "scripts", "emulator"), "azure", "0", "--provisioning-delay", "0"]
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                                   env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        try:
            line = process.stderr.readline()
            port = re.fullmatch(r"azure emulator listening on http://127\.0\.0\.1:(\d+)\n", line).group(1)
            request = urllib.request.Request(f"http://127.0.0.1:{port}{GROUP}?api-version=2021-04-01", method="PUT",
                                             data=b'{"location": "westeurope"}',
                                             headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
            self.assertEqual(json.load(urllib.request.urlopen(request))["properties"]["provisioningState"], "Succeeded")
        finally:
            process.kill()
            process.wait()
            process.stderr.close()


if __name__ == "__main__":
    unittest.main()
