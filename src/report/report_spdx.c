/*
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/, the schema in
 * ../shared/schemas/spdx-2.3-schema.json).
 *
 * The document DESCRIBES one package, the image (checksum SHA-256 of the
 * input); the image CONTAINS one package per component (versionInfo,
 * externalRefs purl and cpe23Type, the SHA-256 of the component's file when
 * the file is it, the evidence as a comment). Components are related with
 * DEPENDS_ON from the ELF graph, as in the CycloneDX writer. Files are
 * listed where they say something a package cannot: each ELF file that
 * belongs to a component (with its SHA-256), and the package CONTAINS it.
 * Deterministic: documentNamespace is made from the image's SHA-256, the
 * creation time is fixed (SPDX requires one) unless SOURCE_DATE_EPOCH says
 * otherwise, elements are sorted.
 */
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/component.h"
#include "iotaudit/vulndb.h"
#include "report/report.h"
#include "report/report_common.h"
#include "sbom/elfdeps.h"
#include "util/alloc.h"
#include "vuln/scan_match.h"

/* A JSON string of image text; bytes that are not UTF-8 escaped as \xNN. */
static json_t *jstr(const char *s)
{
	json_t *j = iota_report_jstr(s);
	return j ? j : json_string("");
}

/* SPDX ids are [A-Za-z0-9.-]+: other bytes become '-'. */
static void spdx_id(char *out, size_t cap, const char *prefix, size_t index, const char *name)
{
	size_t o = (size_t)snprintf(out, cap, "SPDXRef-%s-%zu-", prefix, index);
	for (const char *p = name; *p && o + 1 < cap && o < 120; p++) {
		char c = *p;
		out[o++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '.' || c == '-')
		               ? c
		               : '-';
	}
	out[o] = '\0';
}

static json_t *checksum(const unsigned char *sha)
{
	char hex[65];
	iota_report_hex(sha, 32, hex);
	json_t *a = json_array(), *c = json_object();
	json_object_set_new(c, "algorithm", json_string("SHA256"));
	json_object_set_new(c, "checksumValue", json_string(hex));
	json_array_append_new(a, c);
	return a;
}

static void rel(json_t *rels, const char *a, const char *type, const char *b)
{
	json_t *r = json_object();
	json_object_set_new(r, "spdxElementId", jstr(a));
	json_object_set_new(r, "relationshipType", json_string(type));
	json_object_set_new(r, "relatedSpdxElement", jstr(b));
	json_array_append_new(rels, r);
}

struct pkg {
	iota_component *c;
	char id[160];
	char key[600];
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct pkg *)a)->key, ((const struct pkg *)b)->key);
}

static const struct pkg *owner_of(const iota_node *n, const struct pkg *pk, size_t np,
                                  const struct pkg *by_key)
{
	for (size_t i = 0; i < np; i++)
		if (pk[i].c->node == n && pk[i].c->relation == IOTA_REL_IS)
			return &pk[i];
	const char *owner = iota_node_attr_get(n, "sbom.package");
	if (!owner)
		return NULL;
	struct pkg key;
	snprintf(key.key, sizeof key.key, "%s", owner);
	return bsearch(&key, by_key, np, sizeof *by_key, cmp_key);
}

struct ctx {
	iota_scan *s;
	const struct pkg *pk, *by_key;
	size_t np;
	json_t *files, *rels;
	size_t nfiles;
};

struct dep_walk {
	struct ctx *x;
	const struct pkg *owner;
};

static int dep_edge(void *ctx, iota_node *lib)
{
	struct dep_walk *w = ctx;
	const struct pkg *to = owner_of(lib, w->x->pk, w->x->np, w->x->by_key);
	if (to && to != w->owner)
		rel(w->x->rels, w->owner->id, "DEPENDS_ON", to->id);
	return 0;
}

