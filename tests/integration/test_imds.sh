#!/usr/bin/env bash
# A local instance serves an EC2-compatible IMDSv2 endpoint on loopback,
# handed to the job through AWS_EC2_METADATA_SERVICE_ENDPOINT, by IMDSv2's
# rules: token TTLs of 1 to 21600 s, enforced; no token through a proxy; and
# it answers within 100 ms while other connections sit idle.
source "$(dirname "$0")/lib.sh"

mkdir job
cat > job/imds_probe.py <<'EOF2'
import os, urllib.request, urllib.error
base = os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"].rstrip("/")
assert base.startswith("http://127.0.0.1:"), base
def get(path, token=None, method="GET", headers=None):
    h = dict(headers or {})
    if token:
        h["X-aws-ec2-metadata-token"] = token
    req = urllib.request.Request(base + path, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
assert get("/latest/meta-data/instance-id")[0] == 401, "IMDSv1 request was answered"
code, token = get("/latest/api/token", method="PUT",
                  headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
assert code == 200 and token, code
code, iid = get("/latest/meta-data/instance-id", token)
assert code == 200, code
assert get("/latest/meta-data/spot/instance-action", token)[0] == 404
ttl = lambda v: {"X-aws-ec2-metadata-token-ttl-seconds": v}
for bad in ("abc", "0", "21601", "-5", "1.5", ""):
    assert get("/latest/api/token", method="PUT", headers=ttl(bad))[0] == 400, "ttl %r accepted" % bad
assert get("/latest/api/token", method="PUT",
           headers={**ttl("60"), "X-Forwarded-For": "10.0.0.1"})[0] == 403, "proxied token request"
assert get("/latest/api/token")[0] == 405, "a token by GET"
code, short = get("/latest/api/token", method="PUT", headers=ttl("1"))
assert code == 200 and get("/latest/meta-data/instance-id", short)[0] == 200
import socket, time
time.sleep(2.2)
assert get("/latest/meta-data/instance-id", short)[0] == 401, "an expired token still works"
# Idle connections (a client that never sends) hold no one else back.
host, port = base[len("http://"):].split(":")
idle = [socket.create_connection((host, int(port))) for _ in range(5)]
start = time.monotonic()
code, _ = get("/latest/api/token", method="PUT", headers=ttl("60"))
took = time.monotonic() - start
for s in idle:
    s.close()
assert code == 200 and took < 0.1, "token with 5 idle connections open: %d in %.3f s" % (code, took)
print("token in %.1f ms with 5 idle connections open" % (took * 1000))
# As EC2's documentation asks for a token (curl -X PUT): no body, no
# Content-Length; answered at once.
raw = socket.create_connection((host, int(port)), timeout=3)
raw.sendall(b"PUT /latest/api/token HTTP/1.1\r\nHost: imds\r\n"
            b"X-aws-ec2-metadata-token-ttl-seconds: 60\r\nConnection: close\r\n\r\n")
answer = raw.recv(4096).decode()
raw.close()
assert answer.startswith("HTTP/1.1 200"), "a PUT without Content-Length: %r" % answer[:80]
print("IMDS instance-id", iid)
EOF2
printf 'name: imds\nrun: python3 imds_probe.py\n' > job/job.yaml
spotrun launch job/job.yaml --results r > out.txt 2>&1 || { cat out.txt; fail "launch"; }
grep "idle connections" r/logs/job.log || fail "no idle-connection figure"
iid=$(grep -o 'IMDS instance-id i-[a-z0-9]*' r/logs/job.log | awk '{print $3}')
want=$(spotrun status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["attempt_history"][0]["instance_id"])')
[ -n "$iid" ] && [ "$iid" = "$want" ] || fail "IMDS said '$iid', the cloud says '$want'"
assert_no_instance_processes
pass "imds"
