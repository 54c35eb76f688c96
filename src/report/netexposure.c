/* Network exposure of a scan, from the analyzers' attributes (see netexposure.h). */
#include "report/netexposure.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define MAX_SVC 512
#define MAX_EP  1024

const char *iota_net_proto_name(int proto)
{
	return proto == IOTA_NET_UDP ? "udp" : "tcp";
}

/* Default ports of the daemons the services analyzer knows (their manual
 * pages / IANA service names). 'opt' is the option that sets the port, if
 * the program has one ("-p"): its value "[ADDR:]PORT" replaces the
 * default; nc/netcat listen only with -l. */
static const struct {
	const char *name;
	int proto;
	unsigned port;
	const char *opt;
} daemon_ports[] = {
    {"dropbear", IOTA_NET_TCP, 22, "-p"},
    {"sshd", IOTA_NET_TCP, 22, "-p"},
    {"telnetd", IOTA_NET_TCP, 23, "-p"},
    {"utelnetd", IOTA_NET_TCP, 23, "-p"},
    {"in.telnetd", IOTA_NET_TCP, 23, NULL},
    {"ftpd", IOTA_NET_TCP, 21, NULL},
    {"vsftpd", IOTA_NET_TCP, 21, NULL},
    {"proftpd", IOTA_NET_TCP, 21, NULL},
    {"pure-ftpd", IOTA_NET_TCP, 21, NULL},
    {"bftpd", IOTA_NET_TCP, 21, NULL},
    {"uftpd", IOTA_NET_TCP, 21, NULL},
    {"tftpd", IOTA_NET_UDP, 69, NULL},
    {"in.tftpd", IOTA_NET_UDP, 69, NULL},
    {"atftpd", IOTA_NET_UDP, 69, NULL},
    {"opentftpd", IOTA_NET_UDP, 69, NULL},
    {"miniupnpd", IOTA_NET_UDP, 1900, NULL},
    {"upnpd", IOTA_NET_UDP, 1900, NULL},
    {"snmpd", IOTA_NET_UDP, 161, NULL},
    {"mini_snmpd", IOTA_NET_UDP, 161, NULL},
    {"bsnmpd", IOTA_NET_UDP, 161, NULL},
    {"httpd", IOTA_NET_TCP, 80, "-p"},
    {"lighttpd", IOTA_NET_TCP, 80, NULL},
    {"nginx", IOTA_NET_TCP, 80, NULL},
    {"uhttpd", IOTA_NET_TCP, 80, "-p"},
    {"boa", IOTA_NET_TCP, 80, "-p"},
    {"goahead", IOTA_NET_TCP, 80, NULL},
    {"mini_httpd", IOTA_NET_TCP, 80, "-p"},
    {"thttpd", IOTA_NET_TCP, 80, "-p"},
    {"webs", IOTA_NET_TCP, 80, NULL},
    {"apache2", IOTA_NET_TCP, 80, NULL},
    {"mosquitto", IOTA_NET_TCP, 1883, "-p"},
    {"smbd", IOTA_NET_TCP, 445, NULL},
    {"nmbd", IOTA_NET_UDP, 137, NULL},
    {"dnsmasq", IOTA_NET_UDP, 53, "-p"},
    {"udhcpd", IOTA_NET_UDP, 67, NULL},
    {"odhcpd", IOTA_NET_UDP, 547, NULL},
    {"avahi-daemon", IOTA_NET_UDP, 5353, NULL},
    {"mdnsd", IOTA_NET_UDP, 5353, NULL},
    {"ntpd", IOTA_NET_UDP, 123, NULL},
    {"minidlna", IOTA_NET_TCP, 8200, NULL},
    {"cupsd", IOTA_NET_TCP, 631, NULL},
    {"rpcbind", IOTA_NET_TCP, 111, NULL},
    {"portmap", IOTA_NET_TCP, 111, NULL},
    {"nfsd", IOTA_NET_TCP, 2049, NULL},
    {"rsyncd", IOTA_NET_TCP, 873, NULL},
    {"adbd", IOTA_NET_TCP, 5555, NULL},
    {"rshd", IOTA_NET_TCP, 514, NULL},
    {"in.rshd", IOTA_NET_TCP, 514, NULL},
    {"rlogind", IOTA_NET_TCP, 513, NULL},
    {"in.rlogind", IOTA_NET_TCP, 513, NULL},
    {"rexecd", IOTA_NET_TCP, 512, NULL},
    {"in.rexecd", IOTA_NET_TCP, 512, NULL},
    {"nc", IOTA_NET_TCP, 0, "-p"},
    {"netcat", IOTA_NET_TCP, 0, "-p"},
    {"ncat", IOTA_NET_TCP, 0, "-p"},
    {"gdbserver", IOTA_NET_TCP, 0, NULL},
    {"tcpsvd", IOTA_NET_TCP, 0, NULL},
    {"udpsvd", IOTA_NET_UDP, 0, NULL},
};

