#!/usr/bin/env bash
# End-to-end benchmarks (bench/e2e.py): the gateway and its baselines in the same run.
#   scripts/bench.sh            full run, about 3-5 minutes; writes build/bench/results.md
#   scripts/bench.sh --quick    smoke test for CI: small N, a few seconds, no thresholds
# Needs a normal build in build/ (or CRNP_BUILD_DIR). Exit 1 when a scenario breaks.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CRNP_BUILD_DIR:-build}"
if [ "${1:-}" = "--quick" ]; then
  exec /usr/bin/python3 bench/e2e.py --build "$build" --quick
fi
exec /usr/bin/python3 bench/e2e.py --build "$build" --out "$build/bench/results.md" "$@"
