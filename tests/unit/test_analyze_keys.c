/* Unit tests: the keys analyzer (src/analyze/analyze_keys.c). Keys are made
 * at test time by the real tools (openssl 3, ssh-keygen, dropbearkey) or,
 * for certificates with chosen dates and digests, by libcrypto itself; the
 * CA bundle is the system's own /etc/ssl/certs/ca-certificates.crt, copied
 * into the tree. A missing tool skips its test. */
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
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/scan.h"
#include "unit.h"

/* ---- helpers ---- */

static char *tree(void)
{
	char tmpl[] = "/tmp/iota-keys-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void mkparents(const char *root, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
}

static void put(const char *root, const char *rel, const void *data, size_t len)
{
	char path[4096];
	mkparents(root, rel);
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
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

static bool have(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Runs a shell command in root; fails the test if it fails. */
static void sh(const char *root, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sh(const char *root, const char *fmt, ...)
{
	char cmd[2048], full[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	snprintf(full, sizeof full, "cd '%s' && (%s) >/dev/null 2>&1", root, cmd);
	assert_int_equal(system(full), 0);
}

/* First line of a command's output. */
static void capture(const char *root, const char *cmd, char *out, size_t cap)
{
	char full[4096];
	snprintf(full, sizeof full, "cd '%s' && %s 2>/dev/null", root, cmd);
	FILE *p = popen(full, "r");
	assert_non_null(p);
	out[0] = '\0';
	assert_non_null(fgets(out, (int)cap, p));
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
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

static const iota_finding *find(const iota_scan *s, const char *check, const char *path)
{
	for (size_t i = 0; i < s->nfindings; i++)
		if (strcmp(s->findings[i].check, check) == 0 && at(&s->findings[i], path))
			return &s->findings[i];
	return NULL;
}

static iota_node *node(iota_scan *s, const char *path)
{
	iota_node *n = s->root;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c && n;
	     c = strtok_r(NULL, "/", &save))
		n = iota_vfs_child(s, n, c, strlen(c));
	return n;
}

/* Hex SHA-256 of the SubjectPublicKeyInfo of the key in a PEM file. */
static void spki_of_pem(const char *root, const char *rel, char out[65])
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(pk);
	unsigned char *der = NULL, md[32];
	int len = i2d_PUBKEY(pk, &der);
	unsigned int ml = 32;
	assert_true(len > 0);
	EVP_Digest(der, (size_t)len, md, &ml, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
}

static EVP_PKEY *keygen(const char *alg, int bits)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *pk = NULL;
	assert_non_null(ctx);
	assert_true(EVP_PKEY_keygen_init(ctx) > 0);
	if (bits)
		assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) > 0);
	else
		assert_true(EVP_PKEY_CTX_set_group_name(ctx, "prime256v1") > 0);
	assert_true(EVP_PKEY_keygen(ctx, &pk) > 0);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* A certificate for key, issued by (issuer, ikey) or self-signed, valid
 * from now+from_days to now+to_days, signed with md. */
static X509 *cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, long from_days,
		  long to_days, const EVP_MD *md, bool ca)
{
	X509 *x = X509_new();
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_set_pubkey(x, key);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : nm);
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext =
		X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, ikey ? ikey : key, md) > 0);
	return x;
}

static void write_pem_certs(const char *root, const char *rel, X509 *a, X509 *b)
{
	char path[4096];
	mkparents(root, rel);
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	PEM_write_X509(f, a);
	if (b)
		PEM_write_X509(f, b);
	fclose(f);
}

/* ---- tests ---- */

/* Keys as the tools write them: a 1024-bit RSA key (PKCS#8 PEM), an
 * encrypted legacy PEM, an OpenSSH Ed25519 host key, a self-signed
 * certificate and a PKCS#12 file with an empty password. */
