#!/bin/bash
# run-order: 30
# Integration tests of the hello CLI against servers on 127.0.0.1 / ::1:
# openssl s_server (TLS 1.2, TLS 1.3, bad certificates) and
# tests/integration/httpd.py (plain and TLS HTTP: 404, redirects, broken
# replies), with a CA and certificates made for the run.
#
# Usage: tests/integration.sh        (HELLO=/path/to/hello to test another build)
# Prints "ok - ..." / "not ok - ..." per check and "N passed, M failed" last.
set -eu

. "$(dirname "$0")/lib.sh"

need_cmd "$OPENSSL" "$PYTHON" timeout cmp
# The run must not depend on the caller's trust settings.
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE
t_init

if ! command -v "$HELLO" >/dev/null 2>&1; then
	fail "binary under test exists" "expected an executable at $HELLO, got none"
	t_finish
	exit 1
fi

# ------------------------------------------------------------------ PKI
pki_issue ca --ca
pki_issue other --ca --cn "Hello Test Untrusted Root"
pki_issue srv --issuer ca # DNS:localhost, IP:127.0.0.1, IP:::1
pki_issue ecsrv --issuer ca --key ec:P-256
pki_issue dnsonly --issuer ca --san "DNS:localhost"
pki_issue wrongname --issuer ca --san "DNS:wrong.test"
pki_issue expired --issuer ca --start 20200101000000Z --end 20200201000000Z
pki_issue untrusted --issuer other
pki_issue selfsigned
CA=$T_PKI/ca.crt
printf 'not a certificate\n' >"$T_DIR/garbage.pem"
: >"$T_DIR/empty.pem"

# ------------------------------------------------------------------ servers
start_s_server tls13 "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_3
TLS13=$SERVER_PORT
start_s_server tls12 "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_2
TLS12=$SERVER_PORT
# OpenSSL signs a TLS 1.2 ServerKeyExchange with rsa_pss_rsae_* whenever the
# client offers it; this one is held to PKCS#1 v1.5 to tell the two apart.
start_s_server tls12pkcs1 "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_2 -sigalgs "RSA+SHA256:RSA+SHA384"
TLS12PKCS1=$SERVER_PORT
start_s_server ec13 "$T_PKI/ecsrv.crt" "$T_PKI/ecsrv.key" -tls1_3
EC13=$SERVER_PORT
start_s_server ec12 "$T_PKI/ecsrv.crt" "$T_PKI/ecsrv.key" -tls1_2
EC12=$SERVER_PORT
start_s_server dnsonly "$T_PKI/dnsonly.crt" "$T_PKI/dnsonly.key"
DNSONLY=$SERVER_PORT
start_s_server wrongname "$T_PKI/wrongname.crt" "$T_PKI/wrongname.key"
WRONGNAME=$SERVER_PORT
start_s_server expired "$T_PKI/expired.crt" "$T_PKI/expired.key"
EXPIRED=$SERVER_PORT
start_s_server untrusted "$T_PKI/untrusted.crt" "$T_PKI/untrusted.key"
UNTRUSTED=$SERVER_PORT
start_s_server selfsigned "$T_PKI/selfsigned.crt" "$T_PKI/selfsigned.key"
SELFSIGNED=$SERVER_PORT

DOCROOT=$T_DIR/docroot
mkdir -p "$DOCROOT"
head -c 70000 /dev/urandom >"$DOCROOT/blob.bin"
RECORD=$T_DIR/record.log
start_httpd http --root "$DOCROOT" --log "$RECORD"
HTTP=$SERVER_PORT
start_httpd https --root "$DOCROOT" --tls "$T_PKI/srv.crt" "$T_PKI/srv.key" --log "$RECORD"
HTTPS=$SERVER_PORT
# A second plain server: another port is another origin.
start_httpd http2 --root "$DOCROOT"
HTTP2=$SERVER_PORT
start_stall tarpit tarpit
TARPIT=$SERVER_PORT
CLOSED=$(free_port)

