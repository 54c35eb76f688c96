/* Product identity table (see products.h). */
#include "vuln/products.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

/* Entries in one list, as a bound on a hand-edited file. */
#define MAX_LIST 256

int iota_vlist_add(iota_vlist *l, const char *s, size_t n)
{
	if (l->n >= MAX_LIST)
		return -1;
	char **v = iota_realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return -1;
	l->v = v;
	char *c = iota_strndup(s, n);
	if (!c)
		return -1;
	l->v[l->n++] = c;
	return 0;
}

int iota_vlist_has(const iota_vlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void iota_vlist_free(iota_vlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		iota_free(l->v[i]);
	iota_free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void prod_free(iota_vprod *p)
{
	iota_free(p->name);
	iota_vlist_free(&p->cpe);
	iota_vlist_free(&p->cve5);
	iota_vlist_free(&p->pkg);
	iota_vlist_free(&p->osv);
	iota_vlist_free(&p->text);
}

/* Splits a comma-separated field into l; lower = fold case up to the '@'
 * of a package's collection URL (URLs keep their case). */
static int split(iota_vlist *l, const char *f, size_t n, int lower)
{
	if (n == 1 && f[0] == '-')
		return 0;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && f[j] != ',')
			j++;
		size_t a = i, b = j;
		while (a < b && isspace((unsigned char)f[a]))
			a++;
		while (b > a && isspace((unsigned char)f[b - 1]))
			b--;
		if (b > a) {
			if (iota_vlist_add(l, f + a, b - a) != 0)
				return -1;
			if (lower)
				for (char *c = l->v[l->n - 1]; *c && *c != '@'; c++)
					*c = (char)tolower((unsigned char)*c);
		}
		i = j + 1;
	}
	return 0;
}

int iota_vprods_parse(iota_vprods *out, const char *text, size_t len, char *err, size_t errsz)
{
	memset(out, 0, sizeof *out);
	size_t pos = 0;
	unsigned line = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		const char *l = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		if (n && l[n - 1] == '\r')
			n--;
		size_t k = 0;
		while (k < n && isspace((unsigned char)l[k]))
			k++;
		if (k == n || l[k] == '#')
			continue;
		const char *col[6];
		size_t cl[6];
		size_t nc = 0, i = 0;
		while (nc < 6) {
			size_t j = i;
			while (j < n && l[j] != '\t')
				j++;
			col[nc] = l + i;
			cl[nc] = j - i;
			nc++;
			if (j >= n)
				break;
			i = j + 1;
			while (i < n && l[i] == '\t')
				i++; /* several tabs align the columns */
		}
		if (nc < 2) {
			snprintf(err, errsz, "products.tsv line %u: expected tab-separated columns",
			         line);
			iota_vprods_free(out);
			return -1;
		}
		iota_vprod *v = iota_realloc(out->v, (out->n + 1) * sizeof *v);
		if (!v) {
			snprintf(err, errsz, "out of memory");
			iota_vprods_free(out);
			return -1;
		}
		out->v = v;
		iota_vprod *p = &out->v[out->n++];
		memset(p, 0, sizeof *p);
		p->name = iota_strndup(col[0], cl[0]);
		int bad = !p->name;
		if (p->name)
			for (char *c = p->name; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		iota_vlist *lists[5] = {&p->cpe, &p->cve5, &p->pkg, &p->osv, &p->text};
		for (size_t c = 1; c < nc && !bad; c++)
			bad = split(lists[c - 1], col[c], cl[c], c <= 3) != 0;
		for (size_t c = 0; c < p->cpe.n && !bad; c++)
			bad = strchr(p->cpe.v[c], ':') == NULL;
		if (bad) {
			snprintf(err, errsz, "products.tsv line %u: bad entry", line);
			iota_vprods_free(out);
			return -1;
		}
	}
	return 0;
}

const iota_vprod *iota_vprods_find(const iota_vprods *p, const char *name)
{
	for (size_t i = 0; name && i < p->n; i++)
		if (strcasecmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

void iota_vprods_free(iota_vprods *p)
{
	for (size_t i = 0; i < p->n; i++)
		prod_free(&p->v[i]);
	iota_free(p->v);
	p->v = NULL;
	p->n = 0;
}
