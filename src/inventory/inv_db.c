/* The inventory's SQL backends (see inv_db.h for why this layer exists). */
#include "inventory/inv_db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/dynbuf.h"

#define STMT_CACHE 48
#define SQL_MAX    (64u << 20)

struct cached {
	char *sql;
	sqlite3_stmt *st;
};

struct inv_db {
	enum inv_dialect dialect;
	sqlite3 *lite;
	PGconn *pg;
	struct cached cache[STMT_CACHE];
	size_t ncache, next_evict;
	int busy;
	char err[512];
};

static int fail(inv_db *db, const char *fmt, const char *what)
{
	snprintf(db->err, sizeof db->err, fmt, what ? what : "");
	/* keep the message on one line */
	for (char *p = db->err; *p; p++)
		if (*p == '\n')
			*p = (p[1] ? ' ' : '\0');
	return -1;
}

static void quiet_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* the library never prints */
}

int inv_db_open(inv_db **out, const char *url, char *err, size_t errcap)
{
	*out = NULL;
	inv_db *db = iota_calloc(1, sizeof *db);
	if (!db) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		db->dialect = INV_PG;
		db->pg = PQconnectdb(url);
		if (!db->pg || PQstatus(db->pg) != CONNECTION_OK) {
			snprintf(err, errcap, "cannot connect to PostgreSQL: %s",
			         db->pg ? PQerrorMessage(db->pg) : "out of memory");
			size_t l = strlen(err);
			while (l && (err[l - 1] == '\n' || err[l - 1] == ' '))
				err[--l] = '\0';
			for (char *p = err; *p; p++) /* libpq's message spans lines */
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			inv_db_close(db);
			return -1;
		}
		PQsetNoticeProcessor(db->pg, quiet_notices, NULL);
		PGresult *r = PQexec(db->pg, "SET client_min_messages = warning");
		PQclear(r);
	} else {
		db->dialect = INV_SQLITE;
		int rc = sqlite3_open_v2(url, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
		                         NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errcap, "%s: %s", url,
			         db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
			inv_db_close(db);
			return -1;
		}
		sqlite3_busy_timeout(db->lite, 30000);
		/* WAL: readers never block the writer, and N writers queue on one lock.
		 * An image's components dirty ~500 scattered index pages: temporary
		 * B-trees stay in memory (no temp file per add), pages are read through
		 * mmap, and a checkpoint every 32,768 pages writes each hot page back
		 * once for many images (bench/README.md, fleet inventory). */
		if (sqlite3_exec(db->lite,
		                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
		                 "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
		                 "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824; "
		                 "PRAGMA wal_autocheckpoint=32768",
		                 NULL, NULL, NULL) != SQLITE_OK) {
			snprintf(err, errcap, "%s: %s", url, sqlite3_errmsg(db->lite));
			inv_db_close(db);
			return -1;
		}
	}
	*out = db;
	return 0;
}

void inv_db_close(inv_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i].st);
		iota_free(db->cache[i].sql);
	}
	if (db->lite)
		sqlite3_close(db->lite);
	if (db->pg)
		PQfinish(db->pg);
	iota_free(db);
}

enum inv_dialect inv_db_dialect(const inv_db *db)
{
	return db->dialect;
}

const char *inv_db_error(const inv_db *db)
{
	return db->err;
}

int inv_db_busy(const inv_db *db)
{
	return db->busy;
}

const char *inv_rows_get(const inv_rows *r, size_t row, size_t col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

void inv_rows_free(inv_rows *r)
{
	if (!r || !r->cells)
		return;
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		iota_free(r->cells[i]);
	iota_free(r->cells);
	memset(r, 0, sizeof *r);
}

/* Appends one row of ncols cells to r (grown by doubling). */
static int rows_push(inv_rows *r, size_t *cap, char **row)
{
	if (r->nrows == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **n = iota_realloc(r->cells, nc * r->ncols * sizeof *n);
		if (!n)
			return -1;
		r->cells = n;
		*cap = nc;
	}
	memcpy(r->cells + r->nrows * r->ncols, row, r->ncols * sizeof *row);
	r->nrows++;
	return 0;
}

static sqlite3_stmt *lite_prepare(inv_db *db, const char *sql)
{
	for (size_t i = 0; i < db->ncache; i++)
		if (strcmp(db->cache[i].sql, sql) == 0) {
			sqlite3_reset(db->cache[i].st);
			sqlite3_clear_bindings(db->cache[i].st);
			return db->cache[i].st;
		}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(db, "%s", sqlite3_errmsg(db->lite));
		return NULL;
	}
	char *copy = iota_strdup(sql);
	if (!copy) {
		sqlite3_finalize(st);
		fail(db, "out of memory%s", "");
		return NULL;
	}
	size_t slot;
	if (db->ncache < STMT_CACHE) {
		slot = db->ncache++;
	} else {
		slot = db->next_evict++ % STMT_CACHE;
		sqlite3_finalize(db->cache[slot].st);
		iota_free(db->cache[slot].sql);
	}
	db->cache[slot].sql = copy;
	db->cache[slot].st = st;
	return st;
}

