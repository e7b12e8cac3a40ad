"""The product's web tier as the load benchmarks (`http`, `pages`) drive it: gunicorn serving
``webapp.wsgi:app`` on a loopback port, stopped when the run ends."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from tempfile import mkdtemp

from .local_servers import free_port


@contextmanager
def gunicorn(url: str, workers: int):
    """Serve the database at ``url`` with ``workers`` gunicorn workers; yields the port."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, CIVICFLOW_SECRET_KEY=uuid.uuid4().hex,
               CIVICFLOW_INSTANCE_PATH=mkdtemp(prefix="civicflow-http-"), CIVICFLOW_SECURE_COOKIES="0")
    binary = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(binary), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--no-control-socket", "--log-level", "warning", "webapp.wsgi:app"], env=env)
    try:
        _wait_serving(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(20)


def _wait_serving(port: int) -> None:
    for _ in range(150):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/v1/openapi.json")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def in_threads(count: int, work: Callable[[], None]) -> float:
    """Run ``work`` in ``count`` threads at once (the load generator's clients); wall seconds."""
    threads = [threading.Thread(target=work) for _ in range(count)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start
