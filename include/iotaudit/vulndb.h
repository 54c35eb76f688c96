/*
 * iotaudit — the offline vulnerability database (public API).
 *
 * A SQLite file holding CVE records (NVD API 2.0, CVE JSON 5 with its CNA
 * and ADP containers, OSV), their affected version ranges and the CISA KEV
 * catalog, and a matcher that answers "which known vulnerabilities concern
 * product P in version V" with the source of every statement.
 *
 * Like the rest of the library it never prints and never exits. Messages
 * about skipped records go to the note callback; the last error is kept on
 * the handle (iota_vulndb_error()). Strings in returned structures belong to
 * them and are freed with them.
 */
#ifndef IOTAUDIT_VULNDB_H
#define IOTAUDIT_VULNDB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iotaudit/iotaudit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iota_vulndb iota_vulndb;

/* Open modes. WRITE creates the file (and its folder) when missing and
 * migrates an older schema; READ refuses a file that does not exist. */
enum { IOTA_VULNDB_READ = 0, IOTA_VULNDB_WRITE = 1 };

/* Writes the default database path into buf: $XDG_DATA_HOME/iotaudit/vuln.db,
 * else $HOME/.local/share/iotaudit/vuln.db. Returns 0, or -1 when neither
 * variable is set or the path does not fit. */
int iota_vulndb_default_path(char *buf, size_t size);

/* Opens the database at path. *out is set whenever memory allows, also on
 * failure, so that iota_vulndb_error() can say why; close it in any case. */
iota_rc iota_vulndb_open(iota_vulndb **out, const char *path, int mode);
void iota_vulndb_close(iota_vulndb *db);
const char *iota_vulndb_error(const iota_vulndb *db);

/* Receives one line per skipped record or file ("FILE: CVE-...: reason") and
 * progress of db update. NULL = none. */
typedef void (*iota_vulndb_note_fn)(void *ctx, const char *msg);
void iota_vulndb_set_notes(iota_vulndb *db, iota_vulndb_note_fn fn, void *ctx);

/* ---- import ---- */

typedef struct iota_vulndb_import_stats {
	char format[32];    /* of the last file: "nvd", "cve5", "osv", "kev-json", "kev-csv" */
	uint64_t files;     /* files read */
	uint64_t records;   /* records seen */
	uint64_t added;     /* new */
	uint64_t updated;   /* replaced a stored older version */
	uint64_t unchanged; /* the stored copy was as new or newer */
	uint64_t skipped;   /* malformed records and unrecognised files (one note each) */
} iota_vulndb_import_stats;

/* Imports one file or a directory tree of files. The format of each file is
 * told from its content: an NVD API 2.0 response page or a bare NVD cve
 * record, a CVE JSON 5 record, an OSV record (or array of them), the CISA
 * KEV catalog as JSON or CSV. Records are upserted by (source, id): the same
 * file imported twice changes nothing. One transaction per call: an
 * interrupted import leaves the database as it was. Counters are added to
 * *st (zero it first). Returns OK; WARN when records or files were skipped;
 * CORRUPT when a file could not be read as a whole (its good records are
 * kept; iota_vulndb_error() names the file and what is wrong); FATAL on a
 * database error (nothing of this call is kept). */
iota_rc iota_vulndb_import(iota_vulndb *db, const char *path, iota_vulndb_import_stats *st);

/* ---- update over HTTPS (NVD API 2.0) ---- */

typedef struct iota_vulndb_update_options {
	const char *url;           /* NULL: https://services.nvd.nist.gov/rest/json/cves/2.0 */
	const char *api_key;       /* sent as the apiKey header; NULL = none */
	unsigned results_per_page; /* 0: 2000 (the API's maximum) */
	long delay_ms;      /* pause between requests; <0: NVD's advice (6 s, 0.6 s with a key) */
	unsigned retries;   /* per request on 403/429/5xx or a broken transfer; 0: 5 */
	unsigned max_pages; /* stop after this many pages (resumable); 0 = no limit */
	int full;           /* forget the stored position and download everything */
	const char *now;    /* "YYYY-MM-DDTHH:MM:SS" UTC to use as now (tests); NULL = clock */
} iota_vulndb_update_options;

void iota_vulndb_update_options_init(iota_vulndb_update_options *o);

/* Downloads the records modified since the last complete update (the whole
 * NVD the first time), in windows of at most 120 days, page by page. Each
 * page is imported and the position stored in one transaction, so an
 * interrupted update resumes where it stopped. Returns OK, WARN (records
 * skipped), or FATAL with the reason in iota_vulndb_error(). */
iota_rc iota_vulndb_update(iota_vulndb *db, const iota_vulndb_update_options *o,
                           iota_vulndb_import_stats *st);

