/*
 * Matching a scan's components against the vulnerability database, and the
 * exposure of each component.
 *
 * Identity. A component from a distribution's package database (purl
 * pkg:deb/..., pkg:apk/...) is a binary package built from a source
 * package: the product is the source ("libc6" -> glibc) and its version is
 * the distribution's ("2.36-9+deb12u3"). It is asked twice (see
 * scan_match.h): the upstream release against upstream ranges, the package
 * version against the distribution's OSV statements for its release. The
 * release comes from the image itself: etc/os-release (os-release(5): ID,
 * VERSION_ID), etc/debian_version, etc/alpine-release, next to the package
 * database; failing those, Debian's "+debNNuM" stable-update suffix in the
 * package versions. Without a release no distribution statement is used.
 *
 * Exposure (used to rank, never to hide). The ELF analyzer resolves every
 * DT_NEEDED inside its file system (attribute elf.libraries, the paths
 * loaded); the services analyzer marks the files of programs started as
 * network servers (svc.listening). A program's level is LISTENING when it
 * is such a server, else LOCAL; every library it loads, directly or through
 * other libraries, gets the highest level of any program reaching it.
 * Libraries of another machine type than the program are not loaded by it
 * (an armhf binary never maps a mipsel libz). A component's level is its
 * node's; for a package-database component, the highest over the files its
 * package lists (dpkg and opkg info/<package>.list), NONE when it lists
 * ELF files and nothing loads them, UNKNOWN when the list is missing or
 * holds no ELF file, and for anything else (the kernel, non-ELF nodes).
 */
#include "vuln/scan_match.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/component.h"
#include "core/scan.h"
#include "sbom/elfdeps.h"
#include "util/alloc.h"
#include "util/version.h"
#include "vuln/vuln_db.h"

#define MAX_LIST_BYTES    (8u << 20)
#define MAX_RELEASE_BYTES 65536

/* ---- identity ---- */

/* Binary packages whose source (and product) name differs in more than a
 * suffix. Debian's and Alpine's names; extend as images need. */
static const struct {
	const char *package, *product;
} pkg_products[] = {
    {"libc6", "glibc"},
    {"libc-bin", "glibc"},
    {"libc6-dev", "glibc"},
    {"libc-l10n", "glibc"},
    {"locales", "glibc"},
    {"zlib1g", "zlib"},
    {"libssl3", "openssl"},
    {"libssl1.1", "openssl"},
    {"libssl1.0.2", "openssl"},
    {"libssl3t64", "openssl"},
    {"libcurl4", "curl"},
    {"libcurl3-gnutls", "curl"},
    {"libexpat1", "expat"},
    {"libsqlite3-0", "sqlite"},
    {"sqlite3", "sqlite"},
    {"libpng16-16", "libpng"},
    {"libjpeg62-turbo", "libjpeg-turbo"},
    {"libjson-c5", "json-c"},
    {"libpcre2-8-0", "pcre2"},
    {"libmbedtls14", "mbedtls"},
    {"libmbedcrypto7", "mbedtls"},
    {"libwolfssl35", "wolfssl"},
    {"libmosquitto1", "mosquitto"},
    {"libxml2", "libxml2"},
    {"libavahi-common3", "avahi"},
    {"libavahi-client3", "avahi"},
    {"ppp", "pppd"},
    {"wpasupplicant", "wpa_supplicant"},
    {"libblkid1", "util-linux"},
    {"libmount1", "util-linux"},
    {"libuuid1", "util-linux"},
    {"libext2fs2", "e2fsprogs"},
    {"libcom-err2", "e2fsprogs"},
    {"lua5.1", "lua"},
    {"lua5.3", "lua"},
    {"lua5.4", "lua"},
    {"musl-utils", "musl"},
    {"libcrypto3", "openssl"},
    {"libssl", "openssl"},
};

static const char *const pkg_suffixes[] = {"-bin",    "-base",  "-server", "-client", "-run",
                                           "-common", "-utils", "-daemon", "-light"};

