"""平战切换 pages: /supervise/command-mode (the modes in force, the switch form with its
confirmation and CSRF, refusals in place) and the emergency banner on staff pages, which
citizens never see."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import CommandModeSwitch
from engine.services import command_mode
from tests.factories.directory import make_org_tree, make_user
from tests.web.test_task_pages import _field, _sign_in

PEOPLE = [("sup_east", "supervisor", "D-EAST"), ("boss", "leader", "CITY"), ("li", "handler", "D-EAST-CG"),
          ("xi", "handler", "D-WEST-CG"), ("zhang", "citizen", None)]
PAGE = "/supervise/command-mode"
BANNER = "应急指挥模式（战时）："


@pytest.fixture
def ids(container) -> dict[str, int]:
    make_org_tree(container)
    return {name: make_user(container, name, role, org_unit=unit) for name, role, unit in PEOPLE}


def signed_in(app, username: str):
    """A client of its own for ``username`` and the session's CSRF form field."""
    client = app.test_client()
    token = _sign_in(client, username)
    return client, {_field(client.get("/login").get_data(as_text=True)): token}


def switches(container) -> list[tuple]:
    with container.uow() as uow:
        return list(uow.session.execute(select(CommandModeSwitch.mode, CommandModeSwitch.reason)).all())


def test_a_district_supervisor_switches_their_district_with_confirmation(app, container, ids):
    client, csrf = signed_in(app, "sup_east")
    page = client.get(PAGE).get_data(as_text=True)
    assert "东城区 (常态模式（平时）)" in page
    assert "西城区" not in page and ">全市 (" not in page  # only what they oversee
    form = {"scope_org_unit": "D-EAST", "mode": "emergency", "reason": "暴雨内涝，启动应急", "confirm": "yes"}

    assert client.post(PAGE, data=form).status_code == 400  # no CSRF token
    unconfirmed = client.post(PAGE, data=csrf | form | {"confirm": ""})
    assert unconfirmed.status_code == 400 and 'id="cm-confirm-error"' in unconfirmed.get_data(as_text=True)
    assert client.post(PAGE, data=csrf | form | {"scope_org_unit": "D-WEST"}).status_code == 403
    assert client.post(PAGE, data=csrf | form | {"reason": " "}).status_code == 400
    assert switches(container) == []

    done = client.post(PAGE, data=csrf | form)
    assert done.status_code == 302 and done.headers["Location"].endswith(PAGE)
    page = client.get(PAGE).get_data(as_text=True)
    assert "暴雨内涝，启动应急" in page and BANNER + "东城区" in page
    assert switches(container) == [("emergency", "暴雨内涝，启动应急")]
    again = client.post(PAGE, data=csrf | form)
    assert again.status_code == 409 and "暴雨内涝，启动应急" in again.get_data(as_text=True)


def test_the_page_is_for_supervisors_and_leaders_only(app, ids):
    for username in ("li", "zhang"):
        client, csrf = signed_in(app, username)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, data=csrf | {"mode": "emergency", "reason": "x", "confirm": "yes"}).status_code == 403
    client, _ = signed_in(app, "boss")
    page = client.get(PAGE).get_data(as_text=True)
    assert "全市" in page and "东城区" in page and "西城区" in page


def test_the_banner_shows_on_staff_pages_of_the_scope_and_never_to_citizens(app, container, ids):
    east, _ = signed_in(app, "li")
    west, _ = signed_in(app, "xi")
    citizen, _ = signed_in(app, "zhang")
    assert BANNER not in east.get("/").get_data(as_text=True)

    with container.uow() as uow:
        command_mode.switch(uow, ids["boss"], "emergency", "D-EAST", "燃气管道泄漏，片区应急")
    inbox = east.get("/").get_data(as_text=True)
    assert BANNER + "东城区" in inbox and "燃气管道泄漏，片区应急" in inbox
    assert BANNER not in west.get("/").get_data(as_text=True)  # another district's handler

    with container.uow() as uow:
        command_mode.switch(uow, ids["boss"], "emergency", None, "全市防汛Ⅰ级响应")
    assert BANNER + "全市" in west.get("/").get_data(as_text=True)
    for path in ("/my", "/report", "/services"):
        assert BANNER not in citizen.get(path).get_data(as_text=True), path
    english = east.get("/?lang=en").get_data(as_text=True)
    assert "Emergency command mode (wartime): Whole city" in english
