/*
 * The standards catalog loader (data/catalog/, embedded, or --data DIR).
 *
 *   evidence-keys.yaml   keys: [{key, type, title, description, pass_if?}]
 *   standards/<id>.yaml  id, title, scope, summary, version?, url?,
 *                        provisions: [{id, title, summary, obligation, verify, sl?, evidence?}]
 *   checks.yaml          checks: [{id, title, description, why, fix, findings,
 *                                  provisions: {<standard>: [provision ids]}}]
 *   profiles.yaml        profiles: [{id, title, standards, levels?, default_level?, weights}]
 *
 * Strict: an unknown key, a wrong type, a reference to a standard,
 * provision or evidence key that does not exist is an error naming the file
 * and line. The files are read whole with libfyaml (assess_yaml.c).
 *
 * Which standard files exist: with --data DIR every standards/<id>.yaml; in
 * the embedded copy (iota_data_get() looks up names, it cannot list them)
 * the standards named by profiles.yaml and checks.yaml plus the ids of the
 * known standards below.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess/assess.h"
#include "assess/assess_yaml.h"
#include "core/data.h"
#include "util/alloc.h"

static const char *const known_standards[] = {
	"etsi-en-303-645", "en-18031-1", "en-18031-2", "en-18031-3", "nistir-8259a", "nistir-8259b",
	"nistir-8425", "iec-62443-4-2", "uk-psti", "eu-cra", "owasp-iot-top10", NULL};

struct loader {
	iota_arena *arena;
	const char *dir; /* the catalog folder, NULL = embedded */
	char *err;
	size_t errcap;
	iota_catalog *cat;
	/* growing arrays while loading */
	iota_standard *std;
	size_t nstd, capstd;
	iota_provision *prov;
	size_t nprov, capprov;
	size_t *prov_std; /* index of each provision's standard */
};

int iota_severity_parse(const char *name)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; i < 5; i++)
		if (name && strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int iota_pattern_match(const char *pattern, const char *check)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, check, n - 1) == 0;
	return strcmp(pattern, check) == 0;
}

static int open_file(struct loader *L, ay_file *f, const char *rel, int optional)
{
	memset(f, 0, sizeof *f);
	f->err = L->err;
	f->errcap = L->errcap;
	f->arena = L->arena;
	if (L->dir) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", L->dir, rel);
		struct stat st;
		if (optional && stat(path, &st) != 0)
			return 1;
		const char *name = iota_arena_strdup(L->arena, path);
		if (!name)
			return -1;
		int rc = ay_open_path(f, name);
		if (rc == 0)
			f->name = name;
		return rc;
	}
	char key[512];
	snprintf(key, sizeof key, "catalog/%s", rel);
	size_t len;
	const unsigned char *b = iota_data_get(key, &len);
	if (!b) {
		if (optional)
			return 1;
		snprintf(L->err, L->errcap, "%s: missing from the embedded catalog", key);
		return -1;
	}
	const char *name = iota_arena_strdup(L->arena, key);
	return name ? ay_open_bytes(f, name, (const char *)b, len) : -1;
}

