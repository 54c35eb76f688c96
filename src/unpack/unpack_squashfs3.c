/*
 * SquashFS 3.x and 2.x images (little- and big-endian), including the vendor
 * variants of Broadcom, Realtek and TP-Link firmware: other magics ("shsq",
 * "qshs", "tqsh", "hsqt", "sqlz") and LZMA blocks instead of zlib.
 *
 * Specification: squashfs-tools 3.x and Linux 2.6.x include/linux/
 * squashfs_fs.h (the structures are __attribute__((packed)); bit fields are
 * allocated from the least significant bit in little-endian images and from
 * the most significant bit in big-endian ones, as squashfs-tools' SWAP macros
 * read them):
 *
 *  superblock (119 bytes):
 *	0 s_magic   4 inodes   8 bytes_used_2   12 uid_start_2   16 guid_start_2
 *	20 inode_table_start_2   24 directory_table_start_2
 *	28 s_major (16)   30 s_minor (16)   32 block_size_1 (16)   34 block_log (16)
 *	36 flags (8)   37 no_uids (8)   38 no_guids (8)   39 mkfs_time
 *	43 root_inode (64: metadata block << 16 | offset)   51 block_size
 *	55 fragments   59 fragment_table_start_2   63 bytes_used   71 uid_start
 *	79 guid_start   87 inode_table_start   95 directory_table_start
 *	103 fragment_table_start   111 lookup_table_start (3.1)
 *  flags: bit 2 SQUASHFS_CHECK (a marker byte follows each metadata length).
 *  metadata blocks: a 16-bit length, bit 15 set = stored, then at most 8 KiB
 *	compressed; an inode reference is (block start - table start) << 16 |
 *	offset in the uncompressed block.
 *  data and fragment blocks: a 32-bit size word, bit 24 set = stored; 0 = a
 *	block of zeros (sparse).
 *  inodes: type:4 mode:12 uid:8 guid:8 (index into the uid/guid arrays;
 *	guid 255 = the uid), mtime, inode_number, then per type:
 *	1 dir:  nlink, file_size:19 offset:13, start_block, parent_inode
 *	2 reg:  start_block (64), fragment, offset, file_size, block_list[] (32)
 *	3 symlink: nlink, symlink_size (16), symlink[]
 *	4 blkdev / 5 chrdev: nlink, rdev (16, major << 8 | minor)
 *	6 fifo / 7 socket: nlink
 *	8 ldir: nlink, file_size:27 offset:13, start_block, i_count:16,
 *		parent_inode, index[] (not needed to list)
 *	9 lreg: nlink, start_block (64), fragment, offset, file_size (64), block_list[]
 *  directories: 9-byte headers count:8 (count + 1 entries), start_block (32,
 *	the inode block), inode_number (32), then entries offset:13 type:3 size:8
 *	(name length - 1) inode_number:16 (signed, from the header's) name[];
 *	a directory's file_size counts 3 bytes more than its listing.
 *  fragment table: at fragment_table_start an index of 64-bit pointers to
 *	metadata blocks of entries {start_block (64), size (32), pending (32)}.
 *  uid/guid tables: plain arrays of 32-bit ids at uid_start and guid_start.
 *
 * Blocks are zlib streams in standard images; the vendor variants use LZMA
 * in the .lzma ("LZMA-alone") layout (5 bytes of properties, 8 of size), or
 * with the size left out. Which one is detected per image on its first
 * metadata block and stated in the variant ("3.1-le,lzma,shsq").
 *
 * SquashFS 2.x (squashfs_fs.h 2.x, as squashfs-tools keeps it for reading
 * old images) differs in: the 32-bit table pointers of the superblock's first
 * words and fragment_table_start_2; a 4-byte inode base (no mtime, no inode
 * number; mtime only in dir and file inodes, no link counts; see
 * read_inode2()); 4-byte directory headers count:8 start_block:24 and 3-byte
 * entries without inode numbers; 8-byte fragment entries (32-bit start) under
 * a 32-bit index. 1.x is reported as unsupported, not guessed at.
 *
 * Metadata may be all stored (flag SQUASHFS_NOI): the compressor is then
 * told by the first compressed data block.
 *
 * Written by hand: libsquashfs reads only 4.0, and no Debian library reads
 * 2.x or 3.x.
 *
 * The inode and directory tables are decompressed once, whole, into the
 * container's context (bounded by the scan's budget for one file); files are
 * read lazily by a loader, each call with its own decoders.
 */
#include <inttypes.h>
#include <lzma.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define SUPER3_LEN     119
#define META_SIZE      8192
#define FRAG_ENTRY_LEN 16
#define DIR_HDR_LEN    9 /* count:8, then start_block and inode_number, packed */
#define MAX_DIR_DEPTH  256
#define INVALID_FRAG   0xffffffffu
#define FLAG_CHECK     (1u << 2)
#define BLOCK_STORED   (1u << 24)
#define META_STORED    0x8000u
#define PAD            4096
#define FRAG_SLOTS     4

enum { T_DIR = 1, T_REG, T_SYMLINK, T_BLK, T_CHR, T_FIFO, T_SOCK, T_LDIR, T_LREG };
enum { C_ZLIB = 1, C_LZMA_ALONE, C_LZMA_NOSIZE };

struct magic_name {
	char m[5];
};

/* A metadata table decompressed whole: pos[i] is block i's on-disk offset
 * from the table start, at[i] where its bytes begin in buf. */
struct table {
	uint8_t *buf;
	size_t len, cap;
	uint64_t *pos;
	size_t *at;
	size_t nblocks;
	bool cut; /* ended at a damaged block or the budget */
};

struct sq3file {
	uint64_t start; /* first data block */
	uint64_t size;
	uint32_t frag, frag_off;
	size_t blist; /* offset of the block list in the inode table */
	uint64_t nblocks;
};

