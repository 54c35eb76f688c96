/* Unit tests: the secrets analyzer (src/analyze/analyze_secrets.c) on
 * scripts and configuration files in the syntaxes firmware uses (busybox
 * sh, OpenWrt UCI, hostapd.conf, Lua, JSON, XML) with planted secrets, and
 * on clean controls: variables, placeholders, comments, documentation
 * samples and format strings are not secrets.
 *
 * Token values are made up for the test (random characters of the right
 * alphabet and length); the GitHub token's checksum was computed as GitHub
 * documents it: CRC32 of the 30 random characters, base62, 6 digits
 * (python3: zlib.crc32). The GCP key file carries a private key made at
 * test time with libcrypto. */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/scan.h"
#include "unit.h"

/* ---- helpers ---- */

static char *tree(void)
{
	char tmpl[] = "/tmp/iota-secrets-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void put_n(const char *root, const char *rel, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put(const char *root, const char *rel, const char *text)
{
	put_n(root, rel, text, strlen(text));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rmtree(char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

static iota_scan *scan(const char *root)
{
	iota_options opt;
	iota_options_init(&opt);
	opt.threads = 2;
	iota_scan *s = NULL;
	assert_int_equal(iota_scan_open(&s, &opt), IOTA_OK);
	assert_int_equal(iota_scan_run(s, root), IOTA_OK);
	return s;
}

static bool at(const iota_finding *f, const char *path)
{
	char p[512];
	return f->node && iota_node_inner_path(f->node, p, sizeof p) >= 0 && strcmp(p, path) == 0;
}

static size_t count(const iota_scan *s, const char *prefix, const char *path)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nfindings; i++)
		if (strncmp(s->findings[i].check, prefix, strlen(prefix)) == 0 &&
		    (!path || at(&s->findings[i], path)))
			n++;
	return n;
}

static const iota_finding *find(const iota_scan *s, const char *check, const char *path,
				uint32_t line)
{
	for (size_t i = 0; i < s->nfindings; i++) {
		const iota_finding *f = &s->findings[i];
		if (strcmp(f->check, check) == 0 && at(f, path) && f->line == line)
			return f;
	}
	return NULL;
}

/* The evidence must not hold the secret itself. */
static void redacted(const iota_finding *f, const char *secret)
{
	assert_non_null(f);
	assert_non_null(f->evidence);
	assert_null(strstr(f->evidence, secret));
}

/* ---- tests ---- */

static void test_cloud_keys(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "usr/sbin/upload-logs.sh",
	    "#!/bin/sh\n"
	    "# push logs to the vendor's bucket\n"
	    "export AWS_ACCESS_KEY_ID=AKIAQ3EGJ7MZX4T2WQNP\n"
	    "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzqhRsD7mKa\n"
	    "aws s3 cp /tmp/log s3://vendor-logs/\n");
	/* the key id AWS documents as a sample */
	put(root, "usr/share/aws/sample.conf", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
	put(root, "etc/azure.conf",
	    "StorageConnectionString=DefaultEndpointsProtocol=https;AccountName=vendorlogs;"
	    "AccountKey=UvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaGglfIPk5VlDPk4C47b"
	    "IkprJIoekk6P0K4uGpSSozBfGA==;EndpointSuffix=core.windows.net\n"
	    "IOTHUB=HostName=vendor.azure-devices.net;DeviceId=cam01;"
	    "SharedAccessKey=jLYQkA+eNH+uiG3GUHeV7HRcTD/LLrLHPhSTTIZ+4Fc=\n");

	/* a service-account key file with a real private key */
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk = NULL;
	assert_true(EVP_PKEY_keygen_init(kc) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048) > 0);
	assert_true(EVP_PKEY_keygen(kc, &pk) > 0);
	EVP_PKEY_CTX_free(kc);
	BIO *mem = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(mem, pk, NULL, NULL, 0, NULL, NULL);
	char *pem = NULL;
	long pl = BIO_get_mem_data(mem, &pem);
	char json[8192];
	size_t o = (size_t)snprintf(json, sizeof json,
				    "{\n  \"type\": \"service_account\",\n"
				    "  \"project_id\": \"vendor-cloud\",\n"
				    "  \"private_key_id\": \"3f9c0a7b2e8d41c6a5b9e0f1d2c3b4a5968778a6\",\n"
				    "  \"private_key\": \"");
	for (long i = 0; i < pl && o + 4 < sizeof json; i++) {
		if (pem[i] == '\n') {
			json[o++] = '\\';
			json[o++] = 'n';
		} else {
			json[o++] = pem[i];
		}
	}
	o += (size_t)snprintf(json + o, sizeof json - o,
			      "\",\n  \"client_email\": \"uploader@vendor-cloud.iam.gserviceaccount.com\"\n}\n");
	put_n(root, "etc/gcp/credentials.json", json, o);
	BIO_free(mem);
	EVP_PKEY_free(pk);

	iota_scan *s = scan(root);
	const iota_finding *f = find(s, "secret.aws-access-key", "usr/sbin/upload-logs.sh", 3);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	redacted(f, "Q3EGJ7MZX4T2");
	redacted(f, "wJalrXUtnFEMI");
	/* the secret's own line is not reported again as a generic token */
	assert_int_equal(count(s, "secret.", "usr/sbin/upload-logs.sh"), 1);
	assert_int_equal(count(s, "secret.", "usr/share/aws/sample.conf"), 0);

	f = find(s, "secret.azure-key", "etc/azure.conf", 1);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	redacted(f, "UvImZaYMEtKJGF2V");
	assert_non_null(find(s, "secret.azure-key", "etc/azure.conf", 2));
	assert_int_equal(count(s, "secret.", "etc/azure.conf"), 2);

	f = find(s, "secret.gcp-service-account", "etc/gcp/credentials.json", 4);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	assert_int_equal(count(s, "secret.", "etc/gcp/credentials.json"), 1);
	/* and the key analyzer sees the key inside the JSON string */
	assert_int_equal(count(s, "key.private-key", "etc/gcp/credentials.json"), 1);
	iota_scan_free(s);
	rmtree(root);
}

