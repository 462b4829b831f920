#!/usr/bin/env bash
# Builds the crnp-gateway OCI image without Docker, equivalent to the Dockerfile: a Debian 12
# minbase root file system with the Dockerfile's runtime packages (mmdebstrap), the built
# binaries, and the same image config (user 65532, entrypoint, env, ports, OCI labels),
# packed as an OCI image layout with umoci. Then checks it:
#   - the image config: user, entrypoint, working dir, exposed ports, labels;
#   - the gateway started from a fresh unpack of the image (chroot as user 65532, the root
#     read-only, tmpfs on /tmp and the data directory) with --embedded-cluster on loopback
#     passes a gRPC health check (the image's crnp-gateway-probe) and streams a live event
#     (tests/node reflection client).
#   scripts/build-image.sh [OUT_DIR]      (default build/image; the layout is OUT_DIR/oci)
# Needs root (mmdebstrap's root mode, chroot, mount namespace) and the Debian mirror.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/lib/image.sh
source scripts/lib/node.sh
out="$(realpath -m "${1:-build/image}")"
version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/crnp-gateway/Chart.yaml)"
tag="${version:?no appVersion in Chart.yaml}"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
start=$SECONDS
step() { printf '=== build-image: %s (at %d s)\n' "$*" "$((SECONDS - start))"; }
fail() { echo "build-image: $*" >&2; exit 1; }

# The Dockerfile's runtime stage must install exactly CRNP_RUNTIME_PACKAGES.
dockerfile_packages="$(awk '/^FROM debian:12$/ {rt=1} rt && /install -y/ {on=1; next}
  on { if ($0 ~ /&&/) {on=0; next} gsub(/\\/, ""); print }' Dockerfile | tr -s ' \n' '\n' | sed '/^$/d' | sort)"
[ "$dockerfile_packages" = "$(printf '%s\n' "${CRNP_RUNTIME_PACKAGES[@]}" | sort)" ] ||
  fail "the Dockerfile's runtime packages differ from scripts/lib/image.sh:
$dockerfile_packages"

step "tools"
missing=()
for p in mmdebstrap umoci jq; do command -v "$p" >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
install_node_packages tests/node  # the streaming check's client

step "binaries"
for b in "${CRNP_IMAGE_BINARIES[@]}"; do
  [ -x "build/bin/$b" ] || fail "build/bin/$b missing: build first (README)"
done

work="$(mktemp -d)"
gateway_pid=""
cleanup() {
  if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then kill -KILL "$gateway_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$out/oci"
mkdir -p "$out"
umoci init --layout "$out/oci"
umoci new --image "$out/oci:$tag"
umoci unpack --image "$out/oci:$tag" "$work/bundle" >/dev/null

step "root file system (mmdebstrap bookworm minbase + ${#CRNP_RUNTIME_PACKAGES[@]} packages)"
hooks=()
for b in "${CRNP_IMAGE_BINARIES[@]}"; do
  hooks+=(--customize-hook="copy-in build/bin/$b /usr/local/bin")
done
hooks+=(--customize-hook="install -d -o $CRNP_IMAGE_UID -g $CRNP_IMAGE_UID -m 0750 \"\$1/var/lib/crnp-gateway\"")
# Debian 12's debian:12 image is minbase; docs and man pages are left out as there.
mmdebstrap --quiet --variant=minbase --mode=root \
  --include="$(IFS=,; echo "${CRNP_RUNTIME_PACKAGES[*]}")" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  "${hooks[@]}" bookworm "$work/bundle/rootfs"
strip --strip-debug "${CRNP_IMAGE_BINARIES[@]/#/$work/bundle/rootfs/usr/local/bin/}"

step "pack (umoci)"
umoci repack --image "$out/oci:$tag" "$work/bundle"
config=(--config.user "$CRNP_IMAGE_UID:$CRNP_IMAGE_UID" --config.entrypoint crnp-gateway
        --config.workingdir /var/lib/crnp-gateway
        --config.env CRNP_GATEWAY_DATA_DIR=/var/lib/crnp-gateway
        --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        --config.label org.opencontainers.image.title=crnp-gateway
        --config.label "org.opencontainers.image.description=Solaris Cluster reconfiguration events (CRNP) over gRPC"
        --config.label "org.opencontainers.image.version=$version"
        --config.label "org.opencontainers.image.revision=$revision"
        --config.label org.opencontainers.image.base.name=docker.io/library/debian:12)
for p in "${CRNP_IMAGE_PORTS[@]}"; do config+=(--config.exposedports "$p"); done
umoci config --image "$out/oci:$tag" "${config[@]}"
umoci gc --layout "$out/oci"

step "check the image config"
blob() { cat "$out/oci/blobs/sha256/${1#sha256:}"; }
manifest="$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$out/oci/index.json")"
[ -n "$manifest" ] || fail "no manifest tagged $tag in index.json"
image_config="$(blob "$(blob "$manifest" | jq -r .config.digest)")"
expect() { # WHAT JQ-FILTER WANT
  local got
  got="$(jq -c "$2" <<<"$image_config")"
  [ "$got" = "$3" ] || fail "image config $1: got $got, want $3"
  printf '  %-12s %s\n' "$1" "$got"
}
expect user .config.User "\"$CRNP_IMAGE_UID:$CRNP_IMAGE_UID\""
expect entrypoint .config.Entrypoint '["crnp-gateway"]'
expect ports '.config.ExposedPorts | keys' "$(printf '%s\n' "${CRNP_IMAGE_PORTS[@]}" | jq -R . | jq -sc 'sort')"
expect title '.config.Labels["org.opencontainers.image.title"]' '"crnp-gateway"'
expect version '.config.Labels["org.opencontainers.image.version"]' "\"$version\""
expect os-arch '[.os, .architecture]' "[\"linux\",\"$(dpkg --print-architecture)\"]"

