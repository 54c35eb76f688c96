/*
 * Binary signatures: which product, in which version, a file's bytes carry.
 *
 * A signature set is loaded from YAML (the files under data/signatures/; the format is
 * in docs/adding-a-signature.md). Every signature has a literal prefilter and
 * a PCRE2 regular expression whose first capture group (or the group named
 * "version") is the version. All prefilters go into one Hyperscan literal
 * database, so a file is read once whatever the number of products; only at
 * a prefilter hit is that one product's expression run, on a window around
 * the hit. Without a usable Hyperscan platform a memmem() pass per prefilter
 * does the same, slower.
 *
 * Ownership: a set owns everything it holds; hits handed to the callback
 * live for the call only. A set is read-only once loaded and may be scanned
 * from several threads at once (each thread gets its own Hyperscan scratch).
 */
#ifndef IOTA_SBOM_SIGNATURES_H
#define IOTA_SBOM_SIGNATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOTA_SIG_MAX_HINTS 32

typedef struct iota_sig {
	const char *product;     /* our component id ("openssl") */
	const char *vendor;      /* human vendor name, may be NULL */
	const char *cpe_vendor;  /* NVD's CPE vendor, NULL = no CPE */
	const char *cpe_product; /* NVD's CPE product */
	char cpe_part;           /* 'a' application, 'o' operating system */
	const char *purl_type;   /* "generic" unless said otherwise */
	const char *prefilter;   /* literal, may hold NUL bytes */
	size_t prefilter_len;
	const char *regex;            /* PCRE2 source */
	unsigned before;              /* bytes before the prefilter the regex may start at */
	const char *filename_version; /* PCRE2 on the base name capturing the version, or NULL */
	/* a literal a real copy also holds (a library's own string that a
	 * program merely compiled against its headers lacks); NULL = none */
	const char *confirm;
	size_t confirm_len;
	bool is_only; /* "contains: false": credit only the files that are the
	               * product (its version string also shows in plug-ins) */
	/* file names (fnmatch patterns on the base name) and soname prefixes of
	 * the files that ARE the product; a binary that DT_NEEDs one of the
	 * sonames only uses the product */
	const char *files[IOTA_SIG_MAX_HINTS];
	const char *sonames[IOTA_SIG_MAX_HINTS];
	unsigned nfiles, nsonames;
} iota_sig;

typedef struct iota_sigdb iota_sigdb;

typedef struct iota_sig_hit {
	const iota_sig *sig;
	unsigned index;      /* of sig in the set */
	uint64_t offset;     /* where the match starts in the scanned bytes */
	const char *version; /* the captured version */
	const char *match;   /* the whole matched text, printable, cut at 200 bytes */
} iota_sig_hit;

/* Called once per distinct (signature, version) in a scan, at its first
 * offset. Return non-zero to stop the scan. */
typedef int (*iota_sig_fn)(void *ctx, const iota_sig_hit *hit);

/* Loads and compiles the signatures of the YAML documents texts[0..n)
 * (names[i] names texts[i] in messages). NULL on error, with a message in
 * err ("crypto.yaml: signature 3 (openssl): regex: ..."). */
iota_sigdb *iota_sigdb_load(const char *const *texts, const size_t *lens, const char *const *names,
                            size_t n, char *err, size_t errsz);

/* The built-in set from data/signatures/ (compiled once per process, on
 * first use; thread-safe). NULL if it does not load (err says why). */
const iota_sigdb *iota_sigdb_builtin(char *err, size_t errsz);

void iota_sigdb_free(iota_sigdb *db);

size_t iota_sigdb_count(const iota_sigdb *db);
const iota_sig *iota_sigdb_get(const iota_sigdb *db, size_t i);
/* The first signature of product, or NULL. */
const iota_sig *iota_sigdb_find(const iota_sigdb *db, const char *product);

/* One pass over data[0..len): every prefilter hit runs its signature's
 * expression; fn gets each distinct (signature, version). Returns 0, 1 if
 * hits were dropped because a bound was reached, -1 on error. */
int iota_sigdb_scan(const iota_sigdb *db, const uint8_t *data, size_t len, iota_sig_fn fn,
                    void *ctx);

/* The signatures with a filename_version whose expression matches the base
 * name: fn gets each (match = the name, offset = UINT64_MAX). */
int iota_sigdb_match_name(const iota_sigdb *db, const char *name, iota_sig_fn fn, void *ctx);

/* The names of the data files the built-in set is read from (NULL-ended). */
extern const char *const iota_sig_files[];

/* Writes the CPE 2.3 name and purl of sig at version into cpe/purl (empty
 * when the signature has none). Characters CPE 2.3 reserves are escaped. */
void iota_sig_ids(const iota_sig *sig, const char *version, char *cpe, size_t cpecap, char *purl,
                  size_t purlcap);

/* busybox: the compiled-in applet list (applet_names[], the NUL-separated
 * sorted names, "[" "[[" "acpid" ...) found in data: writes them comma-
 * separated into out and returns their count, 0 if none was found. */
size_t iota_busybox_applets(const uint8_t *data, size_t len, char *out, size_t cap);

#endif
