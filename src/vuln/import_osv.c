/*
 * OSV records (Open Source Vulnerability format 1.x,
 * https://ossf.github.io/osv-schema/): id, modified, published, withdrawn,
 * aliases[], summary/details, severity[] {type, score = CVSS vector},
 * affected[] {package {ecosystem, name, purl}, ranges[] {type SEMVER |
 * ECOSYSTEM | GIT, events[] {introduced | fixed | last_affected | limit}},
 * versions[]}.
 *
 * Each introduced..fixed (exclusive) or introduced..last_affected
 * (inclusive) pair becomes one range; "introduced": "0" is the beginning.
 * GIT ranges (commit ids) are stored but cannot be ordered against a
 * release version. A record keyed by another id (GHSA-, DSA-...) is filed
 * under its first CVE alias, so its ranges merge with the CVE's other
 * sources.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/vuln_db.h"

static void lower(char *dst, size_t size, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < size; i++)
		dst[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	dst[i] = '\0';
}

/* Emits the ranges of one ranges[] element. Returns 0, 1 malformed, -1 fatal. */
static int range(iota_vimport *im, iota_vrow *base, json_t *rg, char *why, size_t whysz)
{
	const char *type = iota_vj_str(rg, "type");
	json_t *events = json_object_get(rg, "events");
	if (!type || !json_is_array(events)) {
		snprintf(why, whysz, "a range without type or events");
		return 1;
	}
	iota_vrow r = *base;
	r.version_type = strcmp(type, "GIT") == 0 ? "git" : type;
	r.status = "affected";
	const char *open = NULL;
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		const char *intro = iota_vj_str(ev, "introduced");
		const char *fixed = iota_vj_str(ev, "fixed");
		const char *last = iota_vj_str(ev, "last_affected");
		if (intro) {
			if (open) { /* two introduced in a row: the first is open-ended */
				r.start = open;
				r.start_incl = 1;
				r.end = NULL;
				if (iota_vrec_row(im, &r) != 0)
					return -1;
			}
			open = intro;
		} else if (fixed || last) {
			r.start = open && strcmp(open, "0") != 0 ? open : NULL;
			r.start_incl = 1;
			r.end = fixed ? fixed : last;
			r.end_incl = fixed == NULL;
			if (iota_vrec_row(im, &r) != 0)
				return -1;
			open = NULL;
		} else if (!iota_vj_str(ev, "limit")) {
			snprintf(why, whysz,
			         "an event that is none of introduced, fixed, "
			         "last_affected, limit");
			return 1;
		}
	}
	if (open) {
		r.start = strcmp(open, "0") != 0 ? open : NULL;
		r.start_incl = 1;
		r.end = NULL;
		if (iota_vrec_row(im, &r) != 0)
			return -1;
	}
	return 0;
}

int iota_vimport_osv(iota_vimport *im, json_t *rec)
{
	const char *oid = iota_vj_str(rec, "id");
	if (!oid || !*oid) {
		iota_vrec_skip(im, NULL, "OSV record without an id");
		return 1;
	}
	const char *modified = iota_vj_str(rec, "modified");
	iota_vimport_seen(im, modified);
	const char *cve = iota_vcve_id_valid(oid) ? oid : NULL;
	char aliases[1024] = "";
	size_t i, j, n = 0;
	json_t *v, *a;
	json_array_foreach(json_object_get(rec, "aliases"), i, v)
	{
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		if (!s)
			continue;
		if (!cve && iota_vcve_id_valid(s))
			cve = s;
		int w = snprintf(aliases + n, sizeof aliases - n, "%s%s", n ? " " : "", s);
		if (w > 0 && (size_t)w < sizeof aliases - n)
			n += (size_t)w;
	}
	const char *id = cve ? cve : oid;
	int r = iota_vrec_begin(im, "osv", oid, modified);
	if (r)
		return r < 0 ? -1 : 0;

	json_t *aff = json_object_get(rec, "affected");
	if (aff && !json_is_array(aff))
		return iota_vrec_drop(im, "\"affected\" is not an array");
	char why[256];
	json_array_foreach(aff, i, a)
	{
		json_t *pkg = json_object_get(a, "package");
		const char *eco = iota_vj_str(pkg, "ecosystem");
		const char *name = iota_vj_str(pkg, "name");
		char lname[256];
		lower(lname, sizeof lname, name);
		iota_vrow base;
		iota_vrow_init(&base);
		base.cve_id = id;
		base.source = "osv";
		base.entry = (int)i;
		base.ecosystem = eco;
		base.package = name ? lname : NULL;
		base.cpe = iota_vj_str(pkg, "purl");
		json_t *rg;
		json_array_foreach(json_object_get(a, "ranges"), j, rg)
		{
			int rc = range(im, &base, rg, why, sizeof why);
			if (rc < 0)
				return iota_vrec_drop(im, "database error");
			if (rc > 0)
				return iota_vrec_drop(im, "affected[%zu].ranges[%zu]: %s", i, j,
				                      why);
		}
		json_array_foreach(json_object_get(a, "versions"), j, v)
		{
			if (!json_is_string(v))
				continue;
			iota_vrow e = base;
			e.version = json_string_value(v);
			e.version_type = "ECOSYSTEM";
			e.status = "affected";
			if (iota_vrec_row(im, &e) != 0)
				return iota_vrec_drop(im, "database error");
		}
	}

	iota_vcve c;
	iota_vcve_init(&c);
	c.id = id;
	c.source = "osv";
	c.record = oid;
	c.published = iota_vj_str(rec, "published");
	c.modified = modified;
	c.status = iota_vj_str(rec, "withdrawn") ? "Withdrawn" : "Published";
	c.description = iota_vj_str(rec, "details");
	if (!c.description || !*c.description)
		c.description = iota_vj_str(rec, "summary");
	c.aliases = aliases[0] ? aliases : NULL;
	json_array_foreach(json_object_get(rec, "severity"), i, v)
	{
		const char *type = iota_vj_str(v, "type"), *score = iota_vj_str(v, "score");
		if (!type || !score)
			continue;
		if (strcmp(type, "CVSS_V3") == 0 && !c.cvss3_vector)
			c.cvss3_vector = score;
		else if (strcmp(type, "CVSS_V4") == 0 && !c.cvss4_vector)
			c.cvss4_vector = score;
	}
	c.cvss3_severity = iota_vj_str(json_object_get(rec, "database_specific"), "severity");
	int w = iota_vrec_cve(im, &c);
	if (w != 0)
		return iota_vrec_drop(im, "%s",
		                      w > 0 ? "too many affected entries" : "database error");
	return iota_vrec_keep(im);
}
