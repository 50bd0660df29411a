# shellcheck shell=bash
# Shared helpers for the shell test suites: a private temp dir, a test PKI,
# loopback servers stopped by pid at exit, and labelled checks with a
# closing "N passed, M failed" line.
#
# Usage, from a script that has done `set -eu`:
#   . "$(dirname "$0")/lib.sh"
#   t_init                      # temp dir, trap, counters
#   pki_ca ca                   # $T_PKI/ca.crt, ca.key, ca.der
#   pki_cert ca srv --san "DNS:localhost,IP:127.0.0.1"
#   start_s_server tls13 "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_3
#   expect_exit "label" 0 "$HELLO" --cacert "$T_PKI/ca.crt" "https://127.0.0.1:$SERVER_PORT/"
#   t_finish                    # prints the totals, returns 1 if any failed
#
# Every server is bound to a loopback address; tests never contact another.

T_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_ROOT=$(dirname "$T_LIB_DIR")
HELLO=${HELLO:-$T_ROOT/build/hello}
# What every failure line must start with ("curl: " when curl stands in).
HELLO_PREFIX=${HELLO_PREFIX-hello: }
# Upper bound for any one command under test, so a hang fails one case
# instead of the whole run.
T_RUN_TIMEOUT=${T_RUN_TIMEOUT:-30}
OPENSSL=${OPENSSL:-openssl}
PYTHON=${PYTHON:-/usr/bin/python3}

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_PIDS=()

# ---------------------------------------------------------------- lifecycle

# t_init: make the temp dir ($T_DIR, removed at exit) and install the trap
# that stops every server started through this file.
t_init() {
	T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hello-test.XXXXXX")
	T_PKI=$T_DIR/pki
	T_OUT=$T_DIR/last.out
	T_ERR=$T_DIR/last.err
	mkdir -p "$T_PKI"
	trap t_cleanup EXIT
	trap 't_cleanup; trap - INT; kill -INT $$' INT
	trap 't_cleanup; exit 143' TERM
}

# t_cleanup: kill the servers by pid, then remove the temp dir. Idempotent.
t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do
		wait "$pid" 2>/dev/null || true
	done
	T_PIDS=()
	if [ -n "${T_DIR:-}" ] && [ -d "$T_DIR" ]; then
		rm -rf "$T_DIR"
	fi
}

# t_finish: print "N passed, M failed"; returns 1 when M > 0.
t_finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
}

# need_cmd CMD...: stop early, naming the Debian package, when a tool is
# missing.
need_cmd() {
	local cmd pkg
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 && continue
		case ${cmd##*/} in
		openssl) pkg=openssl ;;
		python3) pkg=python3 ;;
		readelf) pkg=binutils ;;
		file) pkg='file' ;;
		cmp) pkg=diffutils ;;
		unshare) pkg=util-linux ;;
		*) pkg=coreutils ;;
		esac
		echo "missing command: $cmd (Debian package: $pkg)" >&2
		exit 2
	done
}

# ---------------------------------------------------------------- results
# The expect_* and pass/fail/skip functions always return 0.

pass() {
	T_PASSED=$((T_PASSED + 1))
	echo "ok - $1"
}

# fail LABEL WHAT: WHAT is "expected X, got Y"; the first stderr line of the
# last run is appended so the failure explains itself.
fail() {
	local err=""
	if [ -s "${T_ERR:-}" ]; then
		err=$(head -n 3 "$T_ERR" | tr '\n' '|' | cut -c1-300)
		err=${err%|}
	fi
	T_FAILED=$((T_FAILED + 1))
	echo "not ok - $1 ($2; stderr: ${err:-<empty>})"
}

# skip LABEL REASON: counted in neither total.
skip() {
	T_SKIPPED=$((T_SKIPPED + 1))
	echo "ok - $1 # SKIP $2"
}

# ---------------------------------------------------------------- running

# run CMD...: run with a time limit and stdin from /dev/null. Sets T_RC and
# T_ELAPSED_MS; stdout is in $T_OUT, stderr in $T_ERR.
run() {
	local start end
	start=$(date +%s%N)
	T_RC=0
	timeout -k 5 "$T_RUN_TIMEOUT" "$@" </dev/null >"$T_OUT" 2>"$T_ERR" || T_RC=$?
	end=$(date +%s%N)
	T_ELAPSED_MS=$(((end - start) / 1000000))
}

