/*
 * Update mechanism: which updater the image carries, whether what it
 * installs is signature-checked, whether it is fetched over clear-text
 * transport, and what hints of downgrade protection exist.
 *
 * Mechanisms and the files read:
 *   OpenWrt sysupgrade  sbin/sysupgrade, lib/upgrade/ (fwtool.sh checks an
 *                       image signature with ucert only when
 *                       REQUIRE_IMAGE_SIGNATURE=1, set literally in a
 *                       lib/upgrade script or by UCI system.require_image_signature),
 *                       usign keys in etc/opkg/keys
 *   opkg                etc/opkg.conf "option check_signature", feeds "src/gz NAME URL"
 *   apt                 sources.list(5) one-line "deb [options] URI suite" with
 *                       trusted=yes / allow-insecure=yes, deb822 "Trusted: yes",
 *                       apt.conf AllowUnauthenticated
 *   apk                 etc/apk/repositories (signed by default, etc/apk/keys)
 *   yum/dnf             *.repo gpgcheck=0, baseurl
 *   RAUC                etc/rauc/system.conf [keyring] (bundles are always signed)
 *   Mender              mender.conf (JSON): ServerURL, ArtifactVerifyKey(s), SkipVerify
 *   SWUpdate            swupdate.cfg public-key-file and suricatta url; the
 *                       binary's "sw-description.sig" string (built with
 *                       CONFIG_SIGNED_IMAGES); -k / -N on its command line
 *   fwupd               remotes.d/NAME.conf MetadataURI (metadata is signed)
 *   vendor scripts      shell scripts (and ELF programs) whose names say
 *                       upgrade/update/firmware/fw/ota and that download with
 *                       wget/curl/uclient-fetch/tftp/ftpget; signature tools
 *                       (usign -V, ucert -V, openssl dgst|pkeyutl|rsautl -verify,
 *                       openssl smime|cms -verify, gpg --verify, gpgv, signify -V,
 *                       minisign -V) in the same script count as verification,
 *                       checksums (md5sum, sha256sum...) do not
 *
 * Check id                          STANDARDS.md §9
 *   update.none                     U01
 *   update.unsigned                 U02 B03
 *   update.plaintext                U03
 *   update.tls-noverify             U03 K04
 *   update.no-downgrade-protection  U04 (needs evidence)
 *
 * mender.conf is read with jansson; the line formats by hand (textscan.h).
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/textscan.h"
#include "core/analyzer.h"
#include "util/alloc.h"

#define MAX_TEXT (4u << 20)
#define LINE_CAP 4096

enum kind {
	K_NONE,
	K_SCRIPT,
	K_UPGRADE_LIB,
	K_ELF,
	K_OPKG_CONF,
	K_OPKG_FEEDS,
	K_APT_LIST,
	K_APT_DEB822,
	K_APT_CONF,
	K_APK_REPOS,
	K_YUM_REPO,
	K_RAUC,
	K_MENDER,
	K_SWUPDATE_CFG,
	K_FWUPD_REMOTE,
	K_UCI_SYSTEM
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), k = strlen(suffix);
	return l >= k && !strcmp(s + l - k, suffix);
}

/* A name that says "update": a substring for the long words, a token
 * (bounded by start, end, '_', '-', '.') for "fw" and "ota". strong: a
 * firmware word (upgrade, firmware, fw, ota), not "update" alone, which
 * also names data refreshers (update-pciids, update-ca-certificates). */
static bool name_says(const char *name, bool strong)
{
	char low[IOTA_MAX_NAME + 1];
	size_t i = 0;
	for (; name[i] && i < IOTA_MAX_NAME; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	if (strstr(low, "upgrade") || strstr(low, "firmware") || (!strong && strstr(low, "update")))
		return true;
	static const char *const tok[] = {"fw", "ota", "fwup", "fwupgrade"};
	for (size_t t = 0; t < sizeof tok / sizeof tok[0]; t++) {
		size_t tl = strlen(tok[t]);
		for (const char *p = low; (p = strstr(p, tok[t])) != NULL; p++) {
			bool left = p == low || strchr("_-.", p[-1]);
			bool right = !p[tl] || strchr("_-.", p[tl]);
			if (left && right)
				return true;
		}
	}
	return false;
}

static bool update_name(const char *name)
{
	return name_says(name, false);
}

static enum kind classify(const iota_node *n, const uint8_t *head, size_t head_len)
{
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		return K_NONE;
	if (iota_ts_in_docs(n))
		return K_NONE;
	const char *name = n->name ? n->name : "";
	bool elf = head_len >= 20 && !memcmp(head,
	                                     "\x7f"
	                                     "ELF",
	                                     4);
	if (elf)
		return update_name(name) || !strcmp(name, "swupdate") ? K_ELF : K_NONE;
	if (iota_ts_path_within(path, "lib/upgrade") || iota_ts_path_is(path, "sbin/sysupgrade"))
		return K_UPGRADE_LIB;
	if (iota_ts_path_is(path, "etc/opkg.conf"))
		return K_OPKG_CONF;
	if (iota_ts_path_in(path, "etc/opkg") && ends_with(name, ".conf"))
		return K_OPKG_FEEDS;
	if (iota_ts_path_is(path, "etc/apt/sources.list") ||
	    (iota_ts_path_in(path, "etc/apt/sources.list.d") && ends_with(name, ".list")))
		return K_APT_LIST;
	if (iota_ts_path_in(path, "etc/apt/sources.list.d") && ends_with(name, ".sources"))
		return K_APT_DEB822;
	if (iota_ts_path_in(path, "etc/apt/apt.conf.d") ||
	    iota_ts_path_is(path, "etc/apt/apt.conf"))
		return K_APT_CONF;
	if (iota_ts_path_is(path, "etc/apk/repositories"))
		return K_APK_REPOS;
	if (iota_ts_path_in(path, "etc/yum.repos.d") && ends_with(name, ".repo"))
		return K_YUM_REPO;
	if (iota_ts_path_is(path, "etc/rauc/system.conf"))
		return K_RAUC;
	if (!strcmp(name, "mender.conf"))
		return K_MENDER;
	if (!strcmp(name, "swupdate.cfg") ||
	    (iota_ts_path_in(path, "etc/swupdate") && ends_with(name, ".cfg")))
		return K_SWUPDATE_CFG;
	if (iota_ts_path_in(path, "fwupd/remotes.d") && ends_with(name, ".conf"))
		return K_FWUPD_REMOTE;
	if (iota_ts_path_is(path, "etc/config/system"))
		return K_UCI_SYSTEM;
	if (update_name(name))
		return K_SCRIPT;
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
	iota_ts_split sp;
	iota_ts_vars vars;
	char urls[1000], verify[256], checksum[128], download[128], flash[128], downgrade[256];
	uint32_t url_line[16];
	char url_list[16][256];
	int nurl;
	uint32_t download_line, flash_line;
	int findings;
};

static void emit(struct ctx *c, const char *check, iota_severity sev, int conf, uint32_t line,
                 const char *msg, const char *ev)
{
	if (c->findings >= 16)
		return;
	c->findings++;
	iota_finding_emit(c->s, &(iota_finding){.check = check,
	                                        .severity = sev,
	                                        .confidence = conf,
	                                        .node = c->n,
	                                        .offset = UINT64_MAX,
	                                        .line = line,
	                                        .message = msg,
	                                        .evidence = ev});
}

static bool plain_scheme(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "ftp://", 6) ||
	       !strncasecmp(url, "tftp://", 7);
}

