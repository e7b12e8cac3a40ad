"""Issue 4: the event closed loop (城市事件闭环处置, processes/event_closed_loop) run path by path
through the REST API alone, by users who each hold only their own role (tests/factories/event_loop.py).

Each path checks the case's history (every step, who took it, and the reasons given) and that a
user of another role or org unit cannot act on a step that is not theirs: 404 when the step is
invisible to them, 403 when they oversee it (a supervisor) but are not its candidate.
"""
from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.factories.event_loop import PROCESS_DIR, EventLoop, make_event_loop
from tests.factories.files import jpeg_with_gps, upload_id

EAST_RUBBISH = dict(title="和平路暴露垃圾", description="垃圾桶旁堆了三天", address="和平路12号",
                    lat=39.915, lng=116.404, district="D-EAST", reporter_name="张三",
                    reporter_phone="13800138000")
HOTLINE_PARKING = dict(title="解放路车辆违停堵路", address="解放路3号", district="D-EAST", channel="hotline",
                       reporter_name="王女士", reporter_phone="13900139000")
CLASS_C = dict(grade="C", urgency="normal")


@pytest.fixture
def loop(client, container) -> EventLoop:
    return make_event_loop(client, container)


def photos(loop: EventLoop, username: str, n: int = 1) -> list[str]:
    """Ids of ``n`` real photos ``username`` uploads first, as the app does before a form."""
    return [upload_id(loop.user(username), f"photo-{i}.jpg", jpeg_with_gps(39.915, 116.404 + i / 1000))
            for i in range(n)]


def run_from_signfor(loop: EventLoop, case_id: int, handler: str, inspector: str = "qian") -> None:
    """签收 → 处置 → 核查通过: the common tail of a dispatched case."""
    loop.advance(handler, case_id, "Task_signfor", signfor="accept")
    loop.advance(handler, case_id, "Task_handle", handle_action="done", result="已清理完毕",
                 result_photos=photos(loop, handler))
    loop.advance(inspector, case_id, "Task_verify", verified=True, verify_note="现场已恢复")


def started(reporter: str) -> list[tuple]:
    return [("case.started", reporter, None)]


def did(*steps: tuple[str, str]) -> list[tuple]:
    """History rows of completed steps, each given as (actor, step name)."""
    return [("task.completed", actor, step) for actor, step in steps]


def closed(actor: str) -> list[tuple]:
    return [("case.completed", actor, None)]


INTAKE = (("li", "预处理"), ("li", "分类定级"))  # the 12345 operator accepts and classifies


# --- the diagram and its data ----------------------------------------------------------------

def test_the_bundled_diagram_deploys_with_its_decision_table_and_shows_its_steps(loop):
    detail = loop.admin.get("/processes/event_closed_loop").get_json()
    assert detail["name"] == "城市事件闭环处置" and detail["version"] == 1
    roles = {t["id"]: t["role"] for t in detail["tasks"]}
    assert roles["Task_preprocess"] == "operator@CITY-12345"
    assert roles["Task_escalate"] == "dispatcher@${dispatch_unit}"  # CITY, or the command centre in emergency mode
    assert roles["Task_signfor"] == roles["Task_handle"] == "handler@${department}"
    assert roles["Task_hold_approve"] == roles["Task_hold_release"] == "supervisor@${oversight_unit}"
    assert roles["Task_evaluate"] == "${initiator}"
    start = [f["name"] for f in detail["start_form"]["fields"]]
    assert start[:7] == ["title", "description", "category", "address", "lat", "lng", "district"]
    assert {"reporter_name", "reporter_phone", "channel", "photos"} <= set(start)
    assert loop.user("zhao").post("/cases", {"process_key": "event_closed_loop", "data": {
        **EAST_RUBBISH, "channel": "app"}}).status_code == 403  # a handler does not report cases


