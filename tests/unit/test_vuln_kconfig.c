/*
 * The kernel-configuration filter of the vulnerability matcher (issue 9):
 * reading a configuration (text, gzip, IKCONFIG in a kernel image), the
 * kbuild table data/vuln/kernel-objects.tsv, and matching the kernel CNA's
 * real records (../shared/data/cve5/kernel) with a configuration.
 *
 * The fixture kernel (tests/fixtures/make-kernel-fixture.sh, $IOTA_FIXTURES_
 * DIR/kernel) embeds Debian's real armhf "armmp" configuration, which
 * leaves out the AMD GPU driver (CONFIG_DRM_AMDGPU). Tests needing it or
 * ../shared skip with a message when they are absent.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/scan.h"
#include "iotaudit/vulndb.h"
#include "tree.h"
#include "unit.h"
#include "vuln/kconfig.h"

static const char *shared_dir, *fixtures_dir;
static char dbdir[256];
static iota_vulndb *kdb; /* the kernel CNA's records */
static iota_kobjs kobjs;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static char *fixture(const char *name, size_t *len)
{
	char p[512];
	if (!fixtures_dir)
		return NULL;
	snprintf(p, sizeof p, "%s/kernel/%s", fixtures_dir, name);
	return slurp(p, len);
}

static int in_list(const iota_kconfig *k, const char *sym)
{
	for (size_t i = 0; i < k->count; i++)
		if (strcmp(k->enabled[i], sym) == 0)
			return 1;
	return 0;
}

/* ---- reading configurations ---- */

static const char small_config[] = "#\n# Automatically generated file; DO NOT EDIT.\n"
                                   "# Linux/mips 5.15.0 Kernel Configuration\n#\n"
                                   "CONFIG_CC_VERSION_TEXT=\"gcc\"\n"
                                   "CONFIG_NET=y\n"
                                   "CONFIG_INET=y\n"
                                   "CONFIG_NETFILTER=y\n"
                                   "CONFIG_NF_TABLES=m\n"
                                   "# CONFIG_NET_SCH_TAPRIO is not set\n"
                                   "CONFIG_LOG_BUF_SHIFT=17\n"
                                   "CONFIG_MIPS=y\n"
                                   "CONFIG_NET=y\n";

