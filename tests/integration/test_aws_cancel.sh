#!/usr/bin/env bash
# `launch --detach` then `spotrun cancel` on the aws cloud (moto + a loopback
# sshd): `spotrun ssh` reaches the running instance with the job's key; the
# cancelled job's logs come back, its spot instance is terminated, and its key
# pair and security group are deleted.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

start_moto
start_test_sshd "$TEST_TMP/instance"
write_aws_job long 600 0.5
spotrun launch long/job.yaml --detach --results results | tee out.txt
grep -q "launched in the background on the aws cloud" out.txt || fail "not detached"
id=$(only_job_id)
wait_for "spotrun logs $id | grep -q 'epoch 2/'" 30
[ "$(job_field "$id" state)" = RUNNING ] || fail "not RUNNING"
check_launched "$id"
out=$(spotrun ssh "$id" -- pwd) || fail "spotrun ssh exited $?: $out"
[ "$out" = "$TEST_TMP/instance/home/spotrun/$id/workdir" ] || fail "spotrun ssh did not reach the job's workdir on the instance: $out"
spotrun cancel "$id" | tee cancel.txt
grep -q CANCELLED cancel.txt || fail "cancel did not report CANCELLED"
grep -q "epoch 2/" results/logs/job.log || fail "logs not brought back after cancel"
$MOTO_CHECK gone "$id" || fail "job $id left resources in moto"
assert_no_ssh_processes
pass "aws: detach + cancel terminates and cleans up"
