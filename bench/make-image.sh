#!/bin/bash
# Builds the benchmark firmware image: a router-like flash layout made of real
# Debian binaries for an embedded architecture (armhf by default):
#
#   0x000000  uImage header (U-Boot legacy), LZMA "kernel"   (mkimage)
#   0x??0000  SquashFS 4, xz, 256 KiB blocks, root file system (mksquashfs)
#
# The root file system is the contents (dpkg-deb -x) of a few dozen Debian
# packages: busybox, dropbear, OpenSSL, curl, dnsmasq, hostapd, iptables...,
# without their documentation, as a vendor would ship them. The "kernel" is a
# stand-in: LZMA of some of the same binaries (no small Debian package holds
# an ARM kernel), so the image holds a second compressed stream to find.
#
#   bench/make-image.sh [OUT]        default OUT: $CACHE/firmware-$ARCH.bin
#
# Environment: ARCH (armhf; mipsel and arm64 work too), CACHE
# (${XDG_CACHE_HOME:-~/.cache}/iotaudit-bench). Downloads are cached: the
# package lists of ARCH (fetched by apt-get into a private state folder under
# CACHE, the system's apt configuration is left alone) and the .deb files;
# the image itself is rebuilt only when missing. Needs apt-get, dpkg-deb,
# mksquashfs (squashfs-tools), mkimage (u-boot-tools), xz.
set -euo pipefail

ARCH=${ARCH:-armhf}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iotaudit-bench}
OUT=${1:-$CACHE/firmware-$ARCH.bin}

# Debian bookworm packages of the kind found on routers and cameras. Names
# missing for an ARCH are skipped with a note.
PKGS="busybox dropbear-bin libc6 libgcc-s1 libssl3 openssl zlib1g libzstd1 liblzma5 libbz2-1.0
libcrypt1 libpcre2-8-0 libsqlite3-0 libjson-c5 libjansson4 libmnl0 libnftnl11 libxtables12
libnetfilter-conntrack3 libnfnetlink0 iptables nftables libnftables1 libgmp10 libreadline8
libtinfo6 libncursesw6 dnsmasq-base hostapd wpasupplicant iw libnl-3-200 libnl-genl-3-200
libnl-route-3-200 libpcsclite1 libdbus-1-3 libsystemd0 libcap2 libudev1 liblz4-1 libgcrypt20
libgpg-error0 curl libcurl4 libnghttp2-14 libpsl5 libidn2-0 libunistring2 libssh2-1 librtmp1
libgnutls30 libhogweed6 libnettle8 libp11-kit0 libtasn1-6 libffi8 libbrotli1 libldap-2.5-0
libsasl2-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1 libcom-err2 libgssapi-krb5-2
lighttpd libpcap0.8 tcpdump ppp ethtool bridge-utils iproute2 libelf1 libbpf1 libmd0 libbsd0
libcap-ng0 libatm1 libdb5.3 mtd-utils libuuid1 libblkid1 libmount1 libselinux1 e2fsprogs
libext2fs2 libss2 openssh-sftp-server ca-certificates"

for t in apt-get dpkg-deb mksquashfs mkimage xz; do
	command -v $t >/dev/null || { echo "make-image: '$t' is missing (apt-get install squashfs-tools u-boot-tools xz-utils)" >&2; exit 1; }
done

if [ -s "$OUT" ]; then
	echo "make-image: $OUT exists ($(stat -c %s "$OUT") bytes); delete it to rebuild"
	exit 0
fi

apt_dir=$CACHE/apt-$ARCH
debs=$CACHE/debs-$ARCH
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$debs"
APT=(apt-get -q -o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH"
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o "Dir::State::status=$apt_dir/status" -o "Debug::NoLocking=1")
touch "$apt_dir/status"
if [ -z "$(ls "$apt_dir/lists" 2>/dev/null | grep -v partial)" ]; then
	echo "make-image: fetching the $ARCH package lists (once, into $apt_dir)"
	"${APT[@]}" update >/dev/null || echo "make-image: note: some package lists failed to download; going on with the others"
fi

echo "make-image: downloading packages for $ARCH into $debs"
(
	cd "$debs"
	for p in $PKGS; do
		ls "${p}"_*.deb >/dev/null 2>&1 && continue
		"${APT[@]}" download "$p:$ARCH" >/dev/null 2>&1 ||
			"${APT[@]}" download "$p" >/dev/null 2>&1 ||
			echo "make-image: note: no package '$p' for $ARCH, skipped"
	done
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"
for d in "$debs"/*.deb; do
	dpkg-deb -x "$d" "$root"
done
# what a vendor strips: documentation, manuals, translations
rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,bug}
mkdir -p "$root"/{dev,proc,sys,tmp,var/run,root,etc/init.d}
[ -e "$root/bin/sh" ] || ln -s busybox "$root/bin/sh" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/var:/bin/false\n' >"$root/etc/passwd"
printf 'root:$1$abcdefgh$0gDqDJBeG2w9YFvYFmI5X.:19000:0:99999:7:::\n' >"$root/etc/shadow"
printf '#!/bin/sh\n/usr/sbin/dropbear -R\n/usr/sbin/lighttpd -f /etc/lighttpd/lighttpd.conf\n' >"$root/etc/init.d/rcS"
chmod 0755 "$root/etc/init.d/rcS"
find "$root" -exec touch -h -d @1700000000 {} +

SOURCE_DATE_EPOCH=1700000000 mksquashfs "$root" "$work/rootfs.sqfs" -quiet -noappend -all-root -comp xz -b 262144 >/dev/null

# the stand-in kernel: a few MB of the same ARM code, LZMA-compressed
find "$root" -type f -name '*.so*' -size +200k | sort | head -n 8 | xargs cat >"$work/vmlinux"
xz --format=lzma -6 -c "$work/vmlinux" >"$work/vmlinux.lzma"
arch_uboot=$(case $ARCH in armhf|armel) echo arm ;; arm64) echo arm64 ;; mips*) echo mips ;; *) echo arm ;; esac)
SOURCE_DATE_EPOCH=1700000000 mkimage -A "$arch_uboot" -O linux -T kernel -C lzma -a 0x80008000 -e 0x80008000 \
	-n "Linux-6.1.0 bench" -d "$work/vmlinux.lzma" "$work/kernel.uimg" >/dev/null

# the root file system starts at the next 64 KiB boundary after the kernel, padded with 0xff
ksize=$(stat -c %s "$work/kernel.uimg")
pad=$(((65536 - ksize % 65536) % 65536))
mkdir -p "$(dirname "$OUT")"
{
	cat "$work/kernel.uimg"
	head -c "$pad" /dev/zero | tr '\0' '\377'
	cat "$work/rootfs.sqfs"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"

files=$(find "$root" -type f | wc -l)
unpacked=$(du -sb "$root" | cut -f1)
echo "make-image: $OUT: $(stat -c %s "$OUT") bytes; kernel $ksize bytes at 0, squashfs $(stat -c %s "$work/rootfs.sqfs") bytes at $((ksize + pad)); $files files, $unpacked bytes unpacked, $(ls "$debs" | wc -l) packages"
