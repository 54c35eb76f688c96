/*
 * Configuration: remote-login, web, MQTT, file-sharing and Wi-Fi settings
 * that weaken a device, and file-system hygiene.
 *
 * Formats (each parsed as its documentation defines it):
 *   sshd_config         sshd_config(5): "Keyword value", keywords case-
 *                       insensitive, the first value obtained wins, Match
 *                       blocks are conditional, Include pulls files in at its
 *                       place (Debian: sshd_config.d/NAME.conf before the rest)
 *   dropbear            dropbear(8) options -w (no root logins), -g (no root
 *                       password logins), -s (no password logins), -B (blank
 *                       passwords allowed), from the start commands recorded
 *                       by the services analyzer, etc/default/dropbear
 *                       DROPBEAR_EXTRA_ARGS, and OpenWrt UCI etc/config/dropbear
 *                       (PasswordAuth, RootPasswordAuth, RootLogin; each
 *                       defaults to on in OpenWrt's init script)
 *   UCI                 OpenWrt's "config TYPE [NAME]" / "option K V" /
 *                       "list K V" files (openwrt.org/docs/guide-user/base-system/uci)
 *   lighttpd.conf       dir-listing.activate / server.dir-listing, server.modules
 *                       (mod_cgi), ssl.engine (lighttpd configuration reference)
 *   nginx               autoindex on; listen ... [ssl]; ssl on (nginx docs)
 *   uhttpd              etc/config/uhttpd: listen_http, listen_https, cert, key
 *   boa.conf            Boa has no TLS support at all (Boa documentation)
 *   goahead             route.txt routes and their auth= (GoAhead 3+), recorded
 *   mosquitto.conf      mosquitto.conf(5): listener/port, allow_anonymous,
 *                       certfile/keyfile/psk_hint per listener
 *   smb.conf            smb.conf(5): guest ok / public, writable / read only,
 *                       map to guest, null passwords
 *   hostapd.conf        hostapd.conf (hostap project): wpa, wep_key0..3,
 *                       ieee8021x, wps_state, wpa_pairwise
 *   wpa_supplicant.conf network={ key_mgmt=NONE, wep_key0 }
 *   UCI wireless        wifi-device disabled, wifi-iface mode/encryption/disabled
 *   file system         mode bits (setuid/setgid, world-writable, sticky),
 *                       device nodes outside dev/, VCS directories, backup
 *                       copies of configuration files, ELF core files (e_type
 *                       ET_CORE, System V ABI) and build-host paths in ELF strings
 *
 * Check id                   STANDARDS.md §9
 *   cfg.ssh-root-login       C03 S03
 *   cfg.ssh-empty-passwords  C03
 *   cfg.ssh-weak-crypto      K05
 *   cfg.dropbear-root-login  C03 S03
 *   cfg.dropbear-blank-password C03
 *   cfg.web-dir-listing      S04
 *   cfg.web-no-tls           S02 K05
 *   cfg.mqtt-anonymous       S03 C03 C09
 *   cfg.mqtt-plaintext       S02 K05
 *   cfg.smb-guest            S03 C03
 *   cfg.smb-null-passwords   C03
 *   cfg.wifi-open            S09
 *   cfg.wifi-wep             S09 K05
 *   cfg.wifi-weak            S09 K05
 *   cfg.wifi-wps             S09
 *   cfg.setuid               H03
 *   cfg.world-writable       H03
 *   cfg.device-node          H03 S07
 *   cfg.vcs-leftover         S05 S04
 *   cfg.backup-file          S05 S04
 *   cfg.core-dump            S05 K08
 *   cfg.build-path           S04 S05
 *
 * Why by hand: each format is a few keywords in a line format; a general
 * configuration library (Augeas) needs its lens files at run time and
 * rejects a whole file for one line it cannot parse, while vendor files are
 * often edited by hand and must be read line by line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/textscan.h"
#include "core/analyzer.h"
#include "core/unpacker.h"
#include "util/alloc.h"
#include "util/reader.h"

#define MAX_TEXT    (4u << 20)
#define LINE_CAP    4096
#define MAX_HYGIENE 64 /* findings of one kind before a summary */

enum kind {
	K_NONE,
	K_SSHD,
	K_SSHD_DROPIN,
	K_UCI_DROPBEAR,
	K_DEFAULT_DROPBEAR,
	K_LIGHTTPD,
	K_NGINX,
	K_UHTTPD,
	K_BOA,
	K_GOAHEAD_ROUTE,
	K_MOSQUITTO,
	K_SMB,
	K_HOSTAPD,
	K_WPA,
	K_UCI_WIRELESS,
	K_ELF
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);
	return l >= k && !strcmp(s + l - k, suffix);
}

static bool documentation(const iota_node *n, const char *path)
{
	return iota_ts_in_docs(n) || iota_ts_path_within(path, "examples");
}

static enum kind classify(const iota_node *n, const uint8_t *head, size_t head_len)
{
	if (head_len >= 20 && !memcmp(head,
	                              "\x7f"
	                              "ELF",
	                              4))
		return K_ELF;
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, path, sizeof path) < 0 || documentation(n, path))
		return K_NONE;
	const char *name = n->name ? n->name : "";
	if (!strcmp(name, "sshd_config"))
		return K_SSHD;
	if (iota_ts_path_in(path, "sshd_config.d") && ends_with(name, ".conf"))
		return K_SSHD_DROPIN;
	if (iota_ts_path_is(path, "etc/config/dropbear"))
		return K_UCI_DROPBEAR;
	if (iota_ts_path_is(path, "etc/default/dropbear"))
		return K_DEFAULT_DROPBEAR;
	if (!strcmp(name, "lighttpd.conf") ||
	    (iota_ts_path_within(path, "lighttpd") && ends_with(name, ".conf")))
		return K_LIGHTTPD;
	if (!strcmp(name, "nginx.conf") ||
	    (iota_ts_path_within(path, "nginx") &&
	     (ends_with(name, ".conf") || iota_ts_path_in(path, "sites-enabled") ||
	      iota_ts_path_in(path, "sites-available"))))
		return K_NGINX;
	if (iota_ts_path_is(path, "etc/config/uhttpd"))
		return K_UHTTPD;
	if (!strcmp(name, "boa.conf"))
		return K_BOA;
	if (!strcmp(name, "route.txt") && iota_ts_istr(path, strlen(path), "goahead"))
		return K_GOAHEAD_ROUTE;
	if (!strcmp(name, "mosquitto.conf") ||
	    (iota_ts_path_in(path, "mosquitto/conf.d") && ends_with(name, ".conf")))
		return K_MOSQUITTO;
	if (!strcmp(name, "smb.conf"))
		return K_SMB;
	if (!strncmp(name, "hostapd", 7) && ends_with(name, ".conf"))
		return K_HOSTAPD;
	if (!strncmp(name, "wpa_supplicant", 14) && ends_with(name, ".conf"))
		return K_WPA;
	if (iota_ts_path_is(path, "etc/config/wireless"))
		return K_UCI_WIRELESS;
	return K_NONE;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	enum kind k = classify(n, head, head_len);
	if (k == K_NONE)
		return 0;
	return k == K_ELF || (n->size <= MAX_TEXT && iota_ts_is_text(head, head_len));
}

struct ctx {
	iota_scan *s;
	iota_node *n;
	char *line;
	iota_ts_split *sp;
};

static void emit(iota_scan *s, iota_node *n, const char *check, iota_severity sev, int conf,
                 uint32_t line, const char *msg, const char *ev)
{
	iota_finding_emit(s, &(iota_finding){.check = check,
	                                     .severity = sev,
	                                     .confidence = conf,
	                                     .node = n,
	                                     .offset = UINT64_MAX,
	                                     .line = line,
	                                     .message = msg,
	                                     .evidence = ev});
}

