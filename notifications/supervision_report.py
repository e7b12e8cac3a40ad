"""The supervision report (督办通报) in words and pictures: the four lists' titles and rules, each
case's reasons as a sentence, the KPI table's cells, the charts (reporting/charts.py) and the
PDF (documents/supervision_report). The web pages show the same words, cells and charts, so a
page and its PDF never disagree. ``t(zh, en)`` picks the language, as the documents' own does."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.kpis import LABELS
from reporting.charts import format_value, ranking_chart, trend_chart

from .documents import render

T = Callable[[str, str], str]
TITLES = {"overdue": ("应办未办", "Should have been handled"), "repeated": ("反复投诉", "Repeated complaints"),
          "long_open": ("久拖不决", "Long unresolved"), "buck_passing": ("推诿扯皮", "Buck-passing")}
RULES = {"overdue": ("期末已超过办理时限仍未完成的环节",
                     "Steps past their deadline and not done at the end of the period"),
         "repeated": ("本期有重复件并入，或因评价不满意重办",
                      "A duplicate merged in, or re-handled after an unsatisfied evaluation, in the period"),
         "long_open": ("期末已受理超过 {n} 个工作日仍未办结，或处于挂账",
                       "Open more than {n} working days at the end of the period, or on hold"),
         "buck_passing": ("本期第二次及以上退单，或提交争议会商",
                          "Returned a second time or more, or sent to dispute consultation, in the period")}
KPI_COLUMNS = ("accepted", "dispatched_in_time_rate", "feedback_on_time_rate", "completion_rate",
               "on_time_completion_rate", "satisfaction_rate", "callback_rate", "resolution_rate",
               "direct_reach_rate", "avg_working_days_to_complete")


def zh_or_en(lang: str) -> T:
    """``t(zh, en)`` for a language: English for ``"en"``, else Chinese."""
    return lambda zh, en: en if lang == "en" else zh


def kpi_cell(column: str, value) -> str:
    """A KPI as the table prints it: rates as 87.5%, counts and averages as numbers, — for none."""
    if value is None:
        return "—"
    return format_value(value, column.endswith("_rate"))


def _at(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _span(hours: float, t: T) -> str:
    if hours < 24:
        return t(f"{hours:g} 小时", f"{hours:g} h")
    return t(f"{hours / 24:.1f} 天", f"{hours / 24:.1f} days")


def reason_text(reason: dict, t: T, tz: ZoneInfo, step_name: Callable[[str], str] = str) -> str:
    """Why a case is on its list, in one line (``step_name`` translates a step's name)."""
    code = reason["code"]
    if code == "overdue":
        due, late, unit = _at(reason["due_at"], tz), _span(reason["hours"], t), reason["unit"]
        step = step_name(reason["step"])
        return t(f"{step}{f'（{unit}）' if unit else ''}{due} 到期，超期 {late}",
                 f"{step}{f' ({unit})' if unit else ''} due {due}, overdue {late}")
    if code == "merged":
        count, numbers = len(reason["numbers"]), "、".join(reason["numbers"])
        return t(f"并入重复件 {count} 件：{numbers}", f"{count} duplicate(s) merged: {numbers}")
    if code == "rehandled":
        return t(f"评价不满意重办第 {reason['times']} 次（{_at(reason['at'], tz)}）",
                 f"re-handled after an unsatisfied evaluation, time {reason['times']} ({_at(reason['at'], tz)})")
    if code == "open_long":
        return t(f"已受理 {reason['working_days']} 个工作日未办结", f"open {reason['working_days']} working days")
    if code == "on_hold":
        return t(f"挂账中，自 {_at(reason['since'], tz)}，复核期限 {_at(reason['review_due_at'], tz)}",
                 f"on hold since {_at(reason['since'], tz)}, review due {_at(reason['review_due_at'], tz)}")
    if code == "returned":
        units = "、".join(u for u in reason["units"] if u)
        return t(f"退单 {reason['times']} 次（{units}）", f"returned {reason['times']} times ({units})")
    return t(f"提交争议会商（{_at(reason['at'], tz)}）", f"sent to dispute consultation ({_at(reason['at'], tz)})")


def kpi_headers(t: T) -> list[tuple[str, str]]:
    """(column, title) of the KPI table's columns after the district's."""
    return [(column, t(*LABELS[column])) for column in KPI_COLUMNS]


def report_lists(report: dict, t: T, tz: ZoneInfo, step_name: Callable[[str], str] = str) -> list[dict]:
    """The four lists ``{code, title, rule, entries}``, each entry's ``reasons`` in words."""
    return [{"code": code, "title": t(*TITLES[code]), "rule": t(*RULES[code]).format(n=report["long_open_wd"]),
             "entries": [entry | {"reasons": [reason_text(r, t, tz, step_name) for r in entry["reasons"]]}
                         for entry in report["lists"][code]]} for code in TITLES]


def _series(rows: list[dict], days: list[str], column: str, missing) -> dict[str, list]:
    values: dict[str, dict[str, float]] = {}
    for row in rows:
        values.setdefault(row["group_name"], {})[row["period"]] = row[column]
    return {name: [by_day.get(day, missing) for day in days] for name, by_day in values.items()}


def report_charts(report: dict, t: T) -> list[str]:
    """The charts as SVG: accepted cases and the completion rate per day by district (for a
    period longer than a day) and the departments ranked by 按期办结率."""
    charts = []
    if report["daily"]:
        first, count = report["first"], (report["last"] - report["first"]).days + 1
        days = [(first + timedelta(days=n)).isoformat() for n in range(count)]
        for column, missing in (("accepted", 0), ("completion_rate", None)):
            title = t(f"{LABELS[column][0]}（按受理日）", f"{LABELS[column][1]} by day of receipt")
            charts.append(trend_chart(title, days, _series(report["daily"], days, column, missing),
                                      percent=column.endswith("_rate")))
    if report["departments"]:
        title = t(f"各部门{LABELS['on_time_completion_rate'][0]}", f"{LABELS['on_time_completion_rate'][1]} by department")
        charts.append(ranking_chart(title, [(row["group_name"], row["on_time_completion_rate"])
                                            for row in report["departments"]]))
    return charts


def document_context(report: dict, tz: ZoneInfo, lang: str = "zh-CN") -> dict:
    """The PDF's context: plain strings and numbers, as its sample.json shows."""
    t = zh_or_en(lang)
    return {"issuer": report["scope"], "issued_at": report["as_of"].astimezone(tz).isoformat(),
            "report_name": t(*report["name"]), "period": report["key"],
            "first": report["first"].isoformat(), "last": report["last"].isoformat(),
            "as_of": _at(report["as_of"], tz), "in_progress": report["in_progress"],
            "kpi_columns": [title for _, title in kpi_headers(t)],
            "kpi_rows": [{"name": row["group_name"], "cells": [kpi_cell(c, row[c]) for c in KPI_COLUMNS]}
                         for row in report["kpis"]],
            "charts": report_charts(report, t),
            "lists": [section | {"entries": [{k: e[k] for k in ("number", "title", "district_name", "department",
                                                               "reasons")} for e in section["entries"]]}
                      for section in report_lists(report, t, tz)]}


def report_pdf(report: dict, tz: ZoneInfo, lang: str = "zh-CN") -> bytes:
    """The report (engine.supervision_reports.build_report) as a PDF, its fonts embedded."""
    return render("supervision_report", document_context(report, tz, lang), lang)
