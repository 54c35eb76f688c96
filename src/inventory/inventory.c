/*
 * The fleet inventory: schema and migrations, adding images, matching
 * their components, and the queries (include/iotaudit/inventory.h).
 *
 * Schema (migrations 1 and 2; both backends, see schema_v1 below):
 *   images         one row per image, key sha256
 *   image_tags     (image, tag)
 *   components     (image, name, version, purl, cpe, relation, origin)
 *   findings       (image, check, severity, origin, message)
 *   component_keys every distinct (name, version, cpe) once, with the purl
 *                  that tells how to match it and when it was last matched
 *   matches        (name, version, cpe, cve, status, confidence, cvss, kev):
 *                  vulnerability matches per distinct component, so that a
 *                  fleet of thousands of copies of one busybox is matched
 *                  once and a CVE query is one index lookup and two joins
 * The child tables carry no FOREIGN KEY constraint: a per-row check costs
 * PostgreSQL a trigger per component (half of an add's time at 500
 * components); rows are written only with their image, in its
 * transaction, and nothing deletes images yet.
 * Origins are stored relative to the image ("@0x10000 squashfs:/bin/x"),
 * so that the same file in two images has the same origin.
 *
 * Every answer is sorted here, in C (byte order), so that both backends
 * give the same bytes whatever their collations.
 */
#include "iotaudit/inventory.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/component.h"
#include "core/scan.h"
#include "inventory/inv_db.h"
#include "iotaudit/vulndb.h"
#include "util/alloc.h"
#include "util/dynbuf.h"
#include "util/version.h"

struct iota_inventory {
	inv_db *db;
	char err[1024];
};

static iota_rc inv_fail(iota_inventory *inv, iota_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static iota_rc inv_fail(iota_inventory *inv, iota_rc rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(inv->err, sizeof inv->err, fmt, ap);
	va_end(ap);
	return rc;
}

static iota_rc db_fail(iota_inventory *inv)
{
	return inv_fail(inv, IOTA_FATAL, "inventory: %s", inv_db_error(inv->db));
}

/* ---- small helpers ---- */

static void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Strict YYYY-MM-DD; days since the epoch in *days. */
static int parse_date(const char *s, long *days)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	struct tm tm = {0};
	tm.tm_year =
	    (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -1;
	int mday = tm.tm_mday, mon = tm.tm_mon;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon) /* 2026-02-30 */
		return -1;
	*days = (long)(t / 86400);
	return 0;
}