static bool example_url(const char *url)
{
	const char *h = strstr(url, "://");
	if (!h)
		return true;
	h += 3;
	char host[128];
	size_t hl = strcspn(h, "/:?#");
	snprintf(host, sizeof host, "%.*s", (int)(hl < 127 ? hl : 127), h);
	static const char *const ex[] = {"example.com", "example.net", "example.org",
	                                 ".example",    ".test",       ".invalid",
	                                 "192.0.2.",    "198.51.100.", "203.0.113."};
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++)
		if (strstr(host, ex[i]))
			return true;
	return false;
}

/* Keeps a URL found in an update path (scheme http/https/ftp/tftp). */
static void add_url(struct ctx *c, const char *u, size_t n, uint32_t line)
{
	char url[256];
	while (n && strchr(".,;:)'\"", u[n - 1]))
		n--;
	snprintf(url, sizeof url, "%.*s", (int)(n < 255 ? n : 255), u);
	if (!(plain_scheme(url) || !strncasecmp(url, "https://", 8)) || example_url(url))
		return;
	/* never keep user information */
	char *sch = strstr(url, "://"), *at = sch ? strchr(sch + 3, '@') : NULL,
	     *slash = sch ? strchr(sch + 3, '/') : NULL;
	if (at && (!slash || at < slash))
		memmove(sch + 3, at + 1, strlen(at + 1) + 1);
	for (int i = 0; i < c->nurl; i++)
		if (!strcmp(c->url_list[i], url))
			return;
	iota_ts_list_add(c->urls, sizeof c->urls, url);
	if (c->nurl < 16) {
		iota_ts_copy(c->url_list[c->nurl], sizeof c->url_list[0], url);
		c->url_line[c->nurl++] = line;
	}
}

static void urls_in(struct ctx *c, const char *s, size_t n, uint32_t line)
{
	for (size_t k = 0; k + 3 < n; k++) {
		if (memcmp(s + k, "://", 3) != 0)
			continue;
		size_t b = k;
		while (b > 0 && isalpha((unsigned char)s[b - 1]))
			b--;
		size_t e = k + 3;
		while (e < n && (unsigned char)s[e] > ' ' && (unsigned char)s[e] < 0x7f &&
		       !strchr("\"'`<>\\|", s[e]))
			e++;
		if (k - b >= 3 && k - b <= 5)
			add_url(c, s + b, e - b, line);
		k = e;
	}
}

static bool word_has(const iota_ts_cmd *cmd, int from, const char *w)
{
	for (int i = from; i < cmd->argc; i++)
		if (!strcmp(cmd->argv[i], w))
			return true;
	return false;
}

