/*
 * SquashFS 4.0 images, read in memory with libsquashfs (squashfs-tools-ng),
 * under the standard magic "hsqs" or a vendor one ("shsq", "sqlz", "tqsh",
 * "hsqt": Broadcom, Realtek and TP-Link SDKs; the variant names it), which
 * the reader below shows to libsquashfs as "hsqs". SquashFS 2.x/3.x and
 * their vendor variants are unpack_squashfs3.c's.
 * Format: the Linux kernel's Documentation/filesystems/squashfs.rst and
 * squashfs-tools-ng's doc/format.adoc: a 96-byte little-endian superblock
 * ("hsqs", version 4.0), data blocks and fragment blocks, then the inode
 * table, directory table, fragment table, export table and id table, each
 * made of metadata blocks (8 KiB, a 16-bit size header with bit 15 meaning
 * "stored").
 *
 * libsquashfs does: the superblock checks, the compressors (gzip, lzma, xz,
 * lz4, zstd; Debian builds it without LZO, so LZO blocks are inflated here
 * with liblzo2's lzo1x_decompress_safe behind the same interface), metadata
 * blocks, directory listings, the id and fragment tables.
 *
 * Done here, and why:
 *  - Inodes are decoded from the inode table by hand: libsquashfs sizes its
 *    allocations by an inode's claims (a file's block list from its size, a
 *    symlink's target length, an extended directory's index names), and a
 *    crafted image would make it allocate gigabytes. Block lists are kept only
 *    up to what may be unpacked for one file; link targets up to
 *    IOTA_MAX_LINK.
 *  - File data is read block by block straight into the output buffer with
 *    the compressor's do_block(): one pass over the block list, no copy
 *    through a block cache, and each block's decompressed size is checked
 *    (sqfs_data_reader_read() restarts from the first block on every call).
 *  - The tree is walked here, not with sqfs_dir_reader_get_full_hierarchy(),
 *    to stop at the scan's limits while walking, and to enter every
 *    directory inode once: a crafted image can list one directory under many
 *    names (a tree that grows exponentially) or inside itself.
 *
 * File content is loaded lazily by the loader, from any worker thread: each
 * thread takes a reader (its own compressor and block buffers) from a small
 * pool in the container's context, so files decompress in parallel.
 */
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define SUPER_SIZE 96
#define PAD 4096          /* mksquashfs pads images to 4 KiB */
#define MAX_DIR_DEPTH 256
#define NO_FRAGMENT 0xffffffffu

/* ---- the image as a sqfs_file_t over memory ---- */

struct memfile {
	sqfs_file_t base; /* first: libsquashfs passes &base back */
	const uint8_t *data;
	size_t len;
};

static struct memfile *memfile_of(sqfs_file_t *f)
{
	return (struct memfile *)(void *)f;
}

static int mem_read_at(sqfs_file_t *f, sqfs_u64 off, void *buf, size_t size)
{
	struct memfile *m = memfile_of(f);
	if (!iota_ld_bytes(m->data, m->len, off > SIZE_MAX ? SIZE_MAX : (size_t)off, buf, size))
		return SQFS_ERROR_OUT_OF_BOUNDS;
	/* a vendor magic (see vendor_magic()) is shown to libsquashfs as the standard one */
	if (off < 4 && size > 0) {
		static const uint8_t std[4] = {'h', 's', 'q', 's'};
		size_t n = 4 - (size_t)off < size ? 4 - (size_t)off : size;
		memcpy(buf, std + off, n);
	}
	return 0;
}

static int mem_write_at(sqfs_file_t *f, sqfs_u64 off, const void *buf, size_t size)
{
	(void)f, (void)off, (void)buf, (void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static sqfs_u64 mem_get_size(const sqfs_file_t *f)
{
	return ((const struct memfile *)(const void *)f)->len;
}

static int mem_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f, (void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static void mem_destroy(sqfs_object_t *o)
{
	iota_free(o);
}

static struct memfile *memfile_new(const uint8_t *data, size_t len)
{
	struct memfile *m = iota_calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->base.base.destroy = mem_destroy;
	m->base.read_at = mem_read_at;
	m->base.write_at = mem_write_at;
	m->base.get_size = mem_get_size;
	m->base.truncate = mem_truncate;
	m->data = data;
	m->len = len;
	return m;
}

/* ---- LZO through liblzo2, behind libsquashfs' compressor interface ---- */

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_ready;

static void lzo_setup(void)
{
	lzo_ready = lzo_init() == LZO_E_OK;
}

static sqfs_s32 lzo_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size,
			     sqfs_u8 *out, sqfs_u32 outsize)
{
	(void)cmp;
	lzo_uint len = outsize;
	if (lzo1x_decompress_safe(in, size, out, &len, NULL) != LZO_E_OK || len > outsize)
		return SQFS_ERROR_COMPRESSOR;
	return (sqfs_s32)len;
}

static void lzo_get_configuration(const sqfs_compressor_t *cmp, sqfs_compressor_config_t *cfg)
{
	(void)cmp;
	memset(cfg, 0, sizeof *cfg);
	cfg->id = SQFS_COMP_LZO;
}

static int lzo_write_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	(void)cmp, (void)file;
	return SQFS_ERROR_UNSUPPORTED;
}

/* The options (algorithm, level) only matter when compressing. */
static int lzo_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	(void)cmp, (void)file;
	return 0;
}

static void lzo_destroy(sqfs_object_t *o)
{
	iota_free(o);
}

