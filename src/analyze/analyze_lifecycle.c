/*
 * Life cycle: who to tell about a vulnerability, how long the product is
 * supported, what it says about itself (release, build, banner), and the
 * kernel's version and hardening configuration.
 *
 * Formats:
 *   security.txt     RFC 9116: "Field: value" lines, Contact (one or more)
 *                    and Expires (exactly one, an RFC 3339 date-time) are
 *                    required; an OpenPGP cleartext signature (RFC 4880
 *                    section 7) may wrap it
 *   os-release       os-release(5) (freedesktop): KEY=VALUE lines with
 *                    shell-style quoting, no expansion; SUPPORT_END=YYYY-MM-DD
 *   OpenWrt          etc/openwrt_release (DISTRIB_*= shell assignments),
 *                    etc/openwrt_version (one line)
 *   release/banner   etc/NAME-release, etc/NAME_version, etc/version, etc/banner,
 *                    etc/issue, etc/motd, SECURITY/README files, web pages:
 *                    searched for disclosure contacts (security@/psirt@
 *                    addresses, security/PSIRT/disclosure URLs) and
 *                    support-period or end-of-life statements
 *   kernel           the banner "Linux version X.Y.Z (...) #N ..." built by
 *                    init/version.c; the embedded configuration of
 *                    kernel/configs.c: "IKCFG_ST" + a gzip stream (RFC 1952)
 *                    + "IKCFG_ED", inflated with zlib under a byte bound;
 *                    plain .config files ("CONFIG_X=y", "# CONFIG_X is not
 *                    set", Documentation/kbuild/kconfig.rst)
 *
 * Only options written as "is not set" count as missing hardening: Kconfig
 * writes that line for options that could have been enabled, and omits
 * options the architecture or version does not offer (32-bit ARM has no
 * RANDOMIZE_BASE, so it is not blamed for it).
 *
 * Check id                     STANDARDS.md §9
 *   life.security-contact      M01 (info, needs vendor evidence)
 *   life.support-period        M01 V02 (info, needs vendor evidence)
 *   life.security-txt-invalid  M01
 *   life.security-txt-expired  M01
 *   life.support-ended         V02 M01
 *   kernel.hardening           H02 B03
 *
 * The gzip stream is inflated with zlib; the line formats are read by hand
 * (textscan.h), each a handful of keys.
 */
#define _GNU_SOURCE /* memmem, timegm */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "analyze/textscan.h"
#include "core/analyzer.h"
#include "core/component.h"
#include "util/alloc.h"
#include "util/dynbuf.h"

#define MAX_TEXT   (4u << 20)
#define MIN_KERNEL (256u << 10)
#define MAX_CONFIG (4u << 20) /* an inflated kernel configuration is ~100-300 KiB */

enum kind {
	K_NONE,
	K_SECURITY_TXT,
	K_OS_RELEASE,
	K_OPENWRT_RELEASE,
	K_OPENWRT_VERSION,
	K_INFO,
	K_KCONFIG,
	K_BINARY
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);
	return l >= k && !strcmp(s + l - k, suffix);
}

static bool info_name(const char *path, const char *name)
{
	static const char *const etc_names[] = {
	    "version",   "issue",      "issue.net",        "motd",       "banner",    "build",
	    "buildinfo", "fw_version", "firmware_version", "sw_version", "timestamp", "product",
	    "release"};
	bool in_etc = iota_ts_path_in(path, "etc");
	if (in_etc) {
		for (size_t i = 0; i < sizeof etc_names / sizeof etc_names[0]; i++)
			if (!strcmp(name, etc_names[i]))
				return true;
		if (ends_with(name, "-release") || ends_with(name, "_release") ||
		    ends_with(name, "_version") || ends_with(name, "-version"))
			return true;
	}
	if (!strncasecmp(name, "SECURITY", 8))
		return true;
	bool web = iota_ts_path_within(path, "www") || iota_ts_path_within(path, "htdocs");
	if (web && (ends_with(name, ".html") || ends_with(name, ".htm") || ends_with(name, ".txt")))
		return true;
	return false;
}

