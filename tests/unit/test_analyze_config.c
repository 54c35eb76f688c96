/* Unit tests: the configuration analyzer (src/analyze/analyze_config.c).
 * Real configuration files (Debian's sshd_config of openssh-server 9.2p1,
 * lighttpd.conf of lighttpd 1.4.69, mosquitto.conf of mosquitto 2.0.11,
 * OpenWrt UCI files) with planted weaknesses, and clean controls. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/scan.h"
#include "tree.h"
#include "unit.h"

/* Writes text with the first occurrence of from replaced by to. */
static void put_replaced(const char *rel, const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	assert_non_null(p);
	size_t n = strlen(text) + strlen(to) + 1;
	char *buf = malloc(n);
	assert_non_null(buf);
	snprintf(buf, n, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	put(rel, buf);
	free(buf);
}

static void chmod_rel(const char *rel, mode_t mode)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	assert_int_equal(chmod(path, mode), 0);
}

/* Debian bookworm, openssh-server 1:9.2p1-2: /usr/share/openssh/sshd_config */
static const char debian_sshd_config[] =
    "\n"
    "# This is the sshd server system-wide configuration file.  See\n"
    "# sshd_config(5) for more information.\n"
    "\n"
    "# This sshd was compiled with PATH=/usr/local/bin:/usr/bin:/bin:/usr/games\n"
    "\n"
    "# The strategy used for options in the default sshd_config shipped with\n"
    "# OpenSSH is to specify options with their default value where\n"
    "# possible, but leave them commented.  Uncommented options override the\n"
    "# default value.\n"
    "\n"
    "Include /etc/ssh/sshd_config.d/*.conf\n"
    "\n"
    "#Port 22\n"
    "#AddressFamily any\n"
    "#ListenAddress 0.0.0.0\n"
    "#ListenAddress ::\n"
    "\n"
    "#HostKey /etc/ssh/ssh_host_rsa_key\n"
    "#HostKey /etc/ssh/ssh_host_ecdsa_key\n"
    "#HostKey /etc/ssh/ssh_host_ed25519_key\n"
    "\n"
    "# Ciphers and keying\n"
    "#RekeyLimit default none\n"
    "\n"
    "# Logging\n"
    "#SyslogFacility AUTH\n"
    "#LogLevel INFO\n"
    "\n"
    "# Authentication:\n"
    "\n"
    "#LoginGraceTime 2m\n"
    "#PermitRootLogin prohibit-password\n"
    "#StrictModes yes\n"
    "#MaxAuthTries 6\n"
    "#MaxSessions 10\n"
    "\n"
    "#PubkeyAuthentication yes\n"
    "\n"
    "# Expect .ssh/authorized_keys2 to be disregarded by default in future.\n"
    "#AuthorizedKeysFile\t.ssh/authorized_keys .ssh/authorized_keys2\n"
    "\n"
    "#AuthorizedPrincipalsFile none\n"
    "\n"
    "#AuthorizedKeysCommand none\n"
    "#AuthorizedKeysCommandUser nobody\n"
    "\n"
    "# For this to work you will also need host keys in /etc/ssh/ssh_known_hosts\n"
    "#HostbasedAuthentication no\n"
    "# Change to yes if you don't trust ~/.ssh/known_hosts for\n"
    "# HostbasedAuthentication\n"
    "#IgnoreUserKnownHosts no\n"
    "# Don't read the user's ~/.rhosts and ~/.shosts files\n"
    "#IgnoreRhosts yes\n"
    "\n"
    "# To disable tunneled clear text passwords, change to no here!\n"
    "#PasswordAuthentication yes\n"
    "#PermitEmptyPasswords no\n"
    "\n"
    "# Change to yes to enable challenge-response passwords (beware issues with\n"
    "# some PAM modules and threads)\n"
    "KbdInteractiveAuthentication no\n"
    "\n"
    "# Kerberos options\n"
    "#KerberosAuthentication no\n"
    "#KerberosOrLocalPasswd yes\n"
    "#KerberosTicketCleanup yes\n"
    "#KerberosGetAFSToken no\n"
    "\n"
    "# GSSAPI options\n"
    "#GSSAPIAuthentication no\n"
    "#GSSAPICleanupCredentials yes\n"
    "#GSSAPIStrictAcceptorCheck yes\n"
    "#GSSAPIKeyExchange no\n"
    "\n"
    "# Set this to 'yes' to enable PAM authentication, account processing,\n"
    "# and session processing. If this is enabled, PAM authentication will\n"
    "# be allowed through the KbdInteractiveAuthentication and\n"
    "# PasswordAuthentication.  Depending on your PAM configuration,\n"
    "# PAM authentication via KbdInteractiveAuthentication may bypass\n"
    "# the setting of \"PermitRootLogin prohibit-password\".\n"
    "# If you just want the PAM account and session checks to run without\n"
    "# PAM authentication, then enable this but set PasswordAuthentication\n"
    "# and KbdInteractiveAuthentication to 'no'.\n"
    "UsePAM yes\n"
    "\n"
    "#AllowAgentForwarding yes\n"
    "#AllowTcpForwarding yes\n"
    "#GatewayPorts no\n"
    "X11Forwarding yes\n"
    "#X11DisplayOffset 10\n"
    "#X11UseLocalhost yes\n"
    "#PermitTTY yes\n"
    "PrintMotd no\n"
    "#PrintLastLog yes\n"
    "#TCPKeepAlive yes\n"
    "#PermitUserEnvironment no\n"
    "#Compression delayed\n"
    "#ClientAliveInterval 0\n"
    "#ClientAliveCountMax 3\n"
    "#UseDNS no\n"
    "#PidFile /run/sshd.pid\n"
    "#MaxStartups 10:30:100\n"
    "#PermitTunnel no\n"
    "#ChrootDirectory none\n"
    "#VersionAddendum none\n"
    "\n"
    "# no default banner path\n"
    "#Banner none\n"
    "\n"
    "# Allow client to pass locale environment variables\n"
    "AcceptEnv LANG LC_*\n"
    "\n"
    "# override default of no subsystems\n"
    "Subsystem\tsftp\t/usr/lib/openssh/sftp-server\n"
    "\n"
    "# Example of overriding settings on a per-user basis\n"
    "#Match User anoncvs\n"
    "#\tX11Forwarding no\n"
    "#\tAllowTcpForwarding no\n"
    "#\tPermitTTY no\n"
    "#\tForceCommand cvs server\n";

