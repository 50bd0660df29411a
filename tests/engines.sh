#!/bin/bash
# run-order: 94
# `make compare` on the other engines people run, each started here and
# stopped by its pid:
#   - Docker 26 with the containerd image store and BuildKit, in a Debian
#     trixie chroot (scripts/docker-daemon 26): alpine and scratch; the engine
#     line gives the daemon's version; the scratch row equals podman's in
#     files, shell, user and setuid, its layer bytes are the binary plus tar
#     overhead; its `docker save` (OCI layout, gzip blobs) and the same image
#     converted by skopeo to a docker-archive and to OCI archives with gzip
#     and zstd layers all measure the same;
#   - Docker 20.10, Debian's docker.io, with its legacy builder, on a
#     template of two-stage builds around the prebuilt build/hello
#     (tests/fixtures/prebuilt: the engine's work without a compiler);
#   - buildah (`buildah bud`, saved as an OCI archive).
# After each daemon stops, nothing of it runs and nothing under its directory
# is mounted.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd python3
for c in skopeo debootstrap buildah podman; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "missing command: $c (scripts/setup test installs it)" >&2
		exit 2
	}
done

COMPARE=$T_ROOT/scripts/compare
DAEMON=$T_ROOT/scripts/docker-daemon
CR=$T_ROOT/scripts/compare-report
T_RUN_TIMEOUT=2400
# The daemons' directories hold a chroot and bind mounts: never inside
# T_DIR, which is removed with rm -rf.
d26=$T_ROOT/build/test-docker-26
d20=$T_ROOT/build/test-docker-20.10
stop_daemons() {
	"$DAEMON" stop "$d26" >/dev/null 2>&1 || true
	"$DAEMON" stop "$d20" >/dev/null 2>&1 || true
}
trap 'stop_daemons; t_cleanup' EXIT
trap 'stop_daemons; t_cleanup; trap - INT; kill -INT $$' INT
trap 'stop_daemons; t_cleanup; exit 143' TERM

# row_checks JSON REFERENCE BINARY LABEL ENGINE VERSION BUILDER FORMAT COMP:
# compare.json of one engine against podman's scratch row.
row_checks() {
	py_checks "$@" <<'PY'
import json, sys
path, ref, binary, label, engine, version, builder, fmt, comp = sys.argv[1:10]
binary = int(binary)
def check(what, cond, why=""):
    print(f"PASS\t{label}: {what}" if cond else f"FAIL\t{label}: {what}\t{why or 'false'}")
doc = json.load(open(path))
check(f"compare.json: engine {engine}", doc["engine"] == engine, doc["engine"])
check(f"compare.json: the {'daemon' if engine == 'docker' else 'engine'}'s version {version}*", (doc.get("engine_version") or "").startswith(version),
      doc.get("engine_version"))
check(f"compare.json: builder {builder}", doc.get("builder") == builder, doc.get("builder"))
vs = {v["variant"]: v for v in doc["variants"]}
podman = {v["variant"]: v for v in json.load(open(ref))["variants"]}["scratch"]
s = vs["scratch"]
for k in ("files", "has_shell", "user", "setuid_files", "layers"):
    check(f"scratch: {k} = podman's ({podman[k]!r})", s[k] == podman[k], s[k])
check(f"scratch: layer tars {s['layers_bytes']:,} = the binary ({binary:,}) + under 16 KiB",
      binary <= s["layers_bytes"] < binary + 16384, s["layers_bytes"])
for name, v in vs.items():
    check(f"{name}: ran", v["runs"] is True)
    check(f"{name}: saved as {fmt}", v["archive_format"] == fmt, v["archive_format"])
    check(f"{name}: layers stored as {comp}", v["layer_compression"] == comp, v["layer_compression"])
PY
}

