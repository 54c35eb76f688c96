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
	const char *summary; /* our words; may be NULL */
	const char *version; /* the edition assessed ("V3.1.3"); may be NULL */
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
	const char *ref;      /* "etsi-en-303-645:5.1-1": how tailoring, policies and explain name it */
	unsigned line;        /* where it is defined in its standard's file */
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

/* A key of the vendor evidence file (data/catalog/evidence-keys.yaml). */
typedef struct iota_evidence_key {
	const char *key;         /* "support_period_end" */
	const char *type;        /* "url", "email", "date", "bool", "text" */
	const char *title;
	const char *description;
	int future;              /* a date that must not lie in the past (pass_if: future) */
} iota_evidence_key;

/* A profile (data/catalog/profiles.yaml): which standards at which level,
 * and the severity weights of the risk score. */
typedef struct iota_profile {
	const char *id;          /* "consumer", "industrial" */
	const char *title;
	const iota_standard **standards; /* NULL-terminated */
	const char **levels;     /* "SL1".."SL4", NULL-terminated; empty = no levels */
	const char *default_level; /* may be NULL */
	double weights[5];       /* by iota_severity: info, low, medium, high, critical (0..10) */
} iota_profile;

typedef struct iota_catalog {
	iota_standard *standards;
	size_t nstandards;
	iota_provision *provisions;
	size_t nprovisions;
	iota_check *checks;
	size_t nchecks;
	iota_evidence_key *evidence_keys;
	size_t nevidence_keys;
	iota_profile *profiles;
	size_t nprofiles;
	const char *source;   /* "embedded" or the --data folder */
	struct iota_arena *arena; /* owns everything when loaded on its own (iota_catalog_load) */
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
	const char *exposure;  /* "listening", "known exploited", both, or NULL: what raised it */
	const char *origin;    /* the finding's node, "" for none */
} iota_finding_risk;

/* One item of the tailoring file. */
typedef struct iota_tailoring {
	const char *kind;        /* "check", "finding", "provision" */
	const char *id;          /* check id, finding id (prefix*, CVE id), provision ref */
	const char *justification, *control, *owner, *expires;
	int expired;             /* expires < today: counts again */
	size_t used;             /* findings or verdicts it applied to */
	unsigned line;
} iota_tailoring;

/* One answer of the vendor evidence file, or found in the image. */
typedef struct iota_evidence_value {
	const iota_evidence_key *key;
	const char *value;       /* as written; "" for null */
	int is_null;             /* "key: ~" / empty: the vendor says there is none */
	const char *source;      /* "evidence.yaml:12" or "image: /etc/os-release" */
	int from_image;          /* corroboration: can fail a provision, never pass one alone */
} iota_evidence_value;

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
	/* added by the engine */
	const iota_profile *profile_def;
	const char *level;               /* "SL2" or NULL */
	iota_finding *vuln_findings;     /* vuln.* and sbom.* pseudo-findings (not in s->findings) */
	size_t nvuln_findings;
	int vulns_matched;               /* iota_scan_match() ran: the vuln.* checks could decide */
	iota_evidence_value *evidence;   /* vendor file first, then image, key order */
	size_t nevidence;
	const char *evidence_file, *tailoring_file, *policy_file; /* NULL = none */
	iota_tailoring *tailoring;
	size_t ntailoring;
	const char *gate_summary;        /* "--fail-on high; policy p.yaml" or NULL */
	size_t counts[IOTA_VERDICT_COUNT]; /* over all standards */
} iota_assessment;

/* The JSON "assessment" object's format version. */
#define IOTA_ASSESSMENT_VERSION 1

/* ---- used by the engine, the CLI's catalog commands and the tests ---- */

/* Loads the catalog (data_dir NULL = embedded) into arena. NULL with
 * "FILE:LINE: reason" in err when a file is malformed. */
iota_catalog *iota_catalog_load_into(struct iota_arena *arena, const char *data_dir, char *err,
				     size_t errcap);
const iota_check *iota_catalog_check(const iota_catalog *c, const char *id);
const iota_standard *iota_catalog_standard(const iota_catalog *c, const char *id);
/* "std:prov" (or a bare provision id when only one standard has it). */
const iota_provision *iota_catalog_provision(const iota_catalog *c, const char *ref);
const iota_evidence_key *iota_catalog_evidence_key(const iota_catalog *c, const char *key);
const iota_profile *iota_catalog_profile(const iota_catalog *c, const char *id);
/* True when finding id check matches pattern (exact, or prefix before a trailing '*'). */
int iota_pattern_match(const char *pattern, const char *check);
/* The iota_severity of a name ("critical" ... "info"), -1 for an unknown one. */
int iota_severity_parse(const char *name);

#endif
