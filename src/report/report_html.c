/*
 * HTML report: one self-contained page a person reads top-down — what was
 * scanned and the overall answer first, then the charts, then the detail.
 *
 *   header       image, size, SHA-256, profile, overall risk, gate
 *   summary      key numbers
 *   verdicts     per standard, a stacked bar (pass / fail / needs evidence /
 *                accepted / not applicable)
 *   findings     by severity and by category (the check id's first part)
 *   hardening    the share of ELF programs with NX, PIE, full RELRO, stack
 *                canary and FORTIFY (the elf.* attributes of the ELF analyzer)
 *   components   with vulnerability matches, known exploited ones (KEV) first
 *                and highlighted; all components in a folded list
 *   provisions   one table per standard
 *   findings     the list, worst first
 *
 * Self-contained on purpose: the report is mailed, archived and opened
 * offline, often from an untrusted image's results, so it loads nothing —
 * no script, no font, no stylesheet or image from elsewhere. CSS is inline;
 * the charts are SVG written here (a few rectangles each; no charting
 * library is worth a dependency for that). Every string that may come from
 * the image goes through esc(): HTML-escaped, bytes that are not UTF-8 and
 * control characters written as \xNN, so a hostile file name shows as text
 * and cannot open markup.
 *
 * Deterministic: no timestamp, everything in report order.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_common.h"
#include "util/alloc.h"

#define MAX_HTML_FINDINGS      5000
#define MAX_PROVISION_FINDINGS 5

static const char *const sev_color[] = {"#78909c", "#1e88e5", "#f9a825", "#ef6c00", "#c62828"};
static const char *const verdict_color[IOTA_VERDICT_COUNT] = {"#2e7d32", "#c62828", "#f9a825",
                                                              "#b0bec5", "#1565c0"};
static const char *const verdict_label[IOTA_VERDICT_COUNT] = {"pass", "fail", "needs evidence",
                                                              "not applicable", "accepted"};
/* drawing order of a stacked bar: the decided ones first */
static const iota_verdict verdict_order[IOTA_VERDICT_COUNT] = {
    IOTA_VERDICT_FAIL, IOTA_VERDICT_ACCEPTED, IOTA_VERDICT_NEEDS_EVIDENCE, IOTA_VERDICT_PASS,
    IOTA_VERDICT_NOT_APPLICABLE};

/* Text from the image (or anywhere) as HTML text or attribute content. */
static void esc(FILE *o, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = iota_report_utf8_len(p);
		if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f))) {
			fprintf(o, "\\x%02x", *p);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, o);
			p += n;
			continue;
		}
		switch (*p) {
		case '&':
			fputs("&amp;", o);
			break;
		case '<':
			fputs("&lt;", o);
			break;
		case '>':
			fputs("&gt;", o);
			break;
		case '"':
			fputs("&quot;", o);
			break;
		case '\'':
			fputs("&#39;", o);
			break;
		default:
			fputc(*p, o);
			break;
		}
		p++;
	}
}

/* An id usable in href="#..." from a standard id (catalog ids are
 * lower-case words and dashes; anything else becomes '_'). */
