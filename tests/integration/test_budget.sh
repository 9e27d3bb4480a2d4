#!/usr/bin/env bash
# budget.max_duration and budget.max_cost stop the job cleanly: FAILED with the
# reason, logs brought back, the instance terminated.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/duration.yaml <<'EOF2'
name: too-long
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
budget: {max_duration: 4s}
EOF2
start=$(date +%s)
rc=0
spotrun launch job/duration.yaml --results r1 > out1.txt 2>&1 || rc=$?
cat out1.txt
[ "$rc" -eq 1 ] || fail "exit $rc"
[ $(( $(date +%s) - start )) -lt 30 ] || fail "max_duration did not stop the job in time"
grep -q "budget.max_duration reached" out1.txt || fail "no reason given"
grep -q "epoch 1/" r1/logs/job.log || fail "logs not brought back"

# t3.medium spot bills about $0.0168/h: with $0.0003 the next minute would
# cross the cap after a few seconds.
sed -e 's/name: too-long/name: too-dear/' -e 's/max_duration: 4s/max_cost: 0.0003/' \
  job/duration.yaml > job/cost.yaml
rc=0
spotrun launch job/cost.yaml --results r2 > out2.txt 2>&1 || rc=$?
cat out2.txt
[ "$rc" -eq 1 ] || fail "exit $rc"
grep -q "budget.max_cost reached" out2.txt || fail "no reason given"
cost=$(spotrun status too-dear --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["cost_usd"])')
python3 -c "import sys; c=float(sys.argv[1]); assert 0 < c <= 0.0003, c" "$cost" || fail "cost $cost over the cap"
assert_no_instance_processes
pass "budget"
