"""What the emulator's tests share: an emulator started in-process on a free port, driven over
real HTTP, with a clock the test moves (so that operations become DONE when the test says)."""

import io
import json
import unittest
import urllib.error
import urllib.request

from emulator import server
from emulator.discovery import Discovery
from emulator.gcp import GcpService
from emulator.server import ApiError

COMPUTE = "/compute/v1/projects/p"
REGION = COMPUTE + "/regions/us-central1"
DNS = "/dns/v1/projects/p"


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class EmulatorTest(unittest.TestCase):
    """A GCP emulator per test, with a fake clock and `settings` overriding the knobs."""

    settings = {"provisioning_delay": 1.0}

    def setUp(self):
        self.log = io.StringIO()
        self.emulator, self.http = server.start(GcpService, server.settings_for(GcpService, **self.settings),
                                                log=self.log)
        self.addCleanup(self.http.server_close)
        self.addCleanup(self.http.shutdown)
        self.clock = Clock()
        self.emulator.service.model.clock = self.clock
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"

    def call(self, method, path, body=None, raw=None):
        """(status, parsed body) of one request; `raw` sends bytes as they are. A successful
        reply must fit the response schema of the discovery document."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                payload = response.read()
                reply = json.loads(payload) if payload else None
                self.check_reply(method, path, reply)
                return response.status, reply
        except urllib.error.HTTPError as error:
            payload = error.read()
            return error.code, json.loads(payload) if payload else None

    def check_reply(self, method, path, reply):
        api = Discovery.load("dns.v1" if path.startswith("/dns/") else "compute.v1")
        found, _ = api.match(method, path.split("?", 1)[0])
        schema = found.get("response")
        try:
            if schema:
                api.check_value(schema, reply, "")
            else:
                self.assertEqual(reply, {})
        except ApiError as error:
            self.fail(f"{method} {path}: the reply does not fit {schema}: {error.body['error']['message']}")

    def ok(self, method, path, body=None):
        status, reply = self.call(method, path, body)
        self.assertEqual(status, 200, reply)
        return reply

    def fails(self, method, path, body, status, reason):
        """Asserts an error reply; returns its message."""
        got, reply = self.call(method, path, body)
        self.assertEqual(got, status, reply)
        self.assertEqual(reply["error"]["code"], status)
        self.assertEqual(reply["error"]["errors"][0]["reason"], reason, reply)
        return reply["error"]["message"]

    def done(self, operation):
        """Moves the clock past the operation's delay; returns the DONE operation."""
        self.clock.advance(10)
        done = self.ok("GET", "/compute/v1" + operation["selfLink"].split("/compute/v1", 1)[1])
        self.assertEqual(done["status"], "DONE")
        return done

    def create(self, path, body):
        """Inserts and waits for the operation; asserts it succeeded."""
        done = self.done(self.ok("POST", path, body))
        self.assertNotIn("error", done)
        return done

    def network(self, name="net", **fields):
        return self.create(COMPUTE + "/global/networks", {"name": name, "autoCreateSubnetworks": False, **fields})

    def subnetwork(self, name, cidr, network="net", region="us-central1"):
        return self.create(f"{COMPUTE}/regions/{region}/subnetworks",
                           {"name": name, "network": f"global/networks/{network}", "ipCidrRange": cidr})
