#!/usr/bin/env python3
"""The fleet inventory end to end, on SQLite and on a real PostgreSQL server.

    inventory.py IOTAUDIT FIXTURES WORKDIR

The fleet (tests/fixtures/make-fleet-fixtures.sh): router 1.0, 2.0 and 3.0
built from the real busybox, dropbear and dnsmasq packages of Debian
bullseye, bookworm and trixie. The vulnerability records are the real NVD,
CVE 5 and KEV files in $IOTA_SHARED_DIR/data (skipped when absent).

What it proves, on each backend:
  - a CVE query names exactly the images whose component versions fall in
    the NVD record's ranges (worked out here from the records and the
    package versions, independently of iotaudit's matcher);
  - adding an image twice changes nothing; scan --store stores like add;
  - rematch after importing an NVD record the database lacked reports the
    new match with the images it concerns, and the CVE query finds them;
  - diff shows the package version changes the fixtures really have, the
    finding that was fixed and the CVEs fixed;
  - eol with support-end dates and a fixed --today;
  - 4 writer processes adding 24 images at once lose none, and
    scan --batch -j 3 resumes (skips what is stored);
  - SQLite and PostgreSQL give byte-identical answers to the same queries.
"""
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2ecommon import check, finish, skip  # noqa: E402

IOTAUDIT, FIXTURES, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
FLEET = os.path.join(FIXTURES, "fleet")
SHARED = os.environ.get("IOTA_SHARED_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared")
DATA = os.path.join(SHARED, "data")
EXTRA = "CVE-2022-48174"  # imported only later: rematch must find it
TODAY = "2026-11-23"
VERSIONS = {"1.0": ("bullseye", "2024-06-30"), "2.0": ("bookworm", "2026-12-31"),
            "3.0": ("trixie", "2031-06-30")}
# NVD CPE (vendor:product) of the components the fixtures carry
CPES = {"busybox:busybox": "busybox", "thekelleys:dnsmasq": "dnsmasq"}


def run(*args, ok=True, stdin=None):
    p = subprocess.run([IOTAUDIT] + list(args), capture_output=True, text=True, timeout=600,
                       input=stdin)
    if ok and p.returncode != 0:
        print("command failed (%d): %s\n%s" % (p.returncode, " ".join(args), p.stderr))
    return p


def rows(db, *args):
    p = run("inventory", "query", "--db", db, "-f", "json", *args)
    try:
        return json.loads(p.stdout)
    except ValueError:
        print("not JSON from query %s: %r" % (args, p.stdout[:200]))
        return []


def files(rs):
    return sorted({r["file"] for r in rs})


# ---- the oracle: affected images from the NVD records themselves ----

def vkey(v):
    """Upstream version as a tuple of numbers (enough for busybox and dnsmasq)."""
    return tuple(int(x) for x in re.findall(r"\d+", v))


def upstream(debver):
    v = debver.split(":", 1)[-1]
    return v.rsplit("-", 1)[0] if "-" in v else v


def package_versions(ver):
    out = {}
    with open(os.path.join(FLEET, "router-%s.versions" % ver)) as f:
        for line in f:
            name, v = line.rstrip("\n").split("\t")
            out[name] = v
    return out


def nvd_affected(path, versions_by_image):
    """{image file: component} the record's simple OR configurations affect;
    None when the record has an AND configuration (not judged here)."""
    with open(path) as f:
        doc = json.load(f)
    cve = doc.get("cve", doc)
    if "vulnerabilities" in doc:
        cve = doc["vulnerabilities"][0]["cve"]
    hits = {}
    for conf in cve.get("configurations", []):
        if conf.get("operator") == "AND" or len(conf.get("nodes", [])) != 1:
            return None
        for m in conf["nodes"][0].get("cpeMatch", []):
            parts = m["criteria"].split(":")
            comp = CPES.get("%s:%s" % (parts[3], parts[4]))
            if not comp or not m.get("vulnerable"):
                continue
            for img, pv in versions_by_image.items():
                if comp not in pv:
                    continue
                v = vkey(upstream(pv[comp]))
                if parts[5] not in ("*", "-"):
                    ok = v == vkey(parts[5])
                else:
                    ok = True
                    if "versionStartIncluding" in m:
                        ok &= v >= vkey(m["versionStartIncluding"])
                    if "versionStartExcluding" in m:
                        ok &= v > vkey(m["versionStartExcluding"])
                    if "versionEndIncluding" in m:
                        ok &= v <= vkey(m["versionEndIncluding"])
                    if "versionEndExcluding" in m:
                        ok &= v < vkey(m["versionEndExcluding"])
                if ok:
                    hits[img] = comp
    return hits


