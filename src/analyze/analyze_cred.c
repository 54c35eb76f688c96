/*
 * Account credentials: the account databases of the image and the password
 * hashes in them.
 *
 * Formats parsed (exactly, line by line):
 *   passwd(5)   name:password:UID:GID:GECOS:directory:shell
 *   shadow(5)   name:password:lastchg:min:max:warn:inactive:expire:reserved
 *   group(5)    name:password:GID:members
 *   gshadow(5)  name:password:admins:members
 *   OpenWrt rpcd's "config login" sections in /etc/config/rpcd (UCI syntax,
 *   openwrt.org/docs/guide-user/base-system/uci), whose password option is
 *   a crypt(3) hash, "$p$<user>" (the user's shadow entry), or empty, "!" or
 *   "x", which rpcd's rpc_login_test_password() (rpcd session.c) accepts
 *   with any password.
 * Busybox and old systems keep the hash in passwd's second field with no
 * shadow file; passwd's second field "x" means "see shadow", an empty one
 * means no password at all (pam_unix and busybox do not consult shadow then).
 * In shadow, a field starting with '!' or '*' is locked (ssh keys may still
 * work, passwords do not); such accounts are recorded, not reported.
 *
 * Hash formats are recognised by their prefixes and lengths as crypt(5) of
 * libxcrypt describes them (yescrypt $y$, gost-yescrypt $gy$, scrypt $7$,
 * bcrypt $2a$/$2b$/$2x$/$2y$, sha512crypt $6$, sha256crypt $5$, sha1crypt
 * $sha1$, SunMD5 $md5, md5crypt $1$, NT $3$, bsdicrypt _, bigcrypt and
 * descrypt). Each hash is checked against data/credentials/defaults.txt (plus
 * the empty password and the user name) with libxcrypt's crypt_rn(), which
 * computes every one of these hashes in a caller-owned state, so checks run
 * on several worker threads at once.
 *
 * Bounded work: the dictionary is tried in order (most common first) for as
 * many candidates as an estimated time budget per hash allows, from a cost
 * model of each scheme's parameters (bcrypt's cost, yescrypt's and scrypt's
 * N and r, the rounds of sha*crypt and SunMD5) measured on an x86-64 core:
 * 1 s per distinct hash, 5 s per file. The model, not the clock, sets the
 * count, so a report does not depend on the machine or its load; a guard on
 * the thread's CPU time (four budgets) stops a grossly wrong estimate, e.g.
 * on a slow machine. Hashes too costly for a few candidates, or left when
 * the file's budget is spent, are reported as not checked
 * (cred.dictionary-skipped, info); partial checks are recorded in the
 * attribute cred.<user>.dictionary. Identical hashes are checked once.
 *
 * Attributes per account: cred.<user>.hash_type, cred.<user>.dictionary and
 * cred.<user>.hash_sha256, the SHA-256 of the whole hash string (salt
 * included), by which an inventory can recognise one hash across images;
 * per file: cred.format, cred.accounts, cred.hash_types, cred.locked,
 * cred.empty, cred.uid0 (user@line) and cred.rpcd_refs (user@line>account).
 *
 * Cross-file facts (a UID 0 account whose shadow entry is locked, an rpcd
 * login pointing at an empty shadow entry, one hash shared by several
 * accounts of a file system) are decided in run_tree from node attributes.
 *
 * Check ids and the STANDARDS.md §9 checks they serve:
 *   cred.empty-password        C03 (C01)  login without a password
 *   cred.default-password      C01 (C02)  hash of a known default password
 *   cred.hash-in-passwd        C04        hash in world-readable passwd
 *   cred.weak-hash             C04        DES/MD5/NT-based hash scheme
 *   cred.extra-uid0            C03        UID 0 account other than root
 *   cred.shared-hash           C01        one hash for several accounts
 *   cred.dictionary-skipped    C04 (info) hash too costly to check
 */
#include <crypt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/analyzer.h"
#include "core/data.h"
#include "util/alloc.h"

#define MAX_FILE       (4u << 20) /* larger "passwd" files are not account databases */
#define MAX_LINE       4096
#define MAX_LINES      100000
#define MAX_FIELDS     10
#define MAX_HASH       512
#define MAX_CACHE      64     /* distinct hashes remembered per file */
#define HASH_BUDGET_MS 1000.0 /* estimated crypt time allowed per distinct hash */
#define FILE_BUDGET_MS 5000.0 /* ... and per file */
#define MIN_CANDIDATES 3      /* fewer than this is reported as skipped */
#define GUARD          4      /* CPU time past GUARD budgets stops a check */
#define MAX_WORDS      1024
#define WORD_POOL      16384

/* ---- the built-in dictionary ---- */

static struct {
	const char *word[MAX_WORDS]; /* distinct passwords, in file order */
	size_t n;
	char pool[WORD_POOL];
} dict;
static pthread_once_t dict_once = PTHREAD_ONCE_INIT;

