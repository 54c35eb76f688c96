/*
 * The assessment engine (src/assess/): the catalog loader's errors with
 * file and line, the verdict rules, vendor evidence turning needs-evidence
 * into pass or fail, tailoring and its expiry, the risk formula and the
 * gate. Each test writes a small catalog of its own (the real one is
 * data/catalog/, tested end to end by tests/e2e/assess.py) and scans a small
 * root file system with real crypt(3) hashes.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assess/assess.h"
#include "util/alloc.h"
#include "core/component.h"
#include "core/scan.h"
#include "iotaudit/vulndb.h"
#include "tree.h"
#include "unit.h"

/* openssl passwd -1 -salt Q7wPz3Lk admin */
#define MD5_ADMIN "$1$Q7wPz3Lk$BEX3CmcQAeCQtgBKIJp2r."

static char cat[256];

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char EVIDENCE_KEYS[] = "keys:\n"
				    "  - key: vdp_url\n"
				    "    type: url\n"
				    "    title: Disclosure policy\n"
				    "    description: where it is\n"
				    "  - key: security_contact\n"
				    "    type: email\n"
				    "    title: Contact\n"
				    "    description: whom to tell\n"
				    "  - key: support_period_end\n"
				    "    type: date\n"
				    "    title: Support end\n"
				    "    description: last day of updates\n"
				    "  - key: sbom_available\n"
				    "    type: bool\n"
				    "    title: SBOM\n"
				    "    description: kept or not\n";

static const char STD_A[] = "id: std-a\n"
			    "title: Standard A\n"
			    "scope: consumer\n"
			    "summary: for the tests\n"
			    "provisions:\n"
			    "  - id: P1\n"
			    "    title: no default password\n"
			    "    summary: s\n"
			    "    obligation: mandatory\n"
			    "    verify: partial\n"
			    "  - id: P2\n"
			    "    title: disclosure policy\n"
			    "    summary: s\n"
			    "    obligation: mandatory\n"
			    "    verify: documentation\n"
			    "    evidence: [vdp_url, security_contact]\n"
			    "  - id: P3\n"
			    "    title: no hard-coded secrets\n"
			    "    summary: s\n"
			    "    obligation: mandatory\n"
			    "    verify: image\n"
			    "  - id: P4\n"
			    "    title: support period\n"
			    "    summary: s\n"
			    "    obligation: mandatory\n"
			    "    verify: documentation\n"
			    "    evidence: [support_period_end]\n"
			    "  - id: P5\n"
			    "    title: passwords, with an SBOM\n"
			    "    summary: s\n"
			    "    obligation: recommended\n"
			    "    verify: partial\n"
			    "    evidence: [sbom_available]\n"
			    "  - id: P6\n"
			    "    title: no known exploited vulnerability\n"
			    "    summary: s\n"
			    "    obligation: mandatory\n"
			    "    verify: image\n";

static const char STD_IEC[] = "id: iec\n"
			      "title: IEC like\n"
			      "scope: industrial\n"
			      "summary: levels\n"
			      "provisions:\n"
			      "  - {id: C1, title: auth, summary: s, obligation: mandatory, verify: image, sl: 1}\n"
			      "  - {id: C2, title: auth+, summary: s, obligation: mandatory, verify: image, sl: 3}\n";

static const char CHECKS[] = "checks:\n"
			     "  - id: cred\n"
			     "    title: passwords\n"
			     "    description: d\n"
			     "    why: w\n"
			     "    fix: f\n"
			     "    findings: [cred.default-password, cred.empty-password]\n"
			     "    provisions:\n"
			     "      std-a: [P1, P5]\n"
			     "      iec: [C1, C2]\n"
			     "  - id: secrets\n"
			     "    title: secrets\n"
			     "    description: d\n"
			     "    why: w\n"
			     "    fix: f\n"
			     "    findings: [key.private-key, secret.*]\n"
			     "    provisions:\n"
			     "      std-a: [P3]\n"
			     "  - id: kev\n"
			     "    title: kev\n"
			     "    description: d\n"
			     "    why: w\n"
			     "    fix: f\n"
			     "    findings: [vuln.kev]\n"
			     "    provisions:\n"
			     "      std-a: [P6]\n";

