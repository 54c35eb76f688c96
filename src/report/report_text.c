/* Text report: the container table, totals and the findings, for a terminal. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/component.h"
#include "assess/assess.h"
#include "core/unpacker.h"
#include "iotaudit/vulndb.h"
#include "report/netexposure.h"
#include "report/report.h"
#include "util/alloc.h"

#define MAX_TEXT_FINDINGS 100

struct colors {
	const char *bold, *dim, *red, *yellow, *reset;
};

/* Containers found inside files of a multi-file container (a .gz manual
 * page in a SquashFS) that hold nothing further are many and dull: they are
 * counted per format under the container they sit in, not listed. */
struct minor {
	const char *fmt[8];
	uint64_t count[8], bytes[8];
	unsigned n;
};

static int has_container_below(const iota_node *n)
{
	for (const iota_node *k = n->first_child; k; k = k->next_sibling)
		if (k->kind == IOTA_NODE_CONTAINER || has_container_below(k))
			return 1;
	return 0;
}

static int is_minor(const iota_node *k)
{
	const iota_node *file = k->parent;
	return file && file->parent && file->container &&
	       atomic_load(&((iota_node *)file->container)->members) > 1 && !has_container_below(k);
}

static void containers(iota_scan *s, const iota_node *n, FILE *out, const struct colors *c,
		       struct minor *acc)
{
	char buf[IOTA_MAX_PATH * 2], size[32];
	for (const iota_node *k = n->first_child; k; k = k->next_sibling) {
		if (k->kind != IOTA_NODE_CONTAINER) {
			containers(s, k, out, c, acc);
			continue;
		}
		if (acc && is_minor(k)) {
			unsigned i = 0;
			while (i < acc->n && strcmp(acc->fmt[i], k->fmt->name) != 0)
				i++;
			if (i == acc->n && acc->n < 8)
				acc->fmt[acc->n++] = k->fmt->name;
			if (i < acc->n) {
				acc->count[i]++;
				acc->bytes[i] += k->size;
			}
			continue;
		}
		iota_node_origin(k, buf, sizeof buf);
		if (k->size)
			iota_report_human_bytes(k->size, size, sizeof size);
		else
			snprintf(size, sizeof size, "-");
		int indent = (int)(2 * (k->depth ? k->depth - 1 : 0));
		fprintf(out, "  %*s%-*s %-18s 0x%-10" PRIx64 " %10s %7" PRIu64 "  %s%s%s\n", indent, "",
			10 - indent > 1 ? 10 - indent : 1, k->fmt->name, k->variant[0] ? k->variant : "-",
			k->offset, size, (uint64_t)atomic_load(&((iota_node *)k)->members), c->dim, buf,
			c->reset);
		struct minor mine = {0};
		containers(s, k, out, c, &mine);
		for (unsigned i = 0; i < mine.n; i++) {
			iota_report_human_bytes(mine.bytes[i], size, sizeof size);
			fprintf(out, "  %*s%s+ %" PRIu64 " more %s container%s inside (%s; listed in --format json)%s\n",
				indent + 2, "", c->dim, mine.count[i], mine.fmt[i],
				mine.count[i] == 1 ? "" : "s", size, c->reset);
		}
	}
}

/* On a terminal the worst comes first: a stable pass per severity keeps the
 * deterministic origin order within each one. */
static void by_severity(const iota_finding **f, char **origins, size_t n)
{
	const iota_finding **tf = iota_malloc(n * sizeof *tf);
	char **to = iota_malloc(n * sizeof *to);
	if (tf && to) {
		size_t k = 0;
		for (int sev = IOTA_SEV_CRITICAL; sev >= IOTA_SEV_INFO; sev--)
			for (size_t i = 0; i < n; i++)
				if ((int)f[i]->severity == sev) {
					tf[k] = f[i];
					to[k++] = origins[i];
				}
		if (k == n) {
			memcpy(f, tf, n * sizeof *tf);
			memcpy(origins, to, n * sizeof *to);
		}
	}
	iota_free(tf);
	iota_free(to);
}

