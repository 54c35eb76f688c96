/*
 * Archive members through libarchive (see archive_common.h). libarchive does
 * the format work (header parsing, checksums, charset and sparse handling,
 * zip/7z decompression); this file maps its entries onto the VFS.
 *
 * libarchive's return tiers are kept: ARCHIVE_WARN and ARCHIVE_FAILED concern
 * one entry (reported, the rest is read), ARCHIVE_FATAL ends the archive.
 *
 * Member bytes: when libarchive hands out one block that lies inside the
 * input (stored tar and cpio members, read from memory), the node gets a
 * slice of the input instead of a copy. Everything else is copied into a
 * buffer. Both are bounded by iota_scan_file_budget().
 */
#include "unpack/archive_common.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "util/alloc.h"
#include "util/dynbuf.h"

#define MAX_RETRIES 16
#define MAX_PENDING 65536
#define FIRST_RESERVE (8u << 20) /* a member's claimed size is trusted up to this */

/* libarchive converts member names to the charset of the calling thread's
 * locale; in the "C" locale names that are not ASCII fail to convert (and
 * are reported as damaged). The unpack runs with a UTF-8 LC_CTYPE for its
 * thread only, so names come out as UTF-8, the report's charset. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* cpio (newc) keeps the bytes of a file with several links on its last
 * link; earlier links arrive empty, and libarchive names the first link as
 * the hard-link target of the later ones. Empty files with more than one
 * link wait here, not committed, until a link with bytes names them; they
 * then become hard links to it. */
struct pending {
	iota_node *n;
	char *name; /* the member name as libarchive gave it */
};

struct links {
	struct pending *v;
	size_t n, cap;
};

static void links_free(struct links *l)
{
	for (size_t i = 0; i < l->n; i++)
		iota_free(l->v[i].name);
	iota_free(l->v);
}

/* Returns 0, or -1 when the node could not be kept (it is committed then). */
static int links_add(struct links *l, iota_node *n, const char *name)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		if (ncap > MAX_PENDING)
			return -1;
		struct pending *nv = iota_realloc(l->v, ncap * sizeof *nv);
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	char *copy = iota_strdup(name);
	if (!copy)
		return -1;
	l->v[l->n++] = (struct pending){.n = n, .name = copy};
	return 0;
}

/* The link with bytes 'name' names 'target': the waiting empty file becomes
 * a hard link to it. */
static void links_resolve(iota_scan *s, struct links *l, const char *target, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, target) != 0)
			continue;
		iota_node *n = l->v[i].n;
		if (n->kind == IOTA_NODE_FILE && !(n->flags & IOTA_NF_VISITED)) {
			iota_node_set_blob(n, NULL);
			n->kind = IOTA_NODE_HARDLINK;
			n->size = 0;
			iota_node_set_hardlink(s, n, name, strlen(name));
		}
		iota_free(l->v[i].name);
		l->v[i] = l->v[--l->n];
		return;
	}
}

struct member_data {
	iota_blob *blob;
	int truncated;     /* cut at the budget */
	int damaged;       /* libarchive failed while reading: the bytes are partial */
	uint64_t budget;
	char msg[200];
};

static const char *entry_name(struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);
	return p ? p : archive_entry_pathname_utf8(e);
}

static const char *error_text(struct archive *a)
{
	const char *m = archive_error_string(a);
	return m && *m ? m : "damaged";
}

static iota_node_kind entry_kind(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return IOTA_NODE_DIR;
	case AE_IFLNK:
		return IOTA_NODE_SYMLINK;
	case AE_IFCHR:
		return IOTA_NODE_CHR;
	case AE_IFBLK:
		return IOTA_NODE_BLK;
	case AE_IFIFO:
		return IOTA_NODE_FIFO;
	case AE_IFSOCK:
		return IOTA_NODE_SOCK;
	default:
		/* libarchive maps unknown tar type flags to regular files too */
		return IOTA_NODE_FILE;
	}
}

/* Appends n zero bytes (a sparse hole). */
static int add_zeros(iota_dynbuf *db, size_t n)
{
	int rc = iota_dynbuf_reserve(db, n);
	if (rc)
		return rc;
	memset(db->data + db->len, 0, n);
	db->len += n;
	return 0;
}

/* Appends up to the buffer's maximum; sets *cut when bytes did not fit. */
static int add_bounded(iota_dynbuf *db, const void *p, size_t n, int *cut)
{
	size_t room = db->max - db->len;
	if (n > room) {
		n = room;
		*cut = 1;
	}
	return n ? iota_dynbuf_add(db, p, n) : 0;
}

