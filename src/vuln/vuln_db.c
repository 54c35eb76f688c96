/*
 * The vulnerability database: opening, schema and migrations, shared
 * helpers, and db info. SQLite (https://sqlite.org/lang.html) keeps it in
 * one file that other tools can read; PRAGMA user_version holds the schema
 * version and PRAGMA application_id marks the file as ours.
 */
#include "vuln/vuln_db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/alloc.h"

#define APPLICATION_ID 0x696f7461 /* "iota" */

/* migrations[i] brings schema i to i + 1; each runs in one transaction. */
static const char *const migrations[] = {
    /* 0 -> 1: the first schema */
    "CREATE TABLE cve ("
    " id TEXT NOT NULL, source TEXT NOT NULL, record TEXT NOT NULL,"
    " published TEXT, modified TEXT, status TEXT, assigner TEXT, description TEXT,"
    " cvss3_version TEXT, cvss3_score REAL, cvss3_vector TEXT, cvss3_severity TEXT,"
    " cvss4_score REAL, cvss4_vector TEXT, cvss4_severity TEXT, cvss_source TEXT,"
    " ssvc TEXT, aliases TEXT, structured INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (source, record));"
    "CREATE INDEX cve_by_id ON cve(id);"
    "CREATE VIRTUAL TABLE cve_text USING fts5(description, content='cve', content_rowid='rowid');"
    "CREATE TRIGGER cve_text_ai AFTER INSERT ON cve BEGIN"
    " INSERT INTO cve_text(rowid, description) VALUES (new.rowid, new.description); END;"
    "CREATE TRIGGER cve_text_ad AFTER DELETE ON cve BEGIN"
    " INSERT INTO cve_text(cve_text, rowid, description)"
    " VALUES ('delete', old.rowid, old.description); END;"
    "CREATE TRIGGER cve_text_au AFTER UPDATE ON cve BEGIN"
    " INSERT INTO cve_text(cve_text, rowid, description)"
    " VALUES ('delete', old.rowid, old.description);"
    " INSERT INTO cve_text(rowid, description) VALUES (new.rowid, new.description); END;"
    "CREATE TABLE affected ("
    " cve_id TEXT NOT NULL, origin TEXT NOT NULL, record TEXT NOT NULL, source TEXT NOT NULL,"
    " entry INTEGER NOT NULL, vendor TEXT, product TEXT, cpe TEXT,"
    " ecosystem TEXT, package TEXT, collection_url TEXT,"
    " version TEXT, version_start TEXT, start_incl INTEGER, version_end TEXT, end_incl INTEGER,"
    " version_type TEXT, status TEXT NOT NULL, default_status TEXT, changes TEXT,"
    " cfg_operator TEXT, cfg_negate INTEGER, node INTEGER, node_operator TEXT,"
    " node_negate INTEGER, vulnerable INTEGER NOT NULL DEFAULT 1);"
    "CREATE INDEX affected_by_product ON affected(product);"
    "CREATE INDEX affected_by_package ON affected(package);"
    "CREATE INDEX affected_by_record ON affected(origin, record);"
    "CREATE TABLE kev ("
    " cve_id TEXT PRIMARY KEY, vendor_project TEXT, product TEXT, name TEXT,"
    " date_added TEXT, due_date TEXT, ransomware TEXT, source TEXT NOT NULL);"
    "CREATE TABLE source ("
    " name TEXT NOT NULL, file TEXT NOT NULL, format TEXT, records INTEGER, skipped INTEGER,"
    " imported_at TEXT, newest TEXT, PRIMARY KEY (name, file));"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
    /* 1 -> 2: the source files a CVE record names (CVE JSON 5 programFiles,
     * the kernel CNA's), for kernel-configuration filtering. The CVE JSON 5
     * records are marked as never seen, so that the next import reads them
     * again and fills the column. */
    "ALTER TABLE cve ADD COLUMN program_files TEXT;"
    "UPDATE cve SET modified = NULL WHERE source = 'cve5';",
};

#define NMIGRATIONS (sizeof migrations / sizeof migrations[0])
_Static_assert(NMIGRATIONS == IOTA_VULNDB_SCHEMA, "one migration per schema version");

void iota_vdb_seterr(iota_vulndb *db, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
}

void iota_vdb_note(iota_vulndb *db, const char *fmt, ...)
{
	if (!db->note)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	db->note(db->note_ctx, msg);
}

