/*
 * Services and exposure: which programs the image starts, how, with which
 * arguments, and which of them open a door.
 *
 * Sources read (each parsed in its own format, never executed):
 *   etc/inittab        sysvinit inittab(5) "id:runlevels:action:process" and
 *                      BusyBox init's variant (examples/inittab in BusyBox:
 *                      id = the tty, empty = console; runlevels ignored;
 *                      a leading '-' asks for a login shell); procd's
 *                      askconsole/respawnlate actions
 *   init scripts       etc/init.d/NAME, etc/rc.d/NAME, rcS, rc.local: POSIX shell
 *                      (see textscan.h), with start-stop-daemon(8)
 *                      "--start --exec X -- ARGS", OpenWrt procd
 *                      "procd_set_param command X ARGS" (procd init
 *                      scripts, openwrt.org/docs/guide-developer/procd-init-scripts),
 *                      the legacy "service_start X ARGS", BusyBox tcpsvd/udpsvd
 *   systemd units      systemd.service(5) ExecStart=, systemd.socket(5)
 *                      ListenStream=/ListenDatagram=/Accept=
 *   etc/inetd.conf     inetd(8) "service socket proto wait user server args"
 *   etc/xinetd.d/NAME  xinetd.conf(5) "service NAME { attr = value }"
 *   crontabs           crontab(5): user crontabs and system ones with a user field
 *   snmpd.conf         snmpd.conf(5) rocommunity/rwcommunity(6), com2sec; the
 *                      OpenWrt UCI files etc/config/snmpd and etc/config/mini_snmpd
 *
 * Per file (run_file) every start is recorded on the file that makes it as
 * attribute series "svc.start.NN" = "line L, VIA: COMMAND"; serial-console
 * and SNMP findings are emitted there with their line. The whole-tree pass
 * resolves each started program in the same file system (attribute
 * "svc.started_by"/"svc.args" on the binary's node, and "svc.listening" on
 * the file that runs when the program is a network server), works out whether the
 * init script is enabled (rc.d links, systemd *.wants) and emits the
 * service findings.
 *
 * Check id                 STANDARDS.md §9
 *   svc.telnet             S02 S01
 *   svc.telnet-noauth      S02 C03 C02 S06
 *   svc.ftp                S02
 *   svc.tftp               S02 S03
 *   svc.upnp               S02 S03 S08
 *   svc.snmp               S01 S02
 *   svc.snmp-community     S02 K05 C01 C02
 *   svc.nc-shell           S05 C02 C03
 *   svc.debug-daemon       S05 S06
 *   svc.rsh                S02 C03
 *   svc.console-shell      S06 C03
 *   svc.console-autologin  S06 C03
 *   svc.ssh                S01 (info; the configuration analyzer judges its options)
 *
 * Why by hand: these are small line formats; a general configuration
 * library (Augeas) needs its lens files at run time and rejects a whole file
 * for one line it cannot parse, while a scan must read damaged and
 * vendor-edited files line by line and never run the shell it reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/textscan.h"
#include "core/analyzer.h"
#include "util/alloc.h"

#define MAX_TEXT (4u << 20)
#define LINE_CAP 4096

enum kind {
	K_NONE,
	K_INITTAB,
	K_SCRIPT,
	K_SYSTEMD,
	K_INETD,
	K_XINETD,
	K_CRON,
	K_CRON_SYS,
	K_SNMPD,
	K_UCI_SNMPD,
	K_UCI_MINISNMPD
};

enum cls {
	C_OTHER,
	C_TELNET,
	C_FTP,
	C_TFTP,
	C_UPNP,
	C_SNMP,
	C_NETCAT,
	C_SOCAT,
	C_DEBUG,
	C_RSH,
	C_SSH,
	C_WEB,
	C_MQTT,
	C_SMB,
	C_SUPER,
	C_GETTY
};

/* clang-format off */
static const struct {
	const char *name;
	enum cls cls;
} daemons[] = {
	{"telnetd", C_TELNET},     {"utelnetd", C_TELNET},     {"in.telnetd", C_TELNET},
	{"ftpd", C_FTP},           {"vsftpd", C_FTP},          {"proftpd", C_FTP},
	{"pure-ftpd", C_FTP},      {"bftpd", C_FTP},           {"in.ftpd", C_FTP},
	{"uftpd", C_FTP},          {"stupid-ftpd", C_FTP},     {"wu-ftpd", C_FTP},
	{"tftpd", C_TFTP},         {"in.tftpd", C_TFTP},       {"atftpd", C_TFTP},
	{"opentftpd", C_TFTP},     {"miniupnpd", C_UPNP},      {"upnpd", C_UPNP},
	{"snmpd", C_SNMP},         {"mini_snmpd", C_SNMP},     {"bsnmpd", C_SNMP},
	{"nc", C_NETCAT},          {"netcat", C_NETCAT},       {"ncat", C_NETCAT},
	{"nc.traditional", C_NETCAT}, {"nc.openbsd", C_NETCAT}, {"socat", C_SOCAT},
	{"gdbserver", C_DEBUG},    {"adbd", C_DEBUG},          {"rshd", C_RSH},
	{"in.rshd", C_RSH},        {"rlogind", C_RSH},         {"in.rlogind", C_RSH},
	{"rexecd", C_RSH},         {"in.rexecd", C_RSH},       {"dropbear", C_SSH},
	{"sshd", C_SSH},           {"httpd", C_WEB},           {"lighttpd", C_WEB},
	{"nginx", C_WEB},          {"uhttpd", C_WEB},          {"boa", C_WEB},
	{"goahead", C_WEB},        {"mini_httpd", C_WEB},      {"thttpd", C_WEB},
	{"webs", C_WEB},           {"apache2", C_WEB},         {"mosquitto", C_MQTT},
	{"smbd", C_SMB},           {"nmbd", C_SMB},            {"inetd", C_SUPER},
	{"xinetd", C_SUPER},       {"tcpsvd", C_SUPER},        {"udpsvd", C_SUPER},
	{"getty", C_GETTY},        {"agetty", C_GETTY},        {"mingetty", C_GETTY},
	{"dnsmasq", C_OTHER},      {"hostapd", C_OTHER},       {"wpa_supplicant", C_OTHER},
	{"avahi-daemon", C_OTHER}, {"mdnsd", C_OTHER},         {"lldpd", C_OTHER},
	{"ntpd", C_OTHER},         {"udhcpd", C_OTHER},        {"odhcpd", C_OTHER},
	{"syslogd", C_OTHER},      {"crond", C_OTHER},         {"minidlna", C_OTHER},
	{"cupsd", C_OTHER},        {"rpcbind", C_OTHER},       {"portmap", C_OTHER},
	{"mountd", C_OTHER},       {"nfsd", C_OTHER},          {"rsyncd", C_OTHER},
};
/* clang-format on */

static bool lookup_daemon(const char *base, enum cls *cls)
{
	for (size_t i = 0; i < sizeof daemons / sizeof daemons[0]; i++)
		if (strcmp(daemons[i].name, base) == 0) {
			*cls = daemons[i].cls;
			return true;
		}
	return false;
}

