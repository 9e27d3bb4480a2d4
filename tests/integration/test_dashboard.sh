#!/usr/bin/env bash
# `spotrun dashboard` on a home with a finished, a preempted and a running
# job: refuses requests without the token (403) and POSTs without the token
# or from another origin, listens on 127.0.0.1 only; headless Chromium loads
# every page without script errors, the jobs table lists the jobs, the
# timeline shows the preempted attempt, the cost chart has points, the
# simulate page draws each policy's costs, and the running job's log tail
# grows; the cancel request (token + same origin) ends the running job
# CANCELLED; SIGTERM stops the server. Writes the screenshots of
# docs/dashboard.md (SPOTRUN_SCREENSHOT_DIR, default docs/).
source "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed (Debian package chromium, install-deps.sh --tests)"
shots=${SPOTRUN_SCREENSHOT_DIR:-$SPOTRUN_SOURCE_DIR/docs}
CHROMIUM_FLAGS=(--headless --disable-gpu --no-sandbox --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --no-default-browser-check)
if ! timeout 60 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$TEST_TMP/chromium-probe" \
    --dump-dom 'data:text/html,<p id="probe">ok</p>' > probe.dom 2> probe.log ||
    ! grep -q '<p id="probe">ok</p>' probe.dom; then
  skip "headless chromium cannot run here: $(grep -v dbus probe.log | tail -1)"
fi

# Headless Chromium on URL $2 with extra flags $3...; the DOM to $1.dom, its
# log (console messages included) to $1.log.
browse() {
  local name=$1 url=$2
  shift 2
  timeout 60 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$TEST_TMP/chromium-$name" \
    --enable-logging=stderr --v=0 --virtual-time-budget=6000 "$@" "$url" \
    > "$name.dom" 2> "$name.log" || { cat "$name.log" >&2; fail "chromium on $url"; }
}
# A page's DOM and a screenshot of it; fails on a script error.
load_page() {
  local name=$1 url=$2
  browse "$name" "$url" --dump-dom
  if grep -E 'CONSOLE.*(Uncaught|Error|rror:)' "$name.log"; then fail "console errors on $name"; fi
  grep -q '<div id="errors"></div>' "$name.dom" ||
    fail "the $name page lists errors: $(grep -o '<div id="errors">.*</div>' "$name.dom" | head -c 600)"
}
screenshot() {
  browse "$1-shot" "$2" --screenshot="$shots/dashboard-$1.png" --window-size=1280,"$3" \
    --hide-scrollbars
  [ -s "$shots/dashboard-$1.png" ] || fail "no screenshot of $1"
}

# The jobs: finished, preempted (then finished on a second instance), running.
make_job_dir job
printf 'name: finished\nrun: python3 train.py\nenvs: {EPOCHS: 3}\noutputs: [model.pkl]\n' > job/finished.yaml
printf 'name: preempted\nrun: python3 train.py\nenvs: {EPOCHS: 10, EPOCH_SECONDS: 0.5}\ncheckpoint: {dir: checkpoints}\noutputs: [model.pkl]\ndeadline: 1m\nbudget: {expected_hours: 0.003}\n' > job/preempted.yaml
cat > job/running.yaml <<'YAML'
name: running
run: for i in $(seq 1 600); do echo "step $i"; echo "$i/600" > "$SPOTRUN_PROGRESS_FILE"; sleep 0.5; done
YAML
spotrun launch job/finished.yaml --results r-finished > finished.out 2>&1 || { cat finished.out; fail "finished job"; }
spotrun launch job/preempted.yaml --results r-preempted --preempt-at 3 > preempted.out 2>&1 ||
  { cat preempted.out; fail "preempted job"; }
spotrun launch job/running.yaml --results r-running --detach > running.out 2>&1 || { cat running.out; fail "running job"; }
finished=$(job_id_named finished) preempted=$(job_id_named preempted) running=$(job_id_named running)
[ "$(job_field "$preempted" preemptions)" = 1 ] || fail "the preempted job was not preempted"
wait_for '[ "$(job_field "$running" state)" = RUNNING ] && spotrun logs "$running" | grep -q "step 2"' 60

# Bad flags: one line, exit 2.
for bad in "--port abc" "--port 70000" "--port" "--bogus" "somejob"; do
  set +e; "$SPOTRUN_BIN" dashboard $bad > bad.out 2> bad.err; rc=$?; set -e
  [ "$rc" = 2 ] && [ "$(wc -l < bad.err)" = 1 ] && [ ! -s bad.out ] ||
    fail "dashboard $bad: exit $rc, $(cat bad.err bad.out)"
done