/* ---- info ---- */

typedef struct iota_vulndb_source_info {
	char *name;       /* nvd, cve5, osv, kev */
	char *format;     /* as detected */
	char *file;       /* the path imported, or the URL updated from */
	uint64_t records; /* records in that file at its last import */
	uint64_t skipped;
	char *imported_at; /* UTC, ISO 8601 */
	char *newest;      /* newest lastModified / dateUpdated / catalog date seen */
} iota_vulndb_source_info;

typedef struct iota_vulndb_status_count {
	char *source; /* nvd, cve5, osv */
	char *status; /* NVD vulnStatus, CVE record state, OSV: Published / Withdrawn */
	uint64_t records;
	uint64_t structured; /* of them, with affected version data */
} iota_vulndb_status_count;

/* One source in all: its records (whatever file they came from), how many
 * carry structured version data, the newest record date. */
typedef struct iota_vulndb_source_total {
	char *source; /* nvd, cve5, osv, kev */
	uint64_t records;
	uint64_t structured;    /* with affected version data (kev: every entry) */
	uint64_t program_files; /* naming source files (the kernel CNA's programFiles) */
	char *newest;           /* newest lastModified / dateUpdated / modified / KEV dateAdded */
} iota_vulndb_source_total;

typedef struct iota_vulndb_info {
	char *path;
	int schema_version;
	uint64_t cves;        /* distinct ids */
	uint64_t ranges;      /* affected entries */
	uint64_t kev;         /* KEV entries */
	char *kev_catalog;    /* catalogVersion of the KEV import, NULL if none */
	char *update_last;    /* end of the last complete db update, NULL if none */
	char *update_pending; /* an interrupted update: "window START..END at index N" */
	iota_vulndb_source_info *sources;
	size_t nsources;
	iota_vulndb_status_count *statuses;
	size_t nstatuses;
	iota_vulndb_source_total *totals; /* by source name */
	size_t ntotals;
} iota_vulndb_info;

iota_rc iota_vulndb_info_get(iota_vulndb *db, iota_vulndb_info **out);
void iota_vulndb_info_free(iota_vulndb_info *info);

/* ---- matching ---- */

typedef enum iota_vuln_status {
	IOTA_VULN_AFFECTED = 0,    /* a structured range contains the version */
	IOTA_VULN_CONDITIONAL = 1, /* affected only on/with a platform (NVD AND-configuration) */
	IOTA_VULN_UNKNOWN = 2,     /* records name the product without usable version data */
	IOTA_VULN_NOT_AFFECTED = 3 /* a source says explicitly that this version is not affected */
} iota_vuln_status;

const char *iota_vuln_status_name(iota_vuln_status s);

enum {
	/* also return NOT_AFFECTED matches (VEX-style statements) */
	IOTA_VULN_INCLUDE_NOT_AFFECTED = 1u << 0,
	/* also return the matches the kernel configuration rules out
	 * (implied by IOTA_VULN_INCLUDE_NOT_AFFECTED) */
	IOTA_VULN_INCLUDE_NOT_APPLICABLE = 1u << 1
};

typedef struct iota_vuln_query {
	const char *name;      /* iotaudit product id ("openssl"), or another product name */
	const char *version;   /* as found: "1.0.2k", "9.2p1", "2022.83" */
	const char *vendor;    /* optional: CPE vendor, narrows the identity */
	const char *cpe;       /* optional: CPE 2.3 of the component */
	const char *ecosystem; /* optional: OSV ecosystem of a distro build ("Debian:12");
	                          version is then the distro package version */
	unsigned flags;
	/* optional, for the Linux kernel: the symbols its configuration sets to
	 * y or m ("CONFIG_NET_SCH_TAPRIO", with or without the prefix), NULL-
	 * terminated, any order (iota_kconfig.enabled fits). With kconfig_known
	 * set, a CVE whose source files (CVE JSON 5 programFiles) all lie in
	 * code this configuration leaves out is NOT applicable: status
	 * NOT_AFFECTED, match.not_applicable says why, result.not_applicable
	 * counts them. kconfig_known = 0: no filtering (the list is ignored). */
	const char *const *kconfig_enabled;
	int kconfig_known;
} iota_vuln_query;

/* One statement of one source about the queried version. */
typedef struct iota_vuln_evidence {
	char *source; /* nvd-cpe, cve5-cna, cve5-adp, osv, description */
	iota_vuln_status status;
	char *range;     /* the range as the source gives it, in words */
	char *condition; /* CONDITIONAL: the platform part of the configuration */
	char *note;      /* why: quoted phrase, "defaultStatus", "git commits cannot be ordered" */
} iota_vuln_evidence;

