/*
 * The vulnerability database inside the library: the handle, the schema,
 * and the record writer the importers share.
 *
 * Schema (PRAGMA user_version = IOTA_VULNDB_SCHEMA; migrations[] in
 * vulndb.c bring an older file up to date):
 *   cve       one row per (source, record): source "nvd" | "cve5" | "osv";
 *             id is the CVE id (an OSV record's CVE alias when it has one);
 *             dates, status, English description, CVSS v3.x / v4, SSVC,
 *             structured = how many affected rows the record gave;
 *             program_files = the source files the record names (CVE
 *             JSON 5 affected[].programFiles, newline-separated, sorted).
 *   cve_text  FTS5 index of cve.description (external content).
 *   affected  one row per version statement: source "nvd-cpe" | "cve5-cna" |
 *             "cve5-adp" | "osv"; origin = the cve.source it came from;
 *             entry = NVD configuration / CVE5 affected[] / OSV affected[]
 *             index; vendor/product (lower case) or package (+ecosystem,
 *             collection_url); exact version or start/end with inclusivity;
 *             version_type, status, default_status, changes (JSON); NVD
 *             configuration structure: cfg_operator, cfg_negate, node,
 *             node_operator, node_negate, vulnerable (0 = platform).
 *   kev       CISA KEV entries (source "cisa-kev", or "cve5-adp" from a CVE
 *             record's CISA ADP container when the catalog lacks it).
 *   source    per imported file: name, format, records, skipped, imported_at,
 *             newest modification date.
 *   meta      key/value: KEV catalog version, db update position.
 */
#ifndef IOTA_VULN_VULNDB_H
#define IOTA_VULN_VULNDB_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "iotaudit/vulndb.h"
#include "vuln/kconfig.h"
#include "vuln/products.h"

#define IOTA_VULNDB_SCHEMA 2

struct iota_vulndb {
	sqlite3 *db;
	char *path;
	int writable;
	char err[1024];
	iota_vulndb_note_fn note;
	void *note_ctx;
	iota_vprods products; /* data/vuln/products.tsv, loaded on first match */
	int products_loaded;
	iota_kobjs kobjs; /* data/vuln/kernel-objects.tsv, loaded on first kernel match */
	struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[16]; /* the matcher's statements, prepared once */
};