static void test_tokens(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "etc/ci.env",
	    "GH_TOKEN=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\n"   /* valid checksum */
	    "OLD_TOKEN=ghp_Zq7R2mXk9VbT4wLp1NcYs8HdJf3Ga61Q6jgh\n"  /* checksum wrong */
	    "SLACK=xoxb-2740298733-8317427382-Kq9Tz2Lm7Xv4Rb8Nw3Yp5Hd1\n"
	    "MAPS=AIzaSyD3k9Lq2Zx7Vb4Nm8Pw1Rt6Yh0Jc5Gf2Ks\n"
	    "HOOK=https://hooks.slack.com/services/T01ABCD2EFG/B02HIJK3LMN/"
	    "Qw8Er7Ty6Ui5Op4As3Df2Gh1\n"
	    "MAPS2=AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n");
	iota_scan *s = scan(root);
	const iota_finding *f = find(s, "secret.token", "etc/ci.env", 1);
	assert_non_null(f);
	redacted(f, "Zq7R2mXk9VbT4");
	assert_null(find(s, "secret.token", "etc/ci.env", 2));
	assert_non_null(find(s, "secret.token", "etc/ci.env", 3));
	assert_non_null(find(s, "secret.token", "etc/ci.env", 4));
	assert_non_null(find(s, "secret.token", "etc/ci.env", 5));
	assert_int_equal(count(s, "secret.", "etc/ci.env"), 4);
	iota_scan_free(s);
	rmtree(root);
}

