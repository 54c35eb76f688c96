/*
 * Binary signatures (see signatures.h): YAML loading with libfyaml, one
 * Hyperscan literal database for every prefilter, PCRE2 at the hits.
 *
 * Why Hyperscan literals and not one regex per product: a file is read once
 * whatever the number of products, and the per-product expressions run only
 * where their literal occurs (a few times per file), so the cost is that of
 * one memory scan. The expressions stay PCRE2 because Hyperscan cannot
 * capture groups.
 *
 * Bounds: a window of at most 'before' + prefilter + WINDOW_AFTER bytes is
 * handed to PCRE2 (with match and depth limits), at most MAX_TRIES hits per
 * signature and MAX_SEEN distinct results per scan are considered.
 */
#define _GNU_SOURCE /* memmem */
#include "sbom/signatures.h"

#include <ctype.h>
#include <fnmatch.h>
#include <hs/hs.h>
#include <libfyaml.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/data.h"
#include "util/alloc.h"

#define WINDOW_AFTER 256u
#define MAX_BEFORE   256u
#define MAX_TRIES    64u
#define MAX_SEEN     256u
#define MAX_VERSION  64u
#define MAX_MATCH    200u
#define MAX_SIGS     4096u

/* The files of the built-in set, in data/signatures/ (iota_data_get() looks
 * files up by name; a new file is added here). */
const char *const iota_sig_files[] = {"signatures/libc.yaml",      "signatures/crypto.yaml",
                                      "signatures/network.yaml",   "signatures/web.yaml",
                                      "signatures/libraries.yaml", "signatures/system.yaml",
                                      "signatures/kernel.yaml",    NULL};

struct iota_sigdb {
	iota_sig *sigs;
	size_t n, cap;
	pcre2_code **re;
	pcre2_code **fre; /* filename_version, NULL where none */
	unsigned *named;  /* indexes of the signatures with one */
	size_t nnamed;
	unsigned *hsid; /* Hyperscan id -> signature (those with a prefilter) */
	char **strs;    /* every string the signatures point to */
	size_t nstrs, capstrs;
	hs_database_t *hs;
	hs_scratch_t *proto;
	pthread_key_t key; /* this thread's scratch */
	bool has_key;
};

/* ---- loading ---- */

static char *keep(iota_sigdb *db, const char *s, size_t len)
{
	if (db->nstrs == db->capstrs) {
		size_t nc = db->capstrs ? db->capstrs * 2 : 256;
		char **nv = iota_realloc(db->strs, nc * sizeof *nv);
		if (!nv)
			return NULL;
		db->strs = nv;
		db->capstrs = nc;
	}
	char *c = iota_malloc(len + 1);
	if (!c)
		return NULL;
	memcpy(c, s, len);
	c[len] = '\0';
	db->strs[db->nstrs++] = c;
	return c;
}

static struct fy_node *field(struct fy_node *map, const char *key)
{
	return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

/* A scalar field copied into the set; NULL if absent. *len gets its length. */
static const char *scalar(iota_sigdb *db, struct fy_node *map, const char *key, size_t *len,
                          bool *bad)
{
	struct fy_node *v = field(map, key);
	if (!v)
		return NULL;
	if (!fy_node_is_scalar(v)) {
		*bad = true;
		return NULL;
	}
	size_t l = 0;
	const char *s = fy_node_get_scalar(v, &l);
	if (!s) {
		*bad = true;
		return NULL;
	}
	if (len)
		*len = l;
	const char *c = keep(db, s, l);
	if (!c)
		*bad = true;
	return c;
}

/* A list of scalars, or one scalar. */
static bool hints(iota_sigdb *db, struct fy_node *map, const char *key, const char **out,
                  unsigned *n)
{
	struct fy_node *v = field(map, key);
	*n = 0;
	if (!v)
		return true;
	if (fy_node_is_scalar(v)) {
		size_t l = 0;
		const char *s = fy_node_get_scalar(v, &l);
		out[0] = s ? keep(db, s, l) : NULL;
		*n = out[0] ? 1 : 0;
		return out[0] != NULL;
	}
	if (!fy_node_is_sequence(v))
		return false;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		if (*n >= IOTA_SIG_MAX_HINTS || !fy_node_is_scalar(item))
			return false;
		size_t l = 0;
		const char *s = fy_node_get_scalar(item, &l);
		if (!s || !(out[*n] = keep(db, s, l)))
			return false;
		(*n)++;
	}
	return true;
}

