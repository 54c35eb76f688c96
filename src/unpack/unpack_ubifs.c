/*
 * UBIFS volumes: the contents of a UBI volume, or a bare image as mkfs.ubifs
 * writes it (LEB-sized regions back to back). Format: the Linux kernel's
 * fs/ubifs/ubifs-media.h and fs/ubifs/key.h. All fields are little-endian.
 * Every node starts with struct ubifs_ch (magic 0x06101831, a CRC over the
 * node from byte 8, sqnum, len, node_type). LEB 0 holds the superblock node
 * (struct ubifs_sb_node: leb_size, leb_cnt, default_compr, fmt_version),
 * LEBs 1 and 2 the master nodes (struct ubifs_mst_node: root_lnum/offs/len of
 * the index). The index is a B+-tree of struct ubifs_idx_node whose branches
 * (struct ubifs_branch: lnum, offs, len, key) lead at level 0 to the leaf
 * nodes: inodes (struct ubifs_ino_node), directory entries (struct
 * ubifs_dent_node), data blocks (struct ubifs_data_node, 4096 bytes of a file
 * each, UBIFS_BLOCK_SIZE) and extended-attribute entries (ignored).
 *
 * No Debian library reads UBIFS from memory (only the kernel does), so it is
 * written by hand. Only the index is followed: nodes it does not reach are
 * obsolete. The walk bounds the tree depth, refuses a level that does not go
 * down, and keeps a set of visited index nodes, so a cyclic or shared index is
 * reported and cut instead of looping. The "simple" key format only (the only
 * one the kernel has); authenticated images add a hash to each branch.
 *
 * Decompression (none, LZO with liblzo2's lzo1x_decompress_safe, zlib as raw
 * deflate, zstd) happens lazily in the loader, from any worker thread: the
 * container context is read-only after unpack(), so loaders share it freely.
 */
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define UBIFS_MAGIC   0x06101831u
#define CH_SIZE       24
#define SB_NODE_SZ    4096
#define MST_NODE_SZ   512
#define INO_NODE_SZ   160
#define DATA_NODE_SZ  48
#define DENT_NODE_SZ  56
#define IDX_NODE_SZ   28
#define BLOCK_SIZE    4096
#define ROOT_INO      1
#define MAX_LEVELS    64  /* UBIFS_MAX_LEVELS is 512, real trees are < 10 */
#define MAX_NLEN      255 /* UBIFS_MAX_NLEN */
#define MAX_DIR_DEPTH 256
#define FLG_ENCRYPT   0x10 /* UBIFS_FLG_ENCRYPTION (ubifs-media.h) */
#define FLG_AUTH      0x20 /* UBIFS_FLG_AUTHENTICATION */

enum {
	INO_NODE,
	DATA_NODE,
	DENT_NODE,
	XENT_NODE,
	TRUN_NODE,
	PAD_NODE,
	SB_NODE,
	MST_NODE,
	REF_NODE,
	IDX_NODE
};
enum { COMPR_NONE, COMPR_LZO, COMPR_ZLIB, COMPR_ZSTD };
/* the file-type bits of ubifs_ino_node.mode (Linux S_IFMT) */
#define S_IFMT_ 0170000

static uint32_t ubifs_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

/* The length of a valid node at off (magic, len within the bytes, CRC), or 0. */
static uint32_t node_at(const uint8_t *d, size_t len, size_t off, uint8_t *type)
{
	uint32_t magic, crc, nlen;
	if (!iota_ld_u32le(d, len, off, &magic) || magic != UBIFS_MAGIC ||
	    !iota_ld_u32le(d, len, off + 4, &crc) || !iota_ld_u32le(d, len, off + 16, &nlen) ||
	    !iota_ld_u8(d, len, off + 20, type) || nlen < CH_SIZE || nlen > len - off)
		return 0;
	return ubifs_crc(d + off + 8, nlen - 8) == crc ? nlen : 0;
}