static sqfs_compressor_t *lzo_new(void)
{
	pthread_once(&lzo_once, lzo_setup);
	if (!lzo_ready)
		return NULL;
	sqfs_compressor_t *c = iota_calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->base.destroy = lzo_destroy;
	c->get_configuration = lzo_get_configuration;
	c->write_options = lzo_write_options;
	c->read_options = lzo_read_options;
	c->do_block = lzo_do_block;
	return c;
}

/* ---- container context, kept for the loaders ---- */

/* One reader per concurrently loading thread. */
struct reader {
	struct reader *next_free;
	struct reader *next_all;
	sqfs_compressor_t *cmp;
	uint8_t *scratch;     /* one block, for a block that is cut */
};

/* Decompressed fragment blocks, shared by the readers: the small files of a
 * directory share a fragment block and are visited by different workers at
 * once, so a cache per reader decompressed most blocks twice. A slot being
 * filled is marked, and others wanting it wait rather than decompress it
 * again. */
#define FRAG_SLOTS 8

struct fragslot {
	uint32_t index;       /* NO_FRAGMENT: empty */
	bool loading;
	uint64_t used;        /* for least-recently-used eviction */
	iota_blob *blob;
};

struct sqctx {
	iota_blob *blob;      /* keeps the image's bytes alive */
	struct memfile *file;
	sqfs_super_t super;
	sqfs_compressor_config_t cfg;
	sqfs_frag_table_t *frags; /* NULL: no fragments can be read */
	size_t nfrags;
	pthread_mutex_t lock;
	struct reader *free_readers;
	struct reader *all_readers;
	pthread_cond_t frag_ready;
	struct fragslot fslots[FRAG_SLOTS];
	uint64_t ftick;
};

/* What the loader needs of a file inode. Lives in the scan's arena. */
struct sqfile {
	uint64_t blocks_start;
	uint64_t size;        /* as the inode says */
	uint64_t limit;       /* bytes to produce at most: size, or less if it was cut */
	uint32_t frag_index;
	uint32_t frag_offset;
	uint32_t nblocks;
	uint32_t blocks[];    /* on-disk size words */
};

static int make_compressor(struct sqctx *c, sqfs_compressor_t **out)
{
	*out = NULL;
	if (c->super.compression_id == SQFS_COMP_LZO) {
		*out = lzo_new();
		return *out ? 0 : SQFS_ERROR_ALLOC;
	}
	int err = sqfs_compressor_create(&c->cfg, out);
	if (err)
		return err;
	if (c->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) {
		/* options tune compression; decompression works without them */
		(void)(*out)->read_options(*out, &c->file->base);
	}
	return 0;
}

static void reader_free(struct reader *r)
{
	if (r->cmp)
		sqfs_destroy(r->cmp);
	iota_free(r->scratch);
	iota_free(r);
}

static void sqctx_free(void *p)
{
	struct sqctx *c = p;
	if (!c)
		return;
	for (struct reader *r = c->all_readers, *next; r; r = next) {
		next = r->next_all;
		reader_free(r);
	}
	if (c->frags)
		sqfs_destroy(c->frags);
	for (int i = 0; i < FRAG_SLOTS; i++)
		iota_blob_unref(c->fslots[i].blob);
	pthread_cond_destroy(&c->frag_ready);
	if (c->file)
		sqfs_destroy(&c->file->base);
	iota_blob_unref(c->blob);
	pthread_mutex_destroy(&c->lock);
	iota_free(c);
}

static struct reader *reader_get(struct sqctx *c)
{
	pthread_mutex_lock(&c->lock);
	struct reader *r = c->free_readers;
	if (r)
		c->free_readers = r->next_free;
	pthread_mutex_unlock(&c->lock);
	if (r)
		return r;
	r = iota_calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->scratch = iota_malloc(c->super.block_size);
	if (!r->scratch || make_compressor(c, &r->cmp) != 0) {
		reader_free(r);
		return NULL;
	}
	pthread_mutex_lock(&c->lock);
	r->next_all = c->all_readers;
	c->all_readers = r;
	pthread_mutex_unlock(&c->lock);
	return r;
}

static void reader_put(struct sqctx *c, struct reader *r)
{
	pthread_mutex_lock(&c->lock);
	r->next_free = c->free_readers;
	c->free_readers = r;
	pthread_mutex_unlock(&c->lock);
}

/* ---- reading file data ---- */

/* Decompresses (or copies) one block of on-disk size word 'word' at 'at' into
 * out; returns the bytes produced or a negative SQFS_ERROR. */
static long block_read(struct sqctx *c, struct reader *r, uint64_t at, uint32_t word, uint8_t *out,
		       size_t outsize)
{
	const struct memfile *m = c->file;
	uint32_t dsz = SQFS_ON_DISK_BLOCK_SIZE(word);
	if (dsz > c->super.block_size || at > m->len || dsz > m->len - at)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	if (!SQFS_IS_BLOCK_COMPRESSED(word)) {
		size_t n = dsz < outsize ? dsz : outsize;
		memcpy(out, m->data + at, n);
		return (long)n;
	}
	sqfs_s32 got = r->cmp->do_block(r->cmp, m->data + at, dsz, out, (sqfs_u32)outsize);
	return got > 0 ? got : got == 0 ? SQFS_ERROR_CORRUPTED : got;
}

