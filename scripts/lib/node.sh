# Node.js for the independent gRPC client in tests/node (learns the API by reflection).
# Sourced by scripts/test.sh; expects to run from the repository root.

CRNP_NODE_DIR=tests/node

# Installs node and npm from Debian when missing (Debian 12: node 18, enough for the client),
# then the client's pinned packages from its package-lock.json when node_modules is missing
# or older than the lock file.
install_node_deps() {
  install_node_packages "$CRNP_NODE_DIR"
}

# install_node_packages DIR: node and npm (from Debian when missing), then DIR's pinned
# packages with `npm ci` when DIR/node_modules is missing or older than DIR/package-lock.json.
install_node_packages() {
  local dir="$1"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing: nodejs npm"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  local stamp="$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}
