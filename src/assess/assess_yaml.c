/* Strict YAML reading for the assessment files (see assess_yaml.h). */
#include "assess/assess_yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"

int ay_line(const struct fy_node *cn)
{
	struct fy_node *n = (struct fy_node *)cn;
	if (!n)
		return 0;
	if (fy_node_is_scalar(n)) {
		const struct fy_mark *m = fy_token_start_mark(fy_node_get_scalar_token(n));
		return m ? m->line + 1 : 0;
	}
	void *it = NULL;
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
		return p ? ay_line(fy_node_pair_key(p)) : 0;
	}
	if (fy_node_is_sequence(n))
		return ay_line(fy_node_sequence_iterate(n, &it));
	return 0;
}

int ay_fail(ay_file *f, struct fy_node *at, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line = ay_line(at);
	if (line > 0)
		snprintf(f->err, f->errcap, "%s:%d: %s", f->name, line, msg);
	else
		snprintf(f->err, f->errcap, "%s:1: %s", f->name, msg);
	return -1;
}

/* libfyaml's diagnostics arrive as text, "<input>:LINE:COL: error: message" and
 * then the source line; the first error is kept. (Collecting errors in the
 * diag object instead leaks them in libfyaml 0.7.) */
struct diag_capture {
	int line;
	char msg[200];
	int have;
};

static void capture(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	struct diag_capture *c = user;
	(void)diag;
	if (c->have)
		return;
	const char *e = NULL;
	for (size_t i = 0; i + 7 <= len; i++)
		if (memcmp(buf + i, "error: ", 7) == 0) {
			e = buf + i;
			break;
		}
	if (!e)
		return;
	/* backwards over ": " and ":COL" to ":LINE" */
	const char *p = e;
	int colons = 0;
	while (p > buf && colons < 3) {
		p--;
		if (*p == ':')
			colons++;
	}
	if (colons == 3)
		c->line = (int)strtol(p + 1, NULL, 10);
	const char *m = e + 7;
	size_t n = 0;
	while (m + n < buf + len && m[n] != '\n' && n + 1 < sizeof c->msg)
		n++;
	memcpy(c->msg, m, n);
	c->msg[n] = '\0';
	c->have = 1;
}

/* What libfyaml 0.7 is given must be plain UTF-8 text without directives:
 * it loops forever on a '%' directive followed by an invalid UTF-8 byte
 * (libfyaml issue #101, fixed after 0.7.12), and these files need neither
 * directives nor control characters (YAML's printable set excludes them
 * anyway). 0, or the 1-based line of the first offence and why. */
static int plain_text(const unsigned char *p, size_t len, int *line, const char **why)
{
	*line = 1;
	int bol = 1;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		if (bol && c == '%') {
			*why = "YAML directives (%) are not accepted";
			return -1;
		}
		bol = c == '\n';
		if (c == '\n')
			++*line;
		if (c < 0x80) {
			if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
				*why = "a control character";
				return -1;
			}
			if (c == 0x7f) {
				*why = "a control character";
				return -1;
			}
			i++;
			continue;
		}
		/* UTF-8 (RFC 3629): no overlong forms, no surrogates, at most U+10FFFF */
		size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
		unsigned cp = n == 4 ? c & 0x07 : n == 3 ? c & 0x0f : c & 0x1f;
		if (!n || c > 0xf4 || i + n > len) {
			*why = "not UTF-8 text";
			return -1;
		}
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80) {
				*why = "not UTF-8 text";
				return -1;
			}
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
			*why = "not UTF-8 text";
			return -1;
		}
		i += n;
	}
	return 0;
}

/* Only blank lines, comments and document markers. */
static int blank(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
			i++;
		if (i + 3 <= len && (memcmp(p + i, "---", 3) == 0 || memcmp(p + i, "...", 3) == 0)) {
			i += 3; /* a document marker, and then only a comment */
			while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
				i++;
		}
		if (i < len && p[i] != '\n' && p[i] != '#')
			return 0;
		while (i < len && p[i] != '\n')
			i++;
		i++;
	}
	return 1;
}