static void test_openssl_and_openssh(void **state)
{
	(void)state;
	if (!have("openssl") || !have("ssh-keygen"))
		skip();
	char *root = tree();
	mkparents(root, "etc/ssl/private/x");
	mkparents(root, "etc/ssh/x");
	sh(root, "openssl genrsa -out etc/ssl/private/server.key 1024");
	sh(root, "openssl genrsa -traditional -aes128 -passout pass:s3cret "
		 "-out etc/ssl/private/legacy.key 2048");
	sh(root, "openssl req -x509 -new -key etc/ssl/private/server.key -subj /CN=router.local "
		 "-days 365 -sha256 -out etc/ssl/router.crt");
	sh(root, "openssl pkcs12 -export -inkey etc/ssl/private/server.key -in etc/ssl/router.crt "
		 "-passout pass: -out etc/ssl/device.p12");
	sh(root, "ssh-keygen -q -t ed25519 -N '' -C '' -f etc/ssh/ssh_host_ed25519_key");
	char spki[65], fp[128];
	spki_of_pem(root, "etc/ssl/private/server.key", spki);
	capture(root, "ssh-keygen -lf etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f2", fp,
		sizeof fp);

	iota_scan *s = scan(root);
	const iota_finding *f = find(s, "key.private-key", "etc/ssl/private/server.key");
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 1);
	assert_non_null(strstr(f->evidence, "rsa 1024-bit"));
	assert_non_null(strstr(f->evidence, spki)); /* the fingerprint openssl computes */
	assert_null(strstr(f->evidence, "MII"));     /* no key material */
	f = find(s, "key.weak-key", "etc/ssl/private/server.key");
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(count(s, "key.", "etc/ssl/private/server.key"), 2);

	f = find(s, "key.private-key", "etc/ssl/private/legacy.key");
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM); /* encrypted */
	assert_non_null(strstr(f->evidence, "encrypted"));
	assert_int_equal(count(s, "key.", "etc/ssl/private/legacy.key"), 1);

	f = find(s, "key.cert-self-signed", "etc/ssl/router.crt");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "CN=router.local"));
	assert_non_null(find(s, "key.cert-weak-key", "etc/ssl/router.crt"));
	assert_int_equal(count(s, "key.", "etc/ssl/router.crt"), 2);
	iota_node *crt = node(s, "etc/ssl/router.crt");
	assert_string_equal(iota_node_attr_get(crt, "key.0.subject"), "CN=router.local");
	assert_non_null(iota_node_attr_get(crt, "key.0.not_after"));

	f = find(s, "key.private-key", "etc/ssl/device.p12");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "PKCS#12, empty password"));
	assert_non_null(strstr(f->evidence, spki));
	assert_int_equal(count(s, "key.", "etc/ssl/device.p12"), 4); /* key, weak, cert x2 */

	f = find(s, "key.private-key", "etc/ssh/ssh_host_ed25519_key");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "ed25519 256-bit private key (OpenSSH)"));
	assert_int_equal(count(s, "key.", "etc/ssh/ssh_host_ed25519_key"), 1);
	assert_string_equal(iota_node_attr_get(node(s, "etc/ssh/ssh_host_ed25519_key"),
					       "key.0.ssh_fingerprint"),
			    fp); /* the fingerprint ssh-keygen -l prints */
	assert_int_equal(count(s, "key.", "etc/ssh/ssh_host_ed25519_key.pub"), 0);
	iota_scan_free(s);
	rmtree(root);
}

