#!/usr/bin/env python3
"""End-to-end test of the vendor SquashFS variants libsquashfs rejects.

usage: flash_squashfs_vendor.py IOTAUDIT FIXTURES_DIR WORKDIR

Debian's squashfs-tools writes SquashFS 4.0 only, so SquashFS 3.x images are
made by tests/fixtures/mksquashfs3.py, a writer that follows squashfs-tools
3.x's squashfs_fs.h, from FIXTURES_DIR/rootfs (real Debian binaries) plus a
few entries the tree lacks (empty, exactly-one-block, multi-block and sparse
files, a 255-byte name, deep directories, device nodes and a FIFO when mknod
is allowed): 3.1 and 3.0, little- and big-endian, zlib, LZMA in the .lzma
layout and LZMA without its size field, the vendor magics of Broadcom,
Realtek and TP-Link SDKs ("shsq", "qshs", "tqsh", "hsqt", "sqlz"), the
SQUASHFS_CHECK marker bytes, extended (ldir/lreg) inodes, no fragments,
4 KiB and 128 KiB blocks. Every entry's path, type, mode, uid, gid, size,
SHA-256, link target and device number must match the source tree, and the
container's variant must say which variant it is. The writer itself is
checked by an independent reader: squashfs-tools' unsquashfs (4.x) still
reads 3.x images with zlib, and must extract the same tree from each.

SquashFS 4.0 with LZMA-alone blocks is made by the real mksquashfs (-comp
lzma) and read by the squashfs unpacker (variant "lzma"), also under the
vendor magics (variant "lzma,shsq"...) and carved out of a blob.

binwalk's real SquashFS 2.0 vector (corpus/binwalk-vectors/squashfs_v2.bin
under IOTA_SHARED_DIR or ../shared) is read in place.

Damage: truncation at many points, bit flips in the metadata and the data, a
directory that lists itself, a file claiming 2^40 bytes: exit 0, bounded time,
a finding, and the rest recovered. Prints 'N passed, N failed'; exits 1 on
failure, 77 when the staging tree is missing.
"""
import hashlib
import os
import random
import shutil
import stat
import struct
import subprocess
import sys
import time

from e2ecommon import check, finish, skip
from flash_jffs2 import source_tree
from flash_yaffs2 import compare, containers, scan, scanned_tree, unpack_findings, write

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import mksquashfs3  # noqa: E402