/* Classifies one command of an update script. */
static void command(struct ctx *c, const iota_ts_cmd *cmd, uint32_t line)
{
	int prog = iota_ts_cmd_program(cmd);
	if (prog < 0 || cmd->dynamic[prog])
		return;
	const char *base = iota_ts_basename(cmd->argv[prog]);
	if (!strcmp(base, "busybox") && prog + 1 < cmd->argc)
		base = iota_ts_basename(cmd->argv[++prog]);
	static const char *const dl[] = {"wget",   "curl",  "uclient-fetch", "tftp",  "atftp",
	                                 "ftpget", "fetch", "lftp",          "rsync", "scp"};
	for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++)
		if (!strcmp(base, dl[i])) {
			iota_ts_list_add(c->download, sizeof c->download, base);
			/* its URLs, after expansion: "wget $URL" with URL=http://... */
			for (int w = prog + 1; w < cmd->argc; w++)
				if (strstr(cmd->argv[w], "://"))
					urls_in(c, cmd->argv[w], strlen(cmd->argv[w]), line);
			if (!c->download_line)
				c->download_line = line;
			if (!strcmp(base, "tftp") || !strcmp(base, "atftp")) {
				/* tftp [-g] [-r remote] [-l local] HOST [PORT] */
				const char *host = NULL, *remote = "";
				for (int k = prog + 1; k < cmd->argc; k++) {
					const char *w = cmd->argv[k];
					if ((!strcmp(w, "-r") || !strcmp(w, "-l") ||
					     !strcmp(w, "-b")) &&
					    k + 1 < cmd->argc) {
						if (!strcmp(w, "-r"))
							remote = cmd->argv[k + 1];
						k++;
					} else if (w[0] != '-' && !host) {
						host = w;
					}
				}
				if (host) {
					char u[256];
					snprintf(u, sizeof u, "tftp://%s/%s", host, remote);
					add_url(c, u, strlen(u), line);
				}
			}
			if (!strcmp(base, "ftpget")) {
				/* ftpget [options] HOST LOCAL REMOTE */
				int k = prog + 1;
				while (k < cmd->argc && cmd->argv[k][0] == '-')
					k += (strlen(cmd->argv[k]) == 2 &&
					      strchr("upP", cmd->argv[k][1]))
					         ? 2
					         : 1;
				if (k + 2 < cmd->argc) {
					char u[256];
					snprintf(u, sizeof u, "ftp://%s/%s", cmd->argv[k],
					         cmd->argv[k + 2]);
					add_url(c, u, strlen(u), line);
				}
			}
		}
	bool verify = false;
	const char *what = base;
	if ((!strcmp(base, "usign") || !strcmp(base, "ucert") || !strcmp(base, "signify") ||
	     !strcmp(base, "minisign")) &&
	    word_has(cmd, prog + 1, "-V"))
		verify = true;
	else if (!strcmp(base, "gpgv") || !strcmp(base, "gpgv2"))
		verify = true;
	else if ((!strcmp(base, "gpg") || !strcmp(base, "gpg2")) &&
	         word_has(cmd, prog + 1, "--verify"))
		verify = true;
	else if (!strcmp(base, "openssl") && prog + 1 < cmd->argc) {
		const char *sub = cmd->argv[prog + 1];
		if ((!strcmp(sub, "dgst") && (word_has(cmd, prog + 2, "-verify") ||
		                              word_has(cmd, prog + 2, "-prverify"))) ||
		    ((!strcmp(sub, "smime") || !strcmp(sub, "cms") || !strcmp(sub, "pkeyutl") ||
		      !strcmp(sub, "rsautl")) &&
		     word_has(cmd, prog + 2, "-verify"))) {
			verify = true;
			what = sub;
		}
	}
	if (verify) {
		char v[64];
		snprintf(v, sizeof v, "%s%s%s", base, what != base ? " " : "",
		         what != base ? what : "");
		iota_ts_list_add(c->verify, sizeof c->verify, v);
	}
	static const char *const sums[] = {"md5sum", "sha1sum", "sha256sum", "sha512sum",
	                                   "cksum",  "crc32",   "md5",       "sha256"};
	for (size_t i = 0; i < sizeof sums / sizeof sums[0]; i++)
		if (!strcmp(base, sums[i]))
			iota_ts_list_add(c->checksum, sizeof c->checksum, base);
	bool flash = false;
	if (!strcmp(base, "mtd") &&
	    (word_has(cmd, prog + 1, "write") || word_has(cmd, prog + 1, "-r")))
		flash = true;
	else if (!strcmp(base, "flashcp") || !strcmp(base, "nandwrite") ||
	         !strcmp(base, "ubiupdatevol") || !strcmp(base, "sysupgrade") ||
	         !strcmp(base, "flash_erase") || !strcmp(base, "mtd_write"))
		flash = true;
	else if (!strcmp(base, "dd"))
		for (int k = prog + 1; k < cmd->argc; k++)
			if (!strncmp(cmd->argv[k], "of=/dev/mtd", 11) ||
			    !strncmp(cmd->argv[k], "of=/dev/mmcblk", 14) ||
			    !strncmp(cmd->argv[k], "of=/dev/sd", 10) ||
			    !strncmp(cmd->argv[k], "of=/dev/nand", 12))
				flash = true;
	if (flash) {
		iota_ts_list_add(c->flash, sizeof c->flash, base);
		if (!c->flash_line)
			c->flash_line = line;
	}
	if (!strcmp(base, "swupdate") &&
	    (word_has(cmd, prog + 1, "-N") || word_has(cmd, prog + 1, "--no-downgrading")))
		iota_ts_list_add(c->downgrade, sizeof c->downgrade, "swupdate -N");
}

