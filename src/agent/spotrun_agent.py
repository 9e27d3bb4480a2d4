#!/usr/bin/env python3
"""spotrun agent: what runs on the instance.

Standard library only, Python 3.8+, so it runs unchanged on a stock Ubuntu
22.04/24.04 AMI, the AWS Deep Learning AMI and the local cloud. The controller
copies it to the instance with a config.json beside it; every path the agent
uses comes from that config (the layout is defined once, in src/agent/layout.h).

Commands (ROOT is the job's directory on the instance):
  start ROOT          detach and supervise: inputs, setup, run, outputs
                      (does nothing when a supervisor is already running)
  poll ROOT OFFSET    print the status JSON on one line (with the job's
                      progress from $SPOTRUN_PROGRESS_FILE), then the log
                      from OFFSET; counts as a heartbeat from the controller
  stop ROOT           stop the job (SIGTERM, grace, SIGKILL), stage outputs
  snapshot ROOT       copy the checkpoint directory into the snapshot
                      directory, MANIFEST.json (sha256 per file) written last

While `run` runs, the supervisor polls IMDSv2 every 5 s. On a spot
interruption notice it sends the configured signal to the job, waits the
grace period (capped by the time left), takes a final snapshot and reports
phase "interrupted". It also ends the job when `stop_at` (the budget) is
reached, and terminates the instance itself when the controller has been
silent for `controller_timeout` seconds (dead man's switch).
"""

import fcntl
import glob
import hashlib
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

# EC2 documents polling every 5 s; the local cloud asks for its scaled time.
POLL_SECONDS = float(os.environ.get("SPOTRUN_IMDS_POLL_SECONDS", "5"))


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
        remote = item["remote"]
        # "~/x" is in the home directory (the cwd of the agent), else in the workdir.
        dest = remote[2:] if remote.startswith("~/") else os.path.join(cfg["workdir"], remote)
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


# ---------------------------------------------------------------- snapshots

