/*
 * 7z archives (7-Zip's DOC/7zFormat.txt, "SignatureHeader"): a 32-byte
 * signature header - the six bytes '7' 'z' BC AF 27 1C, format version (major
 * 0), a CRC-32 of the next 20 bytes, and the offset (from the end of the
 * signature header), size and CRC of the next header, which sits at the end
 * of the archive. So the container's size is 32 + offset + size.
 * Reading, decompression and the header structures are libarchive's.
 */
#include <archive.h>
#include <stdio.h>
#include <zlib.h>

#include "unpack/archive_common.h"
#include "util/reader.h"

#define SIG_HDR 32

static const char sig7z[6] = {'7', 'z', (char)0xbc, (char)0xaf, 0x27, 0x1c};

/* Size of the archive from its signature header, 0 if the header is bad. */
static uint64_t sevenzip_size(const uint8_t *d, size_t len, int *crc_ok)
{
	uint8_t h[SIG_HDR];
	uint32_t crc;
	uint64_t off, size;
	*crc_ok = 0;
	if (!iota_ld_bytes(d, len, 0, h, sizeof h) || !iota_ld_match(h, sizeof h, 0, sig7z, 6) ||
	    h[6] != 0)
		return 0;
	if (!iota_ld_u32le(h, sizeof h, 8, &crc) || !iota_ld_u64le(h, sizeof h, 12, &off) ||
	    !iota_ld_u64le(h, sizeof h, 20, &size))
		return 0;
	*crc_ok = crc32(0L, h + 12, 20) == crc;
	if (off > UINT64_MAX / 2 || size > UINT64_MAX / 4)
		return 0;
	return SIG_HDR + off + size;
}

static int probe_7z(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	int crc_ok;
	uint64_t size = sevenzip_size(head, head_len, &crc_ok);
	if (!size)
		return 0;
	return crc_ok ? 100 : 40;
}

static iota_rc unpack_7z(iota_unpack_job *job)
{
	int crc_ok;
	uint64_t size = sevenzip_size(job->data, job->len, &crc_ok);
	uint8_t minor = 0;
	iota_ld_u8(job->data, job->len, 7, &minor);
	snprintf(job->root->variant, sizeof job->root->variant, "0.%u", (unsigned)minor);
	/* the member list is at the end: a cut archive has none */
	if (size > job->len)
		return iota_unpack_corrupt(job,
					   "cut short: it needs %llu bytes, %zu are there; its header "
					   "(the member list, at the end) is lost",
					   (unsigned long long)size, job->len);
	iota_archive_run run = {.enable = archive_read_support_format_7zip, .len = (size_t)size};
	iota_rc rc = iota_archive_unpack(job, &run);
	job->consumed = (size_t)size;
	return rc;
}

static const iota_magic sevenzip_magics[] = {
	{sig7z, 6, 0},
};

const iota_unpacker iota_unpacker_7z = {
	.name = "7z",
	.description = "7-Zip archive",
	.magics = sevenzip_magics,
	.nmagics = sizeof sevenzip_magics / sizeof sevenzip_magics[0],
	.probe = probe_7z,
	.unpack = unpack_7z,
};
