#!/usr/bin/env python3
"""A loopback HTTP server for tests: serves an iris-like CSV at /iris.csv and,
at /drive/ID, a page shaped like Google Drive's large-file confirmation whose
form leads to the same CSV. Writes its port to argv[1]; exits when argv[2]
(a pid) is gone."""

import http.server
import random
import sys

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
CONFIRM_PAGE = b"""<!DOCTYPE html><html><body>
<p>Google Drive can't scan this file for viruses.</p>
<form id="download-form" action="/download" method="get">
<input type="submit" value="Download anyway"/>
<input type="hidden" name="id" value="ABC123">
<input type="hidden" name="export" value="download">
<input type="hidden" name="confirm" value="t">
</form></body></html>"""


class Handler(http.server.BaseHTTPRequestHandler):
    def _send(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/iris.csv":
            self._send(DATA, "text/csv")
        elif self.path.startswith("/drive/"):
            self._send(CONFIRM_PAGE, "text/html; charset=utf-8")
        elif self.path.startswith("/download?") and "confirm=t" in self.path and "id=ABC123" in self.path:
            self._send(DATA, "application/octet-stream")
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


serve_until_gone(Handler, sys.argv[1], int(sys.argv[2]))
