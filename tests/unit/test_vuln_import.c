/*
 * The vulnerability database: schema, the streaming JSON walker, CPE and
 * range helpers, product identity, and db import of every format — real
 * records from ../shared/data (NVD, CVE JSON 5, KEV) where present, small
 * hand-written ones for OSV and malformed input.
 *
 * The shared data is found through $IOTA_SHARED_DIR (the lead's CMake passes
 * ${CMAKE_SOURCE_DIR}/../shared) or argv[1]; tests that need it are skipped
 * with a message when it is absent.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotaudit/vulndb.h"
#include "util/alloc.h"
#include "vuln/jsonstream.h"
#include "vuln/products.h"
#include "vuln/vrange.h"
#include "vuln/vuln_db.h"

static const char *shared_dir;
static char tmpdir[256];

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
		if (!have_shared()) {                                                              \
			print_message(                                                             \
			    "skipped: ../shared/data not found (set IOTA_SHARED_DIR)\n");          \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static void shared_path(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/data/%s", shared_dir, rel);
}

static void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static iota_vulndb *fresh_db(const char *name)
{
	char p[512];
	tmp_path(p, sizeof p, name);
	unlink(p);
	iota_vulndb *db = NULL;
	iota_rc rc = iota_vulndb_open(&db, p, IOTA_VULNDB_WRITE);
	if (rc != IOTA_OK)
		fail_msg("open %s: %s", p, iota_vulndb_error(db));
	return db;
}

static long long count(iota_vulndb *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db->db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

struct notes {
	int n;
	char last[1024];
};

static void on_note(void *ctx, const char *msg)
{
	struct notes *n = ctx;
	n->n++;
	snprintf(n->last, sizeof n->last, "%s", msg);
}

/* ---- helpers without a database ---- */

static int walk_count(void *ctx, json_t *rec, size_t off)
{
	(void)off;
	int *n = ctx;
	if (json_is_object(rec))
		(*n)++;
	json_decref(rec);
	return 0;
}

static void test_jsonstream(void **state)
{
	(void)state;
	iota_js_result res;
	int n = 0;
	const char *page =
	    "\xef\xbb\xbf {\"a\": 1, \"vulnerabilities\": [ {\"cve\":{}}, {\"cve\":{}} ,{}],"
	    " \"b\": \"x\" }\n";
	assert_int_equal(iota_js_walk((const uint8_t *)page, strlen(page), "vulnerabilities",
	                              walk_count, &n, &res),
	                 0);
	assert_int_equal(n, 3);
	assert_int_equal(res.streamed, 1);
	assert_int_equal(json_integer_value(json_object_get(res.top, "a")), 1);
	assert_string_equal(json_string_value(json_object_get(res.top, "b")), "x");
	json_decref(res.top);

	n = 0;
	const char *one = "{\"id\": \"CVE-2020-0001\", \"x\": [1, 2]}";
	assert_int_equal(iota_js_walk((const uint8_t *)one, strlen(one), "vulnerabilities",
	                              walk_count, &n, &res),
	                 0);
	assert_int_equal(n, 1);
	assert_int_equal(res.streamed, 0);
	json_decref(res.top);

	n = 0;
	const char *arr = "[{}, {}, {}, {}]";
	assert_int_equal(
	    iota_js_walk((const uint8_t *)arr, strlen(arr), NULL, walk_count, &n, &res), 0);
	assert_int_equal(n, 4);
	json_decref(res.top);

	/* truncated: records before the damage are passed, then an error with its place */
	n = 0;
	const char *cut = "{\"vulnerabilities\": [{\"cve\":{}}, {\"cve\":{\"id\": \"CVE-";
	assert_int_equal(iota_js_walk((const uint8_t *)cut, strlen(cut), "vulnerabilities",
	                              walk_count, &n, &res),
	                 -1);
	assert_int_equal(n, 1);
	assert_non_null(strstr(res.err, "byte"));
	json_decref(res.top);

	static const char *const bad[] = {"",      "   ",   "nul",       "{\"a\" 1}",
	                                  "[1 2]", "{} {}", "{\"a\":1,}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = 0;
		if (iota_js_walk((const uint8_t *)bad[i], strlen(bad[i]), "vulnerabilities",
		                 walk_count, &n, &res) != -1)
			fail_msg("accepted '%s'", bad[i]);
		json_decref(res.top);
	}
}

