#!/usr/bin/env python3
"""SBOM outputs and vulnerability matching at scan time, end to end.

    sbom_formats.py IOTAUDIT FIXTURES WORKDIR SHARED

The fixture root file system (real Debian bookworm busybox:mipsel,
dropbear-bin:armhf, zlib1g:mipsel, dnsmasq-base:arm64 unpacked, with an init
script starting dropbear) gets what a Debian system has beside its files: a
dpkg status database made from the .debs' own control fields, and each
package's file list (var/lib/dpkg/info/PKG.list from `dpkg-deb -c`). libc6's
stanza is this machine's real one (its files are not in the image). The tree
is packed with mksquashfs and scanned against a database imported from the
real NVD, CVE 5 and KEV records in SHARED/data.

Checks: expected matches of real records (busybox 1.35.0 and CVE-2022-48174,
dropbear 2022.83 and Terrapin CVE-2023-48795 as an unknown candidate, glibc
2.36 and CVE-2023-4911 in KEV), none where the version is outside the range
(dnsmasq 2.90), exposure (dropbear: listening, started by rcS; zlib: none,
nothing of its architecture loads it; libc6: unknown, its files are absent),
every CycloneDX and SPDX document valid against the official schemas (no
network: the referenced spdx and jsf schemas come from SHARED/schemas),
determinism (two runs byte-identical), and that `db match --sbom` gives the
scan's matches again (and the same CycloneDX bytes). Skips (77) when the
fixtures, the shared data or the tools are missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2ecommon import check, finish, skip  # noqa: E402


def run(args, **kw):
    return subprocess.run(args, capture_output=True, timeout=600, **kw)


def make_image(fixtures, work):
    root = os.path.join(work, "root")
    img = os.path.join(work, "dpkg-router.sqfs")
    if os.path.exists(img):
        return img
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(os.path.join(fixtures, "rootfs"), root, symlinks=True)
    info = os.path.join(root, "var/lib/dpkg/info")
    os.makedirs(info, exist_ok=True)
    debs = sorted(os.path.join(fixtures, "debs", d) for d in os.listdir(os.path.join(fixtures, "debs"))
                  if d.endswith(".deb"))
    stanzas = []
    for deb in debs:
        ctl = run(["dpkg-deb", "-f", deb]).stdout.decode()
        lines = ctl.rstrip("\n").split("\n")
        stanzas.append("\n".join(lines[:1] + ["Status: install ok installed"] + lines[1:]))
        field = lambda f: run(["dpkg-deb", "-f", deb, f]).stdout.decode().strip()  # noqa: E731
        pkg, arch, ma = field("Package"), field("Architecture"), field("Multi-Arch")
        name = "%s:%s" % (pkg, arch) if ma == "same" else pkg
        paths = []
        listing = run(["sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -t", "sh", deb])
        for line in listing.stdout.decode().splitlines():
            p = "/" + line.lstrip("./").rstrip("/")
            paths.append("/." if p == "/" else p)
        with open(os.path.join(info, name + ".list"), "w") as f:
            f.write("\n".join(paths) + "\n")
    libc = run(["dpkg-query", "-s", "libc6"])
    if libc.returncode == 0:
        keep = [l for l in libc.stdout.decode().split("\n")
                if l and not l.startswith(" ") and not l.startswith("Conffiles")]
        stanzas.append("\n".join(keep))
    with open(os.path.join(root, "var/lib/dpkg/status"), "w") as f:
        f.write("\n\n".join(stanzas) + "\n")
    p = run(["mksquashfs", root, img + ".tmp", "-comp", "xz", "-all-root", "-noappend", "-quiet",
             "-no-progress", "-processors", "2", "-mkfs-time", "1700000000", "-all-time", "1700000000"])
    if p.returncode != 0:
        print(p.stderr.decode())
        sys.exit(1)
    os.rename(img + ".tmp", img)
    return img


def validators(schemas):
    from jsonschema import Draft7Validator
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:
        skip("python3-referencing is missing (jsonschema >= 4.18 needed for offline $ref)")
    reg = Registry()
    for f in ("spdx.schema.json", "jsf-0.82.schema.json", "bom-1.6.schema.json"):
        d = json.load(open(os.path.join(schemas, f)))
        r = Resource.from_contents(d, default_specification=DRAFT7)
        reg = reg.with_resource(f, r)
        if "$id" in d:
            reg = reg.with_resource(d["$id"], r)
    cdx = Draft7Validator(json.load(open(os.path.join(schemas, "bom-1.6.schema.json"))), registry=reg)
    spdx = Draft7Validator(json.load(open(os.path.join(schemas, "spdx-2.3-schema.json"))))
    return cdx, spdx


def valid(v, doc, what):
    errs = list(v.iter_errors(doc))
    for e in errs[:5]:
        print("  %s: %s: %s" % (what, list(e.absolute_path), e.message[:200]))
    check(not errs, "%s validates against its schema (%d errors)" % (what, len(errs)))


def comp(doc, name):
    """The package-database component of that name (binary signatures may
    name the same product: busybox)."""
    cs = [c for c in doc["components"] if c["name"] == name]
    cs.sort(key=lambda c: not (c.get("purl") or "").startswith(("pkg:deb", "pkg:apk", "pkg:opkg")))
    return cs[0] if cs else None


def vuln(c, cve):
    return next((v for v in (c or {}).get("vulnerabilities", []) if v["id"] == cve), None)


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    iotaudit, fixtures, work, shared = sys.argv[1:]
    shared = os.environ.get("IOTA_SHARED_DIR") or shared
    data, schemas = os.path.join(shared, "data"), os.path.join(shared, "schemas")
    if not os.path.isdir(data) or not os.path.isdir(schemas):
        skip("no shared data or schemas at %s (set IOTA_SHARED_DIR)" % shared)
    if not os.path.isdir(os.path.join(fixtures, "rootfs")) or not os.path.isdir(os.path.join(fixtures, "debs")):
        skip("fixtures not built in %s" % fixtures)
    for tool in ("mksquashfs", "dpkg-deb"):
        if not shutil.which(tool):
            skip("%s is missing" % tool)
    os.makedirs(work, exist_ok=True)
    cdx_v, spdx_v = validators(schemas)

    db = os.path.join(work, "vuln.db")
    if os.path.exists(db):
        os.remove(db)
    p = run([iotaudit, "db", "import", "--vulndb", db, os.path.join(data, "nvd", "nvd-subset.json"),
             os.path.join(data, "cve5"), os.path.join(data, "kev", "known_exploited_vulnerabilities.json")])
    check(p.returncode == 0, "db import: %s" % p.stderr.decode()[-300:])
    img = make_image(fixtures, work)
    env = dict(os.environ, HOME=work, XDG_DATA_HOME=os.path.join(work, "nodata"))

    out = {}
    for fmt in ("json", "cyclonedx", "spdx", "text"):
        runs = [run([iotaudit, "scan", img, "--vulndb", db, "--format", fmt], env=env) for _ in range(2)]
        check(all(r.returncode == 0 for r in runs), "scan --format %s exits 0: %s" % (fmt, runs[0].stderr.decode()[-300:]))
        check(runs[0].stdout == runs[1].stdout, "scan --format %s: two runs byte-identical" % fmt)
        out[fmt] = runs[0].stdout.decode()
    rep = json.loads(out["json"])
    outs = []
    for order in ("json,cyclonedx,spdx", "spdx,cyclonedx,json"):
        d = os.path.join(work, "out-" + order.replace(",", "-"))
        shutil.rmtree(d, ignore_errors=True)
        p = run([iotaudit, "scan", img, "--vulndb", db, "--format", order, "-o", d], env=env)
        outs.append([open(os.path.join(d, "report." + e), "rb").read() if p.returncode == 0 else b""
                     for e in ("json", "cdx.json", "spdx.json")])
    check(outs[0] == outs[1] and outs[0][0] == out["json"].encode(),
          "the order of formats does not change any report")

    # ---- matches of real records ----
    bb, drop, libc, z, dns = (comp(rep, n) for n in ("busybox", "dropbear-bin", "libc6", "zlib1g", "dnsmasq-base"))
    check(all((bb, drop, libc, z, dns)), "the five dpkg packages are components")
    m = vuln(bb, "CVE-2022-48174")
    check(m and m["status"] == "affected" and m["confidence"] == "confirmed" and m["cvss3"]["score"] >= 9.8,
          "busybox 1:1.35.0-4+deb12u1+b1: CVE-2022-48174 affected (NVD <= 1.36.1), CVSS 9.8")
    check(m and any(e["source"] == "nvd-cpe" and "1.36.1" in e.get("range", "") for e in m["evidence"]),
          "CVE-2022-48174 carries NVD's range as evidence")
    check(m and "distro build" in m["status_text"], "upstream verdicts on a Debian build say so")
    check(vuln(bb, "CVE-2023-42366") is None, "busybox 1.35.0: no CVE-2023-42366 (1.36.1 only)")
    m = vuln(drop, "CVE-2023-48795")
    check(m and m["status"] == "unknown" and m["confidence"] == "candidate" and
          any(e["source"] == "description" and "Dropbear through 2022.83" in e.get("note", "") for e in m["evidence"]),
          "dropbear 2022.83: Terrapin CVE-2023-48795 as a candidate from the description's words")
    # libc6's stanza is this machine's: the glibc checks need bookworm's 2.36-9+deb12uN (N >= 3)
    lv = re.match(r"2\.36-9\+deb12u(\d+)$", (libc or {}).get("version", ""))
    bookworm_libc = bool(lv) and int(lv.group(1)) >= 3
    if not bookworm_libc:
        print("SKIP (part): this machine's libc6 is not bookworm's 2.36-9+deb12uN: glibc checks left out")
    m = vuln(libc, "CVE-2023-4911")
    check(not bookworm_libc or (m and m["status"] == "affected" and m["kev"]["listed"] and
                                m["kev"]["due"] == "2023-12-12"),
          "libc6 (glibc 2.36): CVE-2023-4911 affected and in KEV (due 2023-12-12)")
    check(dns and dns.get("vulnerabilities") == [],
          "dnsmasq 2.90: no match (CVE-2023-28450 and CVE-2023-50387 were fixed in 2.90)")
    check(z and z.get("vulnerabilities") == [], "zlib 1.2.13: no record of these concerns it")
    check(any(f.get("attributes", {}).get("sbom.ecosystem") == "Debian:12" for f in rep["files"]),
          "the Debian release (12) is worked out from the image")
    check(rep.get("vulndb", "").startswith("57 CVE records"), "the report names the database: %s" % rep.get("vulndb"))

    # ---- exposure ----
    check(drop and drop["exposure"] == "listening" and drop.get("exposure_via", "").endswith("/usr/sbin/dropbear"),
          "dropbear: listening (started by etc/init.d/rcS), via /usr/sbin/dropbear")
    check(bb and bb["exposure"] == "listening", "busybox: listening (telnetd/httpd applets)")
    check(z and z["exposure"] == "none", "zlib1g:mipsel: none (no mipsel program loads libz)")
    check(not libc or libc["exposure"] == "unknown", "libc6: unknown (its files are not in the image)")
    check(dns and dns["exposure"] == "local", "dnsmasq-base: local (a program nothing starts)")

    # ---- text ----
    t = out["text"]
    check("Vulnerabilities (" in t and "CVE-2022-48174" in t and "listening" in t and
          (not bookworm_libc or ("CVE-2023-4911" in t and "2023-12-12" in t)),
          "the text report lists the matches with KEV due date and exposure")

    # ---- CycloneDX ----
    cdx = json.loads(out["cyclonedx"])
    valid(cdx_v, cdx, "CycloneDX")
    broken = json.loads(out["cyclonedx"])
    broken["vulnerabilities"][0]["analysis"]["state"] = "affected"
    check(list(cdx_v.iter_errors(broken)), "the CycloneDX validator rejects a state the schema lacks")
    sha = rep["input"]["sha256"]
    check(cdx["metadata"]["component"]["hashes"][0]["content"] == sha, "metadata component: the image's SHA-256")
    check(cdx["serialNumber"].startswith("urn:uuid:" + sha[:8]), "serial number derived from the image hash")
    check("timestamp" not in cdx["metadata"], "no timestamp")
    refs = {c["bom-ref"] for c in cdx["components"]}
    check(all(d["ref"] in refs and set(d["dependsOn"]) <= refs for d in cdx["dependencies"]),
          "dependencies name only components")
    cd = next(c for c in cdx["components"] if c["name"] == "dropbear-bin")
    check(cd["purl"].startswith("pkg:deb/debian/dropbear-bin@2022.83") and
          cd["evidence"]["identity"][0]["methods"][0]["technique"] == "manifest-analysis" and
          cd["evidence"]["occurrences"][0]["location"].endswith("squashfs:/var/lib/dpkg/status"),
          "dropbear-bin: purl, manifest evidence, occurrence at the dpkg status")
    vx = [v for v in cdx["vulnerabilities"] if v["id"] == "CVE-2023-4911"]
    props = {p["name"]: p["value"] for p in vx[0]["properties"]} if vx else {}
    check(not bookworm_libc or vx and vx[0]["analysis"]["state"] == "exploitable" and props.get("iotaudit:kev") == "true" and
          any(r["method"] == "CVSSv31" and r["vector"].startswith("CVSS:3.1/") for r in vx[0]["ratings"]),
          "CVE-2023-4911: exploitable, KEV property, CVSS 3.1 rating with vector")
    vt = [v for v in cdx["vulnerabilities"] if v["id"] == "CVE-2023-48795"]
    check(vt and vt[0]["analysis"]["state"] == "in_triage" and
          {p["name"]: p["value"] for p in vt[0]["properties"]}.get("iotaudit:exposure") == "listening",
          "Terrapin: in triage (unknown), exposure listening")
    n_scan = sum(len(c.get("vulnerabilities", [])) for c in rep["components"])
    check(len(cdx["vulnerabilities"]) == n_scan, "one CycloneDX vulnerability per (CVE, component) of the scan")

    # ---- SPDX ----
    spdx = json.loads(out["spdx"])
    valid(spdx_v, spdx, "SPDX")
    check(spdx["documentNamespace"].endswith(sha), "documentNamespace from the image hash")
    types = {r["relationshipType"] for r in spdx["relationships"]}
    check({"DESCRIBES", "CONTAINS"} <= types, "DESCRIBES and CONTAINS relationships")
    sp = next((p for p in spdx["packages"] if p["name"] == "dropbear-bin"), None)
    check(sp and drop and sp["versionInfo"] == drop["version"] and drop["version"].startswith("2022.83-") and
          any(r["referenceType"] == "purl" for r in sp["externalRefs"]), "dropbear-bin: versionInfo and purl")
    check(any(f["fileName"].endswith("/usr/sbin/dropbear") for f in spdx.get("files", [])),
          "the dropbear binary is a file of its package, with its checksum")

    # ---- db match --sbom ----
    sb = os.path.join(work, "scan.cdx.json")
    with open(sb, "w") as f:
        f.write(out["cyclonedx"])
    p = run([iotaudit, "db", "match", "--vulndb", db, "--sbom", sb, "--format", "json"])
    check(p.returncode == 0, "db match --sbom exits 0: %s" % p.stderr.decode()[-300:])
    re_ = json.loads(p.stdout) if p.returncode == 0 else {"components": []}
    want = sorted((c["name"], v["id"], v["status"], v["confidence"], c["exposure"])
                  for c in rep["components"] for v in c.get("vulnerabilities", []))
    got = sorted((c["name"], v["id"], v["status"], v["confidence"], c["exposure"])
                 for c in re_["components"] for v in c["vulnerabilities"])
    check(want and want == got, "db match --sbom gives the scan's matches (%d)" % len(want))
    p = run([iotaudit, "db", "match", "--vulndb", db, "--sbom", sb, "--format", "cyclonedx"])
    check(p.returncode == 0 and p.stdout.decode() == out["cyclonedx"],
          "db match --sbom --format cyclonedx reproduces the scan's document byte for byte")
    p = run([iotaudit, "db", "match", "--vulndb", db, "--sbom", sb])
    check(p.returncode == 0 and "CVE-2023-48795" in p.stdout.decode(), "db match --sbom text lists the matches")
    bad = os.path.join(work, "not-cdx.json")
    with open(bad, "w") as f:
        f.write(out["spdx"])
    p = run([iotaudit, "db", "match", "--vulndb", db, "--sbom", bad])
    err = p.stderr.decode()
    check(p.returncode == 3 and err.startswith("iotaudit: ") and err.count("\n") == 1,
          "an SPDX file given as --sbom: one line, exit 3 (%r)" % err)

    # ---- without a database ----
    p = run([iotaudit, "scan", img, "--format", "json"], env=env)
    plain = json.loads(p.stdout)
    check(p.returncode == 0 and "vulndb" not in plain and
          all("vulnerabilities" not in c for c in plain["components"]),
          "no database (none at the default path): no matching, no vulnerabilities key")
    p = run([iotaudit, "scan", img, "--vulndb", db, "--no-vulndb", "--format", "cyclonedx"], env=env)
    nd = json.loads(p.stdout)
    check(p.returncode == 0 and "vulnerabilities" not in nd, "--no-vulndb: an SBOM without vulnerabilities")
    valid(cdx_v, nd, "CycloneDX without matches")
    p = run([iotaudit, "scan", img, "--vulndb", os.path.join(work, "missing.db")], env=env)
    check(p.returncode == 3 and p.stderr.decode().startswith("iotaudit: "), "a missing --vulndb file: exit 3")

    # ---- a distribution's statement decides for its build ----
    # Debian's record of CVE-2023-4911 for bookworm (security-tracker, DSA-5514-1): fixed in
    # glibc 2.36-9+deb12u3, in OSV's shape. The libc6 stanza (this machine's) is a later update.
    osv = os.path.join(work, "DEBIAN-CVE-2023-4911.json")
    with open(osv, "w") as f:
        json.dump({"schema_version": "1.6.0", "id": "DEBIAN-CVE-2023-4911", "modified": "2023-10-03T18:15:10Z",
                   "aliases": ["CVE-2023-4911"],
                   "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
                                 "ranges": [{"type": "ECOSYSTEM",
                                             "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u3"}]}]}]}, f)
    db2 = os.path.join(work, "vuln-osv.db")
    shutil.copyfile(db, db2)
    p = run([iotaudit, "db", "import", "--vulndb", db2, osv])
    check(p.returncode == 0, "db import of the OSV record")
    libc_ver = (libc or {}).get("version", "")
    p = run([iotaudit, "scan", img, "--vulndb", db2, "--format", "json"], env=env)
    r2 = json.loads(p.stdout)
    m = vuln(comp(r2, "libc6"), "CVE-2023-4911")
    check(not bookworm_libc or m and m["status"] == "not affected" and any(e["source"] == "osv" for e in m["evidence"]),
          "libc6 %s: Debian's fix (2.36-9+deb12u3) makes CVE-2023-4911 not affected" % libc_ver)
    m = vuln(comp(r2, "busybox"), "CVE-2022-48174")
    check(m and m["status"] == "affected", "busybox: no Debian statement, the upstream verdict stays")
    p = run([iotaudit, "scan", img, "--vulndb", db2, "--format", "cyclonedx"], env=env)
    c2 = json.loads(p.stdout)
    valid(cdx_v, c2, "CycloneDX with a not_affected statement")
    vx = [v for v in c2["vulnerabilities"] if v["id"] == "CVE-2023-4911"]
    check(not bookworm_libc or vx and vx[0]["analysis"]["state"] == "not_affected" and
          vx[0]["analysis"].get("justification") == "code_not_present" and
          vx[0]["affects"][0]["versions"][0]["status"] == "unaffected",
          "VEX: CVE-2023-4911 not_affected (code_not_present) for libc6")

    # ---- the fixture images: valid documents ----
    for name in ("router.bin", "rootfs.cpio.xz", "rootfs.ext4.gz", "firmware-update.zip"):
        path = os.path.join(fixtures, name)
        if not os.path.exists(path):
            continue
        for fmt, v in (("cyclonedx", cdx_v), ("spdx", spdx_v)):
            p = run([iotaudit, "scan", path, "--vulndb", db, "--format", fmt], env=env)
            check(p.returncode == 0, "%s --format %s exits 0" % (name, fmt))
            if p.returncode == 0:
                valid(v, json.loads(p.stdout), "%s %s" % (name, fmt))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