def make_staging(rootfs, work):
    stage = os.path.join(work, "stage")
    if os.path.exists(stage):
        shutil.rmtree(stage)
    shutil.copytree(rootfs, stage, symlinks=True)
    x = os.path.join(stage, "sq3-extra")
    os.mkdir(x)
    open(os.path.join(x, "empty"), "wb").close()
    with open(os.path.join(x, "one-block"), "wb") as f:
        f.write(bytes(range(256)) * 256)  # 65536: one block, no fragment
    rnd = random.Random(9)
    with open(os.path.join(x, "multi"), "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(150000)) + b"text " * 30000)
    with open(os.path.join(x, "sparse"), "wb") as f:
        f.write(b"head" + bytes(3 * 65536) + b"tail")  # a whole block of zeros inside
    with open(os.path.join(x, "suid"), "wb") as f:
        f.write(b"#!/bin/sh\n")
    os.chmod(os.path.join(x, "suid"), 0o4755)
    os.makedirs(os.path.join(x, "d1", "d2", "d3", "d4", "d5", "d6"))
    with open(os.path.join(x, "n" * 255), "wb") as f:
        f.write(b"long name\n")
    os.symlink("../bin/sh", os.path.join(x, "rel-link"))
    os.symlink("/" + "t" * 300, os.path.join(x, "long-link"))
    # many entries in one directory: several directory headers, an ldir-sized listing
    many = os.path.join(x, "many")
    os.mkdir(many)
    for i in range(600):
        with open(os.path.join(many, "entry-%04d-%s" % (i, "x" * (i % 40))), "wb") as f:
            f.write(b"%d\n" % i)
    try:
        os.mknod(os.path.join(x, "ttyS0"), 0o620 | stat.S_IFCHR, os.makedev(4, 64))
        os.mknod(os.path.join(x, "mtdblock3"), 0o640 | stat.S_IFBLK, os.makedev(31, 3))
        os.mkfifo(os.path.join(x, "fifo"), 0o600)
    except OSError:
        pass  # not root: device nodes are not tested
    return stage


CASES = [
    ("le", dict(), "3.1-le,zlib"),
    ("be", dict(be=True), "3.1-be,zlib"),
    ("be-3.0-check", dict(be=True, minor=0, check=True), "3.0-be,zlib"),
    ("le-ldir-4k", dict(ldir=True, block_size=4096), "3.1-le,zlib"),
    ("be-nofrag-128k", dict(be=True, frag=False, block_size=131072), "3.1-be,zlib"),
    ("le-lzma-shsq", dict(comp="lzma", magic="shsq"), "3.1-le,lzma,shsq"),
    ("be-lzma-qshs", dict(be=True, comp="lzma", magic="qshs"), "3.1-be,lzma,qshs"),
    ("be-lzma-sqsh", dict(be=True, comp="lzma"), "3.1-be,lzma"),
    ("le-lzma-tqsh", dict(comp="lzma", magic="tqsh", check=True), "3.1-le,lzma,tqsh"),
    ("be-lzma-hsqt", dict(be=True, comp="lzma", magic="hsqt", ldir=True), "3.1-be,lzma,hsqt"),
    ("le-nosize-sqlz", dict(comp="lzma-nosize", magic="sqlz"), "3.1-le,lzma-nosize,sqlz"),
]


def cross_check(work, img, src, label):
    """The writer checked by an independent reader: squashfs-tools' unsquashfs
    (4.x) still reads 3.x images (zlib only), and must extract the source tree."""
    if not shutil.which("unsquashfs"):
        return
    out = os.path.join(work, "unsquashfs-" + label)
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.run(["unsquashfs", "-n", "-d", out, img], capture_output=True)
    check(p.returncode == 0, "%s: unsquashfs cannot read the writer's image: %s" % (
        label, p.stderr[-300:]))
    got, _ = source_tree(out) if os.path.isdir(out) else ({}, {})
    bad = sorted(k for k in set(src) | set(got) if src.get(k) != got.get(k))
    check(not bad, "%s: unsquashfs extracts another tree: %s" % (
        label, [(k, src.get(k), got.get(k)) for k in bad[:3]]))
    shutil.rmtree(out, ignore_errors=True)


def sample_v2(iotaudit):
    shared = os.environ.get("IOTA_SHARED_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared")
    path = os.path.join(shared, "corpus", "binwalk-vectors", "squashfs_v2.bin")
    if not os.path.exists(path):
        print("SKIP part: no shared corpus at %s" % path)
        return
    with open(path, "rb") as f:
        data = f.read()
    inodes = struct.unpack(">I", data[4:8])[0]
    rc, doc, err = scan(iotaudit, path)
    check(rc == 0 and doc is not None, "v2 sample: exit %s %s" % (rc, err[-300:]))
    if doc is None:
        return
    conts = containers(doc, "squashfs3")
    check(len(conts) == 1 and conts[0].get("variant", "").startswith("2.0-be"),
          "v2 sample: one squashfs3 container of variant 2.0-be: %s" % conts)
    got, _ = scanned_tree(doc, "squashfs3")
    f = unpack_findings(doc)
    if got:
        # read: every inode but the root's is one entry; the files are real binaries
        check(len(got) == inodes - 1, "v2 sample: %d entries, the superblock counts %d inodes"
              % (len(got), inodes))
        elves = [k for k, v in got.items() if v[0] == "file"]
        check(len(elves) > 100, "v2 sample: %d files" % len(elves))
        check(not f, "v2 sample: findings %s" % f[:3])
        bins = [x for x in doc.get("files", []) if x.get("name", "").endswith("/bin/busybox")]
        check(bins and bins[0].get("size", 0) > 100000, "v2 sample: /bin/busybox %s" % bins[:1])
    else:
        # not read: said so clearly
        msgs = " ".join(x.get("message", "") for x in f)
        check("unsupported SquashFS 2.0" in msgs, "v2 sample: no clear finding: %s" % msgs)


def sqfs4_lzma(iotaudit, work, stage, src):
    if not shutil.which("mksquashfs"):
        print("SKIP part: mksquashfs is not installed")
        return
    img = os.path.join(work, "v4-lzma.sqfs")
    if os.path.exists(img):
        os.unlink(img)
    p = subprocess.run(["mksquashfs", stage, img, "-comp", "lzma", "-noappend", "-quiet",
                        "-no-progress"], capture_output=True)
    if p.returncode != 0:
        print("SKIP part: mksquashfs -comp lzma: %s" % p.stderr[-200:])
        return
    with open(img, "rb") as f:
        head = f.read(200)
    # the data blocks are in the .lzma layout: 5 property bytes, then the size
    check(head[96] == 0x5d, "v4-lzma: first block starts with LZMA properties: %s" % head[96:110].hex())
    doc = compare(iotaudit, img, src, {}, "v4-lzma", fmt="squashfs")
    if doc:
        v = [c.get("variant") for c in containers(doc, "squashfs")]
        check(v == ["lzma"], "v4-lzma: variant %s" % v)
    # the same image under the vendor magics of Broadcom/Realtek/TP-Link SDKs,
    # alone and carved out of a blob
    with open(img, "rb") as f:
        data = f.read()
    for magic in ("shsq", "sqlz", "tqsh", "hsqt"):
        p = write(work, "v4-lzma-%s.sqfs" % magic, magic.encode() + data[4:])
        doc = compare(iotaudit, p, src, {}, "v4-lzma-" + magic, fmt="squashfs")
        if doc:
            v = [c.get("variant") for c in containers(doc, "squashfs")]
            check(v == ["lzma," + magic], "v4-lzma-%s: variant %s" % (magic, v))
    p = write(work, "v4-shsq-embedded.bin", b"\xff" * 0x10000 + b"shsq" + data[4:] + b"\xff" * 100)
    doc = compare(iotaudit, p, src, {}, "v4-shsq-embedded", fmt="squashfs")
    if doc:
        offs = [c.get("offset") for c in containers(doc, "squashfs")]
        check(offs == [0x10000], "v4-shsq-embedded: offsets %s" % offs)


def damaged(iotaudit, work, data, label, want_finding, must=None):
    p = write(work, "damaged.img", data)
    rc, doc, err = scan(iotaudit, p)
    check(rc == 0 and doc is not None, "%s: exit %s %s" % (label, rc, err[-300:]))
    if doc is None:
        return None
    if want_finding:
        check(unpack_findings(doc), "%s: no unpack finding" % label)
    if must:
        got, _ = scanned_tree(doc, "squashfs3")
        lost = [k for k, v in must.items() if got.get(k) != v]
        check(not lost, "%s: %d entries not recovered, e.g. %s" % (
            label, len(lost), [(k, must[k], got.get(k)) for k in lost[:2]]))
    return doc


def damage_tests(iotaudit, work, stage, src):
    sq = mksquashfs3.SquashFS3()
    img = sq.image(stage, pad=False)
    e = "<"
    used, uid_start, guid_start, inode_start, dir_start, frag_start = struct.unpack(
        e + "QQQQQQ", img[63:111])
    # cuts: in the data, in the inode table, in the directory table, in the tables after
    cuts = sorted(set([len(img) * k // 10 for k in range(1, 10)] +
                      [inode_start + 10, dir_start - 5, dir_start + 100, frag_start + 3,
                       len(img) - 1, 200]))
    for cut in cuts:
        damaged(iotaudit, work, img[:cut], "cut at %d" % cut, True)
    # a flipped bit in file data blocks: the file is damaged, the tree intact
    rnd = random.Random(4)
    for k in range(4):
        b = bytearray(img)
        x = rnd.randrange(200, inode_start)
        b[x] ^= 1 << rnd.randrange(8)
        doc = damaged(iotaudit, work, bytes(b), "data bit flip at %d" % x, False)
        if doc:
            got, _ = scanned_tree(doc, "squashfs3")
            check(set(got) == set(src), "data bit flip at %d: the tree is not whole" % x)
    # flipped bits in the metadata: no crash, a finding or the same tree
    for k in range(6):
        b = bytearray(img)
        x = rnd.randrange(inode_start, frag_start)
        b[x] ^= 1 << rnd.randrange(8)
        damaged(iotaudit, work, bytes(b), "metadata bit flip at %d" % x, False)
    # the superblock's root inode pointing nowhere
    b = bytearray(img)
    b[43:51] = struct.pack(e + "Q", (dir_start - inode_start - 2) << 16 | 0x1fff)
    damaged(iotaudit, work, bytes(b), "bad root reference", True)


def hostile_tests(iotaudit, work):
    """A file claiming 4 GiB, and a directory that lists itself, edited into an
    image whose metadata is stored uncompressed: d/f (5000 bytes, in a fragment).
    Post-order: f's inode (32 bytes) at 0, d's at 32, the root's at 60; d's
    listing first in the directory table (a 9-byte header, then f's entry)."""
    import tempfile
    old = mksquashfs3.compress
    mksquashfs3.compress = lambda comp, data, bs: data + b"\0" * 16  # never smaller: stored
    try:
        with tempfile.TemporaryDirectory(dir=work) as t:
            os.makedirs(os.path.join(t, "d"))
            with open(os.path.join(t, "d", "f"), "wb") as f:
                f.write(b"x" * 5000)
            img = bytearray(mksquashfs3.SquashFS3().image(t, pad=False))
    finally:
        mksquashfs3.compress = old
    inode_start, dir_start = struct.unpack("<QQ", img[87:103])
    ino = inode_start + 2
    check(struct.unpack("<H", img[ino:ino + 2])[0] & 0xf == 2, "hostile: first inode is the file")
    big = bytearray(img)
    struct.pack_into("<I", big, ino + 28, 0xffffffff)  # file_size
    t0 = time.monotonic()
    damaged(iotaudit, work, bytes(big), "file claiming 4 GiB", True)
    check(time.monotonic() - t0 < 30, "hostile: 4 GiB claim took too long")
    loop = bytearray(img)
    struct.pack_into("<H", loop, dir_start + 2 + 9, 32 | 1 << 13)  # f's entry -> d, a dir
    damaged(iotaudit, work, bytes(loop), "directory listing itself", True)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    rootfs = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(rootfs):
        skip("no staging tree at %s (run tests/fixtures/make-fixtures.sh)" % rootfs)
    os.makedirs(work, exist_ok=True)
    stage = make_staging(rootfs, work)
    src, _ = source_tree(stage)
    le = None
    for label, kw, variant in CASES:
        img = mksquashfs3.SquashFS3(**kw).image(stage)
        p = write(work, label + ".sqfs", img)
        doc = compare(iotaudit, p, src, {}, label, fmt="squashfs3")
        if doc:
            c = containers(doc, "squashfs3")
            check([x.get("variant") for x in c] == [variant],
                  "%s: variant %s, want %s" % (label, [x.get("variant") for x in c], variant))
            check(c and c[0].get("size") == len(img),
                  "%s: size %s, want %d" % (label, c and c[0].get("size"), len(img)))
        if label == "le":
            le = img
        if kw.get("comp", "zlib") == "zlib" and "magic" not in kw:
            cross_check(work, p, src, label)
    # carved out of a larger blob
    rnd = random.Random(2)
    blob = bytes(rnd.getrandbits(8) for _ in range(0x2000)) + le + bytes(3000)
    p = write(work, "embedded.bin", blob)
    doc = compare(iotaudit, p, src, {}, "embedded", fmt="squashfs3")
    if doc:
        offs = [c.get("offset") for c in containers(doc, "squashfs3")]
        check(offs == [0x2000], "embedded: offsets %s" % offs)
    sqfs4_lzma(iotaudit, work, stage, src)
    sample_v2(iotaudit)
    damage_tests(iotaudit, work, stage, src)
    hostile_tests(iotaudit, work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
