#!/bin/bash
# run-order: 90
# The four images for real, with the engine scripts/engine picks (podman
# here): `scripts/compare` builds, runs, measures and audits them, each with
# the OCI labels of `make oci-labels` (and SCAN=1 when trivy can be had);
# then the
# scratch image talks to a local `openssl s_server` (verified HTTPS with the
# test CA -> 0, without it -> 60, --healthcheck healthy -> 0, closed port ->
# 1), compare.json is checked against the image itself, the audit is shown to
# fail on a bad scratch image, and (podman) a SOURCE_DATE_EPOCH build is
# reproduced bit for bit, the SBOM in it too (two clean builds in the
# builder container: the bytes of build/hello.cdx.json). Other engines:
# tests/engines.sh; pulls: tests/registry.sh; what a scanner sees:
# tests/scan.sh.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd openssl python3

engine=$T_ROOT/scripts/engine
out=$T_ROOT/build
json=$out/compare.json
scratch=localhost/tiny-hello:scratch
greeting='Hello from a Tiny Container!'

# --- engine ----------------------------------------------------------------
if ! ENGINE=$("$engine" 2>"$T_ERR"); then
	fail "a container engine is available" "$(head -n 1 "$T_ERR")"
	t_finish
	exit 1
fi
export ENGINE
pass "container engine: $ENGINE"

# --- the four images, through make compare's machinery -------------------
# With trivy, SCAN=1 too: tests/scan.sh reads what it saw from compare.json
# (one compare run for both; each image is saved once).
scan=
"$T_ROOT/scripts/fetch-tool" trivy >/dev/null 2>"$T_DIR/fetch.err" && scan=1
T_RUN_TIMEOUT=1800 run env -C "$T_ROOT" SCAN="$scan" scripts/compare
if [ "$T_RC" -eq 0 ]; then
	pass "compare builds, runs, measures${scan:+, scans} and audits all four images"
	[ -z "$scan" ] || expect_grep "compare SCAN=1: the table has a 'trivy sees' column" out 'trivy sees'
else
	fail "compare builds, runs, measures${scan:+, scans} and audits all four images" "exit $T_RC"
	tail -n 30 "$T_ERR" | sed 's/^/#   /'
	t_finish
	exit 1
fi
expect_grep "the engine line names $ENGINE and its version" err "^==> engine: $ENGINE [0-9]"

if [ "$ENGINE" != buildah ]; then
	for variant in fat alpine distroless scratch; do
		expect_exit "$variant image prints the greeting" 0 \
			"$engine" run --rm --network none "localhost/tiny-hello:$variant"
		last_ok && expect_grep "$variant: the greeting, exactly" out "^$greeting\$"
	done
fi

# --- compare.json against the images ---------------------------------------
cid=$("$engine" create "$scratch")
"$engine" cp "$cid:/hello" "$T_DIR/hello" >/dev/null
"$engine" rm "$cid" >/dev/null
binary_size=$(wc -c <"$T_DIR/hello")

py_checks "$json" "$binary_size" "$ENGINE" <<'PY'
import json, sys

path, binary, engine = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def check(label, cond, why=""):
    print(f"PASS\t{label}" if cond else f"FAIL\t{label}\t{why or 'false'}")

doc = json.load(open(path))
types = {"variant": str, "image": str, "base": str, "size_bytes": int,
         "layers_bytes": int, "compressed_bytes": int, "layers": int,
         "files": int, "has_shell": bool, "user": str, "setuid_files": int,
         "runs": bool, "platform": str, "stored_bytes": int,
         "layer_compression": str, "archive_format": str, "accounts": int,
         "shell_accounts": int}
check(f"compare.json names its engine ({engine})", doc.get("engine") == engine, doc.get("engine"))
check("compare.json gives the engine's version", isinstance(doc.get("engine_version"), str)
      and doc["engine_version"][:1].isdigit(), doc.get("engine_version"))
check("compare.json: no link without PULL=1", doc.get("link") is None, doc.get("link"))
vs = {v.get("variant"): v for v in doc.get("variants", [])}
check("compare.json has fat, alpine, distroless and scratch in that order",
      [v.get("variant") for v in doc.get("variants", [])] == ["fat", "alpine", "distroless", "scratch"])
for name, v in vs.items():
    bad = [k for k, t in types.items() if not isinstance(v.get(k), t) or
           (t is int and isinstance(v.get(k), bool))]
    check(f"{name}: every field present with its type", not bad, bad)
    check(f"{name}: pull figures null without PULL=1",
          all(v.get(k, 0) is None for k in ("pulled_bytes", "pull_seconds",
                                             "first_greeting_seconds", "start_10_seconds")))
    check(f"{name}: runs", v.get("runs") is True)
    check(f"{name}: 0 < compressed_bytes < layers_bytes", 0 < v["compressed_bytes"] < v["layers_bytes"])
    # podman counts the layer tars; docker's graph drivers the bytes of the
    # files, its containerd store the compressed blobs.
    check(f"{name}: size_bytes within 10% of layers_bytes (or of the gzip size)",
          abs(v["size_bytes"] - v["layers_bytes"]) <= 0.1 * v["layers_bytes"]
          or abs(v["size_bytes"] - v["stored_bytes"]) <= 0.1 * v["stored_bytes"])
    check(f"{name}: at least one layer and one file", v["layers"] >= 1 and v["files"] >= 1)
    check(f"{name}: non-root user ({v['user']!r})", v["user"].split(":")[0] not in ("", "0", "root"))
    check(f"{name}: platform linux/amd64 or this machine's", v["platform"].startswith("linux/"), v["platform"])
