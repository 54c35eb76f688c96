/*
 * Text, shell and path helpers for the configuration analyzers (see
 * textscan.h for the contract and the specifications followed).
 *
 * Why by hand: the analyzers need a static, bounded reading of shell
 * command lines and of many small key/value formats, and must never run
 * anything from the image; no library parses POSIX shell without executing
 * it. The splitter is deliberately a subset: what it cannot resolve it
 * marks "dynamic" so callers can refuse to guess.
 */
#define _GNU_SOURCE /* memmem */
#include "analyze/textscan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "util/alloc.h"

/* ---- text ---- */

bool iota_ts_is_text(const uint8_t *p, size_t n)
{
	size_t lim = n < 8192 ? n : 8192, ctrl = 0;
	for (size_t i = 0; i < lim; i++) {
		uint8_t c = p[i];
		if (c == 0)
			return false;
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b)
			ctrl++;
	}
	return ctrl * 20 <= lim;
}

void iota_ts_lines_init(iota_ts_lines *it, const void *p, size_t len)
{
	it->p = p;
	it->len = p ? len : 0;
	it->pos = 0;
	it->no = 0;
}

bool iota_ts_next_line(iota_ts_lines *it, const char **line, size_t *len)
{
	if (it->pos >= it->len)
		return false;
	const char *start = it->p + it->pos;
	size_t rest = it->len - it->pos;
	const char *nl = memchr(start, '\n', rest);
	size_t l = nl ? (size_t)(nl - start) : rest;
	it->pos += nl ? l + 1 : l;
	if (l && start[l - 1] == '\r')
		l--;
	it->no++;
	*line = start;
	*len = l;
	return true;
}

bool iota_ts_next_logical(iota_ts_lines *it, char *buf, size_t cap, size_t *len, uint32_t *first)
{
	const char *l;
	size_t n, out = 0;
	if (cap == 0 || !iota_ts_next_line(it, &l, &n))
		return false;
	*first = it->no;
	for (unsigned joins = 0;; joins++) {
		bool cont = n && l[n - 1] == '\\';
		size_t take = cont ? n - 1 : n;
		if (take > cap - 1 - out)
			take = cap - 1 - out;
		memcpy(buf + out, l, take);
		out += take;
		if (!cont || joins > 256 || !iota_ts_next_line(it, &l, &n))
			break;
	}
	buf[out] = '\0';
	*len = out;
	return true;
}

size_t iota_ts_copy_trim(char *out, size_t cap, const char *p, size_t n)
{
	if (cap == 0)
		return 0;
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

size_t iota_ts_blanks(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

void iota_ts_copy(char *dst, size_t cap, const char *src)
{
	if (cap == 0)
		return;
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

char *iota_ts_trim(char *s)
{
	char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}

bool iota_ts_ieq(const char *s, const char *p, size_t n)
{
	size_t sl = strlen(s);
	if (sl != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)p[i]))
			return false;
	return true;
}

const char *iota_ts_istr(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0 || k > n)
		return k == 0 ? p : NULL;
	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;
		while (j < k &&
		       tolower((unsigned char)p[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == k)
			return p + i;
	}
	return NULL;
}

bool iota_ts_truthy(const char *v)
{
	static const char *const t[] = {"yes", "true", "on", "1", "enable", "enabled", "y"};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (iota_ts_ieq(t[i], v, strlen(v)))
			return true;
	return false;
}

bool iota_ts_falsy(const char *v)
{
	static const char *const f[] = {"no", "false", "off", "0", "disable", "disabled", "n"};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (iota_ts_ieq(f[i], v, strlen(v)))
			return true;
	return false;
}

bool iota_ts_keyval(const char *line, size_t len, char *key, size_t kcap, char *val, size_t vcap)
{
	size_t i = 0;
	if (kcap == 0 || vcap == 0)
		return false;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return false;
	size_t ks = i;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '=' && line[i] != ':')
		i++;
	size_t kl = i - ks;
	if (kl == 0)
		return false;
	if (kl > kcap - 1)
		kl = kcap - 1;
	memcpy(key, line + ks, kl);
	key[kl] = '\0';
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && (line[i] == '=' || line[i] == ':'))
		i++;
	size_t vl = iota_ts_copy_trim(val, vcap, line + i, len - i);
	if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
		memmove(val, val + 1, vl - 2);
		val[vl - 2] = '\0';
	}
	return true;
}