/* Debian bookworm, lighttpd 1.4.69-1: /etc/lighttpd/lighttpd.conf */
static const char debian_lighttpd_conf[] =
    "server.modules = (\n"
    "\t\"mod_indexfile\",\n"
    "\t\"mod_access\",\n"
    "\t\"mod_alias\",\n"
    " \t\"mod_redirect\",\n"
    ")\n"
    "\n"
    "server.document-root        = \"/var/www/html\"\n"
    "server.upload-dirs          = ( \"/var/cache/lighttpd/uploads\" )\n"
    "server.errorlog             = \"/var/log/lighttpd/error.log\"\n"
    "server.pid-file             = \"/run/lighttpd.pid\"\n"
    "server.username             = \"www-data\"\n"
    "server.groupname            = \"www-data\"\n"
    "server.port                 = 80\n"
    "\n"
    "# features\n"
    "#https://redmine.lighttpd.net/projects/lighttpd/wiki/Server_feature-flagsDetails\n"
    "server.feature-flags       += (\"server.h2proto\" => \"enable\")\n"
    "server.feature-flags       += (\"server.h2c\"     => \"enable\")\n"
    "server.feature-flags       += (\"server.graceful-shutdown-timeout\" => 5)\n"
    "#server.feature-flags       += (\"server.graceful-restart-bg\" => \"enable\")\n"
    "\n"
    "# strict parsing and normalization of URL for consistency and security\n"
    "# https://redmine.lighttpd.net/projects/lighttpd/wiki/Server_http-parseoptsDetails\n"
    "# (might need to explicitly set \"url-path-2f-decode\" = \"disable\"\n"
    "#  if a specific application is encoding URLs inside url-path)\n"
    "server.http-parseopts = (\n"
    "  \"header-strict\"           => \"enable\",# default\n"
    "  \"host-strict\"             => \"enable\",# default\n"
    "  \"host-normalize\"          => \"enable\",# default\n"
    "  \"url-normalize-unreserved\"=> \"enable\",# recommended highly\n"
    "  \"url-normalize-required\"  => \"enable\",# recommended\n"
    "  \"url-ctrls-reject\"        => \"enable\",# recommended\n"
    "  \"url-path-2f-decode\"      => \"enable\",# recommended highly (unless breaks app)\n"
    " #\"url-path-2f-reject\"      => \"enable\",\n"
    "  \"url-path-dotseg-remove\"  => \"enable\",# recommended highly (unless breaks app)\n"
    " #\"url-path-dotseg-reject\"  => \"enable\",\n"
    " #\"url-query-20-plus\"       => \"enable\",# consistency in query string\n"
    ")\n"
    "\n"
    "index-file.names            = ( \"index.php\", \"index.html\" )\n"
    "url.access-deny             = ( \"~\", \".inc\" )\n"
    "static-file.exclude-extensions = ( \".php\", \".pl\", \".fcgi\" )\n"
    "\n"
    "# default listening port for IPv6 falls back to the IPv4 port\n"
    "include_shell \"/usr/share/lighttpd/use-ipv6.pl \" + server.port\n"
    "include_shell \"/usr/share/lighttpd/create-mime.conf.pl\"\n"
    "include \"/etc/lighttpd/conf-enabled/*.conf\"\n"
    "\n"
    "#server.compat-module-load   = \"disable\"\n"
    "server.modules += (\n"
    "\t\"mod_dirlisting\",\n"
    "\t\"mod_staticfile\",\n"
    ")\n";

