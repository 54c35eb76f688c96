/*
 * iotaudit — public API.
 *
 * The library never prints and never exits: every call returns an iota_rc and
 * the scan keeps the last error message (iota_scan_error()). The command-line
 * program in cli/ is written against this header alone.
 *
 * Ownership: objects returned by iota_*_new() / iota_scan_open() belong to
 * the caller and are freed with the matching *_free(); every const char *
 * returned by a getter stays valid until the scan that produced it is freed.
 */
#ifndef IOTAUDIT_IOTAUDIT_H
#define IOTAUDIT_IOTAUDIT_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOTA_VERSION_STRING "0.1.0"

/* Result tiers (libarchive-style): the scan goes on after WARN, CORRUPT and
 * LIMIT; it stops after NOMEM and FATAL. */
typedef enum iota_rc {
	IOTA_OK = 0,
	IOTA_WARN = 1,    /* went on; a finding says what was odd */
	IOTA_CORRUPT = 2, /* this member or container was skipped */
	IOTA_LIMIT = 3,   /* a bound was reached; a finding was emitted */
	IOTA_NOMEM = 4,
	IOTA_FATAL = 5    /* the scan stops; iota_scan_error() says why */
} iota_rc;

/* Hard limits. Defaults come from iota_options_init(); a user may raise them. */
typedef struct iota_limits {
	unsigned max_depth;           /* nesting of containers */
	uint64_t max_total_bytes;     /* all bytes produced by unpacking */
	uint64_t max_ratio;           /* expanded bytes / input bytes */
	uint64_t max_files;           /* nodes in the tree */
	uint64_t max_file_size;       /* one unpacked file */
	unsigned max_seconds;         /* wall time for the whole scan, 0 = none */
} iota_limits;

typedef struct iota_options {
	iota_limits limits;
	unsigned threads;      /* 0 = one per online CPU */
	int live_root;         /* scanning a running system's /: skip /proc, /sys, /dev, /run */
	int carve;             /* look for containers at any offset of blobs (default on) */
	int analyze;           /* run the analyzers (default on); off: unpack, hash and list only */
	/* Called now and then from worker threads (never two at once) with the
	 * files visited and their bytes so far; NULL = none. */
	void (*progress)(void *ctx, uint64_t files, uint64_t bytes);
	void *progress_ctx;
} iota_options;

void iota_options_init(iota_options *opt);

typedef struct iota_scan iota_scan;

/* Creates a scan. *out is NULL on failure. */
iota_rc iota_scan_open(iota_scan **out, const iota_options *opt);

/* Scans a file (any image format) or a directory. May be called once per
 * scan. Returns FATAL when the input cannot be read at all; a damaged image
 * still returns OK with findings that say what was skipped. */
iota_rc iota_scan_run(iota_scan *s, const char *path);

/* Scans bytes in memory as if they were a file called name. The bytes must
 * stay valid and unchanged until iota_scan_free(). Used by fuzzers and by
 * programs that already hold an image in memory. */
iota_rc iota_scan_run_memory(iota_scan *s, const char *name, const void *data, size_t len);

/* Like iota_scan_run(), and additionally writes every unpacked file, folder
 * and symbolic link below out_dir, which must not exist or be empty. Nothing
 * is written outside out_dir: names that would leave it, absolute names,
 * device nodes and links whose targets escape it are refused and reported. */
iota_rc iota_scan_extract(iota_scan *s, const char *path, const char *out_dir);

/* The message of the last error, "" if none. */
const char *iota_scan_error(const iota_scan *s);

void iota_scan_free(iota_scan *s);

/* Summary counters of a finished scan. */
typedef struct iota_totals {
	uint64_t input_bytes;
	uint64_t containers;
	uint64_t files;        /* regular files */
	uint64_t dirs;
	uint64_t links;        /* symbolic and hard links */
	uint64_t specials;     /* device nodes, fifos, sockets */
	uint64_t unpacked_bytes;
	uint64_t findings;
	uint64_t errors;       /* findings of kind corrupt, truncated or limit */
} iota_totals;

void iota_scan_totals(const iota_scan *s, iota_totals *t);

