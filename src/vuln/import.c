/*
 * db import: files and directory trees, format detection, and the record
 * writer the format importers share (upsert by source and record id).
 *
 * Formats are told from content, never from the file name:
 *   first line "cveID,..."                        CISA KEV CSV
 *   {"vulnerabilities": [{"cve": {...}}, ...]}    NVD API 2.0 page / yearly feed
 *   {"vulnerabilities": [{"cveID": ...}, ...]}    CISA KEV JSON
 *   {"dataType": "CVE_RECORD", "cveMetadata"...}  CVE JSON 5
 *   {"id": "CVE-...", "vulnStatus"/"configurations"/"descriptions"...}
 *                                                 a bare NVD cve record
 *   {"id": ..., "modified", "affected"/"schema_version"/"details"...}
 *                                                 OSV (also an array of them)
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/dynbuf.h"
#include "vuln/jsonstream.h"
#include "vuln/vuln_db.h"

/* Directory trees: the CVE List nests cves/YEAR/NNxxx/; deeper is odd. */
#define MAX_DIR_DEPTH 16

static const char *const stmt_sql[IOTA_VST_COUNT] = {
    [IOTA_VST_CVE_SELECT] = "SELECT modified FROM cve WHERE source = ?1 AND record = ?2",
    [IOTA_VST_CVE_DELETE] = "DELETE FROM cve WHERE source = ?1 AND record = ?2",
    [IOTA_VST_AFF_DELETE] = "DELETE FROM affected WHERE origin = ?1 AND record = ?2",
    [IOTA_VST_CVE_INSERT] =
        "INSERT INTO cve (id, source, record, published, modified, status, assigner, "
        "description, cvss3_version, cvss3_score, cvss3_vector, cvss3_severity, cvss4_score, "
        "cvss4_vector, cvss4_severity, cvss_source, ssvc, aliases, structured, program_files) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
        "?19, ?20)",
    [IOTA_VST_AFF_INSERT] =
        "INSERT INTO affected (cve_id, origin, record, source, entry, vendor, product, cpe, "
        "ecosystem, package, collection_url, version, version_start, start_incl, version_end, "
        "end_incl, version_type, status, default_status, changes, cfg_operator, cfg_negate, "
        "node, node_operator, node_negate, vulnerable) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
        "?26)",
    [IOTA_VST_KEV_SELECT] =
        "SELECT coalesce(vendor_project, '') || '|' || coalesce(product, '') "
        "|| '|' || coalesce(name, '') || '|' || coalesce(date_added, '') || '|' "
        "|| coalesce(due_date, '') || '|' || coalesce(ransomware, '') || '|' || "
        "source FROM kev WHERE cve_id = ?1",
    [IOTA_VST_KEV_UPSERT] = "INSERT OR REPLACE INTO kev (cve_id, vendor_project, product, name, "
                            "date_added, due_date, ransomware, source) VALUES (?1, ?2, ?3, ?4, "
                            "?5, ?6, ?7, 'cisa-kev')",
    [IOTA_VST_KEV_ADP] = ("INSERT OR IGNORE INTO kev (cve_id, date_added, source) VALUES (?1, ?2, "
                          "'cve5-adp')"),
};

/* ---- small helpers ---- */

const char *iota_vj_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *iota_vj_english(json_t *arr)
{
	const char *first = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(arr, i, d)
	{
		const char *lang = iota_vj_str(d, "lang"), *value = iota_vj_str(d, "value");
		if (!value)
			continue;
		if (lang && (strcmp(lang, "en") == 0 || strncmp(lang, "en-", 3) == 0 ||
		             strncmp(lang, "en_", 3) == 0 || strcmp(lang, "eng") == 0))
			return value;
		if (!first)
			first = value;
	}
	return first;
}

int iota_vcve_id_valid(const char *id)
{
	if (!id || strncmp(id, "CVE-", 4) != 0)
		return 0;
	const char *p = id + 4;
	int n = 0;
	while (*p >= '0' && *p <= '9')
		p++, n++;
	if (n != 4 || *p++ != '-')
		return 0;
	n = 0;
	while (*p >= '0' && *p <= '9')
		p++, n++;
	return n >= 4 && n <= 19 && *p == '\0';
}

void iota_vcve_init(iota_vcve *c)
{
	memset(c, 0, sizeof *c);
	c->cvss3 = -1;
	c->cvss4 = -1;
}

void iota_vrow_init(iota_vrow *r)
{
	memset(r, 0, sizeof *r);
	r->vulnerable = 1;
	r->node = -1;
}