struct sq3 {
	iota_blob *blob;
	const uint8_t *d;
	size_t len; /* bytes of the image there are (<= bytes_used) */
	int be;
	int comp;
	unsigned major, minor;
	uint32_t block_size, flags;
	uint64_t bytes_used, inode_start, dir_start, frag_start, uid_start, guid_start,
	    lookup_start;
	uint32_t nfrags, no_uids, no_guids;
	uint64_t root;
	char magic[5];
	bool comp_unknown; /* a compressed block decodes with no known compressor */
	struct table inodes, dirs;
	uint8_t *frags; /* nfrags_read entries of FRAG_ENTRY_LEN */
	size_t nfrags_read;
	struct sq3file *files;
	size_t nfiles, capfiles;
	/* decompressed fragment blocks, shared by the loaders: the small files of
	 * a directory share one and are loaded one after the other */
	pthread_mutex_t lock;
	struct {
		uint32_t index; /* INVALID_FRAG: empty */
		uint64_t used;
		iota_blob *blob;
	} fcache[FRAG_SLOTS];
	uint64_t ftick;
};

static bool ld16(const struct sq3 *c, const uint8_t *b, size_t len, size_t off, uint16_t *v)
{
	return c->be ? iota_ld_u16be(b, len, off, v) : iota_ld_u16le(b, len, off, v);
}

static bool ld32(const struct sq3 *c, const uint8_t *b, size_t len, size_t off, uint32_t *v)
{
	return c->be ? iota_ld_u32be(b, len, off, v) : iota_ld_u32le(b, len, off, v);
}

static bool ld64(const struct sq3 *c, const uint8_t *b, size_t len, size_t off, uint64_t *v)
{
	return c->be ? iota_ld_u64be(b, len, off, v) : iota_ld_u64le(b, len, off, v);
}

static void sq3_free(void *p)
{
	struct sq3 *c = p;
	if (!c)
		return;
	iota_blob_unref(c->blob);
	iota_free(c->inodes.buf);
	iota_free(c->inodes.pos);
	iota_free(c->inodes.at);
	iota_free(c->dirs.buf);
	iota_free(c->dirs.pos);
	iota_free(c->dirs.at);
	iota_free(c->frags);
	iota_free(c->files);
	for (int i = 0; i < FRAG_SLOTS; i++)
		iota_blob_unref(c->fcache[i].blob);
	pthread_mutex_destroy(&c->lock);
	iota_free(c);
}

static bool frag_entry(const struct sq3 *c, uint32_t i, uint64_t *start, uint32_t *w);

/* ---- superblock ---- */

static const char *const std_magics[] = {"hsqs", "sqsh"};
static const char *const vendor_magics[] = {"shsq", "qshs", "tqsh", "hsqt", "sqlz"};

static bool known_magic(const uint8_t *d, size_t len, bool *vendor)
{
	for (size_t i = 0; i < 2; i++)
		if (iota_ld_match(d, len, 0, std_magics[i], 4)) {
			*vendor = false;
			return true;
		}
	for (size_t i = 0; i < sizeof vendor_magics / sizeof vendor_magics[0]; i++)
		if (iota_ld_match(d, len, 0, vendor_magics[i], 4)) {
			*vendor = true;
			return true;
		}
	return false;
}

/* Reads the superblock; 0 if it is not a SquashFS 3.x one. *major is set
 * for 1.x/2.x/4.x too (with a 0 return) so that unpack can say which. */
static int super_read(struct sq3 *c, const uint8_t *d, size_t len, unsigned *major)
{
	bool vendor;
	*major = 0;
	if (!known_magic(d, len, &vendor))
		return 0;
	/* the byte order: the standard magics say it; otherwise the version does */
	uint16_t maj_le = 0, maj_be = 0;
	iota_ld_u16le(d, len, 28, &maj_le);
	iota_ld_u16be(d, len, 28, &maj_be);
	if (iota_ld_match(d, len, 0, "hsqs", 4))
		c->be = 0;
	else if (iota_ld_match(d, len, 0, "sqsh", 4))
		c->be = 1;
	else if (maj_le >= 1 && maj_le <= 4)
		c->be = 0;
	else if (maj_be >= 1 && maj_be <= 4)
		c->be = 1;
	else
		return 0;
	uint16_t major16, minor16, block_log;
	uint8_t flags, no_uids, no_guids;
	if (!ld16(c, d, len, 28, &major16) || !ld16(c, d, len, 30, &minor16) ||
	    !ld16(c, d, len, 34, &block_log) || !iota_ld_u8(d, len, 36, &flags) ||
	    !iota_ld_u8(d, len, 37, &no_uids) || !iota_ld_u8(d, len, 38, &no_guids))
		return 0;
	*major = major16;
	if ((major16 != 3 && major16 != 2) || minor16 > 1)
		return 0;
	if (!ld64(c, d, len, 43, &c->root) || !ld32(c, d, len, 51, &c->block_size) ||
	    !ld32(c, d, len, 55, &c->nfrags))
		return 0;
	if (major16 == 3) {
		if (!ld64(c, d, len, 63, &c->bytes_used) || !ld64(c, d, len, 71, &c->uid_start) ||
		    !ld64(c, d, len, 79, &c->guid_start) || !ld64(c, d, len, 87, &c->inode_start) ||
		    !ld64(c, d, len, 95, &c->dir_start) || !ld64(c, d, len, 103, &c->frag_start) ||
		    !ld64(c, d, len, 111, &c->lookup_start))
			return 0;
	} else {
		/* 2.x: the 32-bit fields of the first words, and fragment_table_start_2 */
		uint32_t v[6];
		static const size_t at[6] = {8, 12, 16, 20, 24, 59};
		for (int i = 0; i < 6; i++)
			if (!ld32(c, d, len, at[i], &v[i]))
				return 0;
		c->bytes_used = v[0];
		c->uid_start = v[1];
		c->guid_start = v[2];
		c->inode_start = v[3];
		c->dir_start = v[4];
		c->frag_start = v[5];
		c->lookup_start = UINT64_MAX;
	}
	c->major = major16;
	c->minor = minor16;
	c->flags = flags;
	c->no_uids = no_uids;
	c->no_guids = no_guids;
	memcpy(c->magic, d, 4);
	c->magic[4] = '\0';
	for (int i = 0; i < 4; i++)
		if (c->magic[i] < 'a' || c->magic[i] > 'z')
			c->magic[i] = '?';
	if (c->block_size < 4096 || c->block_size > (1u << 20) || block_log >= 32 ||
	    c->block_size != 1u << block_log)
		return 0;
	if (c->bytes_used < SUPER3_LEN || c->inode_start < SUPER3_LEN ||
	    c->inode_start >= c->dir_start || c->dir_start >= c->bytes_used ||
	    (c->root >> 16) >= c->dir_start - c->inode_start)
		return 0;
	return 1;
}

