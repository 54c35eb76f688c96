/*
 * ext2, ext3 and ext4 file systems, read with libext2fs from memory: no
 * mount, no temporary file.
 *
 * Specification: the Linux kernel's Documentation/filesystems/ext4/
 * (superblock at byte 1024, s_magic 0xEF53 at byte 56 of it, so at 1080 of
 * the image; group descriptors; inodes; directory entries; extents; inline
 * data) and e2fsprogs' lib/ext2fs/ext2_fs.h, which names every field.
 *
 * libext2fs does the parsing (superblock, group descriptors, extent trees,
 * htree and inline-data directories, fast and slow symlinks). It reads
 * through an io_manager; ours (mem_io_manager) serves reads from the
 * container's bytes, bounds-checked: a read past the end of a truncated
 * image returns EXT2_ET_SHORT_READ, so the affected file is reported cut
 * short rather than padded with invented zeros. ext2fs_open2() names the
 * device by a string; the bytes to serve are handed to our open() in a
 * thread-local pointer set just around that call (open() is only called
 * from inside it, on the same thread).
 *
 * The file system is opened read-only (no journal replay: a file system
 * that needs recovery is reported as such) and never written; write_blk
 * refuses. File content is loaded lazily by a loader, bounded by
 * iota_scan_file_budget(). libext2fs is not thread-safe, so every use of the
 * handle takes the mutex in the container's context (job->root->cctx), which
 * also holds a reference to the bytes.
 *
 * Hard links: the first path met for a multiply-linked regular inode is a
 * FILE node; later paths to the same inode are HARDLINK nodes pointing at it,
 * so the content is read, hashed and analysed once, as tar and cpio report it.
 *
 * libext2fs allocates the group descriptor table from the superblock's
 * counts, so probe() and unpack() first check, on the raw superblock, that
 * the table the counts imply lies within the bytes present.
 */
#include <et/com_err.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/dynbuf.h"
#include "util/reader.h"

#define SB_OFF 1024
#define SB_MAGIC 0xEF53
#define MAX_DIR_DEPTH 256
#define READ_CHUNK (256 * 1024)

/* ---- the superblock, read by hand for probe() and the size checks ---- */

struct sb {
	uint64_t blocks;
	uint32_t inodes, first_data_block, log_bs, log_cs, bpg, cpg, ipg, rev, first_ino;
	uint32_t compat, incompat, ro_compat;
	uint16_t inode_size, desc_size;
	uint64_t bs;
	uint64_t groups;
};

static bool sb_read(const uint8_t *p, size_t len, struct sb *s)
{
	uint16_t magic;
	if (!iota_ld_u16le(p, len, SB_OFF + 56, &magic) || magic != SB_MAGIC)
		return false;
	iota_reader r;
	iota_rd_init(&r, p, len);
	iota_rd_seek(&r, SB_OFF);
	s->inodes = iota_rd_u32le(&r);
	uint32_t blocks_lo = iota_rd_u32le(&r);
	iota_rd_skip(&r, 12);
	s->first_data_block = iota_rd_u32le(&r);
	s->log_bs = iota_rd_u32le(&r);
	s->log_cs = iota_rd_u32le(&r);
	s->bpg = iota_rd_u32le(&r);
	s->cpg = iota_rd_u32le(&r);
	s->ipg = iota_rd_u32le(&r);
	iota_rd_seek(&r, SB_OFF + 76);
	s->rev = iota_rd_u32le(&r);
	iota_rd_skip(&r, 4);
	s->first_ino = iota_rd_u32le(&r);
	s->inode_size = iota_rd_u16le(&r);
	iota_rd_skip(&r, 2);
	s->compat = iota_rd_u32le(&r);
	s->incompat = iota_rd_u32le(&r);
	s->ro_compat = iota_rd_u32le(&r);
	iota_rd_seek(&r, SB_OFF + 254);
	s->desc_size = iota_rd_u16le(&r);
	iota_rd_seek(&r, SB_OFF + 336);
	uint32_t blocks_hi = iota_rd_u32le(&r);
	if (r.bad)
		return false;
	bool is64 = s->incompat & EXT4_FEATURE_INCOMPAT_64BIT;
	s->blocks = blocks_lo | (is64 ? (uint64_t)blocks_hi << 32 : 0);
	if (s->rev == 0) {
		s->inode_size = 128;
		s->first_ino = 11;
	}
	if (!is64)
		s->desc_size = 32;
	return true;
}