# ---- a private PostgreSQL server ----

class Postgres:
    def __init__(self, base):
        self.dir = os.path.join(base, "pg")
        self.url = None
        self.why = None
        self.bindir = None
        self.user = None
        for d in ["/usr/lib/postgresql/%s/bin" % v for v in ("17", "16", "15", "14", "13")] + \
                [os.path.dirname(shutil.which("initdb") or "/nonexistent/x")]:
            if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl")):
                self.bindir = d
                break

    def cmd(self, *args):
        c = list(args)
        if self.user:  # initdb and postgres refuse to run as root
            c = ["runuser", "-u", self.user, "--"] + c
        return subprocess.run(c, capture_output=True, text=True, timeout=120)

    def start(self):
        if not self.bindir:
            self.why = "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
            return False
        if os.geteuid() == 0:
            for u in ("postgres", "nobody"):
                try:
                    import pwd
                    pwd.getpwnam(u)
                    self.user = u
                    break
                except KeyError:
                    pass
            if not self.user:
                self.why = "running as root and no unprivileged user to run PostgreSQL as"
                return False
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o777)
        os.chmod(os.path.dirname(self.dir), 0o755)
        data = os.path.join(self.dir, "data")
        p = self.cmd(os.path.join(self.bindir, "initdb"), "-D", data, "-A", "trust", "-U", "iota",
                     "--no-locale", "-E", "UTF8")
        if p.returncode != 0:
            self.why = "initdb failed: " + p.stderr.strip()[-300:]
            return False
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        p = self.cmd(os.path.join(self.bindir, "pg_ctl"), "-D", data, "-l",
                     os.path.join(self.dir, "log"), "-w", "-t", "60", "-o",
                     "-p %d -k %s -c listen_addresses='' -c fsync=off" % (port, self.dir), "start")
        if p.returncode != 0:
            self.why = "pg_ctl start failed: " + p.stderr.strip()[-300:]
            return False
        self.data = data
        self.port = port
        self.url = "postgresql://iota@/postgres?host=%s&port=%d" % (self.dir, port)
        return True

    def createdb(self, name):
        p = subprocess.run(["psql", self.url, "-qc", "CREATE DATABASE %s" % name],
                           capture_output=True, text=True) if shutil.which("psql") else None
        if p is None or p.returncode != 0:
            # without psql: the postgres database itself, emptied
            return self.url
        return "postgresql://iota@/%s?host=%s&port=%d" % (name, self.dir, self.port)

    def stop(self):
        if self.url:
            self.cmd(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate",
                     "stop")


# ---- one backend ----

