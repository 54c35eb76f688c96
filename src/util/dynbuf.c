/* Growable buffer with a maximum (see dynbuf.h). */
#include "util/dynbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iotaudit/iotaudit.h"
#include "util/alloc.h"

void iota_dynbuf_init(iota_dynbuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int iota_dynbuf_reserve(iota_dynbuf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return IOTA_LIMIT;
	size_t need = b->len + extra + 1; /* room for a terminating NUL */
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	uint8_t *p = iota_realloc(b->data, cap);
	if (!p)
		return IOTA_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int iota_dynbuf_add(iota_dynbuf *b, const void *p, size_t n)
{
	int rc = iota_dynbuf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int iota_dynbuf_addf(iota_dynbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return IOTA_FATAL;
	if ((size_t)n < sizeof small)
		return iota_dynbuf_add(b, small, (size_t)n);
	int rc = iota_dynbuf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *iota_dynbuf_str(iota_dynbuf *b)
{
	return b->data ? (const char *)b->data : "";
}

uint8_t *iota_dynbuf_take(iota_dynbuf *b, size_t *len)
{
	uint8_t *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void iota_dynbuf_free(iota_dynbuf *b)
{
	iota_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
