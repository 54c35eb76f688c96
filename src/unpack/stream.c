/* Output of the single-stream decompressors (see stream.h). */
#include "unpack/stream.h"

#include <inttypes.h>
#include <lzma.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

#define FIRST_CAP ((size_t)1 << 20)
/* Room handed out per call, so that a long decode looks at the scan's stop flag now and then. */
#define MAX_ROOM ((size_t)64 << 20)

void iota_stream_init(iota_stream *st, iota_unpack_job *job)
{
	iota_scan *s = job->scan;
	memset(st, 0, offsetof(iota_stream, spill));
	st->job = job;
	uint64_t b = iota_scan_file_budget(s);
	st->budget = (size_t)b;

	/* name the limit that sets the budget, for the finding (scan.c takes the smallest) */
	uint64_t produced = atomic_load(&s->produced);
	uint64_t total = s->opt.limits.max_total_bytes;
	uint64_t total_left = produced < total ? total - produced : 0;
	if (b >= s->opt.limits.max_file_size || b >= SIZE_MAX / 2)
		st->limit = "file-size";
	else if (b >= total_left)
		st->limit = "bytes";
	else
		st->limit = "ratio";
}

/* Counts more bytes against the scan's limits; when other streams took them first, the budget
 * ends at what this one holds. */
static bool reserve(iota_stream *st, size_t more)
{
	iota_scan *s = st->job->scan;
	if (iota_scan_account(s, st->job->root, more) != IOTA_OK) {
		uint64_t produced = atomic_load(&s->produced);
		st->limit = produced + more > s->opt.limits.max_total_bytes ? "bytes" : "ratio";
		st->budget = st->cap;
		return false;
	}
	st->reserved += more;
	return true;
}

/* Gives back what was counted and not kept. */
static void release(iota_stream *st, size_t keep)
{
	if (st->reserved > keep)
		iota_scan_unaccount(st->job->scan, st->reserved - keep);
	st->reserved = keep;
}

uint8_t *iota_stream_room(iota_stream *st, size_t *avail)
{
	if (st->len == st->cap && st->cap < st->budget) {
		size_t ncap = st->cap ? st->cap : FIRST_CAP;
		if (st->cap)
			ncap = st->cap > st->budget / 2 ? st->budget : st->cap * 2;
		if (ncap > st->budget)
			ncap = st->budget;
		if (reserve(st, ncap - st->cap)) {
			uint8_t *p = iota_realloc(st->buf, ncap);
			if (!p)
				return NULL;
			st->buf = p;
			st->cap = ncap;
		}
	}
	if (st->len < st->cap) {
		*avail = st->cap - st->len < MAX_ROOM ? st->cap - st->len : MAX_ROOM;
		st->last = st->buf + st->len;
	} else {
		/* the budget is used: see whether the stream has more to give */
		*avail = sizeof st->spill;
		st->last = st->spill;
	}
	return st->last;
}

void iota_stream_wrote(iota_stream *st, size_t n, size_t consumed)
{
	if (st->last == st->spill) {
		if (n)
			st->over = true;
		return;
	}
	st->len += n;
	/* the ratio rule of scan.c, for this stream alone */
	uint64_t r = st->job->scan->opt.limits.max_ratio;
	uint64_t allow = consumed > UINT64_MAX / (r ? r : 1) ? UINT64_MAX : consumed * r;
	if (allow < IOTA_RATIO_FLOOR)
		allow = IOTA_RATIO_FLOOR;
	if (st->len > allow) {
		st->over = st->bomb = true;
		st->limit = "ratio";
	}
}

bool iota_stream_stop(iota_stream *st)
{
	if (st->over)
		return true;
	if (iota_scan_should_stop(st->job->scan))
		st->halted = true;
	return st->halted;
}

static void drop(iota_stream *st)
{
	release(st, 0);
	iota_free(st->buf);
	st->buf = NULL;
	st->len = st->cap = 0;
}

