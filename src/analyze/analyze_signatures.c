/*
 * Components from binary signatures: which products a file's bytes carry,
 * in which version (src/sbom/signatures.h holds the engine, data/signatures/
 * the products).
 *
 * Every file with binary content (ELF or not, a damaged or truncated ELF
 * included) is scanned once with all prefilters; each product found becomes
 * a component with the matched text and its offset as evidence:
 *   IS        the file is the product: its base name matches the signature's
 *             file names, or its DT_SONAME (or, when the ELF could not be
 *             parsed, its own name) one of the signature's sonames
 *   CONTAINS  the file carries its own copy (statically linked, bundled)
 * A dynamically linked ELF that DT_NEEDs one of the product's sonames only
 * uses the product and is not credited with it, whatever its strings say
 * (libssh linking libcrypto is not OpenSSL). The ELF facts come from the elf
 * analyzer, which runs before this one (analyzers run in name order).
 *
 * Bytes that belong to a container found inside the file (a cpio in a
 * kernel, an ext4 image) are skipped: the members are scanned themselves.
 *
 * Kernel: lifecycle makes the "linux" component from the kernel banner;
 * here modules add their vermagic ("vermagic=6.1.0-18-amd64 SMP ...",
 * include/linux/vermagic.h) and uImage headers their image name
 * ("Linux-5.10.0") as evidence to it, or make it when no banner was seen.
 * busybox's compiled-in applet list is recorded as node attributes.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "analyze/textscan.h"
#include "core/analyzer.h"
#include "core/component.h"
#include "core/unpacker.h"
#include "sbom/signatures.h"
#include "util/alloc.h"

#define MIN_SIZE            16
#define MAX_PER_FILE        64
#define MAX_KERNEL_EVIDENCE 16

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	if (n->size < MIN_SIZE || head_len < MIN_SIZE)
		return 0;
	if (memcmp(head,
	           "\x7f"
	           "ELF",
	           4) == 0)
		return 1;
	size_t look = head_len < 4096 ? head_len : 4096;
	return memchr(head, 0, look) != NULL || !iota_ts_is_text(head, look);
}

/* "libcrypto.so" matches "libcrypto.so", "libcrypto.so.3", "libcrypto.so.1.1" */
static bool soname_is(const char *name, const char *prefix)
{
	size_t l = strlen(prefix);
	return strncmp(name, prefix, l) == 0 && (name[l] == '\0' || name[l] == '.');
}

static bool any_soname(const char *name, const iota_sig *g)
{
	for (unsigned i = 0; name && i < g->nsonames; i++)
		if (soname_is(name, g->sonames[i]))
			return true;
	return false;
}

/* elf.needed is a comma-separated list */
static bool needs(const char *needed, const iota_sig *g)
{
	if (!needed)
		return false;
	char one[256];
	while (*needed) {
		size_t l = strcspn(needed, ",");
		snprintf(one, sizeof one, "%.*s", (int)(l < 255 ? l : 255), needed);
		if (any_soname(one, g))
			return true;
		needed += l;
		if (*needed == ',')
			needed++;
	}
	return false;
}

struct found {
	const iota_sig *sig;
	char version[64];
	char match[208];
	uint64_t offset;
	bool is;
};

struct fctx {
	iota_scan *s;
	iota_node *n;
	const iota_blob *b;
	struct found found[MAX_PER_FILE];
	unsigned nfound;
	uint64_t base; /* of the bytes being scanned, in the file */
	bool applets_done;
};

static bool in_child_container(const iota_node *n, uint64_t off)
{
	for (const iota_node *c = n->first_child; c; c = c->next_sibling)
		if (c->kind == IOTA_NODE_CONTAINER && off >= c->offset &&
		    (c->size == 0 || off - c->offset < c->size))
			return true;
	return false;
}

