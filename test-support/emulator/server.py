"""The HTTP plumbing Isopod's cloud emulators share (`gcp.GcpService`, `azure.AzureService`).

A *service* models one cloud: it turns a `Request` (with its headers, names lowercased) into a
`Reply` (with headers of its own, such as ARM's `Azure-AsyncOperation`) or raises `ApiError`.
This module owns what does not depend on the cloud:

- a `ThreadingHTTPServer` on 127.0.0.1 that hands each request to the service under one lock (a
  `threading.Condition`, so that a handler can wait for the clock without holding the state);
- knobs: command-line flags, each also readable from the environment variable
  `ISOPOD_EMULATOR_<NAME>` (`--fault-rate` is `ISOPOD_EMULATOR_FAULT_RATE`); the flag wins;
- faults: a fraction of the requests (`--fault-rate`), chosen by a seeded RNG, answered with the
  service's throttling or unavailability error (half each) before the service sees them, and
  another fraction (`--throttle-rate`) with its throttling error only;
- latency added to every response;
- the request log: one JSON line per request (`method`, `path`, `query`, `body` verbatim,
  `status`, `fault`) in `--request-log FILE` and in `Emulator.requests`, and one line per request
  on stderr (method, path, status, duration: never a body, so never a secret).
"""

import argparse
import dataclasses
import json
import os
import random
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ApiError(Exception):
    """An error reply: the HTTP status, the JSON body the cloud answers with and any headers
    (`Retry-After` of a throttling error)."""

    def __init__(self, status, body, headers=None):
        super().__init__(f"{status}: {json.dumps(body)}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def google_error(code, message, reason, status=None, details=None, domain="global"):
    """An error in the format of Google's JSON APIs (`{"error": {"code", "message", "errors"}}`).

    Compute Engine's own errors carry no `status`; the API front end's (an unknown query
    parameter, a malformed body) carry the canonical code, e.g. `INVALID_ARGUMENT`."""
    error = {"code": code, "message": message, "errors": [{"message": message, "domain": domain, "reason": reason}]}
    if status:
        error["status"] = status
    if details:
        error["details"] = details
    return ApiError(code, {"error": error})


@dataclasses.dataclass
class Knob:
    """A setting of an emulator, from a flag or from `ISOPOD_EMULATOR_<NAME>`."""

    name: str
    type: type
    default: object
    help: str
    repeated: bool = False

    @property
    def env(self):
        return "ISOPOD_EMULATOR_" + self.name.upper().replace("-", "_")

    @property
    def key(self):
        return self.name.replace("-", "_")


COMMON_KNOBS = [
    Knob("latency-ms", float, 0.0, "milliseconds added to every response"),
    Knob("fault-rate", float, 0.0, "fraction of requests answered 429 or 503 (half each) before anything else"),
    Knob("throttle-rate", float, 0.0, "fraction of requests answered 429 only, before anything else"),
    Knob("seed", int, 0, "seed of the fault RNG and of generated ids"),
    Knob("request-log", str, None, "append one JSON line per request to this file"),
]


@dataclasses.dataclass
class Request:
    method: str
    path: str
    query: list  # [(name, value)], decoded, in order
    body: object  # the parsed JSON body, or None when there is none
    headers: dict = dataclasses.field(default_factory=dict)  # lowercased name -> value


@dataclasses.dataclass
class Reply:
    status: int
    body: object  # JSON-serializable, or None for no body
    headers: dict = dataclasses.field(default_factory=dict)  # name -> value


def add_knobs(parser, knobs):
    """Adds one `--NAME` flag per knob to an argparse parser."""
    for knob in knobs:
        default = "none" if knob.default is None else knob.default
        parser.add_argument("--" + knob.name, type=knob.type, action="append" if knob.repeated else "store",
                            help=f"{knob.help} (env {knob.env}; default {default})")


def settings_from(knobs, flags, environ=None):
    """The knobs' values by key (`fault_rate`): `flags` (parsed, None when absent), else the
    `ISOPOD_EMULATOR_<NAME>` variables of `environ` (comma-separated for repeated knobs), else
    the defaults."""
    environ = os.environ if environ is None else environ
    settings = {}
    for knob in knobs:
        value = flags.get(knob.key)
        if value is None and knob.env in environ:
            raw = environ[knob.env]
            value = [knob.type(v) for v in raw.split(",") if v] if knob.repeated else knob.type(raw)
        settings[knob.key] = value if value is not None else ([] if knob.repeated else knob.default)
    return settings


def settings_for(service_class, environ=None, **flags):
    """The settings of `service_class` with `flags` (by key) set, as tests want them: the
    environment is ignored unless given."""
    return settings_from(COMMON_KNOBS + service_class.knobs, flags, {} if environ is None else environ)


class Emulator:
    """One service behind the shared plumbing: faults, latency, the lock and the request log."""

    def __init__(self, service_class, settings, log=None):
        self.settings = settings
        self.log = log or sys.stderr  # where the one line per request goes
        self.lock = threading.Condition()
        self.service = service_class(settings, self.lock)
        self.fault_rng = random.Random(settings["seed"])
        self.requests = []
        self.log_path = settings.get("request_log")

    def dispatch(self, method, target, raw_body, headers=None):
        """Answers one request: returns (status, headers, body bytes)."""
        split = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        body, fault = None, None
        with self.lock:
            if self.fault_rng.random() < self.settings["fault_rate"]:
                fault = "throttled" if self.fault_rng.random() < 0.5 else "unavailable"
            elif self.fault_rng.random() < self.settings["throttle_rate"]:
                fault = "throttled"
        try:
            if raw_body:
                try:
                    body = json.loads(raw_body)
                except ValueError as error:
                    body = None
                    if not fault:
                        raise self.service.malformed_body(str(error))
            if fault:
                raise self.service.fault(fault)
            with self.lock:
                reply = self.service.handle(Request(method, split.path, query, body, headers or {}))
        except ApiError as error:
            reply = Reply(error.status, error.body, error.headers)
        except Exception:  # a bug of the emulator: say so, keep serving
            traceback.print_exc()
            reply = Reply(500, self.service.internal_error().body)
        self.record(method, split.path, query, body, reply.status, fault is not None)
        payload = b"" if reply.body is None else json.dumps(reply.body, indent=1, sort_keys=True).encode()
        return reply.status, reply.headers, payload

    def record(self, method, path, query, body, status, fault):
        values = {}
        for name, value in query:
            values.setdefault(name, []).append(value)
        query = {name: vs[0] if len(vs) == 1 else vs for name, vs in values.items()}
        entry = {"method": method, "path": path, "query": query, "body": body, "status": status, "fault": fault}
        with self.lock:
            self.requests.append(entry)
            if self.log_path:
                with open(self.log_path, "a") as log:
                    log.write(json.dumps(entry) + "\n")


def handler_for(emulator):
    """The request handler class of one emulator."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            started = time.monotonic()
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, reply_headers, payload = emulator.dispatch(self.command, self.path, self.read_body(), headers)
            time.sleep(emulator.settings["latency_ms"] / 1000)
            self.send_response(status)
            if payload:
                self.send_header("Content-Type", "application/json; charset=UTF-8")
            for name, value in reply_headers.items():
                self.send_header(name, value)
            if self.command == "HEAD":  # a HEAD reply has no body (nor its length)
                payload = b""
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            path = urllib.parse.urlsplit(self.path).path
            elapsed = (time.monotonic() - started) * 1000
            print(f"{self.command} {path} {status} {elapsed:.1f}ms", file=emulator.log, flush=True)

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    chunk = self.rfile.read(size + 2)[:size]
                    if not size:
                        return b"".join(chunks)
                    chunks.append(chunk)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = answer

        def log_message(self, *args):
            pass  # answer() prints its own line

    return Handler


def start(service_class, settings, port=0, log=None):
    """Starts an emulator on 127.0.0.1:`port` (0: any free port) in a daemon thread, logging to
    `log` (default stderr). Returns (emulator, http server); `server.server_address[1]` is the
    port, `shutdown()` stops it. For tests."""
    emulator = Emulator(service_class, settings, log)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(emulator))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return emulator, server


def main(service_class, argv):
    """`NAME --port N [knobs]`: serves `service_class` on 127.0.0.1 until killed."""
    knobs = COMMON_KNOBS + service_class.knobs
    parser = argparse.ArgumentParser(prog=f"python -m emulator {service_class.name}",
                                     description=service_class.__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1 (0: any free port)")
    add_knobs(parser, knobs)
    flags = vars(parser.parse_args(argv))
    emulator = Emulator(service_class, settings_from(knobs, flags))
    server = ThreadingHTTPServer(("127.0.0.1", flags["port"]), handler_for(emulator))
    server.daemon_threads = True
    print(f"{service_class.name} emulator listening on http://127.0.0.1:{server.server_address[1]}",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
