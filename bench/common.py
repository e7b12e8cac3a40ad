"""What every benchmark shares: timing, percentiles, memory, a throw-away database, and the
report format (figures as text, then one JSON line last)."""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp

from engine.bootstrap import Container
from engine.database import make_engine, make_session_factory, upgrade
from engine.settings import Settings

PG_ADMIN_URL = os.environ.get("CIVICFLOW_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_summary(samples_s: list[float]) -> dict:
    return {"n": len(samples_s), "p50_ms": round(percentile(samples_s, 50) * 1000, 2),
            "p95_ms": round(percentile(samples_s, 95) * 1000, 2),
            "p99_ms": round(percentile(samples_s, 99) * 1000, 2),
            "mean_ms": round(statistics.fmean(samples_s) * 1000, 2) if samples_s else None}


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> str:
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


@dataclass
class Report:
    name: str
    command: str
    figures: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    def finish(self) -> dict:
        self.figures.update(bench=self.name, machine=machine(), peak_rss_mb=peak_rss_mb(),
                            at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        print(f"reproduce: {self.command}")
        print(json.dumps(self.figures, ensure_ascii=False, sort_keys=True))
        return self.figures


@contextmanager
def scratch_database(kind: str):
    """A fresh, migrated database: ``sqlite`` (a temp file) or ``postgresql`` (a new database on
    the local server, dropped afterwards). Yields its URL."""
    if kind == "sqlite":
        path = Path(mkdtemp(prefix="civicflow-bench-")) / "bench.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    from sqlalchemy import create_engine, text
    name = f"civicflow_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def container_for(url: str) -> Container:
    settings = Settings(database_url=url, instance_path=Path(mkdtemp(prefix="civicflow-bench-")),
                        secret_key=uuid.uuid4().hex, timezone="Asia/Shanghai", smtp_url=None, sms_url=None)
    engine = make_engine(url, pool_size=20, max_overflow=20) if url.startswith("postgresql") else make_engine(url)
    return Container(settings=settings, engine=engine, session_factory=make_session_factory(engine))


def python_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "webapp.cli", *args]


def run_quiet(cmd: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
