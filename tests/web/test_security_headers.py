"""Security headers and the session cookie (issue #16 §4): every response forbids framing and
sniffing, runs only the site's own scripts, and keeps full URLs out of Referer; the session
cookie is Secure whenever a real secret key is set, unless CIVICFLOW_SECURE_COOKIES=0 says
otherwise (the demo on http://127.0.0.1 has no key)."""
from __future__ import annotations

import dataclasses

import pytest

from engine.settings import load_settings
from tests.factories.directory import PASSWORD, make_user


def _policy(resp) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in resp.headers["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("path", ["/login", "/status", "/api/v1/processes", "/no-such-page", "/static/civicflow.css"])
def test_every_response_carries_the_headers(client, path):
    resp = client.get(path)
    resp.close()
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    policy = _policy(resp)
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and "unsafe-eval" not in resp.headers["Content-Security-Policy"]


def test_the_map_tiles_origin_is_the_only_outside_image_source(client, container):
    assert _policy(client.get("/login"))["img-src"] == "'self' data: blob:"
    container.settings = dataclasses.replace(container.settings, map_tiles="https://{s}.tiles.example.cn/{z}/{x}/{y}.png")
    assert _policy(client.get("/login"))["img-src"] == "'self' data: blob: https://*.tiles.example.cn"


def test_no_page_carries_inline_script(client, container):
    make_user(container, "wang", "handler", org_unit=None)
    client.post("/login", data={"username": "wang", "password": PASSWORD})
    for path in ("/", "/login", "/status", "/services", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert " onclick=" not in html and "<script>" not in html, path


def _cookie(app, container) -> str:
    make_user(container, "root", "admin")
    resp = app.test_client().post("/login", data={"username": "root", "password": PASSWORD})
    return resp.headers["Set-Cookie"]


def test_the_session_cookie_is_secure_outside_the_demo(container, tmp_path):
    from webapp import create_app

    for env, secure in (({}, False), ({"CIVICFLOW_SECRET_KEY": "k" * 32}, True),
                        ({"CIVICFLOW_SECRET_KEY": "k" * 32, "CIVICFLOW_SECURE_COOKIES": "0"}, False),
                        ({"CIVICFLOW_SECURE_COOKIES": "1"}, True)):
        settings = load_settings({"CIVICFLOW_INSTANCE_PATH": str(tmp_path), **env})
        assert settings.secure_cookies is secure, env
    container.settings = dataclasses.replace(container.settings, secure_cookies=True)
    cookie = _cookie(create_app({"TESTING": True}, container=container), container)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_misspelt_secure_cookies_setting_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="CIVICFLOW_SECURE_COOKIES"):
        load_settings({"CIVICFLOW_INSTANCE_PATH": str(tmp_path), "CIVICFLOW_SECURE_COOKIES": "maybe"})