static void test_text(void **state)
{
	(void)state;
	iota_kconfig *k = NULL;
	assert_int_equal(iota_kconfig_from_text(small_config, strlen(small_config), &k), IOTA_OK);
	assert_string_equal(k->version, "5.15.0");
	/* y and m, sorted, once; settings and unset symbols are not code */
	assert_int_equal(k->count, 5);
	static const char *const want[] = {"CONFIG_INET", "CONFIG_MIPS", "CONFIG_NET",
	                                   "CONFIG_NETFILTER", "CONFIG_NF_TABLES"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(k->enabled[i], want[i]);
	assert_null(k->enabled[5]);
	iota_kconfig_free(k);

	/* gzip'd (config.gz) and embedded (IKCONFIG) read the same */
	unsigned char gz[2048];
	z_stream z = {0};
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	z.next_in = (Bytef *)(uintptr_t)small_config;
	z.avail_in = (uInt)strlen(small_config);
	z.next_out = gz;
	z.avail_out = sizeof gz;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t gzlen = sizeof gz - z.avail_out;
	deflateEnd(&z);
	assert_int_equal(iota_kconfig_from_bytes(gz, gzlen, &k), IOTA_OK);
	assert_int_equal(k->count, 5);
	iota_kconfig_free(k);
	unsigned char img[4096];
	memset(img, 0x5a, sizeof img);
	memcpy(img + 100, "IKCFG_ST", 8);
	memcpy(img + 108, gz, gzlen);
	memcpy(img + 108 + gzlen, "IKCFG_ED", 8);
	assert_int_equal(iota_kconfig_from_bytes(img, sizeof img, &k), IOTA_OK);
	assert_true(in_list(k, "CONFIG_NF_TABLES"));
	iota_kconfig_free(k);

	/* damaged: a cut gzip stream gives what came out; not a config at all */
	iota_rc rc = iota_kconfig_from_bytes(gz, gzlen / 2, &k);
	assert_true(rc == IOTA_OK || rc == IOTA_WARN || rc == IOTA_CORRUPT);
	iota_kconfig_free(k);
	k = NULL;
	static const char prose[] = "CONFIG_NET=y is what you set to get networking\n";
	assert_int_equal(iota_kconfig_from_text(prose, strlen(prose), &k), IOTA_CORRUPT);
	assert_null(k);
	memcpy(img + 108, "\x1f\x8b\x08\x00garbage", 11);
	assert_int_not_equal(iota_kconfig_from_bytes(img, sizeof img, &k), IOTA_OK);
	assert_null(k);
}

/* ---- the kbuild table ---- */

static void test_kobjs(void **state)
{
	(void)state;
	assert_int_equal(iota_kobjs_load(&kobjs), 0);
	assert_true(kobjs.n > 10000);
	const char *net[] = {"CONFIG_INET", "CONFIG_NET", "CONFIG_NETFILTER", NULL};
	const char *taprio[] = {"CONFIG_INET", "CONFIG_NET", "CONFIG_NET_SCH_TAPRIO", NULL};
	char why[512];
	/* obj-$(CONFIG_NET_SCH_TAPRIO) += sch_taprio.o in net/sched/Makefile */
	assert_int_equal(
	    iota_kobjs_built(&kobjs, net, 3, "net/sched/sch_taprio.c", why, sizeof why), 0);
	assert_string_equal(why, "net/sched/sch_taprio.c needs CONFIG_NET_SCH_TAPRIO, not set");
	assert_int_equal(
	    iota_kobjs_built(&kobjs, taprio, 3, "net/sched/sch_taprio.c", why, sizeof why), 1);
	/* obj-$(CONFIG_NET) += net/ at the top: the folder's condition */
	const char *none[] = {NULL};
	assert_int_equal(iota_kobjs_built(&kobjs, none, 0, "net/core/neighbour.c", why, sizeof why),
	                 0);
	assert_string_equal(why, "net/core/neighbour.c needs CONFIG_NET (net/), not set");
	assert_int_equal(iota_kobjs_built(&kobjs, net, 3, "net/core/neighbour.c", why, sizeof why),
	                 1);
	/* amd/pm/ is built as part of amdgpu (include $(FULL_AMD_PATH)/pm/Makefile) */
	const char *drm[] = {"CONFIG_ARM", "CONFIG_DRM", NULL};
	assert_int_equal(iota_kobjs_built(&kobjs, drm, 2,
	                                  "drivers/gpu/drm/amd/pm/swsmu/amdgpu_smu.c", why,
	                                  sizeof why),
	                 0);
	assert_non_null(strstr(why, "needs CONFIG_DRM_AMDGPU"));
	/* headers: their folder's condition; include/ is everyone's */
	assert_int_equal(iota_kobjs_built(&kobjs, none, 0, "include/net/sock.h", why, sizeof why),
	                 -1);
	assert_int_equal(iota_kobjs_built(&kobjs, drm, 2, "drivers/gpu/drm/amd/amdgpu/amdgpu.h",
	                                  why, sizeof why),
	                 0);
	/* another architecture's code */
	assert_int_equal(iota_kobjs_built(&kobjs, drm, 2, "arch/x86/kvm/x86.c", why, sizeof why),
	                 0);
	assert_non_null(strstr(why, "CONFIG_X86 (arch/x86/)"));
	/* the prefix may be left out of the list's names */
	const char *bare[] = {"INET", "NET", "NET_SCH_TAPRIO", NULL};
	assert_int_equal(
	    iota_kobjs_built(&kobjs, bare, 3, "net/sched/sch_taprio.c", why, sizeof why), 1);
	/* unknown paths are not ruled out */
	assert_int_equal(iota_kobjs_built(&kobjs, none, 0, "README", why, sizeof why), -1);
}

static void test_upstream_version(void **state)
{
	(void)state;
	char v[64];
	assert_int_equal(iota_kernel_upstream_version(
	                     "6.1.0-18-amd64",
	                     "6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP "
	                     "PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
	                     v, sizeof v),
	                 1);
	assert_string_equal(v, "6.1.76");
	assert_int_equal(iota_kernel_upstream_version("6.1.0-18-amd64", NULL, v, sizeof v), 0);
	assert_string_equal(v, "6.1.0");
	assert_int_equal(
	    iota_kernel_upstream_version("5.10.201", "5.10.201 (b@h) #0 SMP", v, sizeof v), 1);
	assert_string_equal(v, "5.10.201");
	assert_int_equal(iota_kernel_upstream_version("5.10.0-20-armmp", NULL, v, sizeof v), 0);
	assert_int_equal(iota_kernel_upstream_version("5.15.120-yocto-standard", NULL, v, sizeof v),
	                 1);
	assert_string_equal(v, "5.15.120");
}

/* ---- matching ---- */

#define NEED_DB()                                                                                  \
	do {                                                                                       \
		if (!kdb) {                                                                        \
			print_message(                                                             \
			    "skipped: ../shared/data not found (set IOTA_SHARED_DIR)\n");          \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static const iota_vuln_match *find_cve(const iota_vuln_result *r, const char *cve)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->matches[i].cve, cve) == 0)
			return &r->matches[i];
	return NULL;
}

