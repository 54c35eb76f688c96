#!/usr/bin/env python3
"""Lint of the standards catalog (data/catalog/), run by ctest as catalog.lint.

    catalog_lint.py REPO_ROOT

Checks, and fails with one line per problem:
  * every file matches data/catalog/schema/catalog.schema.json (when python3-jsonschema
    is installed; the structural rules below are checked either way);
  * each standard file's id is its file name, provision ids are unique, `sl` is given
    for every IEC 62443-4-2 provision and for no other standard, every evidence key a
    provision names is defined in evidence-keys.yaml;
  * every provision id that checks.yaml references exists in its standard, every
    standard it names exists, check ids are unique;
  * every finding id in checks.yaml is real: it is emitted somewhere in src/ (or is one
    of the vulnerability-rule ids the assessment derives), and a prefix (trailing *)
    matches at least one real id;
  * every finding id the analyzers, the engine and the unpackers emit is covered by a
    check;
  * every provision a firmware image can decide (verify: image) is served by a check,
    apart from the gaps listed in KNOWN_UNSERVED with their reason;
  * profiles name existing standards, and a default level is one of the levels;
  * every standard has its page docs/standards/<id>.md.

Finding ids are read from the C sources: string literals shaped like "area.name" in
src/analyze, src/core and src/unpack, after removing comments and the lines that set
or read node attributes (iota_node_attr, iota_ts_attr..., strncmp prefixes), which
use the same dotted shape. The few other literals of that shape are in NOT_FINDINGS.
Needs python3-yaml; exits 77 (skipped) without it.
"""
import glob
import json
import os
import re
import sys

try:
	import yaml
except ImportError:
	print("catalog_lint: python3-yaml is not installed; skipped")
	sys.exit(77)

# Rule ids the assessment derives from vulnerability matches and the inventory.
PSEUDO_FINDINGS = {
	"vuln.kev", "vuln.critical", "vuln.high", "vuln.medium", "vuln.low",
	"vuln.unassessed", "sbom.components",
}
# Literals of the dotted shape in src/ that are not finding ids.
NOT_FINDINGS = {
	"kernel.org",    # a host name in the endpoint analyzer's list of documentation hosts
	"life.os",       # attribute prefixes passed to parse_assignments() (lifecycle)
	"life.openwrt",
}
# Provisions an image could decide for which iotaudit has no analyzer yet.
KNOWN_UNSERVED = {
	("iec-62443-4-2", "CR 1.12"): "no login-banner check yet (STANDARDS.md C10)",
}
FINDING_AREAS = ("cfg", "cred", "elf", "extract", "key", "kernel", "life", "net", "sbom",
                 "secret", "svc", "unpack", "update")
STANDARD_FIELDS = {"id", "title", "version", "url", "scope", "summary", "provisions"}
PROVISION_FIELDS = {"id", "title", "summary", "obligation", "verify", "sl", "evidence"}

problems = []


def problem(msg):
	problems.append(msg)


def load(path):
	try:
		with open(path, encoding="utf-8") as f:
			return yaml.safe_load(f)
	except (OSError, yaml.YAMLError) as e:
		problem(f"{path}: cannot read: {e}")
		return None


def strip_comments(src):
	"""Removes C comments, keeping string literals (and line numbers) intact."""
	out, i, n = [], 0, len(src)
	while i < n:
		c = src[i]
		if c == '"' or c == "'":
			j = i + 1
			while j < n and src[j] != c:
				j += 2 if src[j] == "\\" else 1
			out.append(src[i:j + 1])
			i = j + 1
		elif src.startswith("/*", i):
			j = src.find("*/", i + 2)
			j = n if j < 0 else j + 2
			out.append("\n" * src.count("\n", i, j))
			i = j
		elif src.startswith("//", i):
			j = src.find("\n", i)
			i = n if j < 0 else j
		else:
			out.append(c)
			i += 1
	return "".join(out)


