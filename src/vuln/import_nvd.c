/*
 * NVD CVE API 2.0 records (https://nvd.nist.gov/developers/vulnerabilities,
 * JSON schema cve_api_json_2.0.schema): one "cve" object of an API page or
 * yearly feed, or a bare one.
 *
 * configurations[] = {operator AND|OR (absent: OR), negate, nodes[]};
 * node = {operator, negate, cpeMatch[]}; cpeMatch = {vulnerable, criteria
 * (CPE 2.3 match string), versionStartIncluding/Excluding,
 * versionEndIncluding/Excluding, matchCriteriaId}. In an AND configuration
 * the entries with vulnerable:false are the platform the vulnerable part
 * must run on or with (a router model, an OS); they are stored as such, so
 * the matcher reports a conditional match instead of a plain one.
 *
 * Records without configurations (NVD's backlog: Received, Awaiting
 * Analysis, Deferred) are imported all the same: their description still
 * names products, and the matcher must not pretend they do not exist.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/vrange.h"
#include "vuln/vuln_db.h"

/* Picks the metric to report from cvssMetricV31-style arrays: the NVD's
 * own (Primary) one first, else the first. */
static json_t *pick_metric(json_t *arr)
{
	size_t i;
	json_t *m, *first = NULL;
	json_array_foreach(arr, i, m)
	{
		if (!json_is_object(json_object_get(m, "cvssData")))
			continue;
		const char *type = iota_vj_str(m, "type");
		if (type && strcmp(type, "Primary") == 0)
			return m;
		if (!first)
			first = m;
	}
	return first;
}

static void metrics(json_t *cve, iota_vcve *c)
{
	json_t *ms = json_object_get(cve, "metrics");
	if (!json_is_object(ms))
		return;
	static const char *const v3[] = {"cvssMetricV31", "cvssMetricV30"};
	for (size_t k = 0; k < 2 && c->cvss3 < 0; k++) {
		json_t *m = pick_metric(json_object_get(ms, v3[k]));
		if (!m)
			continue;
		json_t *d = json_object_get(m, "cvssData");
		json_t *score = json_object_get(d, "baseScore");
		if (!json_is_number(score))
			continue;
		c->cvss3 = json_number_value(score);
		c->cvss3_version = iota_vj_str(d, "version");
		c->cvss3_vector = iota_vj_str(d, "vectorString");
		c->cvss3_severity = iota_vj_str(d, "baseSeverity");
		c->cvss_source = iota_vj_str(m, "source");
	}
	json_t *m = pick_metric(json_object_get(ms, "cvssMetricV40"));
	if (m) {
		json_t *d = json_object_get(m, "cvssData");
		json_t *score = json_object_get(d, "baseScore");
		if (json_is_number(score)) {
			c->cvss4 = json_number_value(score);
			c->cvss4_vector = iota_vj_str(d, "vectorString");
			c->cvss4_severity = iota_vj_str(d, "baseSeverity");
		}
	}
}

/* The version the CPE names exactly, with its update folded in the way
 * products write it (openssh 9.2 + p1 = "9.2p1"); NULL for ANY. */
static const char *cpe_version(const iota_cpe *cpe, char *buf, size_t size)
{
	const char *v = cpe->f[IOTA_CPE_VERSION], *u = cpe->f[IOTA_CPE_UPDATE];
	if (strcmp(v, "*") == 0 || !*v)
		return NULL;
	if (strcmp(u, "*") == 0 || strcmp(u, "-") == 0 || !*u)
		return v;
	snprintf(buf, size, "%s%s", v, u);
	return buf;
}

int iota_vimport_nvd(iota_vimport *im, json_t *cve)
{
	const char *id = iota_vj_str(cve, "id");
	if (!iota_vcve_id_valid(id)) {
		iota_vrec_skip(im, id, "no valid \"id\"");
		return 1;
	}
	const char *modified = iota_vj_str(cve, "lastModified");
	iota_vimport_seen(im, modified);
	int r = iota_vrec_begin(im, "nvd", id, modified);
	if (r)
		return r < 0 ? -1 : 0;

	json_t *cfgs = json_object_get(cve, "configurations");
	if (cfgs && !json_is_array(cfgs))
		return iota_vrec_drop(im, "\"configurations\" is not an array");
	size_t ci, ni, mi;
	json_t *cfg, *node, *m;
	json_array_foreach(cfgs, ci, cfg)
	{
		json_t *nodes = json_object_get(cfg, "nodes");
		if (!json_is_array(nodes))
			return iota_vrec_drop(im, "configurations[%zu] has no \"nodes\" array", ci);
		const char *op = iota_vj_str(cfg, "operator");
		int cneg = json_is_true(json_object_get(cfg, "negate"));
		json_array_foreach(nodes, ni, node)
		{
			json_t *matches = json_object_get(node, "cpeMatch");
			if (!json_is_array(matches))
				return iota_vrec_drop(
				    im,
				    "configurations[%zu].nodes[%zu] has no \"cpeMatch\" "
				    "array",
				    ci, ni);
			json_array_foreach(matches, mi, m)
			{
				const char *crit = iota_vj_str(m, "criteria");
				iota_cpe cpe;
				if (!crit || iota_cpe_parse(crit, &cpe) != 0)
					return iota_vrec_drop(
					    im,
					    "configurations[%zu].nodes[%zu].cpeMatch[%zu]"
					    ": criteria is not a CPE 2.3 name",
					    ci, ni, mi);
				iota_vrow row;
				iota_vrow_init(&row);
				row.cve_id = id;
				row.source = "nvd-cpe";
				row.entry = (int)ci;
				row.vendor = cpe.f[IOTA_CPE_VENDOR];
				row.product = cpe.f[IOTA_CPE_PRODUCT];
				row.cpe = crit;
				const char *si = iota_vj_str(m, "versionStartIncluding");
				const char *se = iota_vj_str(m, "versionStartExcluding");
				const char *ei = iota_vj_str(m, "versionEndIncluding");
				const char *ee = iota_vj_str(m, "versionEndExcluding");
				char vbuf[260];
				if (si || se || ei || ee) {
					row.start = si ? si : se;
					row.start_incl = si != NULL;
					row.end = ei ? ei : ee;
					row.end_incl = ei != NULL;
				} else {
					row.version = cpe_version(&cpe, vbuf, sizeof vbuf);
				}
				json_t *vul = json_object_get(m, "vulnerable");
				row.vulnerable = vul ? json_is_true(vul) : 1;
				row.status = row.vulnerable ? "affected" : "platform";
				row.cfg_operator = op;
				row.cfg_negate = cneg;
				row.node = (int)ni;
				row.node_operator = iota_vj_str(node, "operator");
				row.node_negate = json_is_true(json_object_get(node, "negate"));
				if (iota_vrec_row(im, &row) != 0)
					return iota_vrec_drop(im, "database error");
			}
		}
	}

	iota_vcve c;
	iota_vcve_init(&c);
	c.id = id;
	c.source = "nvd";
	c.record = id;
	c.published = iota_vj_str(cve, "published");
	c.modified = modified;
	c.status = iota_vj_str(cve, "vulnStatus");
	c.assigner = iota_vj_str(cve, "sourceIdentifier");
	c.description = iota_vj_english(json_object_get(cve, "descriptions"));
	metrics(cve, &c);
	int w = iota_vrec_cve(im, &c);
	if (w != 0)
		return iota_vrec_drop(im, "%s",
		                      w > 0 ? "too many affected entries" : "database error");
	return iota_vrec_keep(im);
}