static int probe_squashfs3(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	struct sq3 c = {0};
	unsigned major;
	bool vendor = false;
	known_magic(head, head_len, &vendor);
	if (!super_read(&c, head, head_len, &major)) {
		/* 1.x is claimed to say clearly it is not read */
		uint16_t minor;
		if (major == 1 &&
		    (c.be ? iota_ld_u16be : iota_ld_u16le)(head, head_len, 30, &minor) &&
		    minor <= 1)
			return 60;
		return 0;
	}
	if (c.bytes_used > total_len + PAD)
		return 60; /* cut short: still ours, unpack says what is lost */
	return vendor ? 90 : 95;
}

/* ---- blocks ---- */

/* Decodes src into dst (at most dlen bytes); returns the bytes made, -1 on error. */
static long decode_zlib(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	if (slen > UINT32_MAX || dlen > UINT32_MAX)
		return -1;
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit(&zs) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)slen;
	zs.next_out = dst;
	zs.avail_out = (uInt)dlen;
	int r = inflate(&zs, Z_FINISH);
	long made = (long)(dlen - zs.avail_out);
	inflateEnd(&zs);
	return r == Z_STREAM_END ? made : -1;
}

static long decode_lzma_alone(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	/* a dictionary of at most 64 MiB: 3.x blocks are at most 1 MiB */
	if (lzma_alone_decoder(&s, (uint64_t)128 << 20) != LZMA_OK)
		return -1;
	s.next_in = src;
	s.avail_in = slen;
	s.next_out = dst;
	s.avail_out = dlen;
	lzma_ret r = LZMA_OK;
	while (r == LZMA_OK && s.avail_out > 0 && s.avail_in > 0)
		r = lzma_code(&s, LZMA_FINISH);
	long made = (long)(dlen - s.avail_out);
	lzma_end(&s);
	/* an encoder that knew the size writes no end marker: a full output, or
	 * all input used, is success */
	if (r == LZMA_STREAM_END || (r == LZMA_OK && made > 0))
		return made;
	if (r == LZMA_BUF_ERROR && made > 0)
		return made;
	return -1;
}

/* LZMA with its 5 bytes of properties but no size: the 8 size bytes of the
 * .lzma layout are put back as "unknown". */
static long decode_lzma_nosize(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	if (slen < 5 || slen > (size_t)4 << 20)
		return -1;
	uint8_t *tmp = iota_malloc(slen + 8);
	if (!tmp)
		return -1;
	memcpy(tmp, src, 5);
	memset(tmp + 5, 0xff, 8);
	memcpy(tmp + 13, src + 5, slen - 5);
	long r = decode_lzma_alone(tmp, slen + 8, dst, dlen);
	iota_free(tmp);
	return r;
}

static long decode(int comp, const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
	switch (comp) {
	case C_ZLIB:
		return decode_zlib(src, slen, dst, dlen);
	case C_LZMA_ALONE:
		return decode_lzma_alone(src, slen, dst, dlen);
	case C_LZMA_NOSIZE:
		return decode_lzma_nosize(src, slen, dst, dlen);
	default:
		return -1;
	}
}

/* The compressor of the image, from one compressed block that decodes to at
 * most cap bytes; 0 if none fits, -1 if out of memory. */
static int detect_comp(const uint8_t *src, size_t slen, size_t cap)
{
	uint8_t *out = iota_malloc(cap);
	if (!out)
		return -1;
	uint8_t b0 = 0, b1 = 0;
	iota_ld_u8(src, slen, 0, &b0);
	iota_ld_u8(src, slen, 1, &b1);
	int comp = 0;
	if ((b0 & 0x0f) == 8 && ((unsigned)b0 << 8 | b1) % 31 == 0 &&
	    decode_zlib(src, slen, out, cap) > 0)
		comp = C_ZLIB;
	/* .lzma properties: lc + lp * 9 + pb * 45 < 225 */
	else if (b0 < 225 && decode_lzma_alone(src, slen, out, cap) > 0)
		comp = C_LZMA_ALONE;
	else if (b0 < 225 && decode_lzma_nosize(src, slen, out, cap) > 0)
		comp = C_LZMA_NOSIZE;
	iota_free(out);
	return comp;
}

/* The metadata block at off: its payload and whether it is stored. */
static bool meta_header(const struct sq3 *c, uint64_t off, size_t *payload, size_t *plen,
                        bool *stored)
{
	uint16_t h;
	if (off > c->len || !ld16(c, c->d, c->len, (size_t)off, &h))
		return false;
	size_t p = (size_t)off + 2 + ((c->flags & FLAG_CHECK) ? 1 : 0);
	size_t n = h & 0x7fff;
	if (n == 0 || n > META_SIZE || p > c->len || n > c->len - p)
		return false;
	*payload = p;
	*plen = n;
	*stored = (h & META_STORED) != 0;
	return true;
}

/* Decompresses the metadata blocks in [start, end) into t, up to budget bytes. */
static iota_rc read_table(struct sq3 *c, uint64_t start, uint64_t end, uint64_t budget,
                          struct table *t)
{
	size_t cap = 0;
	uint64_t off = start;
	uint8_t block[META_SIZE];
	while (off < end) {
		size_t p, n;
		bool stored;
		if (!meta_header(c, off, &p, &n, &stored)) {
			t->cut = true;
			break;
		}
		long made;
		if (stored) {
			memcpy(block, c->d + p, n);
			made = (long)n;
		} else {
			if (!c->comp) {
				c->comp = detect_comp(c->d + p, n, META_SIZE);
				if (c->comp < 0)
					return IOTA_NOMEM;
				if (!c->comp)
					c->comp_unknown = true;
			}
			made = decode(c->comp, c->d + p, n, block, sizeof block);
		}
		if (made <= 0 || t->len + (size_t)made > budget) {
			t->cut = true;
			break;
		}
		if (t->nblocks == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			uint64_t *np = iota_realloc(t->pos, ncap * sizeof *np);
			if (!np)
				return IOTA_NOMEM;
			t->pos = np;
			size_t *na = iota_realloc(t->at, ncap * sizeof *na);
			if (!na)
				return IOTA_NOMEM;
			t->at = na;
			cap = ncap;
		}
		if (t->len + (size_t)made > t->cap) {
			size_t ncap = t->cap ? t->cap * 2 : 64 * 1024;
			while (ncap < t->len + (size_t)made)
				ncap *= 2;
			uint8_t *nb = iota_realloc(t->buf, ncap);
			if (!nb)
				return IOTA_NOMEM;
			t->buf = nb;
			t->cap = ncap;
		}
		memcpy(t->buf + t->len, block, (size_t)made);
		t->pos[t->nblocks] = off - start;
		t->at[t->nblocks] = t->len;
		t->nblocks++;
		t->len += (size_t)made;
		off = p + n;
	}
	return IOTA_OK;
}

