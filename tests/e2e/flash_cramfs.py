#!/usr/bin/env python3
"""End-to-end test of the CramFS unpacker with images made by the real tools.

usage: flash_cramfs.py IOTAUDIT FIXTURES_DIR WORKDIR

Builds, from FIXTURES_DIR/rootfs plus a few extra entries (an empty file, a
file with a hole, device nodes and a fifo when mknod is allowed), CramFS
images with util-linux's mkfs.cramfs (plain, -z explicit holes, -p 512-byte
boot pad) and cramfsswap (big-endian; it refuses images with holes or a pad,
so those two are little-endian only), plus one image with the newer kernels'
extended block pointers written here (no Debian tool makes them), scans them with
`iotaudit scan IMG --format json` and compares every entry's path, type,
mode, size, SHA-256, link target and device number with the source tree.

What CramFS cannot store, and so is not compared: timestamps (none kept),
uid above 16 bits and gid above 8 bits (cut by mkfs.cramfs), files of 16 MiB
or more, and hard links (each name becomes its own file with the same data).

Damaged variants (truncations, bit flips, a bad CRC, a directory loop) must
give exit status 0, no crash, and a finding where the damage is detectable.
Prints 'N passed, N failed'; exits 1 on failure, 77 when the tools or the
staging tree are missing.
"""
import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import zlib

from e2ecommon import check, finish, scan, skip



