/*
 * CramFS images, little- and big-endian, read in memory.
 *
 * Specification: the Linux kernel's include/uapi/linux/cramfs_fs.h (struct
 * cramfs_super, struct cramfs_info, struct cramfs_inode, the CRAMFS_FLAG_*
 * and CRAMFS_BLK_FLAG_* bits) and fs/cramfs/inode.c (cramfs_read_folio: how
 * block pointers are followed, holes, the "extended" pointers), with
 * util-linux's disk-utils/cramfsck.c for the CRC rule.
 *
 *  - The 76-byte superblock sits at byte 0, or at byte 512 behind a boot pad
 *    (the kernel looks at both). Offsets and superblock.size count from the
 *    image's start, pad included.
 *  - magic 0x28cd3d45 in the image's byte order: cramfsswap turns whole
 *    images into the other order, so both are read here.
 *  - struct cramfs_inode is 12 bytes of C bit fields: mode:16 uid:16 /
 *    size:24 gid:8 / namelen:6 offset:26. On a little-endian host bit fields
 *    fill each 32-bit word from its least significant bit (mode = bits 0-15),
 *    on a big-endian host from its most significant bit (mode = bits 16-31),
 *    which is how cramfsswap rewrites them. Read as a 32-bit word in the
 *    image's byte order, the fields are therefore:
 *	LE: mode = w0 & 0xffff,  uid = w0 >> 16,  size = w1 & 0xffffff, gid = w1 >> 24,
 *	    namelen = w2 & 0x3f, offset = w2 >> 6
 *	BE: mode = w0 >> 16,     uid = w0 & 0xffff, size = w1 >> 8,     gid = w1 & 0xff,
 *	    namelen = w2 >> 26,  offset = w2 & 0x3ffffff
 *    namelen and offset count 4-byte units; names are NUL-padded.
 *  - A directory's offset points at its entries (inode + name, one after
 *    another, 'size' bytes in all). A file's offset points at a table of
 *    ceil(size / 4096) 32-bit block pointers, each giving the END of its
 *    zlib-compressed block; block 0 starts right after the table. A block of
 *    length 0 is a hole (zeros). A symlink is a file whose content is its
 *    target; a device node keeps the device number in 'size'.
 *  - With CRAMFS_FLAG_EXT_BLOCK_POINTERS, bit 31 of a pointer marks a block
 *    stored uncompressed and bit 30 a "direct" pointer: the block's START,
 *    shifted right by 2, with the compressed length in the block's first two
 *    bytes (or 4096 bytes when uncompressed, the file's tail for the last).
 *    A following non-direct block then starts after that direct block.
 *  - fsid.crc (with CRAMFS_FLAG_FSID_VERSION_2) is zlib's crc32 over
 *    the image from the superblock to byte superblock.size (so without a
 *    boot pad: util-linux's mkfs.cramfs), the crc field read as zero. A
 *    mismatch is reported and the image is read anyway.
 *
 * No Debian library reads CramFS (the kernel driver only mounts it), so the
 * format is decoded here by hand; blocks are inflated with zlib. Every read
 * goes through util/reader.h. Each directory offset is entered once, which
 * bounds loops and directories shared under many names. File content is
 * made lazily by a loader, bounded by iota_scan_file_budget(); the loader
 * keeps no shared state (each call has its own z_stream), so several
 * threads may load files of one image at once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define CRAMFS_MAGIC  0x28cd3d45u
#define SUPER_SIZE    76
#define PAD_SIZE      512
#define SIG_OFF       16
#define CRC_OFF       32
#define ROOT_OFF      64
#define INODE_SIZE    12
#define PAGE          4096u
#define MAX_DIR_DEPTH 256

/* include/uapi/linux/cramfs_fs.h */
#define FLAG_FSID_VERSION_2      0x00000001u
#define FLAG_HOLES               0x00000100u
#define FLAG_WRONG_SIGNATURE     0x00000200u
#define FLAG_SHIFTED_ROOT_OFFSET 0x00000400u
#define FLAG_EXT_BLOCK_POINTERS  0x00000800u
#define SUPPORTED_FLAGS                                                                            \
	(0xffu | FLAG_HOLES | FLAG_WRONG_SIGNATURE | FLAG_SHIFTED_ROOT_OFFSET |                    \
	 FLAG_EXT_BLOCK_POINTERS)
