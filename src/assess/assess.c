/*
 * The assessment engine: one verdict per provision of the profile's
 * standards, a risk score per finding and for the image, and the gate.
 * The rules are documented in docs/assessment.md; in short:
 *
 *  not-applicable  the provision is asked only from a higher IEC 62443
 *                  security level than the profile's
 *  fail            a check serving it found something (severity low or
 *                  more) that no live acceptance covers, or the vendor's
 *                  evidence says the duty is not met
 *  accepted        it would fail, but every finding behind it (or the
 *                  provision itself) is accepted in the tailoring file
 *  pass            verify: image, a check serves it, every serving check
 *                  ran and found nothing; or every evidence key it asks
 *                  for is answered and met (verify: partial needs both)
 *  needs-evidence  anything else: documentation-only duties, partial
 *                  provisions the vendor has not answered, checks that
 *                  could not run, and info findings (the image could not
 *                  confirm, e.g. no disclosure contact found)
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess/assess_int.h"
#include "assess/assess_yaml.h"
#include "core/component.h"
#include "iotaudit/vulndb.h"
#include "util/alloc.h"

#define RISK_FORMULA                                                                              \
	"finding = min(10, weight[severity] x (0.5 + 0.5 x confidence/100) x exposure), exposure = " \
	"1.5 if KEV x 1.25 if reachable from a listening service; image = m + (10 - m) x (1 - "     \
	"prod(1 - s/10)) / 2, m the highest unaccepted finding, s the others"

void iota_assess_options_init(iota_assess_options *o)
{
	memset(o, 0, sizeof *o);
}

size_t iota_gate_reasons(const iota_scan *s)
{
	return s->assessment ? s->assessment->ngate_reasons : 0;
}

const char *iota_gate_reason(const iota_scan *s, size_t i)
{
	return s->assessment && i < s->assessment->ngate_reasons ? s->assessment->gate_reasons[i]
								  : NULL;
}

const char *iota_verdict_name(iota_verdict v)
{
	static const char *const names[] = {"pass", "fail", "needs-evidence", "not-applicable",
					    "accepted"};
	return (unsigned)v < IOTA_VERDICT_COUNT ? names[v] : "?";
}

const char *assess_printf(assess_ctx *x, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return iota_arena_strdup(x->s->arena, buf);
}

int assess_finding_matches(const assess_finding *a, const char *pattern)
{
	return iota_pattern_match(pattern, a->f->check) ||
	       (a->alias && iota_pattern_match(pattern, a->alias));
}

int assess_check_covers(const iota_check *c, const assess_finding *a)
{
	for (size_t i = 0; c->findings[i]; i++)
		if (assess_finding_matches(a, c->findings[i]))
			return 1;
	return 0;
}

/* ---- the findings, in a deterministic order ---- */

static const char *origin_of(assess_ctx *x, const iota_node *n)
{
	char buf[IOTA_MAX_PATH * 2];
	if (!n || iota_node_origin(n, buf, sizeof buf) < 0)
		return "";
	const char *o = iota_arena_strdup(x->s->arena, buf);
	return o ? o : "";
}

static int cmp_af(const void *a, const void *b)
{
	const assess_finding *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);
	if (c)
		return c;
	if ((c = strcmp(x->f->check, y->f->check)))
		return c;
	if (x->f->offset != y->f->offset)
		return x->f->offset < y->f->offset ? -1 : 1;
	if (x->f->line != y->f->line)
		return x->f->line < y->f->line ? -1 : 1;
	return strcmp(x->f->message, y->f->message);
}

/* ---- vulnerability pseudo-findings ---- */

static iota_severity cvss_severity(const iota_vuln_match *m, int *known)
{
	double sc = m->cvss3 >= 0 ? m->cvss3 : m->cvss4;
	*known = sc >= 0;
	if (sc >= 9.0)
		return IOTA_SEV_CRITICAL;
	if (sc >= 7.0)
		return IOTA_SEV_HIGH;
	if (sc >= 4.0)
		return IOTA_SEV_MEDIUM;
	if (sc > 0)
		return IOTA_SEV_LOW;
	return IOTA_SEV_INFO;
}

