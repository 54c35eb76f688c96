/*
 * Text and path helpers shared by the configuration-file analyzers
 * (services, config, endpoints, update, lifecycle).
 *
 * Everything here reads untrusted bytes: every loop is bounded by the input
 * length and by the fixed capacities below, copies are truncated, never
 * overrun. Nothing allocates except where noted.
 *
 * Shell words follow the POSIX Shell Command Language (XCU 2.2 quoting,
 * 2.3 token recognition, 2.6.2 parameter expansion, 2.6.5 field splitting,
 * 2.7 redirection, 2.9 command lists) as far as a static reader can: quotes,
 * backslashes, comments, ; & | && || separators, redirections, here-document
 * openers, $NAME / ${NAME} / ${NAME:-default} from a caller's table.
 * Command substitutions are kept as literal text and never evaluated.
 */
#ifndef IOTA_ANALYZE_TEXTSCAN_H
#define IOTA_ANALYZE_TEXTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/scan.h"

/* ---- text ---- */

/* True if the first bytes look like text: no NUL and few control bytes. */
bool iota_ts_is_text(const uint8_t *p, size_t n);

/* Physical lines of a buffer (LF or CRLF). */
typedef struct iota_ts_lines {
	const char *p;
	size_t len, pos;
	uint32_t no; /* number of the line last returned, 1-based */
} iota_ts_lines;

void iota_ts_lines_init(iota_ts_lines *it, const void *p, size_t len);
/* The next line without its terminator; false at the end. */
bool iota_ts_next_line(iota_ts_lines *it, const char **line, size_t *len);
/* The next logical line: lines ending in a backslash are joined (the
 * backslash-newline removed) into buf, truncated at cap-1 bytes. *first is
 * the number of its first physical line. False at the end. */
bool iota_ts_next_logical(iota_ts_lines *it, char *buf, size_t cap, size_t *len, uint32_t *first);

/* Copies p[0..n) into out (cap bytes), trimmed of blanks; returns its length. */
size_t iota_ts_copy_trim(char *out, size_t cap, const char *p, size_t n);
/* Number of blanks (spaces, tabs) at the start of p[0..n). */
size_t iota_ts_blanks(const char *p, size_t n);
/* Copies the NUL-terminated src into dst (cap bytes), truncating. */
void iota_ts_copy(char *dst, size_t cap, const char *src);
/* Trims blanks in place; returns s. */
char *iota_ts_trim(char *s);
/* ASCII case-insensitive equality of a NUL-terminated string and p[0..n). */
bool iota_ts_ieq(const char *s, const char *p, size_t n);
/* Case-insensitive search for needle in p[0..n); NULL if absent. */
const char *iota_ts_istr(const char *p, size_t n, const char *needle);
/* True for "yes", "true", "on", "1", "enable", "enabled" (any case). */
bool iota_ts_truthy(const char *v);
/* True for "no", "false", "off", "0", "disable", "disabled" (any case). */
bool iota_ts_falsy(const char *v);

/* Splits a configuration line "key<sep>value" where sep is blanks, '=' or
 * ':' (blanks around '=' allowed). Comments starting with '#' at the line
 * start are not lines. The value is trimmed and unquoted when it is wholly
 * enclosed in matching quotes. Returns false for blank and comment lines. */
bool iota_ts_keyval(const char *line, size_t len, char *key, size_t kcap, char *val, size_t vcap);

/* Appends item to a comma-separated list in buf (cap bytes) unless it is
 * already there; false if it did not fit. */
bool iota_ts_list_add(char *buf, size_t cap, const char *item);

/* ---- printable strings of binary data ---- */

/* Calls fn for each run of at least min printable ASCII bytes (and tabs);
 * runs longer than 1024 bytes are cut in pieces. fn returns false to stop. */
void iota_ts_strings(const uint8_t *p, size_t n, size_t min,
                     bool (*fn)(const char *s, size_t len, size_t off, void *ctx), void *ctx);

/* Calls fn once for each printable run (as iota_ts_strings defines it, of
 * at least min bytes) that contains needle: the needle is found with
 * memmem() and the run grown around it, so a large binary costs one fast
 * search instead of a walk over every string. fn returns false to stop. */
void iota_ts_runs_with(const uint8_t *p, size_t n, const char *needle, size_t min,
                       bool (*fn)(const char *s, size_t len, size_t off, void *ctx), void *ctx);

/* ---- shell ---- */

#define IOTA_TS_MAX_WORDS 48
#define IOTA_TS_WORDBUF   2048
#define IOTA_TS_MAX_CMDS  16
#define IOTA_TS_MAX_VARS  64

typedef struct iota_ts_var {
	char name[32];
	char value[256];
} iota_ts_var;

/* Variables a script assigned at its top level, for expansion. */
typedef struct iota_ts_vars {
	iota_ts_var v[IOTA_TS_MAX_VARS];
	int n;
} iota_ts_vars;

/* Sets (or replaces) a variable; silently ignored when the table is full. */
void iota_ts_var_set(iota_ts_vars *vars, const char *name, size_t nlen, const char *value);
/* Forgets a variable (its value became unknown). */
void iota_ts_var_unset(iota_ts_vars *vars, const char *name, size_t nlen);
const char *iota_ts_var_get(const iota_ts_vars *vars, const char *name, size_t nlen);