bool iota_ts_list_add(char *buf, size_t cap, const char *item)
{
	size_t il = strlen(item), bl = strlen(buf);
	for (const char *p = buf; (p = strstr(p, item)) != NULL; p += il)
		if ((p == buf || p[-1] == ',') && (p[il] == ',' || p[il] == '\0'))
			return true;
	if (bl + il + 2 > cap)
		return false;
	if (bl)
		buf[bl++] = ',';
	memcpy(buf + bl, item, il + 1);
	return true;
}

/* ---- strings ---- */

static inline bool printable(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

void iota_ts_strings(const uint8_t *p, size_t n, size_t min,
                     bool (*fn)(const char *s, size_t len, size_t off, void *ctx), void *ctx)
{
	enum { CHUNK = 1024 };
	size_t i = 0;
	while (i < n) {
		while (i < n && !printable(p[i]))
			i++;
		size_t start = i;
		while (i < n && i - start < CHUNK && printable(p[i]))
			i++;
		if (i - start >= min && !fn((const char *)p + start, i - start, start, ctx))
			return;
	}
}

void iota_ts_runs_with(const uint8_t *p, size_t n, const char *needle, size_t min,
                       bool (*fn)(const char *s, size_t len, size_t off, void *ctx), void *ctx)
{
	enum { REACH = 1024 };
	size_t nl = strlen(needle), pos = 0;
	while (pos + nl <= n) {
		const uint8_t *hit = memmem(p + pos, n - pos, needle, nl);
		if (!hit)
			return;
		size_t h = (size_t)(hit - p), rs = h, re = h;
		while (rs > 0 && h - rs < REACH && printable(p[rs - 1]))
			rs--;
		while (re < n && re - h < REACH && printable(p[re]))
			re++;
		if (re < h + nl) { /* the needle holds a byte that is not printable */
			pos = h + 1;
			continue;
		}
		if (re - rs >= min && !fn((const char *)p + rs, re - rs, rs, ctx))
			return;
		pos = re;
	}
}

/* ---- shell ---- */

void iota_ts_var_set(iota_ts_vars *vars, const char *name, size_t nlen, const char *value)
{
	if (nlen == 0 || nlen >= sizeof vars->v[0].name)
		return;
	iota_ts_var *v = NULL;
	for (int i = 0; i < vars->n; i++)
		if (strlen(vars->v[i].name) == nlen && memcmp(vars->v[i].name, name, nlen) == 0)
			v = &vars->v[i];
	if (!v) {
		if (vars->n == IOTA_TS_MAX_VARS)
			return;
		v = &vars->v[vars->n++];
		memcpy(v->name, name, nlen);
		v->name[nlen] = '\0';
	}
	snprintf(v->value, sizeof v->value, "%s", value);
}

void iota_ts_var_unset(iota_ts_vars *vars, const char *name, size_t nlen)
{
	for (int i = 0; i < vars->n; i++)
		if (strlen(vars->v[i].name) == nlen && memcmp(vars->v[i].name, name, nlen) == 0) {
			vars->v[i] = vars->v[vars->n - 1];
			vars->n--;
			return;
		}
}

const char *iota_ts_var_get(const iota_ts_vars *vars, const char *name, size_t nlen)
{
	if (!vars)
		return NULL;
	for (int i = 0; i < vars->n; i++)
		if (strlen(vars->v[i].name) == nlen && memcmp(vars->v[i].name, name, nlen) == 0)
			return vars->v[i].value;
	return NULL;
}

struct sp {
	const char *s;
	size_t len, i;
	const iota_ts_vars *vars;
	iota_ts_split *out;
	iota_ts_cmd *cmd;
	size_t wpos, wstart;
	bool in_word, dyn, full;
};

static void sp_cmd_reset(struct sp *p)
{
	iota_ts_cmd *c = &p->out->cmd[p->out->ncmd];
	c->argc = 0;
	c->background = false;
	p->cmd = c;
	p->wpos = p->wstart = 0;
	p->in_word = p->dyn = false;
}

static void sp_add(struct sp *p, char ch)
{
	p->in_word = true;
	if (p->wpos + 1 < IOTA_TS_WORDBUF)
		p->cmd->buf[p->wpos++] = ch;
}

static void sp_end_word(struct sp *p)
{
	if (!p->in_word)
		return;
	iota_ts_cmd *c = p->cmd;
	if (c->argc < IOTA_TS_MAX_WORDS && p->wpos < IOTA_TS_WORDBUF) {
		c->buf[p->wpos++] = '\0';
		c->argv[c->argc] = c->buf + p->wstart;
		c->dynamic[c->argc] = p->dyn;
		c->argc++;
		p->wstart = p->wpos;
	} else {
		p->wpos = p->wstart; /* no room: drop the word */
	}
	p->in_word = p->dyn = false;
}

static void sp_end_cmd(struct sp *p, bool background)
{
	sp_end_word(p);
	if (p->full)
		return;
	if (p->cmd->argc > 0) {
		p->cmd->background = background;
		if (p->out->ncmd + 1 >= IOTA_TS_MAX_CMDS) {
			p->out->ncmd++;
			p->full = true;
			return;
		}
		p->out->ncmd++;
	}
	sp_cmd_reset(p);
}

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Appends an expansion's value; unquoted values are split into fields. */
static void sp_add_value(struct sp *p, const char *v, bool quoted)
{
	for (size_t k = 0; v[k] && k < 4096; k++) {
		if (!quoted && (v[k] == ' ' || v[k] == '\t' || v[k] == '\n'))
			sp_end_word(p);
		else
			sp_add(p, v[k]);
	}
	if (quoted)
		p->in_word = true;
}

/* Copies text up to the bracket matching the one before i (depth counted,
 * quotes skipped) literally into the word; i ends after it. */
static void sp_copy_balanced(struct sp *p, char open, char close)
{
	int depth = 1;
	char q = 0;
	while (p->i < p->len && depth > 0) {
		char c = p->s[p->i++];
		if (q) {
			if (c == q)
				q = 0;
		} else if (c == '\'' || c == '"') {
			q = c;
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			sp_add(p, c);
			break;
		}
		sp_add(p, c);
	}
}

/* At s[i] == '$'. */
static void sp_dollar(struct sp *p, bool quoted)
{
	const char *s = p->s;
	size_t i = p->i + 1;
	if (i < p->len && s[i] == '(') {
		sp_add(p, '$');
		sp_add(p, '(');
		p->i = i + 1;
		sp_copy_balanced(p, '(', ')');
		p->dyn = true;
		return;
	}
	if (i < p->len && s[i] == '{') {
		size_t j = i + 1, ns = j;
		while (j < p->len && is_name_char(s[j]))
			j++;
		size_t nl = j - ns;
		size_t end = j;
		int depth = 1;
		while (end < p->len) {
			if (s[end] == '{')
				depth++;
			else if (s[end] == '}' && --depth == 0)
				break;
			end++;
		}
		if (end >= p->len) { /* unterminated: literal */
			sp_add(p, '$');
			p->i = i;
			p->dyn = true;
			return;
		}
		const char *val = nl ? iota_ts_var_get(p->vars, s + ns, nl) : NULL;
		bool colon = j < end && s[j] == ':';
		size_t op = colon ? j + 1 : j;
		bool dflt = op < end && (s[op] == '-' || s[op] == '=') && (nl > 0);
		if (nl && j == end && val) {
			sp_add_value(p, val, quoted);
		} else if (dflt && val && !(colon && !val[0])) {
			sp_add_value(p, val, quoted);
		} else if (dflt) {
			/* the default word, its outer quotes removed */
			char d[256];
			size_t dl = iota_ts_copy_trim(d, sizeof d, s + op + 1, end - op - 1);
			if (dl >= 2 && (d[0] == '"' || d[0] == '\'') && d[dl - 1] == d[0]) {
				d[dl - 1] = '\0';
				sp_add_value(p, d + 1, true);
			} else {
				sp_add_value(p, d, quoted);
			}
			if (strchr(d, '$'))
				p->dyn = true;
		} else {
			for (size_t k = p->i; k <= end; k++)
				sp_add(p, s[k]);
			p->dyn = true;
		}
		p->i = end + 1;
		return;
	}
	if (i < p->len && is_name_start(s[i])) {
		size_t j = i;
		while (j < p->len && is_name_char(s[j]))
			j++;
		const char *val = iota_ts_var_get(p->vars, s + i, j - i);
		if (val) {
			sp_add_value(p, val, quoted);
		} else {
			for (size_t k = p->i; k < j; k++)
				sp_add(p, s[k]);
			p->dyn = true;
		}
		p->i = j;
		return;
	}
	if (i < p->len && (isdigit((unsigned char)s[i]) || strchr("@*#?$!-", s[i]))) {
		sp_add(p, '$');
		sp_add(p, s[i]);
		p->dyn = true;
		p->i = i + 1;
		return;
	}
	sp_add(p, '$');
	p->i = i;
}

/* Skips one word (a redirection target or here-document delimiter) and
 * copies its unquoted text into out. */
static void sp_take_word(struct sp *p, char *out, size_t cap)
{
	size_t o = 0;
	char q = 0;
	while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
	while (p->i < p->len) {
		char c = p->s[p->i];
		if (q) {
			p->i++;
			if (c == q) {
				q = 0;
				continue;
			}
		} else if (c == '\'' || c == '"') {
			q = c;
			p->i++;
			continue;
		} else if (c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|' || c == '<' ||
		           c == '>' || c == '(' || c == ')') {
			break;
		} else {
			p->i++;
			if (c == '\\' && p->i < p->len)
				c = p->s[p->i++];
		}
		if (o + 1 < cap)
			out[o++] = c;
	}
	if (cap)
		out[o] = '\0';
}

static void sp_redirect(struct sp *p)
{
	/* an all-digit word right before the operator is its file descriptor */
	if (p->in_word) {
		bool digits = p->wpos > p->wstart;
		for (size_t k = p->wstart; k < p->wpos; k++)
			if (!isdigit((unsigned char)p->cmd->buf[k]))
				digits = false;
		if (digits && !p->dyn) {
			p->wpos = p->wstart;
			p->in_word = false;
		} else {
			sp_end_word(p);
		}
	}
	const char *s = p->s;
	if (s[p->i] == '<' && p->i + 1 < p->len && s[p->i + 1] == '<' &&
	    !(p->i + 2 < p->len && s[p->i + 2] == '<')) {
		p->i += 2;
		bool strip = p->i < p->len && s[p->i] == '-';
		if (strip)
			p->i++;
		sp_take_word(p, p->out->heredoc, sizeof p->out->heredoc);
		p->out->heredoc_strip_tabs = strip;
		return;
	}
	while (p->i < p->len &&
	       (s[p->i] == '<' || s[p->i] == '>' || s[p->i] == '&' || s[p->i] == '|'))
		p->i++;
	/* >&2, <&-, >&1 */
	if (p->i > 0 && s[p->i - 1] == '&') {
		while (p->i < p->len && (isdigit((unsigned char)s[p->i]) || s[p->i] == '-'))
			p->i++;
		return;
	}
	char junk[256];
	sp_take_word(p, junk, sizeof junk);
}

int iota_ts_shell_split(const char *line, size_t len, const iota_ts_vars *vars, iota_ts_split *out)
{
	struct sp p = {.s = line, .len = len, .vars = vars, .out = out};
	out->ncmd = 0;
	out->heredoc[0] = '\0';
	out->heredoc_strip_tabs = false;
	sp_cmd_reset(&p);
	while (p.i < p.len && !p.full) {
		char c = line[p.i];
		switch (c) {
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			sp_end_word(&p);
			p.i++;
			break;
		case '#':
			if (p.in_word) {
				sp_add(&p, c);
				p.i++;
			} else {
				p.i = p.len; /* comment */
			}
			break;
		case ';':
			sp_end_cmd(&p, false);
			p.i++;
			break;
		case '&':
			if (p.i + 1 < p.len && line[p.i + 1] == '&') {
				sp_end_cmd(&p, false);
				p.i += 2;
			} else if (p.i + 1 < p.len && line[p.i + 1] == '>') {
				sp_redirect(&p);
			} else {
				sp_end_cmd(&p, true);
				p.i++;
			}
			break;
		case '|':
			sp_end_cmd(&p, false);
			p.i += (p.i + 1 < p.len && line[p.i + 1] == '|') ? 2 : 1;
			break;
		case '(':
		case ')':
			sp_end_cmd(&p, false);
			p.i++;
			break;
		case '<':
		case '>':
			sp_redirect(&p);
			break;
		case '\\':
			if (p.i + 1 < p.len)
				sp_add(&p, line[p.i + 1]);
			p.i += 2;
			break;
		case '\'': {
			p.in_word = true;
			p.i++;
			while (p.i < p.len && line[p.i] != '\'')
				sp_add(&p, line[p.i++]);
			p.i++;
			break;
		}
		case '"': {
			p.in_word = true;
			p.i++;
			while (p.i < p.len && line[p.i] != '"') {
				char d = line[p.i];
				if (d == '\\' && p.i + 1 < p.len &&
				    strchr("$`\"\\", line[p.i + 1])) {
					sp_add(&p, line[p.i + 1]);
					p.i += 2;
				} else if (d == '$') {
					sp_dollar(&p, true);
				} else if (d == '`') {
					sp_add(&p, d);
					p.i++;
					while (p.i < p.len && line[p.i] != '`' && line[p.i] != '"')
						sp_add(&p, line[p.i++]);
					if (p.i < p.len && line[p.i] == '`')
						sp_add(&p, line[p.i++]);
					p.dyn = true;
				} else {
					sp_add(&p, d);
					p.i++;
				}
			}
			p.i++;
			break;
		}
		case '`':
			sp_add(&p, c);
			p.i++;
			while (p.i < p.len && line[p.i] != '`')
				sp_add(&p, line[p.i++]);
			if (p.i < p.len)
				sp_add(&p, line[p.i++]);
			p.dyn = true;
			break;
		case '$':
			sp_dollar(&p, false);
			break;
		default:
			sp_add(&p, c);
			p.i++;
			break;
		}
	}
	sp_end_cmd(&p, false);
	if (out->ncmd > IOTA_TS_MAX_CMDS)
		out->ncmd = IOTA_TS_MAX_CMDS;
	return out->ncmd;
}

static bool is_assignment(const char *w)
{
	if (!is_name_start(w[0]))
		return false;
	for (size_t i = 1; w[i]; i++) {
		if (w[i] == '=')
			return true;
		if (!is_name_char(w[i]))
			return false;
	}
	return false;
}

static bool word_in(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

int iota_ts_cmd_program(const iota_ts_cmd *cmd)
{
	static const char *const reserved[] = {"if",    "then",  "elif", "else", "do",
	                                       "while", "until", "!",    "{",    "time",
	                                       "fi",    "done",  "}",    "esac", ";;"};
	static const char *const stop[] = {"for", "case", "function", "in"};
	int i = 0;
	while (i < cmd->argc) {
		const char *w = cmd->argv[i];
		if (is_assignment(w) && !cmd->dynamic[i]) {
			i++;
		} else if (word_in(w, reserved, sizeof reserved / sizeof reserved[0])) {
			i++;
		} else if (word_in(w, stop, sizeof stop / sizeof stop[0])) {
			return -1;
		} else if (!strcmp(w, "command") && i + 1 < cmd->argc &&
		           (!strcmp(cmd->argv[i + 1], "-v") || !strcmp(cmd->argv[i + 1], "-V"))) {
			return -1; /* a lookup, not a run */
		} else if (!strcmp(w, "exec") || !strcmp(w, "nohup") || !strcmp(w, "setsid") ||
		           !strcmp(w, "command") || !strcmp(w, "builtin")) {
			i++;
			while (i < cmd->argc && cmd->argv[i][0] == '-' && strcmp(w, "nohup") != 0)
				i++;
		} else if (!strcmp(w, "env")) {
			i++;
			while (i < cmd->argc &&
			       (cmd->argv[i][0] == '-' || is_assignment(cmd->argv[i]))) {
				if (!strcmp(cmd->argv[i], "-u") && i + 1 < cmd->argc)
					i++;
				i++;
			}
		} else if (!strcmp(w, "nice") || !strcmp(w, "ionice")) {
			i++;
			while (i < cmd->argc && cmd->argv[i][0] == '-') {
				const char *o = cmd->argv[i];
				bool takes = o[1] && !o[2] && strchr("nc", o[1]);
				i += takes ? 2 : 1;
			}
		} else {
			return i;
		}
	}
	return -1;
}

const char *iota_ts_basename(const char *word)
{
	const char *b = strrchr(word, '/');
	b = b ? b + 1 : word;
	if (b[0] == '-' && b[1])
		b++;
	return b;
}

bool iota_ts_is_shell(const char *base)
{
	static const char *const sh[] = {"sh",   "ash", "bash", "hush", "msh",  "ksh",
	                                 "dash", "zsh", "lash", "mksh", "tcsh", "csh"};
	return word_in(base, sh, sizeof sh / sizeof sh[0]);
}

size_t iota_ts_join(const iota_ts_cmd *cmd, int from, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return 0;
	out[0] = '\0';
	for (int i = from < 0 ? 0 : from; i < cmd->argc; i++) {
		const char *w = cmd->argv[i];
		bool plain = w[0] != '\0';
		for (const char *c = w; *c; c++)
			if (!isalnum((unsigned char)*c) && !strchr("_@%+=:,./-$", *c))
				plain = false;
		char tmp[IOTA_TS_WORDBUF + 64];
		size_t t = 0;
		if (plain) {
			t = (size_t)snprintf(tmp, sizeof tmp, "%s", w);
		} else {
			tmp[t++] = '\'';
			for (const char *c = w; *c && t + 6 < sizeof tmp; c++) {
				if (*c == '\'') {
					memcpy(tmp + t, "'\\''", 4);
					t += 4;
				} else {
					tmp[t++] = *c;
				}
			}
			tmp[t++] = '\'';
			tmp[t] = '\0';
		}
		if (t >= sizeof tmp)
			t = sizeof tmp - 1;
		if (o + t + 2 > cap)
			break;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, tmp, t);
		o += t;
		out[o] = '\0';
	}
	return o;
}

void iota_ts_strip_userinfo(char *url)
{
	char *sch = strstr(url, "://");
	if (!sch)
		return;
	char *host = sch + 3, *slash = strchr(host, '/'), *at = strchr(host, '@');
	if (!at || (slash && at > slash))
		return;
	memmove(host + 3, at, strlen(at) + 1);
	memcpy(host, "***", 3);
}

/* Does the word after opt hold a secret, for program prog? */
static bool secret_option(const char *prog, const char *opt, const char *value)
{
	static const char *const any[] = {
	    "--password",  "--pass",          "--passwd",       "-pw",
	    "--user",      "--http-password", "--ftp-password", "--proxy-user",
	    "--http-user", "--ftp-user",      "--pwd"};
	for (size_t i = 0; i < sizeof any / sizeof any[0]; i++)
		if (!strcmp(opt, any[i]))
			return true;
	if (!strcmp(opt, "-u") &&
	    (!strcmp(prog, "curl") || !strcmp(prog, "wget") || !strcmp(prog, "ftpget") ||
	     !strcmp(prog, "ftpput") || !strcmp(prog, "uclient-fetch")))
		return true;
	if (!strcmp(opt, "-p") &&
	    (!strcmp(prog, "ftpget") || !strcmp(prog, "ftpput") || !strcmp(prog, "sshpass")))
		return true;
	if (!strcmp(opt, "-P") &&
	    (!strcmp(prog, "mosquitto_pub") || !strcmp(prog, "mosquitto_sub")))
		return true;
	if (!strcmp(opt, "-c") && (!strcmp(prog, "mini_snmpd") || !strcmp(prog, "snmpget") ||
	                           !strcmp(prog, "snmpwalk") || !strcmp(prog, "snmpset")))
		return strcmp(value, "public") != 0 && strcmp(value, "private") != 0;
	return false;
}

size_t iota_ts_join_redacted(const iota_ts_cmd *cmd, int from, char *out, size_t cap)
{
	iota_ts_cmd *copy = iota_malloc(sizeof *copy);
	if (!copy) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	copy->argc = 0;
	size_t o = 0;
	const char *prog = from < cmd->argc ? iota_ts_basename(cmd->argv[from]) : "";
	for (int i = from < 0 ? 0 : from; i < cmd->argc && copy->argc < IOTA_TS_MAX_WORDS; i++) {
		const char *w = cmd->argv[i];
		char tmp[IOTA_TS_WORDBUF];
		const char *eq = strchr(w, '=');
		char key[32] = "";
		if (eq && eq > w && (size_t)(eq - w) < sizeof key) {
			size_t kl = (size_t)(eq - w);
			for (size_t k = 0; k < kl; k++)
				key[k] = (char)tolower((unsigned char)w[k]);
			key[kl] = '\0';
		}
		bool after = i > from && secret_option(prog, cmd->argv[i - 1], w);
		bool keyed =
		    key[0] && (strstr(key, "pass") || strstr(key, "pwd") || strstr(key, "secret") ||
		               strstr(key, "token") || !strcmp(key, "--user"));
		if (after) {
			iota_redact(w, strlen(w), tmp, sizeof tmp);
		} else if (keyed) {
			char r[256];
			iota_redact(eq + 1, strlen(eq + 1), r, sizeof r);
			snprintf(tmp, sizeof tmp, "%.*s=%s", (int)(eq - w), w, r);
		} else {
			snprintf(tmp, sizeof tmp, "%s", w);
			iota_ts_strip_userinfo(tmp);
		}
		size_t l = strlen(tmp);
		if (o + l + 1 > sizeof copy->buf)
			break;
		memcpy(copy->buf + o, tmp, l + 1);
		copy->argv[copy->argc] = copy->buf + o;
		copy->dynamic[copy->argc] = cmd->dynamic[i];
		copy->argc++;
		o += l + 1;
	}
	size_t n = iota_ts_join(copy, 0, out, cap);
	iota_free(copy);
	return n;
}

/* ---- paths ---- */

bool iota_ts_path_is(const char *path, const char *pat)
{
	size_t pl = strlen(path), tl = strlen(pat);
	if (pl == tl)
		return memcmp(path, pat, pl) == 0;
	return pl > tl && path[pl - tl - 1] == '/' && memcmp(path + pl - tl, pat, tl) == 0;
}

bool iota_ts_path_in(const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');
	if (!slash || !slash[1])
		return false;
	size_t dl = (size_t)(slash - path), tl = strlen(dir);
	if (dl == tl)
		return memcmp(path, dir, dl) == 0;
	return dl > tl && path[dl - tl - 1] == '/' && memcmp(path + dl - tl, dir, tl) == 0;
}

bool iota_ts_path_within(const char *path, const char *dir)
{
	size_t tl = strlen(dir);
	for (const char *p = path; (p = strstr(p, dir)) != NULL; p++)
		if ((p == path || p[-1] == '/') && p[tl] == '/')
			return true;
	return false;
}

iota_node *iota_ts_up(iota_node *n, int levels)
{
	while (n && levels-- > 0)
		n = n->parent;
	return n;
}

int iota_ts_components(const char *pat)
{
	int c = 1;
	for (const char *p = pat; *p; p++)
		if (*p == '/')
			c++;
	return c;
}

#define MAX_HOPS 8

static iota_node *lookup(iota_scan *s, iota_node *root, iota_node *base, const char *path, int hops,
                         bool follow_last)
{
	iota_node *cur = path[0] == '/' ? root : base;
	const char *p = path;
	while (*p && cur) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* stays */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (cur != root && cur->parent)
				cur = cur->parent;
		} else {
			iota_node *next = iota_vfs_child(s, cur, p, len);
			if (next && next->kind == IOTA_NODE_SYMLINK && next->link) {
				if (hops >= MAX_HOPS)
					return NULL;
				bool last = true;
				for (const char *q = p + len; *q; q++)
					if (*q != '/')
						last = false;
				if (!last || follow_last)
					next = lookup(s, root, cur, next->link, hops + 1, true);
			}
			cur = next;
		}
		p += len;
	}
	return cur;
}

