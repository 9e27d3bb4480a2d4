#!/usr/bin/env bash
# A job whose run fails makes launch exit non-zero, still brings back its logs,
# and terminates the instance.
source "$(dirname "$0")/lib.sh"

mkdir job
cat > job/job.yaml <<'EOF2'
name: broken
run: |
  echo "about to fail: $SPOTRUN_JOB_ID attempt $SPOTRUN_ATTEMPT"
  exit 3
outputs: [model.pkl]
EOF2
rc=0
spotrun launch job/job.yaml --results results > out.txt 2>&1 || rc=$?
cat out.txt
[ "$rc" -ne 0 ] || fail "launch exited 0 for a failed run"
grep -q "about to fail: .* attempt 1" results/logs/job.log || fail "logs not brought back"
grep -q "exit status 3" results/logs/job.log || fail "exit status not in the log"
id=$(only_job_id)
[ "$(job_field "$id" state)" = FAILED ] || fail "state is not FAILED"
grep -q "run exited with status 3" <<< "$(job_field "$id" message)" || fail "message lacks the cause"
[ ! -e results.partial ] || fail "partial download left behind"
assert_no_instance_processes
pass "failed run"
