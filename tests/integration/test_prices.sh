#!/usr/bin/env bash
# `spotrun prices`: live spot prices per zone from EC2 (moto_server here),
# in every region of the catalog unless --region names some, cheapest first
# (per GPU-hour for GPUs) with the on-demand price and the saving; without
# credentials, or with EC2 unreachable, the bundled snapshot, saying so and
# when it was bundled.
source "$(dirname "$0")/lib.sh"
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

# Fails unless the sort column of the table in $1 (3rd from the end: SPOT
# $/h, or SPOT $/GPU-h for GPUs) is sorted and every row is of type $2 (a
# regex).
check_table() {
  python3 - "$1" "$2" <<'PY' || fail "bad price table: $(cat "$1")"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
head = [i for i, l in enumerate(lines) if l.startswith("TYPE ")][0]
rows = [l.split() for l in lines[head + 1:]]
assert rows, "no rows"
spot = [float(r[-3]) for r in rows if r[-3] != "-"]
assert spot == sorted(spot), spot
assert all(re.fullmatch(sys.argv[2], r[0]) for r in rows), rows
assert all(r[-1].endswith("%") or r[-1] == "-" for r in rows), rows
PY
}
# The first row of the table in $1, as words.
first_row() { sed -n '/^TYPE /{n;p;q}' "$1"; }

start_moto
spotrun prices --type t3.medium --region us-east-1 > live.txt
cat live.txt
head -1 live.txt | grep -q "^Spot prices in us-east-1, live from EC2" || fail "not live"
check_table live.txt 't3\.medium'
[ "$(grep -c ' 0.0000 ' live.txt)" -gt 0 ] || fail "moto's prices not shown"
# This account's zone names beside the zone ids, live.
grep -Eq ' us-east-1[a-f] \(use1-az[0-9]\) ' live.txt || fail "no zone names: $(cat live.txt)"
# Every region at once, live.
spotrun prices --type t3.medium > live-all.txt
head -1 live-all.txt | grep -q "^Spot prices in 4 regions (.*us-east-2.*), live from EC2" ||
  fail "not every region live: $(head -1 live-all.txt)"
[ "$(awk '$1 == "t3.medium" {print $2}' live-all.txt | sort -u | wc -l)" = 4 ] ||
  fail "not every region listed: $(cat live-all.txt)"
# A type the snapshot lacks, asked of EC2 by name: its shape from
# DescribeInstanceTypes, live spot prices, and (no price list behind a test
# EC2 endpoint) an on-demand price said to be unknown, never $0.
spotrun prices --type c7g.large --region us-east-1 > c7g-live.txt || { cat c7g-live.txt; fail "c7g.large live"; }
cat c7g-live.txt
head -1 c7g-live.txt | grep -q "^Spot prices in us-east-1, live from EC2" || fail "c7g.large not live"
grep -Eq "^c7g\.large +us-east-1 +us-east-1[a-f] \(use1-az[0-9]\) +- +2 +4 +0\.0000 +unknown +- *$" c7g-live.txt ||
  fail "c7g.large's shape or prices are wrong"

AWS_ENDPOINT_URL_EC2=http://127.0.0.1:1 spotrun prices --gpu a10g > unreachable.txt
head -1 unreachable.txt | grep -q "from the bundled snapshot (.*), not live (.*127.0.0.1" ||
  fail "no fallback when EC2 is unreachable: $(head -1 unreachable.txt)"
check_table unreachable.txt 'g5\..*'

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
spotrun prices --gpu V100 --region us-east-1 > offline.txt
cat offline.txt
head -1 offline.txt | grep -q "from the bundled snapshot (.*bundled 20[0-9-]*), not live (no AWS credentials" ||
  fail "no offline note: $(head -1 offline.txt)"
check_table offline.txt 'p3\..*'
# Where is a V100 cheapest? No region: every region, per GPU-hour.
spotrun prices --gpu V100 > anywhere.txt
cat anywhere.txt
head -1 anywhere.txt | grep -q "^Spot prices in 4 regions (" || fail "not every region: $(head -1 anywhere.txt)"
grep -q "SPOT \$/GPU-h" anywhere.txt || fail "no per-GPU column"
check_table anywhere.txt 'p3\..*'
read -r type region _ <<< "$(first_row anywhere.txt)"
[ "$region" = us-east-2 ] || fail "the cheapest V100 GPU-hour is not in us-east-2: $(first_row anywhere.txt)"
[ "$type" = p3.8xlarge ] || fail "the cheapest V100 GPU-hour is not p3.8xlarge's: $(first_row anywhere.txt)"
spotrun prices --gpu V100 --region us-east-2,us-west-2 > two.txt
head -1 two.txt | grep -q "^Spot prices in 2 regions (us-east-2, us-west-2)" || fail "--region R1,R2: $(head -1 two.txt)"
set +e
spotrun prices --region mars > mars.txt 2>&1
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "no region 'mars'" mars.txt || fail "unknown region: $rc $(cat mars.txt)"
set +e
spotrun prices --gpu NOSUCHGPU > none.txt 2>&1
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "no instance type in the bundled snapshot" none.txt || fail "unknown GPU: $rc"
# A type the snapshot lacks: offline, the snapshot is all there is, and it says so.
rc=0; spotrun prices --type c7g.large > c7g.txt 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "no instance type in the bundled snapshot for any region, type c7g.large (offline, the snapshot is all there is" c7g.txt ||
  { cat c7g.txt; fail "an unknown type offline: $rc"; }
pass "prices: live from EC2, else the bundled snapshot"