# stderr_lines: number of lines in the last run's stderr (a last line
# without a newline counts).
stderr_lines() {
	local n
	n=$(wc -l <"$T_ERR")
	if [ -s "$T_ERR" ] && [ -n "$(tail -c 1 "$T_ERR")" ]; then
		n=$((n + 1))
	fi
	echo "$n"
}

# check_one_error_line: 0 when stderr is exactly one "<prefix><what>: <why>"
# line, else prints what is wrong and returns 1.
check_one_error_line() {
	local n
	n=$(stderr_lines)
	if [ "$n" -ne 1 ]; then
		echo "exactly one stderr line, got $n"
		return 1
	fi
	if ! head -n 1 "$T_ERR" | grep -q "^${HELLO_PREFIX}.*: .*[^ ]"; then
		echo "a '${HELLO_PREFIX}<what>: <why>' line, got '$(head -n 1 "$T_ERR")'"
		return 1
	fi
	return 0
}

# expect_exit LABEL CODE CMD...: run CMD; pass when it exits CODE and, when
# CODE is not 0, wrote exactly one "hello: <what>: <why>" line to stderr.
# Always returns 0 (scripts run under set -e); `last_ok` tells whether it
# passed, to guard checks that only make sense after a good run.
expect_exit() {
	local label=$1 code=$2 why
	shift 2
	run "$@"
	T_OK=0
	if [ "$T_RC" -ne "$code" ]; then
		if [ "$T_RC" -eq 124 ] || [ "$T_RC" -eq 137 ]; then
			fail "$label" "expected exit $code, got no exit within ${T_RUN_TIMEOUT}s"
		else
			fail "$label" "expected exit $code, got $T_RC"
		fi
	elif [ "$code" -ne 0 ] && ! why=$(check_one_error_line); then
		fail "$label" "expected $why"
	else
		T_OK=1
		pass "$label"
	fi
}

# last_ok: 0 when the last expect_exit passed.
last_ok() {
	[ "${T_OK:-0}" -eq 1 ]
}

# expect_stdout_file LABEL FILE: last run's stdout equals FILE byte for byte.
expect_stdout_file() {
	expect_same_file "$1" "$2" "$T_OUT"
}

# expect_same_file LABEL EXPECTED GOT
expect_same_file() {
	if [ ! -f "$3" ]; then
		fail "$1" "expected file $3 to exist, got none"
	elif cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "expected $(wc -c <"$2") bytes '$(head -c 60 "$2" | tr -c '[:print:]' '.')', got $(wc -c <"$3") bytes '$(head -c 60 "$3" | tr -c '[:print:]' '.')'"
	fi
}

# expect_grep LABEL out|err EREGEX: the last run's stdout/stderr has a match.
expect_grep() {
	local label=$1 file=$T_OUT
	[ "$2" = err ] && file=$T_ERR
	if grep -Eq -- "$3" "$file"; then
		pass "$label"
	else
		fail "$label" "expected std$2 to match /$3/, got '$(head -c 120 "$file" | tr -c '[:print:]' '.')'"
	fi
}

# expect_no_grep LABEL out|err EREGEX: the last run's stdout/stderr has no match.
expect_no_grep() {
	local label=$1 file=$T_OUT
	[ "$2" = err ] && file=$T_ERR
	if grep -Eq -- "$3" "$file"; then
		fail "$label" "expected std$2 not to match /$3/, got '$(grep -Em 1 -- "$3" "$file" | cut -c1-120)'"
	else
		pass "$label"
	fi
}

# expect_empty LABEL out|err
expect_empty() {
	local file=$T_OUT
	[ "$2" = err ] && file=$T_ERR
	if [ -s "$file" ]; then
		fail "$1" "expected empty std$2, got $(wc -c <"$file") bytes '$(head -c 80 "$file" | tr -c '[:print:]' '.')'"
	else
		pass "$1"
	fi
}

# expect_elapsed_below LABEL MS: the last run took less than MS milliseconds.
expect_elapsed_below() {
	if [ "$T_ELAPSED_MS" -lt "$2" ]; then
		pass "$1"
	else
		fail "$1" "expected under ${2} ms, got ${T_ELAPSED_MS} ms"
	fi
}

