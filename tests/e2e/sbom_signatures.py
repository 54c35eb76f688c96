#!/usr/bin/env python3
"""End-to-end test of component identification from binaries.

usage: sbom_signatures.py IOTAUDIT FIXTURES_DIR

FIXTURES_DIR/sbom/ is made by tests/fixtures/make-sbom-fixtures.sh: a SquashFS
of real Debian bookworm binaries (mipsel, armhf, arm64) without any package
database, and expected.tsv listing each component the image really holds
(product, upstream version from the .deb, relation, path).

Checks, on `iotaudit scan sbom.sqfs --format json`:
  - every expected component is found with its exact version and relation,
    with signature evidence (the matched text holds the version, an offset);
  - nothing else is reported: the components found are exactly the expected
    ones (sshd, libssh, libcurl and lighttpd link libcrypto: none of them is
    openssl; the truncated dnsmasq is a copy, not the program);
  - purl and CPE 2.3 identifiers carry the product, vendor and version;
  - busybox's applets are recorded on its node;
  - two modules of Debian's armmp kernel make the linux component of their
    directory lib/modules/<ABI> with each module's vermagic as evidence;
  - router.bin (make-fixtures.sh), whose uImage is named "Linux-4.14.221",
    gets that linux component from the name;
  - the clean image (the same packages' documentation and configuration)
    yields no component at all.
Prints 'N passed, N failed'; exits 1 on failure, 77 without the fixture.
"""
import os
import sys

from e2ecommon import check, finish, scan, skip

# NVD's vendor:product of each product in the fixture
CPE = {
    "busybox": "busybox:busybox",
    "dropbear": "dropbear_ssh_project:dropbear_ssh",
    "dnsmasq": "thekelleys:dnsmasq",
    "zlib": "zlib:zlib",
    "openssl": "openssl:openssl",
    "curl": "haxx:libcurl",
    "sqlite": "sqlite:sqlite",
    "expat": "libexpat_project:libexpat",
    "lighttpd": "lighttpd:lighttpd",
    "openssh": "openbsd:openssh",
    "libssh": "libssh:libssh",
    "linux": "linux:linux_kernel",
}


def node_path(node):
    """'sbom.sqfs @0x0 squashfs:/usr/sbin/dropbear' -> 'usr/sbin/dropbear'"""
    return node.rsplit(":/", 1)[-1] if ":/" in node else node


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    iotaudit, fixtures = sys.argv[1], sys.argv[2]
    d = os.path.join(fixtures, "sbom")
    img = os.path.join(d, "sbom.sqfs")
    exp_file = os.path.join(d, "expected.tsv")
    if not (os.path.exists(img) and os.path.exists(exp_file)):
        skip("no SBOM fixture (tests/fixtures/make-sbom-fixtures.sh)")

    expected = {}
    for line in open(exp_file, encoding="utf-8"):
        if not line.strip():
            continue
        product, version, rel, path = line.rstrip("\n").split("\t")
        expected[(product, path)] = (version, rel)
    check(len(expected) >= 12, "the fixture lists at least 12 components (%d)" % len(expected))
    archs = {p.split("/")[-2] for (_, p) in expected if p.count("/") >= 3}
    check(len({a for a in archs if "linux-gnu" in a}) >= 3,
          "libraries of three architectures in the fixture: %s" % sorted(archs))

    rc, doc, err = scan(iotaudit, img)
    check(rc == 0 and doc is not None, "scan exits 0 with a JSON report (%d: %s)" % (rc, err[-300:]))
    if doc is None:
        return finish()
    comps = doc.get("components", [])
    found = {}
    for c in comps:
        key = (c["name"], node_path(c["node"]))
        check(key not in found, "one component per copy: %s twice" % (key,))
        found[key] = c

    for key, (version, rel) in sorted(expected.items()):
        c = found.get(key)
        check(c is not None, "%s in %s is found" % key)
        if c is None:
            continue
        check(c["version"] == version, "%s %s: version %r, expected %r" % (key + (c["version"], version)))
        check(c["relation"] == rel, "%s %s: relation %r, expected %r" % (key + (c["relation"], rel)))
        ev = c.get("evidence") or []
        if key[0] == "linux":
            # the modules' vermagic, each module its own evidence item
            mods = [e for e in ev if e.get("method") == "kernel"
                    and e.get("match") == "vermagic=" + version]
            check(len(mods) == 2 and all(e["node"].endswith(".ko") for e in mods),
                  "linux: vermagic evidence of both modules: %s" % ev)
            version = version.split("-")[0]  # identifiers name the upstream release
            part = "o"
        else:
            check(any(e.get("method") == "signature" and version in (e.get("match") or "")
                      and isinstance(e.get("offset"), int) for e in ev),
                  "%s %s: signature evidence with the version and an offset: %s" % (key + (ev,)))
            part = "a"
        check(c.get("purl") == "pkg:generic/%s@%s" % (key[0], version),
              "%s %s: purl %r" % (key + (c.get("purl"),)))
        check(c.get("cpe") == "cpe:2.3:%s:%s:%s:*:*:*:*:*:*:*" % (part, CPE[key[0]], version),
              "%s %s: cpe %r" % (key + (c.get("cpe"),)))

    extra = sorted(set(found) - set(expected))
    check(not extra, "nothing invented; extra components: %s" %
          [(k, found[k]["version"], found[k]["relation"]) for k in extra])
    check(sum(1 for k in found if k[0] == "openssl") == 1,
          "openssl once (libcrypto), not in the programs that link it")

    bb = [f for f in doc.get("files", []) if f.get("path", "").endswith("/bin/busybox")]
    attrs = (bb[0].get("attributes") or {}) if bb else {}
    parts = sorted((int(k.rsplit(".", 1)[1]), v) for k, v in attrs.items()
                   if k.startswith("busybox.applets."))
    applets = ",".join(v for _, v in parts).split(",")
    check("sh" in applets and "ls" in applets and "[" in applets and
          int(attrs.get("busybox.applet_count", "0")) == len(applets) and len(applets) > 100,
          "busybox applets recorded (%d)" % len(applets))

    rc, doc, err = scan(iotaudit, os.path.join(d, "clean.sqfs"))
    check(rc == 0 and doc is not None, "clean scan exits 0 (%d: %s)" % (rc, err[-300:]))
    if doc is not None:
        check(doc.get("components") == [] or doc.get("components") is None,
              "the clean image lists no component: %s" %
              [(c["name"], c["version"], c["node"]) for c in doc.get("components", [])])

    # the router fixture (make-fixtures.sh): its uImage is named "Linux-4.14.221"
    router = os.path.join(fixtures, "router.bin")
    if os.path.exists(router):
        rc, doc, err = scan(iotaudit, router)
        lin = [c for c in (doc or {}).get("components", []) if c["name"] == "linux"]
        check(len(lin) == 1 and lin[0]["version"] == "4.14.221" and lin[0]["relation"] == "is"
              and lin[0]["node"].endswith("uimage:/Linux-4.14.221")
              and any(e["method"] == "header" and "Linux-4.14.221" in e["match"]
                      for e in lin[0]["evidence"]),
              "router.bin: linux 4.14.221 from the uImage name: %s" % lin)
    else:
        print("note: no router.bin fixture, uImage name not checked")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