step "start the gateway from a fresh unpack of the image"
umoci unpack --image "$out/oci:$tag" "$work/check" >/dev/null
rootfs="$work/check/rootfs"
entrypoint="$(jq -r '.config.Entrypoint[0]' <<<"$image_config")"
mapfile -t image_env < <(jq -r '.config.Env[]' <<<"$image_config")
log="$work/gateway.log"
# A mount namespace of its own: the image root read-only, writable tmpfs where the chart
# mounts volumes, the host's /dev (as a runtime provides one); the network stays loopback.
unshare --mount --fork -- bash -c '
  set -e
  rootfs="$1"; uid="$2"; shift 2
  mount --bind "$rootfs" "$rootfs"
  mount -o remount,bind,ro "$rootfs"
  mount --rbind /dev "$rootfs/dev"
  mount -t tmpfs tmpfs "$rootfs/tmp"
  mount -t tmpfs -o "uid=$uid,gid=$uid,mode=0750" tmpfs "$rootfs/var/lib/crnp-gateway"
  echo $$ >"$rootfs/../gateway.pid"
  exec chroot --userspec="$uid:$uid" "$rootfs" "$@"
' check "$rootfs" "$CRNP_IMAGE_UID" env -i "${image_env[@]}" "$entrypoint" --embedded-cluster \
  --grpc-listen 127.0.0.1:0 --callback-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
  --embedded-event-rate 5 >"$log" 2>&1 &
for _ in $(seq 100); do
  [ -s "$work/check/gateway.pid" ] && address="$(sed -n 's/.*gRPC listening on \([0-9.]*:[0-9]*\).*/\1/p' "$log" | head -1)"
  [ -n "${address:-}" ] && break
  sleep 0.2
done
gateway_pid="$(cat "$work/check/gateway.pid" 2>/dev/null || true)"
[ -n "${address:-}" ] || { cat "$log" >&2; fail "the gateway from the image did not start"; }
echo "  listening on $address (pid $gateway_pid, user $(stat -c %u "/proc/$gateway_pid"))"
[ "$(stat -c %u "/proc/$gateway_pid")" = "$CRNP_IMAGE_UID" ] || fail "the gateway does not run as $CRNP_IMAGE_UID"

step "gRPC health check (the image's crnp-gateway-probe)"
serving=""
for _ in $(seq 60); do
  if out_line="$(chroot --userspec="$CRNP_IMAGE_UID:$CRNP_IMAGE_UID" "$rootfs" \
      /usr/local/bin/crnp-gateway-probe --address "$address" --timeout 2)"; then
    serving="$out_line"; break
  fi
  sleep 0.5
done
[ -n "$serving" ] || { cat "$log" >&2; fail "health check never SERVING: ${out_line:-}"; }
echo "  $serving"

step "stream an event (tests/node reflection client, live event through SimControl)"
node tests/node/reflection_client.mjs --gateway "$address" --sim "$address" --timeout-ms 30000 ||
  { cat "$log" >&2; fail "the streaming check failed"; }
echo

step "stop (SIGTERM)"
kill -TERM "$gateway_pid"
for _ in $(seq 100); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.2; done
! kill -0 "$gateway_pid" 2>/dev/null || fail "the gateway did not stop on SIGTERM"
gateway_pid=""
wait || true
echo "image $out/oci:$tag: $(du -sh "$out/oci" | cut -f1), checked in $((SECONDS - start)) s"
