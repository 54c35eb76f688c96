/* Text report: the container table, totals and the findings, for a terminal. */
#include <inttypes.h>
#include <string.h>

#include "core/unpacker.h"
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
	return ferror(out) ? iota_scan_fail(s, IOTA_FATAL, "cannot write the report") : IOTA_OK;
}
