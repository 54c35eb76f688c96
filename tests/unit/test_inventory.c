/* The inventory store on SQLite through the public API (src/inventory/):
 * idempotent adds, validation, queries, diff, eol and migrations. The
 * PostgreSQL backend and matching are covered end to end
 * (tests/e2e/inventory.py). */
#include "unit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iotaudit/inventory.h"

static char dir[] = "/tmp/iota-inv-unit.XXXXXX";
static char path[256];

#define SHA(c) c c c c c c c c /* 8 x 8 hex digits */

static iota_inventory *open_inv(void)
{
	iota_inventory *inv = NULL;
	iota_rc rc = iota_inventory_open(&inv, path);
	if (rc != IOTA_OK)
		fail_msg("open: %s", iota_inventory_error(inv));
	return inv;
}

/* Adds image n of a tiny fleet: busybox moves 1.30.1 -> 1.36.1 -> 1.36.1,
 * dropbear appears in 2, zlib leaves in 3, telnet is fixed in 2. */
static int add(iota_inventory *inv, int n)
{
	static const char *const shas[] = {SHA("11111111"), SHA("22222222"), SHA("33333333")};
	static const char *const bb[] = {"1:1.30.1-6", "1:1.36.1-1", "1:1.36.1-1"};
	static const char *const ends[] = {"2024-06-30", "2026-12-31", "2030-01-01"};
	iota_inventory_component c[3] = {
	    {"busybox", bb[n], "pkg:deb/debian/busybox@x", NULL, "is",
	     "@0x0 squashfs:/bin/busybox"},
	    {n ? "dropbear" : "zlib", n ? "2022.83" : "1.2.13", NULL, NULL, "is",
	     "@0x0 squashfs:/x"},
	    {n == 2 ? "openssl" : "zlib", n == 2 ? "3.0.13" : "1.2.13", NULL, NULL, "contains",
	     "@0x0 squashfs:/y"},
	};
	iota_inventory_finding f[2] = {
	    {"svc.telnet-noauth", "critical", "@0x0 squashfs:/etc/inittab", "telnet"},
	    {"elf.no-pie", "low", "@0x0 squashfs:/bin/busybox", "not PIE"},
	};
	char file[32];
	snprintf(file, sizeof file, "fw-%d.bin", n + 1);
	const char *tags[] = {n ? "field" : "lab"};
	iota_inventory_image img = {0};
	img.sha256 = shas[n];
	img.meta.file_name = file;
	img.meta.vendor = "Acme";
	img.meta.model = n == 2 ? "R2" : "R1";
	img.meta.support_end = ends[n];
	img.meta.device_class = "consumer";
	img.meta.tags = tags;
	img.meta.ntags = 1;
	img.components = c;
	img.ncomponents = 3;
	img.findings = n ? f + 1 : f;
	img.nfindings = n ? 1 : 2;
	int added = -1;
	iota_rc rc = iota_inventory_add(inv, &img, NULL, &added);
	if (rc != IOTA_OK)
		fail_msg("add %d: %s", n, iota_inventory_error(inv));
	return added;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/inv.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[300];
	const char *const sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static size_t col(const iota_inventory_table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c], name) == 0)
			return c;
	fail_msg("no column %s", name);
	return 0;
}

/* The file names of a query's answer, space-separated. */
static void files_of(iota_inventory *inv, const iota_inventory_query *q, char *out, size_t cap)
{
	iota_inventory_table *t = NULL;
	if (iota_inventory_query_run(inv, q, &t) != IOTA_OK)
		fail_msg("query: %s", iota_inventory_error(inv));
	out[0] = '\0';
	size_t fc = col(t, "file");
	for (size_t r = 0; r < t->nrows; r++) {
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%s%s", l ? " " : "", iota_inventory_cell(t, r, fc));
	}
	iota_inventory_table_free(t);
}

