#!/usr/bin/env bash
# `spotrun estimate` and `launch --dry-run` answer before anything is
# launched: the ranked placement with its reason (the dry run among what this
# machine can run), and p50/p90 of cost and finish time with the chance of
# missing the deadline, from the bundled traces and the whole catalog.
source "$(dirname "$0")/lib.sh"

mkdir job
cat > job/job.yaml <<'EOF2'
name: big
resources: {accelerators: V100:1}
run: python3 train.py
deadline: 70h
budget: {expected_hours: 48}
EOF2
# The dry run offers what the local cloud can run: no V100 without one ...
rc=0; spotrun launch job/job.yaml --dry-run > nogpu.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "no offer in us-east-1 fits the job's resources (most offers fail on accelerators)" nogpu.txt ||
  { cat nogpu.txt; fail "a machine without a GPU offers a V100"; }
# ... and p3.2xlarge on a machine with one (a fake nvidia-smi).
PATH=$SPOTRUN_SOURCE_DIR/tests/integration/fake-bin:$PATH FAKE_NVIDIA_SMI_GPUS="Tesla V100-SXM2-16GB" \
  spotrun launch job/job.yaml --dry-run > dry.txt
cat dry.txt
grep -q "p3.2xlarge use1-az1 wins: cheapest spot price" dry.txt || fail "dry run does not say who wins and why"
[ "$(grep -c 'p3\.' dry.txt)" -ge 3 ] || fail "dry run lists too few offers"

spotrun estimate job/job.yaml --json > est.json
cat est.json
python3 - est.json <<'PY' || fail "estimate"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["instance_type"] == "p3.2xlarge" and e["policy"] == "default", e
assert e["runs"] == 360, e  # 9 bundled traces x 40 starts
spot_all = 48 * 0.5197
assert spot_all <= e["cost_p50"] <= e["cost_p90"] <= e["on_demand_cost"] * 1.05, e
assert 48 <= e["finish_hours_p50"] <= e["finish_hours_p90"] <= 70.5, e
assert 0 <= e["deadline_miss_percent"] <= 100, e
PY
# The on-demand policy costs what on-demand costs.
sed 's/^deadline: 70h/deadline: 70h\npolicy: on-demand/' job/job.yaml > job/od.yaml
spotrun estimate job/od.yaml --json | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert abs(e["cost_p50"] - 3.06 * 48.2) < 0.5, e' || fail "on-demand estimate"
rc=0; spotrun estimate <(printf 'run: x\n') 2>err.txt || rc=$?
[ "$rc" = 2 ] && grep -q expected_hours err.txt || fail "estimate without expected_hours"
[ "$(spotrun status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" = 0 ] ||
  fail "something was launched"
pass "estimate and dry run"