#define BLK_FLAG_UNCOMPRESSED (1u << 31)
#define BLK_FLAG_DIRECT_PTR   (1u << 30)
#define BLK_FLAGS             (BLK_FLAG_UNCOMPRESSED | BLK_FLAG_DIRECT_PTR)
#define BLK_DIRECT_PTR_SHIFT  2

static const char signature[16] = "Compressed ROMFS";

static const iota_magic cramfs_magics[] = {{"Compressed ROMFS", 16, SIG_OFF}};

/* The container's state, kept for the loader (read-only once unpack() has set it). */
struct cctx {
	iota_blob *blob; /* a reference to the bytes holding the image */
	const uint8_t *data;
	size_t len; /* bytes of the image present (at most superblock.size) */
	int be;
	uint32_t flags;
};

struct inode {
	uint32_t mode, uid, size, gid, namelen, offset;
};

static void cctx_free(void *p)
{
	struct cctx *c = p;
	iota_blob_unref(c->blob);
	iota_free(c);
}

static bool ld32(const uint8_t *d, size_t len, size_t off, int be, uint32_t *v)
{
	return be ? iota_ld_u32be(d, len, off, v) : iota_ld_u32le(d, len, off, v);
}

static bool ld16(const uint8_t *d, size_t len, size_t off, int be, uint16_t *v)
{
	return be ? iota_ld_u16be(d, len, off, v) : iota_ld_u16le(d, len, off, v);
}

/* struct cramfs_inode at off; see the header for the bit-field layout. */
static bool ld_inode(const uint8_t *d, size_t len, size_t off, int be, struct inode *ino)
{
	uint32_t w0, w1, w2;
	if (!ld32(d, len, off, be, &w0) || !ld32(d, len, off + 4, be, &w1) ||
	    !ld32(d, len, off + 8, be, &w2))
		return false;
	if (be) {
		ino->mode = w0 >> 16;
		ino->uid = w0 & 0xffff;
		ino->size = w1 >> 8;
		ino->gid = w1 & 0xff;
		ino->namelen = w2 >> 26;
		ino->offset = w2 & 0x3ffffff;
	} else {
		ino->mode = w0 & 0xffff;
		ino->uid = w0 >> 16;
		ino->size = w1 & 0xffffff;
		ino->gid = w1 >> 24;
		ino->namelen = w2 & 0x3f;
		ino->offset = w2 >> 6;
	}
	return true;
}

/* Where the superblock is (0 or 512) and its byte order; -1 if none. */
static long find_super(const uint8_t *d, size_t len, int *be)
{
	static const size_t at[] = {0, PAD_SIZE};
	for (size_t i = 0; i < 2; i++) {
		uint32_t m;
		if (!iota_ld_u32le(d, len, at[i], &m))
			return -1;
		if (m != CRAMFS_MAGIC && m != 0x453dcd28u)
			continue;
		*be = m != CRAMFS_MAGIC;
		return (long)at[i];
	}
	return -1;
}

static int probe_cramfs(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	int be;
	long sb = find_super(head, head_len, &be);
	if (sb < 0)
		return 0;
	uint32_t size, flags;
	if (!ld32(head, head_len, (size_t)sb + 4, be, &size) ||
	    !ld32(head, head_len, (size_t)sb + 8, be, &flags))
		return 0;
	if (size < SUPER_SIZE + (uint32_t)sb)
		return 0;
	(void)total_len; /* a truncated image is reported by unpack() */
	if (iota_ld_match(head, head_len, (size_t)sb + SIG_OFF, signature, sizeof signature))
		return (flags & ~SUPPORTED_FLAGS) ? 60 : 95;
	/* very old images may carry another signature (CRAMFS_FLAG_WRONG_SIGNATURE) */
	return (flags & FLAG_WRONG_SIGNATURE) ? 60 : 0;
}

