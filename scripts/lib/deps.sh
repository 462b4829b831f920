# Debian packages the build and the tests need; installed only when missing.
CRNP_DEB_PACKAGES=(
  cmake ninja-build ccache g++ clang clang-format libclang-rt-14-dev pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libboost-dev libpugixml-dev libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libsqlite3-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev prometheus-cpp-dev
  python3  # bench/e2e.py, the end-to-end benchmarks' driver (scripts/bench.sh)
  etcd-server  # the etcd tests (tests/etcd, label etcd) start real members of it
)

install_build_deps() {
  local missing=()
  for p in "${CRNP_DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}
