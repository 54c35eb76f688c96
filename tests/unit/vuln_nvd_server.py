#!/usr/bin/env python3
"""A stand-in for the NVD CVE API 2.0 on 127.0.0.1, for test_vuln_update.

Serves the records of an API page file (../shared/data/nvd/nvd-subset.json)
the way GET /rest/json/cves/2.0 does: resultsPerPage, startIndex,
lastModStartDate/lastModEndDate (both or neither; at most 120 days apart,
else 404 as NVD answers), totalResults. Prints the port it listens on, then
logs each request's query string to --log, one line each.

--fail-index N --fail-times K: the first K requests for startIndex N answer
503, to test retries and resuming.
"""
import argparse
import datetime
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer


def parse_date(s):
    s = s.replace("+00:00", "").replace("Z", "")
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-index", type=int, default=-1)
    ap.add_argument("--fail-times", type=int, default=0)
    args = ap.parse_args()
    with open(args.data, encoding="utf-8") as f:
        records = json.load(f)["vulnerabilities"]
    failures = {"left": args.fail_times}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # quiet
            pass

        def answer(self, code, body=b"", ctype="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            with open(args.log, "a", encoding="utf-8") as log:
                log.write(url.query + "\n")
            if url.path != "/rest/json/cves/2.0":
                return self.answer(404)
            q = urllib.parse.parse_qs(url.query)
            start = int(q.get("startIndex", ["0"])[0])
            per = min(int(q.get("resultsPerPage", ["2000"])[0]), 2000)
            if start == args.fail_index and failures["left"] > 0:
                failures["left"] -= 1
                return self.answer(503, b"busy", "text/plain")
            sel = records
            if ("lastModStartDate" in q) != ("lastModEndDate" in q):
                return self.answer(404)
            if "lastModStartDate" in q:
                a = parse_date(q["lastModStartDate"][0])
                b = parse_date(q["lastModEndDate"][0])
                if b < a or (b - a).days > 120:
                    return self.answer(404)
                sel = [r for r in records
                       if a <= parse_date(r["cve"]["lastModified"]) <= b]
            page = sel[start:start + per]
            body = json.dumps({
                "resultsPerPage": len(page), "startIndex": start,
                "totalResults": len(sel), "format": "NVD_CVE", "version": "2.0",
                "timestamp": "2026-11-23T00:00:00.000", "vulnerabilities": page,
            }).encode()
            self.answer(200, body)

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)

    # Never outlive the test that started it.
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
