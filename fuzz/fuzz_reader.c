/*
 * Fuzz target "util_reader": the bounds-checked reader (src/util/reader.h)
 * and the bounded growable buffer (src/util/dynbuf.h) that every parser
 * relies on. The input is a little program: byte 0 and 1 give the length of
 * a buffer (taken from the end of the input and copied to a heap block of
 * exactly that size, so ASan sees any read past it); the bytes between are
 * operations with their arguments. After each one the contracts of the
 * headers are checked, and a broken one aborts:
 *  - the position never passes the length; a failed read sets 'bad' and
 *    leaves the position where it was; a successful one returns the bytes
 *    at the position in the stated byte order;
 *  - a dynbuf never holds more than its maximum, a refused append leaves it
 *    unchanged, and its bytes are always the ones appended.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotaudit/iotaudit.h"
#include "util/alloc.h"
#include "util/dynbuf.h"
#include "util/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t expect_int(const uint8_t *p, size_t n, int big)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

/* One fixed-width read through both APIs; aborts on a broken contract. */
static void check_int(iota_reader *r, unsigned op)
{
	static const size_t widths[] = {1, 2, 2, 4, 4, 8, 8};
	unsigned k = op % 7;
	size_t n = widths[k];
	int big = k == 2 || k == 4 || k == 6;
	size_t pos = r->pos;
	int fits = iota_rd_has(r, n);
	uint64_t got = 0, at = 0;
	bool ok = false;
	uint8_t v8 = 0;
	uint16_t v16 = 0;
	uint32_t v32 = 0;
	uint64_t v64 = 0;

	switch (k) {
	case 0:
		ok = iota_ld_u8(r->base, r->len, pos, &v8);
		at = v8;
		got = iota_rd_u8(r);
		break;
	case 1:
		ok = iota_ld_u16le(r->base, r->len, pos, &v16);
		at = v16;
		got = iota_rd_u16le(r);
		break;
	case 2:
		ok = iota_ld_u16be(r->base, r->len, pos, &v16);
		at = v16;
		got = iota_rd_u16be(r);
		break;
	case 3:
		ok = iota_ld_u32le(r->base, r->len, pos, &v32);
		at = v32;
		got = iota_rd_u32le(r);
		break;
	case 4:
		ok = iota_ld_u32be(r->base, r->len, pos, &v32);
		at = v32;
		got = iota_rd_u32be(r);
		break;
	case 5:
		ok = iota_ld_u64le(r->base, r->len, pos, &v64);
		at = v64;
		got = iota_rd_u64le(r);
		break;
	default:
		ok = iota_ld_u64be(r->base, r->len, pos, &v64);
		at = v64;
		got = iota_rd_u64be(r);
		break;
	}
	if (ok != fits)
		abort();
	if (fits) {
		uint64_t want = expect_int(r->base + pos, n, big);
		if (got != want || at != want || r->pos != pos + n)
			abort();
	} else if (!r->bad || r->pos != pos || got != 0 || at != 0) {
		abort();
	}
}

static void run_reader(const uint8_t *buf, size_t len, const uint8_t *ops, size_t nops)
{
	iota_reader r;
	iota_rd_init(&r, buf, len);
	for (size_t i = 0; i + 2 < nops; i += 3) {
		unsigned op = ops[i];
		size_t arg = (size_t)ops[i + 1] | (size_t)ops[i + 2] << 8;
		size_t pos = r.pos;
		switch (op % 12) {
		case 7: {
			int fits = iota_rd_has(&r, arg);
			const uint8_t *p = iota_rd_bytes(&r, arg);
			if ((p != NULL) != fits || (p && (p != r.base + pos || r.pos != pos + arg)) ||
			    (!p && (r.pos != pos || !r.bad)))
				abort();
			if (p && arg) {
				volatile uint8_t sink = p[arg - 1];
				(void)sink;
			}
			break;
		}
		case 8: {
			int fits = iota_rd_has(&r, arg);
			bool ok = iota_rd_skip(&r, arg);
			if (ok != (fits || arg == 0) || (ok && r.pos != pos + arg) ||
			    (!ok && r.pos != pos))
				abort();
			break;
		}
		case 9: {
			bool ok = iota_rd_seek(&r, arg);
			if (ok != (arg <= len) || r.pos != (ok ? arg : pos))
				abort();
			break;
		}
		case 10: {
			uint8_t m[4] = {ops[i + 1], ops[i + 2], 0, 0};
			size_t off = arg % (len + 8);
			bool got = iota_ld_match(buf, len, off, m, 2);
			bool want = off + 2 <= len && buf[off] == m[0] && buf[off + 1] == m[1];
			if (got != want)
				abort();
			break;
		}
		case 11:
			if (iota_rd_left(&r) != len - r.pos)
				abort();
			break;
		default:
			check_int(&r, op);
			break;
		}
		if (r.pos > r.len)
			abort();
	}
}

static void run_dynbuf(const uint8_t *ops, size_t nops)
{
	/* addf's text: long enough to pass dynbuf.c's on-stack fast path */
	static char text[513];
	if (!text[0])
		for (size_t i = 0; i < sizeof text - 1; i++)
			text[i] = (char)('a' + i % 26);

	iota_dynbuf b;
	size_t max = nops ? (size_t)ops[0] * 16 : 0;
	iota_dynbuf_init(&b, max);
	uint8_t *shadow = malloc(max + 1);
	size_t slen = 0;
	if (!shadow)
		return;
	for (size_t i = 1; i + 1 < nops; i += 2) {
		size_t before = b.len, n;
		const uint8_t *src;
		int rc;
		if (ops[i] & 1) {
			n = (size_t)ops[i + 1] * 2;
			src = (const uint8_t *)text;
			rc = iota_dynbuf_addf(&b, "%.*s", (int)n, text);
		} else {
			n = ops[i + 1] <= nops - i ? ops[i + 1] : nops - i;
			src = ops + i;
			rc = iota_dynbuf_add(&b, src, n);
		}
		if (rc == 0) {
			if (b.len != before + n || slen + n > max)
				abort();
			memcpy(shadow + slen, src, n);
			slen += n;
		} else if (rc == IOTA_LIMIT) {
			if (b.len != before || before + n <= max)
				abort();
		} else if (rc != IOTA_NOMEM) {
			abort();
		}
		if (b.len > max || b.len != slen || (slen && memcmp(b.data, shadow, slen) != 0))
			abort();
		if (strlen(iota_dynbuf_str(&b)) > b.len)
			abort();
	}
	size_t tl = 0;
	uint8_t *t = iota_dynbuf_take(&b, &tl);
	if (tl != slen || b.len != 0)
		abort();
	iota_free(t);
	iota_dynbuf_free(&b);
	free(shadow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t blen = ((size_t)data[0] | (size_t)data[1] << 8) % (size - 1);
	size_t nops = size - 2 - blen;
	const uint8_t *ops = data + 2;
	uint8_t *buf = malloc(blen ? blen : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 2 + nops, blen);
	run_reader(blen ? buf : NULL, blen, ops, nops);
	free(buf);
	run_dynbuf(ops, nops);
	return 0;
}