/* One simple command. */
typedef struct iota_ts_cmd {
	int argc;
	char *argv[IOTA_TS_MAX_WORDS];
	bool dynamic[IOTA_TS_MAX_WORDS]; /* held an expansion that was not resolved */
	bool background;                 /* ended with a single '&' */
	char buf[IOTA_TS_WORDBUF];
} iota_ts_cmd;

typedef struct iota_ts_split {
	iota_ts_cmd cmd[IOTA_TS_MAX_CMDS];
	int ncmd;
	char heredoc[64]; /* delimiter of a here-document opened on this line */
	bool heredoc_strip_tabs;
} iota_ts_split;

/* Splits one logical line into simple commands. vars may be NULL (no
 * expansion: "$X" stays literal and is marked dynamic). Returns the number
 * of commands. */
int iota_ts_shell_split(const char *line, size_t len, const iota_ts_vars *vars, iota_ts_split *out);

/* Index of the program word of cmd, after leading assignments, reserved
 * words (if then elif else do while until ! { () and transparent wrappers
 * (exec, nohup, setsid, env, nice -n N, command, builtin, time); -1 if none. */
int iota_ts_cmd_program(const iota_ts_cmd *cmd);

/* The last path component of a program word ("/usr/sbin/telnetd" ->
 * "telnetd"), with a leading '-' (login-shell convention) dropped. */
const char *iota_ts_basename(const char *word);

/* True if a program's base name is an interactive shell (sh, ash, bash...). */
bool iota_ts_is_shell(const char *base);

/* Joins argv[from..argc) with single spaces, quoting words that need it so
 * that iota_ts_shell_split() gives them back; truncated at cap. */
size_t iota_ts_join(const iota_ts_cmd *cmd, int from, char *out, size_t cap);

/* Like iota_ts_join(), with secrets redacted (iota_redact): the values of
 * password and user options (--password, --user, curl/wget -u, ftpget -p,
 * mosquitto_pub -P, sshpass -p, SNMP -c other than public/private),
 * "password=" style words, and the user information of URLs. */
size_t iota_ts_join_redacted(const iota_ts_cmd *cmd, int from, char *out, size_t cap);

/* Replaces the user information of a URL in place with three asterisks
 * ("http" "://u:p@h/" becomes "http" "://" "***" "@h/"). */
void iota_ts_strip_userinfo(char *url);

/* ---- paths and the tree ---- */

/* True if path equals pat or ends with "/" pat. */
bool iota_ts_path_is(const char *path, const char *pat);
/* True if the file's directory is dir (path equals dir/NAME or ends with
 * /dir/NAME, NAME one component). */
bool iota_ts_path_in(const char *path, const char *dir);
/* True if path has the components of dir (at a component boundary)
 * somewhere in it as a prefix of a directory chain: "usr/share/doc". */
bool iota_ts_path_within(const char *path, const char *dir);
/* The node levels up (NULL if the tree is not that deep). */
iota_node *iota_ts_up(iota_node *n, int levels);
/* Number of components in a relative path pattern ("etc/init.d/x" = 3). */
int iota_ts_components(const char *pat);

/* Resolves a path (absolute or relative to base) below root, following
 * symbolic links inside the tree (bounded): every link on the way, and the
 * last component's too when follow_last (else the link node itself is the
 * answer). NULL if absent. */
iota_node *iota_ts_lookup(iota_scan *s, iota_node *root, iota_node *base, const char *path,
                          bool follow_last);

/* The root of the file system n lives in: its innermost ancestor that
 * looks like a root file system (iota_ts_is_rootfs), else the directory
 * above its outermost ancestor called etc, bin, sbin, usr, lib or www,
 * else n->container. */
iota_node *iota_ts_fs_root(iota_scan *s, iota_node *n);

/* True if dir (a directory or container node) looks like the root of a
 * Linux file system: it holds etc and one of bin, sbin, usr, lib. */
bool iota_ts_is_rootfs(iota_scan *s, iota_node *dir);

/* True if n lies in documentation, development or test material: a path
 * within usr/share/doc, man, info, licences, include, pkgconfig, test
 * directories or Python package metadata, checked for n and for every file
 * that holds it through containers (the page inside usr/share/man/x.1.gz). */
bool iota_ts_in_docs(const iota_node *n);
/* True for names of documentation and source files: README, LICENSE,
 * COPYING, copyright, ChangeLog, NEWS, Makefile..., *.md, *.c, *.h... */
bool iota_ts_doc_name(const char *name);

/* Calls fn for every node below n (depth first, children in name order),
 * entering directories and containers. Bounded by the tree itself. */
void iota_ts_walk(iota_node *n, void (*fn)(iota_node *n, void *ctx), void *ctx);

/* ---- node attributes in numbered series ---- */

/* Adds the next value of a numbered series "prefix.01", "prefix.02"...
 * to n (at most 99 values); returns the index used, 0 if full. Only the
 * thread visiting n (or a whole-tree analyzer) may call it. */
int iota_ts_attr_series(iota_scan *s, iota_node *n, const char *prefix, const char *value);

/* Appends value to attribute key of n as "old; value" unless already
 * present (whole-tree analyzers only). */
void iota_ts_attr_append(iota_scan *s, iota_node *n, const char *key, const char *value);

#endif
