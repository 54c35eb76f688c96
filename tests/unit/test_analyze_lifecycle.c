/* Unit tests: the life-cycle analyzer (src/analyze/analyze_lifecycle.c):
 * security.txt (RFC 9116), os-release and OpenWrt release files, contacts
 * and support statements, the kernel banner and its configuration, embedded
 * (IKCFG_ST + gzip + IKCFG_ED, built here with zlib) or as a .config file. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/component.h"
#include "core/scan.h"
#include "tree.h"
#include "unit.h"

/* ---- security.txt ---- */

static void test_security_txt_signed(void **state)
{
	(void)state;
	rootfs();
	put("www/.well-known/security.txt", "-----BEGIN PGP SIGNED MESSAGE-----\n"
	                                    "Hash: SHA256\n"
	                                    "\n"
	                                    "# Our security address\n"
	                                    "Contact: mailto:psirt@vendorcloud.net\n"
	                                    "Contact: https://vendorcloud.net/security/report\n"
	                                    "Expires: 2099-12-31T23:00:00.000Z\n"
	                                    "Policy: https://vendorcloud.net/security/policy\n"
	                                    "Preferred-Languages: en, de\n"
	                                    "-----BEGIN PGP SIGNATURE-----\n"
	                                    "iHUEARYIAB0WIQ...\n"
	                                    "-----END PGP SIGNATURE-----\n");
	put("etc/os-release", "NAME=\"Vendor OS\"\nVERSION_ID=\"3.2\"\nSUPPORT_END=2099-06-30\n");
	iota_scan *s = scan();
	const char *rel = "www/.well-known/security.txt";
	assert_int_equal(count_prefix(s, "life."), 0);
	assert_string_equal(attr(s, rel, "life.security_contact"),
	                    "mailto:psirt@vendorcloud.net,https://vendorcloud.net/security/report");
	assert_string_equal(attr(s, rel, "life.security_txt.expires"), "2099-12-31T23:00:00.000Z");
	assert_string_equal(attr(s, rel, "life.security_txt.policy"),
	                    "https://vendorcloud.net/security/policy");
	assert_string_equal(attr(s, "etc/os-release", "life.support_end"), "2099-06-30");
	iota_scan_free(s);
}

static void test_security_txt_problems(void **state)
{
	(void)state;
	put("www/.well-known/security.txt", "Contact: mailto:security@vendorcloud.net\n"
	                                    "Expires: 2021-01-01T00:00:00+01:00\n");
	put("www/security.txt", "Policy: https://vendorcloud.net/policy\n");
	iota_scan *s = scan();
	const iota_finding *f =
	    find(s, "life.security-txt-expired", "www/.well-known/security.txt");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	f = find(s, "life.security-txt-invalid", "www/security.txt");
	assert_string_equal(f->evidence, "Contact,Expires");
	assert_int_equal(count_prefix(s, "life."), 2); /* no root file system: nothing expected */
	iota_scan_free(s);
}

/* ---- contacts, support period ---- */

