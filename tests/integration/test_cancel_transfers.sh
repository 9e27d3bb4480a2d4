#!/usr/bin/env bash
# A cancel cuts a transfer short on the local cloud: the workdir upload
# (SETTING_UP) and the collection of the outputs after `run` (RUNNING) each
# end CANCELLED within 10 s with no instance process left, and no second
# instance is launched. The transfers are made slow by an rsync stand-in
# (slow-bin/rsync) while a marker file exists.
source "$(dirname "$0")/lib.sh"

export PATH=$SPOTRUN_SOURCE_DIR/tests/integration/slow-bin:$PATH
mkdir "$TEST_TMP/marker"
export SLOW_RSYNC_MARKER=$TEST_TMP/marker/slow-rsync
# The job of the second part sets the marker: its sandbox shares marker/.
export SPOTRUN_LOCAL_SHARE=$TEST_TMP/marker
# True once a slow rsync of this test waits.
slow_rsync_waiting() { pgrep -f "^sleep 301$" -P "$(pgrep -d, -f "slow-bin/rsync" || echo 1)" > /dev/null 2>&1; }

# cancel_in_transfer NAME PHASE WAIT: launches job NAME (NAME/job.yaml),
# waits until WAIT holds and a slow rsync waits, then cancels it within 10 s:
# one instance, nothing of it left.
cancel_in_transfer() {
  spotrun launch "$1/job.yaml" --detach --results "r-$1" > "$1.out" 2>&1 || fail "launch: $(cat "$1.out")"
  local id
  id=$(job_id_named "$1")
  wait_for "$3 && slow_rsync_waiting" 60
  cancel_within "$id" "$2"
  [ "$(attempts "$id")" = 1 ] || fail "the job cancelled in $2 had $(attempts "$id") instances"
  assert_no_instance_processes
  rm -f "$SLOW_RSYNC_MARKER"
}

# The upload, in SETTING_UP.
mkdir -p up
printf 'name: up\nrun: echo ran\n' > up/job.yaml
touch "$SLOW_RSYNC_MARKER"
cancel_in_transfer up "SETTING_UP, in the upload" "[ \"\$(job_field \$(job_id_named up) state)\" = SETTING_UP ]"

# The collection: `run` itself makes the transfers slow from then on.
mkdir -p out
cat > out/job.yaml <<EOF2
name: out
run: echo result > model.txt && touch $SLOW_RSYNC_MARKER
outputs: [model.txt]
EOF2
cancel_in_transfer out "collecting the outputs" "[ -e '$SLOW_RSYNC_MARKER' ]"
[ ! -e r-out.partial ] || fail "a partial results directory was left: $(ls r-out.partial)"
pass "cancel in the upload and in the collection of the outputs within 10 s"
