/*
 * bench/inventory_add: fills an inventory with synthetic images through the
 * public store API (iota_inventory_add), shaped like real rows, and reports
 * the rate. Used by bench/inventory.sh.
 *
 *   inventory_add DB IMAGES COMPONENTS [VULNDB [FIRST]]
 *   inventory_add --query DB CVE     time iota_inventory_query_run(--cve CVE)
 *                                    in the process: best of 5, and rows
 *
 * Image i (FIRST, FIRST+1, ...) carries COMPONENTS components: six real
 * products (busybox, dnsmasq, dropbear, openssl, glibc, linux) in one of
 * eight real releases each, picked by (i * 7 + j) % 8, and synthetic
 * libraries "libsynth<j>" in eight versions each; eight findings of real
 * check ids; a tag, a vendor and model out of 50, a support-end date. With
 * VULNDB, components never seen before are matched as 'inventory add' does.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iotaudit/inventory.h"
#include "iotaudit/vulndb.h"

static const char *const products[6] = {"busybox", "dnsmasq", "dropbear",
                                        "openssl", "glibc",   "linux"};
static const char *const releases[6][8] = {
    {"1.29.3", "1.30.1", "1.31.1", "1.33.1", "1.34.1", "1.35.0", "1.36.1", "1.37.0"},
    {"2.78", "2.80", "2.85", "2.86", "2.87", "2.89", "2.90", "2.91"},
    {"2019.78", "2020.81", "2022.82", "2022.83", "2024.84", "2024.85", "2025.87", "2025.89"},
    {"1.0.2k", "1.1.1k", "1.1.1w", "3.0.2", "3.0.7", "3.0.13", "3.0.15", "3.2.1"},
    {"2.28", "2.31", "2.34", "2.36", "2.37", "2.38", "2.39", "2.40"},
    {"4.14.180", "4.19.275", "5.4.200", "5.10.180", "5.15.100", "6.1.129", "6.6.50", "6.12.1"},
};
static const char *const checks[8] = {
    "elf.no-pie",        "elf.no-relro",        "elf.no-canary",      "cred.weak-hash",
    "svc.telnet-noauth", "perm.world-writable", "secret.private-key", "update.unsigned"};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The query alone, without starting a process and opening the database. */
