/*
 * The scan engine: opens the input, visits every file on the thread pool,
 * finds containers (probe at offset 0, carving in raw blobs), unpacks them
 * recursively, and keeps findings and limits. See scan.h for the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/analyzer.h"
#include "core/component.h"
#include "core/scan.h"
#include "core/unpacker.h"
#include "iotaudit/vulndb.h"
#include "util/alloc.h"

#define PROBE_MIN 50       /* below this a probe is a "no" */
#define CARVE_REPORT 90    /* carved candidates this sure are reported when they fail */

struct vfs_index *iota_vfs_index_new(void);
void iota_vfs_index_free(struct vfs_index *ix);

void iota_options_init(iota_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->limits.max_depth = IOTA_DEFAULT_MAX_DEPTH;
	opt->limits.max_total_bytes = IOTA_DEFAULT_MAX_TOTAL_BYTES;
	opt->limits.max_ratio = IOTA_DEFAULT_MAX_RATIO;
	opt->limits.max_files = IOTA_DEFAULT_MAX_FILES;
	opt->limits.max_file_size = IOTA_DEFAULT_MAX_FILE_SIZE;
	opt->limits.max_seconds = IOTA_DEFAULT_MAX_SECONDS;
	opt->carve = 1;
	opt->analyze = 1;
}

const char *iota_version(void)
{
	return IOTA_VERSION_STRING;
}

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *iota_severity_name(iota_severity s)
{
	return (unsigned)s < 5 ? sev_names[s] : "?";
}

