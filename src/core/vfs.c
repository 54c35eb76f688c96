/*
 * The virtual file tree (see scan.h). Lookups of a child by name go through
 * one hash index of (parent, name) for the whole scan, so big directories
 * (a live system's /usr/lib) stay linear to build.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/scan.h"
#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/path.h"

struct vfs_index {
	iota_node **slots;
	size_t cap;  /* power of two */
	size_t used;
};

static uint64_t hash_key(const iota_node *parent, const char *name)
{
	/* FNV-1a over the parent pointer and the name */
	uint64_t h = 1469598103934665603ULL;
	uintptr_t p = (uintptr_t)parent;
	for (size_t i = 0; i < sizeof p; i++) {
		h ^= (p >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		h ^= *c;
		h *= 1099511628211ULL;
	}
	return h;
}

static int index_grow(struct vfs_index *ix)
{
	size_t ncap = ix->cap ? ix->cap * 2 : 1024;
	iota_node **ns = iota_calloc(ncap, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t i = 0; i < ix->cap; i++) {
		iota_node *n = ix->slots[i];
		if (!n)
			continue;
		size_t j = hash_key(n->parent, n->name) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = n;
	}
	iota_free(ix->slots);
	ix->slots = ns;
	ix->cap = ncap;
	return 0;
}

static iota_node *index_find(struct vfs_index *ix, const iota_node *parent, const char *name)
{
	if (!ix->cap)
		return NULL;
	size_t j = hash_key(parent, name) & (ix->cap - 1);
	while (ix->slots[j]) {
		iota_node *n = ix->slots[j];
		if (n->parent == parent && strcmp(n->name, name) == 0)
			return n;
		j = (j + 1) & (ix->cap - 1);
	}
	return NULL;
}

static int index_put(struct vfs_index *ix, iota_node *n)
{
	if ((ix->used + 1) * 4 > ix->cap * 3 && index_grow(ix) != 0)
		return -1;
	size_t j = hash_key(n->parent, n->name) & (ix->cap - 1);
	while (ix->slots[j])
		j = (j + 1) & (ix->cap - 1);
	ix->slots[j] = n;
	ix->used++;
	return 0;
}

struct vfs_index *iota_vfs_index_new(void);
struct vfs_index *iota_vfs_index_new(void)
{
	return iota_calloc(1, sizeof(struct vfs_index));
}

void iota_vfs_index_free(struct vfs_index *ix);
void iota_vfs_index_free(struct vfs_index *ix)
{
	if (!ix)
		return;
	iota_free(ix->slots);
	iota_free(ix);
}

static const char *const kind_names[] = {
	[IOTA_NODE_FILE] = "file",     [IOTA_NODE_DIR] = "dir",    [IOTA_NODE_SYMLINK] = "symlink",
	[IOTA_NODE_HARDLINK] = "hardlink", [IOTA_NODE_CHR] = "chr", [IOTA_NODE_BLK] = "blk",
	[IOTA_NODE_FIFO] = "fifo",     [IOTA_NODE_SOCK] = "socket", [IOTA_NODE_CONTAINER] = "container",
};

const char *iota_node_kind_name(iota_node_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

/* Allocates a node; caller holds the vfs lock (or is single-threaded). */
static iota_node *node_new(iota_scan *s, iota_node *parent, const char *name, size_t name_len,
			   iota_node_kind kind)
{
	uint64_t count = atomic_fetch_add(&s->nnodes, 1) + 1;
	if (count > s->opt.limits.max_files) {
		atomic_fetch_sub(&s->nnodes, 1);
		return NULL;
	}
	iota_node *n = iota_arena_alloc(s->arena, sizeof *n);
	if (!n)
		return NULL;
	n->name = iota_arena_strndup(s->arena, name, name_len);
	if (!n->name)
		return NULL;
	n->kind = kind;
	n->parent = parent;
	n->offset = UINT64_MAX;
	if (parent) {
		n->container = parent->kind == IOTA_NODE_CONTAINER ? parent : parent->container;
		n->next_sibling = parent->first_child;
		parent->first_child = n;
	}
	n->mode = kind == IOTA_NODE_DIR || kind == IOTA_NODE_CONTAINER ? 0755 : 0644;
	return n;
}

iota_node *iota_vfs_root(iota_scan *s, const char *name, iota_node_kind kind)
{
	iota_node *n = node_new(s, NULL, name, strlen(name), kind);
	s->root = n;
	return n;
}

iota_node *iota_vfs_container(iota_scan *s, iota_node *file, const iota_unpacker *fmt,
			      uint64_t offset, unsigned depth)
{
	char name[64];
	snprintf(name, sizeof name, "%s@0x%" PRIx64, fmt->name, offset);
	pthread_mutex_lock(&s->vfs_lock);
	iota_node *c = node_new(s, file, name, strlen(name), IOTA_NODE_CONTAINER);
	pthread_mutex_unlock(&s->vfs_lock);
	if (!c) {
		iota_scan_limit(s, "files", file, "file-count limit of %" PRIu64 " reached",
				s->opt.limits.max_files);
		return NULL;
	}
	c->fmt = fmt;
	c->offset = offset;
	c->depth = depth;
	return c;
}

static void node_reset(iota_node *n, iota_node_kind kind)
{
	if (n->blob) {
		iota_blob_unref(n->blob);
		n->blob = NULL;
	}
	n->kind = kind;
	n->loader = NULL;
	n->load_arg = 0;
	n->load_ptr = NULL;
	n->link = NULL;
	n->size = 0;
	atomic_store(&n->flags, 0);
}

iota_node *iota_vfs_add(iota_scan *s, iota_node *c, const char *path, size_t path_len,
			iota_node_kind kind)
{
	char clean[IOTA_MAX_PATH];
	int fl = iota_path_clean(path, path_len, clean, sizeof clean);
	if (fl < 0) {
		iota_finding_add(s, "unpack.path", IOTA_SEV_LOW, c, UINT64_MAX,
				 "member name of %zu bytes is too long; skipped", path_len);
		return NULL;
	}
	if (fl & IOTA_PATH_DOTDOT)
		iota_finding_add(s, "unpack.path", IOTA_SEV_MEDIUM, c, UINT64_MAX,
				 "member name '%.*s' climbs out of its container; kept as '%s'",
				 (int)(path_len > 200 ? 200 : path_len), path, clean);
	if (fl & IOTA_PATH_EMPTY) {
		if (kind == IOTA_NODE_DIR)
			return c;
		iota_finding_add(s, "unpack.path", IOTA_SEV_LOW, c, UINT64_MAX,
				 "member with an empty name (kind %s); skipped", iota_node_kind_name(kind));
		return NULL;
	}

	pthread_mutex_lock(&s->vfs_lock);
	iota_node *cur = c;
	iota_node *n = NULL;
	char *p = clean;
	for (;;) {
		char *slash = strchr(p, '/');
		int last = slash == NULL;
		if (slash)
			*slash = '\0';
		if (strlen(p) > IOTA_MAX_NAME)
			p[IOTA_MAX_NAME] = '\0';
		n = index_find(s->index, cur, p);
		if (!n) {
			n = node_new(s, cur, p, strlen(p), last ? kind : IOTA_NODE_DIR);
			if (!n || index_put(s->index, n) != 0) {
				pthread_mutex_unlock(&s->vfs_lock);
				if (atomic_load(&s->nnodes) >= s->opt.limits.max_files)
					iota_scan_limit(s, "files", c,
							"file-count limit of %" PRIu64 " reached",
							s->opt.limits.max_files);
				else
					iota_scan_fail(s, IOTA_NOMEM, "out of memory adding nodes");
				return NULL;
			}
			if (!last)
				atomic_fetch_or(&n->flags, IOTA_NF_IMPLICIT);
			else if (kind != IOTA_NODE_DIR)
				atomic_fetch_add(&c->members, 1);
		} else if (last) {
			if (n->kind == IOTA_NODE_DIR && kind == IOTA_NODE_DIR) {
				atomic_fetch_and(&n->flags, ~(unsigned)IOTA_NF_IMPLICIT);
			} else if (!(n->flags & IOTA_NF_VISITED)) {
				int was_implicit = (n->flags & IOTA_NF_IMPLICIT) != 0;
				if (!was_implicit)
					iota_finding_add(s, "unpack.duplicate", IOTA_SEV_INFO, n, UINT64_MAX,
							 "member '%s' appears again; the later one is kept",
							 clean);
				if (n->kind != IOTA_NODE_DIR && kind != IOTA_NODE_DIR)
					; /* replacing a member: count unchanged */
				else if (kind != IOTA_NODE_DIR)
					atomic_fetch_add(&c->members, 1);
				node_reset(n, kind);
			} else {
				/* already visited (streamed): keep the first, skip this one */
				iota_finding_add(s, "unpack.duplicate", IOTA_SEV_INFO, n, UINT64_MAX,
						 "member '%s' appears again after it was read; skipped",
						 clean);
				n = NULL;
			}
		} else if (n->kind != IOTA_NODE_DIR) {
			/* a member below something that is not a directory: make it one */
			iota_finding_add(s, "unpack.duplicate", IOTA_SEV_INFO, n, UINT64_MAX,
					 "'%s' is used as a directory; its %s entry is replaced", p,
					 iota_node_kind_name(n->kind));
			node_reset(n, IOTA_NODE_DIR);
			atomic_fetch_or(&n->flags, IOTA_NF_IMPLICIT);
		}
		if (last || !n)
			break;
		cur = n;
		p = slash + 1;
	}
	pthread_mutex_unlock(&s->vfs_lock);
	return n;
}

iota_node *iota_vfs_child(iota_scan *s, iota_node *dir, const char *name, size_t len)
{
	char buf[IOTA_MAX_NAME + 1];
	if (len > IOTA_MAX_NAME)
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	pthread_mutex_lock(&s->vfs_lock);
	iota_node *n = index_find(s->index, dir, buf);
	pthread_mutex_unlock(&s->vfs_lock);
	return n;
}

void iota_node_set_blob(iota_node *n, iota_blob *b)
{
	if (n->blob)
		iota_blob_unref(n->blob);
	n->blob = b;
	if (b)
		n->size = b->len;
}

void iota_node_set_loader(iota_node *n, const iota_loader *l, uint64_t arg, void *ptr)
{
	n->loader = l;
	n->load_arg = arg;
	n->load_ptr = ptr;
}

void iota_node_set_link(iota_scan *s, iota_node *n, const char *target, size_t len)
{
	if (len > IOTA_MAX_LINK)
		len = IOTA_MAX_LINK;
	n->link = iota_arena_strndup(s->arena, target, len);
	n->size = n->link ? strlen(n->link) : 0;
}

void iota_node_set_hardlink(iota_scan *s, iota_node *n, const char *target, size_t len)
{
	char clean[IOTA_MAX_PATH];
	if (iota_path_clean(target, len, clean, sizeof clean) < 0)
		clean[0] = '\0';
	n->link = iota_arena_strdup(s->arena, clean);
}

iota_rc iota_node_content(iota_scan *s, iota_node *n, iota_blob **out)
{
	iota_blob *b = NULL;
	iota_rc rc = IOTA_OK;

	*out = NULL;
	if (n->blob) {
		b = iota_blob_ref(n->blob);
	} else if (!n->loader) {
		return (n->flags & IOTA_NF_VISITED) ? IOTA_WARN : IOTA_CORRUPT;
	} else {
		rc = n->loader->load(s, n, &b);
		if (!b || (rc != IOTA_OK && rc != IOTA_WARN && rc != IOTA_LIMIT)) {
			iota_blob_unref(b);
			if (rc == IOTA_OK)
				rc = IOTA_CORRUPT;
			if (!(atomic_fetch_or(&n->flags, IOTA_NF_UNREADABLE) & IOTA_NF_UNREADABLE) &&
			    rc == IOTA_CORRUPT)
				iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, UINT64_MAX,
						 "the content of this file cannot be read");
			return rc;
		}
	}
	/* bytes made by unpacking count against the limits, once per node */
	if (iota_blob_is_heap(b) &&
	    !(atomic_fetch_or(&n->flags, IOTA_NF_ACCOUNTED) & IOTA_NF_ACCOUNTED) &&
	    iota_scan_account(s, n, b->len) != IOTA_OK) {
		iota_blob_unref(b);
		if (n->blob) {
			iota_blob_unref(n->blob);
			n->blob = NULL;
		}
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
		return IOTA_LIMIT;
	}
	*out = b;
	return rc;
}

void iota_node_attr(iota_scan *s, iota_node *n, const char *key, const char *fmt, ...)
{
	char val[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(val, sizeof val, fmt, ap);
	va_end(ap);
	const char *v = iota_arena_strdup(s->arena, val);
	if (!v)
		return;
	iota_attr **pp = &n->attrs;
	while (*pp && strcmp((*pp)->key, key) < 0)
		pp = &(*pp)->next;
	if (*pp && strcmp((*pp)->key, key) == 0) {
		(*pp)->value = v;
		return;
	}
	iota_attr *a = iota_arena_alloc(s->arena, sizeof *a);
	if (!a)
		return;
	a->key = iota_arena_strdup(s->arena, key);
	a->value = v;
	if (!a->key)
		return;
	a->next = *pp;
	*pp = a;
}

const char *iota_node_attr_get(const iota_node *n, const char *key)
{
	for (const iota_attr *a = n->attrs; a; a = a->next)
		if (strcmp(a->key, key) == 0)
			return a->value;
	return NULL;
}

static int append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 > cap)
		return -1;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 0;
}