static void anchor(FILE *o, const char *prefix, const char *id)
{
	fputs(prefix, o);
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		fputc((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ? *p : '_',
		      o);
}

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "margin:0;background:#f4f6f8;color:#1c2530;line-height:1.45;font-size:15px}"
    "main{max-width:1180px;margin:0 auto;padding:24px}"
    "header.top{background:#1c2b3a;color:#fff;padding:22px 24px}"
    "header.top .in{max-width:1180px;margin:0 auto}"
    "header.top h1{margin:0 0 8px;font-size:24px;font-weight:600}"
    "header.top table td{padding:2px 14px 2px 0;vertical-align:top}"
    "header.top .k{color:#9fb3c8}"
    ".mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:13px;"
    "overflow-wrap:anywhere}"
    "section{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:18px 22px;"
    "margin:0 0 20px}"
    "h2{margin:0 0 12px;font-size:19px}h3{margin:18px 0 8px;font-size:16px}"
    "nav{margin:0 0 20px;font-size:14px}nav a{margin-right:14px;color:#1565c0}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{flex:1 1 150px;border:1px solid #dde3ea;border-radius:6px;padding:10px 14px;"
    "background:#fafbfc}"
    ".card .n{font-size:26px;font-weight:700}.card .l{color:#56657a;font-size:13px}"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;"
    "font-weight:600;white-space:nowrap}"
    ".big{font-size:15px;padding:3px 12px}"
    "table.t{border-collapse:collapse;width:100%;font-size:13.5px}"
    "table.t th{text-align:left;background:#eef2f6;padding:6px 8px;border-bottom:2px solid #d0d8e0}"
    "table.t td{padding:5px 8px;border-bottom:1px solid #e6ebf0;vertical-align:top}"
    "tr.kev td{background:#fdecea}tr.fail td{background:#fff5f5}"
    ".muted{color:#6b7a8c}.small{font-size:12.5px}"
    "svg text{font-family:inherit}"
    "details summary{cursor:pointer;color:#1565c0;margin:8px 0}"
    ".legend span{display:inline-block;margin-right:14px;font-size:13px}"
    ".legend i{display:inline-block;width:11px;height:11px;margin-right:5px;border-radius:2px;"
    "vertical-align:-1px}"
    ".grid{display:grid;grid-template-columns:1fr 1fr;gap:20px}"
    "@media (max-width:900px){.grid{grid-template-columns:1fr}}"
    "footer{color:#6b7a8c;font-size:12.5px;text-align:center;padding:10px 0 30px}";

static void badge(FILE *o, const char *color, const char *text, int big)
{
	/* dark text on the light fills (amber, grey), white on the others */
	int light = strcmp(color, "#f9a825") == 0 || strcmp(color, "#b0bec5") == 0;
	fprintf(o, "<span class=\"badge%s\" style=\"background:%s%s\">", big ? " big" : "", color,
	        light ? ";color:#1c2530" : "");
	esc(o, text);
	fputs("</span>", o);
}

static const char *risk_color(double r)
{
	return r >= 9   ? sev_color[4]
	       : r >= 7 ? sev_color[3]
	       : r >= 4 ? sev_color[2]
	       : r > 0  ? sev_color[1]
	                : "#2e7d32";
}

/* ---- charts ---- */

struct bar {
	const char *label;
	uint64_t value;
	const char *color;
};

/* Horizontal bars scaled to the largest value, the value at the end. */
static void svg_bars(FILE *o, const char *title, const struct bar *b, size_t n)
{
	uint64_t max = 1;
	for (size_t i = 0; i < n; i++)
		if (b[i].value > max)
			max = b[i].value;
	const int lw = 150, bw = 300, row = 26;
	int h = (int)n * row + 8;
	fprintf(o,
	        "<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" style=\"max-width:%dpx\">",
	        lw + bw + 70, h, lw + bw + 70);
	fputs("<title>", o);
	esc(o, title);
	fputs("</title>", o);
	for (size_t i = 0; i < n; i++) {
		int y = (int)i * row + 4;
		double w = (double)b[i].value * bw / (double)max;
		fprintf(o,
		        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\" "
		        "fill=\"#1c2530\">",
		        lw - 8, y + 16);
		esc(o, b[i].label);
		fprintf(
		    o,
		    "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"#eef2f6\"/>",
		    lw, y + 2, bw);
		if (b[i].value)
			fprintf(
			    o, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>",
			    lw, y + 2, w < 2 ? 2.0 : w, b[i].color);
		fprintf(o,
		        "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#1c2530\">%" PRIu64
		        "</text>",
		        lw + bw + 8, y + 16, b[i].value);
	}
	fputs("</svg>\n", o);
}

/* ---- the ELF hardening coverage ---- */

struct hardening {
	uint64_t elf; /* executables and shared objects analysed */
	uint64_t nx, relro_full, relro_partial, canary;
	uint64_t pie, pie_of;         /* executables (not libraries) */
	uint64_t fortify, fortify_of; /* those calling functions FORTIFY covers */
};

static int attr_is(const iota_node *n, const char *key, const char *val)
{
	const char *v = iota_node_attr_get(n, key);
	return v && strcmp(v, val) == 0;
}

static void hardening_walk(const iota_node *n, struct hardening *h)
{
	for (const iota_node *c = n->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_FILE && iota_node_attr_get(c, "elf.nx")) {
			h->elf++;
			h->nx += attr_is(c, "elf.nx", "yes");
			h->canary += attr_is(c, "elf.canary", "yes");
			h->relro_full += attr_is(c, "elf.relro", "full");
			h->relro_partial += attr_is(c, "elf.relro", "partial");
			if (!attr_is(c, "elf.pie", "dso")) {
				h->pie_of++;
				h->pie += attr_is(c, "elf.pie", "yes");
			}
			const char *f = iota_node_attr_get(c, "elf.fortifiable");
			if (f && strtoul(f, NULL, 10) > 0) {
				h->fortify_of++;
				h->fortify += attr_is(c, "elf.fortify", "yes");
			}
		}
		hardening_walk(c, h);
	}
}

