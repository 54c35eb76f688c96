/*
 * Allocation wrappers. Every allocation in the library goes through these so
 * that tests can make the Nth allocation fail (after SQLite's test_malloc and
 * curl's torture tests): iota_alloc_fail_after(n) makes allocation number n
 * (counted from the call) and every later one return NULL, until reset with
 * iota_alloc_fail_after(-1). The hook is process-wide and meant for tests.
 */
#ifndef IOTA_UTIL_ALLOC_H
#define IOTA_UTIL_ALLOC_H

#include <stddef.h>

void *iota_malloc(size_t n);
void *iota_calloc(size_t count, size_t size);
void *iota_realloc(void *p, size_t n);
char *iota_strdup(const char *s);
char *iota_strndup(const char *s, size_t n);
void iota_free(void *p);

void iota_alloc_fail_after(long n);

#endif
