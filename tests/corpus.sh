#!/bin/bash
# run-order: 45
# The HTTP response corpus: build/hello against canned raw responses
# (tests/corpus/*.http, cases in tests/corpus/cases.txt) replayed by
# tests/servers/replay.py on 127.0.0.1; then an https->http redirect, a 1 GiB
# body's peak memory, and a few cases under valgrind.
#   tests/corpus.sh               run, print ok/not ok lines and the totals
#   tests/corpus.sh --write-doc   also write docs/HTTP-CORPUS.md from this run
set -eu

T_RUN_TIMEOUT=${T_RUN_TIMEOUT:-20}
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

CORPUS=$T_ROOT/tests/corpus
REPLAY=$T_ROOT/tests/servers/replay.py
DOC=$T_ROOT/docs/HTTP-CORPUS.md
HOLD_MAX_MS=5000	# a mode=hold case must end well before the server lets go
BIG=1073741824		# the large body: 1 GiB
SMALL=1024
RSS_SLACK_KB=64

write_doc=0
case ${1:-} in
--write-doc) write_doc=1 ;;
"") ;;
*)
	echo "usage: $0 [--write-doc]" >&2
	exit 2
	;;
esac

need_cmd "$PYTHON" sha256sum cmp
[ -x "$HELLO" ] || {
	echo "no $HELLO: run make first" >&2
	exit 2
}
t_init
# One binary for every case, even if build/hello is relinked meanwhile.
cp "$HELLO" "$T_DIR/hello"
HELLO=$T_DIR/hello
ROWS=$T_DIR/rows	# one doc table row per case, in order
: >"$ROWS"

# ---------------------------------------------------------------- helpers

# trim STRING: without leading and trailing blanks.
trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

# render FILE: the first bytes of FILE as a quoted string with C escapes,
# or "(empty)"; long or binary output as its size and sha256 prefix.
render() {
	"$PYTHON" - "$1" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
if not d:
    print("(empty)")
elif len(d) > 80:
    import hashlib
    print("%d bytes, sha256 %s..." % (len(d), hashlib.sha256(d).hexdigest()[:12]))
else:
    s = "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else
                {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 92: "\\\\"}.get(c, "\\x%02x" % c)
                for c in d)
    print('"%s"' % s)
EOF
}

# cell TEXT: TEXT made safe for a Markdown table cell.
cell() {
	local s=$1
	s=${s//|/\\|}
	printf '%s' "${s:-}"
}

# row LABEL RESPONSE OPTIONS EXPECTED OBSERVED RESULT: one doc table row.
row() {
	printf '| %s | %s | %s | %s | %s | %s |\n' "$(cell "$1")" "$(cell "$2")" \
		"$(cell "$3")" "$(cell "$4")" "$(cell "$5")" "$6" >>"$ROWS"
}

# first_err: the last run's first stderr line, or nothing.
first_err() {
	if [ -s "$T_ERR" ]; then
		head -n 1 "$T_ERR" | cut -c1-160
	fi
}

# body_matches SPEC: 0 when the last run's stdout is what SPEC says
# (text:STRING, sha256:HEX, empty, any; has:STRING and lacks:STRING for a
# non-empty body that holds, or does not hold, STRING).
body_matches() {
	local spec=$1
	case $spec in
	any) return 0 ;;
	empty) [ ! -s "$T_OUT" ] ;;
	has:*) [ -s "$T_OUT" ] && grep -qF -- "${spec#has:}" "$T_OUT" ;;
	lacks:*) [ -s "$T_OUT" ] && ! grep -qF -- "${spec#lacks:}" "$T_OUT" ;;
	text:*)
		printf '%b' "${spec#text:}" >"$T_DIR/expected.body"
		cmp -s "$T_DIR/expected.body" "$T_OUT"
		;;
	sha256:*) [ "$(sha256sum <"$T_OUT" | cut -d' ' -f1)" = "${spec#sha256:}" ] ;;
	*)
		echo "corpus.sh: bad body spec '$spec'" >&2
		exit 2
		;;
	esac
}

