/*
 * UBI images (as ubinize writes them, or a raw dump of a UBI MTD partition).
 * Format: the Linux kernel's drivers/mtd/ubi/ubi-media.h. All header fields
 * are big-endian. Each physical erase block (PEB) starts with an erase-counter
 * header (struct ubi_ec_hdr, "UBI#", 64 bytes) that gives the offsets of the
 * volume-ID header (struct ubi_vid_hdr, "UBI!", 64 bytes) and of the data in
 * the PEB. A VID header maps the PEB to logical erase block lnum of volume
 * vol_id; when two PEBs claim the same LEB the one with the higher sqnum is
 * the newer copy. The volume table (struct ubi_vtbl_record, 172 bytes each)
 * lives in the internal layout volume (UBI_LAYOUT_VOLUME_ID), two copies.
 *
 * No Debian library reads UBI from memory (mtd-utils' ubi tools talk to the
 * kernel), so it is written by hand. The PEB size is not stored: it is the
 * distance to the next valid EC header. Each volume becomes a child file named
 * after it, its LEBs in order, probed in turn (UBIFS usually).
 *
 * CRCs: the kernel's crc32(UBI_CRC32_INIT = 0xffffffff, ...) without a final
 * inversion, i.e. zlib's crc32() inverted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define EC_HDR_SIZE   64
#define VID_HDR_SIZE  64
#define HDR_CRC_OFF   60
#define LAYOUT_VOL_ID 0x7fffefffu
#define MAX_VOLUMES   128 /* UBI_MAX_VOLUMES */
#define VTBL_REC_SIZE 172 /* struct ubi_vtbl_record */
#define VOL_NAME_MAX  127 /* UBI_VOL_NAME_MAX */
#define VOL_DYNAMIC   1   /* UBI_VID_DYNAMIC */
#define VOL_STATIC    2   /* UBI_VID_STATIC */
#define MIN_PEB       (4 * 1024)
#define MAX_PEB       (16 * 1024 * 1024)

static uint32_t ubi_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

/* A header of 64 bytes at off with magic m and a valid hdr_crc. */
static bool hdr_ok(const uint8_t *d, size_t len, size_t off, const char *m)
{
	uint32_t crc;
	if (!iota_ld_match(d, len, off, m, 4) || !iota_ld_u32be(d, len, off + HDR_CRC_OFF, &crc))
		return false;
	return ubi_crc(d + off, HDR_CRC_OFF) == crc;
}

static int probe_ubi(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	uint8_t ver;
	if (!hdr_ok(head, head_len, 0, "UBI#") || !iota_ld_u8(head, head_len, 4, &ver) || ver != 1)
		return 0;
	return 95;
}

/* One mapped LEB: the newest PEB seen for (vol_id, lnum). */
struct leb {
	uint32_t vol_id, lnum;
	uint64_t sqnum;
	size_t peb;
	uint32_t data_size;
	uint8_t vol_type;
};

static int leb_cmp(const void *a, const void *b)
{
	const struct leb *x = a, *y = b;
	if (x->vol_id != y->vol_id)
		return x->vol_id < y->vol_id ? -1 : 1;
	if (x->lnum != y->lnum)
		return x->lnum < y->lnum ? -1 : 1;
	if (x->sqnum != y->sqnum)
		return x->sqnum > y->sqnum ? -1 : 1; /* newest first */
	return 0;
}

struct vol {
	bool present;
	uint8_t vol_type;
	char name[VOL_NAME_MAX + 1];
};

/* The PEB size: the greatest common divisor of the offsets of the next valid
 * EC headers (at 4 KiB multiples), so that one damaged PEB does not double
 * the size; 0 if there is no other valid header. */
static size_t find_peb_size(const uint8_t *d, size_t len)
{
	size_t g = 0;
	unsigned hits = 0;
	for (size_t o = MIN_PEB; o < len && hits < 16; o += MIN_PEB) {
		if (!iota_ld_match(d, len, o, "UBI#", 4) || !hdr_ok(d, len, o, "UBI#"))
			continue;
		size_t a = o, b = g;
		while (b) {
			size_t t = a % b;
			a = b;
			b = t;
		}
		g = a;
		hits++;
		if (g > MAX_PEB)
			return 0;
	}
	return g;
}

