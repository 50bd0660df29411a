#!/bin/bash
# run-order: 35
# TLS matrix: badssl.com's categories reproduced on loopback with
# certificates made here, each case with its expected verdict and exit code.
#   tests/matrix.sh               check every case
#   tests/matrix.sh --write-doc   check, then write docs/TLS-MATRIX.md from
#                                 the observed results
# Servers: `openssl s_server` on 127.0.0.1; `gnutls-serv` for what OpenSSL 3
# refuses to serve (RC4, 3DES, NULL, DHE-512). gnutls-serv cannot be told an
# address and listens on every interface, so it runs in a network namespace
# made here (only its own loopback), and so does the client talking to it.
set -eu
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

DOC=$T_ROOT/docs/TLS-MATRIX.md
write_doc=0
case ${1:-} in
'') ;;
--write-doc) write_doc=1 ;;
*)
	echo "usage: $0 [--write-doc]" >&2
	exit 2
	;;
esac

need_cmd "$OPENSSL" gnutls-serv gnutls-cli unshare nsenter ip timeout
if [ ! -x "$HELLO" ]; then
	echo "missing $HELLO: run make first" >&2
	exit 2
fi
t_init
# The test CA is passed with --cacert; the embedded-bundle cases must not
# pick up a CA file from the caller's environment either.
unset SSL_CERT_FILE

# Debian's openssl.cnf sets @SECLEVEL=2, under which s_server refuses to
# load a 1024-bit key or a SHA-1 chain, or to speak TLS 1.0/1.1.
WEAK=DEFAULT:@SECLEVEL=0

# ---------------------------------------------------------------- PKI

# issue NAME ISSUER [pki_issue options]: a leaf (or, with --ca, a CA) for
# NAME signed by ISSUER, valid for 30 days. NAME.key is reused when it
# exists (the RSA-8192 key is made in the background at start).
issue() {
	local name=$1 issuer=$2
	shift 2
	pki_issue "$name" --issuer "$issuer" --days 30 --cn localhost "$@"
}

# The slowest key first, in the background, while the rest is made.
pki_key "$T_PKI/rsa8192.key" rsa:8192 &
keygen_pid=$!
T_PIDS+=("$keygen_pid")

pki_issue ca --ca
pki_issue other --ca --cn "Hello Untrusted Root"
issue inter ca --ca --subj "/CN=Hello Test Intermediate"
issue inter_sha1 ca --ca --subj "/CN=Hello Test SHA-1 Intermediate" --md sha1
issue srv ca
issue chain_leaf inter
issue sha1inter_leaf inter_sha1
issue sha1inter_ecc inter_sha1 --key ec:P-256
issue sha1_leaf ca --md sha1
issue sha1_leaf_ecc ca --md sha1 --key ec:P-256
issue wronghost ca --san DNS:wrong.example --subj /CN=wrong.example
pki_issue selfsigned
issue untrusted other
issue rsa1024 ca --key rsa:1024
issue rsa4096 ca --key rsa:4096
issue ecc256 ca --key ec:P-256
issue ecc384 ca --key ec:P-384
issue sanonly ca --subj "/O=Hello Test SAN only" --san DNS:localhost
issue cnonly ca --no-san
issue noipsan ca --san DNS:localhost
# 1000 SANs with the host last (every entry is read), short enough names
# that the certificate fits in one 16 KiB TLS record.
sans=$(seq -f 'DNS:n%g.test' 1 999 | paste -sd, -),DNS:localhost
issue sans1000 ca --san "$sans"
issue sans1000_miss ca --san "$(seq -f 'DNS:n%g.test' 1 1000 | paste -sd, -)"
# Longer names, as badssl.com's 1000-sans has: a certificate over 16 KiB,
# so the Certificate message spans several TLS records.
sans=$(seq -f 'DNS:host-%04g.1000-sans.hello.test' 1 999 | paste -sd, -),DNS:localhost
issue sans1000_long ca --san "$sans"
# Host names (RFC 6125 / RFC 9525): what mbedtls alone would take too
# loosely, and the forms that must still match.
issue ipdns ca --san DNS:127.0.0.1 --cn 127.0.0.1
issue ipwild ca --san 'DNS:*.0.0.1' --cn '*.0.0.1'
issue ipcn ca --no-san --cn 127.0.0.1
issue uri ca --san URI:localhost
issue uri2 ca --san URI:https://localhost/,email:localhost@localhost
issue wildtld ca --san 'DNS:*.test' --cn '*.test'
issue wild ca --san 'DNS:*.hello.test' --cn '*.hello.test'
issue wildpart ca --san 'DNS:f*.hello.test' --cn 'f*.hello.test'
issue wildinner ca --san 'DNS:a.*.hello.test' --cn 'a.*.hello.test'
issue upper ca --san DNS:LocalHost
issue trailing ca --san DNS:localhost.
# Purpose: the leaf must be fit for TLS server authentication.
issue eku_client ca --eku clientAuth
issue eku_code ca --eku codeSigning,emailProtection
issue eku_both ca --eku serverAuth,clientAuth
issue eku_any ca --eku anyExtendedKeyUsage
issue eku_none ca --eku none
issue ku_ec_agree ca --key ec:P-256 --ku critical,keyAgreement
issue ku_rsa_enc ca --ku critical,keyEncipherment
# Chains in any order (RFC 8446 4.4.2): root > d1 > ... > d5 > leaf.
issue d1 ca --ca --subj "/CN=Hello Chain D1"
for i in 2 3 4 5; do
	issue "d$i" "d$((i - 1))" --ca --subj "/CN=Hello Chain D$i"
