/* iotaudit inventory: store scan results of a fleet and ask questions across
 * it; also the storing half of 'scan --store' and 'scan --batch'. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "iotaudit/inventory.h"
#include "iotaudit/vulndb.h"

static const char inventory_usage[] =
    "usage: iotaudit inventory <command> [options]\n"
    "\n"
    "commands:\n"
    "  add IMAGE...         scan each image and store it (skipped when its SHA-256 is stored)\n"
    "  query CRITERIA       images by --cve ID, --component NAME [--version-range R], --kev,\n"
    "                       --finding CHECK, --eol, narrowed by --vendor, --model, --tag;\n"
    "                       no criterion lists the images\n"
    "  rematch              match every stored component against the vulnerability database\n"
    "                       again and report what changed\n"
    "  diff A B             components, findings and vulnerabilities between two images\n"
    "                       (a SHA-256 prefix or a file name each)\n"
    "  eol                  images past, or within --within DAYS of, their end of support\n"
    "\n"
    "options:\n"
    "      --db URL           a SQLite file or postgresql://... (default\n"
    "                         $XDG_DATA_HOME/iotaudit/inventory.db)\n"
    "      --vulndb PATH      the vulnerability database (default: iotaudit db's, when present)\n"
    "  -f, --format FMT       table (default), json or csv\n"
    "add:\n"
    "      --vendor V  --model M  --fw-version X  --class consumer|industrial\n"
    "      --tag T (repeatable)  --support-end YYYY-MM-DD\n"
    "query:\n"
    "      --version-range R  with --component: '>=1.0,<2.0' (',' = and), the project's\n"
    "                         version ordering\n"
    "      --all              also matches of status 'unknown'\n"
    "      --today YYYY-MM-DD judge --eol and eol against this day (default today)\n"
    "eol:\n"
    "      --within DAYS      also images whose support ends within DAYS (default 0)\n";

enum out_fmt { OUT_TABLE, OUT_JSON, OUT_CSV };

/* ---- shared with cmd_scan.c ---- */

int cli_inventory_url(const char *given, char *buf, size_t size)
{
	if (given) {
		snprintf(buf, size, "%s", given);
		return 0;
	}
	if (iota_inventory_default_path(buf, size) != 0) {
		cli_error("no --db given and neither XDG_DATA_HOME nor HOME is set");
		return -1;
	}
	return 0;
}

