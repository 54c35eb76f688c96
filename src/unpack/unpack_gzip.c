/*
 * gzip (RFC 1952, "GZIP file format specification version 4.3"; the payload is deflate,
 * RFC 1951), decoded by zlib's inflate() with windowBits 16 + MAX_WBITS, which parses the
 * header and checks each member's CRC-32 and ISIZE trailer. Members one after another
 * (RFC 1952 2.2: pigz, 'cat a.gz b.gz') make one file; the container ends after the last
 * member, so carving goes on with what follows it.
 *
 * The child takes the first member's FNAME (2.3.1) when it is one plain name; else the
 * parent's name without ".gz" (".tgz" -> ".tar") when the stream is the whole parent; else
 * "data".
 */
#define ZLIB_CONST
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "unpack/stream.h"
#include "util/alloc.h"
#include "util/reader.h"

#define GZ_FNAME        0x08
#define GZ_FLG_RESERVED 0xe0
#define TRIAL_IN        (16 * 1024)
#define TRIAL_ROUNDS    16 /* of 4 KiB output each */

static const iota_magic gzip_magics[] = {{"\x1f\x8b\x08", 3, 0}};

static const iota_stream_suffix gzip_suffixes[] = {
    {".tgz", ".tar"}, {".taz", ".tar"}, {".svgz", ".svg"}, {".gz", ""}, {NULL, NULL}};

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return iota_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	iota_free(p);
}

static int z_init(z_stream *z)
{
	memset(z, 0, sizeof *z);
	z->zalloc = z_alloc;
	z->zfree = z_free;
	return inflateInit2(z, 16 + MAX_WBITS);
}

/* RFC 1952 2.3.1: ID1 ID2, CM 8 (deflate, the only method defined), reserved FLG bits zero. */
static bool member_at(const uint8_t *d, size_t len, size_t off)
{
	uint8_t flg;
	return iota_ld_match(d, len, off, "\x1f\x8b\x08", 3) && iota_ld_u8(d, len, off + 3, &flg) &&
	       !(flg & GZ_FLG_RESERVED);
}

/* Inflates the start of the head: bytes after a gzip-like header that are not deflate fail
 * within a few bytes. 1 = plausible, 0 = not deflate, -1 = could not tell (no memory). */
static int trial(const uint8_t *head, size_t n)
{
	z_stream z;
	if (z_init(&z) != Z_OK)
		return -1;
	uint8_t out[4096];
	z.next_in = head;
	z.avail_in = (uInt)(n < TRIAL_IN ? n : TRIAL_IN);
	int ret, rounds = 0;
	do {
		z.next_out = out;
		z.avail_out = sizeof out;
		ret = inflate(&z, Z_NO_FLUSH);
	} while (ret == Z_OK && z.avail_in > 0 && ++rounds < TRIAL_ROUNDS);
	inflateEnd(&z);
	if (ret == Z_MEM_ERROR)
		return -1;
	return ret == Z_OK || ret == Z_STREAM_END || ret == Z_BUF_ERROR;
}

static int probe_gzip(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	/* 10-byte header, an empty deflate block and the 8-byte trailer */
	if (total_len < 20 || !member_at(head, head_len, 0))
		return 0;
	uint8_t xfl = 0, os = 0;
	iota_ld_u8(head, head_len, 8, &xfl);
	iota_ld_u8(head, head_len, 9, &os);
	/* XFL 2 / 4 are the only flags defined for deflate; OS 0..13 or 255 = unknown */
	bool usual = (xfl == 0 || xfl == 2 || xfl == 4) && (os <= 13 || os == 255);
	int t = trial(head, head_len);
	if (t < 0)
		return 60;
	if (t == 0) /* a damaged gzip, or bytes that only look like a header */
		return usual ? 55 : 0;
	return usual ? 95 : 90;
}

static iota_rc unpack_gzip(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	z_stream z;
	int zr = z_init(&z);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? IOTA_NOMEM
		                         : iota_unpack_corrupt(job, "zlib cannot start");

	/* zlib copies FNAME here, with its NUL when it fits */
	char fname[IOTA_MAX_NAME + 2] = "";
	gz_header hd;
	memset(&hd, 0, sizeof hd);
	hd.name = (Bytef *)fname;
	hd.name_max = sizeof fname;
	inflateGetHeader(&z, &hd);

	iota_stream st;
	iota_stream_init(&st, job);
	iota_rc rc = IOTA_OK;
	unsigned members = 1;
	size_t end = 0; /* after the last whole member */
	z.next_in = d;
	while (!iota_stream_stop(&st)) {
		size_t avail;
		uint8_t *out = iota_stream_room(&st, &avail);
		if (!out) {
			rc = IOTA_NOMEM;
			break;
		}
		size_t at = (size_t)(z.next_in - d), before = at;
		/* zlib counts in uInt: feed big inputs in slices */
		z.avail_in = (uInt)(len - at < UINT_MAX ? len - at : UINT_MAX);
		z.next_out = out;
		z.avail_out = (uInt)(avail < UINT_MAX ? avail : UINT_MAX);
		uInt given = z.avail_out;
		int ret = inflate(&z, Z_NO_FLUSH);
		at = (size_t)(z.next_in - d);
		iota_stream_wrote(&st, given - z.avail_out, at);
		if (ret == Z_STREAM_END) {
			end = at;
			if (!member_at(d, len, at))
				break;
			if (inflateReset(&z) != Z_OK) {
				rc = iota_unpack_corrupt(job, "zlib cannot restart");
				break;
			}
			members++;
			continue;
		}
		if (ret == Z_OK)
			continue;
		if (ret == Z_BUF_ERROR && at < len && (at > before || z.avail_out < given))
			continue; /* a slice was used up */
		if (ret == Z_BUF_ERROR && at < len)
			rc = iota_unpack_corrupt(job, "inflate made no progress at byte %zu", at);
		else if (ret == Z_BUF_ERROR)
			rc = iota_unpack_corrupt(
			    job,
			    "truncated: the input ends inside member %u, before "
			    "its end (%zu bytes read)",
			    members, at);
		else if (ret == Z_MEM_ERROR)
			rc = IOTA_NOMEM;
		else
			rc = iota_unpack_corrupt(job, "member %u is damaged near byte %zu: %s",
			                         members, at, z.msg ? z.msg : "inflate failed");
		break;
	}
	bool whole = rc == IOTA_OK && !st.over && !st.halted;
	job->consumed = whole ? end : (size_t)(z.next_in - d);

	char name[IOTA_MAX_NAME + 1];
	uint8_t flg = 0;
	iota_ld_u8(d, len, 3, &flg);
	bool named = (flg & GZ_FNAME) && hd.done == 1 && memchr(fname, 0, sizeof fname);
	iota_stream_name(job, named ? fname : NULL, gzip_suffixes, name, sizeof name);
	if (members > 1)
		snprintf(job->root->variant, sizeof job->root->variant, "%u members", members);
	inflateEnd(&z);
	return iota_stream_finish(&st, rc, name);
}

const iota_unpacker iota_unpacker_gzip = {
    .name = "gzip",
    .description = "gzip compressed stream (RFC 1952)",
    .magics = gzip_magics,
    .nmagics = sizeof gzip_magics / sizeof gzip_magics[0],
    .probe = probe_gzip,
    .unpack = unpack_gzip,
};
