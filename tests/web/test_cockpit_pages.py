"""The cockpit pages through the test client: who may open them and which part of the city each
overseer counts, bad query arguments named in a 400, and every chart value, tile and file equal
to what GET /api/v1/kpis says for the same range."""
from __future__ import annotations

import re

import pytest

from engine.kpis.metrics import RATES
from reporting.charts import format_value
from tests.factories.api import ApiUser
from tests.factories.cockpit import TODAY, cockpit_world
from tests.factories.directory import PASSWORD, make_org_tree, make_user
from webapp.cockpit.figures import TREND_KPIS

NOVEMBER = "from=2026-11-01&to=2026-11-30"
HEAT_COLUMNS = 8   # 城市管理 市政设施 水务 交通 公共安全 其他, then 未分类 when a case has none, then 合计


def browser(app, username: str):
    """A test client signed in through the login form, as a browser would be."""
    web = app.test_client()
    name, token = re.search(r'name="(csrf_token|_csrf)" value="([^"]+)"', web.get("/login").get_data(as_text=True)).groups()
    assert web.post("/login", data={name: token, "username": username, "password": PASSWORD}).status_code == 302
    return web


def page(web, path: str) -> str:
    resp = web.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.get_data(as_text=True)


def tiles(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="tile-(\w+)">.*?<div class="fs-3[^"]*">([^<]*)</div>', html, re.S))


def heat(html: str) -> dict[str, list[str]]:
    """District → its cells as shown, the row total last; {} when the page shows no table."""
    table = re.search(r'<table class="[^"]*heat-table.*?</table>', html, re.S)
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table.group(0), re.S) if table else []
    return {name: re.findall(r"<td[^>]*>([^<]*)</td>", cells) for name, cells in rows}


def chart_values(html: str) -> dict[str, list[str]]:
    """KPI → the values written into its trend chart, in period order."""
    return {kpi: re.findall(r'<desc class="value">([^<]*)</desc>', section)
            for kpi, section in re.findall(r'aria-labelledby="kpi-(\w+)">(.*?)</section>', html, re.S)}


def ranking(html: str) -> tuple[set[tuple[str, str]], list[str]]:
    """The ranking chart's (department, value) bars, and the departments in the table's order."""
    figure = re.search(r'id="ranking-title".*?<figure class="chart[^"]*">(.*?)</figure>(.*?)</section>', html, re.S)
    bars = set(re.findall(r'<desc class="value">([^<]*)</desc>.*?<desc class="x_label">([^<]*)</desc>',
                          figure.group(1), re.S))
    order = re.findall(r"<tr><td>[^<]*</td>\s*<td>([^<]*)</td>", figure.group(2))
    return {(name, value) for value, name in bars}, order


def shown(kpi: str, value) -> str:
    return "—" if value is None else format_value(value, kpi in RATES)


@pytest.fixture
def world(client, container, clock):
    loop = cockpit_world(client, container, clock)
    make_user(container, "lead_west", "leader", org_unit="D-WEST")
    return loop


