/* Unit tests: the credentials analyzer (src/analyze/analyze_cred.c) on
 * account databases with planted weaknesses, written to a temporary
 * directory and scanned through the public API.
 *
 * The hashes are real crypt(3) strings made with the tools named beside
 * each one (openssl 3.0, mkpasswd from Debian's whois 5.5, Python 3.11's
 * crypt module, all over libxcrypt 4.4) and pasted here, so the test does
 * not depend on those tools. */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/data.h"
#include "core/scan.h"
#include "unit.h"

/* openssl passwd -1 -salt Q7wPz3Lk admin */
#define MD5_ADMIN "$1$Q7wPz3Lk$BEX3CmcQAeCQtgBKIJp2r."
/* openssl passwd -1 -salt Hk2Lm9Pq support */
#define MD5_SUPPORT "$1$Hk2Lm9Pq$o3zL549GyMaLmf10JOijn0"
/* mkpasswd -m sha-512 -S Ab3dEf6hIj9kLm2n vizxv */
#define SHA512_VIZXV                                                                               \
	"$6$Ab3dEf6hIj9kLm2n$k68Yjm9UYtp6K4cQ5LHsraTlpcakIVcueCVy4IZ2.PdnZzaZDNIU.r5F9dEjB5UdvjHSw" \
	"c0A6S/WorZ/f.RRu0"
/* mkpasswd -m descrypt -S ab hello12 */
#define DES_HELLO "abZnE9Dpo/gvs"
/* python3 -c "import crypt; print(crypt.crypt('', '$5$Zx9Yw8Vu7Ts6Rq5P'))" */
#define SHA256_EMPTY "$5$Zx9Yw8Vu7Ts6Rq5P$Tt7b7vfligYSTHdE/M2R6nBrlkXaPhWWsWWbzeGBO81"
/* mkpasswd -m <method> XelyrQgn8lVQwm3/vjVDRjz5OS371JRw (24 random bytes, base64) */
#define R_YESCRYPT "$y$j9T$yB.HiKyQx4K0IxI99G4ca.$7tI..FBc3bYf.xx1eGTXC1/V//uiJjVNlTnqyt.fLmC"
#define R_GOST "$gy$j9T$R5aJUjRwKB5KskKG8JuE1/$kmexs30f38kcqHJvd4lA0uxwh3CCuTyGp.fnla7wqOC"
#define R_SCRYPT "$7$CU..../....pWYBr5Oc/dAtgFS//OxjC0$8FJxjs6SJlt03tcuCSl/.4oPkLtfrq9PV.1EslwkUwB"
/* mkpasswd -m scrypt <another 24 random bytes, base64> */
#define R_SCRYPT2 "$7$CU..../....KwpXIVNdhKdEgTfowSxAV1$lu.Zj6W.LD0OUvk86.bWlgnq48RZS1JjnupSbEM9s21"
#define R_SUNMD5 "$md5,rounds=37256$kw8sqlIA$$2BeLSClGl8/CyEIiu.HYQ."
#define R_BSDI "_J9..Pxxs75vH0huyoyk"
#define R_NT "$3$$bde041fbc63715f512c51cb9e1a4d4f0"
#define R_SHA256 "$5$pl0rIrjyGNF..PjQ$r.vRaE1EOODX4JCY5OoL3EvrBbLz9ri/oT8StV9SpvA"
#define R_BCRYPT5 "$2b$05$EaMyn8MBi0stjDbl02d9A.MF15wGA0G0vN59WPpTVXFWyM/kFXUki"
#define R_BCRYPT15 "$2b$15$4S/KKlnShKImr04Ot8wdpuBk4dIgBHftEb/EBS4oAXl/UbIxsa1ZG"
/* openssl passwd -1 -salt Rt5Yu7Io XelyrQgn8lVQwm3/vjVDRjz5OS371JRw */
#define R_MD5 "$1$Rt5Yu7Io$gOewf/vmwTFOoQZ/qdhaY/"

/* ---- helpers ---- */