# check_case LABEL RESPONSE OPTIONS EXIT BODY HOLD CMD...: run CMD and judge
# it: exit code, one error line when it fails, body, and (HOLD=1) that it
# did not wait for the server to close. One ok/not ok line and a doc row.
check_case() {
	local label=$1 response=$2 opts=$3 code=$4 body=$5 hold=$6 problems="" why
	local observed expected
	shift 6
	run "$@"
	if [ "$T_RC" -ne "$code" ]; then
		problems="exit $T_RC, expected $code"
	elif [ "$code" -ne 0 ] && ! why=$(check_one_error_line); then
		problems="expected $why"
	elif [ "$code" -ne 0 ] && head -n 1 "$T_ERR" | grep -Eq ':[[:space:]]*$'; then
		# lib.sh's pattern accepts "hello: what: detail: " (the detail's
		# own cause lost); the line must end with the reason.
		problems="error line ends with an empty reason: '$(first_err)'"
	fi
	if ! body_matches "$body"; then
		problems="${problems:+$problems; }body $(render "$T_OUT"), expected $body"
	fi
	if [ "$hold" = 1 ] && [ "$T_ELAPSED_MS" -ge "$HOLD_MAX_MS" ]; then
		problems="${problems:+$problems; }took ${T_ELAPSED_MS} ms with the connection held open"
	fi
	expected="exit $code, body $body"
	observed="exit $T_RC, body $(render "$T_OUT")"
	if [ "$code" -ne 0 ] || [ "$T_RC" -ne 0 ]; then
		observed="$observed, stderr \`$(first_err)\`"
	fi
	[ "$hold" = 1 ] && observed="$observed, ${T_ELAPSED_MS} ms"
	if [ -z "$problems" ]; then
		pass "$label: $observed"
		row "$label" "$response" "$opts" "$expected" "$observed" ok
	else
		fail "$label" "$problems"
		row "$label" "$response" "$opts" "$expected" "$observed" "**not ok**"
	fi
}

# ---------------------------------------------------------------- servers

start_bg replay "$PYTHON" "$REPLAY" --dir "$CORPUS"
wait_log_port replay 's/^PORT \([0-9][0-9]*\)$/\1/p'
PORT=$SERVER_PORT
BASE=http://127.0.0.1:$PORT

# ---------------------------------------------------------------- the table

while IFS='|' read -r label target opts code body; do
	label=$(trim "$label")
	case $label in '' | '#'*) continue ;; esac
	target=$(trim "$target")
	opts=$(trim "$opts")
	code=$(trim "$code")
	body=$(trim "$body")
	read -r -a argv <<<"$opts"
	response=${target#/}
	case $target in
	*case=*) response=${target#*case=} ;;
	esac
	response=${response%%[/?]*}.http
	hold=0
	case $target in *mode=hold*) hold=1 ;; esac
	check_case "$label" "$response" "$opts" "$code" "$body" "$hold" \
		"$HELLO" "${argv[@]+"${argv[@]}"}" "$BASE$target"
done <"$CORPUS/cases.txt"

# ---------------------------------------------------------------- https -> http

# A TLS replay server whose redirect names the plain one: following it would
# drop TLS, so hello refuses (1). The https -> https case shows the TLS
# server itself works, so the refusal is about the scheme.
if command -v "$OPENSSL" >/dev/null 2>&1; then
	pki_issue corpus --ca
	pki_issue srv --issuer corpus --key ec:P-256
	start_bg replay-tls "$PYTHON" "$REPLAY" --dir "$CORPUS" \
		--tls "$T_PKI/srv.crt" "$T_PKI/srv.key" --subst "HTTP_PORT=$PORT"
	wait_log_port replay-tls 's/^PORT \([0-9][0-9]*\)$/\1/p'
	TLS_BASE=https://127.0.0.1:$SERVER_PORT
	check_case https-to-https https-to-https.http "-L --cacert ca.crt" 0 text:/echo/tls 0 \
		"$HELLO" -L --cacert "$T_PKI/corpus.crt" "$TLS_BASE/https-to-https"
	check_case https-to-http-refused https-to-http.http "-L --cacert ca.crt" 1 empty 0 \
		"$HELLO" -L --cacert "$T_PKI/corpus.crt" "$TLS_BASE/https-to-http"
	if ! grep -q '^REQ GET /echo/plain' "$T_DIR/replay.log"; then
		pass "https-to-http-refused: the plain server saw no request"
	else
		fail "https-to-http-refused" "the plain server was asked for /echo/plain"
	fi
