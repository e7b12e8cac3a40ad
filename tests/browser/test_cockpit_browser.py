"""A city leader opens the cockpit and the KPI trends at desktop and phone width: the tiles,
the heat table and the charts are on screen in zh-CN, the pages pass axe-core, and nothing
scrolls sideways. Screenshots: build/screenshots/<test>/<name>.png (each path is printed)."""
from __future__ import annotations

import pytest

from tests.factories.cockpit import cockpit_world

PHONE_390 = {"width": 390, "height": 844}
WIDTHS = {"desktop": 1280, "phone": 390}
TILES = {"intake": ("今日受理", "1"), "open": ("在办", "4"), "overdue": ("超期", "3"),
         "escalated": ("提级督办", "3"), "satisfaction": ("本月满意率", "66.7%")}


@pytest.fixture
def phone390(phone):
    """The conftest's phone (375 px, touch, its CSP watch) widened to a 390 px handset."""
    phone.set_viewport_size(PHONE_390)
    return phone


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_leader_reads_the_cockpit_and_the_trends(screen, request, base_url, client, container, clock, sign_in,
                                                   shot, check_a11y):
    cockpit_world(client, container, clock)
    tab = request.getfixturevalue("page" if screen == "desktop" else "phone390")
    sign_in(tab, base_url, "boss")
    tab.goto(f"{base_url}/cockpit")
    for key, (title, value) in TILES.items():
        tile = tab.locator(f"#tile-{key}")
        assert tile.is_visible() and title in tile.inner_text() and value in tile.inner_text(), key
    heat = tab.locator("table.heat-table")
    heat.scroll_into_view_if_needed()
    assert heat.is_visible() and "东城区" in heat.inner_text() and "城市管理" in heat.inner_text()
    ranking = tab.locator("#ranking-title ~ div svg")
    ranking.scroll_into_view_if_needed()
    assert ranking.is_visible() and ranking.bounding_box()["width"] <= WIDTHS[screen]
    _fits(tab, WIDTHS[screen])
    print("screenshot:", shot(tab, f"cockpit-{screen}"))
    check_a11y(tab)

    tab.get_by_role("link", name="指标趋势").click()
    tab.wait_for_url("**/cockpit/trends*")
    charts = tab.locator("figure.chart svg")
    assert charts.count() == 12
    first = charts.first
    assert first.is_visible() and first.bounding_box()["width"] <= WIDTHS[screen]
    assert "受理量" in tab.locator("main").inner_text()
    _fits(tab, WIDTHS[screen])
    print("screenshot:", shot(tab, f"trends-{screen}"))
    check_a11y(tab)


def test_the_cockpit_in_english_passes_axe(page, base_url, client, container, clock, sign_in, shot, check_a11y):
    cockpit_world(client, container, clock)
    sign_in(page, base_url, "boss")
    for path in ("/cockpit?lang=en", "/cockpit/trends?period=month"):
        page.goto(f"{base_url}{path}")
        assert "Leaders' cockpit" in page.locator("h1").inner_text()
        print("screenshot:", shot(page, path.strip("/").split("?")[0].replace("/", "-") + "-en"))
        check_a11y(page)
