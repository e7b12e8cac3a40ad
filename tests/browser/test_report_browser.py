"""随手拍 on a phone (375 px) in Chromium: a citizen reports a pothole in five steps with two
photos (one carrying GPS) and a point, sees that a neighbour reported it nearby, and gets the
receipt with the number and the query code. Once with a map (tiles from a tiny local tile
server), once without tiles, where the phone's location sets the point and the citizen follows
the neighbour's case instead. axe-core finds nothing serious on any step."""
from __future__ import annotations

import dataclasses
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from engine.models import Case, CaseFollower
from tests.factories.event_loop import make_event_loop
from tests.factories.files import jpeg_with_gps, photo

HEPING = (39.9288, 116.4164)  # the map opens here (Settings.map_center)
NEIGHBOUR = dict(title="和平路有个大坑", description="坑很深", address="和平路3号", district="D-EAST", channel="app",
                 category="municipal.road.pothole", reporter_name="刘阿姨", reporter_phone="13900139001",
                 lat=39.9289, lng=116.4165)


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (225, 232, 220)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def tile_server():
    """``http://127.0.0.1:<port>/{z}/{x}/{y}.png``: the same light-green square for every tile."""
    body = _tile()

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200 if self.path.endswith(".png") else 404)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def neighbours_case(client, container) -> dict:
    return make_event_loop(client, container).report("liu", **NEIGHBOUR)


class Steps:
    """The phone going through the report's steps, checked and screenshotted at each."""

    def __init__(self, page, shot, check_a11y) -> None:
        self.page, self.shot, self.check = page, shot, check_a11y
        self.n = 0
        # no smooth scrolling or colour transitions: a tap lands where aimed, axe sees settled colours
        page.emulate_media(reduced_motion="reduce")

    def look(self, name: str) -> None:
        self.n += 1
        self.check(self.page)
        self.shot(self.page, f"{self.n:02d}-{name}")
        assert self.page.evaluate("document.scrollingElement.scrollWidth") <= 375

    def current(self) -> str:
        return self.page.locator(".report-step.is-current").get_attribute("data-step")

    def next(self) -> None:
        self.page.locator(".report-step.is-current [data-step-next]").click()

    def describe(self) -> None:
        assert self.current() == "describe"
        self.page.fill("#f-title", "和平路3号门前路面坑洼")
        self.page.fill("#f-description", "坑有脸盆那么大，下雨积水")
        self.look("describe")
        self.next()

    def photos(self, files: list[tuple[str, bytes]]) -> None:
        assert self.current() == "photos"
        self.next()  # no photo yet: the step stays and says so
        assert self.current() == "photos" and self.page.locator("#f-photos-needed").is_visible()
        self.page.set_input_files("#f-photo-files", [{"name": n, "mimeType": "image/jpeg", "buffer": b} for n, b in files])
        expect(self.page.locator("#photo-list [data-attachment-id]")).to_have_count(2)
        assert self.page.locator("#photo-count").inner_text() == "已添加照片：2 张（最多 9 张）"
        self.look("photos")
        self.next()

    def place(self) -> None:
        assert self.current() == "location"
        self.page.fill("#f-address", "和平路3号门前")
        self.page.select_option("#f-district", "D-EAST")

    def send(self) -> tuple[str, str]:
        self.next()
        assert self.current() == "review"
        assert "和平路3号门前路面坑洼" in self.page.locator("#review-list").inner_text()
        self.look("review")
        with self.page.expect_navigation():
            self.page.locator("#step-review button[type=submit]").click()
        number, code = self.page.inner_text("#receipt-number"), self.page.inner_text("#receipt-code")
        assert len(number) == 14 and len(code) == 6
        assert self.page.locator(f'a[href="/status/{number}?code={code}"]').count() == 1
        self.look("receipt")
        return number, code