/* Passwords in the configuration syntaxes of an OpenWrt/busybox image. */
static void test_assignments(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "etc/init.d/mqtt-bridge",
	    "#!/bin/sh /etc/rc.common\n"
	    "START=99\n"
	    "# password=changeme\n"                        /* 3: comment */
	    "MQTT_USER=device\n"
	    "MQTT_PASSWORD=\"Xk9qmP2vL7wz\"\n"              /* 5 */
	    "ADMIN_PASS=admin123\n"                        /* 6: a known default */
	    "DB_PASSWORD=$PASS\n"                          /* 7: a variable */
	    "API_TOKEN=\"%s\"\n"                           /* 8: a format */
	    "SECRET=xxxxxxxx\n"                            /* 9: a placeholder */
	    "mosquitto_pub -h broker -u $MQTT_USER --password 'Qz8!rT2#wP' -t t -m m\n"); /* 10 */
	put(root, "etc/config/wireless",
	    "config wifi-iface 'default_radio0'\n"
	    "\toption device 'radio0'\n"
	    "\toption mode 'ap'\n"
	    "\toption ssid 'OpenWrt'\n"
	    "\toption encryption 'psk2'\n"
	    "\toption key 'Sup3rS3cretWifi'\n");          /* 6 */
	put(root, "etc/hostapd.conf",
	    "interface=wlan0\nssid=Camera-Setup\nwpa=2\nwpa_passphrase=12345678\n");
	put(root, "www/cgi-bin/login.lua",
	    "local password = luci.http.formvalue(\"password\")\n" /* an expression */
	    "local api_token = \"f3a9c2d18b7e4a6f9d0c1b2a3e4f5d6c\"\n" /* 2 */
	    "-- password = \"hunter2x\"\n"
	    "local cam = \"rtsp://admin:12345@192.168.1.10:554/stream\"\n"); /* 4 */
	put(root, "etc/app/config.json",
	    "{\n  \"cloud\": {\n    \"username\": \"device\",\n"
	    "    \"password\": \"Vq4#tZ9pLm2x\",\n"            /* 4 */
	    "    \"token\": null\n  }\n}\n");
	put(root, "etc/app/users.xml",
	    "<?xml version=\"1.0\"?>\n<users>\n"
	    "  <!-- <password>notThis1</password> -->\n"
	    "  <user><name>admin</name><password>p4ssW0rdXy!</password></user>\n" /* 4 */
	    "</users>\n");
	put(root, "etc/app/basic.conf",
	    "header=Authorization: Basic YWRtaW46YWRtaW4=\n"   /* admin:admin */
	    "curl -s -u admin:Zte521 http://127.0.0.1/api\n");
	iota_scan *s = scan(root);

	const iota_finding *f =
		find(s, "secret.hardcoded-password", "etc/init.d/mqtt-bridge", 5);
	redacted(f, "Xk9qmP2vL7wz");
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	f = find(s, "secret.hardcoded-password", "etc/init.d/mqtt-bridge", 6);
	redacted(f, "admin123");
	assert_int_equal(f->confidence, 90);
	assert_non_null(find(s, "secret.hardcoded-password", "etc/init.d/mqtt-bridge", 10));
	assert_int_equal(count(s, "secret.", "etc/init.d/mqtt-bridge"), 3);

	redacted(find(s, "secret.wifi-psk", "etc/config/wireless", 6), "Sup3rS3cretWifi");
	assert_int_equal(count(s, "secret.", "etc/config/wireless"), 1);
	redacted(find(s, "secret.wifi-psk", "etc/hostapd.conf", 4), "12345678");
	assert_int_equal(count(s, "secret.", "etc/hostapd.conf"), 1);

	assert_non_null(find(s, "secret.hardcoded-token", "www/cgi-bin/login.lua", 2));
	redacted(find(s, "secret.url-credentials", "www/cgi-bin/login.lua", 4), "12345@");
	assert_int_equal(count(s, "secret.", "www/cgi-bin/login.lua"), 2);

	redacted(find(s, "secret.hardcoded-password", "etc/app/config.json", 4), "Vq4#tZ9pLm2x");
	assert_int_equal(count(s, "secret.", "etc/app/config.json"), 1);
	redacted(find(s, "secret.hardcoded-password", "etc/app/users.xml", 4), "p4ssW0rdXy!");
	assert_int_equal(count(s, "secret.", "etc/app/users.xml"), 1);

	f = find(s, "secret.basic-auth", "etc/app/basic.conf", 1);
	redacted(f, "YWRtaW46YWRtaW4");
	assert_non_null(strstr(f->evidence, "admin:"));
	redacted(find(s, "secret.basic-auth", "etc/app/basic.conf", 2), "Zte521");
	assert_int_equal(count(s, "secret.", "etc/app/basic.conf"), 2);
	assert_int_equal(count(s, "secret.", NULL), 11);
	iota_scan_free(s);
	rmtree(root);
}

/* Binaries: URL credentials yes, format strings and assignments no. */
static void test_binaries_and_docs(void **state)
{
	(void)state;
	char *root = tree();
	static const char bin[] = "\177ELF\002\001\001\0\0\0\0\0"
				  "ftp://admin:admin@%s/upload\0"
				  "password=%s\0"
				  "%s://%s:%s@%s\0"
				  "rtsp://%s:%s@%s:554/\0"
				  "wpa_passphrase=%s\n\0";
	put_n(root, "usr/bin/camd", bin, sizeof bin);
	put(root, "usr/share/doc/app/README",
	    "Log in with password=Adm1nPass! and token=3f9c0a7b2e8d41c6a5b9\n"
	    "https://user:Secr3t!@host.example/\n");
	put(root, "etc/doc.html",
	    "<p>Example: <code>https://admin:Pa55w0rd@host/</code></p>\n");
	iota_scan *s = scan(root);
	const iota_finding *f = NULL;
	for (size_t i = 0; i < s->nfindings; i++)
		if (strcmp(s->findings[i].check, "secret.url-credentials") == 0 &&
		    at(&s->findings[i], "usr/bin/camd"))
			f = &s->findings[i];
	assert_non_null(f);
	assert_int_equal(f->line, 0);
	assert_int_equal(f->offset, 12);
	assert_int_equal(count(s, "secret.", "usr/bin/camd"), 1);
	assert_int_equal(count(s, "secret.", "usr/share/doc/app/README"), 0);
	assert_int_equal(count(s, "secret.", "etc/doc.html"), 0);
	iota_scan_free(s);
	rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cloud_keys),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_assignments),
		cmocka_unit_test(test_binaries_and_docs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
