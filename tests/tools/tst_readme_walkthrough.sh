#!/bin/bash
# Runs the README's walk-through (the shell block between the walkthrough markers) in an empty
# directory with the built simfleet-cli first on PATH, then checks it ended where the README says:
# 20 meters, each attested affirming and holding an enabled profile of Example Mobile, and the
# OP it generated printed nowhere.
set -euo pipefail
readme=$1
bin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The lines strictly inside the ```sh fence that follows the begin marker.
awk '/<!-- walkthrough:begin -->/ { inside = 1; next }
     inside && /^```sh/ { fence = 1; next }
     fence && /^```/ { exit }
     fence { print }' "$readme" > "$work/walkthrough.sh"
grep -q "field create" "$work/walkthrough.sh" || { echo "no walk-through block in $readme" >&2; exit 1; }
cd "$work"
if ! PATH="$bin:$PATH" bash -euo pipefail walkthrough.sh > out.txt 2> err.txt; then
  echo "the README walk-through failed:" >&2
  tail -20 err.txt >&2
  exit 1
fi
export SIMFLEET_PASSPHRASE="harbour lantern quiet 42"
python3 - "$bin/simfleet-cli" <<'PY'
import json, subprocess, sys
cli = sys.argv[1]
def run(*args):
    return json.loads(subprocess.run([cli, "-w", "lab.simfleet", *args], check=True, capture_output=True).stdout)
profiles = run("profiles", "--fleet", "Lab meters")
assert len(profiles) == 20, f"{len(profiles)} profiles"
assert all(p["operator"] == "Example Mobile" and p["state"] == "enabled" for p in profiles), profiles[0]
devices = run("devices", "--fleet", "Lab meters")
assert len(devices) == 20, f"{len(devices)} devices"
assert all(d.get("attestation") == "affirming" for d in devices), devices[0]
print("walk-through: 20 meters attested affirming and provisioned")
PY
op=$(cat op.hex)
if grep -qiF "$op" out.txt err.txt; then
  echo "the walk-through printed the OP" >&2
  exit 1
fi
