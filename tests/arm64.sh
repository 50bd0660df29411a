#!/bin/bash
# run-order: 40
# The arm64 build (make ARCH=arm64: build/arm64/hello and the Check suites
# in build/arm64/unit), run on this machine through qemu-user and
# binfmt_misc (scripts/setup arm64-run registers it):
# - the ELF is aarch64; its embedded bundle is the amd64 build's (that a
#   second clean build, in a builder container at another path, gives the
#   same bytes is checked by tests/platforms.sh);
# - tests/static.sh (static, stripped, size budget, alone in a chroot with
#   verified HTTPS), tests/cli.sh and tests/integration.sh (TLS 1.2 and 1.3,
#   RSA and ECDSA, bad certificates -> 60) with HELLO pointing at it, each of
#   their lines prefixed "arm64: ";
# - every cipher suite and group the client offers, and a 4 MiB body over
#   AES-GCM, which take the Armv8-A crypto extension paths;
# - the Check unit suites, cross-built.
# Where arm64 programs cannot run here, each check that needs one says so
# on its line and is skipped, never passed.
#
# Usage: tests/arm64.sh        (ARM64_HELLO=/path/to/hello to test another build)
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need_cmd "$OPENSSL" "$PYTHON" file cmp timeout
unset SSL_CERT_FILE SSL_CERT_DIR
t_init

A=${ARM64_HELLO:-$T_ROOT/build/arm64/hello}
UNIT_DIR=$T_ROOT/build/arm64/unit
if [ "$(uname -m)" = aarch64 ]; then
	UNIT_DIR=$T_ROOT/build/host
fi

if [ ! -f "$A" ]; then
	fail "arm64 binary exists" "expected a file at $A (make ARCH=arm64), got none"
	t_finish
	exit 1
fi

# ------------------------------------------------------------------ the file
desc=$(file -b "$A")
case $desc in
*"ARM aarch64"*"statically linked"*", stripped"*) pass "file(1): aarch64, statically linked, stripped" ;;
*) fail "file(1): aarch64, statically linked, stripped" "got '$desc'" ;;
esac

# certgen ran on the build machine for both: the same roots, the same bytes.
if [ -f "$T_ROOT/build/gen/cabundle.c" ] && [ -f "$T_ROOT/build/arm64/gen/cabundle.c" ]; then
	expect_same_file "arm64 embeds the amd64 build's CA bundle" \
		"$T_ROOT/build/gen/cabundle.c" "$T_ROOT/build/arm64/gen/cabundle.c"
else
	fail "arm64 embeds the amd64 build's CA bundle" "build/gen/cabundle.c or build/arm64/gen/cabundle.c missing"
fi

