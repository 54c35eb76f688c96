/*
 * Vulnerability matching against real records (../shared/data: NVD, CVE
 * JSON 5, CISA KEV; the expectations are those of the data's READMEs and of
 * issues 5 and 9) and against small hand-written records for the cases the
 * real ones lack (negated nodes, a product that is only the platform,
 * rejected records, OSV distro ranges).
 *
 * $IOTA_SHARED_DIR (or argv[1]) points at ../shared; without it the tests
 * with real records are skipped with a message.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iotaudit/vulndb.h"

static const char *shared_dir;
static char tmpdir[256];
static iota_vulndb *real_db;  /* the shared records */
static iota_vulndb *synth_db; /* hand-written records */

static int have_shared(void)
{
	char p[512];
	struct stat st;
	if (!shared_dir)
		return 0;
	snprintf(p, sizeof p, "%s/data/nvd/nvd-subset.json", shared_dir);
	return stat(p, &st) == 0;
}

#define NEED_SHARED()                                                                              \
	do {                                                                                       \
		if (!real_db) {                                                                    \
			print_message(                                                             \
			    "skipped: ../shared/data not found (set IOTA_SHARED_DIR)\n");          \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static iota_vuln_result *match4(iota_vulndb *db, const char *name, const char *version,
                                const char *vendor, const char *eco, unsigned flags)
{
	iota_vuln_query q = {
	    .name = name, .version = version, .vendor = vendor, .ecosystem = eco, .flags = flags};
	iota_vuln_result *r = NULL;
	if (iota_vulndb_match(db, &q, &r) != IOTA_OK)
		fail_msg("match %s %s: %s", name, version, iota_vulndb_error(db));
	return r;
}

static iota_vuln_result *match(const char *name, const char *version)
{
	return match4(real_db, name, version, NULL, NULL, 0);
}

static iota_vuln_result *match_all(const char *name, const char *version)
{
	return match4(real_db, name, version, NULL, NULL, IOTA_VULN_INCLUDE_NOT_AFFECTED);
}

static const iota_vuln_match *find(const iota_vuln_result *r, const char *cve)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->matches[i].cve, cve) == 0)
			return &r->matches[i];
	return NULL;
}

static const iota_vuln_evidence *evidence(const iota_vuln_match *m, const char *source)
{
	for (size_t i = 0; m && i < m->nevidence; i++)
		if (strcmp(m->evidence[i].source, source) == 0)
			return &m->evidence[i];
	return NULL;
}

static size_t n_status(const iota_vuln_result *r, iota_vuln_status s)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += r->matches[i].status == s;
	return n;
}

static void expect(const iota_vuln_result *r, const char *cve, iota_vuln_status s)
{
	const iota_vuln_match *m = find(r, cve);
	if (!m)
		fail_msg("%s: expected %s, not found", cve, iota_vuln_status_name(s));
	if (m->status != s)
		fail_msg("%s: expected %s, got %s (%s)", cve, iota_vuln_status_name(s),
		         iota_vuln_status_name(m->status), m->status_text);
}

static void expect_none(const iota_vuln_result *r, const char *cve)
{
	const iota_vuln_match *m = find(r, cve);
	if (m)
		fail_msg("%s: expected no match, got %s (%s)", cve,
		         iota_vuln_status_name(m->status), m->status_text);
}

/* ---- README expectations ---- */

