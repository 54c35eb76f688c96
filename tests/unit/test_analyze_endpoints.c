/* Unit tests: the endpoints analyzer (src/analyze/analyze_endpoints.c):
 * URLs, hosts and addresses by protocol in scripts, configuration files,
 * web pages and binaries; clear-text endpoints; TLS checks switched off. */
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

/* A minimal ELF64 executable header followed by NUL-separated strings. */
static void put_elf_strings(const char *rel, const char *const *strs, size_t n)
{
	uint8_t buf[4096] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
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

static const iota_finding *find_ev(iota_scan *s, const char *check, const char *evidence)
{
	for (size_t i = 0; i < s->nfindings; i++)
		if (!strcmp(s->findings[i].check, check) && s->findings[i].evidence &&
		    !strcmp(s->findings[i].evidence, evidence))
			return &s->findings[i];
	fail_msg("no %s finding with evidence %s", check, evidence);
	return NULL;
}

static void test_script(void **state)
{
	(void)state;
	put("etc/init.d/cloud",
	    "#!/bin/sh\n"
	    "# see http://docs.vendorcloud.net/agent for details\n"
	    "SERVER=http://api.vendorcloud.net/v1/report\n"             /* 3 */
	    "curl -sk https://update.vendorcloud.net/check -o /tmp/x\n" /* 4 */
	    "wget --no-check-certificate -q -O /tmp/fw.bin https://dl.vendorcloud.net/fw.bin\n"
	    "curl -k -u admin:secretpass https://x.vendorcloud.net/a\n" /* 6 */
	    "ftpget ftp://files.vendorcloud.net/a.bin\n"                /* 7 */
	    "AGENT_BROKER=tcp://broker.vendorcloud.net:1883\n"          /* 8 */
	    "ntpclient -h 192.168.1.10 -s\n"
	    "wget http://www.example.com/test http://198.51.100.7/x\n"
	    "curl -o /tmp/k https://k.vendorcloud.net/ # -k is not used\n"
	    "echo \"agent manual: http://help.vendorcloud.net/agent\"\n"
	    "\n"
	    "=head1 BUGS\n"
	    "\n"
	    "Report them at L<http://bugs.vendorcloud.net/>.\n"
	    "\n"
	    "=cut\n");
	iota_scan *s = scan();
	const char *rel = "etc/init.d/cloud";
	assert_int_equal(count(s, "net.plaintext-http", rel), 1);
	const iota_finding *f =
	    find_ev(s, "net.plaintext-http", "http://api.vendorcloud.net/v1/report");
	assert_int_equal(f->line, 3);
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	assert_int_equal(f->confidence, 85);
	f = find_ev(s, "net.plaintext-ftp", "ftp://files.vendorcloud.net/a.bin");
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(f->line, 7);
	assert_int_equal(
	    find_ev(s, "net.plaintext-mqtt", "tcp://broker.vendorcloud.net:1883")->line, 8);
	assert_int_equal(count(s, "net.tls-noverify", rel), 3);
	for (size_t i = 0; i < s->nfindings; i++) {
		f = &s->findings[i];
		if (strcmp(f->check, "net.tls-noverify") != 0)
			continue;
		assert_true(f->line == 4 || f->line == 5 || f->line == 6);
		assert_null(strstr(f->evidence, "secretpass")); /* redacted */
	}
	assert_int_equal(count_prefix(s, "net."), 6);
	assert_string_equal(attr(s, rel, "net.url.http"), "http://api.vendorcloud.net/v1/report");
	assert_string_equal(attr(s, rel, "net.url.ftp"), "ftp://files.vendorcloud.net/a.bin");
	assert_string_equal(attr(s, rel, "net.ipv4"), "192.168.1.10");
	assert_non_null(
	    strstr(attr(s, rel, "net.url.https"), "https://update.vendorcloud.net/check"));
	assert_null(strstr(attr(s, rel, "net.url.https"), "admin"));
	iota_scan_free(s);
}

static void test_markup_and_namespaces(void **state)
{
	(void)state;
	/* a UPnP device description: namespaces and the device's own LAN URL */
	put("etc/upnp/rootDesc.xml",
	    "<?xml version=\"1.0\"?>\n"
	    "<root xmlns=\"urn:schemas-upnp-org:device-1-0\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	    "<specVersion><major>1</major><minor>0</minor></specVersion>\n"
	    "<device><manufacturerURL>http://www.vendorsite.com</manufacturerURL>\n"
	    "<presentationURL>http://192.168.1.1/</presentationURL></device>\n"
	    "</root>\n");
	put("www/index.html",
	    "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n"
	    "<!-- http://old.vendorcloud.net/ -->\n"
	    "<a href=\"http://www.vendorsupport.com/help\">help</a>\n"
	    "<script src=\"http://cdn.vendorcloud.net/lib.js\"></script>\n" /* 4 */
	    "</html>\n");
	iota_scan *s = scan();
	/* the page loads a script over HTTP; its link is for the browser's user */
	assert_int_equal(count(s, "net.plaintext-http", "www/index.html"), 1);
	assert_int_equal(find(s, "net.plaintext-http", "www/index.html")->line, 4);
	/* manufacturerURL and presentationURL are for people: recorded, not flagged */
	assert_string_equal(attr(s, "etc/upnp/rootDesc.xml", "net.url.http"),
	                    "http://www.vendorsite.com,http://192.168.1.1/");
	assert_int_equal(count_prefix(s, "net."), 1);
	iota_scan_free(s);
}

static void test_binary_strings(void **state)
{
	(void)state;
	const char *const strs[] = {
	    "http://telemetry.vendorcloud.net/v2/post",
	    "Report bugs to: http://www.openssl.org/support/faq.html",
	    "https://translationproject.org/team/",
	    "http://%s:%d/rootDesc.xml",
	    "8.8.8.8",
	    "1.2.3.4.5",
	    "wget --no-check-certificate -O /tmp/fw %s",
	    "usage: curl [options]",
	};
	put_elf_strings("usr/bin/agent", strs, sizeof strs / sizeof strs[0]);
	iota_scan *s = scan();
	const char *rel = "usr/bin/agent";
	const iota_finding *f = find(s, "net.plaintext-http", rel);
	assert_string_equal(f->evidence, "http://telemetry.vendorcloud.net/v2/post");
	assert_int_equal(f->confidence, 60);
	assert_true(f->offset != UINT64_MAX);
	f = find(s, "net.tls-noverify", rel);
	assert_int_equal(f->confidence, 75);
	assert_string_equal(f->evidence, "wget --no-check-certificate -O /tmp/fw %s");
	assert_int_equal(count_prefix(s, "net."), 2);
	assert_string_equal(attr(s, rel, "net.url.http"),
	                    "http://telemetry.vendorcloud.net/v2/post");
	assert_string_equal(attr(s, rel, "net.url_templates"), "http://%s:%d/rootDesc.xml");
	assert_string_equal(attr(s, rel, "net.ipv4"), "8.8.8.8");
	assert_null(attr(s, rel, "net.url.https"));
	iota_scan_free(s);
}

static void test_api_forms(void **state)
{
	(void)state;
	put("www/cgi-bin/fetch.php", "<?php\n"
	                             "$ch = curl_init($url);\n"
	                             "curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);\n" /* 3 */
	                             "// curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 0);\n"
	                             "curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 2);\n");
	put("usr/lib/agent/report.py", "import requests\n"
	                               "r = requests.post(URL, json=data, verify=False)\n" /* 2 */
	                               "r = requests.get(URL2, verify=True)\n");
	put("usr/lib/agent/index.js",
	    "const agent = new https.Agent({ rejectUnauthorized: false });\n");
	put("etc/yum.repos.d/vendor.repo", "[vendor]\nbaseurl=https://repo.vendorcloud.net/el8\n"
	                                   "sslverify=0\n");
	iota_scan *s = scan();
	assert_int_equal(find(s, "net.tls-noverify", "www/cgi-bin/fetch.php")->line, 3);
	assert_int_equal(count(s, "net.tls-noverify", "www/cgi-bin/fetch.php"), 1);
	assert_int_equal(find(s, "net.tls-noverify", "usr/lib/agent/report.py")->line, 2);
	assert_int_equal(count(s, "net.tls-noverify", "usr/lib/agent/report.py"), 1);
	assert_int_equal(count(s, "net.tls-noverify", "usr/lib/agent/index.js"), 1);
	assert_int_equal(find(s, "net.tls-noverify", "etc/yum.repos.d/vendor.repo")->line, 3);
	assert_int_equal(count_prefix(s, "net."), 4);
	iota_scan_free(s);
}

static void test_mosquitto_bridge(void **state)
{
	(void)state;
	put("etc/mosquitto/conf.d/cloud.conf", "connection cloud\n"
	                                       "address mqtt.vendorcloud.net:1883\n" /* 2 */
	                                       "topic # out 0\n"
	                                       "\n"
	                                       "connection backup\n"
	                                       "address mqtt2.vendorcloud.net:8883\n"
	                                       "bridge_cafile /etc/mosquitto/ca.crt\n");
	iota_scan *s = scan();
	const iota_finding *f = find(s, "net.plaintext-mqtt", "etc/mosquitto/conf.d/cloud.conf");
	assert_int_equal(f->line, 2);
	assert_string_equal(f->evidence, "mqtt://mqtt.vendorcloud.net:1883");
	assert_int_equal(count_prefix(s, "net."), 1);
	iota_scan_free(s);
}

static void test_openssl_client_hint(void **state)
{
	(void)state;
	const char *const noverify[] = {"libssl.so.3", "SSL_connect", "SSL_CTX_new", "SSL_write"};
	const char *const verify[] = {"libssl.so.3", "SSL_connect", "SSL_CTX_new",
	                              "SSL_CTX_set_verify"};
	put_elf_strings("usr/bin/noverify", noverify, 4);
	put_elf_strings("usr/bin/verify", verify, 4);
	iota_scan *s = scan();
	const iota_finding *f = find(s, "net.tls-verify-absent", "usr/bin/noverify");
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	assert_int_equal(f->confidence, 40);
	assert_int_equal(count(s, "net.tls-verify-absent", "usr/bin/verify"), 0);
	iota_scan_free(s);
}

static void test_hosts_and_clean(void **state)
{
	(void)state;
	put("etc/config/system", "config system\n"
	                         "\toption hostname 'OpenWrt'\n"
	                         "\n"
	                         "config timeserver 'ntp'\n"
	                         "\tlist server '0.openwrt.pool.ntp.org'\n"
	                         "\tlist server '1.openwrt.pool.ntp.org'\n"
	                         "\toption enabled '1'\n");
	put("etc/resolv.conf", "nameserver 1.1.1.1\nnameserver 127.0.0.53\n");
	put("etc/init.d/agent", "#!/bin/sh\n"
	                        "# http://wiki.vendorcloud.net/agent explains the options\n"
	                        "curl -fsS https://api.vendorcloud.net/v1 -o /tmp/a\n"
	                        "wget -q -O- http://127.0.0.1:8080/status\n"
	                        "wget -q http://www.example.org/x\n"
	                        "VERSION=1.2.3.4\n"
	                        "ping -c1 203.0.113.9\n");
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "net."), 0);
	assert_string_equal(attr(s, "etc/config/system", "net.host"),
	                    "0.openwrt.pool.ntp.org,1.openwrt.pool.ntp.org");
	assert_string_equal(attr(s, "etc/resolv.conf", "net.ipv4"), "1.1.1.1");
	assert_string_equal(attr(s, "etc/init.d/agent", "net.url.http"),
	                    "http://127.0.0.1:8080/status");
	/* 127.0.0.1 is local, 203.0.113.9 an RFC 5737 example, 1.2.3.4 a version */
	assert_null(attr(s, "etc/init.d/agent", "net.ipv4"));
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_script, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_markup_and_namespaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_binary_strings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mosquitto_bridge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openssl_client_hint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hosts_and_clean, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
