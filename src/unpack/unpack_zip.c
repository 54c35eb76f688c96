/*
 * ZIP archives (PKWARE APPNOTE.TXT 6.3.10: 4.3.7 local file header, 4.3.14
 * zip64 end of central directory record, 4.3.15 its locator, 4.3.16 end of
 * central directory record). Reading, decompression and zip64 are
 * libarchive's.
 *
 * Where the archive ends is found here: the first end-of-central-directory
 * record whose central directory (offset + size) ends exactly where the
 * record starts, counted from the container's start. Only those bytes go to
 * libarchive, so its seeking reader (central directory first) is used even
 * when other data follows the archive. Without such a record (a cut
 * archive) libarchive reads the local headers one after the other.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "unpack/archive_common.h"
#include "util/reader.h"

#define LFH_SIG "PK\3\4"
#define EOCD_SIG "PK\5\6"
#define Z64_LOC_SIG "PK\6\7"
#define Z64_EOCD_SIG "PK\6\6"
#define EOCD_LEN 22
#define Z64_LOC_LEN 20

static int probe_zip(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	uint16_t version, flags, method, name_len;
	if (iota_ld_match(head, head_len, 0, EOCD_SIG, 4)) {
		/* an empty archive: nothing but the end record */
		uint16_t entries;
		return iota_ld_u16le(head, head_len, 10, &entries) && entries == 0 ? 60 : 0;
	}
	if (!iota_ld_match(head, head_len, 0, LFH_SIG, 4) ||
	    !iota_ld_u16le(head, head_len, 4, &version) || !iota_ld_u16le(head, head_len, 6, &flags) ||
	    !iota_ld_u16le(head, head_len, 8, &method) ||
	    !iota_ld_u16le(head, head_len, 26, &name_len))
		return 0;
	if ((version & 0xff) > 90 || name_len == 0)
		return 0;
	/* APPNOTE 4.4.5: methods 0..20 and the later registered ones */
	if (method > 20 && method != 93 && method != 95 && method != 96 && method != 97 &&
	    method != 98 && method != 99)
		return 0;
	return 100;
}

/* Where the archive ends, if an end record describes it (0 otherwise). */
static size_t zip_end(const uint8_t *d, size_t len)
{
	size_t from = 0;
	for (;;) {
		const uint8_t *hit = memmem(d + from, len - from, EOCD_SIG, 4);
		if (!hit)
			return 0;
		size_t p = (size_t)(hit - d);
		from = p + 1;
		uint32_t cd_size, cd_off;
		uint16_t comment;
		if (!iota_ld_u32le(d, len, p + 12, &cd_size) || !iota_ld_u32le(d, len, p + 16, &cd_off) ||
		    !iota_ld_u16le(d, len, p + 20, &comment))
			return 0;
		uint64_t end = (uint64_t)p + EOCD_LEN + comment;
		if (end > len)
			end = len; /* a cut comment costs nothing */
		if ((uint64_t)cd_off + cd_size == p)
			return (size_t)end;
		/* zip64: the locator sits right before the end record */
		uint64_t rec, z_size, z_off;
		if (cd_off == 0xffffffffu && p >= Z64_LOC_LEN &&
		    iota_ld_match(d, len, p - Z64_LOC_LEN, Z64_LOC_SIG, 4) &&
		    iota_ld_u64le(d, len, p - Z64_LOC_LEN + 8, &rec) && rec < p &&
		    iota_ld_match(d, len, (size_t)rec, Z64_EOCD_SIG, 4) &&
		    iota_ld_u64le(d, len, (size_t)rec + 40, &z_size) &&
		    iota_ld_u64le(d, len, (size_t)rec + 48, &z_off) && z_off <= rec &&
		    z_size == rec - z_off)
			return (size_t)end;
		if (from >= len)
			return 0;
	}
}

static iota_rc unpack_zip(iota_unpack_job *job)
{
	size_t end = zip_end(job->data, job->len);
	iota_archive_run run = {.enable = archive_read_support_format_zip,
				.len = end ? end : job->len};
	if (!end)
		snprintf(run.note, sizeof run.note,
			 "no end of central directory (cut short?); members were read from their "
			 "local headers");
	iota_rc rc = iota_archive_unpack(job, &run);
	job->consumed = end ? end : run.consumed;
	snprintf(job->root->variant, sizeof job->root->variant, "%s", end ? "" : "streamed");
	return rc;
}

static const iota_magic zip_magics[] = {
	{LFH_SIG, 4, 0},
};

const iota_unpacker iota_unpacker_zip = {
	.name = "zip",
	.description = "ZIP archive",
	.magics = zip_magics,
	.nmagics = sizeof zip_magics / sizeof zip_magics[0],
	.probe = probe_zip,
	.unpack = unpack_zip,
};