static int vuln_findings(assess_ctx *x, size_t *nreal_out)
{
	iota_scan *s = x->s;
	iota_assessment *A = x->A;
	size_t ncomp = 0;
	iota_component **cv = iota_components_sorted(s, &ncomp);
	if (!cv && s->ncomponents)
		return -1;
	size_t cap = 1;
	for (size_t i = 0; i < ncomp; i++)
		if (cv[i]->vulns)
			cap += cv[i]->vulns->count + 1;
	A->vuln_findings = iota_arena_alloc(s->arena, cap * sizeof *A->vuln_findings);
	x->af = iota_arena_alloc(s->arena, (cap + s->nfindings) * sizeof *x->af);
	if (!A->vuln_findings || !x->af) {
		iota_free(cv);
		return -1;
	}
	for (size_t i = 0; i < s->nfindings; i++) {
		assess_finding *a = &x->af[x->naf++];
		a->f = &s->findings[i];
		a->origin = origin_of(x, a->f->node);
		a->listening = a->f->node && iota_node_attr_get(a->f->node, "svc.listen") != NULL;
	}
	qsort(x->af, x->naf, sizeof *x->af, cmp_af);
	*nreal_out = x->naf;
	char buf[512];
	for (size_t i = 0; i < ncomp; i++) {
		const iota_component *c = cv[i];
		if (!c->vulns)
			continue;
		size_t unassessed = 0;
		for (size_t k = 0; k < c->vulns->count; k++) {
			const iota_vuln_match *m = &c->vulns->matches[k];
			if (m->status == IOTA_VULN_NOT_AFFECTED)
				continue;
			int known;
			iota_severity sev = cvss_severity(m, &known);
			if (m->status == IOTA_VULN_UNKNOWN || !known) {
				unassessed++;
				continue;
			}
			iota_finding *f = &A->vuln_findings[A->nvuln_findings++];
			assess_finding *a = &x->af[x->naf++];
			a->f = f;
			a->origin = origin_of(x, c->node);
			a->cve = iota_arena_strdup(s->arena, m->cve);
			a->kev = m->kev;
			a->confirmed = m->status == IOTA_VULN_AFFECTED &&
				       (!m->confidence || strcmp(m->confidence, "confirmed") == 0);
			a->listening = c->exposure == IOTA_EXPO_LISTENING;
			snprintf(buf, sizeof buf, "vuln.%s", iota_severity_name(sev));
			const char *sevid = iota_arena_strdup(s->arena, buf);
			f->check = m->kev ? "vuln.kev" : sevid;
			a->alias = m->kev ? sevid : NULL;
			f->severity = sev;
			f->confidence = a->confirmed ? 90 : 50;
			f->node = c->node;
			f->offset = UINT64_MAX;
			snprintf(buf, sizeof buf, "%s in %s %s (%s, CVSS %.1f%s)", m->cve, c->name,
				 c->version, m->status == IOTA_VULN_AFFECTED ? "affected" : "conditional",
				 m->cvss3 >= 0 ? m->cvss3 : m->cvss4, m->kev ? ", known exploited" : "");
			f->message = iota_arena_strdup(s->arena, buf);
			f->evidence = a->cve;
		}
		if (unassessed) {
			iota_finding *f = &A->vuln_findings[A->nvuln_findings++];
			assess_finding *a = &x->af[x->naf++];
			a->f = f;
			a->origin = origin_of(x, c->node);
			f->check = "vuln.unassessed";
			f->severity = IOTA_SEV_INFO;
			f->confidence = 50;
			f->node = c->node;
			f->offset = UINT64_MAX;
			snprintf(buf, sizeof buf,
				 "%zu vulnerability record%s name %s %s without a usable version range or score",
				 unassessed, unassessed == 1 ? "" : "s", c->name, c->version);
			f->message = iota_arena_strdup(s->arena, buf);
		}
	}
	/* the SBOM: an observation, the vendor keeps the real one */
	iota_finding *f = &A->vuln_findings[A->nvuln_findings++];
	assess_finding *a = &x->af[x->naf++];
	a->f = f;
	a->origin = "";
	f->check = "sbom.components";
	f->severity = IOTA_SEV_INFO;
	f->confidence = 100;
	f->offset = UINT64_MAX;
	snprintf(buf, sizeof buf, "%zu component%s identified in the image (draft SBOM)", ncomp,
		 ncomp == 1 ? "" : "s");
	f->message = iota_arena_strdup(s->arena, buf);
	iota_free(cv);
	return 0;
}