static void svg_coverage(FILE *o, const struct hardening *h)
{
	struct {
		const char *label;
		uint64_t yes, of, part;
	} rows[] = {
	    {"NX (no exec stack)", h->nx, h->elf, 0},
	    {"PIE (programs)", h->pie, h->pie_of, 0},
	    {"RELRO full / partial", h->relro_full, h->elf, h->relro_partial},
	    {"Stack canary", h->canary, h->elf, 0},
	    {"FORTIFY_SOURCE", h->fortify, h->fortify_of, 0},
	};
	const int lw = 170, bw = 420, row = 30, n = (int)(sizeof rows / sizeof rows[0]);
	fprintf(o,
	        "<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" style=\"max-width:%dpx\">"
	        "<title>ELF hardening coverage</title>",
	        lw + bw + 150, n * row + 8, lw + bw + 150);
	for (int i = 0; i < n; i++) {
		int y = i * row + 4;
		double share = rows[i].of ? (double)rows[i].yes / (double)rows[i].of : 0;
		double part = rows[i].of ? (double)rows[i].part / (double)rows[i].of : 0;
		const char *col = share >= 0.9 ? "#2e7d32" : share >= 0.5 ? "#f9a825" : "#c62828";
		fprintf(o,
		        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\" "
		        "fill=\"#1c2530\">%s"
		        "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"3\" "
		        "fill=\"#eef2f6\"/>",
		        lw - 8, y + 17, rows[i].label, lw, y + 2, bw);
		if (rows[i].yes)
			fprintf(o,
			        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\" rx=\"3\" "
			        "fill=\"%s\"/>",
			        lw, y + 2, share * bw, col);
		if (rows[i].part)
			fprintf(o,
			        "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" "
			        "fill=\"#ffcc80\"/>",
			        lw + share * bw, y + 2, part * bw);
		if (rows[i].of)
			fprintf(o,
			        "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#1c2530\">%.0f%% "
			        "(%" PRIu64 "/%" PRIu64 ")</text>",
			        lw + bw + 8, y + 17, share * 100, rows[i].yes, rows[i].of);
		else
			fprintf(
			    o,
			    "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#6b7a8c\">n/a</text>",
			    lw + bw + 8, y + 17);
	}
	fputs("</svg>\n", o);
}

/* ---- sections ---- */

static void header(iota_scan *s, FILE *o, const iota_rview *v)
{
	iota_totals t;
	iota_scan_totals(s, &t);
	char size[32], hex[65] = "";
	iota_report_human_bytes(t.input_bytes, size, sizeof size);
	if (s->root && (s->root->flags & IOTA_NF_HASHED))
		iota_report_hex(s->root->sha256, 32, hex);
	fputs("<header class=\"top\"><div class=\"in\"><h1>iotaudit report: ", o);
	esc(o, s->input_name ? s->input_name : "?");
	fputs("</h1><table>", o);
	fputs("<tr><td class=\"k\">Image</td><td class=\"mono\">", o);
	esc(o, s->input_name ? s->input_name : "?");
	fprintf(
	    o, "</td></tr><tr><td class=\"k\">Size</td><td>%s (%" PRIu64 " bytes), %s</td></tr>",
	    size, t.input_bytes, s->root && s->root->kind != IOTA_NODE_FILE ? "directory" : "file");
	if (hex[0])
		fprintf(o, "<tr><td class=\"k\">SHA-256</td><td class=\"mono\">%s</td></tr>", hex);
	fputs("<tr><td class=\"k\">Profile</td><td>", o);
	const iota_assessment *a = v->a;
	if (a) {
		esc(o, a->profile ? a->profile : "?");
		if (a->today) {
			fputs(" <span class=\"k\">judged on</span> ", o);
			esc(o, a->today);
		}
	} else {
		fputs("not assessed (<span class=\"mono\">--profile</span> assesses against the "
		      "standards)",
		      o);
	}
	fputs("</td></tr>", o);
	if (a) {
		const char *files[3][2] = {{"Vendor evidence", a->evidence_file},
		                           {"Tailoring", a->tailoring_file},
		                           {"Policy", a->policy_file}};
		for (int i = 0; i < 3; i++) {
			if (!files[i][1])
				continue;
			fprintf(o, "<tr><td class=\"k\">%s</td><td class=\"mono\">", files[i][0]);
			esc(o, files[i][1]);
			fputs("</td></tr>", o);
		}
	}
	fputs("<tr><td class=\"k\">Overall risk</td><td>", o);
	if (a) {
		char r[32];
		snprintf(r, sizeof r, "%.1f / 10", a->risk);
		badge(o, risk_color(a->risk), r, 1);
		if (a->risk_formula) {
			fputs("<br><span class=\"k small\">", o);
			esc(o, a->risk_formula);
			fputs("</span>", o);
		}
	} else {
		fputs("<span class=\"k\">not scored</span>", o);
	}
	fputs("</td></tr><tr><td class=\"k\">Gate</td><td>", o);
	if (a && a->gate_asked) {
		if (a->ngate_reasons) {
			badge(o, "#c62828", "FAILED", 1);
			fputs("<ul style=\"margin:6px 0 0;padding-left:20px\">", o);
			for (size_t i = 0; i < a->ngate_reasons; i++) {
				fputs("<li>", o);
				esc(o, a->gate_reasons[i]);
				fputs("</li>", o);
			}
			fputs("</ul>", o);
		} else {
			badge(o, "#2e7d32", "PASSED", 1);
		}
	} else {
		fputs("<span class=\"k\">none asked (--fail-on, --policy)</span>", o);
	}
	fputs("</td></tr>", o);
	if (s->vulndb_summary) {
		fputs("<tr><td class=\"k\">Vulnerability data</td><td>", o);
		esc(o, s->vulndb_summary);
		fputs("</td></tr>", o);
	}
	fprintf(o,
	        "<tr><td class=\"k\">Tool</td><td>iotaudit %s</td></tr></table></div></header>\n",
	        iota_version());
}

