#!/usr/bin/env python3
"""End-to-end test of the SARIF, HTML and CSV reports.

usage: reports.py IOTAUDIT FIXTURES_DIR WORKDIR [SHARED_DIR]

Scans the fixture images (the analyzers' planted SquashFS tree, router.bin)
and a directory made here with hostile file names (markup, quotes, bytes
that are not UTF-8) with `--format sarif,html,csv,json -o DIR`, and checks:

  SARIF  validates against SHARED_DIR/schemas/sarif-schema-2.1.0.json
         (python3-jsonschema; that step is skipped with a message when the
         shared folder is absent); one result per finding of the JSON report
         plus one per vulnerability match; every ruleIndex names the rule of
         its ruleId; logical locations are the origin chain; artifact URIs
         are percent-encoded; the same scan gives the same bytes.
  CSV    parses with the csv module; without an assessment a header and one
         row per finding, with one (--profile consumer, when the scan command
         has it) one row per provision of the profile, with a known verdict.
  HTML   loads nothing from elsewhere (no http(s) or protocol-relative src or
         href, no <script>, no <link>, no @import or url()), has no element
         or event-handler attribute made from a file name (parsed with
         html.parser), shows the hostile names as text; and a headless
         Chromium screenshot (Debian's chromium) is a 1280x2000 PNG with the
         header's and the charts' colours in it, not a blank page (skipped
         with a message when chromium is missing or cannot start).

Prints 'N passed, N failed'; exits 1 on failure, 77 when no image exists.
"""
import csv
import html.parser
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

from e2ecommon import check, finish, skip

HOSTILE = [
    "<img src=x onerror=alert(1)>\"'&.conf.bak",
    "'><svg onload=alert(2)>.old",
]
HOSTILE_BYTES = b"\xff\xfe<b>bold.bak"


def make_hostile(root):
    """A small root file system whose weaknesses sit in files with hostile names."""
    if os.path.isdir(root):
        shutil.rmtree(root)
    for d in ("etc", "bin", "www"):
        os.makedirs(os.path.join(root, d))
    files = {
        "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
        "etc/shadow": "root::19000:0:99999:7:::\n",
        "bin/busybox": "placeholder\n",
    }
    for name in HOSTILE:
        files["etc/" + name] = "password=secret\n"
    for rel, text in files.items():
        with open(os.path.join(root, rel), "w") as f:
            f.write(text)
    with open(os.path.join(os.fsencode(root), b"etc/" + HOSTILE_BYTES), "wb") as f:
        f.write(b"x=1\n")
    ww = os.path.join(root, "www", HOSTILE[0])
    with open(ww, "w") as f:
        f.write("<html></html>\n")
    os.chmod(ww, 0o666)


def run(iotaudit, img, out, extra):
    if os.path.isdir(out):
        shutil.rmtree(out)
    p = subprocess.run([iotaudit, "scan", img, "--format", "sarif,html,csv,json", "-o", out]
                       + extra, capture_output=True, timeout=600)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def read(path, mode="r"):
    with open(path, mode, **({} if "b" in mode else {"newline": ""})) as f:
        return f.read()


# ---- SARIF ----

