/*
 * The analyzer table. An analyzer is one file src/analyze/analyze_<name>.c
 * defining
 *	const iota_analyzer iota_analyzer_<name> = { .name = "<name>", ... };
 * CMake generates the table from the file names, as for unpackers.
 *
 * run_file() is called during a file's visit, on a worker thread, after the
 * file's own containers were unpacked (so n->first_child lists them), for
 * every regular file that wants() accepts; b is valid for the call only.
 * Several files are analyzed at once: an analyzer keeps no global state, or
 * locks it. run_tree() is called once after every visit, on one thread, to
 * look across files. Analyzers emit through iota_finding_add() and the
 * component model; they never print.
 */
#ifndef IOTA_CORE_ANALYZER_H
#define IOTA_CORE_ANALYZER_H

#include "core/scan.h"

typedef struct iota_analyzer {
	const char *name;
	const char *description;
	/* cheap filter on the node and its first bytes; NULL = every file */
	int (*wants)(const iota_node *n, const uint8_t *head, size_t head_len);
	void (*run_file)(iota_scan *s, iota_node *n, const iota_blob *b);
	void (*run_tree)(iota_scan *s);
} iota_analyzer;

extern const iota_analyzer *const iota_analyzers[];

/* Runs the per-file analyzers on n (engine, during the visit). */
void iota_analyze_file(iota_scan *s, iota_node *n, const iota_blob *b);
/* Runs the whole-tree analyzers (engine, after the visits). */
void iota_analyze_tree(iota_scan *s);

#endif
