/*
 * Package databases: the components a system's own package manager says are
 * installed, with the exact versions it recorded. The first and surest
 * source of an SBOM (binary signatures come second).
 *
 * Formats (all text, one record per stanza):
 *   dpkg   var/lib/dpkg/status and var/lib/dpkg/status.d/<pkg> (distroless
 *          images): deb-control(5) stanzas with Package, Status, Version,
 *          Architecture, Source; only "install ok installed" counts.
 *   opkg   usr/lib/opkg/status (OpenWrt) and var/lib/opkg/status: the same
 *          stanza syntax; entries whose Status ends in "installed".
 *   apk    lib/apk/db/installed (Alpine, postmarketOS): apk-spec's "installed
 *          database", one "X:value" field per line (P name, V version, A arch,
 *          o origin), stanzas separated by a blank line.
 *
 * Each installed package becomes a component (relation "is", evidence
 * method package-db with the matched lines) with a purl: pkg:deb/debian/...,
 * pkg:openwrt/..., pkg:apk/alpine/... . Bounds: a stanza field is cut at
 * 256 bytes, a database at MAX_PACKAGES entries (more is reported).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/analyzer.h"
#include "core/component.h"

#define MAX_FIELD 256
#define MAX_PACKAGES 20000

enum db_kind { DB_NONE, DB_DPKG, DB_OPKG, DB_APK };

struct pkg {
	char name[MAX_FIELD], version[MAX_FIELD], arch[MAX_FIELD], status[MAX_FIELD];
	uint32_t line; /* where the stanza starts */
};

static enum db_kind kind_of(const iota_node *n, char *path, size_t cap)
{
	if (iota_node_inner_path(n, path, cap) < 0)
		return DB_NONE;
	if (strcmp(path, "var/lib/dpkg/status") == 0 || strncmp(path, "var/lib/dpkg/status.d/", 22) == 0)
		return DB_DPKG;
	if (strcmp(path, "usr/lib/opkg/status") == 0 || strcmp(path, "var/lib/opkg/status") == 0)
		return DB_OPKG;
	if (strcmp(path, "lib/apk/db/installed") == 0)
		return DB_APK;
	return DB_NONE;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	char path[IOTA_MAX_PATH];
	(void)head;
	(void)head_len;
	return kind_of(n, path, sizeof path) != DB_NONE;
}

static void copy_field(char *dst, const char *src, size_t len)
{
	while (len && (*src == ' ' || *src == '\t')) {
		src++;
		len--;
	}
	while (len && (src[len - 1] == ' ' || src[len - 1] == '\t' || src[len - 1] == '\r'))
		len--;
	if (len >= MAX_FIELD)
		len = MAX_FIELD - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* A purl component keeps RFC 3986's unreserved characters; the rest
 * (':' of an epoch, '+' of a Debian revision) are %-escaped. */
static void purl_part(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' || c == '~')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
	}
	out[o] = '\0';
}

static void emit(iota_scan *s, iota_node *n, enum db_kind kind, const struct pkg *p)
{
	if (!p->name[0] || !p->version[0])
		return;
	if (kind != DB_APK) {
		/* dpkg: "install ok installed"; opkg: "install user installed" and the like */
		size_t sl = strlen(p->status);
		if (sl < 9 || strcmp(p->status + sl - 9, "installed") != 0 ||
		    strstr(p->status, "not-installed") || strstr(p->status, "config-files"))
			return;
	}
	char match[3 * MAX_FIELD + 64];
	snprintf(match, sizeof match, "%s %s%s%s (line %u)", p->name, p->version,
		 p->arch[0] ? " " : "", p->arch, p->line);
	iota_component *c = iota_component_add(s, p->name, p->version, n, IOTA_REL_IS,
					       IOTA_EV_PACKAGE_DB, match, UINT64_MAX);
	if (!c)
		return;
	char name[3 * MAX_FIELD], version[3 * MAX_FIELD], arch[3 * MAX_FIELD], purl[10 * MAX_FIELD];
	purl_part(name, sizeof name, p->name);
	purl_part(version, sizeof version, p->version);
	purl_part(arch, sizeof arch, p->arch);
	const char *type = kind == DB_DPKG ? "deb/debian" : kind == DB_OPKG ? "openwrt" : "apk/alpine";
	snprintf(purl, sizeof purl, "pkg:%s/%s@%s%s%s", type, name, version,
		 arch[0] ? "?arch=" : "", arch);
	iota_component_set_ids(s, c, NULL, purl, NULL);
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	char path[IOTA_MAX_PATH];
	enum db_kind kind = kind_of(n, path, sizeof path);
	if (kind == DB_NONE)
		return;
	struct pkg p;
	memset(&p, 0, sizeof p);
	const char *d = (const char *)b->data;
	size_t len = b->len, pos = 0;
	uint32_t line = 0;
	unsigned packages = 0;
	bool in_stanza = false;
	while (pos <= len) {
		const char *eol = pos < len ? memchr(d + pos, '\n', len - pos) : NULL;
		size_t l = eol ? (size_t)(eol - (d + pos)) : len - pos;
		const char *t = d + pos;
		line++;
		bool blank = l == 0 || (l == 1 && t[0] == '\r');
		if (blank || pos == len) {
			if (in_stanza) {
				if (++packages > MAX_PACKAGES) {
					iota_finding_add(s, "sbom.pkgdb-truncated", IOTA_SEV_INFO, n, UINT64_MAX,
							 "more than %d packages; the rest are not listed",
							 MAX_PACKAGES);
					return;
				}
				emit(s, n, kind, &p);
			}
			memset(&p, 0, sizeof p);
			in_stanza = false;
		} else if (kind == DB_APK) {
			if (l >= 2 && t[1] == ':') {
				if (!in_stanza)
					p.line = line;
				in_stanza = true;
				char *dst = t[0] == 'P' ? p.name : t[0] == 'V' ? p.version
								  : t[0] == 'A' ? p.arch : NULL;
				if (dst)
					copy_field(dst, t + 2, l - 2);
			}
		} else if (t[0] != ' ' && t[0] != '\t') {
			const char *colon = memchr(t, ':', l);
			if (colon) {
				size_t kl = (size_t)(colon - t);
				const char *v = colon + 1;
				size_t vl = l - kl - 1;
				if (!in_stanza)
					p.line = line;
				in_stanza = true;
				if (kl == 7 && strncmp(t, "Package", 7) == 0)
					copy_field(p.name, v, vl);
				else if (kl == 7 && strncmp(t, "Version", 7) == 0)
					copy_field(p.version, v, vl);
				else if (kl == 12 && strncmp(t, "Architecture", 12) == 0)
					copy_field(p.arch, v, vl);
				else if (kl == 6 && strncmp(t, "Status", 6) == 0)
					copy_field(p.status, v, vl);
			}
		}
		if (!eol)
			break;
		pos += l + 1;
	}
	if (in_stanza)
		emit(s, n, kind, &p);
}

const iota_analyzer iota_analyzer_pkgdb = {
	.name = "pkgdb",
	.description = "installed packages from dpkg, opkg and apk databases (SBOM components)",
	.wants = wants,
	.run_file = run_file,
};
