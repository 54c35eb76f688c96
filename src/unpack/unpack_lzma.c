/*
 * .lzma, the "LZMA_Alone" format of the LZMA SDK and LZMA Utils, common in firmware (kernels,
 * U-Boot payloads, CFE images). Layout (LZMA SDK, lzma-specification.txt, "LZMA compressed file
 * format"; xz-file-format.txt does not cover it): one properties byte (lc + lp * 9 + pb * 45),
 * the dictionary size (LE32), the uncompressed size (LE64, all ones = unknown: the data then
 * ends with an end marker), then the range-coded data, whose first byte is always 0.
 * Decoded by liblzma's lzma_alone_decoder.
 *
 * The 13-byte header has no magic, so the probe checks every field for what encoders write and
 * then decodes the start of the data (raw LZMA1 in liblzma with a small dictionary, which is
 * enough for the first bytes); random bytes fail that within a few hundred bytes. The carving
 * magics are the headers of the usual encoder settings.
 */
#include <lzma.h>
#include <string.h>

#include "core/unpacker.h"
#include "unpack/stream.h"
#include "util/alloc.h"
#include "util/reader.h"

#define HEADER_LEN     13
#define DICT_MIN       ((uint32_t)4 << 10)
#define DICT_MAX       ((uint32_t)256 << 20)
#define SIZE_PLAUSIBLE ((uint64_t)1 << 38) /* liblzma's own bound for a known size */
#define TRIAL_IN       (16 * 1024)
#define TRIAL_OUT      (8 * 1024)

/* Properties 0x5d (lc 3, lp 0, pb 2: every xz / lzma preset and the SDK default) with their
 * dictionary sizes, and 0x6d / 0x6c (lc 1 or 0, lp 2, pb 2: OpenWrt and other MIPS firmware). */
static const iota_magic lzma_magics[] = {
    {"\x5d\x00\x00\x01\x00", 5, 0}, {"\x5d\x00\x00\x02\x00", 5, 0}, {"\x5d\x00\x00\x04\x00", 5, 0},
    {"\x5d\x00\x00\x08\x00", 5, 0}, {"\x5d\x00\x00\x10\x00", 5, 0}, {"\x5d\x00\x00\x20\x00", 5, 0},
    {"\x5d\x00\x00\x40\x00", 5, 0}, {"\x5d\x00\x00\x80\x00", 5, 0}, {"\x5d\x00\x00\x00\x01", 5, 0},
    {"\x5d\x00\x00\x00\x02", 5, 0}, {"\x5d\x00\x00\x00\x04", 5, 0}, {"\x6d\x00\x00\x10\x00", 5, 0},
    {"\x6d\x00\x00\x20\x00", 5, 0}, {"\x6d\x00\x00\x40\x00", 5, 0}, {"\x6d\x00\x00\x80\x00", 5, 0},
    {"\x6d\x00\x00\x00\x01", 5, 0}, {"\x6d\x00\x00\x00\x02", 5, 0}, {"\x6c\x00\x00\x10\x00", 5, 0},
    {"\x6c\x00\x00\x20\x00", 5, 0}, {"\x6c\x00\x00\x40\x00", 5, 0}, {"\x6c\x00\x00\x80\x00", 5, 0},
    {"\x6c\x00\x00\x00\x01", 5, 0}, {"\x6c\x00\x00\x00\x02", 5, 0},
};

static const iota_stream_suffix lzma_suffixes[] = {
    {".tlz", ".tar"}, {".tlzma", ".tar"}, {".lzma", ""}, {NULL, NULL}};

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

static const lzma_allocator lzma_allocator_iota = {.alloc = x_alloc, .free = x_free};

/* What encoders write: 2^n or 2^n + 2^(n-1) (xz, SDK below 2 MiB), or whole MiB (the SDK
 * rounds sizes from 2 MiB up to a MiB). */
static bool dict_plausible(uint32_t d)
{
	if (d < DICT_MIN || d > DICT_MAX)
		return false;
	if ((d & (d - 1)) == 0)
		return true;
	uint32_t low = d & -d; /* 2^(n-1) */
	if (d == low * 3)
		return true;
	return d >= ((uint32_t)2 << 20) && (d & ((1u << 20) - 1)) == 0;
}

