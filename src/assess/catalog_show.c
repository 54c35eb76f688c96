/* iotaudit catalog list / explain: the catalog as text for people. */
#include <stdio.h>
#include <string.h>

#include "assess/assess.h"

iota_rc iota_catalog_list(const iota_catalog *c, const char *what, FILE *out)
{
	int all = !what;
	if (all || strcmp(what, "standards") == 0) {
		fprintf(out, "Standards (%zu)\n", c->nstandards);
		for (size_t i = 0; i < c->nstandards; i++) {
			size_t n = 0;
			for (size_t k = 0; k < c->nprovisions; k++)
				n += c->provisions[k].standard == &c->standards[i];
			fprintf(out, "  %-20s %-11s %4zu provisions  %s\n", c->standards[i].id,
				c->standards[i].scope, n, c->standards[i].title);
		}
	}
	if (all || strcmp(what, "profiles") == 0) {
		fprintf(out, "%sProfiles (%zu)\n", all ? "\n" : "", c->nprofiles);
		for (size_t i = 0; i < c->nprofiles; i++) {
			const iota_profile *p = &c->profiles[i];
			fprintf(out, "  %-20s %s\n", p->id, p->title);
			fprintf(out, "  %-20s standards:", "");
			for (size_t k = 0; p->standards[k]; k++)
				fprintf(out, " %s", p->standards[k]->id);
			if (p->levels[0]) {
				fprintf(out, "; levels:");
				for (size_t k = 0; p->levels[k]; k++)
					fprintf(out, " %s", p->levels[k]);
				if (p->default_level)
					fprintf(out, " (default %s)", p->default_level);
			}
			fputc('\n', out);
		}
	}
	if (all) {
		fprintf(out, "\n%zu checks, %zu evidence keys ('iotaudit catalog list checks', "
			     "'... evidence-keys', '... STANDARD')\n",
			c->nchecks, c->nevidence_keys);
		return ferror(out) ? IOTA_FATAL : IOTA_OK;
	}
	if (strcmp(what, "checks") == 0) {
		fprintf(out, "Checks (%zu)\n", c->nchecks);
		for (size_t i = 0; i < c->nchecks; i++) {
			size_t n = 0;
			while (c->checks[i].provisions[n])
				n++;
			fprintf(out, "  %-32s %3zu provisions  %s\n", c->checks[i].id, n,
				c->checks[i].title);
		}
	} else if (strcmp(what, "evidence-keys") == 0) {
		fprintf(out, "Evidence keys (%zu)\n", c->nevidence_keys);
		for (size_t i = 0; i < c->nevidence_keys; i++)
			fprintf(out, "  %-28s %-6s %s\n", c->evidence_keys[i].key,
				c->evidence_keys[i].type, c->evidence_keys[i].title);
	} else if (strcmp(what, "standards") != 0 && strcmp(what, "profiles") != 0) {
		const iota_standard *st = iota_catalog_standard(c, what);
		if (!st)
			return IOTA_WARN;
		fprintf(out, "%s — %s\n", st->id, st->title);
		fprintf(out, "  %-12s %-12s %-13s %-3s %s\n", "PROVISION", "OBLIGATION", "VERIFY", "SL",
			"TITLE");
		for (size_t k = 0; k < c->nprovisions; k++) {
			const iota_provision *p = &c->provisions[k];
			if (p->standard != st)
				continue;
			char sl[12] = "-";
			if (p->sl_min)
				snprintf(sl, sizeof sl, "%u", p->sl_min);
			fprintf(out, "  %-12s %-12s %-13s %-3s %s\n", p->id, p->obligation, p->verify, sl,
				p->title);
		}
	}
	return ferror(out) ? IOTA_FATAL : IOTA_OK;
}

static void wrap(FILE *out, const char *label, const char *text)
{
	/* one paragraph, wrapped at 78 columns after a 2-space indent */
	fprintf(out, "%s\n", label);
	size_t col = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\n')
			p++;
		size_t w = strcspn(p, " \n");
		if (!w)
			break;
		if (col && col + 1 + w > 76) {
			fputc('\n', out);
			col = 0;
		}
		fprintf(out, "%s%.*s", col ? " " : "  ", (int)w, p);
		col += w + (col ? 1 : 2);
		p += w;
	}
	fputs("\n\n", out);
}

