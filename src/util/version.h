/*
 * Version ordering for the software found in firmware, where one scheme
 * never fits all: OpenSSL letter releases (1.0.2k < 1.0.2u < 1.1.0),
 * OpenSSH portable patches (9.2p1 > 9.2), dropbear's year.number (2022.83),
 * date versions (20230715), pre-releases (1.2.0-rc1 < 1.2.0, 2.0beta2 <
 * 2.0), Debian's '~' (1.0~rc1 < 1.0), and '.', '-', '_', '+' as equal
 * separators (1_2_3 == 1.2.3).
 *
 * Versions are split into runs of digits and runs of letters. Runs compare
 * pairwise: numbers by value (any length), letters by text, except that
 * pre-release words (dev < alpha < a < beta < b < pre < rc) rank below
 * everything else. When one version runs out first: a following number makes
 * the other greater (1.0 < 1.0.1); a following pre-release word makes it
 * smaller (1.0rc1 < 1.0); any other word makes it greater (1.0.2 < 1.0.2k,
 * 9.2 < 9.2p1); a '~' makes it smaller.
 */
#ifndef IOTA_UTIL_VERSION_H
#define IOTA_UTIL_VERSION_H

/* <0, 0, >0 as a is older than, equal to, or newer than b. */
int iota_version_cmp(const char *a, const char *b);

/* True if v has at least one digit: something that can be ordered. */
int iota_version_valid(const char *v);

#endif
