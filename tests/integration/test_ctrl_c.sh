#!/usr/bin/env bash
# Ctrl-C (SIGINT) on launch cancels the job and terminates the instance.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/job.yaml <<'EOF2'
name: interrupted
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
EOF2
"$SPOTRUN_BIN" launch job/job.yaml --results results > launch.log 2>&1 &
launcher=$!
BACKGROUND_PIDS=$launcher
wait_for "grep -qs 'epoch 1/' launch.log" 60
kill -INT $launcher
rc=0
wait $launcher || rc=$?
cat launch.log
[ "$rc" -eq 130 ] || fail "launch exited $rc after Ctrl-C, want 130"
id=$(only_job_id)
[ "$(job_field "$id" state)" = CANCELLED ] || fail "state is not CANCELLED"
[ -s results/logs/job.log ] || fail "no logs after Ctrl-C"
assert_no_instance_processes
pass "ctrl-c"
