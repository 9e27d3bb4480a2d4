#!/usr/bin/env bash
# Recovery beyond --preempt-at: a failing run restarted up to
# recovery.max_restarts; the dead man's switch; random and trace-driven
# preemptions on the local cloud's market.
source "$(dirname "$0")/lib.sh"

make_job_dir job

# 1. The user's code fails on attempt 1 only: restarted once, counted apart
#    from preemptions.
cat > job/flaky.yaml <<'EOF2'
name: flaky
run: |
  if [ "$SPOTRUN_ATTEMPT" = 1 ]; then echo "attempt 1 crashes"; exit 5; fi
  python3 train.py
outputs: [model.pkl]
recovery: {max_restarts: 1}
EOF2
spotrun launch job/flaky.yaml --results flaky > flaky.out 2>&1 || { cat flaky.out; fail "flaky job"; }
id=$(spotrun status flaky --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["id"])')
[ "$(job_field "$id" attempts)" = 2 ] && [ "$(job_field "$id" preemptions)" = 0 ] || fail "restart counting"
grep -q "restart 1 of 1" flaky.out || fail "restart not reported"
sed -i 's/max_restarts: 1/max_restarts: 0/; s/name: flaky/name: flaky0/' job/flaky.yaml
rc=0; spotrun launch job/flaky.yaml --results flaky0 > flaky0.out 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "with max_restarts 0 the failure must end the job (exit $rc)"

# 2. Dead man's switch: the controller dies and nobody runs spotrun; the
#    instance terminates itself once the controller has been silent 3 s.
cat > job/orphan.yaml <<'EOF2'
name: orphan
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
recovery: {controller_timeout: 3s}
EOF2
"$SPOTRUN_BIN" launch job/orphan.yaml --results orphan > orphan.out 2>&1 &
launcher=$!
BACKGROUND_PIDS=$launcher
wait_for "grep -qs 'epoch 1/' orphan.out" 60
orphan_ctl=$(controller_pid "$(spotrun status orphan --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["id"])')")
kill -9 $launcher "$orphan_ctl"
wait_for "[ -z \"\$(instance_pids)\" ]" 30
grep -qs "controller has been silent\|controller silent" "$SPOTRUN_HOME"/local/instances/*/imds.log \
  "$SPOTRUN_HOME"/jobs/*/attempt-1.log 2>/dev/null || true
state=$(python3 -c 'import json,glob,sys; print(json.load(open(glob.glob(sys.argv[1])[0]))["state"])' \
  "$SPOTRUN_HOME/local/instances/*/meta.json")
[ "$state" = terminated ] || fail "orphaned instance is $state"
spotrun down --all > /dev/null 2>&1

# 3. Random preemptions (seeded), and a spot availability trace in
#    accelerated time: the job still completes, one instance per attempt.
cat > job/market.yaml <<'EOF2'
name: market
envs: {EPOCHS: 12, EPOCH_SECONDS: 0.3}
run: python3 train.py
outputs: [model.pkl]
EOF2
# A trace (1 tick = 1 s here): up 8 s, down 3 s, then up.
python3 -c 'import json; print(json.dumps({"metadata": {"gap_seconds": 1}, "data": [0]*8 + [1]*3 + [0]*600}))' > trace.json
for how in "--preempt-rate 900 --seed 3" "--preempt-trace trace.json --trace-speed 1"; do
  rm -rf market
  spotrun launch job/market.yaml --results market $how > market.out 2>&1 || { cat market.out; fail "$how"; }
  id=$(spotrun status market --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["id"])')
  pre=$(job_field "$id" preemptions)
  att=$(job_field "$id" attempts)
  [ "$pre" -ge 1 ] || fail "$how: no preemption happened"
  [ "$att" = $((pre + 1)) ] || fail "$how: $att attempts for $pre preemptions"
  [ -s market/model.pkl ] || fail "$how: no model"
  echo "ok $how: $pre preemption(s)"
done
grep -q "no capacity in any of" market.out || fail "the trace's unavailable stretch did not refuse a launch"
assert_no_instance_processes
pass "recovery"
