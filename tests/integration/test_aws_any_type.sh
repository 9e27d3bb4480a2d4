#!/usr/bin/env bash
# On the aws cloud (moto), a type the bundled snapshot lacks can be named:
# `launch --dry-run` plans c7g.large from what EC2 says of it (shape, spot
# prices) with its on-demand price from the Price List API (a loopback
# fixture), or, with no price list, says the price is unknown and asks for
# a max_price (one line, exit 2); a GPU no type of the snapshot has
# (T4g) is matched among the types EC2 sells; a type EC2 does not know is
# refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/aws_lib.sh"

start_moto MOTO_AMIS_PATH="$SPOTRUN_SOURCE_DIR/tests/data/ec2/amis-realistic.json"
mkdir job
printf 'name: arm\ncloud: aws\nresources: {instance_type: c7g.large, region: us-east-1}\nrun: x\n' > job/arm.yaml

# No price list (the EC2 endpoint is a test one): unknown, so a max_price is needed.
rc=0; spotrun launch job/arm.yaml --dry-run > out.txt 2> err.txt || rc=$?
cat out.txt err.txt
[ "$rc" = 2 ] && [ "$(wc -l < err.txt)" = 1 ] &&
  grep -q "job/arm.yaml: resources: .*max_price (required: the on-demand price of c7g.large is unknown)" err.txt ||
  fail "an unknown on-demand price without max_price: exit $rc"
sed 's/region: us-east-1}/region: us-east-1, max_price: 0.05}/' job/arm.yaml > job/bid.yaml
spotrun launch job/bid.yaml --dry-run > bid.txt || { cat bid.txt; fail "c7g.large with a max_price"; }
cat bid.txt
grep -qE "^  1 +c7g\.large +use1-az[0-9] +spot +0\.0000 +unknown +- +us-east-1$" bid.txt ||
  fail "c7g.large is not offered with an unknown on-demand price"
grep -q "^image: .*arm64" bid.txt || fail "c7g.large does not get an arm64 image"

# The price list (a loopback fixture) knows it: no max_price needed, the bid is that price.
echo '{"c7g.large": "0.0725", "g5g.xlarge": "0.42"}' > prices.json
python3 "$SPOTRUN_SOURCE_DIR/tests/integration/pricing_fixture.py" pricing.port prices.json $$ &
BACKGROUND_PIDS=$!
wait_for "[ -s pricing.port ]" 20
AWS_ENDPOINT_URL_PRICING=http://127.0.0.1:$(cat pricing.port) spotrun launch job/arm.yaml --dry-run > priced.txt ||
  { cat priced.txt; fail "c7g.large with the price list"; }
cat priced.txt
grep -qE "^  1 +c7g\.large +use1-az[0-9] +spot +0\.0000 +0\.0725 +100% +us-east-1$" priced.txt &&
  grep -q "max price \$0.0725/h" priced.txt || fail "the price list's on-demand price is not used"
grep -q '^AWSPriceListService.GetProducts .*"Field":"instanceType","Type":"TERM_MATCH","Value":"c7g.large"' pricing.port.log ||
  fail "GetProducts was not asked for c7g.large"

# Matched by resources: no type of the snapshot has a T4g, so the types EC2
# sells are looked through and the smallest that fit are priced.
printf 'name: t4g\ncloud: aws\nresources: {accelerators: T4g:1, cpus: "=4", region: us-east-1}\nrun: x\n' > job/t4g.yaml
AWS_ENDPOINT_URL_PRICING=http://127.0.0.1:$(cat pricing.port) spotrun launch job/t4g.yaml --dry-run > t4g.txt ||
  { cat t4g.txt; fail "a T4g job has no offer"; }
cat t4g.txt
grep -qE "^  1 +g5g\.xlarge +use1-az[0-9] +spot +[0-9.]+ +0\.4200 +[0-9]+% +us-east-1$" t4g.txt ||
  fail "g5g.xlarge is not offered for T4g:1 with its price list price"
grep -q '"Value":"g5g.xlarge"' pricing.port.log || fail "GetProducts was not asked for g5g.xlarge"
grep -q "^image: .*arm64" t4g.txt || fail "g5g.xlarge does not get an arm64 image"
# A job the snapshot serves does not look beyond it.
printf 'name: cpu\ncloud: aws\nresources: {cpus: 2, region: us-east-1}\nrun: x\n' > job/cpu.yaml
spotrun launch job/cpu.yaml --dry-run > cpu.txt || { cat cpu.txt; fail "a 2-CPU job"; }
! grep -qE "g5g|c7g" cpu.txt || fail "a job the snapshot serves got types beyond it: $(cat cpu.txt)"

printf 'name: bad\ncloud: aws\nresources: {instance_type: zz9.huge, region: us-east-1, max_price: 1}\nrun: x\n' > job/bad.yaml
rc=0; spotrun launch job/bad.yaml --dry-run > out.txt 2> err.txt || rc=$?
[ "$rc" = 2 ] && grep -q "EC2 does not offer zz9.huge there" err.txt || { cat err.txt; fail "an unknown type: exit $rc"; }
pass "aws: a type the snapshot lacks, named or matched by resources, described and priced"
