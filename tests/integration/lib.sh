# Shared helpers for the integration tests: each test sources this file, gets a
# private SPOTRUN_HOME and work directory, and on exit ends every process it
# started (the local instances' processes included).
set -euo pipefail

SPOTRUN_SOURCE_DIR=${SPOTRUN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SPOTRUN_BIN=${SPOTRUN_BIN:-$SPOTRUN_SOURCE_DIR/build/spotrun}
TEST_TMP=$(mktemp -d /tmp/spotrun-it.XXXXXX)
export SPOTRUN_HOME=$TEST_TMP/home
cd "$TEST_TMP"
# No test reaches real AWS: no AWS settings at all unless the test sets its
# own (aws_lib.sh points them at a loopback moto_server).
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
unset AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EC2 SPOTRUN_SSH_TARGET
unset SPOTRUN_LOCAL_SSH SPOTRUN_SSH_CIDR SPOTRUN_LOCAL_SHARE
export AWS_CONFIG_FILE=$TEST_TMP/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$TEST_TMP/no-aws-credentials
export AWS_EC2_METADATA_DISABLED=true

spotrun() { "$SPOTRUN_BIN" "$@"; }

# Pids of processes of local instances created under this test's SPOTRUN_HOME:
# those in an instance's sandbox (its PID namespace, in sandbox.json) and its
# daemons (marked SPOTRUN_LOCAL_INSTANCE=<id>).
instance_pids() {
  local dir id ns init p
  for dir in "$SPOTRUN_HOME"/local/instances/*/; do
    [ -d "$dir" ] || continue
    id=$(basename "$dir")
    grep -lsz "^SPOTRUN_LOCAL_INSTANCE=$id\$" /proc/[0-9]*/environ 2>/dev/null |
      sed -e 's#/proc/##' -e 's#/environ##' || true
    ns=$(sed -n 's/.*"pid_ns": "\(pid:\[[0-9]*\]\)".*/\1/p' "$dir/sandbox.json" 2>/dev/null || true)
    init=$(sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p' "$dir/sandbox.json" 2>/dev/null || true)
    # Only while its init lives: a namespace's number is reused once it is gone.
    [ -n "$ns" ] && [ -n "$init" ] && [ "$(readlink "/proc/$init/ns/pid" 2>/dev/null)" = "$ns" ] ||
      continue
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"
    done
  done
  return 0
}

# Pids of this test's SSH client side: multiplexed master connections, whose
# sockets live in $SPOTRUN_HOME/ssh.
ssh_client_pids() { pgrep -f "$SPOTRUN_HOME/ssh/" || true; }

# Pids of sessions of the test's own sshd servers (aws_lib.sh), marked
# SPOTRUN_TEST_SSHD=<a directory under $TEST_TMP>.
test_sshd_session_pids() {
  grep -lsz "^SPOTRUN_TEST_SSHD=$TEST_TMP/" /proc/[0-9]*/environ 2>/dev/null |
    sed -e 's#/proc/##' -e 's#/environ##' || true
}

# Pids of this home's live controllers: the lease holder and every process
# the store names as a job's controller, each still the process recorded
# (same start time in clock ticks), so a reused pid is never taken for one.
controller_pids() {
  local db=$SPOTRUN_HOME/state.db pid start
  [ -f "$db" ] || return 0
  sqlite3 -separator ' ' "$db" "select pid, start from controller_lease union
    select controller_pid, controller_start from jobs where controller_pid > 0" 2>/dev/null |
    while read -r pid start; do
      [ -r "/proc/$pid/stat" ] || continue
      [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)" = "$start" ] && echo "$pid"
    done
  return 0
}

cleanup() {
  local rc=$?
  "$SPOTRUN_BIN" down --all >/dev/null 2>&1 || true
  for p in $(controller_pids); do kill -9 "$p" 2>/dev/null || true; done
  for p in $(instance_pids) $(ssh_client_pids) $(test_sshd_session_pids); do
    kill -9 "$p" 2>/dev/null || true
  done
  for p in ${BACKGROUND_PIDS:-}; do kill -9 "$p" 2>/dev/null || true; done
  for g in ${BACKGROUND_GROUPS:-}; do kill -9 -- "-$g" 2>/dev/null || true; done
  rm -rf "$TEST_TMP"
  exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Ends the test as skipped (ctest's SKIP_RETURN_CODE 77), with the reason on
# stdout and in $SPOTRUN_SKIP_FILE for scripts/test.sh's summary.
skip() {
  echo "SKIP: $*"
  if [ -n "${SPOTRUN_SKIP_FILE:-}" ]; then
    mkdir -p "$(dirname "$SPOTRUN_SKIP_FILE")" && echo "$*" > "$SPOTRUN_SKIP_FILE"
  fi
  exit 77
}
pass() { echo "PASS: $*"; }

# Waits up to $2 seconds for command $1 (a string) to succeed.
wait_for() {
  local cond=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    if eval "$cond"; then return 0; fi
    sleep 0.1
  done
  fail "timed out after ${limit}s waiting for: $cond"
}

# The pid of the process driving job $1, as the state store records it.
controller_pid() {
  sqlite3 "$SPOTRUN_HOME/state.db" "select controller_pid from jobs where id='$1'"
}

# Field $2 of job $1 from `status --json`.
job_field() {
  spotrun status "$1" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['jobs'][0]['$2'])"
}

# The id of the newest job named $1.
job_id_named() {
  spotrun status --json | python3 -c "import json,sys; print([j['id'] for j in json.load(sys.stdin)['jobs'] if j['name'] == '$1'][-1])"
}

# Instances launched for job $1 (its attempts that got one).
attempts() {
  sqlite3 "$SPOTRUN_HOME/state.db" "select count(*) from attempts where job_id='$1' and instance_id != ''"
}

# The only job's id.
only_job_id() {
  spotrun status --json | python3 -c "import json,sys; j=json.load(sys.stdin)['jobs']; assert len(j)==1, j; print(j[0]['id'])"
}

assert_no_instance_processes() {
  local left
  left=$(instance_pids)
  [ -z "$left" ] || fail "instance processes still alive: $(ps -o pid,args -p $(echo $left | tr ' ' ,) || true)"
}

# Established IPv4 TCP connections from or to local port $1 (/proc/net/tcp).
established_on_port() {
  python3 - "$1" <<'PY'
import sys
port = int(sys.argv[1])
for line in open("/proc/net/tcp").readlines()[1:]:
    f = line.split()
    ends = (int(f[1].split(":")[1], 16), int(f[2].split(":")[1], 16))
    if f[3] == "01" and port in ends:
        print(line.strip())
PY
}

# Fails when an SSH connection of this test is still open: an ssh master, or
# an established connection to a local instance's sshd port.
assert_no_ssh_processes() {
  local left f port
  left=$(ssh_client_pids)
  [ -z "$left" ] || fail "ssh clients still alive: $(ps -o pid,args -p $(echo $left | tr ' ' ,) || true)"
  for f in "$SPOTRUN_HOME"/local/instances/*/sshd/port; do
    [ -f "$f" ] || continue
    port=$(cat "$f")
    [ -z "$(established_on_port "$port")" ] ||
      fail "connections to the sshd of $(dirname "$(dirname "$f")") are still open"
  done
}

# cancel_within ID PHASE: `spotrun cancel ID` reports CANCELLED within 10 s
# and the store has it so.
cancel_within() {
  local start end
  start=$(date +%s.%N)
  timeout 30 "$SPOTRUN_BIN" cancel "$1" > "cancel-$1.txt" 2>&1 || fail "cancel $1: $(cat "cancel-$1.txt")"
  end=$(date +%s.%N)
  grep -q CANCELLED "cancel-$1.txt" || fail "cancel $1 did not report CANCELLED: $(cat "cancel-$1.txt")"
  [ "$(job_field "$1" state)" = CANCELLED ] || fail "$1 is $(job_field "$1" state), not CANCELLED"
  python3 -c "import sys; t = $end - $start; print('cancel of $1 ($2) took %.1f s' % t); sys.exit(t >= 10)" ||
    fail "cancelling $1 in $2 took 10 s or more"
}

# Copies the quickstart example into ./$1 and writes a job file there with the
# run script $2 (a file name, run from there).
make_job_dir() {
  mkdir -p "$1"
  cp "$SPOTRUN_SOURCE_DIR"/examples/quickstart/train.py "$1"/
}