static int probe_ubifs(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	uint8_t type;
	if (node_at(head, head_len, 0, &type) < SB_NODE_SZ || type != SB_NODE)
		return 0;
	return 95;
}

/* ---- what the index walk collects ---- */

struct ino {
	uint64_t inum;
	size_t off; /* the inode node in the volume */
	uint32_t nlen;
};

struct dent {
	uint64_t parent, inum;
	size_t name_off;
	uint16_t nlen;
};

struct dblk {
	uint64_t inum;
	uint32_t block;
	size_t off;
	uint32_t nlen;
};

struct ctx {
	iota_blob *blob; /* the volume, kept for the loaders */
	const uint8_t *d;
	size_t len;
	size_t leb_size;
	struct ino *inos;
	size_t ninos, capinos;
	struct dent *dents;
	size_t ndents, capdents;
	struct dblk *blks;
	size_t nblks, capblks;
	/* visited index nodes: open addressing over positions+1 (0 = free) */
	uint64_t *seen;
	size_t capseen, nseen;
	unsigned bad, cycles, unsupported;
	size_t first_bad;
	size_t branch_sz;
	size_t branches; /* followed so far */
	bool overrun;
};

static void ctx_free(void *p)
{
	struct ctx *c = p;
	if (!c)
		return;
	iota_blob_unref(c->blob);
	iota_free(c->inos);
	iota_free(c->dents);
	iota_free(c->blks);
	iota_free(c->seen);
	iota_free(c);
}

/* Grows *arr to hold one more element; the caps are bounded because each
 * element stands for a distinct node of at least 24 bytes of the input. */
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = iota_realloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

/* Adds position pos to the visited set; false if it was there already. */
static int seen_add(struct ctx *c, uint64_t pos)
{
	if (c->nseen * 2 >= c->capseen) {
		size_t ncap = c->capseen ? c->capseen * 2 : 1024;
		uint64_t *ns = iota_calloc(ncap, sizeof *ns);
		if (!ns)
			return -1;
		for (size_t i = 0; i < c->capseen; i++) {
			if (!c->seen[i])
				continue;
			size_t h = (size_t)(c->seen[i] * 0x9e3779b97f4a7c15ull) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = c->seen[i];
		}
		iota_free(c->seen);
		c->seen = ns;
		c->capseen = ncap;
	}
	uint64_t k = pos + 1;
	size_t h = (size_t)(k * 0x9e3779b97f4a7c15ull) & (c->capseen - 1);
	while (c->seen[h]) {
		if (c->seen[h] == k)
			return 0;
		h = (h + 1) & (c->capseen - 1);
	}
	c->seen[h] = k;
	c->nseen++;
	return 1;
}

static void note_bad(struct ctx *c, size_t off)
{
	c->bad++;
	if (c->first_bad == SIZE_MAX || off < c->first_bad)
		c->first_bad = off;
}

/* The node a branch points at: its offset in the volume, or SIZE_MAX. */
static size_t branch_pos(const struct ctx *c, uint32_t lnum, uint32_t offs, uint32_t blen)
{
	if (offs >= c->leb_size || (uint64_t)lnum * c->leb_size > c->len)
		return SIZE_MAX;
	size_t pos = (size_t)lnum * c->leb_size + offs;
	if (pos > c->len || blen > c->len - pos)
		return SIZE_MAX;
	return pos;
}