static void dict_load(void)
{
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
		if (ll == 0 || line[0] == '#')
			continue;
		const unsigned char *colon = memchr(line, ':', ll);
		if (!colon)
			continue;
		const char *pw = (const char *)colon + 1;
		size_t pl = ll - (size_t)(colon + 1 - line);
		bool dup = false;
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

/* ---- hash schemes ---- */

enum weakness { W_NONE, W_LOW, W_MEDIUM, W_HIGH };

struct scheme {
	const char *name;
	enum weakness weak;
	const char *why; /* for weak schemes */
};

enum {
	H_UNKNOWN,
	H_YESCRYPT,
	H_GOST_YESCRYPT,
	H_SCRYPT,
	H_BCRYPT,
	H_SHA512,
	H_SHA256,
	H_SHA1,
	H_SUNMD5,
	H_MD5,
	H_APR1,
	H_NT,
	H_BSDI,
	H_BIGCRYPT,
	H_DES
};

static const struct scheme schemes[] = {
    [H_UNKNOWN] = {"unknown", W_NONE, NULL},
    [H_YESCRYPT] = {"yescrypt", W_NONE, NULL},
    [H_GOST_YESCRYPT] = {"gost-yescrypt", W_NONE, NULL},
    [H_SCRYPT] = {"scrypt", W_NONE, NULL},
    [H_BCRYPT] = {"bcrypt", W_NONE, NULL},
    [H_SHA512] = {"sha512crypt", W_NONE, NULL},
    [H_SHA256] = {"sha256crypt", W_NONE, NULL},
    [H_SHA1] = {"sha1crypt", W_LOW, "PBKDF1-style SHA-1 scheme, deprecated"},
    [H_SUNMD5] = {"sunmd5", W_MEDIUM, "MD5-based scheme"},
    [H_MD5] = {"md5crypt", W_MEDIUM,
               "MD5-based scheme with a fixed 1000 rounds, fast to brute-force on GPUs"},
    [H_APR1] = {"apr1", W_MEDIUM, "Apache's MD5-based scheme"},
    [H_NT] = {"nt", W_HIGH, "unsalted MD4 (NT hash)"},
    [H_BSDI] = {"bsdicrypt", W_HIGH, "DES-based scheme"},
    [H_BIGCRYPT] = {"bigcrypt", W_HIGH, "DES-based scheme in 8-character blocks"},
    [H_DES] = {"descrypt", W_HIGH,
               "DES-based crypt: only 8 characters count, 12-bit salt, brute-forced in hours"},
};

static bool is_b64(char c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static bool all_b64(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_b64(p[i]))
			return false;
	return true;
}

static int hash_type(const char *h)
{
	size_t n = strlen(h);
	if (strncmp(h, "$y$", 3) == 0)
		return H_YESCRYPT;
	if (strncmp(h, "$gy$", 4) == 0)
		return H_GOST_YESCRYPT;
	if (strncmp(h, "$7$", 3) == 0)
		return H_SCRYPT;
	if (n == 60 && h[0] == '$' && h[1] == '2' && strchr("abxy", h[2]) && h[3] == '$')
		return H_BCRYPT;
	if (strncmp(h, "$6$", 3) == 0)
		return H_SHA512;
	if (strncmp(h, "$5$", 3) == 0)
		return H_SHA256;
	if (strncmp(h, "$sha1$", 6) == 0)
		return H_SHA1;
	if (strncmp(h, "$md5", 4) == 0)
		return H_SUNMD5;
	if (strncmp(h, "$1$", 3) == 0)
		return H_MD5;
	if (strncmp(h, "$apr1$", 6) == 0)
		return H_APR1;
	if (strncmp(h, "$3$$", 4) == 0 && n == 36)
		return H_NT;
	if (n == 20 && h[0] == '_' && all_b64(h + 1, 19))
		return H_BSDI;
	if (n == 13 && all_b64(h, 13))
		return H_DES;
	if (n > 13 && (n - 13) % 11 == 0 && n <= 13 + 11 * 15 && all_b64(h, n))
		return H_BIGCRYPT;
	return H_UNKNOWN;
}

static int atoi64(char c)
{
	static const char alphabet[] =
	    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

/* yescrypt's variable-length integer in its settings string: the first
 * character's range says how many more follow (ranges 0-47, 48-55, 56-59,
 * 60-61, 62, 63 for 1..6 characters), as libxcrypt's encoder writes it. */
static const char *y_decode(const char *p, uint32_t min, uint64_t *out)
{
	uint32_t start = 0, end = 47, chars = 1, bits = 0;
	int c = atoi64(*p++);
	if (c < 0)
		return NULL;
	uint64_t v = min;
	while ((uint32_t)c > end) {
		v += (uint64_t)(end + 1 - start) << bits;
		start = end + 1;
		end = start + (62 - end) / 2;
		chars++;
		bits += 6;
	}
	v += (uint64_t)((uint32_t)c - start) << bits;
	while (--chars) {
		c = atoi64(*p++);
		if (c < 0)
			return NULL;
		bits -= 6;
		v += (uint64_t)c << bits;
	}
	*out = v;
	return p;
}

static unsigned long parse_rounds(const char *p, unsigned long dflt)
{
	if (strncmp(p, "rounds=", 7) != 0)
		return dflt;
	unsigned long r = 0;
	for (p += 7; *p >= '0' && *p <= '9' && r < 1000000000ul; p++)
		r = r * 10 + (unsigned long)(*p - '0');
	return r ? r : dflt;
}

/* Estimated milliseconds of one crypt_rn() of h, or a negative value if the
 * hash cannot be checked (unsupported or malformed parameters). CPU time
 * per call measured on an x86-64 core with libxcrypt 4.4.33, plus about 20%:
 * descrypt 0.006 ms, md5crypt 0.14 ms, sha256crypt 2.8 ms and sha512crypt
 * 2.2 ms at 5000 rounds, bcrypt 0.06 ms x 2^cost (61 ms at cost 10),
 * yescrypt N=4096 r=32 25 ms, gost-yescrypt 29 ms, scrypt N=16384 r=32
 * 192 ms, SunMD5 at 37256 rounds 67 ms, bsdicrypt at 725 rounds 0.12 ms. */
static double cost_ms(int type, const char *h)
{
	switch (type) {
	case H_DES:
		return 0.007;
	case H_BIGCRYPT:
		return 0.007 * (double)((strlen(h) - 2) / 11);
	case H_NT:
		return 0.002;
	case H_MD5:
		return 0.17;
	case H_BSDI: {
		uint32_t count = 0;
		for (int i = 4; i >= 1; i--) {
			int c = atoi64(h[i]);
			if (c < 0)
				return -1;
			count = count << 6 | (uint32_t)c;
		}
		return 0.01 + 0.0002 * count;
	}
	case H_SUNMD5: {
		unsigned long r = 0;
		if (strncmp(h, "$md5,rounds=", 12) == 0)
			for (const char *p = h + 12; *p >= '0' && *p <= '9' && r < 1000000000ul;
			     p++)
				r = r * 10 + (unsigned long)(*p - '0');
		return 0.0018 * (double)(4096 + r);
	}
	case H_SHA256:
		return 0.0006 * (double)parse_rounds(h + 3, 5000);
	case H_SHA512:
		return 0.0005 * (double)parse_rounds(h + 3, 5000);
	case H_SHA1: {
		unsigned long r = 0;
		for (const char *p = h + 6; *p >= '0' && *p <= '9' && r < 1000000000ul; p++)
			r = r * 10 + (unsigned long)(*p - '0');
		return 0.001 * (double)(r ? r : 480000);
	}
	case H_BCRYPT: {
		if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9')
			return -1;
		int cost = (h[4] - '0') * 10 + (h[5] - '0');
		if (cost < 4 || cost > 31)
			return -1;
		return 0.065 * (double)(1ul << cost);
	}
	case H_YESCRYPT:
	case H_GOST_YESCRYPT: {
		const char *p = h + (type == H_YESCRYPT ? 3 : 4);
		uint64_t flavor, nlog2, r, have = 0, par = 1, t = 0, tmp;
		if (!(p = y_decode(p, 0, &flavor)) || !(p = y_decode(p, 1, &nlog2)) || nlog2 > 40 ||
		    !(p = y_decode(p, 1, &r)) || r > (1u << 20))
			return -1;
		if (*p != '$') {
			if (!(p = y_decode(p, 1, &have)))
				return -1;
			if ((have & 1) && !(p = y_decode(p, 2, &par)))
				return -1;
			if ((have & 2) && !(p = y_decode(p, 1, &t)))
				return -1;
			if ((have & 4) && !(p = y_decode(p, 1, &tmp)))
				return -1;
			if (par > 1024 || t > 1024)
				return -1;
		}
		double ms =
		    (double)(1ull << nlog2) * (double)r * (double)par * (double)(t + 1) / 4800.0;
		return type == H_GOST_YESCRYPT ? ms * 1.2 : ms;
	}
	case H_SCRYPT: {
		/* $7$ N_log2 (1 char), r and p (5 chars each, little-endian 30 bits) */
		if (strlen(h) < 14)
			return -1;
		int nlog2 = atoi64(h[3]);
		uint64_t r = 0, par = 0;
		for (int i = 0; i < 5; i++) {
			int a = atoi64(h[4 + i]), b = atoi64(h[9 + i]);
			if (a < 0 || b < 0)
				return -1;
			r |= (uint64_t)a << (6 * i);
			par |= (uint64_t)b << (6 * i);
		}
		if (nlog2 < 1 || nlog2 > 40 || r == 0 || par == 0 || r * par > (1u << 20))
			return -1;
		return (double)(1ull << nlog2) * (double)r * (double)par / 2500.0;
	}
	default:
		return -1; /* apr1 and unknown: libxcrypt cannot compute them */
	}
}

/* This thread's CPU time: unlike the wall clock, not stretched by other
 * threads or processes competing for the machine. */
static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- per-file state ---- */

enum crack_state { C_NOTRIED, C_FOUND, C_NOTFOUND, C_PARTIAL, C_SKIPPED };

struct cached {
	char hash[MAX_HASH];
	enum crack_state st;
	char found[128];
	size_t tried, total;
	bool file_budget; /* skipped for the file's budget, not the hash's cost */
};

struct ctx {
	iota_scan *s;
	iota_node *n;
	const char *fmt; /* passwd, shadow, group, gshadow, rpcd */
	struct crypt_data *cd;
	double spent_ms; /* estimated */
	struct cached cache[MAX_CACHE];
	size_t ncache;
	char types[256]; /* distinct hash types, comma-separated */
	char locked[1000];
	char empty[1000];
	char uid0[1000];
	char rpcd_refs[1000];
	unsigned accounts;
};

/* Appends item to a comma-separated list, silently dropping what does not fit. */
static void list_add(char *list, size_t cap, const char *item)
{
	size_t l = strlen(list), il = strlen(item);
	if (l + il + 2 > cap)
		return;
	if (l)
		list[l++] = ',';
	memcpy(list + l, item, il + 1);
}

static bool list_has(const char *list, const char *item)
{
	size_t il = strlen(item);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == il && memcmp(p, item, il) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* A name safe for attribute keys and messages: printable ASCII, bounded. */
static void clean_name(const char *in, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		out[o++] = (c > 0x20 && c < 0x7f && c != ',' && c != '@') ? (char)c : '?';
	}
	out[o] = '\0';
}

static void sha256_hex(const char *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 32;
	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* What may be shown of a hash: its scheme and salt, never the digest. */
static void hash_setting(const char *h, int type, char *out, size_t cap)
{
	size_t keep;
	if (type == H_DES || type == H_BIGCRYPT)
		keep = 2;
	else if (type == H_BSDI)
		keep = 9;
	else {
		const char *last = strrchr(h, '$');
		keep = last ? (size_t)(last - h) + 1 : 0;
	}
	snprintf(out, cap, "%.*s...", (int)(keep < 96 ? keep : 96), h);
}

static void emit(struct ctx *c, const char *check, iota_severity sev, uint32_t line,
                 const char *evidence, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void emit(struct ctx *c, const char *check, iota_severity sev, uint32_t line,
                 const char *evidence, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	iota_finding_emit(c->s, &(iota_finding){.check = check,
	                                        .severity = sev,
	                                        .confidence = 100,
	                                        .node = c->n,
	                                        .offset = UINT64_MAX,
	                                        .line = line,
	                                        .message = msg,
	                                        .evidence = evidence});
}

/* Tries the candidates against hash h (NUL-terminated, < MAX_HASH). */
static struct cached *crack(struct ctx *c, const char *h, int type, const char *user)
{
	for (size_t i = 0; i < c->ncache; i++)
		if (strcmp(c->cache[i].hash, h) == 0)
			return &c->cache[i];
	if (c->ncache == MAX_CACHE)
		return NULL;
	struct cached *e = &c->cache[c->ncache++];
	memset(e, 0, sizeof *e);
	snprintf(e->hash, sizeof e->hash, "%s", h);

	/* candidates: the empty password, the user name, then the dictionary */
	const char *cand[MAX_WORDS + 2];
	size_t nc = 0;
	cand[nc++] = "";
	if (*user)
		cand[nc++] = user;
	for (size_t i = 0; i < dict.n; i++)
		if (*dict.word[i] && strcmp(dict.word[i], user) != 0)
			cand[nc++] = dict.word[i];
	e->total = nc;

	double per = cost_ms(type, h);
	if (per < 0) {
		e->st = C_SKIPPED;
		return e;
	}
	double budget = HASH_BUDGET_MS;
	if (FILE_BUDGET_MS - c->spent_ms < budget)
		budget = FILE_BUDGET_MS - c->spent_ms;
	size_t allowed = budget > 0 ? (size_t)(budget / per) : 0;
	if (allowed > nc)
		allowed = nc;
	if (allowed < MIN_CANDIDATES && allowed < nc) {
		e->st = C_SKIPPED;
		e->file_budget = per * MIN_CANDIDATES <= HASH_BUDGET_MS;
		return e;
	}
	if (!c->cd) {
		c->cd = iota_calloc(1, sizeof *c->cd);
		if (!c->cd) {
			e->st = C_SKIPPED;
			return e;
		}
	}
	double t0 = now_ms();
	e->st = C_NOTFOUND;
	for (size_t i = 0; i < allowed; i++) {
		if (iota_scan_should_stop(c->s) || now_ms() - t0 > GUARD * HASH_BUDGET_MS) {
			e->st = C_PARTIAL;
			break;
		}
		e->tried++;
		c->spent_ms += per;
		const char *r = crypt_rn(cand[i], h, c->cd, (int)sizeof *c->cd);
		if (!r) {
			/* libxcrypt refused the setting: malformed or disabled scheme */
			e->st = e->tried == 1 ? C_SKIPPED : C_PARTIAL;
			e->tried--;
			break;
		}
		if (strcmp(r, h) == 0) {
			e->st = C_FOUND;
			snprintf(e->found, sizeof e->found, "%s", cand[i]);
			break;
		}
	}
	if (e->st == C_NOTFOUND && e->tried < nc)
		e->st = C_PARTIAL;
	return e;
}

/* Handles one password field that is neither empty nor a lock. */
static void check_hash(struct ctx *c, const char *user, const char *field, size_t flen,
                       uint32_t line, const char *kind)
{
	char h[MAX_HASH];
	if (flen >= sizeof h)
		return;
	memcpy(h, field, flen);
	h[flen] = '\0';
	int type = hash_type(h);
	const struct scheme *sc = &schemes[type];
	char key[128], setting[128], sha[65];

	snprintf(key, sizeof key, "cred.%s.hash_type", user);
	iota_node_attr(c->s, c->n, key, "%s", sc->name);
	sha256_hex(h, flen, sha);
	snprintf(key, sizeof key, "cred.%s.hash_sha256", user);
	iota_node_attr(c->s, c->n, key, "%s", sha);
	if (!list_has(c->types, sc->name))
		list_add(c->types, sizeof c->types, sc->name);
	if (type == H_UNKNOWN)
		return; /* not a crypt(3) hash: no password can match it */
	hash_setting(h, type, setting, sizeof setting);

	if (sc->weak != W_NONE) {
		iota_severity sev = sc->weak == W_HIGH     ? IOTA_SEV_HIGH
		                    : sc->weak == W_MEDIUM ? IOTA_SEV_MEDIUM
		                                           : IOTA_SEV_LOW;
		emit(c, "cred.weak-hash", sev, line, setting, "%s '%s' has a %s password hash: %s",
		     kind, user, sc->name, sc->why);
	}

	struct cached *e = crack(c, h, type, user);
	if (!e)
		return;
	snprintf(key, sizeof key, "cred.%s.dictionary", user);
	switch (e->st) {
	case C_FOUND:
		iota_node_attr(c->s, c->n, key, "matched");
		break;
	case C_NOTFOUND:
		iota_node_attr(c->s, c->n, key, "no match in %zu candidates", e->total);
		break;
	case C_PARTIAL:
		iota_node_attr(c->s, c->n, key,
		               "no match in the first %zu of %zu candidates (cost bound)", e->tried,
		               e->total);
		break;
	default:
		iota_node_attr(c->s, c->n, key, "not checked");
		break;
	}
	if (e->st == C_FOUND) {
		char red[192], ev[256];
		if (!e->found[0]) {
			snprintf(ev, sizeof ev, "%s: %s hash of the empty password", user,
			         sc->name);
			emit(c, "cred.empty-password", IOTA_SEV_CRITICAL, line, ev,
			     "%s '%s' has the empty password (its %s hash matches \"\")", kind,
			     user, sc->name);
		} else {
			iota_redact(e->found, strlen(e->found), red, sizeof red);
			snprintf(ev, sizeof ev, "%s: password %s, %s", user, red, sc->name);
			bool is_user = strcmp(e->found, user) == 0;
			emit(c, "cred.default-password", IOTA_SEV_CRITICAL, line, ev,
			     "%s '%s' has a %s password (%s hash cracked)", kind, user,
			     is_user ? "trivial (same as the name)" : "well-known default",
			     sc->name);
		}
	} else if (e->st == C_SKIPPED && e->file_budget) {
		emit(c, "cred.dictionary-skipped", IOTA_SEV_INFO, line, setting,
		     "%s '%s': the %s hash was not checked against default passwords: the "
		     "file's %.0f ms budget for dictionary checks was spent on earlier hashes",
		     kind, user, sc->name, FILE_BUDGET_MS);
	} else if (e->st == C_SKIPPED && cost_ms(type, h) >= 0) {
		emit(c, "cred.dictionary-skipped", IOTA_SEV_INFO, line, setting,
		     "%s '%s': the %s hash's cost parameters make even %d guesses exceed the "
		     "%.0f ms budget; not checked against default passwords",
		     kind, user, sc->name, MIN_CANDIDATES, HASH_BUDGET_MS);
	}
}

/* True for a password field that disables password login. */
static bool is_locked(const char *f, size_t n)
{
	return n > 0 && (f[0] == '!' || f[0] == '*');
}

/* Splits a line at ':' into at most MAX_FIELDS fields; returns their count. */
static size_t split(const char *p, size_t n, const char **f, size_t *fl)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == ':') {
			if (k == MAX_FIELDS)
				return MAX_FIELDS + 1;
			f[k] = p + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	return k;
}

static bool all_digits(const char *p, size_t n, size_t maxlen)
{
	if (n == 0 || n > maxlen)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool valid_name(const char *p, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch <= 0x20 || ch >= 0x7f)
			return false;
	}
	return true;
}

struct line {
	const char *p;
	size_t len;
	uint32_t no;
};

/* Iterates lines; false at the end. Lines longer than MAX_LINE are cut. */
static bool next_line(const iota_blob *b, size_t *pos, uint32_t *no, struct line *l)
{
	if (*pos >= b->len || *no >= MAX_LINES)
		return false;
	const char *base = (const char *)b->data;
	size_t s = *pos;
	const char *nl = memchr(base + s, '\n', b->len - s);
	size_t e = nl ? (size_t)(nl - base) : b->len;
	*pos = e + 1;
	l->p = base + s;
	l->len = e - s;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	if (l->len > MAX_LINE)
		l->len = MAX_LINE;
	l->no = ++*no;
	return true;
}

/* Checks that the file is the account database its name says: every
 * non-comment line has the field count and numeric fields of the format. */
static bool validate(const iota_blob *b, const char *fmt)
{
	size_t pos = 0, good = 0, bad = 0;
	uint32_t no = 0;
	struct line l;
	while (next_line(b, &pos, &no, &l)) {
		const char *f[MAX_FIELDS];
		size_t fl[MAX_FIELDS];
		if (l.len == 0 || l.p[0] == '#' || l.p[0] == '+' || l.p[0] == '-')
			continue;
		size_t k = split(l.p, l.len, f, fl);
		bool ok;
		if (strcmp(fmt, "passwd") == 0)
			ok = k == 7 && valid_name(f[0], fl[0]) && all_digits(f[2], fl[2], 10) &&
			     all_digits(f[3], fl[3], 10);
		else if (strcmp(fmt, "shadow") == 0)
			ok = k >= 2 && k <= 9 && valid_name(f[0], fl[0]) &&
			     (k < 3 || fl[2] == 0 || all_digits(f[2], fl[2], 10));
		else if (strcmp(fmt, "group") == 0)
			ok = k == 4 && valid_name(f[0], fl[0]) && all_digits(f[2], fl[2], 10);
		else /* gshadow */
			ok = k == 4 && valid_name(f[0], fl[0]);
		if (ok)
			good++;
		else
			bad++;
	}
	return good > 0 && bad * 10 <= good;
}

static void parse_accounts(struct ctx *c, const iota_blob *b)
{
	bool passwd = strcmp(c->fmt, "passwd") == 0, shadow = strcmp(c->fmt, "shadow") == 0;
	bool group = !passwd && !shadow;
	const char *kind = group ? "group" : "account";
	size_t pos = 0;
	uint32_t no = 0;
	struct line l;
	while (next_line(b, &pos, &no, &l)) {
		const char *f[MAX_FIELDS];
		size_t fl[MAX_FIELDS];
		if (l.len == 0 || l.p[0] == '#' || l.p[0] == '+' || l.p[0] == '-')
			continue;
		size_t k = split(l.p, l.len, f, fl);
		if (k < 2 || k > MAX_FIELDS || !valid_name(f[0], fl[0]))
			continue;
		if (passwd && (k != 7 || !all_digits(f[2], fl[2], 10)))
			continue;
		char user[80];
		clean_name(f[0], fl[0], user, sizeof user);
		c->accounts++;
		const char *pw = f[1];
		size_t pl = fl[1];

		if (passwd) {
			unsigned long uid = 0;
			for (size_t i = 0; i < fl[2]; i++)
				uid = uid * 10 + (unsigned long)(f[2][i] - '0');
			if (uid == 0 && strcmp(user, "root") != 0) {
				char item[100];
				snprintf(item, sizeof item, "%s@%u", user, l.no);
				list_add(c->uid0, sizeof c->uid0, item);
			}
		}
		if (pl == 0) {
			if (group)
				continue; /* an empty group password only lets members newgrp */
			list_add(c->empty, sizeof c->empty, user);
			char ev[160];
			snprintf(ev, sizeof ev, "%s::... (empty password field)", user);
			if (passwd) {
				char shell[64];
				clean_name(f[6], fl[6], shell, sizeof shell);
				emit(c, "cred.empty-password", IOTA_SEV_CRITICAL, l.no, ev,
				     "account '%s' has no password in passwd (login without a "
				     "password; shell %s)",
				     user, shell[0] ? shell : "(default)");
			} else {
				emit(c, "cred.empty-password", IOTA_SEV_CRITICAL, l.no, ev,
				     "account '%s' has an empty password field in shadow (login "
				     "without a password)",
				     user);
			}
			continue;
		}
		if (is_locked(pw, pl) || (pl == 1 && pw[0] == 'x')) {
			if (!(passwd && pl == 1 && pw[0] == 'x') && !group)
				list_add(c->locked, sizeof c->locked, user);
			continue;
		}
		if (passwd) {
			char h[MAX_HASH];
			snprintf(h, sizeof h, "%.*s", (int)(pl < MAX_HASH - 1 ? pl : MAX_HASH - 1),
			         pw);
			int type = hash_type(h);
			if (type != H_UNKNOWN) {
				char setting[128];
				hash_setting(h, type, setting, sizeof setting);
				emit(c, "cred.hash-in-passwd", IOTA_SEV_MEDIUM, l.no, setting,
				     "account '%s' keeps its %s password hash in passwd, which "
				     "every "
				     "user can read (no shadow file)",
				     user, schemes[type].name);
			}
		}
		check_hash(c, user, pw, pl, l.no, kind);
	}
}

/* ---- rpcd (UCI) ---- */

/* Reads the next UCI token (bare word or quoted string) from p[*i..n). */
static bool uci_token(const char *p, size_t n, size_t *i, char *out, size_t cap)
{
	while (*i < n && (p[*i] == ' ' || p[*i] == '\t'))
		(*i)++;
	if (*i >= n || p[*i] == '#')
		return false;
	size_t o = 0;
	char q = 0;
	if (p[*i] == '\'' || p[*i] == '"')
		q = p[(*i)++];
	while (*i < n) {
		char ch = p[*i];
		if (q ? ch == q : (ch == ' ' || ch == '\t'))
			break;
		if (ch == '\\' && q == '"' && *i + 1 < n)
			ch = p[++*i];
		if (o + 1 < cap)
			out[o++] = ch;
		(*i)++;
	}
	if (q && *i < n)
		(*i)++;
	out[o] = '\0';
	return true;
}

struct login {
	bool open;
	uint32_t line;
	char user[80];
	char pw[MAX_HASH];
	bool has_pw;
};

static void rpcd_login_done(struct ctx *c, struct login *lg)
{
	if (!lg->open)
		return;
	lg->open = false;
	if (!lg->user[0])
		return;
	c->accounts++;
	char user[80];
	clean_name(lg->user, strlen(lg->user), user, sizeof user);
	if (!lg->has_pw || !lg->pw[0] || strcmp(lg->pw, "!") == 0 || strcmp(lg->pw, "x") == 0) {
		char ev[160];
		snprintf(ev, sizeof ev, "config login: username '%s', password %.7s", user,
		         lg->has_pw ? (lg->pw[0] ? lg->pw : "''") : "not set");
		iota_finding_emit(
		    c->s,
		    &(iota_finding){.check = "cred.empty-password",
		                    .severity = IOTA_SEV_CRITICAL,
		                    .confidence = 90,
		                    .node = c->n,
		                    .offset = UINT64_MAX,
		                    .line = lg->line,
		                    .message =
		                        "rpcd (ubus/LuCI) login section accepts any password: rpcd "
		                        "treats a missing, empty, \"!\" or \"x\" password as none",
		                    .evidence = ev});
		return;
	}
	if (strncmp(lg->pw, "$p$", 3) == 0) {
		char ref[100], item[200];
		clean_name(lg->pw + 3, strlen(lg->pw + 3), ref, sizeof ref);
		snprintf(item, sizeof item, "%s@%u>%s", user, lg->line, ref);
		list_add(c->rpcd_refs, sizeof c->rpcd_refs, item);
		return;
	}
	check_hash(c, user, lg->pw, strlen(lg->pw), lg->line, "rpcd login");
}

static void parse_rpcd(struct ctx *c, const iota_blob *b)
{
	struct login lg = {0};
	size_t pos = 0;
	uint32_t no = 0;
	struct line l;
	while (next_line(b, &pos, &no, &l)) {
		size_t i = 0;
		char kw[16], name[32], val[MAX_HASH];
		if (!uci_token(l.p, l.len, &i, kw, sizeof kw))
			continue;
		if (strcmp(kw, "config") == 0) {
			rpcd_login_done(c, &lg);
			if (uci_token(l.p, l.len, &i, name, sizeof name) &&
			    strcmp(name, "login") == 0) {
				memset(&lg, 0, sizeof lg);
				lg.open = true;
				lg.line = l.no;
			}
		} else if (strcmp(kw, "option") == 0 && lg.open &&
		           uci_token(l.p, l.len, &i, name, sizeof name)) {
			if (!uci_token(l.p, l.len, &i, val, sizeof val))
				val[0] = '\0';
			if (strcmp(name, "username") == 0) {
				snprintf(lg.user, sizeof lg.user, "%.*s", (int)sizeof lg.user - 1, val);
			} else if (strcmp(name, "password") == 0) {
				snprintf(lg.pw, sizeof lg.pw, "%s", val);
				lg.has_pw = true;
			}
		}
	}
	rpcd_login_done(c, &lg);
}

/* ---- the analyzer ---- */

static const char *format_of(const iota_node *n)
{
	static const struct {
		const char *name, *fmt;
	} names[] = {
	    {"passwd", "passwd"},   {"passwd-", "passwd"},   {"shadow", "shadow"},
	    {"shadow-", "shadow"},  {"group", "group"},      {"group-", "group"},
	    {"gshadow", "gshadow"}, {"gshadow-", "gshadow"},
	};
	if (!n->name)
		return NULL;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(n->name, names[i].name) == 0)
			return names[i].fmt;
	if (strcmp(n->name, "rpcd") == 0 && n->parent && n->parent->name &&
	    strcmp(n->parent->name, "config") == 0)
		return "rpcd";
	return NULL;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	if (!format_of(n))
		return 0;
	size_t check = head_len < 4096 ? head_len : 4096;
	return memchr(head, '\0', check) == NULL; /* text only: /usr/bin/passwd is not */
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	const char *fmt = format_of(n);
	if (!fmt || b->len == 0 || b->len > MAX_FILE || memchr(b->data, '\0', b->len))
		return;
	if (strcmp(fmt, "rpcd") != 0 && !validate(b, fmt))
		return;
	pthread_once(&dict_once, dict_load);
	struct ctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->s = s;
	c->n = n;
	c->fmt = fmt;
	if (strcmp(fmt, "rpcd") == 0)
		parse_rpcd(c, b);
	else
		parse_accounts(c, b);

	if (strcmp(fmt, "rpcd") != 0 || c->accounts) {
		iota_node_attr(s, n, "cred.format", "%s", fmt);
		iota_node_attr(s, n, "cred.accounts", "%u", c->accounts);
	}
	if (c->types[0])
		iota_node_attr(s, n, "cred.hash_types", "%s", c->types);
	if (c->locked[0])
		iota_node_attr(s, n, "cred.locked", "%s", c->locked);
	if (c->empty[0])
		iota_node_attr(s, n, "cred.empty", "%s", c->empty);
	if (c->uid0[0])
		iota_node_attr(s, n, "cred.uid0", "%s", c->uid0);
	if (c->rpcd_refs[0])
		iota_node_attr(s, n, "cred.rpcd_refs", "%s", c->rpcd_refs);
	iota_free(c->cd);
	iota_free(c);
}

/* ---- across files (run_tree) ---- */

struct hashref {
	char sha[65];
	char user[80];
	const char *type;
	iota_node *node;
};

#define MAX_REFS 4096

struct tree {
	iota_scan *s;
	struct hashref *refs;
	size_t nrefs;
};

static iota_node *sibling(iota_scan *s, iota_node *n, const char *name)
{
	return n->parent ? iota_vfs_child(s, n->parent, name, strlen(name)) : NULL;
}

/* UID 0 accounts of a passwd file: severity from the shadow entry's state. */
static void tree_uid0(iota_scan *s, iota_node *n)
{
	const char *list = iota_node_attr_get(n, "cred.uid0");
	if (!list)
		return;
	bool backup = n->name[strlen(n->name) - 1] == '-';
	iota_node *sh = sibling(s, n, backup ? "shadow-" : "shadow");
	const char *locked = sh ? iota_node_attr_get(sh, "cred.locked") : NULL;
	const char *plocked = iota_node_attr_get(n, "cred.locked");
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char item[100], user[100];
		snprintf(item, sizeof item, "%.*s", (int)(l < 99 ? l : 99), p);
		p = e ? e + 1 : NULL;
		char *at = strrchr(item, '@');
		if (!at)
			continue;
		*at = '\0';
		snprintf(user, sizeof user, "%s", item);
		unsigned long line = strtoul(at + 1, NULL, 10);
		bool lk = list_has(locked, user) || list_has(plocked, user);
		char msg[256], ev[128];
		snprintf(msg, sizeof msg,
		         "account '%s' has UID 0: root's privileges under another name%s", user,
		         lk ? " (its password is locked)" : "");
		snprintf(ev, sizeof ev, "%s:x:0:...", user);
		iota_finding_emit(s,
		                  &(iota_finding){.check = "cred.extra-uid0",
		                                  .severity = lk ? IOTA_SEV_MEDIUM : IOTA_SEV_HIGH,
		                                  .confidence = 100,
		                                  .node = n,
		                                  .offset = UINT64_MAX,
		                                  .line = (uint32_t)line,
		                                  .message = msg,
		                                  .evidence = ev});
	}
}