H=http://127.0.0.1:$HTTP
S=https://127.0.0.1:$HTTPS

expected() { # expected NAME TEXT: a file holding TEXT exactly
	printf '%s' "$2" >"$T_DIR/expected.$1"
	echo "$T_DIR/expected.$1"
}

# expect_no_version LABEL MINOR: no -v line names TLS 1.MINOR, except lines
# about what was offered or supported (a ClientHello lists both versions).
expect_no_version() {
	local line
	line=$(grep -E "TLS ?v?1\.$2" "$T_ERR" | grep -viE 'hello|offer|suppor|min|max' | head -n 1) || true
	if [ -n "$line" ]; then
		fail "$1" "expected no TLS 1.$2 line, got '$(printf '%s' "$line" | cut -c1-120)'"
	else
		pass "$1"
	fi
}

# ------------------------------------------------------------------ greeting and usage
expect_exit "greeting: no arguments exits 0" 0 "$HELLO"
expect_stdout_file "greeting: byte-exact line" "$(expected greeting 'Hello from a Tiny Container!
')"
expect_empty "greeting: nothing on stderr" err

expect_exit "--version exits 0" 0 "$HELLO" --version
expect_grep "--version mentions mbedtls" out '[Mm]bed ?TLS|mbedtls|MBEDTLS'
expect_exit "-h exits 0" 0 "$HELLO" -h
expect_grep "-h lists --healthcheck" out '--healthcheck'
expect_exit "--help exits 0" 0 "$HELLO" --help

expect_exit "unknown long option: 2" 2 "$HELLO" --no-such-option "$H/"
expect_exit "option missing its argument: 2" 2 "$HELLO" "$H/" -o
expect_exit "non-numeric --max-redirs: 2" 2 "$HELLO" --max-redirs abc "$H/"
expect_exit "non-numeric --max-time: 2" 2 "$HELLO" -m abc "$H/"
expect_exit "options but no URL: 2" 2 "$HELLO" -f

expect_exit "ftp:// is unsupported: 1" 1 "$HELLO" "ftp://127.0.0.1:$CLOSED/"
expect_exit "unknown scheme: 1" 1 "$HELLO" "foo://127.0.0.1/"
expect_exit "malformed URL 'http://': 3" 3 "$HELLO" "http://"
expect_exit "malformed URL unclosed IPv6 bracket: 3" 3 "$HELLO" "http://[::1/"
expect_exit "malformed URL port 99999: 3" 3 "$HELLO" "http://127.0.0.1:99999/"
expect_exit "malformed URL non-numeric port: 3" 3 "$HELLO" "http://127.0.0.1:12ab/"
expect_exit "malformed URL space in host: 3" 3 "$HELLO" "http://a b/"

# ------------------------------------------------------------------ plain HTTP
expect_exit "http GET: 0" 0 "$HELLO" "$H/"
expect_stdout_file "http GET: body on stdout" "$(expected body 'integration body
')"
expect_empty "http GET: nothing on stderr" err
expect_exit "http -s: 0" 0 "$HELLO" -s "$H/"
expect_empty "http -s: nothing on stderr" err

expect_exit "-o: 0" 0 "$HELLO" -o "$T_DIR/out.bin" "$H/static/blob.bin"
expect_same_file "-o: file holds the 70000-byte body" "$DOCROOT/blob.bin" "$T_DIR/out.bin"
expect_empty "-o: nothing on stdout" out
expect_exit "--output: 0" 0 "$HELLO" --output "$T_DIR/out2.bin" "$H/static/blob.bin"
expect_same_file "--output: file holds the body" "$DOCROOT/blob.bin" "$T_DIR/out2.bin"
expect_exit "binary body to stdout: 0" 0 "$HELLO" "$H/static/blob.bin"
expect_stdout_file "binary body to stdout: byte-exact" "$DOCROOT/blob.bin"

