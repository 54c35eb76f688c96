#!/bin/bash
# Runs libFuzzer targets one after the other, each for a time budget, on one
# core (one process at a time). When a run stops on a crash, its input is
# saved and fuzzing starts again from the grown corpus with the time left
# (libFuzzer's fork mode does the same but re-reads the corpus for every
# job, which costs most of the time of the slower targets).
#
#   fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
#
# BUILD_DIR is a clang build with -DIOTA_FUZZ=ON (its fuzz/fuzz_<target>
# binaries); SECONDS defaults to 120 per target; no TARGET means all of them.
# The growing corpus of each target lives in BUILD_DIR/fuzz-work/<target>/
# (the committed seeds in fuzz/corpus/<target>/ are read, not written); every
# crash, leak, timeout or out-of-memory input is copied into
# fuzz/corpus/<target>/ so that the regression replay under ctest covers it
# (commit it with the fix). A summary line per target is printed at the end.
#
# UndefinedBehaviorSanitizer reports count as crashes; fuzz/ubsan-known.supp
# lists reports already filed and not yet fixed, so a campaign finds new ones
# (the ctest replay does not read it: there they still fail).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}
build=$(cd "$build" && pwd)
secs=${2:-120}
shift $(($# < 2 ? $# : 2))

if [ $# -eq 0 ]; then
	set -- $(cd "$build/fuzz" && ls fuzz_* 2>/dev/null | sed 's/^fuzz_//')
fi
[ $# -gt 0 ] || { echo "run.sh: no fuzz_* binaries in $build/fuzz (configure with -DIOTA_FUZZ=ON)" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:abort_on_error=1}
supp=$here/ubsan-known.supp
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$supp}

summary=()
for t in "$@"; do
	bin=$build/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "run.sh: $bin: not built" >&2; continue; }
	w=$build/fuzz-work/$t
	mkdir -p "$w/corpus" "$w/artifacts" "$here/corpus/$t"
	log=$w/log.txt
	echo "== $t: ${secs}s (log: $log)"
	start=$(date +%s)
	rm -f "$w"/log.*.txt
	runs=0 rc=0
	while :; do
		left=$((secs - ($(date +%s) - start)))
		[ "$left" -ge 5 ] || break
		before=$(ls "$w/artifacts" | wc -l)
		"$bin" -max_total_time="$left" -timeout=30 -rss_limit_mb=2560 -malloc_limit_mb=2048 \
			-max_len=262144 -print_final_stats=1 -artifact_prefix="$w/artifacts/" \
			"$w/corpus" "$here/corpus/$t" >"$w/log.$runs.txt" 2>&1
		rc=$?
		runs=$((runs + 1))
		[ "$rc" -eq 0 ] && break
		# a crash that gives no new artifact is one already known (a seed
		# that crashes at start-up): going on would only repeat it
		[ "$(ls "$w/artifacts" | wc -l)" -gt "$before" ] || break
		[ "$runs" -lt 50 ] || break
	done
	took=$(($(date +%s) - start))
	# executions: the last "#N" status line of each run (a run that
	# crashed prints no final statistics)
	execs=0
	for l in "$w"/log.*.txt; do
		n=$(grep -oE '^#[0-9]+' "$l" | tail -1 | tr -d '#')
		execs=$((execs + ${n:-0}))
	done
	cat "$w"/log.*.txt >"$log"
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
	found=0
	for a in "$w"/artifacts/*; do
		[ -f "$a" ] || continue
		found=$((found + 1))
		# slow units are not failures: listed, not added to the replayed corpus
		case $(basename "$a") in
		slow-unit-*) ;;
		*) cp -n "$a" "$here/corpus/$t/$(basename "$a")" ;;
		esac
	done
	summary+=("$(printf '%-14s %5ss  execs %-9s cov %-6s artifacts %s  (runs %s, last exit %s)' \
		"$t" "$took" "${execs:-?}" "${cov:-?}" "$found" "$runs" "$rc")")
	if [ "$found" -gt 0 ]; then
		echo "   artifacts (all but slow-unit-* copied to fuzz/corpus/$t/):"
		ls -1 "$w/artifacts" | sed 's/^/     /'
	fi
done

echo
echo "target         time   executions      coverage   crashes/leaks/timeouts"
printf '%s\n' "${summary[@]}"
