/*
 * Matching a component (name, version, optional vendor / CPE / ecosystem)
 * against the database. One match per CVE, listing what every source says
 * about this version:
 *
 *   nvd-cpe   NVD configurations. A range containing the version makes the
 *             CVE "affected"; in an AND configuration whose other nodes are
 *             a platform (vulnerable:false: a router model, an OS) it is
 *             "conditional" and the platform is reported. Entries where the
 *             product is itself only the platform, or negated, never match.
 *   cve5-cna, cve5-adp
 *             CVE JSON 5 affected[] entries: versions[] ranges with their
 *             status and changes[], then defaultStatus for versions no
 *             range covers. Ranges that cannot be ordered against a
 *             release (git commits, rpm NEVRAs, free text) are reported as
 *             such, never guessed; free text that lists the affected
 *             versions ("Affected 3.0.0,3.0.1,...") gives a candidate.
 *   osv       OSV ranges, for a distro build (query.ecosystem) or the
 *             ecosystems products.tsv names.
 *   description
 *             For CVEs no structured source covers for this product and
 *             that NVD has not analysed (Received, Awaiting Analysis,
 *             Deferred, or not in NVD at all): when the description names
 *             the product, the match is "unknown", and the description's
 *             own words ("Dropbear through 2022.83", "OpenSSH before 9.6")
 *             make it a candidate or rule this version out. Such records
 *             are never dropped silently (issue 9).
 *
 * The status of a match is the strongest statement: affected >
 * conditional > unknown > not affected; where sources disagree both are
 * listed in the evidence.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/data.h"
#include "util/alloc.h"
#include "util/dynbuf.h"
#include "util/version.h"
#include "vuln/vrange.h"
#include "vuln/vuln_db.h"

enum { CONF_CONFIRMED, CONF_CANDIDATE, CONF_UNASSESSED };

static const char *const conf_names[] = {"confirmed", "candidate", "unassessed"};

const char *iota_vuln_status_name(iota_vuln_status s)
{
	switch (s) {
	case IOTA_VULN_AFFECTED:
		return "affected";
	case IOTA_VULN_CONDITIONAL:
		return "conditional";
	case IOTA_VULN_UNKNOWN:
		return "unknown";
	case IOTA_VULN_NOT_AFFECTED:
		return "not affected";
	}
	return "?";
}

/* strcasestr is a GNU extension; this is the portable few lines. */
static const char *ci_find(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return hay;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* ---- what we look for ---- */

struct ident {
	const char *name; /* lower case */
	const char *version;
	int version_ok; /* orderable */
	int any_vendor; /* unknown product without a vendor: CPE product = name, any vendor */
	iota_vlist cpe, cve5, pkg, osv, text;
	const char *ecosystem;
};

static void ident_free(struct ident *id)
{
	iota_vlist_free(&id->cpe);
	iota_vlist_free(&id->cve5);
	iota_vlist_free(&id->pkg);
	iota_vlist_free(&id->osv);
	iota_vlist_free(&id->text);
}

static int add_str(iota_vlist *l, const char *s)
{
	return iota_vlist_has(l, s) ? 0 : iota_vlist_add(l, s, strlen(s));
}

static int load_products(iota_vulndb *db)
{
	if (db->products_loaded)
		return 0;
	size_t len = 0;
	const unsigned char *t = iota_data_get("vuln/products.tsv", &len);
	char err[160];
	if (!t || iota_vprods_parse(&db->products, (const char *)t, len, err, sizeof err) != 0) {
		iota_vdb_seterr(db, "%s", t ? err : "data/vuln/products.tsv is not built in");
		return -1;
	}
	db->products_loaded = 1;
	return 0;
}

static int build_ident(iota_vulndb *db, const iota_vuln_query *q, struct ident *id, char *lname,
                       size_t lsize, int *known)
{
	memset(id, 0, sizeof *id);
	size_t i = 0;
	for (; q->name[i] && i + 1 < lsize; i++)
		lname[i] = (char)tolower((unsigned char)q->name[i]);
	lname[i] = '\0';
	id->name = lname;
	id->version = q->version ? q->version : "";
	/* "v1.2.3" as tags write it: the version is 1.2.3 */
	if ((id->version[0] == 'v' || id->version[0] == 'V') &&
	    isdigit((unsigned char)id->version[1]))
		id->version++;
	id->version_ok = iota_vr_orderable(id->version, NULL);
	id->ecosystem = q->ecosystem && *q->ecosystem ? q->ecosystem : NULL;
	char vendor[128] = "";
	for (i = 0; q->vendor && q->vendor[i] && i + 1 < sizeof vendor; i++)
		vendor[i] = (char)tolower((unsigned char)q->vendor[i]);
	vendor[i] = '\0';

	const iota_vprod *p = iota_vprods_find(&db->products, lname);
	*known = p != NULL;
	char buf[300];
	int bad = 0;
	if (p) {
		for (i = 0; i < p->cpe.n; i++) {
			const char *colon = strchr(p->cpe.v[i], ':');
			if (vendor[0] && (strlen(vendor) != (size_t)(colon - p->cpe.v[i]) ||
			                  strncmp(p->cpe.v[i], vendor, strlen(vendor)) != 0))
				continue;
			bad |= add_str(&id->cpe, p->cpe.v[i]);
		}
		for (i = 0; i < p->cve5.n; i++)
			bad |= add_str(&id->cve5, p->cve5.v[i]);
		for (i = 0; i < p->pkg.n; i++)
			bad |= add_str(&id->pkg, p->pkg.v[i]);
		for (i = 0; i < p->osv.n; i++)
			bad |= add_str(&id->osv, p->osv.v[i]);
		for (i = 0; i < p->text.n; i++)
			bad |= add_str(&id->text, p->text.v[i]);
		if (vendor[0] && id->cpe.n == 0) {
			snprintf(buf, sizeof buf, "%s:%s", vendor, lname);
			bad |= add_str(&id->cpe, buf);
		}
	} else {
		if (vendor[0]) {
			snprintf(buf, sizeof buf, "%s:%s", vendor, lname);
			bad |= add_str(&id->cpe, buf);
			snprintf(buf, sizeof buf, "%s/%s", vendor, lname);
			bad |= add_str(&id->cve5, buf);
		} else {
			id->any_vendor = 1;
		}
		bad |= add_str(&id->pkg, lname);
		bad |= add_str(&id->text, q->name);
	}
	iota_cpe cpe;
	if (q->cpe && iota_cpe_parse(q->cpe, &cpe) == 0) {
		snprintf(buf, sizeof buf, "%s:%s", cpe.f[IOTA_CPE_VENDOR], cpe.f[IOTA_CPE_PRODUCT]);
		bad |= add_str(&id->cpe, buf);
		if (!p)
			id->any_vendor = 0;
	}
	return bad ? -1 : 0;
}

static int pair_in(const iota_vlist *l, const char *vendor, const char *product, char sep)
{
	if (!product)
		return 0;
	char buf[520];
	snprintf(buf, sizeof buf, "%s%c%s", vendor ? vendor : "", sep, product);
	return iota_vlist_has(l, buf);
}

/* A collection URL without the trailing "/" or ".git" and scheme case. */
static size_t url_core(const char *u)
{
	size_t n = strlen(u);
	while (n && u[n - 1] == '/')
		n--;
	if (n >= 4 && strncasecmp(u + n - 4, ".git", 4) == 0)
		n -= 4;
	return n;
}

static int pkg_match(const struct ident *id, const char *package, const char *coll)
{
	for (size_t i = 0; i < id->pkg.n; i++) {
		const char *e = id->pkg.v[i], *at = strchr(e, '@');
		size_t n = at ? (size_t)(at - e) : strlen(e);
		if (strlen(package) != n || strncasecmp(package, e, n) != 0)
			continue;
		if (!at)
			return 1;
		if (!coll)
			continue;
		size_t a = url_core(at + 1), b = url_core(coll);
		if (a == b && strncasecmp(at + 1, coll, a) == 0)
			return 1;
	}
	return 0;
}

/* "Debian:12" matches "Debian:12" and, asked as "Debian", any Debian release. */
static int eco_match(const char *want, const char *have)
{
	if (!have)
		return 0;
	if (strcasecmp(want, have) == 0)
		return 1;
	size_t n = strlen(want);
	return !strchr(want, ':') && strncasecmp(want, have, n) == 0 && have[n] == ':';
}

/* OSV ecosystems of distributions (versions are their package versions). */
static int distro(const char *eco)
{
	static const char *const names[] = {"Debian",      "Ubuntu",    "Alpine",     "Red Hat",
	                                    "Rocky Linux", "AlmaLinux", "SUSE",       "openSUSE",
	                                    "Mageia",      "Wolfi",     "Chainguard", "Photon OS",
	                                    "Azure Linux", "openEuler", "Android"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (eco_match(names[i], eco))
			return 1;
	return 0;
}

/* ---- rows ---- */

struct arow {
	long long rowid;
	char *blk; /* the one allocation all the strings below are in */
	char *cve, *origin, *record, *source;
	int entry;
	char *vendor, *product, *cpe, *ecosystem, *package, *coll;
	char *version, *start, *end;
	int start_incl, end_incl;
	char *vtype, *status, *dflt, *changes, *cfg_op;
	int cfg_neg, node, node_neg, vulnerable;
};

static const char row_sql[] =
    "SELECT rowid, cve_id, origin, record, source, entry, vendor, product, cpe, ecosystem, "
    "package, collection_url, version, version_start, start_incl, version_end, end_incl, "
    "version_type, status, default_status, changes, cfg_operator, cfg_negate, node, "
    "node_negate, vulnerable FROM affected WHERE ";

static void arow_free(struct arow *r)
{
	iota_free(r->blk);
	r->blk = NULL;
}

struct rows {
	struct arow *v;
	size_t n, cap;
};

static int row_belongs(const struct ident *id, const struct arow *r)
{
	if (strcmp(r->source, "nvd-cpe") == 0)
		return pair_in(&id->cpe, r->vendor, r->product, ':') ||
		       (id->any_vendor && r->product && strcmp(r->product, id->name) == 0);
	if (strcmp(r->source, "osv") == 0) {
		if (!r->package)
			return 0;
		if (id->ecosystem && !eco_match(id->ecosystem, r->ecosystem))
			return 0;
		if (id->ecosystem && strcmp(r->package, id->name) == 0)
			return 1;
		for (size_t i = 0; i < id->osv.n; i++) {
			const char *e = id->osv.v[i], *slash = strchr(e, '/');
			if (!slash || strcasecmp(slash + 1, r->package) != 0)
				continue;
			char eco[128];
			snprintf(eco, sizeof eco, "%.*s", (int)(slash - e), e);
			/* A distribution's ranges are in its own package versions: only
			 * for a distro build, never against an upstream version. */
			if (!eco_match(eco, r->ecosystem) || (!id->ecosystem && distro(eco)))
				continue;
			return 1;
		}
		return 0;
	}
	/* cve5-cna, cve5-adp */
	if (r->product && (pair_in(&id->cve5, r->vendor, r->product, '/') ||
	                   pair_in(&id->cpe, r->vendor, r->product, ':') ||
	                   (id->any_vendor && strcmp(r->product, id->name) == 0)))
		return 1;
	iota_cpe cpe;
	if (r->cpe && iota_cpe_parse(r->cpe, &cpe) == 0 &&
	    pair_in(&id->cpe, cpe.f[IOTA_CPE_VENDOR], cpe.f[IOTA_CPE_PRODUCT], ':'))
		return 1;
	return r->package && pkg_match(id, r->package, r->coll);
}

/* Rows where column = key that belong to the product (a row found by two
 * keys is removed by dedupe_rows). */
static int load_rows(iota_vulndb *db, const struct ident *id, const char *column, const char *key,
                     struct rows *out)
{
	char sql[sizeof row_sql + 32];
	snprintf(sql, sizeof sql, "%s%s = ?1", row_sql, column);
	sqlite3_stmt *st = iota_vdb_cached(db, sql);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	int rc, bad = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !bad) {
		long long rowid = sqlite3_column_int64(st, 0);
		struct arow r;
		memset(&r, 0, sizeof r);
		r.rowid = rowid;
		/* the row's text in one allocation: a kernel's thousands of rows
		 * cost one malloc each instead of one per column */
		char **dst[] = {&r.cve, &r.origin,    &r.record,  &r.source, &r.vendor,  &r.product,
		                &r.cpe, &r.ecosystem, &r.package, &r.coll,   &r.version, &r.start,
		                &r.end, &r.vtype,     &r.status,  &r.dflt,   &r.changes, &r.cfg_op};
		static const int col[] = {1,  2,  3,  4,  6,  7,  8,  9,  10,
		                          11, 12, 13, 15, 17, 18, 19, 20, 21};
		size_t len[sizeof col / sizeof col[0]], total = 0;
		for (size_t k = 0; k < sizeof col / sizeof col[0]; k++) {
			len[k] = sqlite3_column_text(st, col[k])
			             ? (size_t)sqlite3_column_bytes(st, col[k]) + 1
			             : 0;
			total += len[k];
		}
		r.blk = iota_malloc(total ? total : 1);
		if (!r.blk) {
			bad = 1;
			break;
		}
		for (size_t k = 0, off = 0; k < sizeof col / sizeof col[0]; k++) {
			if (!len[k])
				continue;
			*dst[k] = r.blk + off;
			memcpy(r.blk + off, sqlite3_column_text(st, col[k]), len[k]);
			off += len[k];
		}
		r.entry = sqlite3_column_int(st, 5);
		r.start_incl = sqlite3_column_int(st, 14);
		r.end_incl = sqlite3_column_int(st, 16);
		r.cfg_neg = sqlite3_column_int(st, 22);
		r.node =
		    sqlite3_column_type(st, 23) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 23);
		r.node_neg = sqlite3_column_int(st, 24);
		r.vulnerable = sqlite3_column_int(st, 25);
		if (bad || !r.cve || !r.source || !r.record || !r.status || !row_belongs(id, &r)) {
			arow_free(&r);
			continue;
		}
		if (out->n == out->cap) {
			size_t nc = out->cap ? out->cap * 2 : 64;
			struct arow *v = iota_realloc(out->v, nc * sizeof *v);
			if (!v) {
				arow_free(&r);
				bad = 1;
				break;
			}
			out->v = v;
			out->cap = nc;
		}
		out->v[out->n++] = r;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && !bad)
		iota_vdb_sqlfail(db, "read affected entries");
	sqlite3_reset(st);
	if (bad)
		iota_vdb_seterr(db, "out of memory");
	return bad || (rc != SQLITE_DONE && rc != SQLITE_ROW) ? -1 : 0;
}

