#!/usr/bin/env bash
# On the aws cloud (moto), with the instances' SSH unreachable (a slow
# bootstrap, a wrong security group): `spotrun cancel` of a job stuck in
# SETTING_UP ends it CANCELLED within 10 s, with nothing left in moto and no
# second instance ever launched; `spotrun down --all` does the same for two
# such jobs at once.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

start_moto
# A loopback port no one listens on: every SSH connection is refused.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SPOTRUN_SSH_TARGET="$(id -un)@127.0.0.1:$port"

# stuck NAME: a detached job that reaches SETTING_UP and stays there; prints its id.
stuck() {
  write_aws_job "$1" 2 0.1
  spotrun launch "$1/job.yaml" --detach --results "r-$1" > "$1.out" 2>&1 || fail "$1: $(cat "$1.out")"
  local id
  id=$(job_id_named "$1")
  wait_for "[ \"\$(job_field $id state)\" = SETTING_UP ]" 30
  echo "$id"
}

# The controller stays for 1 s with nothing to drive, then exits.
export SPOTRUN_CONTROLLER_IDLE_S=1
one=$(stuck one)
sleep 3  # Well into the SSH retries.
[ "$(job_field "$one" state)" = SETTING_UP ] || fail "the job is not stuck in SETTING_UP"
ctl=$(controller_pid "$one")
cancel_within "$one" "SETTING_UP, SSH unreachable"
$MOTO_CHECK gone "$one" || fail "job $one left resources in moto"
wait_for "! kill -0 $ctl 2>/dev/null" 10
[ "$($MOTO_CHECK run-instances "$one")" = 1 ] || fail "RunInstances for $one: $($MOTO_CHECK run-instances "$one"), want 1"

two=$(stuck two)
three=$(stuck three)
sleep 2
start=$(date +%s)
timeout 30 "$SPOTRUN_BIN" down --all > down.txt 2>&1 || fail "down --all: $(cat down.txt)"
[ $(($(date +%s) - start)) -lt 10 ] || fail "down --all took $(($(date +%s) - start)) s"
for id in "$two" "$three"; do
  [ "$(job_field "$id" state)" = CANCELLED ] || fail "$id is $(job_field "$id" state) after down --all"
  $MOTO_CHECK gone "$id" || fail "job $id left resources in moto"
  [ "$($MOTO_CHECK run-instances "$id")" = 1 ] || fail "RunInstances for $id: $($MOTO_CHECK run-instances "$id"), want 1"
done
assert_no_ssh_processes
pass "aws: cancel and down --all while SSH is unreachable, within 10 s, one instance each"
