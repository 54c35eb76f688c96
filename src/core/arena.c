/* Per-scan arena (see arena.h). */
#include "core/arena.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

#define CHUNK_SIZE (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char mem[];
};

struct iota_arena {
	pthread_mutex_t lock;
	struct chunk *head;
	size_t bytes;
};

iota_arena *iota_arena_new(void)
{
	iota_arena *a = iota_calloc(1, sizeof *a);
	if (a)
		pthread_mutex_init(&a->lock, NULL);
	return a;
}

void *iota_arena_alloc(iota_arena *a, size_t n)
{
	if (n > SIZE_MAX - 15 - sizeof(struct chunk))
		return NULL;
	n = (n + 15) & ~(size_t)15;
	pthread_mutex_lock(&a->lock);
	struct chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
		c = iota_malloc(sizeof *c + cap);
		if (!c) {
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		c->used = 0;
		c->cap = cap;
		if (n > CHUNK_SIZE / 4 && a->head) {
			/* a big one goes behind the current chunk, which keeps its room */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->bytes += sizeof *c + cap;
	}
	void *p = c->mem + c->used;
	c->used += n;
	pthread_mutex_unlock(&a->lock);
	memset(p, 0, n);
	return p;
}

char *iota_arena_strndup(iota_arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = iota_arena_alloc(a, len + 1);
	if (d)
		memcpy(d, s, len);
	return d;
}

char *iota_arena_strdup(iota_arena *a, const char *s)
{
	return iota_arena_strndup(a, s, strlen(s));
}

size_t iota_arena_bytes(const iota_arena *a)
{
	return a->bytes;
}

void iota_arena_free(iota_arena *a)
{
	if (!a)
		return;
	while (a->head) {
		struct chunk *c = a->head;
		a->head = c->next;
		iota_free(c);
	}
	pthread_mutex_destroy(&a->lock);
	iota_free(a);
}
