/*
 * tar archives: POSIX ustar and pax (IEEE Std 1003.1-2017, "pax" utility,
 * ustar Interchange Format and pax Interchange Format), GNU tar (GNU tar
 * manual, "Basic Tar Format"), and the old Unix V7 format (a header without
 * the "ustar" magic, recognised by its checksum).
 *
 * The probe checks the first 512-byte header: the header checksum (field at
 * offset 148, eight octal digits: the sum of all header bytes with the field
 * itself counted as spaces; historic writers summed signed chars, which is
 * accepted as well) and the magic at 257. Reading is libarchive's.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "unpack/archive_common.h"
#include "util/reader.h"

#define TAR_BLOCK 512
#define CHKSUM_OFF 148
#define CHKSUM_LEN 8
#define TYPE_OFF 156
#define MAGIC_OFF 257

/* Parses an octal field: optional leading spaces, digits, then NUL or
 * spaces to the end. -1 if malformed. */
static long long octal_field(const uint8_t *f, size_t n)
{
	size_t i = 0;
	long long v = 0;
	int digits = 0;
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (1LL << 40))
			return -1;
		v = v * 8 + (f[i] - '0');
		digits++;
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return digits ? v : -1;
}

static int checksum_ok(const uint8_t h[TAR_BLOCK])
{
	long long want = octal_field(h + CHKSUM_OFF, CHKSUM_LEN);
	if (want < 0)
		return 0;
	long long u = 0, sgn = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		int in_field = i >= CHKSUM_OFF && i < CHKSUM_OFF + CHKSUM_LEN;
		uint8_t c = in_field ? ' ' : h[i];
		u += c;
		sgn += (signed char)c;
	}
	return want == u || want == sgn;
}

static int probe_tar(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	uint8_t h[TAR_BLOCK];
	if (!iota_ld_bytes(head, head_len, 0, h, sizeof h))
		return 0;
	if (!checksum_ok(h))
		return 0;
	if (memcmp(h + MAGIC_OFF, "ustar", 5) == 0)
		return 100;
	/* V7: no magic; the name, mode and size fields must look like a header */
	if (h[0] == '\0' || octal_field(h + 100, 8) < 0 || octal_field(h + 124, 12) < 0)
		return 0;
	if (h[TYPE_OFF] != '\0' && (h[TYPE_OFF] < '0' || h[TYPE_OFF] > '7'))
		return 0;
	return 60;
}

static const char *tar_variant(int format)
{
	switch (format) {
	case ARCHIVE_FORMAT_TAR_USTAR:
		return "ustar";
	case ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE:
	case ARCHIVE_FORMAT_TAR_PAX_RESTRICTED:
		return "pax";
	case ARCHIVE_FORMAT_TAR_GNUTAR:
		return "gnu";
	case ARCHIVE_FORMAT_TAR:
		return "v7";
	default:
		return "";
	}
}

static iota_rc unpack_tar(iota_unpack_job *job)
{
	iota_archive_run run = {.enable = archive_read_support_format_tar, .len = job->len};
	iota_rc rc = iota_archive_unpack(job, &run);
	snprintf(job->root->variant, sizeof job->root->variant, "%s", tar_variant(run.format));
	job->consumed = run.consumed;
	return rc;
}

static const iota_magic tar_magics[] = {
	{"ustar", 5, MAGIC_OFF},
};

const iota_unpacker iota_unpacker_tar = {
	.name = "tar",
	.description = "tar archive (ustar, pax, GNU, V7)",
	.magics = tar_magics,
	.nmagics = sizeof tar_magics / sizeof tar_magics[0],
	.probe = probe_tar,
	.unpack = unpack_tar,
};
