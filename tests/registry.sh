#!/bin/bash
# run-order: 92
# `make compare PULL=1` for real, with the engine scripts/engine picks:
# Debian's docker-registry on 127.0.0.1, every image pushed and pulled back
# cold, at loopback speed and through a veth link shaped to 100 Mbit/s; the
# figures are checked against each other and against physics (a pull cannot
# beat its link). Then the faults: a bad LINK, LINK_DELAY on a kernel
# without netem, a registry port already taken, the registry dying
# mid-pull, a full disk, an engine missing or not running, Ctrl-C during a
# pull. Each gives one line and a non-zero exit, and leaves no process,
# mount, namespace, veth or temporary storage behind.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd python3
for c in docker-registry socat ip tc; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "missing command: $c (scripts/setup test installs it)" >&2
		exit 2
	}
done

if ! ENGINE=$("$T_ROOT/scripts/engine" 2>"$T_ERR"); then
	fail "a container engine is available" "$(head -n 1 "$T_ERR")"
	t_finish
	exit 1
fi
export ENGINE
pass "container engine: $ENGINE"
COMPARE=$T_ROOT/scripts/compare
HELLO_PREFIX="compare: "
T_RUN_TIMEOUT=1800

# leftovers LABEL DIR: no process started from DIR, no mount under it, no
# temporary pull storage in it, no link (veth, namespace holder, relay) left.
snapshot() {
	{
		ip -o link show | awk -F': ' '$2 ~ /^tnyh/ { print "veth " $2 }'
		for d in /tmp/tiny-run.*; do
			[ ! -e "$d" ] || echo "dir $d"
		done
		for p in /proc/[0-9]*; do
			cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
			case "$cmd" in
			"sleep 2147483647 " | socat*TCP4-LISTEN* | docker-registry*) echo "pid ${p#/proc/} $cmd" ;;
			esac
		done
	} | sort
}
baseline=$(snapshot)
leftovers() {
	local label=$1 dir=$2 now extra
	now=$(snapshot)
	extra=$(comm -13 <(printf '%s\n' "$baseline") <(printf '%s\n' "$now") | grep -v '^$' || true)
	extra="$extra$(awk -v d="$dir" 'index($5, d "/") == 1 { print " mount " $5 }' /proc/self/mountinfo)"
	extra="$extra$(find "$dir" -maxdepth 1 \( -name 'compare-pull.*' -o -name compare-registry \) -printf ' %f' 2>/dev/null)"
	if [ -z "$extra" ]; then
		pass "$label: nothing left behind"
	else
		fail "$label: nothing left behind" "left: $(printf '%s' "$extra" | tr '\n' ' ' | cut -c1-300)"
	fi
}

# expect_line LABEL CODE REGEX CMD...: CMD exits CODE and prints exactly
# one "compare: " or "engine: " line (after its progress lines), matching
# REGEX, and no traceback.
expect_line() {
	local label=$1 code=$2 re=$3 n
	shift 3
	run "$@"
	n=$(grep -Ec '^(compare|engine): ' "$T_ERR" || true)
	if [ "$T_RC" -ne "$code" ]; then
		fail "$label" "expected exit $code, got $T_RC"
	elif [ "$n" -ne 1 ]; then
		fail "$label" "expected one 'compare: ' line, got $n"
	elif ! grep -E '^(compare|engine): ' "$T_ERR" | grep -Eq -- "$re"; then
		fail "$label" "expected /$re/, got '$(grep -E '^(compare|engine): ' "$T_ERR")'"
	elif grep -q Traceback "$T_ERR"; then
		fail "$label" "a traceback"
	else
		pass "$label"
	fi
}

# pull_checks FILE LINK: the pull figures of compare.json.
pull_checks() {
	"$PYTHON" - "$@" >"$T_DIR/checks" 2>&1 || echo "FAIL	the checks ran	$(tail -n 1 "$T_DIR/checks")" >>"$T_DIR/checks"
	while IFS='	' read -r verdict what why; do
		case "$verdict" in
		PASS) pass "$what" ;;
		FAIL) fail "$what" "$why" ;;
		esac
	done <"$T_DIR/checks"
}

