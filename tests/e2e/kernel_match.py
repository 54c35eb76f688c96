#!/usr/bin/env python3
"""e2e.kernel_match: a scan matches the kernel it finds against the kernel
CNA's real records, with the stable release from Debian's banner and the
configuration embedded in the image (IKCONFIG): a CVE in code the config
leaves out is 'not affected' with the kconfig reason, the others stay.

usage: kernel_match.py IOTAUDIT FIXTURES WORKDIR SHARED
"""
import json
import os
import shutil
import subprocess
import sys

iotaudit, fixtures, work, shared = sys.argv[1:5]
kernel = os.path.join(fixtures, "kernel", "vmlinux-armmp")
records = os.path.join(shared, "data", "cve5", "kernel")
if not os.path.isdir(records):
    print("SKIP: ../shared/data/cve5/kernel is absent (the kernel CNA's records)")
    sys.exit(77)
if not os.path.exists(kernel):
    print("SKIP: the kernel fixture was not made (fixtures.kernel needs the Debian archive)")
    sys.exit(77)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
db = os.path.join(work, "kernel.db")
subprocess.run([iotaudit, "db", "import", records, "--vulndb", db], check=True,
               stdout=subprocess.DEVNULL)
out = subprocess.run([iotaudit, "scan", kernel, "--vulndb", db, "-f", "json"], check=True,
                     capture_output=True, text=True).stdout
doc = json.loads(out)
fails = 0


def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    fails += not cond


linux = [c for c in doc["components"] if c["name"] == "linux"]
check(len(linux) == 1, "one linux component")
vulns = {v["id"]: v for v in linux[0].get("vulnerabilities", [])} if linux else {}
v = vulns.get("CVE-2025-21780")
check(v is not None and v["status"] == "not affected", "CVE-2025-21780 (amdgpu) not affected")
check(v is not None and any(e["source"] == "kconfig" and "CONFIG_DRM_AMDGPU" in (e.get("note") or e.get("range") or "")
                            for e in v["evidence"]), "... because CONFIG_DRM_AMDGPU is not set")
v = vulns.get("CVE-2024-36971")
check(v is not None and v["status"] == "affected" and v["kev"]["listed"],
      "CVE-2024-36971 affected (6.1.76 from the banner) and in KEV")
check(vulns.get("CVE-2025-21763", {}).get("status") == "affected", "CVE-2025-21763 affected")
check("CVE-2025-21826" not in vulns or vulns["CVE-2025-21826"]["status"] == "not affected",
      "CVE-2025-21826 not affected (its range starts after 6.1)")
sys.exit(1 if fails else 0)
