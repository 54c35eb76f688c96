/* Unit tests: binary signatures (src/sbom/signatures.c) and the signatures
 * analyzer (src/analyze/analyze_signatures.c).
 *
 * The byte strings below are cut, unchanged, from Debian bookworm binaries
 * (package, architecture and file named at each); the tests check that the
 * built-in signatures read the upstream version out of them, at the right
 * offset, and nothing out of near misses. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/component.h"
#include "core/data.h"
#include "sbom/signatures.h"
#include "tree.h"
#include "unit.h"

#define BYTES(s) (const uint8_t *)(s), sizeof(s) - 1

struct snippet {
	const char *from; /* package arch file */
	const uint8_t *bytes;
	size_t len;
	const char *product, *version;
	size_t offset; /* where the match starts */
};

static const struct snippet snippets[] = {
    {"mosquitto 2.0.11 arm64 usr/sbin/mosquitto",
     BYTES("mapping.\0\0\0\0\0\0\0\0"
           "2.0.11\0\0mosquitto version %s\n\n\0\0mosqui"),
     "mosquitto", "2.0.11", 15},
    {"libsqlite3-0 3.40.1 armhf libsqlite3.so.0.8.6",
     BYTES("\x08\0\0\0\0\0\0\0"
           "3.40.1\0\0failed memory resize %u to %u bytes\0fail"),
     "sqlite", "3.40.1", 7},
    {"libssl3 3.0.20 armhf libcrypto.so.3",
     BYTES("\x80\x03\x80\x03\x80\x03@\0OpenSSL 3.0.20 7 Apr 2026\0\0\0"
           "3.0.20\0\0not avai"),
     "openssl", "3.0.20", 8},
    {"zlib1g 1.2.13 mipsel libz.so.1.2.13",
     BYTES("\x8d\xef\x02- deflate 1.2.13 Copyright 1995-2022 Jean-loup Gailly and Mark Adler "
           "\0\0\0"),
     "zlib", "1.2.13", 4},
    {"hostapd 2.10 mipsel usr/sbin/hostapd",
     BYTES("tion\0\0\0\0"
           "2.10\0\0\0\0hostapd v%s\nUser space daem"),
     "hostapd", "2.10", 7},
    {"musl 1.2.3 armhf lib/arm-linux-musleabihf/libc.so",
     BYTES("/proc/self/fd/\0\0"
           "1.2.3\0\0\0Dynamic linker failed to allocate memory for error "
           "message"),
     "musl", "1.2.3", 15},
    {"libc6 2.36 armhf libc.so.6",
     BYTES("s\n\n\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version "
           "2.36.\nCopyright (C) 2022 "),
     "glibc", "2.36", 4},
    {"libevent-2.1-7 2.1.12-stable mipsel libevent-2.1.so.7.0.1",
     BYTES("zing\0\0\0\0"
           "2.1.12-stable\0\0\0EV_READ \0\0\0\0"),
     "libevent", "2.1.12", 7},
    {"iptables 1.8.9 mipsel xtables-legacy-multi",
     BYTES("N %s\n\0\0"
           "1.8.9 (legacy)\0\0app"),
     "iptables", "1.8.9", 6},
    {"dropbear-bin 2022.83 armhf usr/sbin/dropbear", BYTES("\0SSH-2.0-dropbear_2022.83\0\0"),
     "dropbear", "2022.83", 9},
    {"openssh-server 9.2p1 arm64 usr/sbin/sshd",
     BYTES("line\0\0\0\0OpenSSH_9.2p1 Debian-2+deb12u10\0"), "openssh", "9.2p1", 8},
    {"busybox 1.35.0 mipsel bin/busybox", BYTES("\0BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)"),
     "busybox", "1.35.0", 1},
    {"libjpeg62-turbo 2.1.5 armhf libjpeg.so.62",
     BYTES("]\xabr\xdeU\xa8\xd1?libjpeg-turbo version 2.1.5 (build 20230203)\0"), "libjpeg-turbo",
     "2.1.5", 8},
    {"libbz2-1.0 1.0.8 mipsel libbz2.so.1.0",
     BYTES("r\0\0\0"
           "1.0.8, 13-Jul-2019\0\0\n\nbzip2/libbzip2: internal error number"),
     "bzip2", "1.0.8", 3},
    {"lighttpd 1.4.69 armhf usr/sbin/lighttpd",
     BYTES("%s\0\0lighttpd/1.4.69 (ssl) - a light and fast webserver\n\0"), "lighttpd", "1.4.69",
     4},
};

struct got {
	char product[64], version[64], match[256];
	uint64_t offset;
	unsigned n;
};