static const char PROFILES[] = "profiles:\n"
			       "  - id: p\n"
			       "    title: P\n"
			       "    standards: [std-a]\n"
			       "    weights: {critical: 10, high: 8, medium: 5, low: 2, info: 0}\n"
			       "  - id: ind\n"
			       "    title: I\n"
			       "    standards: [iec]\n"
			       "    levels: [SL1, SL2, SL3, SL4]\n"
			       "    default_level: SL2\n"
			       "    weights: {critical: 10, high: 8, medium: 5, low: 2, info: 0}\n";

static void write_catalog(void)
{
	write_file(cat, "evidence-keys.yaml", EVIDENCE_KEYS);
	write_file(cat, "standards/std-a.yaml", STD_A);
	write_file(cat, "standards/iec.yaml", STD_IEC);
	write_file(cat, "checks.yaml", CHECKS);
	write_file(cat, "profiles.yaml", PROFILES);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup_all(void **state)
{
	if (setup(state) != 0)
		return -1;
	snprintf(cat, sizeof cat, "/tmp/iota-cat-XXXXXX");
	if (!mkdtemp(cat))
		return -1;
	write_catalog();
	return 0;
}

static int teardown_all(void **state)
{
	nftw(cat, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return teardown(state);
}

static void weak_tree(void)
{
	rootfs();
	put("etc/shadow", "root:" MD5_ADMIN ":19000:0:99999:7:::\n");
}

static void clean_tree(void)
{
	rootfs();
	put("etc/shadow", "root:!:19000:0:99999:7:::\n");
}

static iota_rc assess(iota_scan *s, const char *profile, const char *evidence,
		      const char *tailoring, const char *policy, const char *fail_on,
		      const char *today)
{
	iota_assess_options o;
	iota_assess_options_init(&o);
	o.data_dir = cat;
	o.profile = profile;
	o.evidence = evidence;
	o.tailoring = tailoring;
	o.policy = policy;
	o.fail_on = fail_on;
	o.today = today ? today : "2026-06-01";
	return iota_scan_assess(s, &o);
}

static const iota_provision_result *verdict(iota_scan *s, const char *ref)
{
	const iota_assessment *A = s->assessment;
	assert_non_null(A);
	for (size_t i = 0; i < A->nstandards; i++)
		for (size_t k = 0; k < A->standards[i].nresults; k++)
			if (strcmp(A->standards[i].results[k].provision->ref, ref) == 0)
				return &A->standards[i].results[k];
	fail_msg("no verdict for %s", ref);
	return NULL;
}

/* A file of its own, outside the scanned tree; returns its path (static). */
static const char *side_file(const char *name, const char *text)
{
	static char path[8][512];
	static int next;
	char *p = path[next++ % 8];
	snprintf(p, 512, "%s/%s", cat, name);
	write_file(cat, name, text);
	return p;
}

/* ---- the loader ---- */

/* Loads the catalog as it is on disk and expects the error "FILE:LINE: ..."
 * with FILE ending in file and the reason containing what. */
static void expect_error(const char *file, int line, const char *what)
{
	iota_catalog *c = NULL;
	char err[512];
	assert_int_equal(iota_catalog_load(&c, cat, err, sizeof err), IOTA_FATAL);
	assert_null(c);
	char want[256];
	snprintf(want, sizeof want, "%s:%d: ", file, line);
	if (!strstr(err, want) || !strstr(err, what))
		fail_msg("error '%s' lacks '%s' and '%s'", err, want, what);
	write_catalog(); /* the next case starts from a good catalog */
}

static void test_loader_errors(void **state)
{
	(void)state;
	iota_catalog *c = NULL;
	char err[512];
	assert_int_equal(iota_catalog_load(&c, cat, err, sizeof err), IOTA_OK);
	assert_int_equal(c->nstandards, 2);
	assert_int_equal(c->nprovisions, 8);
	assert_int_equal(c->nchecks, 3);
	assert_string_equal(iota_catalog_provision(c, "C1")->ref, "iec:C1");
	assert_int_equal(iota_catalog_provision(c, "iec:C2")->sl_min, 3);
	iota_catalog_free(c);

	/* an unknown key in a provision (line 10: "    verifyy: partial") */
	char *t = strdup(STD_A);
	memcpy(strstr(t, "verify: partial"), "verifx", 6);
	write_file(cat, "standards/std-a.yaml", t);
	expect_error("standards/std-a.yaml", 10, "unknown key 'verifx'");
	free(t);

	/* a wrong type: sl 7 */
	t = strdup(STD_IEC);
	*strstr(t, "sl: 3") = 's', t[strstr(t, "sl: 3") - t + 4] = '7';
	write_file(cat, "standards/iec.yaml", t);
	expect_error("standards/iec.yaml", 7, "sl must be a number from 1 to 4");
	free(t);

	/* a provision list where one value is expected */
	write_file(cat, "standards/iec.yaml",
		   "id: iec\ntitle: [a, b]\nscope: industrial\nsummary: s\nprovisions: []\n");
	expect_error("standards/iec.yaml", 2, "title must be a single value");

	/* checks.yaml naming a provision that does not exist (line 9) */
	t = strdup(CHECKS);
	memcpy(strstr(t, "[P1, P5]"), "[P1, P9]", 8);
	write_file(cat, "checks.yaml", t);
	expect_error("checks.yaml", 9, "std-a has no provision 'P9'");
	free(t);

	/* a profile with an unknown standard (line 4) */
	t = strdup(PROFILES);
	memcpy(strstr(t, "[std-a]"), "[std-z]", 7);
	write_file(cat, "profiles.yaml", t);
	expect_error("profiles.yaml", 4, "unknown standard 'std-z'");
	free(t);

	/* not YAML at all: an unclosed flow sequence on line 3 */
	write_file(cat, "profiles.yaml", "profiles:\n  - id: p\n    standards: [std-a\n");
	expect_error("profiles.yaml", 4, "not valid YAML");

	/* a provision asking for an evidence key nobody defined (line 16) */
	t = strdup(STD_A);
	memcpy(strstr(t, "[vdp_url,"), "[vdp_uri,", 9);
	write_file(cat, "standards/std-a.yaml", t);
	expect_error("standards/std-a.yaml", 16, "evidence key 'vdp_uri'");
	free(t);

	/* an evidence key type that is not one of the five (line 3) */
	t = strdup(EVIDENCE_KEYS);
	memcpy(strstr(t, "type: url"), "type: uri", 9);
	write_file(cat, "evidence-keys.yaml", t);
	expect_error("evidence-keys.yaml", 3, "type 'uri'");
	free(t);

	/* a standard whose id is not its file name */
	t = strdup(STD_IEC);
	memcpy(t, "id: iex", 7);
	write_file(cat, "standards/iec.yaml", t);
	expect_error("standards/iec.yaml", 1, "differs from the file name");
	free(t);
}

/* ---- verdicts ---- */

static void test_verdicts(void **state)
{
	(void)state;
	weak_tree();
	iota_scan *s = scan();
	assert_int_equal(count(s, "cred.default-password", "etc/shadow"), 1);
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	const iota_provision_result *r = verdict(s, "std-a:P1");
	assert_int_equal(r->verdict, IOTA_VERDICT_FAIL);
	assert_non_null(r->findings);
	assert_string_equal(r->findings[0]->check, "cred.default-password");
	assert_null(r->findings[1]);
	/* documentation-only, nothing answers it */
	assert_int_equal(verdict(s, "std-a:P2")->verdict, IOTA_VERDICT_NEEDS_EVIDENCE);
	/* verify: image, its check ran and found nothing */
	r = verdict(s, "std-a:P3");
	assert_int_equal(r->verdict, IOTA_VERDICT_PASS);
	assert_string_equal(r->checks[0]->id, "secrets");
	/* a partial provision fails on the finding whatever the evidence */
	assert_int_equal(verdict(s, "std-a:P5")->verdict, IOTA_VERDICT_FAIL);
	/* the KEV check could not run without a vulnerability database */
	r = verdict(s, "std-a:P6");
	assert_int_equal(r->verdict, IOTA_VERDICT_NEEDS_EVIDENCE);
	assert_non_null(strstr(r->reason, "--vulndb"));
	assert_int_equal(s->assessment->standards[0].counts[IOTA_VERDICT_FAIL], 2);
	iota_scan_free(s);
}

static void test_clean_and_levels(void **state)
{
	(void)state;
	clean_tree();
	iota_scan *s = scan();
	assert_int_equal(count(s, "cred.default-password", NULL), 0);
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	/* partial: nothing found, but the image alone cannot show it is met */
	const iota_provision_result *r = verdict(s, "std-a:P1");
	assert_int_equal(r->verdict, IOTA_VERDICT_NEEDS_EVIDENCE);
	assert_non_null(strstr(r->reason, "found nothing"));
	iota_scan_free(s);

	/* industrial at the default level SL2: C2 (from SL3) does not apply */
	s = scan();
	assert_int_equal(assess(s, "ind", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	assert_string_equal(s->assessment->profile, "ind:SL2");
	assert_int_equal(verdict(s, "iec:C1")->verdict, IOTA_VERDICT_PASS);
	assert_int_equal(verdict(s, "iec:C2")->verdict, IOTA_VERDICT_NOT_APPLICABLE);
	iota_scan_free(s);
	s = scan();
	assert_int_equal(assess(s, "ind:SL3", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	assert_int_equal(verdict(s, "iec:C2")->verdict, IOTA_VERDICT_PASS);
	iota_scan_free(s);

	/* a level the profile does not have, or a profile that has none */
	s = scan();
	assert_int_equal(assess(s, "ind:SL5", NULL, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "no level 'SL5'"));
	iota_scan_free(s);
	s = scan();
	assert_int_equal(assess(s, "p:SL1", NULL, NULL, NULL, NULL, NULL), IOTA_FATAL);
	iota_scan_free(s);
	s = scan();
	assert_int_equal(assess(s, "nope", NULL, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "no profile 'nope'"));
	iota_scan_free(s);
}

/* ---- evidence ---- */

static void test_evidence(void **state)
{
	(void)state;
	clean_tree();
	const char *good = side_file("good.yaml", "vdp_url: https://example.com/security\n"
						  "security_contact: psirt@example.com\n"
						  "support_period_end: 2030-12-31\n"
						  "sbom_available: true\n");
	iota_scan *s = scan();
	assert_int_equal(assess(s, "p", good, NULL, NULL, NULL, NULL), IOTA_OK);
	const iota_provision_result *r = verdict(s, "std-a:P2");
	assert_int_equal(r->verdict, IOTA_VERDICT_PASS);
	assert_non_null(strstr(r->evidence, "vdp_url: https://example.com/security"));
	assert_int_equal(verdict(s, "std-a:P4")->verdict, IOTA_VERDICT_PASS);
	/* partial + evidence + nothing found = pass; partial without a key stays open */
	assert_int_equal(verdict(s, "std-a:P5")->verdict, IOTA_VERDICT_PASS);
	assert_int_equal(verdict(s, "std-a:P1")->verdict, IOTA_VERDICT_NEEDS_EVIDENCE);
	iota_scan_free(s);

	/* the same file judged after the support period: P4 fails */
	s = scan();
	assert_int_equal(assess(s, "p", good, NULL, NULL, NULL, "2031-01-01"), IOTA_OK);
	r = verdict(s, "std-a:P4");
	assert_int_equal(r->verdict, IOTA_VERDICT_FAIL);
	assert_non_null(strstr(r->reason, "in the past"));
	iota_scan_free(s);

	/* "none" (empty) and false fail; a missing key leaves it open */
	const char *none = side_file("none.yaml", "vdp_url: \"\"\n"
						  "security_contact: psirt@example.com\n"
						  "sbom_available: false\n");
	s = scan();
	assert_int_equal(assess(s, "p", none, NULL, NULL, NULL, NULL), IOTA_OK);
	assert_int_equal(verdict(s, "std-a:P2")->verdict, IOTA_VERDICT_FAIL);
	assert_int_equal(verdict(s, "std-a:P5")->verdict, IOTA_VERDICT_FAIL);
	r = verdict(s, "std-a:P4");
	assert_int_equal(r->verdict, IOTA_VERDICT_NEEDS_EVIDENCE);
	assert_non_null(strstr(r->reason, "support_period_end"));
	iota_scan_free(s);

	/* malformed evidence: the file and line of the bad value */
	const char *bad = side_file("bad.yaml", "security_contact: psirt@example.com\n"
						 "vdp_url: ftp://example.com/x\n");
	s = scan();
	assert_int_equal(assess(s, "p", bad, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "bad.yaml:2: vdp_url"));
	iota_scan_free(s);
	bad = side_file("bad2.yaml", "vdp_url: https://example.com/p\nwarranty: 2 years\n");
	s = scan();
	assert_int_equal(assess(s, "p", bad, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "bad2.yaml:2: unknown evidence key 'warranty'"));
	iota_scan_free(s);
	/* what libfyaml 0.7 would loop on (a directive, invalid UTF-8) never reaches it */
	bad = side_file("bad4.yaml", "vdp_url: https://example.com/p\n% \xfa\n");
	s = scan();
	assert_int_equal(assess(s, "p", bad, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "bad4.yaml:2: YAML directives"));
	iota_scan_free(s);
	bad = side_file("bad5.yaml", "vdp_url: https://example.com/p\nsecurity_contact: a\xc0\xaf" "b@x.org\n");
	s = scan();
	assert_int_equal(assess(s, "p", bad, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "bad5.yaml:2: not UTF-8 text"));
	iota_scan_free(s);
	bad = side_file("bad3.yaml", "support_period_end: 2030-02-30\n");
	s = scan();
	assert_int_equal(assess(s, "p", bad, NULL, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "bad3.yaml:1:"));
	iota_scan_free(s);
}

/* What the image says (os-release SUPPORT_END) corroborates: it fails a provision
 * once past, it never passes one alone. */
static void test_image_evidence(void **state)
{
	(void)state;
	clean_tree();
	put("etc/os-release", "NAME=\"Vendor OS\"\nVERSION_ID=2\nSUPPORT_END=2028-03-31\n");
	iota_scan *s = scan();
	assert_string_equal(attr(s, "etc/os-release", "life.support_end"), "2028-03-31");
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	/* corroboration only: the vendor must still publish it */
	const iota_provision_result *r = verdict(s, "std-a:P4");
	assert_int_equal(r->verdict, IOTA_VERDICT_NEEDS_EVIDENCE);
	assert_non_null(strstr(r->evidence, "image:"));
	assert_non_null(strstr(r->reason, "the image says 2028-03-31"));
	iota_scan_free(s);
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, NULL, "2029-01-01"), IOTA_OK);
	assert_int_equal(verdict(s, "std-a:P4")->verdict, IOTA_VERDICT_FAIL);
	iota_scan_free(s);
}

/* ---- tailoring ---- */

static void test_tailoring(void **state)
{
	(void)state;
	weak_tree();
	const char *t = side_file("tailor.yaml", "accept:\n"
						 "  - finding: cred.default-password\n"
						 "    justification: console only, not networked\n"
						 "    compensating_control: sealed enclosure\n"
						 "    owner: ot-security@example.com\n"
						 "    expires: 2027-01-31\n");
	iota_scan *s = scan();
	assert_int_equal(assess(s, "p", NULL, t, NULL, NULL, "2026-06-01"), IOTA_OK);
	const iota_provision_result *r = verdict(s, "std-a:P1");
	assert_int_equal(r->verdict, IOTA_VERDICT_ACCEPTED);
	assert_string_equal(r->owner, "ot-security@example.com");
	assert_string_equal(r->findings[0]->check, "cred.default-password"); /* still visible */
	assert_int_equal(s->assessment->tailoring[0].used, 1);
	/* the risk of an accepted finding does not count for the image */
	assert_true(s->assessment->risks[0].accepted || s->assessment->risks[0].score == 0 ||
		    strcmp(s->assessment->risks[0].finding->check, "cred.default-password") != 0);
	iota_scan_free(s);

	/* after the expiry date it fails again, with the note */
	s = scan();
	assert_int_equal(assess(s, "p", NULL, t, NULL, NULL, "2027-02-01"), IOTA_OK);
	r = verdict(s, "std-a:P1");
	assert_int_equal(r->verdict, IOTA_VERDICT_FAIL);
	assert_true(r->tailoring_expired);
	assert_non_null(strstr(r->reason, "expired on 2027-01-31"));
	iota_scan_free(s);

	/* a provision accepted as a whole */
	t = side_file("tailor2.yaml", "accept:\n"
				      "  - provision: std-a:P5\n"
				      "    justification: j\n"
				      "    compensating_control: c\n"
				      "    owner: o\n"
				      "    expires: 2027-01-31\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, t, NULL, NULL, NULL), IOTA_OK);
	assert_int_equal(verdict(s, "std-a:P5")->verdict, IOTA_VERDICT_ACCEPTED);
	assert_int_equal(verdict(s, "std-a:P1")->verdict, IOTA_VERDICT_FAIL);
	iota_scan_free(s);

	/* every field is required; unknown ids are errors */
	t = side_file("tailor3.yaml", "accept:\n"
				      "  - check: cred\n"
				      "    justification: j\n"
				      "    owner: o\n"
				      "    expires: 2027-01-31\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, t, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "tailor3.yaml:2: "));
	assert_non_null(strstr(iota_scan_error(s), "compensating_control"));
	iota_scan_free(s);
	t = side_file("tailor4.yaml", "accept:\n"
				      "  - check: cred\n"
				      "    justification: j\n"
				      "    compensating_control: c\n"
				      "    owner: o\n"
				      "    expires: 2027-01-31\n"
				      "  - check: no-such-check\n"
				      "    justification: j\n"
				      "    compensating_control: c\n"
				      "    owner: o\n"
				      "    expires: 2027-01-31\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, t, NULL, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "tailor4.yaml:7: no check 'no-such-check'"));
	iota_scan_free(s);
}

/* ---- risk ---- */

static void test_risk(void **state)
{
	(void)state;
	weak_tree();
	put("etc/ssl/private/server.key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
	iota_scan *s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	const iota_assessment *A = s->assessment;
	assert_true(A->nrisks >= 2);
	/* each finding: weight x (0.5 + 0.5 confidence/100) x exposure, rounded to 0.1 */
	double weights[] = {0, 2, 5, 8, 10};
	double m = -1, prod = 1;
	for (size_t i = 0; i < A->nrisks; i++) {
		const iota_finding *f = A->risks[i].finding;
		double want = weights[f->severity] * (0.5 + 0.5 * f->confidence / 100.0);
		want = round((want > 10 ? 10 : want) * 10) / 10;
		if (!A->risks[i].exposure)
			assert_float_equal(A->risks[i].score, want, 1e-9);
		if (i)
			assert_true(A->risks[i - 1].score >= A->risks[i].score);
		if (m < 0)
			m = A->risks[i].score;
		else
			prod *= 1 - A->risks[i].score / 10;
	}
	assert_float_equal(A->risk, round((m + (10 - m) * (1 - prod) / 2) * 10) / 10, 1e-9);
	assert_string_equal(A->risks[0].finding->check, "cred.default-password");
	assert_non_null(strstr(A->risk_formula, "confidence"));
	iota_scan_free(s);

	/* nothing found: 0 */
	teardown(state);
	setup(state);
	clean_tree();
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, NULL, NULL), IOTA_OK);
	for (size_t i = 0; i < s->assessment->nrisks; i++)
		assert_true(s->assessment->risks[i].score <= 5.0);
	iota_scan_free(s);
}

/* ---- gate ---- */

static int has_reason(iota_scan *s, const char *part)
{
	for (size_t i = 0; i < iota_gate_reasons(s); i++)
		if (strstr(iota_gate_reason(s, i), part))
			return 1;
	return 0;
}

static void test_gate(void **state)
{
	(void)state;
	weak_tree();
	iota_scan *s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, "high", NULL), IOTA_OK);
	assert_true(s->assessment->gate_asked);
	assert_true(has_reason(s, "--fail-on high: cred.default-password (critical)"));
	iota_scan_free(s);

	const char *pol = side_file("policy.yaml", "name: procurement\n"
						    "require: [no-universal-default-password, no-kev]\n"
						    "fail_provisions: [std-a:P1]\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, pol, NULL, NULL), IOTA_OK);
	assert_true(has_reason(s, "policy requires no-universal-default-password"));
	/* no vulnerability database: no-kev cannot be judged, and says so */
	assert_true(has_reason(s, "no-kev: cannot be judged"));
	assert_true(has_reason(s, "std-a:P1 fails"));
	assert_int_equal(iota_gate_reasons(s), 3);
	iota_scan_free(s);

	/* accepting the finding takes its reasons away */
	const char *t = side_file("t.yaml", "accept:\n"
					    "  - finding: cred.*\n"
					    "    justification: j\n"
					    "    compensating_control: c\n"
					    "    owner: o\n"
					    "    expires: 2027-01-31\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, t, NULL, "high", NULL), IOTA_OK);
	assert_int_equal(iota_gate_reasons(s), 0);
	assert_true(s->assessment->gate_asked);
	iota_scan_free(s);

	/* the clean tree passes --fail-on high */
	teardown(state);
	setup(state);
	clean_tree();
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, "high", NULL), IOTA_OK);
	assert_int_equal(iota_gate_reasons(s), 0);
	iota_scan_free(s);

	/* a malformed policy: unknown criterion, with its line */
	pol = side_file("policy2.yaml", "name: x\nmax_severity: high\nrequire: [no-telnet-ever]\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, pol, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "policy2.yaml:3: require: 'no-telnet-ever'"));
	iota_scan_free(s);
	pol = side_file("policy3.yaml", "max_severity: severe\n");
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, pol, NULL, NULL), IOTA_FATAL);
	assert_non_null(strstr(iota_scan_error(s), "policy3.yaml:1: max_severity"));
	iota_scan_free(s);
	s = scan();
	assert_int_equal(assess(s, "p", NULL, NULL, NULL, "severe", NULL), IOTA_FATAL);
	iota_scan_free(s);
}

/* ---- vulnerability matches as derived findings ---- */

static void test_vulns(void **state)
{
	(void)state;
	clean_tree();
	iota_scan *s = scan();
	iota_node *n = node_at(s, "etc/shadow");
	iota_component *c = iota_component_add(s, "openssl", "1.0.2k", n, IOTA_REL_IS,
					       IOTA_EV_PACKAGE_DB, "openssl 1.0.2k", UINT64_MAX);
	assert_non_null(c);
	/* what iota_scan_match() leaves on a component: a KEV match, a high one, an
	 * unscored one and a "not affected" statement */
	iota_vuln_match m[4];
	memset(m, 0, sizeof m);
	m[0] = (iota_vuln_match){.cve = "CVE-2016-2107", .status = IOTA_VULN_AFFECTED,
				 .confidence = "confirmed", .cvss3 = 5.9, .cvss4 = -1, .kev = 1};
	m[1] = (iota_vuln_match){.cve = "CVE-2016-2105", .status = IOTA_VULN_AFFECTED,
				 .confidence = "confirmed", .cvss3 = 7.5, .cvss4 = -1};
	m[2] = (iota_vuln_match){.cve = "CVE-2099-0001", .status = IOTA_VULN_UNKNOWN, .cvss3 = -1,
				 .cvss4 = -1};
	m[3] = (iota_vuln_match){.cve = "CVE-2099-0002", .status = IOTA_VULN_NOT_AFFECTED,
				 .cvss3 = 9.8, .cvss4 = -1};
	iota_vuln_result r = {.matches = m, .count = 4, .identity_known = 1, .unknown = 1};
	c->vulns = &r;
	c->exposure = IOTA_EXPO_LISTENING;
	s->vulndb_summary = "test";

	const char *pol = side_file("p.yaml", "require: [no-kev]\n");
	assert_int_equal(assess(s, "p", NULL, NULL, pol, "high", NULL), IOTA_OK);
	const iota_assessment *A = s->assessment;
	assert_true(A->vulns_matched);
	/* vuln.kev (answering vuln.medium too), vuln.high, one vuln.unassessed, sbom.components */
	assert_int_equal(A->nvuln_findings, 4);
	assert_string_equal(A->vuln_findings[0].check, "vuln.kev");
	assert_int_equal(A->vuln_findings[0].severity, IOTA_SEV_MEDIUM);
	assert_string_equal(A->vuln_findings[1].check, "vuln.high");
	assert_string_equal(A->vuln_findings[2].check, "vuln.unassessed");
	assert_string_equal(A->vuln_findings[3].check, "sbom.components");
	/* the KEV check ran and failed P6 */
	const iota_provision_result *pr = verdict(s, "std-a:P6");
	assert_int_equal(pr->verdict, IOTA_VERDICT_FAIL);
	assert_non_null(strstr(pr->findings[0]->message, "CVE-2016-2107"));
	/* risk: medium 5 x (0.5 + 0.45) x 1.5 (KEV) x 1.25 (listening) = 8.9 */
	int seen = 0;
	for (size_t i = 0; i < A->nrisks; i++)
		if (strcmp(A->risks[i].finding->check, "vuln.kev") == 0) {
			assert_float_equal(A->risks[i].score, 8.9, 1e-9);
			assert_string_equal(A->risks[i].exposure, "known exploited, listening");
			seen = 1;
		}
	assert_true(seen);
	/* the gate: the KEV, and --fail-on high catches the confirmed high one */
	assert_true(has_reason(s, "policy requires no-kev: vuln.kev"));
	assert_true(has_reason(s, "--fail-on high: vuln.high"));
	assert_false(has_reason(s, "CVE-2099-0002"));

	/* accepting the CVE by its id takes it out of P6 and the gate */
	const char *t = side_file("t.yaml", "accept:\n  - finding: CVE-2016-2107\n"
					    "    justification: \"not reachable: no TLS server\"\n"
					    "    compensating_control: c\n    owner: o\n"
					    "    expires: 2027-01-31\n");
	assert_int_equal(assess(s, "p", NULL, t, pol, NULL, NULL), IOTA_OK);
	assert_int_equal(verdict(s, "std-a:P6")->verdict, IOTA_VERDICT_ACCEPTED);
	assert_int_equal(iota_gate_reasons(s), 0);
	c->vulns = NULL;
	iota_scan_free(s);
}

/* ---- every allocation failing in turn ---- */

static char *report(iota_scan *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	iota_rc a = iota_report_write(s, IOTA_FORMAT_JSON, f, 0);
	iota_rc b = iota_report_write(s, IOTA_FORMAT_TEXT, f, 0);
	assert_true(a == IOTA_OK || a == IOTA_FATAL || a == IOTA_NOMEM);
	assert_true(b == IOTA_OK || b == IOTA_FATAL || b == IOTA_NOMEM);
	fclose(f);
	return buf;
}

static void test_alloc_fail(void **state)
{
	(void)state;
	weak_tree();
	put("etc/os-release", "NAME=x\nSUPPORT_END=2020-01-01\n");
	const char *ev = side_file("ev.yaml", "vdp_url: https://example.com/p\nsbom_available: true\n");
	const char *tl = side_file("tl.yaml", "accept:\n  - check: cred\n    justification: j\n"
					      "    compensating_control: c\n    owner: o\n"
					      "    expires: 2027-01-31\n");
	const char *po = side_file("po.yaml", "require: [no-kev, cvd-contact, cred]\nmax_risk: 1\n");
	iota_scan *s = scan();
	assert_int_equal(assess(s, "p", ev, tl, po, "low", NULL), IOTA_OK);
	char *baseline = report(s);
	iota_scan_free(s);
	long clean = 0, failed = 0;
	for (long n = 0; n < 20000 && clean < 5; n++) {
		s = scan();
		iota_alloc_fail_after(n);
		iota_rc rc = assess(s, "p", ev, tl, po, "low", NULL);
		iota_alloc_fail_after(-1);
		assert_true(rc == IOTA_OK || rc == IOTA_NOMEM || rc == IOTA_FATAL);
		if (rc != IOTA_OK)
			assert_null(s->assessment);
		char *rep = report(s);
		if (rc == IOTA_OK && strcmp(rep, baseline) == 0)
			clean++;
		else {
			clean = 0;
			failed++;
		}
		free(rep);
		iota_scan_free(s);
	}
	assert_true(clean == 5);
	assert_true(failed > 10); /* the assessment does allocate: failures were met */
	free(baseline);
}

/* The embedded catalog (data/catalog/) loads without error when present. */
static void test_embedded(void **state)
{
	(void)state;
	iota_catalog *c = NULL;
	char err[512];
	iota_rc rc = iota_catalog_load(&c, NULL, err, sizeof err);
	if (rc != IOTA_OK && strstr(err, "missing from the embedded catalog"))
		skip();
	if (rc != IOTA_OK)
		fail_msg("the embedded catalog: %s", err);
	assert_true(c->nstandards > 0 && c->nchecks > 0 && c->nprofiles > 0);
	assert_non_null(iota_catalog_profile(c, "consumer"));
	iota_catalog_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_loader_errors, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_verdicts, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_clean_and_levels, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_evidence, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_image_evidence, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_tailoring, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_risk, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_gate, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_vulns, setup_all, teardown_all),
		cmocka_unit_test_setup_teardown(test_alloc_fail, setup_all, teardown_all),
		cmocka_unit_test(test_embedded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
