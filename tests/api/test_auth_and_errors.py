"""Tokens, rate limits and the error contract for bad requests."""
from __future__ import annotations

from tests.factories.api import ApiUser
from tests.factories.directory import PASSWORD, make_org_tree, make_user


def test_token_then_bearer_calls(client, container):
    make_user(container, "root", "admin")
    resp = client.post("/api/v1/auth/token", json={"username": "root", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["user"] == {"username": "root", "roles": ["admin"]} and body["expires_at"]
    ok = client.get("/api/v1/processes", headers={"Authorization": f"Bearer {body['token']}"})
    assert ok.status_code == 200 and ok.get_json() == []


def test_missing_or_forged_tokens_are_401(client, container):
    make_user(container, "root", "admin")
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic cm9vdDp4"}):
        resp = client.get("/api/v1/tasks", headers=headers)
        assert resp.status_code == 401
        assert resp.get_json()["error"]["code"] == "unauthenticated"
    # a token signed with another deployment's key is refused too
    other = client.application.config["SECRET_KEY"]
    client.application.config["SECRET_KEY"] = "another-key"
    forged = ApiUser(client, "root").headers
    client.application.config["SECRET_KEY"] = other
    assert client.get("/api/v1/tasks", headers=forged).status_code == 401


def test_wrong_passwords_are_rate_limited(client, container):
    make_user(container, "root", "admin")
    for _ in range(5):
        resp = client.post("/api/v1/auth/token", json={"username": "root", "password": "wrong-password"})
        assert resp.status_code == 401
    resp = client.post("/api/v1/auth/token", json={"username": "root", "password": PASSWORD})
    assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "rate_limited"


def test_bad_bodies_get_400_naming_fields(client, container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    admin = ApiUser(client, "root")
    malformed = client.post("/api/v1/users", data="{not json", content_type="application/json",
                            headers=admin.headers)
    assert malformed.status_code == 400 and malformed.get_json()["error"]["code"] == "invalid_input"
    wrong = admin.post("/users", {"username": "x y", "password": 12345678, "roles": ["wizard"]})
    assert wrong.status_code == 400
    fields = wrong.get_json()["error"]["fields"]
    assert {k.split(".")[0] for k in fields} == {"username", "password", "roles"}
    assert fields["roles.0"] == ["Must be one of: " + ", ".join(
        ["citizen", "operator", "dispatcher", "handler", "inspector", "clerk", "approver", "supervisor",
         "leader", "admin", "sensor", "worker"]) + "."]
    assert admin.post("/users", {}).get_json()["error"]["fields"].keys() >= {"username", "password", "roles"}
    assert admin.post("/org-units", {"code": "X", "name": "x", "kind": "galaxy"}).status_code == 400
    assert admin.post("/org-units", {"code": "X", "name": "x", "kind": "grid", "parent": "NOPE"}).status_code == 400
    assert admin.post("/org-units", {"code": "CITY", "name": "again", "kind": "city"}).status_code == 409
    assert admin.get("/tasks?scope=everything").status_code == 400
    assert admin.post("/cases", {"process_key": "nope", "data": {}}).status_code == 404
    assert admin.post("/cases", {"process_key": 7, "data": []}).status_code == 400


def test_unknown_ids_are_404(client, container):
    make_user(container, "root", "admin")
    admin = ApiUser(client, "root")
    for path in ("/tasks/999", "/cases/999", "/processes/none", "/processes/none/bpmn"):
        resp = admin.get(path)
        assert resp.status_code == 404, path
        assert resp.get_json()["error"]["code"] == "not_found"
    assert admin.post("/tasks/999/complete", {"data": {}}).status_code == 404


def test_admin_endpoints_refuse_other_roles(client, container):
    make_org_tree(container)
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    wang = ApiUser(client, "wang")
    assert wang.post("/org-units", {"code": "X", "name": "x", "kind": "grid", "parent": "CITY"}).status_code == 403
    assert wang.post("/users", {"username": "evil", "password": "12345678", "roles": ["admin"]}).status_code == 403
    assert wang.get("/users").status_code == 403
    assert wang.get("/tasks?scope=all").status_code == 403


def test_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/processes", "/api/v1/cases", "/api/v1/cases/{case_id}",
                 "/api/v1/tasks", "/api/v1/tasks/{task_id}/complete", "/api/v1/users", "/api/v1/org-units"):
        assert path in doc["paths"], path
