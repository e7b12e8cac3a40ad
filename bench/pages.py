"""`pages`: the workbench pages under load. 1,000,000 open tasks over 500 org units on
PostgreSQL (loaded as `inbox` loads them; --quick: 50,000), gunicorn with 2 workers, and 50
handlers signed in through the sign-in page, each with a keep-alive connection of their own,
reading in turn their inbox page (/) and the page of a case in it (/cases/<id>) for a fixed
time: p50/p95/p99 of each page, pages per second, and errors."""
from __future__ import annotations

import http.client
import random
import re
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode

from sqlalchemy import text

from .common import Report, latency_summary
from .inbox import task_database
from .web_server import gunicorn, in_threads

USERS = 50
WORKERS = 2
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """One person's keep-alive connection and session cookie; records each page's latency."""

    def __init__(self, port: int, timings: dict) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.timings, self.cookies = timings, {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=urlencode(body) if body is not None else None, headers=headers)
        resp = self.conn.getresponse()
        page = resp.read().decode("utf-8", "replace")
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, page

    def sign_in(self, username: str) -> None:
        _, form = self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"csrf_token": CSRF.search(form).group(1),
                                                    "username": username, "password": "bench-password"})
        if status != 302:
            raise RuntimeError(f"sign-in of {username}: {status}")

    def page(self, name: str, path: str) -> str:
        t0 = time.perf_counter()
        status, page = self.request("GET", path)
        self.timings[name].append(time.perf_counter() - t0)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return page


def _people(container, user_ids: list[int]) -> list[tuple[str, list[int]]]:
    """(username, case ids of tasks in their inbox) for USERS handlers picked at random."""
    chosen = random.Random(5).sample(user_ids, USERS)
    with container.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT id, username FROM users WHERE id = ANY(:ids)"), {"ids": chosen}).all())
        cases = defaultdict(list)
        for user_id, case_id in conn.execute(text(
                "SELECT r.user_id, t.case_id FROM user_roles r JOIN tasks t ON t.org_unit_id = r.org_unit_id"
                " WHERE r.user_id = ANY(:ids) AND t.id % 40 = 0"), {"ids": chosen}):
            cases[user_id].append(case_id)
    return [(names[u], cases[u]) for u in chosen]


def _load_test(port: int, people: list[tuple[str, list[int]]], seconds: float) -> dict:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    queue, lock = list(people), threading.Lock()

    def person() -> None:
        with lock:
            username, case_ids = queue.pop()
        browser, rng = Browser(port, timings), random.Random(username)
        try:
            browser.sign_in(username)
            if "/tasks/" not in browser.page("warm-up", "/"):
                raise RuntimeError(f"{username}'s inbox page lists no task")
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                browser.page("inbox page /", "/")
                browser.page("case page /cases/<id>", f"/cases/{rng.choice(case_ids)}")
        except Exception as exc:  # recorded and reported, never hidden
            errors.append(f"{username}: {exc}")

    wall = in_threads(len(people), person)
    timings.pop("warm-up", None)
    pages = sum(len(v) for v in timings.values())
    return {"users": len(people), "wall_s": round(wall, 1), "pages": pages, "pages_per_s": round(pages / wall, 1),
            "errors": len(errors), "first_error": errors[0] if errors else None,
            "latencies": {name: latency_summary(v) for name, v in sorted(timings.items())}}


def run(quick: bool = False) -> dict:
    total, units, seconds = (50_000, 500, 20) if quick else (1_000_000, 500, 120)
    report = Report("pages", f"civicflow bench pages{' --quick' if quick else ''}")
    with task_database(total, units, report) as (url, container, user_ids):
        people = _people(container, user_ids)
        with gunicorn(url, WORKERS) as port:
            result = _load_test(port, people, seconds)
    report.say(f"{result['users']} users, gunicorn {WORKERS} workers on PostgreSQL, {seconds} s: "
               f"{result['pages']} pages, {result['pages_per_s']} pages/s, {result['errors']} errors")
    for name, lat in result["latencies"].items():
        report.say(f"  {name:24} p50 {lat['p50_ms']:7.1f} ms  p95 {lat['p95_ms']:7.1f} ms  p99 {lat['p99_ms']:7.1f} ms")
    report.figures.update(tasks=total, org_units=units, workers=WORKERS, **result,
                          **{f"{name.split()[0]}_p95_ms": lat["p95_ms"] for name, lat in result["latencies"].items()})
    return report.finish()
