#!/usr/bin/env python3
"""End-to-end test of the JFFS2 unpacker with images made by mkfs.jffs2.

usage: flash_jffs2.py IOTAUDIT FIXTURES_DIR WORKDIR

Builds, from FIXTURES_DIR/rootfs plus a few extra entries (empty, sparse and
multi-page files, a setuid file, hard links, a long name, deep directories,
device nodes and a fifo when mknod is allowed), JFFS2 images with mtd-utils'
mkfs.jffs2: little- and big-endian, 64 and 128 KiB erase blocks, without
cleanmarkers, padded, and with each compressor (zlib, lzo, rtime, none, and
'-m size' mixing them). Each is scanned with `iotaudit scan IMG --format
json` and every entry's path, type, mode, uid, gid, size, SHA-256, link
target and device number is compared with the source tree.

What JFFS2 keeps differently, and so is compared accordingly: a second name
of a file is reported as a hard link to the first name met (either may come
first); holes come back as zeros (same bytes); times are not compared.
mkfs.jffs2 itself stores device numbers in the old 16-bit encoding (8-bit
major and minor) and symlink targets of at most 254 bytes, so the tree uses
none larger (the unpacker reads the new 32-bit encoding too).

Replay is tested on images extended with nodes written here with correct
CRCs: a newer version of a file (wins), an older one (ignored), a deletion
dirent, an LZMA-compressed file (mkfs.jffs2 has no LZMA; the layout is
OpenWrt's: raw LZMA1, lc=lp=pb=0, 8 KiB dictionary), a node with an
unsupported compressor, a directory loop and an orphaned entry. mkfs.jffs2
-i (incremental) output appended to an image is checked too.

Damaged variants (truncations, bit flips) must give exit status 0, no crash,
and a finding when a node was hit. Prints 'N passed, N failed'; exits 1 on
failure, 77 when mkfs.jffs2 or the staging tree is missing.
"""
import hashlib
import lzma
import os
import random
import shutil
import stat
import struct
import subprocess
import sys
import zlib

import e2ecommon
from e2ecommon import check, finish, skip



def scan(iotaudit, img):
    rc, doc, err = e2ecommon.scan(iotaudit, img)
    check("runtime error:" not in err, "%s: UBSan: %s" % (img, err[-300:]))
    return rc, doc, err


# ---- JFFS2 nodes (include/uapi/linux/jffs2.h) ----

def jcrc(b):
    """The kernel's crc32(0, ...): zlib's without the inversions."""
    return zlib.crc32(b, 0xffffffff) ^ 0xffffffff


def pad4(b):
    return b + b"\xff" * (-len(b) % 4)


def dirent(e, pino, version, ino, name, dtype):
    tot = 40 + len(name)
    hdr = struct.pack(e + "HHI", 0x1985, 0xe001, tot)
    hdr += struct.pack(e + "I", jcrc(hdr))
    body = hdr + struct.pack(e + "IIIIBBH", pino, version, ino, 0, len(name), dtype, 0)
    body += struct.pack(e + "I", jcrc(body))
    body += struct.pack(e + "I", jcrc(name))
    return pad4(body + name)


def inode(e, ino, version, mode, isize, offset, data, dsize, compr, uid=0, gid=0):
    tot = 68 + len(data)
    hdr = struct.pack(e + "HHI", 0x1985, 0xe002, tot)
    hdr += struct.pack(e + "I", jcrc(hdr))
    body = hdr + struct.pack(e + "IIIHHIIIIIIIBBH", ino, version, mode, uid, gid, isize,
                             0, 0, 0, offset, len(data), dsize, compr, 0, 0)
    ncrc = jcrc(body)  # node_crc: the 60 bytes before data_crc
    body += struct.pack(e + "II", jcrc(data), ncrc)
    return pad4(body + data)


def nodes(data, e):
    """[(offset, type, totlen, fields)] of the valid-looking nodes."""
    out = []
    pos = 0
    while pos + 12 <= len(data):
        m, t, tl = struct.unpack(e + "HHI", data[pos:pos + 8])
        if m != 0x1985 or tl < 12 or pos + tl > len(data):
            pos += 4
            continue
        f = None
        if t == 0xe001:
            pino, ver, ino = struct.unpack(e + "III", data[pos + 12:pos + 24])
            ns = data[pos + 28]
            f = (pino, ver, ino, bytes(data[pos + 40:pos + 40 + ns]))
        elif t == 0xe002:
            ino, ver = struct.unpack(e + "II", data[pos + 12:pos + 20])
            f = (ino, ver)
        out.append((pos, t, tl, f))
        pos = (pos + tl + 3) & ~3
    return out


