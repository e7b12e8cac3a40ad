"""Who sees which fields of a case (issue #16 §2, docs/visibility.md): a citizen's own step
carries what the requester's view allows and the step's own form, never the staff's notes,
results or names; a merged reporter sees the master through its public status; a citizen
cannot hand their evaluation on; a leader changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, User
from notifications.models import InAppNotification, OutboxMessage
from tests.api.test_event_closed_loop import CLASS_C, EAST_RUBBISH, photos, run_from_signfor
from tests.factories.api import ApiUser
from tests.factories.directory import make_user
from tests.factories.event_loop import EventLoop, make_event_loop
from tests.factories.pdf import pdf_text

REPORT = EAST_RUBBISH | dict(channel="app", reporter_name="张大爷", reporter_phone="13800138000")
# what the staff wrote on the way: no citizen may read any of it
STAFF_NOTES = ("已清理完毕", "现场已恢复", "市民情绪激动，注意安抚", "定级：普通")
STAFF_NAMES = ("li", "zhao", "qian")


@pytest.fixture
def loop(client, container) -> EventLoop:
    return make_event_loop(client, container)


def at_evaluation(loop: EventLoop, reporter: str = "zhang", **report) -> tuple[int, int]:
    """A case of ``reporter`` walked to their 评价 step, staff notes on every step: (case, task)."""
    cid = loop.report(reporter, **(REPORT | report), photos=photos(loop, reporter))["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept", preprocess_note="市民情绪激动，注意安抚")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", classify_note="定级：普通",
                 **CLASS_C)
    run_from_signfor(loop, cid, "zhao")
    return cid, loop.open_task(cid, "Task_evaluate")["id"]


def leaked(text: str) -> list[str]:
    """Staff notes, and staff usernames as JSON string values, found in a response."""
    return [n for n in STAFF_NOTES if n in text] + [n for n in STAFF_NAMES if f'"{n}"' in text]


def test_a_citizens_own_step_carries_their_fields_and_the_steps_form_only(loop):
    cid, task_id = at_evaluation(loop)
    resp = loop.user("zhang").get(f"/tasks/{task_id}")
    assert resp.status_code == 200
    task = resp.get_json()
    assert task["can_act"] is True and [f["name"] for f in task["form"]["fields"]] == ["satisfaction",
                                                                                       "evaluation_comment"]
    data = task["case"]["data"]
    assert data["title"] == REPORT["title"] and data["reporter_phone"] == REPORT["reporter_phone"]
    assert not {"result", "result_photos", "verify_note", "verified", "preprocess_note", "department",
                "grade"} & set(data)
    assert leaked(resp.get_data(as_text=True)) == []
    staff = loop.user("zhao").get(f"/cases/{cid}").get_json()  # staff still see everything
    assert staff["data"]["result"] == "已清理完毕" and staff["data"]["verify_note"] == "现场已恢复"


def test_a_citizens_case_history_names_departments_not_staff(loop):
    cid, _ = at_evaluation(loop)
    resp = loop.user("zhang").get(f"/cases/{cid}")
    history = resp.get_json()["history"]
    assert {"签收", "处置", "核查"} <= {h["step"] for h in history}
    assert all(set(h) == {"at", "step", "department", "state"} for h in history)
    assert "东城区城管局" in {h["department"] for h in history}
    assert leaked(resp.get_data(as_text=True)) == []


def test_a_merged_reporter_sees_the_master_only_through_its_public_status(loop):
    master, _ = at_evaluation(loop)
    duplicate = loop.report("liu", **(REPORT | dict(reporter_name="刘女士", reporter_phone="13700137000")))
    loop.advance("li", duplicate["id"], "Task_preprocess", decision="duplicate",
                 master_case=int(loop.case(master)["number"]), preprocess_note="同一地点同类问题，已有工单")
    liu = loop.user("liu")
    followed = liu.get(f"/cases/{master}")
    assert followed.status_code == 200 and followed.get_json()["following"] is True
    text = followed.get_data(as_text=True)
    assert not [p for p in ("张大爷", "13800138000", '"zhang"', *STAFF_NOTES) if p in text]
    own = liu.get(f"/cases/{duplicate['id']}")  # their own report: what they gave, not the operator's note
    assert own.get_json()["data"]["reporter_name"] == "刘女士"
    assert not [p for p in ("张大爷", "13800138000", "同一地点同类问题", '"li"') if p in own.get_data(as_text=True)]
    evaluation = loop.open_task(master, "Task_evaluate")["id"]
    assert liu.get(f"/tasks/{evaluation}").status_code == 404  # the master's reporter's step is not theirs


def test_what_a_citizen_is_sent_names_no_staff_and_no_staff_note(loop, container):
    cid, _ = at_evaluation(loop)
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied")
    zhang = loop.user("zhang")
    documents = zhang.get(f"/cases/{cid}/documents").get_json()
    assert {d["name"] for d in documents} >= {"受理回执", "办结通知书"}
    texts = [pdf_text(zhang.get(f"/documents/{d['id']}").data) for d in documents]
    with container.uow() as uow:
        me = uow.session.scalar(select(User.id).where(User.username == "zhang"))
        texts += [m.subject + m.body + (m.html or "") for m in uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == me))]
        texts += [n.subject + n.body for n in uow.session.scalars(
            select(InAppNotification).where(InAppNotification.user_id == me))]
    assert len(texts) > 3 and [t for t in texts if leaked(t) or "zhao" in t or "qian" in t] == []


HANDOVERS = [("transfer", {"to_user": "zhao", "reason": "不想评"}),
             ("transfer", {"to_org_unit": "D-EAST-CG", "reason": "不想评"}),
             ("return", {"reason": "重新核查"}),
             ("return", {"reason": "重新处置", "to_element": "Task_handle"}),
             ("delegate", {"to_user": "zhao", "reason": "代评"}),
             ("add-signers", {"users": ["zhao"], "position": "after", "reason": "一起评"}),
             ("cc", {"users": ["zhao"], "note": "请看"}),
             ("reassign", {"to_user": "zhao", "reason": "改派"}),
             ("unclaim", None)]


@pytest.mark.parametrize("action, body", HANDOVERS, ids=[f"{a}-{i}" for i, (a, _) in enumerate(HANDOVERS)])
def test_a_citizen_cannot_hand_their_evaluation_on(loop, container, action, body):
    cid, task_id = at_evaluation(loop)
    before = loop.trail(cid)
    assert loop.user("zhang").post(f"/tasks/{task_id}/{action}", body).status_code == 403
    assert loop.open_steps(cid) == [("Task_evaluate", None)] and loop.trail(cid) == before
    assert loop.user("zhang").get(f"/tasks/{task_id}").get_json()["can_act"] is True
    assert loop.user("zhao").get("/cc").get_json() == []


# --- leaders are read-only -------------------------------------------------------------------

# the only changes a leader makes: their session, their own account and notifications, the
# command mode and their report subscription (SECURITY.md, docs/visibility.md)
LEADER_MAY = {"auth.login", "auth.logout", "auth.register", "api_auth.token", "account.large_text",
              "account.save_notification_settings", "account.my_details", "account.read_one", "account.read_all",
              "api_notifications.put_preferences", "api_notifications.read_one", "api_notifications.read_all",
              "api_approvals.mark_read", "api_command_mode.switch", "supervise.switch_command_mode",
              "reports.subscription"}


def mutating_rules(app, prefix: str) -> list:
    """Every route under ``prefix`` that changes something, but the leader's own."""
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(prefix)
                   and r.methods - {"GET", "HEAD", "OPTIONS"} and r.endpoint not in LEADER_MAY), key=lambda r: r.rule)


