#!/usr/bin/env bash
# Runs every fuzz target in <build-dir>/bin for <seconds> each, seeded from tests/fuzz/corpus.
set -euo pipefail
build=${1:?build dir}; seconds=${2:-30}
root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
targets=("$build"/bin/fuzz_*)
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets in $build/bin" >&2; exit 1; }
for t in "${targets[@]}"; do
  name=$(basename "$t")
  work=$(mktemp -d)
  seeds=("$root/tests/fuzz/corpus/${name#fuzz_}")
  [ -d "${seeds[0]}" ] || seeds=()
  echo "--- $name (${seconds}s)"
  "$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
       "$work" "${seeds[@]}" 2>&1 | tail -n 4
  rm -rf "$work"
done