/* ---- verdicts ---- */

static int check_ran(const assess_ctx *x, const iota_check *c)
{
	if (x->A->vulns_matched)
		return 1;
	for (size_t i = 0; c->findings[i]; i++)
		if (strncmp(c->findings[i], "vuln.", 5) != 0)
			return 1;
	return 0;
}

static const char *join_ids(assess_ctx *x, const iota_check **cs, size_t n)
{
	char buf[512];
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", cs[i]->id);
	return iota_arena_strdup(x->s->arena, buf);
}

/* "cred.default-password (critical) x2, secret.url-credentials (high) [checks cred-x, secrets]" */
static const char *summarize(assess_ctx *x, const iota_finding **fs, size_t n, const iota_check **cs,
			     size_t nc)
{
	char buf[768];
	size_t o = 0, shown = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof buf; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(fs[j]->check, fs[i]->check) == 0;
		if (seen)
			continue;
		size_t k = 0;
		for (size_t j = i; j < n; j++)
			k += strcmp(fs[j]->check, fs[i]->check) == 0;
		if (shown++ == 4) {
			o += (size_t)snprintf(buf + o, sizeof buf - o, ", ...");
			break;
		}
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s (%s)", shown > 1 ? ", " : "",
				      fs[i]->check, iota_severity_name(fs[i]->severity));
		if (k > 1 && o < sizeof buf)
			o += (size_t)snprintf(buf + o, sizeof buf - o, " x%zu", k);
	}
	/* the checks that found them */
	size_t nh = 0;
	for (size_t c = 0; c < nc && o < sizeof buf; c++) {
		int hit = 0;
		for (size_t i = 0; i < n && !hit; i++)
			for (size_t j = 0; cs[c]->findings[j] && !hit; j++)
				hit = iota_pattern_match(cs[c]->findings[j], fs[i]->check) ||
				      (strcmp(fs[i]->check, "vuln.kev") == 0 &&
				       strncmp(cs[c]->findings[j], "vuln.", 5) == 0);
		if (hit)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", nh++ ? ", " : " [check ",
					      cs[c]->id);
	}
	if (nh && o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, "]");
	return assess_printf(x, "%zu finding%s: %s", n, n == 1 ? "" : "s", buf);
}

static void set_tailoring(iota_provision_result *r, const iota_tailoring *t)
{
	r->justification = t->justification;
	r->control = t->control;
	r->owner = t->owner;
	r->expires = t->expires;
	r->tailoring_expired = t->expired;
}

