/*
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/, the schema in
 * ../shared/schemas/bom-1.6.schema.json), with the vulnerability matches
 * as VEX statements, and the re-matching of such a document against the
 * current database (iota_vulndb_match_sbom()).
 *
 * Shape:
 *   metadata      tool, the image as a "firmware" component with its SHA-256,
 *                 the database the matches came from (property)
 *   components    one per iotaudit component: type (operating-system for the
 *                 kernel, library for lib* packages and shared objects,
 *                 application otherwise), bom-ref "NAME@VERSION@ORIGIN",
 *                 purl, cpe, SHA-256 of its node (when the node is a file of
 *                 its own), evidence.identity (one method per evidence item)
 *                 and evidence.occurrences (origin chain, offset); iotaudit
 *                 properties carry what re-matching needs (vendor, release,
 *                 exposure).
 *   dependencies  from the ELF graph: component A depends on B when a file
 *                 of A (its node, or a file its package lists) loads a file
 *                 of B (elf.libraries).
 *   vulnerabilities
 *                 one per (CVE, component): source, ratings (CVSS 3.x / 4.0
 *                 with vector and severity), affects, analysis (VEX):
 *                   affected     -> exploitable
 *                   conditional  -> in_triage, the platform in the detail
 *                   unknown      -> in_triage
 *                   not affected -> not_affected, code_not_present
 *                 and properties: status, confidence, KEV, exposure, every
 *                 evidence item.
 * Deterministic: serialNumber is a UUID made from the image's SHA-256 (name
 * based, RFC 9562 version 8 layout), no timestamp, everything sorted.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/component.h"
#include "iotaudit/vulndb.h"
#include "report/report.h"
#include "report/report_common.h"
#include "sbom/elfdeps.h"
#include "util/alloc.h"
#include "util/version.h"
#include "vuln/scan_match.h"
#include "vuln/vuln_db.h"

/* A JSON string of image text; bytes that are not UTF-8 escaped as \xNN. */
static json_t *jstr(const char *s)
{
	json_t *j = iota_report_jstr(s);
	return j ? j : json_string("");
}

static void prop(json_t *props, const char *name, const char *value)
{
	if (!value)
		return;
	json_t *p = json_object();
	json_object_set_new(p, "name", json_string(name));
	json_object_set_new(p, "value", jstr(value));
	json_array_append_new(props, p);
}

static const char *technique(iota_evidence_method m)
{
	switch (m) {
	case IOTA_EV_PACKAGE_DB:
		return "manifest-analysis";
	case IOTA_EV_SIGNATURE:
	case IOTA_EV_SONAME:
	case IOTA_EV_KERNEL:
		return "binary-analysis";
	case IOTA_EV_FILENAME:
		return "filename";
	default:
		return "other";
	}
}

/* ---- vulnerabilities (shared with the re-matching) ---- */

typedef struct cdx_target {
	const char *ref;
	const char *version;
	iota_exposure exposure;
	const char *via;
	const iota_vuln_result *r;
} cdx_target;

