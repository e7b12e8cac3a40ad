"""`engine`: CivicFlow's service layer in-process on SQLite and on PostgreSQL, the same main path,
measured side by side with `raw` in the same run: completions per second and the ratio."""
from __future__ import annotations

import time

from .common import Report, container_for, latency_summary, scratch_database
from .main_path import STEPS, run_engine_case, setup_directory
from .raw import measure as measure_raw


def _measure(kind: str, cases: int) -> tuple[float, dict]:
    with scratch_database(kind) as url:
        container = container_for(url)
        users = setup_directory(container)
        run_engine_case(container, users)  # warm up: parse cache, connections
        per_case = []
        start = time.perf_counter()
        for _ in range(cases):
            t0 = time.perf_counter()
            run_engine_case(container, users)
            per_case.append((time.perf_counter() - t0) / (len(STEPS) + 1))
        elapsed = time.perf_counter() - start
        container.engine.dispose()
    return cases * len(STEPS) / elapsed, latency_summary(per_case)


def run(quick: bool = False) -> dict:
    cases, raw_s = (30, 3) if quick else (300, 15)
    report = Report("engine", f"civicflow bench engine{' --quick' if quick else ''}")
    raw = measure_raw(raw_s)
    report.say(f"raw SpiffWorkflow: {raw:.0f} completions/s")
    results = {}
    for kind in ("sqlite", "postgresql"):
        per_s, lat = _measure(kind, cases)
        results[kind] = {"engine_per_s": round(per_s, 1), "ratio": round(per_s / raw, 3), "step": lat}
        report.say(f"engine on {kind:10}: {per_s:.0f} completions/s, ratio {per_s / raw:.3f}, "
                   f"step p50 {lat['p50_ms']} ms p95 {lat['p95_ms']} ms")
    raw_after = measure_raw(raw_s)  # the machine is noisy: bracket the engine runs
    raw_mean = (raw + raw_after) / 2
    pg = results["postgresql"]["engine_per_s"]
    report.figures.update(raw_per_s=round(raw_mean, 1), engine_per_s=pg, ratio=round(pg / raw_mean, 3),
                          sqlite=results["sqlite"], postgresql=results["postgresql"], cases=cases)
    return report.finish()
