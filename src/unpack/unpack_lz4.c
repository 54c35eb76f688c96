/*
 * LZ4, in its two stream layouts, both from the LZ4 Frame Format Description 1.6.x
 * (github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md):
 *
 * - the frame format (magic 0x184D2204), decoded by liblz4's LZ4F_decompress(), which checks
 *   the header checksum and the optional block and content checksums. Frames one after another
 *   make one file; skippable frames (0x184D2A5?) between them are stepped over here.
 * - the legacy format (magic 0x184C2102) that Linux kernels and initramfs images use: blocks of
 *   a LE32 compressed size and an LZ4 block (lz4_Block_format.md) that decodes to 8 MiB, the
 *   last one to less; there is no end mark, so the stream ends after a short block (or where
 *   the next size cannot be a block: the kernel's build appends the uncompressed size there).
 *   Blocks are decoded with LZ4_decompress_safe(); the loop is written here because liblz4 has
 *   no decoder for this layout.
 */
#include <lz4.h>
#include <lz4frame.h>
#include <stdio.h>
#include <string.h>

#include "core/unpacker.h"
#include "unpack/stream.h"
#include "util/alloc.h"
#include "util/reader.h"

#define FRAME_MAGIC     0x184d2204u
#define LEGACY_MAGIC    0x184c2102u
#define SKIP_MAGIC_MASK 0xfffffff0u
#define SKIP_MAGIC      0x184d2a50u
#define LEGACY_BLOCK    ((size_t)8 << 20)
#define TRIAL_OUT       4096
/* Input given per LZ4F_decompress() call: a call that fails reports neither its output nor its
 * position, so small slices keep what was decoded before damage and say where it is. */
#define SLICE (64 * 1024)

static const iota_magic lz4_magics[] = {{"\x04\x22\x4d\x18", 4, 0}, {"\x02\x21\x4c\x18", 4, 0}};

static const iota_stream_suffix lz4_suffixes[] = {{".tlz4", ".tar"}, {".lz4", ""}, {NULL, NULL}};

static bool magic_at(const uint8_t *d, size_t len, size_t off, uint32_t want)
{
	uint32_t m;
	return iota_ld_u32le(d, len, off, &m) && m == want;
}

/* The frame descriptor at off, checked (with its header checksum) by liblz4. */
static bool frame_header_ok(const uint8_t *d, size_t len, size_t off)
{
	if (!magic_at(d, len, off, FRAME_MAGIC))
		return false;
	LZ4F_dctx *dc;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION)))
		return false;
	LZ4F_frameInfo_t info;
	size_t n = len - off;
	size_t r = LZ4F_getFrameInfo(dc, &info, d + off, &n);
	LZ4F_freeDecompressionContext(dc);
	return !LZ4F_isError(r);
}

/* A legacy block size that can be one: at most the bound of an 8 MiB block. */
static bool legacy_size_ok(uint32_t csize)
{
	return csize > 0 && csize <= (uint32_t)LZ4_compressBound((int)LEGACY_BLOCK);
}

static int probe_legacy(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	uint32_t csize;
	(void)total_len; /* a block cut short is reported by the unpack */
	if (!iota_ld_u32le(head, head_len, 4, &csize) || !legacy_size_ok(csize))
		return 0;
	/* decode the first bytes of the first block: the rest of it may lie past the head */
	char out[TRIAL_OUT];
	size_t src = head_len - 8 < csize ? head_len - 8 : csize;
	int r = LZ4_decompress_safe_partial((const char *)head + 8, out, (int)src, TRIAL_OUT,
	                                    TRIAL_OUT);
	return r > 0 ? 80 : 0;
}

static int probe_lz4(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	if (total_len < 12)
		return 0;
	if (magic_at(head, head_len, 0, LEGACY_MAGIC))
		return probe_legacy(head, head_len, total_len);
	return frame_header_ok(head, head_len, 0) ? 90 : 0;
}