def test_a_citizen_reports_a_pothole_on_the_map(container, neighbours_case, tile_server, base_url, phone, sign_in,
                                                shot, check_a11y):
    container.settings = dataclasses.replace(container.settings, map_tiles=tile_server, map_attribution="测试底图")
    steps = Steps(phone, shot, check_a11y)
    sign_in(phone, base_url, "zhang")
    phone.goto(f"{base_url}/report")
    assert steps.current() == "category" and phone.locator(".report-step:visible").count() == 1
    steps.look("category")
    phone.fill("#category-search", "井盖")
    assert phone.locator("label[for=cat-municipal-road-manhole_cover]").is_visible()
    assert not phone.locator("label[for=cat-municipal-road-pothole]").is_visible()
    phone.fill("#category-search", "pothole")
    phone.locator("label[for=cat-municipal-road-pothole]").click()
    steps.look("category-pothole")
    steps.next()
    steps.describe()
    steps.photos([("pothole.jpg", jpeg_with_gps(*HEPING)), ("close-up.jpg", photo(gps=None, color=(80, 80, 80)))])
    steps.place()
    assert "照片中记录的拍摄位置" in phone.inner_text("#point-text")  # the GPS photo set the point
    phone.wait_for_selector(".leaflet-tile-loaded")
    box = phone.locator("#report-map").bounding_box()
    phone.locator("#report-map").click(position={"x": box["width"] / 2 + 20, "y": box["height"] / 2})  # just east of it
    assert phone.inner_text("#point-text").startswith("已选位置")
    phone.wait_for_selector(f"#nearby :text('{neighbours_case['number']}')")
    nearby = phone.inner_text("#nearby")
    assert "和平路有个大坑" in nearby and "刘阿姨" not in nearby and "13900139001" not in nearby
    steps.look("location-map-nearby")
    number, _ = steps.send()
    with container.uow() as uow:
        case = uow.session.scalar(select(Case).where(Case.number == number))
        assert case.category == "municipal.road.pothole" and len(case.data["photos"]) == 2
        # 20 px east at zoom 16 is about 0.00043° of longitude
        assert abs(case.lat - HEPING[0]) < 0.0001 and HEPING[1] + 0.0003 < case.lng < HEPING[1] + 0.0006


def test_without_tiles_the_phone_gives_the_point_and_the_citizen_follows_the_neighbours_case(
        container, neighbours_case, base_url, phone, sign_in, shot, check_a11y):
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": HEPING[0], "longitude": HEPING[1]})
    steps = Steps(phone, shot, check_a11y)
    sign_in(phone, base_url, "zhang")
    phone.goto(f"{base_url}/report")
    assert phone.locator("#report-map").count() == 0
    steps.next()  # "Not sure" is chosen until the citizen picks a kind
    steps.describe()
    steps.photos([("a.jpg", photo(gps=None)), ("b.jpg", photo(gps=None, color=(30, 90, 160)))])
    steps.place()
    phone.click("#locate-me")
    expect(phone.locator("#f-lat")).not_to_have_value("")
    assert phone.inner_text("#point-text").startswith("已选位置：39.92880")
    follow = phone.get_by_role("button", name=f"关注该事项 {neighbours_case['number']}")
    follow.click()
    phone.wait_for_selector("#nearby :text('您已关注事项')")
    steps.look("location-followed")
    with container.uow() as uow:
        assert uow.session.scalar(select(CaseFollower.case_id)) == neighbours_case["id"]
    number, _ = steps.send()

    phone.goto(f"{base_url}/report/{number}/receipt?lang=en")
    assert "What happens next" in phone.content()
    steps.look("receipt-en")
    phone.goto(f"{base_url}/report?lang=en")
    assert phone.locator("label[for=cat-municipal-road-pothole]").inner_text().startswith("Pothole")
    steps.look("category-en")


def test_without_javascript_the_report_is_one_form_that_comes_back_with_its_problems(
        container, neighbours_case, base_url, browser, sign_in, shot, check_a11y, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.route("**/*.js", lambda route: route.abort())  # none of the page's scripts (axe is injected inline)
    page = context.new_page()
    try:
        sign_in(page, base_url, "zhang")
        page.goto(f"{base_url}/report")
        assert page.locator(".report-step:visible").count() == 5
        assert not page.locator("[data-step-next]").first.is_visible()
        page.fill("#f-title", "井盖缺失")
        page.check("#cat-municipal-road-manhole_cover")
        page.select_option("#f-district", "D-EAST")
        (tmp_path / "well.jpg").write_bytes(jpeg_with_gps(*HEPING))
        page.set_input_files("#f-photo-files", str(tmp_path / "well.jpg"))
        with page.expect_navigation():
            page.locator("#step-review button[type=submit]").click()
        assert page.locator("#f-address-error").is_visible()
        assert page.locator("#photo-list [data-attachment-id]").count() == 1  # kept for the next try
        check_a11y(page)
        shot(page, "01-refused-no-address")
        page.fill("#f-address", "和平路口")
        with page.expect_navigation():
            page.locator("#step-review button[type=submit]").click()
        number = page.inner_text("#receipt-number")
        check_a11y(page)
        shot(page, "02-receipt")
    finally:
        context.close()
    with container.uow() as uow:
        case = uow.session.scalar(select(Case).where(Case.number == number))
        assert len(case.data["photos"]) == 1 and (round(case.lat, 4), round(case.lng, 4)) == HEPING  # from the photo