iota_rc iota_scan_open(iota_scan **out, const iota_options *opt)
{
	*out = NULL;
	iota_scan *s = iota_calloc(1, sizeof *s);
	if (!s)
		return IOTA_NOMEM;
	if (opt)
		s->opt = *opt;
	else
		iota_options_init(&s->opt);
	s->out_fd = -1;
	s->arena = iota_arena_new();
	s->index = iota_vfs_index_new();
	if (!s->arena || !s->index) {
		iota_scan_free(s);
		return IOTA_NOMEM;
	}
	pthread_mutex_init(&s->vfs_lock, NULL);
	pthread_mutex_init(&s->find_lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	*out = s;
	return IOTA_OK;
}

static void free_containers(iota_node *n)
{
	for (iota_node *c = n->first_child; c; c = c->next_sibling)
		free_containers(c);
	if (n->kind == IOTA_NODE_CONTAINER && n->cctx_free && n->cctx) {
		n->cctx_free(n->cctx);
		n->cctx = NULL;
	}
	if (n->blob) {
		iota_blob_unref(n->blob);
		n->blob = NULL;
	}
}

void iota_scan_free(iota_scan *s)
{
	if (!s)
		return;
	if (s->pool)
		iota_pool_free(s->pool);
	if (s->root)
		free_containers(s->root);
	iota_blob_unref(s->input_blob);
	if (s->carver)
		iota_carver_free(s->carver);
	if (s->out_fd >= 0)
		close(s->out_fd);
	iota_free(s->findings);
	/* matches (iota_scan_match) are heap results, the components arena ones */
	for (iota_component *c = s->components; c; c = c->next)
		iota_vuln_result_free(c->vulns);
	iota_vfs_index_free(s->index);
	iota_arena_free(s->arena);
	pthread_mutex_destroy(&s->vfs_lock);
	pthread_mutex_destroy(&s->find_lock);
	iota_free(s);
}

const char *iota_scan_error(const iota_scan *s)
{
	return s ? s->err : "out of memory";
}

iota_rc iota_scan_fail(iota_scan *s, iota_rc rc, const char *fmt, ...)
{
	pthread_mutex_lock(&s->find_lock);
	if (!s->err[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->err, sizeof s->err, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->find_lock);
	if (rc == IOTA_FATAL || rc == IOTA_NOMEM)
		atomic_store(&s->fatal, 1);
	return rc;
}

void iota_finding_emit(iota_scan *s, const iota_finding *f)
{
	iota_finding c = *f;
	c.message = iota_arena_strdup(s->arena, f->message ? f->message : "");
	c.evidence = f->evidence ? iota_arena_strdup(s->arena, f->evidence) : NULL;
	if (!c.confidence)
		c.confidence = 100;
	pthread_mutex_lock(&s->find_lock);
	if (s->nfindings == s->capfindings) {
		size_t ncap = s->capfindings ? s->capfindings * 2 : 64;
		iota_finding *nf = iota_realloc(s->findings, ncap * sizeof *nf);
		if (!nf) {
			pthread_mutex_unlock(&s->find_lock);
			return; /* a finding lost to memory exhaustion; the scan stops soon */
		}
		s->findings = nf;
		s->capfindings = ncap;
	}
	if (c.message)
		s->findings[s->nfindings++] = c;
	pthread_mutex_unlock(&s->find_lock);
}

void iota_finding_add(iota_scan *s, const char *check, iota_severity sev, iota_node *node,
		      uint64_t offset, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	iota_finding f = {
		.check = check, .severity = sev, .node = node, .offset = offset, .message = msg,
	};
	iota_finding_emit(s, &f);
}

void iota_redact(const char *secret, size_t len, char *out, size_t cap)
{
	size_t show = len / 8; /* each side: together at most a quarter */
	if (show > 4)
		show = 4;
	if (cap == 0)
		return;
	snprintf(out, cap, "%.*s****%.*s (%zu chars)", (int)show, secret, (int)show,
		 secret + len - show, len);
}

static const char *const limit_kinds[] = {"depth", "bytes", "ratio", "files", "file-size", "time"};

iota_rc iota_scan_limit(iota_scan *s, const char *what, iota_node *n, const char *fmt, ...)
{
	unsigned bit = 0;
	for (unsigned i = 0; i < sizeof limit_kinds / sizeof limit_kinds[0]; i++)
		if (strcmp(limit_kinds[i], what) == 0)
			bit = 1u << i;
	/* depth and file-size are reported at each place; the global ones once */
	int once = strcmp(what, "depth") != 0 && strcmp(what, "file-size") != 0;
	if (once && bit && (atomic_fetch_or(&s->limit_seen, bit) & bit))
		return IOTA_LIMIT;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char check[48];
	snprintf(check, sizeof check, "unpack.limit.%s", what);
	iota_finding_add(s, iota_arena_strdup(s->arena, check), IOTA_SEV_MEDIUM, n, UINT64_MAX,
			 "%s", msg);
	return IOTA_LIMIT;
}

static uint64_t ratio_allowance(const iota_scan *s)
{
	uint64_t in = s->input_bytes ? s->input_bytes : 1;
	uint64_t r = s->opt.limits.max_ratio;
	uint64_t allow = in > UINT64_MAX / (r ? r : 1) ? UINT64_MAX : in * r;
	return allow < IOTA_RATIO_FLOOR ? IOTA_RATIO_FLOOR : allow;
}

iota_rc iota_scan_account(iota_scan *s, iota_node *n, uint64_t bytes)
{
	uint64_t before = atomic_fetch_add(&s->produced, bytes);
	uint64_t after = before + bytes;
	if (after > s->opt.limits.max_total_bytes) {
		atomic_fetch_sub(&s->produced, bytes);
		return iota_scan_limit(s, "bytes", n,
				       "unpacked bytes would pass the limit of %" PRIu64
				       "; the rest is not unpacked",
				       s->opt.limits.max_total_bytes);
	}
	if (after > ratio_allowance(s)) {
		atomic_fetch_sub(&s->produced, bytes);
		return iota_scan_limit(s, "ratio", n,
				       "unpacked bytes would pass %" PRIu64
				       " times the input (a decompression bomb?); the rest is not unpacked",
				       s->opt.limits.max_ratio);
	}
	return IOTA_OK;
}

void iota_scan_unaccount(iota_scan *s, uint64_t bytes)
{
	atomic_fetch_sub(&s->produced, bytes);
}

uint64_t iota_scan_file_budget(iota_scan *s)
{
	uint64_t produced = atomic_load(&s->produced);
	uint64_t b = s->opt.limits.max_file_size;
	uint64_t total = s->opt.limits.max_total_bytes;
	uint64_t left = produced < total ? total - produced : 0;
	if (left < b)
		b = left;
	uint64_t ra = ratio_allowance(s);
	left = produced < ra ? ra - produced : 0;
	if (left < b)
		b = left;
	if (b > SIZE_MAX / 2)
		b = SIZE_MAX / 2;
	return b;
}

bool iota_scan_should_stop(iota_scan *s)
{
	if (atomic_load(&s->fatal))
		return true;
	if (atomic_load(&s->nnodes) >= s->opt.limits.max_files) {
		iota_scan_limit(s, "files", NULL, "file-count limit of %" PRIu64 " reached; the rest is not unpacked",
				s->opt.limits.max_files);
		return true;
	}
	if (s->opt.limits.max_seconds) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)(now.tv_sec - s->started.tv_sec) >= s->opt.limits.max_seconds) {
			iota_scan_limit(s, "time", NULL, "wall-time limit of %u s reached; the scan stopped early",
					s->opt.limits.max_seconds);
			return true;
		}
	}
	return false;
}