static iota_vuln_result *kmatch(const char *version, const iota_kconfig *k, unsigned flags)
{
	iota_vuln_query q = {.name = "linux", .version = version, .flags = flags};
	if (k) {
		q.kconfig_enabled = (const char *const *)k->enabled;
		q.kconfig_known = 1;
	}
	iota_vuln_result *r = NULL;
	if (iota_vulndb_match(kdb, &q, &r) != IOTA_OK)
		fail_msg("match linux %s: %s", version, iota_vulndb_error(kdb));
	return r;
}

static void check_armmp(const iota_kconfig *k, const char *version)
{
	/* the configuration has networking and leaves out the AMD GPU driver */
	assert_true(k->count > 3000);
	assert_true(in_list(k, "CONFIG_NET"));
	assert_false(in_list(k, "CONFIG_DRM_AMDGPU"));

	iota_vuln_result *r = kmatch(version, NULL, 0);
	assert_non_null(find_cve(r, "CVE-2025-21780")); /* by version alone */
	assert_int_equal(r->not_applicable, 0);
	iota_vuln_result_free(r);

	r = kmatch(version, k, 0);
	assert_null(find_cve(r, "CVE-2025-21780"));
	assert_int_equal(r->not_applicable, 1);
	assert_string_equal(r->not_applicable_why, "CONFIG_DRM_AMDGPU not set: 1");
	/* core networking and the route code stay: built, or headers in include/ */
	assert_int_equal(find_cve(r, "CVE-2025-21763")->status, IOTA_VULN_AFFECTED);
	assert_int_equal(find_cve(r, "CVE-2024-36971")->status, IOTA_VULN_AFFECTED);
	assert_true(find_cve(r, "CVE-2024-36971")->kev);
	assert_null(find_cve(r, "CVE-2025-21763")->not_applicable);
	assert_int_equal(r->kconfig_checked, 3);
	iota_vuln_result_free(r);

	r = kmatch(version, k, IOTA_VULN_INCLUDE_NOT_APPLICABLE);
	const iota_vuln_match *m = find_cve(r, "CVE-2025-21780");
	assert_non_null(m);
	assert_int_equal(m->status, IOTA_VULN_NOT_AFFECTED);
	assert_string_equal(m->not_applicable,
	                    "drivers/gpu/drm/amd/pm/swsmu/amdgpu_smu.c needs CONFIG_DRM_AMDGPU "
	                    "(drivers/gpu/drm/amd/pm/), not set");
	assert_non_null(strstr(m->status_text, "not applicable: "));
	assert_string_equal(m->evidence[m->nevidence - 1].source, "kconfig");
	/* the version ranges still say what they say */
	int cna = 0;
	for (size_t i = 0; i < m->nevidence; i++)
		cna |= strcmp(m->evidence[i].source, "cve5-cna") == 0 &&
		       m->evidence[i].status == IOTA_VULN_AFFECTED;
	assert_true(cna);
	iota_vuln_result_free(r);
}

/* The fixture kernel image: the analyzer finds the banner and the embedded
 * configuration; the configuration read back from the node filters the
 * kernel CNA's records. */
