/*
 * Network endpoints: URLs, host names and IP addresses that scripts,
 * configuration files and binaries talk to, grouped by protocol; clear-text
 * protocols to real remote hosts; TLS certificate checks switched off.
 *
 * Formats and rules:
 *   URLs          RFC 3986 generic syntax (scheme "://" authority path),
 *                 for the schemes listed in schemes[]; user information in
 *                 an authority is never stored (credentials belong to the
 *                 secrets analyzer) and is redacted from evidence
 *   IPv4          dotted quads, classified by RFC 1918 (private), RFC 3927
 *                 (link-local), RFC 1122 (loopback), RFC 5737 (documentation)
 *   host names    RFC 1123 labels; RFC 2606 / RFC 6761 reserved names
 *                 (example.*, .test, .invalid, .localhost) are examples
 *   mosquitto     bridge "connection"/"address host[:port]" blocks with
 *                 bridge_cafile/capath/certfile/psk (mosquitto.conf(5))
 *   curl(1) -k/--insecure, wget(1) and OpenWrt uclient-fetch
 *                 --no-check-certificate, git -c http.sslVerify=false; the
 *                 PHP CURLOPT_SSL_VERIFYPEER/VERIFYHOST, Python verify=False,
 *                 Node rejectUnauthorized:false and LuaSec verify="none" forms
 *
 * What counts as a real endpoint: not in a comment line of a text file,
 * not an XML namespace or schema (xmlns=, schemaLocation, DOCTYPE, hosts
 * that only publish specifications), not documentation (usr/share/doc, man
 * pages, licence texts; URL paths into docs/FAQ/bug trackers/licences), not
 * an example (RFC 2606/6761 names, RFC 5737 addresses) and not a format
 * template ("http://%s/"). Clear-text findings are raised for remote hosts
 * only; loopback and private-network URLs are recorded, not flagged.
 *
 * Certificate checks switched off are reported precisely for the command
 * and call forms above. An OpenSSL client that never calls any verification
 * function (OpenSSL's client default is SSL_VERIFY_NONE) is only a hint and
 * reported with low confidence: a static reading cannot prove the mode.
 *
 * Attributes (per file): net.url.<scheme> (URLs), net.ipv4, net.host,
 * net.url_templates. They feed the RFC 8520 MUD profile.
 *
 * Check id                  STANDARDS.md §9
 *   net.plaintext-http      K05 D02 S02
 *   net.plaintext-ftp       K05 S02 D02
 *   net.plaintext-tftp      K05 S02
 *   net.plaintext-telnet    K05 S02
 *   net.plaintext-mqtt      K05 C09 D02
 *   net.plaintext-other     K05 D02 (coap, rtsp, ws)
 *   net.tls-noverify        K04
 *   net.tls-verify-absent   K04 (low confidence)
 *
 * Why by hand: URL extraction from arbitrary text and binary strings needs
 * the context rules above, which no URL parsing library applies; the URL
 * grammar itself is small and read with bounds on every step.
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/textscan.h"
#include "core/analyzer.h"
#include "util/alloc.h"

#define MAX_TEXT              (8u << 20)
#define MAX_FINDINGS_PER_FILE 16
#define MAX_SEEN              128

enum plain { P_NONE, P_HTTP, P_FTP, P_TFTP, P_TELNET, P_MQTT, P_OTHER };

/* clang-format off */
static const struct {
	const char *name;
	enum plain plain;
	int default_port;
} schemes[] = {
	{"http", P_HTTP, 80},     {"https", P_NONE, 443},   {"ftp", P_FTP, 21},
	{"ftps", P_NONE, 990},    {"tftp", P_TFTP, 69},     {"telnet", P_TELNET, 23},
	{"mqtt", P_MQTT, 1883},   {"mqtts", P_NONE, 8883},  {"ws", P_OTHER, 80},
	{"wss", P_NONE, 443},     {"coap", P_OTHER, 5683},  {"coaps", P_NONE, 5684},
	{"rtsp", P_OTHER, 554},   {"rtsps", P_NONE, 322},   {"ssh", P_NONE, 22},
	{"sftp", P_NONE, 22},     {"tcp", P_NONE, 0},       {"ssl", P_NONE, 0},
	{"tls", P_NONE, 0},       {"amqp", P_OTHER, 5672},  {"amqps", P_NONE, 5671},
	{"ldap", P_OTHER, 389},   {"ldaps", P_NONE, 636},   {"ntp", P_NONE, 123},
};
/* clang-format on */

/* Hosts that publish specifications, namespaces, licences or project pages:
 * their URLs in firmware are references, not connections. */
static const char *const doc_hosts[] = {
    "w3.org",
    "xmlsoap.org",
    "purl.org",
    "xmlns.com",
    "ns.adobe.com",
    "schemas.microsoft.com",
    "openxmlformats.org",
    "oasis-open.org",
    "json-schema.org",
    "relaxng.org",
    "xml.org",
    "upnp.org",
    "gnu.org",
    "fsf.org",
    "opensource.org",
    "creativecommons.org",
    "apache.org",
    "mozilla.org",
    "openssl.org",
    "curl.se",
    "curl.haxx.se",
    "busybox.net",
    "kernel.org",
    "sourceforge.net",
    "ietf.org",
    "rfc-editor.org",
    "iana.org",
    "schema.org",
    "ogp.me",
    "freedesktop.org",
    "python.org",
    "perl.org",
    "php.net",
    "gnome.org",
    "kde.org",
    "sqlite.org",
    "zlib.net",
    "libpng.org",
    "x.org",
    "netfilter.org",
    "samba.org",
    "lighttpd.net",
    "nginx.org",
    "dropbear.nl",
    "uclibc.org",
    "musl-libc.org",
    "openssh.com",
    "wireshark.org",
    "tcpdump.org",
    "isc.org",
    "thekelleys.org.uk",
    "mosquitto.org",
    "eclipse.org",
    "sun.com",
    "oracle.com",
    "java.com",
    "google.com/schemas",
    "translationproject.org",
    "gnupg.org",
    "savannah.gnu.org",
    "github.com/issues",
};

static bool host_suffix(const char *host, const char *dom)
{
	size_t hl = strlen(host), dl = strlen(dom);
	if (hl < dl || strcasecmp(host + hl - dl, dom) != 0)
		return false;
	return hl == dl || host[hl - dl - 1] == '.';
}

