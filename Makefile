# hello — a static HTTPS client and healthcheck probe for FROM scratch images,
# and the toolkit that builds, compares and teaches such images.
#
# make help lists the targets.

VERSION       := 1.0.0
MBEDTLS_VER   := 3.6.6
MBEDTLS_SRC   := third_party/mbedtls-$(MBEDTLS_VER)
MBEDTLS_STAMP := $(MBEDTLS_SRC)/.verified
RING_STAMP    := third_party/ring-$(shell sed -n 's/^version=//p' deps/ring.facts)/.verified

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

# The target architecture, in Debian's names (amd64, arm64): the build
# machine's by default. Another one is cross-compiled (scripts/setup ARCH
# installs the compiler): amd64 builds into build/, any other ARCH into
# build/ARCH/. Build-time tools are built with HOSTCC for the build machine,
# whatever ARCH is.
BUILD_ARCH := $(shell uname -m | sed 's/^x86_64$$/amd64/; s/^aarch64$$/arm64/')
ARCH ?= $(BUILD_ARCH)
# An empty ARCH (a Dockerfile's $TARGETARCH outside buildx and podman) is the default.
ifeq ($(ARCH),)
override ARCH := $(BUILD_ARCH)
endif
# GNU triplets of the cross compilers (Debian's gcc-TRIPLET packages).
CROSS_amd64 := x86_64-linux-gnu
CROSS_arm64 := aarch64-linux-gnu
ifneq ($(ARCH),$(BUILD_ARCH))
CROSS := $(CROSS_$(ARCH))
ifeq ($(CROSS),)
$(error ARCH=$(ARCH): cross-compiling is set up for amd64 and arm64 only)
endif
endif

# The release binary is built with musl: musl-gcc on Debian, the native
# compiler where it already targets musl (Alpine); for another ARCH, Debian's
# cross gcc with the target's musl (musl-dev:ARCH) through its specs file.
ifeq ($(origin CC),default)
ifeq ($(CROSS),)
CC := $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo cc)
else
CC := $(CROSS)-gcc -specs /usr/lib/$(subst -gnu,-musl,$(CROSS))/musl-gcc.specs
endif
endif
ifeq ($(origin AR),default)
AR := $(if $(CROSS),$(CROSS)-gcc-ar,ar)
endif
HOSTCC  ?= cc
CFLAGS  ?= -Os
HOSTCFLAGS ?= -O2
LDFLAGS ?=

Q := $(if $(V),,@)
B := build$(if $(filter-out amd64,$(ARCH)),/$(ARCH))
H := build/host
T := build/tools

# Anything dated in the build (the CA expiry cut) uses SOURCE_DATE_EPOCH; by
# default that is the date of the bundle in certs/PROVENANCE, so two builds of
# the same tree are byte-identical whenever they run.
SOURCE_DATE_EPOCH ?= $(shell sed -n 's/^epoch: *//p' certs/PROVENANCE)
# An empty one (a Dockerfile's ARG SOURCE_DATE_EPOCH= left unset) is that default too.
ifeq ($(strip $(SOURCE_DATE_EPOCH)),)
override SOURCE_DATE_EPOCH := $(shell sed -n 's/^epoch: *//p' certs/PROVENANCE)
endif
export SOURCE_DATE_EPOCH

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Wformat=2 -Wno-format-nonliteral
# Size: per-function sections for --gc-sections, LTO, no unwind tables (C has
# no exceptions). Reproducibility: no build paths, no build-id.
REL_FLAGS := -std=c11 -D_DEFAULT_SOURCE -ffunction-sections -fdata-sections -flto -flto-partition=one \
	-fno-asynchronous-unwind-tables -fno-unwind-tables \
	-ffile-prefix-map=$(CURDIR)/= -frandom-seed=hello
# common-page-size=64: ld would otherwise start the data segment on a page
# of its own in the file whenever that saves a page of memory at run time,
# padding the file by up to 4 KiB whenever .bss grows past a page boundary.
REL_LDFLAGS := -static -s -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code \
	-Wl,-z,common-page-size=64 -Wl,-z,norelro -Wl,--hash-style=gnu

HOST_FLAGS := -std=c11 -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined

MBEDTLS_INC := -I$(MBEDTLS_SRC)/include -I$(MBEDTLS_SRC)/3rdparty/everest/include -Isrc -DMBEDTLS_CONFIG_FILE='"tls_config.h"'

SRCS := main.c opts.c probe.c fetch.c conn.c url.c http.c net.c tls.c ca.c ca_key.c file.c rng.c err.c
REL_OBJS := $(SRCS:%.c=$(B)/obj/%.o) $(B)/obj/cabundle.o $(B)/obj/sbom.o
LIB_SRCS := opts.c url.c http.c net.c ca.c ca_key.c file.c rng.c err.c
HOST_OBJS := $(LIB_SRCS:%.c=$(H)/obj/%.o) $(H)/obj/cabundle.o
UNIT := $(patsubst tests/unit/check_%.c,%,$(wildcard tests/unit/check_*.c))
UNIT_BINS := $(UNIT:%=$(H)/check_%)

CERT_PEM := certs/ca-certificates.crt

.PHONY: all setup need-build test unit cross-unit bin-path install uninstall clean help \
	compare lint bench bench-inputs fuzz update-certs lab distclean bundle-variant oci-labels
.DEFAULT_GOAL := all

all: need-build $(B)/hello

need-build:
	$(Q)scripts/setup build $(if $(CROSS),$(ARCH))

# --- mbedtls -----------------------------------------------------------------

MBEDTLS_PATCHES := $(sort $(wildcard patches/mbedtls-*.patch))

$(MBEDTLS_STAMP): $(MBEDTLS_PATCHES) scripts/fetch-mbedtls
	$(Q)scripts/fetch-mbedtls

# ring's P-256 arithmetic, built into the library (mk/mbedtls.mk).
$(RING_STAMP): deps/ring.facts scripts/fetch-ring
	$(Q)scripts/fetch-ring

# The hot spots are compiled for speed, the rest for size. aesni.c holds the
# AES-GCM bulk loop (patches/mbedtls-0002-gcm-aesni-bulk.patch) that carries
# a TLS download: -O3 unrolls its AES rounds (7% fewer instructions per byte
# than -O2, for 320 bytes). The bignum multiply-accumulate loops that make up
# most of an RSA handshake are not unrolled at -Os (-O2 is enough). ecp_curves.c
# (the NIST reductions) stays at -Os: since ring's P-256 took ECDSA P-256
# verification it serves only P-384 and secp256r1 key exchange, and -O2 cost
# 1,088 bytes on amd64, 320 on arm64. Changing these lists needs a `make clean`.
O3_FILES ?= $(if $(filter arm64,$(ARCH)),aesce,aesni)
O2_FILES ?= bignum bignum_core

$(B)/mbedtls/libmbedtls.a: $(MBEDTLS_STAMP) $(RING_STAMP) src/tls_config.h FORCE
	$(Q)$(MAKE) --no-print-directory -f mk/mbedtls.mk SRC=$(MBEDTLS_SRC) OUT=$(B)/mbedtls \
		CC="$(CC)" AR="$(AR)" CFLAGS="$(CFLAGS) $(REL_FLAGS)" V=$(V) \
		O3_FILES="$(O3_FILES)" O2_FILES="$(O2_FILES)"

# mbedtls 3.6.6 calls memcmp(NULL, NULL, 0) when it compares the empty names
# of a certificate it skipped (x509_name_cmp): harmless, but UBSan's
# nonnull-attribute check would stop there, so that one check is off for
# mbedtls (not for our code).
$(H)/mbedtls/libmbedtls.a: $(MBEDTLS_STAMP) $(RING_STAMP) src/tls_config.h FORCE
	$(Q)$(MAKE) --no-print-directory -f mk/mbedtls.mk SRC=$(MBEDTLS_SRC) OUT=$(H)/mbedtls \
		CC="$(HOSTCC)" AR="$(AR)" CFLAGS="$(HOST_FLAGS) -fno-sanitize=nonnull-attribute" V=$(V)

FORCE:

# The build machine's mbedtls, for the build-time tools.
$(T)/mbedtls/libmbedtls.a: $(MBEDTLS_STAMP) $(RING_STAMP) src/tls_config.h FORCE
	$(Q)$(MAKE) --no-print-directory -f mk/mbedtls.mk SRC=$(MBEDTLS_SRC) OUT=$(T)/mbedtls \
		CC="$(HOSTCC)" AR="ar" CFLAGS="$(HOSTCFLAGS) -std=c11 -D_DEFAULT_SOURCE" V=$(V)

