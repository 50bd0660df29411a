#!/bin/bash
# run-order: 92
# Two platforms for real, with podman: `scripts/compare --platforms
# linux/amd64,linux/arm64` (what `make compare PLATFORMS=...` runs) builds
# the images whose build stage runs on $BUILDPLATFORM for both platforms,
# cross-compiling (nothing emulated while building), runs and measures each,
# joins each variant's images in a manifest list, pushes it to a local
# registry (PULL=1) and pulls every platform back cold. Then the arm64 scratch
# image is checked: its architecture, its binary (the same bytes as `make
# ARCH=arm64`), its greeting and verified HTTPS against a local server, all
# run through qemu-user. Runs after tests/images.sh, whose compare run built
# the amd64 images and the local bases.
#
# Where aarch64 programs cannot run here (no binfmt_misc entry), every check
# says so and is skipped.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd "$OPENSSL" "$PYTHON" file cmp

engine=$T_ROOT/scripts/engine
name=localhost/tiny-hello
greeting='Hello from a Tiny Container!'
T_CHECKS=("compare for linux/amd64 and linux/arm64" "compare.json rows per variant and platform"
	"arm64 images are arm64" "arm64 scratch image: greeting" "arm64 scratch image: the make ARCH=arm64 binary"
	"arm64 scratch image: verified HTTPS" "manifest lists name both platforms")

if ! ENGINE=$("$engine" 2>"$T_ERR"); then
	fail "a container engine is available" "$(head -n 3 "$T_ERR" | tr '\n' ' ')"
	t_finish
	exit 1
fi
export ENGINE
[ "$ENGINE" = podman ] || skip_all "PLATFORMS builds with podman; the engine here is $ENGINE"
if [ "$(uname -m)" != x86_64 ]; then
	skip_all "written for an x86-64 build machine with arm64 under qemu"
fi
grep -qsx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
	skip_all "no binfmt_misc entry for aarch64 here (as root: scripts/setup arm64-run)"

# --- bad input -------------------------------------------------------------
run "$T_ROOT/scripts/compare" --platforms linux/amd64,linux/s390x
if [ "$T_RC" -ne 0 ] && [ "$(stderr_lines)" -eq 1 ] && grep -q "^compare: PLATFORMS: 'linux/s390x'" "$T_ERR"; then
	pass "compare --platforms with an unknown platform: one error line, non-zero"
else
	fail "compare --platforms with an unknown platform: one error line, non-zero" "exit $T_RC"
fi

# --- compare for both platforms --------------------------------------------
out=$T_DIR/compare.out
# PULL=1: each manifest list goes to a local registry, every platform's
# image comes back from it cold and runs (arm64 under qemu). Fat, one
# platform and 600 MB, is left to its own run below (its pull is
# tests/registry.sh's).
if (cd "$T_ROOT" && PULL=1 VARIANTS="alpine distroless scratch" scripts/compare --platforms linux/amd64,linux/arm64) >"$out" 2>&1; then
	pass "compare for linux/amd64 and linux/arm64"
else
	fail "compare for linux/amd64 and linux/arm64" "exit non-zero; last lines: $(tail -n 8 "$out" | tr '\n' '|' | cut -c1-600)"
	t_finish
	exit 1
fi
(cd "$T_ROOT" && VARIANTS=fat COMPARE_OUT="$T_DIR/fat" scripts/compare --platforms linux/amd64,linux/arm64) >"$T_DIR/fat.out" 2>&1 || true
if grep -q '\[fat\] linux/arm64: not built: Dockerfile.fat has no FROM --platform=[$]BUILDPLATFORM' "$T_DIR/fat.out"; then
	pass "fat is not built for arm64, and compare says why"
else
	fail "fat is not built for arm64, and compare says why" "no such line in the compare output"
fi

py_checks "$T_ROOT/build/compare.json" <<'PY'
import json, sys

def check(label, cond, why=""):
    print(f"PASS\t{label}" if cond else f"FAIL\t{label}\t{why or 'false'}")

rows = json.load(open(sys.argv[1]))["variants"]
got = [(r.get("variant"), r.get("platform")) for r in rows]
want = [("alpine", "linux/amd64"), ("alpine", "linux/arm64"),
        ("distroless", "linux/amd64"), ("distroless", "linux/arm64"),
        ("scratch", "linux/amd64"), ("scratch", "linux/arm64")]
check("compare.json rows per variant and platform", got == want, f"got {got}")
for r in rows:
    n = f"{r['variant']} {r['platform']}"
    check(f"{n}: ran and printed the greeting", r.get("runs") is True)
    check(f"{n}: measured ({r.get('layers_bytes', 0):,} bytes of layers)", r.get("layers_bytes", 0) > 0)
    pb = r.get("pulled_bytes") or 0
    check(f"{n}: pulled back cold from the registry ({pb:,} bytes) and run",
          r.get("pull_cold") is True and pb >= r.get("compressed_bytes", 1) and
          r.get("first_greeting_seconds") is not None)
s = {r["platform"]: r for r in rows if r["variant"] == "scratch"}
if len(s) == 2:
    a, b = s["linux/amd64"], s["linux/arm64"]
    check("scratch linux/arm64: one layer, two files (hello, its SBOM), no shell, non-root",
          b["layers"] == 1 and b["files"] == 2 and not b["has_shell"] and b["user"].split(":")[0] not in ("", "0", "root"))
    check(f"scratch: arm64 within 16 KiB of amd64 ({b['size_bytes']:,} vs {a['size_bytes']:,} bytes)",
          abs(b["size_bytes"] - a["size_bytes"]) <= 16384)