def exercise(db, vdb, extra_vdb_src, work, oracle, label):
    """Runs every check on the inventory db; returns the answers to compare."""
    imgs = {v: os.path.join(FLEET, "router-%s.sqfs" % v) for v in VERSIONS}
    answers = {}

    def add(v, *more):
        rel, end = VERSIONS[v]
        return run("inventory", "add", "--db", db, "--vulndb", vdb, imgs[v], "--vendor", "Acme",
                   "--model", "R1", "--fw-version", v, "--class", "consumer", "--tag", rel,
                   "--support-end", end, *more)

    p = add("1.0", "--tag", "lab")
    check(p.returncode == 0 and "1 added" in p.stderr, "%s: add router-1.0: %s" % (label, p.stderr))
    # 2.0 through scan --store (no metadata), 3.0 through add
    p = run("scan", imgs["2.0"], "--store", db, "--vulndb", vdb, "-f", "json")
    check(p.returncode == 0 and "stored" in p.stderr and p.stdout.startswith("{"),
          "%s: scan --store: %s" % (label, p.stderr))
    p = add("3.0")
    check(p.returncode == 0, "%s: add router-3.0" % label)
    before = rows(db)
    p = add("1.0", "--tag", "lab")
    check(p.returncode == 0 and "0 added, 1 already stored" in p.stderr,
          "%s: adding again is a no-op: %s" % (label, p.stderr))
    p = run("scan", imgs["2.0"], "--store", db, "--vulndb", vdb, "-f", "json")
    check("already stored" in p.stderr, "%s: scan --store again: %s" % (label, p.stderr))
    check(rows(db) == before and len(before) == 3, "%s: still 3 images, unchanged" % label)
    answers["list"] = [{k: v for k, v in r.items() if k != "scanned_at"} for r in before]
    for r in before:
        want = len(package_versions(r["file"][7:10]))
        # the packages, and the programs' own signatures (busybox, dnsmasq, dropbear)
        check(r["components"] >= want, "%s: %s has its %d packages among its components (%s)"
              % (label, r["file"], want, r["components"]))

    # CVE queries against the oracle
    for cve, hits in sorted(oracle.items()):
        if cve == EXTRA:
            continue
        got = rows(db, "--cve", cve)
        check(files(got) == sorted(hits), "%s: --cve %s finds %s (got %s)"
              % (label, cve, sorted(hits), files(got)))
        answers["cve " + cve] = got
    check(rows(db, "--cve", EXTRA) == [], "%s: %s not known yet" % (label, EXTRA))

    # rematch after importing the extra record
    p = run("db", "import", "--vulndb", vdb, extra_vdb_src)
    check(p.returncode == 0, "%s: import %s" % (label, EXTRA))
    p = run("inventory", "rematch", "--db", db, "--vulndb", vdb, "-f", "json")
    check(p.returncode == 0, "%s: rematch ran: %s" % (label, p.stderr))
    try:
        changes = json.loads(p.stdout)
    except ValueError:
        changes = []
    # new, or known before only as "unknown" (the CVE 5 record names busybox
    # without version data) and now affected
    new = [c for c in changes if c["cve"] == EXTRA and c["status"] == "affected" and
           (c["change"] == "new" or (c["change"] == "changed" and c["before"] == "unknown"))]
    want = sorted(oracle[EXTRA])
    got = sorted({f for c in new for f in c["files"].split()})
    check(got == want, "%s: rematch reports %s new for %s (got %s)" % (label, EXTRA, want, got))
    check(all(c["cve"] == EXTRA for c in changes),
          "%s: rematch reports nothing else: %s" % (label, [c["cve"] for c in changes]))
    check(files(rows(db, "--cve", EXTRA)) == want, "%s: --cve %s after rematch" % (label, EXTRA))
    p = run("inventory", "rematch", "--db", db, "--vulndb", vdb, "-f", "json")
    check(p.returncode == 0 and json.loads(p.stdout or "null") == [],
          "%s: a second rematch changes nothing" % label)
    answers["cve " + EXTRA] = rows(db, "--cve", EXTRA)

    # diff 1.0 -> 3.0: the real package changes
    p = run("inventory", "diff", "--db", db, "router-1.0.sqfs", "router-3.0.sqfs", "-f", "json")
    d = json.loads(p.stdout or "[]")
    a, b = package_versions("1.0"), package_versions("3.0")
    comp = {r["name"]: (r["change"], r["a"], r["b"]) for r in d if r["kind"] == "component"}
    binary = {n: v for n, v in comp.items() if n.endswith(" (binary)")}
    comp = {n: v for n, v in comp.items() if n not in binary}
    want = {n: ("upgraded", a[n], b[n]) for n in a if a[n] != b[n]}
    check(comp == want, "%s: diff components %s (got %s)" % (label, want, comp))
    # the programs' signatures give the upstream releases, upgraded too
    check("busybox (binary)" in binary and all(v[0] == "upgraded" for v in binary.values()),
          "%s: diff: binary components upgraded %s" % (label, binary))
    fixed = {r["name"] for r in d if r["kind"] == "finding" and r["change"] == "fixed"}
    check("svc.telnet-noauth" in fixed, "%s: diff: telnet root shell fixed (%s)" % (label, fixed))
    vf = {r["name"] for r in d if r["kind"] == "vulnerability" and r["change"] == "fixed"}
    want_vf = {c for c, h in oracle.items() if "router-1.0.sqfs" in h and "router-3.0.sqfs" not in h}
    check(want_vf <= vf and want_vf, "%s: diff: CVEs fixed %s (got %s)"
          % (label, sorted(want_vf), sorted(vf)))
    # by SHA-256 prefix, the other way round: the same changes, reversed
    sha = {r["file"]: r["sha256"] for r in before}
    p = run("inventory", "diff", "--db", db, sha["router-3.0.sqfs"][:10], sha["router-1.0.sqfs"][:10],
            "-f", "json")
    d2 = json.loads(p.stdout or "[]")
    comp2 = {r["name"]: r["change"] for r in d2 if r["kind"] == "component"}
    check(comp2 == {n: "downgraded" for n in list(want) + list(binary)},
          "%s: diff by sha256 prefix, reversed" % label)
    answers["diff"] = d
    p = run("inventory", "diff", "--db", db, "router-1.0.sqfs", "nosuch.bin", ok=False)
    check(p.returncode != 0 and "no image 'nosuch.bin'" in p.stderr, "%s: diff of an unknown image" % label)

    # end of support
    p = run("inventory", "eol", "--db", db, "--today", TODAY, "--within", "60", "-f", "json")
    e = json.loads(p.stdout or "[]")
    check(files(e) == ["router-1.0.sqfs"], "%s: eol: 1.0 ended, 3.0 far off, 2.0 has no date"
          % label)
    # later: 3.0's support ends within 60 days too
    p = run("inventory", "eol", "--db", db, "--today", "2031-05-15", "--within", "60", "-f", "json")
    e = json.loads(p.stdout or "[]")
    day = datetime.date(2031, 5, 15)
    want = [("router-%s.sqfs" % v, st, (datetime.date.fromisoformat(VERSIONS[v][1]) - day).days)
            for v, st in (("1.0", "ended"), ("3.0", "ending"))]
    check([(r["file"], r["state"], r["days"]) for r in e] == want,
          "%s: eol on 2031-05-15: %s" % (label, [(r["file"], r["state"], r["days"]) for r in e]))
    check(files(rows(db, "--eol", "--today", TODAY)) == ["router-1.0.sqfs"], "%s: query --eol" % label)
    answers["eol"] = e

    # the other criteria
    check(files(rows(db, "--finding", "svc.telnet-noauth")) == ["router-1.0.sqfs"],
          "%s: --finding svc.telnet-noauth" % label)
    check(files(rows(db, "--tag", "lab")) == ["router-1.0.sqfs"], "%s: --tag lab" % label)
    check(files(rows(db, "--vendor", "Acme", "--model", "R1")) == ["router-1.0.sqfs", "router-3.0.sqfs"],
          "%s: --vendor --model (2.0 was stored without them)" % label)
    r = rows(db, "--component", "busybox", "--version-range", ">=1.31,<1.37")
    check(files(r) == ["router-2.0.sqfs"], "%s: --component busybox --version-range" % label)
    answers["component"] = r
    kev = rows(db, "--kev")
    with open(os.path.join(DATA, "kev", "known_exploited_vulnerabilities.json")) as f:
        kevset = {v["cveID"] for v in json.load(f)["vulnerabilities"]}
    want_kev = sorted({(img, c) for c, h in oracle.items() if c in kevset for img in h})
    check(sorted({(r["file"], r["cve"]) for r in kev}) == want_kev,
          "%s: --kev lists exactly the affected CVEs in KEV (%s)" % (label, want_kev))
    answers["kev"] = kev
    for fmt in ("csv", "table"):
        p = run("inventory", "query", "--db", db, "--cve", EXTRA, "-f", fmt)
        check(p.returncode == 0 and "router-1.0.sqfs" in p.stdout, "%s: -f %s" % (label, fmt))
        answers["fmt " + fmt] = p.stdout
    p = run("inventory", "query", "--db", db, "--component", "x", "--version-range", "nonsense", ok=False)
    check(p.returncode != 0 and p.stderr.startswith("iotaudit: "), "%s: bad version range" % label)

    # concurrent writers: 4 processes x 6 images, then a resumable batch
    variants = []
    vdir = os.path.join(work, "variants-" + label)
    os.makedirs(vdir, exist_ok=True)
    for i in range(32):
        base = imgs[("1.0", "2.0", "3.0")[i % 3]]
        dst = os.path.join(vdir, "unit-%02d.sqfs" % i)
        shutil.copyfile(base, dst)
        with open(dst, "ab") as f:  # a distinct SHA-256, the same file system
            f.write(b"\0unit %d\0" % i)
        variants.append(dst)
    procs = [subprocess.Popen([IOTAUDIT, "inventory", "add", "--db", db, "--vulndb", vdb, "-j", "1"]
                              + variants[k * 6:(k + 1) * 6], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(4)]
    outs = [p.communicate(timeout=600) for p in procs]
    check(all(p.returncode == 0 for p in procs) and all("6 added" in e for _, e in outs),
          "%s: 4 concurrent writers: %s" % (label, [e.strip() for _, e in outs]))
    lst = os.path.join(work, "list-" + label)
    with open(lst, "w") as f:
        f.write("# the fleet\n" + "\n".join(variants) + "\n")
    p = run("scan", "--batch", lst, "-j", "3", "--store", db, "--vulndb", vdb)
    check(p.returncode == 0 and "32 images: 8 added, 24 already stored, 0 failed" in p.stderr,
          "%s: batch resumes: %s" % (label, p.stderr.strip()))
    all_rows = rows(db)
    check(len(all_rows) == 35, "%s: 3 + 32 images stored, none lost (%d)" % (label, len(all_rows)))
    check(all(r["components"] >= 4 for r in all_rows),
          "%s: every image has its 4 package components" % label)
    got = files(rows(db, "--cve", EXTRA))
    want = sorted(set(oracle[EXTRA]) | {os.path.basename(v) for i, v in enumerate(variants)
                                        if ("1.0", "2.0", "3.0")[i % 3] != "3.0"})
    check(got == want, "%s: the variants are matched too" % label)
    answers["after writers"] = [{k: v for k, v in r.items() if k != "scanned_at"} for r in all_rows]
    return answers


def main():
    if not all(os.path.exists(os.path.join(FLEET, "router-%s.sqfs" % v)) for v in VERSIONS):
        skip("no fleet fixtures in %s (tests/fixtures/make-fleet-fixtures.sh)" % FLEET)
    if not os.path.isdir(os.path.join(DATA, "nvd", "records")):
        skip("no vulnerability records in %s (IOTA_SHARED_DIR)" % DATA)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    work = tempfile.mkdtemp(dir=WORK)
    os.chmod(work, 0o755)

    # the vulnerability records, with one held back for rematch
    recs = os.path.join(work, "nvd")
    os.makedirs(recs)
    extra = os.path.join(work, "extra")
    os.makedirs(extra)
    for n in os.listdir(os.path.join(DATA, "nvd", "records")):
        shutil.copy(os.path.join(DATA, "nvd", "records", n), extra if n.startswith(EXTRA) else recs)
    versions_by_image = {"router-%s.sqfs" % v: package_versions(v) for v in VERSIONS}
    oracle = {}
    for n in sorted(os.listdir(os.path.join(DATA, "nvd", "records"))):
        hits = nvd_affected(os.path.join(DATA, "nvd", "records", n), versions_by_image)
        if hits:
            oracle[n[:-5]] = hits
    check(EXTRA in oracle and len(oracle) >= 5, "the oracle knows CVEs of the fleet: %s" % sorted(oracle))

    def vulndb(name):
        path = os.path.join(work, name)
        p = run("db", "import", "--vulndb", path, recs, os.path.join(DATA, "cve5"),
                os.path.join(DATA, "kev", "known_exploited_vulnerabilities.json"))
        check(p.returncode == 0, "db import: " + p.stderr[-300:])
        return path

    results = {}
    results["sqlite"] = exercise(os.path.join(work, "inventory.db"), vulndb("vuln-sqlite.db"),
                                 extra, work, oracle, "sqlite")
    pg = Postgres(work)
    try:
        if pg.start():
            results["postgresql"] = exercise(pg.createdb("fleet"), vulndb("vuln-pg.db"), extra, work,
                                             oracle, "postgresql")
        else:
            print("SKIP (PostgreSQL part): " + pg.why)
    finally:
        pg.stop()
    if "postgresql" in results:
        a, b = results["sqlite"], results["postgresql"]
        for k in sorted(a):
            check(a[k] == b[k], "both backends answer '%s' the same" % k)
    rc = finish()
    if rc == 0:
        shutil.rmtree(WORK, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
