#!/usr/bin/env python3
"""The assessment end to end, with the REAL catalog (embedded from data/catalog/).

usage: assess.py IOTAUDIT FIXTURES_DIR SOURCE_DIR WORK_DIR

On the analyzer fixtures (tests/fixtures/make-analyzer-fixtures.sh: the clean tree and the
planted one: root's md5crypt "admin", an empty guest password, telnetd -l /bin/sh, ...):

* verdicts the image decides: ETSI EN 303 645 5.1-1 and UK PSTI's password rule fail on the
  planted tree; IEC 62443-4-2 CR 1.1 / CR 1.7 at SL2 fail on it; on the clean tree they are
  needs-evidence, and pass once the vendor's evidence answers them (the planted tree keeps
  failing with the same evidence: a finding beats a claim);
* needs-evidence turns to pass with an evidence file and to fail when the evidence says "none"
  or the support period has ended (--today);
* tailoring makes a verdict accepted, and it fails again after the expiry date;
* the gate's exit codes (0 / 1) and its reasons on stderr;
* malformed evidence, tailoring, policy and catalog files: one line naming FILE:LINE, exit 3;
  a bad option exit 2;
* explain and catalog commands; the JSON assessment is deterministic.
Prints 'N passed, N failed'; exit 77 when the fixtures are absent.
"""
import json
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2ecommon as E  # noqa: E402

TODAY = "2026-11-23"