expect_exit "-I: 0" 0 "$HELLO" -I "$H/"
expect_grep "-I: status line printed" out '^HTTP/1\.[01] 200'
expect_grep "-I: headers printed" out '^[Cc]ontent-[Ll]ength: 17'
expect_no_grep "-I: no body" out 'integration body'
expect_exit "--head: 0" 0 "$HELLO" --head "$H/"
expect_grep "--head: status line printed" out '^HTTP/1\.[01] 200'

expect_exit "404 without -f: 0" 0 "$HELLO" "$H/status/404"
expect_stdout_file "404 without -f: body printed" "$(expected 404 'status 404
')"
expect_exit "-f on 404: 22" 22 "$HELLO" -f "$H/status/404"
expect_exit "--fail on 500: 22" 22 "$HELLO" --fail "$H/status/500"
expect_exit "-f on 200: 0" 0 "$HELLO" -f "$H/"

expect_exit "redirect without -L: 0" 0 "$HELLO" "$H/redirect/1"
expect_stdout_file "redirect without -L: 3xx body, not followed" "$(expected moved 'moved
')"
expect_exit "-L follows a redirect: 0" 0 "$HELLO" -L "$H/redirect/1"
expect_stdout_file "-L: final body" "$(expected final 'final body
')"
expect_exit "--location follows 3 redirects: 0" 0 "$HELLO" --location "$H/redirect/3"
expect_stdout_file "--location: final body" "$(expected final 'final body
')"
expect_exit "-L absolute Location: 0" 0 "$HELLO" -L "$H/redirect-to?url=http://127.0.0.1:$HTTP/"
expect_stdout_file "-L absolute Location: final body" "$(expected body 'integration body
')"
expect_exit "-L default max-redirs allows 10: 0" 0 "$HELLO" -L "$H/redirect/10"
expect_exit "-L default max-redirs refuses 11: 47" 47 "$HELLO" -L "$H/redirect/11"
expect_exit "-L redirect loop: 47" 47 "$HELLO" -L "$H/loop"
expect_exit "--max-redirs 2 with 3 hops: 47" 47 "$HELLO" -L --max-redirs 2 "$H/redirect/3"
expect_exit "--max-redirs 3 with 3 hops: 0" 0 "$HELLO" -L --max-redirs 3 "$H/redirect/3"
expect_exit "-L http to https: 0" 0 "$HELLO" -L --cacert "$CA" \
	"$H/redirect-to?url=https://127.0.0.1:$HTTPS/"
expect_stdout_file "-L http to https: final body" "$(expected body 'integration body
')"

expect_exit "-H and -A: 0" 0 "$HELLO" -H 'X-Test: one' --header 'X-Other: two' \
	-A 'probe/1.0' "$H/headers"
expect_grep "-H: first header sent" out '^X-Test: one'
expect_grep "--header: second header sent" out '^X-Other: two'
expect_grep "-A: user agent sent" out '^User-Agent: probe/1\.0'
expect_grep "request has a Host header" out "^Host: 127\\.0\\.0\\.1:$HTTP"
expect_exit "--user-agent: 0" 0 "$HELLO" --user-agent 'long/2' "$H/headers"
expect_grep "--user-agent: sent" out '^User-Agent: long/2'
expect_exit "-H 'Name:' removes a header: 0" 0 "$HELLO" -H 'User-Agent:' "$H/headers"
expect_no_grep "-H 'User-Agent:': no User-Agent sent" out '^User-Agent'

expect_exit "chunked body: 0" 0 "$HELLO" "$H/chunked"
expect_stdout_file "chunked body: decoded" "$(expected chunked 'chunked transfer body
')"
expect_exit "body until close: 0" 0 "$HELLO" "$H/nolength"
expect_stdout_file "body until close: complete" "$(expected nolength 'body until close
')"

expect_exit "closed port: 7" 7 "$HELLO" "http://127.0.0.1:$CLOSED/"
run "$HELLO" -s "http://127.0.0.1:$CLOSED/"
if [ "$T_RC" -eq 7 ] && [ ! -s "$T_ERR" ]; then
	pass "-s on a failure: exit 7, no message"
else
	fail "-s on a failure: exit 7, no message" "expected exit 7 and empty stderr, got exit $T_RC"