static int judge(assess_ctx *x, const iota_provision *p, iota_provision_result *r)
{
	iota_scan *s = x->s;
	iota_arena *ar = s->arena;
	r->provision = p;
	if (x->level && p->sl_min > x->level) {
		r->verdict = IOTA_VERDICT_NOT_APPLICABLE;
		r->reason = assess_printf(x, "asked from SL%u; the profile is at SL%u", p->sl_min,
					  x->level);
		return 0;
	}
	/* the checks serving it */
	size_t nc = 0;
	for (size_t i = 0; i < x->cat->nchecks; i++)
		for (size_t k = 0; x->cat->checks[i].provisions[k]; k++)
			nc += x->cat->checks[i].provisions[k] == p;
	const iota_check **cs = iota_arena_alloc(ar, (nc + 1) * sizeof *cs);
	/* collected in scratch space shared by all provisions, kept at their size */
	const iota_finding **fails = x->scratch, **acc = x->scratch + x->naf + 1;
	if (!cs)
		return -1;
	nc = 0;
	int all_ran = 1;
	for (size_t i = 0; i < x->cat->nchecks; i++)
		for (size_t k = 0; x->cat->checks[i].provisions[k]; k++)
			if (x->cat->checks[i].provisions[k] == p) {
				cs[nc++] = &x->cat->checks[i];
				all_ran &= check_ran(x, &x->cat->checks[i]);
				break;
			}
	r->checks = cs;
	size_t nf = 0, na = 0;
	const assess_finding *info = NULL;
	const iota_tailoring *accepted_by = NULL, *expired_by = NULL;
	for (size_t j = 0; j < x->naf; j++) {
		const assess_finding *a = &x->af[j];
		int covered = 0;
		for (size_t i = 0; i < nc && !covered; i++)
			covered = x->cover[(size_t)(cs[i] - x->cat->checks) * x->naf + j];
		if (!covered)
			continue;
		if (a->f->severity == IOTA_SEV_INFO) {
			if (!info)
				info = a;
			continue;
		}
		if (a->accepted_by) {
			acc[na++] = a->f;
			if (!accepted_by)
				accepted_by = a->accepted_by;
		} else {
			fails[nf++] = a->f;
			if (a->expired_by && !expired_by)
				expired_by = a->expired_by;
		}
	}
	if (nf) {
		const iota_finding **v = iota_arena_alloc(ar, (nf + 1) * sizeof *v);
		if (!v)
			return -1;
		memcpy(v, fails, nf * sizeof *v);
		fails = v;
	}
	if (na) {
		const iota_finding **v = iota_arena_alloc(ar, (na + 1) * sizeof *v);
		if (!v)
			return -1;
		memcpy(v, acc, na * sizeof *v);
		acc = v;
	}
	iota_tailoring *pt = assess_tailoring_provision(x, p, 0);
	iota_tailoring *pt_old = assess_tailoring_provision(x, p, 1);
	const char *expired_note = "";
	if (expired_by || (!pt && pt_old)) {
		const iota_tailoring *t = expired_by ? expired_by : pt_old;
		expired_note = assess_printf(x, " (its acceptance expired on %s)", t->expires);
		set_tailoring(r, t);
	}
	if (nf) {
		fails[nf] = NULL;
		/* the worst first, the origin order within a severity */
		for (size_t i = 1; i < nf; i++)
			for (size_t j = i; j > 0 && fails[j]->severity > fails[j - 1]->severity; j--) {
				const iota_finding *t = fails[j];
				fails[j] = fails[j - 1];
				fails[j - 1] = t;
			}
		r->findings = fails;
		const char *why = assess_printf(x, "%s%s", summarize(x, fails, nf, cs, nc), expired_note);
		if (pt) {
			r->verdict = IOTA_VERDICT_ACCEPTED;
			r->reason = assess_printf(x, "accepted (%s): %s", pt->justification, why);
			set_tailoring(r, pt);
			pt->used++;
		} else {
			r->verdict = IOTA_VERDICT_FAIL;
			r->reason = why;
		}
		return 0;
	}
	if (na) {
		acc[na] = NULL;
		r->findings = acc;
		r->verdict = IOTA_VERDICT_ACCEPTED;
		r->reason = assess_printf(x, "%zu finding%s accepted (%s): %s", na, na == 1 ? "" : "s",
					  accepted_by->justification, acc[0]->check);
		set_tailoring(r, accepted_by);
		r->tailoring_expired = 0;
		return 0;
	}
	/* the vendor's evidence (and what the image says about the same keys) */
	size_t nkeys = 0, npass = 0;
	const char *ev_fail = NULL;
	char evbuf[1024], missing[512];
	size_t eo = 0, mo = 0;
	evbuf[0] = missing[0] = '\0';
	for (size_t k = 0; p->evidence_keys[k]; k++) {
		nkeys++;
		const iota_evidence_value *v = assess_evidence_get(x, p->evidence_keys[k]);
		if (!v) {
			if (mo < sizeof missing)
				mo += (size_t)snprintf(missing + mo, sizeof missing - mo, "%s%s",
						       mo ? ", " : "", p->evidence_keys[k]);
			continue;
		}
		if (eo < sizeof evbuf)
			eo += (size_t)snprintf(evbuf + eo, sizeof evbuf - eo, "%s%s: %s (%s)",
					       eo ? "; " : "", v->key->key,
					       v->is_null ? "none" : v->value, v->source);
		const char *why = NULL;
		if (!assess_evidence_judge(x, v, &why)) {
			if (!ev_fail)
				ev_fail = assess_printf(x, "%s: %s", v->key->key, why);
		} else if (v->from_image) {
			/* corroborated by the image; the vendor must still state it */
			if (mo < sizeof missing)
				mo += (size_t)snprintf(missing + mo, sizeof missing - mo,
						       "%s%s (the image says %s)", mo ? ", " : "",
						       v->key->key, v->value);
		} else {
			npass++;
		}
	}
	if (eo)
		r->evidence = iota_arena_strdup(ar, evbuf);
	if (ev_fail) {
		if (pt) {
			r->verdict = IOTA_VERDICT_ACCEPTED;
			r->reason = assess_printf(x, "accepted (%s): evidence says %s", pt->justification,
						  ev_fail);
			set_tailoring(r, pt);
			pt->used++;
		} else {
			r->verdict = IOTA_VERDICT_FAIL;
			r->reason = assess_printf(x, "the evidence says %s%s", ev_fail, expired_note);
		}
		return 0;
	}
	int ev_all = nkeys && npass == nkeys;
	int image_ok = nc && all_ran && !info;
	if (strcmp(p->verify, "image") == 0 && image_ok) {
		r->verdict = IOTA_VERDICT_PASS;
		r->reason = assess_printf(x, "%s found nothing", join_ids(x, cs, nc));
		return 0;
	}
	if (ev_all && (strcmp(p->verify, "documentation") == 0 || image_ok || !nc || info)) {
		r->verdict = IOTA_VERDICT_PASS;
		r->reason = image_ok ? assess_printf(x, "%s found nothing and the evidence answers it",
						     join_ids(x, cs, nc))
				     : "answered by the evidence";
		return 0;
	}
	r->verdict = IOTA_VERDICT_NEEDS_EVIDENCE;
	if (nc && !all_ran)
		r->reason = "vulnerability matching was not run (scan with --vulndb)";
	else if (info)
		r->reason = assess_printf(x, "the image does not show it (%s: %s)%s%s", info->f->check,
					  info->f->message, mo ? "; vendor evidence needed: " : "",
					  mo ? missing : "");
	else if (image_ok)
		r->reason = nkeys ? assess_printf(x, "%s found nothing; the vendor must confirm: %s",
						  join_ids(x, cs, nc), missing)
				  : assess_printf(x, "%s found nothing, but the image alone cannot "
						     "show it is met", join_ids(x, cs, nc));
	else if (nkeys)
		r->reason = assess_printf(x, "vendor evidence needed: %s", missing);
	else if (!nc && strcmp(p->verify, "documentation") != 0)
		r->reason = "no automated check serves it: only documentation can answer it";
	else
		r->reason = "only vendor documentation can answer it";
	return 0;
}