/* Where (block, offset) of table t is in t->buf; false if no such block. */
static bool table_at(const struct table *t, uint64_t block, uint32_t offset, size_t *at)
{
	size_t lo = 0, hi = t->nblocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->pos[mid] < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= t->nblocks || t->pos[lo] != block || offset > t->len - t->at[lo])
		return false;
	*at = t->at[lo] + offset;
	return true;
}

/* ---- inodes ---- */

struct inode {
	unsigned type;
	uint32_t mode, uid, gid, mtime, ino;
	/* dir */
	uint64_t dir_size;
	uint32_t dir_block, dir_off;
	/* reg */
	uint64_t start, size;
	uint32_t frag, frag_off;
	size_t blist;
	/* symlink */
	size_t link_at;
	uint16_t link_len;
	/* dev */
	uint16_t rdev;
};

static uint32_t id_of(const struct sq3 *c, uint64_t table, uint32_t n, uint32_t idx)
{
	uint32_t v = 0;
	if (idx >= n || table > c->len ||
	    !ld32(c, c->d, c->len, (size_t)table + 4 * (size_t)idx, &v))
		return 0;
	return v;
}

/* 24 bits in the image's byte order (2.x directory start blocks). */
static bool ld24(const struct sq3 *c, const uint8_t *b, size_t len, size_t off, uint32_t *v)
{
	uint8_t x[3];
	if (!iota_ld_bytes(b, len, off, x, 3))
		return false;
	*v = c->be ? (uint32_t)x[0] << 16 | (uint32_t)x[1] << 8 | x[2]
	           : (uint32_t)x[2] << 16 | (uint32_t)x[1] << 8 | x[0];
	return true;
}

/* The type-specific part of a 2.x inode at p (after the 4-byte base):
 * squashfs_fs.h 2.x has no link counts nor inode numbers, and keeps mtime
 * only in directory and file inodes:
 *	dir:  file_size:19 offset:13, mtime, start_block:24
 *	ldir: file_size:27 offset:13, mtime, start_block:24, i_count:16, index[]
 *	reg:  mtime, start_block (32), fragment, offset, file_size, block_list[]
 *	symlink: symlink_size (16), symlink[]   dev: rdev (16)   ipc: nothing */
static const char *read_inode2(const struct sq3 *c, const uint8_t *b, size_t len, size_t p,
                               struct inode *in)
{
	uint32_t w, start32, sz32;
	uint8_t b5[5];
	switch (in->type) {
	case T_DIR:
		if (!ld32(c, b, len, p, &w) || !ld32(c, b, len, p + 4, &in->mtime) ||
		    !ld24(c, b, len, p + 8, &in->dir_block))
			return "directory inode cut short";
		in->dir_size = c->be ? w >> 13 : w & 0x7ffff;
		in->dir_off = c->be ? w & 0x1fff : w >> 19;
		return NULL;
	case T_LDIR: {
		if (!iota_ld_bytes(b, len, p, b5, 5) || !ld32(c, b, len, p + 5, &in->mtime) ||
		    !ld24(c, b, len, p + 9, &in->dir_block))
			return "directory inode cut short";
		uint64_t v = 0;
		for (int i = 0; i < 5; i++)
			v = c->be ? v << 8 | b5[i] : v | (uint64_t)b5[i] << (8 * i);
		in->dir_size = c->be ? v >> 13 : v & 0x7ffffff;
		in->dir_off = (uint32_t)(c->be ? v & 0x1fff : v >> 27);
		return NULL;
	}
	case T_REG:
		if (!ld32(c, b, len, p, &in->mtime) || !ld32(c, b, len, p + 4, &start32) ||
		    !ld32(c, b, len, p + 8, &in->frag) || !ld32(c, b, len, p + 12, &in->frag_off) ||
		    !ld32(c, b, len, p + 16, &sz32))
			return "file inode cut short";
		in->start = start32;
		in->size = sz32;
		in->blist = p + 20;
		return NULL;
	case T_SYMLINK:
		if (!ld16(c, b, len, p, &in->link_len) || p + 2 > len ||
		    in->link_len > len - (p + 2))
			return "symlink inode cut short";
		in->link_at = p + 2;
		return NULL;
	case T_BLK:
	case T_CHR:
		if (!ld16(c, b, len, p, &in->rdev))
			return "device inode cut short";
		return NULL;
	case T_FIFO:
	case T_SOCK:
		return NULL;
	default:
		return "unknown inode type";
	}
}

