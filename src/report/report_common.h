/*
 * What the SARIF, HTML and CSV writers share: the findings in output order
 * with what the assessment says about each (the catalog check serving it,
 * its risk, whether it is accepted by tailoring), and the vulnerability
 * matches of the components in output order. Works without an assessment
 * (s->assessment NULL) and without matching (c->vulns NULL): the fields
 * that would come from them stay NULL / zero.
 */
#ifndef IOTA_REPORT_COMMON_H
#define IOTA_REPORT_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "assess/assess.h"
#include "core/component.h"
#include "iotaudit/vulndb.h"
#include "report/report.h"

typedef struct iota_rfinding {
	const iota_finding *f;
	const char *origin;        /* "" for the scan as a whole */
	const iota_check *check;   /* the catalog check serving f->check, or NULL */
	double risk;               /* 0..10; <0 when not assessed */
	int accepted;              /* tailored */
	const char *justification; /* of the tailoring, or NULL */
} iota_rfinding;

typedef struct iota_rvuln {
	const iota_component *c;
	const iota_vuln_match *m;
	const char *origin;        /* of the component's node, "" for none */
	double risk;               /* of the assessment's vuln.* finding; <0 when none */
	int accepted;              /* tailored */
	const char *justification; /* of the tailoring, or NULL */
} iota_rvuln;

typedef struct iota_rview {
	const iota_assessment *a; /* NULL: not assessed */
	iota_rfinding *findings;  /* s->nfindings, sorted as iota_report_sorted_findings() */
	size_t nfindings;
	iota_component **components; /* iota_components_sorted() */
	size_t ncomponents;
	iota_rvuln *vulns; /* component order, then the matcher's order */
	size_t nvulns;
} iota_rview;

/* Fills v from s. IOTA_NOMEM (v emptied) when memory runs out. */
iota_rc iota_rview_init(iota_scan *s, iota_rview *v);
void iota_rview_free(iota_rview *v);

/* The catalog check whose finding patterns cover the finding check id: an
 * exact entry wins over a prefix ("cred.*"), the longest prefix over a
 * shorter one, catalog order breaks ties. NULL when none does. */
const iota_check *iota_report_check_for(const iota_catalog *cat, const char *finding_check);

/* The tailoring item (not expired) that accepts finding f, or NULL: a
 * "finding" item naming its id (or a prefix of it, or the CVE of a vuln.*
 * finding), or a "check" item whose check covers it. */
const iota_tailoring *iota_report_tailoring_for(const iota_assessment *a, const iota_finding *f);

/* How many provision results of all standards have the given verdict. */
size_t iota_report_verdict_total(const iota_assessment *a, iota_verdict v);

/* A JSON string of bytes from an image (not always UTF-8: other bytes are
 * written as \xNN). Never NULL unless memory runs out. */
json_t *iota_report_jstr(const char *s);

/* The severity of a CVSS base score in CVSS v3 words ("critical" ...), or
 * "unknown" for a negative score; the best score of a match (v3, else v4). */
const char *iota_report_cvss_word(double score);
double iota_report_cvss(const iota_vuln_match *m);

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlongs, surrogates or code points above U+10FFFF), 0 if there is none;
 * 1 for ASCII. p is NUL-terminated. */
size_t iota_report_utf8_len(const unsigned char *p);

#endif