static int one_of(const char *v, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

/* ---- evidence-keys.yaml ---- */

static int load_evidence_keys(struct loader *L)
{
	ay_file f;
	if (open_file(L, &f, "evidence-keys.yaml", 0) != 0)
		return -1;
	static const char *const top[] = {"keys", NULL};
	static const char *const fields[] = {"key", "type", "title", "description", "pass_if", NULL};
	static const char *const req[] = {"key", "type", "title", "description", NULL};
	static const char *const types[] = {"url", "email", "date", "bool", "text", NULL};
	struct fy_node *root = ay_root(&f), *keys;
	int rc = -1;
	if (ay_check_map(&f, root, "evidence-keys.yaml", top, top) != 0)
		goto out;
	keys = ay_get(root, "keys");
	if (!keys || !fy_node_is_sequence(keys)) {
		ay_fail(&f, keys ? keys : root, "'keys' must be a list");
		goto out;
	}
	size_t n = (size_t)fy_node_sequence_item_count(keys);
	L->cat->evidence_keys = iota_arena_alloc(L->arena, (n + 1) * sizeof *L->cat->evidence_keys);
	if (!L->cat->evidence_keys)
		goto out;
	void *it = NULL;
	struct fy_node *k;
	while ((k = fy_node_sequence_iterate(keys, &it))) {
		iota_evidence_key *e = &L->cat->evidence_keys[L->cat->nevidence_keys];
		const char *pass_if = NULL;
		if (ay_check_map(&f, k, "evidence key", fields, req) != 0 ||
		    ay_req_str(&f, k, "key", &e->key) != 0 || ay_req_str(&f, k, "type", &e->type) != 0 ||
		    ay_req_str(&f, k, "title", &e->title) != 0 ||
		    ay_req_str(&f, k, "description", &e->description) != 0 ||
		    ay_opt_str(&f, k, "pass_if", &pass_if) != 0)
			goto out;
		if (!one_of(e->type, types)) {
			ay_fail(&f, ay_get(k, "type"), "type '%s' is not url, email, date, bool or text",
				e->type);
			goto out;
		}
		if (pass_if && strcmp(pass_if, "future") != 0) {
			ay_fail(&f, ay_get(k, "pass_if"), "pass_if must be 'future'");
			goto out;
		}
		size_t kl = strlen(e->key);
		e->future = pass_if || (strcmp(e->type, "date") == 0 && kl > 4 &&
					strcmp(e->key + kl - 4, "_end") == 0);
		if (pass_if && strcmp(e->type, "date") != 0) {
			ay_fail(&f, ay_get(k, "pass_if"), "pass_if: future is for dates");
			goto out;
		}
		for (size_t i = 0; i < L->cat->nevidence_keys; i++)
			if (strcmp(L->cat->evidence_keys[i].key, e->key) == 0) {
				ay_fail(&f, ay_get(k, "key"), "key '%s' defined twice", e->key);
				goto out;
			}
		L->cat->nevidence_keys++;
	}
	rc = 0;
out:
	ay_close(&f);
	return rc;
}

/* ---- standards/<id>.yaml ---- */

static int add_std_id(const char ***ids, size_t *n, size_t *cap, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*ids)[i], id) == 0)
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		const char **v = iota_realloc(*ids, nc * sizeof *v);
		if (!v)
			return -1;
		*ids = v;
		*cap = nc;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int load_standard(struct loader *L, const char *id)
{
	char rel[300];
	snprintf(rel, sizeof rel, "standards/%s.yaml", id);
	ay_file f;
	int o = open_file(L, &f, rel, 1);
	if (o == 1)
		return 1; /* no such file */
	if (o != 0)
		return -1;
	static const char *const top[] = {"id",      "title", "scope", "summary",
					  "version", "url",   "provisions", NULL};
	static const char *const topreq[] = {"id", "title", "scope", "summary", "provisions", NULL};
	static const char *const pf[] = {"id",     "title", "summary", "obligation",
					 "verify", "sl",    "evidence", NULL};
	static const char *const preq[] = {"id", "title", "summary", "obligation", "verify", NULL};
	static const char *const scopes[] = {"consumer", "industrial", "both", NULL};
	static const char *const obligations[] = {"mandatory", "recommended", "conditional", NULL};
	static const char *const verifies[] = {"image", "partial", "documentation", NULL};
	int rc = -1;
	struct fy_node *root = ay_root(&f);
	if (ay_check_map(&f, root, "standard", top, topreq) != 0)
		goto out;
	if (L->nstd == L->capstd) {
		size_t nc = L->capstd ? L->capstd * 2 : 16;
		iota_standard *v = iota_realloc(L->std, nc * sizeof *v);
		if (!v)
			goto out;
		L->std = v;
		L->capstd = nc;
	}
	iota_standard *st = &L->std[L->nstd];
	memset(st, 0, sizeof *st);
	const char *url;
	if (ay_req_str(&f, root, "id", &st->id) != 0 || ay_req_str(&f, root, "title", &st->title) != 0 ||
	    ay_req_str(&f, root, "scope", &st->scope) != 0 ||
	    ay_req_str(&f, root, "summary", &st->summary) != 0 ||
	    ay_opt_str(&f, root, "version", &st->version) != 0 || ay_opt_str(&f, root, "url", &url) != 0)
		goto out;
	if (strcmp(st->id, id) != 0) {
		ay_fail(&f, ay_get(root, "id"), "id '%s' differs from the file name '%s'", st->id, id);
		goto out;
	}
	if (!one_of(st->scope, scopes)) {
		ay_fail(&f, ay_get(root, "scope"), "scope '%s' is not consumer, industrial or both",
			st->scope);
		goto out;
	}
	struct fy_node *provs = ay_get(root, "provisions");
	if (!provs || !fy_node_is_sequence(provs) || fy_node_sequence_item_count(provs) == 0) {
		ay_fail(&f, provs ? provs : root, "'provisions' must be a non-empty list");
		goto out;
	}
	size_t first = L->nprov;
	void *it = NULL;
	struct fy_node *pn;
	while ((pn = fy_node_sequence_iterate(provs, &it))) {
		if (L->nprov == L->capprov) {
			size_t nc = L->capprov ? L->capprov * 2 : 128;
			iota_provision *v = iota_realloc(L->prov, nc * sizeof *v);
			size_t *w = iota_realloc(L->prov_std, nc * sizeof *w);
			if (v)
				L->prov = v;
			if (w)
				L->prov_std = w;
			if (!v || !w)
				goto out;
			L->capprov = nc;
		}
		iota_provision *p = &L->prov[L->nprov];
		memset(p, 0, sizeof *p);
		if (ay_check_map(&f, pn, "provision", pf, preq) != 0 ||
		    ay_req_str(&f, pn, "id", &p->id) != 0 || ay_req_str(&f, pn, "title", &p->title) != 0 ||
		    ay_req_str(&f, pn, "summary", &p->summary) != 0 ||
		    ay_req_str(&f, pn, "obligation", &p->obligation) != 0 ||
		    ay_req_str(&f, pn, "verify", &p->verify) != 0)
			goto out;
		p->line = (unsigned)ay_line(pn);
		if (!one_of(p->obligation, obligations)) {
			ay_fail(&f, ay_get(pn, "obligation"),
				"obligation '%s' is not mandatory, recommended or conditional",
				p->obligation);
			goto out;
		}
		if (!one_of(p->verify, verifies)) {
			ay_fail(&f, ay_get(pn, "verify"),
				"verify '%s' is not image, partial or documentation", p->verify);
			goto out;
		}
		const char *sl;
		if (ay_opt_str(&f, pn, "sl", &sl) != 0)
			goto out;
		if (sl) {
			if (strlen(sl) != 1 || sl[0] < '1' || sl[0] > '4') {
				ay_fail(&f, ay_get(pn, "sl"), "sl must be a number from 1 to 4");
				goto out;
			}
			p->sl_min = (unsigned)(sl[0] - '0');
		}
		struct fy_node *ev = ay_get(pn, "evidence");
		if (ev) {
			if (ay_str_list(&f, ev, "evidence", &p->evidence_keys, NULL) != 0)
				goto out;
			for (size_t i = 0; p->evidence_keys[i]; i++)
				if (!iota_catalog_evidence_key(L->cat, p->evidence_keys[i])) {
					ay_fail(&f, ev, "evidence key '%s' is not in evidence-keys.yaml",
						p->evidence_keys[i]);
					goto out;
				}
		} else {
			p->evidence_keys = iota_arena_alloc(L->arena, sizeof *p->evidence_keys);
			if (!p->evidence_keys)
				goto out;
		}
		for (size_t i = first; i < L->nprov; i++)
			if (strcmp(L->prov[i].id, p->id) == 0) {
				ay_fail(&f, ay_get(pn, "id"), "provision '%s' defined twice", p->id);
				goto out;
			}
		size_t rl = strlen(id) + strlen(p->id) + 2;
		char *ref = iota_arena_alloc(L->arena, rl);
		if (!ref)
			goto out;
		snprintf(ref, rl, "%s:%s", id, p->id);
		p->ref = ref;
		L->prov_std[L->nprov] = L->nstd;
		L->nprov++;
	}
	L->nstd++;
	rc = 0;
out:
	ay_close(&f);
	return rc;
}

