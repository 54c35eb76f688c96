/*
 * Replays fuzz inputs without libFuzzer: links with one target's
 * LLVMFuzzerTestOneInput and calls it once per file named on the command
 * line, or per file found (recursively, in name order) below a directory
 * named there. ctest runs it over fuzz/corpus/<target>/ in every build, so
 * each seed and each input that ever crashed stays a test after its fix,
 * also in gcc builds without libFuzzer (after the idea of zstd's
 * tests/fuzz/regression_driver.c and SQLite's fuzzcheck).
 *
 * Every input is copied into a heap block of exactly its size, so a
 * sanitizer build sees a read past its end. A crash ends the run with the
 * file's name printed just before; otherwise it prints the count and exits
 * 0. A missing directory is an error: a corpus that moved must not turn the
 * test silently green. Files whose names start with '.' are skipped (editor
 * and VCS leftovers).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_BYTES (64u << 20)

static unsigned long replayed;
static int verbose;

static int replay_file(const char *path, off_t size)
{
	if (size < 0 || (uint64_t)size > REPLAY_MAX_BYTES) {
		fprintf(stderr, "regression: %s: larger than %u bytes, skipped\n", path,
		        REPLAY_MAX_BYTES);
		return 0;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "regression: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = (size_t)size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		fprintf(stderr, "regression: %s: cannot read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (verbose)
		fprintf(stderr, "regression: %s (%zu bytes)\n", path, n);
	/* so the name is on the terminal before a crash kills us */
	fflush(stderr);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	replayed++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path, int depth)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "regression: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? replay_file(path, st.st_size) : 0;
	if (depth > 16)
		return 0;
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "regression: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t nn = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (nn == cap) {
			cap = cap ? cap * 2 : 64;
			char **nv = realloc(names, cap * sizeof *nv);
			if (!nv) {
				rc = -1;
				break;
			}
			names = nv;
		}
		size_t len = strlen(path) + 1 + strlen(e->d_name) + 1;
		names[nn] = malloc(len);
		if (!names[nn]) {
			rc = -1;
			break;
		}
		snprintf(names[nn], len, "%s/%s", path, e->d_name);
		nn++;
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof *names, cmp_names);
	for (size_t i = 0; i < nn; i++) {
		if (rc == 0 && replay(names[i], depth + 1) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = first; i < argc; i++)
		if (replay(argv[i], 0) != 0)
			return 1;
	printf("regression: %lu inputs replayed without a crash\n", replayed);
	return 0;
}
