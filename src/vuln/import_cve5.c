/*
 * CVE JSON 5 records (CVE Record Format 5.x, https://github.com/CVEProject/
 * cve-schema, CVE_JSON_5.1_bundled.json): the CNA container and the ADP
 * containers (CISA's vulnrichment, other suppliers).
 *
 * affected[] = {vendor, product | packageName (+ collectionURL), cpes[],
 * defaultStatus, versions[]}; versions[] = {version, status
 * (affected|unaffected|unknown), versionType, lessThan | lessThanOrEqual
 * (range from version; "*" = no end), changes[] {at, status}}. A version
 * without lessThan/lessThanOrEqual is a single version. defaultStatus is the
 * status of every version no entry covers. "n/a" vendor/product (common in
 * MITRE-assigned records) carry nothing and are not stored; the matcher
 * falls back to the description for them.
 *
 * From the ADP containers also: CVSS when the CNA gave none, CISA's SSVC
 * decision points, and the KEV date CISA adds (kept until the KEV catalog
 * itself is imported).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "vuln/vrange.h"
#include "vuln/vuln_db.h"

static const char *given(const char *s)
{
	if (!s || !*s || strcasecmp(s, "n/a") == 0 || strcasecmp(s, "unknown") == 0)
		return NULL;
	return s;
}

static void lower(char *dst, size_t size, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < size; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

static int valid_status(const char *s)
{
	return s && (strcmp(s, "affected") == 0 || strcmp(s, "unaffected") == 0 ||
	             strcmp(s, "unknown") == 0);
}

/* CVSS from a CVE5 metrics[] array; fills what is still missing in c. */
static void metrics(json_t *arr, const char *provider, iota_vcve *c)
{
	size_t i;
	json_t *m;
	json_array_foreach(arr, i, m)
	{
		static const char *const v3[] = {"cvssV3_1", "cvssV3_0"};
		for (size_t k = 0; k < 2 && c->cvss3 < 0; k++) {
			json_t *d = json_object_get(m, v3[k]);
			json_t *score = json_object_get(d, "baseScore");
			if (!json_is_number(score))
				continue;
			c->cvss3 = json_number_value(score);
			c->cvss3_version = iota_vj_str(d, "version");
			c->cvss3_vector = iota_vj_str(d, "vectorString");
			c->cvss3_severity = iota_vj_str(d, "baseSeverity");
			c->cvss_source = provider;
		}
		json_t *d = json_object_get(m, "cvssV4_0");
		json_t *score = json_object_get(d, "baseScore");
		if (c->cvss4 < 0 && json_is_number(score)) {
			c->cvss4 = json_number_value(score);
			c->cvss4_vector = iota_vj_str(d, "vectorString");
			c->cvss4_severity = iota_vj_str(d, "baseSeverity");
		}
	}
}

/* SSVC decision points and the KEV date from CISA's ADP metrics. */
static void cisa_other(json_t *arr, char *ssvc, size_t size, const char **kev_added)
{
	size_t i, j;
	json_t *m, *opt;
	json_array_foreach(arr, i, m)
	{
		json_t *other = json_object_get(m, "other");
		const char *type = iota_vj_str(other, "type");
		json_t *content = json_object_get(other, "content");
		if (!type || !json_is_object(content))
			continue;
		if (strcmp(type, "kev") == 0 && iota_vj_str(content, "dateAdded"))
			*kev_added = iota_vj_str(content, "dateAdded");
		if (strcmp(type, "ssvc") != 0 || ssvc[0])
			continue;
		size_t n = 0;
		json_array_foreach(json_object_get(content, "options"), j, opt)
		{
			const char *k;
			json_t *v;
			json_object_foreach(opt, k, v)
			{
				if (!json_is_string(v))
					continue;
				int w = snprintf(ssvc + n, size - n, "%s%s: %s", n ? "; " : "", k,
				                 json_string_value(v));
				if (w < 0 || (size_t)w >= size - n)
					return;
				n += (size_t)w;
			}
		}
	}
}

/* One affected[] element. Returns 0, 1 when malformed (why says how), -1 on
 * a database error. */