/* ---- checks.yaml and profiles.yaml: standard ids they name ---- */

static int referenced_standards(ay_file *checks, ay_file *profiles, const char ***ids, size_t *n,
				size_t *cap)
{
	struct fy_node *list = ay_get(ay_root(checks), "checks");
	void *it = NULL, *it2;
	struct fy_node *c, *sn;
	while (list && fy_node_is_sequence(list) && (c = fy_node_sequence_iterate(list, &it))) {
		struct fy_node *pm = ay_get(c, "provisions");
		it2 = NULL;
		struct fy_node_pair *p;
		while (pm && fy_node_is_mapping(pm) && (p = fy_node_mapping_iterate(pm, &it2))) {
			size_t len;
			struct fy_node *k = fy_node_pair_key(p);
			const char *t = k && fy_node_is_scalar(k) ? fy_node_get_scalar(k, &len) : NULL;
			const char *id = t ? iota_arena_strndup(checks->arena, t, len) : NULL;
			if (id && add_std_id(ids, n, cap, id) != 0)
				return -1;
		}
	}
	list = ay_get(ay_root(profiles), "profiles");
	it = NULL;
	while (list && fy_node_is_sequence(list) && (c = fy_node_sequence_iterate(list, &it))) {
		struct fy_node *sl = ay_get(c, "standards");
		it2 = NULL;
		while (sl && fy_node_is_sequence(sl) && (sn = fy_node_sequence_iterate(sl, &it2))) {
			size_t len;
			const char *t = fy_node_is_scalar(sn) ? fy_node_get_scalar(sn, &len) : NULL;
			const char *id = t ? iota_arena_strndup(profiles->arena, t, len) : NULL;
			if (id && add_std_id(ids, n, cap, id) != 0)
				return -1;
		}
	}
	return 0;
}

