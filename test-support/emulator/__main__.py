"""`python -m emulator gcp --port N [knobs]`: serves one emulator on 127.0.0.1 until killed
(`python -m emulator gcp --help` lists the knobs). `azure` is not written yet: exit status 2."""

import sys

from . import server


def main(argv):
    if not argv or argv[0] not in ("gcp", "azure"):
        print("usage: python -m emulator {gcp,azure} --port N [knobs]", file=sys.stderr)
        return 2
    if argv[0] == "azure":
        print("the Azure emulator does not exist yet", file=sys.stderr)
        return 2
    from .gcp import GcpService

    server.main(GcpService, argv[1:])
    return 0


sys.exit(main(sys.argv[1:]))
