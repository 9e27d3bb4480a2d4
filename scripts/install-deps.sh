#!/usr/bin/env bash
# Installs what spotrun needs on Debian 12, if missing: to build and run it,
# and with --tests also what the tests use. Run as root (or with sudo). Each
# package is justified in docs/dependencies.md.
# usage: install-deps.sh [--tests]
set -euo pipefail

packages=(
  g++ cmake make pkg-config            # the toolchain
  libsqlite3-dev                       # the state store
  libcurl4-openssl-dev libssl-dev      # HTTPS to AWS, SigV4 (OpenSSL HMAC/SHA-256)
  nlohmann-json3-dev                   # JSON: status --json, traces, agent protocol
  libyaml-cpp-dev libyaml-dev          # the job file (libyaml checks its syntax first)
  libexpat1-dev                        # EC2 XML responses
  libcpp-httplib-dev                   # the local IMDS and the dashboard (loopback HTTP servers)
  libjs-d3                             # the dashboard's charts (d3, embedded at build time)
  libuv1-dev libboost-context-dev      # the controller's event loop and its job tasks
  libgtest-dev                         # unit tests (the default build has them)
  python3                              # the agent on instances; the examples
  rsync openssh-client openssh-server  # the data plane (local cloud and SSH hosts)
  procps curl ca-certificates          # ps/kill; downloads
  bubblewrap util-linux python3-pip    # the local cloud's sandbox (bwrap, nsenter, taskset); pip in its venvs
)
test_packages=(
  sqlite3                              # integration tests read the store's events
  python3-torch python3-sklearn        # examples/pytorch and its test
  clang libclang-rt-14-dev             # libFuzzer targets (ctest entry fuzz)
  chromium                             # test_dashboard loads the dashboard's pages headless
  jupyter-notebook                     # test_notebook runs a real Jupyter through `spotrun notebook`
)

case "${1:-}" in
  --tests) packages+=("${test_packages[@]}") ;;
  "") ;;
  *) echo "install-deps.sh: unknown option '$1' (usage: install-deps.sh [--tests])" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
