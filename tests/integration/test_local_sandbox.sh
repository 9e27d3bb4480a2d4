#!/usr/bin/env bash
# A local instance is a sandbox (issue 15, item 1-3): the job cannot write
# outside it (a file under the test's directory, the host Python's
# site-packages, the source tree), `nproc` shows the `cpus` it asked for, a
# job allocating more than its `memory` is stopped, `pip install` lands in the
# instance's venv, the caller's AWS credentials do not reach it, and processes
# it detaches (setsid, `env -u SPOTRUN_LOCAL_INSTANCE`, or with that variable
# set in `envs`) end with its instance, when it ends and when it is cancelled.
# Where this machine cannot make the sandbox, the launch says so in one line
# and the checks that need it are reported skipped (so is the memory check
# where only RLIMIT_AS, per process, stops the job: no cgroup bounds the total).
source "$(dirname "$0")/lib.sh"

host_site=$(python3 -c 'import site; print(site.getsitepackages()[0])')
probe=sandbox-probe-$$-$RANDOM
outside_tmp=$TEST_TMP/outside-$probe
outside_src=$SPOTRUN_SOURCE_DIR/build/$probe

# A tiny local wheel: `pip install --no-index` of it needs no network.
python3 - "$TEST_TMP/wheels" <<'PY'
import os, sys, zipfile
d = sys.argv[1]; os.makedirs(d)
files = {"tinypkg_sbx/__init__.py": "VALUE = 42\n",
         "tinypkg_sbx-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg-sbx\nVersion: 1.0\n",
         "tinypkg_sbx-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
files["tinypkg_sbx-1.0.dist-info/RECORD"] = "".join("%s,,\n" % f for f in files) + "tinypkg_sbx-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(os.path.join(d, "tinypkg_sbx-1.0-py3-none-any.whl"), "w") as z:
    for name, text in files.items(): z.writestr(name, text)
PY

mkdir job
cp "$TEST_TMP"/wheels/*.whl job/
cat > job/job.yaml <<EOF2
name: sandbox
cloud: local
resources: {cpus: 1, memory: 0.5}
envs: {SPOTRUN_LOCAL_INSTANCE: i-localnotmine}
setup: pip install --no-index --no-deps ./tinypkg_sbx-1.0-py3-none-any.whl > pip.log 2>&1
run: |
  nproc > nproc.txt
  : > wrote.txt
  echo x > '$outside_tmp' 2>/dev/null || true  # /tmp is the instance's own.
  (echo x > '$outside_src') 2>/dev/null && echo "$outside_src" >> wrote.txt
  (echo x > '$host_site/$probe') 2>/dev/null && echo "$host_site" >> wrote.txt
  [ -w '$host_site' ] && echo "writable: $host_site" >> wrote.txt
  python3 -c 'import tinypkg_sbx, sys; print(tinypkg_sbx.__file__); print(sys.prefix)' > pip.txt 2>&1
  env | grep '^AWS_' | cut -d= -f1 | sort > aws.txt
  env -u SPOTRUN_LOCAL_INSTANCE sleep 1000.$$ &
  setsid sleep 1001.$$ < /dev/null > /dev/null 2>&1 &
  python3 -c 'b = bytearray(900 * 1024 * 1024); b[::4096] = b"x" * len(b[::4096]); print("allocated")' > mem.txt 2>&1
  echo "exit \$?" >> mem.txt
outputs: [nproc.txt, wrote.txt, pip.txt, pip.log, aws.txt, mem.txt]
EOF2
AWS_ACCESS_KEY_ID=AKIACALLERKEY AWS_SECRET_ACCESS_KEY=callersecret AWS_SESSION_TOKEN=callertoken \
  AWS_PROFILE=callerprofile timeout 150 "$SPOTRUN_BIN" launch job/job.yaml --results r > launch.txt 2>&1 ||
  fail "launch: $(cat launch.txt)"
cat launch.txt
r=r/$(only_job_id)
[ -f "$r/nproc.txt" ] || r=$(dirname "$(find r -name nproc.txt | head -1)")
[ -f "$r/nproc.txt" ] || fail "no results: $(find r) $(cat launch.txt)"

no_sandbox=$(grep -m1 -o 'local cloud: no sandbox ([^)]*)' launch.txt || true)

skipped=()
# CPUs: what the job asked for.
[ "$(cat "$r/nproc.txt")" = 1 ] || fail "nproc shows $(cat "$r/nproc.txt"), the job asked for 1 CPU"

# Memory: stopped past 0.5 GiB (a cgroup, or RLIMIT_AS where the launch said so).
grep -q allocated "$r/mem.txt" && fail "the job allocated 900 MiB with memory: 0.5: $(cat "$r/mem.txt")"
grep -q 'exit 0' "$r/mem.txt" && fail "the allocation exited 0: $(cat "$r/mem.txt")"
if grep -q 'memory limit enforced by RLIMIT_AS' launch.txt; then
  # Stopped, but by a per-process limit: the instance's total is not bounded.
  skipped+=("memory: no cgroup here, only RLIMIT_AS per process ($(grep -m1 -o 'not a cgroup ([^)]*)' launch.txt))")
fi

# No AWS credentials from the caller.
for k in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE; do
  grep -qx "$k" "$r/aws.txt" && fail "the job got the caller's $k"
done

if [ -n "$no_sandbox" ]; then
  skipped+=("no sandbox on this machine ($no_sandbox): writes outside, venv and detached processes not checked")
else
  # Nothing written outside the sandbox.
  [ -s "$r/wrote.txt" ] && fail "the job wrote outside its sandbox: $(cat "$r/wrote.txt")"
  for f in "$outside_tmp" "$outside_src" "$host_site/$probe"; do
    [ -e "$f" ] && { rm -f "$f"; fail "the job's file $f is on the host"; }
  done
  # pip installed into the instance's venv, not the host.
  grep -q "/local/instances/i-local[0-9a-f]*/venv/" "$r/pip.txt" ||
    fail "the package is not in the instance's venv: $(cat "$r/pip.txt" "$r/pip.log")"
  python3 -c 'import tinypkg_sbx' 2>/dev/null && fail "the host python has the job's package"
  # The detached processes ended with the instance.
  wait_for "! pgrep -f 'sleep 100[01]\\.$$' >/dev/null" 10
  assert_no_instance_processes
fi

# Cancelled while running: its detached processes end too.
mkdir job2
cat > job2/job.yaml <<EOF2
name: cancelled
cloud: local
resources: {cpus: 1}
envs: {SPOTRUN_LOCAL_INSTANCE: i-localnotmine}
run: |
  env -u SPOTRUN_LOCAL_INSTANCE sleep 1002.$$ &
  setsid sleep 1003.$$ < /dev/null > /dev/null 2>&1 &
  sleep 300
EOF2
spotrun launch job2/job.yaml --detach --results r2 > launch2.txt 2>&1 || fail "launch: $(cat launch2.txt)"
job=$(job_id_named cancelled)
wait_for "pgrep -f 'sleep 1003\\.$$' >/dev/null" 60
pids=$(pgrep -f "sleep 100[23]\\.$$" | tr '\n' ' ')
spotrun cancel "$job" > cancel.txt 2>&1 || fail "cancel: $(cat cancel.txt)"
wait_for "[ \"\$(job_field $job state)\" = CANCELLED ]" 30
if [ -z "$no_sandbox" ]; then
  for p in $pids; do
    wait_for "! kill -0 $p 2>/dev/null" 10
  done
  assert_no_instance_processes
fi

if [ ${#skipped[@]} -gt 0 ]; then
  # Without the sandbox the detached processes outlive their instances: end them.
  for p in $(pgrep -f "sleep 100[0-3]\\.$$"); do kill -9 "$p" 2>/dev/null || true; done
  skip "${skipped[*]}"
fi
pass "local sandbox: no write outside, nproc = cpus, memory limit, venv, no AWS credentials, no process left"