/* Decompresses fragment block 'index' with reader r. */
static const char *fragment_load(struct sqctx *c, struct reader *r, uint32_t index, iota_blob **out)
{
	sqfs_fragment_t ent;
	*out = NULL;
	if (sqfs_frag_table_lookup(c->frags, index, &ent) != 0)
		return "its fragment is not in the fragment table";
	if (SQFS_IS_SPARSE_BLOCK(ent.size))
		return "its fragment block is empty";
	uint8_t *buf = iota_malloc(c->super.block_size);
	if (!buf)
		return "out of memory";
	long got = block_read(c, r, ent.start_offset, ent.size, buf, c->super.block_size);
	if (got < 0) {
		iota_free(buf);
		return "its fragment block cannot be decompressed";
	}
	*out = iota_blob_take(buf, (size_t)got);
	return *out ? NULL : "out of memory";
}

/* A reference to fragment block 'index', from the shared cache or loaded
 * into it. */
static const char *fragment_get(struct sqctx *c, struct reader *r, uint32_t index, iota_blob **out)
{
	struct fragslot *slot = NULL;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		slot = NULL;
		for (int i = 0; i < FRAG_SLOTS; i++)
			if (c->fslots[i].index == index)
				slot = &c->fslots[i];
		if (!slot || !slot->loading)
			break;
		pthread_cond_wait(&c->frag_ready, &c->lock);
	}
	if (slot && slot->blob) {
		slot->used = ++c->ftick;
		*out = iota_blob_ref(slot->blob);
		pthread_mutex_unlock(&c->lock);
		return NULL;
	}
	/* a free slot, or the least recently used one not being filled */
	slot = NULL;
	for (int i = 0; i < FRAG_SLOTS; i++) {
		struct fragslot *x = &c->fslots[i];
		if (!x->loading && (!slot || x->used < slot->used))
			slot = x;
	}
	if (!slot) {
		/* every slot is being filled: load without caching */
		pthread_mutex_unlock(&c->lock);
		return fragment_load(c, r, index, out);
	}
	iota_blob_unref(slot->blob);
	slot->blob = NULL;
	slot->index = index;
	slot->loading = true;
	pthread_mutex_unlock(&c->lock);

	const char *why = fragment_load(c, r, index, out);

	pthread_mutex_lock(&c->lock);
	slot->loading = false;
	slot->used = ++c->ftick;
	if (why)
		slot->index = NO_FRAGMENT;
	else
		slot->blob = iota_blob_ref(*out);
	pthread_cond_broadcast(&c->frag_ready);
	pthread_mutex_unlock(&c->lock);
	return why;
}

/* Fills out[0, want) with the file's bytes from 0. Returns NULL, or what
 * failed with *done set to the bytes that were read before. */
static const char *file_read(struct sqctx *c, struct reader *r, const struct sqfile *f,
			     uint8_t *out, uint64_t want, uint64_t *done)
{
	const uint32_t bs = c->super.block_size;
	uint64_t pos = 0, at = f->blocks_start;
	*done = 0;
	for (uint32_t i = 0; i < f->nblocks && pos < want; i++) {
		uint32_t word = f->blocks[i];
		uint64_t full = f->size - pos < bs ? f->size - pos : bs;
		uint64_t take = want - pos < full ? want - pos : full;
		if (SQFS_IS_SPARSE_BLOCK(word)) {
			memset(out + pos, 0, (size_t)take);
		} else if (take == full) {
			long got = block_read(c, r, at, word, out + pos, (size_t)full);
			if (got < 0 || (uint64_t)got != full)
				return got < 0 ? "a data block cannot be decompressed"
					       : "a data block is shorter than the file says";
		} else {
			long got = block_read(c, r, at, word, r->scratch, bs);
			if (got < 0 || (uint64_t)got < take)
				return "a data block cannot be decompressed";
			memcpy(out + pos, r->scratch, (size_t)take);
		}
		at += SQFS_ON_DISK_BLOCK_SIZE(word);
		pos += take;
		*done = pos;
	}
	if (pos >= want)
		return NULL;
	/* the tail sits in a fragment block */
	if (f->frag_index == NO_FRAGMENT)
		return "the block list ends before the file does";
	if (!c->frags || f->frag_index >= c->nfrags)
		return "its fragment is not in the fragment table";
	iota_blob *fb = NULL;
	const char *why = fragment_get(c, r, f->frag_index, &fb);
	if (why)
		return why;
	uint64_t need = want - pos;
	if (f->frag_offset > fb->len || need > fb->len - f->frag_offset) {
		iota_blob_unref(fb);
		return "its tail lies outside its fragment block";
	}
	memcpy(out + pos, fb->data + f->frag_offset, (size_t)need);
	iota_blob_unref(fb);
	return NULL;
}

static iota_rc sq_load(iota_scan *s, iota_node *n, iota_blob **out)
{
	struct sqctx *c = n->container ? n->container->cctx : NULL;
	const struct sqfile *f = n->load_ptr;
	*out = NULL;
	if (!c || !f)
		return IOTA_CORRUPT;
	uint64_t budget = iota_scan_file_budget(s);
	uint64_t want = f->limit;
	iota_rc rc = IOTA_OK;
	if (want > budget) {
		want = budget;
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_scan_limit(s, "file-size", n,
					"file of %" PRIu64 " bytes cut to the %" PRIu64
					" bytes that may be unpacked for one file",
					f->size, budget);
		rc = IOTA_LIMIT;
	}
	uint8_t *buf = iota_malloc(want ? (size_t)want : 1);
	if (!buf)
		return IOTA_NOMEM;
	struct reader *r = reader_get(c);
	if (!r) {
		iota_free(buf);
		return IOTA_NOMEM;
	}
	uint64_t done;
	const char *why = file_read(c, r, f, buf, want, &done);
	reader_put(c, r);
	if (why) {
		unsigned was = atomic_fetch_or(&n->flags, done ? IOTA_NF_TRUNCATED : IOTA_NF_UNREADABLE);
		if (!(was & (IOTA_NF_TRUNCATED | IOTA_NF_UNREADABLE)))
			iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
					 "squashfs file is damaged after %" PRIu64 " of %" PRIu64
					 " bytes: %s%s",
					 done, f->size, why, done ? "; the bytes before are kept" : "");
		if (!done) {
			iota_free(buf);
			return IOTA_WARN; /* reported here; no content */
		}
		uint8_t *shrunk = iota_realloc(buf, (size_t)done);
		if (shrunk)
			buf = shrunk;
		want = done;
		rc = IOTA_WARN;
	}
	*out = iota_blob_take(buf, (size_t)want);
	return *out ? rc : IOTA_NOMEM;
}

