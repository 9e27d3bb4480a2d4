#!/usr/bin/env bash
# examples/pytorch on the local cloud, on the CPU: with two injected
# preemptions it reaches at least 95% validation accuracy, repeats at most one
# epoch per preemption, and ends with the same weights as an uninterrupted
# run (torch.equal on every tensor of model.pt). Needs a Python with torch and
# scikit-learn (Debian: python3-torch, python3-sklearn); skipped (exit 77)
# without one.
source "$(dirname "$0")/lib.sh"

# The first python3 that has torch and sklearn: PATH's may be another (pyenv's).
py=""
for cand in "${SPOTRUN_TORCH_PYTHON:-}" /usr/bin/python3 "$(command -v python3 || true)"; do
  [ -n "$cand" ] && [ -x "$cand" ] || continue
  if "$cand" -c 'import importlib.util as u, sys; sys.exit(not (u.find_spec("torch") and u.find_spec("sklearn")))'; then
    py=$cand
    break
  fi
done
if [ -z "$py" ]; then
  reason="no python3 with torch and sklearn (Debian: apt-get install python3-torch python3-sklearn)"
  echo "SKIP: $reason"
  [ -z "${SPOTRUN_SKIP_FILE:-}" ] || echo "$reason" > "$SPOTRUN_SKIP_FILE"
  exit 77
fi

# The reclaim comes --preempt-at seconds after `run` starts, its notice 5 s
# before; the job must be training by then. Loading torch takes about 3 s on
# an idle machine and ten times that on a loaded one: the schedule follows
# what it takes here and now (T), so that each preempted attempt trains for
# about T/2 + 2 s, and the job needs more than two such attempts.
start=$(date +%s.%N)
"$py" -c 'import torch, sklearn.datasets'
T=$("$py" -c "import math, sys; print(math.ceil(float(sys.argv[1]) - float(sys.argv[2])))" "$(date +%s.%N)" "$start")
at=$((5 + (3 * T + 1) / 2 + 2))
epochs=$((4 * ((T + 1) / 2 + 2) + 4))
echo "torch loads in ${T}s here: preempting at ${at}s after run start, twice; $epochs epochs of 0.5 s"

mkdir job
cp "$SPOTRUN_SOURCE_DIR"/examples/pytorch/{train.py,job.yaml} job/
sed -i -e "s/EPOCHS: 8/EPOCHS: $epochs\n  EPOCH_SECONDS: 0.5/" job/job.yaml
grep -q "EPOCH_SECONDS: 0.5" job/job.yaml || fail "could not edit the job file"

# Both at once: each uses one core.
spotrun launch job/job.yaml --results calm > calm.out 2>&1 & calm=$!
spotrun launch job/job.yaml --results stormy --preempt-at "$at,$at" > stormy.out 2>&1 & stormy=$!
BACKGROUND_PIDS="$calm $stormy"
wait "$calm" || { cat calm.out; fail "uninterrupted run"; }
wait "$stormy" || { cat stormy.out; fail "preempted run"; }
BACKGROUND_PIDS=""
cat stormy.out

"$py" - calm stormy "$epochs" <<'PY' || fail "the preempted run's results"
import json, sys
import torch
calm, stormy = (torch.load(d + "/model.pt", map_location="cpu") for d in sys.argv[1:3])
assert calm.keys() == stormy.keys(), (calm.keys(), stormy.keys())
differ = [k for k in calm if not torch.equal(calm[k], stormy[k])]
assert not differ, "tensors differ from the uninterrupted run's: %s" % differ
m = json.load(open("stormy/metrics.json"))
assert m["device"] == "cpu" and len(m["epochs"]) == int(sys.argv[3]), m
assert m["val_accuracy"] >= 0.95, m["val_accuracy"]
assert json.load(open("calm/metrics.json"))["epochs"] == m["epochs"], "metrics differ"
print("weights equal; val_accuracy %.4f" % m["val_accuracy"])
PY

id=$(spotrun status --json | python3 -c 'import json,sys; print([j["id"] for j in json.load(sys.stdin)["jobs"] if j["preemptions"]][0])')
[ "$(job_field "$id" preemptions)" = 2 ] || fail "preemptions: $(job_field "$id" preemptions), want 2"
spotrun logs "$id" > all.log
run=$(grep -c '^epoch ' all.log)
[ "$run" -ge "$epochs" ] && [ "$run" -le $((epochs + 2)) ] || fail "$run epochs run for $epochs with 2 preemptions"
[ "$(grep -c '^resumed from' all.log)" = 2 ] || fail "not every attempt resumed from a checkpoint"
grep -q '^\[spotrun\] GPUs: none' all.log || fail "the agent did not record the GPUs"
assert_no_instance_processes
pass "pytorch example"
