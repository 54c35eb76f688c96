/* Unit tests: package databases as SBOM components (src/analyze/analyze_pkgdb.c). The
 * stanzas follow what dpkg 1.21 (Debian bookworm), OpenWrt's opkg and apk-tools write. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "core/component.h"
#include "tree.h"
#include "unit.h"

static const iota_component *component(iota_scan *s, const char *name)
{
	for (const iota_component *c = s->components; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void test_dpkg(void **state)
{
	(void)state;
	put("var/lib/dpkg/status",
	    "Package: busybox\n"
	    "Status: install ok installed\n"
	    "Priority: optional\n"
	    "Section: shells\n"
	    "Installed-Size: 2102\n"
	    "Maintainer: Debian Install System Team <debian-boot@lists.debian.org>\n"
	    "Architecture: mipsel\n"
	    "Version: 1:1.35.0-4+b3\n"
	    "Depends: libc6 (>= 2.34)\n"
	    "Description: Tiny utilities for small and embedded systems\n"
	    " BusyBox combines tiny versions of many common UNIX utilities into a single\n"
	    " small executable.\n"
	    "\n"
	    "Package: dropbear-bin\n"
	    "Status: install ok installed\n"
	    "Architecture: armhf\n"
	    "Source: dropbear\n"
	    "Version: 2022.83-1+deb12u1\n"
	    "\n"
	    "Package: oldpkg\n"
	    "Status: deinstall ok config-files\n"
	    "Architecture: all\n"
	    "Version: 1.0\n");
	iota_scan *s = scan();
	const iota_component *c = component(s, "busybox");
	assert_non_null(c);
	assert_string_equal(c->version, "1:1.35.0-4+b3");
	assert_string_equal(c->purl, "pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=mipsel");
	assert_int_equal(c->relation, IOTA_REL_IS);
	assert_non_null(c->evidence);
	assert_int_equal(c->evidence->method, IOTA_EV_PACKAGE_DB);
	assert_non_null(strstr(c->evidence->match, "(line 1)"));
	c = component(s, "dropbear-bin");
	assert_non_null(c);
	assert_string_equal(c->version, "2022.83-1+deb12u1");
	assert_non_null(strstr(c->evidence->match, "(line 14)"));
	assert_null(component(s, "oldpkg")); /* only its configuration files are left */
	assert_int_equal(s->ncomponents, 2);
	iota_scan_free(s);
}

static void test_opkg_and_apk(void **state)
{
	(void)state;
	put("usr/lib/opkg/status",
	    "Package: dropbear\n"
	    "Version: 2022.82-2\n"
	    "Depends: libc\n"
	    "Status: install user installed\n"
	    "Architecture: mipsel_24kc\n"
	    "Installed-Time: 1700000000\n"
	    "\n"
	    "Package: uhttpd\n"
	    "Version: 2023-06-25-34a8a74d-2\n"
	    "Status: install user installed\n"
	    "Architecture: mipsel_24kc\n");
	put("lib/apk/db/installed",
	    "C:Q1abcdefghijklmnopqrstuvwxyz0123=\n"
	    "P:musl\n"
	    "V:1.2.4-r2\n"
	    "A:x86_64\n"
	    "S:383152\n"
	    "o:musl\n"
	    "\n"
	    "P:busybox\n"
	    "V:1.36.1-r5\n"
	    "A:x86_64\n");
	iota_scan *s = scan();
	const iota_component *c = component(s, "uhttpd");
	assert_non_null(c);
	assert_string_equal(c->version, "2023-06-25-34a8a74d-2");
	assert_string_equal(c->purl, "pkg:openwrt/uhttpd@2023-06-25-34a8a74d-2?arch=mipsel_24kc");
	c = component(s, "musl");
	assert_non_null(c);
	assert_string_equal(c->purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64");
	c = component(s, "busybox");
	assert_non_null(c);
	assert_string_equal(c->version, "1.36.1-r5");
	assert_non_null(component(s, "dropbear"));
	assert_int_equal(s->ncomponents, 4);
	iota_scan_free(s);
}

static void test_not_a_database(void **state)
{
	(void)state;
	/* the same text elsewhere is documentation, not an installed system */
	put("usr/share/doc/example/status", "Package: fake\nStatus: install ok installed\nVersion: 9\n");
	iota_scan *s = scan();
	assert_int_equal(s->ncomponents, 0);
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpkg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opkg_and_apk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
