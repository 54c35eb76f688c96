/*
 * SARIF 2.1.0 report (OASIS Static Analysis Results Interchange Format,
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), written
 * with jansson for code-scanning UIs.
 *
 * One run. tool.driver.rules: every catalog check (help text with why and
 * fix; the provisions it serves in properties and as relationships to the
 * standards, which are the run's taxonomies, SARIF 3.19.3), then a rule for
 * every finding check id no catalog check serves (all of them when the scan
 * was not assessed), then one rule per CVE matched. results: the findings in
 * report order, then the vulnerability matches. A finding accepted by
 * tailoring, or a match a source states not to affect the version, is a
 * result with a suppression (3.35), so it stays visible.
 *
 * Locations (3.28): the artifact is the file's path inside its innermost
 * container (percent-encoded as a relative URI reference); the origin chain
 * (image, containers, file) is the run's logicalLocations, each pointing to
 * its parent, and each result names the innermost one. Regions carry the
 * line of a text finding or the byte offset of a binary one.
 *
 * Deterministic: the catalog, findings and components are in a fixed order,
 * keys are sorted, nothing depends on time.
 */
#include <inttypes.h>
#include <openssl/evp.h>
#include <string.h>

#include "core/unpacker.h"
#include "report/report_common.h"
#include "util/alloc.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

struct sarif {
	iota_scan *s;
	const iota_rview *v;
	json_t *rules;       /* array */
	json_t *rule_idx;    /* object: rule id -> index */
	json_t *logical;     /* run.logicalLocations */
	json_t *logical_idx; /* object: fully qualified name -> index */
	int nomem;
};

static void set(struct sarif *w, json_t *o, const char *key, json_t *val)
{
	if (!val || json_object_set_new(o, key, val) != 0)
		w->nomem = 1;
}

static void push(struct sarif *w, json_t *arr, json_t *val)
{
	if (!val || json_array_append_new(arr, val) != 0)
		w->nomem = 1;
}

static json_t *text_obj(const char *t)
{
	json_t *o = json_object();
	json_t *j = iota_report_jstr(t);
	if (!o || !j || json_object_set_new(o, "text", j) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *level_of(iota_severity sev)
{
	return sev >= IOTA_SEV_HIGH ? "error" : sev == IOTA_SEV_MEDIUM ? "warning" : "note";
}

static const char *level_of_cvss(double score)
{
	return score >= 7.0 ? "error" : score >= 4.0 ? "warning" : "note";
}

/* GitHub code scanning reads properties['security-severity'] as a CVSS-like
 * score in a string; for a finding it comes from the severity. */
static const char *severity_score(iota_severity sev)
{
	static const char *const v[] = {"0.0", "2.0", "5.0", "7.5", "9.5"};
	return (unsigned)sev < 5 ? v[sev] : "0.0";
}

static json_t *provision_ref(const iota_provision *p)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "standard", json_string(p->standard->id));
	json_object_set_new(o, "id", iota_report_jstr(p->id));
	json_object_set_new(o, "title", iota_report_jstr(p->title));
	if (p->obligation)
		json_object_set_new(o, "obligation", json_string(p->obligation));
	return o;
}

static int add_rule(struct sarif *w, const char *id, json_t *rule)
{
	size_t idx = json_array_size(w->rules);
	if (!rule || json_array_append_new(w->rules, rule) != 0 ||
	    json_object_set_new_nocheck(w->rule_idx, id, json_integer((json_int_t)idx)) != 0) {
		w->nomem = 1;
		return -1;
	}
	return (int)idx;
}

static int rule_index(struct sarif *w, const char *id)
{
	json_t *i = json_object_get(w->rule_idx, id);
	return i ? (int)json_integer_value(i) : -1;
}

