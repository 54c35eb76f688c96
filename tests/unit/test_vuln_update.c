/*
 * db update against a stand-in NVD API on 127.0.0.1 (vuln_nvd_server.py,
 * next to this file, serving the real records of
 * ../shared/data/nvd/nvd-subset.json): paging, retries after 503, resuming
 * an interrupted update without fetching a page twice, incremental windows
 * of at most 120 days, and --max-pages. Only the loopback interface is used.
 *
 * Needs python3 and $IOTA_SHARED_DIR (or argv[1]); skipped with a message
 * otherwise.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "unit.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iotaudit/vulndb.h"

static const char *shared_dir;
static char tmpdir[256];
static char data_path[512];
static char log_path[512];
static struct server {
	pid_t pid;
	int port;
} srv; /* stopped in main too: a failed assertion leaves the test early */

static int have_prereq(void)
{
	struct stat st;
	if (!shared_dir)
		return 0;
	snprintf(data_path, sizeof data_path, "%s/data/nvd/nvd-subset.json", shared_dir);
	return stat(data_path, &st) == 0 && system("python3 -c 1 >/dev/null 2>&1") == 0;
}

/* Starts the server; it prints its port on its first line. */
static void server_start(struct server *s, int fail_index, int fail_times)
{
	char script[512], fi[16], ft[16];
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');
	snprintf(script, sizeof script, "%.*s/vuln_nvd_server.py", slash ? (int)(slash - here) : 1,
	         slash ? here : ".");
	snprintf(fi, sizeof fi, "%d", fail_index);
	snprintf(ft, sizeof ft, "%d", fail_times);
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("python3", "python3", script, "--data", data_path, "--log", log_path,
		       "--fail-index", fi, "--fail-times", ft, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char line[32] = "";
	size_t n = 0;
	while (n + 1 < sizeof line && read(fd[0], line + n, 1) == 1 && line[n] != '\n')
		n++;
	line[n] = '\0';
	close(fd[0]);
	s->port = (int)strtol(line, NULL, 10);
	if (s->port <= 0)
		fail_msg("the test server did not start (%s)", script);
}

static void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

static int log_count(const char *needle)
{
	FILE *f = fopen(log_path, "r");
	if (!f)
		return 0;
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static long long count(iota_vulndb *db)
{
	iota_vulndb_info *in = NULL;
	assert_int_equal(iota_vulndb_info_get(db, &in), IOTA_OK);
	long long n = (long long)in->cves;
	iota_vulndb_info_free(in);
	return n;
}

static void options(iota_vulndb_update_options *o, char *url, size_t size, int port)
{
	iota_vulndb_update_options_init(o);
	snprintf(url, size, "http://127.0.0.1:%d/rest/json/cves/2.0", port);
	o->url = url;
	o->results_per_page = 20;
	o->delay_ms = 0;
	o->retries = 1;
	o->now = "2026-11-23T00:00:00";
}

static void test_update_resume(void **state)
{
	(void)state;
	if (!have_prereq()) {
		print_message("skipped: needs python3 and ../shared/data (set IOTA_SHARED_DIR)\n");
		skip();
	}
	char db_path[512], url[256];
	snprintf(db_path, sizeof db_path, "%s/update.db", tmpdir);
	snprintf(log_path, sizeof log_path, "%s/requests.log", tmpdir);
	unlink(db_path);
	unlink(log_path);
	/* the page at index 20 answers 503 three times */
	server_start(&srv, 20, 3);
	iota_vulndb *db = NULL;
	assert_int_equal(iota_vulndb_open(&db, db_path, IOTA_VULNDB_WRITE), IOTA_OK);
	iota_vulndb_update_options o;
	options(&o, url, sizeof url, srv.port);
	iota_vulndb_import_stats st = {0};

	/* 1: page 1 arrives, page 2 fails twice (one retry): interrupted */
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_FATAL);
	assert_non_null(strstr(iota_vulndb_error(db), "HTTP 503"));
	assert_int_equal(st.added, 20);
	assert_int_equal(count(db), 20);
	iota_vulndb_info *in = NULL;
	assert_int_equal(iota_vulndb_info_get(db, &in), IOTA_OK);
	assert_non_null(in->update_pending);
	assert_non_null(strstr(in->update_pending, "index 20"));
	assert_null(in->update_last);
	iota_vulndb_info_free(in);

	/* 2: resumes at index 20 (one more 503, then the page), never re-fetches page 1 */
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_OK);
	assert_int_equal(st.added, 33);
	assert_int_equal(count(db), 53);
	assert_int_equal(log_count("resultsPerPage=20&startIndex=0\n"), 1);
	assert_int_equal(log_count("startIndex=20"), 4);
	assert_int_equal(log_count("startIndex=40"), 1);
	assert_int_equal(iota_vulndb_info_get(db, &in), IOTA_OK);
	assert_null(in->update_pending);
	assert_string_equal(in->update_last, "2026-11-23T00:00:00");
	int found = 0;
	for (size_t i = 0; i < in->nsources; i++)
		if (strcmp(in->sources[i].format, "nvd-api") == 0) {
			found = 1;
			assert_string_equal(in->sources[i].file, url);
			assert_string_equal(in->sources[i].newest, "2026-06-17T05:47:45.783");
		}
	assert_true(found);
	iota_vulndb_info_free(in);

	/* 3: 190 days later: two windows of at most 120 days from the last update */
	o.now = "2027-06-01T00:00:00";
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_OK);
	assert_int_equal(log_count("lastModStartDate=2026-11-23T00:00:00.000%2B00:00&"
	                           "lastModEndDate=2027-03-23T00:00:00.000%2B00:00"),
	                 1);
	assert_int_equal(log_count("lastModStartDate=2027-03-23T00:00:00.000%2B00:00&"
	                           "lastModEndDate=2027-06-01T00:00:00.000%2B00:00"),
	                 1);
	assert_int_equal(st.records, 0);
	assert_int_equal(iota_vulndb_info_get(db, &in), IOTA_OK);
	assert_string_equal(in->update_last, "2027-06-01T00:00:00");
	iota_vulndb_info_free(in);

	/* 4: a full download stopped after one page, then finished: nothing changes */
	o.full = 1;
	o.max_pages = 1;
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_OK);
	assert_int_equal(st.unchanged, 20);
	assert_int_equal(iota_vulndb_info_get(db, &in), IOTA_OK);
	assert_non_null(in->update_pending);
	assert_null(in->update_last);
	iota_vulndb_info_free(in);
	o.full = 0;
	o.max_pages = 0;
	memset(&st, 0, sizeof st);
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_OK);
	assert_int_equal(st.unchanged, 33);
	assert_int_equal(st.added + st.updated, 0);
	assert_int_equal(count(db), 53);

	/* the imported records match like imported files */
	iota_vuln_query q = {.name = "dnsmasq", .version = "2.89"};
	iota_vuln_result *r = NULL;
	assert_int_equal(iota_vulndb_match(db, &q, &r), IOTA_OK);
	assert_int_equal(r->count, 2);
	iota_vuln_result_free(r);

	iota_vulndb_close(db);
	server_stop(&srv);
}