done
issue deep_leaf d5
issue d2_leaf d2
cat "$T_PKI/d1.crt" "$T_PKI/d2.crt" >"$T_PKI/chain_d1_d2.pem"
cat "$T_PKI/d3.crt" "$T_PKI/d1.crt" "$T_PKI/d5.crt" "$T_PKI/d2.crt" "$T_PKI/d4.crt" >"$T_PKI/chain_shuffled.pem"
cat "$T_PKI/d2.crt" "$T_PKI/other.crt" "$T_PKI/d1.crt" "$T_PKI/d2.crt" >"$T_PKI/chain_extra.pem"
# Two intermediates that certify each other: A (issued by the root, not
# sent) > B > A' (A's name and key, issued by B) > leaf, sent leaf, A', B: a
# loop with no way up to the root.
issue loop_a ca --ca --subj "/CN=Hello Loop A"
issue loop_b loop_a --ca --subj "/CN=Hello Loop B"
cp "$T_PKI/loop_a.key" "$T_PKI/loop_a2.key"
issue loop_a2 loop_b --ca --subj "/CN=Hello Loop A"
issue loop_leaf loop_a2
cat "$T_PKI/loop_a2.crt" "$T_PKI/loop_b.crt" >"$T_PKI/chain_loop.pem"
# A subject too long to print (five 64-byte attributes).
long=$(printf 'x%.0s' $(seq 1 64))
issue longsubj ca --subj "/O=$long/OU=$long/L=$long/ST=$long/CN=localhost" \
	--start 20200101000000Z --end 20200201000000Z
pki_issue expired --issuer ca --start 20200101000000Z --end 20200201000000Z
pki_issue notyet --issuer ca --start 20400101000000Z --end 20410101000000Z
"$OPENSSL" dhparam -out "$T_PKI/dh1024.pem" 1024 2>/dev/null
"$OPENSSL" dhparam -out "$T_PKI/dh512.pem" 512 2>/dev/null
printf 'not a certificate\n' >"$T_PKI/garbage.pem"
wait "$keygen_pid"
issue rsa8192 ca --key rsa:8192

# der_kib NAME: size of NAME.crt in DER, KiB rounded.
der_kib() {
	echo $((($("$OPENSSL" x509 -in "$T_PKI/$1.crt" -outform DER | wc -c) + 512) / 1024))
}

# ---------------------------------------------------------------- servers

# stop_server: stop the last server started, by its pid.
stop_server() {
	local pid keep=()
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	for pid in "${T_PIDS[@]}"; do
		[ "$pid" = "$SERVER_PID" ] || keep+=("$pid")
	done
	T_PIDS=("${keep[@]}")
}

# ossl NAME [s_server options]: s_server with NAME.crt/NAME.key, 127.0.0.1.
ossl() {
	local name=$1
	shift
	start_s_server "$name" "$T_PKI/$name.crt" "$T_PKI/$name.key" "$@"
	SERVER_NS=()
}

# A network namespace holding only a loopback interface, for gnutls-serv.
NS_PORT=4433
ns_pid=
netns() {
	[ -z "$ns_pid" ] || return 0
	unshare --net sleep 100000 &
	ns_pid=$!
	T_PIDS+=("$ns_pid")
	sleep 0.2
	nsenter -t "$ns_pid" -n ip link set lo up
}