static void catalog_rules(struct sarif *w, const iota_catalog *cat)
{
	char md[8192];
	for (size_t i = 0; i < cat->nchecks; i++) {
		const iota_check *c = &cat->checks[i];
		json_t *r = json_object(), *props = json_object(), *provs = json_array(),
		       *rels = json_array(), *tags = json_array();
		if (!r || !props || !provs || !rels || !tags) {
			json_decref(r);
			json_decref(props);
			json_decref(provs);
			json_decref(rels);
			json_decref(tags);
			w->nomem = 1;
			return;
		}
		set(w, r, "id", iota_report_jstr(c->id));
		set(w, r, "name", iota_report_jstr(c->id));
		set(w, r, "shortDescription", text_obj(c->title ? c->title : c->id));
		set(w, r, "fullDescription", text_obj(c->description ? c->description : c->title));
		int n = snprintf(md, sizeof md, "%s\n\nWhy it matters: %s\n\nHow to fix: %s",
		                 c->description ? c->description : "", c->why ? c->why : "-",
		                 c->fix ? c->fix : "-");
		if (n < 0 || (size_t)n >= sizeof md)
			md[sizeof md - 1] = '\0';
		json_t *help = text_obj(md);
		if (help) {
			n = snprintf(md, sizeof md,
			             "%s\n\n**Why it matters.** %s\n\n**How to fix.** %s",
			             c->description ? c->description : "", c->why ? c->why : "-",
			             c->fix ? c->fix : "-");
			if (n < 0 || (size_t)n >= sizeof md)
				md[sizeof md - 1] = '\0';
			set(w, help, "markdown", iota_report_jstr(md));
		}
		set(w, r, "help", help);
		push(w, tags, json_string("security"));
		for (const iota_provision **p = c->provisions; p && *p; p++) {
			push(w, provs, provision_ref(*p));
			json_t *rel = json_object(), *target = json_object(), *tc = json_object(),
			       *kinds = json_array();
			if (!rel || !target || !tc || !kinds) {
				json_decref(rel);
				json_decref(target);
				json_decref(tc);
				json_decref(kinds);
				w->nomem = 1;
				continue;
			}
			set(w, target, "id", iota_report_jstr((*p)->id));
			set(w, tc, "name", json_string((*p)->standard->id));
			set(w, target, "toolComponent", tc);
			set(w, rel, "target", target);
			push(w, kinds, json_string("relevant"));
			set(w, rel, "kinds", kinds);
			push(w, rels, rel);
		}
		json_t *finds = json_array();
		for (const char **f = c->findings; finds && f && *f; f++)
			push(w, finds, iota_report_jstr(*f));
		set(w, props, "findings", finds);
		set(w, props, "provisions", provs);
		set(w, props, "tags", tags);
		set(w, r, "properties", props);
		if (json_array_size(rels))
			set(w, r, "relationships", rels);
		else
			json_decref(rels);
		add_rule(w, c->id, r);
	}
}

/* A rule for a finding check id no catalog check serves. */
static void finding_rule(struct sarif *w, const iota_finding *f)
{
	if (rule_index(w, f->check) >= 0)
		return;
	char t[256];
	snprintf(t, sizeof t, "iotaudit check %s", f->check);
	json_t *r = json_object(), *props = json_object(), *tags = json_array();
	if (!r || !props || !tags) {
		json_decref(r);
		json_decref(props);
		json_decref(tags);
		w->nomem = 1;
		return;
	}
	set(w, r, "id", iota_report_jstr(f->check));
	set(w, r, "name", iota_report_jstr(f->check));
	set(w, r, "shortDescription", text_obj(t));
	push(w, tags, json_string("security"));
	const char *dot = strchr(f->check, '.');
	if (dot) {
		char cat[64];
		snprintf(cat, sizeof cat, "%.*s", (int)(dot - f->check), f->check);
		push(w, tags, iota_report_jstr(cat));
	}
	set(w, props, "tags", tags);
	set(w, r, "properties", props);
	add_rule(w, f->check, r);
}

