r"""Stateful emulators of the cloud APIs Isopod's providers call, for its tests.

No usable emulator of Google Cloud's networking APIs exists, so this package writes one that
follows Google's documentation rather than Isopod's idea of it, to catch Isopod's mistakes:
every request is checked against Google's own discovery documents, resources appear only once
their long-running operations are DONE, and the rules of the documentation (names, references,
ranges, ASNs, quotas, what may be deleted when) answer the errors GCP answers.

- `server`: the HTTP plumbing every emulator shares (lock, knobs, faults, latency, request log);
- `discovery`: requests checked against a Google discovery document;
- `gcp`: the GCP emulator (Compute Engine v1 and Cloud DNS v1), with its resource model in
  `gcp_model` (resources, references, operations), `gcp_methods` (get, list, aggregatedList,
  delete, setLabels and the operations' methods), `gcp_lists` (filters, pages), `gcp_network`
  (networks, peerings, subnetworks, addresses, forwarding rules), `gcp_vpn` (HA VPN, routers,
  tunnels) and `gcp_dns` (managed zones, record sets, changes).

Run it (scripts/emulator installs its one dependency, google-api-python-client, which carries
the discovery documents):

    scripts/emulator gcp PORT [--provisioning-delay 0.5 --vpn-delay 2 --fault-rate 0.1 ...]
    PYTHONPATH=test-support ~/.cache/isopod/venv/bin/python -m emulator gcp --port PORT [knobs]

Test it, from the repository's root (scripts/test runs this as its `== emulator tests` step):

    PYTHONDONTWRITEBYTECODE=1 ~/.cache/isopod/venv/bin/python -m unittest discover \
        -s test-support/emulator/tests -t test-support
"""