static void test_fixture_kernel(void **state)
{
	(void)state;
	NEED_DB();
	size_t len = 0;
	char *img = fixture("vmlinux-armmp", &len);
	if (!img) {
		print_message("skipped: no kernel fixture (tests/fixtures/make-kernel-fixture.sh; "
		              "IOTA_FIXTURES_DIR=%s)\n",
		              fixtures_dir ? fixtures_dir : "unset");
		skip();
	}
	void *st = NULL;
	assert_int_equal(setup(&st), 0);
	put_bytes("boot/vmlinux-6.1.0-18-armmp", img, len);
	free(img);
	iota_scan *s = scan();
	const char *rel = "boot/vmlinux-6.1.0-18-armmp";
	assert_string_equal(attr(s, rel, "kernel.config_source"), "ikconfig");
	const char *version = attr(s, rel, "kernel.version");
	const char *banner = attr(s, rel, "kernel.banner");
	assert_string_equal(version, "6.1.0-18-armmp");
	char up[64];
	assert_int_equal(iota_kernel_upstream_version(version, banner, up, sizeof up), 1);
	assert_string_equal(up, "6.1.76");
	iota_blob *b = NULL;
	assert_true(iota_node_content(s, node_at(s, rel), &b) == IOTA_OK);
	iota_kconfig *k = NULL;
	assert_int_equal(iota_kconfig_from_bytes(b->data, b->len, &k), IOTA_OK);
	iota_blob_unref(b);
	assert_non_null(strstr(k->version, "6.1."));
	check_armmp(k, up);
	iota_kconfig_free(k);
	iota_scan_free(s);
	teardown(&st);

	/* the same configuration as a .config file */
	char *text = fixture("config-armmp", &len);
	assert_non_null(text);
	assert_int_equal(iota_kconfig_from_text(text, len, &k), IOTA_OK);
	free(text);
	check_armmp(k, "6.1.76");
	iota_kconfig_free(k);
}

/* A configuration without nf_tables, on a release inside CVE-2025-21826's
 * range (6.8 up to 6.12.13). */
