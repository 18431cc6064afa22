"""The Azure emulator's networking rules: subnets, peerings, gateways and their one operation at
a time, connections, private endpoints and private DNS."""

from .azure_support import NET, SUB, AzureTest

VNET = f"{NET}/virtualNetworks/vnet"
GATEWAY = f"{NET}/virtualNetworkGateways/gw"
ZONE = f"{NET}/privateDnsZones/privatelink.blob.core.windows.net"
STORAGE = "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/s"


class SubnetTest(AzureTest):
    def test_subnets_are_inline_and_child_resources(self):
        vnet = self.vnet()
        self.assertEqual([s["name"] for s in vnet["properties"]["subnets"]], ["GatewaySubnet", "app"])
        self.create(f"{VNET}/subnets/data", {"properties": {"addressPrefix": "10.0.2.0/24"}})
        self.assertEqual(len(self.ok("GET", f"{VNET}/subnets")["value"]), 3)
        self.fails("PUT", f"{VNET}/subnets/x", {"properties": {"addressPrefix": "10.0.2.128/25"}}, 400,
                   "NetcfgSubnetRangesOverlap")
        self.fails("PUT", f"{VNET}/subnets/x", {"properties": {"addressPrefix": "10.9.0.0/24"}}, 400,
                   "NetcfgSubnetRangeOutsideVnet")
        self.fails("PUT", f"{VNET}/subnets/x", {"properties": {"addressPrefix": "10.0.3.1/24"}}, 400,
                   "InvalidCIDRNotation")
        self.vnet(subnets=(("app", "10.0.1.0/24"),))  # a PUT without a subnet deletes it
        self.fails("GET", f"{VNET}/subnets/data", None, 404, "NotFound")

    def test_a_subnet_in_use_cannot_be_deleted(self):
        self.gateway()
        self.fails("DELETE", f"{VNET}/subnets/GatewaySubnet", None, 400, "InUseSubnetCannotBeDeleted")
        self.fails("DELETE", VNET, None, 400, "InUseSubnetCannotBeDeleted")
        self.fails("PUT", VNET, {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}, 400, "InUseSubnetCannotBeDeleted")
        self.fails("DELETE", f"{NET}/publicIPAddresses/ip1", None, 400, "PublicIPAddressCannotBeDeleted")
        subnet = self.ok("GET", f"{VNET}/subnets/GatewaySubnet")
        self.assertEqual(len(subnet["properties"]["ipConfigurations"]), 2)

    def test_peerings_connect_when_both_sides_exist(self):
        self.vnet()
        self.vnet("other", "10.1.0.0/16", subnets=())
        there = f"{NET}/virtualNetworks/other"
        self.fails("PUT", f"{VNET}/virtualNetworkPeerings/p", {"properties": {
            "remoteVirtualNetwork": {"id": f"{NET}/virtualNetworks/nope"}}}, 400, "InvalidResourceReference")
        peering = self.create(f"{VNET}/virtualNetworkPeerings/p",
                              {"properties": {"remoteVirtualNetwork": {"id": there}}})
        self.assertEqual(peering["properties"]["peeringState"], "Initiated")
        self.create(f"{there}/virtualNetworkPeerings/back", {"properties": {"remoteVirtualNetwork": {"id": VNET}}})
        self.assertEqual(self.ok("GET", f"{VNET}/virtualNetworkPeerings/p")["properties"]["peeringState"], "Connected")
        self.vnet("overlapping", "10.0.0.0/20", subnets=())
        self.fails("PUT", f"{VNET}/virtualNetworkPeerings/q", {"properties": {"remoteVirtualNetwork": {
            "id": f"{NET}/virtualNetworks/overlapping"}}}, 400, "VnetAddressSpacesOverlap")


