/* Unit tests: the update analyzer (src/analyze/analyze_update.c): vendor
 * update scripts and programs, OpenWrt sysupgrade and opkg, apt, Mender,
 * and a root file system without any updater. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scan.h"
#include "tree.h"
#include "unit.h"

static void test_vendor_script_unsigned(void **state)
{
	(void)state;
	rootfs();
	put("usr/sbin/fw_upgrade.sh", "#!/bin/sh\n"
	                              "# vendor firmware upgrade\n"
	                              "URL=http://fw.vendorcloud.net/images\n"
	                              "MODEL=$(cat /tmp/sysinfo/model)\n"
	                              "wget -q -O /tmp/fw.bin \"$URL/$MODEL/latest.bin\"\n" /* 5 */
	                              "md5sum -c /tmp/fw.md5 || exit 1\n"
	                              "mtd -r write /tmp/fw.bin firmware\n");
	iota_scan *s = scan();
	const char *rel = "usr/sbin/fw_upgrade.sh";
	const iota_finding *f = find(s, "update.unsigned", rel);
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 5);
	assert_int_equal(f->confidence, 70);
	assert_non_null(strstr(f->message, "md5sum"));
	f = find(s, "update.plaintext", rel);
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_string_equal(f->evidence, "http://fw.vendorcloud.net/images/$MODEL/latest.bin");
	assert_int_equal(count(s, "update.plaintext", NULL), 1);
	assert_int_equal(count(s, "update.none", NULL), 0);
	assert_int_equal(count(s, "update.no-downgrade-protection", NULL), 1);
	assert_int_equal(count_prefix(s, "update."), 3);
	assert_string_equal(attr(s, rel, "update.kind"), "vendor-script");
	assert_string_equal(attr(s, rel, "update.flash"), "mtd");
	assert_string_equal(attr(s, rel, "update.checksum"), "md5sum");
	assert_string_equal(attr(s, "", "update.mechanisms"), "vendor-script");
	iota_scan_free(s);
}

static void test_vendor_script_signed(void **state)
{
	(void)state;
	rootfs();
	put("usr/sbin/firmware-update",
	    "#!/bin/sh\n"
	    "BASE=https://fw.vendorcloud.net\n"
	    "curl -fsS -o /tmp/fw.bin $BASE/fw.bin\n"
	    "curl -fsS -o /tmp/fw.sig $BASE/fw.sig\n"
	    "openssl dgst -sha256 -verify /etc/fw-pub.pem -signature /tmp/fw.sig "
	    "/tmp/fw.bin || exit 1\n"
	    "# refuse a downgrade: compare with /etc/version\n"
	    "[ \"$(cat /tmp/fw.ver)\" \\> \"$(cat /etc/version)\" ] || exit 1 # rollback\n"
	    "sysupgrade /tmp/fw.bin\n");
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "update."), 0);
	assert_string_equal(attr(s, "usr/sbin/firmware-update", "update.verify"), "openssl dgst");
	iota_scan_free(s);
}

/* OpenWrt 23.05: package/base-files/files/lib/upgrade/fwtool.sh (the check) */
static const char fwtool_sh[] = "REQUIRE_IMAGE_SIGNATURE=\"${REQUIRE_IMAGE_SIGNATURE:-$(uci get "
                                "system.@system[-1].require_image_signature)}\"\n"
                                "\n"
                                "fwtool_check_signature() {\n"
                                "\t[ $# -gt 1 ] && return 1\n"
                                "\n"
                                "\t[ \"$REQUIRE_IMAGE_SIGNATURE\" = 1 ] || return 0\n"
                                "\n"
                                "\tif ! fwtool -q -s /tmp/sysupgrade.ucert \"$1\"; then\n"
                                "\t\techo \"Image signature not found\"\n"
                                "\t\t[ \"$REQUIRE_IMAGE_SIGNATURE\" = 1 ] && return 1\n"
                                "\t\treturn 0\n"
                                "\tfi\n"
                                "\n"
                                "\tfwtool -q -T -s /dev/null \"$1\" | \\\n"
                                "\t\tucert -V -m - -c \"/tmp/sysupgrade.ucert\" -P /etc/opkg/keys\n"
                                "\n"
                                "\treturn $?\n"
                                "}\n";

