"""`state`: stored bytes per case after each step of the main path, and after 20 return-and-redo
loops (退单 → 改派). Counts what the case row stores: the compressed workflow state plus the
case data; the spec is stored once per definition and is not counted."""
from __future__ import annotations

import gzip
import json

from engine.models import Case

from .common import Report, container_for, scratch_database
from .main_path import RETURN_LOOP, STEPS, run_engine_case, setup_directory


def _sizes(container, case_id: int) -> tuple[int, int]:
    with container.session_factory() as s:
        case = s.get(Case, case_id)
        stored = len(case.state) + len(json.dumps(case.data, ensure_ascii=False).encode())
        return stored, len(gzip.decompress(case.state))


def run(quick: bool = False) -> dict:
    loops = 20
    report = Report("state", f"civicflow bench state{' --quick' if quick else ''}")
    with scratch_database("sqlite") as url:
        container = container_for(url)
        users = setup_directory(container)
        per_step: list[tuple[str, int, int]] = []
        run_engine_case(container, users,
                        after_step=lambda cid, el: per_step.append((el, *_sizes(container, cid))))
        for element, stored, raw in per_step:
            report.say(f"after {element:20} {stored / 1024:6.1f} KB stored ({raw / 1024:6.1f} KB uncompressed)")
        completed = per_step[-1][1]

        growth = []
        steps = RETURN_LOOP * loops + STEPS[2:]
        marks = []

        def after(cid, element):
            if element == "Task_return_review":
                marks.append(_sizes(container, cid)[0])

        run_engine_case(container, users, steps=STEPS[:2] + steps, after_step=after)
        growth = [round(b / 1024, 1) for b in marks]
        per_loop = (marks[-1] - marks[0]) / (len(marks) - 1) if len(marks) > 1 else 0
        report.say(f"20 return-and-redo loops: {growth[0]} KB after the first, {growth[-1]} KB after the 20th "
                   f"({per_loop / 1024:.2f} KB per loop)")
        container.engine.dispose()
    report.figures.update(completed_case_kb=round(completed / 1024, 2), per_step_kb=[
        {"after": el, "stored_kb": round(st / 1024, 2), "uncompressed_kb": round(raw / 1024, 2)}
        for el, st, raw in per_step], loops_kb=growth, per_loop_kb=round(per_loop / 1024, 2))
    return report.finish()
