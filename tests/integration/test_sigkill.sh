#!/usr/bin/env bash
# The launching process killed with SIGKILL mid-run: the job goes on under
# the controller. Then the controller killed too: the next `spotrun status`
# shows the job (and a new controller adopts it), and after `spotrun down --all`
# no process of it is alive.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/job.yaml <<'EOF2'
name: long
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
outputs: [model.pkl]
EOF2
"$SPOTRUN_BIN" launch job/job.yaml > launch.log 2>&1 &
launcher=$!
BACKGROUND_PIDS=$launcher
wait_for "grep -qs 'epoch 2/' launch.log" 60
[ -n "$(instance_pids)" ] || fail "no instance process while running"
kill -9 $launcher
wait $launcher 2>/dev/null || true
id=$(only_job_id)
ctl=$(controller_pid "$id")
sleep 1
kill -0 "$ctl" 2>/dev/null || fail "the controller ($ctl) died with the launching process"
[ "$(job_field "$id" state)" = RUNNING ] || fail "the job stopped with the launching process"
kill -9 "$ctl"
wait_for "! kill -0 $ctl 2>/dev/null" 5

spotrun status > status.txt 2>&1
cat status.txt
grep -q long status.txt || fail "status does not show the job"
grep -q "picked it up" status.txt || fail "no controller adopted the orphaned job"
spotrun down --all
assert_no_instance_processes
state=$(job_field "$id" state)
[ "$state" = CANCELLED ] || fail "state is $state, want CANCELLED"
pass "sigkill"
