/*
 * Hard-coded secrets in scripts, configuration files and (for formats that
 * are unambiguous) the strings of binaries: cloud credentials, API tokens,
 * passwords in assignments, credentials in URLs and HTTP Basic headers.
 *
 * One pass of Hyperscan over the file's bytes finds candidates (a
 * multi-pattern database compiled once); each candidate is then validated
 * exactly in C against the token's published format:
 *   AWS access key ids: AKIA/ASIA + 16 characters of the base32 alphabet
 *     (AWS IAM "Understanding unique ID prefixes"); a secret access key is 40
 *     base64 characters after an aws_secret_access_key / SecretAccessKey key.
 *   GCP service-account key files: JSON with "type": "service_account",
 *     "private_key_id" (40 hex digits) and "private_key" (Google Cloud IAM,
 *     "Create and delete service account keys").
 *   Azure Storage connection strings (AccountKey= 64 bytes in base64) and
 *     Azure IoT Hub / Service Bus SharedAccessKey= (32 bytes in base64).
 *   GitHub tokens ghp_/gho_/ghu_/ghs_/ghr_ and npm_ tokens: 30 random
 *     base62 characters and a CRC32 of them in 6 base62 digits (GitHub blog,
 *     "Behind GitHub's new authentication token formats", 2021); the checksum
 *     must match. github_pat_, Slack xox[baprs]- tokens and webhooks, Google
 *     API keys (AIza), Stripe live keys, GitLab glpat-, SendGrid SG. keys:
 *     prefix, alphabet, length and an entropy floor.
 *   URLs with user:password@ (RFC 3986 section 3.2.1), "Authorization:
 *     Basic" headers (RFC 7617, base64 of user:password) and curl -u.
 *   Assignments of a literal to a key named like a password, passphrase,
 *     secret, token or API key, in the syntaxes of shell, INI, JSON, YAML,
 *     Lua, PHP, Python and JS (key = value, key: value, key => value), UCI
 *     ("option password 'x'", OpenWrt), XML elements and --password options.
 *     The value must be a literal: not a variable ($X, ${X}, %s, {{x}},
 *     @X@), not a function call, not a placeholder (changeme, xxxx, ***,
 *     <password>, your_password, true, none...), not in a comment line, and
 *     either a known default password (data/credentials/defaults.txt) or of
 *     a length and Shannon entropy that placeholders do not reach. In
 *     program sources only quoted literals count.
 * Binary files (a NUL in the first 8 KiB) get the prefixed tokens, Azure
 * keys and URL credentials only: assignments in binaries are mostly format
 * strings. Documentation, examples and tests (man/info pages, Markdown,
 * files below doc/, examples/, tests/...) get the validated tokens only, and
 * so do lines within two lines of the word "example" and markup or C-style
 * block comments: that is where sample credentials live. A line reported
 * for a specific format is not reported again as a generic assignment.
 * Every value shown is redacted with iota_redact(). Work per file is
 * bounded: 8192 candidates, 200 findings, 4 KiB looked back on a line.
 *
 * Check ids and the STANDARDS.md §9 checks they serve:
 *   secret.aws-access-key       K02  AWS key id (critical with its secret)
 *   secret.aws-secret-key       K02  AWS secret access key without a key id
 *   secret.gcp-service-account  K02  GCP service-account private key file
 *   secret.azure-key            K02  Azure storage / shared access key
 *   secret.token                K02  GitHub, Slack, Google, Stripe... token
 *   secret.hardcoded-token      K02  literal assigned to a secret/token/API key
 *   secret.hardcoded-password   C02  literal assigned to a password key
 *   secret.wifi-psk             S09  Wi-Fi passphrase in hostapd/UCI config
 *   secret.url-credentials      C02  user:password@ in a URL
 *   secret.basic-auth           C02  HTTP Basic credentials / curl -u
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs/hs.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "core/analyzer.h"
#include "core/data.h"
#include "util/alloc.h"

#define MAX_MATCHES  8192 /* candidates kept per file */
#define MAX_FINDINGS 200  /* per file */
#define MAX_VALUE    256
#define MAX_IDENT    64
#define MAX_SKIP     64
#define MAX_WORDS    1024
#define WORD_POOL    16384
#define MAX_RANGES   1024 /* block comments per file */

enum pat {
	P_AWS_ID,
	P_AWS_SECRET,
	P_GCP,
	P_AZURE_ACCOUNT,
	P_AZURE_SAK,
	P_GITHUB,
	P_GITHUB_PAT,
	P_NPM,
	P_SLACK,
	P_SLACK_HOOK,
	P_GOOGLE,
	P_STRIPE,
	P_GITLAB,
	P_SENDGRID,
	P_URL,
	P_BASIC,
	P_CURL,
	/* text files only from here */
	P_ASSIGN,
	P_UCI,
	P_XML,
	P_OPTION,
	P_COUNT
};
#define P_TEXT_ONLY P_ASSIGN