static const char *cdx_severity(const char *s)
{
	static const char *const ok[] = {"critical", "high", "medium", "low", "none", "info"};
	static char buf[16];
	if (!s)
		return "unknown";
	size_t i = 0;
	for (; s[i] && i + 1 < sizeof buf; i++)
		buf[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	buf[i] = '\0';
	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
		if (!strcmp(buf, ok[k]))
			return ok[k];
	return "unknown";
}

static json_t *rating(double score, const char *vector, const char *severity, int v4)
{
	json_t *r = json_object();
	json_t *src = json_object();
	json_object_set_new(src, "name", json_string("NVD"));
	json_object_set_new(r, "source", src);
	json_object_set_new(r, "score", json_real((double)(long)(score * 10.0 + 0.5) / 10.0));
	json_object_set_new(r, "severity", json_string(cdx_severity(severity)));
	const char *method = v4                                           ? "CVSSv4"
	                     : vector && !strncmp(vector, "CVSS:3.1/", 9) ? "CVSSv31"
	                                                                  : "CVSSv3";
	json_object_set_new(r, "method", json_string(method));
	if (vector)
		json_object_set_new(r, "vector", jstr(vector));
	return r;
}

static json_t *one_vuln(const cdx_target *t, const iota_vuln_match *m)
{
	json_t *v = json_object();
	char ref[1024], url[256];
	snprintf(ref, sizeof ref, "%s#%s", m->cve, t->ref);
	json_object_set_new(v, "bom-ref", jstr(ref));
	json_object_set_new(v, "id", jstr(m->cve));
	json_t *src = json_object();
	int is_cve = !strncmp(m->cve, "CVE-", 4);
	json_object_set_new(src, "name", json_string(is_cve ? "NVD" : "OSV"));
	snprintf(url, sizeof url,
	         is_cve ? "https://nvd.nist.gov/vuln/detail/%s"
	                : "https://osv.dev/vulnerability/%s",
	         m->cve);
	json_object_set_new(src, "url", jstr(url));
	json_object_set_new(v, "source", src);
	json_t *ratings = json_array();
	if (m->cvss4 >= 0)
		json_array_append_new(ratings,
		                      rating(m->cvss4, m->cvss4_vector, m->cvss4_severity, 1));
	if (m->cvss3 >= 0)
		json_array_append_new(ratings,
		                      rating(m->cvss3, m->cvss3_vector, m->cvss3_severity, 0));
	json_object_set_new(v, "ratings", ratings);
	if (m->description)
		json_object_set_new(v, "description", jstr(m->description));

	json_t *aff = json_object(), *vers = json_array(), *ver = json_object();
	json_object_set_new(aff, "ref", jstr(t->ref));
	json_object_set_new(ver, "version",
	                    jstr(t->version && *t->version ? t->version : "unknown"));
	json_object_set_new(ver, "status",
	                    json_string(m->status == IOTA_VULN_AFFECTED       ? "affected"
	                                : m->status == IOTA_VULN_NOT_AFFECTED ? "unaffected"
	                                                                      : "unknown"));
	json_array_append_new(vers, ver);
	json_object_set_new(aff, "versions", vers);
	json_t *affects = json_array();
	json_array_append_new(affects, aff);
	json_object_set_new(v, "affects", affects);

	json_t *an = json_object();
	const char *state = "in_triage";
	char detail[1024];
	snprintf(detail, sizeof detail, "%s (%s)", m->status_text ? m->status_text : "",
	         m->confidence ? m->confidence : "?");
	if (m->status == IOTA_VULN_AFFECTED) {
		state = "exploitable";
	} else if (m->status == IOTA_VULN_NOT_AFFECTED) {
		state = "not_affected";
		json_object_set_new(an, "justification", json_string("code_not_present"));
	}
	json_object_set_new(an, "state", json_string(state));
	json_object_set_new(an, "detail", jstr(detail));
	json_object_set_new(v, "analysis", an);

	json_t *props = json_array();
	prop(props, "iotaudit:status", iota_vuln_status_name(m->status));
	prop(props, "iotaudit:confidence", m->confidence);
	prop(props, "iotaudit:exposure", iota_exposure_name(t->exposure));
	prop(props, "iotaudit:exposure_via", t->via);
	prop(props, "iotaudit:kev", m->kev ? "true" : "false");
	if (m->kev) {
		prop(props, "iotaudit:kev_added", m->kev_added);
		prop(props, "iotaudit:kev_due", m->kev_due);
		prop(props, "iotaudit:kev_ransomware", m->kev_ransomware);
	}
	prop(props, "iotaudit:nvd_status", m->nvd_status);
	for (size_t i = 0; i < m->nevidence; i++) {
		const iota_vuln_evidence *e = &m->evidence[i];
		char buf[2048];
		snprintf(buf, sizeof buf, "%s: %s%s%s%s%s%s%s", e->source ? e->source : "?",
		         iota_vuln_status_name(e->status), e->range ? "; range " : "",
		         e->range ? e->range : "", e->condition ? "; on/with " : "",
		         e->condition ? e->condition : "", e->note ? "; " : "",
		         e->note ? e->note : "");
		prop(props, "iotaudit:evidence", buf);
	}
	json_object_set_new(v, "properties", props);
	return v;
}

struct vrow {
	const cdx_target *t;
	const iota_vuln_match *m;
};

static int cmp_vrow(const void *a, const void *b)
{
	const struct vrow *x = a, *y = b;
	int r = iota_version_cmp(x->m->cve, y->m->cve);
	return r ? r : strcmp(x->t->ref, y->t->ref);
}

/* The vulnerabilities array for the targets, sorted by id then component. */
static json_t *vulnerabilities(const cdx_target *t, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += t[i].r ? t[i].r->count : 0;
	json_t *arr = json_array();
	struct vrow *rows = iota_calloc(total ? total : 1, sizeof *rows);
	if (!rows)
		return arr;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; t[i].r && j < t[i].r->count; j++)
			rows[k++] = (struct vrow){&t[i], &t[i].r->matches[j]};
	qsort(rows, k, sizeof *rows, cmp_vrow);
	for (size_t i = 0; i < k; i++)
		json_array_append_new(arr, one_vuln(rows[i].t, rows[i].m));
	iota_free(rows);
	return arr;
}