static void summary(iota_scan *s, FILE *o, const iota_rview *v)
{
	iota_totals t;
	iota_scan_totals(s, &t);
	size_t sev[5] = {0}, kev = 0;
	for (size_t i = 0; i < v->nfindings; i++)
		if ((unsigned)v->findings[i].f->severity < 5)
			sev[v->findings[i].f->severity]++;
	for (size_t i = 0; i < v->nvulns; i++)
		kev += v->vulns[i].m->kev != 0;
	fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">", o);
	fprintf(o,
	        "<div class=\"card\"><div class=\"n\">%zu</div><div class=\"l\">findings "
	        "(%zu critical, %zu high)</div></div>",
	        v->nfindings, sev[4], sev[3]);
	if (v->a)
		fprintf(o,
		        "<div class=\"card\"><div class=\"n\" style=\"color:%s\">%zu</div><div "
		        "class=\"l\">provisions failed, %zu need evidence</div></div>",
		        verdict_color[IOTA_VERDICT_FAIL],
		        iota_report_verdict_total(v->a, IOTA_VERDICT_FAIL),
		        iota_report_verdict_total(v->a, IOTA_VERDICT_NEEDS_EVIDENCE));
	fprintf(
	    o,
	    "<div class=\"card\"><div class=\"n\">%zu</div><div class=\"l\">components</div></div>"
	    "<div class=\"card\"><div class=\"n\">%zu</div><div class=\"l\">vulnerability matches "
	    "(%zu known exploited)</div></div>"
	    "<div class=\"card\"><div class=\"n\">%" PRIu64
	    "</div><div class=\"l\">files in %" PRIu64 " containers</div></div>",
	    v->ncomponents, v->nvulns, kev, t.files, t.containers);
	fputs("</div></section>\n", o);
}

