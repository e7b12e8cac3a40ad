"""The periods of the supervision reports: keys like the KPIs' (2026-11-23, 2026-W48, 2026-11),
local days in Asia/Shanghai, ISO weeks across the year's end, the last complete period as the
default, and bad keys refused naming the field."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from engine.errors import InvalidInput, NotFound
from engine.supervision_reports import last_complete, parse_period

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 16, 10, tzinfo=timezone.utc)  # Tuesday 2026-12-01 00:10 in Shanghai


def test_the_last_complete_periods_just_after_midnight_on_the_first():
    assert [last_complete(kind, NOW, SH).key for kind in ("daily", "weekly", "monthly")] == [
        "2026-11-30", "2026-W48", "2026-11"]
    month = last_complete("monthly", NOW, SH)
    assert (month.start_at, month.end_at) == (datetime(2026, 10, 31, 16, tzinfo=timezone.utc),
                                              datetime(2026, 11, 30, 16, tzinfo=timezone.utc))


def test_an_iso_week_belongs_to_the_year_of_its_thursday():
    week = parse_period("weekly", "2026-W53", datetime(2027, 2, 1, tzinfo=timezone.utc), SH)
    assert (week.first, week.last, week.days) == (date(2026, 12, 28), date(2027, 1, 3), 7)
    assert week.shifted(1, SH).key == "2027-W01" and week.shifted(-1, SH).key == "2026-W52"
    assert parse_period("monthly", "2026-12", NOW, SH).shifted(1, SH).key == "2027-01"


@pytest.mark.parametrize("kind, key", [("monthly", "2026-13"), ("monthly", "2026-1"), ("weekly", "2026-W54"),
                                       ("weekly", "2026-48"), ("daily", "2026-02-30"), ("daily", "yesterday"),
                                       ("daily", "2026-12-02"), ("monthly", "2027-01")])
def test_a_bad_or_future_period_is_refused_naming_it(kind, key):
    with pytest.raises(InvalidInput) as refused:
        parse_period(kind, key, NOW, SH)
    assert list(refused.value.fields) == ["period"]


def test_an_unknown_kind_is_not_found_naming_it():
    with pytest.raises(NotFound) as refused:
        parse_period("yearly", "2026", NOW, SH)
    assert list(refused.value.fields) == ["kind"]
