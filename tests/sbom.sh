#!/bin/bash
# run-order: 15
# The SBOM: scripts/sbom's unit tests on fixtures (tests/sbom/test_sbom.py),
# then the release builds themselves, amd64 and arm64: build/hello.cdx.json
# validates against the CycloneDX schema of its version (the CycloneDX
# library's validator, from npm: scripts/fetch-tool cdx-validate); it names
# the pinned facts (the Makefile's VERSION, fetch-mbedtls's pin, every patch,
# the musl Debian installed, certs/PROVENANCE, SOURCE_DATE_EPOCH); the
# binary's digest in it is that of the file with its .sbom section zeroed,
# checked by scripts/sbom verify and again with readelf, head, tail and
# sha256sum alone (the way docs/ARCHITECTURE.md gives); `readelf -n` shows
# the package note; `hello --sbom` prints the file, byte for byte; and a
# failed write of it is one line and exit 23.
#
# Usage: tests/sbom.sh        (HELLO=/path/to/hello for another amd64 build)
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need_cmd "$PYTHON" readelf cmp sha256sum
t_init

# ------------------------------------------------------------------ the generator
rc=0
"$PYTHON" "$T_ROOT/tests/sbom/test_sbom.py" --tap >"$T_DIR/unit.tap" 2>"$T_DIR/unit.err" || rc=$?
count_tap "$T_DIR/unit.tap" "$rc" "sbom: unit tests ran ($(tail -n 1 "$T_DIR/unit.err"))"

# ------------------------------------------------------------------ the builds
version=$(sed -n 's/^VERSION *:= *//p' "$T_ROOT/Makefile")
epoch=$(sed -n 's/^epoch: *//p' "$T_ROOT/certs/PROVENANCE")
"$T_ROOT/scripts/fetch-mbedtls" --facts >"$T_DIR/mbedtls.facts"
mbedtls_version=$(sed -n 's/^version=//p' "$T_DIR/mbedtls.facts")
mbedtls_sha256=$(sed -n 's/^sha256=//p' "$T_DIR/mbedtls.facts")
# The musl Debian installed, by dpkg: a second source for the version the
# generator read from libc.a itself.
musl_deb() {
	dpkg-query -W -f '${Version}' "musl-dev:${1:-$(dpkg --print-architecture)}" 2>/dev/null | sed 's/-[^-]*$//'
}
validator=$("$T_ROOT/scripts/fetch-tool" cdx-validate 2>"$T_DIR/fetch.err") || validator=
emulated() { grep -qsx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; }

