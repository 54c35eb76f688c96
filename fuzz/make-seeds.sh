#!/bin/bash
# Regenerates the seed inputs fuzz/corpus/<target>/seed-* with the real tools
# of each format (gzip, xz, tar, cpio, zip, 7z, genisoimage, mksquashfs,
# mke2fs, mkimage...). The seeds are committed; run this only to change them.
# Inputs that crashed (crash-*) and anything else in the corpus are kept.
#
# Everything is made from one tiny root filesystem (text files, a script, a
# setuid file, symbolic links inside and outside the tree, a hard link, a
# device node, a fifo, a long name) so each seed exercises the member kinds
# an unpacker must handle, in a few hundred bytes to a few KB. File-system
# images are as small as their tools allow (ext2 64 KiB, ISO 9660 ~50 KiB).
# Timestamps, owners, inode numbers and UUIDs are fixed where the tool allows
# it, so most seeds come out byte-identical on every run; the ISO 9660, ext
# and deflate-zip seeds carry the time they were made, and the encrypted
# archives a random salt.
#
# Needs root (mknod) and: gzip xz-utils bzip2 zstd lz4 tar cpio zip p7zip-full
# genisoimage squashfs-tools e2fsprogs u-boot-tools device-tree-compiler python3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=946684800 E2FSPROGS_FAKE_TIME=946684800 TZ=UTC LC_ALL=C

for t in 7z mkisofs genisoimage mksquashfs mke2fs mkimage dtc zstd lz4 cpio zip; do
	command -v "$t" >/dev/null || case $t in
		mkisofs) ;;
		*) echo "make-seeds: '$t' is missing (see the header of $0)" >&2; exit 1 ;;
	esac
done

# ---- the root filesystem ----
root=$work/root
mkdir -p "$root"/{bin,etc,dev,usr/sbin,usr/share/doc,var/empty}
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n' >"$root/etc/passwd"
printf 'root::0:0:99999:7:::\n' >"$root/etc/shadow"
printf '#!/bin/sh\nmount -t proc proc /proc\nexec /bin/sh\n' >"$root/bin/init"
printf 'setuid helper\n' >"$root/usr/sbin/su"
# a few KB of compressible text: several compressed blocks and a fragment
for i in $(seq 1 120); do printf 'line %d of the notice file\n' "$i"; done >"$root/usr/share/doc/NOTICE"
: >"$root/etc/empty"
ln -s init "$root/bin/sh"
ln -s ../../../../etc/passwd "$root/etc/escape"
ln -s /etc/passwd "$root/etc/abs"
ln "$root/bin/init" "$root/bin/rc"
mknod "$root/dev/null" c 1 3
mkfifo "$root/dev/initctl"
long=usr/share/doc/$(printf 'n%.0s' $(seq 1 110))
printf 'long name\n' >"$root/$long"
chmod 0755 "$root/bin/init"
chmod 4755 "$root/usr/sbin/su"
chmod 0600 "$root/etc/shadow"
find "$root" -exec touch -h -d @946684800 {} +
text=$root/usr/share/doc/NOTICE

# the root without specials, for formats or tools that refuse them
plain=$work/plain
cp -a "$root" "$plain"
rm -f "$plain/dev/null" "$plain/dev/initctl"

