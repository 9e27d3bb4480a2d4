#!/usr/bin/env python3
"""spotrun agent: what runs on the instance.

Standard library only, Python 3.8+, so it runs unchanged on a stock Ubuntu
22.04/24.04 AMI, the AWS Deep Learning AMI and the local cloud. The controller
copies it to the instance with a config.json beside it; every path the agent
uses comes from that config (the layout is defined once, in src/agent/layout.h).

Commands (ROOT is the job's directory on the instance):
  start ROOT          detach and supervise: inputs, setup, run, outputs
  poll ROOT OFFSET    print the status JSON on one line, then the log from OFFSET
  stop ROOT           stop the job (SIGTERM, grace, SIGKILL), stage outputs
"""

import glob
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

POLL_SECONDS = 5.0


def load_config(root):
    with open(os.path.join(root, "config.json")) as f:
        return json.load(f)


def write_json_atomic(path, value):
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def read_status(cfg):
    try:
        with open(cfg["status_file"]) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"phase": "starting"}


def update_status(cfg, **fields):
    status = read_status(cfg)
    status.update(fields)
    status["updated_at"] = time.time()
    write_json_atomic(cfg["status_file"], status)


def log(cfg, message):
    with open(cfg["log_file"], "a") as f:
        f.write("[spotrun] %s\n" % message)


# ---------------------------------------------------------------- downloads

class _DriveConfirmForm(html.parser.HTMLParser):
    """Finds Google Drive's "download anyway" form on its large-file page."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("id") == "download-form" or "download" in (a.get("action") or "")):
            self.action = a.get("action")
            self._in_form = True
        elif tag == "input" and self._in_form and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def drive_download_url(url):
    """Maps a Google Drive share link to its direct download URL, else None."""
    parsed = urllib.parse.urlparse(url)
    if parsed.hostname not in ("drive.google.com", "docs.google.com"):
        return None
    m = re.search(r"/d/([A-Za-z0-9_-]+)", parsed.path)
    file_id = m.group(1) if m else urllib.parse.parse_qs(parsed.query).get("id", [None])[0]
    if not file_id:
        return None
    return "https://drive.google.com/uc?export=download&id=" + file_id


def _open(url):
    req = urllib.request.Request(url, headers={"User-Agent": "spotrun-agent"})
    return urllib.request.urlopen(req, timeout=60)


def _copy_to(resp, dest_tmp):
    with open(dest_tmp, "wb") as out:
        shutil.copyfileobj(resp, out, 1 << 20)


def http_download(url, dest):
    """Downloads url to dest through a temporary name; follows Drive's confirm page."""
    tmp = dest + ".spotrun-partial"
    url = drive_download_url(url) or url
    for _ in range(3):
        with _open(url) as resp:
            ctype = resp.headers.get("Content-Type", "")
            if "text/html" not in ctype:
                _copy_to(resp, tmp)
                os.replace(tmp, dest)
                return
            body = resp.read().decode("utf-8", "replace")
        form = _DriveConfirmForm()
        form.feed(body)
        if not form.action:
            # A plain HTML file the user asked for.
            with open(tmp, "w") as out:
                out.write(body)
            os.replace(tmp, dest)
            return
        action = urllib.parse.urljoin(url, form.action)
        url = action + ("&" if "?" in action else "?") + urllib.parse.urlencode(form.fields)
    raise RuntimeError("too many confirmation pages for " + url)


def s3_download(url, dest):
    tmp = dest + ".spotrun-partial"
    if shutil.which("aws") is None:
        raise RuntimeError("the AWS CLI is needed on the instance to fetch " + url)
    cmd = ["aws", "s3", "cp", "--quiet", url, tmp]
    if url.endswith("/"):
        cmd.insert(3, "--recursive")
    subprocess.run(cmd, check=True)
    os.replace(tmp, dest)


def fetch_inputs(cfg):
    for item in cfg.get("url_inputs", []):
        dest = os.path.join(cfg["workdir"], item["remote"])
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        log(cfg, "downloading %s -> %s" % (item["source"], item["remote"]))
        for attempt in range(1, 4):
            try:
                if item["source"].startswith("s3://"):
                    s3_download(item["source"], dest)
                else:
                    http_download(item["source"], dest)
                break
            except Exception as e:  # network errors are expected: retry, then fail the job
                log(cfg, "download failed (attempt %d/3): %s" % (attempt, e))
                if attempt == 3:
                    raise
                time.sleep(2 * attempt)


# ---------------------------------------------------------------- IMDS

