"""Cloud DNS managed zones, record sets and changes, over HTTP."""

import unittest

from .support import DNS, EmulatorTest

ZONES = DNS + "/managedZones"
NETWORK = "https://www.googleapis.com/compute/v1/projects/p/global/networks/net"


class DnsTest(EmulatorTest):
    def zone(self, name="z", dns_name="example.internal.", **fields):
        return self.ok("POST", ZONES, {"name": name, "dnsName": dns_name, **fields})

    def test_a_zone_is_created_at_once_with_its_soa_and_ns(self):
        zone = self.zone(description="test", labels={"owner": "isopod"})
        self.assertEqual((zone["kind"], zone["visibility"], len(zone["nameServers"])), ("dns#managedZone", "public", 4))
        self.assertRegex(zone["id"], r"^\d+$")
        self.assertEqual(self.ok("GET", ZONES + "/z"), zone)
        rrsets = self.ok("GET", ZONES + "/z/rrsets")
        self.assertEqual(rrsets["kind"], "dns#resourceRecordSetsListResponse")
        self.assertEqual([(r["name"], r["type"]) for r in rrsets["rrsets"]],
                         [("example.internal.", "NS"), ("example.internal.", "SOA")])
        self.assertEqual(self.ok("GET", ZONES)["managedZones"], [zone])
        self.fails("POST", ZONES, {"name": "z", "dnsName": "other.internal."}, 409, "alreadyExists")
        self.assertEqual(self.ok("DELETE", ZONES + "/z"), {})
        message = self.fails("GET", ZONES + "/z", None, 404, "notFound")
        self.assertEqual(message, "The 'parameters.managedZone' resource named 'z' does not exist.")

    def test_a_zone_is_checked(self):
        for body in ({"name": "z", "dnsName": "example.internal"}, {"name": "Z", "dnsName": "example.internal."},
                     {"name": "z", "dnsName": "bad..name."}, {"name": "z"}):
            self.fails("POST", ZONES, body, 400, "invalid")
        self.fails("POST", ZONES, {"name": "z", "dnsName": "e.internal.", "visibility": "secret"}, 400, "invalid")
        self.fails("POST", ZONES, {"name": "z", "dnsName": "e.internal.", "forwardingConfig": {
            "targetNameServers": [{"ipv4Address": "10.0.0.1"}]}}, 501, "notImplemented")

    def test_a_private_zone_names_existing_networks(self):
        private = {"visibility": "private", "privateVisibilityConfig": {"networks": [{"networkUrl": NETWORK}]}}
        self.fails("POST", ZONES, {"name": "z", "dnsName": "example.internal.", **private}, 400, "invalid")
        self.network()
        zone = self.zone(**private)
        self.assertEqual(zone["nameServers"], ["ns-gcp-private.googledomains.com."])
        self.assertEqual(zone["privateVisibilityConfig"]["networks"][0]["networkUrl"], NETWORK)
        self.fails("POST", ZONES, {"name": "y", "dnsName": "example.internal.", "privateVisibilityConfig": {
            "networks": [{"networkUrl": NETWORK}]}}, 400, "invalid")

    def test_patch_and_update_answer_a_done_operation(self):
        self.zone(description="before")
        operation = self.ok("PATCH", ZONES + "/z", {"description": "after"})
        self.assertEqual((operation["kind"], operation["status"], operation["type"]),
                         ("dns#operation", "done", "UPDATE"))
        self.assertEqual(operation["zoneContext"]["oldValue"]["description"], "before")
        self.assertEqual(self.ok("GET", ZONES + "/z")["description"], "after")
        self.fails("PATCH", ZONES + "/z", {"dnsName": "other.internal."}, 400, "invalid")
        self.ok("PUT", ZONES + "/z", {"name": "z", "dnsName": "example.internal.", "description": "put"})
        self.assertEqual(self.ok("GET", ZONES + "/z")["description"], "put")

    def test_record_sets(self):
        self.zone()
        rrset = {"name": "www.example.internal.", "type": "A", "ttl": 300, "rrdatas": ["10.0.0.5"]}
        self.assertEqual(self.ok("POST", ZONES + "/z/rrsets", rrset), {**rrset, "kind": "dns#resourceRecordSet"})
        self.fails("POST", ZONES + "/z/rrsets", rrset, 409, "alreadyExists")
        for bad in ({"name": "www.example.internal"}, {"name": "www.example.com."}, {"type": "NOPE"},
                    {"rrdatas": []}, {"rrdatas": ["not-an-ip"]}):
            self.fails("POST", ZONES + "/z/rrsets", {**rrset, "name": "x.example.internal.", **bad}, 400, "invalid")
        path = ZONES + "/z/rrsets/www.example.internal./A"
        self.assertEqual(self.ok("GET", path)["rrdatas"], ["10.0.0.5"])
        self.assertEqual(self.ok("PATCH", path, {"ttl": 60, "rrdatas": ["10.0.0.6"]})["ttl"], 60)
        self.assertEqual(self.ok("GET", path)["rrdatas"], ["10.0.0.6"])
        self.fails("POST", ZONES + "/z/rrsets", {"name": "www.example.internal.", "type": "CNAME",
                                                 "rrdatas": ["other.example.internal."]}, 400,
                   "cnameResourceRecordSetConflict")
        listed = self.ok("GET", ZONES + "/z/rrsets?name=www.example.internal.&type=A")
        self.assertEqual([r["rrdatas"] for r in listed["rrsets"]], [["10.0.0.6"]])
        message = self.fails("DELETE", ZONES + "/z", None, 400, "containerNotEmpty")
        self.assertEqual(message, "The resource named 'z' cannot be deleted because it is not empty")
        self.fails("DELETE", ZONES + "/z/rrsets/example.internal./SOA", None, 400, "invalid")
        self.assertEqual(self.ok("DELETE", path), {})
        self.fails("GET", path, None, 404, "notFound")
        self.ok("DELETE", ZONES + "/z")

    def test_changes_apply_atomically(self):
        self.zone()
        a = {"name": "a.example.internal.", "type": "A", "ttl": 300, "rrdatas": ["10.0.0.1"]}
        b = {"name": "b.example.internal.", "type": "TXT", "ttl": 300, "rrdatas": ["\"hello\""]}
        change = self.ok("POST", ZONES + "/z/changes", {"additions": [a, b]})
        self.assertEqual((change["kind"], change["status"], change["id"]), ("dns#change", "done", "1"))
        self.fails("POST", ZONES + "/z/changes", {"deletions": [{**a, "ttl": 60}]}, 412, "conditionNotMet")
        self.fails("POST", ZONES + "/z/changes", {"deletions": [a], "additions": [b]}, 409, "alreadyExists")
        self.ok("GET", ZONES + "/z/rrsets/a.example.internal./A")
        self.ok("POST", ZONES + "/z/changes", {"deletions": [a], "additions": [{**a, "rrdatas": ["10.0.0.2"]}]})
        self.assertEqual(self.ok("GET", ZONES + "/z/rrsets/a.example.internal./A")["rrdatas"], ["10.0.0.2"])
        self.assertEqual(self.ok("GET", ZONES + "/z/changes/1")["additions"][0]["name"], "a.example.internal.")
        self.assertEqual(len(self.ok("GET", ZONES + "/z/changes")["changes"]), 3)


if __name__ == "__main__":
    unittest.main()
