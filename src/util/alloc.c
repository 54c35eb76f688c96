/* Allocation wrappers with a failure hook for tests (see alloc.h). */
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_countdown = -1;

static int should_fail(void)
{
	long v = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	atomic_fetch_sub_explicit(&fail_countdown, 1, memory_order_relaxed);
	return 0;
}

void iota_alloc_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}

void *iota_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *iota_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *iota_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *iota_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = iota_malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

char *iota_strdup(const char *s)
{
	return iota_strndup(s, strlen(s));
}

void iota_free(void *p)
{
	free(p);
}