static void record_applets(struct fctx *f)
{
	if (f->applets_done)
		return;
	f->applets_done = true;
	char *list = iota_calloc(1, 32768);
	if (!list)
		return;
	size_t n = iota_busybox_applets(f->b->data, f->b->len, list, 32768);
	if (n) {
		/* an attribute holds at most ~1 KiB: the list goes in parts cut at
		 * commas, busybox.applets.1, .2, ... in order */
		iota_node_attr(f->s, f->n, "busybox.applet_count", "%zu", n);
		const char *p = list;
		for (unsigned part = 1; *p && part < 100; part++) {
			size_t l = strlen(p);
			if (l > 1000) {
				l = 1000;
				while (l > 0 && p[l] != ',')
					l--;
				if (l == 0)
					break;
			}
			char key[32];
			snprintf(key, sizeof key, "busybox.applets.%u", part);
			iota_node_attr(f->s, f->n, key, "%.*s", (int)l, p);
			p += l;
			if (*p == ',')
				p++;
		}
	}
	iota_free(list);
}

static int on_hit(void *ctx, const iota_sig_hit *h)
{
	struct fctx *f = ctx;
	const iota_sig *g = h->sig;
	uint64_t off = h->offset == UINT64_MAX ? UINT64_MAX : h->offset + f->base;
	if (off != UINT64_MAX && in_child_container(f->n, off))
		return 0;
	if (strcmp(g->product, "linux") == 0) {
		/* a module's vermagic: kept for run_tree, which joins it to the kernel */
		if (!iota_node_attr_get(f->n, "kernel.vermagic"))
			iota_node_attr(f->s, f->n, "kernel.vermagic", "%s", h->version);
		return 0;
	}
	const char *name = f->n->name ? f->n->name : "";
	const char *soname = iota_node_attr_get(f->n, "elf.soname");
	bool parsed = iota_node_attr_get(f->n, "elf.class") != NULL;
	bool is = false;
	for (unsigned i = 0; i < g->nfiles && !is; i++)
		is = fnmatch(g->files[i], name, 0) == 0;
	if (!is)
		is = soname ? any_soname(soname, g) : any_soname(name, g);
	if (!is && parsed && needs(iota_node_attr_get(f->n, "elf.needed"), g))
		return 0; /* it links the product's library: a user, not a copy */
	if (!is && g->is_only)
		return 0;
	if (!is && g->confirm && !memmem(f->b->data, f->b->len, g->confirm, g->confirm_len))
		return 0; /* the version text without the product's code: a mention */
	if (f->nfound >= MAX_PER_FILE)
		return 1;
	struct found *k = &f->found[f->nfound++];
	k->sig = g;
	snprintf(k->version, sizeof k->version, "%s", h->version);
	snprintf(k->match, sizeof k->match, "%s", h->match);
	k->offset = off;
	k->is = is || off == UINT64_MAX;
	return 0;
}

/* "9.2" where the same file also says "9.2p1" (OpenSSH's SSH_VERSION next to
 * SSH_RELEASE): the shorter is the same release, not another copy. */
static bool shadowed(const struct fctx *f, const struct found *k)
{
	size_t l = strlen(k->version);
	for (unsigned i = 0; i < f->nfound; i++) {
		const struct found *o = &f->found[i];
		if (o != k && strcmp(o->sig->product, k->sig->product) == 0 &&
		    strncmp(o->version, k->version, l) == 0 &&
		    isalpha((unsigned char)o->version[l]))
			return true;
	}
	return false;
}