void iota_match_product(const char *package, char *out, size_t cap)
{
	snprintf(out, cap, "%s", package);
	for (size_t i = 0; i < sizeof pkg_products / sizeof pkg_products[0]; i++)
		if (strcmp(package, pkg_products[i].package) == 0) {
			snprintf(out, cap, "%s", pkg_products[i].product);
			return;
		}
	size_t n = strlen(out);
	for (size_t i = 0; i < sizeof pkg_suffixes / sizeof pkg_suffixes[0]; i++) {
		size_t k = strlen(pkg_suffixes[i]);
		if (n > k && strcmp(out + n - k, pkg_suffixes[i]) == 0) {
			out[n - k] = '\0';
			return;
		}
	}
	if (strncmp(out, "openssh-", 8) == 0)
		out[7] = '\0';
}

void iota_match_upstream_version(const char *version, char *out, size_t cap)
{
	const char *v = version;
	const char *colon = strchr(v, ':');
	if (colon && colon > v) {
		const char *p = v;
		while (p < colon && isdigit((unsigned char)*p))
			p++;
		if (p == colon)
			v = colon + 1;
	}
	snprintf(out, cap, "%s", v);
	char *dash = strrchr(out, '-');
	if (dash && dash != out)
		*dash = '\0';
	/* repacks: 1.2.13.dfsg, 2.10+dfsg, 1.0~ds1 */
	for (char *p = out; *p; p++) {
		if ((*p == '+' || *p == '~') && p != out) {
			*p = '\0';
			break;
		}
		if (*p == '.' && (strncmp(p, ".dfsg", 5) == 0 || strncmp(p, ".ds", 3) == 0)) {
			*p = '\0';
			break;
		}
	}
}

static int distro_purl(const char *purl)
{
	return purl && (strncmp(purl, "pkg:deb/", 8) == 0 || strncmp(purl, "pkg:apk/", 8) == 0 ||
	                strncmp(purl, "pkg:rpm/", 8) == 0);
}

static int has_osv(const iota_vuln_match *m)
{
	for (size_t i = 0; i < m->nevidence; i++)
		if (m->evidence[i].source && strcmp(m->evidence[i].source, "osv") == 0)
			return 1;
	return 0;
}

static int order(const void *a, const void *b)
{
	/* the matcher's own order: status, then the higher score, then the id */
	const iota_vuln_match *x = a, *y = b;
	if (x->status != y->status)
		return (int)x->status - (int)y->status;
	double sx = x->cvss3 > x->cvss4 ? x->cvss3 : x->cvss4;
	double sy = y->cvss3 > y->cvss4 ? y->cvss3 : y->cvss4;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return iota_version_cmp(x->cve, y->cve);
}

/* Says in the status text that an upstream verdict concerns a distribution
 * build whose backported fixes were not assessed. */
static int note_upstream(iota_vuln_match *m, const char *upstream)
{
	if (m->status == IOTA_VULN_NOT_AFFECTED || !m->status_text ||
	    strstr(m->status_text, "distro build"))
		return 0;
	size_t n = strlen(m->status_text) + strlen(upstream) + 96;
	char *t = iota_malloc(n);
	if (!t)
		return -1;
	snprintf(t, n, "%s (distro build: upstream %s compared; backported fixes not assessed)",
	         m->status_text, upstream);
	iota_free(m->status_text);
	m->status_text = t;
	return 0;
}

