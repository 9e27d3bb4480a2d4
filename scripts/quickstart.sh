#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): installs what is
# missing, builds spotrun, and trains the quickstart model on the local cloud.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
./build/spotrun launch examples/quickstart/job.yaml "$@"