/* Bound without a copy: every statement is stepped and reset before the
 * strings it was given go away. */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_score(sqlite3_stmt *st, int i, double v)
{
	if (v >= 0)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(iota_vimport *im, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	iota_vdb_sqlfail(im->db, what);
	im->fatal = 1;
	return -1;
}

void iota_vimport_seen(iota_vimport *im, const char *modified)
{
	if (modified && strcmp(modified, im->newest) > 0)
		snprintf(im->newest, sizeof im->newest, "%s", modified);
}

/* ---- the record writer ----
 *
 * A record's rows are kept in memory until the record has been read to its
 * end, then written at once (old rows out, new rows and the cve row in). A
 * malformed record therefore never touches the database, and no per-record
 * savepoint is needed: savepoints make FTS5 flush its pending index data
 * every time, which made bulk imports several times slower. */

#define POOL_CHUNK      65536
#define MAX_RECORD_ROWS 500000 /* affected entries of one record */

struct iota_vpool {
	struct iota_vpool *next;
	size_t used, cap;
	char data[];
};

/* Empties the pool. keep: one chunk of the usual size stays for the next
 * record (freeing and allocating 64 KiB per record made glibc consolidate
 * its free lists every time: a few per cent of a bulk import). */
static void pool_clear(iota_vimport *im, int keep)
{
	struct iota_vpool *p = im->pool, *kept = NULL;
	while (p) {
		struct iota_vpool *n = p->next;
		if (keep && !kept && p->cap == POOL_CHUNK) {
			kept = p;
			kept->used = 0;
			kept->next = NULL;
		} else {
			iota_free(p);
		}
		p = n;
	}
	im->pool = kept;
	im->nrows = 0;
}

static void pool_reset(iota_vimport *im)
{
	pool_clear(im, 1);
}

static const char *pool_dup(iota_vimport *im, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	struct iota_vpool *p = im->pool;
	if (!p || p->cap - p->used < n) {
		size_t cap = n > POOL_CHUNK ? n : POOL_CHUNK;
		p = iota_malloc(sizeof *p + cap);
		if (!p) {
			im->rec_oom = 1;
			return NULL;
		}
		p->next = im->pool;
		p->used = 0;
		p->cap = cap;
		im->pool = p;
	}
	char *d = p->data + p->used;
	memcpy(d, s, n);
	p->used += n;
	return d;
}

void iota_vimport_release(iota_vimport *im)
{
	pool_clear(im, 0);
	iota_free(im->rows);
	im->rows = NULL;
	im->caprows = 0;
}

int iota_vrec_begin(iota_vimport *im, const char *origin, const char *id, const char *modified)
{
	im->file_records++;
	im->st->records++;
	pool_reset(im);
	im->rec_oom = 0;
	sqlite3_stmt *st = im->stmt[IOTA_VST_CVE_SELECT];
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int existed = rc == SQLITE_ROW;
	int same = 0;
	if (existed) {
		const char *old = (const char *)sqlite3_column_text(st, 0);
		same = old && modified && strcmp(old, modified) >= 0;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		iota_vdb_sqlfail(im->db, "read a record");
		im->fatal = 1;
		return -1;
	}
	if (same) {
		im->st->unchanged++;
		return 1;
	}
	im->rec_origin = origin;
	im->rec_id = pool_dup(im, id);
	im->rec_existed = existed;
	if (!im->rec_id) {
		iota_vdb_seterr(im->db, "out of memory");
		im->fatal = 1;
		return -1;
	}
	return 0;
}

int iota_vrec_row(iota_vimport *im, const iota_vrow *r)
{
	if (im->nrows >= MAX_RECORD_ROWS) {
		im->rec_oom = 1;
		return 0; /* iota_vrec_cve refuses the record */
	}
	if (im->nrows == im->caprows) {
		size_t nc = im->caprows ? im->caprows * 2 : 64;
		iota_vrow *v = iota_realloc(im->rows, nc * sizeof *v);
		if (!v) {
			iota_vdb_seterr(im->db, "out of memory");
			im->fatal = 1;
			return -1;
		}
		im->rows = v;
		im->caprows = nc;
	}
	iota_vrow *d = &im->rows[im->nrows++];
	*d = *r;
	const char **f[] = {&d->cve_id,       &d->source,         &d->vendor,  &d->product,
	                    &d->cpe,          &d->ecosystem,      &d->package, &d->collection_url,
	                    &d->version,      &d->start,          &d->end,     &d->version_type,
	                    &d->status,       &d->default_status, &d->changes, &d->cfg_operator,
	                    &d->node_operator};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (*f[i] && !(*f[i] = pool_dup(im, *f[i]))) {
			iota_vdb_seterr(im->db, "out of memory");
			im->fatal = 1;
			return -1;
		}
	return 0;
}

static int write_row(iota_vimport *im, const iota_vrow *r)
{
	sqlite3_stmt *st = im->stmt[IOTA_VST_AFF_INSERT];
	bind_text(st, 1, r->cve_id);
	bind_text(st, 2, im->rec_origin);
	bind_text(st, 3, im->rec_id);
	bind_text(st, 4, r->source);
	sqlite3_bind_int(st, 5, r->entry);
	bind_text(st, 6, r->vendor);
	bind_text(st, 7, r->product);
	bind_text(st, 8, r->cpe);
	bind_text(st, 9, r->ecosystem);
	bind_text(st, 10, r->package);
	bind_text(st, 11, r->collection_url);
	bind_text(st, 12, r->version);
	bind_text(st, 13, r->start);
	sqlite3_bind_int(st, 14, r->start_incl);
	bind_text(st, 15, r->end);
	sqlite3_bind_int(st, 16, r->end_incl);
	bind_text(st, 17, r->version_type);
	bind_text(st, 18, r->status ? r->status : "affected");
	bind_text(st, 19, r->default_status);
	bind_text(st, 20, r->changes);
	bind_text(st, 21, r->cfg_operator);
	sqlite3_bind_int(st, 22, r->cfg_negate);
	if (r->node >= 0)
		sqlite3_bind_int(st, 23, r->node);
	bind_text(st, 24, r->node_operator);
	sqlite3_bind_int(st, 25, r->node_negate);
	sqlite3_bind_int(st, 26, r->vulnerable);
	return step_done(im, st, "write an affected entry");
}

int iota_vrec_cve(iota_vimport *im, iota_vcve *c)
{
	if (im->rec_oom) {
		iota_vdb_seterr(im->db, "%s: %s: more than %d affected entries", im->file,
		                im->rec_id, MAX_RECORD_ROWS);
		return 1;
	}
	if (im->rec_existed) {
		for (int k = IOTA_VST_CVE_DELETE; k <= IOTA_VST_AFF_DELETE; k++) {
			sqlite3_stmt *st = im->stmt[k];
			sqlite3_bind_text(st, 1, im->rec_origin, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, im->rec_id, -1, SQLITE_STATIC);
			if (step_done(im, st, "replace a record") != 0)
				return -1;
		}
	}
	for (size_t i = 0; i < im->nrows; i++)
		if (write_row(im, &im->rows[i]) != 0)
			return -1;
	sqlite3_stmt *st = im->stmt[IOTA_VST_CVE_INSERT];
	bind_text(st, 1, c->id);
	bind_text(st, 2, c->source);
	bind_text(st, 3, c->record);
	bind_text(st, 4, c->published);
	bind_text(st, 5, c->modified);
	bind_text(st, 6, c->status);
	bind_text(st, 7, c->assigner);
	bind_text(st, 8, c->description);
	bind_text(st, 9, c->cvss3_version);
	bind_score(st, 10, c->cvss3);
	bind_text(st, 11, c->cvss3_vector);
	bind_text(st, 12, c->cvss3_severity);
	bind_score(st, 13, c->cvss4);
	bind_text(st, 14, c->cvss4_vector);
	bind_text(st, 15, c->cvss4_severity);
	bind_text(st, 16, c->cvss_source);
	bind_text(st, 17, c->ssvc);
	bind_text(st, 18, c->aliases);
	sqlite3_bind_int64(st, 19, (sqlite3_int64)im->nrows);
	bind_text(st, 20, c->program_files);
	return step_done(im, st, "write a record");
}

static void note_record(iota_vimport *im, const char *id, const char *fmt, va_list ap)
{
	char why[512];
	vsnprintf(why, sizeof why, fmt, ap);
	iota_vdb_note(im->db, "%s: %s: %s (skipped)", im->file, id && *id ? id : "record", why);
}

int iota_vrec_keep(iota_vimport *im)
{
	pool_reset(im);
	if (im->fatal)
		return -1;
	if (im->rec_existed)
		im->st->updated++;
	else
		im->st->added++;
	return 0;
}

int iota_vrec_drop(iota_vimport *im, const char *why, ...)
{
	if (im->fatal) {
		pool_reset(im);
		return -1;
	}
	im->st->skipped++;
	im->file_skipped++;
	va_list ap;
	va_start(ap, why);
	note_record(im, im->rec_id, why, ap);
	va_end(ap);
	pool_reset(im);
	return 1;
}

void iota_vrec_skip(iota_vimport *im, const char *id, const char *why, ...)
{
	im->file_records++;
	im->st->records++;
	im->st->skipped++;
	im->file_skipped++;
	va_list ap;
	va_start(ap, why);
	note_record(im, id, why, ap);
	va_end(ap);
}

/* ---- KEV ---- */

int iota_vimport_kev(iota_vimport *im, const char *cve, const char *vendor, const char *product,
                     const char *name, const char *added, const char *due, const char *ransomware)
{
	if (!iota_vcve_id_valid(cve)) {
		iota_vrec_skip(im, cve, "no valid cveID");
		return 1;
	}
	im->file_records++;
	im->st->records++;
	iota_vimport_seen(im, added);
	char want[2048];
	snprintf(want, sizeof want, "%s|%s|%s|%s|%s|%s|cisa-kev", vendor ? vendor : "",
	         product ? product : "", name ? name : "", added ? added : "", due ? due : "",
	         ransomware ? ransomware : "");
	sqlite3_stmt *st = im->stmt[IOTA_VST_KEV_SELECT];
	sqlite3_bind_text(st, 1, cve, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	int existed = rc == SQLITE_ROW;
	int same = existed && sqlite3_column_text(st, 0) &&
	           strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (same) {
		im->st->unchanged++;
		return 0;
	}
	st = im->stmt[IOTA_VST_KEV_UPSERT];
	bind_text(st, 1, cve);
	bind_text(st, 2, vendor);
	bind_text(st, 3, product);
	bind_text(st, 4, name);
	bind_text(st, 5, added);
	bind_text(st, 6, due);
	bind_text(st, 7, ransomware);
	if (step_done(im, st, "write a KEV entry") != 0)
		return -1;
	if (existed)
		im->st->updated++;
	else
		im->st->added++;
	return 0;
}

int iota_vimport_kev_json(iota_vimport *im, json_t *e)
{
	return iota_vimport_kev(im, iota_vj_str(e, "cveID"), iota_vj_str(e, "vendorProject"),
	                        iota_vj_str(e, "product"), iota_vj_str(e, "vulnerabilityName"),
	                        iota_vj_str(e, "dateAdded"), iota_vj_str(e, "dueDate"),
	                        iota_vj_str(e, "knownRansomwareCampaignUse"));
}

/* ---- detection and dispatch ---- */

enum { F_NONE, F_NVD, F_KEV, F_CVE5, F_NVD_BARE, F_OSV };

static int detect(json_t *o)
{
	if (!json_is_object(o))
		return F_NONE;
	if (json_is_object(json_object_get(o, "cve")))
		return F_NVD;
	if (json_object_get(o, "cveID"))
		return F_KEV;
	const char *dt = iota_vj_str(o, "dataType");
	if ((dt && strcmp(dt, "CVE_RECORD") == 0) ||
	    json_is_object(json_object_get(o, "cveMetadata")))
		return F_CVE5;
	if (!iota_vj_str(o, "id"))
		return F_NONE;
	if (json_object_get(o, "vulnStatus") || json_object_get(o, "sourceIdentifier") ||
	    json_object_get(o, "configurations") ||
	    json_is_array(json_object_get(o, "descriptions")))
		return F_NVD_BARE;
	if (json_object_get(o, "affected") || json_object_get(o, "schema_version") ||
	    (json_object_get(o, "modified") &&
	     (json_object_get(o, "details") || json_object_get(o, "summary"))))
		return F_OSV;
	return F_NONE;
}

static const char *format_name(int f)
{
	switch (f) {
	case F_NVD:
	case F_NVD_BARE:
		return "nvd";
	case F_KEV:
		return "kev-json";
	case F_CVE5:
		return "cve5";
	case F_OSV:
		return "osv";
	default:
		return NULL;
	}
}

struct walk {
	iota_vimport *im;
	uint64_t recognised;
	uint64_t unknown;
	uint64_t lead; /* unknown elements before the first known one */
};

/* Unknown elements before the first known one after which the file is
 * taken for something else altogether. */
#define MAX_UNKNOWN_LEAD 16

static int dispatch(struct walk *w, json_t *rec, size_t offset);

/* The walker's callback: owns rec. */
static int on_record(void *ctx, json_t *rec, size_t offset)
{
	int rc = dispatch(ctx, rec, offset);
	json_decref(rec);
	return rc;
}

static int dispatch(struct walk *w, json_t *rec, size_t offset)
{
	iota_vimport *im = w->im;
	int f = detect(rec);
	if (f == F_NONE) {
		w->unknown++;
		if (offset == SIZE_MAX)
			return 0; /* the whole document: the caller says what it is not */
		if (!w->recognised)
			return w->unknown >= MAX_UNKNOWN_LEAD ? -3 : 0; /* noted after the walk */
		char where[48];
		snprintf(where, sizeof where, "record at byte %zu", offset);
		iota_vrec_skip(im, where, "not a record of a known format");
		return 0;
	}
	if (!w->recognised)
		w->lead = w->unknown;
	w->recognised++;
	if (!im->format)
		im->format = format_name(f);
	int rc;
	switch (f) {
	case F_NVD:
		rc = iota_vimport_nvd(im, json_object_get(rec, "cve"));
		break;
	case F_NVD_BARE:
		rc = iota_vimport_nvd(im, rec);
		break;
	case F_KEV:
		rc = iota_vimport_kev_json(im, rec);
		break;
	case F_CVE5:
		rc = iota_vimport_cve5(im, rec);
		break;
	default:
		rc = iota_vimport_osv(im, rec);
		break;
	}
	return rc < 0 ? -2 : 0;
}

/* ---- two threads for big files ----
 *
 * Decoding the JSON and writing SQLite each take about half the time of an
 * import. For a big file the walker decodes records in the calling thread
 * and hands them through a small bounded queue to a second thread that
 * writes them, in order; only that thread touches the database meanwhile. */

#define PIPE_MIN_BYTES (4u << 20)
#define PIPE_SLOTS     64

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t can_get, can_put;
	json_t *rec[PIPE_SLOTS];
	size_t off[PIPE_SLOTS];
	size_t head, n;
	int done;   /* the walker has finished */
	int failed; /* the writer stopped: on_record's non-zero result */
	struct walk *w;
};

static int pipe_put(void *ctx, json_t *rec, size_t offset)
{
	struct pipe *p = ctx;
	pthread_mutex_lock(&p->mu);
	while (p->n == PIPE_SLOTS && !p->failed)
		pthread_cond_wait(&p->can_put, &p->mu);
	int failed = p->failed;
	if (!failed) {
		/* ownership moves to the writer with the slot; no reference count
		 * is shared between the threads */
		size_t i = (p->head + p->n) % PIPE_SLOTS;
		p->rec[i] = rec;
		p->off[i] = offset;
		p->n++;
		pthread_cond_signal(&p->can_get);
	}
	pthread_mutex_unlock(&p->mu);
	if (failed)
		json_decref(rec);
	return failed;
}

static void *pipe_writer(void *arg)
{
	struct pipe *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->n == 0 && !p->done)
			pthread_cond_wait(&p->can_get, &p->mu);
		if (p->n == 0) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		json_t *rec = p->rec[p->head];
		size_t off = p->off[p->head];
		p->head = (p->head + 1) % PIPE_SLOTS;
		p->n--;
		pthread_cond_signal(&p->can_put);
		int failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		int r = failed ? 0 : dispatch(p->w, rec, off);
		json_decref(rec);
		if (r != 0) {
			pthread_mutex_lock(&p->mu);
			p->failed = r;
			pthread_cond_signal(&p->can_put);
			pthread_mutex_unlock(&p->mu);
		}
	}
}