static enum kind classify(const iota_node *n)
{
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		return K_NONE;
	const char *name = n->name ? n->name : "";
	if (iota_ts_path_is(path, "etc/inittab"))
		return K_INITTAB;
	if (iota_ts_path_is(path, "etc/inetd.conf"))
		return K_INETD;
	if (iota_ts_path_in(path, "etc/xinetd.d") || iota_ts_path_is(path, "etc/xinetd.conf"))
		return K_XINETD;
	if (iota_ts_path_is(path, "etc/crontab") || iota_ts_path_in(path, "etc/cron.d"))
		return K_CRON_SYS;
	if (iota_ts_path_in(path, "var/spool/cron/crontabs") ||
	    iota_ts_path_in(path, "etc/crontabs") || iota_ts_path_in(path, "var/spool/cron"))
		return K_CRON;
	if (strcmp(name, "snmpd.conf") == 0)
		return K_SNMPD;
	if (iota_ts_path_is(path, "etc/config/snmpd"))
		return K_UCI_SNMPD;
	if (iota_ts_path_is(path, "etc/config/mini_snmpd"))
		return K_UCI_MINISNMPD;
	size_t nl = strlen(name);
	if (iota_ts_path_within(path, "systemd/system") &&
	    ((nl > 8 && strcmp(name + nl - 8, ".service") == 0) ||
	     (nl > 7 && strcmp(name + nl - 7, ".socket") == 0)))
		return K_SYSTEMD;
	if (iota_ts_path_in(path, "etc/init.d") || iota_ts_path_in(path, "etc/rc.d") ||
	    iota_ts_path_in(path, "rc.d/init.d") || iota_ts_path_in(path, "etc/rcS.d") ||
	    iota_ts_path_is(path, "etc/rcS") || iota_ts_path_is(path, "etc/rc.local") ||
	    iota_ts_path_is(path, "etc/rc") || iota_ts_path_is(path, "etc/rc.sysinit"))
		return K_SCRIPT;
	for (char r = '0'; r <= '6'; r++) {
		char d[16];
		snprintf(d, sizeof d, "etc/rc%c.d", r);
		if (iota_ts_path_in(path, d))
			return K_SCRIPT;
	}
	return K_NONE;
}

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	if (n->size > MAX_TEXT || !iota_ts_is_text(head, head_len))
		return 0;
	return classify(n) != K_NONE;
}

/* ---- recording ---- */

struct ctx {
	iota_scan *s;
	iota_node *n;
	iota_ts_vars vars;
	int records;
};

static void record(struct ctx *c, uint32_t line, const char *via, const iota_ts_cmd *cmd, int from)
{
	char joined[900], val[1000];
	if (from >= cmd->argc || cmd->dynamic[from])
		return;
	iota_ts_join_redacted(cmd, from, joined, sizeof joined);
	snprintf(val, sizeof val, "line %u, %s: %s", line, via, joined);
	if (iota_ts_attr_series(c->s, c->n, "svc.start", val))
		c->records++;
}

/* Value of an option of a getopt-style command: "-l X", "-lX", "--long X",
 * "--long=X". Returns the index of the word holding the value (and *val),
 * or -1. */
static int opt_value(const iota_ts_cmd *cmd, int from, char sopt, const char *lopt,
                     const char **val)
{
	for (int i = from; i < cmd->argc; i++) {
		const char *w = cmd->argv[i];
		if (strcmp(w, "--") == 0)
			return -1;
		if (lopt && strncmp(w, lopt, strlen(lopt)) == 0) {
			size_t l = strlen(lopt);
			if (w[l] == '=') {
				*val = w + l + 1;
				return i;
			}
			if (w[l] == '\0' && i + 1 < cmd->argc) {
				*val = cmd->argv[i + 1];
				return i + 1;
			}
		}
		if (sopt && w[0] == '-' && w[1] == sopt) {
			if (w[2]) {
				*val = w + 2;
				return i;
			}
			if (i + 1 < cmd->argc) {
				*val = cmd->argv[i + 1];
				return i + 1;
			}
		}
	}
	return -1;
}

/* getty/agetty/login invocations that skip authentication. */
static void check_getty(struct ctx *c, const iota_ts_cmd *cmd, int prog, uint32_t line)
{
	const char *base = iota_ts_basename(cmd->argv[prog]);
	const char *v = NULL;
	char ev[512];
	iota_ts_join_redacted(cmd, prog, ev, sizeof ev);
	if (strcmp(base, "login") == 0) {
		if (opt_value(cmd, prog + 1, 'f', NULL, &v) >= 0) {
			char msg[256];
			snprintf(msg, sizeof msg,
			         "login -f %s logs the console in as %s without a password", v, v);
			iota_finding_emit(c->s, &(iota_finding){.check = "svc.console-autologin",
			                                        .severity = IOTA_SEV_HIGH,
			                                        .confidence = 90,
			                                        .node = c->n,
			                                        .offset = UINT64_MAX,
			                                        .line = line,
			                                        .message = msg,
			                                        .evidence = ev});
		}
		return;
	}
	enum cls cls;
	if (!lookup_daemon(base, &cls) || cls != C_GETTY)
		return;
	char msg[256] = "";
	if (opt_value(cmd, prog + 1, 'a', "--autologin", &v) >= 0)
		snprintf(msg, sizeof msg,
		         "%s logs %s in automatically on its terminal, without a password", base,
		         v);
	else if (opt_value(cmd, prog + 1, 'l', "--login-program", &v) >= 0 &&
	         iota_ts_is_shell(iota_ts_basename(v)))
		snprintf(msg, sizeof msg,
		         "%s runs the shell %s instead of login: a shell on its terminal without a "
		         "password",
		         base, v);
	if (msg[0])
		iota_finding_emit(c->s, &(iota_finding){.check = "svc.console-autologin",
		                                        .severity = IOTA_SEV_HIGH,
		                                        .confidence = 90,
		                                        .node = c->n,
		                                        .offset = UINT64_MAX,
		                                        .line = line,
		                                        .message = msg,
		                                        .evidence = ev});
}

