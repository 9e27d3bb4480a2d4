#!/usr/bin/env bash
# `spotrun estimate` and `launch --dry-run` answer before anything is
# launched: the ranked placement with its reason (the dry run among what this
# machine can run), and p50/p90 of cost and finish time with the chance of
# missing the deadline, from the whole catalog and the bundled traces that
# fit the offer (its GPU in its region, else the nearest, said), with the
# changeover of the job's cloud (measured from the store's attempts, else
# the cloud's default, said).
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
[ "$rc" = 2 ] && grep -q "no offer in us-east-1, eu-west-1, us-east-2, us-west-2 fits the job's resources (most offers fail on accelerators)" nogpu.txt ||
  { cat nogpu.txt; fail "a machine without a GPU offers a V100"; }
# ... and p3.2xlarge on a machine with one (a fake nvidia-smi), in the
# cheapest region of the catalog (no region pinned): us-east-2's $0.3635/h
# beats us-east-1's best, $0.5197/h.
PATH=$SPOTRUN_SOURCE_DIR/tests/integration/fake-bin:$PATH FAKE_NVIDIA_SMI_GPUS="Tesla V100-SXM2-16GB" \
  spotrun launch job/job.yaml --dry-run > dry.txt
cat dry.txt
grep -q "^regions considered: us-east-1, eu-west-1, us-east-2, us-west-2 (no region pinned" dry.txt ||
  fail "dry run does not say which regions it looked at"
grep -qE "^  1 +p3.2xlarge +use2-az2 +spot +0.3635 +3.0600 +88% +us-east-2$" dry.txt ||
  fail "dry run does not offer the cheapest region first"
grep -qE "^  3 +p3.2xlarge +use1-az1 +spot +0.5197 " dry.txt || fail "dry run lacks us-east-1's best"
grep -q "p3.2xlarge use2-az2 (us-east-2) wins: cheapest spot price" dry.txt || fail "dry run does not say who wins and why"
# A pinned region stays pinned.
sed 's/^resources: {accelerators: V100:1}/resources: {accelerators: V100:1, region: us-east-1}/' job/job.yaml > job/pinned.yaml
PATH=$SPOTRUN_SOURCE_DIR/tests/integration/fake-bin:$PATH FAKE_NVIDIA_SMI_GPUS="Tesla V100-SXM2-16GB" \
  spotrun launch job/pinned.yaml --dry-run > pinned.txt
grep -q "^region considered: us-east-1 (pinned by resources.region)" pinned.txt &&
  grep -q "p3.2xlarge use1-az1 (us-east-1) wins" pinned.txt && ! grep -q "us-east-2" pinned.txt ||
  { cat pinned.txt; fail "a pinned region is not kept"; }
[ "$(grep -c 'p3\.' dry.txt)" -ge 3 ] || fail "dry run lists too few offers"

spotrun estimate job/job.yaml --json > est.json
cat est.json
python3 - est.json <<'PY' || fail "estimate"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["instance_type"] == "p3.2xlarge" and e["policy"] == "default", e
assert e["region"] == "us-east-2" and e["zone"] == "use2-az2", e  # The cheapest region's.
assert e["regions_considered"] == ["us-east-1", "eu-west-1", "us-east-2", "us-west-2"], e
assert e["runs"] == 80, e  # the 2 bundled V100 traces of us-east-2 x 40 starts
assert e["traces"].startswith("the V100 traces of us-east-2: us-east-2a_v100_1"), e
# A local job, and no attempt in this store yet: the local cloud's default.
assert e["changeover_hours"] == 30 / 3600 and "local cloud's default" in e["changeover"], e
spot_all = 48 * 0.3635
assert spot_all <= e["cost_p50"] <= e["cost_p90"] <= e["on_demand_cost"] * 1.05, e
assert 48 <= e["finish_hours_p50"] <= e["finish_hours_p90"] <= 70.5, e
assert 0 <= e["deadline_miss_percent"] <= 100, e
PY
# The on-demand policy costs what on-demand costs.
sed 's/^deadline: 70h/deadline: 70h\npolicy: on-demand/' job/job.yaml > job/od.yaml
spotrun estimate job/od.yaml --json | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert abs(e["cost_p50"] - 3.06 * (48 + 30 / 3600)) < 0.2, e  # billed up to one poll more' || fail "on-demand estimate"
# On AWS the changeover is AWS's (0.2 h by default).
sed 's/^name: big/name: big\ncloud: aws/' job/od.yaml > job/aws.yaml
spotrun estimate job/aws.yaml --json | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert e["changeover_hours"] == 0.2 and "aws cloud" in e["changeover"], e
assert abs(e["cost_p50"] - 3.06 * 48.2) < 0.2, e' || fail "aws changeover"
# A type the bundled traces lack: the estimate says which it used instead.
printf "name: cpu\nresources: {instance_type: c6i.2xlarge}\nrun: x\ndeadline: 70h\nbudget: {expected_hours: 48}\n" > job/cpu.yaml
spotrun estimate job/cpu.yaml > cpu.txt
cat cpu.txt
grep -q "^traces: no bundled trace of c6i.2xlarge (no GPU) in us-west-2; the nearest there is, every bundled trace:" cpu.txt ||
  fail "the estimate does not say which traces stand in"
rc=0; spotrun estimate <(printf 'run: x\n') 2>err.txt || rc=$?
[ "$rc" = 2 ] && grep -q expected_hours err.txt || fail "estimate without expected_hours"
[ "$(spotrun status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" = 0 ] ||
  fail "something was launched"
# Once the store has seen local attempts, their launch-to-run time is used.
printf 'name: quick\nrun: echo hi\n' > job/quick.yaml
spotrun launch job/quick.yaml --results rq > quick.txt 2>&1 || fail "quick job: $(cat quick.txt)"
spotrun estimate job/od.yaml --json | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert e["changeover"].startswith("measured: the median launch-to-run time of 1 attempt on the local cloud"), e
assert 0 <= e["changeover_hours"] < 30 / 3600, e' || fail "measured changeover"
pass "estimate and dry run"
