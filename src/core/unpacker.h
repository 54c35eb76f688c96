/*
 * The unpacker table (after yara's module list and libarchive's bid()).
 *
 * An unpacker is one file src/unpack/unpack_<name>.c that defines
 *	const iota_unpacker iota_unpacker_<name> = { .name = "<name>", ... };
 * CMake lists those files and generates the table (unpack_list.h): adding a
 * format is one new file, nothing else.
 *
 * probe() looks only at the first IOTA_PROBE_HEAD bytes (head_len may be
 * less) and the total length, and returns a confidence 0..100: 0 = not this
 * format, 100 = the magic and every header check agree. The engine unpacks
 * with the highest probe; two formats with the same top score >= 50 are
 * reported as "unpack.ambiguous" and neither is used (refuse to guess).
 *
 * unpack() adds the container's members under job->root with iota_vfs_add()
 * and returns OK, WARN (went on), CORRUPT (unusable: nothing or only part
 * was added; the finding is emitted by the engine from job->why), LIMIT or
 * NOMEM. It sets job->consumed to the container's size in bytes when it
 * knows it, so that carving goes on after the container.
 *
 * magics[] are the byte strings a carver searches for at any offset of a raw
 * blob; 'at' is where the magic sits from the container's start (ext2: 1080).
 * Weak magics (short, common in data) are marked so the carver validates them
 * with probe() before trying an unpack, like every other hit.
 */
#ifndef IOTA_CORE_UNPACKER_H
#define IOTA_CORE_UNPACKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/scan.h"

typedef struct iota_magic {
	const char *bytes;
	size_t len;
	size_t at;
} iota_magic;

typedef struct iota_unpack_job {
	iota_scan *scan;
	iota_node *file;       /* the file holding the container */
	iota_blob *blob;       /* its bytes (a reference is held for the call) */
	const uint8_t *data;   /* blob bytes from the container's start */
	size_t len;            /* bytes from the container's start to the blob's end */
	uint64_t offset;       /* container start within file */
	iota_node *root;       /* the CONTAINER node to fill */
	unsigned depth;        /* root->depth */
	int confidence;        /* what probe() said */
	size_t consumed;       /* out: container size, 0 if unknown */
	char why[256];         /* out: for CORRUPT, what was wrong */
} iota_unpack_job;

enum {
	IOTA_UNPACKER_NO_CARVE = 1 << 0, /* only at offset 0 of a file (weak or no magic) */
	IOTA_UNPACKER_DIR = 1 << 1       /* reads directories, never probed on bytes */
};

struct iota_unpacker {
	const char *name;        /* short, lower case: "squashfs", "gzip" */
	const char *description;
	const iota_magic *magics;
	size_t nmagics;
	unsigned flags;
	int (*probe)(const uint8_t *head, size_t head_len, uint64_t total_len);
	iota_rc (*unpack)(iota_unpack_job *job);
};

/* Sets job->why (printf-style) and returns IOTA_CORRUPT. */
iota_rc iota_unpack_corrupt(iota_unpack_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The generated table: every unpacker, then a NULL. */
extern const iota_unpacker *const iota_unpackers[];
const iota_unpacker *iota_unpacker_find(const char *name);

/* A blob with its bytes placed as a child file of job->root, named name,
 * flagged for carving (used by decompressors and raw partitions). Consumes
 * the reference b. Returns the node or NULL. */
iota_node *iota_unpack_add_blob(iota_unpack_job *job, const char *name, iota_blob *b, int carve);

/* carve.c: the multi-pattern search over all unpackers' magics. */
iota_carver *iota_carver_new(void);
void iota_carver_free(iota_carver *c);
/* Calls fn for every candidate container start (offset of the magic minus
 * 'at') in data, in increasing order, with the unpacker that owns the
 * magic. Stops when fn returns non-zero. */
typedef int (*iota_carve_fn)(void *ctx, const iota_unpacker *u, uint64_t start);
int iota_carver_scan(iota_carver *c, const uint8_t *data, size_t len, iota_carve_fn fn, void *ctx);

#endif