static void format_date(long days, char out[16])
{
	time_t t = (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

static long today_days(const char *today, int *bad)
{
	long d;
	*bad = 0;
	if (today) {
		if (parse_date(today, &d) != 0)
			*bad = 1;
		return d;
	}
	return (long)(time(NULL) / 86400);
}

int iota_inventory_default_path(char *buf, size_t size)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	int n;
	if (x && *x)
		n = snprintf(buf, size, "%s/iotaudit/inventory.db", x);
	else if (h && *h)
		n = snprintf(buf, size, "%s/.local/share/iotaudit/inventory.db", h);
	else
		return -1;
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int iota_inventory_hash_file(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	static __thread unsigned char buf[1 << 16];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			EVP_MD_CTX_free(ctx);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	}
	close(fd);
	unsigned char md[32];
	unsigned mdlen = 0;
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* ---- tables ---- */

const char *iota_inventory_cell(const iota_inventory_table *t, size_t row, size_t col)
{
	if (!t || row >= t->nrows || col >= t->ncols)
		return NULL;
	return t->cells[row * t->ncols + col];
}

void iota_inventory_table_free(iota_inventory_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		iota_free(t->cols[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		iota_free(t->cells[i]);
	iota_free(t->cols);
	iota_free(t->cells);
	iota_free(t);
}

static iota_inventory_table *table_new(const char *const *cols, size_t ncols)
{
	iota_inventory_table *t = iota_calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cols = iota_calloc(ncols, sizeof *t->cols);
	if (!t->cols) {
		iota_free(t);
		return NULL;
	}
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		if (!(t->cols[i] = iota_strdup(cols[i]))) {
			iota_inventory_table_free(t);
			return NULL;
		}
	return t;
}

/* Appends a row of copies of cells[0..ncols). */
static int table_add(iota_inventory_table *t, size_t *cap, const char *const *cells)
{
	if (t->nrows == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **n = iota_realloc(t->cells, nc * t->ncols * sizeof *n);
		if (!n)
			return -1;
		t->cells = n;
		*cap = nc;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = cells[c] ? iota_strdup(cells[c]) : NULL;
		if (cells[c] && !row[c]) {
			while (c--)
				iota_free(row[c]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

static size_t sort_ncols;

static int cmp_row(const void *a, const void *b)
{
	char *const *x = *(char *const *const *)a, *const *y = *(char *const *const *)b;
	for (size_t c = 0; c < sort_ncols; c++) {
		const char *p = x[c] ? x[c] : "", *q = y[c] ? y[c] : "";
		int r = strcmp(p, q);
		if (r)
			return r;
	}
	return 0;
}

/* Sorts rows by the columns in 'order' (indexes, then the rest in order). */
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

static int table_sort(iota_inventory_table *t, const size_t *order, size_t norder)
{
	if (t->nrows < 2)
		return 0;
	size_t nc = t->ncols;
	char ***rows = iota_calloc(t->nrows, sizeof *rows);
	char **perm = iota_calloc(t->nrows * nc, sizeof *perm);
	char **cells = iota_calloc(t->nrows * nc, sizeof *cells);
	if (!rows || !perm || !cells) {
		iota_free(rows);
		iota_free(perm);
		iota_free(cells);
		return -1;
	}
	/* permute columns so that the sort keys come first, sort, permute back */
	size_t map[64], nmap = 0;
	for (size_t i = 0; i < norder && nmap < 64; i++)
		map[nmap++] = order[i];
	for (size_t c = 0; c < nc && nmap < 64; c++) {
		size_t k = 0;
		while (k < norder && order[k] != c)
			k++;
		if (k == norder)
			map[nmap++] = c;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < nmap; c++)
			perm[r * nc + c] = t->cells[r * nc + map[c]];
		rows[r] = perm + r * nc;
	}
	pthread_mutex_lock(&sort_lock);
	sort_ncols = nmap;
	qsort(rows, t->nrows, sizeof *rows, cmp_row);
	pthread_mutex_unlock(&sort_lock);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < nmap; c++)
			cells[r * nc + map[c]] = rows[r][c];
	iota_free(t->cells);
	t->cells = cells;
	iota_free(rows);
	iota_free(perm);
	return 0;
}

/* Drops rows equal to the one before (after table_sort): several copies of
 * one component in one image give one answer. Cheaper here than a
 * DISTINCT, which makes the database sort every row once more. */
static void table_uniq(iota_inventory_table *t)
{
	size_t nc = t->ncols, keep = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		char **row = t->cells + r * nc;
		int same = keep > 0;
		for (size_t c = 0; c < nc && same; c++) {
			const char *a = t->cells[(keep - 1) * nc + c], *b = row[c];
			same = (!a && !b) || (a && b && strcmp(a, b) == 0);
		}
		if (same) {
			for (size_t c = 0; c < nc; c++)
				iota_free(row[c]);
			continue;
		}
		if (keep != r)
			memmove(t->cells + keep * nc, row, nc * sizeof *row);
		keep++;
	}
	t->nrows = keep;
}

/* A table from query rows (the cells are moved). */
static iota_inventory_table *table_from_rows(const char *const *cols, size_t ncols, inv_rows *r)
{
	iota_inventory_table *t = table_new(cols, ncols);
	if (!t)
		return NULL;
	if (r->ncols != ncols && r->nrows) {
		iota_inventory_table_free(t);
		return NULL;
	}
	t->cells = r->cells;
	t->nrows = r->nrows;
	r->cells = NULL;
	r->nrows = 0;
	return t;
}

/* ---- schema ---- */

/* {ID} {FK} {REAL}: the words that differ between the dialects. */
static const char schema_v1[] =
    "CREATE TABLE images ("
    " id {ID},"
    " sha256 TEXT NOT NULL UNIQUE,"
    " file_name TEXT NOT NULL,"
    " vendor TEXT, model TEXT, fw_version TEXT,"
    " device_class TEXT CHECK (device_class IN ('consumer', 'industrial')),"
    " support_end TEXT,"
    " scanned_at TEXT NOT NULL,"
    " tool_version TEXT NOT NULL);"
    "CREATE INDEX images_file ON images(file_name);"
    "CREATE INDEX images_vendor_model ON images(vendor, model);"
    "CREATE INDEX images_support_end ON images(support_end);"
    "CREATE TABLE image_tags ("
    " image_id {FK} NOT NULL,"
    " tag TEXT NOT NULL,"
    " PRIMARY KEY (image_id, tag));"
    "CREATE INDEX image_tags_tag ON image_tags(tag);"
    "CREATE TABLE components ("
    " image_id {FK} NOT NULL,"
    " name TEXT NOT NULL, version TEXT NOT NULL, purl TEXT, cpe TEXT NOT NULL,"
    " relation TEXT NOT NULL, origin TEXT);"
    "CREATE INDEX components_image ON components(image_id);"
    "CREATE INDEX components_key ON components(name, version, cpe);"
    "CREATE TABLE findings ("
    " image_id {FK} NOT NULL,"
    " check_id TEXT NOT NULL, severity TEXT NOT NULL, origin TEXT, message TEXT);"
    "CREATE INDEX findings_image ON findings(image_id);"
    "CREATE INDEX findings_check ON findings(check_id);"
    "CREATE TABLE component_keys ("
    " name TEXT NOT NULL, version TEXT NOT NULL, cpe TEXT NOT NULL, purl TEXT,"
    " matched_at TEXT,"
    " PRIMARY KEY (name, version, cpe));"
    "CREATE TABLE matches ("
    " name TEXT NOT NULL, version TEXT NOT NULL, cpe TEXT NOT NULL,"
    " cve TEXT NOT NULL, status TEXT NOT NULL, confidence TEXT, cvss {REAL},"
    " kev INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (name, version, cpe, cve));"
    "CREATE INDEX matches_cve ON matches(cve);"
    "CREATE INDEX matches_kev ON matches(kev);";

/* Migration 2: the component-key index covers image_id, so that a CVE's
 * images are read from the index alone instead of one random row of the
 * components table per image (8,750 of them for a CVE in 7/8 of a fleet). */
static const char schema_v2[] =
    "CREATE INDEX components_key_image ON components(name, version, cpe, image_id);"
    "DROP INDEX components_key;";

static const char *const migrations[] = {schema_v1, schema_v2};
#define NMIGRATIONS (sizeof migrations / sizeof migrations[0])

static char *dialect_sql(enum inv_dialect d, const char *sql)
{
	static const char *const words[][3] = {
	    {"{ID}", "INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"},
	    {"{FK}", "INTEGER", "BIGINT"},
	    {"{REAL}", "REAL", "DOUBLE PRECISION"},
	};
	iota_dynbuf b;
	iota_dynbuf_init(&b, 1u << 20);
	for (const char *p = sql; *p;) {
		size_t k = 0;
		while (k < 3 && strncmp(p, words[k][0], strlen(words[k][0])) != 0)
			k++;
		int bad;
		if (k < 3) {
			const char *w = words[k][d == INV_PG ? 2 : 1];
			bad = iota_dynbuf_add(&b, w, strlen(w));
			p += strlen(words[k][0]);
		} else {
			bad = iota_dynbuf_add(&b, p++, 1);
		}
		if (bad) {
			iota_dynbuf_free(&b);
			return NULL;
		}
	}
	size_t len;
	if (iota_dynbuf_add(&b, "", 1) != 0) {
		iota_dynbuf_free(&b);
		return NULL;
	}
	return (char *)iota_dynbuf_take(&b, &len);
}

static iota_rc migrate(iota_inventory *inv)
{
	enum inv_dialect d = inv_db_dialect(inv->db);
	/* the usual case, an inventory at this version: a read, no lock */
	inv_rows cur;
	if (inv_db_query(inv->db, "SELECT MAX(version) FROM schema_migrations", 0, NULL, &cur) ==
	    0) {
		const char *v = inv_rows_get(&cur, 0, 0);
		long have = v ? strtol(v, NULL, 10) : 0;
		inv_rows_free(&cur);
		if (have == (long)NMIGRATIONS)
			return IOTA_OK;
	}
	for (int attempt = 0;; attempt++) {
		if (inv_db_begin(inv->db) != 0)
			goto busy;
		/* PostgreSQL: two processes opening a new inventory at once must
		 * not both create the tables */
		if (d == INV_PG && inv_db_query(inv->db, "SELECT pg_advisory_xact_lock(7262017)", 0,
		                                NULL, NULL) != 0)
			goto fail;
		if (inv_db_script(inv->db,
		                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
		                  " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)") != 0)
			goto fail;
		inv_rows r;
		if (inv_db_query(inv->db, "SELECT MAX(version) FROM schema_migrations", 0, NULL,
		                 &r) != 0)
			goto fail;
		const char *v = inv_rows_get(&r, 0, 0);
		long have = v ? strtol(v, NULL, 10) : 0;
		inv_rows_free(&r);
		if (have > (long)NMIGRATIONS) {
			inv_db_rollback(inv->db);
			return inv_fail(
			    inv, IOTA_FATAL,
			    "inventory: schema version %ld is newer than this iotaudit (%d)", have,
			    IOTA_INVENTORY_SCHEMA);
		}
		for (long m = have; m < (long)NMIGRATIONS; m++) {
			char *sql = dialect_sql(d, migrations[m]);
			if (!sql) {
				inv_db_rollback(inv->db);
				return inv_fail(inv, IOTA_NOMEM, "out of memory");
			}
			int rc = inv_db_script(inv->db, sql);
			iota_free(sql);
			char ver[24], now[32];
			snprintf(ver, sizeof ver, "%ld", m + 1);
			now_iso(now);
			const char *p[] = {ver, now};
			if (rc != 0 ||
			    inv_db_query(
			        inv->db,
			        "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)",
			        2, p, NULL) != 0)
				goto fail;
		}
		if (inv_db_commit(inv->db) != 0)
			goto fail;
		return IOTA_OK;
	fail:
		inv_db_rollback(inv->db);
	busy:
		if (!inv_db_busy(inv->db) || attempt > 20)
			return db_fail(inv);
		usleep(50000);
	}
}

iota_rc iota_inventory_open(iota_inventory **out, const char *url)
{
	*out = iota_calloc(1, sizeof **out);
	if (!*out)
		return IOTA_NOMEM;
	iota_inventory *inv = *out;
	if (!url || !*url)
		return inv_fail(inv, IOTA_FATAL, "inventory: no database given");
	char err[512];
	if (inv_db_open(&inv->db, url, err, sizeof err) != 0)
		return inv_fail(inv, IOTA_FATAL, "inventory: %s", err);
	return migrate(inv);
}

void iota_inventory_close(iota_inventory *inv)
{
	if (!inv)
		return;
	inv_db_close(inv->db);
	iota_free(inv);
}

const char *iota_inventory_error(const iota_inventory *inv)
{
	return inv ? inv->err : "out of memory";
}

int iota_inventory_has(iota_inventory *inv, const char *sha256)
{
	inv_rows r;
	const char *p[] = {sha256};
	if (inv_db_query(inv->db, "SELECT 1 FROM images WHERE sha256 = ?", 1, p, &r) != 0) {
		db_fail(inv);
		return -1;
	}
	int has = r.nrows > 0;
	inv_rows_free(&r);
	return has;
}

/* ---- matching ---- */

/* The version to ask the vulnerability DB about. Package databases record
 * the distribution's version ("1:1.35.0-4+deb12u1", "1.36.1-1",
 * "1.36.1-r15"); CVE records speak of upstream releases, so the epoch and
 * the packaging revision are dropped for package-db components. */
static void match_version(const char *version, const char *purl, char *out, size_t cap)
{
	snprintf(out, cap, "%s", version);
	if (!purl || (strncmp(purl, "pkg:deb/", 8) != 0 && strncmp(purl, "pkg:openwrt/", 12) != 0 &&
	              strncmp(purl, "pkg:apk/", 8) != 0 && strncmp(purl, "pkg:rpm/", 8) != 0))
		return;
	const char *colon = strchr(out, ':');
	if (colon) {
		int digits = colon > out;
		for (const char *p = out; p < colon; p++)
			digits &= *p >= '0' && *p <= '9';
		if (digits)
			memmove(out, colon + 1, strlen(colon + 1) + 1);
	}
	char *dash = strrchr(out, '-');
	if (dash && dash > out)
		*dash = '\0';
}

struct mrow {
	char *key[3]; /* name, version, cpe: borrowed */
	char *cve, *status, *confidence;
	char cvss[16], kev[2];
};

static void mrows_free(struct mrow *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		iota_free(m[i].cve);
		iota_free(m[i].status);
		iota_free(m[i].confidence);
	}
	iota_free(m);
}

/* Matches one distinct component; appends its matches to *rows. */
static iota_rc match_key(iota_inventory *inv, struct iota_vulndb *db, char *const key[3],
                         const char *purl, struct mrow **rows, size_t *n, size_t *cap)
{
	char ver[512];
	match_version(key[1], purl, ver, sizeof ver);
	if (!*ver)
		return IOTA_OK;
	iota_vuln_query q = {0};
	q.name = key[0];
	q.version = ver;
	q.cpe = key[2][0] ? key[2] : NULL;
	iota_vuln_result *res = NULL;
	iota_rc rc = iota_vulndb_match(db, &q, &res);
	if (rc != IOTA_OK && rc != IOTA_WARN) {
		iota_vuln_result_free(res);
		return inv_fail(inv, IOTA_FATAL, "vulnerability database: %s",
		                iota_vulndb_error(db));
	}
	for (size_t i = 0; res && i < res->count; i++) {
		const iota_vuln_match *m = &res->matches[i];
		if (m->status == IOTA_VULN_NOT_AFFECTED)
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			struct mrow *g = iota_realloc(*rows, nc * sizeof *g);
			if (!g) {
				iota_vuln_result_free(res);
				return inv_fail(inv, IOTA_NOMEM, "out of memory");
			}
			*rows = g;
			*cap = nc;
		}
		struct mrow *r = &(*rows)[*n];
		memset(r, 0, sizeof *r);
		memcpy(r->key, key, sizeof r->key);
		r->cve = iota_strdup(m->cve);
		r->status = iota_strdup(iota_vuln_status_name(m->status));
		r->confidence = m->confidence ? iota_strdup(m->confidence) : NULL;
		double score = m->cvss3 >= 0 ? m->cvss3 : m->cvss4;
		if (score >= 0)
			snprintf(r->cvss, sizeof r->cvss, "%.1f", score);
		snprintf(r->kev, sizeof r->kev, "%d", m->kev ? 1 : 0);
		(*n)++;
		if (!r->cve || !r->status) {
			iota_vuln_result_free(res);
			return inv_fail(inv, IOTA_NOMEM, "out of memory");
		}
	}
	iota_vuln_result_free(res);
	return IOTA_OK;
}

static const char *const match_cols_sql =
    "matches(name, version, cpe, cve, status, confidence, cvss, kev)";

static int store_matches(iota_inventory *inv, const struct mrow *m, size_t n)
{
	if (n == 0)
		return 0;
	const char **v = iota_calloc(n * 8, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char **r = v + i * 8;
		r[0] = m[i].key[0];
		r[1] = m[i].key[1];
		r[2] = m[i].key[2];
		r[3] = m[i].cve;
		r[4] = m[i].status;
		r[5] = m[i].confidence;
		r[6] = m[i].cvss[0] ? m[i].cvss : NULL;
		r[7] = m[i].kev;
	}
	int rc = inv_db_insert_many(inv->db, match_cols_sql, 8, "ON CONFLICT DO NOTHING", v, n);
	iota_free(v);
	return rc;
}

/* ---- add ---- */

static const char *nz(const char *s)
{
	return s ? s : "";
}

static iota_rc add_once(iota_inventory *inv, const iota_inventory_image *img,
                        struct iota_vulndb *vdb, int *added)
{
	const iota_inventory_meta *m = &img->meta;
	char now[32];
	now_iso(now);
	const char *p[] = {
	    img->sha256,   nz(m->file_name), m->vendor,      m->model,
	    m->fw_version, m->device_class,  m->support_end, m->scanned_at ? m->scanned_at : now,
	    iota_version()};
	inv_rows r;
	if (inv_db_query(inv->db,
	                 "INSERT INTO images(sha256, file_name, vendor, model, fw_version, "
	                 "device_class, support_end, scanned_at, tool_version) "
	                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING "
	                 "RETURNING id",
	                 9, p, &r) != 0)
		return IOTA_FATAL;
	if (r.nrows == 0) {
		inv_rows_free(&r);
		*added = 0;
		return IOTA_OK;
	}
	char id[32];
	snprintf(id, sizeof id, "%s", nz(inv_rows_get(&r, 0, 0)));
	inv_rows_free(&r);

	size_t nv = m->ntags * 2;
	if (img->ncomponents * 7 > nv)
		nv = img->ncomponents * 7;
	if (img->nfindings * 5 > nv)
		nv = img->nfindings * 5;
	const char **v = iota_calloc(nv ? nv : 1, sizeof *v);
	if (!v)
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	int bad = 0;
	for (size_t i = 0; i < m->ntags; i++) {
		v[2 * i] = id;
		v[2 * i + 1] = m->tags[i];
	}
	bad |= inv_db_insert_many(inv->db, "image_tags(image_id, tag)", 2, "ON CONFLICT DO NOTHING",
	                          v, m->ntags);
	for (size_t i = 0; i < img->ncomponents && !bad; i++) {
		const iota_inventory_component *c = &img->components[i];
		const char **row = v + 7 * i;
		row[0] = id;
		row[1] = nz(c->name);
		row[2] = nz(c->version);
		row[3] = c->purl;
		row[4] = nz(c->cpe);
		row[5] = c->relation ? c->relation : "is";
		row[6] = c->origin;
	}
	if (!bad)
		bad |= inv_db_insert_many(
		    inv->db, "components(image_id, name, version, purl, cpe, relation, origin)", 7,
		    NULL, v, img->ncomponents);
	/* the distinct keys, from the rows just written (a purl of each), in
	 * one order for every writer: two PostgreSQL writers inserting the same
	 * new keys wait for each other instead of deadlocking */
	if (!bad) {
		const char *q[] = {id};
		bad |= inv_db_query(inv->db,
		                    "INSERT INTO component_keys(name, version, cpe, purl) "
		                    "SELECT DISTINCT name, version, cpe, purl FROM components "
		                    "WHERE image_id = ? ORDER BY name, version, cpe, purl "
		                    "ON CONFLICT DO NOTHING",
		                    1, q, NULL);
	}
	for (size_t i = 0; i < img->nfindings && !bad; i++) {
		const iota_inventory_finding *f = &img->findings[i];
		const char **row = v + 5 * i;
		row[0] = id;
		row[1] = nz(f->check);
		row[2] = f->severity ? f->severity : "info";
		row[3] = f->origin;
		row[4] = f->message;
	}
	if (!bad)
		bad |= inv_db_insert_many(inv->db,
		                          "findings(image_id, check_id, severity, origin, message)",
		                          5, NULL, v, img->nfindings);
	iota_free(v);
	if (bad)
		return IOTA_FATAL;

	if (vdb) {
		/* this image's components that no add or rematch matched yet */
		const char *q[] = {id};
		if (inv_db_query(
		        inv->db,
		        "SELECT k.name, k.version, k.cpe, k.purl FROM component_keys k "
		        "WHERE k.matched_at IS NULL AND EXISTS (SELECT 1 FROM components c "
		        "WHERE c.image_id = ? AND c.name = k.name AND c.version = k.version "
		        "AND c.cpe = k.cpe) ORDER BY k.name, k.version, k.cpe",
		        1, q, &r) != 0)
			return IOTA_FATAL;
		struct mrow *rows = NULL;
		size_t n = 0, cap = 0;
		iota_rc rc = IOTA_OK;
		for (size_t i = 0; i < r.nrows && rc == IOTA_OK; i++) {
			char *key[3] = {r.cells[i * 4], r.cells[i * 4 + 1],
			                r.cells[i * 4 + 2] ? r.cells[i * 4 + 2] : (char *)""};
			rc = match_key(inv, vdb, key, r.cells[i * 4 + 3], &rows, &n, &cap);
		}
		if (rc == IOTA_OK && store_matches(inv, rows, n) != 0)
			rc = IOTA_FATAL;
		for (size_t i = 0; i < r.nrows && rc == IOTA_OK; i++) {
			const char *u[] = {now, r.cells[i * 4], r.cells[i * 4 + 1],
			                   r.cells[i * 4 + 2] ? r.cells[i * 4 + 2] : ""};
			if (inv_db_query(inv->db,
			                 "UPDATE component_keys SET matched_at = ? WHERE name = ? "
			                 "AND version = ? AND cpe = ?",
			                 4, u, NULL) != 0)
				rc = IOTA_FATAL;
		}
		mrows_free(rows, n);
		inv_rows_free(&r);
		if (rc != IOTA_OK)
			return rc;
	}
	*added = 1;
	return IOTA_OK;
}

iota_rc iota_inventory_add(iota_inventory *inv, const iota_inventory_image *img,
                           struct iota_vulndb *db, int *added)
{
	*added = 0;
	if (!img->sha256 || strlen(img->sha256) != 64 ||
	    strspn(img->sha256, "0123456789abcdef") != 64)
		return inv_fail(inv, IOTA_FATAL,
		                "inventory: the image key must be a SHA-256 in hex");
	const iota_inventory_meta *m = &img->meta;
	long d;
	if (m->support_end && parse_date(m->support_end, &d) != 0)
		return inv_fail(inv, IOTA_FATAL, "inventory: support end '%s' is not YYYY-MM-DD",
		                m->support_end);
	if (m->device_class && strcmp(m->device_class, "consumer") != 0 &&
	    strcmp(m->device_class, "industrial") != 0)
		return inv_fail(inv, IOTA_FATAL,
		                "inventory: device class '%s' is neither consumer nor industrial",
		                m->device_class);
	/* one transaction; a writer that lost a lock race starts again */
	for (int attempt = 0;; attempt++) {
		inv->err[0] = '\0';
		iota_rc rc =
		    inv_db_begin(inv->db) == 0 ? add_once(inv, img, db, added) : IOTA_FATAL;
		if (rc == IOTA_OK && inv_db_commit(inv->db) == 0)
			return IOTA_OK;
		int busy = inv_db_busy(inv->db) && !inv->err[0];
		inv_db_rollback(inv->db);
		*added = 0;
		if (busy && attempt < 200) {
			usleep(10000 + (useconds_t)(rand() % 40000));
			continue;
		}
		/* a message of our own (vulnerability DB, memory) or the database's */
		return inv->err[0] ? (rc == IOTA_OK ? IOTA_FATAL : rc) : db_fail(inv);
	}
}

/* The origin without the image's own name: "@0x0 squashfs:/bin/busybox". */
static const char *relative_origin(const iota_scan *s, const char *origin)
{
	const char *root = s->root && s->root->name ? s->root->name : NULL;
	size_t l = root ? strlen(root) : 0;
	if (l && strncmp(origin, root, l) == 0) {
		origin += l;
		while (*origin == ' ' || *origin == ':')
			origin++;
	}
	return origin;
}

iota_rc iota_inventory_add_scan(iota_inventory *inv, iota_scan *s, const char *sha256,
                                const iota_inventory_meta *meta, struct iota_vulndb *db, int *added)
{
	*added = 0;
	iota_inventory_image img = {0};
	img.sha256 = sha256;
	if (meta)
		img.meta = *meta;
	const char *base = s->input_name ? strrchr(s->input_name, '/') : NULL;
	if (!img.meta.file_name)
		img.meta.file_name = base ? base + 1 : (s->input_name ? s->input_name : "input");
	size_t nc = 0;
	iota_component **cs = iota_components_sorted(s, &nc);
	if (!cs && s->ncomponents)
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	size_t nf = s->nfindings;
	iota_inventory_component *c = iota_calloc(nc ? nc : 1, sizeof *c);
	iota_inventory_finding *f = iota_calloc(nf ? nf : 1, sizeof *f);
	char *origins = iota_calloc((nc + nf) ? (nc + nf) : 1, IOTA_MAX_PATH);
	if (!c || !f || !origins) {
		iota_free(cs);
		iota_free(c);
		iota_free(f);
		iota_free(origins);
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < nc; i++) {
		char *o = origins + i * IOTA_MAX_PATH;
		if (!cs[i]->node || iota_node_origin(cs[i]->node, o, IOTA_MAX_PATH) < 0)
			o[0] = '\0';
		c[i].name = cs[i]->name;
		c[i].version = cs[i]->version;
		c[i].purl = cs[i]->purl;
		c[i].cpe = cs[i]->cpe;
		c[i].relation = cs[i]->relation == IOTA_REL_IS ? "is" : "contains";
		c[i].origin = relative_origin(s, o);
	}
	for (size_t i = 0; i < nf; i++) {
		const iota_finding *x = &s->findings[i];
		char *o = origins + (nc + i) * IOTA_MAX_PATH;
		if (!x->node || iota_node_origin(x->node, o, IOTA_MAX_PATH) < 0)
			o[0] = '\0';
		f[i].check = x->check;
		f[i].severity = iota_severity_name(x->severity);
		f[i].origin = relative_origin(s, o);
		f[i].message = x->message;
	}
	img.components = c;
	img.ncomponents = nc;
	img.findings = f;
	img.nfindings = nf;
	iota_rc rc = iota_inventory_add(inv, &img, db, added);
	iota_free(cs);
	iota_free(c);
	iota_free(f);
	iota_free(origins);
	return rc;
}

/* ---- queries ---- */

static const char *const image_cols[] = {"sha256", "file", "vendor", "model", "fw_version"};

/* Appends the image filters of q to sql and their values to p. */
static int image_filters(const iota_inventory_query *q, iota_dynbuf *sql, const char **p,
                         size_t *np)
{
	int bad = 0;
	if (q->vendor) {
		bad |= iota_dynbuf_addf(sql, " AND i.vendor = ?");
		p[(*np)++] = q->vendor;
	}
	if (q->model) {
		bad |= iota_dynbuf_addf(sql, " AND i.model = ?");
		p[(*np)++] = q->model;
	}
	if (q->tag) {
		bad |= iota_dynbuf_addf(
		    sql, " AND EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = i.id "
		         "AND t.tag = ?)");
		p[(*np)++] = q->tag;
	}
	return bad;
}

/* One clause of a version range: ">=1.0", "<2", "=1.2", "!=1.3", "1.2". */
static int in_clause(const char *v, const char *clause)
{
	while (*clause == ' ')
		clause++;
	int c;
	if (strncmp(clause, ">=", 2) == 0)
		return iota_version_cmp(v, clause + 2) >= 0;
	if (strncmp(clause, "<=", 2) == 0)
		return iota_version_cmp(v, clause + 2) <= 0;
	if (strncmp(clause, "!=", 2) == 0)
		return iota_version_cmp(v, clause + 2) != 0;
	if (*clause == '>')
		return iota_version_cmp(v, clause + 1) > 0;
	if (*clause == '<')
		return iota_version_cmp(v, clause + 1) < 0;
	if (*clause == '=')
		clause += clause[1] == '=' ? 2 : 1;
	c = iota_version_cmp(v, clause);
	return c == 0;
}

static int valid_range(const char *range)
{
	char buf[256];
	if (strlen(range) >= sizeof buf)
		return 0;
	snprintf(buf, sizeof buf, "%s", range);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '<' || *t == '>' || *t == '=' || *t == '!')
			t++;
		if (!iota_version_valid(t))
			return 0;
	}
	return 1;
}

/* A bound written like a package version ("1:1.35.0-4") is compared with
 * the package version; an upstream one ("1.35") with the upstream part of
 * a package-database version (as for matching). */
static int in_range(const char *version, const char *purl, const char *range)
{
	char buf[256], up[512];
	snprintf(buf, sizeof buf, "%s", range);
	match_version(version, purl, up, sizeof up);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!in_clause(strpbrk(t, ":-") ? version : up, t))
			return 0;
	return 1;
}

