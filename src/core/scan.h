/*
 * The scan context and the virtual file tree (VFS) — internal to the library.
 *
 * Tree shape. The root is the input (a file node, or a directory container
 * for a directory input). A file whose bytes hold a known format gets one
 * child per container found in it, a node of kind CONTAINER that records the
 * format, offset and size; the container's members hang below it. The
 * origin chain of a node is read upwards, e.g.
 *	router.bin @0x170000 squashfs:/usr/sbin/dropbear
 *
 * Threads. Unpacking runs on the pool's workers: every regular file is
 * "visited" once (content loaded, hashed, probed for nested containers,
 * handed to analyzers) in a pool task. Tree changes (adding nodes) take the
 * scan's vfs lock inside iota_vfs_add(); a node's own fields are written by
 * the one thread that creates or visits it.
 *
 * Content. A file's bytes come from a blob set at unpack time (heap buffer
 * or slice of its parent) or from a loader called on demand (mapped file,
 * SquashFS or ext4 inode). After its visit a node drops its bytes; nodes with
 * a loader can load again on request, stream members (tar, cpio...) cannot.
 */
#ifndef IOTA_CORE_SCAN_H
#define IOTA_CORE_SCAN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/blob.h"
#include "core/limits.h"
#include "iotaudit/iotaudit.h"
#include "util/pool.h"

typedef struct iota_node iota_node;
typedef struct iota_unpacker iota_unpacker;
typedef struct iota_carver iota_carver;

typedef enum iota_node_kind {
	IOTA_NODE_FILE = 0,
	IOTA_NODE_DIR,
	IOTA_NODE_SYMLINK,
	IOTA_NODE_HARDLINK,
	IOTA_NODE_CHR,
	IOTA_NODE_BLK,
	IOTA_NODE_FIFO,
	IOTA_NODE_SOCK,
	IOTA_NODE_CONTAINER
} iota_node_kind;

const char *iota_node_kind_name(iota_node_kind k);

typedef enum iota_severity {
	IOTA_SEV_INFO = 0,
	IOTA_SEV_LOW,
	IOTA_SEV_MEDIUM,
	IOTA_SEV_HIGH,
	IOTA_SEV_CRITICAL
} iota_severity;

const char *iota_severity_name(iota_severity s);

/* Node flags. */
enum {
	IOTA_NF_HASHED = 1 << 0,     /* sha256 is set */
	IOTA_NF_VISITED = 1 << 1,    /* a visit was scheduled */
	IOTA_NF_CARVE = 1 << 2,      /* a raw blob: look for containers at any offset */
	IOTA_NF_TRUNCATED = 1 << 3,  /* content was cut short by a limit or a damaged image */
	IOTA_NF_IMPLICIT = 1 << 4,   /* directory made for a member's path, not listed itself */
	IOTA_NF_UNREADABLE = 1 << 5, /* loading the content failed */
	IOTA_NF_ACCOUNTED = 1 << 6,  /* its bytes were counted against the limits */
	IOTA_NF_HAS_META = 1 << 7    /* mode/uid/gid/mtime came from the container */
};

/* Produces the content of n as a new blob reference. Called from any worker
 * thread, possibly for several nodes of one container at once: a loader
 * serialises access to shared decoder state itself. */
typedef struct iota_loader {
	iota_rc (*load)(iota_scan *s, iota_node *n, iota_blob **out);
} iota_loader;

struct iota_node {
	iota_node *parent;
	iota_node *first_child;
	iota_node *next_sibling;
	iota_node *container; /* nearest CONTAINER above; NULL for the root */
	const char *name;     /* one component; for containers "<format>@0x<offset>" */
	iota_node_kind kind;
	uint32_t mode;        /* permission bits incl. setuid/setgid/sticky (07777) */
	uint32_t uid, gid;
	int64_t mtime;
	uint64_t size;        /* bytes of a file; of a container, the container's size */
	uint32_t dev_major, dev_minor;
	const char *link;     /* symlink target as stored; hard link: cleaned path in container */
	atomic_uint flags;    /* IOTA_NF_* */