static const iota_loader sq_loader = {.load = sq_load};

/* ---- the walk ---- */

struct walk {
	iota_unpack_job *job;
	iota_scan *s;
	struct sqctx *c;
	sqfs_meta_reader_t *inodes;
	sqfs_meta_reader_t *dirs;
	sqfs_id_table_t *ids;     /* NULL: unreadable, owners are reported as 0 */
	uint64_t *seen;           /* directory inode refs entered (open addressing, +1) */
	size_t seen_cap, seen_used;
	uint64_t added, damaged;
	const char *ids_why;      /* why the id table could not be read */
	const char *frags_why;    /* why the fragment table could not be read */
	const char *root_why;     /* why the root directory could not be listed */
	unsigned bad_owner;
	int stop;                 /* a limit or out of memory: stop walking */
	iota_rc rc;
	char path[IOTA_MAX_PATH];
};

/* Records a directory inode; 1 if it was entered before. -1 out of memory. */
static int seen_dir(struct walk *w, uint64_t ref)
{
	uint64_t key = ref + 1;
	if ((w->seen_used + 1) * 2 > w->seen_cap) {
		size_t ncap = w->seen_cap ? w->seen_cap * 2 : 256;
		uint64_t *nv = iota_calloc(ncap, sizeof *nv);
		if (!nv)
			return -1;
		for (size_t i = 0; i < w->seen_cap; i++) {
			uint64_t k = w->seen[i];
			if (!k)
				continue;
			size_t j = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 32) & (ncap - 1);
			while (nv[j])
				j = (j + 1) & (ncap - 1);
			nv[j] = k;
		}
		iota_free(w->seen);
		w->seen = nv;
		w->seen_cap = ncap;
	}
	size_t j = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 32) & (w->seen_cap - 1);
	while (w->seen[j]) {
		if (w->seen[j] == key)
			return 1;
		j = (j + 1) & (w->seen_cap - 1);
	}
	w->seen[j] = key;
	w->seen_used++;
	return 0;
}

/* An inode as far as the walk needs it. */
struct inode {
	uint16_t type;       /* SQFS_INODE_* folded to the basic types */
	uint16_t mode;
	uint16_t uid_idx, gid_idx;
	uint32_t mtime;
	uint32_t devno;
	/* directories */
	uint32_t dir_block, dir_size, parent;
	uint16_t dir_offset;
	/* files */
	struct sqfile *file;
	uint64_t file_size;  /* as the inode says */
	int cut;             /* the block list was cut at the budget */
	/* symlinks */
	char *target;
	size_t target_len;
};

static int meta_read(struct walk *w, void *buf, size_t n)
{
	return sqfs_meta_reader_read(w->inodes, buf, n);
}

/* Reads the file part that follows the common header. */
static const char *read_file_inode(struct walk *w, struct inode *ino, int ext)
{
	uint8_t b[40] = {0};
	uint64_t start, size;
	uint32_t frag, frag_off;
	iota_reader r;
	iota_rd_init(&r, b, ext ? 40 : 16);
	if (meta_read(w, b, r.len) != 0)
		return "file inode cut short";
	if (ext) {
		start = iota_rd_u64le(&r);
		size = iota_rd_u64le(&r);
		iota_rd_skip(&r, 12); /* sparse bytes, link count */
		frag = iota_rd_u32le(&r);
		frag_off = iota_rd_u32le(&r);
	} else {
		start = iota_rd_u32le(&r);
		frag = iota_rd_u32le(&r);
		frag_off = iota_rd_u32le(&r);
		size = iota_rd_u32le(&r);
	}
	const uint64_t bs = w->c->super.block_size;
	/* the block count as the kernel computes it: a tail without a
	 * fragment has a block of its own */
	uint64_t count = size / bs;
	if (size % bs && frag == NO_FRAGMENT)
		count++;
	uint64_t keep_bytes = size;
	uint64_t budget = iota_scan_file_budget(w->s);
	if (keep_bytes > budget) {
		keep_bytes = budget;
		ino->cut = 1;
	}
	uint64_t keep = ino->cut ? (keep_bytes + bs - 1) / bs : count;
	if (keep > count)
		keep = count;
	if (keep > UINT32_MAX / 8)
		return "file inode claims too many blocks";
	struct sqfile *f = iota_arena_alloc(w->s->arena, sizeof *f + keep * 4);
	if (!f)
		return NULL; /* out of memory: handled by the caller via ino->file */
	uint8_t chunk[256];
	for (uint64_t i = 0; i < keep;) {
		size_t n = keep - i > sizeof chunk / 4 ? sizeof chunk / 4 : (size_t)(keep - i);
		if (meta_read(w, chunk, n * 4) != 0)
			return "file inode's block list is cut short";
		iota_rd_init(&r, chunk, n * 4);
		for (size_t k = 0; k < n; k++)
			f->blocks[i + k] = iota_rd_u32le(&r);
		i += n;
	}
	f->blocks_start = start;
	f->size = size;
	f->limit = keep_bytes;
	f->frag_index = frag;
	f->frag_offset = frag_off;
	f->nblocks = (uint32_t)keep;
	ino->file = f;
	ino->file_size = size;
	return NULL;
}

