#!/usr/bin/env bash
# The README's run command: installs what is missing (Debian 12, as root), builds the gateway
# and runs it with the embedded simulated cluster. Extra arguments go to crnp-gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/build-flags.sh
install_build_deps
cmake -S . -B build -G Ninja "${CRNP_RELEASE_FLAGS[@]}" >/dev/null
cmake --build build -j "$(nproc)" --target crnp-gateway crnp-sim
exec build/bin/crnp-gateway --embedded-cluster --data-dir "${CRNP_GATEWAY_DATA_DIR:-build/gateway-data}" "$@"