/* Decodes the start of the data: 1 = plausible, 0 = not LZMA, -1 = could not tell. */
static int trial(const uint8_t *head, size_t head_len, unsigned lc, unsigned lp, unsigned pb,
                 uint64_t size)
{
	lzma_options_lzma opt;
	memset(&opt, 0, sizeof opt);
	opt.dict_size = TRIAL_OUT; /* a dictionary as big as what is decoded here suffices */
	opt.lc = lc;
	opt.lp = lp;
	opt.pb = pb;
	lzma_filter filters[2] = {{.id = LZMA_FILTER_LZMA1, .options = &opt},
	                          {.id = LZMA_VLI_UNKNOWN, .options = NULL}};
	lzma_stream z = LZMA_STREAM_INIT;
	z.allocator = &lzma_allocator_iota;
	if (lzma_raw_decoder(&z, filters) != LZMA_OK)
		return -1;
	uint8_t out[TRIAL_OUT];
	size_t in_len = head_len - HEADER_LEN;
	z.next_in = head + HEADER_LEN;
	z.avail_in = in_len < TRIAL_IN ? in_len : TRIAL_IN;
	z.next_out = out;
	/* with a known size, stop there: the raw decoder does not know where the data ends */
	z.avail_out = size < sizeof out ? (size_t)size : sizeof out;
	lzma_ret ret = lzma_code(&z, LZMA_RUN);
	lzma_end(&z);
	if (ret == LZMA_MEM_ERROR)
		return -1;
	return ret == LZMA_OK || ret == LZMA_STREAM_END;
}

static int probe_lzma(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	uint8_t props, rc0;
	uint32_t dict;
	uint64_t size;
	if (total_len < HEADER_LEN + 5 || !iota_ld_u8(head, head_len, 0, &props) ||
	    !iota_ld_u32le(head, head_len, 1, &dict) || !iota_ld_u64le(head, head_len, 5, &size) ||
	    !iota_ld_u8(head, head_len, HEADER_LEN, &rc0))
		return 0;
	if (props >= 9 * 5 * 5)
		return 0;
	unsigned lc = props % 9, lp = props / 9 % 5, pb = props / 45;
	/* liblzma decodes lc + lp <= 4 only; encoders never write more */
	if (lc + lp > 4 || !dict_plausible(dict) || rc0 != 0)
		return 0;
	if (size != UINT64_MAX && (size == 0 || size >= SIZE_PLAUSIBLE))
		return 0;
	int t = trial(head, head_len, lc, lp, pb, size);
	return t > 0 ? 80 : t < 0 ? 50 : 0;
}

static iota_rc unpack_lzma(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	lzma_stream z = LZMA_STREAM_INIT;
	z.allocator = &lzma_allocator_iota;
	lzma_ret ret = lzma_alone_decoder(&z, IOTA_STREAM_MEMLIMIT);
	if (ret != LZMA_OK)
		return ret == LZMA_MEM_ERROR ? IOTA_NOMEM
		                             : iota_unpack_corrupt(job, "liblzma cannot start");

	iota_stream st;
	iota_stream_init(&st, job);
	iota_rc rc = IOTA_OK;
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
		ret = lzma_code(&z, LZMA_FINISH);
		size_t at = (size_t)(z.next_in - d);
		iota_stream_wrote(&st, avail - z.avail_out, at);
		if (ret == LZMA_OK)
			continue;
		if (ret == LZMA_STREAM_END)
			break;
		if (ret == LZMA_MEM_ERROR)
			rc = IOTA_NOMEM;
		else if (ret == LZMA_BUF_ERROR)
			rc = iota_unpack_corrupt(job,
			                         "truncated: the input ends before the end of the "
			                         "stream (%zu bytes read)",
			                         at);
		else if (ret == LZMA_MEMLIMIT_ERROR)
			rc = iota_unpack_corrupt(
			    job, "the dictionary is larger than the %llu MiB allowed",
			    (unsigned long long)(IOTA_STREAM_MEMLIMIT >> 20));
		else if (ret == LZMA_FORMAT_ERROR || ret == LZMA_OPTIONS_ERROR)
			rc = iota_unpack_corrupt(job, "the header is not a valid .lzma header");
		else
			rc = iota_unpack_corrupt(job, "damaged near byte %zu: %s", at,
			                         iota_stream_lzma_message(ret));
		break;
	}
	job->consumed = (size_t)(z.next_in - d);
	lzma_end(&z);
	char name[IOTA_MAX_NAME + 1];
	iota_stream_name(job, NULL, lzma_suffixes, name, sizeof name);
	return iota_stream_finish(&st, rc, name);
}

const iota_unpacker iota_unpacker_lzma = {
    .name = "lzma",
    .description = "LZMA_Alone compressed stream (.lzma, LZMA SDK / LZMA Utils)",
    .magics = lzma_magics,
    .nmagics = sizeof lzma_magics / sizeof lzma_magics[0],
    .probe = probe_lzma,
    .unpack = unpack_lzma,
};