static int collect(void *ctx, const iota_sig_hit *h)
{
	struct got *g = ctx;
	if (g->n++ == 0) {
		snprintf(g->product, sizeof g->product, "%s", h->sig->product);
		snprintf(g->version, sizeof g->version, "%s", h->version);
		snprintf(g->match, sizeof g->match, "%s", h->match);
		g->offset = h->offset;
	}
	return 0;
}

static void test_real_snippets(void **state)
{
	(void)state;
	char err[256] = "";
	const iota_sigdb *db = iota_sigdb_builtin(err, sizeof err);
	assert_non_null(db);
	for (size_t i = 0; i < sizeof snippets / sizeof snippets[0]; i++) {
		const struct snippet *t = &snippets[i];
		struct got g = {0};
		assert_int_equal(iota_sigdb_scan(db, t->bytes, t->len, collect, &g), 0);
		if (g.n != 1 || strcmp(g.product, t->product) || strcmp(g.version, t->version) ||
		    g.offset != t->offset)
			fail_msg("%s: got %u hits, first %s %s at %llu (%s)", t->from, g.n,
			         g.product, g.version, (unsigned long long)g.offset, g.match);
		assert_non_null(strstr(g.match, t->version));
		/* one byte less at the end of the version: no longer that release */
	}
}

/* Near misses: the prefilter is there, the expression is not satisfied. */
static void test_near_misses(void **state)
{
	(void)state;
	const iota_sigdb *db = iota_sigdb_builtin(NULL, 0);
	static const char *const misses[] = {
	    /* OpenSSH's compatibility table (sshd): version patterns, not a release */
	    "OpenSSH_7.0*,OpenSSH_7.1*,OpenSSH_7.2*\0",
	    /* a format string, no version */
	    "BusyBox v%s (%s)\0",
	    /* OpenSSL named in prose */
	    "linked against OpenSSL library\0",
	    /* mosquitto's format without its version before it */
	    "\0\0\0\0mosquitto version %s\n\0",
	};
	for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
		struct got g = {0};
		const char *m = misses[i];
		size_t len = strlen(m) + 1;
		if (i == 3)
			len = 4 + strlen(m + 4) + 1;
		iota_sigdb_scan(db, (const uint8_t *)m, len, collect, &g);
		if (g.n)
			fail_msg("miss %zu matched %s %s (%s)", i, g.product, g.version, g.match);
	}
}

/* The same version twice in a file is one hit; two releases are two. */
static void test_distinct(void **state)
{
	(void)state;
	const iota_sigdb *db = iota_sigdb_builtin(NULL, 0);
	static const char two[] = "\0BusyBox v1.35.0 (x)\0syslogd started: BusyBox v1.35.0\0"
	                          "BusyBox v1.36.1 (y)\0";
	struct got g = {0};
	iota_sigdb_scan(db, (const uint8_t *)two, sizeof two - 1, collect, &g);
	assert_int_equal(g.n, 2);
}

/* Every product has an entry in data/vuln/products.tsv, so the matcher knows
 * it, and there are at least 150 of them. */
static void test_products_known(void **state)
{
	(void)state;
	char err[256] = "";
	const iota_sigdb *db = iota_sigdb_builtin(err, sizeof err);
	assert_non_null(db);
	size_t len = 0;
	const char *tsv = (const char *)iota_data_get("vuln/products.tsv", &len);
	assert_non_null(tsv);
	size_t distinct = 0;
	for (size_t i = 0; i < iota_sigdb_count(db); i++) {
		const iota_sig *g = iota_sigdb_get(db, i);
		if (iota_sigdb_find(db, g->product) == g)
			distinct++;
		char line[96];
		snprintf(line, sizeof line, "\n%s\t", g->product);
		if (!strstr(tsv, line))
			fail_msg("%s is not in data/vuln/products.tsv", g->product);
		if (g->cpe_vendor) {
			char pair[160];
			snprintf(pair, sizeof pair, "%s:%s", g->cpe_vendor, g->cpe_product);
			const char *row = strstr(tsv, line);
			const char *eol = strchr(row + 1, '\n');
			const char *at = strstr(row, pair);
			if (!at || (eol && at > eol))
				fail_msg("%s: cpe %s is not in its products.tsv line", g->product,
				         pair);
		}
	}
	if (distinct < 150)
		fail_msg("%zu products, expected at least 150", distinct);
}

