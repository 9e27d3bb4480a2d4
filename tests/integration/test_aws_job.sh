#!/usr/bin/env bash
# Whole jobs through the aws cloud: the control plane on moto_server, the data
# plane over SSH to a loopback sshd (SPOTRUN_SSH_TARGET). The spot instance is
# requested with the job's max price, tags, disk, key pair and an SSH-only
# security group; after success and after failure the instance is terminated,
# the key pair and group deleted, and moto holds nothing of the job.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

start_moto
start_test_sshd "$TEST_TMP/instance"

write_aws_job ok 6 2
spotrun launch ok/job.yaml --results results-ok > ok.txt 2>&1 &
launcher=$!
BACKGROUND_PIDS="$launcher"
wait_for "spotrun status --json | grep RUNNING >/dev/null" 60
id=$(only_job_id)
check_launched "$id"
wait "$launcher" || fail "launch exited $?: $(cat ok.txt)"
cat ok.txt
grep -q "on the aws cloud" ok.txt || fail "the CLI did not say which cloud"
[ -s results-ok/model.pkl ] || fail "no model.pkl back from the instance"
[ -s "$TEST_TMP/instance/home/spotrun/$id/workdir/train.py" ] || fail "the workdir did not go over SSH"
[ "$(job_field "$id" state)" = SUCCEEDED ] || fail "state is not SUCCEEDED"
$MOTO_CHECK gone "$id" || fail "job $id left resources in moto"

make_job_dir bad
cat > bad/job.yaml <<EOF2
name: bad
cloud: aws
resources: {instance_type: t3.medium, max_price: 0.05, disk_size: 16, image: $($MOTO_CHECK ubuntu-image)}
run: echo "about to fail"; exit 3
EOF2
set +e
spotrun launch bad/job.yaml --results results-bad > bad.txt 2>&1
rc=$?
set -e
cat bad.txt
[ "$rc" = 1 ] || fail "a failing run exited $rc, expected 1"
bad_id=$(spotrun status bad --json | python3 -c "import json,sys; print(json.load(sys.stdin)['jobs'][0]['id'])")
[ "$(job_field "$bad_id" state)" = FAILED ] || fail "state is not FAILED"
grep -q "about to fail" results-bad/logs/job.log || fail "logs of the failed run not brought back"
$MOTO_CHECK gone "$bad_id" || fail "job $bad_id left resources in moto"
[ "$($MOTO_CHECK alive)" = 0 ] || fail "instances left in moto"
assert_no_ssh_processes
pass "aws jobs on moto with SSH to a loopback sshd: success and failure clean up"