static bool parse_ipv4(const char *s, size_t n, uint8_t ip[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (i >= n || !isdigit((unsigned char)s[i]))
			return false;
		unsigned v = 0, d = 0;
		while (i < n && isdigit((unsigned char)s[i]) && d < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			d++;
		}
		if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i - d] == '0'))
			return false;
		ip[k] = (uint8_t)v;
		if (k < 3) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

enum scope { S_PUBLIC, S_LOCAL, S_PRIVATE, S_EXAMPLE, S_SPECIAL };

static enum scope ipv4_scope(const uint8_t ip[4])
{
	if (ip[0] == 127)
		return S_LOCAL;
	if (ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xf0) == 16) ||
	    (ip[0] == 192 && ip[1] == 168) || (ip[0] == 169 && ip[1] == 254) ||
	    (ip[0] == 100 && (ip[1] & 0xc0) == 64))
		return S_PRIVATE;
	if ((ip[0] == 192 && ip[1] == 0 && ip[2] == 2) ||
	    (ip[0] == 198 && ip[1] == 51 && ip[2] == 100) ||
	    (ip[0] == 203 && ip[1] == 0 && ip[2] == 113))
		return S_EXAMPLE;
	if (ip[0] == 0 || ip[0] >= 224 || ip[0] == 255)
		return S_SPECIAL;
	return S_PUBLIC;
}

static enum scope host_scope(const char *host)
{
	uint8_t ip[4];
	if (parse_ipv4(host, strlen(host), ip))
		return ipv4_scope(ip);
	if (host[0] == '[') {
		if (!strncasecmp(host, "[::1]", 5) || !strncasecmp(host, "[::]", 4))
			return S_LOCAL;
		if (!strncasecmp(host, "[fe80:", 6) || !strncasecmp(host, "[fc", 3) ||
		    !strncasecmp(host, "[fd", 3))
			return S_PRIVATE;
		if (!strncasecmp(host, "[2001:db8:", 10))
			return S_EXAMPLE;
		return S_PUBLIC;
	}
	if (!strcasecmp(host, "localhost") || host_suffix(host, "localhost"))
		return S_LOCAL;
	static const char *const ex[] = {"example.com", "example.net", "example.org",
	                                 "example",     "test",        "invalid"};
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++)
		if (host_suffix(host, ex[i]))
			return S_EXAMPLE;
	static const char *const priv[] = {"local",       "lan",  "home.arpa", "internal",
	                                   "localdomain", "home", "intranet"};
	for (size_t i = 0; i < sizeof priv / sizeof priv[0]; i++)
		if (host_suffix(host, priv[i]))
			return S_PRIVATE;
	return S_PUBLIC;
}

static bool doc_host(const char *host, const char *path)
{
	if (!strncasecmp(host, "bugs.", 5) || !strncasecmp(host, "bugzilla.", 9) ||
	    !strncasecmp(host, "wiki.", 5) || !strncasecmp(host, "docs.", 5))
		return true;
	for (size_t i = 0; i < sizeof doc_hosts / sizeof doc_hosts[0]; i++) {
		const char *slash = strchr(doc_hosts[i], '/');
		if (slash) {
			char h[64];
			snprintf(h, sizeof h, "%.*s", (int)(slash - doc_hosts[i]), doc_hosts[i]);
			if (host_suffix(host, h) && !strncmp(path, slash, strlen(slash)))
				return true;
		} else if (host_suffix(host, doc_hosts[i])) {
			return true;
		}
	}
	return false;
}

static bool doc_path(const char *path)
{
	static const char *const seg[] = {
	    "doc",     "docs",     "documentation", "faq",    "manual",  "man",
	    "wiki",    "bugs",     "bugzilla",      "issues", "license", "licenses",
	    "licence", "copyleft", "rfc",           "spec",   "specs",   "schema",
	    "schemas", "ns",       "xmlns",         "dtd",    "tr"};
	char seg_buf[64];
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t l = strcspn(p, "/?#");
		snprintf(seg_buf, sizeof seg_buf, "%.*s", (int)(l < 63 ? l : 63), p);
		for (size_t i = 0; i < sizeof seg / sizeof seg[0]; i++)
			if (!strcasecmp(seg_buf, seg[i]))
				return true;
		size_t sl = strlen(seg_buf);
		if (!strncasecmp(seg_buf, "license", 7) || !strncasecmp(seg_buf, "copying", 7) ||
		    (sl > 4 && (!strcasecmp(seg_buf + sl - 4, ".dtd") ||
		                !strcasecmp(seg_buf + sl - 4, ".xsd"))))
			return true;
		p += l;
		if (*p == '?' || *p == '#')
			break;
	}
	return false;
}

/* ---- per-file state ---- */

#define NSCHEMES (sizeof schemes / sizeof schemes[0])
#define LIST_CAP 1000

struct ctx {
	iota_scan *s;
	iota_node *n;
	bool binary, markup, library;
	int findings;
	char flagged[4096]; /* "\n"-separated keys of findings already made */
	char lists[NSCHEMES][LIST_CAP];
	char ipv4[LIST_CAP], hosts[LIST_CAP], templates[LIST_CAP];
	iota_ts_split sp;
};

/* True the first time key is seen in this file (and remembers it). */
static bool first_time(struct ctx *c, const char *key)
{
	char k[300];
	snprintf(k, sizeof k, "\n%s\n", key);
	if (strstr(c->flagged, k))
		return false;
	size_t fl = strlen(c->flagged), kl = strlen(k);
	if (fl + kl < sizeof c->flagged) {
		memcpy(c->flagged + fl, k + (fl ? 1 : 0), kl - (fl ? 1 : 0) + 1);
	}
	return true;
}

static void emit(struct ctx *c, const char *check, iota_severity sev, int conf, uint32_t line,
                 uint64_t off, const char *msg, const char *ev)
{
	if (c->findings >= MAX_FINDINGS_PER_FILE)
		return;
	c->findings++;
	iota_finding_emit(c->s, &(iota_finding){.check = check,
	                                        .severity = sev,
	                                        .confidence = conf,
	                                        .node = c->n,
	                                        .offset = off,
	                                        .line = line,
	                                        .message = msg,
	                                        .evidence = ev});
}

static const char *plain_check(enum plain p)
{
	switch (p) {
	case P_HTTP:
		return "net.plaintext-http";
	case P_FTP:
		return "net.plaintext-ftp";
	case P_TFTP:
		return "net.plaintext-tftp";
	case P_TELNET:
		return "net.plaintext-telnet";
	case P_MQTT:
		return "net.plaintext-mqtt";
	default:
		return "net.plaintext-other";
	}
}