static iota_rc run_table(iota_inventory *inv, const char *sql, size_t np, const char *const *p,
                         const char *const *cols, size_t ncols, iota_inventory_table **out)
{
	inv_rows r;
	if (inv_db_query(inv->db, sql, np, p, &r) != 0)
		return db_fail(inv);
	*out = table_from_rows(cols, ncols, &r);
	inv_rows_free(&r);
	if (!*out)
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	size_t order[] = {1, 0};
	if (table_sort(*out, order, 2) != 0)
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	table_uniq(*out);
	return IOTA_OK;
}

iota_rc iota_inventory_query_run(iota_inventory *inv, const iota_inventory_query *q,
                                 iota_inventory_table **out)
{
	*out = NULL;
	inv->err[0] = '\0';
	if (q->eol) {
		iota_rc rc = iota_inventory_eol(inv, q->today, 0, out);
		if (rc != IOTA_OK || (!q->vendor && !q->model && !q->tag))
			return rc;
		/* narrow by the image criteria: run the listing and keep the shared rows */
		iota_inventory_query l = *q;
		l.eol = 0;
		iota_inventory_table *imgs = NULL;
		rc = iota_inventory_query_run(inv, &l, &imgs);
		if (rc != IOTA_OK) {
			iota_inventory_table_free(*out);
			*out = NULL;
			return rc;
		}
		size_t keep = 0;
		for (size_t i = 0; i < (*out)->nrows; i++) {
			int found = 0;
			for (size_t j = 0; j < imgs->nrows && !found; j++)
				found = strcmp((*out)->cells[i * (*out)->ncols],
				               imgs->cells[j * imgs->ncols]) == 0;
			if (found) {
				if (keep != i)
					memmove((*out)->cells + keep * (*out)->ncols,
					        (*out)->cells + i * (*out)->ncols,
					        (*out)->ncols * sizeof(char *));
				keep++;
			} else {
				for (size_t c = 0; c < (*out)->ncols; c++)
					iota_free((*out)->cells[i * (*out)->ncols + c]);
			}
		}
		(*out)->nrows = keep;
		iota_inventory_table_free(imgs);
		return IOTA_OK;
	}
	const char *status = q->all_status ? "('affected', 'conditional', 'unknown')"
	                                   : "('affected', 'conditional')";
	iota_dynbuf sql;
	iota_dynbuf_init(&sql, 1u << 16);
	const char *p[8];
	size_t np = 0;
	int bad = 0;
	iota_rc rc;
	if (q->cve) {
		static const char *const cols[] = {"sha256",     "file",      "vendor",  "model",
		                                   "fw_version", "component", "version", "status",
		                                   "confidence", "cvss",      "kev"};
		bad |= iota_dynbuf_addf(
		    &sql,
		    "SELECT i.sha256, i.file_name, i.vendor, i.model, i.fw_version, "
		    "c.name, "
		    "c.version, m.status, m.confidence, m.cvss, m.kev FROM matches m "
		    "JOIN components c ON c.name = m.name AND c.version = m.version AND c.cpe = "
		    "m.cpe "
		    "JOIN images i ON i.id = c.image_id WHERE m.cve = ? AND m.status IN %s",
		    status);
		p[np++] = q->cve;
		bad |= image_filters(q, &sql, p, &np);
		rc = bad ? inv_fail(inv, IOTA_NOMEM, "out of memory")
		         : run_table(inv, iota_dynbuf_str(&sql), np, p, cols, 11, out);
	} else if (q->kev) {
		static const char *const cols[] = {"sha256",     "file", "vendor",    "model",
		                                   "fw_version", "cve",  "component", "version",
		                                   "status",     "cvss"};
		bad |= iota_dynbuf_addf(
		    &sql,
		    "SELECT i.sha256, i.file_name, i.vendor, i.model, i.fw_version, "
		    "m.cve, "
		    "c.name, c.version, m.status, m.cvss FROM matches m "
		    "JOIN components c ON c.name = m.name AND c.version = m.version AND c.cpe = "
		    "m.cpe "
		    "JOIN images i ON i.id = c.image_id WHERE m.kev = 1 AND m.status IN %s",
		    status);
		bad |= image_filters(q, &sql, p, &np);
		rc = bad ? inv_fail(inv, IOTA_NOMEM, "out of memory")
		         : run_table(inv, iota_dynbuf_str(&sql), np, p, cols, 10, out);
	} else if (q->component) {
		static const char *const cols[] = {"sha256",     "file",      "vendor",  "model",
		                                   "fw_version", "component", "version", "purl"};
		if (q->version_range && !valid_range(q->version_range)) {
			iota_dynbuf_free(&sql);
			return inv_fail(inv, IOTA_FATAL,
			                "inventory: version range '%s' is not like '>=1.0,<2.0'",
			                q->version_range);
		}
		bad |= iota_dynbuf_addf(
		    &sql, "SELECT i.sha256, i.file_name, i.vendor, i.model, i.fw_version, "
		          "c.name, c.version, c.purl FROM components c JOIN images i ON i.id = "
		          "c.image_id WHERE c.name = ?");
		p[np++] = q->component;
		bad |= image_filters(q, &sql, p, &np);
		rc = bad ? inv_fail(inv, IOTA_NOMEM, "out of memory")
		         : run_table(inv, iota_dynbuf_str(&sql), np, p, cols, 8, out);
		if (rc == IOTA_OK && q->version_range) {
			iota_inventory_table *t = *out;
			size_t keep = 0;
			for (size_t i = 0; i < t->nrows; i++) {
				char **row = t->cells + i * t->ncols;
				if (row[6] && in_range(row[6], row[7], q->version_range)) {
					if (keep != i)
						memmove(t->cells + keep * t->ncols, row,
						        t->ncols * sizeof *row);
					keep++;
				} else {
					for (size_t c = 0; c < t->ncols; c++)
						iota_free(row[c]);
				}
			}
			t->nrows = keep;
		}
	} else if (q->finding) {
		static const char *const cols[] = {"sha256",     "file",  "vendor",   "model",
		                                   "fw_version", "check", "severity", "count"};
		bad |= iota_dynbuf_addf(
		    &sql,
		    "SELECT i.sha256, i.file_name, i.vendor, i.model, i.fw_version, f.check_id, "
		    "MAX(f.severity), COUNT(*) FROM findings f JOIN images i ON i.id = f.image_id "
		    "WHERE f.check_id = ?");
		p[np++] = q->finding;
		bad |= image_filters(q, &sql, p, &np);
		bad |= iota_dynbuf_addf(&sql, " GROUP BY i.sha256, i.file_name, i.vendor, i.model, "
		                              "i.fw_version, f.check_id");
		rc = bad ? inv_fail(inv, IOTA_NOMEM, "out of memory")
		         : run_table(inv, iota_dynbuf_str(&sql), np, p, cols, 8, out);
	} else {
		static const char *const cols[] = {
		    "sha256", "file",        "vendor",     "model",    "fw_version",
		    "class",  "support_end", "components", "findings", "scanned_at"};
		bad |= iota_dynbuf_addf(
		    &sql,
		    "SELECT i.sha256, i.file_name, i.vendor, i.model, i.fw_version, "
		    "i.device_class, "
		    "i.support_end, (SELECT COUNT(*) FROM components c WHERE c.image_id = i.id), "
		    "(SELECT COUNT(*) FROM findings f WHERE f.image_id = i.id), i.scanned_at "
		    "FROM images i WHERE 1 = 1");
		bad |= image_filters(q, &sql, p, &np);
		rc = bad ? inv_fail(inv, IOTA_NOMEM, "out of memory")
		         : run_table(inv, iota_dynbuf_str(&sql), np, p, cols, 10, out);
	}
	(void)image_cols;
	iota_dynbuf_free(&sql);
	return rc;
}

