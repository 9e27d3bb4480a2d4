#!/usr/bin/env bash
# The state store under damage: garbage, truncated, newer (read-only:
# test_store_readonly.sh),
# deleted or garbled under a running job. One line and exit 1, never a crash;
# no sweep on what the store cannot say; a controller that loses its store
# ends its instance; `down --all` works from the cloud's tags.
source "$(dirname "$0")/lib.sh"

db=$SPOTRUN_HOME/state.db
make_job_dir job
cat > job/job.yaml <<'EOF2'
name: long
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
EOF2

# Runs spotrun $@, expecting exit status $want and one stderr line matching $pattern.
expect_line() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$SPOTRUN_BIN" "$@" > out.txt 2> err.txt || rc=$?
  [ "$rc" = "$want" ] || { cat err.txt; fail "spotrun $*: exit $rc, want $want"; }
  [ "$(wc -l < err.txt)" = 1 ] || { cat err.txt; fail "spotrun $*: not one line"; }
  grep -q -- "$pattern" err.txt || { cat err.txt; fail "spotrun $*: no '$pattern'"; }
}
instances_launched() { ls "$SPOTRUN_HOME"/local/instances 2>/dev/null | wc -l; }
fresh_home() { rm -rf "$SPOTRUN_HOME"; spotrun status >/dev/null 2>&1; }
# Launches the long job detached and waits for `run`; sets $id and $ctl (its controller).
launch_running() {
  spotrun launch job/job.yaml --detach --results "results-$1" >/dev/null
  id=$(only_job_id)
  wait_for "spotrun logs $id 2>/dev/null | grep -q 'epoch 2/'" 60
  ctl=$(sqlite3 "$db" "select controller_pid from jobs where id='$id'")
  BACKGROUND_PIDS="${BACKGROUND_PIDS:-} $ctl"
}
garble() { head -c 8192 /dev/urandom | dd of="$db" conv=notrunc status=none; }

# Garbage.
fresh_home
head -c 5000 /dev/urandom > "$db"
expect_line 1 "state store $db is unreadable" status

# Truncated.
fresh_home
for i in $(seq 60); do
  sqlite3 "$db" "insert into events (job_id, at, kind, detail) values ('x', $i, 'K', '$(printf '%2000s' | tr ' ' y)')"
done
truncate -s $(($(stat -c %s "$db") / 2)) "$db"
expect_line 1 "state store $db is unreadable" status

# A newer version: refused, and not relabelled.
fresh_home
sqlite3 "$db" 'PRAGMA user_version = 99'
expect_line 1 "state store $db has schema version 99; this spotrun reads version 4" status
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 99 ] || fail "version 99 relabelled"
pass "garbage, truncated and newer stores refused in one line"

# Deleted under a running job: the next command must not end the job it cannot
# see, and the controller, now invisible, stops its instance instead of running on.
fresh_home
launch_running deleted
rm -f "$db"
spotrun status > status.txt 2>&1 || true
grep -q "terminated leftover" status.txt && { cat status.txt; fail "status swept a job it cannot read"; }
wait_for "! kill -0 $ctl 2>/dev/null" 60
[ "$(instances_launched)" = 1 ] || fail "deleted store: $(instances_launched) instances launched"
assert_no_instance_processes
pass "a deleted store: no sweep, and the controller ends its instance"

# Garbled under a running job: the controller ends its instance.
fresh_home
launch_running garbled
garble
wait_for "! kill -0 $ctl 2>/dev/null" 60
assert_no_instance_processes
[ "$(instances_launched)" = 1 ] || fail "garbled store: relaunched"
expect_line 1 "state store $db is unreadable" status
pass "a garbled store under a running job: instance terminated"

# A controller killed, then the store garbled: nothing reads the store, and
# `down --all` ends the instance from its tags.
fresh_home
launch_running orphan
kill -9 "$ctl"
garble
expect_line 1 "is unreadable" status
[ -n "$(instance_pids)" ] || fail "status ended an instance of a store it cannot read"
rc=0; spotrun down --all > down.txt 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat down.txt; fail "down --all over a broken store: exit $rc"; }
grep -q "terminated" down.txt || { cat down.txt; fail "down --all terminated nothing"; }
assert_no_instance_processes
pass "down --all works from the cloud's tags"