static char *tree(void)
{
	char tmpl[] = "/tmp/iota-cred-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void put(const char *root, const char *rel, const char *content)
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
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
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

/* Findings whose check starts with prefix (and, if path, on that file). */
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

/* ---- tests ---- */

/* A busybox-style image: a UID 0 backdoor, an empty password, a DES hash in
 * passwd, Mirai-list passwords behind md5crypt and sha512crypt, a user
 * whose password is its name, one hash for two accounts, an empty-password
 * hash. */
static void test_accounts(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "etc/passwd",
	    "root:x:0:0:root:/root:/bin/ash\n"
	    "daemon:*:1:1:daemon:/var:/bin/false\n"
	    "toor:x:0:0:backdoor:/root:/bin/ash\n"
	    "guest::1000:1000:guest:/home/guest:/bin/ash\n"
	    "old:" DES_HELLO ":1001:1001:legacy:/home/old:/bin/ash\n"
	    "nobody:*:65534:65534:nobody:/var:/bin/false\n");
	put(root, "etc/shadow",
	    "root:" MD5_ADMIN ":19000:0:99999:7:::\n"
	    "daemon:*:19000:0:99999:7:::\n"
	    "toor:" SHA512_VIZXV ":19000:0:99999:7:::\n"
	    "admin:" MD5_ADMIN ":19000:0:99999:7:::\n"
	    "support:" MD5_SUPPORT ":19000:0:99999:7:::\n"
	    "blank:" SHA256_EMPTY ":19000:0:99999:7:::\n"
	    "nopw::19000:0:99999:7:::\n"
	    "nobody:*:19000:0:99999:7:::\n");
	iota_scan *s = scan(root);

	/* passwd */
	const iota_finding *f = find(s, "cred.empty-password", "etc/passwd", 4);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	assert_non_null(find(s, "cred.hash-in-passwd", "etc/passwd", 5));
	f = find(s, "cred.weak-hash", "etc/passwd", 5);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_null(strstr(f->evidence, "ZnE9")); /* the digest is never shown */
	f = find(s, "cred.extra-uid0", "etc/passwd", 3);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(count(s, "cred.", "etc/passwd"), 4);

	/* shadow */
	f = find(s, "cred.default-password", "etc/shadow", 1);
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	assert_int_equal(f->confidence, 100);
	assert_non_null(strstr(f->evidence, "root"));
	assert_null(strstr(f->evidence, "admin")); /* the password is redacted */
	assert_non_null(find(s, "cred.default-password", "etc/shadow", 3)); /* vizxv */
	assert_non_null(find(s, "cred.default-password", "etc/shadow", 4)); /* admin/admin */
	assert_non_null(find(s, "cred.default-password", "etc/shadow", 5)); /* support/support */
	assert_non_null(find(s, "cred.weak-hash", "etc/shadow", 1));
	assert_non_null(find(s, "cred.weak-hash", "etc/shadow", 4));
	assert_non_null(find(s, "cred.weak-hash", "etc/shadow", 5));
	assert_non_null(find(s, "cred.empty-password", "etc/shadow", 6)); /* hash of "" */
	assert_non_null(find(s, "cred.empty-password", "etc/shadow", 7)); /* empty field */
	f = find(s, "cred.shared-hash", "etc/shadow", 0);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "admin,root"));
	assert_int_equal(count(s, "cred.default-password", NULL), 4);
	assert_int_equal(count(s, "cred.weak-hash", NULL), 4);
	assert_int_equal(count(s, "cred.empty-password", NULL), 3);
	assert_int_equal(count(s, "cred.shared-hash", NULL), 1);
	assert_int_equal(count(s, "cred.", NULL), 14);

	iota_node *sh = node(s, "etc/shadow");
	assert_non_null(sh);
	assert_string_equal(iota_node_attr_get(sh, "cred.format"), "shadow");
	assert_string_equal(iota_node_attr_get(sh, "cred.locked"), "daemon,nobody");
	assert_string_equal(iota_node_attr_get(sh, "cred.root.hash_type"), "md5crypt");
	assert_string_equal(iota_node_attr_get(sh, "cred.toor.hash_type"), "sha512crypt");
	assert_int_equal(strlen(iota_node_attr_get(sh, "cred.root.hash_sha256")), 64);
	assert_string_equal(iota_node_attr_get(sh, "cred.root.dictionary"), "matched");
	iota_scan_free(s);
	rmtree(root);
}

/* Clean control: locked and disabled accounts and a yescrypt hash of a
 * random password give no finding; the partial dictionary check is
 * recorded. */
