#!/usr/bin/env bash
# `spotrun sync-down JOB [PATH...]` on the local cloud: a file and a
# directory of a running job's workdir come down to the same relative
# places; a local file newer than the instance's copy is kept unless
# --force; nothing temporary is left; paths outside the workdir, a path the
# instance lacks and a job that has ended are refused.
source "$(dirname "$0")/lib.sh"

mkdir -p job
cat > job/job.yaml <<'EOF2'
name: syncer
run: mkdir -p out/deep && echo one > out/a.txt && echo deep > out/deep/c.txt && echo two > b.txt && touch ready && sleep 300
EOF2
spotrun launch job/job.yaml --detach --results r > launch.out 2>&1 || fail "launch: $(cat launch.out)"
id=$(job_id_named syncer)
wait_for "[ \"\$(job_field $id state)\" = RUNNING ] && spotrun ssh $id -- test -f ready" 60

spotrun sync-down "$id" out b.txt --to dl > sync1.txt || fail "sync-down: $(cat sync1.txt)"
cat sync1.txt
grep -q "^synced 3 files of job $id" sync1.txt || fail "not 3 files: $(cat sync1.txt)"
[ "$(cat dl/out/a.txt)" = one ] && [ "$(cat dl/out/deep/c.txt)" = deep ] && [ "$(cat dl/b.txt)" = two ] ||
  fail "files not at their places: $(find dl -type f)"

# A newer local copy is kept; --force replaces it.
echo mine > dl/b.txt
touch -d '+1 hour' dl/b.txt
spotrun sync-down "$id" b.txt --to dl > sync2.txt || fail "sync-down: $(cat sync2.txt)"
grep -q "synced 0 files.*kept 1 local file newer" sync2.txt || fail "newer file not kept: $(cat sync2.txt)"
[ "$(cat dl/b.txt)" = mine ] || fail "a newer local file was replaced"
spotrun sync-down "$id" b.txt --to dl --force > sync3.txt || fail "sync-down --force: $(cat sync3.txt)"
[ "$(cat dl/b.txt)" = two ] || fail "--force did not replace the file"

# The whole workdir by default, into the current directory.
mkdir -p all && (cd all && spotrun sync-down "$id" > ../sync4.txt) || fail "sync-down: $(cat sync4.txt)"
[ -f all/out/deep/c.txt ] && [ -f all/b.txt ] && [ -f all/ready ] || fail "workdir not synced: $(find all)"
[ -z "$(find dl all -name '.spotrun-sync-*')" ] || fail "a temporary directory was left"

# Refusals.
set +e
spotrun sync-down "$id" ../../etc --to dl > bad.txt 2>&1; rc=$?
[ "$rc" = 2 ] && grep -q "not inside the job's workdir" bad.txt || fail "outside path: $rc $(cat bad.txt)"
spotrun sync-down "$id" /etc --to dl > bad2.txt 2>&1; rc=$?
[ "$rc" = 2 ] || fail "absolute path: $rc $(cat bad2.txt)"
spotrun sync-down "$id" nosuch.txt --to dl > missing.txt 2>&1; rc=$?
[ "$rc" = 1 ] && grep -q "nosuch.txt" missing.txt || fail "missing path: $rc $(cat missing.txt)"
set -e
cancel_within "$id" RUNNING
set +e
spotrun sync-down "$id" b.txt --to dl > ended.txt 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "CANCELLED; its instance is terminated" ended.txt || fail "ended job: $rc $(cat ended.txt)"
assert_no_instance_processes
pass "sync-down: files and directories at their places, newer local files kept, refusals"
