#!/usr/bin/env bash
# 50 detached jobs at once on the local cloud, all driven by one controller
# process (the home's lease holder): all run at the same time and all
# succeed; the controller's CPU while they run is printed; `spotrun down
# --all` then leaves no instance process and no controller.
source "$(dirname "$0")/lib.sh"

n=50
mkdir -p job
cat > job/job.yaml <<'EOF2'
name: many
resources: {cpus: 0.1}
run: sleep 40 && echo done > out.txt
outputs: [out.txt]
EOF2
for i in $(seq 1 $n); do
  spotrun launch job/job.yaml --detach --results "r$i" > "launch-$i.out" 2>&1 ||
    fail "launch $i: $(cat "launch-$i.out")"
done
db=$SPOTRUN_HOME/state.db
count() { sqlite3 "$db" "select count(*) from jobs where $1"; }
wait_for "[ \$(count \"state = 'RUNNING'\") = $n ]" 120
ctl=$(sqlite3 "$db" "select pid from controller_lease")
[ -n "$ctl" ] || fail "no controller holds the lease"
[ "$(sqlite3 "$db" "select count(distinct controller_pid) from jobs")" = 1 ] ||
  fail "jobs have several controllers: $(sqlite3 "$db" "select distinct controller_pid from jobs")"
[ "$(sqlite3 "$db" "select distinct controller_pid from jobs")" = "$ctl" ] ||
  fail "the jobs' controller is not the lease holder $ctl"

# The controller's own CPU over 5 s while the 50 jobs run.
ticks() { sed 's/.*) //' "/proc/$ctl/stat" | awk '{print $12 + $13}'; }
t0=$(ticks)
sleep 5
t1=$(ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$ctl/status")
python3 -c "print('controller of $n running jobs: %.1f%% of one core, RSS %d KB' % (($t1 - $t0) / $(getconf CLK_TCK) / 5 * 100, $rss))"
start=$(date +%s.%N)
spotrun status > status.txt
python3 -c "print('spotrun status with $n jobs: %.2f s' % ($(date +%s.%N) - $start))"

wait_for "[ \$(count \"state = 'SUCCEEDED'\") = $n ]" 120
for i in $(seq 1 $n); do
  [ "$(cat "r$i/out.txt")" = done ] || fail "job $i has no output"
done
spotrun down --all > down.txt 2>&1 || fail "down --all: $(cat down.txt)"
assert_no_instance_processes
[ -z "$(controller_pids)" ] || sleep 12
[ -z "$(controller_pids)" ] || fail "a controller is still running: $(controller_pids)"
pass "$n detached jobs under one controller, all succeeded, nothing left"
