#!/bin/bash
# Vulnerability database: import and matching at CVE-List scale.
#
#   bench/vulndb.sh [SHARED_DATA]        (default ../shared/data)
#
# 1. bench/gen-vulndata.py makes synthetic data from the real records in
#    SHARED_DATA (cached in $CACHE, default ~/.cache/iotaudit-bench/vulndata):
#    $N5 CVE JSON 5 records (default 300,000) in one zip laid out like the CVE
#    List's, $NN NVD records (default 250,000) as API 2.0 pages, and 200
#    components to match.
# 2. Times, with GNU time (wall, user+sys CPU, peak RSS):
#      import of the CVE JSON 5 zip into a fresh database     goal <= 3 min
#      import of the NVD pages into a fresh database          goal <= 2 min
#      the baseline of both: Python reading and parsing the same JSON (the
#      least any importer does), as the ratio iotaudit / baseline
#      matching the 200 components against all sources (the CVE JSON 5
#      database with the NVD pages and the KEV catalog added) and against NVD
#      alone: `db match --list` of the 200 minus the same with 1 component
#      (process start and database open), median of 5     goals <= 100 ms / <= 50 ms
#    and the database sizes.
#
# IOTAUDIT=path picks the binary (default build-bench/iotaudit, then build/iotaudit);
# build it optimised (RelWithDebInfo or Release).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
shared=${1:-$top/../shared/data}
CACHE=${CACHE:-$HOME/.cache/iotaudit-bench}/vulndata
N5=${N5:-300000}
NN=${NN:-250000}
if [ -z "${IOTAUDIT:-}" ]; then
	for b in "$top/build-bench/iotaudit" "$top/build/iotaudit"; do
		[ -x "$b" ] && IOTAUDIT=$b && break
	done
fi
[ -x "${IOTAUDIT:-}" ] || { echo "vulndb.sh: no iotaudit binary (build it, or set IOTAUDIT)" >&2; exit 1; }
[ -d "$shared/cve5" ] || { echo "vulndb.sh: no real records in $shared" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "vulndb.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

data=$CACHE/$N5-$NN
if [ ! -f "$data/components.txt" ]; then
	echo "generating $N5 CVE JSON 5 and $NN NVD records into $data ..." >&2
	rm -rf "$data.tmp"
	python3 "$here/gen-vulndata.py" "$shared" "$data.tmp" "$N5" "$NN"
	mv "$data.tmp" "$data"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "wall cpu rss_kib" of a command (its output discarded)
timed() {
	/usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" ||
		{ cat "$work/err" >&2; exit 1; }
	awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4}' "$work/t"
}

row() { # name "wall cpu rss"
	set -- "$1" $2
	printf '| %s | %s s | %s s | %.0f MiB |\n' "$1" "$2" "$3" "$(echo "$4 / 1024" | bc -l)"
}

echo "iotaudit: $IOTAUDIT ($("$IOTAUDIT" version 2>/dev/null | head -1))"
echo "data: $data ($(du -sh "$data/cve5.zip" | cut -f1) zip, $(du -sh "$data/nvd" | cut -f1) NVD pages)"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo '| step | wall | CPU (user + sys) | peak RSS |'
echo '| --- | --- | --- | --- |'
c5=$(timed "$IOTAUDIT" db import --vulndb "$work/all.db" "$data/cve5.zip")
row "db import $N5 CVE JSON 5 records (zip)" "$c5"
nv=$(timed "$IOTAUDIT" db import --vulndb "$work/nvd.db" "$data/nvd")
row "db import $NN NVD records (API pages)" "$nv"
b5=$(timed python3 -c 'import json,sys,zipfile
z=zipfile.ZipFile(sys.argv[1])
for n in z.namelist(): json.loads(z.read(n))' "$data/cve5.zip")
row "baseline: Python reads and parses the zip" "$b5"
bn=$(timed python3 -c 'import json,sys,glob
for f in sorted(glob.glob(sys.argv[1] + "/*.json")): json.load(open(f))' "$data/nvd")
row "baseline: Python parses the NVD pages" "$bn"
# all sources in one database for matching
"$IOTAUDIT" db import --vulndb "$work/all.db" "$data/nvd" "$shared/kev/known_exploited_vulnerabilities.json" >/dev/null
head -1 "$data/components.txt" >"$work/one.txt"

median_ms() { # db list
	local i vals=()
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%e' -o "$work/t" "$IOTAUDIT" db match --vulndb "$1" --list "$2" >/dev/null
		vals+=("$(cat "$work/t")")
	done
	printf '%s\n' "${vals[@]}" | sort -n | sed -n 3p | awk '{printf "%.0f", $1 * 1000}'
}
"$IOTAUDIT" db match --vulndb "$work/all.db" --list "$data/components.txt" >/dev/null # warm
a200=$(median_ms "$work/all.db" "$data/components.txt")
a1=$(median_ms "$work/all.db" "$work/one.txt")
n200=$(median_ms "$work/nvd.db" "$data/components.txt")
n1=$(median_ms "$work/nvd.db" "$work/one.txt")
echo
echo "| matching 200 components | 200 (ms) | 1 (ms) | 200 - 1 (ms) |"
echo "| --- | --- | --- | --- |"
echo "| all sources (CVE JSON 5 + NVD + KEV) | $a200 | $a1 | $((a200 - a1)) |"
echo "| NVD only | $n200 | $n1 | $((n200 - n1)) |"
echo
echo "database sizes: all sources $(du -h "$work/all.db" | cut -f1), NVD only $(du -h "$work/nvd.db" | cut -f1)"
set -- $c5
set -- $1 $2 $b5
echo "ratios: CVE JSON 5 import / baseline = $(echo "scale=2; $2 / $4" | bc) (CPU)"
set -- $nv
set -- $1 $2 $bn
echo "        NVD import / baseline = $(echo "scale=2; $2 / $4" | bc) (CPU)"
