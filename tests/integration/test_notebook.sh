#!/usr/bin/env bash
# `spotrun notebook` on the local cloud with a real Jupyter (Debian's
# jupyter-notebook): the printed URL answers /api/status through the SSH
# forward with its token and refuses without it; a notebook created through
# the REST API before the idle stop is in the results afterwards (and the
# unchanged upload is not), and an open `spotrun ssh` holds the idle stop off; the token is nowhere under SPOTRUN_HOME nor in
# `status --json`; nothing is left running. Then, with an injected
# preemption, a notebook saved before the notice is on the relaunched
# instance (a new URL) and in the final results after Ctrl-C. Last, --detach
# and --attach.
source "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd (apt-get install openssh-server)"
command -v jupyter-notebook >/dev/null || skip "no jupyter-notebook (apt-get install jupyter-notebook)"
export SPOTRUN_NOTEBOOK_CHECK_SECONDS=0.5

make_job_dir nb
cat > nb/job.yaml <<'EOF'
name: nb
idle_minutes: 0.2
EOF

# url_in FILE N: the N-th URL `spotrun notebook` printed to FILE.
url_in() { grep -o 'open http://127\.0\.0\.1:[0-9]*/?token=[A-Za-z0-9_-]*' "$1" | sed -n "${2}p" | sed 's/^open //'; }
token_of() { echo "${1#*token=}"; }
base_of() { echo "${1%%/?token=*}"; }
# put_notebook BASE TOKEN NAME: creates a notebook through Jupyter's REST API.
put_notebook() {
  curl -sf -X PUT -H "Authorization: token $2" -H 'Content-Type: application/json' \
    -d '{"type": "notebook", "content": {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "saved before the stop"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}' \
    "$1/api/contents/$3" >/dev/null
}
token_nowhere() {
  ! grep -rqF "$1" "$SPOTRUN_HOME" || fail "the token is under SPOTRUN_HOME: $(grep -rlF "$1" "$SPOTRUN_HOME")"
  ! spotrun status --json | grep -qF "$1" || fail "the token is in status --json"
}

# 1. The URL, the token, the idle stop, the files brought back.
"$SPOTRUN_BIN" notebook nb/job.yaml --results r1 > nb1.out 2>&1 &
client=$!
BACKGROUND_PIDS="$client"
wait_for "url_in nb1.out 1 | grep -q token" 90
url=$(url_in nb1.out 1)
token=$(token_of "$url")
base=$(base_of "$url")
[ "${#token}" -ge 32 ] || fail "short token: $url"
status=$(curl -sf "$base/api/status?token=$token") || fail "/api/status with the token failed"
echo "$status" | grep -q last_activity || fail "/api/status answered: $status"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/status")
[ "$code" = 403 ] || fail "/api/status without the token answered $code"
put_notebook "$base" "$token" analysis.ipynb || fail "PUT /api/contents/analysis.ipynb"
id=$(only_job_id)
[ "$(job_field "$id" kind)" = notebook ] || fail "kind: $(job_field "$id" kind)"
spotrun status | grep -q "notebook.*127.0.0.1:${base##*:}" || fail "status does not show the notebook: $(spotrun status)"
token_nowhere "$token"
# An open `spotrun ssh` keeps it from idling (12 s) while it lasts.
"$SPOTRUN_BIN" ssh "$id" -- sleep 20 > ssh.out 2>&1 &
ssh_client=$!
BACKGROUND_PIDS="$client $ssh_client"
sleep 16
[ "$(job_field "$id" state)" = RUNNING ] || fail "stopped while spotrun ssh was open: $(cat nb1.out)"
wait "$ssh_client" || fail "spotrun ssh exited $?: $(cat ssh.out) $(cat nb1.out)"
for ((i = 0; i < 600; i++)); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
kill -0 "$client" 2>/dev/null && fail "no idle stop within 60 s"
wait "$client" || fail "notebook exited $?: $(cat nb1.out)"
cat nb1.out
[ "$(job_field "$id" state)" = SUCCEEDED ] || fail "state $(job_field "$id" state)"
job_field "$id" message | grep -q "idle for 0.2 min" || fail "message: $(job_field "$id" message)"
python3 -c "import json,sys; nb=json.load(open('r1/analysis.ipynb')); assert 'saved before the stop' in str(nb)" ||
  fail "the notebook is not in the results: $(ls -R r1)"