static int safe_id(const char *id)
{
	if (!*id || strlen(id) > 64)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.'))
			return 0;
	return id[0] != '.';
}

static int load_checks(struct loader *L, ay_file *f)
{
	static const char *const top[] = {"checks", NULL};
	static const char *const cf[] = {"id",  "title",    "description", "why",
					 "fix", "findings", "provisions",  NULL};
	struct fy_node *root = ay_root(f);
	if (ay_check_map(f, root, "checks.yaml", top, top) != 0)
		return -1;
	struct fy_node *list = ay_get(root, "checks");
	if (!list || !fy_node_is_sequence(list))
		return ay_fail(f, list ? list : root, "'checks' must be a list");
	size_t n = (size_t)fy_node_sequence_item_count(list);
	iota_catalog *cat = L->cat;
	cat->checks = iota_arena_alloc(L->arena, (n + 1) * sizeof *cat->checks);
	if (!cat->checks)
		return ay_fail(f, root, "out of memory");
	void *it = NULL;
	struct fy_node *cn;
	while ((cn = fy_node_sequence_iterate(list, &it))) {
		iota_check *c = &cat->checks[cat->nchecks];
		if (ay_check_map(f, cn, "check", cf, cf) != 0 || ay_req_str(f, cn, "id", &c->id) != 0 ||
		    ay_req_str(f, cn, "title", &c->title) != 0 ||
		    ay_req_str(f, cn, "description", &c->description) != 0 ||
		    ay_req_str(f, cn, "why", &c->why) != 0 || ay_req_str(f, cn, "fix", &c->fix) != 0 ||
		    ay_str_list(f, ay_get(cn, "findings"), "findings", &c->findings, NULL) != 0)
			return -1;
		if (!c->findings[0])
			return ay_fail(f, ay_get(cn, "findings"), "check '%s' names no finding", c->id);
		for (size_t i = 0; i < cat->nchecks; i++)
			if (strcmp(cat->checks[i].id, c->id) == 0)
				return ay_fail(f, ay_get(cn, "id"), "check '%s' defined twice", c->id);
		struct fy_node *pm = ay_get(cn, "provisions");
		if (!pm || !fy_node_is_mapping(pm))
			return ay_fail(f, pm ? pm : cn,
				       "provisions must map standard ids to lists of provision ids");
		size_t total = 0;
		void *it2 = NULL;
		struct fy_node_pair *p;
		while ((p = fy_node_mapping_iterate(pm, &it2))) {
			struct fy_node *v = fy_node_pair_value(p);
			if (!v || !fy_node_is_sequence(v))
				return ay_fail(f, v ? v : fy_node_pair_key(p),
					       "the provisions of a standard must be a list");
			total += (size_t)fy_node_sequence_item_count(v);
		}
		const iota_provision **pv = iota_arena_alloc(L->arena, (total + 1) * sizeof *pv);
		if (!pv)
			return ay_fail(f, cn, "out of memory");
		size_t k = 0;
		it2 = NULL;
		while ((p = fy_node_mapping_iterate(pm, &it2))) {
			const char *sid, **ids;
			if (ay_str(f, fy_node_pair_key(p), "standard id", &sid, NULL) != 0)
				return -1;
			if (!iota_catalog_standard(cat, sid))
				return ay_fail(f, fy_node_pair_key(p), "unknown standard '%s'", sid);
			if (ay_str_list(f, fy_node_pair_value(p), "provisions", &ids, NULL) != 0)
				return -1;
			for (size_t i = 0; ids[i]; i++) {
				char ref[300];
				snprintf(ref, sizeof ref, "%s:%s", sid, ids[i]);
				const iota_provision *pr = iota_catalog_provision(cat, ref);
				if (!pr)
					return ay_fail(f, fy_node_pair_value(p),
						       "check '%s': %s has no provision '%s'", c->id, sid,
						       ids[i]);
				int dup = 0;
				for (size_t j = 0; j < k; j++)
					dup |= pv[j] == pr;
				if (!dup)
					pv[k++] = pr;
			}
		}
		pv[k] = NULL;
		c->provisions = pv;
		cat->nchecks++;
	}
	return 0;
}

