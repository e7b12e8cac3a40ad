"""Run benchmarks by name; `all` runs every one."""
from __future__ import annotations

import argparse
import importlib

NAMES = ("raw", "engine", "statements", "http", "inbox", "pages", "timers", "state", "notify", "kpis")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="civicflow bench")
    parser.add_argument("name", choices=NAMES + ("all",))
    parser.add_argument("--quick", action="store_true", help="under a minute, same figures on less work")
    args = parser.parse_args(argv)
    for name in NAMES if args.name == "all" else (args.name,):
        importlib.import_module(f"bench.{name}").run(quick=args.quick)
    return 0
