"""`http`: Chengdu's day. gunicorn (2 workers on PostgreSQL, 1 on SQLite) and a load generator on
loopback driving `event_closed_loop` cases through every step of the main path, each step as
its caseworker would: open the task, complete it. Wall time, completions/s, p50/p95/p99 per
endpoint."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from tempfile import mkdtemp

from .common import Report, container_for, latency_summary, scratch_database
from .main_path import KEY, PEOPLE, START, STEPS, setup_directory

CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection; records the latency of every call by endpoint."""

    def __init__(self, port: int, timings: dict) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.timings, self.tokens = timings, {}

    def call(self, method: str, path: str, endpoint: str, body=None, token=None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        t0 = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        self.timings[endpoint].append(time.perf_counter() - t0)
        if resp.status >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        return json.loads(payload)

    def token(self, who: str) -> str:
        if who not in self.tokens:
            self.tokens[who] = self.call("POST", "/api/v1/auth/token", "POST /auth/token",
                                         {"username": PEOPLE[who][0], "password": "bench-password"})["token"]
        return self.tokens[who]

    def run_case(self) -> None:
        case = self.call("POST", "/api/v1/cases", "POST /cases", {"process_key": KEY, "data": START},
                         self.token("reporter"))
        open_tasks = case["tasks"]
        for who, element, data in STEPS:
            task = next(t for t in open_tasks if t["element_id"] == element)
            token = self.token(who)
            self.call("GET", f"/api/v1/tasks/{task['id']}", "GET /tasks/{id}", token=token)
            done = self.call("POST", f"/api/v1/tasks/{task['id']}/complete", "POST /tasks/{id}/complete",
                             {"data": data}, token)
            open_tasks = done["next_tasks"]


def _serve(url: str, workers: int, port: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, CIVICFLOW_SECRET_KEY=uuid.uuid4().hex,
               CIVICFLOW_INSTANCE_PATH=mkdtemp(prefix="civicflow-http-"))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--no-control-socket", "--log-level", "warning", "webapp.wsgi:app"], env=env)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/v1/openapi.json")
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def _day(kind: str, workers: int, cases: int) -> dict:
    with scratch_database(kind) as url:
        container = container_for(url)
        setup_directory(container)
        container.engine.dispose()
        port = _free_port()
        server = _serve(url, workers, port)
        timings: dict[str, list[float]] = defaultdict(list)
        remaining, lock, errors = [cases], threading.Lock(), []

        def worker() -> None:
            client = Client(port, timings)
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                try:
                    client.run_case()
                except Exception as exc:  # recorded and reported, never hidden
                    errors.append(str(exc))

        try:
            start = time.perf_counter()
            threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(20)
    completions = (cases - len(errors)) * len(STEPS)
    return {"cases": cases, "workers": workers, "wall_s": round(wall, 1), "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "completions_per_s": round(completions / wall, 1),
            "endpoints": {name: latency_summary(v) for name, v in sorted(timings.items())}}


def run(quick: bool = False) -> dict:
    cases = 150 if quick else 15_000
    report = Report("http", f"civicflow bench http{' --quick' if quick else ''}")
    results = {}
    for kind, workers in (("postgresql", 2), ("sqlite", 1)):
        day = _day(kind, workers, cases if kind == "postgresql" else max(cases // 10, 50))
        results[kind] = day
        report.say(f"{kind}: {day['cases']} cases, gunicorn {workers} worker(s), {CLIENTS} clients: "
                   f"{day['wall_s']} s, {day['completions_per_s']} completions/s, {day['errors']} errors")
        for name, lat in day["endpoints"].items():
            report.say(f"  {name:28} p50 {lat['p50_ms']:7.1f} ms  p95 {lat['p95_ms']:7.1f} ms  p99 {lat['p99_ms']:7.1f} ms")
    pg = results["postgresql"]
    report.figures.update(postgresql=pg, sqlite=results["sqlite"], wall_s=pg["wall_s"],
                          completions_per_s=pg["completions_per_s"],
                          projected_chengdu_day_s=round(15_000 / pg["cases"] * pg["wall_s"], 1))
    return report.finish()