/* iota_js_walk with the records written by a second thread. */
static int walk_piped(const uint8_t *buf, size_t len, struct walk *w, iota_js_result *res)
{
	struct pipe p;
	memset(&p, 0, sizeof p);
	p.w = w;
	pthread_t t;
	if (pthread_mutex_init(&p.mu, NULL) != 0)
		return iota_js_walk(buf, len, "vulnerabilities", on_record, w, res);
	pthread_cond_init(&p.can_get, NULL);
	pthread_cond_init(&p.can_put, NULL);
	int rc;
	if (pthread_create(&t, NULL, pipe_writer, &p) != 0) {
		rc = iota_js_walk(buf, len, "vulnerabilities", on_record, w, res);
	} else {
		rc = iota_js_walk(buf, len, "vulnerabilities", pipe_put, &p, res);
		pthread_mutex_lock(&p.mu);
		p.done = 1;
		pthread_cond_signal(&p.can_get);
		pthread_mutex_unlock(&p.mu);
		pthread_join(t, NULL);
		if (p.failed)
			rc = p.failed;
	}
	pthread_cond_destroy(&p.can_get);
	pthread_cond_destroy(&p.can_put);
	pthread_mutex_destroy(&p.mu);
	return rc;
}

static const char *source_name(const char *format)
{
	if (!format)
		return "unknown";
	if (strncmp(format, "kev", 3) == 0)
		return "kev";
	return format;
}

