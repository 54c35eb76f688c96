/*
 * The gate: --fail-on SEVERITY and the policy file (procurement or CI
 * acceptance criteria). Every unmet criterion is one reason; any reason
 * makes the program exit 1. The policy (docs/assessment.md):
 *
 *	name: acme-procurement-2026          # optional, shown in reasons
 *	require: [no-universal-default-password, no-kev, update-mechanism, cvd-contact]
 *	max_severity: high                   # no unaccepted finding above it
 *	max_risk: 7.0                        # the image's risk score at most this
 *	fail_provisions: [etsi-en-303-645:5.1-1]   # the gate fails when these fail
 *	pass_provisions: [uk-psti:1]         # these must pass (or be accepted)
 *	fail_standards: [etsi-en-303-645]    # no mandatory provision of these may fail
 *	forbid_findings: [svc.telnet*]       # no unaccepted finding of these ids
 *
 * require: the built-in criteria below, or a catalog check id (no
 * unaccepted finding of that check). A criterion the scan cannot judge
 * (no-kev without --vulndb) fails: a gate never assumes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_int.h"
#include "assess/assess_yaml.h"

struct assess_policy {
	const char *name;
	const char **require;
	int max_severity; /* -1 = none */
	double max_risk;  /* < 0 = none */
	const iota_provision **fail_provisions, **pass_provisions;
	const iota_standard **fail_standards;
	const char **forbid;
};

static const char *const pw_findings[] = {"cred.default-password", "cred.empty-password",
					  "cred.shared-hash", "secret.hardcoded-password", NULL};
static const char *const update_bad[] = {"update.unsigned", "update.tls-noverify", NULL};

static const struct {
	const char *name, *what;
} builtins[] = {
	{"no-universal-default-password",
	 "no default, empty, shared or hard-coded password (cred.default-password, "
	 "cred.empty-password, cred.shared-hash, secret.hardcoded-password)"},
	{"no-kev", "no component with a known exploited vulnerability (CISA KEV)"},
	{"no-critical-vulnerability", "no component with a critical vulnerability"},
	{"update-mechanism", "an update mechanism is present (and no update.none finding)"},
	{"secure-update", "an update mechanism that verifies what it installs"},
	{"cvd-contact", "a vulnerability disclosure contact: security_contact, vdp_contact or "
			"vdp_url in the evidence, or a contact in the image"},
	{"support-period", "a support period end that is not past (evidence or the image)"},
};

static int is_builtin(const char *n)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].name, n) == 0)
			return 1;
	return 0;
}

static const char *builtin_names(void)
{
	static char buf[256];
	size_t o = 0;
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0] && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", builtins[i].name);
	return buf;
}

static int prov_list(assess_ctx *x, ay_file *f, struct fy_node *root, const char *key,
		     const iota_provision ***out)
{
	const char **ids;
	size_t n;
	*out = NULL;
	if (!ay_has(root, key))
		return 0;
	if (ay_str_list(f, ay_get(root, key), key, &ids, &n) != 0)
		return -1;
	const iota_provision **v = iota_arena_alloc(x->s->arena, (n + 1) * sizeof *v);
	if (!v)
		return ay_fail(f, root, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = iota_catalog_provision(x->cat, ids[i])))
			return ay_fail(f, ay_get(root, key),
				       "%s: no provision '%s' in the catalog (write standard:id)", key,
				       ids[i]);
	*out = v;
	return 0;
}