static void assignments(struct ctx *c, const iota_ts_cmd *cmd)
{
	for (int i = 0; i < cmd->argc; i++) {
		const char *w = cmd->argv[i];
		const char *eq = strchr(w, '=');
		if (!eq || eq == w)
			return;
		for (const char *p = w; p < eq; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return;
	}
	for (int i = 0; i < cmd->argc; i++) {
		const char *eq = strchr(cmd->argv[i], '=');
		if (cmd->dynamic[i])
			iota_ts_var_unset(&c->vars, cmd->argv[i], (size_t)(eq - cmd->argv[i]));
		else
			iota_ts_var_set(&c->vars, cmd->argv[i], (size_t)(eq - cmd->argv[i]),
			                eq + 1);
	}
}

static void parse_script(struct ctx *c, const iota_blob *b)
{
	char *line = iota_malloc(LINE_CAP);
	if (!line)
		return;
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	size_t len;
	uint32_t no;
	char heredoc[64] = "";
	while (iota_ts_next_logical(&it, line, LINE_CAP, &len, &no)) {
		if (heredoc[0]) {
			char t[128];
			iota_ts_copy_trim(t, sizeof t, line, len);
			if (!strcmp(t, heredoc))
				heredoc[0] = '\0';
			continue;
		}
		size_t lead = strspn(line, " \t");
		if (lead < len && line[lead] == '#')
			continue;
		if (iota_ts_istr(line, len, "downgrad") || iota_ts_istr(line, len, "rollback") ||
		    iota_ts_istr(line, len, "anti_rollback") ||
		    iota_ts_istr(line, len, "version_compare"))
			iota_ts_list_add(c->downgrade, sizeof c->downgrade,
			                 "script mentions downgrade/rollback");
		int n = iota_ts_shell_split(line, len, &c->vars, &c->sp);
		for (int k = 0; k < n; k++) {
			iota_ts_cmd *cmd = &c->sp.cmd[k];
			assignments(c, cmd);
			command(c, cmd, no);
		}
		if (c->sp.heredoc[0])
			iota_ts_copy(heredoc, sizeof heredoc, c->sp.heredoc);
	}
	iota_free(line);
}

static void record(struct ctx *c, const char *kind)
{
	iota_node_attr(c->s, c->n, "update.kind", "%s", kind);
	if (c->urls[0])
		iota_node_attr(c->s, c->n, "update.url", "%s", c->urls);
	if (c->download[0])
		iota_node_attr(c->s, c->n, "update.download", "%s", c->download);
	if (c->verify[0])
		iota_node_attr(c->s, c->n, "update.verify", "%s", c->verify);
	if (c->checksum[0])
		iota_node_attr(c->s, c->n, "update.checksum", "%s", c->checksum);
	if (c->flash[0])
		iota_node_attr(c->s, c->n, "update.flash", "%s", c->flash);
	if (c->downgrade[0])
		iota_node_attr(c->s, c->n, "update.downgrade", "%s", c->downgrade);
}

static void plaintext_findings(struct ctx *c, bool signed_path, const char *what)
{
	for (int i = 0; i < c->nurl; i++) {
		if (!plain_scheme(c->url_list[i]))
			continue;
		char msg[600];
		snprintf(msg, sizeof msg, "%s fetches %s over clear-text %.*s%s", what,
		         c->url_list[i], (int)strcspn(c->url_list[i], ":"), c->url_list[i],
		         signed_path
		             ? ": the signature check protects the content, but an observer sees "
		               "and can withhold the updates"
		             : " with no signature check: anyone on the path can substitute the "
		               "update");
		emit(c, "update.plaintext", signed_path ? IOTA_SEV_LOW : IOTA_SEV_MEDIUM,
		     signed_path ? 80 : 85, c->url_line[i], msg, c->url_list[i]);
	}
}

static bool image_url(const char *url)
{
	static const char *const hint[] = {".bin",     ".img",    ".trx",   ".chk", ".swu",
	                                   ".ipk",     ".fw",     ".tar",   ".tgz", ".zip",
	                                   "firmware", "upgrade", "update", "/fw",  "ota"};
	for (size_t i = 0; i < sizeof hint / sizeof hint[0]; i++)
		if (iota_ts_istr(url, strlen(url), hint[i]))
			return true;
	return false;
}

/* A vendor update script or program: it downloads (a download command;
 * for a program also a URL to an image) and either writes flash or is
 * named for firmware updates. */
static void judge_script(struct ctx *c, bool binary)
{
	bool strong = name_says(c->n->name ? c->n->name : "", true);
	bool downloads = c->download[0] != '\0';
	if (binary)
		for (int i = 0; i < c->nurl && !downloads; i++)
			downloads = image_url(c->url_list[i]);
	if (!downloads || !(strong || c->flash[0]))
		return;
	record(c, binary ? "vendor-program" : "vendor-script");
	bool verified = c->verify[0] != '\0';
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(c->n, path, sizeof path) < 0)
		path[0] = '\0';
	if (!verified) {
		char msg[900], ev[640];
		snprintf(msg, sizeof msg,
		         "update %s %.300s downloads%s%s%s without any signature check%s%s%s: a "
		         "modified "
		         "image is installed as readily as the vendor's",
		         binary ? "program" : "script", path, c->download[0] ? " with " : "",
		         c->download, c->flash[0] ? " and writes flash" : "",
		         c->checksum[0] ? " (only a checksum: " : "", c->checksum,
		         c->checksum[0]
		             ? ", which protects against corruption, not against an attacker)"
		             : "");
		snprintf(ev, sizeof ev, "download: %s; flash: %s; verification: none%s%s",
		         c->download[0] ? c->download : "URL", c->flash[0] ? c->flash : "not seen",
		         c->checksum[0] ? "; checksum: " : "", c->checksum);
		emit(c, "update.unsigned", IOTA_SEV_HIGH, binary ? 50 : 70,
		     c->download_line ? c->download_line : c->flash_line, msg, ev);
	}
	plaintext_findings(c, verified, binary ? "update program" : "update script");
}

/* ---- package managers and update frameworks ---- */

static void parse_opkg_conf(struct ctx *c, const iota_blob *b, bool main_conf)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool check = false;
	int feeds = 0;
	while (iota_ts_next_line(&it, &l, &len)) {
		if (iota_ts_shell_split(l, len, NULL, &c->sp) < 1)
			continue;
		iota_ts_cmd *cmd = &c->sp.cmd[0];
		if (!strcmp(cmd->argv[0], "option") && cmd->argc >= 2 &&
		    !strcmp(cmd->argv[1], "check_signature"))
			check = cmd->argc < 3 || !iota_ts_falsy(cmd->argv[2]);
		if (!strncmp(cmd->argv[0], "src", 3) && cmd->argc >= 3) {
			feeds++;
			char url[300], series[320];
			iota_ts_copy(url, sizeof url, cmd->argv[2]);
			iota_ts_strip_userinfo(url);
			snprintf(series, sizeof series, "line %u: %s", it.no, url);
			iota_ts_attr_series(c->s, c->n, "update.feed", series);
		}
	}
	if (main_conf)
		iota_node_attr(c->s, c->n, "update.opkg.check_signature", "%s",
		               check ? "yes" : "no");
	iota_node_attr(c->s, c->n, "update.kind", "opkg");
	(void)feeds;
}