static bool valid_id(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		      strchr("-_.+", *s)))
			return false;
	return true;
}

static int load_one(iota_sigdb *db, struct fy_node *m, const char *name, unsigned idx, char *err,
                    size_t errsz)
{
	if (!fy_node_is_mapping(m)) {
		snprintf(err, errsz, "%s: entry %u is not a mapping", name, idx);
		return -1;
	}
	if (db->n >= MAX_SIGS) {
		snprintf(err, errsz, "%s: more than %u signatures", name, MAX_SIGS);
		return -1;
	}
	if (db->n == db->cap) {
		size_t nc = db->cap ? db->cap * 2 : 128;
		iota_sig *nv = iota_realloc(db->sigs, nc * sizeof *nv);
		if (!nv) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		db->sigs = nv;
		db->cap = nc;
	}
	iota_sig *g = &db->sigs[db->n];
	memset(g, 0, sizeof *g);
	bool bad = false;
	g->product = scalar(db, m, "product", NULL, &bad);
	g->vendor = scalar(db, m, "vendor", NULL, &bad);
	g->prefilter = scalar(db, m, "prefilter", &g->prefilter_len, &bad);
	g->regex = scalar(db, m, "regex", NULL, &bad);
	const char *cpe = scalar(db, m, "cpe", NULL, &bad);
	const char *part = scalar(db, m, "part", NULL, &bad);
	const char *purl = scalar(db, m, "purl", NULL, &bad);
	const char *before = scalar(db, m, "before", NULL, &bad);
	const char *contains = scalar(db, m, "contains", NULL, &bad);
	g->filename_version = scalar(db, m, "filename_version", NULL, &bad);
	g->confirm = scalar(db, m, "confirm", &g->confirm_len, &bad);
	const char *what = g->product ? g->product : "?";
	bool bytes = g->prefilter && g->regex && g->prefilter_len >= 3;
	if (bad || !valid_id(g->product) || (!bytes && !g->filename_version) ||
	    (!bytes && (g->prefilter || g->regex))) {
		snprintf(
		    err, errsz,
		    "%s: signature %u (%s): needs product (lower case), and prefilter (3 bytes "
		    "or more) with regex, or filename_version",
		    name, idx, what);
		return -1;
	}
	if (!hints(db, m, "files", g->files, &g->nfiles) ||
	    !hints(db, m, "sonames", g->sonames, &g->nsonames)) {
		snprintf(err, errsz, "%s: signature %u (%s): files/sonames: at most %d names", name,
		         idx, what, IOTA_SIG_MAX_HINTS);
		return -1;
	}
	if (cpe) {
		const char *colon = strchr(cpe, ':');
		if (!colon || colon == cpe || !colon[1] || strchr(colon + 1, ':')) {
			snprintf(err, errsz, "%s: signature %u (%s): cpe is vendor:product", name,
			         idx, what);
			return -1;
		}
		g->cpe_vendor = keep(db, cpe, (size_t)(colon - cpe));
		g->cpe_product = colon + 1;
		if (!g->cpe_vendor) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
	}
	g->cpe_part = part && (part[0] == 'o' || part[0] == 'h') ? part[0] : 'a';
	g->purl_type = purl ? purl : "generic";
	g->is_only = contains && (!strcmp(contains, "false") || !strcmp(contains, "no"));
	if (before) {
		char *end = NULL;
		unsigned long b = strtoul(before, &end, 10);
		if (!end || *end || b > MAX_BEFORE) {
			snprintf(err, errsz, "%s: signature %u (%s): before is 0..%u", name, idx,
			         what, MAX_BEFORE);
			return -1;
		}
		g->before = (unsigned)b;
	}
	db->n++;
	return 0;
}

struct yaml_msg {
	char text[160];
};

