"""seed-demo's eight weeks of history (webapp/demo_history.py), as the demo leader finds it: last
month's KPIs by district have a value for every rate in both districts, each list of last month's
and last week's supervision report names cases, work is still overdue now, the past 平战切换 sent
东城区's reports of that day to the command centre, the leader gets the monthly report by e-mail,
and a second seed adds nothing."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine import services
from engine.kpis.metrics import AVERAGES, RATES
from engine.models import Case, CommandModeSwitch, OrgUnit, Task, User
from engine.services.supervision_reports import supervision_report
from engine.supervision_reports import LISTS, last_complete
from tests.factories.api import ApiUser
from webapp.demo import seed_demo
from webapp.demo_history import FLOOD, LEADER_EMAIL, PREFIX

TZ = ZoneInfo("Asia/Shanghai")


def _leader(client, container) -> ApiUser:
    lines = (container.settings.instance_path / "demo-passwords.txt").read_text().splitlines()
    return ApiUser(client, "leader", dict(line.split(" ", 1) for line in lines)["leader"])


def _history(uow) -> set[int]:
    return set(uow.session.scalars(select(Case.id).where(Case.business_key.like(PREFIX + "%"))))


def test_the_leader_sees_eight_weeks_of_a_city_once(client, container, clock):
    list(seed_demo(container))
    today = clock.now().astimezone(TZ).date()
    last = today.replace(day=1) - timedelta(days=1)
    rows = _leader(client, container).get(f"/kpis?from={last.replace(day=1)}&to={last}&group_by=district").get_json()
    assert [r["group"] for r in rows] == ["D-EAST", "D-WEST"]
    for row in rows:
        assert row["accepted"] >= 15 and row["completed"] >= 10, row
        assert [k for k in (*RATES, *AVERAGES) if row[k] is None] == [], row
        assert .7 <= row["on_time_completion_rate"] < 1 and .8 <= row["satisfaction_rate"] <= 1, row

    with container.uow() as uow:
        leader = uow.session.scalar(select(User).where(User.username == "leader"))
        reports = [supervision_report(uow, leader.id, "monthly", f"{last:%Y-%m}"),
                   supervision_report(uow, leader.id, "weekly", last_complete("weekly", clock.now(), TZ).key)]
        history = _history(uow)
        overdue_now = {t["case_id"] for t in services.list_tasks(uow, leader.id, scope="all", overdue=True,
                                                                  per_page=500)} & history
        subscribed = (leader.monthly_report, leader.email)
    for report in reports:
        assert [kind for kind in LISTS if not report["counts"][kind]] == [], (report["key"], report["counts"])
    assert len(history) >= 100 and len(overdue_now) >= 4
    assert subscribed == (True, LEADER_EMAIL)

    with container.uow() as uow:
        s = uow.session
        switches = [(w.mode, w.reason) for w in s.scalars(select(CommandModeSwitch).order_by(CommandModeSwitch.id))]
        emergency = dict(s.execute(select(Case.id, Case.district).where(
            Case.data["command_mode"].as_string() == "emergency")).all())
        by_centre = set(s.scalars(select(Task.case_id).join(OrgUnit, OrgUnit.id == Task.org_unit_id).where(
            OrgUnit.code == "CITY", Task.element_id == "Task_escalate")))
    assert switches == [("emergency", FLOOD[0]), ("normal", FLOOD[1])]
    assert len(emergency) >= 4 and set(emergency.values()) == {"D-EAST"}
    assert set(emergency) <= by_centre  # each dispatched by the command centre (提级分拨)

    with container.uow() as uow:
        cases = uow.session.scalar(select(func.count()).select_from(Case))
    assert list(seed_demo(container))[-1] == "demo cases (already seeded)"
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Case)) == cases
