/*
 * Broadcom TRX firmware images (routers on Broadcom SoCs, OpenWrt's
 * bcm47xx/bcm53xx targets).
 *
 * Specification: Broadcom's trxhdr.h (struct trx_header) as published in its
 * GPL source drops, and OpenWrt's firmware-utils trx.c. Little endian:
 *	0  magic "HDR0"   4  len (whole image, header included)
 *	8  crc32          12 flag_version (flags bits 0..15, version 16..31)
 *	16 offsets[3] (version 1) or offsets[4] (version 2): partition starts
 *	   from the start of the header, 0 = unused
 * crc32 covers bytes 12..len. Broadcom computes it with hndcrc32() from
 * CRC32_INIT_VALUE 0xffffffff and compares the result without the final
 * inversion (so does OpenWrt's crc32buf()); zlib's crc32() inverts at the
 * end, so the stored value is ~crc32(0, bytes, n).
 *
 * Each partition (typically an LZMA loader or kernel, then a SquashFS root)
 * becomes a child blob slicing the input, flagged for carving. A partition
 * runs to the next partition's start, or to len for the last one. Written by
 * hand: a fixed header of seven or eight words.
 */
#include <stdio.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/reader.h"

#define MAGIC 0x30524448u /* "HDR0" read little endian */
#define MAX_PARTS 4

struct trx {
	uint32_t len, crc, flags, version;
	unsigned nparts;
	uint32_t off[MAX_PARTS];
	size_t hdr_len;
};

static bool read_header(const uint8_t *p, size_t len, struct trx *t)
{
	iota_reader r;
	iota_rd_init(&r, p, len);
	if (iota_rd_u32le(&r) != MAGIC)
		return false;
	t->len = iota_rd_u32le(&r);
	t->crc = iota_rd_u32le(&r);
	uint32_t fv = iota_rd_u32le(&r);
	t->flags = fv & 0xffff;
	t->version = fv >> 16;
	if (t->version != 1 && t->version != 2)
		return false;
	t->nparts = t->version == 1 ? 3 : 4;
	for (unsigned i = 0; i < t->nparts; i++)
		t->off[i] = iota_rd_u32le(&r);
	t->hdr_len = r.pos;
	return !r.bad;
}

/* True if every used offset lies in [header, len) and they increase. */
static bool offsets_sane(const struct trx *t)
{
	uint32_t prev = 0;
	unsigned used = 0;
	for (unsigned i = 0; i < t->nparts; i++) {
		if (t->off[i] == 0)
			continue;
		if (t->off[i] < t->hdr_len || t->off[i] >= t->len || t->off[i] <= prev)
			return false;
		prev = t->off[i];
		used++;
	}
	return used > 0;
}

static int probe_trx(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	struct trx t;
	if (!read_header(head, head_len, &t))
		return 0;
	if (t.len < t.hdr_len || !offsets_sane(&t))
		return 20;
	/* the CRC covers the whole image, beyond what a probe may read */
	return t.len <= total_len ? 90 : 60;
}

static iota_rc unpack_trx(iota_unpack_job *job)
{
	struct trx t;
	if (!read_header(job->data, job->len, &t))
		return iota_unpack_corrupt(job, "no TRX header");
	if (t.len < t.hdr_len)
		return iota_unpack_corrupt(job, "TRX length %u is shorter than its header", t.len);
	snprintf(job->root->variant, sizeof job->root->variant, "v%u", t.version);

	iota_rc rc = IOTA_OK;
	uint64_t end = t.len;
	if (end > job->len) {
		end = job->len;
		iota_finding_add(job->scan, "unpack.truncated", IOTA_SEV_LOW, job->file, job->offset,
				 "TRX image of %u bytes is cut short: %zu are present", t.len, job->len);
		rc = IOTA_WARN;
	} else {
		uint32_t crc = ~(uint32_t)crc32_z(0, job->data + 12, end - 12);
		if (crc != t.crc) {
			iota_finding_add(job->scan, "unpack.checksum", IOTA_SEV_LOW, job->file,
					 job->offset, "TRX CRC is 0x%08x, the header says 0x%08x", crc,
					 t.crc);
			rc = IOTA_WARN;
		}
	}
	job->consumed = (size_t)end;

	unsigned added = 0;
	uint32_t prev = 0;
	for (unsigned i = 0; i < t.nparts; i++) {
		uint32_t start = t.off[i];
		if (start == 0)
			continue;
		if (start < t.hdr_len || start >= t.len || start <= prev) {
			iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_LOW, job->file,
					 job->offset,
					 "TRX partition %u has a bad offset 0x%x; skipped", i, start);
			rc = IOTA_WARN;
			continue;
		}
		prev = start;
		/* a partition ends where the next used one starts, the last at len */
		uint64_t stop = t.len;
		for (unsigned j = i + 1; j < t.nparts; j++) {
			if (t.off[j] > start && t.off[j] < t.len) {
				stop = t.off[j];
				break;
			}
		}
		bool cut = stop > end;
		if (cut)
			stop = end;
		if (stop <= start)
			continue;
		iota_blob *b = iota_blob_slice(job->blob, (size_t)(job->offset + start),
					       (size_t)(stop - start));
		if (!b)
			return IOTA_NOMEM;
		char name[24];
		snprintf(name, sizeof name, "partition%u", i);
		iota_node *n = iota_unpack_add_blob(job, name, b, 1);
		if (!n)
			return iota_scan_should_stop(job->scan) ? IOTA_LIMIT : IOTA_NOMEM;
		if (cut)
			atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
		added++;
	}
	if (added == 0)
		return iota_unpack_corrupt(job, "TRX image has no readable partition");
	return rc;
}

static const iota_magic magics[] = {{"HDR0", 4, 0}};

const iota_unpacker iota_unpacker_trx = {
	.name = "trx",
	.description = "Broadcom TRX firmware image (v1, v2)",
	.magics = magics,
	.nmagics = sizeof magics / sizeof magics[0],
	.probe = probe_trx,
	.unpack = unpack_trx,
};
