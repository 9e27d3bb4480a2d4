#!/usr/bin/env bash
# No host file gets out through spotrun, and no download writes outside the
# workdir:
# - outputs never carry links out of the workdir: a link that leads inside is
#   brought back as what it points to, one that leads outside (a file such as
#   /etc/passwd, a directory such as /etc, a loop up to the parent) is left
#   out with a line in the job log; an output the job file lists that is such
#   a link fails the job in one line, the other outputs still come back; the
#   results hold no link at all (the agent stages none, and the controller's
#   rsync skips any);
# - checkpoint snapshots leave out links to outside the workdir;
# - a download whose destination goes through a link to outside the workdir
#   (or the home directory, for ~/ inputs) fails the job in one line before
#   anything is written; a link left at its temporary name is not followed;
#   `..` in a destination is refused by the job file's parser and the agent.
source "$(dirname "$0")/lib.sh"

python3 "$SPOTRUN_SOURCE_DIR"/tests/integration/http_fixture.py port $$ &
BACKGROUND_PIDS=$!
wait_for "[ -s port ]" 20
port=$(cat port)
origin="http://127.0.0.1:$port"

mkdir outside
echo "host secret" > outside/secret.txt

# ---------------------------------------------------------------- the agent, function by function
timeout 120 python3 - "$SPOTRUN_SOURCE_DIR" "$origin" "$TEST_TMP/outside" <<'PY' || fail "the agent"
import os, sys
sys.path[:0] = [sys.argv[1] + "/src/agent", sys.argv[1] + "/tests/integration"]
import spotrun_agent as agent
from http_fixture import DATA

origin, outside = sys.argv[2], sys.argv[3]
ok = True


def check(what, got, want):
    global ok
    if got != want:
        ok = False
        print("FAIL %s: got %.300r, want %.300r" % (what, got, want))


def read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError as e:
        return e.__class__.__name__


def error_of(fn, *args):
    try:
        fn(*args)
    except agent.DownloadError as e:
        return str(e)
    return None


def links_in(top):
    return sorted(os.path.relpath(os.path.join(d, n), top) for d, ds, fs in os.walk(top)
                  for n in ds + fs if os.path.islink(os.path.join(d, n)))


def tree(top):
    return sorted(os.path.relpath(os.path.join(d, n), top) for d, ds, fs in os.walk(top)
                  for n in ds + fs)


# Outputs.
root = os.path.abspath("job1")
w = os.path.join(root, "workdir")
os.makedirs(w + "/out/real")
open(w + "/inside.txt", "w").write("inside")
open(w + "/out/real/r.txt", "w").write("r")
os.symlink("../inside.txt", w + "/out/ok.txt")           # inside: brought back as a file
os.symlink("real", w + "/out/alias")                     # inside: brought back as a directory
os.symlink(outside + "/secret.txt", w + "/out/secret.txt")  # outside: left out
os.symlink("/etc", w + "/out/etc")                       # a directory outside: left out
os.symlink("/etc/passwd", w + "/passwd.txt")
os.symlink("..", w + "/up")                              # the parent of the workdir
os.symlink("/", w + "/slash")
cfg = {"workdir": w, "out_dir": root + "/out", "log_file": root + "/job.log",
       "agent_log": root + "/agent.log",
       "outputs": [{"remote": "out"}, {"remote": "*.txt", "dest": "txt"}, {"remote": "**", "dest": "all"},
                   {"remote": "slash/etc/*", "dest": "etc"}]}
missing, error = agent.stage_outputs(cfg)
check("outputs: error", error, "")
check("outputs: missing", missing, ["slash/etc/*"])
got = root + "/out"
check("outputs: no links staged", links_in(got), [])
check("outputs: inside link", read(got + "/out/ok.txt"), "inside")
check("outputs: inside dir link", read(got + "/out/alias/r.txt"), "r")
for bad in ["out/secret.txt", "out/etc", "txt/passwd.txt", "all/up", "all/slash", "all/passwd.txt",
            "all/out/secret.txt", "all/out/etc"]:
    check("outputs: %s left out" % bad, os.path.lexists(os.path.join(got, bad)), False)