static void test_busybox(void **state)
{
	(void)state;
	NEED_SHARED();
	iota_vuln_result *r = match("busybox", "1.35.0");
	expect(r, "CVE-2022-48174", IOTA_VULN_AFFECTED);
	expect(r, "CVE-2022-28391", IOTA_VULN_AFFECTED);
	assert_string_equal(evidence(find(r, "CVE-2022-48174"), "nvd-cpe")->range,
	                    "busybox:busybox <= 1.36.1");
	assert_true(find(r, "CVE-2022-48174")->cvss3 > 9.7);
	assert_string_equal(find(r, "CVE-2022-48174")->confidence, "confirmed");
	expect_none(r, "CVE-2023-42366"); /* 1.36.1 only */
	expect_none(r, "CVE-2016-2148");  /* fixed long ago */
	/* Received records that name BusyBox without a range: unknown, never dropped */
	for (int i = 0; i < 3; i++) {
		static const char *const ids[] = {"CVE-2023-42363", "CVE-2023-42364",
		                                  "CVE-2023-42365"};
		expect(r, ids[i], IOTA_VULN_UNKNOWN);
		const iota_vuln_match *m = find(r, ids[i]);
		assert_non_null(strstr(m->status_text, "awaiting analysis mentions the product"));
		assert_string_equal(m->confidence, "unassessed");
	}
	assert_int_equal(r->unknown, 3);
	assert_int_equal(n_status(r, IOTA_VULN_AFFECTED), 2);
	/* affected first */
	assert_int_equal(r->matches[0].status, IOTA_VULN_AFFECTED);
	iota_vuln_result_free(r);

	r = match("busybox", "1.36.1");
	expect(r, "CVE-2023-42366", IOTA_VULN_AFFECTED);
	expect(r, "CVE-2022-48174", IOTA_VULN_AFFECTED);
	expect_none(r, "CVE-2022-28391");
	/* "in BusyBox v.1.36.1" names exactly this version: a candidate */
	expect(r, "CVE-2023-42364", IOTA_VULN_UNKNOWN);
	assert_string_equal(find(r, "CVE-2023-42364")->confidence, "candidate");
	iota_vuln_result_free(r);

	/* BusyBox's upper-case spelling and the vendor find the same */
	r = match4(real_db, "BusyBox", "1.35.0", "busybox", NULL, 0);
	expect(r, "CVE-2022-28391", IOTA_VULN_AFFECTED);
	iota_vuln_result_free(r);
}

static void test_dnsmasq(void **state)
{
	(void)state;
	NEED_SHARED();
	iota_vuln_result *r = match("dnsmasq", "2.89");
	expect(r, "CVE-2023-28450", IOTA_VULN_AFFECTED);
	expect(r, "CVE-2023-50387", IOTA_VULN_AFFECTED);
	assert_int_equal(r->count, 2);
	iota_vuln_result_free(r);
	r = match("dnsmasq", "2.90");
	assert_int_equal(r->count, 0);
	iota_vuln_result_free(r);
	r = match_all("dnsmasq", "2.90");
	expect(r, "CVE-2023-28450", IOTA_VULN_NOT_AFFECTED);
	assert_string_equal(evidence(find(r, "CVE-2023-28450"), "nvd-cpe")->note,
	                    "outside NVD's affected ranges");
	iota_vuln_result_free(r);
	r = match("dnsmasq", "2.77");
	expect(r, "CVE-2017-14491", IOTA_VULN_AFFECTED); /* <= 2.77 */
	iota_vuln_result_free(r);
	r = match("dnsmasq", "2.78");
	expect_none(r, "CVE-2017-14491");
	iota_vuln_result_free(r);
}

static void test_dropbear_openssh(void **state)
{
	(void)state;
	NEED_SHARED();
	iota_vuln_result *r = match("dropbear", "2022.83");
	assert_int_equal(n_status(r, IOTA_VULN_AFFECTED), 0);
	/* Terrapin: no NVD configurations, CNA "n/a": the description's words */
	expect(r, "CVE-2023-48795", IOTA_VULN_UNKNOWN);
	const iota_vuln_match *m = find(r, "CVE-2023-48795");
	assert_string_equal(m->confidence, "candidate");
	assert_string_equal(m->nvd_status, "Awaiting Analysis");
	assert_string_equal(m->status_text,
	                    "unknown: record awaiting analysis mentions the product");
	assert_non_null(strstr(evidence(m, "description")->note, "\"Dropbear through 2022.83\""));
	iota_vuln_result_free(r);

	r = match("dropbear", "2024.84");
	expect_none(r, "CVE-2023-48795");
	iota_vuln_result_free(r);

	r = match("dropbear", "2020.81");
	expect(r, "CVE-2021-36369", IOTA_VULN_AFFECTED); /* through 2020.81 */
	iota_vuln_result_free(r);

	r = match("openssh", "9.2p1");
	expect(r, "CVE-2023-48795", IOTA_VULN_UNKNOWN);
	assert_non_null(strstr(evidence(find(r, "CVE-2023-48795"), "description")->note,
	                       "\"OpenSSH before 9.6\""));
	iota_vuln_result_free(r);
	r = match("openssh", "9.6p1");
	expect_none(r, "CVE-2023-48795");
	iota_vuln_result_free(r);
	r = match_all("openssh", "9.6p1");
	expect(r, "CVE-2023-48795", IOTA_VULN_NOT_AFFECTED);
	assert_string_equal(find(r, "CVE-2023-48795")->confidence, "candidate");
	iota_vuln_result_free(r);
}

