"""`raw`: the ceiling. SpiffWorkflow alone, in memory, the event_closed_loop diagram on its main
path, no database: task completions per second."""
from __future__ import annotations

import time

from .common import Report
from .main_path import STEPS, parsed, run_raw


def measure(seconds: float) -> float:
    process = parsed()
    run_raw(process)  # warm up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += run_raw(process)
    return done / (time.perf_counter() - start)


def run(quick: bool = False) -> dict:
    report = Report("raw", f"civicflow bench raw{' --quick' if quick else ''}")
    per_s = measure(5 if quick else 30)
    report.say(f"SpiffWorkflow alone: {per_s:.0f} task completions/s ({per_s / len(STEPS):.0f} cases/s)")
    report.figures.update(raw_per_s=round(per_s, 1))
    return report.finish()
