/* iotaudit catalog list|show, iotaudit explain: the standards catalog. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char catalog_usage[] =
	"usage: iotaudit catalog list [standards|profiles|checks|evidence-keys|STANDARD] [--data DIR]\n"
	"       iotaudit catalog show ID [--data DIR]\n"
	"       iotaudit catalog template [PROFILE] [--data DIR]   a vendor evidence file to fill in\n"
	"\n"
	"  ID is a check, a provision (STANDARD:ID, or the bare id when one standard has it),\n"
	"  a standard, a profile or an evidence key.\n";

static const char explain_usage[] =
	"usage: iotaudit explain ID [--data DIR]\n"
	"\n"
	"  what a check or provision means, why it matters, how to fix it and which standards\n"
	"  ask for it (ID: a check, STANDARD:PROVISION, a standard, a profile, an evidence key)\n";

/* Parses [--data DIR] and up to two words; 0 ok, else an exit code. */
static int args(int argc, char **argv, const char **data, const char **w, int maxw,
		const char *usage)
{
	int nw = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return -1;
		}
		if (strcmp(argv[i], "--data") == 0) {
			if (i + 1 >= argc) {
				cli_error("--data needs a folder");
				return EXIT_USAGE;
			}
			*data = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		} else if (nw < maxw) {
			w[nw++] = argv[i];
		} else {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int with_catalog(const char *data, iota_catalog **c)
{
	char err[512];
	iota_rc rc = iota_catalog_load(c, data, err, sizeof err);
	if (rc == IOTA_OK)
		return EXIT_OK;
	cli_error("%s", err);
	return rc == IOTA_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
}

static int show(iota_catalog *c, const char *id)
{
	iota_rc rc = iota_catalog_explain(c, id, stdout);
	if (rc == IOTA_WARN) {
		cli_error("'%s' is not a check, provision, standard, profile or evidence key "
			  "('iotaudit catalog list')",
			  id);
		return EXIT_INPUT;
	}
	return rc == IOTA_OK && fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

int cmd_catalog(int argc, char **argv)
{
	const char *data = NULL, *w[2] = {NULL, NULL};
	int r = args(argc, argv, &data, w, 2, catalog_usage);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (!w[0] ||
	    (strcmp(w[0], "list") != 0 && strcmp(w[0], "show") != 0 &&
	     strcmp(w[0], "template") != 0) ||
	    (strcmp(w[0], "show") == 0 && !w[1])) {
		fputs(catalog_usage, stderr);
		return EXIT_USAGE;
	}
	iota_catalog *c = NULL;
	if ((r = with_catalog(data, &c)) != EXIT_OK)
		return r;
	if (strcmp(w[0], "show") == 0) {
		r = show(c, w[1]);
	} else if (strcmp(w[0], "template") == 0) {
		iota_rc rc = iota_catalog_evidence_template(c, w[1], stdout);
		if (rc == IOTA_WARN) {
			cli_error("no profile '%s' ('iotaudit catalog list profiles')", w[1]);
			r = EXIT_USAGE;
		} else {
			r = rc == IOTA_OK && fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
		}
	} else {
		iota_rc rc = iota_catalog_list(c, w[1], stdout);
		if (rc == IOTA_WARN) {
			cli_error("nothing to list as '%s' (standards, profiles, checks, evidence-keys "
				  "or a standard's id)",
				  w[1]);
			r = EXIT_USAGE;
		} else {
			r = rc == IOTA_OK && fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
		}
	}
	iota_catalog_free(c);
	return r;
}

int cmd_explain(int argc, char **argv)
{
	const char *data = NULL, *w[1] = {NULL};
	int r = args(argc, argv, &data, w, 1, explain_usage);
	if (r)
		return r < 0 ? EXIT_OK : r;
	if (!w[0]) {
		fputs(explain_usage, stderr);
		return EXIT_USAGE;
	}
	iota_catalog *c = NULL;
	if ((r = with_catalog(data, &c)) != EXIT_OK)
		return r;
	r = show(c, w[0]);
	iota_catalog_free(c);
	return r;
}