/* ---- the writer ---- */

static void serial_from(const unsigned char *digest, char *out, size_t cap)
{
	unsigned char u[16];
	memcpy(u, digest, 16);
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x80); /* version 8: custom, name based */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 9562 variant */
	snprintf(out, cap,
	         "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
	         u[13], u[14], u[15]);
}

/* The image's digest, or (a directory) the SHA-256 of its name. */
static void image_digest(iota_scan *s, unsigned char *d, int *hashed)
{
	*hashed = s->root && (s->root->flags & IOTA_NF_HASHED);
	if (*hashed) {
		memcpy(d, s->root->sha256, 32);
		return;
	}
	const char *name = s->input_name ? s->input_name : "";
	unsigned int len = 0;
	EVP_Digest(name, strlen(name), d, &len, EVP_sha256(), NULL);
}

static int is_elf_program(const iota_node *n)
{
	const char *t = n ? iota_node_attr_get(n, "elf.type") : NULL;
	return (t && !strcmp(t, "exec")) || (n && iota_node_attr_get(n, "elf.interpreter"));
}

static const char *comp_type(const iota_component *c)
{
	if (!strcmp(c->name, "linux"))
		return "operating-system";
	if (c->node && iota_node_attr_get(c->node, "elf.machine"))
		return is_elf_program(c->node) ? "application" : "library";
	return !strncmp(c->name, "lib", 3) ? "library" : "application";
}

struct comp_ref {
	iota_component *c;
	char ref[IOTA_MAX_PATH + 512];
	char origin[IOTA_MAX_PATH];
	char key[600]; /* "NAME VERSION", as sbom.package names a package */
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct comp_ref *)a)->key, ((const struct comp_ref *)b)->key);
}

/* The component a file belongs to: its own component (the node is it), or
 * the package that lists it. */
static const struct comp_ref *owner_of(const iota_node *n, const struct comp_ref *by_node,
                                       size_t nc, const struct comp_ref *by_key)
{
	for (size_t i = 0; i < nc; i++)
		if (by_node[i].c->node == n && by_node[i].c->relation == IOTA_REL_IS)
			return &by_node[i];
	const char *pkg = iota_node_attr_get(n, "sbom.package");
	if (!pkg)
		return NULL;
	struct comp_ref key;
	snprintf(key.key, sizeof key.key, "%s", pkg);
	return bsearch(&key, by_key, nc, sizeof *by_key, cmp_key);
}

struct deps {
	char **from, **to;
	size_t n, cap;
};

static int add_dep(struct deps *d, const char *from, const char *to)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->from[i], from) && !strcmp(d->to[i], to))
			return 0;
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		char **nf = iota_realloc(d->from, nc * sizeof *nf);
		if (!nf)
			return -1;
		d->from = nf;
		char **nt = iota_realloc(d->to, nc * sizeof *nt);
		if (!nt)
			return -1;
		d->to = nt;
		d->cap = nc;
	}
	d->from[d->n] = (char *)from;
	d->to[d->n] = (char *)to;
	d->n++;
	return 0;
}

