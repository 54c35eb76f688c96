/* Record-at-a-time JSON reading (see jsonstream.h). The top level is read
 * through the bounds-checked reader; every value is decoded by jansson. */
#include "vuln/jsonstream.h"

#include <stdio.h>
#include <string.h>

#include "util/reader.h"

static void skip_ws(iota_reader *r)
{
	while (iota_rd_has(r, 1)) {
		uint8_t c = r->base[r->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		r->pos++;
	}
}

static int peek(iota_reader *r)
{
	return iota_rd_has(r, 1) ? r->base[r->pos] : -1;
}

static int fail(iota_js_result *res, size_t at, const char *what)
{
	snprintf(res->err, sizeof res->err, "%s at byte %zu", what, at);
	return -1;
}

/* Decodes one value at the reader's position and moves past it. */
static json_t *value(iota_reader *r, iota_js_result *res)
{
	json_error_t e;
	size_t at = r->pos;
	json_t *v = json_loadb((const char *)r->base + r->pos, iota_rd_left(r),
	                       JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!v) {
		size_t pos = e.position > 0 ? (size_t)e.position : 0;
		snprintf(res->err, sizeof res->err, "%s at byte %zu", e.text, at + pos);
		return NULL;
	}
	if (e.position < 0 || !iota_rd_skip(r, (size_t)e.position)) {
		json_decref(v);
		fail(res, at, "value runs past the end");
		return NULL;
	}
	return v;
}

/* The elements of the array at the reader's position ('[' not yet read). */
static int walk_array(iota_reader *r, iota_js_fn fn, void *ctx, iota_js_result *res)
{
	r->pos++; /* '[' */
	skip_ws(r);
	if (peek(r) == ']') {
		r->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		size_t at = r->pos;
		json_t *v = value(r, res);
		if (!v)
			return -1;
		res->elements++;
		int rc = fn(ctx, v, at);
		if (rc)
			return rc;
		skip_ws(r);
		int c = peek(r);
		if (c == ',') {
			r->pos++;
			continue;
		}
		if (c == ']') {
			r->pos++;
			return 0;
		}
		return fail(res, r->pos, c < 0 ? "array not closed" : "',' or ']' expected");
	}
}

int iota_js_walk(const uint8_t *buf, size_t len, const char *array_key, iota_js_fn fn, void *ctx,
                 iota_js_result *res)
{
	memset(res, 0, sizeof *res);
	iota_reader r;
	iota_rd_init(&r, buf, len);
	if (iota_rd_has(&r, 3) && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3; /* a UTF-8 byte order mark */
	skip_ws(&r);
	int c = peek(&r);
	if (c == '[') {
		res->streamed = 1;
		int rc = walk_array(&r, fn, ctx, res);
		if (rc)
			return rc;
	} else if (c == '{') {
		res->top = json_object();
		if (!res->top)
			return fail(res, 0, "out of memory");
		r.pos++;
		skip_ws(&r);
		if (peek(&r) == '}')
			r.pos++;
		else
			for (;;) {
				skip_ws(&r);
				if (peek(&r) != '"')
					return fail(res, r.pos, "member name expected");
				json_t *k = value(&r, res);
				if (!k)
					return -1;
				char key[128];
				snprintf(key, sizeof key, "%s", json_string_value(k));
				json_decref(k);
				skip_ws(&r);
				if (peek(&r) != ':')
					return fail(res, r.pos, "':' expected");
				r.pos++;
				skip_ws(&r);
				if (array_key && strcmp(key, array_key) == 0 && peek(&r) == '[' &&
				    !res->streamed) {
					res->streamed = 1;
					int rc = walk_array(&r, fn, ctx, res);
					if (rc)
						return rc;
				} else {
					json_t *v = value(&r, res);
					if (!v)
						return -1;
					json_object_set_new(res->top, key, v);
				}
				skip_ws(&r);
				c = peek(&r);
				if (c == ',') {
					r.pos++;
					continue;
				}
				if (c == '}') {
					r.pos++;
					break;
				}
				return fail(res, r.pos,
				            c < 0 ? "object not closed" : "',' or '}' expected");
			}
		if (!res->streamed) {
			res->elements = 1;
			json_t *doc = res->top;
			res->top = NULL;
			int rc = fn(ctx, doc, SIZE_MAX);
			if (rc)
				return rc;
		}
	} else {
		return fail(res, r.pos, c < 0 ? "empty document" : "'{' or '[' expected");
	}
	skip_ws(&r);
	if (iota_rd_left(&r))
		return fail(res, r.pos, "data after the end of the document");
	return 0;
}
