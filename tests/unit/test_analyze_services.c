/* Unit tests: the services analyzer (src/analyze/analyze_services.c) and the
 * shell splitter it is built on (src/analyze/textscan.c). Each test writes a
 * small root file system of real file formats into a temporary directory,
 * scans it through the public API and checks the findings and attributes. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/textscan.h"
#include "core/scan.h"
#include "tree.h"
#include "unit.h"

/* ---- the shell splitter ---- */

static void test_split_quotes_and_separators(void **state)
{
	(void)state;
	iota_ts_split sp;
	const char *l = "a 'b c' \"d $X\" e\\ f; g && h || i | j & k # comment";
	iota_ts_vars vars = {.n = 0};
	iota_ts_var_set(&vars, "X", 1, "ex");
	assert_int_equal(iota_ts_shell_split(l, strlen(l), &vars, &sp), 6);
	assert_int_equal(sp.cmd[0].argc, 4);
	assert_string_equal(sp.cmd[0].argv[1], "b c");
	assert_string_equal(sp.cmd[0].argv[2], "d ex");
	assert_string_equal(sp.cmd[0].argv[3], "e f");
	assert_string_equal(sp.cmd[4].argv[0], "j");
	assert_true(sp.cmd[4].background);
	assert_string_equal(sp.cmd[5].argv[0], "k");
	assert_false(sp.cmd[5].background);
}

static void test_split_expansion_and_redirection(void **state)
{
	(void)state;
	iota_ts_split sp;
	iota_ts_vars vars = {.n = 0};
	iota_ts_var_set(&vars, "ARGS", 4, "-l /bin/sh");
	const char *l = "telnetd $ARGS ${PORT:-23} ${UNKNOWN} >/dev/null 2>&1 </dev/null";
	assert_int_equal(iota_ts_shell_split(l, strlen(l), &vars, &sp), 1);
	iota_ts_cmd *c = &sp.cmd[0];
	assert_int_equal(c->argc, 5);
	assert_string_equal(c->argv[1], "-l"); /* unquoted: split into fields */
	assert_string_equal(c->argv[2], "/bin/sh");
	assert_string_equal(c->argv[3], "23");
	assert_string_equal(c->argv[4], "${UNKNOWN}");
	assert_true(c->dynamic[4]);
	assert_false(c->dynamic[1]);

	const char *h = "cat <<-'EOF' > /tmp/x";
	assert_int_equal(iota_ts_shell_split(h, strlen(h), NULL, &sp), 1);
	assert_string_equal(sp.heredoc, "EOF");
	assert_true(sp.heredoc_strip_tabs);
	assert_int_equal(sp.cmd[0].argc, 1);

	const char *d = "x=$(cat /proc/cmdline) y";
	assert_int_equal(iota_ts_shell_split(d, strlen(d), NULL, &sp), 1);
	assert_string_equal(sp.cmd[0].argv[0], "x=$(cat /proc/cmdline)");
	assert_true(sp.cmd[0].dynamic[0]);
}

static void test_split_program_word(void **state)
{
	(void)state;
	iota_ts_split sp;
	const char *l = "if FOO=1 nohup nice -n 5 /usr/sbin/telnetd -F; then";
	assert_int_equal(iota_ts_shell_split(l, strlen(l), NULL, &sp), 2);
	int p = iota_ts_cmd_program(&sp.cmd[0]);
	assert_int_equal(p, 6);
	assert_string_equal(iota_ts_basename(sp.cmd[0].argv[p]), "telnetd");
	assert_int_equal(iota_ts_cmd_program(&sp.cmd[1]), -1);
	const char *v = "command -v telnetd";
	iota_ts_shell_split(v, strlen(v), NULL, &sp);
	assert_int_equal(iota_ts_cmd_program(&sp.cmd[0]), -1);
	assert_string_equal(iota_ts_basename("-/bin/sh"), "sh");
	assert_true(iota_ts_is_shell("ash"));
	assert_false(iota_ts_is_shell("login"));
}