static void parse_apt(struct ctx *c, const iota_blob *b, enum kind k)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool trusted = false;
	iota_node_attr(c->s, c->n, "update.kind", "apt");
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[LINE_CAP];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!buf[0] || buf[0] == '#')
			continue;
		if (k == K_APT_CONF) {
			if (iota_ts_istr(buf, strlen(buf), "AllowUnauthenticated") &&
			    iota_ts_istr(buf, strlen(buf), "true"))
				emit(c, "update.unsigned", IOTA_SEV_HIGH, 90, it.no,
				     "apt is configured to install unauthenticated packages "
				     "(AllowUnauthenticated true): package signatures are not "
				     "enforced",
				     buf);
			continue;
		}
		if (k == K_APT_DEB822) {
			char key[64], val[512];
			if (!iota_ts_keyval(buf, strlen(buf), key, sizeof key, val, sizeof val))
				continue;
			if (!strcasecmp(key, "Trusted") && iota_ts_truthy(val)) {
				trusted = true;
				emit(c, "update.unsigned", IOTA_SEV_HIGH, 90, it.no,
				     "apt source marked \"Trusted: yes\": its packages are "
				     "installed without "
				     "signature checks",
				     buf);
			} else if (!strcasecmp(key, "URIs")) {
				urls_in(c, val, strlen(val), it.no);
			}
			continue;
		}
		/* deb [ options ] uri suite [components] */
		if (strncmp(buf, "deb", 3) != 0)
			continue;
		char *p = buf + 3;
		if (!strncmp(p, "-src", 4))
			p += 4;
		if (*p != ' ' && *p != '\t')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			char *e = strchr(p, ']');
			if (!e)
				continue;
			*e = '\0';
			if (strstr(p, "trusted=yes") || strstr(p, "allow-insecure=yes")) {
				trusted = true;
				emit(c, "update.unsigned", IOTA_SEV_HIGH, 90, it.no,
				     "apt source with trusted=yes (or allow-insecure=yes): its "
				     "packages are "
				     "installed without signature checks",
				     p + 1);
			}
			p = e + 1;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		urls_in(c, p, strcspn(p, " \t"), it.no);
	}
	if (c->urls[0])
		iota_node_attr(c->s, c->n, "update.url", "%s", c->urls);
	plaintext_findings(c, !trusted, "apt");
}

static void parse_apk(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	iota_node_attr(c->s, c->n, "update.kind", "apk");
	while (iota_ts_next_line(&it, &l, &len)) {
		size_t lead = 0;
		while (lead < len && (l[lead] == ' ' || l[lead] == '\t'))
			lead++;
		if (lead < len && l[lead] != '#')
			urls_in(c, l, len, it.no);
	}
	if (c->urls[0])
		iota_node_attr(c->s, c->n, "update.url", "%s", c->urls);
	plaintext_findings(c, true, "apk");
}

static void parse_yum(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool unsigned_repo = false;
	iota_node_attr(c->s, c->n, "update.kind", "yum");
	while (iota_ts_next_line(&it, &l, &len)) {
		char key[64], val[512];
		if (!iota_ts_keyval(l, len, key, sizeof key, val, sizeof val))
			continue;
		if (!strcmp(key, "gpgcheck") && iota_ts_falsy(val)) {
			unsigned_repo = true;
			emit(c, "update.unsigned", IOTA_SEV_HIGH, 90, it.no,
			     "package repository with gpgcheck=0: packages are installed without "
			     "signature checks",
			     "gpgcheck=0");
		} else if (!strcmp(key, "baseurl") || !strcmp(key, "mirrorlist") ||
		           !strcmp(key, "metalink")) {
			urls_in(c, val, strlen(val), it.no);
		}
	}
	plaintext_findings(c, !unsigned_repo, "the package manager");
}

static void parse_rauc(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	char section[64] = "";
	iota_node_attr(c->s, c->n, "update.kind", "rauc");
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[512];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (buf[0] == '[') {
			iota_ts_copy(section, sizeof section, buf);
			continue;
		}
		char key[64], val[400];
		if (!iota_ts_keyval(buf, strlen(buf), key, sizeof key, val, sizeof val))
			continue;
		if (!strcmp(section, "[keyring]") &&
		    (!strcmp(key, "path") || !strcmp(key, "directory")))
			iota_node_attr(c->s, c->n, "update.verify", "rauc keyring %s", val);
	}
}

