/* Shared by the SARIF, HTML and CSV writers: see report_common.h. */
#include <string.h>

#include "report/report_common.h"
#include "util/alloc.h"

const iota_check *iota_report_check_for(const iota_catalog *cat, const char *finding_check)
{
	if (!cat || !finding_check)
		return NULL;
	const iota_check *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < cat->nchecks; i++) {
		const iota_check *c = &cat->checks[i];
		for (const char **p = c->findings; p && *p; p++) {
			size_t n = strlen(*p);
			if (strcmp(*p, finding_check) == 0)
				return c; /* exact: nothing beats it, first in catalog order */
			if (n > 0 && (*p)[n - 1] == '*' && strncmp(*p, finding_check, n - 1) == 0 &&
			    (!best || n > best_len)) {
				best = c;
				best_len = n;
			}
		}
	}
	/* an exact entry later in the catalog still beats a prefix found first */
	for (size_t i = 0; best && i < cat->nchecks; i++)
		for (const char **p = cat->checks[i].findings; p && *p; p++)
			if (strcmp(*p, finding_check) == 0)
				return &cat->checks[i];
	return best;
}

const iota_tailoring *iota_report_tailoring_for(const iota_assessment *a, const iota_finding *f)
{
	for (size_t i = 0; a && i < a->ntailoring; i++) {
		const iota_tailoring *t = &a->tailoring[i];
		if (t->expired || !t->kind || !t->id)
			continue;
		if (strcmp(t->kind, "finding") == 0) {
			if (iota_pattern_match(t->id, f->check) ||
			    (strncmp(f->check, "vuln.", 5) == 0 && f->evidence &&
			     strcmp(f->evidence, t->id) == 0))
				return t;
		} else if (strcmp(t->kind, "check") == 0 && a->catalog) {
			const iota_check *c = iota_catalog_check(a->catalog, t->id);
			for (const char **p = c ? c->findings : NULL; p && *p; p++)
				if (iota_pattern_match(*p, f->check))
					return t;
		}
	}
	return NULL;
}

size_t iota_report_verdict_total(const iota_assessment *a, iota_verdict v)
{
	size_t n = 0;
	for (size_t i = 0; a && i < a->nstandards; i++)
		n += a->standards[i].counts[v];
	return n;
}

json_t *iota_report_jstr(const char *s)
{
	if (!s)
		s = "";
	json_t *j = json_string(s);
	if (j)
		return j;
	size_t n = strlen(s);
	char *t = iota_malloc(n * 4 + 1);
	if (!t)
		return NULL;
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80)
			t[o++] = (char)*p;
		else
			o += (size_t)snprintf(t + o, 5, "\\x%02x", *p);
	}
	t[o] = '\0';
	j = json_string(t);
	iota_free(t);
	return j;
}

const char *iota_report_cvss_word(double score)
{
	if (score < 0)
		return "unknown";
	if (score >= 9.0)
		return "critical";
	if (score >= 7.0)
		return "high";
	if (score >= 4.0)
		return "medium";
	if (score > 0)
		return "low";
	return "none";
}

double iota_report_cvss(const iota_vuln_match *m)
{
	return m->cvss3 >= 0 ? m->cvss3 : m->cvss4;
}

void iota_rview_free(iota_rview *v)
{
	iota_free(v->findings);
	iota_free(v->components);
	iota_free(v->vulns);
	memset(v, 0, sizeof *v);
}

/* The assessment's vuln.* finding for this match (the engine makes one per
 * scored match: the CVE as evidence, the component's node): its risk and
 * whether tailoring accepts it. */
static void vuln_assessed(const iota_assessment *a, iota_rvuln *rv)
{
	for (size_t i = 0; i < a->nrisks; i++) {
		const iota_finding *f = a->risks[i].finding;
		if (!f || f < a->vuln_findings || f >= a->vuln_findings + a->nvuln_findings)
			continue;
		if (f->node != rv->c->node || !f->evidence || strcmp(f->evidence, rv->m->cve) != 0)
			continue;
		rv->risk = a->risks[i].score;
		rv->accepted = a->risks[i].accepted;
		if (rv->accepted) {
			const iota_tailoring *t = iota_report_tailoring_for(a, f);
			rv->justification = t ? t->justification : NULL;
		}
		return;
	}
}