static void vuln_rule(struct sarif *w, const iota_vuln_match *m)
{
	if (rule_index(w, m->cve) >= 0)
		return;
	json_t *r = json_object(), *props = json_object(), *tags = json_array();
	if (!r || !props || !tags) {
		json_decref(r);
		json_decref(props);
		json_decref(tags);
		w->nomem = 1;
		return;
	}
	char t[512], score[16];
	double cvss = iota_report_cvss(m);
	snprintf(t, sizeof t, "%s (CVSS %s%s)", m->cve, cvss >= 0 ? "" : "unknown",
	         m->kev ? ", known exploited" : "");
	if (cvss >= 0)
		snprintf(t, sizeof t, "%s (CVSS %.1f %s%s)", m->cve, cvss,
		         iota_report_cvss_word(cvss), m->kev ? ", known exploited" : "");
	set(w, r, "id", iota_report_jstr(m->cve));
	set(w, r, "name", iota_report_jstr(m->cve));
	set(w, r, "shortDescription", text_obj(t));
	set(w, r, "fullDescription", text_obj(m->description ? m->description : m->cve));
	char uri[160];
	snprintf(uri, sizeof uri, "https://nvd.nist.gov/vuln/detail/%s", m->cve);
	set(w, r, "helpUri", iota_report_jstr(uri));
	json_t *dc = json_object();
	if (dc)
		set(w, dc, "level", json_string(level_of_cvss(cvss)));
	set(w, r, "defaultConfiguration", dc);
	push(w, tags, json_string("security"));
	push(w, tags, json_string("vulnerability"));
	if (m->kev)
		push(w, tags, json_string("kev"));
	set(w, props, "tags", tags);
	if (cvss >= 0) {
		snprintf(score, sizeof score, "%.1f", cvss);
		set(w, props, "security-severity", json_string(score));
	}
	if (m->cvss3 >= 0) {
		set(w, props, "cvss3", json_real(m->cvss3));
		if (m->cvss3_vector)
			set(w, props, "cvss3_vector", iota_report_jstr(m->cvss3_vector));
	}
	if (m->cvss4 >= 0) {
		set(w, props, "cvss4", json_real(m->cvss4));
		if (m->cvss4_vector)
			set(w, props, "cvss4_vector", iota_report_jstr(m->cvss4_vector));
	}
	if (m->kev) {
		set(w, props, "kev", json_true());
		if (m->kev_added)
			set(w, props, "kev_added", iota_report_jstr(m->kev_added));
		if (m->kev_due)
			set(w, props, "kev_due", iota_report_jstr(m->kev_due));
		if (m->kev_ransomware)
			set(w, props, "kev_ransomware", iota_report_jstr(m->kev_ransomware));
	}
	if (m->published)
		set(w, props, "published", iota_report_jstr(m->published));
	set(w, r, "properties", props);
	add_rule(w, m->cve, r);
}

/* RFC 3986 relative reference: unreserved characters and '/' stay, every
 * other byte is %XX. A leading segment with ':' would read as a scheme. */