/* ---- file content ---- */

/* Inflates one zlib block of at most PAGE bytes into out; the byte count, or -1. */
static long inflate_block(const uint8_t *in, size_t in_len, uint8_t *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = PAGE;
	int zr = inflate(&z, Z_FINISH);
	long n = (long)(PAGE - z.avail_out);
	inflateEnd(&z);
	return zr == Z_STREAM_END ? n : -1;
}

/*
 * Reads the file whose block table is at tbl (bytes) and whose size is
 * 'size', up to 'want' bytes, into out. Returns NULL or why it stopped;
 * *done tells how many bytes are good.
 */
static const char *read_file(const struct cctx *c, uint32_t tbl, uint32_t size, uint8_t *out,
                             uint64_t want, uint64_t *done)
{
	const uint8_t *d = c->data;
	size_t len = c->len;
	uint32_t nblocks = (uint32_t)(((uint64_t)size + PAGE - 1) / PAGE);
	uint64_t table_end = (uint64_t)tbl + (uint64_t)nblocks * 4;
	int ext = (c->flags & FLAG_EXT_BLOCK_POINTERS) != 0;
	uint8_t page[PAGE];
	*done = 0;
	if (table_end > len)
		return "its block pointer table lies outside the image";
	for (uint32_t i = 0; i < nblocks && *done < want; i++) {
		uint32_t ptr;
		if (!ld32(d, len, tbl + (size_t)i * 4, c->be, &ptr))
			return "its block pointer table lies outside the image";
		uint32_t expect = size - i * PAGE < PAGE ? size - i * PAGE : PAGE;
		uint64_t start, blen;
		int raw = 0;
		if (ext && (ptr & BLK_FLAG_DIRECT_PTR)) {
			/* fs/cramfs/inode.c: an absolute start, length in front of the data */
			raw = (ptr & BLK_FLAG_UNCOMPRESSED) != 0;
			start = (uint64_t)(ptr & ~BLK_FLAGS) << BLK_DIRECT_PTR_SHIFT;
			if (raw) {
				blen = expect;
			} else {
				uint16_t l16;
				if (!ld16(d, len, (size_t)start, c->be, &l16))
					return "a direct block lies outside the image";
				blen = l16;
				start += 2;
			}
		} else {
			uint32_t end = ptr;
			if (ext) {
				raw = (ptr & BLK_FLAG_UNCOMPRESSED) != 0;
				end &= ~BLK_FLAGS;
			}
			start = table_end;
			if (i > 0) {
				uint32_t prev;
				if (!ld32(d, len, tbl + (size_t)(i - 1) * 4, c->be, &prev))
					return "its block pointer table lies outside the image";
				if (ext && (prev & BLK_FLAG_DIRECT_PTR)) {
					/* this block starts where the previous, direct one ends */
					start = (uint64_t)(prev & ~BLK_FLAGS)
					        << BLK_DIRECT_PTR_SHIFT;
					if (prev & BLK_FLAG_UNCOMPRESSED) {
						start += PAGE;
					} else {
						uint16_t l16;
						if (!ld16(d, len, (size_t)start, c->be, &l16))
							return "a direct block lies outside the "
							       "image";
						start += 2 + (uint64_t)l16;
					}
				} else {
					start = ext ? prev & ~BLK_FLAGS : prev;
				}
			}
			if (end < start)
				return "a block pointer points before its block's start";
			blen = end - start;
		}
		uint64_t n;
		if (blen == 0) {
			memset(page, 0, expect); /* a hole */
			n = expect;
		} else if (start > len || blen > len - start) {
			return "a block lies outside the image";
		} else if (raw) {
			if (blen > PAGE)
				return "an uncompressed block is longer than a page";
			memcpy(page, d + start, (size_t)blen);
			n = blen;
		} else {
			if (blen > 2 * PAGE)
				return "a compressed block is longer than two pages";
			long r = inflate_block(d + start, (size_t)blen, page);
			if (r < 0)
				return "a block does not inflate (zlib)";
			n = (uint64_t)r;
		}
		if (n != expect)
			return "a block does not hold the size its file needs";
		uint64_t k = want - *done < n ? want - *done : n;
		memcpy(out + *done, page, (size_t)k);
		*done += k;
	}
	return NULL;
}

