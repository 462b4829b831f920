#!/usr/bin/env bash
# The README's test command: installs what is missing (Debian 12, as root), configures, builds
# and runs every test suite: format check, normal build (all suites, incl. the etcd suite on
# real etcd members (label etcd), the multi-replica suite (label ha), the process-level
# integration tests and the Node client), Helm check, ASan+UBSan, TSan, libFuzzer targets.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/node.sh
source scripts/lib/build-flags.sh
install_build_deps
install_node_deps  # the integration suite runs the independent Node client (tests/node)

jobs=$(nproc)
step() { printf '\n=== %s (at %d s) ===\n' "$*" "$SECONDS"; }

step "format (clang-format)"
scripts/check-format.sh
step "build (RelWithDebInfo)"
cmake -S . -B build -G Ninja "${CRNP_RELEASE_FLAGS[@]}" >/dev/null
cmake --build build -j "$jobs"
step "tests"
ctest --test-dir build --output-on-failure -j "$jobs"
# A smoke test of the end-to-end benchmarks (docs/benchmarks.md): every scenario runs with small
# N; it fails when a scenario breaks (a process dies, events do not arrive), never on speed.
step "benchmarks (quick)"
scripts/bench.sh --quick
step "helm chart (rendered without helm)"
scripts/test-helm.sh

# The container image (scripts/build-image.sh: mmdebstrap + umoci, then a start from the image
# with a health check and a streamed event) takes about 80-100 s, mostly mmdebstrap fetching
# packages, so it runs only when its inputs changed since the last check that passed on this
# machine: the image files, the chart's appVersion (the tag) and the shared libraries the
# binaries link (a new library dependency must be in the image). CRNP_IMAGE_CHECK=always or
# never overrides.
image_inputs="$( (cat Dockerfile .dockerignore scripts/build-image.sh scripts/lib/image.sh \
                     helm/crnp-gateway/Chart.yaml
                 ldd build/bin/crnp-gateway build/bin/crnp-gateway-probe | awk '{print $1}' | sort -u) |
               sha256sum | cut -c1-16)"
image_stamp="${CRNP_IMAGE_STAMP_DIR:-/var/cache/crnp-gateway}/image-checked-$image_inputs"
case "${CRNP_IMAGE_CHECK:-auto}" in
  always) run_image_check=1 ;;
  never) run_image_check=0 ;;
  *) if [ -f "$image_stamp" ]; then run_image_check=0; else run_image_check=1; fi ;;
esac
if [ "$run_image_check" = 1 ]; then
  step "container image (scripts/build-image.sh)"
  scripts/build-image.sh build/image
  mkdir -p "$(dirname "$image_stamp")" && touch "$image_stamp"
else
  step "container image: skipped (inputs unchanged since a passing check here: $image_stamp)"
fi

if [ "${CRNP_SKIP_SANITIZERS:-0}" != 1 ]; then
  step "build (ASan+UBSan)"
  cmake -S . -B build-asan -G Ninja "${CRNP_SANITIZER_FLAGS[@]}" -DCRNP_SANITIZE='address;undefined' \
        >/dev/null
  cmake --build build-asan -j "$jobs" --target crnp_tests sim_tests gateway_tests
  step "tests (ASan+UBSan)"
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L "crnp|sim|gateway"

  step "build (TSan)"
  cmake -S . -B build-tsan -G Ninja "${CRNP_SANITIZER_FLAGS[@]}" -DCRNP_SANITIZE=thread >/dev/null
  cmake --build build-tsan -j "$jobs" --target crnp_tests gateway_tests
  step "tests (TSan)"
  TSAN_OPTIONS="halt_on_error=1" ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L crnp
  # The gateway's own concurrency (event hub, registry, registration queue, upstream) under
  # TSan. The two suites that run an in-process gRPC server are left out: Debian's gRPC is not
  # instrumented, so TSan reports its internals (thousands of warnings in malloc and memcpy).
  TSAN_OPTIONS="halt_on_error=1" build-tsan/bin/gateway_tests \
    --gtest_filter='-GatewayServiceTest.*:GatewayServiceAuthTest.*:SubscribeTest.*' --gtest_brief=1
fi

if [ "${CRNP_SKIP_FUZZ:-0}" != 1 ] && command -v clang++ >/dev/null; then
  step "fuzz (libFuzzer, ${CRNP_FUZZ_SECONDS:-30} s each)"
  CXX=clang++ cmake -S . -B build-fuzz -G Ninja "${CRNP_SANITIZER_FLAGS[@]}" \
        -DCRNP_FUZZ_ONLY=ON -DCRNP_BUILD_FUZZ=ON -DCRNP_SANITIZE='address;undefined' >/dev/null
  cmake --build build-fuzz -j "$jobs"
  scripts/run-fuzzers.sh build-fuzz "${CRNP_FUZZ_SECONDS:-30}"
fi
step "all tests passed"
