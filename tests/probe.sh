#!/bin/bash
# run-order: 55
# The probe and the request options behind it, against real peers on
# 127.0.0.1 and a unix socket: client certificates (openssl s_server
# -Verify), -X/-d/-u and user:password@ as a scripted server receives them,
# --unix-socket, and --healthcheck's rules: --expect-status, --expect-body,
# tcp:// and tls:// targets, several targets under one deadline, and
# ${NAME} / ${NAME:-default} / HEALTHCHECK_URL from the environment.
#
# Usage: tests/probe.sh        (HELLO=/path/to/hello to test another build)
# ${NAME} in single quotes is what the probe must see unexpanded.
# shellcheck disable=SC2016
set -eu

. "$(dirname "$0")/lib.sh"

need_cmd "$OPENSSL" "$PYTHON" timeout base64
unset SSL_CERT_FILE SSL_CERT_DIR HEALTHCHECK_URL
t_init

# ------------------------------------------------------------------ PKI
pki_issue ca --ca
pki_issue srv --issuer ca
pki_issue clientca --ca --cn "Hello Test Client CA"
pki_issue other --ca --cn "Hello Test Other CA"
pki_issue rsa --issuer clientca --cn "client rsa" --san DNS:client.test --eku clientAuth
pki_issue ec --issuer clientca --cn "client ec" --san DNS:client.test --eku clientAuth --key ec:P-256
pki_issue stranger --issuer other --cn "client stranger" --san DNS:client.test --eku clientAuth
CA=(--cacert "$T_PKI/ca.crt")
# Each key in each PEM form: PKCS#8 as made, PKCS#1 (RSA) or SEC1 (EC) as
# "traditional", and an encrypted one.
for k in rsa ec; do
	cp "$T_PKI/$k.key" "$T_PKI/$k.pkcs8.key"
	"$OPENSSL" pkey -in "$T_PKI/$k.key" -traditional -out "$T_PKI/$k.trad.key"
	"$OPENSSL" pkey -in "$T_PKI/$k.key" -aes256 -passout pass:secret -out "$T_PKI/$k.enc.key"
	"$OPENSSL" pkey -in "$T_PKI/$k.key" -traditional -aes256 -passout pass:secret -out "$T_PKI/$k.enc-trad.key"
done
if grep -q 'BEGIN RSA PRIVATE KEY' "$T_PKI/rsa.trad.key" && grep -q 'BEGIN EC PRIVATE KEY' "$T_PKI/ec.trad.key"; then
	pass "keys in PKCS#1 and SEC1 made for the cases"
else
	fail "keys in PKCS#1 and SEC1 made for the cases" "expected BEGIN RSA / EC PRIVATE KEY"
fi
cat "$T_PKI/ec.crt" "$T_PKI/ec.key" >"$T_PKI/ec.both.pem"
printf 'not a key\n' >"$T_DIR/garbage.pem"

# ------------------------------------------------------------------ client certificates
# mtls LABEL CODE TLS_VERSION_OPTION [hello options]: against s_server that
# demands a certificate from clientca.
mtls() {
	local label=$1 code=$2 version=$3
	shift 3
	start_s_server "mtls" "$T_PKI/srv.crt" "$T_PKI/srv.key" "$version" -Verify 1 -verify_return_error \
		-CAfile "$T_PKI/clientca.crt"
	expect_exit "$label: $code" "$code" "$HELLO" "${CA[@]}" "$@" "https://localhost:$SERVER_PORT/"
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
}
# A refusal ends the handshake in TLS 1.2 (35); in TLS 1.3 the server says
# it after the handshake, in answer to the request (56), as curl has it.
for v in -tls1_2 -tls1_3; do
	refused=35
	[ "$v" = -tls1_2 ] || refused=56
	for k in rsa ec; do
		for form in pkcs8 trad; do
			mtls "mTLS $v, $k key ($form)" 0 "$v" --cert "$T_PKI/$k.crt" --key "$T_PKI/$k.$form.key"
		done
	done
	mtls "mTLS $v, certificate and key in one file" 0 "$v" --cert "$T_PKI/ec.both.pem"
	mtls "mTLS $v, no certificate given" "$refused" "$v"
	mtls "mTLS $v, a certificate the server does not trust" "$refused" "$v" \
		--cert "$T_PKI/stranger.crt" --key "$T_PKI/stranger.key"
