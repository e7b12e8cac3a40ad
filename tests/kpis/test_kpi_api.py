"""Issue 15: GET /api/v1/kpis and its CSV and XLSX exports: who may read them and which part of
the city they see, bad arguments named in a 400, and files that hold the JSON's numbers."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from engine.kpis import COLUMNS, LABELS
from tests.factories.api import ApiUser, people_signed_in
from tests.factories.directory import make_org_tree

from .world import new_year, november

NOVEMBER = "from=2026-11-01&to=2026-11-30"


def test_citizens_and_desk_staff_are_refused_and_a_district_supervisor_sees_their_district(client, container, clock):
    loop = november(client, container, clock)
    for username in ("zhang", "zhao", "li"):
        resp = loop.user(username).get(f"/kpis?{NOVEMBER}")
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden", username
        assert loop.user(username).get(f"/kpis.csv?{NOVEMBER}").status_code == 403

    east = loop.user("wu")  # 东城区督办
    by_district = east.get(f"/kpis?{NOVEMBER}&group_by=district").get_json()
    assert [(r["group"], r["group_name"], r["accepted"]) for r in by_district] == [("D-EAST", "东城区", 4)]
    by_unit = east.get(f"/kpis?{NOVEMBER}&group_by=org_unit").get_json()
    assert [r["group"] for r in by_unit] == ["D-EAST", "D-EAST-CG", "D-EAST-SW"]
    by_process = east.get(f"/kpis?{NOVEMBER}&group_by=process").get_json()
    assert [(r["received"], r["merged"], r["accepted"]) for r in by_process] == [(5, 1, 4)]  # no D-WEST case

    city = loop.user("zheng").get(f"/kpis?{NOVEMBER}&group_by=district").get_json()  # 市督办
    assert [r["group"] for r in city] == ["D-EAST", "D-WEST"]
    assert loop.admin.get(f"/kpis?{NOVEMBER}&group_by=district").get_json() == city


@pytest.fixture
def leader(client, container) -> ApiUser:
    make_org_tree(container)
    return people_signed_in(client, container, [("boss", "leader", "CITY")])["boss"]


@pytest.mark.parametrize("query, field", [
    ("group_by=street", "group_by"), ("period=year", "period"), ("from=2026-13-01", "from"),
    ("to=yesterday", "to"), ("from=2026-12-01&to=2026-11-01", "from"),
    ("from=2025-01-01&to=2026-06-30&period=day", "period"), ("from=2000-01-01&to=2026-01-01", "to"),
    ("from=0539-05-17&to=0539-05-17", "from"), ("to=9999-12-31&from=9999-12-01", "to")])  # schemathesis found both
def test_bad_arguments_are_a_400_naming_the_argument(leader, query, field):
    for path in ("/kpis", "/kpis.csv", "/kpis.xlsx"):
        resp = leader.get(f"{path}?{query}")
        assert resp.status_code == 400, (path, query, resp.get_data(as_text=True))
        assert list(resp.get_json()["error"]["fields"]) == [field], (path, query)


def test_no_arguments_means_this_month_so_far_by_district(leader, clock):
    assert leader.get("/kpis").get_json() == []  # no cases yet: no rows, not a row of zeros


def test_csv_and_xlsx_hold_the_json_rows_under_zh_cn_titles(client, container, clock):
    new_year(client, container, clock)
    boss = ApiUser(client, "boss")
    query = "from=2026-12-28&to=2027-01-10&group_by=category&period=month"
    rows = boss.get(f"/kpis?{query}").get_json()
    assert [(r["group"], r["period"]) for r in rows] == [
        (g, p) for g in ("urban", "urban.appearance", "urban.appearance.exposed_rubbish") for p in ("2026-12", "2027-01")]
    titles = [LABELS[c][0] for c in COLUMNS]
    assert titles[:4] == ["分组方式", "分组编码", "分组名称", "统计周期"] and "即时分转率" in titles

    resp = boss.get(f"/kpis.csv?{query}")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0] == titles
    assert table[1:] == [["" if r[c] is None else str(r[c]) for c in COLUMNS] for r in rows]

    resp = boss.get(f"/kpis.xlsx?{query}")
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(resp.get_data())).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == titles
    assert cells[1:] == [[r[c] for c in COLUMNS] for r in rows]
    assert rows[1]["group_name"] == "城市管理" and rows[1]["avg_hours_to_complete"] == 81.5


def test_the_openapi_document_describes_the_three_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/kpis", "/api/v1/kpis.csv", "/api/v1/kpis.xlsx"):
        params = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert {"from", "to", "group_by", "period"} <= params, path
        assert "400" in paths[path]["get"]["responses"], path
