/*
 * CSV report: the conformance matrix, one row per provision of the
 * profile's standards (in profile, then catalog order), for spreadsheets
 * and procurement checklists. Without an assessment: one row per finding.
 *
 * RFC 4180: CRLF line ends, a field with a comma, quote, CR or LF is quoted
 * and its quotes doubled. Text from the image is not trusted: bytes that are
 * not UTF-8 are written as \xNN, and a field starting with = + - @ or a
 * tab gets a leading apostrophe so that a spreadsheet shows it as text
 * instead of evaluating it as a formula (OWASP "CSV injection").
 */
#include <inttypes.h>
#include <string.h>

#include "report/report_common.h"
#include "util/alloc.h"

static void field(FILE *out, const char *s, int first)
{
	if (!first)
		fputc(',', out);
	if (!s)
		s = "";
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t';
	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = iota_report_utf8_len(p);
		if (n == 0) {
			fprintf(out, "\\x%02x", *p);
			p++;
			continue;
		}
		if (*p == '"')
			fputc('"', out);
		fwrite(p, 1, n, out);
		p += n;
	}
	if (quote)
		fputc('"', out);
}

static void number(FILE *out, uint64_t v)
{
	fprintf(out, ",%" PRIu64, v);
}

static void end(FILE *out)
{
	fputs("\r\n", out);
}

/* "cred.default-password; cred.empty-password" */
static char *join_checks(const iota_check **c)
{
	size_t len = 1;
	for (const iota_check **p = c; p && *p; p++)
		len += strlen((*p)->id) + 2;
	char *t = iota_malloc(len);
	if (!t)
		return NULL;
	t[0] = '\0';
	size_t o = 0;
	for (const iota_check **p = c; p && *p; p++) {
		size_t n = strlen((*p)->id);
		if (o) {
			memcpy(t + o, "; ", 2);
			o += 2;
		}
		memcpy(t + o, (*p)->id, n);
		o += n;
		t[o] = '\0';
	}
	return t;
}

static iota_rc matrix(iota_scan *s, const iota_assessment *a, FILE *out)
{
	static const char *const head[] = {"standard", "provision", "title",         "obligation",
	                                   "verify",   "verdict",   "reason",        "checks",
	                                   "findings", "evidence",  "justification", "expires"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		field(out, head[i], i == 0);
	end(out);
	for (size_t i = 0; i < a->nstandards; i++) {
		const iota_standard_result *sr = &a->standards[i];
		for (size_t j = 0; j < sr->nresults; j++) {
			const iota_provision_result *r = &sr->results[j];
			const iota_provision *p = r->provision;
			size_t nf = 0;
			for (const iota_finding **f = r->findings; f && *f; f++)
				nf++;
			char *checks = join_checks(r->checks);
			if (!checks)
				return iota_scan_fail(s, IOTA_NOMEM,
				                      "out of memory writing the CSV report");
			field(out, sr->standard->id, 1);
			field(out, p->id, 0);
			field(out, p->title, 0);
			field(out, p->obligation, 0);
			field(out, p->verify, 0);
			field(out, iota_verdict_name(r->verdict), 0);
			field(out, r->reason, 0);
			field(out, checks, 0);
			number(out, nf);
			field(out, r->evidence, 0);
			field(out, r->justification, 0);
			field(out, r->expires, 0);
			end(out);
			iota_free(checks);
		}
	}
	return IOTA_OK;
}

static iota_rc finding_rows(iota_scan *s, FILE *out)
{
	static const char *const head[] = {"check",  "severity", "confidence", "origin",
	                                   "offset", "line",     "message",    "evidence"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		field(out, head[i], i == 0);
	end(out);
	if (!s->nfindings)
		return IOTA_OK;
	char **origins = NULL;
	const iota_finding **sorted = iota_report_sorted_findings(s, &origins);
	if (!sorted)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory writing the CSV report");
	for (size_t i = 0; i < s->nfindings; i++) {
		const iota_finding *f = sorted[i];
		field(out, f->check, 1);
		field(out, iota_severity_name(f->severity), 0);
		number(out, (uint64_t)f->confidence);
		field(out, origins[i], 0);
		if (f->offset != UINT64_MAX)
			number(out, f->offset);
		else
			field(out, "", 0);
		if (f->line)
			number(out, f->line);
		else
			field(out, "", 0);
		field(out, f->message, 0);
		field(out, f->evidence, 0);
		end(out);
	}
	iota_free(sorted);
	iota_free(origins);
	return IOTA_OK;
}

iota_rc iota_report_csv(iota_scan *s, FILE *out)
{
	iota_rc rc = s->assessment ? matrix(s, s->assessment, out) : finding_rows(s, out);
	if (rc != IOTA_OK)
		return rc;
	if (ferror(out))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the CSV report");
	return IOTA_OK;
}
