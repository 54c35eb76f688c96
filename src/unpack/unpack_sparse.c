/*
 * Android sparse images, expanded into the raw image they describe.
 *
 * Specification: AOSP system/core/libsparse/sparse_format.h (sparse_header_t,
 * chunk_header_t) and sparse_read.cpp. All fields little-endian:
 *	sparse_header_t (file_hdr_sz bytes, 28 in version 1.0):
 *	  u32 magic 0xed26ff3a, u16 major_version (1), u16 minor_version,
 *	  u16 file_hdr_sz, u16 chunk_hdr_sz, u32 blk_sz (a multiple of 4),
 *	  u32 total_blks, u32 total_chunks, u32 image_checksum
 *	chunk_header_t (chunk_hdr_sz bytes, 12 in 1.0):
 *	  u16 chunk_type, u16 reserved1, u32 chunk_sz (output blocks),
 *	  u32 total_sz (input bytes, header included)
 *	CHUNK_TYPE_RAW 0xCAC1 (chunk_sz * blk_sz bytes follow), FILL 0xCAC2 (a
 *	4-byte pattern repeated), DONT_CARE 0xCAC3 (nothing stored: zeros here),
 *	CRC32 0xCAC4 (a 4-byte crc32 of the output so far; checked here).
 * Longer headers than 28/12 bytes are allowed by libsparse; the extra bytes
 * are skipped.
 *
 * libsparse (android-libsparse) reads from a file descriptor and writes the
 * output to another; there is no in-memory reader, so the few lines are
 * written here. The claimed size (total_blks * blk_sz) is checked against
 * iota_scan_file_budget() before anything is allocated: a larger claim is a
 * "file-size" limit finding and only the part within the budget, and not past
 * the last stored data, is built (a header claiming 2^40 bytes of
 * DONT_CARE allocates nothing of that size).
 * The raw image is one child blob ("<name without .simg/.sparse>" or
 * "image"), flagged for carving so the ext4 or other file system inside is
 * found. A damaged chunk stops the expansion; what came before is kept.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define SPARSE_MAGIC    0xed26ff3au
#define FILE_HDR        28
#define CHUNK_HDR       12
#define CHUNK_RAW       0xcac1
#define CHUNK_FILL      0xcac2
#define CHUNK_DONT_CARE 0xcac3
#define CHUNK_CRC32     0xcac4

static const iota_magic sparse_magics[] = {{"\x3a\xff\x26\xed\x01\x00", 6, 0}};

struct hdr {
	uint16_t major, minor, file_hdr_sz, chunk_hdr_sz;
	uint32_t blk_sz, total_blks, total_chunks, checksum;
};

static bool read_hdr(const uint8_t *d, size_t len, struct hdr *h)
{
	iota_reader r;
	iota_rd_init(&r, d, len);
	if (iota_rd_u32le(&r) != SPARSE_MAGIC)
		return false;
	h->major = iota_rd_u16le(&r);
	h->minor = iota_rd_u16le(&r);
	h->file_hdr_sz = iota_rd_u16le(&r);
	h->chunk_hdr_sz = iota_rd_u16le(&r);
	h->blk_sz = iota_rd_u32le(&r);
	h->total_blks = iota_rd_u32le(&r);
	h->total_chunks = iota_rd_u32le(&r);
	h->checksum = iota_rd_u32le(&r);
	return !r.bad && h->major == 1 && h->file_hdr_sz >= FILE_HDR &&
	       h->chunk_hdr_sz >= CHUNK_HDR && h->blk_sz && h->blk_sz % 4 == 0;
}

static int probe_sparse(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	struct hdr h;
	(void)total_len;
	if (!read_hdr(head, head_len, &h))
		return 0;
	return h.file_hdr_sz == FILE_HDR && h.chunk_hdr_sz == CHUNK_HDR ? 95 : 70;
}

/* The child's name: the file's name without .simg / .sparse / .img.sparse, or "image". */
static void child_name(const iota_unpack_job *job, char *out, size_t cap)
{
	static const char *const sfx[] = {".simg", ".sparse"};
	const char *name = job->offset == 0 && job->file->name ? job->file->name : "";
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		size_t sl = strlen(sfx[i]);
		if (len > sl && strcmp(name + len - sl, sfx[i]) == 0) {
			snprintf(out, cap, "%.*s", (int)(len - sl), name);
			return;
		}
	}
	snprintf(out, cap, "image");
}