/* ---- sshd ---- */

static void test_sshd_root_login(void **state)
{
	(void)state;
	put_replaced("etc/ssh/sshd_config", debian_sshd_config,
	             "#PermitRootLogin prohibit-password", "PermitRootLogin yes");
	iota_scan *s = scan();
	const iota_finding *f = find(s, "cfg.ssh-root-login", "etc/ssh/sshd_config");
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(f->line, 33);
	assert_string_equal(f->evidence, "PermitRootLogin yes");
	assert_int_equal(count_prefix(s, "cfg.ssh"), 1);
	iota_node *n = node_at(s, "etc/ssh/sshd_config");
	assert_string_equal(iota_node_attr_get(n, "cfg.ssh.password_auth"), "yes");
	assert_string_equal(iota_node_attr_get(n, "cfg.ssh.include"),
	                    "12 /etc/ssh/sshd_config.d/*.conf");
	iota_scan_free(s);
}

static void test_sshd_clean(void **state)
{
	(void)state;
	put("etc/ssh/sshd_config", debian_sshd_config);
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "cfg."), 0);
	iota_scan_free(s);
}

static void test_sshd_dropin_wins(void **state)
{
	(void)state;
	/* Include comes first: the drop-in's value is the one sshd uses */
	put_replaced("etc/ssh/sshd_config", debian_sshd_config,
	             "#PermitRootLogin prohibit-password", "PermitRootLogin yes");
	put("etc/ssh/sshd_config.d/10-local.conf", "PermitRootLogin no\nCiphers +3des-cbc\n");
	iota_scan *s = scan();
	assert_int_equal(count(s, "cfg.ssh-root-login", NULL), 0);
	const iota_finding *f =
	    find(s, "cfg.ssh-weak-crypto", "etc/ssh/sshd_config.d/10-local.conf");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	assert_int_equal(count_prefix(s, "cfg."), 1);
	iota_scan_free(s);
}

