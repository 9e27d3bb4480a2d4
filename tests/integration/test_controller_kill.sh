#!/usr/bin/env bash
# The controller killed with SIGKILL at each phase of a recovery (provisioning,
# setting up and running the relaunch) and restarted: the job finishes, and the
# number of instances ever launched equals preemptions + 1. In the first two
# phases the `launch` that follows the job dies too and `spotrun status`
# starts the new controller; in the last, `launch` lives on, starts it itself
# and ends with the job's outcome. The replacement is launched during the
# notice, with no PROVISIONING, when another pool has capacity; the job that
# is killed while provisioning is pinned to one pool, so that its relaunch
# waits for the reclaim (test_notice_overlap.sh kills during the overlap).
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/job.yaml <<'EOF2'
name: phoenix
envs: {EPOCHS: 10, EPOCH_SECONDS: 0.4}
run: python3 train.py
outputs: [model.pkl]
EOF2
sed 's/^run:/resources: {instance_type: t3.medium, zone: use1-az2}\nrun:/' job/job.yaml > job/pinned.yaml
grep -q '^resources:' job/pinned.yaml || fail "could not pin the job to one pool"

# Events of the job, one kind per line.
events() { sqlite3 "$SPOTRUN_HOME/state.db" "select kind from events where job_id='$1' order by seq"; }

for phase in PROVISIONING SETTING_UP RUNNING; do
  rm -rf "$SPOTRUN_HOME" "results-$phase"
  spec=job/job.yaml
  [ "$phase" = PROVISIONING ] && spec=job/pinned.yaml
  "$SPOTRUN_BIN" launch "$spec" --results "results-$phase" --preempt-at 6 > "launch-$phase.log" 2>&1 &
  launcher=$!
  BACKGROUND_PIDS=$launcher
  # The store exists a moment before the launch has put the job in it.
  wait_for "[ \"\$(spotrun status --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"jobs\"]))' 2>/dev/null)\" = 1 ]" 20
  id=$(only_job_id)
  # The recovery's phase: the second time the job enters $phase after the preemption.
  wait_for "events $id | grep -A100 PREEMPTED | grep -q '^$phase\$'" 60
  ctl=$(controller_pid "$id")
  [ -n "$ctl" ] && [ "$ctl" != 0 ] && [ "$ctl" != "$launcher" ] || fail "$phase: controller pid '$ctl'"
  kill -9 "$ctl"
  if [ "$phase" = RUNNING ]; then
    rc=0
    timeout 90 tail --pid=$launcher -f /dev/null || fail "$phase: launch did not end"
    wait $launcher || rc=$?
    [ "$rc" = 0 ] || { cat "launch-$phase.log"; fail "$phase: launch exited $rc"; }
    grep -q "picked it up" "launch-$phase.log" || fail "$phase: launch did not restart the controller"
    grep -q "^SUCCEEDED" "launch-$phase.log" || fail "$phase: launch did not print the outcome"
  else
    kill -9 $launcher
    wait $launcher 2>/dev/null || true
    spotrun status > "status-$phase.txt" 2>&1
    grep -q "picked it up" "status-$phase.txt" || { cat "status-$phase.txt"; fail "$phase: not adopted"; }
  fi
  wait_for "[ \"\$(job_field $id state)\" = SUCCEEDED ]" 90
  [ -s "results-$phase/model.pkl" ] || fail "$phase: no model.pkl"
  pre=$(job_field "$id" preemptions)
  launched=$(ls "$SPOTRUN_HOME"/local/instances | wc -l)
  [ "$pre" = 1 ] || fail "$phase: $pre preemptions, want 1"
  [ "$launched" = 2 ] || fail "$phase: $launched instances launched for 1 preemption"
  [ "$(job_field "$id" attempts)" = 2 ] || fail "$phase: attempts"
  assert_no_instance_processes
  echo "ok: killed in the recovery's $phase, finished with $launched instances"
done
pass "controller killed during recovery"
