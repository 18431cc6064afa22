"""HA VPN gateways, external VPN gateways, Cloud Routers and VPN tunnels, in the order Google's
HA VPN guide creates them, and the wrong orders and values GCP refuses."""

import unittest

from .support import COMPUTE, REGION, EmulatorTest

URL = "https://www.googleapis.com/compute/v1/projects/p"
PEER_IPS = ["52.1.1.1", "52.1.1.2", "52.2.2.1", "52.2.2.2"]


class VpnTest(EmulatorTest):
    settings = {"provisioning_delay": 1.0, "vpn_delay": 5.0}

    def setUp(self):
        super().setUp()
        self.network()
        self.subnetwork("s", "10.0.0.0/24")

    def gateway(self, name="gw", network="net"):
        return self.create(REGION + "/vpnGateways", {"name": name, "network": f"global/networks/{network}"})

    def external(self, name="aws", redundancy="FOUR_IPS_REDUNDANCY", ips=PEER_IPS):
        interfaces = [{"id": index, "ipAddress": ip} for index, ip in enumerate(ips)]
        return self.create(COMPUTE + "/global/externalVpnGateways",
                           {"name": name, "redundancyType": redundancy, "interfaces": interfaces})

    def router(self, name="rt", asn=65010, network="net"):
        return self.create(REGION + "/routers", {"name": name, "network": f"global/networks/{network}",
                                                 "bgp": {"asn": asn}})

    def tunnel_body(self, index, **fields):
        return {"name": f"t{index}", "vpnGateway": "regions/us-central1/vpnGateways/gw",
                "vpnGatewayInterface": index // 2, "peerExternalGateway": "global/externalVpnGateways/aws",
                "peerExternalGatewayInterface": index, "sharedSecret": f"secret-{index}",
                "router": "regions/us-central1/routers/rt", "ikeVersion": 2, **fields}

    def tunnels(self):
        for index in range(4):
            self.create(REGION + "/vpnTunnels", self.tunnel_body(index))

    def bgp_patch(self):
        return {"interfaces": [{"name": f"if-{i}", "linkedVpnTunnel": f"regions/us-central1/vpnTunnels/t{i}",
                                "ipRange": f"169.254.{10 + i}.1/30"} for i in range(4)],
                "bgpPeers": [{"name": f"peer-{i}", "interfaceName": f"if-{i}", "peerIpAddress": f"169.254.{10 + i}.2",
                              "peerAsn": 64512} for i in range(4)]}

    def test_the_ha_vpn_sequence_of_googles_guide(self):
        operation = self.ok("POST", REGION + "/vpnGateways", {"name": "gw", "network": "global/networks/net"})
        self.clock.advance(2)
        self.assertEqual(self.ok("GET", f"{REGION}/operations/{operation['name']}")["status"], "RUNNING")
        self.done(operation)
        gateway = self.ok("GET", REGION + "/vpnGateways/gw")
        self.assertEqual([i["id"] for i in gateway["vpnInterfaces"]], [0, 1])
        first, second = (i["ipAddress"] for i in gateway["vpnInterfaces"])
        self.assertTrue(first.startswith("35.242.") and second.startswith("35.220."), gateway)
        self.router()
        self.external()
        self.tunnels()
        tunnel = self.ok("GET", REGION + "/vpnTunnels/t3")
        self.assertNotIn("sharedSecret", tunnel)
        self.assertIn("sharedSecretHash", tunnel)
        self.assertEqual((tunnel["status"], tunnel["detailedStatus"], tunnel["peerIp"], tunnel["vpnGatewayInterface"]),
                         ("NO_INCOMING_PACKETS", "No incoming packets from peer.", PEER_IPS[3], 1))
        self.assertEqual(tunnel["router"], f"{URL}/regions/us-central1/routers/rt")
        self.done(self.ok("PATCH", REGION + "/routers/rt", self.bgp_patch()))
        router = self.ok("GET", REGION + "/routers/rt")
        self.assertEqual(router["interfaces"][0]["linkedVpnTunnel"], f"{URL}/regions/us-central1/vpnTunnels/t0")
        self.assertEqual([p["ipAddress"] for p in router["bgpPeers"]], [f"169.254.{10 + i}.1" for i in range(4)])
        self.assertEqual(router["bgp"]["asn"], 65010)
        status = self.ok("GET", REGION + "/routers/rt/getRouterStatus")["result"]
        self.assertEqual([(p["name"], p["status"], p["peerIpAddress"]) for p in status["bgpPeerStatus"]],
                         [(f"peer-{i}", "DOWN", f"169.254.{10 + i}.2") for i in range(4)])
        connections = self.ok("GET", REGION + "/vpnGateways/gw/getStatus")["result"]["vpnConnections"]
        self.assertEqual(connections[0]["state"], {"state": "CONNECTION_REDUNDANCY_MET"})
        self.assertEqual(len(connections[0]["tunnels"]), 4)

    def test_a_tunnel_needs_its_gateway_peer_and_router_first(self):
        body = self.tunnel_body(0)
        self.fails("POST", REGION + "/vpnTunnels", body, 404, "notFound")
        operation = self.ok("POST", REGION + "/vpnGateways", {"name": "gw", "network": "global/networks/net"})
        self.fails("POST", REGION + "/vpnTunnels", body, 400, "resourceNotReady")
        self.done(operation)
        self.external()
        message = self.fails("POST", REGION + "/vpnTunnels", body, 404, "notFound")
        self.assertEqual(message, "The resource 'projects/p/regions/us-central1/routers/rt' was not found")
        self.router()
        self.create(REGION + "/vpnTunnels", body)

    def test_a_tunnel_is_checked_field_by_field(self):
        self.gateway()
        self.external(redundancy="TWO_IPS_REDUNDANCY", ips=PEER_IPS[:2])
        self.router()
        self.network("other")
        self.router("elsewhere", network="other")
        cases = [({"vpnGatewayInterface": 2}, "invalid"), ({"peerExternalGatewayInterface": 2}, "invalid"),
                 ({"sharedSecret": None}, "required"), ({"sharedSecret": ""}, "required"),
                 ({"ikeVersion": 3}, "invalid"), ({"router": None}, "required"),
                 ({"router": "regions/us-central1/routers/elsewhere"}, "invalid"),
                 ({"router": "regions/us-east1/routers/rt"}, "invalid"),
                 ({"peerGcpGateway": "regions/us-central1/vpnGateways/gw"}, "invalid"),
                 ({"remoteTrafficSelector": ["10.0.0.0/8"]}, "invalid"), ({"peerIp": "1.2.3.4"}, "invalid")]
        for fields, reason in cases:
            self.fails("POST", REGION + "/vpnTunnels", self.tunnel_body(1, **fields), 400, reason)
        self.fails("POST", REGION + "/vpnTunnels", self.tunnel_body(1, targetVpnGateway="x"), 501, "notImplemented")
        self.create(REGION + "/vpnTunnels", self.tunnel_body(1))

    def test_an_external_gateway_has_as_many_interfaces_as_its_redundancy_says(self):
        for redundancy, ips in (("FOUR_IPS_REDUNDANCY", PEER_IPS[:2]), ("TWO_IPS_REDUNDANCY", PEER_IPS[:1]),
                                ("SINGLE_IP_INTERNALLY_REDUNDANT", PEER_IPS[:2])):
            interfaces = [{"id": i, "ipAddress": ip} for i, ip in enumerate(ips)]
            self.fails("POST", COMPUTE + "/global/externalVpnGateways",
                       {"name": "x", "redundancyType": redundancy, "interfaces": interfaces}, 400, "invalid")
        twice = [{"id": 0, "ipAddress": "1.1.1.1"}, {"id": 0, "ipAddress": "1.1.1.2"}]
        self.fails("POST", COMPUTE + "/global/externalVpnGateways",
                   {"name": "x", "redundancyType": "TWO_IPS_REDUNDANCY", "interfaces": twice}, 400, "invalid")
        self.fails("POST", COMPUTE + "/global/externalVpnGateways",
                   {"name": "x", "redundancyType": "SINGLE_IP_INTERNALLY_REDUNDANT",
                    "interfaces": [{"id": 0, "ipAddress": "not-an-ip"}]}, 400, "invalid")
        done = self.external(redundancy="SINGLE_IP_INTERNALLY_REDUNDANT", ips=PEER_IPS[:1])
        self.assertEqual(done["operationType"], "compute.externalVpnGateways.insert")

    def test_a_router_needs_a_private_asn_that_never_changes(self):
        for asn in (65535, 64511, 13335, 4294967295):
            self.fails("POST", REGION + "/routers", {"name": "r", "network": "global/networks/net",
                                                     "bgp": {"asn": asn}}, 400, "invalid")
        self.router(asn=4200000000)
        self.fails("PATCH", REGION + "/routers/rt", {"bgp": {"asn": 65001}}, 400, "invalid")
        self.fails("POST", REGION + "/routers", {"name": "r", "network": "global/networks/nothing",
                                                 "bgp": {"asn": 65001}}, 404, "notFound")

    def test_router_interfaces_and_peers_are_checked(self):
        self.gateway()
        self.external()
        self.router()
        self.router("other", asn=65020)
        self.tunnels()
        self.create(REGION + "/vpnTunnels", self.tunnel_body(4, router="regions/us-central1/routers/other",
                                                             peerExternalGatewayInterface=0, vpnGatewayInterface=0))
        good = self.bgp_patch()

        def patched(interface=None, peer=None, interfaces=None, peers=None):
            body = {"interfaces": [dict(i) for i in good["interfaces"]],
                    "bgpPeers": [dict(p) for p in good["bgpPeers"]]}
            body["interfaces"][0].update(interface or {})
            body["bgpPeers"][0].update(peer or {})
            if interfaces is not None:
                body["interfaces"] = interfaces
            if peers is not None:
                body["bgpPeers"] = peers
            return body

        cases = [patched(interface={"ipRange": "169.254.10.0/30"}), patched(interface={"ipRange": "169.254.10.1/29"}),
                 patched(interface={"ipRange": "10.0.0.1/30"}), patched(interface={"ipRange": "169.254.11.2/30"}),
                 patched(interface={"linkedVpnTunnel": "regions/us-central1/vpnTunnels/t4"}),
                 patched(interface={"linkedVpnTunnel": "regions/us-central1/vpnTunnels/t1"}),
                 patched(peer={"peerIpAddress": "169.254.10.1"}), patched(peer={"peerIpAddress": "169.254.10.5"}),
                 patched(peer={"interfaceName": "if-9"}),
                 patched(peer={"interfaceName": "if-1", "peerIpAddress": "169.254.11.2"}),
                 patched(peer={"peerAsn": None}), patched(peer={"ipAddress": "169.254.10.2"}),
                 patched(interfaces=good["interfaces"][1:])]
        for body in cases:
            status, reply = self.call("PATCH", REGION + "/routers/rt", body)
            self.assertEqual(status, 400, body)
        missing = patched(interface={"linkedVpnTunnel": "regions/us-central1/vpnTunnels/t9"})
        self.fails("PATCH", REGION + "/routers/rt", missing, 404, "notFound")
        self.create_patch(good)

    def create_patch(self, body):
        done = self.done(self.ok("PATCH", REGION + "/routers/rt", body))
        self.assertNotIn("error", done)

    def test_integers_may_come_as_strings_and_null_removes_in_a_patch(self):
        self.create(REGION + "/routers", {"name": "rt", "network": "global/networks/net", "bgp": {"asn": "65010"},
                                          "description": "first"})
        self.assertEqual(self.ok("GET", REGION + "/routers/rt")["bgp"]["asn"], 65010)
        self.create_patch({"description": None})
        self.assertNotIn("description", self.ok("GET", REGION + "/routers/rt"))

    def test_patch_replaces_arrays_and_keeps_what_it_does_not_name(self):
        self.gateway()
        self.external()
        self.router()
        self.tunnels()
        self.create_patch(self.bgp_patch())
        self.create_patch({"description": "four tunnels"})
        router = self.ok("GET", REGION + "/routers/rt")
        self.assertEqual((len(router["interfaces"]), router["description"]), (4, "four tunnels"))
        smaller = self.bgp_patch()
        self.create_patch({"interfaces": smaller["interfaces"][:2], "bgpPeers": smaller["bgpPeers"][:2]})
        router = self.ok("GET", REGION + "/routers/rt")
        self.assertEqual([i["name"] for i in router["interfaces"]], ["if-0", "if-1"])
        router["bgpPeers"][0]["peerAsn"] = 64999
        router.pop("description")
        done = self.done(self.ok("PUT", REGION + "/routers/rt", router))
        self.assertEqual(done["operationType"], "update")
        updated = self.ok("GET", REGION + "/routers/rt")
        self.assertEqual((updated["bgpPeers"][0]["peerAsn"], "description" in updated), (64999, False))

    def test_deletes_go_in_the_reverse_order(self):
        self.gateway()
        self.external()
        self.router()
        self.tunnels()
        self.create_patch(self.bgp_patch())
        for path, noun in (("vpnTunnels/t0", "vpn_tunnel"), ("routers/rt", "router"),
                           ("vpnGateways/gw", "vpn_gateway")):
            message = self.fails("DELETE", f"{REGION}/{path}", None, 400, "resourceInUseByAnotherResource")
            self.assertTrue(message.startswith(f"The {noun} resource"), message)
        self.fails("DELETE", COMPUTE + "/global/externalVpnGateways/aws", None, 400, "resourceInUseByAnotherResource")
        self.create_patch({"interfaces": [], "bgpPeers": []})
        self.assertNotIn("interfaces", self.ok("GET", REGION + "/routers/rt"))
        for index in range(4):
            self.done(self.ok("DELETE", f"{REGION}/vpnTunnels/t{index}"))
        for path in (f"{REGION}/routers/rt", f"{REGION}/vpnGateways/gw", COMPUTE + "/global/externalVpnGateways/aws"):
            self.done(self.ok("DELETE", path))

    def test_labels_of_vpn_resources(self):
        self.gateway()
        gateway = self.ok("GET", REGION + "/vpnGateways/gw")
        self.done(self.ok("POST", REGION + "/vpnGateways/gw/setLabels",
                          {"labels": {"owner": "isopod"}, "labelFingerprint": gateway["labelFingerprint"]}))
        self.assertEqual(self.ok("GET", REGION + "/vpnGateways/gw")["labels"], {"owner": "isopod"})
        self.fails("POST", REGION + "/vpnGateways/gw/setLabels",
                   {"labels": {}, "labelFingerprint": gateway["labelFingerprint"]}, 412, "conditionNotMet")

    def test_two_emulated_gateways_establish_their_tunnels(self):
        self.network("other")
        self.gateway()
        self.gateway("gw2", network="other")
        self.router()
        self.router("rt2", network="other")
        for local, peer, router, secret in (("gw", "gw2", "rt", "same"), ("gw2", "gw", "rt2", "same")):
            self.create(REGION + "/vpnTunnels", {
                "name": f"{local}-0", "vpnGateway": f"regions/us-central1/vpnGateways/{local}",
                "vpnGatewayInterface": 0, "sharedSecret": secret,
                "peerGcpGateway": f"regions/us-central1/vpnGateways/{peer}",
                "router": f"regions/us-central1/routers/{router}"})
        tunnel = self.ok("GET", REGION + "/vpnTunnels/gw-0")
        self.assertEqual(tunnel["status"], "ESTABLISHED")
        self.assertEqual(tunnel["peerIp"], self.ok("GET", REGION + "/vpnGateways/gw2")["vpnInterfaces"][0]["ipAddress"])