iota_rc iota_match_component(iota_vulndb *db, const iota_match_input *in, iota_vuln_result **out)
{
	*out = NULL;
	if (!in->name || !*in->name)
		return IOTA_OK;
	int distro = distro_purl(in->purl);
	char product[128], upstream[256];
	if (distro) {
		iota_match_product(in->name, product, sizeof product);
		iota_match_upstream_version(in->version ? in->version : "", upstream,
		                            sizeof upstream);
	} else {
		snprintf(product, sizeof product, "%s", in->name);
		snprintf(upstream, sizeof upstream, "%s", in->version ? in->version : "");
	}
	iota_vuln_query q = {.name = product,
	                     .version = upstream,
	                     .vendor = in->vendor,
	                     .cpe = in->cpe,
	                     .kconfig_enabled = in->kconfig_enabled,
	                     .kconfig_known = in->kconfig_known,
	                     .flags = in->kconfig_known ? IOTA_VULN_INCLUDE_NOT_APPLICABLE : 0};
	iota_vuln_result *up = NULL, *dist = NULL;
	iota_rc rc = iota_vulndb_match(db, &q, &up);
	if (rc != IOTA_OK)
		return rc;
	if (!distro || !in->ecosystem) {
		for (size_t i = 0; distro && i < up->count; i++)
			if (note_upstream(&up->matches[i], upstream) != 0)
				goto nomem;
		*out = up;
		return IOTA_OK;
	}
	iota_vuln_query dq = {.name = product,
	                      .version = in->version,
	                      .ecosystem = in->ecosystem,
	                      .flags = IOTA_VULN_INCLUDE_NOT_AFFECTED};
	rc = iota_vulndb_match(db, &dq, &dist);
	if (rc != IOTA_OK) {
		iota_vuln_result_free(up);
		return rc;
	}
	/* the distribution's statements replace upstream verdicts on the same CVE */
	size_t extra = 0;
	for (size_t i = 0; i < dist->count; i++)
		extra += has_osv(&dist->matches[i]);
	if (extra) {
		iota_vuln_match *nm =
		    iota_realloc(up->matches, (up->count + extra) * sizeof *up->matches);
		if (!nm)
			goto nomem;
		up->matches = nm;
	}
	for (size_t i = 0; i < dist->count; i++) {
		iota_vuln_match *d = &dist->matches[i];
		if (!has_osv(d))
			continue;
		size_t k = 0;
		while (k < up->count && strcmp(up->matches[k].cve, d->cve) != 0)
			k++;
		if (k < up->count) {
			if (up->matches[k].status == IOTA_VULN_UNKNOWN)
				up->unknown--;
			iota_vuln_match_release(&up->matches[k]);
		} else {
			k = up->count++;
		}
		up->matches[k] = *d;
		memset(d, 0, sizeof *d);
		if (up->matches[k].status == IOTA_VULN_UNKNOWN)
			up->unknown++;
	}
	for (size_t i = 0; i < up->count; i++)
		if (!has_osv(&up->matches[i]) && note_upstream(&up->matches[i], upstream) != 0)
			goto nomem;
	if (up->count)
		qsort(up->matches, up->count, sizeof *up->matches, order);
	/* the identity searched: both questions */
	if (dist->identity && up->identity) {
		size_t n = strlen(up->identity) + strlen(dist->identity) + 64;
		char *t = iota_malloc(n);
		if (!t)
			goto nomem;
		snprintf(t, n, "upstream %s: %s; distro build %s", upstream, up->identity,
		         in->ecosystem);
		iota_free(up->identity);
		up->identity = t;
	}
	iota_vuln_result_free(dist);
	*out = up;
	return IOTA_OK;
nomem:
	iota_vuln_result_free(up);
	iota_vuln_result_free(dist);
	iota_vdb_seterr(db, "out of memory");
	return IOTA_NOMEM;
}

char *iota_match_db_summary(iota_vulndb *db)
{
	iota_vulndb_info *info = NULL;
	if (iota_vulndb_info_get(db, &info) != IOTA_OK)
		return NULL;
	char buf[1024];
	size_t o = (size_t)snprintf(buf, sizeof buf, "%llu CVE records, %llu KEV entries",
	                            (unsigned long long)info->cves, (unsigned long long)info->kev);
	if (info->kev_catalog && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, " (catalog %s)", info->kev_catalog);
	/* one entry per source name, the newest date seen; sources are listed in
	 * the database's order, which is by name */
	for (size_t i = 0; i < info->nsources && o < sizeof buf; i++) {
		const iota_vulndb_source_info *si = &info->sources[i];
		if (!si->name || strcmp(si->name, "kev") == 0)
			continue;
		o += (size_t)snprintf(buf + o, sizeof buf - o, "; %s%s%s", si->name,
		                      si->newest ? " newest " : "", si->newest ? si->newest : "");
	}
	if (info->update_last && o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, "; updated to %s", info->update_last);
	iota_vulndb_info_free(info);
	return iota_strdup(buf);
}

