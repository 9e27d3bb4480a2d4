#!/usr/bin/env bash
# The local cloud's SSH mode: the quickstart job's setup, run and outputs go
# over a real sshd and rsync; model.pkl comes back, and when the job is over no
# process of the instance, no sshd connection and no ssh master is left.
source "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd"

export SPOTRUN_LOCAL_SSH=1
make_job_dir job
cp "$SPOTRUN_SOURCE_DIR"/examples/quickstart/job.yaml job/
spotrun launch job/job.yaml --results results > out.txt 2>&1 || fail "launch exited $?: $(cat out.txt)"
cat out.txt
[ -s results/model.pkl ] || fail "no model.pkl"
grep -q "epoch 8/8" results/logs/job.log || fail "no job log"
id=$(only_job_id)
[ "$(job_field "$id" state)" = SUCCEEDED ] || fail "state is not SUCCEEDED"
sshd_dir=$(echo "$SPOTRUN_HOME"/local/instances/*/sshd)
grep -q "Accepted publickey" "$sshd_dir/sshd.log" || fail "the job did not log in over SSH"
grep -q "spotrun-$id" "$sshd_dir/authorized_keys" || fail "authorized_keys is not the job's key"
[ -s "$SPOTRUN_HOME/jobs/$id/ssh/id_ed25519" ] || fail "no job key"
grep -q "^i-local" "$SPOTRUN_HOME/jobs/$id/ssh/known_hosts" || fail "host key not pinned"
[ ! -e "$SPOTRUN_HOME/local/instances/"*/home/spotrun ] || fail "instance disk left behind"
assert_no_instance_processes
assert_no_ssh_processes
pass "quickstart over the local cloud's SSH mode"
