#!/usr/bin/env bash
# Recovery overlapped with the notice, on the local cloud: the replacement of
# a noticed spot instance is launched before the reclaim time, in another pool,
# while the noticed instance takes its final checkpoint; it resumes from that
# checkpoint. Prints notice-to-running. Then the controller is killed with
# SIGKILL while both instances run: the next one gives the noticed instance
# back and finishes on the replacement, with nothing left running.
source "$(dirname "$0")/lib.sh"

# A `run` counting to 30 in 0.25 s steps, its count checkpointed; on SIGTERM
# (the agent's, on the notice) it takes 2 s to stop, which keeps both
# instances up a while.
mkdir job
cat > job/job.yaml <<'EOF2'
name: noticed
resources: {cpus: 0.1, use_spot: true}
run: |
  trap 'sleep 2; exit 143' TERM
  mkdir -p checkpoints; n=$(cat checkpoints/n 2>/dev/null || echo 0)
  [ "$n" -gt 0 ] && echo "resumed at $n"
  while [ $n -lt 30 ]; do n=$((n+1)); echo $n > checkpoints/n; echo "step $n"; sleep 0.25; done
checkpoint: {dir: checkpoints}
budget: {max_duration: 5m}
EOF2

db() { sqlite3 "$SPOTRUN_HOME/state.db" "$1"; }
# The reclaim time the NOTICE event of job $1 announced (epoch seconds).
reclaim_at() {
  db "select detail from events where job_id='$1' and kind='NOTICE'" | python3 -c '
import calendar, json, sys, time
print(calendar.timegm(time.strptime(json.load(sys.stdin)["time"], "%Y-%m-%dT%H:%M:%SZ")))'
}

timeout 120 "$SPOTRUN_BIN" launch job/job.yaml --results r1 --preempt-at 8 > launch.log 2>&1 ||
  { cat launch.log; fail "launch"; }
id=$(only_job_id)
[ "$(job_field "$id" state)" = SUCCEEDED ] || fail "state $(job_field "$id" state)"
[ "$(attempts "$id")" = 2 ] || fail "attempts: $(attempts "$id"), want 2"
reclaim=$(reclaim_at "$id")
IFS='|' read -r type1 zone1 end1 <<< "$(db "select instance_type, zone, ended_at from attempts where job_id='$id' and number=1")"
IFS='|' read -r type2 zone2 start2 <<< "$(db "select instance_type, zone, started_at from attempts where job_id='$id' and number=2")"
python3 -c "import sys; sys.exit(not ($start2 < $reclaim))" ||
  fail "the replacement was launched at $start2, not before the reclaim at $reclaim"
python3 -c "import sys; sys.exit(not ($start2 < $end1 < $reclaim))" ||
  fail "attempt 1 ended at $end1: not after its replacement's launch ($start2) and before the reclaim ($reclaim)"
[ "$type1 $zone1" != "$type2 $zone2" ] || fail "the replacement went to the noticed pool $type1 $zone1"
grep -q "restored checkpoint snapshot" launch.log || fail "the replacement did not restore the checkpoint"
spotrun logs "$id" | grep -q '^resumed at [1-9]' || fail "the replacement did not resume from the count"
after=$(db "select group_concat(kind, ' ') from (select kind from events where job_id='$id' and seq > (select seq from events where job_id='$id' and kind='PREEMPTED') and kind in ('PROVISIONING','SETTING_UP','RUNNING') order by seq)")
[ "$after" = "SETTING_UP RUNNING" ] || fail "after the preemption: $after"
db "select printf('notice-to-running %.2f s', (select min(at) from events where job_id='$id' and kind='RUNNING' and at > n.at) - n.at) from events n where job_id='$id' and kind='NOTICE'"
assert_no_instance_processes

# The controller killed while both instances run.
rm -rf "$SPOTRUN_HOME"
"$SPOTRUN_BIN" launch job/job.yaml --results r2 --preempt-at 8 > launch2.log 2>&1 &
launcher=$!
BACKGROUND_PIDS=$launcher
wait_for "[ -f \"$SPOTRUN_HOME/state.db\" ] && [ \"\$(db \"select count(*) from attempts where instance_id != '' and ended_at = 0\" 2>/dev/null)\" = 2 ]" 60
id=$(only_job_id)
ctl=$(controller_pid "$id")
[ -n "$ctl" ] && [ "$ctl" != 0 ] && [ "$ctl" != "$launcher" ] || fail "controller pid '$ctl'"
kill -9 "$ctl" "$launcher"
wait "$launcher" 2>/dev/null || true
spotrun status > status.txt 2>&1
grep -q "picked it up" status.txt || { cat status.txt; fail "not adopted"; }
wait_for "[ \"\$(job_field $id state)\" = SUCCEEDED ]" 90
[ "$(ls "$SPOTRUN_HOME"/local/instances | wc -l)" = 2 ] || fail "instances launched: $(ls "$SPOTRUN_HOME"/local/instances | wc -l), want 2"
[ "$(db "select group_concat(outcome, ' ') from (select outcome from attempts where job_id='$id' order by number)")" = "preempted succeeded" ] ||
  fail "outcomes: $(db "select group_concat(outcome, ' ') from attempts where job_id='$id'")"
assert_no_instance_processes
pass "notice overlap"
