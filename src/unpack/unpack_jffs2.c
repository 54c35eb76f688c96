/*
 * JFFS2 flash file system images, little- and big-endian.
 *
 * Specification: the Linux kernel's include/uapi/linux/jffs2.h (node layouts
 * struct jffs2_unknown_node, jffs2_raw_dirent, jffs2_raw_inode; node types
 * and compressor numbers), fs/jffs2/scan.c (how a medium is scanned: nodes
 * 4-byte aligned, erased 0xFF space skipped), fs/jffs2/readinode.c (replay:
 * the newest version wins), fs/jffs2/compr_rtime.c (the rtime compressor)
 * and OpenWrt's fs/jffs2/compr_lzma.c (LZMA1, lc=0 lp=0 pb=0, 8 KiB
 * dictionary). mkfs.jffs2 from mtd-utils writes the images we test against.
 *
 * Written by hand: no Debian library reads JFFS2 from memory (the kernel is
 * the only reader). The decompressors are zlib, liblzo2 and liblzma; rtime is
 * a dozen lines decoded here.
 *
 * An image is a run of nodes, each starting with a 12-byte header (magic
 * 0x1985, node type, total length, CRC of the first 8 bytes) in the byte
 * order of the writer. Between nodes there may be erased space (0xFF),
 * padding nodes and summary nodes; a damaged node is skipped by looking for
 * the next 4-byte aligned magic. CRCs are the kernel's crc32(0, ...), i.e.
 * zlib's crc32 without its pre- and post-inversion.
 *
 * Replay: a directory entry (dirent) names inode `ino` as `name` in
 * directory `pino`; for one (pino, name) the highest version wins and ino 0
 * means the name was deleted. Inode nodes carry the metadata (the newest one
 * wins) and a data range [offset, offset + dsize) of the file: ranges are
 * applied oldest first, so newer ones overwrite older ones, and the file is
 * cut or zero-extended to the newest isize. The tree is walked from inode 1
 * (the root); entries not reachable from it, and directories met twice, are
 * reported and skipped. A second name for a non-directory inode is a hard
 * link.
 *
 * File content is built lazily by a loader from the container's context
 * (job->root->cctx): the node list is read-only after unpack(), so loaders on
 * several threads share it without a lock, each with its own decoders.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define JFFS2_MAGIC 0x1985
/* include/uapi/linux/jffs2.h: JFFS2_NODETYPE_* (feature bits included) */
#define NT_DIRENT        0xe001
#define NT_INODE         0xe002
#define NT_CLEANMARKER   0x2003
#define NT_PADDING       0x2004
#define NT_SUMMARY       0x2006
#define NT_XATTR         0xe008
#define NT_XREF          0xe009
#define FEATURE_INCOMPAT 0xc000

#define HDR_LEN       12 /* struct jffs2_unknown_node */
#define DIRENT_LEN    40 /* struct jffs2_raw_dirent without the name */
#define INODE_LEN     68 /* struct jffs2_raw_inode without the data */
#define ROOT_INO      1
#define MAX_DSIZE     (1u << 20) /* a node holds one page; real pages are 4-64 KiB */
#define MAX_DIR_DEPTH 256

/* JFFS2_COMPR_* */
enum { C_NONE = 0, C_ZERO = 1, C_RTIME = 2, C_ZLIB = 6, C_LZO = 7, C_LZMA = 8 };

/* One inode node: metadata plus one data range. */
struct irec {
	uint32_t ino, version;
	uint32_t mode, uid, gid, isize, mtime;
	uint32_t offset, dsize, csize;
	size_t data; /* offset of the compressed bytes in the image */
	uint8_t compr;
};

/* One directory entry node. */
struct drec {
	uint32_t pino, version, ino;
	uint8_t type, nsize;
	const uint8_t *name;
	size_t at; /* node offset: of two equal versions the later node wins, as in the kernel */
};

/* Every inode node of one inode number, oldest first: recs[first, first+count). */
struct jfile {
	uint32_t ino;
	size_t first, count;
	iota_node *node; /* the first path met, for hard links */
	bool dir_listed;
};

struct jctx {
	iota_blob *blob; /* keeps d alive */
	const uint8_t *d;
	size_t len;
	int be;
	struct irec *recs;
	size_t nrecs;
	struct jfile *files;
	size_t nfiles;
};

static void jctx_free(void *p)
{
	struct jctx *c = p;
	if (!c)
		return;
	iota_blob_unref(c->blob);
	iota_free(c->recs);
	iota_free(c->files);
	iota_free(c);
}

/* The kernel's crc32(0, p, n): zlib's crc32 inverts before and after. */
static uint32_t jcrc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32_z(0xffffffffUL, p, n) ^ 0xffffffffu;
}

static bool ld16(const uint8_t *d, size_t len, size_t off, int be, uint16_t *v)
{
	return be ? iota_ld_u16be(d, len, off, v) : iota_ld_u16le(d, len, off, v);
}

static bool ld32(const uint8_t *d, size_t len, size_t off, int be, uint32_t *v)
{
	return be ? iota_ld_u32be(d, len, off, v) : iota_ld_u32le(d, len, off, v);
}