/* ---- vulnerabilities ---- */

#define MAX_TEXT_VULNS 200

static double best_score(const iota_vuln_match *m)
{
	return m->cvss3 > m->cvss4 ? m->cvss3 : m->cvss4;
}

static int cmp_rows(const void *a, const void *b)
{
	const iota_vuln_row *x = a, *y = b;
	if (x->m->status != y->m->status)
		return (int)x->m->status - (int)y->m->status;
	if (x->m->kev != y->m->kev)
		return y->m->kev - x->m->kev;
	if (x->exposure != y->exposure)
		return y->exposure - x->exposure;
	double sx = best_score(x->m), sy = best_score(y->m);
	if (sx != sy)
		return sx > sy ? -1 : 1;
	int r = strcmp(x->m->cve, y->m->cve);
	if (!r)
		r = strcmp(x->component, y->component);
	if (!r)
		r = strcmp(x->version, y->version);
	if (!r)
		r = strcmp(x->where ? x->where : "", y->where ? y->where : "");
	return r;
}

void iota_report_sort_vuln_rows(iota_vuln_row *rows, size_t n)
{
	if (n)
		qsort(rows, n, sizeof *rows, cmp_rows);
}

void iota_report_vulns_text(FILE *out, const iota_vuln_row *rows, size_t n, const char *db_summary,
			    int color)
{
	const char *bold = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
		   *red = color ? "\033[31m" : "", *reset = color ? "\033[0m" : "";
	size_t count[4] = {0};
	for (size_t i = 0; i < n; i++)
		if ((unsigned)rows[i].m->status < 4)
			count[rows[i].m->status]++;
	fprintf(out, "\n%sVulnerabilities (%zu)%s\n", bold, n, reset);
	if (db_summary)
		fprintf(out, "  %sdatabase: %s%s\n", dim, db_summary, reset);
	if (!n) {
		fprintf(out, "  none known for the components found\n");
		return;
	}
	fprintf(out, "  %zu affected, %zu conditional, %zu unknown (not ruled out), %zu not affected\n",
		count[IOTA_VULN_AFFECTED], count[IOTA_VULN_CONDITIONAL], count[IOTA_VULN_UNKNOWN],
		count[IOTA_VULN_NOT_AFFECTED]);
	/* columns as wide as their longest entry (within reason) */
	int wc = 9, wv = 7;
	for (size_t i = 0; i < n && i < MAX_TEXT_VULNS; i++) {
		int lc = (int)strlen(rows[i].component), lv = (int)strlen(rows[i].version);
		wc = lc > wc ? (lc < 32 ? lc : 32) : wc;
		wv = lv > wv ? (lv < 32 ? lv : 32) : wv;
	}
	fprintf(out, "  %-*s %-*s %-16s %-12s %-10s %-5s %-10s %s\n", wc, "COMPONENT", wv, "VERSION",
		"CVE", "STATUS", "CONFIDENCE", "CVSS", "KEV", "EXPOSURE");
	for (size_t i = 0; i < n && i < MAX_TEXT_VULNS; i++) {
		const iota_vuln_row *r = &rows[i];
		const iota_vuln_match *m = r->m;
		char cvss[16] = "-";
		double sc = best_score(m);
		if (sc >= 0)
			snprintf(cvss, sizeof cvss, "%.1f", sc);
		const char *col = m->kev || (m->status == IOTA_VULN_AFFECTED && sc >= 7.0) ? red : "";
		fprintf(out, "  %-*s %-*s %s%-16s%s %-12s %-10s %-5s %-10s %s\n", wc, r->component,
			wv, r->version, col, m->cve, reset, iota_vuln_status_name(m->status),
			m->confidence ? m->confidence : "-", cvss,
			m->kev ? (m->kev_due ? m->kev_due : "yes") : "-",
			iota_exposure_name((iota_exposure)r->exposure));
		fprintf(out, "  %s    %s", dim, m->status_text ? m->status_text : "");
		if (r->via)
			fprintf(out, "; exposed by %s", r->via);
		if (r->where && r->where[0])
			fprintf(out, "\n      at %s", r->where);
		fprintf(out, "%s\n", reset);
	}
	if (n > MAX_TEXT_VULNS)
		fprintf(out, "  ... and %zu more (see --format json)\n", n - MAX_TEXT_VULNS);
}