def emitted_finding_ids(root):
	lit = re.compile(r'"((?:%s)\.[a-z0-9-]+(?:\.[a-z0-9-]+)*)"' % "|".join(FINDING_AREAS))
	ids = {}
	files = []
	for sub in ("analyze", "core", "unpack"):
		files += sorted(glob.glob(os.path.join(root, "src", sub, "*.c")))
	for path in files:
		with open(path, encoding="utf-8", errors="replace") as f:
			text = strip_comments(f.read())
		for no, line in enumerate(text.split("\n"), 1):
			if "attr" in line or "strncmp" in line:
				continue
			for m in lit.finditer(line):
				fid = m.group(1)
				if fid not in NOT_FINDINGS:
					ids.setdefault(fid, f"{os.path.relpath(path, root)}:{no}")
	return ids


def matches(pattern, fid):
	if pattern.endswith("*"):
		return fid.startswith(pattern[:-1])
	return fid == pattern


def main():
	if len(sys.argv) != 2:
		print("usage: catalog_lint.py REPO_ROOT", file=sys.stderr)
		return 2
	root = sys.argv[1]
	cat = os.path.join(root, "data", "catalog")
	if not os.path.isdir(cat):
		print(f"catalog_lint: {cat}: no catalog directory", file=sys.stderr)
		return 1

	schema = None
	try:
		import jsonschema
		with open(os.path.join(cat, "schema", "catalog.schema.json"), encoding="utf-8") as f:
			schema = json.load(f)
		jsonschema.Draft7Validator.check_schema(schema)
	except ImportError:
		print("catalog_lint: python3-jsonschema not installed: schema not checked")
	except (OSError, ValueError) as e:
		problem(f"schema/catalog.schema.json: {e}")

	def validate(data, kind, path):
		if schema is None or data is None:
			return
		sub = {"$ref": f"#/definitions/{kind}", "definitions": schema["definitions"]}
		v = jsonschema.Draft7Validator(sub)
		for err in sorted(v.iter_errors(data), key=lambda e: list(e.absolute_path)):
			where = "/".join(str(p) for p in err.absolute_path)
			problem(f"{path}: {where or '(root)'}: {err.message}")

	# ---- evidence keys ----
	ek_path = os.path.join(cat, "evidence-keys.yaml")
	ek = load(ek_path)
	validate(ek, "evidenceKeys", ek_path)
	keys = set()
	for k in (ek or {}).get("keys", []) or []:
		if not isinstance(k, dict):
			continue
		if k.get("key") in keys:
			problem(f"{ek_path}: key {k.get('key')} defined twice")
		keys.add(k.get("key"))

	# ---- standards ----
	standards = {}  # id -> {provision id -> provision}
	for path in sorted(glob.glob(os.path.join(cat, "standards", "*.yaml"))):
		d = load(path)
		validate(d, "standard", path)
		if not isinstance(d, dict):
			problem(f"{path}: not a mapping")
			continue
		sid = os.path.basename(path)[:-len(".yaml")]
		if d.get("id") != sid:
			problem(f"{path}: id {d.get('id')!r} is not the file name {sid!r}")
		for f in set(d) - STANDARD_FIELDS:
			problem(f"{path}: unknown field {f!r}")
		provs = {}
		for p in d.get("provisions") or []:
			if not isinstance(p, dict) or "id" not in p:
				problem(f"{path}: provision without an id")
				continue
			pid = str(p["id"])
			if pid in provs:
				problem(f"{path}: provision {pid} listed twice")
			provs[pid] = p
			for f in set(p) - PROVISION_FIELDS:
				problem(f"{path}: {pid}: unknown field {f!r}")
			if p.get("obligation") not in ("mandatory", "recommended", "conditional"):
				problem(f"{path}: {pid}: bad obligation {p.get('obligation')!r}")
			if p.get("verify") not in ("image", "partial", "documentation"):
				problem(f"{path}: {pid}: bad verify {p.get('verify')!r}")
			if sid == "iec-62443-4-2":
				if p.get("sl") not in (1, 2, 3, 4):
					problem(f"{path}: {pid}: sl must be 1..4 for IEC 62443-4-2")
			elif "sl" in p:
				problem(f"{path}: {pid}: sl is only for IEC 62443-4-2")
			for k in p.get("evidence") or []:
				if k not in keys:
					problem(f"{path}: {pid}: evidence key {k!r} not in evidence-keys.yaml")
			for f in ("title", "summary"):
				if not isinstance(p.get(f), str) or not p.get(f).strip():
					problem(f"{path}: {pid}: empty {f}")
		standards[sid] = provs
	if not standards:
		problem(f"{cat}/standards: no standard files")
	for sid in standards:
		if not os.path.isfile(os.path.join(root, "docs", "standards", sid + ".md")):
			problem(f"docs/standards/{sid}.md: missing (one page per standard)")

	# ---- checks ----
	ck_path = os.path.join(cat, "checks.yaml")
	ck = load(ck_path)
	validate(ck, "checks", ck_path)
	emitted = emitted_finding_ids(root)
	real = set(emitted) | PSEUDO_FINDINGS
	served = set()
	check_ids = set()
	patterns = []
	for c in (ck or {}).get("checks", []) or []:
		if not isinstance(c, dict):
			continue
		cid = c.get("id")
		if cid in check_ids:
			problem(f"{ck_path}: check {cid} listed twice")
		check_ids.add(cid)
		for pat in c.get("findings") or []:
			patterns.append(pat)
			if not any(matches(pat, fid) for fid in real):
				problem(f"{ck_path}: {cid}: finding {pat!r} is emitted nowhere in src/")
		for sid, pids in (c.get("provisions") or {}).items():
			if sid not in standards:
				problem(f"{ck_path}: {cid}: unknown standard {sid!r}")
				continue
			for pid in pids or []:
				if str(pid) not in standards[sid]:
					problem(f"{ck_path}: {cid}: {sid} has no provision {pid!r}")
				served.add((sid, str(pid)))
	for fid in sorted(real):
		if not any(matches(p, fid) for p in patterns):
			where = emitted.get(fid, "vulnerability rule")
			problem(f"{ck_path}: finding {fid} ({where}) is covered by no check")
	for sid, provs in sorted(standards.items()):
		for pid, p in provs.items():
			if p.get("verify") == "image" and (sid, pid) not in served \
			   and (sid, pid) not in KNOWN_UNSERVED:
				problem(f"{sid}: {pid} is decidable from an image but no check serves it")
	for (sid, pid), why in sorted(KNOWN_UNSERVED.items()):
		if (sid, pid) in served:
			problem(f"catalog_lint: {sid} {pid} is served now: drop it from KNOWN_UNSERVED")
		else:
			print(f"catalog_lint: note: {sid} {pid} has no check: {why}")

	# ---- profiles ----
	pr_path = os.path.join(cat, "profiles.yaml")
	pr = load(pr_path)
	validate(pr, "profiles", pr_path)
	pids = set()
	for p in (pr or {}).get("profiles", []) or []:
		if not isinstance(p, dict):
			continue
		if p.get("id") in pids:
			problem(f"{pr_path}: profile {p.get('id')} listed twice")
		pids.add(p.get("id"))
		for sid in p.get("standards") or []:
			if sid not in standards:
				problem(f"{pr_path}: {p.get('id')}: unknown standard {sid!r}")
		if "default_level" in p and p["default_level"] not in (p.get("levels") or []):
			problem(f"{pr_path}: {p.get('id')}: default_level not among levels")

	nprov = sum(len(v) for v in standards.values())
	nimage = sum(1 for v in standards.values() for p in v.values() if p.get("verify") == "image")
	print(f"catalog_lint: {len(standards)} standards, {nprov} provisions ({nimage} decidable "
	      f"from an image), {len(check_ids)} checks covering {len(real)} finding ids, "
	      f"{len(served)} provisions served, {len(pids)} profiles, {len(keys)} evidence keys")
	for p in problems:
		print(f"catalog_lint: {p}")
	return 1 if problems else 0


if __name__ == "__main__":
	sys.exit(main())
