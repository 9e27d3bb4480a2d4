#!/usr/bin/env python3
"""A loopback IMDSv2 stand-in for tests of the aws cloud: PUT /latest/api/token,
then /latest/meta-data/spot/instance-action answers the content of the file
argv[2] while it exists (404 otherwise). Writes its port to argv[1]; exits when
the pid argv[3] is gone."""

import http.server
import os
import sys

from fixture_server import serve_until_gone

NOTICE = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def _send(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self._send(200, b"test-token")
        else:
            self._send(400)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != "test-token":
            return self._send(401)
        if self.path == "/latest/meta-data/spot/instance-action" and os.path.exists(NOTICE):
            with open(NOTICE, "rb") as f:
                return self._send(200, f.read())
        self._send(404)

    def log_message(self, *args):
        pass


serve_until_gone(Handler, sys.argv[1], int(sys.argv[3]))
