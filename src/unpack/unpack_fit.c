/*
 * U-Boot FIT images (Flattened Image Tree): a device tree blob whose /images
 * node holds the kernel, ramdisk, device trees... one subnode each.
 *
 * Specification: the Devicetree Specification v0.4, chapter 5 (flattened
 * devicetree format: header, structure block tokens, strings block), and
 * U-Boot doc/usage/fit/source_file_format.rst (the /images/<name> nodes with
 * "data", or external data with "data-size" and "data-offset" counted from
 * the end of the tree rounded up to 4 bytes, or "data-position" counted from
 * the start of the FIT; "hash-N" subnodes with "algo" and "value").
 *
 * The tree is parsed with libfdt after fdt_check_full() has checked every
 * offset, tag and string against the tree's size, which in turn is checked
 * against the bytes present. libfdt wants the tree 8-byte aligned, so a tree
 * carved at another offset is copied first (at most the bytes present).
 * probe() walks the structure block by hand: it may only look at the first
 * IOTA_PROBE_HEAD bytes, and libfdt bounds its reads by the tree's own
 * totalsize, which the probe cannot trust to lie within them.
 *
 * A plain device tree (no /images node) is not a FIT and probes 0.
 */
#include <libfdt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/unpacker.h"
#include "unpack/member_name.h"
#include "util/alloc.h"
#include "util/reader.h"

#define FDT_MAGIC_BE 0xd00dfeedu
#define HDR_LEN 40 /* version 17 header */
#define TOK_BEGIN 1
#define TOK_END_NODE 2
#define TOK_PROP 3
#define TOK_NOP 4
#define TOK_END 9

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* What the structure block says about a top-level "images" node, reading
 * only [0, lim): 1 found, 0 absent (or a malformed tree), -1 undecided. */
static int walk_for_images(const uint8_t *p, size_t lim, size_t pos)
{
	unsigned depth = 0;
	uint32_t tag;
	while (iota_ld_u32be(p, lim, pos, &tag)) {
		pos += 4;
		switch (tag) {
		case TOK_BEGIN: {
			const uint8_t *nul = pos < lim ? memchr(p + pos, 0, lim - pos) : NULL;
			if (!nul)
				return -1;
			size_t nl = (size_t)(nul - (p + pos));
			if (depth == 1 && nl == 6 && memcmp(p + pos, "images", 6) == 0)
				return 1;
			depth++;
			pos = (size_t)align4(pos + nl + 1);
			break;
		}
		case TOK_END_NODE:
			if (depth <= 1)
				return 0; /* the root closed without /images */
			depth--;
			break;
		case TOK_PROP: {
			uint32_t len;
			if (!iota_ld_u32be(p, lim, pos, &len))
				return -1;
			uint64_t next = align4((uint64_t)pos + 8 + len);
			if (next > lim)
				return -1;
			pos = (size_t)next;
			break;
		}
		case TOK_NOP:
			break;
		case TOK_END:
		default:
			return 0;
		}
	}
	return -1;
}

static int probe_fit(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	iota_reader r;
	iota_rd_init(&r, head, head_len);
	uint32_t magic = iota_rd_u32be(&r);
	uint32_t totalsize = iota_rd_u32be(&r);
	uint32_t off_struct = iota_rd_u32be(&r);
	iota_rd_skip(&r, 8);
	uint32_t version = iota_rd_u32be(&r);
	uint32_t last_comp = iota_rd_u32be(&r);
	iota_rd_skip(&r, 8);
	uint32_t size_struct = iota_rd_u32be(&r);
	if (r.bad || magic != FDT_MAGIC_BE)
		return 0;
	if (version < 17 || last_comp > 17 || totalsize < HDR_LEN || off_struct < HDR_LEN ||
	    off_struct >= totalsize)
		return 0; /* mkimage writes version 17 trees */
	uint64_t lim = (uint64_t)off_struct + size_struct;
	if (lim > totalsize)
		return 0;
	if (lim > head_len)
		lim = head_len;
	int found = walk_for_images(head, (size_t)lim, off_struct);
	if (found == 0)
		return 0;
	if (found < 0)
		return 30; /* a device tree; /images may come later */
	return totalsize <= total_len ? 100 : 60;
}

/* Checks the "hash-N" subnodes of image node against data[0..len). */
static iota_rc check_hashes(iota_unpack_job *job, const void *fdt, int node, const char *name,
			    const uint8_t *data, size_t len)
{
	iota_rc rc = IOTA_OK;
	int h;
	fdt_for_each_subnode(h, fdt, node)
	{
		int nl = 0;
		const char *hn = fdt_get_name(fdt, h, &nl);
		if (!hn || nl < 4 || strncmp(hn, "hash", 4) != 0)
			continue;
		int al = 0, vl = 0;
		const char *algo = fdt_getprop(fdt, h, "algo", &al);
		const uint8_t *value = fdt_getprop(fdt, h, "value", &vl);
		if (!algo || al < 1 || algo[al - 1] != '\0' || !value || vl <= 0)
			continue;
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdl = 0;
		if (strcmp(algo, "crc32") == 0) {
			uint32_t c = (uint32_t)crc32_z(0, data, len);
			md[0] = (unsigned char)(c >> 24);
			md[1] = (unsigned char)(c >> 16);
			md[2] = (unsigned char)(c >> 8);
			md[3] = (unsigned char)c;
			mdl = 4;
		} else if (strcmp(algo, "md5") == 0 || strncmp(algo, "sha", 3) == 0) {
			const EVP_MD *m = EVP_get_digestbyname(algo);
			if (!m || !EVP_Digest(data, len, md, &mdl, m, NULL))
				continue;
		} else {
			continue;
		}
		if ((unsigned)vl != mdl || memcmp(md, value, mdl) != 0) {
			iota_finding_add(job->scan, "unpack.checksum", IOTA_SEV_LOW, job->file,
					 job->offset, "FIT image '%s': its %s hash does not match the data",
					 name, algo);
			rc = IOTA_WARN;
		}
	}
	return rc;
}

