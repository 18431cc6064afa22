# The Python virtual environment of Isopod's test helpers (moto's EC2 server, the cloud
# emulators of test-support/emulator), sourced by scripts/test and scripts/emulator. It lives in
# ${ISOPOD_CACHE:-~/.cache/isopod}/venv, outside the clone, and every package is pinned; an
# installation happens only when the pinned version is missing.

isopod_venv="${ISOPOD_CACHE:-$HOME/.cache/isopod}/venv"

# venv_require DIST VERSION [SPEC]: installs SPEC (default DIST==VERSION) into the venv unless
# the distribution DIST is installed at VERSION. Says so on stderr unless VENV_QUIET is set;
# shows pip's output only when it fails.
venv_require() {
  local dist=$1 version=$2 spec=${3:-$1==$2} log
  if "$isopod_venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$dist') != '$version')" \
    2>/dev/null; then
    return 0
  fi
  [ -n "${VENV_QUIET:-}" ] || echo "installing $spec into $isopod_venv" >&2
  log=$(mktemp)
  if ! { [ -x "$isopod_venv/bin/python" ] || python3 -m venv "$isopod_venv"; } >"$log" 2>&1 \
    || ! "$isopod_venv/bin/pip" install --quiet --disable-pip-version-check "$spec" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# moto's EC2 server, which the AWS provider's tests start.
venv_require_moto() { venv_require moto 5.2.5 "moto[server]==5.2.5"; }

# The emulators' dependencies: google-api-python-client ships the discovery documents
# (compute.v1.json, dns.v1.json) the GCP emulator checks every request against; Microsoft's
# Python SDK packages ship the models the Azure emulator checks every body against, at the
# api-versions the Rust crates azure_mgmt_* 0.21 call: azure-mgmt-network 27.0.0 is the last
# release of api-version 2024-03-01 (33.x is 2026-03-01, with no msrest models), 23.4.0 the last
# azure-mgmt-resource with resources.v2021_04_01, azure-mgmt-privatedns 1.2.0 is 2024-06-01.
venv_require_emulator() {
  venv_require google-api-python-client 2.202.0 &&
    venv_require azure-mgmt-network 27.0.0 &&
    venv_require azure-mgmt-resource 23.4.0 &&
    venv_require azure-mgmt-privatedns 1.2.0
}