iota_rc iota_catalog_explain(const iota_catalog *c, const char *id, FILE *out)
{
	const iota_check *ck = iota_catalog_check(c, id);
	if (ck) {
		fprintf(out, "check %s — %s\n\n", ck->id, ck->title);
		wrap(out, "What it means", ck->description);
		wrap(out, "Why it matters", ck->why);
		wrap(out, "How to fix", ck->fix);
		fprintf(out, "Findings it looks at\n ");
		for (size_t i = 0; ck->findings[i]; i++)
			fprintf(out, " %s", ck->findings[i]);
		fprintf(out, "\n\nProvisions it serves\n");
		for (size_t i = 0; ck->provisions[i]; i++)
			fprintf(out, "  %-36s %s (%s)\n", ck->provisions[i]->ref,
				ck->provisions[i]->title, ck->provisions[i]->obligation);
		return ferror(out) ? IOTA_FATAL : IOTA_OK;
	}
	const iota_provision *p = iota_catalog_provision(c, id);
	if (p) {
		fprintf(out, "provision %s — %s\n", p->ref, p->title);
		fprintf(out, "  %s; %s, %s", p->standard->title, p->obligation,
			strcmp(p->verify, "image") == 0     ? "verifiable from the image"
			: strcmp(p->verify, "partial") == 0 ? "partly verifiable from the image"
							    : "answered by vendor documentation only");
		if (p->sl_min)
			fprintf(out, ", from SL%u", p->sl_min);
		fprintf(out, "\n\n");
		wrap(out, "What it asks", p->summary);
		fprintf(out, "Checks that serve it\n");
		int any = 0;
		for (size_t i = 0; i < c->nchecks; i++)
			for (size_t k = 0; c->checks[i].provisions[k]; k++)
				if (c->checks[i].provisions[k] == p) {
					fprintf(out, "  %-32s %s\n", c->checks[i].id, c->checks[i].title);
					any = 1;
				}
		if (!any)
			fprintf(out, "  none: no automated check decides it\n");
		if (p->evidence_keys[0]) {
			fprintf(out, "\nVendor evidence that answers it\n");
			for (size_t i = 0; p->evidence_keys[i]; i++) {
				const iota_evidence_key *k = iota_catalog_evidence_key(c, p->evidence_keys[i]);
				fprintf(out, "  %-28s %s\n", p->evidence_keys[i], k ? k->title : "");
			}
		}
		/* the same check serving other standards: who else asks for this */
		fprintf(out, "\nThe same checks serve\n");
		any = 0;
		for (size_t j = 0; j < c->nprovisions; j++) {
			const iota_provision *q = &c->provisions[j];
			if (q == p)
				continue;
			int shared = 0;
			for (size_t i = 0; i < c->nchecks && !shared; i++) {
				int hp = 0, hq = 0;
				for (size_t k = 0; c->checks[i].provisions[k]; k++) {
					hp |= c->checks[i].provisions[k] == p;
					hq |= c->checks[i].provisions[k] == q;
				}
				shared = hp && hq;
			}
			if (shared) {
				fprintf(out, "  %-36s %s\n", q->ref, q->title);
				any = 1;
			}
		}
		if (!any)
			fprintf(out, "  no provision of another standard\n");
		return ferror(out) ? IOTA_FATAL : IOTA_OK;
	}
	const iota_standard *st = iota_catalog_standard(c, id);
	if (st) {
		fprintf(out, "standard %s — %s%s%s\n  scope: %s\n\n", st->id, st->title,
			st->version ? " " : "", st->version ? st->version : "", st->scope);
		wrap(out, "Summary", st->summary);
		return iota_catalog_list(c, st->id, out);
	}
	const iota_profile *pr = iota_catalog_profile(c, id);
	if (pr) {
		fprintf(out, "profile %s — %s\n  standards:", pr->id, pr->title);
		for (size_t k = 0; pr->standards[k]; k++)
			fprintf(out, " %s", pr->standards[k]->id);
		fprintf(out, "\n  weights: critical %.1f, high %.1f, medium %.1f, low %.1f, info %.1f\n",
			pr->weights[4], pr->weights[3], pr->weights[2], pr->weights[1], pr->weights[0]);
		return ferror(out) ? IOTA_FATAL : IOTA_OK;
	}
	/* a bare provision id several standards use: name them */
	if (!strchr(id, ':')) {
		size_t n = 0;
		for (size_t j = 0; j < c->nprovisions; j++)
			n += strcmp(c->provisions[j].id, id) == 0;
		if (n > 1) {
			fprintf(out, "'%s' is a provision of %zu standards; name one:\n", id, n);
			for (size_t j = 0; j < c->nprovisions; j++)
				if (strcmp(c->provisions[j].id, id) == 0)
					fprintf(out, "  iotaudit explain '%s'   %s\n", c->provisions[j].ref,
						c->provisions[j].title);
			return ferror(out) ? IOTA_FATAL : IOTA_OK;
		}
	}
	/* a finding id (as reports show them): the checks that look at it */
	int shown = 0;
	for (size_t i = 0; i < c->nchecks; i++)
		for (size_t k = 0; c->checks[i].findings[k]; k++)
			if (iota_pattern_match(c->checks[i].findings[k], id)) {
				if (!shown++)
					fprintf(out, "finding %s is looked at by:\n\n", id);
				iota_catalog_explain(c, c->checks[i].id, out);
				fputc('\n', out);
				break;
			}
	if (shown)
		return ferror(out) ? IOTA_FATAL : IOTA_OK;
	const iota_evidence_key *k = iota_catalog_evidence_key(c, id);
	if (k) {
		fprintf(out, "evidence key %s (%s) — %s\n\n", k->key, k->type, k->title);
		wrap(out, "What to give", k->description);
		fprintf(out, "Provisions it answers\n");
		for (size_t j = 0; j < c->nprovisions; j++)
			for (size_t i = 0; c->provisions[j].evidence_keys[i]; i++)
				if (strcmp(c->provisions[j].evidence_keys[i], k->key) == 0)
					fprintf(out, "  %-36s %s\n", c->provisions[j].ref,
						c->provisions[j].title);
		return ferror(out) ? IOTA_FATAL : IOTA_OK;
	}
	return IOTA_WARN;
}