/* rpcd logins that take their password from a shadow entry that is empty. */
static void tree_rpcd(iota_scan *s, iota_node *n)
{
	const char *list = iota_node_attr_get(n, "cred.rpcd_refs");
	if (!list || !n->parent)
		return;
	iota_node *etc = n->parent->parent; /* etc/config/rpcd -> etc */
	if (!etc)
		return;
	iota_node *sh = iota_vfs_child(s, etc, "shadow", 6);
	iota_node *pw = iota_vfs_child(s, etc, "passwd", 6);
	const char *empty_sh = sh ? iota_node_attr_get(sh, "cred.empty") : NULL;
	const char *empty_pw = pw ? iota_node_attr_get(pw, "cred.empty") : NULL;
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char item[200];
		snprintf(item, sizeof item, "%.*s", (int)(l < 199 ? l : 199), p);
		p = e ? e + 1 : NULL;
		char *gt = strchr(item, '>'), *at = strrchr(item, '@');
		if (!gt || !at || at > gt)
			continue;
		*gt = '\0';
		*at = '\0';
		const char *ref = gt + 1;
		if (!list_has(empty_sh, ref) && !list_has(empty_pw, ref))
			continue;
		char msg[600], ev[240];
		snprintf(msg, sizeof msg,
		         "rpcd (ubus/LuCI) login '%s' uses the password of account '%s', which is "
		         "empty: any password is accepted",
		         item, ref);
		snprintf(ev, sizeof ev, "option password '$p$%s'", ref);
		iota_finding_emit(s, &(iota_finding){.check = "cred.empty-password",
		                                     .severity = IOTA_SEV_CRITICAL,
		                                     .confidence = 90,
		                                     .node = n,
		                                     .offset = UINT64_MAX,
		                                     .line = (uint32_t)strtoul(at + 1, NULL, 10),
		                                     .message = msg,
		                                     .evidence = ev});
	}
}