/* ---- the image's distribution release ---- */

/* Looks up a path below root (absolute paths start at root, relative ones
 * at base), following symbolic links a few hops; links never leave root. */
static iota_node *lookup_from(iota_scan *s, iota_node *root, iota_node *base, const char *path,
                              int hops)
{
	iota_node *cur = path[0] == '/' ? root : base;
	const char *p = path;
	while (*p && cur) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (cur != root)
				cur = cur->parent;
		} else if (!(len == 1 && p[0] == '.')) {
			iota_node *next = iota_vfs_child(s, cur, p, len);
			if (next && next->kind == IOTA_NODE_SYMLINK && next->link)
				next = hops >= 8 ? NULL
				                 : lookup_from(s, root, cur, next->link, hops + 1);
			cur = next;
		}
		p += len;
	}
	return cur;
}

static iota_node *lookup(iota_scan *s, iota_node *root, const char *path, int hops)
{
	return lookup_from(s, root, root, path, hops);
}

/* Reads a small file's content into buf (NUL-terminated); 0 on success. */
static int read_small(iota_scan *s, iota_node *n, char *buf, size_t cap)
{
	if (!n || n->kind != IOTA_NODE_FILE)
		return -1;
	iota_blob *b = NULL;
	if (iota_node_content(s, n, &b) != IOTA_OK || !b)
		return -1;
	size_t len = b->len < cap - 1 ? b->len : cap - 1;
	memcpy(buf, b->data, len);
	buf[len] = '\0';
	iota_blob_unref(b);
	return 0;
}