/* Reads the volume table from the layout volume's LEB at data+off. */
static unsigned read_vtbl(const uint8_t *d, size_t len, size_t off, size_t leb_size, struct vol *v)
{
	unsigned n = 0;
	for (unsigned i = 0; i < MAX_VOLUMES && (size_t)(i + 1) * VTBL_REC_SIZE <= leb_size; i++) {
		size_t r = off + (size_t)i * VTBL_REC_SIZE;
		uint32_t reserved, crc;
		uint16_t nlen;
		uint8_t type;
		if (!iota_ld_u32be(d, len, r, &reserved) || !iota_ld_u8(d, len, r + 12, &type) ||
		    !iota_ld_u16be(d, len, r + 14, &nlen) || !iota_ld_u32be(d, len, r + 168, &crc))
			break;
		if (reserved == 0 || ubi_crc(d + r, 168) != crc || nlen == 0 || nlen > VOL_NAME_MAX)
			continue;
		v[i].present = true;
		v[i].vol_type = type;
		memcpy(v[i].name, d + r + 16, nlen);
		v[i].name[nlen] = 0;
		for (size_t k = 0; k < nlen; k++)
			if (v[i].name[k] == 0 || v[i].name[k] == '/')
				v[i].name[k] = '_';
		n++;
	}
	return n;
}

/* Builds the bytes of one volume from its LEBs (sorted, unique) l[0..n). */
static iota_rc emit_volume(iota_unpack_job *job, const struct leb *l, size_t n, const char *name,
                           uint8_t vol_type, size_t leb_size, size_t peb_size, size_t data_off,
                           unsigned *bad)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	uint64_t budget = iota_scan_file_budget(job->scan);
	bool is_static = vol_type == VOL_STATIC;
	uint64_t total = 0;
	if (is_static) {
		for (size_t i = 0; i < n; i++)
			total += l[i].data_size < leb_size ? l[i].data_size : leb_size;
	} else {
		total = ((uint64_t)l[n - 1].lnum + 1) * leb_size;
	}
	bool cut = false;
	if (total > budget) {
		iota_scan_limit(job->scan, "file-size", job->root,
		                "UBI volume %s: %" PRIu64 " bytes pass the budget; cut", name,
		                total);
		total = budget - budget % (leb_size ? leb_size : 1);
		cut = true;
	}
	uint8_t *buf = iota_malloc(total ? (size_t)total : 1);
	if (!buf)
		return IOTA_NOMEM;
	memset(buf, 0xff, (size_t)total);
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		size_t dst = is_static ? pos : (size_t)l[i].lnum * leb_size;
		size_t want =
		    is_static ? (l[i].data_size < leb_size ? l[i].data_size : leb_size) : leb_size;
		if (dst >= total)
			break;
		if (want > total - dst)
			want = total - dst;
		size_t src = l[i].peb * peb_size + data_off;
		size_t have = src < len ? len - src : 0;
		if (have < want) {
			(*bad)++;
			cut = true;
		}
		memcpy(buf + dst, d + (src < len ? src : len), have < want ? have : want);
		pos = dst + want;
	}
	if (is_static)
		total = pos;
	iota_blob *b = iota_blob_take(buf, (size_t)total);
	if (!b)
		return IOTA_NOMEM;
	iota_node *node = iota_unpack_add_blob(job, name, b, 1);
	if (!node)
		return IOTA_LIMIT;
	if (cut)
		atomic_fetch_or(&node->flags, IOTA_NF_TRUNCATED);
	return IOTA_OK;
}

