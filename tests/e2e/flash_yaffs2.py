#!/usr/bin/env python3
"""End-to-end test of the YAFFS2 unpacker.

usage: flash_yaffs2.py IOTAUDIT FIXTURES_DIR WORKDIR

No Debian package writes YAFFS2 (unyaffs only reads), so images are made by
tests/fixtures/mkyaffs2.py, a writer that follows the on-disk layout of the
YAFFS2 sources, from FIXTURES_DIR/rootfs (real Debian binaries of mipsel,
armhf and arm64) plus a few entries the tree lacks (empty, multi-chunk and
exactly-one-chunk files, hard links, a 255-byte name, deep directories, and
device, FIFO and socket objects written directly). Every geometry and tag
layout the unpacker claims is built: 2048+64 (tags at spare offset 0 and
2, with and without the tags' ECC), 4096+128, 512+16, in-band tags with and
without a spare, little- and big-endian, with and without the kernel's
"extra header info" in the tags. Each is scanned with `iotaudit scan IMG
--format json`; every entry's path, type, mode, uid, gid, size, SHA-256, link
target and device number is compared with the source tree, and the variant
must name the geometry. The writer is checked by an independent reader where
one exists: Debian's unyaffs (when installed) must extract the same tree from
the little-endian 2 and 4 KiB images with tags at spare offset 0.

Replay: newer chunks appended in later blocks (a renamed file, rewritten
data, a shrunk file, a deleted and an unlinked file, an older copy written
after a newer one) must give the newest state; the blocks of an image in
any order, or a block duplicated, give the same tree.

The real sample of binwalk's test vectors (IOTA_SHARED_DIR or ../shared,
corpus/binwalk-vectors/yaffs2.bin) is read in place and compared with what
an independent decoder here makes of it.

Damage: truncation at every erase block and inside chunks, bit flips in
tags (corrected when the ECC is there), headers and data, every chunk's tags
erased: exit status 0, bounded time and memory, a finding when something
was lost, and every object whose chunks all survive still recovered.
Prints 'N passed, N failed'; exits 1 on failure, 77 when the staging tree is
missing.
"""
import hashlib
import os
import random
import resource
import shutil
import stat
import struct
import sys
import time

import e2ecommon
from e2ecommon import check, finish, skip
from flash_jffs2 import source_tree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import mkyaffs2  # noqa: E402
from mkyaffs2 import T_DIR, T_FILE, T_SPECIAL, OBJ_DELETED, OBJ_UNLINKED, OBJ_ROOT  # noqa: E402


def scan(iotaudit, img):
    t0 = time.monotonic()
    rc, doc, err = e2ecommon.scan(iotaudit, img, timeout=120)
    dt = time.monotonic() - t0
    check("runtime error:" not in err, "%s: UBSan: %s" % (img, err[-300:]))
    check(dt < 60, "%s: scan took %.1f s" % (img, dt))
    return rc, doc, err


def scanned_tree(doc, fmt):
    """The image's own members as {relpath: (type, mode, uid, gid, size, sha, link, dev)},
    hard links resolved to their target's entry; and {relpath: link target}."""
    raw = {}
    for f in doc.get("files", []):
        c = f.get("container", "")
        if not c.endswith(" %s:/" % fmt) or c.count(" @0x") != 1:
            continue
        raw[f["name"].lstrip("/")] = f
    out, links = {}, {}
    for rel, f in raw.items():
        t = f["type"]
        if t == "hardlink":
            links[rel] = f.get("link", "")
            tgt = raw.get(links[rel].lstrip("/"))
            if tgt is None:
                out[rel] = ("dangling-hardlink",)
                continue
            f = tgt
            t = f["type"]
        base = (int(f.get("mode", "0"), 8), f.get("uid"), f.get("gid"))
        size = f.get("size") if t == "file" else None
        sha = f.get("sha256") if t == "file" else None
        link = f.get("link") if t == "symlink" else None
        dev = (f.get("major"), f.get("minor")) if t in ("chr", "blk") else None
        out[rel] = (t,) + base + (size, sha, link, dev)
    return out, links


def unpack_findings(doc):
    return [f for f in (doc or {}).get("findings", []) if f.get("check", "").startswith("unpack")]


def containers(doc, fmt):
    return [c for c in (doc or {}).get("containers", []) if c.get("format") == fmt]


