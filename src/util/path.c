/* Member-name cleaning (see path.h). */
#include "util/path.h"

#include <string.h>

int iota_path_clean(const char *name, size_t len, char *out, size_t cap)
{
	int flags = 0;
	size_t o = 0;
	size_t i = 0;

	if (cap == 0)
		return -1;
	while (i < len && (name[i] == '/' || name[i] == '\\')) {
		flags |= IOTA_PATH_ABSOLUTE;
		i++;
	}
	while (i < len) {
		size_t s = i;
		while (i < len && name[i] != '/' && name[i] != '\\' && name[i] != '\0')
			i++;
		size_t n = i - s;
		if (i < len && name[i] == '\0')
			len = i; /* a NUL ends the name */
		i++;
		if (n == 0 || (n == 1 && name[s] == '.'))
			continue;
		if (n == 2 && name[s] == '.' && name[s + 1] == '.') {
			if (o == 0) {
				flags |= IOTA_PATH_DOTDOT;
				continue;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o + (o ? 1 : 0) + n + 1 > cap)
			return -1;
		if (o)
			out[o++] = '/';
		memcpy(out + o, name + s, n);
		o += n;
	}
	out[o] = '\0';
	if (o == 0)
		flags |= IOTA_PATH_EMPTY;
	return flags;
}

int iota_path_link_inside(const char *link_dir, const char *target)
{
	if (!target || target[0] == '/' || target[0] == '\0')
		return 0;
	/* Depth of the directory holding the link, then walk the target. */
	long depth = 0;
	for (const char *p = link_dir; *p;) {
		depth++;
		p = strchr(p, '/');
		if (!p)
			break;
		p++;
	}
	const char *p = target;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 1;
}
