"""The REST API over a real socket, for tests that run the server as a separate process (the
Flask test client of tests/factories/api.py never loses a connection). A request whose
connection fails raises :class:`ConnectionLost`: the caller cannot tell whether the server
acted on it, exactly as a hotline system or an app cannot."""
from __future__ import annotations

import time

import urllib3

from .directory import PASSWORD


class ConnectionLost(Exception):
    """No answer: the server was down, or died while handling the request."""


class HttpUser:
    def __init__(self, base_url: str, username: str, password: str = PASSWORD, patience_s: float = 90) -> None:
        self.base_url = base_url
        self.pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=2, read=30))
        self.headers: dict[str, str] = {}
        self.patience_s = patience_s
        status, body = self.patiently("POST", "/auth/token", {"username": username, "password": password})
        assert status == 200, body
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        """One attempt: (status, JSON body or None)."""
        try:
            resp = self.pool.request(method, f"{self.base_url}/api/v1{path}", json=body, headers=self.headers)
        except urllib3.exceptions.HTTPError as exc:
            raise ConnectionLost(f"{method} {path}: {exc}") from exc
        try:
            return resp.status, resp.json()
        except ValueError:  # not JSON: an empty body, or a page
            return resp.status, None

    def patiently(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        """Retry while the server is unreachable: only for requests that are safe to repeat
        (reads, signing in)."""
        deadline = time.monotonic() + self.patience_s
        while True:
            try:
                return self.call(method, path, body)
            except ConnectionLost:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def get(self, path: str) -> tuple[int, object]:
        return self.patiently("GET", path)
