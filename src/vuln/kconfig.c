/*
 * Kernel configurations and what they leave out.
 *
 * 1. Reading a configuration: a .config text (Documentation/kbuild/kconfig.
 *    rst: "CONFIG_X=y|m|value", "# CONFIG_X is not set", a "# Linux/<arch>
 *    <version> Kernel Configuration" header), the same gzip-compressed
 *    (/proc/config.gz), or embedded in a kernel image by CONFIG_IKCONFIG
 *    (kernel/configs.c: "IKCFG_ST" + gzip stream + "IKCFG_ED"). Every read
 *    of the input is bounded by its length; the inflated text by
 *    MAX_CONFIG. Hand-written: a .config is lines of KEY=VALUE and no
 *    Debian library parses it.
 *
 * 2. Whether a source file is built: data/vuln/kernel-objects.tsv (made by
 *    scripts/gen-kernel-objects.py from the kernel's kbuild Makefiles) gives
 *    the condition of folders ("net/sched/") and files ("net/sched/
 *    sch_taprio"): alternatives of conjunctions of symbols. A file is built
 *    when its own condition and that of every folder above it hold. A path
 *    the table does not know (headers under include/, files added after
 *    6.1) is taken as built: the table can only ever rule code out.
 */
#define _GNU_SOURCE /* memmem */
#include "vuln/kconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/data.h"
#include "util/alloc.h"
#include "util/dynbuf.h"

/* A .config is ~250 KiB; 8 MiB bounds a hostile gzip stream. */
#define MAX_CONFIG (8u << 20)
/* Symbols in one configuration (Linux has ~20,000 in all). */
#define MAX_SYMBOLS 65536u

/* ---- reading a configuration ---- */

static int sym_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void iota_kconfig_free(iota_kconfig *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->count; i++)
		iota_free(k->enabled[i]);
	iota_free(k->enabled);
	iota_free(k->version);
	iota_free(k);
}

static int sym_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

