/*
 * Opaque blobs: a raw blob (the input image, a partition, a decompressed
 * payload) in which no known container was found and whose bytes look
 * random. That is what an encrypted or vendor-compressed firmware image
 * looks like: the scan cannot see inside, and a report that simply listed
 * no files would read as "nothing wrong". This says so explicitly.
 *
 * Measure: Shannon entropy of the byte histogram, per 64 KiB window; the
 * blob is opaque when at least 90% of its windows exceed 7.9 bits per byte
 * (compressed or encrypted data; text and code stay well below 7).
 */
#include <math.h>
#include <stdint.h>

#include "core/analyzer.h"

#define WINDOW (64 * 1024)
#define MIN_SIZE (16 * 1024)
#define HIGH_BITS 7.9

static double entropy(const uint8_t *p, size_t n)
{
	uint32_t hist[256] = {0};
	for (size_t i = 0; i < n; i++)
		hist[p[i]]++;
	double h = 0;
	for (int i = 0; i < 256; i++) {
		if (!hist[i])
			continue;
		double f = (double)hist[i] / (double)n;
		h -= f * log2(f);
	}
	return h;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	(void)head;
	(void)head_len;
	return (n->flags & IOTA_NF_CARVE) && n->first_child == NULL;
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	if (b->len < MIN_SIZE)
		return;
	size_t windows = 0, high = 0;
	double sum = 0;
	for (size_t off = 0; off < b->len; off += WINDOW) {
		size_t len = b->len - off < WINDOW ? b->len - off : WINDOW;
		if (len < 4096 && windows)
			break; /* a short tail says little */
		double h = entropy(b->data + off, len);
		sum += h;
		windows++;
		if (h > HIGH_BITS)
			high++;
	}
	if (windows && high * 10 >= windows * 9)
		iota_finding_add(s, "unpack.opaque", IOTA_SEV_MEDIUM, n, UINT64_MAX,
				 "no known format found and the bytes look random (%.2f bits/byte): "
				 "encrypted or in an unknown vendor format; its contents cannot be assessed",
				 sum / (double)windows);
}

const iota_analyzer iota_analyzer_opaque = {
	.name = "opaque",
	.description = "raw blobs that look encrypted or use an unknown format",
	.wants = wants,
	.run_file = run_file,
};
