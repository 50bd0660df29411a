#!/bin/bash
# run-order: 50
# Deadlines: servers that stall (tests/servers/stall.py) must not hold the
# client past --max-time / --connect-timeout. Each case checks the exit code
# (28, one "hello: <what>: <why>" line) and the elapsed time: no earlier than
# the limit less 0.1 s (the limit, not another error, ended it) and no later
# than the limit plus 0.5 s.
set -eu
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need_cmd "$PYTHON" "$OPENSSL" timeout
if [ ! -x "$HELLO" ]; then
	echo "missing $HELLO: run make first" >&2
	exit 2
fi
t_init
unset SSL_CERT_FILE

pki_issue ca --ca
pki_issue srv --issuer ca

# expect_between LABEL MIN_MS MAX_MS: the last run took MIN_MS..MAX_MS.
expect_between() {
	if [ "$T_ELAPSED_MS" -ge "$2" ] && [ "$T_ELAPSED_MS" -le "$3" ]; then
		pass "$1 (${T_ELAPSED_MS} ms)"
	else
		fail "$1" "expected ${2}..${3} ms, got ${T_ELAPSED_MS} ms"
	fi
}

# deadline LABEL LIMIT_MS URL [hello options]: exit 28 within the limit.
deadline() {
	local label=$1 limit=$2 url=$3
	shift 3
	expect_exit "$label: exit 28" 28 "$HELLO" "$@" "$url"
	expect_between "$label: ends at the deadline" $((limit - 100)) $((limit + 500))
}

CA=(--cacert "$T_PKI/ca.crt")

# --- accepts, never answers
start_stall silent silent
deadline "http, never answers, -m 2" 2000 "http://127.0.0.1:$SERVER_PORT/" -m 2
deadline "https, never answers, -m 2" 2000 "https://localhost:$SERVER_PORT/" -m 2 "${CA[@]}"
deadline "http, never answers, -m 0.5" 500 "http://127.0.0.1:$SERVER_PORT/" -m 0.5
deadline "https, never answers, --connect-timeout 1 (covers the handshake)" 1000 \
	"https://localhost:$SERVER_PORT/" --connect-timeout 1 -m 5 "${CA[@]}"

# --- stalls mid-handshake
start_stall tls-silent tls-silent
deadline "https, ClientHello read, no reply, -m 2" 2000 "https://localhost:$SERVER_PORT/" -m 2 "${CA[@]}"
start_stall tls-half tls-half
deadline "https, half a ServerHello, -m 2" 2000 "https://localhost:$SERVER_PORT/" -m 2 "${CA[@]}"
deadline "https, half a ServerHello, --connect-timeout 1" 1000 \
	"https://localhost:$SERVER_PORT/" --connect-timeout 1 "${CA[@]}"

# --- drips: every byte resets no timer, the whole transfer has -m
start_stall drip drip
deadline "http, body at 1 byte/s, -m 2" 2000 "http://127.0.0.1:$SERVER_PORT/" -m 2 -o "$T_DIR/drip.out"
start_stall drip-head drip-head
deadline "http, head at 1 byte/s, -m 2" 2000 "http://127.0.0.1:$SERVER_PORT/" -m 2
start_stall drip-tls drip --tls "$T_PKI/srv.crt" "$T_PKI/srv.key"
deadline "https, body at 1 byte/s, -m 2" 2000 "https://localhost:$SERVER_PORT/" -m 2 "${CA[@]}" -o "$T_DIR/drip.out"
# The connect timeout ends with the handshake: a slow body is -m's business.
deadline "https, body at 1 byte/s, --connect-timeout 1 -m 3" 3000 \
	"https://localhost:$SERVER_PORT/" --connect-timeout 1 -m 3 "${CA[@]}" -o "$T_DIR/drip.out"

# --- connect() itself hangs: a full accept queue drops the SYN
start_stall tarpit tarpit
deadline "connect hangs, --connect-timeout 1" 1000 "http://127.0.0.1:$SERVER_PORT/" --connect-timeout 1
deadline "connect hangs, --connect-timeout 1, https" 1000 "https://localhost:$SERVER_PORT/" --connect-timeout 1 "${CA[@]}"
deadline "connect hangs, -m 2" 2000 "http://127.0.0.1:$SERVER_PORT/" -m 2

# --- --healthcheck: exit 1 within its own 5 s limit, with one stderr line
# saying why (README: "1 unhealthy with one stderr line saying why")
# healthcheck LABEL [hello options] URL
healthcheck() {
	local label=$1
	shift
	expect_exit "$label: exit 1" 1 "$HELLO" --healthcheck "$@"
	expect_between "$label: within 5.5 s" 4900 5500
}
start_stall hc silent
healthcheck "--healthcheck, http never answers" "http://127.0.0.1:$SERVER_PORT/"
healthcheck "--healthcheck, https never answers" "${CA[@]}" "https://localhost:$SERVER_PORT/"
start_stall hc-drip drip
healthcheck "--healthcheck, body at 1 byte/s" "http://127.0.0.1:$SERVER_PORT/"
expect_grep "--healthcheck, body at 1 byte/s: says the body was still arriving" err \
	'still arriving .*\([0-9]+ bytes received\)'

