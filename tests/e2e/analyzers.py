#!/usr/bin/env python3
"""Analyzer recall and precision on planted and clean root file systems.

usage: analyzers.py IOTAUDIT FIXTURES_DIR EXPECTED

Scans FIXTURES_DIR/analyzers/{clean,planted}.{sqfs,ext4,cpio.xz} (made by
tests/fixtures/make-analyzer-fixtures.sh) and compares the set of findings
(check, path inside the root file system) with EXPECTED: the clean images must
give exactly [clean]; the planted ones exactly [clean] - [clean-only] +
[planted]. Prints one line per image and 'N passed, N failed'; exit 77 when the
fixtures are absent.
"""
import json
import os
import re
import subprocess
import sys

FS = re.compile(r"(?:squashfs|ext|cpio):(/.*)$")


def load_expected(path):
    sections, cur = {}, None
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = sections.setdefault(line[1:-1], set())
                continue
            check, where = line.split()
            cur.add((check, where))
    return sections


def findings(iotaudit, image):
    out = subprocess.run([iotaudit, "scan", image, "--format", "json"], capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"exit {out.returncode}: {out.stderr.strip()}")
    doc = json.loads(out.stdout)
    got = set()
    for f in doc["findings"]:
        if f["check"].startswith("unpack."):
            continue  # unpacking is the golden tests' business
        m = FS.search(f.get("node", ""))
        got.add((f["check"], m.group(1) if m else "-"))
    return got


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    iotaudit, fixtures, expected = sys.argv[1:]
    d = os.path.join(fixtures, "analyzers")
    if not os.path.exists(os.path.join(d, "planted.cpio.xz")):
        print(f"SKIP: no analyzer fixtures in {d} (tests/fixtures/make-analyzer-fixtures.sh)")
        return 77
    exp = load_expected(expected)
    want = {"clean": exp["clean"],
            "planted": (exp["clean"] - exp.get("clean-only", set())) | exp["planted"]}
    passed = failed = 0
    for tree in ("clean", "planted"):
        for kind in ("sqfs", "ext4", "cpio.xz"):
            image = os.path.join(d, f"{tree}.{kind}")
            try:
                got = findings(iotaudit, image)
            except Exception as e:  # a crash or a bad report is a failure, not an error
                print(f"FAIL {tree}.{kind}: {e}")
                failed += 1
                continue
            missing, extra = want[tree] - got, got - want[tree]
            if missing or extra:
                failed += 1
                print(f"FAIL {tree}.{kind}")
                for c, p in sorted(missing):
                    print(f"  missing (recall):    {c} {p}")
                for c, p in sorted(extra):
                    print(f"  unexpected (precision): {c} {p}")
            else:
                passed += 1
                print(f"ok   {tree}.{kind}: {len(got)} findings")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