# --- trust store ---------------------------------------------------------------

# The generator runs on the build machine, so it is built with HOSTCC
# against the build machine's mbedtls, never for ARCH: a cross build runs
# nothing under emulation, and every ARCH embeds the same bundle.
$(T)/certgen: certs/certgen.c src/ca_key.c src/rng.c src/ca.h $(T)/mbedtls/libmbedtls.a
	@mkdir -p $(@D)
	$(if $(Q),@echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -std=c11 -D_DEFAULT_SOURCE $(WARN) $(MBEDTLS_INC) \
		-o $@ certs/certgen.c src/ca_key.c src/rng.c $(T)/mbedtls/libmbedtls.a

$(B)/gen/cabundle.c: $(T)/certgen $(CERT_PEM) certs/PROVENANCE
	@mkdir -p $(@D)
	$(if $(Q),@echo "  GEN     $@")
	$(Q)$(T)/certgen $(CERT_PEM) certs/PROVENANCE >$@.tmp
	$(Q)mv $@.tmp $@

# --- SBOM ----------------------------------------------------------------------

# scripts/sbom turns the pinned facts (VERSION, mbedtls's pin and patches, the
# musl that CC links, the CA bundle's provenance, SOURCE_DATE_EPOCH, any
# other pinned component's deps/NAME.facts) into the
# CycloneDX document, the ELF package note and the OCI labels. The facts are
# gathered at every make (the compiler may have changed) and the file is
# rewritten only when they differ.
SBOM_FACTS := $(B)/gen/facts.json

$(SBOM_FACTS): scripts/sbom FORCE
	@mkdir -p $(@D)
	$(Q)scripts/sbom facts --version $(VERSION) --arch $(ARCH) --epoch "$(SOURCE_DATE_EPOCH)" \
		--cc "$(CC) $(CFLAGS) $(LDFLAGS)" --provenance certs/PROVENANCE --bundle $(CERT_PEM) \
		--fetch scripts/fetch-mbedtls --patches patches --mbedtls-version $(MBEDTLS_VER) --deps deps >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# The document with a placeholder digest, in a section of its own; the link
# step seals it (below).
$(B)/gen/sbom.c: $(SBOM_FACTS) scripts/sbom
	$(if $(Q),@echo "  GEN     $@")
	$(Q)scripts/sbom c $< >$@.tmp
	$(Q)mv $@.tmp $@

$(B)/obj/sbom.o: $(B)/gen/sbom.c src/sbom.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) -Isrc -c $< -o $@

# The OCI labels of the images (KEY=VALUE lines; scripts/compare passes them).
oci-labels: $(SBOM_FACTS)
	@scripts/sbom labels $< --repo .

# --- release binary ------------------------------------------------------------