[ ! -e r1/train.py ] || fail "the unchanged upload was brought back"
token_nowhere "$token"
assert_no_instance_processes
assert_no_ssh_processes

# 2. A preemption: the notebook saved before the notice is on the new
# instance and in the results; Ctrl-C stops the session.
sed -i 's/idle_minutes: 0.2/idle_minutes: 5/' nb/job.yaml
"$SPOTRUN_BIN" notebook nb/job.yaml --results r2 --preempt-at 15 > nb2.out 2>&1 &
client=$!
BACKGROUND_PIDS="$client"
wait_for "url_in nb2.out 1 | grep -q token" 90
url=$(url_in nb2.out 1)
put_notebook "$(base_of "$url")" "$(token_of "$url")" saved.ipynb || fail "PUT saved.ipynb"
wait_for "url_in nb2.out 2 | grep -q token" 120
grep -q "the notebook is on a new instance" nb2.out || fail "no word of the new instance: $(cat nb2.out)"
url2=$(url_in nb2.out 2)
[ "$url2" != "$url" ] || fail "the same URL after the relaunch"
curl -sf -H "Authorization: token $(token_of "$url2")" "$(base_of "$url2")/api/contents/saved.ipynb" |
  grep -q "saved before the stop" || fail "saved.ipynb is not on the relaunched instance"
id2=$(job_id_named nb)
[ "$(job_field "$id2" preemptions)" = 1 ] || fail "preemptions: $(job_field "$id2" preemptions)"
kill -INT "$client"
for ((i = 0; i < 300; i++)); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
kill -0 "$client" 2>/dev/null && { cat nb2.out; fail "Ctrl-C did not stop the notebook within 30 s"; }
wait "$client" || true
cat nb2.out
[ "$(job_field "$id2" state)" = CANCELLED ] || fail "state $(job_field "$id2" state)"
grep -q "saved before the stop" r2/saved.ipynb || fail "saved.ipynb is not in the results: $(ls -R r2)"
token_nowhere "$(token_of "$url")"
token_nowhere "$(token_of "$url2")"
assert_no_instance_processes
assert_no_ssh_processes
# 3. In the background: --detach returns at once, --attach forwards and
# prints the URL, Ctrl-C there detaches and the session goes on.
"$SPOTRUN_BIN" notebook nb/job.yaml --results r3 --detach > nb3.out 2>&1 || fail "detach: $(cat nb3.out)"
id3=$(sed -n 's/^notebook \([^ ]*\) .*/\1/p' nb3.out)
grep -q "spotrun notebook --attach $id3" nb3.out || fail "no attach hint: $(cat nb3.out)"
"$SPOTRUN_BIN" notebook --attach "$id3" > nb3-attach.out 2>&1 &
client=$!
BACKGROUND_PIDS="$client"
wait_for "url_in nb3-attach.out 1 | grep -q token" 90
url3=$(url_in nb3-attach.out 1)
curl -sf "$(base_of "$url3")/api/status?token=$(token_of "$url3")" | grep -q last_activity ||
  fail "/api/status through the attached forward"
kill -INT "$client"
wait "$client" || fail "attach exited $? after Ctrl-C: $(cat nb3-attach.out)"
grep -q "detached; notebook $id3 goes on" nb3-attach.out || fail "$(cat nb3-attach.out)"
[ "$(job_field "$id3" state)" = RUNNING ] || fail "detaching stopped the notebook: $(job_field "$id3" state)"
spotrun cancel "$id3" > cancel3.out 2>&1 || fail "cancel: $(cat cancel3.out)"
[ "$(job_field "$id3" state)" = CANCELLED ] || fail "state $(job_field "$id3" state)"
token_nowhere "$(token_of "$url3")"
assert_no_instance_processes
assert_no_ssh_processes
pass "notebook: URL with token, idle stop, files back, preemption kept the notebook, detach and attach"
