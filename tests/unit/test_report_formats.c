/* Unit tests: the SARIF, HTML and CSV writers (src/report/report_{sarif,
 * html,csv}.c) on a real scan of a small tree with planted weaknesses and a
 * hostile file name, once as it is and once with an assessment and
 * vulnerability matches attached by hand (the shapes of src/assess/assess.h
 * and iotaudit/vulndb.h), so the writers are tested on every field they
 * show whether or not the engine and the matcher are built in. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess/assess.h"
#include "core/component.h"
#include "iotaudit/vulndb.h"
#include "report/report.h"
#include "tree.h"
#include "unit.h"
#include "util/alloc.h"

#define HOSTILE "<img src=x onerror=alert(1)>\"'&.conf.bak"

static char *render(iota_scan *s, iota_format f, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	assert_non_null(m);
	assert_int_equal(iota_report_write(s, f, m, 0), IOTA_OK);
	assert_int_equal(fclose(m), 0);
	if (len)
		*len = n;
	return buf;
}

static iota_scan *planted(void)
{
	rootfs();
	put("etc/shadow", "root::19000:0:99999:7:::\n");
	put("etc/" HOSTILE, "password=secret\n");
	put("etc/lighttpd.conf.orig", "server.port = 80\n");
	iota_scan *s = scan();
	assert_true(count(s, "cred.empty-password", NULL) >= 1);
	assert_true(count(s, "cfg.backup-file", NULL) >= 2);
	return s;
}

static size_t count_sub(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- without an assessment ---- */

static void test_sarif_plain(void **state)
{
	(void)state;
	iota_scan *s = planted();
	char *out = render(s, IOTA_FORMAT_SARIF, NULL);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), s->nfindings);
	json_t *rules =
	    json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	/* one rule per distinct finding check id, and every ruleIndex points at its rule */
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "ruleId"));
		json_t *rule = json_array_get(
		    rules, (size_t)json_integer_value(json_object_get(r, "ruleIndex")));
		assert_non_null(rule);
		assert_string_equal(json_string_value(json_object_get(rule, "id")), id);
		assert_non_null(json_object_get(r, "locations"));
		assert_null(json_object_get(r, "suppressions"));
		if (strcmp(id, "cred.empty-password") == 0)
			assert_string_equal(json_string_value(json_object_get(r, "level")),
			                    "error");
	}
	/* the hostile name is a percent-encoded URI and the origin chain a logical location */
	assert_non_null(
	    strstr(out, "etc/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%22%27%26.conf.bak"));
	json_t *ll = json_object_get(run, "logicalLocations");
	assert_true(json_array_size(ll) >= 2);
	json_array_foreach(ll, i, r)
	{
		json_t *p = json_object_get(r, "parentIndex");
		if (p)
			assert_true(json_integer_value(p) < (json_int_t)i);
	}
	/* deterministic */
	char *again = render(s, IOTA_FORMAT_SARIF, NULL);
	assert_string_equal(out, again);
	free(again);
	json_decref(doc);
	free(out);
	iota_scan_free(s);
}

static void test_csv_plain(void **state)
{
	(void)state;
	iota_scan *s = planted();
	char *out = render(s, IOTA_FORMAT_CSV, NULL);
	assert_int_equal(
	    strncmp(out, "check,severity,confidence,origin,offset,line,message,evidence\r\n", 63),
	    0);
	assert_int_equal(count_sub(out, "\r\n"), s->nfindings + 1);
	/* a quote inside a field is doubled and the field quoted */
	assert_non_null(strstr(out, "alert(1)>\"\"'&.conf.bak"));
	free(out);
	iota_scan_free(s);
}

static void test_html_plain(void **state)
{
	(void)state;
	iota_scan *s = planted();
	char *out = render(s, IOTA_FORMAT_HTML, NULL);
	assert_int_equal(strncmp(out, "<!DOCTYPE html>", 15), 0);
	assert_null(strstr(out, "<img"));
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "http://"));
	assert_non_null(strstr(out, "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;.conf.bak"));
	assert_non_null(strstr(out, "not assessed"));
	assert_non_null(strstr(out, "</html>"));
	free(out);
	iota_scan_free(s);
}

/* ---- with an assessment and matches ---- */

static iota_standard stds[2] = {
    {.id = "etsi-en-303-645", .title = "ETSI EN 303 645 V3.1.3", .scope = "consumer"},
    {.id = "uk-psti", .title = "UK PSTI", .scope = "consumer"}};
