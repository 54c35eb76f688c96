/*
 * Kernel configurations and the kbuild table (kconfig.c): inside the
 * library. The public part (iota_kconfig, its readers) is in
 * include/iotaudit/vulndb.h.
 */
#ifndef IOTA_VULN_KCONFIG_H
#define IOTA_VULN_KCONFIG_H

#include <stddef.h>

#include "iotaudit/vulndb.h"

/* One line of data/vuln/kernel-objects.tsv; the strings point into the
 * embedded data (not NUL-terminated). */
typedef struct iota_kobj {
	const char *path; /* "net/sched/" (folder) or "net/sched/sch_taprio" (file) */
	size_t plen;
	const char *cond; /* "A+B|C" */
	size_t clen;
} iota_kobj;

typedef struct iota_kobjs {
	iota_kobj *v; /* sorted by path */
	size_t n;
} iota_kobjs;

/* Loads the table once (no-op when loaded). 0, or -1 (out of memory, or
 * the data file is not built in). */
int iota_kobjs_load(iota_kobjs *t);
void iota_kobjs_free(iota_kobjs *t);

/* Whether source file path ("net/sched/sch_taprio.c", a header) is built
 * with the enabled symbols en[0..nen) (sorted; with or without "CONFIG_").
 * 1 built, 0 left out (why says which file needs which symbol), -1 the
 * table does not know the path (taken as built by the caller). */
int iota_kobjs_built(const iota_kobjs *t, const char *const *en, size_t nen, const char *path,
                     char *why, size_t whysz);

/* Whether symbol sym[0..len) (without "CONFIG_") is in the sorted list. */
int iota_kconfig_has(const char *const *sorted, size_t n, const char *sym, size_t len);

#endif