/* Reads the inode at ref (block << 16 | offset in the inode table). Returns
 * NULL, or what was wrong. */
static const char *read_inode(struct walk *w, uint64_t ref, struct inode *ino)
{
	memset(ino, 0, sizeof *ino);
	uint64_t block = ref >> 16;
	size_t offset = (size_t)(ref & 0xffff);
	const sqfs_super_t *sb = &w->c->super;
	if (block > sb->directory_table_start - sb->inode_table_start ||
	    sqfs_meta_reader_seek(w->inodes, sb->inode_table_start + block, offset) != 0)
		return "inode reference outside the inode table";
	uint8_t h[16];
	iota_reader r;
	if (meta_read(w, h, sizeof h) != 0)
		return "inode cut short";
	iota_rd_init(&r, h, sizeof h);
	uint16_t type = iota_rd_u16le(&r);
	ino->mode = iota_rd_u16le(&r);
	ino->uid_idx = iota_rd_u16le(&r);
	ino->gid_idx = iota_rd_u16le(&r);
	ino->mtime = iota_rd_u32le(&r);
	uint8_t b[24];
	switch (type) {
	case SQFS_INODE_DIR:
		if (meta_read(w, b, 16) != 0)
			return "directory inode cut short";
		iota_rd_init(&r, b, 16);
		ino->dir_block = iota_rd_u32le(&r);
		iota_rd_skip(&r, 4); /* link count */
		ino->dir_size = iota_rd_u16le(&r);
		ino->dir_offset = iota_rd_u16le(&r);
		ino->parent = iota_rd_u32le(&r);
		ino->type = SQFS_INODE_DIR;
		return NULL;
	case SQFS_INODE_EXT_DIR:
		/* the directory index that follows only speeds up lookups */
		if (meta_read(w, b, 24) != 0)
			return "directory inode cut short";
		iota_rd_init(&r, b, 24);
		iota_rd_skip(&r, 4); /* link count */
		ino->dir_size = iota_rd_u32le(&r);
		ino->dir_block = iota_rd_u32le(&r);
		ino->parent = iota_rd_u32le(&r);
		iota_rd_skip(&r, 2); /* index count */
		ino->dir_offset = iota_rd_u16le(&r);
		ino->type = SQFS_INODE_DIR;
		return NULL;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE: {
		ino->type = SQFS_INODE_FILE;
		const char *why = read_file_inode(w, ino, type == SQFS_INODE_EXT_FILE);
		if (why)
			return why;
		return ino->file ? NULL : "out of memory";
	}
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK: {
		if (meta_read(w, b, 8) != 0)
			return "symlink inode cut short";
		iota_rd_init(&r, b, 8);
		iota_rd_skip(&r, 4); /* link count */
		uint32_t tlen = iota_rd_u32le(&r);
		size_t keep = tlen > IOTA_MAX_LINK ? IOTA_MAX_LINK : tlen;
		char *t = iota_arena_alloc(w->s->arena, keep + 1);
		if (!t)
			return "out of memory";
		if (meta_read(w, t, keep) != 0)
			return "symlink target cut short";
		ino->target = t;
		ino->target_len = keep;
		ino->type = SQFS_INODE_SLINK;
		return NULL;
	}
	case SQFS_INODE_BDEV:
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_BDEV:
	case SQFS_INODE_EXT_CDEV:
		if (meta_read(w, b, 8) != 0)
			return "device inode cut short";
		iota_rd_init(&r, b, 8);
		iota_rd_skip(&r, 4); /* link count */
		ino->devno = iota_rd_u32le(&r);
		ino->type = type == SQFS_INODE_BDEV || type == SQFS_INODE_EXT_BDEV ? SQFS_INODE_BDEV
										: SQFS_INODE_CDEV;
		return NULL;
	case SQFS_INODE_FIFO:
	case SQFS_INODE_EXT_FIFO:
		ino->type = SQFS_INODE_FIFO;
		return NULL;
	case SQFS_INODE_SOCKET:
	case SQFS_INODE_EXT_SOCKET:
		ino->type = SQFS_INODE_SOCKET;
		return NULL;
	default:
		return "unknown inode type";
	}
}

static uint32_t owner(struct walk *w, uint16_t idx)
{
	sqfs_u32 id = 0;
	if (w->ids && sqfs_id_table_index_to_id(w->ids, idx, &id) != 0) {
		w->damaged++;
		if (!w->bad_owner++)
			iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, w->job->root, UINT64_MAX,
					 "squashfs: owner index %u is not in the id table", idx);
		id = 0;
	}
	return id;
}

static void set_meta(struct walk *w, iota_node *n, const struct inode *ino)
{
	n->mode = ino->mode & 07777;
	n->uid = owner(w, ino->uid_idx);
	n->gid = owner(w, ino->gid_idx);
	n->mtime = ino->mtime;
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
}

static void member_corrupt(struct walk *w, size_t path_len, const char *why)
{
	if (path_len == 0 && !w->added) {
		w->root_why = why; /* reported with the container */
		return;
	}
	w->damaged++;
	iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, w->job->root, UINT64_MAX,
			 "squashfs member '/%.*s': %s; skipped", (int)(path_len > 300 ? 300 : path_len),
			 w->path, why);
}

