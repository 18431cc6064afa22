"""What the Azure emulator's tests share: an emulator started in-process on a free port, driven
over real HTTP with a bearer token, with a clock the test moves, and builders of the resources
most tests need."""

import io
import json
import unittest
import urllib.error
import urllib.request

from emulator import server
from emulator.azure import AzureService

from .support import Clock

SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa"
SUB = f"/subscriptions/{SUBSCRIPTION}"
GROUP = f"{SUB}/resourceGroups/rg"
NET = f"{GROUP}/providers/Microsoft.Network"
VERSIONS = {"network": "2024-03-01", "resources": "2021-04-01", "privatedns": "2024-06-01"}


def version_of(path):
    if "/privateDnsZones" in path:
        return VERSIONS["privatedns"]
    return VERSIONS["network"] if "/providers/" in path else VERSIONS["resources"]


class AzureTest(unittest.TestCase):
    """An Azure emulator per test (subscription SUBSCRIPTION, group `rg` in westeurope), with a
    fake clock and `settings` overriding the knobs."""

    settings = {"provisioning_delay": 1.0}

    def setUp(self):
        self.log = io.StringIO()
        settings = server.settings_for(AzureService, **{"subscription": [SUBSCRIPTION], **self.settings})
        self.emulator, self.http = server.start(AzureService, settings, log=self.log)
        self.addCleanup(self.http.server_close)
        self.addCleanup(self.http.shutdown)
        self.clock = Clock()
        self.emulator.service.model.clock = self.clock
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.ok("PUT", GROUP, {"location": "westeurope"})

    def call(self, method, path, body=None, version=None, token="test-token", absolute=False, headers=None):
        """(status, headers, parsed body) of one request (with extra `headers`); the api-version
        is the path's API's unless given ("" sends none)."""
        version = version_of(path) if version is None else version
        url = path if absolute else self.base + path + (f"?api-version={version}" if version else "")
        headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request) as response:
                payload = response.read()
                return response.status, response.headers, json.loads(payload) if payload else None
        except urllib.error.HTTPError as error:
            payload = error.read()
            return error.code, error.headers, json.loads(payload) if payload else None

    def ok(self, method, path, body=None, status=None):
        got, _, reply = self.call(method, path, body)
        self.assertLess(got, 300, reply)
        if status:
            self.assertEqual(got, status, reply)
        return reply

    def fails(self, method, path, body, status, code, version=None):
        """Asserts an error reply in ARM's shape; returns its `error`."""
        got, _, reply = self.call(method, path, body, version)
        self.assertEqual(got, status, reply)
        self.assertEqual(set(reply), {"error"})
        self.assertEqual(reply["error"]["code"], code, reply)
        self.assertIsInstance(reply["error"]["message"], str)
        return reply["error"]

    def settle(self):
        """Moves the clock past every delay."""
        self.clock.advance(10_000)

    def create(self, path, body):
        """PUTs and waits until the resource has succeeded; returns it."""
        self.ok("PUT", path, body)
        self.settle()
        resource = self.ok("GET", path)
        self.assertEqual(resource["properties"]["provisioningState"], "Succeeded", resource)
        return resource

    def vnet(self, name="vnet", space="10.0.0.0/16", subnets=(("GatewaySubnet", "10.0.255.0/27"),
                                                                ("app", "10.0.1.0/24"))):
        return self.create(f"{NET}/virtualNetworks/{name}", {
            "location": "westeurope", "properties": {
                "addressSpace": {"addressPrefixes": [space]},
                "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets]}})

    def public_ip(self, name):
        return self.create(f"{NET}/publicIPAddresses/{name}", {
            "location": "westeurope", "sku": {"name": "Standard"}, "zones": ["1", "2", "3"],
            "properties": {"publicIPAllocationMethod": "Static"}})

    def gateway_body(self, vnet="vnet", addresses=("ip1", "ip2")):
        gateway = f"{NET}/virtualNetworkGateways/gw"
        configurations = [{"name": f"c{i}", "properties": {
            "subnet": {"id": f"{NET}/virtualNetworks/{vnet}/subnets/GatewaySubnet"},
            "publicIPAddress": {"id": f"{NET}/publicIPAddresses/{address}"}}} for i, address in enumerate(addresses)]
        return {"location": "westeurope", "properties": {
            "gatewayType": "Vpn", "vpnType": "RouteBased", "activeActive": len(addresses) == 2, "enableBgp": True,
            "sku": {"name": "VpnGw2AZ", "tier": "VpnGw2AZ"}, "vpnGatewayGeneration": "Generation2",
            "ipConfigurations": configurations,
            "bgpSettings": {"asn": 65010, "bgpPeeringAddresses": [
                {"ipconfigurationId": f"{gateway}/ipConfigurations/c{i}",
                 "customBgpIpAddresses": [f"169.254.2{1 + i}.2"]} for i in range(len(addresses))]}}}

    def local_gateway(self, name="peer"):
        return self.create(f"{NET}/localNetworkGateways/{name}", {"location": "westeurope", "properties": {
            "gatewayIpAddress": "198.51.100.7", "bgpSettings": {"asn": 64512, "bgpPeeringAddress": "169.254.21.1"}}})

    def connection_body(self, local="peer"):
        gateway = f"{NET}/virtualNetworkGateways/gw"
        return {"location": "westeurope", "properties": {
            "connectionType": "IPsec", "virtualNetworkGateway1": {"id": gateway},
            "localNetworkGateway2": {"id": f"{NET}/localNetworkGateways/{local}"}, "sharedKey": "correct-horse",
            "enableBgp": True, "gatewayCustomBgpIpAddresses": [
                {"ipConfigurationId": f"{gateway}/ipConfigurations/c0", "customBgpIpAddress": "169.254.21.2"},
                {"ipConfigurationId": f"{gateway}/ipConfigurations/c1", "customBgpIpAddress": "169.254.22.2"}],
            "ipsecPolicies": [{"saLifeTimeSeconds": 3600, "saDataSizeKilobytes": 102400000, "ipsecEncryption": "AES256",
                               "ipsecIntegrity": "SHA256", "ikeEncryption": "AES256", "ikeIntegrity": "SHA256",
                               "dhGroup": "DHGroup14", "pfsGroup": "PFS2048"}]}}

    def gateway(self):
        """A virtual network, two public IPs and an active-active gateway, all succeeded."""
        self.vnet()
        self.public_ip("ip1")
        self.public_ip("ip2")
        return self.create(f"{NET}/virtualNetworkGateways/gw", self.gateway_body())
