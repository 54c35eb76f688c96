/*
 * Fuzz target "signatures": the binary-signature engine (src/sbom/
 * signatures.c) on untrusted bytes. The input is scanned with the built-in
 * signatures, searched for busybox's applet table and, cut at 255 bytes,
 * matched as a file name; an input starting with "- " is also loaded as a
 * signature file (YAML, then PCRE2 and Hyperscan compilation). Contracts
 * checked (a broken one aborts): every hit lies inside the input, its version
 * is 1-63 printable bytes and its match at most 200; the applet list names as
 * many applets as it says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/signatures.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	size_t size;
};

static int on_hit(void *p, const iota_sig_hit *h)
{
	const struct ctx *c = p;
	size_t vl = strlen(h->version);
	if (vl == 0 || vl > 63 || strlen(h->match) > 200)
		abort();
	for (size_t i = 0; i < vl; i++)
		if (h->version[i] < 0x21 || h->version[i] > 0x7e)
			abort();
	if (h->offset != UINT64_MAX && h->offset >= c->size)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const iota_sigdb *db = iota_sigdb_builtin(NULL, 0);
	if (!db)
		abort(); /* the built-in set always loads */
	/* an exact-size heap copy, so ASan sees a read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct ctx c = {.size = size};
	iota_sigdb_scan(db, buf, size, on_hit, &c);

	char list[4096];
	size_t n = iota_busybox_applets(buf, size, list, sizeof list);
	if (n) {
		size_t commas = 0;
		for (const char *p = list; *p; p++)
			commas += *p == ',';
		if (commas + 1 > n)
			abort();
	}

	char name[256];
	size_t nl = size < sizeof name - 1 ? size : sizeof name - 1;
	memcpy(name, buf, nl);
	name[nl] = '\0';
	iota_sigdb_match_name(db, name, on_hit, &c);

	if (size > 2 && buf[0] == '-' && buf[1] == ' ') {
		const char *texts[] = {(const char *)buf};
		const char *names[] = {"fuzz.yaml"};
		char err[256];
		iota_sigdb *own = iota_sigdb_load(texts, &size, names, 1, err, sizeof err);
		if (own) {
			iota_sigdb_scan(own, buf, size, on_hit, &c);
			iota_sigdb_free(own);
		}
	}
	free(buf);
	return 0;
}
