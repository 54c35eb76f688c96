/*
 * Fuzz target "assess": the files a user hands the assessment — vendor
 * evidence, tailoring and policy (YAML, read with libfyaml and walked by
 * src/assess/) — against the embedded catalog.
 *
 * The first byte of the input picks the role (0 evidence, 1 tailoring,
 * 2 policy, 3 all three at once), the rest is the file. The readers take
 * paths, so it is written to a scratch file ($TMPDIR, removed at exit); the
 * scan assessed is a small one over a few bytes in memory. A malformed file
 * must give FATAL with a "FILE:LINE: reason" message, never a crash; a good
 * one an assessment the JSON and text reports can write.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iotaudit/iotaudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static const char image[] = "root:$1$Q7wPz3Lk$BEX3CmcQAeCQtgBKIJp2r.:19000:0:99999:7:::\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/iota-fuzz-XXXXXX",
			 tmp && strlen(tmp) < 32 ? tmp : "/tmp");
		if (!mkdtemp(dir))
			return 0;
		snprintf(path, sizeof path, "%s/input.yaml", dir);
		atexit(cleanup);
		ready = 1;
	}
	if (size < 1)
		return 0;
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);

	iota_options opt;
	iota_options_init(&opt);
	opt.threads = 1;
	opt.carve = 0; /* no Hyperscan database per run: the bytes are not what is fuzzed */
	iota_scan *s = NULL;
	if (iota_scan_open(&s, &opt) != IOTA_OK)
		return 0;
	iota_scan_run_memory(s, "shadow", image, sizeof image - 1);
	iota_assess_options o;
	iota_assess_options_init(&o);
	o.today = "2026-06-01";
	o.fail_on = "high";
	unsigned role = data[0] & 3;
	if (role == 0 || role == 3)
		o.evidence = path;
	if (role == 1 || role == 3)
		o.tailoring = path;
	if (role == 2 || role == 3)
		o.policy = path;
	iota_rc rc = iota_scan_assess(s, &o);
	if (rc == IOTA_FATAL && !strchr(iota_scan_error(s), ':'))
		abort(); /* every refusal names the file */
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		iota_report_write(s, IOTA_FORMAT_JSON, null, 0);
		iota_report_write(s, IOTA_FORMAT_TEXT, null, 0);
		fclose(null);
	}
	for (size_t i = 0; i < iota_gate_reasons(s); i++)
		if (!iota_gate_reason(s, i))
			abort();
	iota_scan_free(s);
	return 0;
}