def source_tree(root):
    """{relpath: (type, mode, size, sha256, link, dev)} of what CramFS keeps."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            mode = st.st_mode & 0o7777
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", mode, None, None, None, None)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", mode, None, None, os.readlink(full), None)
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
                out[rel] = ("file", mode, st.st_size, h, None, None)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                t = "chr" if stat.S_ISCHR(st.st_mode) else "blk"
                out[rel] = (t, mode, None, None, None,
                            (os.major(st.st_rdev), os.minor(st.st_rdev)))
            elif stat.S_ISFIFO(st.st_mode):
                out[rel] = ("fifo", mode, None, None, None, None)
    return out


def scanned_tree(doc, fmt):
    out = {}
    for f in doc.get("files", []):
        c = f.get("container", "")
        # members of the image itself only, not of files nested in it
        if not c.endswith(" %s:/" % fmt) or c.count(" @0x") != 1:
            continue
        rel = f["name"].lstrip("/")
        t = f["type"]
        mode = int(f.get("mode", "0"), 8)
        size = f.get("size") if t == "file" else None
        sha = f.get("sha256") if t == "file" else None
        link = f.get("link") if t == "symlink" else None
        dev = (f.get("major"), f.get("minor")) if t in ("chr", "blk") else None
        out[rel] = (t, mode, size, sha, link, dev)
    return out


def findings(doc, prefix="unpack"):
    return [f for f in (doc or {}).get("findings", []) if f.get("check", "").startswith(prefix)]


def make_staging(rootfs, work):
    stage = os.path.join(work, "stage")
    if os.path.exists(stage):
        shutil.rmtree(stage)
    shutil.copytree(rootfs, stage, symlinks=True)
    extra = os.path.join(stage, "cramfs-extra")
    os.mkdir(extra)
    open(os.path.join(extra, "empty"), "wb").close()
    with open(os.path.join(extra, "holey"), "wb") as f:
        f.write(b"head" * 100)
        f.seek(3 * 4096 + 17)
        f.write(b"tail")
    with open(os.path.join(extra, "zeros"), "wb") as f:
        f.write(bytes(9000))
    with open(os.path.join(extra, "pages"), "wb") as f:
        f.write(bytes(range(256)) * 64)  # exactly 4 pages
    os.chmod(os.path.join(extra, "pages"), 0o4750)
    try:
        os.mknod(os.path.join(extra, "ttyS0"), 0o620 | stat.S_IFCHR, os.makedev(4, 64))
        os.mknod(os.path.join(extra, "mtdblock3"), 0o640 | stat.S_IFBLK, os.makedev(31, 3))
        os.mkfifo(os.path.join(extra, "fifo"), 0o600)
    except OSError:
        pass  # not root: the device nodes are simply not tested
    return stage


def compare(iotaudit, img, src, label):
    rc, doc, err = scan(iotaudit, img)
    check(rc == 0 and doc is not None, "%s: scan exit %s %s" % (label, rc, err[-300:]))
    if doc is None:
        return None
    conts = [c for c in doc.get("containers", []) if c.get("format") == "cramfs"]
    check(len(conts) == 1, "%s: one cramfs container, got %d" % (label, len(conts)))
    got = scanned_tree(doc, "cramfs")
    missing = sorted(set(src) - set(got))
    extra = sorted(set(got) - set(src))
    check(not missing, "%s: missing %s" % (label, missing[:10]))
    check(not extra, "%s: unexpected %s" % (label, extra[:10]))
    bad = [k for k in src if k in got and src[k] != got[k]]
    for k in bad[:10]:
        print("  %s: %s: want %s got %s" % (label, k, src[k], got[k]))
    check(not bad, "%s: %d entries differ" % (label, len(bad)))
    bad_find = [f for f in findings(doc) if "cramfs" in f.get("message", "")]
    check(not bad_find, "%s: unexpected findings %s" % (label, bad_find[:3]))
    return doc


UNCOMP, DIRECT = 1 << 31, 1 << 30


def ext_image():
    """A little-endian CramFS with CRAMFS_FLAG_EXT_BLOCK_POINTERS, written here after
    include/uapi/linux/cramfs_fs.h and fs/cramfs/inode.c (no Debian tool writes
    these pointers). Returns (image, {name: content})."""
    import random
    r = random.Random(7)
    text = b"".join(b"line %d of a cramfs test file\n" % i for i in range(400))
    rnd = bytes(r.randrange(256) for _ in range(4096 + 100))
    files = {
        "direct-raw": rnd,                      # direct + uncompressed, short tail
        "direct-zlib": text[:4096 * 2],         # direct + compressed, two full pages
        "mixed": text[:4096] + rnd[:3000],      # direct compressed, then uncompressed after it
        "plain-hole": text[:4096] + bytes(4096) + b"end",  # classic pointers with a hole
    }
    names = sorted(files)
    dir_off = 76
    entries_len = sum(12 + (len(n) + 3) // 4 * 4 for n in names)
    pos = dir_off + entries_len
    data = bytearray()
    offsets = {}

    def align():
        while (pos + len(data)) % 4:
            data.append(0)

    for n in names:
        c = files[n]
        align()
        nb = (len(c) + 4095) // 4096
        tbl = pos + len(data)
        offsets[n] = tbl
        data.extend(bytes(nb * 4))
        ptrs = []
        blocks = [c[i * 4096:(i + 1) * 4096] for i in range(nb)]
        for i, b in enumerate(blocks):
            if n == "direct-raw":
                align()
                start = pos + len(data)
                data.extend(b)
                ptrs.append(UNCOMP | DIRECT | (start >> 2))
            elif n == "direct-zlib" or (n == "mixed" and i == 0):
                align()
                start = pos + len(data)
                z = zlib.compress(b, 9)
                data.extend(struct.pack("<H", len(z)) + z)
                ptrs.append(DIRECT | (start >> 2))
            elif n == "mixed":
                data.extend(b)
                ptrs.append(UNCOMP | (pos + len(data)))
            else:
                if not any(b):
                    ptrs.append(pos + len(data))  # hole: an empty block
                else:
                    data.extend(zlib.compress(b, 9))
                    ptrs.append(pos + len(data))
        rel = tbl - pos
        data[rel:rel + nb * 4] = b"".join(struct.pack("<I", p) for p in ptrs)
    align()
    entries = b""
    for n in names:
        nl = (len(n) + 3) // 4
        entries += struct.pack("<III", 0o100644, len(files[n]) & 0xffffff,
                               nl | (offsets[n] >> 2) << 6) + n.encode().ljust(nl * 4, b"\0")
    total = pos + len(data)
    flags = 0x1 | 0x2 | 0x100 | 0x800  # FSID_VERSION_2, SORTED_DIRS, HOLES, EXT_BLOCK_POINTERS
    root = struct.pack("<III", 0o40755, entries_len, (dir_off >> 2) << 6)
    sb = struct.pack("<IIII", 0x28CD3D45, total, flags, 0) + b"Compressed ROMFS" + \
        struct.pack("<IIII", 0, 0, 0, len(names) + 1) + b"ext-pointers".ljust(16, b"\0") + root
    img = bytearray(sb + entries + bytes(data))
    struct.pack_into("<I", img, 32, zlib.crc32(bytes(img)))
    return bytes(img), files


def damaged(iotaudit, img, work, label, mutate, want_finding=True):
    with open(img, "rb") as f:
        data = bytearray(f.read())
    data = mutate(data)
    path = os.path.join(work, "damaged.cramfs")
    with open(path, "wb") as f:
        f.write(data)
    rc, doc, err = scan(iotaudit, path)
    check(rc == 0 and doc is not None, "%s: exit %s %s" % (label, rc, err[-300:]))
    if want_finding and doc is not None:
        check(findings(doc), "%s: no unpack finding" % label)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    rootfs = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(rootfs):
        skip("no staging tree at %s (run tests/fixtures/make-fixtures.sh)" % rootfs)
    mkfs = shutil.which("mkfs.cramfs") or "/sbin/mkfs.cramfs"
    swap = shutil.which("cramfsswap")
    if not os.path.exists(mkfs) or not swap:
        skip("mkfs.cramfs (util-linux) or cramfsswap (cramfsswap) is not installed")
    os.makedirs(work, exist_ok=True)
    stage = make_staging(rootfs, work)
    src = source_tree(stage)

    le = os.path.join(work, "le.cramfs")
    subprocess.run([mkfs, stage, le], check=True, capture_output=True)
    be = os.path.join(work, "be.cramfs")
    subprocess.run([swap, le, be], check=True, capture_output=True)
    holes = os.path.join(work, "holes.cramfs")
    subprocess.run([mkfs, "-z", stage, holes], check=True, capture_output=True)
    padded = os.path.join(work, "padded.cramfs")
    subprocess.run([mkfs, "-p", stage, padded], check=True, capture_output=True)

    for img, label in ((le, "le"), (be, "be"), (holes, "le -z"),
                       (padded, "le -p")):
        doc = compare(iotaudit, img, src, label)
        if doc:
            variants = [c.get("variant") for c in doc["containers"] if c["format"] == "cramfs"]
            check(variants == [label.split()[0]], "%s: variant %s" % (label, variants))

    # extended block pointers (direct, uncompressed, mixed, holes)
    img, files = ext_image()
    path = os.path.join(work, "ext.cramfs")
    with open(path, "wb") as f:
        f.write(img)
    rc, doc, err = scan(iotaudit, path)
    check(rc == 0 and doc is not None, "ext pointers: exit %s %s" % (rc, err[-300:]))
    if doc:
        got = scanned_tree(doc, "cramfs")
        for n, c in files.items():
            g = got.get(n)
            check(g is not None and g[2] == len(c) and g[3] == hashlib.sha256(c).hexdigest(),
                  "ext pointers: %s: %r" % (n, g))
        check(not findings(doc), "ext pointers: findings %s" % findings(doc)[:3])

    # embedded at an offset in a raw blob: found by carving
    with open(le, "rb") as f:
        body = f.read()
    blob = os.path.join(work, "embedded.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(4096) + body + os.urandom(1000))
    rc, doc, err = scan(iotaudit, blob)
    conts = [c for c in (doc or {}).get("containers", []) if c.get("format") == "cramfs"]
    check(rc == 0 and len(conts) == 1 and conts[0].get("offset") == 4096,
          "carved cramfs at 4096: %s" % conts)

    # damage
    size = len(body)
    for cut in (40, 76, 200, 4096, size // 3, size // 2, size - 100):
        for img, label in ((le, "le"), (be, "be")):
            damaged(iotaudit, img, work, "%s truncated at %d" % (label, cut),
                    lambda d, c=cut: d[:c], want_finding=cut >= 76)
    for seed in range(8):
        def flip(d, seed=seed):
            import random
            r = random.Random(seed)
            for _ in range(20):
                i = r.randrange(76, len(d))
                d[i] ^= 1 << r.randrange(8)
            return d
        damaged(iotaudit, le, work, "le bit flips %d" % seed, flip, want_finding=True)
        damaged(iotaudit, be, work, "be bit flips %d" % seed, flip, want_finding=True)

    def crc_only(d):
        d[40] ^= 0xff  # fsid.edition: not read, only the CRC notices
        return d
    damaged(iotaudit, le, work, "bad crc", crc_only)

    def loop(d):
        # the first entry of the root directory ("bin") made to point at the root listing
        root_w2 = int.from_bytes(d[72:76], "little")
        first = (root_w2 >> 6) << 2
        w2 = int.from_bytes(d[first + 8:first + 12], "little")
        w2 = (w2 & 0x3f) | (root_w2 & ~0x3f)
        d[first + 8:first + 12] = w2.to_bytes(4, "little")
        w1 = int.from_bytes(d[68:72], "little") & 0xffffff
        d[first + 4:first + 7] = w1.to_bytes(3, "little")
        return d
    damaged(iotaudit, le, work, "directory loop", loop)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
