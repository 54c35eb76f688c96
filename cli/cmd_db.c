/* iotaudit db: the offline vulnerability database (import, update, info, match). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "iotaudit/vulndb.h"

static const char db_usage[] =
    "usage: iotaudit db <command> [options]\n"
    "\n"
    "commands:\n"
    "  import FILE|DIR...   import NVD API 2.0 JSON (pages, feeds or single records), CVE JSON 5\n"
    "                       records, OSV records, the CISA KEV catalog (JSON or CSV); the format\n"
    "                       is told from the content; importing a file again changes nothing\n"
    "  update               download the NVD records modified since the last update (all of NVD\n"
    "                       the first time) over HTTPS; resumes an interrupted update\n"
    "  info                 sources, record counts per status, freshness\n"
    "  match NAME VERSION   the known vulnerabilities of a product version\n"
    "  match --sbom FILE    re-match the components of a CycloneDX SBOM iotaudit wrote\n"
    "                       (scan --format cyclonedx) against the current database\n"
    "  match --list FILE    the same for every \"NAME VERSION\" line of FILE, one database open\n"
    "\n"
    "options:\n"
    "      --vulndb PATH      the database (default $XDG_DATA_HOME/iotaudit/vuln.db or\n"
    "                         ~/.local/share/iotaudit/vuln.db)\n"
    "  -f, --format FMT       info and match: text (default) or json; match --sbom also\n"
    "                         cyclonedx (the same SBOM with its vulnerabilities replaced)\n"
    "match:\n"
    "      --vendor V         the CPE vendor, when the name is not one iotaudit knows\n"
    "      --cpe CPE          the component's CPE 2.3 name\n"
    "      --ecosystem E      a distro build: OSV ecosystem (Debian:12) of a package version\n"
    "      --all              also list explicit 'not affected' statements\n"
    "      --kconfig FILE     the kernel's configuration (.config, config.gz, or a kernel image\n"
    "                         built with IKCONFIG): CVEs of the linux kernel whose source\n"
    "                         files it leaves out are not applicable, and counted\n"
    "update:\n"
    "      --url URL          the API (default https://services.nvd.nist.gov/rest/json/cves/2.0)\n"
    "      --full             forget the last update and download everything\n"
    "      --max-pages N      stop after N pages (run again to go on)\n"
    "      --page-size N      records per request (default and maximum 2000)\n"
    "      --delay-ms N       pause between requests (default 6000, 600 with an API key)\n"
    "  The API key, if any, is read from the environment variable NVD_API_KEY.\n";

/* Notes from the library (skipped records, progress), capped so a broken
 * feed does not bury the summary. */
struct notes {
	unsigned shown, dropped;
	unsigned cap; /* 0: MAX_NOTES */
};

#define MAX_NOTES 50

static void on_note(void *ctx, const char *msg)
{
	struct notes *n = ctx;
	if (n->shown < (n->cap ? n->cap : MAX_NOTES)) {
		fprintf(stderr, "iotaudit: %s\n", msg);
		n->shown++;
	} else {
		n->dropped++;
	}
}

static void notes_done(struct notes *n)
{
	if (n->dropped)
		fprintf(stderr, "iotaudit: ... and %u more messages\n", n->dropped);
	n->shown = n->dropped = 0;
}

static int open_db(iota_vulndb **db, const char *path, int mode, struct notes *notes)
{
	char def[4096];
	if (!path) {
		if (iota_vulndb_default_path(def, sizeof def) != 0) {
			cli_error("no default database path (set HOME or XDG_DATA_HOME, or give "
			          "--vulndb)");
			return EXIT_USAGE;
		}
		path = def;
	}
	iota_rc rc = iota_vulndb_open(db, path, mode);
	if (rc != IOTA_OK) {
		cli_error("%s", iota_vulndb_error(*db));
		iota_vulndb_close(*db);
		*db = NULL;
		return rc == IOTA_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	iota_vulndb_set_notes(*db, on_note, notes);
	return EXIT_OK;
}

/* ---- JSON output (hand-written: the program uses only the public API) ---- */

static void json_str(FILE *o, const char *s)
{
	if (!s) {
		fputs("null", o);
		return;
	}
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", o);
			break;
		case '\\':
			fputs("\\\\", o);
			break;
		case '\n':
			fputs("\\n", o);
			break;
		case '\r':
			fputs("\\r", o);
			break;
		case '\t':
			fputs("\\t", o);
			break;
		default:
			if (*p < 0x20)
				fprintf(o, "\\u%04x", *p);
			else
				fputc(*p, o);
		}
	}
	fputc('"', o);
}