/* The block where the stored data ends (past the last RAW or FILL chunk whose
 * header can be read): what an image cut to the budget needs at most. */
static uint64_t data_end(const uint8_t *d, size_t len, const struct hdr *h)
{
	size_t pos = h->file_hdr_sz;
	uint64_t blk = 0, end = 0;
	for (uint32_t i = 0; i < h->total_chunks; i++) {
		uint16_t type;
		uint32_t csz, tsz;
		if (!iota_ld_u16le(d, len, pos, &type) || !iota_ld_u32le(d, len, pos + 4, &csz) ||
		    !iota_ld_u32le(d, len, pos + 8, &tsz) || tsz < h->chunk_hdr_sz ||
		    tsz > len - pos)
			break;
		if (type != CHUNK_CRC32)
			blk += csz;
		if (type == CHUNK_RAW || type == CHUNK_FILL)
			end = blk;
		pos += tsz;
	}
	return end;
}

static iota_rc unpack_sparse(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	const uint8_t *d = job->data;
	size_t len = job->len;
	struct hdr h;
	if (!read_hdr(d, len, &h))
		return iota_unpack_corrupt(job, "not a sparse image header");
	snprintf(job->root->variant, sizeof job->root->variant, "v%u.%u", h.major, h.minor);

	uint64_t claim = (uint64_t)h.total_blks * h.blk_sz;
	uint64_t budget = iota_scan_file_budget(s);
	uint64_t out_len = claim;
	int cut = 0;
	if (claim > budget) {
		iota_scan_limit(s, "file-size", job->root,
		                "sparse image expands to %" PRIu64 " bytes; only the first %" PRIu64
		                " are unpacked",
		                claim, budget);
		out_len = budget - budget % h.blk_sz;
		/* a claim past the budget is suspect: build no more than the data needs */
		uint64_t need = data_end(d, len, &h) * h.blk_sz;
		if (need < out_len)
			out_len = need;
		cut = 1;
	}
	uint8_t *out = iota_calloc(1, out_len ? (size_t)out_len : 1);
	if (!out)
		return IOTA_NOMEM;

	iota_rc rc = IOTA_OK;
	size_t pos = h.file_hdr_sz;
	uint64_t blk = 0; /* output position in blocks */
	uLong crc = crc32(0, Z_NULL, 0);
	int crc_ok = 1; /* crc is only tracked while the whole output is built */
	uint32_t i;
	for (i = 0; i < h.total_chunks; i++) {
		uint16_t type, res;
		uint32_t csz, tsz;
		if (!iota_ld_u16le(d, len, pos, &type) || !iota_ld_u16le(d, len, pos + 2, &res) ||
		    !iota_ld_u32le(d, len, pos + 4, &csz) ||
		    !iota_ld_u32le(d, len, pos + 8, &tsz)) {
			rc = iota_unpack_corrupt(
			    job, "truncated at chunk %" PRIu32 " of %" PRIu32 " (byte %zu)", i,
			    h.total_chunks, pos);
			break;
		}
		if (tsz < h.chunk_hdr_sz || tsz > len - pos) {
			rc = iota_unpack_corrupt(job,
			                         "chunk %" PRIu32 " at byte %zu claims %" PRIu32
			                         " bytes, %zu are left",
			                         i, pos, tsz, len - pos);
			break;
		}
		size_t body = pos + h.chunk_hdr_sz, body_len = tsz - h.chunk_hdr_sz;
		uint64_t bytes = (uint64_t)csz * h.blk_sz;
		if (type != CHUNK_CRC32 && (csz > h.total_blks || blk + csz > h.total_blks)) {
			rc = iota_unpack_corrupt(
			    job, "chunk %" PRIu32 " runs past the image's %" PRIu32 " blocks", i,
			    h.total_blks);
			break;
		}
		uint64_t at = blk * h.blk_sz;
		/* the part of this chunk's output within the buffer */
		uint64_t room = at < out_len ? out_len - at : 0;
		uint64_t put = bytes < room ? bytes : room;
		if (put < bytes)
			crc_ok = 0;
		switch (type) {
		case CHUNK_RAW:
			if (body_len != bytes) {
				rc = iota_unpack_corrupt(
				    job, "raw chunk %" PRIu32 " holds %zu bytes, not %" PRIu64, i,
				    body_len, bytes);
				goto done;
			}
			if (put)
				memcpy(out + at, d + body, (size_t)put);
			if (crc_ok)
				crc = crc32_z(crc, d + body, (size_t)bytes);
			break;
		case CHUNK_FILL: {
			uint8_t pat[4];
			if (body_len != 4 || !iota_ld_bytes(d, len, body, pat, 4)) {
				rc = iota_unpack_corrupt(
				    job, "fill chunk %" PRIu32 " is not 4 bytes", i);
				goto done;
			}
			for (uint64_t k = 0; k < put; k += 4)
				memcpy(out + at + k, pat, 4);
			if (crc_ok && put)
				crc = crc32_z(crc, out + at, (size_t)put);
			break;
		}
		case CHUNK_DONT_CARE:
			if (crc_ok && put) /* libsparse's crc counts the zeros */
				crc = crc32_z(crc, out + at, (size_t)put);
			break;
		case CHUNK_CRC32: {
			uint32_t want;
			if (body_len != 4 || !iota_ld_u32le(d, len, body, &want)) {
				rc = iota_unpack_corrupt(job,
				                         "crc chunk %" PRIu32 " is not 4 bytes", i);
				goto done;
			}
			if (crc_ok && want != (uint32_t)crc) {
				iota_finding_add(s, "unpack.checksum", IOTA_SEV_LOW, job->root, pos,
				                 "sparse image CRC chunk %" PRIu32
				                 " says 0x%08" PRIx32
				                 ", the data gives 0x%08" PRIx32,
				                 i, want, (uint32_t)crc);
				if (rc == IOTA_OK)
					rc = IOTA_WARN;
			}
			csz = 0;
			break;
		}
		default:
			rc = iota_unpack_corrupt(job, "chunk %" PRIu32 " has unknown type 0x%04x",
			                         i, type);
			goto done;
		}
		blk += type == CHUNK_CRC32 ? 0 : csz;
		pos += tsz;
		if (iota_scan_should_stop(s))
			break;
	}
done:
	job->consumed = pos;
	if (rc == IOTA_CORRUPT && blk == 0) {
		iota_free(out);
		return rc;
	}
	if (rc == IOTA_CORRUPT) {
		/* keep what came before the damage */
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->root, pos,
		                 "sparse image: %s; the %" PRIu64 " blocks before are kept",
		                 job->why, blk);
		rc = IOTA_WARN;
		cut = 1;
	} else if (i == h.total_chunks && blk != h.total_blks) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "sparse image chunks cover %" PRIu64 " of %" PRIu32 " blocks", blk,
		                 h.total_blks);
	}
	if (out_len == 0) {
		iota_free(out);
		return rc;
	}
	char name[256];
	child_name(job, name, sizeof name);
	iota_blob *b = iota_blob_take(out, (size_t)out_len);
	if (!b)
		return IOTA_NOMEM;
	iota_node *n = iota_unpack_add_blob(job, name, b, 1);
	if (!n)
		return iota_scan_should_stop(s) ? IOTA_LIMIT : IOTA_NOMEM;
	if (cut)
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
	return rc;
}

const iota_unpacker iota_unpacker_sparse = {
    .name = "sparse",
    .description = "Android sparse image (img2simg)",
    .magics = sparse_magics,
    .nmagics = sizeof sparse_magics / sizeof sparse_magics[0],
    .probe = probe_sparse,
    .unpack = unpack_sparse,
};
