/*
 * Record-at-a-time reading of big JSON documents (RFC 8259).
 *
 * The NVD yearly feeds and API pages are one object whose "vulnerabilities"
 * array holds tens of thousands of records (50-100 MB); the KEV catalog has
 * the same shape. Loading such a document whole with jansson costs many
 * times its size in memory. This walker reads the top level by hand and
 * hands each element of the streamed array to jansson separately
 * (json_loadb with JSON_DISABLE_EOF_CHECK, which stops after one value and
 * reports how many bytes it used), so memory stays at one record.
 *
 * Shapes:
 *   {"...": ..., "vulnerabilities": [ E, E, ... ], "...": ...}
 *       fn(E) for each element; the other members are kept in res->top.
 *   [ E, E, ... ]                      fn(E) for each element.
 *   { ... } without such an array      fn(whole object), res->streamed = 0.
 */
#ifndef IOTA_VULN_JSONSTREAM_H
#define IOTA_VULN_JSONSTREAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Called with one record and its byte offset (SIZE_MAX for a whole
 * document). The callback owns the record: it must json_decref() it, now or
 * later, from any one thread. Return 0 to go on, non-zero to stop the walk
 * (returned by the walk). */
typedef int (*iota_js_fn)(void *ctx, json_t *rec, size_t offset);

typedef struct iota_js_result {
	json_t *top;     /* top-level members other than the streamed array (owned; may be NULL) */
	int streamed;    /* 1: the elements of an array were passed; 0: the whole document */
	size_t elements; /* records passed to fn */
	char err[256];   /* syntax error: what and at which byte */
} iota_js_result;

/* Returns 0 when the document was read to its end, the callback's non-zero
 * value when it stopped the walk, or -1 on a syntax error (res->err says
 * where; records before it were passed). json_decref(res->top) afterwards. */
int iota_js_walk(const uint8_t *buf, size_t len, const char *array_key, iota_js_fn fn, void *ctx,
                 iota_js_result *res);

#endif
