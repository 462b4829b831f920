#!/usr/bin/env bash
# Renders helm/crnp-gateway like `helm template` on machines without helm.
#   scripts/render-helm.sh [-f values.yaml]... [--set key=value]... [--name R] [--namespace N] [--notes]
# Prints the manifests (or NOTES.txt) on stdout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/helm.sh"
install_helm_deps
bin="${TMPDIR:-/tmp}/crnp-helm-render-$(id -u)-$(printf %s "$root" | sha256sum | cut -c1-12)"
helm_go build -o "$bin" .
# Relative -f paths are the caller's.
exec "$bin" "$@" "$root/helm/crnp-gateway"