done
# What the one line says.
start_s_server "mtls13" "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_3 -Verify 1 -verify_return_error -CAfile "$T_PKI/clientca.crt"
run "$HELLO" "${CA[@]}" "https://localhost:$SERVER_PORT/"
expect_grep "mTLS 1.3, none given: says a client certificate is wanted" err 'asks for a client certificate and none was given'
run "$HELLO" "${CA[@]}" --cert "$T_PKI/stranger.crt" --key "$T_PKI/stranger.key" "https://localhost:$SERVER_PORT/"
expect_grep "mTLS 1.3, untrusted one: says it was refused" err 'refused the one given'
kill "$SERVER_PID" 2>/dev/null || true
start_s_server "mtls12" "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_2 -Verify 1 -verify_return_error -CAfile "$T_PKI/clientca.crt"
run "$HELLO" "${CA[@]}" "https://localhost:$SERVER_PORT/"
expect_grep "mTLS 1.2, none given: says a client certificate is wanted" err 'asks for a client certificate and none was given'
# The local files: each problem is 58 and one line, before any connection.
expect_exit "--key that does not match --cert: 58" 58 "$HELLO" "${CA[@]}" --cert "$T_PKI/rsa.crt" \
	--key "$T_PKI/ec.key" "https://localhost:$SERVER_PORT/"
expect_grep "--key that does not match: says so" err 'does not belong to the certificate'
for k in enc enc-trad; do
	expect_exit "encrypted key ($k): 58" 58 "$HELLO" "${CA[@]}" --cert "$T_PKI/rsa.crt" \
		--key "$T_PKI/rsa.$k.key" "https://localhost:$SERVER_PORT/"
	expect_grep "encrypted key ($k): says there is no passphrase prompt" err 'encrypted'
done
expect_exit "--cert missing: 58" 58 "$HELLO" "${CA[@]}" --cert "$T_DIR/nope.pem" --key "$T_PKI/rsa.key" \
	"https://localhost:$SERVER_PORT/"
expect_exit "--cert holds no certificate: 58" 58 "$HELLO" "${CA[@]}" --cert "$T_DIR/garbage.pem" \
	--key "$T_PKI/rsa.key" "https://localhost:$SERVER_PORT/"
expect_exit "--key missing: 58" 58 "$HELLO" "${CA[@]}" --cert "$T_PKI/rsa.crt" --key "$T_DIR/nope.key" \
	"https://localhost:$SERVER_PORT/"
expect_exit "--key holds no key: 58" 58 "$HELLO" "${CA[@]}" --cert "$T_PKI/rsa.crt" --key "$T_DIR/garbage.pem" \
	"https://localhost:$SERVER_PORT/"
expect_exit "--cert without a key anywhere: 58" 58 "$HELLO" "${CA[@]}" --cert "$T_PKI/rsa.crt" \
	"https://localhost:$SERVER_PORT/"
kill "$SERVER_PID" 2>/dev/null || true

# ------------------------------------------------------------------ request options
start_httpd http
HTTP=$SERVER_PORT
H=http://127.0.0.1:$HTTP
start_httpd http2
H2=http://127.0.0.1:$SERVER_PORT
expected() { printf '%b' "$2" >"$T_DIR/want.$1" && echo "$T_DIR/want.$1"; }

expect_exit "-d: 0" 0 "$HELLO" -d 'a=1' -d 'b=two words' "$H/echo-body"
expect_stdout_file "-d: a POST, form type, bodies joined by &" \
	"$(expected d 'METHOD POST\nTYPE application/x-www-form-urlencoded\nBODY a=1&b=two words')"
printf 'line one\r\nline two\nend' >"$T_DIR/data.txt"
expect_exit "-d @file: 0" 0 "$HELLO" -d @"$T_DIR/data.txt" "$H/echo-body"
expect_stdout_file "-d @file: the file without its line breaks" \
	"$(expected dfile 'METHOD POST\nTYPE application/x-www-form-urlencoded\nBODY line oneline twoend')"