static const struct {
	const char *re;
	unsigned flags;
} patterns[P_COUNT] = {
    [P_AWS_ID] = {"(AKIA|ASIA)[A-Z0-9]{16}", HS_FLAG_SOM_LEFTMOST},
    [P_AWS_SECRET] = {"(aws_?)?secret_?access_?key[\"']?\\s*(=>|:=|=|:)\\s*[\"']?[A-Za-z0-9/+]{40}",
                      HS_FLAG_SOM_LEFTMOST | HS_FLAG_CASELESS},
    [P_GCP] = {"\"private_key_id\"\\s*:\\s*\"[0-9a-f]{40}\"", HS_FLAG_SOM_LEFTMOST},
    [P_AZURE_ACCOUNT] = {"AccountKey=[A-Za-z0-9+/]{86}==", HS_FLAG_SOM_LEFTMOST},
    [P_AZURE_SAK] = {"SharedAccessKey=[A-Za-z0-9+/]{43}=", HS_FLAG_SOM_LEFTMOST},
    [P_GITHUB] = {"gh[pousr]_[A-Za-z0-9]{36}", HS_FLAG_SOM_LEFTMOST},
    [P_GITHUB_PAT] = {"github_pat_[A-Za-z0-9_]{82}", HS_FLAG_SOM_LEFTMOST},
    [P_NPM] = {"npm_[A-Za-z0-9]{36}", HS_FLAG_SOM_LEFTMOST},
    [P_SLACK] = {"xox[baprs]-[0-9A-Za-z-]{10,120}", HS_FLAG_SOM_LEFTMOST},
    [P_SLACK_HOOK] = {"https://hooks\\.slack\\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/"
                      "[A-Za-z0-9]{24}",
                      HS_FLAG_SOM_LEFTMOST},
    [P_GOOGLE] = {"AIza[0-9A-Za-z_-]{35}", HS_FLAG_SOM_LEFTMOST},
    [P_STRIPE] = {"[sr]k_live_[0-9a-zA-Z]{24,99}", HS_FLAG_SOM_LEFTMOST},
    [P_GITLAB] = {"glpat-[0-9A-Za-z_-]{20}", HS_FLAG_SOM_LEFTMOST},
    [P_SENDGRID] = {"SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}", HS_FLAG_SOM_LEFTMOST},
    /* no start of match: too large for Hyperscan with SOM; url() finds it */
    [P_URL] = {"://[^\\s/:@'\"<>]{1,64}:[^\\s/@'\"<>]{1,128}@", 0},
    [P_BASIC] = {"authorization:\\s*basic\\s+[A-Za-z0-9+/]{8,}",
                 HS_FLAG_SOM_LEFTMOST | HS_FLAG_CASELESS},
    [P_CURL] = {"curl\\s([^\\n]{0,200}\\s)?(-u|--user)[ \\t=]+", HS_FLAG_CASELESS},
    [P_ASSIGN] = {"(pass(word|wd|phrase|wort)?|pwd|secret|token|api_?key|access_?key|auth_?key|"
                  "private_?key|psk)[A-Za-z0-9_.-]*[\"']?[ \\t]*(=>|:=|=|:)",
                  HS_FLAG_CASELESS},
    [P_UCI] = {"option[ \\t]+[A-Za-z0-9_]*(pass|pwd|secret|token|key|psk)[A-Za-z0-9_]*[ \\t]+",
               HS_FLAG_SOM_LEFTMOST},
    [P_XML] = {"<[A-Za-z0-9_:.-]*(pass(word|wd)?|pwd|secret|token|psk)[A-Za-z0-9_:.-]*>",
               HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST},
    [P_OPTION] = {"[ \\t]--(password|passwd|pass|pwd)[ \\t=]+",
                  HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST},
};

static hs_database_t *db;
static pthread_once_t db_once = PTHREAD_ONCE_INIT;

static struct {
	const char *word[MAX_WORDS];
	size_t n;
	char pool[WORD_POOL];
} dict;

static void init_once(void)
{
	const char *exprs[P_COUNT];
	unsigned flags[P_COUNT], ids[P_COUNT];
	for (unsigned i = 0; i < P_COUNT; i++) {
		exprs[i] = patterns[i].re;
		flags[i] = patterns[i].flags;
		ids[i] = i;
	}
	hs_compile_error_t *err = NULL;
	if (hs_compile_multi(exprs, flags, ids, P_COUNT, HS_MODE_BLOCK, NULL, &db, &err) !=
	    HS_SUCCESS) {
		db = NULL; /* the analyzer stays off; a unit test catches this */
		hs_free_compile_error(err);
	}

	size_t len = 0, used = 0;
	const unsigned char *d = iota_data_get("credentials/defaults.txt", &len);
	for (size_t i = 0; d && i < len;) {
		size_t e = i;
		while (e < len && d[e] != '\n')
			e++;
		const unsigned char *line = d + i;
		size_t ll = e - i;
		i = e + 1;
		if (ll && line[ll - 1] == '\r')
			ll--;
		const unsigned char *colon = ll && line[0] != '#' ? memchr(line, ':', ll) : NULL;
		if (!colon)
			continue;
		const char *pw = (const char *)colon + 1;
		size_t pl = ll - (size_t)(colon + 1 - line);
		bool dup = pl == 0;
		for (size_t k = 0; k < dict.n && !dup; k++)
			dup = strlen(dict.word[k]) == pl && memcmp(dict.word[k], pw, pl) == 0;
		if (dup || dict.n == MAX_WORDS || used + pl + 1 > WORD_POOL)
			continue;
		memcpy(dict.pool + used, pw, pl);
		dict.pool[used + pl] = '\0';
		dict.word[dict.n++] = dict.pool + used;
		used += pl + 1;
	}
}

static bool in_dict(const char *v, size_t n)
{
	for (size_t i = 0; i < dict.n; i++)
		if (strlen(dict.word[i]) == n && memcmp(dict.word[i], v, n) == 0)
			return true;
	return false;
}

/* ---- per file ---- */

struct match {
	unsigned id;
	size_t from, to;
};

struct sctx {
	iota_scan *s;
	iota_node *n;
	const uint8_t *d;
	size_t len;
	bool text, code, wireless, docs;
	struct match *m;
	size_t nm;
	unsigned nfind;
	struct {
		uint64_t from, to;
	} skip[MAX_SKIP];
	size_t nskip;
	/* line counting */
	size_t line_off;
	uint32_t line_no;
	/* AWS pairing */
	struct {
		size_t off;
		uint32_t line;
		char id[24];
	} aws_id[16];
	size_t naws_id;
	struct {
		uint32_t line;
		char secret[48];
	} aws_secret[16];
	size_t naws_secret;
	/* one finding per line and check */
	uint32_t last_line;
	const char *last_check;
	/* block comments */
	bool xml, ccode, ranges_done;
	struct {
		size_t from, to;
	} ranges[MAX_RANGES];
	size_t nranges;
	/* lines a specific detector reported: generic assignments skip them */
	uint32_t claimed[256];
	size_t nclaimed;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
	(void)flags;
	struct sctx *c = ctx;
	if (id >= P_TEXT_ONLY && !c->text)
		return 0;
	/* without start-of-match, a match is known by its end */
	if (!(patterns[id].flags & HS_FLAG_SOM_LEFTMOST))
		from = to;
	/* SOM patterns report every end of a variable-length match: keep the longest */
	else if (c->nm && c->m[c->nm - 1].id == id && c->m[c->nm - 1].from == from) {
		c->m[c->nm - 1].to = (size_t)to;
		return 0;
	}
	if (c->nm == MAX_MATCHES)
		return 1; /* stop the scan: enough candidates for one file */
	c->m[c->nm++] = (struct match){id, (size_t)from, (size_t)to};
	return 0;
}

static int cmp_match(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->to > y->to ? -1 : x->to < y->to; /* longest first */
}

static uint32_t line_at(struct sctx *c, size_t off)
{
	if (!c->text)
		return 0;
	/* moves from the last position, either way: offsets come mostly in order */
	if (off > c->len)
		off = c->len;
	for (size_t i = off; i < c->line_off; i++)
		if (c->d[i] == '\n')
			c->line_no--;
	for (size_t i = c->line_off; i < off; i++)
		if (c->d[i] == '\n')
			c->line_no++;
	c->line_off = off;
	return c->line_no;
}

static bool skipped(const struct sctx *c, size_t off)
{
	for (size_t i = 0; i < c->nskip; i++)
		if (off >= c->skip[i].from && off < c->skip[i].to)
			return true;
	return false;
}