/* The checks libext2fs would make, and ours on the bytes present (len).
 * Returns 0 if the superblock is not one, 1 if it is but its group
 * descriptor table lies past the bytes present, 2 if it can be opened. */
static int sb_sane(struct sb *s, uint64_t len)
{
	if (s->log_bs > 6 || s->rev > 1 || s->inodes == 0 || s->bpg == 0 || s->ipg == 0)
		return 0;
	s->bs = 1024ull << s->log_bs;
	if (s->ipg > 8 * s->bs)
		return 0;
	if (s->ro_compat & EXT4_FEATURE_RO_COMPAT_BIGALLOC) {
		/* bitmaps count clusters of 2^(log_cs - log_bs) blocks */
		if (s->log_cs < s->log_bs || s->log_cs - s->log_bs > 16 || s->cpg == 0 ||
		    s->cpg > 8 * s->bs || (uint64_t)s->cpg << (s->log_cs - s->log_bs) != s->bpg)
			return 0;
	} else if (s->bpg > 8 * s->bs) {
		return 0;
	}
	if (s->inode_size < 128 || s->inode_size > s->bs || (s->inode_size & (s->inode_size - 1)))
		return 0;
	if (s->desc_size < 32 || s->desc_size > s->bs || (s->desc_size & (s->desc_size - 1)))
		return 0;
	if (s->first_data_block >= s->blocks || s->first_ino < 11)
		return 0;
	if (s->blocks > UINT64_MAX / s->bs)
		return 0;
	s->groups = (s->blocks - s->first_data_block + s->bpg - 1) / s->bpg;
	if (s->groups > UINT32_MAX || s->groups * s->ipg != s->inodes)
		return 0;
	/* the group descriptor table (allocated whole by libext2fs) is present */
	uint64_t gdt_end = ((uint64_t)s->first_data_block + 1) * s->bs + s->groups * s->desc_size;
	return gdt_end <= len ? 2 : 1;
}

static const char *variant_of(uint32_t compat, uint32_t incompat, uint32_t ro_compat)
{
	const uint32_t ext4_incompat =
		EXT3_FEATURE_INCOMPAT_EXTENTS | EXT4_FEATURE_INCOMPAT_64BIT |
		EXT4_FEATURE_INCOMPAT_MMP | EXT4_FEATURE_INCOMPAT_FLEX_BG |
		EXT4_FEATURE_INCOMPAT_EA_INODE | EXT4_FEATURE_INCOMPAT_DIRDATA |
		EXT4_FEATURE_INCOMPAT_CSUM_SEED | EXT4_FEATURE_INCOMPAT_LARGEDIR |
		EXT4_FEATURE_INCOMPAT_INLINE_DATA | EXT4_FEATURE_INCOMPAT_ENCRYPT |
		EXT4_FEATURE_INCOMPAT_CASEFOLD;
	const uint32_t ext4_ro =
		EXT4_FEATURE_RO_COMPAT_HUGE_FILE | EXT4_FEATURE_RO_COMPAT_GDT_CSUM |
		EXT4_FEATURE_RO_COMPAT_DIR_NLINK | EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE |
		EXT4_FEATURE_RO_COMPAT_QUOTA | EXT4_FEATURE_RO_COMPAT_BIGALLOC |
		EXT4_FEATURE_RO_COMPAT_METADATA_CSUM;
	if ((incompat & ext4_incompat) || (ro_compat & ext4_ro))
		return "ext4";
	if (compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL)
		return "ext3";
	return "ext2";
}

static int probe_ext(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	struct sb s;
	if (!sb_read(head, head_len, &s))
		return 0;
	switch (sb_sane(&s, total_len)) {
	case 0:
		return 10; /* 0xEF53 is two bytes: common in data */
	case 1:
		return 55; /* a consistent superblock, cut short: let unpack() say so */
	default:
		return s.blocks * s.bs <= total_len ? 100 : 60;
	}
}