static void test_add_idempotent(void **state)
{
	(void)state;
	iota_inventory *inv = open_inv();
	assert_int_equal(add(inv, 0), 1);
	assert_int_equal(add(inv, 1), 1);
	assert_int_equal(add(inv, 2), 1);
	assert_int_equal(add(inv, 1), 0); /* again: nothing changes */
	assert_int_equal(iota_inventory_has(inv, SHA("22222222")), 1);
	assert_int_equal(iota_inventory_has(inv, SHA("44444444")), 0);
	iota_inventory_query q = {0};
	iota_inventory_table *t = NULL;
	assert_int_equal(iota_inventory_query_run(inv, &q, &t), IOTA_OK);
	assert_int_equal(t->nrows, 3);
	assert_string_equal(iota_inventory_cell(t, 1, col(t, "file")), "fw-2.bin");
	assert_string_equal(iota_inventory_cell(t, 1, col(t, "components")), "3");
	assert_string_equal(iota_inventory_cell(t, 0, col(t, "findings")), "2");
	iota_inventory_table_free(t);
	iota_inventory_close(inv);
}

static void test_validation(void **state)
{
	(void)state;
	iota_inventory *inv = open_inv();
	iota_inventory_image img = {0};
	int added;
	img.sha256 = "abc";
	assert_int_equal(iota_inventory_add(inv, &img, NULL, &added), IOTA_FATAL);
	assert_non_null(strstr(iota_inventory_error(inv), "SHA-256"));
	img.sha256 = SHA("5555555A"); /* upper case is not our spelling */
	assert_int_equal(iota_inventory_add(inv, &img, NULL, &added), IOTA_FATAL);
	img.sha256 = SHA("55555555");
	img.meta.support_end = "2026-02-30";
	assert_int_equal(iota_inventory_add(inv, &img, NULL, &added), IOTA_FATAL);
	assert_non_null(strstr(iota_inventory_error(inv), "2026-02-30"));
	img.meta.support_end = NULL;
	img.meta.device_class = "military";
	assert_int_equal(iota_inventory_add(inv, &img, NULL, &added), IOTA_FATAL);
	assert_int_equal(iota_inventory_has(inv, SHA("55555555")), 0);
	iota_inventory_close(inv);
}

static void test_queries(void **state)
{
	(void)state;
	iota_inventory *inv = open_inv();
	char got[256];
	iota_inventory_query q = {0};
	q.component = "busybox";
	q.version_range = ">=1.31,<=1.36.1"; /* upstream bounds: the epoch is set aside */
	files_of(inv, &q, got, sizeof got);
	assert_string_equal(got, "fw-2.bin fw-3.bin");
	q.version_range = "<1:1.36"; /* a package-version bound compares whole versions */
	files_of(inv, &q, got, sizeof got);
	assert_string_equal(got, "fw-1.bin");
	memset(&q, 0, sizeof q);
	q.finding = "svc.telnet-noauth";
	files_of(inv, &q, got, sizeof got);
	assert_string_equal(got, "fw-1.bin");
	memset(&q, 0, sizeof q);
	q.tag = "field";
	q.model = "R1";
	files_of(inv, &q, got, sizeof got);
	assert_string_equal(got, "fw-2.bin");
	memset(&q, 0, sizeof q);
	q.eol = 1;
	q.today = "2027-01-01";
	files_of(inv, &q, got, sizeof got);
	assert_string_equal(got, "fw-1.bin fw-2.bin");
	q.vendor = "Acme";
	q.tag = "lab";
	files_of(inv, &q, got, sizeof got);
	assert_string_equal(got, "fw-1.bin");
	memset(&q, 0, sizeof q);
	q.component = "x";
	q.version_range = "banana";
	iota_inventory_table *t = NULL;
	assert_int_equal(iota_inventory_query_run(inv, &q, &t), IOTA_FATAL);
	assert_null(t);
	iota_inventory_close(inv);
}

