#!/usr/bin/env python3
"""Signs a batch of S3 requests with botocore's S3SigV4Auth (payload signed,
path not normalized nor encoded twice), with a frozen clock.

stdin:  JSON list of {"method", "url", "body_hex", "headers": [[name, value], ...],
        "region", "time": "20150830T123600Z", "akid", "secret", "token"}
        (headers as the request will carry them, minus what the signer adds)
stdout: JSON list of {"canonical_request", "string_to_sign", "authorization"}.
Offline: no network, no config files.
"""
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sigv4_ref import frozen_clock


def sign(r):
    creds = Credentials(r["akid"], r["secret"], r.get("token") or None)
    req = AWSRequest(method=r["method"], url=r["url"], data=bytes.fromhex(r["body_hex"]),
                     headers=dict(r["headers"]))
    signer = botocore.auth.S3SigV4Auth(creds, "s3", r["region"])
    with frozen_clock(r["time"]):
        signer.add_auth(req)
        authz = req.headers["Authorization"]
        del req.headers["Authorization"]
        creq = signer.canonical_request(req)
        sts = signer.string_to_sign(req, creq)
    return {"canonical_request": creq, "string_to_sign": sts, "authorization": authz}


def main():
    json.dump([sign(r) for r in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