static int load_profiles(struct loader *L, ay_file *f)
{
	static const char *const top[] = {"profiles", NULL};
	static const char *const pf[] = {"id",     "title",         "standards", "levels",
					 "default_level", "weights", NULL};
	static const char *const preq[] = {"id", "title", "standards", "weights", NULL};
	static const char *const wk[] = {"info", "low", "medium", "high", "critical", NULL};
	static const char *const all_levels[] = {"SL1", "SL2", "SL3", "SL4", NULL};
	struct fy_node *root = ay_root(f);
	if (ay_check_map(f, root, "profiles.yaml", top, top) != 0)
		return -1;
	struct fy_node *list = ay_get(root, "profiles");
	if (!list || !fy_node_is_sequence(list))
		return ay_fail(f, list ? list : root, "'profiles' must be a list");
	size_t n = (size_t)fy_node_sequence_item_count(list);
	iota_catalog *cat = L->cat;
	cat->profiles = iota_arena_alloc(L->arena, (n + 1) * sizeof *cat->profiles);
	if (!cat->profiles)
		return ay_fail(f, root, "out of memory");
	void *it = NULL;
	struct fy_node *pn;
	while ((pn = fy_node_sequence_iterate(list, &it))) {
		iota_profile *p = &cat->profiles[cat->nprofiles];
		const char **sids;
		size_t ns;
		if (ay_check_map(f, pn, "profile", pf, preq) != 0 ||
		    ay_req_str(f, pn, "id", &p->id) != 0 || ay_req_str(f, pn, "title", &p->title) != 0 ||
		    ay_str_list(f, ay_get(pn, "standards"), "standards", &sids, &ns) != 0 ||
		    ay_opt_str(f, pn, "default_level", &p->default_level) != 0)
			return -1;
		if (strchr(p->id, ':'))
			return ay_fail(f, ay_get(pn, "id"), "a profile id cannot hold ':'");
		for (size_t i = 0; i < cat->nprofiles; i++)
			if (strcmp(cat->profiles[i].id, p->id) == 0)
				return ay_fail(f, ay_get(pn, "id"), "profile '%s' defined twice", p->id);
		p->standards = iota_arena_alloc(L->arena, (ns + 1) * sizeof *p->standards);
		if (!p->standards)
			return ay_fail(f, pn, "out of memory");
		for (size_t i = 0; i < ns; i++) {
			p->standards[i] = iota_catalog_standard(cat, sids[i]);
			if (!p->standards[i])
				return ay_fail(f, ay_get(pn, "standards"),
					       "profile '%s': unknown standard '%s'", p->id, sids[i]);
		}
		if (ay_get(pn, "levels")) {
			if (ay_str_list(f, ay_get(pn, "levels"), "levels", &p->levels, NULL) != 0)
				return -1;
			for (size_t i = 0; p->levels[i]; i++)
				if (!one_of(p->levels[i], all_levels))
					return ay_fail(f, ay_get(pn, "levels"),
						       "level '%s' is not SL1, SL2, SL3 or SL4",
						       p->levels[i]);
		} else {
			p->levels = iota_arena_alloc(L->arena, sizeof *p->levels);
			if (!p->levels)
				return ay_fail(f, pn, "out of memory");
		}
		if (p->default_level && !one_of(p->default_level, p->levels))
			return ay_fail(f, ay_get(pn, "default_level"),
				       "default_level '%s' is not one of the profile's levels",
				       p->default_level);
		struct fy_node *w = ay_get(pn, "weights");
		if (ay_check_map(f, w, "weights", wk, wk) != 0)
			return -1;
		for (int sv = 0; sv < 5; sv++) {
			const char *t;
			if (ay_req_str(f, w, wk[sv], &t) != 0)
				return -1;
			char *end;
			double d = strtod(t, &end);
			if (*end || end == t || !(d >= 0 && d <= 10))
				return ay_fail(f, ay_get(w, wk[sv]),
					       "weight '%s' must be a number from 0 to 10", t);
			p->weights[sv] = d;
		}
		cat->nprofiles++;
	}
	return 0;
}