static void vulns_section(iota_scan *s, FILE *out, int color)
{
	if (!s->vulndb_summary)
		return;
	size_t ncomp = 0, n = 0;
	iota_component **cv = iota_components_sorted(s, &ncomp);
	for (size_t i = 0; cv && i < ncomp; i++)
		n += cv[i]->vulns ? cv[i]->vulns->count : 0;
	iota_vuln_row *rows = iota_calloc(n ? n : 1, sizeof *rows);
	char (*where)[IOTA_MAX_PATH] = iota_calloc(ncomp ? ncomp : 1, IOTA_MAX_PATH);
	size_t k = 0;
	for (size_t i = 0; rows && where && cv && i < ncomp; i++) {
		const iota_component *c = cv[i];
		if (!c->vulns)
			continue;
		if (!c->node || iota_node_origin(c->node, where[i], IOTA_MAX_PATH) < 0)
			where[i][0] = '\0';
		for (size_t j = 0; j < c->vulns->count; j++)
			rows[k++] = (iota_vuln_row){.component = c->name,
						    .version = c->version,
						    .where = where[i],
						    .exposure = (int)c->exposure,
						    .via = c->exposure_via,
						    .m = &c->vulns->matches[j]};
	}
	iota_report_sort_vuln_rows(rows, k);
	iota_report_vulns_text(out, rows, k, s->vulndb_summary, color);
	iota_free(rows);
	iota_free(where);
	iota_free(cv);
}

/* ---- the assessment, first: what a reader needs before the detail ---- */

#define MAX_TEXT_VERDICTS 60 /* failed/accepted provisions listed per standard */

static const char *verdict_color(const struct colors *c, iota_verdict v)
{
	return v == IOTA_VERDICT_FAIL ? c->red : v == IOTA_VERDICT_NEEDS_EVIDENCE ? c->yellow : "";
}

/* The vendor evidence keys that would answer needs-evidence provisions, most
 * provisions first: what the vendor must still show. */
static void evidence_needed(const iota_assessment *A, FILE *out, const struct colors *c)
{
	const iota_catalog *cat = A->catalog;
	size_t *n = iota_calloc(cat->nevidence_keys + 1, sizeof *n);
	if (!n)
		return;
	for (size_t i = 0; i < A->nstandards; i++)
		for (size_t k = 0; k < A->standards[i].nresults; k++) {
			const iota_provision_result *r = &A->standards[i].results[k];
			if (r->verdict != IOTA_VERDICT_NEEDS_EVIDENCE)
				continue;
			for (size_t j = 0; r->provision->evidence_keys[j]; j++)
				for (size_t e = 0; e < cat->nevidence_keys; e++)
					if (strcmp(cat->evidence_keys[e].key,
						   r->provision->evidence_keys[j]) == 0)
						n[e]++;
		}
	/* keys the vendor file already answered do not need asking again */
	for (size_t v = 0; v < A->nevidence; v++)
		if (!A->evidence[v].from_image)
			n[A->evidence[v].key - cat->evidence_keys] = 0;
	size_t shown = 0;
	for (;;) {
		size_t best = cat->nevidence_keys;
		for (size_t e = 0; e < cat->nevidence_keys; e++)
			if (n[e] && (best == cat->nevidence_keys || n[e] > n[best]))
				best = e;
		if (best == cat->nevidence_keys || shown == 8)
			break;
		fprintf(out, "%s%s (%zu)", shown ? ", " : "  evidence that would answer the most: ",
			cat->evidence_keys[best].key, n[best]);
		n[best] = 0;
		shown++;
	}
	if (shown)
		fputc('\n', out);
	(void)c;
	iota_free(n);
}