struct dep_walk {
	const struct comp_ref *by_node, *by_key, *from;
	size_t nc;
	struct deps *d;
};

static int dep_edge(void *ctx, iota_node *lib)
{
	struct dep_walk *w = ctx;
	const struct comp_ref *to = owner_of(lib, w->by_node, w->nc, w->by_key);
	if (to && to != w->from)
		add_dep(w->d, w->from->ref, to->ref);
	return 0;
}

static void walk_deps(iota_scan *s, iota_node *n, const struct comp_ref *by_node, size_t nc,
                      const struct comp_ref *by_key, struct deps *d)
{
	for (iota_node *k = n->first_child; k; k = k->next_sibling) {
		struct dep_walk w = {.by_node = by_node, .by_key = by_key, .nc = nc, .d = d};
		if (k->kind == IOTA_NODE_FILE && iota_node_attr_get(k, "elf.libraries"))
			w.from = owner_of(k, by_node, nc, by_key);
		if (w.from)
			iota_elf_each_library(s, k, dep_edge, &w);
		walk_deps(s, k, by_node, nc, by_key, d);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

iota_rc iota_report_cyclonedx(iota_scan *s, FILE *out)
{
	if (iota_scan_sbom_links(s) != IOTA_OK)
		return IOTA_NOMEM;
	unsigned char digest[32];
	int hashed;
	char hex[65], serial[64];
	image_digest(s, digest, &hashed);
	iota_report_hex(digest, 32, hex);
	serial_from(digest, serial, sizeof serial);

	json_t *root = json_object();
	json_object_set_new(root, "bomFormat", json_string("CycloneDX"));
	json_object_set_new(root, "specVersion", json_string("1.6"));
	json_object_set_new(root, "serialNumber", json_string(serial));
	json_object_set_new(root, "version", json_integer(1));

	json_t *meta = json_object(), *tools = json_object(), *tcomps = json_array(),
	       *tool = json_object();
	json_object_set_new(tool, "type", json_string("application"));
	json_object_set_new(tool, "name", json_string("iotaudit"));
	json_object_set_new(tool, "version", json_string(iota_version()));
	json_array_append_new(tcomps, tool);
	json_object_set_new(tools, "components", tcomps);
	json_object_set_new(meta, "tools", tools);
	json_t *img = json_object();
	json_object_set_new(img, "type", json_string("firmware"));
	json_object_set_new(img, "bom-ref", json_string("image"));
	json_object_set_new(img, "name", jstr(s->input_name ? s->input_name : "input"));
	if (hashed) {
		json_t *hs = json_array(), *h = json_object();
		json_object_set_new(h, "alg", json_string("SHA-256"));
		json_object_set_new(h, "content", json_string(hex));
		json_array_append_new(hs, h);
		json_object_set_new(img, "hashes", hs);
	}
	json_object_set_new(meta, "component", img);
	json_t *mprops = json_array();
	prop(mprops, "iotaudit:vulndb", s->vulndb_summary);
	prop(mprops, "iotaudit:matched", s->vulndb_summary ? "true" : "false");
	json_object_set_new(meta, "properties", mprops);
	json_object_set_new(root, "metadata", meta);

	size_t nc = 0;
	iota_component **cv = iota_components_sorted(s, &nc);
	struct comp_ref *refs = iota_calloc(nc ? nc : 1, sizeof *refs);
	struct comp_ref *by_key = iota_calloc(nc ? nc : 1, sizeof *by_key);
	cdx_target *targets = iota_calloc(nc ? nc : 1, sizeof *targets);
	if ((!cv && s->ncomponents) || !refs || !by_key || !targets) {
		iota_free(cv);
		iota_free(refs);
		iota_free(by_key);
		iota_free(targets);
		json_decref(root);
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	}
	json_t *comps = json_array();
	for (size_t i = 0; i < nc; i++) {
		iota_component *c = cv[i];
		struct comp_ref *r = &refs[i];
		r->c = c;
		if (!c->node || iota_node_origin(c->node, r->origin, sizeof r->origin) < 0)
			r->origin[0] = '\0';
		snprintf(r->ref, sizeof r->ref, "%s@%s@%s", c->name, c->version, r->origin);
		snprintf(r->key, sizeof r->key, "%s %s", c->name, c->version);
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string(comp_type(c)));
		json_object_set_new(o, "bom-ref", jstr(r->ref));
		json_object_set_new(o, "name", jstr(c->name));
		if (c->version[0])
			json_object_set_new(o, "version", jstr(c->version));
		if (c->purl)
			json_object_set_new(o, "purl", jstr(c->purl));
		if (c->cpe)
			json_object_set_new(o, "cpe", jstr(c->cpe));
		/* the node's hash is the component's only when the file is it */
		if (c->node && c->relation == IOTA_REL_IS && (c->node->flags & IOTA_NF_HASHED) &&
		    iota_node_attr_get(c->node, "elf.machine")) {
			char nh[65];
			iota_report_hex(c->node->sha256, 32, nh);
			json_t *hs = json_array(), *h = json_object();
			json_object_set_new(h, "alg", json_string("SHA-256"));
			json_object_set_new(h, "content", json_string(nh));
			json_array_append_new(hs, h);
			json_object_set_new(o, "hashes", hs);
		}
		json_t *ev = json_object(), *ids = json_array(), *occ = json_array();
		json_t *idn = json_object(), *methods = json_array();
		json_object_set_new(idn, "field", json_string(c->purl ? "purl" : "name"));
		json_object_set_new(idn, "confidence", json_real(1.0));
		for (const iota_evidence *e = c->evidence; e; e = e->next) {
			json_t *m = json_object();
			json_object_set_new(m, "technique", json_string(technique(e->method)));
			json_object_set_new(m, "confidence", json_real(1.0));
			if (e->match)
				json_object_set_new(m, "value", jstr(e->match));
			json_array_append_new(methods, m);
			char where[IOTA_MAX_PATH];
			json_t *oc = json_object();
			if (!e->node || iota_node_origin(e->node, where, sizeof where) < 0)
				snprintf(where, sizeof where, "%s", r->origin);
			json_object_set_new(oc, "location", jstr(where));
			if (e->offset != UINT64_MAX)
				json_object_set_new(oc, "offset",
				                    json_integer((json_int_t)e->offset));
			json_object_set_new(oc, "additionalContext",
			                    json_string(iota_evidence_method_name(e->method)));
			json_array_append_new(occ, oc);
		}
		json_object_set_new(idn, "methods", methods);
		json_array_append_new(ids, idn);
		json_object_set_new(ev, "identity", ids);
		json_object_set_new(ev, "occurrences", occ);
		json_object_set_new(o, "evidence", ev);
		json_t *props = json_array();
		prop(props, "iotaudit:relation", c->relation == IOTA_REL_IS ? "is" : "contains");
		prop(props, "iotaudit:vendor", c->vendor);
		prop(props, "iotaudit:origin", r->origin);
		prop(props, "iotaudit:ecosystem",
		     c->node ? iota_node_attr_get(c->node, "sbom.ecosystem") : NULL);
		prop(props, "iotaudit:exposure", iota_exposure_name(c->exposure));
		prop(props, "iotaudit:exposure_via", c->exposure_via);
		json_object_set_new(o, "properties", props);
		json_array_append_new(comps, o);
		targets[i] = (cdx_target){.ref = r->ref,
		                          .version = c->version,
		                          .exposure = c->exposure,
		                          .via = c->exposure_via,
		                          .r = c->vulns};
	}
	json_object_set_new(root, "components", comps);

	/* dependencies: every component listed, its edges sorted */
	memcpy(by_key, refs, nc * sizeof *refs);
	qsort(by_key, nc, sizeof *by_key, cmp_key);
	struct deps d = {0};
	if (s->root)
		walk_deps(s, s->root, refs, nc, by_key, &d);
	json_t *deps = json_array();
	for (size_t i = 0; i < nc; i++) {
		char **to = iota_calloc(d.n ? d.n : 1, sizeof *to);
		size_t k = 0;
		for (size_t j = 0; to && j < d.n; j++)
			if (!strcmp(d.from[j], refs[i].ref))
				to[k++] = d.to[j];
		if (k)
			qsort(to, k, sizeof *to, cmp_str);
		json_t *o = json_object(), *on = json_array();
		json_object_set_new(o, "ref", jstr(refs[i].ref));
		for (size_t j = 0; j < k; j++)
			json_array_append_new(on, jstr(to[j]));
		json_object_set_new(o, "dependsOn", on);
		json_array_append_new(deps, o);
		iota_free(to);
	}
	json_object_set_new(root, "dependencies", deps);
	iota_free(d.from);
	iota_free(d.to);

	if (s->vulndb_summary)
		json_object_set_new(root, "vulnerabilities", vulnerabilities(targets, nc));

	int rc = json_dumpf(root, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(root);
	iota_free(cv);
	iota_free(refs);
	iota_free(by_key);
	iota_free(targets);
	if (rc != 0 || ferror(out))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the CycloneDX report");
	return IOTA_OK;
}

/* ---- re-matching a stored SBOM ---- */

/* A bound on what is read into memory (jansson holds the whole document):
 * far above any image's SBOM. */
#define MAX_SBOM_BYTES (512ull << 20)

static const char *get_prop(json_t *o, const char *name)
{
	json_t *props = json_object_get(o, "properties");
	size_t i;
	json_t *p;
	json_array_foreach(props, i, p)
	{
		const char *n = json_string_value(json_object_get(p, "name"));
		if (n && !strcmp(n, name))
			return json_string_value(json_object_get(p, "value"));
	}
	return NULL;
}

static iota_exposure exposure_parse(const char *s)
{
	for (int e = IOTA_EXPO_UNKNOWN; e <= IOTA_EXPO_LISTENING; e++)
		if (s && !strcmp(s, iota_exposure_name((iota_exposure)e)))
			return (iota_exposure)e;
	return IOTA_EXPO_UNKNOWN;
}

iota_rc iota_vulndb_match_sbom(iota_vulndb *db, const char *path, iota_format f, FILE *out,
                               int color)
{
	json_error_t jerr;
	struct stat st;
	if (stat(path, &st) != 0) {
		iota_vdb_seterr(db, "%s: %s", path, strerror(errno));
		return IOTA_FATAL;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_SBOM_BYTES) {
		iota_vdb_seterr(db, "%s: not a regular file of at most %u MiB", path,
		                (unsigned)(MAX_SBOM_BYTES >> 20));
		return IOTA_FATAL;
	}
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		iota_vdb_seterr(db, "%s:%d: %s", path, jerr.line, jerr.text);
		return IOTA_FATAL;
	}
	const char *fmt = json_string_value(json_object_get(doc, "bomFormat"));
	json_t *comps = json_object_get(doc, "components");
	if (!fmt || strcmp(fmt, "CycloneDX") != 0 || (comps && !json_is_array(comps))) {
		iota_vdb_seterr(db, "%s: not a CycloneDX JSON document", path);
		json_decref(doc);
		return IOTA_FATAL;
	}
	size_t n = json_array_size(comps);
	cdx_target *t = iota_calloc(n ? n : 1, sizeof *t);
	iota_vuln_row *rows = NULL;
	iota_rc rc = IOTA_OK;
	if (!t) {
		json_decref(doc);
		iota_vdb_seterr(db, "out of memory");
		return IOTA_NOMEM;
	}
	size_t total = 0;
	for (size_t i = 0; i < n && rc == IOTA_OK; i++) {
		json_t *c = json_array_get(comps, i);
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *ref = json_string_value(json_object_get(c, "bom-ref"));
		if (!name || !ref) {
			iota_vdb_seterr(db, "%s: component %zu has no name or bom-ref", path, i);
			rc = IOTA_FATAL;
			break;
		}
		t[i].ref = ref;
		t[i].version = json_string_value(json_object_get(c, "version"));
		t[i].exposure = exposure_parse(get_prop(c, "iotaudit:exposure"));
		t[i].via = get_prop(c, "iotaudit:exposure_via");
		iota_match_input in = {.name = name,
		                       .version = t[i].version ? t[i].version : "",
		                       .vendor = get_prop(c, "iotaudit:vendor"),
		                       .purl = json_string_value(json_object_get(c, "purl")),
		                       .cpe = json_string_value(json_object_get(c, "cpe")),
		                       .ecosystem = get_prop(c, "iotaudit:ecosystem")};
		iota_vuln_result *r = NULL;
		rc = iota_match_component(db, &in, &r);
		t[i].r = r;
		total += r ? r->count : 0;
	}
	char *summary = rc == IOTA_OK ? iota_match_db_summary(db) : NULL;
	if (rc != IOTA_OK) {
		/* the error is on the handle */
	} else if (f == IOTA_FORMAT_CYCLONEDX) {
		json_object_set_new(doc, "vulnerabilities", vulnerabilities(t, n));
		json_t *meta = json_object_get(doc, "metadata");
		if (json_is_object(meta)) {
			json_t *props = json_object_get(meta, "properties");
			if (!json_is_array(props)) {
				props = json_array();
				json_object_set_new(meta, "properties", props);
			}
			size_t i;
			json_t *p;
			json_array_foreach(props, i, p)
			{
				const char *pn = json_string_value(json_object_get(p, "name"));
				if (pn && !strcmp(pn, "iotaudit:vulndb"))
					json_object_set_new(p, "value",
					                    jstr(summary ? summary : ""));
				if (pn && !strcmp(pn, "iotaudit:matched"))
					json_object_set_new(p, "value", json_string("true"));
			}
		}
		if (json_dumpf(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII) != 0)
			rc = IOTA_FATAL;
		fputc('\n', out);
	} else if (f == IOTA_FORMAT_JSON) {
		json_t *o = json_object(), *arr = json_array();
		json_object_set_new(o, "sbom", jstr(path));
		json_object_set_new(o, "vulndb", jstr(summary ? summary : ""));
		for (size_t i = 0; i < n; i++) {
			json_t *c = json_object();
			json_object_set_new(c, "bom-ref", jstr(t[i].ref));
			json_object_set_new(
			    c, "name",
			    json_incref(json_object_get(json_array_get(comps, i), "name")));
			json_object_set_new(c, "version", jstr(t[i].version ? t[i].version : ""));
			json_object_set_new(c, "exposure",
			                    json_string(iota_exposure_name(t[i].exposure)));
			if (t[i].via)
				json_object_set_new(c, "exposure_via", jstr(t[i].via));
			json_object_set_new(c, "vulnerabilities", iota_report_vulns_json(t[i].r));
			json_array_append_new(arr, c);
		}
		json_object_set_new(o, "components", arr);
		if (json_dumpf(o, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII) != 0)
			rc = IOTA_FATAL;
		fputc('\n', out);
		json_decref(o);
	} else {
		rows = iota_calloc(total ? total : 1, sizeof *rows);
		if (!rows) {
			rc = IOTA_NOMEM;
		} else {
			size_t k = 0;
			for (size_t i = 0; i < n; i++) {
				json_t *c = json_array_get(comps, i);
				for (size_t j = 0; t[i].r && j < t[i].r->count; j++)
					rows[k++] = (iota_vuln_row){
					    .component =
					        json_string_value(json_object_get(c, "name")),
					    .version = t[i].version ? t[i].version : "",
					    .where = get_prop(c, "iotaudit:origin"),
					    .exposure = (int)t[i].exposure,
					    .via = t[i].via,
					    .m = &t[i].r->matches[j]};
			}
			fprintf(out, "%s: %zu components\n", path, n);
			iota_report_sort_vuln_rows(rows, k);
			iota_report_vulns_text(out, rows, k, summary, color);
		}
	}
	if (rc == IOTA_NOMEM)
		iota_vdb_seterr(db, "out of memory");
	else if (rc == IOTA_FATAL && summary)
		iota_vdb_seterr(db, "cannot write the result");
	iota_free(summary);
	iota_free(rows);
	for (size_t i = 0; i < n; i++)
		iota_vuln_result_free((iota_vuln_result *)t[i].r);
	iota_free(t);
	json_decref(doc);
	return rc;
}