static enum kind classify(const iota_node *n, const uint8_t *head, size_t head_len)
{
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		return K_NONE;
	const char *name = n->name ? n->name : "";
	bool text = iota_ts_is_text(head, head_len);
	if (!text)
		return n->size >= MIN_KERNEL ? K_BINARY : K_NONE;
	if (n->size > MAX_TEXT)
		return K_NONE;
	if (iota_ts_in_docs(n))
		return K_NONE;
	if (!strcmp(name, "security.txt"))
		return K_SECURITY_TXT;
	if (iota_ts_path_is(path, "etc/os-release") || iota_ts_path_is(path, "usr/lib/os-release"))
		return K_OS_RELEASE;
	if (iota_ts_path_is(path, "etc/openwrt_release"))
		return K_OPENWRT_RELEASE;
	if (iota_ts_path_is(path, "etc/openwrt_version"))
		return K_OPENWRT_VERSION;
	size_t hl = head_len < 2048 ? head_len : 2048;
	if ((iota_ts_istr((const char *)head, hl, "Kernel Configuration") &&
	     memmem(head, hl, "CONFIG_", 7)) ||
	    (hl > 7 && !memcmp(head, "CONFIG_", 7)))
		return K_KCONFIG;
	if (info_name(path, name))
		return K_INFO;
	return K_NONE;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	return classify(n, head, head_len) != K_NONE;
}

struct ctx {
	iota_scan *s;
	iota_node *n;
	iota_ts_split sp;
};

static void emit(struct ctx *c, const char *check, iota_severity sev, int conf, uint32_t line,
                 uint64_t off, const char *msg, const char *ev)
{
	iota_finding_emit(c->s, &(iota_finding){.check = check,
	                                        .severity = sev,
	                                        .confidence = conf,
	                                        .node = c->n,
	                                        .offset = off,
	                                        .line = line,
	                                        .message = msg,
	                                        .evidence = ev});
}

/* ---- dates ---- */

/* "YYYY-MM-DD" at s; true and *t (UTC midnight) if valid. */
static bool parse_date(const char *s, time_t *t, const char **end)
{
	int y, mo, d, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || y < 1970 || y > 9999)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
	*t = timegm(&tm);
	if (end)
		*end = s + n;
	return true;
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm). */
static bool parse_datetime(const char *s, time_t *t)
{
	const char *p;
	if (!parse_date(s, t, &p))
		return false;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	int h, mi, sec, n = 0;
	if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || h > 23 || mi > 59 || sec > 60)
		return false;
	p += 1 + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return false;
		off = (oh * 60L + om) * 60L * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return false;
	}
	*t += h * 3600L + mi * 60L + sec - off;
	return true;
}

/* ---- contacts and support statements in free text ---- */