static void verdicts(FILE *o, const iota_rview *v)
{
	fputs("<section id=\"verdicts\"><h2>Verdicts per standard</h2>", o);
	const iota_assessment *a = v->a;
	if (!a || !a->nstandards) {
		fputs("<p class=\"muted\">The scan was not assessed against the standards catalog "
		      "(<span class=\"mono\">iotaudit scan --profile consumer</span> or "
		      "<span class=\"mono\">--profile industrial:SL2</span>).</p></section>\n",
		      o);
		return;
	}
	fputs("<div class=\"legend\">", o);
	for (int k = 0; k < IOTA_VERDICT_COUNT; k++)
		fprintf(o, "<span><i style=\"background:%s\"></i>%s</span>",
		        verdict_color[verdict_order[k]], verdict_label[verdict_order[k]]);
	fputs("</div>", o);
	/* a row per standard: its name (a link to its table) and the share of
	 * provisions per verdict above, the stacked bar below */
	const int bw = 1000, row = 50;
	fprintf(o,
	        "<svg role=\"img\" viewBox=\"0 0 %d %zu\" width=\"100%%\">"
	        "<title>Verdicts per standard</title>",
	        bw, a->nstandards * row + 4);
	for (size_t i = 0; i < a->nstandards; i++) {
		const iota_standard_result *sr = &a->standards[i];
		int y = (int)i * row + 2;
		fprintf(o, "<a href=\"#");
		anchor(o, "std-", sr->standard->id);
		fprintf(o, "\"><text x=\"0\" y=\"%d\" font-size=\"14\" fill=\"#1565c0\">", y + 14);
		esc(o, sr->standard->title ? sr->standard->title : sr->standard->id);
		if (sr->level) {
			fputc(' ', o);
			esc(o, sr->level);
		}
		fprintf(o,
		        "</text></a><text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\" "
		        "fill=\"#56657a\">%zu provisions: %zu pass, %zu fail</text>",
		        bw, y + 14, sr->nresults, sr->counts[IOTA_VERDICT_PASS],
		        sr->counts[IOTA_VERDICT_FAIL]);
		double x = 0;
		size_t total = sr->nresults ? sr->nresults : 1;
		for (int k = 0; k < IOTA_VERDICT_COUNT; k++) {
			iota_verdict vd = verdict_order[k];
			if (!sr->counts[vd])
				continue;
			double w = (double)sr->counts[vd] * bw / (double)total;
			fprintf(
			    o,
			    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"24\" fill=\"%s\">"
			    "<title>%s: %zu</title></rect>",
			    x, y + 20, w, verdict_color[vd], verdict_label[vd], sr->counts[vd]);
			if (w >= 22)
				fprintf(o,
				        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
				        "font-size=\"13\" "
				        "fill=\"%s\">%zu</text>",
				        x + w / 2, y + 37,
				        vd == IOTA_VERDICT_NOT_APPLICABLE ||
				                vd == IOTA_VERDICT_NEEDS_EVIDENCE
				            ? "#1c2530"
				            : "#fff",
				        sr->counts[vd]);
			x += w;
		}
	}
	fputs("</svg></section>\n", o);
}

static int cmp_bar(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->label, y->label);
}

static void finding_charts(FILE *o, const iota_rview *v)
{
	fputs("<section id=\"charts\"><h2>Findings</h2>", o);
	if (!v->nfindings) {
		fputs("<p>No findings.</p></section>\n", o);
		return;
	}
	struct bar sev[5];
	for (int i = 0; i < 5; i++)
		sev[i] =
		    (struct bar){iota_severity_name((iota_severity)(4 - i)), 0, sev_color[4 - i]};
	/* categories: the check id up to its first dot */
	enum { MAX_CAT = 16 };
	struct bar cat[MAX_CAT + 1];
	char names[MAX_CAT][32];
	size_t ncat = 0;
	uint64_t other = 0;
	for (size_t i = 0; i < v->nfindings; i++) {
		const iota_finding *f = v->findings[i].f;
		if ((unsigned)f->severity < 5)
			sev[4 - f->severity].value++;
		const char *dot = strchr(f->check, '.');
		size_t n = dot ? (size_t)(dot - f->check) : strlen(f->check);
		if (n >= sizeof names[0])
			n = sizeof names[0] - 1;
		size_t k = 0;
		while (k < ncat && (strlen(names[k]) != n || strncmp(names[k], f->check, n) != 0))
			k++;
		if (k == ncat) {
			if (ncat == MAX_CAT) {
				other++;
				continue;
			}
			memcpy(names[k], f->check, n);
			names[k][n] = '\0';
			cat[k] = (struct bar){names[k], 0, "#5c6bc0"};
			ncat++;
		}
		cat[k].value++;
	}
	qsort(cat, ncat, sizeof cat[0], cmp_bar);
	if (other)
		cat[ncat++] = (struct bar){"other", other, "#9e9e9e"};
	fputs("<div class=\"grid\"><div><h3>By severity</h3>", o);
	svg_bars(o, "Findings by severity", sev, 5);
	fputs("</div><div><h3>By category</h3>", o);
	svg_bars(o, "Findings by category", cat, ncat);
	fputs("</div></div></section>\n", o);
}