static void test_sshd_empty_passwords_after_match(void **state)
{
	(void)state;
	put("etc/ssh/sshd_config", "PermitEmptyPasswords yes\n"
	                           "Match User guest\n"
	                           "\tPermitRootLogin yes\n");
	iota_scan *s = scan();
	assert_int_equal(find(s, "cfg.ssh-empty-passwords", "etc/ssh/sshd_config")->line, 1);
	/* inside a Match block: conditional, not the global setting */
	assert_int_equal(count(s, "cfg.ssh-root-login", NULL), 0);
	iota_scan_free(s);
}

/* ---- dropbear ---- */

static void test_dropbear_uci(void **state)
{
	(void)state;
	/* OpenWrt's default /etc/config/dropbear */
	put("etc/config/dropbear", "config dropbear\n"
	                           "\toption PasswordAuth 'on'\n"
	                           "\toption RootPasswordAuth 'on'\n"
	                           "\toption Port         '22'\n"
	                           "#\toption BannerFile   '/etc/banner'\n"
	                           "\n"
	                           "config dropbear\n"
	                           "\toption RootPasswordAuth 'off'\n"
	                           "\toption Port '2222'\n");
	iota_scan *s = scan();
	const iota_finding *f = find(s, "cfg.dropbear-root-login", "etc/config/dropbear");
	assert_int_equal(f->line, 3);
	assert_int_equal(count_prefix(s, "cfg."), 1);
	iota_scan_free(s);
}

static void test_dropbear_command_line(void **state)
{
	(void)state;
	put("etc/init.d/S50dropbear", "#!/bin/sh\n"
	                              "start-stop-daemon -S -x /usr/sbin/dropbear -- -B -p 22\n");
	put("etc/init.d/S51dropbear-lan", "#!/bin/sh\n"
	                                  "/usr/sbin/dropbear -w -s -p 192.168.1.1:22 &\n");
	iota_scan *s = scan();
	assert_int_equal(find(s, "cfg.dropbear-blank-password", "etc/init.d/S50dropbear")->line, 2);
	assert_int_equal(find(s, "cfg.dropbear-root-login", "etc/init.d/S50dropbear")->line, 2);
	assert_int_equal(count(s, "cfg.dropbear-root-login", "etc/init.d/S51dropbear-lan"), 0);
	assert_int_equal(count_prefix(s, "cfg."), 2);
	iota_scan_free(s);
}

/* ---- web servers ---- */

static void test_lighttpd_debian(void **state)
{
	(void)state;
	put("etc/lighttpd/lighttpd.conf", debian_lighttpd_conf);
	/* shipped, but only read when linked from conf-enabled */
	put("etc/lighttpd/conf-available/10-dir-listing.conf",
	    "dir-listing.encoding = \"utf-8\"\n"
	    "server.dir-listing   = \"enable\"\n");
	iota_scan *s = scan();
	const iota_finding *f = find(s, "cfg.web-no-tls", "etc/lighttpd/lighttpd.conf");
	assert_int_equal(f->severity, IOTA_SEV_MEDIUM);
	assert_int_equal(count(s, "cfg.web-dir-listing", NULL), 0);
	assert_int_equal(count_prefix(s, "cfg."), 1);
	iota_scan_free(s);
}

static void test_lighttpd_listing_enabled(void **state)
{
	(void)state;
	put("etc/lighttpd/lighttpd.conf", debian_lighttpd_conf);
	put("etc/lighttpd/conf-available/10-dir-listing.conf",
	    "dir-listing.encoding = \"utf-8\"\n"
	    "server.dir-listing   = \"enable\"\n");
	put("etc/lighttpd/conf-available/10-ssl.conf",
	    "$SERVER[\"socket\"] == \"0.0.0.0:443\" {\n"
	    "\tssl.engine  = \"enable\"\n"
	    "\tssl.pemfile = \"/etc/lighttpd/server.pem\"\n"
	    "}\n");
	put_link("../conf-available/10-dir-listing.conf",
	         "etc/lighttpd/conf-enabled/10-dir-listing.conf");
	put_link("../conf-available/10-ssl.conf", "etc/lighttpd/conf-enabled/10-ssl.conf");
	iota_scan *s = scan();
	const iota_finding *f =
	    find(s, "cfg.web-dir-listing", "etc/lighttpd/conf-available/10-dir-listing.conf");
	assert_int_equal(f->line, 2);
	assert_string_equal(f->evidence, "server.dir-listing   = \"enable\"");
	assert_int_equal(count(s, "cfg.web-no-tls", NULL), 0);
	assert_int_equal(count_prefix(s, "cfg."), 1);
	iota_scan_free(s);
}