static void keep_msg(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct yaml_msg *m = user;
	if (m->text[0])
		return; /* the first message says most */
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	snprintf(m->text, sizeof m->text, "%.*s", (int)(len < 159 ? len : 159), buf);
	for (char *p = m->text; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static int load_text(iota_sigdb *db, const char *text, size_t len, const char *name, char *err,
                     size_t errsz)
{
	/* the library never prints: libfyaml's messages go to a buffer */
	struct yaml_msg msg = {.text = ""};
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = keep_msg;
	dcfg.user = &msg;
	dcfg.colorize = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET, .diag = diag};
	struct fy_document *doc = diag ? fy_document_build_from_string(&cfg, text, len) : NULL;
	if (diag)
		fy_diag_destroy(diag);
	if (!doc) {
		snprintf(err, errsz, "%s: not valid YAML%s%s", name, msg.text[0] ? ": " : "",
		         msg.text);
		return -1;
	}
	struct fy_node *root = fy_document_root(doc);
	int rc = 0;
	if (!root) {
		fy_document_destroy(doc);
		return 0; /* an empty file */
	}
	if (!fy_node_is_sequence(root)) {
		snprintf(err, errsz, "%s: the top level must be a list of signatures", name);
		rc = -1;
	}
	void *it = NULL;
	struct fy_node *m;
	unsigned idx = 0;
	while (rc == 0 && (m = fy_node_sequence_iterate(root, &it)) != NULL)
		rc = load_one(db, m, name, ++idx, err, errsz);
	fy_document_destroy(doc);
	return rc;
}

static void free_scratch(void *p)
{
	if (p)
		hs_free_scratch(p);
}

static pcre2_code *compile_re(const char *src, size_t i, const char *product, char *err,
                              size_t errsz)
{
	int code = 0;
	PCRE2_SIZE at = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0, &code, &at, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(code, msg, sizeof msg);
		snprintf(err, errsz, "signature %zu (%s): regex at %zu: %s", i + 1, product,
		         (size_t)at, (const char *)msg);
		return NULL;
	}
	uint32_t groups = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups < 1) {
		snprintf(err, errsz, "signature %zu (%s): the regex captures no version", i + 1,
		         product);
		pcre2_code_free(re);
		return NULL;
	}
	return re;
}

static int compile(iota_sigdb *db, char *err, size_t errsz)
{
	size_t cnt = db->n ? db->n : 1;
	db->re = iota_calloc(cnt, sizeof *db->re);
	db->fre = iota_calloc(cnt, sizeof *db->fre);
	db->named = iota_calloc(cnt, sizeof *db->named);
	db->hsid = iota_calloc(cnt, sizeof *db->hsid);
	if (!db->re || !db->fre || !db->named || !db->hsid) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	unsigned nhs = 0;
	for (size_t i = 0; i < db->n; i++) {
		const iota_sig *g = &db->sigs[i];
		if (g->regex && !(db->re[i] = compile_re(g->regex, i, g->product, err, errsz)))
			return -1;
		if (g->regex)
			db->hsid[nhs++] = (unsigned)i;
		if (g->filename_version) {
			db->fre[i] = compile_re(g->filename_version, i, g->product, err, errsz);
			if (!db->fre[i])
				return -1;
			db->named[db->nnamed++] = (unsigned)i;
		}
	}
	if (nhs == 0 || hs_valid_platform() != HS_SUCCESS)
		return 0; /* memmem fallback */
	const char **exprs = iota_calloc(db->n, sizeof *exprs);
	unsigned *flags = iota_calloc(db->n, sizeof *flags);
	unsigned *ids = iota_calloc(db->n, sizeof *ids);
	size_t *lens = iota_calloc(db->n, sizeof *lens);
	int rc = 0;
	if (!exprs || !flags || !ids || !lens) {
		snprintf(err, errsz, "out of memory");
		rc = -1;
	} else {
		for (unsigned i = 0; i < nhs; i++) {
			exprs[i] = db->sigs[db->hsid[i]].prefilter;
			lens[i] = db->sigs[db->hsid[i]].prefilter_len;
			ids[i] = db->hsid[i];
		}
		hs_compile_error_t *ce = NULL;
		if (hs_compile_lit_multi(exprs, flags, ids, lens, nhs, HS_MODE_BLOCK, NULL, &db->hs,
		                         &ce) != HS_SUCCESS) {
			snprintf(err, errsz, "hyperscan: %s",
			         ce && ce->message ? ce->message : "?");
			hs_free_compile_error(ce);
			db->hs = NULL;
			rc = -1;
		} else if (hs_alloc_scratch(db->hs, &db->proto) != HS_SUCCESS ||
		           pthread_key_create(&db->key, free_scratch) != 0) {
			snprintf(err, errsz, "hyperscan: cannot allocate scratch");
			rc = -1;
		} else {
			db->has_key = true;
		}
	}
	iota_free(exprs);
	iota_free(flags);
	iota_free(ids);
	iota_free(lens);
	return rc;
}