expect_exit "-d @- reads stdin: 0" 0 bash -c 'printf "from\nstdin" | "$0" -d @- "$1"' "$HELLO" "$H/echo-body"
expect_stdout_file "-d @-: stdin's bytes" "$(expected dstdin 'METHOD POST\nTYPE application/x-www-form-urlencoded\nBODY fromstdin')"
expect_exit "-d '': an empty POST: 0" 0 "$HELLO" -d '' "$H/echo-body"
expect_stdout_file "-d '': empty body" "$(expected dempty 'METHOD POST\nTYPE application/x-www-form-urlencoded\nBODY ')"
expect_exit "-X PUT -d with a JSON type: 0" 0 "$HELLO" -X PUT -H 'Content-Type: application/json' \
	-d '{"a":1}' "$H/echo-body"
expect_stdout_file "-X PUT -d: method and the user's type" "$(expected put 'METHOD PUT\nTYPE application/json\nBODY {"a":1}')"
expect_exit "-X DELETE: 0" 0 "$HELLO" -X DELETE "$H/echo-body"
expect_stdout_file "-X DELETE: no body" "$(expected del 'METHOD DELETE\nTYPE -\nBODY ')"
expect_exit "-d @missing: 26" 26 "$HELLO" -d @"$T_DIR/nope.txt" "$H/echo-body"
head -c 1048577 /dev/zero | tr '\0' a >"$T_DIR/big.txt"
expect_exit "-d @file over 1 MiB: 26" 26 "$HELLO" -d @"$T_DIR/big.txt" "$H/echo-body"
# Redirects after a POST: 302 and 303 become a GET without the body; 307
# and 308 repeat the POST.
to() { printf '%s/redirect-to?url=%s&code=%s' "$H" "$1" "$2"; }
for code in 302 303; do
	expect_exit "-d -L, $code: 0" 0 "$HELLO" -L -d x=1 "$(to /echo-body "$code")"
	expect_stdout_file "-d -L, $code: a GET, no body" "$(expected r$code 'METHOD GET\nTYPE -\nBODY ')"
done
for code in 307 308; do
	expect_exit "-d -L, $code: 0" 0 "$HELLO" -L -d x=1 "$(to /echo-body "$code")"
	expect_stdout_file "-d -L, $code: the POST again" \
		"$(expected r$code 'METHOD POST\nTYPE application/x-www-form-urlencoded\nBODY x=1')"
done

basic=$(printf 'alice:s3cr:et' | base64)
expect_exit "-u: 0" 0 "$HELLO" -u 'alice:s3cr:et' "$H/headers"
expect_grep "-u: Basic credentials sent" out "^Authorization: Basic $basic"
expect_exit "user:password@ in the URL: 0" 0 "$HELLO" "http://alice:s3cr%3Aet@127.0.0.1:$HTTP/headers"
expect_grep "user:password@: the same credentials, decoded" out "^Authorization: Basic $basic"
expect_no_grep "user:password@: not in the Host" out '^Host: .*@'
expect_exit "-u wins over the URL's: 0" 0 "$HELLO" -u 'alice:s3cr:et' "http://bob:x@127.0.0.1:$HTTP/headers"
expect_grep "-u wins over the URL's: -u's sent" out "^Authorization: Basic $basic"
expect_exit "-H Authorization wins over -u: 0" 0 "$HELLO" -u 'alice:s3cr:et' -H 'Authorization: Bearer T' "$H/headers"
expect_grep "-H Authorization wins over -u: one, the header's" out '^Authorization: Bearer T'
expect_no_grep "-H Authorization wins over -u: not both" out 'Basic'
expect_exit "-u, redirect to another origin: 0" 0 "$HELLO" -L -u 'alice:s3cr:et' "$(to "$H2/headers" 302)"
expect_no_grep "-u, redirect to another origin: not sent there" out 'Authorization'
expect_exit "user@, redirect to another origin: 0" 0 "$HELLO" -L "http://alice:pw@127.0.0.1:$HTTP/redirect-to?url=http://localhost:$HTTP/headers"
expect_no_grep "user@, redirect to another origin: not sent there" out 'Authorization'
expect_exit "-u, redirect on the same origin: 0" 0 "$HELLO" -L -u 'alice:s3cr:et' "$(to /headers 302)"
expect_grep "-u, redirect on the same origin: sent again" out "^Authorization: Basic $basic"

