# Helm chart tooling without helm: scripts/helm-render (Go text/template + sprig, built in
# GOPATH mode against Debian's Go packages). Sourced by render-helm.sh and test-helm.sh.

CRNP_HELM_DEB_PACKAGES=(golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev
                        golang-github-xeipuuv-gojsonschema-dev)

install_helm_deps() {
  local missing=()
  for p in "${CRNP_HELM_DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# helm_go ARGS...: runs `go ARGS` in scripts/helm-render. GOPATH mode resolves sprig's "/v3"
# import only for code inside a GOPATH that has a go.mod, so the folder is linked into a
# private GOPATH first (Debian's packages are the second GOPATH entry).
helm_go() {
  local root gopath
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  # One GOPATH per checkout: the link below names this checkout's renderer, and a shared one
  # would let two checkouts (worktrees, CI clones) build each other's code.
  gopath="${CRNP_HELM_GOPATH:-${TMPDIR:-/tmp}/crnp-helm-gopath-$(id -u)-$(printf %s "$root" | sha256sum | cut -c1-12)}"
  mkdir -p "$gopath/src"
  ln -sfn "$root/scripts/helm-render" "$gopath/src/helmrender"
  (cd "$gopath/src/helmrender" &&
    GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS= go "$@")
}
