/*
 * Unit tests: allocation failure injection (after SQLite's test_malloc and
 * curl's torture tests). A small scan — a directory with a text file, a gzip
 * stream, a symbolic link and a subdirectory, then the same bytes in memory —
 * is run with allocation number n made to fail, for every n until a run goes
 * through untouched. Each run must end cleanly: a valid result code, a
 * report that is written or refused, no crash, and (in the sanitizer build)
 * no leak and no bad access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "iotaudit/iotaudit.h"
#include "unit.h"
#include "util/alloc.h"

static char dir[64];

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A gzip stream (zlib's deflate with the gzip wrapper). */
static size_t make_gzip(const char *text, unsigned char *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = z.total_out;
	deflateEnd(&z);
	return n;
}

static unsigned char gz[4096];
static size_t gz_len;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/iota-allocfail-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	static const char text[] =
	    "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/tmp:/bin/sh\n";
	write_file("passwd", text, sizeof text - 1);
	gz_len = make_gzip("a small compressed file\nwith two lines\n", gz, sizeof gz);
	write_file("notes.gz", gz, gz_len);
	char path[256];
	snprintf(path, sizeof path, "%s/sub", dir);
	mkdir(path, 0755);
	write_file("sub/data.bin",
	           "\x7f"
	           "ELF\x01\x01\x01",
	           7);
	snprintf(path, sizeof path, "%s/link", dir);
	if (symlink("passwd", path) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

enum { INPUT_DIR, INPUT_MEMORY };

/* One scan with allocation n failing (n < 0: none). Returns the JSON report
 * (malloc'd, "" when none was written) and the scan's result in *rc. */
static char *scan_once(int input, long n, iota_rc *rc)
{
	char *buf = NULL;
	size_t len = 0;
	iota_options opt;
	iota_options_init(&opt);
	opt.threads = 1; /* one worker: the allocation order repeats run after run */
	iota_scan *s = NULL;
	iota_alloc_fail_after(n);
	*rc = iota_scan_open(&s, &opt);
	if (*rc == IOTA_OK) {
		if (input == INPUT_DIR)
			*rc = iota_scan_run(s, dir);
		else
			*rc = iota_scan_run_memory(s, "notes.gz", gz, gz_len);
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		iota_rc wr = iota_report_write(s, IOTA_FORMAT_JSON, f, 0);
		assert_true(wr == IOTA_OK || wr == IOTA_FATAL || wr == IOTA_NOMEM);
		fclose(f);
		if (wr != IOTA_OK)
			buf[0] = '\0';
		/* the error message is always a string */
		assert_non_null(iota_scan_error(s));
		iota_totals t;
		iota_scan_totals(s, &t);
		iota_scan_free(s);
	} else {
		assert_int_equal(*rc, IOTA_NOMEM);
		assert_null(s);
	}
	iota_alloc_fail_after(-1);
	if (!buf)
		buf = calloc(1, 1);
	return buf;
}

static void run_until_clean(int input)
{
	iota_rc rc;
	char *baseline = scan_once(input, -1, &rc);
	assert_int_equal(rc, IOTA_OK);
	assert_true(strlen(baseline) > 100);

	long n, clean = 0, failed_runs = 0;
	/* stop after a few runs in a row that match the baseline: n is then
	 * past the last allocation of a scan */
	for (n = 0; n < 20000 && clean < 5; n++) {
		char *rep = scan_once(input, n, &rc);
		assert_true(rc == IOTA_OK || rc == IOTA_WARN || rc == IOTA_CORRUPT ||
		            rc == IOTA_LIMIT || rc == IOTA_NOMEM || rc == IOTA_FATAL);
		if (rc == IOTA_OK && strcmp(rep, baseline) == 0) {
			clean++;
		} else {
			clean = 0;
			failed_runs++;
		}
		free(rep);
	}
	assert_true(clean >= 5);
	/* the injection did reach the scan */
	assert_true(failed_runs > 10);
	print_message("%ld allocation points tried, %ld runs failed cleanly\n", n, failed_runs);
	free(baseline);
}

static void test_directory_scan(void **state)
{
	(void)state;
	run_until_clean(INPUT_DIR);
}

static void test_memory_scan(void **state)
{
	(void)state;
	run_until_clean(INPUT_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_directory_scan),
	    cmocka_unit_test(test_memory_scan),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
