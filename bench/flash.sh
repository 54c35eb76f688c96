#!/bin/bash
# Flash file systems: iotaudit's scan of a JFFS2 and a UBI/UBIFS image against
# plain decompression of the same data.
#
#   bench/flash.sh [IMAGE]      IMAGE: the benchmark firmware (default: the one
#                               bench/make-image.sh builds, made if missing)
#
# The root file system of IMAGE (real Debian armhf binaries; see
# make-image.sh) is laid out, as a vendor would, in:
#
#   flash.jffs2   mkfs.jffs2 -l -e 128KiB -x rtime      (zlib, 4 KiB pages)
#   flash.ubi     mkfs.ubifs -x zlib + ubinize           (2 KiB pages, 128 KiB PEB)
#   tree.tar.gz   the same files as one tar, gzip -6     (the yardstick's input)
#
# and times, with hyperfine (RUNS runs after a warm-up, median):
#
#   A  iotaudit scan flash.jffs2 >/dev/null   the whole scan: nodes, replay,
#   B  iotaudit scan flash.ubi >/dev/null     inflate, hashes, analyzers, report
#   Z  python3 zlib.decompress(tree.tar.gz)    plain decompression of the same
#                                              bytes by the zlib iotaudit links,
#                                              as one stream (no per-page cost)
#   T  iotaudit scan tree.tar.gz >/dev/null   the same scan of the same files
#                                              from gzip + tar: what hashing and
#                                              the analyzers cost on this tree
#
# Goal (issue #3): A and B within 2 x Z. Z is a hard yardstick: one stream
# inflates faster than the 4 KiB (JFFS2) or 4 KiB-block (UBIFS) pieces the
# file systems compress separately, and Z does nothing with the bytes. A / T
# and B / T say what reading the flash file system costs over reading the
# same files from the simplest container.
#
# Environment: IOTAUDIT (default build-bench/iotaudit, then build/iotaudit),
# RUNS (default 5), CACHE (as make-image.sh), KEEP=DIR to build the images in
# DIR and keep them. Needs hyperfine, jq, python3,
# squashfs-tools, mtd-utils (mkfs.jffs2, mkfs.ubifs, ubinize); it says what to
# apt-get install when one is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iotaudit-bench}
RUNS=${RUNS:-5}
img=${1:-$CACHE/firmware-${ARCH:-armhf}.bin}
[ -f "$img" ] || "$here/bench/make-image.sh" "$img"

bin=${IOTAUDIT:-}
if [ -z "$bin" ]; then
	for b in "$here/build-bench/iotaudit" "$here/build/iotaudit"; do
		[ -x "$b" ] && { bin=$b; break; }
	done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "flash.sh: no iotaudit binary (set IOTAUDIT=...)" >&2; exit 2; }

PATH=$PATH:/usr/sbin:/sbin
missing=""
for t in hyperfine:hyperfine jq:jq python3:python3 unsquashfs:squashfs-tools \
	mkfs.jffs2:mtd-utils mkfs.ubifs:mtd-utils ubinize:mtd-utils; do
	command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
done
if [ -n "$missing" ]; then
	echo "flash.sh: missing:$missing; install with: apt-get install$missing" >&2
	exit 2
fi

if [ -n "${KEEP:-}" ]; then
	tmp=$KEEP # the images are kept there (e.g. to time them again)
	rm -rf "$tmp/root"
	mkdir -p "$tmp"
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
fi

