/*
 * Product identity: data/vuln/products.tsv maps each iotaudit component name
 * to the names other sources use for it, so that "OpenSSL/OpenSSL",
 * openssl:openssl and "pkg:generic/openssl" are one product. Columns
 * (tab-separated; lists comma-separated; "-" = none; '#' starts a comment):
 *   name   cpe vendor:product   cve5 vendor/product   package[@collectionURL]
 *   osv ecosystem/package   names used in descriptions
 */
#ifndef IOTA_VULN_PRODUCTS_H
#define IOTA_VULN_PRODUCTS_H

#include <stddef.h>

typedef struct iota_vlist {
	char **v;
	size_t n;
} iota_vlist;

typedef struct iota_vprod {
	char *name;      /* lower case */
	iota_vlist cpe;  /* "vendor:product", lower case */
	iota_vlist cve5; /* "vendor/product", lower case */
	iota_vlist pkg;  /* "name" or "name@collectionURL" (name lower case) */
	iota_vlist osv;  /* "Ecosystem/name" */
	iota_vlist text; /* as written */
} iota_vprod;

typedef struct iota_vprods {
	iota_vprod *v;
	size_t n;
} iota_vprods;

/* Parses the table. Returns 0, or -1 with a message naming the line. */
int iota_vprods_parse(iota_vprods *out, const char *text, size_t len, char *err, size_t errsz);
/* The entry for name (case-insensitive), NULL if none. */
const iota_vprod *iota_vprods_find(const iota_vprods *p, const char *name);
void iota_vprods_free(iota_vprods *p);

int iota_vlist_add(iota_vlist *l, const char *s, size_t n);
int iota_vlist_has(const iota_vlist *l, const char *s);
void iota_vlist_free(iota_vlist *l);

#endif
