/*
 * db update: NVD CVE API 2.0 over HTTPS with libcurl
 * (https://nvd.nist.gov/developers/vulnerabilities, .../start-here).
 *
 * GET <url>?resultsPerPage=N&startIndex=I[&lastModStartDate=S&lastModEndDate=E]
 * returns one page {"resultsPerPage", "startIndex", "totalResults",
 * "vulnerabilities": [...]}; resultsPerPage is at most 2000; a date range
 * may span at most 120 days, both ends in extended ISO 8601. NVD asks
 * clients without an API key to pause 6 s between requests (5 requests per
 * rolling 30 s), with a key (header "apiKey") 50 per 30 s. A 403, 429 or
 * 5xx answer is retried after a growing pause.
 *
 * The first update downloads everything; later ones ask for the records
 * modified since the end of the last complete one, window by window. The
 * position (window, next startIndex) is stored in the meta table in the
 * same transaction as each page's records, so an interrupted update goes on
 * where it stopped and never loses or doubles a page.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iotaudit/iotaudit.h"
#include "util/alloc.h"
#include "util/dynbuf.h"
#include "vuln/vuln_db.h"

#define DEFAULT_URL    "https://services.nvd.nist.gov/rest/json/cves/2.0"
#define MAX_PAGE_BYTES (512u << 20) /* 2000 records are ~30-60 MB */
#define WINDOW_DAYS    120

void iota_vulndb_update_options_init(iota_vulndb_update_options *o)
{
	memset(o, 0, sizeof *o);
	o->delay_ms = -1;
}

static void sleep_ms(long ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* "YYYY-MM-DDTHH:MM:SS" <-> time_t, UTC. */
static int parse_time(const char *s, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	                 &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

static void format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	iota_dynbuf *b = ctx;
	if (n && size > SIZE_MAX / n)
		return 0;
	return iota_dynbuf_add(b, p, size * n) == 0 ? size * n : 0;
}

struct fetch {
	CURL *curl;
	struct curl_slist *headers;
	iota_dynbuf body;
};

/* GETs url into f->body. Returns 0, or -1 with the reason in db->err;
 * *retry says whether trying again may help. */
static int get(iota_vulndb *db, struct fetch *f, const char *url, int *retry)
{
	iota_dynbuf_free(&f->body);
	iota_dynbuf_init(&f->body, MAX_PAGE_BYTES);
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, &f->body);
	char cerr[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, cerr);
	CURLcode cc = curl_easy_perform(f->curl);
	long code = 0;
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
	*retry = 0;
	if (cc != CURLE_OK) {
		iota_vdb_seterr(db, "%s: %s", url, cerr[0] ? cerr : curl_easy_strerror(cc));
		*retry = cc != CURLE_WRITE_ERROR && cc != CURLE_UNSUPPORTED_PROTOCOL &&
		         cc != CURLE_URL_MALFORMAT;
		return -1;
	}
	if (code != 200) {
		iota_vdb_seterr(db, "%s: HTTP %ld", url, code);
		*retry = code == 403 || code == 429 || code >= 500;
		return -1;
	}
	return 0;
}

/* Stores the update position; we == NULL clears it (no update under way). */
static int state_set(iota_vulndb *db, const char *ws, const char *we, long long idx)
{
	char n[32];
	snprintf(n, sizeof n, "%lld", idx);
	if (iota_vdb_meta_set(db, "nvd.window_start", we ? ws : NULL) != 0 ||
	    iota_vdb_meta_set(db, "nvd.window_end", we) != 0 ||
	    iota_vdb_meta_set(db, "nvd.next_index", we ? n : NULL) != 0)
		return -1;
	return 0;
}

/* Writes the source row of this update: the records it brought so far. */
static int record_update_source(iota_vulndb *db, const char *url, uint64_t records,
                                uint64_t skipped, const char *newest)
{
	char now[32];
	iota_vdb_now(now, sizeof now);
	sqlite3_stmt *st = iota_vdb_prepare(
	    db, "INSERT OR REPLACE INTO source (name, file, format, records, skipped, "
	        "imported_at, newest) VALUES ('nvd', ?1, 'nvd-api', ?2, ?3, ?4, "
	        "max(coalesce(?5, ''), coalesce((SELECT newest FROM source WHERE name = 'nvd' "
	        "AND file = ?1), '')))");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)records);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)skipped);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (newest && *newest)
		sqlite3_bind_text(st, 5, newest, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		iota_vdb_sqlfail(db, "record the source");
		return -1;
	}
	return 0;
}