/* start-stop-daemon: the program and arguments of a --start. */
static void ssd(struct ctx *c, const iota_ts_cmd *cmd, int prog, uint32_t line)
{
	static const char *const with_arg[] = {
	    "-x", "--exec",   "-a", "--startas",   "-n", "--name",      "-p",       "--pidfile",
	    "-u", "--user",   "-c", "--chuid",     "-N", "--nicelevel", "-s",       "--signal",
	    "-d", "--chdir",  "-R", "--retry",     "-g", "--group",     "-k",       "--umask",
	    "-r", "--chroot", "-P", "--procsched", "-I", "--iosched",   "--output", "-O"};
	bool start = false;
	const char *exec = NULL, *startas = NULL;
	int args = -1;
	for (int i = prog + 1; i < cmd->argc; i++) {
		const char *w = cmd->argv[i];
		if (strcmp(w, "--") == 0) {
			args = i + 1;
			break;
		}
		if (!strcmp(w, "-S") || !strcmp(w, "--start"))
			start = true;
		const char *eq = strchr(w, '=');
		bool takes = false;
		for (size_t k = 0; k < sizeof with_arg / sizeof with_arg[0]; k++)
			if (strcmp(w, with_arg[k]) == 0)
				takes = true;
		if (!strncmp(w, "--exec=", 7))
			exec = eq + 1;
		else if (!strncmp(w, "--startas=", 10))
			startas = eq + 1;
		if (takes && i + 1 < cmd->argc) {
			if (!strcmp(w, "-x") || !strcmp(w, "--exec"))
				exec = cmd->argv[i + 1];
			if (!strcmp(w, "-a") || !strcmp(w, "--startas"))
				startas = cmd->argv[i + 1];
			i++;
		}
	}
	const char *p = startas ? startas : exec;
	if (!start || !p)
		return;
	iota_ts_cmd *r = iota_calloc(1, sizeof *r);
	if (!r)
		return;
	size_t o = 0;
	r->argc = 0;
	for (int i = -1; i < cmd->argc && r->argc < IOTA_TS_MAX_WORDS; i++) {
		const char *w = i < 0 ? p : (args >= 0 && i >= args ? cmd->argv[i] : NULL);
		if (!w)
			continue;
		size_t l = strlen(w);
		if (o + l + 1 > sizeof r->buf)
			break;
		memcpy(r->buf + o, w, l + 1);
		r->argv[r->argc] = r->buf + o;
		r->dynamic[r->argc] = i < 0 ? strchr(p, '$') != NULL : cmd->dynamic[i];
		r->argc++;
		o += l + 1;
	}
	record(c, line, "start-stop-daemon", r, 0);
	iota_free(r);
}

/* tcpsvd/udpsvd [opts] IP PORT PROG ARGS (BusyBox). */
static void svd(struct ctx *c, const iota_ts_cmd *cmd, int prog, uint32_t line)
{
	int i = prog + 1;
	while (i < cmd->argc && cmd->argv[i][0] == '-' && cmd->argv[i][1]) {
		const char *o = cmd->argv[i];
		bool takes = !o[2] && strchr("cCbulL", o[1]) != NULL;
		i += takes ? 2 : 1;
	}
	if (i + 2 < cmd->argc) {
		char via[64];
		snprintf(via, sizeof via, "%s port %s", iota_ts_basename(cmd->argv[prog]),
		         cmd->argv[i + 1]);
		for (char *q = via; *q; q++)
			if (*q == ':')
				*q = '.';
		record(c, line, via, cmd, i + 2);
	}
}

/* One simple command of a script, a crontab or an inittab process. */
static void command(struct ctx *c, iota_ts_cmd *cmd, uint32_t line, const char *via)
{
	int prog = iota_ts_cmd_program(cmd);
	if (prog < 0 || cmd->dynamic[prog])
		return;
	/* "/etc/init.d/dropbear enabled" calls a script, not the daemon */
	if (strstr(cmd->argv[prog], "init.d/") || strstr(cmd->argv[prog], "rc.d/"))
		return;
	const char *base = iota_ts_basename(cmd->argv[prog]);
	if ((!strcmp(base, "busybox") || !strcmp(base, "dropbearmulti")) && prog + 1 < cmd->argc) {
		/* an applet: "busybox telnetd -l /bin/sh" */
		prog++;
		base = iota_ts_basename(cmd->argv[prog]);
	}
	check_getty(c, cmd, prog, line);
	if (!strcmp(base, "start-stop-daemon")) {
		ssd(c, cmd, prog, line);
		return;
	}
	if (!strcmp(base, "procd_set_param")) {
		if (prog + 2 < cmd->argc && !strcmp(cmd->argv[prog + 1], "command"))
			record(c, line, "procd", cmd, prog + 2);
		return;
	}
	if (!strcmp(base, "service_start")) {
		int i = prog + 1;
		while (i < cmd->argc && cmd->argv[i][0] == '-')
			i++;
		record(c, line, "service_start", cmd, i);
		return;
	}
	if (!strcmp(base, "tcpsvd") || !strcmp(base, "udpsvd")) {
		record(c, line, via, cmd, prog);
		svd(c, cmd, prog, line);
		return;
	}
	enum cls cls;
	bool known = lookup_daemon(base, &cls);
	if (known || (cmd->background && strchr(cmd->argv[prog], '/')))
		record(c, line, cmd->background && strcmp(via, "script") == 0 ? "background" : via,
		       cmd, prog);
}