def check_sarif(name, sarif, doc, schema, assessed):
    if schema is not None:
        import jsonschema
        try:
            jsonschema.validate(sarif, schema)
            check(True, "")
        except jsonschema.ValidationError as e:
            check(False, "%s: SARIF does not validate: %s at %s" % (name, e.message,
                                                                   list(e.absolute_path)))
    check(sarif.get("version") == "2.1.0" and len(sarif.get("runs", [])) == 1,
          "%s: one SARIF 2.1.0 run" % name)
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"].get("rules", [])
    results = run_.get("results", [])
    vulns = [r for r in results if r["ruleId"].startswith("CVE-")]
    finds = [r for r in results if not r["ruleId"].startswith("CVE-")]
    nmatch = sum(len(c.get("vulnerabilities", c.get("vulns", [])) or [])
                 for c in doc.get("components", []) if isinstance(c, dict))
    check(len(finds) == len(doc["findings"]),
          "%s: %d finding results, the JSON report has %d findings" % (name, len(finds),
                                                                      len(doc["findings"])))
    if nmatch:
        check(len(vulns) == nmatch, "%s: %d CVE results for %d matches" % (name, len(vulns),
                                                                          nmatch))
    # the same findings: check ids and severities
    got = sorted((r["properties"]["check"], r["properties"]["severity"]) for r in finds)
    want = sorted((f["check"], f["severity"]) for f in doc["findings"])
    check(got == want, "%s: SARIF results are the JSON findings" % name)
    ids = [r["id"] for r in rules]
    check(len(ids) == len(set(ids)), "%s: rule ids are unique" % name)
    bad = [r["ruleId"] for r in results
           if r.get("ruleIndex") is None or rules[r["ruleIndex"]]["id"] != r["ruleId"]]
    check(not bad, "%s: ruleIndex names the rule of ruleId (wrong: %s)" % (name, bad[:3]))
    lev = {"critical": "error", "high": "error", "medium": "warning", "low": "note",
           "info": "note"}
    wrong = [r["ruleId"] for r in finds if r["level"] != lev[r["properties"]["severity"]]]
    check(not wrong, "%s: level follows severity (wrong: %s)" % (name, wrong[:3]))
    logical = run_.get("logicalLocations", [])
    uri_ok = re.compile(r"^[A-Za-z0-9\-._~/%]+$")
    for r in results:
        for loc in r.get("locations", []):
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            if not uri_ok.match(uri):
                check(False, "%s: artifact URI not percent-encoded: %r" % (name, uri))
            for ll in loc.get("logicalLocations", []):
                fq = logical[ll["index"]]["fullyQualifiedName"]
                if fq != ll["fullyQualifiedName"] or fq != r["properties"].get("origin", fq):
                    check(False, "%s: logical location %r is not the origin %r"
                          % (name, fq, r["properties"].get("origin")))
    # the chain: every parent is listed before its child and is a prefix of it
    chain_ok = all("parentIndex" not in l or (l["parentIndex"] < i and l["fullyQualifiedName"]
                   .startswith(logical[l["parentIndex"]]["fullyQualifiedName"].rstrip("/")))
                   for i, l in enumerate(logical))
    check(chain_ok, "%s: logical locations form the origin chain" % name)
    if assessed:
        cat = [r for r in rules if r.get("properties", {}).get("provisions")]
        check(len(cat) > 0, "%s: catalog checks are rules with the provisions they serve" % name)
        helped = [r for r in cat if "Why it matters" in r.get("help", {}).get("text", "")
                  and "How to fix" in r["help"]["text"]]
        check(len(helped) == len(cat), "%s: every catalog rule has why/fix help" % name)
        check(len(run_.get("taxonomies", [])) > 0, "%s: the standards are taxonomies" % name)
    else:
        check(set(ids) >= set(f["check"] for f in doc["findings"]),
              "%s: without an assessment, one rule per finding check id" % name)


# ---- CSV ----

def check_csv(name, text, doc, sarif, assessed):
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(text.endswith("\r\n") or not text, "%s: CSV lines end in CRLF" % name)
    head = rows[0] if rows else []
    widths = set(len(r) for r in rows)
    check(len(widths) == 1, "%s: every CSV row has %d fields (%s)" % (name, len(head), widths))
    if not assessed:
        check(head[:3] == ["check", "severity", "confidence"],
              "%s: finding CSV header (%s)" % (name, head))
        check(len(rows) - 1 == len(doc["findings"]),
              "%s: %d CSV rows for %d findings" % (name, len(rows) - 1, len(doc["findings"])))
        return rows
    check(head[:6] == ["standard", "provision", "title", "obligation", "verify", "verdict"],
          "%s: matrix header (%s)" % (name, head))
    std = sarif["runs"][0]["properties"]["assessment"]["standards"]
    verdicts = ("pass", "fail", "needs-evidence", "not-applicable", "accepted")
    nprov = sum(sum(s[v] for v in verdicts) for s in std)
    check(len(rows) - 1 == nprov and nprov > 0,
          "%s: %d CSV rows for %d provisions of the profile" % (name, len(rows) - 1, nprov))
    a = doc.get("assessment")
    if isinstance(a, dict) and isinstance(a.get("standards"), list):
        n = 0
        for s in a["standards"]:
            for key in ("provisions", "results"):
                if isinstance(s.get(key), list):
                    n += len(s[key])
                    break
        if n:
            check(n == len(rows) - 1, "%s: JSON lists %d provisions, CSV %d"
                  % (name, n, len(rows) - 1))
    check(all(r[5] in verdicts for r in rows[1:]), "%s: every verdict is known" % name)
    check(set(r[0] for r in rows[1:]) == set(s["standard"] for s in std),
          "%s: the CSV covers the profile's standards" % name)
    return rows