/* Report formats. */
typedef enum iota_format {
	IOTA_FORMAT_TEXT = 0,
	IOTA_FORMAT_JSON,
	IOTA_FORMAT_SARIF,     /* SARIF 2.1.0: findings, vulnerabilities, provisions failed */
	IOTA_FORMAT_CYCLONEDX, /* CycloneDX 1.6 JSON SBOM with vulnerabilities and VEX */
	IOTA_FORMAT_SPDX,      /* SPDX 2.3 JSON */
	IOTA_FORMAT_HTML,      /* a self-contained HTML report */
	IOTA_FORMAT_CSV,       /* the conformance matrix: one row per provision */
	IOTA_FORMAT_MUD,       /* RFC 8520 MUD file */
	IOTA_FORMAT_COUNT
} iota_format;

/* Parses a format name ("text", "json", "sarif", "cyclonedx", "spdx",
 * "html", "csv", "mud"); returns -1 for an unknown name. */
int iota_format_parse(const char *name);
const char *iota_format_name(iota_format f);
const char *iota_format_extension(iota_format f);

/* Writes the report of a finished scan. Deterministic: the same input gives
 * the same bytes. 'color' adds ANSI colours to the text format. */
iota_rc iota_report_write(iota_scan *s, iota_format f, FILE *out, int color);

/* ---- vulnerabilities (needs iotaudit/vulndb.h for the database) ---- */

struct iota_vulndb;

/* Matches every component of a finished scan against the database and
 * works out each component's exposure (loaded by a listening service or
 * not). The matches are shown by every report format afterwards. */
iota_rc iota_scan_match(iota_scan *s, struct iota_vulndb *db);

/* ---- assessment against the standards catalog ---- */

typedef struct iota_assess_options {
	const char *data_dir;  /* a folder overriding the embedded catalog; NULL = embedded */
	const char *profile;   /* "consumer" (default), "industrial:SL1".."industrial:SL4" */
	const char *evidence;  /* vendor evidence YAML file, NULL = none */
	const char *tailoring; /* tailoring YAML file, NULL = none */
	const char *fail_on;   /* gate: "critical", "high", "medium", "low"; NULL = none */
	const char *policy;    /* gate: policy YAML file, NULL = none */
	const char *today;     /* "YYYY-MM-DD" to judge dates against (tests); NULL = clock */
} iota_assess_options;

void iota_assess_options_init(iota_assess_options *o);

/* Assesses a finished (and, if wanted, matched) scan against the catalog
 * and the profile, applies evidence and tailoring, scores risk and runs
 * the gate. FATAL with iota_scan_error() = "FILE:LINE: reason" when a
 * catalog, evidence, tailoring or policy file is malformed. Reports show
 * the assessment afterwards. */
iota_rc iota_scan_assess(iota_scan *s, const iota_assess_options *o);

/* After iota_scan_assess(): the number of gate reasons (0 = the gate
 * passed or none was asked for) and the i-th reason, one line of text. */
size_t iota_gate_reasons(const iota_scan *s);
const char *iota_gate_reason(const iota_scan *s, size_t i);

/* ---- the catalog on its own (iotaudit explain, iotaudit catalog) ---- */

typedef struct iota_catalog iota_catalog;

/* Loads the catalog: the embedded one (data_dir NULL) or data_dir's
 * (a data/ folder, or its catalog/ folder). FATAL with "FILE:LINE: reason"
 * in err when a file is malformed. */
iota_rc iota_catalog_load(iota_catalog **out, const char *data_dir, char *err, size_t errcap);
void iota_catalog_free(iota_catalog *c);

/* Writes a table of what the catalog holds: what is "standards", "checks",
 * "profiles", "evidence-keys", a standard's id (its provisions), or NULL
 * (the standards and the profiles). IOTA_WARN when what names nothing. */
iota_rc iota_catalog_list(const iota_catalog *c, const char *what, FILE *out);

/* Explains id: a check (what, why, fix, the provisions it serves), a
 * provision ("etsi-en-303-645:5.1-1", or "5.1-1" when one standard has it:
 * what it asks, how it is verified, the checks and evidence that answer it),
 * a standard, a profile or an evidence key. IOTA_WARN when nothing has that
 * id (nothing written). */
iota_rc iota_catalog_explain(const iota_catalog *c, const char *id, FILE *out);

/* Writes a commented vendor evidence file: every key the profile's
 * provisions ask for (all keys when profile is NULL), with its type, what
 * it is and the provisions it answers. IOTA_WARN for an unknown profile. */
iota_rc iota_catalog_evidence_template(const iota_catalog *c, const char *profile, FILE *out);

const char *iota_version(void);

#ifdef __cplusplus
}
#endif
#endif