static void test_load_errors(void **state)
{
	(void)state;
	static const struct {
		const char *yaml, *want;
	} bad[] = {
	    {"- product: x\n  prefilter: \"abc\"\n", "needs product"},
	    {"- product: X\n  prefilter: \"abc\"\n  regex: '(1)'\n", "needs product"},
	    {"- product: x\n  prefilter: \"abc\"\n  regex: 'abc'\n", "captures no version"},
	    {"- product: x\n  prefilter: \"abc\"\n  regex: '(abc'\n", "regex at"},
	    {"- product: x\n  prefilter: \"abc\"\n  regex: '(a)'\n  cpe: nocolon\n",
	     "vendor:product"},
	    {"- product: x\n  prefilter: \"abc\"\n  regex: '(a)'\n  before: 9999\n", "before"},
	    {"product: x\n", "list of signatures"},
	    {"- [unclosed\n", "not valid YAML"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[256] = "";
		const char *texts[] = {bad[i].yaml};
		size_t lens[] = {strlen(bad[i].yaml)};
		const char *names[] = {"t.yaml"};
		iota_sigdb *db = iota_sigdb_load(texts, lens, names, 1, err, sizeof err);
		if (db || !strstr(err, bad[i].want))
			fail_msg("case %zu: db %p, err '%s', wanted '%s'", i, (void *)db, err,
			         bad[i].want);
	}
	/* a good one, NUL in the prefilter, hits with the memmem fallback too */
	static const char ok[] = "- product: demo\n  prefilter: \"\\0demo-\"\n"
	                         "  regex: '\\x00demo-(\\d+\\.\\d+)\\x00'\n"
	                         "  cpe: demo_project:demo\n  purl: github\n";
	const char *texts[] = {ok};
	size_t lens[] = {sizeof ok - 1};
	const char *names[] = {"ok.yaml"};
	char err[256] = "";
	iota_sigdb *db = iota_sigdb_load(texts, lens, names, 1, err, sizeof err);
	assert_non_null(db);
	static const char data[] = "xx\0demo-4.2\0yy";
	struct got g = {0};
	assert_int_equal(iota_sigdb_scan(db, (const uint8_t *)data, sizeof data - 1, collect, &g),
	                 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.version, "4.2");
	assert_string_equal(g.match, "demo-4.2");
	assert_int_equal(g.offset, 2);
	char cpe[128], purl[128];
	iota_sig_ids(iota_sigdb_get(db, 0), "4.2", cpe, sizeof cpe, purl, sizeof purl);
	assert_string_equal(cpe, "cpe:2.3:a:demo_project:demo:4.2:*:*:*:*:*:*:*");
	assert_string_equal(purl, "pkg:github/demo@4.2");
	iota_sigdb_free(db);
}

static void test_ids(void **state)
{
	(void)state;
	const iota_sigdb *db = iota_sigdb_builtin(NULL, 0);
	char cpe[256], purl[256];
	iota_sig_ids(iota_sigdb_find(db, "openssh"), "9.2p1", cpe, sizeof cpe, purl, sizeof purl);
	assert_string_equal(cpe, "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*");
	assert_string_equal(purl, "pkg:generic/openssh@9.2p1");
	iota_sig_ids(iota_sigdb_find(db, "dropbear"), "2022.83", cpe, sizeof cpe, purl,
	             sizeof purl);
	assert_string_equal(cpe,
	                    "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*");
	/* CPE 2.3 quotes what it reserves; purl percent-encodes */
	iota_sig_ids(iota_sigdb_find(db, "linux"), "6.1.0+x", cpe, sizeof cpe, purl, sizeof purl);
	assert_string_equal(cpe, "cpe:2.3:o:linux:linux_kernel:6.1.0\\+x:*:*:*:*:*:*:*");
	iota_sig_ids(iota_sigdb_find(db, "isc-dhcp"), "4.4.3 P1", cpe, sizeof cpe, purl,
	             sizeof purl);
	assert_string_equal(purl, "pkg:generic/isc-dhcp@4.4.3%20P1");
}

/* busybox's applet_names[]: the start of the real table (busybox 1.35.0 mipsel) */
static void test_applets(void **state)
{
	(void)state;
	static const char table[] = "junk\x01\x02\0[\0[[\0acpid\0adjtimex\0ar\0arch\0arp\0arping\0"
	                            "ascii\0ash\0awk\0base64\0basename\0\0\x05\x06";
	char out[512];
	size_t n = iota_busybox_applets((const uint8_t *)table, sizeof table - 1, out, sizeof out);
	assert_int_equal(n, 13);
	assert_string_equal(out, "[,[[,acpid,adjtimex,ar,arch,arp,arping,ascii,ash,awk,base64,"
	                         "basename");
	/* not sorted: not the table */
	static const char unsorted[] = "\0zz\0yy\0xx\0ww\0vv\0uu\0tt\0ss\0rr\0";
	assert_int_equal(
	    iota_busybox_applets((const uint8_t *)unsorted, sizeof unsorted - 1, out, sizeof out),
	    0);
}

static const iota_component *component(iota_scan *s, const char *name, const char *rel)
{
	iota_node *n = rel ? node_at(s, rel) : NULL;
	for (const iota_component *c = s->components; c; c = c->next)
		if (strcmp(c->name, name) == 0 && (!rel || c->node == n))
			return c;
	return NULL;
}

/* A damaged ELF (header cut after 24 bytes) still yields its component; by
 * its name it IS dropbear, under another name it CONTAINS a copy. */
static void test_damaged_elf(void **state)
{
	(void)state;
	static const char cut[] = "\x7f"
	                          "ELF\x01\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x28\0\x01\0\0\0"
	                          "\0\0\0\0\0\0\0\0\0\0\0\0SSH-2.0-dropbear_2022.83\0\0\0\0";
	rootfs();
	put_bytes("usr/sbin/dropbear", cut, sizeof cut - 1);
	put_bytes("usr/lib/firmware/blob.bin", cut, sizeof cut - 1);
	iota_scan *s = scan();
	const iota_component *c = component(s, "dropbear", "usr/sbin/dropbear");
	assert_non_null(c);
	assert_string_equal(c->version, "2022.83");
	assert_int_equal(c->relation, IOTA_REL_IS);
	assert_int_equal(c->evidence->method, IOTA_EV_SIGNATURE);
	assert_int_equal(c->evidence->offset, 44);
	assert_string_equal(c->evidence->match, "dropbear_2022.83");
	assert_string_equal(c->purl, "pkg:generic/dropbear@2022.83");
	c = component(s, "dropbear", "usr/lib/firmware/blob.bin");
	assert_non_null(c);
	assert_int_equal(c->relation, IOTA_REL_CONTAINS);
	assert_int_equal(s->ncomponents, 2);
	iota_scan_free(s);
}

/* uClibc-ng names its files after its release. */
static void test_filename_version(void **state)
{
	(void)state;
	static const char elf[] = "\x7f"
	                          "ELF\x01\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x08\0";
	rootfs();
	put_bytes("lib/libuClibc-1.0.42.so", elf, sizeof elf - 1);
	put_bytes("lib/libuClibc-x.so", elf, sizeof elf - 1);
	iota_scan *s = scan();
	const iota_component *c = component(s, "uclibc-ng", "lib/libuClibc-1.0.42.so");
	assert_non_null(c);
	assert_string_equal(c->version, "1.0.42");
	assert_int_equal(c->relation, IOTA_REL_IS);
	assert_int_equal(c->evidence->method, IOTA_EV_FILENAME);
	assert_int_equal(s->ncomponents, 1);
	iota_scan_free(s);
}

/* A kernel module's .modinfo names the kernel it was built for; the modules
 * directory then holds that kernel's parts. Two modules: one component. */
static void test_vermagic(void **state)
{
	(void)state;
	/* .modinfo of a Debian bookworm armmp module (key=value, NUL-separated) */
	static const char modinfo[] =
	    "\x7f"
	    "ELF\x01\x01\x01\0\0\0\0\0\0\0\0\0\x01\0\x28\0"
	    "license=GPL\0depends=\0retpoline=Y\0intree=Y\0name=crc_itu_t\0"
	    "vermagic=6.1.0-50-armmp SMP mod_unload modversions ARMv7 p2v8 \0";
	rootfs();
	put_bytes("lib/modules/6.1.0-50-armmp/kernel/lib/crc-itu-t.ko", modinfo,
	          sizeof modinfo - 1);
	put_bytes("lib/modules/6.1.0-50-armmp/kernel/lib/crc7.ko", modinfo, sizeof modinfo - 1);
	iota_scan *s = scan();
	const iota_component *c = component(s, "linux", "lib/modules/6.1.0-50-armmp");
	assert_non_null(c);
	assert_string_equal(c->version, "6.1.0-50-armmp");
	assert_int_equal(c->relation, IOTA_REL_CONTAINS);
	/* the directory's name, then each module's vermagic */
	assert_int_equal(c->evidence->method, IOTA_EV_FILENAME);
	assert_string_equal(c->evidence->match, "lib/modules/6.1.0-50-armmp");
	const iota_evidence *e = c->evidence->next;
	assert_non_null(e);
	assert_int_equal(e->method, IOTA_EV_KERNEL);
	assert_string_equal(e->match, "vermagic=6.1.0-50-armmp");
	assert_non_null(strstr(e->node->name, ".ko"));
	assert_non_null(e->next); /* the second module */
	assert_string_equal(c->cpe, "cpe:2.3:o:linux:linux_kernel:6.1.0:*:*:*:*:*:*:*");
	assert_int_equal(s->ncomponents, 1);
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_snippets),
	    cmocka_unit_test(test_near_misses),
	    cmocka_unit_test(test_distinct),
	    cmocka_unit_test(test_products_known),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_applets),
	    cmocka_unit_test_setup_teardown(test_damaged_elf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filename_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vermagic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
