/* Report dispatch and helpers shared by the writers. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/alloc.h"

static const char *const names[IOTA_FORMAT_COUNT] = {
    "text", "json", "sarif", "cyclonedx", "spdx", "html", "csv", "mud"};
static const char *const exts[IOTA_FORMAT_COUNT] = {
    "txt", "json", "sarif", "cdx.json", "spdx.json", "html", "csv", "mud.json"};

int iota_format_parse(const char *name)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *iota_format_name(iota_format f)
{
	return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "?";
}

const char *iota_format_extension(iota_format f)
{
	return (unsigned)f < sizeof exts / sizeof exts[0] ? exts[f] : "out";
}

iota_rc iota_report_write(iota_scan *s, iota_format f, FILE *out, int color)
{
	switch (f) {
	case IOTA_FORMAT_TEXT:
		return iota_report_text(s, out, color);
	case IOTA_FORMAT_JSON:
		return iota_report_json(s, out);
	case IOTA_FORMAT_SARIF:
		return iota_report_sarif(s, out);
	case IOTA_FORMAT_CYCLONEDX:
		return iota_report_cyclonedx(s, out);
	case IOTA_FORMAT_SPDX:
		return iota_report_spdx(s, out);
	case IOTA_FORMAT_HTML:
		return iota_report_html(s, out);
	case IOTA_FORMAT_CSV:
		return iota_report_csv(s, out);
	case IOTA_FORMAT_MUD:
		return iota_report_mud(s, out);
	case IOTA_FORMAT_COUNT:
		break;
	}
	return iota_scan_fail(s, IOTA_FATAL, "unknown report format");
}

void iota_report_human_bytes(uint64_t n, char *buf, size_t cap)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	unsigned u = 0;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, cap, "%.1f %s", v, units[u]);
}

void iota_report_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

struct sorted {
	const iota_finding *f;
	char *origin;
};

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);
	if (c)
		return c;
	c = strcmp(x->f->check, y->f->check);
	if (c)
		return c;
	if (x->f->offset != y->f->offset)
		return x->f->offset < y->f->offset ? -1 : 1;
	if (x->f->line != y->f->line)
		return x->f->line < y->f->line ? -1 : 1;
	return strcmp(x->f->message, y->f->message);
}

const iota_finding **iota_report_sorted_findings(iota_scan *s, char ***origins)
{
	size_t n = s->nfindings;
	struct sorted *v = iota_calloc(n, sizeof *v);
	const iota_finding **out = iota_calloc(n, sizeof *out);
	char **orig = iota_calloc(n, sizeof *orig);
	if (!v || !out || !orig) {
		iota_free(v);
		iota_free(out);
		iota_free(orig);
		return NULL;
	}
	char buf[IOTA_MAX_PATH * 2];
	for (size_t i = 0; i < n; i++) {
		v[i].f = &s->findings[i];
		if (!v[i].f->node || iota_node_origin(v[i].f->node, buf, sizeof buf) < 0)
			buf[0] = '\0';
		v[i].origin = iota_arena_strdup(s->arena, buf);
		if (!v[i].origin)
			v[i].origin = "";
	}
	qsort(v, n, sizeof *v, cmp_sorted);
	for (size_t i = 0; i < n; i++) {
		out[i] = v[i].f;
		orig[i] = v[i].origin;
	}
	iota_free(v);
	*origins = orig;
	return out;
}