/* load_arg: the block table's byte offset << 32 | the file's size. */
static iota_rc cramfs_load(iota_scan *s, iota_node *n, iota_blob **out)
{
	const struct cctx *c = n->container ? n->container->cctx : NULL;
	*out = NULL;
	if (!c)
		return IOTA_CORRUPT;
	uint32_t tbl = (uint32_t)(n->load_arg >> 32);
	uint32_t size = (uint32_t)n->load_arg;
	uint64_t budget = iota_scan_file_budget(s);
	uint64_t want = size;
	iota_rc rc = IOTA_OK;
	if (want > budget) {
		want = budget;
		if (!(atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED) & IOTA_NF_TRUNCATED))
			iota_scan_limit(s, "file-size", n,
			                "file of %" PRIu32 " bytes cut to the %" PRIu64
			                " bytes that may be unpacked for one file",
			                size, budget);
		rc = IOTA_LIMIT;
	}
	uint8_t *buf = iota_malloc(want ? (size_t)want : 1);
	if (!buf)
		return IOTA_NOMEM;
	uint64_t done;
	const char *why = read_file(c, tbl, size, buf, want, &done);
	if (why) {
		unsigned was =
		    atomic_fetch_or(&n->flags, done ? IOTA_NF_TRUNCATED : IOTA_NF_UNREADABLE);
		if (!(was & (IOTA_NF_TRUNCATED | IOTA_NF_UNREADABLE)))
			iota_finding_add(
			    s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
			    "cramfs file is damaged after %" PRIu64 " of %" PRIu32 " bytes: %s%s",
			    done, size, why, done ? "; the bytes before are kept" : "");
		if (!done) {
			iota_free(buf);
			return IOTA_WARN;
		}
		want = done;
		rc = IOTA_WARN;
	}
	*out = iota_blob_take(buf, (size_t)want);
	return *out ? rc : IOTA_NOMEM;
}

static const iota_loader cramfs_loader = {.load = cramfs_load};

/* ---- the walk ---- */

struct walk {
	iota_unpack_job *job;
	iota_scan *s;
	struct cctx *c;
	uint8_t *seen; /* one bit per 4-byte unit: directories entered */
	size_t seen_len;
	iota_rc rc;
	unsigned damaged; /* entries skipped */
	char path[IOTA_MAX_PATH];
};

static void damaged(struct walk *w, uint64_t off, const char *what)
{
	if (w->damaged++ < 16)
		iota_finding_add(w->s, "unpack.corrupt", IOTA_SEV_LOW, w->job->root, off,
		                 "cramfs: %s at offset 0x%" PRIx64 "; skipped", what, off);
	if (w->rc == IOTA_OK)
		w->rc = IOTA_WARN;
}

static iota_node_kind kind_of(uint32_t mode)
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

static void walk_dir(struct walk *w, uint32_t off, uint32_t size, size_t plen, unsigned depth);

/* Out of line: its buffers stay off the stack of the directory recursion. */
static __attribute__((noinline)) void add_link(struct walk *w, iota_node *n, uint32_t off,
                                               uint32_t size)
{
	if (size > IOTA_MAX_LINK) {
		damaged(w, off, "symlink target longer than the limit");
		return;
	}
	uint8_t target[IOTA_MAX_LINK];
	uint64_t done;
	const char *why = read_file(w->c, off, size, target, size, &done);
	if (why)
		damaged(w, off, why);
	else
		iota_node_set_link(w->s, n, (const char *)target, (size_t)done);
}

