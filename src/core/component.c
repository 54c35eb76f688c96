/* The component model (see component.h). */
#include "core/component.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static const char *const methods[] = {"package-db", "signature", "soname",
				      "filename",   "kernel",    "header"};

const char *iota_evidence_method_name(iota_evidence_method m)
{
	return (unsigned)m < sizeof methods / sizeof methods[0] ? methods[m] : "?";
}

iota_component *iota_component_add(iota_scan *s, const char *name, const char *version,
				   iota_node *node, iota_relation rel, iota_evidence_method method,
				   const char *match, uint64_t offset)
{
	if (!version)
		version = "";
	iota_evidence *ev = iota_arena_alloc(s->arena, sizeof *ev);
	if (!ev)
		return NULL;
	ev->node = node;
	ev->method = method;
	ev->match = match ? iota_arena_strdup(s->arena, match) : NULL;
	ev->offset = offset;

	pthread_mutex_lock(&s->find_lock);
	iota_component *c = s->components;
	while (c && !(c->node == node && strcmp(c->name, name) == 0 && strcmp(c->version, version) == 0))
		c = c->next;
	if (!c) {
		c = iota_arena_alloc(s->arena, sizeof *c);
		if (c) {
			c->name = iota_arena_strdup(s->arena, name);
			c->version = iota_arena_strdup(s->arena, version);
			c->node = node;
			c->relation = rel;
			c->next = s->components;
			s->components = c;
			s->ncomponents++;
		}
	}
	if (c) {
		if (rel == IOTA_REL_IS)
			c->relation = IOTA_REL_IS; /* any evidence that it *is* wins */
		/* keep evidence in arrival order */
		iota_evidence **pp = &c->evidence;
		while (*pp)
			pp = &(*pp)->next;
		*pp = ev;
	}
	pthread_mutex_unlock(&s->find_lock);
	return c;
}

iota_component *iota_component_add_evidence(iota_scan *s, iota_component *c, iota_node *node,
					    iota_evidence_method method, const char *match,
					    uint64_t offset)
{
	iota_evidence *ev = iota_arena_alloc(s->arena, sizeof *ev);
	if (!ev)
		return NULL;
	ev->node = node;
	ev->method = method;
	ev->match = match ? iota_arena_strdup(s->arena, match) : NULL;
	ev->offset = offset;
	ev->next = NULL;
	pthread_mutex_lock(&s->find_lock);
	iota_evidence **pp = &c->evidence;
	while (*pp)
		pp = &(*pp)->next;
	*pp = ev;
	pthread_mutex_unlock(&s->find_lock);
	return c;
}

void iota_component_set_ids(iota_scan *s, iota_component *c, const char *vendor, const char *purl,
			    const char *cpe)
{
	pthread_mutex_lock(&s->find_lock);
	if (vendor)
		c->vendor = iota_arena_strdup(s->arena, vendor);
	if (purl)
		c->purl = iota_arena_strdup(s->arena, purl);
	if (cpe)
		c->cpe = iota_arena_strdup(s->arena, cpe);
	pthread_mutex_unlock(&s->find_lock);
}

struct keyed {
	iota_component *c;
	char origin[IOTA_MAX_PATH];
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int r = strcmp(x->c->name, y->c->name);
	if (!r)
		r = strcmp(x->c->version, y->c->version);
	if (!r)
		r = strcmp(x->origin, y->origin);
	return r;
}

iota_component **iota_components_sorted(iota_scan *s, size_t *count)
{
	size_t n = s->ncomponents;
	*count = 0;
	iota_component **out = iota_calloc(n, sizeof *out);
	struct keyed *k = iota_calloc(n, sizeof *k);
	if (!out || !k) {
		iota_free(out);
		iota_free(k);
		return NULL;
	}
	size_t i = 0;
	for (iota_component *c = s->components; c && i < n; c = c->next, i++) {
		k[i].c = c;
		if (!c->node || iota_node_origin(c->node, k[i].origin, sizeof k[i].origin) < 0)
			k[i].origin[0] = '\0';
	}
	qsort(k, i, sizeof *k, cmp_keyed);
	for (size_t j = 0; j < i; j++)
		out[j] = k[j].c;
	iota_free(k);
	*count = i;
	return out;
}

static const char *const exposures[] = {"unknown", "none", "local", "listening"};

const char *iota_exposure_name(iota_exposure e)
{
	return (unsigned)e < sizeof exposures / sizeof exposures[0] ? exposures[e] : "?";
}
