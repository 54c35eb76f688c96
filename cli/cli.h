/* The iotaudit program: shared pieces of the subcommands. Uses only the
 * public API (include/iotaudit/). */
#ifndef IOTA_CLI_H
#define IOTA_CLI_H

#include "iotaudit/iotaudit.h"

enum {
	EXIT_OK = 0,
	EXIT_GATE = 1,     /* a policy gate failed */
	EXIT_USAGE = 2,
	EXIT_INPUT = 3,
	EXIT_INTERNAL = 4
};

int cmd_scan(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_inventory(int argc, char **argv);

/* ---- inventory (cmd_inventory.c), used by 'scan --store' and 'scan --batch' ---- */
struct iota_inventory;
struct iota_vulndb;
struct iota_inventory_meta;
/* Opens the inventory at --db (NULL = the default path), printing why not. */
struct iota_inventory *cli_inventory_open(const char *db_url);
/* Opens --vulndb, or the default database if it exists (NULL if none and
 * !required); *failed = 1 after printing an error. */
struct iota_vulndb *cli_vulndb_open_optional(const char *given, int required, int *failed);
/* Hashes, scans and stores one image unless its SHA-256 is stored already. */
int cli_inventory_add_image(struct iota_inventory *inv, struct iota_vulndb *vdb, const char *path,
			    const iota_options *opt, const struct iota_inventory_meta *meta,
			    int *added);
/* scan's inventory options: --store DB, --batch LIST, --vulndb PATH */
struct cli_store {
	int store;
	const char *db, *batch, *vulndb;
};
/* 1 if argv[*i] was one of them (value consumed), 0 if not, -1 bad. */
int cli_scan_store_option(int argc, char **argv, int *i, struct cli_store *st);
/* Stores a finished scan of the image file 'input'. */
int cli_scan_store(iota_scan *s, const char *input, const struct cli_store *st);
/* scan --batch LIST -j N --store DB: one process per image, N at a time. */
int cli_scan_batch(const char *list, unsigned jobs, const char *db_url, const char *vulndb,
		   const iota_options *opt);

/* Parses a common scan option at argv[*i] (advancing *i past its value).
 * Returns 1 if it was one, 0 if not, -1 on a bad value (message printed). */
int cli_scan_option(int argc, char **argv, int *i, iota_options *opt);
/* The help text of the common options. */
extern const char cli_scan_options_help[];

/* Prints "iotaudit: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Maps a scan's result to an exit code, printing its error. */
int cli_exit_for(iota_scan *s, iota_rc rc, const char *input);

#endif
