#!/usr/bin/env python3
"""Compare iotaudit's ELF hardening verdicts with Debian's checksec on one tree.

usage: checksec_compare.py IOTAUDIT TREE [--known FILE]

Runs `checksec --dir=TREE --output=json` and `iotaudit scan TREE --format json`
and compares, for every ELF file both report, NX, PIE, RELRO, stack canary,
FORTIFY and the fortified / fortifiable counts. A disagreement fails the test
unless it is listed in the known-differences file (one "path field reason"
per line), which documents where checksec is known to be wrong.
Prints 'N passed, N failed' (one per file compared) and exits 77 (skip) when
checksec is not installed.
"""
import json
import os
import shutil
import subprocess
import sys

FIELDS = [
    # (checksec key, iotaudit attribute, value map from checksec to ours)
    ("nx", "elf.nx", {"yes": "yes", "no": "no"}),
    ("pie", "elf.pie", {"yes": "yes", "no": "no", "dso": "dso"}),
    ("relro", "elf.relro", {"full": "full", "partial": "partial", "no": "no"}),
    ("canary", "elf.canary", {"yes": "yes", "no": "no"}),
    ("fortify_source", "elf.fortify", {"yes": "yes", "no": "no"}),
    ("fortified", "elf.fortified", None),
    ("fortify-able", "elf.fortifiable", None),
]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    iotaudit, tree = sys.argv[1], os.path.abspath(sys.argv[2])
    known = {}
    if len(sys.argv) > 4 and sys.argv[3] == "--known":
        with open(sys.argv[4]) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    path, field, _ = line.split(None, 2)
                    known[(path, field)] = True
    if not shutil.which("checksec"):
        print("SKIP: checksec is not installed (apt-get install checksec)")
        return 77
    cs = subprocess.run(["checksec", "--dir=" + tree, "--output=json"],
                        capture_output=True, text=True, check=True).stdout
    theirs = json.loads(cs)
    ours_doc = json.loads(subprocess.run([iotaudit, "scan", tree, "--format", "json"],
                                         capture_output=True, text=True, check=True).stdout)
    ours = {}
    for f in ours_doc["files"]:
        attrs = f.get("attributes", {})
        if "elf.nx" in attrs:
            ours[f["name"]] = attrs
    passed = failed = 0
    for path, rec in sorted(theirs.items()):
        if path == "dir" or not isinstance(rec, dict) or "nx" not in rec:
            continue
        rel = "/" + os.path.relpath(path, tree)
        if os.path.islink(path):
            continue
        attrs = ours.get(rel)
        if attrs is None:
            print(f"FAIL {rel}: checksec reports it, iotaudit has no ELF verdict")
            failed += 1
            continue
        bad = []
        for key, attr, vmap in FIELDS:
            want = rec.get(key)
            if vmap is not None:
                want = vmap.get(want, want)
            got = attrs.get(attr)
            if str(want) != str(got) and (rel, key) not in known:
                bad.append(f"{key}: checksec {want}, iotaudit {got}")
        if bad:
            print(f"FAIL {rel}: " + "; ".join(bad))
            failed += 1
        else:
            passed += 1
    if passed + failed == 0:
        print("FAIL: no ELF files compared")
        failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
