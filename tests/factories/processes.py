"""The product's own processes started against the test database: ``civicflow scheduler`` and
gunicorn serving ``webapp.wsgi:app``. Each runs in its own process group, so that a SIGKILL of
the group takes the gunicorn master and all its workers at once, as a crashed machine would."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import urllib3

from bench.local_servers import free_port

SECRET = "test-secret"  # shared by every process, so a token signed by one worker is good at all


def product_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment engine/settings.py reads: database, instance folder, secret, plus ``extra``."""
    return dict(os.environ, DATABASE_URL=database_url, CIVICFLOW_INSTANCE_PATH=str(instance),
                CIVICFLOW_SECRET_KEY=SECRET, **extra)


def _spawn(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_scheduler(database_url: str, instance: Path, log_name: str = "scheduler.log",
                    **extra: str) -> subprocess.Popen:
    """``civicflow scheduler`` on the test database; its output goes to ``instance/log_name``."""
    return _spawn([sys.executable, "-m", "webapp.cli", "scheduler"], product_env(database_url, instance, **extra),
                  instance / log_name)


SWEPT = re.compile(r'Job "_sweep .*" executed successfully')  # APScheduler's log line of a finished sweep


def wait_until_sweeping(instance: Path, log_names: list[str], within_s: float = 60) -> None:
    """Until each scheduler logging to one of ``log_names`` has swept once: on a loaded machine
    starting one can take many seconds, and a test that counts on all of them must wait."""
    deadline = time.monotonic() + within_s
    while not all(SWEPT.search((instance / name).read_text()) for name in log_names):
        if time.monotonic() > deadline:
            raise AssertionError(f"schedulers not sweeping after {within_s} s")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, as an operator stops it."""
    proc.terminate()
    proc.wait(10)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL to the process and everything it started: nothing gets to clean up."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


class Gunicorn:
    """``gunicorn -w N webapp.wsgi:app`` on a fixed loopback port, restartable after a kill. The
    app is imported once in the master (``--preload``) and forked into the workers: a restart
    then costs one import, not one per worker (the engine opens no connection at import)."""

    def __init__(self, database_url: str, instance: Path, workers: int = 2, **extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = product_env(database_url, instance, **extra)
        self.workers = workers
        self.log = instance / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    def start(self, ready_within_s: float = 60) -> None:
        # no control socket: two servers at once (parallel test workers) would share its one path
        self.proc = _spawn([sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--preload",
                            "--no-control-socket", "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "webapp.wsgi:app"],
                           self.env, self.log)
        pool = urllib3.PoolManager(retries=False, timeout=2)
        deadline = time.monotonic() + ready_within_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:  # any answer means a worker has the app loaded (401: no token)
                pool.request("GET", f"{self.url}/api/v1/tasks")
                return
            except urllib3.exceptions.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn not serving after {ready_within_s} s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        kill_group(self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                kill_group(self.proc)
