# crnp-gateway container image: build on Debian 12 as the README does, run on Debian 12 with
# only the runtime libraries. scripts/build-image.sh builds an equivalent image without
# Docker (mmdebstrap + umoci) and checks it; keep the runtime package list in step with
# scripts/lib/image.sh (build-image.sh compares them).
#   docker build -t crnp-gateway:0.1.0 .

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake ninja-build g++ pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto \
      libboost-dev libpugixml-dev libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev \
      nlohmann-json3-dev libsqlite3-dev libssl-dev prometheus-cpp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The README's release build (scripts/lib/build-flags.sh), without tests and benchmarks.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
      -DCRNP_BUILD_TESTS=OFF -DCRNP_BUILD_BENCH=OFF \
 && cmake --build build --target crnp-gateway crnp-gateway-probe \
 && strip --strip-debug build/bin/crnp-gateway build/bin/crnp-gateway-probe

FROM debian:12
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="crnp-gateway" \
      org.opencontainers.image.description="Solaris Cluster reconfiguration events (CRNP) over gRPC" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:12"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libpugixml1v5 libspdlog1.10 libfmt9 libyaml-cpp0.7 \
      libsqlite3-0 libssl3 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o 65532 -g 65532 -m 0750 /var/lib/crnp-gateway
COPY --from=build /src/build/bin/crnp-gateway /src/build/bin/crnp-gateway-probe /usr/local/bin/
# Read-only root friendly: the only writable paths are the data directory and /tmp, which the
# chart mounts as volumes.
ENV CRNP_GATEWAY_DATA_DIR=/var/lib/crnp-gateway
USER 65532:65532
WORKDIR /var/lib/crnp-gateway
EXPOSE 50051/tcp 9445/tcp 9090/tcp
ENTRYPOINT ["crnp-gateway"]