def test_forms_and_dispatch_table_use_only_catalogue_codes_and_known_departments():
    catalogue = json.loads((PROCESS_DIR / "categories.json").read_text())
    sectors = {c1["code"] for c1 in catalogue["categories"]}
    leaves = {c3["code"] for c1 in catalogue["categories"] for c2 in c1["children"] for c3 in c2["children"]}
    assert all(code.count(".") == 2 and code.split(".")[0] in sectors for code in leaves)
    cam = {"camunda": "http://camunda.org/schema/1.0/bpmn"}
    bpmn = etree.parse(str(PROCESS_DIR / "event_closed_loop.bpmn"))

    def choices(field: str) -> list[set[str]]:
        return [{v.get("id") for v in f.xpath("camunda:value", namespaces=cam)}
                for f in bpmn.xpath(f"//camunda:formField[@id='{field}']", namespaces=cam)]

    assert choices("category") == [leaves, leaves]  # the start form and 分类定级
    departments = choices("department")
    assert len(departments) == 4 and all(d == departments[0] for d in departments)
    dmn = etree.parse(str(PROCESS_DIR / "dispatch_department.dmn"))
    ns = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
    rules = [[t.strip('"') for t in rule.xpath("dmn:inputEntry/dmn:text/text() | dmn:outputEntry/dmn:text/text()",
                                                namespaces=ns)] for rule in dmn.xpath("//dmn:rule", namespaces=ns)]
    assert rules and all(len(r) == 4 for r in rules)
    for sector, category, district, department in rules:
        assert sector in sectors | {"-"} and category in leaves | {"-"}
        assert district in {"D-EAST", "D-WEST", "-"} and department in departments[0] | {"null"}


# --- paths -----------------------------------------------------------------------------------

def test_auto_dispatch_goes_straight_to_the_department(loop):
    case = loop.report("zhang", **EAST_RUBBISH, channel="app", photos=photos(loop, "zhang", 2))
    cid = case["id"]
    assert [t["element_id"] for t in case["tasks"]] == ["Task_preprocess"]
    assert loop.attempt("zhang", cid, "Task_preprocess", decision="void") == 404

    loop.advance("li", cid, "Task_preprocess", decision="accept")
    done = loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    signfor = done["next_tasks"]
    assert [(t["element_id"], t["org_unit"], t["priority"]) for t in signfor] == [
        ("Task_signfor", "D-EAST-CG", 50)]  # 一键直达: no dispatcher involved
    assert done["case"]["data"]["department"] == "D-EAST-CG"

    # 办理过程公开: the reporter sees the responsible department, the current step and its deadline.
    public = loop.case(cid, "zhang")
    assert [(t["name"], t["org_unit_name"]) for t in public["tasks"]] == [("签收", "东城区城管局")]
    assert (public["current_step"], public["department"]) == ("签收", "东城区城管局")
    assert public["tasks"][0]["due_at"] is not None

    assert loop.attempt("xi", cid, "Task_signfor", signfor="accept") == 404   # another district's handler
    assert loop.attempt("wang", cid, "Task_signfor", signfor="accept") == 404
    assert loop.attempt("wu", cid, "Task_signfor", signfor="accept") == 403   # oversees it, not its handler
    loop.advance("zhao", cid, "Task_signfor", signfor="accept")
    handle = loop.open_task(cid, "Task_handle")
    assert handle["due_at"] is not None and handle["org_unit"] == "D-EAST-CG"
    result_photos = photos(loop, "zhao")
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已清运", result_photos=result_photos)
    assert loop.attempt("grid01", cid, "Task_verify", verified=True) == 404
    loop.advance("qian", cid, "Task_verify", verified=True, verify_note="现场已恢复")
    assert loop.attempt("li", cid, "Task_evaluate", satisfaction="satisfied") == 404  # the reporter's own
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied", evaluation_comment="很快")

    final = loop.case(cid, "zhang")  # the reporter sees what they gave, their evaluation too, not the staff's
    assert final["status"] == "completed" and final["tasks"] == []
    assert final["data"]["satisfaction"] == "satisfied" and "result" not in final["data"]
    assert loop.case(cid)["data"]["archived"] is True
    assert loop.trail(cid) == started("zhang") + did(
        *INTAKE, ("zhao", "签收"), ("zhao", "处置"), ("qian", "核查"), ("zhang", "评价")) + closed("zhang")
    assert loop.said(cid, "处置") == [{"handle_action": "done", "result": "已清运", "result_photos": result_photos}]
    assert loop.user("qian").get(f"/attachments/{result_photos[0]}").status_code == 200  # the inspector sees it
    assert loop.user("xi").get(f"/cases/{cid}").status_code == 404