iota_rc iota_kconfig_from_text(const char *text, size_t len, iota_kconfig **out)
{
	*out = NULL;
	iota_kconfig *k = iota_calloc(1, sizeof *k);
	if (!k)
		return IOTA_NOMEM;
	size_t cap = 0, lines = 0;
	int header = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		if (n > 8 && memcmp(p, "# Linux/", 8) == 0 && !k->version) {
			/* "# Linux/arm64 6.1.0 Kernel Configuration" */
			const char *sp = memchr(p, ' ', n);
			sp = sp ? memchr(sp + 1, ' ', (size_t)(e - sp - 1)) : NULL;
			if (sp) {
				const char *v = sp + 1, *ve = v;
				while (ve < e && *ve != ' ')
					ve++;
				if (ve < e && ve > v && (size_t)(e - ve) >= 21 &&
				    memcmp(ve, " Kernel Configuration", 21) == 0) {
					k->version = iota_strndup(v, (size_t)(ve - v));
					if (!k->version)
						goto nomem;
					header = 1;
				}
			}
		} else if (n > 9 && memcmp(p, "# CONFIG_", 9) == 0) {
			lines++;
		} else if (n > 7 && memcmp(p, "CONFIG_", 7) == 0) {
			const char *q = p + 7;
			while (q < e && sym_char(*q))
				q++;
			if (q < e && *q == '=' && q > p + 7) {
				lines++;
				/* y or m: built in or as a module; strings and numbers are
				 * settings, not code */
				if (q + 2 == e || (q + 3 == e && q[2] == '\r')) {
					if (q[1] == 'y' || q[1] == 'm') {
						if (k->count + 1 >= MAX_SYMBOLS)
							break;
						if (k->count + 1 >= cap) {
							size_t nc = cap ? cap * 2 : 1024;
							char **v = iota_realloc(k->enabled,
							                        nc * sizeof *v);
							if (!v)
								goto nomem;
							k->enabled = v;
							cap = nc;
						}
						char *s = iota_strndup(p, (size_t)(q - p));
						if (!s)
							goto nomem;
						k->enabled[k->count++] = s;
					}
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (!header && lines < 100) {
		iota_kconfig_free(k);
		return IOTA_CORRUPT;
	}
	if (!k->enabled) {
		k->enabled = iota_calloc(1, sizeof *k->enabled);
		if (!k->enabled)
			goto nomem;
	}
	qsort(k->enabled, k->count, sizeof *k->enabled, sym_order);
	size_t w = 0;
	for (size_t i = 0; i < k->count; i++) {
		if (w && strcmp(k->enabled[w - 1], k->enabled[i]) == 0)
			iota_free(k->enabled[i]);
		else
			k->enabled[w++] = k->enabled[i];
	}
	k->count = w;
	k->enabled[w] = NULL;
	*out = k;
	return IOTA_OK;
nomem:
	iota_kconfig_free(k);
	return IOTA_NOMEM;
}

/* Inflates one gzip member at p (at most MAX_CONFIG bytes out). */
static iota_rc gunzip(const unsigned char *p, size_t len, iota_dynbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return IOTA_NOMEM;
	unsigned char chunk[16384];
	size_t fed = 0;
	int zr = Z_OK;
	iota_rc rc = IOTA_OK;
	while (zr == Z_OK) {
		if (z.avail_in == 0 && fed < len) {
			size_t piece = len - fed < (1u << 30) ? len - fed : (1u << 30);
			z.next_in = (Bytef *)(uintptr_t)(p + fed);
			z.avail_in = (uInt)piece;
			fed += piece;
		}
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		zr = inflate(&z, Z_NO_FLUSH);
		size_t got = sizeof chunk - z.avail_out;
		if (got && iota_dynbuf_add(out, chunk, got) != 0) {
			rc = IOTA_LIMIT; /* read what fits */
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && fed >= len)
			break; /* truncated: keep what came out */
		if (zr == Z_BUF_ERROR)
			zr = Z_OK;
	}
	inflateEnd(&z);
	if (zr != Z_STREAM_END && zr != Z_OK && zr != Z_BUF_ERROR && out->len == 0)
		rc = IOTA_CORRUPT;
	return rc;
}

iota_rc iota_kconfig_from_bytes(const void *data, size_t len, iota_kconfig **out)
{
	*out = NULL;
	const unsigned char *b = data;
	const unsigned char *gz = NULL;
	size_t gzlen = 0;
	const unsigned char *st = len >= 8 ? memmem(b, len, "IKCFG_ST", 8) : NULL;
	if (st) {
		size_t off = (size_t)(st - b) + 8;
		const unsigned char *ed = memmem(b + off, len - off, "IKCFG_ED", 8);
		gz = b + off;
		gzlen = ed ? (size_t)(ed - gz) : len - off;
	} else if (len >= 18 && b[0] == 0x1f && b[1] == 0x8b) {
		gz = b; /* /proc/config.gz, config.gz */
		gzlen = len;
	}
	if (!gz)
		return iota_kconfig_from_text((const char *)b, len, out);
	if (gzlen < 18 || gz[0] != 0x1f || gz[1] != 0x8b)
		return IOTA_CORRUPT;
	iota_dynbuf t;
	iota_dynbuf_init(&t, MAX_CONFIG);
	iota_rc rc = gunzip(gz, gzlen, &t);
	if (rc == IOTA_OK || rc == IOTA_LIMIT) {
		iota_rc r2 = iota_kconfig_from_text((const char *)iota_dynbuf_str(&t), t.len, out);
		rc = r2 != IOTA_OK ? r2 : rc == IOTA_LIMIT ? IOTA_WARN : IOTA_OK;
	}
	iota_dynbuf_free(&t);
	return rc;
}

int iota_kconfig_has(const char *const *sorted, size_t n, const char *sym, size_t len)
{
	/* names with or without their CONFIG_ prefix */
	char key[160];
	if (len + 8 > sizeof key)
		return 0;
	memcpy(key, "CONFIG_", 7);
	memcpy(key + 7, sym, len);
	key[7 + len] = '\0';
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = sorted[mid];
		const char *cmp = strncmp(s, "CONFIG_", 7) == 0 ? key : key + 7;
		int c = strcmp(s, cmp);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- the kbuild table ---- */

void iota_kobjs_free(iota_kobjs *t)
{
	iota_free(t->v);
	memset(t, 0, sizeof *t);
}

static int kobj_order(const void *a, const void *b)
{
	const iota_kobj *x = a, *y = b;
	size_t n = x->plen < y->plen ? x->plen : y->plen;
	int c = memcmp(x->path, y->path, n);
	return c ? c : (x->plen > y->plen) - (x->plen < y->plen);
}

int iota_kobjs_load(iota_kobjs *t)
{
	if (t->v)
		return 0;
	size_t len = 0;
	const char *text = (const char *)iota_data_get("vuln/kernel-objects.tsv", &len);
	if (!text)
		return -1;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	t->v = iota_calloc(lines, sizeof *t->v);
	if (!t->v)
		return -1;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *tab = memchr(p, '\t', (size_t)(e - p));
		if (*p != '#' && tab && tab > p && tab + 1 < e) {
			iota_kobj *o = &t->v[t->n++];
			o->path = p;
			o->plen = (size_t)(tab - p);
			o->cond = tab + 1;
			o->clen = (size_t)(e - tab - 1);
		}
		p = nl ? nl + 1 : end;
	}
	qsort(t->v, t->n, sizeof *t->v, kobj_order);
	return 0;
}

static const iota_kobj *kobj_find(const iota_kobjs *t, const char *path, size_t len)
{
	iota_kobj key = {.path = path, .plen = len};
	return bsearch(&key, t->v, t->n, sizeof *t->v, kobj_order);
}

/* Whether condition c (alternatives '|' of symbols '+') holds. On false,
 * writes the symbols that are missing into miss ("CONFIG_A or CONFIG_B"). */
static int cond_holds(const iota_kobj *o, const char *const *en, size_t nen, char *miss,
                      size_t size)
{
	const char *p = o->cond, *end = o->cond + o->clen;
	size_t m = 0;
	miss[0] = '\0';
	while (p < end) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		const char *ae = bar ? bar : end;
		int all = 1;
		const char *q = p;
		while (q < ae) {
			const char *plus = memchr(q, '+', (size_t)(ae - q));
			const char *se = plus ? plus : ae;
			if (!iota_kconfig_has(en, nen, q, (size_t)(se - q))) {
				all = 0;
				int w = snprintf(miss + m, size - m, "%sCONFIG_%.*s",
				                 m ? (q == p ? " or " : " and ") : "",
				                 (int)(se - q), q);
				if (w > 0 && (size_t)w < size - m)
					m += (size_t)w;
			}
			q = plus ? plus + 1 : ae;
		}
		if (all)
			return 1;
		p = bar ? bar + 1 : end;
	}
	return 0;
}

int iota_kobjs_built(const iota_kobjs *t, const char *const *en, size_t nen, const char *file,
                     char *why, size_t whysz)
{
	why[0] = '\0';
	size_t len = strlen(file);
	if (!len || len > 400)
		return -1;
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(file, '.');
	int header = dot && dot > (slash ? slash : file) && strcmp(dot, ".h") == 0;
	int known = 0;
	char miss[200];
	/* the folders, outermost first */
	for (size_t i = 0; i < len; i++) {
		if (file[i] != '/')
			continue;
		const iota_kobj *o = kobj_find(t, file, i + 1);
		if (!o)
			continue;
		known = 1;
		if (!cond_holds(o, en, nen, miss, sizeof miss)) {
			snprintf(why, whysz, "%s needs %s (%.*s), not set", file, miss,
			         (int)(i + 1), file);
			return 0;
		}
	}
	if (header)
		return known ? 1 : -1;
	size_t stem = dot && dot > (slash ? slash : file) ? (size_t)(dot - file) : len;
	const iota_kobj *o = kobj_find(t, file, stem);
	if (!o)
		return known ? 1 : -1;
	if (!cond_holds(o, en, nen, miss, sizeof miss)) {
		snprintf(why, whysz, "%s needs %s, not set", file, miss);
		return 0;
	}
	return 1;
}

/* ---- the kernel's upstream version ---- */

int iota_kernel_upstream_version(const char *version, const char *banner, char *out, size_t size)
{
	out[0] = '\0';
	/* Debian: "... #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"; the
	 * release ("6.1.0-18-amd64") names the ABI, not the stable release. */
	const char *d = banner ? strstr(banner, " Debian ") : NULL;
	if (d) {
		const char *v = d + 8;
		size_t n = strspn(v, "0123456789.");
		if (n >= 3 && n < size && strchr(v, '.') && strchr(v, '.') < v + n) {
			snprintf(out, size, "%.*s", (int)n, v);
			return 1;
		}
	}
	if (!version)
		return 0;
	size_t n = strspn(version, "0123456789.");
	if (!n || n >= size)
		return 0;
	snprintf(out, size, "%.*s", (int)n, version);
	/* "6.1.0-18-amd64", "5.10.0-20-armmp": Debian's ABI name without the
	 * banner's package version; the stable release is not known */
	int dots = 0;
	for (size_t i = 0; i < n; i++)
		dots += version[i] == '.';
	if (version[n] == '-' && dots == 2 && n >= 2 && version[n - 1] == '0' &&
	    version[n - 2] == '.')
		return 0;
	return 1;
}