static void test_eol(void **state)
{
	(void)state;
	iota_inventory *inv = open_inv();
	iota_inventory_table *t = NULL;
	assert_int_equal(iota_inventory_eol(inv, "2026-12-01", 30, &t), IOTA_OK);
	assert_int_equal(t->nrows, 2);
	/* sorted by end date */
	assert_string_equal(iota_inventory_cell(t, 0, col(t, "file")), "fw-1.bin");
	assert_string_equal(iota_inventory_cell(t, 0, col(t, "state")), "ended");
	assert_string_equal(iota_inventory_cell(t, 0, col(t, "days")), "-884");
	assert_string_equal(iota_inventory_cell(t, 1, col(t, "state")), "ending");
	assert_string_equal(iota_inventory_cell(t, 1, col(t, "days")), "30");
	iota_inventory_table_free(t);
	assert_int_equal(iota_inventory_eol(inv, "2026-12-01", 29, &t), IOTA_OK);
	assert_int_equal(t->nrows, 1);
	iota_inventory_table_free(t);
	assert_int_equal(iota_inventory_eol(inv, "12/01/2026", 0, &t), IOTA_FATAL);
	iota_inventory_close(inv);
}

static int has_row(const iota_inventory_table *t, const char *kind, const char *change,
                   const char *name, const char *a, const char *b)
{
	for (size_t r = 0; r < t->nrows; r++) {
		const char *v[5] = {iota_inventory_cell(t, r, 0), iota_inventory_cell(t, r, 1),
		                    iota_inventory_cell(t, r, 2), iota_inventory_cell(t, r, 3),
		                    iota_inventory_cell(t, r, 4)};
		const char *w[5] = {kind, change, name, a, b};
		int ok = 1;
		for (int k = 0; k < 5; k++)
			ok &= (!v[k] && !w[k]) || (v[k] && w[k] && strcmp(v[k], w[k]) == 0);
		if (ok)
			return 1;
	}
	return 0;
}

static void test_diff(void **state)
{
	(void)state;
	iota_inventory *inv = open_inv();
	iota_inventory_table *t = NULL;
	assert_int_equal(iota_inventory_diff(inv, "fw-1.bin", "2222", &t), IOTA_OK);
	assert_true(has_row(t, "component", "upgraded", "busybox", "1:1.30.1-6", "1:1.36.1-1"));
	assert_true(has_row(t, "component", "added", "dropbear", NULL, "2022.83"));
	assert_true(has_row(t, "finding", "fixed", "svc.telnet-noauth",
	                    "@0x0 squashfs:/etc/inittab", NULL));
	/* zlib is still in 2 (the third component): not removed */
	assert_false(has_row(t, "component", "removed", "zlib", "1.2.13", NULL));
	assert_int_equal(t->nrows, 3);
	iota_inventory_table_free(t);
	assert_int_equal(iota_inventory_diff(inv, "fw-3.bin", "fw-1.bin", &t), IOTA_OK);
	assert_true(has_row(t, "component", "downgraded", "busybox", "1:1.36.1-1", "1:1.30.1-6"));
	assert_true(has_row(t, "component", "removed", "openssl", "3.0.13", NULL));
	assert_true(has_row(t, "component", "added", "zlib", NULL, "1.2.13"));
	assert_true(
	    has_row(t, "finding", "new", "svc.telnet-noauth", NULL, "@0x0 squashfs:/etc/inittab"));
	iota_inventory_table_free(t);
	t = NULL;
	assert_int_equal(iota_inventory_diff(inv, "fw-1.bin", "nosuch", &t), IOTA_FATAL);
	assert_null(t);
	assert_int_equal(iota_inventory_diff(inv, "fw-1.bin", "ffff", &t), IOTA_FATAL);
	iota_inventory_close(inv);
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO schema_migrations(version, applied_at) "
	                              "VALUES (99, 'later')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	iota_inventory *inv = NULL;
	assert_int_equal(iota_inventory_open(&inv, path), IOTA_FATAL);
	assert_non_null(strstr(iota_inventory_error(inv), "newer"));
	iota_inventory_close(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_idempotent), cmocka_unit_test(test_validation),
	    cmocka_unit_test(test_queries),        cmocka_unit_test(test_eol),
	    cmocka_unit_test(test_diff),           cmocka_unit_test(test_newer_schema_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