static void plaintext_finding(struct ctx *c, enum plain p, const char *what, const char *url,
                              uint32_t line, uint64_t off)
{
	if (!first_time(c, url))
		return;
	char msg[600];
	const char *why =
	    p == P_FTP || p == P_TELNET ? "credentials and data cross the network in clear text"
	    : p == P_TFTP               ? "files are fetched without authentication or encryption"
	    : p == P_MQTT ? "messages and broker passwords cross the network in clear text"
	                  : "what is sent and received can be read and changed on the way";
	snprintf(msg, sizeof msg, "clear-text %s endpoint %s: %s", what, url, why);
	iota_severity sev = p == P_HTTP || p == P_OTHER ? IOTA_SEV_LOW : IOTA_SEV_MEDIUM;
	emit(c, plain_check(p), sev, c->binary ? 60 : 85, line, off, msg, url);
}

/* ---- URLs ---- */

static bool url_stop(char ch)
{
	return (unsigned char)ch <= ' ' || (unsigned char)ch >= 0x7f || strchr("\"'`<>\\^{}|", ch);
}

static bool namespace_context(const char *line, size_t start)
{
	size_t from = start > 48 ? start - 48 : 0;
	const char *p = line + from;
	size_t n = start - from;
	return iota_ts_istr(p, n, "xmlns") || iota_ts_istr(p, n, "schemaLocation") ||
	       iota_ts_istr(p, n, "DOCTYPE") || iota_ts_istr(p, n, "xsi:") ||
	       iota_ts_istr(p, n, "PUBLIC \"") || iota_ts_istr(p, n, "SYSTEM \"");
}

static bool valid_host(const char *h)
{
	uint8_t ip[4];
	if (parse_ipv4(h, strlen(h), ip))
		return true;
	if (h[0] == '[')
		return strchr(h, ']') != NULL;
	if (!strcasecmp(h, "localhost"))
		return true;
	const char *dot = strrchr(h, '.');
	if (!dot || dot == h || !dot[1])
		return false;
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
			return false;
	if (strstr(h, ".."))
		return false;
	size_t tl = strlen(dot + 1);
	if (tl < 2 || tl > 24)
		return false;
	for (const char *p = dot + 1; *p; p++)
		if (!isalpha((unsigned char)*p))
			return false;
	return true;
}

static void add_ipv4(struct ctx *c, const char *ip);

/* "URL: ...", "Homepage=...", "BUG_REPORT_URL=...": a URL that describes a
 * package (pkg-config, os-release, package metadata), not a connection. */
