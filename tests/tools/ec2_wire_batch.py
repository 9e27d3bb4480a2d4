#!/usr/bin/env python3
"""Runs ec2_wire_check (beside this file) over a batch, in one process.

stdin:  JSON {"requests": ["Action=...&...", ...], "responses": [["Action", "<xml>"], ...]}
stdout: JSON {"requests": [[problem, ...], ...], "responses": [[problem, ...], ...]}
Offline: botocore's bundled EC2 model only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ec2_wire_check  # noqa: E402


def main():
    batch = json.load(sys.stdin)
    out = {"requests": [ec2_wire_check.check_request(body) for body in batch.get("requests", [])],
           "responses": [ec2_wire_check.check_response(action, xml.encode())[0]
                         for action, xml in batch.get("responses", [])]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