static void text_evidence(struct ctx *c, const char *l, size_t len)
{
	static const char *const local[] = {
	    "security@",         "psirt@",           "secure@",
	    "vulnerability@",    "vulnerabilities@", "vuln@",
	    "product-security@", "productsecurity@", "cert@",
	    "security-alert@",   "security-report@", "securityreport@"};
	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
		const char *p = iota_ts_istr(l, len, local[i]);
		if (!p || (p > l && (isalnum((unsigned char)p[-1]) || p[-1] == '.')))
			continue;
		size_t e = (size_t)(p - l) + strlen(local[i]);
		while (e < len && (isalnum((unsigned char)l[e]) || l[e] == '.' || l[e] == '-'))
			e++;
		while (e > 0 && l[e - 1] == '.')
			e--;
		if (e - (size_t)(p - l) <= strlen(local[i]) + 3 ||
		    !memchr(p, '.', e - (size_t)(p - l)))
			continue;
		char mail[128];
		snprintf(mail, sizeof mail, "%.*s", (int)(e - (size_t)(p - l)), p);
		const char *old = iota_node_attr_get(c->n, "life.security_contact");
		char list[600] = "";
		if (old)
			iota_ts_copy(list, sizeof list, old);
		iota_ts_list_add(list, sizeof list, mail);
		iota_node_attr(c->s, c->n, "life.security_contact", "%s", list);
	}
	static const char *const url_words[] = {"psirt",
	                                        "vulnerab",
	                                        "disclosure",
	                                        "bug-bounty",
	                                        "bugbounty",
	                                        "/security",
	                                        ".well-known/security.txt"};
	for (const char *p = l; (p = memmem(p, len - (size_t)(p - l), "://", 3)) != NULL; p += 3) {
		const char *b = p;
		while (b > l && isalpha((unsigned char)b[-1]))
			b--;
		if (p - b < 4 || p - b > 5 || strncasecmp(b, "http", 4) != 0)
			continue;
		size_t e = (size_t)(p - l) + 3;
		while (e < len && (unsigned char)l[e] > ' ' && !strchr("\"'<>)", l[e]))
			e++;
		size_t ul = e - (size_t)(b - l);
		bool hit = false;
		for (size_t i = 0; i < sizeof url_words / sizeof url_words[0]; i++)
			if (iota_ts_istr(b, ul, url_words[i]))
				hit = true;
		if (!hit)
			continue;
		char url[256];
		snprintf(url, sizeof url, "%.*s", (int)(ul < 255 ? ul : 255), b);
		const char *old = iota_node_attr_get(c->n, "life.security_contact");
		char list[600] = "";
		if (old)
			iota_ts_copy(list, sizeof list, old);
		iota_ts_list_add(list, sizeof list, url);
		iota_node_attr(c->s, c->n, "life.security_contact", "%s", list);
	}
	static const char *const support[] = {
	    "end of life",       "end-of-life",     "supported until",
	    "support until",     "support period",  "security updates until",
	    "end of support",    "end-of-support",  "support ends",
	    "supported through", "security support"};
	for (size_t i = 0; i < sizeof support / sizeof support[0]; i++)
		if (iota_ts_istr(l, len, support[i]) &&
		    !iota_node_attr_get(c->n, "life.support_statement")) {
			char t[200];
			iota_ts_copy_trim(t, sizeof t, l, len);
			iota_node_attr(c->s, c->n, "life.support_statement", "%s", t);
		}
}

static void parse_info(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		if (len > 4096)
			len = 4096;
		text_evidence(c, l, len);
		/* a line with a version number, and a build date */
		if (!iota_node_attr_get(c->n, "life.version_line")) {
			for (size_t i = 0; i + 2 < len; i++)
				if (isdigit((unsigned char)l[i]) && l[i + 1] == '.' &&
				    isdigit((unsigned char)l[i + 2])) {
					char t[160];
					iota_ts_copy_trim(t, sizeof t, l, len);
					iota_node_attr(c->s, c->n, "life.version_line", "%s", t);
					break;
				}
		}
		if (!iota_node_attr_get(c->n, "life.build_date"))
			for (size_t i = 0; i + 10 <= len; i++) {
				time_t t;
				char d[11];
				if (l[i] != '2' || (i > 0 && isdigit((unsigned char)l[i - 1])))
					continue;
				snprintf(d, sizeof d, "%.10s", l + i);
				if (parse_date(d, &t, NULL)) {
					iota_node_attr(c->s, c->n, "life.build_date", "%s", d);
					break;
				}
			}
	}
}

/* ---- security.txt ---- */

