#!/bin/bash
# ELF hardening of every ELF file in a tree: iotaudit against checksec.
#
#   bench/hardening.sh DIR            (a root file system; e.g. one extracted with
#                                      'iotaudit extract' from bench/make-image.sh's image)
#
# Times, in one run, `checksec --dir=DIR --output=json` (Debian's checksec,
# which runs readelf several times per file) once, and `iotaudit scan DIR
# --format json` RUNS times (default 5, median; the whole scan with every
# analyzer, not only the ELF one), prints both and the ratio, and checks
# that the two agree on NX, PIE, RELRO, canary and FORTIFY for every ELF
# file (tests/e2e/checksec_compare.py). Needs checksec, hyperfine and python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "${1:?usage: bench/hardening.sh DIR}" && pwd)
RUNS=${RUNS:-5}
bin=${IOTAUDIT:-}
if [ -z "$bin" ]; then
	for b in "$here/build-bench/iotaudit" "$here/build/iotaudit"; do
		[ -x "$b" ] && { bin=$b; break; }
	done
fi
[ -n "$bin" ] || { echo "hardening.sh: no iotaudit binary (set IOTAUDIT=...)" >&2; exit 2; }
for t in checksec hyperfine python3; do
	command -v $t >/dev/null || { echo "hardening.sh: missing $t (apt-get install $t)" >&2; exit 2; }
done

elves=$(find "$dir" -type f -exec sh -c 'head -c 4 "$1" | grep -q "ELF"' _ {} \; -print | wc -l)
echo "tree: $dir ($elves ELF files)"

start=$(date +%s.%N)
checksec --dir="$dir" --output=json >/dev/null 2>&1
end=$(date +%s.%N)
cs=$(echo "$end - $start" | bc -l)
printf 'checksec --dir: %.2f s (one run)\n' "$cs"

json=$(mktemp)
trap 'rm -f "$json"' EXIT
hyperfine -N -w 1 -r "$RUNS" --export-json "$json" "$bin scan $dir --format json" >/dev/null
io=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$json")
printf 'iotaudit scan:  %.3f s (median of %d)\n' "$io" "$RUNS"
printf 'ratio checksec / iotaudit: %.0fx\n' "$(echo "$cs / $io" | bc -l)"
python3 "$here/tests/e2e/checksec_compare.py" "$bin" "$dir" | tail -n 1
