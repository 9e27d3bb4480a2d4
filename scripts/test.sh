#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): installs what is
# missing, builds spotrun, and runs every test (unit and integration). Tests
# that cannot run on this machine are reported as skipped, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --tests
./scripts/build.sh
cd build
rm -rf skipped && mkdir skipped
rc=0
ctest --output-on-failure -j2 --timeout 300 || rc=$?
if compgen -G "skipped/*.txt" >/dev/null; then
  echo
  echo "Skipped (did not run on this machine):"
  for f in skipped/*.txt; do
    name=$(basename "$f" .txt)
    sed "s/^/  $name: /" "$f"
  done
fi
exit $rc