int ay_open_bytes(ay_file *f, const char *name, const char *bytes, size_t len)
{
	f->name = name;
	f->doc = NULL;
	struct diag_capture cap = {0};
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = capture;
	dc.user = &cap;
	dc.level = FYET_ERROR;
	dc.colorize = false;
	dc.show_source = false;
	dc.show_position = true;
	dc.show_type = false;
	dc.show_module = false;
	struct fy_diag *diag = fy_diag_create(&dc);
	if (!diag) {
		snprintf(f->err, f->errcap, "%s: out of memory", name);
		return -1;
	}
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DISABLE_RECYCLING, .diag = diag};
	int bad_line;
	const char *why;
	if (plain_text((const unsigned char *)bytes, len, &bad_line, &why) != 0) {
		fy_diag_unref(diag);
		snprintf(f->err, f->errcap, "%s:%d: %s", name, bad_line, why);
		return -1;
	}
	if (blank(bytes, len)) {
		/* no document at all: an empty file, or nothing but comments */
		fy_diag_unref(diag);
		if (f->allow_empty)
			return 0;
		snprintf(f->err, f->errcap, "%s:1: empty file", name);
		return -1;
	}
	f->doc = fy_document_build_from_string(&cfg, bytes, len);
	if (!f->doc || fy_diag_got_error(diag)) {
		snprintf(f->err, f->errcap, "%s:%d: not valid YAML: %s", name,
			 cap.line > 0 ? cap.line : 1, cap.have ? cap.msg : "syntax error");
		if (f->doc)
			fy_document_destroy(f->doc);
		f->doc = NULL;
		fy_diag_unref(diag);
		return -1;
	}
	fy_diag_unref(diag);
	struct fy_node *root = fy_document_root(f->doc);
	if (!root && f->allow_empty)
		return 0;
	if (!root) {
		snprintf(f->err, f->errcap, "%s:1: empty file", name);
		return -1;
	}
	if (!fy_node_is_mapping(root))
		return ay_fail(f, root, "the file must be a mapping of keys");
	return 0;
}

int ay_open_path(ay_file *f, const char *path)
{
	f->owned = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(f->err, f->errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > AY_MAX_BYTES) {
		fclose(fp);
		snprintf(f->err, f->errcap, "%s: not a regular file of at most %u MiB", path,
			 AY_MAX_BYTES >> 20);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	f->owned = iota_malloc(len + 1);
	if (!f->owned) {
		fclose(fp);
		snprintf(f->err, f->errcap, "%s: out of memory", path);
		return -1;
	}
	size_t got = fread(f->owned, 1, len, fp);
	fclose(fp);
	if (got != len) {
		snprintf(f->err, f->errcap, "%s: cannot read", path);
		return -1;
	}
	f->owned[len] = '\0';
	if (memchr(f->owned, '\0', len)) {
		snprintf(f->err, f->errcap, "%s:1: not a text file", path);
		return -1;
	}
	return ay_open_bytes(f, path, f->owned, len);
}

void ay_close(ay_file *f)
{
	if (f->doc)
		fy_document_destroy(f->doc);
	f->doc = NULL;
	iota_free(f->owned);
	f->owned = NULL;
}

struct fy_node *ay_root(const ay_file *f)
{
	return f->doc ? fy_document_root(f->doc) : NULL;
}

struct fy_node *ay_get(struct fy_node *n, const char *key)
{
	if (!n || !fy_node_is_mapping(n))
		return NULL;
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(p);
		size_t len;
		const char *t = k && fy_node_is_scalar(k) ? fy_node_get_scalar(k, &len) : NULL;
		if (t && len == strlen(key) && memcmp(t, key, len) == 0)
			return fy_node_pair_value(p);
	}
	return NULL;
}

