#!/bin/bash
# run-order: 40
# The compact trust store: certs/certgen.c re-encodes every root with only
# what verification reads from a trust anchor. This builds hello with a
# bundle of test roots (make bundle-variant) and checks, chain by chain, that
# the embedded compact roots give the same verdict as the same roots given
# whole with --cacert: constraints (CA bit, path length, key usage) and
# validity kept, names matched, nothing else relied on.
#
# Usage: tests/trust.sh
# Prints "ok - ..." / "not ok - ..." per check and "N passed, M failed" last.
set -eu

. "$(dirname "$0")/lib.sh"

need_cmd "$OPENSSL" make sha256sum
unset SSL_CERT_FILE SSL_CERT_DIR
t_init
# root NAME CN BASIC KEYUSAGE: a self-signed root with those extensions
# (KEYUSAGE "none" for none); KEY= picks the key type.
root() {
	pki_issue "$1" --ca --cn "$2" --bc "$3" --ku "$4" --key "${KEY:-rsa:2048}"
}

# issue NAME ISSUER ca|leaf [KEY]: a certificate for localhost, or a CA.
issue() {
	local name=$1 issuer=$2 kind=$3 key=${4:-rsa:2048}
	if [ "$kind" = ca ]; then
		pki_issue "$name" --issuer "$issuer" --ca --cn "$name.localhost" --days 30 --key "$key"
	else
		pki_issue "$name" --issuer "$issuer" --cn "$name.localhost" --san DNS:localhost \
			--days 30 --key "$key"
	fi
}

root good "Hello Trust Root" critical,CA:TRUE critical,keyCertSign,cRLSign
root pathlen0 "Hello Trust Root pathlen 0" critical,CA:TRUE,pathlen:0 critical,keyCertSign,cRLSign
root nosign "Hello Trust Root without keyCertSign" critical,CA:TRUE critical,digitalSignature
root notca "Hello Trust Root CA false" critical,CA:FALSE critical,keyCertSign,cRLSign
KEY=ec:P-384 root ecroot "Hello Trust EC Root" critical,CA:TRUE critical,keyCertSign,cRLSign
root absent "Hello Trust Root not in the bundle" critical,CA:TRUE none

issue leaf good leaf
issue inter good ca
issue inter_leaf inter leaf
issue p0_inter pathlen0 ca
issue p0_leaf p0_inter leaf
issue p0_direct pathlen0 leaf
issue nosign_leaf nosign leaf
issue notca_leaf notca leaf
issue ec_leaf ecroot leaf ec:P-256
issue absent_leaf absent leaf

# The bundle: every root but "absent", with a provenance certgen accepts.
bundle=$T_DIR/bundle
mkdir -p "$bundle"
cat "$T_PKI"/{good,pathlen0,nosign,notca,ecroot}.crt >"$bundle/roots.pem"
cat >"$bundle/PROVENANCE" <<P
package: test roots (tests/trust.sh)
date: $(date -u +%Y-%m-%d)
epoch: $(date -u +%s)
roots: 5
sha256: $(sha256sum "$bundle/roots.pem" | cut -d' ' -f1)
P
if make -s -C "$T_ROOT" bundle-variant BUNDLE_PEM="$bundle/roots.pem" \
	BUNDLE_PROV="$bundle/PROVENANCE" BUNDLE_OUT="$bundle" >"$T_DIR/build.log" 2>&1; then
	pass "hello built with the test roots embedded"
else
	fail "hello built with the test roots embedded" "expected make to succeed, got: $(tail -n 3 "$T_DIR/build.log" | tr '\n' '|')"
	t_finish
	exit 1
fi
V=$bundle/hello
n=$(grep -c '^	{' "$bundle/cabundle.c" || true)
if [ "$n" = 5 ]; then pass "certgen kept the 5 test roots"; else fail "certgen kept the 5 test roots" "expected 5 entries, got $n"; fi

# case LABEL CODE CERT [CHAIN]: the embedded compact roots and the whole
# roots (--cacert) must both give CODE.
case_() {
	local label=$1 code=$2 cert=$3 chain=${4:-}
	local extra=()
	[ -z "$chain" ] || extra=(-cert_chain "$T_PKI/$chain.crt")
	start_s_server "$cert" "$T_PKI/$cert.crt" "$T_PKI/$cert.key" "${extra[@]+"${extra[@]}"}"
	expect_exit "$label, embedded compact roots: $code" "$code" "$V" -s -S -o /dev/null \
		--resolve "localhost:$SERVER_PORT:127.0.0.1" "https://localhost:$SERVER_PORT/"
	expect_exit "$label, the same roots whole (--cacert): $code" "$code" "$V" -s -S -o /dev/null \
		--cacert "$bundle/roots.pem" --resolve "localhost:$SERVER_PORT:127.0.0.1" \
		"https://localhost:$SERVER_PORT/"
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
}

case_ "leaf signed by a root" 0 leaf
case_ "leaf, intermediate, root" 0 inter_leaf inter
case_ "EC P-384 root, ECDSA leaf" 0 ec_leaf
case_ "root pathlen:0 signs a leaf" 0 p0_direct
case_ "root pathlen:0, one intermediate too many" 60 p0_leaf p0_inter
case_ "root without keyCertSign" 60 nosign_leaf
case_ "root with CA:FALSE" 60 notca_leaf
case_ "root not in the bundle" 60 absent_leaf
case_ "intermediate missing from the chain" 60 inter_leaf

# The real bundle, as built: every root is found by its own subject (the
# unit tests check the index); here, a name mismatch through it.
start_s_server leaf "$T_PKI/leaf.crt" "$T_PKI/leaf.key"
expect_exit "wrong host, embedded roots: 60" 60 "$V" -s -S -o /dev/null \
	--resolve "wrong.localhost:$SERVER_PORT:127.0.0.1" "https://wrong.localhost:$SERVER_PORT/"
kill "$SERVER_PID" 2>/dev/null || true

t_finish
