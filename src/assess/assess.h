/*
 * The assessment of a scan against the standards catalog (internal).
 *
 * The catalog (data/catalog/, or --data DIR) holds one file per standard
 * with its provisions, and checks.yaml: every automated check with the
 * finding types it looks at and the provisions it serves in all standards.
 * iota_scan_assess() (public API) loads the catalog, picks the standards
 * and levels of the profile, works out one verdict per provision from the
 * findings, vulnerability matches, vendor evidence and tailoring, scores
 * risk and runs the gate; the result hangs on s->assessment and every
 * report writer reads it from there.
 *
 * All strings and arrays belong to the assessment's arena (the scan's).
 */
#ifndef IOTA_ASSESS_ASSESS_H
#define IOTA_ASSESS_ASSESS_H

#include <stddef.h>

#include "core/scan.h"

typedef enum iota_verdict {
	IOTA_VERDICT_PASS = 0,
	IOTA_VERDICT_FAIL,
	IOTA_VERDICT_NEEDS_EVIDENCE, /* only vendor documentation can answer it */
	IOTA_VERDICT_NOT_APPLICABLE, /* not in the profile's scope or level */
	IOTA_VERDICT_ACCEPTED,       /* failed, but tailored with a justification */
	IOTA_VERDICT_COUNT
} iota_verdict;

const char *iota_verdict_name(iota_verdict v); /* "pass", "fail", "needs-evidence", ... */

typedef struct iota_standard {
	const char *id;      /* "etsi-en-303-645", "en-18031-1", "nistir-8259a", "iec-62443-4-2",
	                        "uk-psti", "eu-cra", "owasp-iot-top10", ... */
	const char *title;   /* "ETSI EN 303 645 V3.1.3" */
	const char *scope;   /* "consumer", "industrial", "both" */
} iota_standard;

typedef struct iota_provision {
	const iota_standard *standard;
	const char *id;       /* as the standard numbers it: "5.1-1", "CR 1.1", "I(2)(c)" */
	const char *title;    /* short, our words */
	const char *summary;  /* our words */
	const char *obligation; /* "mandatory", "recommended", "conditional" */
	const char *verify;   /* "image", "partial", "documentation" */
	unsigned sl_min;      /* IEC 62443: lowest security level asking for it (1..4), 0 = n/a */
	const char **evidence_keys; /* vendor evidence keys that answer it (NULL-terminated) */
} iota_provision;

typedef struct iota_check {
	const char *id;       /* "cred.default-password" */
	const char *title;
	const char *description; /* what it means */
	const char *why;         /* why it matters */
	const char *fix;         /* how to fix */
	const char **findings;   /* finding check ids (or prefixes ending in '*') it covers;
	                            "vuln.kev", "vuln.critical" ... for vulnerability rules */
	const iota_provision **provisions; /* every provision it serves; NULL-terminated */
} iota_check;

typedef struct iota_catalog {
	iota_standard *standards;
	size_t nstandards;
	iota_provision *provisions;
	size_t nprovisions;
	iota_check *checks;
	size_t nchecks;
} iota_catalog;

/* One verdict. */
typedef struct iota_provision_result {
	const iota_provision *provision;
	iota_verdict verdict;
	const char *reason;              /* one line: why this verdict */
	const iota_check **checks;       /* the checks that decided it (NULL-terminated) */
	const iota_finding **findings;   /* findings behind a FAIL / ACCEPTED (NULL-terminated) */
	const char *evidence;            /* the vendor evidence used, "key: value", or NULL */
	/* tailoring (ACCEPTED, or expired and failing again) */
	const char *justification, *control, *owner, *expires;
	int tailoring_expired;
} iota_provision_result;

typedef struct iota_standard_result {
	const iota_standard *standard;
	const char *level;               /* "SL2" for IEC 62443-4-2, else NULL */
	iota_provision_result *results;  /* catalog order */
	size_t nresults;
	size_t counts[IOTA_VERDICT_COUNT];
} iota_standard_result;

typedef struct iota_finding_risk {
	const iota_finding *finding;
	double score;          /* 0..10 */
	int accepted;          /* tailored */
} iota_finding_risk;

typedef struct iota_assessment {
	const iota_catalog *catalog;
	const char *profile;   /* "consumer", "industrial:SL2" */
	const char *today;     /* YYYY-MM-DD the dates were judged against */
	iota_standard_result *standards; /* the profile's standards, profile order */
	size_t nstandards;
	iota_finding_risk *risks;        /* one per finding, highest first */
	size_t nrisks;
	double risk;           /* the image's score, 0..10 */
	const char *risk_formula; /* one line, as documented */
	/* gate */
	int gate_asked;
	const char **gate_reasons;       /* NULL-terminated; empty = passed */
	size_t ngate_reasons;
} iota_assessment;

#endif
