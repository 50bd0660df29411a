#!/bin/bash
# run-order: 20
# Checks scripts/bench-report, which turns the raw figures of `make bench`
# into bench/RESULTS.md, on the fixtures in tests/fixtures/bench/ (raw.tsv
# with a known answer for each kind of figure, a small link map, names.tsv,
# a profile): medians, ratios against each peer, every kind of verdict, the
# size breakdown by source file and feature, figures that were not
# measured; malformed inputs stop it with one line and exit 2. And that the
# size budget tests/static.sh enforces is the one the report judges by.
#
# Usage: tests/bench.sh
set -eu

. "$(dirname "$0")/lib.sh"

need_cmd "$PYTHON" awk
t_init
cd "$T_ROOT"
REPORT=scripts/bench-report
FIX=tests/fixtures/bench
# shellcheck disable=SC2034 # read by lib.sh's expect_exit
HELLO_PREFIX="bench-report: "

# row LABEL EREGEX: the last report has a line matching EREGEX.
row() {
	expect_grep "$1" out "$2"
}

expect_exit "report from the fixture: 0" 0 "$PYTHON" "$REPORT" --targets bench/targets "$FIX/raw.tsv"
cp "$T_OUT" "$T_DIR/report.md"
expect_empty "report from the fixture: nothing on stderr" err

# Medians and ratios: 30, 31, 100 -> 31; curl 100; Go 10.
row "median of three runs, ratio to curl and to Go" \
	'^\| instructions, one GET, TLS 1\.3, ECDSA P-256 chain \| 31 \| 100 \| 10 \| – \| 0\.31× curl, 3\.10× Go \|'
row "even count: median of 440, 440, 440, 600 is 440" '^\| TLS 1\.3, ECDSA P-256 chain \| hello \| 440 \| 440–600 \| 120 \| 4 \|'
row "small ratios keep two significant digits" '\| 24,500 \| 15,600,000 \| 300,000 \| 46,000 \| 0\.0016× curl, 0\.082× Go \|'
# Verdicts, each kind.
row "verdict: within the must, not the goal (goal relative to Go)" 'ECDSA P-256 chain \| 31 .*\| ≤ 0\.5× curl \(goal ≤ 1× Go\) \| meets target, misses goal \|$'
row "verdict: misses the must" 'TLS 1\.2, ECDSA P-256 chain \| 60 .*\| \*\*misses target\*\* \|$'
row "verdict: meets the goal (relative to curl)" 'TLS 1\.3, RSA-2048 chain \| 20 .*\| meets goal \|$'
row "verdict: absolute target, meets goal" 'plain HTTP \| 24,500 .*\| ≤ 30,000 \(goal ≤ 25,000\) \| meets goal \|$'
row "verdict: RSS judged on the worst TLS case" '^\| peak RSS, one TLS GET .*\| 600 KiB \| 12,000 KiB \| 8,000 KiB \|.*\| \*\*misses target\*\* \|$'
row "verdict: higher is better for throughput" '^\| throughput, 256 MiB, TLS 1\.3 \| 1,032 MB/s \| 895 MB/s \| – \|.*\| 1\.15× curl \| ≥ 0\.8× curl \(goal ≥ 1× curl\) \| meets goal \|$'
row "a figure with no hello runs is not measured" 'TLS 1\.2, RSA-2048 chain \| – \| 100 .*\| not measured \|$'
row "make compare not run: not measured, with the reason" '^Not measured: skipped \(BENCH_SKIP_COMPARE set\)\.$'
row "RSS flat from 1 KiB to 256 MiB" '^\| peak RSS, 256 MiB vs 1 KiB GET \| 452 vs 452 KiB .*\| flat \|$'
row "throughput of every peer, plain HTTP" '^\| plain HTTP \| busybox wget \| 537 \| 3 '
row "wall time in ms" '^\| wall time, one GET, TLS 1\.3, ECDSA P-256 chain \| 5\.0 ms \| 14\.5 ms \|'
# Size: every section of the map where it belongs.
row "size verdict" '^\| binary size of build/hello \| 300,000 B .*\| meets goal \|$'
row "size: own code by source file (a name ours and mbedtls's counts as ours)" '^\| own code: src/main\.c \| 256 \| 32 \| 8 \| 296 \|'
row "size: trust store" '^\| trust store \(build/gen/cabundle\.c\) \| 0 \| 512 \| 0 \| 512 \|'
row "size: mbedtls by feature (a .constprop clone counts with its function)" '^\| mbedtls: AES, AES-NI, GCM \| 192 \| 0 \| 0 \| 192 \|'
row "size: HACL* as a feature" '^\| mbedtls: X25519: HACL\* \(3rdparty/everest\) \| 256 \|'
row "size: an unknown name counts as mbedtls, other" '^\| mbedtls: other mbedtls .* \| 16 \| 0 \| 0 \| 16 \|'
row "size: musl, C runtime, padding, merged strings" '^\| musl libc \| 48 \| 0 \| 16 \| 64 \|'
row "size: the rest is ELF overhead, so the parts add up to the file" '^\| ELF and program headers.* \| 298,552 \| 99\.5 % \|$'
row "profile entries copied" '^1,000 \(50\.00%\)  ecp_mod_p256$'
row "profile: main steps only" '^1,500 \(75\.00%\)  ecdsa_verify_wrap$'
expect_no_grep "profile: other inclusive entries left out" out 'some_helper'
expect_no_grep "no Python value leaks into the report" out 'None|nan|inf'