iota_rc iota_vdb_sqlfail(iota_vulndb *db, const char *what)
{
	iota_vdb_seterr(db, "%s: %s: %s", db->path ? db->path : "vulnerability database", what,
	                db->db ? sqlite3_errmsg(db->db) : "not open");
	return IOTA_FATAL;
}

int iota_vdb_exec(iota_vulndb *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	iota_vdb_seterr(db, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->db));
	sqlite3_free(msg);
	return -1;
}

sqlite3_stmt *iota_vdb_prepare(iota_vulndb *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		iota_vdb_sqlfail(db, "prepare");
		return NULL;
	}
	return st;
}

sqlite3_stmt *iota_vdb_cached(iota_vulndb *db, const char *sql)
{
	size_t n = sizeof db->cache / sizeof db->cache[0], i;
	for (i = 0; i < n && db->cache[i].sql; i++) {
		if (strcmp(db->cache[i].sql, sql) == 0) {
			sqlite3_reset(db->cache[i].st);
			sqlite3_clear_bindings(db->cache[i].st);
			return db->cache[i].st;
		}
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->db, sql, -1, i < n ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) !=
	    SQLITE_OK) {
		iota_vdb_sqlfail(db, "prepare");
		return NULL;
	}
	if (i == n) {
		/* full: replace the last one; the table is sized for the matcher */
		i = n - 1;
		sqlite3_finalize(db->cache[i].st);
		iota_free(db->cache[i].sql);
	}
	db->cache[i].sql = iota_strdup(sql);
	if (!db->cache[i].sql) {
		sqlite3_finalize(st);
		db->cache[i].st = NULL;
		iota_vdb_seterr(db, "out of memory");
		return NULL;
	}
	db->cache[i].st = st;
	return st;
}

void iota_vdb_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *iota_vdb_meta_get(iota_vulndb *db, const char *key)
{
	sqlite3_stmt *st = iota_vdb_prepare(db, "SELECT value FROM meta WHERE key = ?");
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	char *v = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = iota_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int iota_vdb_meta_set(iota_vulndb *db, const char *key, const char *value)
{
	sqlite3_stmt *st =
	    iota_vdb_prepare(db, value ? "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)"
	                               : "DELETE FROM meta WHERE key = ?");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		iota_vdb_sqlfail(db, "meta");
		return -1;
	}
	return 0;
}

int iota_vulndb_default_path(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	int n;
	if (xdg && xdg[0] == '/') {
		n = snprintf(buf, size, "%s/iotaudit/vuln.db", xdg);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return -1;
		n = snprintf(buf, size, "%s/.local/share/iotaudit/vuln.db", home);
	}
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* mkdir -p of the folder holding path. */
static int make_parent(const char *path)
{
	char dir[4096];
	int n = snprintf(dir, sizeof dir, "%s", path);
	if (n <= 0 || (size_t)n >= sizeof dir)
		return -1;
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int pragma_int(iota_vulndb *db, const char *sql, int *out)
{
	sqlite3_stmt *st = iota_vdb_prepare(db, sql);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		iota_vdb_sqlfail(db, "read the schema version");
		return -1;
	}
	return 0;
}

static iota_rc check_schema(iota_vulndb *db)
{
	int version = 0, app = 0, tables = 0;
	if (pragma_int(db, "PRAGMA user_version", &version) != 0 ||
	    pragma_int(db, "PRAGMA application_id", &app) != 0 ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables) != 0)
		return IOTA_FATAL;
	if (tables && app != APPLICATION_ID) {
		iota_vdb_seterr(db, "%s: not an iotaudit vulnerability database", db->path);
		return IOTA_FATAL;
	}
	if (version > IOTA_VULNDB_SCHEMA) {
		iota_vdb_seterr(db,
		                "%s: schema version %d is newer than this iotaudit supports (%d); "
		                "update iotaudit or use another --vulndb",
		                db->path, version, IOTA_VULNDB_SCHEMA);
		return IOTA_FATAL;
	}
	if (version == IOTA_VULNDB_SCHEMA)
		return IOTA_OK;
	if (!db->writable) {
		iota_vdb_seterr(db,
		                version == 0
		                    ? "%s: empty vulnerability database (run 'iotaudit db import')"
		                    : "%s: schema is older than this iotaudit's; run 'iotaudit db "
		                      "import' or 'db update' once to migrate it",
		                db->path);
		return IOTA_FATAL;
	}
	for (int v = version; v < IOTA_VULNDB_SCHEMA; v++) {
		char bump[96];
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
		         v + 1, APPLICATION_ID);
		if (iota_vdb_exec(db, "BEGIN IMMEDIATE") != 0)
			return IOTA_FATAL;
		if (iota_vdb_exec(db, migrations[v]) != 0 || iota_vdb_exec(db, bump) != 0 ||
		    iota_vdb_exec(db, "COMMIT") != 0) {
			char keep[sizeof db->err];
			memcpy(keep, db->err, sizeof keep);
			sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
			memcpy(db->err, keep, sizeof keep);
			return IOTA_FATAL;
		}
	}
	return IOTA_OK;
}

