#!/usr/bin/env python3
"""--format mud (RFC 8520) and the text report's network exposure, on the
analyzer fixture trees (tests/fixtures/make-analyzer-fixtures.sh): the planted
tree starts dropbear, telnetd and snmpd and talks to vendor-cloud.net hosts;
the clean tree does neither.

Structure checks follow the YANG modules as RFC 7951 JSON: ietf-mud (RFC 8520
section 2.1: mud-version, mud-url, last-update, cache-validity 1..168,
is-supported, systeminfo of at most 60 characters, from-/to-device-policy
naming access lists), ietf-access-control-list (RFC 8519: acl name, type,
aces.ace[] with unique names, matches, actions.forwarding), ietf-acldns
(dst-dnsname / src-dnsname) and ietf-mud's matches (local-networks,
direction-initiated). Every ACL a policy names exists; ports are numbers.

    mud.py IOTAUDIT FIXTURES WORKDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2ecommon as E  # noqa: E402


def run(iotaudit, tree, fmt, outdir, env=None):
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    p = subprocess.run([iotaudit, "scan", tree, "--format", fmt, "-o", outdir],
                       capture_output=True, timeout=300, env=env)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def structure(doc, label):
    """Checks the RFC 8520 / 8519 shape; returns (outbound, inbound) rules."""
    E.check(set(doc) >= {"ietf-mud:mud", "ietf-access-control-list:acls"},
            label + ": both top-level containers")
    mud = doc.get("ietf-mud:mud", {})
    E.check(mud.get("mud-version") == 1, label + ": mud-version 1")
    E.check(isinstance(mud.get("mud-url"), str) and mud["mud-url"].startswith("https://"),
            label + ": mud-url is an https URL")
    E.check(isinstance(mud.get("last-update"), str) and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", mud["last-update"]),
        label + ": last-update is a yang:date-and-time")
    cv = mud.get("cache-validity")
    E.check(isinstance(cv, int) and 1 <= cv <= 168, label + ": cache-validity 1..168")
    E.check(isinstance(mud.get("is-supported"), bool), label + ": is-supported boolean")
    si = mud.get("systeminfo")
    E.check(isinstance(si, str) and 1 <= len(si) <= 60, label + ": systeminfo 1..60 chars")
    acls = doc.get("ietf-access-control-list:acls", {}).get("acl", [])
    by_name = {a.get("name"): a for a in acls}
    E.check(len(by_name) == len(acls), label + ": ACL names unique")
    for pol in ("from-device-policy", "to-device-policy"):
        refs = mud.get(pol, {}).get("access-lists", {}).get("access-list", [])
        E.check(len(refs) >= 1, label + ": %s names access lists" % pol)
        for r in refs:
            E.check(r.get("name") in by_name, label + ": %s names existing ACL %s"
                    % (pol, r.get("name")))
    out, inb = set(), set()
    for a in acls:
        fam = {"ipv4-acl-type": "ipv4", "ipv6-acl-type": "ipv6"}.get(a.get("type"))
        E.check(fam is not None, label + ": ACL %s type" % a.get("name"))
        aces = a.get("aces", {}).get("ace", [])
        names = [x.get("name") for x in aces]
        E.check(all(isinstance(n, str) and n for n in names) and len(set(names)) == len(names),
                label + ": ACE names in %s unique" % a.get("name"))
        for ace in aces:
            m = ace.get("matches", {})
            E.check(ace.get("actions", {}).get("forwarding") in ("accept", "drop", "reject"),
                    label + ": %s forwarding" % ace.get("name"))
            l3 = m.get(fam)
            E.check(isinstance(l3, dict) and set(m) - {fam, "tcp", "udp", "ietf-mud:mud"} == set(),
                    label + ": %s matches %s only" % (ace.get("name"), fam))
            if not isinstance(l3, dict):
                continue
            proto = l3.get("protocol")
            E.check(proto in (6, 17), label + ": %s protocol number" % ace.get("name"))
            l4 = m.get("tcp" if proto == 6 else "udp", {})
            ports = [l4[k] for k in ("source-port", "destination-port") if k in l4]
            E.check(len(ports) == 1 and ports[0].get("operator") == "eq"
                    and isinstance(ports[0].get("port"), int)
                    and 0 < ports[0]["port"] < 65536,
                    label + ": %s port is a number" % ace.get("name"))
            if proto == 6:
                E.check(l4.get("ietf-mud:direction-initiated") in ("from-device", "to-device"),
                        label + ": %s direction-initiated" % ace.get("name"))
            port = ports[0]["port"] if ports else None
            host = (l3.get("ietf-acldns:dst-dnsname") or l3.get("ietf-acldns:src-dnsname")
                    or l3.get("destination-ipv4-network") or l3.get("source-ipv4-network"))
            local = m.get("ietf-mud:mud", {}).get("local-networks") == [None]
            E.check(bool(host) != local, label + ": %s names a host or the local networks"
                    % ace.get("name"))
            is_from = a["name"].endswith("fr")
            if host and is_from:
                E.check("ietf-acldns:dst-dnsname" in l3 or "destination-ipv4-network" in l3,
                        label + ": %s outbound rule names the destination" % ace.get("name"))
                out.add((host, proto, port))
            if local and not is_from:
                E.check("destination-port" in l4, label + ": %s inbound rule to a local port"
                        % ace.get("name"))
                inb.add((proto, port))
    return out, inb


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mud.py IOTAUDIT FIXTURES WORKDIR")
    iotaudit, fixtures, work = sys.argv[1:]
    planted = os.path.join(fixtures, "analyzers", "trees", "planted")
    clean = os.path.join(fixtures, "analyzers", "trees", "clean")
    if not os.path.isdir(planted):
        E.skip("no analyzer fixtures in %s (tests/fixtures/make-analyzer-fixtures.sh)" % fixtures)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)

    a, b = os.path.join(work, "a"), os.path.join(work, "b")
    rc, err = run(iotaudit, planted, "mud", a, env)
    E.check(rc in (0, 1), "planted: scan --format mud exits 0/1 (%d: %s)" % (rc, err.strip()))
    path = os.path.join(a, "report.mud.json")
    E.check(os.path.isfile(path), "planted: report.mud.json written")
    if not os.path.isfile(path):
        return E.finish()
    doc = json.loads(read(path))
    out, inb = structure(doc, "planted")
    # what the planted tree shows: its cloud hosts, its daemons' ports
    E.check(out == {("files.vendor-cloud.net", 6, 21), ("firmware.vendor-cloud.net", 6, 80),
                    ("firmware.vendor-cloud.net", 6, 443),
                    ("update.example-vendor.com", 6, 80)},
            "planted: outbound rules are the cloud endpoints (%s)" % sorted(out))
    E.check(inb == {(6, 22), (6, 23), (17, 161)},
            "planted: inbound rules are ssh, telnet, snmp (%s)" % sorted(inb))
    text = read(path).decode()
    E.check("192.168." not in text, "planted: the device's own LAN addresses are no endpoints")
    notes = doc.get("iotaudit:assumptions", [])
    E.check(any("vendord" in n and "not known" in n for n in notes),
            "planted: a started program with unknown ports is named in the assumptions")
    E.check(any("default port of dropbear" in n for n in notes),
            "planted: ports taken by default are said to be")
    # deterministic, and last-update from SOURCE_DATE_EPOCH
    rc, err = run(iotaudit, planted, "mud", b, env)
    E.check(read(os.path.join(b, "report.mud.json")) == read(path),
            "planted: the same input gives byte-identical MUD output")
    env2 = dict(env, SOURCE_DATE_EPOCH="1700000000")
    rc, err = run(iotaudit, planted, "mud", b, env2)
    d2 = json.loads(read(os.path.join(b, "report.mud.json")))
    E.check(d2["ietf-mud:mud"]["last-update"] == "2023-11-14T22:13:20+00:00",
            "planted: last-update from SOURCE_DATE_EPOCH")

    # the clean tree: no services, no endpoints, still a well-formed file
    rc, err = run(iotaudit, clean, "mud", a, env)
    cdoc = json.loads(read(os.path.join(a, "report.mud.json")))
    cout, cinb = structure(cdoc, "clean")
    E.check(not cout and not cinb, "clean: nothing allowed (%s %s)" % (cout, cinb))

    # the text report's network exposure section
    rc, err = run(iotaudit, planted, "text", a, env)
    t = read(os.path.join(a, "report.txt")).decode()
    sec = t[t.find("Network exposure"):t.find("\nFindings")]
    E.check("Network exposure" in t, "text: a Network exposure section")
    for want in ("listening  tcp/22    dropbear", "tcp/23    telnetd", "udp/161   snmpd",
                 "vendord (started; ports not known)",
                 "tcp/21    files.vendor-cloud.net ftp, clear text",
                 "tcp/443   firmware.vendor-cloud.net https",
                 "plaintext  3 clear-text endpoints"):
        E.check(want in sec, "text: exposure lists %r" % want)
    return E.finish()


if __name__ == "__main__":
    sys.exit(main())