void iota_vdb_seterr(iota_vulndb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void iota_vdb_note(iota_vulndb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs SQL without results; on error sets the message (prefixed by what). */
int iota_vdb_exec(iota_vulndb *db, const char *sql);
/* Prepares; on error sets the message and returns NULL. */
sqlite3_stmt *iota_vdb_prepare(iota_vulndb *db, const char *sql);
/* A statement prepared once per handle and kept (the matcher runs the same
 * few queries for every component): reset, bindings cleared; reset it
 * after use, never finalize it. NULL on error (message set). */
sqlite3_stmt *iota_vdb_cached(iota_vulndb *db, const char *sql);
/* Sets the error from SQLite's message and returns IOTA_FATAL. */
iota_rc iota_vdb_sqlfail(iota_vulndb *db, const char *what);
/* Now in UTC as "YYYY-MM-DDTHH:MM:SSZ". */
void iota_vdb_now(char *buf, size_t size);
/* Reads / writes a meta value; get returns a new string or NULL. */
char *iota_vdb_meta_get(iota_vulndb *db, const char *key);
int iota_vdb_meta_set(iota_vulndb *db, const char *key, const char *value);

/* ---- importing ---- */

enum {
	IOTA_VST_CVE_SELECT,
	IOTA_VST_CVE_DELETE,
	IOTA_VST_AFF_DELETE,
	IOTA_VST_CVE_INSERT,
	IOTA_VST_AFF_INSERT,
	IOTA_VST_KEV_SELECT,
	IOTA_VST_KEV_UPSERT,
	IOTA_VST_KEV_ADP,
	IOTA_VST_COUNT
};

typedef struct iota_vimport {
	iota_vulndb *db;
	const char *file; /* for messages and the source table */
	iota_vulndb_import_stats *st;
	const char *format; /* detected format of the current file */
	uint64_t file_records;
	uint64_t file_skipped;
	char newest[40];
	char kev_catalog[40];
	int fatal;         /* a database error: stop */
	int no_source_row; /* the caller records the source (db update) */
	int aggregate;     /* a directory: one source row per format, at the end */
	struct {
		const char *format;
		uint64_t records, skipped;
		char newest[40];
	} agg[8];
	long long total_results; /* an NVD page's totalResults, -1 if absent */
	long long page_records;  /* records on the last page or file */
	sqlite3_stmt *stmt[IOTA_VST_COUNT];
	/* the record being read: its rows wait in memory (see import.c) */
	const char *rec_origin;
	const char *rec_id;
	int rec_existed;
	int rec_oom;
	struct iota_vpool *pool;
	struct iota_vrow *rows;
	size_t nrows, caprows;
} iota_vimport;

/* One cve row. Strings may be NULL; scores < 0 mean none. Written last
 * (iota_vrec_cve), as it records how many affected rows came before. */
typedef struct iota_vcve {
	const char *id, *source, *record;
	const char *published, *modified, *status, *assigner, *description;
	const char *cvss3_version, *cvss3_vector, *cvss3_severity;
	double cvss3;
	const char *cvss4_vector, *cvss4_severity;
	double cvss4;
	const char *cvss_source;
	const char *ssvc;
	const char *aliases;
	const char *program_files; /* newline-separated, or NULL */
} iota_vcve;

/* One affected row (strings are copied by iota_vrec_row). */
typedef struct iota_vrow {
	const char *cve_id, *source;
	int entry;
	const char *vendor, *product, *cpe, *ecosystem, *package, *collection_url;
	const char *version, *start, *end;
	int start_incl, end_incl;
	const char *version_type, *status, *default_status, *changes;
	const char *cfg_operator;
	int cfg_negate, node;
	const char *node_operator;
	int node_negate, vulnerable;
} iota_vrow;

void iota_vcve_init(iota_vcve *c);
void iota_vrow_init(iota_vrow *r);

/* Starts writing record (origin, id) last modified at 'modified'. Returns 1
 * when the stored copy is as new or newer (nothing to do, counted as
 * unchanged), 0 when the caller should write it (the old rows are gone, a
 * savepoint is open), -1 on a database error. */
int iota_vrec_begin(iota_vimport *im, const char *origin, const char *id, const char *modified);
/* Writes the record: its old rows out, the buffered rows and c in. Returns
 * 0, 1 when the record is refused (too big: error set, drop it), -1 on a
 * database error. */
int iota_vrec_cve(iota_vimport *im, iota_vcve *c);
/* Buffers one affected row. -1 when out of memory. */
int iota_vrec_row(iota_vimport *im, const iota_vrow *r);
/* Ends the record, keeping it. Returns 0, or -1 on a database error. */
int iota_vrec_keep(iota_vimport *im);
/* Ends the record, rolling it back; counted as skipped and why (printf-
 * style) noted with the file and id. Returns 1, or -1 on a database error. */
int iota_vrec_drop(iota_vimport *im, const char *why, ...) __attribute__((format(printf, 2, 3)));
/* A record skipped before iota_vrec_begin. */
void iota_vrec_skip(iota_vimport *im, const char *id, const char *why, ...)
    __attribute__((format(printf, 3, 4)));
/* Keeps the newest modification date of the file. */
void iota_vimport_seen(iota_vimport *im, const char *modified);

/* Record importers: 0 imported or unchanged, 1 skipped (noted), -1 fatal. */
int iota_vimport_nvd(iota_vimport *im, json_t *cve);
int iota_vimport_cve5(iota_vimport *im, json_t *rec);
int iota_vimport_osv(iota_vimport *im, json_t *rec);
int iota_vimport_kev(iota_vimport *im, const char *cve, const char *vendor, const char *product,
                     const char *name, const char *added, const char *due, const char *ransomware);
int iota_vimport_kev_json(iota_vimport *im, json_t *entry);
/* The KEV catalog as CSV (RFC 4180). Returns an iota_rc. */
iota_rc iota_vimport_kev_csv(iota_vimport *im, const uint8_t *buf, size_t len);

/* Imports the bytes of one file (any supported format) named im->file,
 * inside the caller's transaction, and records it in the source table under
 * source_file (NULL = im->file). */
iota_rc iota_vimport_buffer(iota_vimport *im, const uint8_t *buf, size_t len,
                            const char *source_file);
int iota_vimport_prepare(iota_vimport *im);
/* Finalizes the statements and frees the record buffers. */
void iota_vimport_finish(iota_vimport *im);
void iota_vimport_release(iota_vimport *im);

/* Small JSON helpers shared by the importers. */
const char *iota_vj_str(json_t *o, const char *key); /* NULL unless a string */
/* The English text of an array of {lang, value} (NVD descriptions, CVE5 descriptions). */
const char *iota_vj_english(json_t *arr);
/* A CVE id: "CVE-" year "-" 4+ digits. */
int iota_vcve_id_valid(const char *id);

#endif