# ---- trees ----

def source_tree(root):
    """{relpath: (type, mode, uid, gid, size, sha256, link, dev)} and {relpath: inode key}."""
    out, ino = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            m = st.st_mode & 0o7777
            base = (m, st.st_uid, st.st_gid)
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",) + base + (None, None, None, None)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink",) + base + (None, None, os.readlink(full), None)
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
                out[rel] = ("file",) + base + (st.st_size, h, None, None)
                ino[rel] = (st.st_dev, st.st_ino)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                t = "chr" if stat.S_ISCHR(st.st_mode) else "blk"
                out[rel] = (t,) + base + (None, None, None,
                                         (os.major(st.st_rdev), os.minor(st.st_rdev)))
            elif stat.S_ISFIFO(st.st_mode):
                out[rel] = ("fifo",) + base + (None, None, None, None)
    return out, ino


def scanned_tree(doc):
    """The image's own members; hard links resolved to their target's entry."""
    raw = {}
    for f in doc.get("files", []):
        c = f.get("container", "")
        if not c.endswith(" jffs2:/") or c.count(" @0x") != 1:
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
    return out, links, raw


def unpack_findings(doc):
    return [f for f in (doc or {}).get("findings", []) if f.get("check", "").startswith("unpack")]


def make_staging(rootfs, work):
    stage = os.path.join(work, "stage")
    if os.path.exists(stage):
        shutil.rmtree(stage)
    shutil.copytree(rootfs, stage, symlinks=True)
    x = os.path.join(stage, "jffs2-extra")
    os.mkdir(x)
    open(os.path.join(x, "empty"), "wb").close()
    with open(os.path.join(x, "holey"), "wb") as f:
        f.write(b"head" * 100)
        f.seek(5 * 4096 + 17)
        f.write(b"tail")
    with open(os.path.join(x, "zeros"), "wb") as f:
        f.write(bytes(9000))
    rnd = random.Random(7)
    with open(os.path.join(x, "multi"), "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(50000)) + b"text " * 20000)
    with open(os.path.join(x, "small.txt"), "wb") as f:
        f.write(b"small file\n")
    with open(os.path.join(x, "victim.txt"), "wb") as f:
        f.write(b"to be deleted\n")
    with open(os.path.join(x, "suid"), "wb") as f:
        f.write(b"#!/bin/sh\n")
    os.chmod(os.path.join(x, "suid"), 0o4755)
    os.link(os.path.join(x, "small.txt"), os.path.join(x, "small-link"))
    os.makedirs(os.path.join(x, "d1", "d2", "d3", "d4", "d5", "d6"))
    os.link(os.path.join(x, "small.txt"), os.path.join(x, "d1", "d2", "deep-link"))
    with open(os.path.join(x, "n" * 250), "wb") as f:
        f.write(b"long name\n")
    os.symlink("../bin/sh", os.path.join(x, "rel-link"))
    os.symlink("/" + "t" * 250, os.path.join(x, "long-link"))  # mkfs.jffs2 keeps 254 bytes
    try:
        os.mknod(os.path.join(x, "ttyS0"), 0o620 | stat.S_IFCHR, os.makedev(4, 64))
        os.mknod(os.path.join(x, "mtdblock3"), 0o640 | stat.S_IFBLK, os.makedev(31, 3))
        os.mkfifo(os.path.join(x, "fifo"), 0o600)
    except OSError:
        pass  # not root: device nodes are not tested
    return stage


def compare(iotaudit, img, src, inos, label, fmt_size=None, quiet=True):
    rc, doc, err = scan(iotaudit, img)
    check(rc == 0 and doc is not None, "%s: scan exit %s %s" % (label, rc, err[-300:]))
    if doc is None:
        return None
    conts = [c for c in doc.get("containers", []) if c.get("format") == "jffs2"]
    check(len(conts) == 1, "%s: one jffs2 container, got %d" % (label, len(conts)))
    if conts and fmt_size is not None:
        check(conts[0].get("size") == fmt_size,
              "%s: container size %s, want %s" % (label, conts[0].get("size"), fmt_size))
    got, links, _ = scanned_tree(doc)
    missing = sorted(set(src) - set(got))
    extra = sorted(set(got) - set(src))
    check(not missing, "%s: missing %s" % (label, missing[:10]))
    check(not extra, "%s: unexpected %s" % (label, extra[:10]))
    bad = [k for k in src if k in got and src[k] != got[k]]
    for k in bad[:10]:
        print("  %s: %s: want %s got %s" % (label, k, src[k], got[k]))
    check(not bad, "%s: %d entries differ" % (label, len(bad)))
    wrong_links = [k for k, t in links.items()
                   if inos.get(k) is None or inos.get(k) != inos.get(t.lstrip("/"))]
    check(not wrong_links, "%s: hard links to another inode %s" % (label, wrong_links[:5]))
    groups = {}
    for k, v in inos.items():
        groups.setdefault(v, []).append(k)
    nlinks = sum(len(g) - 1 for g in groups.values())
    check(len(links) == nlinks, "%s: %d hard links, want %d" % (label, len(links), nlinks))
    if quiet:
        f = unpack_findings(doc)
        check(not f, "%s: unexpected findings %s" % (label, f[:3]))
    return doc


def variant_of(doc):
    v = [c.get("variant") for c in doc.get("containers", []) if c.get("format") == "jffs2"]
    return v[0].split(",") if v else []


def mkfs(stage, out, *args):
    subprocess.run(["mkfs.jffs2", "-r", stage, "-o", out] + list(args), check=True,
                   capture_output=True)
    with open(out, "rb") as f:
        return f.read()


# ---- replay: nodes appended to a real image ----

def replay_test(iotaudit, work, stage, src, inos, e, label):
    img = os.path.join(work, "replay-%s.img" % label)
    base = pad4(mkfs(stage, img, "-n", "-l" if e == "<" else "-b"))
    ns = nodes(base, e)
    dirs = [f for _, t, _, f in ns if t == 0xe001]
    inodes = [f for _, t, _, f in ns if t == 0xe002]
    maxver = max(v for _, v in inodes)
    maxdver = max(f[1] for f in dirs)
    maxino = max(i for i, _ in inodes)
    byname = {f[3]: f for f in dirs}
    extra_ino = byname[b"jffs2-extra"][2]
    small = byname[b"small.txt"][2]
    multi = byname[b"multi"][2]
    victim = byname[b"victim.txt"]
    add = b""
    # a newer version of small.txt (and so of its hard links): wins
    newer = b"NEWER CONTENT\n"
    add += inode(e, small, maxver + 10, 0o100644, len(newer), 0, newer, len(newer), 0)
    # an older version of multi's first page: its newer nodes win
    add += inode(e, multi, 0, 0o100644, 4096, 0, b"X" * 4096, 4096, 0)
    # victim.txt deleted
    add += dirent(e, extra_ino, maxdver + 10, 0, b"victim.txt", 8)
    # a file compressed with LZMA (OpenWrt's compr_lzma.c parameters)
    content = (b"lzma page " * 1000)[:10000]
    filt = [{"id": lzma.FILTER_LZMA1, "lc": 0, "lp": 0, "pb": 0, "dict_size": 0x2000}]
    ino = maxino + 1
    add += dirent(e, extra_ino, maxdver + 11, ino, b"lzma.bin", 8)
    for i, off in enumerate(range(0, len(content), 4096)):
        page = content[off:off + 4096]
        comp = lzma.compress(page, format=lzma.FORMAT_RAW, filters=filt)
        add += inode(e, ino, i + 1, 0o100600, len(content), off, comp, len(page), 8)
    # an unsupported compressor (3, rubinmips)
    add += dirent(e, extra_ino, maxdver + 12, ino + 1, b"rubin.bin", 8)
    add += inode(e, ino + 1, 1, 0o100644, 100, 0, b"\x00" * 20, 100, 3)
    # a directory listing itself, and an entry in a directory nobody names
    add += dirent(e, extra_ino, maxdver + 13, ino + 2, b"loop", 4)
    add += inode(e, ino + 2, 1, 0o040755, 0, 0, b"", 0, 0)
    add += dirent(e, ino + 2, maxdver + 14, ino + 2, b"self", 4)
    add += dirent(e, 999999, maxdver + 15, ino + 3, b"orphan", 8)
    add += inode(e, ino + 3, 1, 0o100644, 3, 0, b"abc", 3, 0)
    with open(img, "wb") as f:
        f.write(base + add)

    want = dict(src)
    want_inos = dict(inos)
    nsha = hashlib.sha256(newer).hexdigest()
    for k in ("jffs2-extra/small.txt", "jffs2-extra/small-link", "jffs2-extra/d1/d2/deep-link"):
        t = want[k]
        want[k] = t[:4] + (len(newer), nsha) + t[6:]
    del want["jffs2-extra/victim.txt"]
    del want_inos["jffs2-extra/victim.txt"]
    want["jffs2-extra/lzma.bin"] = ("file", 0o600, 0, 0, len(content),
                                    hashlib.sha256(content).hexdigest(), None, None)
    want_inos["jffs2-extra/lzma.bin"] = ("new", 1)
    want["jffs2-extra/loop"] = ("dir", 0o755, 0, 0, None, None, None, None)
    rc, doc, err = scan(iotaudit, img)
    check(rc == 0 and doc is not None, "replay %s: exit %s %s" % (label, rc, err[-300:]))
    if doc is None:
        return
    got, _, raw = scanned_tree(doc)
    rubin = raw.get("jffs2-extra/rubin.bin")
    check(rubin is not None and rubin.get("truncated"),
          "replay %s: rubin.bin present and truncated: %s" % (label, rubin))
    got.pop("jffs2-extra/rubin.bin", None)
    bad = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    for k in bad[:10]:
        print("  replay %s: %s: want %s got %s" % (label, k, want.get(k), got.get(k)))
    check(not bad, "replay %s: %d entries differ" % (label, len(bad)))
    msgs = " | ".join(f.get("message", "") for f in unpack_findings(doc))
    check("unsupported compressor 3" in msgs, "replay %s: no unsupported-compressor finding: %s"
          % (label, msgs))
    check("1 directory entry not reachable" in msgs and "1 directory loop " in msgs,
          "replay %s: orphan and loop not reported: %s" % (label, msgs))
    check("lzma" in variant_of(doc), "replay %s: variant %s" % (label, variant_of(doc)))


def incremental_test(iotaudit, work, stage):
    """mkfs.jffs2 -i writes the changes of a tree as nodes to append to an image."""
    small = os.path.join(work, "inc-src")
    if os.path.exists(small):
        shutil.rmtree(small)
    os.makedirs(os.path.join(small, "etc"))
    with open(os.path.join(small, "etc", "config"), "wb") as f:
        f.write(b"version=1\n")
    with open(os.path.join(small, "keep"), "wb") as f:
        f.write(b"unchanged\n" * 500)
    first = os.path.join(work, "inc1.img")
    base = mkfs(small, first, "-l", "-n")
    with open(os.path.join(small, "etc", "config"), "wb") as f:
        f.write(b"version=2, longer than before\n")
    app = os.path.join(work, "inc2.img")
    subprocess.run(["mkfs.jffs2", "-r", small, "-o", app, "-l", "-n", "-i", first],
                   check=True, capture_output=True)
    with open(app, "rb") as f:
        more = f.read()
    img = os.path.join(work, "inc.img")
    with open(img, "wb") as f:
        f.write(pad4(base) + more)
    src, _ = source_tree(small)
    rc, doc, err = scan(iotaudit, img)
    check(rc == 0 and doc is not None, "incremental: exit %s %s" % (rc, err[-300:]))
    if doc:
        got, _, _ = scanned_tree(doc)
        bad = sorted(k for k in set(src) | set(got) if src.get(k) != got.get(k))
        check(not bad, "incremental: differ %s" % [(k, src.get(k), got.get(k)) for k in bad[:4]])


# ---- damage ----

def damaged(iotaudit, data, work, label, want_finding):
    path = os.path.join(work, "damaged.img")
    with open(path, "wb") as f:
        f.write(data)
    rc, doc, err = scan(iotaudit, path)
    check(rc == 0 and doc is not None, "%s: exit %s %s" % (label, rc, err[-300:]))
    if want_finding and doc is not None:
        check(unpack_findings(doc), "%s: no unpack finding" % label)
    return doc


def damage_tests(iotaudit, work, img, e):
    with open(img, "rb") as f:
        data = f.read()
    ns = nodes(data, e)
    spans = [(o, o + tl) for o, t, tl, _ in ns]

    def inside(x):
        return any(a < x < b for a, b in spans)

    cuts = sorted(set([len(data) * k // 9 for k in range(1, 9)] +
                      [b for b in range(0x10000, len(data), 0x10000)] + [len(data) - 1, 20]))
    for cut in cuts:
        damaged(iotaudit, data[:cut], work, "truncated at %d" % cut, inside(cut))
    rnd = random.Random(3)
    real = [(o, tl, t) for o, t, tl, _ in ns if t in (0xe001, 0xe002)]
    for i in range(12):
        o, tl, t = rnd.choice(real)
        x = o + rnd.randrange(tl)
        b = bytearray(data)
        b[x] ^= 1 << rnd.randrange(8)
        doc = damaged(iotaudit, bytes(b), work, "bit flip at %d" % x, True)
        if doc is not None and x >= 12 and o > 0:
            conts = [c for c in doc.get("containers", []) if c.get("format") == "jffs2"]
            check(conts and conts[0].get("files", 0) > 50,
                  "bit flip at %d: the rest is not recovered (%s)" % (x, conts))
    # a header-only image, and erased flash
    damaged(iotaudit, data[:12], work, "one cleanmarker", False)
    damaged(iotaudit, b"\xff" * 70000, work, "erased flash", False)
    # every node's header CRC broken: nothing to unpack, but no crash
    b = bytearray(data)
    for o, _, _, _ in ns:
        b[o + 8] ^= 0xff
    damaged(iotaudit, bytes(b), work, "all header CRCs broken", False)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    rootfs = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(rootfs):
        skip("no staging tree at %s (run tests/fixtures/make-fixtures.sh)" % rootfs)
    if not shutil.which("mkfs.jffs2"):
        skip("mkfs.jffs2 (mtd-utils) is not installed")
    os.makedirs(work, exist_ok=True)
    stage = make_staging(rootfs, work)
    src, inos = source_tree(stage)

    cases = [
        ("le", ["-l"], {"zlib"}),
        ("be-128k", ["-b", "-e", "128KiB"], {"zlib"}),
        ("le-nocm", ["-l", "-n"], {"zlib"}),
        ("be-pad", ["-b", "-e", "128KiB", "--pad"], {"zlib"}),
        ("le-lzo", ["-l", "-X", "lzo", "-x", "zlib", "-x", "rtime"], {"lzo"}),
        ("be-lzo", ["-b", "-X", "lzo", "-x", "zlib", "-x", "rtime", "-n"], {"lzo"}),
        ("le-rtime", ["-l", "-x", "zlib"], {"rtime"}),
        ("be-none", ["-b", "-m", "none"], set()),
        ("le-size", ["-l", "-X", "lzo", "-m", "size", "-e", "128KiB"], {"zlib", "lzo"}),
    ]
    le_img = None
    for label, args, comprs in cases:
        img = os.path.join(work, label + ".img")
        data = mkfs(stage, img, *args)
        size = len(data) if "--pad" in args else None
        doc = compare(iotaudit, img, src, inos, label, size)
        if doc:
            v = variant_of(doc)
            endian = "be" if "-b" in args else "le"
            check(v[:1] == [endian] and comprs <= set(v[1:]),
                  "%s: variant %s, want %s with %s" % (label, v, endian, comprs))
        if label == "le":
            le_img = img

    # embedded in a larger blob: found by carving
    with open(le_img, "rb") as f:
        le = f.read()
    rnd = random.Random(11)
    blob = bytes(rnd.getrandbits(8) for _ in range(0x1000)) + le + b"\x00" * 3000
    path = os.path.join(work, "embedded.bin")
    with open(path, "wb") as f:
        f.write(blob)
    doc = compare(iotaudit, path, src, inos, "embedded")
    if doc:
        offs = [c.get("offset") for c in doc["containers"] if c.get("format") == "jffs2"]
        check(offs == [0x1000], "embedded: offsets %s" % offs)

    replay_test(iotaudit, work, stage, src, inos, "<", "le")
    replay_test(iotaudit, work, stage, src, inos, ">", "be")
    incremental_test(iotaudit, work, stage)
    damage_tests(iotaudit, work, le_img, "<")

    return finish()


if __name__ == "__main__":
    sys.exit(main())