static void hardening(iota_scan *s, FILE *o)
{
	struct hardening h = {0};
	if (s->root)
		hardening_walk(s->root, &h);
	fputs("<section id=\"hardening\"><h2>ELF hardening coverage</h2>", o);
	if (!h.elf) {
		fputs("<p class=\"muted\">No ELF programs or libraries were found.</p></section>\n",
		      o);
		return;
	}
	fprintf(o,
	        "<p class=\"small muted\">Share of the %" PRIu64
	        " ELF programs and libraries with each protection (PIE over programs only; "
	        "FORTIFY over those calling functions it covers).</p>",
	        h.elf);
	svg_coverage(o, &h);
	fputs("</section>\n", o);
}

static int cmp_vuln(const void *a, const void *b)
{
	const iota_rvuln *x = a, *y = b;
	if ((x->m->kev != 0) != (y->m->kev != 0))
		return x->m->kev ? -1 : 1;
	if (x->m->status != y->m->status)
		return x->m->status < y->m->status ? -1 : 1;
	double cx = iota_report_cvss(x->m), cy = iota_report_cvss(y->m);
	if (cx != cy)
		return cx > cy ? -1 : 1;
	int c = strcmp(x->m->cve, y->m->cve);
	if (c)
		return c;
	return x < y ? -1 : x > y; /* the view's order */
}

static void components(FILE *o, const iota_rview *v)
{
	fputs("<section id=\"components\"><h2>Components with vulnerabilities</h2>", o);
	if (!v->nvulns) {
		int matched = 0;
		for (size_t i = 0; i < v->ncomponents; i++)
			matched |= v->components[i]->vulns != NULL;
		fprintf(o, "<p class=\"muted\">%s</p>",
		        matched
		            ? "No known vulnerability matches the components found."
		            : "The components were not matched against a vulnerability database.");
	} else {
		iota_rvuln *sorted = iota_malloc(v->nvulns * sizeof *sorted);
		const iota_rvuln *list = v->vulns;
		if (sorted) {
			memcpy(sorted, v->vulns, v->nvulns * sizeof *sorted);
			qsort(sorted, v->nvulns, sizeof *sorted, cmp_vuln);
			list = sorted;
		}
		fputs("<table "
		      "class=\"t\"><tr><th>Component</th><th>Version</th><th>CVE</th><th>CVSS</th>"
		      "<th>Status</th><th>KEV</th><th>Exposure</th><th>Where</th></tr>",
		      o);
		for (size_t i = 0; i < v->nvulns; i++) {
			const iota_vuln_match *m = list[i].m;
			const iota_component *c = list[i].c;
			double cvss = iota_report_cvss(m);
			fprintf(o, "<tr%s><td>", m->kev ? " class=\"kev\"" : "");
			esc(o, c->name);
			fputs("</td><td class=\"mono\">", o);
			esc(o, c->version);
			fputs("</td><td class=\"mono\">", o);
			esc(o, m->cve);
			fputs("</td><td>", o);
			if (cvss >= 0) {
				char t[32];
				snprintf(t, sizeof t, "%.1f %s", cvss, iota_report_cvss_word(cvss));
				badge(o,
				      cvss >= 9   ? sev_color[4]
				      : cvss >= 7 ? sev_color[3]
				      : cvss >= 4 ? sev_color[2]
				                  : sev_color[1],
				      t, 0);
			} else {
				fputs("<span class=\"muted\">-</span>", o);
			}
			fputs("</td><td class=\"small\">", o);
			esc(o, m->status_text ? m->status_text : iota_vuln_status_name(m->status));
			if (list[i].accepted) {
				fputs("<br>", o);
				badge(o, verdict_color[IOTA_VERDICT_ACCEPTED], "accepted", 0);
				if (list[i].justification) {
					fputc(' ', o);
					esc(o, list[i].justification);
				}
			}
			fputs("</td><td>", o);
			if (m->kev) {
				badge(o, "#b71c1c", "KEV", 0);
				if (m->kev_ransomware && strcmp(m->kev_ransomware, "Known") == 0)
					fputs(" <span class=\"small\">ransomware</span>", o);
			}
			fputs("</td><td class=\"small\">", o);
			esc(o, iota_exposure_name(c->exposure));
			fputs("</td><td class=\"mono small\">", o);
			esc(o, list[i].origin);
			fputs("</td></tr>", o);
		}
		fputs("</table>", o);
		iota_free(sorted);
	}
	if (v->ncomponents) {
		fprintf(o,
		        "<details><summary>All %zu components</summary><table class=\"t\"><tr>"
		        "<th>Component</th><th>Version</th><th>Relation</th><th>Evidence</th>"
		        "<th>Where</th></tr>",
		        v->ncomponents);
		char buf[IOTA_MAX_PATH * 2];
		for (size_t i = 0; i < v->ncomponents; i++) {
			const iota_component *c = v->components[i];
			fputs("<tr><td>", o);
			esc(o, c->name);
			fputs("</td><td class=\"mono\">", o);
			esc(o, c->version[0] ? c->version : "?");
			fprintf(o, "</td><td>%s</td><td class=\"small\">",
			        c->relation == IOTA_REL_IS ? "is" : "contains");
			for (const iota_evidence *e = c->evidence; e; e = e->next) {
				esc(o, iota_evidence_method_name(e->method));
				if (e->match) {
					fputs(": ", o);
					esc(o, e->match);
				}
				if (e->next)
					fputs("<br>", o);
			}
			fputs("</td><td class=\"mono small\">", o);
			if (c->node && iota_node_origin(c->node, buf, sizeof buf) >= 0)
				esc(o, buf);
			fputs("</td></tr>", o);
		}
		fputs("</table></details>", o);
	}
	fputs("</section>\n", o);
}

