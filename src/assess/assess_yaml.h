/*
 * Strict reading of the assessment's YAML files (catalog, vendor evidence,
 * tailoring, policy) with libfyaml: every error is one line
 * "FILE:LINE: reason" in the caller's buffer, LINE 1-based.
 *
 * The files are small and written by people: a document is built whole
 * (fy_document_build_from_string) and walked; the helpers check kinds and
 * allowed keys so that a typo is an error, never a silently ignored key.
 */
#ifndef IOTA_ASSESS_YAML_H
#define IOTA_ASSESS_YAML_H

#include <libfyaml.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct ay_file {
	const char *name;          /* shown in errors: the path, or "catalog/checks.yaml" */
	struct fy_document *doc;
	char *owned;               /* the bytes when read from a file (the document points into them) */
	char *err;                 /* the caller's buffer */
	size_t errcap;
	iota_arena *arena;         /* strings are copied here */
	int allow_empty;           /* an empty document is an empty mapping (ay_root() NULL) */
} ay_file;

/* Most bytes one assessment YAML file may have (an evidence or policy file is
 * a page; the biggest catalog file a few hundred KiB). */
#define AY_MAX_BYTES (8u << 20)

/* Parses bytes (which must outlive the file: the document refers to them).
 * 0, or -1 with the error written. The root must be a mapping. */
int ay_open_bytes(ay_file *f, const char *name, const char *bytes, size_t len);
/* Reads and parses a file on disk. */
int ay_open_path(ay_file *f, const char *path);
void ay_close(ay_file *f);

struct fy_node *ay_root(const ay_file *f);
int ay_line(const struct fy_node *n); /* 1-based; 0 when unknown */

/* Writes "NAME:LINE: message" and returns -1. */
int ay_fail(ay_file *f, struct fy_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Checks that n is a mapping whose keys are all scalars in allowed
 * (NULL-terminated) and that every key in required is present. */
int ay_check_map(ay_file *f, struct fy_node *n, const char *what, const char *const *allowed,
		 const char *const *required);

/* Whether mapping map has key (its value may be null). */
int ay_has(struct fy_node *map, const char *key);
/* The value of key in mapping n, NULL if absent. */
struct fy_node *ay_get(struct fy_node *n, const char *key);

/* A scalar as a NUL-terminated arena string; -1 (error written) when n is not
 * a scalar. A YAML null (~, null, empty) gives "" and sets *is_null when given. */
int ay_str(ay_file *f, struct fy_node *n, const char *what, const char **out, int *is_null);
/* A non-empty string value of key in map (required). */
int ay_req_str(ay_file *f, struct fy_node *map, const char *key, const char **out);
/* As above, NULL when the key is absent. */
int ay_opt_str(ay_file *f, struct fy_node *map, const char *key, const char **out);
/* A sequence of non-empty scalars as a NULL-terminated arena array. */
int ay_str_list(ay_file *f, struct fy_node *n, const char *what, const char ***out, size_t *count);
/* Checks a YYYY-MM-DD date (a real calendar day). 0 or -1, no message. */
int ay_date_valid(const char *s);

#endif
