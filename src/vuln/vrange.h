/*
 * CPE names and version ranges, as the vulnerability sources write them.
 *
 * CPE: NISTIR 7695 (CPE 2.3 Naming): the formatted string binding
 * "cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:
 * target_sw:target_hw:other", '\' quoting the next character, '*' = ANY and
 * '-' = NA; and the older URI binding "cpe:/part:vendor:product:version:..."
 * that CVE records' cpes[] still use (percent-encoded).
 *
 * Ranges: NVD cpeMatch versionStart/End Including/Excluding; CVE JSON 5.1
 * versions[] (version, lessThan, lessThanOrEqual, where "*" is unbounded and
 * "6.1.*" means every 6.1.x); OSV events (introduced, fixed, last_affected).
 * Versions are ordered with iota_version_cmp (src/util/version.h).
 */
#ifndef IOTA_VULN_VRANGE_H
#define IOTA_VULN_VRANGE_H

#include <stddef.h>

enum {
	IOTA_CPE_PART,
	IOTA_CPE_VENDOR,
	IOTA_CPE_PRODUCT,
	IOTA_CPE_VERSION,
	IOTA_CPE_UPDATE,
	IOTA_CPE_EDITION,
	IOTA_CPE_LANGUAGE,
	IOTA_CPE_SW_EDITION,
	IOTA_CPE_TARGET_SW,
	IOTA_CPE_TARGET_HW,
	IOTA_CPE_OTHER,
	IOTA_CPE_FIELDS
};

typedef struct iota_cpe {
	char f[IOTA_CPE_FIELDS][128]; /* unquoted; "*" for ANY (and for absent URI fields) */
} iota_cpe;

/* Parses either binding. Vendor, product and part are folded to lower case.
 * Returns 0, or -1 if s is not a CPE name or a field is too long. */
int iota_cpe_parse(const char *s, iota_cpe *out);

/* True if the version value can be ordered against an upstream version:
 * not a git commit, not a distribution's package version (rpm, deb), has a
 * digit and no spaces ("n/a", free text). */
int iota_vr_orderable(const char *v, const char *version_type);

/* True if v lies in the range. exact: v equals it (NULL = not an exact
 * statement). start/end NULL or "*" = unbounded; an end "X.*" covers every
 * X.y when inclusive. */
int iota_vr_contains(const char *v, const char *exact, const char *start, int start_incl,
                     const char *end, int end_incl);

/* The range in words: "= 1.36.1", ">= 3.0.0, < 3.0.15", "<= 1.36.1", "all versions". */
void iota_vr_text(char *buf, size_t size, const char *exact, const char *start, int start_incl,
                  const char *end, int end_incl);

#endif
