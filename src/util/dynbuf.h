/*
 * A growable byte buffer with a maximum fixed at init (after curl's dynbuf):
 * an append that would pass the maximum fails with IOTA_LIMIT and leaves the
 * buffer as it was. The buffer owns its bytes; iota_dynbuf_take() hands them
 * over to the caller.
 */
#ifndef IOTA_UTIL_DYNBUF_H
#define IOTA_UTIL_DYNBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct iota_dynbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
} iota_dynbuf;

void iota_dynbuf_init(iota_dynbuf *b, size_t max);
/* Returns 0, or IOTA_LIMIT past the maximum, or IOTA_NOMEM. */
int iota_dynbuf_reserve(iota_dynbuf *b, size_t extra);
int iota_dynbuf_add(iota_dynbuf *b, const void *p, size_t n);
int iota_dynbuf_addf(iota_dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminated view; "" for an empty buffer. */
const char *iota_dynbuf_str(iota_dynbuf *b);
/* Hands the bytes to the caller (free with iota_free) and resets the buffer. */
uint8_t *iota_dynbuf_take(iota_dynbuf *b, size_t *len);
void iota_dynbuf_free(iota_dynbuf *b);

#endif