iota_rc iota_unpack_corrupt(iota_unpack_job *job, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(job->why, sizeof job->why, fmt, ap);
	va_end(ap);
	return IOTA_CORRUPT;
}

const iota_unpacker *iota_unpacker_find(const char *name)
{
	for (const iota_unpacker *const *u = iota_unpackers; *u; u++)
		if (strcmp((*u)->name, name) == 0)
			return *u;
	return NULL;
}

/* ---- visiting ---- */

struct visit {
	iota_scan *s;
	iota_node *n;
};

static void visit_task(void *arg)
{
	struct visit *v = arg;
	iota_visit_file(v->s, v->n);
	iota_free(v);
}

void iota_vfs_commit(iota_scan *s, iota_node *n)
{
	if (n->kind != IOTA_NODE_FILE)
		return;
	if (atomic_fetch_or(&n->flags, IOTA_NF_VISITED) & IOTA_NF_VISITED)
		return;
	struct visit *v = iota_malloc(sizeof *v);
	if (!v) {
		iota_visit_file(s, n);
		return;
	}
	v->s = s;
	v->n = n;
	iota_pool_submit(s->pool, visit_task, v);
}

/* Schedules every file below dir not visited yet (does not enter files:
 * their containers are their own visit's business). */
static void commit_tree(iota_scan *s, iota_node *dir)
{
	for (iota_node *c = dir->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_FILE)
			iota_vfs_commit(s, c);
		else if (c->kind == IOTA_NODE_DIR)
			commit_tree(s, c);
	}
}