static void openwrt(void)
{
	rootfs();
	put("sbin/sysupgrade", "#!/bin/sh\n. /lib/functions.sh\n. /lib/upgrade/common.sh\n");
	put("lib/upgrade/fwtool.sh", fwtool_sh);
	put("lib/upgrade/common.sh", "#!/bin/sh\nRAM_ROOT=/tmp/root\n");
	put("etc/opkg.conf", "dest root /\n"
	                     "dest ram /tmp\n"
	                     "lists_dir ext /var/opkg-lists\n"
	                     "option overlay_root /overlay\n"
	                     "option check_signature\n");
	put("etc/opkg/distfeeds.conf",
	    "src/gz openwrt_core "
	    "https://downloads.openwrt.org/releases/23.05.2/targets/ath79/generic/packages\n"
	    "src/gz openwrt_base "
	    "http://downloads.openwrt.org/releases/23.05.2/packages/mips_24kc/base\n");
	put("etc/opkg/keys/b5043e70f9a75cde", "untrusted comment: public key b5043e70f9a75cde\n");
}

static void test_openwrt(void **state)
{
	(void)state;
	openwrt();
	iota_scan *s = scan();
	const iota_finding *f = find(s, "update.unsigned", "sbin/sysupgrade");
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(f->confidence, 75);
	f = find(s, "update.plaintext", "etc/opkg/distfeeds.conf");
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	assert_int_equal(f->line, 2);
	assert_int_equal(count(s, "update.unsigned", NULL), 1);
	assert_int_equal(count(s, "update.plaintext", NULL), 1);
	assert_string_equal(attr(s, "sbin/sysupgrade", "update.signature_required"), "no");
	assert_non_null(strstr(attr(s, "", "update.mechanisms"), "sysupgrade"));
	assert_non_null(strstr(attr(s, "", "update.mechanisms"), "opkg"));
	iota_scan_free(s);
}

static void test_openwrt_signature_required(void **state)
{
	(void)state;
	openwrt();
	put("etc/config/system", "config system\n"
	                         "\toption hostname 'OpenWrt'\n"
	                         "\toption require_image_signature '1'\n");
	iota_scan *s = scan();
	assert_int_equal(count(s, "update.unsigned", NULL), 0);
	assert_string_equal(attr(s, "sbin/sysupgrade", "update.signature_required"), "yes");
	iota_scan_free(s);
}

static void test_opkg_unsigned(void **state)
{
	(void)state;
	rootfs();
	put("bin/opkg", "x\n");
	put("etc/opkg.conf", "src/gz vendor http://packages.vendorcloud.net/mips\n"
	                     "dest root /\n"
	                     "lists_dir ext /var/opkg-lists\n");
	iota_scan *s = scan();
	assert_int_equal(find(s, "update.unsigned", "etc/opkg.conf")->severity, IOTA_SEV_MEDIUM);
	const iota_finding *f = find(s, "update.plaintext", "etc/opkg.conf");
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 1);
	iota_scan_free(s);
}