int iota_node_inner_path(const iota_node *n, char *buf, size_t cap)
{
	const iota_node *chain[IOTA_MAX_PATH / 2];
	size_t depth = 0;
	for (const iota_node *p = n; p && p->kind != IOTA_NODE_CONTAINER && p->parent; p = p->parent) {
		if (depth == sizeof chain / sizeof chain[0])
			return -1;
		chain[depth++] = p;
	}
	size_t len = 0;
	if (cap == 0)
		return -1;
	buf[0] = '\0';
	while (depth > 0) {
		if (len && append(buf, cap, &len, "/") < 0)
			return -1;
		if (append(buf, cap, &len, chain[--depth]->name) < 0)
			return -1;
	}
	return (int)len;
}

int iota_node_origin(const iota_node *n, char *buf, size_t cap)
{
	const iota_node *chain[IOTA_MAX_PATH / 2];
	size_t depth = 0;
	for (const iota_node *p = n; p; p = p->parent) {
		if (depth == sizeof chain / sizeof chain[0])
			return -1;
		chain[depth++] = p;
	}
	size_t len = 0;
	char tmp[96];
	if (cap == 0)
		return -1;
	buf[0] = '\0';
	while (depth > 0) {
		const iota_node *p = chain[--depth];
		if (!p->parent) {
			if (append(buf, cap, &len, p->name) < 0)
				return -1;
			if (p->kind == IOTA_NODE_CONTAINER && append(buf, cap, &len, ":") < 0)
				return -1;
		} else if (p->kind == IOTA_NODE_CONTAINER) {
			snprintf(tmp, sizeof tmp, " @0x%" PRIx64 " %s:", p->offset, p->fmt->name);
			if (append(buf, cap, &len, tmp) < 0)
				return -1;
		} else {
			if (append(buf, cap, &len, "/") < 0 || append(buf, cap, &len, p->name) < 0)
				return -1;
		}
	}
	if (n->kind == IOTA_NODE_CONTAINER && append(buf, cap, &len, "/") < 0)
		return -1;
	return (int)len;
}