# gnutls PRIORITY [gnutls-serv options]: gnutls-serv with srv.crt in the
# namespace, on $NS_PORT.
gnutls() {
	local prio=$1
	shift
	netns
	SERVER_NS=(nsenter -t "$ns_pid" -n)
	start_bg gnutls "${SERVER_NS[@]}" gnutls-serv -p "$NS_PORT" --http \
		--priority "$prio" --x509certfile "$T_PKI/srv.crt" \
		--x509keyfile "$T_PKI/srv.key" "$@"
	SERVER_PORT=$NS_PORT
	local _
	for _ in $(seq 1 100); do
		grep -q 'listening on IPv4' "$T_DIR/gnutls.log" && return 0
		sleep 0.1
	done
	echo "gnutls-serv did not start:" >&2
	cat "$T_DIR/gnutls.log" >&2
	return 1
}

# ---------------------------------------------------------------- cases

ROWS=()
CONTROL=-
CHECK_ENV=()

# control_ossl LABEL [s_client options]: the server speaks what the case
# says when the client offers it too, so a refusal by hello is not a
# misconfigured server. Sets CONTROL to what was negotiated.
control_ossl() {
	local label=$1 out
	shift
	out=$(timeout 10 "$OPENSSL" s_client -connect "127.0.0.1:$SERVER_PORT" \
		-servername localhost "$@" </dev/null 2>&1 || true)
	# The session block names the negotiated version ("New, ..." names the
	# cipher's first version instead).
	CONTROL=$(printf '%s\n' "$out" | sed -n 's/^ *Protocol *: //p' | head -n 1)
	CONTROL="$CONTROL $(printf '%s\n' "$out" | sed -n 's/^ *Cipher *: //p' | head -n 1)"
	if [ "${CONTROL% *}" != "" ] && [ "${CONTROL#* }" != "0000" ] && [ "${CONTROL#* }" != "" ]; then
		pass "control: $label server accepts $CONTROL"
	else
		fail "control: $label server accepts a client that offers it" "expected a handshake, got '$(printf '%s' "$out" | grep -m1 -i error)'"
		CONTROL="FAILED"
	fi
}

# control_gnutls LABEL PRIORITY [gnutls-cli options]: same with gnutls-cli.
control_gnutls() {
	local label=$1 prio=$2 out
	shift 2
	out=$("${SERVER_NS[@]}" timeout 10 gnutls-cli --insecure -p "$SERVER_PORT" \
		--priority "$prio" "$@" 127.0.0.1 </dev/null 2>&1 || true)
	CONTROL=$(printf '%s\n' "$out" | sed -n 's/^- Description: //p' | head -n 1)
	if [ -n "$CONTROL" ] && printf '%s\n' "$out" | grep -q 'Handshake was completed'; then
		pass "control: $label server accepts $CONTROL"
	else
		fail "control: $label server accepts a client that offers it" "expected a handshake, got '$(printf '%s' "$out" | grep -m1 -iE 'error|fatal')'"
		CONTROL="FAILED"
	fi
}

# check LABEL CODE SERVER [hello options] HOST: run hello against the
# current server as https://HOST:PORT/ and record the row for the doc.
check() {
	local label=$1 code=$2 server=$3 host msg verdict
	shift 3
	host=${*: -1}
	set -- "${@:1:$#-1}"
	# -v on a case that must succeed shows what was negotiated.
	[ "$code" -ne 0 ] || set -- -v "$@"
	expect_exit "$label" "$code" "${SERVER_NS[@]+"${SERVER_NS[@]}"}" \
		env "${CHECK_ENV[@]+"${CHECK_ENV[@]}"}" "$HELLO" "$@" "https://$host:$SERVER_PORT/"
	msg=$(grep -m 1 '^hello: ' "$T_ERR" || grep -m 1 '^\* TLSv' "$T_ERR" || true)
	msg=$(printf '%s' "$msg" | sed -e "s|$T_DIR|\$TMP|g" -e "s/\b$SERVER_PORT\b/PORT/g" -e 's/|/\\|/g')
	verdict=reject
	[ "$code" -ne 0 ] || verdict=accept
	ROWS+=("| $label | $server | $verdict | $code | $T_RC | ${msg:--} | ${CONTROL} | $(last_ok && echo ok || echo '**not ok**') |")
	CONTROL=-
}