/* The value of KEY= in an os-release file, unquoted. */
static int os_release_value(const char *text, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);
		if (l > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t vl = l - kl - 1;
			if (vl && (v[0] == '"' || v[0] == '\'')) {
				v++;
				vl--;
				if (vl && (v[vl - 1] == '"' || v[vl - 1] == '\''))
					vl--;
			}
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

/* "Debian:12", "Ubuntu:22.04", "Alpine:v3.18" from the release files below
 * root; "" when none says. */
static void release_of(iota_scan *s, iota_node *root, char *out, size_t cap)
{
	char *text = iota_malloc(MAX_RELEASE_BYTES);
	out[0] = '\0';
	if (!text)
		return;
	char id[64] = "", ver[64] = "";
	if (read_small(s, lookup(s, root, "etc/os-release", 0), text, MAX_RELEASE_BYTES) == 0 ||
	    read_small(s, lookup(s, root, "usr/lib/os-release", 0), text, MAX_RELEASE_BYTES) == 0) {
		os_release_value(text, "ID", id, sizeof id);
		os_release_value(text, "VERSION_ID", ver, sizeof ver);
	}
	if (!strcmp(id, "debian") && ver[0]) {
		snprintf(out, cap, "Debian:%s", ver);
	} else if (!strcmp(id, "ubuntu") && ver[0]) {
		snprintf(out, cap, "Ubuntu:%s", ver);
	} else if (!strcmp(id, "alpine") && ver[0]) {
		/* OSV: "Alpine:v3.18" from VERSION_ID 3.18.4 */
		char *dot = strchr(ver, '.');
		if (dot && (dot = strchr(dot + 1, '.')) != NULL)
			*dot = '\0';
		snprintf(out, cap, "Alpine:v%s", ver);
	} else if (read_small(s, lookup(s, root, "etc/debian_version", 0), text, 64) == 0 &&
	           isdigit((unsigned char)text[0])) {
		snprintf(out, cap, "Debian:%ld", strtol(text, NULL, 10));
	} else if (read_small(s, lookup(s, root, "etc/alpine-release", 0), text, 64) == 0 &&
	           isdigit((unsigned char)text[0])) {
		char *dot = strchr(text, '.');
		if (dot && (dot = strchr(dot + 1, '.')) != NULL)
			*dot = '\0';
		text[strcspn(text, "\r\n")] = '\0';
		snprintf(out, cap, "Alpine:v%s", text);
	}
	iota_free(text);
}

/* The file-system root of a package database node: three levels above
 * var/lib/dpkg/status, usr/lib/opkg/status, lib/apk/db/installed; the
 * status.d/<pkg> form has one more. */
static iota_node *pkgdb_root(const iota_node *db, const char **kind)
{
	char path[IOTA_MAX_PATH];
	*kind = NULL;
	if (!db || iota_node_inner_path(db, path, sizeof path) < 0)
		return NULL;
	int up = 0;
	if (!strcmp(path, "var/lib/dpkg/status") || !strcmp(path, "var/lib/opkg/status") ||
	    !strcmp(path, "usr/lib/opkg/status") || !strcmp(path, "lib/apk/db/installed"))
		up = 4;
	else if (!strncmp(path, "var/lib/dpkg/status.d/", 22))
		up = 5;
	if (!up)
		return NULL;
	*kind = path[0] == 'l' ? "apk" : strstr(path, "opkg") ? "opkg" : "dpkg";
	iota_node *r = (iota_node *)db;
	for (int i = 0; i < up && r; i++)
		r = r->parent;
	/* the top of a container is the container node itself */
	return r;
}

/* ---- exposure ---- */

struct enode {
	iota_node *n;
	iota_exposure level;
	const char *via; /* origin of the listening program (arena) */
};

struct graph {
	iota_scan *s;
	struct enode *v; /* every ELF file, sorted by pointer for lookup */
	size_t n, cap;
};

static int by_ptr(const void *a, const void *b)
{
	const struct enode *x = a, *y = b;
	return x->n < y->n ? -1 : x->n > y->n;
}

static struct enode *enode_of(struct graph *g, const iota_node *n)
{
	struct enode key = {.n = (iota_node *)n};
	return g->n ? bsearch(&key, g->v, g->n, sizeof *g->v, by_ptr) : NULL;
}

static int collect(struct graph *g, iota_node *n)
{
	for (iota_node *c = n->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_FILE && iota_node_attr_get(c, "elf.machine")) {
			if (g->n == g->cap) {
				size_t nc = g->cap ? g->cap * 2 : 256;
				struct enode *nv = iota_realloc(g->v, nc * sizeof *nv);
				if (!nv)
					return -1;
				g->v = nv;
				g->cap = nc;
			}
			g->v[g->n++] = (struct enode){.n = c, .level = IOTA_EXPO_NONE};
		}
		if (collect(g, c) != 0)
			return -1;
	}
	return 0;
}

static int is_program(const iota_node *n)
{
	const char *t = iota_node_attr_get(n, "elf.type");
	return (t && strcmp(t, "exec") == 0) || iota_node_attr_get(n, "elf.interpreter") ||
	       iota_node_attr_get(n, "svc.listening") || iota_node_attr_get(n, "svc.started_by");
}

struct prog {
	struct enode *e;
	char origin[IOTA_MAX_PATH];
};

static int by_origin(const void *a, const void *b)
{
	return strcmp(((const struct prog *)a)->origin, ((const struct prog *)b)->origin);
}

struct spread_step {
	struct graph *g;
	struct enode **queue;
	size_t *tail;
	unsigned char *seen;
};

/* Queues a library not yet reached from this program. */
static int spread_lib(void *ctx, iota_node *lib)
{
	struct spread_step *st = ctx;
	struct enode *le = enode_of(st->g, lib);
	if (le && !st->seen[le - st->g->v]) {
		st->seen[le - st->g->v] = 1;
		st->queue[(*st->tail)++] = le;
	}
	return 0;
}

/* Spreads one program's level over the libraries it loads (breadth first,
 * every node at most once per program). */
static int spread(struct graph *g, struct enode *prog, iota_exposure level, const char *via,
                  struct enode **queue, unsigned char *seen)
{
	size_t head = 0, tail = 0;
	memset(seen, 0, g->n);
	queue[tail++] = prog;
	seen[prog - g->v] = 1;
	while (head < tail) {
		struct enode *cur = queue[head++];
		if (level > cur->level) {
			cur->level = level;
			cur->via = via;
		}
		struct spread_step st = {g, queue, &tail, seen};
		iota_elf_each_library(g->s, cur->n, spread_lib, &st);
	}
	return 0;
}

