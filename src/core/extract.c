/*
 * Writing the unpacked tree to disk, safely. Rules:
 *  - every path is built from cleaned node names (no "/", ".", "..") and
 *    opened component by component with openat(O_NOFOLLOW | O_DIRECTORY), so
 *    no write can pass through a link to leave the output directory;
 *  - files are written during the scan, links only at the end, after the
 *    last file: a link can never redirect a later write;
 *  - symbolic links whose target climbs out of their container are refused;
 *    absolute targets are rewritten relative to the container's root;
 *  - device nodes, fifos and sockets are never created; setuid, setgid and
 *    sticky bits are never set.
 * A container is laid out as <file>.extracted/<format>@0x<offset>/ next to
 * the file that holds it (directly in the output directory for the input).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scan.h"
#include "util/alloc.h"
#include "util/path.h"

#define MAX_COMPONENTS 512

int iota_extract_open(iota_scan *s, const char *out_dir);

int iota_extract_open(iota_scan *s, const char *out_dir)
{
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		iota_scan_fail(s, IOTA_FATAL, "%s: cannot create: %s", out_dir, strerror(errno));
		return -1;
	}
	int fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		iota_scan_fail(s, IOTA_FATAL, "%s: %s", out_dir, strerror(errno));
		return -1;
	}
	/* must be empty: extracting over existing files could follow their links */
	int dupfd = dup(fd);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	if (!d) {
		close(fd);
		if (dupfd >= 0)
			close(dupfd);
		iota_scan_fail(s, IOTA_FATAL, "%s: cannot list", out_dir);
		return -1;
	}
	struct dirent *e;
	int empty = 1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty) {
		close(fd);
		iota_scan_fail(s, IOTA_FATAL, "%s: output directory is not empty", out_dir);
		return -1;
	}
	s->out_fd = fd;
	s->out_dir = iota_arena_strdup(s->arena, out_dir);
	return 0;
}

/* Components of n's path below the output directory, root first. */
static int components(const iota_node *n, const char **comp, char bufs[][IOTA_MAX_NAME + 16],
		      int *nb)
{
	const iota_node *chain[MAX_COMPONENTS];
	int depth = 0;
	for (const iota_node *p = n; p && p->parent; p = p->parent) {
		if (depth == MAX_COMPONENTS)
			return -1;
		chain[depth++] = p;
	}
	int k = 0;
	*nb = 0;
	while (depth > 0) {
		const iota_node *p = chain[--depth];
		if (p->kind == IOTA_NODE_CONTAINER && p->parent->parent) {
			/* the file holding it becomes "<name>.extracted" */
			if (k == 0 || *nb >= 64)
				return -1;
			snprintf(bufs[*nb], IOTA_MAX_NAME + 16, "%s.extracted", comp[k - 1]);
			comp[k - 1] = bufs[(*nb)++];
		}
		if (k >= MAX_COMPONENTS)
			return -1;
		comp[k++] = p->name;
	}
	return k;
}

/* Opens (making as needed) the directory holding component k-1. */
static int open_parent(iota_scan *s, const char **comp, int k)
{
	int fd = dup(s->out_fd);
	for (int i = 0; i + 1 < k && fd >= 0; i++) {
		if (mkdirat(fd, comp[i], 0755) != 0 && errno != EEXIST) {
			close(fd);
			return -1;
		}
		int nfd = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
	}
	return fd;
}

static void report_error(iota_scan *s, iota_node *n, const char *what)
{
	iota_finding_add(s, "extract.error", IOTA_SEV_LOW, n, UINT64_MAX, "not extracted: %s: %s",
			 what, strerror(errno));
}

void iota_extract_file(iota_scan *s, iota_node *n, iota_blob *b)
{
	const char *comp[MAX_COMPONENTS];
	char bufs[64][IOTA_MAX_NAME + 16];
	int nb, k = components(n, comp, bufs, &nb);
	if (k <= 0) {
		iota_finding_add(s, "extract.error", IOTA_SEV_LOW, n, UINT64_MAX, "path too deep to extract");
		return;
	}
	int dfd = open_parent(s, comp, k);
	if (dfd < 0) {
		report_error(s, n, "directory");
		return;
	}
	int fd = openat(dfd, comp[k - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		report_error(s, n, "create");
		close(dfd);
		return;
	}
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			report_error(s, n, "write");
			break;
		}
		off += (size_t)w;
	}
	/* permission bits only, and always readable by us */
	fchmod(fd, (n->mode & 0777) | 0400);
	close(fd);
	close(dfd);
}

struct finish {
	uint64_t refused_special;
	uint64_t refused_links;
};