def test_unmatched_or_complex_cases_go_to_manual_triage(loop):
    # A 12345 call about parking: no dispatch rule covers traffic, so the 12345 dispatcher decides.
    cid = loop.report("li", **HOTLINE_PARKING)["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    done = loop.advance("li", cid, "Task_classify", category="traffic.parking.illegal_car", **CLASS_C)
    assert [(t["element_id"], t["org_unit"]) for t in done["next_tasks"]] == [("Task_triage", "CITY-12345")]
    assert loop.attempt("chen", cid, "Task_triage", dispatch_action="dispatch") == 404  # city level: not escalated
    assert loop.attempt("zhao", cid, "Task_triage", dispatch_action="dispatch") == 404
    loop.advance("wang", cid, "Task_triage", dispatch_action="dispatch", department="D-EAST-CG",
                 dispatch_note="占道停车，城管负责劝离")
    run_from_signfor(loop, cid, "zhao")
    assert loop.attempt("zhang", cid, "Task_callback", satisfaction="satisfied") == 404
    loop.advance("li", cid, "Task_callback", satisfaction="basic", callback_note="电话回访，基本满意")

    case = loop.case(cid)
    assert case["status"] == "completed"
    assert loop.trail(cid) == started("li") + did(
        *INTAKE, ("wang", "人工分拨"), ("zhao", "签收"), ("zhao", "处置"), ("qian", "核查"), ("li", "回访")
    ) + closed("li")
    assert loop.said(cid, "人工分拨") == [{"dispatch_action": "dispatch", "department": "D-EAST-CG",
                                        "dispatch_note": "占道停车，城管负责劝离"}]

    # A case the rules would match still goes to a dispatcher when the operator flags it complex,
    # and so does a category whose rule names no department (违法建设).
    flagged = loop.report("zhang", **EAST_RUBBISH, channel="web")["id"]
    loop.advance("li", flagged, "Task_preprocess", decision="accept")
    assert [t["element_id"] for t in loop.advance(
        "li", flagged, "Task_classify", category="urban.appearance.exposed_rubbish", needs_triage=True,
        classify_note="涉及物业与城管", **CLASS_C)["next_tasks"]] == ["Task_triage"]
    building = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    loop.advance("li", building, "Task_preprocess", decision="accept")
    assert [t["element_id"] for t in loop.advance(
        "li", building, "Task_classify", category="urban.construction.illegal_building",
        **CLASS_C)["next_tasks"]] == ["Task_triage"]


def test_grade_a_case_is_escalated_to_the_city_command_centre(loop):
    cid = loop.report("zhang", title="立交桥下严重积水", address="东三环立交", district="D-EAST",
                      channel="web", reporter_phone="13800138000")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    done = loop.advance("li", cid, "Task_classify", category="water.drainage.waterlogging", grade="A",
                        urgency="normal", classify_note="多部门协同，提级办理")
    assert [(t["element_id"], t["org_unit"], t["priority"]) for t in done["next_tasks"]] == [
        ("Task_escalate", "CITY", 70)]
    assert done["case"]["data"]["escalated"] is True
    assert loop.attempt("wang", cid, "Task_escalate", dispatch_action="dispatch") == 404  # 12345 level
    assert loop.attempt("wu", cid, "Task_escalate", dispatch_action="dispatch") == 404    # district supervisor
    assert loop.attempt("zheng", cid, "Task_escalate", dispatch_action="dispatch") == 403  # city supervisor
    loop.advance("chen", cid, "Task_escalate", dispatch_action="dispatch", department="CITY-CG",
                 dispatch_note="市城管局牵头，区水务配合")
    assert loop.open_steps(cid) == [("Task_signfor", "CITY-CG")]
    assert loop.attempt("zhao", cid, "Task_signfor", signfor="accept") == 404
    run_from_signfor(loop, cid, "shi")
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied")

    assert loop.trail(cid) == started("zhang") + did(
        *INTAKE, ("chen", "提级分拨"), ("shi", "签收"), ("shi", "处置"), ("qian", "核查"), ("zhang", "评价")
    ) + closed("zhang")
    assert loop.said(cid, "分类定级")[0]["grade"] == "A"
    assert loop.said(cid, "提级分拨")[0]["dispatch_note"] == "市城管局牵头，区水务配合"


def test_a_returned_case_is_re_dispatched(loop):
    cid = loop.report("zhang", title="井盖缺失", address="和平路口", district="D-EAST", channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="municipal.road.manhole_cover", **CLASS_C)
    assert loop.open_steps(cid) == [("Task_signfor", "D-EAST-CG")]
    back = loop.advance("zhao", cid, "Task_signfor", signfor="return", return_reason="unclear_ownership",
                        return_note="雨水井盖属水务局管养")
    assert [(t["element_id"], t["org_unit"]) for t in back["next_tasks"]] == [("Task_return_review", "CITY-12345")]
    assert back["case"]["data"]["returned_by"] == "D-EAST-CG" and back["case"]["data"]["return_count"] == 1
    assert loop.attempt("zhao", cid, "Task_return_review", return_decision="confirm") == 404
    loop.advance("wang", cid, "Task_return_review", return_decision="redispatch", department="D-EAST-SW",
                 review_note="同意退单，改派水务局")
    assert loop.open_steps(cid) == [("Task_signfor", "D-EAST-SW")]
    assert loop.attempt("zhao", cid, "Task_signfor", signfor="accept") == 404
    run_from_signfor(loop, cid, "sun")
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied")

    assert loop.trail(cid) == started("zhang") + did(
        *INTAKE, ("zhao", "签收"), ("wang", "退单审核"), ("sun", "签收"), ("sun", "处置"), ("qian", "核查"),
        ("zhang", "评价")) + closed("zhang")
    assert loop.said(cid, "签收") == [
        {"signfor": "return", "return_reason": "unclear_ownership", "return_note": "雨水井盖属水务局管养"},
        {"signfor": "accept"}]
    assert loop.said(cid, "退单审核") == [{"return_decision": "redispatch", "department": "D-EAST-SW",
                                        "review_note": "同意退单，改派水务局"}]


def test_a_forced_dispatch_sends_a_returned_case_straight_to_handling(loop):
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.piled_materials", **CLASS_C)
    loop.advance("zhao", cid, "Task_signfor", signfor="return", return_reason="overlapping_duties",
                 return_note="建筑垃圾应由住建部门处理")
    forced = loop.advance("wang", cid, "Task_return_review", return_decision="confirm",
                          review_note="乱堆物堆料属城管职责，维持原派")
    assert [(t["element_id"], t["org_unit"]) for t in forced["next_tasks"]] == [("Task_handle", "D-EAST-CG")]
    assert loop.attempt("sun", cid, "Task_handle", handle_action="done") == 404
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已清理")
    loop.advance("qian", cid, "Task_verify", verified=True)
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="basic")

    assert loop.trail(cid) == started("zhang") + did(
        *INTAKE, ("zhao", "签收"), ("wang", "退单审核"), ("zhao", "处置"), ("qian", "核查"), ("zhang", "评价")
    ) + closed("zhang")  # no second 签收: the department may not return it again
    assert loop.said(cid, "签收")[0]["return_reason"] == "overlapping_duties"
    assert loop.said(cid, "退单审核")[0] == {"return_decision": "confirm", "review_note": "乱堆物堆料属城管职责，维持原派"}