iota_rc iota_vulndb_open(iota_vulndb **out, const char *path, int mode)
{
	*out = NULL;
	iota_vulndb *db = iota_calloc(1, sizeof *db);
	if (!db)
		return IOTA_NOMEM;
	*out = db;
	db->writable = mode == IOTA_VULNDB_WRITE;
	db->path = iota_strdup(path ? path : "");
	if (!db->path)
		return IOTA_NOMEM;
	if (!path || !*path) {
		iota_vdb_seterr(db, "no vulnerability database path");
		return IOTA_FATAL;
	}
	struct stat st;
	if (!db->writable && stat(path, &st) != 0) {
		iota_vdb_seterr(db,
		                "%s: no vulnerability database there (run 'iotaudit db import' "
		                "or 'iotaudit db update', or give --vulndb)",
		                path);
		return IOTA_FATAL;
	}
	if (db->writable && stat(path, &st) != 0 && make_parent(path) != 0) {
		iota_vdb_seterr(db, "%s: cannot create its folder: %s", path, strerror(errno));
		return IOTA_FATAL;
	}
	int flags =
	    db->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &db->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return iota_vdb_sqlfail(db, "open");
	sqlite3_busy_timeout(db->db, 10000);
	sqlite3_extended_result_codes(db->db, 1);
	iota_rc rc = check_schema(db);
	if (rc != IOTA_OK)
		return rc;
	/* Imports update three indexes per affected row: a 64 MiB page cache
	 * (SQLite's default is 2 MiB) saves most of their page reads. */
	if (db->writable && iota_vdb_exec(db, "PRAGMA cache_size = -65536") != 0)
		return IOTA_FATAL;
	/* The matcher reads rows scattered over a database of a gigabyte or more:
	 * mapping it (1 GiB at most) saves a pread() and a copy per page. */
	if (iota_vdb_exec(db, "PRAGMA mmap_size = 1073741824") != 0)
		return IOTA_FATAL;
	return IOTA_OK;
}

void iota_vulndb_close(iota_vulndb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < sizeof db->cache / sizeof db->cache[0]; i++) {
		sqlite3_finalize(db->cache[i].st);
		iota_free(db->cache[i].sql);
	}
	if (db->db)
		sqlite3_close_v2(db->db);
	iota_vprods_free(&db->products);
	iota_kobjs_free(&db->kobjs);
	iota_free(db->path);
	iota_free(db);
}

const char *iota_vulndb_error(const iota_vulndb *db)
{
	return db ? db->err : "out of memory";
}

void iota_vulndb_set_notes(iota_vulndb *db, iota_vulndb_note_fn fn, void *ctx)
{
	db->note = fn;
	db->note_ctx = ctx;
}

/* ---- db info ---- */

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? iota_strdup((const char *)t) : NULL;
}

static uint64_t count_of(iota_vulndb *db, const char *sql, int *bad)
{
	sqlite3_stmt *st = iota_vdb_prepare(db, sql);
	if (!st) {
		*bad = 1;
		return 0;
	}
	uint64_t n = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	else
		*bad = 1;
	sqlite3_finalize(st);
	return n;
}

