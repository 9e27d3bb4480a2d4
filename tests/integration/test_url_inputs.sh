#!/usr/bin/env bash
# The url-data example: the instance downloads its input from a URL itself
# (a loopback server here), including through a Google-Drive-style
# confirmation page, and the outputs come back where the job file says.
source "$(dirname "$0")/lib.sh"

python3 "$SPOTRUN_SOURCE_DIR"/tests/integration/http_fixture.py port $$ &
BACKGROUND_PIDS=$!
wait_for "[ -s port ]" 20
port=$(cat port)

# check URL RESULTS
check() {
  rm -rf job && cp -r "$SPOTRUN_SOURCE_DIR"/examples/url-data job
  sed -i "s#https://raw.githubusercontent.com/mwaskom/seaborn-data/master/iris.csv#$1#" job/job.yaml
  grep -q "$1" job/job.yaml || fail "could not point the example at $1"
  spotrun launch job/job.yaml --results "$2" > "$2.out" 2>&1 || { cat "$2.out"; fail "launch $1"; }
  grep -q "test accuracy" "$2"/logs/job.log || fail "no training output"
  [ -s "$2"/model.pkl ] || fail "no model.pkl"
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); assert m['train_rows']==120, m" \
    "$2"/metrics/metrics.json || fail "metrics not at their destination"
  [ ! -e job/data/iris.csv ] || fail "the data went through the local machine"
}
check "http://127.0.0.1:$port/iris.csv" plain
check "http://127.0.0.1:$port/drive/ABC123" drive
assert_no_instance_processes
pass "url inputs"