static void test_clean(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "etc/passwd",
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
	    "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
	    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	put(root, "etc/shadow",
	    "root:" R_YESCRYPT ":19700:0:99999:7:::\n"
	    "daemon:*:19700:0:99999:7:::\n"
	    "bin:!:19700:0:99999:7:::\n"
	    "backup:!" SHA512_VIZXV ":19700:0:99999:7:::\n"
	    "nobody:!!:19700:0:99999:7:::\n");
	put(root, "etc/group", "root:x:0:\ndaemon:x:1:\nsudo:x:27:\nusers:x:100:\n");
	put(root, "etc/gshadow", "root:*::\ndaemon:*::\nsudo:*::\n");
	iota_scan *s = scan(root);
	assert_int_equal(count(s, "cred.", NULL), 0);
	iota_node *sh = node(s, "etc/shadow");
	assert_non_null(sh);
	assert_string_equal(iota_node_attr_get(sh, "cred.locked"), "daemon,bin,backup,nobody");
	assert_string_equal(iota_node_attr_get(sh, "cred.root.hash_type"), "yescrypt");
	const char *d = iota_node_attr_get(sh, "cred.root.dictionary");
	assert_non_null(d);
	assert_non_null(strstr(d, "no match in the first"));
	assert_string_equal(iota_node_attr_get(node(s, "etc/group"), "cred.format"), "group");
	assert_string_equal(iota_node_attr_get(node(s, "etc/gshadow"), "cred.format"), "gshadow");
	iota_scan_free(s);
	rmtree(root);
}

/* Every scheme is named; DES/BSDi/NT/MD5 are weak; hashes too costly for
 * the budget are said to be unchecked, deterministically. */
static void test_hash_types(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "etc/shadow",
	    "t_des:" DES_HELLO ":19000::::::\n"         /* 1 */
	    "t_bsdi:" R_BSDI ":19000::::::\n"           /* 2 */
	    "t_nt:" R_NT ":19000::::::\n"               /* 3 */
	    "t_md5:" R_MD5 ":19000::::::\n"             /* 4 */
	    "t_sha256:" R_SHA256 ":19000::::::\n"       /* 5 */
	    "t_bcrypt5:" R_BCRYPT5 ":19000::::::\n"     /* 6 */
	    "t_yescrypt:" R_YESCRYPT ":19000::::::\n"   /* 7 */
	    "t_gost:" R_GOST ":19000::::::\n"           /* 8 */
	    "t_scrypt:" R_SCRYPT ":19000::::::\n"       /* 9 */
	    "t_bcrypt15:" R_BCRYPT15 ":19000::::::\n"   /* 10 */
	    "t_sunmd5:" R_SUNMD5 ":19000::::::\n"      /* 11 */
	    "t_scrypt2:" R_SCRYPT2 ":19000::::::\n");   /* 12 */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	iota_scan *s = scan(root);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("12 hashes dictionary-checked in %.2f s\n", secs);

	iota_node *sh = node(s, "etc/shadow");
	static const char *const types[][2] = {
		{"t_des", "descrypt"},	   {"t_bsdi", "bsdicrypt"},	{"t_nt", "nt"},
		{"t_md5", "md5crypt"},	   {"t_sha256", "sha256crypt"}, {"t_bcrypt5", "bcrypt"},
		{"t_yescrypt", "yescrypt"}, {"t_gost", "gost-yescrypt"}, {"t_scrypt", "scrypt"},
		{"t_bcrypt15", "bcrypt"},  {"t_sunmd5", "sunmd5"},	{"t_scrypt2", "scrypt"},
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		char key[64];
		snprintf(key, sizeof key, "cred.%s.hash_type", types[i][0]);
		assert_string_equal(iota_node_attr_get(sh, key), types[i][1]);
	}
	assert_int_equal(find(s, "cred.weak-hash", "etc/shadow", 1)->severity, IOTA_SEV_HIGH);
	assert_int_equal(find(s, "cred.weak-hash", "etc/shadow", 2)->severity, IOTA_SEV_HIGH);
	assert_int_equal(find(s, "cred.weak-hash", "etc/shadow", 3)->severity, IOTA_SEV_HIGH);
	assert_int_equal(find(s, "cred.weak-hash", "etc/shadow", 4)->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(find(s, "cred.weak-hash", "etc/shadow", 11)->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(count(s, "cred.weak-hash", NULL), 5);
	/* estimated: 4 s for lines 1-9 (scrypt gets 4 guesses), none for
	 * bcrypt cost 15 (2.1 s a guess), 1 s for SunMD5, and nothing left of the
	 * file's 5 s for the second scrypt */
	const iota_finding *f = find(s, "cred.dictionary-skipped", "etc/shadow", 10);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "cost parameters"));
	f = find(s, "cred.dictionary-skipped", "etc/shadow", 12);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "file's 5000 ms budget"));
	assert_int_equal(count(s, "cred.dictionary-skipped", NULL), 2);
	assert_int_equal(count(s, "cred.", NULL), 7);
	assert_string_equal(iota_node_attr_get(sh, "cred.t_scrypt.dictionary"),
			    "no match in the first 4 of 208 candidates (cost bound)");
	const char *d = iota_node_attr_get(sh, "cred.t_des.dictionary");
	assert_non_null(d);
	assert_int_equal(strncmp(d, "no match in 2", 13), 0); /* all of the 200-odd */
	assert_string_equal(iota_node_attr_get(sh, "cred.t_bcrypt15.dictionary"), "not checked");
	assert_string_equal(iota_node_attr_get(sh, "cred.t_scrypt2.dictionary"), "not checked");
	iota_scan_free(s);
	rmtree(root);
}