# ---------------------------------------------------------------- ports

# port_in_use PORT: 0 when a TCP socket (any state) uses PORT locally.
port_in_use() {
	local hex
	hex=$(printf ':%04X ' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{print $2" "}' | grep -q -- "$hex"
}

# port_listening PORT: 0 when something listens on PORT (IPv4 or IPv6).
port_listening() {
	local hex
	hex=$(printf ':%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$hex" 'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 } END { exit !f }'
}

# free_port: print a TCP port nothing uses now (for servers that cannot bind
# port 0 themselves, and for "closed port" cases).
free_port() {
	local port i
	for i in $(seq 1 100); do
		port=$((20000 + (RANDOM * 32768 + RANDOM + i) % 40000))
		if ! port_in_use "$port"; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

# wait_listen PORT [PID]: wait up to 10 s until PORT is listening; fail early
# if PID has exited.
wait_listen() {
	local i
	for i in $(seq 1 100); do
		port_listening "$1" && return 0
		if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- servers

# start_bg LABEL CMD...: start CMD in the background, output in
# $T_DIR/LABEL.log; its pid is $SERVER_PID and is killed at exit.
start_bg() {
	local label=$1
	shift
	: >"$T_DIR/$label.log"
	"$@" </dev/null >>"$T_DIR/$label.log" 2>&1 &
	SERVER_PID=$!
	T_PIDS+=("$SERVER_PID")
}

# wait_log_port LABEL SED_EXPR: wait up to 10 s for the server's log to
# announce its port (extracted by SED_EXPR); sets SERVER_PORT.
wait_log_port() {
	local label=$1 expr=$2 i
	SERVER_PORT=
	for i in $(seq 1 100); do
		SERVER_PORT=$(sed -n "$expr" "$T_DIR/$label.log" | head -n 1)
		[ -n "$SERVER_PORT" ] && return 0
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "server $label did not start:" >&2
	sed 's/^/  /' "$T_DIR/$label.log" >&2
	return 1
}

# start_s_server LABEL CERT KEY [s_server options...]: `openssl s_server -www`
# on 127.0.0.1 (override with -accept given first in the options, e.g.
# "[::1]:0"), on a port it picks itself. Sets SERVER_PORT and SERVER_PID.
# Its body is a status page with "Protocol  : TLSv1.x".
start_s_server() {
	local label=$1 cert=$2 key=$3 accept=127.0.0.1:0
	shift 3
	if [ "${1:-}" = -accept ]; then
		accept=$2
		shift 2
	fi
	start_bg "$label" "$OPENSSL" s_server -accept "$accept" -www \
		-cert "$cert" -key "$key" "$@"
	wait_log_port "$label" 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p'
}

# start_httpd LABEL [httpd.py options...]: tests/integration/httpd.py (plain
# HTTP, or HTTPS with --tls CERT KEY; --bind ::1 for IPv6). Sets SERVER_PORT
# and SERVER_PID.
start_httpd() {
	local label=$1
	shift
	start_bg "$label" "$PYTHON" "$T_LIB_DIR/integration/httpd.py" "$@"
	wait_log_port "$label" 's/^PORT \([0-9][0-9]*\)$/\1/p'
}

# start_stall LABEL MODE [stall.py options...]: tests/servers/stall.py, a
# server that misbehaves in time (never answers, drips, full accept queue).
# Sets SERVER_PORT and SERVER_PID.
start_stall() {
	local label=$1
	shift
	start_bg "$label" "$PYTHON" "$T_LIB_DIR/servers/stall.py" "$@"
	wait_log_port "$label" 's/^PORT \([0-9][0-9]*\)$/\1/p'
}

# ipv6_loopback_usable: 0 when ::1 exists on this machine.
ipv6_loopback_usable() {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null
}

# ---------------------------------------------------------------- PKI

# pki_key FILE SPEC: SPEC is "rsa:BITS" or "ec:CURVE" (e.g. ec:P-256).
pki_key() {
	local file=$1 spec=$2
	case $spec in
	rsa:*) "$OPENSSL" genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${spec#rsa:}" -out "$file" 2>/dev/null ;;
	ec:*) "$OPENSSL" genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${spec#ec:}" -out "$file" 2>/dev/null ;;
	*)
		echo "pki_key: unknown key spec '$spec'" >&2
		return 1
		;;
	esac
}

# pki_ca NAME [--cn CN] [--key SPEC]: a self-signed root, valid for ten
# years, with its own `openssl ca` state. Writes $T_PKI/NAME.{key,crt,der}.
pki_ca() {
	local name=$1 cn="" key=rsa:2048 dir
	shift
	cn="Hello Test CA $name"
	while [ $# -gt 0 ]; do
		case $1 in
		--cn) cn=$2 ;;
		--key) key=$2 ;;
		*)
			echo "pki_ca: unknown option $1" >&2
			return 1
			;;
		esac
		shift 2
	done
	dir=$T_PKI/$name.ca
	mkdir -p "$dir/new"
	: >"$dir/index.txt"
	echo 1000 >"$dir/serial"
	cat >"$dir/openssl.cnf" <<EOF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
certificate = $T_PKI/$name.crt
private_key = $T_PKI/$name.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = supplied

[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \$ENV::PKI_SAN
EOF
	pki_key "$T_PKI/$name.key" "$key"
	"$OPENSSL" req -x509 -new -key "$T_PKI/$name.key" -sha256 -days 3650 \
		-subj "/CN=$cn" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out "$T_PKI/$name.crt" 2>/dev/null
	"$OPENSSL" x509 -in "$T_PKI/$name.crt" -outform DER -out "$T_PKI/$name.der"
}

# pki_cert CA NAME [--san SAN] [--cn CN] [--key SPEC] [--start T --end T]
# [--days N]: a server certificate signed by CA (made by pki_ca). SAN is an
# openssl list, default "DNS:localhost,IP:127.0.0.1,IP:::1". T is
# YYYYMMDDHHMMSSZ; --start/--end make expired or not-yet-valid certificates
# (`x509 -days -1` is refused by OpenSSL 3). Writes $T_PKI/NAME.{key,crt}.
pki_cert() {
	local ca=$1 name=$2 san="DNS:localhost,IP:127.0.0.1,IP:::1" cn=""
	local key=rsa:2048 days=825 dates=()
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--san) san=$2 ;;
		--cn) cn=$2 ;;
		--key) key=$2 ;;
		--start) dates+=(-startdate "$2") ;;
		--end) dates+=(-enddate "$2") ;;
		--days) days=$2 ;;
		*)
			echo "pki_cert: unknown option $1" >&2
			return 1
			;;
		esac
		shift 2
	done
	if [ -z "$cn" ]; then
		cn=${san%%,*}
		cn=${cn#*:}
	fi
	pki_key "$T_PKI/$name.key" "$key"
	"$OPENSSL" req -new -key "$T_PKI/$name.key" -subj "/CN=$cn" \
		-out "$T_PKI/$name.csr" 2>/dev/null
	if ! PKI_SAN=$san "$OPENSSL" ca -batch -notext \
		-config "$T_PKI/$ca.ca/openssl.cnf" -extensions server \
		-days "$days" "${dates[@]+"${dates[@]}"}" \
		-in "$T_PKI/$name.csr" -out "$T_PKI/$name.crt" \
		>"$T_PKI/$name.ca.log" 2>&1; then
		cat "$T_PKI/$name.ca.log" >&2
		return 1
	fi
}

# pki_selfsigned NAME [--san SAN] [--key SPEC]: a self-signed server
# certificate (its own issuer). Writes $T_PKI/NAME.{key,crt}.
pki_selfsigned() {
	local name=$1 san="DNS:localhost,IP:127.0.0.1,IP:::1" key=rsa:2048 cn
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--san) san=$2 ;;
		--key) key=$2 ;;
		*)
			echo "pki_selfsigned: unknown option $1" >&2
			return 1
			;;
		esac
		shift 2
	done
	cn=${san%%,*}
	cn=${cn#*:}
	pki_key "$T_PKI/$name.key" "$key"
	"$OPENSSL" req -x509 -new -key "$T_PKI/$name.key" -sha256 -days 30 \
		-subj "/CN=$cn" -addext "subjectAltName=$san" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-out "$T_PKI/$name.crt" 2>/dev/null
}