/* ---- sshd_config ---- */

static const char *const ssh_keys[] = {"permitrootlogin",
                                       "permitemptypasswords",
                                       "passwordauthentication",
                                       "kbdinteractiveauthentication",
                                       "challengeresponseauthentication",
                                       "protocol",
                                       "ciphers",
                                       "macs",
                                       "kexalgorithms",
                                       "port",
                                       "maxauthtries"};

/* Records "cfg.ssh.<keyword>" = "<line> <value>" for the first value of
 * each keyword of interest outside Match blocks, and the Include line. */
static void parse_sshd(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char key[64], val[512];
		if (!iota_ts_keyval(l, len, key, sizeof key, val, sizeof val))
			continue;
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!strcmp(key, "match")) {
			iota_node_attr(c->s, c->n, "cfg.ssh.match_line", "%u", it.no);
			return; /* the rest is conditional */
		}
		if (!strcmp(key, "include")) {
			if (!iota_node_attr_get(c->n, "cfg.ssh.include"))
				iota_node_attr(c->s, c->n, "cfg.ssh.include", "%u %s", it.no, val);
			continue;
		}
		for (size_t i = 0; i < sizeof ssh_keys / sizeof ssh_keys[0]; i++) {
			if (strcmp(key, ssh_keys[i]) != 0)
				continue;
			char akey[80];
			snprintf(akey, sizeof akey, "cfg.ssh.%s", key);
			if (!iota_node_attr_get(c->n, akey))
				iota_node_attr(c->s, c->n, akey, "%u %s", it.no, val);
		}
	}
}

/* ---- UCI ---- */

struct uci_opt {
	char key[48];
	char val[160];
	uint32_t line;
};

#define MAX_UCI_OPTS 48

struct uci_section {
	char type[48], name[64];
	uint32_t line;
	struct uci_opt opt[MAX_UCI_OPTS];
	int nopt;
};

static const char *uci_get(const struct uci_section *sec, const char *key, uint32_t *line)
{
	for (int i = 0; i < sec->nopt; i++)
		if (!strcmp(sec->opt[i].key, key)) {
			if (line)
				*line = sec->opt[i].line;
			return sec->opt[i].val;
		}
	return NULL;
}

/* Calls fn for every section of a UCI file (options and lists as key/value
 * pairs; a list key may repeat). */
static void uci_parse(struct ctx *c, const iota_blob *b,
                      void (*fn)(struct ctx *c, const struct uci_section *sec, void *arg),
                      void *arg)
{
	struct uci_section *sec = iota_calloc(1, sizeof *sec);
	if (!sec)
		return;
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool open = false;
	for (bool more = true; more;) {
		more = iota_ts_next_line(&it, &l, &len);
		int n = more ? iota_ts_shell_split(l, len, NULL, c->sp) : 0;
		iota_ts_cmd *cmd = n ? &c->sp->cmd[0] : NULL;
		if (!more || (cmd && !strcmp(cmd->argv[0], "config"))) {
			if (open)
				fn(c, sec, arg);
			memset(sec, 0, sizeof *sec);
			open = cmd != NULL;
			if (cmd) {
				sec->line = it.no;
				if (cmd->argc > 1)
					iota_ts_copy(sec->type, sizeof sec->type, cmd->argv[1]);
				if (cmd->argc > 2)
					iota_ts_copy(sec->name, sizeof sec->name, cmd->argv[2]);
			}
			continue;
		}
		if (!open || !cmd || cmd->argc < 3 ||
		    (strcmp(cmd->argv[0], "option") && strcmp(cmd->argv[0], "list")))
			continue;
		if (sec->nopt < MAX_UCI_OPTS) {
			struct uci_opt *o = &sec->opt[sec->nopt++];
			iota_ts_copy(o->key, sizeof o->key, cmd->argv[1]);
			iota_ts_copy(o->val, sizeof o->val, cmd->argv[2]);
			o->line = it.no;
		}
	}
	iota_free(sec);
}

/* OpenWrt's dropbear init script: booleans default to 1 (on). */
static bool uci_bool(const struct uci_section *sec, const char *key, bool dflt)
{
	const char *v = uci_get(sec, key, NULL);
	if (!v)
		return dflt;
	return iota_ts_truthy(v) ? true : iota_ts_falsy(v) ? false : dflt;
}

static void dropbear_section(struct ctx *c, const struct uci_section *sec, void *arg)
{
	(void)arg;
	if (strcmp(sec->type, "dropbear") != 0)
		return;
	iota_node_attr(c->s, c->n, "cfg.dropbear.uci", "yes");
	if (!uci_bool(sec, "enable", true))
		return;
	bool pw = uci_bool(sec, "PasswordAuth", true),
	     rootpw = uci_bool(sec, "RootPasswordAuth", true),
	     root = uci_bool(sec, "RootLogin", true);
	if (!(pw && rootpw && root))
		return;
	uint32_t line = sec->line, l2;
	if (uci_get(sec, "RootPasswordAuth", &l2))
		line = l2;
	const char *ifc = uci_get(sec, "Interface", NULL);
	const char *port = uci_get(sec, "Port", NULL);
	char msg[400], ev[200];
	snprintf(
	    msg, sizeof msg,
	    "dropbear lets root log in with a password (PasswordAuth and RootPasswordAuth on, "
	    "RootLogin not off) on port %s%s%s: a root password guessed or reused is a root shell",
	    port ? port : "22", ifc ? ", interface " : "", ifc ? ifc : "");
	snprintf(ev, sizeof ev, "PasswordAuth=%s RootPasswordAuth=%s RootLogin=%s",
	         uci_get(sec, "PasswordAuth", NULL) ? uci_get(sec, "PasswordAuth", NULL)
	                                            : "(default on)",
	         uci_get(sec, "RootPasswordAuth", NULL) ? uci_get(sec, "RootPasswordAuth", NULL)
	                                                : "(default on)",
	         uci_get(sec, "RootLogin", NULL) ? uci_get(sec, "RootLogin", NULL)
	                                         : "(default on)");
	emit(c->s, c->n, "cfg.dropbear-root-login", IOTA_SEV_MEDIUM, 90, line, msg, ev);
}

static void parse_default_dropbear(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char key[64], val[512];
		if (iota_ts_keyval(l, len, key, sizeof key, val, sizeof val) &&
		    !strcmp(key, "DROPBEAR_EXTRA_ARGS"))
			iota_node_attr(c->s, c->n, "cfg.dropbear.extra_args", "%s", val);
	}
}

/* ---- web servers ---- */

static void strip_hash_comment(char *s)
{
	char q = 0;
	for (char *p = s; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (*p == '#') {
			*p = '\0';
			return;
		}
	}
}

static void parse_lighttpd(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool in_modules = false;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP], ev[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		iota_ts_copy(ev, sizeof ev, buf);
		strip_hash_comment(buf);
		if (!buf[0])
			continue;
		if (strstr(buf, "server.modules"))
			in_modules = true;
		if (in_modules && strstr(buf, "\"mod_cgi\""))
			iota_node_attr(c->s, c->n, "cfg.lighttpd.mod_cgi", "yes");
		if (in_modules && strchr(buf, ')'))
			in_modules = false;
		char *eq = strchr(buf, '=');
		if (!eq || eq == buf)
			continue;
		char key[128], val[256];
		iota_ts_copy_trim(key, sizeof key, buf, (size_t)(eq - buf));
		size_t kl = strlen(key);
		if (kl && key[kl - 1] == '+')
			key[--kl] = '\0';
		iota_ts_trim(key);
		iota_ts_copy_trim(val, sizeof val, eq + 1, strlen(eq + 1));
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			memmove(val, val + 1, vl - 2);
			val[vl - 2] = '\0';
		}
		if ((!strcmp(key, "dir-listing.activate") || !strcmp(key, "server.dir-listing")) &&
		    (!strcmp(val, "enable") || !strcmp(val, "enabled")) &&
		    !iota_node_attr_get(c->n, "cfg.web.dir_listing"))
			iota_node_attr(c->s, c->n, "cfg.web.dir_listing", "%u %s", it.no, ev);
		else if (!strcmp(key, "ssl.engine") && !strcmp(val, "enable"))
			iota_node_attr(c->s, c->n, "cfg.web.tls", "yes");
		else if (!strcmp(key, "server.port"))
			iota_node_attr(c->s, c->n, "cfg.web.port", "%s", val);
	}
}