static int cmp_std(const void *a, const void *b)
{
	return strcmp(((const iota_standard *)a)->id, ((const iota_standard *)b)->id);
}

iota_catalog *iota_catalog_load_into(iota_arena *arena, const char *data_dir, char *err,
				     size_t errcap)
{
	struct loader L = {.arena = arena, .err = err, .errcap = errcap};
	err[0] = '\0';
	L.cat = iota_arena_alloc(arena, sizeof *L.cat);
	if (!L.cat) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	char dirbuf[4096];
	if (data_dir) {
		struct stat st;
		snprintf(dirbuf, sizeof dirbuf, "%s/catalog/checks.yaml", data_dir);
		if (stat(dirbuf, &st) == 0)
			snprintf(dirbuf, sizeof dirbuf, "%s/catalog", data_dir);
		else
			snprintf(dirbuf, sizeof dirbuf, "%s", data_dir);
		if (stat(dirbuf, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errcap, "%s: not a catalog folder", data_dir);
			return NULL;
		}
		L.dir = iota_arena_strdup(arena, dirbuf);
	}
	L.cat->source = L.dir ? L.dir : "embedded";
	ay_file checks = {0}, profiles = {0};
	const char **ids = NULL;
	size_t nids = 0, capids = 0;
	iota_catalog *ret = NULL;
	if (load_evidence_keys(&L) != 0 || open_file(&L, &checks, "checks.yaml", 0) != 0 ||
	    open_file(&L, &profiles, "profiles.yaml", 0) != 0)
		goto out;
	/* which standards: the folder's files, or the ones named and known */
	if (L.dir) {
		snprintf(dirbuf, sizeof dirbuf, "%s/standards", L.dir);
		DIR *d = opendir(dirbuf);
		if (!d) {
			snprintf(err, errcap, "%s: no standards folder", dirbuf);
			goto out;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0 && de->d_name[0] != '.') {
				const char *id = iota_arena_strndup(arena, de->d_name, l - 5);
				if (!id || add_std_id(&ids, &nids, &capids, id) != 0)
					break;
			}
		}
		closedir(d);
	} else {
		for (size_t i = 0; known_standards[i]; i++)
			if (add_std_id(&ids, &nids, &capids, known_standards[i]) != 0)
				goto out;
	}
	if (referenced_standards(&checks, &profiles, &ids, &nids, &capids) != 0)
		goto out;
	if (nids)
		qsort(ids, nids, sizeof *ids, cmp_str);
	for (size_t i = 0; i < nids; i++) {
		if (!safe_id(ids[i]))
			continue; /* named by a file with a bad id: checks/profiles report it */
		if (load_standard(&L, ids[i]) < 0)
			goto out;
	}
	/* final arrays: standards sorted by id, provisions in standard then file order */
	iota_catalog *cat = L.cat;
	cat->standards = iota_arena_alloc(arena, (L.nstd + 1) * sizeof *cat->standards);
	cat->provisions = iota_arena_alloc(arena, (L.nprov + 1) * sizeof *cat->provisions);
	if (!cat->standards || !cat->provisions) {
		snprintf(err, errcap, "out of memory");
		goto out;
	}
	if (L.nstd)
		memcpy(cat->standards, L.std, L.nstd * sizeof *L.std);
	cat->nstandards = L.nstd;
	qsort(cat->standards, L.nstd, sizeof *cat->standards, cmp_std);
	for (size_t si = 0; si < cat->nstandards; si++)
		for (size_t j = 0; j < L.nstd; j++) {
			if (strcmp(L.std[j].id, cat->standards[si].id) != 0)
				continue;
			for (size_t k = 0; k < L.nprov; k++)
				if (L.prov_std[k] == j) {
					cat->provisions[cat->nprovisions] = L.prov[k];
					cat->provisions[cat->nprovisions++].standard = &cat->standards[si];
				}
		}
	if (load_checks(&L, &checks) != 0 || load_profiles(&L, &profiles) != 0)
		goto out;
	ret = cat;
