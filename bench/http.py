"""`http`: Chengdu's day. gunicorn (2 workers on PostgreSQL, 1 on SQLite) and a load generator on
loopback driving `event_closed_loop` cases through every step of the main path, each step as
its caseworker would: open the task, complete it. Wall time, completions/s, p50/p95/p99 per
endpoint."""
from __future__ import annotations

import http.client
import json
import threading
import time
from collections import defaultdict

from .common import Report, container_for, latency_summary, scratch_database
from .main_path import KEY, PEOPLE, START, STEPS, setup_directory
from .web_server import gunicorn, in_threads

CLIENTS = 8


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


def _day(kind: str, workers: int, cases: int) -> dict:
    with scratch_database(kind) as url:
        container = container_for(url)
        setup_directory(container)
        container.engine.dispose()
        timings: dict[str, list[float]] = defaultdict(list)
        remaining, lock, errors = [cases], threading.Lock(), []

        def worker(port: int) -> None:
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

        with gunicorn(url, workers) as port:
            wall = in_threads(CLIENTS, lambda: worker(port))
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