/* Makes the folder of a SQLite path (not of a URL). */
static int make_parent(const char *url)
{
	if (strstr(url, "://"))
		return 0;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", url);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			cli_error("%s: %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

iota_inventory *cli_inventory_open(const char *given)
{
	char url[4096];
	if (cli_inventory_url(given, url, sizeof url) != 0 || make_parent(url) != 0)
		return NULL;
	iota_inventory *inv = NULL;
	if (iota_inventory_open(&inv, url) != IOTA_OK) {
		cli_error("%s", iota_inventory_error(inv));
		iota_inventory_close(inv);
		return NULL;
	}
	return inv;
}

/* Opens --vulndb, or the default database when it exists; *none = 1 when
 * there is none and none was asked for. */
iota_vulndb *cli_vulndb_open_optional(const char *given, int required, int *failed)
{
	char def[4096];
	*failed = 0;
	const char *path = given;
	if (!path) {
		struct stat st;
		if (iota_vulndb_default_path(def, sizeof def) == 0 && stat(def, &st) == 0)
			path = def;
	}
	if (!path) {
		if (required) {
			cli_error("no vulnerability database: give --vulndb PATH or run 'iotaudit "
			          "db import'");
			*failed = 1;
		}
		return NULL;
	}
	iota_vulndb *db = NULL;
	if (iota_vulndb_open(&db, path, IOTA_VULNDB_READ) != IOTA_OK) {
		cli_error("%s", db ? iota_vulndb_error(db) : "out of memory");
		iota_vulndb_close(db);
		*failed = 1;
		return NULL;
	}
	return db;
}

int cli_inventory_add_image(iota_inventory *inv, iota_vulndb *vdb, const char *path,
                            const iota_options *opt, const iota_inventory_meta *meta, int *added)
{
	*added = 0;
	struct stat st;
	if (stat(path, &st) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		return EXIT_INPUT;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error(
		    "%s: the inventory keeps image files (keyed by their SHA-256), not folders",
		    path);
		return EXIT_INPUT;
	}
	char sha[65];
	if (iota_inventory_hash_file(path, sha) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		return EXIT_INPUT;
	}
	int has = iota_inventory_has(inv, sha);
	if (has < 0) {
		cli_error("%s", iota_inventory_error(inv));
		return EXIT_INTERNAL;
	}
	if (has)
		return EXIT_OK;
	iota_scan *s = NULL;
	if (iota_scan_open(&s, opt) != IOTA_OK) {
		cli_error("out of memory");
		iota_scan_free(s);
		return EXIT_INTERNAL;
	}
	int code = cli_exit_for(s, iota_scan_run(s, path), path);
	if (code == EXIT_OK && iota_inventory_add_scan(inv, s, sha, meta, vdb, added) != IOTA_OK) {
		cli_error("%s: %s", path, iota_inventory_error(inv));
		code = EXIT_INTERNAL;
	}
	iota_scan_free(s);
	return code;
}

/* ---- output ---- */

static int numeric_col(const char *c)
{
	return strcmp(c, "cvss") == 0 || strcmp(c, "count") == 0 || strcmp(c, "components") == 0 ||
	       strcmp(c, "findings") == 0 || strcmp(c, "days") == 0 || strcmp(c, "images") == 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void csv_cell(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void print_table(const iota_inventory_table *t, enum out_fmt fmt, FILE *f)
{
	if (fmt == OUT_JSON) {
		fputs("[", f);
		for (size_t r = 0; r < t->nrows; r++) {
			fputs(r ? ",\n  {" : "\n  {", f);
			for (size_t c = 0; c < t->ncols; c++) {
				const char *v = iota_inventory_cell(t, r, c);
				if (c)
					fputs(", ", f);
				json_str(f, t->cols[c]);
				fputs(": ", f);
				char *end = NULL;
				if (!v)
					fputs("null", f);
				else if (strcmp(t->cols[c], "kev") == 0)
					fputs(strcmp(v, "1") == 0 ? "true" : "false", f);
				else if (numeric_col(t->cols[c]) && *v &&
				         (strtod(v, &end), *end == '\0'))
					fputs(v, f);
				else
					json_str(f, v);
			}
			fputs("}", f);
		}
		fputs(t->nrows ? "\n]\n" : "]\n", f);
		return;
	}
	if (fmt == OUT_CSV) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			csv_cell(f, t->cols[c]);
		}
		fputs("\r\n", f);
		for (size_t r = 0; r < t->nrows; r++) {
			for (size_t c = 0; c < t->ncols; c++) {
				if (c)
					fputc(',', f);
				csv_cell(f, iota_inventory_cell(t, r, c));
			}
			fputs("\r\n", f);
		}
		return;
	}
	/* table: the SHA-256 cut to 12 digits, widths from the content, capped */
	size_t w[64] = {0};
	size_t nc = t->ncols < 64 ? t->ncols : 64;
	for (size_t c = 0; c < nc; c++)
		w[c] = strlen(t->cols[c]);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < nc; c++) {
			const char *v = iota_inventory_cell(t, r, c);
			size_t l = v ? strlen(v) : 1;
			if (strcmp(t->cols[c], "sha256") == 0 && l > 12)
				l = 12;
			if (l > 60)
				l = 60;
			if (l > w[c])
				w[c] = l;
		}
	for (size_t c = 0; c < nc; c++)
		if (c + 1 < nc)
			fprintf(f, "%-*s  ", (int)w[c], t->cols[c]);
		else
			fprintf(f, "%s\n", t->cols[c]);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < nc; c++) {
			const char *v = iota_inventory_cell(t, r, c);
			int max = strcmp(t->cols[c], "sha256") == 0 ? 12 : c + 1 < nc ? 60 : 100000;
			if (c + 1 < nc)
				fprintf(f, "%-*.*s  ", (int)w[c], max, v ? v : "-");
			else
				fprintf(f, "%.*s\n", max, v ? v : "-");
		}
}