static iota_rc unpack_legacy(iota_unpack_job *job, iota_stream *st)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	size_t pos = 4, end = 4;
	unsigned blocks = 0;
	iota_rc rc = IOTA_OK;
	char *blk = iota_malloc(LEGACY_BLOCK);
	if (!blk)
		return IOTA_NOMEM;
	while (!iota_stream_stop(st)) {
		uint32_t csize;
		if (!iota_ld_u32le(d, len, pos, &csize))
			break;
		if (csize == LEGACY_MAGIC) { /* legacy streams one after another */
			pos += 4;
			continue;
		}
		if (!legacy_size_ok(csize)) {
			if (blocks == 0)
				rc = iota_unpack_corrupt(
				    job, "the first block's size (%u) is not valid", csize);
			break; /* e.g. the uncompressed size a kernel build appends */
		}
		if (csize > len - pos - 4) {
			rc = iota_unpack_corrupt(
			    job,
			    "truncated: block %u at byte %zu needs %u bytes, %zu are "
			    "left",
			    blocks + 1, pos, csize, len - pos - 4);
			break;
		}
		int n = LZ4_decompress_safe((const char *)d + pos + 4, blk, (int)csize,
		                            (int)LEGACY_BLOCK);
		if (n < 0) {
			rc = iota_unpack_corrupt(job, "block %u at byte %zu is damaged", blocks + 1,
			                         pos);
			break;
		}
		pos += 4 + (size_t)csize;
		blocks++;
		for (size_t done = 0; done < (size_t)n && !iota_stream_stop(st);) {
			size_t avail;
			uint8_t *out = iota_stream_room(st, &avail);
			if (!out) {
				rc = IOTA_NOMEM;
				break;
			}
			size_t k = (size_t)n - done < avail ? (size_t)n - done : avail;
			memcpy(out, blk + done, k);
			iota_stream_wrote(st, k, pos);
			done += k;
		}
		if (rc != IOTA_OK)
			break;
		end = pos;
		/* only the last block is short, unless another legacy stream follows */
		if ((size_t)n < LEGACY_BLOCK && !magic_at(d, len, pos, LEGACY_MAGIC))
			break;
	}
	iota_free(blk);
	job->consumed = rc == IOTA_OK && !st->over && !st->halted ? end : pos;
	snprintf(job->root->variant, sizeof job->root->variant, "legacy");
	return rc;
}

static iota_rc unpack_frames(iota_unpack_job *job, iota_stream *st)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	LZ4F_dctx *dc;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION)))
		return IOTA_NOMEM;
	iota_rc rc = IOTA_OK;
	unsigned frames = 0;
	size_t pos = 0, end = 0;
	bool between = true;
	while (!iota_stream_stop(st)) {
		if (between) {
			uint32_t m, size;
			while (iota_ld_u32le(d, len, pos, &m) &&
			       (m & SKIP_MAGIC_MASK) == SKIP_MAGIC &&
			       iota_ld_u32le(d, len, pos + 4, &size) && size <= len - pos - 8) {
				pos += 8 + (size_t)size;
				end = pos;
			}
			if (!magic_at(d, len, pos, FRAME_MAGIC)) {
				if (frames == 0)
					rc = iota_unpack_corrupt(job, "no LZ4 frame at byte %zu",
					                         pos);
				break;
			}
			between = false;
			frames++;
		}
		size_t avail;
		uint8_t *out = iota_stream_room(st, &avail);
		if (!out) {
			rc = IOTA_NOMEM;
			break;
		}
		size_t slice = len - pos < SLICE ? len - pos : SLICE;
		size_t in_n = slice, out_n = avail;
		size_t r = LZ4F_decompress(dc, out, &out_n, d + pos, &in_n, NULL);
		pos += in_n;
		iota_stream_wrote(st, out_n, pos);
		if (LZ4F_isError(r)) {
			rc = iota_unpack_corrupt(job, "frame %u is damaged before byte %zu: %s",
			                         frames, pos + slice, LZ4F_getErrorName(r));
			break;
		}
		if (r == 0) {
			end = pos;
			between = true;
			continue;
		}
		if (in_n == 0 && out_n == 0 && pos < len) {
			rc = iota_unpack_corrupt(job, "liblz4 made no progress at byte %zu", pos);
			break;
		}
		if (pos == len && out_n < avail) {
			rc = iota_unpack_corrupt(
			    job,
			    "truncated: the input ends inside frame %u, before its "
			    "end (%zu bytes read)",
			    frames, pos);
			break;
		}
	}
	LZ4F_freeDecompressionContext(dc);
	job->consumed = rc == IOTA_OK && !st->over && !st->halted ? end : pos;
	if (frames > 1)
		snprintf(job->root->variant, sizeof job->root->variant, "%u frames", frames);
	return rc;
}

static iota_rc unpack_lz4(iota_unpack_job *job)
{
	iota_stream st;
	iota_stream_init(&st, job);
	iota_rc rc = magic_at(job->data, job->len, 0, LEGACY_MAGIC) ? unpack_legacy(job, &st)
	                                                            : unpack_frames(job, &st);
	char name[IOTA_MAX_NAME + 1];
	iota_stream_name(job, NULL, lz4_suffixes, name, sizeof name);
	return iota_stream_finish(&st, rc, name);
}

const iota_unpacker iota_unpacker_lz4 = {
    .name = "lz4",
    .description = "LZ4 compressed stream (frame format, or the legacy format of Linux kernels)",
    .magics = lz4_magics,
    .nmagics = sizeof lz4_magics / sizeof lz4_magics[0],
    .probe = probe_lz4,
    .unpack = unpack_lz4,
};
