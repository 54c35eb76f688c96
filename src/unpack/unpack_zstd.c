/*
 * Zstandard (RFC 8878, "Zstandard Compression and the 'application/zstd' Media Type"), decoded
 * by libzstd's streaming decoder, which checks the optional content checksum. Frames one after
 * another make one file (3.1); skippable frames (3.1.2) before, between or after them are
 * stepped over here, by their size field, so that libzstd sees data frames only and every
 * frame end is a point where the file may end. The decoder's window is bounded by libzstd's
 * default (windowLogMax 27, 128 MiB): frames that need more are reported, not decoded.
 */
#include <stdio.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/unpacker.h"
#include "unpack/stream.h"
#include "util/reader.h"

#define ZSTD_MAGIC_LE   0xfd2fb528u
#define SKIP_MAGIC_MASK 0xfffffff0u
#define SKIP_MAGIC      0x184d2a50u
#define BLOCK_MAX       (128 * 1024)
/* Input given per call: libzstd reports neither output nor position of a call that fails, so
 * small slices keep what was decoded before damage and say where it is. */
#define SLICE (64 * 1024)

static const iota_magic zstd_magics[] = {{"\x28\xb5\x2f\xfd", 4, 0}};

static const iota_stream_suffix zstd_suffixes[] = {
    {".tzst", ".tar"}, {".zst", ""}, {".zstd", ""}, {NULL, NULL}};

/* RFC 8878 3.1.1.1: the frame header, and the first block header (3.1.1.2) after it.
 * Returns true if both are well formed. */
static bool frame_at(const uint8_t *d, size_t len, size_t off)
{
	uint32_t magic;
	uint8_t fhd, wd = 0, b[3];
	if (!iota_ld_u32le(d, len, off, &magic) || magic != ZSTD_MAGIC_LE ||
	    !iota_ld_u8(d, len, off + 4, &fhd))
		return false;
	if (fhd & 0x08) /* reserved bit */
		return false;
	unsigned fcs_flag = fhd >> 6, single = (fhd >> 5) & 1, did_flag = fhd & 3;
	size_t pos = off + 5;
	if (!single) {
		if (!iota_ld_u8(d, len, pos, &wd))
			return false;
		if ((wd >> 3) + 10 > 31) /* window log above what any decoder takes */
			return false;
		pos++;
	}
	static const unsigned did_len[4] = {0, 1, 2, 4};
	static const unsigned fcs_len[4] = {0, 2, 4, 8};
	pos += did_len[did_flag] + (fcs_flag == 0 ? single : fcs_len[fcs_flag]);
	if (!iota_ld_bytes(d, len, pos, b, 3))
		return false;
	uint32_t bh = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
	unsigned type = (bh >> 1) & 3;
	uint32_t size = bh >> 3;
	return type != 3 && size <= BLOCK_MAX;
}

/* A skippable frame at off: its whole length in *skip. */
static bool skippable_at(const uint8_t *d, size_t len, size_t off, size_t *skip)
{
	uint32_t magic, size;
	if (!iota_ld_u32le(d, len, off, &magic) || (magic & SKIP_MAGIC_MASK) != SKIP_MAGIC ||
	    !iota_ld_u32le(d, len, off + 4, &size))
		return false;
	*skip = (size_t)size + 8;
	return true;
}

static int probe_zstd(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	if (total_len < 9)
		return 0;
	if (frame_at(head, head_len, 0))
		return 80; /* a four-byte magic: frequent in code that links libzstd */
	size_t skip;
	if (skippable_at(head, head_len, 0, &skip) && skip < head_len &&
	    frame_at(head, head_len, skip))
		return 75;
	return 0;
}

static iota_rc unpack_zstd(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	if (!dc)
		return IOTA_NOMEM;

	iota_stream st;
	iota_stream_init(&st, job);
	iota_rc rc = IOTA_OK;
	unsigned frames = 0;
	ZSTD_inBuffer in = {d, len, 0};
	size_t end = 0;
	bool between = true; /* at a frame boundary */
	while (!iota_stream_stop(&st)) {
		if (between) {
			size_t skip;
			while (skippable_at(d, len, in.pos, &skip) && skip <= len - in.pos) {
				in.pos += skip;
				end = in.pos;
			}
			uint32_t magic = 0;
			if (!iota_ld_u32le(d, len, in.pos, &magic) || magic != ZSTD_MAGIC_LE) {
				if (frames == 0)
					rc = iota_unpack_corrupt(
					    job, "no Zstandard frame at byte %zu", in.pos);
				break;
			}
			between = false;
			frames++;
		}
		size_t avail;
		uint8_t *out = iota_stream_room(&st, &avail);
		if (!out) {
			rc = IOTA_NOMEM;
			break;
		}
		ZSTD_outBuffer ob = {out, avail, 0};
		in.size = len - in.pos > SLICE ? in.pos + SLICE : len;
		size_t before = in.pos;
		size_t r = ZSTD_decompressStream(dc, &ob, &in);
		iota_stream_wrote(&st, ob.pos, in.pos);
		if (ZSTD_isError(r)) {
			if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
				rc = IOTA_NOMEM;
			else
				rc = iota_unpack_corrupt(job,
				                         "frame %u is damaged before byte %zu: %s",
				                         frames, in.size, ZSTD_getErrorName(r));
			break;
		}
		if (r == 0) {
			end = in.pos;
			between = true;
			continue;
		}
		if (in.pos == before && ob.pos == 0 && in.pos < len) {
			rc = iota_unpack_corrupt(job, "libzstd made no progress at byte %zu",
			                         in.pos);
			break;
		}
		/* all input used, room left over, frame not done: the stream is cut short */
		if (in.pos == len && ob.pos < ob.size) {
			rc = iota_unpack_corrupt(
			    job,
			    "truncated: the input ends inside frame %u, before its "
			    "end (%zu bytes read)",
			    frames, in.pos);
			break;
		}
	}
	bool whole = rc == IOTA_OK && !st.over && !st.halted;
	job->consumed = whole ? end : in.pos;
	ZSTD_freeDCtx(dc);
	if (frames > 1)
		snprintf(job->root->variant, sizeof job->root->variant, "%u frames", frames);
	char name[IOTA_MAX_NAME + 1];
	iota_stream_name(job, NULL, zstd_suffixes, name, sizeof name);
	return iota_stream_finish(&st, rc, name);
}

const iota_unpacker iota_unpacker_zstd = {
    .name = "zstd",
    .description = "Zstandard compressed stream (RFC 8878)",
    .magics = zstd_magics,
    .nmagics = sizeof zstd_magics / sizeof zstd_magics[0],
    .probe = probe_zstd,
    .unpack = unpack_zstd,
};
