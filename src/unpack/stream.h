/*
 * What the single-stream decompressors (gzip, xz, lzma, bzip2, zstd, lz4) share: the decoded
 * bytes of one stream, held in one heap buffer that never grows past the scan's budget for a
 * file (iota_scan_file_budget(), read once at init), and the one child file they become.
 *
 * A decoder loop asks for room, decodes into it, and says how much it wrote:
 *
 *	iota_stream st;
 *	iota_stream_init(&st, job);
 *	while (!iota_stream_stop(&st)) {
 *		size_t avail;
 *		uint8_t *out = iota_stream_room(&st, &avail);
 *		if (!out)
 *			return iota_stream_finish(&st, IOTA_NOMEM, NULL);
 *		... decode at most avail bytes into out ...
 *		iota_stream_wrote(&st, made, consumed);
 *	}
 *	return iota_stream_finish(&st, rc, name);
 *
 * Once the budget is used, room() hands out a small scratch area instead: a stream that ends
 * exactly at the budget is whole, one that writes anything there is longer than allowed, and
 * stop() turns true. The buffer grows by doubling (never to the size a header claims), so a
 * decompression bomb costs at most the budget in memory and stops there.
 *
 * The scan's ratio limit is also applied to the stream itself: past IOTA_RATIO_FLOOR bytes, the
 * output may not exceed max_ratio times the compressed bytes read so far. A small bomb inside a
 * big image is thus cut at the floor, not at the file-size limit that the image's size allows.
 *
 * Accounting. Each growth of the buffer is counted against the scan's byte and ratio limits
 * (iota_scan_account) when it is made, not when the child is visited, so that streams decoded
 * at once on several workers cannot together hold more than the limits allow; the slack is
 * given back at the end and the child is marked IOTA_NF_ACCOUNTED.
 */
#ifndef IOTA_UNPACK_STREAM_H
#define IOTA_UNPACK_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/unpacker.h"

/* Most memory a decoder's own state may take (liblzma's memlimit for .xz and .lzma): covers
 * every xz/lzma preset (-9e needs 65 MiB) and dictionaries up to 256 MiB. */
#define IOTA_STREAM_MEMLIMIT ((uint64_t)320 << 20)

typedef struct iota_stream {
	iota_unpack_job *job;
	uint8_t *buf;
	size_t len, cap;
	size_t budget;
	size_t reserved;   /* bytes counted against the scan's limits for this stream */
	const char *limit; /* the limit kind that sets the budget ("file-size", "ratio"...) */
	uint8_t *last;     /* what room() gave last */
	bool over;         /* output went past the budget */
	bool bomb;         /* ... or past the ratio limit for the compressed bytes read */
	bool halted;       /* the scan is stopping (time, file count, fatal error) */
	uint8_t spill[4096];
} iota_stream;

/* A file-name ending and what replaces it in the child's name (".tgz" -> ".tar"). */
typedef struct iota_stream_suffix {
	const char *from;
	const char *to;
} iota_stream_suffix;

void iota_stream_init(iota_stream *st, iota_unpack_job *job);

/* Room for the next decoded bytes, at least one; *avail says how many. NULL if out of memory. */
uint8_t *iota_stream_room(iota_stream *st, size_t *avail);

/* Records that n bytes were written at what room() returned last (n <= its avail), after
 * 'consumed' compressed bytes were read in all. */
void iota_stream_wrote(iota_stream *st, size_t n, size_t consumed);

/* True when decoding must end now: the output passed the budget, or the scan is stopping. */
bool iota_stream_stop(iota_stream *st);

/* Ends the stream and releases it. rc is how decoding ended: OK (the stream is whole), CORRUPT
 * (job->why says what is wrong) or NOMEM. The output, if any, becomes the child file 'name' of
 * job->root, flagged for carving; it is flagged IOTA_NF_TRUNCATED when the stream was damaged or
 * passed the budget (with a limit finding). Returns what unpack() returns: rc, or LIMIT. */
iota_rc iota_stream_finish(iota_stream *st, iota_rc rc, const char *name);

/* Writes the child's name into out: 'stored' (a name kept in the stream's header, may be NULL)
 * when it is one plain printable ASCII component (its last one if it is a path); else, for a
 * stream at offset 0, the parent file's name with a matching suffix of sfx (a table ending with
 * a NULL 'from') replaced; else "data". */
void iota_stream_name(const iota_unpack_job *job, const char *stored, const iota_stream_suffix *sfx,
                      char *out, size_t cap);

/* What a liblzma error code (lzma_ret) means, in words for job->why. */
const char *iota_stream_lzma_message(int ret);

#endif