static void parse_security_txt(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	char contacts[600] = "", expires[64] = "";
	int nexpires = 0;
	uint32_t expires_line = 0;
	bool in_pgp_header = false;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[1024];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!strcmp(buf, "-----BEGIN PGP SIGNED MESSAGE-----")) {
			in_pgp_header = true;
			continue;
		}
		if (in_pgp_header) {
			if (!buf[0])
				in_pgp_header = false;
			continue;
		}
		if (!strcmp(buf, "-----BEGIN PGP SIGNATURE-----"))
			break;
		if (!buf[0] || buf[0] == '#')
			continue;
		char *colon = strchr(buf, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *field = iota_ts_trim(buf), *val = iota_ts_trim(colon + 1);
		if (!strcasecmp(field, "Contact")) {
			iota_ts_list_add(contacts, sizeof contacts, val);
		} else if (!strcasecmp(field, "Expires")) {
			nexpires++;
			iota_ts_copy(expires, sizeof expires, val);
			expires_line = it.no;
		} else if (!strcasecmp(field, "Policy")) {
			iota_node_attr(c->s, c->n, "life.security_txt.policy", "%s", val);
		} else if (!strcasecmp(field, "Canonical")) {
			iota_node_attr(c->s, c->n, "life.security_txt.canonical", "%s", val);
		}
	}
	iota_node_attr(c->s, c->n, "life.security_txt", "yes");
	if (contacts[0])
		iota_node_attr(c->s, c->n, "life.security_contact", "%s", contacts);
	if (expires[0])
		iota_node_attr(c->s, c->n, "life.security_txt.expires", "%s", expires);
	char missing[64] = "";
	if (!contacts[0])
		iota_ts_list_add(missing, sizeof missing, "Contact");
	if (nexpires != 1)
		iota_ts_list_add(missing, sizeof missing,
		                 nexpires ? "a single Expires" : "Expires");
	if (missing[0]) {
		char msg[200];
		snprintf(msg, sizeof msg,
		         "security.txt lacks the required field(s) %s (RFC 9116 section 2.5)",
		         missing);
		emit(c, "life.security-txt-invalid", IOTA_SEV_LOW, 95, 0, UINT64_MAX, msg, missing);
	}
	time_t t;
	if (expires[0]) {
		if (!parse_datetime(expires, &t)) {
			emit(c, "life.security-txt-invalid", IOTA_SEV_LOW, 90, expires_line,
			     UINT64_MAX, "security.txt Expires is not an RFC 3339 date-time",
			     expires);
		} else if (t < time(NULL)) {
			char msg[200];
			snprintf(msg, sizeof msg,
			         "security.txt expired on %s: its contact data may be stale and "
			         "RFC 9116 says to treat it as outdated",
			         expires);
			emit(c, "life.security-txt-expired", IOTA_SEV_LOW, 90, expires_line,
			     UINT64_MAX, msg, expires);
		}
	}
}

/* ---- os-release and OpenWrt release files ---- */

static void parse_assignments(struct ctx *c, const iota_blob *b, const char *prefix, bool os)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	int n = 0;
	while (iota_ts_next_line(&it, &l, &len) && n < 48) {
		if (iota_ts_shell_split(l, len, NULL, &c->sp) < 1 || c->sp.cmd[0].argc != 1)
			continue;
		const char *w = c->sp.cmd[0].argv[0];
		const char *eq = strchr(w, '=');
		if (!eq || eq == w || eq - w > 40)
			continue;
		char key[96];
		int kl = snprintf(key, sizeof key, "%s.", prefix);
		for (const char *p = w; p < eq && kl + 1 < (int)sizeof key; p++)
			key[kl++] = (char)tolower((unsigned char)*p);
		key[kl] = '\0';
		iota_node_attr(c->s, c->n, key, "%s", eq + 1);
		n++;
		if (os && !strncmp(w, "SUPPORT_END=", 12)) {
			time_t t;
			iota_node_attr(c->s, c->n, "life.support_end", "%s", eq + 1);
			if (parse_date(eq + 1, &t, NULL) && t < time(NULL)) {
				char msg[200];
				snprintf(msg, sizeof msg,
				         "the operating system's support ended on %s (os-release "
				         "SUPPORT_END): no more security updates from its vendor",
				         eq + 1);
				emit(c, "life.support-ended", IOTA_SEV_MEDIUM, 90, it.no,
				     UINT64_MAX, msg, w);
			}
		}
		text_evidence(c, eq + 1, strlen(eq + 1));
	}
}

/* ---- kernel ---- */

static const char *const kopts[] = {
    "STRICT_KERNEL_RWX",
    "DEBUG_RODATA",
    "STRICT_MODULE_RWX",
    "STACKPROTECTOR",
    "STACKPROTECTOR_STRONG",
    "CC_STACKPROTECTOR",
    "CC_STACKPROTECTOR_STRONG",
    "CC_STACKPROTECTOR_REGULAR",
    "CC_STACKPROTECTOR_NONE",
    "RANDOMIZE_BASE",
    "DEVMEM",
    "STRICT_DEVMEM",
    "IO_STRICT_DEVMEM",
    "DEVKMEM",
    "KEXEC",
    "KEXEC_FILE",
    "KEXEC_SIG",
    "MODULES",
    "MODULE_SIG",
    "MODULE_SIG_FORCE",
    "SECURITY",
    "SECURITY_SELINUX",
    "SECURITY_APPARMOR",
    "SECURITY_SMACK",
    "SECURITY_TOMOYO",
    "SECURITY_YAMA",
    "SECURITY_LOADPIN",
    "SECURITY_LOCKDOWN_LSM",
    "SECURITY_DMESG_RESTRICT",
    "SECCOMP",
    "SECCOMP_FILTER",
    "HARDENED_USERCOPY",
    "PROC_KCORE",
    "IKCONFIG_PROC",
    "FORTIFY_SOURCE",
    "SLAB_FREELIST_RANDOM",
    "SLAB_FREELIST_HARDENED",
    "INIT_ON_ALLOC_DEFAULT_ON",
    "STATIC_USERMODEHELPER",
    "DM_VERITY",
    "IMA",
    "EVM",
    "BPF_JIT_ALWAYS_ON",
};

