/* Unit tests: what scan-time matching works out without a database
 * (src/vuln/scan_match.c): the upstream release and product of distribution
 * packages, the image's release, and each component's exposure from the ELF
 * graph and the services started. The trees hold this machine's own real
 * ELF files (a program, its libc, an unrelated library) under the names an
 * image gives them; nothing is executed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/component.h"
#include "tree.h"
#include "unit.h"
#include "vuln/scan_match.h"

static void test_upstream_version(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"1:1.35.0-4+deb12u1+b1", "1.35.0"},
	    {"1:1.2.13.dfsg-1", "1.2.13"},
	    {"2.90-4~deb12u2", "2.90"},
	    {"2022.83-1+deb12u3", "2022.83"},
	    {"2.36-9+deb12u14", "2.36"},
	    {"1:9.2p1-2+deb12u3", "9.2p1"},
	    {"3.0.15-1~deb12u1", "3.0.15"},
	    {"1.36.1-r5", "1.36.1"},
	    {"2.10+dfsg-1", "2.10"},
	    {"2022.83", "2022.83"},
	    {"", ""},
	    {"a:b-c", "a:b"}, /* not an epoch: only digits before the colon are */
	};
	char out[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		iota_match_upstream_version(cases[i][0], out, sizeof out);
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("%s: %s, expected %s", cases[i][0], out, cases[i][1]);
	}
}

static void test_product(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"libc6", "glibc"},
	    {"zlib1g", "zlib"},
	    {"dropbear-bin", "dropbear"},
	    {"dnsmasq-base", "dnsmasq"},
	    {"openssh-server", "openssh"},
	    {"busybox", "busybox"},
	    {"libssl3", "openssl"},
	    {"curl", "curl"},
	    {"-bin", "-bin"},
	};
	char out[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		iota_match_product(cases[i][0], out, sizeof out);
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("%s: %s, expected %s", cases[i][0], out, cases[i][1]);
	}
}

/* This machine's program and its C library, for an image made of real ELF
 * files; NULL when the machine has neither where Debian puts them. */
