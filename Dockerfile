# Two stages: build with a toolchain, ship only the binary on a small
# distribution base (which still brings a shell and a package manager, handy
# for debugging, and something to patch).
#
#   podman build -t hello:alpine .
#   podman run --rm hello:alpine
#
# Both bases are build arguments: any apk- or apt-based builder works, since
# scripts/setup installs the build dependencies with the base's own package
# manager (e.g. --build-arg BUILDER_IMAGE=debian:12).
ARG BUILDER_IMAGE=alpine:3.21
ARG RUNTIME_IMAGE=alpine:3.21

FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
# Copy in the order things change least often, so that editing src/ reuses
# the toolchain and mbedtls layers.
COPY scripts/setup scripts/
RUN scripts/setup build
COPY scripts/fetch-mbedtls scripts/
COPY patches/ patches/
RUN scripts/fetch-mbedtls
COPY . .
RUN make

FROM ${RUNTIME_IMAGE}
ARG RUNTIME_IMAGE
LABEL org.opencontainers.image.title="hello" \
      org.opencontainers.image.description="Static HTTPS client and healthcheck probe" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
COPY --from=build /src/build/hello /usr/local/bin/hello
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/hello"]