/* ---- an io_manager over bytes in memory ---- */

struct memsrc {
	const uint8_t *data;
	size_t len;
};

static _Thread_local const struct memsrc *open_src;

static struct struct_io_manager mem_io_manager;

static errcode_t mem_open(const char *name, int flags, io_channel *out)
{
	if (!open_src || (flags & IO_FLAG_RW))
		return EXT2_ET_BAD_DEVICE_NAME;
	io_channel ch = iota_calloc(1, sizeof *ch);
	if (!ch)
		return EXT2_ET_NO_MEMORY;
	ch->name = iota_strdup(name ? name : "");
	if (!ch->name) {
		iota_free(ch);
		return EXT2_ET_NO_MEMORY;
	}
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &mem_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = (void *)open_src;
	*out = ch;
	return 0;
}

static errcode_t mem_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	iota_free(ch->name);
	iota_free(ch);
	return 0;
}

static errcode_t mem_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

/* count > 0: blocks; count < 0: bytes (libext2fs' convention). */
static errcode_t mem_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
	const struct memsrc *src = ch->private_data;
	uint64_t bs = (uint64_t)ch->block_size;
	uint64_t bytes = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * bs;
	if (bytes == 0)
		return 0;
	if (block > UINT64_MAX / bs || block * bs >= src->len) {
		memset(data, 0, (size_t)bytes);
		return EXT2_ET_SHORT_READ;
	}
	uint64_t off = block * bs;
	uint64_t have = src->len - off;
	if (have >= bytes) {
		memcpy(data, src->data + off, (size_t)bytes);
		return 0;
	}
	memcpy(data, src->data + off, (size_t)have);
	memset((uint8_t *)data + have, 0, (size_t)(bytes - have));
	return EXT2_ET_SHORT_READ;
}

static errcode_t mem_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
	return mem_read_blk64(ch, block, count, data);
}