static void test_cpe(void **state)
{
	(void)state;
	iota_cpe c;
	assert_int_equal(iota_cpe_parse("cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", &c), 0);
	assert_string_equal(c.f[IOTA_CPE_VENDOR], "busybox");
	assert_string_equal(c.f[IOTA_CPE_VERSION], "*");
	assert_int_equal(iota_cpe_parse("cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*", &c), 0);
	assert_string_equal(c.f[IOTA_CPE_UPDATE], "p1");
	/* quoting: a colon inside a field */
	assert_int_equal(iota_cpe_parse("cpe:2.3:a:acme:web\\:server:1.0:*:*:*:*:*:*:*", &c), 0);
	assert_string_equal(c.f[IOTA_CPE_PRODUCT], "web:server");
	/* the URI binding CVE records use */
	assert_int_equal(iota_cpe_parse("cpe:/o:redhat:enterprise_linux:8::baseos", &c), 0);
	assert_string_equal(c.f[IOTA_CPE_PRODUCT], "enterprise_linux");
	assert_string_equal(c.f[IOTA_CPE_UPDATE], "*");
	assert_int_equal(iota_cpe_parse("cpe:/a:Open%20Foo:bar", &c), 0);
	assert_string_equal(c.f[IOTA_CPE_VENDOR], "open foo");
	assert_int_equal(iota_cpe_parse("cpe:2.3:a:x", &c), -1);
	assert_int_equal(iota_cpe_parse("cpe:2.3:q:a:b:*:*:*:*:*:*:*:*", &c), -1);
	assert_int_equal(iota_cpe_parse("nope", &c), -1);
	assert_int_equal(iota_cpe_parse("cpe:2.3:a:a:b:*:*:*:*:*:*:*:\\", &c), -1);
}

static void test_ranges(void **state)
{
	(void)state;
	/* OpenSSL letter releases */
	assert_true(iota_vr_contains("1.1.1w", NULL, "1.1.1", 1, "1.1.1za", 0));
	assert_false(iota_vr_contains("1.1.1za", NULL, "1.1.1", 1, "1.1.1za", 0));
	assert_true(iota_vr_contains("1.0.2k", NULL, "1.0.2", 1, "1.0.2zj", 0));
	assert_true(iota_vr_contains("1.0.2", NULL, "1.0.2", 1, "1.0.2zj", 0));
	assert_false(iota_vr_contains("1.0.2", NULL, "1.0.2", 0, "1.0.2zj", 0));
	/* OpenSSH, dropbear */
	assert_true(iota_vr_contains("9.2p1", NULL, NULL, 0, "9.6", 0));
	assert_true(iota_vr_contains("2022.83", NULL, NULL, 0, "2022.83", 1));
	assert_false(iota_vr_contains("2024.84", NULL, NULL, 0, "2022.83", 1));
	/* exact, unbounded, CVE5 wildcards */
	assert_true(iota_vr_contains("1.36.1", "1.36.1", NULL, 0, NULL, 0));
	assert_false(iota_vr_contains("1.36.0", "1.36.1", NULL, 0, NULL, 0));
	assert_true(iota_vr_contains("5.0", NULL, "0", 1, "*", 0));
	assert_true(iota_vr_contains("6.1.100", NULL, "6.1.94", 1, "6.1.*", 1));
	assert_true(iota_vr_contains("6.1", NULL, "6.1", 1, "6.1.*", 1));
	assert_false(iota_vr_contains("6.2", NULL, "6.1.94", 1, "6.1.*", 1));
	assert_false(iota_vr_contains("6.10.1", NULL, "6.1.94", 1, "6.1.*", 1));
	/* what cannot be ordered */
	assert_false(iota_vr_orderable("a87cb3e48ee86d29868d3f59cfb9ce1a8fa63314", NULL));
	assert_false(iota_vr_orderable("2.36", "git"));
	assert_false(iota_vr_orderable("0:2.28-225.el8_8.6", "rpm"));
	assert_false(iota_vr_orderable("n/a", NULL));
	assert_false(iota_vr_orderable("Fixed in OpenSSL 3.0.7", NULL));
	assert_true(iota_vr_orderable("20230715", NULL));
	assert_true(iota_vr_orderable("202307151230", NULL));
	assert_true(iota_vr_orderable("6.10", "original_commit_for_fix"));
	char t[64];
	iota_vr_text(t, sizeof t, NULL, "3.0.0", 1, "3.0.15", 0);
	assert_string_equal(t, ">= 3.0.0, < 3.0.15");
	iota_vr_text(t, sizeof t, NULL, "0", 1, "4.6", 0);
	assert_string_equal(t, "< 4.6");
	iota_vr_text(t, sizeof t, NULL, NULL, 0, NULL, 0);
	assert_string_equal(t, "all versions");
}