PARTIAL_SUFFIXES = (".tmp", ".partial", ".spotrun-partial")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(snap):
    try:
        with open(os.path.join(snap, "MANIFEST.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"generation": 0, "files": []}


def snapshot(cfg):
    """Copies changed checkpoint files into the snapshot dir; returns the new
    generation. The manifest is written last, so a reader that finds it finds
    every file it lists complete."""
    src, snap = cfg["checkpoint_dir"], cfg["snapshot_dir"]
    os.makedirs(snap, exist_ok=True)
    with open(os.path.join(cfg["root"], "snapshot.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        prev = read_manifest(snap)
        # Generations continue from the checkpoint this attempt was restored from.
        prev["generation"] = max(prev["generation"], cfg.get("snapshot_base", 0))
        known = {f["path"]: f for f in prev["files"]}
        files = []
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(PARTIAL_SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, src)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # removed while we walked
                dest = os.path.join(snap, "files", rel)
                old = known.get(rel)
                if old and old["size"] == st.st_size and old["mtime_ns"] == st.st_mtime_ns \
                        and os.path.exists(dest):
                    files.append(old)
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copyfile(path, dest + ".tmp")
                os.replace(dest + ".tmp", dest)
                files.append({"path": rel, "size": os.path.getsize(dest),
                              "mtime_ns": st.st_mtime_ns, "sha256": sha256_file(dest)})
        keep = {f["path"] for f in files}
        for dirpath, _, filenames in os.walk(os.path.join(snap, "files")):
            for name in filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), os.path.join(snap, "files"))
                if rel not in keep:
                    os.remove(os.path.join(dirpath, name))
        generation = prev["generation"] + 1
        write_json_atomic(os.path.join(snap, "MANIFEST.json"),
                          {"generation": generation, "created_at": time.time(), "files": files})
        return generation


# ---------------------------------------------------------------- supervise

SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT, "SIGUSR1": signal.SIGUSR1,
           "SIGUSR2": signal.SIGUSR2, "SIGHUP": signal.SIGHUP}


def job_env(cfg):
    env = dict(os.environ)
    env.update(cfg.get("env", {}))
    env["SPOTRUN_CHECKPOINT_DIR"] = os.path.abspath(cfg["checkpoint_dir"])
    if cfg.get("progress_file"):
        env["SPOTRUN_PROGRESS_FILE"] = os.path.abspath(cfg["progress_file"])
    return env


def read_progress(cfg):
    """The fraction of the job done, as the job last wrote it to
    $SPOTRUN_PROGRESS_FILE: "0.42", "42%" or "420/1000" (the last line
    counts). None when the job reports nothing readable."""
    try:
        with open(cfg["progress_file"]) as f:
            lines = [line.strip() for line in f.read().splitlines() if line.strip()]
    except (KeyError, OSError, UnicodeDecodeError):
        return None
    if not lines:
        return None
    text = lines[-1]
    try:
        if text.endswith("%"):
            value = float(text[:-1]) / 100
        elif "/" in text:
            done, total = text.split("/", 1)
            value = float(done) / float(total)
        else:
            value = float(text)
    except (ValueError, ZeroDivisionError):
        return None
    if value != value:  # NaN
        return None
    return min(1.0, max(0.0, value))


def controller_silent_for(cfg):
    try:
        return time.time() - os.path.getmtime(cfg["heartbeat_file"])
    except OSError:
        return 0.0


def self_terminate(cfg, why):
    log(cfg, "terminating this instance: %s" % why)
    update_status(cfg, self_terminated=why)
    subprocess.run(cfg["shutdown_command"], shell=True)


class Interrupted(Exception):
    """The instance is being taken back; the final snapshot is taken."""


class Stopped(Exception):
    """The job was stopped (cancel, budget, silent controller)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def wait_or_kill(proc, deadline):
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    signal_group(proc, signal.SIGKILL)
    proc.wait()


def handle_notice(cfg, proc, action):
    """Signals the job, waits the grace period (capped by the time left), takes
    the final snapshot. The action's time is ISO 8601 UTC."""
    try:
        action_at = time.mktime(time.strptime(json.loads(action)["time"], "%Y-%m-%dT%H:%M:%SZ")) \
            - time.timezone
    except (ValueError, KeyError, TypeError):
        action_at = time.time() + 120
    update_status(cfg, notice=action.strip(), notice_at=time.time())
    grace = min(cfg.get("grace_seconds", 60), max(0.0, (action_at - time.time()) * 0.5))
    log(cfg, "interruption notice for %s; sending %s, grace %.1f s" %
        (time.strftime("%H:%M:%S", time.gmtime(action_at)), cfg.get("signal", "SIGTERM"), grace))
    signal_group(proc, SIGNALS.get(cfg.get("signal"), signal.SIGTERM))
    wait_or_kill(proc, time.time() + grace)
    generation = snapshot(cfg)
    log(cfg, "final checkpoint snapshot %d taken" % generation)
    update_status(cfg, phase="interrupted", final_snapshot=generation)
    raise Interrupted()


def check_limits(cfg):
    """Returns why the job must stop now, or None."""
    if read_status(cfg).get("stop_requested"):
        return "stopped"
    stop_at = cfg.get("stop_at", 0)
    if stop_at and time.time() >= stop_at:
        return cfg.get("stop_at_reason", "budget reached")
    if controller_silent_for(cfg) > cfg.get("controller_timeout", 1800):
        return "controller silent for %d s" % cfg.get("controller_timeout", 1800)
    return None


def run_phase(cfg, name, script, imds):
    """Runs one shell script in its own process group; returns its exit status."""
    log(cfg, "%s: starting" % name)
    with open(cfg["log_file"], "ab") as out:
        proc = subprocess.Popen(["/bin/bash", "-c", script], cwd=cfg["workdir"], env=job_env(cfg),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    update_status(cfg, **{name + "_pid": proc.pid})
    next_poll = 0.0
    while True:
        try:
            return proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        reason = check_limits(cfg)
        if reason:
            signal_group(proc, signal.SIGTERM)
            wait_or_kill(proc, time.time() + min(cfg.get("grace_seconds", 60), 10))
            raise Stopped(reason)
        if imds and time.time() >= next_poll:
            next_poll = time.time() + cfg.get("imds_poll_seconds", POLL_SECONDS)
            action = imds.get("spot/instance-action")
            if action:
                handle_notice(cfg, proc, action)
            rebalance = imds.get("events/recommendations/rebalance")
            if rebalance and not read_status(cfg).get("rebalance"):
                log(cfg, "rebalance recommendation: %s" % rebalance.strip())
                update_status(cfg, rebalance=rebalance.strip())


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


def run_job(cfg):
    """Inputs, setup, run. Returns (exit status, message)."""
    fetch_inputs(cfg)
    imds = Imds() if cfg.get("poll_imds", True) else None
    setup = cfg.get("setup", "")
    if setup and not os.path.exists(cfg["setup_marker"]):
        update_status(cfg, phase="setup")
        code = run_phase(cfg, "setup", setup, imds)
        if code != 0:
            return code, "setup exited with status %d" % code
        open(cfg["setup_marker"], "w").close()
    update_status(cfg, phase="run", run_started_at=time.time())
    code = run_phase(cfg, "run", cfg["run"], imds)
    return code, "" if code == 0 else "run exited with status %d" % code


def idle_until_terminated(cfg, silence_limit):
    """After the job: wait for the controller to collect and terminate us; if it
    stays silent, terminate the instance ourselves."""
    while controller_silent_for(cfg) <= silence_limit:
        time.sleep(1)
    self_terminate(cfg, "the controller has been silent for %d s" % silence_limit)


def supervise(root):
    cfg = load_config(root)
    os.makedirs(cfg["checkpoint_dir"], exist_ok=True)
    touch(cfg["heartbeat_file"])
    update_status(cfg, phase="inputs", agent_pid=os.getpid(), attempt=cfg.get("attempt", 1))
    timeout = cfg.get("controller_timeout", 1800)
    try:
        exit_code, message = run_job(cfg)
    except Interrupted:
        idle_until_terminated(cfg, timeout)
        return
    except Stopped as e:
        exit_code, message = 143, e.reason
        if e.reason != "stopped":
            log(cfg, "stopping the job: %s" % e.reason)
            log(cfg, "final checkpoint snapshot %d taken" % snapshot(cfg))
    except Exception as e:  # report every failure to the controller, never die silently
        exit_code, message = 1, "agent: %s" % e
        log(cfg, message)
    log(cfg, "finished: exit status %d" % exit_code)
    update_status(cfg, phase="collecting")
    missing = stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=exit_code, message=message,
                  missing_outputs=missing, finished_at=time.time())
    # Once the job is over, a silent controller gets a minute, not the full timeout.
    idle_until_terminated(cfg, min(timeout, 60) if message != "stopped" else timeout)


def touch(path):
    with open(path, "a"):
        os.utime(path, None)


def supervisor_alive(cfg):
    pid = read_status(cfg).get("agent_pid")
    if not pid:
        return False
    try:
        os.kill(pid, 0)
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"spotrun_agent" in f.read()
    except OSError:
        return False


def take_secrets(cfg):
    """The job's secrets, from the file the controller wrote (mode 0600):
    read into this process's environment, which the job inherits, and the file
    deleted at once, so that they are on no disk while the job runs."""
    path = cfg.get("secrets_file", "")
    if not path or not os.path.exists(path):
        return
    with open(path) as f:
        lines = f.read().splitlines()
    os.unlink(path)
    for line in lines:
        key, _, value = line.partition("=")
        os.environ[key] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def link_sky_workdir(cfg):
    """~/sky_workdir -> the workdir, the path SkyPilot's scripts use."""
    os.makedirs(cfg["workdir"], exist_ok=True)
    link = cfg.get("sky_workdir", "")
    if not link:
        return
    if os.path.islink(link):
        os.unlink(link)
    if not os.path.exists(link):
        os.symlink(os.path.abspath(cfg["workdir"]), link)


def daemonize(root):
    cfg = load_config(root)
    take_secrets(cfg)
    if supervisor_alive(cfg):
        return
    link_sky_workdir(cfg)
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
    touch(cfg["heartbeat_file"])
    status = read_status(cfg)
    status["supervisor_alive"] = supervisor_alive(cfg)
    progress = read_progress(cfg)
    if progress is not None:
        status["progress"] = progress
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
    while time.time() < deadline and supervisor_alive(cfg):
        if read_status(cfg).get("phase") in ("done", "interrupted"):
            return 0
        time.sleep(0.2)
    # The supervisor is gone or stuck: stage what there is ourselves.
    stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=143, message="stopped")
    return 0


def read_manifest_after(cfg, generation):
    manifest = read_manifest(cfg["snapshot_dir"])
    assert manifest["generation"] >= generation
    return manifest


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
    if cmd == "snapshot":
        print(json.dumps(read_manifest_after(load_config(root), snapshot(load_config(root)))))
        return 0
    sys.stderr.write("unknown command %s\n" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