class QuotaTest(EmulatorTest):
    settings = {"provisioning_delay": 0.0, "quota_vpn_tunnels": 2}

    def test_tunnels_beyond_the_quota_fail_in_their_operation(self):
        self.network()
        external = {"name": "aws", "redundancyType": "SINGLE_IP_INTERNALLY_REDUNDANT",
                    "interfaces": [{"id": 0, "ipAddress": "52.0.0.1"}]}
        for path, body in ((REGION + "/vpnGateways", {"name": "gw", "network": "global/networks/net"}),
                           (REGION + "/routers", {"name": "rt", "network": "global/networks/net",
                                                  "bgp": {"asn": 65000}}),
                           (COMPUTE + "/global/externalVpnGateways", external)):
            self.ok("POST", path, body)
        results = []
        for index in range(3):
            results.append(self.ok("POST", REGION + "/vpnTunnels", {
                "name": f"t{index}", "vpnGateway": "regions/us-central1/vpnGateways/gw", "vpnGatewayInterface": 0,
                "peerExternalGateway": "global/externalVpnGateways/aws", "peerExternalGatewayInterface": 0,
                "sharedSecret": "s", "router": "regions/us-central1/routers/rt"}))
        self.assertEqual(["error" in r for r in results], [False, False, True])
        error = results[2]["error"]["errors"][0]
        self.assertEqual((error["code"], error["message"]),
                         ("QUOTA_EXCEEDED", "Quota 'VPN_TUNNELS' exceeded.  Limit: 2.0 in region us-central1."))
        self.assertEqual(results[2]["httpErrorStatusCode"], 403)
        self.fails("GET", REGION + "/vpnTunnels/t2", None, 404, "notFound")


if __name__ == "__main__":
    unittest.main()