/* ---- eol ---- */

iota_rc iota_inventory_eol(iota_inventory *inv, const char *today, unsigned within_days,
                           iota_inventory_table **out)
{
	*out = NULL;
	int bad;
	long t = today_days(today, &bad);
	if (bad)
		return inv_fail(inv, IOTA_FATAL, "inventory: date '%s' is not YYYY-MM-DD", today);
	char cutoff[16];
	format_date(t + (long)within_days, cutoff);
	const char *p[] = {cutoff};
	inv_rows r;
	if (inv_db_query(inv->db,
	                 "SELECT i.sha256, i.file_name, i.vendor, i.model, i.fw_version, "
	                 "i.support_end FROM images i WHERE i.support_end IS NOT NULL AND "
	                 "i.support_end <= ?",
	                 1, p, &r) != 0)
		return db_fail(inv);
	static const char *const cols[] = {"sha256",     "file",        "vendor", "model",
	                                   "fw_version", "support_end", "days",   "state"};
	iota_inventory_table *tab = table_new(cols, 8);
	size_t cap = 0;
	for (size_t i = 0; tab && i < r.nrows; i++) {
		const char *row[8];
		for (size_t c = 0; c < 6; c++)
			row[c] = inv_rows_get(&r, i, c);
		long end;
		if (parse_date(row[5], &end) != 0)
			continue;
		char days[24];
		snprintf(days, sizeof days, "%ld", end - t);
		row[6] = days;
		row[7] = end < t ? "ended" : "ending";
		if (table_add(tab, &cap, row) != 0) {
			iota_inventory_table_free(tab);
			tab = NULL;
		}
	}
	inv_rows_free(&r);
	if (!tab)
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	size_t order[] = {5, 1, 0};
	table_sort(tab, order, 3);
	*out = tab;
	return IOTA_OK;
}