static void sha256(const uint8_t *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;
	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

static void report_progress(iota_scan *s, size_t bytes)
{
	uint64_t files = atomic_fetch_add(&s->visited, 1) + 1;
	uint64_t total = atomic_fetch_add(&s->visited_bytes, bytes) + bytes;
	if (!s->opt.progress || (files & 63) != 0)
		return;
	if (atomic_flag_test_and_set(&s->progress_busy))
		return; /* another thread is reporting */
	s->opt.progress(s->opt.progress_ctx, files, total);
	atomic_flag_clear(&s->progress_busy);
}

void iota_visit_file(iota_scan *s, iota_node *n)
{
	atomic_fetch_or(&n->flags, IOTA_NF_VISITED);
	if (iota_scan_should_stop(s)) {
		if (!n->loader)
			iota_node_set_blob(n, NULL);
		return;
	}
	iota_blob *b = NULL;
	iota_rc rc = iota_node_content(s, n, &b);
	if (b) {
		n->size = b->len;
		sha256(b->data, b->len, n->sha256);
		atomic_fetch_or(&n->flags, IOTA_NF_HASHED);
		if (s->out_dir && n->parent)
			iota_extract_file(s, n, b);
		iota_unpack_blob(s, n, b);
		if (s->opt.analyze)
			iota_analyze_file(s, n, b);
		report_progress(s, b->len);
		iota_blob_unref(b);
	}
	(void)rc;
	/* drop the bytes: a loader can make them again; stream members are gone */
	if (n->blob) {
		iota_blob_unref(n->blob);
		n->blob = NULL;
	}
}

static int node_has_children(const iota_node *n)
{
	return n->first_child != NULL;
}

static void unlink_child(iota_scan *s, iota_node *parent, iota_node *child)
{
	pthread_mutex_lock(&s->vfs_lock);
	for (iota_node **pp = &parent->first_child; *pp; pp = &(*pp)->next_sibling) {
		if (*pp == child) {
			*pp = child->next_sibling;
			break;
		}
	}
	pthread_mutex_unlock(&s->vfs_lock);
	if (child->cctx_free && child->cctx)
		child->cctx_free(child->cctx);
	child->cctx = NULL;
}

/* Unpacks one container of format u at off in file n. Returns the bytes it
 * covers (0 if unknown or failed). */
static size_t unpack_at(iota_scan *s, iota_node *n, iota_blob *b, const iota_unpacker *u,
			size_t off, int conf, unsigned depth, int carved)
{
	if (depth > s->opt.limits.max_depth) {
		iota_scan_limit(s, "depth", n,
				"%s at offset 0x%zx is nested deeper than the limit of %u; not unpacked",
				u->name, off, s->opt.limits.max_depth);
		return 0;
	}
	iota_node *c = iota_vfs_container(s, n, u, off, depth);
	if (!c)
		return 0;
	iota_unpack_job job = {
		.scan = s,
		.file = n,
		.blob = b,
		.data = b->data + off,
		.len = b->len - off,
		.offset = off,
		.root = c,
		.depth = depth,
		.confidence = conf,
	};
	iota_rc rc = u->unpack(&job);
	c->size = job.consumed;
	if (rc == IOTA_CORRUPT) {
		int empty = !node_has_children(c);
		if (!carved || conf >= CARVE_REPORT || !empty)
			iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, n, off, "%s at offset 0x%zx: %s%s",
					 u->name, off, job.why[0] ? job.why : "damaged",
					 empty ? "" : " (members before the damage were kept)");
		if (empty) {
			unlink_child(s, n, c);
			return 0;
		}
	} else if (rc == IOTA_NOMEM) {
		iota_scan_fail(s, IOTA_NOMEM, "out of memory unpacking %s", u->name);
	}
	commit_tree(s, c);
	return rc == IOTA_CORRUPT ? 0 : job.consumed;
}

struct carve_state {
	iota_scan *s;
	iota_node *n;
	iota_blob *b;
	size_t cursor;
	unsigned depth;
	unsigned tried;
	const iota_unpacker *done; /* already tried at offset 0 */
};

static int carve_hit(void *ctx, const iota_unpacker *u, uint64_t start)
{
	struct carve_state *cs = ctx;
	if (start < cs->cursor || start >= cs->b->len || (start == 0 && u == cs->done))
		return 0;
	if (++cs->tried > IOTA_MAX_CARVE_HITS) {
		iota_finding_add(cs->s, "unpack.limit.carve", IOTA_SEV_LOW, cs->n, start,
				 "more than %d candidate containers; the rest of this blob is not carved",
				 IOTA_MAX_CARVE_HITS);
		return 1;
	}
	if (iota_scan_should_stop(cs->s))
		return 1;
	size_t left = cs->b->len - start;
	int conf = u->probe(cs->b->data + start, left < IOTA_PROBE_HEAD ? left : IOTA_PROBE_HEAD, left);
	if (conf < PROBE_MIN)
		return 0;
	size_t used = unpack_at(cs->s, cs->n, cs->b, u, start, conf, cs->depth, 1);
	if (used)
		cs->cursor = start + used;
	return 0;
}

