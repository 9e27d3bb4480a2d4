#!/usr/bin/env bash
# On the aws cloud against moto: a simulated spot interruption (an IMDS notice,
# and the instance terminated in moto) leads to a relaunch and a resume from
# the S3 checkpoint store (moto's S3; the controller's own copy is removed so
# the resume can only come from S3).
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

start_moto
export AWS_ENDPOINT_URL_S3=$MOTO_URL
python3 -c "import boto3; boto3.client('s3', endpoint_url='$MOTO_URL').create_bucket(Bucket='ckpt')"

python3 "$SPOTRUN_SOURCE_DIR"/tests/integration/imds_fixture.py imds.port "$TEST_TMP/notice.json" $$ &
BACKGROUND_PIDS=$!
wait_for "[ -s imds.port ]" 20
export TEST_IMDS_URL="http://127.0.0.1:$(cat imds.port)/"
start_test_sshd "$TEST_TMP/instance"

write_aws_job job 24 0.4
printf 'checkpoint: {store: "s3://ckpt/jobs/", sync_interval: 2s}\n' >> job/job.yaml
# One pool: no replacement can be had during the notice, so the relaunch waits
# for the reclaim, and the test wipes the one host every instance shares first.
sed -i 's/^  instance_type: t3.medium$/&\n  zone: use1-az1/' job/job.yaml
grep -q '^  zone: use1-az1$' job/job.yaml || fail "could not pin the job to one pool"
"$SPOTRUN_BIN" launch job/job.yaml --results results > out.txt 2>&1 &
launcher=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $launcher"
wait_for "grep -qs 'epoch 3/' out.txt" 60
id=$(only_job_id)

# The interruption: EC2's notice through IMDS, and the instance taken back.
python3 - "$TEST_TMP/notice.json" <<'PY'
import json, sys, time
t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 12))
json.dump({"action": "terminate", "time": t}, open(sys.argv[1], "w"))
PY
python3 - "$id" <<'PY'
import boto3, os, sys
ec2 = boto3.client("ec2", endpoint_url=os.environ["AWS_ENDPOINT_URL_EC2"])
r = ec2.describe_instances(Filters=[{"Name": "tag:spotrun:job-id", "Values": [sys.argv[1]]},
                                    {"Name": "instance-state-name", "Values": ["running"]}])
ids = [i["InstanceId"] for res in r["Reservations"] for i in res["Instances"]]
assert len(ids) == 1, ids
ec2.terminate_instances(InstanceIds=ids)
PY
wait_for "sqlite3 '$SPOTRUN_HOME/state.db' \"select kind from events where job_id='$id'\" | grep -q PREEMPTED" 60
# The relaunch gets a fresh instance: no notice, no old files, no old agent;
# and the controller's own checkpoint copy is gone, so only S3 can resume it.
rm -f "$TEST_TMP/notice.json"
for p in $(test_sshd_session_pids); do
  grep -qs spotrun_agent "/proc/$p/cmdline" && kill "$p" 2>/dev/null || true
done
rm -rf "$TEST_TMP/instance/home/spotrun" "$SPOTRUN_HOME/jobs/$id/checkpoints"

wait "$launcher" || { cat out.txt; fail "launch exited $?"; }
cat out.txt
grep -q "checkpoint mirrored to s3://ckpt/jobs/$id/" out.txt || fail "no checkpoint reached S3"
grep -q "fetched from s3://ckpt/jobs/$id/" out.txt || fail "the resume did not come from S3"
grep -q "^resumed from epoch-" out.txt || fail "the job did not resume from a checkpoint"
[ -s results/model.pkl ] || fail "no model"
[ "$(job_field "$id" attempts)" = 2 ] && [ "$(job_field "$id" preemptions)" = 1 ] ||
  fail "attempts $(job_field "$id" attempts), preemptions $(job_field "$id" preemptions)"
python3 -c "
import boto3
keys = [o['Key'] for o in boto3.client('s3', endpoint_url='$MOTO_URL').list_objects_v2(Bucket='ckpt')['Contents']]
assert 'jobs/$id/MANIFEST.json' in keys, keys" || fail "no manifest in S3"
$MOTO_CHECK gone "$id" || fail "job $id left resources in moto"
pass "aws preemption: relaunch and resume from S3"
