/*
 * iotaudit — the fleet inventory (public API).
 *
 * A store of scan results keyed by the image's SHA-256: the image's
 * identity (vendor, model, firmware version, device class, tags, end of
 * support), its components, findings and vulnerability matches. One schema
 * on two backends: SQLite (a file path, the default) and PostgreSQL (a
 * "postgresql://" URL), migrated in numbered steps when opened. Many
 * processes may add at once to either.
 *
 * Answers come back as tables of text (iota_inventory_table) that the
 * caller prints as it likes. Like the rest of the library it never prints;
 * the last error is kept on the handle.
 */
#ifndef IOTAUDIT_INVENTORY_H
#define IOTAUDIT_INVENTORY_H

#include <stddef.h>

#include "iotaudit/iotaudit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iota_inventory iota_inventory;
struct iota_vulndb;

/* The schema version this library writes. */
#define IOTA_INVENTORY_SCHEMA 2

/* Writes the default inventory path: $XDG_DATA_HOME/iotaudit/inventory.db,
 * else $HOME/.local/share/iotaudit/inventory.db. 0, or -1. */
int iota_inventory_default_path(char *buf, size_t size);

/* Opens (creating and migrating) the inventory at url: a SQLite file path
 * or postgresql://... *out is set whenever memory allows, also on failure,
 * so that iota_inventory_error() can say why; close it in any case. */
iota_rc iota_inventory_open(iota_inventory **out, const char *url);
void iota_inventory_close(iota_inventory *inv);
const char *iota_inventory_error(const iota_inventory *inv);

/* The SHA-256 of a file as 64 lower-case hex digits. 0, or -1 (errno). */
int iota_inventory_hash_file(const char *path, char hex[65]);

/* Whether an image is stored: 1 yes, 0 no, -1 error. */
int iota_inventory_has(iota_inventory *inv, const char *sha256);

/* What a caller knows about an image beyond its bytes. NULL = unknown. */
typedef struct iota_inventory_meta {
	const char *file_name; /* as the image is called (default: the scan's input) */
	const char *vendor, *model, *fw_version;
	const char *device_class; /* "consumer" or "industrial" */
	const char *support_end;  /* YYYY-MM-DD, end of the support period */
	const char *const *tags;  /* deployment tags */
	size_t ntags;
	const char *scanned_at; /* ISO 8601 UTC; NULL = now */
} iota_inventory_meta;

/* One image given as records (importers, benchmarks, tests). */
typedef struct iota_inventory_component {
	const char *name, *version, *purl, *cpe;
	const char *relation; /* "is" | "contains" */
	const char *origin;   /* where in the image */
} iota_inventory_component;

typedef struct iota_inventory_finding {
	const char *check, *severity, *origin, *message;
} iota_inventory_finding;

typedef struct iota_inventory_image {
	const char *sha256;
	iota_inventory_meta meta;
	const iota_inventory_component *components;
	size_t ncomponents;
	const iota_inventory_finding *findings;
	size_t nfindings;
} iota_inventory_image;

/* Stores an image with its components and findings, in one transaction.
 * When db is not NULL, components never matched before are matched
 * against it (the same code as iota_inventory_rematch()). Idempotent: an
 * image already stored is left as it is and *added is 0. */
iota_rc iota_inventory_add(iota_inventory *inv, const iota_inventory_image *img,
                           struct iota_vulndb *db, int *added);

/* The same for a finished scan (iota_scan_run()) of a file whose SHA-256
 * is sha256. */
iota_rc iota_inventory_add_scan(iota_inventory *inv, iota_scan *s, const char *sha256,
                                const iota_inventory_meta *meta, struct iota_vulndb *db,
                                int *added);

/* A table of text; cells may be NULL. */
typedef struct iota_inventory_table {
	size_t ncols, nrows;
	char **cols;  /* column names */
	char **cells; /* row-major */
} iota_inventory_table;

const char *iota_inventory_cell(const iota_inventory_table *t, size_t row, size_t col);
void iota_inventory_table_free(iota_inventory_table *t);

/* One query; the first criterion set decides the kind of answer, the
 * image criteria (vendor, model, tag) narrow any of them. */
typedef struct iota_inventory_query {
	const char *cve;           /* images affected by the CVE */
	const char *component;     /* images carrying the component ... */
	const char *version_range; /* ... in this range: ">=1.0,<2.0" (comma = and) */
	int kev;                   /* images with a match in CISA KEV */
	const char *finding;       /* images with a finding of this check */
	int eol;                   /* images past their end of support on 'today' */
	const char *vendor, *model, *tag;
	int all_status;    /* also matches of status unknown (default: affected, conditional) */
	const char *today; /* YYYY-MM-DD; NULL = the clock */
} iota_inventory_query;

iota_rc iota_inventory_query_run(iota_inventory *inv, const iota_inventory_query *q,
                                 iota_inventory_table **out);

/* Matches every stored component against db, stores the result and
 * returns what changed: one row per (change, CVE, component) with the
 * images concerned. */
iota_rc iota_inventory_rematch(iota_inventory *inv, struct iota_vulndb *db,
                               iota_inventory_table **out);

/* Differences between two stored images, each named by a SHA-256 prefix
 * or a file name: components added / removed / upgraded / downgraded,
 * findings new / fixed, vulnerabilities introduced / fixed. */
iota_rc iota_inventory_diff(iota_inventory *inv, const char *a, const char *b,
                            iota_inventory_table **out);

/* Images whose support ends before today + within_days (past or soon). */
iota_rc iota_inventory_eol(iota_inventory *inv, const char *today, unsigned within_days,
                           iota_inventory_table **out);

#ifdef __cplusplus
}
#endif
#endif
