/*
 * The component model: what software an image carries, in which version,
 * and why we believe it. A component is identified by (name, version, node):
 * the same product found twice in one file is one component with two
 * evidence items; a second copy in another file is another component.
 * 'relation' says whether the node IS the component (its package-database
 * entry, its soname or file name say so) or only CONTAINS a copy of it
 * (statically linked, embedded). Producers are the SBOM identifiers
 * (package databases, binary signatures, kernel); every producer adds
 * evidence, never a bare claim. Thread-safe.
 */
#ifndef IOTA_CORE_COMPONENT_H
#define IOTA_CORE_COMPONENT_H

#include "core/scan.h"

typedef enum iota_evidence_method {
	IOTA_EV_PACKAGE_DB = 0, /* opkg/dpkg/apk/rpm database entry */
	IOTA_EV_SIGNATURE,      /* a version string matched in the bytes */
	IOTA_EV_SONAME,         /* ELF DT_SONAME */
	IOTA_EV_FILENAME,       /* the file's name */
	IOTA_EV_KERNEL,         /* kernel banner, vermagic, uImage name */
	IOTA_EV_HEADER          /* a container header field */
} iota_evidence_method;

typedef enum iota_relation {
	IOTA_REL_IS = 0,  /* the node is the component */
	IOTA_REL_CONTAINS /* the node contains a copy */
} iota_relation;

typedef struct iota_evidence {
	iota_node *node;
	iota_evidence_method method;
	const char *match;   /* the matched text, as found */
	uint64_t offset;     /* in the node, UINT64_MAX = none */
	struct iota_evidence *next;
} iota_evidence;

/* Exposure of a component (iota_scan_match()): used to rank, never to hide. */
typedef enum iota_exposure {
	IOTA_EXPO_UNKNOWN = 0, /* not worked out (no match run, or no ELF graph) */
	IOTA_EXPO_NONE,        /* nothing that runs loads it */
	IOTA_EXPO_LOCAL,       /* loaded by a program that does not listen */
	IOTA_EXPO_LISTENING    /* the program, or one loading it, listens on the network */
} iota_exposure;

struct iota_vuln_result; /* iotaudit/vulndb.h */

typedef struct iota_component {
	const char *name;    /* our product id, lower case: "openssl", "busybox" */
	const char *version; /* exact, as the evidence gives it; "" unknown */
	const char *vendor;  /* may be NULL */
	const char *purl;    /* may be NULL */
	const char *cpe;     /* CPE 2.3, may be NULL */
	iota_node *node;     /* where this copy lives */
	iota_relation relation;
	iota_evidence *evidence;
	/* set by iota_scan_match(); NULL = not matched */
	struct iota_vuln_result *vulns;
	iota_exposure exposure;
	const char *exposure_via; /* the listening service's origin, or NULL */
	struct iota_component *next;
} iota_component;

const char *iota_exposure_name(iota_exposure e);

const char *iota_evidence_method_name(iota_evidence_method m);

/* Finds or adds the component (name, version, node) and adds one evidence
 * item to it. Returns the component, NULL when out of memory. */
iota_component *iota_component_add(iota_scan *s, const char *name, const char *version,
				   iota_node *node, iota_relation rel, iota_evidence_method method,
				   const char *match, uint64_t offset);

/* Adds one more evidence item to c, seen in node (which may differ from
 * c->node: a kernel module's vermagic speaks for the kernel). Returns c, NULL
 * when out of memory. */
iota_component *iota_component_add_evidence(iota_scan *s, iota_component *c, iota_node *node,
					    iota_evidence_method method, const char *match,
					    uint64_t offset);

/* Sets identifiers (copied). */
void iota_component_set_ids(iota_scan *s, iota_component *c, const char *vendor, const char *purl,
			    const char *cpe);

/* All components, sorted by name, version and origin (call after the scan);
 * a new array (free with iota_free), *count its length. */
iota_component **iota_components_sorted(iota_scan *s, size_t *count);

#endif
