/*
 * The network exposure of a scanned image, gathered from what the analyzers
 * recorded (shared by the MUD writer and the text report's "Network
 * exposure" section):
 *
 *   services   programs the image starts (attributes svc.started_by and
 *              svc.args of the services analyzer on the binary's node) with
 *              the ports they listen on: from their arguments where the
 *              program takes a port option ("dropbear -p 2222", "tcpsvd 0
 *              21 ftpd"), else the program's documented default port
 *              (daemon_ports[] in netexposure.c). Programs with no known
 *              port are listed by name (unknown_ports).
 *   endpoints  remote hosts the image talks to (the endpoints analyzer's
 *              net.url.<scheme>, net.host "host:port" and public net.ipv4
 *              attributes), with protocol and port (the URL's, or the
 *              scheme's default). Private, loopback and link-local
 *              addresses are the device's own network, not endpoints.
 *              URLs found in shared libraries serve their callers and are
 *              left out.
 *   plaintext  the clear-text findings (net.plaintext-*, svc.telnet*,
 *              svc.ftp, svc.tftp, svc.snmp).
 *
 * Everything is sorted and unique, so output built on it is deterministic.
 */
#ifndef IOTA_REPORT_NETEXPOSURE_H
#define IOTA_REPORT_NETEXPOSURE_H

#include <stddef.h>

#include "core/scan.h"

enum { IOTA_NET_TCP = 6, IOTA_NET_UDP = 17 };

typedef struct iota_netsvc {
	char program[64]; /* "dropbear" */
	char path[256];   /* where it is: "usr/sbin/dropbear" */
	int proto;        /* IOTA_NET_TCP / IOTA_NET_UDP */
	unsigned port;
	char basis[96]; /* "argument -p 2222" or "default port of dropbear" */
} iota_netsvc;

typedef struct iota_netep {
	char host[256]; /* a DNS name or an IPv4 address */
	int is_ip;
	int proto;
	unsigned port;
	char scheme[16]; /* "https", "mqtt", "host" (a bare host:port) */
	int plaintext;   /* the scheme sends clear text */
	char seen[256];  /* the first file that names it */
} iota_netep;

typedef struct iota_netexpo {
	iota_netsvc *svc;
	size_t nsvc;
	iota_netep *ep;
	size_t nep;
	char unknown_ports[512]; /* started programs with no known port: "vendord,foo" */
	char hosts_without_port[512];
	size_t plaintext_findings;
} iota_netexpo;

/* Gathers the exposure of a finished scan. 0, or -1 out of memory. */
int iota_netexpo_collect(iota_scan *s, iota_netexpo *x);
void iota_netexpo_free(iota_netexpo *x);

const char *iota_net_proto_name(int proto); /* "tcp" / "udp" */

#endif
