#!/bin/bash
# Component detection from binaries: iotaudit against the way peers do it.
#
#   bench/signatures.sh [DIR]
#
# DIR is a tree of ELF files; without it, the first 300 ELF files (path
# order) of bench/make-image.sh's armhf image, extracted with 'iotaudit
# extract', are copied to $CACHE/elf300 (made once).
#
# The peer way (cve-bin-tool, FACT's software-components plug-in, ad-hoc
# scripts): run `strings` on every file, then one `grep -E` per product over
# its output. The products and patterns are iotaudit's own (data/signatures/:
# the printable part of each prefilter followed by a version pattern), so
# both sides look for the same things. The peer runs once (it is slow);
# `iotaudit scan DIR --format json` — the whole scan, every analyzer, not
# only signatures — runs RUNS times (default 5) under hyperfine, median.
# Prints both times, the ratio (goal: at least 50x) and how many
# (file, product) pairs each found. Needs hyperfine, binutils (strings),
# python3 with PyYAML.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iotaudit-bench}
bin=${IOTAUDIT:-}
if [ -z "$bin" ]; then
	for b in "$here/build-bench/iotaudit" "$here/build/iotaudit"; do
		[ -x "$b" ] && { bin=$b; break; }
	done
fi
[ -n "$bin" ] || { echo "signatures.sh: no iotaudit binary (set IOTAUDIT=...)" >&2; exit 2; }
for t in hyperfine strings python3; do
	command -v $t >/dev/null || { echo "signatures.sh: missing $t (apt-get install $t)" >&2; exit 2; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "signatures.sh: needs python3-yaml" >&2; exit 2; }

dir=${1:-}
if [ -z "$dir" ]; then
	dir=$CACHE/elf300
	if [ ! -d "$dir" ]; then
		img=$CACHE/firmware-armhf.bin
		[ -f "$img" ] || "$here/bench/make-image.sh" "$img"
		x=$(mktemp -d)
		"$bin" extract "$img" -o "$x" >/dev/null
		mkdir -p "$dir.tmp"
		find "$x" -type f -print0 | sort -z | while IFS= read -r -d '' f; do
			head -c 4 "$f" | grep -q "ELF" && printf '%s\0' "$f"
		done >"$x.list"
		# the first 300 (read from a file: no pipe for head to close early)
		n=0
		while IFS= read -r -d '' f && [ $n -lt 300 ]; do
			n=$((n + 1))
			rel=${f#"$x"/}
			mkdir -p "$dir.tmp/$(dirname "$rel")"
			cp "$f" "$dir.tmp/$rel"
		done <"$x.list"
		rm -rf "$x" "$x.list"
		mv "$dir.tmp" "$dir"
	fi
fi
dir=$(cd "$dir" && pwd)
nfiles=$(find "$dir" -type f | wc -l)
echo "tree: $dir ($nfiles files, $(du -sh "$dir" | cut -f1))"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# product <TAB> ERE: the prefilter's printable text, then a version
python3 - "$here/data/signatures" >"$work/patterns.tsv" <<'EOF'
import glob, re, sys, yaml
seen = set()
for fn in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    for s in yaml.safe_load(open(fn)) or []:
        pre = s.get("prefilter")
        if not pre:
            continue
        text = max(re.split(r"[\x00-\x1f]", pre), key=len).replace("%s", "")
        if len(text.strip()) < 3:
            continue
        ere = re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text) + "[0-9][0-9a-z.+_-]*"
        if (s["product"], ere) not in seen:
            seen.add((s["product"], ere))
            print("%s\t%s" % (s["product"], ere))
EOF
npat=$(wc -l <"$work/patterns.tsv")
echo "patterns: $npat (one grep -E each per file)"

peer() {
	local f p ere found=0
	while IFS= read -r -d '' f; do
		strings -a -n 4 "$f" >"$work/s"
		while IFS=$'\t' read -r p ere; do
			grep -E -q -e "$ere" "$work/s" && found=$((found + 1))
		done <"$work/patterns.tsv"
	done < <(find "$dir" -type f -print0)
	echo "$found" >"$work/peer.found"
}
start=$(date +%s.%N)
peer
end=$(date +%s.%N)
pt=$(echo "$end - $start" | bc -l)
printf 'strings + grep -E per product: %.2f s (one run), %s (file, pattern) hits\n' "$pt" \
	"$(cat "$work/peer.found")"

hyperfine -N -w 1 -r "$RUNS" --export-json "$work/h.json" "$bin scan $dir --format json" >/dev/null
io=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" \
	"$work/h.json")
"$bin" scan "$dir" --format json >"$work/r.json"
nc=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['components']))" \
	"$work/r.json")
printf 'iotaudit scan: %.3f s (median of %d), %s components\n' "$io" "$RUNS" "$nc"
printf 'ratio peer / iotaudit: %.0fx\n' "$(echo "$pt / $io" | bc -l)"