class GatewayTest(AzureTest):
    def test_the_gateway_subnet_is_27_or_larger(self):
        self.vnet(subnets=(("GatewaySubnet", "10.0.255.0/28"),))
        self.public_ip("ip1")
        self.public_ip("ip2")
        self.fails("PUT", GATEWAY, self.gateway_body(), 400, "GatewaySubnetTooSmall")

    def test_a_gateway_shows_its_bgp_addresses_once_it_has_succeeded(self):
        gateway = self.gateway()
        peerings = gateway["properties"]["bgpSettings"]["bgpPeeringAddresses"]
        self.assertEqual([p["customBgpIpAddresses"] for p in peerings], [["169.254.21.2"], ["169.254.22.2"]])
        self.assertEqual([p["defaultBgpIpAddresses"] for p in peerings], [["10.0.255.4"], ["10.0.255.5"]])
        self.assertEqual(gateway["properties"]["bgpSettings"]["bgpPeeringAddress"], "10.0.255.4,10.0.255.5")
        self.assertTrue(all(p["tunnelIpAddresses"][0].startswith("203.0.113.") for p in peerings))

    def test_custom_bgp_addresses_are_apipa(self):
        self.vnet()
        self.public_ip("ip1")
        self.public_ip("ip2")
        body = self.gateway_body()
        body["properties"]["bgpSettings"]["bgpPeeringAddresses"][0]["customBgpIpAddresses"] = ["169.254.30.1"]
        self.fails("PUT", GATEWAY, body, 400, "InvalidCustomBgpIpAddress")

    def test_a_gateway_takes_one_operation_at_a_time(self):
        self.vnet()
        self.public_ip("ip1")
        self.public_ip("ip2")
        self.ok("PUT", GATEWAY, self.gateway_body())
        error = self.fails("PUT", GATEWAY, self.gateway_body(), 409, "AnotherOperationInProgress")
        self.assertIn("/operations/", error["message"])
        self.fails("DELETE", GATEWAY, None, 409, "AnotherOperationInProgress")
        self.settle()
        self.local_gateway()
        self.ok("PUT", f"{NET}/connections/c", self.connection_body())
        self.fails("PUT", GATEWAY, self.gateway_body(), 409, "AnotherOperationInProgress")
        self.settle()
        self.ok("PUT", GATEWAY, self.gateway_body(), status=200)
        self.fails("DELETE", f"{NET}/connections/c", None, 409, "AnotherOperationInProgress")

    def test_connections_of_one_gateway_are_made_one_at_a_time(self):
        self.gateway()
        self.local_gateway("one")
        self.local_gateway("two")
        self.ok("PUT", f"{NET}/connections/c1", self.connection_body("one"))
        self.fails("PUT", f"{NET}/connections/c2", self.connection_body("two"), 409, "AnotherOperationInProgress")
        self.settle()
        self.ok("PUT", f"{NET}/connections/c2", self.connection_body("two"), status=201)

    def test_a_connection_needs_both_gateways_succeeded(self):
        self.vnet()
        self.public_ip("ip1")
        self.public_ip("ip2")
        self.local_gateway()
        self.fails("PUT", f"{NET}/connections/c", self.connection_body(), 400, "InvalidResourceReference")
        self.ok("PUT", GATEWAY, self.gateway_body())
        self.fails("PUT", f"{NET}/connections/c", self.connection_body(), 400, "ReferencedResourceNotProvisioned")
        self.settle()
        self.ok("PUT", f"{NET}/localNetworkGateways/later", {"location": "westeurope", "properties": {
            "gatewayIpAddress": "198.51.100.8"}})
        self.fails("PUT", f"{NET}/connections/c", self.connection_body("later"), 400,
                   "ReferencedResourceNotProvisioned")
        connection = self.create(f"{NET}/connections/c", self.connection_body())
        self.assertEqual(connection["properties"]["connectionStatus"], "Connected")
        self.fails("DELETE", GATEWAY, None, 400, "InUseVirtualNetworkGatewayCannotBeDeleted")
        self.fails("DELETE", f"{NET}/localNetworkGateways/peer", None, 400, "InUseLocalNetworkGatewayCannotBeDeleted")

    def test_a_connection_custom_bgp_address_is_one_of_the_gateway(self):
        self.gateway()
        self.local_gateway()
        body = self.connection_body()
        body["properties"]["gatewayCustomBgpIpAddresses"][1]["customBgpIpAddress"] = "169.254.22.9"
        self.fails("PUT", f"{NET}/connections/c", body, 400, "InvalidGatewayCustomBgpIpAddress")


    def test_bgp_peer_status_is_a_long_running_action_listing_each_connections_peer(self):
        self.gateway()
        self.local_gateway("one")
        self.create(f"{NET}/connections/c1", self.connection_body("one"))
        self.local_gateway("two")
        self.ok("PUT", f"{NET}/connections/c2", self.connection_body("two"))
        status, headers, body = self.call("POST", f"{GATEWAY}/getBgpPeerStatus")
        self.assertEqual((status, body), (202, None))
        location = headers["Location"]
        self.assertIn("retry-after-ms", {name.lower() for name in headers})
        got, _, pending = self.call("GET", location, absolute=True)
        self.assertEqual((got, pending), (202, None), "not done before its time")
        self.settle()
        got, _, result = self.call("GET", location, absolute=True)
        self.assertEqual(got, 200, result)
        self.assertEqual([peer["state"] for peer in result["value"]], ["Connected", "Connecting"])
        peer = result["value"][0]
        self.assertEqual((peer["neighbor"], peer["asn"], peer["localAddress"]), ("169.254.21.1", 64512, "169.254.21.2"))
        self.emulator.service.apis["network"].schema.check("BgpPeerStatusListResult", result)
        # The action reads: it holds nothing, and a peer can be asked for alone.
        self.settle()
        self.ok("PUT", GATEWAY, self.gateway_body(), status=200)
        self.settle()
        url = f"{self.base}{GATEWAY}/getBgpPeerStatus?api-version=2024-03-01&peer=169.254.21.1"
        _, headers, _ = self.call("POST", url, absolute=True)
        self.settle()
        _, _, alone = self.call("GET", headers["Location"], absolute=True)
        self.assertEqual(len(alone["value"]), 2, "both connections meet the same peer address")
        self.fails("POST", f"{NET}/virtualNetworkGateways/missing/getBgpPeerStatus", None, 404, "ResourceNotFound")