static void test_mender(void **state)
{
	(void)state;
	rootfs();
	put("etc/mender/mender.conf", "{\n"
	                              "  \"InventoryPollIntervalSeconds\": 28800,\n"
	                              "  \"ServerURL\": \"http://mender.vendorcloud.net\",\n"
	                              "  \"SkipVerify\": true,\n"
	                              "  \"TenantToken\": \"\"\n"
	                              "}\n");
	iota_scan *s = scan();
	const char *rel = "etc/mender/mender.conf";
	assert_int_equal(find(s, "update.tls-noverify", rel)->severity, IOTA_SEV_HIGH);
	assert_int_equal(find(s, "update.unsigned", rel)->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(find(s, "update.plaintext", rel)->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(count(s, "update.none", NULL), 0);
	iota_scan_free(s);
}

static void test_mender_clean(void **state)
{
	(void)state;
	rootfs();
	put("etc/mender/mender.conf",
	    "{\n"
	    "  \"ServerURL\": \"https://hosted.mender.io\",\n"
	    "  \"ArtifactVerifyKey\": \"/etc/mender/artifact-verify-key.pem\"\n"
	    "}\n");
	put("etc/mender/mender.d/rollback", "# A/B rootfs with automatic rollback\n");
	iota_scan *s = scan();
	assert_int_equal(count(s, "update.unsigned", NULL), 0);
	assert_int_equal(count(s, "update.plaintext", NULL), 0);
	assert_int_equal(count(s, "update.tls-noverify", NULL), 0);
	assert_string_equal(attr(s, "etc/mender/mender.conf", "update.verify"),
	                    "mender ArtifactVerifyKey");
	iota_scan_free(s);
}

static void test_apt(void **state)
{
	(void)state;
	rootfs();
	put("etc/apt/sources.list", "deb http://deb.debian.org/debian bookworm main\n"
	                            "deb [trusted=yes] http://apt.vendorcloud.net/ stable main\n"
	                            "# deb http://old.vendorcloud.net/ stable main\n");
	put("etc/apt/sources.list.d/vendor.sources", "Types: deb\n"
	                                             "URIs: https://apt2.vendorcloud.net/\n"
	                                             "Suites: stable\n"
	                                             "Components: main\n"
	                                             "Signed-By: /usr/share/keyrings/vendor.gpg\n");
	iota_scan *s = scan();
	const char *rel = "etc/apt/sources.list";
	const iota_finding *f = find(s, "update.unsigned", rel);
	assert_int_equal(f->line, 2);
	/* a trusted=yes source makes the file's clear-text sources unsigned paths */
	assert_int_equal(count(s, "update.plaintext", rel), 2);
	assert_int_equal(count(s, "update.unsigned", NULL), 1);
	assert_int_equal(count(s, "update.plaintext", "etc/apt/sources.list.d/vendor.sources"), 0);
	iota_scan_free(s);
}

static void test_no_mechanism(void **state)
{
	(void)state;
	rootfs();
	put("usr/sbin/update-pciids", "#!/bin/sh\n" /* a data refresher, not an updater */
	                              "SRC=\"https://pci-ids.ucw.cz/v2.2/pci.ids\"\n"
	                              "curl -o /usr/share/misc/pci.ids.new $SRC\n");
	iota_scan *s = scan();
	const iota_finding *f = find(s, "update.none", "");
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(f->confidence, 50);
	assert_int_equal(count_prefix(s, "update."), 1);
	iota_scan_free(s);
}

/* A minimal ELF64 header followed by NUL-separated strings. */
static void put_elf_strings(const char *rel, const char *const *strs, size_t n)
{
	uint8_t buf[2048] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	buf[16] = 2;
	buf[18] = 62;
	buf[20] = 1;
	size_t o = 65;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(strs[i]);
		assert_true(o + l + 1 < sizeof buf);
		memcpy(buf + o, strs[i], l);
		o += l + 1;
	}
	put_bytes(rel, buf, o);
}

static void test_update_program(void **state)
{
	(void)state;
	rootfs();
	const char *const plain[] = {"https://ota.vendorcloud.net/firmware/latest.bin",
	                             "curl -s -o /tmp/fw.bin %s", "mtd write"};
	const char *const signd[] = {"https://ota.vendorcloud.net/firmware/latest.bin",
	                             "curl -s -o /tmp/fw.bin %s", "EVP_DigestVerifyFinal"};
	const char *const swu_plain[] = {"sw-description", "Software Update started !"};
	const char *const swu_signed[] = {"sw-description", "sw-description.sig"};
	put_elf_strings("usr/bin/ota_agent", plain, 3);
	put_elf_strings("usr/bin/ota-client", signd, 3);
	put_elf_strings("usr/bin/swupdate", swu_plain, 2);
	put_elf_strings("opt/signed/usr/bin/swupdate", swu_signed, 2);
	iota_scan *s = scan();
	assert_int_equal(find(s, "update.unsigned", "usr/bin/swupdate")->severity, IOTA_SEV_HIGH);
	assert_int_equal(count(s, "update.unsigned", "opt/signed/usr/bin/swupdate"), 0);
	const iota_finding *f = find(s, "update.unsigned", "usr/bin/ota_agent");
	assert_int_equal(f->confidence, 50);
	assert_int_equal(count(s, "update.unsigned", "usr/bin/ota-client"), 0);
	assert_int_equal(count(s, "update.plaintext", NULL), 0);
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_vendor_script_unsigned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vendor_script_signed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openwrt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openwrt_signature_required, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_opkg_unsigned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mender, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mender_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_apt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_mechanism, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_program, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