static void test_openssl(void **state)
{
	(void)state;
	NEED_SHARED();
	/* issue 9: from the CNA ranges although NVD has no configurations */
	iota_vuln_result *r = match("openssl", "3.0.12");
	expect(r, "CVE-2024-5535", IOTA_VULN_AFFECTED);
	expect(r, "CVE-2024-0727", IOTA_VULN_AFFECTED);
	const iota_vuln_match *m = find(r, "CVE-2024-5535");
	assert_string_equal(m->nvd_status, "Awaiting Analysis");
	assert_string_equal(m->confidence, "confirmed");
	assert_string_equal(evidence(m, "cve5-cna")->range,
	                    "openssl/openssl >= 3.0.0, < 3.0.15 (semver)");
	assert_non_null(evidence(m, "cve5-adp")); /* CISA's CPE ranges agree */
	expect_none(r, "CVE-2022-3602");          /* NVD and the CNA's text: 3.0.0-3.0.6 */
	expect_none(r, "CVE-2023-5363");          /* < 3.0.12 */
	iota_vuln_result_free(r);

	r = match("openssl", "3.0.15");
	expect_none(r, "CVE-2024-5535");
	expect_none(r, "CVE-2024-0727");
	assert_int_equal(r->count, 0);
	iota_vuln_result_free(r);
	r = match_all("openssl", "3.0.15");
	expect(r, "CVE-2024-5535", IOTA_VULN_NOT_AFFECTED);
	assert_non_null(strstr(evidence(find(r, "CVE-2024-5535"), "cve5-cna")->range,
	                       "defaultStatus unaffected"));
	iota_vuln_result_free(r);

	/* letter releases: w < x < za */
	r = match("openssl", "1.1.1w");
	expect(r, "CVE-2024-5535", IOTA_VULN_AFFECTED);
	expect(r, "CVE-2024-0727", IOTA_VULN_AFFECTED);
	iota_vuln_result_free(r);
	r = match("openssl", "1.1.1x");
	expect(r, "CVE-2024-5535", IOTA_VULN_AFFECTED);
	expect_none(r, "CVE-2024-0727");
	iota_vuln_result_free(r);
	r = match("openssl", "1.0.2k");
	expect(r, "CVE-2024-0727", IOTA_VULN_AFFECTED);
	expect(r, "CVE-2023-0286", IOTA_VULN_AFFECTED);
	assert_non_null(evidence(find(r, "CVE-2023-0286"), "nvd-cpe"));
	assert_non_null(evidence(find(r, "CVE-2023-0286"), "cve5-cna"));
	iota_vuln_result_free(r);

	/* CVE-2022-3602: NVD's range, and the CNA's free-text list as a candidate */
	r = match("openssl", "3.0.5");
	expect(r, "CVE-2022-3602", IOTA_VULN_AFFECTED);
	m = find(r, "CVE-2022-3602");
	assert_int_equal(evidence(m, "nvd-cpe")->status, IOTA_VULN_AFFECTED);
	assert_int_equal(evidence(m, "cve5-cna")->status, IOTA_VULN_UNKNOWN);
	assert_non_null(strstr(evidence(m, "cve5-cna")->note, "names this version"));
	iota_vuln_result_free(r);
	r = match("openssl", "3.0.7");
	expect_none(r, "CVE-2022-3602");
	iota_vuln_result_free(r);
	/* the free-text list alone (NVD's configurations aside): a candidate for
	 * exactly 3.0.0 ... 3.0.6, nothing else */
	static const char *const listed[] = {"3.0.0", "3.0.1", "3.0.2", "3.0.3",
	                                     "3.0.4", "3.0.5", "3.0.6"};
	for (size_t i = 0; i < 7; i++) {
		r = match("openssl", listed[i]);
		m = find(r, "CVE-2022-3602");
		if (!m)
			fail_msg("openssl %s: CVE-2022-3602 missing", listed[i]);
		const iota_vuln_evidence *e = evidence(m, "cve5-cna");
		assert_non_null(e);
		assert_int_equal(e->status, IOTA_VULN_UNKNOWN);
		assert_non_null(strstr(e->note, "names this version"));
		iota_vuln_result_free(r);
	}
	static const char *const not_listed[] = {"3.0.7", "3.0.12", "1.1.1s", "1.0.2zf", "3.1.0"};
	for (size_t i = 0; i < 5; i++) {
		r = match_all("openssl", not_listed[i]);
		m = find(r, "CVE-2022-3602");
		if (m && m->status != IOTA_VULN_NOT_AFFECTED)
			fail_msg("openssl %s: CVE-2022-3602 is %s", not_listed[i], m->status_text);
		const iota_vuln_evidence *e = m ? evidence(m, "cve5-cna") : NULL;
		if (e)
			assert_int_equal(e->status, IOTA_VULN_NOT_AFFECTED);
		iota_vuln_result_free(r);
	}
}