int ay_check_map(ay_file *f, struct fy_node *n, const char *what, const char *const *allowed,
		 const char *const *required)
{
	if (!n || !fy_node_is_mapping(n))
		return ay_fail(f, n, "%s must be a mapping", what);
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(p);
		size_t len;
		const char *t = k && fy_node_is_scalar(k) ? fy_node_get_scalar(k, &len) : NULL;
		if (!t)
			return ay_fail(f, k ? k : n, "%s: keys must be plain words", what);
		int ok = 0;
		for (size_t i = 0; allowed && allowed[i] && !ok; i++)
			ok = len == strlen(allowed[i]) && memcmp(t, allowed[i], len) == 0;
		if (!ok)
			return ay_fail(f, k, "%s: unknown key '%.*s'", what, (int)(len > 64 ? 64 : len), t);
	}
	for (size_t i = 0; required && required[i]; i++)
		if (!ay_get(n, required[i]))
			return ay_fail(f, n, "%s: missing '%s'", what, required[i]);
	return 0;
}

int ay_str(ay_file *f, struct fy_node *n, const char *what, const char **out, int *is_null)
{
	if (is_null)
		*is_null = 0;
	if (!n) { /* "key:" with nothing after it */
		if (is_null)
			*is_null = 1;
		*out = "";
		return 0;
	}
	if (!fy_node_is_scalar(n) || fy_node_is_alias(n))
		return ay_fail(f, n, "%s must be a single value, not a list or mapping", what);
	size_t len;
	const char *t = fy_node_get_scalar(n, &len);
	if (!t)
		t = "", len = 0;
	if (memchr(t, '\0', len))
		return ay_fail(f, n, "%s holds a NUL byte", what);
	if (is_null && fy_node_get_style(n) == FYNS_PLAIN &&
	    (len == 0 || (len == 1 && t[0] == '~') || (len == 4 && memcmp(t, "null", 4) == 0)))
		*is_null = 1;
	*out = iota_arena_strndup(f->arena, t, len);
	if (!*out)
		return ay_fail(f, n, "out of memory");
	return 0;
}

int ay_has(struct fy_node *map, const char *key)
{
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(map, &it))) {
		size_t len;
		struct fy_node *k = fy_node_pair_key(p);
		const char *t = k ? fy_node_get_scalar(k, &len) : NULL;
		if (t && len == strlen(key) && memcmp(t, key, len) == 0)
			return 1;
	}
	return 0;
}

int ay_req_str(ay_file *f, struct fy_node *map, const char *key, const char **out)
{
	int is_null;
	if (!ay_has(map, key))
		return ay_fail(f, map, "missing '%s'", key);
	struct fy_node *v = ay_get(map, key);
	if (ay_str(f, v, key, out, &is_null) != 0)
		return -1;
	if (is_null || !**out)
		return ay_fail(f, v ? v : map, "'%s' must not be empty", key);
	return 0;
}

int ay_opt_str(ay_file *f, struct fy_node *map, const char *key, const char **out)
{
	*out = NULL;
	if (!ay_has(map, key))
		return 0;
	return ay_req_str(f, map, key, out);
}

int ay_str_list(ay_file *f, struct fy_node *n, const char *what, const char ***out, size_t *count)
{
	if (!n || !fy_node_is_sequence(n))
		return ay_fail(f, n, "%s must be a list", what);
	size_t k = (size_t)fy_node_sequence_item_count(n);
	const char **v = iota_arena_alloc(f->arena, (k + 1) * sizeof *v);
	if (!v)
		return ay_fail(f, n, "out of memory");
	void *it = NULL;
	struct fy_node *item;
	size_t i = 0;
	while ((item = fy_node_sequence_iterate(n, &it)) && i < k) {
		int is_null;
		if (ay_str(f, item, what, &v[i], &is_null) != 0)
			return -1;
		if (is_null || !*v[i])
			return ay_fail(f, item, "%s: empty item", what);
		i++;
	}
	v[i] = NULL;
	*out = v;
	if (count)
		*count = i;
	return 0;
}

int ay_date_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	return 0;
}