static iota_node_kind kind_of(uint16_t type)
{
	switch (type) {
	case SQFS_INODE_DIR:
		return IOTA_NODE_DIR;
	case SQFS_INODE_FILE:
		return IOTA_NODE_FILE;
	case SQFS_INODE_SLINK:
		return IOTA_NODE_SYMLINK;
	case SQFS_INODE_BDEV:
		return IOTA_NODE_BLK;
	case SQFS_INODE_CDEV:
		return IOTA_NODE_CHR;
	case SQFS_INODE_FIFO:
		return IOTA_NODE_FIFO;
	default:
		return IOTA_NODE_SOCK;
	}
}

static void walk_dir(struct walk *w, const struct inode *dir, size_t path_len, unsigned depth);

/* Adds the member at w->path[0, path_len) for inode ref. */
static void add_member(struct walk *w, uint64_t ref, size_t path_len, unsigned depth)
{
	struct inode ino;
	const char *why = read_inode(w, ref, &ino);
	if (why) {
		if (strcmp(why, "out of memory") == 0) {
			w->rc = IOTA_NOMEM;
			w->stop = 1;
			return;
		}
		member_corrupt(w, path_len, why);
		return;
	}
	if (ino.type == SQFS_INODE_DIR) {
		int again = seen_dir(w, ref);
		if (again < 0) {
			w->rc = IOTA_NOMEM;
			w->stop = 1;
			return;
		}
		if (again) {
			member_corrupt(w, path_len, "a directory already listed elsewhere (a loop?)");
			return;
		}
	}
	iota_node *n = iota_vfs_add(w->s, w->job->root, w->path, path_len, kind_of(ino.type));
	if (!n) {
		if (iota_scan_should_stop(w->s)) {
			w->rc = IOTA_LIMIT;
			w->stop = 1;
		}
		return;
	}
	w->added++;
	set_meta(w, n, &ino);
	switch (ino.type) {
	case SQFS_INODE_DIR:
		walk_dir(w, &ino, path_len, depth + 1);
		break;
	case SQFS_INODE_FILE:
		n->size = ino.file_size;
		iota_node_set_loader(n, &sq_loader, ref, ino.file);
		if (ino.cut) {
			atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
			iota_scan_limit(w->s, "file-size", n,
					"squashfs file claims %" PRIu64
					" bytes, more than may be unpacked for one file; only the first %" PRIu64
					" are read",
					ino.file_size, ino.file->limit);
		}
		break;
	case SQFS_INODE_SLINK:
		iota_node_set_link(w->s, n, ino.target, ino.target_len);
		break;
	case SQFS_INODE_BDEV:
	case SQFS_INODE_CDEV:
		/* Linux's new_encode_dev() layout */
		n->dev_major = (ino.devno & 0xfff00) >> 8;
		n->dev_minor = (ino.devno & 0xff) | ((ino.devno >> 12) & 0xfff00);
		break;
	default:
		break;
	}
}

static void walk_dir(struct walk *w, const struct inode *dir, size_t path_len, unsigned depth)
{
	if (depth > MAX_DIR_DEPTH) {
		member_corrupt(w, path_len, "directories nested too deep");
		return;
	}
	/* libsquashfs' readdir state wants the directory as its own inode */
	sqfs_inode_generic_t gi;
	memset(&gi, 0, sizeof gi);
	gi.base.type = SQFS_INODE_EXT_DIR;
	gi.data.dir_ext.start_block = dir->dir_block;
	gi.data.dir_ext.size = dir->dir_size;
	gi.data.dir_ext.offset = dir->dir_offset;
	sqfs_readdir_state_t st;
	if (sqfs_readdir_state_init(&st, &w->c->super, &gi) != 0) {
		member_corrupt(w, path_len, "directory cannot be listed");
		return;
	}
	for (;;) {
		if (w->stop || iota_scan_should_stop(w->s)) {
			/* should_stop() reports the time limit, not the file count */
			if (atomic_load(&w->s->nnodes) >= w->s->opt.limits.max_files)
				iota_scan_limit(w->s, "files", w->job->root,
						"file-count limit of %" PRIu64 " reached",
						(uint64_t)w->s->opt.limits.max_files);
			w->stop = 1;
			if (w->rc == IOTA_OK || w->rc == IOTA_WARN)
				w->rc = IOTA_LIMIT;
			return;
		}
		sqfs_dir_entry_t *ent = NULL;
		sqfs_u64 ref = 0;
		int r = sqfs_meta_reader_readdir(w->dirs, &st, &ent, NULL, &ref);
		if (r > 0)
			return;
		if (r < 0) {
			member_corrupt(w, path_len, "the rest of this directory cannot be read");
			return;
		}
		size_t nl = (size_t)ent->size + 1;
		const char *name = (const char *)ent->name;
		int bad = strnlen(name, nl) != nl || memchr(name, '/', nl) ||
			  (nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.');
		size_t pl = path_len;
		if (bad || pl + 1 + nl >= sizeof w->path) {
			iota_finding_add(w->s, "unpack.path", IOTA_SEV_LOW, w->job->root, UINT64_MAX,
					 "squashfs entry '%.*s' below '%.*s' has a bad or too long name; "
					 "skipped",
					 (int)(nl > 200 ? 200 : nl), name, (int)(pl > 200 ? 200 : pl), w->path);
			sqfs_free(ent);
			continue;
		}
		if (pl)
			w->path[pl++] = '/';
		memcpy(w->path + pl, name, nl);
		pl += nl;
		w->path[pl] = '\0';
		sqfs_free(ent);
		add_member(w, ref, pl, depth);
		w->path[path_len] = '\0';
	}
}

/* ---- probe and unpack ---- */

/* Vendor SDKs (Broadcom, Realtek, TP-Link) write SquashFS 4.0 little-endian
 * images under other magics; the layout is the standard one. NULL when the
 * magic is the standard "hsqs" or none. */
static const char *vendor_magic(const uint8_t *d, size_t len)
{
	static const char *const m[] = {"shsq", "sqlz", "tqsh", "hsqt"};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (iota_ld_match(d, len, 0, m[i], 4))
			return m[i];
	return NULL;
}

/* Reads and checks the superblock fields the probe relies on. */
static int super_ok(const uint8_t *d, size_t len, uint16_t *comp, uint64_t *bytes_used)
{
	uint32_t magic, block_size;
	uint16_t block_log, major, minor;
	uint64_t inode_start, dir_start, root;
	if (!iota_ld_u32le(d, len, 0, &magic) || (magic != SQFS_MAGIC && !vendor_magic(d, len)) ||
	    !iota_ld_u32le(d, len, 12, &block_size) || !iota_ld_u16le(d, len, 20, comp) ||
	    !iota_ld_u16le(d, len, 22, &block_log) || !iota_ld_u16le(d, len, 28, &major) ||
	    !iota_ld_u16le(d, len, 30, &minor) || !iota_ld_u64le(d, len, 32, &root) ||
	    !iota_ld_u64le(d, len, 40, bytes_used) || !iota_ld_u64le(d, len, 64, &inode_start) ||
	    !iota_ld_u64le(d, len, 72, &dir_start))
		return 0;
	if (major != 4 || minor != 0)
		return 0;
	if (block_size < SQFS_MIN_BLOCK_SIZE || block_size > SQFS_MAX_BLOCK_SIZE ||
	    block_log >= 32 || block_size != 1u << block_log)
		return 0;
	if (*comp < SQFS_COMP_MIN || *comp > SQFS_COMP_MAX)
		return 0;
	if (*bytes_used < SUPER_SIZE || inode_start < SUPER_SIZE || inode_start >= dir_start ||
	    dir_start > *bytes_used || (root >> 16) >= dir_start - inode_start)
		return 0;
	return 1;
}

static int probe_squashfs(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)total_len;
	uint16_t comp;
	uint64_t used;
	return super_ok(head, head_len, &comp, &used) ? 100 : 0;
}