iota_node *iota_ts_lookup(iota_scan *s, iota_node *root, iota_node *base, const char *path,
                          bool follow_last)
{
	if (!root || !path)
		return NULL;
	return lookup(s, root, base ? base : root, path, 0, follow_last);
}

bool iota_ts_is_rootfs(iota_scan *s, iota_node *dir)
{
	if (!dir || (dir->kind != IOTA_NODE_DIR && dir->kind != IOTA_NODE_CONTAINER))
		return false;
	iota_node *etc = iota_vfs_child(s, dir, "etc", 3);
	if (!etc || etc->kind != IOTA_NODE_DIR)
		return false;
	static const char *const sys[] = {"bin", "sbin", "usr", "lib"};
	for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
		if (iota_vfs_child(s, dir, sys[i], strlen(sys[i])))
			return true;
	return false;
}

iota_node *iota_ts_fs_root(iota_scan *s, iota_node *n)
{
	static const char *const sys[] = {"etc", "bin", "sbin", "usr", "lib", "www"};
	iota_node *outer = NULL;
	for (iota_node *a = n->parent; a; a = a->parent) {
		if (iota_ts_is_rootfs(s, a))
			return a;
		if (a->kind == IOTA_NODE_CONTAINER)
			break;
		if (a->kind == IOTA_NODE_DIR && a->name &&
		    word_in(a->name, sys, sizeof sys / sizeof sys[0]))
			outer = a;
	}
	if (outer && outer->parent)
		return outer->parent;
	return n->container;
}