static void json_num(FILE *o, double v)
{
	if (v < 0)
		fputs("null", o);
	else
		fprintf(o, "%.1f", v);
}

/* ---- import ---- */

static int db_import(const char *dbpath, char **files, int nfiles)
{
	struct notes notes = {0};
	iota_vulndb *db = NULL;
	int code = open_db(&db, dbpath, IOTA_VULNDB_WRITE, &notes);
	if (code != EXIT_OK)
		return code;
	for (int i = 0; i < nfiles; i++) {
		iota_vulndb_import_stats st;
		memset(&st, 0, sizeof st);
		iota_rc rc = iota_vulndb_import(db, files[i], &st);
		notes_done(&notes);
		if (rc == IOTA_FATAL || rc == IOTA_NOMEM) {
			cli_error("%s", iota_vulndb_error(db));
			cli_error("%s: nothing of it was imported", files[i]);
			code = EXIT_INTERNAL;
			continue;
		}
		if (rc == IOTA_CORRUPT) {
			cli_error("%s", iota_vulndb_error(db));
			code = EXIT_INPUT;
			if (!st.records)
				continue;
		}
		if (st.files > 1)
			printf("%s: %llu files, ", files[i], (unsigned long long)st.files);
		else
			printf("%s: %s%s", files[i], st.format[0] ? st.format : "",
			       st.format[0] ? ", " : "");
		printf("%llu records: %llu added, %llu updated, %llu unchanged, %llu skipped\n",
		       (unsigned long long)st.records, (unsigned long long)st.added,
		       (unsigned long long)st.updated, (unsigned long long)st.unchanged,
		       (unsigned long long)st.skipped);
	}
	iota_vulndb_close(db);
	return code;
}

/* ---- update ---- */