class Imds:
    """IMDSv2 client; the endpoint comes from AWS_EC2_METADATA_SERVICE_ENDPOINT."""

    def __init__(self):
        self.base = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254/")
        self.base = self.base.rstrip("/") + "/"
        self.token = None

    def _token(self):
        req = urllib.request.Request(self.base + "latest/api/token", method="PUT",
                                     headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        with urllib.request.urlopen(req, timeout=2) as resp:
            return resp.read().decode()

    def get(self, path):
        """Returns the body, or None on 404 or any failure."""
        for _ in range(2):
            try:
                if self.token is None:
                    self.token = self._token()
                req = urllib.request.Request(self.base + "latest/meta-data/" + path,
                                             headers={"X-aws-ec2-metadata-token": self.token})
                with urllib.request.urlopen(req, timeout=2) as resp:
                    return resp.read().decode()
            except urllib.error.HTTPError as e:
                if e.code == 401:
                    self.token = None
                    continue
                return None
            except OSError:
                return None
        return None


# ---------------------------------------------------------------- supervise

def job_env(cfg):
    env = dict(os.environ)
    env.update(cfg.get("env", {}))
    env["SPOTRUN_CHECKPOINT_DIR"] = os.path.abspath(cfg["checkpoint_dir"])
    return env


def run_phase(cfg, name, script, notices):
    """Runs one shell script in its own process group; returns its exit status."""
    log(cfg, "%s: starting" % name)
    with open(cfg["log_file"], "ab") as out:
        proc = subprocess.Popen(["/bin/bash", "-c", script], cwd=cfg["workdir"], env=job_env(cfg),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    update_status(cfg, **{name + "_pid": proc.pid})
    imds = Imds() if cfg.get("poll_imds", True) else None
    next_poll = 0.0
    while True:
        try:
            return proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        if read_status(cfg).get("stop_requested"):
            terminate_group(proc, cfg.get("grace_seconds", 10))
        if imds and time.time() >= next_poll:
            next_poll = time.time() + POLL_SECONDS
            check_notices(cfg, imds, notices)


def check_notices(cfg, imds, notices):
    action = imds.get("spot/instance-action")
    if action and "instance-action" not in notices:
        notices["instance-action"] = action
        log(cfg, "interruption notice: %s" % action.strip())
        update_status(cfg, notice=action.strip(), notice_at=time.time())
    rebalance = imds.get("events/recommendations/rebalance")
    if rebalance and "rebalance" not in notices:
        notices["rebalance"] = rebalance
        log(cfg, "rebalance recommendation: %s" % rebalance.strip())


def terminate_group(proc, grace):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + grace
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _place(src, dest):
    """Hard-links (or copies) a file or tree to dest."""
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    if os.path.isdir(src):
        shutil.copytree(src, dest, copy_function=_link_or_copy, dirs_exist_ok=True)
    else:
        _link_or_copy(src, dest)


def _link_or_copy(src, dest):
    if os.path.exists(dest):
        os.remove(dest)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def stage_outputs(cfg):
    """Copies outputs and logs into the staging dir the controller pulls."""
    out = cfg["out_dir"]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "logs"), exist_ok=True)
    missing = []
    for item in cfg.get("outputs", []):
        pattern = os.path.join(cfg["workdir"], item["remote"])
        matches = sorted(glob.glob(pattern, recursive=True))
        if not matches:
            missing.append(item["remote"])
            continue
        is_pattern = glob.has_magic(item["remote"])
        for m in matches:
            if item.get("dest") and not is_pattern:
                dest = item["dest"]
            else:
                dest = os.path.join(item.get("dest") or "", os.path.basename(m.rstrip("/")))
            _place(m, os.path.join(out, dest))
    if missing:
        log(cfg, "outputs not found: %s" % ", ".join(missing))
    _link_or_copy(cfg["log_file"], os.path.join(out, "logs", "job.log"))
    return missing


def supervise(root):
    cfg = load_config(root)
    os.makedirs(cfg["checkpoint_dir"], exist_ok=True)
    update_status(cfg, phase="inputs", agent_pid=os.getpid(), attempt=cfg.get("attempt", 1))
    notices = {}
    exit_code, message = 0, ""
    try:
        fetch_inputs(cfg)
        setup = cfg.get("setup", "")
        if setup and not os.path.exists(cfg["setup_marker"]):
            update_status(cfg, phase="setup")
            exit_code = run_phase(cfg, "setup", setup, notices)
            if exit_code == 0:
                open(cfg["setup_marker"], "w").close()
            else:
                message = "setup exited with status %d" % exit_code
        if exit_code == 0 and not read_status(cfg).get("stop_requested"):
            update_status(cfg, phase="run", run_started_at=time.time())
            exit_code = run_phase(cfg, "run", cfg["run"], notices)
            if exit_code != 0:
                message = "run exited with status %d" % exit_code
    except Exception as e:  # report every failure to the controller, never die silently
        exit_code, message = 1, "agent: %s" % e
        log(cfg, message)
    if read_status(cfg).get("stop_requested"):
        message = message or "stopped"
    log(cfg, "finished: exit status %d" % exit_code)
    update_status(cfg, phase="collecting")
    missing = stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=exit_code, message=message,
                  missing_outputs=missing, finished_at=time.time())


def daemonize(root):
    cfg = load_config(root)
    if os.fork() > 0:
        return
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    agent_log = os.open(cfg["agent_log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(devnull, 0)
    os.dup2(agent_log, 1)
    os.dup2(agent_log, 2)
    try:
        supervise(root)
    finally:
        os._exit(0)


def poll(root, offset):
    cfg = load_config(root)
    status = read_status(cfg)
    out = sys.stdout.buffer
    out.write((json.dumps(status) + "\n").encode())
    try:
        with open(cfg["log_file"], "rb") as f:
            f.seek(offset)
            out.write(f.read(1 << 20))
    except OSError:
        pass
    out.flush()


def stop(root):
    cfg = load_config(root)
    update_status(cfg, stop_requested=True)
    deadline = time.time() + cfg.get("grace_seconds", 10) + 20
    while time.time() < deadline:
        if read_status(cfg).get("phase") == "done":
            return 0
        time.sleep(0.2)
    # The supervisor is gone or stuck: stage what there is ourselves.
    stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=143, message="stopped")
    return 0


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, root = argv[1], argv[2]
    # Every path in the config is relative to the instance user's home.
    os.chdir(os.path.expanduser("~"))
    if cmd == "start":
        daemonize(root)
        return 0
    if cmd == "poll":
        poll(root, int(argv[3]) if len(argv) > 3 else 0)
        return 0
    if cmd == "stop":
        return stop(root)
    if cmd == "supervise":
        supervise(root)
        return 0
    sys.stderr.write("unknown command %s\n" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