static void test_nf_tables(void **state)
{
	(void)state;
	NEED_DB();
	iota_kconfig *k = NULL;
	assert_int_equal(iota_kconfig_from_text(small_config, strlen(small_config), &k), IOTA_OK);
	/* small_config sets NF_TABLES=m: kept */
	iota_vuln_result *r = kmatch("6.12.10", k, 0);
	assert_int_equal(find_cve(r, "CVE-2025-21826")->status, IOTA_VULN_AFFECTED);
	iota_vuln_result_free(r);
	iota_kconfig_free(k);

	static const char no_nft[] = "# Linux/arm64 6.12.10 Kernel Configuration\n"
	                             "CONFIG_ARM64=y\nCONFIG_NET=y\nCONFIG_INET=y\n"
	                             "CONFIG_NETFILTER=y\n# CONFIG_NF_TABLES is not set\n";
	assert_int_equal(iota_kconfig_from_text(no_nft, strlen(no_nft), &k), IOTA_OK);
	r = kmatch("6.12.10", k, 0);
	assert_null(find_cve(r, "CVE-2025-21826"));
	assert_int_equal(r->not_applicable, 2); /* and the AMD GPU one */
	assert_non_null(strstr(r->not_applicable_why, "CONFIG_NF_TABLES not set: 1"));
	iota_vuln_result_free(r);
	r = kmatch("6.12.10", k, IOTA_VULN_INCLUDE_NOT_AFFECTED);
	assert_string_equal(find_cve(r, "CVE-2025-21826")->not_applicable,
	                    "net/netfilter/nf_tables_api.c needs CONFIG_NF_TABLES, not set");
	iota_vuln_result_free(r);
	/* a CVE whose first file is left out but whose second is built stays,
	 * and is not counted */
	char p[512];
	snprintf(p, sizeof p, "%s/CVE-2099-7001.json", dbdir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(
	    "{\"dataType\": \"CVE_RECORD\", \"dataVersion\": \"5.1\", \"cveMetadata\": "
	    "{\"cveId\": \"CVE-2099-7001\", \"state\": \"PUBLISHED\", \"assignerShortName\": "
	    "\"Linux\", \"dateUpdated\": \"2099-01-01T00:00:00Z\"}, \"containers\": {\"cna\": "
	    "{\"descriptions\": [{\"lang\": \"en\", \"value\": \"In the Linux kernel, a fix.\"}], "
	    "\"affected\": [{\"vendor\": \"Linux\", \"product\": \"Linux\", \"defaultStatus\": "
	    "\"affected\", \"programFiles\": [\"drivers/gpu/drm/amd/amdgpu/amdgpu_drv.c\", "
	    "\"net/core/dev.c\"], \"versions\": [{\"version\": \"6.0\", \"status\": "
	    "\"affected\"}, {\"version\": \"0\", \"lessThan\": \"6.0\", \"status\": "
	    "\"unaffected\", \"versionType\": \"semver\"}]}]}}}",
	    f);
	fclose(f);
	iota_vulndb_import_stats st = {0};
	assert_int_equal(iota_vulndb_import(kdb, p, &st), IOTA_OK);
	r = kmatch("6.12.10", k, 0);
	assert_int_equal(find_cve(r, "CVE-2099-7001")->status, IOTA_VULN_AFFECTED);
	assert_int_equal(r->not_applicable, 2);
	assert_string_equal(r->not_applicable_why,
	                    "CONFIG_DRM_AMDGPU not set: 1; CONFIG_NF_TABLES not set: 1");
	iota_vuln_result_free(r);
	/* kconfig_known = 0: the list is not looked at */
	iota_vuln_query q = {.name = "linux",
	                     .version = "6.12.10",
	                     .kconfig_enabled = (const char *const *)k->enabled};
	assert_int_equal(iota_vulndb_match(kdb, &q, &r), IOTA_OK);
	assert_non_null(find_cve(r, "CVE-2025-21826"));
	assert_int_equal(r->not_applicable, 0);
	iota_vuln_result_free(r);
	/* other products are never filtered */
	q.name = "busybox";
	q.kconfig_known = 1;
	assert_int_equal(iota_vulndb_match(kdb, &q, &r), IOTA_OK);
	assert_int_equal(r->kconfig_checked, 0);
	iota_vuln_result_free(r);
	iota_kconfig_free(k);
}

/* ---- setup ---- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	char p[512];
	struct stat sb;
	snprintf(p, sizeof p, "%s/data/cve5/kernel", shared_dir ? shared_dir : "/nonexistent");
	if (!shared_dir || stat(p, &sb) != 0) {
		fprintf(stderr,
		        "test_vuln_kconfig: ../shared/data not found (IOTA_SHARED_DIR=%s): "
		        "tests with real records are skipped\n",
		        shared_dir ? shared_dir : "unset");
		return 0;
	}
	char dbp[512];
	snprintf(dbp, sizeof dbp, "%s/k.db", dbdir);
	if (iota_vulndb_open(&kdb, dbp, IOTA_VULNDB_WRITE) != IOTA_OK)
		return -1;
	iota_vulndb_import_stats st = {0};
	if (iota_vulndb_import(kdb, p, &st) != IOTA_OK || st.added != 4)
		return -1;
	snprintf(p, sizeof p, "%s/data/kev/known_exploited_vulnerabilities.json", shared_dir);
	memset(&st, 0, sizeof st);
	return iota_vulndb_import(kdb, p, &st) == IOTA_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	iota_vulndb_close(kdb);
	iota_kobjs_free(&kobjs);
	nftw(dbdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(int argc, char **argv)
{
	shared_dir = getenv("IOTA_SHARED_DIR");
	fixtures_dir = getenv("IOTA_FIXTURES_DIR");
	if (argc > 1)
		shared_dir = argv[1];
	if (argc > 2)
		fixtures_dir = argv[2];
	const char *t = getenv("TMPDIR");
	snprintf(dbdir, sizeof dbdir, "%s/iota-vkconfig-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dbdir)) {
		perror("mkdtemp");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_kobjs),
	    cmocka_unit_test(test_upstream_version),
	    cmocka_unit_test(test_fixture_kernel),
	    cmocka_unit_test(test_nf_tables),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