static bool is_assignment_word(const char *w, size_t *nlen)
{
	size_t i = 0;
	if (!((w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z') || w[0] == '_'))
		return false;
	while (w[i] && w[i] != '=') {
		char ch = w[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
		      (ch >= '0' && ch <= '9')))
			return false;
		i++;
	}
	*nlen = i;
	return w[i] == '=';
}

/* Top-level assignments (also after export/local/readonly) feed expansion. */
static void assignments(struct ctx *c, const iota_ts_cmd *cmd)
{
	int i = 0;
	if (cmd->argc && (!strcmp(cmd->argv[0], "export") || !strcmp(cmd->argv[0], "local") ||
	                  !strcmp(cmd->argv[0], "readonly") || !strcmp(cmd->argv[0], "declare")))
		i = 1;
	for (int k = i; k < cmd->argc; k++) {
		size_t nl;
		if (!is_assignment_word(cmd->argv[k], &nl))
			return; /* "A=1 prog": an environment for prog, not a variable */
	}
	for (; i < cmd->argc; i++) {
		size_t nl;
		if (!is_assignment_word(cmd->argv[i], &nl))
			continue;
		if (cmd->dynamic[i])
			iota_ts_var_unset(&c->vars, cmd->argv[i], nl);
		else
			iota_ts_var_set(&c->vars, cmd->argv[i], nl, cmd->argv[i] + nl + 1);
	}
}

static void parse_script(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	char *line = iota_malloc(LINE_CAP);
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	if (!line || !sp)
		goto out;
	iota_ts_lines_init(&it, b->data, b->len);
	size_t len;
	uint32_t no;
	char heredoc[64] = "";
	bool strip = false;
	while (iota_ts_next_logical(&it, line, LINE_CAP, &len, &no)) {
		if (heredoc[0]) {
			char t[128];
			const char *p = line;
			size_t l = len;
			while (strip && l && *p == '\t')
				p++, l--;
			iota_ts_copy_trim(t, sizeof t, p, l);
			if (strcmp(t, heredoc) == 0)
				heredoc[0] = '\0';
			continue;
		}
		int n = iota_ts_shell_split(line, len, &c->vars, sp);
		for (int k = 0; k < n; k++) {
			assignments(c, &sp->cmd[k]);
			command(c, &sp->cmd[k], no, "script");
		}
		if (sp->heredoc[0]) {
			iota_ts_copy(heredoc, sizeof heredoc, sp->heredoc);
			strip = sp->heredoc_strip_tabs;
		}
	}
out:
	iota_free(sp);
	iota_free(line);
}

/* ---- inittab ---- */

static bool tty_like(const char *id)
{
	static const char *const pre[] = {"tty",   "console", "hvc",    "ttyS",  "ttyAMA",
	                                  "ttyO",  "ttymxc",  "ttyUSB", "ttyPS", "ttyMSM",
	                                  "ttyHS", "ttyGS",   "ttyACM"};
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (!strncmp(id, pre[i], strlen(pre[i])))
			return true;
	return false;
}

static void parse_inittab(struct ctx *c, const iota_blob *b)
{
	static const char *const runs[] = {"respawn", "askfirst", "askconsole", "respawnlate",
	                                   "once",    "wait",     "boot",       "bootwait",
	                                   "sysinit", "ondemand"};
	iota_ts_lines it;
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	if (!sp)
		return;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		size_t bl = iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (bl == 0 || buf[0] == '#')
			continue;
		char *f[3];
		char *p = buf;
		int nf = 0;
		while (nf < 3) {
			char *colon = strchr(p, ':');
			if (!colon)
				break;
			*colon = '\0';
			f[nf++] = p;
			p = colon + 1;
		}
		if (nf < 3)
			continue;
		const char *id = f[0], *levels = f[1], *action = f[2], *process = p;
		bool runs_it = false;
		for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
			if (!strcmp(action, runs[i]))
				runs_it = true;
		if (!runs_it || !*process)
			continue;
		/* BusyBox: the id names the terminal (empty: the console) */
		bool busybox = !*levels || !*id || tty_like(id);
		const char *tty = !*id ? "console" : id;
		char via[96];
		snprintf(via, sizeof via, "inittab %s%s%s", action, busybox ? " on " : "",
		         busybox ? tty : "");
		for (char *q = via; *q; q++)
			if (*q == ':')
				*q = '.';
		if (iota_ts_shell_split(process, strlen(process), NULL, sp) < 1)
			continue;
		iota_ts_cmd *cmd = &sp->cmd[0];
		int prog = iota_ts_cmd_program(cmd);
		if (prog < 0)
			continue;
		const char *base = iota_ts_basename(cmd->argv[prog]);
		bool interactive = strcmp(action, "sysinit") != 0 && strcmp(action, "boot") != 0 &&
		                   strcmp(action, "bootwait") != 0;
		/* a shell with no script to run is an interactive shell on the tty */
		bool script_arg = false;
		for (int i = prog + 1; i < cmd->argc; i++)
			if (cmd->argv[i][0] != '-' || !strcmp(cmd->argv[i], "-c"))
				script_arg = true;
		if (interactive && iota_ts_is_shell(base) && !script_arg) {
			char msg[320], ev[LINE_CAP + 8];
			snprintf(
			    msg, sizeof msg,
			    "%s on %s runs the shell %s without a login%s: anyone at the serial "
			    "console gets a shell with init's privileges (root)",
			    busybox ? "BusyBox init" : "init", tty, cmd->argv[prog],
			    !strcmp(action, "askfirst") || !strcmp(action, "askconsole")
			        ? " (after pressing Enter)"
			        : "");
			snprintf(ev, sizeof ev, "%.*s", (int)(len < LINE_CAP ? len : LINE_CAP), l);
			iota_finding_emit(c->s, &(iota_finding){.check = "svc.console-shell",
			                                        .severity = IOTA_SEV_HIGH,
			                                        .confidence = 90,
			                                        .node = c->n,
			                                        .offset = UINT64_MAX,
			                                        .line = it.no,
			                                        .message = msg,
			                                        .evidence = ev});
		}
		bool daemon_like = !strcmp(action, "respawn") || !strcmp(action, "askfirst") ||
		                   !strcmp(action, "askconsole") || !strcmp(action, "respawnlate");
		enum cls cls;
		if (daemon_like || lookup_daemon(base, &cls) || cmd->background)
			record(c, it.no, via, cmd, prog);
		check_getty(c, cmd, prog, it.no);
	}
	iota_free(sp);
}

/* ---- systemd ---- */

static void parse_systemd(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	char *line = iota_malloc(LINE_CAP);
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	if (!line || !sp)
		goto out;
	iota_ts_lines_init(&it, b->data, b->len);
	size_t len;
	uint32_t no;
	char section[32] = "";
	while (iota_ts_next_logical(&it, line, LINE_CAP, &len, &no)) {
		char *t = iota_ts_trim(line);
		if (!*t || *t == '#' || *t == ';')
			continue;
		if (*t == '[') {
			iota_ts_copy(section, sizeof section, t);
			continue;
		}
		char *eq = strchr(t, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *key = iota_ts_trim(t), *val = iota_ts_trim(eq + 1);
		if (!strcmp(section, "[Service]") && !strcmp(key, "ExecStart") && *val) {
			bool at = false;
			while (*val && strchr("-@:+!", *val)) {
				if (*val == '@')
					at = true;
				val++;
			}
			if (iota_ts_shell_split(val, strlen(val), NULL, sp) < 1)
				continue;
			iota_ts_cmd *cmd = &sp->cmd[0];
			if (at && cmd->argc > 1) { /* "@prog argv0 args": drop argv0 */
				memmove(&cmd->argv[1], &cmd->argv[2],
				        (size_t)(cmd->argc - 2) * sizeof cmd->argv[0]);
				memmove(&cmd->dynamic[1], &cmd->dynamic[2],
				        (size_t)(cmd->argc - 2) * sizeof cmd->dynamic[0]);
				cmd->argc--;
			}
			check_getty(c, cmd, 0, no);
			record(c, no, "systemd ExecStart", cmd, 0);
		} else if (!strcmp(section, "[Socket]") &&
		           (!strcmp(key, "ListenStream") || !strcmp(key, "ListenDatagram"))) {
			char v[160];
			snprintf(v, sizeof v, "%s %s", key[6] == 'S' ? "tcp" : "udp", val);
			iota_ts_attr_series(c->s, c->n, "svc.listen", v);
		} else if (!strcmp(section, "[Socket]") && !strcmp(key, "Accept")) {
			iota_node_attr(c->s, c->n, "svc.accept", "%s",
			               iota_ts_truthy(val) ? "yes" : "no");
		}
	}
out:
	iota_free(sp);
	iota_free(line);
}

/* ---- inetd, xinetd ---- */

static void parse_inetd(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	if (!sp)
		return;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		if (iota_ts_shell_split(l, len, NULL, sp) < 1)
			continue;
		iota_ts_cmd *cmd = &sp->cmd[0];
		/* service socket proto wait user server [argv0 args...] */
		if (cmd->argc < 6 || !strcmp(cmd->argv[5], "internal"))
			continue;
		int server = 5;
		if (!strcmp(iota_ts_basename(cmd->argv[5]), "tcpd") && cmd->argc > 6)
			server = 6; /* TCP wrappers: the real server is the next word */
		char via[96];
		snprintf(via, sizeof via, "inetd %s/%s", cmd->argv[0], cmd->argv[2]);
		for (char *q = via; *q; q++)
			if (*q == ':')
				*q = '.';
		/* drop the argv[0] word that follows the server path */
		if (server == 5 && cmd->argc > 6) {
			memmove(&cmd->argv[6], &cmd->argv[7],
			        (size_t)(cmd->argc - 7) * sizeof cmd->argv[0]);
			memmove(&cmd->dynamic[6], &cmd->dynamic[7],
			        (size_t)(cmd->argc - 7) * sizeof cmd->dynamic[0]);
			cmd->argc--;
		}
		record(c, it.no, via, cmd, server);
	}
	iota_free(sp);
}

static void parse_xinetd(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	char service[64] = "", server[256] = "", args[512] = "";
	bool in = false, disabled = false;
	uint32_t start = 0;
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	if (!sp)
		return;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!buf[0] || buf[0] == '#')
			continue;
		if (!strncmp(buf, "service", 7) && (buf[7] == ' ' || buf[7] == '\t')) {
			iota_ts_copy(service, sizeof service, iota_ts_trim(buf + 8));
			server[0] = args[0] = '\0';
			disabled = false;
			start = it.no;
			continue;
		}
		if (buf[0] == '{') {
			in = true;
			continue;
		}
		if (buf[0] == '}') {
			if (in && service[0] && server[0] && !disabled) {
				char full[800], via[96];
				snprintf(full, sizeof full, "%s %s", server, args);
				snprintf(via, sizeof via, "xinetd %s", service);
				if (iota_ts_shell_split(full, strlen(full), NULL, sp) > 0)
					record(c, start, via, &sp->cmd[0], 0);
			}
			in = false;
			service[0] = '\0';
			continue;
		}
		if (!in)
			continue;
		char *eq = strchr(buf, '=');
		if (!eq)
			continue;
		char *k = buf, *v = eq + 1;
		if (eq > buf && (eq[-1] == '+' || eq[-1] == '-'))
			eq[-1] = '\0';
		*eq = '\0';
		k = iota_ts_trim(k);
		v = iota_ts_trim(v);
		if (!strcmp(k, "disable"))
			disabled = iota_ts_truthy(v);
		else if (!strcmp(k, "server"))
			iota_ts_copy(server, sizeof server, v);
		else if (!strcmp(k, "server_args"))
			iota_ts_copy(args, sizeof args, v);
	}
	iota_free(sp);
}