def test_each_overseer_counts_their_own_area(app, world):
    city = page(browser(app, "boss"), "/cockpit")
    assert tiles(city) == {"intake": "1", "open": "4", "overdue": "3", "escalated": "3", "satisfaction": "66.7%"}
    # G waits for its evaluation past the deadline (a step for no org unit: the city's), H is
    # overdue at 东城区城管局, I waits for 预处理 at the 12345 centre: D-EAST cases, two of them urban
    assert heat(city) == {"东城区": ["2", "0", "0", "0", "0", "0", "1", "3"], "西城区": ["0"] * HEAT_COLUMNS}

    east = browser(app, "wu")   # 东城区督办: H's step is theirs; I, reported in 东城区 today, is theirs to count
    district = page(east, "/cockpit")
    assert tiles(district) == {"intake": "1", "open": "1", "overdue": "1", "escalated": "1", "satisfaction": "66.7%"}
    assert heat(district) == {"东城区": ["1", "0", "0", "0", "0", "0", "1"]}
    assert "西城区" not in district and "示范市" not in re.sub(r"<header>.*?</header>", "", district, flags=re.S)
    for elsewhere in ("D-WEST", "CITY", "D-WEST-CG"):
        assert east.get(f"/cockpit?unit={elsewhere}").status_code == 403, elsewhere
        assert east.get(f"/cockpit/trends?unit={elsewhere}").status_code == 403, elsewhere

    # the city's leader drills into 东城区 and sees what its supervisor sees
    assert tiles(page(browser(app, "boss"), "/cockpit?unit=D-EAST")) == tiles(district)

    west = page(browser(app, "lead_west"), "/cockpit")   # F is being handled, on time; no evaluation yet
    assert tiles(west) == {"intake": "0", "open": "1", "overdue": "0", "escalated": "0", "satisfaction": "—"}
    assert heat(west) == {} and "本范围内没有超过办理时限的环节" in west


@pytest.mark.parametrize("username", ["zhang", "zhao", "li"])
def test_citizens_handlers_and_operators_get_403(app, world, username):
    web = browser(app, username)
    for path in ("/cockpit", "/cockpit/trends", f"/cockpit/kpis.csv?{NOVEMBER}", f"/cockpit/kpis.xlsx?{NOVEMBER}"):
        assert web.get(path).status_code == 403, path
    assert "/cockpit" not in page(web, "/services")   # and the menu does not offer it


def test_signed_out_goes_to_the_login_page(client):
    resp = client.get("/cockpit/trends")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.fixture
def leader(app, container):
    make_org_tree(container)
    make_user(container, "boss", "leader", org_unit="CITY")
    return browser(app, "boss")


@pytest.mark.parametrize("path, query, field", [
    ("/cockpit", "kpi=speed", "kpi"), ("/cockpit", "unit=NOWHERE", "unit"),
    ("/cockpit/trends", "period=year", "period"), ("/cockpit/trends", "period=range", "period"),
    ("/cockpit/trends", "from=2026-13-01", "from"), ("/cockpit/trends", "to=yesterday", "to"),
    ("/cockpit/trends", "from=2026-12-01&to=2026-11-01", "from"),
    ("/cockpit/trends", "from=2025-01-01&to=2026-06-30&period=day", "period"),
    ("/cockpit/trends", "unit=NOWHERE", "unit"), ("/cockpit/kpis.csv", "group_by=street", "group_by")])
def test_bad_arguments_are_a_400_naming_the_argument(leader, path, query, field):
    resp = leader.get(f"{path}?{query}", headers={"Accept": "application/json"})
    assert resp.status_code == 400, (path, query, resp.get_data(as_text=True)[:300])
    assert list(resp.get_json()["error"]["fields"]) == [field]
    english = leader.get(f"{path}?{query}&lang=en")
    assert english.status_code == 400 and f"<li>{field}:" in english.get_data(as_text=True)


def test_an_empty_city_shows_no_data_rather_than_zero_rates(leader):
    html = page(leader, "/cockpit")
    assert tiles(html) == {"intake": "0", "open": "0", "overdue": "0", "escalated": "0", "satisfaction": "—"}
    assert all(values == [] for kpi, values in chart_values(page(leader, "/cockpit/trends")).items()
               if kpi != "accepted")


def _api_rows(client, query: str, unit: str = "CITY") -> list[dict]:
    resp = ApiUser(client, "boss").get(f"/kpis?{query}")
    assert resp.status_code == 200
    return [row for row in resp.get_json() if row["group"] == unit]


@pytest.mark.parametrize("period, labels", [
    ("day", [f"2026-11-{day:02d}" for day in range(1, 31)]),
    ("week", [f"2026-W{week}" for week in range(44, 50)]),   # 1 November is a Sunday, in W44
    ("month", ["2026-11"])])
