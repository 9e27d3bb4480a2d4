#!/usr/bin/env bash
# The orphan sweep on the aws cloud: a job whose controller was killed and
# which the state store no longer knows (state.db deleted) is older than the
# new store, so the next command's sweep leaves it running (a lost store is
# no proof that a job is over); `spotrun down --all` terminates its instance
# and deletes its key pair and security group at any time.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

start_moto
start_test_sshd "$TEST_TMP/instance"
write_aws_job long 600 0.5

# Launches the job detached, waits for it to run, kills its controller and
# forgets the state store; prints the job id.
orphan_a_job() {
  spotrun launch long/job.yaml --detach --results "results-$1" > /dev/null
  local id
  id=$(only_job_id)
  wait_for "spotrun logs $id | grep -q 'epoch 1/'" 30
  kill -9 "$(controller_pid "$id")"
  rm -f "$SPOTRUN_HOME"/state.db*
  echo "$id"
}

first=$(orphan_a_job 1)
spotrun status > /dev/null 2> quiet.txt
[ ! -s quiet.txt ] || fail "swept again within ten minutes: $(cat quiet.txt)"
rm "$SPOTRUN_HOME/aws-sweep"  # As if ten minutes had passed.
spotrun status > /dev/null 2> sweep.txt
cat sweep.txt
# The new store never knew the job: its instance predates the store, so the
# sweep may not judge it over (it could be a live job of a lost store).
grep -q "terminated leftover instance" sweep.txt && fail "swept an instance the store cannot judge"
[ "$($MOTO_CHECK alive)" = 1 ] || fail "expected the first job's instance alive"
spotrun down --all 2> down1.txt
cat down1.txt
grep -q "deleted leftover key pair spotrun-$first" down1.txt || fail "down --all did not sweep the key pair"
$MOTO_CHECK gone "$first" || fail "job $first left resources in moto"

second=$(orphan_a_job 2)
[ "$($MOTO_CHECK alive)" = 1 ] || fail "expected the second job's instance alive"
spotrun down --all 2> down.txt
grep -q "deleted leftover security group" down.txt || fail "down --all did not sweep: $(cat down.txt)"
$MOTO_CHECK gone "$second" || fail "job $second left resources in moto"
pass "aws: leftovers of forgotten jobs are swept"