static void parse_mender(struct ctx *c, const iota_blob *b)
{
	json_error_t err;
	json_t *root = json_loadb((const char *)b->data, b->len, JSON_REJECT_DUPLICATES, &err);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return;
	}
	iota_node_attr(c->s, c->n, "update.kind", "mender");
	json_t *key = json_object_get(root, "ArtifactVerifyKey");
	json_t *keys = json_object_get(root, "ArtifactVerifyKeys");
	bool verify = (json_is_string(key) && json_string_length(key) > 0) ||
	              (json_is_array(keys) && json_array_size(keys) > 0);
	if (verify)
		iota_node_attr(c->s, c->n, "update.verify", "mender ArtifactVerifyKey");
	json_t *skip = json_object_get(root, "SkipVerify");
	if (json_is_true(skip))
		emit(c, "update.tls-noverify", IOTA_SEV_HIGH, 95, 0,
		     "Mender does not check the update server's TLS certificate (SkipVerify true): "
		     "anyone on the path can pose as the server",
		     "\"SkipVerify\": true");
	const char *url = NULL;
	json_t *su = json_object_get(root, "ServerURL");
	if (json_is_string(su))
		url = json_string_value(su);
	json_t *servers = json_object_get(root, "Servers");
	if (!url && json_is_array(servers) && json_array_size(servers) > 0) {
		json_t *s0 = json_object_get(json_array_get(servers, 0), "ServerURL");
		if (json_is_string(s0))
			url = json_string_value(s0);
	}
	if (url)
		add_url(c, url, strlen(url), 0);
	if (c->urls[0])
		iota_node_attr(c->s, c->n, "update.url", "%s", c->urls);
	if (!verify)
		emit(c, "update.unsigned", IOTA_SEV_MEDIUM, 70, 0,
		     "Mender installs artifacts without a signature check: no ArtifactVerifyKey is "
		     "configured",
		     "no ArtifactVerifyKey");
	plaintext_findings(c, verify, "Mender");
	json_decref(root);
}

static void parse_swupdate_cfg(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	iota_node_attr(c->s, c->n, "update.kind", "swupdate");
	while (iota_ts_next_line(&it, &l, &len)) {
		char buf[512];
		iota_ts_copy_trim(buf, sizeof buf, l, len);
		if (!buf[0] || buf[0] == '#' || (buf[0] == '/' && buf[1] == '/'))
			continue;
		if (strstr(buf, "public-key-file"))
			iota_node_attr(c->s, c->n, "update.verify", "swupdate public-key-file");
		if (strstr(buf, "url") && strstr(buf, "://"))
			urls_in(c, buf, strlen(buf), it.no);
		if (strstr(buf, "no-downgrading"))
			iota_node_attr(c->s, c->n, "update.downgrade", "swupdate no-downgrading");
	}
	if (c->urls[0])
		iota_node_attr(c->s, c->n, "update.url", "%s", c->urls);
}

static void parse_fwupd_remote(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool enabled = true;
	iota_node_attr(c->s, c->n, "update.kind", "fwupd");
	while (iota_ts_next_line(&it, &l, &len)) {
		char key[64], val[512];
		if (!iota_ts_keyval(l, len, key, sizeof key, val, sizeof val))
			continue;
		if (!strcmp(key, "Enabled"))
			enabled = iota_ts_truthy(val);
		else if (!strcmp(key, "MetadataURI") || !strcmp(key, "FirmwareBaseURI"))
			urls_in(c, val, strlen(val), it.no);
	}
	if (c->urls[0])
		iota_node_attr(c->s, c->n, "update.url", "%s", c->urls);
	if (enabled)
		plaintext_findings(c, true, "fwupd");
}

static void parse_uci_system(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	while (iota_ts_next_line(&it, &l, &len)) {
		if (iota_ts_shell_split(l, len, NULL, &c->sp) < 1)
			continue;
		iota_ts_cmd *cmd = &c->sp.cmd[0];
		if (!strcmp(cmd->argv[0], "option") && cmd->argc >= 3 &&
		    !strcmp(cmd->argv[1], "require_image_signature"))
			iota_node_attr(c->s, c->n, "update.require_image_signature", "%s",
			               iota_ts_truthy(cmd->argv[2]) ? "yes" : "no");
	}
}

/* lib/upgrade scripts: is REQUIRE_IMAGE_SIGNATURE set to 1 literally, and
 * do they check signatures themselves (outside fwtool's gated check)? */
static void parse_upgrade_lib(struct ctx *c, const iota_blob *b)
{
	iota_ts_lines it;
	iota_ts_lines_init(&it, b->data, b->len);
	const char *l;
	size_t len;
	bool fwtool = c->n->name && !strcmp(c->n->name, "fwtool.sh");
	while (iota_ts_next_line(&it, &l, &len)) {
		size_t lead = iota_ts_blanks(l, len);
		if (lead < len && l[lead] == '#')
			continue;
		int n = iota_ts_shell_split(l, len, NULL, &c->sp);
		for (int k = 0; k < n; k++) {
			iota_ts_cmd *cmd = &c->sp.cmd[k];
			for (int w = 0; w < cmd->argc; w++)
				if (!strcmp(cmd->argv[w], "REQUIRE_IMAGE_SIGNATURE=1") &&
				    !cmd->dynamic[w])
					iota_node_attr(c->s, c->n, "update.require_image_signature",
					               "yes");
			if (!fwtool)
				command(c, cmd, it.no);
		}
		if (fwtool && iota_ts_istr(l, len, "fwtool_check_signature"))
			iota_node_attr(c->s, c->n, "update.sysupgrade.fwtool", "yes");
	}
	if (c->verify[0])
		iota_node_attr(c->s, c->n, "update.verify", "%s", c->verify);
	if (c->downgrade[0])
		iota_node_attr(c->s, c->n, "update.downgrade", "%s", c->downgrade);
}

/* ---- ELF update programs ---- */

static bool elf_string(const char *s, size_t len, size_t off, void *arg)
{
	(void)off;
	struct ctx *c = arg;
	if (memmem(s, len, "://", 3))
		urls_in(c, s, len, 0);
	static const char *const verify[] = {"RSA_verify",
	                                     "EVP_DigestVerifyFinal",
	                                     "EVP_VerifyFinal",
	                                     "ECDSA_verify",
	                                     "mbedtls_pk_verify",
	                                     "wc_SignatureVerify",
	                                     "crypto_sign_verify_detached",
	                                     "EVP_DigestVerify",
	                                     "sw-description.sig",
	                                     "ED25519_verify"};
	for (size_t i = 0; i < sizeof verify / sizeof verify[0]; i++)
		if (len == strlen(verify[i]) && !memcmp(s, verify[i], len))
			iota_ts_list_add(c->verify, sizeof c->verify, verify[i]);
	static const char *const dl[] = {"wget ", "curl ", "tftp ", "uclient-fetch "};
	for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++)
		if (len > strlen(dl[i]) && !memcmp(s, dl[i], strlen(dl[i])))
			iota_ts_list_add(c->download, sizeof c->download, dl[i]);
	if (memmem(s, len, "rollback", 8) || memmem(s, len, "downgrade", 9))
		iota_ts_list_add(c->downgrade, sizeof c->downgrade,
		                 "strings mention downgrade/rollback");
	return true;
}

