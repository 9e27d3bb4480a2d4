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
# 1e308 days: a finite number, an infinite duration.
check infinite_duration 'infinite_duration\.yaml:3:17: budget\.max_duration: must be at most 3650d, got 10{59}\.\.\.$' <<EOF2
run: python3 train.py
budget:
  max_duration: 1$(printf '0%.0s' {1..308})d
EOF2
check infinite_memory 'infinite_memory\.yaml:3:11: resources\.memory: must be at most 64T, got 1e308T$' <<'EOF2'
run: python3 train.py
resources:
  memory: 1e308T
EOF2
check huge_price 'huge_price\.yaml:3:14: resources\.max_price: must be at most 1000, got 10{59}\.\.\.$' <<EOF2
run: python3 train.py
resources:
  max_price: 1$(printf '0%.0s' {1..308})
EOF2
check tiny_hours 'tiny_hours\.yaml:3:19: budget\.expected_hours: must be at least 0\.001, got 1e-300$' <<'EOF2'
run: python3 train.py
budget:
  expected_hours: 1e-300
EOF2
# `estimate` refuses it the same way (it used to fail inside the replay).
rc=0
err=$(spotrun estimate job/tiny_hours.yaml 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] && [[ "$err" == *"tiny_hours.yaml:3:19: budget.expected_hours: must be at least 0.001"* ]] ||
  fail "estimate of expected_hours 1e-300: exit $rc, $err"
# A NUL byte in a value is shown escaped, and the line goes on after it.
printf 'run: python3 train.py\ncloud: "aw\\0s"\n' |
  check nul_byte "nul_byte\.yaml:2:8: cloud: must be 'local' or 'aws', got 'aw\\\\x00s'; did you mean 'aws'\?$"
# A job no offer can take is bad input too, detached or not: the same line,
# nothing recorded, no controller left behind.
for mode in foreground --detach; do
  printf 'run: python3 train.py\nresources: {cpus: 4000}\n' > job/huge.yaml
  rc=0
  err=$(spotrun launch job/huge.yaml $([ "$mode" = --detach ] && echo --detach) 2>&1 >/dev/null) || rc=$?
  [ "$rc" = 2 ] || fail "unplaceable job ($mode): exit $rc, want 2 ($err)"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "unplaceable job ($mode): not one line: $err"
  [[ "$err" == "spotrun: job/huge.yaml: resources: no offer in "*" fits the job's resources (most offers fail on cpus)" ]] ||
    fail "unplaceable job ($mode): $err"
  echo "ok unplaceable $mode: $err"
done

# Nothing was launched: no job, no instance.
[ "$(spotrun status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" = 0 ] ||
  fail "a job was recorded"
[ -z "$(ls "$SPOTRUN_HOME"/local/instances 2>/dev/null)" ] || fail "an instance was created"
pass "bad specs"
