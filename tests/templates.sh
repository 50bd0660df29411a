#!/bin/bash
# run-order: 95
# The lab's templates for real: `scripts/compare` builds, runs, measures and
# audits every variant of templates/go and templates/node (the machinery of
# `make compare TEMPLATE=...`), each image is run again and must print the
# greeting, and the Go CA challenge is played against a local `openssl
# s_server`: the scratch image whose builder trusts the test CA fetches over
# verified HTTPS; built without the test CA, or without the CA bundle, it
# fails with an error that says which. With trivy (scripts/fetch-tool
# trivy), compare runs with SCAN=1 and what the scanner sees is checked: a
# figure for every variant, the Go toolchain image's Debian packages, the
# Node images' npm dependency.
#
#   tests/templates.sh            ENGINE, BASES: as for scripts/compare
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd openssl python3

engine=$T_ROOT/scripts/engine
greeting='Hello from a Tiny Container!'
test_images=()

cleanup_images() {
	local img
	for img in "${test_images[@]+"${test_images[@]}"}"; do
		"$engine" rmi -f "$img" >/dev/null 2>&1 || true
	done
}
trap 'cleanup_images; t_cleanup' EXIT

# One engine for the whole run, even if a docker daemon comes or goes.
if ! ENGINE=$("$engine" 2>"$T_ERR"); then
	fail "a container engine is available" "$(head -n 3 "$T_ERR" | tr '\n' ' ')"
	t_finish
	exit 1
fi
export ENGINE
pass "container engine: $ENGINE"