static void assessment_text(iota_scan *s, FILE *out, const struct colors *c)
{
	const iota_assessment *A = s->assessment;
	char buf[IOTA_MAX_PATH * 2];
	fprintf(out, "\n%sAssessment%s  profile %s, judged on %s, catalog %s\n", c->bold, c->reset,
		A->profile ? A->profile : "?", A->today ? A->today : "?",
		A->catalog->source ? A->catalog->source : "?");
	if (A->evidence_file || A->tailoring_file || A->policy_file)
		fprintf(out, "  %s%s%s%s%s%s\n", A->evidence_file ? "evidence " : "",
			A->evidence_file ? A->evidence_file : "",
			A->tailoring_file ? (A->evidence_file ? "; tailoring " : "tailoring ") : "",
			A->tailoring_file ? A->tailoring_file : "",
			A->policy_file ? (A->evidence_file || A->tailoring_file ? "; policy " : "policy ")
				       : "",
			A->policy_file ? A->policy_file : "");
	if (!A->vulns_matched)
		fprintf(out, "  %svulnerability matching was not run: checks on vulnerabilities need "
			     "--vulndb%s\n",
			c->dim, c->reset);
	fprintf(out, "  %-36s %5s %5s %9s %5s %8s\n", "STANDARD", "PASS", "FAIL", "EVIDENCE?",
		"N/A", "ACCEPTED");
	for (size_t i = 0; i < A->nstandards; i++) {
		const iota_standard_result *sr = &A->standards[i];
		char name[64];
		snprintf(name, sizeof name, "%s%s%s", sr->standard->id, sr->level ? " " : "",
			 sr->level ? sr->level : "");
		fprintf(out, "  %-36s %5zu %s%5zu%s %9zu %5zu %8zu\n", name,
			sr->counts[IOTA_VERDICT_PASS], sr->counts[IOTA_VERDICT_FAIL] ? c->red : "",
			sr->counts[IOTA_VERDICT_FAIL], sr->counts[IOTA_VERDICT_FAIL] ? c->reset : "",
			sr->counts[IOTA_VERDICT_NEEDS_EVIDENCE], sr->counts[IOTA_VERDICT_NOT_APPLICABLE],
			sr->counts[IOTA_VERDICT_ACCEPTED]);
	}
	fprintf(out, "  risk %.1f / 10%s\n", A->risk,
		A->nrisks && A->risks[0].score > 0 && !A->risks[0].accepted
			? ""
			: " (no unaccepted finding carries weight)");
	for (size_t i = 0; i < A->nstandards; i++) {
		const iota_standard_result *sr = &A->standards[i];
		size_t shown = 0;
		for (size_t k = 0; k < sr->nresults; k++) {
			const iota_provision_result *r = &sr->results[k];
			if (r->verdict != IOTA_VERDICT_FAIL && r->verdict != IOTA_VERDICT_ACCEPTED)
				continue;
			if (shown++ == 0)
				fprintf(out, "\n  %s%s%s — failed and accepted provisions\n", c->bold,
					sr->standard->title, c->reset);
			if (shown > MAX_TEXT_VERDICTS)
				continue;
			fprintf(out, "  %s%-8s%s %-12s %s (%s)\n", verdict_color(c, r->verdict),
				iota_verdict_name(r->verdict), c->reset, r->provision->id,
				r->provision->title, r->provision->obligation);
			fprintf(out, "  %s%21s %s%s\n", c->dim, "", r->reason, c->reset);
			for (size_t j = 0; r->findings && r->findings[j] && j < 3; j++) {
				const iota_finding *f = r->findings[j];
				if (!f->node || iota_node_origin(f->node, buf, sizeof buf) < 0)
					buf[0] = '\0';
				fprintf(out, "  %21s - %s %s%s%s\n", "", f->check, f->message,
					buf[0] ? " at " : "", buf);
			}
			size_t nf = 0;
			while (r->findings && r->findings[nf])
				nf++;
			if (nf > 3)
				fprintf(out, "  %21s   ... and %zu more\n", "", nf - 3);
			if (r->verdict == IOTA_VERDICT_ACCEPTED || r->tailoring_expired)
				fprintf(out, "  %21s %s by %s, %s %s: %s; control: %s\n", "",
					r->tailoring_expired ? "acceptance" : "accepted", r->owner,
					r->tailoring_expired ? "EXPIRED on" : "until", r->expires,
					r->justification, r->control);
		}
		if (shown > MAX_TEXT_VERDICTS)
			fprintf(out, "  ... and %zu more (see --format json or csv)\n",
				shown - MAX_TEXT_VERDICTS);
	}
	if (A->gate_asked) {
		if (A->ngate_reasons == 0)
			fprintf(out, "\n  gate (%s): passed\n", A->gate_summary);
		else {
			fprintf(out, "\n  %sgate (%s): FAILED%s\n", c->red, A->gate_summary, c->reset);
			for (size_t i = 0; i < A->ngate_reasons; i++)
				fprintf(out, "    - %s\n", A->gate_reasons[i]);
		}
	}
	if (A->counts[IOTA_VERDICT_NEEDS_EVIDENCE]) {
		evidence_needed(A, out, c);
		fprintf(out, "  %s(%zu provisions need evidence: 'iotaudit catalog template %s' writes "
			     "a file to fill in for --evidence; 'iotaudit explain STANDARD:PROVISION' "
			     "says what is asked)%s\n",
			c->dim, A->counts[IOTA_VERDICT_NEEDS_EVIDENCE],
			A->profile_def ? A->profile_def->id : "", c->reset);
	}
}