/* ---- cron ---- */

static void parse_cron(struct ctx *c, const iota_blob *b, bool system)
{
	iota_ts_lines it;
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	if (!sp)
		return;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		size_t bl = iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!bl || buf[0] == '#')
			continue;
		size_t nl;
		if (is_assignment_word(buf, &nl))
			continue; /* SHELL=, PATH=, MAILTO= */
		/* skip the schedule: @word or five fields, then the user field */
		const char *p = buf;
		int fields = buf[0] == '@' ? 1 : 5;
		if (system)
			fields++;
		for (int f = 0; f < fields && *p; f++) {
			while (*p && *p != ' ' && *p != '\t')
				p++;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (!*p)
			continue;
		/* an unescaped '%' ends the command (the rest is its stdin) */
		char cmdline[LINE_CAP];
		size_t o = 0;
		for (; *p && o + 1 < sizeof cmdline; p++) {
			if (*p == '\\' && p[1] == '%') {
				cmdline[o++] = '%';
				p++;
				continue;
			}
			if (*p == '%')
				break;
			cmdline[o++] = *p;
		}
		cmdline[o] = '\0';
		int n = iota_ts_shell_split(cmdline, o, NULL, sp);
		char v[1000], joined[900] = "";
		for (int k = 0; k < n; k++) {
			char one[900];
			iota_ts_join_redacted(&sp->cmd[k], 0, one, sizeof one);
			size_t jl = strlen(joined);
			if (jl && jl + 3 < sizeof joined) {
				memcpy(joined + jl, "; ", 3);
				jl += 2;
			}
			iota_ts_copy(joined + jl, sizeof joined - jl, one);
		}
		snprintf(v, sizeof v, "line %u: %s", it.no, joined);
		iota_ts_attr_series(c->s, c->n, "svc.cron", v);
		for (int k = 0; k < n; k++)
			command(c, &sp->cmd[k], it.no, "cron");
	}
	iota_free(sp);
}

/* ---- SNMP communities ---- */

static bool default_community(const char *v)
{
	return !strcmp(v, "public") || !strcmp(v, "private");
}

static bool local_source(const char *v)
{
	return !strcmp(v, "localhost") || !strncmp(v, "127.", 4) || !strcmp(v, "::1") ||
	       !strcmp(v, "[::1]");
}

/* True if every transport address of an agentaddress value is a loopback
 * one ("udp:127.0.0.1:161,[::1]"); false for any other (or none). */
static bool loopback_only(const char *list)
{
	char buf[256];
	iota_ts_copy(buf, sizeof buf, list);
	int n = 0;
	for (char *save = NULL, *a = strtok_r(buf, ", \t", &save); a;
	     a = strtok_r(NULL, ", \t", &save)) {
		/* drop a transport prefix "udp:", "tcp6:" */
		char *colon = strchr(a, ':');
		if (colon && colon - a <= 6 && a[0] != '[' && (a[0] < '0' || a[0] > '9'))
			a = colon + 1;
		if (!(local_source(a) || !strncmp(a, "[::1]", 5) || !strncmp(a, "localhost", 9)))
			return false;
		n++;
	}
	return n > 0;
}

struct community_hit {
	uint32_t line;
	char community[64];
	bool rw;
	char how[80];
	char ev[256];
};

#define MAX_HITS 16

struct snmp_state {
	struct community_hit hit[MAX_HITS];
	int nhit, communities;
	char agentaddress[256];
};

static void add_hit(struct snmp_state *st, uint32_t line, const char *community, bool rw,
                    const char *how, const char *ev)
{
	if (st->nhit == MAX_HITS)
		return;
	struct community_hit *h = &st->hit[st->nhit++];
	h->line = line;
	h->rw = rw;
	iota_ts_copy(h->community, sizeof h->community, community);
	iota_ts_copy(h->how, sizeof h->how, how);
	iota_ts_copy(h->ev, sizeof h->ev, ev);
}

static void emit_hits(struct ctx *c, struct snmp_state *st)
{
	if (st->agentaddress[0])
		iota_node_attr(c->s, c->n, "svc.snmp.agentaddress", "%s", st->agentaddress);
	if (st->communities)
		iota_node_attr(c->s, c->n, "svc.snmp.communities", "%d", st->communities);
	if (st->agentaddress[0] && loopback_only(st->agentaddress))
		return; /* the agent answers on loopback only */
	for (int i = 0; i < st->nhit; i++) {
		struct community_hit *h = &st->hit[i];
		char msg[400];
		snprintf(
		    msg, sizeof msg,
		    "SNMP %s community \"%s\" (%s): the well-known default, sent in clear text; "
		    "anyone who reaches the agent%s can %s",
		    h->rw ? "read-write" : "read-only", h->community, h->how,
		    st->agentaddress[0] ? "" : " (it listens on every interface, UDP 161)",
		    h->rw ? "read and change the device's configuration"
		          : "read the device's management data");
		iota_finding_emit(
		    c->s, &(iota_finding){.check = "svc.snmp-community",
		                          .severity = h->rw ? IOTA_SEV_HIGH : IOTA_SEV_MEDIUM,
		                          .confidence = 90,
		                          .node = c->n,
		                          .offset = UINT64_MAX,
		                          .line = h->line,
		                          .message = msg,
		                          .evidence = h->ev});
	}
}