# --- PULL=1 over loopback -----------------------------------------------------
out=$T_DIR/loopback
run env -C "$T_ROOT" COMPARE_OUT="$out" PULL=1 "$COMPARE"
if [ "$T_RC" -eq 0 ]; then
	pass "PULL=1: compare pushes, pulls back cold, runs and measures all three"
else
	fail "PULL=1: compare pushes, pulls back cold, runs and measures all three" "exit $T_RC"
	tail -n 20 "$T_ERR" | sed 's/^/#   /'
fi
expect_grep "PULL=1: the registry and its address are named" err '^==> registry: docker-registry [0-9.]+.* at 127\.0\.0\.1:[0-9]+'
expect_grep "PULL=1: the table has the pull columns" out 'pulled +pull s +greeting s +10 starts s'
for v in fat alpine scratch; do
	expect_grep "PULL=1: $v: bytes and seconds printed" err "^    \[$v\] [0-9]+ bytes in [0-9.]+ s; greeting after [0-9.]+ s; 10 at once: [0-9.]+ s"
done
cat >"$T_DIR/pull_checks.py" <<'PY'
import json, sys
doc, link = json.load(open(sys.argv[1])), sys.argv[2]
def check(label, cond, why=""):
    print(f"PASS\t{label}" if cond else f"FAIL\t{label}\t{why or 'false'}")
check(f"{link}: compare.json names the link", doc.get("link") == link, doc.get("link"))
vs = {v["variant"]: v for v in doc["variants"]}
for name, v in vs.items():
    p = {k: v.get(k) for k in ("pulled_bytes", "pull_seconds", "first_greeting_seconds", "start_10_seconds")}
    check(f"{link}: {name}: every pull figure measured", all(x is not None and x > 0 for x in p.values()), p)
    if None in p.values():
        continue
    # podman pushes gzip layers: what the registry served is close to our
    # own gzip -6 of each layer (manifest and config on top).
    ratio = p["pulled_bytes"] / v["compressed_bytes"]
    check(f"{link}: {name}: pulled {p['pulled_bytes']:,} bytes, within 20% of the gzip estimate",
          0.8 <= ratio <= 1.2, f"{ratio:.2f}x of {v['compressed_bytes']:,}")
    check(f"{link}: {name}: the greeting comes after the pull",
          p["first_greeting_seconds"] >= p["pull_seconds"], p)
    if link != "loopback":
        bps = float(link[:-4]) * 1e6
        floor = p["pulled_bytes"] * 8 / bps
        check(f"{link}: {name}: pull {p['pull_seconds']:.2f} s is not faster than the link ({floor:.2f} s)",
              p["pull_seconds"] >= floor * 0.95, p["pull_seconds"])
f, s = vs["fat"], vs["scratch"]
if f.get("pulled_bytes") and s.get("pulled_bytes"):
    check(f"{link}: scratch pulls at least 100x fewer bytes than fat "
          f"({f['pulled_bytes'] / s['pulled_bytes']:,.0f}x)", f["pulled_bytes"] >= 100 * s["pulled_bytes"])
    if link == "100mbit":
        check(f"{link}: fat's pull takes at least 15 s ({f['pull_seconds']:.2f})", f["pull_seconds"] >= 15)
        check(f"{link}: scratch's pull takes under 1 s ({s['pull_seconds']:.2f})", s["pull_seconds"] < 1)
PY
pull_checks "$out/compare.json" loopback <"$T_DIR/pull_checks.py"
leftovers "PULL=1" "$out"

# --- PULL=1 through a 100 Mbit/s link ----------------------------------------
out=$T_DIR/shaped
run env -C "$T_ROOT" COMPARE_OUT="$out" LINK=100mbit "$COMPARE"
if [ "$T_RC" -eq 0 ]; then
	pass "LINK=100mbit: compare pulls all three through the shaped link"