def run(iotaudit, *args, timeout=600):
    p = subprocess.run([iotaudit, *args], capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def assess(iotaudit, img, *args):
    """Scan with the assessment, JSON out: (exit, assessment or None, stderr)."""
    code, out, err = run(iotaudit, "scan", img, "--format", "json", "--today", TODAY, *args)
    try:
        doc = json.loads(out) if out else None
    except ValueError:
        doc = None
    return code, (doc or {}).get("assessment"), err


def verdicts(a):
    return {p["ref"]: p for s in (a or {}).get("standards", []) for p in s["provisions"]}


def value_for(t):
    return {"url": "https://example.com/security", "email": "psirt@example.com",
            "date": "2030-12-31", "bool": True}.get(t, "documented in the product security file")


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    iotaudit, fixtures, src, work = sys.argv[1:]
    d = os.path.join(fixtures, "analyzers")
    planted, clean = os.path.join(d, "planted.sqfs"), os.path.join(d, "clean.sqfs")
    if not os.path.exists(planted) or not os.path.exists(clean):
        E.skip(f"no analyzer fixtures in {d} (tests/fixtures/make-analyzer-fixtures.sh)")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    catdir = os.path.join(src, "data", "catalog")
    keys = {k["key"]: k["type"] for k in yaml.safe_load(open(os.path.join(catdir, "evidence-keys.yaml")))["keys"]}
    prov = {}
    for fn in sorted(os.listdir(os.path.join(catdir, "standards"))):
        st = yaml.safe_load(open(os.path.join(catdir, "standards", fn)))
        for p in st["provisions"]:
            prov[f"{st['id']}:{p['id']}"] = p

    def path(name, text):
        f = os.path.join(work, name)
        with open(f, "w") as fh:
            fh.write(text)
        return f

    def evidence_for(*refs, **override):
        """An evidence file answering every key the provisions ask for."""
        ev = {}
        for r in refs:
            for k in prov[r].get("evidence", []):
                ev[k] = value_for(keys[k])
        ev.update(override)
        return path("evidence-%d.yaml" % len(os.listdir(work)), yaml.safe_dump(ev, sort_keys=True))

    P511, PSTI, CR11, CR17 = ("etsi-en-303-645:5.1-1", "uk-psti:Sch1 1(2)",
                              "iec-62443-4-2:CR 1.1", "iec-62443-4-2:CR 1.7")
    for r in (P511, PSTI, CR11, CR17, "etsi-en-303-645:5.2-1", "etsi-en-303-645:5.3-13"):
        E.check(r in prov, f"the catalog has {r}")

    # ---- verdicts the image decides ----
    code, a, err = assess(iotaudit, planted, "--profile", "consumer")
    v = verdicts(a)
    E.check(code == 0 and a is not None, f"planted consumer: exit {code} {err.strip()}")
    E.check(a and a["version"] == 1 and a["profile"] == "consumer", "assessment object, version 1")
    for r in (P511, PSTI):
        got = v.get(r, {})
        E.check(got.get("verdict") == "fail", f"planted {r}: {got.get('verdict')} ({got.get('reason')})")
        E.check(any(f["check"] == "cred.default-password" and f["node"].endswith("/etc/shadow")
                    for f in got.get("findings", [])), f"planted {r}: the shadow finding behind it")
    code, a, err = assess(iotaudit, planted, "--profile", "industrial:SL2")
    v = verdicts(a)
    E.check(a and a["profile"] == "industrial:SL2" and a["level"] == "SL2", "industrial:SL2 profile")
    for r in (CR11, CR17):
        E.check(v.get(r, {}).get("verdict") == "fail",
                f"planted {r} at SL2: {v.get(r, {}).get('verdict')} ({v.get(r, {}).get('reason')})")
    above = [r for r, p in v.items() if r.startswith("iec-62443-4-2:") and p.get("sl", 0) > 2]
    E.check(above and all(v[r]["verdict"] == "not-applicable" for r in above),
            f"SL3/SL4 provisions not applicable at SL2 ({len(above)})")
    code, a3, err = assess(iotaudit, planted, "--profile", "industrial:SL3")
    E.check(a3 and all(verdicts(a3)[r]["verdict"] != "not-applicable" for r in above
                       if prov[r].get("sl") == 3), "SL3 provisions apply at SL3")

    # the clean tree: nothing found; the partial provisions wait for the vendor's word
    code, a, err = assess(iotaudit, clean, "--profile", "industrial:SL2")
    v = verdicts(a)
    for r in (CR11, CR17):
        E.check(v.get(r, {}).get("verdict") == "needs-evidence", f"clean {r}: {v.get(r, {}).get('verdict')}")
    ev = evidence_for(CR11, CR17)
    code, a, err = assess(iotaudit, clean, "--profile", "industrial:SL2", "--evidence", ev)
    v = verdicts(a)
    for r in (CR11, CR17):
        E.check(v.get(r, {}).get("verdict") == "pass", f"clean {r} with evidence: {v.get(r, {}).get('verdict')} ({v.get(r, {}).get('reason')})")
    code, a, err = assess(iotaudit, planted, "--profile", "industrial:SL2", "--evidence", ev)
    v = verdicts(a)
    for r in (CR11, CR17):
        E.check(v.get(r, {}).get("verdict") == "fail", f"planted {r} with the same evidence still fails")
    ev = evidence_for(P511, PSTI)
    code, a, err = assess(iotaudit, clean, "--evidence", ev)
    v = verdicts(a)
    for r in (P511, PSTI):
        E.check(v.get(r, {}).get("verdict") == "pass", f"clean {r} with evidence: {v.get(r, {}).get('verdict')}")

    # ---- documentation provisions: needs-evidence -> pass / fail ----
    VDP, SUP = "etsi-en-303-645:5.2-1", "etsi-en-303-645:5.3-13"
    code, a, err = assess(iotaudit, clean)
    v = verdicts(a)
    for r in (VDP, SUP):
        E.check(v[r]["verdict"] == "needs-evidence", f"clean {r} without evidence: {v[r]['verdict']}")
    vdp_key = prov[VDP]["evidence"][0]
    E.check(VDP in a["evidence_needed"].get(vdp_key, []), f"evidence_needed lists {vdp_key} for {VDP}")
    code, out, err = run(iotaudit, "scan", clean, "--no-color", "--today", TODAY, "--assess")
    E.check("evidence that would answer the most: " in out and "catalog template consumer" in out,
            "text: the evidence keys that would answer the most")
    ev = evidence_for(VDP, SUP)
    code, a, err = assess(iotaudit, clean, "--evidence", ev)
    E.check(vdp_key not in a["evidence_needed"], f"{vdp_key} given: no longer needed")
    v = verdicts(a)
    for r in (VDP, SUP):
        E.check(v[r]["verdict"] == "pass", f"clean {r} with evidence: {v[r]['verdict']} ({v[r]['reason']})")
        E.check("evidence-" in v[r].get("evidence", ""), f"{r}: the evidence used is named")
    code, out, err = run(iotaudit, "scan", clean, "--format", "json", "--today", "2031-01-01",
                         "--evidence", ev)
    v = verdicts(json.loads(out).get("assessment"))
    E.check(v[SUP]["verdict"] == "fail" and "in the past" in v[SUP]["reason"],
            f"support period ended (--today 2031-01-01): {v[SUP]['verdict']}")
    none_key = prov[VDP]["evidence"][0]
    ev = evidence_for(VDP, **{none_key: ""})
    code, a, err = assess(iotaudit, clean, "--evidence", ev)
    E.check(verdicts(a)[VDP]["verdict"] == "fail", f"{VDP} with {none_key} empty: fails")
    # the planted image says its support ended (os-release SUPPORT_END): the image is evidence
    code, a, err = assess(iotaudit, planted)
    got = verdicts(a).get(SUP, {})
    E.check(got.get("verdict") == "fail" and "image:" in got.get("evidence", ""),
            f"planted {SUP} from the image's own support end: {got.get('verdict')} {got.get('evidence')}")

    # ---- tailoring ----
    tl = path("tailoring.yaml", yaml.safe_dump({"accept": [{
        "provision": P511, "justification": "the device is sold only with an installer-set password",
        "compensating_control": "installer procedure IP-7", "owner": "product-security@example.com",
        "expires": "2027-06-30"}]}))
    code, a, err = assess(iotaudit, planted, "--tailoring", tl)
    got = verdicts(a)[P511]
    E.check(got["verdict"] == "accepted" and got["tailoring"]["owner"] == "product-security@example.com"
            and got["findings"], f"tailored {P511}: {got['verdict']}, findings stay visible")
    E.check(verdicts(a)[PSTI]["verdict"] == "fail", "tailoring one provision leaves the others")
    code, out, err = run(iotaudit, "scan", planted, "--format", "json", "--today", "2027-07-01",
                         "--tailoring", tl)
    got = verdicts(json.loads(out)["assessment"])[P511]
    E.check(got["verdict"] == "fail" and got["tailoring"]["expired"] and "expired on 2027-06-30" in got["reason"],
            f"after expiry {P511}: {got['verdict']} ({got['reason']})")
    code, out, err = run(iotaudit, "scan", planted, "--no-color", "--today", TODAY, "--tailoring", tl)
    E.check("accepted by product-security@example.com" in out, "text report shows the acceptance")

    # ---- gate ----
    code, out, err = run(iotaudit, "scan", planted, "--fail-on", "high", "--today", TODAY)
    E.check(code == 1 and "gate: --fail-on high: cred.default-password (critical)" in err,
            f"planted --fail-on high: exit {code}")
    code, out, err = run(iotaudit, "scan", clean, "--fail-on", "high", "--today", TODAY)
    E.check(code == 0 and "gate" not in err, f"clean --fail-on high: exit {code} {err.strip()}")
    pol = path("policy.yaml", "name: procurement\nrequire: [no-universal-default-password, update-mechanism]\n"
               f"fail_provisions: ['{P511}']\n")
    code, out, err = run(iotaudit, "scan", planted, "--policy", pol, "--today", TODAY)
    E.check(code == 1 and "policy requires no-universal-default-password" in err and f"{P511} fails" in err,
            f"planted policy: exit {code}")
    code, out, err = run(iotaudit, "scan", clean, "--policy", pol, "--today", TODAY)
    E.check(code == 1 and "update-mechanism" in err and "no-universal-default-password" not in err,
            f"clean policy: only the missing update mechanism ({code})")
    code, out, err = run(iotaudit, "scan", planted, "--policy", pol, "--today", TODAY, "--format", "json")
    g = json.loads(out)["assessment"]["gate"]
    E.check(g["asked"] and not g["passed"] and len(g["reasons"]) >= 2, "gate in the JSON")

    # ---- malformed files: one line, exit 3; usage: exit 2 ----
    bad = {
        "evidence": (path("bad-evidence.yaml", "vdp_url: https://example.com/p\nwarranty: 2 years\n"),
                     "bad-evidence.yaml:2: unknown evidence key 'warranty'"),
        "tailoring": (path("bad-tailoring.yaml", "accept:\n  - finding: svc.telnet\n    owner: me\n"
                           "    justification: j\n    expires: 2027-01-01\n"), "bad-tailoring.yaml:2: "),
        "policy": (path("bad-policy.yaml", "require:\n  - no-kev\nmax_severity: severe\n"),
                   "bad-policy.yaml:3: max_severity"),
    }
    for opt, (f, want) in bad.items():
        code, out, err = run(iotaudit, "scan", clean, f"--{opt}", f)
        lines = err.strip().splitlines()
        E.check(code == 3 and len(lines) == 1 and want in lines[0] and lines[0].startswith("iotaudit: "),
                f"malformed --{opt}: exit {code}, {err.strip()!r}")
    broken = os.path.join(work, "catalog")
    shutil.copytree(catdir, broken)
    cf = os.path.join(broken, "checks.yaml")
    text = open(cf).read().replace("provisions:", "provisionz:", 1)
    open(cf, "w").write(text)
    line = text[:text.index("provisionz:")].count("\n") + 1
    code, out, err = run(iotaudit, "scan", clean, "--data", broken)
    E.check(code == 3 and f"checks.yaml:{line}: " in err and "unknown key 'provisionz'" in err
            and len(err.strip().splitlines()) == 1, f"broken catalog: exit {code} {err.strip()!r}")
    code, out, err = run(iotaudit, "catalog", "list", "--data", broken)
    E.check(code == 3 and f"checks.yaml:{line}: " in err, "catalog list on a broken catalog")
    for args in (["--fail-on"], ["--profile"]):
        code, out, err = run(iotaudit, "scan", clean, *args)
        E.check(code == 2, f"{args}: usage error exit {code}")
    code, out, err = run(iotaudit, "scan", clean, "--fail-on", "severe")
    E.check(code == 3 and "--fail-on" in err, f"--fail-on severe: exit {code}")
    code, out, err = run(iotaudit, "scan", clean, "--profile", "industrial:SL9")
    E.check(code == 3 and "no level 'SL9'" in err, f"--profile industrial:SL9: exit {code}")

    # ---- explain, catalog ----
    code, out, err = run(iotaudit, "explain", P511)
    E.check(code == 0 and "cred.default-password" in out and PSTI in out,
            "explain 5.1-1: its checks and the PSTI provision the same checks serve")
    code, out, err = run(iotaudit, "explain", "cred.default-password")
    E.check(code == 0 and "How to fix" in out and P511 in out, "explain a check")
    code, out, err = run(iotaudit, "explain", "no-such-thing")
    E.check(code == 3 and len(err.strip().splitlines()) == 1, f"explain an unknown id: exit {code}")
    code, out, err = run(iotaudit, "catalog", "list")
    E.check(code == 0 and "iec-62443-4-2" in out and "industrial" in out, "catalog list")
    code, out, err = run(iotaudit, "catalog", "list", "iec-62443-4-2")
    E.check(code == 0 and "CR 1.7" in out, "catalog list STANDARD")
    code, out, err = run(iotaudit, "catalog", "show", "support_period_end")
    E.check(code == 0 and SUP in out, "catalog show an evidence key")

    # the evidence template: valid as it is (answers nothing), one uncommented key answers
    code, tpl, err = run(iotaudit, "catalog", "template", "consumer")
    E.check(code == 0 and "# support_period_end: YYYY-MM-DD" in tpl, f"catalog template: exit {code}")
    f = path("template.yaml", tpl)
    code, a, err = assess(iotaudit, clean, "--evidence", f)
    E.check(code == 0 and verdicts(a)[SUP]["verdict"] == "needs-evidence", f"the bare template: exit {code} {err.strip()}")
    filled = tpl.replace("# support_period_end: YYYY-MM-DD", "support_period_end: 2030-06-30")
    filled = filled.replace("# support_period_url: https://", "support_period_url: https://example.com/eol")
    code, a, err = assess(iotaudit, clean, "--evidence", path("filled.yaml", filled))
    E.check(code == 0 and verdicts(a)[SUP]["verdict"] == "pass", f"the template filled in: {verdicts(a).get(SUP, {}).get('verdict')}")

    # ---- text report: the assessment first; JSON: deterministic ----
    code, out, err = run(iotaudit, "scan", planted, "--no-color", "--today", TODAY, "--assess")
    E.check(code == 0 and 0 <= out.find("Assessment") < out.find("Containers") and "\033[" not in out,
            "text: assessment before the containers, no colour off a terminal")
    ev = evidence_for(VDP)
    outs = [run(iotaudit, "scan", planted, "--format", "json", "--today", TODAY, "-j", j,
                "--evidence", ev)[1] for j in ("1", "2")]
    E.check(outs[0] == outs[1], "JSON with the assessment is byte-identical across runs and threads")
    return E.finish()


if __name__ == "__main__":
    sys.exit(main())
