/*
 * MUD report: an RFC 8520 Manufacturer Usage Description file (JSON, the
 * YANG modules ietf-mud and ietf-access-control-list of RFC 8519, with the
 * ietf-acldns names of RFC 8520 section 2.1) built from what the image shows
 * about its network use (src/report/netexposure.h):
 *
 *   from-device-policy / to-device-policy   one IPv4 and one IPv6 ACL each
 *     cl<N>-frdev / cl<N>-todev   the cloud endpoints: ietf-acldns:dst-dnsname
 *                                 (or destination-ipv4-network for an address),
 *                                 protocol and port, connections initiated by
 *                                 the device ("ietf-mud:direction-initiated":
 *                                 "from-device" for TCP), and their replies
 *     loc<N>-todev / loc<N>-frdev the local services: "ietf-mud:mud" {"local-
 *                                 networks": [null]}, protocol and port,
 *                                 connections initiated from the network
 *                                 ("to-device"), and their replies
 *   Everything else is denied by omission (RFC 8520 section 2: what a MUD
 *   file does not allow is not allowed).
 *
 * The file is a draft for the manufacturer: mud-url points at a placeholder
 * (https://mud.invalid/...), last-update is SOURCE_DATE_EPOCH or the Unix
 * epoch (output is byte-identical for the same input), and the assumptions
 * behind each entry (ports by default, programs whose ports are unknown,
 * DNS/DHCP left to the network) are listed in "iotaudit:assumptions", a
 * member MUD managers ignore.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/netexposure.h"
#include "report/report.h"

static json_t *named(const char *name)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	return o;
}

/* One ACE. host: a DNS name (dnsname = "ietf-acldns:dst-dnsname" or
 * "ietf-acldns:src-dnsname"), an IPv4 address (v4 only) or NULL for the
 * local networks; port_key "destination-port" / "source-port";
 * initiated: "from-device" / "to-device". */
static json_t *ace(const char *name, int v6, const char *host, int is_ip, const char *dnsname,
                   int proto, unsigned port, const char *port_key, const char *initiated)
{
	json_t *m = json_object();
	json_t *ip = json_object();
	json_object_set_new(ip, "protocol", json_integer(proto));
	if (host && is_ip) {
		char net[64];
		snprintf(net, sizeof net, "%s/32", host);
		json_object_set_new(
		    ip, strstr(dnsname, "dst") ? "destination-ipv4-network" : "source-ipv4-network",
		    json_string(net));
	} else if (host) {
		json_object_set_new(ip, dnsname, json_string(host));
	}
	json_object_set_new(m, v6 ? "ipv6" : "ipv4", ip);
	if (!host) {
		json_t *mud = json_object(), *nets = json_array();
		json_array_append_new(nets, json_null());
		json_object_set_new(mud, "local-networks", nets);
		json_object_set_new(m, "ietf-mud:mud", mud);
	}
	json_t *l4 = json_object(), *pm = json_object();
	json_object_set_new(pm, "operator", json_string("eq"));
	json_object_set_new(pm, "port", json_integer(port));
	if (proto == IOTA_NET_TCP)
		json_object_set_new(l4, "ietf-mud:direction-initiated", json_string(initiated));
	json_object_set_new(l4, port_key, pm);
	json_object_set_new(m, iota_net_proto_name(proto), l4);
	json_t *a = json_object(), *act = json_object();
	json_object_set_new(a, "name", json_string(name));
	json_object_set_new(a, "matches", m);
	json_object_set_new(act, "forwarding", json_string("accept"));
	json_object_set_new(a, "actions", act);
	return a;
}

static json_t *acl(const char *name, int v6, json_t *aces)
{
	json_t *o = json_object(), *a = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "type", json_string(v6 ? "ipv6-acl-type" : "ipv4-acl-type"));
	json_object_set_new(a, "ace", aces);
	json_object_set_new(o, "aces", a);
	return o;
}

static void last_update(char *buf, size_t size)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end = NULL;
	long long v = e && *e ? strtoll(e, &end, 10) : 0;
	time_t t = end && !*end && v > 0 ? (time_t)v : 0;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static void assume(json_t *notes, const char *fmt, const char *a, const char *b)
{
	char buf[1200];
	snprintf(buf, sizeof buf, fmt, a ? a : "", b ? b : "");
	json_array_append_new(notes, json_string(buf));
}