else
	fail "LINK=100mbit: compare pulls all three through the shaped link" "exit $T_RC"
	tail -n 20 "$T_ERR" | sed 's/^/#   /'
fi
expect_grep "LINK=100mbit: the output names the link" err 'through a 100mbit link'
pull_checks "$out/compare.json" 100mbit <"$T_DIR/pull_checks.py"
leftovers "LINK=100mbit" "$out"

# --- faults ---------------------------------------------------------------------
out=$T_DIR/faults
mkdir -p "$out"

one=(env -C "$T_ROOT" COMPARE_OUT="$out" VARIANTS=alpine BASES=local)
expect_line "LINK=fast: exit 2, one line" 2 '^compare: LINK=fast: not a rate' env LINK=fast "$COMPARE"
expect_line "LINK=0bit: exit 2, one line" 2 'LINK=0bit: the rate must be' env LINK=0bit "$COMPARE"
expect_line "LINK_DELAY without LINK: exit 2, one line" 2 'LINK_DELAY=20ms: needs LINK=' env LINK_DELAY=20ms "$COMPARE"
expect_line "LINK_DELAY=soon: exit 2, one line" 2 'LINK_DELAY=soon: not a delay' env LINK=100mbit LINK_DELAY=soon "$COMPARE"
expect_line "PULL=yes: exit 2, one line" 2 'PULL=yes: use PULL=1' env PULL=yes "$COMPARE"
expect_line "REGISTRY_PORT=70000: exit 2, one line" 2 'REGISTRY_PORT=70000: want a port' env PULL=1 REGISTRY_PORT=70000 "$COMPARE"
if unshare --net tc qdisc add dev lo root netem delay 1ms >/dev/null 2>&1; then
	skip "LINK_DELAY refused without netem" "this kernel has netem"
else
	expect_line "LINK_DELAY=20ms on a kernel without netem: exit 2, one line saying so" 2 \
		'LINK_DELAY=20ms: needs the kernel.s netem' env LINK=100mbit LINK_DELAY=20ms "$COMPARE"
fi

# A port already taken.
start_bg taken "$PYTHON" -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print("PORT", s.getsockname()[1], flush=True); time.sleep(600)'
wait_log_port taken 's/^PORT \([0-9][0-9]*\)$/\1/p'
taken=$SERVER_PORT
expect_line "REGISTRY_PORT=$taken (taken): exit 1, one line saying so" 1 \
	"^compare: cannot listen on 127.0.0.1:$taken: the port is taken" "${one[@]}" PULL=1 REGISTRY_PORT="$taken" "$COMPARE"
leftovers "port taken" "$out"

# The registry dies mid-pull: alpine's 1.3 MB through 2 Mbit/s take 5 s; the
# registry is killed by its pid a second into the pull.
("${one[@]}" LINK=2mbit "$COMPARE" >"$T_DIR/dies.out" 2>"$T_DIR/dies.err") &
cpid=$!
killed=
for _ in $(seq 1 600); do
	if grep -q 'pulling .* (cold)' "$T_DIR/dies.err" 2>/dev/null; then
		sleep 1
		kill "$(cat "$out/compare-registry/pid")" 2>/dev/null && killed=1
		break
	fi
	kill -0 "$cpid" 2>/dev/null || break
	sleep 0.5
done
rc=0
wait "$cpid" || rc=$?
if [ -n "$killed" ] && [ "$rc" -eq 1 ] && [ "$(grep -c '^compare: ' "$T_DIR/dies.err")" -eq 1 ] &&
	grep -Eq '^compare: \[alpine\] pull of .* failed: .*(EOF|connection|reset|refused)' "$T_DIR/dies.err"; then
	pass "registry killed mid-pull: exit 1, one line naming the pull and the lost connection"
else
	fail "registry killed mid-pull: exit 1, one line naming the pull and the lost connection" "killed=${killed:-no} exit $rc, $(grep '^compare: ' "$T_DIR/dies.err" | head -n 2 | tr '\n' '|')"
fi
leftovers "registry killed mid-pull" "$out"

