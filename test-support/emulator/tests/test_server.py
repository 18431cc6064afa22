"""The shared plumbing: knobs, faults, latency, the request log, and the command line."""

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from emulator import server
from emulator.gcp import GcpService

from .support import COMPUTE, REGION, EmulatorTest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SECRET = "correct-horse-battery-staple"


class KnobTest(unittest.TestCase):
    def test_knobs_come_from_flags_then_the_environment_then_defaults(self):
        knobs = server.COMMON_KNOBS + GcpService.knobs
        environ = {"ISOPOD_EMULATOR_FAULT_RATE": "0.25", "ISOPOD_EMULATOR_PROJECT": "a,b",
                   "ISOPOD_EMULATOR_LATENCY_MS": "5"}
        settings = server.settings_from(knobs, {"latency_ms": 7.0}, environ)
        self.assertEqual((settings["fault_rate"], settings["project"], settings["latency_ms"], settings["seed"]),
                         (0.25, ["a", "b"], 7.0, 0))
        self.assertEqual(settings["provisioning_delay"], 0.5)


class FaultTest(EmulatorTest):
    settings = {"provisioning_delay": 0.0, "fault_rate": 1.0, "seed": 7}

    def test_faulted_requests_change_nothing(self):
        reasons = set()
        for _ in range(20):
            status, reply = self.call("POST", COMPUTE + "/global/networks",
                                      {"name": "net", "autoCreateSubnetworks": False})
            reasons.add((status, reply["error"]["errors"][0]["reason"]))
        self.assertEqual(reasons, {(429, "rateLimitExceeded"), (503, "backendError")})
        self.assertTrue(all(entry["fault"] for entry in self.emulator.requests))
        self.emulator.settings["fault_rate"] = 0.0
        self.fails("GET", COMPUTE + "/global/networks/net", None, 404, "notFound")


class ThrottleTest(EmulatorTest):
    settings = {"provisioning_delay": 0.0, "throttle_rate": 1.0}

    def test_throttled_requests_answer_429_only(self):
        statuses = {self.call("GET", COMPUTE + "/global/networks")[0] for _ in range(10)}
        self.assertEqual(statuses, {429})


class SeededFaultTest(unittest.TestCase):
    def statuses(self):
        settings = server.settings_for(GcpService, provisioning_delay=0.0, fault_rate=0.5, seed=3)
        emulator, http = server.start(GcpService, settings, log=io.StringIO())
        try:
            url = f"http://127.0.0.1:{http.server_address[1]}{COMPUTE}/global/networks"
            statuses = []
            for _ in range(12):
                try:
                    statuses.append(urllib.request.urlopen(url).status)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
            return statuses
        finally:
            http.shutdown()
            http.server_close()

    def test_the_same_seed_faults_the_same_requests(self):
        first = self.statuses()
        self.assertEqual(first, self.statuses())
        self.assertGreater(len(set(first)), 1, first)


class LatencyTest(EmulatorTest):
    settings = {"provisioning_delay": 0.0, "latency_ms": 150.0}

    def test_latency_is_added_to_every_response(self):
        started = time.monotonic()
        self.ok("GET", COMPUTE + "/global/networks")
        self.assertGreaterEqual(time.monotonic() - started, 0.15)


class RequestLogTest(EmulatorTest):
    def setUp(self):
        self.path = tempfile.mktemp(suffix=".jsonl")
        self.addCleanup(lambda: os.path.exists(self.path) and os.remove(self.path))
        self.settings = {"provisioning_delay": 0.0, "request_log": self.path}
        super().setUp()

    def test_every_request_is_logged_and_the_secret_only_where_it_was_sent(self):
        self.network()
        self.ok("POST", REGION + "/vpnGateways", {"name": "gw", "network": "global/networks/net"})
        self.ok("POST", REGION + "/routers", {"name": "rt", "network": "global/networks/net", "bgp": {"asn": 65000}})
        self.ok("POST", COMPUTE + "/global/externalVpnGateways", {
            "name": "x", "redundancyType": "SINGLE_IP_INTERNALLY_REDUNDANT",
            "interfaces": [{"id": 0, "ipAddress": "52.0.0.1"}]})
        tunnel = {"name": "t", "vpnGateway": "regions/us-central1/vpnGateways/gw", "vpnGatewayInterface": 0,
                  "peerExternalGateway": "global/externalVpnGateways/x", "peerExternalGatewayInterface": 0,
                  "sharedSecret": SECRET, "router": "regions/us-central1/routers/rt"}
        self.ok("POST", REGION + "/vpnTunnels?%24alt=json", tunnel)
        replies = [self.ok("GET", REGION + "/vpnTunnels/t"), self.ok("GET", REGION + "/vpnTunnels"),
                   self.ok("GET", COMPUTE + "/aggregated/vpnTunnels")]
        self.assertFalse(any(SECRET in json.dumps(reply) for reply in replies))
        with open(self.path) as log:
            entries = [json.loads(line) for line in log]
        self.assertEqual(len(entries), len(self.emulator.requests))
        with_secret = [e for e in entries if SECRET in json.dumps(e)]
        self.assertEqual(len(with_secret), 1)
        self.assertEqual((with_secret[0]["method"], with_secret[0]["path"], with_secret[0]["body"],
                          with_secret[0]["query"], with_secret[0]["status"], with_secret[0]["fault"]),
                         ("POST", "/compute/v1/projects/p/regions/us-central1/vpnTunnels", tunnel, {"$alt": "json"},
                          200, False))
        self.assertEqual(entries[0]["body"], {"name": "net", "autoCreateSubnetworks": False})
        self.assertTrue(all(e["body"] is None for e in entries if e["method"] == "GET"))
        self.assertNotIn(SECRET, self.log.getvalue())
        self.assertRegex(self.log.getvalue().splitlines()[0],
                         r"^POST /compute/v1/projects/p/global/networks 200 [\d.]+ms$")


class CommandLineTest(unittest.TestCase):
    def test_python_m_emulator_serves_until_killed(self):
        environment = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "test-support"), PYTHONDONTWRITEBYTECODE="1",
                           ISOPOD_EMULATOR_PROVISIONING_DELAY="0")
        process = subprocess.Popen([sys.executable, "-m", "emulator", "gcp", "--port", "0", "--project", "p"],
                                   env=environment, stderr=subprocess.PIPE, text=True)
        try:
            line = process.stderr.readline()
            port = re.fullmatch(r"gcp emulator listening on http://127\.0\.0\.1:(\d+)\n", line).group(1)
            request = urllib.request.Request(f"http://127.0.0.1:{port}{COMPUTE}/global/networks", method="POST",
                                             data=b'{"name": "net", "autoCreateSubnetworks": false}')
            self.assertEqual(json.load(urllib.request.urlopen(request))["status"], "DONE")
        finally:
            process.kill()
            process.wait()
            process.stderr.close()


if __name__ == "__main__":
    unittest.main()
