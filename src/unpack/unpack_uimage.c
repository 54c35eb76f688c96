/*
 * U-Boot legacy images ("uImage"): a 64-byte big-endian header, then the
 * payload.
 *
 * Specification: U-Boot include/image.h (struct legacy_img_hdr, formerly
 * image_header_t, and the IH_OS/IH_ARCH/IH_TYPE/IH_COMP numbers) and
 * boot/image-legacy.c / boot/image.c (image_multi_getimg()). Header layout:
 *	0  ih_magic 0x27051956   4  ih_hcrc    8  ih_time   12 ih_size
 *	16 ih_load               20 ih_ep      24 ih_dcrc
 *	28 ih_os  29 ih_arch  30 ih_type  31 ih_comp  (one byte each)
 *	32 ih_name[32] (NUL-padded, not always NUL-terminated)
 * ih_hcrc is the CRC-32 (zlib's) of the 64 header bytes with ih_hcrc zeroed;
 * ih_dcrc is the CRC-32 of the ih_size payload bytes.
 *
 * MULTI images (and SCRIPT images, which U-Boot's "source" command reads the
 * same way) start the payload with a table of u32 big-endian sizes ending
 * with 0, followed by the images, each padded to 4 bytes.
 *
 * Each image becomes a child blob that slices the input (no copy) and is
 * probed in turn: the compression named by ih_comp is only recorded in the
 * variant; the stream unpackers recognise the child's bytes themselves.
 * Written by hand: the format is a fixed header and one table, and U-Boot
 * offers no library for it.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "unpack/member_name.h"
#include "util/reader.h"

#define HDR_LEN 64
#define MAGIC 0x27051956u
#define TYPE_MULTI 4
#define TYPE_SCRIPT 6
#define MAX_IMAGES 4096 /* entries of a MULTI size table we follow */

/* Names by number, as in U-Boot's image.h enums (IH_TYPE_*, IH_COMP_*, IH_ARCH_*). */
static const char *const type_names[] = {
	"invalid",  "standalone", "kernel",   "ramdisk",  "multi",     "firmware",
	"script",   "filesystem", "fdt",      "kwbimage", "imximage",  "ublimage",
	"omapimage", "aisimage",  "kernel",   "pblimage"};
static const char *const comp_names[] = {"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"};
static const char *const arch_names[] = {
	"invalid",  "alpha",   "arm",        "x86",     "ia64",     "mips",    "mips64",
	"ppc",      "s390",    "sh",         "sparc",   "sparc64",  "m68k",    "nios",
	"microblaze", "nios2", "blackfin",   "avr32",   "st200",    "sandbox", "nds32",
	"openrisc", "arm64",   "arc",        "x86_64",  "xtensa",   "riscv"};

#define NAME_OF(tab, i) ((size_t)(i) < sizeof tab / sizeof tab[0] ? tab[i] : "unknown")

struct uhdr {
	uint32_t magic, hcrc, time, size, load, ep, dcrc;
	uint8_t os, arch, type, comp;
	uint8_t name[32];
};

static bool read_header(const uint8_t *p, size_t len, struct uhdr *h)
{
	iota_reader r;
	iota_rd_init(&r, p, len);
	h->magic = iota_rd_u32be(&r);
	h->hcrc = iota_rd_u32be(&r);
	h->time = iota_rd_u32be(&r);
	h->size = iota_rd_u32be(&r);
	h->load = iota_rd_u32be(&r);
	h->ep = iota_rd_u32be(&r);
	h->dcrc = iota_rd_u32be(&r);
	h->os = iota_rd_u8(&r);
	h->arch = iota_rd_u8(&r);
	h->type = iota_rd_u8(&r);
	h->comp = iota_rd_u8(&r);
	const uint8_t *name = iota_rd_bytes(&r, sizeof h->name);
	if (r.bad)
		return false;
	memcpy(h->name, name, sizeof h->name);
	return true;
}

/* CRC-32 of the header with ih_hcrc taken as zero. */
static uint32_t header_crc(const uint8_t *p)
{
	uint8_t tmp[HDR_LEN];
	memcpy(tmp, p, HDR_LEN);
	memset(tmp + 4, 0, 4);
	return (uint32_t)crc32_z(0, tmp, HDR_LEN);
}

static int probe_uimage(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	struct uhdr h;
	if (!read_header(head, head_len, &h) || h.magic != MAGIC)
		return 0;
	if (h.comp >= sizeof comp_names / sizeof comp_names[0] || h.type == 0)
		return 20; /* the magic alone, in fields U-Boot would refuse */
	bool fits = h.size <= total_len - HDR_LEN;
	if (header_crc(head) == h.hcrc)
		return fits ? 100 : 80;
	/* a damaged header is still worth opening: the payload may be intact */
	return fits ? 60 : 40;
}

/* Adds the container's bytes [off, off+size) (inside the input) as child
 * name; cut marks a child whose image is longer than what is present. */
static iota_rc add_image(iota_unpack_job *job, const char *name, uint64_t off, uint64_t size,
			 bool cut)
{
	if (size == 0)
		return IOTA_OK;
	iota_blob *b = iota_blob_slice(job->blob, (size_t)(job->offset + off), (size_t)size);
	if (!b)
		return IOTA_NOMEM;
	iota_node *n = iota_unpack_add_blob(job, name, b, 1);
	if (!n)
		return iota_scan_should_stop(job->scan) ? IOTA_LIMIT : IOTA_NOMEM;
	if (cut)
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
	return IOTA_OK;
}