out:
	ay_close(&checks);
	ay_close(&profiles);
	iota_free(ids);
	iota_free(L.std);
	iota_free(L.prov);
	iota_free(L.prov_std);
	if (!ret && !err[0])
		snprintf(err, errcap, "out of memory");
	return ret;
}

/* ---- lookups ---- */

const iota_check *iota_catalog_check(const iota_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->nchecks; i++)
		if (strcmp(c->checks[i].id, id) == 0)
			return &c->checks[i];
	return NULL;
}

const iota_standard *iota_catalog_standard(const iota_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->nstandards; i++)
		if (strcmp(c->standards[i].id, id) == 0)
			return &c->standards[i];
	return NULL;
}

const iota_provision *iota_catalog_provision(const iota_catalog *c, const char *ref)
{
	const iota_provision *found = NULL;
	int n = 0;
	const char *colon = strchr(ref, ':');
	for (size_t i = 0; i < c->nprovisions; i++) {
		const iota_provision *p = &c->provisions[i];
		if (colon ? strcmp(p->ref, ref) == 0 : strcmp(p->id, ref) == 0) {
			found = p;
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

const iota_evidence_key *iota_catalog_evidence_key(const iota_catalog *c, const char *key)
{
	for (size_t i = 0; i < c->nevidence_keys; i++)
		if (strcmp(c->evidence_keys[i].key, key) == 0)
			return &c->evidence_keys[i];
	return NULL;
}

const iota_profile *iota_catalog_profile(const iota_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->nprofiles; i++)
		if (strcmp(c->profiles[i].id, id) == 0)
			return &c->profiles[i];
	return NULL;
}

/* ---- public: the catalog on its own ---- */

iota_rc iota_catalog_load(iota_catalog **out, const char *data_dir, char *err, size_t errcap)
{
	*out = NULL;
	iota_arena *a = iota_arena_new();
	if (!a) {
		snprintf(err, errcap, "out of memory");
		return IOTA_NOMEM;
	}
	iota_catalog *c = iota_catalog_load_into(a, data_dir, err, errcap);
	if (!c) {
		iota_arena_free(a);
		return IOTA_FATAL;
	}
	c->arena = a;
	*out = c;
	return IOTA_OK;
}

void iota_catalog_free(iota_catalog *c)
{
	if (c && c->arena)
		iota_arena_free(c->arena);
}