static iota_rc leaf(struct ctx *c, size_t pos)
{
	uint8_t type;
	uint32_t nlen = node_at(c->d, c->len, pos, &type);
	if (!nlen) {
		note_bad(c, pos);
		return IOTA_OK;
	}
	uint32_t inum32 = 0, kw = 0;
	iota_ld_u32le(c->d, c->len, pos + 24, &inum32);
	iota_ld_u32le(c->d, c->len, pos + 28, &kw);
	switch (type) {
	case INO_NODE:
		if (nlen < INO_NODE_SZ)
			break;
		if (!grow((void **)&c->inos, &c->capinos, c->ninos, sizeof *c->inos))
			return IOTA_NOMEM;
		c->inos[c->ninos++] = (struct ino){.inum = inum32, .off = pos, .nlen = nlen};
		return IOTA_OK;
	case DATA_NODE:
		if (nlen < DATA_NODE_SZ)
			break;
		if (!grow((void **)&c->blks, &c->capblks, c->nblks, sizeof *c->blks))
			return IOTA_NOMEM;
		c->blks[c->nblks++] = (struct dblk){
		    .inum = inum32, .block = kw & 0x1fffffffu, .off = pos, .nlen = nlen};
		return IOTA_OK;
	case DENT_NODE: {
		uint64_t target = 0;
		uint16_t namelen = 0;
		if (nlen < DENT_NODE_SZ || !iota_ld_u64le(c->d, c->len, pos + 40, &target) ||
		    !iota_ld_u16le(c->d, c->len, pos + 50, &namelen) || namelen == 0 ||
		    namelen > MAX_NLEN || namelen > nlen - DENT_NODE_SZ)
			break;
		if (!grow((void **)&c->dents, &c->capdents, c->ndents, sizeof *c->dents))
			return IOTA_NOMEM;
		c->dents[c->ndents++] = (struct dent){.parent = inum32,
		                                      .inum = target,
		                                      .name_off = pos + DENT_NODE_SZ,
		                                      .nlen = namelen};
		return IOTA_OK;
	}
	case XENT_NODE:
		return IOTA_OK; /* extended attributes are not reported */
	default:
		break;
	}
	note_bad(c, pos);
	return IOTA_OK;
}

static iota_rc walk_index(struct ctx *c, size_t pos, uint32_t blen, int want_level, unsigned depth,
                          iota_scan *s)
{
	if (iota_scan_should_stop(s))
		return IOTA_LIMIT;
	uint8_t type;
	uint32_t nlen = node_at(c->d, c->len, pos, &type);
	if (!nlen || (blen && nlen != blen)) {
		note_bad(c, pos);
		return IOTA_OK;
	}
	if (type != IDX_NODE) {
		if (want_level > 0)
			note_bad(c, pos);
		return want_level <= 0 ? leaf(c, pos) : IOTA_OK;
	}
	int r = seen_add(c, pos);
	if (r < 0)
		return IOTA_NOMEM;
	if (r == 0) {
		c->cycles++;
		return IOTA_OK;
	}
	uint16_t cnt, level;
	if (nlen < IDX_NODE_SZ || !iota_ld_u16le(c->d, c->len, pos + 24, &cnt) ||
	    !iota_ld_u16le(c->d, c->len, pos + 26, &level) || depth >= MAX_LEVELS ||
	    level >= MAX_LEVELS || (want_level >= 0 && level != want_level)) {
		note_bad(c, pos);
		return IOTA_OK;
	}
	/* Index nodes may overlap in a crafted image, so distinct nodes alone do
	 * not bound the branches followed; a real index has fewer branches than
	 * the image has 20-byte units. */
	c->branches += cnt;
	if (c->branches > c->len / 16 + 1024) {
		c->overrun = true;
		return IOTA_OK;
	}
	for (uint32_t i = 0; i < cnt; i++) {
		size_t b = pos + IDX_NODE_SZ + (size_t)i * c->branch_sz;
		uint32_t lnum, offs, len;
		if (b + c->branch_sz > pos + nlen || !iota_ld_u32le(c->d, c->len, b, &lnum) ||
		    !iota_ld_u32le(c->d, c->len, b + 4, &offs) ||
		    !iota_ld_u32le(c->d, c->len, b + 8, &len)) {
			note_bad(c, pos);
			break;
		}
		size_t cp = branch_pos(c, lnum, offs, len);
		if (cp == SIZE_MAX) {
			note_bad(c, b);
			continue;
		}
		iota_rc rc =
		    level == 0 ? leaf(c, cp) : walk_index(c, cp, len, level - 1, depth + 1, s);
		if (rc != IOTA_OK)
			return rc;
	}
	return IOTA_OK;
}

