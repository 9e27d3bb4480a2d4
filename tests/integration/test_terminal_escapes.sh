#!/usr/bin/env bash
# What a job prints cannot take the user's terminal over: on a terminal (here
# `script`'s pseudo-terminal) `spotrun launch` and `spotrun logs` show its
# escape sequences that clear the screen or set the title escaped, while its
# colours pass; into a file or a pipe the log keeps the job's bytes as they are.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip "no script(1) (Debian: bsdutils) to give spotrun a terminal"
script -qec true /dev/null >/dev/null 2>&1 ||
  skip "no pseudo-terminal on this machine for script(1): $(script -qec true /dev/null 2>&1 | head -1)"

mkdir job
cat > job/job.yaml <<'EOF2'
name: escapes
run: printf 'title\033]0;pwned\007 clear\033[2J colour\033[32mgreen\033[0m end\n'
EOF2
# On a terminal: launch in the foreground.
script -qec "$SPOTRUN_BIN launch job/job.yaml --results r" /dev/null > tty-launch.txt 2>&1 ||
  fail "launch failed: $(cat tty-launch.txt)"
id=$(only_job_id)
script -qec "$SPOTRUN_BIN logs $id" /dev/null > tty-logs.txt 2>&1 || fail "logs failed"
for f in tty-launch.txt tty-logs.txt; do
  grep -qF 'title\x1b]0;pwned\x07 clear\x1b[2J colour' "$f" || fail "$f: the sequences are not shown escaped: $(od -c "$f" | head -20)"
  grep -qF $'colour\033[32mgreen\033[0m end' "$f" || fail "$f: the colours did not pass"
  ! grep -qF $'\033]0;' "$f" || fail "$f: a raw title sequence reached the terminal"
  ! grep -qF $'\033[2J' "$f" || fail "$f: a raw clear-screen reached the terminal"
done
# Into a file: the job's own bytes.
spotrun logs "$id" > file-logs.txt
grep -qF $'title\033]0;pwned\007 clear\033[2J colour' file-logs.txt || fail "the log in a file is not the job's bytes"
pass "escape sequences shown escaped on a terminal, colours kept, files untouched"