def test_disputed_jurisdiction_is_settled_by_consultation(loop):
    cid = loop.report("li", **HOTLINE_PARKING)["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="traffic.parking.illegal_car", **CLASS_C)
    loop.advance("wang", cid, "Task_triage", dispatch_action="consult", dispatch_note="交警与城管均有管辖，需会商")
    assert loop.open_steps(cid) == [("Task_consult", "CITY-12345")]
    assert loop.attempt("zhao", cid, "Task_consult", department="D-EAST-CG") == 404
    settled = loop.advance("wang", cid, "Task_consult", department="D-EAST-CG", consult_units="区城管局、交警大队",
                           consult_minutes="人行道违停由城管负责")
    assert [(t["element_id"], t["org_unit"]) for t in settled["next_tasks"]] == [("Task_handle", "D-EAST-CG")]
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已劝离")
    loop.advance("qian", cid, "Task_verify", verified=True)
    loop.advance("li", cid, "Task_callback", satisfaction="satisfied")
    assert loop.trail(cid) == started("li") + did(
        *INTAKE, ("wang", "人工分拨"), ("wang", "争议会商"), ("zhao", "处置"), ("qian", "核查"), ("li", "回访")
    ) + closed("li")  # the owner fixed by consultation handles it without signing for it
    assert loop.said(cid, "争议会商")[0]["consult_minutes"] == "人行道违停由城管负责"


def test_an_extension_refused_then_one_granted(loop, clock):
    """延期 is the engine's own request on the handling step (POST /tasks/{id}/extend) decided by a
    supervisor (/extension): the clock stops while a request waits, a refusal keeps the deadline,
    a grant moves it on from the current deadline."""
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    loop.advance("zhao", cid, "Task_signfor", signfor="accept")
    assert loop.open_task(cid, "Task_handle")["due_at"] == "2026-12-02T09:30:00+00:00"  # end of the 7th working day

    asked = loop.task_action("zhao", cid, "Task_handle", "extend", working_days=3, reason="需协调环卫车辆")
    assert asked.status_code == 200 and asked.get_json()["status"] == "requested"
    assert [i["kind"] for i in loop.user("wu").get("/supervision/board").get_json()] == ["extension"]
    decide = dict(decision="grant", reason="同意")
    assert loop.task_action("xi", cid, "Task_handle", "extension", **decide).status_code == 404
    assert loop.task_action("zhao", cid, "Task_handle", "extension", **decide).status_code == 403
    clock.advance(days=1)  # the request waits a working day; that day does not count
    refused = loop.task_action("wu", cid, "Task_handle", "extension", decision="refuse", reason="一般垃圾清运无需延期")
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    assert loop.open_task(cid, "Task_handle")["due_at"] == "2026-12-03T09:30:00+00:00"

    loop.task_action("zhao", cid, "Task_handle", "extend", working_days=3, reason="环卫车辆检修，需延期三个工作日")
    granted = loop.task_action("wu", cid, "Task_handle", "extension", decision="grant", reason="同意延期三个工作日")
    assert granted.get_json()["status"] == "granted"
    assert loop.open_task(cid, "Task_handle")["due_at"] == "2026-12-08T09:30:00+00:00"  # + 3 working days
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已清运")
    loop.advance("qian", cid, "Task_verify", verified=True)
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied")

    assert loop.trail(cid) == started("zhang") + did(*INTAKE, ("zhao", "签收")) + [
        ("task.extension_requested", "zhao", "处置"), ("task.extension_refused", "wu", "处置"),
        ("task.extension_requested", "zhao", "处置"), ("task.extension_granted", "wu", "处置"),
    ] + did(("zhao", "处置"), ("qian", "核查"), ("zhang", "评价")) + closed("zhang")
    assert loop.reasons(cid) == [
        ("task.extension_requested", "zhao", "需协调环卫车辆"),
        ("task.extension_refused", "wu", "一般垃圾清运无需延期"),
        ("task.extension_requested", "zhao", "环卫车辆检修，需延期三个工作日"),
        ("task.extension_granted", "wu", "同意延期三个工作日")]


def test_a_hold_is_approved_and_later_released(loop, clock):
    cid = loop.report("zhang", title="路灯整段不亮", address="和平路", district="D-EAST", channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="municipal.lighting.streetlight_out", **CLASS_C)
    loop.advance("zhao", cid, "Task_signfor", signfor="accept")
    handle_due = loop.open_task(cid, "Task_handle")["due_at"]
    assert handle_due == "2026-12-02T09:30:00+00:00"  # 7 working days
    clock.advance(hours=1)  # Monday 11:00
    loop.advance("zhao", cid, "Task_handle", handle_action="hold", hold_reason="需更换整段电缆，列入明年改造计划")
    clock.advance(days=1)  # the hold request waits a whole working day
    # 挂账 stops the handling clock: refused a day later, the deadline moves by that working day
    
    assert loop.attempt("zhao", cid, "Task_hold_approve", hold_decision="approved") == 404
    loop.advance("wu", cid, "Task_hold_approve", hold_decision="refused", hold_note="先临时接电恢复照明")
    assert loop.open_task(cid, "Task_handle")["due_at"] == "2026-12-03T09:30:00+00:00"
    loop.advance("zhao", cid, "Task_handle", handle_action="hold", hold_reason="临时接电不具备安全条件")
    approved = loop.advance("wu", cid, "Task_hold_approve", hold_decision="approved", hold_until="2027-03-01",
                            hold_note="同意挂账，三月复核")
    release = approved["next_tasks"][0]
    assert release["element_id"] == "Task_hold_release" and release["due_at"].startswith("2027-02-28T16:00")
    assert loop.attempt("zhao", cid, "Task_hold_release", release_note="x") == 404

    clock.advance(days=90)
    loop.advance("wu", cid, "Task_hold_release", release_note="改造资金到位，解除挂账")
    assert loop.open_steps(cid) == [("Task_handle", "D-EAST-CG")]
    resumed = loop.open_task(cid, "Task_handle")
    assert resumed["due_at"] > "2027-02-23" and resumed["sla_state"] == "ok"  # the hold did not eat the limit
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="电缆已更换")
    loop.advance("qian", cid, "Task_verify", verified=True)
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied")

    assert loop.trail(cid) == started("zhang") + did(
        *INTAKE, ("zhao", "签收"), ("zhao", "处置"), ("wu", "挂账审批"), ("zhao", "处置"), ("wu", "挂账审批"),
        ("wu", "解除挂账"), ("zhao", "处置"), ("qian", "核查"), ("zhang", "评价")) + closed("zhang")
    assert [d["hold_reason"] for d in loop.said(cid, "处置")[:2]] == [
        "需更换整段电缆，列入明年改造计划", "临时接电不具备安全条件"]
    assert [d["hold_decision"] for d in loop.said(cid, "挂账审批")] == ["refused", "approved"]
    assert loop.said(cid, "解除挂账") == [{"release_note": "改造资金到位，解除挂账"}]