static int rowid_order(const void *a, const void *b)
{
	const struct arow *x = a, *y = b;
	return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static void dedupe_rows(struct rows *r)
{
	if (r->n < 2)
		return;
	qsort(r->v, r->n, sizeof *r->v, rowid_order);
	size_t k = 1;
	for (size_t i = 1; i < r->n; i++) {
		if (r->v[i].rowid == r->v[k - 1].rowid)
			arow_free(&r->v[i]);
		else
			r->v[k++] = r->v[i];
	}
	r->n = k;
}

static int row_order(const void *a, const void *b)
{
	const struct arow *x = a, *y = b;
	int c = strcmp(x->cve, y->cve);
	if (!c)
		c = strcmp(x->source, y->source);
	if (!c)
		c = strcmp(x->record, y->record);
	if (!c)
		c = x->entry - y->entry;
	if (!c)
		c = x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
	return c;
}

/* ---- candidates: one per CVE ---- */

struct ev {
	const char *source; /* static */
	iota_vuln_status status;
	int conf;
	char *range, *condition, *note;
};

struct cand {
	char *cve;
	int covered;   /* a structured source speaks about this product */
	int described; /* the description fallback looked at it */
	struct ev *ev;
	size_t nev;
};

struct cands {
	struct cand *v;
	size_t n, cap;
	size_t *slot; /* open addressing: index + 1, 0 = empty */
	size_t nslot;
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct cand *cand_get(struct cands *c, const char *cve)
{
	if (c->nslot == 0 || (c->n + 1) * 2 > c->nslot) {
		size_t ns = c->nslot ? c->nslot * 2 : 256;
		size_t *slot = iota_calloc(ns, sizeof *slot);
		if (!slot)
			return NULL;
		for (size_t i = 0; i < c->n; i++) {
			size_t h = hash(c->v[i].cve) & (ns - 1);
			while (slot[h])
				h = (h + 1) & (ns - 1);
			slot[h] = i + 1;
		}
		iota_free(c->slot);
		c->slot = slot;
		c->nslot = ns;
	}
	size_t h = hash(cve) & (c->nslot - 1);
	while (c->slot[h]) {
		struct cand *x = &c->v[c->slot[h] - 1];
		if (strcmp(x->cve, cve) == 0)
			return x;
		h = (h + 1) & (c->nslot - 1);
	}
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		struct cand *v = iota_realloc(c->v, nc * sizeof *v);
		if (!v)
			return NULL;
		c->v = v;
		c->cap = nc;
	}
	struct cand *x = &c->v[c->n];
	memset(x, 0, sizeof *x);
	x->cve = iota_strdup(cve);
	if (!x->cve)
		return NULL;
	c->slot[h] = ++c->n;
	return x;
}

static void cands_free(struct cands *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t k = 0; k < c->v[i].nev; k++) {
			iota_free(c->v[i].ev[k].range);
			iota_free(c->v[i].ev[k].condition);
			iota_free(c->v[i].ev[k].note);
		}
		iota_free(c->v[i].ev);
		iota_free(c->v[i].cve);
	}
	iota_free(c->v);
	iota_free(c->slot);
}