fi
expect_exit "-sS on a failure: 7 with one line" 7 "$HELLO" -sS "http://127.0.0.1:$CLOSED/"
expect_exit "empty reply: 52" 52 "$HELLO" "$H/empty"
expect_exit "partial body: 18" 18 "$HELLO" "$H/partial"
expect_exit "connection reset: 56" 56 "$HELLO" "$H/reset"
expect_exit "header line without colon: 8" 8 "$HELLO" "$H/weird"
expect_exit "-m 1 on a silent server: 28" 28 "$HELLO" -m 1 "$H/slow"
expect_elapsed_below "-m 1: gives up within 3 s" 3000
expect_exit "--max-time 0.5 (fraction): 28" 28 "$HELLO" --max-time 0.5 "$H/slow"
expect_elapsed_below "--max-time 0.5: gives up within 2 s" 2000
expect_exit "-m 1 on a stalled body: 28" 28 "$HELLO" -m 1 "$H/slow-body"
expect_exit "--connect-timeout 1 on a full accept queue: 28" 28 "$HELLO" \
	--connect-timeout 1 "http://127.0.0.1:$TARPIT/"
expect_elapsed_below "--connect-timeout 1: gives up within 3 s" 3000
expect_exit "-o into a missing directory: 23" 23 "$HELLO" -o "$T_DIR/no/such/dir/f" "$H/"
if [ -w /dev/full ]; then
	expect_exit "-o /dev/full: 23" 23 "$HELLO" -o /dev/full "$H/static/blob.bin"
else
	skip "-o /dev/full: 23" "/dev/full is not writable here"
fi

# ------------------------------------------------------------------ TLS
expect_exit "TLS 1.3 with --cacert: 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$TLS13/"
expect_grep "TLS 1.3: server reports TLSv1.3" out 'Protocol +: TLSv1\.3'
expect_exit "TLS 1.2 with --cacert (RSA, server signs with RSA-PSS): 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$TLS12/"
expect_grep "TLS 1.2: server reports TLSv1.2" out 'Protocol +: TLSv1\.2'
expect_exit "TLS 1.2 (RSA, server signs with PKCS#1 v1.5): 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$TLS12PKCS1/"
expect_exit "TLS 1.3 -v: 0" 0 "$HELLO" -v --cacert "$CA" "https://127.0.0.1:$TLS13/"
expect_grep "TLS 1.3 -v: reports TLS 1.3" err 'TLS ?v?1\.3'
expect_no_version "TLS 1.3 -v: does not report TLS 1.2 as negotiated" 2
expect_grep "TLS 1.3 -v: reports the suite" err 'AES|CHACHA'
expect_grep "TLS 1.3 -v: reports the peer subject" err 'localhost'
expect_grep "TLS 1.3 -v: reports the verify result" err '[Vv]erif'
expect_exit "TLS 1.2 --verbose: 0" 0 "$HELLO" --verbose --cacert "$CA" "https://127.0.0.1:$TLS12PKCS1/"
expect_grep "TLS 1.2 --verbose: reports TLS 1.2" err 'TLS ?v?1\.2'
expect_no_version "TLS 1.2 --verbose: does not report TLS 1.3 as negotiated" 3
expect_exit "ECDSA P-256 certificate, TLS 1.3: 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$EC13/"
expect_exit "ECDSA P-256 certificate, TLS 1.2: 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$EC12/"

expect_exit "--cacert in DER: 0" 0 "$HELLO" --cacert "$T_PKI/ca.der" "https://127.0.0.1:$TLS13/"
expect_exit "SSL_CERT_FILE: 0" 0 env SSL_CERT_FILE="$CA" "$HELLO" "https://127.0.0.1:$TLS13/"
expect_exit "SSL_CERT_FILE replaces the bundle (other root): 60" 60 \
	env SSL_CERT_FILE="$T_PKI/other.crt" "$HELLO" "https://127.0.0.1:$TLS13/"