/* The CRC of n bytes at off, false if they are not all there. */
static bool crc_at(const uint8_t *d, size_t len, size_t off, size_t n, uint32_t *crc)
{
	iota_reader r;
	iota_rd_init(&r, d, len);
	if (!iota_rd_seek(&r, off))
		return false;
	const uint8_t *p = iota_rd_bytes(&r, n);
	if (!p && n)
		return false;
	*crc = jcrc(p ? p : (const uint8_t *)"", n);
	return true;
}

/* A node header at off with a correct header CRC; 0 if none. */
static bool node_header(const uint8_t *d, size_t len, size_t off, int be, uint16_t *type,
                        uint32_t *totlen)
{
	uint16_t magic;
	uint32_t hcrc, crc;
	if (!ld16(d, len, off, be, &magic) || magic != JFFS2_MAGIC ||
	    !ld16(d, len, off + 2, be, type) || !ld32(d, len, off + 4, be, totlen) ||
	    !ld32(d, len, off + 8, be, &hcrc) || !crc_at(d, len, off, 8, &crc))
		return false;
	return crc == hcrc;
}

/* Byte order of an image starting at d: 0 little, 1 big, -1 neither. */
static int image_endian(const uint8_t *d, size_t len)
{
	uint16_t t;
	uint32_t tl;
	if (node_header(d, len, 0, 0, &t, &tl))
		return 0;
	if (node_header(d, len, 0, 1, &t, &tl))
		return 1;
	return -1;
}

static int probe_jffs2(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	uint16_t type;
	uint32_t totlen;
	int be = image_endian(head, head_len);
	if (be < 0 || !node_header(head, head_len, 0, be, &type, &totlen) || totlen < HDR_LEN ||
	    totlen > total_len)
		return 0;
	switch (type) {
	case NT_DIRENT:
	case NT_INODE:
	case NT_CLEANMARKER:
	case NT_PADDING:
	case NT_SUMMARY:
	case NT_XATTR:
	case NT_XREF:
		return 100;
	default:
		return 90; /* the header CRC holds, the node type is one we do not know */
	}
}

/* ---- decompression ---- */

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ready;

static void lzo_setup(void)
{
	lzo_ready = lzo_init() == LZO_E_OK;
}

/* Decoders of one loader call, made on first use and reused per node. */
struct dec {
	z_stream zs;
	bool zinit;
	lzma_stream lz;
	bool lzinit;
};

static void dec_end(struct dec *z)
{
	if (z->zinit)
		inflateEnd(&z->zs);
	if (z->lzinit)
		lzma_end(&z->lz);
}

/* fs/jffs2/compr_rtime.c: pairs (byte, repeat); repeat copies that many bytes
 * from after the previous occurrence of byte, overlapping like LZ77. */
static bool rtime_decode(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	size_t last[256] = {0};
	iota_reader r;
	iota_rd_init(&r, src, slen);
	size_t op = 0;
	while (op < dlen) {
		uint8_t value = iota_rd_u8(&r);
		uint8_t repeat = iota_rd_u8(&r);
		if (r.bad)
			return false;
		dst[op++] = value;
		size_t back = last[value];
		last[value] = op;
		if (repeat > dlen - op)
			return false;
		/* back < op: the source is behind the write position, possibly overlapping */
		for (unsigned i = 0; i < repeat; i++)
			dst[op++] = dst[back++];
	}
	return true;
}

static bool zlib_decode(struct dec *z, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	/* mkfs.jffs2 and the kernel write a zlib header. Like the kernel's
	 * compr_zlib.c, a header without a preset dictionary is stepped over and
	 * the deflate data inflated raw: the node's data_crc already vouches for
	 * the bytes, so the Adler-32 trailer is not computed again. */
	uint8_t b0 = 0, b1 = 0;
	size_t skip = 0;
	if (iota_ld_u8(src, slen, 0, &b0) && iota_ld_u8(src, slen, 1, &b1) && (b0 & 0x0f) == 8 &&
	    ((unsigned)b0 << 8 | b1) % 31 == 0 && !(b1 & 0x20))
		skip = 2;
	if (!z->zinit) {
		memset(&z->zs, 0, sizeof z->zs);
		if (inflateInit2(&z->zs, -MAX_WBITS) != Z_OK)
			return false;
		z->zinit = true;
	} else if (inflateReset(&z->zs) != Z_OK) {
		return false;
	}
	if (slen > UINT32_MAX || dlen > UINT32_MAX)
		return false;
	z->zs.next_in = (Bytef *)src + skip;
	z->zs.avail_in = (uInt)(slen - skip);
	z->zs.next_out = dst;
	z->zs.avail_out = (uInt)dlen;
	int zr = inflate(&z->zs, Z_FINISH);
	return (zr == Z_STREAM_END || zr == Z_OK || zr == Z_BUF_ERROR) && z->zs.avail_out == 0;
}

static bool lzma_decode(struct dec *z, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	lzma_options_lzma opt;
	if (lzma_lzma_preset(&opt, 0))
		return false;
	/* OpenWrt's compr_lzma.c: lc=0, lp=0, pb=0, dictionary 0x2000 */
	opt.lc = 0;
	opt.lp = 0;
	opt.pb = 0;
	opt.dict_size = 0x2000;
	lzma_filter f[2] = {{.id = LZMA_FILTER_LZMA1, .options = &opt},
	                    {.id = LZMA_VLI_UNKNOWN, .options = NULL}};
	if (!z->lzinit) {
		lzma_stream init = LZMA_STREAM_INIT;
		z->lz = init;
	}
	if (lzma_raw_decoder(&z->lz, f) != LZMA_OK)
		return false;
	z->lzinit = true;
	z->lz.next_in = src;
	z->lz.avail_in = slen;
	z->lz.next_out = dst;
	z->lz.avail_out = dlen;
	/* a raw LZMA1 stream may lack an end marker: a full output is success */
	while (z->lz.avail_out > 0) {
		lzma_ret lr = lzma_code(&z->lz, LZMA_RUN);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr != LZMA_OK || z->lz.avail_in == 0)
			break;
	}
	return z->lz.avail_out == 0;
}