/* Schemes the endpoints analyzer records, their transport and default port. */
static const struct {
	const char *scheme;
	int proto;
	unsigned port;
	int plain;
} scheme_ports[] = {
    {"http", IOTA_NET_TCP, 80, 1},   {"https", IOTA_NET_TCP, 443, 0},
    {"ftp", IOTA_NET_TCP, 21, 1},    {"ftps", IOTA_NET_TCP, 990, 0},
    {"tftp", IOTA_NET_UDP, 69, 1},   {"telnet", IOTA_NET_TCP, 23, 1},
    {"mqtt", IOTA_NET_TCP, 1883, 1}, {"mqtts", IOTA_NET_TCP, 8883, 0},
    {"ws", IOTA_NET_TCP, 80, 1},     {"wss", IOTA_NET_TCP, 443, 0},
    {"coap", IOTA_NET_UDP, 5683, 1}, {"coaps", IOTA_NET_UDP, 5684, 0},
    {"rtsp", IOTA_NET_TCP, 554, 1},  {"rtsps", IOTA_NET_TCP, 322, 0},
    {"ssh", IOTA_NET_TCP, 22, 0},    {"sftp", IOTA_NET_TCP, 22, 0},
    {"tcp", IOTA_NET_TCP, 0, 0},     {"ssl", IOTA_NET_TCP, 0, 0},
};