static int add_ev(struct cand *c, const char *source, iota_vuln_status status, int conf,
                  const char *range, const char *condition, const char *note)
{
	struct ev *v = iota_realloc(c->ev, (c->nev + 1) * sizeof *v);
	if (!v)
		return -1;
	c->ev = v;
	struct ev *e = &v[c->nev++];
	e->source = source;
	e->status = status;
	e->conf = conf;
	e->range = range ? iota_strdup(range) : NULL;
	e->condition = condition ? iota_strdup(condition) : NULL;
	e->note = note ? iota_strdup(note) : NULL;
	if ((range && !e->range) || (condition && !e->condition) || (note && !e->note))
		return -1;
	return 0;
}

/* ---- NVD configurations ---- */

/* The other nodes of an AND configuration, in words. */
static int nvd_condition(iota_vulndb *db, const struct arow *r, char *buf, size_t size)
{
	sqlite3_stmt *st = iota_vdb_cached(
	    db, "SELECT node, cpe, vulnerable, node_negate, version_start, start_incl, "
	        "version_end, end_incl FROM affected WHERE origin = 'nvd' AND record = ?1 "
	        "AND entry = ?2 AND node <> ?3 ORDER BY node, rowid");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, r->record, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->entry);
	sqlite3_bind_int(st, 3, r->node);
	size_t n = 0;
	int last = -1, count = 0;
	buf[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		int node = sqlite3_column_int(st, 0);
		const char *cpe = (const char *)sqlite3_column_text(st, 1);
		int neg = sqlite3_column_int(st, 3);
		const char *s = (const char *)sqlite3_column_text(st, 4);
		const char *e = (const char *)sqlite3_column_text(st, 6);
		char range[200] = "";
		if (s || e) {
			char t[160];
			iota_vr_text(t, sizeof t, NULL, s, sqlite3_column_int(st, 5), e,
			             sqlite3_column_int(st, 7));
			snprintf(range, sizeof range, " (%s)", t);
		}
		const char *sep = last < 0       ? (neg ? "not " : "")
		                  : node != last ? (neg ? "; and not " : "; and ")
		                                 : " or ";
		int w = snprintf(buf + n, size - n, "%s%s%s", sep, cpe ? cpe : "?", range);
		if (w < 0 || (size_t)w >= size - n) {
			if (size > 4)
				memcpy(buf + size - 4, "...", 4);
			break;
		}
		n += (size_t)w;
		last = node;
		count++;
	}
	sqlite3_reset(st);
	return count;
}

static int eval_nvd(iota_vulndb *db, const struct ident *id, struct cand *c, struct arow *r,
                    size_t n)
{
	c->covered = 1;
	char outside[600] = "", cond[1024], cond_range[320] = "", cond_keep[1024] = "";
	size_t on = 0, nout = 0;
	for (size_t i = 0; i < n; i++) {
		struct arow *x = &r[i];
		/* The product as a platform (vulnerable:false) or in a negated node is
		 * not what the CVE is about. */
		if (!x->vulnerable || x->node_neg || x->cfg_neg)
			continue;
		char range[320], t[200];
		iota_vr_text(t, sizeof t, x->version, x->start, x->start_incl, x->end, x->end_incl);
		snprintf(range, sizeof range, "%s:%s %s", x->vendor ? x->vendor : "?",
		         x->product ? x->product : "?", t);
		if (!id->version_ok)
			return add_ev(c, "nvd-cpe", IOTA_VULN_UNKNOWN, CONF_UNASSESSED, range, NULL,
			              "the component's version is unknown");
		if ((x->version && strcmp(x->version, "-") == 0) ||
		    !iota_vr_contains(id->version, x->version, x->start, x->start_incl, x->end,
		                      x->end_incl)) {
			if (nout++ < 3 && on < sizeof outside) {
				int w = snprintf(outside + on, sizeof outside - on, "%s%s",
				                 on ? "; " : "", range);
				on += w > 0 ? (size_t)w : 0;
			}
			continue;
		}
		int others = 0;
		if (x->cfg_op && strcmp(x->cfg_op, "AND") == 0 && x->node >= 0) {
			others = nvd_condition(db, x, cond, sizeof cond);
			if (others < 0)
				return -1;
		}
		if (!others)
			return add_ev(c, "nvd-cpe", IOTA_VULN_AFFECTED, CONF_CONFIRMED, range, NULL,
			              NULL);
		/* conditional: unless a plain configuration of the same CVE follows */
		if (!cond_range[0]) {
			snprintf(cond_range, sizeof cond_range, "%s", range);
			snprintf(cond_keep, sizeof cond_keep, "%s", cond);
		}
	}
	if (cond_range[0])
		return add_ev(c, "nvd-cpe", IOTA_VULN_CONDITIONAL, CONF_CONFIRMED, cond_range,
		              cond_keep, "NVD AND-configuration: only together with the platform");
	if (!nout)
		return 0;
	if (nout > 3 && on + 8 < sizeof outside)
		snprintf(outside + on, sizeof outside - on, "; ...");
	/* NVD lists what is affected; a version outside all of it is not. */
	return add_ev(c, "nvd-cpe", IOTA_VULN_NOT_AFFECTED, CONF_CONFIRMED, outside, NULL,
	              "outside NVD's affected ranges");
}

/* ---- CVE JSON 5 affected entries ---- */

/* The status at v inside a range with changes[] ({at, status}, JSON). */
static const char *apply_changes(const char *v, const char *status, const char *changes)
{
	if (!changes)
		return status;
	json_t *arr = json_loads(changes, 0, NULL);
	const char *best_at = NULL;
	static const char *const names[] = {"affected", "unaffected", "unknown"};
	const char *result = status;
	size_t i;
	json_t *ch;
	json_array_foreach(arr, i, ch)
	{
		const char *at = iota_vj_str(ch, "at"), *st = iota_vj_str(ch, "status");
		if (!at || !st || !iota_version_valid(at) || iota_version_cmp(v, at) < 0)
			continue;
		if (best_at && iota_version_cmp(at, best_at) <= 0)
			continue;
		for (size_t k = 0; k < 3; k++)
			if (strcmp(st, names[k]) == 0) {
				result = names[k];
				best_at = at; /* valid while arr lives; compared only here */
			}
	}
	json_decref(arr);
	return result;
}

/* Versions listed in free text: "... (Affected 3.0.0,3.0.1,3.0.2)". True if
 * v is one of them; the list is copied to buf. */