enum { DEC_OK = 0, DEC_BAD = 1, DEC_UNSUPPORTED = 2 };

/* Decodes the compressed bytes of rec into dst (rec->dsize bytes). */
static int decode(const struct jctx *c, struct dec *z, const struct irec *rec, uint8_t *dst)
{
	iota_reader r;
	iota_rd_init(&r, c->d, c->len);
	if (!iota_rd_seek(&r, rec->data))
		return DEC_BAD;
	const uint8_t *src = iota_rd_bytes(&r, rec->csize);
	if (!src)
		return DEC_BAD; /* unpack() checked csize against the node: not reached */
	size_t dlen = rec->dsize;
	switch (rec->compr) {
	case C_NONE:
		if (rec->csize < dlen)
			return DEC_BAD;
		memcpy(dst, src, dlen);
		return DEC_OK;
	case C_ZERO:
		memset(dst, 0, dlen);
		return DEC_OK;
	case C_RTIME:
		return rtime_decode(src, rec->csize, dst, dlen) ? DEC_OK : DEC_BAD;
	case C_ZLIB:
		return zlib_decode(z, src, rec->csize, dst, dlen) ? DEC_OK : DEC_BAD;
	case C_LZO: {
		pthread_once(&lzo_once, lzo_setup);
		if (!lzo_ready)
			return DEC_UNSUPPORTED;
		lzo_uint out = dlen;
		if (lzo1x_decompress_safe(src, rec->csize, dst, &out, NULL) != LZO_E_OK ||
		    out != dlen)
			return DEC_BAD;
		return DEC_OK;
	}
	case C_LZMA:
		return lzma_decode(z, src, rec->csize, dst, dlen) ? DEC_OK : DEC_BAD;
	default:
		return DEC_UNSUPPORTED;
	}
}

static bool compr_supported(uint8_t compr)
{
	return compr == C_NONE || compr == C_ZERO || compr == C_RTIME || compr == C_ZLIB ||
	       compr == C_LZO || compr == C_LZMA;
}

struct range {
	uint64_t lo, hi;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Bytes of [0, want) in none of the n ranges (sorted here). */
static uint64_t uncovered(struct range *r, size_t n, uint64_t want)
{
	if (n)
		qsort(r, n, sizeof *r, cmp_range);
	uint64_t covered = 0, reach = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = r[i].lo > reach ? r[i].lo : reach;
		if (r[i].hi > lo) {
			covered += r[i].hi - lo;
			reach = r[i].hi;
		}
	}
	return want - covered;
}

/*
 * Builds the first `want` bytes of file f into out (zeroed by the caller):
 * every data range oldest first, newer ones overwriting. Returns the number
 * of nodes that could not be decoded (their range keeps older bytes or
 * zeros), or -1 if out of memory; *gap is the number of bytes no readable
 * node covers (the kernel writes a node for every byte below isize, holes
 * included, so a gap means lost nodes).
 */
static long assemble(const struct jctx *c, const struct jfile *f, uint8_t *out, uint64_t want,
                     uint64_t *gap)
{
	struct dec z = {0};
	uint8_t *tmp = NULL;
	size_t tmp_cap = 0, nr = 0;
	long bad = 0;
	struct range *rs = iota_malloc(f->count * sizeof *rs);
	if (!rs)
		return -1;
	for (size_t i = f->first; i < f->first + f->count; i++) {
		const struct irec *rec = &c->recs[i];
		if (rec->dsize == 0 || rec->offset >= want)
			continue;
		uint64_t n = want - rec->offset < rec->dsize ? want - rec->offset : rec->dsize;
		if (rec->compr == C_ZERO) {
			memset(out + rec->offset, 0, (size_t)n);
			rs[nr++] = (struct range){rec->offset, rec->offset + n};
			continue;
		}
		if (rec->dsize > MAX_DSIZE) {
			bad++;
			continue;
		}
		if (rec->dsize > tmp_cap) {
			uint8_t *t = iota_realloc(tmp, rec->dsize);
			if (!t) {
				bad = -1;
				break;
			}
			tmp = t;
			tmp_cap = rec->dsize;
		}
		if (decode(c, &z, rec, tmp) != DEC_OK) {
			bad++;
			continue;
		}
		memcpy(out + rec->offset, tmp, (size_t)n);
		rs[nr++] = (struct range){rec->offset, rec->offset + n};
	}
	*gap = bad < 0 ? 0 : uncovered(rs, nr, want);
	iota_free(rs);
	iota_free(tmp);
	dec_end(&z);
	return bad;
}