check("outputs: the rest of ** staged", os.path.exists(got + "/all/inside.txt"), True)
log = read(cfg["log_file"])
check("outputs: the log names them", "links to outside the workdir left out: out/etc, out/secret.txt" in log,
      True)
for path in ["passwd.txt", "up", "slash"]:
    check("outputs: the log names " + path, path in (log.split("left out: ") + [""])[1].split("\n")[0],
          True)

# A listed output that is itself a link to outside: one line, the others staged.
cfg["outputs"] = [{"remote": "passwd.txt"}, {"remote": "out/real"}, {"remote": "up/job.log"}]
missing, error = agent.stage_outputs(cfg)
check("listed link: error", error, "staging outputs failed: output 'passwd.txt' leads outside the "
      "workdir (to /etc/passwd); not brought back")
check("listed link: others staged", read(got + "/real/r.txt"), "r")
check("listed link: nothing of it staged", sorted(os.listdir(got)), ["logs", "real"])
check("listed link: in agent.log", "output 'passwd.txt' leads outside" in read(cfg["agent_log"]),
      True)

# The logs staged are never links to elsewhere.
os.remove(cfg["agent_log"])
os.symlink(os.path.abspath("elsewhere.log"), cfg["agent_log"])
cfg["outputs"] = []
agent.stage_outputs(cfg)
check("logs: a link is not staged", os.listdir(got + "/logs"), ["job.log"])

# Checkpoint snapshots.
ck = w + "/checkpoints"
os.makedirs(ck)
open(ck + "/step1.pt", "w").write("weights")
os.symlink(outside + "/secret.txt", ck + "/secret.pt")
os.symlink("step1.pt", ck + "/latest.pt")
cfg.update(checkpoint_dir=ck, snapshot_dir=root + "/ckpt-snapshot", root=root)
agent.snapshot(cfg)
check("snapshot: files", tree(root + "/ckpt-snapshot/files"), ["latest.pt", "step1.pt"])

# Downloads.
w2 = os.path.abspath("job2/workdir")
os.makedirs(w2 + "/real")
os.symlink(outside, w2 + "/data")
os.symlink("real", w2 + "/alias")
os.symlink(outside + "/secret.txt", w2 + "/real/x.csv.spotrun-partial")


def fetch(remote):
    return error_of(agent.fetch_inputs, {"workdir": w2, "log_file": "job2.log",
                                         "url_inputs": [{"remote": remote, "source": origin + "/iris.csv"}]})


check("download through a link out", fetch("data/x.csv"),
      "input data/x.csv: 'data' is a link to %s, outside the workdir; not written through" % outside)
check("download deeper through a link out", fetch("data/sub/x.csv"),
      "input data/sub/x.csv: 'data' is a link to %s, outside the workdir; not written through" % outside)
check("download with ..", fetch("real/../../x.csv"),
      "input real/../../x.csv: 'real/../../x.csv' is not a path inside the workdir")
os.chdir("job2")
check("download with ~/..", fetch("~/../x.csv"), "input ~/../x.csv: '../x.csv' is not a path inside the "
      "home directory")
os.chdir("..")
check("nothing written outside", sorted(os.listdir(outside)), ["secret.txt"])
check("download through a link inside", fetch("alias/x.csv"), None)
check("lands where the link points", read(w2 + "/real/x.csv", "rb"), DATA)
check("a link at the temporary name is not followed", read(outside + "/secret.txt"), "host secret\n")
check("no partial file left", os.path.lexists(w2 + "/real/x.csv.spotrun-partial"), False)
sys.exit(0 if ok else 1)
PY
echo "agent checks ok"

# ---------------------------------------------------------------- end to end, on the local cloud

# `..` in an input's destination is a job file error.
mkdir spec
cat > spec/job.yaml <<EOF2
run: "true"
inputs:
  data/../../x.csv: $origin/iris.csv