/* ---- lookups in the sorted tables ---- */

static int ino_cmp(const void *a, const void *b)
{
	const struct ino *x = a, *y = b;
	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

static int dent_cmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	return x->parent < y->parent ? -1 : x->parent > y->parent;
}

static int blk_cmp(const void *a, const void *b)
{
	const struct dblk *x = a, *y = b;
	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	return x->block < y->block ? -1 : x->block > y->block;
}

static const struct ino *find_ino(const struct ctx *c, uint64_t inum)
{
	size_t lo = 0, hi = c->ninos;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (c->inos[m].inum < inum)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < c->ninos && c->inos[lo].inum == inum ? &c->inos[lo] : NULL;
}

static size_t first_blk(const struct ctx *c, uint64_t inum)
{
	size_t lo = 0, hi = c->nblks;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (c->blks[m].inum < inum)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static size_t first_dent(const struct ctx *c, uint64_t parent)
{
	size_t lo = 0, hi = c->ndents;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (c->dents[m].parent < parent)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* ---- file content ---- */

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ready;

static void lzo_setup(void)
{
	lzo_ready = lzo_init() == LZO_E_OK;
}

/* Decoder state kept across the blocks of one file: zlib and zstd contexts
 * cost more to set up than a 4 KiB block costs to decode. */
struct dec {
	z_stream z;
	bool z_ready;
	ZSTD_DCtx *zs;
};

static void dec_end(struct dec *x)
{
	if (x->z_ready)
		inflateEnd(&x->z);
	ZSTD_freeDCtx(x->zs);
}

/* Decompresses one block into out[0..cap); the bytes produced, or -1. */
static long decompress(struct dec *x, unsigned compr, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t cap)
{
	switch (compr) {
	case COMPR_NONE:
		if (in_len > cap)
			return -1;
		memcpy(out, in, in_len);
		return (long)in_len;
	case COMPR_LZO: {
		pthread_once(&lzo_once, lzo_setup);
		lzo_uint n = cap;
		if (!lzo_ready || lzo1x_decompress_safe(in, in_len, out, &n, NULL) != LZO_E_OK)
			return -1;
		return (long)n;
	}
	case COMPR_ZLIB: {
		/* the kernel's "deflate" crypto compressor writes raw deflate */
		if (!x->z_ready) {
			memset(&x->z, 0, sizeof x->z);
			if (inflateInit2(&x->z, -15) != Z_OK)
				return -1;
			x->z_ready = true;
		} else if (inflateReset(&x->z) != Z_OK) {
			return -1;
		}
		x->z.next_in = (Bytef *)(uintptr_t)in;
		x->z.avail_in = (uInt)in_len;
		x->z.next_out = out;
		x->z.avail_out = (uInt)cap;
		int r = inflate(&x->z, Z_FINISH);
		long n = (long)(cap - x->z.avail_out);
		return r == Z_STREAM_END || r == Z_OK || r == Z_BUF_ERROR ? n : -1;
	}
	case COMPR_ZSTD: {
		if (!x->zs && !(x->zs = ZSTD_createDCtx()))
			return -1;
		size_t n = ZSTD_decompressDCtx(x->zs, out, cap, in, in_len);
		return ZSTD_isError(n) ? -1 : (long)n;
	}
	default:
		return -1;
	}
}

static iota_rc load_file(iota_scan *s, iota_node *n, iota_blob **out)
{
	const struct ctx *c = n->load_ptr;
	const struct ino *in = find_ino(c, n->load_arg);
	uint64_t size = 0;
	if (!in || !iota_ld_u64le(c->d, c->len, in->off + 48, &size))
		return IOTA_CORRUPT;
	uint64_t budget = iota_scan_file_budget(s);
	bool cut = false;
	if (size > budget) {
		iota_scan_limit(s, "file-size", n,
		                "UBIFS file of %" PRIu64 " bytes cut to %" PRIu64, size, budget);
		size = budget;
		cut = true;
	}
	uint8_t *buf = iota_calloc(1, size ? (size_t)size : 1);
	if (!buf)
		return IOTA_NOMEM;
	unsigned bad = 0;
	struct dec x = {.z_ready = false};
	for (size_t i = first_blk(c, in->inum); i < c->nblks && c->blks[i].inum == in->inum; i++) {
		const struct dblk *b = &c->blks[i];
		uint64_t at = (uint64_t)b->block * BLOCK_SIZE;
		if (at >= size)
			break;
		size_t cap = size - at < BLOCK_SIZE ? (size_t)(size - at) : BLOCK_SIZE;
		uint32_t usize = 0;
		uint16_t compr = 0;
		iota_ld_u32le(c->d, c->len, b->off + 40, &usize);
		iota_ld_u16le(c->d, c->len, b->off + 44, &compr);
		/* a whole block decodes in place; the file's last one through tmp,
		 * as its data may run past the file's size */
		uint8_t tmp[BLOCK_SIZE];
		uint8_t *dst = cap == BLOCK_SIZE ? buf + at : tmp;
		long got = decompress(&x, compr, c->d + b->off + DATA_NODE_SZ,
		                      b->nlen - DATA_NODE_SZ, dst, BLOCK_SIZE);
		if (got < 0 || (uint32_t)got != usize) {
			if (dst != tmp)
				memset(dst, 0, BLOCK_SIZE);
			bad++;
			continue;
		}
		if (dst == tmp)
			memcpy(buf + at, tmp, (size_t)got < cap ? (size_t)got : cap);
	}
	dec_end(&x);
	if (bad) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
		                 "UBIFS: %u data blocks of this file could not be decompressed",
		                 bad);
		cut = true;
	}
	if (cut)
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
	*out = iota_blob_take(buf, (size_t)size);
	return *out ? IOTA_OK : IOTA_NOMEM;
}