#define NKOPTS (sizeof kopts / sizeof kopts[0])

struct kconfig {
	char val[NKOPTS][8]; /* "y", "m", "n" (is not set), or "" (absent) */
	char version[64];
	int lines;
};

static int kopt_index(const char *name, size_t len)
{
	for (size_t i = 0; i < NKOPTS; i++)
		if (strlen(kopts[i]) == len && !memcmp(kopts[i], name, len))
			return (int)i;
	return -1;
}

static void kconfig_parse(struct kconfig *k, const char *p, size_t n)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, p, n);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		if (len > 9 && !memcmp(l, "# Linux/", 8) &&
		    iota_ts_istr(l, len, "Kernel Configuration")) {
			/* "# Linux/arm64 5.10.0 Kernel Configuration" */
			const char *sp = memchr(l, ' ', len);
			const char *v = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - l)) : NULL;
			if (v) {
				size_t rest = len - (size_t)(v + 1 - l);
				const char *ve = memchr(v + 1, ' ', rest);
				size_t vl = ve ? (size_t)(ve - (v + 1)) : rest;
				snprintf(k->version, sizeof k->version, "%.*s",
				         (int)(vl < 63 ? vl : 63), v + 1);
			}
			continue;
		}
		if (len > 7 && !memcmp(l, "CONFIG_", 7)) {
			const char *eq = memchr(l, '=', len);
			if (!eq)
				continue;
			k->lines++;
			int i = kopt_index(l + 7, (size_t)(eq - l - 7));
			if (i >= 0)
				snprintf(k->val[i], sizeof k->val[i], "%.*s",
				         (int)(len - (size_t)(eq + 1 - l) < 7
				                   ? len - (size_t)(eq + 1 - l)
				                   : 7),
				         eq + 1);
		} else if (len > 9 && !memcmp(l, "# CONFIG_", 9) && len > 20 &&
		           !memcmp(l + len - 11, " is not set", 11)) {
			k->lines++;
			int i = kopt_index(l + 9, len - 20);
			if (i >= 0)
				iota_ts_copy(k->val[i], sizeof k->val[i], "n");
		}
	}
}

static const char *kv(const struct kconfig *k, const char *name)
{
	int i = kopt_index(name, strlen(name));
	return i >= 0 ? k->val[i] : "";
}

static bool on(const struct kconfig *k, const char *name)
{
	const char *v = kv(k, name);
	return !strcmp(v, "y") || !strcmp(v, "m");
}

static bool unset(const struct kconfig *k, const char *name)
{
	return !strcmp(kv(k, name), "n");
}

