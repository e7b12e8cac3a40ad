"""Export cells that a spreadsheet would run as a formula, made inert (OWASP, "CSV Injection"):
group names come from org units, diagrams and case data that admins, vendors and citizens type,
and a name such as ``=HYPERLINK(…)`` or ``@SUM(…)`` must open as the text it is."""
from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell: empty for None, and text a spreadsheet would read as a formula behind a
    leading apostrophe, which it shows as text (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(sheet: Worksheet, values: list) -> None:
    """Append ``values`` to ``sheet`` as they are: openpyxl stores a text starting with ``=`` as
    a formula, so such a cell is set back to text (a text cell is never evaluated)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