typedef struct iota_vuln_match {
	char *cve;
	iota_vuln_status
	    status; /* the strongest statement: AFFECTED > CONDITIONAL > UNKNOWN > NOT */
	char
	    *status_text; /* "affected", "unknown: record awaiting analysis mentions the product" */
	char *confidence; /* "confirmed" (structured range), "candidate" (the description's
	                     own words), "unassessed" (named without version data) */
	char *nvd_status; /* NVD vulnStatus, NULL when NVD has no record */
	char *published;
	char *description; /* English, first of NVD / CVE record / OSV */
	double cvss3;      /* base score, <0 when none */
	char *cvss3_vector;
	char *cvss3_severity;
	double cvss4;
	char *cvss4_vector;
	char *cvss4_severity;
	int kev;
	char *kev_added;
	char *kev_due;
	char *kev_ransomware; /* "Known" / "Unknown" */
	iota_vuln_evidence *evidence;
	size_t nevidence;
	/* the kernel configuration leaves the CVE's code out: "net/sched/
	 * sch_taprio.c needs CONFIG_NET_SCH_TAPRIO, not set" (status is then
	 * NOT_AFFECTED; for VEX: not_affected, code_not_present); else NULL */
	char *not_applicable;
} iota_vuln_match;

typedef struct iota_vuln_result {
	iota_vuln_match *matches; /* affected first, then conditional, unknown, not affected;
	                             by CVSS and id within */
	size_t count;
	int identity_known; /* the name is in data/vuln/products.tsv */
	char *identity;     /* the keys searched, for the record: "cpe busybox:busybox; ..." */
	size_t unknown;     /* matches with status UNKNOWN */
	/* kernel configuration filtering (query.kconfig_known): how many CVEs
	 * that would otherwise match were ruled out, and why, grouped by the
	 * missing symbol: "CONFIG_DRM_AMDGPU not set: 1; CONFIG_NF_TABLES not
	 * set: 2" (NULL when none); kconfig_checked = CVEs whose source files
	 * were looked at (the others name no files: kept as they are) */
	size_t not_applicable;
	char *not_applicable_why;
	size_t kconfig_checked;
} iota_vuln_result;

iota_rc iota_vulndb_match(iota_vulndb *db, const iota_vuln_query *q, iota_vuln_result **out);
void iota_vuln_result_free(iota_vuln_result *r);

/* Re-matches the components of a CycloneDX JSON SBOM that iotaudit wrote
 * (scan --format cyclonedx) against this database, without the image, and
 * writes the matches to out: IOTA_FORMAT_TEXT (a table; 'color' adds ANSI
 * colours), IOTA_FORMAT_JSON (components with their matches, as the scan's
 * JSON report gives them), or IOTA_FORMAT_CYCLONEDX (the same document with
 * its vulnerabilities replaced). Exposure is kept as the scan found it.
 * FATAL with iota_vulndb_error() saying why when the file is not such a
 * document. */
iota_rc iota_vulndb_match_sbom(iota_vulndb *db, const char *path, iota_format f, FILE *out,
                               int color);
/* ---- the Linux kernel: its configuration and version ---- */

typedef struct iota_kconfig {
	char **enabled; /* "CONFIG_X" set to y or m: sorted, unique, NULL-terminated */
	size_t count;
	char *version; /* "6.1.0" from "# Linux/arm 6.1.0 Kernel Configuration", or NULL */
} iota_kconfig;

/* Reads a .config text. IOTA_CORRUPT when it does not read as one (neither
 * the "# Linux/... Kernel Configuration" header nor 100 CONFIG_ lines). */
iota_rc iota_kconfig_from_text(const char *text, size_t len, iota_kconfig **out);
/* Reads a configuration from any of: a kernel image with CONFIG_IKCONFIG
 * ("IKCFG_ST" + gzip + "IKCFG_ED" anywhere in it, as the lifecycle analyzer
 * records with the node attribute kernel.config_embedded), a gzip file
 * (/proc/config.gz), or a .config text. WARN when the text was cut at 8 MiB. */
iota_rc iota_kconfig_from_bytes(const void *data, size_t len, iota_kconfig **out);
void iota_kconfig_free(iota_kconfig *k);

/* The upstream release to match a kernel with: Debian's banner names it
 * ("... SMP Debian 6.1.76-1 (2024-02-01)" gives "6.1.76"), where the
 * release string "6.1.0-18-amd64" names only the ABI. version is the
 * release string (kernel.version), banner the whole banner (kernel.banner;
 * may be NULL). Returns 1 with the version in out; 0 when the stable release
 * cannot be told (out holds the best guess, e.g. "6.1.0"). */
int iota_kernel_upstream_version(const char *version, const char *banner, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