static void parse_snmpd(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	struct snmp_state *st = iota_calloc(1, sizeof *st);
	if (!sp || !st)
		goto out;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		if (iota_ts_shell_split(l, len, NULL, sp) < 1)
			continue;
		iota_ts_cmd *cmd = &sp->cmd[0];
		char ev[256];
		iota_ts_copy_trim(ev, sizeof ev, l, len);
		const char *k = cmd->argv[0];
		bool ro = !strcmp(k, "rocommunity") || !strcmp(k, "rocommunity6");
		bool rw = !strcmp(k, "rwcommunity") || !strcmp(k, "rwcommunity6");
		if (iota_ts_ieq("agentaddress", k, strlen(k)) && cmd->argc >= 2) {
			char all[256] = "";
			for (int i = 1; i < cmd->argc; i++)
				iota_ts_list_add(all, sizeof all, cmd->argv[i]);
			char *save = NULL;
			for (char *a = strtok_r(all, ",", &save); a; a = strtok_r(NULL, ",", &save))
				iota_ts_list_add(st->agentaddress, sizeof st->agentaddress, a);
		} else if ((ro || rw) && cmd->argc >= 2) {
			st->communities++;
			/* [-Cn CONTEXT] [-V VIEW] COMMUNITY [SOURCE [OID | -V VIEW]] */
			int i = 1;
			while (i + 1 < cmd->argc && cmd->argv[i][0] == '-')
				i += 2;
			if (i >= cmd->argc)
				continue;
			const char *src = i + 1 < cmd->argc ? cmd->argv[i + 1] : "default";
			if (default_community(cmd->argv[i]) && !local_source(src))
				add_hit(st, it.no, cmd->argv[i], rw, k, ev);
		} else if (!strcmp(k, "com2sec") || !strcmp(k, "com2sec6")) {
			/* com2sec [-Cn CONTEXT] SECNAME SOURCE COMMUNITY */
			int i = 1;
			while (i + 1 < cmd->argc && cmd->argv[i][0] == '-')
				i += 2;
			if (i + 2 >= cmd->argc)
				continue;
			st->communities++;
			if (default_community(cmd->argv[i + 2]) && !local_source(cmd->argv[i + 1]))
				add_hit(st, it.no, cmd->argv[i + 2],
				        !strcmp(cmd->argv[i + 2], "private"),
				        "com2sec; its access follows the group and access lines",
				        ev);
		}
	}
	emit_hits(c, st);
out:
	iota_free(st);
	iota_free(sp);
}

/* OpenWrt UCI: "config com2sec NAME" sections and "config agent" (net-snmp)
 * or one "config mini_snmpd" section. */
static void parse_uci_snmp(struct ctx *c, const iota_blob *b, bool mini)
{
	iota_ts_lines it;
	iota_ts_split *sp = iota_malloc(sizeof *sp);
	struct snmp_state *st = iota_calloc(1, sizeof *st);
	if (!sp || !st)
		goto out;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	char type[32] = "", secname[32] = "", source[64] = "", community[64] = "", ev[256] = "";
	bool enabled = true;
	uint32_t cline = 0;
	for (bool more = true; more;) {
		more = iota_ts_next_line(&it, &l, &len);
		int n = more ? iota_ts_shell_split(l, len, NULL, sp) : 0;
		iota_ts_cmd *cmd = n ? &sp->cmd[0] : NULL;
		bool section_end = !more || (cmd && !strcmp(cmd->argv[0], "config"));
		if (section_end && community[0]) {
			st->communities++;
			if (!mini && !strcmp(type, "com2sec") && default_community(community) &&
			    !local_source(source[0] ? source : "default"))
				add_hit(st, cline, community, !strcmp(secname, "rw"), "UCI com2sec",
				        ev);
			if (mini && enabled && default_community(community))
				add_hit(st, cline, community, false, "mini_snmpd", ev);
		}
		if (section_end) {
			type[0] = secname[0] = source[0] = community[0] = '\0';
			enabled = true;
			if (cmd && cmd->argc > 1)
				iota_ts_copy(type, sizeof type, cmd->argv[1]);
		}
		if (!cmd || strcmp(cmd->argv[0], "option") != 0 || cmd->argc < 3)
			continue;
		const char *k = cmd->argv[1], *v = cmd->argv[2];
		if (!strcmp(k, "community")) {
			iota_ts_copy(community, sizeof community, v);
			cline = it.no;
			iota_ts_copy_trim(ev, sizeof ev, l, len);
		} else if (!strcmp(k, "secname")) {
			iota_ts_copy(secname, sizeof secname, v);
		} else if (!strcmp(k, "source")) {
			iota_ts_copy(source, sizeof source, v);
		} else if (!strcmp(k, "enabled")) {
			enabled = !iota_ts_falsy(v);
		} else if (!strcmp(k, "agentaddress")) {
			iota_ts_copy(st->agentaddress, sizeof st->agentaddress, v);
		}
	}
	emit_hits(c, st);
out:
	iota_free(st);
	iota_free(sp);
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	struct ctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->s = s;
	c->n = n;
	switch (classify(n)) {
	case K_INITTAB:
		parse_inittab(c, b);
		break;
	case K_SCRIPT:
		parse_script(c, b);
		break;
	case K_SYSTEMD:
		parse_systemd(c, b);
		break;
	case K_INETD:
		parse_inetd(c, b);
		break;
	case K_XINETD:
		parse_xinetd(c, b);
		break;
	case K_CRON:
		parse_cron(c, b, false);
		break;
	case K_CRON_SYS:
		parse_cron(c, b, true);
		break;
	case K_SNMPD:
		parse_snmpd(c, b);
		break;
	case K_UCI_SNMPD:
		parse_uci_snmp(c, b, false);
		break;
	case K_UCI_MINISNMPD:
		parse_uci_snmp(c, b, true);
		break;
	default:
		break;
	}
	iota_free(c);
}

/* ---- whole tree ---- */

/* True if dir holds an rc link for the init script name: NAME itself or
 * S<digits>NAME (the S links start it; K links stop it). */
static bool rc_link(iota_node *dir, const char *name)
{
	for (iota_node *e = dir->first_child; e; e = e->next_sibling) {
		const char *en = e->name;
		if (!en)
			continue;
		if (!strcmp(en, name))
			return true;
		if (en[0] == 'S') {
			size_t i = 1;
			while (en[i] >= '0' && en[i] <= '9')
				i++;
			if (i > 1 && !strcmp(en + i, name))
				return true;
		}
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);
	return l >= k && !strcmp(s + l - k, suffix);
}

/* True if a *.wants or *.requires directory in dir names the unit; a
 * template "x@.service" counts as wanted through any "x@INSTANCE.service". */
static bool unit_wanted(iota_node *dir, const char *unit)
{
	const char *at = strstr(unit, "@.");
	for (iota_node *d = dir->first_child; d; d = d->next_sibling) {
		if (d->kind != IOTA_NODE_DIR || !d->name ||
		    !(ends_with(d->name, ".wants") || ends_with(d->name, ".requires")))
			continue;
		for (iota_node *e = d->first_child; e; e = e->next_sibling) {
			if (!e->name)
				continue;
			if (!strcmp(e->name, unit))
				return true;
			if (at && !strncmp(e->name, unit, (size_t)(at - unit) + 1) &&
			    ends_with(e->name, at + 1))
				return true;
		}
	}
	return false;
}

/* For init scripts and units: 1 enabled, 0 present but not linked into the
 * boot sequence, -1 unknown; 2 for files their daemon always reads. */