expect_exit "--cacert wins over SSL_CERT_FILE: 0" 0 \
	env SSL_CERT_FILE="$T_PKI/other.crt" "$HELLO" --cacert "$CA" "https://127.0.0.1:$TLS13/"
expect_exit "embedded bundle does not trust the test CA: 60" 60 "$HELLO" "https://127.0.0.1:$TLS13/"
expect_grep "embedded bundle: says the CA is unknown" err '[Uu]nknown CA|[Uu]ntrusted|not trusted'
expect_empty "embedded bundle: no body" out

expect_exit "expired certificate: 60" 60 "$HELLO" --cacert "$CA" "https://127.0.0.1:$EXPIRED/"
expect_grep "expired certificate: says expired" err '[Ee]xpired'
expect_exit "wrong name via --resolve: 60" 60 "$HELLO" --cacert "$CA" \
	--resolve "localhost:$WRONGNAME:127.0.0.1" "https://localhost:$WRONGNAME/"
expect_grep "wrong name: says hostname mismatch" err '[Hh]ostname|[Nn]ame mismatch|does not match'
expect_exit "IP literal not in the certificate: 60" 60 "$HELLO" --cacert "$CA" \
	"https://127.0.0.1:$WRONGNAME/"
expect_exit "DNS SAN localhost via --resolve: 0" 0 "$HELLO" --cacert "$CA" \
	--resolve "localhost:$DNSONLY:127.0.0.1" "https://localhost:$DNSONLY/"
expect_exit "DNS SAN localhost: 0" 0 "$HELLO" --cacert "$CA" "https://localhost:$DNSONLY/"
expect_exit "DNS-only certificate, IP literal URL: 60" 60 "$HELLO" --cacert "$CA" \
	"https://127.0.0.1:$DNSONLY/"
expect_exit "IP SAN 127.0.0.1: 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$TLS13/"
expect_exit "certificate from another root: 60" 60 "$HELLO" --cacert "$CA" \
	"https://127.0.0.1:$UNTRUSTED/"
expect_exit "self-signed certificate: 60" 60 "$HELLO" --cacert "$CA" \
	"https://127.0.0.1:$SELFSIGNED/"
expect_exit "TLS to a plain HTTP port: 35" 35 "$HELLO" --cacert "$CA" "https://127.0.0.1:$HTTP/"

expect_exit "--cacert missing file: 77" 77 "$HELLO" --cacert "$T_DIR/nope.pem" "https://127.0.0.1:$TLS13/"
expect_exit "--cacert garbage file: 77" 77 "$HELLO" --cacert "$T_DIR/garbage.pem" "https://127.0.0.1:$TLS13/"
expect_exit "--cacert empty file: 77" 77 "$HELLO" --cacert "$T_DIR/empty.pem" "https://127.0.0.1:$TLS13/"
expect_exit "SSL_CERT_FILE missing file: 77" 77 env SSL_CERT_FILE="$T_DIR/nope.pem" \
	"$HELLO" "https://127.0.0.1:$TLS13/"

# TLS through httpd.py, which speaks HTTP/1.1 and redirects.
expect_exit "https -I: 0" 0 "$HELLO" -I --cacert "$CA" "$S/"
expect_grep "https -I: status line printed" out '^HTTP/1\.[01] 200'
expect_no_grep "https -I: no body" out 'integration body'
expect_exit "https -f on 404: 22" 22 "$HELLO" -f --cacert "$CA" "$S/status/404"
expect_exit "https -L: 0" 0 "$HELLO" -L --cacert "$CA" "$S/redirect/2"
expect_stdout_file "https -L: final body" "$(expected final 'final body
')"
expect_exit "https -o: 0" 0 "$HELLO" --cacert "$CA" -o "$T_DIR/out3.bin" "$S/static/blob.bin"
expect_same_file "https -o: file holds the body" "$DOCROOT/blob.bin" "$T_DIR/out3.bin"
run "$HELLO" -L --cacert "$CA" "$S/redirect-to?url=http://127.0.0.1:$HTTP/"
if [ "$T_RC" -ne 0 ] && [ "$T_RC" -ne 124 ] && why=$(check_one_error_line); then
	pass "-L https to http downgrade refused (exit $T_RC)"
