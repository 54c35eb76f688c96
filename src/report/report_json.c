/*
 * JSON report (jansson). Keys are sorted and nothing depends on time or on
 * the order threads finished in, so the same input gives the same bytes.
 */
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "assess/assess.h"
#include "core/component.h"
#include "core/unpacker.h"
#include "iotaudit/vulndb.h"
#include "report/report.h"
#include "report/report_common.h"
#include "util/alloc.h"
#include "vuln/scan_match.h"

/* A JSON string of image text; bytes that are not UTF-8 escaped as \xNN. */
static json_t *jstr(const char *s)
{
	json_t *j = iota_report_jstr(s);
	return j ? j : json_string("");
}

static json_t *opt_str(const char *v)
{
	return v ? jstr(v) : json_null();
}

static json_t *score(double v)
{
	/* one decimal, as CVSS scores are written; null when none */
	return v < 0 ? json_null() : json_real((double)(long)(v * 10.0 + 0.5) / 10.0);
}

json_t *iota_report_vuln_json(const iota_vuln_match *m)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", jstr(m->cve));
	json_object_set_new(o, "status", json_string(iota_vuln_status_name(m->status)));
	json_object_set_new(o, "status_text", opt_str(m->status_text));
	json_object_set_new(o, "confidence", opt_str(m->confidence));
	json_object_set_new(o, "nvd_status", opt_str(m->nvd_status));
	json_object_set_new(o, "published", opt_str(m->published));
	json_object_set_new(o, "description", opt_str(m->description));
	json_t *c3 = json_object(), *c4 = json_object();
	json_object_set_new(c3, "score", score(m->cvss3));
	json_object_set_new(c3, "vector", opt_str(m->cvss3_vector));
	json_object_set_new(c3, "severity", opt_str(m->cvss3_severity));
	json_object_set_new(c4, "score", score(m->cvss4));
	json_object_set_new(c4, "vector", opt_str(m->cvss4_vector));
	json_object_set_new(c4, "severity", opt_str(m->cvss4_severity));
	json_object_set_new(o, "cvss3", c3);
	json_object_set_new(o, "cvss4", c4);
	json_t *kev = json_object();
	json_object_set_new(kev, "listed", json_boolean(m->kev));
	if (m->kev) {
		json_object_set_new(kev, "added", opt_str(m->kev_added));
		json_object_set_new(kev, "due", opt_str(m->kev_due));
		json_object_set_new(kev, "ransomware", opt_str(m->kev_ransomware));
	}
	json_object_set_new(o, "kev", kev);
	json_t *ev = json_array();
	for (size_t i = 0; i < m->nevidence; i++) {
		const iota_vuln_evidence *e = &m->evidence[i];
		json_t *eo = json_object();
		json_object_set_new(eo, "source", opt_str(e->source));
		json_object_set_new(eo, "status", json_string(iota_vuln_status_name(e->status)));
		if (e->range)
			json_object_set_new(eo, "range", jstr(e->range));
		if (e->condition)
			json_object_set_new(eo, "condition", jstr(e->condition));
		if (e->note)
			json_object_set_new(eo, "note", jstr(e->note));
		json_array_append_new(ev, eo);
	}
	json_object_set_new(o, "evidence", ev);
	return o;
}

json_t *iota_report_vulns_json(const iota_vuln_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; r && i < r->count; i++)
		json_array_append_new(a, iota_report_vuln_json(&r->matches[i]));
	return a;
}