static void make_dir(iota_scan *s, iota_node *n)
{
	const char *comp[MAX_COMPONENTS];
	char bufs[64][IOTA_MAX_NAME + 16];
	int nb, k = components(n, comp, bufs, &nb);
	if (k <= 0)
		return;
	int dfd = open_parent(s, comp, k);
	if (dfd < 0)
		return;
	if (mkdirat(dfd, comp[k - 1], 0755) != 0 && errno != EEXIST)
		report_error(s, n, "mkdir");
	close(dfd);
}

static void make_link(iota_scan *s, iota_node *n, struct finish *f)
{
	const char *comp[MAX_COMPONENTS];
	char bufs[64][IOTA_MAX_NAME + 16];
	char dir[IOTA_MAX_PATH], target[IOTA_MAX_PATH + IOTA_MAX_LINK];
	int nb, k = components(n, comp, bufs, &nb);
	if (k <= 0 || !n->link)
		return;
	if (iota_node_inner_path(n, dir, sizeof dir) < 0)
		return;
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	if (n->kind == IOTA_NODE_SYMLINK) {
		if (n->link[0] == '/') {
			/* absolute: relative to the container's root */
			size_t len = 0;
			target[0] = '\0';
			for (const char *p = dir; *p;) {
				len += (size_t)snprintf(target + len, sizeof target - len, "../");
				p = strchr(p, '/');
				if (!p)
					break;
				p++;
			}
			const char *t = n->link;
			while (*t == '/')
				t++;
			snprintf(target + len, sizeof target - len, "%s", *t ? t : ".");
		} else {
			snprintf(target, sizeof target, "%s", n->link);
		}
		if (!iota_path_link_inside(dir, target)) {
			f->refused_links++;
			iota_finding_add(s, "extract.refused", IOTA_SEV_LOW, n, UINT64_MAX,
					 "symbolic link to '%s' leaves its container; not created", n->link);
			return;
		}
		int dfd = open_parent(s, comp, k);
		if (dfd < 0)
			return;
		if (symlinkat(target, dfd, comp[k - 1]) != 0 && errno != EEXIST)
			report_error(s, n, "symlink");
		close(dfd);
		return;
	}
	/* hard link: link to the extracted target inside the same container */
	iota_node *c = n->container;
	const iota_node *t = c;
	char tmp[IOTA_MAX_PATH];
	snprintf(tmp, sizeof tmp, "%s", n->link);
	for (char *save = NULL, *p = strtok_r(tmp, "/", &save); p && t; p = strtok_r(NULL, "/", &save)) {
		const iota_node *x = t->first_child;
		while (x && strcmp(x->name, p) != 0)
			x = x->next_sibling;
		t = x;
	}
	if (!t || t->kind != IOTA_NODE_FILE) {
		iota_finding_add(s, "extract.refused", IOTA_SEV_INFO, n, UINT64_MAX,
				 "hard link to '%s', which is not a file here; not created", n->link);
		return;
	}
	const char *tcomp[MAX_COMPONENTS];
	char tbufs[64][IOTA_MAX_NAME + 16];
	int tnb, tk = components(t, tcomp, tbufs, &tnb);
	int dfd = open_parent(s, comp, k), tfd = tk > 0 ? open_parent(s, tcomp, tk) : -1;
	if (dfd >= 0 && tfd >= 0 && linkat(tfd, tcomp[tk - 1], dfd, comp[k - 1], 0) != 0 &&
	    errno != EEXIST)
		report_error(s, n, "link");
	if (dfd >= 0)
		close(dfd);
	if (tfd >= 0)
		close(tfd);
}

static void walk(iota_scan *s, iota_node *n, struct finish *f, int pass)
{
	for (iota_node *c = n->first_child; c; c = c->next_sibling) {
		switch (c->kind) {
		case IOTA_NODE_DIR:
			if (pass == 0)
				make_dir(s, c);
			break;
		case IOTA_NODE_CONTAINER:
			if (pass == 0)
				make_dir(s, c);
			break;
		case IOTA_NODE_SYMLINK:
		case IOTA_NODE_HARDLINK:
			if (pass == 1)
				make_link(s, c, f);
			break;
		case IOTA_NODE_CHR:
		case IOTA_NODE_BLK:
		case IOTA_NODE_FIFO:
		case IOTA_NODE_SOCK:
			if (pass == 0)
				f->refused_special++;
			break;
		default:
			break;
		}
		walk(s, c, f, pass);
	}
}

void iota_extract_finish(iota_scan *s)
{
	struct finish f = {0};
	if (s->out_fd < 0 || !s->root)
		return;
	walk(s, s->root, &f, 0);
	walk(s, s->root, &f, 1);
	if (f.refused_special)
		iota_finding_add(s, "extract.refused", IOTA_SEV_INFO, NULL, UINT64_MAX,
				 "%" PRIu64 " device nodes, fifos or sockets were listed but not created",
				 f.refused_special);
}