static void test_glibc_kev(void **state)
{
	(void)state;
	NEED_SHARED();
	iota_vuln_result *r = match("glibc", "2.36");
	expect(r, "CVE-2023-4911", IOTA_VULN_AFFECTED);
	const iota_vuln_match *m = find(r, "CVE-2023-4911");
	assert_true(m->kev);
	assert_string_equal(m->kev_due, "2023-12-12");
	assert_string_equal(m->kev_added, "2023-11-21");
	assert_non_null(strstr(evidence(m, "cve5-cna")->range, "sourceware"));
	/* Red Hat's rpm entries speak of Red Hat's builds: not evidence here */
	for (size_t i = 0; i < m->nevidence; i++)
		assert_null(strstr(m->evidence[i].range ? m->evidence[i].range : "", "redhat"));
	iota_vuln_result_free(r);
	r = match("glibc", "2.39");
	expect_none(r, "CVE-2023-4911");
	iota_vuln_result_free(r);
	/* a Debian build (its package version, the distro's ecosystem) with no
	 * OSV data imported: the upstream range, labelled as not knowing the
	 * distribution's backports */
	r = match4(real_db, "glibc", "2.36-9+deb12u2", NULL, "Debian:12", 0);
	expect(r, "CVE-2023-4911", IOTA_VULN_AFFECTED);
	m = find(r, "CVE-2023-4911");
	assert_string_equal(m->status_text,
	                    "affected (distro build: upstream range; backports not assessed)");
	assert_true(m->kev);
	assert_null(evidence(m, "osv"));
	iota_vuln_result_free(r);
	r = match4(real_db, "glibc", "2.39-0+deb13u1", NULL, "Debian:13", 0);
	expect_none(r, "CVE-2023-4911");
	iota_vuln_result_free(r);
	r = match("glibc", "2.33");
	expect_none(r, "CVE-2023-4911");
	iota_vuln_result_free(r);
}

static void test_kernel(void **state)
{
	(void)state;
	NEED_SHARED();
	/* per-branch ranges of the kernel CNA; git ranges cannot be ordered and do
	 * not hide the version ranges */
	iota_vuln_result *r = match("linux", "4.19.300");
	expect(r, "CVE-2024-36971", IOTA_VULN_AFFECTED);
	assert_true(find(r, "CVE-2024-36971")->kev);
	expect(r, "CVE-2025-21763", IOTA_VULN_AFFECTED);
	expect_none(r, "CVE-2025-21780"); /* introduced in 5.2 */
	expect_none(r, "CVE-2025-21826"); /* introduced in 6.8 */
	iota_vuln_result_free(r);
	r = match("linux", "6.1.100");
	expect_none(r, "CVE-2024-36971");                /* fixed in 6.1.94 */
	expect(r, "CVE-2025-21780", IOTA_VULN_AFFECTED); /* fixed in 6.1.129 */
	iota_vuln_result_free(r);
	r = match("linux", "6.1.129");
	expect_none(r, "CVE-2025-21780");
	iota_vuln_result_free(r);
	r = match("linux", "4.6");
	expect(r, "CVE-2024-36971", IOTA_VULN_AFFECTED); /* the introducing release */
	iota_vuln_result_free(r);
	r = match_all("linux", "4.5");
	expect(r, "CVE-2024-36971", IOTA_VULN_NOT_AFFECTED);
	iota_vuln_result_free(r);
}

