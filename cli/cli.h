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
