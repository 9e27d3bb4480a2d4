#!/usr/bin/env bash
# A job that writes its progress to $SPOTRUN_PROGRESS_FILE: `spotrun status`
# shows it while the job runs and at the end; a job that writes nothing
# shows none.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cat > job/job.yaml <<'YAML'
name: progress
envs: {EPOCHS: 6, EPOCH_SECONDS: 1}
run: python3 train.py
outputs: [model.pkl]
checkpoint: {dir: checkpoints}
YAML
spotrun launch job/job.yaml --results r1 --detach > launch.out
id=$(only_job_id)
progress() { job_field "$id" progress; }
# Mid-run: some epochs done, not all.
wait_for '[[ "$(progress)" != None && "$(progress)" != 0.0 && "$(progress)" != 1.0 ]]' 60
mid=$(progress)
wait_for '[[ "$(job_field "$id" state)" == SUCCEEDED ]]' 90
[[ "$(progress)" == 1.0 ]] || fail "final progress $(progress), mid-run $mid"
spotrun status "$id" | grep -q 'progress 100% (reported by the job)' || fail "status shows no progress"

printf 'name: silent\nrun: "true"\n' > job/silent.yaml
spotrun launch job/silent.yaml --results r2 > /dev/null
silent=$(spotrun status --json | python3 -c "import json,sys; print([j['id'] for j in json.load(sys.stdin)['jobs'] if j['name'] == 'silent'][0])")
[[ "$(job_field "$silent" progress)" == None ]] || fail "a silent job has progress"
# The formats the agent reads: a fraction, a percentage, done/total; the
# last line counts; anything else is no progress.
python3 - "$SPOTRUN_SOURCE_DIR/src/agent" "$TEST_TMP/progress-file" <<'PY' || fail "agent's progress formats"
import sys
sys.path.insert(0, sys.argv[1])
import spotrun_agent
cfg = {"progress_file": sys.argv[2]}
for text, want in [("0.42", 0.42), ("42%\n", 0.42), ("epoch\n420/1000\n", 0.42),
                   ("1.7", 1.0), ("-3", 0.0), ("half", None), ("", None), ("1/0", None),
                   ("nan", None)]:
    with open(sys.argv[2], "w") as f:
        f.write(text)
    got = spotrun_agent.read_progress(cfg)
    assert got == want or (want is not None and got is not None and abs(got - want) < 1e-12), (text, got)
assert spotrun_agent.read_progress({"progress_file": sys.argv[2] + ".missing"}) is None
PY
pass "progress: mid-run $mid, then 1.0; none for a silent job"