static int pad_bounded(iota_dynbuf *db, uint64_t to, int *cut)
{
	if (to <= db->len)
		return 0;
	if (to > db->max) {
		to = db->max;
		*cut = 1;
	}
	return add_zeros(db, (size_t)(to - db->len));
}

/* Reads the current entry's data. Returns 0, or IOTA_NOMEM. */
static int read_member(iota_unpack_job *job, const iota_archive_run *run, struct archive *a,
		       struct archive_entry *e, struct member_data *d)
{
	iota_dynbuf db;
	uint64_t budget = iota_scan_file_budget(job->scan);
	uintptr_t lo = (uintptr_t)job->data, hi = lo + run->len;
	const uint8_t *slice = NULL; /* zero-copy candidate inside the input */
	size_t slice_len = 0;
	int copying = 0, retries = 0, rc = 0;
	uint64_t end = 0; /* where the last block said the file ends */

	d->budget = budget;
	iota_dynbuf_init(&db, budget > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)budget);
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_RETRY && ++retries < MAX_RETRIES)
			continue;
		if (r < ARCHIVE_WARN || r == ARCHIVE_RETRY) {
			d->damaged = 1;
			const char *m = archive_error_string(a);
			snprintf(d->msg, sizeof d->msg, "%s",
				 m && *m ? m : "its data is cut short or damaged");
			if (archive_errno(a) == ENOMEM)
				rc = IOTA_NOMEM;
			break;
		}
		if (size == 0) {
			/* an empty block at the end of a sparse file marks its size */
			if (off > 0 && (uint64_t)off > end)
				end = (uint64_t)off;
			continue;
		}
		uint64_t at = off < 0 ? (copying ? db.len : slice_len) : (uint64_t)off;
		uintptr_t p = (uintptr_t)buf;
		int inside = p >= lo && p <= hi && size <= hi - p;
		if (!copying) {
			if (!slice && at == 0 && inside) {
				slice = buf;
				slice_len = size;
				continue;
			}
			if (slice && inside && at == slice_len && p == (uintptr_t)slice + slice_len) {
				slice_len += size;
				continue;
			}
			/* not one run of input bytes: fall back to a copy */
			copying = 1;
			if (slice_len) {
				size_t first = slice_len < FIRST_RESERVE ? slice_len : FIRST_RESERVE;
				if ((rc = iota_dynbuf_reserve(&db, first > db.max ? db.max : first)) ||
				    (rc = add_bounded(&db, slice, slice_len, &d->truncated)))
					break;
			} else {
				la_int64_t claim = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
				uint64_t want = claim > 0 ? (uint64_t)claim : 0;
				if (want > FIRST_RESERVE)
					want = FIRST_RESERVE;
				if (want > db.max)
					want = db.max;
				if (want && (rc = iota_dynbuf_reserve(&db, (size_t)want)))
					break;
			}
		}
		if (d->truncated)
			break;
		if (at < db.len)
			continue; /* overlaps what was read: a damaged sparse map */
		if ((rc = pad_bounded(&db, at, &d->truncated)) ||
		    (!d->truncated && (rc = add_bounded(&db, buf, size, &d->truncated))))
			break;
		if (d->truncated)
			break;
	}
	if (rc == IOTA_LIMIT) {
		d->truncated = 1;
		rc = 0;
	}
	/* a sparse file may end in a hole that no block describes; its size
	 * is the entry's (bounded by the budget like any other bytes) */
	uint64_t have = copying ? db.len : slice_len;
	if (archive_entry_sparse_count(e) > 0 && archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > 0 && (uint64_t)archive_entry_size(e) > end)
		end = (uint64_t)archive_entry_size(e);
	if (!rc && !d->damaged && !d->truncated && end > have) {
		if (!copying) {
			copying = 1;
			rc = add_bounded(&db, slice, slice_len, &d->truncated);
		}
		if (!rc)
			rc = pad_bounded(&db, end, &d->truncated);
		if (rc == IOTA_LIMIT) {
			d->truncated = 1;
			rc = 0;
		}
	}
	if (rc) {
		iota_dynbuf_free(&db);
		return IOTA_NOMEM;
	}
	if (!copying && slice) {
		/* no bytes are made, but the file-size limit holds all the same */
		if (slice_len > db.max) {
			slice_len = db.max;
			d->truncated = 1;
		}
		size_t at = job->offset + (size_t)((uintptr_t)slice - lo);
		d->blob = iota_blob_slice(job->blob, at, slice_len);
	} else {
		size_t len;
		uint8_t *bytes = iota_dynbuf_take(&db, &len);
		d->blob = iota_blob_take(bytes, len);
	}
	iota_dynbuf_free(&db);
	return d->blob ? 0 : IOTA_NOMEM;
}

