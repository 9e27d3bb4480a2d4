#!/usr/bin/env bash
# On the aws cloud (moto), a type the bundled snapshot lacks can be named:
# `launch --dry-run` plans c7g.large from what EC2 says of it (shape, spot
# prices) with its on-demand price from the Price List API (a loopback
# fixture), or, with no price list, says the price is unknown and asks for
# a max_price (one line, exit 2); a type EC2 does not know is refused.
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
echo '{"c7g.large": "0.0725"}' > prices.json
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

printf 'name: bad\ncloud: aws\nresources: {instance_type: zz9.huge, region: us-east-1, max_price: 1}\nrun: x\n' > job/bad.yaml
rc=0; spotrun launch job/bad.yaml --dry-run > out.txt 2> err.txt || rc=$?
[ "$rc" = 2 ] && grep -q "EC2 does not offer zz9.huge there" err.txt || { cat err.txt; fail "an unknown type: exit $rc"; }
pass "aws: a type the snapshot lacks, described and priced"