struct acc {
	iota_netexpo *x;
	int oom;
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int parse_port(const char *s, unsigned *port)
{
	/* "[ADDR:]PORT": the part after the last ':' */
	const char *c = strrchr(s, ':');
	const char *d = c ? c + 1 : s;
	if (!*d || strlen(d) > 5)
		return -1;
	unsigned v = 0;
	for (; *d; d++) {
		if (!isdigit((unsigned char)*d))
			return -1;
		v = v * 10 + (unsigned)(*d - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

static void add_svc(struct acc *a, const char *prog, const char *path, int proto, unsigned port,
                    const char *basis)
{
	iota_netexpo *x = a->x;
	for (size_t i = 0; i < x->nsvc; i++)
		if (x->svc[i].proto == proto && x->svc[i].port == port &&
		    strcmp(x->svc[i].program, prog) == 0)
			return;
	if (x->nsvc >= MAX_SVC)
		return;
	iota_netsvc *v = iota_realloc(x->svc, (x->nsvc + 1) * sizeof *v);
	if (!v) {
		a->oom = 1;
		return;
	}
	x->svc = v;
	iota_netsvc *e = &v[x->nsvc++];
	memset(e, 0, sizeof *e);
	snprintf(e->program, sizeof e->program, "%s", prog);
	snprintf(e->path, sizeof e->path, "%s", path);
	e->proto = proto;
	e->port = port;
	snprintf(e->basis, sizeof e->basis, "%s", basis);
}

static void list_add(char *buf, size_t cap, const char *item)
{
	size_t il = strlen(item), bl = strlen(buf);
	for (const char *p = buf; (p = strstr(p, item)) != NULL; p += il)
		if ((p == buf || p[-1] == ',') && (p[il] == ',' || p[il] == '\0'))
			return;
	if (bl + il + 2 > cap)
		return;
	if (bl)
		buf[bl++] = ',';
	memcpy(buf + bl, item, il + 1);
}

/* One started program: svc.args holds its arguments ("; " between starts).
 * known_only: say nothing of programs not in daemon_ports[] (the commands
 * of init scripts include sh, echo and the like). */
static void service(struct acc *a, const char *path, const char *args, int known_only)
{
	const char *prog = base_name(path);
	size_t k = 0, n = sizeof daemon_ports / sizeof daemon_ports[0];
	while (k < n && strcmp(daemon_ports[k].name, prog) != 0)
		k++;
	/* serial consoles, local daemons, link-layer protocols: no IP port */
	static const char *const no_port[] = {"getty",   "agetty",         "mingetty", "crond",
	                                      "cron",    "syslogd",        "klogd",    "logd",
	                                      "hostapd", "wpa_supplicant", "lldpd",    "watchdog",
	                                      "udevd",   "mdev",           "ubusd",    "procd"};
	for (size_t i = 0; i < sizeof no_port / sizeof no_port[0]; i++)
		if (!strcmp(prog, no_port[i]))
			return;
	if (k == n) {
		if (!known_only)
			list_add(a->x->unknown_ports, sizeof a->x->unknown_ports, prog);
		return;
	}
	int found = 0, listen = 0;
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", args ? args : "");
	/* each start of the program */
	for (char *start = buf, *next; start; start = next) {
		next = strstr(start, "; ");
		if (next) {
			*next = '\0';
			next += 2;
		}
		char *argv[64];
		int argc = 0;
		for (char *t = strtok(start, " \t"); t && argc < 64; t = strtok(NULL, " \t"))
			argv[argc++] = t;
		const char *opt = daemon_ports[k].opt;
		int proto = daemon_ports[k].proto;
		unsigned port;
		char basis[96];
		if (!strcmp(prog, "tcpsvd") || !strcmp(prog, "udpsvd")) {
			/* tcpsvd [opts] IP PORT PROG: the first two operands */
			int ops = 0;
			for (int i = 0; i < argc; i++) {
				if (argv[i][0] == '-') {
					if (!argv[i][2] && strchr("cCbulL", argv[i][1]))
						i++;
					continue;
				}
				if (++ops == 2 && parse_port(argv[i], &port) == 0) {
					snprintf(basis, sizeof basis, "operand PORT %u", port);
					add_svc(a, prog, path, proto, port, basis);
					found = 1;
				}
				if (ops == 2)
					break;
			}
			continue;
		}
		if (!strcmp(prog, "gdbserver")) {
			/* gdbserver [opts] [HOST]:PORT PROG */
			for (int i = 0; i < argc; i++)
				if (argv[i][0] != '-' && strchr(argv[i], ':') &&
				    parse_port(argv[i], &port) == 0) {
					snprintf(basis, sizeof basis, "argument %.60s", argv[i]);
					add_svc(a, prog, path, proto, port, basis);
					found = 1;
					break;
				}
			continue;
		}
		for (int i = 0; i < argc; i++) {
			if (!strcmp(argv[i], "-l") ||
			    (argv[i][0] == '-' && strchr(argv[i], 'l') && argv[i][1] != '-'))
				listen = 1;
			if (!opt)
				continue;
			const char *val = NULL;
			if (!strcmp(argv[i], opt) && i + 1 < argc)
				val = argv[i + 1];
			else if (!strncmp(argv[i], opt, strlen(opt)) && argv[i][strlen(opt)])
				val = argv[i] + strlen(opt);
			if (val && parse_port(val, &port) == 0) {
				snprintf(basis, sizeof basis, "argument %s %.40s", opt, val);
				add_svc(a, prog, path, proto, port, basis);
				found = 1;
			}
		}
	}
	int is_nc = daemon_ports[k].port == 0;
	if (found || (is_nc && !listen))
		return;
	if (is_nc) {
		list_add(a->x->unknown_ports, sizeof a->x->unknown_ports, prog);
		return;
	}
	char basis[96];
	snprintf(basis, sizeof basis, "default port of %.60s", prog);
	add_svc(a, prog, path, daemon_ports[k].proto, daemon_ports[k].port, basis);
}

/* RFC 1918, loopback, link-local, 0/8, multicast and reserved: not a cloud host. */
static int local_ipv4(const char *h, int *is_ip)
{
	unsigned b[4];
	char tail;
	*is_ip = sscanf(h, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) == 4 && b[0] < 256 &&
	         b[1] < 256 && b[2] < 256 && b[3] < 256;
	if (!*is_ip)
		return strcmp(h, "localhost") == 0;
	return b[0] == 10 || b[0] == 127 || b[0] == 0 || b[0] >= 224 ||
	       (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168) ||
	       (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] >= 64 && b[1] < 128);
}

static void add_ep(struct acc *a, const char *host, int proto, unsigned port, const char *scheme,
                   int plain, const char *seen)
{
	int is_ip;
	if (!host[0] || local_ipv4(host, &is_ip))
		return;
	iota_netexpo *x = a->x;
	for (size_t i = 0; i < x->nep; i++)
		if (x->ep[i].proto == proto && x->ep[i].port == port &&
		    strcmp(x->ep[i].host, host) == 0 && strcmp(x->ep[i].scheme, scheme) == 0)
			return;
	if (x->nep >= MAX_EP)
		return;
	iota_netep *v = iota_realloc(x->ep, (x->nep + 1) * sizeof *v);
	if (!v) {
		a->oom = 1;
		return;
	}
	x->ep = v;
	iota_netep *e = &v[x->nep++];
	memset(e, 0, sizeof *e);
	snprintf(e->host, sizeof e->host, "%s", host);
	e->is_ip = is_ip;
	e->proto = proto;
	e->port = port;
	snprintf(e->scheme, sizeof e->scheme, "%s", scheme);
	e->plaintext = plain;
	snprintf(e->seen, sizeof e->seen, "%s", seen);
}

/* "scheme://[user@]host[:port]/path": host (lower case) and port. */
static int url_host(const char *url, char *host, size_t size, unsigned *port)
{
	const char *p = strstr(url, "://");
	if (!p)
		return -1;
	p += 3;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (!n || *p == '[')
		return -1; /* IPv6 literals: not written as MUD names here */
	const char *colon = memchr(p, ':', n);
	size_t hl = colon ? (size_t)(colon - p) : n;
	if (!hl || hl >= size)
		return -1;
	for (size_t i = 0; i < hl; i++)
		host[i] = (char)tolower((unsigned char)p[i]);
	host[hl] = '\0';
	if (colon) {
		char ps[8];
		size_t pl = n - hl - 1;
		if (!pl || pl >= sizeof ps)
			return -1;
		memcpy(ps, colon + 1, pl);
		ps[pl] = '\0';
		if (parse_port(ps, port) != 0)
			return -1;
	}
	return 0;
}

static int is_library(const iota_node *n)
{
	const char *name = n->name ? n->name : "";
	size_t l = strlen(name);
	return strstr(name, ".so") != NULL || (l > 3 && !strcmp(name + l - 3, ".ko"));
}

static void node_attrs(struct acc *a, iota_node *n)
{
	char path[256];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		snprintf(path, sizeof path, "%s", n->name ? n->name : "?");
	const char *started = iota_node_attr_get(n, "svc.started_by");
	if (started)
		service(a, path, iota_node_attr_get(n, "svc.args"), 0);
	if (is_library(n))
		return;
	for (const iota_attr *at = n->attrs; at; at = at->next) {
		if (!strncmp(at->key, "svc.start.", 10)) {
			/* "line L, VIA: COMMAND ARGS": programs started by an init
			 * script or inittab, also where the binary is not in the image */
			const char *cmd = strstr(at->value, ": ");
			if (!cmd)
				continue;
			char buf[1024];
			snprintf(buf, sizeof buf, "%s", cmd + 2);
			char *sp = strchr(buf, ' ');
			if (sp)
				*sp++ = '\0';
			const char *prog = buf[0] == '-' ? buf + 1 : buf;
			service(a, prog[0] == '/' ? prog + 1 : prog, sp ? sp : "", 1);
		} else if (!strncmp(at->key, "net.url.", 8)) {
			const char *scheme = at->key + 8;
			size_t k = 0, ns = sizeof scheme_ports / sizeof scheme_ports[0];
			while (k < ns && strcmp(scheme_ports[k].scheme, scheme) != 0)
				k++;
			if (k == ns)
				continue;
			char list[1024];
			snprintf(list, sizeof list, "%s", at->value);
			for (char *save = NULL, *u = strtok_r(list, ",", &save); u;
			     u = strtok_r(NULL, ",", &save)) {
				char host[256];
				unsigned port = scheme_ports[k].port;
				if (url_host(u, host, sizeof host, &port) != 0 || !port)
					continue;
				add_ep(a, host, scheme_ports[k].proto, port, scheme,
				       scheme_ports[k].plain, path);
			}
		} else if (!strcmp(at->key, "net.host") || !strcmp(at->key, "net.ipv4")) {
			char list[1024];
			snprintf(list, sizeof list, "%s", at->value);
			for (char *save = NULL, *h = strtok_r(list, ",", &save); h;
			     h = strtok_r(NULL, ",", &save)) {
				char *colon = strrchr(h, ':');
				unsigned port;
				int is_ip;
				if (colon && parse_port(colon + 1, &port) == 0) {
					*colon = '\0';
					add_ep(a, h, IOTA_NET_TCP, port, "host", port == 1883,
					       path);
				} else if (!local_ipv4(h, &is_ip)) {
					list_add(a->x->hosts_without_port,
					         sizeof a->x->hosts_without_port, h);
				}
			}
		}
	}
}

static void walk(struct acc *a, iota_node *n, int depth)
{
	if (depth > 256)
		return;
	if (n->attrs)
		node_attrs(a, n);
	for (iota_node *c = n->first_child; c && !a->oom; c = c->next_sibling)
		walk(a, c, depth + 1);
}

static int svc_order(const void *p, const void *q)
{
	const iota_netsvc *x = p, *y = q;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto - y->proto;
	return strcmp(x->path, y->path);
}

static int ep_order(const void *p, const void *q)
{
	const iota_netep *x = p, *y = q;
	int c = strcmp(x->host, y->host);
	if (c)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto - y->proto;
	return strcmp(x->scheme, y->scheme);
}

int iota_netexpo_collect(iota_scan *s, iota_netexpo *x)
{
	memset(x, 0, sizeof *x);
	struct acc a = {x, 0};
	if (s->root)
		walk(&a, s->root, 0); /* the tree is in name order after the scan */
	if (a.oom) {
		iota_netexpo_free(x);
		return -1;
	}
	if (x->nsvc)
		qsort(x->svc, x->nsvc, sizeof *x->svc, svc_order);
	if (x->nep)
		qsort(x->ep, x->nep, sizeof *x->ep, ep_order);
	for (size_t i = 0; i < s->nfindings; i++) {
		const char *c = s->findings[i].check;
		if (!strncmp(c, "net.plaintext-", 14) || !strncmp(c, "svc.telnet", 10) ||
		    !strcmp(c, "svc.ftp") || !strcmp(c, "svc.tftp") || !strcmp(c, "svc.snmp") ||
		    !strcmp(c, "svc.snmp-community"))
			x->plaintext_findings++;
	}
	return 0;
}

void iota_netexpo_free(iota_netexpo *x)
{
	iota_free(x->svc);
	iota_free(x->ep);
	memset(x, 0, sizeof *x);
}
