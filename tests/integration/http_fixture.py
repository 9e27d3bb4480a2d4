#!/usr/bin/env python3
"""A loopback HTTP server for tests: serves an iris-like CSV at /iris.csv, a
web page at /page, and a stand-in for Google Drive (the agent's
SPOTRUN_TEST_DRIVE_ORIGIN) at /uc?export=download&id=ID: for ID ABC123 a page
shaped like Drive's large-file confirmation whose form leads to the same CSV,
for SIGNIN a sign-in page without a download form, for OFFSITE a confirmation
form that leads to file:///etc/passwd, and for the ids in OFF_DRIVE forms that
lead to another host, to Drive over plain http, or to another loopback port.
Writes its port to argv[1]; exits when argv[2] (a pid) is gone."""

import http.server
import random
import sys
import urllib.parse

from fixture_server import serve_until_gone


def iris_csv():
    rng = random.Random(1)
    lines = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    centers = {"setosa": (5.0, 3.4, 1.5, 0.2), "versicolor": (5.9, 2.8, 4.3, 1.3),
               "virginica": (6.6, 3.0, 5.6, 2.0)}
    for species, c in centers.items():
        for _ in range(50):
            lines.append(",".join("%.1f" % (v + rng.gauss(0, 0.2)) for v in c) + "," + species)
    return ("\n".join(lines) + "\n").encode()


DATA = iris_csv()
CONFIRM_PAGE = """<!DOCTYPE html><html><body>
<p>Google Drive can't scan this file for viruses.</p>
<form id="download-form" action="%s" method="get">
<input type="submit" value="Download anyway"/>
<input type="hidden" name="id" value="ABC123">
<input type="hidden" name="export" value="download">
<input type="hidden" name="confirm" value="t">
</form></body></html>"""
SIGNIN_PAGE = b"""<!DOCTYPE html><html><body>
<p>Sign in to continue to Google Drive.</p><a href="/ServiceLogin">Sign in</a>
</body></html>"""
# Confirmation forms that lead off the Drive stand-in: id -> the form's action.
OFF_DRIVE = {"OFFHOST": "https://evil.example/download", "SCHEMELESS": "//evil.example/download",
             "PLAINHTTP": "http://drive.google.com/uc", "LOOKALIKE": "https://drive.google.com.evil.example/uc",
             "OTHERPORT": "http://127.0.0.1:1/download", "FILEURL": "file:///etc/passwd?download"}
DRIVE_PAGES = {"ABC123": (CONFIRM_PAGE % "/download").encode(), "SIGNIN": SIGNIN_PAGE,
               "OFFSITE": (CONFIRM_PAGE % "file:///etc/passwd").encode()}
DRIVE_PAGES.update({k: (CONFIRM_PAGE % v).encode() for k, v in OFF_DRIVE.items()})


class Handler(http.server.BaseHTTPRequestHandler):
    def _send(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/iris.csv":
            self._send(DATA, "text/csv")
        elif url.path == "/page":
            self._send(b"<html><body>Not the data.</body></html>", "text/html")
        elif url.path == "/uc" and query.get("export") == "download" and query.get("id") in DRIVE_PAGES:
            self._send(DRIVE_PAGES[query["id"]], "text/html; charset=utf-8")
        elif url.path == "/download" and query.get("confirm") == "t" and query.get("id") == "ABC123":
            self._send(DATA, "application/octet-stream")
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    serve_until_gone(Handler, sys.argv[1], int(sys.argv[2]))
