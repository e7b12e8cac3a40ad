"""随手拍 through the Flask test client: a citizen reports a problem with photos and a point;
bad input comes back on its field with nothing started; photos upload one by one through
/my/uploads; open reports nearby show public fields only and can be followed; the receipt is
the reporter's alone; CSRF is checked."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from engine import services
from engine.duplicates import distance_m
from engine.models import Case, CaseAttachment, CaseFollower, User
from tests.factories.event_loop import make_event_loop
from tests.factories.files import exe_named_jpg, jpeg_with_gps, multipart, photo
from tests.web.test_task_pages import _sign_in

HEPING = (39.9288, 116.4164)  # the point every report here is near
NEAR_HEPING = (39.9290, 116.4166)  # about 30 m away
POTHOLE = {"title": "和平路3号门前路面坑洼", "address": "和平路3号", "district": "D-EAST",
           "category": "municipal.road.pothole"}
NEIGHBOUR = dict(POTHOLE, title="和平路有个大坑", description="坑很深，昨晚有人摔倒", channel="app",
                 reporter_name="刘阿姨", reporter_phone="13900139001", lat=NEAR_HEPING[0], lng=NEAR_HEPING[1])


@pytest.fixture
def loop(client, container):
    return make_event_loop(client, container)


def _upload(client, token: str, filename: str, data: bytes, query: str = "", **fields):
    body, content_type = multipart(filename, data, **({"process_key": "event_closed_loop", "field": "photos"} | fields))
    return client.post(f"/my/uploads{query}", data=body, content_type=content_type, headers={"X-CSRFToken": token})


def _photo_id(client, token: str, data: bytes, filename: str = "photo.jpg") -> str:
    resp = _upload(client, token, filename, data)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return re.search(r'name="photos" value="([0-9a-f]{32})"', resp.get_data(as_text=True)).group(1)


def _cases(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Case))


def test_a_report_with_two_photos_and_a_point_starts_a_case_with_both(loop, client, container):
    token = _sign_in(client, "zhang")
    page = client.get("/report").get_data(as_text=True)
    assert "道路坑洼" in page and "井盖破损缺失" in page and 'capture="environment"' in page
    first = _upload(client, token, "pothole.jpg", jpeg_with_gps(*HEPING))
    row = first.get_data(as_text=True)
    assert first.status_code == 200 and 'data-lat="39.9288"' in row and "pothole.jpg" in row
    first_id = re.search(r'name="photos" value="([0-9a-f]{32})"', row).group(1)
    assert f'src="/files/{first_id}"' in row and 'name="remove_upload"' in row
    second_id = _photo_id(client, token, photo(gps=None, color=(90, 90, 90)), "close-up.jpg")

    resp = client.post("/report", data=POTHOLE | {"csrf_token": token, "photos": [first_id, second_id],
                                                   "lat": "39.92885", "lng": "116.41645"})
    assert resp.status_code == 302
    number = re.search(r"/report/(\d+)/receipt$", resp.headers["Location"]).group(1)
    receipt = client.get(resp.headers["Location"]).get_data(as_text=True)
    with container.uow() as uow:
        case = uow.session.scalar(select(Case).where(Case.number == number))
        linked = set(uow.session.scalars(select(CaseAttachment.attachment_id).where(CaseAttachment.case_id == case.id)))
        assert (case.lat, case.lng, case.category) == (39.92885, 116.41645, POTHOLE["category"])
        assert case.data["photos"] == [first_id, second_id] and case.data["channel"] == "app"
        code, case_id = case.query_code, case.id
    assert linked == {first_id, second_id}
    assert number in receipt and code in receipt and f"/status/{number}?code={code}" in receipt
    assert f'href="/my/cases/{case_id}"' in receipt


def test_photos_sent_with_the_form_without_javascript_give_the_point_from_their_location(loop, client, container):
    token = _sign_in(client, "zhang")
    resp = client.post("/report", content_type="multipart/form-data", data=POTHOLE | {
        "csrf_token": token, "photos": [(io.BytesIO(jpeg_with_gps(*HEPING)), "a.jpg"),
                                        (io.BytesIO(photo(gps=None)), "b.jpg")]})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with container.uow() as uow:
        case = uow.session.scalars(select(Case)).one()
        assert len(case.data["photos"]) == 2
        assert (round(case.lat, 4), round(case.lng, 4)) == HEPING


def test_a_missing_address_is_named_and_nothing_starts(loop, client, container):
    token = _sign_in(client, "zhang")
    photo_id = _photo_id(client, token, photo())
    resp = client.post("/report", data={k: v for k, v in POTHOLE.items() if k != "address"}
                       | {"csrf_token": token, "photos": [photo_id]})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="f-address-error"' in page and 'href="#f-address"' in page and "地址" in page
    assert f'value="{photo_id}"' in page and POTHOLE["title"] in page  # kept for the next try
    assert _cases(container) == 0


def test_a_report_needs_a_photo_and_takes_at_most_nine(loop, client, container):
    token = _sign_in(client, "zhang")
    none = client.post("/report", data=POTHOLE | {"csrf_token": token})
    assert none.status_code == 400 and 'id="f-photos-error"' in none.get_data(as_text=True)
    ids = [_photo_id(client, token, photo(gps=None, color=(i * 20, 80, 80)), f"p{i}.jpg") for i in range(10)]
    ten = client.post("/report", data=POTHOLE | {"csrf_token": token, "photos": ids})
    page = ten.get_data(as_text=True)
    assert ten.status_code == 400 and 'id="f-photos-error"' in page and "9" in page
    assert _cases(container) == 0


def test_a_file_that_is_not_an_image_is_refused_in_the_row(loop, client, container):
    token = _sign_in(client, "zhang")
    resp = _upload(client, token, "photo.jpg", exe_named_jpg())
    row = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'role="alert"' in row and "photo.jpg" in row
    assert 'name="photos"' not in row and "JPEG" in row
    english = _upload(client, token, "notes.txt", b"just some text", query="?lang=en")
    assert english.status_code == 400 and "judged by their content" in english.get_data(as_text=True)
    assert _upload(client, token, "x.jpg", photo(), field="title").status_code == 400  # not an attachment field


def test_nearby_lists_another_citizens_open_report_with_public_fields_only_and_it_can_be_followed(
        loop, client, container):
    old = loop.report("liu", **(NEIGHBOUR | {"title": "上周的坑"}))
    container.clock.advance(hours=80)  # past the diagram's 72 hours
    theirs = loop.report("liu", **NEIGHBOUR)
    far = loop.report("liu", **(NEIGHBOUR | {"title": "远处的坑", "lat": 39.95, "lng": 116.45}))
    other_kind = loop.report("liu", **(NEIGHBOUR | {"title": "路灯不亮", "category": "municipal.lighting.streetlight_out"}))
    container.clock.advance(hours=2)
    _sign_in(client, "zhang")
    resp = client.get(f"/report/nearby?lat={HEPING[0]}&lng={HEPING[1]}&category=municipal.road.pothole")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert theirs["number"] in html and NEIGHBOUR["title"] in html and "道路坑洼" in html and "2小时前" in html
    assert f"相距 {round(distance_m(*HEPING, *NEAR_HEPING))} 米" in html
    assert far["number"] not in html and other_kind["number"] not in html and old["number"] not in html
    for private in ("刘阿姨", "13900139001", "摔倒", "/files/"):
        assert private not in html
    assert client.get("/report/nearby?lat=abc&lng=1").status_code == 400

    token = _sign_in(client, "zhang")
    followed = client.post(f"/my/following/{theirs['id']}", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert followed.status_code == 200 and theirs["number"] in followed.get_data(as_text=True)
    again = client.get(f"/report/nearby?lat={HEPING[0]}&lng={HEPING[1]}").get_data(as_text=True)
    assert other_kind["number"] in again and 'hx-post="/my/following/' + str(theirs["id"]) not in again
    assert theirs["number"] in client.get("/my").get_data(as_text=True)
    plain = client.post(f"/my/following/{far['id']}", data={"csrf_token": token})  # without htmx: to My cases
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/my")
    for unknown in ("999999", "99999999999999999999"):
        assert client.post(f"/my/following/{unknown}", data={"csrf_token": token}).status_code == 404
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CaseFollower)) == 2
        zhang = uow.session.scalar(select(User.id).where(User.username == "zhang"))
        view = services.get_case(uow, theirs["id"], zhang)
    assert view.get("following") and "data" not in view  # the public status only


def test_another_citizens_receipt_and_photo_are_not_found(loop, client):
    theirs = loop.report("liu", **NEIGHBOUR)
    liu_token = _sign_in(client, "liu")
    liu_photo = _photo_id(client, liu_token, photo())
    _sign_in(client, "zhang")
    assert client.get(f"/report/{theirs['number']}/receipt").status_code == 404
    assert client.get("/report/no-such-case/receipt").status_code == 404
    assert client.get(f"/files/{liu_photo}").status_code == 404


def test_forms_without_a_csrf_token_are_refused(loop, client, container):
    token = _sign_in(client, "zhang")
    photo_id = _photo_id(client, token, photo())
    assert client.post("/report", data=POTHOLE | {"photos": [photo_id]}).status_code == 400
    body, content_type = multipart("p.jpg", photo(), process_key="event_closed_loop", field="photos")
    assert client.post("/my/uploads", data=body, content_type=content_type).status_code == 400
    theirs = loop.report("liu", **NEIGHBOUR)
    assert client.post(f"/my/following/{theirs['id']}").status_code == 400
    assert _cases(container) == 1


def test_only_signed_in_citizens_report(loop, client):
    assert client.get("/report").status_code == 302 and "/login" in client.get("/report").headers["Location"]
    _sign_in(client, "li")  # a 12345 operator
    assert client.get("/report").status_code == 403
    assert client.get(f"/report/nearby?lat={HEPING[0]}&lng={HEPING[1]}").status_code == 403
