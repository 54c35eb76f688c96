/*
 * Raw NAND dumps with their spare (OOB) bytes: a chip read page by page with
 * `nanddump --oob`, or by a programmer, holds after every page of data its
 * spare area (ECC, bad-block marker, file-system tags). The file systems in
 * the dump were written to the page data only, so they are read here by
 * stripping the spare bytes and handing the joined page data on as one child,
 * which is carved like any raw blob (UBI, UBIFS, JFFS2, SquashFS, ext4...).
 *
 * Specification: the Linux MTD layer's model of NAND (include/linux/mtd/
 * rawnand.h: page = writesize bytes of data followed by oobsize bytes of OOB;
 * common geometries 512+16, 2048+64, 2048+128, 4096+128, 4096+224, 4096+256,
 * 8192+256, 8192+448) and UBI's on-flash headers (drivers/mtd/ubi/ubi-media.h:
 * struct ubi_ec_hdr, 64 bytes at the start of every erase block: magic
 * "UBI#", version 1, ..., vid_hdr_offset (BE32 at 16) and data_offset (BE32
 * at 20), hdr_crc (BE32 at 60, crc32 of the 60 bytes before, seeded with
 * 0xffffffff and not inverted after); struct ubi_vid_hdr, magic "UBI!", at
 * vid_hdr_offset of the erase block).
 *
 * The geometry is not guessed: a dump is recognised when its first erase
 * block holds a valid UBI erase-counter header whose volume-identifier header
 * is not where the EC header says (vid_hdr_offset in the data) but where it
 * lands when a spare area follows each page (each geometry puts it at another
 * place). A UBI image without spare bytes has its
 * VID header in place and is left to the ubi unpacker.
 *
 * Written by hand: there is no library for this; it is a copy loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

struct geom {
	uint32_t page, spare;
};

static const struct geom geoms[] = {
    {2048, 64}, {4096, 128}, {4096, 224}, {4096, 256}, {2048, 128},
    {512, 16},  {8192, 256}, {8192, 448}, {8192, 512},
};
#define NGEOMS (sizeof geoms / sizeof geoms[0])

/* The byte of raw dump that holds byte off of the page data. */
static uint64_t raw_of(const struct geom *g, uint64_t off)
{
	return off / g->page * ((uint64_t)g->page + g->spare) + off % g->page;
}

/* A UBI EC header with a good CRC at raw offset 0; its vid_hdr_offset. */
static bool ec_header(const uint8_t *d, size_t len, uint32_t *vid_off)
{
	uint8_t ver;
	uint32_t crc;
	if (!iota_ld_match(d, len, 0, "UBI#", 4) || !iota_ld_u8(d, len, 4, &ver) || ver != 1 ||
	    !iota_ld_u32be(d, len, 16, vid_off) || !iota_ld_u32be(d, len, 60, &crc) || len < 64)
		return false;
	/* ubi_ec_hdr.hdr_crc: crc32_le(UBI_CRC32_INIT, hdr, 60) with no final
	 * inversion; zlib's crc32 inverts before and after */
	return ((uint32_t)crc32_z(0, d, 60) ^ 0xffffffffu) == crc;
}

/* The geometry of the dump, or -1. */
static int find_geom(const uint8_t *d, size_t len, uint64_t total)
{
	uint32_t vo;
	if (!ec_header(d, len, &vo) || vo < 64 || vo > (1u << 20))
		return -1;
	if (iota_ld_match(d, len, vo, "UBI!", 4))
		return -1; /* in place: no spare bytes */
	for (size_t i = 0; i < NGEOMS; i++) {
		const struct geom *g = &geoms[i];
		uint64_t csz = (uint64_t)g->page + g->spare;
		if (total < csz)
			continue;
		uint64_t at = raw_of(g, vo);
		if (at < len && iota_ld_match(d, len, (size_t)at, "UBI!", 4))
			return (int)i;
	}
	return -1;
}

static int probe_nand(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	/* above the ubi unpacker's 95 for "UBI#": the VID header proves the spare bytes */
	return find_geom(head, head_len, total_len) >= 0 ? 98 : 0;
}

static iota_rc unpack_nand(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	int gi = find_geom(job->data, job->len, job->len);
	if (gi < 0)
		return iota_unpack_corrupt(job, "no NAND page+spare geometry fits the dump");
	const struct geom *g = &geoms[gi];
	size_t csz = (size_t)g->page + g->spare;
	size_t n = job->len / csz, partial = job->len % csz;
	uint64_t out_len = (uint64_t)n * g->page;
	uint64_t budget = iota_scan_file_budget(s);
	bool cut = false;
	if (out_len > budget) {
		n = (size_t)(budget / g->page);
		out_len = (uint64_t)n * g->page;
		cut = true;
	}
	snprintf(job->root->variant, sizeof job->root->variant, "%u+%u", g->page, g->spare);
	job->consumed = job->len;
	uint8_t *out = iota_malloc(out_len ? (size_t)out_len : 1);
	if (!out)
		return IOTA_NOMEM;
	iota_reader r;
	iota_rd_init(&r, job->data, job->len);
	for (size_t i = 0; i < n; i++) {
		if ((i & 0xfff) == 0 && iota_scan_should_stop(s)) {
			iota_free(out);
			return IOTA_LIMIT;
		}
		iota_rd_seek(&r, i * csz);
		const uint8_t *p = iota_rd_bytes(&r, g->page);
		if (!p)
			break; /* not reached: n whole units are there */
		memcpy(out + i * (size_t)g->page, p, g->page);
	}
	iota_blob *b = iota_blob_take(out, (size_t)out_len);
	if (!b) {
		iota_free(out);
		return IOTA_NOMEM;
	}
	iota_node *child = iota_unpack_add_blob(job, "nand-data", b, 1);
	if (!child)
		return IOTA_LIMIT;
	if (partial) {
		/* the dump ends inside a page or its spare: the whole pages are handed on */
		iota_finding_add(s, "unpack.truncated", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "nand: the dump ends %zu bytes into a %u+%u page; that page is "
		                 "left out",
		                 partial, g->page, g->spare);
	}
	if (cut) {
		atomic_fetch_or(&child->flags, IOTA_NF_TRUNCATED);
		iota_scan_limit(s, "file-size", child,
		                "nand: the page data of the dump is cut to the %" PRIu64
		                " bytes that may be unpacked for one file",
		                out_len);
		return IOTA_LIMIT;
	}
	return partial ? IOTA_WARN : IOTA_OK;
}

/* No magic of its own: the UBI EC header's is checked by the probe at the
 * start of a file, where every probe runs. */
const iota_unpacker iota_unpacker_nand = {
    .name = "nand",
    .description = "raw NAND dump with spare (OOB) bytes after each page (UBI inside)",
    .flags = IOTA_UNPACKER_NO_CARVE,
    .probe = probe_nand,
    .unpack = unpack_nand,
};
