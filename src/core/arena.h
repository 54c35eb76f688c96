/*
 * Per-scan arena (after yara's notebook): many small allocations that all
 * live as long as the scan and are freed at once with iota_arena_free().
 * Thread-safe. Allocations are 16-byte aligned and zeroed.
 */
#ifndef IOTA_CORE_ARENA_H
#define IOTA_CORE_ARENA_H

#include <stddef.h>

typedef struct iota_arena iota_arena;

iota_arena *iota_arena_new(void);
void *iota_arena_alloc(iota_arena *a, size_t n);
char *iota_arena_strndup(iota_arena *a, const char *s, size_t n);
char *iota_arena_strdup(iota_arena *a, const char *s);
size_t iota_arena_bytes(const iota_arena *a);
void iota_arena_free(iota_arena *a);

#endif
