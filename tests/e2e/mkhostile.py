#!/usr/bin/env python3
"""Writes hostile inputs for the end-to-end tests (standard library only).

    mkhostile.py OUTDIR [NAME...]     (default: all of them)

Every file is made at test time from code, never committed as a binary:

  bomb.gz              gzip of 128 MiB of zeros (passes the expansion-ratio limit)
  traversal.tar        a member named ../../etc/passwd
  symlinks.tar         a symlink loop, links escaping with ../../../etc and /etc,
                       and files written "through" them
  nested64.gz          gzip in tar in gzip ... 64 containers deep
  magics.bin           1 MiB of gzip magics: a carving worst case
  garbage.bin          1 MiB of pseudo-random bytes
  empty.bin            nothing
  sqfs-bytes-used.sqfs a real mksquashfs image whose superblock claims 2^40 bytes
  sqfs-file-size.sqfs  a real mksquashfs image with a file claiming 2^40 bytes

The two SquashFS files need mksquashfs; without it they are left out and
OUTDIR/SKIPPED says why. Existing outputs are kept (the inputs are
deterministic), so repeated runs are cheap.
"""
import gzip
import io
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib

TB = 1 << 40


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def gz(data, name=None):
    buf = io.BytesIO()
    # mtime=0: reproducible bytes
    with gzip.GzipFile(filename=name or "", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def bomb(path, mib=128):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip wrapper
    zeros = bytes(1 << 20)
    out = [c.compress(zeros) for _ in range(mib)]
    out.append(c.flush())
    write(path, b"".join(out))


def tar_bytes(members):
    """members: list of (TarInfo, data or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for ti, data in members:
            ti.mtime = 0
            ti.uname = ti.gname = "root"
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return buf.getvalue()


def reg(name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.REGTYPE
    ti.mode = mode
    return (ti, data)


def link(name, target):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.SYMTYPE
    ti.linkname = target
    ti.mode = 0o777
    return (ti, None)


def traversal(path):
    write(path, tar_bytes([
        reg("README", b"a normal member\n"),
        reg("../../etc/passwd", b"pwned::0:0:root:/root:/bin/sh\n"),
        reg("/abs/iotaudit-canary", b"absolute member name\n"),
        reg("ok/after", b"the member after the bad ones\n"),
    ]))


def symlinks(path):
    write(path, tar_bytes([
        link("loop-a", "loop-b"),
        link("loop-b", "loop-a"),
        link("self", "self"),
        link("evil", "../../../etc"),
        reg("evil/iotaudit-canary", b"written through a link that leaves the archive\n"),
        link("abs", "/etc"),
        reg("abs/iotaudit-canary", b"written through an absolute link\n"),
        link("deep/up", "../../../../../../../../../../tmp"),
        reg("deep/file", b"a file next to the link\n"),
        reg("plain", b"a plain file\n"),
    ]))


def nested(path, depth=64):
    """depth containers: alternately gzip and tar, the outermost a gzip."""
    data, name = b"the innermost file\n", "core.txt"
    for level in range(depth):
        if (depth - 1 - level) % 2 == 0:
            data, name = gz(data, name), name + ".gz"
        else:
            data = tar_bytes([reg(name, data)])
            name = "level%02d.tar" % level
    write(path, data)


def magics(path):
    write(path, b"\x1f\x8b\x08\x00" * (1 << 18))


def garbage(path):
    write(path, random.Random(1).randbytes(1 << 20))


def mksquashfs(d, img):
    subprocess.run(["mksquashfs", d, img, "-noappend", "-noI", "-noD", "-noF", "-noX",
                    "-no-fragments", "-no-xattrs", "-all-root", "-quiet", "-no-progress"],
                   check=True, stdout=subprocess.DEVNULL)


def squashfs(outdir):
    """Two real images (uncompressed metadata, so fields can be patched in place)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "root")
        os.makedirs(os.path.join(src, "etc"))
        with open(os.path.join(src, "etc", "passwd"), "wb") as f:
            f.write(b"root:x:0:0:root:/root:/bin/sh\n")
        # A hard link makes mksquashfs write an extended file inode (64-bit
        # size); 12345 bytes is a size easy to find in the inode table.
        big = os.path.join(src, "data.bin")
        with open(big, "wb") as f:
            f.write(random.Random(2).randbytes(12345))
        os.link(big, os.path.join(src, "data-link.bin"))
        img = os.path.join(tmp, "img")
        mksquashfs(src, img)
        raw = bytearray(open(img, "rb").read())

    # superblock (SquashFS 4.0): bytes_used is the u64 at offset 40
    a = bytearray(raw)
    struct.pack_into("<Q", a, 40, TB)
    write(os.path.join(outdir, "sqfs-bytes-used.sqfs"), bytes(a))

    # extended file inode (type 9): 16-byte header, blocks_start u64, file_size u64
    b = bytearray(raw)
    start, end = struct.unpack_from("<QQ", b, 64)  # inode_table_start, directory_table_start
    hits = 0
    for p in range(start, end - 32):
        if struct.unpack_from("<H", b, p)[0] == 9 and struct.unpack_from("<Q", b, p + 24)[0] == 12345:
            struct.pack_into("<Q", b, p + 24, TB)
            hits += 1
    if hits != 1:
        raise SystemExit("mkhostile: extended file inode not found in the mksquashfs image")
    write(os.path.join(outdir, "sqfs-file-size.sqfs"), bytes(b))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    only = set(sys.argv[2:])
    os.makedirs(out, exist_ok=True)
    makers = {
        "bomb.gz": bomb,
        "traversal.tar": traversal,
        "symlinks.tar": symlinks,
        "nested64.gz": nested,
        "magics.bin": magics,
        "garbage.bin": garbage,
        "empty.bin": lambda p: write(p, b""),
    }
    for name, fn in makers.items():
        p = os.path.join(out, name)
        if (not only or name in only) and not os.path.exists(p):
            fn(p)
    if only and not only & {"sqfs-bytes-used.sqfs", "sqfs-file-size.sqfs"}:
        return 0
    skipped = os.path.join(out, "SKIPPED")
    if not os.path.exists(os.path.join(out, "sqfs-file-size.sqfs")):
        if shutil.which("mksquashfs"):
            squashfs(out)
            if os.path.exists(skipped):
                os.remove(skipped)
        else:
            write(skipped, b"mksquashfs not found: the SquashFS cases are not made\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
