/*
 * Report writers, one file each (report_<format>.c), dispatched by
 * iota_report_write(). Every writer is deterministic: nodes in tree order
 * (children sorted by name), findings sorted by origin, check, offset and
 * message.
 */
#ifndef IOTA_REPORT_REPORT_H
#define IOTA_REPORT_REPORT_H

#include <stdio.h>

#include "core/scan.h"

iota_rc iota_report_text(iota_scan *s, FILE *out, int color);
iota_rc iota_report_json(iota_scan *s, FILE *out);
iota_rc iota_report_sarif(iota_scan *s, FILE *out);
iota_rc iota_report_cyclonedx(iota_scan *s, FILE *out);
iota_rc iota_report_spdx(iota_scan *s, FILE *out);
iota_rc iota_report_html(iota_scan *s, FILE *out);
iota_rc iota_report_csv(iota_scan *s, FILE *out);
iota_rc iota_report_mud(iota_scan *s, FILE *out);

struct iota_vuln_match;
struct iota_vuln_result;
struct json_t;

/* One match as the JSON report writes it (every evidence item with its
 * source), a new jansson object; the array of a result's matches. */
struct json_t *iota_report_vuln_json(const struct iota_vuln_match *m);
struct json_t *iota_report_vulns_json(const struct iota_vuln_result *r);

/* One row of a vulnerability table (text report, db match --sbom). */
typedef struct iota_vuln_row {
	const char *component;
	const char *version;
	const char *where;    /* origin of the component's node, may be "" */
	int exposure;         /* iota_exposure */
	const char *via;      /* the listening program, may be NULL */
	const struct iota_vuln_match *m;
} iota_vuln_row;

/* Sorts rows for a reader: affected before conditional, unknown and not
 * affected; KEV first; then exposure (listening first), score, CVE id,
 * component. Deterministic. */
void iota_report_sort_vuln_rows(iota_vuln_row *rows, size_t n);

/* Writes the vulnerabilities section of the text report. */
void iota_report_vulns_text(FILE *out, const iota_vuln_row *rows, size_t n, const char *db_summary,
			    int color);

/* Findings sorted for output: a new array of pointers (free with iota_free),
 * *origins[i] the origin text of each finding's node ("" for none). */
const iota_finding **iota_report_sorted_findings(iota_scan *s, char ***origins);

/* "12.3 MiB" */
void iota_report_human_bytes(uint64_t n, char *buf, size_t cap);
void iota_report_hex(const unsigned char *p, size_t n, char *out);

#endif