static void kconfig_judge(struct ctx *c, const struct kconfig *k, uint64_t off)
{
	if (k->lines < 20)
		return; /* not a kernel configuration */
	/* where the whole configuration can be read again (the vulnerability
	 * matcher's kernel filter: iota_kconfig_from_bytes() on this node) */
	iota_node_attr(c->s, c->n, "kernel.config_source", "%s",
	               off == UINT64_MAX ? "file" : "ikconfig");
	for (size_t i = 0; i < NKOPTS; i++)
		if (k->val[i][0]) {
			char key[64];
			snprintf(key, sizeof key, "kernel.config.%s", kopts[i]);
			iota_node_attr(c->s, c->n, key, "%s",
			               !strcmp(k->val[i], "n") ? "not set" : k->val[i]);
		}
	if (k->version[0])
		iota_node_attr(c->s, c->n, "kernel.config_version", "%s", k->version);
	char lsm[200] = "";
	static const char *const lsms[] = {
	    "SECURITY_SELINUX", "SECURITY_APPARMOR", "SECURITY_SMACK",       "SECURITY_TOMOYO",
	    "SECURITY_YAMA",    "SECURITY_LOADPIN",  "SECURITY_LOCKDOWN_LSM"};
	for (size_t i = 0; i < sizeof lsms / sizeof lsms[0]; i++)
		if (on(k, lsms[i]))
			iota_ts_list_add(lsm, sizeof lsm, lsms[i] + 9);
	iota_node_attr(c->s, c->n, "kernel.lsm", "%s", lsm[0] ? lsm : "none");

	char weak[600] = "";
	if ((unset(k, "STRICT_KERNEL_RWX") || unset(k, "DEBUG_RODATA")) &&
	    !on(k, "STRICT_KERNEL_RWX") && !on(k, "DEBUG_RODATA"))
		iota_ts_list_add(weak, sizeof weak, "STRICT_KERNEL_RWX not set");
	if (unset(k, "STACKPROTECTOR") || unset(k, "CC_STACKPROTECTOR") ||
	    on(k, "CC_STACKPROTECTOR_NONE"))
		iota_ts_list_add(weak, sizeof weak, "no stack protector");
	else if ((unset(k, "STACKPROTECTOR_STRONG") || unset(k, "CC_STACKPROTECTOR_STRONG")) &&
	         !on(k, "STACKPROTECTOR_STRONG") && !on(k, "CC_STACKPROTECTOR_STRONG"))
		iota_ts_list_add(weak, sizeof weak, "STACKPROTECTOR_STRONG not set");
	if (unset(k, "RANDOMIZE_BASE"))
		iota_ts_list_add(weak, sizeof weak, "RANDOMIZE_BASE (KASLR) not set");
	if (on(k, "DEVMEM") && unset(k, "STRICT_DEVMEM"))
		iota_ts_list_add(weak, sizeof weak, "DEVMEM without STRICT_DEVMEM");
	if (on(k, "DEVKMEM"))
		iota_ts_list_add(weak, sizeof weak, "DEVKMEM");
	if (on(k, "MODULES") && (unset(k, "MODULE_SIG") || unset(k, "MODULE_SIG_FORCE")))
		iota_ts_list_add(weak, sizeof weak,
		                 "MODULE_SIG_FORCE not set (unsigned modules load)");
	if (on(k, "KEXEC"))
		iota_ts_list_add(weak, sizeof weak, "KEXEC enabled");
	if (on(k, "PROC_KCORE"))
		iota_ts_list_add(weak, sizeof weak, "PROC_KCORE enabled");
	if (unset(k, "SECCOMP"))
		iota_ts_list_add(weak, sizeof weak, "SECCOMP not set");
	if (unset(k, "HARDENED_USERCOPY"))
		iota_ts_list_add(weak, sizeof weak, "HARDENED_USERCOPY not set");
	if (!weak[0])
		return;
	char list[700];
	size_t o = 0;
	for (const char *p = weak; *p && o + 3 < sizeof list; p++) {
		if (*p == ',') {
			list[o++] = ';';
			list[o++] = ' ';
		} else {
			list[o++] = *p;
		}
	}
	list[o] = '\0';
	char msg[800];
	snprintf(msg, sizeof msg, "kernel configuration lacks hardening: %s", list);
	emit(c, "kernel.hardening", IOTA_SEV_LOW, 90, 0, off, msg, list);
}