int assess_policy_load(assess_ctx *x, const char *path, assess_policy **out)
{
	ay_file f = {.err = x->err, .errcap = x->errcap, .arena = x->s->arena};
	assess_policy *p = iota_arena_alloc(x->s->arena, sizeof *p);
	int rc = -1;
	if (!p || ay_open_path(&f, path) != 0)
		goto out;
	static const char *const keys[] = {"name",		"description",	   "require",
					   "max_severity",	"max_risk",	   "fail_provisions",
					   "pass_provisions", "fail_standards", "forbid_findings",
					   NULL};
	struct fy_node *root = ay_root(&f);
	const char *desc, *sev, *risk;
	p->max_severity = -1;
	p->max_risk = -1;
	if (ay_check_map(&f, root, "policy", keys, NULL) != 0 ||
	    ay_opt_str(&f, root, "name", &p->name) != 0 ||
	    ay_opt_str(&f, root, "description", &desc) != 0 ||
	    ay_opt_str(&f, root, "max_severity", &sev) != 0 ||
	    ay_opt_str(&f, root, "max_risk", &risk) != 0)
		goto out;
	if (sev && (p->max_severity = iota_severity_parse(sev)) < 0) {
		ay_fail(&f, ay_get(root, "max_severity"),
			"max_severity '%s' is not critical, high, medium, low or info", sev);
		goto out;
	}
	if (risk) {
		char *end;
		p->max_risk = strtod(risk, &end);
		if (*end || end == risk || !(p->max_risk >= 0 && p->max_risk <= 10)) {
			ay_fail(&f, ay_get(root, "max_risk"), "max_risk must be a number from 0 to 10");
			goto out;
		}
	}
	if (ay_has(root, "require")) {
		if (ay_str_list(&f, ay_get(root, "require"), "require", &p->require, NULL) != 0)
			goto out;
		for (size_t i = 0; p->require[i]; i++)
			if (!is_builtin(p->require[i]) && !iota_catalog_check(x->cat, p->require[i])) {
				ay_fail(&f, ay_get(root, "require"),
					"require: '%s' is neither a built-in criterion (%s) nor a "
					"catalog check",
					p->require[i], builtin_names());
				goto out;
			}
	}
	if (ay_has(root, "forbid_findings") &&
	    ay_str_list(&f, ay_get(root, "forbid_findings"), "forbid_findings", &p->forbid, NULL) != 0)
		goto out;
	if (prov_list(x, &f, root, "fail_provisions", &p->fail_provisions) != 0 ||
	    prov_list(x, &f, root, "pass_provisions", &p->pass_provisions) != 0)
		goto out;
	if (ay_has(root, "fail_standards")) {
		const char **ids;
		size_t n;
		if (ay_str_list(&f, ay_get(root, "fail_standards"), "fail_standards", &ids, &n) != 0)
			goto out;
		p->fail_standards = iota_arena_alloc(x->s->arena, (n + 1) * sizeof *p->fail_standards);
		if (!p->fail_standards)
			goto out;
		for (size_t i = 0; i < n; i++)
			if (!(p->fail_standards[i] = iota_catalog_standard(x->cat, ids[i]))) {
				ay_fail(&f, ay_get(root, "fail_standards"), "no standard '%s'", ids[i]);
				goto out;
			}
	}
	*out = p;
	rc = 0;
out:
	if (rc != 0 && !x->err[0])
		snprintf(x->err, x->errcap, "%s: out of memory", path);
	ay_close(&f);
	return rc;
}

/* ---- judging ---- */

struct reasons {
	assess_ctx *x;
	const char **v;
	size_t n, cap;
};

static int add(struct reasons *r, const char *text)
{
	if (!text)
		return -1;
	if (r->n + 1 >= r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		const char **v = iota_arena_alloc(r->x->s->arena, nc * sizeof *v);
		if (!v)
			return -1;
		if (r->n)
			memcpy(v, r->v, r->n * sizeof *v);
		r->v = v;
		r->cap = nc;
	}
	r->v[r->n++] = text;
	r->v[r->n] = NULL;
	return 0;
}

static const char *where(assess_ctx *x, const iota_finding *f)
{
	char buf[1024];
	if (!f->node || iota_node_origin(f->node, buf, sizeof buf) < 0)
		return "";
	return assess_printf(x, " at %s", buf);
}

/* Findings (unaccepted) matching one of pats, or with severity >= min_sev
 * (pats NULL); vulnerability pseudo-findings count only when confirmed.
 * One reason per finding id: the first place and how many more. */
