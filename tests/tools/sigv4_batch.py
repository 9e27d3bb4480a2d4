#!/usr/bin/env python3
"""Signs a batch of requests with botocore (through sigv4_ref.sign, beside this file).

stdin:  JSON list of {"method", "url", "body", "headers": [[name, value], ...],
        "region", "service", "time": "20150830T123600Z", "akid", "secret", "token"}
stdout: JSON list of {"canonical_request", "string_to_sign", "authorization"}.
Offline: no network, no config files.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sigv4_ref import sign  # noqa: E402


def main():
    out = []
    for r in json.load(sys.stdin):
        req, creq, sts = sign(r["method"], r["url"], r["body"].encode(), dict(r["headers"]),
                              r["region"], r["service"], r["time"], r["akid"], r["secret"],
                              r.get("token") or None)
        out.append({"canonical_request": creq, "string_to_sign": sts,
                    "authorization": req.headers["Authorization"]})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