static json_t *node_json(iota_scan *s, const iota_node *n)
{
	char buf[IOTA_MAX_PATH * 2], hex[65], mode[16];
	json_t *o = json_object();
	iota_node_origin(n, buf, sizeof buf);
	json_object_set_new(o, "path", jstr(buf));
	if (n->container) {
		iota_node_origin(n->container, buf, sizeof buf);
		json_object_set_new(o, "container", jstr(buf));
	}
	buf[0] = '/';
	iota_node_inner_path(n, buf + 1, sizeof buf - 1);
	json_object_set_new(o, "name", jstr(buf));
	json_object_set_new(o, "type", json_string(iota_node_kind_name(n->kind)));
	snprintf(mode, sizeof mode, "%04o", n->mode & 07777);
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "uid", json_integer(n->uid));
	json_object_set_new(o, "gid", json_integer(n->gid));
	if (n->kind == IOTA_NODE_FILE) {
		json_object_set_new(o, "size", json_integer((json_int_t)n->size));
		if (n->flags & IOTA_NF_HASHED) {
			iota_report_hex(n->sha256, 32, hex);
			json_object_set_new(o, "sha256", json_string(hex));
		}
		if (n->flags & IOTA_NF_TRUNCATED)
			json_object_set_new(o, "truncated", json_true());
		if (n->flags & IOTA_NF_UNREADABLE)
			json_object_set_new(o, "unreadable", json_true());
	}
	if (n->kind == IOTA_NODE_CHR || n->kind == IOTA_NODE_BLK) {
		json_object_set_new(o, "major", json_integer(n->dev_major));
		json_object_set_new(o, "minor", json_integer(n->dev_minor));
	}
	if (n->link)
		json_object_set_new(o, "link", jstr(n->link));
	if (n->attrs) {
		json_t *at = json_object();
		for (const iota_attr *a = n->attrs; a; a = a->next)
			json_object_set_new(at, a->key, jstr(a->value));
		json_object_set_new(o, "attributes", at);
	}
	(void)s;
	return o;
}

static void walk(iota_scan *s, const iota_node *n, json_t *files, json_t *containers)
{
	char buf[IOTA_MAX_PATH * 2];
	for (const iota_node *c = n->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_CONTAINER) {
			json_t *o = json_object();
			iota_node_origin(c, buf, sizeof buf);
			json_object_set_new(o, "origin", jstr(buf));
			iota_node_origin(n, buf, sizeof buf);
			json_object_set_new(o, "parent", jstr(buf));
			json_object_set_new(o, "format", json_string(c->fmt->name));
			if (c->variant[0])
				json_object_set_new(o, "variant", jstr(c->variant));
			json_object_set_new(o, "offset", json_integer((json_int_t)c->offset));
			json_object_set_new(o, "size", json_integer((json_int_t)c->size));
			json_object_set_new(o, "depth", json_integer(c->depth));
			json_object_set_new(o, "files", json_integer((json_int_t)atomic_load(&c->members)));
			json_array_append_new(containers, o);
		} else {
			json_array_append_new(files, node_json(s, c));
		}
		walk(s, c, files, containers);
	}
}

/* ---- the assessment (versioned: "version" changes when a field changes meaning) ---- */

static json_t *jopt(const char *s)
{
	return s ? jstr(s) : json_null();
}

static json_t *finding_ref(const iota_finding *f)
{
	char buf[IOTA_MAX_PATH * 2];
	json_t *o = json_object();
	json_object_set_new(o, "check", json_string(f->check));
	json_object_set_new(o, "severity", json_string(iota_severity_name(f->severity)));
	if (f->node && iota_node_origin(f->node, buf, sizeof buf) >= 0)
		json_object_set_new(o, "node", jstr(buf));
	if (f->line)
		json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "message", jstr(f->message));
	return o;
}

static json_t *counts_json(const size_t *counts)
{
	json_t *o = json_object();
	for (int v = 0; v < IOTA_VERDICT_COUNT; v++)
		json_object_set_new(o, iota_verdict_name((iota_verdict)v),
				    json_integer((json_int_t)counts[v]));
	return o;
}

