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
	local label=$1 why
	shift
	run "$HELLO" --healthcheck "$@"
	if [ "$T_RC" -ne 1 ]; then
		fail "$label: exit 1" "expected exit 1, got $T_RC"
	elif ! why=$(check_one_error_line); then
		fail "$label: exit 1" "expected $why"
	else
		pass "$label: exit 1"
	fi
	expect_between "$label: within 5.5 s" 4900 5500
}
start_stall hc silent
healthcheck "--healthcheck, http never answers" "http://127.0.0.1:$SERVER_PORT/"
healthcheck "--healthcheck, https never answers" "${CA[@]}" "https://localhost:$SERVER_PORT/"

t_finish