void iota_unpack_blob(iota_scan *s, iota_node *n, iota_blob *b)
{
	unsigned depth = n->container ? n->container->depth + 1 : 1;
	size_t head = b->len < IOTA_PROBE_HEAD ? b->len : IOTA_PROBE_HEAD;
	const iota_unpacker *best = NULL;
	int best_score = 0, tie = 0;
	const iota_unpacker *tied = NULL;

	if (b->len == 0)
		return;
	if (s->only_fmt && n == s->root) {
		int sc = s->only_fmt->probe(b->data, head, b->len);
		if (sc >= PROBE_MIN)
			unpack_at(s, n, b, s->only_fmt, 0, sc, depth, 0);
		return;
	}
	for (const iota_unpacker *const *u = iota_unpackers; *u; u++) {
		if ((*u)->flags & IOTA_UNPACKER_DIR)
			continue;
		int sc = (*u)->probe(b->data, head, b->len);
		if (sc > best_score) {
			best = *u;
			best_score = sc;
			tie = 0;
		} else if (sc == best_score && sc >= PROBE_MIN) {
			tie = 1;
			tied = *u;
		}
	}
	size_t cursor = 0;
	if (best && best_score >= PROBE_MIN) {
		if (tie) {
			iota_finding_add(s, "unpack.ambiguous", IOTA_SEV_LOW, n, 0,
					 "both %s and %s claim this file with confidence %d; neither is used",
					 best->name, tied->name, best_score);
			return;
		}
		cursor = unpack_at(s, n, b, best, 0, best_score, depth, 0);
		if (cursor == 0 && node_has_children(n))
			cursor = b->len; /* unpacked, size unknown: nothing left to carve */
	}
	if (!s->opt.carve || !(n->flags & IOTA_NF_CARVE) || cursor >= b->len ||
	    b->len - cursor < IOTA_MIN_CARVE_BYTES || !s->carver)
		return;
	if (depth > s->opt.limits.max_depth)
		return;
	struct carve_state cs = {
		.s = s, .n = n, .b = b, .cursor = cursor, .depth = depth,
		.done = best_score >= PROBE_MIN ? best : NULL,
	};
	iota_carver_scan(s->carver, b->data, b->len, carve_hit, &cs);
}

/* ---- running ---- */

static const char *base_name(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *p = path + len;
	while (p > path && p[-1] != '/')
		p--;
	return p;
}

/* The input file's root node over s->input_blob, queued for its visit. */
static iota_rc start_file(iota_scan *s, const char *name, uint32_t mode)
{
	s->input_bytes = s->input_blob->len;
	iota_node *root = iota_vfs_root(s, name, IOTA_NODE_FILE);
	if (!root)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	root->mode = mode;
	root->size = s->input_blob->len;
	atomic_fetch_or(&root->flags, IOTA_NF_CARVE);
	iota_node_set_blob(root, iota_blob_ref(s->input_blob));
	iota_vfs_commit(s, root);
	return IOTA_OK;
}

static iota_rc start(iota_scan *s)
{
	if (s->root)
		return iota_scan_fail(s, IOTA_FATAL, "a scan runs once");
	if (!s->carver)
		s->carver = iota_carver_new(); /* NULL: carving off, reported at the end */
	s->pool = iota_pool_new(s->opt.threads, 0);
	if (!s->pool)
		return iota_scan_fail(s, IOTA_NOMEM, "cannot start worker threads");
	return IOTA_OK;
}

static iota_rc finish(iota_scan *s)
{
	iota_pool_wait(s->pool);
	if (s->root)
		iota_vfs_sort(s->root); /* whole-tree analyzers see a stable order */
	if (!atomic_load(&s->fatal) && s->opt.analyze)
		iota_analyze_tree(s);
	if (!s->carver && s->opt.carve)
		iota_finding_add(s, "unpack.carve-off", IOTA_SEV_INFO, NULL, UINT64_MAX,
				 "the pattern matcher could not start; containers were looked for at offset 0 only");
	if (atomic_load(&s->fatal))
		return IOTA_FATAL;
	return IOTA_OK;
}

iota_rc iota_scan_run_memory(iota_scan *s, const char *name, const void *data, size_t len)
{
	iota_rc rc = start(s);
	if (rc != IOTA_OK)
		return rc;
	s->input_name = iota_arena_strdup(s->arena, name && *name ? name : "input");
	s->input_blob = iota_blob_borrow(data, len);
	if (!s->input_blob || start_file(s, s->input_name, 0644) != IOTA_OK)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	return finish(s);
}