# build_image TAG DOCKERFILE CONTEXT [--build-arg ...]: build with the same
# engine options as scripts/compare; output in $T_DIR/build-<tag>.log.
build_image() {
	local tag=$1 dockerfile=$2 context=$3 log
	shift 3
	log=$T_DIR/build-${tag##*:}.log
	if [ "$ENGINE" = podman ]; then
		set -- "$@" --pull=never --layers
	else
		set -- "$@" --network host
	fi
	test_images+=("$tag")
	if "$engine" build "$@" -f "$dockerfile" -t "$tag" "$context" >"$log" 2>&1; then
		return 0
	fi
	tail -n 15 "$log" | sed 's/^/#   /'
	return 1
}

# --- every variant of each template, through scripts/compare ---------------

# The scanner, when it can be had: compare's SCAN=1 column for the templates.
scan=
if "$T_ROOT/scripts/fetch-tool" trivy >/dev/null 2>"$T_DIR/fetch.err"; then
	scan=1
else
	scan_why="no trivy: $(tail -n 1 "$T_DIR/fetch.err")"
fi

# compare_template NAME: run compare, check its JSON and each image's output.
compare_template() {
	local t=$1 out=$T_ROOT/build/$1 variants=() v
	if (cd "$T_ROOT" && SCAN=$scan scripts/compare --template "$t") >"$T_DIR/compare-$t.out" 2>&1; then
		pass "$t: compare builds, runs, measures and audits every variant${scan:+, and scans it}"
	else
		fail "$t: compare builds, runs, measures and audits every variant" \
			"exit non-zero; last lines: $(tail -n 8 "$T_DIR/compare-$t.out" | tr '\n' '|' | cut -c1-600)"
		return 0
	fi
	# The variant names, in compare.env's order.
	# shellcheck disable=SC1090,SC1091
	mapfile -t variants < <(. "$T_ROOT/templates/$t/compare.env" && for v in $COMPARE_VARIANTS; do echo "${v%%=*}"; done)
	py_checks "$out/compare.json" "$t" "$scan" "${variants[@]}" <<'PY'
import json, sys

path, t, scan, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

def check(label, cond, why=""):
    print(f"PASS\t{t}: {label}" if cond else f"FAIL\t{t}: {label}\t{why or 'false'}")

doc = json.load(open(path))
rows = doc.get("variants", [])
got = [r.get("variant") for r in rows]
check(f"compare.json has {', '.join(want)} in that order", got == want, f"got {got}")
first = rows[0] if rows else None
for r in rows:
    n = r["variant"]
    check(f"{n} ran and printed the greeting (compare.json)", r.get("runs") is True)
    check(f"{n} runs as a numeric non-root user ({r.get('user')!r})",
          r.get("user", "").split(":")[0].isdigit() and r["user"].split(":")[0] != "0")
    if r is not first:
        check(f"{n} is smaller than {first['variant']} "
              f"({r['size_bytes']:,} < {first['size_bytes']:,} bytes)",
              r["size_bytes"] < first["size_bytes"])
scratch = [r for r in rows if r["variant"] == "scratch"]
for r in scratch:
    check("scratch holds only the program and the CA bundle",
          r["files"] == 2 and not r["has_shell"] and r["setuid_files"] == 0 and r["base"] == "scratch",
          f"files {r['files']}, shell {r['has_shell']}, setuid {r['setuid_files']}, base {r['base']}")
# What trivy sees: a figure for every variant; Debian's and npm's packages.
if scan:
    for r in rows:
        purls = r.get("scan_purls") or []
        check(f"{r['variant']}: a 'trivy sees' figure ({r.get('scan_packages')})",
              isinstance(r.get("scan_packages"), int) and r["scan_packages"] == len(purls))
    if t == "go":
        # The toolchain image's Debian packages. The Go binaries themselves
        # give the pinned trivy nothing to list (alpine's and scratch's
        # figures say so).
        for r in rows:
            if r["variant"] == "fat":
                deb = [p for p in r.get("scan_purls") or [] if p.startswith("pkg:deb/debian/golang")]
                check(f"fat: trivy lists the toolchain's Debian packages ({', '.join(deb[:3])})", len(deb) >= 1,
                      f"listed {r.get('scan_packages')}")
    if t == "node":
        for r in rows:
            npm = [p for p in r.get("scan_purls") or [] if p.startswith("pkg:npm/semver@")]
            check(f"{r['variant']}: trivy lists the npm dependency ({', '.join(npm)})", len(npm) >= 1,
                  f"listed {len(r.get('scan_purls') or [])}: {[p for p in r.get('scan_purls') or [] if 'npm' in p][:5]}")
PY
	[ -n "$scan" ] || skip "$t: what trivy sees in each variant" "$scan_why"

	for v in "${variants[@]}"; do
		run "$engine" run --rm --network none "localhost/tiny-$t:$v"
		if [ "$T_RC" -eq 0 ] && [ "$(cat "$T_OUT")" = "$greeting" ]; then
			pass "$t: $v image prints the greeting"
		else
			fail "$t: $v image prints the greeting" "exit $T_RC, stdout '$(head -c 100 "$T_OUT" | tr -c '[:print:]' '.')'"
		fi
	done
}

compare_template go
compare_template node

# scratch means no shell: the engine cannot even start one.
run "$engine" run --rm --network none --entrypoint /bin/sh localhost/tiny-go:scratch -c true
if [ "$T_RC" -ne 0 ]; then
	pass "go: the scratch image has no /bin/sh to run"
else
	fail "go: the scratch image has no /bin/sh to run" "/bin/sh ran"
fi

# The multi-stage Node image carries the production dependency only; the
# naive one carries the dev dependency as well.
has_module() {
	run "$engine" run --rm --network none --entrypoint node "$1" \
		-e "require.resolve('$2')"
	[ "$T_RC" -eq 0 ]
}
if has_module localhost/tiny-node:alpine semver && ! has_module localhost/tiny-node:alpine prettier; then
	pass "node: the multi-stage image has semver and not the dev dependency prettier"
else
	fail "node: the multi-stage image has semver and not the dev dependency prettier" "npm ci --omit=dev not honoured"
fi
if has_module localhost/tiny-node:naive prettier; then
	pass "node: the naive image ships the dev dependency prettier (what --omit=dev saves)"
else
	fail "node: the naive image ships the dev dependency prettier (what --omit=dev saves)" "prettier missing"
fi

# --- the CA challenge: HTTPS from scratch -----------------------------------

# The builder compare used (an upstream golang image or its local stand-in).
builder=$(awk -F '\t' '$1 == "BUILDER_IMAGE" { print $2 }' "$T_ROOT/build/go/compare-cache/bases.tsv" 2>/dev/null || true)
if [ -z "$builder" ]; then
	fail "go: the builder image is known (build/go/compare-cache/bases.tsv)" "compare did not record it"
	t_finish
	exit
fi

pki_issue tiny --ca --cn "tiny-container test CA"
pki_issue srv --issuer tiny --san "IP:127.0.0.1"
start_s_server https "$T_PKI/srv.crt" "$T_PKI/srv.key"
url=https://127.0.0.1:$SERVER_PORT/

# The mechanism the Dockerfile documents: a CA in extra-ca/ joins the
# builder's trust store, and the bundle copied from the builder carries it.
cp -a "$T_ROOT/templates/go" "$T_DIR/go-ca"
cp "$T_PKI/tiny.crt" "$T_DIR/go-ca/extra-ca/tiny-test-ca.crt"
# The challenge's starting point: Dockerfile.scratch without the bundle.
grep -v '^COPY --from=build /etc/ssl/certs/' "$T_ROOT/templates/go/Dockerfile.scratch" >"$T_DIR/Dockerfile.nobundle"

# fetch_case LABEL TAG DOCKERFILE CONTEXT WANT_RC REGEX: build the https
# program on scratch, run it against the server, check the exit status and
# that REGEX matches its output.
fetch_case() {
	local label=$1 tag=$2 dockerfile=$3 context=$4 want=$5 regex=$6
	if ! build_image "$tag" "$dockerfile" "$context" \
		--build-arg "BUILDER_IMAGE=$builder" --build-arg PROGRAM=./https; then
		fail "$label" "build failed, log above"
		return 0
	fi
	run "$engine" run --rm --network host "$tag" "$url"
	if [ "$T_RC" -ne "$want" ]; then
		fail "$label" "expected exit $want, got $T_RC; stdout '$(head -c 200 "$T_OUT" | tr -c '[:print:]' '.')'"
	elif ! cat "$T_OUT" "$T_ERR" | grep -Eq -- "$regex"; then
		fail "$label" "expected output to match /$regex/"
	else
		pass "$label"
		[ "$want" -eq 0 ] || sed 's/^/#   /' "$T_ERR"
	fi
}

fetch_case "go: scratch image whose builder trusts the test CA fetches $url" \
	localhost/tiny-go-test:https-ca "$T_DIR/go-ca/Dockerfile.scratch" "$T_DIR/go-ca" \
	0 "^GET $url: 200 "
fetch_case "go: without the test CA it fails: the server's CA is not in the bundle" \
	localhost/tiny-go-test:https-noca "$T_ROOT/templates/go/Dockerfile.scratch" "$T_ROOT/templates/go" \
	1 "the server's CA is not in /etc/ssl/certs/ca-certificates.crt"
fetch_case "go: without the CA bundle it fails: no CA bundle in this image" \
	localhost/tiny-go-test:https-nobundle "$T_DIR/Dockerfile.nobundle" "$T_ROOT/templates/go" \
	1 "no CA bundle in this image"

t_finish
