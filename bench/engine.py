"""`engine`: CivicFlow's service layer in-process on SQLite and on PostgreSQL, the same main path,
measured side by side in the same run with `raw` (SpiffWorkflow alone) and with the `limit` of a
durable engine (raw plus a state reload, save and commit per completion, bench/limit.py):
completions per second and the ratios to both."""
from __future__ import annotations

import time

from .common import Report, container_for, latency_summary, scratch_database
from .main_path import STEPS, run_engine_case, setup_directory
from .limit import measure as measure_limit
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
        limit = measure_limit(kind, cases)
        per_s, lat = _measure(kind, cases)
        results[kind] = {"engine_per_s": round(per_s, 1), "ratio": round(per_s / raw, 3), "step": lat,
                         "limit_per_s": round(limit, 1), "ratio_to_limit": round(per_s / limit, 3)}
        report.say(f"limit on {kind:11}: {limit:.0f} completions/s (state reload, save and one commit each)")
        report.say(f"engine on {kind:10}: {per_s:.0f} completions/s, ratio {per_s / raw:.3f}, "
                   f"ratio to limit {per_s / limit:.3f}, step p50 {lat['p50_ms']} ms p95 {lat['p95_ms']} ms")
    raw_after = measure_raw(raw_s)  # the machine is noisy: bracket the engine runs
    raw_mean = (raw + raw_after) / 2
    pg = results["postgresql"]["engine_per_s"]
    report.figures.update(raw_per_s=round(raw_mean, 1), engine_per_s=pg, ratio=round(pg / raw_mean, 3),
                          limit_per_s=results["postgresql"]["limit_per_s"],
                          ratio_to_limit=results["postgresql"]["ratio_to_limit"],
                          sqlite=results["sqlite"], postgresql=results["postgresql"], cases=cases)
    return report.finish()