def test_verification_fails_then_passes_and_the_grid_worker_verifies_their_own_report(loop):
    cid = loop.report("grid01", title="小区门口出店经营", address="和平一社区东门", district="D-EAST",
                      street="S-HEPING", grid="G-HEPING-1-01", channel="grid", photos=photos(loop, "grid01"))["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.street_order.outside_shop", **CLASS_C)
    loop.advance("zhao", cid, "Task_signfor", signfor="accept")
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已劝导")
    assert loop.open_steps(cid) == [("Task_verify", "G-HEPING-1-01")]
    assert loop.attempt("qian", cid, "Task_verify", verified=True) == 404
    redo = loop.advance("grid01", cid, "Task_verify", verified=False, verify_note="商户仍在门外摆摊",
                        verify_photos=photos(loop, "grid01"))
    assert [(t["element_id"], t["org_unit"]) for t in redo["next_tasks"]] == [("Task_handle", "D-EAST-CG")]
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已暂扣经营用具并教育")
    loop.advance("grid01", cid, "Task_verify", verified=True, verify_note="已恢复")

    case = loop.case(cid, "grid01")
    assert case["status"] == "completed"  # a grid patrol report needs no callback
    assert loop.trail(cid) == started("grid01") + did(
        *INTAKE, ("zhao", "签收"), ("zhao", "处置"), ("grid01", "核查"), ("zhao", "处置"), ("grid01", "核查")
    ) + closed("grid01")
    assert [d["verified"] for d in loop.said(cid, "核查")] == [False, True]
    assert loop.said(cid, "核查")[0]["verify_note"] == "商户仍在门外摆摊"