static void parse_elf(struct ctx *c, const iota_blob *b)
{
	iota_ts_strings(b->data, b->len, 6, elf_string, c);
	/* trim the space the command prefixes carry */
	for (char *p = c->download; *p; p++)
		if (*p == ' ')
			memmove(p, p + 1, strlen(p));
	if (c->n->name && !strcmp(c->n->name, "swupdate")) {
		record(c, "swupdate");
		iota_node_attr(c->s, c->n, "update.swupdate.signed_images", "%s",
		               strstr(c->verify, "sw-description.sig") ? "yes" : "no");
		return;
	}
	judge_script(c, true);
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	size_t head = b->len < IOTA_PROBE_HEAD ? b->len : IOTA_PROBE_HEAD;
	enum kind k = classify(n, b->data, head);
	struct ctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->s = s;
	c->n = n;
	switch (k) {
	case K_SCRIPT:
		parse_script(c, b);
		judge_script(c, false);
		break;
	case K_UPGRADE_LIB:
		parse_upgrade_lib(c, b);
		break;
	case K_ELF:
		parse_elf(c, b);
		break;
	case K_OPKG_CONF:
		parse_opkg_conf(c, b, true);
		break;
	case K_OPKG_FEEDS:
		parse_opkg_conf(c, b, false);
		break;
	case K_APT_LIST:
	case K_APT_DEB822:
	case K_APT_CONF:
		parse_apt(c, b, k);
		break;
	case K_APK_REPOS:
		parse_apk(c, b);
		break;
	case K_YUM_REPO:
		parse_yum(c, b);
		break;
	case K_RAUC:
		parse_rauc(c, b);
		break;
	case K_MENDER:
		parse_mender(c, b);
		break;
	case K_SWUPDATE_CFG:
		parse_swupdate_cfg(c, b);
		break;
	case K_FWUPD_REMOTE:
		parse_fwupd_remote(c, b);
		break;
	case K_UCI_SYSTEM:
		parse_uci_system(c, b);
		break;
	default:
		break;
	}
	iota_free(c);
}

/* ---- whole tree ---- */

struct tree {
	iota_scan *s;
	char mechanisms[512];
	char downgrade[256];
	iota_node *first_rootfs;
	bool require_sig, fwtool, sysupgrade_verify, opkg_signed, opkg_conf_seen;
	iota_node *sysupgrade, *opkg_conf;
	iota_ts_split sp;
};

static void collect(iota_node *n, void *arg)
{
	struct tree *t = arg;
	iota_scan *s = t->s;
	if ((n->kind == IOTA_NODE_DIR || n->kind == IOTA_NODE_CONTAINER) && !t->first_rootfs &&
	    iota_ts_is_rootfs(s, n))
		t->first_rootfs = n;
	const char *kind = iota_node_attr_get(n, "update.kind");
	if (kind)
		iota_ts_list_add(t->mechanisms, sizeof t->mechanisms, kind);
	const char *dg = iota_node_attr_get(n, "update.downgrade");
	if (dg)
		iota_ts_list_add(t->downgrade, sizeof t->downgrade, dg);
	const char *req = iota_node_attr_get(n, "update.require_image_signature");
	if (req && !strcmp(req, "yes"))
		t->require_sig = true;
	if (iota_node_attr_get(n, "update.sysupgrade.fwtool"))
		t->fwtool = true;
	char path[IOTA_MAX_PATH];
	if (iota_node_inner_path(n, path, sizeof path) < 0)
		return;
	if (iota_ts_path_within(path, "lib/upgrade") && iota_node_attr_get(n, "update.verify"))
		t->sysupgrade_verify = true;
	if (n->kind == IOTA_NODE_FILE && iota_ts_path_is(path, "sbin/sysupgrade")) {
		t->sysupgrade = n;
		iota_ts_list_add(t->mechanisms, sizeof t->mechanisms, "sysupgrade");
	}
	const char *sw = iota_node_attr_get(n, "update.swupdate.signed_images");
	if (sw && !strcmp(sw, "no"))
		iota_finding_emit(
		    t->s,
		    &(iota_finding){.check = "update.unsigned",
		                    .severity = IOTA_SEV_HIGH,
		                    .confidence = 75,
		                    .node = n,
		                    .offset = UINT64_MAX,
		                    .message = "SWUpdate is built without signed-image support (no "
		                               "\"sw-description.sig\" handling, "
		                               "CONFIG_SIGNED_IMAGES off): it installs "
		                               "update packages whose origin it does not check",
		                    .evidence = "no sw-description.sig string"});
	const char *ck = iota_node_attr_get(n, "update.opkg.check_signature");
	if (ck) {
		t->opkg_conf_seen = true;
		t->opkg_signed = !strcmp(ck, "yes");
		t->opkg_conf = n;
	}
	/* clang-format off */
	static const struct {
		const char *path, *name;
	} bins[] = {
		{"usr/bin/swupdate", "swupdate"},        {"usr/sbin/swupdate", "swupdate"},
		{"usr/bin/rauc", "rauc"},                {"usr/bin/mender", "mender"},
		{"usr/bin/mender-update", "mender"},     {"usr/bin/fwupdmgr", "fwupd"},
		{"usr/libexec/fwupd/fwupd", "fwupd"},    {"bin/opkg", "opkg"},
		{"usr/bin/opkg", "opkg"},                {"usr/bin/apt-get", "apt"},
		{"usr/bin/dpkg", "dpkg"},                {"sbin/apk", "apk"},
		{"usr/bin/rpm", "rpm"},                  {"usr/bin/dnf", "dnf"},
		{"usr/sbin/hawkbit-client", "hawkbit"},
		{"usr/bin/rauc-hawkbit-updater", "hawkbit"},
	};
	/* clang-format on */
	if (n->kind == IOTA_NODE_FILE || n->kind == IOTA_NODE_SYMLINK)
		for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++)
			if (iota_ts_path_is(path, bins[i].path))
				iota_ts_list_add(t->mechanisms, sizeof t->mechanisms, bins[i].name);
}