static bool doc_path(const char *path)
{
	static const char *const dirs[] = {
	    "share/doc",   "share/man",     "share/info", "share/licenses", "share/common-licenses",
	    "usr/include", "share/gtk-doc", "share/help", "lib/pkgconfig",  "share/pkgconfig",
	    "tests",       "test",          "testdata"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (iota_ts_path_within(path, dirs[i]))
			return true;
	/* man/manN/ trees anywhere (share/postgresql/15/man/man7/...) */
	for (const char *p = path; (p = strstr(p, "man/man")) != NULL; p++)
		if ((p == path || p[-1] == '/') && p[7] >= '1' && p[7] <= '9')
			return true;
	return strstr(path, ".egg-info/") || strstr(path, ".dist-info/");
}

bool iota_ts_in_docs(const iota_node *n)
{
	char path[IOTA_MAX_PATH];
	for (int depth = 0; n && depth < 32; depth++) {
		if (iota_node_inner_path(n, path, sizeof path) >= 0 && doc_path(path))
			return true;
		if (n->name && (!strcmp(n->name, "PKG-INFO") || !strcmp(n->name, "METADATA")))
			return true;
		n = n->container ? n->container->parent : NULL;
	}
	return false;
}

bool iota_ts_doc_name(const char *name)
{
	static const char *const pre[] = {
	    "license", "licence", "copying", "copyright", "readme",  "changelog", "news",
	    "authors", "notice",  "changes", "makefile",  "history", "todo",      "contributing"};
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (!strncasecmp(name, pre[i], strlen(pre[i])))
			return true;
	if (!strcmp(name, "MANIFEST.MF"))
		return true;
	size_t nl = strlen(name);
	static const char *const suf[] = {".md",  ".h",   ".hpp", ".c",   ".cc",   ".cpp",  ".rst",
	                                  ".pod", ".man", ".mk",  ".pp",  ".pas",  ".java", ".go",
	                                  ".rs",  ".vim", ".el",  ".tex", ".texi", ".info"};
	for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++) {
		size_t sl = strlen(suf[i]);
		if (nl > sl && !strcmp(name + nl - sl, suf[i]))
			return true;
	}
	/* manual pages: "ls.1", "ssl.3ssl", "DROP_VIEW.7" */
	const char *dot = strrchr(name, '.');
	return dot && dot[1] >= '1' && dot[1] <= '9' && strlen(dot + 1) <= 5 &&
	       (dot[2] == '\0' || isalpha((unsigned char)dot[2]));
}

