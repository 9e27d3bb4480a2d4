#!/usr/bin/env bash
# The local cloud hands out the machine's GPUs (a fake nvidia-smi shows two
# H200s): the dry run offers only what the machine can run; two 1-GPU jobs
# run at once with different CUDA_VISIBLE_DEVICES and SPOTRUN_NUM_GPUS=1; a
# third waits, saying which instances hold the GPUs, and runs once one is
# free; a CPU job sees no GPU; `status` shows each instance's GPUs; a job
# asking for a GPU on an instance whose nvidia-smi finds no driver fails at
# once, in one line, before `run`.
source "$(dirname "$0")/lib.sh"

export PATH=$SPOTRUN_SOURCE_DIR/tests/integration/fake-bin:$PATH
export FAKE_NVIDIA_SMI_GPUS="NVIDIA H200,NVIDIA H200"
mkdir seen
# The jobs signal through seen/, which their sandboxes share.
export SPOTRUN_LOCAL_SHARE=$TEST_TMP/seen

# job NAME ACCELERATORS: a job that records its GPUs, then waits for seen/release.
job() {
  mkdir -p "$1"
  cat > "$1/job.yaml" <<EOF2
name: gpu-$1
cloud: local
resources: {cpus: 1${2:+, accelerators: $2}}
envs: {SEEN: $TEST_TMP/seen/$1, RELEASE: $TEST_TMP/seen/release}
run: |
  echo "CVD=[\${CUDA_VISIBLE_DEVICES-unset}] NUM=\$SPOTRUN_NUM_GPUS"
  echo "\${CUDA_VISIBLE_DEVICES-unset}" > "\$SEEN"
  for i in \$(seq 600); do [ -e "\$RELEASE" ] && exit 0; sleep 0.1; done
  exit 1
EOF2
}
job_id() { job_id_named "gpu-$1"; }

job a H200:1; job b H200:1; job c H200:1; job cpu ""; job v100 V100:1; job nodriver H200:1

spotrun launch a/job.yaml --dry-run > dry.txt
cat dry.txt
grep -q "local-h200x1 *use1-az1 *spot *0.0000" dry.txt || fail "dry run does not offer the H200s"
grep -q "local-h200x1 is a local type: 1 of this machine's H200 GPUs, a model no catalog type has, at \$0" dry.txt ||
  fail "dry run does not say the type is local"
rc=0; spotrun launch v100/job.yaml --dry-run > v100.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "no offer in us-east-1, eu-west-1, us-east-2, us-west-2 fits the job's resources (most offers fail on accelerators)" v100.txt ||
  { cat v100.txt; fail "a V100 job is offered something on an H200 machine"; }

spotrun launch a/job.yaml --results ra > a.out 2>&1 & pa=$!
spotrun launch b/job.yaml --results rb > b.out 2>&1 & pb=$!
BACKGROUND_PIDS="$pa $pb"
wait_for '[ -s seen/a ] && [ -s seen/b ]' 60
[ "$(sort seen/a seen/b | tr '\n' ' ')" = "0 1 " ] ||
  fail "the two jobs got CUDA_VISIBLE_DEVICES $(cat seen/a) and $(cat seen/b)"

spotrun launch c/job.yaml --results rc > c.out 2>&1 & pc=$!
BACKGROUND_PIDS="$pa $pb $pc"
wait_for 'grep -q "no capacity" c.out' 60
grep "no capacity" c.out | head -1
# (The round's last offer may be local-h200x2: its line says H200:2.)
grep -q "H200:[12] needs [12] free GPU(s); 0 of this machine's 2 H200 are free (in use: GPU 0 by i-local[0-9a-f]*, GPU 1 by i-local[0-9a-f]*)" c.out ||
  { cat c.out; fail "the third job does not say why it waits"; }
[ ! -e seen/c ] || fail "a third job ran while both GPUs were held"
touch seen/release
wait "$pa" || { cat a.out; fail "job a"; }
wait "$pb" || { cat b.out; fail "job b"; }
wait "$pc" || { cat c.out; fail "job c"; }
BACKGROUND_PIDS=""
grep -q '^CVD=\[[01]\] NUM=1$' c.out || { cat c.out; fail "the third job did not get a GPU"; }
grep -q "^\[spotrun\] GPUs: 1 x NVIDIA H200 (143771 MiB), driver 580.159.04$" a.out ||
  { cat a.out; fail "the log does not say what the instance has"; }

id=$(job_id a)
spotrun status "$id" > status.txt
grep -q "^  GPUs (attempt 1): 1 x NVIDIA H200 (143771 MiB), driver 580.159.04$" status.txt ||
  { cat status.txt; fail "status JOB does not show the GPUs"; }
spotrun status "$id" --json | python3 -c '
import json, sys
g = json.load(sys.stdin)["jobs"][0]["gpus"]
assert g["attempt"] == 1 and len(g["gpus"]) == 1, g
assert g["gpus"][0]["name"] == "NVIDIA H200" and g["gpus"][0]["index"] in (0, 1), g
assert g["gpus"][0]["memory_mib"] == 143771 and g["gpus"][0]["driver"] == "580.159.04", g' ||
  fail "status --json gpus"

# A job without accelerators sees none of the machine's GPUs.
spotrun launch cpu/job.yaml --results rcpu > cpu.out 2>&1 || { cat cpu.out; fail "cpu job"; }
grep -q '^CVD=\[\] NUM=0$' cpu.out || { cat cpu.out; fail "a CPU job can see the GPUs"; }

# An instance whose image lacks the driver: the job fails before `run`.
start=$SECONDS
rc=0
FAKE_NVIDIA_SMI_NO_DRIVER_IN_INSTANCES=1 spotrun launch nodriver/job.yaml --results rnd > nd.out 2>&1 || rc=$?
cat nd.out
[ "$rc" = 1 ] || fail "exit status $rc for a job without its GPU"
grep -qx "FAILED: the job asked for H200:1 but this instance shows no GPU (nvidia-smi: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.)" nd.out ||
  fail "no one-line reason"
! grep -q "run: starting" nd.out || fail "run started without the GPU"
[ ! -e seen/nodriver ] || fail "the job ran"
[ $((SECONDS - start)) -lt 30 ] || fail "took $((SECONDS - start)) s to fail"
spotrun status "$(job_id nodriver)" | grep -q "GPUs (attempt 1): none (nvidia-smi: NVIDIA-SMI has failed" ||
  fail "status does not show the missing GPU"
assert_no_instance_processes
pass "local GPUs"