static void set_meta(iota_node *n, struct archive_entry *e)
{
	la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	n->mode = (uint32_t)archive_entry_mode(e) & 07777;
	n->uid = uid < 0 || uid > UINT32_MAX ? UINT32_MAX : (uint32_t)uid;
	n->gid = gid < 0 || gid > UINT32_MAX ? UINT32_MAX : (uint32_t)gid;
	n->mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : 0;
	atomic_fetch_or(&n->flags, IOTA_NF_HAS_META);
}

static void member_corrupt(iota_scan *s, iota_node *at, const char *name, const char *what)
{
	iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, at, UINT64_MAX, "member '%.200s': %s",
			 name, what);
}

/* Handles one entry whose header was read. Returns OK, WARN (something about
 * it was reported), LIMIT (stop) or NOMEM. */
static iota_rc add_entry(iota_unpack_job *job, iota_archive_run *run, struct archive *a,
			 struct archive_entry *e, struct links *links)
{
	iota_scan *s = job->scan;
	const char *name = entry_name(e);
	if (!name) {
		iota_finding_add(s, "unpack.path", IOTA_SEV_LOW, job->root, UINT64_MAX,
				 "member without a readable name; skipped");
		return IOTA_WARN;
	}
	iota_node_kind kind = entry_kind(e);
	const char *hardlink = archive_entry_hardlink(e);
	if (!hardlink)
		hardlink = archive_entry_hardlink_utf8(e);
	int encrypted = archive_entry_is_data_encrypted(e) > 0;
	struct member_data d = {0};

	if (kind == IOTA_NODE_FILE && !encrypted) {
		if (read_member(job, run, a, e, &d) != 0)
			return IOTA_NOMEM;
		/* a hard link without bytes of its own; with bytes (cpio keeps
		 * them on the last link) it is kept as the file it is */
		if (hardlink && d.blob->len == 0 && !d.damaged) {
			iota_blob_unref(d.blob);
			d.blob = NULL;
			kind = IOTA_NODE_HARDLINK;
		}
	} else if (kind == IOTA_NODE_FILE && hardlink) {
		kind = IOTA_NODE_HARDLINK;
	}

	iota_node *n = iota_vfs_add(s, job->root, name, strlen(name), kind);
	if (!n) {
		iota_blob_unref(d.blob);
		return iota_scan_should_stop(s) ? IOTA_LIMIT : IOTA_WARN;
	}
	set_meta(n, e);
	iota_rc rc = IOTA_OK;
	switch (kind) {
	case IOTA_NODE_SYMLINK: {
		const char *t = archive_entry_symlink(e);
		if (!t)
			t = archive_entry_symlink_utf8(e);
		if (t)
			iota_node_set_link(s, n, t, strlen(t));
		break;
	}
	case IOTA_NODE_HARDLINK:
		iota_node_set_hardlink(s, n, hardlink, strlen(hardlink));
		break;
	case IOTA_NODE_CHR:
	case IOTA_NODE_BLK:
		if (run->rdev_high_low) {
			uint64_t rdev = (uint64_t)archive_entry_rdev(e);
			uint32_t hi = (uint32_t)(rdev >> 32), lo = (uint32_t)rdev;
			n->dev_major = hi ? hi : major(lo);
			n->dev_minor = hi ? lo : minor(lo);
		} else {
			n->dev_major = (uint32_t)archive_entry_rdevmajor(e);
			n->dev_minor = (uint32_t)archive_entry_rdevminor(e);
		}
		break;
	case IOTA_NODE_FILE:
		if (encrypted) {
			la_int64_t sz = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
			n->size = sz > 0 ? (uint64_t)sz : 0;
			atomic_fetch_or(&n->flags, IOTA_NF_UNREADABLE);
			if (!run->encrypted++)
				run->first_encrypted = n;
			break;
		}
		iota_node_set_blob(n, d.blob);
		if (d.truncated) {
			atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
			iota_scan_limit(s, "file-size", n,
					"member '%.200s' is larger than the %" PRIu64
					" bytes that may be unpacked for one file; it was cut",
					name, d.budget);
		}
		if (d.damaged) {
			atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
			member_corrupt(s, n, name, d.msg);
			rc = IOTA_WARN;
		}
		if (hardlink && n->size > 0)
			links_resolve(s, links, hardlink, name);
		if (!hardlink && n->size == 0 && !d.damaged && archive_entry_nlink(e) > 1 &&
		    links_add(links, n, name) == 0)
			break; /* committed with the rest when unpack() returns */
		iota_vfs_commit(s, n);
		break;
	default:
		break;
	}
	return rc;
}