static iota_rc run(iota_scan *s, const char *path)
{
	iota_rc rc0 = start(s);
	if (rc0 != IOTA_OK)
		return rc0;

	struct stat st;
	if (stat(path, &st) != 0)
		return iota_scan_fail(s, IOTA_FATAL, "%s: %s", path, strerror(errno));

	const char *bn = base_name(path);
	char name[256];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(bn, "/"), bn);
	if (!name[0])
		snprintf(name, sizeof name, "/");
	s->input_name = iota_arena_strdup(s->arena, name);

	if (S_ISDIR(st.st_mode)) {
		const iota_unpacker *dir = iota_unpacker_find("dir");
		if (!dir)
			return iota_scan_fail(s, IOTA_FATAL, "directory scanning is not built in");
		iota_node *root = iota_vfs_root(s, name, IOTA_NODE_CONTAINER);
		if (!root)
			return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
		root->fmt = dir;
		root->offset = 0;
		root->depth = 0;
		root->mode = st.st_mode & 07777;
		root->load_ptr = iota_arena_strdup(s->arena, path);
		iota_unpack_job job = {.scan = s, .root = root, .depth = 0, .confidence = 100};
		iota_rc rc = dir->unpack(&job);
		if (rc == IOTA_FATAL || rc == IOTA_NOMEM || rc == IOTA_CORRUPT) {
			iota_pool_wait(s->pool);
			return iota_scan_fail(s, rc == IOTA_CORRUPT ? IOTA_FATAL : rc, "%s: %s", path,
					      job.why[0] ? job.why : "cannot read the directory");
		}
		s->input_bytes = job.consumed;
		commit_tree(s, root);
	} else if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return iota_scan_fail(s, IOTA_FATAL, "%s: %s", path, strerror(errno));
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return iota_scan_fail(s, IOTA_FATAL, "%s: not a regular file", path);
		}
		s->input_blob = iota_blob_map_fd(fd, (size_t)st.st_size);
		int err = errno;
		close(fd);
		if (!s->input_blob)
			return iota_scan_fail(s, IOTA_FATAL, "%s: cannot map: %s", path, strerror(err));
		if (start_file(s, name, st.st_mode & 07777) != IOTA_OK)
			return IOTA_NOMEM;
	} else {
		return iota_scan_fail(s, IOTA_FATAL, "%s: not a regular file or directory", path);
	}
	return finish(s);
}

iota_rc iota_scan_run(iota_scan *s, const char *path)
{
	return run(s, path);
}

int iota_extract_open(iota_scan *s, const char *out_dir);

iota_rc iota_scan_extract(iota_scan *s, const char *path, const char *out_dir)
{
	if (iota_extract_open(s, out_dir) != 0)
		return IOTA_FATAL;
	iota_rc rc = run(s, path);
	if (rc == IOTA_OK)
		iota_extract_finish(s);
	return rc;
}

static void count_tree(const iota_node *n, iota_totals *t)
{
	switch (n->kind) {
	case IOTA_NODE_FILE:
		t->files++;
		break;
	case IOTA_NODE_DIR:
		t->dirs++;
		break;
	case IOTA_NODE_SYMLINK:
	case IOTA_NODE_HARDLINK:
		t->links++;
		break;
	case IOTA_NODE_CONTAINER:
		t->containers++;
		break;
	default:
		t->specials++;
		break;
	}
	for (const iota_node *c = n->first_child; c; c = c->next_sibling)
		count_tree(c, t);
}

void iota_scan_totals(const iota_scan *s, iota_totals *t)
{
	memset(t, 0, sizeof *t);
	t->input_bytes = s->input_bytes;
	t->unpacked_bytes = atomic_load(&((iota_scan *)s)->produced);
	if (s->root) {
		count_tree(s->root, t);
		/* the input itself is not one of its files */
		if (s->root->kind == IOTA_NODE_FILE)
			t->files--;
		else
			t->containers--;
	}
	t->findings = s->nfindings;
	for (size_t i = 0; i < s->nfindings; i++)
		if (strncmp(s->findings[i].check, "unpack.corrupt", 14) == 0 ||
		    strncmp(s->findings[i].check, "unpack.truncated", 16) == 0 ||
		    strncmp(s->findings[i].check, "unpack.limit", 12) == 0)
			t->errors++;
}
