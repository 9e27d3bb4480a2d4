#!/usr/bin/env bash
# `spotrun prices`: live spot prices per zone from EC2 (moto_server here),
# cheapest first with the on-demand price and the saving; without credentials,
# or with EC2 unreachable, the bundled snapshot, saying so.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

# Fails unless the SPOT $/h column (5th from the end) of the table in $1 is
# sorted and every row is of type $2 (a regex).
check_table() {
  python3 - "$1" "$2" <<'PY' || fail "bad price table: $(cat "$1")"
import re, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[2:]]
assert rows, "no rows"
spot = [float(r[-3]) for r in rows if r[-3] != "-"]
assert spot == sorted(spot), spot
assert all(re.fullmatch(sys.argv[2], r[0]) for r in rows), rows
assert all(r[-1].endswith("%") or r[-1] == "-" for r in rows), rows
PY
}

start_moto
spotrun prices --type t3.medium > live.txt
cat live.txt
head -1 live.txt | grep -q "^Spot prices in us-east-1, live from EC2" || fail "not live"
check_table live.txt 't3\.medium'
[ "$(awk 'NR > 2 && $6 == "0.0000"' live.txt | wc -l)" -gt 0 ] || fail "moto's prices not shown"

AWS_ENDPOINT_URL_EC2=http://127.0.0.1:1 spotrun prices --gpu a10g > unreachable.txt
head -1 unreachable.txt | grep -q "from the bundled snapshot, not live (.*127.0.0.1" ||
  fail "no fallback when EC2 is unreachable: $(head -1 unreachable.txt)"
check_table unreachable.txt 'g5\..*'

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
spotrun prices --gpu V100 --region us-east-1 > offline.txt
cat offline.txt
head -1 offline.txt | grep -q "from the bundled snapshot, not live (no AWS credentials" ||
  fail "no offline note: $(head -1 offline.txt)"
check_table offline.txt 'p3\..*'
set +e
spotrun prices --gpu NOSUCHGPU > none.txt 2>&1
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "no instance type in the catalog" none.txt || fail "unknown GPU: $rc"
pass "prices: live from EC2, else the bundled snapshot"
