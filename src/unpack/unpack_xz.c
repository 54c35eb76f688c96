/*
 * .xz (The .xz File Format, version 1.1.0, https://tukaani.org/xz/xz-file-format.txt), decoded
 * by liblzma's stream decoder, which checks the stream header and footer, every block's check
 * and the index. Streams one after another, with stream padding (2.2: multiples of four zero
 * bytes) between them, make one file; the container ends after the last stream's footer.
 * The variant is the check type of the first stream (2.1.1.2).
 */
#include <lzma.h>
#include <stdio.h>
#include <string.h>

#include "core/unpacker.h"
#include "unpack/stream.h"
#include "util/alloc.h"
#include "util/reader.h"

#define XZ_MAGIC     "\xfd\x37\x7a\x58\x5a\x00"
#define XZ_MAGIC_LEN 6

static const iota_magic xz_magics[] = {{XZ_MAGIC, XZ_MAGIC_LEN, 0}};

static const iota_stream_suffix xz_suffixes[] = {{".txz", ".tar"}, {".xz", ""}, {NULL, NULL}};

static void *x_alloc(void *opaque, size_t nmemb, size_t size)
{
	(void)opaque;
	return iota_malloc(nmemb && size > SIZE_MAX / nmemb ? SIZE_MAX : nmemb * size);
}

static void x_free(void *opaque, void *p)
{
	(void)opaque;
	iota_free(p);
}

static const lzma_allocator xz_allocator = {.alloc = x_alloc, .free = x_free};

/* Stream header (2.1.1): magic, Stream Flags (a zero byte, then the check type in the low
 * nibble with the high nibble reserved) and their CRC32. 0 = not a header, 1 = the flags are
 * well formed, 2 = and their CRC32 matches. */
static int header_at(const uint8_t *d, size_t len, size_t off)
{
	uint8_t f[2];
	uint32_t crc;
	if (!iota_ld_match(d, len, off, XZ_MAGIC, XZ_MAGIC_LEN) ||
	    !iota_ld_bytes(d, len, off + 6, f, 2) || !iota_ld_u32le(d, len, off + 8, &crc) ||
	    f[0] != 0 || (f[1] & 0xf0))
		return 0;
	return lzma_crc32(f, 2, 0) == crc ? 2 : 1;
}

static int probe_xz(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	/* stream header 12 + an empty index 8 + footer 12 */
	if (total_len < 32)
		return 0;
	switch (header_at(head, head_len, 0)) {
	case 2:
		return 95;
	case 1:
		return 60; /* damaged header: the unpack says so */
	default:
		return 0;
	}
}

static const char *check_name(unsigned id)
{
	switch (id) {
	case LZMA_CHECK_NONE:
		return "none";
	case LZMA_CHECK_CRC32:
		return "crc32";
	case LZMA_CHECK_CRC64:
		return "crc64";
	case LZMA_CHECK_SHA256:
		return "sha256";
	default:
		return "other";
	}
}

static iota_rc xz_error(iota_unpack_job *job, lzma_ret ret, lzma_stream *z, unsigned streams,
                        size_t at)
{
	switch (ret) {
	case LZMA_MEM_ERROR:
		return IOTA_NOMEM;
	case LZMA_BUF_ERROR:
		return iota_unpack_corrupt(job,
		                           "truncated: the input ends inside stream %u, before its "
		                           "end (%zu bytes read)",
		                           streams, at);
	case LZMA_MEMLIMIT_ERROR:
		return iota_unpack_corrupt(
		    job,
		    "stream %u needs %llu MiB to decode, more than the %llu MiB "
		    "allowed",
		    streams, (unsigned long long)(lzma_memusage(z) >> 20),
		    (unsigned long long)(IOTA_STREAM_MEMLIMIT >> 20));
	case LZMA_FORMAT_ERROR:
		return iota_unpack_corrupt(job, "stream %u: not a valid .xz stream header",
		                           streams);
	default:
		return iota_unpack_corrupt(job, "stream %u is damaged near byte %zu: %s", streams,
		                           at, iota_stream_lzma_message(ret));
	}
}

static iota_rc unpack_xz(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	lzma_stream z = LZMA_STREAM_INIT;
	z.allocator = &xz_allocator;
	lzma_ret ret = lzma_stream_decoder(&z, IOTA_STREAM_MEMLIMIT, 0);
	if (ret != LZMA_OK)
		return ret == LZMA_MEM_ERROR ? IOTA_NOMEM
		                             : iota_unpack_corrupt(job, "liblzma cannot start");

	iota_stream st;
	iota_stream_init(&st, job);
	iota_rc rc = IOTA_OK;
	unsigned streams = 1;
	size_t end = 0;
	z.next_in = d;
	z.avail_in = len;
	while (!iota_stream_stop(&st)) {
		size_t avail;
		uint8_t *out = iota_stream_room(&st, &avail);
		if (!out) {
			rc = IOTA_NOMEM;
			break;
		}
		z.next_out = out;
		z.avail_out = avail;
		/* all of the input is given: FINISH makes a cut stream fail at once (BUF_ERROR) */
		ret = lzma_code(&z, LZMA_FINISH);
		size_t at = (size_t)(z.next_in - d);
		iota_stream_wrote(&st, avail - z.avail_out, at);
		if (ret == LZMA_OK)
			continue;
		if (ret != LZMA_STREAM_END) {
			rc = xz_error(job, ret, &z, streams, at);
			break;
		}
		end = at;
		size_t next = at;
		while (iota_ld_match(d, len, next, "\0\0\0\0", 4))
			next += 4;
		if (!header_at(d, len, next))
			break;
		ret = lzma_stream_decoder(&z, IOTA_STREAM_MEMLIMIT, 0);
		if (ret != LZMA_OK) {
			rc = ret == LZMA_MEM_ERROR
			         ? IOTA_NOMEM
			         : iota_unpack_corrupt(job, "liblzma cannot restart");
			break;
		}
		z.next_in = d + next;
		z.avail_in = len - next;
		streams++;
	}
	bool whole = rc == IOTA_OK && !st.over && !st.halted;
	job->consumed = whole ? end : (size_t)(z.next_in - d);
	lzma_end(&z);

	uint8_t flags = 0;
	iota_ld_u8(d, len, 7, &flags);
	if (streams > 1)
		snprintf(job->root->variant, sizeof job->root->variant, "%s, %u streams",
		         check_name(flags & 0x0f), streams);
	else
		snprintf(job->root->variant, sizeof job->root->variant, "%s",
		         check_name(flags & 0x0f));
	char name[IOTA_MAX_NAME + 1];
	iota_stream_name(job, NULL, xz_suffixes, name, sizeof name);
	return iota_stream_finish(&st, rc, name);
}

const iota_unpacker iota_unpacker_xz = {
    .name = "xz",
    .description = "xz compressed stream (.xz file format 1.1.0)",
    .magics = xz_magics,
    .nmagics = sizeof xz_magics / sizeof xz_magics[0],
    .probe = probe_xz,
    .unpack = unpack_xz,
};