static void add_entry(struct walk *w, const struct inode *ino, size_t plen, unsigned depth)
{
	iota_node_kind kind = kind_of(ino->mode);
	iota_node *n = iota_vfs_add(w->s, w->job->root, w->path, plen, kind);
	if (!n) {
		if (iota_scan_should_stop(w->s))
			w->rc = IOTA_LIMIT;
		return;
	}
	n->mode = ino->mode & 07777;
	n->uid = ino->uid;
	n->gid = ino->gid;
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
	uint32_t off = ino->offset << 2;
	switch (kind) {
	case IOTA_NODE_DIR:
		if (ino->size && off)
			walk_dir(w, off, ino->size, plen, depth + 1);
		break;
	case IOTA_NODE_FILE:
		n->size = ino->size;
		if (ino->size == 0)
			iota_node_set_blob(n, iota_blob_copy("", 0));
		else
			iota_node_set_loader(n, &cramfs_loader, (uint64_t)off << 32 | ino->size,
			                     NULL);
		break;
	case IOTA_NODE_SYMLINK:
		add_link(w, n, off, ino->size);
		break;
	case IOTA_NODE_CHR:
	case IOTA_NODE_BLK:
		/* mkfs.cramfs stores st_rdev (glibc's encoding) cut to 24 bits */
		n->dev_major = (ino->size >> 8) & 0xfff;
		n->dev_minor = (ino->size & 0xff) | ((ino->size >> 12) & 0xfff00);
		break;
	default:
		break;
	}
}

static void walk_dir(struct walk *w, uint32_t off, uint32_t size, size_t plen, unsigned depth)
{
	if (depth > MAX_DIR_DEPTH) {
		w->rc =
		    iota_scan_limit(w->s, "depth", w->job->root,
		                    "cramfs directory tree deeper than %d levels", MAX_DIR_DEPTH);
		return;
	}
	size_t unit = off / 4;
	if (unit / 8 >= w->seen_len || (w->seen[unit / 8] & (1u << (unit % 8)))) {
		damaged(w, off,
		        unit / 8 >= w->seen_len
		            ? "directory outside the image"
		            : "directory listed twice (a loop or a shared listing)");
		return;
	}
	w->seen[unit / 8] |= (uint8_t)(1u << (unit % 8));
	uint64_t pos = off, end = (uint64_t)off + size;
	while (pos < end && w->rc != IOTA_LIMIT && w->rc != IOTA_NOMEM) {
		if (iota_scan_should_stop(w->s)) {
			w->rc = IOTA_LIMIT;
			return;
		}
		struct inode ino;
		if (!ld_inode(w->c->data, w->c->len, (size_t)pos, w->c->be, &ino)) {
			damaged(w, pos, "directory entry outside the image");
			return;
		}
		size_t nlen = (size_t)ino.namelen * 4;
		const uint8_t *name = NULL;
		if (pos + INODE_SIZE + nlen <= w->c->len)
			name = w->c->data + pos + INODE_SIZE;
		pos += INODE_SIZE + nlen;
		if (!name) {
			damaged(w, pos, "directory entry name outside the image");
			return;
		}
		size_t real = strnlen((const char *)name, nlen);
		if (real == 0) {
			damaged(w, pos, "directory entry without a name");
			continue;
		}
		if (plen + real + 2 > sizeof w->path) {
			damaged(w, pos, "path too long");
			continue;
		}
		size_t np = plen;
		if (np)
			w->path[np++] = '/';
		memcpy(w->path + np, name, real);
		np += real;
		w->path[np] = 0;
		add_entry(w, &ino, np, depth);
		w->path[plen] = 0;
	}
}

static void check_crc(iota_unpack_job *job, const struct cctx *c, size_t sb, uint32_t want)
{
	static const uint8_t zero[4];
	uLong crc = crc32(0, Z_NULL, 0);
	size_t at = sb + CRC_OFF;
	crc = crc32_z(crc, c->data + sb, CRC_OFF);
	crc = crc32_z(crc, zero, 4);
	crc = crc32_z(crc, c->data + at + 4, c->len - at - 4);
	if ((uint32_t)crc != want)
		iota_finding_add(job->scan, "unpack.checksum", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "cramfs image CRC is 0x%08" PRIx32
		                 ", the superblock says 0x%08" PRIx32
		                 ": the image is damaged or was changed",
		                 (uint32_t)crc, want);
}

