/*
 * Shared helpers of the analyzer unit tests: each test builds a small tree of
 * real-format files below 'root' (a fresh mkdtemp directory per test:
 * setup/teardown are the cmocka fixtures), scans it, and asserts findings and
 * attributes by path inside the tree.
 */
#ifndef IOTA_TEST_TREE_H
#define IOTA_TEST_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/scan.h"

extern char root[256];

int setup(void **state);
int teardown(void **state);

/* Files below root; parent directories are made. */
void mkparents(const char *path);
void put(const char *rel, const char *text);
void put_bytes(const char *rel, const void *data, size_t len);
void put_link(const char *target, const char *rel);
/* etc/ and bin/: what makes the tree a root file system to the analyzers */
void rootfs(void);

/* A finished scan of root (free with iota_scan_free). */
iota_scan *scan(void);

iota_node *node_at(iota_scan *s, const char *rel);
bool at_path(const iota_finding *f, const char *rel);
/* Findings of check at rel (any file when rel is NULL). */
size_t count(iota_scan *s, const char *check, const char *rel);
size_t count_prefix(iota_scan *s, const char *prefix);
/* The finding of check at rel; fails the test when there is none. */
const iota_finding *find(iota_scan *s, const char *check, const char *rel);
/* Attribute key of the node at rel (which must exist), or NULL. */
const char *attr(iota_scan *s, const char *rel, const char *key);

#endif
