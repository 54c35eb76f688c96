/* The ELF dependency graph (see elfdeps.h). */
#include "sbom/elfdeps.h"

#include <string.h>

/* The node at a real path (no links to follow: elf.libraries holds the
 * resolved paths) below container c, or NULL. */
static iota_node *lookup_in(iota_scan *s, iota_node *c, const char *path)
{
	iota_node *cur = c;
	const char *p = path;
	while (*p && cur) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		cur = iota_vfs_child(s, cur, p, len);
		p += len;
	}
	return cur;
}

int iota_elf_each_library(iota_scan *s, const iota_node *n,
                          int (*fn)(void *ctx, iota_node *lib), void *ctx)
{
	const char *libs = iota_node_attr_get(n, "elf.libraries");
	const char *machine = iota_node_attr_get(n, "elf.machine");
	if (!libs || !machine || !n->container)
		return 0;
	for (const char *p = libs; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char path[IOTA_MAX_PATH];
		if (len < sizeof path) {
			memcpy(path, p, len);
			path[len] = '\0';
			iota_node *ln = lookup_in(s, n->container, path);
			const char *lm = ln ? iota_node_attr_get(ln, "elf.machine") : NULL;
			if (lm && strcmp(lm, machine) == 0) {
				int r = fn(ctx, ln);
				if (r)
					return r;
			}
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}
