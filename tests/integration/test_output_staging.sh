#!/usr/bin/env bash
# Staging outputs never hangs a job: clashing outputs are a spec error; a link
# loop in the workdir with outputs ["**"] is staged without following the
# loop; outputs that collide on the instance fail the job with the reason in
# its message, its log and agent.log, and the job does not stay RUNNING.
source "$(dirname "$0")/lib.sh"

# The agent's matcher agrees with glob.glob on a tree without links and ends
# on one with loops (two links to "." would make glob's ** search 2^40 paths).
timeout 60 python3 - "$SPOTRUN_SOURCE_DIR/src/agent" <<'PY' || fail "the agent's matcher"
import glob, os, sys
sys.path.insert(0, sys.argv[1])
import spotrun_agent as A
for f in ["t/a.txt", "t/x/b.txt", "t/x/y/c.txt", "t/.h/z.txt"]:
    os.makedirs(os.path.dirname(f), exist_ok=True)
    open(f, "w").write(f)
for pat in ["**", "*.txt", "**/*.txt", "x/**", "x/*/c.txt", "*", "x", "x/**/c.txt", "no*", ".h/*"]:
    want = sorted(os.path.relpath(p, "t") for p in glob.glob("t/" + pat, recursive=True))
    want = [p for p in want if p != "."]
    assert A.find_matches("t", pat) == want, (pat, A.find_matches("t", pat), want)
os.symlink(".", "t/loop"); os.symlink(".", "t/loop2"); os.symlink("..", "t/x/up")
assert "loop/loop/a.txt" not in A.find_matches("t", "**")
print("matcher ok")
PY

mkdir job
cat > job/clash.yaml <<'EOF2'
run: "true"
outputs:
  - a/b
  - a
EOF2
rc=0
err=$(spotrun launch job/clash.yaml 2>&1 >/dev/null) || rc=$?
[ "$rc" -eq 2 ] || fail "clashing outputs: exit $rc, want 2 ($err)"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "clashing outputs: not one line: $err"
[[ "$err" =~ clash\.yaml:4:5:\ outputs\[1\]:\ \'a\'\ holds\ \'a/b\' ]] || fail "clashing outputs: $err"
[ ! -d "$SPOTRUN_HOME/local/instances" ] || [ -z "$(ls "$SPOTRUN_HOME/local/instances")" ] ||
  fail "an instance was launched for a bad job file"

cat > job/loop.yaml <<'EOF2'
name: loop
run: |
  mkdir -p a/c && echo b > a/b && echo d > a/c/d.txt
  ln -s . loop && ln -s . loop2 && ln -s .. up && ln -s missing dangling
outputs: ["**"]
EOF2
timeout 120 "$SPOTRUN_BIN" launch job/loop.yaml --results loop > loop.out 2>&1 ||
  { cat loop.out; fail "the job with a link loop did not succeed"; }
[ "$(cat loop/a/b)" = b ] && [ "$(cat loop/a/c/d.txt)" = d ] || fail "outputs not staged"
[ -f loop/loop/a/b ] || fail "the link itself is not staged"
[ ! -e loop/loop/loop ] || fail "the loop was followed"
grep -q "links not followed" loop/logs/job.log || fail "the skipped links are not in the log"

cat > job/collide.yaml <<'EOF2'
name: collide
run: |
  mkdir -p x y && echo x > x/same.txt && echo y > y/same.txt
outputs:
  - x/*.txt: d/
  - y/*.txt: d/
EOF2
rc=0
timeout 120 "$SPOTRUN_BIN" launch job/collide.yaml --results collide > collide.out 2>&1 || rc=$?
cat collide.out
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "the colliding job: exit $rc"
id=$(spotrun status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][-1]["id"])')
[ "$(job_field "$id" state)" = FAILED ] || fail "state $(job_field "$id" state), want FAILED"
message=$(job_field "$id" message)
[[ "$message" == "staging outputs failed: 'y/same.txt' and another output both land at 'd/same.txt'"* ]] ||
  fail "message: $message"
grep -q "staging outputs failed" collide/logs/job.log || fail "the error is not in the job log"
grep -q "staging outputs failed" collide/logs/agent.log || fail "the error is not in agent.log"
assert_no_instance_processes
pass "output staging"