static int db_update(const char *dbpath, const iota_vulndb_update_options *o)
{
	struct notes notes = {.cap = ~0u}; /* progress: every page */
	iota_vulndb *db = NULL;
	int code = open_db(&db, dbpath, IOTA_VULNDB_WRITE, &notes);
	if (code != EXIT_OK)
		return code;
	iota_vulndb_import_stats st;
	memset(&st, 0, sizeof st);
	iota_rc rc = iota_vulndb_update(db, o, &st);
	notes_done(&notes);
	if (rc != IOTA_OK && rc != IOTA_WARN) {
		cli_error("%s", iota_vulndb_error(db));
		cli_error("update interrupted; what was fetched is kept and the next 'db update' "
		          "goes on from there");
		code = rc == IOTA_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	printf("update: %llu records: %llu added, %llu updated, %llu unchanged, %llu skipped\n",
	       (unsigned long long)st.records, (unsigned long long)st.added,
	       (unsigned long long)st.updated, (unsigned long long)st.unchanged,
	       (unsigned long long)st.skipped);
	iota_vulndb_close(db);
	return code;
}

/* ---- info ---- */

static void info_text(const iota_vulndb_info *in)
{
	printf("database   %s (schema %d)\n", in->path, in->schema_version);
	printf("contents   %llu CVEs, %llu affected entries, %llu KEV entries",
	       (unsigned long long)in->cves, (unsigned long long)in->ranges,
	       (unsigned long long)in->kev);
	if (in->kev_catalog)
		printf(" (catalog %s)", in->kev_catalog);
	putchar('\n');
	if (in->update_last)
		printf("update     last complete: NVD records modified up to %s\n",
		       in->update_last);
	if (in->update_pending)
		printf("update     interrupted: %s ('db update' goes on)\n", in->update_pending);
	if (in->ntotals) {
		printf("\nper source\n");
		printf("  %-5s %9s %18s %14s  %s\n", "NAME", "RECORDS", "WITH VERSION DATA",
		       "SOURCE FILES", "NEWEST");
		for (size_t i = 0; i < in->ntotals; i++) {
			const iota_vulndb_source_total *t = &in->totals[i];
			printf("  %-5s %9llu %10llu (%3.0f%%) %14llu  %s\n", t->source,
			       (unsigned long long)t->records, (unsigned long long)t->structured,
			       t->records ? 100.0 * (double)t->structured / (double)t->records
			                  : 0.0,
			       (unsigned long long)t->program_files, t->newest ? t->newest : "-");
		}
	}
	if (in->nsources) {
		printf("\nsources\n");
		printf("  %-5s %-9s %8s %8s  %-20s  %-24s  %s\n", "NAME", "FORMAT", "RECORDS",
		       "SKIPPED", "IMPORTED", "NEWEST", "FILE");
		for (size_t i = 0; i < in->nsources; i++) {
			const iota_vulndb_source_info *s = &in->sources[i];
			printf("  %-5s %-9s %8llu %8llu  %-20s  %-24s  %s\n", s->name,
			       s->format ? s->format : "-", (unsigned long long)s->records,
			       (unsigned long long)s->skipped,
			       s->imported_at ? s->imported_at : "-", s->newest ? s->newest : "-",
			       s->file);
		}
	}
	if (in->nstatuses) {
		printf("\nrecords by status\n");
		printf("  %-6s %-20s %8s  %s\n", "SOURCE", "STATUS", "RECORDS",
		       "WITH VERSION DATA");
		for (size_t i = 0; i < in->nstatuses; i++) {
			const iota_vulndb_status_count *c = &in->statuses[i];
			printf("  %-6s %-20s %8llu  %llu\n", c->source, c->status,
			       (unsigned long long)c->records, (unsigned long long)c->structured);
		}
	}
}

static void info_json(const iota_vulndb_info *in)
{
	FILE *o = stdout;
	fputs("{\"path\": ", o);
	json_str(o, in->path);
	fprintf(o,
	        ", \"schema_version\": %d, \"cves\": %llu, \"affected_entries\": %llu, "
	        "\"kev\": %llu, \"kev_catalog\": ",
	        in->schema_version, (unsigned long long)in->cves, (unsigned long long)in->ranges,
	        (unsigned long long)in->kev);
	json_str(o, in->kev_catalog);
	fputs(", \"update_last_complete\": ", o);
	json_str(o, in->update_last);
	fputs(", \"update_pending\": ", o);
	json_str(o, in->update_pending);
	fputs(", \"sources\": [", o);
	for (size_t i = 0; i < in->nsources; i++) {
		const iota_vulndb_source_info *s = &in->sources[i];
		fputs(i ? ", {\"name\": " : "{\"name\": ", o);
		json_str(o, s->name);
		fputs(", \"format\": ", o);
		json_str(o, s->format);
		fputs(", \"file\": ", o);
		json_str(o, s->file);
		fprintf(o, ", \"records\": %llu, \"skipped\": %llu, \"imported_at\": ",
		        (unsigned long long)s->records, (unsigned long long)s->skipped);
		json_str(o, s->imported_at);
		fputs(", \"newest\": ", o);
		json_str(o, s->newest);
		fputc('}', o);
	}
	fputs("], \"per_source\": [", o);
	for (size_t i = 0; i < in->ntotals; i++) {
		const iota_vulndb_source_total *t = &in->totals[i];
		fputs(i ? ", {\"source\": " : "{\"source\": ", o);
		json_str(o, t->source);
		fprintf(o,
		        ", \"records\": %llu, \"with_version_data\": %llu, "
		        "\"with_source_files\": %llu, \"newest\": ",
		        (unsigned long long)t->records, (unsigned long long)t->structured,
		        (unsigned long long)t->program_files);
		json_str(o, t->newest);
		fputc('}', o);
	}
	fputs("], \"statuses\": [", o);
	for (size_t i = 0; i < in->nstatuses; i++) {
		const iota_vulndb_status_count *c = &in->statuses[i];
		fputs(i ? ", {\"source\": " : "{\"source\": ", o);
		json_str(o, c->source);
		fputs(", \"status\": ", o);
		json_str(o, c->status);
		fprintf(o, ", \"records\": %llu, \"with_version_data\": %llu}",
		        (unsigned long long)c->records, (unsigned long long)c->structured);
	}
	fputs("]}\n", o);
}

static int db_info(const char *dbpath, int json)
{
	struct notes notes = {0};
	iota_vulndb *db = NULL;
	int code = open_db(&db, dbpath, IOTA_VULNDB_READ, &notes);
	if (code != EXIT_OK)
		return code;
	iota_vulndb_info *in = NULL;
	if (iota_vulndb_info_get(db, &in) != IOTA_OK) {
		cli_error("%s", iota_vulndb_error(db));
		iota_vulndb_close(db);
		return EXIT_INTERNAL;
	}
	if (json)
		info_json(in);
	else
		info_text(in);
	iota_vulndb_info_free(in);
	iota_vulndb_close(db);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* ---- match ---- */

static void cvss_text(const iota_vuln_match *m, char *buf, size_t size)
{
	if (m->cvss3 >= 0)
		snprintf(buf, size, "%.1f", m->cvss3);
	else if (m->cvss4 >= 0)
		snprintf(buf, size, "%.1f*", m->cvss4); /* v4 only */
	else
		snprintf(buf, size, "-");
}

static void match_text(const iota_vuln_query *q, const iota_vuln_result *r)
{
	printf("%s %s", q->name, q->version);
	if (q->ecosystem)
		printf(" (%s build)", q->ecosystem);
	printf(": %zu match%s\n", r->count, r->count == 1 ? "" : "es");
	printf("identity: %s%s\n", r->identity,
	       r->identity_known ? "" : " (not in data/vuln/products.tsv: guessed from the name)");
	if (!r->count && !r->not_applicable)
		return;
	printf("\n%-16s %-13s %-5s %-10s %-11s %s\n", "CVE", "STATUS", "CVSS", "KEV DUE", "SOURCE",
	       "RANGE / EVIDENCE");
	for (size_t i = 0; i < r->count; i++) {
		const iota_vuln_match *m = &r->matches[i];
		char cvss[16];
		cvss_text(m, cvss, sizeof cvss);
		for (size_t k = 0; k < m->nevidence || k == 0; k++) {
			const iota_vuln_evidence *e = k < m->nevidence ? &m->evidence[k] : NULL;
			char what[1024];
			snprintf(what, sizeof what, "%s%s%s%s%s", e && e->range ? e->range : "",
			         e && e->range && e->note ? " — " : "", e && e->note ? e->note : "",
			         e && e->condition ? "; with " : "",
			         e && e->condition ? e->condition : "");
			if (k == 0)
				printf("%-16s %-13s %-5s %-10s %-11s %s\n", m->cve,
				       iota_vuln_status_name(m->status), cvss,
				       m->kev ? (m->kev_due && *m->kev_due ? m->kev_due : "yes")
				              : "",
				       e ? e->source : "", what);
			else
				printf("%-16s %-13s %-5s %-10s %-11s %s\n", "",
				       iota_vuln_status_name(e->status), "", "", e->source, what);
		}
		if (m->status == IOTA_VULN_UNKNOWN || m->status == IOTA_VULN_CONDITIONAL ||
		    strcmp(m->confidence, "confirmed") != 0)
			printf("%-16s -> %s (%s)\n", "", m->status_text, m->confidence);
	}
	size_t n[4] = {0};
	for (size_t i = 0; i < r->count; i++)
		n[r->matches[i].status]++;
	printf("\n%zu affected, %zu conditional, %zu unknown", n[0], n[1], n[2]);
	if (q->flags & IOTA_VULN_INCLUDE_NOT_AFFECTED)
		printf(", %zu not affected", n[3]);
	putchar('\n');
	if (q->kconfig_known)
		printf("kernel configuration: %zu CVE%s not applicable (%s); %zu looked at\n",
		       r->not_applicable, r->not_applicable == 1 ? "" : "s",
		       r->not_applicable_why ? r->not_applicable_why : "none left out",
		       r->kconfig_checked);
	if (n[2])
		printf("%zu CVE record%s name%s %s without version data that settles it: not "
		       "assessed, "
		       "not ruled out\n",
		       n[2], n[2] == 1 ? "" : "s", n[2] == 1 ? "s" : "", q->name);
}

static void match_json(const iota_vuln_query *q, const iota_vuln_result *r)
{
	FILE *o = stdout;
	fputs("{\"name\": ", o);
	json_str(o, q->name);
	fputs(", \"version\": ", o);
	json_str(o, q->version);
	fputs(", \"vendor\": ", o);
	json_str(o, q->vendor);
	fputs(", \"cpe\": ", o);
	json_str(o, q->cpe);
	fputs(", \"ecosystem\": ", o);
	json_str(o, q->ecosystem);
	fprintf(o,
	        ", \"identity_known\": %s, \"identity\": ", r->identity_known ? "true" : "false");
	json_str(o, r->identity);
	fputs(", \"matches\": [", o);
	for (size_t i = 0; i < r->count; i++) {
		const iota_vuln_match *m = &r->matches[i];
		fputs(i ? ",\n  {\"cve\": " : "\n  {\"cve\": ", o);
		json_str(o, m->cve);
		fputs(", \"status\": ", o);
		json_str(o, iota_vuln_status_name(m->status));
		fputs(", \"status_text\": ", o);
		json_str(o, m->status_text);
		fputs(", \"confidence\": ", o);
		json_str(o, m->confidence);
		fputs(", \"nvd_status\": ", o);
		json_str(o, m->nvd_status);
		fputs(", \"published\": ", o);
		json_str(o, m->published);
		fputs(", \"cvss3\": ", o);
		json_num(o, m->cvss3);
		fputs(", \"cvss3_vector\": ", o);
		json_str(o, m->cvss3_vector);
		fputs(", \"cvss3_severity\": ", o);
		json_str(o, m->cvss3_severity);
		fputs(", \"cvss4\": ", o);
		json_num(o, m->cvss4);
		fputs(", \"cvss4_vector\": ", o);
		json_str(o, m->cvss4_vector);
		fputs(", \"cvss4_severity\": ", o);
		json_str(o, m->cvss4_severity);
		fprintf(o, ", \"kev\": %s, \"kev_added\": ", m->kev ? "true" : "false");
		json_str(o, m->kev_added);
		fputs(", \"kev_due\": ", o);
		json_str(o, m->kev_due);
		fputs(", \"kev_ransomware\": ", o);
		json_str(o, m->kev_ransomware);
		fputs(", \"evidence\": [", o);
		for (size_t k = 0; k < m->nevidence; k++) {
			const iota_vuln_evidence *e = &m->evidence[k];
			fputs(k ? ", {\"source\": " : "{\"source\": ", o);
			json_str(o, e->source);
			fputs(", \"status\": ", o);
			json_str(o, iota_vuln_status_name(e->status));
			fputs(", \"range\": ", o);
			json_str(o, e->range);
			fputs(", \"condition\": ", o);
			json_str(o, e->condition);
			fputs(", \"note\": ", o);
			json_str(o, e->note);
			fputc('}', o);
		}
		fputs("], \"not_applicable\": ", o);
		json_str(o, m->not_applicable);
		fputs(", \"description\": ", o);
		json_str(o, m->description);
		fputc('}', o);
	}
	fprintf(o, "%s], \"unknown\": %zu, \"not_applicable\": %zu, \"not_applicable_why\": ",
	        r->count ? "\n" : "", r->unknown, r->not_applicable);
	json_str(o, r->not_applicable_why);
	fprintf(o, ", \"kconfig_checked\": %zu}\n", r->kconfig_checked);
}

static int match_one(iota_vulndb *db, const iota_vuln_query *q, int json)
{
	iota_vuln_result *r = NULL;
	if (iota_vulndb_match(db, q, &r) != IOTA_OK) {
		cli_error("%s", iota_vulndb_error(db));
		return EXIT_INTERNAL;
	}
	if (json)
		match_json(q, r);
	else
		match_text(q, r);
	iota_vuln_result_free(r);
	return EXIT_OK;
}

/* Reads a whole file of at most max bytes; NULL with errno on failure. */
static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *b = nc <= max + 1 ? realloc(buf, nc + 1) : NULL;
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
			cap = nc;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* q: the query; list: a file of "NAME VERSION" lines (NULL: q alone);
 * kconfig: the kernel configuration file (NULL: none). */
static int db_match(const char *dbpath, iota_vuln_query *q, const char *list, const char *kconfig,
                    int json)
{
	struct notes notes = {0};
	iota_vulndb *db = NULL;
	iota_kconfig *k = NULL;
	char *text = NULL;
	int code = EXIT_OK;
	if (kconfig) {
		size_t len = 0;
		char *img = slurp(kconfig, (size_t)1 << 30, &len);
		if (!img) {
			cli_error("%s: cannot read it", kconfig);
			return EXIT_INPUT;
		}
		iota_rc rc = iota_kconfig_from_bytes(img, len, &k);
		free(img);
		if (rc != IOTA_OK && rc != IOTA_WARN) {
			cli_error("%s: not a kernel configuration (.config, config.gz, or a kernel "
			          "image with IKCONFIG)",
			          kconfig);
			return EXIT_INPUT;
		}
		q->kconfig_enabled = (const char *const *)k->enabled;
		q->kconfig_known = 1;
	}
	size_t len = 0;
	if (list && !(text = slurp(list, (size_t)64 << 20, &len))) {
		cli_error("%s: cannot read it", list);
		iota_kconfig_free(k);
		return EXIT_INPUT;
	}
	code = open_db(&db, dbpath, IOTA_VULNDB_READ, &notes);
	if (code == EXIT_OK && !list)
		code = match_one(db, q, json);
	if (code == EXIT_OK && list) {
		if (json)
			fputs("[\n", stdout);
		int first = 1;
		for (char *line = text, *next; line && code == EXIT_OK; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			char *name = strtok(line, " \t\r"),
			     *ver = name ? strtok(NULL, " \t\r") : NULL;
			if (!name || name[0] == '#')
				continue;
			q->name = name;
			q->version = ver ? ver : "";
			if (json && !first)
				fputs(",\n", stdout);
			if (!json && !first)
				putchar('\n');
			first = 0;
			code = match_one(db, q, json);
		}
		if (json)
			fputs("]\n", stdout);
	}
	free(text);
	iota_kconfig_free(k);
	iota_vulndb_close(db);
	if (code == EXIT_OK && fflush(stdout) != 0)
		code = EXIT_INTERNAL;
	return code;
}

/* ---- arguments ---- */

static int db_match_sbom(const char *dbpath, const char *sbom, iota_format f)
{
	iota_vulndb *db = NULL;
	int code = open_db(&db, dbpath, IOTA_VULNDB_READ, NULL);
	if (code != EXIT_OK)
		return code;
	int color = f == IOTA_FORMAT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	iota_rc rc = iota_vulndb_match_sbom(db, sbom, f, stdout, color);
	if (rc != IOTA_OK) {
		cli_error("%s", iota_vulndb_error(db));
		code = rc == IOTA_FATAL ? EXIT_INPUT : EXIT_INTERNAL;
	} else if (fflush(stdout) != 0) {
		code = EXIT_INTERNAL;
	}
	iota_vulndb_close(db);
	return code;
}

static int need_value(int argc, char **argv, int i)
{
	if (i + 1 < argc)
		return 1;
	cli_error("%s needs a value", argv[i]);
	return 0;
}

static int parse_uint(const char *s, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	*out = strtoul(s, &end, 10);
	return *end ? -1 : 0;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2) {
		fputs(db_usage, stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
		fputs(db_usage, stdout);
		return EXIT_OK;
	}
	const char *dbpath = NULL, *sbom = NULL, *list = NULL, *kconfig = NULL;
	int json = 0, cdx = 0;
	iota_vuln_query q = {0};
	iota_vulndb_update_options uo;
	iota_vulndb_update_options_init(&uo);
	char **pos = calloc((size_t)argc, sizeof *pos);
	if (!pos) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	int npos = 0, code = EXIT_OK;
	for (int i = 2; i < argc && code == EXIT_OK; i++) {
		const char *a = argv[i];
		unsigned long v;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(db_usage, stdout);
			free(pos);
			return EXIT_OK;
		} else if (strcmp(a, "--vulndb") == 0) {
			if (!need_value(argc, argv, i))
				code = EXIT_USAGE;
			else
				dbpath = argv[++i];
		} else if (strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0) {
			if (!need_value(argc, argv, i)) {
				code = EXIT_USAGE;
			} else {
				const char *f = argv[++i];
				if (strcmp(f, "json") == 0)
					json = 1;
				else if (strcmp(f, "text") == 0)
					json = 0;
				else if (strcmp(f, "cyclonedx") == 0)
					cdx = 1;
				else {
					cli_error("unknown format '%s' (text, json, cyclonedx)", f);
					code = EXIT_USAGE;
				}
			}
		} else if (strcmp(a, "--vendor") == 0 || strcmp(a, "--cpe") == 0 ||
		           strcmp(a, "--ecosystem") == 0 || strcmp(a, "--url") == 0) {
			if (!need_value(argc, argv, i)) {
				code = EXIT_USAGE;
				continue;
			}
			const char *val = argv[++i];
			if (a[2] == 'v')
				q.vendor = val;
			else if (a[2] == 'c')
				q.cpe = val;
			else if (a[2] == 'e')
				q.ecosystem = val;
			else
				uo.url = val;
		} else if (strcmp(a, "--sbom") == 0) {
			if (!need_value(argc, argv, i))
				code = EXIT_USAGE;
			else
				sbom = argv[++i];
		} else if (strcmp(a, "--list") == 0 || strcmp(a, "--kconfig") == 0) {
			if (!need_value(argc, argv, i))
				code = EXIT_USAGE;
			else if (a[2] == 'l')
				list = argv[++i];
			else
				kconfig = argv[++i];
		} else if (strcmp(a, "--all") == 0) {
			q.flags |= IOTA_VULN_INCLUDE_NOT_AFFECTED;
		} else if (strcmp(a, "--full") == 0) {
			uo.full = 1;
		} else if (strcmp(a, "--max-pages") == 0 || strcmp(a, "--page-size") == 0 ||
		           strcmp(a, "--delay-ms") == 0) {
			if (!need_value(argc, argv, i) || parse_uint(argv[i + 1], &v) != 0 ||
			    v > 100000000UL) {
				cli_error("%s needs a whole number", a);
				code = EXIT_USAGE;
				continue;
			}
			i++;
			if (a[2] == 'm')
				uo.max_pages = (unsigned)v;
			else if (a[2] == 'p')
				uo.results_per_page = (unsigned)v;
			else
				uo.delay_ms = (long)v;
		} else if (a[0] == '-' && a[1]) {
			cli_error("unknown option '%s' (try 'iotaudit db --help')", a);
			code = EXIT_USAGE;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (code == EXIT_OK) {
		if (strcmp(sub, "import") == 0) {
			if (!npos) {
				cli_error("db import needs one or more files or folders");
				code = EXIT_USAGE;
			} else {
				code = db_import(dbpath, pos, npos);
			}
		} else if (strcmp(sub, "update") == 0) {
			uo.api_key = getenv("NVD_API_KEY");
			code = npos ? (cli_error("db update takes no file"), EXIT_USAGE)
			            : db_update(dbpath, &uo);
		} else if (strcmp(sub, "info") == 0) {
			code = npos ? (cli_error("db info takes no argument"), EXIT_USAGE)
			            : db_info(dbpath, json);
		} else if (strcmp(sub, "match") == 0 && sbom) {
			code = npos ? (cli_error("db match --sbom takes no NAME VERSION"), EXIT_USAGE)
			            : db_match_sbom(dbpath, sbom,
			                            cdx ? IOTA_FORMAT_CYCLONEDX
			                                : json ? IOTA_FORMAT_JSON : IOTA_FORMAT_TEXT);
		} else if (cdx || sbom) {
			cli_error("--sbom and --format cyclonedx are for db match --sbom FILE");
			code = EXIT_USAGE;
		} else if (strcmp(sub, "match") == 0) {
			if (list ? npos != 0 : (npos != 2 || !pos[0][0])) {
				cli_error("db match needs NAME VERSION, or --list FILE");
				code = EXIT_USAGE;
			} else {
				q.name = list ? NULL : pos[0];
				q.version = list ? NULL : pos[1];
				code = db_match(dbpath, &q, list, kconfig, json);
			}
		} else {
			cli_error("unknown db command '%s' (import, update, info, match)", sub);
			code = EXIT_USAGE;
		}
	}
	free(pos);
	return code;
}
