/*
 * Bounds-checked reading of untrusted bytes (after tcpdump's GET_BE_U_4 and
 * yara's fits_in_pe()). A reader never reads outside [base, base+len); a read
 * that would, returns 0, leaves the position where it was and sets the sticky
 * 'bad' flag, so a parser may do a run of reads and check once:
 *
 *	iota_reader r;
 *	iota_rd_init(&r, buf, len);
 *	uint32_t magic = iota_rd_u32le(&r);
 *	uint32_t size = iota_rd_u32le(&r);
 *	if (r.bad)
 *		return IOTA_CORRUPT;
 *
 * No parser casts input bytes to on-disk structures or does pointer
 * arithmetic on input; they use these functions or the iota_ld_* loaders
 * (explicit offset, result through a pointer, false when out of range).
 */
#ifndef IOTA_UTIL_READER_H
#define IOTA_UTIL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct iota_reader {
	const uint8_t *base;
	size_t len;
	size_t pos;
	bool bad;
} iota_reader;

static inline void iota_rd_init(iota_reader *r, const void *base, size_t len)
{
	/* never NULL: NULL + 0 is undefined, and a zero-length read must still work */
	r->base = base ? (const uint8_t *)base : (const uint8_t *)"";
	r->len = base ? len : 0;
	r->pos = 0;
	r->bad = false;
}

/* True if n more bytes can be read from the current position. */
static inline bool iota_rd_has(const iota_reader *r, size_t n)
{
	return r->pos <= r->len && n <= r->len - r->pos;
}

static inline size_t iota_rd_left(const iota_reader *r)
{
	return r->pos <= r->len ? r->len - r->pos : 0;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and bad). */
static inline const uint8_t *iota_rd_bytes(iota_reader *r, size_t n)
{
	if (!iota_rd_has(r, n)) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->base + r->pos;
	r->pos += n;
	return p;
}

static inline bool iota_rd_skip(iota_reader *r, size_t n)
{
	return iota_rd_bytes(r, n) != NULL || n == 0;
}

static inline bool iota_rd_seek(iota_reader *r, size_t pos)
{
	if (pos > r->len) {
		r->bad = true;
		return false;
	}
	r->pos = pos;
	return true;
}

/* Bounds-checked loaders at an explicit offset. */
static inline bool iota_ld_bytes(const uint8_t *b, size_t len, size_t off, void *out, size_t n)
{
	if (off > len || n > len - off)
		return false;
	memcpy(out, b + off, n);
	return true;
}

#define IOTA_LD_FN(name, type, nbytes, expr)                                         \
	static inline bool iota_ld_##name(const uint8_t *b, size_t len, size_t off, type *v) \
	{                                                                              \
		uint8_t p[nbytes];                                                       \
		if (!iota_ld_bytes(b, len, off, p, nbytes))                              \
			return false;                                                    \
		*v = (type)(expr);                                                       \
		return true;                                                             \
	}                                                                              \
	static inline type iota_rd_##name(iota_reader *r)                             \
	{                                                                              \
		type v = 0;                                                              \
		if (!iota_ld_##name(r->base, r->len, r->pos, &v)) {                      \
			r->bad = true;                                                   \
			return 0;                                                        \
		}                                                                        \
		r->pos += nbytes;                                                        \
		return v;                                                                \
	}

IOTA_LD_FN(u8, uint8_t, 1, p[0])
IOTA_LD_FN(u16le, uint16_t, 2, (uint16_t)p[0] | (uint16_t)p[1] << 8)
IOTA_LD_FN(u16be, uint16_t, 2, (uint16_t)p[1] | (uint16_t)p[0] << 8)
IOTA_LD_FN(u32le, uint32_t, 4,
	   (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24)
IOTA_LD_FN(u32be, uint32_t, 4,
	   (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24)
IOTA_LD_FN(u64le, uint64_t, 8,
	   (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
		   (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
		   (uint64_t)p[7] << 56)
IOTA_LD_FN(u64be, uint64_t, 8,
	   (uint64_t)p[7] | (uint64_t)p[6] << 8 | (uint64_t)p[5] << 16 | (uint64_t)p[4] << 24 |
		   (uint64_t)p[3] << 32 | (uint64_t)p[2] << 40 | (uint64_t)p[1] << 48 |
		   (uint64_t)p[0] << 56)

#undef IOTA_LD_FN

/* True if the bytes at off equal the n bytes of m. */
static inline bool iota_ld_match(const uint8_t *b, size_t len, size_t off, const void *m, size_t n)
{
	return off <= len && n <= len - off && memcmp(b + off, m, n) == 0;
}

#endif