static void test_split_hostile_lengths(void **state)
{
	(void)state;
	/* more words and bytes than the buffers hold: truncated, never overrun */
	char big[20000];
	size_t o = 0;
	for (int i = 0; i < 3000 && o + 8 < sizeof big; i++)
		o += (size_t)snprintf(big + o, sizeof big - o, "w%d ; ", i);
	iota_ts_split *sp = malloc(sizeof *sp);
	assert_non_null(sp);
	int n = iota_ts_shell_split(big, o, NULL, sp);
	assert_true(n > 0 && n <= IOTA_TS_MAX_CMDS);
	memset(big, 'a', sizeof big);
	n = iota_ts_shell_split(big, sizeof big, NULL, sp);
	assert_int_equal(n, 1);
	assert_true(strlen(sp->cmd[0].argv[0]) < IOTA_TS_WORDBUF);
	const char *open = "echo \"unterminated $(x 'y";
	n = iota_ts_shell_split(open, strlen(open), NULL, sp);
	assert_true(n >= 1);
	free(sp);
}

/* ---- inittab ---- */

/* BusyBox's examples/inittab, with the two planted lines. */
static const char busybox_inittab[] =
    "# /etc/inittab\n"
    "#\n"
    "# Note: BusyBox init doesn't support runlevels.  The runlevels field is\n"
    "# completely ignored by BusyBox init. If you want runlevels, use\n"
    "# sysvinit.\n"
    "#\n"
    "# Format for each entry: <id>:<runlevels>:<action>:<process>\n"
    "#\n"
    "# id        == tty to run on, or empty for /dev/console\n"
    "# runlevels == ignored\n"
    "# action    == one of sysinit, respawn, askfirst, wait, and once\n"
    "# process   == program to run\n"
    "\n"
    "# Startup the system\n"
    "::sysinit:/bin/mount -t proc proc /proc\n"
    "::sysinit:/bin/mount -o remount,rw /\n"
    "::sysinit:/bin/mkdir -p /dev/pts /dev/shm\n"
    "::sysinit:/bin/mount -a\n"
    "::sysinit:/sbin/swapon -a\n"
    "null::sysinit:/bin/ln -sf /proc/self/fd /dev/fd\n"
    "# now run any rc scripts\n"
    "::sysinit:/etc/init.d/rcS\n"
    "\n"
    "::respawn:/usr/sbin/telnetd -l /bin/sh -F\n" /* line 24 */
    "ttyS0::askfirst:-/bin/sh\n"                  /* line 25 */
    "#ttyS1::respawn:/bin/sh\n"
    "\n"
    "# Stuff to do for the 3-finger salute\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "\n"
    "# Stuff to do before rebooting\n"
    "::shutdown:/etc/init.d/rcK\n"
    "::shutdown:/sbin/swapoff -a\n"
    "::shutdown:/bin/umount -a -r\n";

static void test_busybox_inittab(void **state)
{
	(void)state;
	put("etc/inittab", busybox_inittab);
	put("bin/busybox", "not really busybox\n");
	put_link("../../bin/busybox", "usr/sbin/telnetd");
	iota_scan *s = scan();

	const iota_finding *f = find(s, "svc.telnet-noauth", "etc/inittab");
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	assert_int_equal(f->line, 24);
	assert_int_equal(f->confidence, 90);
	assert_string_equal(f->evidence, "/usr/sbin/telnetd -l /bin/sh -F");
	f = find(s, "svc.console-shell", "etc/inittab");
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 25);
	assert_non_null(strstr(f->message, "ttyS0"));
	assert_int_equal(count_prefix(s, "svc."), 2);

	iota_node *tab = node_at(s, "etc/inittab");
	assert_string_equal(iota_node_attr_get(tab, "svc.start.01"),
	                    "line 24, inittab respawn on console: /usr/sbin/telnetd -l /bin/sh -F");
	/* the applet's own node (the link, not busybox) carries the arguments */
	iota_node *t = node_at(s, "usr/sbin/telnetd");
	assert_string_equal(iota_node_attr_get(t, "svc.args"), "-l /bin/sh -F");
	assert_string_equal(iota_node_attr_get(t, "svc.started_by"), "etc/inittab:24");
	assert_null(iota_node_attr_get(node_at(s, "bin/busybox"), "svc.args"));
	iota_scan_free(s);
}

static void test_clean_inittab(void **state)
{
	(void)state;
	/* a getty with a login on the serial console, sysvinit lines too */
	put("etc/inittab", "::sysinit:/etc/init.d/rcS\n"
	                   "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n"
	                   "1:2345:respawn:/sbin/getty 38400 tty1\n"
	                   "::respawn:/sbin/syslogd -n\n"
	                   "#::respawn:/usr/sbin/telnetd -l /bin/sh\n"
	                   "::shutdown:/bin/umount -a -r\n");
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "svc."), 0);
	assert_non_null(iota_node_attr_get(node_at(s, "etc/inittab"), "svc.start.01"));
	iota_scan_free(s);
}