static bool metadata_key(const char *line, size_t start)
{
	static const char *const keys[] = {"url",
	                                   "homepage",
	                                   "home-page",
	                                   "home_url",
	                                   "bug_report_url",
	                                   "support_url",
	                                   "documentation_url",
	                                   "privacy_policy_url",
	                                   "website",
	                                   "project-url",
	                                   "vcs-browser",
	                                   "vcs-git",
	                                   "bugs",
	                                   "upstream-contact",
	                                   "source",
	                                   "vendor_url",
	                                   "ansi_url",
	                                   "license"};
	size_t i = 0;
	while (i < start && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t ks = i;
	while (i < start && (isalnum((unsigned char)line[i]) || line[i] == '_' || line[i] == '-'))
		i++;
	size_t kl = i - ks;
	while (i < start && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (kl == 0 || i >= start || (line[i] != ':' && line[i] != '='))
		return false;
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		if (strlen(keys[k]) == kl && !strncasecmp(line + ks, keys[k], kl))
			return true;
	return false;
}

static bool doc_extension(const char *path)
{
	static const char *const ext[] = {".html", ".htm", ".txt",  ".pdf", ".shtml", ".md", ".gif",
	                                  ".png",  ".jpg", ".jpeg", ".ico", ".svg",   ".css"};
	size_t pl = strcspn(path, "?#");
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t el = strlen(ext[i]);
		if (pl >= el && !strncasecmp(path + pl - el, ext[i], el))
			return true;
	}
	return false;
}

/* Finds the URLs in s[0..n) (one text line, or one string of a binary).
 * comment_at: offset where a comment starts (n if none). strict (strings of
 * binaries that are not commands): only a string that is a URL by itself
 * counts, since URLs inside prose are help and copyright texts; and one
 * naming a document or a bare home page is recorded, not flagged. */
static void scan_urls(struct ctx *c, const char *s, size_t n, size_t comment_at, uint32_t line,
                      uint64_t off, bool strict)
{

	for (size_t k = 0; k + 3 < n; k++) {
		if (s[k] != ':' || s[k + 1] != '/' || s[k + 2] != '/')
			continue;
		size_t b = k;
		while (b > 0 && (isalnum((unsigned char)s[b - 1]) || s[b - 1] == '+' ||
		                 s[b - 1] == '-' || s[b - 1] == '.'))
			b--;
		if (b == k || k - b > 8)
			continue;
		char scheme[12];
		snprintf(scheme, sizeof scheme, "%.*s", (int)(k - b), s + b);
		for (char *q = scheme; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		size_t si = NSCHEMES;
		for (size_t i = 0; i < NSCHEMES; i++)
			if (!strcmp(schemes[i].name, scheme))
				si = i;
		if (si == NSCHEMES)
			continue;
		/* the URL's extent */
		size_t e = k + 3;
		while (e < n && !url_stop(s[e]))
			e++;
		while (e > k + 3 && strchr(".,;:)!]'", s[e - 1]) &&
		       !(s[e - 1] == ']' && memchr(s + k, '[', e - k)))
			e--;
		size_t a = k + 3, ae = a;
		while (ae < e && s[ae] != '/' && s[ae] != '?' && s[ae] != '#')
			ae++;
		/* authority: [userinfo@]host[:port] */
		const char *at = NULL;
		for (size_t i = a; i < ae; i++)
			if (s[i] == '@')
				at = s + i;
		size_t hs = at ? (size_t)(at - s) + 1 : a;
		char host[256], port[16] = "";
		size_t he = hs;
		if (hs < ae && s[hs] == '[') {
			while (he < ae && s[he] != ']')
				he++;
			if (he < ae)
				he++;
		} else {
			while (he < ae && s[he] != ':')
				he++;
		}
		snprintf(host, sizeof host, "%.*s", (int)(he - hs < 255 ? he - hs : 255), s + hs);
		for (char *q = host; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		if (he < ae && s[he] == ':') {
			size_t pl = ae - he - 1;
			snprintf(port, sizeof port, "%.*s", (int)(pl < 15 ? pl : 15), s + he + 1);
		}
		char path[220];
		snprintf(path, sizeof path, "%.*s", (int)(e - ae < 219 ? e - ae : 219), s + ae);
		char url[512];
		snprintf(url, sizeof url, "%s://%s%s%s%s", scheme, host, port[0] ? ":" : "", port,
		         path);
		k = e > k ? e - 1 : k;
		if (strict && (b != 0 || e != n))
			continue;
		bool templ = !host[0] || strpbrk(host, "%$<*") || strpbrk(port, "%$");
		if (templ) {
			iota_ts_list_add(c->templates, sizeof c->templates, url);
			continue;
		}
		if (!valid_host(host))
			continue;
		if (namespace_context(s, b))
			continue;
		/* a link in a page is followed by a browser, not by the device */
		if (c->markup && b >= 6 &&
		    iota_ts_istr(s + (b > 12 ? b - 12 : 0), b > 12 ? 12 : b, "href="))
			continue;
		if (doc_host(host, path) || doc_path(path))
			continue;
		enum scope sc = host_scope(host);
		if (sc == S_EXAMPLE || sc == S_SPECIAL)
			continue;
		iota_ts_list_add(c->lists[si], LIST_CAP, url);
		uint8_t ip[4];
		if (sc != S_LOCAL && parse_ipv4(host, strlen(host), ip))
			add_ipv4(c, host);
		enum plain p = schemes[si].plain;
		if (!strcmp(scheme, "tcp") && !strcmp(port, "1883"))
			p = P_MQTT; /* the Paho "tcp://host:1883" form */
		if (p == P_NONE || sc != S_PUBLIC || b >= comment_at)
			continue;
		/* UPnP descriptions name the maker's and model's pages for people:
		 * <manufacturerURL>, <modelURL>, <presentationURL> */
		if (c->markup && b >= 4 && iota_ts_istr(s + b - 4, 4, "url>"))
			continue;
		if (c->markup && strchr(path, '#'))
			continue; /* an identifier in a document ("...#person") */
		/* in binaries: documents, bare home pages, and URIs with a fragment
		 * (namespace and algorithm identifiers, "...xmlsec/2002#HMAC") */
		if (strict && (doc_extension(path) ||
		               ((!path[0] || !strcmp(path, "/")) && !port[0]) || strchr(path, '#')))
			continue;
		/* a shared library's URLs serve its callers: recorded, not flagged */
		if (c->binary && c->library)
			continue;
		if (!c->binary && metadata_key(s, b))
			continue;
		char what[32];
		snprintf(what, sizeof what, "%s", p == P_MQTT ? "MQTT" : scheme);
		for (char *q = what; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		plaintext_finding(c, p, what, url, line, off);
	}
}

/* ---- IPv4 and host names ---- */

static void add_ipv4(struct ctx *c, const char *ip)
{
	iota_ts_list_add(c->ipv4, sizeof c->ipv4, ip);
}

static bool ip_char(char ch)
{
	return isdigit((unsigned char)ch) || ch == '.';
}

/* Dotted quads standing alone in a text line (not parts of versions or
 * longer tokens); their scope decides whether they are kept. */
static void scan_ipv4_text(struct ctx *c, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) ||
		    (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.' ||
		               s[i - 1] == '-' || s[i - 1] == '_')))
			continue;
		size_t j = i;
		while (j < n && ip_char(s[j]))
			j++;
		size_t len = j - i;
		while (len && s[i + len - 1] == '.')
			len--;
		uint8_t ip[4];
		if (j < n && (isalpha((unsigned char)s[j]) || s[j] == '_' || s[j] == '-')) {
			i = j;
			continue;
		}
		if (parse_ipv4(s + i, len, ip)) {
			/* "VERSION=1.2.3.4", "ver 1.0.0.1" */
			size_t from = i > 24 ? i - 24 : 0;
			bool version = iota_ts_istr(s + from, i - from, "ver") != NULL;
			enum scope sc = ipv4_scope(ip);
			if (!version && (sc == S_PUBLIC || sc == S_PRIVATE)) {
				char t[16];
				snprintf(t, sizeof t, "%.*s", (int)len, s + i);
				add_ipv4(c, t);
			}
		}
		i = j;
	}
}

static bool file_extension(const char *tld)
{
	static const char *const ext[] = {
	    "conf", "sh",      "so",     "pid",    "log",   "txt",   "bin",   "pem",  "key",
	    "crt",  "html",    "htm",    "js",     "json",  "xml",   "lua",   "cgi",  "sock",
	    "db",   "gz",      "tar",    "img",    "cfg",   "ini",   "py",    "pl",   "php",
	    "css",  "png",     "jpg",    "gif",    "ko",    "lock",  "tmp",   "bak",  "orig",
	    "sig",  "pub",     "der",    "csr",    "zip",   "xz",    "bz",    "lzma", "yml",
	    "yaml", "service", "socket", "target", "timer", "mount", "rules", "list", "asp",
	    "jsp",  "cer",     "bz2",    "svg",    "ico",   "woff",  "ttf",   "map",  "md",
	    "rc",   "init",    "d",      "default"};
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (!strcasecmp(tld, ext[i]))
			return true;
	return false;
}

/* Host names given as values of address-like keys: "server = ntp.x.org",
 * "option server 'x'", "list server 'x'", "nameserver 1.1.1.1". */