static void walk(struct ctx *x, iota_node *n)
{
	for (iota_node *k = n->first_child; k; k = k->next_sibling) {
		const struct pkg *owner =
		    k->kind == IOTA_NODE_FILE && iota_node_attr_get(k, "elf.machine")
		        ? owner_of(k, x->pk, x->np, x->by_key)
		        : NULL;
		if (owner) {
			char origin[IOTA_MAX_PATH], fid[160];
			if (iota_node_origin(k, origin, sizeof origin) < 0)
				origin[0] = '\0';
			spdx_id(fid, sizeof fid, "File", ++x->nfiles, k->name);
			json_t *f = json_object();
			json_object_set_new(f, "SPDXID", jstr(fid));
			json_object_set_new(f, "fileName", jstr(origin));
			json_object_set_new(f, "checksums",
			                    (k->flags & IOTA_NF_HASHED) ? checksum(k->sha256)
			                                                : json_array());
			if (!(k->flags & IOTA_NF_HASHED)) {
				/* SPDX 2.3 requires a SHA1; an unhashed file is not listed */
				json_decref(f);
			} else {
				json_object_set_new(f, "fileTypes", json_pack("[s]", "BINARY"));
				json_array_append_new(x->files, f);
				rel(x->rels, owner->id, "CONTAINS", fid);
			}
			/* dependencies between packages from this file's libraries */
			struct dep_walk w = {x, owner};
			iota_elf_each_library(x->s, k, dep_edge, &w);
		}
		walk(x, k);
	}
}

static int cmp_rel(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	static const char *const keys[] = {"spdxElementId", "relationshipType",
	                                   "relatedSpdxElement"};
	for (size_t i = 0; i < 3; i++) {
		int r = strcmp(json_string_value(json_object_get(x, keys[i])),
		               json_string_value(json_object_get(y, keys[i])));
		if (r)
			return r;
	}
	return 0;
}

