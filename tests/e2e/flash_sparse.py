#!/usr/bin/env python3
"""End-to-end test of the Android sparse image unpacker.

usage: flash_sparse.py IOTAUDIT FIXTURES_DIR WORKDIR

Makes an ext4 image from FIXTURES_DIR/rootfs with `mke2fs -d`, turns it into a
sparse image with img2simg (android-sdk-libsparse-utils), scans it with
`iotaudit scan IMG --format json` and checks that the expanded child has the
raw image's size and SHA-256 and that the ext4 inside lists every file of the
source tree with its type, mode, size, SHA-256 and link target.

Chunk types img2simg does not write (FILL, CRC32) and hostile headers (a
2^40-byte claim, unknown chunk types, lengths past the end) are built here
byte by byte after system/core/libsparse/sparse_format.h. Damaged variants
(truncations, bit flips) must give exit status 0, no crash, and a finding.
Prints 'N passed, N failed'; exits 1 on failure, 77 when the tools or the
staging tree are missing.
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
import zlib

from e2ecommon import check, finish, scan, skip


MAGIC = 0xED26FF3A
RAW, FILL, DONT_CARE, CRC32 = 0xCAC1, 0xCAC2, 0xCAC3, 0xCAC4


def unpack_findings(doc):
    return [f for f in (doc or {}).get("findings", []) if f.get("check", "").startswith("unpack")]


def source_tree(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            mode = st.st_mode & 0o7777
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", mode, None, None, None)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", mode, None, None, os.readlink(full))
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()
                out[rel] = ("file", mode, st.st_size, h, None)
    return out


def ext_tree(doc):
    out = {}
    for f in doc.get("files", []):
        c = f.get("container", "")
        if not (c.endswith(" ext:/") and " sparse:/" in c and c.count(" @0x") == 2):
            continue
        rel = f["name"].lstrip("/")
        if rel == "lost+found" or rel.startswith("lost+found/"):
            continue  # made by mke2fs
        t = f["type"]
        out[rel] = (t, int(f.get("mode", "0"), 8), f.get("size") if t == "file" else None,
                    f.get("sha256") if t == "file" else None,
                    f.get("link") if t == "symlink" else None)
    return out


def sparse(blk_sz, total_blks, chunks, file_hdr=28, chunk_hdr=12):
    """chunks: list of (type, chunk_sz, payload bytes)."""
    out = struct.pack("<IHHHHIIII", MAGIC, 1, 0, file_hdr, chunk_hdr, blk_sz, total_blks,
                      len(chunks), 0) + bytes(file_hdr - 28)
    for t, n, body in chunks:
        out += struct.pack("<HHII", t, 0, n, chunk_hdr + len(body)) + bytes(chunk_hdr - 12) + body
    return out


def child(doc, name=None):
    for f in doc.get("files", []):
        if f.get("container", "").endswith(" sparse:/") and f.get("container", "").count(" @0x") == 1:
            if name is None or f["name"] == "/" + name:
                return f
    return None


def write(work, name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    rootfs = os.path.join(fixtures, "rootfs")
    if not os.path.isdir(rootfs):
        skip("no staging tree at %s (run tests/fixtures/make-fixtures.sh)" % rootfs)
    mke2fs = shutil.which("mke2fs") or "/sbin/mke2fs"
    img2simg = shutil.which("img2simg")
    if not os.path.exists(mke2fs) or not img2simg:
        skip("mke2fs (e2fsprogs) or img2simg (android-sdk-libsparse-utils) is not installed")
    os.makedirs(work, exist_ok=True)

    raw = os.path.join(work, "system.img")
    if os.path.exists(raw):
        os.unlink(raw)
    subprocess.run([mke2fs, "-q", "-t", "ext4", "-d", rootfs, raw, "16M"], check=True,
                   capture_output=True, env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    simg = os.path.join(work, "system.simg")
    subprocess.run([img2simg, raw, simg], check=True, capture_output=True)
    with open(raw, "rb") as f:
        raw_bytes = f.read()
    with open(simg, "rb") as f:
        simg_bytes = f.read()

    # the real image: child "system" equals the raw image, ext4 inside equals the tree
    rc, doc, err = scan(iotaudit, simg)
    check(rc == 0 and doc is not None, "img2simg: exit %s %s" % (rc, err[-300:]))
    if doc:
        c = child(doc, "system")
        check(c is not None and c.get("size") == len(raw_bytes) and
              c.get("sha256") == hashlib.sha256(raw_bytes).hexdigest(),
              "img2simg: child system is the raw image: %r" % (c,))
        conts = [(x["format"], x.get("variant")) for x in doc["containers"]]
        check(("sparse", "v1.0") in conts and ("ext", "ext4") in conts,
              "img2simg: sparse and ext4 containers: %s" % conts[:4])
        src = source_tree(rootfs)
        got = ext_tree(doc)
        missing = sorted(set(src) - set(got))
        check(not missing, "img2simg: missing %s" % missing[:10])
        bad = [k for k in src if k in got and src[k] != got[k]]
        for k in bad[:10]:
            print("  %s: want %s got %s" % (k, src[k], got[k]))
        check(not bad, "img2simg: %d entries differ" % len(bad))
        check(not unpack_findings(doc), "img2simg: findings %s" % unpack_findings(doc)[:3])

    # without the suffix the child is called "image"
    plain = write(work, "firmware.bin", simg_bytes)
    rc, doc, _ = scan(iotaudit, plain)
    check(rc == 0 and doc and child(doc, "image") is not None, "child named 'image'")

    # FILL, DONT_CARE, RAW and a good CRC32 chunk; longer headers than 28/12
    blk = 1024
    body = os.urandom(2 * blk)
    want = b"\xde\xad\xbe\xef" * (3 * blk // 4) + bytes(blk) + body
    crc = zlib.crc32(want)
    for fh, ch in ((28, 12), (32, 16)):
        img = sparse(blk, 6, [(FILL, 3, b"\xde\xad\xbe\xef"), (DONT_CARE, 1, b""), (RAW, 2, body),
                              (CRC32, 0, struct.pack("<I", crc))], fh, ch)
        path = write(work, "synthetic.simg", img)
        rc, doc, _ = scan(iotaudit, path)
        c = child(doc or {}, "synthetic")
        check(rc == 0 and c is not None and c.get("sha256") == hashlib.sha256(want).hexdigest(),
              "fill/dont-care/raw/crc with headers %d/%d" % (fh, ch))
        check(not unpack_findings(doc), "good crc: no finding %s" % unpack_findings(doc)[:2])
    bad_crc = sparse(blk, 6, [(FILL, 3, b"\xde\xad\xbe\xef"), (DONT_CARE, 1, b""), (RAW, 2, body),
                              (CRC32, 0, struct.pack("<I", crc ^ 1))])
    rc, doc, _ = scan(iotaudit, write(work, "badcrc.simg", bad_crc))
    check(rc == 0 and any(f["check"] == "unpack.checksum" for f in unpack_findings(doc)),
          "bad crc chunk gives unpack.checksum")

    # a claim of 2^40 bytes: a limit finding, quickly, with no such allocation
    huge = sparse(4096, 1 << 28, [(RAW, 1, os.urandom(4096)), (DONT_CARE, (1 << 28) - 1, b"")])
    t0 = time.time()
    rc, doc, _ = scan(iotaudit, write(work, "huge.simg", huge))
    check(rc == 0 and any(f["check"].startswith("unpack.limit") for f in unpack_findings(doc)),
          "2^40 claim: limit finding")
    c = child(doc or {}, "huge")
    check(c is not None and c.get("size") == 4096 and c.get("truncated"),
          "2^40 claim: only the stored block is built, marked truncated: %r" % (c,))
    check(time.time() - t0 < 20, "2^40 claim: fast")

    # hostile headers
    cases = {
        "unknown chunk type": sparse(blk, 2, [(0xCAC9, 2, b"")]),
        "raw chunk size mismatch": sparse(blk, 2, [(RAW, 2, os.urandom(blk))]),
        "chunk past total_blks": sparse(blk, 1, [(DONT_CARE, 5, b"")] + [(RAW, 1, bytes(blk))]),
        "fill not 4 bytes": sparse(blk, 1, [(FILL, 1, b"\x01\x02")]),
        "total_sz past end": sparse(blk, 2, [(RAW, 2, bytes(2 * blk))])[:-100],
        "blocks not covered": sparse(blk, 4, [(RAW, 1, bytes(blk))]),
    }
    for label, data in cases.items():
        rc, doc, err = scan(iotaudit, write(work, "hostile.simg", data))
        check(rc == 0 and doc is not None and unpack_findings(doc),
              "%s: exit %s, findings %s" % (label, rc, unpack_findings(doc)[:1]))

    # truncations and bit flips of the real image
    for cut in (20, 28, 40, 5000, len(simg_bytes) // 3, len(simg_bytes) // 2, len(simg_bytes) - 7):
        rc, doc, err = scan(iotaudit, write(work, "cut.simg", simg_bytes[:cut]))
        check(rc == 0 and doc is not None, "truncated at %d: exit %s %s" % (cut, rc, err[-200:]))
        if cut >= 28 and doc is not None:
            check(unpack_findings(doc), "truncated at %d: a finding" % cut)
    for seed in range(6):
        r = random.Random(seed)
        d = bytearray(simg_bytes)
        for _ in range(10):
            i = r.randrange(0, 200)  # the headers and the first chunk headers
            d[i] ^= 1 << r.randrange(8)
        rc, doc, err = scan(iotaudit, write(work, "flip.simg", bytes(d)))
        check(rc == 0 and doc is not None, "bit flips %d: exit %s %s" % (seed, rc, err[-200:]))

    return finish()


if __name__ == "__main__":
    sys.exit(main())