/* ---- risk ---- */

static int cmp_risk(const void *a, const void *b)
{
	const iota_finding_risk *x = a, *y = b;
	if (x->accepted != y->accepted)
		return x->accepted - y->accepted;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	int c = strcmp(x->finding->check, y->finding->check);
	if (c)
		return c;
	if ((c = strcmp(x->origin, y->origin)))
		return c;
	if (x->finding->line != y->finding->line)
		return x->finding->line < y->finding->line ? -1 : 1;
	if (x->finding->offset != y->finding->offset)
		return x->finding->offset < y->finding->offset ? -1 : 1;
	return strcmp(x->finding->message, y->finding->message);
}

static int score_risk(assess_ctx *x)
{
	iota_assessment *A = x->A;
	A->risks = iota_arena_alloc(x->s->arena, (x->naf + 1) * sizeof *A->risks);
	if (!A->risks)
		return -1;
	for (size_t i = 0; i < x->naf; i++) {
		const assess_finding *a = &x->af[i];
		iota_finding_risk *r = &A->risks[A->nrisks++];
		double w = A->profile_def->weights[a->f->severity];
		double e = (a->kev ? 1.5 : 1.0) * (a->listening ? 1.25 : 1.0);
		double sc = w * (0.5 + 0.5 * (double)a->f->confidence / 100.0) * e;
		if (sc > 10)
			sc = 10;
		r->finding = a->f;
		r->origin = a->origin;
		r->score = round(sc * 10) / 10;
		r->accepted = a->accepted_by != NULL;
		r->exposure = a->kev && a->listening ? "known exploited, listening"
			      : a->kev		     ? "known exploited"
			      : a->listening	     ? "listening"
						     : NULL;
	}
	qsort(A->risks, A->nrisks, sizeof *A->risks, cmp_risk);
	double m = -1, prod = 1;
	for (size_t i = 0; i < A->nrisks; i++) {
		if (A->risks[i].accepted)
			continue;
		if (m < 0)
			m = A->risks[i].score;
		else
			prod *= 1 - A->risks[i].score / 10;
	}
	A->risk = m < 0 ? 0 : round((m + (10 - m) * (1 - prod) / 2) * 10) / 10;
	A->risk_formula = RISK_FORMULA;
	return 0;
}