static iota_provision provs[3] = {{.standard = &stds[0],
                                   .id = "5.1-1",
                                   .title = "No universal default passwords",
                                   .obligation = "mandatory",
                                   .verify = "image"},
                                  {.standard = &stds[0],
                                   .id = "5.2-1",
                                   .title = "Vulnerability disclosure policy",
                                   .obligation = "mandatory",
                                   .verify = "documentation"},
                                  {.standard = &stds[1],
                                   .id = "1(1)",
                                   .title = "Passwords, \"unique\" per device",
                                   .obligation = "mandatory",
                                   .verify = "partial"}};
static const char *cred_pat[] = {"cred.*", NULL};
static const char *cfg_pat[] = {"cfg.backup-file", NULL};
static const iota_provision *cred_serves[] = {&provs[0], &provs[2], NULL};
static const iota_provision *cfg_serves[] = {&provs[0], NULL};
static iota_check checks[2] = {{.id = "cred.passwords",
                                .title = "Weak or missing passwords",
                                .description = "Accounts log in without a password.",
                                .why = "Anyone can log in.",
                                .fix = "Set a unique password per device.",
                                .findings = cred_pat,
                                .provisions = cred_serves},
                               {.id = "cfg.leftovers",
                                .title = "Leftover files",
                                .description = "Backup copies.",
                                .why = "Old secrets.",
                                .fix = "Remove them.",
                                .findings = cfg_pat,
                                .provisions = cfg_serves}};
static iota_catalog cat = {.standards = stds,
                           .nstandards = 2,
                           .provisions = provs,
                           .nprovisions = 3,
                           .checks = checks,
                           .nchecks = 2};

static iota_vuln_match matches[3] = {{.cve = "CVE-2016-2107",
                                      .status = IOTA_VULN_AFFECTED,
                                      .status_text = "affected",
                                      .cvss3 = 5.9,
                                      .cvss4 = -1,
                                      .description = "padding oracle"},
                                     {.cve = "CVE-2014-0160",
                                      .status = IOTA_VULN_AFFECTED,
                                      .status_text = "affected",
                                      .cvss3 = 7.5,
                                      .cvss4 = -1,
                                      .kev = 1,
                                      .kev_ransomware = "Known",
                                      .description = "Heartbleed"},
                                     {.cve = "CVE-2099-0001",
                                      .status = IOTA_VULN_NOT_AFFECTED,
                                      .status_text = "not affected",
                                      .cvss3 = -1,
                                      .cvss4 = -1}};
static iota_vuln_result vres = {.matches = matches, .count = 3, .identity_known = 1};

static iota_finding vfind;
static iota_tailoring tail;

static void attach(iota_scan *s, iota_assessment *a, iota_standard_result *sr,
                   iota_provision_result *pr, iota_finding_risk *risks, const iota_finding **fail,
                   const iota_finding **acc, const iota_check **chk)
{
	const iota_finding *empty = NULL, *backup = NULL;
	for (size_t i = 0; i < s->nfindings; i++) {
		if (!strcmp(s->findings[i].check, "cred.empty-password"))
			empty = &s->findings[i];
		if (!strcmp(s->findings[i].check, "cfg.backup-file") &&
		    strstr(s->findings[i].message, "lighttpd"))
			backup = &s->findings[i];
	}
	assert_non_null(empty);
	assert_non_null(backup);
	fail[0] = empty;
	acc[0] = backup;
	chk[0] = &checks[0];
	pr[0] = (iota_provision_result){.provision = &provs[0],
	                                .verdict = IOTA_VERDICT_FAIL,
	                                .reason =
	                                    "cred.empty-password: root logs in, without a password",
	                                .checks = chk,
	                                .findings = fail};
	pr[1] =
	    (iota_provision_result){.provision = &provs[1],
	                            .verdict = IOTA_VERDICT_NEEDS_EVIDENCE,
	                            .reason = "=HYPERLINK(\"x\") only documentation answers it"};
	pr[2] = (iota_provision_result){.provision = &provs[2],
	                                .verdict = IOTA_VERDICT_ACCEPTED,
	                                .reason = "tailored",
	                                .findings = acc,
	                                .justification = "port closed, <b>console only</b>",
	                                .owner = "ops",
	                                .expires = "2099-01-01"};
	sr[0] = (iota_standard_result){.standard = &stds[0], .results = pr, .nresults = 2};
	sr[0].counts[IOTA_VERDICT_FAIL] = 1;
	sr[0].counts[IOTA_VERDICT_NEEDS_EVIDENCE] = 1;
	sr[1] = (iota_standard_result){.standard = &stds[1], .results = pr + 2, .nresults = 1};
	sr[1].counts[IOTA_VERDICT_ACCEPTED] = 1;
	for (size_t i = 0; i < s->nfindings; i++)
		risks[i] = (iota_finding_risk){.finding = &s->findings[i],
		                               .score = 1.0,
		                               .accepted = &s->findings[i] == backup};
	/* the engine's pseudo-finding of one match, accepted by a tailoring item naming the CVE */
	iota_node *n = node_at(s, "etc/shadow");
	vfind = (iota_finding){.check = "vuln.medium",
	                       .severity = IOTA_SEV_MEDIUM,
	                       .node = n,
	                       .offset = UINT64_MAX,
	                       .message = "CVE-2016-2107 in openssl",
	                       .evidence = "CVE-2016-2107"};
	risks[s->nfindings] = (iota_finding_risk){.finding = &vfind, .score = 4.2, .accepted = 1};
	tail = (iota_tailoring){.kind = "finding",
	                        .id = "CVE-2016-2107",
	                        .justification = "AES-NI path not built",
	                        .expires = "2099-01-01"};
	static const char *reasons[] = {"critical finding cred.empty-password", NULL};
	*a = (iota_assessment){.catalog = &cat,
	                       .profile = "consumer",
	                       .today = "2026-11-23",
	                       .standards = sr,
	                       .nstandards = 2,
	                       .risks = risks,
	                       .nrisks = s->nfindings + 1,
	                       .risk = 9.1,
	                       .risk_formula = "max of findings",
	                       .gate_asked = 1,
	                       .gate_reasons = reasons,
	                       .ngate_reasons = 1};
	a->vuln_findings = &vfind;
	a->nvuln_findings = 1;
	a->tailoring = &tail;
	a->ntailoring = 1;
	s->assessment = a;

	iota_component *c = iota_component_add(s, "openssl", "1.0.2k", n, IOTA_REL_CONTAINS,
	                                       IOTA_EV_SIGNATURE, "OpenSSL 1.0.2k", 16);
	assert_non_null(c);
	c->vulns = &vres;
	c->exposure = IOTA_EXPO_LISTENING;
}