/* ---- diff ---- */

static iota_rc resolve_image(iota_inventory *inv, const char *name, char id[32], char sha[65],
                             char file[256])
{
	char prefix[80];
	int hex = strlen(name) >= 4 && strlen(name) <= 64 &&
	          strspn(name, "0123456789abcdef") == strlen(name);
	snprintf(prefix, sizeof prefix, "%s%%", hex ? name : "-");
	const char *p[] = {prefix, name};
	inv_rows r;
	if (inv_db_query(inv->db,
	                 "SELECT id, sha256, file_name FROM images WHERE sha256 LIKE ? OR "
	                 "file_name = ?",
	                 2, p, &r) != 0)
		return db_fail(inv);
	if (r.nrows != 1) {
		size_t n = r.nrows;
		inv_rows_free(&r);
		if (n)
			return inv_fail(
			    inv, IOTA_FATAL,
			    "inventory: '%s' names %zu images; give more of the SHA-256", name, n);
		return inv_fail(inv, IOTA_FATAL, "inventory: no image '%s' in the inventory", name);
	}
	snprintf(id, 32, "%s", nz(inv_rows_get(&r, 0, 0)));
	snprintf(sha, 65, "%s", nz(inv_rows_get(&r, 0, 1)));
	snprintf(file, 256, "%s", nz(inv_rows_get(&r, 0, 2)));
	inv_rows_free(&r);
	return IOTA_OK;
}

