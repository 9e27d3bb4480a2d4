#!/usr/bin/env bash
# `spotrun cancel` takes effect at once in every phase on the local cloud: a
# job not yet claimed by the controller (PENDING), one waiting for capacity
# (PROVISIONING), one in `setup` (SETTING_UP), one
# running; each ends CANCELLED within 10 s, with no instance left and, for the
# one that was waiting, none ever launched. SIGTERM to a detached controller
# ends it within a few seconds, leaving its job in the store, and the next
# command's controller takes the job over.
source "$(dirname "$0")/lib.sh"

# One GPU on this machine: a second job asking for it waits for capacity.
export PATH=$SPOTRUN_SOURCE_DIR/tests/integration/fake-bin:$PATH
export FAKE_NVIDIA_SMI_GPUS="NVIDIA L4"

# job NAME ACCELERATORS SETUP: a detached job running `sleep 300`.
job() {
  mkdir -p "$1"
  cat > "$1/job.yaml" <<EOF2
name: $1
cloud: local
resources: {cpus: 1${2:+, accelerators: $2}}
setup: ${3:-true}
run: sleep 300
EOF2
  spotrun launch "$1/job.yaml" --detach --results "r-$1" > "$1.out" 2>&1 || fail "$1: launch: $(cat "$1.out")"
}

job holder L4:1
holder=$(job_id_named holder)
wait_for "[ \"\$(job_field $holder state)\" = RUNNING ]" 60

# PENDING: with the controller stopped (SIGSTOP) a new job stays unclaimed;
# its cancel ends it at once, and the controller, resumed, launches nothing
# for it.
ctl=$(sqlite3 "$SPOTRUN_HOME/state.db" "select pid from controller_lease")
[ -n "$ctl" ] || fail "no controller holds the lease"
kill -STOP "$ctl"
job pending
pending=$(job_id_named pending)
[ "$(job_field "$pending" state)" = PENDING ] || { kill -CONT "$ctl"; fail "the new job is not PENDING"; }
cancel_within "$pending" PENDING
kill -CONT "$ctl"
sleep 2
[ "$(attempts "$pending")" = 0 ] || fail "an instance was launched for the job cancelled while PENDING"

# PROVISIONING, waiting for the GPU the holder has.
job waiter L4:1
waiter=$(job_id_named waiter)
wait_for "[ \"\$(job_field $waiter state)\" = PROVISIONING ]" 30
sleep 3  # Well into its wait for capacity.
[ "$(job_field "$waiter" state)" = PROVISIONING ] || fail "the waiter is not waiting for capacity"
cancel_within "$waiter" PROVISIONING
[ "$(attempts "$waiter")" = 0 ] || fail "an instance was launched for the job cancelled while waiting"

# SETTING_UP, in a long `setup`.
job settingup "" "sleep 300"
settingup=$(job_id_named settingup)
wait_for "[ \"\$(job_field $settingup state)\" = SETTING_UP ]" 30
wait_for "pgrep -f 'sleep 300' >/dev/null" 30
sleep 1
cancel_within "$settingup" SETTING_UP
[ "$(attempts "$settingup")" = 1 ] || fail "the job cancelled in setup had $(attempts "$settingup") instances"

# RUNNING.
cancel_within "$holder" RUNNING

# SIGTERM to a detached controller: it ends, the job stays, the next command
# hands it to a new controller.
job term
term=$(job_id_named term)
wait_for "[ \"\$(job_field $term state)\" = RUNNING ]" 60
ctl=$(controller_pid "$term")
[ -n "$ctl" ] && [ "$ctl" != 0 ] || fail "no controller pid for $term"
kill -TERM "$ctl"
wait_for "! kill -0 $ctl 2>/dev/null" 5
[ "$(sqlite3 "$SPOTRUN_HOME/state.db" "select state from jobs where id='$term'")" = RUNNING ] ||
  fail "SIGTERM to the controller changed the job"
spotrun status > status.txt 2>&1
grep -q "lost its controller; a new one" status.txt || fail "no new controller took the job: $(cat status.txt)"
new=$(controller_pid "$term")
[ "$new" != "$ctl" ] && kill -0 "$new" 2>/dev/null || fail "the new controller ($new) is not running"
[ "$(attempts "$term")" = 1 ] || fail "the new controller launched another instance"
cancel_within "$term" "RUNNING, under the new controller"
assert_no_instance_processes
pass "cancel in PENDING, PROVISIONING, SETTING_UP and RUNNING within 10 s; SIGTERM hands the job over"
