"""The report pages (通报: 日报/周报/月报) through the test client: who may open them, the last
complete period by default, a district supervisor's own district, the KPI table and chart
values as the API gives them, the PDF download, bad periods refused naming them, and the
monthly subscription with its CSRF check and audit row."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, Case, User
from notifications.supervision_report import KPI_COLUMNS, kpi_cell
from tests.factories.api import ApiUser
from tests.factories.pdf import pdf_text
from tests.factories.event_loop import make_event_loop
from tests.factories.supervision_reports import supervision_world
from tests.kpis.world import move_to
from tests.web.test_task_pages import _csrf, _sign_in

NOVEMBER = "/reports/monthly/2026-11"


@pytest.fixture
def world(client, container, clock) -> dict[str, int]:
    return supervision_world(client, container, clock)


@pytest.fixture
def people(client, container, clock) -> None:
    """The desks of the event closed loop and no case, on the evening of 2026-12-01."""
    make_event_loop(client, container)
    move_to(clock, "2026-12-01 20:00")


def _numbers(container, world: dict[str, int]) -> dict[str, str]:
    with container.session_factory() as s:
        return {letter: s.get(Case, case_id).number for letter, case_id in world.items()}


def test_only_leaders_supervisors_and_admins_open_the_reports(people, client):
    assert client.get("/reports/").status_code == 302  # signed out: to the login page
    for username in ("zhang", "zhao", "wang"):
        _sign_in(client, username)
        assert client.get("/reports/").status_code == 403, username
        assert client.get(NOVEMBER).status_code == 403 and client.get(f"{NOVEMBER}.pdf").status_code == 403
    _sign_in(client, "root")  # an admin reads them but has nothing to subscribe to
    page = client.get("/reports/").get_data(as_text=True)
    assert 'href="/reports/monthly/2026-11"' in page and "monthly_report" not in page
    assert re.search(r'<a class="nav-link[^"]* active" href="/reports" aria-current="page">', page)


def test_the_index_offers_the_last_complete_periods_and_opens_a_chosen_one(people, client):
    _sign_in(client, "wu")
    page = client.get("/reports/").get_data(as_text=True)
    for href in ("/reports/monthly/2026-11", "/reports/weekly/2026-W48", "/reports/daily/2026-11-30",
                 "/reports/monthly/2025-12", "/reports/daily/2026-11-24"):
        assert f'href="{href}"' in page, href
    assert client.get("/reports/?kind=weekly").headers["Location"] == "/reports/weekly/2026-W48"
    assert client.get("/reports/?kind=daily&period=2026-11-03").headers["Location"] == "/reports/daily/2026-11-03"


def test_a_district_supervisor_reads_their_district_with_the_apis_figures(world, client, container):
    numbers = _numbers(container, world)
    _sign_in(client, "wu")
    page = client.get(NOVEMBER).get_data(as_text=True)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert counts == {"overdue": "2", "repeated": "2", "long_open": "2", "buck_passing": "2"}  # W is 西城区's
    for letter in ("L", "K", "M", "E", "H", "B2", "C1"):
        assert f'<a href="/cases/{world[letter]}">{numbers[letter]}</a>' in page, letter
    # B1 by its title and number: the letters alone turn up in a random CSRF token now and then
    assert numbers["W"] not in page and "X 暴露垃圾已办结" not in page
    assert "B1 一次退单" not in page and numbers["B1"] not in page

    api = ApiUser(client, "wu")
    [east] = api.get("/kpis?from=2026-11-01&to=2026-11-30&group_by=district").get_json()
    row = re.search(r'<tr data-district="D-EAST">(.*?)</tr>', page, re.S).group(1)
    assert dict(re.findall(r'data-kpi="(\w+)">([^<]*)<', row)) == {c: kpi_cell(c, east[c]) for c in KPI_COLUMNS}
    assert 'data-district="D-WEST"' not in page

    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 3
    accepted = [float(v) for v in re.findall(r'<desc class="value">([\d.]+)</desc>', charts[0])]
    assert len(accepted) == 30 and sum(accepted) == east["accepted"]  # one point a day of November
    units = api.get("/kpis?from=2026-11-01&to=2026-11-30&group_by=org_unit").get_json()
    ranked = sorted((r["on_time_completion_rate"] for r in units if r["group"] in ("D-EAST-CG", "D-EAST-SW")),
                    reverse=True)
    assert re.findall(r'<desc class="value">([^<]+)</desc>', charts[2]) == [kpi_cell("on_time_completion_rate", v)
                                                                           for v in ranked]


def test_the_pdf_is_the_readers_own_report(world, client, container):
    numbers = _numbers(container, world)
    _sign_in(client, "wu")
    resp = client.get(f"{NOVEMBER}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "supervision-report-monthly-2026-11.pdf" in resp.headers["Content-Disposition"]
    text = "".join(pdf_text(resp.data).split())
    assert "督办通报·月报" in text and "东城区" in text and numbers["L"] in text and numbers["W"] not in text
    english = "".join(pdf_text(client.get(f"{NOVEMBER}.pdf?lang=en").data).split())
    assert "SupervisionReport·Monthlyreport" in english and "Shouldhavebeenhandled" in english


@pytest.mark.parametrize("path, status, field", [
    ("/reports/monthly/2026-13", 400, "period"), ("/reports/monthly/November", 400, "period"),
    ("/reports/weekly/2026-W54", 400, "period"), ("/reports/daily/2026-12-02", 400, "period"),
    ("/reports/monthly/2027-01.pdf", 400, "period"), ("/reports/yearly/2026", 404, "kind")])
def test_a_bad_period_or_kind_is_refused_naming_it(people, client, path, status, field):
    _sign_in(client, "wu")
    resp = client.get(path, headers={"Accept": "application/json"})
    assert resp.status_code == status and list(resp.get_json()["error"]["fields"]) == [field]
    page = client.get(path)  # the Chinese page says which part of the address is wrong
    assert page.status_code == status
    assert ("统计周期" if field == "period" else "没有这种报告") in page.get_data(as_text=True)


def test_the_running_month_reads_so_far_and_english_labels_are_there(world, client):
    _sign_in(client, "zheng")
    page = client.get("/reports/monthly/2026-12?lang=en").get_data(as_text=True)
    assert "the period is still running" in page and "Next:" not in page
    for title in ("Should have been handled", "Repeated complaints", "Long unresolved", "Buck-passing"):
        assert title in page


def test_a_supervisor_subscribes_and_unsubscribes_with_an_audit_row(people, client, container):
    token = _sign_in(client, "wu")
    assert client.post("/reports/subscription", data={"monthly_report": "1"}).status_code == 400  # no CSRF token
    resp = client.post("/reports/subscription", data={"monthly_report": "1", "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"] == "/reports/"
    page = client.get("/reports/").get_data(as_text=True)
    assert 'name="monthly_report" value="0"' in page
    client.post("/reports/subscription", data={"monthly_report": "0", "csrf_token": _csrf(page)})
    with container.session_factory() as s:
        assert s.scalar(select(User.monthly_report).where(User.username == "wu")) is False
        trail = [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "report.subscription")
                                             .order_by(AuditEvent.seq))]
    assert trail == [{"monthly_report": True}, {"monthly_report": False}]

    token = _sign_in(client, "root")
    assert client.post("/reports/subscription", data={"monthly_report": "1", "csrf_token": token}).status_code == 403