	/* content */
	iota_blob *blob;
	const iota_loader *loader;
	uint64_t load_arg;    /* the loader's own key (inode number, ...) */
	void *load_ptr;
	unsigned char sha256[32];

	/* CONTAINER nodes only */
	const iota_unpacker *fmt;
	uint64_t offset;      /* where the container starts in its parent file */
	char variant[32];     /* e.g. "xz", "newc", "v2" */
	unsigned depth;       /* 1 for containers found in the input itself */
	void *cctx;           /* the unpacker's state, kept for loaders */
	void (*cctx_free)(void *cctx);
	atomic_uint_fast64_t members;

	struct iota_attr *attrs; /* facts analyzers record, sorted by key */
};

/* A fact about a node ("elf.pie" = "yes"), shown in the JSON report. */
typedef struct iota_attr {
	const char *key;
	const char *value;
	struct iota_attr *next;
} iota_attr;

typedef struct iota_finding {
	const char *check;    /* e.g. "unpack.corrupt" */
	iota_severity severity;
	int confidence;       /* 0..100 */
	iota_node *node;      /* may be NULL: the scan as a whole */
	uint64_t offset;      /* byte offset in the node; UINT64_MAX = none */
	uint32_t line;        /* 1-based line in a text file; 0 = none */
	const char *message;
	const char *evidence; /* what was seen, secrets redacted (iota_redact); may be NULL */
} iota_finding;

struct vfs_index;

struct iota_scan {
	iota_options opt;
	iota_arena *arena;
	iota_pool *pool;
	iota_carver *carver;
	pthread_mutex_t vfs_lock;
	pthread_mutex_t find_lock;
	struct vfs_index *index;

	iota_node *root;
	const char *input_name;
	uint64_t input_bytes;
	iota_blob *input_blob;

	iota_finding *findings;
	size_t nfindings, capfindings;
	struct iota_component *components; /* component.h; under find_lock */
	size_t ncomponents;

	/* iota_scan_match(): the database's description ("NVD 2026-11-20, KEV
	 * 2026.11.21, cve5 ...") or NULL when no matching was run */
	const char *vulndb_summary;
	/* iota_scan_assess(): src/assess/assess.h; NULL when not assessed */
	struct iota_assessment *assessment;

	atomic_uint_fast64_t visited, visited_bytes;
	atomic_flag progress_busy;
	atomic_uint_fast64_t nnodes;
	atomic_uint_fast64_t produced;  /* bytes produced by unpacking */
	atomic_uint limit_seen;         /* which limits were already reported */
	atomic_int fatal;
	struct timespec started;

	/* tests and fuzzers only (NULL otherwise): the input file is unpacked as
	 * this format at offset 0 if its probe agrees, with no other format tried
	 * and no carving of the input; nested files are handled as usual */
	const iota_unpacker *only_fmt;

	/* extract */
	const char *out_dir;
	int out_fd;

	char err[512];
};

/* ---- scan-level helpers ---- */

