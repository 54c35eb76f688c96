/*
 * YAFFS2 NAND flash images (as dumped with their spare bytes, or with
 * in-band tags), little- and big-endian.
 *
 * Specification: the YAFFS2 sources (Aleph One, yaffs2 git: yaffs_guts.h,
 * yaffs_packedtags2.h, yaffs_packedtags2.c) and their documentation
 * ("How YAFFS works"):
 *
 *  - The medium is a run of chunks; a chunk is one NAND page of data followed
 *    by its spare (OOB) bytes. Geometries met in practice, detected here from
 *    the data: 2048 + 64, 4096 + 128, 512 + 16.
 *  - Each chunk carries tags, struct yaffs_packed_tags2_tags_only, four
 *    32-bit words in the writer's byte order:
 *	0 seq_number   4 obj_id   8 chunk_id   12 n_bytes
 *    optionally followed by struct yaffs_ecc_other (12 bytes: col_parity,
 *    line_parity, line_parity_prime) over those 16 bytes. The tags sit in the
 *    spare at offset 0 (mkyaffs2image, Android) or 2 (the MTD "auto" OOB
 *    layout of large-page NAND, byte 0-1 being the bad-block marker); with
 *    in-band tags (yaffs' inband_tags option) they are the last 16 bytes of
 *    the page itself, which then holds page - 16 bytes of data.
 *  - seq_number 0xffffffff: an erased chunk. chunk_id 0: an object header
 *    (the chunk's data is struct yaffs_obj_hdr); chunk_id N >= 1: bytes
 *    [(N-1) * data_bytes, ...) of file obj_id, n_bytes of them valid. When
 *    chunk_id has bit 31 set (EXTRA_HEADER_INFO_FLAG) the chunk is an object
 *    header whose tags also carry the parent id (chunk_id & 0x0fffffff) and
 *    the object type (obj_id >> 28); obj_id is then obj_id & 0x0fffffff.
 *  - struct yaffs_obj_hdr, 512 bytes:
 *	0 type (1 file, 2 symlink, 3 directory, 4 hard link, 5 special)
 *	4 parent_obj_id   8 sum_no_longer_used (u16)   10 name[256]
 *	268 yst_mode   272 yst_uid   276 yst_gid   280 yst_atime   284 yst_mtime
 *	288 yst_ctime   292 file_size_low   296 equiv_id (hard links)
 *	300 alias[160] (symlink target)   460 yst_rdev
 *	464..487 win times   488 inband_shadowed_obj_id   492 inband_is_shrink
 *	496 file_size_high (0xffffffff: unused)   500 reserved
 *	504 shadows_obj   508 is_shrink
 *  - Object ids: 1 the root, 2 lost+found, 3 "unlinked" and 4 "deleted"
 *    (pseudo-directories: an object whose newest header names one of them
 *    as parent is gone).
 *  - YAFFS2 never rewrites a chunk: a change writes new chunks in a block
 *    with a higher sequence number (every chunk of one block has the same
 *    seq_number). The current state is, for every (obj_id, chunk_id), the
 *    chunk with the highest sequence number, and of those in one block the
 *    last written (the higher page).
 *
 * Written by hand: no Debian library reads YAFFS2 (unyaffs is a program that
 * writes files to disk and knows one geometry). When the spare holds the
 * tags' ECC (yaffs_ecc.c's Hamming code: column parities p1..p4 and their
 * complements, and the XOR of the indexes of odd-parity bytes), it is
 * checked and one flipped bit corrected; without it, a tag damaged by a bit
 * flip is caught by the plausibility checks or, at worst, names a chunk of
 * the wrong object or position. The data ECC is the flash driver's, not
 * YAFFS2's, and is not checked.
 *
 * File content is assembled lazily by a loader from the chunk table kept in
 * the container's context; the table is read-only after unpack(), so loaders
 * on several threads share it without a lock.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define TAGS_LEN  16  /* struct yaffs_packed_tags2_tags_only */
#define ECC_LEN   12  /* struct yaffs_ecc_other */
#define OH_LEN    512 /* struct yaffs_obj_hdr */
#define NAME_LEN  256 /* YAFFS_MAX_NAME_LENGTH + 1 */
#define ALIAS_LEN 160 /* YAFFS_MAX_ALIAS_LENGTH + 1 */

#define EXTRA_HEADER_INFO_FLAG 0x80000000u
#define ALL_EXTRA_FLAGS        0xf0000000u
#define SEQ_ERASED             0xffffffffu
#define SEQ_HIGHEST            0xefffff00u /* YAFFS_HIGHEST_SEQUENCE_NUMBER */
#define MAX_CHUNK_ID           (1u << 22)  /* 8 GiB files of 2 KiB chunks */

enum { OBJ_ROOT = 1, OBJ_LOSTNFOUND = 2, OBJ_UNLINKED = 3, OBJ_DELETED = 4 };
enum { T_FILE = 1, T_SYMLINK = 2, T_DIR = 3, T_HARDLINK = 4, T_SPECIAL = 5 };

#define MAX_DIR_DEPTH 256
#define PROBE_CHUNKS  24  /* chunks the probe looks at, at most */
#define GEOM_CHUNKS   256 /* chunks unpack() scores each geometry on */
#define END_RUN       64  /* this many foreign chunks in a row end the image */

/* One way the chunks may be laid out. */
struct geom {
	uint32_t page;   /* bytes of a page */
	uint32_t spare;  /* bytes of OOB after it (0: pages only) */
	uint32_t tagoff; /* tags: offset in the spare, or in the page when inband */
	bool inband;
	int be;
};