static double entropy(const char *p, size_t n)
{
	unsigned hist[256] = {0};
	for (size_t i = 0; i < n; i++)
		hist[(unsigned char)p[i]]++;
	double h = 0;
	for (int i = 0; i < 256; i++) {
		if (!hist[i])
			continue;
		double f = (double)hist[i] / (double)n;
		h -= f * log2(f);
	}
	return h;
}

static void emit(struct sctx *c, const char *check, iota_severity sev, int confidence, size_t off,
                 const char *evidence, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void emit(struct sctx *c, const char *check, iota_severity sev, int confidence, size_t off,
                 const char *evidence, const char *fmt, ...)
{
	uint32_t line = line_at(c, off);
	if (line && line == c->last_line && c->last_check == check)
		return; /* one finding per line and kind */
	if (c->nfind >= MAX_FINDINGS)
		return;
	c->nfind++;
	c->last_line = line;
	c->last_check = check;
	if (line && c->nclaimed < sizeof c->claimed / sizeof c->claimed[0])
		c->claimed[c->nclaimed++] = line;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	iota_finding_emit(c->s, &(iota_finding){.check = check,
	                                        .severity = sev,
	                                        .confidence = confidence,
	                                        .node = c->n,
	                                        .offset = line ? UINT64_MAX : off,
	                                        .line = line,
	                                        .message = msg,
	                                        .evidence = evidence});
}

static bool claimed(struct sctx *c, size_t off)
{
	uint32_t line = line_at(c, off);
	for (size_t i = 0; i < c->nclaimed; i++)
		if (c->claimed[i] == line)
			return true;
	return false;
}

static bool is_word(uint8_t ch)
{
	return isalnum(ch) || ch == '_';
}

/* True if the token [from, to) is not glued to more token characters. */
static bool bounded(const struct sctx *c, size_t from, size_t to)
{
	return (from == 0 || !is_word(c->d[from - 1])) && (to >= c->len || !is_word(c->d[to]));
}

/* ---- prefixed tokens ---- */

static bool base62_crc_ok(const uint8_t *body, size_t n, const uint8_t *sum6)
{
	static const char alphabet[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t v = 0;
	for (int i = 0; i < 6; i++) {
		const char *p = memchr(alphabet, sum6[i], 62);
		if (!p)
			return false;
		v = v * 62 + (uint64_t)(p - alphabet);
	}
	return v == crc32(0L, body, (uInt)n);
}

static void token(struct sctx *c, const struct match *m, const char *what, size_t min_len,
                  double min_entropy)
{
	size_t n = m->to - m->from;
	const char *p = (const char *)c->d + m->from;
	if (n < min_len || n > 200 || !bounded(c, m->from, m->to))
		return;
	if (min_entropy > 0 && entropy(p, n) < min_entropy)
		return;
	if (memmem(p, n, "EXAMPLE", 7) || memmem(p, n, "example", 7) || memmem(p, n, "XXXXXX", 6) ||
	    memmem(p, n, "xxxxxx", 6))
		return;
	char red[96], ev[160];
	iota_redact(p, n, red, sizeof red);
	snprintf(ev, sizeof ev, "%s", red);
	emit(c, "secret.token", IOTA_SEV_HIGH, 90, m->from, ev, "%s in the image", what);
}

static void aws_id(struct sctx *c, const struct match *m)
{
	const char *p = (const char *)c->d + m->from;
	if (m->to - m->from != 20 || !bounded(c, m->from, m->to))
		return;
	for (int i = 4; i < 20; i++) /* AWS ids use the base32 alphabet */
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '2' && p[i] <= '7')))
			return;
	if (memmem(p, 20, "EXAMPLE", 7) || entropy(p + 4, 16) < 3.0)
		return;
	if (c->naws_id == sizeof c->aws_id / sizeof c->aws_id[0])
		return;
	c->aws_id[c->naws_id].off = m->from;
	c->aws_id[c->naws_id].line = line_at(c, m->from);
	snprintf(c->aws_id[c->naws_id].id, sizeof c->aws_id[0].id, "%.20s", p);
	c->naws_id++;
}

static void aws_secret(struct sctx *c, const struct match *m)
{
	size_t n = m->to - m->from;
	if (n < 40 ||
	    (m->to < c->len && (isalnum(c->d[m->to]) || c->d[m->to] == '/' || c->d[m->to] == '+')))
		return;
	const char *v = (const char *)c->d + m->to - 40;
	if (entropy(v, 40) < 4.0 || memmem(v, 40, "EXAMPLE", 7))
		return;
	if (c->naws_secret == sizeof c->aws_secret / sizeof c->aws_secret[0])
		return;
	c->aws_secret[c->naws_secret].line = line_at(c, m->from);
	if (c->nclaimed < sizeof c->claimed / sizeof c->claimed[0])
		c->claimed[c->nclaimed++] = c->aws_secret[c->naws_secret].line;
	snprintf(c->aws_secret[c->naws_secret].secret, sizeof c->aws_secret[0].secret, "%.40s", v);
	c->naws_secret++;
}

static void aws_report(struct sctx *c)
{
	char red[96], ev[256];
	for (size_t i = 0; i < c->naws_id; i++) {
		iota_redact(c->aws_id[i].id, 20, red, sizeof red);
		if (c->naws_secret) {
			char sred[96];
			iota_redact(c->aws_secret[0].secret, 40, sred, sizeof sred);
			snprintf(ev, sizeof ev, "key id %s, secret %s (line %u)", red, sred,
			         c->aws_secret[0].line);
			emit(c, "secret.aws-access-key", IOTA_SEV_CRITICAL, 95, c->aws_id[i].off,
			     ev,
			     "AWS access key id with its secret access key: working cloud "
			     "credentials shared by every unit");
		} else {
			snprintf(ev, sizeof ev, "key id %s", red);
			emit(c, "secret.aws-access-key", IOTA_SEV_MEDIUM, 80, c->aws_id[i].off, ev,
			     "AWS access key id (%s); its secret key was not found in this file",
			     strncmp(c->aws_id[i].id, "ASIA", 4) == 0 ? "temporary" : "long-term");
		}
	}
	if (!c->naws_id) {
		for (size_t i = 0; i < c->naws_secret; i++) {
			iota_redact(c->aws_secret[i].secret, 40, red, sizeof red);
			snprintf(ev, sizeof ev, "secret %s", red);
			iota_finding_emit(
			    c->s,
			    &(iota_finding){.check = "secret.aws-secret-key",
			                    .severity = IOTA_SEV_HIGH,
			                    .confidence = 85,
			                    .node = c->n,
			                    .offset = UINT64_MAX,
			                    .line = c->aws_secret[i].line,
			                    .message = "AWS secret access key assigned in the file",
			                    .evidence = ev});
		}
	}
}