$(B)/obj/%.o: src/%.c src/*.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) $(WARN) $(MBEDTLS_INC) -DHELLO_VERSION='"$(VERSION)"' -c $< -o $@

$(B)/obj/cabundle.o: $(B)/gen/cabundle.c src/ca.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) $(MBEDTLS_INC) -c $< -o $@

# The link carries the ELF package note (ld --package-metadata); then the
# digest goes into the SBOM, in the binary and in $(B)/hello.cdx.json.
$(B)/hello: $(REL_OBJS) $(B)/mbedtls/libmbedtls.a $(SBOM_FACTS) scripts/sbom
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) $(REL_LDFLAGS) $(LDFLAGS) -Wl,-Map,$(B)/hello.map \
		-Xlinker --package-metadata="$$(scripts/sbom note $(SBOM_FACTS))" \
		-o $@.tmp $(REL_OBJS) $(B)/mbedtls/libmbedtls.a
	$(if $(Q),@echo "  SBOM    $(B)/hello.cdx.json")
	$(Q)scripts/sbom seal $(SBOM_FACTS) $@.tmp $(B)/hello.cdx.json --map $(B)/hello.map || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@
	@ls -l $@ | awk '{ printf "  SIZE    %s: %d bytes\n", $$NF, $$5 }'

# The same program with another CA bundle, for tests/trust.sh, which checks
# that roots re-encoded by certgen give the verdicts the full certificates
# give: make bundle-variant BUNDLE_PEM=roots.pem BUNDLE_PROV=PROVENANCE BUNDLE_OUT=DIR
bundle-variant: $(filter-out $(B)/obj/cabundle.o,$(REL_OBJS)) $(T)/certgen $(B)/mbedtls/libmbedtls.a
	$(Q)$(T)/certgen $(BUNDLE_PEM) $(BUNDLE_PROV) >$(BUNDLE_OUT)/cabundle.c
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) $(MBEDTLS_INC) -c $(BUNDLE_OUT)/cabundle.c -o $(BUNDLE_OUT)/cabundle.o
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) $(REL_LDFLAGS) $(LDFLAGS) -o $(BUNDLE_OUT)/hello \
		$(filter-out $(B)/obj/cabundle.o,$(REL_OBJS)) $(BUNDLE_OUT)/cabundle.o $(B)/mbedtls/libmbedtls.a

# --- host tree: unit tests with ASan + UBSan -----------------------------------

$(H)/obj/%.o: src/%.c src/*.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_FLAGS) $(WARN) $(MBEDTLS_INC) -DHELLO_VERSION='"$(VERSION)"' -c $< -o $@

$(H)/obj/cabundle.o: $(B)/gen/cabundle.c src/ca.h
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_FLAGS) $(MBEDTLS_INC) -c $< -o $@

$(H)/obj/sbom.o: $(B)/gen/sbom.c src/sbom.h
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_FLAGS) -Isrc -c $< -o $@

# The whole program on the host tree: integration and TLS matrix runs under
# ASan, UBSan and LeakSanitizer (tests/sanitize.sh). Its SBOM is the
# unsealed one (a placeholder digest): only the release binary is sealed.
$(H)/hello: $(SRCS:%.c=$(H)/obj/%.o) $(H)/obj/cabundle.o $(H)/obj/sbom.o $(H)/mbedtls/libmbedtls.a
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(HOSTCC) $(HOST_FLAGS) -o $@ $^

# check_gcm reads NIST's vectors from the fetched mbedtls source and asks
# mbedtls's internal aesni.h whether the CPU takes the bulk path.
CHECK_FLAGS_gcm := -I$(MBEDTLS_SRC)/library -DGCM_VECTORS='"$(CURDIR)/$(MBEDTLS_SRC)/tests/suites"'
# check_ecc tests the public inverse that patch 0007 declares in bignum_internal.h,
# and ECDSA P-256 with the vectors of the fetched source.
CHECK_FLAGS_ecc := -I$(MBEDTLS_SRC)/library -DECDSA_VECTORS='"$(CURDIR)/$(MBEDTLS_SRC)/tests/suites/test_suite_ecdsa.data"'

$(H)/check_%: tests/unit/check_%.c tests/unit/unit.h $(HOST_OBJS) $(H)/mbedtls/libmbedtls.a
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(HOSTCC) $(HOST_FLAGS) $(MBEDTLS_INC) $(CHECK_FLAGS_$*) $$(pkg-config --cflags check) -o $@ $< \
		$(HOST_OBJS) $(H)/mbedtls/libmbedtls.a $$(pkg-config --libs check)

# --- ARCH's unit tests: cross-built, run under emulation -------------------------

# For a cross ARCH (make ARCH=arm64 cross-unit), the Check suites are built
# with the glibc cross compiler (Debian's Check is built for glibc), linked
# statically so qemu-user needs none of ARCH's libraries, with UBSan; ASan's
# shadow memory does not map under qemu-user. tests/arm64.sh runs them.
X := $(B)/unit
X_FLAGS := -std=c11 -D_DEFAULT_SOURCE -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined
X_CHECK = PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS)/pkgconfig pkg-config --static
X_OBJS := $(LIB_SRCS:%.c=$(X)/obj/%.o) $(X)/obj/cabundle.o
X_BINS := $(UNIT:%=$(X)/check_%)

cross-unit: $(if $(CROSS),$(X_BINS),$(UNIT_BINS))

$(X)/mbedtls/libmbedtls.a: $(MBEDTLS_STAMP) $(RING_STAMP) src/tls_config.h FORCE
	$(Q)$(MAKE) --no-print-directory -f mk/mbedtls.mk SRC=$(MBEDTLS_SRC) OUT=$(X)/mbedtls \
		CC="$(CROSS)-gcc" AR="$(CROSS)-ar" CFLAGS="$(X_FLAGS) -fno-sanitize=nonnull-attribute" V=$(V)

$(X)/obj/%.o: src/%.c src/*.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CROSS)-gcc $(X_FLAGS) $(WARN) $(MBEDTLS_INC) -DHELLO_VERSION='"$(VERSION)"' -c $< -o $@

$(X)/obj/cabundle.o: $(B)/gen/cabundle.c src/ca.h
	@mkdir -p $(@D)
	$(Q)$(CROSS)-gcc $(X_FLAGS) $(MBEDTLS_INC) -c $< -o $@

# Under emulation check_ecc's sweeps of the bits of r, s, the hash and the key
# take every eighth bit (from a random start): the whole sweep took 76 s and
# 110 s of its 60 s and 120 s limits under qemu-aarch64 with UBSan.
X_CHECK_FLAGS_ecc := -DECC_BIT_STRIDE=8

$(X)/check_%: tests/unit/check_%.c tests/unit/unit.h $(X_OBJS) $(X)/mbedtls/libmbedtls.a
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(CROSS)-gcc $(X_FLAGS) $(MBEDTLS_INC) $(CHECK_FLAGS_$*) $(X_CHECK_FLAGS_$*) $$($(X_CHECK) --cflags check) -static -o $@ $< \
		$(X_OBJS) $(X)/mbedtls/libmbedtls.a $$($(X_CHECK) --libs check)

.SECONDARY: $(X_OBJS)

# --- tests ---------------------------------------------------------------------

# Keep the host objects between links of the unit test binaries.
.SECONDARY: $(HOST_OBJS) $(SRCS:%.c=$(H)/obj/%.o)

unit: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do $$t || exit 1; done

# tests/arm64.sh runs the arm64 build (under qemu on another machine).
test:
	$(Q)scripts/setup test
	$(Q)$(MAKE) --no-print-directory $(B)/hello $(T)/certgen $(UNIT_BINS) $(H)/hello
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 all cross-unit
	$(Q)scripts/run-tests

include mk/fuzz.mk

# --- images --------------------------------------------------------------------

# PLATFORMS=linux/amd64,linux/arm64: each platform's images, the foreign one
# run under qemu (setup installs and registers it only when asked for).
# PULL=1, LINK=100mbit, LINK_DELAY=20ms, SCAN=1: scripts/compare reads them.
comma := ,
compare:
	$(Q)scripts/setup build compare $(if $(filter linux/arm64,$(subst $(comma), ,$(PLATFORMS))),arm64-run) $(if $(PULL)$(LINK),pull) $(if $(filter 1,$(SCAN)),scan)
	$(Q)scripts/compare $(if $(TEMPLATE),--template $(TEMPLATE)) $(if $(PLATFORMS),--platforms $(PLATFORMS))

lint:
	$(Q)scripts/lint-dockerfile Dockerfile.fat Dockerfile Dockerfile.scratch $(wildcard templates/*/Dockerfile*)

