#!/usr/bin/env bash
# A cancel cuts a transfer short on the local cloud: the workdir upload
# (SETTING_UP) and the collection of the outputs after `run` (RUNNING) each
# end CANCELLED within 10 s with no instance process left, and no second
# instance is launched. The transfers are made slow by an rsync stand-in
# (slow-bin/rsync) while a marker file exists.
source "$(dirname "$0")/lib.sh"

export PATH=$SPOTRUN_SOURCE_DIR/tests/integration/slow-bin:$PATH
export SLOW_RSYNC_MARKER=$TEST_TMP/slow-rsync
attempts() { sqlite3 "$SPOTRUN_HOME/state.db" "select count(*) from attempts where job_id='$1' and instance_id != ''"; }
job_id() {
  spotrun status --json | python3 -c "import json,sys; print([j['id'] for j in json.load(sys.stdin)['jobs'] if j['name'] == '$1'][0])"
}
# The pid of a slow rsync of this test, once one waits.
slow_rsync_waiting() { pgrep -f "^sleep 301$" -P "$(pgrep -d, -f "slow-bin/rsync" || echo 1)" > /dev/null 2>&1; }

# The upload, in SETTING_UP.
mkdir -p up
printf 'name: up\nrun: echo ran\n' > up/job.yaml
touch "$SLOW_RSYNC_MARKER"
spotrun launch up/job.yaml --detach --results r-up > up.out 2>&1 || fail "launch: $(cat up.out)"
up=$(job_id up)
wait_for "[ \"\$(job_field $up state)\" = SETTING_UP ] && slow_rsync_waiting" 30
cancel_within "$up" "SETTING_UP, in the upload"
[ "$(attempts "$up")" = 1 ] || fail "the job cancelled in its upload had $(attempts "$up") instances"
assert_no_instance_processes
rm -f "$SLOW_RSYNC_MARKER"

# The collection: `run` itself makes the transfers slow from then on.
mkdir -p out
cat > out/job.yaml <<EOF2
name: out
run: echo result > model.txt && touch $SLOW_RSYNC_MARKER
outputs: [model.txt]
EOF2
spotrun launch out/job.yaml --detach --results r-out > out.out 2>&1 || fail "launch: $(cat out.out)"
out=$(job_id out)
wait_for "[ -e '$SLOW_RSYNC_MARKER' ] && slow_rsync_waiting" 60
cancel_within "$out" "collecting the outputs"
[ "$(attempts "$out")" = 1 ] || fail "the job cancelled in its collection had $(attempts "$out") instances"
assert_no_instance_processes
[ ! -e r-out.partial ] || fail "a partial results directory was left: $(ls r-out.partial)"
rm -f "$SLOW_RSYNC_MARKER"
pass "cancel in the upload and in the collection of the outputs within 10 s"