#define ASSESSED                                                                                   \
	iota_scan *s = planted();                                                                  \
	iota_assessment a;                                                                         \
	iota_standard_result sr[2];                                                                \
	iota_provision_result pr[3];                                                               \
	iota_finding_risk *risks = calloc(s->nfindings + 1, sizeof *risks);                        \
	const iota_finding *fail[2] = {0}, *acc[2] = {0};                                          \
	const iota_check *chk[2] = {0};                                                            \
	attach(s, &a, sr, pr, risks, fail, acc, chk)

/* the matches are static: the scan must not free them */
#define DONE                                                                                       \
	for (iota_component *c_ = s->components; c_; c_ = c_->next)                                \
		c_->vulns = NULL;                                                                  \
	s->assessment = NULL;                                                                      \
	free(risks);                                                                               \
	iota_scan_free(s)

static json_t *rule_by_id(json_t *rules, const char *id)
{
	size_t i;
	json_t *r;
	json_array_foreach(
	    rules, i, r) if (!strcmp(json_string_value(json_object_get(r, "id")), id)) return r;
	return NULL;
}

static void test_sarif_assessed(void **state)
{
	(void)state;
	ASSESSED;
	char *out = render(s, IOTA_FORMAT_SARIF, NULL);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err);
	assert_non_null(doc);
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *rules =
	    json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	/* the catalog's checks come first, with help text and the provisions they serve */
	json_t *r = json_array_get(rules, 0);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "cred.passwords");
	const char *help = json_string_value(json_object_get(json_object_get(r, "help"), "text"));
	assert_non_null(strstr(help, "Why it matters: Anyone can log in."));
	assert_non_null(strstr(help, "How to fix: Set a unique password per device."));
	json_t *pv = json_object_get(json_object_get(r, "properties"), "provisions");
	assert_int_equal(json_array_size(pv), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(pv, 1), "standard")),
	                    "uk-psti");
	assert_int_equal(json_array_size(json_object_get(r, "relationships")), 2);
	assert_int_equal(json_array_size(json_object_get(run, "taxonomies")), 2);
	/* one rule per CVE, CVSS as security-severity */
	json_t *hb = rule_by_id(rules, "CVE-2014-0160");
	assert_non_null(hb);
	assert_string_equal(json_string_value(json_object_get(json_object_get(hb, "properties"),
	                                                      "security-severity")),
	                    "7.5");
	/* results: every finding and every match; the finding served by the catalog check */
	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), s->nfindings + 3);
	size_t i, suppressed = 0, cred = 0;
	json_array_foreach(results, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "ruleId"));
		assert_string_not_equal(id, "cred.empty-password");
		cred += !strcmp(id, "cred.passwords");
		json_t *sup = json_object_get(r, "suppressions");
		if (sup) {
			suppressed++;
			json_t *s0 = json_array_get(sup, 0);
			assert_string_equal(json_string_value(json_object_get(s0, "status")),
			                    "accepted");
			if (!strcmp(id, "cfg.leftovers"))
				assert_string_equal(
				    json_string_value(json_object_get(s0, "justification")),
				    "port closed, <b>console only</b>");
			else if (!strcmp(id, "CVE-2016-2107"))
				assert_string_equal(
				    json_string_value(json_object_get(s0, "justification")),
				    "AES-NI path not built");
			else
				assert_string_equal(id, "CVE-2099-0001");
		}
	}
	assert_true(cred >= 1);
	assert_int_equal(suppressed, 3);
	json_t *props = json_object_get(json_object_get(run, "properties"), "assessment");
	assert_string_equal(json_string_value(json_object_get(props, "gate")), "failed");
	json_decref(doc);
	free(out);
	DONE;
}

