/*
 * Directories: an extracted root filesystem, or a running system's "/".
 * Walked with openat()/fstatat() without following symbolic links; files are
 * mapped lazily when visited. On a live root (iota_options.live_root, or the
 * path "/"), the kernel's virtual trees /proc, /sys, /dev and /run are not
 * entered.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/unpacker.h"
#include "util/alloc.h"

#define MAX_DIR_DEPTH 256

static iota_rc load_file(iota_scan *s, iota_node *n, iota_blob **out)
{
	(void)s;
	const char *path = n->load_ptr;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return IOTA_CORRUPT;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return IOTA_CORRUPT;
	}
	*out = iota_blob_map_fd(fd, (size_t)st.st_size);
	close(fd);
	return *out ? IOTA_OK : IOTA_CORRUPT;
}

static const iota_loader dir_loader = {.load = load_file};

struct walk {
	iota_scan *s;
	iota_node *root;
	int live;
	uint64_t bytes;
	char rel[IOTA_MAX_PATH];
	char abs[IOTA_MAX_PATH * 2];
};

static int skip_live(const struct walk *w, size_t rel_len)
{
	static const char *const virt[] = {"proc", "sys", "dev", "run"};
	if (!w->live)
		return 0;
	for (size_t i = 0; i < sizeof virt / sizeof virt[0]; i++)
		if (strlen(virt[i]) == rel_len && memcmp(w->rel, virt[i], rel_len) == 0)
			return 1;
	return 0;
}

static iota_rc walk_dir(struct walk *w, int dfd, size_t rel_len, size_t abs_len, unsigned depth)
{
	if (depth > MAX_DIR_DEPTH)
		return iota_scan_limit(w->s, "depth", w->root, "directory tree deeper than %d levels",
				       MAX_DIR_DEPTH);
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return IOTA_WARN;
	}
	struct dirent *e;
	iota_rc rc = IOTA_OK;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (iota_scan_should_stop(w->s))
			break;
		size_t nl = strlen(e->d_name);
		if (rel_len + nl + 2 > sizeof w->rel || abs_len + nl + 2 > sizeof w->abs) {
			iota_finding_add(w->s, "unpack.path", IOTA_SEV_LOW, w->root, UINT64_MAX,
					 "path too long below '%.*s'; skipped", (int)rel_len, w->rel);
			continue;
		}
		size_t rl = rel_len, al = abs_len;
		if (rl)
			w->rel[rl++] = '/';
		memcpy(w->rel + rl, e->d_name, nl + 1);
		rl += nl;
		if (w->abs[al - 1] != '/')
			w->abs[al++] = '/';
		memcpy(w->abs + al, e->d_name, nl + 1);
		al += nl;

		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (depth == 0 && skip_live(w, rl))
			continue;
		iota_node_kind kind = S_ISREG(st.st_mode)    ? IOTA_NODE_FILE
				      : S_ISDIR(st.st_mode)  ? IOTA_NODE_DIR
				      : S_ISLNK(st.st_mode)  ? IOTA_NODE_SYMLINK
				      : S_ISCHR(st.st_mode)  ? IOTA_NODE_CHR
				      : S_ISBLK(st.st_mode)  ? IOTA_NODE_BLK
				      : S_ISFIFO(st.st_mode) ? IOTA_NODE_FIFO
							     : IOTA_NODE_SOCK;
		iota_node *n = iota_vfs_add(w->s, w->root, w->rel, rl, kind);
		if (!n) {
			if (iota_scan_should_stop(w->s)) {
				rc = IOTA_LIMIT;
				break;
			}
			continue;
		}
		n->mode = st.st_mode & 07777;
		n->uid = st.st_uid;
		n->gid = st.st_gid;
		n->mtime = st.st_mtime;
		atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
		switch (kind) {
		case IOTA_NODE_FILE:
			n->size = (uint64_t)st.st_size;
			w->bytes += (uint64_t)st.st_size;
			iota_node_set_loader(n, &dir_loader, 0, iota_arena_strdup(w->s->arena, w->abs));
			break;
		case IOTA_NODE_SYMLINK: {
			char target[IOTA_MAX_LINK];
			ssize_t tl = readlinkat(dirfd(d), e->d_name, target, sizeof target);
			if (tl >= 0)
				iota_node_set_link(w->s, n, target, (size_t)tl);
			break;
		}
		case IOTA_NODE_CHR:
		case IOTA_NODE_BLK:
			n->dev_major = major(st.st_rdev);
			n->dev_minor = minor(st.st_rdev);
			break;
		case IOTA_NODE_DIR: {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				iota_finding_add(w->s, "unpack.unreadable", IOTA_SEV_INFO, n, UINT64_MAX,
						 "directory cannot be read: %s", strerror(errno));
				break;
			}
			iota_rc r = walk_dir(w, sub, rl, al, depth + 1);
			if (r == IOTA_LIMIT || r == IOTA_NOMEM) {
				rc = r;
				goto out;
			}
			break;
		}
		default:
			break;
		}
	}
out:
	closedir(d);
	return rc;
}

static int probe_dir(const uint8_t *head, size_t head_len, uint64_t total_len)
{
	(void)head;
	(void)head_len;
	(void)total_len;
	return 0; /* never chosen for bytes */
}

static iota_rc unpack_dir(iota_unpack_job *job)
{
	struct walk *w = iota_calloc(1, sizeof *w);
	if (!w)
		return IOTA_NOMEM;
	const char *path = job->root->load_ptr;
	w->s = job->scan;
	w->root = job->root;
	w->live = job->scan->opt.live_root || strcmp(path, "/") == 0;
	snprintf(w->abs, sizeof w->abs, "%s", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		iota_free(w);
		return iota_unpack_corrupt(job, "%s", strerror(err));
	}
	iota_rc rc = walk_dir(w, fd, 0, strlen(w->abs), 0);
	job->consumed = w->bytes;
	iota_free(w);
	return rc;
}

const iota_unpacker iota_unpacker_dir = {
	.name = "dir",
	.description = "directory tree or live root filesystem",
	.flags = IOTA_UNPACKER_DIR,
	.probe = probe_dir,
	.unpack = unpack_dir,
};