/* Inflates the gzip stream of IKCFG_ST..IKCFG_ED (bounded) and judges it. */
static void ikconfig(struct ctx *c, const iota_blob *b)
{
	const uint8_t *st = memmem(b->data, b->len, "IKCFG_ST", 8);
	if (!st)
		return;
	size_t off = (size_t)(st - b->data) + 8;
	if (off + 18 > b->len || b->data[off] != 0x1f || b->data[off + 1] != 0x8b)
		return;
	const uint8_t *ed = memmem(b->data + off, b->len - off, "IKCFG_ED", 8);
	size_t in_len = ed ? (size_t)(ed - (b->data + off)) : b->len - off;
	uint64_t budget = iota_scan_file_budget(c->s);
	size_t cap = budget < MAX_CONFIG ? (size_t)budget : MAX_CONFIG;
	iota_dynbuf out;
	iota_dynbuf_init(&out, cap);
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return;
	/* zlib counts in uInt: feed the input in pieces */
	size_t fed = 0;
	int zr = Z_OK;
	bool truncated = false;
	uint8_t chunk[16384];
	while (zr == Z_OK) {
		if (z.avail_in == 0 && fed < in_len) {
			size_t piece = in_len - fed < (1u << 30) ? in_len - fed : (1u << 30);
			z.next_in = (Bytef *)(uintptr_t)(b->data + off + fed);
			z.avail_in = (uInt)piece;
			fed += piece;
		}
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		zr = inflate(&z, Z_NO_FLUSH);
		size_t got = sizeof chunk - z.avail_out;
		if (got && iota_dynbuf_add(&out, chunk, got) != 0) {
			truncated = true;
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && fed >= in_len)
			break;
		if (zr == Z_BUF_ERROR)
			zr = Z_OK;
	}
	inflateEnd(&z);
	if (truncated)
		iota_scan_limit(c->s, "file-size", c->n,
		                "embedded kernel configuration larger than %zu bytes; read in part",
		                cap);
	if (zr != Z_STREAM_END && !truncated)
		iota_node_attr(c->s, c->n, "kernel.config_damaged", "yes");
	iota_node_attr(c->s, c->n, "kernel.config_embedded", "yes (%zu bytes)", out.len);
	struct kconfig *k = iota_calloc(1, sizeof *k);
	if (k) {
		kconfig_parse(k, (const char *)iota_dynbuf_str(&out), out.len);
		kconfig_judge(c, k, (uint64_t)(st - b->data));
		iota_free(k);
	}
	iota_dynbuf_free(&out);
}

/* The kernel image is the Linux component: the banner gives its exact
 * version (with the distribution's suffix, "5.10.0-20-amd64"); the CPE names
 * the upstream release in front of it. */
static void kernel_component(struct ctx *c, const char *version, const char *banner, uint64_t off)
{
	char match[360], cpe[128], purl[128];
	snprintf(match, sizeof match, "Linux version %s", banner);
	iota_component *k = iota_component_add(c->s, "linux", version, c->n, IOTA_REL_IS,
					       IOTA_EV_KERNEL, match, off);
	if (!k)
		return;
	size_t up = strspn(version, "0123456789.");
	snprintf(cpe, sizeof cpe, "cpe:2.3:o:linux:linux_kernel:%.*s:*:*:*:*:*:*:*", (int)up, version);
	snprintf(purl, sizeof purl, "pkg:generic/linux@%.*s", (int)up, version);
	iota_component_set_ids(c->s, k, "linux", purl, cpe);
}

/* "Linux version 5.10.0-20-amd64 (builder@host) (gcc ...) #1 SMP ..." */
static void kernel_banner(struct ctx *c, const iota_blob *b)
{
	static const char pat[] = "Linux version ";
	const uint8_t *p = b->data, *end = b->data + b->len;
	for (int tries = 0; tries < 64; tries++) {
		const uint8_t *hit = memmem(p, (size_t)(end - p), pat, sizeof pat - 1);
		if (!hit)
			return;
		const uint8_t *v = hit + sizeof pat - 1;
		p = v;
		if (v + 3 >= end || !isdigit(v[0]))
			continue;
		size_t i = 0;
		while (v + i < end && isdigit(v[i]))
			i++;
		if (v + i >= end || v[i] != '.' || v + i + 1 >= end || !isdigit(v[i + 1]))
			continue;
		char banner[320];
		size_t n = 0;
		while (v + n < end && n < sizeof banner - 1 && v[n] >= 0x20 && v[n] < 0x7f)
			n++;
		snprintf(banner, sizeof banner, "%.*s", (int)n, (const char *)v);
		if (!strchr(banner, '(') || !strchr(banner, '#'))
			continue; /* a format string or prose, not the banner */
		char version[64];
		size_t vl = strcspn(banner, " ");
		snprintf(version, sizeof version, "%.*s", (int)(vl < 63 ? vl : 63), banner);
		iota_node_attr(c->s, c->n, "kernel.version", "%s", version);
		iota_node_attr(c->s, c->n, "kernel.banner", "%s", banner);
		kernel_component(c, version, banner, (uint64_t)(hit - b->data));
		const char *hash = strrchr(banner, '#');
		if (hash) {
			/* the build time after "#N [SMP ...]" */
			iota_node_attr(c->s, c->n, "kernel.build", "%s", hash);
		}
		return;
	}
}