def concrete(rule, ids: dict) -> tuple[str, str]:
    """(method, path) of the rule with a real object's id for each argument it names."""
    method = sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})[0]
    values = {a: ids.get(a, 1) if a.endswith("_id") or a in ("year", "version") else "event_closed_loop"
              for a in rule.arguments} | ({"op": "transfer"} if "op" in rule.arguments else {})
    return method, rule.map.bind("localhost").build(rule.endpoint, values, method=method)


def audit_length(container) -> int:
    with container.uow() as uow:
        return len(uow.session.scalars(select(AuditEvent.seq)).all())


@pytest.fixture
def leader(loop, container) -> tuple[ApiUser, dict]:
    """A city-wide leader, and the ids of a live case and its open step."""
    make_user(container, "boss", "leader", org_unit="CITY")
    cid, task_id = at_evaluation(loop)
    return ApiUser(loop.client, "boss"), {"case_id": cid, "task_id": task_id}


def test_a_leader_is_refused_every_change_through_the_api(app, container, leader):
    boss, ids = leader
    seq = audit_length(container)
    answered = []
    for rule in mutating_rules(app, "/api/v1/"):
        method, path = concrete(rule, ids)
        answered.append((method, path, boss.client.open(path, method=method, json={}, headers=boss.headers).status_code))
    assert len(answered) > 40 and [a for a in answered if a[2] != 403] == []
    assert audit_length(container) == seq  # nothing was written on the way to any refusal
    assert boss.get(f"/cases/{ids['case_id']}").status_code == 200  # reading goes on


def test_a_leader_switches_the_command_mode(leader):
    boss, _ = leader
    assert boss.post("/command-mode", {"mode": "emergency", "reason": "防汛"}).status_code == 201
