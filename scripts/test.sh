#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): installs what is
# missing, builds spotrun, and runs every test (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
cd build
ctest --output-on-failure -j2 --timeout 300
