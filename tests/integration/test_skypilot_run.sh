#!/usr/bin/env bash
# A SkyPilot task file runs on the local cloud as it is: setup and run see
# SKYPILOT_NODE_RANK=0, SKYPILOT_NUM_NODES=1, SKYPILOT_NUM_GPUS_PER_NODE,
# SKYPILOT_NODE_IPS and SKYPILOT_TASK_ID, and run in ~/sky_workdir (the
# workdir); after a preemption the task id is the same. The secret, given by
# `--env API_TOKEN` from the caller's environment, reaches `run` and is found
# nowhere under SPOTRUN_HOME, the results directory or any command's output.
source "$(dirname "$0")/lib.sh"

data=$SPOTRUN_SOURCE_DIR/tests/data/skypilot
secret="sk-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
cd "$data"  # SkyPilot resolves the workdir against the current directory.

# Without the secret: one line naming the field, nothing launched.
rc=0
spotrun launch run/skypilot_vars.yaml --results "$TEST_TMP/none" > "$TEST_TMP/missing.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "launch without the secret: exit $rc, want 2"
grep -q "run/skypilot_vars.yaml:[0-9]*:1: secrets.API_TOKEN: required" "$TEST_TMP/missing.out" ||
  fail "no one-line error naming secrets.API_TOKEN: $(cat "$TEST_TMP/missing.out")"
[ ! -d "$SPOTRUN_HOME/local/instances" ] || fail "an instance was launched without the secret"

export API_TOKEN=$secret
spotrun launch run/skypilot_vars.yaml --env API_TOKEN --results "$TEST_TMP/results" \
  --preempt-at 2 > "$TEST_TMP/launch.out" 2>&1 || { cat "$TEST_TMP/launch.out"; fail "launch"; }
unset API_TOKEN
cd "$TEST_TMP"
cat launch.out
id=$(only_job_id)
spotrun logs "$id" > logs.out
spotrun status > status.out
spotrun status "$id" --json > status.json
[ "$(job_field "$id" preemptions)" = 1 ] || fail "preemptions: $(job_field "$id" preemptions), want 1"
grep -q "^setup rank=0 nodes=1" logs.out || fail "setup did not see SKYPILOT_SETUP_NODE_RANK / NUM_NODES"
grep -q "^rank=0 nodes=1 gpus=0" logs.out || fail "run did not see rank 0, 1 node, 0 GPUs"
grep -q "^head=127.0.0.1 count=1" logs.out || fail "SKYPILOT_NODE_IPS is not one line with the node"
grep -q "^sky_workdir ok" logs.out || fail "~/sky_workdir does not hold the workdir"
grep -q "^cwd is sky_workdir" logs.out || fail "run does not start in ~/sky_workdir"
grep -q "^secret present" logs.out || fail "run did not get the secret"
grep -q "^done" logs.out || fail "run did not finish"
ids=$(grep '^task=' logs.out | sort -u)
[ "$(grep -c '^task=' logs.out)" = 2 ] || fail "want the task id printed by both attempts: $(grep '^task=' logs.out)"
[ "$(echo "$ids" | wc -l)" = 1 ] || fail "SKYPILOT_TASK_ID changed after the preemption: $ids"
echo "$ids" | grep -q "$id" || fail "the task id does not name the job: $ids"

# The secret is nowhere: store, job directories, sandboxes, results, outputs.
if grep -rqa -- "$secret" "$SPOTRUN_HOME" "$TEST_TMP/results" launch.out logs.out status.out status.json; then
  fail "the secret was found: $(grep -rla -- "$secret" "$SPOTRUN_HOME" "$TEST_TMP/results" ./*.out ./*.json)"
fi
# The store keeps the translated file, with the secret's name only.
sqlite3 "$SPOTRUN_HOME/state.db" "select spec_text from jobs" > spec.txt 2>/dev/null ||
  python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select spec_text from jobs').fetchone()[0])" \
    "$SPOTRUN_HOME/state.db" > spec.txt
grep -q "API_TOKEN: ~" spec.txt || fail "the stored spec does not list the secret by name: $(cat spec.txt)"
assert_no_instance_processes
pass "skypilot task runs with its SKYPILOT_* variables and secret"
