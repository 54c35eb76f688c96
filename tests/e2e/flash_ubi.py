#!/usr/bin/env python3
"""End-to-end test of the UBI and UBIFS unpackers (standard library only).

    flash_ubi.py IOTAUDIT FIXTURES_DIR WORKDIR

Builds images at test time with the real mtd-utils tools from a copy of the
staging tree FIXTURES_DIR/rootfs (real Debian binaries) plus a few entries the
tree lacks (hard links, a file with a hole, a FIFO, device nodes if mknod is
allowed, a large compressible file):
  - bare UBIFS images (mkfs.ubifs) with each compressor: lzo, zlib, zstd, none;
  - a UBI image (ubinize) of two volumes: rootfs (UBIFS, lzo) and data (UBIFS,
    zlib).
Every file of the source tree must come out with the same path, type, mode,
size and SHA-256 (symlinks: the target). UBIFS stores all of these; of a hard
link group one name is the file and the others are hard links to it (which
one is first is the order of the index, so either is accepted).
Damaged variants (truncation at erase-block boundaries and inside blocks,
bit flips in headers and data, a duplicate LEB with a higher sqnum, a cyclic
UBIFS index) must exit 0 with an unpack finding and no crash; the duplicate
LEB must resolve to the newer copy.
Prints 'N passed, N failed'; exit 1 on failure, 77 if tools or fixtures are
missing.
"""
import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import zlib

from e2ecommon import check, finish

PEB = 128 * 1024
LEB = 126976


def ubi_crc(b):
    return zlib.crc32(b) ^ 0xFFFFFFFF


def scan(tool, img, timeout=120):
    p = subprocess.run([tool, "scan", img, "--format", "json"], capture_output=True,
                       timeout=timeout)
    if p.returncode < 0 or p.returncode >= 64:
        return p.returncode, None, p.stderr.decode(errors="replace")
    try:
        return p.returncode, json.loads(p.stdout), p.stderr.decode(errors="replace")
    except json.JSONDecodeError:
        return p.returncode, None, "bad json"


def make_tree(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    extra = os.path.join(dst, "ubitest")
    os.makedirs(extra)
    with open(os.path.join(extra, "big.txt"), "wb") as f:
        for i in range(20000):
            f.write(b"line %d of a compressible file\n" % i)
    with open(os.path.join(extra, "holes.bin"), "wb") as f:
        f.write(b"head")
        f.seek(3 * 4096 + 100)
        f.write(b"after a hole")
        f.truncate(9 * 4096 + 7)
    open(os.path.join(extra, "empty"), "wb").close()
    with open(os.path.join(extra, "linked"), "wb") as f:
        f.write(b"one inode, two names\n")
    os.link(os.path.join(extra, "linked"), os.path.join(extra, "linked2"))
    os.chmod(os.path.join(extra, "big.txt"), 0o4751)
    os.mkfifo(os.path.join(extra, "fifo"))
    try:
        os.mknod(os.path.join(extra, "tty0"), 0o620 | stat.S_IFCHR, os.makedev(4, 0))
        os.mknod(os.path.join(extra, "sda1"), 0o660 | stat.S_IFBLK, os.makedev(8, 1))
    except OSError:
        pass


def manifest(root):
    """path -> (type, mode, size, sha256 or link target, inode key)"""
    out = {}
    kinds = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink",
             stat.S_IFCHR: "chr", stat.S_IFBLK: "blk", stat.S_IFIFO: "fifo",
             stat.S_IFSOCK: "sock"}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            k = kinds[stat.S_IFMT(st.st_mode)]
            extra = None
            size = None
            if k == "file":
                with open(p, "rb") as f:
                    extra = hashlib.sha256(f.read()).hexdigest()
                size = st.st_size
            elif k == "symlink":
                extra = os.readlink(p)
            out[rel] = (k, "%04o" % stat.S_IMODE(st.st_mode), size, extra,
                        (st.st_ino, st.st_nlink))
    return out


def files_of(j, cprefix):
    """inner path -> file entry, for entries directly in the container cprefix"""
    res = {}
    for f in j["files"]:
        if f.get("container") == cprefix:
            res[f["name"].lstrip("/")] = f
    return res


def compare(j, cprefix, man, what):
    got = files_of(j, cprefix)
    bad = []
    for rel, (k, mode, size, extra, ino) in man.items():
        f = got.get(rel)
        if f is None:
            bad.append("missing " + rel)
            continue
        if k == "file" and ino[1] > 1 and f["type"] == "hardlink":
            tgt = f.get("link", "").lstrip("/")
            if tgt not in man or man[tgt][4] != ino:
                bad.append("hard link %s -> %s" % (rel, tgt))
            continue
        if f["type"] != k:
            bad.append("%s: type %s, want %s" % (rel, f["type"], k))
            continue
        if f.get("mode") != mode:
            bad.append("%s: mode %s, want %s" % (rel, f.get("mode"), mode))
        if k == "file" and (f.get("size") != size or f.get("sha256") != extra):
            bad.append("%s: size/sha %s %s" % (rel, f.get("size"), f.get("sha256")))
        if k == "symlink" and f.get("link") != extra:
            bad.append("%s: link %s, want %s" % (rel, f.get("link"), extra))
    extra = set(got) - set(man)
    if extra:
        bad.append("unexpected: " + ", ".join(sorted(extra)[:5]))
    check(not bad, "%s: %s" % (what, "; ".join(bad[:8])))