/* OpenWrt: rpcd logins without a password, one taking root's (empty)
 * shadow entry, one with an md5crypt hash of a default password. */
static void test_rpcd(void **state)
{
	(void)state;
	char *root = tree();
	put(root, "etc/passwd", "root:x:0:0:root:/root:/bin/ash\n");
	put(root, "etc/shadow", "root::0:0:99999:7:::\n");
	put(root, "etc/config/rpcd",
	    "config rpcd\n"
	    "\toption socket /var/run/ubus/ubus.sock\n"
	    "\toption timeout 30\n"
	    "\n"
	    "config login\n"                      /* 5 */
	    "\toption username 'root'\n"
	    "\toption password '$p$root'\n"
	    "\tlist read '*'\n"
	    "\tlist write '*'\n"
	    "\n"
	    "config login\n"                      /* 11 */
	    "\toption username 'guest'\n"
	    "\toption password 'x'\n"
	    "\n"
	    "config login\n"                      /* 15 */
	    "\toption username 'admin'\n"
	    "\toption password '" MD5_ADMIN "'\n");
	iota_scan *s = scan(root);
	assert_non_null(find(s, "cred.empty-password", "etc/shadow", 1));
	const iota_finding *f = find(s, "cred.empty-password", "etc/config/rpcd", 5);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "'root'"));
	assert_non_null(find(s, "cred.empty-password", "etc/config/rpcd", 11));
	assert_non_null(find(s, "cred.default-password", "etc/config/rpcd", 15));
	assert_non_null(find(s, "cred.weak-hash", "etc/config/rpcd", 15));
	assert_int_equal(count(s, "cred.", NULL), 5);
	iota_scan_free(s);
	rmtree(root);
}

/* The dictionary is in the binary; a program called passwd is not an
 * account database, nor is a passwd-named text of another shape. */
static void test_data_and_impostors(void **state)
{
	(void)state;
	size_t len = 0;
	const unsigned char *d = iota_data_get("credentials/defaults.txt", &len);
	assert_non_null(d);
	assert_true(len > 1000);
	assert_int_equal(d[len], '\0');
	assert_non_null(strstr((const char *)d, "\nroot:xc3511\n"));
	assert_non_null(strstr((const char *)d, "\nroot:7ujMko0admin\n"));
	assert_null(iota_data_get("credentials/none.txt", &len));
	assert_int_equal(len, 0);

	char *root = tree();
	put(root, "usr/bin/passwd", "\177ELF\002\001\001");
	put(root, "etc/default/passwd", "# defaults for passwd(1)\nCRYPT=yescrypt\nMD5_CRYPT_ENAB=no\n");
	put(root, "etc/passwd", "root::0:0:root:/root:/bin/sh\n");
	iota_scan *s = scan(root);
	assert_int_equal(count(s, "cred.", "usr/bin/passwd"), 0);
	assert_int_equal(count(s, "cred.", "etc/default/passwd"), 0);
	assert_null(iota_node_attr_get(node(s, "etc/default/passwd"), "cred.format"));
	assert_int_equal(count(s, "cred.empty-password", "etc/passwd"), 1);
	iota_scan_free(s);
	rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_hash_types),
		cmocka_unit_test(test_rpcd),
		cmocka_unit_test(test_data_and_impostors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