# ---- HTML ----

class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attrs = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)

    def handle_data(self, data):
        self.text.append(data)


def check_html(name, text, hostile):
    ext = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    check(not ext, "%s: no external src/href (%s)" % (name, ext[:3]))
    check("@import" not in text and "url(" not in text, "%s: no @import or url() in CSS" % name)
    p = Tags()
    p.feed(text)
    p.close()
    bad = [t for t in p.tags if t in ("script", "img", "iframe", "object", "embed", "link",
                                      "base", "form", "meta") and t != "meta"]
    check(not bad, "%s: no script/img/iframe/link elements (%s)" % (name, bad[:5]))
    on = [(t, k) for t, k, v in p.attrs if k.startswith("on")]
    check(not on, "%s: no event-handler attributes (%s)" % (name, on[:5]))
    check(p.tags.count("section") >= 6 and "svg" in p.tags,
          "%s: sections and SVG charts present" % name)
    body = "".join(p.text)
    for h in hostile:
        check(h in body, "%s: hostile name shown as text: %r" % (name, h))
        check(h not in text, "%s: hostile name not written raw: %r" % (name, h))
    if hostile:
        check("\\xff\\xfe&lt;b&gt;bold.bak" in text,
              "%s: bytes that are not UTF-8 shown as \\xNN" % name)


def png_pixels(data):
    """(width, height, set of RGB colours) of an 8-bit RGB/RGBA PNG (zlib only)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if w is None or depth != 8 or ctype not in (2, 6):
        return None
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        if y % 2 == 0:
            mv = bytes(line)
            for i in range(0, stride, bpp * 2):
                colours.add(mv[i:i + 3])
        prev = line
    return w, h, colours


def screenshot(html_path, png, workdir):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("SKIP: screenshot: chromium is not installed (apt-get install chromium; "
              "scripts/install-deps does it)")
        return
    profile = os.path.join(workdir, "chromium-profile")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1280,2000",
           "file://" + os.path.abspath(html_path)]
    if os.path.exists(png):
        os.unlink(png)
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=180)
    except (OSError, subprocess.TimeoutExpired) as e:
        print("SKIP: screenshot: chromium cannot run here: %s" % e)
        return
    if not os.path.exists(png):
        print("SKIP: screenshot: chromium wrote no file (exit %d): %s"
              % (p.returncode, p.stderr.decode("utf-8", "replace").strip()[-300:]))
        return
    px = png_pixels(read(png, "rb"))
    check(px is not None, "screenshot is an 8-bit RGB(A) PNG")
    if not px:
        return
    w, h, colours = px
    check((w, h) == (1280, 2000), "screenshot is 1280x2000 (%dx%d)" % (w, h))
    check(len(colours) >= 64, "screenshot is not blank: %d distinct colours" % len(colours))
    # the header band and the severity chart's bars were drawn
    for rgb, what in (((0x1c, 0x2b, 0x3a), "header"), ((0xc6, 0x28, 0x28), "critical bar"),
                      ((0x5c, 0x6b, 0xc0), "category bars")):
        check(bytes(rgb) in colours, "screenshot shows the %s colour #%02x%02x%02x" % ((what,) + rgb))


TAILORING = """accept:
  - finding: cfg.backup-file
    justification: "removed in release 2.1, <b>tracked</b>"
    compensating_control: "no shell access"
    owner: "firmware team"
    expires: %s
