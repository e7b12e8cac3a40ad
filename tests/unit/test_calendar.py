"""Tests for engine.calendar.

The random test compares WorkCalendar.add / working_time_between with an
independent reference written here: it asks ``chinese_calendar.is_workday``
directly (never WorkCalendar.is_working_day or seed.py) and counts working
minutes from a minute-of-day table built from the period list.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from engine.calendar import (
    DEFAULT_PERIODS, Deadline, Limit, WorkCalendar, known_years, official_days, parse_limit,
    provisional_holidays,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    days = {d: v for y in known_years() for d, v in official_days(y).items()}
    hol = {**provisional_holidays(2027), **provisional_holidays(2028)}
    return WorkCalendar(days=days, confirmed_years=set(known_years()), provisional_holidays=hol)


# ---------------------------------------------------------------- durations

@pytest.mark.parametrize("text, amount, unit", [
    ("30m", 30, "minutes"), ("30min", 30, "minutes"), (" 45 min ", 45, "minutes"), ("2h", 2, "hours"),
    ("3d", 3, "days"), ("4wh", 4, "work_hours"), ("3wd", 3, "work_days"), ("PT30M", 30, "minutes"),
    ("PT2H", 2, "hours"), ("P3D", 3, "days"), ("P2W", 14, "days"), ("pt90m", 90, "minutes"),
    ("P1DT2H", 26, "hours"), ("PT1H30M", 90, "minutes"), ("P1DT30M", 1470, "minutes"),
])
def test_parse_limit(text: str, amount: int, unit: str) -> None:
    limit = parse_limit(text)
    assert limit == Limit(amount, unit)  # type: ignore[arg-type]
    assert parse_limit(str(limit)) == limit


@pytest.mark.parametrize("text", [
    "", "3", "d3", "3x", "3 wd x", "-3d", "0d", "0wd", "PT0M", "P", "PT", "P3DT", "P1Y", "P1M", "PT30S",
    "1.5h", "PT1.5H", "3M", "three days",
])
def test_parse_limit_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="time limit"):
        parse_limit(text)


def test_limit_str_and_validation() -> None:
    assert [str(Limit(n, u)) for n, u in [(30, "minutes"), (2, "hours"), (3, "days"), (4, "work_hours"),
                                          (3, "work_days")]] == ["30m", "2h", "3d", "4wh", "3wd"]
    for bad in [(0, "days"), (-1, "days"), (True, "days"), (1.5, "hours"), (1, "weeks")]:
        with pytest.raises(ValueError):
            Limit(*bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_limit(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------- pinned examples (checkable by hand)

def test_national_day_2026_three_working_days(cal: WorkCalendar) -> None:
    # The official 2026 schedule as chinese_calendar has it: Oct 1-7 rest,
    # Sat Oct 10 is a 调休 make-up working day.
    assert not any(chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    result = cal.add(datetime(2026, 9, 30, 16, 0), parse_limit("3wd"))
    # Oct 8 (1), Oct 9 (2), Sat Oct 10 (3) -> close of Oct 10.
    assert result == Deadline(at(2026, 10, 10, 17, 30), False, frozenset())


def test_four_working_hours_from_1600(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 3, 10, 16), parse_limit("4wh")).at == at(2026, 3, 11, 11)  # Tue -> Wed
    assert cal.add(at(2026, 3, 13, 16), parse_limit("4wh")).at == at(2026, 3, 16, 11)  # Fri -> Mon


def test_start_on_saturday(cal: WorkCalendar) -> None:
    sat = at(2026, 3, 14, 10)
    assert not chinese_calendar.is_workday(sat.date())
    assert cal.add(sat, parse_limit("1wd")).at == at(2026, 3, 16, 17, 30)
    assert cal.add(sat, parse_limit("4wh")).at == at(2026, 3, 16, 14, 30)
    assert cal.add(at(2026, 3, 15, 23, 59), parse_limit("1wd")).at == at(2026, 3, 16, 17, 30)


def test_limit_ending_exactly_at_period_close(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 3, 10, 9), parse_limit("3wh")).at == at(2026, 3, 10, 12)
    assert cal.add(at(2026, 3, 10, 14, 30), parse_limit("3wh")).at == at(2026, 3, 10, 17, 30)
    assert cal.add(at(2026, 3, 10, 12), parse_limit("1wh")).at == at(2026, 3, 10, 15)
    assert cal.add(at(2026, 3, 10, 17, 30), parse_limit("1wh")).at == at(2026, 3, 11, 9, 30)
    assert cal.add(at(2026, 3, 10, 8, 30), parse_limit("7wh")).at == at(2026, 3, 10, 17, 30)


def test_working_days_ignore_start_time(cal: WorkCalendar) -> None:
    for hour in (0, 8, 17, 23):
        assert cal.add(at(2026, 3, 10, hour), parse_limit("2wd")).at == at(2026, 3, 12, 17, 30)


def test_2027_is_provisional(cal: WorkCalendar) -> None:
    start = datetime(2026, 12, 21, 10, 0)
    result = cal.add(start, parse_limit("15wd"))
    # Dec 22-25, 28-31 (8); Jan 1 2027 provisional holiday; Jan 4-8 (13); Jan 11, 12 (15).
    assert result == Deadline(at(2027, 1, 12, 17, 30), True, frozenset({2027}))
    # Once 2027 is confirmed with Sat Jan 9 as a make-up working day, one day earlier.
    confirmed = WorkCalendar(
        days={**cal.days, date(2027, 1, 1): False, date(2027, 1, 9): True},
        confirmed_years=cal.confirmed_years | {2027},
    )
    assert confirmed.add(start, parse_limit("15wd")) == Deadline(at(2027, 1, 11, 17, 30), False, frozenset())
    # An override alone already moves it, but the answer stays provisional.
    overridden = WorkCalendar({**cal.days, date(2027, 1, 9): True}, cal.confirmed_years, cal.provisional_holidays)
    assert overridden.add(start, parse_limit("15wd")) == Deadline(at(2027, 1, 11, 17, 30), True, frozenset({2027}))
    assert cal.add(start, parse_limit("5wd")).provisional is False  # ends Dec 28 2026


def test_natural_units_are_elapsed_time_and_never_provisional(cal: WorkCalendar) -> None:
    assert cal.add(at(2026, 9, 30, 16), parse_limit("3d")) == Deadline(at(2026, 10, 3, 16), False, frozenset())
    assert cal.add(at(2026, 12, 31, 23, 50), parse_limit("PT30M")).at == at(2027, 1, 1, 0, 20)
    assert cal.add(at(2026, 12, 30, 12), parse_limit("2h")).provisional is False


def test_timezones(cal: WorkCalendar) -> None:
    utc = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)  # 16:00 in Shanghai
    result = cal.add(utc, parse_limit("4wh"))
    assert result.at == at(2026, 3, 11, 11) and result.at.tzinfo == SH
    assert cal.add(datetime(2026, 3, 10, 16), parse_limit("4wh")) == result
    assert cal.add(utc, parse_limit("1h")).at.tzinfo == SH
    with pytest.raises(TypeError):
        cal.add(date(2026, 3, 10), parse_limit("1wd"))  # type: ignore[arg-type]


def test_working_time_between(cal: WorkCalendar) -> None:
    wtb = cal.working_time_between
    assert wtb(at(2026, 9, 30, 16), at(2026, 10, 8, 10)) == timedelta(hours=3)
    assert wtb(at(2026, 10, 8, 10), at(2026, 9, 30, 16)) == timedelta(0)
    assert wtb(at(2026, 3, 10, 11), at(2026, 3, 10, 15)) == timedelta(hours=2)
    assert wtb(at(2026, 10, 10, 0), at(2026, 10, 11, 0)) == timedelta(hours=7)  # 调休 Saturday
    assert wtb(datetime(2026, 3, 10, 3, tzinfo=timezone.utc), datetime(2026, 3, 10, 15)) == timedelta(hours=2)  # 11:00-15:00 local


def test_is_working_day_precedence() -> None:
    sat, mon = date(2027, 1, 9), date(2027, 1, 4)
    c = WorkCalendar(days={sat: True, mon: False}, confirmed_years={2026}, provisional_holidays={date(2027, 1, 1): "元旦"})
    assert c.is_working_day(sat) and not c.is_working_day(mon)
    assert not c.is_working_day(date(2027, 1, 1)) and c.is_working_day(date(2027, 1, 5))
    assert not c.is_working_day(date(2027, 1, 10))
    assert c.is_working_day(date(2026, 1, 1))  # confirmed year: only overrides count, provisional list ignored
    c2 = WorkCalendar(confirmed_years={2027}, provisional_holidays={date(2027, 1, 1): "元旦"})
    assert c2.is_working_day(date(2027, 1, 1))
    assert c.is_working_day(datetime(2027, 1, 9, 10))


def test_custom_periods_and_validation() -> None:
    c = WorkCalendar(confirmed_years={2026}, periods=[(time(9), time(17))], tz=ZoneInfo("Europe/Berlin"))
    result = c.add(datetime(2026, 3, 13, 15), parse_limit("4wh"))  # Friday
    assert result.at == datetime(2026, 3, 16, 11, tzinfo=ZoneInfo("Europe/Berlin"))
    assert c.add(datetime(2026, 3, 13, 15), parse_limit("1wd")).at.time() == time(17)
    for bad in ([], [(time(12), time(9))], [(time(9), time(12)), (time(11), time(13))]):
        with pytest.raises(ValueError):
            WorkCalendar(periods=bad)


# ---------------------------------------------------------------- seed

def test_official_days_2026() -> None:
    days = official_days(2026)
    assert days[date(2026, 10, 10)] is True and days[date(2026, 9, 20)] is True
    assert days[date(2026, 10, 1)] is False and date(2026, 10, 3) not in days  # Saturday: default already
    assert all(v != (d.weekday() < 5) for d, v in days.items())
    assert all(chinese_calendar.is_workday(d) == v for d, v in days.items())
    with pytest.raises(ValueError, match="no official calendar data"):
        official_days(known_years().stop)


def test_known_years_is_probed() -> None:
    years = known_years()
    assert set(range(2020, 2027)) <= set(years)
    chinese_calendar.is_workday(date(years.stop - 1, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(years.stop, 1, 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(years.start - 1, 12, 31))


def test_provisional_holidays() -> None:
    h27 = provisional_holidays(2027)
    assert h27[date(2027, 1, 1)] == "元旦" and date(2027, 10, 1) in h27
    assert date(2027, 3, 8) not in h27  # 妇女节 is a half-day holiday, not statutory
    h26 = provisional_holidays(2026)
    assert date(2026, 10, 5) in h26  # 补假 of National Day on a Sunday
    assert date(2026, 10, 7) not in h26  # 调休 swap: its make-up working day cannot be expressed
    assert all(isinstance(v, str) and "调休" not in v for v in {**h26, **h27}.values())


# ---------------------------------------------------------------- independent reference, random samples

PERIOD_MINUTES = [(8 * 60 + 30, 12 * 60), (14 * 60, 17 * 60 + 30)]
CLOSE = time(17, 30)
# CUM[m] = number of working minutes in [00:00, m) of a working day.
CUM = [0]
for _m in range(1440):
    CUM.append(CUM[-1] + any(a <= _m < b for a, b in PERIOD_MINUTES))


@lru_cache(maxsize=None)
def ref_workday(d: date) -> bool:
    return chinese_calendar.is_workday(d)


def ref_add(start: datetime, amount: int, unit: str) -> datetime:
    """Reference deadline as naive Shanghai wall time; ``start`` is naive, whole minutes."""
    if unit in ("minutes", "hours", "days"):
        return start + timedelta(**{unit: amount})
    day = start.date()
    if unit == "work_days":
        count = 0
        while count < amount:
            day += timedelta(days=1)
            count += ref_workday(day)
        return datetime.combine(day, CLOSE)
    remaining, minute = amount * 60, start.hour * 60 + start.minute
    while True:
        if ref_workday(day):
            if CUM[1440] - CUM[minute] >= remaining:
                m = minute
                while CUM[m] - CUM[minute] < remaining:  # minute by minute
                    m += 1
                return datetime.combine(day, time()) + timedelta(minutes=m)
            remaining -= CUM[1440] - CUM[minute]
        day, minute = day + timedelta(days=1), 0


def ref_between(a: datetime, b: datetime) -> timedelta:
    total, day = 0, a.date()
    while datetime.combine(day, time()) < b:
        if ref_workday(day):
            lo = max(0, int((a - datetime.combine(day, time())).total_seconds() // 60))
            hi = min(1440, int((b - datetime.combine(day, time())).total_seconds() // 60))
            if hi > lo:
                total += CUM[hi] - CUM[lo]
        day += timedelta(days=1)
    return timedelta(minutes=total)


EDGE_TIMES = [0, 509, 510, 511, 719, 720, 721, 839, 840, 841, 1049, 1050, 1051, 1439]
SPECIAL = [date(2020, 1, 1) + timedelta(days=i) for i in range((date(2026, 12, 31) - date(2020, 1, 1)).days)]
SPECIAL = [d for d in SPECIAL if chinese_calendar.is_workday(d) != (d.weekday() < 5)]


def random_start(rng: random.Random) -> datetime:
    if rng.random() < 0.4:  # near a holiday or 调休 day
        day = rng.choice(SPECIAL) + timedelta(days=rng.randint(-20, 3))
    else:
        day = date(2020, 1, 1) + timedelta(days=rng.randint(0, (date(2026, 11, 30) - date(2020, 1, 1)).days))
    day = min(day, date(2026, 11, 30))
    minute = rng.choice(EDGE_TIMES) if rng.random() < 0.4 else rng.randint(0, 1439)
    return datetime.combine(day, time()) + timedelta(minutes=minute)


def test_random_samples_match_reference(cal: WorkCalendar) -> None:
    rng = random.Random(20260930)
    plan = ([("work_days", 1, 15)] * 1200 + [("work_hours", 1, 40)] * 1200
            + [("minutes", 1, 600), ("hours", 1, 72), ("days", 1, 30)] * 200)
    mismatches, on_makeup_day, across_holiday = [], 0, 0
    for i, (unit, lo, hi) in enumerate(plan):
        start, amount = random_start(rng), rng.randint(lo, hi)
        arg = start if i % 3 else start.replace(tzinfo=SH)  # naive and aware inputs
        if i % 7 == 0:
            arg = start.replace(tzinfo=SH).astimezone(timezone.utc)
        got = cal.add(arg, Limit(amount, unit))  # type: ignore[arg-type]
        want = ref_add(start, amount, unit).replace(tzinfo=SH)
        if got != Deadline(want, False, frozenset()) or got.at.tzinfo is not SH:
            mismatches.append((start, amount, unit, got, want))
        if unit == "work_hours" and cal.working_time_between(arg, got.at) != timedelta(hours=amount):
            mismatches.append((start, amount, unit, "working_time_between", got))
        if not unit.startswith("work"):
            continue
        on_makeup_day += want.weekday() >= 5
        span = [start.date() + timedelta(days=k) for k in range((want.date() - start.date()).days + 1)]
        across_holiday += any(d.weekday() < 5 and not ref_workday(d) for d in span)
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"
    assert on_makeup_day >= 50 and across_holiday >= 500, (on_makeup_day, across_holiday)


def test_random_working_time_between_matches_reference(cal: WorkCalendar) -> None:
    rng = random.Random(12345)
    mismatches = []
    for _ in range(600):
        a = random_start(rng)
        b = a + timedelta(minutes=rng.randint(-60, 20 * 1440))
        got = cal.working_time_between(a.replace(tzinfo=SH), b)
        want = ref_between(a, b) if b > a else timedelta(0)
        if got != want:
            mismatches.append((a, b, got, want))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


def test_default_periods_match_reference_table() -> None:
    assert [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in DEFAULT_PERIODS] == PERIOD_MINUTES
