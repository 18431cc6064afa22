"""`python -m emulator {gcp,azure} --port N [knobs]`: serves one emulator on 127.0.0.1 until
killed (`python -m emulator azure --help` lists the knobs)."""

import sys

from . import server


def main(argv):
    if not argv or argv[0] not in ("gcp", "azure"):
        print("usage: python -m emulator {gcp,azure} --port N [knobs]", file=sys.stderr)
        return 2
    if argv[0] == "azure":
        from .azure import AzureService as service
    else:
        from .gcp import GcpService as service
    server.main(service, argv[1:])
    return 0


sys.exit(main(sys.argv[1:]))