# Ctrl-C during a pull: SIGINT to compare's whole process group.
(setsid "${one[@]}" LINK=2mbit "$COMPARE" >"$T_DIR/int.out" 2>"$T_DIR/int.err") &
cpid=$!
sent=
for _ in $(seq 1 600); do
	if grep -q 'pulling .* (cold)' "$T_DIR/int.err" 2>/dev/null; then
		sleep 1
		pg=$(ps -o pgid= -p "$(pgrep -P "$cpid" | head -n 1)" 2>/dev/null | tr -d ' ')
		[ -z "$pg" ] || { kill -INT -- "-$pg" && sent=1; }
		break
	fi
	kill -0 "$cpid" 2>/dev/null || break
	sleep 0.5
done
rc=0
wait "$cpid" || rc=$?
if [ -n "$sent" ] && [ "$rc" -ne 0 ]; then
	pass "Ctrl-C during a pull: compare stops (exit $rc)"
else
	fail "Ctrl-C during a pull: compare stops" "sent=${sent:-no} exit $rc"
fi
leftovers "Ctrl-C during a pull" "$out"

# A full disk: the floor is checked first; past it, a real ENOSPC while the
# image is saved for measuring gives one line too.
small=$T_DIR/small
mkdir -p "$small"
if mount -t tmpfs -o size=64m tmpfs "$small"; then
	mkdir -p "$small/out" "$small/tmp"
	expect_line "disk full (64 MiB free): exit 1, one line before building" 1 \
		'^compare: disk full: [0-9]+ MiB free for .*free space' \
		env -C "$T_ROOT" COMPARE_OUT="$small/out" TMPDIR="$small/tmp" BASES=local "$COMPARE"
	expect_line "no space left while saving fat to measure it: exit 1, one line" 1 \
		'^compare: \[fat\] .*disk full' \
		env -C "$T_ROOT" COMPARE_OUT="$small/out" COMPARE_CACHE="$small/cache" TMPDIR="$small/tmp" \
		BASES=local COMPARE_MIN_FREE_MIB=1 "$COMPARE"
	leftovers "disk full" "$small"
	umount "$small"
else
	fail "a 64 MiB tmpfs for the full-disk case" "mount failed"
fi

# An engine missing or not running.
expect_line "ENGINE=docker with no daemon at DOCKER_HOST: exit 2, one line saying what to do" 2 \
	"^engine: ENGINE=docker: no docker daemon answers at unix://$T_DIR/no.sock.*ENGINE=podman" \
	env ENGINE=docker DOCKER_HOST="unix://$T_DIR/no.sock" "$COMPARE"
# A PATH with every command but the engines'.
nopath=$T_DIR/noengine
mkdir -p "$nopath"
for f in /usr/bin/* /usr/sbin/*; do
	case ${f##*/} in podman | buildah | docker | dockerd) continue ;; esac
	ln -sf "$f" "$nopath/${f##*/}"
done
expect_line "ENGINE=podman without podman: exit 2, one line" 2 '^engine: ENGINE=podman: podman is not installed' \
	env PATH="$nopath" ENGINE=podman "$COMPARE"
expect_line "ENGINE=docker without a client: exit 2, one line" 2 '^engine: ENGINE=docker: no docker client' \
	env PATH="$nopath" ENGINE=docker "$COMPARE"
expect_line "no engine at all: exit 2, one line saying how to get one" 2 '^engine: no container engine: .*scripts/setup compare' \
	env -u ENGINE PATH="$nopath" "$COMPARE"
if command -v docker >/dev/null 2>&1 && ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
	run env -u ENGINE -u DOCKER_HOST "$T_ROOT/scripts/engine" --describe
	if [ "$T_RC" -eq 0 ] && grep -q "^podman .*docker's daemon does not answer" "$T_OUT"; then
		pass "a docker client without a daemon: detection asks the daemon and takes podman"
	else
		fail "a docker client without a daemon: detection asks the daemon and takes podman" "got '$(head -n 1 "$T_OUT")'"
	fi
else
	skip "a docker client without a daemon" "no such client here"
fi

t_finish