static void test_nginx_uhttpd_boa(void **state)
{
	(void)state;
	put("etc/nginx/nginx.conf", "user www-data;\nevents {\n\tworker_connections 768;\n}\n"
	                            "http {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n");
	put("etc/nginx/sites-available/default", "server {\n"
	                                         "\tlisten 80 default_server;\n"
	                                         "\troot /var/www/html;\n"
	                                         "\tlocation /files/ {\n"
	                                         "\t\tautoindex on;\n"
	                                         "\t}\n"
	                                         "}\n");
	put_link("/etc/nginx/sites-available/default", "etc/nginx/sites-enabled/default");
	put("etc/config/uhttpd", "config uhttpd 'main'\n"
	                         "\tlist listen_http\t'0.0.0.0:80'\n"
	                         "\tlist listen_http\t'[::]:80'\n"
	                         "\toption home\t\t'/www'\n");
	put("etc/boa/boa.conf", "Port 80\nUser root\nDocumentRoot /www\n");
	iota_scan *s = scan();
	assert_int_equal(find(s, "cfg.web-dir-listing", "etc/nginx/sites-available/default")->line,
	                 5);
	assert_int_equal(count(s, "cfg.web-no-tls", "etc/nginx/nginx.conf"), 1);
	assert_int_equal(find(s, "cfg.web-no-tls", "etc/config/uhttpd")->line, 2);
	assert_int_equal(find(s, "cfg.web-no-tls", "etc/boa/boa.conf")->line, 1);
	assert_int_equal(count_prefix(s, "cfg."), 4);
	iota_scan_free(s);
}

static void test_web_clean(void **state)
{
	(void)state;
	put("etc/nginx/nginx.conf",
	    "http {\n\tserver {\n\t\tlisten 443 ssl;\n"
	    "\t\tssl_certificate /etc/ssl/x.pem;\n\t\tautoindex off;\n\t}\n}\n");
	put("etc/config/uhttpd", "config uhttpd 'main'\n"
	                         "\tlist listen_http\t'0.0.0.0:80'\n"
	                         "\tlist listen_https\t'0.0.0.0:443'\n"
	                         "\toption redirect_https\t'1'\n"
	                         "\toption cert\t\t'/etc/uhttpd.crt'\n"
	                         "\toption key\t\t'/etc/uhttpd.key'\n");
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "cfg."), 0);
	iota_scan_free(s);
}

/* ---- mosquitto ---- */

/* Debian bookworm, mosquitto 2.0.11: /etc/mosquitto/mosquitto.conf */
static const char debian_mosquitto_conf[] =
    "# Place your local configuration in /etc/mosquitto/conf.d/\n"
    "#\n"
    "# A full description of the configuration file is at\n"
    "# /usr/share/doc/mosquitto/examples/mosquitto.conf.example\n"
    "\n"
    "pid_file /run/mosquitto/mosquitto.pid\n"
    "\n"
    "persistence true\n"
    "persistence_location /var/lib/mosquitto/\n"
    "\n"
    "log_dest file /var/log/mosquitto/mosquitto.log\n"
    "\n"
    "include_dir /etc/mosquitto/conf.d\n";