static void test_products(void **state)
{
	(void)state;
	const char *tsv =
	    "# comment\n"
	    "\n"
	    "busybox\tbusybox:busybox\tBusyBox/BusyBox\tbusybox\t-\tBusyBox\n"
	    "glibc\t\tgnu:glibc\tgnu/glibc\tglibc@https://sourceware.org/git/glibc.git\t"
	    "Debian/glibc\tglibc, GNU C Library\r\n";
	iota_vprods p;
	char err[128];
	assert_int_equal(iota_vprods_parse(&p, tsv, strlen(tsv), err, sizeof err), 0);
	assert_int_equal(p.n, 2);
	const iota_vprod *g = iota_vprods_find(&p, "GLIBC");
	assert_non_null(g);
	assert_string_equal(g->cpe.v[0], "gnu:glibc");
	assert_string_equal(g->pkg.v[0], "glibc@https://sourceware.org/git/glibc.git");
	assert_int_equal(g->text.n, 2);
	assert_string_equal(g->text.v[1], "GNU C Library");
	assert_string_equal(iota_vprods_find(&p, "busybox")->cve5.v[0], "busybox/busybox");
	assert_null(iota_vprods_find(&p, "dropbear"));
	iota_vprods_free(&p);
	const char *bad = "x\tnocolon\n";
	assert_int_equal(iota_vprods_parse(&p, bad, strlen(bad), err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1"));

	/* the table built into the library parses, and names the products the
	 * README's expectations need */
	iota_vulndb *db = fresh_db("products.db");
	iota_vuln_query q = {.name = "dropbear", .version = "2022.83"};
	iota_vuln_result *r = NULL;
	assert_int_equal(iota_vulndb_match(db, &q, &r), IOTA_OK);
	assert_true(r->identity_known);
	assert_non_null(strstr(r->identity, "dropbear_ssh_project:dropbear_ssh"));
	iota_vuln_result_free(r);
	static const char *const need[][2] = {
	    {"busybox", "busybox:busybox"}, {"dnsmasq", "thekelleys:dnsmasq"},
	    {"openssl", "openssl:openssl"}, {"glibc", "gnu:glibc"},
	    {"openssh", "openbsd:openssh"}, {"linux", "linux:linux_kernel"}};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		const iota_vprod *e = iota_vprods_find(&db->products, need[i][0]);
		assert_non_null(e);
		assert_true(iota_vlist_has(&e->cpe, need[i][1]));
	}
	iota_vulndb_close(db);
}

/* ---- the database ---- */

static void test_open_schema(void **state)
{
	(void)state;
	char p[512];
	tmp_path(p, sizeof p, "schema.db");
	unlink(p);
	iota_vulndb *db = NULL;
	/* read-only on a missing file: a clear error, no file made */
	assert_int_equal(iota_vulndb_open(&db, p, IOTA_VULNDB_READ), IOTA_FATAL);
	assert_non_null(strstr(iota_vulndb_error(db), "no vulnerability database"));
	iota_vulndb_close(db);
	assert_int_not_equal(access(p, F_OK), 0);

	/* created with the schema, in a folder made for it */
	tmp_path(p, sizeof p, "sub/dir/schema.db");
	assert_int_equal(iota_vulndb_open(&db, p, IOTA_VULNDB_WRITE), IOTA_OK);
	assert_int_equal(count(db, "PRAGMA user_version"), IOTA_VULNDB_SCHEMA);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('cve', "
	                           "'affected', 'kev', 'source', 'meta', 'cve_text')"),
	                 6);
	/* a newer schema is refused, not misread */
	assert_int_equal(sqlite3_exec(db->db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	                 SQLITE_OK);
	iota_vulndb_close(db);
	assert_int_equal(iota_vulndb_open(&db, p, IOTA_VULNDB_READ), IOTA_FATAL);
	assert_non_null(strstr(iota_vulndb_error(db), "newer"));
	iota_vulndb_close(db);

	/* another program's SQLite file is not ours */
	tmp_path(p, sizeof p, "other.db");
	unlink(p);
	sqlite3 *o;
	assert_int_equal(sqlite3_open(p, &o), SQLITE_OK);
	assert_int_equal(sqlite3_exec(o, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(o);
	assert_int_equal(iota_vulndb_open(&db, p, IOTA_VULNDB_WRITE), IOTA_FATAL);
	assert_non_null(strstr(iota_vulndb_error(db), "not an iotaudit"));
	iota_vulndb_close(db);
}

static void test_default_path(void **state)
{
	(void)state;
	char buf[512];
	const char *oldx = getenv("XDG_DATA_HOME");
	char keep[512] = "";
	if (oldx)
		snprintf(keep, sizeof keep, "%s", oldx);
	setenv("XDG_DATA_HOME", "/data/x", 1);
	assert_int_equal(iota_vulndb_default_path(buf, sizeof buf), 0);
	assert_string_equal(buf, "/data/x/iotaudit/vuln.db");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(iota_vulndb_default_path(buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/u/.local/share/iotaudit/vuln.db");
	assert_int_equal(iota_vulndb_default_path(buf, 8), -1);
	if (keep[0])
		setenv("XDG_DATA_HOME", keep, 1);
}

static void test_import_real(void **state)
{
	(void)state;
	NEED_SHARED();
	iota_vulndb *db = fresh_db("real.db");
	struct notes notes = {0};
	iota_vulndb_set_notes(db, on_note, &notes);
	char p[512];
	iota_vulndb_import_stats st = {0};

	shared_path(p, sizeof p, "nvd/nvd-subset.json");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_string_equal(st.format, "nvd");
	assert_int_equal(st.records, 53);
	assert_int_equal(st.added, 53);
	assert_int_equal(st.skipped, 0);
	/* records without configurations are kept, with their status */
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE source = 'nvd'"), 53);
	assert_int_equal(
	    count(db, "SELECT count(*) FROM cve WHERE source = 'nvd' AND structured = 0"), 8);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM cve WHERE id = 'CVE-2023-48795' AND "
	                       "status = 'Awaiting Analysis' AND description LIKE '%Dropbear%'"),
	                 1);
	/* AND configurations keep their platform part */
	assert_true(count(db, "SELECT count(*) FROM affected WHERE record = 'CVE-2017-14491' AND "
	                      "cfg_operator = 'AND' AND vulnerable = 0") > 0);
	/* CVSS v3.1 of the NVD itself */
	assert_int_equal(count(db, "SELECT cvss3_score * 10 FROM cve WHERE id = 'CVE-2022-48174'"),
	                 98);

	/* the same records as single files, and the same page again: nothing changes */
	long long rows = count(db, "SELECT count(*) FROM affected");
	memset(&st, 0, sizeof st);
	shared_path(p, sizeof p, "nvd/records");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_int_equal(st.files, 53);
	assert_int_equal(st.unchanged, 53);
	assert_int_equal(st.added + st.updated, 0);
	memset(&st, 0, sizeof st);
	shared_path(p, sizeof p, "nvd/nvd-subset.json");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_int_equal(st.unchanged, 53);
	assert_int_equal(count(db, "SELECT count(*) FROM affected"), rows);
	assert_int_equal(count(db, "SELECT count(*) FROM cve"), 53);

	/* CVE JSON 5: CNA and ADP ranges, CISA's KEV date */
	memset(&st, 0, sizeof st);
	shared_path(p, sizeof p, "cve5");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_int_equal(st.records, 18);
	assert_int_equal(st.added, 18);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM affected WHERE record = 'CVE-2024-5535' AND "
	                       "source = 'cve5-cna' AND product = 'openssl'"),
	                 6);
	assert_true(count(db, "SELECT count(*) FROM affected WHERE record = 'CVE-2024-5535' AND "
	                      "source = 'cve5-adp'") > 0);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM affected WHERE record = 'CVE-2023-4911' AND "
	                       "package = 'glibc' AND collection_url LIKE '%sourceware%' AND "
	                       "version_start = '2.34' AND version_end = '2.39'"),
	                 1);
	/* "n/a" products carry nothing */
	assert_int_equal(count(db, "SELECT count(*) FROM affected WHERE record = 'CVE-2023-48795' "
	                           "AND source = 'cve5-cna'"),
	                 0);
	assert_int_equal(count(db, "SELECT count(*) FROM kev WHERE cve_id = 'CVE-2023-4911' AND "
	                           "source = 'cve5-adp'"),
	                 1);
	assert_non_null(strstr(st.format, "cve5"));

	/* KEV: JSON then CSV of the same catalog: the CSV changes nothing */
	memset(&st, 0, sizeof st);
	shared_path(p, sizeof p, "kev/known_exploited_vulnerabilities.json");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_string_equal(st.format, "kev-json");
	assert_int_equal(st.records, 1404);
	assert_int_equal(count(db, "SELECT count(*) FROM kev"), 1404);
	assert_int_equal(count(db, "SELECT count(*) FROM kev WHERE cve_id = 'CVE-2023-4911' AND "
	                           "source = 'cisa-kev' AND due_date = '2023-12-12'"),
	                 1);
	memset(&st, 0, sizeof st);
	shared_path(p, sizeof p, "kev/known_exploited_vulnerabilities.csv");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_string_equal(st.format, "kev-csv");
	assert_int_equal(st.records, 1404);
	assert_int_equal(st.unchanged, 1404);

	/* db info */
	iota_vulndb_info *in = NULL;
	assert_int_equal(iota_vulndb_info_get(db, &in), IOTA_OK);
	assert_int_equal(in->kev, 1404);
	assert_string_equal(in->kev_catalog, "2025.08.25");
	assert_int_equal(in->cves, 57);
	int seen_await = 0;
	for (size_t i = 0; i < in->nstatuses; i++)
		if (strcmp(in->statuses[i].source, "nvd") == 0 &&
		    strcmp(in->statuses[i].status, "Awaiting Analysis") == 0) {
			seen_await = 1;
			assert_int_equal(in->statuses[i].records, 5);
			assert_int_equal(in->statuses[i].structured, 0);
		}
	assert_true(seen_await);
	int cve5_dir = 0;
	for (size_t i = 0; i < in->nsources; i++)
		if (strcmp(in->sources[i].name, "cve5") == 0) {
			cve5_dir++;
			assert_int_equal(in->sources[i].records, 18);
			assert_non_null(in->sources[i].newest);
		}
	assert_int_equal(cve5_dir, 1); /* one row for the folder, not one per file */
	/* per source: records, with version data, with source files, newest date */
	assert_int_equal(in->ntotals, 3);
	assert_string_equal(in->totals[0].source, "cve5");
	assert_int_equal(in->totals[0].records, 18);
	assert_int_equal(in->totals[0].structured, 11);   /* the "n/a" records have none */
	assert_int_equal(in->totals[0].program_files, 4); /* the kernel CNA's */
	assert_string_equal(in->totals[0].newest, "2026-05-12T11:26:05.375Z");
	assert_string_equal(in->totals[1].source, "kev");
	assert_int_equal(in->totals[1].records, 1404);
	assert_string_equal(in->totals[1].newest, "2025-08-25");
	assert_string_equal(in->totals[2].source, "nvd");
	assert_int_equal(in->totals[2].records, 53);
	assert_int_equal(in->totals[2].structured, 45);
	assert_string_equal(in->totals[2].newest, "2026-06-17T05:47:45.783");
	iota_vulndb_info_free(in);
	/* the kernel CNA's programFiles, sorted, one per line */
	sqlite3_stmt *pf = NULL;
	assert_int_equal(sqlite3_prepare_v2(db->db,
	                                    "SELECT program_files FROM cve WHERE id = "
	                                    "'CVE-2024-36971' AND source = 'cve5'",
	                                    -1, &pf, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(pf), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(pf, 0),
	                    "include/net/dst_ops.h\ninclude/net/sock.h\nnet/ipv4/route.c\n"
	                    "net/ipv6/route.c\nnet/xfrm/xfrm_policy.c");
	sqlite3_finalize(pf);

	/* a schema 1 file (no program_files) is migrated, and its CVE JSON 5
	 * records are read again by the next import to fill the column */
	assert_int_equal(sqlite3_exec(db->db,
	                              "ALTER TABLE cve DROP COLUMN program_files; PRAGMA "
	                              "user_version = 1",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	iota_vulndb_close(db);
	char dbp[512];
	tmp_path(dbp, sizeof dbp, "real.db");
	db = NULL;
	assert_int_equal(iota_vulndb_open(&db, dbp, IOTA_VULNDB_WRITE), IOTA_OK);
	assert_int_equal(count(db, "PRAGMA user_version"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE program_files IS NOT NULL"), 0);
	memset(&st, 0, sizeof st);
	shared_path(p, sizeof p, "cve5");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_int_equal(st.updated, 18);
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE program_files IS NOT NULL"), 4);
	iota_vulndb_set_notes(db, on_note, &notes);
	assert_int_equal(notes.n, 0);
	iota_vulndb_close(db);
}

static void test_import_malformed(void **state)
{
	(void)state;
	iota_vulndb *db = fresh_db("bad.db");
	struct notes notes = {0};
	iota_vulndb_set_notes(db, on_note, &notes);
	char p[512];
	iota_vulndb_import_stats st = {0};

	/* not JSON at all */
	tmp_path(p, sizeof p, "garbage.json");
	write_file(p, "this is not json\n");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "garbage.json"));

	/* JSON of no known format */
	tmp_path(p, sizeof p, "other.json");
	write_file(p, "{\"hello\": [1, 2, 3]}");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "not a recognised"));

	/* empty */
	tmp_path(p, sizeof p, "empty.json");
	write_file(p, "");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "empty"));

	/* a page with one bad record among good ones: it is skipped and counted */
	tmp_path(p, sizeof p, "page.json");
	write_file(p,
	           "{\"format\": \"NVD_CVE\", \"totalResults\": 3, \"vulnerabilities\": ["
	           "{\"cve\": {\"id\": \"CVE-2099-0001\", \"lastModified\": \"2099-01-01\","
	           " \"configurations\": [{\"nodes\": [{\"operator\": \"OR\", \"cpeMatch\": ["
	           "{\"vulnerable\": true, \"criteria\": \"cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*\","
	           " \"versionEndExcluding\": \"2.0\"}]}]}]}},"
	           "{\"cve\": {\"id\": \"CVE-2099-0002\", \"configurations\": [{\"nodes\": [{"
	           "\"cpeMatch\": [{\"vulnerable\": true, \"criteria\": \"not a cpe\"}]}]}]}},"
	           "{\"cve\": {\"id\": \"bogus\"}},"
	           "{\"cve\": {\"id\": \"CVE-2099-0003\", \"descriptions\": [{\"lang\": \"en\","
	           " \"value\": \"Widget before 2.0\"}]}}]}");
	memset(&st, 0, sizeof st);
	notes.n = 0;
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_WARN);
	assert_int_equal(st.records, 4);
	assert_int_equal(st.added, 2);
	assert_int_equal(st.skipped, 2);
	assert_int_equal(notes.n, 2);
	assert_non_null(strstr(notes.last, "page.json"));
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE id = 'CVE-2099-0002'"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM affected WHERE record = 'CVE-2099-0002'"),
	                 0);
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE id IN ('CVE-2099-0001', "
	                           "'CVE-2099-0003')"),
	                 2);

	/* a truncated page: what came before the damage is kept, the error says where */
	tmp_path(p, sizeof p, "cut.json");
	write_file(p,
	           "{\"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-2099-0004\"}}, {\"cve\": {\"i");
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "cut.json: malformed JSON"));
	assert_non_null(strstr(iota_vulndb_error(db), "byte"));
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE id = 'CVE-2099-0004'"), 1);

	/* a KEV CSV with an unclosed quote, and a row without a CVE id */
	tmp_path(p, sizeof p, "kev.csv");
	write_file(
	    p, "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate\r\n"
	       "CVE-2099-0001,Acme,\"Widget, Pro\",\"The \"\"bug\"\"\",2099-01-01,2099-02-01\r\n"
	       "nope,Acme,Widget,x,2099-01-01,2099-02-01\r\n"
	       "CVE-2099-0003,Acme,\"Widget\n");
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "kev.csv: malformed CSV"));
	assert_int_equal(st.added, 1);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(count(db, "SELECT count(*) FROM kev WHERE product = 'Widget, Pro' AND "
	                           "name = 'The \"bug\"'"),
	                 1);

	/* a missing file */
	memset(&st, 0, sizeof st);
	tmp_path(p, sizeof p, "does-not-exist.json");
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "does-not-exist.json"));

	/* a read-only handle refuses to import */
	iota_vulndb_close(db);
	tmp_path(p, sizeof p, "bad.db");
	assert_int_equal(iota_vulndb_open(&db, p, IOTA_VULNDB_READ), IOTA_OK);
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_FATAL);
	iota_vulndb_close(db);
}