static const char *comp_name(uint16_t id)
{
	const char *n = sqfs_compressor_name_from_id((SQFS_COMPRESSOR)id);
	return n ? n : "unknown";
}

static const char *sqfs_err(int e)
{
	switch (e) {
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_IO: return "read error";
	case SQFS_ERROR_COMPRESSOR: return "a block cannot be decompressed";
	case SQFS_ERROR_CORRUPTED: return "corrupted";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported";
	case SQFS_ERROR_OVERFLOW: return "a size overflows";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "out of bounds (cut short?)";
	case SQFS_ERROR_SUPER_BLOCK_SIZE: return "bad block size";
	default: return "damaged";
	}
}

/* One finding per problem with the image as a whole; all in job->why when
 * nothing could be listed. */
static iota_rc report(struct walk *w, uint64_t used)
{
	iota_unpack_job *job = w->job;
	int cut = used > job->len;
	if (w->rc != IOTA_OK)
		return w->rc;
	if (!w->added) {
		const char *why = w->root_why    ? w->root_why
				  : w->ids_why   ? w->ids_why
				  : w->frags_why ? w->frags_why
						 : "no member could be read";
		if (cut)
			return iota_unpack_corrupt(job,
						   "cut short (it needs %" PRIu64
						   " bytes, %zu are there): %s",
						   used, job->len, why);
		if (!w->root_why && !w->damaged)
			return IOTA_OK; /* an empty file system */
		return iota_unpack_corrupt(job, "%s", why);
	}
	if (cut) {
		iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, job->file, job->offset,
				 "squashfs at offset 0x%" PRIx64 " is cut short: it needs %" PRIu64
				 " bytes, %zu are there%s%s",
				 job->offset, used, job->len,
				 w->ids_why ? "; owners are shown as 0" : "",
				 w->frags_why ? "; file tails in fragments cannot be read" : "");
	} else {
		if (w->ids_why)
			iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
					 "squashfs id table: %s; owners are shown as 0", w->ids_why);
		if (w->frags_why)
			iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
					 "squashfs fragment table: %s; file tails in fragments "
					 "cannot be read",
					 w->frags_why);
	}
	if (w->root_why)
		iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
				 "squashfs root directory: %s", w->root_why);
	return cut || w->damaged || w->ids_why || w->frags_why || w->root_why ? IOTA_WARN : IOTA_OK;
}

/* The fragment table: libsquashfs allocates 16 bytes per fragment the
 * superblock claims before reading, so the claim is first held to what one
 * file may unpack and to the index fitting in the image. */
static void load_fragments(struct walk *w, sqfs_compressor_t *cmp)
{
	struct sqctx *c = w->c;
	const sqfs_super_t *sb = &c->super;
	if ((sb->flags & SQFS_FLAG_NO_FRAGMENTS) || sb->fragment_entry_count == 0 ||
	    sb->fragment_table_start == UINT64_MAX)
		return;
	uint64_t bytes = (uint64_t)sb->fragment_entry_count * 16;
	uint64_t index = (bytes + SQFS_META_BLOCK_SIZE - 1) / SQFS_META_BLOCK_SIZE * 8;
	const char *why = NULL;
	if (sb->fragment_table_start > c->file->len || index > c->file->len - sb->fragment_table_start)
		why = "the fragment table lies outside the image";
	else if (bytes > iota_scan_file_budget(w->s))
		why = "the fragment table is larger than may be unpacked";
	if (!why) {
		c->frags = sqfs_frag_table_create(0);
		if (!c->frags) {
			w->rc = IOTA_NOMEM;
			return;
		}
		int err = sqfs_frag_table_read(c->frags, &c->file->base, sb, cmp);
		if (err) {
			sqfs_destroy(c->frags);
			c->frags = NULL;
			why = sqfs_err(err);
		} else {
			c->nfrags = sqfs_frag_table_get_size(c->frags);
		}
	}
	w->frags_why = why;
}

