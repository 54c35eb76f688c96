/* iotaudit scan: unpack an image or directory and report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "iotaudit/vulndb.h"

static const char scan_usage[] =
	"usage: iotaudit scan IMAGE|DIR [options]\n"
	"\n"
	"  -f, --format LIST      report formats, comma-separated: text, json, cyclonedx, spdx,\n"
	"                         sarif, html, csv, mud (default text)\n"
	"  -o, --output DIR       write report.<ext> for each format into DIR instead of stdout\n"
	"      --color | --no-color  colours in the text report (default: on a terminal)\n"
	"      --vulndb PATH      match components against this vulnerability database (default:\n"
	"                         $XDG_DATA_HOME/iotaudit/vuln.db or ~/.local/share/iotaudit/vuln.db,\n"
	"                         when that file exists; see 'iotaudit db')\n"
	"      --no-vulndb        do not match, even when the default database exists\n"
	"\n"
	"assessment against the standards catalog (any of these turns it on):\n"
	"      --profile NAME     consumer (default) or industrial:SL1..SL4\n"
	"      --evidence FILE    vendor evidence (YAML) answering documentation provisions\n"
	"      --tailoring FILE   accepted findings, checks or provisions (YAML)\n"
	"      --policy FILE      acceptance criteria (YAML); unmet -> exit 1 with the reasons\n"
	"      --fail-on SEVERITY exit 1 on an unaccepted finding at or above critical|high|medium|low\n"
	"      --data DIR         a catalog folder instead of the built-in one\n"
	"      --assess           assess with the defaults (consumer profile)\n"
	"\n"
	"inventory:\n"
	"      --store DB         also store the result in the inventory (a SQLite file or\n"
	"                         postgresql://...; see 'iotaudit inventory --help')\n"
	"      --batch LIST       scan the images listed in LIST (one path a line) into the\n"
	"                         inventory, -j N at a time, skipping those already stored\n";

/* ---- assessment options (iota_scan_assess): kept apart from the scan's ---- */

struct assess_cli {
	iota_assess_options o;
	int wanted;
};

/* 1 if argv[*i] was an assessment option, 0 if not, -1 on a bad use. */
static int assess_option(int argc, char **argv, int *i, struct assess_cli *ac)
{
	static const char *const with_value[] = {"--profile", "--evidence", "--tailoring", "--policy",
						 "--fail-on", "--data",	   "--today",	  NULL};
	const char *a = argv[*i];
	if (strcmp(a, "--assess") == 0) {
		ac->wanted = 1;
		return 1;
	}
	for (int k = 0; with_value[k]; k++) {
		if (strcmp(a, with_value[k]) != 0)
			continue;
		if (*i + 1 >= argc || !argv[*i + 1][0]) {
			cli_error("%s needs a value", a);
			return -1;
		}
		const char *v = argv[++*i];
		const char **slot[] = {&ac->o.profile, &ac->o.evidence, &ac->o.tailoring, &ac->o.policy,
				       &ac->o.fail_on, &ac->o.data_dir, &ac->o.today};
		*slot[k] = v;
		ac->wanted = 1;
		return 1;
	}
	return 0;
}

/* Runs the assessment; EXIT_OK, or the code for a bad catalog/evidence/... file. */
static int assess_run(iota_scan *s, struct assess_cli *ac)
{
	if (!ac->wanted)
		return EXIT_OK;
	iota_rc rc = iota_scan_assess(s, &ac->o);
	if (rc == IOTA_OK)
		return EXIT_OK;
	cli_error("%s", iota_scan_error(s)[0] ? iota_scan_error(s) : "assessment failed");
	return rc == IOTA_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
}

/* After the reports: the gate's reasons on stderr, exit 1 when there are any. */
static int assess_gate_exit(iota_scan *s, struct assess_cli *ac)
{
	size_t n = ac->wanted ? iota_gate_reasons(s) : 0;
	for (size_t i = 0; i < n; i++)
		cli_error("gate: %s", iota_gate_reason(s, i));
	if (n)
		cli_error("gate failed (%zu reason%s)", n, n == 1 ? "" : "s");
	return n ? EXIT_GATE : EXIT_OK;
}

/* ---- end of the assessment options ---- */

static int write_reports(iota_scan *s, const int *formats, int nformats, const char *out_dir,
			 int color)
{
	if (!out_dir) {
		for (int i = 0; i < nformats; i++) {
			if (iota_report_write(s, (iota_format)formats[i], stdout, color) != IOTA_OK) {
				cli_error("%s", iota_scan_error(s));
				return EXIT_INTERNAL;
			}
		}
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
	}
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		cli_error("%s: %s", out_dir, strerror(errno));
		return EXIT_INPUT;
	}
	struct stat st;
	if (stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error("%s: not a directory", out_dir);
		return EXIT_INPUT;
	}
	for (int i = 0; i < nformats; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/report.%s", out_dir,
			 iota_format_extension((iota_format)formats[i]));
		FILE *f = fopen(path, "w");
		if (!f) {
			cli_error("%s: %s", path, strerror(errno));
			return EXIT_INPUT;
		}
		iota_rc rc = iota_report_write(s, (iota_format)formats[i], f, 0);
		if (fclose(f) != 0 || rc != IOTA_OK) {
			cli_error("%s: cannot write", path);
			return EXIT_INTERNAL;
		}
		fprintf(stderr, "iotaudit: wrote %s\n", path);
	}
	return EXIT_OK;
}

