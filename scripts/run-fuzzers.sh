#!/usr/bin/env bash
# Runs every fuzz target in <build-dir>/bin for <seconds> each, seeded from tests/fuzz/corpus,
# as many at once as there are cores. A failing target's log is printed in full and its
# crashing input is kept in <build-dir>/fuzz-artifacts/.
#   scripts/run-fuzzers.sh <build-dir> [seconds]
set -euo pipefail
build=${1:?build dir}; seconds=${2:-30}
root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
targets=("$build"/bin/fuzz_*)
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets in $build/bin" >&2; exit 1; }
artifacts="$(cd "$build" && pwd)/fuzz-artifacts"
logs="$(mktemp -d)"
mkdir -p "$artifacts"
trap 'rm -rf "$logs"' EXIT

run_target() {
  local target="$1" name work seeds
  name=$(basename "$target")
  work="$logs/$name.corpus"
  mkdir -p "$work"
  seeds=("$root/tests/fuzz/corpus/${name#fuzz_}")
  [ -d "${seeds[0]}" ] || seeds=()
  "$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$artifacts/$name-" "$work" "${seeds[@]}" >"$logs/$name.log" 2>&1
}

parallel=$(nproc)
failed=()
pids=(); names=()
finish_oldest() {
  local name="${names[0]}"
  if wait "${pids[0]}"; then
    echo "--- $name: no findings in ${seconds}s"
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$logs/$name.log" || true
  else
    echo "--- $name: FAILED (log below; inputs in $artifacts)"
    cat "$logs/$name.log"
    failed+=("$name")
  fi
  pids=("${pids[@]:1}"); names=("${names[@]:1}")
}
for target in "${targets[@]}"; do
  [ ${#pids[@]} -lt "$parallel" ] || finish_oldest
  run_target "$target" &
  pids+=($!); names+=("$(basename "$target")")
done
while [ ${#pids[@]} -gt 0 ]; do finish_oldest; done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets with findings: ${failed[*]}" >&2
  exit 1
fi
