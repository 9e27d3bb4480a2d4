#!/usr/bin/env bash
# The agent's URL downloads, function by function, against a loopback server
# standing in for Google Drive: share links are rewritten, the confirmation
# form is followed only over https to Google's hosts (or the test-only
# stand-in), and a web page where a file was expected is an error naming the
# input and the URL, never data.
source "$(dirname "$0")/lib.sh"

python3 "$SPOTRUN_SOURCE_DIR"/tests/integration/http_fixture.py port $$ &
BACKGROUND_PIDS=$!
wait_for "[ -s port ]" 20

python3 - "$SPOTRUN_SOURCE_DIR" "$(cat port)" <<'PY' || fail "agent downloads"
import os, sys, urllib.parse
sys.path[:0] = [sys.argv[1] + "/src/agent", sys.argv[1] + "/tests/integration"]
import spotrun_agent as agent
from http_fixture import DATA, OFF_DRIVE

origin = "http://127.0.0.1:%s" % sys.argv[2]
ok = True


def check(what, got, want):
    global ok
    if got != want:
        ok = False
        print("FAIL %s: got %r, want %r" % (what, got, want))


def error_of(fn, *args):
    try:
        fn(*args)
    except agent.DownloadError as e:
        return str(e)
    return None


D = "https://drive.google.com/uc?export=download&id="
check("share link", agent.drive_download_url("https://drive.google.com/file/d/A-b_1/view?usp=sharing"), D + "A-b_1")
check("open?id", agent.drive_download_url("https://drive.google.com/open?id=XYZ"), D + "XYZ")
check("docs host", agent.drive_download_url("https://docs.google.com/uc?id=XYZ&export=download"), D + "XYZ")
check("other host", agent.drive_download_url("https://example.com/file/d/XYZ/view"), None)
check("no override", agent.drive_download_url(origin + "/file/d/XYZ/view"), None)
for url, want in [("https://drive.google.com/uc", True), ("https://drive.usercontent.google.com/download", True),
                  ("http://drive.google.com/uc", False), ("file:///etc/passwd", False),
                  ("https://drive.google.com.evil.example/x", False), ("https://evil.example/download", False),
                  (origin + "/download", False)]:
    check("is_drive_url " + url, agent.is_drive_url(url), want)

os.makedirs("d")
why = error_of(agent.http_download, origin + "/page", "d/data.csv")
check("page for a file", why, "the server sent a web page (text/html) where a file was expected")
agent.http_download(origin + "/page", "d/index.html")
check("page asked for", open("d/index.html").read(), "<html><body>Not the data.</body></html>")

agent.TEST_DRIVE_ORIGIN = origin
check("override share link", agent.drive_download_url(origin + "/file/d/ABC123/view"),
      origin + "/uc?export=download&id=ABC123")
check("override origin only", agent.drive_download_url("http://127.0.0.1:1/file/d/ABC123/view"), None)

agent.http_download(origin + "/file/d/ABC123/view", "d/iris.csv")
check("confirmed download", open("d/iris.csv", "rb").read(), DATA)
why = error_of(agent.http_download, origin + "/file/d/SIGNIN/view", "d/signin.csv")
check("sign-in page", (why or "").startswith("Google Drive sent a web page without a download form"), True)
why = error_of(agent.http_download, origin + "/open?id=OFFSITE", "d/offsite.csv")
check("form off Google", why, "Google Drive's confirmation form leads to file:///etc/passwd, "
      "not to Google over https; not followed")
# Forms that lead to another host, scheme or port: refused, nothing fetched there.
for file_id, action in sorted(OFF_DRIVE.items()):
    why = error_of(agent.http_download, origin + "/open?id=" + file_id, "d/%s.csv" % file_id)
    target = urllib.parse.urljoin(origin + "/uc", action)
    check("form to " + action, why, "Google Drive's confirmation form leads to %s, not to "
          "Google over https; not followed" % target)
check("nothing else written", sorted(os.listdir("d")), ["index.html", "iris.csv"])

cfg = {"workdir": os.path.abspath("w"), "log_file": os.path.abspath("job.log"),
       "url_inputs": [{"remote": "data/x.csv", "source": origin + "/missing.csv"}]}
why = error_of(agent.fetch_inputs, cfg)
check("404 names input and URL", why,
      "input data/x.csv: download of %s/missing.csv failed: HTTP Error 404: Not Found" % origin)
check("404 tried once", open("job.log").read().count("download failed"), 1)
sys.exit(0 if ok else 1)
PY
pass "agent downloads"
