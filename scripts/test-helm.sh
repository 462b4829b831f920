#!/usr/bin/env bash
# Checks helm/crnp-gateway without helm or a cluster:
#  1. the Go chart tests (scripts/helm-render): rendered objects per feature, values.schema.json
#     and template checks refusing bad values;
#  2. the command-line renderer, as a user runs it: default values, every feature on, each
#     callback mode, persistence, three replicas on etcd; every rendered manifest is validated OFFLINE against the
#     Kubernetes API schemas (npm kubernetes-models, scripts/helm-validate);
#  3. invalid values fail the render with the schema's message.
# Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/helm.sh"
source "$root/scripts/lib/node.sh"
install_helm_deps
helm_go vet .
CRNP_CHART="$root/helm/crnp-gateway" helm_go test -count=1 .
install_node_packages "$root/scripts/helm-validate"

render="$root/scripts/render-helm.sh"
values="$root/scripts/helm-validate/values"
# The built gateway (scripts/test.sh builds it first) must accept each rendered config file
# and command line: `--print-config` runs the start-up checks of every option. Without a
# build (running this script alone) that part is skipped, said so; in CI it is required.
gateway="${CRNP_GATEWAY_BIN:-$root/build/bin/crnp-gateway}"
if [ ! -x "$gateway" ]; then
  [ "${CI:-}" != true ] || { echo "no $gateway: build first (scripts/test.sh does)" >&2; exit 1; }
  echo "no $gateway: the rendered config files are not checked by the gateway (build first)"
  gateway=""
fi
pod="$(mktemp -d)"
trap 'rm -rf "$pod"' EXIT
validate() { # NAME RENDER-ARGS...: renders, validates against the Kubernetes schemas, and
             # has the gateway check the config file and arguments
  local name="$1" out
  shift
  out="$("$render" "$@")"
  printf '%-28s ' "$name:"
  rm -f "$pod/gateway.yaml" "$pod/args"
  node "$root/scripts/helm-validate/validate.mjs" --pod-out "$pod" <<<"$out"
  [ -n "$gateway" ] || return 0
  local args=()
  while IFS= read -r arg; do
    case "$arg" in
      --config=*) arg="--config=$pod/gateway.yaml" ;;  # where the ConfigMap is mounted
      *'$(CRNP_REGISTRATION_SOURCE)'*) arg="${arg//\$(CRNP_REGISTRATION_SOURCE)/192.0.2.10}" ;;
      *'$(CRNP_REPLICA_NAME)'*) arg="${arg//\$(CRNP_REPLICA_NAME)/crnp-gateway-7d4b9c-x2x7q}" ;;
    esac
    args+=("$arg")
  done <"$pod/args"
  "$gateway" "${args[@]}" --print-config >"$pod/effective" ||
    { echo "$name: crnp-gateway refuses the rendered configuration (${args[*]})" >&2; exit 1; }
  printf '%-28s crnp-gateway --print-config accepts it\n' ""
}
validate "default values"
# The gateway check itself can fail: a value the gateway refuses.
if [ -n "$gateway" ] && (validate "refused value" --set config.ring-events=lots >/dev/null 2>&1); then
  echo "a config file the gateway refuses (ring-events: lots) passed the check" >&2; exit 1
fi
validate "every feature" -f "$values/every-feature.yaml"
for mode in podIP hostPort hostNetwork; do
  validate "callback.mode=$mode" --set callback.mode="$mode"
done
validate "persistence + hostNetwork" -f "$values/persistence-hostnetwork.yaml"
"$render" -f "$values/persistence-hostnetwork.yaml" | grep -q '^kind: StatefulSet$' ||
  { echo "render-helm.sh: no StatefulSet rendered" >&2; exit 1; }
validate "3 replicas on etcd" -f "$values/etcd-three-replicas.yaml"
# The gateway must see the etcd store, not just be handed a file it ignores.
if [ -n "$gateway" ]; then
  for want in 'store: "etcd"' 'etcd-password-file: "/etc/crnp-gateway/etcd-auth/password"' \
              'replica-name: "crnp-gateway-7d4b9c-x2x7q"' 'leader-lease-ttl: "3s"'; do
    grep -qF -- "$want" "$pod/effective" ||
      { echo "3 replicas on etcd: --print-config lacks \"$want\":" >&2; cat "$pod/effective" >&2; exit 1; }
  done
fi

# Invalid values: the render must fail, with the schema's message.
expect_refusal() { # MESSAGE RENDER-ARGS...
  local message="$1" err
  shift
  if err="$("$render" "$@" 2>&1 >/dev/null)"; then
    echo "render-helm.sh $*: accepted invalid values" >&2; exit 1
  fi
  grep -qF -- "$message" <<<"$err" ||
    { echo "render-helm.sh $*: want \"$message\", got: $err" >&2; exit 1; }
  echo "refused as expected:          $*"
}
expect_refusal 'callback.mode: callback.mode must be one of the following: "podIP", "hostPort", "hostNetwork"' \
  --set callback.mode=nat
expect_refusal 'grpc.port: Must be less than or equal to 65535' --set grpc.port=70000
expect_refusal 'metrics.serviceMonitor.enabled: Invalid type. Expected: boolean, given: string' \
  --set metrics.serviceMonitor.enabled=sure
expect_refusal 'crnpServers: list at least one CRNP server' --set embeddedCluster=false
expect_refusal 'store: store must be one of the following: "etcd"' --set replicaCount=3
expect_refusal 'etcd.endpoints: Array must have at least 1 items' --set store=etcd
echo "helm chart checks passed"
