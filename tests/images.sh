#!/bin/sh
# run-order: 90
# The three images for real: `scripts/compare` builds, runs, measures and
# audits them; then the scratch image talks to a local `openssl s_server`
# (verified HTTPS with the test CA -> 0, without it -> 60, --healthcheck
# healthy -> 0, closed port -> 1), compare.json is checked against the image
# itself, the audit is shown to fail on a bad scratch image, and (podman) a
# SOURCE_DATE_EPOCH build is reproduced bit for bit.

# Functions here run through trap, check and check_rc, which shellcheck
# cannot follow.
# shellcheck disable=SC2317
set -eu

top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
engine=$top/scripts/engine
out=$top/build
json=$out/compare.json
scratch=localhost/tiny-hello:scratch
greeting='Hello from a Tiny Container!'
tmp=$(mktemp -d)
server_pid=

cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	printf 'ok - %s\n' "$1"
}
not_ok() {
	fail=$((fail + 1))
	printf 'not ok - %s\n' "$1"
}
# check LABEL COMMAND...: ok when COMMAND succeeds.
check() {
	label=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then
		ok "$label"
	else
		not_ok "$label"
		tail -n 15 "$tmp/check.out" | sed 's/^/#   /'
	fi
}
# check_rc LABEL WANT COMMAND...: ok when COMMAND exits WANT.
check_rc() {
	label=$1 want=$2
	shift 2
	rc=0
	"$@" >"$tmp/check.out" 2>&1 || rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$label"
	else
		not_ok "$label (exit $rc, want $want)"
		tail -n 15 "$tmp/check.out" | sed 's/^/#   /'
	fi
}
finish() {
	printf '%d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" -eq 0 ]
	exit
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
	python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# --- engine ----------------------------------------------------------------
if ! name=$("$engine" 2>"$tmp/engine.err"); then
	not_ok "a container engine is available"
	sed 's/^/#   /' "$tmp/engine.err"
	finish
fi
ok "container engine: $name"

# --- the three images, through make compare's machinery ------------------
if (cd "$top" && scripts/compare) >"$tmp/compare.out" 2>&1; then
	ok "compare builds, runs, measures and audits all three images"
else
	not_ok "compare builds, runs, measures and audits all three images"
	tail -n 30 "$tmp/compare.out" | sed 's/^/#   /'
	finish
fi

prints_greeting() {
	got=$("$engine" run --rm --network none "$1")
	printf 'got: %s\n' "$got"
	[ "$got" = "$greeting" ]
}
for variant in fat alpine scratch; do
	check "$variant image prints the greeting" prints_greeting "localhost/tiny-hello:$variant"
done

# --- compare.json against the images ---------------------------------------
cid=$("$engine" create "$scratch")
"$engine" cp "$cid:/hello" "$tmp/hello" >/dev/null
"$engine" rm "$cid" >/dev/null
binary_size=$(wc -c <"$tmp/hello")

python3 - "$json" "$binary_size" >"$tmp/json.tap" <<'PY' || true
import json, sys

path, binary = sys.argv[1], int(sys.argv[2])

def check(label, cond):
    print(("ok - " if cond else "not ok - ") + label)

doc = json.load(open(path))
types = {"variant": str, "image": str, "base": str, "size_bytes": int,
         "layers_bytes": int, "compressed_bytes": int, "layers": int,
         "files": int, "has_shell": bool, "user": str, "setuid_files": int,
         "runs": bool}
check("compare.json names its engine", isinstance(doc.get("engine"), str) and doc["engine"] in ("docker", "podman"))
vs = {v.get("variant"): v for v in doc.get("variants", [])}
check("compare.json has fat, alpine and scratch in that order",
      [v.get("variant") for v in doc.get("variants", [])] == ["fat", "alpine", "scratch"])
for name, v in vs.items():
    bad = [k for k, t in types.items() if not isinstance(v.get(k), t) or
           (t is int and isinstance(v.get(k), bool))]
    check(f"{name}: every field present with its type {bad if bad else ''}".rstrip(), not bad)
    check(f"{name}: runs", v.get("runs") is True)
    check(f"{name}: 0 < compressed_bytes < layers_bytes", 0 < v["compressed_bytes"] < v["layers_bytes"])
    # podman reports the layer tars, docker the bytes of the files in them.
    check(f"{name}: size_bytes within 10% of layers_bytes",
          abs(v["size_bytes"] - v["layers_bytes"]) <= 0.1 * v["layers_bytes"])
    check(f"{name}: at least one layer and one file", v["layers"] >= 1 and v["files"] >= 1)
    check(f"{name}: non-root user ({v['user']!r})", v["user"].split(":")[0] not in ("", "0", "root"))
s, f = vs["scratch"], vs["fat"]
check(f"scratch: size_bytes {s['size_bytes']} within 16 KiB of the binary ({binary})",
      binary <= s["size_bytes"] <= binary + 16384)
check("scratch: no shell", s["has_shell"] is False)
check("scratch: no setuid/setgid file", s["setuid_files"] == 0)
check("scratch: one layer, one file", s["layers"] == 1 and s["files"] == 1)
check("scratch: base is scratch", s["base"] == "scratch")
check(f"fat is at least 100x scratch ({f['size_bytes'] / s['size_bytes']:.0f}x)",
      f["size_bytes"] >= 100 * s["size_bytes"])
check("fat and alpine hold a shell", f["has_shell"] and vs["alpine"]["has_shell"])
PY
cat "$tmp/json.tap"
pass=$((pass + $(grep -c '^ok - ' "$tmp/json.tap" || true)))
fail=$((fail + $(grep -c '^not ok - ' "$tmp/json.tap" || true)))
[ -s "$tmp/json.tap" ] || not_ok "compare.json is readable JSON"
for f in compare.json compare.md compare.svg; do
	check "compare wrote build/$f" test -s "$out/$f"
done

# --- the scratch image against a local TLS server ---------------------------
(
	cd "$tmp"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
		-subj '/CN=tiny test CA' \
		-addext 'basicConstraints=critical,CA:TRUE' \
		-addext 'keyUsage=critical,keyCertSign,cRLSign'
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=localhost'
	printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'basicConstraints=CA:FALSE' \
		'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days 2 -extfile server.ext -out server.pem
	chmod 0644 ca.pem
) >"$tmp/openssl.log" 2>&1 || {
	not_ok "test CA and server certificate generated"
	sed 's/^/#   /' "$tmp/openssl.log"
	finish
}

port=$(free_port)
openssl s_server -quiet -www -accept "127.0.0.1:$port" \
	-cert "$tmp/server.pem" -key "$tmp/server.key" >"$tmp/server.log" 2>&1 &
server_pid=$!
if wait_port "$port"; then
	ok "openssl s_server listens on 127.0.0.1:$port"
else
	not_ok "openssl s_server listens on 127.0.0.1:$port"
	sed 's/^/#   /' "$tmp/server.log"
	finish
fi
closed=$(free_port)

# hello in the scratch image, on the host network, the test CA at /ca.pem.
hello() {
	"$engine" run --rm --network host -v "$tmp/ca.pem:/ca.pem:ro" "$scratch" \
		--resolve "localhost:$port:127.0.0.1" --resolve "localhost:$closed:127.0.0.1" "$@"
}
check_rc "scratch: verified HTTPS GET with the test CA -> 0" 0 \
	hello --cacert /ca.pem "https://localhost:$port/"
check_rc "scratch: without the test CA -> 60 (peer not verified)" 60 \
	hello "https://localhost:$port/"
check_rc "scratch: --healthcheck against the healthy server -> 0" 0 \
	hello --cacert /ca.pem --healthcheck "https://localhost:$port/"
check_rc "scratch: --healthcheck against a closed port -> 1" 1 \
	hello --cacert /ca.pem --healthcheck "https://localhost:$closed/"

kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

# --- the audit refuses a bad scratch image ---------------------------------
audit_case() { # LABEL WANT-EXIT HAS_SHELL SETUID USER
	printf '{"layers_bytes": 1, "compressed_bytes": 1, "layers": 1, "files": 1, "has_shell": %s, "user": "%s", "setuid_files": %s}\n' \
		"$3" "$5" "$4" >"$tmp/m.json"
	printf 'scratch\ti\tscratch\t1\t1\t%s\n' "$tmp/m.json" >"$tmp/rows.tsv"
	rc=0
	"$top/scripts/compare-report" render --engine podman --out "$tmp/audit" \
		"$tmp/rows.tsv" >"$tmp/audit.out" 2>&1 || rc=$?
	if [ "$rc" = "$2" ] && { [ "$2" = 0 ] || grep -q '^audit: FAIL scratch: ' "$tmp/audit.out"; }; then
		ok "$1"
	else
		not_ok "$1 (exit $rc, want $2)"
		sed 's/^/#   /' "$tmp/audit.out"
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
if [ "$name" = podman ]; then
	builder=$(awk -F '\t' '$1 == "BUILDER_IMAGE" { print $2 }' "$out/compare-cache/bases.tsv")
	epoch=1700000000
	repro() { # TAG
		"$engine" build --pull=never --no-cache --timestamp "$epoch" \
			--build-arg "BUILDER_IMAGE=$builder" \
			-f "$top/Dockerfile.scratch" -t "localhost/tiny-hello:$1" "$top"
	}
	if repro repro-1 >"$tmp/repro-1.log" 2>&1 && repro repro-2 >"$tmp/repro-2.log" 2>&1; then
		id1=$("$engine" image inspect --format '{{.Id}}' localhost/tiny-hello:repro-1)
		id2=$("$engine" image inspect --format '{{.Id}}' localhost/tiny-hello:repro-2)
		if [ "$id1" = "$id2" ]; then
			ok "SOURCE_DATE_EPOCH: two --no-cache scratch builds give one image ID ($id1)"
		else
			not_ok "SOURCE_DATE_EPOCH: two --no-cache scratch builds give one image ID ($id1 vs $id2)"
		fi
	else
		not_ok "SOURCE_DATE_EPOCH: scratch image builds with --timestamp"
		tail -n 15 "$tmp"/repro-*.log | sed 's/^/#   /'
	fi
	"$engine" rmi localhost/tiny-hello:repro-1 localhost/tiny-hello:repro-2 >/dev/null 2>&1 || true
else
	ok "SOURCE_DATE_EPOCH reproducibility # SKIP $name's legacy builder has no --timestamp (docs/IMAGES.md: BuildKit rewrite-timestamp)"
fi

finish