/* Matches the scan's components against the database named, or the default
 * one when it exists (a missing default is no error: matching is then
 * simply not done). */
static int match_vulns(iota_scan *s, const char *path)
{
	char def[4096];
	if (!path) {
		if (iota_vulndb_default_path(def, sizeof def) != 0 || access(def, R_OK) != 0)
			return EXIT_OK;
		path = def;
	}
	iota_vulndb *db = NULL;
	if (iota_vulndb_open(&db, path, IOTA_VULNDB_READ) != IOTA_OK) {
		cli_error("%s", db ? iota_vulndb_error(db) : "out of memory");
		iota_vulndb_close(db);
		return EXIT_INPUT;
	}
	iota_rc rc = iota_scan_match(s, db);
	iota_vulndb_close(db);
	if (rc != IOTA_OK) {
		cli_error("%s", iota_scan_error(s));
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* A one-line progress display on stderr, at most five times a second. */
static void show_progress(void *ctx, uint64_t files, uint64_t bytes)
{
	static struct timespec last;
	struct timespec now;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 < 200)
		return;
	last = now;
	fprintf(stderr, "\r\033[Kscanning: %llu files, %.1f MiB", (unsigned long long)files,
		(double)bytes / (1024.0 * 1024.0));
}

int cmd_scan(int argc, char **argv)
{
	iota_options opt;
	iota_options_init(&opt);
	const char *input = NULL, *out_dir = NULL, *vulndb = NULL;
	int no_vulndb = 0;
	int formats[8], nformats = 0;
	int color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	struct assess_cli ac = {.wanted = 0};
	iota_assess_options_init(&ac.o);
	struct cli_store store = {0}; /* inventory: --store, --batch (cmd_inventory.c) */

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = cli_scan_option(argc, argv, &i, &opt);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if ((r = assess_option(argc, argv, &i, &ac)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		/* ---- inventory options (--store, --batch) ---- */
		r = cli_scan_store_option(argc, argv, &i, &store);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		/* ---- end of inventory options ---- */
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(scan_usage, stdout);
			fputs(cli_scan_options_help, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0) {
			if (i + 1 >= argc) {
				cli_error("%s needs a list of formats", a);
				return EXIT_USAGE;
			}
			char list[256];
			snprintf(list, sizeof list, "%s", argv[++i]);
			for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				int f = iota_format_parse(t);
				if (f < 0) {
					cli_error("unknown format '%s' (text, json, sarif, cyclonedx, spdx, html, csv, mud)", t);
					return EXIT_USAGE;
				}
				if (nformats < 8)
					formats[nformats++] = f;
			}
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc) {
				cli_error("%s needs a directory", a);
				return EXIT_USAGE;
			}
			out_dir = argv[++i];
		} else if (strcmp(a, "--vulndb") == 0) {
			if (i + 1 >= argc) {
				cli_error("%s needs a database file", a);
				return EXIT_USAGE;
			}
			vulndb = argv[++i];
		} else if (strcmp(a, "--no-vulndb") == 0) {
			no_vulndb = 1;
		} else if (strcmp(a, "--color") == 0) {
			color = 1;
		} else if (strcmp(a, "--no-color") == 0) {
			color = 0;
		} else if (a[0] == '-' && a[1]) {
			cli_error("unknown option '%s' (try 'iotaudit scan --help')", a);
			return EXIT_USAGE;
		} else if (!input) {
			input = a;
		} else {
			cli_error("one input at a time ('%s' and '%s')", input, a);
			return EXIT_USAGE;
		}
	}
	/* ---- inventory: scan --batch LIST [-j N] [--store DB] ---- */
	if (!no_vulndb)
		store.vulndb = vulndb; /* NULL: the default database when it exists */
	if (store.batch) {
		if (input || nformats || out_dir) {
			cli_error("--batch stores results in the inventory; give no image, -f or -o");
			return EXIT_USAGE;
		}
		return cli_scan_batch(store.batch, opt.threads, store.db, store.vulndb, &opt);
	}
	/* ---- end of inventory ---- */
	if (!input) {
		fputs(scan_usage, stderr);
		return EXIT_USAGE;
	}
	if (nformats == 0)
		formats[nformats++] = IOTA_FORMAT_TEXT;

	int progress = isatty(STDERR_FILENO);
	if (progress)
		opt.progress = show_progress;
	iota_scan *s = NULL;
	if (iota_scan_open(&s, &opt) != IOTA_OK) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	iota_rc rc = iota_scan_run(s, input);
	if (progress)
		fputs("\r\033[K", stderr);
	int code = cli_exit_for(s, rc, input);
	if (code == EXIT_OK && !no_vulndb)
		code = match_vulns(s, vulndb);
	if (code == EXIT_OK)
		code = assess_run(s, &ac);
	if (code == EXIT_OK)
		code = write_reports(s, formats, nformats, out_dir, color);
	/* ---- inventory: scan IMAGE --store DB (stored whatever the gate says) ---- */
	if (code == EXIT_OK && store.store)
		code = cli_scan_store(s, input, &store);
	/* ---- end of inventory ---- */
	if (code == EXIT_OK)
		code = assess_gate_exit(s, &ac);
	iota_scan_free(s);
	return code;
}
