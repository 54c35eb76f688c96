/*
 * Matching components against the vulnerability database (scan_match.c):
 * shared by iota_scan_match() and the re-matching of a stored SBOM, so
 * that both ask the database the same questions.
 */
#ifndef IOTA_VULN_SCAN_MATCH_H
#define IOTA_VULN_SCAN_MATCH_H

#include "core/scan.h"
#include "iotaudit/vulndb.h"

/* What a component is, as far as matching cares. purl says whether it is a
 * distribution's build (pkg:deb/..., pkg:apk/...); ecosystem is the OSV
 * ecosystem of that distribution release ("Debian:12"), NULL if unknown. */
typedef struct iota_match_input {
	const char *name;
	const char *version;
	const char *vendor;
	const char *purl;
	const char *cpe;
	const char *ecosystem;
	/* the Linux kernel: enabled CONFIG_ symbols when the image shows its
	 * configuration (kconfig_known); CVEs in code left out are then not
	 * applicable, and returned as such with the reason */
	const char *const *kconfig_enabled;
	int kconfig_known;
} iota_match_input;

/* The product a distribution package is built from, as the database knows
 * it ("libc6" -> "glibc", "dropbear-bin" -> "dropbear"), written to out;
 * the name itself when no mapping applies. */
void iota_match_product(const char *package, char *out, size_t cap);

/* The upstream release in a distribution package version: epoch, Debian
 * revision or Alpine -rN, and repack suffixes (+dfsg, ~ds) removed
 * ("1:1.2.13.dfsg-1" -> "1.2.13"). */
void iota_match_upstream_version(const char *version, char *out, size_t cap);

/* Matches one component. A distribution build is asked twice: its upstream
 * release against upstream ranges (NVD, CVE records, descriptions), and its
 * package version against the distribution's own statements (OSV), which
 * decide where they exist (they know backported fixes); upstream verdicts
 * on a distribution build say so in their status text. *out is the merged
 * result (free with iota_vuln_result_free), matches in the matcher's order. */
iota_rc iota_match_component(iota_vulndb *db, const iota_match_input *in, iota_vuln_result **out);

/* The database's description for reports: "N CVE records; nvd newest ...;
 * kev catalog ..." (no time of import, so reports stay reproducible). A new
 * string (iota_free) or NULL. */
char *iota_match_db_summary(iota_vulndb *db);

/* Frees the strings and evidence of one match and zeroes it (vuln_match.c). */
void iota_vuln_match_release(iota_vuln_match *m);

/* Works out, once per scan and without a database, what the SBOM writers
 * and the matcher share: each component's exposure, the package owning
 * each ELF file (attribute "sbom.package" = "NAME VERSION" from dpkg/opkg
 * file lists) and the distribution release of each package database
 * (attribute "sbom.ecosystem" on its node, "Debian:12"). */
iota_rc iota_scan_sbom_links(iota_scan *s);

#endif