static void gcp(struct sctx *c, const struct match *m)
{
	bool sa = memmem(c->d, c->len, "service_account", 15) != NULL;
	bool key = memmem(c->d, c->len, "\"private_key\"", 13) != NULL;
	if (!sa && !key)
		return;
	char ev[160], red[96];
	const char *hexid = (const char *)c->d + m->to - 41; /* the 40 digits before '"' */
	iota_redact(hexid, 40, red, sizeof red);
	snprintf(ev, sizeof ev, "private_key_id %s%s", red, key ? ", private_key present" : "");
	emit(c, "secret.gcp-service-account", sa && key ? IOTA_SEV_CRITICAL : IOTA_SEV_HIGH,
	     sa && key ? 100 : 70, m->from, ev,
	     "Google Cloud service-account key file: a private key that signs in as the account");
}

static void azure(struct sctx *c, const struct match *m, size_t prefix, size_t bytes)
{
	const uint8_t *v = c->d + m->from + prefix;
	size_t n = m->to - m->from - prefix;
	unsigned char out[96];
	int dl = EVP_DecodeBlock(out, v, (int)n);
	/* EVP_DecodeBlock counts the padding bytes too */
	size_t pad = (v[n - 1] == '=') + (n > 1 && v[n - 2] == '=');
	if (dl < 0 || (size_t)dl - pad != bytes || entropy((const char *)v, n) < 4.0)
		return;
	char red[96], ev[160];
	iota_redact((const char *)v, n, red, sizeof red);
	snprintf(ev, sizeof ev, "%.*s%s", (int)prefix, (const char *)c->d + m->from, red);
	emit(c, "secret.azure-key", IOTA_SEV_CRITICAL, 95, m->from, ev,
	     "%s in the image: working cloud credentials shared by every unit",
	     prefix == 11 ? "Azure Storage account key" : "Azure shared access key");
}

/* ---- values ---- */

static bool placeholder(const char *v, size_t n)
{
	static const char *const words[] = {
	    "changeme",     "change_me",
	    "change-me",    "changeit",
	    "password",     "passwd",
	    "secret",       "token",
	    "none",         "null",
	    "nil",          "undefined",
	    "empty",        "true",
	    "false",        "yes",
	    "no",           "on",
	    "off",          "enable",
	    "enabled",      "disable",
	    "disabled",     "example",
	    "sample",       "dummy",
	    "placeholder",  "your_password",
	    "yourpassword", "your-password",
	    "mypassword",   "my_password",
	    "your_token",   "your_api_key",
	    "yourapikey",   "api_key",
	    "apikey",       "required",
	    "optional",     "string",
	    "str",          "text",
	    "hidden",       "unset",
	    "default",      "redacted",
	    "removed",      "todo",
	    "fixme",        "tbd",
	    "n/a",          "na",
	    "pass",         "pwd",
	    "psk",          "key",
	    "value",        "foo",
	    "bar",          "foobar",
	    "test",         "testing",
	    "xxx",          NULL,
	};
	for (const char *const *w = words; *w; w++)
		if (strlen(*w) == n && strncasecmp(*w, v, n) == 0)
			return true;
	/* one repeated character: xxxx, ****, ...., 0000 */
	bool same = true;
	for (size_t i = 1; i < n && same; i++)
		same = v[i] == v[0];
	if (same && n >= 3 && !isalnum((unsigned char)v[0]))
		return true;
	if (same && n >= 3 && (v[0] == 'x' || v[0] == 'X'))
		return true;
	/* variables, templates, format strings */
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		if (ch == '$' || ch == '`' || ch == '<' || ch == '>' || ch == '{' || ch == '}' ||
		    ch == '(' || ch == '[')
			return true;
		if (ch == '%' && i + 1 < n &&
		    (isalpha((unsigned char)v[i + 1]) || v[i + 1] == '%' || v[i + 1] == '(' ||
		     isdigit((unsigned char)v[i + 1])))
			return true;
		if (ch == '@' && i == 0 && n > 2 && v[n - 1] == '@')
			return true; /* @VAR@ (autoconf) */
	}
	if (n >= 4 && v[0] == '_' && v[1] == '_' && v[n - 1] == '_' && v[n - 2] == '_')
		return true; /* __PASSWORD__ */
	if (n >= 3 && strncasecmp(v, "***", 3) == 0)
		return true;
	return false;
}

enum keykind { KK_NONE, KK_PASSWORD, KK_TOKEN, KK_PSK };

/* Splits an identifier into lower-case tokens at separators and camelCase
 * humps, and decides what kind of secret its last token names. */
static enum keykind classify_key(const char *id, size_t n, bool wireless)
{
	char tok[8][MAX_IDENT + 1];
	size_t nt = 0, tl = 0;
	for (size_t i = 0; i <= n && nt < 8; i++) {
		char ch = i < n ? id[i] : '\0';
		bool sep = !isalnum((unsigned char)ch);
		bool hump = i > 0 && i < n && isupper((unsigned char)ch) &&
		            islower((unsigned char)id[i - 1]);
		if ((sep || hump) && tl) {
			tok[nt][tl] = '\0';
			nt++;
			tl = 0;
		}
		if (!sep && nt < 8 && tl < MAX_IDENT)
			tok[nt][tl++] = (char)tolower((unsigned char)ch);
	}
	if (!nt)
		return KK_NONE;
	const char *last = tok[nt - 1], *prev = nt > 1 ? tok[nt - 2] : "";
	size_t ll = strlen(last);
	static const char *const pw_suffix[] = {"password", "passwd", "passphrase", "passwort",
	                                        NULL};
	for (const char *const *s = pw_suffix; *s; s++) {
		size_t sl = strlen(*s);
		if (ll >= sl && strcmp(last + ll - sl, *s) == 0)
			return strcmp(last, "passphrase") == 0 && strcmp(prev, "wpa") == 0
			           ? KK_PSK
			           : KK_PASSWORD;
	}
	if (strcmp(last, "pwd") == 0 || strcmp(last, "pass") == 0 || strcmp(last, "pw") == 0)
		return KK_PASSWORD;
	if (strcmp(last, "psk") == 0)
		return KK_PSK;
	if (strcmp(last, "key") == 0 && wireless && nt == 1)
		return KK_PSK; /* OpenWrt wireless: option key */
	static const char *const tk_suffix[] = {"secret",    "token",   "apikey",     "secretkey",
	                                        "accesskey", "authkey", "privatekey", NULL};
	for (const char *const *s = tk_suffix; *s; s++) {
		size_t sl = strlen(*s);
		if (ll >= sl && strcmp(last + ll - sl, *s) == 0)
			return KK_TOKEN;
	}
	if (strcmp(last, "key") == 0 && (strcmp(prev, "api") == 0 || strcmp(prev, "secret") == 0 ||
	                                 strcmp(prev, "access") == 0 || strcmp(prev, "auth") == 0 ||
	                                 strcmp(prev, "private") == 0 || strcmp(prev, "app") == 0 ||
	                                 strcmp(prev, "master") == 0))
		return KK_TOKEN;
	return KK_NONE;
}

