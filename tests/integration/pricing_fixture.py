#!/usr/bin/env python3
"""A loopback stand-in for AWS's Price List API (GetProducts), for the tests.

  pricing_fixture.py PORT_FILE PRICES_JSON PARENT_PID

PRICES_JSON maps an instance type to its on-demand USD/h ({"c7g.large":
"0.0725"}); a GetProducts for a type it lacks gets an empty PriceList. Each
request's target and body are appended to PORT_FILE.log. Serves until
PARENT_PID is gone."""

import http.server
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_server import serve_until_gone  # noqa: E402

PORT_FILE, PRICES, PARENT = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with open(PORT_FILE + ".log", "a") as log:
            log.write(self.headers.get("X-Amz-Target", "") + " " + body + "\n")
        query = json.loads(body)
        fields = {f["Field"]: f["Value"] for f in query.get("Filters", [])}
        products = []
        if fields.get("instanceType") in PRICES:
            usd = PRICES[fields["instanceType"]]
            products.append(json.dumps({"terms": {"OnDemand": {"T": {"priceDimensions": {
                "D": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}}}}}}))
        answer = json.dumps({"FormatVersion": "aws_v1", "PriceList": products}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


serve_until_gone(Handler, PORT_FILE, PARENT)