iota_sigdb *iota_sigdb_load(const char *const *texts, const size_t *lens, const char *const *names,
                            size_t n, char *err, size_t errsz)
{
	iota_sigdb *db = iota_calloc(1, sizeof *db);
	if (!db) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (load_text(db, texts[i], lens[i], names[i], err, errsz) < 0) {
			iota_sigdb_free(db);
			return NULL;
		}
	}
	if (compile(db, err, errsz) < 0) {
		iota_sigdb_free(db);
		return NULL;
	}
	return db;
}

void iota_sigdb_free(iota_sigdb *db)
{
	if (!db)
		return;
	if (db->has_key) {
		free_scratch(pthread_getspecific(db->key));
		pthread_setspecific(db->key, NULL);
		pthread_key_delete(db->key);
	}
	if (db->proto)
		hs_free_scratch(db->proto);
	if (db->hs)
		hs_free_database(db->hs);
	for (size_t i = 0; i < db->n; i++) {
		if (db->re)
			pcre2_code_free(db->re[i]);
		if (db->fre)
			pcre2_code_free(db->fre[i]);
	}
	iota_free(db->re);
	iota_free(db->fre);
	iota_free(db->named);
	iota_free(db->hsid);
	for (size_t i = 0; i < db->nstrs; i++)
		iota_free(db->strs[i]);
	iota_free(db->strs);
	iota_free(db->sigs);
	iota_free(db);
}

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static iota_sigdb *builtin_db;
static char builtin_err[256];

static void load_builtin(void)
{
	const char *texts[16], *names[16];
	size_t lens[16], n = 0;
	for (size_t i = 0; iota_sig_files[i] && n < 16; i++) {
		size_t len = 0;
		const unsigned char *t = iota_data_get(iota_sig_files[i], &len);
		if (!t)
			continue; /* a category with no file yet */
		texts[n] = (const char *)t;
		lens[n] = len;
		names[n] = iota_sig_files[i];
		n++;
	}
	builtin_db = iota_sigdb_load(texts, lens, names, n, builtin_err, sizeof builtin_err);
}

const iota_sigdb *iota_sigdb_builtin(char *err, size_t errsz)
{
	pthread_once(&builtin_once, load_builtin);
	if (!builtin_db && err)
		snprintf(err, errsz, "%s", builtin_err);
	return builtin_db;
}

size_t iota_sigdb_count(const iota_sigdb *db)
{
	return db ? db->n : 0;
}

const iota_sig *iota_sigdb_get(const iota_sigdb *db, size_t i)
{
	return db && i < db->n ? &db->sigs[i] : NULL;
}

const iota_sig *iota_sigdb_find(const iota_sigdb *db, const char *product)
{
	for (size_t i = 0; db && i < db->n; i++)
		if (strcmp(db->sigs[i].product, product) == 0)
			return &db->sigs[i];
	return NULL;
}

/* ---- scanning ---- */

struct seen {
	unsigned sig;
	char version[MAX_VERSION];
};

struct scan {
	const iota_sigdb *db;
	const uint8_t *data;
	size_t len;
	iota_sig_fn fn;
	void *ctx;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	uint8_t *tries; /* per signature */
	struct seen *seen;
	size_t nseen;
	int full, stop;
};

static bool printable_version(const uint8_t *v, size_t n)
{
	if (n == 0 || n >= MAX_VERSION)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return false;
	return true;
}