/* Feeds of opkg judged with the signature setting of opkg.conf. */
static void feeds(iota_node *n, void *arg)
{
	struct tree *t = arg;
	for (const iota_attr *a = n->attrs; a; a = a->next) {
		if (strncmp(a->key, "update.feed.", 12) != 0)
			continue;
		unsigned line = 0;
		int off = 0;
		if (sscanf(a->value, "line %u: %n", &line, &off) < 1 || off <= 0)
			continue;
		const char *url = a->value + off;
		if (!plain_scheme(url))
			continue;
		bool sig = t->opkg_signed;
		char msg[600];
		snprintf(
		    msg, sizeof msg, "opkg feed %s is fetched over clear-text HTTP%s", url,
		    sig ? ": package lists are signature-checked (check_signature), but an "
		          "observer sees and can withhold the updates"
		        : " and opkg does not check signatures: anyone on the path can substitute "
		          "packages");
		iota_finding_emit(t->s,
		                  &(iota_finding){.check = "update.plaintext",
		                                  .severity = sig ? IOTA_SEV_LOW : IOTA_SEV_HIGH,
		                                  .confidence = 85,
		                                  .node = n,
		                                  .offset = UINT64_MAX,
		                                  .line = line,
		                                  .message = msg,
		                                  .evidence = url});
	}
}

static void run_tree(iota_scan *s)
{
	struct tree *t = iota_calloc(1, sizeof *t);
	if (!t)
		return;
	t->s = s;
	if (s->root && iota_ts_is_rootfs(s, s->root))
		t->first_rootfs = s->root;
	iota_ts_walk(s->root, collect, t);
	iota_ts_walk(s->root, feeds, t);
	if (t->opkg_conf_seen && !t->opkg_signed)
		iota_finding_emit(
		    s, &(iota_finding){.check = "update.unsigned",
		                       .severity = IOTA_SEV_MEDIUM,
		                       .confidence = 80,
		                       .node = t->opkg_conf,
		                       .offset = UINT64_MAX,
		                       .message =
		                           "opkg installs packages without checking signatures (no "
		                           "\"option check_signature\" in opkg.conf)",
		                       .evidence = "check_signature absent"});
	if (t->sysupgrade) {
		bool required = t->require_sig || t->sysupgrade_verify;
		iota_node_attr(s, t->sysupgrade, "update.signature_required", "%s",
		               required ? "yes" : "no");
		if (!required)
			iota_finding_emit(
			    s,
			    &(iota_finding){
			        .check = "update.unsigned",
			        .severity = IOTA_SEV_MEDIUM,
			        .confidence = t->fwtool ? 75 : 60,
			        .node = t->sysupgrade,
			        .offset = UINT64_MAX,
			        .message = t->fwtool ? "sysupgrade installs images without a "
			                               "signature: fwtool checks "
			                               "one only when REQUIRE_IMAGE_SIGNATURE=1, "
			                               "which this image "
			                               "does not set"
			                             : "sysupgrade: no signature check found in "
			                               "its upgrade scripts",
			        .evidence =
			            t->fwtool ? "REQUIRE_IMAGE_SIGNATURE not 1" : "lib/upgrade"});
	}
	if (t->first_rootfs) {
		if (t->mechanisms[0])
			iota_node_attr(s, t->first_rootfs, "update.mechanisms", "%s",
			               t->mechanisms);
		if (!t->mechanisms[0])
			iota_finding_emit(
			    s,
			    &(iota_finding){
			        .check = "update.none",
			        .severity = IOTA_SEV_MEDIUM,
			        .confidence = 50,
			        .node = t->first_rootfs,
			        .offset = UINT64_MAX,
			        .message =
			            "no software-update mechanism found (no sysupgrade, opkg, apt, "
			            "SWUpdate, RAUC, Mender, fwupd or vendor update script): the "
			            "device may not be updatable in the field (needs vendor "
			            "evidence)",
			        .evidence = NULL});
		else if (!t->downgrade[0])
			iota_finding_emit(
			    s,
			    &(iota_finding){
			        .check = "update.no-downgrade-protection",
			        .severity = IOTA_SEV_INFO,
			        .confidence = 40,
			        .node = t->first_rootfs,
			        .offset = UINT64_MAX,
			        .message =
			            "no sign of downgrade (rollback) protection in the update "
			            "path: "
			            "an older, vulnerable release may be installable (needs vendor "
			            "evidence)",
			        .evidence = t->mechanisms});
	}
	iota_free(t);
}

const iota_analyzer iota_analyzer_update = {
    .name = "update",
    .description = "update mechanisms, signature checks, transport and downgrade protection",
    .wants = wants,
    .run_file = run_file,
    .run_tree = run_tree,
};
