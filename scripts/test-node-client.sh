#!/usr/bin/env bash
# End-to-end check with an independent client: starts crnp-sim and crnp-gateway (from
# BUILD_DIR/bin, on loopback, any free ports), then runs tests/node/reflection_client.mjs,
# which learns the API by reflection only, registers, subscribes, and sees the snapshot and a
# live event caused through the simulator. Exits non-zero when anything fails.
#   scripts/test-node-client.sh [BUILD_DIR]      (default: build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build="${1:-build}"
source scripts/lib/node.sh
install_node_deps

work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for_address PID LOG REGEX: prints the host:port of the first line matching REGEX;
# fails after 10 s or as soon as process PID has exited.
wait_for_address() {
  local pid="$1" log="$2" pattern="$3" deadline=$((SECONDS + 10)) address
  while [ $SECONDS -lt $deadline ]; do
    address="$(grep -oE "$pattern [0-9.]+:[0-9]+" "$log" | head -1 | awk '{print $NF}')" || true
    if [ -n "$address" ]; then
      echo "$address"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "no '$pattern' line in $log (process $pid exited or 10 s passed):" >&2
  cat "$log" >&2
  return 1
}

"$build/bin/crnp-sim" --listen 127.0.0.1:0 --control-listen 127.0.0.1:0 >"$work/sim.log" 2>&1 &
pids+=($!)
sim_crnp="$(wait_for_address "${pids[0]}" "$work/sim.log" 'registration listening on')"
sim_control="$(wait_for_address "${pids[0]}" "$work/sim.log" 'control listening on')"

"$build/bin/crnp-gateway" --grpc-listen 127.0.0.1:0 --callback-listen "127.0.0.1:${CRNP_TEST_CALLBACK_PORT:-0}" \
  --crnp-server "$sim_crnp" --data-dir "$work/gateway-data" >"$work/gateway.log" 2>&1 &
pids+=($!)
gateway="$(wait_for_address "${pids[1]}" "$work/gateway.log" 'gRPC listening on')"

if ! run_node_client "$gateway" "$sim_control"; then
  echo "--- crnp-sim log" >&2
  cat "$work/sim.log" >&2
  echo "--- crnp-gateway log" >&2
  cat "$work/gateway.log" >&2
  exit 1
fi