/* ---- the whole ---- */

static int today_string(const char *given, char out[11])
{
	if (given) {
		if (ay_date_valid(given) != 0)
			return -1;
		memcpy(out, given, 11);
		return 0;
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return 0;
}

iota_rc iota_scan_assess(iota_scan *s, const iota_assess_options *o)
{
	/* without analyzers every check would "pass" on findings never looked for */
	if (!s->opt.analyze)
		return iota_scan_fail(s, IOTA_FATAL,
		                      "the assessment needs the analyzers: drop --no-analyze");
	char err[512];
	iota_assess_options def;
	if (!o) {
		iota_assess_options_init(&def);
		o = &def;
	}
	char today[11];
	if (today_string(o->today, today) != 0)
		return iota_scan_fail(s, IOTA_FATAL, "--today: '%s' is not a date (YYYY-MM-DD)",
				      o->today);
	int fail_on = -1;
	if (o->fail_on) {
		fail_on = iota_severity_parse(o->fail_on);
		if (fail_on < IOTA_SEV_LOW)
			return iota_scan_fail(s, IOTA_FATAL,
					      "--fail-on: '%s' is not critical, high, medium or low",
					      o->fail_on);
	}
	const iota_catalog *cat = iota_catalog_load_into(s->arena, o->data_dir, err, sizeof err);
	if (!cat)
		return iota_scan_fail(s, IOTA_FATAL, "%s", err);
	iota_assessment *A = iota_arena_alloc(s->arena, sizeof *A);
	if (!A)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	assess_ctx x = {.s = s, .A = A, .cat = cat, .err = err, .errcap = sizeof err};
	A->catalog = cat;
	A->today = iota_arena_strdup(s->arena, today);
	A->vulns_matched = s->vulndb_summary != NULL;

	/* profile[:level] */
	const char *pname = o->profile ? o->profile : "consumer";
	char pid[128];
	snprintf(pid, sizeof pid, "%s", pname);
	char *colon = strchr(pid, ':');
	const char *level = NULL;
	if (colon) {
		*colon = '\0';
		level = colon + 1;
	}
	const iota_profile *prof = iota_catalog_profile(cat, pid);
	if (!prof) {
		char names[256];
		size_t no = 0;
		names[0] = '\0';
		for (size_t i = 0; i < cat->nprofiles && no < sizeof names; i++)
			no += (size_t)snprintf(names + no, sizeof names - no, "%s%s", i ? ", " : "",
					       cat->profiles[i].id);
		return iota_scan_fail(s, IOTA_FATAL, "--profile: no profile '%s' (the catalog has %s)",
				      pid, names);
	}
	if (level) {
		int ok = 0;
		for (size_t i = 0; prof->levels[i] && !ok; i++)
			ok = strcmp(prof->levels[i], level) == 0;
		if (!ok)
			return iota_scan_fail(s, IOTA_FATAL, "--profile: %s has no level '%s'%s", pid,
					      level,
					      prof->levels[0] ? " (SL1..SL4 as the profile lists)"
							      : " (it takes none)");
	} else if (prof->levels[0]) {
		level = prof->default_level ? prof->default_level : prof->levels[0];
	}
	A->profile_def = prof;
	A->level = level ? iota_arena_strdup(s->arena, level) : NULL;
	A->profile = level ? assess_printf(&x, "%s:%s", pid, level) : prof->id;
	x.level = level ? (unsigned)(level[2] - '0') : 0;

	size_t nreal = 0;
	if (vuln_findings(&x, &nreal) != 0)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	x.scratch = iota_arena_alloc(s->arena, 2 * (x.naf + 1) * sizeof *x.scratch);
	if (!x.scratch)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	/* which check covers which finding, once */
	x.cover = iota_arena_alloc(s->arena, cat->nchecks * x.naf + 1);
	if (!x.cover)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	for (size_t c = 0; c < cat->nchecks; c++)
		for (size_t j = 0; j < x.naf; j++)
			x.cover[c * x.naf + j] = (unsigned char)assess_check_covers(&cat->checks[c], &x.af[j]);
	if (assess_evidence_load(&x, o->evidence) != 0 || assess_tailoring_load(&x, o->tailoring) != 0)
		return iota_scan_fail(s, IOTA_FATAL, "%s", err);
	assess_policy *policy = NULL;
	if (o->policy && assess_policy_load(&x, o->policy, &policy) != 0)
		return iota_scan_fail(s, IOTA_FATAL, "%s", err);
	A->evidence_file = o->evidence ? iota_arena_strdup(s->arena, o->evidence) : NULL;
	A->tailoring_file = o->tailoring ? iota_arena_strdup(s->arena, o->tailoring) : NULL;
	A->policy_file = o->policy ? iota_arena_strdup(s->arena, o->policy) : NULL;
	assess_tailoring_apply(&x);

	size_t nstd = 0;
	while (prof->standards[nstd])
		nstd++;
	A->standards = iota_arena_alloc(s->arena, (nstd + 1) * sizeof *A->standards);
	if (!A->standards)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	for (size_t i = 0; i < nstd; i++) {
		iota_standard_result *sr = &A->standards[A->nstandards++];
		sr->standard = prof->standards[i];
		size_t n = 0;
		int has_sl = 0;
		for (size_t k = 0; k < cat->nprovisions; k++)
			if (cat->provisions[k].standard == sr->standard) {
				n++;
				has_sl |= cat->provisions[k].sl_min > 0;
			}
		sr->level = has_sl ? A->level : NULL;
		sr->results = iota_arena_alloc(s->arena, (n + 1) * sizeof *sr->results);
		if (!sr->results)
			return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
		for (size_t k = 0; k < cat->nprovisions; k++) {
			if (cat->provisions[k].standard != sr->standard)
				continue;
			iota_provision_result *r = &sr->results[sr->nresults++];
			if (judge(&x, &cat->provisions[k], r) != 0)
				return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
			sr->counts[r->verdict]++;
			A->counts[r->verdict]++;
		}
	}
	if (score_risk(&x) != 0)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	if (fail_on >= 0 || policy) {
		A->gate_asked = 1;
		if (assess_gate(&x, fail_on, policy) != 0)
			return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	}
	(void)nreal;
	s->assessment = A;
	return IOTA_OK;
}
