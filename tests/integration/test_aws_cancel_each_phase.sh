#!/usr/bin/env bash
# `spotrun cancel` takes effect at once in every phase on the aws cloud
# (moto + a loopback sshd for the instances): a job not yet claimed by the
# controller (PENDING), one waiting for capacity (PROVISIONING: moto answers
# InsufficientInstanceCapacity), one in a long workdir upload and one in a
# long `setup` (SETTING_UP), one running, and one whose outputs are being
# collected. Each ends CANCELLED within 10 s with nothing of it left in moto,
# and no RunInstances is made for a job after its cancel (one in all for a
# job that had an instance, none for the PENDING one). The SSH-unreachable
# case of SETTING_UP is test_aws_cancel_phases.sh.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

export MOTO_NO_CAPACITY_FILE=$TEST_TMP/no-capacity
start_moto
start_test_sshd "$TEST_TMP/instance"
# Transfers are slow while this marker exists (slow-bin/rsync).
export PATH=$SPOTRUN_SOURCE_DIR/tests/integration/slow-bin:$PATH
export SLOW_RSYNC_MARKER=$TEST_TMP/slow-rsync
slow_rsync_waiting() { pgrep -f "^sleep 301$" -P "$(pgrep -d, -f "slow-bin/rsync" || echo 1)" > /dev/null 2>&1; }

# job NAME RUN [SETUP] [OUTPUTS]: a detached aws job.
job() {
  write_aws_job "$1" 1 0.1
  python3 - "$1/job.yaml" "$2" "${3:-python3 --version}" "${4:-[model.pkl]}" <<'PY'
import sys
path, run, setup, outputs = sys.argv[1:]
text = open(path).read()
text = text.replace("setup: python3 --version\n", "setup: '%s'\n" % setup)
text = text.replace("run: python3 train.py\n", "run: '%s'\n" % run)
text = text.replace("outputs: [model.pkl]\n", "outputs: %s\n" % outputs)
open(path, "w").write(text)
PY
  spotrun launch "$1/job.yaml" --detach --results "r-$1" > "$1.out" 2>&1 || fail "$1: launch: $(cat "$1.out")"
}
state_of() { job_field "$(job_id_named "$1")" state; }
run_instances() { $MOTO_CHECK run-instances "$1"; }
# ended ID PHASE WANT: after the cancel, nothing of ID is left in moto and no
# RunInstances for it follows (WANT in all).
ended() {
  $MOTO_CHECK gone "$1" || fail "job $1 ($2) left resources in moto"
  sleep 2
  [ "$(run_instances "$1")" = "$3" ] || fail "RunInstances for $1 ($2): $(run_instances "$1"), want $3"
}

# RUNNING, kept for the end; its controller is the one stopped below.
job holder "sleep 300"
holder=$(job_id_named holder)
wait_for "[ \"\$(job_field $holder state)\" = RUNNING ]" 60

# PENDING: with the controller stopped (SIGSTOP) a new job stays unclaimed.
ctl=$(sqlite3 "$SPOTRUN_HOME/state.db" "select pid from controller_lease")
[ -n "$ctl" ] || fail "no controller holds the lease"
kill -STOP "$ctl"
job pending "sleep 300"
pending=$(job_id_named pending)
[ "$(job_field "$pending" state)" = PENDING ] || { kill -CONT "$ctl"; fail "the new job is not PENDING"; }
cancel_within "$pending" PENDING
kill -CONT "$ctl"
ended "$pending" PENDING 0

# PROVISIONING: every launch fails for want of capacity; the job waits.
touch "$MOTO_NO_CAPACITY_FILE"
job waiter "sleep 300"
waiter=$(job_id_named waiter)
wait_for "[ \"\$(run_instances $waiter)\" -ge 1 ]" 30
sleep 2  # Into its wait for capacity.
[ "$(job_field "$waiter" state)" = PROVISIONING ] || fail "the waiter is $(job_field "$waiter" state)"
tried=$(run_instances "$waiter")
cancel_within "$waiter" "PROVISIONING, no capacity"
rm -f "$MOTO_NO_CAPACITY_FILE"
ended "$waiter" PROVISIONING "$tried"

# SETTING_UP, in a long `setup` on the instance.
job settingup "echo ran" "sleep 299"
settingup=$(job_id_named settingup)
wait_for "[ \"\$(state_of settingup)\" = SETTING_UP ] && pgrep -f '^sleep 299$' >/dev/null" 60
sleep 1
cancel_within "$settingup" "SETTING_UP, in setup"
ended "$settingup" "SETTING_UP, in setup" 1

# SETTING_UP, in the workdir upload.
touch "$SLOW_RSYNC_MARKER"
job upload "echo ran"
upload=$(job_id_named upload)
wait_for "[ \"\$(state_of upload)\" = SETTING_UP ] && slow_rsync_waiting" 60
cancel_within "$upload" "SETTING_UP, in the upload"
rm -f "$SLOW_RSYNC_MARKER"
ended "$upload" "SETTING_UP, in the upload" 1

# Collecting the outputs: `run` makes the transfers slow from then on.
job collect "echo result > model.txt && touch $SLOW_RSYNC_MARKER" "python3 --version" "[model.txt]"
collect=$(job_id_named collect)
wait_for "[ -e '$SLOW_RSYNC_MARKER' ] && slow_rsync_waiting" 60
cancel_within "$collect" "collecting the outputs"
rm -f "$SLOW_RSYNC_MARKER"
ended "$collect" "collecting the outputs" 1
[ ! -e r-collect.partial ] || fail "a partial results directory was left: $(ls r-collect.partial)"

# RUNNING.
cancel_within "$holder" RUNNING
ended "$holder" RUNNING 1
assert_no_ssh_processes
pass "aws: cancel in PENDING, PROVISIONING, setup, upload, RUNNING and collection within 10 s"