static void parse_nginx(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP], ev[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		iota_ts_copy(ev, sizeof ev, buf);
		strip_hash_comment(buf);
		/* directives end with ';' and may share a line */
		for (char *save = NULL, *d = strtok_r(buf, ";{}", &save); d;
		     d = strtok_r(NULL, ";{}", &save)) {
			if (iota_ts_shell_split(d, strlen(d), NULL, c->sp) < 1)
				continue;
			iota_ts_cmd *cmd = &c->sp->cmd[0];
			if (!strcmp(cmd->argv[0], "autoindex") && cmd->argc > 1 &&
			    !strcmp(cmd->argv[1], "on")) {
				if (!iota_node_attr_get(c->n, "cfg.web.dir_listing"))
					iota_node_attr(c->s, c->n, "cfg.web.dir_listing", "%u %s",
					               it.no, ev);
			} else if (!strcmp(cmd->argv[0], "listen") && cmd->argc > 1) {
				bool ssl = false;
				for (int i = 2; i < cmd->argc; i++)
					if (!strcmp(cmd->argv[i], "ssl") ||
					    !strcmp(cmd->argv[i], "quic"))
						ssl = true;
				if (!strncmp(cmd->argv[1], "unix:", 5))
					continue;
				if (ssl)
					iota_node_attr(c->s, c->n, "cfg.web.tls", "yes");
				else if (!iota_node_attr_get(c->n, "cfg.web.plain"))
					iota_node_attr(c->s, c->n, "cfg.web.plain",
					               "line %u: listen %s", it.no, cmd->argv[1]);
			} else if (!strcmp(cmd->argv[0], "ssl") && cmd->argc > 1 &&
			           !strcmp(cmd->argv[1], "on")) {
				iota_node_attr(c->s, c->n, "cfg.web.tls", "yes");
			}
		}
	}
}

static void uhttpd_section(struct ctx *c, const struct uci_section *sec, void *arg)
{
	(void)arg;
	if (strcmp(sec->type, "uhttpd") != 0)
		return;
	uint32_t line = 0;
	const char *http = uci_get(sec, "listen_http", &line);
	const char *https = uci_get(sec, "listen_https", NULL);
	if (https)
		iota_node_attr(c->s, c->n, "cfg.web.tls", "yes");
	if (!http || https)
		return;
	char msg[300], ev[200];
	snprintf(msg, sizeof msg,
	         "uhttpd instance %s listens on plain HTTP only (listen_http, no listen_https): "
	         "web-interface passwords and sessions cross the network in clear text",
	         sec->name[0] ? sec->name : "(unnamed)");
	snprintf(ev, sizeof ev, "list listen_http '%s'", http);
	emit(c->s, c->n, "cfg.web-no-tls", IOTA_SEV_MEDIUM, 90, line, msg, ev);
}

static void parse_boa(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	uint32_t port_line = 0;
	char port[32] = "80";
	while (iota_ts_next_line(&it, &l, &len)) {
		char key[64], val[256];
		if (!iota_ts_keyval(l, len, key, sizeof key, val, sizeof val))
			continue;
		if (!strcmp(key, "Port")) {
			iota_ts_copy(port, sizeof port, val);
			port_line = it.no;
		}
	}
	char msg[300], ev[64];
	snprintf(
	    msg, sizeof msg,
	    "Boa web server on port %s: Boa has no TLS support, so the web interface's passwords "
	    "and sessions cross the network in clear text",
	    port);
	snprintf(ev, sizeof ev, "Port %s", port);
	emit(c->s, c->n, "cfg.web-no-tls", IOTA_SEV_MEDIUM, 80, port_line, msg, ev);
}

/* GoAhead route.txt: "route uri=/x [auth=basic|digest|form] [handler=...]". */
static void parse_goahead_routes(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	int routes = 0;
	char unauth[512] = "";
	while (iota_ts_next_line(&it, &l, &len)) {
		if (iota_ts_shell_split(l, len, NULL, c->sp) < 1)
			continue;
		iota_ts_cmd *cmd = &c->sp->cmd[0];
		if (strcmp(cmd->argv[0], "route") != 0)
			continue;
		routes++;
		const char *uri = NULL, *handler = NULL;
		bool auth = false;
		for (int i = 1; i < cmd->argc; i++) {
			if (!strncmp(cmd->argv[i], "uri=", 4))
				uri = cmd->argv[i] + 4;
			else if (!strncmp(cmd->argv[i], "auth=", 5))
				auth = true;
			else if (!strncmp(cmd->argv[i], "handler=", 8))
				handler = cmd->argv[i] + 8;
		}
		if (uri && !auth && handler &&
		    (!strcmp(handler, "action") || !strcmp(handler, "cgi")))
			iota_ts_list_add(unauth, sizeof unauth, uri);
	}
	iota_node_attr(c->s, c->n, "cfg.goahead.routes", "%d", routes);
	if (unauth[0])
		iota_node_attr(c->s, c->n, "cfg.goahead.unauthenticated_handlers", "%s", unauth);
}

/* ---- mosquitto ---- */

struct listener {
	char port[16], bind[64];
	uint32_t line;
	bool tls, is_port; /* is_port: the default listener of "port N" */
};

static bool loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

