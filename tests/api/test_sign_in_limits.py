"""Sign-in limits per address and per account, with backoff, and server-side sign-out (issue
#16 §4). A guesser elsewhere never locks the owner out of their usual address; one address
spraying many names is stopped; parallel guesses on PostgreSQL are counted, not raced past."""
from __future__ import annotations

import threading

import pytest

from tests.conftest import ON_POSTGRES
from tests.factories.directory import PASSWORD, make_user
from tests.factories.pages import csrf_of, sign_in_page

OWNER, ATTACKER = "10.1.0.7", "203.0.113.9"


def _token(client, username: str, password: str, addr: str) -> int:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr}).status_code


@pytest.fixture
def root(client, container):
    make_user(container, "root", "admin")
    assert _token(client, "root", PASSWORD, OWNER) == 200  # the owner's usual address
    return "root"


def test_five_wrong_guesses_from_elsewhere_do_not_lock_the_owner_out(client, root):
    assert [_token(client, root, "guess", ATTACKER) for _ in range(6)] == [401] * 5 + [429]
    assert _token(client, root, PASSWORD, ATTACKER) == 429  # that address waits, even with the password
    assert _token(client, root, PASSWORD, OWNER) == 200


def test_the_wait_doubles_with_each_further_failure(client, container, root):
    for _ in range(5):
        _token(client, root, "guess", ATTACKER)
    container.clock.advance(minutes=14)
    assert _token(client, root, "guess", ATTACKER) == 429
    container.clock.advance(minutes=1, seconds=1)
    assert _token(client, root, "guess", ATTACKER) == 401  # 15 min after the 5th: one more try
    container.clock.advance(minutes=29)
    assert _token(client, root, "guess", ATTACKER) == 429  # now 30 min
    container.clock.advance(minutes=1, seconds=1)
    assert _token(client, root, PASSWORD, ATTACKER) == 200  # and the right password clears the pair
    assert _token(client, root, "guess", ATTACKER) == 401


def test_spraying_many_names_from_one_address_is_stopped(client, container, root):
    make_user(container, "wang", "handler")
    codes = [_token(client, f"user{i}", "guess", ATTACKER) for i in range(40)]
    assert codes == [401] * 20 + [429] * 20
    assert _token(client, "wang", PASSWORD, ATTACKER) == 429
    assert _token(client, "wang", PASSWORD, "10.1.0.8") == 200  # other addresses are not touched
    container.clock.advance(minutes=16)
    assert _token(client, "wang", PASSWORD, ATTACKER) == 200


def test_a_sprayed_shared_address_still_lets_its_own_people_in(client, container, root):
    """One office behind one NAT address: someone there sprays names; those who signed in from
    it before still get in, an account new to it does not."""
    make_user(container, "wang", "handler")
    assert [_token(client, f"user{i}", "guess", OWNER) for i in range(21)] == [401] * 20 + [429]
    assert _token(client, root, PASSWORD, OWNER) == 200
    assert _token(client, "wang", PASSWORD, OWNER) == 429


def test_guesses_from_many_addresses_shut_out_strangers_but_not_the_usual_address(client, root):
    assert [_token(client, root, "guess", f"198.51.100.{i}") for i in range(10)] == [401] * 10
    assert _token(client, root, PASSWORD, "198.51.100.200") == 429  # a new address, even with the password
    assert _token(client, root, PASSWORD, OWNER) == 200


def test_the_sign_in_page_says_when_to_come_back(client, root):
    for _ in range(5):
        sign_in_page(client, root, "guess", ATTACKER)
    resp = sign_in_page(client, root, PASSWORD, ATTACKER)
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes writers, so there is no race to lose")
def test_sixty_parallel_guesses_are_counted_not_raced_past(app, container, root):
    barrier, codes = threading.Barrier(60), []

    def guess() -> None:
        client = app.test_client()
        barrier.wait()
        codes.append(_token(client, root, "guess", ATTACKER))

    threads = [threading.Thread(target=guess) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(codes) == 60 and set(codes) <= {401, 429}
    assert codes.count(401) <= 5, codes.count(401)


def test_signing_out_ends_every_copy_of_the_cookie(app, container):
    make_user(container, "wang", "handler")
    browser = app.test_client()
    sign_in_page(browser, "wang")
    stolen = app.test_client()
    stolen.set_cookie("session", browser.get_cookie("session").value)
    assert stolen.get("/").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_of(browser.get("/").get_data(as_text=True))})
    page = stolen.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_disabling_a_user_ends_their_session(app, client, container):
    make_user(container, "root", "admin")
    make_user(container, "wang", "handler")
    sign_in_page(client, "wang")
    assert client.get("/").status_code == 200
    admin = app.test_client()
    token = admin.post("/api/v1/auth/token", json={"username": "root", "password": PASSWORD}).get_json()["token"]
    assert admin.patch("/api/v1/users/wang", json={"active": False},
                       headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/").status_code == 302
