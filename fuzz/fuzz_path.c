/*
 * Fuzz target "util_path": the member-name cleaner and the symbolic-link
 * containment test of src/util/path.c, which stand between names read from
 * an image and the output directory of `iotaudit extract`.
 *
 * Besides memory errors it checks the contracts of path.h and aborts when
 * one is broken:
 *  - a cleaned name is relative, has no empty, "." or ".." component, no
 *    backslash or NUL, fits in its buffer, and cleaning it again changes
 *    nothing;
 *  - iota_path_link_inside() agrees with an independent resolution of the
 *    link: directory and target joined and cleaned, where any ".." that
 *    would climb above the root means "outside" (for names without
 *    backslashes or NULs, which the two functions treat differently on
 *    purpose: link targets are POSIX paths, member names may be DOS ones).
 * Input: "<name>\n<target>"; the first part is also the link's directory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 512

static void check_clean(const char *out, int flags, size_t cap)
{
	size_t n = strlen(out);
	if (n >= cap)
		abort();
	if ((n == 0) != ((flags & IOTA_PATH_EMPTY) != 0))
		abort();
	if (n && (out[0] == '/' || out[n - 1] == '/'))
		abort();
	if (strchr(out, '\\'))
		abort();
	for (const char *p = out; *p;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		if (!e)
			break;
		p = e + 1;
	}
	char again[CAP];
	int f2 = iota_path_clean(out, n, again, sizeof again);
	if (f2 < 0 || strcmp(again, out) != 0 || (f2 & ~IOTA_PATH_EMPTY))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	size_t name_len = nl ? (size_t)(nl - in) : size;

	/* every buffer size up to the name's, to exercise the "too small" path */
	char out[CAP];
	int flags = -1;
	for (size_t cap = name_len < CAP ? name_len + 1 : CAP; cap > 0;
	     cap = cap > 8 ? cap / 2 : cap - 1) {
		int f = iota_path_clean(in, name_len, out, cap);
		if (f >= 0)
			check_clean(out, f, cap);
		if (cap == (name_len < CAP ? name_len + 1 : CAP))
			flags = f;
	}
	if (!nl || flags < 0)
		return 0;

	char dir[CAP];
	if (iota_path_clean(in, name_len, dir, sizeof dir) < 0)
		return 0;
	size_t tlen = size - name_len - 1;
	char *target = malloc(tlen + 1);
	if (!target)
		return 0;
	memcpy(target, nl + 1, tlen);
	target[tlen] = '\0';
	int inside = iota_path_link_inside(dir, target);

	/* the oracle, for plain POSIX names */
	if (strlen(target) == tlen && !memchr(target, '\\', tlen) && !memchr(in, '\\', name_len)) {
		int expect = 0;
		if (tlen && target[0] != '/') {
			size_t dl = strlen(dir);
			char *joined = malloc(dl + 1 + tlen + 1);
			char *res = malloc(dl + 1 + tlen + 2);
			if (!joined || !res) {
				free(joined);
				free(res);
				free(target);
				return 0;
			}
			memcpy(joined, dir, dl);
			joined[dl] = '/';
			memcpy(joined + dl + 1, target, tlen + 1);
			int f = iota_path_clean(joined, dl + 1 + tlen, res, dl + 1 + tlen + 2);
			expect = f >= 0 && !(f & IOTA_PATH_DOTDOT);
			free(joined);
			free(res);
		}
		if (inside != expect)
			abort();
	}
	free(target);
	return 0;
}
