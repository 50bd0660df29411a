#!/bin/bash
# run-order: 92
# The probe where it lives: in containers, with no shell. A service
# container (busybox httpd on 8080 and 5432, in a network of its own), and
# beside it, in the same network:
#  - a scratch image holding only hello runs the probe people write,
#    `--healthcheck 'http://127.0.0.1:${PORT:-8080}/healthz' tcp://127.0.0.1:5432`,
#    exec form, expanding ${PORT} itself;
#  - a Docker-format image (podman build --format docker) with that
#    HEALTHCHECK: `podman healthcheck run` says healthy, then unhealthy once
#    the service stops, and podman keeps hello's one line for each.
# ${NAME} in single quotes is what the probe must see unexpanded.
# shellcheck disable=SC2016
set -eu

. "$(dirname "$0")/lib.sh"

need_cmd podman "$PYTHON"
t_init
if [ ! -x /bin/busybox ]; then
	skip "probe in containers" "no /bin/busybox (Debian busybox-static) for the service image"
	t_finish
	exit $?
fi
: "${CONTAINERS_CONF:=$T_ROOT/scripts/containers.conf}"
export CONTAINERS_CONF
TAG=hello-probe-test-$$
SERVICE=$TAG-service
APP=$TAG-app
# podman's healthcheck timers want systemd; the checks are run by hand here.
NOTIMER=(--health-interval disable)
cleanup_podman() {
	podman rm -f -t 0 "$APP" "$SERVICE" >/dev/null 2>&1 || true
	podman rmi -f "localhost/$TAG:service" "localhost/$TAG:probe" "localhost/$TAG:app" >/dev/null 2>&1 || true
}
trap 'cleanup_podman; t_cleanup' EXIT
trap 'cleanup_podman; t_cleanup; exit 130' INT TERM

# build NAME FORMAT: the image localhost/$TAG:NAME from $T_DIR/NAME/Dockerfile.
build() {
	if podman build -q --format "$2" -t "localhost/$TAG:$1" "$T_DIR/$1" >"$T_DIR/$1.build" 2>&1; then
		pass "image $1 built ($2 format)"
	else
		fail "image $1 built" "expected podman build to succeed, got '$(tail -n 2 "$T_DIR/$1.build" | tr '\n' ' ')'"
		t_finish
		exit 1
	fi
}

mkdir -p "$T_DIR/service/www" "$T_DIR/probe" "$T_DIR/app"
cp /bin/busybox "$T_DIR/service/busybox"
printf 'ok\n' >"$T_DIR/service/www/healthz"
cat >"$T_DIR/service/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
COPY www /www
USER 65532:65532
ENTRYPOINT ["/bin/busybox", "sh", "-c", "busybox httpd -p 127.0.0.1:8080 -h /www && busybox httpd -p 127.0.0.1:5432 -h /www && exec busybox sleep 3600"]
EOF
cp "$HELLO" "$T_DIR/probe/hello"
cat >"$T_DIR/probe/Dockerfile" <<'EOF'
FROM scratch
COPY hello /hello
USER 65532:65532
ENTRYPOINT ["/hello"]
EOF
cp "$HELLO" "$T_DIR/app/hello"
cp /bin/busybox "$T_DIR/app/busybox"
cat >"$T_DIR/app/Dockerfile" <<'EOF'
FROM scratch
COPY hello /hello
COPY busybox /busybox
ENV PORT=8080
HEALTHCHECK --interval=30s --timeout=6s --retries=1 CMD ["/hello", "--healthcheck", "http://127.0.0.1:${PORT:-8080}/healthz", "tcp://127.0.0.1:5432"]
USER 65532:65532
ENTRYPOINT ["/busybox", "sleep", "3600"]
EOF
build service oci
build probe oci
build app docker

if ! podman run -d --name "$SERVICE" --network none "localhost/$TAG:service" >"$T_DIR/service.run" 2>&1; then
	fail "service container runs" "got '$(tail -n 1 "$T_DIR/service.run")'"
	t_finish
	exit 1
fi
for _ in $(seq 1 50); do
	podman exec "$SERVICE" /bin/busybox wget -q -O /dev/null http://127.0.0.1:8080/healthz 2>/dev/null && break
	sleep 0.1
done
NET=(--network "container:$SERVICE")

# --- the scratch image, hello alone, exec form
expect_exit "scratch probe: \${PORT:-8080} and tcp://: healthy" 0 podman run --rm "${NET[@]}" \
	"localhost/$TAG:probe" --healthcheck 'http://127.0.0.1:${PORT:-8080}/healthz' tcp://127.0.0.1:5432
expect_grep "scratch probe: one line naming both" out \
	'^healthy: 2 checks: http://127\.0\.0\.1:8080/healthz: HTTP 200 in [0-9]+ ms; tcp://127\.0\.0\.1:5432: connected in [0-9]+ ms'