CA=(--cacert "$T_PKI/ca.crt")

# --- certificates: what must be accepted
ossl chain_leaf -cert_chain "$T_PKI/inter.crt"
check "valid chain with intermediate" 0 "leaf + intermediate" "${CA[@]}" localhost
stop_server
# OpenSSL signs a TLS 1.2 ServerKeyExchange with rsa_pss_rsae_* when the
# client offers it, as every TLS 1.3-capable client does.
ossl srv -tls1_2
check "TLS 1.2 only server (RSA leaf)" 0 "s_server -tls1_2, RSA 2048" "${CA[@]}" localhost
last_ok && expect_grep "TLS 1.2 only server: negotiated TLS 1.2" err '(TLSv1\.2|TLS 1\.2)'
stop_server
ossl srv -tls1_2 -sigalgs 'RSA+SHA256:RSA+SHA384'
check "TLS 1.2, RSA leaf, PKCS#1 v1.5 signature" 0 "s_server -tls1_2 -sigalgs RSA+SHA256" "${CA[@]}" localhost
stop_server
ossl srv -tls1_2 -sigalgs 'RSA-PSS+SHA256'
check "TLS 1.2, RSA leaf, RSA-PSS signature" 0 "s_server -tls1_2 -sigalgs RSA-PSS+SHA256" "${CA[@]}" localhost
stop_server
ossl srv -tls1_3
check "TLS 1.3 only server" 0 "s_server -tls1_3" "${CA[@]}" localhost
last_ok && expect_grep "TLS 1.3 only server: negotiated TLS 1.3" err '(TLSv1\.3|TLS 1\.3)'
stop_server
ossl sanonly
check "SAN only, no CN" 0 "subject O= only, SAN DNS:localhost" "${CA[@]}" localhost
stop_server
ossl cnonly
check "CN only, no SAN (decision: CN fallback)" 0 "CN=localhost, no SAN extension" "${CA[@]}" localhost
stop_server
ossl rsa4096
check "RSA-4096 leaf" 0 "RSA 4096" "${CA[@]}" localhost
stop_server
ossl rsa8192
check "RSA-8192 leaf" 0 "RSA 8192" "${CA[@]}" localhost
stop_server
ossl ecc256
check "ECDSA P-256 leaf" 0 "ECDSA P-256" "${CA[@]}" localhost
stop_server
ossl ecc256 -tls1_2
check "ECDSA P-256 leaf, TLS 1.2 ECDHE-ECDSA" 0 "ECDSA P-256, s_server -tls1_2" "${CA[@]}" localhost
stop_server
ossl ecc384
check "ECDSA P-384 leaf" 0 "ECDSA P-384" "${CA[@]}" localhost
stop_server
ossl sans1000
check "1000 SANs, host is the last" 0 "999 x DNS:nN.test + DNS:localhost, $(der_kib sans1000) KiB" "${CA[@]}" localhost
stop_server
ossl srv
check "IP URL, IP SAN" 0 "SAN IP:127.0.0.1" "${CA[@]}" 127.0.0.1
CHECK_ENV=("SSL_CERT_FILE=$T_PKI/ca.crt")
check "test CA given by SSL_CERT_FILE" 0 "test CA in SSL_CERT_FILE, no --cacert" localhost
CHECK_ENV=()

