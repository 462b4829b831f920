#!/usr/bin/env bash
# Checks helm/crnp-gateway without helm or a cluster: renders it with default values, with
# persistence + hostNetwork, and with invalid values, and checks the manifests (parse, kinds,
# ports, probes, args, volumes, security). Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/helm.sh"
install_helm_deps
helm_go vet .
CRNP_CHART="$root/helm/crnp-gateway" helm_go test -count=1 .
# The command-line renderer too, as a user runs it.
"$root/scripts/render-helm.sh" --set persistence.enabled=true --set hostNetwork=true \
  | grep -q '^kind: StatefulSet$' || { echo "render-helm.sh: no StatefulSet rendered" >&2; exit 1; }
echo "helm chart checks passed"
