#!/bin/bash
# run-order: 70
# The fuzz harnesses as a test: build them (clang, libFuzzer, ASan, UBSan),
# run each seed corpus once, fuzz each for a short bounded time, and replay
# every saved reproducer in tests/fuzz/regressions/NAME/.
#   FUZZ_TEST_SECONDS=10 tests/fuzz.sh
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

SECONDS_EACH=${FUZZ_TEST_SECONDS:-10}
NAMES="url http redirect cafile"
FUZZ=$T_ROOT/build/fuzz
t_init

if ! command -v clang >/dev/null 2>&1 ||
	! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	skip fuzz "clang with libFuzzer (clang, libclang-rt-dev) not installed"
	t_finish
	exit
fi

# Build: through the top Makefile once it includes mk/fuzz.mk, else with the
# fragment added on the command line.
cd "$T_ROOT"
if grep -q '^include mk/fuzz.mk' Makefile; then
	mk=(make --no-print-directory fuzz-build)
else
	mk=(make --no-print-directory -f Makefile -f mk/fuzz.mk fuzz-build)
fi
if "${mk[@]}" >"$T_DIR/build.log" 2>&1; then
	pass "fuzzers build: ${mk[*]}"
else
	T_ERR=$T_DIR/build.log
	fail "fuzzers build" "${mk[*]} failed: $(tail -n 3 "$T_DIR/build.log" | tr '\n' ' ')"
	t_finish
	exit
fi

for name in $NAMES; do
	bin=$FUZZ/fuzz_$name
	seeds=$T_ROOT/tests/fuzz/corpus/$name
	log=$T_DIR/$name.log

	# Every committed seed runs clean.
	if "$bin" -runs=0 "$seeds" >"$log" 2>&1; then
		pass "fuzz_$name: $(find "$seeds" -type f | wc -l) seeds run clean"
	else
		fail "fuzz_$name seeds" "$(grep -E 'ERROR|runtime error' "$log" | head -n 1)"
	fi

	# A short run; new inputs go to a temp dir, never into tests/.
	mkdir -p "$T_DIR/corpus.$name" "$T_DIR/art.$name"
	if "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
		-artifact_prefix="$T_DIR/art.$name/" "$T_DIR/corpus.$name" "$seeds" >"$log" 2>&1; then
		runs=$(sed -En 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log")
		pass "fuzz_$name: ${runs:-?} runs in ${SECONDS_EACH} s, no crash"
	else
		fail "fuzz_$name" "crashed in ${SECONDS_EACH} s: $(grep -E 'ERROR|runtime error|abort|SUMMARY' "$log" | head -n 2 | tr '\n' ' ')"
		find "$T_DIR/art.$name" -type f | sed 's/^/#   artifact: /'
	fi

	# Saved reproducers must no longer crash.
	for input in "$T_ROOT/tests/fuzz/regressions/$name"/*; do
		[ -f "$input" ] || continue
		case $input in *.md | *.txt) continue ;; esac
		if "$bin" "$input" >"$log" 2>&1; then
			pass "regression $name/${input##*/} replays clean"
		else
			fail "regression $name/${input##*/}" "still crashes: $(grep -E 'ERROR|runtime error|SUMMARY|^[a-z].*:' "$log" | grep -v '^INFO' | head -n 2 | tr '\n' ' ')"
		fi
	done
done

t_finish