/* Rows of (key, value) per image, sorted by key then value. */
static int load_pairs(iota_inventory *inv, const char *sql, const char *id, inv_rows *r)
{
	const char *p[] = {id};
	if (inv_db_query(inv->db, sql, 1, p, r) != 0)
		return -1;
	return 0;
}

static int str_in(const inv_rows *r, size_t col, const char *key, size_t keycol)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const char *k = inv_rows_get(r, i, keycol), *v = inv_rows_get(r, i, col);
		(void)v;
		if (k && strcmp(k, key) == 0)
			return 1;
	}
	return 0;
}

/* Whether row i of a appears in b, comparing ncmp columns. */
static int row_in(const inv_rows *a, size_t i, const inv_rows *b, size_t ncmp)
{
	for (size_t j = 0; j < b->nrows; j++) {
		size_t c = 0;
		for (; c < ncmp; c++) {
			const char *x = inv_rows_get(a, i, c), *y = inv_rows_get(b, j, c);
			if (strcmp(x ? x : "", y ? y : "") != 0)
				break;
		}
		if (c == ncmp)
			return 1;
	}
	return 0;
}

iota_rc iota_inventory_diff(iota_inventory *inv, const char *a, const char *b,
                            iota_inventory_table **out)
{
	*out = NULL;
	char ida[32], idb[32], sha[65], fa[256], fb[256];
	iota_rc rc = resolve_image(inv, a, ida, sha, fa);
	if (rc == IOTA_OK)
		rc = resolve_image(inv, b, idb, sha, fb);
	if (rc != IOTA_OK)
		return rc;
	static const char *const cols[] = {"kind", "change", "name", "a", "b", "detail"};
	iota_inventory_table *t = table_new(cols, 6);
	if (!t)
		return inv_fail(inv, IOTA_NOMEM, "out of memory");
	size_t cap = 0;
	int bad = 0;
	inv_rows ca = {0}, cb = {0}, xa = {0}, xb = {0}, va = {0}, vb = {0};
	/* a package-database entry and the binary it installs may both name a
	 * product (busybox the package, busybox the program's signature): they
	 * are compared apart, the binary's as "NAME (binary)" */
	const char *csql =
	    "SELECT DISTINCT CASE WHEN purl IS NULL OR purl LIKE 'pkg:deb/%' OR purl LIKE 'pkg:apk/%' OR "
	    "purl LIKE 'pkg:opkg/%' OR purl LIKE 'pkg:openwrt/%' OR purl LIKE 'pkg:rpm/%' "
	    "THEN name ELSE name || ' (binary)' END, version FROM components WHERE image_id = ?";
	const char *fsql = "SELECT DISTINCT check_id, origin, severity, message FROM findings "
	                   "WHERE image_id = ?";
	const char *vsql =
	    "SELECT DISTINCT m.cve, c.name, c.version, m.status, m.cvss FROM matches m "
	    "JOIN components c ON c.name = m.name AND c.version = m.version AND c.cpe = m.cpe "
	    "WHERE c.image_id = ? AND m.status IN ('affected', 'conditional')";
	if (load_pairs(inv, csql, ida, &ca) || load_pairs(inv, csql, idb, &cb) ||
	    load_pairs(inv, fsql, ida, &xa) || load_pairs(inv, fsql, idb, &xb) ||
	    load_pairs(inv, vsql, ida, &va) || load_pairs(inv, vsql, idb, &vb)) {
		rc = db_fail(inv);
		goto done;
	}
	/* components: a name with one version on each side that differs is an
	 * upgrade or downgrade; anything else is added / removed versions */
	for (int side = 0; side < 2 && !bad; side++) {
		const inv_rows *x = side ? &cb : &ca, *y = side ? &ca : &cb;
		for (size_t i = 0; i < x->nrows && !bad; i++) {
			const char *name = inv_rows_get(x, i, 0), *ver = inv_rows_get(x, i, 1);
			if (row_in(x, i, y, 2))
				continue;
			size_t nx = 0, ny = 0;
			const char *other = NULL;
			for (size_t j = 0; j < x->nrows; j++)
				nx += strcmp(inv_rows_get(x, j, 0), name) == 0;
			for (size_t j = 0; j < y->nrows; j++)
				if (strcmp(inv_rows_get(y, j, 0), name) == 0) {
					ny++;
					other = inv_rows_get(y, j, 1);
				}
			if (nx == 1 && ny == 1) {
				if (side == 1)
					continue; /* reported from side a */
				int c = iota_version_cmp(other, ver);
				const char *row[] = {
				    "component",
				    c > 0 ? "upgraded" : c < 0 ? "downgraded" : "changed",
				    name,
				    ver,
				    other,
				    NULL};
				bad |= table_add(t, &cap, row);
			} else {
				const char *row[] = {
				    "component",       side ? "added" : "removed", name,
				    side ? NULL : ver, side ? ver : NULL,          NULL};
				bad |= table_add(t, &cap, row);
			}
		}
	}
	for (int side = 0; side < 2 && !bad; side++) {
		const inv_rows *x = side ? &xb : &xa, *y = side ? &xa : &xb;
		for (size_t i = 0; i < x->nrows && !bad; i++) {
			if (row_in(x, i, y, 2))
				continue; /* the same check at the same place */
			const char *row[] = {"finding",
			                     side ? "new" : "fixed",
			                     inv_rows_get(x, i, 0),
			                     side ? NULL : inv_rows_get(x, i, 1),
			                     side ? inv_rows_get(x, i, 1) : NULL,
			                     inv_rows_get(x, i, 3)};
			bad |= table_add(t, &cap, row);
		}
	}
	for (int side = 0; side < 2 && !bad; side++) {
		const inv_rows *x = side ? &vb : &va, *y = side ? &va : &vb;
		for (size_t i = 0; i < x->nrows && !bad; i++) {
			const char *cve = inv_rows_get(x, i, 0);
			if (str_in(y, 0, cve, 0))
				continue;
			char comp[600];
			snprintf(comp, sizeof comp, "%s %s", nz(inv_rows_get(x, i, 1)),
			         nz(inv_rows_get(x, i, 2)));
			char detail[64];
			snprintf(detail, sizeof detail, "%s%s%s", nz(inv_rows_get(x, i, 3)),
			         inv_rows_get(x, i, 4) ? ", CVSS " : "", nz(inv_rows_get(x, i, 4)));
			const char *row[] = {"vulnerability",
			                     side ? "introduced" : "fixed",
			                     cve,
			                     side ? NULL : comp,
			                     side ? comp : NULL,
			                     detail};
			bad |= table_add(t, &cap, row);
		}
	}
	if (bad) {
		rc = inv_fail(inv, IOTA_NOMEM, "out of memory");
		goto done;
	}
	/* a CVE reached through two components of one image gives two rows: keep one */
	size_t order[] = {0, 1, 2, 3, 4};
	table_sort(t, order, 5);
	rc = IOTA_OK;
done:
	inv_rows_free(&ca);
	inv_rows_free(&cb);
	inv_rows_free(&xa);
	inv_rows_free(&xb);
	inv_rows_free(&va);
	inv_rows_free(&vb);
	if (rc == IOTA_OK)
		*out = t;
	else
		iota_inventory_table_free(t);
	return rc;
}