static void test_update_errors(void **state)
{
	(void)state;
	char db_path[512];
	snprintf(db_path, sizeof db_path, "%s/errors.db", tmpdir);
	iota_vulndb *db = NULL;
	assert_int_equal(iota_vulndb_open(&db, db_path, IOTA_VULNDB_WRITE), IOTA_OK);
	iota_vulndb_update_options o;
	iota_vulndb_update_options_init(&o);
	o.delay_ms = 0;
	o.retries = 1;
	/* nothing listens on port 9 of the loopback */
	o.url = "http://127.0.0.1:9/rest/json/cves/2.0";
	iota_vulndb_import_stats st = {0};
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_FATAL);
	assert_non_null(strstr(iota_vulndb_error(db), "127.0.0.1:9"));
	o.url = "ftp://127.0.0.1/x";
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_FATAL);
	o.url = "http://127.0.0.1:9/x";
	o.now = "yesterday";
	assert_int_equal(iota_vulndb_update(db, &o, &st), IOTA_FATAL);
	assert_non_null(strstr(iota_vulndb_error(db), "bad time"));
	iota_vulndb_close(db);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	shared_dir = getenv("IOTA_SHARED_DIR");
	if (argc > 1)
		shared_dir = argv[1];
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/iota-vupd-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_update_resume),
	    cmocka_unit_test(test_update_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	server_stop(&srv);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
