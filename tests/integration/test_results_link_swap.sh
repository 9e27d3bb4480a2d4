#!/usr/bin/env bash
# Collecting a local job's results follows no link out of its instance
# (issue 15, item 4): a job that, once its outputs are staged, replaces the
# staging directory by a link to /etc gets none of /etc in its results; the
# collection fails in one line naming the link.
source "$(dirname "$0")/lib.sh"

mkdir job
cat > job/job.yaml <<'EOF2'
name: swap
cloud: local
run: |
  echo inside > model.txt
  root=$(cd ~/spotrun/* && pwd)
  setsid sh -c 'until grep -q "\"phase\": *\"done\"" "$0/status.json" 2>/dev/null; do sleep 0.01; done
    mv "$0/out" "$0/out.staged" && ln -s /etc "$0/out"' "$root" < /dev/null > /dev/null 2>&1 &
outputs: [model.txt]
EOF2
rc=0
timeout 120 "$SPOTRUN_BIN" launch job/job.yaml --results r > launch.txt 2>&1 || rc=$?
cat launch.txt
[ -e r/passwd ] || [ -n "$(find . -path ./home -prune -o -name passwd -print | head -1)" ] &&
  fail "host /etc came back in the results: $(find . -path ./home -prune -o -name passwd -print)"
grep -rqs '^root:' --exclude-dir=home . && fail "a host file is in the results"
[ "$rc" != 0 ] || fail "the job with its staging directory swapped for a link succeeded"
grep -q "leads outside the instance's home (to /etc); not followed" launch.txt ||
  fail "no line names the link: $(cat launch.txt)"
pass "results follow no link out of the instance"