/* ---- OpenWrt procd scripts ---- */

static const char openwrt_dropbear[] =
    "#!/bin/sh /etc/rc.common\n"
    "# Copyright (C) 2006-2010 OpenWrt.org\n"
    "# Copyright (C) 2006 Carlos Sobrinho\n"
    "\n"
    "START=19\n"
    "STOP=50\n"
    "\n"
    "USE_PROCD=1\n"
    "PROG=/usr/sbin/dropbear\n"
    "NAME=dropbear\n"
    "PIDCOUNT=0\n"
    "\n"
    "dropbear_instance()\n"
    "{\n"
    "\tlocal PasswordAuth enable Interface GatewayPorts \\\n"
    "\t\tRootPasswordAuth RootLogin rsakeyfile \\\n"
    "\t\tBannerFile Port SSHKeepAlive IdleTimeout MaxAuthTries mdns ipaddrs\n"
    "\n"
    "\tvalidate_section_dropbear \"${1}\" || {\n"
    "\t\techo \"validation failed\"\n"
    "\t\treturn 1\n"
    "\t}\n"
    "\n"
    "\tPIDCOUNT=\"$(( ${PIDCOUNT} + 1))\"\n"
    "\tlocal pid_file=\"/var/run/${NAME}.${PIDCOUNT}.pid\"\n"
    "\n"
    "\tprocd_open_instance\n"
    "\tprocd_set_param command \"$PROG\" -F -P \"$pid_file\"\n" /* line 28 */
    "\t[ \"${PasswordAuth}\" -eq 0 ] && procd_append_param command -s\n"
    "\t[ \"${RootPasswordAuth}\" -eq 0 ] && procd_append_param command -g\n"
    "\tprocd_close_instance\n"
    "}\n";

static const char openwrt_telnet[] =
    "#!/bin/sh /etc/rc.common\n"
    "# Copyright (C) 2006-2011 OpenWrt.org\n"
    "\n"
    "START=50\n"
    "\n"
    "USE_PROCD=1\n"
    "PROG=/usr/sbin/telnetd\n"
    "\n"
    "has_root_pwd() {\n"
    "\tlocal pwd=$([ -f \"$1\" ] && cat \"$1\")\n"
    "\t      pwd=\"${pwd#*root:}\"\n"
    "\t      pwd=\"${pwd%%:*}\"\n"
    "\n"
    "\ttest -n \"${pwd#[\\!x]}\"\n"
    "}\n"
    "\n"
    "start_service() {\n"
    "\tif ( ! has_root_pwd /etc/passwd && ! has_root_pwd /etc/shadow ) || \\\n"
    "\t   ( ! /etc/init.d/dropbear enabled 2> /dev/null );\n"
    "\tthen\n"
    "\t\tprocd_open_instance\n"
    "\t\tprocd_set_param command \"$PROG\" -F -l /bin/login.sh\n" /* line 22 */
    "\t\tprocd_close_instance\n"
    "\tfi\n"
    "}\n";

static void test_openwrt_procd(void **state)
{
	(void)state;
	put("etc/init.d/dropbear", openwrt_dropbear);
	put("etc/init.d/telnet", openwrt_telnet);
	put_link("../init.d/dropbear", "etc/rc.d/S19dropbear");
	put("usr/sbin/dropbear", "x\n");
	iota_scan *s = scan();

	const iota_finding *f = find(s, "svc.ssh", "etc/init.d/dropbear");
	assert_int_equal(f->severity, IOTA_SEV_INFO);
	assert_int_equal(f->line, 28);
	assert_int_equal(f->confidence, 90);
	iota_node *db = node_at(s, "usr/sbin/dropbear");
	assert_string_equal(iota_node_attr_get(db, "svc.started_by"), "etc/init.d/dropbear:28");
	assert_string_equal(iota_node_attr_get(db, "svc.args"), "-F -P $pid_file");
	assert_string_equal(iota_node_attr_get(node_at(s, "etc/init.d/dropbear"), "svc.enabled"),
	                    "yes");

	/* login.sh asks for the password: telnet, not an open shell; and the
	 * script has no S link in rc.d, so it is not started at boot */
	f = find(s, "svc.telnet", "etc/init.d/telnet");
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 22);
	assert_int_equal(f->confidence, 40);
	assert_string_equal(iota_node_attr_get(node_at(s, "etc/init.d/telnet"), "svc.enabled"),
	                    "no");
	assert_int_equal(count(s, "svc.telnet-noauth", NULL), 0);
	assert_int_equal(count_prefix(s, "svc."), 2);
	iota_scan_free(s);
}

