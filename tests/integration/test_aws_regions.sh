#!/usr/bin/env bash
# On the aws cloud (moto), a job that pins no region is placed among every
# region of the catalog: `launch --dry-run` asks each region's spot prices
# (DescribeSpotPriceHistory, one call signed for each region) and says which
# regions it looked at; a job with `region:` asks that region alone, and one
# naming an AMI id (which exists in one region) stays in the configured one.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/aws_lib.sh"

start_moto MOTO_AMIS_PATH="$SPOTRUN_SOURCE_DIR/tests/data/ec2/amis-realistic.json"
mkdir job
printf 'name: any\ncloud: aws\nresources: {instance_type: t3.medium, max_price: 0.05}\nrun: x\n' > job/any.yaml
spotrun launch job/any.yaml --dry-run > any.txt || { cat any.txt; fail "dry run"; }
cat any.txt
grep -q "^regions considered: us-east-1, eu-west-1, us-east-2, us-west-2 (no region pinned" any.txt ||
  fail "the dry run does not say which regions it looked at"
[ "$($MOTO_CHECK spot-price-regions | tr '\n' ' ')" = "eu-west-1 us-east-1 us-east-2 us-west-2 " ] ||
  fail "spot prices were asked in: $($MOTO_CHECK spot-price-regions | tr '\n' ' ')"
# moto prices every pool alike: the tie goes to the configured region.
grep -q "t3.medium use1-az[0-9] (us-east-1) wins" any.txt || fail "a tie leaves the home region"
for r in eu-west-1 us-east-2; do  # The first 10 offers shown.
  grep -qE "  $r$" any.txt || fail "no offer of $r in the dry run"
done

curl -sf -X POST "$MOTO_URL/moto-api/recorder/reset-recording" >/dev/null
sed 's/max_price: 0.05}/max_price: 0.05, region: us-west-2}/' job/any.yaml > job/pinned.yaml
spotrun launch job/pinned.yaml --dry-run > pinned.txt || { cat pinned.txt; fail "pinned dry run"; }
grep -q "^region considered: us-west-2 (pinned by resources.region)" pinned.txt &&
  grep -q "t3.medium usw2-az[0-9] (us-west-2) wins" pinned.txt || { cat pinned.txt; fail "the pin is not kept"; }
[ "$($MOTO_CHECK spot-price-regions | tr '\n' ' ')" = "us-west-2 " ] ||
  fail "a pinned job asked spot prices in: $($MOTO_CHECK spot-price-regions | tr '\n' ' ')"
curl -sf -X POST "$MOTO_URL/moto-api/recorder/reset-recording" >/dev/null
image=$($MOTO_CHECK ubuntu-image)
sed "s/max_price: 0.05}/max_price: 0.05, image: $image}/" job/any.yaml > job/ami.yaml
spotrun launch job/ami.yaml --dry-run > ami.txt || { cat ami.txt; fail "image id dry run"; }
grep -q "^region considered: us-east-1 (no region pinned, but image $image is an id of one region)" ami.txt ||
  { cat ami.txt; fail "an image id does not keep the job in the configured region"; }
[ "$($MOTO_CHECK spot-price-regions | tr '\n' ' ')" = "us-east-1 " ] || fail "an image-id job asked other regions"
pass "aws placement asks every region unless one is pinned"