/* ---- the subcommands ---- */

struct args {
	const char *db, *vulndb;
	enum out_fmt fmt;
	iota_inventory_meta meta;
	const char *tags[64];
	iota_inventory_query q;
	unsigned within;
	const char *pos[4096];
	size_t npos;
	iota_options opt;
};

/* A real calendar day written YYYY-MM-DD. */
static int is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = (int)strtol(s, NULL, 10) - 1900; /* digits checked above */
	tm.tm_mon = (int)strtol(s + 5, NULL, 10) - 1;
	tm.tm_mday = (int)strtol(s + 8, NULL, 10);
	tm.tm_hour = 12;
	int mon = tm.tm_mon, mday = tm.tm_mday;
	if (mon < 0 || mon > 11 || mday < 1)
		return 0;
	time_t t = timegm(&tm); /* normalises 02-30 to 03-02: caught below */
	return t != (time_t)-1 && tm.tm_mday == mday && tm.tm_mon == mon;
}

static int need(int argc, char **argv, int i)
{
	if (i + 1 >= argc) {
		cli_error("%s needs a value", argv[i]);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a, const char *cmd)
{
	memset(a, 0, sizeof *a);
	iota_options_init(&a->opt);
	a->meta.tags = a->tags;
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i];
		int r = strcmp(cmd, "add") == 0 ? cli_scan_option(argc, argv, &i, &a->opt) : 0;
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
#define VALUE(field)                                                                               \
	do {                                                                                       \
		if (need(argc, argv, i) != 0)                                                      \
			return -1;                                                                 \
		field = argv[++i];                                                                 \
	} while (0)
		if (strcmp(o, "--db") == 0)
			VALUE(a->db);
		else if (strcmp(o, "--vulndb") == 0)
			VALUE(a->vulndb);
		else if (strcmp(o, "-f") == 0 || strcmp(o, "--format") == 0) {
			const char *f;
			VALUE(f);
			if (strcmp(f, "table") == 0 || strcmp(f, "text") == 0)
				a->fmt = OUT_TABLE;
			else if (strcmp(f, "json") == 0)
				a->fmt = OUT_JSON;
			else if (strcmp(f, "csv") == 0)
				a->fmt = OUT_CSV;
			else {
				cli_error("unknown format '%s' (table, json, csv)", f);
				return -1;
			}
		} else if (strcmp(o, "--vendor") == 0) {
			VALUE(a->meta.vendor);
			a->q.vendor = a->meta.vendor;
		} else if (strcmp(o, "--model") == 0) {
			VALUE(a->meta.model);
			a->q.model = a->meta.model;
		} else if (strcmp(o, "--tag") == 0) {
			VALUE(a->q.tag);
			if (a->meta.ntags < 64)
				a->tags[a->meta.ntags++] = a->q.tag;
		} else if (strcmp(o, "--fw-version") == 0)
			VALUE(a->meta.fw_version);
		else if (strcmp(o, "--class") == 0) {
			VALUE(a->meta.device_class);
			if (strcmp(a->meta.device_class, "consumer") != 0 &&
			    strcmp(a->meta.device_class, "industrial") != 0) {
				cli_error("--class is consumer or industrial, not '%s'",
				          a->meta.device_class);
				return -1;
			}
		} else if (strcmp(o, "--support-end") == 0) {
			VALUE(a->meta.support_end);
			if (!is_date(a->meta.support_end)) {
				cli_error("--support-end needs a date YYYY-MM-DD, not '%s'",
				          a->meta.support_end);
				return -1;
			}
		} else if (strcmp(o, "--cve") == 0)
			VALUE(a->q.cve);
		else if (strcmp(o, "--component") == 0)
			VALUE(a->q.component);
		else if (strcmp(o, "--version-range") == 0)
			VALUE(a->q.version_range);
		else if (strcmp(o, "--finding") == 0)
			VALUE(a->q.finding);
		else if (strcmp(o, "--kev") == 0)
			a->q.kev = 1;
		else if (strcmp(o, "--eol") == 0)
			a->q.eol = 1;
		else if (strcmp(o, "--all") == 0)
			a->q.all_status = 1;
		else if (strcmp(o, "--today") == 0) {
			VALUE(a->q.today);
			if (!is_date(a->q.today)) {
				cli_error("--today needs a date YYYY-MM-DD, not '%s'", a->q.today);
				return -1;
			}
		} else if (strcmp(o, "--within") == 0) {
			const char *v;
			VALUE(v);
			char *end;
			errno = 0;
			unsigned long d = strtoul(v, &end, 10);
			if (errno || end == v || *end || *v == '-' || d > 100000) {
				cli_error("--within needs a number of days");
				return -1;
			}
			a->within = (unsigned)d;
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			fputs(inventory_usage, stdout);
			return 1;
		} else if (o[0] == '-' && o[1]) {
			cli_error("unknown option '%s' (try 'iotaudit inventory --help')", o);
			return -1;
		} else if (a->npos < sizeof a->pos / sizeof a->pos[0]) {
			a->pos[a->npos++] = o;
		} else {
			cli_error("too many arguments");
			return -1;
		}
#undef VALUE
	}
	return 0;
}