static int record_source(iota_vimport *im, const char *file)
{
	char now[32];
	iota_vdb_now(now, sizeof now);
	sqlite3_stmt *st = iota_vdb_prepare(
	    im->db, "INSERT OR REPLACE INTO source (name, file, format, records, skipped, "
	            "imported_at, newest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st) {
		im->fatal = 1;
		return -1;
	}
	bind_text(st, 1, source_name(im->format));
	bind_text(st, 2, file);
	bind_text(st, 3, im->format);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)im->file_records);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)im->file_skipped);
	bind_text(st, 6, now);
	bind_text(st, 7, im->newest[0] ? im->newest : NULL);
	int rc = step_done(im, st, "record the source");
	sqlite3_finalize(st);
	return rc;
}

/* Adds the file's counts to the directory's, per format. */
static void aggregate(iota_vimport *im)
{
	size_t n = sizeof im->agg / sizeof im->agg[0];
	for (size_t i = 0; i < n; i++) {
		if (im->agg[i].format && strcmp(im->agg[i].format, im->format) != 0)
			continue;
		im->agg[i].format = im->format;
		im->agg[i].records += im->file_records;
		im->agg[i].skipped += im->file_skipped;
		if (strcmp(im->newest, im->agg[i].newest) > 0)
			memcpy(im->agg[i].newest, im->newest, sizeof im->newest);
		return;
	}
}