static int build_graph(struct graph *g)
{
	if (!g->s->root)
		return 0;
	if (collect(g, g->s->root) != 0)
		return -1;
	if (!g->n)
		return 0;
	qsort(g->v, g->n, sizeof *g->v, by_ptr);
	struct prog *progs = iota_calloc(g->n, sizeof *progs);
	struct enode **queue = iota_calloc(g->n, sizeof *queue);
	unsigned char *seen = iota_calloc(g->n, 1);
	int rc = -1;
	if (!progs || !queue || !seen)
		goto out;
	size_t np = 0;
	for (size_t i = 0; i < g->n; i++)
		if (is_program(g->v[i].n)) {
			progs[np].e = &g->v[i];
			if (iota_node_origin(g->v[i].n, progs[np].origin, sizeof progs[np].origin) <
			    0)
				progs[np].origin[0] = '\0';
			np++;
		}
	/* listening programs first, each in origin order: the first to reach a
	 * library names it */
	qsort(progs, np, sizeof *progs, by_origin);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < np; i++) {
			int listening = iota_node_attr_get(progs[i].e->n, "svc.listening") != NULL;
			if (listening != (pass == 0))
				continue;
			const char *via =
			    listening ? iota_arena_strdup(g->s->arena, progs[i].origin) : NULL;
			spread(g, progs[i].e, listening ? IOTA_EXPO_LISTENING : IOTA_EXPO_LOCAL,
			       via, queue, seen);
		}
	rc = 0;
out:
	iota_free(progs);
	iota_free(queue);
	iota_free(seen);
	return rc;
}

/* The highest level over the files a dpkg/opkg package lists. */
static iota_exposure package_exposure(struct graph *g, iota_node *root, const char *kind,
                                      const char *pkg, const char *owner, const char **via)
{
	*via = NULL;
	iota_node *info = lookup(g->s, root,
	                         strcmp(kind, "dpkg") == 0   ? "var/lib/dpkg/info"
	                         : strcmp(kind, "opkg") == 0 ? "usr/lib/opkg/info"
	                                                     : "",
	                         0);
	if (!info || strcmp(kind, "apk") == 0)
		return IOTA_EXPO_UNKNOWN;
	if (strcmp(kind, "opkg") == 0 && !info->first_child)
		info = lookup(g->s, root, "var/lib/opkg/info", 0);
	size_t pl = strlen(pkg);
	iota_exposure best = IOTA_EXPO_UNKNOWN;
	for (iota_node *f = info ? info->first_child : NULL; f; f = f->next_sibling) {
		/* "<pkg>.list" or "<pkg>:<arch>.list" (multi-arch) */
		size_t nl = strlen(f->name);
		if (nl < pl + 5 || strncmp(f->name, pkg, pl) != 0 ||
		    (f->name[pl] != '.' && f->name[pl] != ':') || strcmp(f->name + nl - 5, ".list"))
			continue;
		if (f->name[pl] == '.' && nl != pl + 5)
			continue;
		iota_blob *b = NULL;
		if (f->kind != IOTA_NODE_FILE || iota_node_content(g->s, f, &b) != IOTA_OK || !b)
			continue;
		size_t len = b->len < MAX_LIST_BYTES ? b->len : MAX_LIST_BYTES;
		const char *d = (const char *)b->data;
		for (size_t pos = 0; pos < len;) {
			const char *eol = memchr(d + pos, '\n', len - pos);
			size_t l = eol ? (size_t)(eol - (d + pos)) : len - pos;
			char path[IOTA_MAX_PATH];
			if (l > 1 && l < sizeof path) {
				memcpy(path, d + pos, l);
				path[l] = '\0';
				iota_node *n = lookup(g->s, root, path, 0);
				struct enode *e = n ? enode_of(g, n) : NULL;
				if (e && owner && !iota_node_attr_get(e->n, "sbom.package"))
					iota_node_attr(g->s, e->n, "sbom.package", "%s", owner);
				if (e) {
					if (best == IOTA_EXPO_UNKNOWN || e->level > best) {
						best = e->level;
						*via = e->via;
					}
				}
			}
			pos += l + 1;
		}
		iota_blob_unref(b);
	}
	return best;
}

