"""The KPI charts are static SVG a browser and WeasyPrint both draw: no script, a title, every
value written as the page prints it, no data left out rather than drawn as 0, and the best
department at the top of a ranking."""
from __future__ import annotations

import ast
from pathlib import Path

from lxml import etree
from weasyprint import HTML

from reporting.charts import format_value, ranking_chart, trend_chart
from tests.factories.pdf import pdf_text

REPORTING = Path(__file__).resolve().parents[2] / "reporting"
SVG = "{http://www.w3.org/2000/svg}"


def _tree(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def _point_values(svg: str) -> list[str]:
    return [desc.text for desc in _tree(svg).iter(f"{SVG}desc") if desc.get("class") == "value"]


def _bars_top_down(svg: str) -> list[tuple[str, str]]:
    """(department, printed value) of each drawn bar, from the top of the chart down."""
    bars = []
    for bar in _tree(svg).iter(f"{SVG}g"):
        if bar.get("class") == "bar":
            descs = {desc.get("class"): desc.text for desc in bar.iter(f"{SVG}desc")}
            y = float(bar.find(f"{SVG}rect").get("y"))
            bars.append((y, descs["x_label"], descs["value"]))
    return [(name, value) for _, name, value in sorted(bars)]


def test_a_trend_is_static_svg_named_by_its_title():
    svg = trend_chart("满意率 Satisfaction", ["2026-10", "2026-11"], {"满意率": [0.9, 0.8714]})
    root = _tree(svg)
    assert svg.startswith("<svg")
    assert "<script" not in svg and "javascript" not in svg
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == "满意率 Satisfaction"
    assert '"Noto Sans CJK SC"' in svg
    assert root.get("viewBox") and root.get("width") is None   # scales with its container


def test_every_point_of_a_trend_carries_its_value_and_none_is_no_point():
    labels = [f"2026-11-{day:02d}" for day in range(1, 31)]
    values = [None if day % 7 == 0 else round(0.5 + day / 100, 4) for day in range(30)]
    svg = trend_chart("按期办结率", labels, {"按期办结率": values})
    assert _point_values(svg) == [format_value(v, True) for v in values if v is not None]
    assert "87.1%" in _point_values(trend_chart("满意率", ["2026-11"], {"满意率": [0.8714]}))
    # a month with no evaluated case is a gap, not a 0 %
    assert _point_values(trend_chart("满意率", ["10", "11", "12"], {"满意率": [0.5, None, 1]})) \
        == ["50.0%", "100.0%"]


def test_counts_and_averages_print_as_numbers():
    svg = trend_chart("受理量", ["2026-10", "2026-11"], {"东城区": [12, 7], "西城区": [3.25, None]},
                      percent=False)
    assert _point_values(svg) == ["12", "7", "3.25"]
    assert "东城区" in svg and "西城区" in svg   # a legend names each series


def test_a_ranking_puts_the_best_department_on_top_and_no_data_last():
    rows = [("西城区住建局", 0.5), ("东城区城市管理委员会", 0.8714), ("市交通委", None),
            ("东城区水务局", 0.95)]
    svg = ranking_chart("按期办结率", rows)
    assert _bars_top_down(svg) == [("东城区水务局", "95.0%"), ("东城区城市管理委员会", "87.1%"),
                                   ("西城区住建局", "50.0%")]
    assert "市交通委" in svg and "<script" not in svg   # listed, with no bar
    # for 重办率 or hours, lower is better
    lower = ranking_chart("重办率", rows, higher_is_better=False)
    assert [name for name, _ in _bars_top_down(lower)][0] == "西城区住建局"


def test_weasyprint_draws_the_values_into_a_pdf():
    charts = trend_chart("满意率", ["2026-10", "2026-11"], {"满意率": [0.8714, 0.5]}) \
        + ranking_chart("按期办结率", [("东城区水务局", 0.95)])
    text = pdf_text(HTML(string=f"<body style='width:360px'>{charts}</body>").write_pdf())
    for shown in ("满意率", "87.1%", "50.0%", "东城区水务局", "95.0%", "2026-11"):
        assert shown in text


def test_reporting_knows_neither_flask_nor_the_engine():
    imported = set()
    for path in REPORTING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add((node.module or "").split(".")[0])
    assert imported.isdisjoint({"flask", "werkzeug", "engine", "webapp", "notifications"})