# --- name lookups: musl's resolver waits as long as resolv.conf says and
# cannot be interrupted; the deadline bounds it all the same (28, or 1 for
# a probe). tests/servers/dns-jail runs hello in a network of its own whose
# one DNS server never answers, and times hello alone.
# lookup LABEL LIMIT_MS CODE RESOLV_OPTIONS [hello options] URL: LIMIT_MS 0
# means no wait at all (under 500 ms).
lookup() {
	local label=$1 limit=$2 code=$3 options=$4
	shift 4
	run "$T_LIB_DIR/servers/dns-jail" "$T_DIR/jail.ms" "$options" "$HELLO" "$@"
	if [ "$T_RC" -eq 99 ]; then
		skip "$label" "$(head -n 1 "$T_ERR")"
		return 0
	fi
	expect_result "$label: exit $code" "$code"
	T_ELAPSED_MS=$(cat "$T_DIR/jail.ms" 2>/dev/null || echo -1)
	if [ "$limit" -eq 0 ]; then
		expect_between "$label: no wait for the resolver" 0 500
	else
		expect_between "$label: ends at the deadline" $((limit - 100)) $((limit + 500))
	fi
}
lookup "DNS never answers, -m 2" 2000 28 "timeout:10 attempts:1" -m 2 http://never.test/
lookup "DNS never answers, -m 2, https" 2000 28 "timeout:10 attempts:1" -m 2 https://never.test/
lookup "DNS never answers, --connect-timeout 1" 1000 28 "timeout:10 attempts:1" \
	--connect-timeout 1 http://never.test/
lookup "DNS never answers, --connect-timeout 1 -m 5" 1000 28 "timeout:5 attempts:3" \
	--connect-timeout 1 -m 5 http://never.test/
lookup "DNS never answers, --healthcheck, resolv.conf timeout:10" 5000 1 "timeout:10 attempts:2" \
	--healthcheck http://never.test/healthz
lookup "DNS never answers, a name with a trailing dot, -m 1" 1000 28 "timeout:10" \
	-m 1 http://never.test./
lookup "--resolve skips the lookup" 0 7 "timeout:10" -m 2 \
	--resolve "never.test:1:127.0.0.1" http://never.test:1/
lookup "localhost needs no resolver" 0 7 "timeout:10" -m 2 http://localhost:1/
lookup "an address needs no resolver" 0 7 "timeout:10" -m 2 http://127.0.0.1:1/

# --- a CA file that is not a regular file: read until the deadline at
# most. A FIFO with no writer reads as empty (77) at once; one whose writer
# never writes ends at the deadline (28; 1 for a probe); a pipe that
# delivers (process substitution) is read like a file.
mkfifo "$T_DIR/ca.fifo"
expect_exit "--cacert FIFO without a writer: 77" 77 "$HELLO" -m 5 --cacert "$T_DIR/ca.fifo" \
	"https://localhost:1/"
expect_elapsed_below "--cacert FIFO without a writer: at once" 1000
# This shell holds the FIFO open for writing, and writes nothing.
exec 7<>"$T_DIR/ca.fifo"
deadline "--cacert FIFO, silent writer, -m 1" 1000 "https://localhost:1/" -m 1 --cacert "$T_DIR/ca.fifo"
expect_exit "SSL_CERT_FILE FIFO, silent writer, -m 1: exit 28" 28 \
	env SSL_CERT_FILE="$T_DIR/ca.fifo" "$HELLO" -m 1 "https://localhost:1/"
expect_between "SSL_CERT_FILE FIFO, silent writer, -m 1: ends at the deadline" 900 1500
healthcheck "--healthcheck, --cacert FIFO, silent writer" --cacert "$T_DIR/ca.fifo" "https://localhost:1/"
expect_exit "--healthcheck, SSL_CERT_FILE FIFO, silent writer: exit 1" 1 \
	env SSL_CERT_FILE="$T_DIR/ca.fifo" "$HELLO" --healthcheck "https://localhost:1/"
expect_between "--healthcheck, SSL_CERT_FILE FIFO, silent writer: within 5.5 s" 4900 5500
exec 7>&-
start_stall ca-read silent
expect_exit "--cacert <(cat ca.crt) is read, the server reached: 28" 28 "$HELLO" -m 1 \
	--cacert <(cat "$T_PKI/ca.crt") "https://localhost:$SERVER_PORT/"
expect_grep "--cacert <(cat ca.crt): the handshake timed out, not the file" err 'TLS handshake'

t_finish