static int free_text_lists(const char *text, const char *v, char *buf, size_t size)
{
	const char *p = ci_find(text, "affected");
	buf[0] = '\0';
	if (!p)
		return 0;
	p += 8;
	int hit = 0;
	size_t n = 0;
	for (;;) {
		while (*p == ' ' || *p == ',' || *p == ':')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		const char *s = p;
		while (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_')
			p++;
		char tok[64];
		snprintf(tok, sizeof tok, "%.*s", (int)(p - s), s);
		if (iota_version_cmp(v, tok) == 0)
			hit = 1;
		int w = snprintf(buf + n, size - n, "%s%s", n ? "," : "", tok);
		if (w > 0 && (size_t)w < size - n)
			n += (size_t)w;
	}
	return hit;
}

static void cve5_label(const struct arow *x, char *buf, size_t size)
{
	if (x->product)
		snprintf(buf, size, "%s%s%s", x->vendor ? x->vendor : "", x->vendor ? "/" : "",
		         x->product);
	else
		snprintf(buf, size, "%s%s%s", x->package ? x->package : "?", x->coll ? " @ " : "",
		         x->coll ? x->coll : "");
}

static int distro_type(const char *vt)
{
	return vt && (strcasecmp(vt, "rpm") == 0 || strcasecmp(vt, "deb") == 0 ||
	              strcasecmp(vt, "dpkg") == 0 || strcasecmp(vt, "apk") == 0);
}

static int wildcard_end(const char *e)
{
	size_t n = e ? strlen(e) : 0;
	return n > 2 && strcmp(e + n - 2, ".*") == 0;
}

/* What one source (cve5-cna or cve5-adp) says, from all its affected[]
 * entries for the product (rows r[0..n), sorted by record and entry).
 *
 * CVE JSON 5.1: an entry's versions[] give statuses for the versions they
 * cover; its defaultStatus is the status of every other version. CISA's
 * ADP splits one product into several entries (one range each, all with
 * defaultStatus "affected"), so a range that covers the version in one
 * entry outranks the defaults of the others: explicit statements first,
 * then defaults, then what cannot be ordered. */
static int eval_cve5_source(const struct ident *id, struct cand *c, struct arow *r, size_t n)
{
	const char *src = strcmp(r[0].source, "cve5-cna") == 0 ? "cve5-cna" : "cve5-adp";
	char label[300], t[200], range[600], note[300];
	int hit[3] = {-1, -1, -1}; /* affected, unaffected, unknown: a covering row */
	int dflt_aff = -1, dflt_unaff = -1, unorderable = -1, named_only = -1;
	int free_hit = -1, free_miss = -1;
	char freelist[200] = "";
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && r[b].entry == r[a].entry && strcmp(r[b].record, r[a].record) == 0)
			b++;
		/* A distribution's entries (Red Hat's rpm NEVRAs "unaffected from
		 * 0:2.28-225.el8_8.6") speak of its builds, not of upstream releases. */
		int listed = 0, distro = 0, bad_order = 0;
		for (size_t i = a; i < b; i++)
			if (strcmp(r[i].status, "none") != 0) {
				listed++;
				distro += distro_type(r[i].vtype);
			}
		if (listed && distro == listed) {
			a = b;
			continue;
		}
		c->covered = 1;
		for (size_t i = a; i < b && id->version_ok; i++) {
			struct arow *x = &r[i];
			if (strcmp(x->status, "none") == 0)
				continue;
			const char *lo = x->version ? x->version : x->start;
			int ok = iota_vr_orderable(lo, x->vtype) &&
			         (!x->end || iota_vr_orderable(x->end, x->vtype) ||
			          wildcard_end(x->end));
			if (!ok) {
				bad_order = 1;
				char list[200];
				if (lo && strchr(lo, ' ')) {
					int h = free_text_lists(lo, id->version, list, sizeof list);
					if (list[0] &&
					    ((h && free_hit < 0) || (!h && free_miss < 0))) {
						*(h ? &free_hit : &free_miss) = (int)i;
						snprintf(freelist, sizeof freelist, "%s", list);
					}
				}
				continue;
			}
			if (!iota_vr_contains(id->version, x->version, x->start, x->start_incl,
			                      x->end, x->end_incl))
				continue;
			const char *st = x->version
			                     ? x->status
			                     : apply_changes(id->version, x->status, x->changes);
			int k = strcmp(st, "affected") == 0     ? 0
			        : strcmp(st, "unaffected") == 0 ? 1
			                                        : 2;
			if (hit[k] < 0)
				hit[k] = (int)i;
		}
		const char *d = r[a].dflt;
		if (!id->version_ok || bad_order) {
			if (unorderable < 0)
				unorderable = (int)a;
		} else if (d && strcmp(d, "affected") == 0) {
			if (dflt_aff < 0)
				dflt_aff = (int)a;
		} else if (d && strcmp(d, "unaffected") == 0) {
			if (dflt_unaff < 0)
				dflt_unaff = (int)a;
		} else if (!listed && named_only < 0) {
			named_only = (int)a;
		}
		a = b;
	}
	if (!c->covered)
		return 0;
	if (!id->version_ok) {
		cve5_label(&r[0], label, sizeof label);
		return add_ev(c, src, IOTA_VULN_UNKNOWN, CONF_UNASSESSED, label, NULL,
		              "the component's version is unknown");
	}
	for (int k = 0; k < 3; k++) {
		if (hit[k] < 0)
			continue;
		struct arow *x = &r[hit[k]];
		cve5_label(x, label, sizeof label);
		iota_vr_text(t, sizeof t, x->version, x->start, x->start_incl, x->end, x->end_incl);
		snprintf(range, sizeof range, "%s %s%s%s%s", label, t, x->vtype ? " (" : "",
		         x->vtype ? x->vtype : "", x->vtype ? ")" : "");
		static const iota_vuln_status st[] = {IOTA_VULN_AFFECTED, IOTA_VULN_NOT_AFFECTED,
		                                      IOTA_VULN_UNKNOWN};
		const char *why = k == 1   ? "listed as unaffected"
		                  : k == 2 ? "listed as unknown"
		                           : NULL;
		if (k == 0 && hit[1] >= 0)
			why = "another range of the same source lists it as unaffected";
		return add_ev(c, src, st[k], k == 2 ? CONF_UNASSESSED : CONF_CONFIRMED, range, NULL,
		              why);
	}
	if (free_hit >= 0) {
		cve5_label(&r[free_hit], label, sizeof label);
		snprintf(range, sizeof range, "%s \"%s\"", label, r[free_hit].version);
		snprintf(note, sizeof note, "the free-text version list (%s) names this version",
		         freelist);
		return add_ev(c, src, IOTA_VULN_UNKNOWN, CONF_CANDIDATE, range, NULL, note);
	}
	int dd = dflt_aff >= 0 ? dflt_aff : dflt_unaff;
	if (dd >= 0) {
		cve5_label(&r[dd], label, sizeof label);
		snprintf(range, sizeof range, "%s (defaultStatus %s)", label, r[dd].dflt);
		return add_ev(c, src, dd == dflt_aff ? IOTA_VULN_AFFECTED : IOTA_VULN_NOT_AFFECTED,
		              CONF_CONFIRMED, range, NULL,
		              dd == dflt_aff ? "no listed range excludes this version"
		                             : "outside every listed range");
	}
	if (free_miss >= 0) {
		cve5_label(&r[free_miss], label, sizeof label);
		snprintf(range, sizeof range, "%s \"%s\"", label, r[free_miss].version);
		snprintf(note, sizeof note, "the free-text version list (%s) does not name %s",
		         freelist, id->version);
		return add_ev(c, src, IOTA_VULN_NOT_AFFECTED, CONF_CANDIDATE, range, NULL, note);
	}
	if (unorderable >= 0) {
		/* defaultStatus speaks only of versions no entry covers, and the
		 * unorderable entries may cover this one: say so, do not guess. */
		const char *vt = NULL;
		for (size_t i = (size_t)unorderable; i < n && !vt; i++)
			if (strcmp(r[i].status, "none") != 0)
				vt = r[i].vtype;
		cve5_label(&r[unorderable], label, sizeof label);
		snprintf(note, sizeof note, "versions given as %s cannot be ordered against %s",
		         vt ? vt : "free text", id->version);
		return add_ev(c, src, IOTA_VULN_UNKNOWN, CONF_UNASSESSED, label, NULL, note);
	}
	if (named_only >= 0) {
		cve5_label(&r[named_only], label, sizeof label);
		return add_ev(c, src, IOTA_VULN_UNKNOWN, CONF_UNASSESSED, label, NULL,
		              "the record names the product without version data");
	}
	return 0; /* listed ranges that do not contain it, default unknown: nothing said */
}