def test_an_unsatisfied_evaluation_with_the_department_at_fault_is_handled_again_once(loop):
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    run_from_signfor(loop, cid, "zhao")
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="unsatisfied", evaluation_comment="只清了一半")
    assert loop.open_steps(cid) == [("Task_unsatisfied_review", "CITY-12345")]
    assert loop.attempt("zhang", cid, "Task_unsatisfied_review", dept_at_fault=False) == 404
    again = loop.advance("wang", cid, "Task_unsatisfied_review", dept_at_fault=True, fault_note="处置不彻底")
    assert [(t["element_id"], t["org_unit"]) for t in again["next_tasks"]] == [("Task_handle", "D-EAST-CG")]
    assert again["case"]["data"]["rehandle_count"] == 1
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="全部清运")
    loop.advance("qian", cid, "Task_verify", verified=True)
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="unsatisfied", evaluation_comment="还是有味道")
    final = loop.advance("wang", cid, "Task_unsatisfied_review", dept_at_fault=True, fault_note="已重办一次")
    assert final["next_tasks"] == [] and final["case"]["status"] == "completed"  # handled again only once

    assert loop.trail(cid) == started("zhang") + did(
        *INTAKE, ("zhao", "签收"), ("zhao", "处置"), ("qian", "核查"), ("zhang", "评价"), ("wang", "不满意甄别"),
        ("zhao", "处置"), ("qian", "核查"), ("zhang", "评价"), ("wang", "不满意甄别")) + closed("wang")
    assert [d["evaluation_comment"] for d in loop.said(cid, "评价")] == ["只清了一半", "还是有味道"]
    assert [d["fault_note"] for d in loop.said(cid, "不满意甄别")] == ["处置不彻底", "已重办一次"]


