/*
 * Fuzz target "vulndb": the vulnerability importers (NVD API 2.0, CVE JSON
 * 5, OSV, CISA KEV JSON and CSV: the format is told from the content) and
 * the matcher over what was imported. Feeds hostile records from an
 * untrusted feed or mirror.
 *
 * The importers read files, so the input is written to one scratch file per
 * process and imported into one scratch database (both in $TMPDIR, removed
 * at exit); after each import, a few products are matched at versions that
 * exercise the version ordering (letters, p-releases, dates, ~).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iotaudit/vulndb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char input[96], dbpath[96];
static iota_vulndb *db;

static void cleanup(void)
{
	if (db)
		iota_vulndb_close(db);
	unlink(input);
	unlink(dbpath);
	char wal[128];
	snprintf(wal, sizeof wal, "%s-wal", dbpath);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", dbpath);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-journal", dbpath);
	unlink(wal);
	rmdir(dir);
}

static int init(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/iota-fuzz-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(input, sizeof input, "%s/input.json", dir);
	snprintf(dbpath, sizeof dbpath, "%s/vuln.db", dir);
	atexit(cleanup);
	if (iota_vulndb_open(&db, dbpath, IOTA_VULNDB_WRITE) != IOTA_OK)
		abort(); /* a fresh database must open */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (init() != 0)
			return 0;
		ready = 1;
	}
	FILE *f = fopen(input, "wb");
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fclose(f);

	iota_vulndb_import_stats st;
	memset(&st, 0, sizeof st);
	(void)iota_vulndb_import(db, input, &st);
	if (st.added + st.updated + st.unchanged + st.skipped > st.records + st.files)
		abort(); /* every record is counted once */

	static const iota_vuln_query queries[] = {
		{.name = "busybox", .version = "1.35.0"},
		{.name = "openssl", .version = "1.0.2k"},
		{.name = "openssh", .version = "9.2p1"},
		{.name = "dropbear", .version = "2022.83"},
		{.name = "linux", .version = "5.10.201"},
		{.name = "fuzzproduct", .version = "1.0~rc1", .vendor = "fuzzvendor"},
	};
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		iota_vuln_result *r = NULL;
		(void)iota_vulndb_match(db, &queries[i], &r);
		iota_vuln_result_free(r);
	}
	return 0;
}