static void parse_mosquitto(struct ctx *c, const iota_blob *b)
{
	enum { MAXL = 16 };
	struct listener ls[MAXL];
	int nl = 0;
	bool anon = false, global_bind = false;
	uint32_t anon_line = 0;
	char bind_address[64] = "";
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	struct listener *cur = NULL;
	struct listener dflt = {.port = "", .line = 0, .is_port = true};
	while (iota_ts_next_line(&it, &l, &len)) {
		if (iota_ts_shell_split(l, len, NULL, c->sp) < 1)
			continue;
		iota_ts_cmd *cmd = &c->sp->cmd[0];
		const char *k = cmd->argv[0], *v = cmd->argc > 1 ? cmd->argv[1] : "";
		if (!strcmp(k, "listener") && cmd->argc > 1 && nl < MAXL) {
			cur = &ls[nl++];
			memset(cur, 0, sizeof *cur);
			iota_ts_copy(cur->port, sizeof cur->port, v);
			if (cmd->argc > 2)
				iota_ts_copy(cur->bind, sizeof cur->bind, cmd->argv[2]);
			cur->line = it.no;
		} else if (!strcmp(k, "port") && cmd->argc > 1) {
			iota_ts_copy(dflt.port, sizeof dflt.port, v);
			dflt.line = it.no;
		} else if (!strcmp(k, "bind_address") && cmd->argc > 1) {
			iota_ts_copy(bind_address, sizeof bind_address, v);
			global_bind = true;
		} else if (!strcmp(k, "allow_anonymous")) {
			if (!strcmp(v, "true")) {
				anon = true;
				anon_line = it.no;
			} else {
				anon = false;
			}
		} else if (!strcmp(k, "certfile") || !strcmp(k, "psk_hint")) {
			if (cur)
				cur->tls = true;
			else
				dflt.tls = true;
		}
	}
	if (dflt.port[0] && nl < MAXL) {
		ls[nl] = dflt;
		if (global_bind)
			iota_ts_copy(ls[nl].bind, sizeof ls[nl].bind, bind_address);
		nl++;
	}
	bool all_local = nl > 0;
	for (int i = 0; i < nl; i++) {
		bool unix_sock = ls[i].bind[0] == '/' || !strcmp(ls[i].port, "0");
		bool local = unix_sock || (ls[i].bind[0] && loopback(ls[i].bind));
		if (!local)
			all_local = false;
		iota_ts_attr_series(c->s, c->n, "cfg.mqtt.listener", ls[i].port);
		if (local || ls[i].tls)
			continue;
		char msg[300], ev[96];
		snprintf(
		    msg, sizeof msg,
		    "MQTT listener on port %s%s%s without TLS (no certfile or psk_hint): messages "
		    "and client passwords cross the network in clear text",
		    ls[i].port, ls[i].bind[0] ? ", address " : "", ls[i].bind);
		snprintf(ev, sizeof ev, "%s %s%s%s", ls[i].is_port ? "port" : "listener",
		         ls[i].port, ls[i].bind[0] ? " " : "", ls[i].bind);
		emit(c->s, c->n, "cfg.mqtt-plaintext", IOTA_SEV_MEDIUM, 90, ls[i].line, msg, ev);
	}
	if (anon) {
		char msg[300];
		snprintf(
		    msg, sizeof msg,
		    "mosquitto accepts clients without a user name or password (allow_anonymous "
		    "true)%s: anyone who reaches the broker can read and publish messages",
		    all_local ? " on local listeners only" : "");
		emit(c->s, c->n, "cfg.mqtt-anonymous", all_local ? IOTA_SEV_LOW : IOTA_SEV_HIGH, 90,
		     anon_line, msg, "allow_anonymous true");
	}
}

/* ---- samba ---- */

struct smb_share {
	char name[64];
	uint32_t line, guest_line;
	int guest, writable; /* -1 unset */
};

static void smb_judge(struct ctx *c, const struct smb_share *sh, const struct smb_share *global)
{
	if (!sh->name[0] || !strcmp(sh->name, "global"))
		return;
	int guest = sh->guest >= 0 ? sh->guest : global->guest;
	int writable = sh->writable >= 0 ? sh->writable : global->writable;
	if (guest != 1)
		return;
	bool w = writable == 1;
	char msg[300], ev[160];
	snprintf(msg, sizeof msg, "Samba share [%s] allows guest access without a password%s",
	         sh->name,
	         w ? " and is writable: anyone on the network can change its files"
	           : ": anyone on the network can read it");
	snprintf(ev, sizeof ev, "[%s] guest ok = yes%s", sh->name, w ? ", writable" : "");
	emit(c->s, c->n, "cfg.smb-guest", w ? IOTA_SEV_HIGH : IOTA_SEV_MEDIUM, 90,
	     sh->guest_line ? sh->guest_line : sh->line, msg, ev);
}

static void parse_smb(struct ctx *c, const iota_blob *b)
{
	struct smb_share global = {.name = "global", .guest = -1, .writable = -1};
	struct smb_share cur = {.guest = -1, .writable = -1};
	bool in_global = false;
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!buf[0] || buf[0] == '#' || buf[0] == ';')
			continue;
		if (buf[0] == '[') {
			if (!in_global)
				smb_judge(c, &cur, &global);
			char *e = strchr(buf, ']');
			if (e)
				*e = '\0';
			memset(&cur, 0, sizeof cur);
			cur.guest = cur.writable = -1;
			iota_ts_copy(cur.name, sizeof cur.name, buf + 1);
			cur.line = it.no;
			in_global = !strcasecmp(cur.name, "global");
			continue;
		}
		char *eq = strchr(buf, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char key[64], val[160];
		size_t kl = 0;
		/* smb.conf ignores case and blanks in parameter names */
		for (const char *p = buf; *p && kl + 1 < sizeof key; p++)
			if (*p != ' ' && *p != '\t' && *p != '_')
				key[kl++] = (char)tolower((unsigned char)*p);
		key[kl] = '\0';
		iota_ts_copy_trim(val, sizeof val, eq + 1, strlen(eq + 1));
		struct smb_share *t = in_global ? &global : &cur;
		if (!strcmp(key, "guestok") || !strcmp(key, "public")) {
			t->guest = iota_ts_truthy(val) ? 1 : 0;
			t->guest_line = it.no;
		} else if (!strcmp(key, "writable") || !strcmp(key, "writeable") ||
		           !strcmp(key, "writeok")) {
			t->writable = iota_ts_truthy(val) ? 1 : 0;
		} else if (!strcmp(key, "readonly")) {
			t->writable = iota_ts_falsy(val) ? 1 : 0;
		} else if (in_global && !strcmp(key, "maptoguest")) {
			iota_node_attr(c->s, c->n, "cfg.smb.map_to_guest", "%s", val);
		} else if (in_global && !strcmp(key, "security")) {
			iota_node_attr(c->s, c->n, "cfg.smb.security", "%s", val);
		} else if (!strcmp(key, "nullpasswords") && iota_ts_truthy(val)) {
			emit(c->s, c->n, "cfg.smb-null-passwords", IOTA_SEV_HIGH, 90, it.no,
			     "Samba accepts accounts with empty passwords (null passwords = yes)",
			     "null passwords = yes");
		}
	}
	if (!in_global)
		smb_judge(c, &cur, &global);
}

/* ---- Wi-Fi ---- */

static void wifi_emit(struct ctx *c, const char *check, iota_severity sev, uint32_t line,
                      const char *what, const char *ssid, const char *ev)
{
	char msg[320];
	snprintf(msg, sizeof msg, "%s%s%s%s", what, ssid && ssid[0] ? " (SSID \"" : "",
	         ssid && ssid[0] ? ssid : "", ssid && ssid[0] ? "\")" : "");
	emit(c->s, c->n, check, sev, 90, line, msg, ev);
}

