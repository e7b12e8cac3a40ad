"""KPIs (docs/kpis.md) as JSON, CSV and XLSX with the same arguments: leaders, supervisors and
admins, each for their own part of the org tree. The files carry zh-CN column titles."""
from __future__ import annotations

import csv
import io

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from openpyxl import Workbook

from engine.kpis import COLUMNS, GROUP_BY, LABELS, PERIODS
from engine.kpis.metrics import AVERAGES, COUNTS, RATES
from engine.services.kpis import kpis
from forms import FormSchema

from ..calls import run
from .security import require_token
from .spreadsheet_cells import append_row, csv_cell

PREFIX = ""
blp = Blueprint("api_kpis", __name__, description="KPIs 考核指标: rates by group and period, with CSV and XLSX")
blp.before_request(require_token)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KpiQuery(FormSchema):
    from_ = fields.Date(data_key="from", load_default=None,
                        metadata={"description": "first local day received (default: the 1st of to's month)"})
    to = fields.Date(load_default=None, metadata={"description": "last local day received (default: today)"})
    group_by = fields.String(load_default="district", validate=validate.OneOf(GROUP_BY))
    period = fields.String(load_default="range", validate=validate.OneOf(PERIODS),
                           metadata={"description": "day, ISO week, month, or range (the whole from..to)"})


KpiRow = Schema.from_dict({
    "group_by": fields.String(), "group": fields.String(allow_none=True), "group_name": fields.String(),
    "period": fields.String(), "period_start": fields.String(), "period_end": fields.String(),
    **{name: fields.Integer() for name in COUNTS},
    **{name: fields.Float(allow_none=True) for name in (*RATES, *AVERAGES)},
    "working_days_provisional": fields.Boolean(),
}, name="KpiRow")


def _rows(args: dict) -> list[dict]:
    return run(kpis, g.user_id, args["from_"], args["to"], args["group_by"], args["period"])


def _file_name(rows: list[dict], args: dict, suffix: str) -> str:
    span = f"{rows[0]['period_start']}_{rows[-1]['period_end']}" if rows else "empty"
    return f'attachment; filename="kpis-{args["group_by"]}-{span}.{suffix}"'


@blp.route("/kpis", methods=["GET"])
@blp.arguments(KpiQuery, location="query")
@blp.response(200, KpiRow(many=True))
def table(args: dict):
    """One row per group and period of cases received from ``from`` to ``to``: counts, rates
    (fractions; null when nothing is in the denominator) and averages. Citizens and desk staff 403."""
    return _rows(args)


@blp.route("/kpis.csv", methods=["GET"])
@blp.arguments(KpiQuery, location="query")
@blp.response(200, {"type": "string"}, content_type="text/csv")
def table_csv(args: dict):
    """The same rows as CSV (UTF-8 with a byte-order mark, so that spreadsheets read the zh-CN titles)."""
    rows = _rows(args)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([LABELS[c][0] for c in COLUMNS])
    writer.writerows([[csv_cell(row[c]) for c in COLUMNS] for row in rows])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": _file_name(rows, args, "csv")})


@blp.route("/kpis.xlsx", methods=["GET"])
@blp.arguments(KpiQuery, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX)
def table_xlsx(args: dict):
    """The same rows as an Excel workbook, one sheet, zh-CN titles in the first row."""
    rows = _rows(args)
    book = Workbook()
    sheet = book.active
    sheet.title = "考核指标"
    sheet.append([LABELS[c][0] for c in COLUMNS])
    for row in rows:
        append_row(sheet, [row[c] for c in COLUMNS])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype=XLSX, headers={"Content-Disposition": _file_name(rows, args, "xlsx")})
