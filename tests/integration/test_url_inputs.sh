#!/usr/bin/env bash
# The url-data example: the instance downloads its input from a URL itself (a
# loopback server here, standing in for Google Drive through the test-only
# SPOTRUN_TEST_DRIVE_ORIGIN), share links rewritten and Drive's confirmation
# page followed; and a download that yields a web page where a file was
# expected (a Drive sign-in page, a confirmation form leading off Google, any
# other page) or fails (404) fails the job with one line naming the input and
# the URL, without running the job.
source "$(dirname "$0")/lib.sh"

python3 "$SPOTRUN_SOURCE_DIR"/tests/integration/http_fixture.py port $$ &
BACKGROUND_PIDS=$!
wait_for "[ -s port ]" 20
port=$(cat port)
origin="http://127.0.0.1:$port"

# Points a copy of the example at URL $1, for results $2, and launches it
# (its output in $2.out, its exit status in $2.rc).
launch_with() {
  rm -rf job && cp -r "$SPOTRUN_SOURCE_DIR"/examples/url-data job
  sed -i "s#https://raw.githubusercontent.com/mwaskom/seaborn-data/master/iris.csv#$1#" job/job.yaml
  grep -qF "$1" job/job.yaml || fail "could not point the example at $1"
  local rc=0
  spotrun launch job/job.yaml --results "$2" > "$2.out" 2>&1 || rc=$?
  echo "$rc" > "$2.rc"
}

# check URL RESULTS: the job trains on the downloaded data.
check() {
  launch_with "$1" "$2"
  [ "$(cat "$2.rc")" = 0 ] || { cat "$2.out"; fail "launch $1"; }
  grep -q "test accuracy" "$2"/logs/job.log || fail "no training output"
  [ -s "$2"/model.pkl ] || fail "no model.pkl"
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); assert m['train_rows']==120, m" \
    "$2"/metrics/metrics.json || fail "metrics not at their destination"
  [ ! -e job/data/iris.csv ] || fail "the data went through the local machine"
}

# check_fails URL RESULTS WHY_REGEX: the job FAILS, before `run`, with one
# line naming the input and the URL.
check_fails() {
  launch_with "$1" "$2"
  [ "$(cat "$2.rc")" = 1 ] || { cat "$2.out"; fail "$1: exit $(cat "$2.rc"), want 1"; }
  local line
  line=$(grep '^FAILED: ' "$2.out") || { cat "$2.out"; fail "$1: no FAILED line"; }
  [ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || fail "$1: not one line: $line"
  [[ "$line" == *"input data/iris.csv: download of $1 failed: "* ]] ||
    fail "$1: the line does not name the input and URL: $line"
  [[ "$line" =~ $3 ]] || fail "$1: '$line' does not match '$3'"
  ! grep -q "test accuracy" "$2"/logs/job.log 2>/dev/null || fail "$1: the job ran on a web page"
  echo "ok $2: $line"
}

check "$origin/iris.csv" plain
check_fails "$origin/page" page 'sent a web page \(text/html\) where a file was expected'
check_fails "$origin/missing.csv" missing 'HTTP Error 404'
# Without the override, a loopback URL is no Drive link: not rewritten.
check_fails "$origin/file/d/ABC123/view" not-drive 'HTTP Error 404'

export SPOTRUN_TEST_DRIVE_ORIGIN=$origin
check "$origin/file/d/ABC123/view?usp=sharing" drive-share
check "$origin/open?id=ABC123" drive-open
check_fails "$origin/file/d/SIGNIN/view" drive-signin 'web page without a download form'
check_fails "$origin/open?id=OFFSITE" drive-offsite 'leads to file:///etc/passwd, not to Google over https; not followed'
assert_no_instance_processes
pass "url inputs"