static const char *read_inode(const struct sq3 *c, uint64_t ref, struct inode *in)
{
	const struct table *t = &c->inodes;
	size_t a;
	if (!table_at(t, ref >> 16, (uint32_t)(ref & 0xffff), &a))
		return "inode reference outside the inode table";
	const uint8_t *b = t->buf;
	size_t len = t->len;
	uint16_t tm;
	uint8_t uid, guid;
	memset(in, 0, sizeof *in);
	if (!ld16(c, b, len, a, &tm) || !iota_ld_u8(b, len, a + 2, &uid) ||
	    !iota_ld_u8(b, len, a + 3, &guid))
		return "inode cut short";
	in->type = c->be ? tm >> 12 : tm & 0xf;
	in->mode = c->be ? tm & 0xfff : tm >> 4;
	in->uid = id_of(c, c->uid_start, c->no_uids, uid);
	in->gid = guid == 255 ? in->uid : id_of(c, c->guid_start, c->no_guids, guid);
	if (c->major == 2)
		return read_inode2(c, b, len, a + 4, in);
	if (!ld32(c, b, len, a + 4, &in->mtime) || !ld32(c, b, len, a + 8, &in->ino))
		return "inode cut short";
	size_t p = a + 12;
	uint32_t w, sz32;
	uint8_t b5[5];
	switch (in->type) {
	case T_DIR:
		if (!ld32(c, b, len, p + 4, &w) || !ld32(c, b, len, p + 8, &in->dir_block))
			return "directory inode cut short";
		in->dir_size = c->be ? w >> 13 : w & 0x7ffff;
		in->dir_off = c->be ? w & 0x1fff : w >> 19;
		return NULL;
	case T_LDIR: {
		if (!iota_ld_bytes(b, len, p + 4, b5, 5) || !ld32(c, b, len, p + 9, &in->dir_block))
			return "directory inode cut short";
		uint64_t v = 0;
		for (int i = 0; i < 5; i++)
			v = c->be ? v << 8 | b5[i] : v | (uint64_t)b5[i] << (8 * i);
		in->dir_size = c->be ? v >> 13 : v & 0x7ffffff;
		in->dir_off = (uint32_t)(c->be ? v & 0x1fff : v >> 27);
		return NULL;
	}
	case T_REG:
		if (!ld64(c, b, len, p, &in->start) || !ld32(c, b, len, p + 8, &in->frag) ||
		    !ld32(c, b, len, p + 12, &in->frag_off) || !ld32(c, b, len, p + 16, &sz32))
			return "file inode cut short";
		in->size = sz32;
		in->blist = p + 20;
		return NULL;
	case T_LREG:
		if (!ld64(c, b, len, p + 4, &in->start) || !ld32(c, b, len, p + 12, &in->frag) ||
		    !ld32(c, b, len, p + 16, &in->frag_off) || !ld64(c, b, len, p + 20, &in->size))
			return "file inode cut short";
		in->blist = p + 28;
		return NULL;
	case T_SYMLINK:
		if (!ld16(c, b, len, p + 4, &in->link_len) ||
		    !iota_ld_match(b, len, p + 6, "", 0) || in->link_len > len - (p + 6))
			return "symlink inode cut short";
		in->link_at = p + 6;
		return NULL;
	case T_BLK:
	case T_CHR:
		if (!ld16(c, b, len, p + 4, &in->rdev))
			return "device inode cut short";
		return NULL;
	case T_FIFO:
	case T_SOCK:
		return NULL;
	default:
		return "unknown inode type";
	}
}

/* ---- file content ---- */

static uint64_t blocks_of(const struct sq3 *c, uint64_t size, uint32_t frag)
{
	uint64_t n = size / c->block_size;
	if (frag == INVALID_FRAG && size % c->block_size)
		n++;
	return n;
}

/* Decodes the data or fragment block (size word w at off) into out (cap bytes). */
static long read_block(const struct sq3 *c, uint64_t off, uint32_t w, uint8_t *out, size_t cap)
{
	size_t n = w & ~BLOCK_STORED;
	if (n == 0) {
		memset(out, 0, cap);
		return (long)cap;
	}
	if (n > c->block_size + (c->block_size >> 4) + 64 || off > c->len || n > c->len - off)
		return -1;
	if (w & BLOCK_STORED) {
		size_t m = n < cap ? n : cap;
		memcpy(out, c->d + off, m);
		return (long)m;
	}
	return decode(c->comp, c->d + off, n, out, cap);
}

/* A new reference to fragment block i if it is cached, else NULL. */
static iota_blob *frag_get(struct sq3 *c, uint32_t i)
{
	iota_blob *b = NULL;
	pthread_mutex_lock(&c->lock);
	for (int k = 0; k < FRAG_SLOTS; k++)
		if (c->fcache[k].index == i && c->fcache[k].blob) {
			c->fcache[k].used = ++c->ftick;
			b = iota_blob_ref(c->fcache[k].blob);
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return b;
}

/* Caches a copy of the n decompressed bytes of fragment block i (in the least
 * recently used slot); returns a new reference to it, NULL if out of memory.
 * Two loaders missing the same block at once both decompress it: harmless. */
static iota_blob *frag_put(struct sq3 *c, uint32_t i, const uint8_t *data, size_t n)
{
	iota_blob *b = iota_blob_copy(data, n);
	if (!b)
		return NULL;
	pthread_mutex_lock(&c->lock);
	int victim = 0;
	for (int k = 1; k < FRAG_SLOTS; k++)
		if (c->fcache[k].used < c->fcache[victim].used)
			victim = k;
	iota_blob_unref(c->fcache[victim].blob);
	c->fcache[victim].blob = iota_blob_ref(b);
	c->fcache[victim].index = i;
	c->fcache[victim].used = ++c->ftick;
	pthread_mutex_unlock(&c->lock);
	return b;
}

static iota_rc sq3_load(iota_scan *s, iota_node *n, iota_blob **out)
{
	struct sq3 *c = n->container ? n->container->cctx : NULL;
	*out = NULL;
	if (!c || n->load_arg >= c->nfiles)
		return IOTA_CORRUPT;
	const struct sq3file *f = &c->files[n->load_arg];
	uint64_t want = f->size, budget = iota_scan_file_budget(s);
	iota_rc rc = IOTA_OK;
	if (want > budget) {
		want = budget;
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_scan_limit(s, "file-size", n,
			                "squashfs file of %" PRIu64 " bytes cut to the %" PRIu64
			                " bytes that may be unpacked for one file",
			                f->size, budget);
		rc = IOTA_LIMIT;
	}
	uint8_t *buf = iota_calloc(1, want ? (size_t)want : 1);
	uint8_t *tmp = iota_malloc(c->block_size);
	if (!buf || !tmp) {
		iota_free(buf);
		iota_free(tmp);
		return IOTA_NOMEM;
	}
	uint64_t done = 0, off = f->start;
	size_t bad = 0;
	for (uint64_t i = 0; i < f->nblocks && done < want; i++) {
		uint32_t w;
		if (!ld32(c, c->inodes.buf, c->inodes.len, f->blist + 4 * (size_t)i, &w)) {
			bad++;
			break;
		}
		size_t expect = c->block_size;
		if (want - done < expect)
			expect = (size_t)(want - done);
		long got = read_block(c, off, w, tmp, c->block_size);
		if (got < (long)expect)
			bad++;
		else
			memcpy(buf + done, tmp, expect);
		done += expect;
		off += w & ~BLOCK_STORED;
	}
	if (done < want && f->frag != INVALID_FRAG) {
		uint64_t fstart;
		uint32_t fw;
		iota_blob *fb = frag_get(c, f->frag);
		size_t need = (size_t)(want - done);
		if (!fb && frag_entry(c, f->frag, &fstart, &fw)) {
			long got = read_block(c, fstart, fw, tmp, c->block_size);
			if (got >= 0)
				fb = frag_put(c, f->frag, tmp, (size_t)got);
		}
		if (!fb || f->frag_off > fb->len || need > fb->len - f->frag_off)
			bad++;
		else
			memcpy(buf + done, fb->data + f->frag_off, need);
		iota_blob_unref(fb);
		done = want;
	}
	iota_free(tmp);
	if ((bad || done < want) && rc == IOTA_OK) {
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
			                 "squashfs 3 file: %zu block%s could not be read; zeros in "
			                 "their place",
			                 bad ? bad : 1, bad == 1 ? "" : "s");
		rc = IOTA_WARN;
	}
	*out = iota_blob_take(buf, (size_t)want);
	return *out ? rc : IOTA_NOMEM;
}