static void scan_host_keys(struct ctx *c, const char *s, size_t n, uint32_t line)
{
	static const char *const keys[] = {
	    "server",     "servers", "host", "hostname", "broker", "endpoint", "address", "addr",
	    "nameserver", "pool",    "url",  "uri",      "peer",   "remote",   "gateway", "proxy"};
	char key[64], val[256];
	const char *v = NULL;
	if (iota_ts_shell_split(s, n, NULL, &c->sp) < 1)
		return;
	iota_ts_cmd *cmd = &c->sp.cmd[0];
	if ((!strcmp(cmd->argv[0], "option") || !strcmp(cmd->argv[0], "list")) && cmd->argc >= 3) {
		iota_ts_copy(key, sizeof key, cmd->argv[1]);
		v = cmd->argv[2];
	} else if (iota_ts_keyval(s, n, key, sizeof key, val, sizeof val)) {
		/* the first word of the value */
		val[strcspn(val, " \t,;\"'")] = '\0';
		v = val;
	}
	if (!v || !*v)
		return;
	for (char *q = key; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	bool match = false;
	size_t kl = strlen(key);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		size_t l = strlen(keys[i]);
		if (kl >= l && !strcmp(key + kl - l, keys[i]))
			match = true;
	}
	if (!match || strstr(v, "://"))
		return;
	char host[256], port[16] = "";
	iota_ts_copy(host, sizeof host, v);
	char *colon = strrchr(host, ':');
	if (colon && host[0] != '[' && strchr(host, ':') == colon) {
		*colon = '\0';
		iota_ts_copy(port, sizeof port, colon + 1);
	}
	for (char *q = host; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	if (!valid_host(host))
		return;
	const char *dot = strrchr(host, '.');
	uint8_t ip[4];
	bool is_ip = parse_ipv4(host, strlen(host), ip);
	if (!is_ip && dot && file_extension(dot + 1))
		return;
	enum scope sc = host_scope(host);
	if (sc == S_EXAMPLE || sc == S_SPECIAL || sc == S_LOCAL)
		return;
	char item[280];
	snprintf(item, sizeof item, "%s%s%s", host, port[0] ? ":" : "", port);
	iota_ts_list_add(is_ip ? c->ipv4 : c->hosts, LIST_CAP, item);
	if (!strcmp(port, "1883") && sc == S_PUBLIC) {
		char url[300];
		snprintf(url, sizeof url, "mqtt://%s", item);
		plaintext_finding(c, P_MQTT, "MQTT", url, line, UINT64_MAX);
	}
}

/* ---- TLS verification switched off ---- */

static bool arg_secret(const char *opt)
{
	static const char *const o[] = {"-u",
	                                "--user",
	                                "-U",
	                                "--proxy-user",
	                                "--password",
	                                "--http-password",
	                                "--ftp-password",
	                                "--http-user",
	                                "--ftp-user",
	                                "--oauth2-bearer",
	                                "-E",
	                                "--cert",
	                                "--pass",
	                                "--header",
	                                "-H"};
	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
		if (!strcmp(opt, o[i]))
			return true;
	return false;
}

/* The command as evidence, with option values that may be secrets and the
 * user information of URLs redacted. */
static void cmd_evidence(const iota_ts_cmd *cmd, int from, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = from; i < cmd->argc && o + 2 < cap; i++) {
		char w[300];
		const char *x = cmd->argv[i];
		bool secret = i > from && arg_secret(cmd->argv[i - 1]);
		const char *eq = strchr(x, '=');
		if (secret || (x[0] == '-' && eq && !strncmp(x, "--pass", 6))) {
			char r[128];
			const char *val = secret ? x : eq + 1;
			iota_redact(val, strlen(val), r, sizeof r);
			snprintf(w, sizeof w, "%.*s%s", secret ? 0 : (int)(eq - x + 1), x, r);
		} else {
			const char *sch = strstr(x, "://");
			const char *at = sch ? strchr(sch + 3, '@') : NULL;
			const char *slash = sch ? strchr(sch + 3, '/') : NULL;
			if (at && (!slash || at < slash))
				snprintf(w, sizeof w, "%.*s***%s", (int)(sch + 3 - x), x, at);
			else
				snprintf(w, sizeof w, "%s", x);
		}
		int k = snprintf(out + o, cap - o, "%s%s", o ? " " : "", w);
		if (k < 0 || (size_t)k >= cap - o)
			break;
		o += (size_t)k;
	}
}

static const char *const net_tools[] = {"curl", "wget", "uclient-fetch", "git"};

/* Checks the command that starts at s[i] (a tool name at a word start). */
static void tool_command(struct ctx *c, const char *s, size_t n, size_t i, uint32_t line,
                         uint64_t off)
{
	if (iota_ts_shell_split(s + i, n - i, NULL, &c->sp) < 1)
		return;
	iota_ts_cmd *cmd = &c->sp.cmd[0];
	int prog = iota_ts_cmd_program(cmd);
	if (prog < 0)
		return;
	const char *base = iota_ts_basename(cmd->argv[prog]);
	const char *how = NULL;
	for (int k = prog + 1; k < cmd->argc && !how; k++) {
		const char *w = cmd->argv[k];
		if (!strcmp(w, "--"))
			break;
		if (!strcmp(base, "curl")) {
			if (!strcmp(w, "--insecure")) {
				how = "--insecure";
			} else if (w[0] == '-' && w[1] != '-') {
				for (const char *p = w + 1; *p; p++) {
					if (*p == 'k') {
						how = "-k";
						break;
					}
					if (strchr("AbcCdDeEFHKmoPQrTuUwxXyYzt", *p))
						break; /* the rest is this option's value */
				}
			}
		} else if (!strcmp(base, "wget") || !strcmp(base, "uclient-fetch")) {
			if (!strcmp(w, "--no-check-certificate"))
				how = "--no-check-certificate";
		} else if (!strcmp(base, "git")) {
			if (!strcmp(w, "-c") && k + 1 < cmd->argc &&
			    iota_ts_istr(cmd->argv[k + 1], strlen(cmd->argv[k + 1]),
			                 "sslverify=false"))
				how = "-c http.sslVerify=false";
		}
	}
	if (!how)
		return;
	char ev[600], msg[300], key[64];
	cmd_evidence(cmd, prog, ev, sizeof ev);
	snprintf(key, sizeof key, "tls:%u:%llu", line, (unsigned long long)off);
	if (!first_time(c, key))
		return;
	snprintf(
	    msg, sizeof msg,
	    "%s runs with %s: the server's TLS certificate is not checked, so anyone on the path "
	    "can impersonate the server",
	    base, how);
	emit(c, "net.tls-noverify", IOTA_SEV_MEDIUM, c->binary ? 75 : 90, line, off, msg, ev);
}

static void scan_tools(struct ctx *c, const char *s, size_t n, uint32_t line, uint64_t off)
{
	for (size_t t = 0; t < sizeof net_tools / sizeof net_tools[0]; t++) {
		size_t tl = strlen(net_tools[t]);
		for (size_t i = 0; i + tl < n;) {
			const char *hit = memmem(s + i, n - i, net_tools[t], tl);
			if (!hit || (size_t)(hit - s) + tl >= n)
				break;
			i = (size_t)(hit - s);
			size_t at = i;
			i += tl;
			if (s[at + tl] != ' ' && s[at + tl] != '\t')
				continue;
			if (at > 0 && !strchr(" \t\"'`(;|&/=$", s[at - 1]))
				continue;
			/* include a path prefix: "/usr/bin/curl" */
			size_t b = at;
			while (b > 0 && !strchr(" \t\"'`(;|&=", s[b - 1]))
				b--;
			tool_command(c, s, n, b, line, off);
		}
	}
}

