# Fuzzing: libFuzzer harnesses in tests/fuzz/, built with clang, ASan and
# UBSan. Included from the top Makefile (B, Q, V, AR, FORCE, MBEDTLS_SRC,
# MBEDTLS_STAMP and MBEDTLS_INC come from there).
#   make fuzz-build                    build/fuzz/fuzz_{url,http,redirect,cafile}
#   make fuzz [FUZZ_SECONDS=60]        build, then run each for FUZZ_SECONDS
# Crashes are written to build/fuzz/artifacts/NAME/; a reproducer worth
# keeping goes to tests/fuzz/regressions/NAME/, which tests/fuzz.sh replays.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := url http redirect cafile
FUZZ_OUT     := $(B)/fuzz
# The library code and mbedtls carry coverage counters (fuzzer-no-link); only
# the harness links libFuzzer's main().
FUZZ_FLAGS   := -std=c11 -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_COV     := -fsanitize=fuzzer-no-link
FUZZ_LIB     := url.c http.c net.c ca.c ca_key.c file.c rng.c err.c
FUZZ_OBJS    := $(FUZZ_LIB:%.c=$(FUZZ_OUT)/obj/%.o) $(FUZZ_OUT)/obj/cabundle.o
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_OUT)/fuzz_%)

.PHONY: fuzz fuzz-build
# Pattern-built objects are intermediate to make; keep them between runs.
.SECONDARY: $(FUZZ_OBJS)

$(FUZZ_OUT)/mbedtls/libmbedtls.a: $(MBEDTLS_STAMP) src/tls_config.h FORCE
	$(Q)$(MAKE) --no-print-directory -f mk/mbedtls.mk SRC=$(MBEDTLS_SRC) OUT=$(FUZZ_OUT)/mbedtls \
		CC="$(FUZZ_CC)" AR="$(AR)" CFLAGS="$(FUZZ_FLAGS) $(FUZZ_COV)" V=$(V)

$(FUZZ_OUT)/obj/%.o: src/%.c src/*.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      fuzz/$*.o")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_COV) $(WARN) $(MBEDTLS_INC) -DHELLO_VERSION='"fuzz"' -c $< -o $@

$(FUZZ_OUT)/obj/cabundle.o: $(B)/gen/cabundle.c src/ca.h
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(MBEDTLS_INC) -c $< -o $@

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) $(FUZZ_OUT)/mbedtls/libmbedtls.a
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(WARN) $(MBEDTLS_INC) -o $@ $< \
		$(FUZZ_OBJS) $(FUZZ_OUT)/mbedtls/libmbedtls.a

fuzz-build: $(FUZZ_BINS)

fuzz:
	$(Q)scripts/setup fuzz
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz $(FUZZ_NAMES)