static int cmp_node(const void *a, const void *b)
{
	const iota_node *x = *(iota_node *const *)a, *y = *(iota_node *const *)b;
	/* containers by offset, then everything by name */
	if (x->kind == IOTA_NODE_CONTAINER && y->kind == IOTA_NODE_CONTAINER && x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return strcmp(x->name, y->name);
}

void iota_vfs_sort(iota_node *n)
{
	size_t count = 0;
	for (iota_node *c = n->first_child; c; c = c->next_sibling)
		count++;
	if (count > 1) {
		iota_node **v = iota_malloc(count * sizeof *v);
		if (v) {
			size_t i = 0;
			for (iota_node *c = n->first_child; c; c = c->next_sibling)
				v[i++] = c;
			qsort(v, count, sizeof *v, cmp_node);
			for (i = 0; i + 1 < count; i++)
				v[i]->next_sibling = v[i + 1];
			v[count - 1]->next_sibling = NULL;
			n->first_child = v[0];
			iota_free(v);
		}
	}
	for (iota_node *c = n->first_child; c; c = c->next_sibling)
		iota_vfs_sort(c);
}

iota_node *iota_unpack_add_blob(iota_unpack_job *job, const char *name, iota_blob *b, int carve)
{
	iota_node *n = iota_vfs_add(job->scan, job->root, name, strlen(name), IOTA_NODE_FILE);
	if (!n) {
		iota_blob_unref(b);
		return NULL;
	}
	iota_node_set_blob(n, b);
	if (carve)
		atomic_fetch_or(&n->flags, IOTA_NF_CARVE);
	return n;
}