static void provisions(FILE *o, const iota_rview *v)
{
	const iota_assessment *a = v->a;
	if (!a || !a->nstandards)
		return;
	fputs("<section id=\"provisions\"><h2>Provisions</h2>", o);
	for (size_t i = 0; i < a->nstandards; i++) {
		const iota_standard_result *sr = &a->standards[i];
		fputs("<h3 id=\"", o);
		anchor(o, "std-", sr->standard->id);
		fputs("\">", o);
		esc(o, sr->standard->title ? sr->standard->title : sr->standard->id);
		if (sr->level) {
			fputc(' ', o);
			esc(o, sr->level);
		}
		fputs(" <span class=\"muted small\">", o);
		for (int k = 0; k < IOTA_VERDICT_COUNT; k++)
			if (sr->counts[verdict_order[k]])
				fprintf(o, "%zu %s; ", sr->counts[verdict_order[k]],
				        verdict_label[verdict_order[k]]);
		fputs("</span></h3>", o);
		fputs("<table class=\"t\"><tr><th style=\"width:90px\">Provision</th>"
		      "<th style=\"width:220px\">Title</th><th>Obligation</th><th>Verified by</th>"
		      "<th>Verdict</th><th>Why</th><th style=\"width:170px\">Checks</th></tr>",
		      o);
		for (size_t j = 0; j < sr->nresults; j++) {
			const iota_provision_result *r = &sr->results[j];
			const iota_provision *p = r->provision;
			fprintf(o, "<tr%s><td class=\"mono\">",
			        r->verdict == IOTA_VERDICT_FAIL ? " class=\"fail\"" : "");
			esc(o, p->id);
			fputs("</td><td>", o);
			esc(o, p->title);
			fputs("</td><td class=\"small\">", o);
			esc(o, p->obligation);
			fputs("</td><td class=\"small\">", o);
			esc(o, p->verify);
			fputs("</td><td>", o);
			badge(o,
			      (unsigned)r->verdict < IOTA_VERDICT_COUNT ? verdict_color[r->verdict]
			                                                : "#000",
			      iota_verdict_name(r->verdict), 0);
			fputs("</td><td class=\"small\">", o);
			esc(o, r->reason);
			if (r->evidence) {
				fputs("<br><span class=\"muted\">evidence: ", o);
				esc(o, r->evidence);
				fputs("</span>", o);
			}
			if (r->justification) {
				fputs(r->tailoring_expired
				          ? "<br><span class=\"muted\">acceptance expired: "
				          : "<br><span class=\"muted\">accepted: ",
				      o);
				esc(o, r->justification);
				if (r->control) {
					fputs("; control: ", o);
					esc(o, r->control);
				}
				if (r->owner) {
					fputs("; owner: ", o);
					esc(o, r->owner);
				}
				if (r->expires) {
					fputs(r->tailoring_expired ? "; EXPIRED " : "; until ", o);
					esc(o, r->expires);
				}
				fputs("</span>", o);
			}
			size_t nf = 0;
			for (const iota_finding **f = r->findings; f && *f; f++, nf++) {
				if (nf >= MAX_PROVISION_FINDINGS)
					continue;
				fputs("<br><span class=\"mono\">", o);
				esc(o, (*f)->check);
				fputs("</span> ", o);
				esc(o, (*f)->message);
			}
			if (nf > MAX_PROVISION_FINDINGS)
				fprintf(o, "<br><span class=\"muted\">and %zu more findings</span>",
				        nf - MAX_PROVISION_FINDINGS);
			fputs("</td><td class=\"mono small\">", o);
			for (const iota_check **c = r->checks; c && *c; c++) {
				esc(o, (*c)->id);
				if (c[1])
					fputs("<br>", o);
			}
			fputs("</td></tr>", o);
		}
		fputs("</table>", o);
	}
	fputs("</section>\n", o);
}

