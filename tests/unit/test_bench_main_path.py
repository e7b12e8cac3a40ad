"""The benchmarks' model of the main path must keep walking the shipped event-loop diagram: when
the diagram gains a variable (平战切换 added two), `bench raw` and `bench limit` broke silently."""
from __future__ import annotations

from bench.main_path import STEPS, complete_raw, parsed, run_raw, started_workflow
from engine.bpmn.serializer import dump_state, load_state


def test_spiffworkflow_alone_walks_the_main_path_to_the_end():
    assert run_raw(parsed()) == len(STEPS)


def test_the_limit_modes_reload_and_save_between_steps_reaches_the_same_end():
    process = parsed()
    state = dump_state(started_workflow(process))
    for _, element, data in STEPS:
        workflow = load_state(state, process.spec, process.subprocess_specs)
        complete_raw(workflow, element, data)
        state = dump_state(workflow)
    finished = load_state(state, process.spec, process.subprocess_specs)
    assert finished.is_completed() and finished.data["satisfaction"] == "satisfied"