static const struct geom geoms[] = {
    {2048, 64, 0, false, 0},   {2048, 64, 0, false, 1},    {2048, 64, 2, false, 0},
    {2048, 64, 2, false, 1},   {4096, 128, 0, false, 0},   {4096, 128, 0, false, 1},
    {4096, 128, 2, false, 0},  {4096, 128, 2, false, 1},   {512, 16, 0, false, 0},
    {512, 16, 0, false, 1},    {2048, 0, 2032, true, 0},   {2048, 0, 2032, true, 1},
    {4096, 0, 4080, true, 0},  {4096, 0, 4080, true, 1},   {2048, 64, 2032, true, 0},
    {2048, 64, 2032, true, 1}, {4096, 128, 4080, true, 0}, {4096, 128, 4080, true, 1},
};
#define NGEOMS (sizeof geoms / sizeof geoms[0])

static size_t chunk_size(const struct geom *g)
{
	return (size_t)g->page + g->spare;
}

static size_t data_bytes(const struct geom *g)
{
	return g->inband ? g->page - TAGS_LEN : g->page;
}

static size_t tags_at(const struct geom *g, size_t idx)
{
	return idx * chunk_size(g) + (g->inband ? g->tagoff : g->page + g->tagoff);
}

static bool ld32(const uint8_t *d, size_t len, size_t off, int be, uint32_t *v)
{
	return be ? iota_ld_u32be(d, len, off, v) : iota_ld_u32le(d, len, off, v);
}

struct tags {
	uint32_t seq, obj, cid, nbytes;
	uint8_t extra_type; /* from obj_id's top bits when EXTRA_HEADER_INFO_FLAG */
};

enum { CH_BAD = 0, CH_ERASED, CH_HEADER, CH_DATA };

/* yaffs_ecc.c's column parity of one byte: bits 7..2 are p4, p4', p2, p2',
 * p1, p1' (parities of the bits whose index has / has not bit 2, 1, 0 set),
 * bit 0 the parity of the whole byte. */
static unsigned col_bits(uint8_t v)
{
	unsigned b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (v >> i) & 1u;
	unsigned p1 = b[1] ^ b[3] ^ b[5] ^ b[7], p1_ = b[0] ^ b[2] ^ b[4] ^ b[6];
	unsigned p2 = b[2] ^ b[3] ^ b[6] ^ b[7], p2_ = b[0] ^ b[1] ^ b[4] ^ b[5];
	unsigned p4 = b[4] ^ b[5] ^ b[6] ^ b[7], p4_ = b[0] ^ b[1] ^ b[2] ^ b[3];
	return p4 << 7 | p4_ << 6 | p2 << 5 | p2_ << 4 | p1 << 3 | p1_ << 2 | (p1 ^ p1_);
}

/* struct yaffs_ecc_other of n bytes (yaffs_ecc_calc_other()): the column
 * parities, and the XOR of the indexes (and of their complements) of the
 * bytes with an odd number of bits. */
struct ecc_other {
	uint8_t col;
	uint32_t line, prime;
};

static struct ecc_other ecc_of(const uint8_t *p, size_t n)
{
	unsigned col = 0;
	struct ecc_other e = {0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		unsigned b = col_bits(p[i]);
		col ^= b;
		if (b & 1) {
			e.line ^= (uint32_t)i;
			e.prime ^= ~(uint32_t)i;
		}
	}
	e.col = (uint8_t)((col >> 2) & 0x3f);
	return e;
}

