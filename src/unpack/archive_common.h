/*
 * Archive formats read through libarchive (tar, cpio, zip, 7z, ISO 9660),
 * shared by their unpackers. Each unpacker probes its own magic, then hands
 * the bytes to iota_archive_unpack() with only its own libarchive format
 * enabled and no filters: compressed streams are unpacked by the
 * decompressor unpackers first, and their output is probed again.
 *
 * Members are streamed: every regular file's bytes are read at once (at most
 * iota_scan_file_budget() bytes), set on its node and committed for its
 * visit, so they can be dropped early. Stream members cannot be loaded again.
 */
#ifndef IOTA_UNPACK_ARCHIVE_COMMON_H
#define IOTA_UNPACK_ARCHIVE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/unpacker.h"

struct archive;

typedef struct iota_archive_run {
	/* in */
	int (*enable)(struct archive *a); /* e.g. archive_read_support_format_tar */
	size_t len;                       /* bytes from job->data given to libarchive */
	int rdev_high_low;                /* rdev holds two 32-bit halves, major:minor (Rock
					     Ridge PN as libarchive passes it on) */
	char note[160];                   /* what the unpacker found wrong with the archive as a
					     whole (e.g. cut short); reported once, together with
					     libarchive's own complaint if there is one */
	/* out */
	int format;          /* archive_format() after the first header; 0 if none was read */
	uint64_t consumed;   /* archive_filter_bytes(a, -1) where reading stopped */
	uint64_t entries;    /* headers read */
	int eof;             /* the end of the archive was reached without a fatal error */
	uint64_t encrypted;  /* encrypted members met (1 for encrypted headers) */
	iota_node *first_encrypted;
} iota_archive_run;

/* Adds the members of the archive at job->data[0, run->len) under job->root.
 * Damaged members are reported ("unpack.corrupt", with their name) and
 * skipped while libarchive can go on; encrypted ones are reported as
 * "unpack.encrypted". Returns OK; WARN if something was skipped or reading
 * stopped early after some members; CORRUPT (job->why set) if the archive
 * could not be read at all; LIMIT or NOMEM. */
iota_rc iota_archive_unpack(iota_unpack_job *job, iota_archive_run *run);

#endif