else
	fail "-L https to http downgrade refused" "expected a non-zero exit and one stderr line, got exit $T_RC${why:+ ($why)}"
fi
expect_no_grep "-L https to http: plain body not printed" out 'integration body'

# ------------------------------------------------------------------ credentials and redirects
# Authorization, Cookie and Proxy-Authorization given with -H, and a custom
# Host, go to the origin (scheme, host, port) of the URL asked for and to no
# other, whatever a redirect says, as curl does (CVE-2018-1000007,
# CVE-2022-27776). Each target below is /headers on the server that gets the
# redirected request: its body is the request head it received.
CREDS=(-H 'Authorization: Bearer S3CRET' -H 'Cookie: session=S3CRET' -H 'X-Keep: kept')
# leak LABEL URL [more hello options]: follow URL with the credentials; the
# final request must carry X-Keep but no credential.
leak() {
	local label=$1 url=$2
	shift 2
	expect_exit "$label: 0" 0 "$HELLO" -sSL "${CREDS[@]}" "$@" --cacert "$CA" "$url"
	if last_ok; then
		expect_grep "$label: the other headers go along" out '^X-Keep: kept'
		expect_no_grep "$label: no credential reaches the other origin" out 'S3CRET'
	fi
}
to() { # to URL [CODE]: a redirect from the first plain server to URL
	printf '%s/redirect-to?url=%s&code=%s' "$H" "$(printf '%s' "$1" | sed 's/&/%26/g; s/?/%3F/g')" "${2:-302}"
}
leak "redirect to another port" "$(to "http://127.0.0.1:$HTTP2/headers")"
leak "redirect to another host (127.0.0.1 to localhost)" "$(to "http://localhost:$HTTP/headers")"
leak "redirect from localhost to 127.0.0.1" \
	"http://localhost:$HTTP/redirect-to?url=http://127.0.0.1:$HTTP/headers"
leak "redirect to another scheme (http to https)" "$(to "https://127.0.0.1:$HTTPS/headers")"
leak "network-path redirect (//host:port)" "$(to "//127.0.0.1:$HTTP2/headers")"
for code in 301 303 307 308; do
	leak "$code redirect to another port" "$(to "http://127.0.0.1:$HTTP2/headers" "$code")"
done
leak "two hops, the second back to another origin" \
	"$(to "http://127.0.0.1:$HTTP2/redirect-to?url=http://localhost:$HTTP/headers")"
expect_exit "header names in any case: 0" 0 "$HELLO" -sSL -H 'authorization: Basic UzNDUkVU' \
	-H 'COOKIE: S3CRET' -H 'Proxy-Authorization: Basic S3CRET' "$(to "http://127.0.0.1:$HTTP2/headers")"
expect_no_grep "header names in any case: none reaches the other origin" out 'S3CRET|UzNDUkVU'
expect_exit "same origin keeps the credentials: 0" 0 "$HELLO" -sSL "${CREDS[@]}" "$(to "/headers")"
expect_grep "same origin keeps the credentials: Authorization sent" out '^Authorization: Bearer S3CRET'
expect_grep "same origin keeps the credentials: Cookie sent" out '^Cookie: session=S3CRET'
expect_exit "custom Host, redirect to another host: 0" 0 "$HELLO" -sSL -H 'Host: evil.example' \
	"$(to "http://localhost:$HTTP2/headers")"
expect_grep "custom Host, redirect to another host: Host names the new host" out "^Host: localhost:$HTTP2"
expect_no_grep "custom Host, redirect to another host: the custom Host stays behind" out 'evil\.example'
expect_exit "custom Host, first request: 0" 0 "$HELLO" -sS -H 'Host: evil.example' "$H/headers"
expect_grep "custom Host, first request: sent" out '^Host: evil\.example'