static void emit(struct fctx *f)
{
	for (unsigned i = 0; i < f->nfound; i++) {
		struct found *k = &f->found[i];
		if (shadowed(f, k))
			continue;
		bool by_name = k->offset == UINT64_MAX;
		iota_component *c = iota_component_add(
		    f->s, k->sig->product, k->version, f->n,
		    k->is ? IOTA_REL_IS : IOTA_REL_CONTAINS,
		    by_name ? IOTA_EV_FILENAME : IOTA_EV_SIGNATURE, k->match, k->offset);
		if (!c)
			return;
		if (!c->purl) {
			char cpe[256], purl[256];
			iota_sig_ids(k->sig, k->version, cpe, sizeof cpe, purl, sizeof purl);
			iota_component_set_ids(f->s, c, k->sig->vendor, purl, cpe[0] ? cpe : NULL);
		}
		if (strcmp(k->sig->product, "busybox") == 0)
			record_applets(f);
	}
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	char err[256];
	const iota_sigdb *db = iota_sigdb_builtin(err, sizeof err);
	if (!db) {
		static atomic_flag told = ATOMIC_FLAG_INIT;
		if (!atomic_flag_test_and_set(&told))
			iota_finding_add(s, "sbom.signatures", IOTA_SEV_INFO, NULL, UINT64_MAX,
			                 "binary signatures unavailable: %s", err);
		return;
	}
	struct fctx *f = iota_calloc(1, sizeof *f);
	if (!f)
		return;
	f->s = s;
	f->n = n;
	f->b = b;
	/* bytes of containers found in the file are their members' business:
	 * only the gaps between them are scanned (an image is mostly containers) */
	uint64_t at = 0;
	for (;;) {
		uint64_t next = b->len, resume = b->len;
		for (const iota_node *c = n->first_child; c; c = c->next_sibling) {
			if (c->kind != IOTA_NODE_CONTAINER || c->offset < at || c->offset >= next)
				continue;
			next = c->offset;
			resume =
			    c->size && c->size <= b->len - c->offset ? c->offset + c->size : b->len;
		}
		if (next > at) {
			f->base = at;
			iota_sigdb_scan(db, b->data + at, (size_t)(next - at), on_hit, f);
		}
		if (resume >= b->len || resume <= at)
			break;
		at = resume;
	}
	f->base = 0;
	iota_sigdb_match_name(db, n->name, on_hit, f);
	emit(f);
	iota_free(f);
}

/* ---- the kernel, across files ---- */

static const iota_sig *linux_sig(void)
{
	const iota_sigdb *db = iota_sigdb_builtin(NULL, 0);
	return db ? iota_sigdb_find(db, "linux") : NULL;
}

/* The upstream part of a kernel version: "6.1.0-18-amd64" -> "6.1.0" */
static size_t upstream_len(const char *v)
{
	return strspn(v, "0123456789.");
}

static bool same_upstream(const char *a, const char *b)
{
	size_t la = upstream_len(a), lb = upstream_len(b);
	return la && la == lb && strncmp(a, b, la) == 0;
}

static iota_component *kernel_for(iota_scan *s, const char *version, bool exact)
{
	for (iota_component *c = s->components; c; c = c->next)
		if (strcmp(c->name, "linux") == 0 &&
		    (exact ? strcmp(c->version, version) == 0 : same_upstream(c->version, version)))
			return c;
	return NULL;
}

static bool below(const iota_node *n, const iota_node *top)
{
	for (; n; n = n->parent)
		if (n == top)
			return true;
	return false;
}

static void set_linux_ids(iota_scan *s, iota_component *c)
{
	const iota_sig *g = linux_sig();
	if (!g || c->purl)
		return;
	char cpe[256], purl[256], up[64];
	snprintf(up, sizeof up, "%.*s", (int)upstream_len(c->version), c->version);
	iota_sig_ids(g, up, cpe, sizeof cpe, purl, sizeof purl);
	iota_component_set_ids(s, c, g->vendor, purl, cpe[0] ? cpe : NULL);
}

struct kwalk {
	iota_scan *s;
	unsigned evidence; /* vermagic evidence items added */
};

/* The directory lib/modules/<version> above a module, or NULL. */
static iota_node *modules_dir(iota_node *n, const char *version)
{
	for (iota_node *p = n->parent; p && p->kind == IOTA_NODE_DIR; p = p->parent)
		if (p->name && strcmp(p->name, version) == 0 && p->parent && p->parent->name &&
		    strcmp(p->parent->name, "modules") == 0)
			return p;
	return NULL;
}