static void parse_hostapd(struct ctx *c, const iota_blob *b)
{
	char ssid[64] = "", wpa[8] = "", pairwise[64] = "", rsn_pairwise[64] = "", wps[8] = "",
	     ieee8021x[8] = "";
	bool wep = false, osen = false;
	uint32_t wpa_line = 0, wep_line = 0, wps_line = 0, ssid_line = 0;
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		char *eq = strchr(buf, '=');
		if (!buf[0] || buf[0] == '#' || !eq)
			continue;
		*eq = '\0';
		const char *k = buf, *v = eq + 1;
		if (!strcmp(k, "ssid")) {
			iota_ts_copy(ssid, sizeof ssid, v);
			ssid_line = it.no;
		} else if (!strcmp(k, "wpa")) {
			iota_ts_copy(wpa, sizeof wpa, v);
			wpa_line = it.no;
		} else if (!strncmp(k, "wep_key", 7) && strlen(k) == 8 && v[0]) {
			wep = true;
			wep_line = it.no;
		} else if (!strcmp(k, "wpa_pairwise")) {
			iota_ts_copy(pairwise, sizeof pairwise, v);
		} else if (!strcmp(k, "rsn_pairwise")) {
			iota_ts_copy(rsn_pairwise, sizeof rsn_pairwise, v);
		} else if (!strcmp(k, "wps_state")) {
			iota_ts_copy(wps, sizeof wps, v);
			wps_line = it.no;
		} else if (!strcmp(k, "ieee8021x")) {
			iota_ts_copy(ieee8021x, sizeof ieee8021x, v);
		} else if (!strcmp(k, "osen")) {
			osen = !strcmp(v, "1");
		}
	}
	if (!ssid[0])
		return; /* not an access point configuration */
	long wv = wpa[0] ? strtol(wpa, NULL, 10) : 0;
	if (wv == 0 && wep)
		wifi_emit(c, "cfg.wifi-wep", IOTA_SEV_MEDIUM, wep_line,
		          "hostapd protects the access point with WEP, which is broken: the key is "
		          "recovered from captured traffic",
		          ssid, "wep_key set, wpa unset");
	else if (wv == 0 && strcmp(ieee8021x, "1") != 0 && !osen)
		wifi_emit(
		    c, "cfg.wifi-open", IOTA_SEV_MEDIUM, wpa_line ? wpa_line : ssid_line,
		    "hostapd runs an open access point (no WPA, no WEP, no 802.1X): anyone in "
		    "range can join and read unencrypted traffic",
		    ssid, wpa[0] ? "wpa=0" : "no wpa= line");
	else if (wv == 1)
		wifi_emit(c, "cfg.wifi-weak", IOTA_SEV_LOW, wpa_line,
		          "hostapd allows only WPA1 (wpa=1), superseded by WPA2/WPA3", ssid,
		          "wpa=1");
	else if (wv & 2) {
		const char *p = rsn_pairwise[0] ? rsn_pairwise : pairwise;
		if (p[0] && strstr(p, "TKIP") && !strstr(p, "CCMP") && !strstr(p, "GCMP"))
			wifi_emit(c, "cfg.wifi-weak", IOTA_SEV_LOW, wpa_line,
			          "hostapd uses only the TKIP cipher, deprecated and weak", ssid,
			          p);
	}
	if (!strcmp(wps, "2"))
		wifi_emit(
		    c, "cfg.wifi-wps", IOTA_SEV_LOW, wps_line,
		    "hostapd enables WPS (wps_state=2): PIN-based enrolment can be brute-forced "
		    "where the PIN method is allowed",
		    ssid, "wps_state=2");
}

static void parse_wpa(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool in = false, none = false, wep = false;
	char ssid[64] = "";
	uint32_t start = 0;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!buf[0] || buf[0] == '#')
			continue;
		if (!strncmp(buf, "network", 7) && strchr(buf, '{')) {
			in = true;
			none = wep = false;
			ssid[0] = '\0';
			start = it.no;
			continue;
		}
		if (in && buf[0] == '}') {
			in = false;
			if (none)
				wifi_emit(
				    c, wep ? "cfg.wifi-wep" : "cfg.wifi-open", IOTA_SEV_LOW, start,
				    wep ? "wpa_supplicant joins a WEP network, which is broken"
				        : "wpa_supplicant joins an open network (key_mgmt=NONE): "
				          "its "
				          "traffic is not encrypted on the air",
				    ssid, wep ? "key_mgmt=NONE, wep_key set" : "key_mgmt=NONE");
			continue;
		}
		char *eq = strchr(buf, '=');
		if (!in || !eq)
			continue;
		*eq = '\0';
		char *v = eq + 1;
		if (!strcmp(buf, "key_mgmt"))
			none = !strcmp(v, "NONE");
		else if (!strncmp(buf, "wep_key", 7))
			wep = true;
		else if (!strcmp(buf, "ssid")) {
			size_t vl = strlen(v);
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				snprintf(ssid, sizeof ssid, "%.*s", (int)(vl - 2), v + 1);
			else
				iota_ts_copy(ssid, sizeof ssid, v);
		}
	}
}

struct wireless {
	char disabled_radios[256];
};

static void wireless_devices(struct ctx *c, const struct uci_section *sec, void *arg)
{
	(void)c;
	struct wireless *w = arg;
	if (!strcmp(sec->type, "wifi-device") && uci_bool(sec, "disabled", false))
		iota_ts_list_add(w->disabled_radios, sizeof w->disabled_radios, sec->name);
}

static bool in_list(const char *list, const char *item)
{
	char tmp[256];
	iota_ts_copy(tmp, sizeof tmp, list);
	for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, item))
			return true;
	return false;
}

static void wireless_ifaces(struct ctx *c, const struct uci_section *sec, void *arg)
{
	struct wireless *w = arg;
	if (strcmp(sec->type, "wifi-iface") != 0 || uci_bool(sec, "disabled", false))
		return;
	const char *dev = uci_get(sec, "device", NULL), *mode = uci_get(sec, "mode", NULL);
	if (dev && in_list(w->disabled_radios, dev))
		return;
	if (mode && strcmp(mode, "ap") != 0)
		return;
	uint32_t line = sec->line;
	const char *enc = uci_get(sec, "encryption", &line);
	const char *ssid = uci_get(sec, "ssid", NULL);
	char ev[200];
	snprintf(ev, sizeof ev, "option encryption '%s'", enc ? enc : "(unset: none)");
	if (!enc || !strcmp(enc, "none"))
		wifi_emit(
		    c, "cfg.wifi-open", IOTA_SEV_MEDIUM, line,
		    "the access point is open (UCI encryption none) on an enabled radio: anyone "
		    "in range can join and read unencrypted traffic",
		    ssid, ev);
	else if (!strncmp(enc, "wep", 3))
		wifi_emit(c, "cfg.wifi-wep", IOTA_SEV_MEDIUM, line,
		          "the access point uses WEP (UCI encryption wep), which is broken", ssid,
		          ev);
	else if (!strcmp(enc, "psk") || !strncmp(enc, "psk+", 4))
		wifi_emit(c, "cfg.wifi-weak", IOTA_SEV_LOW, line,
		          "the access point allows only WPA1 (UCI encryption psk)", ssid, ev);
}

/* ---- ELF: core files and build paths ---- */

struct bp {
	char found[512];
	int n;
};

static bool build_path(const char *s, size_t len, size_t off, void *arg)
{
	(void)off;
	struct bp *bp = arg;
	static const char *const pre[] = {"/home/", "/Users/"};
	for (size_t k = 0; k < 2; k++) {
		size_t pl = strlen(pre[k]);
		for (const char *p = s; p + pl < s + len; p++) {
			if (memcmp(p, pre[k], pl) != 0 || (p > s && isalnum((unsigned char)p[-1])))
				continue;
			const char *u = p + pl;
			size_t ul = 0;
			while (u + ul < s + len && (isalnum((unsigned char)u[ul]) || u[ul] == '_' ||
			                            u[ul] == '.' || u[ul] == '-'))
				ul++;
			if (ul < 2 || ul > 32 || u + ul >= s + len || u[ul] != '/')
				continue;
			/* a build tree: at least two directories below the home
			 * directory ("/home/user/hello.c" is an example in prose) */
			const char *rest = u + ul + 1;
			if (rest >= s + len ||
			    !(isalnum((unsigned char)*rest) || *rest == '_' || *rest == '.'))
				continue;
			int depth = 0;
			for (const char *q = rest; q < s + len && *q != ' ' && *q != '"'; q++)
				if (*q == '/')
					depth++;
			if (depth < 2)
				continue;
			char item[64];
			snprintf(item, sizeof item, "%.*s", (int)(pl + ul + 1), p);
			if (iota_ts_list_add(bp->found, sizeof bp->found, item))
				bp->n++;
			if (bp->n >= 8)
				return false;
		}
	}
	return true;
}