/* Network exposure (issue 7): the services the image starts and their
 * ports, the remote endpoints it talks to, what goes in clear text
 * (src/report/netexposure.h says where each fact comes from). */
static void network_exposure(iota_scan *s, FILE *out, const struct colors *c)
{
	iota_netexpo x;
	fprintf(out, "\n%sNetwork exposure%s\n", c->bold, c->reset);
	if (iota_netexpo_collect(s, &x) != 0) {
		fprintf(out, "  (out of memory)\n");
		return;
	}
	if (!x.nsvc && !x.nep && !x.unknown_ports[0])
		fprintf(out, "  no listening services or remote endpoints found\n");
	for (size_t i = 0; i < x.nsvc; i++)
		fprintf(out, "  %-10s %s/%-5u %-14s %s%s (%s)%s\n", i ? "" : "listening",
			iota_net_proto_name(x.svc[i].proto), x.svc[i].port, x.svc[i].program, c->dim,
			x.svc[i].path, x.svc[i].basis, c->reset);
	if (x.unknown_ports[0])
		fprintf(out, "  %-10s %s (started; ports not known)\n", x.nsvc ? "" : "listening",
			x.unknown_ports);
	size_t plain = 0;
	for (size_t i = 0; i < x.nep; i++) {
		const iota_netep *e = &x.ep[i];
		plain += e->plaintext != 0;
		fprintf(out, "  %-10s %s/%-5u %s %s%s%s  %sseen in %s%s\n", i ? "" : "outbound",
			iota_net_proto_name(e->proto), e->port, e->host, e->scheme,
			e->plaintext ? ", " : "", e->plaintext ? "clear text" : "", c->dim, e->seen,
			c->reset);
	}
	if (x.hosts_without_port[0])
		fprintf(out, "  %-10s %s (named without a port)\n", x.nep ? "" : "outbound",
			x.hosts_without_port);
	fprintf(out, "  %-10s %zu clear-text endpoint%s, %zu clear-text finding%s\n", "plaintext",
		plain, plain == 1 ? "" : "s", x.plaintext_findings,
		x.plaintext_findings == 1 ? "" : "s");
	iota_netexpo_free(&x);
}