# ------------------------------------------------------------------ closed standard fds
# With fd 1 (or 2) closed, the next socket would take its number and the
# body (or the -v lines) would go back into the connection, over TLS in
# clear text. fds 0-2 are held open from the start; a closed stdout is a
# write error (23), as curl has it. /record notes what the client sent
# after the response.
# closed LABEL CODE REDIRECTION URL [hello options]
closed() {
	local label=$1 code=$2 redir=$3 url=$4
	shift 4
	: >"$RECORD"
	expect_exit "$label: $code" "$code" bash -c "exec \"\$0\" \"\$@\" $redir" "$HELLO" "$@" "$url"
	sleep 0.2
	if grep -qx 'after-response: 0 bytes' "$RECORD"; then
		pass "$label: nothing sent after the request"
	else
		fail "$label: nothing sent after the request" "expected 'after-response: 0 bytes', got '$(tr '\n' ' ' <"$RECORD")'"
	fi
}
closed "stdout closed, http" 23 '>&-' "$H/record"
closed "stdout closed, https" 23 '>&-' "$S/record" --cacert "$CA"
closed "stderr closed, -v, http" 0 '2>&-' "$H/record" -v
closed "stderr closed, -v, https" 0 '2>&-' "$S/record" -v --cacert "$CA"
closed "stdin closed, https" 0 '<&-' "$S/record" --cacert "$CA"
closed "stdin, stdout and stderr closed, https" 0 '<&- >&- 2>&-' "$S/record" --cacert "$CA" -o "$T_DIR/rec.out"
expect_exit "stdout closed, -o FILE: 0" 0 bash -c 'exec "$0" "$@" >&-' "$HELLO" -o "$T_DIR/closed.out" "$H/"
expect_same_file "stdout closed, -o FILE: body in the file" "$(expected body 'integration body
')" "$T_DIR/closed.out"
expect_exit "stdout closed, greeting: 23" 23 bash -c 'exec "$0" >&-' "$HELLO"

# ------------------------------------------------------------------ SNI
# The server name goes out without a trailing dot; an address is never
# sent as a server name (RFC 6066 3).
expect_exit "SNI for a DNS name: 0" 0 "$HELLO" --cacert "$CA" "https://localhost:$HTTPS/sni"
expect_stdout_file "SNI for a DNS name: localhost" "$(expected sni 'sni: localhost
')"
expect_exit "SNI for localhost. (trailing dot): 0" 0 "$HELLO" --cacert "$CA" "https://localhost.:$HTTPS/sni"
expect_stdout_file "SNI for localhost.: sent without the dot" "$(expected sni 'sni: localhost
')"
expect_exit "SNI for an IPv4 address: 0" 0 "$HELLO" --cacert "$CA" "https://127.0.0.1:$HTTPS/sni"
expect_stdout_file "SNI for an IPv4 address: none sent" "$(expected nosni 'sni: (none)
')"
expect_exit "SNI with --resolve: 0" 0 "$HELLO" --cacert "$CA" --resolve "localhost:$HTTPS:127.0.0.1" \
	"https://localhost:$HTTPS/sni"
expect_stdout_file "SNI with --resolve: the URL's name" "$(expected sni 'sni: localhost
')"
expect_exit "localhost. with --resolve: 0" 0 "$HELLO" --cacert "$CA" --resolve "localhost.:$HTTPS:127.0.0.1" \
	"https://localhost.:$HTTPS/"

# ------------------------------------------------------------------ healthcheck
# What Docker keeps of a healthy probe: one line, what was checked and how
# it went; never the body.
expect_exit "--healthcheck healthy http: 0" 0 "$HELLO" --healthcheck "$H/"
expect_grep "--healthcheck healthy: names the target and the status" out "^healthy: $H/: HTTP 200 in [0-9]+ ms\$"
expect_lines "--healthcheck healthy: one line, no body" out 1
expect_empty "--healthcheck healthy: quiet" err
expect_exit "--healthcheck healthy https: 0" 0 "$HELLO" --healthcheck --cacert "$CA" \
	"https://127.0.0.1:$TLS13/"