iota_rc iota_report_mud(iota_scan *s, FILE *out)
{
	iota_netexpo x;
	if (iota_netexpo_collect(s, &x) != 0)
		return iota_scan_fail(s, IOTA_NOMEM, "out of memory");

	/* names from the input's file name: letters, digits, '.', '-', '_' */
	const char *in = s->input_name ? s->input_name : "firmware";
	const char *slash = strrchr(in, '/');
	char base[96];
	size_t n = 0;
	for (const char *p = slash && slash[1] ? slash + 1 : in; *p && n + 1 < sizeof base; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
		base[n++] = ok ? c : '_';
	}
	base[n] = '\0';
	if (!n)
		snprintf(base, sizeof base, "firmware");
	unsigned h = 2166136261u;
	for (const char *p = base; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	char fr[2][40], to[2][40];
	for (int v6 = 0; v6 < 2; v6++) {
		snprintf(fr[v6], sizeof fr[v6], "mud-%08x-v%dfr", h, v6 ? 6 : 4);
		snprintf(to[v6], sizeof to[v6], "mud-%08x-v%dto", h, v6 ? 6 : 4);
	}

	json_t *root = json_object(), *mud = json_object();
	char url[200], when[40], info[61];
	snprintf(url, sizeof url, "https://mud.invalid/iotaudit/%s.json", base);
	last_update(when, sizeof when);
	/* systeminfo: at most 60 characters (ietf-mud YANG) */
	snprintf(info, sizeof info, "%.20s (drafted from its firmware by iotaudit)", base);
	json_object_set_new(mud, "mud-version", json_integer(1));
	json_object_set_new(mud, "mud-url", json_string(url));
	json_object_set_new(mud, "last-update", json_string(when));
	json_object_set_new(mud, "cache-validity", json_integer(48));
	json_object_set_new(mud, "is-supported", json_true());
	json_object_set_new(mud, "systeminfo", json_string(info));
	json_t *fpol = json_object(), *tpol = json_object();
	json_t *flist = json_array(), *tlist = json_array();
	for (int v6 = 0; v6 < 2; v6++) {
		json_array_append_new(flist, named(fr[v6]));
		json_array_append_new(tlist, named(to[v6]));
	}
	json_t *fal = json_object(), *tal = json_object();
	json_object_set_new(fal, "access-list", flist);
	json_object_set_new(tal, "access-list", tlist);
	json_object_set_new(fpol, "access-lists", fal);
	json_object_set_new(tpol, "access-lists", tal);
	json_object_set_new(mud, "from-device-policy", fpol);
	json_object_set_new(mud, "to-device-policy", tpol);
	json_object_set_new(root, "ietf-mud:mud", mud);

	json_t *acls = json_array();
	for (int v6 = 0; v6 < 2; v6++) {
		json_t *fa = json_array(), *ta = json_array();
		char name[32];
		size_t k = 0;
		for (size_t i = 0; i < x.nep; i++) {
			const iota_netep *e = &x.ep[i];
			if (v6 && e->is_ip)
				continue; /* an IPv4 address has no IPv6 rule */
			snprintf(name, sizeof name, "cl%zu-frdev", k);
			json_array_append_new(fa, ace(name, v6, e->host, e->is_ip,
			                              "ietf-acldns:dst-dnsname", e->proto, e->port,
			                              "destination-port", "from-device"));
			snprintf(name, sizeof name, "cl%zu-todev", k);
			json_array_append_new(ta, ace(name, v6, e->host, e->is_ip,
			                              "ietf-acldns:src-dnsname", e->proto, e->port,
			                              "source-port", "from-device"));
			k++;
		}
		for (size_t i = 0; i < x.nsvc; i++) {
			const iota_netsvc *sv = &x.svc[i];
			snprintf(name, sizeof name, "loc%zu-todev", i);
			json_array_append_new(ta, ace(name, v6, NULL, 0, NULL, sv->proto, sv->port,
			                              "destination-port", "to-device"));
			snprintf(name, sizeof name, "loc%zu-frdev", i);
			json_array_append_new(fa, ace(name, v6, NULL, 0, NULL, sv->proto, sv->port,
			                              "source-port", "to-device"));
		}
		json_array_append_new(acls, acl(fr[v6], v6, fa));
		json_array_append_new(acls, acl(to[v6], v6, ta));
	}
	json_t *aclo = json_object();
	json_object_set_new(aclo, "acl", acls);
	json_object_set_new(root, "ietf-access-control-list:acls", aclo);

	json_t *notes = json_array();
	assume(notes,
	       "Drafted from a static reading of the firmware: replace mud-url with the "
	       "manufacturer's HTTPS location and sign the file (RFC 8520 section 13).%s%s",
	       NULL, NULL);
	assume(notes,
	       "Everything not listed is denied, including DNS, NTP and DHCP beyond what is "
	       "listed; most MUD managers allow the local DNS and DHCP servers themselves.%s%s",
	       NULL, NULL);
	for (size_t i = 0; i < x.nep; i++) {
		char what[600];
		snprintf(what, sizeof what, "%s %s/%u (%s%s) because %s names it", x.ep[i].host,
		         iota_net_proto_name(x.ep[i].proto), x.ep[i].port, x.ep[i].scheme,
		         x.ep[i].plaintext ? ", clear text" : "", x.ep[i].seen);
		assume(notes, "Outbound: %s.%s", what, NULL);
	}
	for (size_t i = 0; i < x.nsvc; i++) {
		char what[600];
		snprintf(what, sizeof what, "%s/%u for %s (%s), started by the image",
		         iota_net_proto_name(x.svc[i].proto), x.svc[i].port, x.svc[i].path,
		         x.svc[i].basis);
		assume(notes, "Inbound from the local networks: %s.%s", what, NULL);
	}
	if (x.unknown_ports[0])
		assume(notes,
		       "Started programs whose ports are not known from the image (no rule "
		       "written; add them if they listen): %s.%s",
		       x.unknown_ports, NULL);
	if (x.hosts_without_port[0])
		assume(notes, "Hosts named without a port or protocol (no rule written): %s.%s",
		       x.hosts_without_port, NULL);
	json_object_set_new(root, "iotaudit:assumptions", notes);

	int bad = json_dumpf(root, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF;
	json_decref(root);
	iota_netexpo_free(&x);
	if (bad || ferror(out))
		return iota_scan_fail(s, IOTA_FATAL, "cannot write the report");
	return IOTA_OK;
}
