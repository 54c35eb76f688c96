/* iotaudit extract: write the unpacked tree below a directory, safely. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char extract_usage[] =
	"usage: iotaudit extract IMAGE -o DIR [options]\n"
	"\n"
	"Writes every unpacked file, directory and link below DIR (created; must be empty).\n"
	"Each container becomes a folder <format>@0x<offset>; one found inside a file F\n"
	"goes into F.extracted/. Names that would leave DIR, links that point out of\n"
	"their container and device nodes are refused and reported.\n"
	"\n"
	"  -o, --output DIR       where to write (required)\n"
	"  -q, --quiet            no summary\n";

int cmd_extract(int argc, char **argv)
{
	iota_options opt;
	iota_options_init(&opt);
	const char *input = NULL, *out_dir = NULL;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = cli_scan_option(argc, argv, &i, &opt);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(extract_usage, stdout);
			fputs(cli_scan_options_help, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (i + 1 >= argc) {
				cli_error("%s needs a directory", a);
				return EXIT_USAGE;
			}
			out_dir = argv[++i];
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			cli_error("unknown option '%s' (try 'iotaudit extract --help')", a);
			return EXIT_USAGE;
		} else if (!input) {
			input = a;
		} else {
			cli_error("one input at a time ('%s' and '%s')", input, a);
			return EXIT_USAGE;
		}
	}
	if (!input || !out_dir) {
		fputs(extract_usage, stderr);
		return EXIT_USAGE;
	}
	iota_scan *s = NULL;
	if (iota_scan_open(&s, &opt) != IOTA_OK) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	iota_rc rc = iota_scan_extract(s, input, out_dir);
	int code = cli_exit_for(s, rc, input);
	if (code == EXIT_OK && !quiet) {
		iota_totals t;
		iota_scan_totals(s, &t);
		fprintf(stderr,
			"iotaudit: extracted %llu files, %llu directories, %llu links from %llu containers into %s\n",
			(unsigned long long)t.files, (unsigned long long)t.dirs,
			(unsigned long long)t.links, (unsigned long long)t.containers, out_dir);
		if (t.findings)
			fprintf(stderr, "iotaudit: %llu findings (run 'iotaudit scan' for the list)\n",
				(unsigned long long)t.findings);
	}
	iota_scan_free(s);
	return code;
}
