r"""Stateful emulators of the cloud APIs Isopod's providers call, for its tests.

No usable emulator of Google Cloud's or Azure's networking APIs exists, so this package writes
them, following the clouds' documentation rather than Isopod's idea of it, to catch Isopod's
mistakes: every request is checked against the cloud's own descriptions of its API (Google's
discovery documents; the models of Microsoft's Python SDK packages), long-running operations
take the time the knobs say, and the rules of the documentation (names, references, ranges,
ASNs, quotas, what may be deleted when) answer the errors the cloud answers.

- `server`: the HTTP plumbing every emulator shares (lock, knobs, faults, latency, request log,
  request and reply headers);
- `discovery`: requests checked against a Google discovery document;
- `gcp`: the GCP emulator (Compute Engine v1 and Cloud DNS v1), with its resource model in
  `gcp_model` (resources, references, operations), `gcp_methods` (get, list, aggregatedList,
  delete, setLabels and the operations' methods), `gcp_lists` (filters, pages), `gcp_network`
  (networks, peerings, subnetworks, addresses, forwarding rules), `gcp_vpn` (HA VPN, routers,
  tunnels) and `gcp_dns` (managed zones, record sets, changes);
- `arm_schema`: request bodies checked against the msrest models of Microsoft's Python SDK;
- `azure`: the Azure emulator (Azure Resource Manager: resource groups 2021-04-01,
  Microsoft.Network 2024-03-01, private DNS 2024-06-01), with ARM's resource model in
  `azure_model` (ids, the store, async operations, one operation at a time, deletes),
  `azure_groups` (resource groups), `azure_network` (virtual networks, subnets, peerings,
  public IPs, private endpoints), `azure_vpn` (virtual network gateways, local network
  gateways, connections) and `azure_dns` (private DNS zones, links, record sets).

Run them (scripts/emulator installs their dependencies: google-api-python-client, which carries
the discovery documents, and azure-mgmt-network, azure-mgmt-resource and azure-mgmt-privatedns,
which carry the models):

    scripts/emulator gcp PORT [--provisioning-delay 0.5 --vpn-delay 2 --fault-rate 0.1 ...]
    scripts/emulator azure PORT [--delay virtualNetworkGateways=2700 --time-scale 0.001 ...]
    PYTHONPATH=test-support ~/.cache/isopod/venv/bin/python -m emulator gcp --port PORT [knobs]

Test it, from the repository's root (scripts/test runs this as its `== emulator tests` step):

    PYTHONDONTWRITEBYTECODE=1 ~/.cache/isopod/venv/bin/python -m unittest discover \
        -s test-support/emulator/tests -t test-support
"""
