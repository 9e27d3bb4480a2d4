#!/usr/bin/env bash
# Launched from the project directory, as the docs suggest, a job's results
# land inside its workdir; the next launch does not upload them again (the
# default ./spotrun-results/ nor a --results directory there, whatever its
# name holds).
source "$(dirname "$0")/lib.sh"

mkdir proj && cd proj
cat > job.yaml <<'EOF2'
name: up
run: |
  ls
  test ! -e spotrun-results && test ! -e 'odd [dir]*' && test ! -e 'odd [dir]*.partial'
  echo "workdir clean"
EOF2
for results in "" "odd [dir]*" ""; do
  args=(launch job.yaml)
  [ -z "$results" ] || args+=(--results "$results")
  spotrun "${args[@]}" > launch.out 2>&1 || { cat launch.out; fail "launch ${args[*]}: old results were uploaded"; }
done
[ "$(ls spotrun-results | wc -l)" = 2 ] || fail "default results: $(ls spotrun-results)"
grep -q "workdir clean" "odd [dir]*/logs/job.log" || fail "no log in the --results directory"
pass "results upload"