/* Reads a literal value at p: quoted (same quote, on one line) or bare (to
 * the end of the statement). Sets *quoted. False if there is none or it
 * does not end the statement. */
static bool read_value(const struct sctx *c, size_t p, size_t *vs, size_t *vn, bool *quoted,
                       bool bare_until_space)
{
	while (p < c->len && (c->d[p] == ' ' || c->d[p] == '\t'))
		p++;
	if (p >= c->len)
		return false;
	uint8_t q = c->d[p];
	if (q == '"' || q == '\'') {
		size_t e = p + 1;
		while (e < c->len && e - p <= MAX_VALUE && c->d[e] != q && c->d[e] != '\n') {
			if (c->d[e] == '\\')
				e++;
			e++;
		}
		if (e >= c->len || c->d[e] != q)
			return false;
		*vs = p + 1;
		*vn = e - p - 1;
		*quoted = true;
		return true;
	}
	size_t e = p;
	while (e < c->len && e - p <= MAX_VALUE) {
		uint8_t ch = c->d[e];
		if (ch == '\n' || ch == '\r' || ch == ';' || ch == ',' || ch == ' ' || ch == '\t' ||
		    ch == '&' || ch == '<')
			break;
		e++;
	}
	*vs = p;
	*vn = e - p;
	*quoted = false;
	if (bare_until_space)
		return *vn > 0;
	/* a bare value must end the statement: only blanks, a separator or a
	 * comment may follow ("Password: please enter it" is prose) */
	size_t k = e;
	while (k < c->len && (c->d[k] == ' ' || c->d[k] == '\t'))
		k++;
	return *vn > 0 && (k >= c->len || c->d[k] == '\n' || c->d[k] == '\r' || c->d[k] == ';' ||
	                   c->d[k] == ',' || c->d[k] == '#' || c->d[k] == '}' || c->d[k] == '&');
}

/* True if off is inside a comment on its line: the line starts with a
 * comment marker, or a " #" precedes off on it (looking back 4 KiB at most). */
static bool in_comment(const struct sctx *c, size_t off)
{
	size_t ls = off; /* the line's start, or 4 KiB back on a longer line */
	while (ls > 0 && off - ls < 4096 && c->d[ls - 1] != '\n')
		ls--;
	size_t i = ls;
	while (i < off && (c->d[i] == ' ' || c->d[i] == '\t'))
		i++;
	if (i >= c->len)
		return false;
	const char *p = (const char *)c->d + i;
	size_t left = c->len - i;
	if (p[0] == '#' || p[0] == ';' || p[0] == '*' || p[0] == '!')
		return true;
	if (left >= 2 &&
	    ((p[0] == '/' && (p[1] == '/' || p[1] == '*')) || (p[0] == '-' && p[1] == '-')))
		return true;
	if (left >= 4 && memcmp(p, "<!--", 4) == 0)
		return true;
	if (left >= 4 && strncasecmp(p, "rem ", 4) == 0)
		return true;
	for (size_t k = i + 1; k < off; k++)
		if (c->d[k] == '#' && (c->d[k - 1] == ' ' || c->d[k - 1] == '\t'))
			return true;
	return false;
}

/* Values that are names, versions, options or links rather than secrets:
 * "-v" (an option), "1.2.840.113549" (a version or OID), "http://...",
 * "FTPProxyPassword" or "SET_NEW_PASSWORD" (a label naming the secret). */
static bool plausible(const char *v, size_t n)
{
	if (v[0] == '-' || memmem(v, n, "://", 3))
		return false;
	bool num = true;
	for (size_t i = 0; i < n; i++)
		num = num && (isdigit((unsigned char)v[i]) || v[i] == '.');
	if (num && memchr(v, '.', n))
		return false;
	static const char *const words[] = {"pass", "pwd", "secret", "token", NULL};
	for (const char *const *w = words; *w; w++) {
		size_t wl = strlen(*w);
		for (size_t i = 0; i + wl <= n; i++)
			if (strncasecmp(v + i, *w, wl) == 0)
				return false;
	}
	return true;
}

/* Lower case, upper case, digits, symbols (other than the . _ - that join
 * words in names): how many occur in v. */
static int char_classes(const char *v, size_t n)
{
	bool lo = false, up = false, dg = false, ot = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];
		lo |= islower(ch) != 0;
		up |= isupper(ch) != 0;
		dg |= isdigit(ch) != 0;
		ot |= !isalnum(ch) && ch != '.' && ch != '_' && ch != '-';
	}
	return lo + up + dg + ot;
}

/* Documentation and RFC-derived samples: "example" on the line or within
 * two lines of it. */
static bool near_example(const struct sctx *c, size_t off)
{
	size_t from = off, to = off;
	for (int nl = 0; from > 0 && off - from < 600 && nl < 3; from--)
		nl += c->d[from - 1] == '\n';
	for (int nl = 0; to < c->len && to - off < 600 && nl < 3; to++)
		nl += c->d[to] == '\n';
	for (size_t i = from; i + 7 <= to; i++)
		if ((c->d[i] | 0x20) == 'e' &&
		    strncasecmp((const char *)c->d + i, "example", 7) == 0)
			return true;
	return false;
}

/* Block comments (<!-- --> in markup, slash-star in C-like code): their
 * ranges are collected once per file, on first use. */
