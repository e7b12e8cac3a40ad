"""Self-registration (issue #14 §1): a code by SMS proves the phone number, the password has
rules, an enterprise account carries a checked 统一社会信用代码, and bad input changes nothing."""
from __future__ import annotations

import logging
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from bench.local_servers import SmsGateway
from engine import services
from engine.credit_code import is_valid
from engine.models import User
from notifications.delivery import deliver_due
from tests.factories.bundles import BundleWorld
from tests.factories.directory import make_org_tree

PHONE = "13912345678"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def sms(container):
    make_org_tree(container)
    with SmsGateway() as gateway:
        container.settings = replace(container.settings, sms_url=gateway.url)
        yield gateway


def _send(client, phone: str = PHONE):
    token = _csrf(client.get("/register").get_data(as_text=True))
    return client.post("/register", data={"csrf_token": token, "action": "send", "phone": phone})


def _code(container, sms) -> str:
    deliver_due(container, "test")
    return re.search(r"验证码(\d{6})", sms.texts[-1][1]).group(1)


def _register(client, **fields):
    token = _csrf(client.get("/register").get_data(as_text=True))
    data = {"csrf_token": token, "action": "register", "phone": PHONE, "display_name": "李阿姨",
            "password": "Harbour2026", "kind": "personal"} | fields
    return client.post("/register", data=data)


def _users(container) -> list[User]:
    with container.session_factory() as s:
        return list(s.scalars(select(User).where(User.username == PHONE)))


def test_a_citizen_registers_with_the_code_from_the_sms_and_is_signed_in(client, container, sms):
    sent = _send(client)
    assert sent.status_code == 200 and "139****5678" in sent.get_data(as_text=True)
    code = _code(container, sms)
    assert sms.texts[-1][1].startswith("【市民服务】") and len(sms.texts[-1][1]) <= 70
    done = _register(client, code=code)
    assert done.status_code == 302 and done.headers["Location"].endswith("/my")
    [user] = _users(container)
    assert (user.phone, user.display_name, user.role_names(), user.account_kind) == (PHONE, "李阿姨", ["citizen"], "personal")
    assert client.get("/my").status_code == 200
    assert _register(client, code=code).status_code == 400  # the number is taken now


def test_without_a_gateway_the_code_is_in_the_log(client, container, caplog):
    make_org_tree(container)
    with caplog.at_level(logging.WARNING, logger="notifications.verification"):
        assert _send(client).status_code == 200
    code = re.search(rf"verification code for {PHONE} is (\d{{6}})", caplog.text).group(1)
    assert _register(client, code=code).status_code == 302


def test_a_wrong_code_is_named_and_five_guesses_burn_it(client, container, sms):
    _send(client)
    code = _code(container, sms)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(5):
        resp = _register(client, code=wrong)
        assert resp.status_code == 400 and 'id="r-code-error"' in resp.get_data(as_text=True)
    assert _register(client, code=code).status_code == 400 and _users(container) == []


def test_a_second_code_within_a_minute_is_refused(client, container, sms, clock):
    assert _send(client).status_code == 200
    assert _send(client).status_code == 429
    clock.advance(seconds=61)
    assert _send(client).status_code == 200


@pytest.mark.parametrize("fields, bad", [
    ({"password": "short1"}, "password"), ({"password": "onlyletters"}, "password"),
    ({"password": f"x{PHONE}"}, "password"), ({"display_name": " "}, "display_name"),
    ({"phone": "12345"}, "phone"), ({"kind": "enterprise", "organisation": "海港科技有限公司",
                                     "credit_code": "91350100M000100Y44"}, "credit_code"),
    ({"kind": "enterprise", "credit_code": "91350100M000100Y43"}, "organisation"),
])
def test_bad_details_are_named_and_nothing_is_created(client, container, sms, fields, bad):
    _send(client)
    resp = _register(client, code=_code(container, sms), **fields)
    assert resp.status_code == 400 and f'id="r-{bad}-error"' in resp.get_data(as_text=True)
    assert _users(container) == []


def test_an_enterprise_account_keeps_its_credit_code(client, container, sms):
    _send(client)
    assert _register(client, code=_code(container, sms), kind="enterprise", organisation="海港科技有限公司",
                     credit_code="91350100m000100y43").status_code == 302
    [user] = _users(container)
    assert (user.account_kind, user.organisation, user.credit_code) == ("enterprise", "海港科技有限公司", "91350100M000100Y43")


def test_the_credit_code_check_character():
    assert is_valid("91350100M000100Y43") and is_valid("91110000600037341L")
    assert not is_valid("91350100M000100Y4") and not is_valid("91350100M000100Y4I") and not is_valid("9135010OM000100Y43")


def test_large_text_is_remembered_on_the_account(client, container, sms):
    _send(client)
    _register(client, code=_code(container, sms))
    token = _csrf(client.get("/my").get_data(as_text=True))
    assert client.post("/account/large-text", data={"csrf_token": token, "on": "1", "next": "/my"}).status_code == 302
    assert 'class="large-text"' in client.get("/my").get_data(as_text=True)
    with client.session_transaction() as s:
        s.clear()
    token = _csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "username": PHONE, "password": "Harbour2026"})
    assert 'class="large-text"' in client.get("/my").get_data(as_text=True)


def test_an_enterprise_accounts_details_prefill_its_applications(client, container, caplog):
    BundleWorld(client, container, keys=("policy_cashing",))
    with caplog.at_level(logging.WARNING, logger="notifications.verification"):
        _send(client)
    code = re.search(rf"verification code for {PHONE} is (\d{{6}})", caplog.text).group(1)
    _register(client, code=code, kind="enterprise", organisation="海港科技有限公司", credit_code="91350100M000100Y43")
    [user] = _users(container)
    with container.uow() as uow:
        form = services.guide_bundle(uow, "policy_cashing", {"enterprise_size": "sme", "hired_graduates": False},
                                     user.id)["form"]
    values = {f["name"]: f.get("value") for f in form["fields"]}
    assert (values["enterprise_name"], values["credit_code"], values["contact_phone"]) == (
        "海港科技有限公司", "91350100M000100Y43", PHONE)


def test_my_details_change_the_name_and_a_bad_credit_code_changes_nothing(client, container, sms):
    _send(client)
    _register(client, code=_code(container, sms), kind="enterprise", organisation="海港科技有限公司",
              credit_code="91350100M000100Y43")
    page = client.get("/account/profile").get_data(as_text=True)
    assert "海港科技有限公司" in page
    token = _csrf(page)
    bad = client.post("/account/profile", data={"csrf_token": token, "display_name": "李经理",
                                                "organisation": "海港科技有限公司", "credit_code": "91350100M000100Y44"})
    assert bad.status_code == 400 and 'id="p-credit_code-error"' in bad.get_data(as_text=True)
    assert _users(container)[0].display_name == "李阿姨"
    good = client.post("/account/profile", data={"csrf_token": token, "display_name": "李经理",
                                                 "organisation": "海港新材料有限公司", "credit_code": "91110000600037341L"})
    assert good.status_code == 302
    user = _users(container)[0]
    assert (user.display_name, user.organisation, user.credit_code) == ("李经理", "海港新材料有限公司", "91110000600037341L")
    assert "李经理" in client.get("/my").get_data(as_text=True)