static bool prop_u32(const void *fdt, int node, const char *prop, uint32_t *v)
{
	int len = 0;
	const uint8_t *p = fdt_getprop(fdt, node, prop, &len);
	return p && len == 4 && iota_ld_u32be(p, 4, 0, v);
}

struct fit {
	iota_unpack_job *job;
	const uint8_t *fdt;
	uint32_t totalsize;
	uint64_t end; /* the furthest byte of the FIT, external data included */
	unsigned images;
};

/* Adds /images/<node> as a child. */
static iota_rc add_image(struct fit *f, int node, unsigned index)
{
	iota_unpack_job *job = f->job;
	int nl = 0;
	const char *raw = fdt_get_name(f->fdt, node, &nl);
	char name[64];
	if (!raw || nl < 0 || !iota_member_name((const uint8_t *)raw, (size_t)nl, name, sizeof name))
		snprintf(name, sizeof name, "image%u", index);

	uint64_t off, size;
	int dl = 0;
	const uint8_t *data = fdt_getprop(f->fdt, node, "data", &dl);
	if (data && dl >= 0) {
		off = (uint64_t)(data - f->fdt);
		size = (uint64_t)dl;
	} else {
		uint32_t dsize, doff;
		if (!prop_u32(f->fdt, node, "data-size", &dsize))
			return IOTA_OK; /* an image node without data: nothing to add */
		if (prop_u32(f->fdt, node, "data-position", &doff))
			off = doff;
		else if (prop_u32(f->fdt, node, "data-offset", &doff))
			off = align4(f->totalsize) + doff;
		else
			return IOTA_OK;
		size = dsize;
		if (off + size > f->end)
			f->end = off + size;
	}

	iota_rc rc = IOTA_OK;
	bool cut = false;
	if (off + size > job->len) {
		uint64_t have = off < job->len ? job->len - off : 0;
		iota_finding_add(job->scan, "unpack.truncated", IOTA_SEV_LOW, job->file,
				 job->offset + off,
				 "FIT image '%s' claims %llu bytes of external data, %llu are present",
				 name, (unsigned long long)size, (unsigned long long)have);
		size = have;
		cut = true;
		rc = IOTA_WARN;
	} else {
		rc = check_hashes(job, f->fdt, node, name, job->data + off, (size_t)size);
	}
	f->images++;
	if (size == 0)
		return rc;
	iota_blob *b = iota_blob_slice(job->blob, (size_t)(job->offset + off), (size_t)size);
	if (!b)
		return IOTA_NOMEM;
	iota_node *n = iota_unpack_add_blob(job, name, b, 1);
	if (!n)
		return iota_scan_should_stop(job->scan) ? IOTA_LIMIT : IOTA_NOMEM;
	if (cut)
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
	return rc;
}

static iota_rc unpack_fit(iota_unpack_job *job)
{
	uint32_t magic, totalsize;
	if (!iota_ld_u32be(job->data, job->len, 0, &magic) || magic != FDT_MAGIC_BE ||
	    !iota_ld_u32be(job->data, job->len, 4, &totalsize) || job->len < HDR_LEN)
		return iota_unpack_corrupt(job, "no device tree header");
	if (totalsize > job->len)
		return iota_unpack_corrupt(job, "FIT tree of %u bytes is cut short: %zu are present",
					   totalsize, job->len);

	uint8_t *copy = NULL;
	const uint8_t *fdt = job->data;
	if ((uintptr_t)fdt & 7) {
		copy = iota_malloc(totalsize);
		if (!copy)
			return IOTA_NOMEM;
		memcpy(copy, job->data, totalsize);
		fdt = copy;
	}
	iota_rc rc = IOTA_OK;
	int err = fdt_check_full(fdt, totalsize);
	if (err < 0) {
		rc = iota_unpack_corrupt(job, "damaged device tree: %s", fdt_strerror(err));
		goto out;
	}
	int images = fdt_subnode_offset(fdt, 0, "images");
	if (images < 0) {
		rc = iota_unpack_corrupt(job, "device tree without /images: not a FIT image");
		goto out;
	}

	struct fit f = {.job = job, .fdt = fdt, .totalsize = totalsize, .end = totalsize};
	unsigned index = 0;
	int node;
	fdt_for_each_subnode(node, fdt, images)
	{
		iota_rc r = add_image(&f, node, index++);
		if (r > rc)
			rc = r;
		if (r >= IOTA_LIMIT)
			break;
	}
	snprintf(job->root->variant, sizeof job->root->variant, "%u image%s", f.images,
		 f.images == 1 ? "" : "s");
	job->consumed = (size_t)(f.end < job->len ? f.end : job->len);
out:
	iota_free(copy);
	return rc;
}

static const iota_magic magics[] = {{"\xd0\x0d\xfe\xed", 4, 0}};

const iota_unpacker iota_unpacker_fit = {
	.name = "fit",
	.description = "U-Boot FIT image (flattened image tree)",
	.magics = magics,
	.nmagics = sizeof magics / sizeof magics[0],
	.probe = probe_fit,
	.unpack = unpack_fit,
};