# --- certificates: what must be refused (60)
check "test CA unknown to the embedded bundle" 60 "test CA, no --cacert" localhost
stop_server
# --- host names: matched by hello after mbedtls (docs: Decisions)
ossl upper
check "SAN in upper case" 0 "SAN DNS:LocalHost" "${CA[@]}" localhost
check "URL with a trailing dot" 0 "SAN DNS:localhost" "${CA[@]}" --resolve "localhost.:$SERVER_PORT:127.0.0.1" localhost.
stop_server
ossl wild
check "wildcard over one label" 0 "SAN DNS:*.hello.test" "${CA[@]}" --resolve "a.hello.test:$SERVER_PORT:127.0.0.1" a.hello.test
check "wildcard, URL with a trailing dot" 0 "SAN DNS:*.hello.test" "${CA[@]}" --resolve "a.hello.test.:$SERVER_PORT:127.0.0.1" a.hello.test.
check "wildcard does not cover two labels" 60 "SAN DNS:*.hello.test" "${CA[@]}" --resolve "x.a.hello.test:$SERVER_PORT:127.0.0.1" x.a.hello.test
check "wildcard does not cover the bare domain" 60 "SAN DNS:*.hello.test" "${CA[@]}" --resolve "hello.test:$SERVER_PORT:127.0.0.1" hello.test
stop_server
ossl trailing
check "SAN with a trailing dot" 60 "SAN DNS:localhost." "${CA[@]}" localhost
stop_server
ossl ipdns
check "IP URL, the address as a DNS SAN" 60 "SAN DNS:127.0.0.1" "${CA[@]}" 127.0.0.1
stop_server
ossl ipwild
check "IP URL, wildcard DNS SAN over the address" 60 "SAN DNS:*.0.0.1" "${CA[@]}" 127.0.0.1
stop_server
ossl ipcn
check "IP URL, the address as CN, no SAN" 60 "CN=127.0.0.1, no SAN extension" "${CA[@]}" 127.0.0.1
stop_server
ossl uri
check "URI SAN naming the host" 60 "SAN URI:localhost" "${CA[@]}" localhost
stop_server
ossl uri2
check "URI and email SANs, CN=localhost" 60 "SAN URI:https://localhost/, email, CN=localhost" "${CA[@]}" localhost
stop_server
ossl wildtld
check "wildcard over a top-level domain" 60 "SAN DNS:*.test" "${CA[@]}" --resolve "a.test:$SERVER_PORT:127.0.0.1" a.test
stop_server
ossl wildpart
check "partial wildcard" 60 "SAN DNS:f*.hello.test" "${CA[@]}" --resolve "foo.hello.test:$SERVER_PORT:127.0.0.1" foo.hello.test
stop_server
ossl wildinner
check "wildcard not in the leftmost label" 60 "SAN DNS:a.*.hello.test" "${CA[@]}" --resolve "a.b.hello.test:$SERVER_PORT:127.0.0.1" a.b.hello.test
stop_server

# --- purpose: keyUsage and extendedKeyUsage (60, not a protocol error)
ossl eku_both
check "extendedKeyUsage serverAuth and clientAuth" 0 "EKU serverAuth, clientAuth" "${CA[@]}" localhost
stop_server
ossl eku_any
check "extendedKeyUsage anyExtendedKeyUsage" 0 "EKU anyExtendedKeyUsage" "${CA[@]}" localhost
stop_server
ossl eku_none
check "no extendedKeyUsage" 0 "no EKU extension" "${CA[@]}" localhost
stop_server
ossl eku_client
check "extendedKeyUsage clientAuth only, TLS 1.3" 60 "EKU clientAuth" "${CA[@]}" localhost
stop_server
ossl eku_client -tls1_2
check "extendedKeyUsage clientAuth only, TLS 1.2" 60 "EKU clientAuth, s_server -tls1_2" "${CA[@]}" localhost
stop_server
ossl eku_code
check "extendedKeyUsage codeSigning, emailProtection" 60 "EKU codeSigning, emailProtection" "${CA[@]}" localhost
stop_server
ossl ku_ec_agree
check "ECDSA leaf, keyUsage without digitalSignature" 60 "ECDSA P-256, KU keyAgreement, TLS 1.3" "${CA[@]}" localhost
stop_server
ossl ku_rsa_enc -tls1_2
check "RSA leaf, keyUsage keyEncipherment only, TLS 1.2" 60 "RSA, KU keyEncipherment, s_server -tls1_2" "${CA[@]}" localhost
stop_server

# --- chain order: any order after the leaf (RFC 8446 4.4.2)
ossl d2_leaf -cert_chain "$T_PKI/chain_d1_d2.pem"
check "chain out of order (leaf, d1, d2)" 0 "root > d1 > d2 > leaf, sent leaf, d1, d2" "${CA[@]}" localhost
stop_server
ossl deep_leaf -cert_chain "$T_PKI/chain_shuffled.pem"
check "six certificates, shuffled" 0 "root > d1 > ... > d5 > leaf, sent leaf, d3, d1, d5, d2, d4" "${CA[@]}" localhost
stop_server
ossl d2_leaf -cert_chain "$T_PKI/chain_extra.pem"
check "chain with an extraneous and a repeated certificate" 0 "sent leaf, d2, other root, d1, d2" "${CA[@]}" localhost
stop_server
ossl loop_leaf -cert_chain "$T_PKI/chain_loop.pem"
check "intermediates that certify each other" 60 "loop A > B > A, no path to the root" "${CA[@]}" localhost
stop_server
ossl deep_leaf -cert_chain "$T_PKI/chain_d1_d2.pem"
check "chain missing an intermediate, out of order" 60 "root > d1 > ... > d5 > leaf, sent leaf, d1, d2" "${CA[@]}" localhost
stop_server