iota_rc iota_vulndb_info_get(iota_vulndb *db, iota_vulndb_info **out)
{
	*out = NULL;
	iota_vulndb_info *in = iota_calloc(1, sizeof *in);
	if (!in)
		return IOTA_NOMEM;
	int bad = 0;
	in->path = iota_strdup(db->path);
	in->schema_version = IOTA_VULNDB_SCHEMA;
	in->cves = count_of(db, "SELECT count(DISTINCT id) FROM cve", &bad);
	in->ranges = count_of(db, "SELECT count(*) FROM affected", &bad);
	in->kev = count_of(db, "SELECT count(*) FROM kev", &bad);
	in->kev_catalog = iota_vdb_meta_get(db, "kev.catalog");
	in->update_last = iota_vdb_meta_get(db, "nvd.last_complete");
	char *ws = iota_vdb_meta_get(db, "nvd.window_start");
	char *we = iota_vdb_meta_get(db, "nvd.window_end");
	char *wi = iota_vdb_meta_get(db, "nvd.next_index");
	if (we) {
		char buf[256];
		snprintf(buf, sizeof buf, "window %s..%s at index %s", ws && *ws ? ws : "(all)", we,
		         wi ? wi : "0");
		in->update_pending = iota_strdup(buf);
	}
	iota_free(ws);
	iota_free(we);
	iota_free(wi);

	sqlite3_stmt *st = iota_vdb_prepare(
	    db, "SELECT name, format, file, records, skipped, imported_at, newest FROM source "
	        "ORDER BY name, imported_at DESC, file");
	if (!st)
		bad = 1;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		iota_vulndb_source_info *v =
		    iota_realloc(in->sources, (in->nsources + 1) * sizeof *v);
		if (!v) {
			bad = 1;
			break;
		}
		in->sources = v;
		iota_vulndb_source_info *s = &v[in->nsources++];
		s->name = col_dup(st, 0);
		s->format = col_dup(st, 1);
		s->file = col_dup(st, 2);
		s->records = (uint64_t)sqlite3_column_int64(st, 3);
		s->skipped = (uint64_t)sqlite3_column_int64(st, 4);
		s->imported_at = col_dup(st, 5);
		s->newest = col_dup(st, 6);
	}
	sqlite3_finalize(st);

	st = iota_vdb_prepare(db,
	                      "SELECT source, coalesce(status, '(none)'), count(*), "
	                      "sum(structured > 0) FROM cve GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2");
	if (!st)
		bad = 1;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		iota_vulndb_status_count *v =
		    iota_realloc(in->statuses, (in->nstatuses + 1) * sizeof *v);
		if (!v) {
			bad = 1;
			break;
		}
		in->statuses = v;
		iota_vulndb_status_count *c = &v[in->nstatuses++];
		c->source = col_dup(st, 0);
		c->status = col_dup(st, 1);
		c->records = (uint64_t)sqlite3_column_int64(st, 2);
		c->structured = (uint64_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);

	st = iota_vdb_prepare(
	    db, "SELECT source, count(*), sum(structured > 0), sum(program_files IS NOT NULL), "
	        "max(modified) FROM cve GROUP BY source UNION ALL SELECT 'kev', count(*), "
	        "count(*), 0, max(date_added) FROM kev HAVING count(*) > 0 ORDER BY 1");
	if (!st)
		bad = 1;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		iota_vulndb_source_total *v =
		    iota_realloc(in->totals, (in->ntotals + 1) * sizeof *v);
		if (!v) {
			bad = 1;
			break;
		}
		in->totals = v;
		iota_vulndb_source_total *t = &v[in->ntotals++];
		t->source = col_dup(st, 0);
		t->records = (uint64_t)sqlite3_column_int64(st, 1);
		t->structured = (uint64_t)sqlite3_column_int64(st, 2);
		t->program_files = (uint64_t)sqlite3_column_int64(st, 3);
		t->newest = col_dup(st, 4);
	}
	sqlite3_finalize(st);
	if (bad) {
		iota_vulndb_info_free(in);
		return IOTA_FATAL;
	}
	*out = in;
	return IOTA_OK;
}

void iota_vulndb_info_free(iota_vulndb_info *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->nsources; i++) {
		iota_vulndb_source_info *s = &in->sources[i];
		iota_free(s->name);
		iota_free(s->format);
		iota_free(s->file);
		iota_free(s->imported_at);
		iota_free(s->newest);
	}
	for (size_t i = 0; i < in->nstatuses; i++) {
		iota_free(in->statuses[i].source);
		iota_free(in->statuses[i].status);
	}
	for (size_t i = 0; i < in->ntotals; i++) {
		iota_free(in->totals[i].source);
		iota_free(in->totals[i].newest);
	}
	iota_free(in->totals);
	iota_free(in->sources);
	iota_free(in->statuses);
	iota_free(in->path);
	iota_free(in->kev_catalog);
	iota_free(in->update_last);
	iota_free(in->update_pending);
	iota_free(in);
}
