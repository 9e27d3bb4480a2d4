#!/usr/bin/env bash
# `spotrun status --json` is valid JSON with the documented fields.
source "$(dirname "$0")/lib.sh"

spotrun status --json | python3 -c 'import json,sys; assert json.load(sys.stdin) == {"jobs": []}'
make_job_dir job
printf 'name: j1\nrun: python3 train.py\noutputs: [model.pkl]\n' > job/job.yaml
spotrun launch job/job.yaml --results r1 > /dev/null
spotrun status --json > status.json
python3 - status.json "$TEST_TMP/r1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
(job,) = doc["jobs"]
want = {"id": str, "name": str, "state": str, "cloud": str, "instance_type": str, "zone": str,
        "attempts": int, "preemptions": int, "cost_usd": float, "on_demand_cost_usd": float,
        "results_dir": str}
for key, typ in want.items():
    assert isinstance(job[key], typ), (key, job.get(key))
assert job["name"] == "j1" and job["state"] == "SUCCEEDED" and job["cloud"] == "local", job
assert job["attempts"] == 1 and job["preemptions"] == 0, job
assert 0 < job["cost_usd"] < job["on_demand_cost_usd"], job
assert job["results_dir"] == sys.argv[2], job
assert job["instance_type"] and job["zone"], job
assert job["deadline_at"] is None and job["progress"] == 1.0, job  # train.py reports epochs
PY
spotrun status "$(only_job_id)" | grep -q SUCCEEDED || fail "table status"
pass "status --json"