static iota_rc jffs2_load(iota_scan *s, iota_node *n, iota_blob **out)
{
	const struct jctx *c = n->container ? n->container->cctx : NULL;
	const struct jfile *f = n->load_ptr;
	*out = NULL;
	if (!c || !f || !f->count)
		return IOTA_CORRUPT;
	uint64_t isize = c->recs[f->first + f->count - 1].isize;
	uint64_t budget = iota_scan_file_budget(s);
	/* past the last data range no node holds bytes (nodes were lost): the
	 * file is cut there rather than padded with invented zeros */
	uint64_t data_end = 0;
	for (size_t i = f->first; i < f->first + f->count; i++)
		if (c->recs[i].dsize && (uint64_t)c->recs[i].offset + c->recs[i].dsize > data_end)
			data_end = (uint64_t)c->recs[i].offset + c->recs[i].dsize;
	uint64_t want = isize < data_end ? isize : data_end;
	uint64_t tail = isize - want;
	iota_rc rc = IOTA_OK;
	if (want > budget) {
		want = budget;
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_scan_limit(s, "file-size", n,
			                "jffs2 file of %" PRIu64 " bytes cut to the %" PRIu64
			                " bytes that may be unpacked for one file",
			                isize, budget);
		rc = IOTA_LIMIT;
	}
	uint8_t *buf = iota_calloc(1, want ? (size_t)want : 1);
	if (!buf)
		return IOTA_NOMEM;
	uint64_t gap = 0;
	long bad = assemble(c, f, buf, want, &gap);
	if (bad < 0) {
		iota_free(buf);
		return IOTA_NOMEM;
	}
	gap += tail;
	if (bad > 0 || gap > 0) {
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_finding_add(
			    s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
			    "jffs2 file: %ld data node%s could not be decompressed and "
			    "%" PRIu64 " of its %" PRIu64 " bytes are in no readable node; "
			    "those ranges hold older data or zeros, a missing tail is cut",
			    bad, bad == 1 ? "" : "s", gap, isize);
		if (rc == IOTA_OK)
			rc = IOTA_WARN;
	}
	*out = iota_blob_take(buf, (size_t)want);
	return *out ? rc : IOTA_NOMEM;
}

static const iota_loader jffs2_loader = {.load = jffs2_load};

/* ---- scanning the nodes ---- */

struct scan {
	iota_unpack_job *job;
	const uint8_t *d;
	size_t len;
	int be;
	struct irec *recs;
	size_t nrecs, caprecs;
	struct drec *dirs;
	size_t ndirs, capdirs;
	size_t bad;         /* nodes skipped for a bad CRC or length */
	size_t garbage;     /* bytes between nodes that are neither nodes nor erased */
	size_t unknown;     /* nodes of types we do not read */
	size_t last_end;    /* end of the last valid node */
	uint64_t clean_gcd; /* gcd of the offsets of cleanmarkers after the first */
	size_t ncleanmarkers;
	unsigned compr_seen; /* bit per compressor number < 32 */
	size_t unsupported[256];
};

/* Makes room for element n of an array of cap elements (doubling); the
 * array, possibly moved, or NULL if out of memory (the old one is kept). */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 256;
	void *p = iota_realloc(arr, ncap * elem);
	if (p)
		*cap = ncap;
	return p;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Reads a dirent at off (header checked). False: damaged (counted by caller). */
static bool read_dirent(struct scan *sc, size_t off, uint32_t totlen, bool *nomem)
{
	const uint8_t *d = sc->d;
	size_t len = sc->len;
	int be = sc->be;
	struct drec r = {0};
	uint32_t ncrc, namecrc, crc;
	uint8_t nsize, type;
	if (totlen < DIRENT_LEN || !ld32(d, len, off + 12, be, &r.pino) ||
	    !ld32(d, len, off + 16, be, &r.version) || !ld32(d, len, off + 20, be, &r.ino) ||
	    !iota_ld_u8(d, len, off + 28, &nsize) || !iota_ld_u8(d, len, off + 29, &type) ||
	    !ld32(d, len, off + 32, be, &ncrc) || !ld32(d, len, off + 36, be, &namecrc))
		return false;
	/* node_crc covers the node up to itself: sizeof(struct jffs2_raw_dirent) - 8 */
	if (!crc_at(d, len, off, DIRENT_LEN - 8, &crc) || crc != ncrc)
		return false;
	if ((uint32_t)DIRENT_LEN + nsize > totlen ||
	    !crc_at(d, len, off + DIRENT_LEN, nsize, &crc) || crc != namecrc)
		return false;
	iota_reader rd;
	iota_rd_init(&rd, d, len);
	iota_rd_seek(&rd, off + DIRENT_LEN);
	r.name = iota_rd_bytes(&rd, nsize);
	if (!r.name)
		r.name = (const uint8_t *)"";
	r.nsize = nsize;
	r.type = type;
	r.at = off;
	struct drec *nd = grow(sc->dirs, &sc->capdirs, sc->ndirs, sizeof *sc->dirs);
	if (!nd) {
		*nomem = true;
		return true;
	}
	sc->dirs = nd;
	sc->dirs[sc->ndirs++] = r;
	return true;
}