# One budget: tests/static.sh reads binary-size from bench/targets, and the
# report prints the same number.
budget=$(awk '$1 == "binary-size" { print $3 }' bench/targets)
# shellcheck disable=SC2016 # the line is matched as text
if grep -q 'MAX_SIZE=$(awk .\$1 == "binary-size" { print \$3 }. "$T_ROOT/bench/targets")' tests/static.sh; then
	pass "static.sh takes its size budget from bench/targets"
else
	fail "static.sh takes its size budget from bench/targets" "expected the awk line reading bench/targets, got none"
fi
if grep -q "≤ $(echo "$budget" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') B" "$T_DIR/report.md"; then
	pass "the report judges size by the same budget ($budget)"
else
	fail "the report judges size by the same budget" "expected '≤ $budget B' in the report, got '$(grep -m 1 'binary size' "$T_DIR/report.md")'"
fi

# Malformed inputs: one line, exit 2.
bad() { # LABEL CONTENT
	printf '%b' "$2" >"$T_DIR/bad.tsv"
	expect_exit "$1: exit 2, one line" 2 "$PYTHON" "$REPORT" --targets bench/targets "$T_DIR/bad.tsv"
	expect_empty "$1: nothing on stdout" out
}
bad "four fields" 'ir\tecdsa-tls13\thello\t100\n'
bad "unknown kind" 'speed\tecdsa-tls13\thello\t100\t-\n'
bad "instructions not a number" 'ir\tecdsa-tls13\thello\tmany\t-\n'
bad "negative figure" 'time\tecdsa-tls13\thello\t-1\t-\n'
bad "rss without faults" 'rss\tecdsa-tls13\thello\t440\t-\n'
bad "empty file" ''
bad "map that is not a map" "artifact\tmap\t-\t$FIX/names.tsv\t-\nartifact\tnames\t-\t$FIX/names.tsv\t-\nsize\tbinary\thello\t1000\t-\n"
expect_exit "missing raw file: exit 2, one line" 2 "$PYTHON" "$REPORT" --targets bench/targets "$T_DIR/none.tsv"
printf 'binary-size le many 1\n' >"$T_DIR/targets"
expect_exit "bad targets file: exit 2, one line" 2 "$PYTHON" "$REPORT" --targets "$T_DIR/targets" "$FIX/raw.tsv"

t_finish