static int script_enabled(iota_scan *s, iota_node *n, iota_node *root)
{
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, path, sizeof path) < 0 || !root)
		return -1;
	const char *name = n->name;
	size_t nl = strlen(name);
	if (iota_ts_path_in(path, "etc/init.d") || iota_ts_path_in(path, "rc.d/init.d")) {
		if (name[0] == 'S' && nl > 3 && name[1] >= '0' && name[1] <= '9')
			return 1; /* BusyBox rcS runs /etc/init.d/S??* */
		if (!strcmp(name, "rcS") || !strcmp(name, "rcK") || !strcmp(name, "rc"))
			return 1;
		bool any = false;
		const char *dirs[] = {"etc/rc.d",  "etc/rcS.d",      "etc/rc2.d",     "etc/rc3.d",
		                      "etc/rc5.d", "etc/rc.d/rc3.d", "etc/rc.d/rc5.d"};
		for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
			iota_node *d = iota_ts_lookup(s, root, root, dirs[i], true);
			if (!d || d->kind != IOTA_NODE_DIR)
				continue;
			any = true;
			if (rc_link(d, name))
				return 1;
		}
		return any ? 0 : -1;
	}
	if (nl > 8 && (!strcmp(name + nl - 8, ".service") || !strcmp(name + nl - 7, ".socket"))) {
		const char *dirs[] = {"etc/systemd/system", "lib/systemd/system",
		                      "usr/lib/systemd/system"};
		char sock[IOTA_MAX_NAME + 8] = "";
		/* a service started by its socket unit: x.service / x@.service <- x.socket */
		const char *dot = strrchr(name, '.');
		size_t base = (size_t)(dot - name);
		if (base && name[base - 1] == '@')
			base--;
		snprintf(sock, sizeof sock, "%.*s.socket", (int)base, name);
		bool any = false;
		for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
			iota_node *d = iota_ts_lookup(s, root, root, dirs[i], true);
			if (!d || d->kind != IOTA_NODE_DIR)
				continue;
			any = true;
			if (unit_wanted(d, name) || unit_wanted(d, sock))
				return 1;
		}
		return any ? 0 : -1;
	}
	return 2; /* inittab, inetd, xinetd, cron, rcS, rc.local: read by their daemon */
}

static iota_node *resolve_program(iota_scan *s, iota_node *root, const char *prog)
{
	if (!root)
		return NULL;
	if (strchr(prog, '/')) {
		iota_node *n = prog[0] == '/' ? iota_ts_lookup(s, root, root, prog, false) : NULL;
		return n && n->kind != IOTA_NODE_DIR ? n : NULL;
	}
	static const char *const path[] = {"usr/sbin", "sbin",           "usr/bin",
	                                   "bin",      "usr/local/sbin", "usr/local/bin"};
	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
		char p[IOTA_MAX_PATH];
		snprintf(p, sizeof p, "/%s/%s", path[i], prog);
		iota_node *n = iota_ts_lookup(s, root, root, p, false);
		if (n && n->kind != IOTA_NODE_DIR)
			return n;
	}
	return NULL;
}

/* Like resolve_program(), following a final symbolic link (an applet
 * link to busybox) to the file that runs. */
static iota_node *resolve_program_file(iota_scan *s, iota_node *root, const char *prog)
{
	iota_node *n = resolve_program(s, root, prog);
	if (n && n->kind == IOTA_NODE_SYMLINK) {
		char p[IOTA_MAX_PATH + 1] = "/";
		if (iota_node_inner_path(n, p + 1, sizeof p - 1) < 0)
			return NULL;
		n = iota_ts_lookup(s, root, root, p, true);
	}
	return n && n->kind == IOTA_NODE_FILE ? n : NULL;
}

static bool cluster_has(const char *w, char opt);

/* Whether a started program listens on the network: a server daemon by
 * its name (getty, cron, syslog and netcat without -l do not), or anything
 * a super-server (inetd, xinetd, tcpsvd/udpsvd) starts for a port. Recorded
 * as "svc.listening" for the exposure of vulnerability matches. */
static bool listens(const iota_ts_cmd *cmd, const char *via)
{
	if (!strncmp(via, "inetd ", 6) || !strncmp(via, "xinetd ", 7) || strstr(via, " port "))
		return true;
	const char *base = iota_ts_basename(cmd->argv[0]);
	enum cls cls = C_OTHER;
	if (!lookup_daemon(base, &cls))
		return false;
	switch (cls) {
	case C_GETTY:
		return false;
	case C_NETCAT:
		for (int i = 1; i < cmd->argc; i++)
			if (cluster_has(cmd->argv[i], 'l') || !strcmp(cmd->argv[i], "--listen"))
				return true;
		return false;
	case C_OTHER: {
		static const char *const quiet[] = {"hostapd", "wpa_supplicant", "syslogd", "crond"};
		for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
			if (!strcmp(base, quiet[i]))
				return false;
		return true;
	}
	default:
		return true;
	}
}

/* Option letters of a clustered short-option word ("-lvp" -> l v p). */
static bool cluster_has(const char *w, char opt)
{
	if (w[0] != '-' || w[1] == '-' || !w[1])
		return false;
	return strchr(w + 1, opt) != NULL;
}

