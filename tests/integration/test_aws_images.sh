#!/usr/bin/env bash
# With no `image:` in the job file, `launch --dry-run` on the aws cloud (moto
# loaded with current Canonical and Deep Learning AMIs) names the image the
# instance type gets and why; types it cannot serve and a disk smaller than
# the image are one-line errors (exit 2) before anything is launched.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/aws_lib.sh"

start_moto MOTO_AMIS_PATH="$SPOTRUN_SOURCE_DIR/tests/data/ec2/amis-realistic.json"

# Writes job/NAME.yaml for instance type $2 with extra resources $3.
job() {
  mkdir -p job
  printf 'name: %s\ncloud: aws\nresources: {instance_type: %s%s}\nrun: python3 train.py\n' \
    "$1" "$2" "${3:-}" > "job/$1.yaml"
}

job gpu g5.xlarge
spotrun launch job/gpu.yaml --dry-run > gpu.txt || fail "dry run of g5.xlarge"
cat gpu.txt
grep -q '^image: ami-e9555e0b0d6b5b77f (Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 24.04) 20251010, x86_64), login ubuntu, root volume 50 GB, python from /opt/pytorch: the newest Deep Learning AMI with PyTorch (Ubuntu, x86_64), for the 1x NVIDIA A10G of g5.xlarge' gpu.txt ||
  fail "g5.xlarge does not get the newest x86_64 DLAMI with PyTorch"

job cpu t3.medium ", disk_size: 80"
spotrun launch job/cpu.yaml --dry-run > cpu.txt || fail "dry run of t3.medium"
grep -q '^image: ami-25e22abc8a3c5759e (ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251022, x86_64), login ubuntu, root volume 80 GB: the newest Ubuntu 24.04 LTS (amd64): t3.medium has no GPU' cpu.txt ||
  fail "t3.medium does not get the newest amd64 Ubuntu 24.04: $(cat cpu.txt)"

job al t3.medium ', image: {name: "al2023-ami-*", owner: "137112412989"}'
spotrun launch job/al.yaml --dry-run | grep -q '^image: ami-4b8de538f91611856 .*login ec2-user' ||
  fail "an Amazon Linux pattern does not log in as ec2-user"

# Refusals: one line naming the file, exit 2, no instance.
expect_refusal() {
  local rc=0
  spotrun launch "job/$1.yaml" --dry-run > out.txt 2> err.txt || rc=$?
  cat err.txt
  [ "$rc" = 2 ] || fail "$1: exit $rc, not 2"
  [ "$(wc -l < err.txt)" = 1 ] || fail "$1: not one line"
  grep -q "job/$1.yaml: .*$2" err.txt || fail "$1: no '$2' in the error"
}
job v100 p3.2xlarge
expect_refusal v100 "p3.2xlarge has 1x NVIDIA V100 GPUs.*choose g4dn.xlarge (T4), g5.xlarge (A10G)"
job small t3.medium ", disk_size: 10"
expect_refusal small "resources.disk_size: 10 GB is smaller than the root snapshot of image ami-25e22abc8a3c5759e (15 GB); give at least 15"
job arm t3.medium ", image: ami-688842a31170b7237"
expect_refusal arm "image ami-688842a31170b7237 is arm64 but t3.medium runs x86_64 images"
# A real launch refuses the same way, before a job exists.
rc=0; spotrun launch job/small.yaml > out.txt 2> err.txt || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q "resources.disk_size" err.txt ||
  fail "launch with a disk smaller than the image: exit $rc, $(cat err.txt)"
[ "$(spotrun status --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))')" = 0 ] ||
  fail "a refused launch made a job"
[ "$($MOTO_CHECK alive)" = 0 ] || fail "a refused launch left an instance"
pass "images by instance type"
