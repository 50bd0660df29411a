# shellcheck shell=bash
# Shared helpers for the shell test suites: a private temp dir, a test PKI,
# loopback servers stopped by pid at exit, and labelled checks with a
# closing "N passed, M failed" line.
#
# Usage, from a script that has done `set -eu`:
#   . "$(dirname "$0")/lib.sh"
#   t_init                      # temp dir, trap, counters
#   pki_issue ca --ca           # $T_PKI/ca.crt, ca.key, ca.der
#   pki_issue srv --issuer ca --san "DNS:localhost,IP:127.0.0.1"
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

# t_finish: print the TAP plan and "N passed, M failed"; returns 1 when
# M > 0. (The plan comes last, as TAP allows, so `prove` can run a suite.)
t_finish() {
	echo "1..$((T_PASSED + T_FAILED + T_SKIPPED))"
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

# count_tap FILE RC LABEL: a TAP producer's output FILE (it exited RC) shown,
# and its "ok - " / "not ok - " lines counted; LABEL fails when FILE has no
# result line, or when the producer failed without a failing line.
count_tap() {
	local ok bad sk
	cat "$1"
	ok=$(grep -c '^ok - ' "$1" || true)
	sk=$(grep -c '^ok - .* # SKIP' "$1" || true)
	bad=$(grep -c '^not ok - ' "$1" || true)
	T_PASSED=$((T_PASSED + ok - sk))
	T_SKIPPED=$((T_SKIPPED + sk))
	T_FAILED=$((T_FAILED + bad))
	if [ $((ok + bad)) -eq 0 ]; then
		fail "$3" "no result lines (exit $2)"
	elif [ "$2" -ne 0 ] && [ "$bad" -eq 0 ]; then
		fail "$3" "exit $2 without a failing line"
	fi
}

# skip_all WHY: every check the suite names in T_CHECKS skipped with WHY, and
# the suite ends (for a machine that cannot run any of them).
skip_all() {
	local c
	for c in "${T_CHECKS[@]}"; do
		skip "$c" "$1"
	done
	t_finish
	exit $?
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
	local label=$1 code=$2
	shift 2
	run "$@"
	expect_result "$label" "$code"
}

# expect_result LABEL CODE: expect_exit's verdict on the last run (for a
# run made some other way).
expect_result() {
	local label=$1 code=$2 why
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

# expect_success LABEL: the last run exited 0; otherwise a failure with its
# exit code and the last 20 lines of its stderr.
expect_success() {
	if [ "$T_RC" -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "exit $T_RC"
		tail -n 20 "$T_ERR" | sed 's/^/#   /'
	fi
}

# py_checks ARGS...: runs the Python check script on stdin with ARGS; each
# line it prints, "PASS<TAB>label" or "FAIL<TAB>label<TAB>why", is counted
# (count_verdicts). A script that dies is one failure more.
py_checks() {
	"$PYTHON" - "$@" >"$T_DIR/checks" 2>&1 ||
		echo "FAIL	the checks ran	$(tail -n 1 "$T_DIR/checks")" >>"$T_DIR/checks"
	count_verdicts "$T_DIR/checks"
}

# count_verdicts FILE: a pass or a failure for each PASS/FAIL line of FILE.
count_verdicts() {
	local verdict what why
	while IFS='	' read -r verdict what why; do
		case "$verdict" in
		PASS) pass "$what" ;;
		FAIL) fail "$what" "$why" ;;
		esac
	done <"$1"
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

# expect_lines LABEL out|err N: the last run's stdout/stderr has N lines.
expect_lines() {
	local file=$T_OUT n
	[ "$2" = err ] && file=$T_ERR
	n=$(wc -l <"$file")
	if [ "$n" -eq "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected $3 lines on std$2, got $n: '$(head -c 120 "$file" | tr -c '[:print:]' '.')'"
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
# One certificate maker for every suite and the bench: pki_issue.

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

# pki_issue NAME [options]: a key and a certificate, $T_PKI/NAME.{key,crt,der}.
#   --issuer CA       signed by CA (an earlier pki_issue); default self-signed
#   --ca              a CA: basicConstraints CA:TRUE, keyUsage keyCertSign,
#                     cRLSign, no extendedKeyUsage, no SAN; 10 years
#   --pathlen N       with --ca: a path length constraint
#   --subj DN         default /CN=<first SAN value>, or /CN=Hello Test CA NAME
#   --cn CN           the same as --subj /CN=CN
#   --san LIST        an openssl subjectAltName list; a leaf's default is
#                     DNS:localhost,IP:127.0.0.1,IP:::1
#   --no-san          no subjectAltName
#   --key SPEC        rsa:BITS or ec:CURVE (default rsa:2048); an existing
#                     NAME.key is reused
#   --md DIGEST       signature digest (default sha256)
#   --bc VALUE        basicConstraints (default critical,CA:FALSE for leaves)
#   --ku VALUE|none   keyUsage (leaf default: critical,digitalSignature, plus
#                     keyEncipherment for RSA keys)
#   --eku VALUE|none  extendedKeyUsage (leaf default: serverAuth)
#   --ext LINE        another extension line, e.g. "nameConstraints=..."
#   --days N          validity from now (leaf default 825)
#   --start T --end T validity as YYYYMMDDHHMMSSZ (expired, not yet valid)
pki_issue() {
	local name=$1 issuer="" ca=0 pathlen="" subj="" san=default key=rsa:2048 md=sha256
	local bc="" ku=default eku=default days="" start="" end="" extra=()
	local dir=$T_PKI/$1.issue signer=() dates=()
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--ca) ca=1 && shift && continue ;;
		--no-san) san="" && shift && continue ;;
		--issuer | --pathlen | --subj | --cn | --san | --key | --md | --bc | --ku | --eku | \
			--ext | --days | --start | --end)
			if [ $# -lt 2 ]; then
				echo "pki_issue: $1 needs a value" >&2
				return 1
			fi
			;;
		*)
			echo "pki_issue: unknown option $1" >&2
			return 1
			;;
		esac
		case $1 in
		--issuer) issuer=$2 ;;
		--pathlen) pathlen=$2 ;;
		--subj) subj=$2 ;;
		--cn) subj=/CN=$2 ;;
		--san) san=$2 ;;
		--key) key=$2 ;;
		--md) md=$2 ;;
		--bc) bc=$2 ;;
		--ku) ku=$2 ;;
		--eku) eku=$2 ;;
		--ext) extra+=("$2") ;;
		--days) days=$2 ;;
		--start) start=$2 ;;
		--end) end=$2 ;;
		esac
		shift 2
	done
	if [ "$ca" -eq 1 ]; then
		[ "$san" != default ] || san=""
		[ -n "$bc" ] || bc="critical,CA:TRUE${pathlen:+,pathlen:$pathlen}"
		[ "$ku" != default ] || ku="critical,keyCertSign,cRLSign"
		[ "$eku" != default ] || eku=none
		[ -n "$subj" ] || subj="/CN=Hello Test CA $name"
		[ -n "$days" ] || days=3650
	else
		[ "$san" != default ] || san="DNS:localhost,IP:127.0.0.1,IP:::1"
		[ -n "$bc" ] || bc="critical,CA:FALSE"
		if [ "$ku" = default ]; then
			case $key in
			ec:*) ku="critical,digitalSignature" ;;
			*) ku="critical,digitalSignature,keyEncipherment" ;;
			esac
		fi
		[ "$eku" != default ] || eku=serverAuth
		if [ -z "$subj" ]; then
			subj=${san%%,*}
			subj=/CN=${subj#*:}
		fi
		[ -n "$days" ] || days=825
	fi
	mkdir -p "$dir"
	: >"$dir/index.txt"
	{
		echo "basicConstraints = $bc"
		[ "$ku" = none ] || echo "keyUsage = $ku"
		[ "$eku" = none ] || echo "extendedKeyUsage = $eku"
		[ -z "$san" ] || echo "subjectAltName = $san"
		echo "subjectKeyIdentifier = hash"
		[ -z "$issuer" ] || echo "authorityKeyIdentifier = keyid"
		[ "${#extra[@]}" -eq 0 ] || printf '%s\n' "${extra[@]}"
	} >"$dir/ext"
	# `openssl ca` rather than `x509 -req`: it takes start and end dates
	# (OpenSSL 3.0's x509 has only -days). An empty policy with -preserveDN
	# keeps the subject as given.
	printf '%s\n' "[ ca ]" "default_ca = test_ca" "[ test_ca ]" \
		"database = $dir/index.txt" "new_certs_dir = $dir" "serial = $dir/serial" \
		"default_md = $md" \
		"policy = policy_any" "unique_subject = no" "email_in_dn = no" \
		"copy_extensions = none" "[ policy_any ]" >"$dir/openssl.cnf"
	if [ -n "$start" ]; then
		dates=(-startdate "$start" -enddate "$end")
	else
		dates=(-days "$days")
	fi
	if [ -n "$issuer" ]; then
		signer=(-cert "$T_PKI/$issuer.crt" -keyfile "$T_PKI/$issuer.key")
	else
		signer=(-selfsign -keyfile "$T_PKI/$name.key")
	fi
	[ -s "$T_PKI/$name.key" ] || pki_key "$T_PKI/$name.key" "$key"
	if ! { "$OPENSSL" req -new -key "$T_PKI/$name.key" -subj "$subj" -out "$dir/req.csr" &&
		"$OPENSSL" ca -batch -notext -preserveDN -rand_serial -config "$dir/openssl.cnf" \
			"${signer[@]}" "${dates[@]}" -extfile "$dir/ext" \
			-in "$dir/req.csr" -out "$T_PKI/$name.crt" &&
		"$OPENSSL" x509 -in "$T_PKI/$name.crt" -outform DER -out "$T_PKI/$name.der"; } \
		>"$dir/log" 2>&1; then
		echo "pki_issue $name: openssl failed:" >&2
		sed 's/^/  /' "$dir/log" >&2
		return 1
	fi
}
