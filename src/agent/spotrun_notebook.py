#!/usr/bin/env python3
"""spotrun notebook: Jupyter on the instance, as a notebook session's `run`.

Standard library only (as spotrun_agent.py, which starts it in the job's
workdir). Usage: spotrun_notebook.py ROOT

- Finds Jupyter: JupyterLab, else Notebook, else Jupyter Server from the
  image (PATH, then `python3 -m ...`); with none, installs JupyterLab into a
  virtual environment in ~/.spotrun-jupyter (pip, needs the network).
- Starts it on 127.0.0.1 at a free port with a random token. The token is
  given to Jupyter in its environment and kept in a file (0600) in a private
  directory under /tmp, outside the job's directory, removed at exit;
  Jupyter's runtime files go there too. The token never reaches the job log:
  Jupyter's output is copied there with the token masked.
- Once Jupyter answers, writes ROOT/notebook.json (atomically) every few
  seconds: the port, the token file's path (not the token), the seconds since
  the last activity and whether a kernel is busy. The agent's polls carry
  the last two to the controller, which decides the idle stop.
- On SIGTERM (a stop, a notice) stops Jupyter and exits; when Jupyter exits
  on its own, exits with its status.
"""

import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

CHECK_SECONDS = float(os.environ.get("SPOTRUN_NOTEBOOK_CHECK_SECONDS", "2"))
START_TIMEOUT = float(os.environ.get("SPOTRUN_NOTEBOOK_START_TIMEOUT", "180"))
VENV = os.path.expanduser("~/.spotrun-jupyter")


def log(message):
    sys.stdout.write("[spotrun] notebook: %s\n" % message)
    sys.stdout.flush()


def load_config(root):
    with open(os.path.join(os.path.expanduser("~"), root, "config.json")) as f:
        return json.load(f)


def has_module(python, module):
    return subprocess.run([python, "-c", "import " + module], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def find_jupyter():
    """(argv, kind) of the Jupyter to run, from the image; None when it has none."""
    for exe, kind in (("jupyter-lab", "lab"), ("jupyter-notebook", "notebook"),
                      ("jupyter-server", "server")):
        path = shutil.which(exe)
        if path:
            return [path], kind
    for python in (sys.executable, shutil.which("python3") or sys.executable):
        for module, kind in (("jupyterlab", "lab"), ("notebook", "notebook"),
                             ("jupyter_server", "server")):
            if has_module(python, module):
                return [python, "-m", module], kind
    return None


def install_jupyter():
    """JupyterLab in a virtual environment of its own (once per instance)."""
    lab = os.path.join(VENV, "bin", "jupyter-lab")
    if not os.path.exists(lab):
        log("no Jupyter on this image: installing JupyterLab into %s" % VENV)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "--quiet", "jupyterlab"],
                       check=True)
    return [lab], "lab"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_dir():
    """A directory only this user reads, outside the job's directory."""
    base = "/tmp" if os.access("/tmp", os.W_OK) else None
    return tempfile.mkdtemp(prefix="spotrun-notebook-", dir=base)


def copy_masked(stream, token):
    """Jupyter's output to the job log, with the token masked."""
    for line in iter(stream.readline, b""):
        text = line.decode("utf-8", "replace").replace(token, "<token>")
        sys.stdout.write(text)
        sys.stdout.flush()


def api(port, token, path):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 headers={"Authorization": "token " + token})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


def epoch(iso):
    """Jupyter's "2026-12-03T18:14:03.977882Z" as epoch seconds."""
    text = iso.rstrip("Z").split("+")[0]
    try:
        t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


class Activity:
    """The last activity Jupyter reports, less our own requests: /api/status
    does not count as activity, but /api/kernels (asked only while kernels
    exist) does, so an activity time within our kernels request is ours."""

    def __init__(self):
        self.last = time.time()
        self.ours = (0.0, 0.0)
        self.busy = False

    def check(self, port, token):
        status = api(port, token, "/api/status")
        at = epoch(status["last_activity"])
        if not (self.ours[0] - 0.5 <= at <= self.ours[1] + 0.5):
            self.last = max(self.last, at)
        self.busy = False
        if status.get("kernels", 0) > 0:
            before = time.time()
            kernels = api(port, token, "/api/kernels")
            self.ours = (before, time.time())
            for k in kernels:
                self.busy = self.busy or k.get("execution_state") == "busy"
                if k.get("last_activity"):
                    self.last = max(self.last, epoch(k["last_activity"]))
        if self.busy:
            self.last = time.time()
        return {"idle_s": max(0.0, time.time() - self.last), "busy": self.busy}


def write_json_atomic(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def jupyter_argv(argv, port):
    """Jupyter serves its working directory, the job's workdir."""
    args = ["--no-browser", "--ip=127.0.0.1", "--port=%d" % port, "--port-retries=0"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    return argv + args


def wait_ready(proc, port, token):
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            api(port, token, "/api/status")
            return True
        except (OSError, ValueError, urllib.error.URLError):
            time.sleep(0.2)
    return False


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    cfg = load_config(argv[1])
    home = os.path.expanduser("~")
    state_file = os.path.join(home, cfg["notebook"]["file"])
    workdir = os.path.abspath(os.path.join(home, cfg["workdir"]))
    found = find_jupyter() or install_jupyter()
    argv_, kind = found
    port = free_port()
    token = secrets.token_urlsafe(32)
    runtime = private_dir()
    token_file = os.path.join(runtime, "token")
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=runtime)
    proc = subprocess.Popen(jupyter_argv(argv_, port), cwd=workdir, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    copier = threading.Thread(target=copy_masked, args=(proc.stdout, token), daemon=True)
    copier.start()
    stopping = []

    def on_term(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        if not wait_ready(proc, port, token):
            log("Jupyter (%s) did not start" % " ".join(argv_))
            return proc.poll() or 1
        log("Jupyter %s is up on the instance's port %d" % (kind, port))
        activity = Activity()
        while not stopping and proc.poll() is None:
            try:
                seen = activity.check(port, token)
            except (OSError, ValueError, KeyError, urllib.error.URLError) as e:
                seen = {"idle_s": max(0.0, time.time() - activity.last), "busy": False}
                log("cannot read Jupyter's activity: %s" % e)
            write_json_atomic(state_file, dict(seen, port=port, token_file=token_file,
                                               kind=kind, pid=proc.pid))
            time.sleep(CHECK_SECONDS)
        if proc.poll() is not None:
            log("Jupyter exited with status %d" % proc.returncode)
            return proc.returncode
        return 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        copier.join(timeout=2)
        shutil.rmtree(runtime, ignore_errors=True)
        try:
            os.remove(state_file)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main(sys.argv))