static int findings_reason(struct reasons *r, const char *label, const char *const *pats,
			   int min_sev)
{
	assess_ctx *x = r->x;
	struct group {
		const assess_finding *first;
		size_t count;
	} *g = NULL;
	size_t ng = 0, capg = 0;
	int rc = 0;
	for (size_t i = 0; i < x->naf; i++) {
		const assess_finding *a = &x->af[i];
		if (a->accepted_by)
			continue;
		int hit = 0;
		if (pats) {
			for (size_t k = 0; pats[k] && !hit; k++)
				hit = assess_finding_matches(a, pats[k]);
		} else {
			hit = (int)a->f->severity >= min_sev && a->f->severity > IOTA_SEV_INFO &&
			      (!a->cve || a->confirmed);
		}
		if (!hit)
			continue;
		size_t k = 0;
		while (k < ng && strcmp(g[k].first->f->check, a->f->check) != 0)
			k++;
		if (k < ng) {
			g[k].count++;
			continue;
		}
		if (ng == capg) {
			size_t nc = capg ? capg * 2 : 16;
			struct group *v = iota_arena_alloc(x->s->arena, nc * sizeof *v);
			if (!v)
				return -1;
			if (ng)
				memcpy(v, g, ng * sizeof *v);
			g = v;
			capg = nc;
		}
		g[ng].first = a;
		g[ng++].count = 1;
	}
	for (size_t k = 0; k < ng && rc == 0; k++) {
		const iota_finding *f = g[k].first->f;
		rc = add(r, assess_printf(x, "%s: %s (%s) %s%s%s", label, f->check,
					  iota_severity_name(f->severity), f->message, where(x, f),
					  g[k].count > 1 ? assess_printf(x, " (and %zu more)", g[k].count - 1)
							 : ""));
	}
	return rc;
}

static int any_attr(const iota_node *n, const char *key)
{
	for (const iota_node *k = n->first_child; k; k = k->next_sibling)
		if (iota_node_attr_get(k, key) || any_attr(k, key))
			return 1;
	return 0;
}

static int evidence_ok(assess_ctx *x, const char *key, const char **why)
{
	const iota_evidence_value *v = assess_evidence_get(x, key);
	if (!v) {
		*why = "neither the evidence file nor the image gives it";
		return 0;
	}
	return assess_evidence_judge(x, v, why);
}

static int builtin(struct reasons *r, const char *name)
{
	assess_ctx *x = r->x;
	const char *label = assess_printf(x, "policy requires %s", name);
	if (strcmp(name, "no-universal-default-password") == 0)
		return findings_reason(r, label, pw_findings, 0);
	if (strcmp(name, "no-kev") == 0 || strcmp(name, "no-critical-vulnerability") == 0) {
		if (!x->A->vulns_matched)
			return add(r, assess_printf(x, "%s: cannot be judged: vulnerability matching "
						       "was not run (scan with --vulndb)",
						    label));
		static const char *const kev[] = {"vuln.kev", NULL};
		static const char *const crit[] = {"vuln.critical", NULL};
		return findings_reason(r, label, strcmp(name, "no-kev") == 0 ? kev : crit, 0);
	}
	if (strcmp(name, "update-mechanism") == 0 || strcmp(name, "secure-update") == 0) {
		static const char *const none[] = {"update.none", NULL};
		size_t before = r->n;
		if (findings_reason(r, label, none, 0) != 0)
			return -1;
		if (r->n == before && !(x->s->root && any_attr(x->s->root, "update.kind")))
			if (add(r, assess_printf(x, "%s: no update mechanism was found in the image",
						 label)) != 0)
				return -1;
		if (strcmp(name, "secure-update") == 0)
			return findings_reason(r, label, update_bad, 0);
		return 0;
	}
	if (strcmp(name, "cvd-contact") == 0) {
		const char *w1 = NULL, *w2 = NULL, *w3 = NULL;
		if (evidence_ok(x, "security_contact", &w1) || evidence_ok(x, "vdp_contact", &w2) ||
		    evidence_ok(x, "vdp_url", &w3))
			return 0;
		if (x->s->root && any_attr(x->s->root, "life.security_contact"))
			return 0; /* the image names one even if the catalog has no key for it */
		return add(r, assess_printf(x, "%s: no vulnerability disclosure contact (%s)", label,
					    w1 ? w1 : "no evidence"));
	}
	if (strcmp(name, "support-period") == 0) {
		const char *why = NULL;
		if (evidence_ok(x, "support_period_end", &why))
			return 0;
		return add(r, assess_printf(x, "%s: support_period_end %s", label, why));
	}
	/* a catalog check: no unaccepted finding of it, of any severity */
	const iota_check *c = iota_catalog_check(x->cat, name);
	return findings_reason(r, label, c->findings, 0);
}

