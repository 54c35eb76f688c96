/*
 * Pieces the assessment's files share (internal to src/assess/).
 */
#ifndef IOTA_ASSESS_INT_H
#define IOTA_ASSESS_INT_H

#include "assess/assess.h"

/* A finding as the engine sees it: a real one (s->findings) or a pseudo
 * finding made from vulnerability matches. */
typedef struct assess_finding {
	const iota_finding *f;
	const char *origin;    /* of its node, "" for none: the deterministic order */
	const char *alias;     /* a KEV match is "vuln.kev" and also "vuln.<severity>" */
	const char *cve;       /* vulnerability pseudo-findings */
	int confirmed;         /* an affected match from a structured range */
	int kev;
	int listening;         /* reachable from a listening service */
	iota_tailoring *accepted_by;  /* a live acceptance */
	iota_tailoring *expired_by;   /* an acceptance that has expired */
} assess_finding;

typedef struct assess_ctx {
	iota_scan *s;
	iota_assessment *A;
	const iota_catalog *cat;
	unsigned level;        /* 1..4, 0 = none */
	assess_finding *af;
	size_t naf;
	unsigned char *cover;
	const iota_finding **scratch; /* 2 x (naf + 1): a verdict's findings while judging */  /* [check index * naf + finding]: the check covers the finding */
	char *err;
	size_t errcap;
} assess_ctx;

/* Does the finding answer to pattern (its id or its alias)? */
int assess_finding_matches(const assess_finding *a, const char *pattern);
/* Does check c cover finding a? */
int assess_check_covers(const iota_check *c, const assess_finding *a);

/* evidence.c: reads the vendor evidence file (NULL = none) and adds what the
 * image says; 0 or -1 with "FILE:LINE: reason". */
int assess_evidence_load(assess_ctx *x, const char *path);
/* The answer for key, NULL when neither the vendor nor the image gives one. */
const iota_evidence_value *assess_evidence_get(const assess_ctx *x, const char *key);
/* Judges one answer: 1 pass, 0 fail (with why), for the provision verdicts. */
int assess_evidence_judge(const assess_ctx *x, const iota_evidence_value *v, const char **why);

/* tailoring.c */
int assess_tailoring_load(assess_ctx *x, const char *path);
/* Marks accepted_by / expired_by on every finding. */
void assess_tailoring_apply(assess_ctx *x);
/* The provision's own acceptance (live or expired), NULL if none. */
iota_tailoring *assess_tailoring_provision(assess_ctx *x, const iota_provision *p, int expired);

/* gate.c */
typedef struct assess_policy assess_policy;
int assess_policy_load(assess_ctx *x, const char *path, assess_policy **out);
/* Runs --fail-on and the policy; fills A->gate_reasons. */
int assess_gate(assess_ctx *x, int fail_on, const assess_policy *p);

/* Formats into the arena. */
const char *assess_printf(assess_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