static errcode_t mem_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
	(void)ch, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_write_blk64(io_channel ch, unsigned long long block, int count,
				 const void *data)
{
	(void)ch, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_flush(io_channel ch)
{
	(void)ch;
	return 0;
}

static errcode_t mem_set_option(io_channel ch, const char *opt, const char *arg)
{
	(void)ch, (void)opt, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager mem_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "iotaudit memory I/O manager",
	.open = mem_open,
	.close = mem_close,
	.set_blksize = mem_set_blksize,
	.read_blk = mem_read_blk,
	.write_blk = mem_write_blk,
	.flush = mem_flush,
	.set_option = mem_set_option,
	.read_blk64 = mem_read_blk64,
	.write_blk64 = mem_write_blk64,
};

/* ---- the container context ---- */

struct ext_ctx {
	pthread_mutex_t lock; /* libext2fs is not thread-safe: guards fs */
	ext2_filsys fs;
	iota_blob *blob;      /* keeps src.data alive */
	struct memsrc src;
};

static void ctx_free(void *p)
{
	struct ext_ctx *ctx = p;
	if (ctx->fs)
		ext2fs_close_free(&ctx->fs);
	iota_blob_unref(ctx->blob);
	pthread_mutex_destroy(&ctx->lock);
	iota_free(ctx);
}

static pthread_once_t et_once = PTHREAD_ONCE_INIT;

/* error_message() formats unknown codes into a static buffer; with the
 * table registered it returns constant strings, safe from any thread. */
static void et_init(void)
{
	initialize_ext2_error_table();
}

/* Reads up to max bytes of inode ino into b, which it initialises (caller
 * holds the lock and frees b). Sets *size to the file's length. Returns 0 or
 * the libext2fs error that stopped the read (b keeps what was read before). */
static errcode_t read_inode_bytes(ext2_filsys fs, ext2_ino_t ino, uint64_t max, iota_dynbuf *b,
				  uint64_t *size)
{
	ext2_file_t f;
	iota_dynbuf_init(b, 0);
	*size = 0;
	errcode_t err = ext2fs_file_open(fs, ino, 0, &f);
	if (err)
		return err;
	__u64 lsize = 0;
	ext2fs_file_get_lsize(f, &lsize);
	*size = lsize;
	uint64_t want = lsize < max ? lsize : max;
	b->max = (size_t)want;
	while (b->len < want) {
		uint64_t left = want - b->len;
		unsigned int chunk = left < READ_CHUNK ? (unsigned int)left : READ_CHUNK;
		int r = iota_dynbuf_reserve(b, chunk);
		if (r) {
			err = EXT2_ET_NO_MEMORY;
			break;
		}
		unsigned int got = 0;
		err = ext2fs_file_read(f, b->data + b->len, chunk, &got);
		b->len += got;
		if (err)
			break;
		if (got == 0) {
			err = EXT2_ET_SHORT_READ;
			break;
		}
	}
	ext2fs_file_close(f);
	return err;
}

static iota_rc load_inode(iota_scan *s, iota_node *n, iota_blob **out)
{
	struct ext_ctx *ctx = n->load_ptr;
	ext2_ino_t ino = (ext2_ino_t)n->load_arg;
	uint64_t budget = iota_scan_file_budget(s);
	iota_dynbuf b;
	uint64_t size = 0;

	pthread_mutex_lock(&ctx->lock);
	errcode_t err = read_inode_bytes(ctx->fs, ino, budget, &b, &size);
	pthread_mutex_unlock(&ctx->lock);

	iota_rc rc = IOTA_OK;
	if (err == EXT2_ET_NO_MEMORY) {
		iota_dynbuf_free(&b);
		return IOTA_NOMEM;
	}
	if (err) {
		if (b.len == 0) {
			iota_dynbuf_free(&b);
			return IOTA_CORRUPT;
		}
		iota_finding_add(s, "unpack.truncated", IOTA_SEV_LOW, n, b.len,
				 "ext file of %llu bytes could be read to byte %zu only: %s",
				 (unsigned long long)size, b.len, error_message(err));
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
		rc = IOTA_WARN;
	} else if (size > b.len) {
		iota_scan_limit(s, "file-size", n,
				"ext file of %llu bytes is cut to %zu bytes by the size limits",
				(unsigned long long)size, b.len);
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
		rc = IOTA_LIMIT;
	}
	size_t len = 0;
	uint8_t *data = iota_dynbuf_take(&b, &len);
	*out = iota_blob_take(data, len);
	return *out ? rc : IOTA_NOMEM;
}

static const iota_loader ext_loader = {.load = load_inode};

/* ---- walking the tree ---- */

/* A set of inode numbers (open addressing), with a value for hard links. */
struct inomap {
	uint32_t *keys;
	const char **vals;
	size_t cap, used;
};

static const char **inomap_find(struct inomap *m, uint32_t ino)
{
	if (!m->cap)
		return NULL;
	for (size_t i = (ino * 2654435761u) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == ino)
			return &m->vals[i];
		if (m->keys[i] == 0)
			return NULL;
	}
}

