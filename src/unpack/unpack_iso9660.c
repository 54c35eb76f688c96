/*
 * ISO 9660 images (ECMA-119 4th edition: 8.1 volume descriptors from logical
 * sector 16 = byte 0x8000, each 2048 bytes: type, "CD001", version 1;
 * 8.4 primary volume descriptor: volume space size at byte 80 and logical
 * block size at byte 128, both stored in both byte orders (7.3.3, 7.2.3)).
 * Rock Ridge (IEEE P1282), Joliet and zisofs are read by libarchive, which
 * does all the directory work.
 *
 * The probe looks for the primary descriptor among the descriptors within
 * the probe window (a boot record or others may come first); the image's
 * size is volume space size x logical block size.
 */
#include <archive.h>
#include <stdio.h>

#include "unpack/archive_common.h"
#include "util/reader.h"

#define VD_START 0x8000
#define VD_SIZE 2048
#define VD_MAX 16 /* descriptors looked at */

/* Image size from the primary descriptor; 0 if none is found or it is
 * inconsistent. *seen is set when any descriptor signature is present. */
static uint64_t iso_size(const uint8_t *d, size_t len, int *seen)
{
	*seen = 0;
	for (size_t i = 0; i < VD_MAX; i++) {
		size_t at = VD_START + i * VD_SIZE;
		uint8_t type, version;
		if (!iota_ld_match(d, len, at + 1, "CD001", 5) || !iota_ld_u8(d, len, at, &type) ||
		    !iota_ld_u8(d, len, at + 6, &version))
			return 0;
		*seen = 1;
		if (type == 255)
			return 0; /* the set terminator came before a primary descriptor */
		if (type != 1)
			continue;
		uint32_t blocks_le, blocks_be;
		uint16_t bs_le, bs_be;
		if (version != 1 || !iota_ld_u32le(d, len, at + 80, &blocks_le) ||
		    !iota_ld_u32be(d, len, at + 84, &blocks_be) ||
		    !iota_ld_u16le(d, len, at + 128, &bs_le) || !iota_ld_u16be(d, len, at + 130, &bs_be))
			return 0;
		if (blocks_le != blocks_be || bs_le != bs_be || bs_le < 512 || (bs_le & (bs_le - 1)))
			return 0;
		return (uint64_t)blocks_le * bs_le;
	}
	return 0;
}

static int probe_iso9660(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	int seen;
	uint64_t size = iso_size(head, head_len, &seen);
	if (size > VD_START)
		return 100;
	return 0;
}

static iota_rc unpack_iso9660(iota_unpack_job *job)
{
	int seen;
	uint64_t size = iso_size(job->data, job->len, &seen);
	iota_archive_run run = {
		.enable = archive_read_support_format_iso9660,
		.len = size && size <= job->len ? (size_t)size : job->len,
		.rdev_high_low = 1,
	};
	if (size > job->len)
		snprintf(run.note, sizeof run.note, "cut short: it needs %llu bytes, %zu are there",
			 (unsigned long long)size, job->len);
	iota_rc rc = iota_archive_unpack(job, &run);
	snprintf(job->root->variant, sizeof job->root->variant, "%s",
		 run.format == ARCHIVE_FORMAT_ISO9660_ROCKRIDGE ? "rockridge" : "");
	job->consumed = size && size <= job->len ? (size_t)size : 0;
	return rc;
}

static const iota_magic iso9660_magics[] = {
	{"CD001", 5, VD_START + 1},
};

const iota_unpacker iota_unpacker_iso9660 = {
	.name = "iso9660",
	.description = "ISO 9660 CD-ROM image (Rock Ridge, Joliet)",
	.magics = iso9660_magics,
	.nmagics = sizeof iso9660_magics / sizeof iso9660_magics[0],
	.probe = probe_iso9660,
	.unpack = unpack_iso9660,
};