static int try_hit(struct scan *sc, unsigned id, uint64_t start)
{
	const iota_sig *g = &sc->db->sigs[id];
	if (sc->tries[id] >= MAX_TRIES)
		return 0;
	sc->tries[id]++;
	uint64_t ws = start > g->before ? start - g->before : 0;
	uint64_t we = start + g->prefilter_len + WINDOW_AFTER;
	if (we > sc->len)
		we = sc->len;
	if (ws >= we)
		return 0;
	int rc = pcre2_match(sc->db->re[id], (PCRE2_SPTR)(sc->data + ws), (PCRE2_SIZE)(we - ws), 0,
	                     g->before ? 0 : PCRE2_ANCHORED, sc->md, sc->mc);
	if (rc < 1)
		return 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
	/* the version: the group named "version", else group 1 */
	int grp = pcre2_substring_number_from_name(sc->db->re[id], (PCRE2_SPTR) "version");
	if (grp < 1)
		grp = 1;
	if (grp >= rc || ov[2 * grp] == PCRE2_UNSET)
		return 0;
	const uint8_t *v = sc->data + ws + ov[2 * grp];
	size_t vl = ov[2 * grp + 1] - ov[2 * grp];
	if (!printable_version(v, vl))
		return 0;
	char version[MAX_VERSION];
	memcpy(version, v, vl);
	version[vl] = '\0';
	for (size_t i = 0; i < sc->nseen; i++)
		if (sc->seen[i].sig == id && strcmp(sc->seen[i].version, version) == 0)
			return 0;
	if (sc->nseen >= MAX_SEEN) {
		sc->full = 1;
		return 0;
	}
	sc->seen[sc->nseen].sig = id;
	memcpy(sc->seen[sc->nseen].version, version, vl + 1);
	sc->nseen++;
	char match[MAX_MATCH + 1];
	/* the matched text without the NULs that delimit it */
	size_t ms = ov[0], me = ov[1];
	while (ms < me && sc->data[ws + ms] == 0)
		ms++;
	while (me > ms && sc->data[ws + me - 1] == 0)
		me--;
	size_t ml = me - ms;
	if (ml > MAX_MATCH)
		ml = MAX_MATCH;
	for (size_t i = 0; i < ml; i++) {
		uint8_t ch = sc->data[ws + ms + i];
		match[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
	}
	match[ml] = '\0';
	iota_sig_hit hit = {
	    .sig = g, .index = id, .offset = ws + ov[0], .version = version, .match = match};
	if (sc->fn(sc->ctx, &hit)) {
		sc->stop = 1;
		return 1;
	}
	return 0;
}

static int on_hs(unsigned int id, unsigned long long from, unsigned long long to,
                 unsigned int flags, void *ctx)
{
	(void)from;
	(void)flags;
	struct scan *sc = ctx;
	return try_hit(sc, id, to - sc->db->sigs[id].prefilter_len);
}

static hs_scratch_t *thread_scratch(const iota_sigdb *db)
{
	hs_scratch_t *s = pthread_getspecific(db->key);
	if (s)
		return s;
	if (hs_clone_scratch(db->proto, &s) != HS_SUCCESS)
		return NULL;
	if (pthread_setspecific(db->key, s) != 0) {
		hs_free_scratch(s);
		return NULL;
	}
	return s;
}

int iota_sigdb_scan(const iota_sigdb *db, const uint8_t *data, size_t len, iota_sig_fn fn,
                    void *ctx)
{
	if (!db || db->n == 0 || len == 0)
		return 0;
	struct scan sc = {.db = db, .data = data, .len = len, .fn = fn, .ctx = ctx};
	sc.tries = iota_calloc(db->n, 1);
	sc.seen = iota_calloc(MAX_SEEN, sizeof *sc.seen);
	sc.mc = pcre2_match_context_create(NULL);
	sc.md = pcre2_match_data_create(16, NULL);
	int rc = 0;
	if (!sc.tries || !sc.seen || !sc.mc || !sc.md) {
		rc = -1;
		goto out;
	}
	pcre2_set_match_limit(sc.mc, 100000);
	pcre2_set_depth_limit(sc.mc, 1000);
	if (db->hs && len <= UINT32_MAX) {
		hs_scratch_t *scratch = thread_scratch(db);
		if (!scratch) {
			rc = -1;
			goto out;
		}
		hs_error_t e =
		    hs_scan(db->hs, (const char *)data, (unsigned)len, 0, scratch, on_hs, &sc);
		if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
			rc = -1;
	} else {
		for (unsigned i = 0; i < db->n && !sc.stop; i++) {
			const iota_sig *g = &db->sigs[i];
			if (!g->regex)
				continue;
			const uint8_t *p = data;
			size_t left = len;
			while (left >= g->prefilter_len && !sc.stop && sc.tries[i] < MAX_TRIES) {
				const uint8_t *q = memmem(p, left, g->prefilter, g->prefilter_len);
				if (!q)
					break;
				try_hit(&sc, i, (uint64_t)(q - data));
				left -= (size_t)(q - p) + 1;
				p = q + 1;
			}
		}
	}
	if (rc == 0 && sc.full)
		rc = 1;
out:
	pcre2_match_data_free(sc.md);
	pcre2_match_context_free(sc.mc);
	iota_free(sc.tries);
	iota_free(sc.seen);
	return rc;
}

int iota_sigdb_match_name(const iota_sigdb *db, const char *name, iota_sig_fn fn, void *ctx)
{
	if (!db || !db->nnamed || !name)
		return 0;
	pcre2_match_data *md = pcre2_match_data_create(16, NULL);
	if (!md)
		return -1;
	size_t len = strlen(name);
	for (size_t k = 0; k < db->nnamed; k++) {
		unsigned i = db->named[k];
		if (pcre2_match(db->fre[i], (PCRE2_SPTR)name, len, 0, 0, md, NULL) < 2)
			continue;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		size_t vl = ov[3] - ov[2];
		if (!printable_version((const uint8_t *)name + ov[2], vl))
			continue;
		char version[MAX_VERSION];
		memcpy(version, name + ov[2], vl);
		version[vl] = '\0';
		iota_sig_hit hit = {.sig = &db->sigs[i],
		                    .index = i,
		                    .offset = UINT64_MAX,
		                    .version = version,
		                    .match = name};
		if (fn(ctx, &hit))
			break;
	}
	pcre2_match_data_free(md);
	return 0;
}

/* ---- identifiers ---- */

/* CPE 2.3 formatted string: characters other than letters, digits, '_',
 * '-' and '.' are quoted with a backslash (NISTIR 7695 section 6.2). */
static void cpe_escape(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 3 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (!(isalnum(ch) || ch == '_' || ch == '-' || ch == '.'))
			out[o++] = '\\';
		out[o++] = (char)ch;
	}
	out[o] = '\0';
}