/* Adds ino (not 0) with value v. Returns false if out of memory. */
static bool inomap_put(struct inomap *m, uint32_t ino, const char *v)
{
	if ((m->used + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 256;
		uint32_t *nk = iota_calloc(ncap, sizeof *nk);
		const char **nv = iota_calloc(ncap, sizeof *nv);
		if (!nk || !nv) {
			iota_free(nk);
			iota_free(nv);
			return false;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = (m->keys[i] * 2654435761u) & (ncap - 1);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = m->keys[i];
			nv[j] = m->vals[i];
		}
		iota_free(m->keys);
		iota_free(m->vals);
		m->keys = nk;
		m->vals = nv;
		m->cap = ncap;
	}
	size_t j = (ino * 2654435761u) & (m->cap - 1);
	while (m->keys[j])
		j = (j + 1) & (m->cap - 1);
	m->keys[j] = ino;
	m->vals[j] = v;
	m->used++;
	return true;
}

static void inomap_free(struct inomap *m)
{
	iota_free(m->keys);
	iota_free(m->vals);
}

struct walk {
	iota_unpack_job *job;
	struct ext_ctx *ctx;
	ext2_filsys fs;
	struct inomap dirs;  /* directories entered: a second visit is a loop */
	struct inomap links; /* multiply-linked files: their first path */
	unsigned depth;
	size_t plen;
	iota_rc rc;
	char path[IOTA_MAX_PATH];
};

static void note(struct walk *w, iota_rc rc)
{
	if (rc > w->rc)
		w->rc = rc;
}

static iota_node_kind kind_of(uint16_t mode)
{
	if (LINUX_S_ISREG(mode))
		return IOTA_NODE_FILE;
	if (LINUX_S_ISDIR(mode))
		return IOTA_NODE_DIR;
	if (LINUX_S_ISLNK(mode))
		return IOTA_NODE_SYMLINK;
	if (LINUX_S_ISCHR(mode))
		return IOTA_NODE_CHR;
	if (LINUX_S_ISBLK(mode))
		return IOTA_NODE_BLK;
	if (LINUX_S_ISFIFO(mode))
		return IOTA_NODE_FIFO;
	if (LINUX_S_ISSOCK(mode))
		return IOTA_NODE_SOCK;
	return (iota_node_kind)-1;
}

static int64_t mtime_of(ext2_filsys fs, const struct ext2_inode_large *in)
{
	int64_t t = (int32_t)in->i_mtime;
	/* the epoch bits extend the 32-bit seconds past 2038 (large inodes) */
	if (EXT2_INODE_SIZE(fs->super) > EXT2_GOOD_OLD_INODE_SIZE && in->i_extra_isize >= 12)
		t += (int64_t)(in->i_mtime_extra & EXT4_EPOCH_MASK) << 32;
	return t;
}

static void set_link(struct walk *w, iota_node *n, ext2_ino_t ino, struct ext2_inode_large *in)
{
	iota_scan *s = w->job->scan;
	uint64_t size = EXT2_I_SIZE(in);
	if (ext2fs_is_fast_symlink((struct ext2_inode *)in)) {
		uint8_t tgt[sizeof in->i_block];
		memcpy(tgt, in->i_block, sizeof tgt);
		iota_node_set_link(s, n, (const char *)tgt, size < sizeof tgt ? (size_t)size : sizeof tgt);
		return;
	}
	iota_dynbuf b;
	uint64_t got = 0;
	errcode_t err = read_inode_bytes(w->fs, ino, IOTA_MAX_LINK, &b, &got);
	if (err || b.len == 0) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
				 "symbolic link target cannot be read: %s",
				 err ? error_message(err) : "empty");
		note(w, IOTA_WARN);
	}
	if (b.len)
		iota_node_set_link(s, n, (const char *)b.data, b.len);
	iota_dynbuf_free(&b);
}

static void set_dev(iota_node *n, const struct ext2_inode_large *in)
{
	/* the kernel's old_decode_dev() in i_block[0], else new_decode_dev() in [1] */
	uint32_t d0 = in->i_block[0], d1 = in->i_block[1];
	if (d0) {
		n->dev_major = (d0 >> 8) & 0xff;
		n->dev_minor = d0 & 0xff;
	} else {
		n->dev_major = (d1 & 0xfff00) >> 8;
		n->dev_minor = (d1 & 0xff) | ((d1 >> 12) & 0xfff00);
	}
}

static int dir_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset,
		     int blocksize, char *buf, void *priv);

static void walk_dir(struct walk *w, ext2_ino_t ino, iota_node *dnode)
{
	iota_scan *s = w->job->scan;
	if (w->depth >= MAX_DIR_DEPTH) {
		note(w, iota_scan_limit(s, "depth", dnode,
					"ext directory tree deeper than %d levels", MAX_DIR_DEPTH));
		return;
	}
	w->depth++;
	errcode_t err = ext2fs_dir_iterate2(w->fs, ino, 0, NULL,
					    dir_entry, w);
	w->depth--;
	if (err) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, dnode, UINT64_MAX,
				 "ext directory (inode %u) cannot be read in full: %s", ino,
				 error_message(err));
		note(w, IOTA_WARN);
	}
}