/* Library and configuration forms that turn certificate checks off. */
/* clang-format off */
static const struct {
	const char *needle;
	bool icase;
	const char *value[3]; /* one of these must follow (after blanks, '=', ':', ',', '>') */
	const char *what;
	const char *before;   /* if set: the last non-blank character before the needle */
} api_forms[] = {
	{"CURLOPT_SSL_VERIFYPEER", false, {"false", "0", "FALSE"},
	 "CURLOPT_SSL_VERIFYPEER off", NULL},
	{"CURLOPT_SSL_VERIFYHOST", false, {"false", "0", "FALSE"},
	 "CURLOPT_SSL_VERIFYHOST off", NULL},
	/* a keyword argument of a call: "requests.get(url, verify=False)" */
	{"verify", false, {"False", NULL, NULL}, "verify=False (Python requests)", ",("},
	{"rejectUnauthorized", false, {"false", NULL, NULL},
	 "rejectUnauthorized: false (Node.js)", NULL},
	{"NODE_TLS_REJECT_UNAUTHORIZED", false, {"0", NULL, NULL},
	 "NODE_TLS_REJECT_UNAUTHORIZED=0", NULL},
	{"_create_unverified_context", false, {"", NULL, NULL},
	 "ssl._create_unverified_context", NULL},
	/* a field of a LuaSec parameter table: "{ mode = "client", verify = "none" }" */
	{"verify", false, {"none", NULL, NULL}, "verify = \"none\" (LuaSec)", ",{"},
	{"InsecureSkipVerify", false, {"true", NULL, NULL}, "InsecureSkipVerify: true (Go)", NULL},
	{"sslverify", true, {"false", "0", "no"}, "sslverify off", NULL},
	{"GIT_SSL_NO_VERIFY", false, {"1", "true", NULL}, "GIT_SSL_NO_VERIFY", NULL},
	{"check_certificate", true, {"off", "0", "no"}, "check_certificate = off (wgetrc)", NULL},
};
/* clang-format on */

static void scan_api_forms(struct ctx *c, const char *s, size_t n, uint32_t line)
{
	for (size_t f = 0; f < sizeof api_forms / sizeof api_forms[0]; f++) {
		size_t nl = strlen(api_forms[f].needle);
		char first = (char)tolower((unsigned char)api_forms[f].needle[0]);
		for (size_t i = 0; i + nl <= n; i++) {
			if (!api_forms[f].icase) {
				const char *h = memmem(s + i, n - i, api_forms[f].needle, nl);
				if (!h)
					break;
				i = (size_t)(h - s);
			} else if (tolower((unsigned char)s[i]) != first ||
			           !iota_ts_ieq(api_forms[f].needle, s + i, nl)) {
				continue;
			}
			if (i > 0 && isalnum((unsigned char)s[i - 1]) &&
			    api_forms[f].needle[0] != '_')
				continue;
			size_t lead = iota_ts_blanks(s, n);
			if (api_forms[f].before && lead + 4 <= n && !memcmp(s + lead, "def ", 4))
				continue; /* a default parameter value, not a call */
			if (api_forms[f].before) {
				size_t k = i;
				while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
					k--;
				if (k == 0 || !strchr(api_forms[f].before, s[k - 1]))
					continue;
			}
			size_t j = i + nl;
			if (j < n && isalnum((unsigned char)s[j]))
				continue;
			while (j < n && strchr(" \t=:,>\"'(", s[j]))
				j++;
			bool ok = false;
			for (int v = 0; v < 3 && api_forms[f].value[v] && !ok; v++) {
				size_t vl = strlen(api_forms[f].value[v]);
				if (vl == 0) {
					ok = true;
				} else if (j + vl <= n &&
				           (api_forms[f].icase
				                ? iota_ts_ieq(api_forms[f].value[v], s + j, vl)
				                : !memcmp(s + j, api_forms[f].value[v], vl)) &&
				           (j + vl == n || !isalnum((unsigned char)s[j + vl]))) {
					ok = true;
				}
			}
			if (!ok)
				continue;
			char key[64], msg[300], ev[160];
			snprintf(key, sizeof key, "api:%u:%zu", line, f);
			if (!first_time(c, key))
				break;
			snprintf(msg, sizeof msg,
			         "TLS certificate checks switched off (%s): anyone on the path can "
			         "impersonate the server",
			         api_forms[f].what);
			size_t el = j - i + 8 < n - i ? j - i + 8 : n - i;
			snprintf(ev, sizeof ev, "%.*s", (int)(el < 150 ? el : 150), s + i);
			emit(c, "net.tls-noverify", IOTA_SEV_MEDIUM, 85, line, UINT64_MAX, msg, ev);
			break;
		}
	}
}

/* ---- mosquitto bridges ---- */

struct bridge {
	char name[64];
	char address[256];
	uint32_t line;
	bool tls;
};

static void bridge_end(struct ctx *c, struct bridge *br)
{
	if (!br->address[0] || br->tls)
		return;
	char tmp[256];
	iota_ts_copy(tmp, sizeof tmp, br->address);
	for (char *save = NULL, *a = strtok_r(tmp, " \t,", &save); a;
	     a = strtok_r(NULL, " \t,", &save)) {
		char host[200];
		iota_ts_copy(host, sizeof host, a);
		char *colon = strrchr(host, ':');
		const char *port = "1883";
		if (colon && host[0] != '[') {
			*colon = '\0';
			port = colon + 1;
		}
		if (!valid_host(host) || host_scope(host) != S_PUBLIC)
			continue;
		char url[300];
		snprintf(url, sizeof url, "mqtt://%s:%s", host, port);
		for (size_t i = 0; i < NSCHEMES; i++)
			if (!strcmp(schemes[i].name, "mqtt"))
				iota_ts_list_add(c->lists[i], LIST_CAP, url);
		plaintext_finding(c, P_MQTT, "MQTT bridge", url, br->line, UINT64_MAX);
	}
}

static void mosquitto_line(struct ctx *c, struct bridge *br, const char *s, size_t n, uint32_t line)
{
	if (iota_ts_shell_split(s, n, NULL, &c->sp) < 1)
		return;
	iota_ts_cmd *cmd = &c->sp.cmd[0];
	const char *k = cmd->argv[0];
	if (!strcmp(k, "connection")) {
		bridge_end(c, br);
		memset(br, 0, sizeof *br);
		if (cmd->argc > 1)
			iota_ts_copy(br->name, sizeof br->name, cmd->argv[1]);
	} else if ((!strcmp(k, "address") || !strcmp(k, "addresses")) && cmd->argc > 1) {
		br->address[0] = '\0';
		for (int i = 1; i < cmd->argc; i++)
			iota_ts_list_add(br->address, sizeof br->address, cmd->argv[i]);
		br->line = line;
	} else if (!strcmp(k, "bridge_cafile") || !strcmp(k, "bridge_capath") ||
	           !strcmp(k, "bridge_certfile") || !strcmp(k, "bridge_psk") ||
	           !strcmp(k, "bridge_identity")) {
		br->tls = true;
	}
}