/* ---- sysv scripts ---- */

static void test_sysv_script(void **state)
{
	(void)state;
	put("etc/init.d/S45upnp",
	    "#!/bin/sh\n"
	    "DAEMON=/usr/sbin/miniupnpd\n"
	    "case \"$1\" in\n"
	    "start)\n"
	    "\tstart-stop-daemon -S -q -b -x $DAEMON -- -f /etc/miniupnpd.conf\n" /* line 5 */
	    "\tcat <<EOF > /tmp/motd\n"
	    "telnetd -l /bin/sh\n"
	    "EOF\n"
	    "\t#telnetd -l /bin/sh\n"
	    "\techo \"telnetd -l /bin/sh\"\n"
	    "\t;;\n"
	    "stop)\n"
	    "\tstart-stop-daemon -K -q -x $DAEMON\n"
	    "\t;;\n"
	    "esac\n");
	put("etc/rc.local", "#!/bin/sh\n"
	                    "nc 10.0.0.1 80 < /tmp/report\n"
	                    "nc -l -p 4444 -e /bin/sh &\n" /* line 3 */
	                    "exit 0\n");
	iota_scan *s = scan();
	const iota_finding *f = find(s, "svc.upnp", "etc/init.d/S45upnp");
	assert_int_equal(f->line, 5);
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_string_equal(f->evidence, "/usr/sbin/miniupnpd -f /etc/miniupnpd.conf");
	f = find(s, "svc.nc-shell", "etc/rc.local");
	assert_int_equal(f->severity, IOTA_SEV_CRITICAL);
	assert_int_equal(f->line, 3);
	assert_non_null(strstr(f->message, "bind shell"));
	assert_int_equal(count_prefix(s, "svc."), 2);
	iota_scan_free(s);
}

/* ---- inetd, systemd, cron ---- */

static void test_inetd_systemd_cron(void **state)
{
	(void)state;
	put("etc/inetd.conf", "# /etc/inetd.conf:  see inetd(8) for further informations.\n"
	                      "23 stream tcp nowait root /usr/sbin/telnetd telnetd -i\n"
	                      "#21 stream tcp nowait root /usr/sbin/ftpd ftpd -w /\n"
	                      "69 dgram udp wait root /usr/sbin/tftpd tftpd /srv/tftp\n");
	put("lib/systemd/system/telnet@.service", "[Unit]\nDescription=Telnet Server\n\n"
	                                          "[Service]\nExecStart=-/usr/sbin/in.telnetd\n"
	                                          "StandardInput=socket\n");
	put("lib/systemd/system/telnet.socket", "[Unit]\nDescription=Telnet socket\n\n"
	                                        "[Socket]\nListenStream=23\nAccept=yes\n\n"
	                                        "[Install]\nWantedBy=sockets.target\n");
	put_link("/lib/systemd/system/telnet.socket",
	         "etc/systemd/system/sockets.target.wants/telnet.socket");
	put("etc/systemd/system/serial-getty@ttyS0.service.d/override.conf", "x\n");
	put("etc/systemd/system/serial-getty@.service",
	    "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud "
	    "115200,57600,38400,9600 %I $TERM\n");
	put("etc/crontab", "SHELL=/bin/sh\n"
	                   "17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n"
	                   "*/5 * * * * root /usr/bin/nc -l -p 31337 -e /bin/sh\n");
	put("var/spool/cron/crontabs/root", "@reboot /usr/bin/gdbserver :1234 /usr/bin/app\n");
	iota_scan *s = scan();

	assert_int_equal(count(s, "svc.telnet", "etc/inetd.conf"), 1);
	assert_int_equal(find(s, "svc.telnet", "etc/inetd.conf")->line, 2);
	assert_int_equal(count(s, "svc.ftp", NULL), 0);
	assert_int_equal(find(s, "svc.tftp", "etc/inetd.conf")->line, 4);
	/* socket-activated through sockets.target.wants */
	const iota_finding *f = find(s, "svc.telnet", "lib/systemd/system/telnet@.service");
	assert_int_equal(f->confidence, 90);
	assert_string_equal(
	    iota_node_attr_get(node_at(s, "lib/systemd/system/telnet.socket"), "svc.listen.01"),
	    "tcp 23");
	f = find(s, "svc.console-autologin", "etc/systemd/system/serial-getty@.service");
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 3);
	assert_int_equal(find(s, "svc.nc-shell", "etc/crontab")->line, 3);
	assert_int_equal(find(s, "svc.debug-daemon", "var/spool/cron/crontabs/root")->line, 1);
	assert_int_equal(count_prefix(s, "svc."), 6);
	iota_scan_free(s);
}