static void parse_elf(struct ctx *c, const iota_blob *b)
{
	uint8_t data;
	uint16_t type;
	if (!iota_ld_u8(b->data, b->len, 5, &data))
		return;
	bool ok = data == 2 ? iota_ld_u16be(b->data, b->len, 16, &type)
	                    : iota_ld_u16le(b->data, b->len, 16, &type);
	if (!ok)
		return;
	if (type == 4) { /* ET_CORE */
		char msg[300];
		snprintf(msg, sizeof msg,
		         "ELF core dump (%llu bytes): a process memory image, which can hold keys, "
		         "passwords and session data",
		         (unsigned long long)b->len);
		emit(c->s, c->n, "cfg.core-dump", IOTA_SEV_MEDIUM, 95, 0, msg, "e_type ET_CORE");
		return;
	}
	struct bp bp = {.n = 0};
	iota_ts_runs_with(b->data, b->len, "/home/", 8, build_path, &bp);
	if (bp.n < 8)
		iota_ts_runs_with(b->data, b->len, "/Users/", 8, build_path, &bp);
	if (!bp.found[0])
		return;
	iota_node_attr(c->s, c->n, "cfg.build_paths", "%s", bp.found);
	char msg[700];
	snprintf(msg, sizeof msg,
	         "binary names build-host directories (%s): the build environment's user names and "
	         "layout leak into the product",
	         bp.found);
	emit(c->s, c->n, "cfg.build-path", IOTA_SEV_INFO, 90, 0, msg, bp.found);
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	size_t head = b->len < IOTA_PROBE_HEAD ? b->len : IOTA_PROBE_HEAD;
	enum kind k = classify(n, b->data, head);
	struct ctx c = {.s = s, .n = n};
	c.sp = iota_malloc(sizeof *c.sp);
	if (!c.sp)
		return;
	switch (k) {
	case K_SSHD:
	case K_SSHD_DROPIN:
		parse_sshd(&c, b);
		break;
	case K_UCI_DROPBEAR:
		uci_parse(&c, b, dropbear_section, NULL);
		break;
	case K_DEFAULT_DROPBEAR:
		parse_default_dropbear(&c, b);
		break;
	case K_LIGHTTPD:
		parse_lighttpd(&c, b);
		break;
	case K_NGINX:
		parse_nginx(&c, b);
		break;
	case K_UHTTPD:
		uci_parse(&c, b, uhttpd_section, NULL);
		break;
	case K_BOA:
		parse_boa(&c, b);
		break;
	case K_GOAHEAD_ROUTE:
		parse_goahead_routes(&c, b);
		break;
	case K_MOSQUITTO:
		parse_mosquitto(&c, b);
		break;
	case K_SMB:
		parse_smb(&c, b);
		break;
	case K_HOSTAPD:
		parse_hostapd(&c, b);
		break;
	case K_WPA:
		parse_wpa(&c, b);
		break;
	case K_UCI_WIRELESS: {
		struct wireless w = {.disabled_radios = ""};
		uci_parse(&c, b, wireless_devices, &w);
		uci_parse(&c, b, wireless_ifaces, &w);
		break;
	}
	case K_ELF:
		parse_elf(&c, b);
		break;
	default:
		break;
	}
	iota_free(c.sp);
}

/* ---- whole tree ---- */

struct tree {
	iota_scan *s;
	iota_ts_split *sp;
	unsigned counts[4]; /* setuid, world-writable file, world-writable dir, device */
};

/* An sshd setting as recorded: "<line> <value>". */
struct setting {
	iota_node *node;
	uint32_t line;
	char value[256];
};

static bool get_setting(iota_node *n, const char *key, struct setting *out)
{
	char akey[80];
	snprintf(akey, sizeof akey, "cfg.ssh.%s", key);
	const char *v = iota_node_attr_get(n, akey);
	if (!v)
		return false;
	char *end;
	unsigned long line = strtoul(v, &end, 10);
	out->node = n;
	out->line = (uint32_t)line;
	iota_ts_copy(out->value, sizeof out->value, *end == ' ' ? end + 1 : end);
	return true;
}

/* The effective value of an sshd keyword: the first one sshd obtains, with
 * Include files read at the Include line (drop-ins in name order). */
static bool effective(iota_node *main, iota_node *dropdir, const char *key, struct setting *out)
{
	const char *inc = iota_node_attr_get(main, "cfg.ssh.include");
	unsigned long inc_line = inc ? strtoul(inc, NULL, 10) : 0;
	struct setting m;
	bool have_main = get_setting(main, key, &m);
	if (have_main && (!inc || m.line < inc_line)) {
		*out = m;
		return true;
	}
	if (inc && dropdir && strstr(inc, "sshd_config.d"))
		for (iota_node *d = dropdir->first_child; d; d = d->next_sibling)
			if (d->kind == IOTA_NODE_FILE && ends_with(d->name, ".conf") &&
			    get_setting(d, key, out))
				return true;
	if (have_main) {
		*out = m;
		return true;
	}
	return false;
}

static bool weak_algo(const char *list, char *found, size_t cap)
{
	static const char *const weak[] = {"arcfour",
	                                   "3des-cbc",
	                                   "blowfish-cbc",
	                                   "cast128-cbc",
	                                   "aes128-cbc",
	                                   "aes192-cbc",
	                                   "aes256-cbc",
	                                   "des-cbc",
	                                   "hmac-md5",
	                                   "hmac-sha1-96",
	                                   "umac-64",
	                                   "diffie-hellman-group1-sha1",
	                                   "diffie-hellman-group-exchange-sha1"};
	char tmp[256];
	iota_ts_copy(tmp, sizeof tmp, list);
	found[0] = '\0';
	for (char *save = NULL, *a = strtok_r(tmp, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		while (*a == '+' || *a == '^')
			a++;
		if (*a == '-')
			continue; /* removed from the defaults */
		for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++)
			if (!strncmp(a, weak[i], strlen(weak[i])))
				iota_ts_list_add(found, cap, a);
	}
	return found[0] != '\0';
}

static void judge_sshd(struct tree *t, iota_node *main)
{
	iota_scan *s = t->s;
	iota_node *dropdir =
	    main->parent ? iota_vfs_child(s, main->parent, "sshd_config.d", 13) : NULL;
	struct setting v;
	bool password = true;
	if (effective(main, dropdir, "passwordauthentication", &v) && iota_ts_falsy(v.value))
		password = false;
	iota_node_attr(s, main, "cfg.ssh.password_auth", "%s", password ? "yes" : "no");
	char msg[400], ev[300];
	if (effective(main, dropdir, "permitrootlogin", &v) && !strcasecmp(v.value, "yes")) {
		snprintf(msg, sizeof msg, "sshd permits root logins (PermitRootLogin yes)%s",
		         password
		             ? " with a password (PasswordAuthentication is not off): a guessed or "
		               "reused root password is a root shell"
		             : "; passwords are off, keys still allow it");
		snprintf(ev, sizeof ev, "PermitRootLogin %s", v.value);
		emit(s, v.node, "cfg.ssh-root-login", password ? IOTA_SEV_MEDIUM : IOTA_SEV_LOW, 90,
		     v.line, msg, ev);
	}
	if (effective(main, dropdir, "permitemptypasswords", &v) && iota_ts_truthy(v.value) &&
	    password) {
		snprintf(ev, sizeof ev, "PermitEmptyPasswords %s", v.value);
		emit(s, v.node, "cfg.ssh-empty-passwords", IOTA_SEV_HIGH, 90, v.line,
		     "sshd accepts accounts with empty passwords (PermitEmptyPasswords yes)", ev);
	}
	if (effective(main, dropdir, "protocol", &v) && strchr(v.value, '1')) {
		snprintf(ev, sizeof ev, "Protocol %s", v.value);
		emit(s, v.node, "cfg.ssh-weak-crypto", IOTA_SEV_MEDIUM, 80, v.line,
		     "sshd is configured for SSH protocol 1, which is broken (older OpenSSH "
		     "honours it)",
		     ev);
	}
	static const char *const algos[] = {"ciphers", "macs", "kexalgorithms"};
	for (size_t i = 0; i < 3; i++) {
		char found[200];
		if (effective(main, dropdir, algos[i], &v) &&
		    weak_algo(v.value, found, sizeof found)) {
			snprintf(msg, sizeof msg, "sshd enables weak algorithms in %s: %s",
			         algos[i], found);
			snprintf(ev, sizeof ev, "%s %s", algos[i], v.value);
			emit(s, v.node, "cfg.ssh-weak-crypto", IOTA_SEV_LOW, 90, v.line, msg, ev);
		}
	}
}