/* ---- files ---- */

static bool is_elf(const uint8_t *head, size_t len)
{
	return len >= 20 && !memcmp(head,
	                            "\x7f"
	                            "ELF",
	                            4);
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	if (is_elf(head, head_len))
		return 1;
	if (n->size > MAX_TEXT || !iota_ts_is_text(head, head_len))
		return 0;
	return !iota_ts_in_docs(n) && !iota_ts_doc_name(n->name ? n->name : "");
}

/* Where a comment starts on a line: a line starting with a comment marker,
 * or an unquoted '#' after a blank (shell and configuration files). */
static size_t comment_start(const char *s, size_t n, bool markup)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '#' || s[i] == ';' || s[i] == '*'))
		return markup && s[i] == '*' ? n : i;
	if (i + 1 < n && ((s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '*')) ||
	                  (s[i] == '-' && s[i + 1] == '-')))
		return i;
	if (i + 3 < n && !memcmp(s + i, "<!--", 4))
		return i;
	/* a C-style comment closed on the same line (linker scripts, config) */
	for (size_t k = i; k + 1 < n; k++)
		if (s[k] == '/' && s[k + 1] == '*' &&
		    (k == i || s[k - 1] == ' ' || s[k - 1] == '\t') &&
		    memmem(s + k + 2, n - k - 2, "*/", 2))
			return k;
	if (markup)
		return n;
	char q = 0;
	for (size_t k = i; k < n; k++) {
		if (q) {
			if (s[k] == q)
				q = 0;
		} else if (s[k] == '"' || s[k] == '\'') {
			q = s[k];
		} else if (s[k] == '#' && k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t')) {
			return k;
		}
	}
	return n;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);
	return l >= k && !strcmp(s + l - k, suffix);
}

/* A shell line whose command prints a message: URLs in it are for people. */
static bool message_line(struct ctx *c, const char *l, size_t len)
{
	if (iota_ts_shell_split(l, len, NULL, &c->sp) != 1)
		return false;
	int p = iota_ts_cmd_program(&c->sp.cmd[0]);
	if (p < 0)
		return false;
	const char *w = iota_ts_basename(c->sp.cmd[0].argv[p]);
	return !strcmp(w, "echo") || !strcmp(w, "printf") || !strcmp(w, "logger") ||
	       strstr(w, "echo") || strstr(w, "print") || strstr(w, "msg") || strstr(w, "log") ||
	       !strcmp(w, "die") || !strcmp(w, "warn") || !strcmp(w, "usage");
}

static void scan_text(struct ctx *c, const iota_blob *b, const char *path)
{
	const char *name = c->n->name ? c->n->name : "";
	bool markup = ends_with(name, ".html") || ends_with(name, ".htm") ||
	              ends_with(name, ".js") || ends_with(name, ".css") ||
	              ends_with(name, ".json") || ends_with(name, ".xml") ||
	              ends_with(name, ".asp") || ends_with(name, ".xsl") || ends_with(name, ".svg");
	c->markup = markup;
	bool mosq = (!strncmp(name, "mosquitto", 9) && ends_with(name, ".conf")) ||
	            iota_ts_path_within(path, "mosquitto");
	bool curlrc = !strcmp(name, ".curlrc") || !strcmp(name, "curlrc");
	struct bridge br;
	memset(&br, 0, sizeof br);
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool pod = false, docstring = false, xml_comment = false;
	bool python =
	    ends_with(name, ".py") || (b->len > 2 && !memcmp(b->data, "#!", 2) &&
	                               memmem(b->data, b->len < 80 ? b->len : 80, "python", 6));
	if (!markup && b->len && b->data[0] == '<')
		c->markup = markup = true; /* XML by its content (.cfg, .conf, ...) */
	while (iota_ts_next_line(&it, &l, &len)) {
		if (len > 8192)
			len = 8192;
		/* XML/HTML comments over several lines */
		if (markup) {
			const char *open = memmem(l, len, "<!--", 4);
			const char *close = memmem(l, len, "-->", 3);
			if (xml_comment) {
				if (close)
					xml_comment = false;
				continue;
			}
			if (open && (!close || close < open))
				xml_comment = true;
		}
		/* Python docstrings: a line with an odd number of triple quotes
		 * opens or closes one */
		if (python) {
			int q = 0;
			for (size_t k = 0; k + 2 < len; k++)
				if ((l[k] == '"' || l[k] == '\'') && l[k + 1] == l[k] &&
				    l[k + 2] == l[k]) {
					q++;
					k += 2;
				}
			if (q % 2 == 1) {
				docstring = !docstring;
				continue;
			}
			if (docstring)
				continue;
		}
		/* Perl's POD documentation (perlpod): "=head1" ... "=cut" */
		if (!markup && len > 1 && l[0] == '=' && isalpha((unsigned char)l[1])) {
			pod = !(len >= 4 && !memcmp(l, "=cut", 4));
			continue;
		}
		if (pod)
			continue;
		size_t cs = comment_start(l, len, markup);
		if (cs == 0 || (cs < len && cs == iota_ts_blanks(l, len)))
			continue; /* a comment line says nothing the device does */
		if (!markup && message_line(c, l, cs))
			continue; /* a message for people, not a connection */
		scan_urls(c, l, len, cs, it.no, UINT64_MAX, false);
		scan_ipv4_text(c, l, cs);
		if (!markup)
			scan_host_keys(c, l, cs, it.no);
		scan_tools(c, l, cs, it.no, UINT64_MAX);
		scan_api_forms(c, l, cs, it.no);
		if (mosq)
			mosquitto_line(c, &br, l, cs, it.no);
		if (curlrc) {
			char t[64];
			iota_ts_copy_trim(t, sizeof t, l, cs);
			if (!strcmp(t, "insecure") || !strcmp(t, "--insecure") || !strcmp(t, "-k"))
				emit(c, "net.tls-noverify", IOTA_SEV_MEDIUM, 90, it.no, UINT64_MAX,
				     "curl's configuration file turns certificate checks off for "
				     "every "
				     "transfer (insecure)",
				     t);
		}
	}
	if (mosq)
		bridge_end(c, &br);
}