static void test_conditional(void **state)
{
	(void)state;
	NEED_SHARED();
	/* CVE-2017-14491: "scalance_m-800_firmware < 5.0" AND the hardware */
	iota_vuln_result *r = match4(real_db, "scalance_m-800_firmware", "4.9", "siemens", NULL, 0);
	assert_false(r->identity_known);
	expect(r, "CVE-2017-14491", IOTA_VULN_CONDITIONAL);
	const iota_vuln_evidence *e = evidence(find(r, "CVE-2017-14491"), "nvd-cpe");
	assert_string_equal(e->condition, "cpe:2.3:h:siemens:scalance_m-800:-:*:*:*:*:*:*:*");
	assert_non_null(strstr(find(r, "CVE-2017-14491")->status_text, "scalance_m-800"));
	iota_vuln_result_free(r);
	/* the platform itself (vulnerable:false) is not what the CVE is about */
	r = match4(real_db, "scalance_m-800", "1.0", "siemens", NULL,
	           IOTA_VULN_INCLUDE_NOT_AFFECTED);
	assert_int_equal(r->count, 0);
	iota_vuln_result_free(r);
}

static void test_unknown_version(void **state)
{
	(void)state;
	NEED_SHARED();
	iota_vuln_result *r = match("dnsmasq", "");
	assert_true(r->count > 10);
	assert_int_equal(n_status(r, IOTA_VULN_AFFECTED), 0);
	assert_int_equal(r->unknown, r->count);
	iota_vuln_result_free(r);
}

/* ---- hand-written records ---- */

static const char synth_page[] =
    "{\"format\": \"NVD_CVE\", \"totalResults\": 4, \"vulnerabilities\": ["
    /* busybox only as the platform of a router's firmware */
    "{\"cve\": {\"id\": \"CVE-2099-1001\", \"vulnStatus\": \"Analyzed\", \"lastModified\": "
    "\"2099-01-01T00:00:00.000\", \"descriptions\": [{\"lang\": \"en\", \"value\": \"Acme "
    "router firmware before 2.0 running BusyBox lets attackers in.\"}], \"configurations\": "
    "[{\"operator\": \"AND\", \"nodes\": [{\"operator\": \"OR\", \"negate\": false, "
    "\"cpeMatch\": [{\"vulnerable\": true, \"criteria\": "
    "\"cpe:2.3:o:acme:router_firmware:*:*:*:*:*:*:*:*\", \"versionEndExcluding\": \"2.0\"}]}, "
    "{\"operator\": \"OR\", \"negate\": false, \"cpeMatch\": [{\"vulnerable\": false, "
    "\"criteria\": \"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\"}]}]}]}},"
    /* a negated node naming busybox */
    "{\"cve\": {\"id\": \"CVE-2099-1002\", \"vulnStatus\": \"Analyzed\", \"configurations\": "
    "[{\"operator\": \"AND\", \"nodes\": [{\"operator\": \"OR\", \"cpeMatch\": [{\"vulnerable\": "
    "true, \"criteria\": \"cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*\"}]}, {\"operator\": \"OR\", "
    "\"negate\": true, \"cpeMatch\": [{\"vulnerable\": true, \"criteria\": "
    "\"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\"}]}]}]}},"
    /* rejected */
    "{\"cve\": {\"id\": \"CVE-2099-1003\", \"vulnStatus\": \"Rejected\", \"descriptions\": "
    "[{\"lang\": \"en\", \"value\": \"** REJECT ** BusyBox through 9.9 was thought to...\"}], "
    "\"configurations\": [{\"nodes\": [{\"operator\": \"OR\", \"cpeMatch\": [{\"vulnerable\": "
    "true, \"criteria\": \"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\"}]}]}]}},"
    /* deferred, description only, with a range phrase */
    "{\"cve\": {\"id\": \"CVE-2099-1004\", \"vulnStatus\": \"Deferred\", \"descriptions\": "
    "[{\"lang\": \"en\", \"value\": \"An issue in BusyBox 1.30.0 through 1.36.0 allows "
    "attackers to do things.\"}]}},"
    /* an exact OpenSSH version with its portable update */
    "{\"cve\": {\"id\": \"CVE-2099-1005\", \"vulnStatus\": \"Analyzed\", \"configurations\": "
    "[{\"nodes\": [{\"operator\": \"OR\", \"cpeMatch\": [{\"vulnerable\": true, \"criteria\": "
    "\"cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*\"}]}]}]}},"
    /* the same product in an AND configuration and in a plain one */
    "{\"cve\": {\"id\": \"CVE-2099-1006\", \"vulnStatus\": \"Analyzed\", \"configurations\": "
    "[{\"operator\": \"AND\", \"nodes\": [{\"operator\": \"OR\", \"cpeMatch\": "
    "[{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*\", "
    "\"versionEndExcluding\": \"3.0\"}]}, {\"operator\": \"OR\", \"cpeMatch\": "
    "[{\"vulnerable\": false, \"criteria\": \"cpe:2.3:h:acme:board:-:*:*:*:*:*:*:*\"}]}]}, "
    "{\"nodes\": [{\"operator\": \"OR\", \"cpeMatch\": [{\"vulnerable\": true, "
    "\"criteria\": \"cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*\", \"versionEndExcluding\": "
    "\"2.0\"}]}]}]}}"
    "]}";