static iota_rc archive_unpack(iota_unpack_job *job, iota_archive_run *run)
{
	iota_scan *s = job->scan;
	struct archive *a = archive_read_new();
	if (!a)
		return IOTA_NOMEM;
	iota_rc rc = IOTA_OK;
	int added = 0, retries = 0, fatal = 0;
	char why[200] = "";
	struct links links = {0};

	if (run->enable(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, job->data, run->len) != ARCHIVE_OK) {
		rc = archive_errno(a) == ENOMEM ? IOTA_NOMEM
						: iota_unpack_corrupt(job, "%s", error_text(a));
		archive_read_free(a);
		return rc;
	}
	for (;;) {
		if (iota_scan_should_stop(s)) {
			/* should_stop() reports the time limit, not the file count */
			if (atomic_load(&s->nnodes) >= s->opt.limits.max_files)
				iota_scan_limit(s, "files", job->root,
						"file-count limit of %" PRIu64 " reached",
						(uint64_t)s->opt.limits.max_files);
			rc = IOTA_LIMIT;
			break;
		}
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF) {
			run->eof = 1;
			break;
		}
		if (r == ARCHIVE_RETRY) {
			if (++retries < MAX_RETRIES)
				continue;
			r = ARCHIVE_FATAL;
		}
		if (r == ARCHIVE_FATAL) {
			fatal = 1;
			snprintf(why, sizeof why, "%s", error_text(a));
			if (archive_errno(a) == ENOMEM)
				rc = IOTA_NOMEM;
			break;
		}
		run->entries++;
		if (!run->format)
			run->format = archive_format(a);
		const char *name = entry_name(e);
		if (r == ARCHIVE_FAILED) {
			/* the header is unusable, the next one may be fine */
			member_corrupt(s, job->root, name ? name : "?", error_text(a));
			rc = IOTA_WARN;
			continue;
		}
		if (r == ARCHIVE_WARN) {
			iota_finding_add(s, "unpack.corrupt", IOTA_SEV_INFO, job->root, UINT64_MAX,
					 "member '%.200s': %s", name ? name : "?", error_text(a));
		}
		iota_rc er = add_entry(job, run, a, e, &links);
		added++;
		if (er == IOTA_LIMIT || er == IOTA_NOMEM) {
			rc = er;
			break;
		}
		if (er == IOTA_WARN)
			rc = IOTA_WARN;
	}
	la_int64_t used = archive_filter_bytes(a, -1);
	run->consumed = used > 0 ? (uint64_t)used : 0;
	int hidden = archive_read_has_encrypted_entries(a) > 0 && !run->encrypted;
	archive_read_free(a);
	links_free(&links);

	if (rc == IOTA_NOMEM || rc == IOTA_LIMIT)
		return rc;
	if (run->encrypted && rc == IOTA_OK)
		rc = IOTA_WARN;
	if (run->encrypted) {
		char first[IOTA_MAX_PATH];
		if (iota_node_inner_path(run->first_encrypted, first, sizeof first) < 0)
			first[0] = '\0';
		iota_finding_add(s, "unpack.encrypted", IOTA_SEV_INFO, job->root, UINT64_MAX,
				 "%" PRIu64 " encrypted member%s (the first is '%.200s'); %s not checked",
				 run->encrypted, run->encrypted == 1 ? "" : "s", first,
				 run->encrypted == 1 ? "its content is" : "their contents are");
	}
	if (fatal) {
		if (!added) {
			if (hidden) {
				/* not damaged: the member list itself is encrypted */
				run->encrypted = 1;
				iota_finding_add(s, "unpack.encrypted", IOTA_SEV_INFO, job->file, job->offset,
						 "%s archive at offset 0x%" PRIx64
						 " with encrypted headers: its members cannot be listed (%s)",
						 job->root->fmt->name, job->offset, why);
				return IOTA_WARN;
			}
			return iota_unpack_corrupt(job, "%s%s%s", run->note, run->note[0] ? ": " : "",
						   why);
		}
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->file, job->offset,
				 "%s at offset 0x%" PRIx64 ": %s%s%s after %d members; the rest is lost",
				 job->root->fmt->name, job->offset, run->note, run->note[0] ? ": " : "",
				 why, added);
		return IOTA_WARN;
	}
	if (run->note[0]) {
		iota_finding_add(s, "unpack.corrupt", IOTA_SEV_LOW, job->file, job->offset,
				 "%s at offset 0x%" PRIx64 ": %s", job->root->fmt->name, job->offset,
				 run->note);
		if (rc == IOTA_OK)
			rc = IOTA_WARN;
	}
	return rc;
}

iota_rc iota_archive_unpack(iota_unpack_job *job, iota_archive_run *run)
{
	pthread_once(&utf8_once, utf8_init);
	locale_t old = utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
	iota_rc rc = archive_unpack(job, run);
	if (utf8_locale)
		uselocale(old);
	return rc;
}
