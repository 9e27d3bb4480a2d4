#!/usr/bin/env bash
# `launch --detach` returns at once; `spotrun cancel` stops the job, brings its
# logs back, and terminates the instance.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/job.yaml <<'EOF2'
name: detached
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
outputs: [model.pkl]
EOF2
spotrun launch job/job.yaml --detach --results results | tee out.txt
id=$(only_job_id)
wait_for "spotrun logs $id | grep -q 'epoch 2/'" 60
[ "$(job_field "$id" state)" = RUNNING ] || fail "not RUNNING"
spotrun cancel "$id" | tee cancel.txt
grep -q CANCELLED cancel.txt || fail "cancel did not report CANCELLED"
[ "$(job_field "$id" state)" = CANCELLED ] || fail "state is not CANCELLED"
grep -q "epoch 2/" results/logs/job.log || fail "logs not brought back after cancel"
assert_no_instance_processes
timeout 10 "$SPOTRUN_BIN" logs "$id" --follow | grep -q "epoch 1/" || fail "logs --follow"
pass "detach + cancel"