iota_rc iota_report_text(iota_scan *s, FILE *out, int color)
{
	struct colors c = {"", "", "", "", ""};
	if (color)
		c = (struct colors){"\033[1m", "\033[2m", "\033[31m", "\033[33m", "\033[0m"};
	iota_totals t;
	iota_scan_totals(s, &t);
	char in[32], un[32], hex[65] = "";
	iota_report_human_bytes(t.input_bytes, in, sizeof in);
	iota_report_human_bytes(t.unpacked_bytes, un, sizeof un);
	if (s->root && (s->root->flags & IOTA_NF_HASHED))
		iota_report_hex(s->root->sha256, 32, hex);

	fprintf(out, "%siotaudit %s%s  %s (%s%s%s)\n", c.bold, iota_version(), c.reset,
		s->input_name ? s->input_name : "?", in, hex[0] ? ", sha256 " : "", hex);
	if (s->assessment)
		assessment_text(s, out, &c);
	fprintf(out, "\n%sContainers%s\n", c.bold, c.reset);
	if (t.containers == 0)
		fprintf(out, "  none found\n");
	else
		fprintf(out, "  %-10s %-18s %-12s %10s %7s  %s\n", "FORMAT", "VARIANT", "OFFSET", "SIZE",
			"FILES", "ORIGIN");
	if (s->root)
		containers(s, s->root, out, &c, NULL);
	fprintf(out,
		"\n%sTotals%s\n  %" PRIu64 " containers, %" PRIu64 " files, %" PRIu64
		" directories, %" PRIu64 " links, %" PRIu64 " special files\n  %s unpacked\n",
		c.bold, c.reset, t.containers, t.files, t.dirs, t.links, t.specials, un);

	network_exposure(s, out, &c);

	char **origins = NULL;
	const iota_finding **sorted = iota_report_sorted_findings(s, &origins);
	if (sorted)
		by_severity(sorted, origins, s->nfindings);
	fprintf(out, "\n%sFindings (%zu)%s\n", c.bold, s->nfindings, c.reset);
	if (s->nfindings == 0)
		fprintf(out, "  none\n");
	for (size_t i = 0; sorted && i < s->nfindings && i < MAX_TEXT_FINDINGS; i++) {
		const iota_finding *f = sorted[i];
		const char *col = f->severity >= IOTA_SEV_HIGH ? c.red
				  : f->severity >= IOTA_SEV_MEDIUM ? c.yellow
								    : "";
		fprintf(out, "  %s%-8s%s %-22s %s", col, iota_severity_name(f->severity), c.reset,
			f->check, f->message);
		if (origins[i][0])
			fprintf(out, "\n  %s%31s %s", c.dim, "at", origins[i]);
		if (f->line)
			fprintf(out, ":%u", f->line);
		if (f->offset != UINT64_MAX)
			fprintf(out, " +0x%" PRIx64, f->offset);
		if (f->evidence)
			fprintf(out, "\n  %31s %s", "seen", f->evidence);
		fprintf(out, "%s\n", origins[i][0] ? c.reset : "");
	}
	if (s->nfindings > MAX_TEXT_FINDINGS)
		fprintf(out, "  ... and %zu more (see --format json)\n", s->nfindings - MAX_TEXT_FINDINGS);
	iota_free(sorted);
	iota_free(origins);
	vulns_section(s, out, color);
	return ferror(out) ? iota_scan_fail(s, IOTA_FATAL, "cannot write the report") : IOTA_OK;
}