/* ---- rematch ---- */

static int cmp_mrow(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;
	for (int k = 0; k < 3; k++) {
		int r = strcmp(x->key[k], y->key[k]);
		if (r)
			return r;
	}
	return strcmp(x->cve, y->cve);
}

iota_rc iota_inventory_rematch(iota_inventory *inv, struct iota_vulndb *db,
                               iota_inventory_table **out)
{
	*out = NULL;
	inv->err[0] = '\0';
	inv_rows keys = {0}, old = {0};
	struct mrow *now_rows = NULL, *old_rows = NULL;
	size_t n = 0, cap = 0;
	iota_rc rc = IOTA_OK;
	iota_inventory_table *t = NULL;
	if (inv_db_query(inv->db, "SELECT name, version, cpe, purl FROM component_keys", 0, NULL,
	                 &keys) != 0 ||
	    inv_db_query(inv->db, "SELECT name, version, cpe, cve, status FROM matches", 0, NULL,
	                 &old) != 0) {
		rc = db_fail(inv);
		goto done;
	}
	for (size_t i = 0; i < keys.nrows && rc == IOTA_OK; i++) {
		char **k = keys.cells + i * 4;
		if (!k[2])
			k[2] = iota_strdup("");
		if (!k[2]) {
			rc = inv_fail(inv, IOTA_NOMEM, "out of memory");
			break;
		}
		rc = match_key(inv, db, k, k[3], &now_rows, &n, &cap);
	}
	if (rc != IOTA_OK)
		goto done;
	old_rows = iota_calloc(old.nrows ? old.nrows : 1, sizeof *old_rows);
	if (!old_rows) {
		rc = inv_fail(inv, IOTA_NOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < old.nrows; i++) {
		char **r = old.cells + i * 5;
		old_rows[i].key[0] = r[0];
		old_rows[i].key[1] = r[1];
		old_rows[i].key[2] = r[2] ? r[2] : (char *)"";
		old_rows[i].cve = r[3];
		old_rows[i].status = r[4];
	}
	qsort(now_rows, n, sizeof *now_rows, cmp_mrow);
	qsort(old_rows, old.nrows, sizeof *old_rows, cmp_mrow);

	/* store: one transaction replaces the matches of the components read
	 * above; keys that writers added meanwhile keep theirs (a temporary
	 * table names the ones this rematch covers) */
	char stamp[32];
	now_iso(stamp);
	const char **kv = iota_calloc(keys.nrows * 3 + 1, sizeof *kv);
	if (!kv) {
		rc = inv_fail(inv, IOTA_NOMEM, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < keys.nrows; k++)
		for (int c = 0; c < 3; c++)
			kv[3 * k + (size_t)c] = keys.cells[4 * k + (size_t)c];
	for (int attempt = 0;; attempt++) {
		const char *p[] = {stamp};
		int fail =
		    inv_db_begin(inv->db) != 0 ||
		    inv_db_script(inv->db, "CREATE TEMP TABLE IF NOT EXISTS rematch_keys ("
		                           "name TEXT, version TEXT, cpe TEXT)") != 0 ||
		    inv_db_script(inv->db, "DELETE FROM rematch_keys") != 0 ||
		    inv_db_insert_many(inv->db, "rematch_keys(name, version, cpe)", 3, NULL, kv,
		                       keys.nrows) != 0 ||
		    inv_db_script(inv->db,
		                  "DELETE FROM matches WHERE EXISTS (SELECT 1 FROM "
		                  "rematch_keys k WHERE k.name = matches.name AND "
		                  "k.version = matches.version AND k.cpe = matches.cpe)") != 0 ||
		    store_matches(inv, now_rows, n) != 0 ||
		    inv_db_query(
		        inv->db,
		        "UPDATE component_keys SET matched_at = ? WHERE EXISTS (SELECT 1 FROM "
		        "rematch_keys k WHERE k.name = component_keys.name AND k.version = "
		        "component_keys.version AND k.cpe = component_keys.cpe)",
		        1, p, NULL) != 0 ||
		    inv_db_commit(inv->db) != 0;
		if (!fail)
			break;
		int busy = inv_db_busy(inv->db);
		inv_db_rollback(inv->db);
		if (!busy || attempt > 50) {
			iota_free(kv);
			rc = db_fail(inv);
			goto done;
		}
		usleep(50000);
	}
	iota_free(kv);

	/* what changed: merge the two sorted lists */
	static const char *const cols[] = {"change", "cve",    "component", "version",
	                                   "status", "before", "images",    "files"};
	t = table_new(cols, 8);
	if (!t) {
		rc = inv_fail(inv, IOTA_NOMEM, "out of memory");
		goto done;
	}
	size_t tcap = 0, i = 0, j = 0;
	while (i < n || j < old.nrows) {
		int c = i >= n ? 1 : j >= old.nrows ? -1 : cmp_mrow(&now_rows[i], &old_rows[j]);
		const struct mrow *x = c <= 0 ? &now_rows[i] : &old_rows[j];
		const char *change = NULL, *before = NULL;
		if (c < 0) {
			change = "new";
		} else if (c > 0) {
			change = "gone";
			before = old_rows[j].status;
		} else if (strcmp(now_rows[i].status, old_rows[j].status) != 0) {
			change = "changed";
			before = old_rows[j].status;
		}
		if (change) {
			const char *p[] = {x->key[0], x->key[1], x->key[2]};
			inv_rows imgs;
			if (inv_db_query(
			        inv->db,
			        "SELECT DISTINCT i.file_name FROM components c JOIN images i "
			        "ON i.id = c.image_id WHERE c.name = ? AND c.version = ? AND "
			        "c.cpe = ? ORDER BY i.file_name",
			        3, p, &imgs) != 0) {
				rc = db_fail(inv);
				goto done;
			}
			iota_dynbuf files;
			iota_dynbuf_init(&files, 1u << 16);
			for (size_t k = 0; k < imgs.nrows; k++)
				if (iota_dynbuf_addf(&files, "%s%s", k ? " " : "",
				                     nz(inv_rows_get(&imgs, k, 0))) != 0)
					break;
			char count[24];
			snprintf(count, sizeof count, "%zu", imgs.nrows);
			inv_rows_free(&imgs);
			const char *row[] = {change,
			                     x->cve,
			                     x->key[0],
			                     x->key[1],
			                     c > 0 ? "-" : x->status,
			                     before,
			                     count,
			                     iota_dynbuf_str(&files)};
			int bad = table_add(t, &tcap, row);
			iota_dynbuf_free(&files);
			if (bad) {
				rc = inv_fail(inv, IOTA_NOMEM, "out of memory");
				goto done;
			}
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	size_t order[] = {1, 0, 2, 3};
	table_sort(t, order, 4);
done:
	mrows_free(now_rows, n);
	iota_free(old_rows);
	inv_rows_free(&keys);
	inv_rows_free(&old);
	if (rc == IOTA_OK) {
		*out = t;
	} else {
		iota_inventory_table_free(t);
	}
	return rc;
}
