#!/usr/bin/env python3
"""End-to-end tests of the iotaudit program (standard library only).

    run.py --iotaudit PATH --work DIR [--fixtures DIR] [--corpus DIR] [--sanitized] SUITE

Suites:
  golden     scan each fixture image (tests/e2e/golden.table): every manifest entry
             in the right container with the right path, type, mode, size, SHA-256;
             the containers found (format, offset); byte-identical JSON on two runs
  extract    'iotaudit extract' of each fixture, compared with its manifest
  truncated  the fixture images cut at several points: exit 0, findings, no crash
  hostile    inputs made by mkhostile.py (bomb, traversal, symlinks, 64-deep
             nesting, SquashFS claiming 2^40 bytes...): exit 0 with a finding,
             bounded memory and time, nothing written outside the output folder
  cli        usage errors exit 2, unusable inputs exit 3 with one line
  corpus     every file of the shared corpus (shared/corpus/binwalk-vectors):
             no crash, the expected formats (tests/e2e/corpus.table)

Every run of the program is checked for crashes, sanitizer reports, time and
peak memory (wait4's ru_maxrss). The suite ends with 'N passed, N failed'.
Exit status: 0 all passed, 1 a check failed, 77 nothing could run (skipped).
"""
import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SAN_EXIT = 86
AS_LIMIT = 4 << 30  # address space of one run (plain build)

ENV = dict(os.environ)
ENV["ASAN_OPTIONS"] = "exitcode=%d:detect_leaks=1:abort_on_error=0" % SAN_EXIT
ENV["UBSAN_OPTIONS"] = "exitcode=%d:halt_on_error=1:print_stacktrace=1" % SAN_EXIT
ENV["NO_COLOR"] = "1"
ENV["LC_ALL"] = "C"


class Skip(Exception):
    pass


class Result:
    def __init__(self, argv, rc, out, err, maxrss_kb, seconds, timed_out):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        self.maxrss_kb, self.seconds, self.timed_out = maxrss_kb, seconds, timed_out

    def cmd(self):
        return " ".join(self.argv)

    def json(self):
        return json.loads(self.out)