iota_rc iota_catalog_evidence_template(const iota_catalog *c, const char *profile, FILE *out)
{
	const iota_profile *pr = NULL;
	if (profile) {
		char id[128];
		snprintf(id, sizeof id, "%s", profile);
		char *colon = strchr(id, ':');
		if (colon)
			*colon = '\0';
		if (!(pr = iota_catalog_profile(c, id)))
			return IOTA_WARN;
	}
	fprintf(out, "# Vendor evidence%s%s for iotaudit (scan --evidence FILE).\n",
		pr ? " for the profile " : "", pr ? pr->id : "");
	fprintf(out, "# Uncomment and fill in what is true. A key left out keeps its provisions at\n"
		     "# needs-evidence; an empty value (\"\") or false states there is none and fails "
		     "them.\n");
	for (size_t k = 0; k < c->nevidence_keys; k++) {
		const iota_evidence_key *e = &c->evidence_keys[k];
		/* the provisions of the profile it answers */
		char refs[600];
		size_t o = 0, n = 0;
		refs[0] = '\0';
		for (size_t j = 0; j < c->nprovisions; j++) {
			const iota_provision *p = &c->provisions[j];
			int in = !pr;
			for (size_t i = 0; pr && pr->standards[i] && !in; i++)
				in = pr->standards[i] == p->standard;
			int asks = 0;
			for (size_t i = 0; in && p->evidence_keys[i] && !asks; i++)
				asks = strcmp(p->evidence_keys[i], e->key) == 0;
			if (!asks)
				continue;
			if (n++ < 6 && o < sizeof refs)
				o += (size_t)snprintf(refs + o, sizeof refs - o, "%s%s", n > 1 ? ", " : "",
						      p->ref);
		}
		if (!n)
			continue;
		if (n > 6 && o < sizeof refs)
			snprintf(refs + o, sizeof refs - o, " and %zu more", n - 6);
		static const char *const example[][2] = {{"url", "https://"},
							 {"email", "security@"},
							 {"date", "YYYY-MM-DD"},
							 {"bool", "true"},
							 {"text", "\"...\""}};
		const char *ex = "";
		for (size_t i = 0; i < sizeof example / sizeof example[0]; i++)
			if (strcmp(e->type, example[i][0]) == 0)
				ex = example[i][1];
		fprintf(out, "\n# %s (%s%s): %s\n#   answers %s\n# %s: %s\n", e->title, e->type,
			e->future ? ", not in the past" : "", e->description, refs, e->key, ex);
	}
	return ferror(out) ? IOTA_FATAL : IOTA_OK;
}
