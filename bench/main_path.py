"""The event closed loop's main path (一键直达 → 签收 → 处置 → 核查 → 评价), the people who walk
it, and a driver for each layer the benchmarks compare: SpiffWorkflow alone and the engine."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import services
from engine.bpmn.loader import parse_process
from engine.bpmn.script_engine import SCRIPT_ENGINE
from engine.bpmn.specs import human_config
from engine.forms_runtime import declared_defaults
from webapp.demo import ORG_TREE

PROCESS_DIR = Path(__file__).resolve().parent.parent / "processes" / "event_closed_loop"
KEY = "event_closed_loop"

START = dict(title="和平路暴露垃圾", description="垃圾桶旁堆了三天", address="和平路12号", lat=39.915,
             lng=116.404, district="D-EAST", reporter_name="张三", reporter_phone="13800138000",
             channel="app")  # + photos: uploaded for each case (run_engine_case)
RAW_START = {"command_mode": "normal", "command_centre": "CITY"}  # what the engine stamps on a new case (平战切换)
STEPS = [  # (who, element, data)
    ("operator", "Task_preprocess", {"decision": "accept"}),
    ("operator", "Task_classify", {"category": "urban.appearance.exposed_rubbish", "grade": "C", "urgency": "normal"}),
    ("handler", "Task_signfor", {"signfor": "accept"}),
    ("handler", "Task_handle", {"handle_action": "done", "result": "已清运"}),  # + result_photos
    ("inspector", "Task_verify", {"verified": True, "verify_note": "现场已恢复"}),
    ("reporter", "Task_evaluate", {"satisfaction": "satisfied"}),
]
RETURN_LOOP = [  # a department returns the case and the dispatcher sends it back (退单 → 改派)
    ("handler", "Task_signfor", {"signfor": "return", "return_reason": "unclear_ownership", "return_note": "权属待核"}),
    ("dispatcher", "Task_return_review", {"return_decision": "redispatch", "department": "D-EAST-CG",
                                          "review_note": "核实后仍由城管处置"}),
]
PEOPLE = {  # who: (username, role, org unit)
    "reporter": ("zhang", "citizen", None),
    "operator": ("li", "operator", "CITY-12345"),
    "dispatcher": ("wang", "dispatcher", "CITY-12345"),
    "handler": ("zhao", "handler", "D-EAST-CG"),
    "inspector": ("qian", "inspector", "D-EAST"),
}


PHOTO_FIELDS = {"Task_handle": "result_photos"}  # steps that attach a photo, and the form field


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 120, 120)).save(out, "JPEG")
    return out.getvalue()


PHOTO = _photo()


def upload_photo(container, user_id: int) -> list[str]:
    """One photo uploaded as the person does before submitting a form: the ids for the field."""
    with container.uow() as uow:
        return [services.upload_attachment(uow, user_id, "photo.jpg", PHOTO)["id"]]


def process_files() -> list[tuple[str, bytes]]:
    bpmn = PROCESS_DIR / f"{KEY}.bpmn"
    return [(bpmn.name, bpmn.read_bytes())] + [(d.name, d.read_bytes()) for d in sorted(PROCESS_DIR.glob("*.dmn"))]


def parsed():
    files = process_files()
    return parse_process(files[0][1], [body for _, body in files[1:]], files[0][0])


def started_workflow(process) -> BpmnWorkflow:
    """A new case in SpiffWorkflow alone, its report filled in and run to the first human task."""
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=SCRIPT_ENGINE)
    start = next(ts for ts in process.spec.task_specs.values() if hasattr(ts, "civicflow_form"))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(
        declared_defaults(start.civicflow_form) | START | RAW_START, **{start.civicflow_initiator or "initiator": "zhang"})
    workflow.do_engine_steps()
    return workflow


def complete_raw(workflow: BpmnWorkflow, element: str, data: dict) -> None:
    """Complete the ready human task ``element`` with the form's defaults and ``data``."""
    task = next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == element)
    for name, value in declared_defaults(human_config(task.task_spec).form).items():
        task.data.setdefault(name, value)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


def run_raw(process) -> int:
    """One case through the main path in SpiffWorkflow alone (our parser and restricted
    evaluator, no database). Returns the number of human tasks completed."""
    workflow = started_workflow(process)
    for _, element, data in STEPS:
        complete_raw(workflow, element, data)
    assert workflow.is_completed()
    return len(STEPS)


def setup_directory(container) -> dict[str, int]:
    """The demo org tree, the main path's people, and the deployed process; returns user ids."""
    for code, name, kind, parent in ORG_TREE:
        with container.uow() as uow:
            services.create_org_unit(uow, code, name, kind, parent, None)
    ids = {}
    for who, (username, role, unit) in PEOPLE.items():
        with container.uow() as uow:
            ids[who] = services.create_user(uow, username, "bench-password", [role], unit)["id"]
    with container.uow() as uow:
        services.deploy(uow, process_files(), None)
    return ids


def next_task(case: dict, element: str) -> dict:
    return next(t for t in case["tasks"] + case.get("next_tasks", []) if t["element_id"] == element)


def run_engine_case(container, users: dict[str, int], steps=STEPS, after_step=None) -> int:
    """One case through ``steps`` with the service layer, each step one transaction, as its
    person. ``after_step(case_id, element)`` is called after each. Returns the case id."""
    start = START | {"photos": upload_photo(container, users["reporter"])}
    with container.uow() as uow:
        case = services.start_case(uow, KEY, start, users["reporter"])
    open_tasks = case["tasks"]
    for who, element, data in steps:
        task = next(t for t in open_tasks if t["element_id"] == element)
        if element in PHOTO_FIELDS:
            data = data | {PHOTO_FIELDS[element]: upload_photo(container, users[who])}
        with container.uow() as uow:
            done = services.complete_task(uow, task["id"], data, users[who])
        open_tasks = done["next_tasks"] or _open(container, case["id"], users[who])
        if after_step is not None:
            after_step(case["id"], element)
    return case["id"]


def _open(container, case_id: int, user_id: int) -> list[dict]:
    with container.uow() as uow:
        return services.get_case(uow, case_id, user_id)["tasks"]