def test_every_chart_value_is_the_apis(app, client, world, period, labels):
    html = page(browser(app, "boss"), f"/cockpit/trends?{NOVEMBER}&period={period}")
    rows = {row["period"]: row for row in _api_rows(client, f"{NOVEMBER}&group_by=org_unit&period={period}")}
    assert set(rows) <= set(labels) and re.findall(r"<tr><td>([^<]*)</td>", html)[:len(labels)] == labels
    charts = chart_values(html)
    assert list(charts) == list(TREND_KPIS)
    for kpi in TREND_KPIS:
        # a period with no case received has no row: 0 received, and no rate (no point) at all
        values = [rows[label][kpi] if label in rows else (0 if kpi == "accepted" else None) for label in labels]
        assert charts[kpi] == [shown(kpi, v) for v in values if v is not None], kpi
    assert sum(int(v) for v in charts["accepted"]) == 7   # A and D–I: B was voided, C merged into A


def test_a_districts_figures_are_its_district_rows(app, client, world):
    """A district's cockpit counts the cases reported in it (group_by=district), wherever they are
    worked, not only those its own units are responsible for."""
    html = page(browser(app, "boss"), f"/cockpit/trends?unit=D-EAST&{NOVEMBER}&period=week")
    rows = {row["period"]: row for row in _api_rows(client, f"{NOVEMBER}&group_by=district&period=week", "D-EAST")}
    assert chart_values(html)["accepted"] == [str(rows[label]["accepted"]) if label in rows else "0"
                                              for label in (f"2026-W{week}" for week in range(44, 50))]
    assert "group_by=district" in html
    today = _api_rows(client, f"from={TODAY}&to={TODAY}&group_by=district", "D-EAST")
    assert tiles(page(browser(app, "boss"), "/cockpit?unit=D-EAST"))["intake"] == str(today[0]["received"])


def test_tiles_and_ranking_are_the_apis(app, client, world):
    html = page(browser(app, "boss"), "/cockpit")
    month = _api_rows(client, f"from=2026-11-01&to={TODAY}&group_by=org_unit")
    today = _api_rows(client, f"from={TODAY}&to={TODAY}&group_by=org_unit")
    assert tiles(html)["satisfaction"] == shown("satisfaction_rate", month[0]["satisfaction_rate"])
    assert tiles(html)["intake"] == str(today[0]["received"])

    departments = {"CITY-12345", "CITY-CG", "D-EAST-CG", "D-EAST-SW", "D-WEST-CG"}
    for kpi, best_first in (("on_time_completion_rate", True), ("avg_hours_to_complete", False)):
        rows = [r for r in ApiUser(client, "boss").get(f"/kpis?from=2026-11-01&to={TODAY}&group_by=org_unit").get_json()
                if r["group"] in departments and r["accepted"]]
        bars, order = ranking(page(browser(app, "boss"), f"/cockpit?kpi={kpi}"))
        assert bars == {(r["group_name"], shown(kpi, r[kpi])) for r in rows if r[kpi] is not None}, kpi
        ranked = sorted(rows, key=lambda r: (r[kpi] is None, -(r[kpi] or 0) if best_first else (r[kpi] or 0)))
        assert order == [r["group_name"] for r in ranked], kpi


def test_the_files_are_the_apis_files(app, client, world):
    web = browser(app, "boss")
    html = page(web, f"/cockpit/trends?{NOVEMBER}&period=week")
    api = ApiUser(client, "boss")
    for kind in ("csv", "xlsx"):
        link = re.search(rf'href="(/cockpit/kpis\.{kind}\?[^"]+)"', html).group(1).replace("&amp;", "&")
        assert "group_by=org_unit" in link and "period=week" in link and "from=2026-11-01" in link
        mine, theirs = web.get(link), api.get(link.removeprefix("/cockpit"))
        assert mine.status_code == theirs.status_code == 200
        assert mine.headers["Content-Disposition"] == theirs.headers["Content-Disposition"]
        if kind == "csv":
            assert mine.get_data() == theirs.get_data()