static int record_aggregate(iota_vimport *im, const char *dir)
{
	for (size_t i = 0; i < sizeof im->agg / sizeof im->agg[0] && im->agg[i].format; i++) {
		im->format = im->agg[i].format;
		im->file_records = im->agg[i].records;
		im->file_skipped = im->agg[i].skipped;
		memcpy(im->newest, im->agg[i].newest, sizeof im->newest);
		if (record_source(im, dir) != 0)
			return -1;
	}
	return 0;
}

static int looks_like_kev_csv(const uint8_t *buf, size_t len)
{
	size_t off = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	static const char head[] = "cveID,";
	return len - off >= sizeof head - 1 && memcmp(buf + off, head, sizeof head - 1) == 0;
}

iota_rc iota_vimport_buffer(iota_vimport *im, const uint8_t *buf, size_t len,
                            const char *source_file)
{
	im->format = NULL;
	im->file_records = 0;
	im->file_skipped = 0;
	im->newest[0] = '\0';
	im->kev_catalog[0] = '\0';
	im->total_results = -1;
	im->page_records = 0;
	im->st->files++;
	iota_rc rc = IOTA_OK;
	if (len == 0) {
		iota_vdb_seterr(im->db, "%s: empty file", im->file);
		return IOTA_CORRUPT;
	}
	if (looks_like_kev_csv(buf, len)) {
		im->format = "kev-csv";
		rc = iota_vimport_kev_csv(im, buf, len);
		if (rc == IOTA_FATAL || rc == IOTA_NOMEM)
			return rc;
	} else {
		iota_js_result res;
		struct walk w = {.im = im};
		int wr = len >= PIPE_MIN_BYTES
		             ? walk_piped(buf, len, &w, &res)
		             : iota_js_walk(buf, len, "vulnerabilities", on_record, &w, &res);
		json_t *top = res.top;
		if (im->fatal || wr == -2) {
			json_decref(top);
			return IOTA_FATAL;
		}
		if (res.streamed && !im->format && top) {
			const char *fmt = iota_vj_str(top, "format");
			if ((fmt && strcmp(fmt, "NVD_CVE") == 0) ||
			    json_object_get(top, "resultsPerPage"))
				im->format = "nvd";
			else if (json_object_get(top, "catalogVersion"))
				im->format = "kev-json";
		}
		json_t *total = json_object_get(top, "totalResults");
		if (json_is_integer(total))
			im->total_results = json_integer_value(total);
		im->page_records = (long long)res.elements;
		if (top && im->format && strcmp(im->format, "kev-json") == 0) {
			const char *cat = iota_vj_str(top, "catalogVersion");
			const char *rel = iota_vj_str(top, "dateReleased");
			if (cat)
				snprintf(im->kev_catalog, sizeof im->kev_catalog, "%s", cat);
			if (rel)
				iota_vimport_seen(im, rel);
		}
		json_decref(top);
		if (im->format && w.lead) {
			im->file_records += w.lead;
			im->file_skipped += w.lead;
			im->st->records += w.lead;
			im->st->skipped += w.lead;
			iota_vdb_note(im->db,
			              "%s: %llu records before the first known one are of no "
			              "known format (skipped)",
			              im->file, (unsigned long long)w.lead);
		}
		if (wr == -1 && im->format) {
			iota_vdb_seterr(im->db, "%s: malformed JSON: %s%s", im->file, res.err,
			                im->file_records ? " (the records before it were imported)"
			                                 : "");
			rc = IOTA_CORRUPT;
		} else if (wr == -1) {
			iota_vdb_seterr(im->db, "%s: not JSON or malformed: %s", im->file, res.err);
			return IOTA_CORRUPT;
		} else if (!im->format) {
			iota_vdb_seterr(
			    im->db,
			    "%s: not a recognised vulnerability format (expected NVD API 2.0, "
			    "CVE JSON 5, OSV or CISA KEV)",
			    im->file);
			return IOTA_CORRUPT;
		}
	}
	if (im->kev_catalog[0] && iota_vdb_meta_set(im->db, "kev.catalog", im->kev_catalog) != 0)
		return IOTA_FATAL;
	if (im->format && im->aggregate)
		aggregate(im);
	else if (im->format && !im->no_source_row &&
	         record_source(im, source_file ? source_file : im->file) != 0)
		return IOTA_FATAL;
	if (rc == IOTA_OK && im->file_skipped)
		rc = IOTA_WARN;
	return rc;
}

