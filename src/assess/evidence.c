/*
 * Vendor evidence: a YAML mapping of evidence keys (data/catalog/
 * evidence-keys.yaml) to values of their type, e.g.
 *
 *	vdp_url: https://example.com/security/disclosure
 *	security_contact: psirt@example.com
 *	support_period_end: 2030-12-31
 *	sbom_available: true
 *
 * A key the file does not name stays unanswered (needs-evidence); a key
 * given as empty, null (~) or false is the vendor saying "there is none" and
 * fails the provisions that ask for it. What the image itself says about
 * the same keys (the lifecycle analyzer's attributes: security.txt contacts
 * and policy, os-release SUPPORT_END) is added for the keys the file leaves
 * out, with the file where it was found as the source.
 */
#include <stdio.h>
#include <string.h>

#include "assess/assess_int.h"
#include "assess/assess_yaml.h"

/* key <- node attribute of the lifecycle analyzer */
static const struct {
	const char *key, *attr;
} image_keys[] = {
	{"security_contact", "life.security_contact"},
	{"vdp_url", "life.security_txt.policy"},
	{"support_period_end", "life.support_end"},
};

static int valid_value(const iota_evidence_key *k, const char *v, const char **why)
{
	if (!*v)
		return 1; /* "none": judged later */
	if (strcmp(k->type, "url") == 0) {
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
			*why = "is not an http(s) URL";
			return 0;
		}
		if (strchr(v, ' ') || strlen(v) < 10) {
			*why = "is not a URL";
			return 0;
		}
	} else if (strcmp(k->type, "email") == 0) {
		const char *at = strchr(v, '@');
		if (!at || at == v || !strchr(at, '.') || strchr(v, ' ') || strchr(at + 1, '@')) {
			*why = "is not an e-mail address";
			return 0;
		}
	} else if (strcmp(k->type, "date") == 0) {
		if (ay_date_valid(v) != 0) {
			*why = "is not a date (YYYY-MM-DD)";
			return 0;
		}
	} else if (strcmp(k->type, "bool") == 0) {
		if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "yes") && strcmp(v, "no")) {
			*why = "is not true or false";
			return 0;
		}
	}
	return 1;
}

static void walk_image(assess_ctx *x, const iota_node *n, const char **found, iota_node **where)
{
	for (const iota_node *k = n->first_child; k; k = k->next_sibling) {
		for (size_t i = 0; i < sizeof image_keys / sizeof image_keys[0]; i++) {
			const char *v;
			if (!found[i] && (v = iota_node_attr_get(k, image_keys[i].attr))) {
				found[i] = v;
				where[i] = (iota_node *)k;
			}
		}
		walk_image(x, k, found, where);
	}
}

int assess_evidence_load(assess_ctx *x, const char *path)
{
	iota_assessment *A = x->A;
	const iota_catalog *cat = x->cat;
	A->evidence = iota_arena_alloc(x->s->arena,
				       (2 * cat->nevidence_keys + 1) * sizeof *A->evidence);
	if (!A->evidence) {
		snprintf(x->err, x->errcap, "out of memory");
		return -1;
	}
	if (path) {
		/* a file with nothing but comments (the template) answers nothing */
		ay_file f = {.err = x->err, .errcap = x->errcap, .arena = x->s->arena, .allow_empty = 1};
		if (ay_open_path(&f, path) != 0) {
			ay_close(&f);
			return -1;
		}
		struct fy_node *root = ay_root(&f);
		void *it = NULL;
		struct fy_node_pair *p;
		int rc = 0;
		while (rc == 0 && root && (p = fy_node_mapping_iterate(root, &it))) {
			const char *key, *val, *why = NULL;
			int is_null;
			struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
			if ((rc = ay_str(&f, kn, "key", &key, NULL)) != 0)
				break;
			const iota_evidence_key *k = iota_catalog_evidence_key(cat, key);
			if (!k) {
				rc = ay_fail(&f, kn, "unknown evidence key '%s' (iotaudit catalog list "
						     "evidence-keys)",
					     key);
				break;
			}
			for (size_t i = 0; i < A->nevidence; i++)
				if (A->evidence[i].key == k)
					rc = ay_fail(&f, kn, "'%s' given twice", key);
			if (rc || (rc = ay_str(&f, vn, key, &val, &is_null)) != 0)
				break;
			if (!valid_value(k, val, &why)) {
				rc = ay_fail(&f, vn, "%s: '%s' %s", key, val, why);
				break;
			}
			iota_evidence_value *e = &A->evidence[A->nevidence++];
			e->key = k;
			e->value = val;
			e->is_null = is_null || !*val;
			e->source = assess_printf(x, "%s:%d", path, ay_line(vn ? vn : kn));
		}
		ay_close(&f);
		if (rc != 0)
			return -1;
	}
	/* what the image says, for keys the vendor left out */
	const char *found[sizeof image_keys / sizeof image_keys[0]] = {0};
	iota_node *where[sizeof image_keys / sizeof image_keys[0]] = {0};
	if (x->s->root) {
		iota_vfs_sort(x->s->root);
		walk_image(x, x->s->root, found, where);
	}
	for (size_t i = 0; i < sizeof image_keys / sizeof image_keys[0]; i++) {
		const iota_evidence_key *k = iota_catalog_evidence_key(cat, image_keys[i].key);
		if (!k || !found[i] || assess_evidence_get(x, k->key))
			continue;
		const char *why;
		/* the image's words may not fit the key's type (a contact URL for an
		 * e-mail key): they still answer it, as text */
		if (strcmp(k->type, "date") == 0 && !valid_value(k, found[i], &why))
			continue;
		char origin[1024];
		if (iota_node_origin(where[i], origin, sizeof origin) < 0)
			origin[0] = '\0';
		iota_evidence_value *e = &A->evidence[A->nevidence++];
		e->key = k;
		e->value = found[i];
		e->source = assess_printf(x, "image: %s", origin);
		e->from_image = 1;
	}
	return 0;
}

const iota_evidence_value *assess_evidence_get(const assess_ctx *x, const char *key)
{
	for (size_t i = 0; i < x->A->nevidence; i++)
		if (strcmp(x->A->evidence[i].key->key, key) == 0)
			return &x->A->evidence[i];
	return NULL;
}

int assess_evidence_judge(const assess_ctx *x, const iota_evidence_value *v, const char **why)
{
	if (v->is_null) {
		*why = "none (the evidence says there is none)";
		return 0;
	}
	if (strcmp(v->key->type, "bool") == 0 &&
	    (strcmp(v->value, "false") == 0 || strcmp(v->value, "no") == 0)) {
		*why = "false";
		return 0;
	}
	if (v->key->future && strcmp(v->value, x->A->today) < 0) {
		*why = assess_printf((assess_ctx *)x, "%s is in the past (today is %s)", v->value,
				     x->A->today);
		return 0;
	}
	return 1;
}
