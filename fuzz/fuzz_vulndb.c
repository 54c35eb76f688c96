/*
 * Fuzz target "vulndb": the vulnerability importers (NVD API 2.0, CVE JSON
 * 5, OSV, CISA KEV JSON and CSV: the format is told from the content) and
 * the matcher over what was imported. Feeds hostile records from an
 * untrusted feed or mirror.
 *
 * The importers read files, so the input is written to one scratch file per
 * process and imported into one scratch database (both in $TMPDIR, removed
 * at exit); after each import, a few products are matched at versions that
 * exercise the version ordering (letters, p-releases, dates, ~). The same
 * bytes are read as a kernel configuration (.config, gzip, IKCONFIG), which,
 * when it reads as one, filters a kernel query.
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

	iota_kconfig *k = NULL;
	iota_rc krc = iota_kconfig_from_bytes(data, size, &k);
	if ((krc == IOTA_OK || krc == IOTA_WARN) != (k != NULL))
		abort(); /* a configuration exactly when it says so */
	if (k) {
		for (size_t i = 0; i + 1 < k->count; i++)
			if (strcmp(k->enabled[i], k->enabled[i + 1]) >= 0)
				abort(); /* sorted and unique */
		if (k->enabled[k->count])
			abort(); /* NULL-terminated */
		iota_vuln_query q = {.name = "linux",
		                     .version = "6.1.76",
		                     .kconfig_enabled = (const char *const *)k->enabled,
		                     .kconfig_known = 1,
		                     .flags = IOTA_VULN_INCLUDE_NOT_APPLICABLE};
		iota_vuln_result *r = NULL;
		if (iota_vulndb_match(db, &q, &r) == IOTA_OK && r->not_applicable > r->count)
			abort(); /* returned with the flag: counted among the matches */
		iota_vuln_result_free(r);
		iota_kconfig_free(k);
	}
	/* the first line as a release string and the rest as a banner */
	char text[512], v[64];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	char *nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	(void)iota_kernel_upstream_version(text, nl ? nl + 1 : NULL, v, sizeof v);
	return 0;
}