int iota_vimport_prepare(iota_vimport *im)
{
	for (int i = 0; i < IOTA_VST_COUNT; i++) {
		im->stmt[i] = iota_vdb_prepare(im->db, stmt_sql[i]);
		if (!im->stmt[i])
			return -1;
	}
	return 0;
}

void iota_vimport_finish(iota_vimport *im)
{
	iota_vimport_release(im);
	for (int i = 0; i < IOTA_VST_COUNT; i++) {
		sqlite3_finalize(im->stmt[i]);
		im->stmt[i] = NULL;
	}
}

/* ---- files and directories ---- */

static iota_rc worse(iota_rc a, iota_rc b)
{
	return b > a ? b : a;
}

static int wanted(const char *name, int zip);

/* One member of a zip is read into memory: at most this much. */
#define MAX_ZIP_MEMBER (512u << 20)

/* The *.json and *.csv members of a zip (OSV's all.zip per ecosystem, the
 * CVE List's release zips), read with libarchive. Counted and recorded like
 * a directory. */
static iota_rc import_zip(iota_vimport *im, const char *path, const void *map, size_t len,
                          iota_rc *worst)
{
	struct archive *a = archive_read_new();
	if (!a)
		return IOTA_NOMEM;
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, map, len) != ARCHIVE_OK) {
		iota_vdb_seterr(im->db, "%s: not a readable zip: %s", path,
		                archive_error_string(a));
		archive_read_free(a);
		return IOTA_CORRUPT;
	}
	int outer = im->aggregate;
	im->aggregate = 1;
	iota_rc rc = IOTA_OK;
	struct archive_entry *e;
	int r;
	char name[4096];
	iota_dynbuf b;
	iota_dynbuf_init(&b, MAX_ZIP_MEMBER);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *m = archive_entry_pathname(e);
		const char *base = m ? strrchr(m, '/') : NULL;
		if (archive_entry_filetype(e) != AE_IFREG || !m || !wanted(base ? base + 1 : m, 0))
			continue;
		snprintf(name, sizeof name, "%s:%s", path, m);
		iota_dynbuf_free(&b);
		iota_dynbuf_init(&b, MAX_ZIP_MEMBER);
		const char *bad = NULL;
		for (;;) {
			char chunk[65536];
			la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
			if (n == 0)
				break;
			if (n < 0) {
				bad = archive_error_string(a);
				break;
			}
			if (iota_dynbuf_add(&b, chunk, (size_t)n) != 0) {
				bad = "larger than 512 MiB";
				break;
			}
		}
		if (bad) {
			iota_vdb_note(im->db, "%s: %s (skipped)", name, bad);
			im->st->skipped++;
			*worst = worse(*worst, IOTA_WARN);
			continue;
		}
		im->file = name;
		iota_rc fr = iota_vimport_buffer(im, b.data, b.len, NULL);
		if (fr == IOTA_FATAL || fr == IOTA_NOMEM) {
			rc = fr;
			break;
		}
		if (fr == IOTA_CORRUPT) {
			iota_vdb_note(im->db, "%s (skipped)", im->db->err);
			im->st->skipped++;
			*worst = worse(*worst, IOTA_WARN);
		} else {
			*worst = worse(*worst, fr);
		}
	}
	iota_dynbuf_free(&b);
	if (rc == IOTA_OK && r != ARCHIVE_EOF) {
		iota_vdb_note(im->db, "%s: damaged zip, members after this point not read: %s",
		              path, archive_error_string(a));
		*worst = worse(*worst, IOTA_WARN);
	}
	archive_read_free(a);
	im->file = path;
	im->aggregate = outer;
	if (rc == IOTA_OK && !outer && record_aggregate(im, path) != 0)
		rc = IOTA_FATAL;
	return rc;
}