def test_a_duplicate_report_is_merged_into_its_master_case(loop):
    master = loop.report("zhang", **EAST_RUBBISH, channel="app")
    loop.advance("li", master["id"], "Task_preprocess", decision="accept")
    duplicate = loop.report("li", **{**EAST_RUBBISH, "reporter_name": "刘先生", "reporter_phone": "13700137000"},
                            channel="hotline")
    assert loop.attempt("wang", duplicate["id"], "Task_preprocess", decision="duplicate") == 404
    merged = loop.advance("li", duplicate["id"], "Task_preprocess", decision="duplicate",
                          master_case=int(master["number"]), preprocess_note="同一地点同类问题，已有工单")
    assert merged["next_tasks"] == [] and merged["case"]["status"] == "completed"
    assert loop.trail(duplicate["id"]) == started("li") + did(("li", "预处理")) + closed("li")
    assert loop.said(duplicate["id"], "预处理") == [{"decision": "duplicate", "master_case": int(master["number"]),
                                                   "preprocess_note": "同一地点同类问题，已有工单"}]
    assert loop.open_steps(master["id"]) == [("Task_classify", "CITY-12345")]  # the master goes on


def test_an_invalid_report_is_voided_with_its_reason(loop):
    cid = loop.report("zhang", title="测试", address="无", district="D-WEST", channel="app")["id"]
    assert loop.attempt("wang", cid, "Task_preprocess", decision="void") == 404
    voided = loop.advance("li", cid, "Task_preprocess", decision="void", void_reason="test",
                          preprocess_note="市民误操作")
    assert voided["case"]["status"] == "completed" and voided["next_tasks"] == []
    assert loop.trail(cid) == started("zhang") + did(("li", "预处理")) + closed("li")
    assert loop.said(cid, "预处理") == [{"decision": "void", "void_reason": "test", "preprocess_note": "市民误操作"}]
    assert loop.case(cid, "zhang")["status"] == "completed"  # the reporter sees the outcome


def test_a_sensor_alarm_becomes_a_case_and_runs_without_callback(loop):
    alarm = loop.report("iot", title="积水告警：和平路下穿", description="电子水尺读数 32cm，超阈值",
                        category="water.drainage.waterlogging", address="和平路下穿通道", lat=39.91, lng=116.41,
                        district="D-EAST", channel="sensor", device_id="WL-0042", photos=photos(loop, "iot"))
    cid = alarm["id"]
    assert alarm["tasks"][0]["element_id"] == "Task_preprocess"
    assert loop.attempt("iot", cid, "Task_preprocess", decision="accept") == 404  # a machine only reports
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    done = loop.advance("li", cid, "Task_classify", category="water.drainage.waterlogging", grade="B",
                        urgency="urgent")
    assert [(t["element_id"], t["org_unit"], t["priority"]) for t in done["next_tasks"]] == [
        ("Task_signfor", "D-EAST-SW", 90)]
    loop.advance("sun", cid, "Task_signfor", signfor="accept")
    assert loop.open_task(cid, "Task_handle")["due_at"] == "2026-11-24T09:30:00+00:00"  # urgent: 1 wd
    loop.advance("sun", cid, "Task_handle", handle_action="done", result="已启用移动泵车排水")
    loop.advance("qian", cid, "Task_verify", verified=True)

    case = loop.case(cid, "iot")
    assert case["status"] == "completed" and case["data"]["device_id"] == "WL-0042"
    assert case["category"] == "water.drainage.waterlogging" and case["district"] == "D-EAST"
    assert loop.trail(cid) == started("iot") + did(
        *INTAKE, ("sun", "签收"), ("sun", "处置"), ("qian", "核查")) + closed("qian")


# --- what the loop needs from the engine (see the issue 4 report) -----------------------------