static int affected(iota_vimport *im, const char *id, const char *source, int entry, json_t *a,
                    char *why, size_t whysz)
{
	if (!json_is_object(a)) {
		snprintf(why, whysz, "affected[%d] is not an object", entry % 1000);
		return 1;
	}
	const char *vendor = given(iota_vj_str(a, "vendor"));
	const char *product = given(iota_vj_str(a, "product"));
	const char *package = given(iota_vj_str(a, "packageName"));
	const char *coll = iota_vj_str(a, "collectionURL");
	const char *dflt = iota_vj_str(a, "defaultStatus");
	iota_cpe cpe;
	const char *cpe_name = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(a, "cpes"), i, v)
	{
		if (json_is_string(v) && iota_cpe_parse(json_string_value(v), &cpe) == 0) {
			cpe_name = json_string_value(v);
			break;
		}
	}
	if (!product && !package && !cpe_name)
		return 0; /* "n/a": nothing structured */
	if (dflt && !valid_status(dflt)) {
		snprintf(why, whysz, "affected[%d]: defaultStatus \"%s\" is not a status",
		         entry % 1000, dflt);
		return 1;
	}
	char lv[256], lp[256], lpkg[256];
	lower(lv, sizeof lv, vendor ? vendor : (cpe_name ? cpe.f[IOTA_CPE_VENDOR] : NULL));
	lower(lp, sizeof lp, product ? product : (cpe_name ? cpe.f[IOTA_CPE_PRODUCT] : NULL));
	lower(lpkg, sizeof lpkg, package);

	iota_vrow row;
	iota_vrow_init(&row);
	row.cve_id = id;
	row.source = source;
	row.entry = entry;
	row.vendor = lv[0] ? lv : NULL;
	row.product = lp[0] ? lp : NULL;
	row.cpe = cpe_name;
	row.package = lpkg[0] ? lpkg : NULL;
	row.collection_url = package ? coll : NULL;
	row.default_status = dflt;

	json_t *versions = json_object_get(a, "versions");
	if (versions && !json_is_array(versions)) {
		snprintf(why, whysz, "affected[%d].versions is not an array", entry % 1000);
		return 1;
	}
	if (!versions || json_array_size(versions) == 0) {
		row.status = "none"; /* only the product and its defaultStatus */
		return iota_vrec_row(im, &row) != 0 ? -1 : 0;
	}
	json_array_foreach(versions, i, v)
	{
		const char *ver = iota_vj_str(v, "version");
		const char *status = iota_vj_str(v, "status");
		if (!ver || !valid_status(status)) {
			snprintf(why, whysz, "affected[%d].versions[%zu] lacks a version or status",
			         entry % 1000, i);
			return 1;
		}
		const char *lt = iota_vj_str(v, "lessThan");
		const char *lte = iota_vj_str(v, "lessThanOrEqual");
		iota_vrow r = row;
		r.status = status;
		r.version_type = iota_vj_str(v, "versionType");
		if (lt || lte) {
			r.start = ver;
			r.start_incl = 1;
			r.end = lte ? lte : lt;
			r.end_incl = lte != NULL;
		} else {
			r.version = ver;
		}
		char *changes = NULL;
		json_t *ch = json_object_get(v, "changes");
		if (json_is_array(ch) && json_array_size(ch))
			changes = json_dumps(ch, JSON_COMPACT);
		r.changes = changes;
		int rc = iota_vrec_row(im, &r);
		free(changes);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int str_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The CNA's affected[].programFiles (the kernel CNA names the source files
 * a fix touches), all entries together: sorted, without duplicates, one per
 * line. NULL when there are none or they do not fit (a bound on hostile
 * records: 256 files of 255 bytes). Names with a newline, "..", or a
 * leading "/" are not file paths of a source tree and are left out. */
static char *program_files(json_t *aff)
{
	const char *v[256];
	size_t n = 0, i, k;
	json_t *a, *f;
	json_array_foreach(aff, i, a)
	{
		json_array_foreach(json_object_get(a, "programFiles"), k, f)
		{
			const char *p = json_is_string(f) ? json_string_value(f) : NULL;
			size_t len = p ? strlen(p) : 0;
			if (!len || len > 255 || p[0] == '/' || strchr(p, '\n') || strstr(p, ".."))
				continue;
			if (n == sizeof v / sizeof v[0])
				return NULL;
			v[n++] = p;
		}
	}
	if (!n)
		return NULL;
	qsort(v, n, sizeof v[0], str_order);
	size_t total = 0;
	for (i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	char *out = iota_malloc(total), *o = out;
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i && strcmp(v[i], v[i - 1]) == 0)
			continue;
		size_t len = strlen(v[i]);
		if (o != out)
			*o++ = '\n';
		memcpy(o, v[i], len);
		o += len;
	}
	*o = '\0';
	return out;
}