else
	skip https-to-http-refused "no $OPENSSL for the test certificate"
fi

# ---------------------------------------------------------------- 1 GiB body

# Peak RSS (GNU time %M, KiB) for a 1 GiB body is that of a 1 KiB body, give
# or take RSS_SLACK_KB: the body is streamed through one buffer. Each size
# runs three times and the smallest peak counts: a single sample can be
# off by 100 KiB or more on a busy machine, while growth with the body's
# size would show in every run.
if [ -x /usr/bin/time ]; then
	# rss_of BYTES: sets RSS (smallest of three peaks), RC (worst exit) and MS.
	rss_of() {
		local n rc start sample
		RSS='' RC=0
		start=$(date +%s%N)
		for n in 1 2 3; do
			rc=0
			timeout -k 5 120 /usr/bin/time -f %M -o "$T_DIR/rss" \
				"$HELLO" -o /dev/null "$BASE/gen/big/$1" </dev/null >"$T_OUT" 2>"$T_ERR" || rc=$?
			[ "$rc" -ne 0 ] && RC=$rc
			sample=$(tail -n 1 "$T_DIR/rss")
			if [ -z "$RSS" ] || [ "$sample" -lt "$RSS" ]; then
				RSS=$sample
			fi
		done
		MS=$((($(date +%s%N) - start) / 3000000))
	}
	rss_of "$SMALL"
	small_rc=$RC small_rss=$RSS
	rss_of "$BIG"
	big_rc=$RC big_rss=$RSS big_ms=$MS
	expected="exit 0 both; peak RSS within ${RSS_SLACK_KB} KiB"
	observed="exit $small_rc and $big_rc; ${small_rss} KiB for 1 KiB, ${big_rss} KiB for 1 GiB (${big_ms} ms a run)"
	if [ "$small_rc" -eq 0 ] && [ "$big_rc" -eq 0 ] && [ "$big_rss" -le $((small_rss + RSS_SLACK_KB)) ]; then
		pass "big-body-1GiB-rss: $observed"
		row big-body-1GiB-rss "generated: Content-Length $BIG" "-o /dev/null" "$expected" "$observed" ok
	else
		fail big-body-1GiB-rss "$observed; expected $expected"
		row big-body-1GiB-rss "generated: Content-Length $BIG" "-o /dev/null" "$expected" "$observed" "**not ok**"
	fi
else
	skip big-body-1GiB-rss "no /usr/bin/time"
fi

# ---------------------------------------------------------------- valgrind

