#!/usr/bin/env bash
# `spotrun ssh JOB -- COMMAND` runs one command on the job's running instance,
# in the job's workdir there: on the local cloud in the sandbox with the
# instance's environment, and in SSH mode over ssh with OpenSSH options passed
# through (a -L forward to the instance's IMDS endpoint is used while the
# command runs; -N -L keeps the forward in the foreground until interrupted).
source "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd"

make_job_dir job
cat > job/job.yaml <<'EOF2'
name: long
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
EOF2

# Runs `spotrun launch --detach` and prints the job id once the job RUNs.
launch_running() {
  spotrun launch job/job.yaml --detach --results "results-$1" > "launch-$1.txt"
  local id
  id=$(sed -n 's/^job \([^ ]*\) .*/\1/p' "launch-$1.txt")
  wait_for "[ \"\$(job_field $id state)\" = RUNNING ]" 30
  echo "$id"
}

plain=$(launch_running plain)
out=$(spotrun ssh "$plain" -- 'pwd; echo "$SPOTRUN_LOCAL_INSTANCE"') || fail "ssh exited $?: $out"
dir=$(echo "$out" | sed -n 1p)
instance=$(echo "$out" | sed -n 2p)
[[ "$dir" == "$SPOTRUN_HOME/local/instances/$instance/home/spotrun/$plain/workdir" ]] ||
  fail "not in the job's workdir: $out"
set +e
spotrun ssh "$plain" -- exit 7
rc=$?
spotrun ssh "$plain" -L 8888:localhost:8888 -- true 2> refused.txt
rc_refused=$?
set -e
[ "$rc" = 7 ] || fail "the command's exit status was not passed on: $rc"
[ "$rc_refused" = 2 ] && grep -q "need an instance reached over SSH" refused.txt ||
  fail "OpenSSH options on a plain local instance: exit $rc_refused, $(cat refused.txt)"

export SPOTRUN_LOCAL_SSH=1
over_ssh=$(launch_running ssh)
out=$(spotrun ssh "$over_ssh" -o ServerAliveInterval=5 -- 'pwd; echo "$SPOTRUN_LOCAL_INSTANCE"') ||
  fail "ssh exited $?: $out"
instance=$(echo "$out" | sed -n 2p)
[ "$(echo "$out" | sed -n 1p)" = "$SPOTRUN_HOME/local/instances/$instance/home/spotrun/$over_ssh/workdir" ] ||
  fail "not in the job's workdir over SSH: $out"
imds_port=$(cat "$SPOTRUN_HOME/local/instances/$instance/imds.port")
forward_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
spotrun ssh "$over_ssh" -L "$forward_port:127.0.0.1:$imds_port" -- sleep 5 &
BACKGROUND_PIDS="$!"
wait_for "curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://127.0.0.1:$forward_port/latest/api/token >/dev/null" 5
wait $BACKGROUND_PIDS || fail "ssh with -L exited $?"
# -N -L: only the forward, in the foreground until interrupted; it ends with
# this ssh (it used to be handed to the controller's master connection, and
# `spotrun ssh` returned at once).
token() {
  curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "http://127.0.0.1:$1/latest/api/token" >/dev/null
}
n_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The binary itself, not the spotrun function: $! is then the ssh it becomes.
"$SPOTRUN_BIN" ssh "$over_ssh" -N -L "$n_port:127.0.0.1:$imds_port" > n.txt 2>&1 &
n_pid=$!
BACKGROUND_PIDS="$BACKGROUND_PIDS $n_pid"
wait_for "token $n_port" 10
kill -0 "$n_pid" 2>/dev/null || fail "ssh -N -L returned instead of staying in the foreground: $(cat n.txt)"
kill -TERM "$n_pid"
wait "$n_pid" 2>/dev/null || true
! token "$n_port" || fail "the -N -L forward outlived its spotrun ssh"

spotrun cancel "$plain" > /dev/null
spotrun cancel "$over_ssh" > /dev/null
set +e
spotrun ssh "$plain" -- true 2> ended.txt
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "is CANCELLED" ended.txt || fail "ssh to a finished job: exit $rc, $(cat ended.txt)"
assert_no_instance_processes
assert_no_ssh_processes
pass "spotrun ssh on the local cloud, plain and over SSH"