static int is_pkgdb(const iota_component *c)
{
	for (const iota_evidence *e = c->evidence; e; e = e->next)
		if (e->method == IOTA_EV_PACKAGE_DB)
			return 1;
	return 0;
}

static void exposure_of(struct graph *g, iota_component *c)
{
	c->exposure = IOTA_EXPO_UNKNOWN;
	c->exposure_via = NULL;
	struct enode *e = c->node ? enode_of(g, c->node) : NULL;
	if (e) {
		c->exposure = e->level;
		c->exposure_via = e->via;
		return;
	}
	const char *kind = NULL;
	iota_node *root = is_pkgdb(c) ? pkgdb_root(c->node, &kind) : NULL;
	if (root && kind) {
		const char *via = NULL;
		char owner[512];
		snprintf(owner, sizeof owner, "%s %s", c->name, c->version);
		c->exposure = package_exposure(g, root, kind, c->name, owner, &via);
		c->exposure_via = via;
	}
}

/* ---- the scan ---- */

struct release_cache {
	iota_node *root;
	char eco[64];
};

/* Debian's stable updates carry "+debNNuM"/"~debNNuM": the release when no
 * release file says. 0 if no package of the database has one. */
static long debian_from_versions(iota_scan *s, const iota_node *db)
{
	long best = 0;
	for (const iota_component *c = s->components; c; c = c->next) {
		if (c->node != db)
			continue;
		const char *p = strstr(c->version, "deb");
		if (p && p > c->version && (p[-1] == '+' || p[-1] == '~') &&
		    isdigit((unsigned char)p[3])) {
			char *end;
			long v = strtol(p + 3, &end, 10);
			if (*end == 'u' && v > best)
				best = v;
		}
	}
	return best;
}

iota_rc iota_scan_sbom_links(iota_scan *s)
{
	if (!s->root || iota_node_attr_get(s->root, "sbom.linked"))
		return IOTA_OK;
	struct graph g = {.s = s};
	if (build_graph(&g) != 0) {
		iota_free(g.v);
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	}
	struct release_cache rel[8];
	size_t nrel = 0;
	size_t ncomp = 0;
	iota_component **cv = iota_components_sorted(s, &ncomp);
	if (!cv && s->ncomponents) {
		iota_free(g.v);
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < ncomp; i++) {
		iota_component *c = cv[i];
		exposure_of(&g, c);
		if (!distro_purl(c->purl) || !is_pkgdb(c) || !c->node)
			continue;
		const char *kind;
		iota_node *root = pkgdb_root(c->node, &kind);
		size_t k = 0;
		while (k < nrel && rel[k].root != root)
			k++;
		if (k == nrel && nrel < sizeof rel / sizeof rel[0]) {
			rel[k].root = root;
			rel[k].eco[0] = '\0';
			if (root)
				release_of(s, root, rel[k].eco, sizeof rel[k].eco);
			long deb = rel[k].eco[0] ? 0 : debian_from_versions(s, c->node);
			if (deb && !strncmp(c->purl, "pkg:deb/debian/", 15))
				snprintf(rel[k].eco, sizeof rel[k].eco, "Debian:%ld", deb);
			nrel++;
		}
		/* the release is a fact about the package database */
		if (k < nrel && rel[k].eco[0] && !iota_node_attr_get(c->node, "sbom.ecosystem"))
			iota_node_attr(s, c->node, "sbom.ecosystem", "%s", rel[k].eco);
	}
	iota_free(cv);
	iota_free(g.v);
	iota_node_attr(s, s->root, "sbom.linked", "yes");
	return IOTA_OK;
}

/* The first node (tree order) that records where a kernel configuration
 * is: the kernel image itself (IKCONFIG) or a .config / config.gz file. */