static bool read_inode(struct scan *sc, size_t off, uint32_t totlen, bool *nomem)
{
	const uint8_t *d = sc->d;
	size_t len = sc->len;
	int be = sc->be;
	struct irec r = {0};
	uint16_t uid, gid;
	uint32_t dcrc, ncrc, crc;
	if (totlen < INODE_LEN || !ld32(d, len, off + 12, be, &r.ino) ||
	    !ld32(d, len, off + 16, be, &r.version) || !ld32(d, len, off + 20, be, &r.mode) ||
	    !ld16(d, len, off + 24, be, &uid) || !ld16(d, len, off + 26, be, &gid) ||
	    !ld32(d, len, off + 28, be, &r.isize) || !ld32(d, len, off + 36, be, &r.mtime) ||
	    !ld32(d, len, off + 44, be, &r.offset) || !ld32(d, len, off + 48, be, &r.csize) ||
	    !ld32(d, len, off + 52, be, &r.dsize) || !iota_ld_u8(d, len, off + 56, &r.compr) ||
	    !ld32(d, len, off + 60, be, &dcrc) || !ld32(d, len, off + 64, be, &ncrc))
		return false;
	r.uid = uid;
	r.gid = gid;
	/* node_crc: sizeof(struct jffs2_raw_inode) - 8 bytes; data_crc: the csize bytes after it */
	if (!crc_at(d, len, off, INODE_LEN - 8, &crc) || crc != ncrc)
		return false;
	if (r.csize > totlen - INODE_LEN || !crc_at(d, len, off + INODE_LEN, r.csize, &crc) ||
	    crc != dcrc)
		return false;
	if ((uint64_t)r.offset + r.dsize > UINT32_MAX)
		return false;
	r.data = off + INODE_LEN;
	if (r.dsize) {
		if (r.compr < 32)
			sc->compr_seen |= 1u << r.compr;
		if (!compr_supported(r.compr))
			sc->unsupported[r.compr]++;
	}
	struct irec *nr = grow(sc->recs, &sc->caprecs, sc->nrecs, sizeof *sc->recs);
	if (!nr) {
		*nomem = true;
		return true;
	}
	sc->recs = nr;
	sc->recs[sc->nrecs++] = r;
	return true;
}

/* The next 4-byte aligned offset at or after from holding the magic, or len. */
static size_t next_magic(const struct scan *sc, size_t from, size_t *garbage)
{
	uint8_t m0 = sc->be ? 0x19 : 0x85, m1 = sc->be ? 0x85 : 0x19;
	size_t pos = from;
	for (; pos + 2 <= sc->len; pos += 4) {
		uint8_t a = 0, b = 0, c = 0xff, e = 0xff;
		iota_ld_u8(sc->d, sc->len, pos, &a);
		iota_ld_u8(sc->d, sc->len, pos + 1, &b);
		if (a == m0 && b == m1)
			return pos;
		iota_ld_u8(sc->d, sc->len, pos + 2, &c);
		iota_ld_u8(sc->d, sc->len, pos + 3, &e);
		if ((a & b & c & e) != 0xff)
			*garbage += 4;
	}
	return sc->len;
}

static iota_rc scan_nodes(struct scan *sc)
{
	iota_scan *s = sc->job->scan;
	size_t pos = 0, pending_garbage = 0;
	bool nomem = false;
	unsigned tick = 0;
	while (pos + HDR_LEN <= sc->len && !nomem) {
		if ((++tick & 0xfff) == 0 && iota_scan_should_stop(s))
			return IOTA_LIMIT;
		uint16_t type;
		uint32_t totlen;
		uint16_t magic;
		if (!ld16(sc->d, sc->len, pos, sc->be, &magic) || magic != JFFS2_MAGIC) {
			pos = next_magic(sc, pos, &pending_garbage);
			continue;
		}
		if (!node_header(sc->d, sc->len, pos, sc->be, &type, &totlen) || totlen < HDR_LEN ||
		    totlen > sc->len - pos) {
			sc->bad++;
			pos = next_magic(sc, pos + 4, &pending_garbage);
			continue;
		}
		bool ok = true;
		switch (type) {
		case NT_DIRENT:
			ok = read_dirent(sc, pos, totlen, &nomem);
			break;
		case NT_INODE:
			ok = read_inode(sc, pos, totlen, &nomem);
			break;
		case NT_CLEANMARKER:
			sc->ncleanmarkers++;
			sc->clean_gcd = gcd(sc->clean_gcd, pos);
			break;
		case NT_PADDING:
		case NT_SUMMARY:
			break;
		default:
			sc->unknown++;
			break;
		}
		if (!ok) {
			/* the header is sound, so its length is trusted to skip the node */
			sc->bad++;
		}
		sc->garbage += pending_garbage;
		pending_garbage = 0;
		sc->last_end = pos + totlen;
		pos = (pos + totlen + 3) & ~(size_t)3;
	}
	return nomem ? IOTA_NOMEM : IOTA_OK;
}

/* ---- replay and the tree ---- */

static int cmp_irec(const void *a, const void *b)
{
	const struct irec *x = a, *y = b;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return x->data < y->data ? -1 : x->data > y->data;
}

static int cmp_name(const struct drec *x, const struct drec *y)
{
	size_t n = x->nsize < y->nsize ? x->nsize : y->nsize;
	int c = n ? memcmp(x->name, y->name, n) : 0;
	if (c)
		return c;
	return (x->nsize > y->nsize) - (x->nsize < y->nsize);
}

