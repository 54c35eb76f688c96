/* CPE names and version ranges (see vrange.h). */
#include "vuln/vrange.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/version.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int iota_cpe_parse(const char *s, iota_cpe *out)
{
	for (int i = 0; i < IOTA_CPE_FIELDS; i++)
		snprintf(out->f[i], sizeof out->f[i], "*");
	if (!s)
		return -1;
	int uri;
	if (strncasecmp(s, "cpe:2.3:", 8) == 0) {
		uri = 0;
		s += 8;
	} else if (strncasecmp(s, "cpe:/", 5) == 0) {
		uri = 1;
		s += 5;
	} else {
		return -1;
	}
	int field = 0;
	size_t n = 0;
	char *dst = out->f[0];
	dst[0] = '\0';
	for (;; s++) {
		int c = (unsigned char)*s;
		if (c == '\0' || c == ':') {
			dst[n] = '\0';
			if (uri && n == 0)
				snprintf(dst, sizeof out->f[0], "*"); /* empty URI field = ANY */
			field++;
			if (c == '\0' || field >= IOTA_CPE_FIELDS)
				break;
			dst = out->f[field];
			n = 0;
			continue;
		}
		if (!uri && c == '\\') {
			if (!s[1])
				return -1;
			c = (unsigned char)*++s;
		} else if (uri && c == '%') {
			int h = hexval((unsigned char)s[1]),
			    l = h < 0 ? -1 : hexval((unsigned char)s[2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			s += 2;
		}
		if (n + 1 >= sizeof out->f[0])
			return -1;
		dst[n++] = (char)c;
	}
	if (field < (uri ? 3 : IOTA_CPE_FIELDS))
		return -1;
	if (!strchr("aoh*", out->f[IOTA_CPE_PART][0]) || out->f[IOTA_CPE_PART][1])
		return -1;
	for (int i = IOTA_CPE_PART; i <= IOTA_CPE_PRODUCT; i++) {
		if (!out->f[i][0])
			return -1;
		for (char *c = out->f[i]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	return 0;
}

int iota_vr_orderable(const char *v, const char *version_type)
{
	if (!v || !*v)
		return 0;
	if (version_type &&
	    (strcasecmp(version_type, "git") == 0 || strcasecmp(version_type, "rpm") == 0 ||
	     strcasecmp(version_type, "deb") == 0 || strcasecmp(version_type, "dpkg") == 0))
		return 0;
	if (strcmp(v, "*") == 0)
		return 1;
	size_t n = strlen(v), hex = 0, letters = 0;
	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)v[i]))
			return 0;
		if (isxdigit((unsigned char)v[i]))
			hex++;
		if (isalpha((unsigned char)v[i]))
			letters++;
	}
	if (n >= 12 && hex == n && letters) /* an abbreviated or full commit id */
		return 0;
	return iota_version_valid(v);
}

static int unbounded(const char *b)
{
	return !b || !*b || strcmp(b, "*") == 0;
}

/* v is in the series "p.*": it is p or starts with p and a separator. */
static int in_series(const char *v, const char *p, size_t plen)
{
	if (iota_version_cmp(v, p) == 0)
		return 1;
	return strncasecmp(v, p, plen) == 0 && v[plen] && !isalnum((unsigned char)v[plen]);
}

int iota_vr_contains(const char *v, const char *exact, const char *start, int start_incl,
                     const char *end, int end_incl)
{
	if (!v)
		return 0;
	if (exact)
		return iota_version_cmp(v, exact) == 0;
	if (!unbounded(start)) {
		int c = iota_version_cmp(v, start);
		if (c < 0 || (c == 0 && !start_incl))
			return 0;
	}
	if (!unbounded(end)) {
		size_t n = strlen(end);
		if (n >= 2 && strcmp(end + n - 2, ".*") == 0) {
			char p[128];
			snprintf(p, sizeof p, "%.*s", (int)(n - 2), end);
			if (end_incl)
				return iota_version_cmp(v, p) <= 0 || in_series(v, p, strlen(p));
			return iota_version_cmp(v, p) < 0;
		}
		int c = iota_version_cmp(v, end);
		if (c > 0 || (c == 0 && !end_incl))
			return 0;
	}
	return 1;
}

void iota_vr_text(char *buf, size_t size, const char *exact, const char *start, int start_incl,
                  const char *end, int end_incl)
{
	if (exact) {
		snprintf(buf, size, "= %s", exact);
		return;
	}
	int s = !unbounded(start) && strcmp(start, "0") != 0, e = !unbounded(end);
	if (s && e)
		snprintf(buf, size, "%s %s, %s %s", start_incl ? ">=" : ">", start,
		         end_incl ? "<=" : "<", end);
	else if (s)
		snprintf(buf, size, "%s %s", start_incl ? ">=" : ">", start);
	else if (e)
		snprintf(buf, size, "%s %s", end_incl ? "<=" : "<", end);
	else
		snprintf(buf, size, "all versions");
}
