/*
 * Tailoring: what the operator accepts, each with a justification, a
 * compensating control, an owner and an expiry date (all required):
 *
 *	accept:
 *	  - finding: svc.telnet            # a finding id, a prefix (svc.*) or a CVE id
 *	    justification: ...
 *	    compensating_control: ...
 *	    owner: ...
 *	    expires: 2027-06-30
 *	  - check: cred-no-default-password  # every finding the catalog check covers
 *	    ...
 *	  - provision: iec-62443-4-2:CR 1.7  # the verdict itself
 *	    ...
 *
 * Accepted items stay visible (verdict "accepted", findings marked); an
 * acceptance whose expiry date is before today no longer applies: the
 * finding or verdict counts again, with a note saying it expired.
 */
#include <stdio.h>
#include <string.h>

#include "assess/assess_int.h"
#include "assess/assess_yaml.h"

int assess_tailoring_load(assess_ctx *x, const char *path)
{
	if (!path)
		return 0;
	ay_file f = {.err = x->err, .errcap = x->errcap, .arena = x->s->arena};
	int rc = -1;
	if (ay_open_path(&f, path) != 0)
		goto out;
	static const char *const top[] = {"accept", NULL};
	static const char *const fields[] = {"check",   "finding", "provision", "justification",
					     "compensating_control", "owner", "expires", NULL};
	static const char *const req[] = {"justification", "compensating_control", "owner",
					  "expires", NULL};
	struct fy_node *root = ay_root(&f);
	if (ay_check_map(&f, root, "tailoring", top, top) != 0)
		goto out;
	struct fy_node *list = ay_get(root, "accept");
	if (!list || !fy_node_is_sequence(list)) {
		ay_fail(&f, list ? list : root, "'accept' must be a list");
		goto out;
	}
	size_t n = (size_t)fy_node_sequence_item_count(list);
	x->A->tailoring = iota_arena_alloc(x->s->arena, (n + 1) * sizeof *x->A->tailoring);
	if (!x->A->tailoring)
		goto out;
	void *it = NULL;
	struct fy_node *e;
	while ((e = fy_node_sequence_iterate(list, &it))) {
		iota_tailoring *t = &x->A->tailoring[x->A->ntailoring];
		if (ay_check_map(&f, e, "accepted item", fields, req) != 0)
			goto out;
		int kinds = 0;
		static const char *const kn[] = {"check", "finding", "provision"};
		for (int k = 0; k < 3; k++)
			if (ay_has(e, kn[k])) {
				t->kind = kn[k];
				kinds++;
			}
		if (kinds != 1) {
			ay_fail(&f, e, "an accepted item names exactly one check, finding or provision");
			goto out;
		}
		if (ay_req_str(&f, e, t->kind, &t->id) != 0 ||
		    ay_req_str(&f, e, "justification", &t->justification) != 0 ||
		    ay_req_str(&f, e, "compensating_control", &t->control) != 0 ||
		    ay_req_str(&f, e, "owner", &t->owner) != 0 ||
		    ay_req_str(&f, e, "expires", &t->expires) != 0)
			goto out;
		t->line = (unsigned)ay_line(e);
		if (ay_date_valid(t->expires) != 0) {
			ay_fail(&f, ay_get(e, "expires"), "expires: '%s' is not a date (YYYY-MM-DD)",
				t->expires);
			goto out;
		}
		if (strcmp(t->kind, "check") == 0 && !iota_catalog_check(x->cat, t->id)) {
			ay_fail(&f, ay_get(e, "check"), "no check '%s' in the catalog", t->id);
			goto out;
		}
		if (strcmp(t->kind, "provision") == 0) {
			const iota_provision *p = iota_catalog_provision(x->cat, t->id);
			if (!p) {
				ay_fail(&f, ay_get(e, "provision"),
					"no provision '%s' in the catalog (write standard:id)", t->id);
				goto out;
			}
			t->id = p->ref;
		}
		t->expired = strcmp(t->expires, x->A->today) < 0;
		x->A->ntailoring++;
	}
	rc = 0;
out:
	if (rc != 0 && !x->err[0])
		snprintf(x->err, x->errcap, "%s: out of memory", path);
	ay_close(&f);
	return rc;
}

static int applies(const assess_ctx *x, const iota_tailoring *t, const assess_finding *a)
{
	if (strcmp(t->kind, "finding") == 0)
		return assess_finding_matches(a, t->id) || (a->cve && strcmp(a->cve, t->id) == 0);
	if (strcmp(t->kind, "check") == 0)
		return assess_check_covers(iota_catalog_check(x->cat, t->id), a);
	return 0;
}

void assess_tailoring_apply(assess_ctx *x)
{
	for (size_t i = 0; i < x->naf; i++) {
		assess_finding *a = &x->af[i];
		for (size_t k = 0; k < x->A->ntailoring; k++) {
			iota_tailoring *t = &x->A->tailoring[k];
			if (!applies(x, t, a))
				continue;
			if (!t->expired && !a->accepted_by) {
				a->accepted_by = t;
				t->used++;
			} else if (t->expired && !a->expired_by) {
				a->expired_by = t;
				t->used++;
			}
		}
	}
}

iota_tailoring *assess_tailoring_provision(assess_ctx *x, const iota_provision *p, int expired)
{
	for (size_t k = 0; k < x->A->ntailoring; k++) {
		iota_tailoring *t = &x->A->tailoring[k];
		if (strcmp(t->kind, "provision") == 0 && strcmp(t->id, p->ref) == 0 &&
		    t->expired == expired)
			return t;
	}
	return NULL;
}