expect_grep "--healthcheck healthy https: names the target" out "^healthy: https://127\\.0\\.0\\.1:$TLS13/: HTTP 200 in [0-9]+ ms\$"
expect_lines "--healthcheck healthy https: one line, no body" out 1
expect_exit "--healthcheck closed port: 1" 1 "$HELLO" --healthcheck "http://127.0.0.1:$CLOSED/"
expect_exit "--healthcheck 404: 1" 1 "$HELLO" --healthcheck "$H/status/404"
expect_empty "--healthcheck 404: body discarded" out
expect_exit "--healthcheck untrusted certificate: 1" 1 "$HELLO" --healthcheck \
	"https://127.0.0.1:$TLS13/"
expect_exit "--healthcheck -m 1 on a silent server: 1" 1 "$HELLO" --healthcheck -m 1 "$H/slow"
expect_elapsed_below "--healthcheck -m 1: gives up within 3 s" 3000
expect_exit "--healthcheck default time limit: 1" 1 "$HELLO" --healthcheck "$H/slow"
expect_elapsed_below "--healthcheck default time limit: about 5 s" 8000

# ------------------------------------------------------------------ IPv6
if ! ipv6_loopback_usable; then
	skip "IPv6 literal" "no ::1 on this machine"
elif ! start_s_server v6 "$T_PKI/srv.crt" "$T_PKI/srv.key" -accept "[::1]:0" 2>"$T_DIR/v6.err"; then
	skip "IPv6 literal" "openssl s_server cannot listen on [::1]: $(head -n 1 "$T_DIR/v6.err")"
else
	V6=$SERVER_PORT
	expect_exit "https://[::1]:PORT/ with IP SAN ::1: 0" 0 "$HELLO" --cacert "$CA" "https://[::1]:$V6/"
	expect_grep "https://[::1]:PORT/: body received" out 'Protocol +: TLSv1\.[23]'
	expect_exit "--resolve to a bracketed IPv6 address: 0" 0 "$HELLO" --cacert "$CA" \
		--resolve "localhost:$V6:[::1]" "https://localhost:$V6/"
	if start_httpd http6 --bind ::1; then
		expect_exit "http://[::1]:PORT/: 0" 0 "$HELLO" "http://[::1]:$SERVER_PORT/"
		expect_stdout_file "http://[::1]:PORT/: body" "$(expected body 'integration body
')"
	fi
	expect_exit "IPv6 closed port: 7" 7 "$HELLO" "http://[::1]:$CLOSED/"
	if start_httpd https6 --bind ::1 --tls "$T_PKI/srv.crt" "$T_PKI/srv.key"; then
		expect_exit "SNI for an IPv6 address: 0" 0 "$HELLO" --cacert "$CA" "https://[::1]:$SERVER_PORT/sni"
		expect_stdout_file "SNI for an IPv6 address: none sent" "$(expected nosni 'sni: (none)
')"
	fi
fi

# ------------------------------------------------------------------ no network at all
# In a private network namespace nothing can leave the machine, so names
# that would otherwise go to a DNS server are safe here.
if unshare -n true 2>/dev/null; then
	expect_exit "unresolvable host: 6" 6 unshare -n "$HELLO" "http://nonexistent.invalid/"
	# --resolve must bypass the resolver: with loopback down, the connect
	# fails (7) instead of the lookup (6).
	expect_exit "--resolve bypasses DNS: 7 offline" 7 unshare -n "$HELLO" \
		--resolve "wrong.test:$WRONGNAME:127.0.0.1" "https://wrong.test:$WRONGNAME/"
	if last_ok; then
		expect_exit "--resolve to a name in the certificate: 0" 0 "$HELLO" --cacert "$CA" \
			--resolve "wrong.test:$WRONGNAME:127.0.0.1" "https://wrong.test:$WRONGNAME/"
	else
		skip "--resolve to a name in the certificate" "--resolve is not honoured; would query DNS"
	fi
else
	skip "unresolvable host: 6" "cannot create a network namespace (unshare -n)"
fi

t_finish