static void collect_hashes(struct tree *t, iota_node *n)
{
	const char *fmt = iota_node_attr_get(n, "cred.format");
	if (!fmt || strcmp(fmt, "group") == 0 || strcmp(fmt, "gshadow") == 0)
		return;
	static const char suffix[] = ".hash_sha256";
	for (const iota_attr *a = n->attrs; a && t->nrefs < MAX_REFS; a = a->next) {
		size_t kl = strlen(a->key);
		if (kl <= 5 + sizeof suffix - 1 || strncmp(a->key, "cred.", 5) != 0 ||
		    strcmp(a->key + kl - (sizeof suffix - 1), suffix) != 0 ||
		    strlen(a->value) != 64)
			continue;
		struct hashref *r = &t->refs[t->nrefs];
		size_t ul = kl - 5 - (sizeof suffix - 1);
		snprintf(r->user, sizeof r->user, "%.*s", (int)(ul < 79 ? ul : 79), a->key + 5);
		memcpy(r->sha, a->value, 65);
		char tk[128];
		snprintf(tk, sizeof tk, "cred.%s.hash_type", r->user);
		r->type = iota_node_attr_get(n, tk);
		if (r->type && strcmp(r->type, "unknown") == 0)
			continue; /* not a usable hash */
		r->node = n;
		t->nrefs++;
	}
}

