/*
 * Carving: find every unpacker's magic at any offset of a raw blob in one
 * pass. All magics go into one Hyperscan (or Vectorscan) literal database;
 * matches are collected, sorted by container start and handed to the engine,
 * which validates each with the unpacker's probe() before unpacking.
 * Without a usable Hyperscan platform (no SSSE3) a plain memmem() pass per
 * magic does the same, slower.
 */
#define _GNU_SOURCE
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "core/unpacker.h"
#include "util/alloc.h"

#define MAX_HITS (1 << 16)

struct pattern {
	const iota_unpacker *u;
	const iota_magic *m;
};

struct iota_carver {
	struct pattern *pats;
	unsigned npats;
	hs_database_t *db;
	hs_scratch_t *proto;
};

struct hit {
	uint64_t start;
	unsigned pat;
};

struct hits {
	struct hit *v;
	size_t n, cap;
	const struct iota_carver *c;
	int full;
};

iota_carver *iota_carver_new(void)
{
	iota_carver *c = iota_calloc(1, sizeof *c);
	if (!c)
		return NULL;
	unsigned n = 0;
	for (const iota_unpacker *const *u = iota_unpackers; *u; u++)
		if (!((*u)->flags & (IOTA_UNPACKER_NO_CARVE | IOTA_UNPACKER_DIR)))
			n += (unsigned)(*u)->nmagics;
	c->pats = iota_calloc(n, sizeof *c->pats);
	if (!c->pats) {
		iota_carver_free(c);
		return NULL;
	}
	for (const iota_unpacker *const *u = iota_unpackers; *u; u++) {
		if ((*u)->flags & (IOTA_UNPACKER_NO_CARVE | IOTA_UNPACKER_DIR))
			continue;
		for (size_t i = 0; i < (*u)->nmagics; i++)
			c->pats[c->npats++] = (struct pattern){.u = *u, .m = &(*u)->magics[i]};
	}
	if (c->npats == 0 || hs_valid_platform() != HS_SUCCESS)
		return c; /* memmem fallback */

	const char **exprs = iota_calloc(c->npats, sizeof *exprs);
	unsigned *flags = iota_calloc(c->npats, sizeof *flags);
	unsigned *ids = iota_calloc(c->npats, sizeof *ids);
	size_t *lens = iota_calloc(c->npats, sizeof *lens);
	if (exprs && flags && ids && lens) {
		for (unsigned i = 0; i < c->npats; i++) {
			exprs[i] = c->pats[i].m->bytes;
			lens[i] = c->pats[i].m->len;
			ids[i] = i;
			flags[i] = 0;
		}
		hs_compile_error_t *err = NULL;
		if (hs_compile_lit_multi(exprs, flags, ids, lens, c->npats, HS_MODE_BLOCK, NULL, &c->db,
					 &err) != HS_SUCCESS) {
			hs_free_compile_error(err);
			c->db = NULL;
		} else if (hs_alloc_scratch(c->db, &c->proto) != HS_SUCCESS) {
			hs_free_database(c->db);
			c->db = NULL;
		}
	}
	iota_free(exprs);
	iota_free(flags);
	iota_free(ids);
	iota_free(lens);
	return c;
}

void iota_carver_free(iota_carver *c)
{
	if (!c)
		return;
	if (c->proto)
		hs_free_scratch(c->proto);
	if (c->db)
		hs_free_database(c->db);
	iota_free(c->pats);
	iota_free(c);
}

static int add_hit(struct hits *h, unsigned pat, unsigned long long magic_start)
{
	const iota_magic *m = h->c->pats[pat].m;
	if (magic_start < m->at)
		return 0;
	if (h->n == h->cap) {
		if (h->cap >= MAX_HITS) {
			h->full = 1;
			return 1;
		}
		size_t ncap = h->cap ? h->cap * 2 : 64;
		struct hit *nv = iota_realloc(h->v, ncap * sizeof *nv);
		if (!nv) {
			h->full = 1;
			return 1;
		}
		h->v = nv;
		h->cap = ncap;
	}
	h->v[h->n++] = (struct hit){.start = magic_start - m->at, .pat = pat};
	return 0;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	(void)from;
	(void)flags;
	struct hits *h = ctx;
	return add_hit(h, id, to - h->c->pats[id].m->len);
}

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pat < y->pat ? -1 : x->pat > y->pat;
}

int iota_carver_scan(iota_carver *c, const uint8_t *data, size_t len, iota_carve_fn fn, void *ctx)
{
	struct hits h = {.c = c};
	if (c->db && len <= UINT32_MAX) {
		hs_scratch_t *scratch = NULL;
		if (hs_clone_scratch(c->proto, &scratch) != HS_SUCCESS)
			return -1;
		hs_scan(c->db, (const char *)data, (unsigned)len, 0, scratch, on_match, &h);
		hs_free_scratch(scratch);
	} else {
		for (unsigned i = 0; i < c->npats && !h.full; i++) {
			const iota_magic *m = c->pats[i].m;
			const uint8_t *p = data;
			size_t left = len;
			while (left >= m->len && !h.full) {
				const uint8_t *q = memmem(p, left, m->bytes, m->len);
				if (!q)
					break;
				add_hit(&h, i, (unsigned long long)(q - data));
				left -= (size_t)(q - p) + 1;
				p = q + 1;
			}
		}
	}
	if (h.n) /* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(h.v, h.n, sizeof *h.v, cmp_hit);
	int rc = 0;
	const iota_unpacker *last_u = NULL;
	uint64_t last_start = UINT64_MAX;
	for (size_t i = 0; i < h.n && !rc; i++) {
		const iota_unpacker *u = c->pats[h.v[i].pat].u;
		if (u == last_u && h.v[i].start == last_start)
			continue; /* two magics of one format at one start */
		last_u = u;
		last_start = h.v[i].start;
		rc = fn(ctx, u, h.v[i].start);
	}
	iota_free(h.v);
	return h.full ? 1 : 0;
}