static int eval_osv(const struct ident *id, struct cand *c, struct arow *r, size_t n)
{
	c->covered = 1;
	int unorderable = 0, nout = 0;
	char first[420] = "";
	for (size_t i = 0; i < n; i++) {
		struct arow *x = &r[i];
		char range[400], t[200];
		iota_vr_text(t, sizeof t, x->version, x->start, x->start_incl, x->end, x->end_incl);
		snprintf(range, sizeof range, "%s/%s %s", x->ecosystem ? x->ecosystem : "?",
		         x->package, t);
		int ok = id->version_ok && (!x->vtype || strcmp(x->vtype, "git") != 0);
		if (!ok) {
			unorderable++;
			continue;
		}
		if (iota_vr_contains(id->version, x->version, x->start, x->start_incl, x->end,
		                     x->end_incl))
			return add_ev(c, "osv", IOTA_VULN_AFFECTED, CONF_CONFIRMED, range, NULL,
			              x->record && strcmp(x->record, x->cve) != 0 ? x->record
			                                                          : NULL);
		if (!nout++)
			snprintf(first, sizeof first, "%s%s", range, n > 1 ? "; ..." : "");
	}
	if (nout)
		return add_ev(c, "osv", IOTA_VULN_NOT_AFFECTED, CONF_CONFIRMED, first, NULL,
		              "outside OSV's affected ranges");
	if (unorderable)
		return add_ev(c, "osv", IOTA_VULN_UNKNOWN, CONF_UNASSESSED, r[0].package, NULL,
		              id->version_ok ? "OSV ranges given as git commits cannot be ordered"
		                             : "the component's version is unknown");
	return 0;
}

/* ---- the description fallback ---- */