/* One hash for several accounts of one file system: refs[start..nrefs). */
static void flush_shared(struct tree *t, size_t start)
{
	for (size_t i = start; i < t->nrefs; i++) {
		if (!t->refs[i].node)
			continue;
		char users[512] = "";
		list_add(users, sizeof users, t->refs[i].user);
		unsigned count = 1;
		for (size_t j = i + 1; j < t->nrefs; j++) {
			if (!t->refs[j].node || strcmp(t->refs[j].sha, t->refs[i].sha) != 0)
				continue;
			if (!list_has(users, t->refs[j].user)) {
				list_add(users, sizeof users, t->refs[j].user);
				count++;
			}
			t->refs[j].node = NULL;
		}
		if (count >= 2) {
			char msg[700], ev[128];
			snprintf(msg, sizeof msg,
			         "%u accounts share one password hash (%s): %s; whoever knows one "
			         "password knows the others",
			         count, t->refs[i].type ? t->refs[i].type : "?", users);
			snprintf(ev, sizeof ev, "sha256 of the hash %.16s...", t->refs[i].sha);
			iota_finding_emit(t->s, &(iota_finding){.check = "cred.shared-hash",
			                                        .severity = IOTA_SEV_MEDIUM,
			                                        .confidence = 100,
			                                        .node = t->refs[i].node,
			                                        .offset = UINT64_MAX,
			                                        .message = msg,
			                                        .evidence = ev});
		}
		t->refs[i].node = NULL;
	}
	t->nrefs = start;
}