# ------------------------------------------------------------------ --unix-socket
SOCK=$T_DIR/http.sock
start_httpd unix --unix "$SOCK"
for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
expect_exit "--unix-socket: 0" 0 "$HELLO" --unix-socket "$SOCK" "http://app.internal/headers"
expect_grep "--unix-socket: the URL gives the Host" out '^Host: app\.internal$'
expect_grep "--unix-socket: and the path" out '^GET /headers HTTP/1\.1'
expect_exit "--unix-socket, missing socket: 7" 7 "$HELLO" --unix-socket "$T_DIR/nope.sock" "http://x/"
expect_exit "--unix-socket, path too long: 7" 7 "$HELLO" --unix-socket "/$(printf 'a%.0s' $(seq 1 120))" "http://x/"
SOCKS=$T_DIR/https.sock
start_httpd unix-tls --unix "$SOCKS" --tls "$T_PKI/srv.crt" "$T_PKI/srv.key"
for _ in $(seq 1 50); do [ -S "$SOCKS" ] && break; sleep 0.1; done
expect_exit "--unix-socket, https verified for the URL's host: 0" 0 "$HELLO" "${CA[@]}" --unix-socket "$SOCKS" \
	"https://localhost/sni"
expect_stdout_file "--unix-socket, https: SNI from the URL" "$(expected usni 'sni: localhost\n')"
expect_exit "--unix-socket, https, a host the certificate lacks: 60" 60 "$HELLO" "${CA[@]}" \
	--unix-socket "$SOCKS" "https://other.test/"
expect_exit "--healthcheck --unix-socket: 0" 0 "$HELLO" --healthcheck --unix-socket "$SOCK" "http://localhost/"

# ------------------------------------------------------------------ --healthcheck rules
# probe LABEL CODE [hello --healthcheck arguments]: exit 0 with one
# "healthy: ..." line on stdout, or 1 with one line on stderr.
probe() {
	local label=$1 code=$2
	shift 2
	expect_exit "$label: $code" "$code" "$HELLO" --healthcheck "$@"
	if [ "$code" -eq 0 ] && last_ok; then
		expect_grep "$label: one 'healthy:' line" out '^healthy: .* in [0-9]+ ms$'
	fi
}
probe "401 with --expect-status 200-299,401" 0 --expect-status 200-299,401 "$H/status/401"
probe "401 by default" 1 "$H/status/401"
expect_grep "401 by default: names the target and the status" err "^hello: unhealthy: $H/status/401: HTTP error: server returned HTTP 401$"
probe "200 not in --expect-status 204" 1 --expect-status 204 "$H/"
expect_grep "200 not in --expect-status 204: says what was expected" err 'returned HTTP 200 \(expected 204\)'
probe "503 with --expect-status 500-599 (a maintenance page)" 0 --expect-status 500-599 "$H/status/503"
probe "302 without -L is below 400" 0 "$H/redirect/1"
probe "302 with -L, the final 200" 0 -L "$H/redirect/2"
probe "--expect-body found" 0 --expect-body 'integration' "$H/"
probe "--expect-body missing" 1 --expect-body 'ready' "$H/"
expect_grep "--expect-body missing: says what was read" err "does not contain 'ready' \\(17 bytes read\\)"
probe "--expect-body at the end of 64 KiB" 0 --expect-body 'READY' "$H/pad/65531/READY"
probe "--expect-body past 64 KiB" 1 --expect-body 'READY' "$H/pad/65536/READY"
expect_grep "--expect-body past 64 KiB: says how much was read" err 'its first 65536 bytes read'
probe "--expect-body across chunks" 0 --expect-body 'transfer body' "$H/chunked"

