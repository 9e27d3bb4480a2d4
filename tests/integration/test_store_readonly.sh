#!/usr/bin/env bash
# A read-only state store (to its reader) still serves `status`, with one
# line saying it is read-only and there is no orphan sweep; `launch` is
# refused in one line. As root, the reader is user nobody (root writes
# anything); skipped where nobody cannot run programs.
source "$(dirname "$0")/lib.sh"

db=$SPOTRUN_HOME/state.db
make_job_dir job
cat > job/job.yaml <<'EOF2'
name: long
envs: {EPOCHS: 600, EPOCH_SECONDS: 0.5}
run: python3 train.py
EOF2
# Read-only (as an unprivileged user when run as root: root writes anything).
sed 's/EPOCHS: 600/EPOCHS: 1/' job/job.yaml > job/short.yaml
spotrun launch job/short.yaml --results results-ro >/dev/null 2>&1 || fail "short job failed"
as_reader() { "$SPOTRUN_BIN" "$@"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$@"; }
if [ "$(id -u)" = 0 ]; then
  # Root writes anything: the store is read-only to user nobody, if nobody
  # can run programs here (a chroot whose root directory is 0700 cannot).
  nobody /bin/true 2>/dev/null || skip "read-only store: user nobody cannot run programs on this machine (its / is $(stat -c %a /))"
  chmod -R a+rX "$TEST_TMP"
  as_reader() { nobody "$SPOTRUN_BIN" "$@"; }
else
  chmod a-w "$db" "$SPOTRUN_HOME"
fi
rc=0; as_reader status > out.txt 2> err.txt || rc=$?
[ "$rc" = 0 ] || { cat err.txt; fail "read-only: status exit $rc"; }
grep -q long out.txt || { cat out.txt; fail "read-only: status lists no job"; }
grep -q "is read-only; no orphan sweep" err.txt || { cat err.txt; fail "read-only: no line"; }
rc=0; as_reader launch job/job.yaml --results results-ro2 > out.txt 2> err.txt || rc=$?
# Refused in one line (as another user it may stop before the store, at SPOTRUN_HOME/ssh).
[ "$rc" = 1 ] || [ "$rc" = 2 ] || { cat err.txt; fail "read-only: launch exit $rc"; }
chmod -R u+w "$SPOTRUN_HOME"
pass "a read-only store still serves status"
