"""Signing in through the page form, as a browser does: the CSRF token from the form first."""
from __future__ import annotations

import re

from .directory import PASSWORD


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in_page(client, username: str, password: str = PASSWORD, remote_addr: str = "127.0.0.1"):
    """The response to posting the sign-in form from ``remote_addr``."""
    env = {"REMOTE_ADDR": remote_addr}
    token = csrf_of(client.get("/login", environ_base=env).get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password},
                       environ_base=env)
