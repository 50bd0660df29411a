#!/bin/bash
# run-order: 60
# Runs the integration tests, the TLS matrix and the probe suite against
# build/host/hello, the same program built by the system compiler with AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer: a leak, an invalid access or
# undefined behaviour anywhere on those paths fails the run (ASan's report
# breaks the one-line stderr rule, and its exit code 99 matches no expected
# code). The release binary is static musl, where valgrind cannot see malloc.
#
# Usage: tests/sanitize.sh     prints the suites' lines, then the total.
set -u

top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
bin=$top/build/host/hello
if [ ! -x "$bin" ]; then
	echo "not ok - sanitizer build: $bin is missing (make build/host/hello)"
	echo "0 passed, 1 failed"
	exit 1
fi

export HELLO=$bin
export ASAN_OPTIONS=detect_leaks=1:exitcode=99:abort_on_error=0
export LSAN_OPTIONS=exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for suite in integration matrix probe; do
	bash "$top/tests/$suite.sh" 2>&1 | sed "s/^\(not \)\{0,1\}ok - /&sanitized $suite: /" | tee "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "not ok - sanitized $suite ended without a result line"
		failed=$((failed + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$log"; then
		echo "not ok - sanitized $suite: a sanitizer reported an error"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