# --- what the messages say
ossl longsubj
check "subject too long to print" 60 "expired, five 64-byte subject attributes" "${CA[@]}" localhost
last_ok && expect_grep "subject too long to print: said so, once" err '\(notAfter 2020-02-01, subject longer than [0-9]+ characters\)$'
stop_server

ossl noipsan
check "IP URL, no IP SAN" 60 "SAN DNS:localhost only" "${CA[@]}" 127.0.0.1
stop_server
ossl expired
check "expired" 60 "notAfter 2020-02-01" "${CA[@]}" localhost
stop_server
ossl notyet
check "not yet valid" 60 "notBefore 2040-01-01" "${CA[@]}" localhost
stop_server
ossl wronghost
check "wrong host" 60 "SAN DNS:wrong.example" "${CA[@]}" localhost
stop_server
ossl selfsigned
check "self-signed leaf" 60 "self-signed CN=localhost" "${CA[@]}" localhost
stop_server
ossl untrusted
check "untrusted root" 60 "leaf from another root" "${CA[@]}" localhost
stop_server
ossl chain_leaf
check "incomplete chain (leaf only, no intermediate)" 60 "leaf signed by intermediate, sent alone" "${CA[@]}" localhost
stop_server
ossl sha1inter_leaf -cert_chain "$T_PKI/inter_sha1.crt" -cipher "$WEAK"
check "SHA-1-signed intermediate, TLS 1.3" 60 "intermediate signed sha1WithRSA" "${CA[@]}" localhost
stop_server
ossl sha1inter_ecc -cert_chain "$T_PKI/inter_sha1.crt" -cipher "$WEAK" -tls1_2
check "SHA-1-signed intermediate, TLS 1.2" 60 "intermediate signed sha1WithRSA, ECDSA leaf, s_server -tls1_2" "${CA[@]}" localhost
stop_server
ossl sha1_leaf -cipher "$WEAK"
check "SHA-1-signed leaf, TLS 1.3" 60 "leaf signed sha1WithRSA" "${CA[@]}" localhost
stop_server
ossl sha1_leaf_ecc -cipher "$WEAK" -tls1_2
check "SHA-1-signed leaf, TLS 1.2" 60 "ECDSA leaf signed sha1WithRSA, s_server -tls1_2" "${CA[@]}" localhost
stop_server
ossl rsa1024 -cipher "$WEAK"
check "RSA-1024 leaf" 60 "RSA 1024" "${CA[@]}" localhost
stop_server
ossl sans1000_miss
check "1000 SANs, host not among them" 60 "1000 x DNS:nN.test" "${CA[@]}" localhost
stop_server

# --- TLS 1.3 KeyUpdate in the middle of the body (RFC 8446 4.6.3)
# keyupdate MODE UPDATES: tests/servers/keyupdate.py, MODE k (the server's
# keys only) or K (ours too: our KeyUpdate must reach the server).
keyupdate() {
	start_bg keyupdate "$PYTHON" "$T_LIB_DIR/servers/keyupdate.py" --cert "$T_PKI/srv.crt" \
		--key "$T_PKI/srv.key" --mode "$1" --updates "$2" --log "$T_DIR/keyupdate.trace"
	wait_log_port keyupdate 's/^PORT \([0-9][0-9]*\)$/\1/p'
	SERVER_NS=()
}
: >"$T_DIR/keyupdate.trace"
keyupdate k 1
check "KeyUpdate from the server" 0 "s_server -tls1_3, k mid-body" "${CA[@]}" -o "$T_DIR/ku.body" localhost
last_ok && expect_same_file "KeyUpdate from the server: whole body" <(printf 'a%.0s' $(seq 1 40000); printf 'b%.0s' $(seq 1 40000)) "$T_DIR/ku.body"
stop_server
: >"$T_DIR/keyupdate.trace"
keyupdate K 1
check "KeyUpdate, update requested" 0 "s_server -tls1_3, K mid-body" "${CA[@]}" -o "$T_DIR/ku.body" localhost
stop_server
if grep -q '^<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate' "$T_DIR/keyupdate.trace"; then
	pass "KeyUpdate, update requested: the server got our KeyUpdate"