static void findings_list(FILE *o, const iota_rview *v)
{
	fprintf(o, "<section id=\"findings\"><h2>All findings (%zu)</h2>", v->nfindings);
	if (!v->nfindings) {
		fputs("<p>None.</p></section>\n", o);
		return;
	}
	fprintf(o,
	        "<table class=\"t\"><tr><th style=\"width:80px\">Severity</th>"
	        "<th style=\"width:200px\">Check</th><th>Finding</th>"
	        "<th style=\"width:300px\">Where</th>%s</tr>",
	        v->a ? "<th>Risk</th>" : "");
	size_t shown = 0;
	for (int sev = IOTA_SEV_CRITICAL; sev >= IOTA_SEV_INFO; sev--) {
		for (size_t i = 0; i < v->nfindings && shown < MAX_HTML_FINDINGS; i++) {
			const iota_rfinding *rf = &v->findings[i];
			const iota_finding *f = rf->f;
			if ((int)f->severity != sev)
				continue;
			shown++;
			fputs("<tr><td>", o);
			badge(o, sev_color[sev], iota_severity_name(f->severity), 0);
			fputs("</td><td class=\"mono small\">", o);
			esc(o, f->check);
			if (rf->check && strcmp(rf->check->id, f->check) != 0) {
				fputs("<br><span class=\"muted\">", o);
				esc(o, rf->check->id);
				fputs("</span>", o);
			}
			fputs("</td><td>", o);
			esc(o, f->message);
			if (f->evidence) {
				fputs("<br><span class=\"mono small muted\">", o);
				esc(o, f->evidence);
				fputs("</span>", o);
			}
			if (rf->accepted) {
				fputs("<br>", o);
				badge(o, verdict_color[IOTA_VERDICT_ACCEPTED], "accepted", 0);
				if (rf->justification) {
					fputs(" <span class=\"small\">", o);
					esc(o, rf->justification);
					fputs("</span>", o);
				}
			}
			fputs("</td><td class=\"mono small\">", o);
			esc(o, rf->origin);
			if (f->line)
				fprintf(o, ":%u", f->line);
			if (f->offset != UINT64_MAX)
				fprintf(o, " @0x%" PRIx64, f->offset);
			fputs("</td>", o);
			if (v->a) {
				if (rf->risk >= 0)
					fprintf(o, "<td>%.1f</td>", rf->risk);
				else
					fputs("<td></td>", o);
			}
			fputs("</tr>", o);
		}
	}
	fputs("</table>", o);
	if (shown < v->nfindings)
		fprintf(o, "<p class=\"muted\">%zu more findings are in the JSON report.</p>",
		        v->nfindings - shown);
	fputs("</section>\n", o);
}

iota_rc iota_report_html(iota_scan *s, FILE *o)
{
	iota_rview v;
	if (iota_rview_init(s, &v) != IOTA_OK)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory writing the HTML report");
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	      "<meta name=\"generator\" content=\"iotaudit\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">"
	      "<title>iotaudit report: ",
	      o);
	esc(o, s->input_name ? s->input_name : "?");
	fprintf(o, "</title><style>%s</style></head><body>\n", css);
	header(s, o, &v);
	fputs("<main><nav><a href=\"#summary\">Summary</a><a href=\"#verdicts\">Verdicts</a>"
	      "<a href=\"#charts\">Findings by severity</a><a href=\"#hardening\">Hardening</a>"
	      "<a href=\"#components\">Components</a>",
	      o);
	if (v.a && v.a->nstandards)
		fputs("<a href=\"#provisions\">Provisions</a>", o);
	fputs("<a href=\"#findings\">All findings</a></nav>\n", o);
	summary(s, o, &v);
	verdicts(o, &v);
	finding_charts(o, &v);
	hardening(s, o);
	components(o, &v);
	provisions(o, &v);
	findings_list(o, &v);
	fprintf(o,
	        "</main><footer>iotaudit %s: findings are what the image shows; provisions that "
	        "only documentation can answer need vendor evidence.</footer></body></html>\n",
	        iota_version());
	iota_rview_free(&v);
	if (ferror(o))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the HTML report");
	return IOTA_OK;
}
