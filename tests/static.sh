#!/bin/bash
# run-order: 10
# Checks that hello can live alone in a `FROM scratch` image: a static,
# stripped ELF within its size budget (bench/targets) that, chrooted into an
# empty directory holding only itself (and a CA file), prints the greeting
# and completes a verified HTTPS request to an openssl s_server on 127.0.0.1.
#
# Usage: tests/static.sh        (HELLO=/path/to/hello to test another build)
# Prints "ok - ..." / "not ok - ..." per check and "N passed, M failed" last.
set -eu

. "$(dirname "$0")/lib.sh"

# The size budget, defined once in bench/targets (bench/RESULTS.md has the
# breakdown).
MAX_SIZE=$(awk '$1 == "binary-size" { print $3 }' "$T_ROOT/bench/targets")
case $MAX_SIZE in
'' | *[!0-9]*)
	echo "static.sh: no binary-size budget in bench/targets" >&2
	exit 2
	;;
esac

need_cmd readelf "$OPENSSL" timeout cmp
unset SSL_CERT_FILE SSL_CERT_DIR
t_init

if [ ! -f "$HELLO" ]; then
	fail "binary under test exists" "expected a file at $HELLO, got none"
	t_finish
	exit 1
fi

# ------------------------------------------------------------------ ELF
readelf -lW "$HELLO" >"$T_DIR/phdrs" 2>&1 || true
readelf -dW "$HELLO" >"$T_DIR/dynamic" 2>&1 || true
readelf -SW "$HELLO" >"$T_DIR/sections" 2>&1 || true

if grep -q 'Not an ELF file\|Error:' "$T_DIR/phdrs"; then
	fail "is an ELF file" "expected an ELF, got '$(head -n 1 "$T_DIR/phdrs")'"
else
	pass "is an ELF file"
fi
if grep -q 'INTERP' "$T_DIR/phdrs"; then
	fail "static: no PT_INTERP" "expected no program interpreter, got '$(grep -m 1 'interpreter' "$T_DIR/phdrs" | sed 's/^ *//')'"
else
	pass "static: no PT_INTERP"
fi
if grep -q 'There is no dynamic section' "$T_DIR/dynamic"; then
	pass "static: no dynamic section"
else
	fail "static: no dynamic section" "expected none, got '$(grep -m 1 'NEEDED\|Dynamic section' "$T_DIR/dynamic" | sed 's/^ *//')'"
fi
if grep -q ' \.symtab ' "$T_DIR/sections"; then
	fail "stripped: no .symtab" "expected no .symtab section, got one"
else
	pass "stripped: no .symtab"
fi
if command -v file >/dev/null 2>&1; then
	desc=$(file -b "$HELLO")
	case $desc in
	*"statically linked"*", stripped"*) pass "file(1): statically linked, stripped" ;;
	*) fail "file(1): statically linked, stripped" "expected 'statically linked ... stripped', got '$desc'" ;;
	esac
else
	skip "file(1): statically linked, stripped" "file is not installed"
fi
size=$(wc -c <"$HELLO")
if [ "$size" -le "$MAX_SIZE" ]; then
	pass "size $size <= $MAX_SIZE bytes"
else
	fail "size <= $MAX_SIZE bytes" "expected at most $MAX_SIZE, got $size"
fi

# ------------------------------------------------------------------ alone in a chroot
if [ "$(id -u)" -ne 0 ]; then
	skip "chroot checks" "chroot needs root"
	t_finish
	exit $?
fi

pki_issue ca --ca
pki_issue srv --issuer ca
start_s_server tls "$T_PKI/srv.crt" "$T_PKI/srv.key"
TLS=$SERVER_PORT
CLOSED=$(free_port)

# What `FROM scratch` + `COPY hello ca.pem /` gives: no /etc, /dev, /proc,
# /tmp, no loader, no certificate store, an empty environment.
JAIL=$T_DIR/jail
mkdir "$JAIL"
cp "$HELLO" "$JAIL/hello"
chmod 0755 "$JAIL/hello"
cp "$T_PKI/ca.crt" "$JAIL/ca.pem"
CHROOT=$(command -v chroot)
printf 'Hello from a Tiny Container!\n' >"$T_DIR/greeting"

expect_exit "chroot: greeting: 0" 0 env -i "$CHROOT" "$JAIL" /hello
expect_stdout_file "chroot: greeting, byte-exact" "$T_DIR/greeting"
expect_exit "chroot: --version: 0" 0 env -i "$CHROOT" "$JAIL" /hello --version
expect_exit "chroot: verified HTTPS with --cacert: 0" 0 \
	env -i "$CHROOT" "$JAIL" /hello --cacert /ca.pem "https://127.0.0.1:$TLS/"
expect_grep "chroot: HTTPS body received" out 'Protocol +: TLSv1\.[23]'
expect_exit "chroot: verified HTTPS with SSL_CERT_FILE: 0" 0 \
	env -i SSL_CERT_FILE=/ca.pem "$CHROOT" "$JAIL" /hello "https://127.0.0.1:$TLS/"
expect_exit "chroot: --healthcheck over HTTPS: 0" 0 \
	env -i "$CHROOT" "$JAIL" /hello --healthcheck --cacert /ca.pem "https://127.0.0.1:$TLS/"
expect_exit "chroot: embedded bundle, test CA unknown: 60" 60 \
	env -i "$CHROOT" "$JAIL" /hello "https://127.0.0.1:$TLS/"
expect_exit "chroot: closed port: 7" 7 \
	env -i "$CHROOT" "$JAIL" /hello "http://127.0.0.1:$CLOSED/"
expect_exit "chroot: --healthcheck closed port: 1" 1 \
	env -i "$CHROOT" "$JAIL" /hello --healthcheck "http://127.0.0.1:$CLOSED/"

# With fds closed and no /dev/null to stand in (the jail has no /dev),
# nothing may go into the connection: hello holds fds 0-2 with a pipe.
RECORD=$T_DIR/record.log
start_httpd rec --log "$RECORD"
REC=http://127.0.0.1:$SERVER_PORT/record
# jailed_closed LABEL CODE REDIRECTION [hello options]
jailed_closed() {
	local label=$1 code=$2 redir=$3
	shift 3
	: >"$RECORD"
	expect_exit "$label: $code" "$code" bash -c "exec env -i \"\$0\" \"$JAIL\" /hello \"\$@\" $redir" \
		"$CHROOT" "$@" "$REC"
	sleep 0.2
	if grep -qx 'after-response: 0 bytes' "$RECORD"; then
		pass "$label: nothing sent after the request"
	else
		fail "$label: nothing sent after the request" "expected 'after-response: 0 bytes', got '$(tr '\n' ' ' <"$RECORD")'"
	fi
}
jailed_closed "chroot without /dev: stdout closed" 23 '>&-'
jailed_closed "chroot without /dev: stderr closed, -v" 0 '2>&-' -v
jailed_closed "chroot without /dev: all three closed, -o /out" 0 '<&- >&- 2>&-' -o /out
expect_exit "chroot without /dev: greeting with stdout closed: 23" 23 \
	bash -c 'exec env -i "$0" "$1" /hello >&-' "$CHROOT" "$JAIL"

t_finish