start_stall silent silent
SILENT=$SERVER_PORT
CLOSED=$(free_port)
start_s_server tlsonly "$T_PKI/srv.crt" "$T_PKI/srv.key"
TLSONLY=$SERVER_PORT
probe "tcp:// to a listener" 0 "tcp://127.0.0.1:$HTTP"
expect_grep "tcp:// to a listener: connected" out "^healthy: tcp://127\\.0\\.0\\.1:$HTTP: connected in"
probe "tcp:// to a closed port" 1 "tcp://127.0.0.1:$CLOSED"
expect_grep "tcp:// to a closed port: says so" err "tcp://127\\.0\\.0\\.1:$CLOSED: cannot connect"
probe "tls:// with a good certificate" 0 "${CA[@]}" "tls://localhost:$TLSONLY"
expect_grep "tls:// with a good certificate: verified" out "^healthy: tls://localhost:$TLSONLY: TLSv1\\.[23] verified in"
probe "tls:// with an unknown CA" 1 "tls://localhost:$TLSONLY"
expect_grep "tls:// with an unknown CA: peer not verified" err 'peer not verified'
probe "tls:// with a wrong name" 1 "${CA[@]}" --resolve "wrong.test:$TLSONLY:127.0.0.1" "tls://wrong.test:$TLSONLY"
probe "tls:// to a plain HTTP port" 1 "${CA[@]}" "tls://127.0.0.1:$HTTP"
probe "tcp:// without a port" 1 "tcp://127.0.0.1"
probe "udp:// is not a target" 1 "udp://127.0.0.1:53"

# tls:// to a service behind mutual TLS: in TLS 1.3 the server judges the
# client certificate after the handshake, and the probe waits for that.
for v in -tls1_2 -tls1_3; do
	start_s_server "mtls-probe" "$T_PKI/srv.crt" "$T_PKI/srv.key" "$v" -Verify 1 -verify_return_error \
		-CAfile "$T_PKI/clientca.crt"
	probe "tls:// mTLS $v, a trusted client certificate" 0 "${CA[@]}" --cert "$T_PKI/ec.crt" \
		--key "$T_PKI/ec.key" "tls://localhost:$SERVER_PORT"
	kill "$SERVER_PID" 2>/dev/null || true
	start_s_server "mtls-probe" "$T_PKI/srv.crt" "$T_PKI/srv.key" "$v" -Verify 1 -verify_return_error \
		-CAfile "$T_PKI/clientca.crt"
	probe "tls:// mTLS $v, an untrusted client certificate" 1 "${CA[@]}" --cert "$T_PKI/stranger.crt" \
		--key "$T_PKI/stranger.key" "tls://localhost:$SERVER_PORT"
	expect_grep "tls:// mTLS $v, untrusted: says it was refused" err 'refused the one given'
	kill "$SERVER_PID" 2>/dev/null || true
	start_s_server "mtls-probe" "$T_PKI/srv.crt" "$T_PKI/srv.key" "$v" -Verify 1 -verify_return_error \
		-CAfile "$T_PKI/clientca.crt"
	probe "tls:// mTLS $v, no client certificate" 1 "${CA[@]}" "tls://localhost:$SERVER_PORT"
	expect_grep "tls:// mTLS $v, none: says one is wanted" err 'none was given'
	kill "$SERVER_PID" 2>/dev/null || true
done

# Several targets: all must pass; they run at once under the one deadline.
probe "two targets, both up" 0 "$H/" "tcp://127.0.0.1:$HTTP"
expect_grep "two targets, both up: one line naming both" out "^healthy: 2 checks: $H/: HTTP 200 in [0-9]+ ms; tcp://127\\.0\\.0\\.1:$HTTP: connected in [0-9]+ ms$"
probe "three targets, one down" 1 "$H/" "tcp://127.0.0.1:$CLOSED" "${CA[@]}" "tls://localhost:$TLSONLY"
expect_grep "three targets, one down: names the one" err "^hello: unhealthy: 1 of 3 checks failed: tcp://127\\.0\\.0\\.1:$CLOSED: cannot connect"
probe "one slow, one down, -m 2" 1 -m 2 "http://127.0.0.1:$SILENT/" "tcp://127.0.0.1:$CLOSED" "$H/"
expect_elapsed_below "one slow, one down, -m 2: within the deadline" 2700
expect_grep "one slow, one down: names both" err "2 of 3 checks failed: http://127\\.0\\.0\\.1:$SILENT/: timeout: .*; tcp://127\\.0\\.0\\.1:$CLOSED: cannot connect"
sixteen=()
for _ in $(seq 1 16); do sixteen+=("tcp://127.0.0.1:$HTTP"); done
probe "sixteen targets" 0 "${sixteen[@]}"

