/* Reference-counted byte ranges (see blob.h). */
#include "core/blob.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "util/alloc.h"

enum { BLOB_HEAP, BLOB_MAP, BLOB_SLICE, BLOB_EMPTY };

/* An empty blob still points somewhere: callers may pass data to memchr()
 * and friends with a length of 0, which is undefined for NULL. */
static const uint8_t no_bytes[1];

static iota_blob *blob_new(int kind)
{
	iota_blob *b = iota_calloc(1, sizeof *b);
	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->kind = kind;
	b->data = no_bytes;
	return b;
}

iota_blob *iota_blob_take(void *data, size_t len)
{
	iota_blob *b = blob_new(BLOB_HEAP);
	if (!b) {
		iota_free(data);
		return NULL;
	}
	b->mem = data;
	if (data)
		b->data = data;
	b->len = data ? len : 0;
	return b;
}

iota_blob *iota_blob_copy(const void *data, size_t len)
{
	void *p = iota_malloc(len);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, data, len);
	return iota_blob_take(p, len);
}

iota_blob *iota_blob_slice(iota_blob *parent, size_t off, size_t len)
{
	if (!parent || off > parent->len || len > parent->len - off)
		return NULL;
	iota_blob *b = blob_new(BLOB_SLICE);
	if (!b)
		return NULL;
	b->parent = iota_blob_ref(parent);
	b->data = parent->data + off;
	b->len = len;
	return b;
}

iota_blob *iota_blob_borrow(const void *data, size_t len)
{
	iota_blob *b = blob_new(BLOB_EMPTY);
	if (b && data) {
		b->data = data;
		b->len = len;
	}
	return b;
}

iota_blob *iota_blob_map_fd(int fd, size_t len)
{
	if (len == 0)
		return blob_new(BLOB_EMPTY);
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	iota_blob *b = blob_new(BLOB_MAP);
	if (!b) {
		munmap(m, len);
		errno = ENOMEM;
		return NULL;
	}
	b->mem = m;
	b->mem_len = len;
	b->data = m;
	b->len = len;
	return b;
}

int iota_blob_is_heap(const iota_blob *b)
{
	return b && b->kind == BLOB_HEAP;
}

iota_blob *iota_blob_ref(iota_blob *b)
{
	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

void iota_blob_unref(iota_blob *b)
{
	while (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		iota_blob *parent = b->parent;
		if (b->kind == BLOB_HEAP)
			iota_free(b->mem);
		else if (b->kind == BLOB_MAP)
			munmap(b->mem, b->mem_len);
		iota_free(b);
		b = parent;
	}
}