static int word_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static const char *skip_sp(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

/* Case-insensitive word at p; returns the position after it or NULL. */
static const char *word(const char *p, const char *w)
{
	size_t n = strlen(w);
	if (strncasecmp(p, w, n) != 0 || word_char(p[n]))
		return NULL;
	return p + n;
}

/* A version token at p ("2022.83", "9.6", "1.3.8b"); NULL if none. */
static const char *version_tok(const char *p, char *out, size_t size)
{
	if (!isdigit((unsigned char)*p))
		return NULL;
	const char *s = p;
	while (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_' || *p == '+' ||
	       *p == '~')
		p++;
	while (p > s && (p[-1] == '.' || p[-1] == '-'))
		p--; /* a sentence's full stop */
	snprintf(out, size, "%.*s", (int)(p - s), s);
	return p;
}

enum { PH_NONE = -1, PH_OUT = 0, PH_IN = 1, PH_NAMED = 2 };

/* Reads the words after a mention of the product: "before X", "through X",
 * "X and earlier", "X through Y", "X before Y", "v.X". */
static int phrase_at(const char *p, const char *v, const char **end)
{
	char a[64], b[64];
	const char *q;
	p = skip_sp(p);
	if ((q = word(p, "versions")) || (q = word(p, "version")))
		p = skip_sp(q);
	else if ((*p == 'v' || *p == 'V') && (p[1] == '.' || isdigit((unsigned char)p[1])))
		p += p[1] == '.' ? 2 : 1;
	static const struct {
		const char *w;
		int incl;
	} upto[] = {{"before", 0},     {"prior to", 0}, {"earlier than", 0},
	            {"older than", 0}, {"through", 1},  {"up to and including", 1},
	            {"up to", 1},      {"<=", 1},       {"<", 0}};
	for (size_t k = 0; k < sizeof upto / sizeof upto[0]; k++) {
		size_t n = strlen(upto[k].w);
		if (strncasecmp(p, upto[k].w, n) != 0 ||
		    (isalpha((unsigned char)upto[k].w[0]) && word_char(p[n])))
			continue;
		q = skip_sp(p + n);
		if ((*q == 'v' || *q == 'V') && q[1] == '.')
			q += 2;
		if (!(q = version_tok(q, a, sizeof a)))
			return PH_NONE;
		*end = q;
		int c = iota_version_cmp(v, a);
		return c < 0 || (c == 0 && upto[k].incl) ? PH_IN : PH_OUT;
	}
	if (!(q = version_tok(p, a, sizeof a)))
		return PH_NONE;
	const char *after = skip_sp(q);
	static const char *const earlier[] = {"and earlier", "or earlier", "and prior", "and below",
	                                      "or below",    "and older",  "or older"};
	for (size_t k = 0; k < sizeof earlier / sizeof earlier[0]; k++)
		if (strncasecmp(after, earlier[k], strlen(earlier[k])) == 0) {
			*end = after + strlen(earlier[k]);
			return iota_version_cmp(v, a) <= 0 ? PH_IN : PH_OUT;
		}
	static const struct {
		const char *w;
		int incl;
	} span[] = {{"through", 1}, {"to", 1}, {"before", 0}, {"-", 1}};
	for (size_t k = 0; k < sizeof span / sizeof span[0]; k++) {
		size_t n = strlen(span[k].w);
		if (strncasecmp(after, span[k].w, n) != 0 ||
		    (isalpha((unsigned char)span[k].w[0]) && word_char(after[n])))
			continue;
		const char *r = skip_sp(after + n);
		if (!(r = version_tok(r, b, sizeof b)))
			continue;
		*end = r;
		int lo = iota_version_cmp(v, a), hi = iota_version_cmp(v, b);
		return lo >= 0 && (hi < 0 || (hi == 0 && span[k].incl)) ? PH_IN : PH_OUT;
	}
	*end = q;
	/* A single version named ("in BusyBox v.1.36.1"): a candidate for that
	 * version; it says nothing about the others. */
	return iota_version_cmp(v, a) == 0 ? PH_IN : PH_NAMED;
}

/* Looks at every mention of alias in text. Returns PH_IN with the phrase
 * quoted, else PH_OUT if a phrase rules the version out, else PH_NAMED
 * (mentioned, nothing about versions), else PH_NONE (not mentioned). */
static int describe(const char *text, const char *alias, const char *v, char *quote, size_t size)
{
	size_t n = strlen(alias);
	int best = PH_NONE;
	char first_out[200] = "", first_named[200] = "";
	for (const char *p = text; (p = ci_find(p, alias)); p += n) {
		if ((p > text && word_char(p[-1])) || word_char(p[n]))
			continue;
		if (best == PH_NONE)
			best = PH_NAMED;
		if (!v)
			continue;
		const char *end = NULL;
		int r = phrase_at(p + n, v, &end);
		if (r == PH_IN) {
			snprintf(quote, size, "%.*s", (int)(end - p), p);
			return PH_IN;
		}
		if (r == PH_OUT && best != PH_OUT) {
			best = PH_OUT;
			snprintf(first_out, sizeof first_out, "%.*s", (int)(end - p), p);
		}
		if (r == PH_NAMED && end && !first_named[0])
			snprintf(first_named, sizeof first_named, "%.*s", (int)(end - p), p);
	}
	if (best == PH_OUT)
		snprintf(quote, size, "%s", first_out);
	else if (best == PH_NAMED)
		snprintf(quote, size, "%s", first_named);
	return best;
}

static int fts_query(const iota_vlist *text, iota_dynbuf *q)
{
	for (size_t i = 0; i < text->n; i++) {
		if (iota_dynbuf_add(q, i ? " OR \"" : "\"", i ? 5 : 1) != 0)
			return -1;
		for (const char *s = text->v[i]; *s; s++)
			if (iota_dynbuf_add(q, s, 1) != 0 ||
			    (*s == '"' && iota_dynbuf_add(q, s, 1) != 0))
				return -1;
		if (iota_dynbuf_add(q, "\"", 1) != 0)
			return -1;
	}
	return 0;
}

/* NVD's state of a CVE: 1 analysed (has configurations), 0 not, -1 none. */
static int nvd_state(iota_vulndb *db, const char *cve, char *status, size_t size)
{
	sqlite3_stmt *st = iota_vdb_cached(
	    db, "SELECT status, structured FROM cve WHERE id = ?1 AND source = 'nvd'");
	if (!st)
		return -2;
	sqlite3_bind_text(st, 1, cve, -1, SQLITE_STATIC);
	int r = -1;
	status[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		snprintf(status, size, "%s", s ? s : "");
		r = sqlite3_column_int64(st, 1) > 0;
	}
	sqlite3_reset(st);
	return r;
}

static int withdrawn(const char *status)
{
	return status &&
	       (strcasecmp(status, "Rejected") == 0 || strcasecmp(status, "Withdrawn") == 0);
}

static int eval_descriptions(iota_vulndb *db, const struct ident *id, struct cands *cs)
{
	if (!id->text.n)
		return 0;
	iota_dynbuf q;
	iota_dynbuf_init(&q, 1 << 16);
	if (fts_query(&id->text, &q) != 0) {
		iota_dynbuf_free(&q);
		iota_vdb_seterr(db, "product names too long for a search");
		return -1;
	}
	sqlite3_stmt *st = iota_vdb_cached(
	    db, "SELECT c.id, c.status, c.description FROM cve_text JOIN cve c ON c.rowid = "
	        "cve_text.rowid WHERE cve_text MATCH ?1 ORDER BY c.id, c.source");
	if (!st) {
		iota_dynbuf_free(&q);
		return -1;
	}
	sqlite3_bind_text(st, 1, iota_dynbuf_str(&q), -1, SQLITE_STATIC);
	int rc, err = 0;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cve = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		const char *desc = (const char *)sqlite3_column_text(st, 2);
		if (!cve || !desc)
			continue;
		struct cand *c = cand_get(cs, cve);
		if (!c) {
			err = 1;
			break;
		}
		if (withdrawn(status))
			c->described = 2; /* rejected by one source: never a match */
		if (c->covered || c->described)
			continue;
		char nvd[64];
		int analysed = nvd_state(db, cve, nvd, sizeof nvd);
		if (analysed == -2) {
			err = 1;
			break;
		}
		if (analysed == 1) {
			c->described = 2; /* NVD analysed it and did not list the product */
			continue;
		}
		char quote[256] = "", best_quote[256] = "";
		int best = PH_NONE;
		for (size_t i = 0; i < id->text.n && best != PH_IN; i++) {
			int r = describe(desc, id->text.v[i], id->version_ok ? id->version : NULL,
			                 quote, sizeof quote);
			if (r == PH_IN || (r == PH_OUT && best != PH_OUT) ||
			    (r == PH_NAMED && best == PH_NONE)) {
				best = r;
				snprintf(best_quote, sizeof best_quote, "%s", quote);
			}
		}
		if (best == PH_NONE)
			continue; /* the search matched words, not the name */
		c->described = 1;
		char note[640];
		if (best == PH_IN) {
			snprintf(note, sizeof note, "the description says \"%s\"", best_quote);
			err = add_ev(c, "description", IOTA_VULN_UNKNOWN, CONF_CANDIDATE, NULL,
			             NULL, note) != 0;
		} else if (best == PH_OUT) {
			snprintf(note, sizeof note, "the description says \"%s\"", best_quote);
			err = add_ev(c, "description", IOTA_VULN_NOT_AFFECTED, CONF_CANDIDATE, NULL,
			             NULL, note) != 0;
		} else if (id->version_ok && best_quote[0]) {
			snprintf(note, sizeof note,
			         "the description names the product (\"%s\") but no range that "
			         "settles %s",
			         best_quote, id->version);
			err = add_ev(c, "description", IOTA_VULN_UNKNOWN, CONF_UNASSESSED, NULL,
			             NULL, note) != 0;
		} else {
			err =
			    add_ev(c, "description", IOTA_VULN_UNKNOWN, CONF_UNASSESSED, NULL, NULL,
			           id->version_ok ? "the description names the product without "
			                            "a version range"
			                          : "the component's version is unknown") != 0;
		}
	}
	sqlite3_reset(st);
	iota_dynbuf_free(&q);
	if (err) {
		iota_vdb_seterr(db, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- the result ---- */

static char *sdup(const char *s, int *bad)
{
	if (!s)
		return NULL;
	char *d = iota_strdup(s);
	if (!d)
		*bad = 1;
	return d;
}

/* One read of a CVE's records for everything the match needs from them:
 * whether any source rejected it, the data a match shows (NVD's first, then
 * CVE JSON 5's, then the rest) and the source files it names (for the
 * kernel configuration filter). Reading them once instead of once per use
 * halves the lookups per match, which is what a kernel's thousands of
 * matches cost. m must be zeroed with cvss3 = cvss4 = -1. */
static int cve_fetch(iota_vulndb *db, const char *cve, iota_vuln_match *m, int *rejected,
                     char *files, size_t fsize)
{
	int bad = 0;
	char fsrc[32] = "";
	*rejected = 0;
	files[0] = '\0';
	sqlite3_stmt *st = iota_vdb_cached(
	    db, "SELECT source, status, published, description, cvss3_score, cvss3_vector, "
	        "cvss3_severity, cvss4_score, cvss4_vector, cvss4_severity, program_files "
	        "FROM cve WHERE id = ?1 "
	        "ORDER BY CASE source WHEN 'nvd' THEN 0 WHEN 'cve5' THEN 1 ELSE 2 END, record");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, cve, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
#define COL(i) ((const char *)sqlite3_column_text(st, i))
		const char *src = COL(0);
		if (withdrawn(COL(1)))
			*rejected = 1;
		/* the first source in name order that names files */
		const char *pf = COL(10);
		if (pf && src && (!fsrc[0] || strcmp(src, fsrc) < 0)) {
			snprintf(fsrc, sizeof fsrc, "%s", src);
			snprintf(files, fsize, "%s", pf);
		}
		if (src && strcmp(src, "nvd") == 0 && !m->nvd_status)
			m->nvd_status = sdup(COL(1), &bad);
		if (!m->published)
			m->published = sdup(COL(2), &bad);
		if (!m->description)
			m->description = sdup(COL(3), &bad);
		if (m->cvss3 < 0 && sqlite3_column_type(st, 4) != SQLITE_NULL) {
			m->cvss3 = sqlite3_column_double(st, 4);
			m->cvss3_vector = sdup(COL(5), &bad);
			m->cvss3_severity = sdup(COL(6), &bad);
		} else if (m->cvss3 < 0 && !m->cvss3_vector && COL(5)) {
			m->cvss3_vector = sdup(COL(5), &bad);
			m->cvss3_severity = sdup(COL(6), &bad);
		}
		if (m->cvss4 < 0 && sqlite3_column_type(st, 7) != SQLITE_NULL) {
			m->cvss4 = sqlite3_column_double(st, 7);
			m->cvss4_vector = sdup(COL(8), &bad);
			m->cvss4_severity = sdup(COL(9), &bad);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		iota_vdb_sqlfail(db, "read CVE records");
		return -1;
	}
	return bad ? -1 : 0;
}

static int enrich_kev(iota_vulndb *db, iota_vuln_match *m)
{
	int bad = 0;
	sqlite3_stmt *st = iota_vdb_cached(
	    db, "SELECT date_added, due_date, ransomware FROM kev WHERE cve_id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, m->cve, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->kev = 1;
		m->kev_added = sdup(COL(0), &bad);
		m->kev_due = sdup(COL(1), &bad);
		m->kev_ransomware = sdup(COL(2), &bad);
	}
#undef COL
	sqlite3_reset(st);
	return bad ? -1 : 0;
}

static int match_order(const void *a, const void *b)
{
	const iota_vuln_match *x = a, *y = b;
	if (x->status != y->status)
		return (int)x->status - (int)y->status;
	double sx = x->cvss3 > x->cvss4 ? x->cvss3 : x->cvss4;
	double sy = y->cvss3 > y->cvss4 ? y->cvss3 : y->cvss4;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return iota_version_cmp(x->cve, y->cve);
}

static const char *unknown_text(const char *nvd_status, int from_description)
{
	if (!from_description)
		return "unknown: the CVE record names the product without usable version data";
	if (!nvd_status)
		return "unknown: record not analysed by NVD mentions the product";
	if (strcasecmp(nvd_status, "Deferred") == 0)
		return "unknown: record deferred by NVD mentions the product";
	if (strcasecmp(nvd_status, "Awaiting Analysis") == 0 ||
	    strcasecmp(nvd_status, "Received") == 0 ||
	    strcasecmp(nvd_status, "Undergoing Analysis") == 0)
		return "unknown: record awaiting analysis mentions the product";
	return "unknown: record without version data mentions the product";
}

/* The status of a candidate from its evidence: affected > conditional >
 * not affected by a structured, orderable source > unknown > not affected
 * by the description's words (a range that rules the version out is not
 * outweighed by data that cannot be ordered). For a distro build the
 * distribution's own ranges (OSV) decide: they know its backported fixes,
 * upstream ranges do not. */
static iota_vuln_status cand_status(const struct ident *id, const struct cand *c, int *distro)
{
	iota_vuln_status best = IOTA_VULN_NOT_AFFECTED;
	int ruled_out = 0;
	*distro = 0;
	for (size_t i = 0; i < c->nev; i++) {
		if (c->ev[i].status < best)
			best = c->ev[i].status;
		if (c->ev[i].status == IOTA_VULN_NOT_AFFECTED && c->ev[i].conf == CONF_CONFIRMED)
			ruled_out = 1;
	}
	if (best == IOTA_VULN_UNKNOWN && ruled_out)
		best = IOTA_VULN_NOT_AFFECTED;
	for (size_t i = 0; id->ecosystem && i < c->nev; i++)
		if (strcmp(c->ev[i].source, "osv") == 0 && c->ev[i].status != IOTA_VULN_UNKNOWN) {
			*distro = 1;
			return c->ev[i].status;
		}
	return best;
}

/* m holds what cve_fetch read */
static int build_match(iota_vulndb *db, const struct ident *id, struct cand *c, iota_vuln_match *m)
{
	int bad = 0;
	m->cve = sdup(c->cve, &bad);
	int distro_verdict;
	iota_vuln_status best = cand_status(id, c, &distro_verdict);
	int conf = CONF_UNASSESSED, from_desc = 1;
	for (size_t i = 0; i < c->nev; i++) {
		if (c->ev[i].status != best)
			continue;
		if (c->ev[i].conf < conf)
			conf = c->ev[i].conf;
		if (strcmp(c->ev[i].source, "description") != 0)
			from_desc = 0;
	}
	m->status = best;
	m->confidence = sdup(conf_names[conf], &bad);
	m->evidence = iota_calloc(c->nev ? c->nev : 1, sizeof *m->evidence);
	if (!m->evidence)
		return -1;
	m->nevidence = c->nev;
	const char *cond = NULL;
	for (size_t i = 0; i < c->nev; i++) {
		iota_vuln_evidence *e = &m->evidence[i];
		e->source = sdup(c->ev[i].source, &bad);
		e->status = c->ev[i].status;
		e->range = sdup(c->ev[i].range, &bad);
		e->condition = sdup(c->ev[i].condition, &bad);
		e->note = sdup(c->ev[i].note, &bad);
		if (c->ev[i].status == best && c->ev[i].condition && !cond)
			cond = c->ev[i].condition;
	}
	if (bad || enrich_kev(db, m) != 0)
		return -1;
	char text[400];
	switch (best) {
	case IOTA_VULN_AFFECTED:
		snprintf(text, sizeof text, "affected%s",
		         id->ecosystem && !distro_verdict
		             ? " (distro build: upstream range; backports not assessed)"
		             : "");
		break;
	case IOTA_VULN_CONDITIONAL:
		snprintf(text, sizeof text, "conditional: affected only on/with %s",
		         cond ? cond : "?");
		break;
	case IOTA_VULN_UNKNOWN:
		snprintf(text, sizeof text, "%s", unknown_text(m->nvd_status, from_desc));
		break;
	default:
		snprintf(text, sizeof text, "not affected");
		break;
	}
	m->status_text = sdup(text, &bad);
	return bad ? -1 : 0;
}

static void match_free(iota_vuln_match *m)
{
	char *f[] = {m->cve,           m->status_text,    m->confidence,   m->nvd_status,
	             m->published,     m->description,    m->cvss3_vector, m->cvss3_severity,
	             m->cvss4_vector,  m->cvss4_severity, m->kev_added,    m->kev_due,
	             m->kev_ransomware};
	for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
		iota_free(f[k]);
	for (size_t k = 0; k < m->nevidence; k++) {
		iota_free(m->evidence[k].source);
		iota_free(m->evidence[k].range);
		iota_free(m->evidence[k].condition);
		iota_free(m->evidence[k].note);
	}
	iota_free(m->evidence);
	iota_free(m->not_applicable);
	memset(m, 0, sizeof *m);
}

void iota_vuln_result_free(iota_vuln_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		match_free(&r->matches[i]);
	iota_free(r->matches);
	iota_free(r->identity);
	iota_free(r->not_applicable_why);
	iota_free(r);
}

static char *identity_text(const struct ident *id)
{
	iota_dynbuf b;
	iota_dynbuf_init(&b, 1 << 16);
	const struct {
		const char *label;
		const iota_vlist *l;
	} parts[] = {{"cpe", &id->cpe},
	             {"cve5", &id->cve5},
	             {"package", &id->pkg},
	             {"osv", &id->osv},
	             {"names", &id->text}};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (!parts[i].l->n)
			continue;
		iota_dynbuf_addf(&b, "%s%s ", b.len ? "; " : "", parts[i].label);
		for (size_t k = 0; k < parts[i].l->n; k++)
			iota_dynbuf_addf(&b, "%s%s", k ? ", " : "", parts[i].l->v[k]);
	}
	if (id->any_vendor)
		iota_dynbuf_addf(&b, "%scpe *:%s (any vendor)", b.len ? "; " : "", id->name);
	if (id->ecosystem)
		iota_dynbuf_addf(&b, "; ecosystem %s", id->ecosystem);
	char *s = iota_strdup(iota_dynbuf_str(&b));
	iota_dynbuf_free(&b);
	return s;
}

/* ---- kernel configuration ---- */

struct kfilter {
	const char **en; /* sorted copy of query.kconfig_enabled */
	size_t n;
	struct {
		char miss[120];
		size_t count;
	} tally[32];
	size_t ntally, other;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int kfilter_init(iota_vulndb *db, const iota_vuln_query *q, const struct ident *id,
                        struct kfilter *kf)
{
	memset(kf, 0, sizeof *kf);
	if (!q->kconfig_known ||
	    !(strcmp(id->name, "linux") == 0 || iota_vlist_has(&id->cpe, "linux:linux_kernel")))
		return 0;
	if (iota_kobjs_load(&db->kobjs) != 0) {
		iota_vdb_seterr(db, "data/vuln/kernel-objects.tsv: not built in or out of memory");
		return -1;
	}
	size_t n = 0;
	while (q->kconfig_enabled && q->kconfig_enabled[n])
		n++;
	kf->en = iota_malloc((n ? n : 1) * sizeof *kf->en);
	if (!kf->en) {
		iota_vdb_seterr(db, "out of memory");
		return -1;
	}
	memcpy(kf->en, q->kconfig_enabled, n * sizeof *kf->en);
	qsort(kf->en, n, sizeof *kf->en, str_cmp);
	kf->n = n;
	return 1;
}

/* The symbols a "why" names as missing: "F needs CONFIG_A or CONFIG_B ..." */
static void kfilter_count(struct kfilter *kf, const char *why)
{
	const char *p = strstr(why, " needs ");
	char miss[120] = "?";
	if (p) {
		p += 7;
		size_t n = strcspn(p, ",(");
		while (n && p[n - 1] == ' ')
			n--;
		snprintf(miss, sizeof miss, "%.*s", (int)n, p);
	}
	for (size_t i = 0; i < kf->ntally; i++)
		if (strcmp(kf->tally[i].miss, miss) == 0) {
			kf->tally[i].count++;
			return;
		}
	if (kf->ntally == sizeof kf->tally / sizeof kf->tally[0]) {
		kf->other++;
		return;
	}
	snprintf(kf->tally[kf->ntally].miss, sizeof kf->tally[0].miss, "%s", miss);
	kf->tally[kf->ntally++].count = 1;
}

static char *kfilter_summary(const struct kfilter *kf)
{
	iota_dynbuf b;
	iota_dynbuf_init(&b, 1 << 16);
	for (size_t i = 0; i < kf->ntally; i++)
		iota_dynbuf_addf(&b, "%s%s not set: %zu", i ? "; " : "", kf->tally[i].miss,
		                 kf->tally[i].count);
	if (kf->other)
		iota_dynbuf_addf(&b, "; other symbols: %zu", kf->other);
	char *s = iota_strdup(iota_dynbuf_str(&b));
	iota_dynbuf_free(&b);
	return s;
}

/* Rules match m out when every source file its CVE record names is left
 * out by the configuration. 0 (done, whatever the verdict), -1 on a
 * database error, -2 out of memory. */
/* files: the CVE's source files (cve_fetch), cut up here */
static int kfilter_apply(iota_vulndb *db, struct kfilter *kf, char *files, iota_vuln_match *m,
                         iota_vuln_result *res)
{
	if (!files[0])
		return 0;
	res->kconfig_checked++;
	char why[1024] = "", one[512];
	size_t wn = 0, nfiles = 0;
	for (char *line = files, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		nfiles++;
		if (iota_kobjs_built(&db->kobjs, kf->en, kf->n, line, one, sizeof one) != 0)
			return 0; /* built, or not known: the CVE stays */
		if (nfiles <= 3) {
			int w = snprintf(why + wn, sizeof why - wn, "%s%s", wn ? "; " : "", one);
			if (w > 0 && (size_t)w < sizeof why - wn)
				wn += (size_t)w;
		}
	}
	if (!nfiles)
		return 0;
	kfilter_count(kf, why); /* by the first file's missing symbols */
	if (nfiles > 3 && wn + 40 < sizeof why)
		snprintf(why + wn, sizeof why - wn, "; and %zu more files", nfiles - 3);
	iota_vuln_evidence *e = iota_realloc(m->evidence, (m->nevidence + 1) * sizeof *m->evidence);
	if (!e)
		return -2;
	m->evidence = e;
	e = &e[m->nevidence++];
	memset(e, 0, sizeof *e);
	e->status = IOTA_VULN_NOT_AFFECTED;
	e->source = iota_strdup("kconfig");
	e->note = iota_strdup(why);
	char text[1100];
	snprintf(text, sizeof text, "not applicable: %s", why);
	iota_free(m->status_text);
	m->status_text = iota_strdup(text);
	m->not_applicable = iota_strdup(why);
	m->status = IOTA_VULN_NOT_AFFECTED;
	res->not_applicable++;
	return e->source && e->note && m->status_text && m->not_applicable ? 0 : -2;
}

iota_rc iota_vulndb_match(iota_vulndb *db, const iota_vuln_query *q, iota_vuln_result **out)
{
	*out = NULL;
	if (!q || !q->name || !*q->name) {
		iota_vdb_seterr(db, "a product name is needed");
		return IOTA_FATAL;
	}
	if (load_products(db) != 0)
		return IOTA_FATAL;
	struct ident id;
	char lname[128];
	int known = 0;
	struct rows rows = {0};
	struct cands cs = {0};
	struct kfilter kf = {0};
	iota_vuln_result *res = NULL;
	iota_rc rc = IOTA_NOMEM;
	int in_tx = 0, kfilter = 0;
	if (build_ident(db, q, &id, lname, sizeof lname, &known) != 0)
		goto out;
	kfilter = kfilter_init(db, q, &id, &kf);
	if (kfilter < 0) {
		rc = IOTA_FATAL;
		goto out;
	}
	/* One read transaction: one lock and one look at the file for all the
	 * queries below, and a consistent view if an import runs meanwhile. */
	if (iota_vdb_exec(db, "SAVEPOINT vmatch") != 0) {
		rc = IOTA_FATAL;
		goto out;
	}
	in_tx = 1;

	/* structured rows: by product name (NVD, CVE5) and by package (CVE5, OSV) */
	rc = IOTA_FATAL;
	iota_vlist keys = {0};
	int kb = 0;
	for (size_t i = 0; i < id.cpe.n; i++)
		kb |= add_str(&keys, strchr(id.cpe.v[i], ':') + 1);
	for (size_t i = 0; i < id.cve5.n; i++) {
		const char *slash = strchr(id.cve5.v[i], '/');
		kb |= add_str(&keys, slash ? slash + 1 : id.cve5.v[i]);
	}
	if (id.any_vendor)
		kb |= add_str(&keys, id.name);
	for (size_t i = 0; i < keys.n && !kb; i++)
		kb = load_rows(db, &id, "product", keys.v[i], &rows) != 0;
	iota_vlist_free(&keys);
	for (size_t i = 0; i < id.pkg.n && !kb; i++) {
		char p[256];
		const char *at = strchr(id.pkg.v[i], '@');
		snprintf(p, sizeof p, "%.*s",
		         (int)(at ? (size_t)(at - id.pkg.v[i]) : strlen(id.pkg.v[i])), id.pkg.v[i]);
		kb = load_rows(db, &id, "package", p, &rows) != 0;
	}
	for (size_t i = 0; i < id.osv.n && !kb; i++) {
		const char *slash = strchr(id.osv.v[i], '/');
		if (slash)
			kb = load_rows(db, &id, "package", slash + 1, &rows) != 0;
	}
	if (!kb && id.ecosystem)
		kb = load_rows(db, &id, "package", id.name, &rows) != 0;
	if (kb)
		goto out;
	dedupe_rows(&rows);
	if (rows.n)
		qsort(rows.v, rows.n, sizeof *rows.v, row_order);

	for (size_t i = 0; i < rows.n;) {
		size_t j = i + 1;
		struct arow *a = &rows.v[i];
		int by_entry = strncmp(a->source, "cve5", 4) == 0;
		while (j < rows.n && strcmp(rows.v[j].cve, a->cve) == 0 &&
		       strcmp(rows.v[j].source, a->source) == 0)
			j++;
		struct cand *c = cand_get(&cs, a->cve);
		if (!c) {
			rc = IOTA_NOMEM;
			goto out;
		}
		int r;
		if (strcmp(a->source, "nvd-cpe") == 0)
			r = eval_nvd(db, &id, c, a, j - i);
		else if (by_entry)
			r = eval_cve5_source(&id, c, a, j - i);
		else
			r = eval_osv(&id, c, a, j - i);
		if (r != 0)
			goto out;
		i = j;
	}
	if (eval_descriptions(db, &id, &cs) != 0)
		goto out;

	rc = IOTA_NOMEM;
	res = iota_calloc(1, sizeof *res);
	if (!res)
		goto out;
	res->identity_known = known;
	res->identity = identity_text(&id);
	res->matches = iota_calloc(cs.n ? cs.n : 1, sizeof *res->matches);
	if (!res->identity || !res->matches)
		goto out;
	for (size_t i = 0; i < cs.n; i++) {
		struct cand *c = &cs.v[i];
		if (!c->nev || c->described == 2)
			continue;
		int distro;
		if (cand_status(&id, c, &distro) == IOTA_VULN_NOT_AFFECTED &&
		    !(q->flags & IOTA_VULN_INCLUDE_NOT_AFFECTED))
			continue;
		/* a CVE rejected in any source is no match */
		int rejected = 0;
		char files[4096];
		iota_vuln_match *m = &res->matches[res->count];
		memset(m, 0, sizeof *m);
		m->cvss3 = -1;
		m->cvss4 = -1;
		if (cve_fetch(db, c->cve, m, &rejected, files, sizeof files) != 0) {
			match_free(m);
			rc = IOTA_FATAL;
			goto out;
		}
		if (rejected) {
			match_free(m);
			continue;
		}
		int r = build_match(db, &id, c, m);
		res->count++;
		if (r != 0)
			goto out;
		if (kfilter && m->status != IOTA_VULN_NOT_AFFECTED &&
		    (r = kfilter_apply(db, &kf, files, m, res)) != 0) {
			rc = r == -1 ? IOTA_FATAL : IOTA_NOMEM;
			goto out;
		}
		if (m->not_applicable && (q->flags & (IOTA_VULN_INCLUDE_NOT_AFFECTED |
		                                      IOTA_VULN_INCLUDE_NOT_APPLICABLE)))
			continue;
		if (m->status == IOTA_VULN_NOT_AFFECTED &&
		    !(q->flags & IOTA_VULN_INCLUDE_NOT_AFFECTED)) {
			res->count--;
			match_free(m);
			continue;
		}
		if (m->status == IOTA_VULN_UNKNOWN)
			res->unknown++;
	}
	if (res->count)
		qsort(res->matches, res->count, sizeof *res->matches, match_order);
	if (res->not_applicable && !(res->not_applicable_why = kfilter_summary(&kf)))
		goto out;
	*out = res;
	res = NULL;
	rc = IOTA_OK;
out:
	if (rc == IOTA_NOMEM)
		iota_vdb_seterr(db, "out of memory");
	for (size_t i = 0; i < sizeof db->cache / sizeof db->cache[0] && db->cache[i].st; i++)
		sqlite3_reset(db->cache[i].st);
	if (in_tx)
		sqlite3_exec(db->db, "RELEASE vmatch", NULL, NULL, NULL);
	iota_vuln_result_free(res);
	for (size_t i = 0; i < rows.n; i++)
		arow_free(&rows.v[i]);
	iota_free(rows.v);
	cands_free(&cs);
	iota_free(kf.en);
	ident_free(&id);
	return rc;
}

void iota_vuln_match_release(iota_vuln_match *m)
{
	match_free(m);
}
