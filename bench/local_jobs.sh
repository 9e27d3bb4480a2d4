#!/usr/bin/env bash
# bench/local_jobs.sh [N]: N (default 100) detached `sleep` jobs at once on
# the local cloud, under one controller. Prints the controller's own CPU (not
# the instances') over 10 s while all N run, as a share of one core and as a
# ratio to the same figure with 1 job measured in the same run, its RSS, and
# how long `spotrun status` takes. Uses a private SPOTRUN_HOME; ends what it
# started (down --all, then the controller by its pid).
set -euo pipefail
n=${1:-100}
bin=$(cd "$(dirname "$0")/.." && pwd)/build/spotrun
work=$(mktemp -d /tmp/spotrun-bench-local.XXXXXX)
export SPOTRUN_HOME=$work/home
cd "$work"
trap '"$bin" down --all >/dev/null 2>&1 || true
      pid=$(sqlite3 "$SPOTRUN_HOME/state.db" "select pid from controller_lease" 2>/dev/null || true)
      [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
      rm -rf "$work"' EXIT
mkdir job
printf 'name: sleeper\nresources: {cpus: 0.01}\nrun: sleep 600\n' > job/job.yaml
db=$SPOTRUN_HOME/state.db
running() { sqlite3 "$db" "select count(*) from jobs where state = 'RUNNING'"; }
# measure K: the controller's CPU share (percent of one core) over 10 s
# while K jobs run, then its RSS in KB.
measure() {
  local ctl t0 t1 hz
  ctl=$(sqlite3 "$db" "select pid from controller_lease")
  hz=$(getconf CLK_TCK)
  t0=$(sed 's/.*) //' "/proc/$ctl/stat" | awk '{print $12 + $13}')
  sleep 10
  t1=$(sed 's/.*) //' "/proc/$ctl/stat" | awk '{print $12 + $13}')
  echo "$(( (t1 - t0) * 1000 / hz / 10 )) $(awk '/VmRSS/ {print $2}' "/proc/$ctl/status")"
}
launch() { "$bin" launch job/job.yaml --detach --results "r-$1" > /dev/null; }
wait_running() {
  for _ in $(seq 600); do [ "$(running)" -ge "$1" ] && return 0; sleep 0.2; done
  echo "bench: only $(running) of $1 jobs running" >&2; exit 1
}
launch 0
wait_running 1
read -r one_milli one_rss < <(measure)
for i in $(seq 2 "$n"); do launch "$i"; done
wait_running "$n"
read -r many_milli many_rss < <(measure)
start=$(date +%s.%N)
"$bin" status > /dev/null
status_s=$(python3 -c "print('%.2f' % ($(date +%s.%N) - $start))")
python3 - "$n" "$one_milli" "$one_rss" "$many_milli" "$many_rss" "$status_s" <<'PY'
import sys
n, one, one_rss, many, many_rss, status = sys.argv[1:]
n, one, many = int(n), int(one) / 10, int(many) / 10
print(f"local cloud, {n} detached sleep jobs under one controller")
print(f"{'jobs':>5} {'CPU % of a core':>16} {'(x 1 job)':>10} {'RSS KB':>8} {'(x 1 job)':>10}")
print(f"{1:>5} {one:>16.2f} {1:>10.2f} {int(one_rss):>8} {1:>10.2f}")
ratio = many / one if one > 0 else float('inf')
print(f"{n:>5} {many:>16.2f} {ratio:>10.2f} {int(many_rss):>8} {int(many_rss) / int(one_rss):>10.2f}")
print(f"spotrun status with {n} jobs: {status} s")
PY
