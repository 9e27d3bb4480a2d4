#!/usr/bin/env bash
# Malformed job files each exit 2 with one line naming the line and the field,
# and launch nothing.
source "$(dirname "$0")/lib.sh"

mkdir job && cp "$SPOTRUN_SOURCE_DIR"/examples/quickstart/train.py job/

# check NAME EXPECTED_REGEX  (job file on stdin)
check() {
  local name=$1 want=$2 err rc=0
  cat > job/$name.yaml
  err=$(spotrun launch job/$name.yaml 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2 ($err)"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$name: not one line: $err"
  [[ "$err" =~ $want ]] || fail "$name: '$err' does not match '$want'"
  echo "ok $name: $err"
}

check syntax 'syntax\.yaml:5:3: YAML syntax error' <<'EOF2'
name: bad
run: python3 train.py
outputs:
  - model.pkl
  logs: x
EOF2
check unknown_key 'unknown_key\.yaml:2:1: resourses: .*did you mean .resources.' <<'EOF2'
run: python3 train.py
resourses:
  cpus: 2
EOF2
check wrong_type 'wrong_type\.yaml:3:9: resources\.cpus: ' <<'EOF2'
run: python3 train.py
resources:
  cpus: many
EOF2
check negative_cpus 'negative_cpus\.yaml:3:9: resources\.cpus: ' <<'EOF2'
run: python3 train.py
resources:
  cpus: -4
EOF2
check missing_run 'missing_run\.yaml:1:1: run: ' <<'EOF2'
name: no-run
setup: pip install numpy
EOF2
check escaping_output 'escaping_output\.yaml:3:[0-9]+: outputs.*: .*' <<'EOF2'
run: python3 train.py
outputs:
  - model.pkl: ../../etc/passwd
EOF2
check absolute_output 'absolute_output\.yaml:3:[0-9]+: outputs' <<'EOF2'
run: python3 train.py
outputs:
  model.pkl: /tmp/stolen.pkl
EOF2

# Nothing was launched: no job, no instance.
[ "$(spotrun status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" = 0 ] ||
  fail "a job was recorded"
[ -z "$(ls "$SPOTRUN_HOME"/local/instances 2>/dev/null)" ] || fail "an instance was created"
pass "bad specs"