static const char osv_glibc[] =
    "{\"schema_version\": \"1.6.0\", \"id\": \"DEBIAN-CVE-2023-4911\", "
    "\"modified\": \"2024-01-01T00:00:00Z\", \"published\": \"2023-10-03T18:15:00Z\", "
    "\"upstream\": [\"CVE-2023-4911\"], \"aliases\": [\"CVE-2023-4911\"], "
    "\"details\": \"A buffer overflow in the GNU C Library's dynamic loader.\", "
    "\"affected\": [{\"package\": {\"ecosystem\": \"Debian:12\", \"name\": \"glibc\"}, "
    "\"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, "
    "{\"fixed\": \"2.36-9+deb12u3\"}]}]}]}";

static void test_import_osv(void **state)
{
	(void)state;
	iota_vulndb *db = fresh_db("osv.db");
	char dir[512], p[600];
	tmp_path(dir, sizeof dir, "osv");
	mkdir(dir, 0755);
	snprintf(p, sizeof p, "%s/DEBIAN-CVE-2023-4911.json", dir);
	write_file(p, osv_glibc);
	snprintf(p, sizeof p, "%s/list.json", dir);
	write_file(
	    p, "[{\"id\": \"GHSA-xxxx-yyyy-zzzz\", \"modified\": \"2024-02-02T00:00:00Z\","
	       " \"aliases\": [\"CVE-2099-1234\"], \"summary\": \"widget bug\","
	       " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"Widget\"},"
	       " \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"1.0.0\"},"
	       " {\"fixed\": \"1.2.0\"}, {\"introduced\": \"2.0.0\"}, {\"last_affected\": "
	       "\"2.0.3\"}]}, {\"type\": \"GIT\", \"repo\": \"x\", \"events\": [{\"introduced\":"
	       " \"0\"}, {\"fixed\": \"abcdef0123456789abcdef0123456789abcdef01\"}]}],"
	       " \"versions\": [\"1.0.0\", \"1.1.0\"]}]},"
	       " {\"id\": \"OSV-2099-1\", \"modified\": \"2024-02-02T00:00:00Z\","
	       " \"withdrawn\": \"2024-03-01T00:00:00Z\", \"affected\": []}]");
	snprintf(p, sizeof p, "%s/README.md", dir); /* not *.json: not read */
	write_file(p, "# OSV test records\n");
	iota_vulndb_import_stats st = {0};
	assert_int_equal(iota_vulndb_import(db, dir, &st), IOTA_OK);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.added, 3);
	assert_int_equal(count(db, "SELECT count(*) FROM cve WHERE source = 'osv' AND id = "
	                           "'CVE-2023-4911' AND record = 'DEBIAN-CVE-2023-4911'"),
	                 1);
	/* a GHSA record is filed under its CVE alias */
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM cve WHERE id = 'CVE-2099-1234' AND record = "
	                       "'GHSA-xxxx-yyyy-zzzz'"),
	                 1);
	/* 2 SEMVER ranges, 1 GIT, 2 versions */
	assert_int_equal(
	    count(db, "SELECT count(*) FROM affected WHERE record = 'GHSA-xxxx-yyyy-zzzz'"), 5);
	assert_int_equal(
	    count(db, "SELECT count(*) FROM affected WHERE record = 'GHSA-xxxx-yyyy-zzzz' "
	              "AND version_start = '2.0.0' AND version_end = '2.0.3' AND end_incl = 1"),
	    1);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM cve WHERE record = 'OSV-2099-1' AND status = "
	                       "'Withdrawn'"),
	                 1);
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_import(db, dir, &st), IOTA_OK);
	assert_int_equal(st.unchanged, 3);
	iota_vulndb_close(db);
}