# --- the root file system of the image ---
"$bin" scan --format json "$img" >"$tmp/scan.json"
read -r off size < <(jq -r '[.containers[] | select(.format == "squashfs")] | max_by(.size) |
	"\(.offset) \(.size)"' "$tmp/scan.json")
dd if="$img" of="$tmp/rootfs.sqfs" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
unsquashfs -q -n -d "$tmp/root" "$tmp/rootfs.sqfs" >/dev/null

# --- the images ---
mkfs.jffs2 -r "$tmp/root" -o "$tmp/flash.jffs2" -l -e 128KiB -x rtime
mkfs.ubifs -r "$tmp/root" -m 2048 -e 126976 -c 8192 -x zlib -o "$tmp/rootfs.ubifs"
printf '[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n' \
	"$tmp/rootfs.ubifs" >"$tmp/ubinize.cfg"
ubinize -o "$tmp/flash.ubi" -m 2048 -p 128KiB -s 2048 "$tmp/ubinize.cfg" 2>/dev/null
tar -C "$tmp/root" -cf - . | gzip -6 >"$tmp/tree.tar.gz"
raw=$(du -sb --apparent-size "$tmp/root" | cut -f1)
cat >"$tmp/inflate.py" <<'EOF'
import sys, zlib
with open(sys.argv[1], "rb") as f:
    n = len(zlib.decompress(f.read(), 31))
EOF

echo "root file system: $(find "$tmp/root" -type f | wc -l) files, $raw bytes"
for f in flash.jffs2 flash.ubi tree.tar.gz; do
	printf '  %-12s %10d bytes\n' "$f" "$(stat -c %s "$tmp/$f")"
done
echo "iotaudit: $bin ($("$bin" version)); $(nproc) CPUs; runs: $RUNS"
echo

cmd_a="'$bin' scan '$tmp/flash.jffs2' >/dev/null"
cmd_b="'$bin' scan '$tmp/flash.ubi' >/dev/null"
cmd_z="python3 '$tmp/inflate.py' '$tmp/tree.tar.gz'"
cmd_t="'$bin' scan '$tmp/tree.tar.gz' >/dev/null"
# unpacking alone (with hashing, no analyzers): what the goal is about
cmd_ua="'$bin' scan --no-analyze '$tmp/flash.jffs2' >/dev/null"
cmd_ub="'$bin' scan --no-analyze '$tmp/flash.ubi' >/dev/null"
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$tmp/h.json" \
	-n jffs2 "$cmd_a" -n ubi "$cmd_b" -n zlib "$cmd_z" -n tar.gz "$cmd_t" \
	-n jffs2-unpack "$cmd_ua" -n ubi-unpack "$cmd_ub"

median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$tmp/h.json"; }
cpu() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .user + .system' "$tmp/h.json"; }
ta=$(median jffs2) tb=$(median ubi) tz=$(median zlib) tt=$(median tar.gz)
ua=$(median jffs2-unpack) ub=$(median ubi-unpack)
echo
echo "median wall, mean CPU (user + system):"
printf '  %-22s %7.3f s wall %7.3f s CPU\n' "iotaudit scan jffs2" "$ta" "$(cpu jffs2)" \
	"iotaudit scan ubi" "$tb" "$(cpu ubi)" "zlib inflate, 1 stream" "$tz" "$(cpu zlib)" \
	"iotaudit scan tar.gz" "$tt" "$(cpu tar.gz)" \
	"scan --no-analyze jffs2" "$ua" "$(cpu jffs2-unpack)" \
	"scan --no-analyze ubi" "$ub" "$(cpu ubi-unpack)"
awk -v a="$ta" -v b="$tb" -v z="$tz" -v t="$tt" -v ua="$ua" -v ub="$ub" -v n="$raw" 'BEGIN {
	printf "throughput (unpacked bytes / wall s): jffs2 %.1f MB/s, ubi %.1f MB/s, zlib %.1f MB/s\n",
		n / a / 1e6, n / b / 1e6, n / z / 1e6
	printf "jffs2 / zlib = %.2f (goal <= 2: %s)\n", a / z, a / z <= 2 ? "met" : "NOT met"
	printf "ubi / zlib   = %.2f (goal <= 2: %s)\n", b / z, b / z <= 2 ? "met" : "NOT met"
	printf "jffs2 / tar.gz scan = %.2f, ubi / tar.gz scan = %.2f\n", a / t, b / t
	printf "unpack only (--no-analyze): jffs2 / zlib = %.2f, ubi / zlib = %.2f (goal <= 2: %s)\n",
		ua / z, ub / z, ua / z <= 2 && ub / z <= 2 ? "met" : "NOT met"
}'
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) CPUs)"