def unpack_findings(j):
    return [f for f in j["findings"] if f["check"].startswith("unpack.")]


def damaged(tool, path, data, what, want_finding=True):
    with open(path, "wb") as f:
        f.write(data)
    try:
        rc, j, err = scan(tool, path)
    except subprocess.TimeoutExpired:
        check(False, what + ": timeout")
        return None
    check(rc == 0 and j is not None, "%s: exit %s %s" % (what, rc, err[-300:]))
    if j is not None and want_finding:
        check(bool(unpack_findings(j)), what + ": no unpack finding")
    return j


def main_data_node(img):
    """The offset of the first data node in the main area of a bare UBIFS image."""
    log, lpt, orph = struct.unpack("<III", img[56:68])
    o = (3 + log + lpt + orph) * LEB
    while o + 24 <= len(img):
        if img[o:o + 4] == b"\x31\x18\x10\x06" and img[o + 20] == 1:
            return o
        o += 8
    return len(img) // 2


def find_vid(img, vol_id, lnum):
    for i in range(len(img) // PEB):
        o = i * PEB
        if img[o:o + 4] != b"UBI#":
            continue
        vo = o + struct.unpack(">I", img[o + 16:o + 20])[0]
        do = struct.unpack(">I", img[o + 20:o + 24])[0]
        if img[vo:vo + 4] == b"UBI!":
            v, l = struct.unpack(">II", img[vo + 8:vo + 16])
            if v == vol_id and l == lnum:
                return o, vo, do
    return None


def main():
    if len(sys.argv) != 4:
        print("usage: flash_ubi.py IOTAUDIT FIXTURES_DIR WORKDIR")
        return 2
    tool, fixtures, work = sys.argv[1:]
    src = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(src):
        print("skipped: no staging tree at", src)
        return 77
    mkfs, ubinize = shutil.which("mkfs.ubifs"), shutil.which("ubinize")
    if not mkfs:
        for d in ("/usr/sbin", "/sbin"):
            if os.path.exists(d + "/mkfs.ubifs"):
                mkfs, ubinize = d + "/mkfs.ubifs", d + "/ubinize"
    if not mkfs or not ubinize:
        print("skipped: mtd-utils (mkfs.ubifs, ubinize) not installed")
        return 77
    work = os.path.abspath(os.path.join(work, "flash_ubi"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tree = os.path.join(work, "tree")
    make_tree(src, tree)
    man = manifest(tree)
    small = os.path.join(work, "small")
    os.makedirs(os.path.join(small, "etc"))
    with open(os.path.join(small, "etc", "config"), "w") as f:
        f.write("option wan dhcp\n")
    os.symlink("etc/config", os.path.join(small, "cfg"))
    small_man = manifest(small)

    # bare UBIFS, every compressor
    images = {}
    for comp in ("lzo", "zlib", "zstd", "none"):
        img = os.path.join(work, "rootfs-%s.ubifs" % comp)
        subprocess.run([mkfs, "-r", tree, "-m", "2048", "-e", str(LEB), "-c", "2048",
                        "-x", comp, "-o", img], check=True, capture_output=True)
        images[comp] = img
        rc, j, err = scan(tool, img)
        check(rc == 0 and j is not None, "bare %s: exit %s %s" % (comp, rc, err[-300:]))
        if j is None:
            continue
        cp = "rootfs-%s.ubifs @0x0 ubifs:/" % comp
        cont = [c for c in j["containers"] if c["origin"] == cp]
        check(len(cont) == 1 and cont[0].get("variant") == comp,
              "bare %s: container %s" % (comp, cont))
        compare(j, cp, man, "bare " + comp)
        check(not unpack_findings(j), "bare %s: findings %s" % (comp, unpack_findings(j)[:3]))

    # UBI with two volumes
    data_img = os.path.join(work, "data.ubifs")
    subprocess.run([mkfs, "-r", small, "-m", "2048", "-e", str(LEB), "-c", "64", "-x", "zlib",
                    "-o", data_img], check=True, capture_output=True)
    cfg = os.path.join(work, "ubinize.cfg")
    with open(cfg, "w") as f:
        f.write("[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n\n"
                "[data]\nmode=ubi\nimage=%s\nvol_id=1\nvol_type=dynamic\nvol_name=data\n"
                "vol_size=4MiB\n" % (images["lzo"], data_img))
    ubi = os.path.join(work, "ubi.img")
    subprocess.run([ubinize, "-o", ubi, "-m", "2048", "-p", "128KiB", "-s", "2048", cfg],
                   check=True, capture_output=True)
    rc, j, err = scan(tool, ubi)
    check(rc == 0 and j is not None, "ubi: exit %s %s" % (rc, err[-300:]))
    if j is not None:
        cont = [c for c in j["containers"] if c["origin"] == "ubi.img @0x0 ubi:/"]
        check(len(cont) == 1 and cont[0].get("variant") == "2 volumes", "ubi: container %s" % cont)
        compare(j, "ubi.img @0x0 ubi:/rootfs @0x0 ubifs:/", man, "ubi rootfs")
        compare(j, "ubi.img @0x0 ubi:/data @0x0 ubifs:/", small_man, "ubi data")
        check(not unpack_findings(j), "ubi: findings %s" % unpack_findings(j)[:3])

    with open(ubi, "rb") as f:
        uimg = f.read()
    with open(images["zlib"], "rb") as f:
        bare = f.read()
    dmg = os.path.join(work, "damaged.img")
    npeb = len(uimg) // PEB
    for cut in (PEB * 2, PEB * 5, PEB * (npeb // 2), PEB * (npeb - 1), PEB * 7 + 5000,
                len(uimg) - 3):
        damaged(tool, dmg, uimg[:cut], "ubi cut at %d" % cut, want_finding=cut > PEB * 2)
    for cut in (LEB * 3, LEB * 6 + 777, len(bare) // 2, len(bare) - 100):
        # the last LEB ends in padding: nothing is lost there
        damaged(tool, dmg, bare[:cut], "ubifs cut at %d" % cut, want_finding=cut != len(bare) - 100)
    # bit flips: an EC header, a VID header, UBIFS data in the rootfs volume
    vol_leb = main_data_node(bare) // LEB  # a LEB with data nodes, the same in ubi rootfs
    dloc = find_vid(uimg, 0, vol_leb)
    dflip = dloc[0] + dloc[2] + main_data_node(bare) % LEB + 60 if dloc else PEB * 9
    for off, what in ((PEB * 4 + 10, "EC header"), (PEB * 4 + 2048 + 9, "VID header"),
                      (dflip, "volume data"),
                      (PEB * 3 + 4096 + 40, "UBIFS master")):
        b = bytearray(uimg)
        b[off] ^= 0x10
        damaged(tool, dmg, bytes(b), "ubi flip in " + what,
                want_finding=what != "UBIFS master")
    # a damaged EC header of PEB 1: the PEB size still found, nothing lost
    b = bytearray(uimg)
    b[PEB + 10] ^= 0x04
    j = damaged(tool, dmg, bytes(b), "ubi flip in EC header of PEB 1")
    if j is not None:
        compare(j, "damaged.img @0x0 ubi:/rootfs @0x0 ubifs:/", man, "EC header of PEB 1")
    for off in (30, LEB + 50, main_data_node(bare) + 60):
        b = bytearray(bare)
        b[off] ^= 0x01
        damaged(tool, dmg, bytes(b), "ubifs flip at %d" % off, want_finding=off != LEB + 50)

    # duplicate LEB: a newer copy (higher sqnum) of data volume LEB 0 at the end,
    # the older copy's data spoiled: the result must still be exact
    loc = find_vid(uimg, 1, 0)
    check(loc is not None, "dup: data LEB 0 not found")
    if loc:
        o, vo, do = loc
        newer = bytearray(uimg[o:o + PEB])
        v = vo - o
        sq = struct.unpack(">Q", newer[v + 40:v + 48])[0]
        newer[v + 40:v + 48] = struct.pack(">Q", sq + 100000)
        newer[v + 60:v + 64] = struct.pack(">I", ubi_crc(bytes(newer[v:v + 60])))
        b = bytearray(uimg)
        for k in range(o + do + 100, o + do + 20000):
            b[k] ^= 0x5A
        b += newer
        j = damaged(tool, dmg, bytes(b), "dup LEB", want_finding=True)
        if j is not None:
            compare(j, "damaged.img @0x0 ubi:/data @0x0 ubifs:/", small_man, "dup LEB newer wins")
            check(any(f["check"] == "unpack.ubi.duplicate" for f in j["findings"]),
                  "dup LEB: no duplicate finding")

    # cyclic index: a branch of the root index node points at the root itself
    j0 = None
    b = bytearray(bare)
    mst = LEB  # master node in LEB 1
    rl, ro, rln = struct.unpack("<III", b[mst + 48:mst + 60])
    r = rl * LEB + ro
    level = struct.unpack("<H", b[r + 26:r + 28])[0]
    b[r + 28:r + 40] = struct.pack("<III", rl, ro, rln)
    nlen = struct.unpack("<I", b[r + 16:r + 20])[0]
    b[r + 4:r + 8] = struct.pack("<I", ubi_crc(bytes(b[r + 8:r + nlen])))
    j0 = damaged(tool, dmg, bytes(b), "cyclic index (root level %d)" % level)
    if j0 is not None:
        check(any("cyclic" in f["message"] or "damaged" in f["message"]
                  for f in unpack_findings(j0)), "cyclic index: finding")

    return finish()


if __name__ == "__main__":
    sys.exit(main())
