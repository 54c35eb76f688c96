/*
 * Shared helpers of the analyzer unit tests (tests/unit/test_analyze_*.c): a
 * temporary directory tree built file by file, a scan of it, and look-ups of
 * the scan's findings and attributes by path. See tree.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scan.h"
#include "tree.h"
#include "unit.h"

char root[256];

void mkparents(const char *path)
{
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
}

void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	mkparents(path);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

void put_bytes(const char *rel, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	mkparents(path);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

void put_link(const char *target, const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	mkparents(path);
	assert_int_equal(symlink(target, path), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/iota-test-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

int teardown(void **state)
{
	(void)state;
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

iota_scan *scan(void)
{
	iota_options opt;
	iota_options_init(&opt);
	iota_scan *s = NULL;
	assert_int_equal(iota_scan_open(&s, &opt), IOTA_OK);
	assert_int_equal(iota_scan_run(s, root), IOTA_OK);
	return s;
}

iota_node *node_at(iota_scan *s, const char *rel)
{
	iota_node *n = s->root;
	const char *p = rel;
	while (n && *p) {
		size_t l = strcspn(p, "/");
		n = iota_vfs_child(s, n, p, l);
		p += l;
		if (*p == '/')
			p++;
	}
	return n;
}

bool at_path(const iota_finding *f, const char *rel)
{
	char path[512];
	return f->node && iota_node_inner_path(f->node, path, sizeof path) >= 0 &&
	       !strcmp(path, rel);
}

/* Findings of check (all files when rel is NULL). */
size_t count(iota_scan *s, const char *check, const char *rel)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfindings; i++)
		if (!strcmp(s->findings[i].check, check) && (!rel || at_path(&s->findings[i], rel)))
			n++;
	return n;
}

size_t count_prefix(iota_scan *s, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfindings; i++)
		if (!strncmp(s->findings[i].check, prefix, strlen(prefix)))
			n++;
	return n;
}

const iota_finding *find(iota_scan *s, const char *check, const char *rel)
{
	for (size_t i = 0; i < s->nfindings; i++)
		if (!strcmp(s->findings[i].check, check) && at_path(&s->findings[i], rel))
			return &s->findings[i];
	fail_msg("no %s finding at %s", check, rel);
	return NULL;
}

const char *attr(iota_scan *s, const char *rel, const char *key)
{
	iota_node *n = node_at(s, rel);
	assert_non_null(n);
	return iota_node_attr_get(n, key);
}

/* A root file system: etc/ and bin/ make it one. */
void rootfs(void)
{
	put("etc/passwd", "root:x:0:0:root:/root:/bin/ash\n");
	put("bin/busybox", "placeholder\n");
}