static json_t *assessment_json(const iota_assessment *A)
{
	json_t *o = json_object();
	json_object_set_new(o, "version", json_integer(IOTA_ASSESSMENT_VERSION));
	json_object_set_new(o, "profile", jopt(A->profile));
	json_object_set_new(o, "level", jopt(A->level));
	json_object_set_new(o, "today", jopt(A->today));
	json_object_set_new(o, "catalog", jopt(A->catalog->source));
	json_object_set_new(o, "evidence_file", jopt(A->evidence_file));
	json_object_set_new(o, "tailoring_file", jopt(A->tailoring_file));
	json_object_set_new(o, "policy_file", jopt(A->policy_file));
	json_object_set_new(o, "vulnerabilities_matched", json_boolean(A->vulns_matched));
	json_object_set_new(o, "counts", counts_json(A->counts));

	json_t *stds = json_array();
	for (size_t i = 0; i < A->nstandards; i++) {
		const iota_standard_result *sr = &A->standards[i];
		json_t *so = json_object(), *pv = json_array();
		json_object_set_new(so, "id", jstr(sr->standard->id));
		json_object_set_new(so, "title", jstr(sr->standard->title));
		json_object_set_new(so, "level", jopt(sr->level));
		json_object_set_new(so, "counts", counts_json(sr->counts));
		for (size_t k = 0; k < sr->nresults; k++) {
			const iota_provision_result *r = &sr->results[k];
			const iota_provision *p = r->provision;
			json_t *po = json_object(), *cks = json_array(), *fs = json_array();
			json_object_set_new(po, "id", jstr(p->id));
			json_object_set_new(po, "ref", jstr(p->ref));
			json_object_set_new(po, "title", jstr(p->title));
			json_object_set_new(po, "obligation", jstr(p->obligation));
			json_object_set_new(po, "verify", jstr(p->verify));
			if (p->sl_min)
				json_object_set_new(po, "sl", json_integer(p->sl_min));
			json_object_set_new(po, "verdict", json_string(iota_verdict_name(r->verdict)));
			json_object_set_new(po, "reason", jstr(r->reason ? r->reason : ""));
			for (size_t j = 0; r->checks && r->checks[j]; j++)
				json_array_append_new(cks, jstr(r->checks[j]->id));
			json_object_set_new(po, "checks", cks);
			for (size_t j = 0; r->findings && r->findings[j]; j++)
				json_array_append_new(fs, finding_ref(r->findings[j]));
			json_object_set_new(po, "findings", fs);
			if (r->evidence)
				json_object_set_new(po, "evidence", jstr(r->evidence));
			if (r->justification) {
				json_t *t = json_object();
				json_object_set_new(t, "justification", jstr(r->justification));
				json_object_set_new(t, "compensating_control", jstr(r->control));
				json_object_set_new(t, "owner", jstr(r->owner));
				json_object_set_new(t, "expires", jstr(r->expires));
				json_object_set_new(t, "expired", json_boolean(r->tailoring_expired));
				json_object_set_new(po, "tailoring", t);
			}
			json_array_append_new(pv, po);
		}
		json_object_set_new(so, "provisions", pv);
		json_array_append_new(stds, so);
	}
	json_object_set_new(o, "standards", stds);

	json_t *risk = json_object(), *top = json_array();
	json_object_set_new(risk, "score", json_real(A->risk));
	json_object_set_new(risk, "formula", jopt(A->risk_formula));
	for (size_t i = 0; i < A->nrisks; i++) {
		const iota_finding_risk *r = &A->risks[i];
		if (r->score <= 0)
			continue;
		json_t *f = finding_ref(r->finding);
		json_object_set_new(f, "score", json_real(r->score));
		json_object_set_new(f, "accepted", json_boolean(r->accepted));
		if (r->exposure)
			json_object_set_new(f, "exposure", json_string(r->exposure));
		json_array_append_new(top, f);
	}
	json_object_set_new(risk, "findings", top);
	json_object_set_new(o, "risk", risk);

	json_t *vf = json_array();
	for (size_t i = 0; i < A->nvuln_findings; i++) {
		json_t *f = finding_ref(&A->vuln_findings[i]);
		json_object_set_new(f, "confidence", json_integer(A->vuln_findings[i].confidence));
		if (A->vuln_findings[i].evidence)
			json_object_set_new(f, "cve", jstr(A->vuln_findings[i].evidence));
		json_array_append_new(vf, f);
	}
	json_object_set_new(o, "derived_findings", vf);

	json_t *ev = json_array();
	for (size_t i = 0; i < A->nevidence; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "key", jstr(A->evidence[i].key->key));
		json_object_set_new(e, "value", A->evidence[i].is_null ? json_null()
								       : jstr(A->evidence[i].value));
		json_object_set_new(e, "source", jstr(A->evidence[i].source));
		json_array_append_new(ev, e);
	}
	json_object_set_new(o, "evidence", ev);

	/* what the vendor must still show: keys the evidence file did not give,
	 * with the needs-evidence provisions each would answer */
	json_t *need = json_object();
	for (size_t i = 0; i < A->nstandards; i++)
		for (size_t k = 0; k < A->standards[i].nresults; k++) {
			const iota_provision_result *r = &A->standards[i].results[k];
			if (r->verdict != IOTA_VERDICT_NEEDS_EVIDENCE)
				continue;
			for (size_t j = 0; r->provision->evidence_keys[j]; j++) {
				const char *key = r->provision->evidence_keys[j];
				int given = 0;
				for (size_t v = 0; v < A->nevidence && !given; v++)
					given = !A->evidence[v].from_image &&
						strcmp(A->evidence[v].key->key, key) == 0;
				if (given)
					continue;
				json_t *l = json_object_get(need, key);
				if (!l) {
					l = json_array();
					json_object_set_new(need, key, l);
				}
				json_array_append_new(l, jstr(r->provision->ref));
			}
		}
	json_object_set_new(o, "evidence_needed", need);

	json_t *tl = json_array();
	for (size_t i = 0; i < A->ntailoring; i++) {
		const iota_tailoring *t = &A->tailoring[i];
		json_t *e = json_object();
		json_object_set_new(e, t->kind, jstr(t->id));
		json_object_set_new(e, "justification", jstr(t->justification));
		json_object_set_new(e, "compensating_control", jstr(t->control));
		json_object_set_new(e, "owner", jstr(t->owner));
		json_object_set_new(e, "expires", jstr(t->expires));
		json_object_set_new(e, "expired", json_boolean(t->expired));
		json_object_set_new(e, "applied", json_integer((json_int_t)t->used));
		json_array_append_new(tl, e);
	}
	json_object_set_new(o, "tailoring", tl);

	json_t *g = json_object(), *rs = json_array();
	json_object_set_new(g, "asked", json_boolean(A->gate_asked));
	if (A->gate_asked) {
		json_object_set_new(g, "criteria", jstr(A->gate_summary ? A->gate_summary : ""));
		json_object_set_new(g, "passed", json_boolean(A->ngate_reasons == 0));
		for (size_t i = 0; i < A->ngate_reasons; i++)
			json_array_append_new(rs, jstr(A->gate_reasons[i]));
	}
	json_object_set_new(g, "reasons", rs);
	json_object_set_new(o, "gate", g);
	return o;
}

