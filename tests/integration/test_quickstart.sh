#!/usr/bin/env bash
# The README's first command ends with model.pkl in the results directory, the
# job SUCCEEDED, no process of the job alive, and the cost line printed.
source "$(dirname "$0")/lib.sh"

out=$("$SPOTRUN_SOURCE_DIR"/scripts/quickstart.sh --results "$TEST_TMP/results" 2>&1) ||
  fail "quickstart exited $?: $out"
echo "$out"
[ -s "$TEST_TMP/results/model.pkl" ] || fail "no model.pkl in the results directory"
[ -s "$TEST_TMP/results/logs/job.log" ] || fail "no job log in the results directory"
echo "$out" | grep -Eq '^cost: \$[0-9.]+ \(spot\); on-demand would have cost \$[0-9.]+; saved [0-9]+%$' ||
  fail "no cost line"
echo "$out" | grep -q "on the local cloud" || fail "the CLI did not say which cloud"
id=$(only_job_id)
[ "$(job_field "$id" state)" = SUCCEEDED ] || fail "state is not SUCCEEDED"
python3 - "$TEST_TMP/results/model.pkl" <<'PY' || fail "model.pkl is not the trained model"
import pickle, sys
m = pickle.load(open(sys.argv[1], "rb"))
assert len(m["weights"]) == m["features"] == 10 and m["epochs"] == 8, m
PY
assert_no_instance_processes
[ -z "$(ls "$SPOTRUN_HOME"/local/instances/*/home 2>/dev/null)" ] || fail "instance disk left behind"
pass "quickstart"