s, f = vs["scratch"], vs["fat"]
check(f"scratch: layer tars {s['layers_bytes']} within 16 KiB of the binary ({binary})",
      binary <= s["layers_bytes"] <= binary + 16384, s["layers_bytes"])
check("scratch: no shell", s["has_shell"] is False)
check("scratch: no setuid/setgid file", s["setuid_files"] == 0)
check("scratch: one layer, two files (hello and its SBOM)", s["layers"] == 1 and s["files"] == 2)
check("scratch: base is scratch", s["base"] == "scratch")
check("scratch: no /etc/passwd", s["accounts"] == 0, s["accounts"])
d = vs["distroless"]
check("distroless: no shell, no setuid/setgid file", d["has_shell"] is False and d["setuid_files"] == 0)
check(f"distroless: root, nobody and nonroot, none with a shell ({d['accounts']}, {d['shell_accounts']})",
      d["accounts"] == 3 and d["shell_accounts"] == 0)
check(f"fat: accounts with a login shell ({f['shell_accounts']} of {f['accounts']})", f["shell_accounts"] >= 1)
check("distroless: on distroless (or its stand-in)", "distroless" in d["base"], d["base"])
check(f"fat is at least 100x scratch ({f['layers_bytes'] / s['layers_bytes']:.0f}x)",
      f["layers_bytes"] >= 100 * s["layers_bytes"])
check("fat and alpine hold a shell", f["has_shell"] and vs["alpine"]["has_shell"])
PY
# --- the OCI labels: make oci-labels' on every image -------------------------
make -s --no-print-directory -C "$T_ROOT" oci-labels >"$T_DIR/labels" 2>"$T_ERR" || true
if grep -q '^org.opencontainers.image.version=' "$T_DIR/labels" && grep -q '^org.opencontainers.image.created=' "$T_DIR/labels"; then
	pass "make oci-labels prints the labels ($(wc -l <"$T_DIR/labels") of them)"
else
	fail "make oci-labels prints the labels" "got '$(head -c 200 "$T_DIR/labels")'"
fi
if git -C "$T_ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	if grep -q "^org.opencontainers.image.revision=$(git -C "$T_ROOT" rev-parse HEAD)\(-dirty\)\?\$" "$T_DIR/labels"; then
		pass "the revision label is the checkout's commit"
	else
		fail "the revision label is the checkout's commit" "got '$(grep revision "$T_DIR/labels")'"
	fi
fi
sbom_time=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["timestamp"])' "$T_ROOT/build/hello.cdx.json" 2>/dev/null || true)
if [ -n "$sbom_time" ] && grep -qx "org.opencontainers.image.created=$sbom_time" "$T_DIR/labels"; then
	pass "the created label is the SBOM's timestamp ($sbom_time)"
else
	fail "the created label is the SBOM's timestamp" "SBOM '$sbom_time', labels '$(grep created "$T_DIR/labels")'"
fi
for variant in fat alpine distroless scratch; do
	"$engine" image inspect --format '{{json .Labels}}' "localhost/tiny-hello:$variant" >"$T_DIR/got" 2>&1 || true
	if "$PYTHON" - "$T_DIR/got" "$T_DIR/labels" <<'PY'; then
import json, sys
got = json.load(open(sys.argv[1])) or {}
want = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]) if "=" in l)
sys.exit(0 if want and all(got.get(k) == v for k, v in want.items()) else 1)
PY
		pass "$variant image carries every label of make oci-labels"
	else
		fail "$variant image carries every label of make oci-labels" "got $(head -c 300 "$T_DIR/got")"
	fi
done

for f in compare.json compare.md compare.svg; do
	if [ -s "$out/$f" ]; then pass "compare wrote build/$f"; else fail "compare wrote build/$f" "missing or empty"; fi
done

# --- the scratch image against a local TLS server ---------------------------
if [ "$ENGINE" = buildah ]; then
	skip "scratch image against a TLS server" "buildah run has no --network host / -v (run by podman, docker)"