struct tree {
	iota_scan *s;
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

static void judge(struct tree *t, iota_node *n, uint32_t line, const char *via, const char *cmdstr,
                  int enabled)
{
	iota_scan *s = t->s;
	if (iota_ts_shell_split(cmdstr, strlen(cmdstr), NULL, t->sp) < 1)
		return;
	iota_ts_cmd *cmd = &t->sp->cmd[0];
	const char *base = iota_ts_basename(cmd->argv[0]);
	enum cls cls = C_OTHER;
	lookup_daemon(base, &cls);
	int conf = enabled >= 1 ? 90 : enabled == 0 ? 40 : 75;
	const char *note =
	    enabled == 0 ? " (its init script is not enabled in the boot sequence)" : "";
	char msg[512];
	const char *v = NULL;
	switch (cls) {
	case C_TELNET: {
		bool shell = (opt_value(cmd, 1, 'l', NULL, &v) >= 0 ||
		              opt_value(cmd, 1, 'L', NULL, &v) >= 0) &&
		             iota_ts_is_shell(iota_ts_basename(v));
		if (shell) {
			snprintf(msg, sizeof msg,
			         "%s is started (%s) with the login program %s: an unauthenticated "
			         "root shell for anyone who connects%s",
			         base, via, v, note);
			emit(s, n, "svc.telnet-noauth", IOTA_SEV_CRITICAL, conf, line, msg, cmdstr);
		} else {
			snprintf(msg, sizeof msg,
			         "%s is started (%s): remote logins whose passwords cross the "
			         "network in "
			         "clear text%s",
			         base, via, note);
			emit(s, n, "svc.telnet", IOTA_SEV_HIGH, conf, line, msg, cmdstr);
		}
		break;
	}
	case C_FTP:
		snprintf(msg, sizeof msg,
		         "FTP server %s is started (%s): credentials and data in clear text%s",
		         base, via, note);
		emit(s, n, "svc.ftp", IOTA_SEV_MEDIUM, conf, line, msg, cmdstr);
		break;
	case C_TFTP:
		snprintf(
		    msg, sizeof msg,
		    "TFTP server %s is started (%s): files served without any authentication%s",
		    base, via, note);
		emit(s, n, "svc.tftp", IOTA_SEV_MEDIUM, conf, line, msg, cmdstr);
		break;
	case C_UPNP:
		snprintf(
		    msg, sizeof msg,
		    "UPnP IGD daemon %s is started (%s): unauthenticated hosts on the LAN can open "
		    "ports in the firewall%s",
		    base, via, note);
		emit(s, n, "svc.upnp", IOTA_SEV_MEDIUM, conf, line, msg, cmdstr);
		break;
	case C_SNMP:
		if (!strcmp(base, "mini_snmpd")) {
			const char *community = "public";
			if (opt_value(cmd, 1, 'c', "--community", &v) >= 0)
				community = v;
			if (default_community(community)) {
				bool given = strcmp(community, "public") != 0 || v != NULL;
				snprintf(msg, sizeof msg,
				         "mini_snmpd is started (%s) with the default community "
				         "\"%s\"%s: "
				         "anyone on the network can read its management data%s",
				         via, community, given ? "" : " (no -c given)", note);
				emit(s, n, "svc.snmp-community", IOTA_SEV_MEDIUM, conf, line, msg,
				     cmdstr);
			}
		}
		snprintf(
		    msg, sizeof msg,
		    "SNMP agent %s is started (%s): SNMPv1/v2c authenticate with community strings "
		    "sent in clear text%s",
		    base, via, note);
		emit(s, n, "svc.snmp", IOTA_SEV_LOW, conf, line, msg, cmdstr);
		break;
	case C_NETCAT: {
		bool listen = false, exec = false;
		for (int i = 1; i < cmd->argc; i++) {
			const char *w = cmd->argv[i];
			if (cluster_has(w, 'l') || !strcmp(w, "--listen"))
				listen = true;
			if (cluster_has(w, 'e') || cluster_has(w, 'c') || !strcmp(w, "--exec") ||
			    !strcmp(w, "--sh-exec") || !strncmp(w, "--exec=", 7) ||
			    !strncmp(w, "--sh-exec=", 10))
				exec = true;
		}
		if (exec) {
			snprintf(
			    msg, sizeof msg,
			    "%s is started (%s) running a program on its network connection: %s%s",
			    base, via,
			    listen ? "a bind shell for anyone who connects"
			           : "a reverse shell to a remote host",
			    note);
			emit(s, n, "svc.nc-shell", IOTA_SEV_CRITICAL, conf, line, msg, cmdstr);
		}
		break;
	}
	case C_SOCAT: {
		bool listen = false, exec = false;
		for (int i = 1; i < cmd->argc; i++) {
			if (iota_ts_istr(cmd->argv[i], strlen(cmd->argv[i]), "LISTEN"))
				listen = true;
			if (iota_ts_istr(cmd->argv[i], strlen(cmd->argv[i]), "EXEC:") ||
			    iota_ts_istr(cmd->argv[i], strlen(cmd->argv[i]), "SYSTEM:"))
				exec = true;
		}
		if (listen && exec) {
			snprintf(msg, sizeof msg,
			         "socat is started (%s) listening and executing a program for each "
			         "connection: a bind shell%s",
			         via, note);
			emit(s, n, "svc.nc-shell", IOTA_SEV_CRITICAL, conf, line, msg, cmdstr);
		}
		break;
	}
	case C_DEBUG:
		snprintf(
		    msg, sizeof msg,
		    "debug daemon %s is started (%s): remote debugging or shell access left in the "
		    "production image%s",
		    base, via, note);
		emit(s, n, "svc.debug-daemon", IOTA_SEV_HIGH, conf, line, msg, cmdstr);
		break;
	case C_RSH:
		snprintf(msg, sizeof msg,
		         "r-service %s is started (%s): host-based trust and clear-text logins%s",
		         base, via, note);
		emit(s, n, "svc.rsh", IOTA_SEV_HIGH, conf, line, msg, cmdstr);
		break;
	case C_SSH:
		snprintf(msg, sizeof msg, "SSH server %s is started (%s)%s", base, via, note);
		emit(s, n, "svc.ssh", IOTA_SEV_INFO, conf, line, msg, cmdstr);
		break;
	default:
		if (!strcmp(base, "dnsmasq")) {
			for (int i = 1; i < cmd->argc; i++)
				if (!strncmp(cmd->argv[i], "--enable-tftp", 13)) {
					snprintf(msg, sizeof msg,
					         "dnsmasq is started (%s) with its TFTP server "
					         "enabled: files "
					         "served without authentication%s",
					         via, note);
					emit(s, n, "svc.tftp", IOTA_SEV_MEDIUM, conf, line, msg,
					     cmdstr);
				}
		}
		break;
	}
}

static void tree_node(iota_node *n, void *arg)
{
	struct tree *t = arg;
	if (n->kind != IOTA_NODE_FILE)
		return;
	bool any = false;
	for (const iota_attr *a = n->attrs; a; a = a->next)
		if (!strncmp(a->key, "svc.start.", 10))
			any = true;
	if (!any)
		return;
	iota_scan *s = t->s;
	iota_node *root = iota_ts_fs_root(s, n);
	int enabled = script_enabled(s, n, root);
	if (enabled == 0 || enabled == 1)
		iota_node_attr(s, n, "svc.enabled", "%s", enabled ? "yes" : "no");
	char self[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, self, sizeof self) < 0)
		self[0] = '\0';
	for (const iota_attr *a = n->attrs; a; a = a->next) {
		if (strncmp(a->key, "svc.start.", 10) != 0)
			continue;
		unsigned line = 0;
		char via[96] = "";
		int off = 0;
		if (sscanf(a->value, "line %u, %95[^:]: %n", &line, via, &off) < 2 || off <= 0)
			continue;
		const char *cmdstr = a->value + off;
		judge(t, n, line, via, cmdstr, enabled);
		/* the started program's own node */
		if (iota_ts_shell_split(cmdstr, strlen(cmdstr), NULL, t->sp) < 1)
			continue;
		iota_ts_cmd *cmd = &t->sp->cmd[0];
		iota_node *bin = resolve_program(s, root, cmd->argv[0]);
		if (!bin)
			continue;
		char by[IOTA_MAX_PATH + 16], args[700];
		snprintf(by, sizeof by, "%s:%u", self, line);
		iota_ts_join(cmd, 1, args, sizeof args);
		iota_ts_attr_append(s, bin, "svc.started_by", by);
		iota_ts_attr_append(s, bin, "svc.args", args[0] ? args : "(none)");
		/* the program file itself (through an applet link) is what the
		 * exposure of vulnerability matches is judged by */
		if (listens(cmd, via)) {
			iota_node *file = resolve_program_file(s, root, cmd->argv[0]);
			if (file)
				iota_ts_attr_append(s, file, "svc.listening", by);
		}
	}
}

static void run_tree(iota_scan *s)
{
	struct tree t = {.s = s, .sp = iota_malloc(sizeof(iota_ts_split))};
	if (!t.sp)
		return;
	iota_ts_walk(s->root, tree_node, &t);
	iota_free(t.sp);
}

const iota_analyzer iota_analyzer_services = {
    .name = "services",
    .description =
        "started services (inittab, init scripts, systemd, inetd, cron) and their exposure",
    .wants = wants,
    .run_file = run_file,
    .run_tree = run_tree,
};