static void test_csv_assessed(void **state)
{
	(void)state;
	ASSESSED;
	char *out = render(s, IOTA_FORMAT_CSV, NULL);
	assert_int_equal(count_sub(out, "\r\n"), 1 + 3);
	assert_non_null(strstr(out,
	                       "standard,provision,title,obligation,verify,verdict,reason,checks,"
	                       "findings,evidence,justification,expires\r\n"));
	assert_non_null(strstr(out,
	                       "etsi-en-303-645,5.1-1,No universal default passwords,mandatory,"
	                       "image,fail,\"cred.empty-password: root logs in, without a "
	                       "password\",cred.passwords,1,,,\r\n"));
	/* a formula is shown as text; quotes doubled */
	assert_non_null(strstr(out, ",\"'=HYPERLINK(\"\"x\"\") only documentation answers it\","));
	assert_non_null(strstr(out,
	                       "uk-psti,1(1),\"Passwords, \"\"unique\"\" per device\",mandatory,"
	                       "partial,accepted,tailored,,1,,\"port closed, <b>console only</b>\","
	                       "2099-01-01\r\n"));
	free(out);
	DONE;
}

static void test_html_assessed(void **state)
{
	(void)state;
	ASSESSED;
	char *out = render(s, IOTA_FORMAT_HTML, NULL);
	assert_null(strstr(out, "<img"));
	assert_null(strstr(out, "<b>"));
	assert_non_null(strstr(out, "port closed, &lt;b&gt;console only&lt;/b&gt;"));
	assert_non_null(strstr(out, "9.1 / 10"));
	assert_non_null(strstr(out, "accepted</span> AES-NI path not built"));
	assert_non_null(strstr(out, "FAILED"));
	assert_non_null(strstr(out, "critical finding cred.empty-password"));
	/* the KEV match is listed first and highlighted */
	const char *kev = strstr(out, "<tr class=\"kev\">");
	assert_non_null(kev);
	assert_non_null(strstr(kev, "CVE-2014-0160"));
	assert_true(strstr(kev, "CVE-2014-0160") < strstr(out, "CVE-2016-2107"));
	/* a stacked bar per standard and a table of provisions */
	assert_non_null(strstr(out, "<title>Verdicts per standard</title>"));
	assert_non_null(strstr(out, "id=\"std-uk-psti\""));
	assert_non_null(strstr(out, "Passwords, &quot;unique&quot; per device"));
	char *again = render(s, IOTA_FORMAT_HTML, NULL);
	assert_string_equal(out, again);
	free(again);
	free(out);
	DONE;
}

/* Every allocation of the writers failing in turn: a report written, or
 * refused with NOMEM/FATAL, never a crash (leaks show in the ASan build). */
static void test_alloc_fail(void **state)
{
	(void)state;
	ASSESSED;
	static const iota_format fmts[] = {IOTA_FORMAT_SARIF, IOTA_FORMAT_HTML, IOTA_FORMAT_CSV};
	for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
		int done = 0;
		for (long n = 0; n < 10000 && !done; n++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);
			assert_non_null(m);
			iota_alloc_fail_after(n);
			iota_rc rc = iota_report_write(s, fmts[k], m, 0);
			iota_alloc_fail_after(-1);
			fclose(m);
			free(buf);
			assert_true(rc == IOTA_OK || rc == IOTA_NOMEM || rc == IOTA_FATAL);
			done = rc == IOTA_OK;
		}
		assert_true(done);
	}
	DONE;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sarif_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_html_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sarif_assessed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_assessed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_html_assessed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alloc_fail, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