EOF2
rc=0
err=$(timeout 60 "$SPOTRUN_BIN" launch spec/job.yaml 2>&1 >/dev/null) || rc=$?
[ "$rc" -eq 2 ] || fail "'..' in an input: exit $rc, want 2 ($err)"
[[ "$err" == *"job.yaml:3:3: inputs.data/../../x.csv: "*".."* ]] || fail "'..' in an input: $err"

# A download through a link in the uploaded workdir fails the job, writes nothing outside.
mkdir down
ln -s "$TEST_TMP/outside" down/data
cat > down/job.yaml <<EOF2
name: down
run: "echo ran"
inputs:
  data/x.csv: $origin/iris.csv
EOF2
rc=0
timeout 120 "$SPOTRUN_BIN" launch down/job.yaml --results down-results > down.out 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { cat down.out; fail "the download through a link: exit $rc, want 1"; }
line=$(grep '^FAILED: ' down.out) || { cat down.out; fail "no FAILED line"; }
[ "$line" = "FAILED: agent: input data/x.csv: 'data' is a link to $TEST_TMP/outside, outside the workdir; not written through" ] ||
  fail "the download through a link: $line"
[ "$(ls outside)" = secret.txt ] || fail "the download wrote outside the workdir: $(ls outside)"
! grep -q "^ran" down-results/logs/job.log || fail "the job ran"

# Links in outputs: inside ones come back as files, outside ones are left out.
mkdir out
cat > out/job.yaml <<EOF2
name: links
run: |
  mkdir -p out/real && echo inside > inside.txt && echo r > out/real/r.txt
  ln -s ../inside.txt out/ok.txt && ln -s real out/alias
  ln -s "$TEST_TMP/outside/secret.txt" out/secret.txt && ln -s /etc out/etc
  ln -s /etc/passwd passwd.txt && ln -s .. up
outputs:
  - out
  - "*.txt": txt/
EOF2
timeout 120 "$SPOTRUN_BIN" launch out/job.yaml --results links > links.out 2>&1 ||
  { cat links.out; fail "the job with links in its outputs did not succeed"; }
[ -z "$(find links -type l)" ] || fail "links in the results: $(find links -type l)"
[ "$(cat links/out/ok.txt)" = inside ] && [ "$(cat links/out/alias/r.txt)" = r ] &&
  [ "$(cat links/txt/inside.txt)" = inside ] || fail "links inside the workdir not brought back"
[ ! -e links/out/secret.txt ] && [ ! -e links/out/etc ] && [ ! -e links/txt/passwd.txt ] ||
  fail "links to outside the workdir brought back: $(find links)"
! grep -rqs "host secret" links && ! grep -rqs "^root:" links || fail "host files in the results"
grep -q "links to outside the workdir left out: out/etc, out/secret.txt, passwd.txt" links/logs/job.log ||
  fail "the job log does not name the links left out: $(grep outputs links/logs/job.log)"

# A listed output that is a link to a host file fails the job in one line.
mkdir listed
cat > listed/job.yaml <<EOF2
name: listed
run: |
  echo m > model.pt && ln -s /etc/passwd passwd
outputs: [passwd, model.pt]
EOF2
rc=0
timeout 120 "$SPOTRUN_BIN" launch listed/job.yaml --results listed-results > listed.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || { cat listed.out; fail "the listed link: exit $rc"; }
id=$(spotrun status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][-1]["id"])')
[ "$(job_field "$id" state)" = FAILED ] || fail "the listed link: state $(job_field "$id" state)"
[ "$(job_field "$id" message)" = "staging outputs failed: output 'passwd' leads outside the workdir (to /etc/passwd); not brought back" ] ||
  fail "the listed link: message $(job_field "$id" message)"
[ "$(cat listed-results/model.pt)" = m ] || fail "the other output was not brought back"
[ ! -e listed-results/passwd ] || fail "the listed link was brought back"
assert_no_instance_processes
pass "paths escape"