iota_rc iota_vulndb_update(iota_vulndb *db, const iota_vulndb_update_options *o,
                           iota_vulndb_import_stats *st)
{
	iota_vulndb_update_options def;
	iota_vulndb_import_stats local;
	if (!st) {
		memset(&local, 0, sizeof local);
		st = &local;
	}
	if (!o) {
		iota_vulndb_update_options_init(&def);
		o = &def;
	}
	if (!db->writable) {
		iota_vdb_seterr(db, "%s: opened read-only", db->path);
		return IOTA_FATAL;
	}
	const char *base = o->url && *o->url ? o->url : DEFAULT_URL;
	unsigned per_page = o->results_per_page ? o->results_per_page : 2000;
	if (per_page > 2000)
		per_page = 2000;
	long delay = o->delay_ms >= 0 ? o->delay_ms : (o->api_key && *o->api_key ? 600 : 6000);
	unsigned retries = o->retries ? o->retries : 5;

	time_t now;
	if (o->now) {
		if (parse_time(o->now, &now) != 0) {
			iota_vdb_seterr(db, "bad time '%s' (YYYY-MM-DDTHH:MM:SS)", o->now);
			return IOTA_FATAL;
		}
	} else {
		now = time(NULL);
	}
	char now_s[32];
	format_time(now, now_s, sizeof now_s);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		iota_vdb_seterr(db, "cannot initialise libcurl");
		return IOTA_FATAL;
	}
	struct fetch f = {0};
	iota_rc rc = IOTA_FATAL;
	char *ws = NULL, *we = NULL, *wi = NULL, *last = NULL;
	f.curl = curl_easy_init();
	if (!f.curl) {
		iota_vdb_seterr(db, "cannot initialise libcurl");
		goto out;
	}
	curl_easy_setopt(f.curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f.curl, CURLOPT_USERAGENT, "iotaudit/" IOTA_VERSION_STRING);
	curl_easy_setopt(f.curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(f.curl, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(f.curl, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(f.curl, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
#endif
	curl_easy_setopt(f.curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(f.curl, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled transfer */
	curl_easy_setopt(f.curl, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(f.curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(f.curl, CURLOPT_NOSIGNAL, 1L);
	if (o->api_key && *o->api_key) {
		char h[256];
		snprintf(h, sizeof h, "apiKey: %s", o->api_key);
		f.headers = curl_slist_append(NULL, h);
		if (!f.headers) {
			rc = IOTA_NOMEM;
			goto out;
		}
		curl_easy_setopt(f.curl, CURLOPT_HTTPHEADER, f.headers);
	}

	if (o->full && (iota_vdb_meta_set(db, "nvd.last_complete", NULL) != 0 ||
	                state_set(db, NULL, NULL, 0) != 0))
		goto out;
	ws = iota_vdb_meta_get(db, "nvd.window_start");
	we = iota_vdb_meta_get(db, "nvd.window_end");
	wi = iota_vdb_meta_get(db, "nvd.next_index");
	last = iota_vdb_meta_get(db, "nvd.last_complete");
	long long idx = wi ? strtoll(wi, NULL, 10) : 0;
	char s_buf[32] = "", e_buf[32] = "";
	if (we) {
		snprintf(s_buf, sizeof s_buf, "%s", ws ? ws : "");
		snprintf(e_buf, sizeof e_buf, "%s", we);
		iota_vdb_note(db, "resuming the update at index %lld of window %s..%s", idx,
		              s_buf[0] ? s_buf : "(all)", e_buf);
	} else {
		time_t t;
		if (last && parse_time(last, &t) == 0) {
			snprintf(s_buf, sizeof s_buf, "%s", last);
			time_t end = t + (time_t)WINDOW_DAYS * 86400;
			format_time(end < now ? end : now, e_buf, sizeof e_buf);
		} else {
			snprintf(e_buf, sizeof e_buf, "%s", now_s); /* everything */
		}
		idx = 0;
		if (state_set(db, s_buf, e_buf, 0) != 0)
			goto out;
	}

	iota_vimport im = {.db = db, .st = st, .file = base, .no_source_row = 1};
	uint64_t run_records = 0, run_skipped = 0;
	char newest[40] = "";
	unsigned pages = 0;
	rc = IOTA_OK;
	for (;;) {
		char url[2048];
		int n = snprintf(url, sizeof url, "%s%sresultsPerPage=%u&startIndex=%lld", base,
		                 strchr(base, '?') ? "&" : "?", per_page, idx);
		if (s_buf[0] && n > 0 && (size_t)n < sizeof url)
			snprintf(url + n, sizeof url - (size_t)n,
			         "&lastModStartDate=%s.000%%2B00:00&lastModEndDate=%s.000%%2B00:00",
			         s_buf, e_buf);
		int ok = -1, retry = 0;
		for (unsigned attempt = 0; attempt <= retries; attempt++) {
			if (attempt) {
				long pause = (delay > 0 ? delay : 0) << (attempt < 6 ? attempt : 6);
				iota_vdb_note(db, "%s; retrying in %ld ms", db->err, pause);
				sleep_ms(pause);
			}
			ok = get(db, &f, url, &retry);
			if (ok == 0 || !retry)
				break;
		}
		if (ok != 0) {
			rc = IOTA_FATAL;
			break;
		}
		/* One transaction: the page's records and the new position. */
		if (iota_vdb_exec(db, "PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE") != 0) {
			rc = IOTA_FATAL;
			break;
		}
		iota_rc r = IOTA_FATAL;
		uint64_t before_skipped = st->skipped, before_records = st->records;
		if (iota_vimport_prepare(&im) == 0)
			r = iota_vimport_buffer(&im, f.body.data, f.body.len, base);
		iota_vimport_finish(&im);
		if (r == IOTA_OK || r == IOTA_WARN) {
			if (!im.format || strcmp(im.format, "nvd") != 0 || im.total_results < 0) {
				iota_vdb_seterr(db, "%s: not an NVD API 2.0 response page", url);
				r = IOTA_CORRUPT;
			}
		}
		if (r != IOTA_OK && r != IOTA_WARN) {
			char keep[sizeof db->err];
			memcpy(keep, db->err, sizeof keep);
			sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
			memcpy(db->err, keep, sizeof keep);
			st->records = before_records;
			st->skipped = before_skipped;
			rc = r == IOTA_NOMEM ? IOTA_NOMEM : IOTA_FATAL;
			break;
		}
		if (r == IOTA_WARN)
			rc = IOTA_WARN;
		run_records += st->records - before_records;
		run_skipped += st->skipped - before_skipped;
		if (strcmp(im.newest, newest) > 0)
			snprintf(newest, sizeof newest, "%s", im.newest);
		idx += im.page_records;
		int window_done = idx >= im.total_results || im.page_records == 0;
		int all_done = 0;
		if (window_done) {
			time_t e;
			if (parse_time(e_buf, &e) == 0 && e < now) {
				snprintf(s_buf, sizeof s_buf, "%s", e_buf);
				time_t end = e + (time_t)WINDOW_DAYS * 86400;
				format_time(end < now ? end : now, e_buf, sizeof e_buf);
				idx = 0;
			} else {
				all_done = 1;
			}
		}
		int wr = all_done ? (iota_vdb_meta_set(db, "nvd.last_complete", e_buf) ||
		                     state_set(db, NULL, NULL, 0))
		                  : state_set(db, s_buf, e_buf, idx);
		if (wr || record_update_source(db, base, run_records, run_skipped, newest) != 0 ||
		    iota_vdb_exec(db, "COMMIT") != 0) {
			sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
			rc = IOTA_FATAL;
			break;
		}
		pages++;
		iota_vdb_note(db, "page %u: %lld records (%lld of %lld in this window)", pages,
		              im.page_records, all_done || window_done ? im.total_results : idx,
		              im.total_results);
		if (all_done)
			break;
		if (o->max_pages && pages >= o->max_pages) {
			iota_vdb_note(db, "stopped after %u pages; run 'db update' again to go on",
			              pages);
			break;
		}
		sleep_ms(delay);
	}
out:
	iota_free(ws);
	iota_free(we);
	iota_free(wi);
	iota_free(last);
	iota_dynbuf_free(&f.body);
	curl_slist_free_all(f.headers);
	if (f.curl)
		curl_easy_cleanup(f.curl);
	curl_global_cleanup();
	snprintf(st->format, sizeof st->format, "nvd-api");
	return rc;
}
