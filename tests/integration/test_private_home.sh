#!/usr/bin/env bash
# SPOTRUN_HOME is private: 0700, every file in it readable by its user alone
# (the store with the job file's envs, the agent's config, logs, keys), and a
# home an older spotrun left open is closed by the next command. Another user
# cannot read a secret given in `envs`.
source "$(dirname "$0")/lib.sh"

mkdir job
cat > job/job.yaml <<'EOF2'
name: private
envs: {HF_TOKEN: hf_secret_0123456789}
run: echo "token has ${#HF_TOKEN} characters" > out.txt
outputs: [out.txt]
EOF2
spotrun launch job/job.yaml --results r > launch.txt 2>&1 || fail "launch: $(cat launch.txt)"
grep -rqs hf_secret_0123456789 "$SPOTRUN_HOME" || fail "the test expects the secret in the store"

# Paths under $1 that group or others may use (symlinks aside).
open_paths() { find "$1" ! -type l -perm /077 -printf '%m %p\n'; }

[ "$(stat -c %a "$SPOTRUN_HOME")" = 700 ] || fail "SPOTRUN_HOME is $(stat -c %a "$SPOTRUN_HOME")"
left=$(open_paths "$SPOTRUN_HOME")
[ -z "$left" ] || fail "open to others under SPOTRUN_HOME: $left"

# A home left open (an older spotrun, a careless chmod) is closed again.
chmod 755 "$SPOTRUN_HOME" "$SPOTRUN_HOME/jobs"
chmod 644 "$SPOTRUN_HOME/state.db"
spotrun status > /dev/null
left=$(open_paths "$SPOTRUN_HOME")
[ -z "$left" ] || fail "still open after the next command: $left"

# Another user (nobody) cannot read the secret.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && nobody /bin/true 2>/dev/null; then
  chmod 755 "$TEST_TMP"  # Only SPOTRUN_HOME's own modes stand in the way.
  if setpriv --reuid=65534 --regid=65534 --clear-groups grep -rqs hf_secret_0123456789 "$SPOTRUN_HOME"; then
    fail "user nobody read the secret"
  fi
  echo "user nobody cannot read the secret"
else
  echo "not root, or user nobody cannot run programs here: the check as another user is left out"
fi
pass "SPOTRUN_HOME private"