/* Records the scan's error message (first one wins) and returns rc. */
iota_rc iota_scan_fail(iota_scan *s, iota_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds a finding. message is formatted; node may be NULL. Thread-safe. */
void iota_finding_add(iota_scan *s, const char *check, iota_severity sev, iota_node *node,
		      uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Adds a finding with every field (strings are copied; confidence 0 is
 * taken as 100). Thread-safe. */
void iota_finding_emit(iota_scan *s, const iota_finding *f);

/* Writes a redacted form of a secret: its first and last characters around
 * asterisks, never more than a quarter of it ("ad****in"), and the length. */
void iota_redact(const char *secret, size_t len, char *out, size_t cap);

/* Counts bytes produced for node (once per node) against the byte and ratio
 * limits. IOTA_LIMIT (finding emitted) if they do not fit. */
iota_rc iota_scan_account(iota_scan *s, iota_node *n, uint64_t bytes);

/* Gives back bytes counted with iota_scan_account() but not kept (a buffer
 * reserved ahead and trimmed at the end). */
void iota_scan_unaccount(iota_scan *s, uint64_t bytes);

/* The most bytes one decompressor may produce for one file now: the smallest
 * of the file-size limit and what remains of the total and ratio limits. */
uint64_t iota_scan_file_budget(iota_scan *s);

/* Reports a reached limit once per kind ("depth", "bytes", ...) with the
 * node it was reached at. Returns IOTA_LIMIT. */
iota_rc iota_scan_limit(iota_scan *s, const char *what, iota_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* True once the wall-time limit has passed or the scan hit a fatal error. */
bool iota_scan_should_stop(iota_scan *s);

/* ---- the tree ---- */

/* The input's root node (a file, or a directory container). */
iota_node *iota_vfs_root(iota_scan *s, const char *name, iota_node_kind kind);

/* Adds a CONTAINER node under file for format fmt at offset. */
iota_node *iota_vfs_container(iota_scan *s, iota_node *file, const iota_unpacker *fmt,
			      uint64_t offset, unsigned depth);

/* Adds (or finds) the node at the untrusted member path below container c.
 * The path is cleaned: absolute names become relative and ".." never leaves
 * the container (both reported as "unpack.path"); missing directories are
 * made. An existing node of another kind than a directory is replaced
 * (reported as "unpack.duplicate"). Returns NULL if the file-count limit was
 * reached (reported) or memory ran out; the unpacker should then stop.
 * An empty path returns c itself for kind DIR. */
iota_node *iota_vfs_add(iota_scan *s, iota_node *c, const char *path, size_t path_len,
			iota_node_kind kind);

/* The child of dir called name[0..len), or NULL; O(1). Containers are not
 * found this way (they are children of files, not directories). */
iota_node *iota_vfs_child(iota_scan *s, iota_node *dir, const char *name, size_t len);

/* Sets a node's content. set_blob consumes the reference. */
void iota_node_set_blob(iota_node *n, iota_blob *b);
void iota_node_set_loader(iota_node *n, const iota_loader *l, uint64_t arg, void *ptr);
/* Copies a symlink target (untrusted, any bytes) into the node. */
void iota_node_set_link(iota_scan *s, iota_node *n, const char *target, size_t len);
/* Hard link: stores the cleaned path of the target inside the container. */
void iota_node_set_hardlink(iota_scan *s, iota_node *n, const char *target, size_t len);

/* A new reference to the node's bytes: its blob, or what its loader makes.
 * IOTA_CORRUPT if it cannot be read (reported once), IOTA_WARN for a stream
 * member whose bytes were already dropped. */
iota_rc iota_node_content(iota_scan *s, iota_node *n, iota_blob **out);

/* Schedules the visit of file n now (stream unpackers call it right after
 * setting the content, so the bytes can be dropped early). Other files are
 * visited when their container's unpack() returns. */
void iota_vfs_commit(iota_scan *s, iota_node *n);

/* Sets (or replaces) attribute key of n. Only the thread visiting n, or a
 * whole-tree analyzer, may call it. key is copied; value is formatted. */
void iota_node_attr(iota_scan *s, iota_node *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The value of attribute key, or NULL. */
const char *iota_node_attr_get(const iota_node *n, const char *key);

/* Writes the path of n inside its container ("usr/sbin/dropbear", "" for the
 * container itself) and returns its length, or -1 if it did not fit. */
int iota_node_inner_path(const iota_node *n, char *buf, size_t cap);
/* Writes the origin chain ("router.bin @0x170000 squashfs:/usr/sbin/dropbear"). */
int iota_node_origin(const iota_node *n, char *buf, size_t cap);

/* Children in name order (sorts them the first time; call after the scan). */
void iota_vfs_sort(iota_node *n);

/* ---- engine (scan.c) ---- */

/* Visits a file: load, hash, probe and unpack nested containers, analyze.
 * Runs in the calling thread. */
void iota_visit_file(iota_scan *s, iota_node *n);
/* Finds containers in file n's bytes b (at offset 0, or anywhere when the
 * node is a raw blob) and unpacks them. */
void iota_unpack_blob(iota_scan *s, iota_node *n, iota_blob *b);

/* extract.c: writes one visited file (called during its visit). */
void iota_extract_file(iota_scan *s, iota_node *n, iota_blob *b);
/* extract.c: after the scan, makes directories, links and special files. */
void iota_extract_finish(iota_scan *s);

#endif
