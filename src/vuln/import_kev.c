/*
 * The CISA Known Exploited Vulnerabilities catalog as CSV
 * (https://www.cisa.gov/known-exploited-vulnerabilities-catalog;
 * known_exploited_vulnerabilities.csv): RFC 4180 — comma-separated, fields
 * in double quotes may hold commas, line breaks and "" for a quote. Columns
 * are found by their header names (cveID, vendorProject, product,
 * vulnerabilityName, dateAdded, dueDate, knownRansomwareCampaignUse), not by
 * position. The JSON form is read in import.c.
 *
 * Written by hand: no CSV library is among the dependencies, and the
 * grammar is small. Bytes are read through the bounds-checked reader.
 */
#include <stdio.h>
#include <string.h>

#include "util/dynbuf.h"
#include "util/reader.h"
#include "vuln/vuln_db.h"

#define MAX_FIELDS 64
#define MAX_ROW    (1u << 20) /* one row's text; the catalog's longest is ~2 KB */

struct row {
	iota_dynbuf text;
	size_t off[MAX_FIELDS];
	size_t n;
};

/* Reads one row. Returns 1 with a row, 0 at the end, -1 malformed (why). */
static int read_row(iota_reader *r, struct row *row, const char **why)
{
	iota_dynbuf_free(&row->text);
	iota_dynbuf_init(&row->text, MAX_ROW);
	row->n = 0;
	if (!iota_rd_left(r))
		return 0;
	int quoted = 0, field_start = 1;
	row->off[row->n++] = 0;
	for (;;) {
		if (!iota_rd_has(r, 1)) {
			if (quoted) {
				*why = "a quoted field is not closed";
				return -1;
			}
			break;
		}
		char c = (char)r->base[r->pos++];
		if (quoted) {
			if (c == '"') {
				if (iota_rd_has(r, 1) && r->base[r->pos] == '"') {
					r->pos++;
				} else {
					quoted = 0;
					continue;
				}
			}
		} else if (c == '"' && field_start) {
			quoted = 1;
			field_start = 0;
			continue;
		} else if (c == ',') {
			if (iota_dynbuf_add(&row->text, "", 1) != 0 || row->n >= MAX_FIELDS) {
				*why = "too many fields or too long a row";
				return -1;
			}
			row->off[row->n++] = row->text.len;
			field_start = 1;
			continue;
		} else if (c == '\n' || c == '\r') {
			if (c == '\r' && iota_rd_has(r, 1) && r->base[r->pos] == '\n')
				r->pos++;
			break;
		}
		field_start = 0;
		if (iota_dynbuf_add(&row->text, &c, 1) != 0) {
			*why = "too long a row";
			return -1;
		}
	}
	if (iota_dynbuf_add(&row->text, "", 1) != 0) {
		*why = "too long a row";
		return -1;
	}
	return 1;
}

static const char *field(struct row *row, int idx)
{
	if (idx < 0 || (size_t)idx >= row->n)
		return NULL;
	return (const char *)row->text.data + row->off[idx];
}

iota_rc iota_vimport_kev_csv(iota_vimport *im, const uint8_t *buf, size_t len)
{
	static const char *const names[] = {"cveID",
	                                    "vendorProject",
	                                    "product",
	                                    "vulnerabilityName",
	                                    "dateAdded",
	                                    "dueDate",
	                                    "knownRansomwareCampaignUse"};
	enum { NCOL = sizeof names / sizeof names[0] };
	int col[NCOL];
	for (int k = 0; k < NCOL; k++)
		col[k] = -1;
	iota_reader r;
	iota_rd_init(&r, buf, len);
	if (iota_rd_has(&r, 3) && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		r.pos = 3;
	struct row row;
	memset(&row, 0, sizeof row);
	const char *why = NULL;
	iota_rc rc = IOTA_OK;
	if (read_row(&r, &row, &why) != 1) {
		iota_vdb_seterr(im->db, "%s: KEV CSV without a header row", im->file);
		iota_dynbuf_free(&row.text);
		return IOTA_CORRUPT;
	}
	for (size_t i = 0; i < row.n; i++)
		for (int k = 0; k < NCOL; k++)
			if (strcmp(field(&row, (int)i), names[k]) == 0)
				col[k] = (int)i;
	unsigned line = 1;
	for (;;) {
		int got = read_row(&r, &row, &why);
		line++;
		if (got == 0)
			break;
		if (got < 0) {
			iota_vdb_seterr(im->db,
			                "%s: malformed CSV in the row starting at line %u: %s",
			                im->file, line, why);
			rc = IOTA_CORRUPT;
			break;
		}
		if (row.n == 1 && field(&row, 0)[0] == '\0')
			continue; /* an empty line */
		const char *v[NCOL];
		for (int k = 0; k < NCOL; k++)
			v[k] = field(&row, col[k]);
		if (!v[0]) {
			char where[32];
			snprintf(where, sizeof where, "line %u", line);
			iota_vrec_skip(im, where, "row without a cveID field");
			continue;
		}
		if (iota_vimport_kev(im, v[0], v[1], v[2], v[3], v[4], v[5], v[6]) < 0) {
			rc = IOTA_FATAL;
			break;
		}
	}
	iota_dynbuf_free(&row.text);
	return rc;
}