static void test_synthetic(void **state)
{
	(void)state;
	iota_vuln_result *r =
	    match4(synth_db, "busybox", "1.35.0", NULL, NULL, IOTA_VULN_INCLUDE_NOT_AFFECTED);
	expect_none(r, "CVE-2099-1001"); /* only the platform */
	expect_none(r, "CVE-2099-1002"); /* negated */
	expect_none(r, "CVE-2099-1003"); /* rejected */
	expect(r, "CVE-2099-1004", IOTA_VULN_UNKNOWN);
	const iota_vuln_match *m = find(r, "CVE-2099-1004");
	assert_string_equal(m->confidence, "candidate");
	assert_string_equal(m->status_text, "unknown: record deferred by NVD mentions the product");
	assert_non_null(strstr(evidence(m, "description")->note, "BusyBox 1.30.0 through 1.36.0"));
	iota_vuln_result_free(r);
	r = match4(synth_db, "busybox", "1.29.0", NULL, NULL, 0);
	expect_none(r, "CVE-2099-1004");
	iota_vuln_result_free(r);

	/* the firmware itself is a conditional match */
	r = match4(synth_db, "router_firmware", "1.5", "acme", NULL, 0);
	expect(r, "CVE-2099-1001", IOTA_VULN_CONDITIONAL);
	assert_string_equal(evidence(find(r, "CVE-2099-1001"), "nvd-cpe")->condition,
	                    "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*");
	iota_vuln_result_free(r);
	r = match4(synth_db, "tool", "1.0", "acme", NULL, 0);
	expect(r, "CVE-2099-1002", IOTA_VULN_CONDITIONAL);
	assert_non_null(strstr(find(r, "CVE-2099-1002")->status_text, "not cpe:2.3:a:busybox"));
	iota_vuln_result_free(r);

	/* a plain configuration outranks an AND one of the same CVE */
	r = match4(synth_db, "widget", "1.5", "acme", NULL, 0);
	expect(r, "CVE-2099-1006", IOTA_VULN_AFFECTED);
	iota_vuln_result_free(r);
	r = match4(synth_db, "widget", "2.5", "acme", NULL, 0);
	expect(r, "CVE-2099-1006", IOTA_VULN_CONDITIONAL);
	assert_string_equal(evidence(find(r, "CVE-2099-1006"), "nvd-cpe")->condition,
	                    "cpe:2.3:h:acme:board:-:*:*:*:*:*:*:*");
	iota_vuln_result_free(r);
	r = match4(synth_db, "widget", "3.0", "acme", NULL, 0);
	expect_none(r, "CVE-2099-1006");
	iota_vuln_result_free(r);

	/* CPE update field: openssh 9.2 + p1 */
	r = match4(synth_db, "openssh", "9.2p1", NULL, NULL, 0);
	expect(r, "CVE-2099-1005", IOTA_VULN_AFFECTED);
	iota_vuln_result_free(r);
	r = match4(synth_db, "openssh", "9.2p2", NULL, NULL, 0);
	expect_none(r, "CVE-2099-1005");
	iota_vuln_result_free(r);

	/* OSV: a distro build is matched with the distro's ranges */
	r = match4(synth_db, "glibc", "2.36-9+deb12u2", NULL, "Debian:12", 0);
	expect(r, "CVE-2023-4911", IOTA_VULN_AFFECTED);
	assert_non_null(evidence(find(r, "CVE-2023-4911"), "osv"));
	iota_vuln_result_free(r);
	r = match4(synth_db, "glibc", "2.36-9+deb12u3", NULL, "Debian", 0);
	expect_none(r, "CVE-2023-4911");
	iota_vuln_result_free(r);
	/* and never against an upstream version */
	r = match4(synth_db, "glibc", "2.36", NULL, NULL, 0);
	expect_none(r, "CVE-2023-4911");
	iota_vuln_result_free(r);
}

