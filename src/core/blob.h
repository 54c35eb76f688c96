/*
 * Reference-counted read-only byte ranges: a mapped file, a heap buffer, or a
 * slice of another blob (which keeps its parent alive). Every function that
 * returns a blob returns a new reference the caller must drop with
 * iota_blob_unref(); iota_blob_ref() adds one. Blobs are shared between
 * threads; counting is atomic, the bytes never change once published.
 */
#ifndef IOTA_CORE_BLOB_H
#define IOTA_CORE_BLOB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct iota_blob iota_blob;
struct iota_blob {
	const uint8_t *data;
	size_t len;
	atomic_long refs;
	int kind;          /* internal */
	iota_blob *parent; /* slices */
	void *mem;         /* heap buffer or mapping */
	size_t mem_len;
};

/* Wraps malloc'd bytes (taken over, freed with iota_free). NULL if out of memory
 * (the bytes are then freed too). */
iota_blob *iota_blob_take(void *data, size_t len);
/* Copies bytes into a new blob. */
iota_blob *iota_blob_copy(const void *data, size_t len);
/* A slice [off, off+len) of parent; NULL if out of range or memory. */
iota_blob *iota_blob_slice(iota_blob *parent, size_t off, size_t len);
/* Refers to bytes the caller keeps alive and unchanged for the blob's life;
 * they are never freed here. */
iota_blob *iota_blob_borrow(const void *data, size_t len);
/* Maps a regular file read-only; fd stays the caller's. An empty file gives
 * an empty blob. Returns NULL and sets errno on failure. */
iota_blob *iota_blob_map_fd(int fd, size_t len);

/* True for bytes made on the heap (produced by unpacking), false for maps and slices. */
int iota_blob_is_heap(const iota_blob *b);

iota_blob *iota_blob_ref(iota_blob *b);
void iota_blob_unref(iota_blob *b);

#endif