# check_build LABEL BINARY DEBARCH: the SBOM of one release build.
check_build() {
	local label=$1 bin=$2 debarch=$3 doc=${2%/*}/hello.cdx.json
	if [ ! -f "$bin" ] || [ ! -f "$doc" ]; then
		skip "$label: the SBOM checks" "no $bin and $doc (make${debarch:+ ARCH=$debarch})"
		return
	fi

	# The schema of its version, with a maintained validator.
	if [ -n "$validator" ]; then
		run env NODE_PATH="$validator" node "$T_ROOT/tests/sbom/validate.cjs" "$doc"
		if [ "$T_RC" -eq 0 ] && grep -q ': valid CycloneDX 1\.[5-9]$' "$T_OUT"; then
			pass "$label: $(sed 's|.*: ||' "$T_OUT") (the CycloneDX library's validator)"
		else
			fail "$label: valid CycloneDX" "$(head -c 300 "$T_OUT")"
		fi
	else
		skip "$label: valid CycloneDX" "no validator: $(tail -n 1 "$T_DIR/fetch.err")"
	fi

	# The pinned facts, each from its own source.
	rc=0
	"$PYTHON" - "$doc" "$version" "$epoch" "$mbedtls_version" "$mbedtls_sha256" \
		"$(musl_deb "$debarch")" "$T_ROOT" "$label" >"$T_DIR/facts.tap" <<'PY' || rc=$?
import datetime, glob, hashlib, json, os, sys

doc, version, epoch, mv, msha, musl, top, label = sys.argv[1:]
bom = json.load(open(doc))

def check(what, got, want):
    ok = got == want
    print(("ok - " if ok else "not ok - ") + f"{label}: {what}" + ("" if ok else f" (got {got!r}, want {want!r})"))

when = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
check("timestamp is SOURCE_DATE_EPOCH's", bom["metadata"]["timestamp"], when)
hello = bom["metadata"]["component"]
check("hello's version is the Makefile's", (hello["name"], hello["version"]), ("hello", version))
comps = {c["name"]: c for c in bom["components"]}
m = comps.get("mbedtls", {})
check("mbedtls: version, purl, CPE", (m.get("version"), m.get("purl"), m.get("cpe")),
      (mv, f"pkg:generic/mbedtls@{mv}", f"cpe:2.3:a:arm:mbed_tls:{mv}:*:*:*:*:*:*:*"))
check("mbedtls: the pinned tarball's SHA-256",
      [h["content"] for r in m.get("externalReferences", []) for h in r.get("hashes", [])], [msha])
patches = sorted(os.path.relpath(p, top) for p in glob.glob(os.path.join(top, "patches", "mbedtls-*.patch")))
check(f"mbedtls: every patch in patches/ as a pedigree patch ({len(patches)})",
      [p["diff"]["url"] for p in m.get("pedigree", {}).get("patches", [])], patches)
u = comps.get("musl", {})
check(f"musl: the toolchain's version ({musl} by dpkg), purl, CPE",
      (u.get("version"), u.get("purl"), u.get("cpe")),
      (musl, f"pkg:generic/musl@{musl}", f"cpe:2.3:a:musl-libc:musl:{musl}:*:*:*:*:*:*:*"))
prov = dict(l.split(":", 1) for l in open(os.path.join(top, "certs", "PROVENANCE")) if ":" in l and not l.startswith("#"))
pkg = prov["package"].split()
bundle = hashlib.sha256(open(os.path.join(top, "certs", "ca-certificates.crt"), "rb").read()).hexdigest()
c = comps.get("ca-certificates", {})
check("CA bundle: version and SHA-256 of certs/", (c.get("version"), [h["content"] for h in c.get("hashes", [])]),
      (pkg[1], [bundle]))
check("every component has an SPDX license",
      all(c.get("licenses") for c in bom["components"]), True)
PY
	count_tap "$T_DIR/facts.tap" "$rc" "$label: the document names the pinned facts ($doc)"

	# The digest: scripts/sbom verify, then by hand.
	run "$PYTHON" "$T_ROOT/scripts/sbom" verify "$bin" "$doc"
	if [ "$T_RC" -eq 0 ]; then
		pass "$label: scripts/sbom verify: the digest holds and $doc is what the binary embeds"
	else
		fail "$label: scripts/sbom verify" "exit $T_RC"
	fi
	# shellcheck disable=SC2046
	set -- $(readelf -SW "$bin" | sed -n 's/.*\] \.sbom *PROGBITS *[0-9a-f]* \([0-9a-f]*\) \([0-9a-f]*\) .*/\1 \2/p')
	if [ "$#" -eq 2 ]; then
		local off=$((0x$1)) size=$((0x$2)) digest claimed
		digest=$({ head -c "$off" "$bin"; head -c "$size" /dev/zero; tail -c +"$((off + size + 1))" "$bin"; } |
			sha256sum | cut -d' ' -f1)
		claimed=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["component"]["hashes"][0]["content"])' "$doc")
		if [ "$digest" = "$claimed" ] && [ "$size" -eq "$(wc -c <"$doc")" ]; then
			pass "$label: the .sbom section ($size bytes) zeroed, sha256sum gives the document's digest"
		else
			fail "$label: the digest by hand" "sha256sum $digest, document $claimed, section $size bytes, file $(wc -c <"$doc")"
		fi
		if tail -c +"$((off + 1))" "$bin" | head -c "$size" | cmp -s - "$doc"; then
			pass "$label: the .sbom section holds $doc"
		else
			fail "$label: the .sbom section holds $doc" "the bytes differ"
		fi
	else
		fail "$label: readelf finds the .sbom section" "readelf -SW shows none"
	fi

	# The package note, as readelf shows it.
	run readelf -nW "$bin"
	local note
	note=$(sed -n 's/.*Packaging Metadata: //p' "$T_OUT")
	if grep -q '^Displaying notes found in: \.note\.package' "$T_OUT" && grep -q 'FDO .*FDO_PACKAGING_METADATA' "$T_OUT" &&
		[ "$("$PYTHON" -c 'import json, sys; n = json.loads(sys.argv[1]); print(n["type"], n["name"], n["version"], n["architecture"], n["purl"])' "$note" 2>/dev/null)" = \
			"generic hello $version ${debarch:-amd64} pkg:generic/hello@$version" ]; then
		pass "$label: readelf -n shows the .note.package note: $note"
	else
		fail "$label: readelf -n shows the .note.package note" "got '$(head -c 300 "$T_OUT" | tr '\n' '|')'"
	fi

	# hello --sbom: the file, byte for byte.
	if [ -n "$debarch" ] && ! emulated; then
		skip "$label: hello --sbom prints the file" "no binfmt_misc entry for aarch64 (scripts/setup arm64-run)"
		return
	fi
	expect_exit "$label: hello --sbom: 0" 0 "$bin" --sbom
	expect_stdout_file "$label: hello --sbom prints $doc, byte for byte" "$doc"
}