static iota_rc import_file(iota_vimport *im, const char *path, const char *source_file)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		iota_vdb_seterr(im->db, "%s: %s", path, strerror(errno));
		return IOTA_CORRUPT;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		iota_vdb_seterr(im->db, "%s: not a regular file", path);
		close(fd);
		return IOTA_CORRUPT;
	}
	im->file = path;
	if (st.st_size == 0) {
		close(fd);
		im->st->files++;
		iota_vdb_seterr(im->db, "%s: empty file", path);
		return IOTA_CORRUPT;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		iota_vdb_seterr(im->db, "%s: too large", path);
		return IOTA_CORRUPT;
	}
	size_t len = (size_t)st.st_size;
	/* Mapped, not read: a 100 MB feed costs page cache, not heap. */
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		iota_vdb_seterr(im->db, "%s: %s", path, strerror(errno));
		return IOTA_CORRUPT;
	}
	madvise(map, len, MADV_SEQUENTIAL);
	iota_rc rc;
	if (len >= 4 && memcmp(map, "PK\3\4", 4) == 0) {
		iota_rc worst = IOTA_OK;
		rc = import_zip(im, path, map, len, &worst);
		if (rc == IOTA_OK)
			rc = worst;
	} else {
		rc = iota_vimport_buffer(im, map, len, source_file);
	}
	munmap(map, len);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files a directory import reads: *.json, *.csv, and (not inside a zip) *.zip. */
