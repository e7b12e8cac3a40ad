"""The cockpit's service data as the page shows it: KPI names in the page's language, values
formatted as the charts print them, the heat table's colour levels, and the SVG charts."""
from __future__ import annotations

from engine.kpis import LABELS
from engine.kpis.metrics import AVERAGES, RATES
from reporting.charts import format_value, ranking_chart, trend_chart

from ..i18n import current_language

TREND_KPIS = ("accepted", *RATES, *AVERAGES)
HEAT_LEVELS = 4   # colour steps above zero, darkest for the most overdue steps


def kpi_label(name: str) -> str:
    zh, en = LABELS[name]
    return zh if current_language() == "zh" else en


def shown(name: str, value: float | None) -> str:
    """A KPI value as the charts print it (87.1%, 12, 3.25); no data is —."""
    return "—" if value is None else format_value(value, name in RATES)


def ranking_svg(ranking: dict, area: dict) -> str | None:
    rows = [(row["name"], row["value"]) for row in ranking["rows"]]
    if not rows:
        return None
    return ranking_chart(f"{area['name']} · {kpi_label(ranking['kpi'])}", rows, percent=ranking["kpi"] in RATES,
                         higher_is_better=not ranking["lower_is_better"])


def trend_charts(trend: dict) -> list[dict]:
    """One chart per KPI with the table under it: (period label, shown value) per period. A
    period without cases received has no KPI row: 0 received, and no rate (not 0 %)."""
    labels = trend["labels"]
    axis = [label[5:] for label in labels] if trend["period"] == "day" else labels  # 11-23: fits a phone
    charts = []
    for name in TREND_KPIS:
        values = [row[name] if row else (0 if name == "accepted" else None) for row in trend["rows"]]
        title = kpi_label(name)
        charts.append({"kpi": name, "title": title,
                       "svg": trend_chart(title, axis, {trend["area"]["name"]: values}, percent=name in RATES),
                       "table": [(label, shown(name, value)) for label, value in zip(labels, values)]})
    return charts


def heat_table(heat: dict) -> dict:
    """The heat rows with a colour level (0–4) per cell, and the legend: each level's range of
    counts, so colour is never the only way to read a cell (the number is in it too)."""
    top = heat["max"]

    def level(n: int) -> int:
        return 0 if n == 0 else -(-n * HEAT_LEVELS // top)   # ceil: the maximum is the darkest

    rows = [row | {"cells": [(n, level(n)) for n in row["counts"]]} for row in heat["rows"]]
    legend = [(0, 0, 0)]
    for step in range(1, HEAT_LEVELS + 1):
        low, high = (step - 1) * top // HEAT_LEVELS + 1, step * top // HEAT_LEVELS
        if low <= high:
            legend.append((step, low, high))
    return {"categories": heat["categories"], "rows": rows, "legend": legend, "total": heat["total"]}