# The server, ended by pid (lib.sh's cleanup) and bounded by timeout.
timeout 170 "$SPOTRUN_BIN" dashboard > dashboard.out 2> dashboard.err &
dashboard_pid=$!
BACKGROUND_PIDS="${BACKGROUND_PIDS:-} $dashboard_pid"
wait_for 'grep -q "^dashboard: http://" dashboard.out' 20
url=$(sed -n 's/^dashboard: \(http:[^ ]*\)$/\1/p' dashboard.out)
origin=${url%%/\?token=*}
token=${url##*token=}
port=${origin##*:}
[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{32}$ ]] || fail "dashboard URL: $url"

code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
# Only 127.0.0.1 listens on the port (no wildcard, no IPv6 socket).
python3 - "$port" <<'PY' || fail "the dashboard does not listen on 127.0.0.1 only"
import sys
port, found = int(sys.argv[1]), []
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(table).readlines()[1:]:
        f = line.split()
        addr, p = f[1].split(":")
        if int(p, 16) == port and f[3] == "0A":
            found.append(addr)
sys.exit(0 if found == ["0100007F"] else "listening on %s" % found)
PY
[ "$(code "$origin/")" = 403 ] || fail "a page without the token was not refused"
[ "$(code "$origin/api/jobs")" = 403 ] || fail "the API without the token was not refused"
[ "$(code "$origin/?token=${token%?}0")" = 403 ] || [ "${token: -1}" = 0 ] || fail "a wrong token was accepted"
[ "$(code "$origin/?token=$token")" = 200 ] || fail "the page with the token was refused"
[ "$(code -H "X-Spotrun-Token: $token" "$origin/api/jobs")" = 200 ] || fail "the API with the token"
curl -s -D headers.txt -o /dev/null --max-time 10 "$origin/?token=$token"
grep -qi '^set-cookie: spotrun_dashboard=[0-9a-f]*; Path=/; HttpOnly; SameSite=Strict' headers.txt ||
  fail "no HttpOnly SameSite=Strict cookie: $(cat headers.txt)"
[ "$(code -H "Cookie: spotrun_dashboard=$token" "$origin/api/jobs/$running")" = 200 ] ||
  fail "the cookie does not carry the token"
[ "$(code -H "Host: evil.example:$port" "$origin/?token=$token")" = 403 ] || fail "a foreign Host was served"

# The cancel: refused without the token (the cookie alone does not do), and
# from another origin; the job still runs after both.
cancel() { code -X POST "$@" "$origin/api/jobs/$running/cancel"; }
[ "$(cancel -H "Origin: $origin")" = 403 ] || fail "a cancel without the token was not refused"
[ "$(cancel -H "Origin: $origin" -H "Cookie: spotrun_dashboard=$token")" = 403 ] ||
  fail "a cancel with only the cookie was not refused"
[ "$(cancel -H "X-Spotrun-Token: $token" -H "Origin: http://evil.example")" = 403 ] ||
  fail "a cancel from another origin was not refused"
[ "$(cancel -H "X-Spotrun-Token: $token" -H "Referer: http://evil.example/")" = 403 ] ||
  fail "a cancel referred by another origin was not refused"
[ "$(cancel -H "X-Spotrun-Token: $token")" = 403 ] || fail "a cancel with neither Origin nor Referer"
[ "$(job_field "$running" state)" = RUNNING ] || fail "a refused cancel stopped the job"
sqlite3 "$SPOTRUN_HOME/state.db" "select cancel_requested from jobs where id='$running'" | grep -qx 0 ||
  fail "a refused cancel was recorded"

# The pages in Chromium.
load_page jobs "$url"
for id in "$finished" "$preempted" "$running"; do
  grep -q "<tr class=\"job-row\" data-id=\"$id\"" jobs.dom || fail "the jobs table lacks $id"
done
grep -q "data-id=\"$preempted\" data-state=\"SUCCEEDED\"" jobs.dom || fail "the preempted job's state"
grep -q "data-id=\"$running\" data-state=\"RUNNING\"" jobs.dom || fail "the running job's state"
screenshot jobs "$url" 520

load_page job-preempted "$origin/jobs/$preempted?token=$token"
grep -q 'class="bar bar-preempted"' job-preempted.dom || fail "the timeline lacks the preempted attempt"
grep -q 'class="bar bar-spot"' job-preempted.dom || fail "the timeline lacks the spot attempt"
[ "$(grep -o 'class="cost-point"' job-preempted.dom | wc -l)" -ge 3 ] || fail "the cost chart has no points"
grep -q '<line class="deadline"' job-preempted.dom || fail "the progress chart lacks the deadline"
[ "$(grep -o 'class="progress-point"' job-preempted.dom | wc -l)" -ge 5 ] || fail "no progress points"
grep -q 'id="availability"' job-preempted.dom || fail "no spot availability chart"
grep -q 'id="market-source"' job-preempted.dom || fail "the market does not say where its data is from"
grep -q 'epoch 10/10' job-preempted.dom || fail "the log of the preempted job"

load_page job-running "$origin/jobs/$running?token=$token"
log_bytes() { sed -n 's/.*<pre id="log" data-bytes="\([0-9]*\)".*/\1/p' "$1"; }
bytes1=$(log_bytes job-running.dom)
grep -q '<button id="cancel"' job-running.dom || fail "no cancel button on the running job"
sleep 3
browse job-running2 "$origin/jobs/$running?token=$token" --dump-dom
bytes2=$(log_bytes job-running2.dom)
[ -n "$bytes1" ] && [ "${bytes2:-0}" -gt "$bytes1" ] || fail "the log tail did not grow: $bytes1 -> $bytes2 ($(grep -o '<pre id="log".\{0,200\}' job-running.dom))"
[ "$(grep -o 'step [0-9]*' job-running2.dom | wc -l)" -gt "$(grep -o 'step [0-9]*' job-running.dom | wc -l)" ] ||
  fail "the log tail shows no new lines"
# Within one page load the tail grows too (it polls).
curl -s --max-time 10 -H "X-Spotrun-Token: $token" "$origin/api/jobs/$running/log" > log1.json
sleep 2
off=$(python3 -c 'import json,sys; print(json.load(open("log1.json"))["end"])')
curl -s --max-time 10 -H "X-Spotrun-Token: $token" "$origin/api/jobs/$running/log?offset=$off" > log2.json
python3 - <<'PY' || fail "the log API gives nothing new from its offset"
import json
a, b = json.load(open("log1.json")), json.load(open("log2.json"))
assert b["start"] == a["end"] and b["end"] > a["end"] and "step" in b["text"], (a["end"], b)
PY
screenshot job "$origin/jobs/$preempted?token=$token" 1950

load_page simulate "$origin/simulate?token=$token"
grep -q 'id="sim-chart"' simulate.dom || fail "the simulate page drew no chart"
[ "$(grep -o 'class="sim-point"' simulate.dom | wc -l)" -ge 12 ] || fail "the simulate chart has no runs"
grep -q 'data-policy="spotrun"' simulate.dom || fail "the simulate chart lacks the default policy"
screenshot simulate "$origin/simulate?token=$token" 880
[ "$(code -H "X-Spotrun-Token: $token" "$origin/api/simulate?job_hours=abc")" = 400 ] ||
  fail "a bad simulate form was not refused"

# One page load of the running job, driven over the DevTools protocol: its
# log tail grows without a reload, and its cancel button (token in the
# header, from the page's origin) cancels the job.
setsid timeout 120 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$TEST_TMP/chromium-cdp" \
  --remote-debugging-port=0 "$origin/jobs/$running?token=$token" > cdp-chromium.log 2>&1 &
cdp_group=$!
BACKGROUND_GROUPS="${BACKGROUND_GROUPS:-} $cdp_group"
cat > cancel.steps <<'STEPS'
wait +(document.getElementById('log') || {dataset: {}}).dataset.bytes > 0
save bytes +document.getElementById('log').dataset.bytes
sleep 3
grows bytes +document.getElementById('log').dataset.bytes
check /step \d+/.test(document.getElementById('log').textContent)
wait document.getElementById('cancel') !== null && document.getElementById('cancel').style.display !== 'none'
eval window.confirm = function () { return true; }; document.getElementById('cancel').click(); 1
wait document.getElementById('cancel-note').textContent.indexOf('cancel requested') >= 0
wait document.getElementById('job-state').textContent === 'CANCELLED'
check document.getElementById('errors').childElementCount === 0
STEPS
timeout 90 python3 "$SPOTRUN_SOURCE_DIR/tests/integration/cdp.py" "$TEST_TMP/chromium-cdp" cancel.steps ||
  fail "the running job's page (live tail, cancel button)"
[ "$(job_field "$running" state)" = CANCELLED ] || fail "the cancel button did not cancel the job"
kill -TERM -- "-$cdp_group" 2>/dev/null || true

# SIGTERM stops the server cleanly.
kill -TERM "$dashboard_pid"
wait_for '! kill -0 "$dashboard_pid" 2>/dev/null' 10
wait "$dashboard_pid" || fail "the dashboard exited $? on SIGTERM"
grep -q '^dashboard: stopped$' dashboard.out || fail "the dashboard did not say it stopped"
assert_no_instance_processes
pass "dashboard"