static void walk(iota_node *n, void (*fn)(iota_node *n, void *ctx), void *ctx, unsigned depth)
{
	if (depth > 4096)
		return;
	for (iota_node *c = n->first_child; c; c = c->next_sibling) {
		fn(c, ctx);
		walk(c, fn, ctx, depth + 1);
	}
}

void iota_ts_walk(iota_node *n, void (*fn)(iota_node *n, void *ctx), void *ctx)
{
	if (n)
		walk(n, fn, ctx, 0);
}

/* ---- attributes ---- */

int iota_ts_attr_series(iota_scan *s, iota_node *n, const char *prefix, const char *value)
{
	char key[96];
	for (int k = 1; k <= 99; k++) {
		snprintf(key, sizeof key, "%s.%02d", prefix, k);
		if (!iota_node_attr_get(n, key)) {
			iota_node_attr(s, n, key, "%s", value);
			return k;
		}
	}
	return 0;
}

void iota_ts_attr_append(iota_scan *s, iota_node *n, const char *key, const char *value)
{
	const char *old = iota_node_attr_get(n, key);
	if (!old) {
		iota_node_attr(s, n, key, "%s", value);
		return;
	}
	size_t vl = strlen(value);
	for (const char *p = old; (p = strstr(p, value)) != NULL; p += vl)
		if ((p == old || (p >= old + 2 && p[-2] == ';' && p[-1] == ' ')) &&
		    (p[vl] == '\0' || p[vl] == ';'))
			return;
	if (strlen(old) + vl + 3 > 1000)
		return;
	iota_node_attr(s, n, key, "%s; %s", old, value);
}