int iota_vimport_cve5(iota_vimport *im, json_t *rec)
{
	json_t *meta = json_object_get(rec, "cveMetadata");
	const char *id = iota_vj_str(meta, "cveId");
	if (!iota_vcve_id_valid(id)) {
		iota_vrec_skip(im, id, "no valid cveMetadata.cveId");
		return 1;
	}
	const char *modified = iota_vj_str(meta, "dateUpdated");
	if (!modified)
		modified = iota_vj_str(meta, "datePublished");
	iota_vimport_seen(im, modified);
	json_t *containers = json_object_get(rec, "containers");
	json_t *cna = json_object_get(containers, "cna");
	if (!json_is_object(cna)) {
		iota_vrec_skip(im, id, "no containers.cna object");
		return 1;
	}
	int r = iota_vrec_begin(im, "cve5", id, modified);
	if (r)
		return r < 0 ? -1 : 0;

	char why[256];
	size_t i, j;
	json_t *a, *adp;
	json_t *aff = json_object_get(cna, "affected");
	if (aff && !json_is_array(aff))
		return iota_vrec_drop(im, "containers.cna.affected is not an array");
	json_array_foreach(aff, i, a)
	{
		int rc = affected(im, id, "cve5-cna", (int)i, a, why, sizeof why);
		if (rc < 0)
			return iota_vrec_drop(im, "database error");
		if (rc > 0)
			return iota_vrec_drop(im, "containers.cna.%s", why);
	}

	iota_vcve c;
	iota_vcve_init(&c);
	metrics(json_object_get(cna, "metrics"),
	        iota_vj_str(json_object_get(cna, "providerMetadata"), "shortName"), &c);
	char ssvc[256] = "";
	const char *kev_added = NULL;
	json_t *adps = json_object_get(containers, "adp");
	json_array_foreach(adps, j, adp)
	{
		const char *who =
		    iota_vj_str(json_object_get(adp, "providerMetadata"), "shortName");
		/* A malformed ADP entry costs that entry, not the CNA's data. */
		json_array_foreach(json_object_get(adp, "affected"), i, a)
		{
			int rc = affected(im, id, "cve5-adp", (int)((j + 1) * 1000 + i), a, why,
			                  sizeof why);
			if (rc < 0)
				return iota_vrec_drop(im, "database error");
			if (rc > 0)
				iota_vdb_note(im->db, "%s: %s: adp[%zu] (%s).%s (entry ignored)",
				              im->file, id, j, who ? who : "?", why);
		}
		metrics(json_object_get(adp, "metrics"), who, &c);
		cisa_other(json_object_get(adp, "metrics"), ssvc, sizeof ssvc, &kev_added);
	}
	if (kev_added) {
		sqlite3_stmt *st = im->stmt[IOTA_VST_KEV_ADP];
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, kev_added, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc != SQLITE_DONE) {
			iota_vdb_sqlfail(im->db, "write a KEV entry");
			im->fatal = 1;
			return iota_vrec_drop(im, "database error");
		}
	}

	const char *state = iota_vj_str(meta, "state");
	c.id = id;
	c.source = "cve5";
	c.record = id;
	c.published = iota_vj_str(meta, "datePublished");
	c.modified = modified;
	c.status = state && strcmp(state, "REJECTED") == 0    ? "Rejected"
	           : state && strcmp(state, "PUBLISHED") == 0 ? "Published"
	                                                      : state;
	c.assigner = iota_vj_str(meta, "assignerShortName");
	c.description = iota_vj_english(json_object_get(cna, "descriptions"));
	if (!c.description)
		c.description = iota_vj_english(json_object_get(cna, "rejectedReasons"));
	c.ssvc = ssvc[0] ? ssvc : NULL;
	char *files = program_files(aff);
	c.program_files = files;
	int w = iota_vrec_cve(im, &c);
	iota_free(files);
	if (w != 0)
		return iota_vrec_drop(im, "%s",
		                      w > 0 ? "too many affected entries" : "database error");
	return iota_vrec_keep(im);
}
