/*
 * cpio archives, as described in cpio(5) of libarchive and the GNU cpio
 * manual ("Options" / --format), the Linux kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst (newc, as used
 * by initramfs) and POSIX.1-1988 (odc):
 *	newc  "070701", 13 fields of 8 hex digits, name, data, 4-byte aligned
 *	crc   "070702", the same with a checksum of the data
 *	odc   "070707", fields of 6 and 11 octal digits
 *	bin   the old binary header of 26 bytes, magic 070707 (0x71c7) as a
 *	      16-bit word in either byte order
 * The archive ends with the member named "TRAILER!!!"; writers pad after it
 * (to 512 bytes), which is not part of the container.
 *
 * The binary header's two-byte magic is too weak to search for in raw data:
 * it is only probed at the start of a file. Reading is libarchive's.
 */
#include <archive.h>
#include <stdio.h>
#include <string.h>

#include "unpack/archive_common.h"
#include "util/reader.h"

#define NEWC_HDR 110
#define ODC_HDR 76
#define BIN_HDR 26
#define MAX_NAME 4096

enum { CPIO_NONE, CPIO_NEWC, CPIO_CRC, CPIO_ODC, CPIO_BIN_LE, CPIO_BIN_BE };

static int all_digits(const uint8_t *p, size_t n, int hex)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		int ok = hex ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			     : (c >= '0' && c <= '7');
		if (!ok)
			return 0;
	}
	return 1;
}

static unsigned long field(const uint8_t *p, size_t n, int base)
{
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		unsigned d = c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
		v = v * (unsigned long)base + d;
	}
	return v;
}

/* Which header starts the bytes, with its checks. Sets *namesize. */
static int cpio_kind(const uint8_t *head, size_t len, unsigned long *namesize)
{
	uint8_t h[NEWC_HDR];
	if (iota_ld_bytes(head, len, 0, h, NEWC_HDR) &&
	    (memcmp(h, "070701", 6) == 0 || memcmp(h, "070702", 6) == 0)) {
		if (!all_digits(h + 6, NEWC_HDR - 6, 1))
			return CPIO_NONE;
		*namesize = field(h + 94, 8, 16);
		return h[5] == '1' ? CPIO_NEWC : CPIO_CRC;
	}
	if (iota_ld_bytes(head, len, 0, h, ODC_HDR) && memcmp(h, "070707", 6) == 0) {
		if (!all_digits(h + 6, ODC_HDR - 6, 0))
			return CPIO_NONE;
		*namesize = field(h + 59, 6, 8);
		return CPIO_ODC;
	}
	uint16_t le, be, ns_le, ns_be;
	if (iota_ld_u16le(head, len, 0, &le) && iota_ld_u16be(head, len, 0, &be) &&
	    iota_ld_u16le(head, len, 20, &ns_le) && iota_ld_u16be(head, len, 20, &ns_be)) {
		if (le == 070707) {
			*namesize = ns_le;
			return CPIO_BIN_LE;
		}
		if (be == 070707) {
			*namesize = ns_be;
			return CPIO_BIN_BE;
		}
	}
	return CPIO_NONE;
}

static int probe_cpio(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	unsigned long ns = 0;
	int k = cpio_kind(head, head_len, &ns);
	if (k == CPIO_NONE || ns == 0 || ns > MAX_NAME)
		return 0;
	size_t hdr = k == CPIO_NEWC || k == CPIO_CRC ? NEWC_HDR : k == CPIO_ODC ? ODC_HDR : BIN_HDR;
	/* the name is NUL-terminated where namesize says */
	uint8_t last;
	if (iota_ld_u8(head, head_len, hdr + ns - 1, &last) && last != '\0')
		return 0;
	/* a two-byte magic is weak evidence: a plausible name is needed too */
	if (k == CPIO_BIN_LE || k == CPIO_BIN_BE) {
		uint8_t c;
		for (size_t i = 0; i + 1 < ns; i++)
			if (!iota_ld_u8(head, head_len, hdr + i, &c) || c < 0x20 || c == 0x7f)
				return 0;
		return 70;
	}
	return 100;
}

static const char *const variants[] = {"", "newc", "crc", "odc", "bin", "bin"};

static iota_rc unpack_cpio(iota_unpack_job *job)
{
	unsigned long ns = 0;
	int k = cpio_kind(job->data, job->len, &ns);
	snprintf(job->root->variant, sizeof job->root->variant, "%s", variants[k]);
	iota_archive_run run = {.enable = archive_read_support_format_cpio, .len = job->len};
	iota_rc rc = iota_archive_unpack(job, &run);
	job->consumed = run.consumed;
	return rc;
}

static const iota_magic cpio_magics[] = {
	{"070701", 6, 0},
	{"070702", 6, 0},
	{"070707", 6, 0},
};

const iota_unpacker iota_unpacker_cpio = {
	.name = "cpio",
	.description = "cpio archive (newc, crc, odc, binary)",
	.magics = cpio_magics,
	.nmagics = sizeof cpio_magics / sizeof cpio_magics[0],
	.probe = probe_cpio,
	.unpack = unpack_cpio,
};