iota_rc iota_stream_finish(iota_stream *st, iota_rc rc, const char *name)
{
	iota_unpack_job *job = st->job;
	if (rc == IOTA_NOMEM || st->halted || (st->len == 0 && (st->over || rc != IOTA_OK))) {
		drop(st);
		if (rc == IOTA_NOMEM)
			return IOTA_NOMEM;
		if (st->over) {
			iota_scan_limit(
			    job->scan, st->limit, job->root,
			    "%s stream at offset 0x%" PRIx64
			    ": no room left for its output (the %s limit); not unpacked",
			    job->root->fmt ? job->root->fmt->name : "compressed", job->offset,
			    st->limit);
			return IOTA_LIMIT;
		}
		return st->halted ? IOTA_LIMIT : rc;
	}
	if (st->len == 0) {
		drop(st); /* a whole stream of an empty file: the child is empty */
	} else if (st->len < st->cap) {
		uint8_t *p = iota_realloc(st->buf, st->len);
		if (p)
			st->buf = p;
	}
	size_t len = st->len;
	iota_blob *b = iota_blob_take(st->buf, len);
	st->buf = NULL;
	st->len = st->cap = 0;
	if (!b) {
		release(st, 0);
		return IOTA_NOMEM;
	}
	iota_node *n = iota_unpack_add_blob(job, name, b, 1);
	if (!n) {
		release(st, 0);
		return iota_scan_should_stop(job->scan) ? IOTA_LIMIT : IOTA_NOMEM;
	}
	/* counted here already: the visit must not count the bytes again */
	release(st, len);
	atomic_fetch_or(&n->flags, IOTA_NF_ACCOUNTED);
	if (st->over || rc != IOTA_OK)
		atomic_fetch_or(&n->flags, IOTA_NF_TRUNCATED);
	if (st->bomb)
		return iota_scan_limit(
		    job->scan, "ratio", n,
		    "%s stream expands more than %" PRIu64
		    " times (a decompression bomb?); the file is cut at %zu bytes",
		    job->root->fmt ? job->root->fmt->name : "compressed",
		    job->scan->opt.limits.max_ratio, len);
	if (st->over)
		return iota_scan_limit(
		    job->scan, st->limit, n,
		    "%s stream decompresses to more than %zu bytes (the %s limit); "
		    "the file is cut there",
		    job->root->fmt ? job->root->fmt->name : "compressed", len, st->limit);
	return rc;
}

/* One plain component: printable ASCII, no separators, not "." or "..". */
static bool plain_name(const char *s, size_t n)
{
	if (n == 0 || n > IOTA_MAX_NAME || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '/' || c == '\\')
			return false;
	}
	return true;
}

void iota_stream_name(const iota_unpack_job *job, const char *stored, const iota_stream_suffix *sfx,
                      char *out, size_t cap)
{
	if (stored) {
		const char *slash = strrchr(stored, '/');
		const char *base = slash ? slash + 1 : stored;
		if (plain_name(base, strlen(base))) {
			snprintf(out, cap, "%s", base);
			return;
		}
	}
	const char *parent = job->file ? job->file->name : NULL;
	if (job->offset == 0 && parent && sfx) {
		size_t pl = strlen(parent);
		for (const iota_stream_suffix *x = sfx; x->from; x++) {
			size_t fl = strlen(x->from);
			if (pl <= fl || strcasecmp(parent + pl - fl, x->from) != 0)
				continue;
			if (!plain_name(parent, pl - fl))
				break;
			snprintf(out, cap, "%.*s%s", (int)(pl - fl), parent, x->to);
			return;
		}
	}
	snprintf(out, cap, "data");
}

const char *iota_stream_lzma_message(int ret)
{
	switch (ret) {
	case LZMA_DATA_ERROR:
		return "the compressed data is corrupt";
	case LZMA_FORMAT_ERROR:
		return "not in the expected format";
	case LZMA_OPTIONS_ERROR:
		return "options liblzma does not support";
	case LZMA_UNSUPPORTED_CHECK:
		return "an unsupported check type";
	case LZMA_BUF_ERROR:
		return "the input ends too early";
	case LZMA_MEMLIMIT_ERROR:
		return "needs more memory than allowed";
	default:
		return "liblzma failed";
	}
}