/* dropbear started from a script: its flags decide (unless UCI does). */
static void judge_dropbear(struct tree *t, iota_node *n)
{
	iota_scan *s = t->s;
	iota_node *root = iota_ts_fs_root(s, n);
	iota_node *uci = root ? iota_ts_lookup(s, root, root, "etc/config/dropbear", true) : NULL;
	if (uci && iota_node_attr_get(uci, "cfg.dropbear.uci"))
		return; /* OpenWrt: the UCI file was judged */
	iota_node *dflt = root ? iota_ts_lookup(s, root, root, "etc/default/dropbear", true) : NULL;
	const char *extra = dflt ? iota_node_attr_get(dflt, "cfg.dropbear.extra_args") : NULL;
	for (const iota_attr *a = n->attrs; a; a = a->next) {
		if (strncmp(a->key, "svc.start.", 10) != 0)
			continue;
		unsigned line = 0;
		char via[96];
		int off = 0;
		if (sscanf(a->value, "line %u, %95[^:]: %n", &line, via, &off) < 2 || off <= 0)
			continue;
		const char *cmdstr = a->value + off;
		char full[1200];
		iota_ts_copy(full, sizeof full, cmdstr);
		bool unresolved = false;
		if (iota_ts_shell_split(full, strlen(full), NULL, t->sp) < 1)
			continue;
		iota_ts_cmd *cmd = &t->sp->cmd[0];
		if (strcmp(iota_ts_basename(cmd->argv[0]), "dropbear") != 0)
			continue;
		bool w = false, g = false, sflag = false, blank = false, uses_extra = false;
		for (int i = 1; i < cmd->argc; i++) {
			const char *x = cmd->argv[i];
			if (strstr(x, "DROPBEAR_EXTRA_ARGS"))
				uses_extra = true;
			else if (cmd->dynamic[i])
				unresolved = true;
			if (x[0] != '-' || x[1] == '-')
				continue;
			/* clustered flags; options taking a value end the cluster */
			for (const char *p = x + 1; *p; p++) {
				if (strchr("bcdGKpPrTWI", *p))
					break;
				w |= *p == 'w';
				g |= *p == 'g';
				sflag |= *p == 's';
				blank |= *p == 'B';
			}
		}
		if (uses_extra && extra) {
			char e[512];
			snprintf(e, sizeof e, " %s ", extra);
			w |= strstr(e, " -w") != NULL;
			g |= strstr(e, " -g") != NULL;
			sflag |= strstr(e, " -s") != NULL;
			blank |= strstr(e, " -B") != NULL;
		} else if (uses_extra) {
			unresolved = true;
		}
		int conf = unresolved ? 60 : 85;
		char msg[400];
		if (blank) {
			snprintf(msg, sizeof msg,
			         "dropbear is started (%s) with -B: accounts with blank passwords "
			         "can log in",
			         via);
			emit(s, n, "cfg.dropbear-blank-password", IOTA_SEV_HIGH, conf, line, msg,
			     cmdstr);
		}
		if (!w && !g && !sflag) {
			snprintf(
			    msg, sizeof msg,
			    "dropbear is started (%s) without -w, -g or -s: root may log in with a "
			    "password%s",
			    via,
			    unresolved ? " (some arguments come from variables not seen)" : "");
			emit(s, n, "cfg.dropbear-root-login", IOTA_SEV_MEDIUM, conf, line, msg,
			     cmdstr);
		}
	}
}

/* Debian-style "X-available" directories hold configuration that is only
 * read when "X-enabled" has an entry (a link) of the same name. */
static bool active_conf(iota_scan *s, iota_node *n)
{
	iota_node *dir = n->parent;
	if (!dir || !dir->name || !ends_with(dir->name, "-available") || !dir->parent)
		return true;
	char en[IOTA_MAX_NAME + 1];
	size_t bl = strlen(dir->name) - strlen("-available");
	snprintf(en, sizeof en, "%.*s-enabled", (int)bl, dir->name);
	iota_node *enabled = iota_vfs_child(s, dir->parent, en, strlen(en));
	return enabled && iota_vfs_child(s, enabled, n->name, strlen(n->name)) != NULL;
}

static bool subtree_has_attr(iota_scan *s, iota_node *n, const char *key, unsigned depth)
{
	if (depth > 64)
		return false;
	for (iota_node *c = n->first_child; c; c = c->next_sibling) {
		if (c->kind == IOTA_NODE_FILE && iota_node_attr_get(c, key) && active_conf(s, c))
			return true;
		if (c->kind == IOTA_NODE_DIR && subtree_has_attr(s, c, key, depth + 1))
			return true;
	}
	return false;
}

static void judge_web_tls(struct tree *t, iota_node *n, const char *server)
{
	iota_node *dir = n->parent;
	if (!dir || subtree_has_attr(t->s, dir, "cfg.web.tls", 0))
		return;
	bool nginx = !strcmp(server, "nginx");
	if (nginx && !subtree_has_attr(t->s, dir, "cfg.web.plain", 0))
		return;
	char msg[300];
	snprintf(msg, sizeof msg,
	         "%s is configured without TLS anywhere in its active configuration: the web "
	         "interface's passwords and sessions cross the network in clear text",
	         server);
	emit(t->s, n, "cfg.web-no-tls", IOTA_SEV_MEDIUM, 80, 0, msg,
	     nginx ? "no listen ... ssl" : "no ssl.engine = \"enable\"");
}

static void judge_dir_listing(struct tree *t, iota_node *n, const char *v)
{
	if (!active_conf(t->s, n))
		return;
	char *end;
	unsigned long line = strtoul(v, &end, 10);
	char path[IOTA_MAX_PATH], msg[300];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		path[0] = '\0';
	snprintf(msg, sizeof msg,
	         "%s generates directory listings: every file under the served directories can be "
	         "found and fetched",
	         iota_ts_path_within(path, "nginx") || !strcmp(n->name, "nginx.conf")
	             ? "nginx (autoindex on)"
	             : "lighttpd");
	emit(t->s, n, "cfg.web-dir-listing", IOTA_SEV_MEDIUM, 90, (uint32_t)line, msg,
	     *end == ' ' ? end + 1 : end);
}

static bool has_dev_ancestor(const iota_node *n)
{
	for (const iota_node *a = n->parent; a && a->kind != IOTA_NODE_CONTAINER; a = a->parent)
		if (a->name && !strcmp(a->name, "dev"))
			return true;
	return false;
}

static const char *const expected_suid[] = {"su",
                                            "sudo",
                                            "passwd",
                                            "ping",
                                            "ping6",
                                            "mount",
                                            "umount",
                                            "chsh",
                                            "chfn",
                                            "newgrp",
                                            "gpasswd",
                                            "pkexec",
                                            "fusermount",
                                            "fusermount3",
                                            "ssh-keysign",
                                            "dbus-daemon-launch-helper",
                                            "Xorg.wrap",
                                            "unix_chkpwd",
                                            "crontab",
                                            "ssh-agent",
                                            "expiry",
                                            "chage",
                                            "wall",
                                            "write",
                                            "at",
                                            "traceroute6.iputils",
                                            "polkit-agent-helper-1"};

static bool expected(const char *name)
{
	for (size_t i = 0; i < sizeof expected_suid / sizeof expected_suid[0]; i++)
		if (!strcmp(name, expected_suid[i]))
			return true;
	return false;
}