/* ---- SNMP ---- */

static void test_snmp_communities(void **state)
{
	(void)state;
	put("etc/snmp/snmpd.conf", "sysLocation    Sitting on the Dock of the Bay\n"
	                           "sysContact     Me <me@example.org>\n"
	                           "rocommunity public\n"             /* line 3 */
	                           "rwcommunity private 10.0.0.0/8\n" /* line 4 */
	                           "rocommunity s3cr3t-Community default\n"
	                           "com2sec local localhost private\n");
	put("etc/config/mini_snmpd", "config mini_snmpd\n"
	                             "\toption enabled 1\n"
	                             "\toption ipv6 0\n"
	                             "\toption community 'public'\n"
	                             "\toption location ''\n");
	iota_scan *s = scan();
	const iota_finding *f = NULL;
	assert_int_equal(count(s, "svc.snmp-community", "etc/snmp/snmpd.conf"), 2);
	for (size_t i = 0; i < s->nfindings; i++)
		if (!strcmp(s->findings[i].check, "svc.snmp-community") &&
		    s->findings[i].line == 4 && at_path(&s->findings[i], "etc/snmp/snmpd.conf"))
			f = &s->findings[i];
	assert_non_null(f);
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(find(s, "svc.snmp-community", "etc/config/mini_snmpd")->line, 4);
	assert_int_equal(count_prefix(s, "svc."), 3);
	iota_scan_free(s);
}

static void test_snmp_loopback_only(void **state)
{
	(void)state;
	/* Debian's default snmpd.conf: public, but the agent answers on loopback only */
	put("etc/snmp/snmpd.conf", "sysLocation    Sitting on the Dock of the Bay\n"
	                           "sysContact     Me <me@example.org>\n"
	                           "sysServices    72\n"
	                           "master  agentx\n"
	                           "agentaddress  127.0.0.1,[::1]\n"
	                           "view   systemonly  included   .1.3.6.1.2.1.1\n"
	                           "view   systemonly  included   .1.3.6.1.2.1.25.1\n"
	                           "rocommunity  public default -V systemonly\n"
	                           "rocommunity6 public default -V systemonly\n"
	                           "rouser authPrivUser authpriv -V systemonly\n"
	                           "includeDir /etc/snmp/snmpd.conf.d\n");
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "svc."), 0);
	assert_string_equal(
	    iota_node_attr_get(node_at(s, "etc/snmp/snmpd.conf"), "svc.snmp.agentaddress"),
	    "127.0.0.1,[::1]");
	iota_scan_free(s);
}

static void test_secrets_redacted(void **state)
{
	(void)state;
	/* recorded commands keep their shape, never their secrets */
	put("etc/crontab", "*/10 * * * * root curl -fsS -u admin:S3cretPassw0rd "
	                   "https://user:UrlSecret99@x.vendorcloud.net/ping\n");
	put("etc/init.d/S60snmp", "#!/bin/sh\n"
	                          "mini_snmpd -c Comm8nitySecret -D router &\n");
	iota_scan *s = scan();
	const char *cron = iota_node_attr_get(node_at(s, "etc/crontab"), "svc.cron.01");
	assert_non_null(cron);
	assert_null(strstr(cron, "S3cretPassw0rd"));
	assert_null(strstr(cron, "UrlSecret99"));
	assert_non_null(strstr(cron, "https://***@x.vendorcloud.net/ping"));
	const char *start = iota_node_attr_get(node_at(s, "etc/init.d/S60snmp"), "svc.start.01");
	assert_non_null(start);
	assert_null(strstr(start, "Comm8nitySecret"));
	/* a community that is not a default one is no svc.snmp-community finding */
	assert_int_equal(count(s, "svc.snmp-community", NULL), 0);
	assert_int_equal(count(s, "svc.snmp", "etc/init.d/S60snmp"), 1);
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_quotes_and_separators),
	    cmocka_unit_test(test_split_expansion_and_redirection),
	    cmocka_unit_test(test_split_program_word),
	    cmocka_unit_test(test_split_hostile_lengths),
	    cmocka_unit_test_setup_teardown(test_busybox_inittab, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clean_inittab, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_openwrt_procd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sysv_script, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inetd_systemd_cron, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snmp_communities, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snmp_loopback_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secrets_redacted, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