static void parse_kconfig_text(struct ctx *c, const iota_blob *b)
{
	struct kconfig *k = iota_calloc(1, sizeof *k);
	if (!k)
		return;
	kconfig_parse(k, (const char *)b->data, b->len);
	kconfig_judge(c, k, UINT64_MAX);
	iota_free(k);
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	size_t head = b->len < IOTA_PROBE_HEAD ? b->len : IOTA_PROBE_HEAD;
	enum kind k = classify(n, b->data, head);
	struct ctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->s = s;
	c->n = n;
	switch (k) {
	case K_SECURITY_TXT:
		parse_security_txt(c, b);
		break;
	case K_OS_RELEASE:
		parse_assignments(c, b, "life.os", true);
		break;
	case K_OPENWRT_RELEASE:
		parse_assignments(c, b, "life.openwrt", false);
		break;
	case K_OPENWRT_VERSION: {
		char v[128];
		const uint8_t *nl = memchr(b->data, '\n', b->len);
		iota_ts_copy_trim(v, sizeof v, (const char *)b->data,
		                  nl ? (size_t)(nl - b->data) : b->len);
		if (v[0])
			iota_node_attr(s, n, "life.openwrt.version", "%s", v);
		break;
	}
	case K_INFO:
		parse_info(c, b);
		break;
	case K_KCONFIG:
		parse_kconfig_text(c, b);
		break;
	case K_BINARY:
		kernel_banner(c, b);
		ikconfig(c, b);
		break;
	default:
		break;
	}
	iota_free(c);
}

/* ---- whole tree ---- */

struct tree {
	iota_scan *s;
	iota_node *rootfs;
	bool contact, support;
};

static void collect(iota_node *n, void *arg)
{
	struct tree *t = arg;
	if ((n->kind == IOTA_NODE_DIR || n->kind == IOTA_NODE_CONTAINER) && !t->rootfs &&
	    iota_ts_is_rootfs(t->s, n))
		t->rootfs = n;
	if (iota_node_attr_get(n, "life.security_contact"))
		t->contact = true;
	if (iota_node_attr_get(n, "life.support_statement") ||
	    iota_node_attr_get(n, "life.support_end"))
		t->support = true;
}

static void run_tree(iota_scan *s)
{
	struct tree t = {.s = s};
	if (s->root && iota_ts_is_rootfs(s, s->root))
		t.rootfs = s->root;
	iota_ts_walk(s->root, collect, &t);
	if (!t.rootfs)
		return; /* no operating system image: nothing to expect */
	if (!t.contact)
		iota_finding_emit(
		    s,
		    &(iota_finding){
		        .check = "life.security-contact",
		        .severity = IOTA_SEV_INFO,
		        .confidence = 90,
		        .node = t.rootfs,
		        .offset = UINT64_MAX,
		        .message =
		            "no vulnerability-disclosure contact found in the image (no "
		            "security.txt, security@ or PSIRT address): the manufacturer must "
		            "publish one (EN 303 645 5.2-1, CRA Annex II) - needs vendor evidence",
		        .evidence = NULL});
	if (!t.support)
		iota_finding_emit(
		    s,
		    &(iota_finding){
		        .check = "life.support-period",
		        .severity = IOTA_SEV_INFO,
		        .confidence = 90,
		        .node = t.rootfs,
		        .offset = UINT64_MAX,
		        .message =
		            "no support period or end-of-life date found in the image "
		            "(os-release SUPPORT_END, release notes): the manufacturer must state "
		            "it (EN 303 645 5.3-13, CRA Annex II) - needs vendor evidence",
		        .evidence = NULL});
}

const iota_analyzer iota_analyzer_lifecycle = {
    .name = "lifecycle",
    .description =
        "security contact, support period, release identity, kernel version and hardening",
    .wants = wants,
    .run_file = run_file,
    .run_tree = run_tree,
};
