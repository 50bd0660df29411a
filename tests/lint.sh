#!/bin/bash
# run-order: 75
# scripts/lint-dockerfile: the shipped Dockerfiles pass; the seeded bad file
# trips every rule at the expected line; good forms of each rule stay quiet.
set -eu

top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
lint=$top/scripts/lint-dockerfile
bad=$top/tests/fixtures/Dockerfile.bad
. "$top/tests/lib.sh"
t_init
tmp=$T_DIR

# --- the project's own Dockerfiles ---------------------------------------
for f in "$top"/Dockerfile "$top"/Dockerfile.* "$top"/templates/*/Dockerfile*; do
	[ -f "$f" ] || continue
	name=${f#"$top"/}
	if out=$("$lint" "$f" 2>&1); then
		pass "lint passes $name"
	else
		fail "lint passes $name" "expected no finding, got some"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
done

# --- the seeded bad file: each rule at its line --------------------------
rc=0
"$lint" "$bad" >"$tmp/bad.out" 2>&1 || rc=$?
if [ "$rc" = 1 ]; then pass "bad Dockerfile exits 1"; else fail "bad Dockerfile exits 1" "expected exit 1, got $rc"; fi

while read -r line rule; do
	if grep -q "^$bad:$line: $rule: " "$tmp/bad.out"; then
		pass "rule $rule fires at line $line"
	else
		fail "rule $rule fires at line $line" "expected that finding, got none"
		sed 's/^/#   /' "$tmp/bad.out"
	fi
done <<'EXPECTED'
4 from-tag
11 from-tag
12 from-tag
5 apt-no-recommends
5 apt-lists
6 apt-lists
8 apk-no-cache
9 workdir-not-cd
10 copy-not-add
14 exec-form
15 exec-form
16 exec-form
17 final-user
EXPECTED

n=$(wc -l <"$tmp/bad.out")
if [ "$n" -eq 13 ]; then pass "no other finding in the bad file"; else fail "no other finding in the bad file" "expected 13 findings, got $n"; fi

# --- good forms stay quiet; one case per file, labelled ------------------
case_file() { # LABEL, Dockerfile text on stdin
	cat >"$tmp/Dockerfile.case"
	if out=$("$lint" "$tmp/Dockerfile.case" 2>&1); then
		pass "quiet: $1"
	else
		fail "quiet: $1" "expected no finding, got some"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

case_file "apt-get with --no-install-recommends and lists removed" <<'EOF2'
FROM debian:12.10
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc \
 && rm -rf /var/lib/apt/lists/*
USER 65532:65532
ENTRYPOINT ["/bin/true"]
EOF2

case_file "apk add --no-cache, digest-pinned base" <<'EOF2'
FROM alpine@sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c
RUN apk add --no-cache musl-dev
USER 1000
CMD ["sh"]
EOF2

case_file "ARG base with pinned default, stage alias, --platform, scratch" <<'EOF2'
ARG BUILDER_IMAGE=alpine:3.21
FROM --platform=linux/amd64 ${BUILDER_IMAGE} AS build
WORKDIR /src
RUN make && ./configure --prefix=/usr/local
FROM build AS test
FROM scratch
COPY --from=build /src/app /app
USER 65532:65532
HEALTHCHECK --interval=30s CMD ["/app", "--healthcheck", "https://127.0.0.1:8443/"]
ENTRYPOINT ["/app"]
EOF2

case_file "HEALTHCHECK NONE and names containing cd" <<'EOF2'
FROM debian:12.10
RUN abcd /x && make cdrom
HEALTHCHECK NONE
USER nobody
EOF2

# --- a final stage without USER ------------------------------------------
printf 'FROM debian:12.10 AS build\nUSER 1000\nFROM scratch\nCOPY --from=build /bin/true /true\n' >"$tmp/Dockerfile.nouser"
if "$lint" "$tmp/Dockerfile.nouser" 2>&1 | grep -q "Dockerfile.nouser:3: final-user: "; then
	pass "final-user fires at the final FROM when the final stage sets no USER"
else
	fail "final-user fires at the final FROM when the final stage sets no USER" "expected that finding, got none"
fi

t_finish