static iota_rc unpack_ubi(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	uint32_t vid_off, data_off;
	if (!hdr_ok(d, len, 0, "UBI#") || !iota_ld_u32be(d, len, 16, &vid_off) ||
	    !iota_ld_u32be(d, len, 20, &data_off))
		return iota_unpack_corrupt(job, "no valid UBI erase-counter header");
	size_t peb = find_peb_size(d, len);
	if (!peb) {
		/* one PEB, or the second one is damaged: the largest size that fits */
		peb = MIN_PEB;
		while (peb * 2 <= len && peb * 2 <= MAX_PEB)
			peb *= 2;
	}
	if (data_off >= peb || vid_off + VID_HDR_SIZE > data_off || vid_off < EC_HDR_SIZE)
		return iota_unpack_corrupt(
		    job, "UBI header offsets %" PRIu32 "/%" PRIu32 " do not fit a %zu-byte PEB",
		    vid_off, data_off, peb);
	size_t leb_size = peb - data_off;
	size_t npeb = len / peb + (len % peb >= data_off + 1 ? 1 : 0);
	struct leb *lebs = iota_calloc(npeb ? npeb : 1, sizeof *lebs);
	if (!lebs)
		return IOTA_NOMEM;
	size_t nleb = 0;
	unsigned bad = 0, empty = 0;
	size_t first_bad = SIZE_MAX, end = 0;
	for (size_t i = 0; i < npeb; i++) {
		size_t o = i * peb;
		uint8_t ff[4] = {0xff, 0xff, 0xff, 0xff};
		if (!hdr_ok(d, len, o, "UBI#")) {
			if (iota_ld_match(d, len, o, ff, 4)) {
				empty++; /* erased PEB */
				continue;
			}
			bad++;
			if (first_bad == SIZE_MAX)
				first_bad = o;
			/* the VID header may still be good: try it at the usual place */
		}
		end = o + peb < len ? o + peb : len;
		size_t v = o + vid_off;
		if (!hdr_ok(d, len, v, "UBI!")) {
			if (!iota_ld_match(d, len, v, ff, 4)) {
				bad++;
				if (first_bad == SIZE_MAX)
					first_bad = v;
			}
			continue;
		}
		struct leb *e = &lebs[nleb];
		uint64_t sq = 0;
		uint32_t vol_id = 0, lnum = 0, dsz = 0;
		uint8_t type = 0;
		iota_ld_u8(d, len, v + 5, &type);
		iota_ld_u32be(d, len, v + 8, &vol_id);
		iota_ld_u32be(d, len, v + 12, &lnum);
		iota_ld_u32be(d, len, v + 20, &dsz);
		iota_ld_u64be(d, len, v + 40, &sq);
		if ((vol_id >= MAX_VOLUMES && vol_id != LAYOUT_VOL_ID) || lnum >= npeb * 4 + 2) {
			bad++;
			continue;
		}
		*e = (struct leb){.vol_id = vol_id,
		                  .lnum = lnum,
		                  .sqnum = sq,
		                  .peb = i,
		                  .data_size = dsz,
		                  .vol_type = type};
		nleb++;
	}
	job->consumed = end ? end : len;
	qsort(lebs, nleb, sizeof *lebs, leb_cmp);
	/* keep the newest copy of each LEB */
	size_t u = 0;
	unsigned dup = 0;
	for (size_t i = 0; i < nleb; i++) {
		if (u && lebs[u - 1].vol_id == lebs[i].vol_id && lebs[u - 1].lnum == lebs[i].lnum) {
			dup++;
			continue;
		}
		lebs[u++] = lebs[i];
	}
	nleb = u;

	struct vol *vols = iota_calloc(MAX_VOLUMES, sizeof *vols);
	if (!vols) {
		iota_free(lebs);
		return IOTA_NOMEM;
	}
	unsigned nvtbl = 0;
	for (size_t i = 0; i < nleb && !nvtbl; i++)
		if (lebs[i].vol_id == LAYOUT_VOL_ID)
			nvtbl = read_vtbl(d, len, lebs[i].peb * peb + data_off, leb_size, vols);
	if (!nvtbl)
		iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "UBI volume table missing or damaged; volumes named by id");

	iota_rc rc = IOTA_OK;
	unsigned nvol = 0;
	for (size_t i = 0; i < nleb && rc == IOTA_OK;) {
		size_t j = i;
		while (j < nleb && lebs[j].vol_id == lebs[i].vol_id)
			j++;
		uint32_t id = lebs[i].vol_id;
		if (id != LAYOUT_VOL_ID) {
			char name[VOL_NAME_MAX + 16];
			uint8_t type = lebs[i].vol_type;
			if (vols[id].present && strcmp(vols[id].name, ".") != 0 &&
			    strcmp(vols[id].name, "..") != 0) {
				snprintf(name, sizeof name, "%s", vols[id].name);
				type = vols[id].vol_type;
			} else {
				snprintf(name, sizeof name, "vol%" PRIu32, id);
			}
			if (iota_vfs_child(job->scan, job->root, name, strlen(name)))
				snprintf(name + strlen(name), 16, ".%" PRIu32, id);
			rc = emit_volume(job, lebs + i, j - i, name, type, leb_size, peb, data_off,
			                 &bad);
			nvol++;
		}
		i = j;
	}
	if (bad)
		iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_LOW, job->root,
		                 first_bad == SIZE_MAX ? UINT64_MAX : first_bad,
		                 "UBI: %u damaged or cut headers/erase blocks skipped", bad);
	if (dup)
		iota_finding_add(job->scan, "unpack.ubi.duplicate", IOTA_SEV_INFO, job->root,
		                 UINT64_MAX,
		                 "UBI: %u older copies of LEBs ignored (highest sqnum wins)", dup);
	snprintf(job->root->variant, sizeof job->root->variant, "%u volumes", nvol);
	iota_free(vols);
	iota_free(lebs);
	if (rc != IOTA_OK)
		return rc;
	if (!nvol)
		return iota_unpack_corrupt(job, "UBI image with no readable volume");
	return bad ? IOTA_WARN : IOTA_OK;
}

static const iota_magic ubi_magics[] = {{"UBI#", 4, 0}};

const iota_unpacker iota_unpacker_ubi = {
    .name = "ubi",
    .description = "UBI image (Linux drivers/mtd/ubi/ubi-media.h)",
    .magics = ubi_magics,
    .nmagics = sizeof ubi_magics / sizeof ubi_magics[0],
    .probe = probe_ubi,
    .unpack = unpack_ubi,
};