class EndpointTest(AzureTest):
    def test_an_endpoint_takes_an_address_of_its_subnet(self):
        self.vnet()
        endpoint = self.create(f"{NET}/privateEndpoints/pe", {"location": "westeurope", "properties": {
            "subnet": {"id": f"{VNET}/subnets/app"}, "privateLinkServiceConnections": [{"name": "blob", "properties": {
                "privateLinkServiceId": STORAGE,
                "groupIds": ["blob"]}}]}})
        self.assertEqual(endpoint["properties"]["customDnsConfigs"][0]["ipAddresses"], ["10.0.1.4"])
        state = endpoint["properties"]["privateLinkServiceConnections"][0]["properties"]
        self.assertEqual(state["privateLinkServiceConnectionState"]["status"], "Approved")
        nic = self.ok("GET", endpoint["properties"]["networkInterfaces"][0]["id"].split("?")[0])
        self.assertEqual(nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"], "10.0.1.4")
        self.fails("DELETE", f"{VNET}/subnets/app", None, 400, "InUseSubnetCannotBeDeleted")
        self.ok("DELETE", f"{NET}/privateEndpoints/pe")
        self.settle()
        self.ok("DELETE", f"{VNET}/subnets/app")


class PrivateDnsTest(AzureTest):
    def test_zones_links_and_records(self):
        self.vnet()
        self.fails("PUT", ZONE, {"location": "westeurope"}, 400, "LocationNotAvailableForResourceType")
        zone = self.create(ZONE, {"location": "global"})
        self.assertEqual(zone["properties"]["numberOfRecordSets"], 1)
        self.create(f"{ZONE}/virtualNetworkLinks/l", {"location": "global", "properties": {
            "virtualNetwork": {"id": VNET}, "registrationEnabled": False}})
        record = self.ok("PUT", f"{ZONE}/A/acct",
                         {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.1.4"}]}}, status=201)
        self.assertEqual(record["properties"]["fqdn"], "acct.privatelink.blob.core.windows.net.")
        self.fails("PUT", f"{ZONE}/A/bad", {"properties": {"aRecords": [{"ipv4Address": "nope"}]}}, 400, "BadRequest")
        self.assertEqual(sorted(r["type"] for r in self.ok("GET", f"{ZONE}/ALL")["value"]),
                         ["Microsoft.Network/privateDnsZones/A", "Microsoft.Network/privateDnsZones/SOA"])
        self.fails("DELETE", ZONE, None, 400, "CannotDeleteZoneWithVirtualNetworkLinks")
        self.ok("DELETE", f"{ZONE}/virtualNetworkLinks/l")
        self.settle()
        status, headers, _ = self.call("DELETE", ZONE)
        self.assertEqual(status, 202)
        self.assertIn("/privateDnsOperationResults/", headers["Location"])


class FlowLogTest(AzureTest):
    WATCHER = f"{SUB}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/" \
              "NetworkWatcher_westeurope"
    STORAGE = f"{SUB}/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/acmeflows"

    def flow_log(self, target=VNET, **changes):
        body = {"location": "westeurope", "properties": {"targetResourceId": target, "storageId": self.STORAGE,
                                                         "format": {"type": "JSON", "version": 2}}}
        body.update(changes)
        return body

    def test_a_virtual_network_enables_its_regions_network_watcher(self):
        self.fails("GET", self.WATCHER, None, 404, "ResourceGroupNotFound")
        self.vnet()
        self.vnet("other", "10.1.0.0/16", subnets=())
        watchers = self.ok("GET", f"{SUB}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers")
        self.assertEqual([w["name"] for w in watchers["value"]], ["NetworkWatcher_westeurope"])
        self.ok("GET", f"{SUB}/resourceGroups/NetworkWatcherRG")
        self.fails("PUT", f"{NET}/networkWatchers/mine", {"location": "westeurope"}, 400,
                   "NetworkWatcherCountLimitReached")

    def test_a_flow_log_logs_one_network_of_its_region_to_a_storage_account(self):
        self.vnet()
        path = f"{self.WATCHER}/flowLogs/vnet-flows"
        self.fails("PUT", path, self.flow_log(f"{NET}/virtualNetworks/nope"), 400, "InvalidResourceReference")
        self.fails("PUT", path, self.flow_log(location="northeurope"), 400, "FlowLogLocationMismatch")
        for storage in (STORAGE.replace("Microsoft.Storage", "Microsoft.Network"), self.STORAGE[:-9] + "AB"):
            self.fails("PUT", path, self.flow_log(properties={"targetResourceId": VNET, "storageId": storage}),
                       400, "InvalidStorageId")
        self.fails("PUT", path, self.flow_log(properties={"targetResourceId": VNET, "storageId": self.STORAGE,
                                                          "format": {"type": "JSON", "version": 1}}),
                   400, "InvalidFlowLogFormat")
        self.fails("PUT", path, {**self.flow_log(), "properties": {"targetResourceId": VNET, "storageId":
                                                                   self.STORAGE, "flowLogFormat": "x"}},
                   400, "InvalidRequestFormat")
        flow_log = self.create(path, self.flow_log())
        props = flow_log["properties"]
        self.assertEqual((props["enabled"], props["retentionPolicy"], props["provisioningState"]),
                         (True, {"days": 0, "enabled": False}, "Succeeded"))
        self.assertEqual(props["targetResourceGuid"], self.ok("GET", VNET)["properties"]["resourceGuid"])
        self.fails("PUT", f"{self.WATCHER}/flowLogs/again", self.flow_log(), 400, "FlowLogAlreadyExistsForTarget")
        listed = self.ok("GET", f"{self.WATCHER}/flowLogs")
        self.assertEqual([f["name"] for f in listed["value"]], ["vnet-flows"])
        self.ok("DELETE", path)
        self.settle()
        self.fails("GET", path, None, 404, "NotFound")