static int cmp_drec(const void *a, const void *b)
{
	const struct drec *x = a, *y = b;
	if (x->pino != y->pino)
		return x->pino < y->pino ? -1 : 1;
	int c = cmp_name(x, y);
	if (c)
		return c;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

struct walk {
	iota_unpack_job *job;
	iota_scan *s;
	struct jctx *c;
	struct drec *live;
	size_t nlive;
	bool *listed; /* per pino run in live[]: its directory was walked */
	size_t loops, badnames, noinode, added;
	iota_rc rc;
	bool stop;
	char path[IOTA_MAX_PATH];
	/* scratch for one entry at a time, kept off the recursion's stack */
	char target[IOTA_MAX_PATH];
	uint8_t data[IOTA_MAX_LINK];
};

static struct jfile *find_file(struct jctx *c, uint32_t ino)
{
	size_t lo = 0, hi = c->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->files[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nfiles && c->files[lo].ino == ino ? &c->files[lo] : NULL;
}

/* First index in live[] with pino >= ino. */
static size_t first_child(const struct walk *w, uint32_t ino)
{
	size_t lo = 0, hi = w->nlive;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->live[mid].pino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static iota_node_kind kind_of_mode(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0040000:
		return IOTA_NODE_DIR;
	case 0120000:
		return IOTA_NODE_SYMLINK;
	case 0020000:
		return IOTA_NODE_CHR;
	case 0060000:
		return IOTA_NODE_BLK;
	case 0010000:
		return IOTA_NODE_FIFO;
	case 0140000:
		return IOTA_NODE_SOCK;
	default:
		return IOTA_NODE_FILE;
	}
}

/* DT_* of <dirent.h>, for an inode with no inode node left */
static iota_node_kind kind_of_dt(uint8_t t)
{
	switch (t) {
	case 4:
		return IOTA_NODE_DIR;
	case 10:
		return IOTA_NODE_SYMLINK;
	case 2:
		return IOTA_NODE_CHR;
	case 6:
		return IOTA_NODE_BLK;
	case 1:
		return IOTA_NODE_FIFO;
	case 12:
		return IOTA_NODE_SOCK;
	default:
		return IOTA_NODE_FILE;
	}
}

static void set_meta(iota_node *n, const struct irec *r)
{
	n->mode = r->mode & 07777;
	n->uid = r->uid;
	n->gid = r->gid;
	n->mtime = r->mtime;
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
}

/* The data of the newest node of f, for symlinks and devices (up to cap bytes). */
static size_t small_data(struct jctx *c, const struct jfile *f, uint8_t *out, size_t cap)
{
	const struct irec *r = &c->recs[f->first + f->count - 1];
	if (r->dsize == 0 || r->dsize > cap || r->offset != 0)
		return 0;
	struct dec z = {0};
	int ok = decode(c, &z, r, out);
	dec_end(&z);
	return ok == DEC_OK ? r->dsize : 0;
}

static void set_special(struct walk *w, iota_node *n, struct jfile *f, iota_node_kind kind)
{
	uint8_t *buf = w->data;
	if (kind == IOTA_NODE_SYMLINK) {
		size_t l = small_data(w->c, f, buf, sizeof w->data);
		iota_node_set_link(w->s, n, (const char *)buf, l);
	} else if (kind == IOTA_NODE_CHR || kind == IOTA_NODE_BLK) {
		/* struct jffs2_device_node: old_id (u16) or new_id (u32, new_encode_dev) */
		size_t l = small_data(w->c, f, buf, 4);
		uint16_t o16;
		uint32_t o32;
		if (l == 2 && ld16(buf, l, 0, w->c->be, &o16)) {
			n->dev_major = o16 >> 8;
			n->dev_minor = o16 & 0xff;
		} else if (l == 4 && ld32(buf, l, 0, w->c->be, &o32)) {
			n->dev_major = (o32 & 0xfff00) >> 8;
			n->dev_minor = (o32 & 0xff) | ((o32 >> 12) & 0xfff00);
		}
	}
}

static bool name_ok(const struct drec *e)
{
	if (e->nsize == 0 || memchr(e->name, '/', e->nsize) || memchr(e->name, '\0', e->nsize))
		return false;
	if ((e->nsize == 1 && e->name[0] == '.') ||
	    (e->nsize == 2 && e->name[0] == '.' && e->name[1] == '.'))
		return false;
	return true;
}

static void walk_dir(struct walk *w, uint32_t dino, size_t path_len, unsigned depth);

static void add_entry(struct walk *w, const struct drec *e, size_t path_len, unsigned depth)
{
	if (!name_ok(e)) {
		w->badnames++;
		return;
	}
	size_t pl = path_len ? path_len + 1 : 0;
	if (pl + e->nsize >= sizeof w->path) {
		w->badnames++;
		return;
	}
	if (path_len)
		w->path[path_len] = '/';
	memcpy(w->path + pl, e->name, e->nsize);
	size_t len = pl + e->nsize;
	w->path[len] = '\0';

	struct jfile *f = find_file(w->c, e->ino);
	const struct irec *newest = f && f->count ? &w->c->recs[f->first + f->count - 1] : NULL;
	iota_node_kind kind = newest ? kind_of_mode(newest->mode) : kind_of_dt(e->type);

	if (kind == IOTA_NODE_DIR) {
		size_t lo = first_child(w, e->ino);
		bool has_children = lo < w->nlive && w->live[lo].pino == e->ino;
		if (e->ino == ROOT_INO || (has_children && w->listed[lo]) || (f && f->dir_listed)) {
			w->loops++;
			return;
		}
		if (f)
			f->dir_listed = true;
	} else if (f && f->node) {
		int tl = iota_node_inner_path(f->node, w->target, sizeof w->target);
		iota_node *h = iota_vfs_add(w->s, w->job->root, w->path, len, IOTA_NODE_HARDLINK);
		if (!h) {
			w->stop = true;
			return;
		}
		w->added++;
		if (tl >= 0)
			iota_node_set_hardlink(w->s, h, w->target, (size_t)tl);
		set_meta(h, newest);
		return;
	}
	iota_node *n = iota_vfs_add(w->s, w->job->root, w->path, len, kind);
	if (!n) {
		w->stop = true;
		return;
	}
	w->added++;
	if (!newest && kind != IOTA_NODE_DIR) {
		/* its inode nodes are all lost: the name is kept, the content is not */
		w->noinode++;
		atomic_fetch_or(&n->flags, IOTA_NF_UNREADABLE);
	}
	if (newest)
		set_meta(n, newest);
	switch (kind) {
	case IOTA_NODE_DIR:
		walk_dir(w, e->ino, len, depth + 1);
		break;
	case IOTA_NODE_FILE:
		if (f) {
			f->node = n;
			n->size = newest->isize;
			iota_node_set_loader(n, &jffs2_loader, e->ino, f);
			for (size_t i = f->first; i < f->first + f->count; i++)
				if (w->c->recs[i].dsize && !compr_supported(w->c->recs[i].compr))
					atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
		}
		break;
	default:
		if (f) {
			f->node = n;
			set_special(w, n, f, kind);
		}
		break;
	}
}

static void walk_dir(struct walk *w, uint32_t dino, size_t path_len, unsigned depth)
{
	if (depth > MAX_DIR_DEPTH) {
		w->loops++;
		return;
	}
	size_t lo = first_child(w, dino);
	if (lo >= w->nlive || w->live[lo].pino != dino)
		return;
	w->listed[lo] = true;
	for (size_t i = lo; i < w->nlive && w->live[i].pino == dino && !w->stop; i++) {
		if (iota_scan_should_stop(w->s)) {
			w->stop = true;
			w->rc = IOTA_LIMIT;
			return;
		}
		add_entry(w, &w->live[i], path_len, depth);
	}
}

/* Keeps the newest dirent of each (pino, name) that is not a deletion. */
static size_t replay_dirents(struct drec *dirs, size_t n)
{
	if (n == 0)
		return 0;
	qsort(dirs, n, sizeof *dirs, cmp_drec);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && dirs[i + 1].pino == dirs[i].pino &&
		    cmp_name(&dirs[i + 1], &dirs[i]) == 0)
			continue; /* a newer version follows */
		if (dirs[i].ino != 0)
			dirs[out++] = dirs[i];
	}
	return out;
}

