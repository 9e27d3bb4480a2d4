#!/usr/bin/env bash
# A job with a deadline: the spot/on-demand policy moves it to on-demand when
# preemptions eat its slack, and it finishes before the deadline. The
# on-demand policy launches on-demand from the start. Bad policy input is
# rejected up front.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/job.yaml <<'EOF2'
name: deadline
envs: {EPOCHS: 20, EPOCH_SECONDS: 0.5}
run: python3 train.py
outputs: [model.pkl]
deadline: 45s
# An estimate on the safe side (about 12 s of work here, more on a loaded machine).
budget: {expected_hours: 0.006}
# One pool: no spot replacement can be had during a notice, so that every
# preemption costs the wait for the reclaim and eats the slack.
resources: {instance_type: t3.medium, zone: use1-az2}
EOF2
spotrun launch job/job.yaml --results r --preempt-at 6,6,6,6,6,6,6,6,6,6 > out.txt 2>&1 ||
  { cat out.txt; fail "deadline job"; }
grep -q "on-demand to meet the deadline" out.txt || fail "the policy never chose on-demand"
python3 - "$SPOTRUN_HOME/state.db" <<'PY' || fail "deadline missed or no on-demand attempt"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
created, = db.execute("select created_at from jobs").fetchone()
attempts = db.execute("select market, ended_at from attempts where started_at > 0 order by number").fetchall()
# On-demand when the slack ran out (it may go back to spot once ahead again).
assert any(m == "on-demand" for m, _ in attempts), attempts
assert any(m == "spot" for m, _ in attempts), attempts
assert attempts[-1][1] - created < 45, (attempts[-1][1] - created)
PY

# `status` says when the deadline was and that it was met.
spotrun status deadline > status.txt
grep -q '^  deadline .* UTC: met with .* to spare$' status.txt || { cat status.txt; fail "status: deadline"; }
spotrun status deadline --json | python3 -c '
import json, sys
(job,) = json.load(sys.stdin)["jobs"]
assert abs(job["deadline_at"] - job["created_at"] - 45) < 1e-6, job' || fail "status --json: deadline_at"

sed -e 's/name: deadline/name: od/' -e 's/^deadline: 45s/deadline: 45s\npolicy: on-demand/' job/job.yaml > job/od.yaml
spotrun launch job/od.yaml --results r2 > od.txt 2>&1 || { cat od.txt; fail "on-demand policy"; }
grep -q "attempt 1: .* on-demand in" od.txt || fail "policy on-demand did not launch on-demand"

printf 'run: x\ndeadline: 2h\n' > job/bad1.yaml
printf 'run: x\ndeadline: 2h\nbudget: {expected_hours: 1}\npolicy: optimal\n' > job/bad2.yaml
printf 'run: x\npolicy: greedy\n' > job/bad3.yaml
for f in bad1 bad2 bad3; do
  rc=0; err=$(spotrun launch job/$f.yaml 2>&1) || rc=$?
  [ "$rc" = 2 ] || fail "$f: exit $rc"
  echo "ok $f: $err"
done
assert_no_instance_processes
pass "deadline"