expect_exit "scratch probe: PORT=8081 from the environment: unhealthy" 1 podman run --rm "${NET[@]}" -e PORT=8081 \
	"localhost/$TAG:probe" --healthcheck 'http://127.0.0.1:${PORT:-8080}/healthz' tcp://127.0.0.1:5432
expect_grep "scratch probe: PORT=8081: names the target" err 'unhealthy: 1 of 2 checks failed: http://127\.0\.0\.1:8081/healthz: cannot connect'
expect_exit "scratch probe: HEALTHCHECK_URL: healthy" 0 podman run --rm "${NET[@]}" \
	-e HEALTHCHECK_URL='http://127.0.0.1:8080/healthz tcp://127.0.0.1:${DB:-5432}' "localhost/$TAG:probe" --healthcheck
expect_exit "scratch probe: --expect-body: healthy" 0 podman run --rm "${NET[@]}" \
	"localhost/$TAG:probe" --healthcheck --expect-body ok http://127.0.0.1:8080/healthz
# hello is PID 1 in its container: a name looked up under the deadline
# (in a child process) must still resolve. podman puts the container's
# own name in its /etc/hosts.
expect_exit "scratch probe, PID 1: a name from /etc/hosts: healthy" 0 podman run --rm "${NET[@]}" \
	--name "$TAG-named" "localhost/$TAG:probe" --healthcheck "http://$TAG-named:8080/healthz"
expect_exit "scratch probe, PID 1: a name that is nowhere: unhealthy" 1 podman run --rm "${NET[@]}" \
	"localhost/$TAG:probe" --healthcheck -m 2 http://nowhere.test:8080/healthz

# --- the image's own HEALTHCHECK, run by podman
podman image inspect "localhost/$TAG:app" >"$T_DIR/app.json" 2>&1 || true
if "$PYTHON" - "$T_DIR/app.json" <<'EOF'; then
import json, sys
cfg = json.load(open(sys.argv[1]))[0]
hc = cfg.get("Healthcheck") or {}
sys.exit(0 if "http://127.0.0.1:${PORT:-8080}/healthz" in hc.get("Test", []) else 1)
EOF
	pass "the image keeps the HEALTHCHECK, \${PORT:-8080} unexpanded"
else
	fail "the image keeps the HEALTHCHECK" "expected its Test to hold the literal target"
fi
run podman run -d --name "$APP" "${NET[@]}" "${NOTIMER[@]}" "localhost/$TAG:app"
if [ "$T_RC" -ne 0 ]; then
	fail "app container runs" "got '$(tail -n 1 "$T_ERR")'"
else
	pass "app container runs beside the service"
	expect_exit "podman healthcheck run, service up: healthy (0)" 0 podman healthcheck run "$APP"
	# health_log: the last Output podman recorded, and the status, into $T_OUT.
	health_log() {
		podman inspect --format '{{json .State.Health}}' "$APP" >"$T_DIR/health.json" 2>/dev/null || true
		"$PYTHON" -c 'import json,sys; h=json.load(open(sys.argv[1])); print(h["Log"][-1]["Output"].strip()); print(h["Status"])' \
			"$T_DIR/health.json" >"$T_OUT" 2>"$T_ERR" || echo "no health record" >"$T_OUT"
	}
	health_log
	expect_grep "podman keeps hello's line: healthy, both targets" out '^healthy: 2 checks: http://127\.0\.0\.1:8080/healthz: HTTP 200'
	# The service stops: its two httpds, found by name in its ps.
	pids=$(podman exec "$SERVICE" /bin/busybox ps | awk '/busybox httpd/ { print $1 }')
	# shellcheck disable=SC2086
	podman exec "$SERVICE" /bin/busybox kill $pids >/dev/null 2>&1 || true
	sleep 0.3
	# podman says "unhealthy" on stdout and exits 1; hello's line is in its log.
	run podman healthcheck run "$APP"
	if [ "$T_RC" -eq 1 ] && grep -qx unhealthy "$T_OUT"; then
		pass "podman healthcheck run, service stopped: unhealthy (1)"
	else
		fail "podman healthcheck run, service stopped: unhealthy (1)" "expected exit 1 and 'unhealthy', got $T_RC '$(head -c 80 "$T_OUT")'"
	fi
	health_log
	expect_grep "podman keeps hello's line: why, per target" out '^hello: unhealthy: 2 of 2 checks failed: http://127\.0\.0\.1:8080/healthz: cannot connect: .*; tcp://127\.0\.0\.1:5432: cannot connect'
	expect_grep "podman's status: unhealthy" out '^unhealthy$'
fi

t_finish