static int time_query(const char *url, const char *cve)
{
	iota_inventory *inv = NULL;
	if (iota_inventory_open(&inv, url) != IOTA_OK) {
		fprintf(stderr, "inventory_add: %s\n", iota_inventory_error(inv));
		return 1;
	}
	double best = 1e9;
	size_t rows = 0;
	for (int i = 0; i < 5; i++) {
		iota_inventory_query q = {0};
		q.cve = cve;
		iota_inventory_table *t = NULL;
		double t0 = now();
		if (iota_inventory_query_run(inv, &q, &t) != IOTA_OK) {
			fprintf(stderr, "inventory_add: %s\n", iota_inventory_error(inv));
			return 1;
		}
		double t1 = now();
		rows = t->nrows;
		iota_inventory_table_free(t);
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("%.0f ms (%zu rows)\n", best * 1000.0, rows);
	iota_inventory_close(inv);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--query") == 0)
		return time_query(argv[2], argv[3]);
	if (argc < 4) {
		fprintf(stderr, "usage: inventory_add DB IMAGES COMPONENTS [VULNDB [FIRST]]\n");
		return 2;
	}
	long nimg = atol(argv[2]), ncomp = atol(argv[3]);
	long first = argc > 5 ? atol(argv[5]) : 0;
	if (nimg <= 0 || ncomp <= 0 || ncomp > 100000) {
		fprintf(stderr, "inventory_add: bad numbers\n");
		return 2;
	}
	iota_inventory *inv = NULL;
	if (iota_inventory_open(&inv, argv[1]) != IOTA_OK) {
		fprintf(stderr, "inventory_add: %s\n", iota_inventory_error(inv));
		return 1;
	}
	iota_vulndb *vdb = NULL;
	if (argc > 4 && *argv[4] && iota_vulndb_open(&vdb, argv[4], IOTA_VULNDB_READ) != IOTA_OK) {
		fprintf(stderr, "inventory_add: %s\n", iota_vulndb_error(vdb));
		return 1;
	}
	iota_inventory_component *c = calloc((size_t)ncomp, sizeof *c);
	char(*names)[32] = calloc((size_t)ncomp, 32);
	char(*vers)[32] = calloc((size_t)ncomp, 32);
	char(*purls)[96] = calloc((size_t)ncomp, 96);
	if (!c || !names || !vers || !purls)
		return 1;
	double t0 = now(), tlast = t0;
	for (long i = first; i < first + nimg; i++) {
		for (long j = 0; j < ncomp; j++) {
			long v = (i * 7 + j) % 8;
			if (j < 6) {
				snprintf(names[j], 32, "%s", products[j]);
				snprintf(vers[j], 32, "%s", releases[j][v]);
			} else {
				snprintf(names[j], 32, "libsynth%ld", j);
				snprintf(vers[j], 32, "1.%ld.%ld", j % 13, v);
			}
			snprintf(purls[j], 96, "pkg:generic/%s@%s", names[j], vers[j]);
			c[j].name = names[j];
			c[j].version = vers[j];
			c[j].purl = purls[j];
			c[j].relation = "is";
			c[j].origin = "@0x0 squashfs:/usr/lib/opkg/status";
		}
		iota_inventory_finding f[8];
		for (int k = 0; k < 8; k++) {
			f[k].check = checks[(i + k) % 8];
			f[k].severity = k < 2 ? "high" : "medium";
			f[k].origin = "@0x0 squashfs:/usr/sbin/httpd";
			f[k].message = "synthetic finding shaped like the analyzers' messages";
		}
		char sha[65], file[64], vendor[32], model[32], fw[32], tag[32], end[16];
		snprintf(sha, sizeof sha, "%064lx", (unsigned long)i);
		snprintf(file, sizeof file, "fw-%06ld.bin", i);
		snprintf(vendor, sizeof vendor, "vendor%ld", i % 50);
		snprintf(model, sizeof model, "model%ld", i % 500);
		snprintf(fw, sizeof fw, "%ld.%ld", i % 9, i % 31);
		snprintf(tag, sizeof tag, "site%ld", i % 10);
		snprintf(end, sizeof end, "20%02ld-%02ld-28", 24 + i % 10, 1 + i % 12);
		const char *tags[] = {tag};
		iota_inventory_image img = {0};
		img.sha256 = sha;
		img.meta.file_name = file;
		img.meta.vendor = vendor;
		img.meta.model = model;
		img.meta.fw_version = fw;
		img.meta.device_class = i % 4 ? "consumer" : "industrial";
		img.meta.support_end = end;
		img.meta.tags = tags;
		img.meta.ntags = 1;
		img.meta.scanned_at = "2026-11-23T00:00:00Z";
		img.components = c;
		img.ncomponents = (size_t)ncomp;
		img.findings = f;
		img.nfindings = 8;
		int added;
		if (iota_inventory_add(inv, &img, vdb, &added) != IOTA_OK) {
			fprintf(stderr, "inventory_add: image %ld: %s\n", i,
			        iota_inventory_error(inv));
			return 1;
		}
		if ((i - first + 1) % 1000 == 0) {
			double t = now();
			fprintf(stderr, "inventory_add: %ld images, last 1000 at %.0f images/s\n",
			        i - first + 1, 1000.0 / (t - tlast));
			tlast = t;
		}
	}
	double secs = now() - t0;
	printf("%ld images x %ld components in %.1f s: %.0f images/s, %.0f component rows/s\n",
	       nimg, ncomp, secs, (double)nimg / secs, (double)(nimg * ncomp) / secs);
	iota_vulndb_close(vdb);
	iota_inventory_close(inv);
	free(c);
	free(names);
	free(vers);
	free(purls);
	return 0;
}