static int finish_table(iota_inventory *inv, iota_rc rc, iota_inventory_table *t, enum out_fmt fmt)
{
	if (rc != IOTA_OK) {
		cli_error("%s", iota_inventory_error(inv));
		iota_inventory_table_free(t);
		return EXIT_INPUT;
	}
	print_table(t, fmt, stdout);
	iota_inventory_table_free(t);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

static int do_add(struct args *a)
{
	if (a->npos == 0) {
		cli_error("inventory add needs at least one image");
		return EXIT_USAGE;
	}
	int failed;
	iota_vulndb *vdb = cli_vulndb_open_optional(a->vulndb, 0, &failed);
	if (failed)
		return EXIT_INPUT;
	iota_inventory *inv = cli_inventory_open(a->db);
	if (!inv) {
		iota_vulndb_close(vdb);
		return EXIT_INPUT;
	}
	int code = EXIT_OK;
	size_t added = 0, kept = 0, bad = 0;
	for (size_t i = 0; i < a->npos; i++) {
		int was_added;
		int c = cli_inventory_add_image(inv, vdb, a->pos[i], &a->opt, &a->meta, &was_added);
		if (c != EXIT_OK) {
			bad++;
			if (code == EXIT_OK)
				code = c;
		} else if (was_added) {
			added++;
		} else {
			kept++;
		}
	}
	fprintf(stderr, "iotaudit: inventory: %zu added, %zu already stored, %zu failed%s\n", added,
	        kept, bad, vdb ? "" : " (no vulnerability database: components not matched)");
	iota_inventory_close(inv);
	iota_vulndb_close(vdb);
	return code;
}

int cmd_inventory(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(inventory_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "query") != 0 && strcmp(cmd, "rematch") != 0 &&
	    strcmp(cmd, "diff") != 0 && strcmp(cmd, "eol") != 0) {
		cli_error("unknown inventory command '%s' (add, query, rematch, diff, eol)", cmd);
		return EXIT_USAGE;
	}
	static struct args a;
	int r = parse_args(argc, argv, &a, cmd);
	if (r != 0)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	if (strcmp(cmd, "add") == 0)
		return do_add(&a);

	if (strcmp(cmd, "diff") == 0 ? a.npos != 2 : a.npos != 0) {
		cli_error(strcmp(cmd, "diff") == 0 ? "inventory diff needs two images"
		                                   : "unexpected argument '%s'",
		          a.npos ? a.pos[0] : "");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "query") == 0 && a.q.version_range && !a.q.component) {
		cli_error("--version-range goes with --component");
		return EXIT_USAGE;
	}
	iota_inventory *inv = cli_inventory_open(a.db);
	if (!inv)
		return EXIT_INPUT;
	iota_inventory_table *t = NULL;
	int code;
	iota_rc rc;
	if (strcmp(cmd, "query") == 0) {
		rc = iota_inventory_query_run(inv, &a.q, &t);
		code = finish_table(inv, rc, t, a.fmt);
	} else if (strcmp(cmd, "diff") == 0) {
		rc = iota_inventory_diff(inv, a.pos[0], a.pos[1], &t);
		code = finish_table(inv, rc, t, a.fmt);
	} else if (strcmp(cmd, "eol") == 0) {
		rc = iota_inventory_eol(inv, a.q.today, a.within, &t);
		code = finish_table(inv, rc, t, a.fmt);
	} else {
		int failed;
		iota_vulndb *vdb = cli_vulndb_open_optional(a.vulndb, 1, &failed);
		if (!vdb) {
			iota_inventory_close(inv);
			return EXIT_INPUT;
		}
		rc = iota_inventory_rematch(inv, vdb, &t);
		size_t counts[3] = {0};
		for (size_t i = 0; rc == IOTA_OK && i < t->nrows; i++) {
			const char *c = iota_inventory_cell(t, i, 0);
			counts[strcmp(c, "new") == 0 ? 0 : strcmp(c, "gone") == 0 ? 1 : 2]++;
		}
		code = finish_table(inv, rc, t, a.fmt);
		if (code == EXIT_OK)
			fprintf(stderr, "iotaudit: rematch: %zu new, %zu gone, %zu changed\n",
			        counts[0], counts[1], counts[2]);
		iota_vulndb_close(vdb);
	}
	iota_inventory_close(inv);
	return code;
}