check_build "amd64" "$HELLO" ""
check_build "arm64" "$T_ROOT/build/arm64/hello" arm64

# Another pinned component, as deps/NAME.facts would add it: the document
# stays valid with one more library.
if [ -n "$validator" ]; then
	mkdir -p "$T_DIR/deps"
	printf '%s\n' name=ring version=0.17.14 'license=Apache-2.0 AND ISC' purl=pkg:cargo/ring@0.17.14 \
		url=https://github.com/briansmith/ring "sha256=$(printf '%064d' 0)" >"$T_DIR/deps/ring.facts"
	"$PYTHON" - "$T_ROOT/scripts/sbom" "$T_ROOT/tests/fixtures/sbom/facts.json" "$T_DIR/deps" \
		>"$T_DIR/deps.cdx.json" 2>"$T_DIR/deps.err" <<'PY' || true
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("sbom", sys.argv[1])
sbom = importlib.util.module_from_spec(importlib.util.spec_from_loader("sbom", loader))
loader.exec_module(sbom)
facts = sbom.load_facts(sys.argv[2])
facts["deps"] = sbom.read_deps(sys.argv[3])
sys.stdout.buffer.write(sbom.document(facts, "ab" * 32))
PY
	run env NODE_PATH="$validator" node "$T_ROOT/tests/sbom/validate.cjs" "$T_DIR/deps.cdx.json"
	if [ "$T_RC" -eq 0 ] && grep -q '"name":"ring"' "$T_DIR/deps.cdx.json"; then
		pass "a deps/NAME.facts component: still $(sed 's|.*: ||' "$T_OUT")"
	else
		fail "a deps/NAME.facts component: valid CycloneDX" "$(head -c 300 "$T_OUT" "$T_DIR/deps.err")"
	fi
else
	skip "a deps/NAME.facts component: valid CycloneDX" "no validator: $(tail -n 1 "$T_DIR/fetch.err")"
fi

# ------------------------------------------------------------------ failures
# (bash -c: the redirection is the child's; $0 is hello.)
# shellcheck disable=SC2016
expect_exit "hello --sbom with stdout closed: 23" 23 bash -c 'exec "$0" --sbom >&-' "$HELLO"
# shellcheck disable=SC2016
if [ -w /dev/full ]; then
	expect_exit "hello --sbom to a full disk: 23" 23 bash -c 'exec "$0" --sbom >/dev/full' "$HELLO"
else
	skip "hello --sbom to a full disk: 23" "no /dev/full"
fi
expect_exit "--sbom takes no argument: 2" 2 "$HELLO" --sbom=x

t_finish