static const iota_loader sq3_loader = {.load = sq3_load};

/* ---- the tree ---- */

struct walk {
	iota_unpack_job *job;
	iota_scan *s;
	struct sq3 *c;
	uint64_t *seen; /* directory inode refs entered */
	size_t nseen, capseen;
	size_t bad, loops, badnames, added;
	iota_rc rc;
	bool stop;
	char path[IOTA_MAX_PATH];
};

/* True if the directory inode ref was entered before; remembers it. An open
 * addressing set (refs + 1, so 0 is empty), grown at half full: a crafted
 * image may hold very many directories. Out of memory counts as seen. */
static bool seen_dir(struct walk *w, uint64_t ref)
{
	uint64_t key = ref + 1;
	if ((w->nseen + 1) * 2 > w->capseen) {
		size_t ncap = w->capseen ? w->capseen * 2 : 256;
		uint64_t *ns = iota_calloc(ncap, sizeof *ns);
		if (!ns)
			return true;
		for (size_t i = 0; i < w->capseen; i++) {
			if (!w->seen[i])
				continue;
			size_t h = (size_t)(w->seen[i] * 0x9e3779b97f4a7c15ull) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = w->seen[i];
		}
		iota_free(w->seen);
		w->seen = ns;
		w->capseen = ncap;
	}
	size_t h = (size_t)(key * 0x9e3779b97f4a7c15ull) & (w->capseen - 1);
	while (w->seen[h]) {
		if (w->seen[h] == key)
			return true;
		h = (h + 1) & (w->capseen - 1);
	}
	w->seen[h] = key;
	w->nseen++;
	return false;
}

static void set_meta(iota_node *n, const struct inode *in)
{
	n->mode = in->mode & 07777;
	n->uid = in->uid;
	n->gid = in->gid;
	n->mtime = in->mtime;
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
}

static void walk_dir(struct walk *w, const struct inode *dir, size_t path_len, unsigned depth);

static void add_entry(struct walk *w, uint64_t ref, size_t len, unsigned depth)
{
	struct inode in;
	const char *why = read_inode(w->c, ref, &in);
	if (why) {
		w->bad++;
		return;
	}
	iota_node_kind kind;
	switch (in.type) {
	case T_DIR:
	case T_LDIR:
		kind = IOTA_NODE_DIR;
		if (seen_dir(w, ref)) {
			w->loops++;
			return;
		}
		break;
	case T_SYMLINK:
		kind = IOTA_NODE_SYMLINK;
		break;
	case T_BLK:
		kind = IOTA_NODE_BLK;
		break;
	case T_CHR:
		kind = IOTA_NODE_CHR;
		break;
	case T_FIFO:
		kind = IOTA_NODE_FIFO;
		break;
	case T_SOCK:
		kind = IOTA_NODE_SOCK;
		break;
	default:
		kind = IOTA_NODE_FILE;
	}
	iota_node *n = iota_vfs_add(w->s, w->job->root, w->path, len, kind);
	if (!n) {
		w->stop = true;
		return;
	}
	w->added++;
	set_meta(n, &in);
	struct sq3 *c = w->c;
	switch (in.type) {
	case T_DIR:
	case T_LDIR:
		walk_dir(w, &in, len, depth + 1);
		break;
	case T_SYMLINK:
		iota_node_set_link(w->s, n, (const char *)c->inodes.buf + in.link_at,
		                   in.link_len > IOTA_MAX_LINK ? IOTA_MAX_LINK : in.link_len);
		break;
	case T_BLK:
	case T_CHR:
		n->dev_major = in.rdev >> 8;
		n->dev_minor = in.rdev & 0xff;
		break;
	case T_REG:
	case T_LREG: {
		uint64_t nb = blocks_of(c, in.size, in.frag);
		if (in.blist > c->inodes.len || nb > (c->inodes.len - in.blist) / 4) {
			w->bad++;
			atomic_fetch_or(&n->flags, IOTA_NF_UNREADABLE);
			break;
		}
		if (c->nfiles == c->capfiles) {
			size_t ncap = c->capfiles ? c->capfiles * 2 : 256;
			struct sq3file *nf = iota_realloc(c->files, ncap * sizeof *nf);
			if (!nf) {
				w->rc = IOTA_NOMEM;
				w->stop = true;
				return;
			}
			c->files = nf;
			c->capfiles = ncap;
		}
		if (!c->comp && nb > 0) {
			/* metadata all stored (SQUASHFS_NOI): the first compressed data block says
			 */
			uint32_t w0;
			if (ld32(c, c->inodes.buf, c->inodes.len, in.blist, &w0) &&
			    !(w0 & BLOCK_STORED) && (w0 & ~BLOCK_STORED) != 0 &&
			    in.start < c->len && (w0 & ~BLOCK_STORED) <= c->len - in.start) {
				int k =
				    detect_comp(c->d + in.start, w0 & ~BLOCK_STORED, c->block_size);
				if (k > 0)
					c->comp = k;
				else if (k == 0)
					c->comp_unknown = true;
			}
		}
		c->files[c->nfiles] = (struct sq3file){.start = in.start,
		                                       .size = in.size,
		                                       .frag = in.frag,
		                                       .frag_off = in.frag_off,
		                                       .blist = in.blist,
		                                       .nblocks = nb};
		n->size = in.size;
		iota_node_set_loader(n, &sq3_loader, c->nfiles, NULL);
		c->nfiles++;
		break;
	}
	default:
		break;
	}
}