static bool backup_name(const char *name)
{
	static const char *const suffix[] = {".orig", ".bak",   ".old",      ".save",
	                                     ".swp",  "~",      ".dpkg-old", ".dpkg-dist",
	                                     ".rej",  ".backup"};
	static const char *const standard[] = {"passwd-", "shadow-", "group-", "gshadow-"};
	for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
		if (!strcmp(name, standard[i]))
			return false;
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++)
		if (ends_with(name, suffix[i]) && strlen(name) > strlen(suffix[i]))
			return true;
	return false;
}

/* Mode bits matter where a file system applies them; the members of zip
 * or 7z archives (a .jar, an .apk) carry modes nobody installs. */
static bool fs_modes(const iota_node *n)
{
	if (!n->container || !n->container->fmt)
		return false;
	static const char *const archives[] = {"zip", "7z", "arj", "rar", "cab"};
	for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++)
		if (!strcmp(n->container->fmt->name, archives[i]))
			return false;
	return true;
}

static void hygiene(struct tree *t, iota_node *n)
{
	iota_scan *s = t->s;
	if (!(atomic_load(&n->flags) & IOTA_NF_HAS_META) || !fs_modes(n))
		return;
	char path[IOTA_MAX_PATH], msg[512];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		return;
	if (n->kind == IOTA_NODE_FILE && (n->mode & 06000)) {
		bool suid = n->mode & 04000;
		bool root_owned = suid ? n->uid == 0 : n->gid == 0;
		iota_severity sev = !expected(n->name) && root_owned ? IOTA_SEV_LOW : IOTA_SEV_INFO;
		iota_node_attr(s, n, "cfg.setid", "%s%s uid %u gid %u", suid ? "setuid" : "",
		               (n->mode & 02000) ? (suid ? "+setgid" : "setgid") : "", n->uid,
		               n->gid);
		if (t->counts[0]++ < MAX_HYGIENE) {
			snprintf(msg, sizeof msg,
			         "%s%s file owned by uid %u gid %u (mode %04o): it runs with its "
			         "owner's "
			         "privileges for any user%s",
			         suid ? "setuid" : "setgid",
			         (suid && (n->mode & 02000)) ? "+setgid" : "", n->uid, n->gid,
			         n->mode & 07777,
			         expected(n->name) ? " (a program that usually needs it)" : "");
			emit(s, n, "cfg.setuid", sev, 95, 0, msg, NULL);
		}
	}
	if (n->kind == IOTA_NODE_FILE && (n->mode & 0002)) {
		iota_node_attr(s, n, "cfg.world_writable", "yes");
		if (t->counts[1]++ < MAX_HYGIENE) {
			snprintf(msg, sizeof msg,
			         "world-writable file (mode %04o): any local user or process can "
			         "change it",
			         n->mode & 07777);
			emit(s, n, "cfg.world-writable", IOTA_SEV_LOW, 95, 0, msg, NULL);
		}
	}
	if (n->kind == IOTA_NODE_DIR && (n->mode & 0002) && !(n->mode & 01000)) {
		iota_node_attr(s, n, "cfg.world_writable", "yes");
		if (t->counts[2]++ < MAX_HYGIENE) {
			snprintf(msg, sizeof msg,
			         "world-writable directory without the sticky bit (mode %04o): "
			         "anyone can "
			         "delete or replace the files in it",
			         n->mode & 07777);
			emit(s, n, "cfg.world-writable", IOTA_SEV_MEDIUM, 95, 0, msg, NULL);
		}
	}
	if ((n->kind == IOTA_NODE_CHR || n->kind == IOTA_NODE_BLK) && !has_dev_ancestor(n) &&
	    t->counts[3]++ < MAX_HYGIENE) {
		snprintf(
		    msg, sizeof msg,
		    "%s device node %u:%u outside /dev (mode %04o): a second door to the device, "
		    "outside the permissions kept for /dev",
		    n->kind == IOTA_NODE_CHR ? "character" : "block", n->dev_major, n->dev_minor,
		    n->mode & 07777);
		emit(s, n, "cfg.device-node", IOTA_SEV_LOW, 90, 0, msg, NULL);
	}
}

static void tree_node(iota_node *n, void *arg)
{
	struct tree *t = arg;
	iota_scan *s = t->s;
	hygiene(t, n);
	const char *name = n->name ? n->name : "";
	if (n->kind == IOTA_NODE_DIR && (!strcmp(name, ".git") || !strcmp(name, ".svn") ||
	                                 !strcmp(name, ".hg") || !strcmp(name, "CVS"))) {
		char path[IOTA_MAX_PATH], msg[300];
		if (iota_node_inner_path(n, path, sizeof path) < 0)
			path[0] = '\0';
		bool web = iota_ts_path_within(path, "www") ||
		           iota_ts_path_within(path, "htdocs") || iota_ts_path_within(path, "html");
		snprintf(msg, sizeof msg,
		         "version-control directory %s left in the image%s: source history, and "
		         "sometimes credentials, ship with the product",
		         name, web ? " inside a web root, where it can be downloaded" : "");
		emit(s, n, "cfg.vcs-leftover", web ? IOTA_SEV_MEDIUM : IOTA_SEV_LOW, 95, 0, msg,
		     path);
		return;
	}
	if (n->kind != IOTA_NODE_FILE)
		return;
	if (backup_name(name) && n->container) {
		char path[IOTA_MAX_PATH];
		if (iota_node_inner_path(n, path, sizeof path) >= 0 &&
		    (iota_ts_path_within(path, "etc") || iota_ts_path_within(path, "www")) &&
		    !documentation(n, path)) {
			char msg[300];
			snprintf(
			    msg, sizeof msg,
			    "backup or editor copy of a configuration file (%s): an older state, "
			    "possibly with other secrets, left in the image",
			    name);
			emit(s, n, "cfg.backup-file", IOTA_SEV_LOW, 85, 0, msg, path);
		}
	}
	if (!strcmp(name, "sshd_config"))
		judge_sshd(t, n);
	const char *dl = iota_node_attr_get(n, "cfg.web.dir_listing");
	if (dl)
		judge_dir_listing(t, n, dl);
	if (!strcmp(name, "lighttpd.conf"))
		judge_web_tls(t, n, "lighttpd");
	if (!strcmp(name, "nginx.conf"))
		judge_web_tls(t, n, "nginx");
	for (const iota_attr *a = n->attrs; a; a = a->next)
		if (!strncmp(a->key, "svc.start.", 10) && strstr(a->value, "dropbear")) {
			judge_dropbear(t, n);
			break;
		}
}

static void run_tree(iota_scan *s)
{
	struct tree t = {.s = s, .sp = iota_malloc(sizeof(iota_ts_split))};
	if (!t.sp)
		return;
	iota_ts_walk(s->root, tree_node, &t);
	static const char *const what[] = {"setuid/setgid files", "world-writable files",
	                                   "world-writable directories",
	                                   "device nodes outside /dev"};
	for (int i = 0; i < 4; i++)
		if (t.counts[i] > MAX_HYGIENE)
			iota_finding_add(s,
			                 i == 0   ? "cfg.setuid"
			                 : i == 3 ? "cfg.device-node"
			                          : "cfg.world-writable",
			                 IOTA_SEV_INFO, NULL, UINT64_MAX,
			                 "%u %s in all; only the first %d are listed", t.counts[i],
			                 what[i], MAX_HYGIENE);
	iota_free(t.sp);
}

const iota_analyzer iota_analyzer_config = {
    .name = "config",
    .description =
        "SSH, web, MQTT, Samba and Wi-Fi settings; setuid, world-writable and leftover files",
    .wants = wants,
    .run_file = run_file,
    .run_tree = run_tree,
};