static int wanted(const char *name, int zip)
{
	size_t n = strlen(name);
	if (name[0] == '.')
		return 0;
	return (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".csv") == 0) ||
	       (zip && n > 4 && strcmp(name + n - 4, ".zip") == 0);
}

/* Imports the *.json and *.csv files below dir, in name order. A file that
 * fails is noted and counted; the walk goes on. */
static iota_rc import_dir(iota_vimport *im, const char *dir, int depth, iota_rc *worst)
{
	if (depth > MAX_DIR_DEPTH) {
		iota_vdb_note(im->db, "%s: nested too deep, not read", dir);
		return IOTA_OK;
	}
	DIR *d = opendir(dir);
	if (!d) {
		iota_vdb_note(im->db, "%s: %s (skipped)", dir, strerror(errno));
		*worst = worse(*worst, IOTA_WARN);
		return IOTA_OK;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	iota_rc rc = IOTA_OK;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **v = iota_realloc(names, nc * sizeof *v);
			if (!v) {
				rc = IOTA_NOMEM;
				break;
			}
			names = v;
			cap = nc;
		}
		if (!(names[n] = iota_strdup(e->d_name))) {
			rc = IOTA_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n && rc == IOTA_OK; i++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path)
			continue;
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = import_dir(im, path, depth + 1, worst);
		} else if (S_ISREG(st.st_mode) && wanted(names[i], 1)) {
			iota_rc r = import_file(im, path, NULL);
			if (r == IOTA_FATAL || r == IOTA_NOMEM) {
				rc = r;
			} else if (r == IOTA_CORRUPT) {
				iota_vdb_note(im->db, "%s (skipped)", im->db->err);
				im->st->skipped++;
				*worst = worse(*worst, IOTA_WARN);
			} else {
				*worst = worse(*worst, r);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		iota_free(names[i]);
	iota_free(names);
	return rc;
}

iota_rc iota_vulndb_import(iota_vulndb *db, const char *path, iota_vulndb_import_stats *st)
{
	if (!db->writable) {
		iota_vdb_seterr(db, "%s: opened read-only", db->path);
		return IOTA_FATAL;
	}
	struct stat sb;
	if (stat(path, &sb) != 0) {
		iota_vdb_seterr(db, "%s: %s", path, strerror(errno));
		return IOTA_CORRUPT;
	}
	iota_vimport im = {.db = db, .st = st, .file = path};
	if (iota_vdb_exec(db, "PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE") != 0)
		return IOTA_FATAL;
	iota_rc rc;
	if (iota_vimport_prepare(&im) != 0) {
		rc = IOTA_FATAL;
	} else if (S_ISDIR(sb.st_mode)) {
		iota_rc worst = IOTA_OK;
		db->err[0] = '\0';
		im.aggregate = 1;
		rc = import_dir(&im, path, 0, &worst);
		if (rc == IOTA_OK && record_aggregate(&im, path) != 0)
			rc = IOTA_FATAL;
		if (rc == IOTA_OK) {
			rc = worst;
			if (st->skipped)
				rc = worse(rc, IOTA_WARN);
		}
	} else {
		rc = import_file(&im, path, NULL);
	}
	if (im.fatal)
		rc = IOTA_FATAL;
	iota_vimport_finish(&im);
	if (rc == IOTA_FATAL || rc == IOTA_NOMEM) {
		char keep[sizeof db->err];
		memcpy(keep, db->err, sizeof keep);
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		memcpy(db->err, keep, sizeof keep);
		return rc;
	}
	if (iota_vdb_exec(db, "COMMIT") != 0) {
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		return IOTA_FATAL;
	}
	snprintf(st->format, sizeof st->format, "%s", im.format ? im.format : "");
	return rc;
}