static void test_mosquitto(void **state)
{
	(void)state;
	char conf[2048];
	snprintf(conf, sizeof conf, "%slistener 1883\nallow_anonymous true\n",
	         debian_mosquitto_conf);
	put("etc/mosquitto/mosquitto.conf", conf);
	iota_scan *s = scan();
	const iota_finding *f = find(s, "cfg.mqtt-anonymous", "etc/mosquitto/mosquitto.conf");
	assert_int_equal(f->severity, IOTA_SEV_HIGH);
	assert_int_equal(f->line, 15);
	f = find(s, "cfg.mqtt-plaintext", "etc/mosquitto/mosquitto.conf");
	assert_int_equal(f->line, 14);
	assert_string_equal(f->evidence, "listener 1883");
	assert_int_equal(count_prefix(s, "cfg."), 2);
	iota_scan_free(s);
}

static void test_mosquitto_clean(void **state)
{
	(void)state;
	put("etc/mosquitto/mosquitto.conf", debian_mosquitto_conf);
	put("etc/mosquitto/conf.d/tls.conf", "listener 8883\n"
	                                     "certfile /etc/mosquitto/certs/server.crt\n"
	                                     "keyfile /etc/mosquitto/certs/server.key\n"
	                                     "allow_anonymous false\n"
	                                     "password_file /etc/mosquitto/passwd\n"
	                                     "listener 1883 127.0.0.1\n");
	iota_scan *s = scan();
	assert_int_equal(count_prefix(s, "cfg."), 0);
	iota_scan_free(s);
}

/* ---- samba, Wi-Fi ---- */

static void test_samba(void **state)
{
	(void)state;
	put("etc/samba/smb.conf", "[global]\n"
	                          "   workgroup = WORKGROUP\n"
	                          "   map to guest = bad user\n"
	                          "   usershare allow guests = yes\n"
	                          "[printers]\n"
	                          "   comment = All Printers\n"
	                          "   browseable = no\n"
	                          "   guest ok = no\n"
	                          "[public]\n"
	                          "   path = /srv/public\n"
	                          "   guest ok = yes\n" /* line 11 */
	                          "   read only = no\n"
	                          "[music]\n"
	                          "   path = /srv/music\n"
	                          "   public = yes\n"); /* line 15 */
	iota_scan *s = scan();
	assert_int_equal(count(s, "cfg.smb-guest", NULL), 2);
	for (size_t i = 0; i < s->nfindings; i++) {
		const iota_finding *f = &s->findings[i];
		if (strcmp(f->check, "cfg.smb-guest") != 0)
			continue;
		assert_true(f->line == 11 || f->line == 15);
		assert_int_equal(f->severity, f->line == 11 ? IOTA_SEV_HIGH : IOTA_SEV_MEDIUM);
	}
	assert_string_equal(
	    iota_node_attr_get(node_at(s, "etc/samba/smb.conf"), "cfg.smb.map_to_guest"),
	    "bad user");
	iota_scan_free(s);
}

static void test_wifi(void **state)
{
	(void)state;
	put("etc/hostapd/hostapd.conf", "interface=wlan0\ndriver=nl80211\nssid=Setup-1234\n"
	                                "hw_mode=g\nchannel=6\nauth_algs=1\n");
	put("etc/hostapd/hostapd-wlan1.conf", "interface=wlan1\nssid=Home\nwpa=2\n"
	                                      "wpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\n"
	                                      "wpa_passphrase=correct horse battery\n");
	put("etc/config/wireless", "config wifi-device 'radio0'\n"
	                           "\toption type 'mac80211'\n"
	                           "\toption disabled '1'\n"
	                           "\n"
	                           "config wifi-iface 'default_radio0'\n"
	                           "\toption device 'radio0'\n"
	                           "\toption mode 'ap'\n"
	                           "\toption ssid 'OpenWrt'\n"
	                           "\toption encryption 'none'\n"
	                           "\n"
	                           "config wifi-device 'radio1'\n"
	                           "\toption type 'mac80211'\n"
	                           "\n"
	                           "config wifi-iface 'guest'\n"
	                           "\toption device 'radio1'\n"
	                           "\toption mode 'ap'\n"
	                           "\toption ssid 'Guest'\n"
	                           "\toption encryption 'wep-open'\n" /* line 18 */
	                           "\toption key '1'\n");
	put("etc/wpa_supplicant/wpa_supplicant.conf", "ctrl_interface=/run/wpa_supplicant\n"
	                                              "network={\n"
	                                              "\tssid=\"cafe\"\n"
	                                              "\tkey_mgmt=NONE\n"
	                                              "}\n");
	iota_scan *s = scan();
	assert_int_equal(find(s, "cfg.wifi-open", "etc/hostapd/hostapd.conf")->line, 3);
	assert_int_equal(find(s, "cfg.wifi-wep", "etc/config/wireless")->line, 18);
	const iota_finding *f = find(s, "cfg.wifi-open", "etc/wpa_supplicant/wpa_supplicant.conf");
	assert_int_equal(f->severity, IOTA_SEV_LOW);
	assert_int_equal(count_prefix(s, "cfg."), 3);
	iota_scan_free(s);
}