static int dir_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset,
		     int blocksize, char *buf, void *priv)
{
	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	struct walk *w = priv;
	iota_scan *s = w->job->scan;
	size_t nl = (size_t)ext2fs_dirent_name_len(de);
	const char *name = de->name;
	if ((nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (iota_scan_should_stop(s)) {
		/* the engine stops quietly at the file-count limit: say why once */
		if (atomic_load(&s->nnodes) >= s->opt.limits.max_files)
			iota_scan_limit(s, "files", w->job->root,
					"file-count limit of %llu reached; the rest of this ext file "
					"system is not listed",
					(unsigned long long)s->opt.limits.max_files);
		note(w, IOTA_LIMIT);
		return DIRENT_ABORT;
	}
	ext2_ino_t ino = de->inode;
	size_t base = w->plen;
	if (base + 1 + nl + 1 > sizeof w->path) {
		iota_finding_add(s, "unpack.path", IOTA_SEV_LOW, w->job->root, UINT64_MAX,
				 "ext path too long below '%.*s'; skipped", (int)base, w->path);
		return 0;
	}
	size_t pl = base;
	if (pl)
		w->path[pl++] = '/';
	/* a '/' or NUL inside one name would split it into other paths */
	for (size_t i = 0; i < nl; i++)
		w->path[pl++] = (name[i] == '/' || name[i] == '\0') ? '_' : name[i];
	w->path[pl] = '\0';

	struct ext2_inode_large in;
	memset(&in, 0, sizeof in);
	errcode_t err = ext2fs_read_inode_full(w->fs, ino, (struct ext2_inode *)&in, sizeof in);
	if (err) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, w->job->root, UINT64_MAX,
				 "ext entry '%s' (inode %u) cannot be read: %s; skipped", w->path,
				 ino, error_message(err));
		note(w, IOTA_WARN);
		w->path[base] = '\0';
		return 0;
	}
	iota_node_kind kind = kind_of(in.i_mode);
	if ((int)kind < 0) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, w->job->root, UINT64_MAX,
				 "ext entry '%s' (inode %u) has an unknown file type 0%o; skipped",
				 w->path, ino, in.i_mode & LINUX_S_IFMT);
		note(w, IOTA_WARN);
		w->path[base] = '\0';
		return 0;
	}

	const char **first = NULL;
	if (kind == IOTA_NODE_FILE && in.i_links_count > 1) {
		first = inomap_find(&w->links, ino);
		if (first)
			kind = IOTA_NODE_HARDLINK;
	}
	iota_node *n = iota_vfs_add(s, w->job->root, w->path, pl, kind);
	if (!n) {
		w->path[base] = '\0';
		if (iota_scan_should_stop(s)) {
			note(w, IOTA_LIMIT);
			return DIRENT_ABORT;
		}
		return 0;
	}
	n->mode = in.i_mode & 07777;
	n->uid = inode_uid(in);
	n->gid = inode_gid(in);
	n->mtime = mtime_of(w->fs, &in);
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);

	switch (kind) {
	case IOTA_NODE_FILE:
		n->size = EXT2_I_SIZE(&in);
		iota_node_set_loader(n, &ext_loader, ino, w->ctx);
		if (in.i_links_count > 1) {
			const char *p = iota_arena_strdup(s->arena, w->path);
			if (!p || !inomap_put(&w->links, ino, p)) {
				note(w, IOTA_NOMEM);
				return DIRENT_ABORT;
			}
		}
		break;
	case IOTA_NODE_HARDLINK:
		iota_node_set_hardlink(s, n, *first, strlen(*first));
		break;
	case IOTA_NODE_SYMLINK:
		set_link(w, n, ino, &in);
		break;
	case IOTA_NODE_CHR:
	case IOTA_NODE_BLK:
		set_dev(n, &in);
		break;
	case IOTA_NODE_DIR:
		if (inomap_find(&w->dirs, ino)) {
			iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
					 "ext directory '%s' (inode %u) was already listed: a loop; "
					 "not entered again",
					 w->path, ino);
			note(w, IOTA_WARN);
			break;
		}
		if (!inomap_put(&w->dirs, ino, NULL)) {
			note(w, IOTA_NOMEM);
			return DIRENT_ABORT;
		}
		w->plen = pl;
		walk_dir(w, ino, n);
		w->plen = base;
		break;
	default:
		break;
	}
	w->path[base] = '\0';
	return w->rc >= IOTA_LIMIT ? DIRENT_ABORT : 0;
}

