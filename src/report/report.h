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

/* Findings sorted for output: a new array of pointers (free with iota_free),
 * *origins[i] the origin text of each finding's node ("" for none). */
const iota_finding **iota_report_sorted_findings(iota_scan *s, char ***origins);

/* "12.3 MiB" */
void iota_report_human_bytes(uint64_t n, char *buf, size_t cap);
void iota_report_hex(const unsigned char *p, size_t n, char *out);

#endif
