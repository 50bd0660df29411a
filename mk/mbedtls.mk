# Builds the pinned mbedtls source into one static library with the project's
# configuration and the caller's compiler and flags. Called by the top-level
# Makefile once the source is in place, so the file list can be read here.
#   make -f mk/mbedtls.mk SRC=third_party/mbedtls-X OUT=build/mbedtls CC=... CFLAGS=... AR=...
SRCS := $(sort $(wildcard $(SRC)/library/*.c))
# HACL*'s verified X25519 that mbedtls ships (3rdparty/everest), which
# MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED in src/tls_config.h turns on.
THIRD := 3rdparty/everest/library/everest.c 3rdparty/everest/library/x25519.c \
	3rdparty/everest/library/Hacl_Curve25519_joined.c
OBJS := $(patsubst $(SRC)/library/%.c,$(OUT)/%.o,$(SRCS)) $(THIRD:3rdparty/%.c=$(OUT)/3rdparty/%.o)
CONFIG := src/tls_config.h
INC := -I$(SRC)/include -I$(SRC)/library -I$(SRC)/3rdparty/everest/include -I$(SRC)/3rdparty/everest/include/everest \
	-I$(SRC)/3rdparty/everest/include/everest/kremlib -Isrc \
	-DMBEDTLS_CONFIG_FILE='"tls_config.h"'

# Files compiled for speed on top of CFLAGS: O3_FILES at -O3, O2_FILES at -O2
# (the top Makefile says which and why).
$(O3_FILES:%=$(OUT)/%.o): FILE_CFLAGS := -O3
$(O2_FILES:%=$(OUT)/%.o): FILE_CFLAGS := -O2
Q := $(if $(V),,@)

$(OUT)/libmbedtls.a: $(OBJS)
	$(Q)rm -f $@
	$(Q)$(AR) rcD $@ $(OBJS)

# A new extraction (new version or patches) rebuilds everything.
$(OUT)/%.o: $(SRC)/library/%.c $(CONFIG) $(SRC)/.verified | $(OUT)
	$(if $(Q),@echo "  CC      mbedtls/$*.c")
	$(Q)$(CC) $(CFLAGS) $(FILE_CFLAGS) $(INC) -c $< -o $@

$(OUT)/3rdparty/%.o: $(SRC)/3rdparty/%.c $(CONFIG) $(SRC)/.verified
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      mbedtls/3rdparty/$*.c")
	$(Q)$(CC) $(CFLAGS) $(FILE_CFLAGS) $(INC) -c $< -o $@

$(OUT):
	$(Q)mkdir -p $@
