/* iotaudit: entry point and subcommand dispatch. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"usage: iotaudit <command> [options]\n"
	"\n"
	"commands:\n"
	"  scan IMAGE|DIR     unpack and summarise a firmware image, root filesystem or live /\n"
	"  extract IMAGE -o DIR\n"
	"                     write the unpacked tree below DIR, safely\n"
	"  db import|update|info|match\n"
	"                     the offline vulnerability database ('iotaudit db --help')\n"
	"  explain ID         what a check or provision means, why it matters, how to fix it\n"
	"  catalog list|show  the standards catalog: standards, profiles, checks, evidence keys\n"
	"  inventory add|query|rematch|diff|eol\n"
	"                     a fleet's scan results in SQLite or PostgreSQL ('iotaudit inventory --help')\n"
	"  version            print the version\n"
	"  help               this text ('iotaudit scan --help' for a command's options)\n"
	"\n"
	"exit codes: 0 ok, 1 gate failed, 2 usage error, 3 input error, 4 internal error\n";

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("iotaudit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_for(iota_scan *s, iota_rc rc, const char *input)
{
	switch (rc) {
	case IOTA_OK:
	case IOTA_WARN:
	case IOTA_CORRUPT:
	case IOTA_LIMIT:
		return EXIT_OK;
	case IOTA_NOMEM:
		cli_error("%s: out of memory", input);
		return EXIT_INTERNAL;
	default:
		cli_error("%s", iota_scan_error(s)[0] ? iota_scan_error(s) : "scan failed");
		return EXIT_INPUT;
	}
}

const char cli_scan_options_help[] =
	"  -j, --jobs N           worker threads (default: one per CPU)\n"
	"      --live             the directory is a running system's / (skip /proc, /sys, /dev, /run)\n"
	"      --no-carve         look for containers at offset 0 of files only\n"
	"      --no-analyze       unpack, hash and list only: no analyzers, so no findings about the\n"
	"                         files (unpacking problems are still reported)\n"
	"      --max-depth N      nesting of containers (default 16)\n"
	"      --max-bytes SIZE   bytes produced by unpacking in all (default 16G)\n"
	"      --max-ratio N      unpacked / input bytes (default 200)\n"
	"      --max-files N      nodes in the tree (default 1000000)\n"
	"      --max-file-size SIZE  one unpacked file (default 2G)\n"
	"      --timeout SECONDS  wall time of the scan (default none)\n";

static int parse_u64(const char *s, uint64_t *out, int sizes)
{
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	uint64_t mul = 1;
	if (sizes && *end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		case 't': case 'T': mul = 1ULL << 40; break;
		default: return -1;
		}
		end++;
	}
	if (*end || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

int cli_scan_option(int argc, char **argv, int *i, iota_options *opt)
{
	static const struct {
		const char *name;
		int sizes;
	} numeric[] = {
		{"--max-depth", 0}, {"--max-bytes", 1}, {"--max-ratio", 0}, {"--max-files", 0},
		{"--max-file-size", 1}, {"--timeout", 0}, {"--jobs", 0}, {"-j", 0},
	};
	const char *a = argv[*i];
	if (strcmp(a, "--live") == 0) {
		opt->live_root = 1;
		return 1;
	}
	if (strcmp(a, "--no-carve") == 0) {
		opt->carve = 0;
		return 1;
	}
	if (strcmp(a, "--no-analyze") == 0) {
		opt->analyze = 0;
		return 1;
	}
	for (size_t k = 0; k < sizeof numeric / sizeof numeric[0]; k++) {
		if (strcmp(a, numeric[k].name) != 0)
			continue;
		uint64_t v;
		if (*i + 1 >= argc || parse_u64(argv[*i + 1], &v, numeric[k].sizes) != 0) {
			cli_error("%s needs a %s", a, numeric[k].sizes ? "size (e.g. 512M)" : "whole number");
			return -1;
		}
		(*i)++;
		switch (k) {
		case 0: opt->limits.max_depth = v > 1024 ? 1024 : (unsigned)v; break;
		case 1: opt->limits.max_total_bytes = v; break;
		case 2: opt->limits.max_ratio = v; break;
		case 3: opt->limits.max_files = v; break;
		case 4: opt->limits.max_file_size = v; break;
		case 5: opt->limits.max_seconds = v > 86400 * 7 ? 86400 * 7 : (unsigned)v; break;
		default: opt->threads = v > 256 ? 256 : (unsigned)v; break;
		}
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "scan") == 0)
		return cmd_scan(argc - 1, argv + 1);
	if (strcmp(cmd, "extract") == 0)
		return cmd_extract(argc - 1, argv + 1);
	if (strcmp(cmd, "db") == 0)
		return cmd_db(argc - 1, argv + 1);
	if (strcmp(cmd, "catalog") == 0)
		return cmd_catalog(argc - 1, argv + 1);
	if (strcmp(cmd, "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	if (strcmp(cmd, "inventory") == 0)
		return cmd_inventory(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("iotaudit %s\n", iota_version());
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	cli_error("unknown command '%s' (try 'iotaudit help')", cmd);
	return EXIT_USAGE;
}
