"""Case state survives the serializer after every step, and a case saved by an earlier release
still loads (tests/data/state/)."""
from __future__ import annotations

import gzip
import json

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.loader import parse_process
from engine.bpmn.script_engine import SCRIPT_ENGINE
from engine.bpmn.serializer import dump_state, load_state
from tests.conftest import DATA

PARSED = parse_process((DATA / "streetlight_repair.bpmn").read_bytes(), [], "streetlight_repair.bpmn")
STEPS = [("Task_dispatch", {"valid": True, "department": "D-EAST-CG"}),
         ("Task_handle", {"result": "换灯"}), ("Task_verify", {"passed": False}),
         ("Task_handle", {"result": "再换"}), ("Task_verify", {"passed": True})]


def _ready(workflow):
    return [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


def _roundtrip(workflow):
    restored = load_state(dump_state(workflow), PARSED.spec, PARSED.subprocess_specs)
    assert json.loads(gzip.decompress(dump_state(restored))) == json.loads(gzip.decompress(dump_state(workflow)))
    return restored


def test_every_step_roundtrips_through_the_serializer():
    workflow = BpmnWorkflow(PARSED.spec, PARSED.subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.get_tasks(state=TaskState.READY)[0].data.update({"title": "t", "location": "l", "department": None})
    workflow.do_engine_steps()
    for element, data in STEPS:
        workflow = _roundtrip(workflow)
        (task,) = _ready(workflow)
        assert task.task_spec.bpmn_id == element
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
    workflow = _roundtrip(workflow)
    assert workflow.is_completed() and workflow.last_task.data["result"] == "再换"


def test_state_saved_by_release_0_1_still_loads():
    blob = (DATA / "state" / "streetlight_repair_at_verify.v0.1.json.gz").read_bytes()
    workflow = load_state(blob, PARSED.spec, PARSED.subprocess_specs)
    (task,) = _ready(workflow)
    assert task.task_spec.bpmn_id == "Task_verify" and task.data["result"] == "换灯"
    task.data["passed"] = True
    task.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