class Runner:
    def __init__(self, args):
        self.a = args
        self.exe = os.path.abspath(args.iotaudit)
        self.work = os.path.abspath(args.work)
        self.passed = self.failed = self.skipped = 0
        # peak memory of one run; sanitizers add shadow memory and quarantine
        self.mem_limit_kb = (1536 if args.sanitized else 640) * 1024
        self.slow = 4 if args.sanitized else 1

    # ---- reporting ----
    def ok(self, name):
        self.passed += 1
        print("PASS %s" % name)

    def fail(self, name, why):
        self.failed += 1
        print("FAIL %s: %s" % (name, why))

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP %s: %s" % (name, why))

    def check(self, name, problems):
        """problems: list of strings; empty means pass."""
        if problems:
            shown = problems[:12]
            more = len(problems) - len(shown)
            self.fail(name, "\n    " + "\n    ".join(shown) +
                      ("\n    ... and %d more" % more if more else ""))
        else:
            self.ok(name)

    # ---- running the program ----
    def run(self, args, cwd=None, timeout=120):
        argv = [self.exe] + list(args)
        timeout *= self.slow
        limit = None
        if not self.a.sanitized:
            # a hard cap as well, so a runaway allocation fails fast instead of
            # swapping (sanitizers reserve terabytes of address space: no cap)
            def limit():
                resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
        with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
            t0 = time.monotonic()
            p = subprocess.Popen(argv, stdout=out_f, stderr=err_f, stdin=subprocess.DEVNULL,
                                 env=ENV, cwd=cwd, preexec_fn=limit)
            timed_out = False
            delay = 0.001
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() - t0 > timeout:
                    p.kill()
                    pid, status, ru = os.wait4(p.pid, 0)
                    timed_out = True
                    break
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            p.returncode = os.waitstatus_to_exitcode(status)
            secs = time.monotonic() - t0
            out_f.seek(0)
            err_f.seek(0)
            return Result(argv, p.returncode, out_f.read(), err_f.read().decode("utf-8", "replace"),
                          ru.ru_maxrss, secs, timed_out)

    def sane(self, r, expect_rc=(0,)):
        """Problems with a run: crash, sanitizer report, time, memory, exit status."""
        p = []
        if r.timed_out:
            p.append("timed out after %.0f s: %s" % (r.seconds, r.cmd()))
        elif r.rc < 0:
            p.append("killed by signal %d: %s" % (-r.rc, r.cmd()))
        elif r.rc == SAN_EXIT or "Sanitizer" in r.err or "runtime error:" in r.err:
            p.append("sanitizer report: %s\n%s" % (r.cmd(), r.err[-3000:]))
        elif r.rc not in expect_rc:
            p.append("exit %d, expected %s: %s\n      stderr: %s" %
                     (r.rc, "/".join(map(str, expect_rc)), r.cmd(), r.err.strip()[-800:]))
        if r.maxrss_kb > self.mem_limit_kb:
            p.append("peak memory %d MiB > %d MiB: %s" %
                     (r.maxrss_kb // 1024, self.mem_limit_kb // 1024, r.cmd()))
        return p

    def scan_json(self, path, *extra, timeout=120):
        """Runs scan --format json; returns (result, report or None, problems)."""
        r = self.run(["scan", path, "--format", "json"] + list(extra), timeout=timeout)
        probs = self.sane(r)
        rep = None
        if not probs:
            try:
                rep = r.json()
            except ValueError as e:
                probs.append("report is not JSON (%s): %s" % (e, r.cmd()))
        return r, rep, probs

    def scratch(self, *parts):
        d = os.path.join(self.work, *parts)
        if os.path.lexists(d):
            shutil.rmtree(d)
        os.makedirs(d)
        return d

    # ---- fixtures ----
    def fixtures(self):
        f = self.a.fixtures
        if not f or not os.path.exists(os.path.join(f, "fixtures.stamp")):
            raise Skip("fixtures not built in %s (tests/fixtures/make-fixtures.sh: the Debian "
                       "archive may be unreachable)" % f)
        return f

    def fixture_vars(self):
        v = {}
        with open(os.path.join(self.fixtures(), "fixtures.vars")) as f:
            for line in f:
                if "=" in line:
                    k, _, val = line.strip().partition("=")
                    v[k] = val
        return v


# ---- reports and manifests ----

CHAIN_RE = re.compile(r" @0x([0-9a-f]+) ([^:]+):")


def origin_chain(origin):
    """'router.bin @0x0 uimage:/vmlinux @0x0 gzip:/' -> 'uimage@0x0/gzip@0x0'."""
    return "/".join("%s@0x%s" % (fmt, off) for off, fmt in CHAIN_RE.findall(origin)) or "-"


def read_manifest(path):
    entries = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p, typ, mode, size, sha, link = line.rstrip("\n").split("\t")
            entries.append({"path": p, "type": typ, "mode": int(mode, 8),
                            "size": int(size) if size else None, "sha256": sha or None,
                            "link": link or None})
    return entries


def read_table(path, variables):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            line = re.sub(r"\$\{(\w+)\}", lambda m: variables.get(m.group(1), "?"), line)
            cols = line.split()
            rows.append({"line": n, "image": cols[0], "where": cols[1], "manifest": cols[2],
                         "opts": cols[3:]})
    return rows


def opt_value(opts, key):
    for o in opts:
        if o.startswith(key + "="):
            return o.split("=", 1)[1]
    return None


def image_path(fx, image):
    return os.path.join(fx, image.rstrip("/")) if image.endswith("/") else os.path.join(fx, image)


def check_entries(rep, row, manifest):
    """Compares the manifest with the report's files in the container chain row['where']."""
    probs = []
    where = row["where"]
    files = [f for f in rep["files"] if origin_chain(f.get("container", "")) == where]
    if where == "-":
        files = [f for f in rep["files"] if CHAIN_RE.search(f.get("container", "")) is None]
    if not files:
        chains = sorted({origin_chain(f.get("container", "")) for f in rep["files"]})
        return ["no files in container chain %s; chains found: %s" % (where, ", ".join(chains))]
    by_name = {f["name"]: f for f in files}
    by_sha = {}
    for f in files:
        if f.get("sha256"):
            by_sha.setdefault(f["sha256"], f)
    any_name = "any-name" in row["opts"]
    uid0 = "uid0" in row["opts"]
    for e in manifest:
        if any_name:
            got = by_sha.get(e["sha256"]) if e["type"] == "file" else None
            if got is None:
                probs.append("%s: no file with sha256 %s in %s" % (e["path"], e["sha256"], where))
                continue
        else:
            got = by_name.get("/" + e["path"])
            if got is None:
                probs.append("%s: missing in %s" % (e["path"], where))
                continue
        name = e["path"]
        if got["type"] != e["type"]:
            probs.append("%s: type %s, expected %s" % (name, got["type"], e["type"]))
            continue
        mode = int(got["mode"], 8)
        # symbolic links have no permissions of their own on Linux; a payload
        # matched by content alone gets the mode its unpacker chooses
        if e["type"] != "symlink" and not any_name and mode != e["mode"]:
            probs.append("%s: mode %04o, expected %04o" % (name, mode, e["mode"]))
        if e["type"] == "file":
            if got.get("size") != e["size"]:
                probs.append("%s: size %s, expected %d" % (name, got.get("size"), e["size"]))
            if got.get("sha256") != e["sha256"]:
                probs.append("%s: sha256 %s, expected %s" % (name, got.get("sha256"), e["sha256"]))
            if got.get("truncated") or got.get("unreadable"):
                probs.append("%s: marked truncated/unreadable" % name)
        if e["type"] == "symlink" and got.get("link") != e["link"]:
            probs.append("%s: link %r, expected %r" % (name, got.get("link"), e["link"]))
        if uid0 and (got.get("uid") != 0 or got.get("gid") != 0):
            probs.append("%s: uid/gid %s/%s, expected 0/0" % (name, got.get("uid"), got.get("gid")))
    return probs


def check_containers(rep, row):
    probs = []
    where = row["where"]
    if where == "-":
        return probs
    by_chain = {origin_chain(c["origin"]): c for c in rep["containers"]}
    parts = where.split("/")
    for i in range(1, len(parts) + 1):
        chain = "/".join(parts[:i])
        if chain not in by_chain:
            found = ", ".join(sorted(by_chain)) or "none"
            probs.append("container %s not found (found: %s)" % (chain, found))
            return probs
    variant = opt_value(row["opts"], "variant")
    got = by_chain[where].get("variant", "")
    if variant is not None and got != variant:
        probs.append("container %s: variant %r, expected %r" % (where, got, variant))
    return probs


ERROR_CHECKS = ("unpack.corrupt", "unpack.limit")


def error_findings(rep):
    return ["%s %s: %s" % (f["check"], f.get("node", ""), f["message"])
            for f in rep["findings"] if f["check"].startswith(ERROR_CHECKS)]


# ---- suites ----

def suite_golden(R):
    fx = R.fixtures()
    rows = read_table(os.path.join(HERE, "golden.table"), R.fixture_vars())
    reports = {}
    for row in rows:
        img = row["image"]
        if img not in reports:
            path = image_path(fx, img)
            r1, rep, probs = R.scan_json(path, "-j", "2")
            if not probs:
                r2, _, probs2 = R.scan_json(path, "-j", "1")
                probs += probs2
                if not probs2 and r1.out != r2.out:
                    probs.append("two runs (-j 2, -j 1) gave different JSON (%d vs %d bytes)" %
                                 (len(r1.out), len(r2.out)))
            R.check("golden %s: scan, deterministic JSON (%.1f s, %d MiB)" %
                    (img, r1.seconds, r1.maxrss_kb // 1024), probs)
            reports[img] = rep
        rep = reports[img]
        name = "golden %s: %s" % (img, row["where"])
        if rep is None:
            R.fail(name, "no report")
            continue
        probs = check_containers(rep, row)
        if not probs:
            probs = check_entries(rep, row, read_manifest(os.path.join(fx, row["manifest"])))
        if "no-errors" in row["opts"]:
            probs += ["unexpected finding: " + e for e in error_findings(rep)]
        R.check(name, probs)


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_dir_of(out, rep, where):
    """The folder 'iotaudit extract' made for the container chain 'where'."""
    if where == "-":
        return out
    for c in rep["containers"]:
        if origin_chain(c["origin"]) != where:
            continue
        parts = re.split(r" @0x([0-9a-f]+) ([^:]+):", c["origin"])
        # [input, off1, fmt1, path1, off2, fmt2, path2, ...]; the last path is "/"
        d = out
        rest = parts[1:]
        for i in range(0, len(rest), 3):
            off, fmt, inner = rest[i], rest[i + 1], rest[i + 2]
            d = os.path.join(d, "%s@0x%s" % (fmt, off))
            if i + 3 < len(rest):
                d = os.path.join(d, inner.strip("/") + ".extracted")
        return d
    return None


def tree_snapshot(root, skip):
    """Every path below root (not below skip), with type and size."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if os.path.abspath(dirpath) == os.path.abspath(skip):
            dirnames[:] = []
            continue
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if os.path.abspath(p) == os.path.abspath(skip):
                continue
            st = os.lstat(p)
            snap[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), st.st_size)
    return snap


def links_inside(out):
    """Symbolic links below out whose target resolves outside it."""
    bad = []
    real_out = os.path.realpath(out)
    for dirpath, dirnames, filenames in os.walk(out):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                t = os.readlink(p)
                resolved = os.path.normpath(os.path.join(os.path.dirname(p), t))
                if os.path.isabs(t) or not (os.path.realpath(resolved) + "/").startswith(real_out + "/"):
                    bad.append("%s -> %s leaves the output folder" % (os.path.relpath(p, out), t))
    return bad


def compare_extracted(d, manifest, opts):
    probs = []
    any_name = "any-name" in opts
    if any_name:
        shas = set()
        for dirpath, _, filenames in os.walk(d):
            for n in filenames:
                p = os.path.join(dirpath, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    shas.add(file_sha256(p))
    for e in manifest:
        if any_name:
            if e["type"] == "file" and e["sha256"] not in shas:
                probs.append("%s: no extracted file with sha256 %s" % (e["path"], e["sha256"]))
            continue
        p = os.path.join(d, e["path"])
        if not os.path.lexists(p):
            probs.append("%s: not extracted" % e["path"])
            continue
        st = os.lstat(p)
        if e["type"] == "file":
            if not stat.S_ISREG(st.st_mode):
                probs.append("%s: not a regular file" % e["path"])
                continue
            if st.st_size != e["size"] or file_sha256(p) != e["sha256"]:
                probs.append("%s: content differs (size %d, expected %d)" %
                             (e["path"], st.st_size, e["size"]))
            want = (e["mode"] & 0o777) | 0o400  # never setuid/setgid/sticky
            if stat.S_IMODE(st.st_mode) != want:
                probs.append("%s: mode %04o, expected %04o" %
                             (e["path"], stat.S_IMODE(st.st_mode), want))
        elif e["type"] == "dir":
            if not stat.S_ISDIR(st.st_mode):
                probs.append("%s: not a directory" % e["path"])
        elif e["type"] == "symlink":
            if not stat.S_ISLNK(st.st_mode):
                probs.append("%s: not a symbolic link" % e["path"])
                continue
            t = os.readlink(p)
            if e["link"].startswith("/"):
                # absolute targets are rewritten relative to the container's root
                got = os.path.normpath(os.path.join(os.path.dirname(e["path"]), t))
                if got != os.path.normpath(e["link"].lstrip("/")):
                    probs.append("%s: link %r does not lead to %r" % (e["path"], t, e["link"]))
            elif t != e["link"]:
                probs.append("%s: link %r, expected %r" % (e["path"], t, e["link"]))
    return probs


def suite_extract(R):
    fx = R.fixtures()
    rows = read_table(os.path.join(HERE, "golden.table"), R.fixture_vars())
    done = {}
    for row in rows:
        img = row["image"]
        name = "extract %s: %s" % (img, row["where"])
        if img not in done:
            sandbox = R.scratch("extract", img.strip("/").replace("/", "_"))
            out = os.path.join(sandbox, "out")
            path = image_path(fx, img)
            before = tree_snapshot(os.path.dirname(path), "")
            r = R.run(["extract", path, "-o", out, "-q"])
            probs = R.sane(r)
            _, rep, p2 = R.scan_json(path)
            probs += p2
            if not probs:
                extra = sorted(set(os.listdir(sandbox)) - {"out"})
                if extra:
                    probs.append("written outside the output folder: %s" % extra)
                if tree_snapshot(os.path.dirname(path), "") != before:
                    probs.append("the fixtures folder changed")
                probs += links_inside(out)
            R.check("extract %s (%.1f s)" % (img, r.seconds), probs)
            done[img] = (out, rep if not probs else None)
        out, rep = done[img]
        if rep is None:
            R.fail(name, "extract failed")
            continue
        d = extract_dir_of(out, rep, row["where"])
        if d is None or not os.path.isdir(d):
            R.fail(name, "no extracted folder for %s (%s)" % (row["where"], d))
            continue
        R.check(name, compare_extracted(d, read_manifest(os.path.join(fx, row["manifest"])),
                                        row["opts"]))


def suite_truncated(R):
    fx = R.fixtures()
    v = R.fixture_vars()
    sq = int(v.get("SQUASHFS_OFFSET", "0"), 16)
    images = ["router.bin", "rootfs.ext4.gz", "rootfs.cpio.xz", "firmware-update.zip"]
    d = R.scratch("truncated")
    for img in images:
        data = open(os.path.join(fx, img), "rb").read()
        n = len(data)
        cuts = {100, 4096, n // 3, n // 2, n - 4096}
        if img == "router.bin" and sq:
            cuts |= {sq + 96, sq + 8192}  # the SquashFS superblock only; its first blocks
        for cut in sorted(c for c in cuts if 0 < c < n):
            p = os.path.join(d, "%s.cut%d" % (img, cut))
            with open(p, "wb") as f:
                f.write(data[:cut])
            r, rep, probs = R.scan_json(p)
            if rep is not None and not rep["findings"]:
                probs.append("no finding says the image is damaged")
            R.check("truncated %s at %d of %d (%.1f s, %d MiB)" %
                    (img, cut, n, r.seconds, r.maxrss_kb // 1024), probs)
            os.remove(p)


# Each hostile case: the input, the findings expected from 'scan' (check-name
# prefixes, at least one must appear), whether to extract it too, and files
# the extraction must hold (inside the output folder).
HOSTILE = [
    ("bomb.gz", ("unpack.limit",), True, []),
    ("traversal.tar", ("unpack.path",), True,
     ["tar@0x0/etc/passwd", "tar@0x0/README", "tar@0x0/ok/after"]),
    ("symlinks.tar", ("unpack.duplicate", "unpack.path"), True,
     ["tar@0x0/plain", "tar@0x0/deep/file"]),
    ("nested64.gz", ("unpack.limit.depth",), True, []),
    ("magics.bin", (), False, []),
    ("garbage.bin", (), False, []),
    ("empty.bin", (), True, []),
    ("sqfs-bytes-used.sqfs", ("unpack.corrupt", "unpack.limit"), True, []),
    ("sqfs-file-size.sqfs", ("unpack.corrupt", "unpack.limit"), True, []),
]

CANARY = "/etc/iotaudit-canary"


def suite_hostile(R):
    src = os.path.join(R.work, "hostile-inputs")
    subprocess.run([sys.executable, os.path.join(HERE, "mkhostile.py"), src], check=True)
    if os.path.exists(os.path.join(src, "SKIPPED")):
        R.skip("hostile squashfs", open(os.path.join(src, "SKIPPED")).read().strip())
    for name, expect, extract, inside in HOSTILE:
        path = os.path.join(src, name)
        if not os.path.exists(path):
            continue
        r, rep, probs = R.scan_json(path, timeout=60)
        if rep is not None and expect:
            checks = [f["check"] for f in rep["findings"]]
            if not any(c.startswith(expect) for c in checks):
                probs.append("no %s finding (findings: %s)" % (" or ".join(expect),
                                                                ", ".join(checks) or "none"))
        R.check("hostile scan %s (%.1f s, %d MiB)" % (name, r.seconds, r.maxrss_kb // 1024), probs)
        if not extract:
            continue
        # deep sandbox: links climbing out of the output folder still land inside it
        sandbox = R.scratch("hostile", name)
        out = os.path.join(sandbox, "d1", "d2", "d3", "d4", "d5", "out")
        os.makedirs(os.path.dirname(out))
        before = tree_snapshot(sandbox, out)
        canary_before = os.path.exists(CANARY)
        r = R.run(["extract", path, "-o", out, "-q"], timeout=60)
        probs = R.sane(r)
        after = tree_snapshot(sandbox, out)
        if after != before:
            probs.append("written outside the output folder: %s" %
                         sorted(set(after) - set(before)))
        if not canary_before and os.path.exists(CANARY):
            probs.append("%s was written" % CANARY)
            os.remove(CANARY)
        if os.path.isdir(out):
            probs += links_inside(out)
        for f in inside:
            if not os.path.isfile(os.path.join(out, f)):
                probs.append("%s not extracted inside the output folder" % f)
        R.check("hostile extract %s (%.1f s, %d MiB)" % (name, r.seconds, r.maxrss_kb // 1024),
                probs)


def suite_cli(R):
    d = R.scratch("cli")
    small = os.path.join(d, "small.tar")
    subprocess.run([sys.executable, os.path.join(HERE, "mkhostile.py"), os.path.join(d, "in"),
                    "traversal.tar", "empty.bin"], check=True)
    shutil.copy(os.path.join(d, "in", "traversal.tar"), small)
    nonempty = os.path.join(d, "nonempty")
    os.makedirs(nonempty)
    open(os.path.join(nonempty, "keep"), "w").close()
    missing = os.path.join(d, "no", "such", "file.bin")

    usage = [
        [],
        ["frobnicate"],
        ["scan"],
        ["scan", small, "--bogus"],
        ["scan", small, "--format", "yaml"],
        ["scan", small, "--format"],
        ["scan", small, "--max-depth", "abc"],
        ["scan", small, "--max-bytes", "12X"],
        ["scan", small, small],
        ["extract", small],
        ["extract", "-o", os.path.join(d, "x")],
    ]
    for args in usage:
        r = R.run(args)
        probs = R.sane(r, expect_rc=(2,))
        if not probs and not r.err.strip():
            probs.append("no message on stderr")
        R.check("cli usage error exits 2: iotaudit %s" % " ".join(args), probs)

    for args in (["scan", missing], ["extract", missing, "-o", os.path.join(d, "out-missing")],
                 ["extract", small, "-o", nonempty], ["scan", "/dev/null"]):
        r = R.run(args)
        probs = R.sane(r, expect_rc=(3,))
        lines = r.err.strip().splitlines()
        if not probs and (len(lines) != 1 or not lines[0].startswith("iotaudit: ")):
            probs.append("stderr is not one 'iotaudit: ...' line: %r" % r.err)
        if not probs and r.out:
            probs.append("unexpected output on stdout: %r" % r.out[:200])
        R.check("cli unusable input exits 3 with one line: iotaudit %s" % " ".join(args), probs)

    r = R.run(["version"])
    probs = R.sane(r)
    if not probs and not r.out.startswith(b"iotaudit "):
        probs.append("version output %r" % r.out)
    R.check("cli version", probs)
    for args in (["help"], ["scan", "--help"], ["extract", "--help"]):
        r = R.run(args)
        probs = R.sane(r)
        if not probs and b"usage:" not in r.out:
            probs.append("no usage text on stdout")
        R.check("cli %s" % " ".join(args), probs)

    r = R.run(["scan", small])
    probs = R.sane(r)
    if not probs and b"tar" not in r.out:
        probs.append("text report does not mention the tar container")
    R.check("cli scan text report", probs)

    outdir = os.path.join(d, "reports")
    r = R.run(["scan", small, "--format", "text,json", "-o", outdir])
    probs = R.sane(r)
    if not probs:
        try:
            rep = json.load(open(os.path.join(outdir, "report.json")))
            if rep["tool"]["name"] != "iotaudit":
                probs.append("report.json: tool name %r" % rep["tool"]["name"])
        except (OSError, ValueError, KeyError) as e:
            probs.append("report.json: %s" % e)
        if not os.path.isfile(os.path.join(outdir, "report.txt")):
            probs.append("report.txt missing")
    R.check("cli scan --format text,json -o DIR", probs)

    r = R.run(["scan", "--max-depth", "1", "--max-files", "100", "--max-bytes", "1M",
               "--max-ratio", "10", "--max-file-size", "512K", "--timeout", "60", "-j", "1",
               "--no-carve", small, "--format", "json"])
    probs = R.sane(r)
    if not probs:
        lim = r.json()["limits"]
        if lim["max_depth"] != 1 or lim["max_files"] != 100 or lim["max_total_bytes"] != 1 << 20:
            probs.append("limits not applied: %s" % lim)
    R.check("cli scan limit options", probs)

    # --no-analyze: the same tree, hashed, and no analyzer's findings
    full = R.run(["scan", small, "--format", "json"])
    bare = R.run(["scan", "--no-analyze", small, "--format", "json"])
    probs = R.sane(full) + R.sane(bare)
    if not probs:
        def tree(rep):
            return sorted((f.get("path"), f.get("sha256")) for f in rep["files"])
        if tree(full.json()) != tree(bare.json()):
            probs.append("--no-analyze changed the file list or hashes")
        other = [f["check"] for f in bare.json()["findings"]
                 if not f["check"].startswith(("unpack.", "extract."))]
        if other:
            probs.append("--no-analyze still reports %s" % sorted(set(other)))
        if not [f for f in full.json()["findings"] if not f["check"].startswith("unpack.")]:
            probs.append("the analyzed scan has no findings to compare with")
    r = R.run(["scan", "--no-analyze", "--profile", "consumer", small])
    if r.rc != 3 or "drop --no-analyze" not in r.err:
        probs.append("--no-analyze with an assessment: exit %d, %r" % (r.rc, r.err))
    R.check("cli scan --no-analyze", probs)

    r = R.run(["scan", os.path.join(d, "in"), "--format", "json"])
    probs = R.sane(r)
    if not probs and r.json()["input"]["type"] != "directory":
        probs.append("input type %r" % r.json()["input"]["type"])
    R.check("cli scan a directory", probs)

    # a running system's root: the kernel's virtual trees are not entered
    live = os.path.join(d, "live")
    for sub in ("proc/1", "sys/kernel", "dev", "run", "etc"):
        os.makedirs(os.path.join(live, sub))
    for f in ("proc/1/environ", "sys/kernel/x", "run/pid", "etc/passwd"):
        with open(os.path.join(live, f), "w") as fh:
            fh.write("x\n")
    r = R.run(["scan", "--live", live, "--format", "json"])
    probs = R.sane(r)
    if not probs:
        names = {f["name"] for f in r.json()["files"]}
        if "/etc/passwd" not in names:
            probs.append("/etc/passwd not scanned")
        entered = sorted(n for n in names if n.startswith(("/proc/", "/sys/", "/dev/", "/run/")))
        if entered:
            probs.append("virtual trees entered: %s" % entered)
    R.check("cli scan --live skips /proc, /sys, /dev, /run", probs)


def read_corpus_table():
    table = {}
    with open(os.path.join(HERE, "corpus.table")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                cols = line.split()
                table[cols[0]] = cols[1:]
    return table


def suite_corpus(R):
    c = R.a.corpus
    if not c or not os.path.isdir(c):
        raise Skip("shared corpus not found at %s (it lives in ../shared beside the source "
                   "tree); corpus tests skipped" % c)
    table = read_corpus_table()
    names = sorted(n for n in os.listdir(c)
                   if os.path.isfile(os.path.join(c, n)) and n not in ("LICENSE", "README", "README.md"))
    for n in names:
        r, rep, probs = R.scan_json(os.path.join(c, n), timeout=60)
        want = table.get(n, [])
        if rep is not None:
            formats = {cc["format"] for cc in rep["containers"]}
            for w in want:
                if w.startswith("finding="):
                    pre = w.split("=", 1)[1]
                    if not any(f["check"].startswith(pre) for f in rep["findings"]):
                        probs.append("no %s finding" % pre)
                elif w not in formats:
                    probs.append("format %s not found (found: %s)" % (w, ", ".join(sorted(formats)) or "none"))
        R.check("corpus %s%s (%.1f s)" % (n, " [%s]" % " ".join(want) if want else "", r.seconds),
                probs)


SUITES = {
    "golden": suite_golden,
    "extract": suite_extract,
    "truncated": suite_truncated,
    "hostile": suite_hostile,
    "cli": suite_cli,
    "corpus": suite_corpus,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iotaudit", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--fixtures")
    ap.add_argument("--corpus")
    ap.add_argument("--sanitized", action="store_true")
    ap.add_argument("suite", choices=sorted(SUITES))
    args = ap.parse_args()
    R = Runner(args)
    os.makedirs(R.work, exist_ok=True)
    try:
        SUITES[args.suite](R)
    except Skip as e:
        print("SKIP %s: %s" % (args.suite, e))
        print("0 passed, 0 failed, 1 skipped")
        return 77
    print("%d passed, %d failed%s" % (R.passed, R.failed,
                                      ", %d skipped" % R.skipped if R.skipped else ""))
    if R.failed:
        return 1
    return 0 if R.passed else 77


if __name__ == "__main__":
    sys.exit(main())