static unsigned popcount32(uint32_t v)
{
	unsigned n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

enum { ECC_OK = 0, ECC_FIXED, ECC_BAD };

/* Checks the tags t against the ECC stored at off; corrects one flipped bit
 * of the tags (tried bit by bit: 128 candidates, only for damaged chunks). */
static int ecc_check(const uint8_t *d, size_t len, size_t off, int be, uint8_t t[TAGS_LEN])
{
	struct ecc_other st;
	if (!iota_ld_u8(d, len, off, &st.col) || !ld32(d, len, off + 4, be, &st.line) ||
	    !ld32(d, len, off + 8, be, &st.prime))
		return ECC_BAD;
	struct ecc_other e = ecc_of(t, TAGS_LEN);
	if (e.col == st.col && e.line == st.line && e.prime == st.prime)
		return ECC_OK;
	/* one flipped bit in the stored ECC itself: the tags are right */
	if (popcount32((uint32_t)(e.col ^ st.col)) + popcount32(e.line ^ st.line) +
	        popcount32(e.prime ^ st.prime) ==
	    1)
		return ECC_FIXED;
	for (unsigned bit = 0; bit < TAGS_LEN * 8; bit++) {
		t[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		e = ecc_of(t, TAGS_LEN);
		if (e.col == st.col && e.line == st.line && e.prime == st.prime)
			return ECC_FIXED;
		t[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	return ECC_BAD;
}

/* Reads and classifies the tags of chunk idx (the whole chunk must be there).
 * ecc: the tags are followed by their ECC, checked (and *fixed counted). */
static int read_tags_ecc(const uint8_t *d, size_t len, const struct geom *g, size_t idx, bool ecc,
                         struct tags *t, size_t *fixed)
{
	size_t off = tags_at(g, idx);
	uint8_t raw[TAGS_LEN];
	if (idx * chunk_size(g) > len || chunk_size(g) > len - idx * chunk_size(g) ||
	    !iota_ld_bytes(d, len, off, raw, TAGS_LEN))
		return CH_BAD;
	bool erased = true;
	for (int i = 0; i < TAGS_LEN; i++)
		erased = erased && raw[i] == 0xff;
	if (erased)
		return CH_ERASED;
	if (ecc) {
		int r = ecc_check(d, len, off + TAGS_LEN, g->be, raw);
		if (r == ECC_BAD)
			return CH_BAD;
		if (r == ECC_FIXED && fixed)
			(*fixed)++;
	}
	if (!ld32(raw, TAGS_LEN, 0, g->be, &t->seq) || !ld32(raw, TAGS_LEN, 4, g->be, &t->obj) ||
	    !ld32(raw, TAGS_LEN, 8, g->be, &t->cid) || !ld32(raw, TAGS_LEN, 12, g->be, &t->nbytes))
		return CH_BAD;
	t->extra_type = 0;
	if (t->seq == 0 || t->seq >= SEQ_HIGHEST)
		return CH_BAD;
	if (t->cid & EXTRA_HEADER_INFO_FLAG) {
		t->extra_type = (uint8_t)(t->obj >> 28);
		t->obj &= ~ALL_EXTRA_FLAGS;
		if (t->extra_type < T_FILE || t->extra_type > T_SPECIAL ||
		    (t->cid & ~ALL_EXTRA_FLAGS) == 0)
			return CH_BAD; /* no such object type, or no parent */
		t->cid = 0;
	}
	if (t->obj == 0 || t->obj >= 0x10000000u)
		return CH_BAD;
	if (t->cid == 0)
		return CH_HEADER;
	if (t->cid >= MAX_CHUNK_ID || t->nbytes > data_bytes(g))
		return CH_BAD;
	return CH_DATA;
}

static int read_tags(const uint8_t *d, size_t len, const struct geom *g, size_t idx, struct tags *t)
{
	return read_tags_ecc(d, len, g, idx, false, t, NULL);
}

/* True if the spare of chunk idx holds the tags' ECC after them. */
static bool has_ecc(const uint8_t *d, size_t len, const struct geom *g, size_t idx)
{
	uint8_t raw[TAGS_LEN];
	struct ecc_other st;
	size_t off = tags_at(g, idx);
	if (g->inband || g->spare < g->tagoff + TAGS_LEN + ECC_LEN ||
	    !iota_ld_bytes(d, len, off, raw, TAGS_LEN) ||
	    !iota_ld_u8(d, len, off + TAGS_LEN, &st.col) ||
	    !ld32(d, len, off + TAGS_LEN + 4, g->be, &st.line) ||
	    !ld32(d, len, off + TAGS_LEN + 8, g->be, &st.prime))
		return false;
	struct ecc_other e = ecc_of(raw, TAGS_LEN);
	return e.col == st.col && e.line == st.line && e.prime == st.prime;
}

/* An object header as read from a chunk. */
struct ohdr {
	uint32_t type, parent, mode, uid, gid, mtime, equiv, rdev, shadows;
	uint64_t size;
	const uint8_t *name; /* NUL-terminated within NAME_LEN */
	size_t name_len;
	const uint8_t *alias;
	size_t alias_len;
};

/* Decodes the object header at off; false if it does not look like one. */
static bool read_ohdr(const uint8_t *d, size_t len, size_t off, int be, struct ohdr *h)
{
	uint32_t lo, hi;
	if (!ld32(d, len, off, be, &h->type) || !ld32(d, len, off + 4, be, &h->parent) ||
	    !ld32(d, len, off + 268, be, &h->mode) || !ld32(d, len, off + 272, be, &h->uid) ||
	    !ld32(d, len, off + 276, be, &h->gid) || !ld32(d, len, off + 284, be, &h->mtime) ||
	    !ld32(d, len, off + 292, be, &lo) || !ld32(d, len, off + 296, be, &h->equiv) ||
	    !ld32(d, len, off + 460, be, &h->rdev) || !ld32(d, len, off + 496, be, &hi) ||
	    !ld32(d, len, off + 504, be, &h->shadows))
		return false;
	if (h->type < T_FILE || h->type > T_SPECIAL || h->parent == 0)
		return false;
	h->size = (uint64_t)lo | (hi == 0xffffffffu ? 0 : (uint64_t)hi << 32);
	iota_reader r;
	iota_rd_init(&r, d, len);
	iota_rd_seek(&r, off + 10);
	h->name = iota_rd_bytes(&r, NAME_LEN);
	iota_rd_seek(&r, off + 300);
	h->alias = iota_rd_bytes(&r, ALIAS_LEN);
	if (r.bad)
		return false;
	const uint8_t *z = memchr(h->name, 0, NAME_LEN);
	if (!z)
		return false;
	h->name_len = (size_t)(z - h->name);
	z = memchr(h->alias, 0, ALIAS_LEN);
	h->alias_len = z ? (size_t)(z - h->alias) : ALIAS_LEN;
	return true;
}

/* How well the first chunks fit geometry g: -1 not at all, else a score. */
static int geom_score(const uint8_t *d, size_t len, const struct geom *g, size_t max_chunks,
                      size_t *headers)
{
	size_t n = len / chunk_size(g);
	if (n > max_chunks)
		n = max_chunks;
	if (n == 0)
		return -1;
	struct tags t;
	struct ohdr h;
	/* an image starts with an object header (its tags corrected by their
	 * ECC if the spare has room for it and one bit flipped) */
	int k0 = read_tags(d, len, g, 0, &t);
	if (k0 == CH_BAD && !g->inband && g->spare >= g->tagoff + TAGS_LEN + ECC_LEN)
		k0 = read_tags_ecc(d, len, g, 0, true, &t, NULL);
	if (k0 != CH_HEADER || !read_ohdr(d, len, 0, g->be, &h))
		return -1;
	int score = 0;
	size_t bad = 0, hdrs = 0;
	for (size_t i = 0; i < n; i++) {
		switch (read_tags(d, len, g, i, &t)) {
		case CH_HEADER:
			if (read_ohdr(d, len, i * chunk_size(g), g->be, &h)) {
				score += 3;
				hdrs++;
			} else {
				bad++;
			}
			break;
		case CH_DATA:
			score += 2;
			break;
		case CH_ERASED:
			break;
		default:
			bad++;
		}
	}
	if (headers)
		*headers = hdrs;
	/* damage is tolerated, but most chunks must fit */
	if (bad * 4 > n)
		return -1;
	return score - 4 * (int)bad;
}

/* The geometry that fits best; -1 if none. Ties go to the first listed. */
static int pick_geom(const uint8_t *d, size_t len, size_t max_chunks, int *score_out,
                     size_t *headers)
{
	int best = -1, best_score = -1;
	for (size_t i = 0; i < NGEOMS; i++) {
		size_t h = 0;
		int sc = geom_score(d, len, &geoms[i], max_chunks, &h);
		if (sc > best_score) {
			best = (int)i;
			best_score = sc;
			if (headers)
				*headers = h;
		}
	}
	if (score_out)
		*score_out = best_score;
	return best;
}

static int probe_yaffs2(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	int score;
	size_t headers = 0;
	int gi = pick_geom(head, head_len, PROBE_CHUNKS, &score, &headers);
	if (gi < 0)
		return 0;
	const struct geom *g = &geoms[gi];
	size_t n = head_len / chunk_size(g);
	uint16_t sum = 0;
	iota_ld_u16le(head, head_len, 8, &sum);
	/* one chunk checked is weak; several fitting chunks of which two are
	 * headers are strong; mkyaffs2image's 0xffff in the unused sum field
	 * adds a little */
	if (n >= 4 && headers >= 2 && score >= 12)
		return 90;
	if (n >= 2 && score >= 5)
		return sum == 0xffff ? 75 : 65;
	return sum == 0xffff ? 55 : 40;
}

/* ---- the chunk table ---- */

struct chunk {
	uint32_t obj, cid, seq, nbytes;
	uint32_t idx; /* chunk number in the image */
};

struct yobj {
	uint32_t id;
	uint32_t hdr_idx;    /* chunk of the newest header; UINT32_MAX none */
	size_t first, count; /* its data chunks in chunks[] (cid >= 1, newest only) */
	struct ohdr h;
	iota_node *node; /* the path it got */
	bool walked;
};

struct yctx {
	iota_blob *blob; /* keeps d alive */
	const uint8_t *d;
	size_t len;
	struct geom g;
	struct chunk *chunks;
	size_t nchunks;
	struct yobj *objs;
	size_t nobjs;
};

static void yctx_free(void *p)
{
	struct yctx *c = p;
	if (!c)
		return;
	iota_blob_unref(c->blob);
	iota_free(c->chunks);
	iota_free(c->objs);
	iota_free(c);
}

static int cmp_chunk(const void *a, const void *b)
{
	const struct chunk *x = a, *y = b;
	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->cid != y->cid)
		return x->cid < y->cid ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static struct yobj *find_obj(struct yctx *c, uint32_t id)
{
	size_t lo = 0, hi = c->nobjs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->objs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nobjs && c->objs[lo].id == id ? &c->objs[lo] : NULL;
}

/* ---- file content ---- */

static iota_rc yaffs2_load(iota_scan *s, iota_node *n, iota_blob **out)
{
	const struct yctx *c = n->container ? n->container->cctx : NULL;
	const struct yobj *o = n->load_ptr;
	*out = NULL;
	if (!c || !o)
		return IOTA_CORRUPT;
	size_t dsz = data_bytes(&c->g), csz = chunk_size(&c->g);
	uint64_t size = o->h.size;
	/* past the last data chunk no chunk holds bytes (chunks were lost): the
	 * file is cut there rather than padded with invented zeros */
	uint64_t data_end = 0;
	for (size_t i = o->first; i < o->first + o->count; i++) {
		const struct chunk *k = &c->chunks[i];
		uint64_t end = (uint64_t)(k->cid - 1) * dsz + k->nbytes;
		if (k->nbytes && end > data_end)
			data_end = end;
	}
	uint64_t want = size < data_end ? size : data_end;
	uint64_t covered = 0;
	iota_rc rc = IOTA_OK;
	uint64_t budget = iota_scan_file_budget(s);
	if (want > budget) {
		want = budget;
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_scan_limit(s, "file-size", n,
			                "yaffs2 file of %" PRIu64 " bytes cut to the %" PRIu64
			                " bytes that may be unpacked for one file",
			                size, budget);
		rc = IOTA_LIMIT;
	}
	uint8_t *buf = iota_calloc(1, want ? (size_t)want : 1);
	if (!buf)
		return IOTA_NOMEM;
	for (size_t i = o->first; i < o->first + o->count; i++) {
		const struct chunk *k = &c->chunks[i];
		uint64_t at = (uint64_t)(k->cid - 1) * dsz;
		if (at >= want)
			break; /* sorted by chunk id */
		uint64_t n_ = k->nbytes;
		if (n_ > want - at)
			n_ = want - at;
		iota_reader r;
		iota_rd_init(&r, c->d, c->len);
		iota_rd_seek(&r, (size_t)k->idx * csz);
		const uint8_t *src = iota_rd_bytes(&r, (size_t)n_);
		if (!src)
			continue; /* unpack() kept only whole chunks: not reached */
		memcpy(buf + at, src, (size_t)n_);
		covered += n_;
	}
	if (rc == IOTA_OK && covered < size) {
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
			                 "yaffs2 file: %" PRIu64 " of its %" PRIu64
			                 " bytes are in no chunk (lost chunks or holes); zeros "
			                 "inside, a missing tail is cut",
			                 size - covered, size);
		rc = IOTA_WARN;
	}
	*out = iota_blob_take(buf, (size_t)want);
	return *out ? rc : IOTA_NOMEM;
}

static const iota_loader yaffs2_loader = {.load = yaffs2_load};

/* ---- the tree ---- */

/* An entry of a directory: sorted by (parent, name, header age). */
struct kid {
	uint32_t parent, hdr_idx, oi;
	const uint8_t *name;
	size_t name_len;
};

/* A hard link met in the walk, resolved once every path is known. */
struct pending {
	uint32_t oi;
	char *path;
	size_t len;
};

struct walk {
	iota_unpack_job *job;
	iota_scan *s;
	struct yctx *c;
	struct kid *kids;
	size_t nkids;
	struct pending *links;
	size_t nlinks, caplinks;
	size_t loops, badnames, dangling, orphans, dups, added;
	iota_rc rc;
	bool stop;
	char path[IOTA_MAX_PATH];
	char target[IOTA_MAX_PATH];
};

static int cmp_name(const struct kid *x, const struct kid *y)
{
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = n ? memcmp(x->name, y->name, n) : 0;
	if (c)
		return c;
	return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static iota_node_kind kind_of(const struct yobj *o)
{
	switch (o->h.type) {
	case T_DIR:
		return IOTA_NODE_DIR;
	case T_SYMLINK:
		return IOTA_NODE_SYMLINK;
	case T_HARDLINK:
		return IOTA_NODE_HARDLINK;
	case T_SPECIAL:
		switch (o->h.mode & 0170000) {
		case 0020000:
			return IOTA_NODE_CHR;
		case 0060000:
			return IOTA_NODE_BLK;
		case 0140000:
			return IOTA_NODE_SOCK;
		default:
			return IOTA_NODE_FIFO;
		}
	default:
		return IOTA_NODE_FILE;
	}
}

static bool name_ok(const struct ohdr *h)
{
	if (h->name_len == 0 || memchr(h->name, '/', h->name_len))
		return false;
	return !((h->name_len == 1 && h->name[0] == '.') ||
	         (h->name_len == 2 && h->name[0] == '.' && h->name[1] == '.'));
}

/* First index in kids[] whose parent is >= id. */
static size_t first_kid(const struct walk *w, uint32_t id)
{
	size_t lo = 0, hi = w->nkids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->kids[mid].parent < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void set_meta(iota_node *n, const struct ohdr *h)
{
	n->mode = h->mode & 07777;
	n->uid = h->uid;
	n->gid = h->gid;
	n->mtime = h->mtime;
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
}

static void walk_dir(struct walk *w, uint32_t dir, size_t path_len, unsigned depth);

static void add_obj(struct walk *w, struct yobj *o, size_t path_len, unsigned depth)
{
	if (!name_ok(&o->h)) {
		w->badnames++;
		return;
	}
	size_t pl = path_len ? path_len + 1 : 0;
	if (pl + o->h.name_len >= sizeof w->path) {
		w->badnames++;
		return;
	}
	if (path_len)
		w->path[path_len] = '/';
	memcpy(w->path + pl, o->h.name, o->h.name_len);
	size_t len = pl + o->h.name_len;
	w->path[len] = '\0';
	iota_node_kind kind = kind_of(o);
	if (kind == IOTA_NODE_DIR && o->walked) {
		w->loops++;
		return;
	}
	o->walked = true;
	if (kind == IOTA_NODE_HARDLINK) {
		if (w->nlinks == w->caplinks) {
			size_t ncap = w->caplinks ? w->caplinks * 2 : 64;
			struct pending *np = iota_realloc(w->links, ncap * sizeof *np);
			if (!np) {
				w->stop = true;
				w->rc = IOTA_NOMEM;
				return;
			}
			w->links = np;
			w->caplinks = ncap;
		}
		char *p = iota_malloc(len + 1);
		if (!p) {
			w->stop = true;
			w->rc = IOTA_NOMEM;
			return;
		}
		memcpy(p, w->path, len + 1);
		w->links[w->nlinks++] = (struct pending){(uint32_t)(o - w->c->objs), p, len};
		return;
	}
	iota_node *n = iota_vfs_add(w->s, w->job->root, w->path, len, kind);
	if (!n) {
		w->stop = true;
		return;
	}
	w->added++;
	o->node = n;
	if (kind != IOTA_NODE_HARDLINK)
		set_meta(n, &o->h);
	switch (kind) {
	case IOTA_NODE_DIR:
		walk_dir(w, o->id, len, depth + 1);
		break;
	case IOTA_NODE_FILE:
		n->size = o->h.size;
		iota_node_set_loader(n, &yaffs2_loader, o->id, o);
		break;
	case IOTA_NODE_SYMLINK:
		iota_node_set_link(w->s, n, (const char *)o->h.alias, o->h.alias_len);
		break;
	case IOTA_NODE_CHR:
	case IOTA_NODE_BLK:
		/* the kernel's dev_t as new_encode_dev() writes it (old 16-bit values too) */
		n->dev_major = (o->h.rdev & 0xfff00) >> 8;
		n->dev_minor = (o->h.rdev & 0xff) | ((o->h.rdev >> 12) & 0xfff00);
		break;
	default:
		break; /* hard links are resolved once every path is known */
	}
}

static void walk_dir(struct walk *w, uint32_t dir, size_t path_len, unsigned depth)
{
	if (depth > MAX_DIR_DEPTH) {
		w->loops++;
		return;
	}
	for (size_t i = first_kid(w, dir); i < w->nkids && !w->stop; i++) {
		struct yobj *o = &w->c->objs[w->kids[i].oi];
		if (w->kids[i].parent != dir)
			break;
		if (iota_scan_should_stop(w->s)) {
			w->stop = true;
			w->rc = IOTA_LIMIT;
			return;
		}
		/* of two objects with one name (a rename over a file whose deletion
		 * was not written), the newer header wins */
		if (i + 1 < w->nkids) {
			const struct kid *nx = &w->kids[i + 1];
			if (nx->parent == dir && cmp_name(&w->kids[i], nx) == 0) {
				w->dups++;
				o->walked = true;
				continue;
			}
		}
		add_obj(w, o, path_len, depth);
		w->path[path_len] = '\0';
	}
}

/* kids[] order: parent, name, then the older header first */
static int cmp_kid(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	int c = cmp_name(x, y);
	if (c)
		return c;
	return (x->hdr_idx > y->hdr_idx) - (x->hdr_idx < y->hdr_idx);
}

/* ---- scanning ---- */

struct scanres {
	size_t bad;        /* chunks with tags that fit no chunk */
	size_t last;       /* one past the last chunk in the image */
	size_t partial;    /* bytes of a chunk cut short at the end */
	bool ecc;          /* the tags are followed by their ECC */
	size_t fixed;      /* tags with one flipped bit corrected by their ECC */
	size_t erased_end; /* one past the erased chunks that follow the last written one */
	bool ends_written; /* the data ends inside a block, with a written chunk */
	size_t block_run;  /* longest run of chunks with one sequence number */
};

/* Reads every chunk's tags into c->chunks. */
static iota_rc scan_chunks(iota_unpack_job *job, struct yctx *c, struct scanres *sr)
{
	const struct geom *g = &c->g;
	size_t csz = chunk_size(g);
	size_t n = c->len / csz, cap = 0, run = 0, bad_in_run = 0, seq_run = 0;
	uint32_t seq_prev = 0;
	unsigned tick = 0;
	for (size_t i = 0; i < n; i++) {
		if ((++tick & 0xfff) == 0 && iota_scan_should_stop(job->scan))
			return IOTA_LIMIT;
		if (i > UINT32_MAX)
			break;
		struct tags t;
		struct ohdr h;
		int k = read_tags_ecc(c->d, c->len, g, i, sr->ecc, &t, &sr->fixed);
		if (k == CH_HEADER && !read_ohdr(c->d, c->len, i * csz, g->be, &h))
			k = CH_BAD; /* a damaged header, or foreign data after the image */
		if (k == CH_BAD) {
			run++;
			bad_in_run++;
			if (run >= END_RUN)
				break; /* not YAFFS2 any more: the image ended */
			continue;
		}
		if (k == CH_ERASED) {
			run++;
			/* erased chunks after the last written one belong to the image
			 * (its unused flash), until foreign data starts */
			if (!bad_in_run)
				sr->erased_end = i + 1;
			continue;
		}
		sr->bad += bad_in_run;
		/* runs of chunks of one sequence number: blocks, the longest a full one */
		if (sr->last == i && i > 0 && t.seq == seq_prev)
			seq_run++;
		else
			seq_run = 1;
		seq_prev = t.seq;
		if (seq_run > sr->block_run)
			sr->block_run = seq_run;
		bad_in_run = 0;
		run = 0;
		sr->last = i + 1;
		if (c->nchunks == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct chunk *nc = iota_realloc(c->chunks, ncap * sizeof *nc);
			if (!nc)
				return IOTA_NOMEM;
			c->chunks = nc;
			cap = ncap;
		}
		c->chunks[c->nchunks++] = (struct chunk){.obj = t.obj,
		                                         .cid = t.cid,
		                                         .seq = t.seq,
		                                         .nbytes = t.nbytes,
		                                         .idx = (uint32_t)i};
	}
	if (sr->last == n && c->len % csz)
		sr->partial = c->len % csz;
	/* the last chunk written, its block not full, and nothing after it: a
	 * NAND dump ends in erased flash, so this one may have been cut (unless a
	 * tool wrote it so: mkyaffs2image does not pad its last block) */
	sr->ends_written =
	    sr->last == n && sr->last > 0 && (seq_run < sr->block_run || sr->block_run < 16);
	if (sr->erased_end > sr->last)
		sr->last = sr->erased_end;
	return IOTA_OK;
}

/* Keeps the newest chunk of each (obj, cid) and builds the object table. */
static iota_rc replay(struct yctx *c, size_t *noheader)
{
	if (c->nchunks)
		qsort(c->chunks, c->nchunks, sizeof *c->chunks, cmp_chunk);
	size_t out = 0;
	for (size_t i = 0; i < c->nchunks; i++) {
		if (i + 1 < c->nchunks && c->chunks[i + 1].obj == c->chunks[i].obj &&
		    c->chunks[i + 1].cid == c->chunks[i].cid)
			continue; /* a newer copy follows */
		c->chunks[out++] = c->chunks[i];
	}
	c->nchunks = out;
	size_t nobj = 0;
	for (size_t i = 0; i < out; i++)
		if (i == 0 || c->chunks[i].obj != c->chunks[i - 1].obj)
			nobj++;
	c->objs = iota_calloc(nobj ? nobj : 1, sizeof *c->objs);
	if (!c->objs)
		return IOTA_NOMEM;
	size_t csz = chunk_size(&c->g);
	for (size_t i = 0; i < out;) {
		size_t j = i;
		while (j < out && c->chunks[j].obj == c->chunks[i].obj)
			j++;
		struct yobj *o = &c->objs[c->nobjs];
		memset(o, 0, sizeof *o);
		o->id = c->chunks[i].obj;
		o->hdr_idx = UINT32_MAX;
		size_t first = i;
		if (c->chunks[i].cid == 0) {
			if (read_ohdr(c->d, c->len, (size_t)c->chunks[i].idx * csz, c->g.be,
			              &o->h)) {
				o->hdr_idx = c->chunks[i].idx;
			}
			first++;
		}
		o->first = first;
		o->count = j - first;
		if (o->hdr_idx == UINT32_MAX) {
			if (o->id > OBJ_DELETED)
				(*noheader)++;
		} else {
			c->nobjs++;
		}
		i = j;
	}
	return IOTA_OK;
}

/* Adds the hard links met in the walk, now that every target has its path. */
static void resolve_hardlinks(struct walk *w)
{
	for (size_t i = 0; i < w->nlinks && !w->stop; i++) {
		const struct pending *p = &w->links[i];
		struct yobj *o = &w->c->objs[p->oi];
		struct yobj *t = find_obj(w->c, o->h.equiv);
		int tl = t && t->node && t->h.type != T_HARDLINK && t->h.type != T_DIR
		             ? iota_node_inner_path(t->node, w->target, sizeof w->target)
		             : -1;
		iota_node *n = iota_vfs_add(w->s, w->job->root, p->path, p->len,
		                            tl < 0 ? IOTA_NODE_FILE : IOTA_NODE_HARDLINK);
		if (!n) {
			w->stop = true;
			return;
		}
		w->added++;
		o->node = n;
		if (tl < 0) {
			/* the name is kept; what it names is lost */
			w->dangling++;
			atomic_fetch_or(&n->flags, IOTA_NF_UNREADABLE);
			set_meta(n, &o->h);
			continue;
		}
		iota_node_set_hardlink(w->s, n, w->target, (size_t)tl);
		set_meta(n, &t->h);
	}
}

static void set_variant(iota_unpack_job *job, const struct geom *g, bool ecc)
{
	if (g->inband)
		snprintf(job->root->variant, sizeof job->root->variant, "%s,%u%s%u,inband",
		         g->be ? "be" : "le", g->page, g->spare ? "+" : "",
		         g->spare ? g->spare : 0);
	else
		snprintf(job->root->variant, sizeof job->root->variant, "%s,%u+%u,tags@%u%s",
		         g->be ? "be" : "le", g->page, g->spare, g->tagoff, ecc ? ",ecc" : "");
	/* "+0" would read oddly: a page-only in-band image is "le,2048,inband" */
	if (g->inband && !g->spare)
		snprintf(job->root->variant, sizeof job->root->variant, "%s,%u,inband",
		         g->be ? "be" : "le", g->page);
}

static iota_rc report(struct walk *w, const struct scanres *sr, size_t noheader)
{
	iota_scan *s = w->s;
	iota_node *root = w->job->root;
	bool damaged = false;
	if (sr->bad) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: %zu chunk%s with damaged tags or object header skipped; "
		                 "older copies are used where present",
		                 sr->bad, sr->bad == 1 ? "" : "s");
	}
	if (sr->fixed)
		iota_finding_add(
		    s, "unpack.checksum", IOTA_SEV_INFO, root, UINT64_MAX,
		    "yaffs2: %zu chunk tag%s with a flipped bit corrected by the tags' "
		    "ECC",
		    sr->fixed, sr->fixed == 1 ? "" : "s");
	if (sr->partial) {
		damaged = true;
		iota_finding_add(s, "unpack.truncated", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: the image ends inside a chunk (%zu of its bytes are "
		                 "there); cut short",
		                 sr->partial);
	}
	if (sr->ends_written && !sr->partial) {
		damaged = true;
		iota_finding_add(s, "unpack.truncated", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: the image ends with a written chunk and no erased flash "
		                 "after it; it may be cut short (files or directories written "
		                 "later are then missing)");
	}
	if (noheader) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: data of %zu object%s without an object header skipped "
		                 "(lost header chunks)",
		                 noheader, noheader == 1 ? "" : "s");
	}
	size_t orphans = 0;
	for (size_t i = 0; i < w->c->nobjs; i++) {
		const struct yobj *o = &w->c->objs[i];
		if (!o->walked && o->id != OBJ_ROOT && o->h.parent != OBJ_UNLINKED &&
		    o->h.parent != OBJ_DELETED && o->id > OBJ_DELETED)
			orphans++;
	}
	if (orphans) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: %zu object%s not reachable from the root skipped",
		                 orphans, orphans == 1 ? "" : "s");
	}
	if (w->loops) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: %zu directory loop%s (a directory met twice, or nested "
		                 "deeper than %d levels) skipped",
		                 w->loops, w->loops == 1 ? "" : "s", MAX_DIR_DEPTH);
	}
	if (w->badnames) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: %zu object%s with an invalid name skipped", w->badnames,
		                 w->badnames == 1 ? "" : "s");
	}
	if (w->dups) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: %zu older object%s with the same name as a newer one "
		                 "skipped",
		                 w->dups, w->dups == 1 ? "" : "s");
	}
	if (w->dangling) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "yaffs2: %zu hard link%s to an object that is not in the tree; "
		                 "listed without content",
		                 w->dangling, w->dangling == 1 ? "" : "s");
	}
	iota_rc rc = w->rc;
	if (rc == IOTA_OK && damaged)
		rc = IOTA_WARN;
	return rc;
}

