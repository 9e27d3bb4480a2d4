#!/usr/bin/env bash
# Credentials that do not work stop `spotrun launch` on the aws cloud with one
# line naming the variable or profile to fix, a non-zero exit, no job stored
# and nothing launched: a wrong secret (moto with authentication on), a
# profile with a wrong secret, and no credentials at all.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

start_moto INITIAL_NO_AUTH_ACTION_COUNT=3
read -r key_id secret < <($MOTO_CHECK make-user)
AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret write_aws_job job 2 0

# Runs launch, which must fail with one line on stderr matching $1.
expect_refused() {
  set +e
  spotrun launch job/job.yaml > out.txt 2> err.txt
  local rc=$?
  set -e
  [ "$rc" != 0 ] || fail "launch succeeded with bad credentials"
  [ "$(wc -l < err.txt)" = 1 ] || fail "expected one line, got: $(cat err.txt)"
  grep -q "$1" err.txt || fail "the error does not name $1: $(cat err.txt)"
  grep -q "wrong-secret" err.txt && fail "the secret leaked into the message"
  cat err.txt
}

export AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=wrong-secret
expect_refused "AWS_SECRET_ACCESS_KEY"

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
printf '[dev]\naws_access_key_id = %s\naws_secret_access_key = wrong-secret\n' "$key_id" \
  > "$AWS_SHARED_CREDENTIALS_FILE"
AWS_PROFILE=dev expect_refused "profile 'dev'"

rm "$AWS_SHARED_CREDENTIALS_FILE"
expect_refused "AWS_ACCESS_KEY_ID"

spotrun status --json | python3 -c "import json,sys; assert json.load(sys.stdin)['jobs'] == []" ||
  fail "a job was stored: $(spotrun status --json)"
[ "$(AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret $MOTO_CHECK alive)" = 0 ] ||
  fail "an instance was launched"
pass "aws: bad credentials are one line naming what to fix; nothing launched"
