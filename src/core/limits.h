/*
 * Default hard limits of a scan, in one place. A user raises them with
 * command-line options (cli/) or iota_options.limits; reaching one emits a
 * finding of check "unpack.limit.*" and the scan goes on without the part
 * that did not fit.
 */
#ifndef IOTA_CORE_LIMITS_H
#define IOTA_CORE_LIMITS_H

#define IOTA_DEFAULT_MAX_DEPTH 16                   /* containers inside containers */
#define IOTA_DEFAULT_MAX_TOTAL_BYTES (16ULL << 30)  /* 16 GiB produced by unpacking */
#define IOTA_DEFAULT_MAX_RATIO 200ULL               /* expanded / input bytes */
#define IOTA_DEFAULT_MAX_FILES 1000000ULL           /* nodes in the tree */
#define IOTA_DEFAULT_MAX_FILE_SIZE (2ULL << 30)     /* one unpacked file: 2 GiB */
#define IOTA_DEFAULT_MAX_SECONDS 0                  /* wall time, 0 = no limit */

/* Not user-facing: engineering bounds. */
#define IOTA_PROBE_HEAD (64 * 1024)     /* bytes a probe() may look at */
#define IOTA_MAX_PATH 4096              /* a member's full path inside its container */
#define IOTA_MAX_NAME 255               /* one component */
#define IOTA_MAX_LINK 4096              /* a link target */
#define IOTA_MAX_CARVE_HITS 4096        /* candidate offsets tried in one blob */
#define IOTA_MIN_CARVE_BYTES 64         /* smaller blobs are not carved */
#define IOTA_RATIO_FLOOR (64ULL << 20)  /* the ratio limit applies above this many bytes */

#endif