static void uri_encode(const char *path, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	if (cap == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
		    *p == '/') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

/* The node's entry in run.logicalLocations (and its ancestors'): the
 * levels of the origin chain are the input, each container, and the file
 * holding the next container. Returns its index, -1 on failure. */
static int logical_index(struct sarif *w, const iota_node *n)
{
	char fq[IOTA_MAX_PATH * 2];
	if (iota_node_origin(n, fq, sizeof fq) < 0)
		return -1;
	json_t *known = json_object_get(w->logical_idx, fq);
	if (known)
		return (int)json_integer_value(known);

	/* the level above: the container holding n (a file), the file holding
	 * n (a container), nothing for the input */
	const iota_node *up = NULL;
	if (n->kind == IOTA_NODE_CONTAINER)
		up = n->parent;
	else if (n->parent)
		up = n->container;
	int parent = up ? logical_index(w, up) : -1;

	json_t *o = json_object();
	if (!o) {
		w->nomem = 1;
		return -1;
	}
	char name[IOTA_MAX_PATH + 2];
	if (n->kind == IOTA_NODE_CONTAINER && n->parent) {
		snprintf(name, sizeof name, "%s@0x%" PRIx64, n->fmt->name, n->offset);
	} else if (n->parent) {
		name[0] = '/';
		if (iota_node_inner_path(n, name + 1, sizeof name - 1) < 0)
			snprintf(name, sizeof name, "%s", n->name);
	} else {
		snprintf(name, sizeof name, "%s", n->name);
	}
	set(w, o, "name", iota_report_jstr(name));
	set(w, o, "fullyQualifiedName", iota_report_jstr(fq));
	set(w, o, "kind",
	    json_string(n->kind == IOTA_NODE_CONTAINER && n->parent ? "container"
	                : n->parent                                 ? "file"
	                                                            : "image"));
	int idx = (int)json_array_size(w->logical);
	set(w, o, "index", json_integer(idx));
	if (parent >= 0)
		set(w, o, "parentIndex", json_integer(parent));
	push(w, w->logical, o);
	if (json_object_set_new_nocheck(w->logical_idx, fq, json_integer(idx)) != 0)
		w->nomem = 1;
	return idx;
}

static json_t *location(struct sarif *w, const iota_node *n, uint64_t offset, uint32_t line)
{
	json_t *loc = json_object(), *phys = json_object(), *art = json_object();
	if (!loc || !phys || !art) {
		json_decref(loc);
		json_decref(phys);
		json_decref(art);
		w->nomem = 1;
		return NULL;
	}
	char path[IOTA_MAX_PATH + 1], uri[3 * IOTA_MAX_PATH + 4];
	const char *s_name = w->s->input_name ? w->s->input_name : "input";
	if (!n) {
		const char *slash = strrchr(s_name, '/');
		snprintf(path, sizeof path, "%s", slash && slash[1] ? slash + 1 : s_name);
	} else if (!n->parent || iota_node_inner_path(n, path, sizeof path) <= 0) {
		/* the input itself, or a container: name its file */
		const iota_node *f = n->kind == IOTA_NODE_CONTAINER && n->parent ? n->parent : n;
		if (!f->parent || iota_node_inner_path(f, path, sizeof path) <= 0)
			snprintf(path, sizeof path, "%s", f->name);
	}
	uri_encode(path, uri, sizeof uri);
	set(w, art, "uri", json_string(uri[0] ? uri : "input"));
	set(w, phys, "artifactLocation", art);
	if (line) {
		json_t *reg = json_object();
		if (reg)
			set(w, reg, "startLine", json_integer(line));
		set(w, phys, "region", reg);
	} else if (offset != UINT64_MAX) {
		json_t *reg = json_object();
		if (reg)
			set(w, reg, "byteOffset", json_integer((json_int_t)offset));
		set(w, phys, "region", reg);
	}
	set(w, loc, "physicalLocation", phys);
	if (n) {
		int li = logical_index(w, n);
		if (li >= 0) {
			json_t *ll = json_array(), *ref = json_object();
			if (ll && ref) {
				const json_t *src = json_array_get(w->logical, (size_t)li);
				set(w, ref, "index", json_integer(li));
				set(w, ref, "fullyQualifiedName",
				    json_incref(json_object_get(src, "fullyQualifiedName")));
				push(w, ll, ref);
				set(w, loc, "logicalLocations", ll);
			} else {
				json_decref(ll);
				json_decref(ref);
				w->nomem = 1;
			}
		}
	}
	json_t *locs = json_array();
	if (!locs) {
		json_decref(loc);
		w->nomem = 1;
		return NULL;
	}
	push(w, locs, loc);
	return locs;
}

/* A stable identity of a result across scans of changed images: what was
 * found where, without offsets (they move when anything before changes). */
static json_t *fingerprint(const char *a, const char *b, const char *c)
{
	unsigned char md[32];
	unsigned len = 0;
	char hex[65];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return NULL;
	int ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	         EVP_DigestUpdate(ctx, a, strlen(a) + 1) &&
	         EVP_DigestUpdate(ctx, b, strlen(b) + 1) &&
	         EVP_DigestUpdate(ctx, c, strlen(c) + 1) && EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	if (!ok || len != 32)
		return NULL;
	iota_report_hex(md, 16, hex);
	json_t *o = json_object();
	if (o && json_object_set_new(o, "iotaudit/v1", json_string(hex)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *suppression(const char *justification)
{
	json_t *arr = json_array(), *o = json_object();
	if (!arr || !o) {
		json_decref(arr);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "kind", json_string("external"));
	json_object_set_new(o, "status", json_string("accepted"));
	if (justification)
		json_object_set_new(o, "justification", iota_report_jstr(justification));
	json_array_append_new(arr, o);
	return arr;
}

static json_t *finding_result(struct sarif *w, const iota_rfinding *rf)
{
	const iota_finding *f = rf->f;
	const char *rule = rf->check ? rf->check->id : f->check;
	json_t *r = json_object(), *props = json_object();
	if (!r || !props) {
		json_decref(r);
		json_decref(props);
		w->nomem = 1;
		return NULL;
	}
	set(w, r, "ruleId", iota_report_jstr(rule));
	int ri = rule_index(w, rule);
	if (ri >= 0)
		set(w, r, "ruleIndex", json_integer(ri));
	set(w, r, "level", json_string(level_of(f->severity)));
	set(w, r, "message", text_obj(f->message));
	set(w, r, "locations", location(w, f->node, f->offset, f->line));
	set(w, r, "partialFingerprints", fingerprint(f->check, rf->origin, f->message));
	if (rf->risk >= 0)
		set(w, r, "rank", json_real((double)(int)(rf->risk * 10.0 + 0.5)));
	if (rf->accepted)
		set(w, r, "suppressions", suppression(rf->justification));
	set(w, props, "check", iota_report_jstr(f->check));
	set(w, props, "severity", json_string(iota_severity_name(f->severity)));
	set(w, props, "security-severity", json_string(severity_score(f->severity)));
	set(w, props, "confidence", json_integer(f->confidence));
	if (rf->origin[0])
		set(w, props, "origin", iota_report_jstr(rf->origin));
	if (f->evidence)
		set(w, props, "evidence", iota_report_jstr(f->evidence));
	if (rf->risk >= 0)
		set(w, props, "risk", json_real(rf->risk));
	set(w, r, "properties", props);
	return r;
}

static json_t *vuln_result(struct sarif *w, const iota_rvuln *rv)
{
	const iota_vuln_match *m = rv->m;
	const iota_component *c = rv->c;
	json_t *r = json_object(), *props = json_object();
	if (!r || !props) {
		json_decref(r);
		json_decref(props);
		w->nomem = 1;
		return NULL;
	}
	double cvss = iota_report_cvss(m);
	char msg[1024];
	snprintf(msg, sizeof msg, "%s %s: %s (%s%s%s)", c->name, c->version[0] ? c->version : "?",
	         m->cve, m->status_text ? m->status_text : iota_vuln_status_name(m->status),
	         m->kev ? ", in CISA KEV" : "",
	         c->exposure == IOTA_EXPO_LISTENING ? ", reachable from a listening service" : "");
	set(w, r, "ruleId", iota_report_jstr(m->cve));
	int ri = rule_index(w, m->cve);
	if (ri >= 0)
		set(w, r, "ruleIndex", json_integer(ri));
	set(w, r, "level",
	    json_string(m->status == IOTA_VULN_AFFECTED       ? level_of_cvss(cvss)
	                : m->status == IOTA_VULN_NOT_AFFECTED ? "none"
	                                                      : "note"));
	set(w, r, "message", text_obj(msg));
	set(w, r, "locations", location(w, c->node, UINT64_MAX, 0));
	set(w, r, "partialFingerprints", fingerprint(m->cve, rv->origin, c->name));
	if (rv->accepted)
		set(w, r, "suppressions", suppression(rv->justification));
	else if (m->status == IOTA_VULN_NOT_AFFECTED)
		set(w, r, "suppressions",
		    suppression(m->status_text ? m->status_text : "not affected"));
	if (rv->risk >= 0) {
		set(w, r, "rank", json_real((double)(int)(rv->risk * 10.0 + 0.5)));
		set(w, props, "risk", json_real(rv->risk));
	}
	set(w, props, "component", iota_report_jstr(c->name));
	set(w, props, "version", iota_report_jstr(c->version));
	if (c->purl)
		set(w, props, "purl", iota_report_jstr(c->purl));
	if (c->cpe)
		set(w, props, "cpe", iota_report_jstr(c->cpe));
	set(w, props, "status", json_string(iota_vuln_status_name(m->status)));
	if (m->confidence)
		set(w, props, "confidence", iota_report_jstr(m->confidence));
	set(w, props, "exposure", json_string(iota_exposure_name(c->exposure)));
	if (c->exposure_via)
		set(w, props, "exposure_via", iota_report_jstr(c->exposure_via));
	if (rv->origin[0])
		set(w, props, "origin", iota_report_jstr(rv->origin));
	if (m->kev)
		set(w, props, "kev", json_true());
	set(w, r, "properties", props);
	return r;
}

/* GitHub code scanning ranks alerts by the rule's security-severity: for a
 * rule of findings, that of its worst finding in this scan. */
static void rule_severity(struct sarif *w, const iota_rview *v)
{
	size_t n = json_array_size(w->rules);
	int *worst = n ? iota_malloc(n * sizeof *worst) : NULL;
	if (!worst) {
		w->nomem = n != 0;
		return;
	}
	for (size_t i = 0; i < n; i++)
		worst[i] = -1;
	for (size_t i = 0; i < v->nfindings; i++) {
		const iota_rfinding *rf = &v->findings[i];
		int ri = rule_index(w, rf->check ? rf->check->id : rf->f->check);
		if (ri >= 0 && (int)rf->f->severity > worst[ri])
			worst[ri] = (int)rf->f->severity;
	}
	for (size_t i = 0; i < n; i++) {
		if (worst[i] < 0)
			continue;
		json_t *props = json_object_get(json_array_get(w->rules, i), "properties");
		if (props)
			set(w, props, "security-severity",
			    json_string(severity_score((iota_severity)worst[i])));
	}
	iota_free(worst);
}

static json_t *taxonomies(struct sarif *w, const iota_catalog *cat)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < cat->nstandards; i++) {
		const iota_standard *st = &cat->standards[i];
		json_t *t = json_object(), *taxa = json_array();
		if (!t || !taxa) {
			json_decref(t);
			json_decref(taxa);
			w->nomem = 1;
			break;
		}
		set(w, t, "name", json_string(st->id));
		if (st->title)
			set(w, t, "fullName", iota_report_jstr(st->title));
		for (size_t j = 0; j < cat->nprovisions; j++) {
			const iota_provision *p = &cat->provisions[j];
			if (p->standard != st)
				continue;
			json_t *x = json_object();
			if (!x) {
				w->nomem = 1;
				continue;
			}
			set(w, x, "id", iota_report_jstr(p->id));
			if (p->title)
				set(w, x, "shortDescription", text_obj(p->title));
			if (p->summary)
				set(w, x, "fullDescription", text_obj(p->summary));
			push(w, taxa, x);
		}
		set(w, t, "taxa", taxa);
		push(w, arr, t);
	}
	return arr;
}

static json_t *assessment_props(struct sarif *w, const iota_assessment *a)
{
	json_t *o = json_object(), *stds = json_array(), *gate = json_array();
	if (!o || !stds || !gate) {
		json_decref(o);
		json_decref(stds);
		json_decref(gate);
		return NULL;
	}
	if (a->profile)
		set(w, o, "profile", iota_report_jstr(a->profile));
	if (a->today)
		set(w, o, "date", iota_report_jstr(a->today));
	set(w, o, "risk", json_real(a->risk));
	for (size_t i = 0; i < a->nstandards; i++) {
		const iota_standard_result *sr = &a->standards[i];
		json_t *so = json_object(), *failed = json_array();
		if (!so || !failed) {
			json_decref(so);
			json_decref(failed);
			w->nomem = 1;
			continue;
		}
		set(w, so, "standard", json_string(sr->standard->id));
		if (sr->level)
			set(w, so, "level", iota_report_jstr(sr->level));
		for (int v = 0; v < IOTA_VERDICT_COUNT; v++)
			set(w, so, iota_verdict_name((iota_verdict)v),
			    json_integer((json_int_t)sr->counts[v]));
		for (size_t j = 0; j < sr->nresults; j++)
			if (sr->results[j].verdict == IOTA_VERDICT_FAIL)
				push(w, failed, iota_report_jstr(sr->results[j].provision->id));
		set(w, so, "failed", failed);
		push(w, stds, so);
	}
	set(w, o, "standards", stds);
	if (a->gate_asked) {
		for (size_t i = 0; i < a->ngate_reasons; i++)
			push(w, gate, iota_report_jstr(a->gate_reasons[i]));
		set(w, o, "gate", json_string(a->ngate_reasons ? "failed" : "passed"));
		set(w, o, "gate_reasons", gate);
	} else {
		json_decref(gate);
	}
	return o;
}

iota_rc iota_report_sarif(iota_scan *s, FILE *out)
{
	iota_rview v;
	if (iota_rview_init(s, &v) != IOTA_OK)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory writing the SARIF report");
	struct sarif w = {.s = s, .v = &v};
	w.rules = json_array();
	w.rule_idx = json_object();
	w.logical = json_array();
	w.logical_idx = json_object();
	json_t *root = json_object(), *runs = json_array(), *run = json_object(),
	       *tool = json_object(), *driver = json_object(), *results = json_array();
	if (!w.rules || !w.rule_idx || !w.logical || !w.logical_idx || !root || !runs || !run ||
	    !tool || !driver || !results)
		w.nomem = 1;

	if (!w.nomem) {
		if (v.a && v.a->catalog)
			catalog_rules(&w, v.a->catalog);
		for (size_t i = 0; i < v.nfindings && !w.nomem; i++)
			if (!v.findings[i].check)
				finding_rule(&w, v.findings[i].f);
		for (size_t i = 0; i < v.nvulns && !w.nomem; i++)
			vuln_rule(&w, v.vulns[i].m);
		rule_severity(&w, &v);
		for (size_t i = 0; i < v.nfindings && !w.nomem; i++)
			push(&w, results, finding_result(&w, &v.findings[i]));
		for (size_t i = 0; i < v.nvulns && !w.nomem; i++)
			push(&w, results, vuln_result(&w, &v.vulns[i]));
	}
	if (!w.nomem) {
		set(&w, root, "$schema", json_string(SARIF_SCHEMA));
		set(&w, root, "version", json_string("2.1.0"));
		set(&w, driver, "name", json_string("iotaudit"));
		set(&w, driver, "version", json_string(iota_version()));
		set(&w, driver, "semanticVersion", json_string(iota_version()));
		set(&w, driver, "rules", json_incref(w.rules));
		set(&w, tool, "driver", json_incref(driver));
		set(&w, run, "tool", json_incref(tool));
		if (v.a && v.a->catalog && v.a->catalog->nstandards)
			set(&w, run, "taxonomies", taxonomies(&w, v.a->catalog));
		json_t *inv = json_array(), *io = json_object();
		if (inv && io) {
			set(&w, io, "executionSuccessful", json_true());
			push(&w, inv, json_incref(io));
		}
		json_decref(io);
		set(&w, run, "invocations", inv);
		set(&w, run, "columnKind", json_string("unicodeCodePoints"));
		if (json_array_size(w.logical))
			set(&w, run, "logicalLocations", json_incref(w.logical));
		set(&w, run, "results", json_incref(results));
		json_t *props = json_object();
		if (props) {
			char hex[65];
			set(&w, props, "input",
			    iota_report_jstr(s->input_name ? s->input_name : ""));
			if (s->root && (s->root->flags & IOTA_NF_HASHED)) {
				iota_report_hex(s->root->sha256, 32, hex);
				set(&w, props, "input_sha256", json_string(hex));
			}
			if (s->vulndb_summary)
				set(&w, props, "vulndb", iota_report_jstr(s->vulndb_summary));
			if (v.a)
				set(&w, props, "assessment", assessment_props(&w, v.a));
		}
		set(&w, run, "properties", props);
		push(&w, runs, json_incref(run));
		set(&w, root, "runs", json_incref(runs));
	}
	int rc = -1;
	if (!w.nomem)
		rc = json_dumpf(root, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(root);
	json_decref(runs);
	json_decref(run);
	json_decref(tool);
	json_decref(driver);
	json_decref(results);
	json_decref(w.rules);
	json_decref(w.rule_idx);
	json_decref(w.logical);
	json_decref(w.logical_idx);
	iota_rview_free(&v);
	if (w.nomem)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory writing the SARIF report");
	fputc('\n', out);
	if (rc != 0 || ferror(out))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the SARIF report");
	return IOTA_OK;
}