iota_rc iota_report_json(iota_scan *s, FILE *out)
{
	/* the SBOM facts (sbom.* attributes) are there whatever order the
	 * formats are written in */
	if (iota_scan_sbom_links(s) != IOTA_OK)
		return IOTA_NOMEM;
	char hex[65];
	iota_totals t;
	iota_scan_totals(s, &t);

	json_t *root = json_object();
	json_t *tool = json_object();
	json_object_set_new(tool, "name", json_string("iotaudit"));
	json_object_set_new(tool, "version", json_string(iota_version()));
	json_object_set_new(root, "tool", tool);

	json_t *input = json_object();
	json_object_set_new(input, "name", jstr(s->input_name ? s->input_name : ""));
	json_object_set_new(input, "bytes", json_integer((json_int_t)s->input_bytes));
	if (s->root) {
		json_object_set_new(input, "type",
				    json_string(s->root->kind == IOTA_NODE_FILE ? "file" : "directory"));
		if (s->root->flags & IOTA_NF_HASHED) {
			iota_report_hex(s->root->sha256, 32, hex);
			json_object_set_new(input, "sha256", json_string(hex));
		}
	}
	json_object_set_new(root, "input", input);

	json_t *lim = json_object();
	json_object_set_new(lim, "max_depth", json_integer(s->opt.limits.max_depth));
	json_object_set_new(lim, "max_total_bytes", json_integer((json_int_t)s->opt.limits.max_total_bytes));
	json_object_set_new(lim, "max_ratio", json_integer((json_int_t)s->opt.limits.max_ratio));
	json_object_set_new(lim, "max_files", json_integer((json_int_t)s->opt.limits.max_files));
	json_object_set_new(lim, "max_file_size", json_integer((json_int_t)s->opt.limits.max_file_size));
	json_object_set_new(root, "limits", lim);

	json_t *tot = json_object();
	json_object_set_new(tot, "containers", json_integer((json_int_t)t.containers));
	json_object_set_new(tot, "files", json_integer((json_int_t)t.files));
	json_object_set_new(tot, "dirs", json_integer((json_int_t)t.dirs));
	json_object_set_new(tot, "links", json_integer((json_int_t)t.links));
	json_object_set_new(tot, "specials", json_integer((json_int_t)t.specials));
	json_object_set_new(tot, "unpacked_bytes", json_integer((json_int_t)t.unpacked_bytes));
	json_object_set_new(tot, "findings", json_integer((json_int_t)t.findings));
	json_object_set_new(tot, "errors", json_integer((json_int_t)t.errors));
	json_object_set_new(root, "totals", tot);

	json_t *files = json_array(), *containers = json_array();
	if (s->root)
		walk(s, s->root, files, containers);
	json_object_set_new(root, "containers", containers);
	json_object_set_new(root, "files", files);

	json_t *comps = json_array();
	size_t ncomp = 0;
	iota_component **cv = iota_components_sorted(s, &ncomp);
	for (size_t i = 0; cv && i < ncomp; i++) {
		const iota_component *c = cv[i];
		char buf[IOTA_MAX_PATH * 2];
		json_t *o = json_object(), *evs = json_array();
		json_object_set_new(o, "name", jstr(c->name));
		json_object_set_new(o, "version", jstr(c->version));
		if (c->vendor)
			json_object_set_new(o, "vendor", jstr(c->vendor));
		if (c->purl)
			json_object_set_new(o, "purl", jstr(c->purl));
		if (c->cpe)
			json_object_set_new(o, "cpe", jstr(c->cpe));
		if (c->node && iota_node_origin(c->node, buf, sizeof buf) >= 0)
			json_object_set_new(o, "node", jstr(buf));
		json_object_set_new(o, "relation",
				    json_string(c->relation == IOTA_REL_IS ? "is" : "contains"));
		for (const iota_evidence *e = c->evidence; e; e = e->next) {
			json_t *eo = json_object();
			json_object_set_new(eo, "method", json_string(iota_evidence_method_name(e->method)));
			if (e->node && iota_node_origin(e->node, buf, sizeof buf) >= 0)
				json_object_set_new(eo, "node", jstr(buf));
			if (e->match)
				json_object_set_new(eo, "match", jstr(e->match));
			if (e->offset != UINT64_MAX)
				json_object_set_new(eo, "offset", json_integer((json_int_t)e->offset));
			json_array_append_new(evs, eo);
		}
		json_object_set_new(o, "evidence", evs);
		if (s->vulndb_summary) {
			json_object_set_new(o, "exposure", json_string(iota_exposure_name(c->exposure)));
			if (c->exposure_via)
				json_object_set_new(o, "exposure_via", jstr(c->exposure_via));
			if (c->vulns) {
				json_object_set_new(o, "vulnerabilities", iota_report_vulns_json(c->vulns));
				json_object_set_new(o, "vulnerability_identity",
						    opt_str(c->vulns->identity));
			}
		}
		json_array_append_new(comps, o);
	}
	iota_free(cv);
	json_object_set_new(root, "components", comps);
	if (s->vulndb_summary)
		json_object_set_new(root, "vulndb", jstr(s->vulndb_summary));

	json_t *finds = json_array();
	char **origins = NULL;
	const iota_finding **sorted = iota_report_sorted_findings(s, &origins);
	for (size_t i = 0; sorted && i < s->nfindings; i++) {
		const iota_finding *f = sorted[i];
		json_t *o = json_object();
		json_object_set_new(o, "check", json_string(f->check));
		json_object_set_new(o, "severity", json_string(iota_severity_name(f->severity)));
		json_object_set_new(o, "confidence", json_integer(f->confidence));
		if (origins[i][0])
			json_object_set_new(o, "node", jstr(origins[i]));
		if (f->offset != UINT64_MAX)
			json_object_set_new(o, "offset", json_integer((json_int_t)f->offset));
		json_object_set_new(o, "message", jstr(f->message));
		if (f->line)
			json_object_set_new(o, "line", json_integer(f->line));
		if (f->evidence)
			json_object_set_new(o, "evidence", jstr(f->evidence));
		json_array_append_new(finds, o);
	}
	iota_free(sorted);
	iota_free(origins);
	json_object_set_new(root, "findings", finds);
	if (s->assessment)
		json_object_set_new(root, "assessment", assessment_json(s->assessment));

	int rc = json_dumpf(root, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(root);
	fputc('\n', out);
	if (rc != 0 || ferror(out))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the JSON report");
	return IOTA_OK;
}