"""


def check_tailoring(iotaudit, img, work):
    """An accepted finding id: every one of its findings is a suppressed SARIF
    result with the justification, marked in the HTML; expired, none is."""
    for expires, live in (("2099-12-31", True), ("2001-01-01", False)):
        path = os.path.join(work, "tailoring-%s.yaml" % expires)
        with open(path, "w") as f:
            f.write(TAILORING % expires)
        out = os.path.join(work, "out-tailoring-%s" % expires)
        rc, err = run(iotaudit, img, out, ["--profile", "consumer", "--tailoring", path])
        name = "tailoring until %s" % expires
        check(rc == 0, "%s: exit %d: %s" % (name, rc, err.strip()[-300:]))
        if rc != 0:
            continue
        sarif = json.loads(read(os.path.join(out, "report.sarif")))
        results = sarif["runs"][0]["results"]
        backup = [r for r in results if r["properties"]["check"] == "cfg.backup-file"]
        others = [r for r in results if r["properties"]["check"] != "cfg.backup-file"]
        check(len(backup) >= 3, "%s: the backup-file findings are there (%d)" % (name, len(backup)))
        sup = [r.get("suppressions", [{}])[0].get("justification") for r in backup]
        want = ["removed in release 2.1, <b>tracked</b>"] * len(backup) if live else [None] * len(backup)
        check(sup == want, "%s: suppressions of the accepted findings: %s" % (name, sup[:2]))
        check(not any("suppressions" in r for r in others),
              "%s: no other result is suppressed" % name)
        page = read(os.path.join(out, "report.html"))
        # in the findings list: an "accepted" badge with the justification
        shown = "accepted</span> <span class=\"small\">removed in release 2.1, " \
                "&lt;b&gt;tracked&lt;/b&gt;" in page
        check(shown == live, "%s: the HTML marks the findings accepted (%s)" % (name, shown))
        check(("acceptance expired: removed in release 2.1" in page) == (not live),
              "%s: the HTML says when the acceptance expired" % name)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, work = sys.argv[1:4]
    shared = sys.argv[4] if len(sys.argv) > 4 else os.environ.get("IOTA_SHARED_DIR", "")
    os.makedirs(work, exist_ok=True)
    schema = None
    schema_path = os.path.join(shared, "schemas", "sarif-schema-2.1.0.json") if shared else ""
    if schema_path and os.path.exists(schema_path):
        try:
            import jsonschema  # noqa: F401
            schema = json.loads(read(schema_path))
        except ImportError:
            print("SKIP: SARIF schema validation: python3-jsonschema is not installed")
    else:
        print("SKIP: SARIF schema validation: %s is absent" % (schema_path or "the shared folder"))

    hostile_dir = os.path.join(work, "hostile-tree")
    make_hostile(hostile_dir)
    images = [(hostile_dir, HOSTILE)]
    for rel in ("analyzers/planted.sqfs", "router.bin"):
        path = os.path.join(fixtures, rel)
        if os.path.exists(path):
            images.append((path, []))
        else:
            print("NOTE: %s is missing (make-fixtures.sh / make-analyzer-fixtures.sh)" % path)
    if len(images) == 1:
        skip("no fixture images in %s" % fixtures)

    helptext = subprocess.run([iotaudit, "scan", "--help"], capture_output=True,
                              text=True).stdout
    modes = [("plain", [])]
    if "--profile" in helptext:
        modes.append(("consumer", ["--profile", "consumer"]))
    else:
        print("NOTE: this iotaudit has no --profile yet: only reports without an assessment")

    shot = None
    for img, hostile in images:
        for mode, extra in modes:
            name = "%s [%s]" % (os.path.basename(img), mode)
            out = os.path.join(work, "out-%s-%s" % (os.path.basename(img), mode))
            rc, err = run(iotaudit, img, out, extra)
            # 1 is a failed gate; only a gate asked for can fail
            check(rc == 0, "%s: exit %d: %s" % (name, rc, err.strip()[-300:]))
            if rc != 0:
                continue
            doc = json.loads(read(os.path.join(out, "report.json")))
            sarif_text = read(os.path.join(out, "report.sarif"))
            sarif = json.loads(sarif_text)
            assessed = "assessment" in sarif["runs"][0].get("properties", {})
            check(assessed == (mode != "plain"),
                  "%s: assessed exactly when a profile is given" % name)
            check_sarif(name, sarif, doc, schema, assessed)
            check_csv(name, read(os.path.join(out, "report.csv"), "r"), doc, sarif, assessed)
            html_text = read(os.path.join(out, "report.html"))
            check_html(name, html_text, hostile)
            # the same input gives the same bytes
            out2 = out + "-again"
            rc2, _ = run(iotaudit, img, out2, extra)
            same = rc2 == 0 and all(read(os.path.join(out, f), "rb") ==
                                    read(os.path.join(out2, f), "rb")
                                    for f in ("report.sarif", "report.html", "report.csv"))
            check(same, "%s: a second scan writes the same SARIF, HTML and CSV" % name)
            # the screenshot: the first fixture image, assessed when it can be
            if not hostile and (shot is None or (shot[0] == img and mode != "plain")):
                shot = (img, os.path.join(out, "report.html"))
    if "--tailoring" in helptext and len(modes) > 1:
        check_tailoring(iotaudit, hostile_dir, work)
    if shot:
        screenshot(shot[1], os.path.join(work, "report.png"), work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