# stopped LABEL DIR: the daemon of DIR is gone and nothing under DIR (or its
# run directory) is mounted.
stopped() {
	local label=$1 dir=$2 pid=$3 left
	left=$(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 || index($5, "/tmp/tiny-dockerd.") == 1 { print $5 }' /proc/self/mountinfo)
	if kill -0 "$pid" 2>/dev/null; then
		fail "$label: stopped by its pid" "pid $pid still runs"
	elif [ -n "$left" ]; then
		fail "$label: nothing left mounted" "$(printf '%s' "$left" | tr '\n' ' ' | cut -c1-300)"
	else
		pass "$label: stopped by its pid ($pid), nothing left mounted"
	fi
}

# binary_of ENV... IMAGE: /hello out of a docker image, its size.
binary_of() {
	local img=${*: -1} cid
	cid=$(env "${@:1:$#-1}" docker create "$img")
	env "${@:1:$#-1}" docker cp "$cid:/hello" "$T_DIR/hello.bin" >/dev/null
	env "${@:1:$#-1}" docker rm "$cid" >/dev/null
	wc -c <"$T_DIR/hello.bin"
}

# --- podman's scratch row, the reference ---------------------------------------
run env -C "$T_ROOT" ENGINE=podman VARIANTS=scratch BASES=local COMPARE_OUT="$T_DIR/podman" "$COMPARE"
if [ "$T_RC" -ne 0 ]; then
	fail "podman: the reference scratch row" "exit $T_RC: $(grep '^compare: ' "$T_ERR" | head -n 1)"
	t_finish
	exit 1
fi
pass "podman: the reference scratch row"
ref=$T_DIR/podman/compare.json

# --- Docker 26, containerd image store, BuildKit ----------------------------------
if mapfile -t env26 < <("$DAEMON" start --fresh 26 "$d26" 2>"$T_DIR/d26.err") && [ "${#env26[@]}" -gt 0 ]; then
	pass "Docker 26: scripts/docker-daemon starts it"
	pid26=$(cat "$d26/pid")
	# alpine and scratch: fat (one stage on a local toolchain base) adds
	# only bytes and build time here; podman builds it in tests/images.sh.
	run env "${env26[@]}" ENGINE=docker BASES=local VARIANTS="alpine scratch" COMPARE_OUT="$T_DIR/docker-26" "$COMPARE"
	expect_success "Docker 26: ENGINE=docker compare of alpine and scratch exits 0"
	expect_grep "Docker 26: the engine line gives the daemon's version, BuildKit, the containerd store" err \
		'^==> engine: docker 26\.[0-9.]+.*; client [0-9.]+.*; BuildKit.*; containerd image store'
	if [ -s "$T_DIR/docker-26/compare.json" ]; then
		bin=$(binary_of "${env26[@]}" localhost/tiny-hello:scratch)
		row_checks "$T_DIR/docker-26/compare.json" "$ref" "$bin" "Docker 26" docker 26. BuildKit docker-save-oci gzip
	fi
	# One image, four archive shapes, one set of figures.
	fx=$T_DIR/shapes
	mkdir -p "$fx"
	if env "${env26[@]}" docker save -o "$fx/docker-save.tar" localhost/tiny-hello:scratch &&
		skopeo copy -q "docker-archive:$fx/docker-save.tar" "docker-archive:$fx/docker-archive.tar:localhost/x:1" &&
		skopeo copy -q --dest-compress-format gzip "docker-archive:$fx/docker-save.tar" "oci-archive:$fx/oci-gzip.tar" &&
		skopeo copy -q --dest-compress-format zstd "docker-archive:$fx/docker-save.tar" "oci-archive:$fx/oci-zstd.tar"; then
		for a in docker-save docker-archive oci-gzip oci-zstd; do
			"$CR" measure "$fx/$a.tar" >"$fx/$a.json" 2>"$fx/$a.err" || true
		done
		py_checks "$fx" <<'PY'
import json, sys
fx = sys.argv[1]
got = {}
for a in ("docker-save", "docker-archive", "oci-gzip", "oci-zstd"):
    try:
        got[a] = json.load(open(f"{fx}/{a}.json"))
    except ValueError:
        print(f"FAIL\tshapes: {a} measured\t{open(f'{fx}/{a}.err').read().strip()}")
keys = ("files", "has_shell", "user", "setuid_files", "layers_bytes")
ref = got.get("docker-save")
if ref:
    for a, m in got.items():
        same = {k: m[k] for k in keys} == {k: ref[k] for k in keys}
        print(f"PASS\tshapes: {a} ({m['archive_format']}, {m['layer_compression']}) measures as Docker 26's docker save"
              if same else f"FAIL\tshapes: {a} measures as Docker 26's docker save\t{ {k: m[k] for k in keys} }")
    fmts = sorted((m["archive_format"], m["layer_compression"]) for m in got.values())
    want = sorted([("docker-save-oci", "gzip"), ("docker-archive", "none"), ("oci-archive", "gzip"), ("oci-archive", "zstd")])
    print("PASS\tshapes: the four are docker-save-oci/gzip, docker-archive, OCI gzip, OCI zstd" if fmts == want
          else f"FAIL\tshapes: the four shapes\t{fmts}")
PY
	else
		fail "shapes: docker save and skopeo copies of the scratch image" "one of them failed"
	fi
	"$DAEMON" stop "$d26"
	stopped "Docker 26" "$d26" "$pid26"
else
	fail "Docker 26: scripts/docker-daemon starts it" "$(tail -n 1 "$T_DIR/d26.err")"
fi

# --- Docker 20.10, legacy builder ---------------------------------------------------
if mapfile -t env20 < <("$DAEMON" start --fresh 20.10 "$d20" 2>"$T_DIR/d20.err") && [ "${#env20[@]}" -gt 0 ]; then
	pass "Docker 20.10: scripts/docker-daemon starts it"
	pid20=$(cat "$d20/pid")
	# The prebuilt template: two-stage builds of build/hello, no compiler
	# (Docker 26 and podman build the real Dockerfiles above).
	ctx=$T_DIR/prebuilt
	mkdir -p "$ctx"
	cp "$T_ROOT"/tests/fixtures/prebuilt/* "$T_ROOT/build/hello" "$T_ROOT/build/hello.cdx.json" "$ctx/"
	run env "${env20[@]}" ENGINE=docker BASES=local COMPARE_OUT="$T_DIR/docker-20" "$COMPARE" --template "$ctx"
	expect_success "Docker 20.10: ENGINE=docker compare of the prebuilt template (alpine, scratch) exits 0"
	expect_grep "Docker 20.10: the engine line gives the daemon's version and the legacy builder" err \
		'^==> engine: docker 20\.10\.[0-9]+.*; legacy builder'
	expect_grep "Docker 20.10: the legacy builder's steps are shown" out '^    \[scratch\] Step 1/[0-9]+ : '
	if [ -s "$T_DIR/docker-20/compare.json" ]; then
		bin=$(wc -c <"$T_ROOT/build/hello")
		row_checks "$T_DIR/docker-20/compare.json" "$ref" "$bin" "Docker 20.10" docker 20.10 legacy docker-archive none
	fi
	"$DAEMON" stop "$d20"
	stopped "Docker 20.10" "$d20" "$pid20"
else
	fail "Docker 20.10: scripts/docker-daemon starts it" "$(tail -n 1 "$T_DIR/d20.err")"
fi

# --- buildah ---------------------------------------------------------------------------
run env -C "$T_ROOT" ENGINE=buildah BASES=local VARIANTS="alpine scratch" COMPARE_OUT="$T_DIR/buildah" "$COMPARE"
expect_success "buildah: ENGINE=buildah compare of alpine and scratch exits 0"
expect_grep "buildah: the engine line names buildah bud and its version" err '^==> engine: buildah [0-9.]+ \(buildah bud'
if [ -s "$T_DIR/buildah/compare.json" ]; then
	ctr=$(buildah from --pull=never --quiet localhost/tiny-hello:scratch)
	mnt=$(buildah mount "$ctr")
	bin=$(wc -c <"$mnt/hello")
	buildah umount "$ctr" >/dev/null
	buildah rm "$ctr" >/dev/null
	# buildah push to an OCI archive compresses the layers with gzip.
	row_checks "$T_DIR/buildah/compare.json" "$ref" "$bin" buildah buildah 1. buildah oci-archive gzip
fi

t_finish
