"""The headers every response carries: a Content-Security-Policy that runs only our own
scripts (every page's code is a file under /static or /vendor, never inline), no framing,
no MIME sniffing, and no full URLs (case numbers, query codes) leaked in Referer."""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, current_app


def _origin(url_template: str) -> str | None:
    """scheme://host of the map tile template (a {s}. subdomain becomes *.), the one outside
    origin pages load from."""
    scheme, sep, rest = url_template.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f"{scheme}://{host}" if scheme in ("http", "https") and sep and host else None


@lru_cache(maxsize=8)
def content_security_policy(map_tiles: str) -> str:
    images = " ".join(filter(None, ("'self'", "data:", "blob:", _origin(map_tiles))))
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # inline SVG charts and Leaflet style their own elements
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


STATIC_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _secure(resp: Response) -> Response:
    """The policy follows the settings in force (the map tiles' origin may change at run time)."""
    for name, value in STATIC_HEADERS.items():
        resp.headers.setdefault(name, value)
    map_tiles = current_app.extensions["civicflow"].settings.map_tiles
    resp.headers.setdefault("Content-Security-Policy", content_security_policy(map_tiles))
    return resp


def init_security_headers(app: Flask) -> None:
    app.after_request(_secure)
