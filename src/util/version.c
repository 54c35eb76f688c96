/* Version ordering (see version.h). */
#include "util/version.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

enum { T_END, T_NUM, T_ALPHA, T_TILDE };

struct tok {
	int type;
	const char *p;
	size_t len;
	int digit_next; /* a digit follows at once (the "1" of "a1") */
};

static const char *next_tok(const char *s, struct tok *t)
{
	while (*s && !isalnum((unsigned char)*s) && *s != '~')
		s++;
	if (!*s) {
		t->type = T_END;
		return s;
	}
	t->p = s;
	if (*s == '~') {
		t->type = T_TILDE;
		t->len = 1;
		return s + 1;
	}
	if (isdigit((unsigned char)*s)) {
		t->type = T_NUM;
		while (isdigit((unsigned char)*s))
			s++;
	} else {
		t->type = T_ALPHA;
		while (isalpha((unsigned char)*s))
			s++;
	}
	t->len = (size_t)(s - t->p);
	t->digit_next = isdigit((unsigned char)*s) != 0;
	return s;
}

/* Rank of a pre-release word, 0 if it is not one. A lone "a" or "b" is one
 * only with a number after it (2.0a1, 3.1b2); otherwise it is a letter
 * release (OpenSSL 1.0.2a). */
static int prerelease(const struct tok *t)
{
	static const char *const words[] = {"dev", "alpha", "a", "beta", "b", "pre", "rc"};
	if (t->len == 1 && !t->digit_next)
		return 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (t->len == strlen(words[i]) && strncasecmp(t->p, words[i], t->len) == 0)
			return (int)i + 1;
	return 0;
}

static int cmp_num(const struct tok *a, const struct tok *b)
{
	const char *x = a->p, *y = b->p;
	size_t xl = a->len, yl = b->len;
	while (xl > 1 && *x == '0') {
		x++;
		xl--;
	}
	while (yl > 1 && *y == '0') {
		y++;
		yl--;
	}
	if (xl != yl)
		return xl < yl ? -1 : 1;
	int c = memcmp(x, y, xl);
	return c < 0 ? -1 : c > 0;
}

static int cmp_alpha(const struct tok *a, const struct tok *b)
{
	int pa = prerelease(a), pb = prerelease(b);
	if (pa || pb) {
		if (!pa)
			return 1;
		if (!pb)
			return -1;
		return pa < pb ? -1 : pa > pb;
	}
	size_t n = a->len < b->len ? a->len : b->len;
	int c = strncasecmp(a->p, b->p, n);
	if (c)
		return c < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* a has run out (T_END); how does the version compare with b's remaining t? */
static int end_vs(const struct tok *t)
{
	switch (t->type) {
	case T_END:
		return 0;
	case T_TILDE:
		return 1; /* 1.0 > 1.0~rc1 */
	case T_NUM:
		return -1; /* 1.0 < 1.0.1 */
	default:
		return prerelease(t) ? 1 : -1; /* 1.0 > 1.0rc1, 1.0.2 < 1.0.2k */
	}
}

int iota_version_cmp(const char *a, const char *b)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	for (;;) {
		struct tok ta, tb;
		a = next_tok(a, &ta);
		b = next_tok(b, &tb);
		if (ta.type == T_END)
			return end_vs(&tb);
		if (tb.type == T_END)
			return -end_vs(&ta);
		if (ta.type == T_TILDE || tb.type == T_TILDE) {
			if (ta.type != tb.type)
				return ta.type == T_TILDE ? -1 : 1;
			continue;
		}
		int c;
		if (ta.type == T_NUM && tb.type == T_NUM)
			c = cmp_num(&ta, &tb);
		else if (ta.type == T_ALPHA && tb.type == T_ALPHA)
			c = cmp_alpha(&ta, &tb);
		else /* a number beats a word, unless... there is no unless */
			c = ta.type == T_NUM ? 1 : -1;
		if (c)
			return c;
	}
}

int iota_version_valid(const char *v)
{
	for (; v && *v; v++)
		if (isdigit((unsigned char)*v))
			return 1;
	return 0;
}