iota_rc iota_report_spdx(iota_scan *s, FILE *out)
{
	if (iota_scan_sbom_links(s) != IOTA_OK)
		return IOTA_NOMEM;
	unsigned char digest[32];
	char hex[65];
	int hashed = s->root && (s->root->flags & IOTA_NF_HASHED);
	const char *input = s->input_name ? s->input_name : "input";
	if (hashed) {
		memcpy(digest, s->root->sha256, 32);
	} else {
		unsigned int len = 0;
		EVP_Digest(input, strlen(input), digest, &len, EVP_sha256(), NULL);
	}
	iota_report_hex(digest, 32, hex);

	json_t *doc = json_object();
	json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
	json_object_set_new(doc, "dataLicense", json_string("CC0-1.0"));
	json_object_set_new(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
	json_object_set_new(doc, "name", jstr(input));
	char ns[256];
	snprintf(ns, sizeof ns, "https://spdx.org/spdxdocs/iotaudit-%s", hex);
	json_object_set_new(doc, "documentNamespace", json_string(ns));
	json_t *ci = json_object(), *creators = json_array();
	char tool[64], when[32] = "1970-01-01T00:00:00Z";
	snprintf(tool, sizeof tool, "Tool: iotaudit-%s", iota_version());
	json_array_append_new(creators, json_string(tool));
	json_object_set_new(ci, "creators", creators);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		time_t t = (time_t)strtoll(sde, NULL, 10);
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	json_object_set_new(ci, "created", json_string(when));
	json_object_set_new(doc, "creationInfo", ci);
	json_object_set_new(doc, "documentDescribes", json_pack("[s]", "SPDXRef-Image"));

	json_t *pkgs = json_array(), *rels = json_array(), *files = json_array();
	json_t *img = json_object();
	json_object_set_new(img, "SPDXID", json_string("SPDXRef-Image"));
	json_object_set_new(img, "name", jstr(input));
	json_object_set_new(img, "downloadLocation", json_string("NOASSERTION"));
	json_object_set_new(img, "filesAnalyzed", json_false());
	json_object_set_new(img, "primaryPackagePurpose", json_string("FIRMWARE"));
	if (hashed)
		json_object_set_new(img, "checksums", checksum(digest));
	json_array_append_new(pkgs, img);
	rel(rels, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");

	size_t np = 0;
	iota_component **cv = iota_components_sorted(s, &np);
	struct pkg *pk = iota_calloc(np ? np : 1, sizeof *pk);
	struct pkg *by_key = iota_calloc(np ? np : 1, sizeof *by_key);
	if ((!cv && s->ncomponents) || !pk || !by_key) {
		iota_free(cv);
		iota_free(pk);
		iota_free(by_key);
		json_decref(doc);
		json_decref(pkgs);
		json_decref(rels);
		json_decref(files);
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < np; i++) {
		iota_component *c = cv[i];
		pk[i].c = c;
		spdx_id(pk[i].id, sizeof pk[i].id, "Package", i + 1, c->name);
		snprintf(pk[i].key, sizeof pk[i].key, "%s %s", c->name, c->version);
		json_t *p = json_object();
		json_object_set_new(p, "SPDXID", jstr(pk[i].id));
		json_object_set_new(p, "name", jstr(c->name));
		if (c->version[0])
			json_object_set_new(p, "versionInfo", jstr(c->version));
		json_object_set_new(p, "downloadLocation", json_string("NOASSERTION"));
		json_object_set_new(p, "filesAnalyzed", json_false());
		if (c->vendor)
			json_object_set_new(p, "supplier", json_string("NOASSERTION"));
		if (c->node && c->relation == IOTA_REL_IS && (c->node->flags & IOTA_NF_HASHED) &&
		    iota_node_attr_get(c->node, "elf.machine"))
			json_object_set_new(p, "checksums", checksum(c->node->sha256));
		json_t *refs = json_array();
		if (c->purl) {
			json_t *r = json_object();
			json_object_set_new(r, "referenceCategory", json_string("PACKAGE-MANAGER"));
			json_object_set_new(r, "referenceType", json_string("purl"));
			json_object_set_new(r, "referenceLocator", jstr(c->purl));
			json_array_append_new(refs, r);
		}
		if (c->cpe) {
			json_t *r = json_object();
			json_object_set_new(r, "referenceCategory", json_string("SECURITY"));
			json_object_set_new(r, "referenceType", json_string("cpe23Type"));
			json_object_set_new(r, "referenceLocator", jstr(c->cpe));
			json_array_append_new(refs, r);
		}
		json_object_set_new(p, "externalRefs", refs);
		/* where and why: the evidence, one line per item */
		char origin[IOTA_MAX_PATH], comment[4096] = "";
		size_t o = 0;
		if (!c->node || iota_node_origin(c->node, origin, sizeof origin) < 0)
			origin[0] = '\0';
		o += (size_t)snprintf(comment, sizeof comment, "found at %s (%s)", origin,
		                      c->relation == IOTA_REL_IS ? "is" : "contains a copy");
		for (const iota_evidence *e = c->evidence; e && o < sizeof comment; e = e->next)
			o += (size_t)snprintf(comment + o, sizeof comment - o, "; %s: %s",
			                      iota_evidence_method_name(e->method),
			                      e->match ? e->match : "");
		json_object_set_new(p, "comment", jstr(comment));
		json_array_append_new(pkgs, p);
		rel(rels, "SPDXRef-Image", "CONTAINS", pk[i].id);
	}
	memcpy(by_key, pk, np * sizeof *pk);
	qsort(by_key, np, sizeof *by_key, cmp_key);
	struct ctx x = {.s = s, .pk = pk, .by_key = by_key, .np = np, .files = files, .rels = rels};
	if (s->root)
		walk(&x, s->root);

	/* relationships sorted, duplicates (one per library file) dropped */
	size_t nr = json_array_size(rels);
	json_t **rv = iota_calloc(nr ? nr : 1, sizeof *rv);
	json_t *sorted = json_array();
	if (rv) {
		for (size_t i = 0; i < nr; i++)
			rv[i] = json_array_get(rels, i);
		qsort(rv, nr, sizeof *rv, cmp_rel);
		for (size_t i = 0; i < nr; i++)
			if (i == 0 || cmp_rel(&rv[i - 1], &rv[i]) != 0)
				json_array_append(sorted, rv[i]);
	}
	iota_free(rv);
	json_decref(rels);
	json_object_set_new(doc, "packages", pkgs);
	if (json_array_size(files))
		json_object_set_new(doc, "files", files);
	else
		json_decref(files);
	json_object_set_new(doc, "relationships", sorted);

	int rc = json_dumpf(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	fputc('\n', out);
	json_decref(doc);
	iota_free(cv);
	iota_free(pk);
	iota_free(by_key);
	if (rc != 0 || ferror(out))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the SPDX report");
	return IOTA_OK;
}