/* ---- binaries ---- */

static bool bin_urls(const char *s, size_t len, size_t off, void *arg)
{
	struct ctx *c = arg;
	bool command = false;
	for (size_t t = 0; t < sizeof net_tools / sizeof net_tools[0]; t++) {
		size_t tl = strlen(net_tools[t]);
		if (len > tl && !memcmp(s, net_tools[t], tl) && s[tl] == ' ')
			command = true;
	}
	scan_urls(c, s, len, len, 0, off, !command);
	return true;
}

static bool bin_tools(const char *s, size_t len, size_t off, void *arg)
{
	scan_tools(arg, s, len, 0, off);
	return true;
}

/* Strings of a binary that are an IPv4 address by themselves, "a.b.c.d" or
 * "a.b.c.d:port", NUL-delimited as compilers store them. */
static void bin_ipv4(struct ctx *c, const iota_blob *b)
{
	const uint8_t *p = b->data;
	size_t n = b->len, pos = 0;
	while (pos < n) {
		const uint8_t *dot = memchr(p + pos, '.', n - pos);
		if (!dot)
			return;
		size_t h = (size_t)(dot - p), rs = h, re = h;
		while (rs > 0 && h - rs < 4 && (isdigit(p[rs - 1]) || p[rs - 1] == '.'))
			rs--;
		while (re < n && re - h < 18 && (isdigit(p[re]) || p[re] == '.' || p[re] == ':'))
			re++;
		pos = re > h ? re : h + 1;
		if ((rs > 0 && p[rs - 1] != 0) || (re < n && p[re] != 0) || re - rs < 7)
			continue;
		size_t ipl = 0;
		while (rs + ipl < re && p[rs + ipl] != ':')
			ipl++;
		bool port_ok = true;
		if (rs + ipl < re) {
			port_ok = rs + ipl + 1 < re;
			for (size_t k = rs + ipl + 1; k < re; k++)
				if (!isdigit(p[k]))
					port_ok = false;
		}
		uint8_t ip[4];
		if (!port_ok || !parse_ipv4((const char *)p + rs, ipl, ip))
			continue;
		enum scope sc = ipv4_scope(ip);
		if (sc == S_PUBLIC || sc == S_PRIVATE) {
			char t[24];
			snprintf(t, sizeof t, "%.*s", (int)(re - rs), (const char *)p + rs);
			add_ipv4(c, t);
		}
	}
}

static bool has_name(const iota_blob *b, const char *name)
{
	char pat[64];
	int n = snprintf(pat, sizeof pat, "%c%s%c", 0, name, 0);
	return n > 0 && memmem(b->data, b->len, pat, (size_t)n) != NULL;
}

/* An OpenSSL client that calls no verification function at all. */
static void openssl_client(struct ctx *c, const iota_blob *b)
{
	const char *name = c->n->name ? c->n->name : "";
	static const char *const libs[] = {"libssl",  "libcrypto", "libcurl", "libwolfssl",
	                                   "libmbed", "libgnutls", "libnss",  "libwget"};
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
		if (!strncmp(name, libs[i], strlen(libs[i])))
			return;
	if (!memmem(b->data, b->len, "libssl.so", 9) || !has_name(b, "SSL_connect"))
		return;
	static const char *const verify[] = {"SSL_CTX_set_verify",
	                                     "SSL_set_verify",
	                                     "SSL_get_verify_result",
	                                     "X509_verify_cert",
	                                     "SSL_CTX_set_cert_verify_callback",
	                                     "SSL_get_peer_certificate",
	                                     "SSL_get1_peer_certificate",
	                                     "SSL_get0_peer_certificate",
	                                     "SSL_set1_host",
	                                     "X509_VERIFY_PARAM_set1_host",
	                                     "SSL_CTX_load_verify_locations"};
	for (size_t i = 0; i < sizeof verify / sizeof verify[0]; i++)
		if (has_name(b, verify[i]))
			return;
	emit(
	    c, "net.tls-verify-absent", IOTA_SEV_LOW, 40, 0, UINT64_MAX,
	    "TLS client (imports SSL_connect from libssl) that imports no certificate-verification "
	    "function: OpenSSL's default for clients is SSL_VERIFY_NONE, so the server is probably "
	    "not authenticated (a hint: static reading cannot prove the mode)",
	    "SSL_connect without SSL_CTX_set_verify/SSL_get_verify_result");
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	struct ctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->s = s;
	c->n = n;
	size_t head = b->len < IOTA_PROBE_HEAD ? b->len : IOTA_PROBE_HEAD;
	c->binary = is_elf(b->data, head);
	uint16_t etype = 0;
	if (c->binary)
		etype = b->data[5] == 2 ? (uint16_t)(b->data[16] << 8 | b->data[17])
		                        : (uint16_t)(b->data[17] << 8 | b->data[16]);
	/* shared objects, relocatable objects and kernel modules (ET_REL) */
	c->library = c->binary && ((n->name && strstr(n->name, ".so")) || etype == 1);
	if (c->binary) {
		iota_ts_runs_with(b->data, b->len, "://", 8, bin_urls, c);
		for (size_t t = 0; t < sizeof net_tools / sizeof net_tools[0]; t++) {
			char needle[32];
			snprintf(needle, sizeof needle, "%s ", net_tools[t]);
			iota_ts_runs_with(b->data, b->len, needle, 8, bin_tools, c);
		}
		bin_ipv4(c, b);
		openssl_client(c, b);
	} else {
		char path[IOTA_MAX_PATH];
		if (iota_node_inner_path(n, path, sizeof path) < 0)
			path[0] = '\0';
		scan_text(c, b, path);
	}
	for (size_t i = 0; i < NSCHEMES; i++)
		if (c->lists[i][0]) {
			char key[32];
			snprintf(key, sizeof key, "net.url.%s", schemes[i].name);
			iota_node_attr(s, n, key, "%s", c->lists[i]);
		}
	if (c->ipv4[0])
		iota_node_attr(s, n, "net.ipv4", "%s", c->ipv4);
	if (c->hosts[0])
		iota_node_attr(s, n, "net.host", "%s", c->hosts);
	if (c->templates[0])
		iota_node_attr(s, n, "net.url_templates", "%s", c->templates);
	iota_free(c);
}

const iota_analyzer iota_analyzer_endpoints = {
    .name = "endpoints",
    .description =
        "URLs, hosts and addresses by protocol; clear-text endpoints; TLS checks switched off",
    .wants = wants,
    .run_file = run_file,
};