lab:
	$(Q)scripts/setup build compare pull scan
	$(Q)scripts/lab-numbers --run

# What scripts/bench measures besides build/hello: the same link without -s
# (names for the profiles and the size breakdown; its loaded bytes are
# build/hello's), our sources, the trust store and mbedtls compiled again
# without LTO (each object then lists every function it defines, for the
# breakdown by source file), and the Go peer, static, with no network.
BENCH := $(B)/bench
NOLTO_FLAGS = $(filter-out -flto -flto-partition=one,$(REL_FLAGS))
BENCH_NAMES := $(SRCS:%.c=$(BENCH)/names/%.o) $(BENCH)/names/cabundle.o

bench:
	$(Q)scripts/setup bench
	$(Q)$(MAKE) --no-print-directory $(B)/hello bench-inputs
	$(Q)scripts/bench

bench-inputs: $(BENCH)/hello-syms $(BENCH_NAMES) $(BENCH)/names/mbedtls/libmbedtls.a $(BENCH)/goget

# The twin carries build/hello's sealed SBOM (its digest is build/hello's), so
# that its loaded bytes are build/hello's.
$(BENCH)/hello-syms: $(REL_OBJS) $(B)/mbedtls/libmbedtls.a $(SBOM_FACTS) $(B)/hello
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(REL_FLAGS) $(filter-out -s,$(REL_LDFLAGS)) $(LDFLAGS) -Wl,-Map,$@.map \
		-Xlinker --package-metadata="$$(scripts/sbom note $(SBOM_FACTS))" \
		-o $@.tmp $(REL_OBJS) $(B)/mbedtls/libmbedtls.a
	$(Q)objcopy --dump-section .sbom=$@.sbom $(B)/hello && \
		objcopy --update-section .sbom=$@.sbom $@.tmp && rm -f $@.sbom && mv $@.tmp $@