def test_history_reason_holds_the_reason_given(loop):
    cid = loop.report("zhang", title="井盖缺失", address="和平路口", district="D-EAST", channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="municipal.road.manhole_cover", **CLASS_C)
    loop.advance("zhao", cid, "Task_signfor", signfor="return", return_reason="unclear_ownership",
                 return_note="雨水井盖属水务局管养")
    row = [h for h in loop.case(cid)["history"] if h["task"] == "签收"][0]
    assert row["reason"] == "权属不清；雨水井盖属水务局管养"


def test_history_lists_the_automatic_dispatch_decision(loop):
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    auto = [h for h in loop.case(cid)["history"] if h["task"] == "自动分拨（一键直达）"]
    assert [(h["action"], h["actor"], h["detail"]["data"]) for h in auto] == [
        ("step.completed", "system", {"department": "D-EAST-CG"})]


def test_a_merged_reporter_follows_the_master_case(loop):
    master = loop.report("zhang", **EAST_RUBBISH, channel="app")
    loop.advance("li", master["id"], "Task_preprocess", decision="accept")
    duplicate = loop.report("liu", **EAST_RUBBISH, channel="app")
    loop.advance("li", duplicate["id"], "Task_preprocess", decision="duplicate", master_case=int(master["number"]))
    followed = loop.user("liu").get(f"/cases/{master['id']}")
    assert followed.status_code == 200
    seen = followed.get_json()
    assert seen["number"] == master["number"] and seen["following"] is True and seen["current_step"] == "分类定级"
    # the master's reporter and what they wrote stay theirs: no data, history actors or merged list
    assert "data" not in seen and "merged" not in seen and all("actor" not in h for h in seen["history"])
    assert "zhang" not in followed.get_data(as_text=True)
    assert [m["number"] for m in loop.case(master["id"])["merged"]] == [duplicate["number"]]


def test_duplicate_candidates_are_proposed_to_the_operator(loop):
    master = loop.report("zhang", **EAST_RUBBISH, category="urban.appearance.exposed_rubbish", channel="app")
    second = loop.report("liu", **EAST_RUBBISH, category="urban.appearance.exposed_rubbish", channel="app")
    task = loop.open_task(second["id"], "Task_preprocess")
    shown = loop.user("li").get(f"/tasks/{task['id']}").get_json()
    assert [c["number"] for c in shown["duplicate_candidates"]] == [master["number"]]


def test_voiding_without_a_reason_is_refused(loop):
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    task = loop.open_task(cid, "Task_preprocess")
    resp = loop.user("li").post(f"/tasks/{task['id']}/complete", {"data": {"decision": "void"}})
    assert resp.status_code == 400 and "void_reason" in resp.get_json()["error"]["fields"]


def test_classification_updates_the_case_category(loop):
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    assert loop.case(cid)["category"] == "urban.appearance.exposed_rubbish"


def test_the_shipped_time_limits_apply_by_category_and_urgency(loop, container):
    from engine.services import calendar_admin
    for row in json.loads((PROCESS_DIR / "time_limits.json").read_text(encoding="utf-8")):
        with container.uow() as uow:
            calendar_admin.set_time_limit(uow, None, **row)
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app")["id"]
    assert loop.open_task(cid, "Task_preprocess")["due_at"] == "2026-11-23T02:30:00+00:00"  # 30 minutes
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    loop.advance("zhao", cid, "Task_signfor", signfor="accept")
    # exposed rubbish: 4 working hours from Monday 10:00 → 12:00, then 14:00–16:00
    assert loop.open_task(cid, "Task_handle")["due_at"] == "2026-11-23T08:00:00+00:00"
    gas = loop.report("zhang", title="燃气泄漏", address="和平路1号", district="D-EAST", channel="app")["id"]
    loop.advance("li", gas, "Task_preprocess", decision="accept")
    loop.advance("li", gas, "Task_classify", category="safety.gas.leak", grade="B", urgency="urgent")
    assert loop.open_task(gas, "Task_triage")["due_at"] == "2026-11-23T02:10:00+00:00"  # urgent: 10 minutes
    loop.advance("wang", gas, "Task_triage", dispatch_action="dispatch", department="D-EAST-SW")
    loop.advance("sun", gas, "Task_signfor", signfor="accept")
    assert loop.open_task(gas, "Task_handle")["due_at"] == "2026-11-23T04:00:00+00:00"  # threat to life: 2 hours
