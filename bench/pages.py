"""`pages`: the workbench pages under load. 1,000,000 open tasks over 500 org units on
PostgreSQL (loaded as `inbox` loads them; --quick: 50,000), gunicorn with 2 workers, and 50
handlers signed in through the sign-in page, each with a keep-alive connection of their own,
reading in turn their inbox page (/) and the page of a case in it (/cases/<id>): first as
people read (0–2 s between pages), then saturated (no pause). p50/p95/p99 of each page, pages
per second, and errors."""
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
    """(username, up to 50 case ids of tasks in their inbox) for USERS handlers picked at random."""
    rng = random.Random(5)
    chosen = rng.sample(user_ids, USERS)
    with container.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT id, username FROM users WHERE id = ANY(:ids)"), {"ids": chosen}).all())
        cases = defaultdict(list)
        for user_id, case_id in conn.execute(text(
                "SELECT r.user_id, t.case_id FROM user_roles r JOIN tasks t ON t.org_unit_id = r.org_unit_id"
                " WHERE r.user_id = ANY(:ids)"), {"ids": chosen}):
            cases[user_id].append(case_id)
    return [(names[u], rng.sample(cases[u], min(50, len(cases[u])))) for u in chosen]


def _load_test(port: int, people: list[tuple[str, list[int]]], phases: dict[str, tuple[float, float]]) -> dict:
    """Everyone signs in and opens their inbox once; then, phase by phase (name: (seconds, most
    seconds between two pages)), each reads their inbox page and one of its cases in turn,
    waiting a random 0..most seconds after each page (a caseworker reading it)."""
    timings: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in phases}
    errors: list[str] = []
    queue, lock = list(people), threading.Lock()
    signed_in = threading.Barrier(len(people))

    def person() -> None:
        with lock:
            username, case_ids = queue.pop()
        rng = random.Random(username)
        browser = Browser(port, defaultdict(list))
        try:
            browser.sign_in(username)
            if "/tasks/" not in browser.page("warm-up", "/"):
                raise RuntimeError(f"{username}'s inbox page lists no task")
        except Exception as exc:  # recorded and reported, never hidden
            errors.append(f"{username}: {exc}")
            signed_in.abort()
            return
        signed_in.wait()  # nobody's pages are timed while the others still sign in (scrypt)
        for phase, (seconds, think_s) in phases.items():
            browser.timings = timings[phase]
            deadline = time.perf_counter() + seconds
            try:
                while time.perf_counter() < deadline:
                    browser.page("inbox page /", "/")
                    time.sleep(rng.uniform(0, think_s))
                    browser.page("case page /cases/<id>", f"/cases/{rng.choice(case_ids)}")
                    time.sleep(rng.uniform(0, think_s))
            except Exception as exc:
                errors.append(f"{username}: {exc}")
                return

    in_threads(len(people), person)
    out = {"users": len(people), "errors": len(errors), "first_error": errors[0] if errors else None}
    for phase, (seconds, _) in phases.items():
        pages = sum(len(v) for v in timings[phase].values())
        out[phase] = {"seconds": seconds, "pages": pages, "pages_per_s": round(pages / seconds, 1),
                      "latencies": {name: latency_summary(v) for name, v in sorted(timings[phase].items())}}
    return out


def run(quick: bool = False) -> dict:
    total, units, seconds = (50_000, 500, 20) if quick else (1_000_000, 500, 120)
    phases = {"reading": (seconds, 2.0), "saturated": (seconds / 4, 0.0)}
    report = Report("pages", f"civicflow bench pages{' --quick' if quick else ''}")
    with task_database(total, units, report) as (url, container, user_ids):
        people = _people(container, user_ids)
        with gunicorn(url, WORKERS) as port:
            result = _load_test(port, people, phases)
    report.say(f"{result['users']} users, gunicorn {WORKERS} workers on PostgreSQL, {result['errors']} errors")
    for phase, (_, think_s) in phases.items():
        fig = result[phase]
        report.say(f"{phase} ({fig['seconds']:g} s, 0–{think_s:g} s between pages): {fig['pages']} pages, "
                   f"{fig['pages_per_s']} pages/s")
        for name, lat in fig["latencies"].items():
            report.say(f"  {name:24} p50 {lat['p50_ms']:7.1f} ms  p95 {lat['p95_ms']:7.1f} ms  p99 {lat['p99_ms']:7.1f} ms")
    reading = result["reading"]["latencies"]
    report.figures.update(tasks=total, org_units=units, workers=WORKERS, **result,
                          **{f"{name.split()[0]}_p95_ms": lat["p95_ms"] for name, lat in reading.items()})
    return report.finish()