# A chunked body, redirects and errors under memcheck: the exit code must be
# what it is without valgrind (a memcheck error makes it 1, which none of
# these cases expects) and memcheck must print nothing. build/hello is
# static, so memcheck cannot replace its malloc: heap blocks get no redzones
# and no leak report; uninitialised reads and wild accesses are still seen.
if command -v valgrind >/dev/null 2>&1; then
	VG=(valgrind -q --error-exitcode=1 --leak-check=full)
	VG+=("--errors-for-leak-kinds=definite,indirect")
	while read -r label target code; do
		response=${target#/}
		case $target in *case=*) response=${target#*case=} ;; esac
		response=${response%%[/?]*}.http
		run "${VG[@]}" --log-file="$T_DIR/vg.$label.log" "$HELLO" -L "$BASE$target"
		observed="exit $T_RC"
		if [ "$T_RC" -eq "$code" ] && [ ! -s "$T_DIR/vg.$label.log" ]; then
			pass "valgrind-$label: $observed, no memcheck report"
			row "valgrind-$label" "$response" "-L (under valgrind)" "exit $code, no report" \
				"$observed, no report" ok
		else
			fail "valgrind-$label" "$observed, expected $code; memcheck: $(head -c 300 "$T_DIR/vg.$label.log" | tr '\n' ' ')"
			row "valgrind-$label" "$response" "-L (under valgrind)" "exit $code, no report" \
				"$observed, $(wc -l <"$T_DIR/vg.$label.log") report lines" "**not ok**"
		fi
	done <<EOF
chunk-ext /chunk-ext 0
chunk-trailers /chunk-trailers 0
redir-rel /echo/a/b?case=redir-rel 0
redir-loop /redir-loop 47
chunk-size-junk /chunk-size-junk 56
cl-conflict /cl-conflict 8
chunk-eof-before-last /chunk-eof-before-last 18
empty-reply /empty-reply 52
404 /404 0
EOF
else
	skip valgrind "valgrind not installed"
fi

# ---------------------------------------------------------------- the doc

if [ "$write_doc" = 1 ]; then
	{
		cat <<EOF
# HTTP response corpus

Written by \`tests/corpus.sh --write-doc\`; do not edit. Each case is a raw
response in \`tests/corpus/NAME.http\`, replayed byte for byte by
\`tests/servers/replay.py\` on 127.0.0.1 and fetched with \`build/hello\`
(the case list is \`tests/corpus/cases.txt\`). *Observed* is what this run
of build/hello did.

- \`mode=hold\`: the server keeps the connection open after the response;
  hello must finish without waiting for it (time shown).
- \`mode=trickle\`: the response is sent one byte per write.
- \`/echo/...\` answers with the request target it received, so a redirect
  case's body is the path the server finally saw; \`/request\` answers with
  the whole request head, so a case can show which fields a redirected
  request carried (\`has:\` / \`lacks:\` bodies).
- Exit codes are curl's: 8 bad reply, 18 partial body, 22 HTTP error with
  -f, 47 too many redirects, 52 empty reply, 56 bad chunked framing.

| case | response | options | expected | observed | result |
|---|---|---|---|---|---|
EOF
		cat "$ROWS"
		echo
		echo "Totals: $T_PASSED passed, $T_FAILED failed."
		cat <<'EOF'

## Decisions on the request side

- **Credentials after a redirect.** `Authorization`, `Cookie` and
  `Proxy-Authorization` fields given with `-H` (any case), and a custom
  `Host`, are sent to the origin of the URL asked for — its scheme, host and
  port — and to no other, as curl does (CVE-2018-1000007, CVE-2022-27776):
  `localhost` and `127.0.0.1` are two origins, so is another port or
  scheme, whatever the status (301, 302, 303, 307, 308) or the form of the
  Location (absolute, `//host`). Back on the first origin they are sent
  again. Other fields always go along. Cases above (`redir-*-other-host`),
  and against two live servers in `tests/integration.sh`.
- **Header syntax.** A `-H` name must be an RFC 9110 token right before the
  colon; a leading space (a continuation line), a space before the colon
  (`Host : evil`), a space or separator inside the name, a non-ASCII name,
  or a control byte (other than tab) in the value is refused with exit 2
  before anything is sent (`tests/cli.sh`, `tests/unit/check_http.c`).
- **Closed standard fds.** fds 0, 1 and 2 are held open (by `/dev/null`, or
  a pipe where there is none) before any file or socket is opened, so no
  socket takes their numbers; with stdout closed the body is a write error
  (23), and nothing is sent after the request (`tests/integration.sh`,
  `tests/static.sh` in an empty chroot).
- **Timeouts say where they struck**: in the lookup, the connect, the TLS
  handshake, before the response, or while the body was arriving (with the
  bytes received so far) (`tests/deadlines.sh`).
EOF
	} >"$DOC.tmp"
	mv "$DOC.tmp" "$DOC"
	echo "# wrote ${DOC#"$T_ROOT"/}"
fi

t_finish