/* Dropbear's own key format, detected by structure. */
static void test_dropbear(void **state)
{
	(void)state;
	if (!have("dropbearkey"))
		skip();
	char *root = tree();
	mkparents(root, "etc/dropbear/x");
	sh(root, "dropbearkey -t rsa -s 1024 -f etc/dropbear/dropbear_rsa_host_key");
	sh(root, "dropbearkey -t ed25519 -f etc/dropbear/dropbear_ed25519_host_key");
	sh(root, "dropbearkey -t ecdsa -s 256 -f etc/dropbear/dropbear_ecdsa_host_key");
	char fp_rsa[128], fp_ed[128];
	capture(root, "dropbearkey -y -f etc/dropbear/dropbear_rsa_host_key | sed -n 's/^Fingerprint: //p'",
		fp_rsa, sizeof fp_rsa);
	capture(root,
		"dropbearkey -y -f etc/dropbear/dropbear_ed25519_host_key | sed -n 's/^Fingerprint: //p'",
		fp_ed, sizeof fp_ed);

	iota_scan *s = scan(root);
	const iota_finding *f = find(s, "key.private-key", "etc/dropbear/dropbear_rsa_host_key");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "rsa 1024-bit private key (dropbear)"));
	assert_int_equal(f->offset, 0);
	assert_non_null(find(s, "key.weak-key", "etc/dropbear/dropbear_rsa_host_key"));
	assert_string_equal(iota_node_attr_get(node(s, "etc/dropbear/dropbear_rsa_host_key"),
					       "key.0.ssh_fingerprint"),
			    fp_rsa);
	f = find(s, "key.private-key", "etc/dropbear/dropbear_ed25519_host_key");
	assert_non_null(f);
	assert_string_equal(iota_node_attr_get(node(s, "etc/dropbear/dropbear_ed25519_host_key"),
					       "key.0.ssh_fingerprint"),
			    fp_ed);
	f = find(s, "key.private-key", "etc/dropbear/dropbear_ecdsa_host_key");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "ec 256-bit"));
	assert_int_equal(count(s, "key.", NULL), 4);
	iota_scan_free(s);
	rmtree(root);
}

/* Certificates with chosen defects, in PEM and as DER inside a binary. */
static void test_certificates(void **state)
{
	(void)state;
	char *root = tree();
	EVP_PKEY *cakey = keygen("EC", 0), *leafkey = keygen("RSA", 2048);
	X509 *ca = cert(cakey, "Vendor Root CA", NULL, NULL, -3650, 3650, EVP_sha256(), true);
	/* expired yesterday, signed with SHA-1 */
	X509 *old = cert(leafkey, "cloud.vendor.example", ca, cakey, -400, -1, EVP_sha1(), false);
	/* fine: CA-signed, SHA-256, 2048 bits, valid for a year */
	X509 *good = cert(leafkey, "api.vendor.test", ca, cakey, -1, 365, EVP_sha256(), false);
	write_pem_certs(root, "etc/ssl/chain.pem", old, ca);
	write_pem_certs(root, "etc/ssl/good.pem", good, NULL);

	/* the expired certificate's DER inside a binary, after some code */
	unsigned char *der = NULL;
	int dl = i2d_X509(old, &der);
	assert_true(dl > 0);
	unsigned char bin[8192];
	memset(bin, 0, sizeof bin);
	memcpy(bin, "\177ELF\002\001\001", 7);
	memcpy(bin + 1000, der, (size_t)dl);
	put(root, "usr/lib/libcloud.so", bin, 1000 + (size_t)dl + 500);
	OPENSSL_free(der);

	iota_scan *s = scan(root);
	const iota_finding *f = find(s, "key.cert-expired", "etc/ssl/chain.pem");
	assert_non_null(f);
	assert_int_equal(f->line, 1);
	assert_non_null(strstr(f->message, "CN=cloud.vendor.example"));
	f = find(s, "key.cert-weak-signature", "etc/ssl/chain.pem");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "SHA1"));
	/* the root at the end of the chain is self-signed by nature */
	assert_int_equal(count(s, "key.", "etc/ssl/chain.pem"), 2);

	f = find(s, "key.cert-expired", "usr/lib/libcloud.so");
	assert_non_null(f);
	assert_int_equal(f->offset, 1000);
	assert_int_equal(f->line, 0);
	assert_non_null(find(s, "key.cert-weak-signature", "usr/lib/libcloud.so"));
	assert_int_equal(count(s, "key.", "usr/lib/libcloud.so"), 2);

	assert_int_equal(count(s, "key.", "etc/ssl/good.pem"), 0); /* clean control */
	assert_string_equal(iota_node_attr_get(node(s, "etc/ssl/good.pem"), "key.0.kind"),
			    "certificate");
	assert_int_equal(count(s, "key.", NULL), 4);
	iota_scan_free(s);
	X509_free(ca);
	X509_free(old);
	X509_free(good);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(leafkey);
	rmtree(root);
}