$(BENCH)/names/%.o: src/%.c src/*.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(NOLTO_FLAGS) $(MBEDTLS_INC) -DHELLO_VERSION='"$(VERSION)"' -c $< -o $@

$(BENCH)/names/cabundle.o: $(B)/gen/cabundle.c src/ca.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(NOLTO_FLAGS) $(MBEDTLS_INC) -c $< -o $@

$(BENCH)/names/mbedtls/libmbedtls.a: $(MBEDTLS_STAMP) $(RING_STAMP) src/tls_config.h FORCE
	$(Q)$(MAKE) --no-print-directory -f mk/mbedtls.mk SRC=$(MBEDTLS_SRC) OUT=$(@D) \
		CC="$(CC)" AR="$(AR)" CFLAGS="$(CFLAGS) $(NOLTO_FLAGS)" V=$(V) \
		O3_FILES="$(O3_FILES)" O2_FILES="$(O2_FILES)"

$(BENCH)/goget: bench/goget/main.go bench/goget/go.mod
	@mkdir -p $(@D)
	$(if $(Q),@echo "  GO      $@")
	$(Q)cd bench/goget && CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off \
		GOPATH=$(CURDIR)/$(BENCH)/gopath GOCACHE=$(CURDIR)/$(BENCH)/gocache \
		go build -trimpath -ldflags='-s -w' -o $(CURDIR)/$@ .

# --- trust store maintenance ---------------------------------------------------

update-certs:
	$(Q)scripts/update-certs

# --- install -------------------------------------------------------------------

# Where the release binary for ARCH is (for Dockerfiles and scripts).
bin-path:
	@echo $(B)/hello


install: $(B)/hello
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/hello $(DESTDIR)$(BINDIR)/hello
	install -m 0644 docs/hello.1 $(DESTDIR)$(MANDIR)/man1/hello.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hello $(DESTDIR)$(MANDIR)/man1/hello.1

clean:
	rm -rf $(B)

distclean: clean
	rm -rf third_party

help:
	@echo "make              build build/hello (static, musl, mbedtls $(MBEDTLS_VER))"
	@echo "make test         every suite: build/host/check_* and tests/*.sh (tests/README.md)"
	@echo "make compare      build, run and measure the fat, alpine, distroless and scratch images"
	@echo "                  (ENGINE=docker|podman|buildah, BASES=upstream|local, TEMPLATE=go|node,"
	@echo "                  PLATFORMS=linux/amd64,linux/arm64: both, and a manifest list,"
	@echo "                  PULL=1: through a local registry, LINK=100mbit LINK_DELAY=20ms,"
	@echo "                  SCAN=1: the packages trivy sees in each image)"
	@echo "make lint         check the Dockerfiles"
	@echo "make lab          compare hello, go and node; rewrite the numbers in docs/LAB.md"
	@echo "make fuzz         build the libFuzzer harnesses (clang), run each FUZZ_SECONDS (default 60)"
	@echo "make bench        size, instructions, memory, throughput vs curl, Go, wget -> bench/RESULTS.md"
	@echo "make setup        install what is missing (root, apt-get or apk)"
	@echo "make update-certs refresh certs/ from the system's Mozilla root set"
	@echo "make install      install hello and its man page (PREFIX, DESTDIR)"
	@echo "make clean        remove build/;  make distclean also removes third_party/"
	@echo "make ARCH=arm64   cross-compile build/arm64/hello (scripts/setup arm64 installs the compiler)"
	@echo "variables: ARCH CC CFLAGS LDFLAGS HOSTCC HOSTCFLAGS PREFIX DESTDIR V=1"

setup:
	$(Q)scripts/setup test compare bench
