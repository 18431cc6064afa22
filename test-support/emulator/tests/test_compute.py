"""Compute Engine's networks, subnetworks, peerings, addresses, forwarding rules, operations
and lists, over HTTP."""

import threading
import time
import unittest
import urllib.parse
import uuid

from emulator.gcp_model import REGIONS

from .support import COMPUTE, REGION, EmulatorTest

NETWORKS = COMPUTE + "/global/networks"
URL = "https://www.googleapis.com/compute/v1/projects/p"


class OperationsTest(EmulatorTest):
    def test_an_insert_is_visible_only_once_its_operation_is_done(self):
        operation = self.ok("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False})
        self.assertEqual((operation["kind"], operation["status"], operation["progress"], operation["operationType"]),
                         ("compute#operation", "RUNNING", 0, "insert"))
        self.assertEqual(operation["targetLink"], f"{URL}/global/networks/net")
        self.assertRegex(operation["name"], r"^operation-\d{13}-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$")
        self.assertNotIn("region", operation)
        self.fails("GET", NETWORKS + "/net", None, 404, "notFound")
        self.fails("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": True}, 409, "alreadyExists")
        done = self.done(operation)
        self.assertEqual((done["progress"], done["name"]), (100, operation["name"]))
        self.assertIn("endTime", done)
        network = self.ok("GET", NETWORKS + "/net")
        self.assertEqual((network["kind"], network["id"], network["selfLink"]),
                         ("compute#network", operation["targetId"], f"{URL}/global/networks/net"))
        self.assertRegex(network["creationTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
        self.assertEqual(network["routingConfig"], {"routingMode": "REGIONAL", "bgpBestPathSelectionMode": "LEGACY"})

    def test_a_delete_takes_effect_once_its_operation_is_done(self):
        self.network()
        operation = self.ok("DELETE", NETWORKS + "/net")
        self.assertEqual(operation["operationType"], "delete")
        self.ok("GET", NETWORKS + "/net")
        self.fails("DELETE", NETWORKS + "/net", None, 400, "resourceNotReady")
        self.done(operation)
        self.fails("GET", NETWORKS + "/net", None, 404, "notFound")
        message = self.fails("DELETE", NETWORKS + "/net", None, 404, "notFound")
        self.assertEqual(message, "The resource 'projects/p/global/networks/net' was not found")

    def test_a_regional_operation_lives_in_its_region(self):
        self.network()
        operation = self.ok("POST", REGION + "/subnetworks",
                            {"name": "s", "network": "global/networks/net", "ipCidrRange": "10.0.0.0/24"})
        self.assertEqual(operation["region"], f"{URL}/regions/us-central1")
        self.assertIn("/regions/us-central1/operations/", operation["selfLink"])
        self.fails("GET", f"{COMPUTE}/global/operations/{operation['name']}", None, 404, "notFound")
        self.fails("GET", f"{COMPUTE}/regions/us-east1/operations/{operation['name']}", None, 404, "notFound")
        listed = self.ok("GET", REGION + "/operations")
        self.assertEqual([o["name"] for o in listed["items"]], [operation["name"]])
        self.ok("DELETE", f"{REGION}/operations/{operation['name']}")
        self.fails("GET", f"{REGION}/operations/{operation['name']}", None, 404, "notFound")

    def test_a_repeated_request_id_answers_the_first_operation(self):
        request_id = str(uuid.uuid4())
        body = {"name": "net", "autoCreateSubnetworks": False}
        first = self.ok("POST", f"{NETWORKS}?requestId={request_id}", body)
        again = self.ok("POST", f"{NETWORKS}?requestId={request_id}", body)
        self.assertEqual(again["name"], first["name"])
        self.fails("POST", NETWORKS, body, 409, "alreadyExists")
        self.fails("POST", f"{NETWORKS}?requestId=not-a-uuid", body, 400, "invalid")

    def test_a_resource_with_an_operation_in_progress_refuses_changes(self):
        self.network()
        self.ok("PATCH", NETWORKS + "/net", {"routingConfig": {"routingMode": "GLOBAL"}})
        self.fails("PATCH", NETWORKS + "/net", {"routingConfig": {"routingMode": "REGIONAL"}}, 400,
                   "resourceNotReady")
        self.clock.advance(10)
        self.assertEqual(self.ok("GET", NETWORKS + "/net")["routingConfig"]["routingMode"], "GLOBAL")


class WaitTest(EmulatorTest):
    """operations.wait, on the real clock."""

    settings = {"provisioning_delay": 0.3}

    def setUp(self):
        super().setUp()
        self.emulator.service.model.clock = time.monotonic

    def test_wait_returns_when_the_operation_is_done(self):
        operation = self.ok("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False})
        started = time.monotonic()
        done = self.ok("POST", f"{COMPUTE}/global/operations/{operation['name']}/wait")
        self.assertEqual(done["status"], "DONE")
        self.assertGreater(time.monotonic() - started, 0.2)

    def test_other_requests_are_served_while_one_waits(self):
        operation = self.ok("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False})
        wait = f"{COMPUTE}/global/operations/{operation['name']}/wait"
        waiter = threading.Thread(target=self.ok, args=("POST", wait))
        waiter.start()
        started = time.monotonic()
        self.ok("GET", NETWORKS)
        self.assertLess(time.monotonic() - started, 0.2)
        waiter.join()


class ImmediateTest(EmulatorTest):
    settings = {"provisioning_delay": 0.0}

    def test_without_a_delay_an_operation_is_done_at_once(self):
        operation = self.ok("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False})
        self.assertEqual((operation["status"], operation["progress"]), ("DONE", 100))
        self.ok("GET", NETWORKS + "/net")


class RequestTest(EmulatorTest):
    settings = {"provisioning_delay": 1.0, "project": ["p", "q"]}

    def test_only_the_given_projects_exist(self):
        self.network()
        message = self.fails("GET", "/compute/v1/projects/r/global/networks", None, 404, "notFound")
        self.assertEqual(message, "The resource 'projects/r' was not found")
        project = self.ok("GET", "/compute/v1/projects/q")
        self.assertEqual((project["kind"], project["name"]), ("compute#project", "q"))
        self.assertEqual(self.ok("GET", "/compute/v1/projects/q")["id"], project["id"])

    def test_the_body_must_fit_the_discovery_document(self):
        message = self.fails("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False, "subnetMode": "x"},
                             400, "invalid")
        self.assertEqual(message, 'Invalid JSON payload received. Unknown name "subnetMode": Cannot find field.')
        self.fails("POST", NETWORKS, {"name": "net", "routingConfig": {"routingMode": "global"}}, 400, "invalid")
        status, reply = self.call("POST", NETWORKS, raw=b"{not json")
        self.assertEqual((status, reply["error"]["status"]), (400, "INVALID_ARGUMENT"))

    def test_output_only_fields_are_ignored(self):
        self.network(id="42", selfLink="elsewhere", kind="compute#thing")
        network = self.ok("GET", NETWORKS + "/net")
        self.assertNotEqual(network["id"], "42")
        self.assertEqual((network["selfLink"], network["kind"]), (f"{URL}/global/networks/net", "compute#network"))

    def test_unknown_query_parameters_and_regions_are_refused(self):
        self.fails("GET", NETWORKS + "?returnPartialSuccess=true", None, 400, "invalid")
        self.fails("GET", COMPUTE + "/regions/mars-north1/subnetworks", None, 400, "invalid")
        self.ok("GET", NETWORKS + "?%24alt=json%3Benum-encoding%3Dint&%24apiVersion=2026-09-01")

    def test_methods_it_does_not_model_answer_501(self):
        self.network()
        status, reply = self.call("GET", NETWORKS + "/net/listPeeringRoutes?direction=INCOMING")
        self.assertEqual((status, reply["error"]["errors"][0]["reason"]), (501, "notImplemented"))
        self.assertIn("compute.networks.listPeeringRoutes", reply["error"]["message"])
        self.fails("GET", COMPUTE + "/global/nothings", None, 404, "notFound")

    def test_a_network_needs_a_subnet_mode_and_a_valid_name(self):
        self.fails("POST", NETWORKS, {"name": "net"}, 400, "invalid")
        self.fails("POST", NETWORKS, {"name": "net", "IPv4Range": "10.0.0.0/16"}, 400, "invalid")
        message = self.fails("POST", NETWORKS, {"name": "Net", "autoCreateSubnetworks": False}, 400, "invalid")
        self.assertEqual(message, "Invalid value for field 'resource.name': 'Net'. "
                                  "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'")
        self.fails("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False, "mtu": 9000}, 400, "invalid")

    def test_network_patch_changes_only_what_gcp_allows(self):
        self.network()
        self.fails("PATCH", NETWORKS + "/net", {"autoCreateSubnetworks": True}, 400, "invalid")
        operation = self.ok("PATCH", NETWORKS + "/net", {"routingConfig": {"routingMode": "GLOBAL"}})
        self.assertEqual(operation["operationType"], "updateNetwork")
        self.done(operation)
        self.assertEqual(self.ok("GET", NETWORKS + "/net")["routingConfig"],
                         {"routingMode": "GLOBAL", "bgpBestPathSelectionMode": "LEGACY"})


class SubnetworkTest(EmulatorTest):
    def test_references_may_be_full_or_partial_urls(self):
        self.network()
        for index, network in enumerate(["https://www.googleapis.com/compute/v1/projects/p/global/networks/net",
                                         "https://compute.googleapis.com/compute/v1/projects/p/global/networks/net",
                                         "projects/p/global/networks/net", "global/networks/net"]):
            self.create(REGION + "/subnetworks", {"name": f"s{index}", "network": network,
                                                  "ipCidrRange": f"10.{index}.0.0/24"})
            self.assertEqual(self.ok("GET", f"{REGION}/subnetworks/s{index}")["network"], f"{URL}/global/networks/net")
        message = self.fails("POST", REGION + "/subnetworks",
                             {"name": "x", "network": "net", "ipCidrRange": "10.9.0.0/24"}, 400, "invalid")
        self.assertEqual(message, "Invalid value for field 'resource.network': 'net'. The URL is malformed.")

    def test_a_referenced_resource_must_exist_be_ready_and_be_in_the_project(self):
        self.fails("POST", REGION + "/subnetworks", {"name": "s", "network": "global/networks/net",
                                                     "ipCidrRange": "10.0.0.0/24"}, 404, "notFound")
        operation = self.ok("POST", NETWORKS, {"name": "net", "autoCreateSubnetworks": False})
        message = self.fails("POST", REGION + "/subnetworks", {"name": "s", "network": "global/networks/net",
                                                               "ipCidrRange": "10.0.0.0/24"}, 400, "resourceNotReady")
        self.assertEqual(message, "The resource 'projects/p/global/networks/net' is not ready")
        self.done(operation)
        self.fails("POST", REGION + "/subnetworks", {"name": "s", "network": "projects/other/global/networks/net",
                                                     "ipCidrRange": "10.0.0.0/24"}, 400, "invalid")

    def test_a_subnetwork_takes_a_valid_free_range(self):
        self.network()
        done = self.subnetwork("s", "10.0.0.0/24")
        subnetwork = self.ok("GET", REGION + "/subnetworks/s")
        self.assertEqual((subnetwork["gatewayAddress"], subnetwork["region"], subnetwork["id"]),
                         ("10.0.0.1", f"{URL}/regions/us-central1", done["targetId"]))
        for bad in ("10.1.0.0/30", "10.0.0.0/7", "10.1.0.1/24", "127.0.0.0/24", "169.254.0.0/24", "10.1.0.0",
                    "fd00::/64"):
            self.fails("POST", REGION + "/subnetworks", {"name": "t", "network": "global/networks/net",
                                                         "ipCidrRange": bad}, 400, "invalid")
        message = self.fails("POST", COMPUTE + "/regions/europe-west1/subnetworks",
                             {"name": "t", "network": "global/networks/net", "ipCidrRange": "10.0.0.128/25"},
                             400, "invalid")
        self.assertIn("conflicts with existing subnetwork 's' in region 'us-central1'", message)
        self.fails("POST", REGION + "/subnetworks", {"name": "t", "network": "global/networks/net"}, 400, "required")
        self.ok("GET", NETWORKS + "/net")
        self.assertEqual(self.ok("GET", NETWORKS + "/net")["subnetworks"], [f"{URL}/regions/us-central1/subnetworks/s"])

    def test_secondary_ranges_overlap_nothing(self):
        self.network()
        body = {"name": "s", "network": "global/networks/net", "ipCidrRange": "10.0.0.0/24"}
        a, b = {"rangeName": "a", "ipCidrRange": "10.1.0.0/24"}, {"rangeName": "b", "ipCidrRange": "10.1.0.0/25"}
        for secondary in ([{"rangeName": "pods", "ipCidrRange": "10.0.0.0/25"}], [a, b],
                          [{"rangeName": "Pods", "ipCidrRange": "10.1.0.0/24"}]):
            self.fails("POST", REGION + "/subnetworks", {**body, "secondaryIpRanges": secondary}, 400, "invalid")
        self.create(REGION + "/subnetworks", {**body, "secondaryIpRanges": [a]})
        fingerprint = self.ok("GET", REGION + "/subnetworks/s")["fingerprint"]
        more = [{"rangeName": "a", "ipCidrRange": "10.1.0.0/24"}, {"rangeName": "b", "ipCidrRange": "10.2.0.0/24"}]
        self.done(self.ok("PATCH", REGION + "/subnetworks/s", {"fingerprint": fingerprint, "secondaryIpRanges": more}))
        self.assertEqual(len(self.ok("GET", REGION + "/subnetworks/s")["secondaryIpRanges"]), 2)
        self.fails("POST", REGION + "/subnetworks", {"name": "t", "network": "global/networks/net",
                                                     "ipCidrRange": "10.2.0.0/16"}, 400, "invalid")

    def test_patch_needs_the_current_fingerprint(self):
        self.network()
        self.subnetwork("s", "10.0.0.0/24")
        fingerprint = self.ok("GET", REGION + "/subnetworks/s")["fingerprint"]
        self.fails("PATCH", REGION + "/subnetworks/s", {"privateIpGoogleAccess": True}, 412, "conditionNotMet")
        self.fails("PATCH", REGION + "/subnetworks/s", {"fingerprint": fingerprint, "ipCidrRange": "10.0.0.0/23"},
                   400, "invalid")
        self.done(self.ok("PATCH", REGION + "/subnetworks/s",
                          {"fingerprint": fingerprint, "privateIpGoogleAccess": True}))
        subnetwork = self.ok("GET", REGION + "/subnetworks/s")
        self.assertTrue(subnetwork["privateIpGoogleAccess"])
        self.assertNotEqual(subnetwork["fingerprint"], fingerprint)

    def test_flow_logs_are_a_subnetworks_log_config(self):
        self.network()
        self.subnetwork("s", "10.0.0.0/24")
        subnetwork = REGION + "/subnetworks/s"
        self.assertNotIn("logConfig", self.ok("GET", subnetwork))

        def patch(config, status=None, reason=None):
            body = {"fingerprint": self.ok("GET", subnetwork)["fingerprint"], "logConfig": config}
            if status:
                return self.fails("PATCH", subnetwork, body, status, reason)
            return self.done(self.ok("PATCH", subnetwork, body))

        patch({"enable": False, "flowSampling": 0.5}, 400, "invalid")
        patch({"enable": True, "flowSampling": 1.5}, 400, "invalid")
        patch({"enable": True, "metadataFields": ["src_vpc"]}, 400, "invalid")
        patch({"enable": True, "aggregationInterval": "INTERVAL_2_SEC"}, 400, "invalid")
        patch({"enable": True, "metadata": "INCLUDE_ALL_METADATA"})
        live = self.ok("GET", subnetwork)
        self.assertEqual(live["logConfig"], {"enable": True, "aggregationInterval": "INTERVAL_5_SEC",
                                             "flowSampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"})
        self.assertTrue(live["enableFlowLogs"])
        patch({"enable": True, "aggregationInterval": "INTERVAL_1_MIN", "flowSampling": 0.25})
        self.assertEqual(self.ok("GET", subnetwork)["logConfig"]["metadata"], "INCLUDE_ALL_METADATA", "kept")
        patch({"flowSampling": 0.75})
        self.assertEqual(self.ok("GET", subnetwork)["logConfig"]["flowSampling"], 0.75)
        fingerprint = self.ok("GET", subnetwork)["fingerprint"]
        self.done(self.ok("PATCH", subnetwork, {"fingerprint": fingerprint, "enableFlowLogs": False}))
        self.assertEqual(self.ok("GET", subnetwork)["logConfig"], {"enable": False}, "the older field alone")
        patch({"enable": True, "metadata": "INCLUDE_ALL_METADATA"})
        patch({"enable": False})
        live = self.ok("GET", subnetwork)
        self.assertEqual((live["logConfig"], live["enableFlowLogs"]), ({"enable": False}, False))
        body = {"name": "t", "network": "global/networks/net", "ipCidrRange": "10.0.1.0/24",
                "enableFlowLogs": False, "logConfig": {"enable": True}}
        self.fails("POST", REGION + "/subnetworks", body, 400, "invalid")

    def test_an_auto_mode_network_has_a_subnetwork_per_region(self):
        self.create(NETWORKS, {"name": "auto", "autoCreateSubnetworks": True})
        self.assertEqual(len(self.ok("GET", NETWORKS + "/auto")["subnetworks"]), len(REGIONS))
        self.assertEqual(self.ok("GET", REGION + "/subnetworks/auto")["ipCidrRange"], "10.128.0.0/20")
        self.fails("POST", COMPUTE + "/regions/us-east1/subnetworks",
                   {"name": "x", "network": "global/networks/auto", "ipCidrRange": "10.128.0.0/16"}, 400, "invalid")
        self.fails("DELETE", REGION + "/subnetworks/auto", None, 400, "invalid")
        self.network("custom")
        self.subnetwork("auto2", "10.0.0.0/24", network="custom")
        self.fails("POST", NETWORKS, {"name": "auto2", "autoCreateSubnetworks": True}, 409, "alreadyExists")

        self.done(self.ok("DELETE", NETWORKS + "/auto"))
        self.fails("GET", REGION + "/subnetworks/auto", None, 404, "notFound")


class DeleteTest(EmulatorTest):
    def test_what_is_referenced_cannot_be_deleted(self):
        self.network()
        self.subnetwork("s", "10.0.0.0/24")
        message = self.fails("DELETE", NETWORKS + "/net", None, 400, "resourceInUseByAnotherResource")
        self.assertEqual(message, "The network resource 'projects/p/global/networks/net' is already being used by "
                                  "'projects/p/regions/us-central1/subnetworks/s'")

    def test_deleting_before_the_referrer_is_gone_fails_in_the_operation(self):
        self.network()
        self.subnetwork("s", "10.0.0.0/24")
        self.ok("DELETE", REGION + "/subnetworks/s")
        done = self.done(self.ok("DELETE", NETWORKS + "/net"))
        self.assertEqual(done["error"]["errors"][0]["code"], "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE")
        self.assertEqual((done["httpErrorStatusCode"], done["httpErrorMessage"]), (400, "BAD REQUEST"))
        self.ok("GET", NETWORKS + "/net")
        self.done(self.ok("DELETE", NETWORKS + "/net"))


class PeeringTest(EmulatorTest):
    def setUp(self):
        super().setUp()
        for name, cidr in (("a", "10.0.0.0/24"), ("b", "10.1.0.0/24")):
            self.network(name)
            self.subnetwork(name, cidr, network=name)

    def peering(self, network, index=0):
        return self.ok("GET", f"{NETWORKS}/{network}")["peerings"][index]

    def test_a_peering_is_active_once_both_sides_have_it(self):
        operation = self.ok("POST", NETWORKS + "/a/addPeering",
                            {"networkPeering": {"name": "a-b", "network": "global/networks/b"}})
        self.assertEqual(operation["operationType"], "addPeering")
        self.done(operation)
        peering = self.peering("a")
        self.assertEqual((peering["state"], peering["network"], peering["exchangeSubnetRoutes"]),
                         ("INACTIVE", f"{URL}/global/networks/b", True))
        self.done(self.ok("POST", NETWORKS + "/b/addPeering",
                          {"name": "b-a", "peerNetwork": f"{URL}/global/networks/a", "autoCreateRoutes": True}))
        self.assertEqual((self.peering("a")["state"], self.peering("b")["state"]), ("ACTIVE", "ACTIVE"))
        self.assertIn("Connected.", self.peering("a")["stateDetails"])
        self.fails("POST", REGION + "/subnetworks", {"name": "x", "network": "global/networks/b",
                                                     "ipCidrRange": "10.0.0.0/25"}, 400, "invalid")
        self.fails("DELETE", NETWORKS + "/a", None, 400, "resourceInUseByAnotherResource")
        self.done(self.ok("PATCH", NETWORKS + "/a/updatePeering",
                          {"networkPeering": {"name": "a-b", "exportCustomRoutes": True}}))
        self.assertTrue(self.peering("a")["exportCustomRoutes"])
        self.fails("PATCH", NETWORKS + "/a/updatePeering",
                   {"networkPeering": {"name": "a-b", "network": "global/networks/a"}}, 400, "invalid")
        self.done(self.ok("POST", NETWORKS + "/a/removePeering", {"name": "a-b"}))
        self.assertNotIn("peerings", self.ok("GET", NETWORKS + "/a"))
        self.assertEqual(self.peering("b")["state"], "INACTIVE")

    def test_a_peering_is_refused_when_malformed(self):
        def peering(name, network):
            return {"networkPeering": {"name": name, "network": f"global/networks/{network}"}}

        self.fails("POST", NETWORKS + "/a/addPeering", peering("x", "a"), 400, "invalid")
        older = {"name": "x", "peerNetwork": "global/networks/b"}  # without autoCreateRoutes
        self.fails("POST", NETWORKS + "/a/addPeering", older, 400, "invalid")
        self.done(self.ok("POST", NETWORKS + "/a/addPeering", peering("x", "b")))
        self.fails("POST", NETWORKS + "/a/addPeering", peering("x", "c"), 400, "invalid")
        self.fails("POST", NETWORKS + "/a/addPeering", peering("y", "b"), 400, "invalid")
        self.fails("POST", NETWORKS + "/a/removePeering", {"name": "z"}, 400, "invalid")

    def test_overlapping_networks_fail_to_peer_in_the_operation(self):
        self.network("c")
        self.subnetwork("c", "10.0.0.0/24", network="c")
        self.done(self.ok("POST", NETWORKS + "/a/addPeering",
                          {"networkPeering": {"name": "a-c", "network": "global/networks/c"}}))
        done = self.done(self.ok("POST", NETWORKS + "/c/addPeering",
                                 {"networkPeering": {"name": "c-a", "network": "global/networks/a"}}))
        self.assertIn("overlaps with an IP range in the local network", done["error"]["errors"][0]["message"])
        self.assertNotIn("peerings", self.ok("GET", NETWORKS + "/c"))


class AddressTest(EmulatorTest):
    def setUp(self):
        super().setUp()
        self.network()
        self.subnetwork("s", "10.0.0.0/24")

    def address(self, name, **fields):
        return self.create(REGION + "/addresses", {"name": name, "addressType": "INTERNAL",
                                                   "subnetwork": "regions/us-central1/subnetworks/s", **fields})

    def test_an_internal_address_gets_the_next_free_host(self):
        self.address("a1")
        self.address("a2", address="10.0.0.3")
        self.address("a3")
        got = {name: self.ok("GET", f"{REGION}/addresses/{name}") for name in ("a1", "a2", "a3")}
        self.assertEqual([got[n]["address"] for n in ("a1", "a2", "a3")], ["10.0.0.2", "10.0.0.3", "10.0.0.4"])
        self.assertEqual((got["a1"]["status"], got["a1"]["purpose"], got["a1"]["subnetwork"]),
                         ("RESERVED", "GCE_ENDPOINT", f"{URL}/regions/us-central1/subnetworks/s"))
        for taken in ("10.0.0.3", "10.0.0.1", "10.0.0.255", "10.0.1.5"):
            self.fails("POST", REGION + "/addresses", {"name": "b", "addressType": "INTERNAL", "address": taken,
                                                       "subnetwork": "regions/us-central1/subnetworks/s"}, 400,
                       "invalid")
        self.fails("POST", REGION + "/addresses", {"name": "b", "addressType": "INTERNAL"}, 400, "required")
        self.fails("DELETE", REGION + "/subnetworks/s", None, 400, "resourceInUseByAnotherResource")

    def test_an_external_address_is_public(self):
        self.create(REGION + "/addresses", {"name": "e"})
        address = self.ok("GET", REGION + "/addresses/e")
        self.assertEqual((address["addressType"], address["networkTier"]), ("EXTERNAL", "PREMIUM"))
        self.assertFalse(address["address"].startswith(("10.", "127.")))

    def test_labels_change_with_the_current_fingerprint_only(self):
        self.address("a", labels={"env": "test"})
        address = self.ok("GET", REGION + "/addresses/a")
        self.assertEqual(address["labels"], {"env": "test"})
        message = self.fails("POST", REGION + "/addresses/a/setLabels",
                             {"labels": {"env": "prod"}, "labelFingerprint": "AAAAAAAAAAA="}, 412, "conditionNotMet")
        self.assertEqual(message, "Labels fingerprint either invalid or resource labels have changed")
        operation = self.ok("POST", REGION + "/addresses/a/setLabels",
                            {"labels": {"env": "prod"}, "labelFingerprint": address["labelFingerprint"]})
        self.assertEqual(operation["operationType"], "setLabels")
        self.done(operation)
        labelled = self.ok("GET", REGION + "/addresses/a")
        self.assertEqual(labelled["labels"], {"env": "prod"})
        self.assertNotEqual(labelled["labelFingerprint"], address["labelFingerprint"])
        self.fails("POST", REGION + "/addresses/a/setLabels",
                   {"labels": {"Env": "x"}, "labelFingerprint": labelled["labelFingerprint"]}, 400, "invalid")

    def test_a_private_service_connect_endpoint_uses_a_reserved_address(self):
        self.address("ep")
        attachment = ("https://www.googleapis.com/compute/v1/projects/producer/regions/us-central1/"
                      "serviceAttachments/svc")
        rule = {"name": "ep", "network": "global/networks/net", "IPAddress": "regions/us-central1/addresses/ep",
                "target": attachment, "loadBalancingScheme": ""}
        self.create(REGION + "/forwardingRules", rule)
        got = self.ok("GET", REGION + "/forwardingRules/ep")
        self.assertEqual((got["IPAddress"], got["pscConnectionStatus"], got["target"], got["kind"]),
                         ("10.0.0.2", "ACCEPTED", attachment, "compute#forwardingRule"))
        self.assertRegex(got["pscConnectionId"], r"^\d+$")
        address = self.ok("GET", REGION + "/addresses/ep")
        self.assertEqual((address["status"], address["users"]),
                         ("IN_USE", [f"{URL}/regions/us-central1/forwardingRules/ep"]))
        self.fails("DELETE", REGION + "/addresses/ep", None, 400, "resourceInUseByAnotherResource")
        self.fails("POST", REGION + "/forwardingRules", {**rule, "name": "ep2"}, 400, "invalid")
        self.fails("POST", REGION + "/forwardingRules", {**rule, "name": "ep3", "loadBalancingScheme": "INTERNAL"},
                   400, "invalid")
        self.fails("POST", REGION + "/forwardingRules",
                   {**rule, "name": "ep4", "target": attachment.replace("us-central1", "us-east1")}, 400, "invalid")
        self.fails("POST", REGION + "/forwardingRules", {"name": "lb", "network": "global/networks/net",
                                                         "backendService": "x"}, 501, "notImplemented")
        self.fails("PATCH", REGION + "/forwardingRules/ep", {"allowPscGlobalAccess": True, "fingerprint": "AAAA"},
                   412, "conditionNotMet")
        self.fails("PATCH", REGION + "/forwardingRules/ep", {"network": "global/networks/other"}, 400, "invalid")
        self.done(self.ok("PATCH", REGION + "/forwardingRules/ep",
                          {"allowPscGlobalAccess": True, "fingerprint": got["fingerprint"]}))
        self.assertTrue(self.ok("GET", REGION + "/forwardingRules/ep")["allowPscGlobalAccess"])
        self.done(self.ok("DELETE", REGION + "/forwardingRules/ep"))
        self.assertEqual(self.ok("GET", REGION + "/addresses/ep")["status"], "RESERVED")


class ListTest(EmulatorTest):
    def setUp(self):
        super().setUp()
        for name in ("n3", "n1", "n2", "n5", "n4"):
            self.network(name)

    def names(self, reply):
        return [item["name"] for item in reply.get("items", [])]

    def test_pages_follow_next_page_tokens(self):
        first = self.ok("GET", NETWORKS + "?maxResults=2")
        self.assertEqual((self.names(first), first["kind"], first["id"]),
                         (["n1", "n2"], "compute#networkList", "projects/p/global/networks"))
        second = self.ok("GET", f"{NETWORKS}?maxResults=2&pageToken={first['nextPageToken']}")
        third = self.ok("GET", f"{NETWORKS}?maxResults=2&pageToken={second['nextPageToken']}")
        self.assertEqual((self.names(second), self.names(third)), (["n3", "n4"], ["n5"]))
        self.assertNotIn("nextPageToken", third)
        self.fails("GET", NETWORKS + "?pageToken=garbage", None, 400, "invalid")
        self.fails("GET", f"{NETWORKS}?filter=name%3Dn1&pageToken={first['nextPageToken']}", None, 400, "invalid")
        self.fails("GET", NETWORKS + "?maxResults=501", None, 400, "invalid")

    def test_filters_of_both_kinds(self):
        cases = {'name = "n2"': ["n2"], "name = n2": ["n2"], "name != n2": ["n1", "n3", "n4", "n5"],
                 "name eq n[12]": ["n1", "n2"], 'name ne ".*[12]"': ["n3", "n4", "n5"],
                 "(name eq n.*)(autoCreateSubnetworks eq false)": ["n1", "n2", "n3", "n4", "n5"],
                 'name = "n1" AND autoCreateSubnetworks = false': ["n1"], "name eq n": []}
        for text, names in cases.items():
            self.assertEqual(self.names(self.ok("GET", f"{NETWORKS}?filter={urlquote(text)}")), names, text)
        for text in ("name > n1", "name = n1 OR name = n2", "(name eq n1) (name = n2)"):
            self.fails("GET", f"{NETWORKS}?filter={urlquote(text)}", None, 400, "invalid")

    def test_order_by_creation_time(self):
        reply = self.ok("GET", f"{NETWORKS}?orderBy={urlquote('creationTimestamp desc')}")
        self.assertEqual(self.names(reply)[0], "n4")
        self.fails("GET", f"{NETWORKS}?orderBy=id", None, 400, "invalid")

    def test_an_empty_list_has_no_items(self):
        reply = self.ok("GET", REGION + "/subnetworks")
        self.assertEqual((reply["kind"], "items" in reply), ("compute#subnetworkList", False))

    def test_aggregated_lists_map_every_region(self):
        for region, name in (("us-central1", "a"), ("europe-west1", "b"), ("europe-west1", "c")):
            self.create(f"{COMPUTE}/regions/{region}/subnetworks",
                        {"name": name, "network": "global/networks/n1", "ipCidrRange": f"10.{ord(name)}.0.0/24"})
        reply = self.ok("GET", COMPUTE + "/aggregated/subnetworks")
        self.assertEqual(reply["kind"], "compute#subnetworkAggregatedList")
        self.assertEqual(set(reply["items"]), {f"regions/{r}" for r in REGIONS})
        self.assertEqual([s["name"] for s in reply["items"]["regions/europe-west1"]["subnetworks"]], ["b", "c"])
        self.assertEqual(reply["items"]["regions/asia-east1"]["warning"]["code"], "NO_RESULTS_ON_PAGE")
        first = self.ok("GET", COMPUTE + "/aggregated/subnetworks?maxResults=2&includeAllScopes=true")
        self.assertIn("global", first["items"])
        self.assertEqual([s["name"] for s in first["items"]["regions/europe-west1"]["subnetworks"]], ["b", "c"])
        self.assertIn("warning", first["items"]["regions/us-central1"])
        second = self.ok("GET", f"{COMPUTE}/aggregated/subnetworks?maxResults=2&includeAllScopes=true"
                                f"&pageToken={first['nextPageToken']}")
        self.assertEqual([s["name"] for s in second["items"]["regions/us-central1"]["subnetworks"]], ["a"])
        self.assertNotIn("nextPageToken", second)
        filtered = self.ok("GET", f"{COMPUTE}/aggregated/subnetworks?filter={urlquote('name = c')}")
        self.assertEqual([s["name"] for s in filtered["items"]["regions/europe-west1"]["subnetworks"]], ["c"])

    def test_labels_filter(self):
        self.subnetwork("s", "10.0.0.0/24", network="n1")
        for name, env in (("a", "prod"), ("b", "test")):
            self.create(REGION + "/addresses", {"name": name, "labels": {"env": env}})
        reply = self.ok("GET", f"{REGION}/addresses?filter={urlquote('labels.env = prod')}")
        self.assertEqual(self.names(reply), ["a"])
        reply = self.ok("GET", f"{REGION}/addresses?filter={urlquote('labels.env:*')}")
        self.assertEqual(self.names(reply), ["a", "b"])


class CappedListTest(EmulatorTest):
    settings = {"provisioning_delay": 0.0, "max_results_cap": 2}

    def test_the_cap_bounds_pages_whatever_max_results_says(self):
        for name in ("a", "b", "c"):
            self.network(name)
        reply = self.ok("GET", NETWORKS + "?maxResults=500")
        self.assertEqual(len(reply["items"]), 2)
        self.assertIn("nextPageToken", reply)


def urlquote(text):
    return urllib.parse.quote(text)


if __name__ == "__main__":
    unittest.main()