static iota_rc unpack_yaffs2(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	int score;
	int gi = pick_geom(job->data, job->len, GEOM_CHUNKS, &score, NULL);
	if (gi < 0)
		return iota_unpack_corrupt(job, "no YAFFS2 object header at the start in any "
		                                "known geometry");
	struct yctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return IOTA_NOMEM;
	c->g = geoms[gi];
	c->d = job->data;
	c->len = job->len;
	c->blob = iota_blob_ref(job->blob);
	/* from here the container owns c: loaders find it through cctx */
	job->root->cctx = c;
	job->root->cctx_free = yctx_free;

	struct scanres sr = {0};
	/* the ECC is there if it matches the tags of one of the first chunks
	 * (12 bytes that random data matches by chance once in 2^80) */
	for (size_t i = 0; i < 16 && i < c->len / chunk_size(&c->g) && !sr.ecc; i++)
		sr.ecc = has_ecc(c->d, c->len, &c->g, i);
	iota_rc rc = scan_chunks(job, c, &sr);
	set_variant(job, &c->g, sr.ecc);
	size_t end = sr.last * chunk_size(&c->g) + sr.partial;
	job->consumed = end < job->len ? end : job->len;
	if (rc != IOTA_OK)
		return rc;
	size_t noheader = 0;
	if (replay(c, &noheader) != IOTA_OK)
		return IOTA_NOMEM;
	if (c->nobjs == 0)
		return iota_unpack_corrupt(job, "no readable object header");

	struct walk *w = iota_calloc(1, sizeof *w);
	struct kid *kids = iota_calloc(c->nobjs, sizeof *kids);
	if (!w || !kids) {
		iota_free(w);
		iota_free(kids);
		return IOTA_NOMEM;
	}
	w->job = job;
	w->s = s;
	w->c = c;
	w->rc = IOTA_OK;
	for (size_t i = 0; i < c->nobjs; i++) {
		const struct yobj *o = &c->objs[i];
		/* the root's own header (if any) is not an entry; unlinked and
		 * deleted objects are gone */
		if (o->id == OBJ_ROOT || o->h.parent == OBJ_UNLINKED || o->h.parent == OBJ_DELETED)
			continue;
		kids[w->nkids++] = (struct kid){.parent = o->h.parent,
		                                .hdr_idx = o->hdr_idx,
		                                .oi = (uint32_t)i,
		                                .name = o->h.name,
		                                .name_len = o->h.name_len};
	}
	w->kids = kids;
	qsort(kids, w->nkids, sizeof *kids, cmp_kid);
	struct yobj *root = find_obj(c, OBJ_ROOT);
	if (root) {
		set_meta(job->root, &root->h);
		root->walked = true;
	}
	walk_dir(w, OBJ_ROOT, 0, 0);
	resolve_hardlinks(w);
	rc = report(w, &sr, noheader);
	if (w->added == 0 && rc != IOTA_NOMEM && rc != IOTA_LIMIT)
		rc = iota_unpack_corrupt(job, "no object reachable from the root directory");
	for (size_t i = 0; i < w->nlinks; i++)
		iota_free(w->links[i].path);
	iota_free(w->links);
	iota_free(kids);
	iota_free(w);
	return rc;
}

/* The first object header of an image as mkyaffs2image writes it: a file,
 * symlink or directory in the root (parent 1), with 0xffff in the unused
 * checksum field, in either byte order. Kernel-written images without that
 * are found at the start of a file, where every probe runs. */
static const iota_magic yaffs2_magics[] = {
    {"\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
    {"\x03\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
    {"\x02\x00\x00\x00\x01\x00\x00\x00\xff\xff", 10, 0},
    {"\x00\x00\x00\x01\x00\x00\x00\x01\xff\xff", 10, 0},
    {"\x00\x00\x00\x03\x00\x00\x00\x01\xff\xff", 10, 0},
    {"\x00\x00\x00\x02\x00\x00\x00\x01\xff\xff", 10, 0},
};

const iota_unpacker iota_unpacker_yaffs2 = {
    .name = "yaffs2",
    .description = "YAFFS2 NAND flash file system (spare or in-band tags, both byte orders)",
    .magics = yaffs2_magics,
    .nmagics = sizeof yaffs2_magics / sizeof yaffs2_magics[0],
    .probe = probe_yaffs2,
    .unpack = unpack_yaffs2,
};