static const iota_provision_result *result_of(const assess_ctx *x, const iota_provision *p)
{
	for (size_t i = 0; i < x->A->nstandards; i++)
		for (size_t k = 0; k < x->A->standards[i].nresults; k++)
			if (x->A->standards[i].results[k].provision == p)
				return &x->A->standards[i].results[k];
	return NULL;
}

int assess_gate(assess_ctx *x, int fail_on, const assess_policy *p)
{
	struct reasons r = {.x = x};
	if (fail_on >= 0 &&
	    findings_reason(&r, assess_printf(x, "--fail-on %s", iota_severity_name(fail_on)), NULL,
			    fail_on) != 0)
		return -1;
	if (p) {
		const char *pl = p->name ? assess_printf(x, "policy %s", p->name) : "policy";
		for (size_t i = 0; p->require && p->require[i]; i++)
			if (builtin(&r, p->require[i]) != 0)
				return -1;
		if (p->max_severity >= 0 &&
		    findings_reason(&r, assess_printf(x, "%s: max_severity %s exceeded", pl,
						      iota_severity_name(p->max_severity)),
				    NULL, p->max_severity + 1) != 0)
			return -1;
		if (p->forbid && findings_reason(&r, assess_printf(x, "%s forbids", pl),
						 (const char *const *)p->forbid, 0) != 0)
			return -1;
		if (p->max_risk >= 0 && x->A->risk > p->max_risk &&
		    add(&r, assess_printf(x, "%s: the risk score %.1f is above max_risk %.1f", pl,
					  x->A->risk, p->max_risk)) != 0)
			return -1;
		for (size_t i = 0; p->fail_provisions && p->fail_provisions[i]; i++) {
			const iota_provision_result *pr = result_of(x, p->fail_provisions[i]);
			if (!pr) {
				if (add(&r, assess_printf(x, "%s: %s is not in the profile %s", pl,
							  p->fail_provisions[i]->ref,
							  x->A->profile)) != 0)
					return -1;
			} else if (pr->verdict == IOTA_VERDICT_FAIL &&
				   add(&r, assess_printf(x, "%s: %s fails: %s", pl,
							 p->fail_provisions[i]->ref, pr->reason)) != 0)
				return -1;
		}
		for (size_t i = 0; p->pass_provisions && p->pass_provisions[i]; i++) {
			const iota_provision_result *pr = result_of(x, p->pass_provisions[i]);
			if (!pr) {
				if (add(&r, assess_printf(x, "%s: %s is not in the profile %s", pl,
							  p->pass_provisions[i]->ref,
							  x->A->profile)) != 0)
					return -1;
			} else if (pr->verdict != IOTA_VERDICT_PASS &&
				   pr->verdict != IOTA_VERDICT_ACCEPTED &&
				   add(&r, assess_printf(x, "%s: %s must pass, it is %s: %s", pl,
							 p->pass_provisions[i]->ref,
							 iota_verdict_name(pr->verdict),
							 pr->reason)) != 0)
				return -1;
		}
		for (size_t i = 0; p->fail_standards && p->fail_standards[i]; i++)
			for (size_t k = 0; k < x->A->nstandards; k++) {
				const iota_standard_result *sr = &x->A->standards[k];
				if (sr->standard != p->fail_standards[i])
					continue;
				for (size_t j = 0; j < sr->nresults; j++)
					if (sr->results[j].verdict == IOTA_VERDICT_FAIL &&
					    strcmp(sr->results[j].provision->obligation,
						   "mandatory") == 0 &&
					    add(&r, assess_printf(x, "%s: mandatory %s fails: %s", pl,
								  sr->results[j].provision->ref,
								  sr->results[j].reason)) != 0)
						return -1;
			}
	}
	if (!r.v && add(&r, "") == 0)
		r.n = 0; /* an empty, NULL-terminated list */
	if (!r.v)
		return -1;
	x->A->gate_reasons = r.v;
	x->A->ngate_reasons = r.n;
	x->A->gate_summary =
		assess_printf(x, "%s%s%s", fail_on >= 0 ? "--fail-on " : "",
			      fail_on >= 0 ? iota_severity_name(fail_on) : "",
			      p ? assess_printf(x, "%spolicy %s", fail_on >= 0 ? "; " : "",
						x->A->policy_file ? x->A->policy_file : "")
				: "");
	return 0;
}