out() { # out TARGET NAME: path of a seed file, its folder made
	mkdir -p "$corpus/$1"
	printf '%s/%s/seed-%s' "$corpus" "$1" "$2"
}
for d in "$corpus"/*/; do
	[ -d "$d" ] && rm -f "$d"seed-*
done

# ---- compressed streams ----
gzip -9 -c "$text" >"$(out gzip text.gz)"
(gzip -n -c "$root/etc/passwd"; gzip -n -c "$root/bin/init") >"$(out gzip two-members.gz)"
gzip -n -1 -c </dev/null >"$(out gzip empty.gz)"
xz -c "$text" >"$(out xz text.xz)"
xz -c --check=none "$root/etc/passwd" >"$(out xz check-none.xz)"
xz -c --check=sha256 "$root/etc/passwd" >"$(out xz check-sha256.xz)"
(xz -c --check=crc32 "$root/etc/passwd"; xz -c "$root/bin/init") >"$(out xz two-streams.xz)"
xz -c --format=lzma "$text" >"$(out lzma text.lzma)"
xz -c --format=lzma --lzma1=dict=4KiB,lc=0,lp=2,pb=2 "$root/etc/passwd" >"$(out lzma small-dict.lzma)"
bzip2 -9 -c "$text" >"$(out bzip2 text.bz2)"
(bzip2 -c "$root/etc/passwd"; bzip2 -c "$root/bin/init") >"$(out bzip2 two-streams.bz2)"
zstd -q -19 -c "$text" >"$(out zstd text.zst)"
zstd -q --no-check -c "$root/etc/passwd" >"$(out zstd no-check.zst)"
(zstd -q -c "$root/etc/passwd"; zstd -q -c "$root/bin/init") >"$(out zstd two-frames.zst)"
python3 - "$(out zstd skippable.zst)" "$root/etc/passwd" <<'EOF'
import struct, subprocess, sys
# RFC 8878 3.1.2: a skippable frame (magic 0x184D2A5?) then a normal frame
frame = subprocess.run(["zstd", "-q", "-c", sys.argv[2]], check=True, capture_output=True).stdout
skip = struct.pack("<II", 0x184D2A50, 6) + b"vendor"
open(sys.argv[1], "wb").write(skip + frame)
EOF
lz4 -q -c "$text" >"$(out lz4 text.lz4)"
lz4 -q -l -c "$text" >"$(out lz4 legacy.lz4)"
lz4 -q --content-size -BX -c "$root/etc/passwd" >"$(out lz4 content-size-block-check.lz4)"
lz4 -q -BD --no-frame-crc -c "$text" >"$(out lz4 linked-no-crc.lz4)"

# ---- archives ----
(cd "$root" && tar --format=ustar --owner=0 --group=0 --numeric-owner -cf - --exclude="$long" .) \
	>"$(out tar ustar.tar)"
(cd "$root" && tar --format=gnu --owner=0 --group=0 --numeric-owner -cf - .) >"$(out tar gnu.tar)"
(cd "$root" && tar --format=pax --owner=0 --group=0 --numeric-owner \
	--pax-option=delete=atime,delete=ctime -cf - .) >"$(out tar pax.tar)"
(cd "$plain" && tar --format=v7 -cf - bin etc) >"$(out tar v7.tar)"
for fmt in newc crc odc bin; do
	(cd "$root" && find . | sort | cpio --quiet --reproducible -o -H $fmt) >"$(out cpio $fmt.cpio)"
done
(cd "$plain" && zip -q -X -r -y - .) >"$(out zip deflate.zip)"
(cd "$plain" && zip -q -X -0 -r - etc bin) >"$(out zip stored.zip)"
(cd "$plain" && zip -q -X -Z bzip2 - usr/share/doc/NOTICE etc/passwd) >"$(out zip bzip2.zip)"
(cd "$plain" && zip -q -X -P secret - etc/passwd) >"$(out zip encrypted.zip)"
(cd "$plain" && zip -q -X -fz - etc/passwd bin/init) >"$(out zip zip64.zip)"
sz() { # sz NAME ARGS...: a 7z archive of the plain tree
	local name=$1; shift
	rm -f "$work/a.7z"
	(cd "$plain" && 7z a -bd -bso0 -bsp0 -snl "$@" "$work/a.7z" bin etc usr >/dev/null)
	cp "$work/a.7z" "$(out 7z "$name")"
}
sz lzma2.7z -mx=1
sz copy.7z -m0=copy -mhc=off
sz bzip2.7z -m0=bzip2 -ms=off
sz deflate.7z -m0=deflate
sz ppmd.7z -m0=ppmd
sz encrypted-header.7z -mhe=on -psecret

# ---- file systems ----
genisoimage -quiet -no-pad -o "$(out iso9660 plain.iso)" "$plain/etc" 2>/dev/null
genisoimage -quiet -no-pad -R -J -V FIRMWARE -o "$(out iso9660 rockridge-joliet.iso)" "$plain" 2>/dev/null
for c in gzip xz lzo lz4 zstd; do
	mksquashfs "$root" "$work/sq" -quiet -noappend -nopad -all-root \
		-comp $c -b 4096 >/dev/null
	cp "$work/sq" "$(out squashfs $c.sqfs)"
	rm -f "$work/sq"
done
mksquashfs "$root" "$work/sq" -quiet -noappend -nopad -all-root \
	-noI -noD -noF -noX -no-fragments -no-xattrs >/dev/null
cp "$work/sq" "$(out squashfs uncompressed.sqfs)"
rm -f "$work/sq"
mksquashfs "$root" "$work/sq" -quiet -noappend -nopad -all-root \
	-comp xz -always-use-fragments -b 4096 -p 'dev/console c 600 0 0 5 1' >/dev/null
cp "$work/sq" "$(out squashfs fragments-pseudo.sqfs)"
rm -f "$work/sq"
mke2fs -q -F -t ext2 -b 1024 -N 32 -U 0bd6bd39-0000-4000-8000-000000000001 \
	-E root_owner=0:0,hash_seed=0bd6bd39-0000-4000-8000-000000000002 \
	-d "$root" "$(out ext ext2.img)" 64
truncate -s 64K "$(out ext ext2.img)"
mke2fs -q -F -t ext4 -b 1024 -N 32 -O ^has_journal -U 0bd6bd39-0000-4000-8000-000000000003 \
	-E root_owner=0:0,hash_seed=0bd6bd39-0000-4000-8000-000000000004 \
	-d "$root" "$(out ext ext4-extents.img)" 96
truncate -s 96K "$(out ext ext4-extents.img)"

# ---- firmware headers ----
kernel=$work/kernel.bin # stands in for a kernel: a few KB of text
cat "$text" "$root/etc/passwd" >"$kernel"
xz -c --format=lzma "$kernel" >"$work/kernel.lzma"
gzip -n -9 -c "$kernel" >"$work/kernel.gz"
mksquashfs "$plain" "$work/rootfs.sqfs" -quiet -noappend -all-root -comp xz >/dev/null
(cd "$root" && find . | sort | cpio --quiet --reproducible -o -H newc) | gzip -n -9 >"$work/initrd.cpio.gz"
mkimage -q -A mips -O linux -T kernel -C none -a 0x80000000 -e 0x80000000 -n "Linux-4.14.90" \
	-d "$kernel" "$(out uimage kernel-none.uimg)"
mkimage -q -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80001000 -n "MIPS OpenWrt Linux" \
	-d "$work/kernel.lzma" "$(out uimage kernel-lzma.uimg)"
mkimage -q -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 -n "Linux-5.10" \
	-d "$work/kernel.gz" "$(out uimage kernel-gzip.uimg)"
mkimage -q -A arm -O linux -T multi -C none -a 0x8000 -e 0x8000 -n "multi" \
	-d "$work/kernel.gz:$work/initrd.cpio.gz" "$(out uimage multi.uimg)"
mkimage -q -A arm -O linux -T ramdisk -C gzip -n "initramfs" \
	-d "$work/initrd.cpio.gz" "$(out uimage ramdisk.uimg)"
cat >"$work/board.dts" <<'EOF'
/dts-v1/;
/ {
	model = "fuzz board";
	compatible = "vendor,fuzz-board";
	#address-cells = <1>;
	#size-cells = <1>;
	memory@80000000 { device_type = "memory"; reg = <0x80000000 0x2000000>; };
};
EOF
dtc -q -I dts -O dtb -o "$work/board.dtb" "$work/board.dts"
cat >"$work/fit.its" <<EOF
/dts-v1/;
/ {
	description = "fuzz FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "kernel";
			data = /incbin/("$work/kernel.gz");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip";
			load = <0x8000>; entry = <0x8000>;
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha1"; };
		};
		fdt-1 {
			description = "board";
			data = /incbin/("$work/board.dtb");
			type = "flat_dt"; arch = "arm"; compression = "none";
			hash-1 { algo = "sha256"; };
		};
		ramdisk-1 {
			description = "initramfs";
			data = /incbin/("$work/initrd.cpio.gz");
			type = "ramdisk"; arch = "arm"; os = "linux"; compression = "gzip";
		};
	};
	configurations {
		default = "conf-1";
		conf-1 { kernel = "kernel-1"; fdt = "fdt-1"; ramdisk = "ramdisk-1"; };
	};
};
EOF
mkimage -q -f "$work/fit.its" "$(out fit embedded.itb)" >/dev/null
mkimage -q -E -p 0x1000 -f "$work/fit.its" "$(out fit external-data.itb)" >/dev/null
cp "$work/board.dtb" "$(out fit plain-dtb-not-fit.dtb)"

# TRX: no Debian package writes it; the header is made as OpenWrt's trx tool
# does (see src/unpack/unpack_trx.c): CRC-32 over bytes 12..len, not inverted.
python3 - "$work" "$(out trx v1-lzma-squashfs.trx)" "$(out trx v2-four-parts.trx)" <<'EOF'
import struct, sys, zlib
w = sys.argv[1]
def part(name):
	return open(f"{w}/{name}", "rb").read()
def trx(parts, version, path):
	nofs = 3 if version == 1 else 4
	hdr = 16 + 4 * nofs
	body, offs = b"", []
	for p in parts:
		offs.append(hdr + len(body))
		body += p + b"\0" * (-len(p) % 4)
	offs += [0] * (nofs - len(offs))
	length = hdr + len(body)
	tail = struct.pack("<I", version << 16) + struct.pack(f"<{nofs}I", *offs) + body
	crc = zlib.crc32(tail) ^ 0xffffffff
	open(path, "wb").write(b"HDR0" + struct.pack("<II", length, crc) + tail)
trx([part("kernel.lzma"), part("kernel.gz"), part("rootfs.sqfs")], 1, sys.argv[2])
trx([part("kernel.lzma"), part("kernel.gz"), part("initrd.cpio.gz"), part("board.dtb")], 2, sys.argv[3])
EOF

# ---- whole images, for the "scan" target (which also replays every corpus) ----
python3 - "$work" "$(out scan uimage-then-squashfs.bin)" "$(out scan carve-mix.bin)" \
	"$(out scan nested.bin)" <<'EOF'
import random, subprocess, sys
w = sys.argv[1]
rd = lambda n: open(f"{w}/{n}", "rb").read()
# a router flash layout: uImage kernel at 0, root file system at a 4 KiB boundary
subprocess.run(["mkimage", "-q", "-A", "mips", "-O", "linux", "-T", "kernel", "-C", "lzma",
	"-a", "0x80000000", "-e", "0x80000000", "-n", "Linux", "-d", f"{w}/kernel.lzma", f"{w}/k.uimg"],
	check=True)
kern = rd("k.uimg")
img = kern + b"\xff" * (-len(kern) % 4096) + rd("rootfs.sqfs")
open(sys.argv[2], "wb").write(img)
# containers at odd offsets between noise, to be found by carving
r = random.Random(1)
noise = lambda n: bytes(r.getrandbits(8) for _ in range(n))
mix = noise(301) + rd("kernel.gz") + noise(77) + rd("initrd.cpio.gz") + b"\0" * 513 + rd("board.dtb") + noise(64)
open(sys.argv[3], "wb").write(mix)
# a container in a container in a container: gzip(tar(xz(cpio)))
cpio = subprocess.run(["gzip", "-d", "-c", f"{w}/initrd.cpio.gz"], check=True, capture_output=True).stdout
open(f"{w}/initrd.cpio.xz", "wb").write(subprocess.run(["xz", "-c"], input=cpio, check=True, capture_output=True).stdout)
tar = subprocess.run(["tar", "--owner=0", "--group=0", "--mtime=@946684800", "-C", w, "-cf", "-", "initrd.cpio.xz"],
	check=True, capture_output=True).stdout
open(sys.argv[4], "wb").write(subprocess.run(["gzip", "-n", "-c"], input=tar, check=True, capture_output=True).stdout)
EOF

# ---- unit targets ----
p=$corpus/util_path/
mkdir -p "$p" "$corpus/util_reader"
printf '../../etc/passwd\n../x' >"${p}seed-dotdot"
printf '/abs//./a/../b/\n/etc/passwd' >"${p}seed-absolute"
printf 'a\\b\\..\\..\\c\nfoo/../../bar' >"${p}seed-backslash"
printf 'usr/lib/sub\n../../../lib/libc.so' >"${p}seed-link-edge"
printf 'dir\0hidden/x\n.' >"${p}seed-nul"
python3 - "$(out util_reader a)" "$(out util_reader b)" <<'EOF'
import random, sys
r = random.Random(7)
for path, n in zip(sys.argv[1:], (40, 200)):
	ops = bytes(r.getrandbits(8) for _ in range(3 * n))
	buf = bytes(r.getrandbits(8) for _ in range(n))
	open(path, "wb").write(bytes([n & 255, n >> 8]) + ops + buf)
EOF

du -sh "$corpus"
find "$corpus" -name 'seed-*' | wc -l
