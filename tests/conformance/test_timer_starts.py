"""Timer start events as Camunda runs them: each occurrence opens a new case. ISO cycles, Quartz
cron, a date, a bounded cycle, a missed period while nothing ran, a redeploy, a failure. The
clock is frozen and moved by hand; the sweep is what the scheduler runs every second."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import process_starts, services
from engine.models import Case, ProcessDefinition, ProcessStart, Timer
from engine.process_starts import sweep
from tests.conftest import DATA
from tests.conformance.invariant import assert_not_stuck
from tests.factories.directory import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _deploy(container, name: str, body: bytes | None = None) -> None:
    with container.uow() as uow:
        services.deploy(uow, [(name, body or (DATA / "conformance" / name).read_bytes())], None)


def _cases(container, key: str) -> list[Case]:
    with container.session_factory() as s:
        return list(s.scalars(select(Case).where(Case.process_key == key).order_by(Case.id)))


def _start_row(container, key: str, state: str = "active") -> ProcessStart:
    with container.session_factory() as s:
        return s.scalar(select(ProcessStart).where(ProcessStart.process_key == key, ProcessStart.state == state))


def _sweep(container) -> int:
    started = sweep(container, "test")
    assert_not_stuck(container)
    return started


def test_an_iso_cycle_opens_one_case_per_occurrence_and_one_for_a_missed_stretch(container, clock):
    deployed_at = clock.now()
    _deploy(container, "timer_start_hourly.bpmn")
    assert _start_row(container, "timer_hourly").next_fire_at == deployed_at + timedelta(hours=1)
    assert _sweep(container) == 0
    clock.advance(hours=1)
    assert _sweep(container) == 1 and _sweep(container) == 0
    clock.advance(hours=1)
    assert _sweep(container) == 1
    clock.advance(hours=2, minutes=30)  # down through two occurrences
    assert _sweep(container) == 1 and len(_cases(container, "timer_hourly")) == 3
    assert _start_row(container, "timer_hourly").next_fire_at == deployed_at + timedelta(hours=5)
    for case in _cases(container, "timer_hourly"):
        assert case.requester_id is None and case.status == "running"
        with container.session_factory() as s:  # the case does not wait at its start timer
            assert s.scalars(select(Timer).where(Timer.case_id == case.id, Timer.state == "pending")).all() == []


def test_a_case_started_by_a_person_does_not_wait_at_the_timer_start(container, clock):
    _deploy(container, "timer_start_hourly.bpmn")
    clerk = make_user(container, "sun", "clerk")
    with container.uow() as uow:
        case = services.start_case(uow, "timer_hourly", {"title": "临时巡查"}, clerk)
    assert [t["element_id"] for t in case["tasks"]] == ["Task_patrol"]
    assert_not_stuck(container, case["id"])
    with container.session_factory() as s:
        assert s.scalars(select(Timer).where(Timer.case_id == case["id"])).all() == []
    clock.advance(hours=1)
    assert _sweep(container) == 1 and len(_cases(container, "timer_hourly")) == 2


def test_a_quartz_cron_opens_a_case_each_day_at_nine_and_once_after_downtime(container, clock):
    _deploy(container, "timer_start_cron.bpmn")  # Monday 10:00 in Shanghai
    tuesday_nine = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
    assert _start_row(container, "timer_cron").next_fire_at == tuesday_nine
    clock.advance(hours=22, minutes=59)
    assert _sweep(container) == 0
    clock.advance(minutes=1)
    assert _sweep(container) == 1
    clock.advance(days=2, hours=-1)  # Thursday 08:00: Wednesday's occurrence was missed
    assert _sweep(container) == 1 and _sweep(container) == 0
    assert _start_row(container, "timer_cron").next_fire_at == tuesday_nine + timedelta(days=2)
    assert len(_cases(container, "timer_cron")) == 2


@pytest.mark.parametrize(("text", "after_local", "expected_local"), [
    ("0 0 9 ? * 2", datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 30, 9, 0)),  # Quartz 2 = Monday
    ("0 0 9 ? * MON-FRI", datetime(2026, 11, 27, 10, 0), datetime(2026, 11, 30, 9, 0)),
    ("0/5 0/1 * 1/1 * ?", datetime(2026, 11, 23, 10, 0, 1), datetime(2026, 11, 23, 10, 0, 5)),
    ("0 30 8 1 * ? 2027", datetime(2026, 11, 23, 10, 0), datetime(2027, 1, 1, 8, 30)),
])
def test_quartz_cron_text_is_read_as_quartz_means_it(text, after_local, expected_local):
    after = after_local.replace(tzinfo=SHANGHAI)
    assert process_starts.next_after(text, after, after, SHANGHAI) == expected_local.replace(tzinfo=SHANGHAI)


def test_a_time_date_fires_once(container, clock):
    _deploy(container, "timer_start_date.bpmn")  # 2026-11-24T09:00 without an offset: Shanghai time
    assert _start_row(container, "timer_date").next_fire_at == datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    clock.advance(days=1)
    assert _sweep(container) == 1
    clock.advance(days=30)
    assert _sweep(container) == 0 and len(_cases(container, "timer_date")) == 1
    assert _start_row(container, "timer_date", "done").next_fire_at is None


def test_a_bounded_cycle_stops_after_its_repetitions(container, clock):
    _deploy(container, "timer_start_r2.bpmn")
    assert _start_row(container, "timer_twice").fires_left == 2
    for _ in range(4):
        clock.advance(hours=1)
        _sweep(container)
    assert len(_cases(container, "timer_twice")) == 2
    assert _start_row(container, "timer_twice", "done").fires_left == 0


def test_a_redeploy_moves_the_timer_start_to_the_new_version(container, clock):
    _deploy(container, "timer_start_hourly.bpmn")
    clock.advance(hours=1)
    assert _sweep(container) == 1
    clock.advance(minutes=30)
    body = (DATA / "conformance" / "timer_start_hourly.bpmn").read_bytes().replace("每小时巡查".encode(), "巡查v2".encode())
    _deploy(container, "timer_start_hourly.bpmn", body)
    old, new = _start_row(container, "timer_hourly", "retired"), _start_row(container, "timer_hourly")
    assert new.definition_id != old.definition_id and new.next_fire_at == clock.now() + timedelta(hours=1)
    clock.advance(hours=2)
    assert _sweep(container) == 1
    with container.session_factory() as s:
        versions = [s.get(ProcessDefinition, c.definition_id).version for c in _cases(container, "timer_hourly")]
    assert versions == [1, 2]


def test_a_failure_is_recorded_and_retried_later(container, clock, monkeypatch):
    _deploy(container, "timer_start_hourly.bpmn")
    real_open = process_starts.open_case
    monkeypatch.setattr(process_starts, "open_case", lambda *a, **kw: (_ for _ in ()).throw(RuntimeError("db hiccup")))
    clock.advance(hours=1)
    assert _sweep(container) == 0
    row = _start_row(container, "timer_hourly")
    assert row.attempts == 1 and "db hiccup" in row.last_error and row.lease_expires_at > clock.now()
    monkeypatch.setattr(process_starts, "open_case", real_open)
    assert _sweep(container) == 0  # not before its retry time
    clock.advance(seconds=31)
    assert _sweep(container) == 1
    row = _start_row(container, "timer_hourly")
    assert (row.attempts, row.last_error, len(_cases(container, "timer_hourly"))) == (0, None, 1)
