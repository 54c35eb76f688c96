/*
 * Fuzz target for one unpacker, compiled once per src/unpack/unpack_<name>.c
 * with -DFUZZ_UNPACKER="<name>" (fuzz/regression.cmake makes the list).
 *
 * The input is handed to that unpacker alone: the scan's internal test hook
 * only_fmt (src/core/scan.h) makes the engine skip every other probe and the
 * carving of the input, and unpack it as this format at offset 0 when this
 * format's probe says so (>= 50: the contract every unpacker may rely on).
 * So the job, blob and container node are exactly what the engine builds,
 * and the unpacker's members are then visited as in a real scan: their
 * content is loaded (lazy loaders included), hashed and reported. Nesting
 * stops at depth 1, so a member that is itself a container is probed but
 * not unpacked: the fuzzer's time goes to this unpacker, not to others
 * (the "scan" target covers them together).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/scan.h"
#include "core/unpacker.h"
#include "iotaudit/iotaudit.h"

#ifndef FUZZ_UNPACKER
#error "compile with -DFUZZ_UNPACKER=\"<name>\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const iota_unpacker *fmt;
	static FILE *sink;
	static iota_carver *carver;
	if (!fmt) {
		fmt = iota_unpacker_find(FUZZ_UNPACKER);
		sink = fopen("/dev/null", "w");
		carver = iota_carver_new();
		if (!fmt || !sink || !carver) {
			fprintf(stderr, "fuzz: unpacker '%s' is not built in\n", FUZZ_UNPACKER);
			abort();
		}
	}
	iota_options opt;
	iota_options_init(&opt);
	opt.threads = 1;
	opt.limits.max_depth = 1;
	opt.limits.max_total_bytes = 64ULL << 20;
	opt.limits.max_file_size = 16ULL << 20;
	opt.limits.max_files = 20000;

	iota_scan *s = NULL;
	if (iota_scan_open(&s, &opt) != IOTA_OK)
		return 0;
	s->only_fmt = fmt;
	s->carver = carver; /* compiled once (see fuzz_scan.c), not freed with the scan */
	if (iota_scan_run_memory(s, "fuzz.bin", data, size) == IOTA_OK)
		iota_report_write(s, IOTA_FORMAT_JSON, sink, 0);
	s->carver = NULL;
	iota_scan_free(s);
	return 0;
}
