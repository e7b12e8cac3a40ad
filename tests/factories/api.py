"""A small client for the REST API, as a hotline system or a test would use it. Every POST
that changes something is followed by the engine's invariant: no running case waits on nothing."""
from __future__ import annotations

from tests.conformance.invariant import assert_not_stuck

from .directory import PASSWORD


class ApiUser:
    def __init__(self, client, username: str, password: str = PASSWORD) -> None:
        self.client = client
        resp = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert resp.status_code == 200, resp.get_json()
        self.headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}

    def get(self, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kw)

    def post(self, path: str, json=None, **kw):
        resp = self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kw)
        if resp.status_code < 300:
            assert_not_stuck(self.client.application.extensions["civicflow"])
        return resp

    def upload(self, *files: tuple[str, bytes]):
        """POST /processes with each (filename, bytes) as a ``file`` part. The body is built here
        (not by the test client, which spools large bodies to a temp file it does not close)."""
        boundary = "civicflow-test-boundary"
        parts = [b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                 + name.encode() + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + body + b"\r\n"
                 for name, body in files]
        payload = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
        return self.client.post("/api/v1/processes", headers=self.headers, data=payload,
                                content_type=f"multipart/form-data; boundary={boundary}")


def people_signed_in(client, container, people) -> dict[str, ApiUser]:
    """Each (username, role, org unit) created and signed in: username → ApiUser."""
    from .directory import make_user

    for name, role, unit in people:
        make_user(container, name, role, org_unit=unit)
    return {name: ApiUser(client, name) for name, _, _ in people}