/* ---- scan --batch ---- */

/* Exit statuses of a batch child beyond the usual ones. */
enum { CHILD_STORED = 0, CHILD_ALREADY = 10 };

static void progress_bar(size_t done, size_t total, size_t added, size_t kept, size_t bad)
{
	int width = 30;
	int fill = total ? (int)(done * (size_t)width / total) : width;
	fprintf(stderr,
	        "\r\033[K[%.*s%*s] %zu/%zu images, %zu added, %zu already stored, %zu failed", fill,
	        "##############################", width - fill, "", done, total, added, kept, bad);
}

int cli_scan_batch(const char *list, unsigned jobs, const char *db_url, const char *vulndb,
                   const iota_options *opt_in)
{
	FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
	if (!f) {
		cli_error("%s: %s", list, strerror(errno));
		return EXIT_INPUT;
	}
	char **paths = NULL;
	size_t n = 0, cap = 0;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		size_t l = strcspn(line, "\r\n");
		line[l] = '\0';
		if (!l || line[0] == '#')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **g = realloc(paths, cap * sizeof *g);
			if (!g) {
				cli_error("out of memory");
				return EXIT_INTERNAL;
			}
			paths = g;
		}
		if (!(paths[n++] = strdup(line))) {
			cli_error("out of memory");
			return EXIT_INTERNAL;
		}
	}
	if (f != stdin)
		fclose(f);
	if (jobs == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = c > 0 ? (unsigned)c : 1;
	}
	/* make the schema once, before the children race to */
	iota_inventory *inv = cli_inventory_open(db_url);
	if (!inv) {
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		return EXIT_INPUT;
	}
	iota_inventory_close(inv);
	int failed;
	iota_vulndb *probe = cli_vulndb_open_optional(vulndb, 0, &failed);
	iota_vulndb_close(probe);
	if (failed) {
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		return EXIT_INPUT;
	}
	iota_options opt = *opt_in;
	opt.threads = 1; /* the parallelism is one process per image */
	opt.progress = NULL;

	int tty = isatty(STDERR_FILENO);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t next = 0, running = 0, done = 0, added = 0, kept = 0, bad = 0;
	pid_t *pids = calloc(jobs, sizeof *pids);
	size_t *which = calloc(jobs, sizeof *which);
	if (!pids || !which) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	fflush(stdout);
	fflush(stderr);
	if (tty)
		progress_bar(0, n, 0, 0, 0);
	while (done < n) {
		while (running < jobs && next < n) {
			size_t slot = 0;
			while (pids[slot])
				slot++;
			pid_t pid = fork();
			if (pid < 0) {
				if (running)
					break; /* wait for one and try again */
				cli_error("fork: %s", strerror(errno));
				return EXIT_INTERNAL;
			}
			if (pid == 0) {
				/* each child: its own inventory connection, its own scan */
				int vf;
				iota_vulndb *vdb = cli_vulndb_open_optional(vulndb, 0, &vf);
				iota_inventory *ci = cli_inventory_open(db_url);
				if (!ci || vf)
					_exit(EXIT_INPUT);
				int was_added = 0;
				int c = cli_inventory_add_image(ci, vdb, paths[next], &opt, NULL,
				                                &was_added);
				iota_inventory_close(ci);
				iota_vulndb_close(vdb);
				fflush(stderr);
				_exit(c != EXIT_OK ? c : was_added ? CHILD_STORED : CHILD_ALREADY);
			}
			pids[slot] = pid;
			which[slot] = next++;
			running++;
		}
		int status;
		pid_t pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		size_t slot = 0;
		while (slot < jobs && pids[slot] != pid)
			slot++;
		if (slot == jobs)
			continue;
		pids[slot] = 0;
		running--;
		done++;
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (code == CHILD_STORED)
			added++;
		else if (code == CHILD_ALREADY)
			kept++;
		else {
			bad++;
			if (!WIFEXITED(status)) {
				if (tty)
					fputs("\r\033[K", stderr);
				cli_error("%s: the scan ended by signal %d", paths[which[slot]],
				          WIFSIGNALED(status) ? WTERMSIG(status) : 0);
			}
		}
		if (tty)
			progress_bar(done, n, added, kept, bad);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr,
	        "iotaudit: batch: %zu images: %zu added, %zu already stored, %zu failed "
	        "(%.1f s, %u jobs)\n",
	        n, added, kept, bad, secs, jobs);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(pids);
	free(which);
	return bad ? EXIT_INPUT : EXIT_OK;
}