static void zip_add(struct archive *a, const char *name, const char *text)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(text));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, text, strlen(text)), (la_ssize_t)strlen(text));
	archive_entry_free(e);
}

/* A zip of records (OSV's all.zip, the CVE List's release zips). */
static void test_import_zip(void **state)
{
	(void)state;
	iota_vulndb *db = fresh_db("zip.db");
	struct notes notes = {0};
	iota_vulndb_set_notes(db, on_note, &notes);
	char p[512];
	tmp_path(p, sizeof p, "osv-all.zip");
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, p), ARCHIVE_OK);
	zip_add(a, "all/DEBIAN-CVE-2023-4911.json", osv_glibc);
	zip_add(a, "all/broken.json", "{\"id\": ");
	zip_add(a, "README.md", "not read");
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	iota_vulndb_import_stats st = {0};
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_WARN);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.skipped, 1);
	assert_non_null(strstr(notes.last, "osv-all.zip:all/broken.json"));
	assert_int_equal(count(db, "SELECT count(*) FROM source WHERE name = 'osv' AND file LIKE "
	                           "'%osv-all.zip'"),
	                 1);
	iota_vulndb_close(db);
}

/* Files of 4 MiB and more are decoded and written by two threads. */
static void test_import_big(void **state)
{
	(void)state;
	iota_vulndb *db = fresh_db("big.db");
	char p[512];
	tmp_path(p, sizeof p, "big.json");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("{\"format\": \"NVD_CVE\", \"vulnerabilities\": [", f);
	const int n = 6000;
	for (int i = 0; i < n; i++)
		fprintf(f,
		        "%s{\"cve\": {\"id\": \"CVE-2098-%05d\", \"lastModified\": "
		        "\"2098-01-01T00:00:00.000\", \"vulnStatus\": \"Analyzed\", "
		        "\"descriptions\": [{\"lang\": \"en\", \"value\": \"Widget %d before 2.%d "
		        "lets attackers in. %0600d\"}], \"configurations\": [{\"nodes\": [{"
		        "\"operator\": \"OR\", \"cpeMatch\": [{\"vulnerable\": true, \"criteria\": "
		        "\"cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*\", \"versionEndExcluding\": "
		        "\"2.%d\"}]}]}]}}",
		        i ? ", " : "", i, i, i, 0, i);
	fputs("]}", f);
	long size = ftell(f);
	assert_int_equal(fclose(f), 0);
	assert_true(size > 4 << 20);
	iota_vulndb_import_stats st = {0};
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_int_equal(st.added, n);
	assert_int_equal(count(db, "SELECT count(*) FROM affected WHERE product = 'widget'"), n);
	/* in file order: the newest rowid is the last record */
	assert_int_equal(count(db, "SELECT CAST(substr(id, 10) AS INTEGER) FROM cve ORDER BY rowid "
	                           "DESC LIMIT 1"),
	                 n - 1);
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_OK);
	assert_int_equal(st.unchanged, n);

	/* cut in the middle: the records before the cut are kept */
	assert_int_equal(truncate(p, size / 2), 0);
	iota_vulndb_close(db);
	db = fresh_db("big2.db");
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "malformed JSON"));
	assert_true(st.added > (uint64_t)n / 3 && st.added < (uint64_t)n);

	/* a big array of things that are not records */
	tmp_path(p, sizeof p, "big-other.json");
	f = fopen(p, "w");
	assert_non_null(f);
	fputc('[', f);
	for (int i = 0; i < 40; i++)
		fprintf(f, "%s{\"x\": \"%0200000d\"}", i ? "," : "", 0);
	fputc(']', f);
	assert_int_equal(fclose(f), 0);
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_import(db, p, &st), IOTA_CORRUPT);
	assert_non_null(strstr(iota_vulndb_error(db), "not a recognised"));
	iota_vulndb_close(db);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	shared_dir = getenv("IOTA_SHARED_DIR");
	if (argc > 1)
		shared_dir = argv[1];
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/iota-vuln-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	if (!have_shared())
		fprintf(stderr,
		        "test_vuln_import: ../shared/data not found (IOTA_SHARED_DIR=%s): "
		        "tests with real records are skipped\n",
		        shared_dir ? shared_dir : "unset");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jsonstream),  cmocka_unit_test(test_cpe),
	    cmocka_unit_test(test_ranges),      cmocka_unit_test(test_products),
	    cmocka_unit_test(test_open_schema), cmocka_unit_test(test_default_path),
	    cmocka_unit_test(test_import_real), cmocka_unit_test(test_import_malformed),
	    cmocka_unit_test(test_import_osv),  cmocka_unit_test(test_import_big),
	    cmocka_unit_test(test_import_zip),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