/* Debian bookworm's /usr/lib/os-release */
static const char debian_os_release[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                                        "NAME=\"Debian GNU/Linux\"\n"
                                        "VERSION_ID=\"12\"\n"
                                        "VERSION=\"12 (bookworm)\"\n"
                                        "VERSION_CODENAME=bookworm\n"
                                        "ID=debian\n"
                                        "HOME_URL=\"https://www.debian.org/\"\n"
                                        "SUPPORT_URL=\"https://www.debian.org/support\"\n"
                                        "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n";

static void test_missing_contact_and_support(void **state)
{
	(void)state;
	rootfs();
	put("usr/lib/os-release", debian_os_release);
	iota_scan *s = scan();
	const iota_finding *f = find(s, "life.security-contact", "");
	assert_int_equal(f->severity, IOTA_SEV_INFO);
	assert_non_null(strstr(f->message, "needs vendor evidence"));
	assert_int_equal(find(s, "life.support-period", "")->severity, IOTA_SEV_INFO);
	assert_int_equal(count_prefix(s, "life."), 2);
	const char *rel = "usr/lib/os-release";
	assert_string_equal(attr(s, rel, "life.os.pretty_name"), "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(attr(s, rel, "life.os.version_codename"), "bookworm");
	assert_string_equal(attr(s, rel, "life.os.bug_report_url"), "https://bugs.debian.org/");
	iota_scan_free(s);
}

static void test_openwrt_banner_contact(void **state)
{
	(void)state;
	rootfs();
	put("etc/openwrt_release", "DISTRIB_ID='OpenWrt'\n"
	                           "DISTRIB_RELEASE='23.05.2'\n"
	                           "DISTRIB_REVISION='r23630-842932a63d'\n"
	                           "DISTRIB_TARGET='ath79/generic'\n"
	                           "DISTRIB_ARCH='mips_24kc'\n"
	                           "DISTRIB_DESCRIPTION='OpenWrt 23.05.2 r23630-842932a63d'\n"
	                           "DISTRIB_TAINTS=''\n");
	put("etc/openwrt_version", "r23630-842932a63d\n");
	put("etc/banner", "  _______                     ________        __\n"
	                  " |       |.-----.-----.-----.|  |  |  |.----.|  |_\n"
	                  " -----------------------------------------------------\n"
	                  " VendorOS 4.1, built 2024-03-02\n"
	                  " Report vulnerabilities to psirt@vendorcloud.net.\n"
	                  " This release is supported until 2027-12-31.\n"
	                  " -----------------------------------------------------\n");
	put("etc/os-release", "NAME=\"OpenWrt\"\nSUPPORT_END=2020-01-31\n");
	iota_scan *s = scan();
	assert_string_equal(attr(s, "etc/openwrt_release", "life.openwrt.distrib_revision"),
	                    "r23630-842932a63d");
	assert_string_equal(attr(s, "etc/openwrt_version", "life.openwrt.version"),
	                    "r23630-842932a63d");
	assert_string_equal(attr(s, "etc/banner", "life.security_contact"),
	                    "psirt@vendorcloud.net");
	assert_string_equal(attr(s, "etc/banner", "life.support_statement"),
	                    "This release is supported until 2027-12-31.");
	assert_string_equal(attr(s, "etc/banner", "life.build_date"), "2024-03-02");
	assert_string_equal(attr(s, "etc/banner", "life.version_line"),
	                    "VendorOS 4.1, built 2024-03-02");
	const iota_finding *f = find(s, "life.support-ended", "etc/os-release");
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(f->line, 2);
	assert_int_equal(count_prefix(s, "life."), 1);
	iota_scan_free(s);
}

/* ---- the kernel ---- */

static const char weak_config[] =
    "#\n"
    "# Automatically generated file; DO NOT EDIT.\n"
    "# Linux/arm64 5.10.0 Kernel Configuration\n"
    "#\n"
    "CONFIG_CC_VERSION_TEXT=\"aarch64-openwrt-linux-musl-gcc (OpenWrt GCC 12.3.0) 12.3.0\"\n"
    "CONFIG_CC_IS_GCC=y\n"
    "CONFIG_ARM64=y\n"
    "CONFIG_MODULES=y\n"
    "# CONFIG_MODULE_SIG is not set\n"
    "# CONFIG_STRICT_KERNEL_RWX is not set\n"
    "CONFIG_STACKPROTECTOR=y\n"
    "# CONFIG_STACKPROTECTOR_STRONG is not set\n"
    "# CONFIG_RANDOMIZE_BASE is not set\n"
    "CONFIG_DEVMEM=y\n"
    "# CONFIG_STRICT_DEVMEM is not set\n"
    "CONFIG_KEXEC=y\n"
    "CONFIG_SECCOMP=y\n"
    "CONFIG_SECURITY=y\n"
    "CONFIG_SECURITY_YAMA=y\n";

static const char hardened_config[] = "#\n"
                                      "# Linux/x86 6.1.0 Kernel Configuration\n"
                                      "#\n"
                                      "CONFIG_X86_64=y\n"
                                      "CONFIG_MODULES=y\n"
                                      "CONFIG_MODULE_SIG=y\n"
                                      "CONFIG_MODULE_SIG_FORCE=y\n"
                                      "CONFIG_STRICT_KERNEL_RWX=y\n"
                                      "CONFIG_STACKPROTECTOR=y\n"
                                      "CONFIG_STACKPROTECTOR_STRONG=y\n"
                                      "CONFIG_RANDOMIZE_BASE=y\n"
                                      "# CONFIG_DEVMEM is not set\n"
                                      "# CONFIG_KEXEC is not set\n"
                                      "CONFIG_SECCOMP=y\n"
                                      "CONFIG_HARDENED_USERCOPY=y\n"
                                      "CONFIG_SECURITY_APPARMOR=y\n";

/* Filler: enough CONFIG_ lines to be a configuration, not a fragment. */
static void with_filler(char *out, size_t cap, const char *config)
{
	size_t o = (size_t)snprintf(out, cap, "%s", config);
	for (int i = 0; i < 40 && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "CONFIG_FILLER_%d=y\n", i);
}

static size_t gzip_into(const char *text, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	z.next_in = (Bytef *)(uintptr_t)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

/* A kernel-like image: filler, the banner, IKCFG_ST + gzip + IKCFG_ED. */
static void put_kernel(const char *rel, const char *config, size_t cut)
{
	size_t cap = 512 * 1024;
	uint8_t *img = malloc(cap);
	assert_non_null(img);
	uint32_t x = 12345;
	for (size_t i = 0; i < 300 * 1024; i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)(x >> 24);
	}
	size_t o = 300 * 1024;
	static const char banner[] =
	    "Linux version 5.10.201 (builder@buildhost) (aarch64-openwrt-linux-musl-gcc "
	    "(OpenWrt GCC 12.3.0) 12.3.0, GNU ld (GNU Binutils) 2.40.0) #0 SMP "
	    "Sat Nov 18 15:22:01 2023\n";
	memcpy(img + o, banner, sizeof banner);
	o += sizeof banner;
	char text[8192];
	with_filler(text, sizeof text, config);
	memcpy(img + o, "IKCFG_ST", 8);
	o += 8;
	size_t gz = gzip_into(text, img + o, cap - o - 16);
	if (cut)
		gz = cut; /* a damaged stream */
	o += gz;
	memcpy(img + o, "IKCFG_ED", 8);
	o += 8;
	put_bytes(rel, img, o);
	free(img);
}

static void test_kernel_ikconfig(void **state)
{
	(void)state;
	put_kernel("boot/Image", weak_config, 0);
	iota_scan *s = scan();
	const char *rel = "boot/Image";
	const iota_finding *f = find(s, "kernel.hardening", rel);
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	assert_string_equal(
	    f->evidence, "STRICT_KERNEL_RWX not set; STACKPROTECTOR_STRONG not set; RANDOMIZE_BASE "
	                 "(KASLR) not set; DEVMEM without STRICT_DEVMEM; MODULE_SIG_FORCE not set "
	                 "(unsigned modules load); KEXEC enabled");
	assert_true(f->offset != UINT64_MAX);
	assert_int_equal(count_prefix(s, "kernel."), 1);
	assert_string_equal(attr(s, rel, "kernel.version"), "5.10.201");
	assert_string_equal(attr(s, rel, "kernel.build"), "#0 SMP Sat Nov 18 15:22:01 2023");
	assert_string_equal(attr(s, rel, "kernel.config_version"), "5.10.0");
	assert_string_equal(attr(s, rel, "kernel.config.RANDOMIZE_BASE"), "not set");
	assert_string_equal(attr(s, rel, "kernel.config.SECCOMP"), "y");
	assert_string_equal(attr(s, rel, "kernel.lsm"), "YAMA");
	assert_null(attr(s, rel, "kernel.config_damaged"));
	/* the kernel image is the Linux component, with its banner as evidence */
	const iota_component *k = s->components;
	assert_non_null(k);
	assert_string_equal(k->name, "linux");
	assert_string_equal(k->version, "5.10.201");
	assert_string_equal(k->cpe, "cpe:2.3:o:linux:linux_kernel:5.10.201:*:*:*:*:*:*:*");
	assert_int_equal(k->evidence->method, IOTA_EV_KERNEL);
	assert_int_equal(k->evidence->offset, 300 * 1024);
	assert_null(k->next);
	iota_scan_free(s);
}

static void test_kernel_hardened_and_damaged(void **state)
{
	(void)state;
	put_kernel("boot/Image", hardened_config, 0);
	put_kernel("boot/Image.broken", weak_config, 40);
	iota_scan *s = scan();
	assert_int_equal(count(s, "kernel.hardening", "boot/Image"), 0);
	assert_string_equal(attr(s, "boot/Image", "kernel.lsm"), "APPARMOR");
	/* cut short: what inflated is kept, the damage recorded, no crash */
	assert_string_equal(attr(s, "boot/Image.broken", "kernel.config_damaged"), "yes");
	assert_string_equal(attr(s, "boot/Image.broken", "kernel.version"), "5.10.201");
	iota_scan_free(s);
}

static void test_kconfig_text(void **state)
{
	(void)state;
	char text[8192];
	with_filler(text, sizeof text, weak_config);
	put("boot/config-5.10.0-openwrt", text);
	iota_scan *s = scan();
	const iota_finding *f = find(s, "kernel.hardening", "boot/config-5.10.0-openwrt");
	assert_int_equal(f->offset, UINT64_MAX);
	assert_non_null(strstr(f->message, "KEXEC enabled"));
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_security_txt_signed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_security_txt_problems, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_contact_and_support, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openwrt_banner_contact, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kernel_ikconfig, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kernel_hardened_and_damaged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kconfig_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