static const char *host_libdir(void)
{
	static const char *const dirs[] = {"lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu",
	                                   "lib/arm-linux-gnueabihf", "lib/i386-linux-gnu"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char p[256];
		snprintf(p, sizeof p, "/%s/libc.so.6", dirs[i]);
		if (access(p, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

static void copy_in(const char *from, const char *rel)
{
	FILE *f = fopen(from, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	put_bytes(rel, buf, (size_t)n);
	free(buf);
}

static iota_component *component(iota_scan *s, const char *name)
{
	for (iota_component *c = s->components; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	fail_msg("no component %s", name);
	return NULL;
}

static void test_exposure(void **state)
{
	(void)state;
	const char *ld = host_libdir();
	if (!ld || access("/bin/true", R_OK) != 0 || access("/bin/ls", R_OK) != 0) {
		skip();
		return;
	}
	char p[256], q[256];
	rootfs();
	/* a server started by an init script, a BusyBox-style applet link to a
	 * program inittab starts as telnetd, a program nothing starts */
	copy_in("/bin/true", "usr/sbin/dropbear");
	copy_in("/bin/true", "bin/busybox");
	put_link("../../bin/busybox", "usr/sbin/telnetd");
	copy_in("/bin/ls", "usr/bin/tool");
	snprintf(p, sizeof p, "/%s/libc.so.6", ld);
	snprintf(q, sizeof q, "%s/libc.so.6", ld);
	copy_in(p, q);
	snprintf(p, sizeof p, "/%s/libz.so.1", ld);
	if (access(p, R_OK) == 0) {
		snprintf(q, sizeof q, "%s/libz.so.1", ld);
		copy_in(p, q);
	} else {
		/* any real shared object nobody loads does */
		snprintf(q, sizeof q, "%s/libz.so.1", ld);
		snprintf(p, sizeof p, "/%s/libc.so.6", ld);
		copy_in(p, q);
	}
	put("etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/dropbear -R\n");
	put("etc/inittab",
	    "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -l /bin/login\n");
	put("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
	                      "VERSION_ID=\"12\"\n");
	/* dpkg's view: the status database and each package's file list */
	put("var/lib/dpkg/status",
	    "Package: dropbear-bin\nStatus: install ok installed\nVersion: 2022.83-1+deb12u3\n"
	    "Architecture: armhf\n\n"
	    "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u14\n"
	    "Architecture: amd64\n\n"
	    "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n"
	    "Architecture: amd64\n\n"
	    "Package: tool\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n"
	    "Package: docs\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n\n"
	    "Package: gone\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n");
	put("var/lib/dpkg/info/dropbear-bin.list", "/.\n/usr\n/usr/sbin\n/usr/sbin/dropbear\n");
	snprintf(p, sizeof p, "/.\n/%s\n/%s/libc.so.6\n", ld, ld);
	put("var/lib/dpkg/info/libc6:amd64.list", p);
	snprintf(p, sizeof p, "/%s/libz.so.1\n", ld);
	put("var/lib/dpkg/info/zlib1g:amd64.list", p);
	put("var/lib/dpkg/info/tool.list", "/usr/bin/tool\n");
	put("var/lib/dpkg/info/docs.list", "/etc/os-release\n");

	iota_scan *s = scan();
	assert_non_null(attr(s, "usr/sbin/dropbear", "svc.listening"));
	assert_non_null(attr(s, "bin/busybox", "svc.listening")); /* through the applet link */
	assert_null(attr(s, "usr/bin/tool", "svc.listening"));
	/* a component that is the file itself (as binary signatures make) */
	iota_component *own =
	    iota_component_add(s, "dropbear", "2022.83", node_at(s, "usr/sbin/dropbear"),
	                       IOTA_REL_IS, IOTA_EV_SIGNATURE, "2022.83", 0);
	assert_non_null(own);
	assert_int_equal(iota_scan_sbom_links(s), IOTA_OK);

	assert_int_equal(own->exposure, IOTA_EXPO_LISTENING);
	iota_component *c = component(s, "dropbear-bin");
	assert_int_equal(c->exposure, IOTA_EXPO_LISTENING);
	assert_non_null(strstr(c->exposure_via, "/usr/sbin/dropbear"));
	/* libc: loaded by both servers; the first listening one in origin order names it */
	c = component(s, "libc6");
	assert_int_equal(c->exposure, IOTA_EXPO_LISTENING);
	assert_non_null(strstr(c->exposure_via, "/bin/busybox"));
	assert_int_equal(component(s, "zlib1g")->exposure, IOTA_EXPO_NONE);
	assert_int_equal(component(s, "tool")->exposure, IOTA_EXPO_LOCAL);
	assert_null(component(s, "tool")->exposure_via);
	assert_int_equal(component(s, "docs")->exposure, IOTA_EXPO_UNKNOWN); /* no ELF file */
	assert_int_equal(component(s, "gone")->exposure, IOTA_EXPO_UNKNOWN); /* no file list */
	/* which package each ELF file belongs to, and the release */
	assert_string_equal(attr(s, "usr/sbin/dropbear", "sbom.package"),
	                    "dropbear-bin 2022.83-1+deb12u3");
	snprintf(q, sizeof q, "%s/libc.so.6", ld);
	assert_string_equal(attr(s, q, "sbom.package"), "libc6 2.36-9+deb12u14");
	assert_string_equal(attr(s, "var/lib/dpkg/status", "sbom.ecosystem"), "Debian:12");
	iota_scan_free(s);
}

/* No release file: Debian's +debNNuM stable-update suffix says which. */
static void test_release_from_versions(void **state)
{
	(void)state;
	rootfs();
	put("var/lib/dpkg/status",
	    "Package: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-4+deb12u1+b1\n"
	    "Architecture: mipsel\n\n"
	    "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n"
	    "Architecture: mipsel\n");
	iota_scan *s = scan();
	assert_int_equal(iota_scan_sbom_links(s), IOTA_OK);
	assert_string_equal(attr(s, "var/lib/dpkg/status", "sbom.ecosystem"), "Debian:12");
	assert_int_equal(component(s, "busybox")->exposure, IOTA_EXPO_UNKNOWN);
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_upstream_version),
	    cmocka_unit_test(test_product),
	    cmocka_unit_test_setup_teardown(test_exposure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_from_versions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
