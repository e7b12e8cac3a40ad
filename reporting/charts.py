"""KPI charts as static SVG (pygal), for the cockpit pages and the PDFs WeasyPrint renders.

The markup carries no script and names its font by family, so it looks the same in a browser and
in a PDF. The canvas is small (400 units wide) with large type, so the text stays legible when
the SVG is scaled down to a 360 px phone; it scales with its container (a viewBox, no size).
A value of None is "no data": the point or bar is left out, never drawn as 0.
"""
from __future__ import annotations

import sys
import unicodedata

import pygal
from pygal.style import Style

# pygal appends a finder for its map plug-ins (unused here) that predates find_spec: every import
# that fails anywhere else would then raise an ImportWarning, which the test suite treats as an error
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if not isinstance(finder, pygal.PluginImportFixer)]

WIDTH = 400
TREND_HEIGHT = 300
BAR_ROW_HEIGHT = 34       # per department in a ranking, so a long list grows instead of squeezing
BAR_CHROME_HEIGHT = 90    # title and value axis around the ranking's bars
MAX_X_LABELS = 4          # day labels ("2026-11-23") fit four abreast on a phone
MAX_PRINTED_POINTS = 8    # more printed values on one line would overlap; the table has them
FONT_SIZE = 15
MARGIN = 8
PERCENT_TICKS = {"trend": (0, 0.25, 0.5, 0.75, 1), "ranking": (0, 0.5, 1)}

STYLE = Style(
    font_family='"Noto Sans CJK SC", "Noto Sans SC", sans-serif',
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#0dcaf0"),
    title_font_size=FONT_SIZE + 3,
    label_font_size=FONT_SIZE,
    major_label_font_size=FONT_SIZE,
    legend_font_size=FONT_SIZE,
    value_font_size=FONT_SIZE,
    value_label_font_size=FONT_SIZE,
    tooltip_font_size=FONT_SIZE,
    no_data_font_size=18,
    opacity="1",
    opacity_hover="1",
)
# the ranking prints dark values across its bar ends, so its bars are light (contrast > 7:1)
RANKING_STYLE = Style(**(STYLE.to_dict() | {"colors": ("#9ec5fe",)}))


def format_value(value: float, percent: bool) -> str:
    """How a chart prints a value: a fraction as "87.1%", a count or average as "12" or "3.25"."""
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def trend_chart(title: str, labels: list[str], series: dict[str, list[float | None]],
                percent: bool = True) -> str:
    """A line per series over the period labels. Every point's formatted value is in the markup
    (a `<desc class="value">`, and printed beside the point when few enough to stay legible)."""
    print_values = len(series) == 1 and len(labels) <= MAX_PRINTED_POINTS
    # the last x label is centred on the plot's edge, a printed value starts right of its point
    right = max([_text_width(label) / 2 for label in labels] + [0])
    if print_values:
        right = max(right, _text_width("100.0%") + 2 * MARGIN)
    chart = pygal.Line(
        **_common(title, percent, "trend", [v for values in series.values() for v in values]),
        style=STYLE,
        height=TREND_HEIGHT,
        margin_right=MARGIN + right,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values=print_values,
        x_labels_major_count=MAX_X_LABELS,
        show_minor_x_labels=len(labels) <= MAX_X_LABELS,
        allow_interruptions=True,
        dots_size=3,
        stroke_style={"width": 2.5},
    )
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return _finish(chart)


def ranking_chart(title: str, rows: list[tuple[str, float | None]], percent: bool = True,
                  higher_is_better: bool = True) -> str:
    """Horizontal bars, one per row, best at the top (rows without data last, with no bar), each
    with its value printed at the end of the bar."""
    ranked = sorted(rows, key=lambda row: _rank_key(row[1], higher_is_better))
    names = [name for name, _ in ranked]
    # pygal sizes the label column for Latin text; Chinese characters are twice as wide
    extra_left = max([_text_width(name) - len(name) * 0.6 * FONT_SIZE for name in names] + [0])
    chart = pygal.HorizontalBar(
        **_common(title, percent, "ranking", [value for _, value in ranked]),
        style=RANKING_STYLE,
        height=BAR_CHROME_HEIGHT + BAR_ROW_HEIGHT * max(len(ranked), 1),
        margin_left=MARGIN + extra_left,
        margin_right=MARGIN + _text_width("100.0%") / 2,
        show_legend=False,
        print_values=True,
        print_values_position="top",
    )
    # pygal stacks horizontal bars bottom-up: reverse so the best row is drawn at the top
    chart.x_labels = names[::-1]
    chart.add(title, [value for _, value in reversed(ranked)])
    return _finish(chart)


def _rank_key(value: float | None, higher_is_better: bool) -> tuple[bool, float]:
    if value is None:
        return (True, 0.0)
    return (False, -value if higher_is_better else value)


def _text_width(text: str) -> float:
    """The width of a label in the chart's font: full-width characters take a whole em."""
    ems = sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6 for char in text)
    return ems * FONT_SIZE


def _common(title: str, percent: bool, kind: str, values: list[float | None]) -> dict:
    options: dict = dict(
        title=title, width=WIDTH, js=[], disable_xml_declaration=True,
        value_formatter=lambda value: format_value(value, percent), no_data_text="—",
        margin=MARGIN, spacing=MARGIN, truncate_label=-1, truncate_legend=-1,
    )
    if percent:
        # a rate's axis always spans 0–100 %, so two charts compare at a glance
        options["range"] = (0, 1)
        options["y_labels"] = [{"value": tick, "label": f"{tick:.0%}"}
                               for tick in PERCENT_TICKS[kind]]
    else:
        options |= dict(include_x_axis=True, min_scale=3, max_scale=5)
        known = [value for value in values if value is not None]
        if known and all(float(value).is_integer() for value in known):
            # counts: whole-number ticks, never "0.4 cases"
            step = max(1, -(-int(max(known)) // 4))
            options["y_labels"] = list(range(0, int(max(known)) + step, step))
    return options


def _finish(chart: pygal.graph.graph.Graph) -> str:
    chart.add_xml_filter(_static)
    return chart.render()


def _static(root):  # pygal's lxml tree, just before it is serialised
    """Drop what a static chart must not carry (pygal's tooltip script, its dated comments) and
    name the image for screen readers: role="img" with its <title> first."""
    for node in list(root):
        if not isinstance(node.tag, str):
            root.remove(node)
    for script in list(root.iter("{*}script", "script")):
        script.getparent().remove(script)
    title = next(node for node in root if node.tag.rpartition("}")[2] == "title")
    root.insert(0, title)
    root.set("role", "img")
    return root