static const iota_loader ubifs_loader = {.load = load_file};

/* ---- building the tree ---- */

struct build {
	iota_unpack_job *job;
	struct ctx *c;
	char path[IOTA_MAX_PATH];
	iota_node **placed; /* per inode index: node of its first name */
	uint8_t *dir_entered;
};

static iota_node_kind kind_of(uint32_t mode)
{
	switch (mode & S_IFMT_) {
	case 0100000:
		return IOTA_NODE_FILE;
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
		return IOTA_NODE_CONTAINER; /* not valid */
	}
}

static iota_rc add_dir(struct build *bd, uint64_t dir_inum, size_t pl, unsigned depth)
{
	struct ctx *c = bd->c;
	iota_scan *s = bd->job->scan;
	if (depth > MAX_DIR_DEPTH)
		return iota_scan_limit(s, "depth", bd->job->root,
		                       "UBIFS directory tree deeper than %d levels", MAX_DIR_DEPTH);
	for (size_t i = first_dent(c, dir_inum); i < c->ndents && c->dents[i].parent == dir_inum;
	     i++) {
		if (iota_scan_should_stop(s))
			return IOTA_LIMIT;
		const struct dent *e = &c->dents[i];
		const char *name = (const char *)c->d + e->name_off;
		if (memchr(name, '/', e->nlen) || memchr(name, 0, e->nlen) ||
		    (e->nlen == 1 && name[0] == '.') ||
		    (e->nlen == 2 && name[0] == '.' && name[1] == '.')) {
			note_bad(c, e->name_off);
			continue;
		}
		if (pl + 1 + e->nlen + 1 > sizeof bd->path) {
			note_bad(c, e->name_off);
			continue;
		}
		size_t np = pl;
		if (pl)
			bd->path[np++] = '/';
		memcpy(bd->path + np, name, e->nlen);
		np += e->nlen;
		bd->path[np] = 0;
		const struct ino *in = find_ino(c, e->inum);
		if (!in) {
			note_bad(c, e->name_off);
			continue;
		}
		size_t idx = (size_t)(in - c->inos);
		const uint8_t *d = c->d;
		size_t len = c->len;
		uint32_t mode = 0, uid = 0, gid = 0, nlink = 0, dlen = 0;
		uint64_t size = 0, mtime = 0;
		iota_ld_u64le(d, len, in->off + 48, &size);
		iota_ld_u64le(d, len, in->off + 72, &mtime);
		iota_ld_u32le(d, len, in->off + 92, &nlink);
		iota_ld_u32le(d, len, in->off + 96, &uid);
		iota_ld_u32le(d, len, in->off + 100, &gid);
		iota_ld_u32le(d, len, in->off + 104, &mode);
		iota_ld_u32le(d, len, in->off + 112, &dlen);
		iota_node_kind kind = kind_of(mode);
		if (kind == IOTA_NODE_CONTAINER || dlen > in->nlen - INO_NODE_SZ) {
			note_bad(c, in->off);
			continue;
		}
		if (kind != IOTA_NODE_DIR && bd->placed[idx]) {
			char first[IOTA_MAX_PATH];
			int fl = iota_node_inner_path(bd->placed[idx], first, sizeof first);
			iota_node *h =
			    iota_vfs_add(s, bd->job->root, bd->path, np, IOTA_NODE_HARDLINK);
			if (!h)
				return IOTA_LIMIT;
			if (fl >= 0)
				iota_node_set_hardlink(s, h, first, (size_t)fl);
			continue;
		}
		if (kind == IOTA_NODE_DIR && bd->dir_entered[idx]) {
			c->cycles++;
			continue;
		}
		iota_node *n = iota_vfs_add(s, bd->job->root, bd->path, np, kind);
		if (!n)
			return IOTA_LIMIT;
		n->mode = mode & 07777;
		n->uid = uid;
		n->gid = gid;
		n->mtime = (int64_t)mtime;
		atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
		bd->placed[idx] = n;
		const uint8_t *idata = d + in->off + INO_NODE_SZ;
		switch (kind) {
		case IOTA_NODE_FILE:
			n->size = size;
			iota_node_set_loader(n, &ubifs_loader, in->inum, c);
			break;
		case IOTA_NODE_SYMLINK:
			iota_node_set_link(s, n, (const char *)idata, dlen);
			break;
		case IOTA_NODE_CHR:
		case IOTA_NODE_BLK:
			/* union ubifs_dev_desc: new_encode_dev() in 4 bytes, or huge_encode_dev()
			 * in 8 */
			if (dlen == 4 || dlen == 8) {
				uint32_t dev = 0;
				iota_ld_u32le(d, len, in->off + INO_NODE_SZ, &dev);
				n->dev_major = (dev & 0xfff00) >> 8;
				n->dev_minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
			}
			break;
		case IOTA_NODE_DIR: {
			bd->dir_entered[idx] = 1;
			iota_rc rc = add_dir(bd, in->inum, np, depth + 1);
			if (rc != IOTA_OK)
				return rc;
			break;
		}
		default:
			break;
		}
	}
	return IOTA_OK;
}