iota_rc iota_rview_init(iota_scan *s, iota_rview *v)
{
	memset(v, 0, sizeof *v);
	v->a = s->assessment;
	const iota_assessment *a = v->a;

	char **origins = NULL;
	const iota_finding **sorted = NULL;
	if (s->nfindings) {
		sorted = iota_report_sorted_findings(s, &origins);
		v->findings = iota_calloc(s->nfindings, sizeof *v->findings);
		if (!sorted || !v->findings)
			goto nomem;
	}
	v->nfindings = s->nfindings;

	/* risk and tailoring per finding, by its index in s->findings */
	double *risk = NULL;
	const char **just = NULL;
	int *acc = NULL;
	if (a && s->nfindings) {
		risk = iota_malloc(s->nfindings * sizeof *risk);
		just = iota_calloc(s->nfindings, sizeof *just);
		acc = iota_calloc(s->nfindings, sizeof *acc);
		if (!risk || !just || !acc) {
			iota_free(risk);
			iota_free(just);
			iota_free(acc);
			goto nomem;
		}
		for (size_t i = 0; i < s->nfindings; i++)
			risk[i] = -1;
		for (size_t i = 0; i < a->nrisks; i++) {
			const iota_finding *f = a->risks[i].finding;
			if (f < s->findings || f >= s->findings + s->nfindings)
				continue;
			size_t k = (size_t)(f - s->findings);
			risk[k] = a->risks[i].score;
			acc[k] = a->risks[i].accepted;
		}
		for (size_t i = 0; i < a->nstandards; i++)
			for (size_t j = 0; j < a->standards[i].nresults; j++) {
				const iota_provision_result *r = &a->standards[i].results[j];
				if (r->verdict != IOTA_VERDICT_ACCEPTED || !r->justification)
					continue;
				for (const iota_finding **f = r->findings; f && *f; f++)
					if (*f >= s->findings && *f < s->findings + s->nfindings &&
					    !just[*f - s->findings]) {
						just[*f - s->findings] = r->justification;
						acc[*f - s->findings] = 1;
					}
			}
	}
	for (size_t i = 0; i < v->nfindings; i++) {
		iota_rfinding *r = &v->findings[i];
		r->f = sorted[i];
		r->origin = origins[i];
		r->risk = -1;
		if (a) {
			size_t k = (size_t)(sorted[i] - s->findings);
			r->check = iota_report_check_for(a->catalog, r->f->check);
			r->risk = risk[k];
			r->accepted = acc[k];
			r->justification = just[k];
			if (r->accepted) {
				const iota_tailoring *t = iota_report_tailoring_for(a, r->f);
				if (t && t->justification)
					r->justification = t->justification;
			}
		}
	}
	iota_free(risk);
	iota_free(just);
	iota_free(acc);
	iota_free(sorted);
	iota_free(origins);
	sorted = NULL;
	origins = NULL;

	v->components = iota_components_sorted(s, &v->ncomponents);
	if (!v->components && s->components)
		goto nomem;
	size_t nv = 0;
	for (size_t i = 0; i < v->ncomponents; i++)
		if (v->components[i]->vulns)
			nv += v->components[i]->vulns->count;
	if (nv) {
		v->vulns = iota_calloc(nv, sizeof *v->vulns);
		if (!v->vulns)
			goto nomem;
	}
	char buf[IOTA_MAX_PATH * 2];
	for (size_t i = 0; i < v->ncomponents; i++) {
		const iota_component *c = v->components[i];
		if (!c->vulns || !c->vulns->count)
			continue;
		const char *origin = "";
		if (c->node && iota_node_origin(c->node, buf, sizeof buf) >= 0) {
			origin = iota_arena_strdup(s->arena, buf);
			if (!origin)
				goto nomem;
		}
		for (size_t j = 0; j < c->vulns->count; j++) {
			iota_rvuln *rv = &v->vulns[v->nvulns++];
			*rv = (iota_rvuln){c, &c->vulns->matches[j], origin, -1, 0, NULL};
			if (a)
				vuln_assessed(a, rv);
		}
	}
	return IOTA_OK;
nomem:
	iota_free(sorted);
	iota_free(origins);
	iota_rview_free(v);
	return IOTA_NOMEM;
}

size_t iota_report_utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}