/* purl: percent-encode what is not unreserved (purl-spec, "Character
 * encoding"). */
static void purl_escape(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *s && o + 4 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '~' || ch == '+') {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

void iota_sig_ids(const iota_sig *sig, const char *version, char *cpe, size_t cpecap, char *purl,
                  size_t purlcap)
{
	char v[2 * MAX_VERSION + 8];
	if (cpecap)
		cpe[0] = '\0';
	if (sig->cpe_vendor && cpecap) {
		cpe_escape(v, sizeof v, version && *version ? version : "*");
		if (!version || !*version)
			snprintf(v, sizeof v, "*");
		snprintf(cpe, cpecap, "cpe:2.3:%c:%s:%s:%s:*:*:*:*:*:*:*", sig->cpe_part,
		         sig->cpe_vendor, sig->cpe_product, v);
	}
	if (purlcap) {
		char pv[3 * MAX_VERSION + 8];
		purl_escape(pv, sizeof pv, version ? version : "");
		if (pv[0])
			snprintf(purl, purlcap, "pkg:%s/%s@%s", sig->purl_type, sig->product, pv);
		else
			snprintf(purl, purlcap, "pkg:%s/%s", sig->purl_type, sig->product);
	}
}

/* ---- busybox applets ---- */

/* applet_names[] in busybox's generated applet_tables.h: every enabled
 * applet's name, NUL-terminated, sorted by strcmp (applets/applet_tables.c
 * sorts them so find_applet_by_name() can bisect). We take the longest run of
 * at least 8 short names in strictly increasing order. */
static bool applet_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.' || c == '[' || (c >= 'A' && c <= 'Z');
}

size_t iota_busybox_applets(const uint8_t *data, size_t len, char *out, size_t cap)
{
	size_t best_start = 0, best_n = 0, best_end = 0;
	size_t i = 0;
	while (i < len) {
		/* a run starts after a NUL */
		if (i > 0 && data[i - 1] != 0) {
			i++;
			continue;
		}
		size_t p = i, n = 0;
		const uint8_t *prev = NULL;
		size_t prevlen = 0;
		while (p < len) {
			size_t q = p;
			while (q < len && q - p <= 32 && applet_char(data[q]))
				q++;
			if (q == p || q >= len || data[q] != 0 || q - p > 32)
				break;
			size_t l = q - p;
			if (prev) {
				size_t m = l < prevlen ? l : prevlen;
				int c = memcmp(prev, data + p, m);
				if (c > 0 || (c == 0 && prevlen >= l))
					break; /* not increasing */
			}
			prev = data + p;
			prevlen = l;
			n++;
			p = q + 1;
		}
		if (n > best_n) {
			best_n = n;
			best_start = i;
			best_end = p;
		}
		i = p > i ? p : i + 1;
	}
	if (best_n < 8)
		return 0;
	size_t o = 0;
	if (cap)
		out[0] = '\0';
	for (size_t p = best_start; p < best_end && cap;) {
		size_t l = strnlen((const char *)data + p, best_end - p);
		if (o + l + 2 > cap)
			break;
		if (o)
			out[o++] = ',';
		memcpy(out + o, data + p, l);
		o += l;
		out[o] = '\0';
		p += l + 1;
	}
	return best_n;
}