static void walk_dir(struct walk *w, const struct inode *dir, size_t path_len, unsigned depth)
{
	if (depth > MAX_DIR_DEPTH) {
		w->loops++;
		return;
	}
	const struct sq3 *c = w->c;
	const struct table *t = &c->dirs;
	size_t a;
	if (dir->dir_size <= 3)
		return; /* empty: the size counts 3 bytes for "." and ".." */
	if (!table_at(t, dir->dir_block, dir->dir_off, &a)) {
		w->bad++;
		return;
	}
	/* read up to the size; a listing ends where no whole header is left */
	uint64_t left = dir->dir_size;
	if (left > t->len - a) {
		/* the 3 bytes counted for "." and ".." may lie past the table's end */
		if (left - (t->len - a) > 3)
			w->bad++;
		left = t->len - a;
	}
	size_t end = a + (size_t)left;
	size_t hdr_len = c->major == 2 ? 4 : DIR_HDR_LEN, ent_len = c->major == 2 ? 3 : 5;
	while (a + hdr_len < end && !w->stop) {
		uint8_t cnt;
		uint32_t start, hino, hw;
		if (c->major == 2) {
			/* count:8 start_block:24 */
			if (!ld32(c, t->buf, end, a, &hw)) {
				w->bad++;
				return;
			}
			cnt = (uint8_t)(c->be ? hw >> 24 : hw & 0xff);
			start = c->be ? hw & 0xffffff : hw >> 8;
		} else if (!iota_ld_u8(t->buf, end, a, &cnt) ||
		           !ld32(c, t->buf, end, a + 1, &start) ||
		           !ld32(c, t->buf, end, a + 5, &hino)) {
			w->bad++;
			return;
		}
		a += hdr_len;
		uint32_t count = (uint32_t)cnt + 1;
		for (uint32_t i = 0; i < count && !w->stop; i++) {
			if (iota_scan_should_stop(w->s)) {
				w->rc = IOTA_LIMIT;
				w->stop = true;
				return;
			}
			uint16_t ew;
			uint8_t size;
			if (!ld16(c, t->buf, end, a, &ew) ||
			    !iota_ld_u8(t->buf, end, a + 2, &size) || a + ent_len > end ||
			    (size_t)size + 1 > end - (a + ent_len)) {
				w->bad++;
				return;
			}
			uint32_t off = c->be ? ew >> 3 : ew & 0x1fff;
			const char *name = (const char *)t->buf + a + ent_len;
			size_t nl = (size_t)size + 1;
			a += ent_len + nl;
			if (memchr(name, '/', nl) || memchr(name, '\0', nl) ||
			    (nl == 1 && name[0] == '.') ||
			    (nl == 2 && name[0] == '.' && name[1] == '.') ||
			    path_len + 1 + nl >= sizeof w->path) {
				w->badnames++;
				continue;
			}
			size_t pl = path_len;
			if (pl)
				w->path[pl++] = '/';
			memcpy(w->path + pl, name, nl);
			pl += nl;
			w->path[pl] = '\0';
			add_entry(w, (uint64_t)start << 16 | off, pl, depth);
			w->path[path_len] = '\0';
		}
	}
}

/* ---- unpack ---- */

/* Where the directory table ends: the next table after it. */
static uint64_t dir_end(const struct sq3 *c)
{
	uint64_t end = c->bytes_used;
	uint64_t cand[4] = {c->frag_start, c->uid_start, c->guid_start, c->lookup_start};
	for (int i = 0; i < 4; i++)
		if (cand[i] > c->dir_start && cand[i] < end)
			end = cand[i];
	if (c->nfrags && c->frag_start < c->len) {
		uint64_t first;
		if (ld64(c, c->d, c->len, (size_t)c->frag_start, &first) && first > c->dir_start &&
		    first < end)
			end = first;
	}
	return end;
}

/* A fragment entry: start_block (64 in 3.x, 32 in 2.x), size, (pending). */
static size_t frag_entry_len(const struct sq3 *c)
{
	return c->major == 2 ? 8 : FRAG_ENTRY_LEN;
}

/* Where fragment block i starts and its size word. */
static bool frag_entry(const struct sq3 *c, uint32_t i, uint64_t *start, uint32_t *w)
{
	size_t el = frag_entry_len(c), len = c->nfrags_read * el;
	if (i >= c->nfrags_read)
		return false;
	if (c->major == 2) {
		uint32_t s32;
		if (!ld32(c, c->frags, len, (size_t)i * el, &s32))
			return false;
		*start = s32;
		return ld32(c, c->frags, len, (size_t)i * el + 4, w);
	}
	return ld64(c, c->frags, len, (size_t)i * el, start) &&
	       ld32(c, c->frags, len, (size_t)i * el + 8, w);
}

static void read_frags(struct sq3 *c, uint64_t budget, bool *bad)
{
	if (!c->nfrags)
		return;
	size_t elen = frag_entry_len(c), ilen = c->major == 2 ? 4 : 8;
	uint64_t bytes = (uint64_t)c->nfrags * elen;
	if (bytes > budget) {
		*bad = true;
		return;
	}
	uint64_t nidx = (bytes + META_SIZE - 1) / META_SIZE;
	c->frags = iota_calloc(1, (size_t)bytes);
	if (!c->frags) {
		*bad = true;
		return;
	}
	size_t got = 0;
	for (uint64_t i = 0; i < nidx; i++) {
		uint64_t at;
		size_t p, n;
		bool stored;
		uint32_t at32 = 0;
		bool ok = ilen == 8 ? ld64(c, c->d, c->len, (size_t)(c->frag_start + 8 * i), &at)
		                    : ld32(c, c->d, c->len, (size_t)(c->frag_start + 4 * i), &at32);
		if (ilen == 4)
			at = at32;
		if (!ok || !meta_header(c, at, &p, &n, &stored)) {
			*bad = true;
			break;
		}
		uint8_t block[META_SIZE];
		long made = stored ? (long)n : decode(c->comp, c->d + p, n, block, sizeof block);
		if (stored)
			memcpy(block, c->d + p, n);
		if (made <= 0) {
			*bad = true;
			break;
		}
		size_t m = (size_t)made;
		if (m > bytes - got)
			m = (size_t)(bytes - got);
		memcpy(c->frags + got, block, m);
		got += m;
	}
	c->nfrags_read = got / elen;
	if (c->nfrags_read < c->nfrags)
		*bad = true;
}