/* Depth-first, children in name order. A container (or the root) bounds a
 * file system: its hashes are compared among themselves when it is left. */
static void walk(struct tree *t, iota_node *n, unsigned depth)
{
	if (depth > 4096)
		return;
	bool fs = n->kind == IOTA_NODE_CONTAINER || !n->parent;
	size_t start = t->nrefs;
	if (n->kind == IOTA_NODE_FILE && n->attrs) {
		const char *fmt = iota_node_attr_get(n, "cred.format");
		if (fmt && strcmp(fmt, "passwd") == 0)
			tree_uid0(t->s, n);
		if (fmt && strcmp(fmt, "rpcd") == 0)
			tree_rpcd(t->s, n);
		if (fmt)
			collect_hashes(t, n);
	}
	for (iota_node *c = n->first_child; c; c = c->next_sibling)
		walk(t, c, depth + 1);
	if (fs)
		flush_shared(t, start);
}

static void run_tree(iota_scan *s)
{
	if (!s->root)
		return;
	struct hashref *refs = iota_calloc(MAX_REFS, sizeof *refs);
	if (!refs)
		return;
	struct tree t = {.s = s, .refs = refs};
	walk(&t, s->root, 0);
	iota_free(refs);
}

const iota_analyzer iota_analyzer_cred = {
    .name = "cred",
    .description = "account databases: empty, default and weakly hashed passwords",
    .wants = wants,
    .run_file = run_file,
    .run_tree = run_tree,
};