# The environment: exec-form HEALTHCHECK has no shell to expand $PORT.
penv() { # penv LABEL CODE VAR=VALUE... -- hello arguments
	local label=$1 code=$2 vars=()
	shift 2
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	expect_exit "$label: $code" "$code" env -u HEALTHCHECK_URL "${vars[@]+"${vars[@]}"}" "$HELLO" --healthcheck "$@"
}
penv '${PORT}' 0 PORT="$HTTP" -- 'http://127.0.0.1:${PORT}/'
penv '${PORT} unset' 1 -- 'http://127.0.0.1:${PORT}/'
expect_grep '${PORT} unset: names the variable' err '\$\{PORT\} is not set \(and has no default\)'
penv '${PORT:-default}, unset' 0 -- "http://127.0.0.1:\${PORT:-$HTTP}/"
penv '${PORT:-default}, empty' 0 PORT= -- "http://127.0.0.1:\${PORT:-$HTTP}/"
penv '${PORT:-default}, set' 1 PORT="$CLOSED" -- "http://127.0.0.1:\${PORT:-$HTTP}/"
penv 'a default with : and /' 0 -- "\${URL:-http://127.0.0.1:$HTTP/status/200}"
penv 'scheme and host from the environment' 0 SCHEME=tcp HOST=127.0.0.1 -- "\${SCHEME}://\${HOST}:$HTTP"
penv '${...} in -H' 0 TOKEN=t0k -- -H 'X-Token: ${TOKEN}' "$H/headers"
penv '${...} in --expect-status' 0 CODES=401 -- --expect-status '${CODES:-200}' "$H/status/401"
penv '${...} in --expect-status, bad once expanded' 1 CODES=abc -- --expect-status '${CODES}' "$H/"
penv '${...} in --expect-body' 0 WORD=integration -- --expect-body '${WORD}' "$H/"
penv 'a ${ without its }' 1 -- 'http://127.0.0.1:${PORT'
penv 'not ${NAME} or ${NAME:-x}' 1 -- 'http://127.0.0.1:${PORT:=80}/'
penv '$PORT without braces is left alone' 1 PORT="$HTTP" -- 'http://127.0.0.1:$PORT/'
penv 'HEALTHCHECK_URL, two targets' 0 HEALTHCHECK_URL="$H/ tcp://127.0.0.1:$HTTP" --
penv 'HEALTHCHECK_URL with ${PORT}' 0 HEALTHCHECK_URL='http://127.0.0.1:${PORT}/' PORT="$HTTP" --
penv 'no target and no HEALTHCHECK_URL' 1 --
expect_grep 'no target and no HEALTHCHECK_URL: says so' err 'HEALTHCHECK_URL is not set'
penv 'the command line wins over HEALTHCHECK_URL' 0 HEALTHCHECK_URL="tcp://127.0.0.1:$CLOSED" -- "$H/"
# The report never shows a password.
probe "user:password@ target, down" 1 "http://alice:s3cret@127.0.0.1:$CLOSED/"
expect_no_grep "user:password@ target, down: no password in the line" err 's3cret|alice'

# Bad option values with --healthcheck: one line, 1 (Docker reserves 2).
probe "--expect-status junk" 1 --expect-status 2xx "$H/"
probe "--expect-body without --healthcheck is a usage error" 1 --expect-body x
expect_exit "--expect-body without --healthcheck: 2" 2 "$HELLO" --expect-body x "$H/"
expect_exit "two URLs without --healthcheck: 2" 2 "$HELLO" "$H/" "$H/"

t_finish