# ------------------------------------------------------------------ can it run here?
# Every check below runs aarch64 code: natively on an aarch64 machine, else
# through an enabled binfmt_misc entry for aarch64 ELF files (qemu-user).
# Without one, exec fails with ENOEXEC and timeout(1) would hand the file to
# /bin/sh: ask the kernel's table instead.
binfmt_aarch64() {
	local f
	for f in /proc/sys/fs/binfmt_misc/*; do
		[ -f "$f" ] || continue
		grep -qx enabled "$f" && grep -q '^magic 7f454c460201010000000000000000000200b700' "$f" && return 0
	done
	return 1
}
if [ "$(uname -m)" != aarch64 ] && ! binfmt_aarch64; then
	why="no enabled binfmt_misc entry for aarch64 here (as root: scripts/setup arm64-run)"
	for s in "greeting" "static.sh under qemu" "cli.sh under qemu" "integration.sh under qemu" \
		"cipher suites and groups" "4 MiB body over AES-GCM" "unit suites under qemu"; do
		skip "arm64: $s" "$why"
	done
	t_finish
	exit $?
fi
printf 'Hello from a Tiny Container!\n' >"$T_DIR/greeting"
expect_exit "arm64: greeting: 0" 0 "$A"
expect_stdout_file "arm64: greeting, byte-exact" "$T_DIR/greeting"

# ------------------------------------------------------------------ the suites
# sub_suite NAME: tests/NAME.sh with HELLO=$A; its lines prefixed, its
# totals added to ours (a suite that ends without totals is one failure).
sub_suite() {
	local name=$1 line p f sk rc=0
	HELLO=$A bash "$T_LIB_DIR/$name.sh" >"$T_DIR/$name.log" 2>&1 || rc=$?
	sed -n 's/^\(not \)\{0,1\}ok - /&arm64: '"$name"': /p' "$T_DIR/$name.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T_DIR/$name.log" | tail -n 1)
	if [ -z "$line" ]; then
		fail "arm64: $name.sh ran to its end" "exit $rc, last lines: $(tail -n 3 "$T_DIR/$name.log" | tr '\n' '|')"
		return 0
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	sk=$(grep -c '^ok - .* # SKIP ' "$T_DIR/$name.log" || true)
	T_PASSED=$((T_PASSED + p))
	T_FAILED=$((T_FAILED + f))
	T_SKIPPED=$((T_SKIPPED + sk))
	if [ "$f" -eq 0 ] && [ "$rc" -ne 0 ]; then
		fail "arm64: $name.sh exit status" "0 failed but exit $rc"
	fi
}
sub_suite static
sub_suite cli
sub_suite integration

# ------------------------------------------------------------------ crypto paths
pki_issue ca --ca
pki_issue rsa --issuer ca
pki_issue ec --issuer ca --key ec:P-256
CA=$T_PKI/ca.crt

# suite_case LABEL WANT_REGEX s_server options...: one server per case.
suite_case() {
	local label=$1 want=$2
	shift 2
	if ! start_s_server "case" "$@" 2>"$T_DIR/case.err"; then
		fail "$label" "s_server did not start: $(head -n 2 "$T_DIR/case.err" | tr '\n' ' ')"
		return 0
	fi
	expect_exit "$label: 0" 0 "$A" -v --cacert "$CA" "https://127.0.0.1:$SERVER_PORT/"
	if last_ok; then
		expect_grep "$label: negotiated" err "$want"
	fi
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
}
RSA=("$T_PKI/rsa.crt" "$T_PKI/rsa.key")
EC=("$T_PKI/ec.crt" "$T_PKI/ec.key")
for cs in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
	t=${cs#TLS_}
	suite_case "arm64: TLS 1.3 $cs" "TLSv1\\.3, TLS1-3-${t//_/-}" "${RSA[@]}" -tls1_3 -ciphersuites "$cs"
done
# OpenSSL's name=mbedtls's name.
for c in ECDHE-RSA-AES128-GCM-SHA256=AES-128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384=AES-256-GCM-SHA384 \
	ECDHE-RSA-CHACHA20-POLY1305=CHACHA20-POLY1305-SHA256; do
	suite_case "arm64: TLS 1.2 ${c%=*}" "TLSv1\\.2, TLS-ECDHE-RSA-WITH-${c#*=}" "${RSA[@]}" -tls1_2 -cipher "${c%=*}"
done
suite_case "arm64: TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256" "TLSv1\\.2, TLS-ECDHE-ECDSA-WITH-AES-128-GCM" \
	"${EC[@]}" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
for g in X25519 P-256 P-384; do
	suite_case "arm64: TLS 1.3 group $g" "TLSv1\\.3" "${EC[@]}" -tls1_3 -groups "$g"
done

# A body of many full records: AES-GCM decryption at length.
mkdir "$T_DIR/www"
head -c 4194304 /dev/urandom >"$T_DIR/www/big.bin"
start_httpd big --root "$T_DIR/www" --tls "$T_PKI/rsa.crt" "$T_PKI/rsa.key"
expect_exit "arm64: 4 MiB body over AES-GCM: 0" 0 "$A" --cacert "$CA" -o "$T_DIR/big.out" \
	"https://127.0.0.1:$SERVER_PORT/static/big.bin"
expect_same_file "arm64: 4 MiB body arrives intact" "$T_DIR/www/big.bin" "$T_DIR/big.out"

# ------------------------------------------------------------------ unit suites
found=0
for bin in "$UNIT_DIR"/check_*; do
	[ -x "$bin" ] || continue
	found=$((found + 1))
	name=${bin##*/}
	T_RUN_TIMEOUT=300 run "$bin"
	line=$(grep -E '^[0-9]+%: Checks: ' "$T_OUT" | tail -n 1)
	if [ -z "$line" ]; then
		fail "arm64: unit $name" "no Check summary, exit $T_RC"
		continue
	fi
	checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	bad=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 + \2/')
	bad=$((bad))
	if [ "$bad" -eq 0 ] && [ "$T_RC" -eq 0 ]; then
		pass "arm64: unit $name: $checks checks"
	else
		fail "arm64: unit $name" "$bad of $checks checks failed, exit $T_RC: $(grep -m 3 -E ':[EF]:' "$T_OUT" | tr '\n' '|')"
	fi
	grep '^gcm: ' "$T_OUT" | sed 's/^/# /' || true
done
if [ "$found" -eq 0 ]; then
	fail "arm64: unit suites" "none in $UNIT_DIR (make ARCH=arm64 cross-unit)"
fi

t_finish