static void set_variant(iota_unpack_job *job, const struct sq3 *c)
{
	static const char *const cnames[] = {"stored", "zlib", "lzma", "lzma-nosize"};
	bool vendor = strcmp(c->magic, "hsqs") && strcmp(c->magic, "sqsh");
	snprintf(job->root->variant, sizeof job->root->variant, "%u.%u-%s,%s%s%s", c->major,
	         c->minor, c->be ? "be" : "le", cnames[c->comp >= 0 && c->comp <= 3 ? c->comp : 0],
	         vendor ? "," : "", vendor ? c->magic : "");
}

static iota_rc unpack_squashfs3(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	struct sq3 *c = iota_calloc(1, sizeof *c);
	if (!c)
		return IOTA_NOMEM;
	unsigned major;
	if (!super_read(c, job->data, job->len, &major)) {
		uint32_t used2 = 0;
		uint16_t minor = 0;
		(c->be ? iota_ld_u32be : iota_ld_u32le)(job->data, job->len, 8, &used2);
		(c->be ? iota_ld_u16be : iota_ld_u16le)(job->data, job->len, 30, &minor);
		int be = c->be;
		iota_free(c);
		if (major == 1) {
			snprintf(job->root->variant, sizeof job->root->variant, "%u.%u-%s", major,
			         minor, be ? "be" : "le");
			job->consumed = used2 <= job->len ? used2 : 0;
			iota_finding_add(s, "unpack.unsupported", IOTA_SEV_LOW, job->file,
			                 job->offset,
			                 "unsupported SquashFS %u.%u image at offset 0x%" PRIx64
			                 "; its files are not checked",
			                 major, minor, job->offset);
			return IOTA_WARN;
		}
		return iota_unpack_corrupt(job, "bad SquashFS 3 superblock");
	}
	pthread_mutex_init(&c->lock, NULL);
	for (int i = 0; i < FRAG_SLOTS; i++)
		c->fcache[i].index = INVALID_FRAG;
	c->d = job->data;
	c->len = c->bytes_used < job->len ? (size_t)c->bytes_used : job->len;
	c->blob = iota_blob_ref(job->blob);
	job->root->cctx = c;
	job->root->cctx_free = sq3_free;
	uint64_t padded = (c->bytes_used + PAD - 1) / PAD * PAD;
	job->consumed = padded <= job->len ? (size_t)padded : c->len;

	uint64_t budget = iota_scan_file_budget(s);
	iota_rc rc = read_table(c, c->inode_start, c->dir_start, budget, &c->inodes);
	if (rc == IOTA_OK)
		rc = read_table(c, c->dir_start, dir_end(c), budget, &c->dirs);
	set_variant(job, c);
	if (rc != IOTA_OK)
		return rc;
	if (c->comp_unknown && !c->comp)
		return iota_unpack_corrupt(job,
		                           "SquashFS %u.%u: its blocks are neither zlib nor LZMA",
		                           c->major, c->minor);
	bool frag_bad = false;
	read_frags(c, budget, &frag_bad);
	iota_scan_account(s, job->root, c->inodes.len + c->dirs.len);

	struct inode root;
	const char *why = read_inode(c, c->root, &root);
	if (!why && root.type != T_DIR && root.type != T_LDIR)
		why = "the root inode is not a directory";
	if (why)
		return iota_unpack_corrupt(job, "root directory: %s%s", why,
		                           c->bytes_used > job->len ? " (the image is cut short)"
		                                                    : "");
	struct walk *w = iota_calloc(1, sizeof *w);
	if (!w)
		return IOTA_NOMEM;
	w->job = job;
	w->s = s;
	w->c = c;
	set_meta(job->root, &root);
	seen_dir(w, c->root);
	walk_dir(w, &root, 0, 0);
	set_variant(job, c);
	rc = w->rc;
	bool damaged = false;
	if (c->bytes_used > job->len) {
		damaged = true;
		iota_finding_add(s, "unpack.truncated", IOTA_SEV_LOW, job->file, job->offset,
		                 "squashfs at offset 0x%" PRIx64 " is cut short: it needs %" PRIu64
		                 " bytes, %zu are there",
		                 job->offset, c->bytes_used, job->len);
	}
	if (c->inodes.cut || c->dirs.cut || w->bad) {
		damaged = true;
		iota_finding_add(
		    s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		    "squashfs %u.%u: %zu damaged inode%s or director%s skipped%s", c->major,
		    c->minor, w->bad, w->bad == 1 ? "" : "s", w->bad == 1 ? "y" : "ies",
		    c->inodes.cut || c->dirs.cut ? "; a metadata table ends early" : "");
	}
	if (frag_bad) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "squashfs %u.%u fragment table damaged; file tails in fragments "
		                 "cannot be read",
		                 c->major, c->minor);
	}
	if (w->loops || w->badnames) {
		damaged = true;
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "squashfs %u.%u: %zu directory loop%s and %zu bad name%s skipped",
		                 c->major, c->minor, w->loops, w->loops == 1 ? "" : "s",
		                 w->badnames, w->badnames == 1 ? "" : "s");
	}
	if (rc == IOTA_OK && damaged)
		rc = IOTA_WARN;
	size_t added = w->added;
	iota_free(w->seen);
	iota_free(w);
	if (!added && rc != IOTA_NOMEM && rc != IOTA_LIMIT && damaged)
		return iota_unpack_corrupt(job, "no member could be read");
	return rc;
}

/* The standard magics are squashfs 4's too: its probe and this one look at
 * the version and never both claim an image. */
static const iota_magic squashfs3_magics[] = {
    {"hsqs", 4, 0}, {"sqsh", 4, 0}, {"shsq", 4, 0}, {"qshs", 4, 0},
    {"tqsh", 4, 0}, {"hsqt", 4, 0}, {"sqlz", 4, 0},
};

const iota_unpacker iota_unpacker_squashfs3 = {
    .name = "squashfs3",
    .description = "SquashFS 2.x and 3.x (both byte orders; zlib or vendor LZMA, vendor magics)",
    .magics = squashfs3_magics,
    .nmagics = sizeof squashfs3_magics / sizeof squashfs3_magics[0],
    .probe = probe_squashfs3,
    .unpack = unpack_squashfs3,
};