static iota_rc build_files(struct jctx *c)
{
	if (c->nrecs)
		qsort(c->recs, c->nrecs, sizeof *c->recs, cmp_irec);
	size_t nf = 0;
	for (size_t i = 0; i < c->nrecs; i++)
		if (i == 0 || c->recs[i].ino != c->recs[i - 1].ino)
			nf++;
	c->files = iota_calloc(nf ? nf : 1, sizeof *c->files);
	if (!c->files)
		return IOTA_NOMEM;
	for (size_t i = 0; i < c->nrecs; i++) {
		if (i == 0 || c->recs[i].ino != c->recs[i - 1].ino) {
			c->files[c->nfiles].ino = c->recs[i].ino;
			c->files[c->nfiles].first = i;
			c->nfiles++;
		}
		c->files[c->nfiles - 1].count++;
	}
	return IOTA_OK;
}

static void set_variant(iota_unpack_job *job, const struct scan *sc)
{
	static const char *const names[] = {
	    [C_RTIME] = "rtime", [C_ZLIB] = "zlib", [C_LZO] = "lzo", [C_LZMA] = "lzma"};
	char *v = job->root->variant;
	size_t cap = sizeof job->root->variant;
	int l = snprintf(v, cap, "%s", sc->be ? "be" : "le");
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i] && (sc->compr_seen & (1u << i)) && l >= 0 && (size_t)l < cap)
			l += snprintf(v + l, cap - (size_t)l, ",%s", names[i]);
}

