"""``<int:…>`` in every route: ids the database can hold (its integer columns are 32-bit), so that
an absurd number in an address is an unmatched route (404), never a database error (500)."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_routing(app: Flask) -> None:
    """Call before the blueprints are registered: their rules use the converter in place then."""
    app.url_map.converters["int"] = DatabaseId
