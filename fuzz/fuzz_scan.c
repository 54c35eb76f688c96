/*
 * Fuzz target "scan": the whole engine on one input, as `iotaudit scan` runs
 * it on an image, but in memory (iota_scan_run_memory) and with small limits
 * so that one input stays cheap: every unpacker's probe, carving, recursive
 * unpacking, lazy loaders, hashing and both report writers.
 *
 * White-box in one respect: the carver (the compiled Hyperscan database of
 * every magic, immutable once built) is made once and lent to each scan,
 * instead of being compiled again per input as iota_scan_run_memory()
 * would do; compiling it was a quarter of each run's time.
 *
 * One worker thread: libFuzzer measures coverage and ASan reports leaks per
 * input, which both want the input's work finished when this returns; the
 * engine's own threading is exercised by the unit tests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/scan.h"
#include "core/unpacker.h"
#include "iotaudit/iotaudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static iota_carver *carver;
	if (!sink) {
		sink = fopen("/dev/null", "w");
		carver = iota_carver_new();
		if (!sink || !carver)
			abort();
	}
	iota_options opt;
	iota_options_init(&opt);
	opt.threads = 1;
	opt.limits.max_depth = 8;
	opt.limits.max_total_bytes = 64ULL << 20;
	opt.limits.max_file_size = 16ULL << 20;
	opt.limits.max_files = 20000;

	iota_scan *s = NULL;
	if (iota_scan_open(&s, &opt) != IOTA_OK)
		return 0;
	s->carver = carver;
	/* a damaged input still returns OK; only memory exhaustion stops it */
	iota_rc rc = iota_scan_run_memory(s, "fuzz.bin", data, size);
	if (rc == IOTA_OK) {
		iota_report_write(s, IOTA_FORMAT_JSON, sink, 0);
		iota_report_write(s, IOTA_FORMAT_TEXT, sink, 1);
	}
	s->carver = NULL; /* not the scan's to free */
	iota_scan_free(s);
	return 0;
}