PY

# --- the arm64 images --------------------------------------------------------
arches=""
for v in alpine distroless scratch; do
	arches="$arches $v=$("$engine" image inspect --format '{{.Os}}/{{.Architecture}}' "$name:$v-arm64" 2>&1)"
done
if [ "$arches" = " alpine=linux/arm64 distroless=linux/arm64 scratch=linux/arm64" ]; then
	pass "arm64 images are arm64"
else
	fail "arm64 images are arm64" "got$arches"
fi

# --platform: the image is meant to be another platform's (else podman warns).
run "$engine" run --rm --network none --platform linux/arm64 "$name:scratch-arm64"
if [ "$T_RC" -eq 0 ] && [ "$(cat "$T_OUT")" = "$greeting" ]; then
	pass "arm64 scratch image: greeting"
else
	fail "arm64 scratch image: greeting" "exit $T_RC, stdout '$(head -c 100 "$T_OUT" | tr -c '[:print:]' '.')'"
fi

cid=$("$engine" create "$name:scratch-arm64" 2>/dev/null)
"$engine" cp "$cid:/hello" "$T_DIR/hello-arm64" >/dev/null
"$engine" cp "$cid:/hello.cdx.json" "$T_DIR/hello-arm64.cdx.json" >/dev/null 2>&1 || true
"$engine" rm "$cid" >/dev/null
case $(file -b "$T_DIR/hello-arm64") in
*"ARM aarch64"*"statically linked"*) pass "arm64 scratch image holds a static aarch64 /hello" ;;
*) fail "arm64 scratch image holds a static aarch64 /hello" "file says '$(file -b "$T_DIR/hello-arm64")'" ;;
esac
if [ -f "$T_ROOT/build/arm64/hello" ]; then
	# Reproducible: a clean build in the builder container, at another path,
	# gives the bytes of this tree's build.
	expect_same_file "arm64 scratch image: the make ARCH=arm64 binary, byte for byte" \
		"$T_ROOT/build/arm64/hello" "$T_DIR/hello-arm64"
	expect_same_file "arm64 scratch image: its SBOM, byte for byte build/arm64/hello.cdx.json" \
		"$T_ROOT/build/arm64/hello.cdx.json" "$T_DIR/hello-arm64.cdx.json"
else
	skip "arm64 scratch image: the make ARCH=arm64 binary" "no build/arm64/hello to compare with (make ARCH=arm64)"
fi

pki_issue ca --ca
pki_issue srv --issuer ca
start_s_server tls "$T_PKI/srv.crt" "$T_PKI/srv.key" -tls1_3
chmod 0644 "$T_PKI/ca.crt"
hello_arm64=("$engine" run --rm --network host --platform linux/arm64 -v "$T_PKI/ca.crt:/ca.pem:ro" "$name:scratch-arm64")
expect_exit "arm64 scratch image: verified HTTPS with the test CA: 0" 0 \
	"${hello_arm64[@]}" --cacert /ca.pem "https://127.0.0.1:$SERVER_PORT/"
expect_grep "arm64 scratch image: HTTPS body received" out 'Protocol +: TLSv1\.3'
expect_exit "arm64 scratch image: embedded bundle, unknown test CA: 60" 60 \
	"${hello_arm64[@]}" "https://127.0.0.1:$SERVER_PORT/"

# --- manifest lists ----------------------------------------------------------
for v in alpine distroless scratch; do
	if grep -q "\[$v\] pushing localhost/tiny-hello:$v-manifest (every platform)" "$out"; then
		pass "PULL=1: the $v manifest list was pushed with every platform"
	else
		fail "PULL=1: the $v manifest list was pushed with every platform" "no such line in the compare output"
	fi
done
for v in alpine distroless scratch; do
	run "$engine" manifest inspect "$name:$v-manifest"
	plats=$("$PYTHON" -c 'import json, sys
print(" ".join(sorted(m["platform"]["os"] + "/" + m["platform"]["architecture"]
                      for m in json.load(open(sys.argv[1]))["manifests"])))' "$T_OUT" 2>/dev/null || true)
	if [ "$T_RC" -eq 0 ] && [ "$plats" = "linux/amd64 linux/arm64" ]; then
		pass "manifest list $v-manifest names linux/amd64 and linux/arm64"
	else
		fail "manifest list $v-manifest names linux/amd64 and linux/arm64" "exit $T_RC, platforms '$plats'"
	fi
done

# podman 4.3 cannot list images while such a list exists: compare says so
# then, and removing the lists (what the note says) mends it.
if podman images --quiet >/dev/null 2>&1; then
	pass "podman images works beside the manifest lists"
else
	# shellcheck disable=SC2016 # backquotes, as compare prints them
	if grep -q 'note: `podman images` fails on this podman .* `podman manifest rm NAME`' "$out"; then
		pass "podman images fails beside the manifest lists: compare says so and how to mend it"
	else
		fail "podman images fails beside the manifest lists: compare says so and how to mend it" "no note in the compare output"
	fi
fi
for v in alpine distroless scratch; do
	podman manifest rm "$name:$v-manifest" >/dev/null 2>&1 || true
done
if podman images --quiet >/dev/null 2>&1; then
	pass "podman images works once the manifest lists are removed"
else
	fail "podman images works once the manifest lists are removed" "$(podman images --quiet 2>&1 | tail -n 1 | cut -c1-200)"
fi

t_finish