static void vermagic(struct kwalk *w, iota_node *n, const char *version)
{
	char match[160];
	snprintf(match, sizeof match, "vermagic=%s", version);
	iota_component *c = kernel_for(w->s, version, true);
	if (c) {
		if (w->evidence++ < MAX_KERNEL_EVIDENCE)
			iota_component_add_evidence(w->s, c, n, IOTA_EV_KERNEL, match, UINT64_MAX);
		return;
	}
	/* no kernel image with this version: the modules speak for it, held
	 * by their directory lib/modules/<version> when they are in one */
	iota_node *where = modules_dir(n, version);
	if (where) {
		char dir[96];
		snprintf(dir, sizeof dir, "lib/modules/%s", version);
		c = iota_component_add(w->s, "linux", version, where, IOTA_REL_CONTAINS,
		                       IOTA_EV_FILENAME, dir, UINT64_MAX);
		if (c)
			iota_component_add_evidence(w->s, c, n, IOTA_EV_KERNEL, match, UINT64_MAX);
	} else {
		c = iota_component_add(w->s, "linux", version, n, IOTA_REL_CONTAINS, IOTA_EV_KERNEL,
		                       match, UINT64_MAX);
	}
	if (c)
		set_linux_ids(w->s, c);
	w->evidence++;
}

/* A uImage's image name, "Linux-5.10.0" or "MIPS OpenWrt Linux-4.14.195" */
static void uimage_name(struct kwalk *w, iota_node *n)
{
	const char *p = n->name ? strstr(n->name, "Linux") : NULL;
	if (!p)
		return;
	p += 5;
	if (*p == '-' || *p == ' ' || *p == '_')
		p++;
	if (*p == 'v')
		p++;
	size_t l = strspn(p, "0123456789.");
	if (l < 3 || !strchr(p, '.') || !isdigit((unsigned char)p[0]))
		return;
	char version[64], match[128];
	snprintf(version, sizeof version, "%.*s", (int)(l < 63 ? l : 63), p);
	if (version[strlen(version) - 1] == '.')
		version[strlen(version) - 1] = '\0';
	snprintf(match, sizeof match, "uImage name \"%s\"", n->name);
	/* the kernel unpacked from this image, if its banner was read */
	for (iota_component *c = w->s->components; c; c = c->next) {
		if (strcmp(c->name, "linux") == 0 && c->node && below(c->node, n) &&
		    same_upstream(c->version, version)) {
			iota_component_add_evidence(w->s, c, n, IOTA_EV_HEADER, match, 0);
			return;
		}
	}
	iota_component *c =
	    iota_component_add(w->s, "linux", version, n, IOTA_REL_IS, IOTA_EV_HEADER, match, 0);
	if (c)
		set_linux_ids(w->s, c);
}

static void walk(struct kwalk *w, iota_node *n)
{
	for (iota_node *c = n->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_FILE) {
			const char *vm = iota_node_attr_get(c, "kernel.vermagic");
			if (vm)
				vermagic(w, c, vm);
			if (c->container && c->container->fmt && c->parent == c->container &&
			    strcmp(c->container->fmt->name, "uimage") == 0)
				uimage_name(w, c);
		}
		walk(w, c);
	}
}

static void run_tree(iota_scan *s)
{
	struct kwalk w = {.s = s};
	if (s->root)
		walk(&w, s->root);
	/* a kernel found by its banner alone keeps lifecycle's identifiers */
}

const iota_analyzer iota_analyzer_signatures = {
    .name = "signatures",
    .description = "components from binary signatures (version strings), kernel modules' "
                   "vermagic and uImage names",
    .wants = wants,
    .run_file = run_file,
    .run_tree = run_tree,
};
