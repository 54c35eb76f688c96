#!/bin/bash
# Times iotaudit against the usual tools on one firmware image:
#
#   A  iotaudit scan IMAGE              the whole scan: every container found,
#                                       unpacked in memory, hashed, analysed,
#                                       and the text report written (to /dev/null)
#   B  unsquashfs -d TMP ROOTFS         only the SquashFS root file system,
#                                       extracted to disk by squashfs-tools
#   C  binwalk -e IMAGE                 signature scan and extraction (Debian's
#                                       binwalk 2.x, which itself calls unsquashfs,
#                                       xz...); its output goes to TMP
#
#   bench/unpack.sh IMAGE               (see bench/make-image.sh for one)
#
# ROOTFS is the bytes of the largest SquashFS container iotaudit reports in
# IMAGE ('iotaudit scan --format json': offset and size), cut out with dd.
# Each command runs RUNS times (default 5; RUNS_BINWALK, default 3, for the
# slow one) after a warm-up run, with hyperfine, and the median is used; its
# outputs are removed between runs (--prepare). Peak RSS is measured in one
# more run of each with GNU time (the largest process of the run's tree).
#
# Environment: IOTAUDIT (default: build-bench/iotaudit, then build/iotaudit),
# RUNS, RUNS_BINWALK, TMPDIR (where extractions go; the same disk for all),
# NO_BINWALK=1 to leave binwalk out. Needs hyperfine, jq, /usr/bin/time
# (package time), squashfs-tools; and binwalk unless NO_BINWALK=1. The
# optional ones are only for this benchmark, not for building iotaudit;
# when one is missing the script says which package to install
# (apt-get install hyperfine binwalk jq time).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
img=${1:?usage: bench/unpack.sh IMAGE}
img=$(cd "$(dirname "$img")" && pwd)/$(basename "$img")
RUNS=${RUNS:-5}
RUNS_BINWALK=${RUNS_BINWALK:-3}

bin=${IOTAUDIT:-}
if [ -z "$bin" ]; then
	for b in "$here/build-bench/iotaudit" "$here/build/iotaudit"; do
		[ -x "$b" ] && { bin=$b; break; }
	done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "unpack.sh: no iotaudit binary (set IOTAUDIT=...)" >&2; exit 2; }

missing=""
for t in hyperfine:hyperfine jq:jq unsquashfs:squashfs-tools /usr/bin/time:time; do
	command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
done
if [ "${NO_BINWALK:-0}" != 1 ] && ! command -v binwalk >/dev/null; then
	missing="$missing binwalk"
fi
if [ -n "$missing" ]; then
	echo "unpack.sh: missing:$missing" >&2
	echo "unpack.sh: install with: apt-get install$missing   (or NO_BINWALK=1 to skip binwalk)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the SquashFS root file system, cut out of the image ---
"$bin" scan --format json "$img" >"$tmp/scan.json"
read -r off size < <(jq -r '[.containers[] | select(.format == "squashfs")] | max_by(.size) |
	"\(.offset) \(.size)"' "$tmp/scan.json")
if [ -z "${off:-}" ] || [ "$off" = null ]; then
	echo "unpack.sh: iotaudit found no SquashFS in $img" >&2
	exit 3
fi
dd if="$img" of="$tmp/rootfs.sqfs" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
files=$(jq '.totals.files' "$tmp/scan.json")
unpacked=$(jq '.totals.unpacked_bytes' "$tmp/scan.json")

echo "image:    $img ($(stat -c %s "$img") bytes; $files files, $unpacked bytes unpacked by iotaudit)"
echo "rootfs:   SquashFS at offset $off, $size bytes"
echo "iotaudit: $bin ($("$bin" version)); $(nproc) CPUs; runs: $RUNS (binwalk $RUNS_BINWALK)"
echo

# --- timings ---
cmd_a="'$bin' scan '$img' >/dev/null"
cmd_b="unsquashfs -q -n -d '$tmp/unsquashfs' '$tmp/rootfs.sqfs' >/dev/null"
# binwalk refuses to run its extractors as root unless told to
runas=""
[ "$(id -u)" -eq 0 ] && runas="--run-as=root"
cmd_c="binwalk -q -e $runas -C '$tmp/binwalk' '$img' >/dev/null 2>&1"

hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$tmp/ab.json" \
	--prepare "rm -rf '$tmp/unsquashfs'" \
	-n iotaudit "$cmd_a" -n unsquashfs "$cmd_b"
if [ "${NO_BINWALK:-0}" != 1 ]; then
	hyperfine --style basic --warmup 1 --runs "$RUNS_BINWALK" --export-json "$tmp/c.json" \
		--prepare "rm -rf '$tmp/binwalk'" -n "binwalk -e" "$cmd_c"
fi

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"; }
cpu() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .user + .system' "$1"; }
rss() { # rss COMMAND: peak RSS in MiB of one run
	rm -rf "$tmp/unsquashfs" "$tmp/binwalk"
	/usr/bin/time -f '%M' -o "$tmp/rss" sh -c "$1" >/dev/null 2>&1
	awk '{printf "%.1f", $1 / 1024}' "$tmp/rss"
}
ta=$(median "$tmp/ab.json" iotaudit)
tb=$(median "$tmp/ab.json" unsquashfs)
ca=$(cpu "$tmp/ab.json" iotaudit)
cb=$(cpu "$tmp/ab.json" unsquashfs)
ra=$(rss "$cmd_a")
rb=$(rss "$cmd_b")
if [ "${NO_BINWALK:-0}" != 1 ]; then
	tc=$(median "$tmp/c.json" "binwalk -e")
	cc=$(cpu "$tmp/c.json" "binwalk -e")
	rc=$(rss "$cmd_c")
fi

echo
echo "median wall time, mean CPU time (user + system), peak RSS:"
printf '  %-12s %8.3f s wall  %8.3f s CPU  %7s MiB\n' iotaudit "$ta" "$ca" "$ra" unsquashfs "$tb" "$cb" "$rb"
[ -n "${tc:-}" ] && printf '  %-12s %8.3f s wall  %8.3f s CPU  %7s MiB\n' "binwalk -e" "$tc" "$cc" "$rc"
echo
awk -v a="$ta" -v b="$tb" 'BEGIN { r = a / b; printf "iotaudit / unsquashfs = %.2f  (goal <= 1.5: %s)\n", r, r <= 1.5 ? "met" : "NOT met" }'
[ -n "${tc:-}" ] &&
	awk -v a="$ta" -v c="$tc" 'BEGIN { r = a / c; printf "iotaudit / binwalk -e = %.2f  (goal < 1: %s)\n", r, r < 1 ? "met" : "NOT met" }'
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) CPUs; other load skews the figures)"
awk -v m="$ra" 'BEGIN { printf "iotaudit peak RSS     = %.1f MiB (goal <= 256: %s)\n", m, m <= 256 ? "met" : "NOT met" }'