static iota_rc report(struct walk *w, const struct scan *sc)
{
	iota_scan *s = w->s;
	iota_node *root = w->job->root;
	iota_rc rc = w->rc;
	bool damaged = false;
	if (sc->bad) {
		damaged = true;
		iota_finding_add(
		    s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		    "jffs2: %zu damaged node%s (bad CRC or length) skipped; older versions "
		    "of their data are used where present",
		    sc->bad, sc->bad == 1 ? "" : "s");
	}
	if (sc->garbage) {
		damaged = true;
		iota_finding_add(
		    s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		    "jffs2: %zu bytes between nodes are neither nodes nor erased flash; "
		    "skipped",
		    sc->garbage);
	}
	for (unsigned i = 0; i < 256; i++)
		if (sc->unsupported[i]) {
			damaged = true;
			iota_finding_add(
			    s, "unpack.unsupported", IOTA_SEV_LOW, root, UINT64_MAX,
			    "jffs2: unsupported compressor %u in %zu data node%s; the files "
			    "holding them are incomplete",
			    i, sc->unsupported[i], sc->unsupported[i] == 1 ? "" : "s");
		}
	if (sc->unknown)
		iota_finding_add(
		    s, "unpack.unsupported", IOTA_SEV_INFO, root, UINT64_MAX,
		    "jffs2: %zu node%s of types not read here (xattr, unknown) skipped",
		    sc->unknown, sc->unknown == 1 ? "" : "s");
	size_t orphans = 0;
	for (size_t i = 0; i < w->nlive;) {
		size_t j = i;
		while (j < w->nlive && w->live[j].pino == w->live[i].pino)
			j++;
		if (!w->listed[i])
			orphans += j - i;
		i = j;
	}
	if (orphans) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "jffs2: %zu directory entr%s not reachable from the root skipped",
		                 orphans, orphans == 1 ? "y" : "ies");
	}
	if (w->loops) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "jffs2: %zu directory loop%s (a directory met twice, or nested "
		                 "deeper than %d levels) skipped",
		                 w->loops, w->loops == 1 ? "" : "s", MAX_DIR_DEPTH);
	}
	if (w->noinode) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "jffs2: %zu entr%s name an inode of which no node is left; listed "
		                 "without content",
		                 w->noinode, w->noinode == 1 ? "y" : "ies");
	}
	if (w->badnames) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, root, UINT64_MAX,
		                 "jffs2: %zu entr%s with an invalid name skipped", w->badnames,
		                 w->badnames == 1 ? "y" : "ies");
	}
	if (rc == IOTA_OK && damaged)
		rc = IOTA_WARN;
	return rc;
}

static iota_rc unpack_jffs2(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	int be = image_endian(job->data, job->len);
	if (be < 0)
		return iota_unpack_corrupt(job, "no JFFS2 node header at the start");
	struct scan *sc = iota_calloc(1, sizeof *sc);
	if (!sc)
		return IOTA_NOMEM;
	sc->job = job;
	sc->d = job->data;
	sc->len = job->len;
	sc->be = be;
	iota_rc rc = scan_nodes(sc);
	set_variant(job, sc);

	/* the end of the last node, up to the erase block when cleanmarkers show it */
	size_t end = sc->last_end;
	uint64_t eb = sc->clean_gcd & (~sc->clean_gcd + 1); /* its largest power-of-two divisor */
	if (sc->ncleanmarkers >= 2 && eb >= 4096 && eb <= (16u << 20)) {
		uint64_t up = (end + eb - 1) / eb * eb;
		end = up <= job->len ? (size_t)up : job->len;
	}
	job->consumed = end;

	struct jctx *c = NULL;
	struct walk *w = NULL;
	if (rc == IOTA_NOMEM)
		goto out;
	if (sc->nrecs == 0 && sc->ndirs == 0) {
		rc = iota_unpack_corrupt(job, "no valid directory entry or inode node");
		goto out;
	}
	c = iota_calloc(1, sizeof *c);
	w = iota_calloc(1, sizeof *w);
	if (!c || !w) {
		rc = IOTA_NOMEM;
		goto out;
	}
	c->blob = iota_blob_ref(job->blob);
	c->d = job->data;
	c->len = job->len;
	c->be = be;
	c->recs = sc->recs;
	c->nrecs = sc->nrecs;
	sc->recs = NULL;
	/* from here the container owns c: loaders find it through cctx */
	job->root->cctx = c;
	job->root->cctx_free = jctx_free;
	if (build_files(c) != IOTA_OK) {
		rc = IOTA_NOMEM;
		goto out;
	}
	w->job = job;
	w->s = s;
	w->c = c;
	w->rc = rc;
	w->live = sc->dirs;
	w->nlive = replay_dirents(sc->dirs, sc->ndirs);
	w->listed = iota_calloc(w->nlive ? w->nlive : 1, sizeof *w->listed);
	if (!w->listed) {
		rc = IOTA_NOMEM;
		goto out;
	}
	struct jfile *rootf = find_file(c, ROOT_INO);
	if (rootf && rootf->count)
		set_meta(job->root, &c->recs[rootf->first + rootf->count - 1]);
	if (rootf)
		rootf->dir_listed = true;
	walk_dir(w, ROOT_INO, 0, 0);
	rc = report(w, sc);
	if (w->added == 0 && rc != IOTA_NOMEM && rc != IOTA_LIMIT)
		rc = iota_unpack_corrupt(job, "no file reachable from the root directory");

out:
	if (w)
		iota_free(w->listed);
	iota_free(w);
	iota_free(sc->recs);
	iota_free(sc->dirs);
	iota_free(sc);
	return rc;
}

/* The first node of an image: a cleanmarker (mkfs.jffs2 default), or a
 * dirent or inode (mkfs.jffs2 -n), in either byte order. */
static const iota_magic jffs2_magics[] = {
    {"\x85\x19\x03\x20", 4, 0}, {"\x85\x19\x01\xe0", 4, 0}, {"\x85\x19\x02\xe0", 4, 0},
    {"\x19\x85\x20\x03", 4, 0}, {"\x19\x85\xe0\x01", 4, 0}, {"\x19\x85\xe0\x02", 4, 0},
};

const iota_unpacker iota_unpacker_jffs2 = {
    .name = "jffs2",
    .description = "JFFS2 flash file system (little and big endian)",
    .magics = jffs2_magics,
    .nmagics = sizeof jffs2_magics / sizeof jffs2_magics[0],
    .probe = probe_jffs2,
    .unpack = unpack_jffs2,
};
