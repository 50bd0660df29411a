# Two stages: build with a toolchain, ship only the binary on a small
# distribution base (which still brings a shell and a package manager, handy
# for debugging, and something to patch).
#
#   podman build -t hello:alpine .
#   podman run --rm hello:alpine
#
# Both platforms, one manifest list (an image index) under one name:
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/hello:alpine --push .
#   podman build --platform linux/amd64,linux/arm64 --build-arg BUILDPLATFORM="linux/$(podman info --format '{{.Host.Arch}}')" --manifest hello:alpine .
#
# (then `podman manifest push --all hello:alpine docker://REGISTRY/hello:alpine`). podman 4.3
# (Debian 12) takes the builder image of the target platform for
# FROM --platform=$BUILDPLATFORM unless BUILDPLATFORM is passed: the argument
# names the build machine's platform, which is what the automatic one means.
#
# Both bases are build arguments. scripts/setup installs the build
# dependencies with the builder's own package manager; cross-compiling for
# another platform needs a Debian or Ubuntu builder (Debian packages the
# cross compilers), an Alpine one (alpine:3.21) builds for its own platform.
# The runtime base must exist for each target platform (alpine does).
#
# The OCI labels version, revision, source, licenses and created come from
# the facts the SBOM is made of (scripts/sbom); scripts/compare passes them
# with --label. By hand:
#   make -s oci-labels | sed 's/^/--label=/' | xargs -d '\n' podman build -t hello:TAG -f DOCKERFILE .
#
# BuildKit and podman set BUILDPLATFORM and TARGETPLATFORM from --platform;
# these defaults serve builders that do not (Docker's legacy builder) on an
# amd64 machine. Elsewhere give both as --build-arg (e.g. linux/arm64).
ARG BUILDPLATFORM=linux/amd64
ARG TARGETPLATFORM=linux/amd64
ARG BUILDER_IMAGE=debian:12-slim
ARG RUNTIME_IMAGE=alpine:3.21

# The build stage runs on the build machine's own platform ($BUILDPLATFORM)
# and cross-compiles for the image's ($TARGETARCH, set by buildx and podman
# from --platform): nothing runs under emulation, however many platforms.
FROM --platform=$BUILDPLATFORM ${BUILDER_IMAGE} AS build
WORKDIR /src
# Copy in the order things change least often, so that editing src/ reuses
# the toolchain, ring and mbedtls layers (shared by every target but the cross
# compiler's).
COPY scripts/setup scripts/
RUN scripts/setup build
COPY scripts/fetch-ring scripts/
COPY deps/ring.facts deps/
RUN scripts/fetch-ring
COPY scripts/fetch-mbedtls scripts/
COPY patches/ patches/
RUN scripts/fetch-mbedtls
ARG TARGETARCH
RUN scripts/setup "${TARGETARCH:-build}"
COPY . .
# The build's date (CA expiry cut, SBOM timestamp): the CA bundle's unless given.
ARG SOURCE_DATE_EPOCH=
RUN make ARCH="$TARGETARCH" && mkdir /out && bin=$(make -s ARCH="$TARGETARCH" bin-path) && \
    cp "$bin" "$bin.cdx.json" /out/

# The target's platform, said explicitly: podman 4.3 otherwise gives this
# stage the platform of the one before (buildx needs nothing).
FROM --platform=$TARGETPLATFORM ${RUNTIME_IMAGE}
ARG RUNTIME_IMAGE
LABEL org.opencontainers.image.title="hello" \
      org.opencontainers.image.description="Static HTTPS client and healthcheck probe" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
COPY --from=build /out/hello /usr/local/bin/hello
# The SBOM where scanners find it (any *.cdx.json): mbedtls, musl, the CA bundle.
COPY --from=build /out/hello.cdx.json /usr/local/share/hello/hello.cdx.json
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/hello"]