static int lite_query(inv_db *db, const char *sql, size_t n, const char *const *params,
                      inv_rows *out)
{
	sqlite3_stmt *st = lite_prepare(db, sql);
	if (!st)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = params[i] ? sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC)
		                   : sqlite3_bind_null(st, (int)i + 1);
		if (rc != SQLITE_OK)
			return fail(db, "%s", sqlite3_errmsg(db->lite));
	}
	size_t cap = 0;
	if (out) {
		memset(out, 0, sizeof *out);
		out->ncols = (size_t)sqlite3_column_count(st);
	}
	for (;;) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			db->busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
			fail(db, "%s", sqlite3_errmsg(db->lite));
			sqlite3_reset(st);
			if (out)
				inv_rows_free(out);
			return -1;
		}
		if (!out || out->ncols == 0)
			continue;
		char *row[64];
		size_t nc = out->ncols < 64 ? out->ncols : 64;
		out->ncols = nc;
		int bad = 0;
		for (size_t c = 0; c < nc; c++) {
			const unsigned char *t = sqlite3_column_text(st, (int)c);
			row[c] = t ? iota_strdup((const char *)t) : NULL;
			if (t && !row[c])
				bad = 1;
		}
		if (bad || rows_push(out, &cap, row) != 0) {
			for (size_t c = 0; c < nc; c++)
				iota_free(row[c]);
			sqlite3_reset(st);
			inv_rows_free(out);
			return fail(db, "out of memory%s", "");
		}
	}
	sqlite3_reset(st);
	return 0;
}

/* '?' -> $n outside quotes (our SQL never has '?' inside literals, but be
 * safe about it anyway). */
static char *pg_sql(const char *sql)
{
	iota_dynbuf b;
	iota_dynbuf_init(&b, SQL_MAX);
	unsigned n = 0;
	int quote = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			quote = !quote;
		if (*p == '?' && !quote) {
			if (iota_dynbuf_addf(&b, "$%u", ++n) != 0)
				goto oom;
		} else if (iota_dynbuf_add(&b, p, 1) != 0) {
			goto oom;
		}
	}
	if (iota_dynbuf_add(&b, "", 1) != 0)
		goto oom;
	size_t len;
	return (char *)iota_dynbuf_take(&b, &len);
oom:
	iota_dynbuf_free(&b);
	return NULL;
}

static int pg_check(inv_db *db, PGresult *r)
{
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return 0;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	db->busy = state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
	fail(db, "%s", PQerrorMessage(db->pg));
	return -1;
}

static int pg_query(inv_db *db, const char *sql, size_t n, const char *const *params, inv_rows *out)
{
	char *q = pg_sql(sql);
	if (!q)
		return fail(db, "out of memory%s", "");
	PGresult *r = PQexecParams(db->pg, q, (int)n, NULL, params, NULL, NULL, 0);
	iota_free(q);
	if (pg_check(db, r) != 0) {
		PQclear(r);
		return -1;
	}
	if (out) {
		memset(out, 0, sizeof *out);
		size_t nr = (size_t)PQntuples(r), nc = (size_t)PQnfields(r);
		if (nr && nc) {
			out->cells = iota_calloc(nr * nc, sizeof *out->cells);
			if (!out->cells) {
				PQclear(r);
				return fail(db, "out of memory%s", "");
			}
			out->nrows = nr;
			out->ncols = nc;
			for (size_t i = 0; i < nr; i++)
				for (size_t c = 0; c < nc; c++) {
					if (PQgetisnull(r, (int)i, (int)c))
						continue;
					char *v = iota_strdup(PQgetvalue(r, (int)i, (int)c));
					if (!v) {
						PQclear(r);
						inv_rows_free(out);
						return fail(db, "out of memory%s", "");
					}
					out->cells[i * nc + c] = v;
				}
		} else {
			out->ncols = nc;
		}
	}
	PQclear(r);
	return 0;
}

int inv_db_query(inv_db *db, const char *sql, size_t n, const char *const *params, inv_rows *out)
{
	db->busy = 0;
	return db->dialect == INV_PG ? pg_query(db, sql, n, params, out)
	                             : lite_query(db, sql, n, params, out);
}

