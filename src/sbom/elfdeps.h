/*
 * The ELF dependency graph as the ELF analyzer recorded it: every library a
 * file loads is listed in its attribute elf.libraries, comma-separated real
 * paths inside the file's container (DT_NEEDED resolved the way the dynamic
 * loader would). The SBOM writers (dependencies) and the exposure of
 * components (scan_match.c) walk it through this one function.
 */
#ifndef IOTA_SBOM_ELFDEPS_H
#define IOTA_SBOM_ELFDEPS_H

#include "core/scan.h"

/* Calls fn(ctx, lib) for each library n loads whose node exists and is of
 * n's machine type (a mixed tree may hold libraries of other
 * architectures under the same names). Stops at the first non-zero return
 * of fn and returns it; 0 otherwise. */
int iota_elf_each_library(iota_scan *s, const iota_node *n,
                          int (*fn)(void *ctx, iota_node *lib), void *ctx);

#endif
