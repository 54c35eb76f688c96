#!/usr/bin/env python3
"""End-to-end test of raw NAND dumps with spare (OOB) bytes.

usage: flash_nand.py IOTAUDIT FIXTURES_DIR WORKDIR

Builds UBI images with the real mtd-utils (mkfs.ubifs + ubinize) from
FIXTURES_DIR/rootfs (real Debian binaries, plus the extra entries of
flash_ubi.py), then interleaves a spare area after every page as `nanddump
--oob` writes it (bad-block marker 0xffff, then ECC-like bytes), for the
geometries 2048+64, 4096+224 and 512+16. Each dump must be recognised as
"nand" with the right geometry, its page data handed on, and the UBI volume
and the UBIFS inside read whole: every path, type, mode, size and SHA-256
compared with the source tree. The plain UBI image (no spare bytes) must
still go to the ubi unpacker.

Damage: dumps cut at every 4th erase block and inside a page, and bit flips
in the spare bytes (ignored: nothing reads them) and in the page data: exit
0, bounded time, a finding when a cut left part of a page or a volume
short, and the volume still read where its erase blocks survive.
Prints 'N passed, N failed'; exits 1 on failure, 77 when tools or fixtures
are missing.
"""
import os
import random
import shutil
import subprocess
import sys

from e2ecommon import check, finish, skip
from flash_ubi import compare, make_tree, manifest
from flash_yaffs2 import containers, scan, unpack_findings, write

GEOMS = [
    # (page, spare, erase block, sub-page, LEB size for mkfs.ubifs)
    (2048, 64, 128 * 1024, 2048, 126976),
    (4096, 224, 256 * 1024, 4096, 253952),
    (512, 16, 16 * 1024, 512, 15360),
]


def interleave(img, page, spare, seed=1):
    rnd = random.Random(seed)
    out = bytearray()
    for i in range(0, len(img), page):
        out += img[i:i + page] + b"\xff\xff" + bytes(rnd.getrandbits(8) for _ in range(spare - 2))
    return bytes(out)


def tools():
    mkfs, ubinize = shutil.which("mkfs.ubifs"), shutil.which("ubinize")
    for d in ("/usr/sbin", "/sbin"):
        if not mkfs and os.path.exists(d + "/mkfs.ubifs"):
            mkfs, ubinize = d + "/mkfs.ubifs", d + "/ubinize"
    return mkfs, ubinize


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    src = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(src):
        skip("no staging tree at %s (run tests/fixtures/make-fixtures.sh)" % src)
    mkfs, ubinize = tools()
    if not mkfs or not ubinize:
        skip("mtd-utils (mkfs.ubifs, ubinize) not installed")
    work = os.path.abspath(work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tree = os.path.join(work, "tree")
    make_tree(src, tree)
    man = manifest(tree)

    first = None
    for page, spare, peb, sub, leb in GEOMS:
        label = "%d+%d" % (page, spare)
        ubifs = os.path.join(work, "rootfs-%d.ubifs" % page)
        subprocess.run([mkfs, "-r", tree, "-m", str(page), "-e", str(leb), "-c", "4096", "-x",
                        "zlib", "-o", ubifs], check=True, capture_output=True)
        cfg = os.path.join(work, "ubinize-%d.cfg" % page)
        with open(cfg, "w") as f:
            f.write("[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\n"
                    "vol_name=rootfs\n" % ubifs)
        ubi = os.path.join(work, "ubi-%d.img" % page)
        subprocess.run([ubinize, "-o", ubi, "-m", str(page), "-p", str(peb), "-s", str(sub),
                        cfg], check=True, capture_output=True)
        with open(ubi, "rb") as f:
            img = f.read()
        dump = interleave(img, page, spare)
        name = "nand-%s.bin" % label
        p = write(work, name, dump)
        rc, doc, err = scan(iotaudit, p)
        check(rc == 0 and doc is not None, "%s: exit %s %s" % (label, rc, err[-300:]))
        if doc is None:
            continue
        n = containers(doc, "nand")
        check([(c.get("offset"), c.get("variant"), c.get("size")) for c in n] ==
              [(0, label, len(dump))], "%s: nand container %s" % (label, n))
        cp = "%s @0x0 nand:/nand-data @0x0 ubi:/rootfs @0x0 ubifs:/" % name
        compare(doc, cp, man, label)
        check(not unpack_findings(doc), "%s: findings %s" % (label, unpack_findings(doc)[:3]))
        # the plain image is UBI's, not a NAND dump
        rc, doc, err = scan(iotaudit, ubi)
        fmts = [c.get("format") for c in (doc or {}).get("containers", []) if c.get("depth") == 1]
        check(fmts == ["ubi"], "%s: plain UBI image read as %s" % (label, fmts))
        if first is None:
            first = (dump, page, spare, peb)

    # damage, on the 2048+64 dump
    dump, page, spare, peb = first
    unit = (peb // page) * (page + spare)  # one erase block in the dump
    nblocks = len(dump) // unit
    for k in list(range(4, nblocks, 4)) + [1]:
        cut = k * unit
        p = write(work, "cut.bin", dump[:cut])
        rc, doc, err = scan(iotaudit, p)
        check(rc == 0 and doc is not None, "cut at block %d: exit %s %s" % (k, rc, err[-200:]))
        if doc:
            check([c.get("variant") for c in containers(doc, "nand")] == ["2048+64"],
                  "cut at block %d: not read as a NAND dump" % k)
            check(unpack_findings(doc), "cut at block %d: no finding" % k)
    for cut in (unit * 3 + 1000, unit * 7 + page + 10):
        p = write(work, "cut.bin", dump[:cut])
        rc, doc, err = scan(iotaudit, p)
        check(rc == 0 and doc is not None, "cut at %d: exit %s" % (cut, rc))
        if doc:
            msgs = " ".join(f.get("message", "") for f in unpack_findings(doc))
            check("nand: the dump ends" in msgs, "cut at %d: no nand finding: %s" % (cut, msgs[:200]))
    # spare bytes changed: nothing reads them, the tree is whole
    rnd = random.Random(5)
    b = bytearray(dump)
    for _ in range(200):
        i = rnd.randrange(len(dump) // (page + spare))
        b[i * (page + spare) + page + 2 + rnd.randrange(spare - 2)] ^= 0xff
    p = write(work, "spare.bin", bytes(b))
    rc, doc, err = scan(iotaudit, p)
    check(rc == 0 and doc is not None, "spare flips: exit %s" % rc)
    if doc:
        compare(doc, "spare.bin @0x0 nand:/nand-data @0x0 ubi:/rootfs @0x0 ubifs:/", man,
                "spare flips")
    # flips in the page data: no crash, a finding
    for k in range(4):
        b = bytearray(dump)
        i = rnd.randrange(2, len(dump) // (page + spare))
        b[i * (page + spare) + rnd.randrange(page)] ^= 1 << rnd.randrange(8)
        p = write(work, "flip.bin", bytes(b))
        rc, doc, err = scan(iotaudit, p)
        check(rc == 0 and doc is not None, "data flip %d: exit %s %s" % (k, rc, err[-200:]))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
