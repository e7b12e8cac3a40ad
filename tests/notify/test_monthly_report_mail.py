"""Issue 15 §5: when November closes, the scheduler's job e-mails the monthly supervision report
to each subscribed leader and supervisor: one message each, through a real SMTP server, with
the PDF of their own part of the city attached. The PDF says the period, holds the KPI values
GET /api/v1/kpis answers for the month and the ranking chart's values, and embeds its fonts.
Running the job or the CLI again sends nothing."""
from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import func, select, update

from engine.models import AuditEvent, Case, PeriodicRun, User
from engine.periodic import run_due_reports
from engine.services.supervision_reports import set_monthly_report
from notifications.delivery import deliver_due
from notifications.models import ChannelOptOut, OutboxMessage
from notifications.supervision_report import KPI_COLUMNS, kpi_cell
from tests.factories.api import ApiUser
from tests.factories.directory import make_user
from tests.factories.pdf import assert_fonts_cover, pdf_text
from tests.factories.supervision_reports import supervision_world
from webapp.cli import main

NOVEMBER = "from=2026-11-01&to=2026-11-30"


def _subscribe(container, username: str, email: str | None) -> None:
    with container.uow() as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == username))
        uow.session.execute(update(User).where(User.id == user_id).values(email=email))
        uow.commit()
    with container.uow() as uow:
        set_monthly_report(uow, user_id, True)


@pytest.fixture
def subscribed(client, wired, clock) -> dict[str, int]:
    """The world, a city leader and the 东城区 supervisor subscribed with addresses; the city
    supervisor subscribed without one and a second leader who turned e-mail off get nothing."""
    world = supervision_world(client, wired, clock)
    make_user(wired, "boss", "leader", org_unit="CITY")
    _subscribe(wired, "boss", "boss@city.test")
    _subscribe(wired, "wu", "wu@east.test")
    _subscribe(wired, "zheng", None)
    quiet = make_user(wired, "quiet", "leader", org_unit="CITY")
    _subscribe(wired, "quiet", "quiet@city.test")
    with wired.uow() as uow:
        uow.session.add(ChannelOptOut(user_id=quiet, channel="email"))
        uow.commit()
    return world


def _pdf(message) -> bytes:
    parts = list(message.iter_attachments())
    assert [(p.get_content_type(), p.get_filename()) for p in parts] == [
        ("application/pdf", "supervision-report-2026-11.pdf")]
    return parts[0].get_content()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _number(container, case_id: int) -> str:
    with container.session_factory() as s:
        return s.get(Case, case_id).number


def test_the_month_closing_mails_each_subscriber_their_report_once(subscribed, wired, client, smtp):
    assert run_due_reports(wired) == ["2026-11-30", "2026-W48", "2026-11"]
    deliver_due(wired, "test")
    mails = {m["To"]: m for m in smtp.messages}
    assert sorted(mails) == ["boss@city.test", "wu@east.test"]
    city = mails["boss@city.test"]
    assert city["Subject"] == "督办通报月报：示范市 2026-11"
    assert "http://127.0.0.1:5000/reports/monthly/2026-11" in city.get_body(("plain",)).get_content()

    data = _pdf(city)
    assert_fonts_cover(data)
    text = _flat(pdf_text(data))
    assert "督办通报 · 月报" in text and "2026-11-01 — 2026-11-30" in text and "范围 示范市" in text
    boss = ApiUser(client, "boss")
    districts = boss.get(f"/kpis?{NOVEMBER}&group_by=district").get_json()
    assert [r["group_name"] for r in districts] == ["东城区", "西城区"]
    for row in districts:  # the KPI table's row, cell by cell, as the API says
        assert " ".join([row["group_name"], *(kpi_cell(c, row[c]) for c in KPI_COLUMNS)]) in text
    units = boss.get(f"/kpis?{NOVEMBER}&group_by=org_unit").get_json()
    departments = ("D-EAST-CG", "D-EAST-SW", "D-WEST-CG")
    ranked = sorted((r["on_time_completion_rate"] for r in units
                     if r["group"] in departments and r["on_time_completion_rate"] is not None), reverse=True)
    chart = text.split("各部门按期办结率")[1].split("应办未办")[0]
    assert re.findall(r"\d+\.\d%", chart) == [kpi_cell("on_time_completion_rate", v) for v in ranked]
    for letter in ("L", "K", "W", "M", "E", "H", "B2", "C1"):
        assert _number(wired, subscribed[letter]) in text

    east = _flat(pdf_text(_pdf(mails["wu@east.test"])))
    assert "范围 东城区" in east and "西城区" not in east.split("应办未办")[1]
    assert _number(wired, subscribed["L"]) in east and _number(wired, subscribed["W"]) not in east

    with wired.session_factory() as s:
        run = s.get(PeriodicRun, ("supervision-monthly", "2026-11"))
        assert run.result["counts"] == {"overdue": 3, "repeated": 2, "long_open": 2, "buck_passing": 2}
        mailed = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.mailed")).all()
        assert [(e.detail["period"], sorted(e.detail["recipients"])) for e in mailed] == [("2026-11", ["boss", "wu"])]
        assert len({d["sha256"] for d in mailed[0].detail["documents"]}) == 2  # the city's and 东城区's

    assert run_due_reports(wired) == []  # again: nothing
    again = CliRunner().invoke(main, ["reports", "monthly", "--month", "2026-11"], obj=wired)
    assert again.exit_code == 0 and "already done" in again.output and "nothing sent" in again.output
    deliver_due(wired, "test")
    assert len(smtp.messages) == 2
    with wired.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.event == "report.monthly")) == 2


def test_the_cli_sends_a_month_once_and_writes_its_pdf(subscribed, wired, smtp, tmp_path):
    cli = CliRunner()
    first = cli.invoke(main, ["reports", "monthly", "--month", "2026-10"], obj=wired)
    assert first.exit_code == 0, first.output
    assert "2026-10: report computed; 2 e-mails queued" in first.output
    assert "already done" in cli.invoke(main, ["reports", "monthly", "--month", "2026-10"], obj=wired).output
    deliver_due(wired, "test")
    assert sorted(m["Subject"] for m in smtp.messages) == ["督办通报月报：东城区 2026-10", "督办通报月报：示范市 2026-10"]

    refused = cli.invoke(main, ["reports", "monthly", "--month", "2026-12"], obj=wired)
    assert refused.exit_code == 2 and "2026-12 has not ended yet" in refused.output
    assert "--month" in cli.invoke(main, ["reports", "monthly", "--month", "November"], obj=wired).output

    out = tmp_path / "nov.pdf"
    written = cli.invoke(main, ["reports", "pdf", "--month", "2026-11", "-o", str(out)], obj=wired)
    assert written.exit_code == 0 and "2026-11, 示范市, 9 listed cases" in written.output
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) >= 3
    assert "2026-11-01 — 2026-11-30" in _flat(pdf_text(out.read_bytes()))