/* ---- scan --store / --batch ---- */

int cli_scan_store_option(int argc, char **argv, int *i, struct cli_store *st)
{
	const char *a = argv[*i];
	/* --vulndb is scan's own option; cmd_scan.c copies it into st->vulndb */
	const char **dst = strcmp(a, "--store") == 0   ? &st->db
	                   : strcmp(a, "--batch") == 0 ? &st->batch
	                                               : NULL;
	if (!dst)
		return 0;
	if (*i + 1 >= argc) {
		cli_error("%s needs a value", a);
		return -1;
	}
	*dst = argv[++*i];
	if (dst == &st->db)
		st->store = 1;
	return 1;
}

int cli_scan_store(iota_scan *s, const char *input, const struct cli_store *st)
{
	struct stat sb;
	if (stat(input, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cli_error("%s: --store keeps image files (keyed by their SHA-256), not folders",
		          input);
		return EXIT_INPUT;
	}
	char sha[65];
	if (iota_inventory_hash_file(input, sha) != 0) {
		cli_error("%s: %s", input, strerror(errno));
		return EXIT_INPUT;
	}
	int failed;
	iota_vulndb *vdb = cli_vulndb_open_optional(st->vulndb, 0, &failed);
	if (failed)
		return EXIT_INPUT;
	iota_inventory *inv = cli_inventory_open(st->db);
	if (!inv) {
		iota_vulndb_close(vdb);
		return EXIT_INPUT;
	}
	int added = 0, code = EXIT_OK;
	if (iota_inventory_add_scan(inv, s, sha, NULL, vdb, &added) != IOTA_OK) {
		cli_error("%s: %s", input, iota_inventory_error(inv));
		code = EXIT_INTERNAL;
	} else {
		fprintf(stderr, "iotaudit: inventory: %s %s\n", input,
		        added ? "stored" : "already stored");
	}
	iota_inventory_close(inv);
	iota_vulndb_close(vdb);
	return code;
}