/* The newest valid master node in LEBs 1 and 2. */
static bool find_master(const uint8_t *d, size_t len, size_t leb_size, size_t *out)
{
	uint64_t best_sq = 0;
	bool found = false;
	for (size_t l = 1; l <= 2; l++) {
		size_t base = l * leb_size;
		for (size_t o = 0; o + MST_NODE_SZ <= leb_size && base + o < len; o += 8) {
			uint8_t type;
			uint64_t sq;
			uint32_t nlen = node_at(d, len, base + o, &type);
			if (!nlen || type != MST_NODE || nlen < MST_NODE_SZ ||
			    !iota_ld_u64le(d, len, base + o + 8, &sq))
				continue;
			if (!found || sq > best_sq) {
				best_sq = sq;
				*out = base + o;
				found = true;
			}
			o += (nlen & ~(size_t)7) - 8;
		}
	}
	return found;
}

static const char *compr_name(unsigned c)
{
	static const char *const names[] = {"none", "lzo", "zlib", "zstd"};
	return c < 4 ? names[c] : "unknown";
}

static iota_rc unpack_ubifs(iota_unpack_job *job)
{
	const uint8_t *d = job->data;
	size_t len = job->len;
	uint8_t type;
	uint32_t leb_size = 0, leb_cnt = 0, flags = 0, fmt = 0;
	uint16_t compr = 0;
	if (node_at(d, len, 0, &type) < SB_NODE_SZ || type != SB_NODE ||
	    !iota_ld_u32le(d, len, 28, &flags) || !iota_ld_u32le(d, len, 36, &leb_size) ||
	    !iota_ld_u32le(d, len, 40, &leb_cnt) || !iota_ld_u32le(d, len, 80, &fmt) ||
	    !iota_ld_u16le(d, len, 84, &compr))
		return iota_unpack_corrupt(job, "no valid UBIFS superblock");
	if (leb_size < 4096 || leb_size > 16u * 1024 * 1024 || leb_cnt < 3)
		return iota_unpack_corrupt(
		    job, "UBIFS superblock: LEB size %" PRIu32 " / count %" PRIu32, leb_size,
		    leb_cnt);
	snprintf(job->root->variant, sizeof job->root->variant, "%s", compr_name(compr));
	uint64_t vol = (uint64_t)leb_size * leb_cnt;
	job->consumed = vol < len ? (size_t)vol : len;
	len = job->consumed;
	if (flags & FLG_ENCRYPT)
		iota_finding_add(job->scan, "unpack.unsupported", IOTA_SEV_LOW, job->root,
		                 UINT64_MAX,
		                 "UBIFS with encryption: encrypted files are read as stored");
	size_t mst;
	if (!find_master(d, len, leb_size, &mst))
		return iota_unpack_corrupt(job, "UBIFS: no valid master node");
	uint32_t rl = 0, ro = 0, rlen = 0;
	iota_ld_u32le(d, len, mst + 48, &rl);
	iota_ld_u32le(d, len, mst + 52, &ro);
	iota_ld_u32le(d, len, mst + 56, &rlen);

	struct ctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return IOTA_NOMEM;
	c->blob = iota_blob_ref(job->blob);
	c->d = d;
	c->len = len;
	c->leb_size = leb_size;
	c->first_bad = SIZE_MAX;
	/* struct ubifs_branch: lnum, offs, len, key (8 bytes, simple key format),
	 * then a hash of the child with authentication (sha256 at most here) */
	c->branch_sz = 12 + 8 + ((flags & FLG_AUTH) ? 32 : 0);
	job->root->cctx = c;
	job->root->cctx_free = ctx_free;

	size_t root = branch_pos(c, rl, ro, rlen);
	if (root == SIZE_MAX)
		return iota_unpack_corrupt(
		    job, "UBIFS: index root %" PRIu32 ":%" PRIu32 " outside the image", rl, ro);
	iota_rc rc = walk_index(c, root, rlen, -1, 0, job->scan);
	if (rc == IOTA_NOMEM)
		return rc;
	/* qsort() wants a non-null base even for no elements */
	if (c->ninos)
		qsort(c->inos, c->ninos, sizeof *c->inos, ino_cmp);
	if (c->ndents)
		qsort(c->dents, c->ndents, sizeof *c->dents, dent_cmp);
	if (c->nblks)
		qsort(c->blks, c->nblks, sizeof *c->blks, blk_cmp);

	struct build bd = {.job = job, .c = c};
	bd.placed = iota_calloc(c->ninos ? c->ninos : 1, sizeof *bd.placed);
	bd.dir_entered = iota_calloc(c->ninos ? c->ninos : 1, 1);
	if (!bd.placed || !bd.dir_entered) {
		iota_free(bd.placed);
		iota_free(bd.dir_entered);
		return IOTA_NOMEM;
	}
	const struct ino *ri = find_ino(c, ROOT_INO);
	if (ri)
		bd.dir_entered[ri - c->inos] = 1;
	if (rc == IOTA_OK)
		rc = add_dir(&bd, ROOT_INO, 0, 0);
	/* Directories no entry names (their parent's entries were in a damaged
	 * part of the index) are placed under "lost+found/<inum>". */
	uint8_t *named = iota_calloc(c->ninos ? c->ninos : 1, 1);
	if (!named)
		rc = IOTA_NOMEM;
	for (size_t i = 0; named && i < c->ndents; i++) {
		const struct ino *t = find_ino(c, c->dents[i].inum);
		if (t)
			named[t - c->inos] = 1;
	}
	unsigned lost = 0;
	for (size_t i = 0; rc == IOTA_OK && i < c->ninos; i++) {
		uint32_t mode = 0;
		iota_ld_u32le(c->d, c->len, c->inos[i].off + 104, &mode);
		if (named[i] || bd.dir_entered[i] || kind_of(mode) != IOTA_NODE_DIR ||
		    first_dent(c, c->inos[i].inum) >= c->ndents ||
		    c->dents[first_dent(c, c->inos[i].inum)].parent != c->inos[i].inum)
			continue;
		int pl = snprintf(bd.path, sizeof bd.path, "lost+found/%" PRIu64, c->inos[i].inum);
		bd.dir_entered[i] = 1;
		lost++;
		rc = add_dir(&bd, c->inos[i].inum, (size_t)pl, 1);
	}
	iota_free(named);
	if (lost)
		iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "UBIFS: %u directories without a name placed under lost+found/",
		                 lost);
	iota_free(bd.placed);
	iota_free(bd.dir_entered);
	if (c->cycles)
		iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_MEDIUM, job->root,
		                 UINT64_MAX,
		                 "UBIFS: index or directory tree refers %u times to a node already "
		                 "seen (cyclic or shared); those references were cut",
		                 c->cycles);
	if (c->overrun)
		iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_MEDIUM, job->root,
		                 UINT64_MAX,
		                 "UBIFS: the index has more branches than the image can hold "
		                 "(overlapping nodes?); the walk was cut");
	if (c->bad)
		iota_finding_add(job->scan, "unpack.corrupt", IOTA_SEV_LOW, job->root,
		                 c->first_bad == SIZE_MAX ? UINT64_MAX : c->first_bad,
		                 "UBIFS: %u damaged, cut or invalid nodes skipped", c->bad);
	if (rc == IOTA_NOMEM || rc == IOTA_LIMIT)
		return rc;
	if (!c->ninos && !c->ndents)
		return iota_unpack_corrupt(job, "UBIFS: the index holds no readable entry");
	return c->bad || c->cycles || c->overrun ? IOTA_WARN : IOTA_OK;
}

static const iota_magic ubifs_magics[] = {{"\x31\x18\x10\x06", 4, 0}};

const iota_unpacker iota_unpacker_ubifs = {
    .name = "ubifs",
    .description = "UBIFS volume (Linux fs/ubifs/ubifs-media.h)",
    .magics = ubifs_magics,
    .nmagics = sizeof ubifs_magics / sizeof ubifs_magics[0],
    .probe = probe_ubifs,
    .unpack = unpack_ubifs,
};