static iota_rc unpack_squashfs(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	uint16_t comp;
	uint64_t used;
	if (!super_ok(job->data, job->len, &comp, &used))
		return iota_unpack_corrupt(job, "bad superblock");
	const char *vm = vendor_magic(job->data, job->len);
	snprintf(job->root->variant, sizeof job->root->variant, "%s%s%s", comp_name(comp),
		 vm ? "," : "", vm ? vm : "");
	if (used > job->len) {
		job->consumed = job->len;
		uint64_t dir_start = 0;
		iota_ld_u64le(job->data, job->len, 72, &dir_start);
		/* the tables follow the data: without them nothing can be listed */
		if (dir_start >= job->len)
			return iota_unpack_corrupt(job,
						   "cut short: the image needs %" PRIu64
						   " bytes, %zu are there; its inode and directory "
						   "tables are lost",
						   used, job->len);
	} else {
		uint64_t padded = (used + PAD - 1) / PAD * PAD;
		job->consumed = (size_t)(padded <= job->len ? padded : used);
	}

	struct sqctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return IOTA_NOMEM;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->frag_ready, NULL);
	for (int i = 0; i < FRAG_SLOTS; i++)
		c->fslots[i].index = NO_FRAGMENT;
	c->file = memfile_new(job->data, used < job->len ? (size_t)used : job->len);
	if (!c->file) {
		sqctx_free(c);
		return IOTA_NOMEM;
	}
	c->blob = iota_blob_ref(job->blob);
	/* from here the container owns c: loaders find it through cctx */
	job->root->cctx = c;
	job->root->cctx_free = sqctx_free;

	int err = sqfs_super_read(&c->super, &c->file->base);
	if (err)
		return iota_unpack_corrupt(job, "superblock: %s", sqfs_err(err));
	err = sqfs_compressor_config_init(&c->cfg, (SQFS_COMPRESSOR)c->super.compression_id,
					  c->super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	sqfs_compressor_t *cmp = NULL;
	if (!err)
		err = make_compressor(c, &cmp);
	if (err) {
		if (err == SQFS_ERROR_ALLOC)
			return IOTA_NOMEM;
		iota_finding_add(s, "unpack.unsupported", IOTA_SEV_LOW, job->file, job->offset,
				 "squashfs at offset 0x%" PRIx64 " uses the %s compressor, which this "
				 "build cannot decompress; its files are not checked",
				 job->offset, comp_name(comp));
		return IOTA_WARN;
	}

	struct walk *w = iota_calloc(1, sizeof *w);
	if (!w) {
		sqfs_destroy(cmp);
		return IOTA_NOMEM;
	}
	w->job = job;
	w->s = s;
	w->c = c;
	w->rc = IOTA_OK;
	const sqfs_super_t *sb = &c->super;

	w->ids = sqfs_id_table_create(0);
	if (w->ids && (err = sqfs_id_table_read(w->ids, &c->file->base, sb, cmp)) != 0) {
		sqfs_destroy(w->ids);
		w->ids = NULL;
		w->ids_why = sqfs_err(err);
	}
	load_fragments(w, cmp);
	w->inodes = sqfs_meta_reader_create(&c->file->base, cmp, sb->inode_table_start,
					    sb->directory_table_start);
	w->dirs = sqfs_meta_reader_create(&c->file->base, cmp, sb->directory_table_start,
					  c->file->len);

	iota_rc rc = IOTA_OK;
	struct inode root;
	const char *why = NULL;
	if (w->rc == IOTA_NOMEM || !w->inodes || !w->dirs) {
		rc = IOTA_NOMEM;
	} else if ((why = read_inode(w, sb->root_inode_ref, &root)) != NULL ||
		   root.type != SQFS_INODE_DIR) {
		rc = iota_unpack_corrupt(job, "root directory: %s", why ? why : "not a directory");
	} else {
		job->root->mode = root.mode & 07777;
		job->root->uid = owner(w, root.uid_idx);
		job->root->gid = owner(w, root.gid_idx);
		job->root->mtime = root.mtime;
		seen_dir(w, sb->root_inode_ref);
		walk_dir(w, &root, 0, 0);
		rc = report(w, used);
	}

	if (w->inodes)
		sqfs_destroy(w->inodes);
	if (w->dirs)
		sqfs_destroy(w->dirs);
	if (w->ids)
		sqfs_destroy(w->ids);
	iota_free(w->seen);
	iota_free(w);
	sqfs_destroy(cmp);
	return rc;
}

static const iota_magic squashfs_magics[] = {
	{"hsqs", 4, 0}, {"shsq", 4, 0}, {"sqlz", 4, 0}, {"tqsh", 4, 0}, {"hsqt", 4, 0},
};

const iota_unpacker iota_unpacker_squashfs = {
	.name = "squashfs",
	.description = "SquashFS 4.0 file system (standard and vendor magics)",
	.magics = squashfs_magics,
	.nmagics = sizeof squashfs_magics / sizeof squashfs_magics[0],
	.probe = probe_squashfs,
	.unpack = unpack_squashfs,
};
