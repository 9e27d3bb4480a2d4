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
  serve ROOT          answer `poll OFFSET` lines on stdin, each answer framed
                      "<bytes>\\n<what poll prints>", until stdin closes
  stop ROOT           stop the job (SIGTERM, grace, SIGKILL), stage outputs
  snapshot ROOT       copy the checkpoint directory into the snapshot
                      directory, MANIFEST.json (sha256 per file) written last
  baseline ROOT       notebooks: record the workdir as uploaded (size and
                      time of each file), before the checkpoint is restored

A notebook session (config "notebook") runs spotrun_notebook.py (Jupyter) as
its `run`; its checkpoint and its outputs are the workdir's new and changed
files: those not in the baseline as recorded, outside the inputs' places.

At start the supervisor records the GPUs the instance shows (nvidia-smi,
narrowed to CUDA_VISIBLE_DEVICES) in the log and the status, gives the job
their count as SPOTRUN_NUM_GPUS, and fails a job that asked for more GPUs
than that before anything else runs.

While `run` runs, the supervisor polls IMDSv2 every 5 s. On a spot
interruption notice it sends the configured signal to the job, waits the
grace period (capped by the time left), takes a final snapshot and reports
phase "interrupted". It also ends the job when `stop_at` (the budget) is
reached, and terminates the instance itself when the controller has been
silent for `controller_timeout` seconds (dead man's switch).
"""

import fcntl
import fnmatch
import glob
import hashlib
import html.parser
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import traceback
import urllib.error
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


def report_error(cfg, message):
    """An error of the agent's own: in the job log and in agent.log."""
    for path in (cfg.get("log_file"), cfg.get("agent_log")):
        try:
            with open(path, "a") as f:
                f.write("[spotrun] %s\n" % message)
        except (OSError, TypeError):
            pass


# ---------------------------------------------------------------- downloads

# Google Drive's hosts: share links are rewritten to a direct download, and its
# "download anyway" confirmation form is followed to these hosts only, over https.
DRIVE_HOSTS = ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")
DRIVE_DOWNLOAD = "https://drive.google.com/uc?export=download&id="
# For tests only: an origin ("http://127.0.0.1:PORT") that stands in for
# Google Drive, so that the share-link rewrite and the confirmation flow can be
# tested against a loopback server. Never set it for real jobs.
TEST_DRIVE_ORIGIN = os.environ.get("SPOTRUN_TEST_DRIVE_ORIGIN", "").rstrip("/")


class DownloadError(Exception):
    """A download that cannot succeed by trying again (a page, not the file)."""


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


def _is_test_drive(parsed):
    origin = urllib.parse.urlparse(TEST_DRIVE_ORIGIN) if TEST_DRIVE_ORIGIN else None
    return bool(origin) and (parsed.scheme, parsed.netloc) == (origin.scheme, origin.netloc)


def is_drive_url(url):
    """True for https URLs on Google Drive's hosts (or the test stand-in)."""
    parsed = urllib.parse.urlparse(url)
    return _is_test_drive(parsed) or (parsed.scheme == "https" and parsed.hostname in DRIVE_HOSTS)


def drive_download_url(url):
    """Maps a Google Drive share link (/file/d/ID/view, open?id=ID, uc?id=ID)
    to its direct download URL, else None."""
    parsed = urllib.parse.urlparse(url)
    test = _is_test_drive(parsed)
    if not test and parsed.hostname not in DRIVE_HOSTS:
        return None
    m = re.search(r"/d/([A-Za-z0-9_-]+)", parsed.path)
    file_id = m.group(1) if m else urllib.parse.parse_qs(parsed.query).get("id", [None])[0]
    if not file_id:
        return None
    base = TEST_DRIVE_ORIGIN + "/uc?export=download&id=" if test else DRIVE_DOWNLOAD
    return base + urllib.parse.quote(file_id)


def expects_html(dest):
    """True when the input's own name says it is a web page."""
    return dest.lower().endswith((".html", ".htm"))


def _open(url):
    req = urllib.request.Request(url, headers={"User-Agent": "spotrun-agent"})
    return urllib.request.urlopen(req, timeout=60)


def _inside(path, base_real):
    """True when `path`, every link in it resolved, is `base_real` or below it."""
    real = os.path.realpath(path)
    return real == base_real or real.startswith(base_real.rstrip(os.sep) + os.sep)


def input_path(base, remote, where):
    """The path input `remote` is written at below directory `base` (`where`
    names it in errors), its directories made on the way; a DownloadError
    when it would lead outside `base` (a `..` component, or a link in the way
    to outside), raised before anything is written. Links that stay inside
    are followed."""
    parts = [p for p in remote.split("/") if p not in ("", ".")]
    if not parts or ".." in parts or remote.startswith("/"):
        raise DownloadError("'%s' is not a path inside %s" % (remote, where))
    os.makedirs(base, exist_ok=True)
    base_real = os.path.realpath(base)
    here = base_real
    for i, part in enumerate(parts[:-1]):
        here = os.path.join(here, part)
        if not _inside(here, base_real):
            raise DownloadError("'%s' is a link to %s, outside %s; not written through"
                                % ("/".join(parts[:i + 1]), os.path.realpath(here), where))
        if not os.path.lexists(here):
            os.mkdir(here)
    return os.path.join(here, parts[-1])


def _clear(path):
    """Removes what is at `path` (a link is removed, never followed)."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


def _create(path):
    """A new file at `path` for writing: never through a link left there."""
    _clear(path)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644),
                     "wb")


def _copy_to(resp, dest_tmp):
    with _create(dest_tmp) as out:
        shutil.copyfileobj(resp, out, 1 << 20)


def _confirm_url(page_url, body):
    """The URL behind Drive's "download anyway" form on `body`; raises
    DownloadError for a page without one (sign-in, quota, no access) and for a
    form that leads off Google's hosts over https."""
    form = _DriveConfirmForm()
    form.feed(body)
    if not form.action:
        raise DownloadError("Google Drive sent a web page without a download form, not the file "
                            "(a sign-in, quota or permission page: is the file shared with "
                            "'anyone with the link'?)")
    action = urllib.parse.urljoin(page_url, form.action)
    if not is_drive_url(action):
        raise DownloadError("Google Drive's confirmation form leads to %s, not to Google over "
                            "https; not followed" % action)
    return action + ("&" if "?" in action else "?") + urllib.parse.urlencode(form.fields)


def http_download(url, dest):
    """Downloads url to dest through a temporary name. A Drive link follows
    Drive's confirmation page; any other web page where a file was expected
    (dest not .html/.htm) is a DownloadError."""
    tmp = dest + ".spotrun-partial"
    direct = drive_download_url(url)
    current = direct or url
    for _ in range(3):
        with _open(current) as resp:
            if "text/html" not in resp.headers.get("Content-Type", ""):
                _copy_to(resp, tmp)
                os.replace(tmp, dest)
                return
            body = resp.read().decode("utf-8", "replace")
            page_url = resp.geturl()
        if not (direct or is_drive_url(page_url)):
            if not expects_html(dest):
                raise DownloadError("the server sent a web page (text/html) where a file was "
                                    "expected")
            with _create(tmp) as out:
                out.write(body.encode("utf-8"))
            os.replace(tmp, dest)
            return
        current = _confirm_url(page_url, body)
    raise DownloadError("Google Drive sent too many confirmation pages")


def s3_download(url, dest):
    tmp = dest + ".spotrun-partial"
    if shutil.which("aws") is None:
        raise DownloadError("the AWS CLI is needed on the instance")
    _clear(tmp)
    cmd = ["aws", "s3", "cp", "--quiet", url, tmp]
    if url.endswith("/"):
        cmd.insert(3, "--recursive")
    subprocess.run(cmd, check=True)
    os.replace(tmp, dest)


def _permanent(error):
    """True for failures that trying again cannot fix."""
    if isinstance(error, urllib.error.HTTPError):
        return 400 <= error.code < 500 and error.code not in (408, 429)
    return isinstance(error, (DownloadError, ValueError))


def fetch_inputs(cfg):
    for item in cfg.get("url_inputs", []):
        remote = item["remote"]
        # "~/x" is in the home directory (the cwd of the agent), else in the workdir.
        home = remote.startswith("~/")
        try:
            dest = (input_path(os.getcwd(), remote[2:], "the home directory") if home
                    else input_path(cfg["workdir"], remote, "the workdir"))
        except DownloadError as e:
            raise DownloadError("input %s: %s" % (remote, e)) from e
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
                if attempt == 3 or _permanent(e):
                    why = " ".join(str(e).split())
                    raise DownloadError("input %s: download of %s failed: %s"
                                        % (item["remote"], item["source"], why)) from e
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
    workdir_real = os.path.realpath(cfg["workdir"])
    unchanged = notebook_unchanged(cfg) if cfg.get("notebook") else None
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
                path = os.path.join(dirpath, name)
                if name.endswith(PARTIAL_SUFFIXES) or not _inside(path, workdir_real):
                    continue  # unfinished, or a link to outside the workdir
                rel = os.path.relpath(path, src)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # removed while we walked
                if unchanged is not None and unchanged(rel, st):
                    continue
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


# ---------------------------------------------------------------- notebooks

# Never part of a notebook's checkpoint or outputs: Jupyter's own copies and
# Python's caches.
NOTEBOOK_SKIPPED_DIRS = (".ipynb_checkpoints", "__pycache__")


def workdir_files(workdir):
    """(relative path, stat) of every regular file under workdir, links not followed."""
    for dirpath, dirnames, filenames in os.walk(workdir):
        dirnames[:] = sorted(d for d in dirnames if d not in NOTEBOOK_SKIPPED_DIRS)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat_is_file(st):
                yield os.path.relpath(path, workdir), st


def stat_is_file(st):
    return stat.S_ISREG(st.st_mode)


def write_baseline(cfg):
    files = {rel: [st.st_size, st.st_mtime_ns] for rel, st in workdir_files(cfg["workdir"])}
    write_json_atomic(cfg["baseline_file"], files)


def notebook_unchanged(cfg):
    """A predicate (rel, stat) -> True for a workdir file a notebook leaves
    behind: as uploaded (the baseline), in an input's place, or skipped."""
    try:
        with open(cfg["baseline_file"]) as f:
            baseline = json.load(f)
    except (OSError, ValueError):
        baseline = {}
    inputs = [os.path.normpath(p) for p in cfg["notebook"].get("inputs", [])
              if not p.startswith("~")]

    def unchanged(rel, st):
        parts = rel.split(os.sep)
        if any(p in NOTEBOOK_SKIPPED_DIRS for p in parts[:-1]):
            return True
        if any(rel == i or rel.startswith(i + os.sep) for i in inputs):
            return True
        return baseline.get(rel) == [st.st_size, st.st_mtime_ns]
    return unchanged


def stage_notebook_files(cfg, out):
    """The workdir's new and changed files, at their places under out."""
    unchanged = notebook_unchanged(cfg)
    for rel, st in workdir_files(cfg["workdir"]):
        if unchanged(rel, st):
            continue
        dest = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        _link_or_copy(os.path.join(cfg["workdir"], rel), dest)


def notebook_status(cfg):
    """What the notebook's Jupyter last showed (spotrun_notebook.py), for polls."""
    try:
        with open(cfg["notebook"]["file"]) as f:
            seen = json.load(f)
        return {"notebook_idle_s": float(seen["idle_s"]), "notebook_busy": bool(seen["busy"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def notebook_script(cfg):
    """The notebook's `run`: Jupyter, by spotrun_notebook.py beside this file."""
    here = os.path.dirname(os.path.abspath(__file__))
    return "exec %s %s %s" % (sys.executable, os.path.join(here, "spotrun_notebook.py"),
                              cfg["root"])


# ---------------------------------------------------------------- GPUs

NVIDIA_SMI = ["nvidia-smi", "--query-gpu=index,uuid,name,memory.total,driver_version",
              "--format=csv,noheader,nounits"]


def parse_nvidia_smi(text):
    gpus = []
    for line in text.splitlines():
        f = [x.strip() for x in line.split(",")]
        if len(f) != 5:
            continue
        try:
            index, memory = int(f[0]), int(float(f[3].split()[0]))
        except (ValueError, IndexError):
            continue
        gpus.append({"index": index, "uuid": f[1], "name": f[2], "memory_mib": memory,
                     "driver": f[4]})
    return gpus


def probe_gpus():
    """The GPUs the job can use: nvidia-smi's list narrowed to
    CUDA_VISIBLE_DEVICES (indices or UUIDs) when that is set. Returns
    (gpus, why there are none)."""
    try:
        out = subprocess.run(NVIDIA_SMI, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, timeout=60)
    except FileNotFoundError:
        return [], "no nvidia-smi on this instance"
    except (OSError, subprocess.TimeoutExpired) as e:
        return [], "nvidia-smi failed: %s" % e
    text = out.stdout.decode("utf-8", "replace")
    if out.returncode != 0:
        lines = text.strip().splitlines() or ["exit status %d" % out.returncode]
        return [], "nvidia-smi: %s" % lines[0].strip()
    gpus = parse_nvidia_smi(text)
    if not gpus:
        return [], "nvidia-smi lists no GPU"
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        allowed = {v.strip() for v in visible.split(",") if v.strip()}
        gpus = [g for g in gpus if str(g["index"]) in allowed or g["uuid"] in allowed]
        if not gpus:
            return [], "CUDA_VISIBLE_DEVICES=%r hides them all" % visible
    return gpus, ""


def describe_gpus(gpus, why_none):
    """"2 x NVIDIA H200 (143771 MiB), driver 580.159.04" or "none (why)"."""
    if not gpus:
        return "none (%s)" % why_none
    kinds = []
    for g in gpus:
        kind = "%s (%d MiB)" % (g["name"], g["memory_mib"])
        if kinds and kinds[-1][1] == kind:
            kinds[-1][0] += 1
        else:
            kinds.append([1, kind])
    drivers = sorted({g["driver"] for g in gpus})
    return "%s, driver %s" % (", ".join("%d x %s" % (n, k) for n, k in kinds), ", ".join(drivers))


def check_gpus(cfg):
    """Records the instance's GPUs (log and status) and sets num_gpus for the
    job's SPOTRUN_NUM_GPUS. Returns why the job cannot run when it asked for
    more GPUs than the instance shows, else ""."""
    gpus, why_none = probe_gpus()
    cfg["num_gpus"] = len(gpus)
    log(cfg, "GPUs: %s" % describe_gpus(gpus, why_none))
    update_status(cfg, gpus=gpus, gpus_missing_reason=why_none)
    want = cfg.get("accelerator_count", 0)
    if want <= len(gpus):
        return ""
    shows = "no GPU (%s)" % why_none if not gpus else "only %d GPU(s)" % len(gpus)
    return "the job asked for %s:%d but this instance shows %s" % (cfg.get("accelerator"), want,
                                                                    shows)


# ---------------------------------------------------------------- supervise

SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT, "SIGUSR1": signal.SIGUSR1,
           "SIGUSR2": signal.SIGUSR2, "SIGHUP": signal.SIGHUP}


def job_env(cfg):
    env = dict(os.environ)
    env.update(cfg.get("env", {}))
    env["SPOTRUN_CHECKPOINT_DIR"] = os.path.abspath(cfg["checkpoint_dir"])
    env["SPOTRUN_NUM_GPUS"] = str(cfg.get("num_gpus", 0))
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


# ---------------------------------------------------------------- outputs

class StagingError(Exception):
    """Outputs that cannot be staged as the job file asks."""


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _real_dir(path):
    """The real path of a directory (through links), else None."""
    return os.path.realpath(path) if os.path.isdir(path) else None


def find_matches(workdir, pattern, avoid=()):
    """The paths, relative to workdir, that match `pattern` as glob.glob
    (recursive=True) matches them, except that each directory is searched
    once: a link back to a directory already searched (`ln -s . loop`) is
    matched itself but never entered, so the search always ends. Directories
    whose real paths are in `avoid`, or outside the workdir (through a link),
    are not entered either."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    found = set()
    searched = {(os.path.realpath(a), None) for a in avoid}
    _match((workdir, os.path.realpath(workdir)), "", parts, searched, found)
    return sorted(found)


def _match(base, rel, parts, searched, found):
    """Adds to `found` the matches of `parts` below `rel`; `base` is the
    workdir and its real path."""
    if not parts:
        if rel:
            found.add(rel)
        return
    here = os.path.join(base[0], rel)
    key = (_real_dir(here), tuple(parts))
    if key[0] is None or key in searched or (key[0], None) in searched:
        return
    if not _inside(here, base[1]):
        return
    searched.add(key)
    head, rest = parts[0], parts[1:]
    if head == "**":
        _match(base, rel, rest, searched, found)  # no directory at all
        for name in _listdir(here):
            if not name.startswith("."):
                child = os.path.join(rel, name)
                if not rest:
                    found.add(child)
                _match(base, child, parts, searched, found)
        return
    names = _listdir(here) if glob.has_magic(head) else [head]
    for name in names:
        if name.startswith(".") and not head.startswith("."):
            continue
        if fnmatch.fnmatchcase(name, head) and os.path.lexists(os.path.join(here, name)):
            _match(base, os.path.join(rel, name), rest, searched, found)


def _fixed_prefix(pattern):
    """The leading directories of a glob that hold no wildcard."""
    fixed = []
    for part in pattern.split("/")[:-1]:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return os.path.join(*fixed) if fixed else ""


def _link_or_copy(src, dest):
    """Hard-links (or copies) the file `src` is, through links: never a link
    itself (Linux's link(2) would link the link)."""
    if os.path.lexists(dest):
        os.remove(dest)
    real = os.path.realpath(src)
    try:
        os.link(real, dest)
    except OSError:
        shutil.copy2(real, dest)


class Stager:
    """Places outputs in the staging directory: files hard-linked (or copied),
    directories walked through links, each directory once, so a link loop
    ends. Links are never staged as links: one that leads inside the workdir
    is staged as what it points to, one that leads outside is left out (a
    StagingError when it is a path the job file lists itself). Two sources
    landing on one path are a StagingError."""

    def __init__(self, workdir, out):
        self.workdir, self.out = workdir, out
        os.makedirs(out, exist_ok=True)
        self.workdir_real = os.path.realpath(workdir)
        self.out_real = os.path.realpath(out)  # never copied into itself
        self.placed = {}  # staged path -> the real path of its source
        self.skipped = []  # links not followed (loops), relative to the workdir
        self.outside = []  # links left out: they lead outside the workdir

    def place(self, rel, dest, listed=False):
        src = os.path.join(self.workdir, rel)
        if os.path.lexists(src) and not _inside(src, self.workdir_real):
            if listed:
                raise StagingError("output '%s' leads outside the workdir (to %s); not brought "
                                   "back" % (rel, os.path.realpath(src)))
            self.outside.append(rel)
            return
        real = _real_dir(src)
        if real is None:
            self._file(src, rel, dest)
        else:
            self._tree(src, rel, dest, {real, self.out_real})

    def _tree(self, src, rel, dest, entered):
        self._make_dir(dest, rel)
        for name in _listdir(src):
            child_src, child_rel = os.path.join(src, name), os.path.join(rel, name)
            if os.path.lexists(child_src) and not _inside(child_src, self.workdir_real):
                self.outside.append(child_rel)
                continue
            real = _real_dir(child_src)
            if real is None:
                self._file(child_src, child_rel, os.path.join(dest, name))
            elif real in entered:
                self.skipped.append(child_rel)
            else:
                entered.add(real)
                self._tree(child_src, child_rel, os.path.join(dest, name), entered)

    def _file(self, src, rel, dest):
        if not os.path.exists(src):
            self.skipped.append(rel)  # a dangling link: nothing to bring back
            return
        path = os.path.join(self.out, dest)
        real = os.path.realpath(src)
        earlier = self.placed.get(path)
        if earlier == real:
            return
        if earlier is not None or os.path.isdir(path):
            raise StagingError("'%s' and another output both land at '%s' in the results"
                               % (rel, dest))
        self._make_dir(os.path.dirname(dest), rel)
        _link_or_copy(src, path)
        self.placed[path] = real

    def _make_dir(self, dest, rel):
        try:
            os.makedirs(os.path.join(self.out, dest), exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StagingError("'%s' lands at '%s' in the results, where another output "
                               "staged a file" % (rel, dest))


def _stage_item(stager, workdir, item):
    """Stages one output; returns False when nothing matched."""
    remote, dest = item["remote"], item.get("dest") or ""
    if not glob.has_magic(remote):
        if not os.path.lexists(os.path.join(workdir, remote)):
            return False
        stager.place(remote, dest or os.path.basename(remote.rstrip("/")), listed=True)
        return True
    # A match keeps its path below the glob's fixed leading directories.
    prefix, done = _fixed_prefix(remote), []
    matches = find_matches(workdir, remote, avoid=[stager.out])
    for m in matches:
        if any(m.startswith(d + "/") for d in done):
            continue  # inside a directory staged whole
        stager.place(m, os.path.join(dest, os.path.relpath(m, prefix or ".")))
        if os.path.isdir(os.path.join(workdir, m)):
            done.append(m)
    return bool(matches)


def stage_outputs(cfg):
    """Copies outputs and the logs into the staging dir the controller pulls.
    Never raises: returns (missing outputs, error or ""); the error is in the
    job log and the agent log, and the logs are staged whatever happens."""
    out, workdir = cfg["out_dir"], cfg["workdir"]
    missing, error = [], ""
    try:
        shutil.rmtree(out, ignore_errors=True)
        if cfg.get("notebook"):
            stage_notebook_files(cfg, out)
        stager = Stager(workdir, out)
        for item in cfg.get("outputs", []):
            try:
                if not _stage_item(stager, workdir, item):
                    missing.append(item["remote"])
            except StagingError as e:  # the other outputs are still brought back
                error = error or "staging outputs failed: %s" % e
                report_error(cfg, "staging outputs failed: %s" % e)
        if stager.skipped:
            log(cfg, "outputs: links not followed (loops or dangling): %s"
                % ", ".join(stager.skipped[:20]))
        if stager.outside:
            log(cfg, "outputs: links to outside the workdir left out: %s"
                % ", ".join(list(dict.fromkeys(stager.outside))[:20]))
    except Exception as e:  # a bad tree or a full disk must end the job, not hang it
        error = error or "staging outputs failed: %r" % e
        report_error(cfg, "staging outputs failed: %r" % e)
    if missing:
        log(cfg, "outputs not found: %s" % ", ".join(missing))
    try:
        os.makedirs(os.path.join(out, "logs"), exist_ok=True)
        for name in ("log_file", "agent_log"):
            if os.path.islink(cfg.get(name, "")):
                report_error(cfg, "outputs: %s is a link, left out" % cfg[name])
            elif os.path.exists(cfg.get(name, "")):
                _link_or_copy(cfg[name], os.path.join(out, "logs", os.path.basename(cfg[name])))
    except Exception as e:
        error = error or "staging the logs failed: %r" % e
        report_error(cfg, "staging the logs failed: %r" % e)
    return missing, error


def run_job(cfg):
    """GPU check, inputs, setup, run. Returns (exit status, message)."""
    missing = check_gpus(cfg)
    if missing:
        log(cfg, missing)
        return 1, missing
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
    script = notebook_script(cfg) if cfg.get("notebook") else cfg["run"]
    code = run_phase(cfg, "run", script, imds)
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
    missing, error = stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=exit_code, message=message,
                  missing_outputs=missing, staging_error=error, finished_at=time.time())
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
    except BaseException as e:  # never leave the controller waiting on a dead agent
        traceback.print_exc()
        sys.stderr.flush()
        try:
            failed(cfg, "agent: %s" % (e if str(e) else e.__class__.__name__))
        except BaseException:
            traceback.print_exc()
    finally:
        os._exit(0)


def failed(cfg, message):
    """Ends the attempt after an error of the agent itself: the error in both
    logs, the logs staged, phase "done"."""
    report_error(cfg, message)
    if read_status(cfg).get("phase") in ("done", "interrupted"):
        return
    _, error = stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=1, message=message, staging_error=error,
                  finished_at=time.time())


def poll_answer(cfg, offset):
    """What `poll` prints: the status as one JSON line, then the log from offset."""
    touch(cfg["heartbeat_file"])
    status = read_status(cfg)
    status["supervisor_alive"] = supervisor_alive(cfg)
    progress = read_progress(cfg)
    if progress is not None:
        status["progress"] = progress
    if cfg.get("notebook") and status.get("phase") == "run":
        status.update(notebook_status(cfg))
    answer = (json.dumps(status) + "\n").encode()
    try:
        with open(cfg["log_file"], "rb") as f:
            f.seek(offset)
            answer += f.read(1 << 20)
    except OSError:
        pass
    return answer


def poll(root, offset):
    out = sys.stdout.buffer
    out.write(poll_answer(load_config(root), offset))
    out.flush()


def serve(root):
    """Answers `poll OFFSET` lines on stdin until it closes, each answer framed
    as "<byte count>\\n<poll's output>": the controller's long-lived channel
    (one process for the whole attempt, not one per poll)."""
    cfg = load_config(root)
    out = sys.stdout.buffer
    for line in sys.stdin:
        words = line.split()
        if len(words) != 2 or words[0] != "poll" or not words[1].isdigit():
            return 2
        answer = poll_answer(cfg, int(words[1]))
        out.write(b"%d\n" % len(answer) + answer)
        out.flush()
    return 0


def stop(root):
    cfg = load_config(root)
    update_status(cfg, stop_requested=True)
    deadline = time.time() + cfg.get("grace_seconds", 10) + 20
    while time.time() < deadline and supervisor_alive(cfg):
        if read_status(cfg).get("phase") in ("done", "interrupted"):
            return 0
        time.sleep(0.2)
    # The supervisor is gone or stuck: stage what there is ourselves.
    missing, error = stage_outputs(cfg)
    update_status(cfg, phase="done", exit_code=143, message="stopped", missing_outputs=missing,
                  staging_error=error)
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
    if cmd == "serve":
        return serve(root)
    if cmd == "stop":
        return stop(root)
    if cmd == "supervise":
        supervise(root)
        return 0
    if cmd == "baseline":
        write_baseline(load_config(root))
        return 0
    if cmd == "snapshot":
        print(json.dumps(read_manifest_after(load_config(root), snapshot(load_config(root)))))
        return 0
    sys.stderr.write("unknown command %s\n" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