static iota_rc unpack_cramfs(iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	int be;
	long sbl = find_super(job->data, job->len, &be);
	if (sbl < 0)
		return iota_unpack_corrupt(job, "no cramfs superblock");
	size_t sb = (size_t)sbl;
	iota_reader r;
	iota_rd_init(&r, job->data, job->len);
	iota_rd_seek(&r, sb + 4);
	uint32_t size = be ? iota_rd_u32be(&r) : iota_rd_u32le(&r);
	uint32_t flags = be ? iota_rd_u32be(&r) : iota_rd_u32le(&r);
	iota_rd_skip(&r, 4 + 16);
	uint32_t crc = be ? iota_rd_u32be(&r) : iota_rd_u32le(&r);
	uint32_t edition = be ? iota_rd_u32be(&r) : iota_rd_u32le(&r);
	uint32_t blocks = be ? iota_rd_u32be(&r) : iota_rd_u32le(&r);
	uint32_t files = be ? iota_rd_u32be(&r) : iota_rd_u32le(&r);
	struct inode root;
	if (r.bad || !ld_inode(job->data, job->len, sb + ROOT_OFF, be, &root))
		return iota_unpack_corrupt(job, "superblock cut short");
	(void)edition;
	(void)blocks;
	if (!(flags & FLAG_FSID_VERSION_2))
		size = 0; /* version 1 images do not record their size */
	if (size && size < sb + SUPER_SIZE)
		return iota_unpack_corrupt(
		    job, "image size %" PRIu32 " is smaller than its superblock", size);
	if (flags & ~SUPPORTED_FLAGS)
		return iota_unpack_corrupt(job, "unsupported feature flags 0x%08" PRIx32,
		                           flags & ~SUPPORTED_FLAGS);
	snprintf(job->root->variant, sizeof job->root->variant, "%s", be ? "be" : "le");

	struct cctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return IOTA_NOMEM;
	c->blob = iota_blob_ref(job->blob);
	c->data = job->data;
	c->len = size && size < job->len ? size : job->len;
	c->be = be;
	c->flags = flags;
	job->root->cctx = c;
	job->root->cctx_free = cctx_free;
	job->consumed = c->len;

	iota_rc rc = IOTA_OK;
	if (size > job->len) {
		iota_finding_add(s, "unpack.truncated", IOTA_SEV_MEDIUM, job->root, UINT64_MAX,
		                 "cramfs image is cut short: %zu of %" PRIu32
		                 " bytes present; files past the end are lost",
		                 job->len, size);
		rc = IOTA_WARN;
	} else if (size) {
		check_crc(job, c, sb, crc);
	}
	if ((root.mode & 0170000) != 0040000)
		return iota_unpack_corrupt(job, "the root inode is not a directory");

	struct walk *w = iota_calloc(1, sizeof *w);
	if (!w)
		return IOTA_NOMEM;
	w->job = job;
	w->s = s;
	w->c = c;
	w->rc = rc;
	w->seen_len = c->len / 32 + 1;
	w->seen = iota_calloc(1, w->seen_len);
	if (!w->seen) {
		iota_free(w);
		return IOTA_NOMEM;
	}
	if (root.size && root.offset)
		walk_dir(w, root.offset << 2, root.size, 0, 0);
	(void)files;
	rc = w->rc;
	if (w->damaged > 16)
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->root, UINT64_MAX,
		                 "cramfs: %u damaged entries in all", w->damaged);
	iota_free(w->seen);
	iota_free(w);
	return rc;
}

const iota_unpacker iota_unpacker_cramfs = {
    .name = "cramfs",
    .description = "CramFS compressed ROM file system (little- or big-endian)",
    .magics = cramfs_magics,
    .nmagics = sizeof cramfs_magics / sizeof cramfs_magics[0],
    .probe = probe_cramfs,
    .unpack = unpack_cramfs,
};