else
	fail "KeyUpdate, update requested: the server got our KeyUpdate" "expected '<<< ... KeyUpdate' in the s_server trace, got none"
fi
keyupdate k 3
check "three KeyUpdates" 0 "s_server -tls1_3, k three times" "${CA[@]}" -o "$T_DIR/ku.body" localhost
if last_ok; then
	expect_same_file "three KeyUpdates: whole body" <(for c in a b c d; do printf "$c%.0s" $(seq 1 40000); done) "$T_DIR/ku.body"
fi
stop_server

# --- protocol versions and cipher suites (35)
ossl srv -tls1 -cipher "$WEAK"
control_ossl "TLS 1.0 only" -tls1 -cipher "$WEAK"
check "TLS 1.0 only" 35 "s_server -tls1" "${CA[@]}" localhost
stop_server
ossl srv -tls1_1 -cipher "$WEAK"
control_ossl "TLS 1.1 only" -tls1_1 -cipher "$WEAK"
check "TLS 1.1 only" 35 "s_server -tls1_1" "${CA[@]}" localhost
stop_server
ossl srv -tls1_2 -cipher 'AES128-GCM-SHA256:AES256-GCM-SHA384'
control_ossl "static RSA" -tls1_2 -cipher 'AES128-GCM-SHA256'
check "static RSA key exchange only" 35 "TLS 1.2, RSA kx + AES-GCM" "${CA[@]}" localhost
stop_server
ossl srv -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384'
control_ossl "ECDHE CBC" -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA256'
check "CBC-only suites with ECDHE" 35 "TLS 1.2, ECDHE-RSA-AES-CBC" "${CA[@]}" localhost
stop_server
ossl srv -tls1_2 -cipher "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0" -dhparam "$T_PKI/dh1024.pem"
control_ossl "DHE-1024" -tls1_2 -cipher "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"
check "DHE-1024 only" 35 "TLS 1.2, DHE-RSA, 1024-bit group" "${CA[@]}" localhost
stop_server

base="NONE:+VERS-TLS1.2:+COMP-NULL:+SIGN-ALL:+CURVE-ALL"
prio="$base:+ARCFOUR-128:+RSA:+ECDHE-RSA:+SHA1:+MD5"
gnutls "$prio"
control_gnutls "RC4" "$prio:%PROFILE_VERY_WEAK"
check "RC4 only" 35 "gnutls-serv ARCFOUR-128" "${CA[@]}" localhost
stop_server
prio="$base:+3DES-CBC:+RSA:+ECDHE-RSA:+SHA1"
gnutls "$prio"
control_gnutls "3DES" "$prio:%PROFILE_VERY_WEAK"
check "3DES only" 35 "gnutls-serv 3DES-CBC" "${CA[@]}" localhost
stop_server
prio="$base:+NULL:+RSA:+ECDHE-RSA:+SHA1:+SHA256"
gnutls "$prio"
control_gnutls "NULL" "$prio:%PROFILE_VERY_WEAK"
check "NULL cipher only" 35 "gnutls-serv NULL" "${CA[@]}" localhost
stop_server
# No +GROUP-*: the server then uses its --dhparams group, not RFC 7919's.
prio="NONE:+VERS-TLS1.2:+COMP-NULL:+SIGN-ALL:+DHE-RSA:+AES-128-GCM:+AEAD:%PROFILE_VERY_WEAK"
gnutls "$prio" --dhparams "$T_PKI/dh512.pem"
control_gnutls "DHE-512" "$prio" --dh-bits 256
check "DHE-512 only" 35 "gnutls-serv DHE-RSA, 512-bit group" "${CA[@]}" localhost
stop_server

# --- the CA file itself (77)
ossl srv
check "--cacert names no file" 77 "good server" --cacert "$T_DIR/nonexistent.pem" localhost
check "--cacert holds no certificate" 77 "good server" --cacert "$T_PKI/garbage.pem" localhost
stop_server

# --- limits: a clean verdict, no crash. mbedtls reads a handshake message
# into its 16 KiB record buffer, so a Certificate message over 16 KiB is
# refused with 35 and says so (curl with OpenSSL accepts it).
ossl sans1000_long
check "1000 long SANs, host is the last" 35 "999 x DNS:host-NNNN.1000-sans.hello.test + DNS:localhost, $(der_kib sans1000_long) KiB" "${CA[@]}" localhost
stop_server

