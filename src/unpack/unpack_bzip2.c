/*
 * bzip2, decoded by libbz2. The format has no official specification beyond bzip2's source;
 * the layout used here is from Joe Tsai's "The bzip2 compression format"
 * (github.com/dsnet/compress/blob/master/doc/bzip2-format.pdf): "BZh" and the block size
 * '1'..'9', then blocks that each start with the 48-bit magic 0x314159265359 (BCD pi), then the
 * end-of-stream magic 0x177245385090 (sqrt pi) and the combined CRC. Streams one after another
 * (pbzip2, lbzip2) make one file; the container ends after the last stream.
 *
 * Carving looks for "BZh?" followed by the block magic, ten bytes in all, rather than the weak
 * three-byte "BZh".
 */
#include <bzlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/unpacker.h"
#include "unpack/stream.h"
#include "util/alloc.h"
#include "util/reader.h"

#define BLOCK_MAGIC "\x31\x41\x59\x26\x53\x59"
#define EOS_MAGIC   "\x17\x72\x45\x38\x50\x90"

static const iota_magic bzip2_magics[] = {{BLOCK_MAGIC, 6, 4}};

static const iota_stream_suffix bzip2_suffixes[] = {
    {".tbz2", ".tar"}, {".tbz", ".tar"}, {".bz2", ""}, {".bz", ""}, {NULL, NULL}};

static void *b_alloc(void *opaque, int items, int size)
{
	(void)opaque;
	if (items < 0 || size < 0)
		return NULL;
	return iota_calloc((size_t)items, (size_t)size);
}

static void b_free(void *opaque, void *p)
{
	(void)opaque;
	iota_free(p);
}

/* 2 = a stream with a first block, 1 = an empty stream, 0 = no stream header here. */
static int stream_at(const uint8_t *d, size_t len, size_t off)
{
	uint8_t level;
	if (!iota_ld_match(d, len, off, "BZh", 3) || !iota_ld_u8(d, len, off + 3, &level) ||
	    level < '1' || level > '9')
		return 0;
	if (iota_ld_match(d, len, off + 4, BLOCK_MAGIC, 6))
		return 2;
	return iota_ld_match(d, len, off + 4, EOS_MAGIC, 6) ? 1 : 0;
}

static int probe_bzip2(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	/* header 4, end-of-stream magic 6 and CRC 4 */
	if (total_len < 14)
		return 0;
	switch (stream_at(head, head_len, 0)) {
	case 2:
		return 95;
	case 1:
		return 60; /* whole but empty */
	default:
		return 0;
	}
}

static int bz_init(bz_stream *z)
{
	memset(z, 0, sizeof *z);
	z->bzalloc = b_alloc;
	z->bzfree = b_free;
	return BZ2_bzDecompressInit(z, 0, 0);
}

static iota_rc unpack_bzip2(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	bz_stream z;
	int br = bz_init(&z);
	if (br != BZ_OK)
		return br == BZ_MEM_ERROR ? IOTA_NOMEM
		                          : iota_unpack_corrupt(job, "libbz2 cannot start");

	iota_stream st;
	iota_stream_init(&st, job);
	iota_rc rc = IOTA_OK;
	unsigned streams = 1;
	size_t at = 0, end = 0;
	bool open = true;
	while (!iota_stream_stop(&st)) {
		size_t avail;
		uint8_t *out = iota_stream_room(&st, &avail);
		if (!out) {
			rc = IOTA_NOMEM;
			break;
		}
		/* libbz2 counts in unsigned int: feed big inputs in slices */
		unsigned in_n = (unsigned)(len - at < UINT_MAX ? len - at : UINT_MAX);
		unsigned out_n = (unsigned)(avail < UINT_MAX ? avail : UINT_MAX);
		z.next_in = (char *)(d + at); /* libbz2 takes char *; it does not write there */
		z.avail_in = in_n;
		z.next_out = (char *)out;
		z.avail_out = out_n;
		br = BZ2_bzDecompress(&z);
		at += in_n - z.avail_in;
		iota_stream_wrote(&st, out_n - z.avail_out, at);
		if (br == BZ_STREAM_END) {
			end = at;
			if (!stream_at(d, len, at))
				break;
			BZ2_bzDecompressEnd(&z);
			br = bz_init(&z);
			if (br != BZ_OK) {
				open = false;
				rc = br == BZ_MEM_ERROR
				         ? IOTA_NOMEM
				         : iota_unpack_corrupt(job, "libbz2 cannot restart");
				break;
			}
			streams++;
			continue;
		}
		if (br == BZ_OK) {
			/* no more input and room left over: the stream is cut short */
			if (at == len && z.avail_out > 0) {
				rc = iota_unpack_corrupt(
				    job,
				    "truncated: the input ends inside stream %u, "
				    "before its end (%zu bytes read)",
				    streams, at);
				break;
			}
			if (z.avail_in == in_n && z.avail_out == out_n) {
				rc = iota_unpack_corrupt(job, "libbz2 made no progress at byte %zu",
				                         at);
				break;
			}
			continue;
		}
		if (br == BZ_MEM_ERROR)
			rc = IOTA_NOMEM;
		else if (br == BZ_DATA_ERROR_MAGIC)
			rc = iota_unpack_corrupt(job, "stream %u: not a bzip2 stream header",
			                         streams);
		else if (br == BZ_DATA_ERROR)
			rc = iota_unpack_corrupt(job,
			                         "stream %u is damaged near byte %zu: a CRC or the "
			                         "structure is wrong",
			                         streams, at);
		else
			rc = iota_unpack_corrupt(job, "stream %u near byte %zu: libbz2 error %d",
			                         streams, at, br);
		break;
	}
	bool whole = rc == IOTA_OK && !st.over && !st.halted;
	job->consumed = whole ? end : at;
	if (open)
		BZ2_bzDecompressEnd(&z);
	if (streams > 1)
		snprintf(job->root->variant, sizeof job->root->variant, "%u streams", streams);
	char name[IOTA_MAX_NAME + 1];
	iota_stream_name(job, NULL, bzip2_suffixes, name, sizeof name);
	return iota_stream_finish(&st, rc, name);
}

const iota_unpacker iota_unpacker_bzip2 = {
    .name = "bzip2",
    .description = "bzip2 compressed stream",
    .magics = bzip2_magics,
    .nmagics = sizeof bzip2_magics / sizeof bzip2_magics[0],
    .probe = probe_bzip2,
    .unpack = unpack_bzip2,
};