/* ---- file-system hygiene ---- */

/* A minimal ELF64 little-endian header with e_type type, then extra bytes. */
static void put_elf(const char *rel, uint16_t type, const char *extra, size_t extra_len)
{
	uint8_t buf[256] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	buf[16] = (uint8_t)type;
	buf[18] = 62; /* x86_64 */
	buf[20] = 1;
	assert_true(64 + extra_len <= sizeof buf);
	memcpy(buf + 64, extra, extra_len);
	put_bytes(rel, buf, 64 + extra_len);
}

static void test_hygiene(void **state)
{
	(void)state;
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	put("etc/passwd-", "root:x:0:0:root:/root:/bin/sh\n");
	put("etc/config/network.orig", "config interface 'lan'\n");
	put("usr/bin/helper", "#!/bin/sh\n");
	chmod_rel("usr/bin/helper", 04755);
	put("var/www/upload/.keep", "");
	chmod_rel("var/www/upload", 0777);
	put("tmp/.keep", "");
	chmod_rel("tmp", 01777);
	put("www/.git/HEAD", "ref: refs/heads/master\n");
	put_elf("var/core.1234", 4, "", 0);
	static const char path_str[] = "\0/home/builder/openwrt/build_dir/target/app.c\0";
	put_elf("usr/sbin/app", 2, path_str, sizeof path_str);
	char dev[512];
	snprintf(dev, sizeof dev, "%s/etc/mtdblock0", root);
	bool have_dev = mknod(dev, S_IFBLK | 0644, makedev(31, 0)) == 0;
	iota_scan *s = scan();

	const iota_finding *f = find(s, "cfg.setuid", "usr/bin/helper");
	assert_int_equal(f->severity, geteuid() == 0 ? IOTA_SEV_LOW : IOTA_SEV_INFO);
	assert_non_null(strstr(f->message, "mode 4755"));
	assert_int_equal(find(s, "cfg.world-writable", "var/www/upload")->severity,
	                 IOTA_SEV_MEDIUM);
	assert_int_equal(count(s, "cfg.world-writable", "tmp"), 0);
	assert_int_equal(count(s, "cfg.vcs-leftover", "www/.git"), 1);
	assert_int_equal(count(s, "cfg.backup-file", "etc/config/network.orig"), 1);
	assert_int_equal(count(s, "cfg.backup-file", "etc/passwd-"), 0);
	assert_int_equal(find(s, "cfg.core-dump", "var/core.1234")->severity, IOTA_SEV_MEDIUM);
	f = find(s, "cfg.build-path", "usr/sbin/app");
	assert_int_equal(f->severity, IOTA_SEV_INFO);
	assert_string_equal(f->evidence, "/home/builder/");
	assert_int_equal(count(s, "cfg.device-node", "etc/mtdblock0"), have_dev ? 1 : 0);
	assert_int_equal(count_prefix(s, "cfg."), 6 + (have_dev ? 1 : 0));
	iota_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sshd_root_login, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sshd_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sshd_dropin_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sshd_empty_passwords_after_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dropbear_uci, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dropbear_command_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lighttpd_debian, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lighttpd_listing_enabled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nginx_uhttpd_boa, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_web_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mosquitto, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mosquitto_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_samba, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wifi, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hygiene, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