static iota_rc worse(iota_rc a, iota_rc b)
{
	return a > b ? a : b;
}

/* MULTI/SCRIPT payload at [HDR_LEN, end): size table, then padded images. */
static iota_rc unpack_multi(iota_unpack_job *job, uint64_t end, const char *prefix)
{
	const uint8_t *p = job->data;
	size_t plen = (size_t)end;
	unsigned count = 0;
	uint32_t sz = 1;
	for (uint64_t o = HDR_LEN; sz != 0; o += 4) {
		if (!iota_ld_u32be(p, plen, (size_t)o, &sz))
			return iota_unpack_corrupt(job, "multi-image size table has no end");
		if (sz != 0)
			count++;
	}
	iota_rc rc = IOTA_OK;
	if (count > MAX_IMAGES) {
		iota_finding_add(job->scan, "unpack.limit.images", IOTA_SEV_LOW, job->file, job->offset,
				 "uImage lists %u images; only the first %d are read", count, MAX_IMAGES);
		rc = IOTA_WARN;
	}
	uint64_t off = HDR_LEN + 4 * ((uint64_t)count + 1);
	for (unsigned i = 0; i < count && i < MAX_IMAGES; i++) {
		iota_ld_u32be(p, plen, HDR_LEN + 4 * (size_t)i, &sz);
		if (off >= end) {
			iota_finding_add(job->scan, "unpack.truncated", IOTA_SEV_LOW, job->file,
					 job->offset + off,
					 "uImage images %u and later lie past the end of the data", i);
			return worse(rc, IOTA_WARN);
		}
		char name[24];
		snprintf(name, sizeof name, "%s%u", prefix, i);
		/* an image must not run past the payload (its bytes belong to no one) */
		uint64_t take = sz <= end - off ? sz : end - off;
		iota_rc r = add_image(job, name, off, take, take < sz);
		if (take < sz) {
			iota_finding_add(job->scan, "unpack.truncated", IOTA_SEV_LOW, job->file,
					 job->offset + off,
					 "uImage image %u runs %llu bytes past the end of the data", i,
					 (unsigned long long)(sz - take));
			r = worse(r, IOTA_WARN);
		}
		rc = worse(rc, r);
		if (r >= IOTA_LIMIT)
			return rc;
		off += ((uint64_t)sz + 3) & ~(uint64_t)3;
	}
	return rc;
}

static iota_rc unpack_uimage(iota_unpack_job *job)
{
	struct uhdr h;
	if (!read_header(job->data, job->len, &h) || h.magic != MAGIC)
		return iota_unpack_corrupt(job, "no uImage header");

	snprintf(job->root->variant, sizeof job->root->variant, "%s,%s,%s",
		 NAME_OF(type_names, h.type), NAME_OF(comp_names, h.comp),
		 NAME_OF(arch_names, h.arch));

	iota_rc rc = IOTA_OK;
	uint32_t hcrc = header_crc(job->data);
	if (hcrc != h.hcrc) {
		iota_finding_add(job->scan, "unpack.checksum", IOTA_SEV_LOW, job->file, job->offset,
				 "uImage header CRC is 0x%08x, the header says 0x%08x", hcrc, h.hcrc);
		rc = IOTA_WARN;
	}

	uint64_t want = (uint64_t)HDR_LEN + h.size;
	uint64_t end = want;
	if (want > job->len) {
		end = job->len;
		iota_finding_add(job->scan, "unpack.truncated", IOTA_SEV_LOW, job->file, job->offset,
				 "uImage data of %u bytes is cut short: %llu are present", h.size,
				 (unsigned long long)(end - HDR_LEN));
		rc = IOTA_WARN;
	} else {
		uint32_t dcrc = (uint32_t)crc32_z(0, job->data + HDR_LEN, h.size);
		if (dcrc != h.dcrc) {
			iota_finding_add(job->scan, "unpack.checksum", IOTA_SEV_LOW, job->file,
					 job->offset,
					 "uImage data CRC is 0x%08x, the header says 0x%08x", dcrc,
					 h.dcrc);
			rc = IOTA_WARN;
		}
	}
	job->consumed = (size_t)end;

	iota_rc r;
	if (h.type == TYPE_MULTI || h.type == TYPE_SCRIPT) {
		r = unpack_multi(job, end, h.type == TYPE_SCRIPT ? "script" : "image");
	} else {
		char name[40];
		if (!iota_member_name(h.name, sizeof h.name, name, sizeof name))
			snprintf(name, sizeof name, "%s", NAME_OF(type_names, h.type));
		r = add_image(job, name, HDR_LEN, end - HDR_LEN, end < want);
	}
	return worse(rc, r);
}

static const iota_magic magics[] = {{"\x27\x05\x19\x56", 4, 0}};

const iota_unpacker iota_unpacker_uimage = {
	.name = "uimage",
	.description = "U-Boot legacy image (uImage), single or multi-file",
	.magics = magics,
	.nmagics = sizeof magics / sizeof magics[0],
	.probe = probe_uimage,
	.unpack = unpack_uimage,
};