int inv_db_script(inv_db *db, const char *sql)
{
	db->busy = 0;
	if (db->dialect == INV_PG) {
		PGresult *r = PQexec(db->pg, sql);
		int rc = pg_check(db, r);
		PQclear(r);
		return rc;
	}
	char *msg = NULL;
	int rc = sqlite3_exec(db->lite, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		db->busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
		fail(db, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int inv_db_begin(inv_db *db)
{
	return inv_db_script(db, db->dialect == INV_PG ? "BEGIN" : "BEGIN IMMEDIATE");
}

int inv_db_commit(inv_db *db)
{
	return inv_db_script(db, "COMMIT");
}

void inv_db_rollback(inv_db *db)
{
	char keep[sizeof db->err];
	int busy = db->busy;
	memcpy(keep, db->err, sizeof keep);
	inv_db_script(db, "ROLLBACK");
	memcpy(db->err, keep, sizeof keep);
	db->busy = busy;
}

/* PostgreSQL's COPY text format (one line per row, tab between columns,
 * \N for NULL, backslash escapes): several times faster than a multi-row
 * INSERT, whose thousands of parameters PostgreSQL must type and plan. */
static int pg_copy(inv_db *db, const char *head, size_t ncols, const char *const *values,
                   size_t nrows)
{
	iota_dynbuf b;
	iota_dynbuf_init(&b, SQL_MAX);
	if (iota_dynbuf_addf(&b, "COPY %s FROM STDIN", head) != 0) {
		iota_dynbuf_free(&b);
		return fail(db, "out of memory%s", "");
	}
	PGresult *r = PQexec(db->pg, iota_dynbuf_str(&b));
	iota_dynbuf_free(&b);
	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		pg_check(db, r);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	iota_dynbuf_init(&b, SQL_MAX);
	int bad = 0;
	for (size_t i = 0; i < nrows && !bad; i++) {
		for (size_t c = 0; c < ncols && !bad; c++) {
			const char *v = values[i * ncols + c];
			if (c)
				bad |= iota_dynbuf_add(&b, "\t", 1);
			if (!v) {
				bad |= iota_dynbuf_add(&b, "\\N", 2);
				continue;
			}
			for (; *v && !bad; v++) {
				const char *esc = *v == '\\'   ? "\\\\"
				                  : *v == '\t' ? "\\t"
				                  : *v == '\n' ? "\\n"
				                  : *v == '\r' ? "\\r"
				                               : NULL;
				bad |=
				    esc ? iota_dynbuf_add(&b, esc, 2) : iota_dynbuf_add(&b, v, 1);
			}
		}
		bad |= iota_dynbuf_add(&b, "\n", 1);
		if (!bad && (b.len > (1u << 20) || i + 1 == nrows)) {
			if (PQputCopyData(db->pg, (const char *)b.data, (int)b.len) != 1)
				bad = 1;
			b.len = 0;
		}
	}
	iota_dynbuf_free(&b);
	if (PQputCopyEnd(db->pg, bad ? "out of memory" : NULL) != 1)
		bad = 1;
	int rc = 0;
	while ((r = PQgetResult(db->pg)) != NULL) {
		if (pg_check(db, r) != 0)
			rc = -1;
		PQclear(r);
	}
	if (bad && rc == 0)
		return fail(db, "COPY failed: %s", PQerrorMessage(db->pg));
	return rc;
}

int inv_db_insert_many(inv_db *db, const char *head, size_t ncols, const char *tail,
                       const char *const *values, size_t nrows)
{
	if (ncols == 0 || nrows == 0)
		return 0;
	if (db->dialect == INV_PG && (!tail || !*tail)) {
		db->busy = 0;
		return pg_copy(db, head, ncols, values, nrows);
	}
	size_t chunk = 30000 / ncols;
	if (chunk > 500)
		chunk = 500;
	if (chunk == 0)
		chunk = 1;
	for (size_t at = 0; at < nrows; at += chunk) {
		size_t rows = nrows - at < chunk ? nrows - at : chunk;
		iota_dynbuf b;
		iota_dynbuf_init(&b, SQL_MAX);
		int bad = iota_dynbuf_addf(&b, "INSERT INTO %s VALUES ", head);
		for (size_t r = 0; r < rows && !bad; r++) {
			bad |= iota_dynbuf_add(&b, r ? ",(" : "(", r ? 2 : 1);
			for (size_t c = 0; c < ncols && !bad; c++)
				bad |= iota_dynbuf_add(&b, c ? ",?" : "?", c ? 2 : 1);
			bad |= iota_dynbuf_add(&b, ")", 1);
		}
		if (tail && *tail)
			bad |= iota_dynbuf_addf(&b, " %s", tail);
		if (bad) {
			iota_dynbuf_free(&b);
			return fail(db, "out of memory%s", "");
		}
		int rc =
		    inv_db_query(db, iota_dynbuf_str(&b), rows * ncols, values + at * ncols, NULL);
		iota_dynbuf_free(&b);
		if (rc != 0)
			return -1;
	}
	return 0;
}