static iota_rc unpack_ext(iota_unpack_job *job)
{
	struct sb sb;
	if (!sb_read(job->data, job->len, &sb))
		return iota_unpack_corrupt(job, "no ext2/3/4 superblock");
	int sane = sb_sane(&sb, job->len);
	if (sane == 0)
		return iota_unpack_corrupt(job, "ext superblock counts are inconsistent");
	if (sane == 1)
		return iota_unpack_corrupt(job, "ext image is cut short before the end of its group "
						"descriptors (%zu bytes present)",
					   job->len);
	snprintf(job->root->variant, sizeof job->root->variant, "%s",
		 variant_of(sb.compat, sb.incompat, sb.ro_compat));

	struct ext_ctx *ctx = iota_calloc(1, sizeof *ctx);
	if (!ctx)
		return IOTA_NOMEM;
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->blob = iota_blob_ref(job->blob);
	uint64_t fs_bytes = sb.blocks * sb.bs;
	ctx->src.data = job->data;
	ctx->src.len = fs_bytes < job->len ? (size_t)fs_bytes : job->len;
	job->root->cctx = ctx;
	job->root->cctx_free = ctx_free;

	iota_rc rc = IOTA_OK;
	if (fs_bytes > job->len) {
		iota_finding_add(job->scan, "unpack.truncated", IOTA_SEV_LOW, job->file, job->offset,
				 "%s file system of %llu bytes is cut short: %zu are present; files "
				 "past the end are incomplete",
				 job->root->variant, (unsigned long long)fs_bytes, job->len);
		rc = IOTA_WARN;
	}
	job->consumed = ctx->src.len;

	pthread_once(&et_once, et_init);
	pthread_mutex_lock(&ctx->lock);
	ext2_filsys fs = NULL;
	open_src = &ctx->src;
	errcode_t err = ext2fs_open2("iotaudit-memory", NULL,
				     EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0,
				     &mem_io_manager, &fs);
	open_src = NULL;
	if (err) {
		pthread_mutex_unlock(&ctx->lock);
		return iota_unpack_corrupt(job, "libext2fs cannot open it: %s", error_message(err));
	}
	ctx->fs = fs;
	if (fs->super->s_feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER)
		iota_finding_add(job->scan, "unpack.journal", IOTA_SEV_INFO, job->file, job->offset,
				 "%s file system was not cleanly unmounted; its journal is not "
				 "replayed, so the latest changes may be missing",
				 job->root->variant);

	struct walk *w = iota_calloc(1, sizeof *w);
	if (!w) {
		pthread_mutex_unlock(&ctx->lock);
		return IOTA_NOMEM;
	}
	w->job = job;
	w->ctx = ctx;
	w->fs = fs;
	if (!inomap_put(&w->dirs, EXT2_ROOT_INO, NULL)) {
		w->rc = IOTA_NOMEM;
	} else {
		walk_dir(w, EXT2_ROOT_INO, job->root);
	}
	pthread_mutex_unlock(&ctx->lock);
	if (w->rc > rc)
		rc = w->rc;
	inomap_free(&w->dirs);
	inomap_free(&w->links);
	iota_free(w);
	return rc;
}

/* s_magic alone is two bytes, found every 64 KiB in compressed data, and each
 * hit costs a probe and one of the carver's limited candidates; s_state, the
 * u16 after it, is 0..3 in practice (EXT2_VALID_FS, EXT2_ERROR_FS), so the
 * four-byte patterns find real file systems and few others. */
static const iota_magic magics[] = {
	{"\x53\xef\x01\x00", 4, 1080},
	{"\x53\xef\x00\x00", 4, 1080},
	{"\x53\xef\x02\x00", 4, 1080},
	{"\x53\xef\x03\x00", 4, 1080},
};

const iota_unpacker iota_unpacker_ext = {
	.name = "ext",
	.description = "ext2/ext3/ext4 file system",
	.magics = magics,
	.nmagics = sizeof magics / sizeof magics[0],
	.probe = probe_ext,
	.unpack = unpack_ext,
};