static bool in_block_comment(struct sctx *c, size_t off)
{
	if (!c->xml && !c->ccode)
		return false;
	if (!c->ranges_done) {
		c->ranges_done = true;
		const char *open = c->xml ? "<!--" : "/*", *close = c->xml ? "-->" : "*/";
		size_t ol = strlen(open), cl = strlen(close), p = 0;
		while (p < c->len && c->nranges < MAX_RANGES) {
			const uint8_t *a = memmem(c->d + p, c->len - p, open, ol);
			if (!a)
				break;
			size_t from = (size_t)(a - c->d) + ol;
			const uint8_t *b = memmem(c->d + from, c->len - from, close, cl);
			size_t to = b ? (size_t)(b - c->d) : c->len;
			c->ranges[c->nranges].from = from;
			c->ranges[c->nranges].to = to;
			c->nranges++;
			p = to + cl;
		}
	}
	size_t lo = 0, hi = c->nranges;
	while (lo < hi) { /* ranges are sorted and disjoint */
		size_t mid = lo + (hi - lo) / 2;
		if (off < c->ranges[mid].from)
			hi = mid;
		else if (off >= c->ranges[mid].to)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static void literal(struct sctx *c, size_t key_off, const char *id, size_t idn, enum keykind kk,
                    size_t vs, size_t vn, bool quoted)
{
	const char *v = (const char *)c->d + vs;
	if (vn == 0 || vn > MAX_VALUE || placeholder(v, vn))
		return;
	for (size_t i = 0; i < vn; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return;
	if (!quoted && c->code)
		return; /* in program text a bare word is an expression, not a literal */
	/* paths and host names are what a *_key option often holds */
	if (vn > 0 && (v[0] == '/' || (vn > 2 && v[0] == '.' && v[1] == '/')))
		return;
	if (vn == idn && strncasecmp(v, id, vn) == 0)
		return; /* password=password */
	if (in_block_comment(c, key_off) || near_example(c, key_off))
		return;
	bool known = kk != KK_TOKEN && vn >= 4 && in_dict(v, vn);
	if (!known && !plausible(v, vn))
		return;
	/* a GitHub or npm token whose checksum fails is a made-up sample */
	if (vn == 40 &&
	    (memcmp(v, "npm_", 4) == 0 ||
	     (v[0] == 'g' && v[1] == 'h' && strchr("pousr", v[2]) && v[3] == '_')) &&
	    !base62_crc_ok((const uint8_t *)v + 4, 30, (const uint8_t *)v + 34))
		return;
	double h = entropy(v, vn);
	int conf;
	if (known) {
		conf = 90;
	} else if (char_classes(v, vn) < 2 || (c->xml && memchr(v, ' ', vn))) {
		return; /* a word or a phrase: prose, an identifier, a type name */
	} else if (kk == KK_TOKEN) {
		if (vn < 16 || h < 3.0)
			return;
		conf = h >= 4.0 ? 80 : 65;
	} else {
		if (vn < 6 || h < 2.5)
			return;
		bool digits = true;
		for (size_t i = 0; i < vn; i++)
			digits = digits && isdigit((unsigned char)v[i]);
		if (digits && vn < 8)
			return; /* port numbers, lengths, timeouts */
		conf = h >= 3.3 ? 75 : 60;
	}
	char red[96], ev[200];
	iota_redact(v, vn, red, sizeof red);
	snprintf(ev, sizeof ev, "%.*s = %s", (int)(idn < 48 ? idn : 48), id, red);
	const char *check = kk == KK_PSK     ? "secret.wifi-psk"
	                    : kk == KK_TOKEN ? "secret.hardcoded-token"
	                                     : "secret.hardcoded-password";
	const char *what = kk == KK_PSK     ? "Wi-Fi passphrase"
	                   : kk == KK_TOKEN ? "secret or token"
	                                    : "password";
	emit(c, check, IOTA_SEV_HIGH, conf, key_off, ev, "hard-coded %s%s", what,
	     known ? " (a well-known default)" : "");
}

/* key = value and friends: the match ends at the operator. */
static void assign(struct sctx *c, const struct match *m)
{
	size_t op = m->to; /* just after the operator */
	/* walk back over the operator, spaces and an optional closing quote */
	size_t k = m->to, lo = m->to > 8 ? m->to - 8 : 0;
	while (k > lo && strchr("=:> \t", c->d[k - 1]))
		k--;
	bool qkey = k > 0 && (c->d[k - 1] == '"' || c->d[k - 1] == '\'');
	if (qkey)
		k--;
	size_t ie = k, is = k;
	while (is > 0 && ie - is < MAX_IDENT &&
	       (is_word(c->d[is - 1]) || c->d[is - 1] == '.' || c->d[is - 1] == '-'))
		is--;
	if (is == ie || ie - is >= MAX_IDENT)
		return;
	/* "==" is a comparison, "=~" a match */
	if (op < c->len && (c->d[op] == '=' || c->d[op] == '~'))
		return;
	/* in program text "name: x" is a type annotation or a label; a
	 * dictionary entry has its key quoted */
	size_t o = qkey ? k + 1 : ie;
	while (o < op && (c->d[o] == ' ' || c->d[o] == '\t'))
		o++;
	bool colon = o < op && c->d[o] == ':' && (o + 1 >= op || c->d[o + 1] != '=');
	if (c->code && !qkey && colon)
		return;
	char id[MAX_IDENT + 1];
	memcpy(id, c->d + is, ie - is);
	id[ie - is] = '\0';
	enum keykind kk = classify_key(id, ie - is, c->wireless);
	if (kk == KK_NONE || in_comment(c, is))
		return;
	/* "PASS: test-name" is a test log, "Pwd: /home" a prompt: a bare
	 * abbreviation before a colon names no secret */
	if (colon && !qkey &&
	    (strcasecmp(id, "pass") == 0 || strcasecmp(id, "pwd") == 0 ||
	     strcasecmp(id, "pw") == 0))
		return;
	if (c->xml && strcasecmp(id, "accesskey") == 0)
		return; /* the HTML attribute: a keyboard shortcut */
	size_t vs, vn;
	bool quoted;
	if (!read_value(c, op, &vs, &vn, &quoted, false))
		return;
	literal(c, is, id, ie - is, kk, vs, vn, quoted);
}

/* option <name> <value> (UCI) */
static void uci(struct sctx *c, const struct match *m)
{
	size_t p = m->from + 6;
	while (p < m->to && (c->d[p] == ' ' || c->d[p] == '\t'))
		p++;
	size_t is = p;
	while (p < m->to && is_word(c->d[p]))
		p++;
	if (p == is || p - is >= MAX_IDENT || in_comment(c, m->from))
		return;
	char id[MAX_IDENT + 1];
	memcpy(id, c->d + is, p - is);
	id[p - is] = '\0';
	enum keykind kk = classify_key(id, p - is, c->wireless);
	size_t vs, vn;
	bool quoted;
	if (kk == KK_NONE || !read_value(c, m->to, &vs, &vn, &quoted, false))
		return;
	literal(c, m->from, id, p - is, kk, vs, vn, quoted);
}

/* True if the bytes at off are s (n bytes), ignoring case. */
static bool match_ci(const struct sctx *c, size_t off, const char *s, size_t n)
{
	return off <= c->len && n <= c->len - off &&
	       strncasecmp((const char *)c->d + off, s, n) == 0;
}

/* <password>value</password> */
static void xml(struct sctx *c, const struct match *m)
{
	size_t is = m->from + 1, ie = m->to - 1;
	char id[MAX_IDENT + 1];
	if (ie <= is || ie - is >= MAX_IDENT || in_comment(c, m->from))
		return;
	memcpy(id, c->d + is, ie - is);
	id[ie - is] = '\0';
	enum keykind kk = classify_key(id, ie - is, false);
	if (kk == KK_NONE)
		return;
	size_t vs = m->to, e = vs;
	while (e < c->len && e - vs <= MAX_VALUE && c->d[e] != '<' && c->d[e] != '\n')
		e++;
	char close[MAX_IDENT + 4];
	int cl = snprintf(close, sizeof close, "</%s>", id);
	if (e >= c->len || cl <= 0 || !match_ci(c, e, close, (size_t)cl))
		return;
	literal(c, m->from, id, ie - is, kk, vs, e - vs, true);
}

/* --password value (command lines in scripts) */
static void option(struct sctx *c, const struct match *m)
{
	size_t is = m->from + 3, ie = is; /* after " --" */
	while (ie < m->to && isalpha(c->d[ie]))
		ie++;
	if (in_comment(c, m->from))
		return;
	size_t vs, vn;
	bool quoted;
	if (!read_value(c, m->to, &vs, &vn, &quoted, true))
		return;
	char id[MAX_IDENT + 1];
	snprintf(id, sizeof id, "%.*s", (int)(ie - is), (const char *)c->d + is);
	bool save = c->code;
	c->code = false; /* a shell word is a literal */
	literal(c, m->from, id, ie - is, KK_PASSWORD, vs, vn, quoted);
	c->code = save;
}

/* user:password pair (URL userinfo, Basic credentials, curl -u) */
static void userpass(struct sctx *c, size_t off, const char *what, const char *check, const char *u,
                     size_t un, const char *p, size_t pn, const char *ctx_pre)
{
	if (!un || !pn || un > 64 || pn > 128 || placeholder(p, pn) || placeholder(u, un))
		return;
	if (near_example(c, off) || in_block_comment(c, off))
		return;
	for (size_t i = 0; i < pn; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] >= 0x7f)
			return;
	static const char *const fake_users[] = {"user", "username", "usr", "login", "name", NULL};
	for (const char *const *f = fake_users; *f; f++)
		if (strlen(*f) == un && strncasecmp(*f, u, un) == 0 && !in_dict(p, pn))
			return; /* user:password@, username:pass@ in documentation */
	char red[96], ev[256];
	iota_redact(p, pn, red, sizeof red);
	snprintf(ev, sizeof ev, "%s%.*s:%s", ctx_pre, (int)un, u, red);
	bool known = in_dict(p, pn);
	emit(c, check, IOTA_SEV_HIGH, known ? 95 : 80, off, ev, "%s%s", what,
	     known ? " (a well-known default password)" : "");
}

/* The match ends just after the '@' of scheme://user:password@. */
static void url(struct sctx *c, const struct match *m)
{
	size_t at = m->to - 1, k = at;
	while (k >= 3 && at - k < 200 &&
	       !(c->d[k - 3] == ':' && c->d[k - 2] == '/' && c->d[k - 1] == '/'))
		k--;
	if (k < 4 || at - k >= 200)
		return;
	size_t ui = k, ss = k - 3; /* userinfo start, scheme end */
	while (ss > 0 && k - 3 - ss < 16 &&
	       (isalnum(c->d[ss - 1]) || c->d[ss - 1] == '+' || c->d[ss - 1] == '.' ||
	        c->d[ss - 1] == '-'))
		ss--;
	if (ss == k - 3 || !isalpha(c->d[ss]))
		return;
	const char *u = (const char *)c->d + ui;
	const char *colon = memchr(u, ':', at - ui);
	if (!colon)
		return;
	/* the host after '@' must start like one (or be a %s of a format string) */
	if (m->to >= c->len || !(isalnum(c->d[m->to]) || c->d[m->to] == '[' || c->d[m->to] == '%'))
		return;
	char pre[40];
	snprintf(pre, sizeof pre, "%.*s://", (int)(k - 3 - ss), (const char *)c->d + ss);
	userpass(c, ss, "credentials embedded in a URL", "secret.url-credentials", u,
	         (size_t)(colon - u), colon + 1, (size_t)((const char *)c->d + at - colon - 1),
	         pre);
}

static void basic(struct sctx *c, const struct match *m)
{
	size_t e = m->to;
	while (e < c->len && e - m->to < 4 && c->d[e] == '=')
		e++;
	/* the base64 word: back from the match's end to the blank before it */
	size_t k = m->to;
	while (k > m->from && c->d[k - 1] != ' ' && c->d[k - 1] != '\t')
		k--;
	size_t bn = e - k;
	const uint8_t *b64 = c->d + k;
	if (bn % 4 || bn > 256)
		return;
	unsigned char out[200];
	int dl = EVP_DecodeBlock(out, b64, (int)bn);
	if (dl <= 0)
		return;
	while (dl > 0 && out[dl - 1] == '\0')
		dl--;
	const unsigned char *colon = memchr(out, ':', (size_t)dl);
	if (!colon)
		return;
	for (int i = 0; i < dl; i++)
		if (out[i] < 0x20 || out[i] >= 0x7f)
			return;
	userpass(c, m->from, "HTTP Basic credentials in an Authorization header",
	         "secret.basic-auth", (const char *)out, (size_t)(colon - out),
	         (const char *)colon + 1, (size_t)((out + dl) - colon - 1), "Basic ");
}

static void curl(struct sctx *c, const struct match *m)
{
	size_t vs, vn;
	bool quoted;
	if (in_comment(c, m->from) || !read_value(c, m->to, &vs, &vn, &quoted, true))
		return;
	const char *v = (const char *)c->d + vs;
	const char *colon = memchr(v, ':', vn);
	if (!colon)
		return;
	userpass(c, m->from, "credentials on a curl command line", "secret.basic-auth", v,
	         (size_t)(colon - v), colon + 1, vn - (size_t)(colon - v) - 1, "curl -u ");
}

/* Validates the candidates of one phase: 0 for the prefixed formats, 1 for
 * the generic assignments, which skip lines phase 0 already reported. */
static void validate(struct sctx *c, int phase)
{
	for (size_t i = 0; i < c->nm && !iota_scan_should_stop(c->s); i++) {
		const struct match *m = &c->m[i];
		if (i && m->id == c->m[i - 1].id && m->from == c->m[i - 1].from)
			continue;
		if ((m->id >= P_TEXT_ONLY) != (phase == 1) || skipped(c, m->from))
			continue;
		if (c->docs && m->id >= P_URL)
			continue; /* P_URL and later: what documentation shows as samples */
		if (phase == 1 && claimed(c, m->from))
			continue;
		switch (m->id) {
		case P_AWS_ID:
			aws_id(c, m);
			break;
		case P_AWS_SECRET:
			if (c->text && !in_comment(c, m->from))
				aws_secret(c, m);
			break;
		case P_GCP:
			gcp(c, m);
			break;
		case P_AZURE_ACCOUNT:
			azure(c, m, 11, 64);
			break;
		case P_AZURE_SAK:
			azure(c, m, 16, 32);
			break;
		case P_GITHUB:
		case P_NPM: /* prefix of 4, 30 random characters, 6 of checksum */
			if (m->to - m->from == 40 && bounded(c, m->from, m->to) &&
			    base62_crc_ok(c->d + m->from + 4, 30, c->d + m->from + 34))
				token(c, m, m->id == P_GITHUB ? "GitHub token" : "npm access token",
				      40, 0);
			break;
		case P_GITHUB_PAT:
			token(c, m, "GitHub fine-grained personal access token", 93, 4.0);
			break;
		case P_SLACK: {
			/* xoxb-<team>-<bot>-<secret>: at least three dashes after the prefix */
			unsigned dashes = 0;
			for (size_t k = m->from + 5; k < m->to; k++)
				dashes += c->d[k] == '-';
			if (dashes >= 2)
				token(c, m, "Slack token", 30, 3.5);
			break;
		}
		case P_SLACK_HOOK:
			token(c, m, "Slack incoming-webhook URL (its path is the secret)", 70, 0);
			break;
		case P_GOOGLE:
			token(c, m, "Google API key", 39, 3.5);
			break;
		case P_STRIPE:
			token(c, m, "Stripe live secret key", 32, 3.5);
			break;
		case P_GITLAB:
			token(c, m, "GitLab personal access token", 26, 3.5);
			break;
		case P_SENDGRID:
			token(c, m, "SendGrid API key", 69, 4.0);
			break;
		case P_URL:
			url(c, m);
			break;
		case P_BASIC:
			basic(c, m);
			break;
		case P_CURL:
			if (c->text)
				curl(c, m);
			break;
		case P_ASSIGN:
			assign(c, m);
			break;
		case P_UCI:
			uci(c, m);
			break;
		case P_XML:
			xml(c, m);
			break;
		case P_OPTION:
			option(c, m);
			break;
		default:
			break;
		}
	}
}

/* ---- the analyzer ---- */

static bool has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return false;
	for (; *exts; exts++)
		if (strcasecmp(dot + 1, *exts) == 0)
			return true;
	return false;
}

static bool is_code(const iota_node *n, const uint8_t *d, size_t len)
{
	static const char *const exts[] = {
	    "lua", "php", "js",  "mjs",  "ts",  "py",    "pyi", "rb",   "pl",  "pm",  "c",
	    "h",   "cc",  "cpp", "java", "go",  "rs",    "cs",  "html", "htm", "asp", "jsp",
	    "pas", "pp",  "inc", "dpr",  "lpr", "swift", "kt",  "vim",  NULL};
	if (n->name && has_ext(n->name, exts))
		return true;
	if (len > 2 && d[0] == '#' && d[1] == '!') {
		const uint8_t *nl = memchr(d, '\n', len < 128 ? len : 128);
		size_t l = nl ? (size_t)(nl - d) : (len < 128 ? len : 128);
		static const char *const interp[] = {"lua",  "php",  "python", "node",
		                                     "perl", "ruby", NULL};
		for (const char *const *i = interp; *i; i++)
			if (memmem(d, l, *i, strlen(*i)))
				return true;
	}
	return false;
}

/* Documentation, examples and test data: manuals, info pages, Markdown,
 * sample programs are full of sample credentials; only validated tokens
 * are looked for there. Decided from the file name and the directory
 * names on its whole origin chain. */
static bool is_docs(const iota_node *n)
{
	static const char *const exts[] = {"md",   "rst", "adoc", "pod", "tex", "texi",
	                                   "info", "1",   "2",    "3",   "4",   "5",
	                                   "6",    "7",   "8",    "9",   NULL};
	static const char *const dirs[] = {"doc",  "docs",    "man",      "info",      "gtk-doc",
	                                   "help", "example", "examples", "sample",    "samples",
	                                   "test", "tests",   "testdata", "testsuite", NULL};
	if (n->name && has_ext(n->name, exts))
		return true;
	for (const iota_node *p = n->parent; p; p = p->parent) {
		if (p->kind != IOTA_NODE_DIR || !p->name)
			continue;
		for (const char *const *d = dirs; *d; d++)
			if (strcmp(p->name, *d) == 0)
				return true;
	}
	return false;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	(void)n;
	(void)head;
	return head_len >= 8;
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	pthread_once(&db_once, init_once);
	if (!db || b->len < 8 || b->len > UINT32_MAX)
		return;
	struct sctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->m = iota_malloc(MAX_MATCHES * sizeof *c->m);
	hs_scratch_t *scratch = NULL;
	if (!c->m || hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		iota_free(c->m);
		iota_free(c);
		return;
	}
	c->s = s;
	c->n = n;
	c->d = b->data;
	c->len = b->len;
	c->line_no = 1;
	size_t head = b->len < 8192 ? b->len : 8192;
	c->text = memchr(b->data, '\0', head) == NULL;
	c->code = c->text && is_code(n, b->data, b->len);
	if (c->text) {
		static const char *const markup[] = {"xml", "html", "htm",   "xhtml",
		                                     "svg", "xsd",  "plist", NULL};
		static const char *const clike[] = {"c",  "h",   "cc",  "cpp", "java",
		                                    "js", "mjs", "ts",  "php", "go",
		                                    "rs", "cs",  "css", "jsp", NULL};
		size_t k = 0;
		while (k < head && isspace(b->data[k]))
			k++;
		c->xml = (k < head && b->data[k] == '<') || (n->name && has_ext(n->name, markup));
		c->ccode = !c->xml && n->name && has_ext(n->name, clike);
	}
	c->wireless = n->name && strcmp(n->name, "wireless") == 0 && n->parent && n->parent->name &&
	              strcmp(n->parent->name, "config") == 0;
	c->docs = is_docs(n);
	for (iota_node *ch = n->first_child; ch && c->nskip < MAX_SKIP; ch = ch->next_sibling) {
		if (ch->kind != IOTA_NODE_CONTAINER)
			continue;
		c->skip[c->nskip].from = ch->offset;
		c->skip[c->nskip].to = ch->size ? ch->offset + ch->size : UINT64_MAX;
		c->nskip++;
	}

	hs_scan(db, (const char *)b->data, (unsigned)b->len, 0, scratch, on_match, c);
	hs_free_scratch(scratch);
	qsort(c->m, c->nm, sizeof *c->m, cmp_match);

	validate(c, 0);
	validate(c, 1);
	aws_report(c);
	iota_free(c->m);
	iota_free(c);
}

const iota_analyzer iota_analyzer_secrets = {
    .name = "secrets",
    .description = "hard-coded cloud keys, API tokens and passwords in files",
    .wants = wants,
    .run_file = run_file,
};
