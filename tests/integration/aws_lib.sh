# Helpers for the tests of the aws cloud, sourced after lib.sh: a moto_server
# on a loopback port standing in for EC2 (never a real AWS endpoint), and an
# unprivileged sshd standing in for the instance's data plane.

command -v moto_server >/dev/null || skip "moto_server not installed (moto is not in Debian; pip install 'moto[server]==5.2.1' to run the AWS tests)"
python3 -c "import boto3" 2>/dev/null || skip "python3 has no boto3"
python3 -c "import moto.server" 2>/dev/null || skip "python3 cannot import moto (moto_server belongs to another Python)"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd"

MOTO_CHECK="python3 $SPOTRUN_SOURCE_DIR/tests/integration/moto_check.py"

# Starts moto_server (its own process group, ended by lib.sh's cleanup) with
# request recording on, and points the AWS settings at it: fake keys (lib.sh
# already hides the shared files and IMDS). Extra VAR=value arguments go to moto's environment.
start_moto() {
  env "$@" MOTO_RECORDER_FILEPATH="$TEST_TMP/moto-recording" \
    setsid python3 "$SPOTRUN_SOURCE_DIR/tests/integration/moto_server.py" -H 127.0.0.1 -p 0 \
    > "$TEST_TMP/moto.log" 2>&1 &
  BACKGROUND_GROUPS="${BACKGROUND_GROUPS:-} $!"
  disown $!
  wait_for "grep -qs 'Running on http://127.0.0.1:' '$TEST_TMP/moto.log'" 20
  MOTO_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$TEST_TMP/moto.log" | head -1)
  export AWS_ENDPOINT_URL_EC2=$MOTO_URL AWS_DEFAULT_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=AKIAMOTOTESTING00000 AWS_SECRET_ACCESS_KEY=testing
  export SPOTRUN_SSH_CIDR=127.0.0.1/32
  curl -sf -X POST "$MOTO_URL/moto-api/recorder/start-recording" >/dev/null
}

# Starts sshd for the current user on a free loopback port, standing in for
# every instance: it accepts the key of any job under $SPOTRUN_HOME (as an
# instance accepts the key pair spotrun imported), sessions start in
# $1/home, and their processes carry SPOTRUN_TEST_SSHD=$1 (ended by cleanup).
# The agent's IMDS endpoint is $TEST_IMDS_URL, else a closed loopback port (never the real
# 169.254.169.254), and with SPOTRUN_SSH_TARGET set the aws cloud gives the
# agent no shutdown command. Points SPOTRUN_SSH_TARGET at it.
start_test_sshd() {
  local dir=$1 port
  mkdir -p "$dir/home"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
  cat > "$dir/session.sh" <<'EOS'
cd "$HOME" || exit 1
if [ -n "${SSH_ORIGINAL_COMMAND+x}" ]; then exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"; fi
exec /bin/sh
EOS
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$dir/sshd_config" <<EOS
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile none
AuthorizedKeysFile none
AuthorizedKeysCommand /bin/sh -c "cat $SPOTRUN_HOME/jobs/*/ssh/id_ed25519.pub"
AuthorizedKeysCommandUser $(id -un)
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
SetEnv HOME=$dir/home SPOTRUN_TEST_SSHD=$dir AWS_EC2_METADATA_SERVICE_ENDPOINT=${TEST_IMDS_URL:-http://127.0.0.1:1/}
ForceCommand /bin/sh $dir/session.sh
EOS
  if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
  setsid /usr/sbin/sshd -D -e -f "$dir/sshd_config" > "$dir/sshd.log" 2>&1 &
  BACKGROUND_GROUPS="${BACKGROUND_GROUPS:-} $!"
  disown $!
  wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" 10
  export SPOTRUN_SSH_TARGET="$(id -un)@127.0.0.1:$port"
}

# Writes job file $1/job.yaml for the aws cloud: the quickstart model with
# $2 epochs of $3 seconds, on the Ubuntu image moto knows.
write_aws_job() {
  make_job_dir "$1"
  cat > "$1/job.yaml" <<EOS
name: $(basename "$1")
cloud: aws
resources:
  instance_type: t3.medium
  max_price: 0.05
  disk_size: 16
  image: $($MOTO_CHECK ubuntu-image)
envs: {EPOCHS: $2, EPOCH_SECONDS: $3}
setup: python3 --version
run: python3 train.py
outputs: [model.pkl]
EOS
}

# Checks the job's instance in moto while it runs (see moto_check.py).
check_launched() {
  $MOTO_CHECK launched "$1" --type t3.medium --max-price 0.05 --disk 16 --cidr 127.0.0.1/32 \
    --key "$SPOTRUN_HOME/jobs/$1/ssh/id_ed25519.pub" || fail "the launch of $1 is not as asked"
}
