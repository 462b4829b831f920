# The container image's runtime contents, shared by scripts/build-image.sh; the Dockerfile's
# runtime stage installs the same packages (build-image.sh checks that the lists agree).
# Only the shared libraries crnp-gateway and crnp-gateway-probe link (ldd), as Debian 12
# packages; their own dependencies come with them.
CRNP_RUNTIME_PACKAGES=(
  libgrpc++1.51 libprotobuf32 libpugixml1v5 libspdlog1.10 libfmt9 libyaml-cpp0.7
  libsqlite3-0 libssl3 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0
)
CRNP_IMAGE_BINARIES=(crnp-gateway crnp-gateway-probe)
CRNP_IMAGE_UID=65532
# Ports: gRPC, CRNP callback, metrics.
CRNP_IMAGE_PORTS=(50051/tcp 9445/tcp 9090/tcp)
