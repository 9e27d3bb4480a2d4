#!/usr/bin/env bash
# The quickstart job with three injected preemptions completes; its model.pkl
# is byte-identical to an uninterrupted run's; the work repeated per
# preemption is at most one checkpoint interval (one epoch, counted); every
# epoch line reaches `spotrun logs` and the results' logs/job.log.
source "$(dirname "$0")/lib.sh"

make_job_dir job
cp "$SPOTRUN_SOURCE_DIR"/examples/quickstart/job.yaml job/
sed -i -e 's/EPOCHS: 8/EPOCHS: 12\n  EPOCH_SECONDS: 0.4/' job/job.yaml
grep -q "EPOCH_SECONDS: 0.4" job/job.yaml || fail "could not edit the job file"

spotrun launch job/job.yaml --results calm > calm.out 2>&1 || { cat calm.out; fail "uninterrupted run"; }
spotrun launch job/job.yaml --results stormy --preempt-at 6,6,6 > stormy.out 2>&1 ||
  { cat stormy.out; fail "preempted run"; }
cat stormy.out
cmp calm/model.pkl stormy/model.pkl || fail "model.pkl differs from the uninterrupted run's"

id=$(spotrun status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][-1]["id"])')
[ "$(job_field "$id" attempts)" = 4 ] || fail "attempts: $(job_field "$id" attempts), want 4"
[ "$(job_field "$id" preemptions)" = 3 ] || fail "preemptions: $(job_field "$id" preemptions), want 3"
[ "$(grep -c '^\[spotrun\] interruption notice' stormy.out)" = 3 ] || fail "not every preemption came with a notice"

# Epochs run across all attempts: 12, plus at most one repeated per preemption.
spotrun logs "$id" > all.log
epochs=$(grep -c '^epoch ' all.log)
[ "$epochs" -ge 12 ] && [ "$epochs" -le 15 ] || fail "$epochs epochs run for 12 with 3 preemptions"
[ "$(grep -c '^--- attempt' all.log)" = 3 ] || fail "logs do not show every attempt"
# Every epoch line is there, in order (an attempt may repeat the epoch it was
# preempted in, never skip one), in `spotrun logs` and in the results.
every_epoch_in_order() {
  python3 - "$1" 12 <<'PY'
import re, sys
seen = []
for line in open(sys.argv[1]):
    m = re.match(r"epoch (\d+)/", line)
    if m and int(m.group(1)) not in seen:
        seen.append(int(m.group(1)))
want = list(range(1, int(sys.argv[2]) + 1))
sys.exit(0 if seen == want else "epochs %s, want %s" % (seen, want))
PY
}
every_epoch_in_order all.log || fail "spotrun logs misses epoch lines"
every_epoch_in_order stormy/logs/job.log || fail "the results' log misses epoch lines"
[ "$(grep -c '^--- attempt' stormy/logs/job.log)" = 3 ] || fail "the results' log lacks attempts"
[ "$(grep -c '^resumed from' all.log)" = 3 ] || fail "not every attempt resumed from a checkpoint"
[ "$(ls "$SPOTRUN_HOME"/local/instances | wc -l)" = 5 ] || fail "instances launched: $(ls "$SPOTRUN_HOME"/local/instances | wc -l), want 1 + 4"
spotrun status "$id" > status.txt
cat status.txt
[ "$(grep -c ' preempted$' status.txt)" = 3 ] || fail "status JOB does not list the preempted attempts"
grep -q ' succeeded$' status.txt || fail "status JOB does not list the last attempt"
assert_no_instance_processes
pass "preemption"