else
	pki_issue ca --ca
	pki_issue srv --issuer ca --san "DNS:localhost,IP:127.0.0.1"
	chmod 0644 "$T_PKI/ca.crt"
	start_s_server tls "$T_PKI/srv.crt" "$T_PKI/srv.key"
	port=$SERVER_PORT
	closed=$(free_port)
	# hello in the scratch image, on the host network, the test CA at /ca.pem.
	hello=("$engine" run --rm --network host -v "$T_PKI/ca.crt:/ca.pem:ro" "$scratch"
		--resolve "localhost:$port:127.0.0.1" --resolve "localhost:$closed:127.0.0.1")
	HELLO_PREFIX="hello: "
	expect_exit "scratch: verified HTTPS GET with the test CA -> 0" 0 \
		"${hello[@]}" --cacert /ca.pem "https://localhost:$port/"
	expect_exit "scratch: without the test CA -> 60 (peer not verified)" 60 \
		"${hello[@]}" "https://localhost:$port/"
	expect_exit "scratch: --healthcheck against the healthy server -> 0" 0 \
		"${hello[@]}" --cacert /ca.pem --healthcheck "https://localhost:$port/"
	expect_exit "scratch: --healthcheck against a closed port -> 1" 1 \
		"${hello[@]}" --cacert /ca.pem --healthcheck "https://localhost:$closed/"
fi

# --- the audit refuses a bad scratch image ---------------------------------
audit_case() { # LABEL WANT-EXIT HAS_SHELL SETUID USER
	printf '{"layers_bytes": 1, "compressed_bytes": 1, "layers": 1, "files": 1, "has_shell": %s, "user": "%s", "setuid_files": %s}\n' \
		"$3" "$5" "$4" >"$T_DIR/m.json"
	printf 'scratch\ti\tscratch\t1\t1\t%s\n' "$T_DIR/m.json" >"$T_DIR/rows.tsv"
	run "$T_ROOT/scripts/compare-report" render --engine podman --out "$T_DIR/audit" "$T_DIR/rows.tsv"
	if [ "$T_RC" = "$2" ] && { [ "$2" = 0 ] || grep -q '^audit: FAIL scratch: ' "$T_ERR"; }; then
		pass "$1"
	else
		fail "$1" "expected exit $2 and an audit line, got exit $T_RC"
	fi
}
audit_case "audit fails when the scratch image holds /bin/sh" 1 true 0 65532:65532
audit_case "audit fails when the scratch image holds a setuid file" 1 false 1 65532:65532
audit_case "audit fails when the scratch image runs as root" 1 false 0 root
audit_case "audit fails when the scratch image has no USER" 1 false 0 ""
audit_case "audit passes a clean scratch image" 0 false 0 65532:65532

# --- reproducible scratch image (podman --timestamp) -----------------------
# Both builds are --no-cache: podman reuses cached layers regardless of
# --timestamp, which would make the comparison trivially true.
if [ "$ENGINE" = podman ]; then
	builder=$(awk -F '\t' '$1 == "BUILDER_IMAGE" { print $2 }' "$out/compare-cache/bases.tsv")
	epoch=1700000000
	repro=("$engine" build --pull=never --no-cache --timestamp "$epoch"
		--build-arg "BUILDER_IMAGE=$builder" -f "$T_ROOT/Dockerfile.scratch" "$T_ROOT" -t)
	T_RUN_TIMEOUT=900
	run "${repro[@]}" localhost/tiny-hello:repro-1
	rc1=$T_RC
	run "${repro[@]}" localhost/tiny-hello:repro-2
	if [ "$rc1" -eq 0 ] && [ "$T_RC" -eq 0 ]; then
		id1=$("$engine" image inspect --format '{{.Id}}' localhost/tiny-hello:repro-1)
		id2=$("$engine" image inspect --format '{{.Id}}' localhost/tiny-hello:repro-2)
		if [ "$id1" = "$id2" ]; then
			pass "SOURCE_DATE_EPOCH: two --no-cache scratch builds give one image ID ($id1)"
		else
			fail "SOURCE_DATE_EPOCH: two --no-cache scratch builds give one image ID" "$id1 vs $id2"
		fi
		# The SBOM of both clean builds: the bytes of this tree's build.
		for n in 1 2; do
			cid=$("$engine" create "localhost/tiny-hello:repro-$n")
			"$engine" cp "$cid:/hello.cdx.json" "$T_DIR/repro-$n.cdx.json" >/dev/null 2>&1 || true
			"$engine" rm "$cid" >/dev/null
			expect_same_file "clean build $n in the builder: /hello.cdx.json is build/hello.cdx.json, byte for byte" \
				"$T_ROOT/build/hello.cdx.json" "$T_DIR/repro-$n.cdx.json"
		done
	else
		fail "SOURCE_DATE_EPOCH: scratch image builds with --timestamp" "exit $rc1 and $T_RC"
	fi
	"$engine" rmi localhost/tiny-hello:repro-1 localhost/tiny-hello:repro-2 >/dev/null 2>&1 || true
else
	skip "SOURCE_DATE_EPOCH reproducibility" "$ENGINE: compare does not set BuildKit's rewrite-timestamp (docs/IMAGES.md)"
fi

t_finish