/* Matching 200 components: CPU time, printed; the bound only catches a
 * gross regression (sanitizer builds are several times slower). */
static void test_speed(void **state)
{
	(void)state;
	NEED_SHARED();
	static const char *const q[][2] = {{"busybox", "1.35.0"}, {"openssl", "1.0.2k"},
	                                   {"dnsmasq", "2.89"},   {"dropbear", "2022.83"},
	                                   {"glibc", "2.36"},     {"linux", "5.10.100"},
	                                   {"openssh", "9.2p1"},  {"zlib", "1.2.13"}};
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (int i = 0; i < 200; i++) {
		iota_vuln_result *r = match(q[i % 8][0], q[i % 8][1]);
		iota_vuln_result_free(r);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("200 matches in %.1f ms of CPU time\n", ms);
	assert_true(ms < 3000);
}

/* ---- setup ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static iota_vulndb *open_fresh(const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	iota_vulndb *db = NULL;
	if (iota_vulndb_open(&db, p, IOTA_VULNDB_WRITE) != IOTA_OK) {
		fprintf(stderr, "%s\n", iota_vulndb_error(db));
		exit(1);
	}
	return db;
}

static void import_or_die(iota_vulndb *db, const char *path)
{
	iota_vulndb_import_stats st = {0};
	iota_rc rc = iota_vulndb_import(db, path, &st);
	if (rc != IOTA_OK) {
		fprintf(stderr, "import %s: %d %s\n", path, rc, iota_vulndb_error(db));
		exit(1);
	}
}

static int setup(void **state)
{
	(void)state;
	char p[512];
	if (have_shared()) {
		real_db = open_fresh("real.db");
		static const char *const parts[] = {"nvd/nvd-subset.json", "cve5",
		                                    "kev/known_exploited_vulnerabilities.json"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "%s/data/%s", shared_dir, parts[i]);
			import_or_die(real_db, p);
		}
	}
	synth_db = open_fresh("synth.db");
	snprintf(p, sizeof p, "%s/page.json", tmpdir);
	write_file(p, synth_page);
	import_or_die(synth_db, p);
	snprintf(p, sizeof p, "%s/osv.json", tmpdir);
	write_file(
	    p, "{\"schema_version\": \"1.6.0\", \"id\": \"DEBIAN-CVE-2023-4911\", \"modified\": "
	       "\"2024-01-01T00:00:00Z\", \"aliases\": [\"CVE-2023-4911\"], \"affected\": [{"
	       "\"package\": {\"ecosystem\": \"Debian:12\", \"name\": \"glibc\"}, \"ranges\": "
	       "[{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": "
	       "\"2.36-9+deb12u3\"}]}]}]}");
	import_or_die(synth_db, p);
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	iota_vulndb_close(real_db);
	iota_vulndb_close(synth_db);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(int argc, char **argv)
{
	shared_dir = getenv("IOTA_SHARED_DIR");
	if (argc > 1)
		shared_dir = argv[1];
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/iota-vmatch-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	if (!have_shared())
		fprintf(stderr,
		        "test_vuln_match: ../shared/data not found (IOTA_SHARED_DIR=%s): "
		        "tests with real records are skipped\n",
		        shared_dir ? shared_dir : "unset");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_busybox),          cmocka_unit_test(test_dnsmasq),
	    cmocka_unit_test(test_dropbear_openssh), cmocka_unit_test(test_openssl),
	    cmocka_unit_test(test_glibc_kev),        cmocka_unit_test(test_kernel),
	    cmocka_unit_test(test_conditional),      cmocka_unit_test(test_unknown_version),
	    cmocka_unit_test(test_synthetic),        cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
