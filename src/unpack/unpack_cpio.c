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

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * Walks the member headers before libarchive does, and returns how many
 * bytes of job->data hold whole, believable members (up to and including
 * the trailer). libarchive allocates a member's name from its header's
 * namesize, so a header claiming 4 GB would cost 4 GB: such a header, and
 * every member after it, is cut off here and reported instead.
 */
static size_t cpio_extent(iota_unpack_job *job, int kind)
{
	const uint8_t *d = job->data;
	size_t len = job->len, off = 0;
	for (uint64_t members = 0; off < len; members++) {
		if (members > job->scan->opt.limits.max_files)
			break;
		unsigned long ns = 0, fs = 0;
		size_t hdr, name_end, data_end;
		uint8_t h[NEWC_HDR];
		if (kind == CPIO_NEWC || kind == CPIO_CRC) {
			if (!iota_ld_bytes(d, len, off, h, NEWC_HDR) || memcmp(h, "07070", 5) != 0 ||
			    !all_digits(h + 6, NEWC_HDR - 6, 1))
				break;
			ns = field(h + 94, 8, 16);
			fs = field(h + 54, 8, 16);
			hdr = NEWC_HDR;
			name_end = align_up(off + hdr + ns, 4);
			data_end = align_up(name_end + fs, 4);
		} else if (kind == CPIO_ODC) {
			if (!iota_ld_bytes(d, len, off, h, ODC_HDR) || memcmp(h, "070707", 6) != 0 ||
			    !all_digits(h + 6, ODC_HDR - 6, 0))
				break;
			ns = field(h + 59, 6, 8);
			fs = field(h + 65, 11, 8);
			hdr = ODC_HDR;
			name_end = off + hdr + ns;
			data_end = name_end + fs;
		} else {
			uint16_t magic, nsz, hi, lo;
			int be = kind == CPIO_BIN_BE;
			if (!(be ? iota_ld_u16be(d, len, off, &magic) : iota_ld_u16le(d, len, off, &magic)) ||
			    magic != 070707 ||
			    !(be ? iota_ld_u16be(d, len, off + 20, &nsz) : iota_ld_u16le(d, len, off + 20, &nsz)) ||
			    !(be ? iota_ld_u16be(d, len, off + 22, &hi) : iota_ld_u16le(d, len, off + 22, &hi)) ||
			    !(be ? iota_ld_u16be(d, len, off + 24, &lo) : iota_ld_u16le(d, len, off + 24, &lo)))
				break;
			ns = nsz;
			fs = (unsigned long)hi << 16 | lo;
			hdr = BIN_HDR;
			name_end = align_up(off + hdr + ns, 2);
			data_end = align_up(name_end + fs, 2);
		}
		if (ns == 0 || ns > MAX_NAME || name_end > len || fs > len || data_end > len ||
		    data_end < name_end) {
			if (ns > MAX_NAME || fs > len)
				iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_LOW, job->file,
						 job->offset + off,
						 "cpio member header claims a %lu-byte name and %lu bytes of data, "
						 "more than the archive holds; it and what follows are skipped",
						 ns, fs);
			break;
		}
		if (ns == 11 && memcmp(d + off + hdr, "TRAILER!!!", 10) == 0)
			return name_end;
		off = data_end;
	}
	return off;
}

static const char *const variants[] = {"", "newc", "crc", "odc", "bin", "bin"};

static iota_rc unpack_cpio(iota_unpack_job *job)
{
	unsigned long ns = 0;
	int k = cpio_kind(job->data, job->len, &ns);
	snprintf(job->root->variant, sizeof job->root->variant, "%s", variants[k]);
	size_t extent = cpio_extent(job, k);
	if (extent == 0)
		return iota_unpack_corrupt(job, "no whole cpio member");
	/* libarchive sees only whole members; without a trailer it reads them
	 * and reports the cut */
	iota_archive_run run = {.enable = archive_read_support_format_cpio, .len = extent};
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
