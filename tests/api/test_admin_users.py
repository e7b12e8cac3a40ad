"""Admins manage users: read one, disable and enable, change roles and org unit, reset a
password; every change is audited and a disabled user's token stops at once."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import AuditEvent
from engine.services import authenticate
from tests.factories.api import ApiUser
from tests.factories.directory import PASSWORD, make_org_tree, make_user
from webapp.cli import main


def _audit(container, action: str) -> list[dict]:
    with container.session_factory() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                            .order_by(AuditEvent.seq))]


def _admin(client, container) -> ApiUser:
    make_org_tree(container)
    make_user(container, "root", "admin")
    return ApiUser(client, "root")


def _patch(admin: ApiUser, username: str, body: dict):
    return admin.client.patch(f"/api/v1/users/{username}", json=body, headers=admin.headers)


def test_get_one_user(client, container):
    admin = _admin(client, container)
    make_user(container, "wang", "handler", org_unit="D-EAST-CG")
    body = admin.get("/users/wang").get_json()
    assert body["username"] == "wang" and body["active"] is True
    assert body["roles"] == ["handler"] and body["org_units"] == ["D-EAST-CG"]
    nope = admin.get("/users/nobody")
    assert nope.status_code == 404 and nope.get_json()["error"]["code"] == "not_found"


def test_only_admins_manage_users(client, container):
    _admin(client, container)
    make_user(container, "wang", "handler", "supervisor", org_unit="D-EAST-CG")
    wang = ApiUser(client, "wang")
    assert wang.get("/users/wang").status_code == 403
    assert _patch(wang, "wang", {"roles": ["admin"]}).status_code == 403
    assert wang.post("/users/wang/password", {"password": "a-new-password"}).status_code == 403


def test_disabling_a_user_ends_their_token_and_sign_in(client, container):
    admin = _admin(client, container)
    make_user(container, "wang", "handler", org_unit="D-EAST-CG")
    wang = ApiUser(client, "wang")
    assert wang.get("/processes").status_code == 200  # an endpoint that loads no actor itself

    resp = _patch(admin, "wang", {"active": False})
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    for path in ("/processes", "/tasks"):
        refused = wang.get(path)
        assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthenticated"
    token = client.post("/api/v1/auth/token", json={"username": "wang", "password": PASSWORD})
    assert token.status_code == 401

    assert _patch(admin, "wang", {"active": True}).get_json()["active"] is True
    assert wang.get("/tasks").status_code == 200  # the same token works again
    assert [d["changes"]["active"] for d in _audit(container, "user.updated")] == [
        {"from": True, "to": False}, {"from": False, "to": True}]


def test_change_roles_org_unit_and_display_name(client, container):
    admin = _admin(client, container)
    make_user(container, "wang", "handler", org_unit="D-EAST-CG")
    body = _patch(admin, "wang", {"roles": ["handler", "inspector"], "display_name": "王五"}).get_json()
    assert body["roles"] == ["handler", "inspector"] and body["org_units"] == ["D-EAST-CG"]
    assert body["display_name"] == "王五"
    body = _patch(admin, "wang", {"org_unit": "D-WEST-CG"}).get_json()
    assert body["roles"] == ["handler", "inspector"] and body["org_units"] == ["D-WEST-CG"]
    body = _patch(admin, "wang", {"org_unit": None, "roles": ["leader"]}).get_json()
    assert body["roles"] == ["leader"] and body["org_units"] == []
    assert admin.get("/users?role=handler").get_json() == []

    changes = [d["changes"] for d in _audit(container, "user.updated")]
    assert changes[0] == {"display_name": {"from": "wang", "to": "王五"},
                          "roles": {"from": ["handler"], "to": ["handler", "inspector"]}}
    assert changes[1] == {"org_units": {"from": ["D-EAST-CG"], "to": ["D-WEST-CG"]}}
    assert _patch(admin, "wang", {"roles": ["leader"]}).status_code == 200
    assert len(_audit(container, "user.updated")) == 3  # nothing changed: nothing audited


def test_bad_patches_are_400_naming_the_field(client, container):
    admin = _admin(client, container)
    make_user(container, "wang", "handler", org_unit="D-EAST-CG")
    for body, field in (({"roles": ["wizard"]}, "roles.0"), ({"roles": []}, "roles"),
                        ({"active": "maybe"}, "active"), ({"display_name": ""}, "display_name"),
                        ({"org_unit": "NOPE"}, "org_unit"), ({"password": "sneaky-1234"}, "password")):
        resp = _patch(admin, "wang", body)
        assert resp.status_code == 400, body
        assert field in resp.get_json()["error"]["fields"], (body, resp.get_json())
    assert _patch(admin, "nobody", {"active": False}).status_code == 404


def test_an_admin_may_not_lock_themselves_out(client, container):
    admin = _admin(client, container)
    resp = _patch(admin, "root", {"active": False})
    assert resp.status_code == 422 and "active" in resp.get_json()["error"]["fields"]
    assert _patch(admin, "root", {"roles": ["supervisor"]}).status_code == 422
    assert admin.get("/users/root").get_json()["active"] is True
    assert _audit(container, "user.updated") == []


def test_password_reset(client, container):
    admin = _admin(client, container)
    make_user(container, "wang", "handler", org_unit="D-EAST-CG")
    short = admin.post("/users/wang/password", {"password": "short"})
    assert short.status_code == 400 and "password" in short.get_json()["error"]["fields"]
    assert admin.post("/users/nobody/password", {"password": "a-new-password"}).status_code == 404
    assert admin.post("/users/wang/password", {"password": "a-new-password"}).status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "wang", "password": PASSWORD}).status_code == 401
    ApiUser(client, "wang", "a-new-password")
    rows = _audit(container, "user.password_reset")
    assert rows == [{"username": "wang"}] and "a-new-password" not in str(rows)


def test_cli_sets_a_password(runner, container, monkeypatch):
    make_org_tree(container)
    make_user(container, "wang", "citizen")
    monkeypatch.setattr("webapp.cli._container", lambda: container)
    result = runner.invoke(main, ["users", "set-password", "wang", "--password", "set-by-cli-42"])
    assert result.exit_code == 0, result.output
    with container.uow() as uow:
        assert authenticate(uow, "wang", "set-by-cli-42")["username"] == "wang"
    bad = runner.invoke(main, ["users", "set-password", "nobody", "--password", "set-by-cli-42"])
    assert bad.exit_code == 1 and "no user 'nobody'" in bad.output
    assert runner.invoke(main, ["users", "set-password", "wang", "--password", "short"]).exit_code == 1