# ---------------------------------------------------------------- doc

if [ "$write_doc" -eq 1 ]; then
	{
		cat <<'EOF'
<!-- This file is automatically generated by `tests/matrix.sh --write-doc`;
     do not edit it, run the script again. -->
# TLS matrix

badssl.com's categories, reproduced on 127.0.0.1 by `tests/matrix.sh` with
certificates it generates (a test root, an intermediate, and a leaf per case).
The client trusts the test root with `--cacert` except where the case is about
the embedded bundle. `tests/matrix.sh` checks every row; `--write-doc` also
rewrites this file from what was observed.

Columns: the verdict and exit code the project requires; the exit code and
first stderr line `build/hello` gave (ports shown as `PORT`, the temporary
directory as `$TMP`); for refused protocols and ciphers, what a client that
offers them negotiated with the same server (proof the server really speaks
it); the check's result. Every non-zero exit also had to come with exactly
one `hello: <what>: <why>` line on stderr.

Servers: `openssl s_server` (OpenSSL 3.0, `@SECLEVEL=0` where it would refuse
the weak key or protocol; driven through its stdin by
`tests/servers/keyupdate.py` to send KeyUpdate), and `gnutls-serv` for RC4,
3DES, NULL and DHE-512, in a private network namespace since it cannot be
bound to one address.

| case | server | verdict | exit | observed exit | observed stderr | control | result |
|---|---|---|---|---|---|---|---|
EOF
		printf '%s\n' "${ROWS[@]}"
		cat <<'EOF'

## Decisions

- **Host names are checked by hello itself**, in `src/tls.c`, after
  mbedtls's own check, which is looser: it takes a `URI:` SAN as a host
  identity, lets `*.test` cover `a.test`, and matches an address URL
  against DNS SANs or the CN. hello's rules (RFC 6125, RFC 9525):
  - an address URL (IPv4 or IPv6) matches only an iPAddress SAN with the
    same bytes — never a DNS SAN, a wildcard, or the CN;
  - a DNS name matches only dNSName SANs, compared without case; URI, email
    and other SANs are never host identities;
  - the subject CN is used only when the certificate has no subjectAltName
    extension at all (RFC 6125 6.4.4: any SAN, of any type, rules it out),
    as curl with OpenSSL does for DNS names; browsers refuse such
    certificates ("CN only" row);
  - a wildcard is a whole leftmost `*` label, covers exactly one label, and
    needs at least two labels after it: `*.test` covers nothing, partial
    (`f*.example`) and inner (`a.*.example`) wildcards never match;
  - a URL's trailing dot (`localhost.`) is ignored for the check and the
    SNI, as curl does; a SAN with a trailing dot does not match.
- **SNI** carries the DNS name without its trailing dot, and is not sent for
  an address (RFC 6066 3); `tests/integration.sh` reads what a server got.
- **Chains in any order**: after the leaf, the server's certificates may
  come in any order and with extra ones (RFC 8446 4.4.2); mbedtls 3.6.6
  looked only forward, `patches/mbedtls-0003-x509-chain-any-order.patch`
  searches them all, skipping those already on the path, so a loop of
  certificates ends with 60 instead of going round.
- **A certificate not fit for TLS server authentication** (keyUsage without
  digitalSignature, extendedKeyUsage without serverAuth or
  anyExtendedKeyUsage) is a verdict on the peer: 60 and a line that says so,
  not a protocol error (35).
- **TLS 1.3 KeyUpdate** mid-transfer is taken, and answered when the server
  asks (`patches/mbedtls-0004-tls13-key-update.patch`); servers send it on
  long transfers.
- **Certificate messages over 16 KiB** are refused (35) with a message that
  says so: mbedtls holds a whole handshake message in its record buffer,
  whose size TLS caps at 16 KiB. 1000 short SANs fit and are accepted; 1000
  long ones (the "1000 long SANs" row) do not. curl with OpenSSL accepts both.
- **SHA-1** is not compiled in: a chain with a SHA-1 signature below the root
  is refused; a root's own signature is never checked.
EOF
	} >"$DOC.tmp"
	mv "$DOC.tmp" "$DOC"
	echo "wrote ${DOC#"$T_ROOT"/}"
fi

t_finish
