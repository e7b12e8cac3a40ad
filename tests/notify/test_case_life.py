"""One case's life reaches the people in it: the citizen by SMS and e-mail, caseworkers in the
app and by SMS, through a real local SMTP server (STARTTLS + AUTH) and SMS gateway."""
from __future__ import annotations

import pytest

from notifications.delivery import deliver_due
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user

CITIZEN_PHONE, HANDLER_PHONE = "13800138000", "13900139001"


@pytest.fixture
def people(client, wired):
    make_org_tree(wired)
    for name, role, unit in [("root", "admin", None), ("zhang", "citizen", None), ("wang", "dispatcher", "CITY"),
                             ("zhao", "handler", "D-EAST-CG"), ("qian", "inspector", "D-EAST"),
                             ("du", "supervisor", None)]:
        make_user(wired, name, role, org_unit=unit)
    users = {n: ApiUser(client, n) for n in ("root", "zhang", "wang", "zhao", "qian", "du")}
    assert users["root"].upload(("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())).status_code == 201
    assert users["zhang"].client.put("/api/v1/notifications/preferences", headers=users["zhang"].headers,
                                     json={"email": "zhang@example.cn"}).status_code == 200
    assert users["zhao"].client.put("/api/v1/notifications/preferences", headers=users["zhao"].headers,
                                    json={"phone": HANDLER_PHONE}).status_code == 200
    return users


def _deliver(container) -> None:
    deliver_due(container, "test-owner")


def test_the_citizen_and_caseworkers_hear_of_each_step(people, wired, smtp, sms):
    case = people["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                           "data": {"title": "路灯不亮", "location": "和平路", "phone": CITIZEN_PHONE}}
                                ).get_json()
    _deliver(wired)
    number = case["number"]
    [(phone, text)] = sms.texts
    assert phone == CITIZEN_PHONE and text.startswith("【市民服务】您的事项已受理，编号" + number) and "查询码" in text
    [mail] = smtp.messages
    assert mail["To"] == "zhang@example.cn" and mail["Subject"] == f"您的诉求已受理（{number}）"
    assert mail["Message-ID"].endswith("@civicflow>")
    code = text.split("查询码")[1][:6]
    assert f"/status/{number}?code={code}" in mail.get_body(("plain",)).get_content()
    assert people["zhang"].get("/notifications?unread=1").get_json()["unread"] == 1

    inbox = people["wang"].get("/notifications?unread=1").get_json()
    assert inbox["unread"] == 1 and inbox["items"][0]["subject"] == f"新的待办：分拨（{number}）"
    assert people["wang"].post(f"/notifications/{inbox['items'][0]['id']}/read").get_json()["unread"] == 0
    assert people["zhao"].post(f"/notifications/{inbox['items'][0]['id']}/read").status_code == 404

    dispatch = case["tasks"][0]
    people["wang"].post(f"/tasks/{dispatch['id']}/complete", {"data": {"valid": True, "department": "D-EAST-CG"}})
    handle = people["zhao"].get("/tasks").get_json()[0]
    assert people["zhao"].get("/notifications?unread=1").get_json()["items"][0]["subject"] == f"新的待办：处置（{number}）"
    assert people["zhao"].post(f"/tasks/{handle['id']}/claim").status_code == 200
    assert people["du"].post(f"/cases/{case['id']}/urge", {"reason": "群众反映强烈，请今日处置"}).status_code == 200
    _deliver(wired)
    assert sms.texts[-1] == (HANDLER_PHONE, f"【市民服务】督办：{number}“处置”，群众反映强烈，请今日处置。")

    people["zhao"].post(f"/tasks/{handle['id']}/complete", {"data": {"result": "已更换灯泡"}})
    verify = people["qian"].get("/tasks").get_json()[0]
    assert people["qian"].post(f"/tasks/{verify['id']}/claim").status_code == 200
    people["qian"].post(f"/tasks/{verify['id']}/complete", {"data": {"passed": True}})
    _deliver(wired)
    assert sms.texts[-1] == (CITIZEN_PHONE, f"【市民服务】您的事项{number}已办结，欢迎凭查询码{code}评价。")
    done = smtp.messages[-1]
    assert done["Subject"] == f"已办结：{number}" and "#evaluate" in done.get_body(("html",)).get_content()
    assert all(len(t) <= 70 for _, t in sms.texts)

    documents = people["du"].get(f"/cases/{case['id']}/documents").get_json()
    assert [d["name"] for d in documents] == ["受理回执", "督办单", "办结通知书"]
    # the 督办单 is addressed to the department: the citizen has their receipt and the completion notice
    mine = people["zhang"].get(f"/cases/{case['id']}/documents").get_json()
    assert [d["name"] for d in mine] == ["受理回执", "办结通知书"]
    assert people["zhang"].client.get(f"/api/v1/documents/{documents[1]['id']}",
                                      headers=people["zhang"].headers).status_code == 404