/* A DER private key in a binary; PEM quoted in C source. */
static void test_embedded_keys(void **state)
{
	(void)state;
	char *root = tree();
	EVP_PKEY *pk = keygen("RSA", 1024);
	unsigned char *der = NULL;
	int dl = i2d_PrivateKey(pk, &der); /* PKCS#1 RSAPrivateKey */
	assert_true(dl > 0);
	unsigned char bin[4096];
	memset(bin, 0xcc, sizeof bin);
	memcpy(bin, "\177ELF\001\001\001\0", 8);
	memcpy(bin + 2048, der, (size_t)dl);
	put(root, "usr/sbin/httpd", bin, sizeof bin);
	OPENSSL_free(der);

	BIO *mem = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(mem, pk, NULL, NULL, 0, NULL, NULL);
	char *pem = NULL;
	long pl = BIO_get_mem_data(mem, &pem);
	char src[8192];
	size_t o = (size_t)snprintf(src, sizeof src, "static const char key[] =\n\t\"");
	for (long i = 0; i < pl && o + 8 < sizeof src; i++) {
		if (pem[i] == '\n') {
			o += (size_t)snprintf(src + o, sizeof src - o, "\\n\"\n\t\"");
		} else {
			src[o++] = pem[i];
		}
	}
	o += (size_t)snprintf(src + o, sizeof src - o, "\";\n");
	put(root, "src/key.c", src, o);
	BIO_free(mem);

	iota_scan *s = scan(root);
	const iota_finding *f = find(s, "key.private-key", "usr/sbin/httpd");
	assert_non_null(f);
	assert_int_equal(f->offset, 2048);
	assert_non_null(strstr(f->evidence, "rsa 1024-bit private key (DER)"));
	f = find(s, "key.private-key", "src/key.c");
	assert_non_null(f);
	assert_int_equal(f->line, 2);
	assert_int_equal(count(s, "key.private-key", NULL), 2);
	iota_scan_free(s);
	EVP_PKEY_free(pk);
	rmtree(root);
}

/* Clean controls: the system CA bundle (in the trust store and copied
 * elsewhere), single trust-store certificates, PEM-like strings that are
 * not keys. */
static void test_bundles_and_noise(void **state)
{
	(void)state;
	const char *bundle = "/etc/ssl/certs/ca-certificates.crt";
	if (access(bundle, R_OK) != 0)
		skip();
	char *root = tree();
	mkparents(root, "etc/ssl/certs/x");
	mkparents(root, "opt/vendor/x");
	mkparents(root, "usr/share/ca-certificates/mozilla/x");
	sh(root, "cp %s etc/ssl/certs/ca-certificates.crt && cp %s opt/vendor/trust.pem", bundle,
	   bundle);
	sh(root, "n=0; for f in /usr/share/ca-certificates/mozilla/*.crt; do "
		 "cp \"$f\" usr/share/ca-certificates/mozilla/; n=$((n+1)); [ $n -ge 5 ] && break; "
		 "done; true");
	static const char noise[] =
		"fmt: -----BEGIN %s-----\n"
		"-----BEGIN RSA PRIVATE KEY-----\nnot base64 at all\n-----END RSA PRIVATE KEY-----\n"
		"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
	put(root, "usr/lib/libssl-ish.so", noise, sizeof noise - 1);

	iota_scan *s = scan(root);
	assert_int_equal(count(s, "key.", NULL), 0);
	const char *a = iota_node_attr_get(node(s, "etc/ssl/certs/ca-certificates.crt"),
					   "key.ca_bundle");
	assert_non_null(a);
	assert_true(strtoul(a, NULL, 10) > 50);
	assert_non_null(iota_node_attr_get(node(s, "opt/vendor/trust.pem"), "key.ca_bundle"));
	iota_scan_free(s);
	rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_and_openssh),
		cmocka_unit_test(test_dropbear),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_embedded_keys),
		cmocka_unit_test(test_bundles_and_noise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
