#!/usr/bin/env bash
# The CLI's edges, without launching anything: a misspelt command gets a
# suggestion, an unknown job is bad input (exit 2) for every command that
# takes one, and `status` with no jobs says so.
source "$(dirname "$0")/lib.sh"

# expect RC REGEX COMMAND...: exit status RC and one stderr line matching REGEX.
expect() {
  local want=$1 regex=$2 rc=0 err
  shift 2
  err=$(spotrun "$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" = "$want" ] || fail "spotrun $*: exit $rc, want $want ($err)"
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "spotrun $*: not one line: $err"
  [[ "$err" =~ $regex ]] || fail "spotrun $*: '$err' does not match '$regex'"
  echo "ok spotrun $*: $err"
}

expect 2 "^spotrun: unknown command 'stauts'; did you mean 'status'\\? \\(see spotrun --help\\)$" stauts
expect 2 "^spotrun: unknown command 'lanch'; did you mean 'launch'\\?" lanch
expect 2 "^spotrun: unknown command 'frobnicate' \\(see spotrun --help\\)$" frobnicate

out=$(spotrun status) || fail "status with no jobs exited $?"
[ "$out" = 'no jobs yet; `spotrun launch FILE` starts one' ] || fail "status with no jobs: $out"
[ "$(spotrun status --json | tr -d ' \n')" = '{"jobs":[]}' ] || fail "status --json with no jobs"

for cmd in status logs cancel down ssh; do
  expect 2 "^spotrun: no job 'nosuch' \\(see \`spotrun status\`\\)$" $cmd nosuch
done
pass "cli edges"