def write(work, name, data):
    p = os.path.join(work, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def make_staging(rootfs, work):
    stage = os.path.join(work, "stage")
    if os.path.exists(stage):
        shutil.rmtree(stage)
    shutil.copytree(rootfs, stage, symlinks=True)
    x = os.path.join(stage, "yaffs2-extra")
    os.mkdir(x)
    open(os.path.join(x, "empty"), "wb").close()
    with open(os.path.join(x, "one-chunk"), "wb") as f:
        f.write(bytes(range(256)) * 8)  # 2048 bytes: exactly one 2 KiB chunk
    rnd = random.Random(5)
    with open(os.path.join(x, "multi"), "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(30000)) + b"text " * 3000)
    with open(os.path.join(x, "small.txt"), "wb") as f:
        f.write(b"small file\n")
    with open(os.path.join(x, "suid"), "wb") as f:
        f.write(b"#!/bin/sh\n")
    os.chmod(os.path.join(x, "suid"), 0o4755)
    os.link(os.path.join(x, "small.txt"), os.path.join(x, "small-link"))
    os.makedirs(os.path.join(x, "d1", "d2", "d3", "d4", "d5", "d6"))
    os.link(os.path.join(x, "small.txt"), os.path.join(x, "d1", "d2", "deep-link"))
    with open(os.path.join(x, "n" * 255), "wb") as f:
        f.write(b"long name\n")
    os.symlink("../bin/sh", os.path.join(x, "rel-link"))
    os.symlink("/" + "t" * 150, os.path.join(x, "long-link"))  # alias holds 159 bytes
    return stage


# special objects the writer adds without mknod: (name, mode, rdev, expected entry)
SPECIALS = [
    ("ttyS0", stat.S_IFCHR | 0o620, os.makedev(4, 64), ("chr", 0o620, (4, 64))),
    ("mtdblock3", stat.S_IFBLK | 0o640, os.makedev(31, 3), ("blk", 0o640, (31, 3))),
    ("bigdev", stat.S_IFCHR | 0o600, os.makedev(300, 70000), ("chr", 0o600, (300, 70000))),
    ("fifo", stat.S_IFIFO | 0o600, 0, ("fifo", 0o600, None)),
    ("sock", stat.S_IFSOCK | 0o666, 0, ("socket", 0o666, None)),
]


def build(stage, **geom):
    """A Writer holding the tree plus the special objects; (writer, ids)."""
    w = mkyaffs2.Writer(**geom)
    ids = w.add_tree(stage)
    extra = ids["yaffs2-extra"]
    for name, mode, rdev, _ in SPECIALS:
        w.header(w.new_id(), T_SPECIAL, extra, name.encode(), mode=mode, rdev=rdev)
    return w, ids


def expected(stage):
    src, inos = source_tree(stage)
    for name, _, _, (t, mode, dev) in SPECIALS:
        src["yaffs2-extra/" + name] = (t, mode, 0, 0, None, None, None, dev)
    return src, inos


def compare(iotaudit, img, src, inos, label, quiet=True, fmt="yaffs2"):
    """Scans img; its one fmt container must hold exactly src (hard links checked
    against inos: {relpath: inode key}; {} when the format keeps no links)."""
    rc, doc, err = scan(iotaudit, img)
    check(rc == 0 and doc is not None, "%s: scan exit %s %s" % (label, rc, err[-300:]))
    if doc is None:
        return None
    conts = containers(doc, fmt)
    check(len(conts) == 1, "%s: one %s container, got %d" % (label, fmt, len(conts)))
    got, links = scanned_tree(doc, fmt)
    missing = sorted(set(src) - set(got))
    extra = sorted(set(got) - set(src))
    check(not missing, "%s: missing %s" % (label, missing[:10]))
    check(not extra, "%s: unexpected %s" % (label, extra[:10]))
    bad = [k for k in src if k in got and src[k] != got[k]]
    for k in bad[:10]:
        print("  %s: %s: want %s got %s" % (label, k, src[k], got[k]))
    check(not bad, "%s: %d entries differ" % (label, len(bad)))
    wrong = [k for k, t in links.items() if inos.get(k) is None or inos.get(k) != inos.get(t.lstrip("/"))]
    check(not wrong, "%s: hard links to another inode %s" % (label, wrong[:5]))
    groups = {}
    for k, v in inos.items():
        groups.setdefault(v, []).append(k)
    nlinks = sum(len(g) - 1 for g in groups.values())
    check(len(links) == nlinks, "%s: %d hard links, want %d" % (label, len(links), nlinks))
    if quiet:
        f = unpack_findings(doc)
        check(not f, "%s: unexpected findings %s" % (label, f[:3]))
    return doc


GEOMS = [
    ("le-2k", dict(), "le,2048+64,tags@0"),
    ("be-2k", dict(be=True), "be,2048+64,tags@0"),
    ("le-2k-oob2-ecc", dict(tagoff=2, ecc=True), "le,2048+64,tags@2,ecc"),
    ("be-2k-ecc-extra", dict(be=True, ecc=True, extra=True), "be,2048+64,tags@0,ecc"),
    ("le-2k-oob2", dict(tagoff=2, extra=True), "le,2048+64,tags@2"),
    ("be-4k", dict(page=4096, spare=128, be=True, extra=True), "be,4096+128,tags@0"),
    ("le-4k-ecc", dict(page=4096, spare=128, ecc=True), "le,4096+128,tags@0,ecc"),
    ("le-512", dict(page=512, spare=16, ppb=32), "le,512+16,tags@0"),
    ("be-512", dict(page=512, spare=16, ppb=32, be=True, extra=True), "be,512+16,tags@0"),
    ("le-2k-inband", dict(inband=True, spare=0), "le,2048,inband"),
    ("be-4k-inband", dict(page=4096, spare=0, inband=True, be=True), "be,4096,inband"),
    ("le-2k-inband-oob", dict(inband=True, extra=True), "le,2048+64,inband"),
]


def cross_check(work, img, src, label):
    """The writer checked by an independent reader: Debian's unyaffs reads
    little-endian images with tags at spare offset 0 (2 and 4 KiB pages) and
    must extract the source tree, special objects included."""
    import subprocess
    if not shutil.which("unyaffs"):
        print("SKIP part: unyaffs is not installed (apt-get install unyaffs)")
        return
    out = os.path.join(work, "unyaffs-" + label)
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.run(["unyaffs", img, out], capture_output=True, timeout=120)
    check(p.returncode == 0, "%s: unyaffs cannot read the writer's image: %s" % (
        label, p.stdout[-200:] + p.stderr[-200:]))
    got, _ = source_tree(out) if os.path.isdir(out) else ({}, {})
    if os.getuid() != 0:  # unyaffs makes device nodes only as root
        got.update({k: v for k, v in src.items() if v[0] in ("chr", "blk")})
    want = {k: v for k, v in src.items() if v[0] != "socket"}  # source_tree() lists no sockets
    bad = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    check(not bad, "%s: unyaffs extracts another tree: %s" % (
        label, [(k, want.get(k), got.get(k)) for k in bad[:3]]))
    shutil.rmtree(out, ignore_errors=True)


# ---- an independent reader of the real sample (2048+64, tags at spare 0, LE) ----

def read_sample(data):
    """{name: (type, mode, content or None)} of the objects in the root."""
    csz = 2112
    newest = {}
    for i in range(len(data) // csz):
        seq, obj, cid, nb = struct.unpack("<IIII", data[i * csz + 2048:i * csz + 2064])
        if seq == 0xffffffff:
            continue
        key = (obj, cid)
        if key not in newest or newest[key][0] <= seq:
            newest[key] = (seq, i, nb)
    out = {}
    for (obj, cid), (_, i, _) in newest.items():
        if cid:
            continue
        h = data[i * csz:i * csz + 512]
        typ, parent = struct.unpack("<II", h[:8])
        name = h[10:266].split(b"\0")[0].decode()
        mode, size = struct.unpack("<I", h[268:272])[0], struct.unpack("<I", h[292:296])[0]
        content = None
        if typ == 1:
            parts = []
            for c in range(1, (size + 2047) // 2048 + 1):
                _, j, nb = newest[(obj, c)]
                parts.append(data[j * csz:j * csz + nb])
            content = b"".join(parts)[:size]
        out[name] = (typ, mode & 0o7777, content, parent)
    return out


def sample_test(iotaudit):
    shared = os.environ.get("IOTA_SHARED_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared")
    path = os.path.join(shared, "corpus", "binwalk-vectors", "yaffs2.bin")
    if not os.path.exists(path):
        print("SKIP part: no shared corpus at %s" % path)
        return
    with open(path, "rb") as f:
        data = f.read()
    want = read_sample(data)
    rc, doc, err = scan(iotaudit, path)
    check(rc == 0 and doc is not None, "sample: exit %s %s" % (rc, err[-300:]))
    if doc is None:
        return
    conts = containers(doc, "yaffs2")
    check(len(conts) == 1 and conts[0].get("offset") == 0 and conts[0].get("size") == len(data)
          and conts[0].get("variant") == "le,2048+64,tags@0",
          "sample: one yaffs2 container at 0 covering the image: %s" % conts)
    got, _ = scanned_tree(doc, "yaffs2")
    check(len(want) == 13 and all(p == OBJ_ROOT and t == 1 for t, _, _, p in want.values()),
          "sample: the independent reader finds 13 files in the root: %s" % sorted(want))
    check(sorted(got) == sorted(want), "sample: names %s, want %s" % (sorted(got), sorted(want)))
    for name, (t, mode, content, _) in want.items():
        g = got.get(name)
        if g is None:
            continue
        check(g[0] == "file" and g[1] == mode and g[4] == len(content) and
              g[5] == hashlib.sha256(content).hexdigest(), "sample: %s differs: %s" % (name, g))
    # what binwalk's vector is: the YAFFS2 utilities' own sources
    check("yaffs_packedtags2.h" in got and "mkyaffs2image.c" in got,
          "sample: the YAFFS2 sources are in it: %s" % sorted(got))
    check(not unpack_findings(doc), "sample: findings %s" % unpack_findings(doc)[:3])


# ---- replay ----

def replay_test(iotaudit, work, stage, src, inos, geom, label):
    w, ids = build(stage, **geom)
    w.new_block()
    x = ids["yaffs2-extra"]
    multi_id = ids["yaffs2-extra/multi"]
    with open(os.path.join(stage, "yaffs2-extra", "multi"), "rb") as f:
        multi = f.read()
    one_id = ids["yaffs2-extra/one-chunk"]
    suid_id = ids["yaffs2-extra/suid"]
    rel_id = ids["yaffs2-extra/rel-link"]
    empty_id = ids["yaffs2-extra/empty"]
    # an older copy of multi's first chunk, written physically after the newer ones
    old_seq = w.seq
    w.seq = 0x100
    w.chunk(multi_id, 1, 2048 if not w.inband else w.dbytes, b"OLD" * 600)
    w.new_block()
    w.seq = old_seq + 1
    # rewritten second chunk of multi (newer)
    d = w.dbytes
    new2 = b"N" * d
    w.chunk(multi_id, 2, d, new2)
    new_multi = multi[:d] + new2 + multi[2 * d:]
    # one-chunk shrunk to 100 bytes (a newer header)
    w.header(one_id, T_FILE, x, b"one-chunk", mode=0o100644, size=100)
    # suid renamed into d1 (same object, newer header)
    w.header(suid_id, T_FILE, ids["yaffs2-extra/d1"], b"renamed-suid", mode=0o104755,
             size=10)
    # rel-link deleted, empty unlinked
    w.header(rel_id, 2, OBJ_DELETED, b"rel-link", mode=0o120777, alias=b"../bin/sh")
    w.header(empty_id, T_FILE, OBJ_UNLINKED, b"empty", mode=0o100644)
    # a new directory with a file, in a block of its own
    w.new_block()
    nd = w.new_id()
    w.header(nd, T_DIR, x, b"newdir", mode=0o040700)
    nf = w.new_id()
    w.header(nf, T_FILE, nd, b"newfile", mode=0o100600, size=5)
    w.data(nf, b"hello")
    w.new_block()
    img = w.image()
    want = dict(src)
    with open(os.path.join(stage, "yaffs2-extra", "one-chunk"), "rb") as f:
        one = f.read()[:100]
    t = want["yaffs2-extra/multi"]
    want["yaffs2-extra/multi"] = t[:4] + (len(new_multi), hashlib.sha256(new_multi).hexdigest()) + t[6:]
    t = want["yaffs2-extra/one-chunk"]
    want["yaffs2-extra/one-chunk"] = t[:4] + (100, hashlib.sha256(one).hexdigest()) + t[6:]
    want["yaffs2-extra/d1/renamed-suid"] = want.pop("yaffs2-extra/suid")
    del want["yaffs2-extra/rel-link"]
    del want["yaffs2-extra/empty"]
    want["yaffs2-extra/newdir"] = ("dir", 0o700, 0, 0, None, None, None, None)
    want["yaffs2-extra/newdir/newfile"] = ("file", 0o600, 0, 0, 5,
                                           hashlib.sha256(b"hello").hexdigest(), None, None)
    inos2 = dict(inos)
    inos2["yaffs2-extra/d1/renamed-suid"] = inos2.pop("yaffs2-extra/suid")
    inos2.pop("yaffs2-extra/empty", None)
    inos2["yaffs2-extra/newdir/newfile"] = ("new", 1)

    def one_run(data, what):
        p = write(work, "replay-%s.img" % label, data)
        compare(iotaudit, p, want, inos2, "replay %s %s" % (label, what))

    one_run(img, "in order")
    # blocks in another order, and one block twice: the sequence numbers decide
    bs = w.ppb * (w.page + w.spare)
    blocks = [img[i:i + bs] for i in range(0, len(img), bs)]
    rnd = random.Random(17)
    first, rest = blocks[0], blocks[1:]
    rnd.shuffle(rest)
    one_run(first + b"".join(rest), "blocks shuffled")
    one_run(img + blocks[len(blocks) // 2], "a block duplicated")


# ---- carving ----

def carve_test(iotaudit, work, img_path, src, inos):
    with open(img_path, "rb") as f:
        img = f.read()
    rnd = random.Random(11)
    blob = bytes(rnd.getrandbits(8) for _ in range(0x1000)) + img + bytes(rnd.getrandbits(8) for _ in range(5000))
    p = write(work, "embedded.bin", blob)
    doc = compare(iotaudit, p, src, inos, "embedded")
    if doc:
        offs = [(c.get("offset"), c.get("size")) for c in containers(doc, "yaffs2")]
        check(offs == [(0x1000, len(img))], "embedded: offsets/sizes %s" % offs)


# ---- damage ----

def damaged(iotaudit, work, data, label, want_finding, must=None):
    p = write(work, "damaged.img", data)
    rc, doc, err = scan(iotaudit, p)
    check(rc == 0 and doc is not None, "%s: exit %s %s" % (label, rc, err[-300:]))
    if doc is None:
        return None
    if want_finding:
        check(unpack_findings(doc), "%s: no unpack finding" % label)
    if must:
        got, _ = scanned_tree(doc, "yaffs2")
        lost = [k for k, v in must.items() if got.get(k) != v]
        check(not lost, "%s: %d recoverable entries not recovered, e.g. %s" % (
            label, len(lost), [(k, must[k], got.get(k)) for k in lost[:2]]))
    return doc


def damage_tests(iotaudit, work, stage, src, inos):
    geom = dict(ecc=True)
    w, ids = build(stage, **geom)
    w.new_block()
    img = w.image()
    csz = w.page + w.spare
    nchunks = len(img) // csz
    # which chunks each object's header and data use, to know what survives a cut
    owner_last = {}
    for i in range(nchunks):
        seq, obj, cid, nb = struct.unpack("<IIII", img[i * csz + 2048:i * csz + 2064])
        if seq != 0xffffffff:
            owner_last[obj] = i

    groups = {}
    for k, v in inos.items():
        groups.setdefault(v, []).append(k)
    linked = {k for g in groups.values() if len(g) > 1 for k in g}

    def survivors(n):
        """entries (not hard-linked) whose chunks, and whose ancestors', lie before chunk n"""
        keep = {}
        for rel, want in src.items():
            if rel in linked:
                continue
            parts = rel.split("/")
            objs = [ids.get("/".join(parts[:k])) for k in range(1, len(parts) + 1)]
            if all(o is not None and owner_last.get(o, 1 << 30) < n for o in objs):
                keep[rel] = want
        return keep

    owner_first = {}
    for i in range(nchunks - 1, -1, -1):
        seq, obj, cid, nb = struct.unpack("<IIII", img[i * csz + 2048:i * csz + 2064])
        if seq != 0xffffffff:
            owner_first[obj] = i
    written = [img[i * csz + 2048:i * csz + 2064] != b"\xff" * 16 for i in range(nchunks)]
    last_written = max(i for i in range(nchunks) if written[i])

    def finding_due(n):
        """a cut before chunk n loses part of an object, or ends inside a block on a
        written chunk; a cut between whole objects at a block boundary leaves no trace
        in YAFFS2 (what was written later is simply not there)"""
        split = any(owner_first[o] < n <= owner_last[o] for o in owner_last)
        return split or (n % w.ppb != 0 and written[n - 1])

    bs = w.ppb * csz
    for cut_chunk in list(range(w.ppb, nchunks, w.ppb)) + [1, 2, 3]:
        cut = cut_chunk * csz
        damaged(iotaudit, work, img[:cut], "cut at chunk %d" % cut_chunk,
                finding_due(cut_chunk), survivors(cut_chunk))
    for cut in (csz * 10 + 100, csz * 70 + 2050, last_written * csz + 77, bs + 7):
        damaged(iotaudit, work, img[:cut], "cut at byte %d" % cut, True,
                survivors(cut // csz))
    # one flipped bit in the tags of 8 chunks: corrected by the ECC, nothing lost
    rnd = random.Random(3)
    b = bytearray(img)
    used = [i for i in range(nchunks) if img[i * csz + 2048:i * csz + 2052] != b"\xff" * 4]
    for i in rnd.sample(used, 8):
        b[i * csz + 2048 + rnd.randrange(16)] ^= 1 << rnd.randrange(8)
    doc = damaged(iotaudit, work, bytes(b), "8 tag bit flips (ECC)", False, src)
    if doc:
        msgs = " ".join(f.get("message", "") for f in doc.get("findings", []))
        check("8 chunk tags with a flipped bit corrected" in msgs, "ECC: %s" % msgs[:300])
    # without ECC the same flips are caught or harmless: no crash, the rest read
    w2, _ = build(stage)
    w2.new_block()
    img2 = w2.image()
    for k in range(6):
        b = bytearray(img2)
        i = rnd.choice(used)
        x = i * csz + (2048 + rnd.randrange(16) if k % 2 else rnd.randrange(512))
        b[x] ^= 1 << rnd.randrange(8)
        doc = damaged(iotaudit, work, bytes(b), "bit flip at %d" % x, False)
        if doc:
            c = containers(doc, "yaffs2")
            check(c and c[0].get("files", 0) > len(src) // 2,
                  "bit flip at %d: the rest is not recovered (%s)" % (x, c))
    # a header's type field broken: that object is lost, with a finding
    b = bytearray(img2)
    hdr = ids["yaffs2-extra/multi"]
    for i in range(nchunks):
        seq, obj, cid, nb = struct.unpack("<IIII", img2[i * csz + 2048:i * csz + 2064])
        if obj == hdr and cid == 0:
            b[i * csz] = 0x77
    must = {k: v for k, v in src.items() if k != "yaffs2-extra/multi"}
    damaged(iotaudit, work, bytes(b), "broken header", True, must)
    # every chunk's tags erased: nothing to read, a clean error-free exit
    b = bytearray(img2)
    for i in range(nchunks):
        b[i * csz + 2048:i * csz + 2064] = b"\xff" * 16
    damaged(iotaudit, work, bytes(b), "all tags erased", False)
    damaged(iotaudit, work, b"\xff" * (csz * 64), "erased flash", False)
    damaged(iotaudit, work, img2[:csz], "one header chunk", False)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    rootfs = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(rootfs):
        skip("no staging tree at %s (run tests/fixtures/make-fixtures.sh)" % rootfs)
    os.makedirs(work, exist_ok=True)
    t0 = time.monotonic()
    stage = make_staging(rootfs, work)
    src, inos = expected(stage)
    le = None
    for label, geom, variant in GEOMS:
        w, _ = build(stage, **geom)
        w.new_block()
        p = write(work, label + ".img", w.image())
        doc = compare(iotaudit, p, src, inos, label)
        if doc:
            v = [c.get("variant") for c in containers(doc, "yaffs2")]
            check(v == [variant], "%s: variant %s, want %s" % (label, v, variant))
            c = containers(doc, "yaffs2")
            check(c and c[0].get("size") == len(w.image()),
                  "%s: container size %s, want %d" % (label, c and c[0].get("size"), len(w.image())))
        if label == "le-2k":
            le = p
        if label in ("le-2k", "le-4k-ecc"):
            cross_check(work, p, src, label)
    carve_test(iotaudit, work, le, src, inos)
    sample_test(iotaudit)
    replay_test(iotaudit, work, stage, src, inos, dict(), "le-2k")
    replay_test(iotaudit, work, stage, src, inos, dict(page=4096, spare=0, inband=True, be=True,
                                                        extra=True), "be-4k-inband")
    damage_tests(iotaudit, work, stage, src, inos)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    check(peak < 512, "peak memory of a scan %d MiB" % peak)
    print("yaffs2: %.0f s, peak scan memory %d MiB" % (time.monotonic() - t0, peak))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
