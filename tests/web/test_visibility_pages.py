"""The pages follow the same table of who sees what as the API (docs/visibility.md): a citizen's
step and case pages carry no staff note or name, a merged reporter's page shows the master's
progress only, a citizen's hand-over forms are refused, and a leader's every form but their own
is a 403."""
from __future__ import annotations

import pytest

from tests.api.test_field_visibility import REPORT, STAFF_NOTES, at_evaluation, audit_length, leaked, mutating_rules
from tests.factories.directory import make_user
from tests.factories.event_loop import EventLoop, make_event_loop
from tests.web.test_task_pages import _sign_in


@pytest.fixture
def loop(client, container) -> EventLoop:
    return make_event_loop(client, container)


def test_the_evaluation_page_shows_the_form_and_no_staff_note(loop, client):
    cid, task_id = at_evaluation(loop)
    _sign_in(client, "zhang")
    for path in (f"/my/tasks/{task_id}", f"/my/cases/{cid}", f"/tasks/{task_id}"):  # the last: to the first
        resp = client.get(path, follow_redirects=True)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200 and REPORT["title"] in page, path
        assert [n for n in STAFF_NOTES if n in page] == [] and ">zhao<" not in page and ">qian<" not in page, path
    assert 'name="satisfaction"' in client.get(f"/my/tasks/{task_id}").get_data(as_text=True)


def test_a_merged_reporters_page_shows_the_masters_progress_only(loop, client):
    master, _ = at_evaluation(loop)
    duplicate = loop.report("liu", **(REPORT | dict(reporter_name="刘女士", reporter_phone="13700137000")))
    loop.advance("li", duplicate["id"], "Task_preprocess", decision="duplicate",
                 master_case=int(loop.case(master)["number"]))
    _sign_in(client, "liu")
    page = client.get(f"/my/cases/{master}").get_data(as_text=True)
    assert "评价" in page and "东城区城管局" in page  # where it stands and who works it
    assert not [p for p in ("张大爷", "13800138000", REPORT["description"], *STAFF_NOTES) if p in page]
    assert client.get(f"/my/cases/{duplicate['id']}").status_code == 200
    assert "刘女士" in client.get(f"/my/cases/{duplicate['id']}").get_data(as_text=True)


@pytest.mark.parametrize("op, form", [("transfer", {"to_user": "zhao", "reason": "不想评"}),
                                      ("return", {"reason": "重新核查"}),
                                      ("delegate", {"to_user": "zhao", "reason": "代评"}),
                                      ("add-signers", {"users": "zhao", "position": "after", "reason": "一起评"}),
                                      ("copy", {"users": "zhao", "note": "请看"})])
def test_a_citizens_hand_over_forms_are_refused(loop, client, container, op, form):
    cid, task_id = at_evaluation(loop)
    token = _sign_in(client, "zhang")
    seq = audit_length(container)
    assert client.post(f"/tasks/{task_id}/{op}", data={"csrf_token": token, **form}).status_code == 403
    assert audit_length(container) == seq and loop.open_steps(cid) == [("Task_evaluate", None)]


def test_every_page_form_but_a_leaders_own_is_refused_to_a_leader(app, loop, client, container):
    make_user(container, "boss", "leader", org_unit="CITY")
    cid, task_id = at_evaluation(loop)
    token = _sign_in(client, "boss")
    seq = audit_length(container)
    answered = []
    for rule in mutating_rules(app, "/"):
        if rule.rule.startswith("/api/"):
            continue
        values = {a: {"case_id": cid, "task_id": task_id}.get(a, 1) if a.endswith("_id") or a == "version"
                  else "event_closed_loop" for a in rule.arguments} | ({"op": "transfer"} if "op" in rule.arguments else {})
        path = rule.map.bind("localhost").build(rule.endpoint, values, method="POST")
        answered.append((path, client.post(path, data={"csrf_token": token}).status_code))
    assert len(answered) > 30 and [a for a in answered if a[1] != 403] == []
    assert audit_length(container) == seq
    assert client.get(f"/cases/{cid}").status_code == 200  # the case page reads on
    switched = client.post("/supervise/command-mode", data={"csrf_token": token, "mode": "emergency",
                                                                  "reason": "防汛", "confirm": "yes"})
    assert switched.status_code in (302, 303)