static iota_node *find_kconfig_node(iota_node *n, unsigned depth)
{
	for (; n && depth < 64; n = n->next_sibling) {
		if (iota_node_attr_get(n, "kernel.config_source"))
			return n;
		iota_node *k = find_kconfig_node(n->first_child, depth + 1);
		if (k)
			return k;
	}
	return NULL;
}

static iota_kconfig *node_kconfig(iota_scan *s, iota_node *n)
{
	if (!n || n->kind != IOTA_NODE_FILE)
		return NULL;
	iota_blob *b = NULL;
	if (n == s->root && s->input_blob) /* the input's bytes stay mapped */
		b = iota_blob_ref(s->input_blob);
	else if (iota_node_content(s, n, &b) != IOTA_OK)
		b = NULL;
	if (!b)
		return NULL;
	iota_kconfig *k = NULL;
	iota_rc rc = iota_kconfig_from_bytes(b->data, b->len, &k);
	iota_blob_unref(b);
	if (rc != IOTA_OK && rc != IOTA_WARN) {
		iota_kconfig_free(k);
		return NULL;
	}
	return k;
}

/* The kernel configuration the image shows, or NULL: embedded in the
 * kernel image (IKCONFIG), else the first config file the lifecycle
 * analyzer recognised (whose bytes may be gone if it was a stream member). */
static iota_kconfig *image_kconfig(iota_scan *s, const iota_component *c)
{
	iota_kconfig *k = NULL;
	if (c->node && iota_node_attr_get(c->node, "kernel.banner"))
		k = node_kconfig(s, c->node);
	if (!k)
		k = node_kconfig(s, find_kconfig_node(s->root, 0));
	return k;
}

iota_rc iota_scan_match(iota_scan *s, struct iota_vulndb *db)
{
	if (!db)
		return iota_scan_fail(s, IOTA_FATAL, "no vulnerability database");
	iota_rc rc = iota_scan_sbom_links(s);
	if (rc != IOTA_OK)
		return rc;
	char *summary = iota_match_db_summary(db);
	if (summary) {
		s->vulndb_summary = iota_arena_strdup(s->arena, summary);
		iota_free(summary);
	} else {
		s->vulndb_summary = "vulnerability database (no description)";
	}
	size_t ncomp = 0;
	iota_component **cv = iota_components_sorted(s, &ncomp);
	if (!cv && s->ncomponents)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	for (size_t i = 0; i < ncomp && rc == IOTA_OK; i++) {
		iota_component *c = cv[i];
		iota_match_input in = {.name = c->name,
		                       .version = c->version,
		                       .vendor = c->vendor,
		                       .purl = c->purl,
		                       .cpe = c->cpe,
		                       .ecosystem =
		                           c->node && distro_purl(c->purl)
		                               ? iota_node_attr_get(c->node, "sbom.ecosystem")
		                               : NULL};
		/* the kernel: the stable release from the banner, and its configuration */
		char kver[64];
		iota_kconfig *kc = NULL;
		if (strcmp(c->name, "linux") == 0 && !distro_purl(c->purl)) {
			const char *v = c->node ? iota_node_attr_get(c->node, "kernel.version") : NULL;
			const char *banner = c->node ? iota_node_attr_get(c->node, "kernel.banner") : NULL;
			if (v && iota_kernel_upstream_version(v, banner, kver, sizeof kver))
				in.version = kver;
			kc = image_kconfig(s, c);
			if (kc) {
				in.kconfig_enabled = (const char *const *)kc->enabled;
				in.kconfig_known = 1;
			}
		}
		iota_vuln_result_free(c->vulns);
		c->vulns = NULL;
		iota_vuln_result *r = NULL;
		iota_rc mr = iota_match_component(db, &in, &r);
		iota_kconfig_free(kc);
		if (mr != IOTA_OK) {
			rc = iota_scan_fail(s, mr == IOTA_NOMEM ? IOTA_NOMEM : IOTA_FATAL,
			                    "matching %s %s: %s", c->name, c->version,
			                    iota_vulndb_error(db));
			break;
		}
		c->vulns = r;
	}
	iota_free(cv);
	return rc;
}
